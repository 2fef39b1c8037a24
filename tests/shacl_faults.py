"""Deliberate faults in a report's graph, one for each kind of rule our shapes check.

The SHACL equivalence test (``test_shacl_engines.py``) and ``benchmarks/bench_shacl.py``
break copies of the example reports with these and compare the build's engine with
pyshacl, the reference (``pyshacl_report``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from publisher.mapping.validate import ValidationReport, report_of, shapes_graph
from publisher.vocab import LOTAIP

DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
QUDT = "http://qudt.org/schema/qudt/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
FOAF = "http://xmlns.com/foaf/0.1/"
UNIT = "http://qudt.org/vocab/unit/"
UNIT_PERCENT = URIRef(UNIT + "PERCENT")


def pyshacl_report(graph: Graph) -> ValidationReport:
    """pyshacl's verdict on ``graph`` (with the options the build used), read as the build
    reads its own engine's results."""
    _, results, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
    )
    return report_of(results, graph)


def _first(graph: Graph, cls: str | URIRef) -> URIRef:
    """The first (by IRI) node of class ``cls``: each breakage hits a fixed node."""
    nodes = sorted(s for s in graph.subjects(RDF.type, URIRef(cls)) if isinstance(s, URIRef))
    if not nodes:
        raise LookupError(f"no {cls}")
    return nodes[0]


def _one(graph: Graph, predicate: str | URIRef) -> tuple[Node, Node]:
    """The first (subject, object) with ``predicate``."""
    pairs = sorted(graph.subject_objects(URIRef(predicate)))
    if not pairs:
        raise LookupError(f"no {predicate}")
    return pairs[0]


def _target_in(graph: Graph, percent: bool) -> Node:
    """The first (by IRI) target whose unit is (or, ``percent=False``, is not) a percentage."""
    for node, unit in sorted(graph.subject_objects(URIRef(QUDT + "unit"))):
        if (unit == UNIT_PERCENT) == percent:
            return node
    raise LookupError("no such target")


def _set(graph: Graph, node: Node, predicate: str | URIRef, value: Node) -> None:
    graph.remove((node, URIRef(predicate), None))
    graph.add((node, URIRef(predicate), value))


def _drop(graph: Graph, node: Node, predicate: str | URIRef) -> None:
    if (node, URIRef(predicate), None) not in graph:
        raise LookupError(f"{node} has no {predicate}")
    graph.remove((node, URIRef(predicate), None))


@dataclass(frozen=True)
class Breakage:
    """One deliberate fault and the constraint component our shapes should report."""

    name: str
    expects: str | None  # the sh: component pyshacl should report (local name); None: none
    severity: str | None
    apply: Callable[[Graph], None]

    def broken(self, graph: Graph) -> Graph:
        """A broken copy of ``graph`` (``LookupError`` when it has no node to break)."""
        copy = Graph()
        for triple in graph:
            copy.add(triple)
        self.apply(copy)
        return copy


