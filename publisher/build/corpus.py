"""The corpus graphs of a build, assembled from what each report contributes.

Besides one named graph per report, a version holds graphs over the whole corpus: the
ontology, the links (``link.py``), the reference data (``registry.py``) and the quality
measurements (``quality.py``). Each report's contribution to them (``ReportPart``: its
links and measurements as canonical N-Triples, its institution and shares) is made once,
when the report is built, and every report's part is kept in one file of the version
(``PARTS``); a rebuild assembles the corpus graphs from the kept parts, so it parses,
maps and matches only the reports it builds.

A corpus graph is held as canonical N-Triples (terms as the store gives them back,
distinct lines, sorted), so the same inputs give the same bytes whichever build made
them, and a rebuild can load just the lines that changed (``pipeline.py``).
"""

from __future__ import annotations

import functools
import heapq
import io
import itertools
import operator
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from rdflib.term import Node
from zlib_ng import gzip_ng

from publisher.build import changes, current, publish
from publisher.build.workers import SNAPSHOT, VALIDATION, read_kept
from publisher.enrichment import quality
from publisher.enrichment.link import (
    Reference,
    links_graph_iri,
    links_header,
    linksets_graph,
    report_links,
)
from publisher.enrichment.registry import reference_graph, reference_graph_iri
from publisher.errors import StoreError
from publisher.mapping.rdf import ontology_graph
from publisher.records import Report
from publisher.store.rdftext import TermTriple, iri_value, parse_ntriples
from publisher.store.rdftext import canonical_ntriples as store_ntriples
from publisher.uris import Urls
from publisher.vocab import LOTAIP

#: Our own cache files: the newest pickle protocol.
PICKLE = pickle.HIGHEST_PROTOCOL


@dataclass(frozen=True)
class ReportPart:
    """What the corpus graphs take from one report."""

    institution: str  # registry id
    links: bytes  # the report's links (``link.report_links``), canonical N-Triples
    quality: quality.ReportQuality
    measurements: bytes  # the report's quality measurements, canonical N-Triples
    graph: str = ""  # the report's named graph
    issued: str | None = None  # its information date (ISO): decides the current report
    #: the digest of its units and numeric targets (``changes.Snapshot``), which are kept
    #: in an entry of their own (``SNAPSHOT``): read only when compared with the next
    #: report's, so that a build holds 24,000 reports' parts in memory, not their targets
    snapshot_digest: str | None = None


@dataclass(frozen=True)
class CorpusGraph:
    """One corpus graph: its name, its triples (canonical N-Triples) and its title."""

    iri: str
    ntriples: bytes
    title: str | None

    @property
    def triples(self) -> int:
        """Number of triples (one a line)."""
        return self.ntriples.count(b"\n")


def report_part(
    report: Report, urls: Urls, reference: Reference, snapshot: changes.Snapshot | None = None
) -> ReportPart:
    """The report's contribution to the corpus graphs (``snapshot``: its units and
    targets for the graph of changes, made from its graph)."""
    shares = quality.report_quality(report, urls)
    measurements = quality.measurement_triples(shares.subject, shares.shares)
    links = report_links(report, urls, reference)
    updated = report.metadata.updated
    return ReportPart(
        report.institution.id,
        canonical_ntriples(links),
        shares,
        canonical_ntriples(measurements),
        str(shares.subject),
        updated.isoformat() if updated is not None else None,
        snapshot.digest if snapshot is not None else None,
    )


@functools.cache
def shipped_reference() -> Reference:
    """The shipped registry and rules, read once per process (a worker builds many reports)."""
    return Reference.load()


def report_parts(
    sha256: str,
    report: Report,
    urls: Urls,
    graph_iri: str,
    results: bytes,
    triples: Iterable[TermTriple],
) -> tuple[ReportPart, dict[str, bytes]]:
    """The report's part of the corpus graphs, and the entries of its kept file
    (``workers.write_kept``) made here: its snapshot for the graph of changes (made from
    ``triples``, its graph) and its part of ``validation.ttl`` (its SHACL ``results``,
    N-Triples). The part itself goes back to the parent, which keeps every report's
    (``write_parts``)."""
    snapshot = changes.snapshot(triples)
    part = report_part(report, urls, shipped_reference(), snapshot)
    return part, {
        SNAPSHOT: pickle.dumps(snapshot, PICKLE),
        VALIDATION: publish.validation_part(graph_iri, results, f"r{sha256[:16]}"),
    }


def read_snapshot(cache_dir: Path, sha256: str) -> changes.Snapshot:
    """The snapshot kept with the report whose bytes hash to ``sha256``."""
    (data,) = read_kept(cache_dir, sha256, SNAPSHOT)
    # our own files, written by this build or the published one: not untrusted input
    snapshot: changes.Snapshot = pickle.loads(data)
    return snapshot


#: The file of a version's ``corpus/`` folder keeping every report's part (sha256 of the
#: report's bytes -> ``ReportPart``), gzip-compressed pickle. One file, not an entry of
#: each report's kept file: a national month carries 24,000 reports' parts, and reading
#: them from 24,000 small files took its parts thread 9-13 CPU-s and, on a cold disk,
#: 10-70 s; this file (~24 MB) is read in under a second (docs/performance.md).
PARTS = "parts.pickle.gz"


