"""The query service behind ``/sparql``: check, cache, run with limits.

``QueryService.run`` checks the text (``check.py``), answers from the cache when the
same request was answered on the same dataset version, and otherwise runs it with the
store's own runner (``Store.query_runner``): in worker processes for a store on disk (a
deadline that really stops the work), in the calling thread for an in-memory store (tests
and small embedded uses: there the time limit cannot be enforced, since the data lives
only in this process), or forwarded to a remote store's server. One cache and one ETag scheme for
every store: the key starts with ``dataset_version``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from publisher.errors import QueryError
from publisher.query.check import check_query
from publisher.settings import Settings
from publisher.store.embedded import Store
from publisher.store.engine import Answer, QueryJob, Runner
from publisher.store.results import BY_NAME

CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Prepared:
    """A checked query ready to run: the job, the dataset version, cache key and ETag (unquoted)."""

    job: QueryJob
    version: str
    key: str
    etag: str


@dataclass(frozen=True)
class Outcome:
    """An answer with the validator that identifies it, and whether it came from the cache."""

    answer: Answer
    etag: str
    cached: bool


def dataset_version(store: Store) -> str:
    """A string that changes whenever the published data may have changed (the store's
    own ``dataset_version``): the key of every cached answer and ETag starts with it."""
    return store.dataset_version()


class ResultCache:
    """Serialised answers by request key, least recently used out first, bounded in bytes."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Answer | None:
        """The answer stored under ``key``, if any."""
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                self._items.move_to_end(key)
            return answer

    def put(self, key: str, answer: Answer) -> None:
        """Keep ``answer`` unless it alone is bigger than a quarter of the cache."""
        if len(answer.body) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = answer
            self._size += len(answer.body)
            while self._size > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._size -= len(old.body)


class QueryService:
    """Checks, caches and runs SPARQL queries against ``store`` within ``settings``' limits."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.cache = ResultCache()
        self._runner: Runner | None = None
        self._runner_version = ""
        self._lock = threading.Lock()

    def prepare(
        self,
        text: str,
        fmt: str,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        base_iri: str | None = None,
    ) -> Prepared:
        """Check ``text`` and name its answer in format ``fmt`` (a name in results.FORMATS).

        The ETag is known before anything runs, so a client revalidating gets its 304
        without touching the store.
        """
        checked = check_query(text, self.settings.max_query_bytes)
        kind = "graph" if checked.is_graph else "table"
        if BY_NAME[fmt].kind != kind:
            raise QueryError(f"format {fmt!r} cannot carry the answer of a {checked.form} query")
        job = QueryJob(
            checked.text,
            checked.form,
            fmt,
            self.settings.max_rows,
            default_graphs,
            named_graphs,
            base_iri,
        )
        version = dataset_version(self.store)
        key = f"{version}\0{job!r}"
        etag = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return Prepared(job, version, key, etag)

    def answer(self, prepared: Prepared) -> Outcome:
        """The answer to a prepared query, from the cache or from the engine."""
        answer = self.cache.get(prepared.key)
        if answer is not None:
            return Outcome(answer, prepared.etag, cached=True)
        answer = self._runner_for(prepared.version).run(prepared.job)
        self.cache.put(prepared.key, answer)
        return Outcome(answer, prepared.etag, cached=False)

    def run(
        self,
        text: str,
        fmt: str,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> Outcome:
        """Check and answer ``text`` in one call."""
        return self.answer(self.prepare(text, fmt, default_graphs, named_graphs))

    def start(self) -> None:
        """Start the query workers now rather than at the first query, which would
        otherwise wait for them."""
        self._runner_for(dataset_version(self.store))

    def _runner_for(self, version: str) -> Runner:
        with self._lock:
            if self._runner is None or version != self._runner_version:
                old, self._runner = self._runner, self._new_runner()
                self._runner_version = version
                if old is not None:
                    old.close()
            return self._runner

    def _new_runner(self) -> Runner:
        return self.store.query_runner(self.settings)

    def close(self) -> None:
        """Stop the worker processes."""
        with self._lock:
            if self._runner is not None:
                self._runner.close()
                self._runner = None
