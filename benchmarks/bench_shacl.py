"""pyshacl (the reference) against the build's engine (shacl) and pyrudof (issues 7, 21).

Both engines validate the same graphs with the same ``shapes/``: the 5 example reports and
N synthetic ones (``publisher.synth``), each mapped alone as the build does, then broken
copies of the example reports (one deliberate fault each). Prints, per engine, the time per
report (median, p90) and triples/s, then every disagreement: whether a report conforms
(no violation; warnings do not count, as in the build) and the set of results as
(focus node, path, constraint component, severity). pyshacl is the reference.

    .venv/bin/python benchmarks/bench_shacl.py [--synthetic N] [--seed S] [--rounds R] [--replace]

Times are CPU time of this process. pyshacl's is ``publisher.mapping.validate.validate`` (what a
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyrudof
from rdflib import BNode, Graph
from rdflib.namespace import RDF
from rdflib.term import Node

from publisher.mapping.rdf import map_report
from publisher.mapping.validate import ntriples, shapes_graph, validate
from publisher.parse import parse_file
from publisher.settings import PROJECT_ROOT
from publisher.store.embedded import to_ox
from publisher.synth import synth_reports
from publisher.uris import Urls
from publisher.vocab import SH

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
# the tests' reference engine and fault corpus (one corpus, so the benchmark and the
# equivalence test break the same things), from the path above
from shacl_faults import Breakage, breakages, pyshacl_report  # noqa: E402

EXAMPLES = PROJECT_ROOT / "examples" / "reports"

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
    for breakage in breakages():
        if breakage.expects is None:  # a fault that must give no result: nothing to count
            continue
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
