"""Per-client rate limit on ``/sparql``: a token bucket per client address, in memory.

Each client may send ``sparql_rate_burst`` queries at once, then one every
``60 / sparql_rate_limit`` seconds; past that it gets ``429 Too Many Requests`` with a
``Retry-After`` telling when the next query is allowed. Buckets live in each worker
process (with N workers a client may reach N times the rate): no shared store to run,
and a restart forgets nothing that matters. The table of clients is bounded, so a
crowd of addresses cannot grow a worker's memory without end.

Only requests that carry a query count: the query page, preflights and the service
description stay free.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, current_app, request

from publisher.settings import Settings

EXTENSION = "publisher.ratelimit"
#: Most clients remembered per worker; the least recently seen is forgotten first.
MAX_CLIENTS = 10_000


class RateLimiter:
    """Token buckets keyed by client: ``rate`` tokens per second, at most ``burst`` held."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one token of ``client``: 0 if allowed, else seconds until one is free."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


def _carries_query() -> bool:
    return request.method == "POST" or "query" in request.args or "update" in request.args


def check_rate() -> Response | None:
    """Before ``/sparql``: a 429 response when this client is over its rate, else None."""
    limiter: RateLimiter | None = current_app.extensions.get(EXTENSION)
    if limiter is None or request.endpoint != "sparql.endpoint" or not _carries_query():
        return None
    wait = limiter.take(request.remote_addr or "unknown")
    if wait == 0:
        return None
    # the endpoint's own error shape: JSON for JSON clients, plain text for the others
    from publisher.web.sparql import protocol_error

    seconds = max(1, math.ceil(wait))
    response = protocol_error(429, f"too many queries from your address: try again in {seconds} s")
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    """Limit ``app``'s SPARQL queries per client, unless ``sparql_rate_limit`` is 0."""
    settings: Settings = app.extensions["publisher.settings"]
    if settings.sparql_rate_limit > 0:
        app.extensions[EXTENSION] = RateLimiter(
            settings.sparql_rate_limit / 60, settings.sparql_rate_burst
        )
        app.before_request(check_rate)
