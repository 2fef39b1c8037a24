"""Harvest cost: the portal replica, and N synthetic institutions, against a local server.

    .venv/bin/python benchmarks/bench_harvest.py [--institutions 1000] [--hosts 1]

The server (tests/portal.py) runs in a child process, so the harvest's figures are its
own: wall time, requests by status (the server's log), and peak RSS of the harvesting
process. Each portal is harvested twice into a fresh folder: the first run fetches every
file (200), the second sends conditional requests (304 when unchanged). No build: the
build has its own benchmark (bench_build.py). Politeness delay 0: loopback.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from portal import Portal, replica, serve, synthetic  # noqa: E402  (the test replica)

from publisher.harvest import run  # noqa: E402
from publisher.harvest.client import ClientOptions  # noqa: E402

OPTIONS = ClientOptions(timeout=0.5, delay=0.0, retries=1, backoff=0.01)
REPORT = ROOT / "tests" / "data" / "reports" / "sot-2023-01-slice.txt"


def _server(kind: str, count: int, pipe: Connection) -> None:
    """Child process: serve the portal, send its base URL, answer "log" with its log."""
    portal: Portal = replica() if kind == "replica" else synthetic(count, REPORT.read_bytes())
    with serve(portal):
        pipe.send(portal.base)
        while (message := pipe.recv()) != "stop":
            if message == "log":
                pipe.send(list(portal.log))
                portal.log.clear()


def _sources(kind: str, base: str, count: int) -> list[run.Source]:
    if kind == "synthetic":  # any registry id: the harvest does not check (read_sources does)
        return [run.Source(f"i{i}", f"{base}/i{i}/lotaip.html") for i in range(count)]
    b = base
    return [
        run.Source("gad-municipal-loja", f"{b}/loja/transparencia/2019.html"),
        run.Source("sot", f"{b}/sot/transparencia/"),
        run.Source("gad-municipal-alausi", f"{b}/alausi/lotaip.html"),
        run.Source("congope", f"{b}/congope/transparencia-2023.html"),
        run.Source("ame", f"{b}/ame/files/1-4_Metas%20y%20Objetivos.txt", frozenset({"2015-09"})),
    ]


def bench(kind: str, count: int, hosts: int) -> None:
    """Harvest one portal twice and print the figures of each run."""
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_server, args=(kind, count, child), daemon=True)
    server.start()
    base = parent.recv()
    sources = _sources(kind, base, count)
    label = "replica (5 institutions)" if kind == "replica" else f"{count} synthetic institutions"
    with tempfile.TemporaryDirectory(prefix="bench-harvest-") as out:
        for attempt in ("first run", "second run"):
            started = time.perf_counter()
            result = run.harvest(sources, Path(out), OPTIONS, hosts=hosts)
            wall = time.perf_counter() - started
            parent.send("log")
            log = parent.recv()
            statuses = Counter(status for _, status in log)
            counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{label}, {attempt}: {wall:.1f} s; {counts}; {len(log)} requests "
                f"({', '.join(f'{s}: {n}' for s, n in sorted(statuses.items()))}); "
                f"peak RSS {rss:.0f} MiB"
            )
    parent.send("stop")
    server.join(timeout=10)


def main() -> None:
    """Parse the options and run both portals."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=1, help="hosts at a time (one here)")
    args = parser.parse_args()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"harvesting process after imports: {rss:.0f} MiB")
    bench("replica", 0, args.hosts)
    bench("synthetic", args.institutions, args.hosts)


if __name__ == "__main__":
    main()
