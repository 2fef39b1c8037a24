"""pyshacl (the reference) against the build's engine (shacl) and pyrudof (issues 7, 21).

Both engines validate the same graphs with the same ``shapes/``: the 5 example reports and
N synthetic ones (``publisher.synth``), each mapped alone as the build does, then broken
copies of the example reports (one deliberate fault each). Prints, per engine, the time per
report (median, p90) and triples/s, then every disagreement: whether a report conforms
(no violation; warnings do not count, as in the build) and the set of results as
(focus node, path, constraint component, severity). pyshacl is the reference.

    .venv/bin/python benchmarks/bench_shacl.py [--synthetic N] [--seed S] [--rounds R] [--replace]

Times are CPU time of this process. pyshacl's is ``publisher.validate.validate`` (what a
build worker runs, results turned into readable lines included). pyrudof's is its
N-Triples load plus validation; turning the rdflib graph into N-Triples for it is timed
apart ("convert"). Messages: where our shapes give an ``sh:message``, the build shows it
to publishers, so the last section lists the rules where pyrudof gives its own text.
"""

from __future__ import annotations

import argparse
import functools
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyrudof
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from publisher.mapping import map_report
from publisher.parse import parse_file
from publisher.settings import PROJECT_ROOT
from publisher.store import to_ox
from publisher.synth import synth_reports
from publisher.uris import Urls
from publisher.validate import ntriples, shapes_graph, validate
from publisher.vocab import LOTAIP, SH

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from shacl_faults import pyshacl_report  # noqa: E402  (the tests' reference, on the path above)

EXAMPLES = PROJECT_ROOT / "examples" / "reports"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
QUDT = "http://qudt.org/schema/qudt/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
FOAF = "http://xmlns.com/foaf/0.1/"
UNIT = "http://qudt.org/vocab/unit/"
UNIT_PERCENT = URIRef(UNIT + "PERCENT")

#: Times are this process's CPU time: both engines run on one thread, and CPU time is what
#: a shared machine's load disturbs least (the build's figures are CPU seconds too).
_clock = time.process_time

#: One result as both engines can name it: focus node, path, constraint component, severity.
Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Outcome:
    """One engine's verdict on one graph."""

    conforms: bool  # no result of severity Violation (warnings do not count, as in the build)
    keys: Counter[Key]  # a multiset: an engine reporting a result twice is a disagreement
    messages: dict[Key, str]
    seconds: float  # load (pyrudof only) and validation
    loading: float = 0.0  # of which loading the data (pyrudof only)


# --------------------------------------------------------------------------- engines


def run_pyshacl(graph: Graph) -> Outcome:
    """Validate with pyshacl, the reference (the build's engine until issue 21)."""
    start = _clock()
    report = pyshacl_report(graph)
    seconds = _clock() - start
    results = report.results_graph
    keys: Counter[Key] = Counter()
    messages: dict[Key, str] = {}
    for node in results.subjects(RDF.type, SH.ValidationResult):
        key = (
            str(results.value(node, SH.focusNode)),
            _pyshacl_path(results, results.value(node, SH.resultPath)),
            str(results.value(node, SH.sourceConstraintComponent)),
            _local(results.value(node, SH.resultSeverity)),
        )
        keys[key] += 1
        messages[key] = str(results.value(node, SH.resultMessage) or "")
    return Outcome(report.conforms, keys, messages, seconds)


def _pyshacl_path(results: Graph, path: Node | None) -> str:
    if path is None:
        return ""
    if isinstance(path, BNode):
        inverse = results.value(path, SH.inversePath)
        return f"^{inverse}" if inverse is not None else "(complex path)"
    return str(path)


