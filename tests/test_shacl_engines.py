"""The build's SHACL engine (``shacl``) and pyrudof against pyshacl, the reference.

The build validates with the ``shacl`` engine behind ``publisher.mapping.validate`` (issue 21);
pyshacl, its engine before, is the reference. These tests pin that a report's results
stay what pyshacl gives: on the example reports, on synthetic ones and on broken copies
of the examples with one fault of every kind our shapes check (``shacl_faults``), the
same results (focus node, path, source shape, severity, message, value, rule), the same
readable lines and the same results graph (what ``validation.ttl`` publishes), whether
the engine is given N-Triples text (as a build worker does) or an rdflib graph.

pyrudof was measured as a replacement in issue 7; its tests pin the results it shares
with pyshacl (focus node, path, constraint component, severity).
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pyrudof
import pytest
from conftest import EXAMPLES
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node
from shacl_faults import Breakage, breakages, pyshacl_report

from publisher.mapping.rdf import map_report
from publisher.mapping.validate import ValidationReport, ntriples, shapes_graph, validate
from publisher.parse import parse_file
from publisher.store.embedded import to_ox
from publisher.synth import synth_reports
from publisher.uris import Urls
from publisher.vocab import LOTAIP, SH

Key = tuple[str, str, str, str]
DCT_ISSUED = URIRef("http://purl.org/dc/terms/issued")
DCT_PUBLISHER = URIRef("http://purl.org/dc/terms/publisher")
ORG_PURPOSE = URIRef("http://www.w3.org/ns/org#purpose")
QUDT_VALUE = URIRef("http://qudt.org/schema/qudt/numericValue")
URLS = Urls("http://localhost:8000/")
#: Constraint parameters of a shape that are not constraints.
NOT_CONSTRAINTS = {SH.path, SH.message, SH.severity, SH.name, SH.property, RDF.type}
NOT_CONSTRAINTS |= {SH.targetClass, SH.targetObjectsOf, SH.targetSubjectsOf, SH.targetNode}


@pytest.fixture(scope="module", autouse=True)
def quiet_ill_typed_literals() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal, the very values some faults make."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def examples() -> dict[str, Graph]:
    """The example reports as the build maps them."""
    return {
        path.name: map_report(parse_file(path), URLS).graph for path in sorted(EXAMPLES.iterdir())
    }


@pytest.fixture(scope="module")
def report_graph(examples: dict[str, Graph]) -> Graph:
    """The SOT report of January 2023 as the build maps it."""
    return examples["sot-2023-01.txt"]


@pytest.fixture(scope="module")
def faults(examples: dict[str, Graph]) -> dict[str, list[tuple[str, Graph, ValidationReport]]]:
    """Per fault: each example it applies to, broken, with pyshacl's verdict."""
    corpus: dict[str, list[tuple[str, Graph, ValidationReport]]] = {}
    for breakage in breakages():
        corpus[breakage.name] = []
        for name, graph in examples.items():
            try:
                broken = breakage.broken(graph)
            except LookupError:
                continue  # this report has no node the fault needs
            corpus[breakage.name].append((name, broken, pyshacl_report(broken)))
    return corpus


