"""The same data and queries on the embedded store, Oxigraph server and Virtuoso.

    .venv/bin/python benchmarks/bench_remote.py [--copies 18] [--repeat 5]

Data: the five example reports, parsed and mapped, repeated ``--copies`` times under
varied IRIs (copy k mints ``B id/c<k>/…``): 18 copies are ~120,000 triples in 90 named
graphs. Stores: pyoxigraph in memory (``OxigraphStore``), and ``RemoteStore`` on the
Oxigraph server and Virtuoso started by ``.ci/servers.sh`` (this script starts them
itself when ``LOTAIP_TEST_OXIGRAPH_URL`` is not set, unless ``--no-servers``).

Prints load throughput (Graph Store PUT, and SPARQL Update on one copy), then each
query's median latency through the store, and for the servers also the raw HTTP round
trip (requests + json.loads, no rdflib terms): our client's overhead is the difference.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests
from rdflib import Graph, URIRef

from publisher.mapping import map_report
from publisher.parse import parse_file
from publisher.remote import RemoteStore
from publisher.settings import PROJECT_ROOT
from publisher.sparqltext import bind_values
from publisher.store import OxigraphStore, Store
from publisher.uris import Urls

BASE = "http://localhost:8000/"
EXAMPLES = PROJECT_ROOT / "examples" / "reports"
PREFIXES = """PREFIX lotaip: <https://w3id.org/lotaip/def/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# name -> (query, whether ?s is bound to one report's IRI)
QUERIES = {
    "subject lookup": ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", True),
    "targets per institution": (
        """SELECT ?inst (COUNT(?t) AS ?n) WHERE {
  ?t a lotaip:Target ; lotaip:isTargetOf ?i . ?i lotaip:isIndicatorOf ?o .
  ?o lotaip:isObjectiveOf ?u . ?u org:unitOf ?inst } GROUP BY ?inst""",
        False,
    ),
    "label contains 'agua'": (
        """SELECT ?s ?l WHERE { ?s rdfs:label ?l
  FILTER(CONTAINS(LCASE(STR(?l)), "agua")) }""",
        False,
    ),
    "targets >= 90 with due date": (
        """SELECT (COUNT(?t) AS ?n) WHERE {
  ?t a lotaip:Target ; qudt:numericValue ?v ; lotaip:dueDate ?d FILTER(?v >= 90) }""",
        False,
    ),
    "triples per graph": (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        False,
    ),
}


def example_graphs() -> list[tuple[URIRef, Graph]]:
    urls = Urls(BASE)
    graphs = []
    for path in sorted(EXAMPLES.iterdir()):
        mapped = map_report(parse_file(path), urls)
        graphs.append((mapped.graph_iri, mapped.graph))
    return graphs


def copies(originals: list[tuple[URIRef, Graph]], count: int) -> list[tuple[URIRef, Graph]]:
    """``count`` copies of the example graphs, each under its own ``id/c<k>/`` IRIs."""
    out = []
    for k in range(count):

        def vary(term: object, k: int = k) -> object:
            if isinstance(term, URIRef) and term.startswith(BASE + "id/"):
                return URIRef(term.replace(BASE + "id/", f"{BASE}id/c{k}/", 1))
            return term

        for name, graph in originals:
            copy = Graph()
            for triple in graph:
                copy.add(tuple(vary(t) for t in triple))  # type: ignore[arg-type]
            out.append((URIRef(vary(name)), copy))  # type: ignore[arg-type]
    return out


def load(store: Store, graphs: list[tuple[URIRef, Graph]]) -> float:
    """Triples per second loading ``graphs`` with ``replace_graph``."""
    start = time.perf_counter()
    for name, graph in graphs:
        store.replace_graph(name, graph)
    return sum(len(g) for _, g in graphs) / (time.perf_counter() - start)


def medians_ms(runs: list[Callable[[], object]], repeat: int) -> list[float]:
    """Median wall time of each run; runs alternate, so that load and noise hit all alike."""
    times: list[list[float]] = [[] for _ in runs]
    for run in runs:
        run()  # warm caches and connections
    for _ in range(repeat):
        for run, spent in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1000 for spent in times]


