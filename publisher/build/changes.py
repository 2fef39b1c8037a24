"""The graph of changes ``B id/cambios``: what changed between consecutive reports.

Questions across months (what changed from one report to the next, how a target moved)
are answered from data the build materialises, not by comparing report graphs at query
time (issue 21 item 4). For each institution, its reports in order (``current.order_key``)
are compared pairwise, each with the next, exactly as ``query/history.py`` compares two
reports: units added and removed, and numeric targets raised or lowered (under one
indicator, or objective when targets hang from it, targets pair by their ``M1``-style
label when all have one, else by reading order).

Each change is a ``lotaip:Change`` node (vocabulary in ``ontology/publisher.ttl``, shape in
``shapes/change.shacl.ttl``) under the later report's IRI. What a comparison needs of a
report (``Snapshot``: its units and numeric targets) is read once, in the worker, from the
report's N-Quads and kept in its own file beside the report's corpus part, which holds its
digest only (``corpus.ReportPart.snapshot_digest``): a build reads the snapshots of the
institutions it compares, one institution at a time, not every report's.

Incremental per institution: an institution's changes are kept as ``corpus/changes-<digest>.nt``
where the digest covers its reports' snapshots in order; a rebuild links the files of
institutions whose reports did not change and compares only the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol, TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, XSD

from publisher.build import current
from publisher.mapping.convert import month_name
from publisher.query.history import Stated, paired
from publisher.store import rdftext
from publisher.store.rdftext import Term, TermTriple, quad_triples, term_values
from publisher.uris import Urls
from publisher.vocab import LOTAIP

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE = _RDF + "type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_L = str(LOTAIP)
_NUMERIC = "http://qudt.org/schema/qudt/numericValue"
_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
_PUBLISHER = "http://purl.org/dc/terms/publisher"
_DECIMAL, _DATE = str(XSD.decimal), str(XSD.date)

#: The kinds of change, as ``lotaip:changeKind`` values, with their labels (es, en).
UNIT_ADDED, UNIT_REMOVED = LOTAIP.UnitAdded, LOTAIP.UnitRemoved
TARGET_RAISED, TARGET_LOWERED = LOTAIP.TargetRaised, LOTAIP.TargetLowered
KIND_WORDS = {
    UNIT_ADDED: ("Unidad añadida", "Unit added"),
    UNIT_REMOVED: ("Unidad retirada", "Unit removed"),
    TARGET_RAISED: ("Meta elevada", "Target raised"),
    TARGET_LOWERED: ("Meta reducida", "Target lowered"),
}


@dataclass(frozen=True)
class Snapshot:
    """What comparing a report with the next needs: its institution, units, targets."""

    institution: str
    units: tuple[tuple[str, str], ...]  # (unit IRI, name), sorted
    targets: tuple[Stated, ...]  # in reading order
    #: sha256 of the contents above (their ``repr`` is deterministic), made once in the
    #: worker: each build digests every report's snapshot (``institution_digest``)
    digest: str = ""

    @classmethod
    def of(
        cls, institution: str, units: tuple[tuple[str, str], ...], targets: tuple[Stated, ...]
    ) -> Snapshot:
        """A snapshot of these contents, with its digest."""
        digest = hashlib.sha256(repr((institution, units, targets)).encode()).hexdigest()
        return cls(institution, units, targets, digest)


def snapshot(triples: Iterable[TermTriple]) -> Snapshot:
    """Read a report's triples (the mapper's terms, or a graph read back: ``quad_triples``)
    for its units and numeric targets."""
    types: dict[str, set[str]] = {}
    values: dict[str, dict[str, str]] = {}
    parents: dict[str, str] = {}
    institution = ""
    wanted = {
        _LABEL,
        _NUMERIC,
        _NOTATION,
        _L + "sourceLine",
        _L + "targetText",
        _L + "unit",
        _L + "objective",
    }
    read = wanted | {_TYPE, _L + "hasTarget", _PUBLISHER}
    for s, p, o, language in term_values(triples, read):
        if p == _TYPE:
            types.setdefault(o, set()).add(s)
        elif p == _L + "hasTarget":
            parents[o] = s
        elif p == _PUBLISHER:
            institution = o
        elif p in wanted:
            held = values.setdefault(s, {})
            # one label a node (the Spanish one when a node has several)
            if p not in held or language == "es":
                held[p] = o
    unit_iris = types.get(_L + "AdministrativeUnit", set())
    units = tuple(sorted((u, values.get(u, {}).get(_LABEL, "")) for u in unit_iris))
    targets = []
    for target, parent in parents.items():
        held = values.get(target, {})
        if _NUMERIC not in held:
            continue
        targets.append(
            Stated(
                target,
                parent,
                values.get(parent, {}).get(_LABEL, ""),
                held.get(_L + "objective", ""),
                held.get(_L + "unit", ""),
                held[_NUMERIC],
                held.get(_NOTATION, ""),
                int(held.get(_L + "sourceLine", "0") or 0),
                held.get(_L + "targetText", ""),
            )
        )
    targets.sort(key=lambda t: (t.line, t.target))
    return Snapshot.of(institution, units, tuple(targets))


R = TypeVar("R", bound=current.Reported)


class Part(current.Reported, Protocol):
    """What the changes graph needs of a report's corpus part."""

    @property
    def snapshot_digest(self) -> str | None: ...