class Rudof:
    """A pyrudof session holding our shapes, validating one report's data at a time.

    ``replace=False`` (the fast way): the session holds an empty graph; each report is
    read into a staging frame that is rolled back after validation. ``replace=True``:
    each report replaces the data with ``read_data(merge=False)``, which costs a fixed
    ~35 ms per call here whatever the size (even for one triple).
    """

    def __init__(self, replace: bool = False) -> None:
        self.replace = replace
        self.session = pyrudof.Rudof(pyrudof.RudofConfig())
        self.session.read_shacl(shapes_graph().serialize(format="turtle"))
        self.session.read_data("# empty\n", format=pyrudof.RDFFormat.NTriples, merge=False)

    def run(self, ntriples: str) -> Outcome:
        """Validate ``ntriples`` alone (nothing of the previous report is left)."""
        start = _clock()
        if not self.replace:
            self.session.begin_staging()
        self.session.read_data(
            ntriples,
            format=pyrudof.RDFFormat.NTriples,
            reader_mode=pyrudof.ReaderMode.Strict,
            # explicit: pyrudof 0.3.35 merges when merge is left out (its docstring says
            # the default replaces)
            merge=not self.replace,
        )
        loaded = _clock()
        try:
            report = self.session.validate_shacl()
        finally:
            if not self.replace:
                self.session.rollback_staging()
        seconds = _clock() - start
        keys: Counter[Key] = Counter()
        messages: dict[Key, str] = {}
        for entry in report:
            key = (
                _unbracket(entry.focus_node),
                _rudof_path(entry.path),
                entry.constraint_component,
                _local(entry.severity),
            )
            keys[key] += 1
            messages[key] = (entry.message or "").strip('"')
        conforms = not any(k[3] == "Violation" for k in keys)
        return Outcome(conforms, keys, messages, seconds, loaded - start)


def _rudof_path(path: str | None) -> str:
    """pyrudof's path in ``_pyshacl_path``'s form (it writes an inverse path ``^(iri)``)."""
    if not path:
        return ""
    if path.startswith("^"):
        return "^" + _unbracket(path[1:].removeprefix("(").removesuffix(")"))
    return _unbracket(path)


def _unbracket(term: str) -> str:
    return term[1:-1] if term.startswith("<") and term.endswith(">") else term


def _local(term: object) -> str:
    return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if term is not None else "Violation"


# --------------------------------------------------------------------------- breakages


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
    expects: str  # the sh: component pyshacl should report (local name)
    severity: str
    apply: Callable[[Graph], None]


def _breakages() -> list[Breakage]:
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
        percent = (
            s for s, o in sorted(g.subject_objects(URIRef(QUDT + "unit"))) if o == UNIT_PERCENT
        )
        _set(g, next(percent), QUDT + "numericValue", Literal("120", datatype=XSD.decimal))

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
        Breakage("contact without name (warning)", "MinCount", "Warning", contact_without_name),
    ]


# --------------------------------------------------------------------------- corpus


def report_graphs(synthetic: int, seed: int) -> Iterator[tuple[str, Graph]]:
    """(name, graph) of the example reports, then of ``synthetic`` synthetic ones."""
    urls = Urls("http://localhost:8000/")
    paths = sorted(EXAMPLES.iterdir())
    with tempfile.TemporaryDirectory() as tmp:
        if synthetic:
            paths += synth_reports(synthetic, Path(tmp), seed=seed)
        for path in paths:
            yield path.name, map_report(parse_file(path), urls).graph


# --------------------------------------------------------------------------- report


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms  p90 {p90 * 1000:7.1f} ms"


def _disagreement(reference: Outcome, other: Outcome) -> list[str]:
    lines = []
    if reference.conforms != other.conforms:
        lines.append(f"conforms: pyshacl {reference.conforms}, pyrudof {other.conforms}")
    for engine, extra in (
        ("pyshacl", reference.keys - other.keys),
        ("pyrudof", other.keys - reference.keys),
    ):
        lines += [f"only {engine} (x{n}): {_show(key)}" for key, n in sorted(extra.items())]
    return lines


def _show(key: Key) -> str:
    focus, path, component, severity = key
    where = "/".join(focus.rsplit("/", 2)[-2:])
    return f"{severity} {_local(component)} on …/{where} path {path or '-'}"


@functools.cache
def _our_messages() -> frozenset[str]:
    """The ``sh:message`` texts of our shapes (the build shows them to publishers)."""
    return frozenset(str(m) for m in shapes_graph().objects(None, SH.message))


def _messages(reference: Outcome, other: Outcome) -> dict[str, str]:
    """Where pyrudof does not give our ``sh:message``: rule and our text -> pyrudof's text.

    Where a shape has no ``sh:message`` each engine writes its own default text: those
    differ by design and are not listed.
    """
    return {
        f"{_local(key[2])} ({key[3]}) {reference.messages[key]!r}": other.messages[key]
        for key in reference.keys & other.keys
        if reference.messages[key] in _our_messages()
        and other.messages[key] != reference.messages[key]
    }


