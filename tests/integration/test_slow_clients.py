"""Slow clients against a real `python -m app serve`: headers sent a byte at a time (slowloris), a
connection that never speaks, oversized headers, an idle keep-alive. Each is closed by the server,
and a normal shopper is served meanwhile. The trickle would go on far longer than the limit, so a
server without the limit fails the test by keeping the connections open."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration.test_database_loss import serve, stop
from tests.integration.test_serve import free_port

pytestmark = pytest.mark.integration

HEADER_TIMEOUT_S = 2
TRICKLE_FOR_S = 30.0  # 15 times the limit
CONNECTIONS = 40


def closed_by_server(sock: socket.socket) -> bytes | None:
    """What the server sent before closing, or None if it is still open (non-blocking peek)."""
    sock.setblocking(False)
    try:
        data = sock.recv(4096)
    except BlockingIOError:
        return None
    except ConnectionResetError:
        return b""
    finally:
        sock.setblocking(True)
    return data  # b"" or a final answer: the server closed its side


def test_slowloris_idle_and_oversized_connections_are_closed(tmp_path: Path) -> None:
    port = free_port()
    proc = serve(tmp_path, port, SEIKO_HTTP_HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S), SEIKO_HTTP_KEEP_ALIVE_S="1",
                 SEIKO_HTTP_MAX_HEADER_BYTES="8192")
    try:
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
        silent = socket.create_connection(("127.0.0.1", port))
        for s in slow:
            s.sendall(b"GET /api/v1/watches?limit=1 HTTP/1.1\r\nHost: store\r\n")
        started = time.monotonic()
        open_ones = list(slow)
        served_meanwhile = 0
        while open_ones and time.monotonic() - started < TRICKLE_FOR_S:
            for s in list(open_ones):
                try:
                    s.sendall(b"X")  # one more byte of a header that never ends
                except OSError:
                    open_ones.remove(s)
                    continue
                if closed_by_server(s) is not None:
                    open_ones.remove(s)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/watches?limit=1", timeout=10) as r:
                served_meanwhile += r.status == 200
            time.sleep(0.5)
        closed_after = time.monotonic() - started
        assert open_ones == [], f"{len(open_ones)} slow connections still open after {TRICKLE_FOR_S}s"
        assert served_meanwhile >= 1
        assert closed_by_server(silent) is not None, "a connection that never sent a byte was left open"
        print(f"\n[slowloris] {CONNECTIONS} trickling connections closed within {closed_after:.1f}s "
              f"(limit {HEADER_TIMEOUT_S}s); {served_meanwhile} normal requests served meanwhile")

        # Oversized headers: 431 and closed.
        big = socket.create_connection(("127.0.0.1", port))
        big.sendall(b"GET / HTTP/1.1\r\nHost: store\r\nX-Big: " + b"a" * 20_000)
        big.settimeout(10)
        assert big.recv(4096).startswith(b"HTTP/1.1 431")

        # An idle keep-alive connection is closed after its request.
        idle = socket.create_connection(("127.0.0.1", port))
        idle.sendall(b"GET /health HTTP/1.1\r\nHost: store\r\n\r\n")
        idle.settimeout(10)
        answer = b""
        while chunk := idle.recv(4096):  # until the server closes the idle connection (else a timeout)
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b'"database":"up"}')
        for s in [*slow, silent, big, idle]:
            s.close()
    finally:
        stop(proc)