class Compared(current.Reported, Protocol):
    """A report with its snapshot, as compared with the next."""

    @property
    def snapshot(self) -> Snapshot | None: ...


def changes_graph_iri(urls: Urls) -> URIRef:
    """``B id/cambios``."""
    return urls.changes()


def header(urls: Urls) -> Graph:
    """The graph's own description (its label names it in ``void.ttl``)."""
    graph = Graph()
    name = changes_graph_iri(urls)
    graph.add((name, RDFS.label, Literal("Cambios entre informes consecutivos", lang="es")))
    graph.add((name, RDFS.label, Literal("Changes between consecutive reports", lang="en")))
    graph.add(
        (
            name,
            DCTERMS.description,
            Literal(
                "Para cada institución, lo que cambió de un informe al siguiente: unidades "
                "añadidas y retiradas, metas elevadas y reducidas (lotaip:Change).",
                lang="es",
            ),
        )
    )
    graph.add(
        (
            name,
            DCTERMS.description,
            Literal(
                "For each institution, what changed from one report to the next: units "
                "added and removed, targets raised and lowered (lotaip:Change).",
                lang="en",
            ),
        )
    )
    return graph


def institution_digest(base_uri: str, reports: Sequence[Part]) -> str:
    """What decides an institution's changes: its reports' graphs, dates and snapshots."""
    digest = hashlib.sha256(base_uri.encode())
    for report in reports:
        digest.update(f"\0{report.graph}\0{report.issued}\0".encode())
        digest.update((report.snapshot_digest or "-").encode())
    return digest.hexdigest()[:32]


def by_institution(parts: Iterable[R]) -> dict[str, list[R]]:
    """Institution id -> its reports, oldest first (``current.order_key``)."""
    grouped: dict[str, list[R]] = {}
    for part in parts:
        grouped.setdefault(part.institution, []).append(part)
    return {k: sorted(v, key=current.order_key) for k, v in sorted(grouped.items())}


def institution_changes(reports: Sequence[Compared]) -> list[TermTriple]:
    """Every change between consecutive ``reports`` (one institution's, oldest first)."""
    triples: list[TermTriple] = []
    for before, after in zip(reports, reports[1:], strict=False):
        if before.snapshot is None or after.snapshot is None:
            continue
        for change in compare(before, after):
            triples += change.triples()
    return triples


def _iri(value: str | URIRef) -> Term:
    return rdftext.iri(str(value))


def _text(value: str, language: str | None = None) -> Term:
    return rdftext.literal(value, language)


def _typed(value: str, datatype: str) -> Term:
    return rdftext.typed_literal(value, datatype)


@dataclass(frozen=True)
class Change:
    """One change from report ``before`` to report ``after``."""

    kind: URIRef
    institution: str
    before: str
    after: str
    before_date: str | None
    after_date: str | None
    unit: str
    unit_name: str
    was: Stated | None = None
    now: Stated | None = None

    def iri(self) -> URIRef:
        """Under the later report: ``<report>/cambio/<digest of what changed>``."""
        key = "\0".join(
            [
                str(self.kind),
                self.before,
                self.unit,
                self.was.target if self.was else "",
                self.now.target if self.now else "",
            ]
        )
        return URIRef(f"{self.after}/cambio/{hashlib.sha256(key.encode()).hexdigest()[:12]}")

    def triples(self) -> list[TermTriple]:
        """Its triples (the store's terms: thousands of changes a build, and rdflib's
        graph cost most of the stage)."""
        values: list[tuple[str, Term]] = [
            (_TYPE, _iri(_L + "Change")),
            (_L + "changeKind", _iri(self.kind)),
        ]
        if self.institution:
            values.append((_L + "changeInstitution", _iri(self.institution)))
        values += [(_L + "fromReport", _iri(self.before)), (_L + "toReport", _iri(self.after))]
        for prop, value in ((_L + "fromDate", self.before_date), (_L + "toDate", self.after_date)):
            if value:
                values.append((prop, _typed(value, _DATE)))
        values.append((_L + "changeUnit", _iri(self.unit)))
        if self.unit_name:
            values.append((_L + "changeUnitName", _text(self.unit_name)))
        if self.was is not None and self.now is not None:
            values.append((_L + "changeParent", _iri(self.now.parent)))
            if self.now.objective:
                values.append((_L + "changeObjective", _iri(self.now.objective)))
            values += [
                (_L + "fromTarget", _iri(self.was.target)),
                (_L + "toTarget", _iri(self.now.target)),
                (_L + "fromValue", _typed(self.was.value, _DECIMAL)),
                (_L + "toValue", _typed(self.now.value, _DECIMAL)),
                (_L + "fromText", _text(self.was.text or self.was.value)),
                (_L + "toText", _text(self.now.text or self.now.value)),
            ]
        for language, words in zip(("es", "en"), KIND_WORDS[self.kind], strict=True):
            values.append((_LABEL, _text(self.label(words, language), language)))
        node = _iri(self.iri())
        return [(node, _iri(prop), value) for prop, value in values]

    def label(self, words: str, language: str) -> str:
        """``Meta elevada: <unit>: 30 → 45 (enero de 2023 → febrero de 2023)``."""
        months = f"{_month(self.before_date, language)} → {_month(self.after_date, language)}"
        what = f"{words}: {self.unit_name or self.unit}"
        if self.was is not None and self.now is not None:
            what += f": {self.was.text or self.was.value} → {self.now.text or self.now.value}"
        return f"{what} ({months})"


