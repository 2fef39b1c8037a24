"""Targets over time, and what changed between two reports of one institution.

Unit, objective and indicator IRIs are keyed by their names and texts, so the same
objective in January's and February's report is one IRI stated in two named graphs (one
per report); a target's IRI follows its text, so a changed value is a new target under
the same parent. History therefore reads each report's graph on its own (``GRAPH
?report``), never the union, and pairs targets by parent:

- ``history(store, node)``: for an objective or indicator, its numeric targets in every
  report that states it, by report date (``svg_chart`` draws them);
- ``changes(store, before, after)``: units added and removed, and targets raised or
  lowered: under one indicator (or objective, when targets hang from it), targets pair
  by their ``M1``-style label when both have one, else by reading order.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    + """SELECT ?report ?parent ?ptext ?unit ?uname ?target ?text ?value ?label ?line WHERE {
  GRAPH ?report {
    ?parent lotaip:hasTarget ?target .
    { ?unit org:purpose ?parent } UNION { ?unit org:purpose/lotaip:hasIndicator ?parent }
    ?target qudt:numericValue ?value .
    OPTIONAL { ?parent rdfs:label ?ptext }
    OPTIONAL { ?unit rdfs:label ?uname }
    OPTIONAL { ?target lotaip:targetText ?text }
    OPTIONAL { ?target skos:notation ?label }
    OPTIONAL { ?target lotaip:sourceLine ?line }
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


def changes(store: Store, before: URIRef, after: URIRef) -> Changes:
    """Units added and removed, and targets raised or lowered, from ``before`` to ``after``."""
    result = Changes(before, after)
    old, new = _units(store, before), _units(store, after)
    result.units_added = sorted(((u, new[u]) for u in new.keys() - old.keys()), key=_by_name)
    result.units_removed = sorted(((u, old[u]) for u in old.keys() - new.keys()), key=_by_name)
    old_targets, new_targets = _targets(store, before), _targets(store, after)
    for parent in sorted(old_targets.keys() & new_targets.keys()):
        for was, now in _pairs(old_targets[parent], new_targets[parent]):
            if was.value == now.value:
                continue
            change = _change(was, now)
            (result.raised if change.raised else result.lowered).append(change)
    return result


def _by_name(pair: tuple[URIRef, str]) -> str:
    return pair[1]


def _units(store: Store, report: URIRef) -> dict[URIRef, str]:
    return {URIRef(r["unit"]): _str(r, "name") for r in store.select(UNITS, {"report": report})}


@dataclass(frozen=True)
class _Stated:
    """A numeric target as one report states it."""

    value: Decimal
    label: str
    line: int
    text: str
    unit: URIRef
    unit_name: str
    parent: URIRef
    parent_text: str


def _targets(store: Store, report: URIRef) -> dict[str, list[_Stated]]:
    """Numeric targets of ``report`` by parent IRI, in reading order."""
    by_parent: dict[str, dict[str, _Stated]] = {}
    for row in store.select(TARGETS, {"report": report}):
        target = _Stated(
            Decimal(str(row["value"])),
            _str(row, "label"),
            int(str(row.get("line", 0))),
            _str(row, "text"),
            URIRef(row["unit"]),
            _str(row, "uname"),
            URIRef(row["parent"]),
            _str(row, "ptext"),
        )
        by_parent.setdefault(str(row["parent"]), {}).setdefault(str(row["target"]), target)
    return {
        parent: sorted(targets.values(), key=lambda t: t.line)
        for parent, targets in by_parent.items()
    }


def _pairs(old: Sequence[_Stated], new: Sequence[_Stated]) -> list[tuple[_Stated, _Stated]]:
    """Targets of one parent in both reports: by label when all have one, else by order."""
    if all(t.label for t in (*old, *new)):
        labelled = {t.label: t for t in new}
        return [(t, labelled[t.label]) for t in old if t.label in labelled]
    return list(zip(old, new, strict=False))


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
