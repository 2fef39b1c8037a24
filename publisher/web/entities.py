"""Kind-specific page content: the institution's tree and chart, the report's contents,
the vocabulary index. Each function turns query rows into plain data for a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Identifier

from publisher.vocab import LOTAIP
from publisher.web import queries
from publisher.web.pages import store
from publisher.web.view import Description

Row = dict[str, Identifier]

#: Template per class; anything else gets the generic ``resource.html``.
TEMPLATES = {
    LOTAIP.Institution: "institution.html",
    LOTAIP.Report: "report.html",
}
CHART_WIDTH = 640
BAR_HEIGHT = 16


@dataclass
class Node:
    """A unit, objective, indicator or target on an institution page."""

    iri: Identifier
    label: str
    value: Decimal | None = None
    children: dict[Identifier, Node] = field(default_factory=dict)


def page_for(desc: Description, lang: str) -> tuple[str, dict[str, Any]]:
    """The template for ``desc`` and the extra data it needs."""
    for cls, template in TEMPLATES.items():
        if cls in desc.types:
            if cls == LOTAIP.Institution:
                return template, institution_data(desc.iri, lang)
            return template, {}
    return "resource.html", {}


def _text(row: Row, key: str, fallback: Identifier) -> str:
    value = row.get(key)
    return str(value) if value is not None else str(fallback).rsplit("/", 1)[-1]


def _child(parent: Node, row: Row, key: str, label_key: str) -> Node | None:
    iri = row.get(key)
    if iri is None:
        return None
    if iri not in parent.children:
        parent.children[iri] = Node(iri, _text(row, label_key, iri))
    return parent.children[iri]


def institution_tree(iri: URIRef, lang: str) -> list[tuple[str, list[Node]]]:
    """Units of ``iri`` grouped by process level, each with objectives, indicators, targets."""
    levels: dict[str, Node] = {}
    for row in store().select(queries.INSTITUTION_TREE, {"s": iri, "lang": Literal(lang)}):
        level_label = str(row.get("levelLabel", row.get("level", "")))
        level = levels.setdefault(level_label, Node(row.get("level", iri), level_label))
        unit = _child(level, row, "unit", "uname")
        objective = _child(unit, row, "objective", "otext") if unit else None
        if objective is None:
            continue
        holder = _child(objective, row, "indicator", "itext") or objective
        target = _child(holder, row, "target", "ttext")
        if target is not None and isinstance(row.get("value"), Literal):
            target.value = Decimal(str(row["value"]))
    return [(name, list(node.children.values())) for name, node in levels.items()]


def chart(iri: URIRef) -> dict[str, Any]:
    """Bars of the institution's percentage targets, sized for a small server-side SVG."""
    bars = []
    for i, row in enumerate(store().select(queries.INSTITUTION_PERCENT_TARGETS, {"s": iri})):
        value = max(Decimal(0), min(Decimal(100), Decimal(str(row["value"]))))
        label = str(row.get("label", row["target"]))
        bars.append(
            {
                "iri": row["target"],
                "label": label if len(label) <= 60 else label[:59] + "…",
                "value": row["value"],
                "y": i * (BAR_HEIGHT + 4),
                "width": float(value) * (CHART_WIDTH - 300) / 100,
            }
        )
    height = len(bars) * (BAR_HEIGHT + 4)
    return {"bars": bars, "width": CHART_WIDTH, "height": height, "bar_height": BAR_HEIGHT}


def institution_data(iri: URIRef, lang: str) -> dict[str, Any]:
    """What the institution page shows beyond the generic description."""
    reports = [r for r in store().select(queries.REPORTS) if r.get("i") == iri]
    return {"tree": institution_tree(iri, lang), "chart": chart(iri), "reports": reports}


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
