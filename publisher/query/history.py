"""Targets over time, and what changed between two reports of one institution.

Unit, objective and indicator IRIs are keyed by their names and texts, so the same
objective in January's and February's report is one IRI stated in two named graphs (one
per report); a target's IRI follows its text, so a changed value is a new target under
the same parent. History therefore reads each report's graph on its own (``GRAPH
?report``), never the union, and pairs targets by parent:

- ``history(store, node)``: for an objective or indicator, its numeric targets in every
  report that states it, by report date (``svg_chart`` draws them);
- ``changes(store, before, after)``: units added and removed, and targets raised or
  lowered (``paired``: under one indicator, or objective when targets hang from it, by
  their ``M1``-style label when all have one, else by reading order; then by objective
  when it has one numeric target in each report). Consecutive reports are read from the
  graph of changes the build records with the same rules (``build/changes.py``); any
  other two are compared here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from rdflib import URIRef

from publisher.store.embedded import Row, Store
from publisher.vocab import sparql_prefixes

_P = sparql_prefixes()

#: Numeric targets of ?s (an objective or indicator) in every report graph stating ?s.
HISTORY = (
    _P
    + """SELECT ?s ?report ?issued ?target ?text ?value ?qunit ?unitText ?label ?line WHERE {
  GRAPH ?report {
    ?report a lotaip:Report .
    OPTIONAL { ?report dct:issued ?issued }
    { ?s lotaip:hasTarget ?target } UNION { ?s lotaip:hasIndicator/lotaip:hasTarget ?target }
    ?target qudt:numericValue ?value .
    OPTIONAL { ?target lotaip:targetText ?text }
    OPTIONAL { ?target qudt:unit ?qunit }
    OPTIONAL { ?target lotaip:unitText ?unitText }
    OPTIONAL { ?target skos:notation ?label }
    OPTIONAL { ?target lotaip:sourceLine ?line }
  }
} ORDER BY ?issued ?line"""
)

#: Units stated in report ?report.
UNITS = (
    _P
    + """SELECT ?report ?unit ?name WHERE {
  GRAPH ?report { ?unit a lotaip:AdministrativeUnit . OPTIONAL { ?unit rdfs:label ?name } }
}"""
)

#: Numeric targets in report ?report, with the thing they hang from and its unit.
TARGETS = (
    _P
    + """SELECT ?report ?parent ?ptext ?unit ?uname ?target ?text ?value ?label ?line ?objective
WHERE {
  GRAPH ?report {
    ?parent lotaip:hasTarget ?target .
    { ?unit org:purpose ?parent } UNION { ?unit org:purpose/lotaip:hasIndicator ?parent }
    ?target qudt:numericValue ?value .
    OPTIONAL { ?parent rdfs:label ?ptext }
    OPTIONAL { ?unit rdfs:label ?uname }
    OPTIONAL { ?target lotaip:targetText ?text }
    OPTIONAL { ?target skos:notation ?label }
    OPTIONAL { ?target lotaip:sourceLine ?line }
    OPTIONAL { ?target lotaip:objective ?objective }
  }
}"""
)

#: An institution's reports, oldest first: every month, each read in its own graph (the
#: default graph states only the current one).
REPORTS = (
    _P
    + """SELECT ?institution ?report ?issued WHERE {
  GRAPH ?report {
    ?report a lotaip:Report ; dct:publisher ?institution .
    OPTIONAL { ?report dct:issued ?issued }
  }
} ORDER BY ?issued ?report"""
)


@dataclass(frozen=True)
class Point:
    """One numeric target of a node in one report."""

    report: URIRef
    date: str  # ISO date of the report ("" when unknown)
    target: URIRef
    text: str
    value: Decimal
    unit: str  # "%" or the counted noun ("" when none)
    label: str  # M1-style label or "" (series key)
    line: int


def history(store: Store, node: URIRef) -> list[Point]:
    """Numeric targets of objective or indicator ``node`` in every report, oldest first."""
    points = []
    for row in store.select(HISTORY, {"s": node}):
        unit = "%" if str(row.get("qunit", "")).endswith("/PERCENT") else _str(row, "unitText")
        points.append(
            Point(
                URIRef(row["report"]),
                _str(row, "issued"),
                URIRef(row["target"]),
                _str(row, "text"),
                Decimal(str(row["value"])),
                unit,
                _str(row, "label"),
                int(str(row.get("line", 0))),
            )
        )
    return _distinct(points)


def _distinct(points: list[Point]) -> list[Point]:
    seen: dict[tuple[URIRef, URIRef], Point] = {}
    for point in points:
        seen.setdefault((point.report, point.target), point)
    return sorted(seen.values(), key=lambda p: (p.date, str(p.report), p.line))


def _str(row: Row, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


def reports_of(store: Store, institution: URIRef) -> list[tuple[URIRef, str]]:
    """An institution's reports and their dates, oldest first."""
    rows = store.select(REPORTS, {"institution": institution})
    found: dict[URIRef, str] = {}
    for row in rows:
        found.setdefault(URIRef(row["report"]), _str(row, "issued"))
    return sorted(found.items(), key=lambda pair: (pair[1], str(pair[0])))


