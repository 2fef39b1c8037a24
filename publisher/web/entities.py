"""Kind-specific page content: the institution's tree and chart, the report's contents,
the vocabulary index. Each function turns query rows into plain data for a template.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import request
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Identifier
from werkzeug.exceptions import BadRequest

from publisher.records import PROCESS_LEVELS
from publisher.vocab import LOTAIP, UNIT
from publisher.web import insights, queries
from publisher.web.pages import store
from publisher.web.view import Description

Row = dict[str, Identifier]

#: Height of the histogram's plot area and width of one bin's slot (SVG units).
CHART_PLOT_HEIGHT = 160
CHART_SLOT = 56


@dataclass
class Node:
    """A unit, objective, indicator or target on an institution page."""

    iri: Identifier
    label: str
    value: Decimal | None = None
    percent: bool = False
    children: list[Node] = field(default_factory=list)


def page_for(desc: Description, lang: str) -> tuple[str, dict[str, Any]]:
    """The template for ``desc`` and the extra data it needs."""
    if LOTAIP.Institution in desc.types:
        sort = unit_sort(request.args.get("sort", ""))
        quality = insights.report_quality(desc.iri, lang)  # pooled over its reports
        data = institution_data(desc.iri, lang)
        data["units"] = unit_table(data["tree"], data.get("targets", []), sort)
        links = sort_links(sort, request.args.get("lang"))
        return "institution.html", {**data, "quality": quality, "sort": sort, "sort_links": links}
    if LOTAIP.Report in desc.types:
        quality = insights.report_quality(desc.iri, lang)
        return "report.html", {"units": report_units(desc.iri, lang), "quality": quality}
    extra: dict[str, Any] = {"trail": trail(desc.iri)}
    if LOTAIP.Objective in desc.types or LOTAIP.Indicator in desc.types:
        extra.update(insights.target_history(desc.iri))  # targets over time (issue 9)
    if LOTAIP.Indicator in desc.types or LOTAIP.Target in desc.types:
        extra["planning"] = planning_link(desc.iri)
    return "resource.html", extra


@dataclass
class PlanningLink:
    """Where an indicator's targets can be verified: ``href`` only for an http(s) address."""

    text: str
    href: str | None


def planning_link(iri: URIRef) -> PlanningLink | None:
    """The planning-system link of indicator ``iri`` or of the indicator of target ``iri``;
    the note saying why there is none when that is what the report wrote."""
    rows = store().select(queries.PLANNING_LINK, {"s": iri})
    if not rows:
        return None
    link, note = rows[0].get("link"), rows[0].get("note")
    if link is not None:  # an IRI that is not http(s) is shown, never linked
        address = str(link)
        linked = address.lower().startswith(("http://", "https://"))
        return PlanningLink(address, address if linked else None)
    return PlanningLink(str(note), None)


#: Order of the trail, from the top.
_TRAIL_ORDER = [LOTAIP.Institution, LOTAIP.AdministrativeUnit, LOTAIP.Objective, LOTAIP.Indicator]


def trail(iri: URIRef) -> list[Node]:
    """The institution, unit, objective and indicator ``iri`` sits under, top first."""
    found: list[Node] = []
    current: Identifier = iri
    for _ in _TRAIL_ORDER:  # never more steps than levels, whatever the data says
        rows = store().select(queries.PARENT, {"s": current})
        parent = next((r for r in rows if r["type"] in _TRAIL_ORDER), None)
        if parent is None:
            break
        found.insert(0, Node(parent["up"], _label(parent, parent["up"])))
        current = parent["up"]
    return found


def _label(row: Row, node: Identifier) -> str:
    label = row.get("label")
    return str(label) if label is not None else str(node).rsplit("/", 1)[-1]


def _attach(nodes: dict[Identifier, Node], rows: list[Row]) -> dict[Identifier, Node]:
    """Make a node of each row and hang it under its ``parent`` node (one per IRI)."""
    made: dict[Identifier, Node] = {}
    for row in sorted(rows, key=lambda r: _label(r, r["node"])):
        parent = nodes.get(row["parent"])
        if parent is None or row["node"] in made:
            continue
        node = Node(row["node"], _label(row, row["node"]))
        if isinstance(row.get("value"), Literal):
            node.value = Decimal(str(row["value"]))
            node.percent = row.get("unit") == UNIT.PERCENT
        made[row["node"]] = node
        parent.children.append(node)
    return made


