"""pyoxigraph's bulk loader alone: a published dump loaded in calls of a given size.

    .venv/bin/python benchmarks/bench_loader.py [DATA/current/dumps/lotaip.nq.gz] [--batch MB ...]

Without a dump it builds the bundled examples and loads theirs.

Loads the dump's N-Quads into a fresh on-disk store once per batch size (each call of
``bulk_load`` gets about that many bytes), checked and ``lenient`` (the build's way: its
text is pyoxigraph's own, ``BuildStore``), and prints calls, seconds, CPU seconds and
quads/s: the reference the build's load stage is compared with (docs/performance.md).
"""

from __future__ import annotations

import argparse
import gzip
import resource
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path, nargs="?", help="a gzip N-Quads dump (lotaip.nq.gz)")
    parser.add_argument("--batch", type=int, nargs="+", default=[32, 128, 4096], help="MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        dump = args.dump or _examples_dump(Path(folder))
        lines = gzip.decompress(dump.read_bytes()).splitlines(keepends=True)
    print(f"{sum(map(len, lines)) >> 20} MB, {len(lines):,} quads")
    for megabytes in args.batch:
        for lenient in (False, True):
            calls, seconds, cpu = _load(lines, megabytes << 20, lenient)
            rate = len(lines) / seconds
            print(
                f"batch {megabytes} MB, {'lenient' if lenient else 'checked'}: {calls} call(s), "
                f"{seconds:.1f} s, {cpu:.1f} CPU-s, {rate:,.0f} quads/s"
            )


def _load(lines: list[bytes], batch: int, lenient: bool) -> tuple[int, float, float]:
    """Load ``lines`` in calls of about ``batch`` bytes: calls, wall and CPU seconds."""
    with tempfile.TemporaryDirectory() as folder:
        store, chunk, size, calls = ox.Store(folder), [], 0, 0
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        for line in lines:
            chunk.append(line)
            size += len(line)
            if size >= batch:
                store.bulk_load(b"".join(chunk), ox.RdfFormat.N_QUADS, lenient=lenient)
                chunk, size, calls = [], 0, calls + 1
        if chunk:
            store.bulk_load(b"".join(chunk), ox.RdfFormat.N_QUADS, lenient=lenient)
            calls += 1
        store.flush()
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return calls, seconds, cpu


def _examples_dump(folder: Path) -> Path:
    """Build the bundled examples into ``folder``; their published dump."""
    from publisher.build.pipeline import build
    from publisher.settings import PROJECT_ROOT, load

    settings = load(env={}, data_dir=folder / "data")
    build([PROJECT_ROOT / "examples" / "reports"], settings, quiet=True, jobs=1)
    return folder / "data" / "current" / "dumps" / "lotaip.nq.gz"


if __name__ == "__main__":
    main()