def _month(iso: str | None, language: str) -> str:
    try:
        return month_name(date.fromisoformat(iso) if iso else None, language)
    except ValueError:
        return iso or month_name(None, language)


def compare(before: Compared, after: Compared) -> list[Change]:
    """The changes from ``before`` to ``after`` (the rules of ``history.changes``)."""
    old, new = before.snapshot, after.snapshot
    assert old is not None and new is not None
    base = (new.institution or old.institution, before.graph, after.graph)
    dates = (before.issued, after.issued)
    found: list[Change] = []
    old_units, new_units = dict(old.units), dict(new.units)
    for unit in sorted(new_units.keys() - old_units.keys()):
        found.append(Change(UNIT_ADDED, *base, *dates, unit, new_units[unit]))
    for unit in sorted(old_units.keys() - new_units.keys()):
        found.append(Change(UNIT_REMOVED, *base, *dates, unit, old_units[unit]))
    for was, now in paired(old.targets, new.targets):
        a, b = _decimal(was.value), _decimal(now.value)
        if a is None or b is None or a == b:
            continue
        kind = TARGET_RAISED if b > a else TARGET_LOWERED
        name = new_units.get(now.unit, "")
        found.append(Change(kind, *base, *dates, now.unit, name, was, now))
    return found


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class ReadReport:
    """A report graph read for comparison outside a build (no kept corpus part)."""

    graph: str
    institution: str
    issued: str | None
    snapshot: Snapshot | None


def changes_of(reports: Iterable[tuple[str, str | None, bytes]], urls: Urls) -> bytes:
    """The graph of changes of report graphs given as (graph IRI, information date,
    N-Quads or N-Triples), compared in full and kept nowhere: for stores made without a
    build (the benchmarks' synthetic stores, the tests' hand-made ones)."""
    from publisher.build.corpus import canonical_ntriples, sorted_lines

    read = []
    for graph, issued, text in reports:
        snap = snapshot(quad_triples(text))
        read.append(ReadReport(graph, snap.institution, issued, snap))
    chunks = [
        rdftext.canonical_ntriples(institution_changes(r)) for r in by_institution(read).values()
    ]
    return sorted_lines(canonical_ntriples(header(urls)), *chunks)


def part_name(digest: str) -> str:
    """An institution's kept changes under ``corpus/``."""
    return f"changes-{digest}.nt"


def changes_ntriples(
    parts: Sequence[Part],
    urls: Urls,
    folder: Path,
    previous: Path | None,
    read: Callable[[Part], Snapshot | None],
) -> tuple[bytes, int]:
    """The changes of every institution as canonical N-Triples, each institution's kept
    in ``folder`` (linked from ``previous`` when its reports did not change); return the
    lines and how many institutions were compared anew. ``read`` gives a report's
    snapshot (``corpus.read_snapshot``), asked only for the institutions compared."""
    from publisher.build.corpus import canonical_ntriples, merged_lines, sorted_lines
    from publisher.build.workers import write_atomic

    chunks = [canonical_ntriples(header(urls))]
    compared = 0
    for reports in by_institution(parts).values():
        name = part_name(institution_digest(urls.base, reports))
        path = folder / name
        if not path.is_file() and previous is not None and (previous / name).is_file():
            _link(previous / name, path)
        if path.is_file():
            chunks.append(path.read_bytes())
            continue
        # A month's update appends a report: the changes up to the one before are kept
        # (each pair is compared on its own), so only the new pair is compared.
        kept = _kept(folder, previous, part_name(institution_digest(urls.base, reports[:-1])))
        start = len(reports) - 2 if kept is not None and len(reports) > 1 else 0
        compared_reports = reports[start:]
        snapshots = [
            ReadReport(r.graph, r.institution, r.issued, read(r)) for r in compared_reports
        ]
        found = rdftext.canonical_ntriples(institution_changes(snapshots))
        ntriples = sorted_lines(kept or b"", found) if start else sorted_lines(found)
        write_atomic(path, ntriples)
        chunks.append(ntriples)
        compared += 1
    return merged_lines(*chunks), compared


def _kept(folder: Path, previous: Path | None, name: str) -> bytes | None:
    """The kept changes file ``name`` of this build or the published one, if any."""
    for where in (folder, previous):
        if where is not None and (where / name).is_file():
            return (where / name).read_bytes()
    return None


def _link(source: Path, target: Path) -> None:
    import os
    import shutil

    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
