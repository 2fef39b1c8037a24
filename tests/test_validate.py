"""SHACL validation: the real reports conform; broken graphs give the right violation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from handmade import BASE, GENERATED_AT, small_report
from rdflib import Graph, Literal, URIRef

from publisher.mapping.rdf import map_report
from publisher.mapping.validate import ValidationReport, validate
from publisher.parse import parse_file
from publisher.records import Report
from publisher.uris import Urls
from publisher.vocab import DCTERMS, LOTAIP, ORG, QUDT, RDF, SH, VCARD, XSD

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"


def _graph(report: Report | None = None) -> Graph:
    return map_report(report or small_report(), Urls(BASE), generated_at=GENERATED_AT).graph


def _one_violation(outcome: ValidationReport, *needles: str) -> str:
    """The single violation line containing every needle (fails with all lines otherwise)."""
    hits = [v for v in outcome.violations if all(n in v for n in needles)]
    assert len(hits) == 1, "\n".join(outcome.violations)
    return hits[0]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_the_real_reports_conform(path: Path) -> None:
    outcome = validate(_graph(parse_file(path)))
    assert outcome.conforms, "\n".join(outcome.violations)
    assert outcome.violations == []


def test_the_hand_made_report_conforms_and_reports_in_rdf() -> None:
    outcome = validate(_graph())
    assert outcome.conforms
    reports = list(outcome.results_graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert outcome.results_graph.value(reports[0], SH.conforms) == Literal(True)


def test_a_target_value_abc_is_a_datatype_violation_with_its_line() -> None:
    graph = _graph()
    target, value = next(iter(graph.subject_objects(QUDT.numericValue)))
    graph.remove((target, QUDT.numericValue, value))
    graph.add((target, QUDT.numericValue, Literal("abc", datatype=XSD.decimal)))
    outcome = validate(graph)
    assert not outcome.conforms
    line = graph.value(target, LOTAIP.sourceLine)
    message = _one_violation(outcome, "qudt:numericValue", "DatatypeConstraintComponent")
    assert message.startswith(f"line {line}: <{target}> (lotaip:Target)")
    assert '"abc"' in message


def test_an_objective_with_no_unit_is_a_violation() -> None:
    graph = _graph()
    unit, objective = next(iter(graph.subject_objects(ORG.purpose)))
    graph.remove((unit, ORG.purpose, objective))
    graph.remove((objective, LOTAIP.isObjectiveOf, unit))
    outcome = validate(graph)
    message = _one_violation(outcome, "^org:purpose", "MinCountConstraintComponent")
    assert f"<{objective}> (lotaip:Objective)" in message
    assert "belongs to exactly one administrative unit" in message


def test_a_report_with_no_date_is_a_violation() -> None:
    report = small_report()
    report = replace(report, metadata=replace(report.metadata, updated=None))
    graph = _graph(report)
    dataset = URIRef(f"{BASE}id/reporte/sot/{report.source.sha256[:12]}")
    assert (dataset, RDF.type, LOTAIP.Report) in graph
    outcome = validate(graph)
    message = _one_violation(outcome, "dct:issued", "MinCountConstraintComponent")
    assert message.startswith(f"<{dataset}> (lotaip:Report)")


def test_a_malformed_email_is_a_violation() -> None:
    report = small_report()
    report = replace(report, metadata=replace(report.metadata, email="ana.perez at sot"))
    outcome = validate(_graph(report))
    _one_violation(outcome, "vcard:hasEmail", "PatternConstraintComponent")


def test_a_unit_without_its_institution_is_a_violation() -> None:
    graph = _graph()
    unit = next(iter(graph.subjects(RDF.type, LOTAIP.AdministrativeUnit)))
    graph.remove((unit, ORG.unitOf, None))
    _one_violation(validate(graph), "org:unitOf", "MinCountConstraintComponent")


def test_a_link_to_the_wrong_class_is_a_violation() -> None:
    graph = _graph()
    dataset = next(iter(graph.subjects(RDF.type, LOTAIP.Report)))
    graph.remove((dataset, DCTERMS.publisher, None))
    graph.add((dataset, DCTERMS.publisher, URIRef(f"{BASE}id/reporte/x")))
    _one_violation(validate(graph), "dct:publisher", "ClassConstraintComponent")


def test_a_percentage_beyond_100_is_only_a_warning() -> None:
    graph = _graph()
    target = next(iter(graph.subjects(QUDT.unit, URIRef("http://qudt.org/vocab/unit/PERCENT"))))
    graph.set((target, QUDT.numericValue, Literal("120.0", datatype=XSD.decimal)))
    outcome = validate(graph)
    assert outcome.conforms
    assert [w for w in outcome.warnings if "outside 0–100" in w and str(target) in w]


def test_a_second_contact_name_is_a_violation() -> None:
    graph = _graph()
    contact = next(iter(graph.subjects(RDF.type, VCARD.Individual)))
    graph.add((contact, VCARD.fn, Literal("Otra persona", lang="es")))
    _one_violation(validate(graph), "vcard:fn", "MaxCountConstraintComponent")


def test_a_contact_with_only_an_email_is_published_with_a_warning() -> None:
    report = small_report()
    footer = replace(report.metadata, responsible_person=None, responsible_unit=None, phone=None)
    outcome = validate(_graph(replace(report, metadata=footer)))
    assert outcome.conforms, "\n".join(outcome.violations)
    assert [w for w in outcome.warnings if "vcard:fn" in w and "without a name" in w]
