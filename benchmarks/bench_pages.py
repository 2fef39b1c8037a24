"""Entity pages (HTML and Turtle) under concurrent load against gunicorn with 2 workers.

Builds the five examples into a temporary folder (or serves ``--data DIR``), starts
``lotaip-lod serve --workers 2`` on a free port, and drives it from a bounded local client
(``--clients`` threads on raw ``http.client`` connections) over the documents of every
unit, objective, indicator and target. Prints median and 99th-percentile latency and
requests per second per format, twice: "cold" asks for every document once (nothing is
in the workers' document caches), "warm" cycles through them again and again (what a
crawler or a busy site sees). Targets (issue 4): median < 10 ms, >= 500 req/s.
Then the same for searches (``/browse?q=…``, issue 15: accented and plain words) and the
institution pages, the two heaviest pages a reader opens.

    .venv/bin/python benchmarks/bench_pages.py [--data DIR] [--requests N] [--clients C]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publisher.settings import load
from publisher.store.embedded import open_store
from publisher.uris import Urls

ROOT = Path(__file__).resolve().parent.parent
ENTITIES = """PREFIX lotaip: <https://w3id.org/lotaip/def/>
SELECT DISTINCT ?s WHERE {
  VALUES ?class { lotaip:AdministrativeUnit lotaip:Objective lotaip:Indicator lotaip:Target }
  ?s a ?class
}"""


def entity_paths(data_dir: Path) -> list[str]:
    """Document paths (no extension) of every unit, objective, indicator and target."""
    settings = load(env={}, data_dir=data_dir)
    urls = Urls(settings.base_uri)
    rows = open_store(settings).select(ENTITIES)
    return sorted(p for row in rows if (p := urls.doc_path(str(row["s"]))))


#: Words a reader types into the search box, with and without their accents.
SEARCH_WORDS = (
    "gestión",
    "gestion",
    "educación",
    "educacion",
    "agua",
    "planificación",
    "talento humano",
    "contratación",
    "obras",
    "salud",
    "GESTION",
    "ambiente",
    "seguridad",
    "catastro",
    "procesos",
    "comunicación",
    "financiera",
    "riesgos",
    "vial",
    "cultura",
)


def search_paths() -> list[str]:
    """One search URL per word of ``SEARCH_WORDS``."""
    from urllib.parse import quote

    return [f"/browse?q={quote(word)}" for word in SEARCH_WORDS]


def institution_paths(data_dir: Path) -> list[str]:
    """Document paths of every institution."""
    settings = load(env={}, data_dir=data_dir)
    urls = Urls(settings.base_uri)
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/lotaip/def/Institution> }"
    rows = open_store(settings).select(query)
    return sorted(p for row in rows if (p := urls.doc_path(str(row["s"]))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(data_dir: Path, port: int) -> Iterator[None]:
    """gunicorn with 2 workers over ``data_dir`` for the ``with`` block."""
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(data_dir)]
    command += ["--port", str(port), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(port: int, path: str) -> float:
    """Seconds to GET ``path`` on a new connection (gunicorn's sync workers close it)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return time.perf_counter() - start


def load_test(port: int, paths: list[str], total: int, clients: int) -> dict[str, float]:
    """``total`` requests over ``paths`` from ``clients`` threads; latency and throughput."""
    cycle = itertools.cycle(paths)
    lock = threading.Lock()
    latencies: list[float] = []

    def worker(count: int) -> None:
        mine = []
        for _ in range(count):
            with lock:
                path = next(cycle)
            mine.append(fetch(port, path))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(total // clients,)) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "req_per_s": len(latencies) / elapsed,
        "requests": len(latencies),
    }


def cpu_per_document(data_dir: Path, paths: list[str], institutions: list[str]) -> dict[str, float]:
    """CPU ms per document rendered in-process with no cache: the server's own cost,
    which the machine's other load does not inflate the way it inflates latencies."""
    from publisher.store.embedded import OxigraphStore
    from publisher.web import create_app

    store = OxigraphStore((data_dir / "current").resolve() / "store", read_only=True)
    client = create_app(load(env={}, data_dir=data_dir), store).test_client()
    figures = {}
    for label, suffix in (("HTML", ""), ("Turtle", ".ttl")):
        start = time.process_time()
        for path in paths:
            client.get(path + suffix)
        figures[label] = (time.process_time() - start) / len(paths) * 1000
    start = time.process_time()
    for _ in range(5):
        for path in institutions:
            client.get(path)
    figures["institution"] = (time.process_time() - start) / (5 * len(institutions)) * 1000
    return figures


def build_examples(folder: Path) -> Path:
    from publisher.build.pipeline import build

    data_dir = folder / "data"
    build([ROOT / "examples" / "reports"], load(env={}, data_dir=data_dir), quiet=True)
    return data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="published data folder (default: build)")
    parser.add_argument("--requests", type=int, default=4000, help="requests per format")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data or build_examples(Path(tmp))
        paths = entity_paths(data_dir)
        port = free_port()
        print(f"{len(paths)} entity documents; {args.clients} clients; gunicorn, 2 workers")
        with server(data_dir, port):
            load_test(port, ["/", "/browse"] * 20, 40, args.clients)  # start both workers
            for label, suffix in (("HTML", ""), ("Turtle", ".ttl")):
                documents = [p + suffix for p in paths]
                # cold: every document once, so no worker has it cached yet
                report(f"{label} cold", load_test(port, documents, len(documents), args.clients))
                report(f"{label} warm", load_test(port, documents, args.requests, args.clients))
            for label, pages in (
                ("search", search_paths()),
                ("institution", institution_paths(data_dir)),
            ):
                report(f"{label} cold", load_test(port, pages, len(pages), 1))
                warm = max(len(pages), args.requests // 10)
                report(f"{label} warm", load_test(port, pages, warm, args.clients))
        print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        cpu = cpu_per_document(data_dir, paths, institution_paths(data_dir))
        for label, ms in cpu.items():
            print(f"{label:12} {ms:.2f} ms CPU per document in-process (no HTTP, no cache)")


def report(label: str, figures: dict[str, float]) -> None:
    print(
        f"{label:16} median {figures['median_ms']:6.2f} ms   p99 {figures['p99_ms']:7.2f} ms   "
        f"{figures['req_per_s']:6.0f} req/s   ({figures['requests']:.0f} requests)"
    )


if __name__ == "__main__":
    main()