def write_parts(path: Path, parts: Mapping[str, ReportPart]) -> None:
    """Keep ``parts`` (sha256 -> the report's part) in ``path``, streamed: a national
    corpus's parts pickle to ~300 MB, never held whole."""
    try:
        with gzip_ng.open(path, "wb", compresslevel=1) as packed:  # 12x smaller, 0.6 s
            pickle.dump(dict(parts), packed, PICKLE)
    except OSError as err:
        raise StoreError(f"cannot write the reports' parts to {path}: {err}") from err


def read_parts(path: Path) -> dict[str, ReportPart]:
    """The parts ``write_parts`` kept in ``path`` (sha256 -> the report's part)."""
    try:
        with gzip_ng.open(path, "rb") as packed:
            # our own file, written by the published version: not untrusted input
            parts: dict[str, ReportPart] = pickle.load(packed)
    except (OSError, EOFError, pickle.UnpicklingError) as err:
        raise StoreError(f"cannot read the reports' parts kept in {path}: {err}") from err
    return parts


def canonical_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """``triples`` as N-Triples written as the store gives them back (canonical literals:
    ``store.canonical_ntriples``), distinct and sorted."""
    return sorted_lines(store_ntriples(triples))


def sorted_lines(*chunks: bytes) -> bytes:
    """The distinct lines of N-Triples ``chunks``, sorted (one graph, one spelling)."""
    lines = {line for chunk in chunks for line in chunk.splitlines(keepends=True)}
    return b"".join(sorted(lines))


def merged_lines(*chunks: bytes) -> bytes:
    """``sorted_lines`` of chunks that are each sorted already (as ``sorted_lines`` and
    ``canonical_ntriples`` give them), merged as they stream: memory holds the result and
    one piece of a chunk as line objects, not every line (a national year's quality graph
    is over a million lines, 400 MB more as a set). Raises ``ValueError`` on a chunk out of
    order.

    The merge takes from the chunk with the least line all its lines below the next
    chunk's least line at once (found by bisection, checked in C), not line by line: most
    chunks are one report's lines about its own nodes, which no other chunk's lines fall
    between, so each is copied whole (docs/performance.md, tenth session)."""
    out = io.BytesIO()
    last = b""  # the last line written
    # an institution's links are the same chunk month after month: each is merged once
    chunks = tuple(dict.fromkeys(chunk for chunk in chunks if chunk))
    # (a chunk's least line not yet written, the chunk's index, where that line starts)
    heap = [(_line_at(chunk, 0), index, 0) for index, chunk in enumerate(chunks)]
    heapq.heapify(heap)
    while heap:
        head, index, start = heap[0]
        chunk = chunks[index]
        # every line of this chunk below the least line of the others goes in one piece
        # (the second least head of a heap is one of the root's two children)
        end = _first_line_from(chunk, min(heap[1:3])[0], start) if len(heap) > 1 else len(chunk)
        end = max(end, start + len(head))  # an equal head: one line, kept once below
        lines = _distinct_lines(chunk[start:end])
        if lines[0] <= last:
            if lines[0] < last:
                raise ValueError(f"merged_lines: a chunk is not sorted at {lines[0][:80]!r}")
            del lines[0]  # written already, from another chunk
        out.write(b"".join(lines))
        last = lines[-1] if lines else last
        if end < len(chunk):
            heapq.heapreplace(heap, (_line_at(chunk, end), index, end))
        else:
            heapq.heappop(heap)
    return out.getvalue()


def _line_at(text: bytes, start: int) -> bytes:
    """The line of ``text`` that starts at ``start``, with its line break."""
    return text[start : text.find(b"\n", start) + 1 or len(text)]


def _distinct_lines(piece: bytes) -> list[bytes]:
    """The lines of a piece of a sorted chunk, each once; raises ``ValueError`` when the
    piece is out of order (the comparisons run in C: ``map`` over ``operator``)."""
    lines = piece.splitlines(keepends=True)
    if all(map(operator.lt, lines, lines[1:])):
        return lines
    if not all(map(operator.le, lines, lines[1:])):
        wrong = next(line for before, line in itertools.pairwise(lines) if line < before)
        raise ValueError(f"merged_lines: a chunk is not sorted at {wrong[:80]!r}")
    return list(dict.fromkeys(lines))  # sorted: equal lines are neighbours


