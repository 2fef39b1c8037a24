"""One report's rows, read from its graph's N-Quads, and their cache file.

Takes a report's canonical N-Quads; gives its
sorted ``TidyRow``s (``report_rows``): the rows ``tidy_rows`` reads from a store holding
that graph, found without a query engine (``_ReportGraph``). A build makes a report's
rows once, when the report is first current (the table is of the current state), from
its kept N-Quads member, and keeps them (``write_report_rows``) beside it in
``<sha256>.tidy.pickle``: the report's sort key, then its CSV lines and
sheet rows (``cells.py``) of the report's columns, left open for the corpus columns, and
each row's institution and unit, which decide them (``corpus.py``). ``files.py`` reads
the caches back in the table's order (``_in_order``, ``_cached_parts``), so the tidy
step neither queries the whole store nor holds the table, and a rebuild renders only the
reports it builds. Process levels are named from the ontology the worker maps with; the
parent checks that the store names them the same way before it writes.

Why a hand evaluator and not pyoxigraph over a per-report store: it saves about 12.7 ms of
CPU a report made current (17.7 -> 5.1 ms, ``benchmarks/bench_tidy.py --reports 100``): a
national month's update makes 2,000 reports' rows in the parent; the tests
``test_rows_from_a_report_s_nquads_equal_the_sparql_rows``,
``test_each_example_report_s_rows_equal_the_sparql_rows`` and
``test_edge_case_rows_equal_the_sparql_rows`` (tests/test_tidy.py) hold it equal to the
SPARQL queries. Remeasure before changing either side; drop it if it stops paying.
"""

from __future__ import annotations

import pickle
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from itertools import product
from pathlib import Path

from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from publisher.downloads.cells import _csv_line, _sheet_rows
from publisher.downloads.table import (
    REPORT_NAMES,
    TextRow,
    TidyRow,
    _merged,
    _report_key,
    ontology_levels,
)
from publisher.errors import QueryError, StoreError
from publisher.vocab import LOTAIP, QUDT

#: Pickle protocol of the per-report row caches.
PICKLE = pickle.HIGHEST_PROTOCOL


def tidy_cache_path(cache_dir: Path, sha256: str) -> Path:
    """The cached tidy rows of the report whose bytes hash to ``sha256``."""
    return cache_dir / f"{sha256}.tidy.pickle"


def report_rows(nquads: bytes) -> list[TidyRow]:
    """The tidy rows of one report's graph (canonical N-Quads, as the store holds it),
    sorted, process levels named by ``ontology_levels``: the rows
    ``tidy_rows`` reads from a store holding that graph, found without a query engine
    (see ``_ReportGraph``)."""
    try:
        graph = _ReportGraph(nquads)
    except UnicodeDecodeError as err:
        raise QueryError(f"a report's graph for its tidy rows is not UTF-8: {err}") from err
    solutions = (graph.target_solutions(), graph.not_applicable_solutions())
    return _merged(solutions, ontology_levels().get)


# Loading a report's N-Quads into pyoxigraph and running the two queries cost ~13 ms a
# report, as much as mapping it. The queries are fixed conjunctions with OPTIONALs over
# one small graph, so they are answered here over the graph's triples indexed by
# predicate: every solution SPARQL gives (all combinations of the values of each
# pattern; an OPTIONAL that matches nothing leaves its variable unbound), merged and
# sorted by the same code as the store's rows. tests/test_tidy.py checks both agree.
# Terms are kept as N-Quads text (``<iri>``, ``_:id``, ``"lexical"...``), which is
# one spelling per term in a canonical dump, so text equality is term equality; only
# the values the rows use are unescaped.


#: A term as N-Quads text: ``<iri>``, ``_:id`` or a literal.
Term = str


def _nq(iri: str) -> Term:
    return f"<{iri}>"


