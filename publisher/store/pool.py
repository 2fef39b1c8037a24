"""Query workers: separate processes that can be killed when a query runs too long.

pyoxigraph cannot stop a running query (a cartesian product ignores signals), and a
thread cannot be stopped at all, so each query runs in a worker process that opens the
published store read-only. The caller waits on a pipe until the deadline; past it the
worker is killed and a fresh one started in its place.

Two lanes keep cheap queries from starving behind expensive ones (docs/sparql.md):

- the **fast lane** is ``size`` workers. A query gets one (waiting at most
  ``fast_budget`` for it) and runs there for at most ``fast_budget`` seconds; almost every
  query ends within that;
- a query still running at the end of its fast budget moves to the **slow lane**: its
  worker leaves the fast lane, keeps computing (no work is lost) and a fresh worker takes
  its place. At most ``slow_slots`` queries are in the slow lane at once; when it is full,
  the query is stopped at once with ``Overloaded`` (a 503 with ``Retry-After``).

Every query, waiting included, ends by ``timeout`` seconds after it arrived.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.errors import Overloaded, QueryError, QueryTimeout, StoreError
from publisher.settings import Settings
from publisher.store.engine import Answer, QueryJob, execute, materialised_union

# "forkserver": workers fork from a fresh interpreter started once, so no lock or thread of
# the web server is copied into them, and a replacement is ready in milliseconds rather
# than the second a new interpreter takes to import rdflib and pyoxigraph ("spawn").
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])
_READY = ("ready", None)


def _serve(conn: Connection, store_path: str) -> None:
    """Worker process body: open the store read-only, say so, then answer jobs until EOF."""
    try:
        store: ox.Store | None = ox.Store.read_only(store_path)
        failure = ""
    except OSError as err:
        store, failure = None, f"cannot open the store at {store_path}: {err}"
    union = store is not None and materialised_union(store)
    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        conn.send(_answer(store, job, failure, union))


def _answer(store: ox.Store | None, job: QueryJob, failure: str, union: bool) -> tuple[str, Any]:
    if store is None:
        return ("store", failure)
    try:
        return ("ok", execute(store, job, union))
    except SyntaxError as err:
        return ("query", f"malformed SPARQL query: {err}")
    except Exception as err:  # anything else the engine raises is the store's failure
        return ("store", f"the store failed to answer: {err}")


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, store_path: Path) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(
            target=_serve, args=(child, str(store_path)), name="sparql-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def poll_ready(self) -> bool:
        """True once the process has opened the store (never blocks; False if it died)."""
        try:
            return self.wait_ready(0)
        except (EOFError, OSError):
            return False

    def wait_ready(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the process to have opened the store."""
        if not self.ready and self.conn.poll(max(0.0, seconds)):
            self.ready = self.conn.recv() == _READY
        return self.ready

    def stop(self) -> None:
        """Kill the process at once (SIGKILL): the only way to stop a running query."""
        self.process.kill()
        self.process.join(5)
        self.conn.close()
        self.process.close()


class WorkerPool:
    """A fast lane of ``size`` worker processes over the store at ``store_path``, and a
    slow lane of ``slow_slots`` places for queries that outlive ``fast_budget`` seconds;
    every query ends by ``timeout`` seconds."""

    def __init__(
        self,
        store_path: Path,
        size: int = Settings.sparql_workers,
        timeout: float = Settings.query_timeout,
        fast_budget: float = Settings.sparql_fast_budget,
        slow_slots: int = Settings.sparql_slow_queries,
    ) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self.fast_budget = min(fast_budget, timeout)
        self.slow_slots = slow_slots
        self._idle: list[_Worker] = [_Worker(store_path) for _ in range(size)]
        self._changed = threading.Condition()
        self._slow: list[float] = []  # deadlines of the queries in the slow lane
        self._closed = False

    def run(self, job: QueryJob) -> Answer:
        """Run ``job``; raise QueryTimeout past the deadline, Overloaded when it cannot be
        run now (no fast worker freed within the fast budget, or the slow lane is full)."""
        deadline = time.monotonic() + self.timeout
        worker = self._take(min(deadline, time.monotonic() + self.fast_budget))
        slow: float | None = None  # this query's deadline once it is in the slow lane
        try:
            if not worker.wait_ready(deadline - time.monotonic()):
                raise QueryTimeout(self._timeout_message())
            worker.conn.send(job)
            fast_end = min(deadline, time.monotonic() + self.fast_budget)
            answered = worker.conn.poll(max(0.0, fast_end - time.monotonic()))
            if not answered and fast_end < deadline:
                slow = self._enter_slow(deadline)
                if slow is None:
                    raise Overloaded(
                        "this query outlived the fast lane and every place for long queries "
                        "is taken; try again shortly, or narrow it down (LIMIT, more specific "
                        "patterns)",
                        retry_after=self._slow_frees_in(),
                    )
                self._add(_Worker(self.store_path))  # the fast lane keeps its size
                answered = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            if not answered:
                raise QueryTimeout(self._timeout_message())
            status, payload = worker.conn.recv()
        except (EOFError, OSError) as err:
            self._finish(worker, slow, healthy=False)
            raise StoreError(f"query worker failed: {err}") from err
        except (QueryTimeout, Overloaded):
            self._finish(worker, slow, healthy=False)
            raise
        self._finish(worker, slow, healthy=True)
        return _unpack(status, payload)

    def _timeout_message(self) -> str:
        return (
            f"query stopped after the time limit of {self.timeout:g} s; "
            "narrow it down (LIMIT, more specific patterns) and try again"
        )

    def _take(self, until: float) -> _Worker:
        """An idle worker, preferring one whose process is ready; wait until ``until``."""
        with self._changed:
            while not self._idle:
                left = until - time.monotonic()
                if left <= 0 or self._closed:
                    raise Overloaded(
                        "all query workers are busy; try again shortly", retry_after=1.0
                    )
                self._changed.wait(left)
            ready = [w for w in self._idle if w.poll_ready()]
            worker = (ready or self._idle)[0]
            self._idle.remove(worker)
        if not worker.process.is_alive():  # died while idle (OOM killer, an operator)
            worker.stop()
            worker = _Worker(self.store_path)
        return worker

    def _enter_slow(self, deadline: float) -> float | None:
        """Take a place in the slow lane until ``deadline``; None when the lane is full."""
        with self._changed:
            if len(self._slow) >= self.slow_slots:
                return None
            self._slow.append(deadline)
            return deadline

    def _slow_frees_in(self) -> float:
        """Seconds until a place in the slow lane is free at the latest."""
        with self._changed:
            soonest = min(self._slow, default=time.monotonic())
        return max(1.0, math.ceil(soonest - time.monotonic()))

    def _add(self, worker: _Worker) -> None:
        with self._changed:
            if self._closed:
                worker.stop()
                return
            self._idle.append(worker)
            self._changed.notify()

    def _finish(self, worker: _Worker, slow: float | None, healthy: bool) -> None:
        """After a query: a fast worker goes back (or is replaced if it was killed); a slow
        one, already replaced, is stopped and its place in the slow lane freed."""
        if slow is not None:
            worker.stop()
            with self._changed:
                self._slow.remove(slow)
            return
        if healthy:
            self._add(worker)
        else:
            worker.stop()
            self._add(_Worker(self.store_path))

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when they are given back."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for worker in idle:
            worker.stop()


def _unpack(status: str, payload: Any) -> Answer:
    """A worker's reply: the Answer, or the typed error it stands for."""
    if status == "ok":
        return payload
    if status == "query":
        raise QueryError(payload)
    raise StoreError(payload)
