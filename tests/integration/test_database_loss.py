"""The database lost while serving: answers are quick 503 problem+json with Retry-After (never a 500
or a 30 s wait), /health says the database is down, and the store serves again without a restart;
in the embedded set-up it restarts its own PostgreSQL. Real `python -m app serve` processes, real
kill -9 of the postmaster mid-traffic. Figures are printed (pytest -s), not asserted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from db.embedded import EmbeddedPostgres
from tests.integration.test_serve import free_port, until_ready

pytestmark = pytest.mark.integration

# Far above the 1.5 s acquire timeout, far below the pool's old 30 s wait: a hang fails the test.
CLIENT_TIMEOUT_S = 8.0


@dataclass
class Answer:
    at: float
    status: int
    retry_after: str | None
    content_type: str
    database: str | None = None


@dataclass
class Traffic:
    """A shopper browsing in a loop, and a prober reading /health, until stopped."""

    base: str
    answers: list[Answer] = field(default_factory=list)
    health: list[Answer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _get(self, path: str) -> Answer:
        try:
            with urllib.request.urlopen(self.base + path, timeout=CLIENT_TIMEOUT_S) as r:
                body = r.read().decode()
                return Answer(time.monotonic(), r.status, r.headers.get("Retry-After"), r.headers["Content-Type"],
                              '"database":"down"' if '"database":"down"' in body else body)
        except urllib.error.HTTPError as e:
            e.read()
            return Answer(time.monotonic(), e.code, e.headers.get("Retry-After"), e.headers.get("Content-Type", ""))

    def _run(self, path: str, into: list[Answer]) -> None:
        while not self._stop.is_set():
            try:
                into.append(self._get(path))
            except OSError as error:  # a timeout or a dropped connection is a failure of the test
                self.errors.append(f"{path}: {error!r}")
            time.sleep(0.02)

    def __enter__(self) -> Traffic:
        self.threads = [threading.Thread(target=self._run, args=("/api/v1/watches?limit=1", self.answers)),
                        threading.Thread(target=self._run, args=("/health", self.health))]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def wait_for(self, what: str, check: object, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if callable(check) and check():
                return time.monotonic()
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; errors {self.errors[:3]}")


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split()[0])


def assert_only_ok_or_503(answers: list[Answer]) -> None:
    for a in answers:
        assert a.status in (200, 503), a
        if a.status == 503:
            assert a.content_type.startswith("application/problem+json") and a.retry_after, a


def serve(tmp_path: Path, port: int, **env: str) -> subprocess.Popen[str]:
    """`python -m app serve`, logging to a file: a pipe nobody reads would stall a server under traffic."""
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(SEIKO_DATA_DIR=str(tmp_path / "data"), SEIKO_ENV="development", SEIKO_LOG_JSON="true",
                   SEIKO_METRICS_PORT=str(free_port()), SEIKO_INDEX_ON_START="false",
                   SEIKO_RATE_LIMIT="1000000/minute", **env)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=environ,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    return until_ready(proc, port, output=(tmp_path / "server.log").read_text)


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode == 0


def test_embedded_postgres_killed_mid_traffic_is_restarted_and_the_store_serves_again(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    proc = serve(tmp_path, port)
    try:
        pgdata = data / "pgdata"
        old = postmaster_pid(pgdata)
        with Traffic(f"http://127.0.0.1:{port}") as traffic:
            traffic.wait_for("traffic", lambda: len(traffic.answers) > 10)
            killed = time.monotonic()
            os.kill(old, signal.SIGKILL)
            seen = len(traffic.answers)
            back = traffic.wait_for("the store to serve again after a restart of PostgreSQL", lambda: (
                (pgdata / "postmaster.pid").exists() and postmaster_pid(pgdata) != old
                and any(a.status == 200 for a in traffic.answers[seen:] if a.at > killed + 0.1)))
            # ...and keeps serving.
            settled = len(traffic.answers)
            traffic.wait_for("answers after recovery", lambda: len(traffic.answers) > settled + 10)
        after = [a for a in traffic.answers if a.at > killed]
        assert traffic.errors == []
        assert_only_ok_or_503(after)
        assert all(a.status == 200 for a in traffic.answers[settled:]), "serving again"
        assert proc.poll() is None, "the app itself was never restarted"
        first_503 = next((a.at for a in after if a.status == 503), None)
        down_seen = any(a.database == '"database":"down"' for a in traffic.health if a.at > killed)
        print(f"\n[embedded kill -9] first 503 after {first_503 - killed:.2f}s" if first_503 else
              "\n[embedded kill -9] no 503 seen (restarted before a request failed)",
              f"| serving again after {back - killed:.2f}s | 503s: {sum(a.status == 503 for a in after)}",
              f"| /health said down: {down_seen}")
    finally:
        stop(proc)
    assert not (pgdata / "postmaster.pid").exists(), "the restarted PostgreSQL was stopped with the app"


def test_external_database_lost_answers_503_and_health_says_down_then_recovers(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "external" / "pgdata")
    url = server.start()
    port = free_port()
    proc = serve(tmp_path, port, DATABASE_URL=url)
    try:
        base = f"http://127.0.0.1:{port}"
        with Traffic(base) as traffic:
            traffic.wait_for("traffic", lambda: len(traffic.answers) > 10)
            killed = time.monotonic()
            os.kill(postmaster_pid(server.pgdata), signal.SIGKILL)
            first_503 = traffic.wait_for("a 503", lambda: any(a.status == 503 for a in traffic.answers))
            traffic.wait_for("/health to say the database is down",
                             lambda: any(a.database == '"database":"down"' for a in traffic.health))
            assert _status(f"{base}/ready") == 503
            down_for = time.monotonic()
            traffic.wait_for("more 503s while it is down", lambda: sum(a.status == 503 for a in traffic.answers) > 5)
            restarted = time.monotonic()
            server.restart()  # the operator brings the database back; the app is not restarted
            back = traffic.wait_for("200s again", lambda: any(a.status == 200 and a.at > restarted
                                                             for a in traffic.answers))
        assert traffic.errors == []
        assert_only_ok_or_503([a for a in traffic.answers if a.at > killed])
        assert proc.poll() is None
        print(f"\n[external kill -9] first 503 after {first_503 - killed:.2f}s | down for {down_for - killed:.2f}s "
              f"| serving again {back - restarted:.2f}s after the database returned")
    finally:
        stop(proc)
        server.stop()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=CLIENT_TIMEOUT_S) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)
