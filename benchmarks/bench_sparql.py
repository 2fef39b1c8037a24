"""The example queries through the HTTP endpoint vs pyoxigraph directly vs rdflib in memory.

    .venv/bin/python benchmarks/bench_sparql.py [--reports 900] [--repeat 3] [--no-rdflib]
        [--skip 31] [--data DATA [--remote URL]]

Builds a synthetic on-disk store shaped like ours (institutions -> units -> objectives ->
indicators -> targets, one named graph per monthly report; ~1.1k triples a report, so
900 reports are ~1M triples), then times every ``queries/*.rq``:

- pyoxigraph: the same store opened read-only in this process, every row consumed;
- endpoint (cold): ``POST /sparql`` to a real threaded server, the text made unique each
  time (a trailing comment) so neither the parse check nor the result cache helps;
- endpoint (re-run): the same text with the answer cache emptied first, so the parse
  check is remembered but the query runs (the steady state for a new answer);
- endpoint (cached): the same request repeated, answered from the cache keyed by the
  dataset version (target: under 5 ms);
- rdflib: the same quads in an in-memory ``Dataset`` (default graph = union), each query
  in a child process killed after ``--rdflib-cap`` seconds.

With ``--data DATA`` (a folder ``lotaip-lod build`` published, e.g. ``bench_year.py
--keep``'s) the queries run on that build's store instead: the real shape, where every
example query has rows to find (the hand-made store answers some with none). ``--remote
URL`` also times each query on that SPARQL endpoint (e.g. ``oxigraph serve-read-only
--location DATA/current/store``: Oxigraph's server on the same store, whose default graph
is the current state as with ``sparql_current_state = "default"``), killed past 30 s.

Prints medians in ms and the endpoint's overhead over pyoxigraph (target: < 20 %). The
server has no rate limit and no request log, so only the endpoint's own work is timed.
Remote stores (Oxigraph server, Virtuoso): ``bench_remote.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.build import changes  # noqa: E402
from publisher.query.examples import load_examples  # noqa: E402
from publisher.query.service import ResultCache  # noqa: E402
from publisher.settings import load  # noqa: E402
from publisher.store.embedded import OxigraphStore, Store  # noqa: E402
from publisher.uris import Urls  # noqa: E402

B = "http://localhost:8000/id/"
L = "https://w3id.org/lotaip/def/"
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "org": "http://www.w3.org/ns/org#",
    "dct": "http://purl.org/dc/terms/",
    "qudt": "http://qudt.org/schema/qudt/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
WORDS = [
    "agua",
    "potable",
    "vialidad",
    "salud",
    "gestión",
    "control",
    "obras",
    "talento",
    "financiera",
    "planificación",
]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _p(curie: str) -> ox.NamedNode:
    prefix, _, local = curie.partition(":")
    return _n((L if prefix == "lotaip" else NS[prefix]) + local)


def _lit(text: str) -> ox.Literal:
    return ox.Literal(text, language="es")


#: The values a synthetic target takes.
VALUES = [50, 80, 90, 95, 100, 12, 45]


def _share(*key: object) -> float:
    """A stable number in [0, 1) for ``key`` (the same in every run and process)."""
    return zlib.crc32(repr(key).encode()) / 2**32


def report_quads(
    inst: int, month: int, rng: random.Random, churn: float = 1.0
) -> Iterator[ox.Quad]:
    """One synthetic report (~1.1k triples) as quads in its own named graph.

    ``churn``: the share of targets whose value is drawn anew this month; the others keep
    their institution's standing value, as a real monthly republication does (1.0: every
    value drawn every month, the store of the figures before the graph of changes)."""
    graph = _n(f"{B}reporte/i{inst}/2023-{month:02d}")
    inst_iri = _n(f"{B}institucion/i{inst}")
    a, label = _p("rdf:type"), _p("rdfs:label")

    def q(s: Any, p: Any, o: Any) -> ox.Quad:
        return ox.Quad(s, p, o, graph)

    yield q(graph, a, _p("lotaip:Report"))
    yield q(graph, _p("dct:publisher"), inst_iri)
    yield q(graph, _p("dct:issued"), ox.Literal(f"2023-{month:02d}-28", datatype=_p("xsd:date")))
    source = _n(f"{B}fuente/i{inst}-{month}")
    yield q(graph, _p("prov:wasDerivedFrom"), source)
    yield q(source, _p("lotaip:fileName"), ox.Literal(f"i{inst}-2023-{month:02d}.txt"))
    yield q(source, _p("lotaip:sha256"), ox.Literal(f"{inst:032x}{month:032x}"))
    yield q(inst_iri, a, _p("lotaip:Institution"))
    yield q(inst_iri, label, _lit(f"GAD Municipal {inst}"))
    for u in range(20):
        unit = _n(f"{B}institucion/i{inst}/unidad/u{u}")
        yield q(inst_iri, _p("org:hasUnit"), unit)
        yield q(unit, a, _p("lotaip:AdministrativeUnit"))
        yield q(unit, label, _lit(f"Dirección {WORDS[u % len(WORDS)]} {u}"))
        yield q(unit, _p("org:classification"), _n(f"{L}nivel/level{u % 4}"))
        for o in range(2):
            objective = _n(f"{unit.value}/objetivo/o{o}")
            yield q(unit, _p("org:purpose"), objective)
            yield q(objective, a, _p("lotaip:Objective"))
            yield q(objective, label, _lit(f"Mejorar {rng.choice(WORDS)} y {rng.choice(WORDS)}"))
            for i in range(2):
                indicator = _n(f"{objective.value}/indicador/n{i}")
                yield q(objective, _p("lotaip:hasIndicator"), indicator)
                yield q(indicator, a, _p("lotaip:Indicator"))
                yield q(indicator, label, _lit(f"Porcentaje de {rng.choice(WORDS)}"))
                value = rng.choice(VALUES)  # drawn in any case: the same random stream
                if churn < 1 and _share(inst, u, o, i, month) >= churn:
                    value = VALUES[int(_share(inst, u, o, i) * len(VALUES))]
                target = _n(f"{indicator.value}/meta/v{value}")
                yield q(indicator, _p("lotaip:hasTarget"), target)
                yield q(target, a, _p("lotaip:Target"))
                yield q(target, label, _lit(f"{value}% de cumplimiento"))
                yield q(
                    target,
                    _p("qudt:numericValue"),
                    ox.Literal(str(value), datatype=_p("xsd:decimal")),
                )
                if value > 40:
                    yield q(target, _p("qudt:unit"), _n("http://qudt.org/vocab/unit/PERCENT"))
                else:
                    yield q(target, _p("qudt:unit"), _n("http://qudt.org/vocab/unit/NUM"))
                    yield q(target, _p("lotaip:unitText"), _lit("Reuniones"))
                yield q(
                    target,
                    _p("lotaip:dueDate"),
                    ox.Literal(str(2022 + value % 3), datatype=_p("xsd:gYear")),
                )
                yield q(target, _p("lotaip:reportedIn"), graph)
                yield q(target, _p("lotaip:objective"), objective)
                yield q(target, _p("lotaip:unit"), unit)
                yield q(target, _p("lotaip:institution"), inst_iri)
                yield q(
                    target,
                    _p("lotaip:sourceLine"),
                    ox.Literal(str(10 + u * 4 + o * 2 + i), datatype=_p("xsd:integer")),
                )
    for level in range(4):
        yield q(_n(f"{L}nivel/level{level}"), _p("skos:prefLabel"), _lit(f"Nivel {level}"))


def build_store(path: Path, reports: int, churn: float = 1.0) -> int:
    """Write ``reports`` synthetic reports (12 months per institution) to a store at ``path``.

    As a build publishes it (``publisher.build.current``): one named graph per report, the
    history graph ``id/historial`` (their distinct union) and the default graph holding
    the current state (each institution's latest report).
    """
    rng = random.Random(7)
    quads: list[ox.Quad] = []
    latest: dict[int, list[ox.Quad]] = {}
    for r in range(reports):
        report = list(report_quads(r // 12, r % 12 + 1, rng, churn))
        latest[r // 12] = report  # months come in order: the last one is current
        quads.extend(report)
    union = {(q.subject, q.predicate, q.object) for q in quads}
    history = _n(f"{B}historial")
    current = {(q.subject, q.predicate, q.object) for r in latest.values() for q in r}
    quads.extend(ox.Quad(s, p, o, history) for s, p, o in union)
    quads.extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in current)
    store = ox.Store(str(path))
    store.bulk_extend(quads)
    store.bulk_load(changes_ntriples(quads), ox.RdfFormat.N_TRIPLES, to_graph=_n(f"{B}cambios"))
    store.flush()
    return len(store)


def changes_ntriples(quads: list[ox.Quad]) -> bytes:
    """The graph of changes a build makes of these reports (``publisher/build/changes.py``)."""
    by_report: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode) and "/reporte/" in quad.graph_name.value:
            by_report.setdefault(quad.graph_name.value, []).append(quad)
    graphs = [
        (
            graph,
            graph.rsplit("/", 1)[1] + "-28",
            ox.serialize(held, format=ox.RdfFormat.N_QUADS) or b"",
        )
        for graph, held in by_report.items()
    ]
    return changes.changes_of(graphs, Urls(B[: -len("id/")]))


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_direct(store: ox.Store, text: str, repeat: int) -> tuple[float, int]:
    """Median ms of ``repeat`` runs (the default graph: the current state or, in the
    hand-made store, the union) and the number of rows."""
    samples, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = store.query(text)
        rows = 1 if isinstance(result, ox.QueryBoolean) else sum(1 for _ in result)
        samples.append(time.perf_counter() - started)
    return _median_ms(samples), rows


def time_endpoint(
    url: str, text: str, repeat: int, mode: str, service: Any = None
) -> tuple[float, int, int]:
    """Median ms of ``repeat`` requests: ``cold`` (a new text each time), ``re-run`` (the
    answer cache emptied before each, ``service`` being the app's QueryService) or
    ``cached`` (every answer should come from the cache: NaN when one did not, as an
    answer too large for the cache). Also the last status and size."""
    samples, status, size = [], 0, 0
    headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    session = requests.Session()
    for n in range(repeat):
        body = f"{text}\n# run {n} {time.time_ns()}" if mode == "cold" else text
        if mode == "re-run":
            service.cache = ResultCache()
        started = time.perf_counter()
        response = session.post(url, data={"query": body}, headers=headers, timeout=120)
        size = len(response.content)  # received whole
        samples.append(time.perf_counter() - started)
        status = response.status_code
        if mode == "cached" and response.headers.get("X-SPARQL-Cache") != "hit":
            return float("nan"), status, size
    return _median_ms(samples), status, size


def time_remote(url: str, text: str, repeat: int = 3, limit: float = 30.0) -> str:
    """Median ms of ``repeat`` runs of ``text`` on the SPARQL endpoint ``url`` (every row
    received), or how it failed: past ``limit`` seconds, or an HTTP error."""
    headers = {"Accept": "application/sparql-results+json"}
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            response = requests.post(url, data={"query": text}, headers=headers, timeout=limit)
        except requests.Timeout:
            return f"> {limit:.0f} s"
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        samples.append(time.perf_counter() - started)
    return f"{_median_ms(samples):9.1f} ms"


def serve(store: Store, tmp: Path, max_rows: int = 100_000) -> tuple[str, Any, Any]:
    """The whole web app over ``store`` on a threaded local server: (``/sparql`` URL, app,
    server). No rate limit and no request log, so only the endpoint's own work is timed
    (``bench_remote.py`` serves its stores with this too)."""
    from werkzeug.serving import make_server

    from publisher.web import create_app

    settings = load(
        env={},
        data_dir=tmp / "data",
        query_timeout=120.0,
        max_rows=max_rows,
        sparql_rate_limit=0,
        request_log=False,
    )
    app = create_app(settings, store)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/sparql", app, server


def _rdflib_child(nquads: str, texts: list[str], conn: Any) -> None:
    import warnings

    from rdflib import Dataset

    warnings.simplefilter("ignore")
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    conn.send(("loaded", time.perf_counter() - started))
    for text in texts:
        started = time.perf_counter()
        result = dataset.query(text)
        if result.type != "ASK":
            for _row in result:
                pass
        conn.send(("query", time.perf_counter() - started))


def time_rdflib(
    store: ox.Store, texts: list[str], tmp: Path, cap: float
) -> tuple[float, list[str]]:
    """Load time and one timing per query (a string: ms, or 'killed > cap')."""
    dump = tmp / "graphs.nq"
    named = (q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    ox.serialize(named, str(dump), format=ox.RdfFormat.N_QUADS)
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_rdflib_child, args=(str(dump), texts, child), daemon=True)
    process.start()
    load_s = parent.recv()[1] if parent.poll(900) else float("nan")
    out: list[str] = []
    for _ in texts:
        if not parent.poll(cap):
            process.kill()
            out.append(f"killed > {cap:.0f} s")
            break
        out.append(f"{parent.recv()[1] * 1000:.0f} ms")
    process.join(5)
    out += ["not run"] * (len(texts) - len(out))
    return load_s, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=900)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rdflib-cap", type=float, default=30.0)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--data", type=Path, help="a published data folder to query instead")
    parser.add_argument("--remote", help="also time each query on this SPARQL endpoint URL")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out the example queries whose name starts with NAME (repeatable): "
        "pyoxigraph called directly cannot be stopped",
    )
    args = parser.parse_args()
    examples = [e for e in load_examples() if not e.name.startswith(tuple(args.skip))]
    if args.skip:
        print(f"left out: {', '.join(args.skip)}")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        started = time.perf_counter()
        if args.data is not None:
            store_path = args.data / "current" / "store"
            direct = ox.Store.read_only(str(store_path))
            triples = len(direct)
            graphs = sum(1 for _ in direct.named_graphs())
            print(f"built store {store_path}: {triples:,} quads, {graphs} named graphs")
        else:
            store_path = tmp / "store"
            triples = build_store(store_path, args.reports)
            print(
                f"synthetic store: {triples:,} quads in {args.reports} report graphs "
                f"({time.perf_counter() - started:.1f} s to build)"
            )
            direct = ox.Store.read_only(str(store_path))
        url, app, server = serve(OxigraphStore(store_path, read_only=True), tmp)
        service = app.extensions["publisher.sparql"]
        time_endpoint(url, "ASK {}", 2, "cold")  # start the query workers
        rows = []
        reruns: list[float] = []
        for example in examples:
            # Warm up first: this process's store once, and each of the endpoint's two
            # worker processes once (each has its own read-only store and caches).
            time_direct(direct, example.text, 1)
            time_endpoint(url, example.text, 2, "cold")
            d, found = time_direct(direct, example.text, args.repeat)
            cold, status, size = time_endpoint(url, example.text, args.repeat, "cold")
            rerun, _, _ = time_endpoint(url, example.text, args.repeat, "re-run", service)
            cached, _, _ = time_endpoint(url, example.text, args.repeat, "cached")
            rows.append((example.name, d, cold, cached, status))
            reruns.append(rerun)
            remote = ""
            if args.remote:
                remote = f"   remote {time_remote(args.remote, example.text, args.repeat)}"
            print(
                f"  {example.name:<40} pyoxigraph {d:9.1f} ms{remote}   endpoint {cold:9.1f} ms "
                f"(re-run {rerun:9.1f} ms, cached {cached:6.1f} ms)   HTTP {status} "
                f"{size / 1024:8.1f} KiB, {found} rows",
                flush=True,
            )
        server.shutdown()
        app.extensions["publisher.sparql"].close()
        ratios = [cold / d for _, d, cold, _, _ in rows if d > 0]
        total_d = sum(r[1] for r in rows)
        total_cold = sum(r[2] for r in rows)
        print(
            f"endpoint overhead: median per query {100 * (statistics.median(ratios) - 1):+.0f} %, "
            f"on summed medians {100 * (total_cold / total_d - 1):+.0f} % (target < 20 %)"
        )
        median_d = statistics.median(r[1] for r in rows)
        median_cold = statistics.median(r[2] for r in rows)
        print(
            f"median latency over the queries: pyoxigraph {median_d:.1f} ms, endpoint "
            f"{median_cold:.1f} ms ({100 * (median_cold / median_d - 1):+.0f} %)"
        )
        median_rerun = statistics.median(reruns)
        print(
            f"median latency, parse check remembered (re-run): {median_rerun:.1f} ms "
            f"({100 * (median_rerun / median_d - 1):+.0f} % over pyoxigraph; target <= +20 %)"
        )
        cached_all = [r[3] for r in rows]
        cached_all = [c for c in cached_all if c == c] or [float("nan")]  # not NaN
        print(
            f"cached answers: median {statistics.median(cached_all):.2f} ms, "
            f"max {max(cached_all):.2f} ms (target < 5 ms; answers too large for the cache"
            " left out)"
        )
        slow = [(n, c - d) for n, d, c, _, _ in rows]
        print(
            "absolute overhead per query (ms): median "
            f"{statistics.median(x for _, x in slow):.1f}, max {max(x for _, x in slow):.1f}"
        )
        if not args.no_rdflib:
            # Cheapest first (by pyoxigraph's time): the first query past the cap ends the
            # rdflib run, since its process must be killed.
            order = sorted(range(len(rows)), key=lambda i: rows[i][1])
            texts = [examples[i].text for i in order]
            load_s, timings = time_rdflib(direct, texts, tmp, args.rdflib_cap)
            print(f"rdflib in memory: loaded in {load_s:.0f} s; one run per query:")
            for i, timing in zip(order, timings, strict=True):
                print(
                    f"  {examples[i].name:<40} rdflib {timing:>16}  pyoxigraph {rows[i][1]:8.1f} ms"
                )
        print(json.dumps({"quads": triples, "queries": len(rows)}))
        print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
