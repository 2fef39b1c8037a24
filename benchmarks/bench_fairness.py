"""Fairness under heavy queries: how long a tiny ASK and an entity page take while one
client has eight heavy SPARQL queries in flight (issue 20).

    .venv/bin/python benchmarks/bench_fairness.py [--timeout 8] [--heavy 8] [--rounds 3]

Builds the five examples into a temporary folder (or serves ``--data``), starts
``lotaip-lod serve`` (gunicorn, 2 workers) with ``query_timeout`` = ``--timeout`` and the
rate limit off, then per round: one client (source address 127.0.0.1) sends ``--heavy``
cartesian products at once; half a second later another client (127.0.0.2) sends a
one-triple ASK, then fetches entity pages one after the other (127.0.0.3) while the heavy
queries last. Prints each heavy query's status, seconds and Retry-After, the ASK's
latency and the pages' p50/max. Each client address is distinct, so per-address limits
see three clients, as they would on the Internet.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import build_examples, free_port, start_server  # noqa: E402

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } # "
ASK = "ASK { ?s a <https://w3id.org/lotaip/def/Institution> } # "
PAGE = "/doc/institucion/ame"


def fetch(
    port: int, path: str, source: str, accept: str, timeout: float = 120
) -> tuple[int, float, str]:
    """GET ``path`` from source address ``source``: status, seconds, Retry-After."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
    )
    try:
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started, response.getheader("Retry-After", "")
    finally:
        conn.close()


def sparql(query: str) -> str:
    """The /sparql path for ``query``."""
    return "/sparql?" + urlencode({"query": query})


def one_round(
    port: int, heavy: int, tag: str
) -> tuple[list[tuple[int, float, str]], float, list[float]]:
    """Heavy queries from one client, an ASK and pages from others: their figures."""
    json = "application/sparql-results+json"
    with ThreadPoolExecutor(heavy) as pool:
        futures = [
            pool.submit(fetch, port, sparql(f"{HEAVY}{tag}-{n}"), "127.0.0.1", json)
            for n in range(heavy)
        ]
        time.sleep(0.5)
        status, ask, _ = fetch(port, sparql(ASK + tag), "127.0.0.2", json)
        if status != 200:
            ask = float("nan")  # refused: no answer
        pages: list[float] = []
        while not all(f.done() for f in futures):
            page_status, seconds, _ = fetch(port, PAGE, "127.0.0.3", "text/turtle")
            pages.append(seconds if page_status in (200, 303) else float("nan"))
        return [f.result() for f in futures], ask, pages


def main() -> None:
    """Parse options, build or take the data, run the rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=8, help="query_timeout, seconds.")
    parser.add_argument("--heavy", type=int, default=8, help="Heavy queries in flight.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds, one after the other.")
    parser.add_argument("--data", type=Path, help="A built data folder (default: the examples).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or build_examples(Path(tmp))
        port = free_port()
        os.environ["PUBLISHER_QUERY_TIMEOUT"] = str(args.timeout)
        server = start_server(data, port, 2, 0)
        try:
            fetch(port, sparql(ASK + "warm"), "127.0.0.2", "application/json")
            time.sleep(2)
            for n in range(args.rounds):
                heavies, ask, pages = one_round(port, args.heavy, f"r{n}")
                ends = sorted(heavies, key=lambda h: h[1])
                shown = ", ".join(f"{s} {t:.1f}s" + (f" RA={r}" if r else "") for s, t, r in ends)
                page_ms = [p * 1000 for p in pages]
                print(
                    f"round {n + 1}: ASK {ask * 1000:.0f} ms; pages n={len(pages)} "
                    f"p50 {statistics.median(page_ms):.0f} ms max {max(page_ms):.0f} ms"
                )
                print(f"  heavy: {shown}")
                threading.Event().wait(1)
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