_TYPE = _nq(RDF.type)
_LABEL = _nq(RDFS.label)
_NOTATION = _nq(SKOS.notation)
_NOTE = _nq(SKOS.note)
_PUBLISHER = _nq(DCTERMS.publisher)
_ISSUED = _nq(DCTERMS.issued)
_PURPOSE = _nq(ORG.purpose)
_CLASSIFICATION = _nq(ORG.classification)
_HAS_TARGET = _nq(LOTAIP.hasTarget)
_HAS_INDICATOR = _nq(LOTAIP.hasIndicator)
_HAS_ACTIVITY = _nq(LOTAIP.hasActivity)
_REASON = _nq(LOTAIP.notApplicableReason)
_DUE = _nq(LOTAIP.dueDate)
_LINE = _nq(LOTAIP.sourceLine)
_UNIT_TEXT = _nq(LOTAIP.unitText)
_TARGET_TEXT = _nq(LOTAIP.targetText)
_VALUE = _nq(QUDT.numericValue)
_QUDT_UNIT = _nq(QUDT.unit)
_REPORT = _nq(LOTAIP.Report)
_TARGET = _nq(LOTAIP.Target)
_ADMINISTRATIVE_UNIT = _nq(LOTAIP.AdministrativeUnit)
#: The predicates the two queries read; triples of any other are skipped.
_READ = (
    *(_TYPE, _LABEL, _NOTATION, _NOTE, _PUBLISHER, _ISSUED, _PURPOSE, _CLASSIFICATION),
    *(_HAS_TARGET, _HAS_INDICATOR, _HAS_ACTIVITY, _REASON, _DUE, _LINE, _UNIT_TEXT),
    _TARGET_TEXT,
    *(_VALUE, _QUDT_UNIT),
)
#: N-Triples string escapes (``\uXXXX`` and ``\UXXXXXXXX`` are handled apart).
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPED = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")

Options = dict[str, list[str]]
#: Units (their IRIs) with the OPTIONALs on them and on the objective they serve.
Units = list[tuple[str, Options]]


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code:
        return chr(int(code, 16))
    return _ESCAPES.get(match.group(3), match.group(3))


def _value(term: Term) -> str:
    """A term's value as pyoxigraph gives it: an IRI without brackets, a literal's
    lexical form unescaped, a blank node's id."""
    if term[0] == "<":
        return term[1:-1]
    if term[0] == '"':
        lexical = term[1 : term.rindex('"')]
        return _ESCAPED.sub(_unescape, lexical) if "\\" in lexical else lexical
    return term[2:]


