"""The shipped queries, two versions side by side, on pyoxigraph directly.

    .venv/bin/python benchmarks/bench_queries.py --before OLD_QUERIES_DIR [--after queries]
        [--reports 1000] [--cap 20] [--churn 1.0]

Builds (once, kept in the temp folder) the synthetic store of ``bench_sparql.py``: one named
graph per report, ``id/historial``, the current state in the default graph and the
graph of changes ``id/cambios`` (as ``publisher/build/changes.py`` makes it). Then, for each
query of ``--after``, runs the file of the same name in ``--before`` and this one,
interleaved so both see the same load. Each runs in a child process (pyoxigraph called
directly cannot be stopped), three times, median ms; past ``--cap`` seconds it is killed.
For the queries of main: ``git worktree add /tmp/main main`` and ``--before /tmp/main/queries``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
from bench_sparql import build_store


def _child(path: str, text: str, conn: Connection) -> None:
    store = ox.Store.read_only(path)
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        answer = store.query(text)
        rows = 1 if isinstance(answer, ox.QueryBoolean) else sum(1 for _ in answer)
        samples.append(time.perf_counter() - started)
    conn.send((statistics.median(samples) * 1000, rows))


def run(path: str, text: str, cap: float) -> tuple[str, str]:
    """Median ms and rows of ``text``, or ``> cap s`` when it had to be killed."""
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=_child, args=(path, text, theirs))
    child.start()
    child.join(cap)
    if child.is_alive():
        child.kill()
        child.join()
        return f"> {cap:.0f} s", "-"
    ms, rows = ours.recv()
    return f"{ms:,.1f} ms", str(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=Path("queries"))
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--cap", type=float, default=20.0)
    parser.add_argument(
        "--churn",
        type=float,
        default=1.0,
        help="share of targets drawn anew each month (1: all, as before; 0.05: realistic)",
    )
    args = parser.parse_args()
    path = Path(tempfile.gettempdir()) / f"lotaip-bench-queries-changes-{args.reports}-{args.churn}"
    if not path.exists():
        print(f"synthetic store: {build_store(path, args.reports, args.churn):,} quads", flush=True)
    print("| query | before | after | rows before → after |\n|---|---|---|---|")
    for query in sorted(args.after.glob("*.rq")):
        old = args.before / query.name
        before = run(str(path), old.read_text(), args.cap) if old.exists() else ("-", "-")
        after = run(str(path), query.read_text(), args.cap)
        print(f"| {query.stem} | {before[0]} | {after[0]} | {before[1]} → {after[1]} |", flush=True)
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
