"""pyrudof against pyshacl (the reference) on our shapes and a real report (issue 7).

The build validates with pyshacl. pyrudof is measured as a faster replacement in
``benchmarks/bench_shacl.py``; these tests pin what a switch would rely on: both engines
find the same results (focus node, path, constraint component, severity) on a real report
and on broken copies of it, and one pyrudof session validates each report alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pyrudof
import pytest
from conftest import EXAMPLES
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from publisher.mapping import map_report
from publisher.parse import parse_file
from publisher.uris import Urls
from publisher.validate import shapes_graph, validate
from publisher.vocab import LOTAIP, SH

Key = tuple[str, str, str, str]
DCT_ISSUED = URIRef("http://purl.org/dc/terms/issued")
DCT_PUBLISHER = URIRef("http://purl.org/dc/terms/publisher")
ORG_PURPOSE = URIRef("http://www.w3.org/ns/org#purpose")
QUDT_VALUE = URIRef("http://qudt.org/schema/qudt/numericValue")


@pytest.fixture(scope="module")
def report_graph() -> Graph:
    """The SOT report of January 2023 as the build maps it."""
    return map_report(
        parse_file(EXAMPLES / "sot-2023-01.txt"), Urls("http://localhost:8000/")
    ).graph


@pytest.fixture(scope="module")
def session() -> pyrudof.Rudof:
    """A pyrudof session holding our shapes and an empty data graph."""
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes_graph().serialize(format="turtle"))
    rudof.read_data("# empty\n", format=pyrudof.RDFFormat.NTriples, merge=False)
    return rudof


def pyshacl_results(graph: Graph) -> Counter[Key]:
    """The build's validator's results, as comparable keys."""
    results = validate(graph).results_graph
    keys: Counter[Key] = Counter()
    for node in results.subjects(RDF.type, SH.ValidationResult):
        term = results.value(node, SH.resultPath)
        path = f"^{results.value(term, SH.inversePath)}" if isinstance(term, BNode) else term
        severity = str(results.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        focus = str(results.value(node, SH.focusNode))
        component = str(results.value(node, SH.sourceConstraintComponent))
        keys[(focus, str(path or ""), component, severity)] += 1
    return keys


def pyrudof_results(session: pyrudof.Rudof, graph: Graph) -> Counter[Key]:
    """pyrudof's results on ``graph`` alone: read in a staging frame, rolled back after."""
    session.begin_staging()
    try:
        session.read_data(
            graph.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples, merge=True
        )
        report = session.validate_shacl()
    finally:
        session.rollback_staging()
    keys: Counter[Key] = Counter()
    for entry in report:
        # pyrudof writes an inverse path as "^(iri)"
        path = (entry.path or "").replace("^(", "^").removesuffix(")")
        keys[(entry.focus_node, path, entry.constraint_component, entry.severity)] += 1
    return keys


def _first(graph: Graph, cls: URIRef) -> URIRef:
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))[0]


def _replace(graph: Graph, node: Node, predicate: URIRef, value: Node | None) -> None:
    graph.remove((node, predicate, None))
    if value is not None:
        graph.add((node, predicate, value))


def _no_date(g: Graph) -> None:
    _replace(g, _first(g, LOTAIP.Report), DCT_ISSUED, None)


def _date_as_text(g: Graph) -> None:
    _replace(g, _first(g, LOTAIP.Report), DCT_ISSUED, Literal("2023-01-31"))


def _ill_typed_value(g: Graph) -> None:
    _replace(g, _first(g, LOTAIP.Target), QUDT_VALUE, Literal("50", datatype=XSD.string))


def _publisher_of_the_wrong_class(g: Graph) -> None:
    _replace(g, _first(g, LOTAIP.Report), DCT_PUBLISHER, _first(g, LOTAIP.SourceFile))


def _target_of_a_unit(g: Graph) -> None:  # sh:or of two sh:class
    _replace(g, _first(g, LOTAIP.Target), LOTAIP.isTargetOf, _first(g, LOTAIP.AdministrativeUnit))


def _orphan_objective(g: Graph) -> None:  # sh:inversePath
    g.remove((None, ORG_PURPOSE, _first(g, LOTAIP.Objective)))


def _empty_label(g: Graph) -> None:
    _replace(g, _first(g, LOTAIP.Indicator), RDFS.label, Literal("", lang="es"))


def _percent_over_100(g: Graph) -> None:  # a warning only
    _replace(g, _first(g, LOTAIP.Target), QUDT_VALUE, Literal("120", datatype=XSD.decimal))


BREAKAGES: dict[str, tuple[Callable[[Graph], None], str, str]] = {
    "no date": (_no_date, "MinCount", "Violation"),
    "date as text": (_date_as_text, "Datatype", "Violation"),
    "value as xsd:string": (_ill_typed_value, "Datatype", "Violation"),
    "publisher of the wrong class": (_publisher_of_the_wrong_class, "Class", "Violation"),
    "target of a unit": (_target_of_a_unit, "Or", "Violation"),
    "objective no unit points to": (_orphan_objective, "MinCount", "Violation"),
    "empty label": (_empty_label, "MinLength", "Violation"),
    "percent over 100": (_percent_over_100, "Or", "Warning"),
}


def test_both_engines_find_a_real_report_conforms(
    report_graph: Graph, session: pyrudof.Rudof
) -> None:
    assert pyshacl_results(report_graph) == Counter()
    assert pyrudof_results(session, report_graph) == Counter()


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_pyrudof_finds_what_pyshacl_finds(
    name: str, report_graph: Graph, session: pyrudof.Rudof
) -> None:
    breakage, component, severity = BREAKAGES[name]
    broken = Graph()
    for triple in report_graph:
        broken.add(triple)
    breakage(broken)
    reference = pyshacl_results(broken)
    assert any(
        key[2] == f"{SH}{component}ConstraintComponent" and key[3] == severity for key in reference
    ), reference
    assert pyrudof_results(session, broken) == reference


def test_one_session_validates_each_report_alone(
    report_graph: Graph, session: pyrudof.Rudof
) -> None:
    broken = Graph()
    for triple in report_graph:
        broken.add(triple)
    _date_as_text(broken)
    assert pyrudof_results(session, broken)
    # had the text date stayed, the report would have two dates: a MaxCount violation
    assert pyrudof_results(session, report_graph) == Counter()
