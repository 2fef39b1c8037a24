"""Load test: a bounded client saturating ``lotaip-lod serve`` (gunicorn) on 127.0.0.1.

    .venv/bin/python benchmarks/load_test.py [--seconds 120] [--threads 16] [--workers 2]

Builds the five examples into a temporary folder (or serves ``--data``), starts
``lotaip-lod serve`` on a free loopback port and runs ``--threads`` client threads for
``--seconds`` (or ``--max-requests``), each picking in turn an entity page (HTML or
Turtle, from the sitemap), a search, a download or a SPARQL example query. It prints
requests/s, p50/p99 latency per kind, status counts and the resident memory of the
server's processes (gunicorn arbiter, workers, query workers) sampled every
``--sample`` seconds, then stops the server. Exits 1 if any answer was a 5xx, or a
4xx other than 429 (every target is valid).

The /sparql rate limit is off by default; ``--rate-limit N`` keeps it at N per minute,
and 429s are then counted apart. Each client thread sends from its own loopback address
(127.0.0.<n+2>), so per-address limits see ``--threads`` clients. ``--heavy N`` adds N
threads (one address, 127.0.0.1) sending only heavy queries (cartesian products that run
until ``query_timeout``, ``--timeout``): for them a 503 (stopped or refused with
Retry-After) or 429 is the expected answer, not a failure.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from publisher.query.examples import load_examples

ROOT = Path(__file__).resolve().parent.parent
#: One request: (path, query parameters, headers).
Target = tuple[str, dict[str, str], dict[str, str]]
WORDS = ["agua", "salud", "vial", "gestión", "obras", "talento", "riego", "100", "plan", "zzz"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_examples(folder: Path) -> Path:
    """The five example reports built into ``folder``; returns the data folder."""
    data = folder / "data"
    command = [sys.executable, "-m", "publisher", "build", "--quiet", "--out", str(data)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return data


def start_server(
    data: Path, port: int, workers: int, rate_limit: int, timeout: float | None = None
) -> subprocess.Popen:
    """``lotaip-lod serve`` on 127.0.0.1:``port``; waits until it answers."""
    env = {**os.environ, "PUBLISHER_SPARQL_RATE_LIMIT": str(rate_limit)}
    if timeout is not None:
        env["PUBLISHER_QUERY_TIMEOUT"] = str(timeout)
    env["PUBLISHER_REQUEST_LOG"] = "false"  # a log line per request would cost the run
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(data)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
            return server
        except (requests.ConnectionError, requests.Timeout):  # still booting
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return found


def rss_mib(pid: int) -> tuple[float, int]:
    """Total resident memory (MiB) of ``pid``'s process tree, and how many processes."""
    total, count = 0, 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total, count = total + (int(match.group(1)) if match else 0), count + 1
    return total / 1024, count


def targets(base: str) -> dict[str, list[Target]]:
    """Requests of each kind: (path, query parameters, headers)."""
    sitemap = requests.get(base + "sitemap.xml", timeout=10).text
    paths = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    pages: list[Target] = [(p, {}, {"Accept": "text/html"}) for p in paths]
    pages += [(p, {}, {"Accept": "text/turtle"}) for p in paths if p.startswith("/doc/")]
    searches = [("/browse", {"q": w}, {"Accept": "text/html"}) for w in WORDS]
    dump_names = re.findall(
        r'href="/dumps/([^"]+)"', requests.get(base + "downloads", timeout=10).text
    )
    downloads: list[Target] = [(f"/dumps/{name}", {}, {}) for name in dump_names]
    downloads.append(("/downloads", {}, {}))
    json = {"Accept": "application/sparql-results+json"}
    sparql = [("/sparql", {"query": e.text}, json) for e in load_examples()]
    heavy = [("/sparql", {"query": f"{HEAVY}{n}"}, json) for n in range(1000)]
    return {
        "page": pages,
        "search": searches,
        "download": downloads,
        "sparql": sparql,
        "heavy": heavy,
    }


