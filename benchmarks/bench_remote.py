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

Then the same queries through our ``/sparql`` endpoint (the whole app on a threaded local
server, JSON results) over each store, against the store queried directly. The embedded
store is served as in production: the same graphs on disk, published under
``DATA/current`` (``PublishedStore``, queries in worker processes), and queried directly
with pyoxigraph in this process; the servers are queried directly by the raw round trip:

- cold: a new text each time (a trailing comment), so the parse check and the answer
  cache never help;
- re-run: the same text with the answer cache emptied first: parse check remembered,
  the dataset version read and the query forwarded (the steady state for new answers);
- cached: the same request again, answered from the cache keyed by the dataset version
  (on a remote store that still costs one small query to read the version).

Every answer is received whole but not decoded (the client's cost, the same for all).

Last, ``lotaip-lod build``'s push (``publisher.build.push``) of the five examples built into a data
folder, per server and loading mode: the first push (every graph), a push after one report
changed (one graph), and a push with nothing to send. ``--push-only`` runs only that;
``--push-corpus DIR`` pushes another folder of reports (then the change is one added report).

Asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests
from rdflib import Graph, URIRef

from publisher.mapping.rdf import map_report
from publisher.parse import parse_file
from publisher.query.service import ResultCache
from publisher.settings import PROJECT_ROOT
from publisher.settings import load as load_settings
from publisher.store.embedded import OxigraphStore, PublishedStore, Store
from publisher.store.remote import RemoteStore
from publisher.store.sparqltext import bind_values
from publisher.uris import Urls

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sparql import serve  # noqa: E402  (a sibling script)

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


def direct(query_url: str, text: str, decode: bool = True) -> Callable[[], object]:
    """The raw round trip: POST the query, decode the JSON (unless not ``decode``); no
    rdflib terms."""
    session = requests.Session()

    def run() -> object:
        response = session.post(
            query_url, data={"query": text}, headers={"Accept": "application/sparql-results+json"}
        )
        response.raise_for_status()
        return json.loads(response.content) if decode else response.content

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


def through_endpoint(url: str, app: Any, text: str, mode: str) -> Callable[[], object]:
    """One request to our endpoint, as ``mode`` says (cold, re-run or cached)."""
    session = requests.Session()
    counter = itertools.count()
    service = app.extensions["publisher.sparql"]

    def run() -> object:
        body = f"{text}\n# cold {next(counter)} {time.time_ns()}" if mode == "cold" else text
        if mode == "re-run":
            service.cache = ResultCache()  # forget answers, keep the parse check's memory
        response = session.post(
            url, data={"query": body}, headers={"Accept": "application/sparql-results+json"}
        )
        response.raise_for_status()
        if mode == "cached" and response.headers.get("X-SPARQL-Cache") != "hit":
            raise RuntimeError(f"expected a cached answer from {url}")
        return response.content  # bytes received; decoding is the client's business

    return run


def embedded_direct(store: OxigraphStore, text: str) -> Callable[[], object]:
    """pyoxigraph in this process, every row consumed (the union as the endpoint sees it)."""

    def run() -> object:
        result = store.native.query(text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        return sum(1 for _ in result)

    return run


def published(graphs: list[tuple[URIRef, Graph]], data_dir: Path) -> tuple[Store, OxigraphStore]:
    """``graphs`` in an on-disk store published under ``data_dir/current`` as a build does:
    the site's ``PublishedStore``, and the same store opened read-only for direct queries."""
    version = data_dir / "versions" / "bench"
    writer = OxigraphStore(version / "store")
    for name, graph in graphs:
        writer.load_graph(name, graph)
    writer.flush()
    del writer  # one writer at a time: close it before the readers open
    (data_dir / "current").symlink_to(version.relative_to(data_dir))
    return PublishedStore(data_dir), OxigraphStore(version / "store", read_only=True)


def endpoint_table(
    graphs: list[tuple[URIRef, Graph]],
    stores: dict[str, Store],
    urls: dict[str, str],
    subject: URIRef,
    repeat: int,
) -> None:
    """Per store and query: direct, endpoint cold / re-run / cached (ms), re-run/direct."""
    with tempfile.TemporaryDirectory() as name:
        site, disk = published(graphs, Path(name) / "published")
        served = {"embedded (disk)": site} | {n: s for n, s in stores.items() if n in urls}
        for store_name, store in served.items():
            endpoint, app, server = serve(
                store, Path(name) / store_name.replace(" ", "-"), max_rows=1_000_000
            )
            print(f"\n/sparql over {store_name}, median of {repeat}, ms")
            print(f"{'':<30}{'direct':>10}{'cold':>10}{'re-run':>10}{'cached':>10}{'ratio':>8}")
            cached_all = []
            try:
                for label, (text, bound) in QUERIES.items():
                    query = PREFIXES + text
                    if bound:
                        query = bind_values(query, {"s": subject})
                    if store is site:
                        direct_run = embedded_direct(disk, query)
                    else:
                        direct_run = direct(urls[store_name], query, decode=False)
                    runs = [direct_run] + [
                        through_endpoint(endpoint, app, query, mode)
                        for mode in ("cold", "re-run", "cached")
                    ]
                    times = medians_ms(runs, repeat)
                    cached_all.append(times[3])
                    cells = "".join(f"{t:>10.1f}" for t in times)
                    print(f"{label:<30}{cells}{times[2] / times[0]:>7.2f}x")
            finally:
                server.shutdown()
                app.extensions["publisher.sparql"].close()
            print(
                f"cached answers: median {statistics.median(cached_all):.2f} ms, "
                f"max {max(cached_all):.2f} ms (target < 5 ms)"
            )


def push_table(
    servers: dict[str, tuple[Callable[[bool], RemoteStore], str]],
    corpus: Path = EXAMPLES,
    modes: tuple[bool, ...] = (False, True),
) -> None:
    """Seconds to push a built corpus: every graph, after one change, nothing to send.

    The examples: one report's text changed. Another corpus (``--push-corpus``, e.g. from
    ``lotaip-lod synth``): built without its last file, which is then added. ``modes``: by
    SPARQL Update (False), by Graph Store PUT (True).
    """
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    change = "one changed" if corpus == EXAMPLES else "one added"
    print(f"\npush of {len(files)} reports from {corpus} (lotaip-lod build / push), seconds")
    for (name, (make, _)), gsp in itertools.product(servers.items(), modes):
        with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
            first, changed, nothing, rebuilt = _push_case(name, make(gsp), files, Path(tmp))
        mode = "Graph Store PUT" if gsp else "SPARQL Update"
        print(
            f"{name}, {mode}: all {first.seconds:.2f} ({len(first.sent)} graphs, "
            f"{first.triples:,} triples, {first.triples / first.seconds:,.0f} triples/s); "
            f"{change} {changed.seconds:.3f} ({len(changed.sent)} graph(s) sent, "
            f"{len(changed.removed)} removed, {changed.triples:,} triples); "
            f"nothing to send {nothing.seconds:.3f}"
        )
        if rebuilt > 1:  # another engineer's edit changed the code: every graph is new
            print(f"  (the rebuild re-made {rebuilt} reports: the code changed meanwhile)")


def _push_case(name: str, maker: RemoteStore, files: list[Path], tmp: Path) -> tuple[Any, ...]:
    """Build ``files`` into ``tmp`` and push three times to ``maker``'s server."""
    from publisher.build.pipeline import build
    from publisher.build.push import push

    prefix = f"http://push.bench/{time.time_ns()}/"
    reports = tmp / "reports"
    reports.mkdir()
    examples = files[0].parent == EXAMPLES
    for path in files if examples else files[:-1]:
        (reports / path.name).write_bytes(path.read_bytes())
    virtuoso = "virtuoso" in name
    settings = load_settings(
        env={},
        data_dir=tmp / "data",
        base_uri=prefix,
        store="sparql",
        sparql_query_url=maker.query_url,
        sparql_update_url=maker.update_url,
        sparql_graph_store_url=maker.graph_store_url,
        sparql_user=os.environ.get("LOTAIP_TEST_VIRTUOSO_USER") if virtuoso else None,
        sparql_password=os.environ.get("LOTAIP_TEST_VIRTUOSO_PASSWORD") if virtuoso else None,
        query_timeout=120.0,
    )
    build([reports], settings, quiet=True)
    first = push(settings)
    if examples:
        sot = reports / "sot-2023-01.txt"
        old = "Mejorar la promoción y difusión"
        text = sot.read_text(encoding="utf-8")
        sot.write_text(text.replace(old, old.replace("y d", "y la d")), encoding="utf-8")
    else:
        (reports / files[-1].name).write_bytes(files[-1].read_bytes())
    rebuilt = build([reports], settings, quiet=True).built
    changed = push(settings)
    nothing = push(settings)
    remote = RemoteStore.from_settings(settings)
    for graph in remote.graphs():
        if str(graph).startswith(prefix):
            remote.remove_graph(graph)
    return first, changed, nothing, rebuilt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-servers", action="store_true", help="do not start servers")
    parser.add_argument("--push-only", action="store_true", help="only the push table")
    parser.add_argument(
        "--push-corpus", type=Path, default=EXAMPLES, help="reports to push (default: examples)"
    )
    parser.add_argument(
        "--push-gsp-only", action="store_true", help="push by Graph Store PUT only (not Update)"
    )
    args = parser.parse_args()
    if not os.environ.get("LOTAIP_TEST_OXIGRAPH_URL") and not args.no_servers:
        script = '. .ci/servers.sh && "$0" "$@" --no-servers'
        os.chdir(PROJECT_ROOT)
        os.execvp(
            "bash", ["bash", "-c", script, sys.executable, str(Path(__file__)), *sys.argv[1:]]
        )

    if args.push_only:
        modes = (True,) if args.push_gsp_only else (False, True)
        push_table(remote_stores(), args.push_corpus.resolve(), modes)
        print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")
        return
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
    endpoint_table(graphs, stores, urls, subject, args.repeat)
    push_table(remote_stores())
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