# ------------------------------------------------------------------------------ changes


@dataclass(frozen=True)
class Stated:
    """A numeric target as one report states it."""

    target: str
    parent: str  # the indicator (or objective) it hangs from
    parent_text: str
    objective: str
    unit: str
    value: str  # xsd:decimal lexical form
    label: str  # M1-style label or ""
    line: int
    text: str


def paired(old: Sequence[Stated], new: Sequence[Stated]) -> list[tuple[Stated, Stated]]:
    """The numeric targets of two reports that are one target in two versions.

    First under one indicator (or objective, when targets hang from it): by their
    ``M1``-style label when all have one, else by reading order. Then, of those left, by
    objective when the objective has exactly one numeric target in each report: an
    indicator's text often carries the value («participar en un 30%…»), so a raised target
    may come under a new indicator IRI while its objective stays.
    """
    old_targets, new_targets = _grouped(old, "parent"), _grouped(new, "parent")
    pairs = []
    for parent in sorted(old_targets.keys() & new_targets.keys()):
        pairs += _pairs(old_targets[parent], new_targets[parent])
    taken = {id(t) for pair in pairs for t in pair}
    old_by, new_by = _grouped(old, "objective"), _grouped(new, "objective")
    for objective in sorted(old_by.keys() & new_by.keys()):
        was, now = old_by[objective], new_by[objective]
        if objective and len(was) == len(now) == 1 and not {id(was[0]), id(now[0])} & taken:
            pairs.append((was[0], now[0]))
    return pairs


def _grouped(targets: Iterable[Stated], key: str) -> dict[str, list[Stated]]:
    grouped: dict[str, list[Stated]] = {}
    for target in targets:  # already in reading order
        grouped.setdefault(getattr(target, key), []).append(target)
    return grouped


def _pairs(old: Sequence[Stated], new: Sequence[Stated]) -> list[tuple[Stated, Stated]]:
    """Targets of one parent in both reports: by label when all have one, else by order."""
    if all(t.label for t in (*old, *new)):
        labelled = {t.label: t for t in new}
        return [(t, labelled[t.label]) for t in old if t.label in labelled]
    return list(zip(old, new, strict=False))


@dataclass(frozen=True)
class ValueChange:
    """A target whose value went up or down between two reports."""

    unit: URIRef
    unit_name: str
    parent: URIRef  # the indicator (or objective) both targets hang from
    parent_text: str
    before: Decimal
    after: Decimal
    before_text: str
    after_text: str

    @property
    def raised(self) -> bool:
        """True when the value went up."""
        return self.after > self.before


@dataclass
class Changes:
    """What changed from report ``before`` to report ``after``."""

    before: URIRef
    after: URIRef
    units_added: list[tuple[URIRef, str]] = field(default_factory=list)
    units_removed: list[tuple[URIRef, str]] = field(default_factory=list)
    raised: list[ValueChange] = field(default_factory=list)
    lowered: list[ValueChange] = field(default_factory=list)


