"""`seiko serve` as a newcomer runs it: embedded database, seeding, real HTTP, Ctrl-C, restart."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SEIKO_DATA_DIR=str(data_dir), SEIKO_ENV="development", SEIKO_LOG_JSON="true",
               SEIKO_METRICS_PORT=str(free_port()))
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return until_ready(proc, port, output=lambda: proc.communicate()[0])


def until_ready(proc: subprocess.Popen[str], port: int, *, output: Callable[[], str],
                seconds: float = 180) -> subprocess.Popen[str]:
    """Wait for a started server's /ready; if it exits first, fail with what it printed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, output()[-3000:]
        try:
            if call(f"http://127.0.0.1:{port}/ready")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError("seiko serve did not become ready")


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    return output


def test_serve_seeds_serves_stops_cleanly_and_keeps_data(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(tmp_path / "data", port)
    try:
        status, page = call(f"{base}/api/v1/watches?limit=100")
        assert status == 200
        assert page["total"] >= 28
        status, _ = call(f"{base}/api/v1/auth/register",
                         {"email": "keep@example.com", "password": "keep-me-1234", "name": "Keep"})
        assert status == 201
    finally:
        output = stop(proc)
    assert "embedded_postgres_stopped" in output
    assert not (tmp_path / "data" / "pgdata" / "postmaster.pid").exists(), "the database was left running"

    proc = start(tmp_path / "data", port)
    try:
        status, body = call(f"{base}/api/v1/auth/login", {"email": "keep@example.com", "password": "keep-me-1234"})
        assert status == 200, body
        assert call(f"{base}/api/v1/watches?limit=1")[1]["total"] == page["total"], "seeded twice"
    finally:
        stop(proc)


def test_after_a_kill_9_the_next_ctrl_c_still_stops_postgres(tmp_path: Path) -> None:
    """A server killed with -9 leaves PostgreSQL running and its pid in the wheel's handle list; the next
    start attaches to that PostgreSQL, and its Ctrl-C must stop it (a dead handle is not a live user)."""
    port = free_port()
    data = tmp_path / "data"
    first = start(data, port)
    first.kill()
    first.communicate(timeout=30)
    pgdata = data / "pgdata"
    assert (pgdata / "postmaster.pid").exists(), "kill -9 leaves PostgreSQL running"
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    assert first.pid in json.loads((pgdata / ".handle_pids.json").read_text())

    second = start(data, port)
    assert call(f"http://127.0.0.1:{port}/api/v1/watches?limit=1")[0] == 200
    stop(second)
    assert not (pgdata / "postmaster.pid").exists(), "PostgreSQL was left running"
    assert exits(postmaster), "the postmaster is still running"


def exits(pid: int) -> bool:
    """The process ends (or is a zombie nobody reaps: the killed server was its parent, and a
    container's init may never collect it). The pid file goes just before the process: wait for it."""
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False