def as_text(graph: Graph) -> str:
    """``graph`` as the N-Triples text a build worker hands the engine."""
    return ntriples((to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)


def our_messages() -> set[str]:
    """The ``sh:message`` texts of our shapes."""
    return {str(message) for message in shapes_graph().objects(None, SH.message)}


def assert_same(ours: ValidationReport, reference: ValidationReport) -> None:
    """The same results, lines and results graph as pyshacl's.

    Messages: where a shape has its own ``sh:message`` both engines give it. Where it has
    none, pyshacl writes a text of its own ("Value is not of Node Kind sh:IRI") and the
    ``shacl`` engine none, which our lines show as "does not conform".
    """
    mine = our_messages()
    theirs = {r.message for r in reference.results} - mine
    assert {r.message for r in ours.results} - mine <= {"does not conform"}
    assert ours.results == tuple(
        r if r.message in mine else replace(r, message="does not conform")
        for r in reference.results
    )
    assert ours.conforms == reference.conforms
    expected = Graph()
    for s, p, o in reference.results_graph:
        if not (p == SH.resultMessage and str(o) in theirs):
            expected.add((s, p, o))
    with warnings.catch_warnings():  # rdflib warns on the ill-typed numbers some faults make
        warnings.simplefilter("ignore", UserWarning)
        assert isomorphic(ours.results_graph, expected)


def test_every_warning_has_our_message() -> None:
    """So the published validation.ttl (warnings only) says what it said with pyshacl."""
    shapes = shapes_graph()
    for shape in shapes.subjects(SH.severity, SH.Warning):
        assert shapes.value(shape, SH.message) is not None, shape


@pytest.mark.parametrize("breakage", breakages(), ids=lambda b: b.name)
def test_the_engine_gives_pyshacls_results_on_a_fault(
    breakage: Breakage, faults: dict[str, list[tuple[str, Graph, ValidationReport]]]
) -> None:
    cases = faults[breakage.name]
    assert cases, "the fault applies to no example report"
    for name, broken, reference in cases:
        rules = {(r.rule, r.severity) for r in reference.results}
        if breakage.expects is None:
            assert rules == set(), name
        else:
            assert (f"sh:{breakage.expects}ConstraintComponent", breakage.severity) in rules, name
        assert_same(validate(broken), reference)
        assert_same(validate(as_text(broken)), reference)


def test_the_faults_cover_every_rule_our_shapes_use(
    faults: dict[str, list[tuple[str, Graph, ValidationReport]]],
) -> None:
    shapes = shapes_graph()
    # the node shapes and their property shapes (not the shapes inside an sh:or)
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape))
    named = nodes | {prop for node in nodes for prop in shapes.objects(node, SH.property)}
    used = {
        f"sh:{str(p).removeprefix(str(SH))[:1].upper()}{str(p).removeprefix(str(SH))[1:]}"
        "ConstraintComponent"
        for shape in named
        for p in shapes.predicates(shape)
        if p not in NOT_CONSTRAINTS
    }
    reported = {r.rule for cases in faults.values() for _, _, ref in cases for r in ref.results}
    assert used == reported
    # the members of the percentage warning's sh:or (sh:not with sh:hasValue, then
    # sh:minInclusive and sh:maxInclusive) each decide one fault
    assert {"percent 120 (warning)", "percent -5 (warning)", "a count of 120 (no warning)"} <= {
        b.name for b in breakages()
    }


def test_the_engine_gives_pyshacls_results_on_whole_reports(examples: dict[str, Graph]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = sorted(EXAMPLES.iterdir()) + synth_reports(12, Path(tmp), seed=21)
        mapped = [map_report(parse_file(path), URLS) for path in paths]
    for report in mapped:
        ours = validate(report.ntriples())  # what a build worker does
        assert_same(ours, pyshacl_report(report.graph))
        assert ours.conforms, ours.violations


def test_a_result_names_its_record_from_ntriples_as_from_a_graph(report_graph: Graph) -> None:
    target = sorted(s for s in report_graph.subjects(RDF.type, LOTAIP.Target))[0]
    broken = Graph()
    for triple in report_graph:
        broken.add(triple)
    broken.set((target, QUDT_VALUE, Literal("abc", datatype=XSD.decimal)))
    from_text = validate(as_text(broken))
    line = report_graph.value(target, LOTAIP.sourceLine)
    assert from_text.violations == validate(broken).violations
    assert from_text.violations[0].startswith(f"line {line}: <{target}> (lotaip:Target)")


def test_the_engine_validates_each_report_alone(report_graph: Graph) -> None:
    broken = Graph()
    for triple in report_graph:
        broken.add(triple)
    _date_as_text(broken)
    assert not validate(broken).conforms
    # had the text date stayed, the report would have two dates: a MaxCount violation
    assert validate(report_graph).results == ()


# --------------------------------------------------------------------------- pyrudof


@pytest.fixture(scope="module")
def session() -> pyrudof.Rudof:
    """A pyrudof session holding our shapes and an empty data graph."""
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes_graph().serialize(format="turtle"))
    rudof.read_data("# empty\n", format=pyrudof.RDFFormat.NTriples, merge=False)
    return rudof


def pyshacl_results(graph: Graph) -> Counter[Key]:
    """The reference's results, as comparable keys."""
    results = pyshacl_report(graph).results_graph
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