#: The changes the build recorded from report ?before to the next one, ?after (named graph
#: ``id/cambios``, ``build/changes.py``), with the text of the indicator (or objective)
#: a changed target hangs from, read from any report stating it.
RECORDED = (
    _P
    + """SELECT ?before ?after ?change ?kind ?unit ?uname ?parent ?ptext ?old ?new ?oldText ?newText
WHERE {
  GRAPH ?changes {
    ?change lotaip:fromReport ?before ; lotaip:toReport ?after ;
            lotaip:changeKind ?kind ; lotaip:changeUnit ?unit .
    OPTIONAL { ?change lotaip:changeUnitName ?uname }
    OPTIONAL {
      ?change lotaip:changeParent ?parent ; lotaip:fromValue ?old ; lotaip:toValue ?new ;
              lotaip:fromText ?oldText ; lotaip:toText ?newText .
    }
  }
  OPTIONAL { GRAPH ?after { ?parent rdfs:label ?ptext } }
}"""
)


def changes(store: Store, before: URIRef, after: URIRef) -> Changes:
    """Units added and removed, and targets raised or lowered, from ``before`` to ``after``.

    Reports that follow each other are read from the graph of changes the build
    recorded; any other two are compared here, reading the two reports' graphs, with the
    same rules (``build/changes.py``: ``compare``)."""
    found = recorded_changes(store, before, after)
    if found is not None:
        return found
    return compared_changes(store, before, after)


def recorded_changes(store: Store, before: URIRef, after: URIRef) -> Changes | None:
    """The changes the build recorded from ``before`` to ``after``; None when ``after`` is
    not the report that follows ``before`` (the build records only those)."""
    institution = _publisher(store, before)
    if institution is None:
        return None
    reports = [iri for iri, _ in reports_of(store, institution)]
    if before not in reports or reports.index(before) + 1 >= len(reports):
        return None
    if reports[reports.index(before) + 1] != after:
        return None
    result = Changes(before, after)
    seen: set[str] = set()
    for row in store.select(RECORDED, {"before": before, "after": after}):
        if str(row["change"]) in seen:
            continue
        seen.add(str(row["change"]))
        unit, name, kind = URIRef(row["unit"]), _str(row, "uname"), str(row["kind"])
        if kind.endswith("UnitAdded"):
            result.units_added.append((unit, name))
        elif kind.endswith("UnitRemoved"):
            result.units_removed.append((unit, name))
        elif "old" in row:
            change = ValueChange(
                unit,
                name,
                URIRef(row["parent"]),
                _str(row, "ptext"),
                Decimal(str(row["old"])),
                Decimal(str(row["new"])),
                _str(row, "oldText"),
                _str(row, "newText"),
            )
            (result.raised if change.raised else result.lowered).append(change)
    _sort(result)
    return result


def _sort(result: Changes) -> None:
    result.units_added.sort(key=_by_name)
    result.units_removed.sort(key=_by_name)
    for values in (result.raised, result.lowered):
        values.sort(key=lambda c: (c.unit_name, c.parent_text, c.before_text))


_PUBLISHER = (
    _P
    + """SELECT ?report ?institution WHERE {
  GRAPH ?report { ?report a lotaip:Report ; dct:publisher ?institution }
}"""
)


def _publisher(store: Store, report: URIRef) -> URIRef | None:
    rows = store.select(_PUBLISHER, {"report": report})
    return URIRef(rows[0]["institution"]) if rows else None


def compared_changes(store: Store, before: URIRef, after: URIRef) -> Changes:
    """The changes from ``before`` to ``after`` compared here, from the two reports' graphs."""
    result = Changes(before, after)
    old, new = _units(store, before), _units(store, after)
    result.units_added = [(u, new[u]) for u in new.keys() - old.keys()]
    result.units_removed = [(u, old[u]) for u in old.keys() - new.keys()]
    old_targets, new_targets = _targets(store, before), _targets(store, after)
    was_list = [_as_stated(t) for t in old_targets]
    now_list = [_as_stated(t) for t in new_targets]
    # each Stated back to the row it was made from (which carries names and Decimals)
    back = dict(zip(map(id, was_list + now_list), [*old_targets, *new_targets], strict=True))
    for was, now in paired(was_list, now_list):
        if Decimal(was.value) == Decimal(now.value):
            continue
        change = _change(back[id(was)], back[id(now)])
        (result.raised if change.raised else result.lowered).append(change)
    _sort(result)
    return result


