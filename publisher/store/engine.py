"""Run one checked query on a pyoxigraph store and serialise its answer.

``execute`` is the whole job of a query worker: it is a plain function of a store and
a ``QueryJob`` so that the worker process and the in-process runner share it. The answer is
already serialised (bytes), so only bytes cross the process boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol

import pyoxigraph as ox

from publisher.errors import QueryError, StoreError
from publisher.store.results import (
    BY_NAME,
    RDF_FORMATS,
    TABLE_WRITERS,
    boolean,
    truncation_note,
)
from publisher.vocab import PREFIXES


@dataclass(frozen=True)
class QueryJob:
    """A checked query and how to answer it."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    format: str  # a name in results.FORMATS
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None  # resolves relative IRIs; the protocol suggests the endpoint


@dataclass(frozen=True)
class Answer:
    """A serialised answer: its body, media type, and whether the row limit cut it."""

    body: bytes
    media_type: str
    rows: int
    truncated: bool = False


def materialised_union(store: ox.Store) -> bool:
    """True when the store's own default graph holds data (the build's merged union).

    pyoxigraph's ``use_default_graph_as_union`` is a bag: a triple present in several
    reports' graphs (an institution's name, its units) comes back once per graph, which
    inflates counts. A default graph written by the build with distinct triples gives
    the set the SPARQL merge means; without one we fall back to the union flag.
    """
    return (
        next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    )


def _dataset(job: QueryJob, union_in_default: bool) -> dict[str, Any]:
    """pyoxigraph query options for the protocol's dataset parameters."""
    if not job.default_graphs and not job.named_graphs:
        # The default graph is the union of every report's graph, unless the query's own
        # FROM/FROM NAMED say otherwise (pyoxigraph honours those itself).
        return {} if union_in_default else {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(g) for g in job.default_graphs],
        "named_graphs": [ox.NamedNode(g) for g in job.named_graphs],
    }


def execute(store: ox.Store, job: QueryJob, union_in_default: bool = False) -> Answer:
    """Run ``job`` on ``store``; raise SyntaxError/OSError as pyoxigraph does.

    ``union_in_default``: the store's default graph already holds the merged union
    (see ``materialised_union``).
    """
    options = _dataset(job, union_in_default)
    result: Any = store.query(job.text, base_iri=job.base_iri, **options)
    media_type = BY_NAME[job.format].media_type
    if job.form == "ASK":
        return Answer(boolean(bool(result), job.format), media_type, rows=1)
    head = list(islice(result, job.max_rows + 1))
    truncated = len(head) > job.max_rows
    head = head[: job.max_rows]
    cut_at = job.max_rows if truncated else None
    if job.form == "SELECT":
        names = [v.value for v in result.variables]
        rows = [[solution[n] for n in names] for solution in head]
        body = TABLE_WRITERS[job.format](names, rows, cut_at)
    else:
        prefixes = _used_prefixes(head)
        body = ox.serialize(head, format=RDF_FORMATS[job.format], prefixes=prefixes) or b""
        if cut_at is not None and job.format in _COMMENTED:
            body = f"# {truncation_note(cut_at)}\n".encode() + body
    return Answer(body, media_type, rows=len(head), truncated=truncated)


#: graph formats where a leading ``#`` line is a comment (JSON-LD, RDF/XML: header only)
_COMMENTED = ("turtle", "nt")


def _used_prefixes(triples: list[Any]) -> dict[str, str]:
    """The PREFIXES whose namespace some IRI in ``triples`` starts with (no noise in Turtle)."""
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    }
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


class Runner(Protocol):
    """Something that runs a QueryJob to an Answer (a store's ``query_runner``)."""

    def run(self, job: QueryJob) -> Answer:
        """Run ``job``."""

    def close(self) -> None:
        """Release processes or handles."""


class InlineRunner:
    """Runs jobs on a pyoxigraph store in the calling thread (in-memory stores only)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def run(self, job: QueryJob) -> Answer:
        try:
            return execute(self.store, job, materialised_union(self.store))
        except SyntaxError as err:
            raise QueryError(f"malformed SPARQL query: {err}") from err
        except OSError as err:
            raise StoreError(f"the store failed to answer: {err}") from err

    def close(self) -> None:
        """Nothing to release."""