def _level_order(level: Identifier | None) -> int:
    key = str(level or "").rsplit("/", 1)[-1]
    order = list(PROCESS_LEVELS)
    return order.index(key) if key in order else len(order)


Tree = list[tuple[str, list[Node]]]


def institution_tree(iri: URIRef, report: URIRef, lang: str) -> tuple[Tree, list[Node]]:
    """Units of ``iri`` by process level, each with its objectives, indicators and targets,
    as ``report`` states them; and every target, for the chart."""
    bind = {"s": iri, "report": report}
    levels: dict[Identifier | None, Node] = {}
    units: dict[Identifier, Node] = {}
    rows = store().select(queries.INSTITUTION_UNITS, {**bind, "lang": Literal(lang)})
    for row in sorted(rows, key=lambda r: (_level_order(r.get("level")), str(r.get("uname")))):
        level = levels.setdefault(row.get("level"), Node(iri, str(row.get("levelLabel", ""))))
        if row["unit"] not in units:
            units[row["unit"]] = Node(row["unit"], str(row.get("uname", row["unit"])))
            level.children.append(units[row["unit"]])
    objectives = _attach(units, store().select(queries.INSTITUTION_OBJECTIVES, bind))
    indicators = _attach(objectives, store().select(queries.INSTITUTION_INDICATORS, bind))
    targets = _attach(
        {**objectives, **indicators}, store().select(queries.INSTITUTION_TARGETS, bind)
    )
    tree = [(level.label, level.children) for level in levels.values()]
    return tree, list(targets.values())


def report_units(iri: URIRef, lang: str) -> list[Row]:
    """Units stated in report ``iri``, by process level in organic order, then by name."""
    rows = store().select(queries.REPORT_UNITS, {"s": iri, "lang": Literal(lang)})
    return sorted(rows, key=lambda r: (_level_order(r.get("level")), str(r.get("uname"))))


def chart(targets: list[Node]) -> dict[str, Any]:
    """A histogram of the percentage targets in 10-point bins (0–10 … 90–100, then one bin
    for values above 100), every target counted, laid out for a server-side SVG. The old
    chart drew only the 60 largest values and clipped its labels (issue 15)."""
    values = [t.value or Decimal(0) for t in targets if t.percent]
    edges = list(range(0, 100, 10))
    counts = [0] * (len(edges) + 1)
    for value in values:
        # a bin holds its upper edge (10 % is in 0–10, 100 % in 90–100)
        counts[min(max(math.ceil(value / 10) - 1, 0), len(edges))] += 1
    labels = [f"{low}–{low + 10}" for low in edges] + ["> 100"]
    if not counts[-1]:
        counts, labels = counts[:-1], labels[:-1]
    tallest = max(counts, default=0) or 1
    plot_left, plot_top, plot_height, slot = 40, 20, CHART_PLOT_HEIGHT, CHART_SLOT
    bars = []
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        height = count * plot_height / tallest
        bars.append(
            {
                "label": label,
                "count": count,
                "x": plot_left + i * slot + 4,
                "y": plot_top + plot_height - height,
                "width": slot - 8,
                "height": height,
            }
        )
    return {
        "bars": bars if values else [],
        "total": len(values),
        "width": plot_left + len(bars) * slot + 10,
        "height": plot_top + plot_height + 45,
        "left": plot_left,
        "top": plot_top,
        "bottom": plot_top + plot_height,
        "slot": slot,
    }


def institution_data(iri: URIRef, lang: str) -> dict[str, Any]:
    """What the institution page shows beyond the generic description."""
    reports = [r for r in store().select(queries.REPORTS) if r.get("i") == iri]
    if not reports:
        return {"tree": [], "chart": chart([]), "reports": [], "latest": None}
    latest = reports[0]  # REPORTS is newest first
    tree, targets = institution_tree(iri, URIRef(latest["r"]), lang)
    return {
        "tree": tree,
        "chart": chart(targets),
        "reports": reports,
        "latest": latest,
        "summary": summary(tree, targets),
        "targets": targets,
    }