class _ReportGraph:
    """One report's named graph (its canonical N-Quads): triples by predicate, subject."""

    def __init__(self, nquads: bytes) -> None:
        """Read the N-Quads; an empty graph has no rows."""
        self.index: dict[Term, dict[Term, list[Term]]] = {p: {} for p in _READ}
        self._inverse: dict[Term, dict[Term, list[Term]]] = {}
        self._units: dict[Term, Units] = {}
        self._indicators: dict[Term, Options] = {}
        self.name = ""
        if not nquads:
            return
        first = nquads[: nquads.find(b"\n") + 1].decode()
        if not first.endswith(" .\n"):
            raise QueryError("a report's graph for its tidy rows is not N-Quads")
        self.name = first[first.rfind(" <", 0, -3) + 1 : -3]  # the line's last term
        # every line ends with the graph's name: cut there, "s p o" is left
        self._index_text(nquads.decode(), f" {self.name} .\n")

    def _index_text(self, text: str, end: str) -> None:
        parts = text.split(end)
        if parts.pop() or len(parts) != text.count("\n"):
            raise QueryError(f"the tidy rows' N-Quads are not all in the graph {self.name}")
        get = self.index.get
        for part in parts:
            subject, predicate, obj = part.split(" ", 2)
            table = get(predicate)
            if table is not None:
                table.setdefault(subject, []).append(obj)

    def objects(self, subject: Term, predicate: Term) -> list[Term]:
        """The objects of ``subject predicate ?o`` (terms)."""
        return self.index[predicate].get(subject, [])

    def subjects(self, predicate: Term, obj: Term) -> list[Term]:
        """The subjects of ``?s predicate obj`` (terms)."""
        inverse = self._inverse.get(predicate)
        if inverse is None:
            inverse = self._inverse[predicate] = {}
            for subject, objects in self.index[predicate].items():
                for term in objects:
                    inverse.setdefault(term, []).append(subject)
        return inverse.get(obj, [])

    def values(self, subject: Term, predicate: Term) -> list[str]:
        """The values of ``subject predicate ?o`` as strings."""
        terms = self.index[predicate].get(subject)
        if not terms:
            return []
        if len(terms) == 1:  # most are: no comprehension
            return [_value(terms[0])]
        return [_value(term) for term in terms]

    def typed(self, cls: Term) -> list[Term]:
        """The subjects of ``?s a cls``, in the graph's order."""
        return [s for s, types in self.index[_TYPE].items() if cls in types]

    def heads(self) -> Iterator[tuple[TextRow, Options]]:
        """``_HEAD``'s solutions: the report (the graph's name) and its publisher."""
        report = self.name
        if _REPORT not in self.objects(report, _TYPE):
            return
        for inst in self.objects(report, _PUBLISHER):
            fixed = {"report": _value(report), "inst": _value(inst)}
            yield (
                fixed,
                {"issued": self.values(report, _ISSUED), "iname": self.values(inst, _LABEL)},
            )

    def activities(self, thing: Term) -> list[str]:
        """``thing lotaip:hasActivity/rdfs:label ?activity``."""
        return [a for act in self.objects(thing, _HAS_ACTIVITY) for a in self.values(act, _LABEL)]

    def unit_options(self, unit: Term) -> Options:
        """``_UNIT``'s optional patterns."""
        return {
            "unumber": self.values(unit, _NOTATION),
            "uname": self.values(unit, _LABEL),
            "ulevel": self.values(unit, _CLASSIFICATION),
        }

    def target_solutions(self) -> Iterator[TextRow]:
        """The solutions of ``TARGETS`` (no filters)."""
        for head, head_options in self.heads():
            for target in self.typed(_TARGET):
                ttexts = self.values(target, _TARGET_TEXT)
                branches = self.target_branches(target) if ttexts else []
                if not branches:
                    continue
                options = head_options | self.target_options(target)
                for ttext in ttexts:
                    fixed = {**head, "target": _value(target), "ttext": ttext}
                    for branch, units, branch_options in branches:
                        for unit, unit_options in units:
                            yield from _combinations(
                                {**fixed, **branch, "unit": unit},
                                options | branch_options | unit_options,
                            )

    def target_options(self, target: Term) -> Options:
        """The OPTIONAL patterns on ``?target``."""
        return {
            "value": self.values(target, _VALUE),
            "qunit": self.values(target, _QUDT_UNIT),
            "unitText": self.values(target, _UNIT_TEXT),
            "label": self.values(target, _NOTATION),
            "note": self.values(target, _NOTE),
            "tdue": self.values(target, _DUE),
            "line": self.values(target, _LINE),
        }

    def target_branches(self, target: Term) -> list[tuple[TextRow, Units, Options]]:
        """``TARGETS``' UNION: the target under its objective, or under an indicator;
        each with the units whose purpose the objective is (``?unit org:purpose``)."""
        branches = []
        for objective in self.subjects(_HAS_TARGET, target):
            units = self.units_of(objective)  # none when it is an indicator
            if units:
                options = {
                    "activity": self.activities(objective),
                    "reason": self.values(objective, _REASON),
                }
                branches.append(({"objective": _value(objective)}, units, options))
        for indicator in self.subjects(_HAS_TARGET, target):
            for objective in self.subjects(_HAS_INDICATOR, indicator):
                units = self.units_of(objective)
                if units:
                    fixed = {"indicator": _value(indicator), "objective": _value(objective)}
                    branches.append((fixed, units, self.indicator_options(indicator)))
        return branches

    def indicator_options(self, indicator: Term) -> Options:
        """The OPTIONAL patterns on ``?indicator`` in ``TARGETS`` (kept: its targets ask)."""
        options = self._indicators.get(indicator)
        if options is None:
            options = self._indicators[indicator] = {
                "itext": self.values(indicator, _LABEL),
                "idue": self.values(indicator, _DUE),
                "activity": self.activities(indicator),
                "reason": self.values(indicator, _REASON),
            }
        return options

    def units_of(self, objective: Term) -> Units:
        """The units whose purpose ``objective`` is, with the OPTIONALs on both (kept:
        an objective's targets all ask)."""
        units = self._units.get(objective)
        if units is None:
            otext = self.values(objective, _LABEL)
            units = self._units[objective] = [
                (_value(unit), {"otext": otext, **self.unit_options(unit)})
                for unit in self.subjects(_PURPOSE, objective)
            ]
        return units

    def not_applicable_solutions(self) -> Iterator[TextRow]:
        """The solutions of ``NOT_APPLICABLE`` (no filters)."""
        for head, head_options in self.heads():
            for unit, fixed, options in self.not_applicable_branches():
                yield from _combinations(
                    {**head, **fixed, "unit": _value(unit)},
                    head_options | options | self.unit_options(unit),
                )

    def not_applicable_branches(self) -> Iterator[tuple[Term, TextRow, Options]]:
        """``NOT_APPLICABLE``'s UNION: a unit's, objective's or indicator's statement, with
        the unit's term."""
        for unit in self.typed(_ADMINISTRATIVE_UNIT):
            for reason in self.values(unit, _REASON):
                yield unit, {"reason": reason}, {"line": self.values(unit, _LINE)}
        for unit, objectives in self.index[_PURPOSE].items():
            for objective in objectives:
                yield from self._objective_statements(unit, objective)

    def _objective_statements(
        self, unit: Term, objective: Term
    ) -> Iterator[tuple[Term, TextRow, Options]]:
        fixed = {"objective": _value(objective)}
        otext = self.values(objective, _LABEL)
        indicators = self.objects(objective, _HAS_INDICATOR)
        with_targets = self.objects(objective, _HAS_TARGET) or any(
            self.objects(i, _HAS_TARGET) for i in indicators
        )
        if not with_targets:  # the objective's FILTER NOT EXISTS
            options = {"line": self.values(objective, _LINE), "otext": otext}
            for reason in self.values(objective, _REASON):
                yield unit, {**fixed, "reason": reason}, options
        for indicator in indicators:
            if self.objects(indicator, _HAS_TARGET):  # the indicator's FILTER NOT EXISTS
                continue
            for reason in self.values(indicator, _REASON):
                options = {
                    "itext": self.values(indicator, _LABEL),
                    "line": self.values(indicator, _LINE),
                    "otext": otext,
                }
                yield unit, {**fixed, "indicator": _value(indicator), "reason": reason}, options