def direct(query_url: str, text: str) -> Callable[[], object]:
    """The raw round trip: POST the query, decode the JSON; no rdflib terms."""
    session = requests.Session()

    def run() -> object:
        response = session.post(
            query_url, data={"query": text}, headers={"Accept": "application/sparql-results+json"}
        )
        response.raise_for_status()
        return json.loads(response.content)

    return run


def remote_stores() -> dict[str, tuple[Callable[[bool], RemoteStore], str]]:
    """The servers started: name -> (store maker, by Graph Store PUT or not; query URL)."""
    found: dict[str, tuple[Callable[[bool], RemoteStore], str]] = {}
    oxigraph = os.environ.get("LOTAIP_TEST_OXIGRAPH_URL")
    if oxigraph:

        def on_oxigraph(gsp: bool) -> RemoteStore:
            return RemoteStore(
                f"{oxigraph}/query",
                f"{oxigraph}/update",
                graph_store_url=f"{oxigraph}/store" if gsp else None,
                scope=(BASE,),
                timeout=120,
            )

        found["oxigraph server"] = (on_oxigraph, f"{oxigraph}/query")
    virtuoso = os.environ.get("LOTAIP_TEST_VIRTUOSO_URL")
    if virtuoso:

        def on_virtuoso(gsp: bool) -> RemoteStore:
            return RemoteStore(
                f"{virtuoso}/sparql",
                f"{virtuoso}/sparql-auth",
                graph_store_url=f"{virtuoso}/sparql-graph-crud-auth" if gsp else None,
                user=os.environ.get("LOTAIP_TEST_VIRTUOSO_USER"),
                password=os.environ.get("LOTAIP_TEST_VIRTUOSO_PASSWORD"),
                scope=(BASE,),
                timeout=120,
            )

        found["virtuoso"] = (on_virtuoso, f"{virtuoso}/sparql")
    return found


def query_row(store: Store, url: str | None, query: str, bindings: dict, repeat: int) -> str:
    """One table cell: median ms through the store, and the raw round trip for servers."""
    runs: list[Callable[[], object]] = [lambda: store.select(query, bindings or None)]
    if url is not None:
        runs.append(direct(url, bind_values(query, bindings) if bindings else query))
    times = medians_ms(runs, repeat)
    return f"{times[0]:.1f}" + (f" (raw {times[1]:.1f})" if url is not None else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-servers", action="store_true", help="do not start servers")
    args = parser.parse_args()
    if not os.environ.get("LOTAIP_TEST_OXIGRAPH_URL") and not args.no_servers:
        script = '. .ci/servers.sh && "$0" "$@" --no-servers'
        os.chdir(PROJECT_ROOT)
        os.execvp(
            "bash", ["bash", "-c", script, sys.executable, str(Path(__file__)), *sys.argv[1:]]
        )

    graphs = copies(example_graphs(), args.copies)
    triples = sum(len(g) for _, g in graphs)
    print(f"data: {len(graphs)} graphs, {triples} triples ({args.copies} copies of 5 reports)")
    stores: dict[str, Store] = {"embedded (memory)": OxigraphStore()}
    urls: dict[str, str] = {}
    for name, (make, query_url) in remote_stores().items():
        by_update = make(False)
        for graph in by_update.graphs():  # start from an empty dataset
            by_update.remove_graph(graph)
        rate = load(by_update, graphs[:5])
        print(f"{name}: SPARQL Update, one copy: {rate:,.0f} triples/s")
        stores[name], urls[name] = make(True), query_url
    for name, store in stores.items():
        print(f"{name}: loaded {load(store, graphs):,.0f} triples/s; {len(store)} quads")

    subject = graphs[len(graphs) // 2][0]
    print(f"\nmedian of {args.repeat}, ms".ljust(30) + "".join(f"{n:>22}" for n in stores))
    for label, (text, bound) in QUERIES.items():
        bindings = {"s": subject} if bound else {}
        cells = [
            query_row(store, urls.get(name), PREFIXES + text, bindings, args.repeat)
            for name, store in stores.items()
        ]
        print(f"{label:<30}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