#: Columns the institution page's unit table sorts by (``?sort=name``, ``?sort=-targets``
#: for the reverse): each a key of a unit's row.
UNIT_SORTS = ("level", "name", "objectives", "indicators", "targets")


def unit_sort(raw: str) -> str:
    """The unit table's sort (``level`` unless asked); 400 for a column it has not."""
    if not raw:
        return "level"
    if raw.removeprefix("-") not in UNIT_SORTS:
        raise BadRequest(f"sort must be one of {', '.join(UNIT_SORTS)} (- before: reversed)")
    return raw


def sort_links(sort: str, lang: str | None) -> dict[str, str]:
    """Each column header's link: that column, or its reverse when it is the sort now."""
    links = {}
    for column in UNIT_SORTS:
        args = {"sort": f"-{column}" if sort == column else column}
        if lang:
            args["lang"] = lang
        links[column] = f"?{urlencode(args)}#units"
    return links


@dataclass
class UnitRow:
    """A unit in the institution page's table: its counts, and its node to open."""

    node: Node
    level: str
    level_rank: int
    objectives: int
    indicators: int
    targets: int


def unit_table(tree: Tree, targets: list[Node], sort: str) -> list[UnitRow]:
    """Units of ``tree`` as table rows sorted by ``sort`` (see ``UNIT_SORTS``); ties, and
    the default, by process level in organic order, then by name."""
    target_iris = {t.iri for t in targets}
    rows = []
    for rank, (level, units) in enumerate(tree):
        for unit in units:
            items = [item for objective in unit.children for item in objective.children]
            indicators = [item for item in items if item.iri not in target_iris]
            count = sum(item.iri in target_iris for item in items)
            count += sum(len(indicator.children) for indicator in indicators)
            rows.append(UnitRow(unit, level, rank, len(unit.children), len(indicators), count))
    rows.sort(key=lambda r: (r.level_rank, r.node.label.casefold()))
    column, reverse = sort.removeprefix("-"), sort.startswith("-")
    keys: dict[str, Any] = {
        "level": lambda r: r.level_rank,
        "name": lambda r: r.node.label.casefold(),
        "objectives": lambda r: r.objectives,
        "indicators": lambda r: r.indicators,
        "targets": lambda r: r.targets,
    }
    rows.sort(key=keys[column], reverse=reverse)  # stable: ties keep the default order
    return rows


def summary(tree: Tree, targets: list[Node]) -> dict[str, int]:
    """How many units, objectives, indicators and targets the tree holds (the page's first
    lines). An objective's children are its indicators and the targets stated straight
    under it; only the former count as indicators."""
    target_iris = {t.iri for t in targets}
    units = [unit for _, level_units in tree for unit in level_units]
    objectives = [objective for unit in units for objective in unit.children]
    items = [item for objective in objectives for item in objective.children]
    return {
        "units": len(units),
        "objectives": len(objectives),
        "indicators": sum(1 for item in items if item.iri not in target_iris),
        "targets": len(targets),
    }


_KINDS = {
    OWL.Class: "classes",
    RDFS.Class: "classes",
    OWL.ObjectProperty: "properties",
    OWL.DatatypeProperty: "properties",
    RDF.Property: "properties",
    SKOS.Concept: "other",
}


def vocabulary_groups(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    """Terms of the vocabulary as classes, properties and other terms (one entry per term)."""
    kind_of: dict[Identifier, str] = {}
    entries: dict[Identifier, dict[str, Any]] = {}
    for row in rows:
        term = row["term"]
        if kind_of.get(term, "other") == "other":
            kind_of[term] = _KINDS.get(URIRef(str(row.get("type", ""))), "other")
        entry = entries.setdefault(term, {"iri": term, "label": None, "comment": None})
        entry["label"] = entry["label"] or row.get("label")
        entry["comment"] = entry["comment"] or row.get("comment")
    groups: dict[str, list[dict[str, Any]]] = {"classes": [], "properties": [], "other": []}
    for term, entry in entries.items():
        groups[kind_of[term]].append(entry)
    return groups