def _combinations(fixed: TextRow, options: Options) -> Iterator[TextRow]:
    """``fixed`` with every combination of the optional variables' values; a variable
    without values is left out (unbound), as an OPTIONAL that matches nothing."""
    if max(map(len, options.values()), default=0) < 2:  # one solution, the usual case
        yield fixed | {name: values[0] for name, values in options.items() if values}
        return
    names = list(options)
    for values in product(*(options[n] or (None,) for n in names)):
        row = dict(fixed)
        for name, value in zip(names, values, strict=True):
            if value is not None:
                row[name] = value
        yield row


def write_report_rows(cache_dir: Path, sha256: str, nquads: bytes) -> None:
    """Cache the report's tidy rows (``report_rows``): its sort key, its CSV lines, its
    sheet rows."""
    _write_cache(tidy_cache_path(cache_dir, sha256), report_rows(nquads))


#: One report's cached rows: each row's CSV fields and ``<row>`` (report columns, left
#: open), the distinct (institution, unit) pairs and each row's pair among them.
CachedRows = tuple[list[bytes], list[str], list[tuple[str, str]], list[int]]


def _write_cache(path: Path, rows: Sequence[TidyRow]) -> None:
    """One report's rows (sorted) as ``write_tidy_cached`` reads them back."""
    key = _report_key(rows[0]) if rows else ("", "", "")
    table = [[row[name] for name in REPORT_NAMES] for row in rows]
    lines = [_csv_line(values).encode("utf-8") for values in table]
    sheet_rows = _sheet_rows(table, b"\n".join(lines))
    pairs: dict[tuple[str, str], int] = {}
    which = [pairs.setdefault((r["institution_uri"], r["unit_uri"]), len(pairs)) for r in rows]
    parts: CachedRows = (lines, sheet_rows, list(pairs), which)
    tmp = path.with_name(f".{path.name}.{time.monotonic_ns()}.tmp")
    try:
        # the key first, on its own: the order is found without reading the rows
        tmp.write_bytes(pickle.dumps(key, PICKLE) + pickle.dumps(parts, PICKLE))
        tmp.replace(path)
    except OSError as err:
        raise StoreError(f"cannot cache the tidy rows of {path.name}: {err}") from err


def _cached_key(path: Path) -> tuple[str, str, str]:
    with path.open("rb") as stream:
        key: tuple[str, str, str] = pickle.load(stream)
    return key


def _cached_parts(path: Path) -> CachedRows:
    """The report's CSV lines and sheet rows (open), its (institution, unit) pairs and
    each row's."""
    with path.open("rb") as stream:
        pickle.load(stream)  # the key
        parts: CachedRows = pickle.load(stream)
    return parts


def _in_order(cache_dir: Path, hashes: Iterable[str]) -> list[Path]:
    """The reports' cache files in the table's order (only their keys read)."""
    paths = (tidy_cache_path(cache_dir, sha256) for sha256 in hashes)
    return [path for _, path in sorted((_cached_key(path), path) for path in paths)]
