"""STAGE 4: where published graphs live, behind one small interface.

``Store`` is what the pipeline and the web app need: replace a report's named graph,
run SPARQL, and tell the dataset's version (for caches and ETags). The default graph seen
by queries is the union of all named graphs (one per report).

``OxigraphStore`` is the embedded default (pyoxigraph, in memory or on disk).
``PublishedStore`` is what readers (the web workers) use: the published version under
``DATA/current/store``, opened read-only and reopened when a build switches ``current``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Identifier, Node

from publisher.errors import QueryError, StoreError
from publisher.settings import Settings
from publisher.store.engine import InlineRunner, Runner
from publisher.store.pool import WorkerPool
from publisher.store.rdftext import canonical_literal as canonical_literal
from publisher.store.rdftext import canonical_ntriples as canonical_ntriples
from publisher.store.rdftext import from_ox, line_pieces, to_ox

Row = dict[str, Identifier]
#: A row of ``select_text``: variable name -> the value's lexical form or IRI.
TextRow = dict[str, str]


class Store(Protocol):
    """What every store offers the pipeline and the site."""

    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> None:
        """Replace the named graph ``graph_iri`` by ``graph`` (atomically where supported)."""

    def remove_graph(self, graph_iri: URIRef) -> None:
        """Withdraw the named graph ``graph_iri``."""

    def graphs(self) -> list[URIRef]:
        """The named graphs in the store."""

    def select(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> list[Row]:
        """Run a SELECT; rows map variable names to rdflib terms (unbound ones left out)."""

    def ask(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> bool:
        """Run an ASK."""

    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE into an rdflib Graph."""

    def put_ntriples(self, graph_iri: URIRef, ntriples: bytes) -> None:
        """Replace the named graph ``graph_iri`` by the N-Triples document ``ntriples``
        (never parsed into rdflib terms); a remote store marks no new version."""

    def drop_graph(self, graph_iri: URIRef) -> None:
        """Withdraw ``graph_iri`` (nothing happens when there is none); a remote store
        marks no new version."""

    def select_text(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[TextRow]:
        """Run a SELECT whose values are wanted as plain strings (lexical forms, IRIs)."""

    @property
    def version(self) -> str | None:
        """The published version's identifier (for caches of pages), or None when the
        store cannot name one (an embedded store written in place: nothing is cached)."""

    def dataset_version(self) -> str:
        """A string that changes whenever the data may have changed (keys the SPARQL
        endpoint's cache of answers and its ETags)."""

    def query_runner(self, settings: Settings) -> Runner:
        """What runs the endpoint's checked queries on this store, within ``settings``'
        limits: worker processes for a store on disk, the calling thread for one in
        memory, the server itself for a remote store."""

    def __len__(self) -> int:
        """Number of quads."""


class OxigraphStore:
    """The embedded store: pyoxigraph in memory (``path=None``) or on disk."""

    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as err:
            raise StoreError(f"cannot open the store at {path}: {err}") from err
        self.path = path
        self.read_only = read_only
        self._default_size: int | None = None  # cached when read-only

    def default_graph_size(self) -> int:
        """Triples in the store's own default graph (the materialised union, or 0)."""
        if self._default_size is not None:
            return self._default_size
        size = sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        if self.read_only:
            self._default_size = size
        return size

    def _has_union(self) -> bool:
        if self._default_size is not None:
            return self._default_size > 0
        default = self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        return next(iter(default), None) is not None

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for tests and benchmarks that set up or inspect data
        with pyoxigraph itself; the package goes through this class's methods."""
        return self._store

    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> None:
        name = ox.NamedNode(str(graph_iri))
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph]
        # pyoxigraph applies remove + extend as separate transactions; readers of an
        # on-disk store never see this because publishing swaps whole store versions.
        if self._store.contains_named_graph(name):
            self._store.remove_graph(name)
        self._store.extend(quads)
        self._store.add_graph(name)

    def remove_graph(self, graph_iri: URIRef) -> None:
        name = ox.NamedNode(str(graph_iri))
        if self._store.contains_named_graph(name):
            self._store.remove_graph(name)

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs())

    def _run(self, query: str, bindings: Mapping[str, Identifier] | None) -> Any:
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self._store.query(
                query,
                use_default_graph_as_union=not self._has_union(),
                substitutions=substitutions,
            )
        except SyntaxError as err:
            raise QueryError(f"malformed SPARQL query: {err}") from err
        except OSError as err:
            raise StoreError(f"store failed to answer: {err}") from err

    def select(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> list[Row]:
        solutions = self._run(query, bindings)
        names = [v.value for v in solutions.variables]
        return [
            {n: from_ox(solution[n]) for n in names if solution[n] is not None}
            for solution in solutions
        ]

    def ask(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> bool:
        return bool(self._run(query, bindings))

    def select_text(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[TextRow]:
        """A SELECT read as plain strings straight from pyoxigraph's terms: making rdflib
        terms of every cell (``select``) took three quarters of the time of a large table.
        The default graph is the union of the named graphs, as ``tidy`` queries expect."""
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            solutions = self._store.query(
                query, use_default_graph_as_union=True, substitutions=substitutions
            )
        except (SyntaxError, OSError, RuntimeError) as err:
            raise QueryError(f"tidy table query failed: {err}") from err
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("the tidy table query did not answer with solutions")
        names = [v.value for v in solutions.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]

    @property
    def version(self) -> str | None:
        """None: a store written in place has no published version to name."""
        return None

    def dataset_version(self) -> str:
        """On disk: the folder and its newest file's mtime (a store written in place
        touches its newest file, RocksDB's log); in memory: this object and its size."""
        if self.path is None:
            return f"memory:{id(self)}:{len(self)}"
        real = self.path.resolve()
        try:
            latest = max((f.stat().st_mtime_ns for f in real.iterdir()), default=0)
        except OSError as err:
            raise StoreError(f"cannot read the store at {real}: {err}") from err
        return f"{real}@{latest}"

    def query_runner(self, settings: Settings) -> Runner:
        if self.path is None:
            return InlineRunner(self._store)
        return _worker_pool(self.path.resolve(), settings)

    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        graph = Graph()
        for triple in self._run(query, bindings):
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return graph

    def quads(self) -> Iterator[Any]:
        """Every quad of the named graphs, as pyoxigraph ``Quad`` objects (for dumps)."""
        return (
            q
            for q in self._store.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, ox.DefaultGraph)
        )

    def load_graph(self, graph_iri: URIRef, graph: Iterable[tuple[Node, Node, Node]]) -> int:
        """Add ``graph``'s triples to the named graph ``graph_iri`` with the bulk loader.

        Faster than ``replace_graph`` but not transactional: only for a store that no
        reader sees yet (a build writes a fresh version, then publishes it whole).
        Returns the number of triples given.
        """
        name = ox.NamedNode(str(graph_iri))
        count = 0

        def quads() -> Iterator[Any]:
            nonlocal count
            for s, p, o in graph:
                count += 1
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)

        try:
            self._store.bulk_extend(quads())
            self._store.add_graph(name)
        except OSError as err:
            raise StoreError(f"cannot write graph {graph_iri} to {self.path}: {err}") from err
        return count

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write every quad of the named graphs (a quad format) to ``output``."""
        try:
            ox.serialize(self.quads(), output, format)
        except OSError as err:
            raise StoreError(f"cannot dump the store at {self.path}: {err}") from err

    def flush(self) -> None:
        """Make every write durable on disk."""
        self._store.flush()

    # -- the build's operations (``BuildStore``): only on a version no reader sees yet ---

    @classmethod
    def checkpoint(cls, source: Path, path: Path) -> OxigraphStore:
        """A writable copy at ``path`` of the store at ``source``: a checkpoint, hard links
        to the source's immutable files (cheap whatever the store's size)."""
        try:
            ox.Store.read_only(str(source)).backup(str(path))
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot copy the store at {source}: {err}") from err
        return cls(path)

    def put_ntriples(self, graph_iri: URIRef, ntriples: bytes) -> None:
        """Replace the named graph ``graph_iri`` by the N-Triples document ``ntriples``
        (checked as it loads: any caller's text)."""
        self.drop_graph(graph_iri)
        self._add_triples(ntriples, str(graph_iri), lenient=False)
        self._store.add_graph(ox.NamedNode(str(graph_iri)))

    def drop_graph(self, graph_iri: URIRef) -> None:
        """Withdraw the named graph ``graph_iri`` (nothing happens when there is none)."""
        self.remove_graph(graph_iri)

    def graph_ntriples(self, graph_iri: str | None) -> bytes:
        """The triples of the named graph ``graph_iri`` (None: the store's own default
        graph) as N-Triples (empty if none)."""
        try:
            name = _graph_name(graph_iri)
            dump = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        except OSError as err:
            raise StoreError(f"cannot read the store at {self.path}: {err}") from err
        return dump or b""

    def add_triples(self, ntriples: bytes, graph: str | None = None) -> None:
        """Add the build's N-Triples lines to the named graph ``graph`` (the store's own
        default graph when None) with the bulk loader; a graph is a set, so lines it holds
        already change nothing."""
        self._add_triples(ntriples, graph, lenient=True)

    def _add_triples(self, ntriples: bytes, graph: str | None, lenient: bool) -> None:
        if not ntriples:
            return
        try:
            self._store.bulk_load(
                ntriples, ox.RdfFormat.N_TRIPLES, to_graph=_graph_name(graph), lenient=lenient
            )
        except (OSError, SyntaxError) as err:
            raise StoreError(f"cannot write to the store at {self.path}: {err}") from err

    def remove_triples(self, ntriples: bytes, graph: str | None = None) -> None:
        """Remove each triple of the N-Triples lines from ``graph`` (None: the default graph).

        The lines go to the store as one ``DELETE DATA`` update, parsed and removed in one
        transaction without a Python object a triple: a month's update removes ~250,000
        lines from the default graph, and one ``remove`` call a triple took 2.5 times as
        long there (docs/performance.md). ``DELETE DATA`` takes no blank nodes, so lines
        with one are removed a triple at a time (the build's own lines have none).
        """
        if not ntriples:
            return
        if b"_:" in ntriples:
            name = _graph_name(graph)
            for triple in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES):
                self._store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, name))
            return
        # N-Triples lines are SPARQL triples as they stand (escapes included); a piece at
        # a time, as the parsed update holds every triple of its text
        for piece in line_pieces(ntriples, REMOVE_PIECE):
            lines = piece.decode("utf-8")
            body = lines if graph is None else f"GRAPH <{graph}> {{\n{lines}\n}}"
            try:
                self._store.update(f"DELETE DATA {{\n{body}\n}}")
            except (OSError, SyntaxError) as err:
                where = f"the store at {self.path}"
                raise StoreError(f"cannot remove lines from {where}: {err}") from err

    def drop_unstated(self, ntriples: bytes, graph: str | None, stating: Set[str]) -> int:
        """Remove from ``graph`` (None: the default graph) each triple of ``ntriples`` that
        no named graph of ``stating`` states any more; return how many were removed."""
        nodes = {ox.NamedNode(iri) for iri in stating}  # compared in Rust, no str per quad
        if not nodes:  # nothing to ask: every line goes (an institution's own lines)
            self.remove_triples(ntriples, graph)
            return ntriples.count(b"\n")
        # A few graphs: a point lookup in each (~3 µs); many: one scan of the triple's
        # quads in every graph (~80 µs a triple in a national store: each quad's terms
        # are decoded).
        few = len(nodes) <= FEW_GRAPHS
        unstated = []
        for triple in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES):
            s, p, o = triple.subject, triple.predicate, triple.object
            if few:
                stated = any(ox.Quad(s, p, o, node) in self._store for node in nodes)
            else:
                stated = any(q.graph_name in nodes for q in self._store.quads_for_pattern(s, p, o))
            if not stated:
                unstated.append(f"{triple} .\n")
        self.remove_triples("".join(unstated).encode("utf-8"), graph)
        return len(unstated)

    def clear_graph(self, graph: str | None = None) -> None:
        """Empty ``graph`` (None: the store's own default graph, the materialised union)."""
        self._store.clear_graph(_graph_name(graph))

    def load_trig(self, trig: bytes, graphs: Iterable[str] = ()) -> None:
        """Bulk-load TriG; each of ``graphs`` exists afterwards, even when empty."""
        try:
            if trig:
                self._store.bulk_load(trig, ox.RdfFormat.TRIG, lenient=True)
            for name in graphs:
                self._store.add_graph(ox.NamedNode(name))
        except (OSError, SyntaxError) as err:
            raise StoreError(f"cannot write to the store at {self.path}: {err}") from err

    def bulk_loader(self, batch: int) -> GraphLoader:
        """A loader that writes graphs to this store in batches of ``batch`` bytes."""
        return GraphLoader(self, batch)

    def __len__(self) -> int:
        """Quads in the named graphs (the materialised union is not counted again)."""
        return len(self._store) - self.default_graph_size()


