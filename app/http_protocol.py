"""uvicorn's HTTP protocol with a deadline for request headers, and a cap on their size.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`), but any byte cancels that timer
and nothing bounds how long a request's headers may take: 40 clients sending a header byte every few
seconds (slowloris) would hold 40 connections forever. Here the headers of each request must be
complete within `header_timeout_s` of the connection opening (or of the previous response ending),
and may not exceed `max_header_bytes`; otherwise the connection gets 408 / 431 and is closed."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

_408 = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
_431 = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"


def guarded_protocol(*, header_timeout_s: float, max_header_bytes: int) -> type[asyncio.Protocol]:
    """The protocol class to hand to uvicorn (`http=`), with these limits."""

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                     _loop: asyncio.AbstractEventLoop | None = None) -> None:
            super().__init__(config, server_state, app_state, _loop)
            self._header_timer: asyncio.TimerHandle | None = None
            self._header_bytes = 0
            self._reading_headers = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._await_headers()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            # Counted only while the headers are still incomplete after this chunk, so a body that
            # arrives with its headers in one read is not mistaken for oversized headers.
            if self._reading_headers:
                self._header_bytes += len(data)
                if self._header_bytes > max_header_bytes:
                    self._refuse(_431)

        def on_headers_complete(self) -> None:
            self._headers_done()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_headers()  # the next request on this connection gets its own deadline

        def connection_lost(self, exc: Exception | None) -> None:
            self._headers_done()
            super().connection_lost(exc)

        def _await_headers(self) -> None:
            self._headers_done()
            self._reading_headers, self._header_bytes = True, 0
            self._header_timer = self.loop.call_later(header_timeout_s, self._refuse, _408)

        def _headers_done(self) -> None:
            self._reading_headers = False
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _refuse(self, answer: bytes) -> None:
            self._headers_done()
            if not self.transport.is_closing():
                self.transport.write(answer)
                self.transport.close()

    return GuardedHttpToolsProtocol