def main() -> None:
    """Time both engines on conforming reports, then compare them on broken copies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=100, help="synthetic reports (≤ 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=1, help="validations of each report")
    parser.add_argument(
        "--replace", action="store_true", help="pyrudof: read_data(merge=False), not staging"
    )
    args = parser.parse_args()
    # an ill-typed literal (one of the breakages) makes rdflib log a traceback per parse
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    rudof = Rudof(replace=args.replace)
    graphs = list(report_graphs(min(args.synthetic, 1000), args.seed))
    validate(graphs[0][1])  # warm both engines (shapes parsed, caches filled)
    rudof.run(graphs[0][1].serialize(format="nt"))

    times: dict[str, list[float]] = {
        "pyshacl": [], "shacl (build)": [], "pyrudof": [], "  load": [], "  validate": [],
        "convert": []
    }  # fmt: skip
    triples = 0
    disagreements: list[str] = []
    messages: dict[str, str] = {}
    for name, graph in graphs:
        for _ in range(args.rounds):
            start = _clock()
            nt_text = graph.serialize(format="nt")
            times["convert"].append(_clock() - start)
            terms = [(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]
            start = _clock()
            validate(ntriples(terms))  # what a build worker runs (its text written too)
            times["shacl (build)"].append(_clock() - start)
            reference, other = run_pyshacl(graph), rudof.run(nt_text)
            times["pyshacl"].append(reference.seconds)
            times["pyrudof"].append(other.seconds)
            times["  load"].append(other.loading)
            times["  validate"].append(other.seconds - other.loading)
            triples += len(graph)
        disagreements += [f"{name}: {line}" for line in _disagreement(reference, other)]
        messages.update(_messages(reference, other))

    runs = len(graphs) * args.rounds
    print(f"{len(graphs)} reports ({len(graphs) - 5} synthetic), {args.rounds} round(s), "
          f"{triples // runs:,} triples per report on average; pyrudof "
          f"{'read_data(merge=False)' if args.replace else 'staging'}; "
          f"load average {Path('/proc/loadavg').read_text().split()[0]}")  # fmt: skip
    for engine, values in times.items():
        print(f"  {engine:16} {_ms(values)}  {triples / sum(values):>10,.0f} triples/s")
    both = [a + b for a, b in zip(times["convert"], times["pyrudof"], strict=True)]
    print(f"  {'pyrudof+convert':16} {_ms(both)}  {triples / sum(both):>10,.0f} triples/s")
    print(f"  pyshacl / (pyrudof+convert): {sum(times['pyshacl']) / sum(both):.1f}x")
    print(f"conforming reports: {len(disagreements)} disagreement(s)")
    for line in disagreements:
        print("  " + line)

    print("\nbroken copies of the example reports (pyshacl is the reference):")
    for breakage in _breakages():
        _compare_breakage(breakage, graphs[:5], rudof, messages)

    print(f"\nresults where pyrudof does not give our sh:message ({len(messages)}):")
    for rule, theirs in sorted(messages.items()):
        print(f"  {rule}: pyrudof says {theirs[:70]!r}")


def _compare_breakage(
    breakage: Breakage, examples: list[tuple[str, Graph]], rudof: Rudof, messages: dict[str, str]
) -> None:
    caught = agreed = applied = 0
    notes: list[str] = []
    for name, graph in examples:
        broken = Graph()
        for triple in graph:
            broken.add(triple)
        try:
            breakage.apply(broken)
        except LookupError:
            continue  # this report has no node the fault needs
        applied += 1
        reference, other = run_pyshacl(broken), rudof.run(broken.serialize(format="nt"))
        component = f"{SH}{breakage.expects}ConstraintComponent"
        caught += any(k[2] == component and k[3] == breakage.severity for k in reference.keys)
        lines = _disagreement(reference, other)
        agreed += not lines
        notes += [f"{name}: {line}" for line in lines]
        messages.update(_messages(reference, other))
    print(
        f"- {breakage.name:44} pyshacl: sh:{breakage.expects} on {caught}/{applied};"
        f" pyrudof agrees on {agreed}/{applied}"
    )
    for line in notes:
        print("    " + line)


if __name__ == "__main__":
    main()