#: ``remove_triples`` sends this many bytes of lines an update at most.
REMOVE_PIECE = 16 << 20
#: Up to this many stating graphs, ``drop_unstated`` looks a triple up in each of them.
FEW_GRAPHS = 32


def _graph_name(graph: str | None) -> Any:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


class BuildStore(Protocol):
    """What a build does to the store of a version no reader sees yet (the embedded store):
    bulk loads and line-by-line changes, faster than ``Store``'s transactional writes.

    The text a build loads is its own: lines pyoxigraph wrote from terms it checked (the
    mapper's, ``canonical_ntriples``), each report's parsed strictly again by the SHACL
    engine in the workers. So ``load_trig`` and ``add_triples`` skip the loader's own
    checks of IRIs and language tags, ~20 % of a load's CPU (``bench_loader.py``).
    """

    def graphs(self) -> list[URIRef]:
        """The named graphs in the store."""

    def graph_ntriples(self, graph_iri: str | None) -> bytes:
        """The triples of a graph as N-Triples (None: the default graph)."""

    def drop_graph(self, graph_iri: URIRef) -> None:
        """Withdraw a named graph."""

    def bulk_loader(self, batch: int) -> GraphLoader:
        """A batching loader of whole graphs (N-Triples each)."""

    def load_trig(self, trig: bytes, graphs: Iterable[str] = ()) -> None:
        """Bulk-load TriG; each of ``graphs`` exists afterwards."""

    def add_triples(self, ntriples: bytes, graph: str | None = None) -> None:
        """Add N-Triples lines to a graph (None: the default graph)."""

    def remove_triples(self, ntriples: bytes, graph: str | None = None) -> None:
        """Remove N-Triples lines from a graph (None: the default graph)."""

    def drop_unstated(self, ntriples: bytes, graph: str | None, stating: Set[str]) -> int:
        """Remove the lines no graph of ``stating`` states from a graph."""

    def clear_graph(self, graph: str | None = None) -> None:
        """Empty a graph (None: the default graph)."""

    def flush(self) -> None:
        """Make every write durable."""


