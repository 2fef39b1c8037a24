"""Query workers: separate processes that can be killed when a query runs too long.

pyoxigraph cannot stop a running query (a cartesian product ignores signals), and a
thread cannot be stopped at all, so each query runs in a worker process that opens the
published store read-only. The caller waits on a pipe until the deadline; past it the
worker is killed and a fresh one started in its place. Other requests keep being served
by the other workers meanwhile, and the web server's own threads never run a query.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.errors import QueryError, QueryTimeout, StoreError, StoreUnavailable
from publisher.query.engine import Answer, Job, execute, materialised_union

# "spawn": a fresh interpreter, so no lock or thread of the web server is copied into it.
_CONTEXT = multiprocessing.get_context("spawn")


def _serve(conn: Connection, store_path: str) -> None:
    """Worker process body: open the store read-only, then answer jobs until EOF."""
    try:
        store: ox.Store | None = ox.Store.read_only(store_path)
        failure = ""
    except OSError as err:
        store, failure = None, f"cannot open the store at {store_path}: {err}"
    union = store is not None and materialised_union(store)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        conn.send(_answer(store, job, failure, union))


def _answer(store: ox.Store | None, job: Job, failure: str, union: bool) -> tuple[str, Any]:
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

    def stop(self) -> None:
        """Kill the process at once (SIGKILL): the only way to stop a running query."""
        self.process.kill()
        self.process.join(5)
        self.conn.close()
        self.process.close()


class WorkerPool:
    """``size`` worker processes over the store at ``store_path``, each query with a deadline."""

    def __init__(self, store_path: Path, size: int = 2, timeout: float = 30.0) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(_Worker(store_path))

    def run(self, job: Job) -> Answer:
        """Run ``job`` on an idle worker; raise QueryTimeout past the deadline."""
        try:
            # Waiting for a free worker is bounded too, so a flood of slow queries
            # answers "busy" rather than piling up threads.
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise StoreUnavailable("all query workers are busy; try again shortly") from None
        if not worker.process.is_alive():  # died while idle (OOM killer, an operator)
            worker = self._replace(worker)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                worker = self._replace(worker)
                raise QueryTimeout(
                    f"query stopped after the time limit of {self.timeout:g} s; "
                    "narrow it down (LIMIT, more specific patterns) and try again"
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError) as err:
            worker = self._replace(worker)
            raise StoreError(f"query worker failed: {err}") from err
        finally:
            self._give_back(worker)
        return _unpack(status, payload)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        return _Worker(self.store_path)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.stop()
            else:
                self._idle.put(worker)

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when they are given back."""
        with self._lock:
            self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


def _unpack(status: str, payload: Any) -> Answer:
    """A worker's reply: the Answer, or the typed error it stands for."""
    if status == "ok":
        return payload
    if status == "query":
        raise QueryError(payload)
    raise StoreError(payload)