def line_changes(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """The lines only ``old`` has and those only ``new`` has, of two documents of sorted
    distinct lines (a corpus graph's N-Triples), walked side by side: no set of either's
    lines. Raises ``ValueError`` on a document out of order."""
    gone, came = io.BytesIO(), io.BytesIO()
    olds, news = _ordered(old), _ordered(new)
    a, b = next(olds, None), next(news, None)
    while a is not None and b is not None:
        if a < b:
            gone.write(a)
            a = next(olds, None)
        elif b < a:
            came.write(b)
            b = next(news, None)
        else:
            a, b = next(olds, None), next(news, None)
    while a is not None:
        gone.write(a)
        a = next(olds, None)
    while b is not None:
        came.write(b)
        b = next(news, None)
    return gone.getvalue(), came.getvalue()


def lines_starting(ntriples: bytes, prefixes: Iterable[bytes]) -> set[bytes]:
    """The lines of a document of sorted lines (a corpus graph's N-Triples) that start
    with one of ``prefixes``: lines sharing a start are next to each other, so each prefix
    is found by bisection and only its own lines are read (a national quality graph is a
    million lines; an institution's are a few hundred)."""
    found: set[bytes] = set()
    for prefix in prefixes:
        start = _first_line_from(ntriples, prefix)
        while start < len(ntriples):
            end = ntriples.find(b"\n", start) + 1 or len(ntriples)
            if not ntriples.startswith(prefix, start):
                break
            found.add(ntriples[start:end])
            start = end
    return found


def _first_line_from(text: bytes, key: bytes, low: int = 0) -> int:
    """Where the first line of sorted ``text`` from ``low`` (a line start) that is not
    below ``key`` starts (``len(text)`` when none is)."""
    high = len(text)  # low: a line start with every line before it below key
    while low < high:
        middle = text.rfind(b"\n", low, (low + high) // 2) + 1 or low  # a line start
        end = text.find(b"\n", middle) + 1 or len(text)
        if text[middle:end] < key:
            low = end
        else:
            high = middle
    return low


def _lines(chunk: bytes) -> Iterator[bytes]:
    """The lines of ``chunk`` one at a time, each with its line break."""
    start = 0
    while end := chunk.find(b"\n", start) + 1:
        yield chunk[start:end]
        start = end
    if start < len(chunk):
        yield chunk[start:]


def _ordered(chunk: bytes) -> Iterator[bytes]:
    """``_lines`` of a chunk that must be sorted and distinct (checked as it goes)."""
    last = b""
    for line in _lines(chunk):
        if line <= last:
            raise ValueError(f"line_changes: lines not sorted and distinct at {line[:80]!r}")
        yield line
        last = line


def ontology_stage(parts: Sequence[ReportPart], urls: Urls) -> CorpusGraph:
    """The ontology and code lists, in a named graph named after the ontology."""
    graph = ontology_graph()
    iri = graph.value(predicate=RDF.type, object=OWL.Ontology)
    name = iri if isinstance(iri, URIRef) else URIRef(str(LOTAIP))
    return CorpusGraph(str(name), canonical_ntriples(graph), _title(graph, name))


def link_stage(parts: Sequence[ReportPart], urls: Urls) -> CorpusGraph:
    """The links of every report, with their ``void:Linkset`` descriptions."""
    header = links_header(urls)
    links = merged_lines(*(part.links for part in parts))
    pairs = (
        (str(iri_value(predicate)), target)
        for _, predicate, obj in parse_ntriples(links)
        if (target := iri_value(obj)) is not None
    )
    linksets = canonical_ntriples(linksets_graph(urls, pairs))
    name = links_graph_iri(urls)
    ntriples = sorted_lines(canonical_ntriples(header), links, linksets)
    return CorpusGraph(str(name), ntriples, _title(header, name))


def reference_stage(parts: Sequence[ReportPart], urls: Urls) -> CorpusGraph:
    """The registry entries of the corpus's institutions, territories and functions."""
    graph = reference_graph(urls, {part.institution for part in parts})
    name = reference_graph_iri(urls)
    return CorpusGraph(str(name), canonical_ntriples(graph), _title(graph, name))


def quality_stage(parts: Sequence[ReportPart], urls: Urls) -> CorpusGraph:
    """The metric definitions, every report's measurements and each institution's: those
    of its current report (``current.latest``), like everything else the default graph
    says of it."""
    header = quality.header_graph(urls)
    now = current.latest(parts).values()
    institutions = [
        triple
        for subject, shares in quality.pooled((part.quality for part in now), urls)
        for triple in quality.measurement_triples(subject, shares)
    ]
    ntriples = merged_lines(
        canonical_ntriples(header),
        *(part.measurements for part in parts),
        canonical_ntriples(institutions),
    )
    name = urls.thing(quality.QUALITY_PATH)
    return CorpusGraph(str(name), ntriples, _title(header, name))


def _title(graph: Graph, name: URIRef) -> str | None:
    """The graph's label (else title) for ``void.ttl``: the Spanish one when there are
    several, so that every build picks the same."""
    titles = list(graph.objects(name, RDFS.label)) or list(graph.objects(name, DCTERMS.title))
    if not titles:
        return None
    return str(min(titles, key=lambda t: (getattr(t, "language", None) != "es", str(t))))


#: A corpus stage: one graph from every report's part.
CorpusStage = Callable[[Sequence[ReportPart], Urls], CorpusGraph]
#: The corpus stages in the order they run (named in the build's timings after the
#: function, without ``_stage``).
CORPUS_STAGES: list[CorpusStage] = [ontology_stage, link_stage, reference_stage, quality_stage]
