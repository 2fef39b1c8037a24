"""STAGE 4: where published graphs live, behind one small interface.

``Store`` is what the pipeline and the web app need: replace a report's named graph,
run SPARQL, and tell the dataset's version (for caches and ETags). The default graph seen
by queries is the union of all named graphs (one per report).

``OxigraphStore`` is the embedded default (pyoxigraph, in memory or on disk).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from publisher.errors import QueryError, StoreError
from publisher.settings import Settings

Row = dict[str, Identifier]


class Store(Protocol):
    """What every store offers the pipeline and the site."""

    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> None:
        """Replace the named graph ``graph_iri`` by ``graph`` (atomically where supported)."""

    def remove_graph(self, graph_iri: URIRef) -> None:
        """Withdraw the named graph ``graph_iri``."""

    def graphs(self) -> list[URIRef]:
        """The named graphs in the store."""

    def select(self, query: str, bindings: dict[str, Identifier] | None = None) -> list[Row]:
        """Run a SELECT; rows map variable names to rdflib terms (unbound ones left out)."""

    def ask(self, query: str, bindings: dict[str, Identifier] | None = None) -> bool:
        """Run an ASK."""

    def construct(self, query: str, bindings: dict[str, Identifier] | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE into an rdflib Graph."""

    def __len__(self) -> int:
        """Number of quads."""


def to_ox(term: Node) -> Any:
    """rdflib term -> pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"cannot convert {term!r} to a store term")


def from_ox(term: Any) -> Identifier:
    """pyoxigraph term -> rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise StoreError(f"cannot convert {term!r} to an rdflib term")


class OxigraphStore:
    """The embedded store: pyoxigraph in memory (``path=None``) or on disk."""

    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                self._store = ox.Store(str(path))
        except OSError as err:
            raise StoreError(f"cannot open the store at {path}: {err}") from err
        self.path = path

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for code that runs SPARQL on it directly."""
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

    def _run(self, query: str, bindings: dict[str, Identifier] | None) -> Any:
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self._store.query(
                query, use_default_graph_as_union=True, substitutions=substitutions
            )
        except SyntaxError as err:
            raise QueryError(f"malformed SPARQL query: {err}") from err
        except OSError as err:
            raise StoreError(f"store failed to answer: {err}") from err

    def select(self, query: str, bindings: dict[str, Identifier] | None = None) -> list[Row]:
        solutions = self._run(query, bindings)
        names = [v.value for v in solutions.variables]
        return [
            {n: from_ox(solution[n]) for n in names if solution[n] is not None}
            for solution in solutions
        ]

    def ask(self, query: str, bindings: dict[str, Identifier] | None = None) -> bool:
        return bool(self._run(query, bindings))

    def construct(self, query: str, bindings: dict[str, Identifier] | None = None) -> Graph:
        graph = Graph()
        for triple in self._run(query, bindings):
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return graph

    def quads(self) -> Iterator[Any]:
        """Every quad, as pyoxigraph ``Quad`` objects (for dumps)."""
        return iter(self._store.quads_for_pattern(None, None, None, None))

    def __len__(self) -> int:
        return len(self._store)


def open_store(settings: Settings) -> Store:
    """The published store named by ``settings`` (read-only for the embedded store)."""
    path = settings.data_dir / "current" / "store"
    if not path.is_dir():
        raise StoreError(f"no published store at {path}: run 'lotaip-lod build' first")
    return OxigraphStore(path, read_only=True)
