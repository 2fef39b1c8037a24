"""Structured request logs: one JSON line per request on stderr, with its timing.

Each line holds the time, method, path, query string (cut to 300 characters), status,
response size, milliseconds spent, client address and worker process, so that logs can
be searched and latencies summed without parsing a free-text access-log format.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request

LOGGER = "publisher.requests"
_MAX_QUERY = 300


def _logger() -> logging.Logger:
    """The request logger, writing bare lines to stderr (set up once per process)."""
    logger = logging.getLogger(LOGGER)
    # The level is set even when a handler is already there (a test's, a host's), so
    # INFO lines are never dropped by the root logger's default WARNING.
    logger.setLevel(logging.INFO)
    logger.disabled = False  # a host's dictConfig(disable_existing_loggers) must not mute it
    logger.propagate = False  # not again through gunicorn's or pytest's root handlers
    if not any(getattr(h, "lotaip_requests", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.lotaip_requests = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return logger


def start_timer() -> None:
    """Before a request: note when it started."""
    g.request_started = time.perf_counter()


def record(response: Response) -> dict[str, object]:
    """The log entry for the current request and its ``response``."""
    started = g.get("request_started", time.perf_counter())
    query = request.query_string.decode("latin-1")
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": request.method,
        "path": request.path,
        "query": query[:_MAX_QUERY] + ("…" if len(query) > _MAX_QUERY else ""),
        "status": response.status_code,
        "bytes": response.content_length,
        "ms": round((time.perf_counter() - started) * 1000, 2),
        "client": request.remote_addr,
        "pid": os.getpid(),
    }


def log_request(response: Response) -> Response:
    """After a request: write its JSON line."""
    _logger().info(json.dumps(record(response), ensure_ascii=False))
    return response


def init_app(app: Flask) -> None:
    """Log every request of ``app`` when the ``request_log`` setting is on."""
    if app.extensions["publisher.settings"].request_log:
        app.before_request(start_timer)
        app.after_request(log_request)