def breakages() -> list[Breakage]:
    """One fault of each kind our shapes check (every constraint component they use)."""
    report = LOTAIP.Report
    target = LOTAIP.Target

    def objective_without_label(g: Graph) -> None:
        _drop(g, _first(g, LOTAIP.Objective), RDFS.label)

    def report_without_date(g: Graph) -> None:
        _drop(g, _first(g, report), DCT + "issued")

    def date_as_string(g: Graph) -> None:
        node = _first(g, report)
        _set(g, node, DCT + "issued", Literal(str(g.value(node, URIRef(DCT + "issued")))))

    def value_as_string(g: Graph) -> None:
        node, value = _one(g, QUDT + "numericValue")
        _set(g, node, QUDT + "numericValue", Literal(str(value)))

    def value_ill_typed(g: Graph) -> None:
        node, _ = _one(g, QUDT + "numericValue")
        _set(g, node, QUDT + "numericValue", Literal("cincuenta", datatype=XSD.decimal))

    def line_as_decimal(g: Graph) -> None:
        node = _first(g, LOTAIP.Indicator)
        line = g.value(node, LOTAIP.sourceLine)
        _set(g, node, LOTAIP.sourceLine, Literal(f"{line}.0", datatype=XSD.decimal))

    def publisher_wrong_class(g: Graph) -> None:
        node = _first(g, report)
        _set(g, node, DCT + "publisher", _first(g, LOTAIP.SourceFile))

    def target_of_a_unit(g: Graph) -> None:
        _set(g, _first(g, target), LOTAIP.isTargetOf, _first(g, LOTAIP.AdministrativeUnit))

    def unit_of_nothing_typed(g: Graph) -> None:
        unit = _first(g, LOTAIP.AdministrativeUnit)
        _set(g, unit, ORG + "unitOf", URIRef(str(unit) + "/no-institution"))

    def two_labels(g: Graph) -> None:
        g.add((_first(g, LOTAIP.Indicator), RDFS.label, Literal("otro texto", lang="es")))

    def empty_label(g: Graph) -> None:
        _set(g, _first(g, target), RDFS.label, Literal("", lang="es"))

    def label_without_language(g: Graph) -> None:
        _set(g, _first(g, LOTAIP.AdministrativeUnit), RDFS.label, Literal("Dirección"))

    def duplicate_language(g: Graph) -> None:
        g.add((_first(g, LOTAIP.Institution), RDFS.label, Literal("Otro nombre", lang="es")))

    def sha256_upper_case(g: Graph) -> None:
        node = _first(g, LOTAIP.SourceFile)
        _set(g, node, LOTAIP.sha256, Literal(str(g.value(node, LOTAIP.sha256)).upper()))

    def bad_email(g: Graph) -> None:
        node, _ = _one(g, VCARD + "hasEmail")
        _set(g, node, VCARD + "hasEmail", URIRef("mailto:sin-dominio"))

    def homepage_as_literal(g: Graph) -> None:
        node, page = _one(g, FOAF + "homepage")
        _set(g, node, FOAF + "homepage", Literal(str(page)))

    def source_format_unknown(g: Graph) -> None:
        _set(g, _first(g, LOTAIP.SourceFile), LOTAIP.sourceFormat, Literal("pdf"))

    def unit_not_listed(g: Graph) -> None:
        node, _ = _one(g, QUDT + "unit")
        _set(g, node, QUDT + "unit", URIRef(UNIT + "KiloGM"))

    def line_zero(g: Graph) -> None:
        _set(g, _first(g, target), LOTAIP.sourceLine, Literal(0))

    def orphan_objective(g: Graph) -> None:
        objective = _first(g, LOTAIP.Objective)
        g.remove((None, URIRef(ORG + "purpose"), objective))

    def institution_untyped(g: Graph) -> None:
        g.remove((_first(g, LOTAIP.Institution), RDF.type, URIRef(ORG + "FormalOrganization")))

    def generation_without_agent(g: Graph) -> None:
        _, generation = _one(g, PROV + "wasGeneratedBy")
        _drop(g, generation, PROV + "wasAssociatedWith")

    def due_date_as_string(g: Graph) -> None:
        node, value = _one(g, LOTAIP.dueDate)
        _set(g, node, LOTAIP.dueDate, Literal(str(value)))

    def percent_over_100(g: Graph) -> None:
        _set(
            g,
            _target_in(g, percent=True),
            QUDT + "numericValue",
            Literal("120", datatype=XSD.decimal),
        )

    def percent_below_0(g: Graph) -> None:
        _set(
            g,
            _target_in(g, percent=True),
            QUDT + "numericValue",
            Literal("-5", datatype=XSD.decimal),
        )

    def count_of_120(g: Graph) -> None:  # sh:not passes: not a percentage, no warning
        _set(
            g,
            _target_in(g, percent=False),
            QUDT + "numericValue",
            Literal("120", datatype=XSD.decimal),
        )

    def contact_without_name(g: Graph) -> None:
        node, _ = _one(g, VCARD + "fn")
        _drop(g, node, VCARD + "fn")

    return [
        Breakage("objective without label", "MinCount", "Violation", objective_without_label),
        Breakage("report without date", "MinCount", "Violation", report_without_date),
        Breakage("date as xsd:string", "Datatype", "Violation", date_as_string),
        Breakage("value as xsd:string", "Datatype", "Violation", value_as_string),
        Breakage('value "cincuenta"^^xsd:decimal', "Datatype", "Violation", value_ill_typed),
        Breakage("source line as xsd:decimal", "Datatype", "Violation", line_as_decimal),
        Breakage("publisher of the wrong class", "Class", "Violation", publisher_wrong_class),
        Breakage("target of a unit (sh:or of sh:class)", "Or", "Violation", target_of_a_unit),
        Breakage("unitOf an untyped node", "Class", "Violation", unit_of_nothing_typed),
        Breakage("indicator with two labels", "MaxCount", "Violation", two_labels),
        Breakage("empty target label", "MinLength", "Violation", empty_label),
        Breakage("unit label without language", "Datatype", "Violation", label_without_language),
        Breakage("two @es names", "UniqueLang", "Violation", duplicate_language),
        Breakage("sha256 in upper case", "Pattern", "Violation", sha256_upper_case),
        Breakage("bad mailto:", "Pattern", "Violation", bad_email),
        Breakage("homepage as a literal", "NodeKind", "Violation", homepage_as_literal),
        Breakage("source format pdf", "In", "Violation", source_format_unknown),
        Breakage("unit:KiloGM", "In", "Violation", unit_not_listed),
        Breakage("source line 0", "MinInclusive", "Violation", line_zero),
        Breakage(
            "objective no unit points to (inverse path)", "MinCount", "Violation", orphan_objective
        ),  # fmt: skip
        Breakage(
            "institution not org:FormalOrganization", "Class", "Violation", institution_untyped
        ),  # fmt: skip
        Breakage(
            "generation without agent (targetObjectsOf)",
            "MinCount",
            "Violation",
            generation_without_agent,
        ),  # fmt: skip
        Breakage("due date as xsd:string (sh:or)", "Or", "Violation", due_date_as_string),
        Breakage("percent 120 (warning)", "Or", "Warning", percent_over_100),
        Breakage("percent -5 (warning)", "Or", "Warning", percent_below_0),
        Breakage("a count of 120 (no warning)", None, None, count_of_120),
        Breakage("contact without name (warning)", "MinCount", "Warning", contact_without_name),
    ]
