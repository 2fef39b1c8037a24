"""Per-client limits on ``/sparql``: a rate (token bucket) and queries in flight.

Each client may send ``sparql_rate_burst`` queries at once, then one every
``60 / sparql_rate_limit`` seconds; past that it gets ``429 Too Many Requests`` with a
``Retry-After`` telling when the next query is allowed. Buckets live in each worker
process (with N workers a client may reach N times the rate): no shared store to run,
and a restart forgets nothing that matters. The table of clients is bounded, so a
crowd of addresses cannot grow a worker's memory without end.

Queries in flight are bounded too, per web worker: one client address may have at most
``sparql_client_queries`` at once (more get 429 at once), and all clients together at most
``threads - 2`` (more get 503 at once), so that two threads always remain for pages however
many queries arrive. Both answers carry ``Retry-After``.

Only requests that carry a query count: the query page, preflights and the service
description stay free.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request

from publisher.settings import Settings

EXTENSION = "publisher.ratelimit"
IN_FLIGHT = "publisher.inflight"
#: Web threads per worker that queries may never take: pages keep being answered.
THREADS_FOR_PAGES = 2
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


class InFlight:
    """Counts of queries in flight, per client and in all, with their limits."""

    def __init__(self, per_client: int, total: int) -> None:
        self.per_client = per_client
        self.total = total
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, client: str) -> str | None:
        """Count one more query of ``client``; None if admitted, else which limit refused
        it: ``"client"`` or ``"total"`` (then nothing is counted)."""
        with self._lock:
            if self._counts.get(client, 0) >= self.per_client:
                return "client"
            if sum(self._counts.values()) >= self.total:
                return "total"
            self._counts[client] = self._counts.get(client, 0) + 1
            return None

    def leave(self, client: str) -> None:
        """One query of ``client`` is over."""
        with self._lock:
            left = self._counts.pop(client, 1) - 1
            if left > 0:
                self._counts[client] = left


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

    seconds = max(1, math.ceil(wait))
    return _refuse(429, f"too many queries from your address: try again in {seconds} s", seconds)


def _refuse(status: int, message: str, seconds: float) -> Response:
    # the endpoint's own error shape: JSON for JSON clients, plain text for the others
    from publisher.web.sparql import protocol_error

    response = protocol_error(status, message)
    response.headers["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


def check_in_flight() -> Response | None:
    """Before ``/sparql``: a 429 (this client) or 503 (everyone) when too many queries are
    in flight in this worker, else None (and the query is counted until teardown)."""
    if request.endpoint != "sparql.endpoint" or not _carries_query():
        return None
    in_flight: InFlight = current_app.extensions[IN_FLIGHT]
    client = request.remote_addr or "unknown"
    refused = in_flight.enter(client)
    settings: Settings = current_app.extensions["publisher.settings"]
    later = settings.sparql_fast_budget
    if refused == "client":
        return _refuse(
            429,
            f"you already have {in_flight.per_client} queries running here: wait for one to finish",
            later,
        )
    if refused == "total":
        return _refuse(503, "the endpoint is busy with other queries; try again shortly", later)
    g.sparql_client = client
    return None


def _leave(_error: BaseException | None) -> None:
    client = g.pop("sparql_client", None)
    if client is not None:
        current_app.extensions[IN_FLIGHT].leave(client)


def init_app(app: Flask) -> None:
    """Limit ``app``'s SPARQL queries in flight, and per client in rate unless
    ``sparql_rate_limit`` is 0."""
    settings: Settings = app.extensions["publisher.settings"]
    if settings.sparql_rate_limit > 0:
        app.extensions[EXTENSION] = RateLimiter(
            settings.sparql_rate_limit / 60, settings.sparql_rate_burst
        )
        app.before_request(check_rate)
    total = max(1, settings.threads - THREADS_FOR_PAGES)
    app.extensions[IN_FLIGHT] = InFlight(settings.sparql_client_queries, total)
    app.before_request(check_in_flight)
    app.teardown_request(_leave)