#: A load is filled in pieces of at most a batch over this (``GraphLoader``, the build's
#: current state), so that it stays under ``1 + 1 / PIECES_A_BATCH`` batches.
PIECES_A_BATCH = 4


class GraphLoader:
    """Loads whole graphs, each given as its N-Triples lines, with the bulk loader.

    pyoxigraph's bulk loader writes new files on every call, so graphs wait in a bounded
    buffer (``batch`` bytes) and go in together, as TriG: each graph's lines in a block
    ``<graph> { … }`` (an N-Triples line is a TriG statement as it stands). A build holds
    every report's triples as N-Triples already (SHACL reads them, the history graph
    compares them): as N-Quads they were rewritten twice a report, with the graph's IRI
    added to every line and taken off again, ~2 ms a report on the build's busiest thread.
    TriG loads as fast (docs/performance.md, ninth session).

    A full batch loads on a thread of its own while the next one fills: pyoxigraph lets
    go of the GIL while it loads, so the build reads the next reports' results meanwhile
    (at most one batch loads at a time). ``flush`` waits for every load, and is called
    before any other write to the store (the bulk loader is not meant to run beside
    other writes). Only for a version no reader sees.
    """

    def __init__(self, store: BuildStore, batch: int) -> None:
        self.store = store
        self.batch = batch
        self._chunks: list[bytes] = []
        self._size = 0
        self._names: list[str] = []
        self._loading: Future[None] | None = None
        self._thread: ThreadPoolExecutor | None = None  # from the first load to flush
        #: Wall seconds the store spent in bulk loads (on the loader's thread).
        self.seconds = 0.0

    def add(self, graph_iri: str, ntriples: bytes) -> None:
        """Queue one graph's triples, N-Triples lines (a graph is a set: triples it holds
        already are kept once). A graph larger than a quarter of a batch goes in pieces of
        that size: a national corpus graph is hundreds of megabytes, and a load holds ~5
        times its bytes while it runs, so a load stays under 1.25 batches (whole-batch
        pieces made loads of up to two batches: +280 MiB in a national build's peak)."""
        # The bulk load names every graph it loads quads into; only an empty graph is
        # named by a write of its own. Such writes wait whenever RocksDB holds writes back
        # while it compacts the loads' files: one a report cost a national build minutes.
        if not ntriples:
            self._names.append(graph_iri)
        opening = f"<{graph_iri}> {{\n".encode()
        for piece in line_pieces(ntriples, self.batch // PIECES_A_BATCH):
            self._queue(opening, piece)

    def _queue(self, opening: bytes, ntriples: bytes) -> None:
        self._chunks += (opening, ntriples, b"}\n")
        self._size += len(ntriples)
        if self._size >= self.batch:
            self._send()

    def _send(self) -> None:
        """Start loading what is queued, once the batch loading before it is in."""
        trig, names = b"".join(self._chunks), list(dict.fromkeys(self._names))
        self._chunks, self._names, self._size = [], [], 0
        self._wait()
        if trig or names:
            if self._thread is None:
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-load")
            self._loading = self._thread.submit(self._load, trig, names)

    def _load(self, trig: bytes, names: list[str]) -> None:
        started = time.perf_counter()
        self.store.load_trig(trig, names)
        self.seconds += time.perf_counter() - started

    def _wait(self) -> None:
        loading, self._loading = self._loading, None
        if loading is not None:
            loading.result()  # a load's error is raised here, in the build's thread

    def flush(self) -> None:
        """Write every queued graph, and wait until every load is in the store (its
        thread ends; a later ``add`` starts another)."""
        try:
            self._send()
            self._wait()
        finally:
            if self._thread is not None:
                self._thread.shutdown()
                self._thread = None


class PublishedStore:
    """The published version of an on-disk data folder, read-only.

    ``DATA/current`` is a symlink to ``versions/<id>``; a build replaces it atomically.
    Each call reads the link (a cheap ``readlink``) and reopens the store when it points
    to a new version, so long-lived readers pick up a new build without a restart.
    Writes raise ``StoreError``.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._target: str | None = None
        self._store: OxigraphStore | None = None
        self._current()  # fail now, with a clear message, when nothing is published

    def _current(self) -> OxigraphStore:
        link = self.data_dir / "current"
        try:
            target = str(link.readlink())
        except OSError as err:
            raise StoreError(
                f"no published data at {link}: run 'lotaip-lod build --out {self.data_dir}'"
            ) from err
        with self._lock:
            if target != self._target or self._store is None:
                self._store = _open_version(link.parent / target / "store")
                self._target = target
            return self._store

    @property
    def version(self) -> str:
        """Identifier of the published version being read (for caches and ETags)."""
        self._current()
        return Path(self._target or "").name

    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> None:
        raise StoreError(f"the published store under {self.data_dir} is read-only")

    def remove_graph(self, graph_iri: URIRef) -> None:
        raise StoreError(f"the published store under {self.data_dir} is read-only")

    def put_ntriples(self, graph_iri: URIRef, ntriples: bytes) -> None:
        raise StoreError(f"the published store under {self.data_dir} is read-only")

    def drop_graph(self, graph_iri: URIRef) -> None:
        raise StoreError(f"the published store under {self.data_dir} is read-only")

    def dataset_version(self) -> str:
        return self.version

    def query_runner(self, settings: Settings) -> Runner:
        """Worker processes on the version published now (a new runner is asked for when
        the version changes)."""
        return _worker_pool((self.data_dir / "current" / "store").resolve(), settings)

    def select_text(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[TextRow]:
        return self._current().select_text(query, bindings)

    def graphs(self) -> list[URIRef]:
        return self._current().graphs()

    def select(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> list[Row]:
        return self._current().select(query, bindings)

    def ask(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> bool:
        return self._current().ask(query, bindings)

    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        return self._current().construct(query, bindings)

    def __len__(self) -> int:
        return len(self._current())


def _worker_pool(path: Path, settings: Settings) -> WorkerPool:
    return WorkerPool(
        path,
        size=settings.sparql_workers,
        timeout=settings.query_timeout,
        fast_budget=settings.sparql_fast_budget,
        slow_slots=settings.sparql_slow_queries,
    )


def _open_version(path: Path) -> OxigraphStore:
    """Open one published version's store read-only, or explain why it cannot be read."""
    if not path.is_dir():
        raise StoreError(f"published store missing at {path}: rebuild with 'lotaip-lod build'")
    try:
        return OxigraphStore(path, read_only=True)
    except (StoreError, RuntimeError) as err:  # pyoxigraph reports corruption as RuntimeError
        raise StoreError(f"published store at {path} is unreadable (corrupt?): {err}") from err


def _open_embedded(settings: Settings) -> Store:
    return PublishedStore(settings.data_dir)


def _open_remote(settings: Settings) -> Store:
    from publisher.store.remote import (
        RemoteStore,  # imported here: only remote setups need requests
    )

    return RemoteStore.from_settings(settings)


#: Store kinds (``Settings.store``) and how to open the published data for each.
STORES: dict[str, Callable[[Settings], Store]] = {
    "oxigraph": _open_embedded,
    "sparql": _open_remote,
}


def open_store(settings: Settings) -> Store:
    """The published store named by ``settings`` (read-only for the embedded store)."""
    try:
        opener = STORES[settings.store]
    except KeyError as err:
        raise StoreError(f"unknown store kind {settings.store!r}") from err
    return opener(settings)