def _as_stated(target: _Stated) -> Stated:
    return Stated(
        target.target,
        str(target.parent),
        target.parent_text,
        target.objective,
        str(target.unit),
        str(target.value),
        target.label,
        target.line,
        target.text,
    )


def _by_name(pair: tuple[URIRef, str]) -> str:
    return pair[1]


def _units(store: Store, report: URIRef) -> dict[URIRef, str]:
    return {URIRef(r["unit"]): _str(r, "name") for r in store.select(UNITS, {"report": report})}


@dataclass(frozen=True)
class _Stated:
    """A numeric target as one report states it."""

    target: str
    objective: str
    value: Decimal
    label: str
    line: int
    text: str
    unit: URIRef
    unit_name: str
    parent: URIRef
    parent_text: str


def _targets(store: Store, report: URIRef) -> list[_Stated]:
    """Numeric targets of ``report``, in reading order."""
    by_target: dict[str, _Stated] = {}
    for row in store.select(TARGETS, {"report": report}):
        target = _Stated(
            str(row["target"]),
            _str(row, "objective"),
            Decimal(str(row["value"])),
            _str(row, "label"),
            int(str(row.get("line", 0))),
            _str(row, "text"),
            URIRef(row["unit"]),
            _str(row, "uname"),
            URIRef(row["parent"]),
            _str(row, "ptext"),
        )
        by_target.setdefault(target.target, target)
    return sorted(by_target.values(), key=lambda t: (t.line, t.target))


def _change(was: _Stated, now: _Stated) -> ValueChange:
    return ValueChange(
        now.unit,
        now.unit_name,
        now.parent,
        now.parent_text,
        was.value,
        now.value,
        was.text,
        now.text,
    )


# --------------------------------------------------------------------------------- chart

CHART_WIDTH = 480
CHART_HEIGHT = 180
MARGIN = 36


def series(points: Sequence[Point]) -> dict[str, list[Point]]:
    """Points grouped into lines: by label when targets have one, else by their place in
    the report (the first target of each report, the second, ...)."""
    lines: dict[str, list[Point]] = {}
    place: dict[URIRef, int] = {}
    for point in points:
        place[point.report] = place.get(point.report, 0) + 1
        key = point.label or f"#{place[point.report]}"
        lines.setdefault(key, []).append(point)
    return lines


def svg_chart(points: Sequence[Point], title: str) -> str:
    """A small line chart (server-side SVG) of target values by report date."""
    dates = sorted({p.date for p in points})
    if not dates:
        return ""
    top = max(max(p.value for p in points), Decimal(1))
    width = CHART_WIDTH - 2 * MARGIN
    height = CHART_HEIGHT - 2 * MARGIN

    def x(date: str) -> float:
        step = width / (len(dates) - 1) if len(dates) > 1 else 0
        return MARGIN + (dates.index(date) * step if len(dates) > 1 else width / 2)

    def y(value: Decimal) -> float:
        return MARGIN + height - float(value / top) * height

    parts = [
        f'<svg class="history-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} '
        f'{CHART_HEIGHT}"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{MARGIN}" y1="{MARGIN + height}" x2="{MARGIN + width}" '
        f'y2="{MARGIN + height}" stroke="#888"/>',
        f'<text x="4" y="{MARGIN + 4}" font-size="11">{_num(top)}</text>',
        f'<text x="4" y="{MARGIN + height}" font-size="11">0</text>',
    ]
    for date in dates:
        parts.append(
            f'<text x="{x(date):.1f}" y="{CHART_HEIGHT - 8}" font-size="11" '
            f'text-anchor="middle">{escape(date)}</text>'
        )
    for key, line in series(points).items():
        coords = " ".join(f"{x(p.date):.1f},{y(p.value):.1f}" for p in line)
        parts.append(f'<polyline class="series" fill="none" stroke="#1b5e9a" points="{coords}"/>')
        for p in line:
            parts.append(
                f'<circle class="point" cx="{x(p.date):.1f}" cy="{y(p.value):.1f}" r="4" '
                f'fill="#1b5e9a"><title>{escape(key)} {escape(p.date)}: {_num(p.value)}'
                f"{escape(p.unit)}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
