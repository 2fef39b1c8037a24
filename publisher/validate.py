"""STAGE 3: check a report's graph against the SHACL shapes in ``shapes/``.

``validate(graph)`` wraps pyshacl (no inference: instances already carry every class the
shapes target) and turns its results into readable lines: which record (source line),
which node, which property and which rule. Violations stop a report; warnings (such as a
percentage beyond 100) are published in the validation report (``results_graph``, an
``sh:ValidationReport``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from publisher.settings import PROJECT_ROOT
from publisher.vocab import LOTAIP, PREFIXES, RDF, SH

SHAPES_DIR = PROJECT_ROOT / "shapes"


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

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        kind = f" ({self.kind})" if self.kind else ""
        path = f" {self.path}:" if self.path else ":"
        value = f" (value {self.value})" if self.value is not None else ""
        shape = f", {self.shape}" if self.shape else ""
        return f"{where}{self.focus}{kind}{path} {self.message}{value} [{self.rule}{shape}]"


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


def validate(graph: Graph) -> ValidationReport:
    """Validate ``graph`` against the shapes; violations and warnings as readable lines."""
    _, results_graph, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
    )
    for prefix, namespace in PREFIXES.items():
        results_graph.bind(prefix, namespace)
    names = _Names(graph, shapes_graph())
    results = sorted(
        (_result(results_graph, r, graph, names) for r in _result_nodes(results_graph)),
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
    )


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