class Results:
    """Latencies and statuses, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter[tuple[str, int]] = Counter()
        self.errors: Counter[str] = Counter()
        self.samples: dict[tuple[str, int], str] = {}  # first refusal of each kind, shown

    def add(self, kind: str, seconds: float, status: int, body: bytes) -> None:
        with self.lock:
            self.latency[kind].append(seconds * 1000)
            self.status[(kind, status)] += 1
            if status >= 400:
                self.samples.setdefault((kind, status), body[:200].decode(errors="replace"))


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } # "
LIGHT_KINDS = ["page", "page", "search", "download", "sparql"]


class SourceAdapter(HTTPAdapter):
    """Connections from a given local address (a client host of its own)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client(
    base: str,
    plan: dict[str, list[Target]],
    results: Results,
    stop: threading.Event,
    budget: itertools.count,
    limit: int,
    seed: int,
    source: str = "127.0.0.1",
    kinds: list[str] = LIGHT_KINDS,
) -> None:
    """One client thread: kinds in turn, a random target of each, until told to stop."""
    chooser = random.Random(seed)
    session = requests.Session()
    session.mount("http://", SourceAdapter(source))
    for kind in itertools.cycle(kinds):
        if stop.is_set() or next(budget) >= limit:
            return
        path, params, headers = chooser.choice(plan[kind])
        started = time.perf_counter()
        try:
            response = session.get(
                base + path.lstrip("/"), params=params, headers=headers, timeout=60
            )
            body = response.content  # read the whole body, as a client would
            results.add(kind, time.perf_counter() - started, response.status_code, body)
        except requests.RequestException as err:
            with results.lock:
                results.errors[type(err).__name__] += 1


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _row(kind: str, values: list[float]) -> str:
    p50, p99 = statistics.median(values), percentile(values, 0.99)
    return f"{kind:9} {len(values):7} {p50:8.1f} {p99:8.1f} {max(values):8.1f}"


def report(results: Results, seconds: float, memory: list[tuple[float, float, int]]) -> int:
    """Print the figures; return the number of failed answers (5xx, or 4xx but 429)."""
    total = sum(len(v) for v in results.latency.values())
    every = [x for v in results.latency.values() for x in v]
    print(f"requests: {total} in {seconds:.0f} s = {total / seconds:.0f} req/s")
    print(f"{'kind':9} {'count':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, values in [*sorted(results.latency.items()), ("all", every)]:
        print(_row(kind, values))
    statuses: Counter[int] = Counter()
    for (_, status), count in results.status.items():
        statuses[status] += count
    print("statuses:", dict(sorted(statuses.items())))
    for (kind, status), body in sorted(results.samples.items()):
        print(f"  first {status} on {kind}: {body!r}")
    if results.errors:
        print("client errors:", dict(results.errors))
    print("server memory (RSS of all server processes):")
    for elapsed, mib, count in memory:
        print(f"  t={elapsed:5.0f} s  {mib:7.1f} MiB  ({count} processes)")
    # every target is valid: a 4xx other than 429 (rate limit) is a failure too; heavy
    # queries are meant to be stopped (503) or refused (429, 503)
    return sum(
        n
        for (kind, status), n in results.status.items()
        if status >= 400 and status != 429 and not (kind == "heavy" and status == 503)
    )


def run(args: argparse.Namespace, data: Path) -> int:
    """Start the server, load it, report; return the number of failed answers."""
    port = free_port()
    server = start_server(data, port, args.workers, args.rate_limit, args.timeout)
    base = f"http://127.0.0.1:{port}/"
    try:
        plan = targets(base)
        print("targets: " + ", ".join(f"{k} {len(v)}" for k, v in plan.items()))
        results, stop, budget = Results(), threading.Event(), itertools.count()
        common = (base, plan, results, stop, budget, args.max_requests)
        threads = [
            threading.Thread(target=client, args=(*common, n, f"127.0.0.{n + 2}"))
            for n in range(args.threads)
        ] + [
            threading.Thread(target=client, args=(*common, 1000 + n, "127.0.0.1", ["heavy"]))
            for n in range(args.heavy)
        ]
        started = time.monotonic()
        memory = [(0.0, *rss_mib(server.pid))]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads) and time.monotonic() - started < args.seconds:
            time.sleep(args.sample)
            memory.append((time.monotonic() - started, *rss_mib(server.pid)))
        stop.set()
        for thread in threads:
            thread.join()
        return report(results, time.monotonic() - started, memory)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    """Parse options, build or take the data, run the load, exit 1 on failed answers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="How long to load (at most).")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="Stop after this many.")
    parser.add_argument("--threads", type=int, default=16, help="Client threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--rate-limit", type=int, default=0, help="SPARQL queries/min per client.")
    parser.add_argument("--heavy", type=int, default=0, help="Threads sending heavy queries.")
    parser.add_argument("--timeout", type=float, help="query_timeout of the server, seconds.")
    parser.add_argument("--sample", type=float, default=10, help="Seconds between memory samples.")
    parser.add_argument(
        "--data", type=Path, help="A built data folder (default: build the examples)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or build_examples(Path(tmp))
        errors = run(args, data)
    print(f"failed answers (5xx, or 4xx other than 429): {errors}")
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
