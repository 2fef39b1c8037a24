"""STAGE 3: check a report's graph against the SHACL shapes in ``shapes/``.

``validate(data)`` runs the ``shacl`` engine (a SHACL validator written in Rust; no
inference: instances already carry every class the shapes target) on one report, given
as N-Triples text (what a build worker has: ``MappedReport.ntriples()``) or as an rdflib
graph, and turns its results into readable lines: which record (source line), which
node, which property and which rule. Violations stop a report; warnings (such as a
percentage beyond 100) are published in the validation report (``results_graph``, an
``sh:ValidationReport``). Each report is validated alone: reports share institution and
unit nodes, so a merged graph gives wrong results.

pyshacl is the reference: ``tests/test_shacl_engines.py`` runs both on broken copies of
the reports and pins that their results graphs are the same (``report_of`` reads either).
The results graph is written as pyshacl writes it, so the published ``validation.ttl``
keeps its content: a result whose source shape is a blank property shape carries a copy
of that shape's description.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import shacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from publisher.mapping.rdf import Triple
from publisher.settings import PROJECT_ROOT
from publisher.store import rdftext
from publisher.store.rdftext import from_ox, iri_value, parse_ntriples, to_ox
from publisher.vocab import LOTAIP, PREFIXES, PROV, RDF, SH

SHAPES_DIR = PROJECT_ROOT / "shapes"
#: The IRIs the blank property shapes get for the engine, which relabels blank nodes:
#: a result names one of these, and ``shapes_graph()`` has the shape under its blank node.
SHAPE_IRI = "urn:lotaip:property-shape:"


@dataclass(frozen=True)
class Result:
    """One SHACL result, with what a reader needs to find the offending record."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: str  # the node, compacted (``lotaip:…`` or ``<iri>``)
    kind: str | None  # our class of the node, e.g. "lotaip:Target"
    path: str | None  # the property, e.g. "qudt:numericValue" or "^org:purpose"
    message: str
    rule: str  # constraint component, e.g. "sh:DatatypeConstraintComponent"
    shape: str | None  # the node shape the rule belongs to, e.g. "shapes:Target"
    line: int | None  # lotaip:sourceLine of the node, when it has one
    value: str | None = None  # the offending value, when there is one
    node: Node | None = field(default=None, compare=False)  # the result's node in the graph

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return where + self.describe()

    def describe(self) -> str:
        """The result without its line: node, class, property, message, value, rule."""
        kind = f" ({self.kind})" if self.kind else ""
        path = f" {self.path}:" if self.path else ":"
        value = f" (value {self.value})" if self.value is not None else ""
        shape = f", {self.shape}" if self.shape else ""
        return f"{self.focus}{kind}{path} {self.message}{value} [{self.rule}{shape}]"

    def located(self, file: str) -> str:
        """The result as ``FILE:LINE: …`` (``FILE: …`` for a node without a line)."""
        where = f"{file}:{self.line}" if self.line is not None else file
        return f"{where}: {self.describe()}"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one graph."""

    conforms: bool  # no violations (warnings do not count)
    violations: list[str]
    warnings: list[str]
    results_graph: Graph  # the sh:ValidationReport as RDF
    results: tuple[Result, ...] = ()


@functools.cache
def shapes_graph() -> Graph:
    """Every ``shapes/*.shacl.ttl``, parsed once."""
    graph = Graph()
    for path in sorted(SHAPES_DIR.glob("*.shacl.ttl")):
        graph.parse(path, format="turtle")
    graph.bind("shapes", str(LOTAIP) + "shapes/")
    return graph


def ntriples(triples: Iterable[Triple]) -> str:
    """The mapper's triples (pyoxigraph terms) as the N-Triples the engine reads."""
    return rdftext.ntriples(triples).decode("utf-8")


@functools.cache
def _engine() -> tuple[shacl.Shapes, dict[URIRef, BNode]]:
    """The shapes compiled once per process, and each property shape's IRI -> blank node."""
    shapes = shapes_graph()
    named = {
        node: URIRef(f"{SHAPE_IRI}{node}")
        for node in shapes.objects(None, SH.property)
        if isinstance(node, BNode)
    }

    def rename(term: Node) -> Node:
        return named.get(term, term) if isinstance(term, BNode) else term

    copy = Graph()
    for s, p, o in shapes:
        copy.add((rename(s), p, rename(o)))
    engine = shacl.Shapes.from_text(copy.serialize(format="nt"), format="ntriples")
    return engine, {iri: node for node, iri in named.items()}


def validate(data: Graph | str) -> ValidationReport:
    """Validate one report (N-Triples text or a graph); violations and warnings as lines."""
    if isinstance(data, Graph):  # through pyoxigraph: rdflib warns on ill-typed numbers
        text = ntriples((to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data)
    else:
        text = data
    engine, property_shapes = _engine()
    # warnings are allowed: conforms is false only when a result is a violation
    outcome = engine.validate_text(text, format="ntriples", allow_warnings=True)
    results_graph = _as_pyshacl_writes(outcome.serialize("ntriples"), property_shapes)
    if isinstance(data, Graph):
        return report_of(results_graph, data)
    return report_of(results_graph, _about(text, results_graph))


def report_of(results_graph: Graph, data: Graph) -> ValidationReport:
    """An ``sh:ValidationReport`` graph as readable lines; ``data`` has the focus nodes."""
    nodes = _result_nodes(results_graph)
    if not nodes:  # most reports: nothing to name (binding the prefixes costs ~0.4 ms)
        return ValidationReport(True, [], [], results_graph, ())
    for prefix, namespace in PREFIXES.items():
        results_graph.bind(prefix, namespace)
    names = _Names(data, shapes_graph())
    results = sorted(
        (_result(results_graph, r, data, names) for r in nodes),
        key=lambda r: (r.line or 0, r.focus, r.path or "", r.rule),
    )
    violations = [str(r) for r in results if r.severity == "Violation"]
    warnings = [str(r) for r in results if r.severity != "Violation"]
    return ValidationReport(
        conforms=not violations,
        violations=violations,
        warnings=warnings,
        results_graph=results_graph,
        results=tuple(results),
    )


def _as_pyshacl_writes(ntriples: str, property_shapes: dict[URIRef, BNode]) -> Graph:
    """The engine's results graph as pyshacl writes it (the content ``validation.ttl`` keeps).

    A blank property shape is named by its blank node in ``shapes_graph()`` and described
    there, as is a blank ``sh:resultPath`` (an inverse path): once each, as pyshacl does.
    """
    graph = Graph()
    graph.parse(data=ntriples, format="nt")
    # a SHACL 1.2 statement on the report node, which pyshacl (SHACL 1.0) does not write
    graph.remove((None, SH.conformanceDisallows, None))
    shapes = shapes_graph()
    kept: dict[BNode, BNode] = {}
    for result, iri in list(graph.subject_objects(SH.sourceShape)):
        shape = property_shapes.get(iri) if isinstance(iri, URIRef) else None
        if shape is None:
            continue
        graph.set((result, SH.sourceShape, _keep(shapes, shape, graph, kept)))
        path = shapes.value(shape, SH.path)
        if isinstance(path, BNode):
            engines = graph.value(result, SH.resultPath)
            if isinstance(engines, BNode):
                graph.remove((engines, None, None))
            graph.set((result, SH.resultPath, _keep(shapes, path, graph, kept)))
    return graph


def _keep(source: Graph, node: BNode, into: Graph, kept: dict[BNode, BNode]) -> BNode:
    """``node`` with its description copied into ``into``, once (pyshacl keeps its id)."""
    if node not in kept:
        kept[node] = node
        for predicate, obj in source.predicate_objects(node):
            into.add((node, predicate, _copy(source, obj, into) if isinstance(obj, BNode) else obj))
    return node


def _copy(source: Graph, node: BNode, into: Graph) -> BNode:
    """A fresh copy of a nested blank node's description (an inverse path, an RDF list)."""
    copy = BNode()
    for predicate, obj in source.predicate_objects(node):
        into.add((copy, predicate, _copy(source, obj, into) if isinstance(obj, BNode) else obj))
    return copy


def _about(text: str, results_graph: Graph) -> Graph:
    """The classes and source lines of the results' focus nodes, read from ``text``.

    Only these are read from the data (to name the node and its record), so a report
    with no result never pays for an rdflib graph.
    """
    focus = {str(node) for node in results_graph.objects(None, SH.focusNode)}
    about = Graph()
    if not focus:
        return about
    wanted = {str(RDF.type), str(LOTAIP.sourceLine)}
    for subject_term, predicate_term, term in parse_ntriples(text.encode("utf-8")):
        subject, predicate = iri_value(subject_term), iri_value(predicate_term)
        if subject in focus and predicate in wanted:
            about.add((URIRef(subject), URIRef(predicate), from_ox(term)))
    return about


def _result_nodes(results_graph: Graph) -> list[Node]:
    return list(results_graph.subjects(RDF.type, SH.ValidationResult))


def _result(results_graph: Graph, node: Node, data: Graph, names: _Names) -> Result:
    """One ``sh:ValidationResult`` as a ``Result``."""
    value = results_graph.value
    focus = value(node, SH.focusNode)
    severity = value(node, SH.resultSeverity)
    message = value(node, SH.resultMessage)
    offending = value(node, SH.value)
    line = data.value(focus, LOTAIP.sourceLine) if focus is not None else None
    return Result(
        severity=names.local(severity) if severity is not None else "Violation",
        focus=names.term(focus),
        kind=names.kind(focus),
        path=names.path(results_graph, value(node, SH.resultPath)),
        message=str(message) if message is not None else "does not conform",
        rule=names.term(value(node, SH.sourceConstraintComponent)),
        shape=names.shape(value(node, SH.sourceShape)),
        line=int(line) if isinstance(line, Literal) and str(line).isdigit() else None,
        value=names.term(offending) if offending not in (None, focus) else None,
        node=node,
    )


def locate(report: ValidationReport, source: URIRef, file_name: str) -> None:
    """Say, in ``report.results_graph``, where each result's node was read from.

    Each ``sh:ValidationResult`` gets ``prov:wasDerivedFrom`` the source file (whose
    ``lotaip:fileName`` is added too) and ``lotaip:sourceLine`` the row of its focus node,
    so ``validation.ttl`` names the file and row of every result without the data.
    """
    graph = report.results_graph
    for result in report.results:
        if result.node is None:
            continue
        graph.add((result.node, PROV.wasDerivedFrom, source))
        if result.line is not None:
            graph.add((result.node, LOTAIP.sourceLine, Literal(result.line)))
    if report.results:
        graph.add((source, LOTAIP.fileName, Literal(file_name)))


class _Names:
    """Short, readable names for the terms in a result."""

    def __init__(self, data: Graph, shapes: Graph) -> None:
        self.data = data
        self.shapes = shapes
        self.manager = shapes.namespace_manager
        for prefix, namespace in PREFIXES.items():
            self.manager.bind(prefix, namespace, override=False)

    def term(self, term: Node | None) -> str:
        if term is None:
            return "?"
        if isinstance(term, URIRef):
            try:
                return self.manager.curie(str(term), generate=False)
            except (KeyError, ValueError):
                return f"<{term}>"
        if isinstance(term, Literal):
            # by hand: rdflib's n3() warns on ill-typed numbers, the very values we report
            if term.language:
                return f'"{term}"@{term.language}'
            return f'"{term}"^^{self.term(term.datatype)}' if term.datatype else f'"{term}"'
        return "[]"

    def local(self, term: Node) -> str:
        return str(term).rsplit("#", 1)[-1]

    def kind(self, focus: Node | None) -> str | None:
        types = sorted(str(t) for t in self.data.objects(focus, RDF.type))
        ours = [t for t in types if t.startswith(str(LOTAIP))] or types
        return self.term(URIRef(ours[0])) if ours else None

    def path(self, graph: Graph, path: Node | None) -> str | None:
        if path is None:
            return None
        if isinstance(path, BNode):
            inverse = graph.value(path, SH.inversePath)
            if inverse is not None:
                return "^" + self.term(inverse)
        return self.term(path)

    def shape(self, shape: Node | None) -> str | None:
        """The named node shape a (possibly blank) property shape belongs to."""
        if isinstance(shape, BNode):
            owner = self.shapes.value(None, SH.property, shape)
            shape = owner if owner is not None else shape
        return self.term(shape) if isinstance(shape, URIRef) else None
