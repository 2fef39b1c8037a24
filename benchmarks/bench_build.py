"""Build throughput per stage for synthetic corpora, with 1 and 2 jobs; incremental rebuilds.

    .venv/bin/python benchmarks/bench_build.py [--reports 1000 ...] [--jobs 1 2] [--keep DIR]

For each corpus size (``publisher.synth.synth_reports``: one file per institution and
month) and each job count, a full build runs in a fresh process (so its peak memory is
its own, workers included); then, on the last one, a rebuild after changing 1% of the
files (a line appended: new bytes, so those reports are parsed again) and a no-op
rebuild. After each full build, pyoxigraph's own bulk loader loads into a fresh on-disk
store the published N-Quads dump and then every quad of the published store (the dump's,
the history graph's, the current state's: the same quads the build loaded), the
yardsticks for the build. Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: Stages run in the workers: their seconds are summed over processes (CPU seconds).
WORKER_STAGES = ("parse", "map", "validate", "serialise", "parts")


def one_build(corpus: Path, data: Path, jobs: int, full: bool) -> dict[str, Any]:
    """Build ``corpus`` into ``data`` in this process; the figures as a dict."""
    from publisher.build.pipeline import build, peak_mib
    from publisher.settings import load

    settings = load(env={}, data_dir=data)
    started = time.perf_counter()
    result = build([corpus], settings, quiet=True, jobs=jobs, incremental=not full)
    wall = time.perf_counter() - started
    own = peak_mib()  # VmHWM: ru_maxrss keeps, across exec, the peak of the process
    # that forked us (the benchmark, after loading a dump: 2 GiB)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = children.ru_maxrss / 1024
    parent = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "jobs": jobs,
        "wall": wall,
        "quads": result.triples,
        "reports": len(result.reports),
        "built": result.built,
        "carried": result.carried,
        "skipped": result.skipped,
        "seconds": result.seconds,
        "peaks": result.peaks,
        "peak_parent_mib": own,
        "peak_worker_mib": workers,
        # CPU seconds: this process (its loader thread included) and its workers
        "cpu_parent": parent.ru_utime + parent.ru_stime,
        "cpu_workers": children.ru_utime + children.ru_stime,
    }


def run_build(corpus: Path, data: Path, jobs: int, full: bool = True) -> dict[str, Any]:
    """``one_build`` in a fresh Python process."""
    command = [sys.executable, __file__, "--one", str(corpus), str(data), str(jobs)]
    if full:
        command.append("--full")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return figures


def print_stages(label: str, figures: dict[str, Any]) -> None:
    """One table: seconds, reports/s and quads/s per stage, and the whole build."""
    quads, built = figures["quads"], max(figures["built"], 1)
    print(f"\n{label}: {figures['reports']} reports ({figures['built']} built), {quads:,} quads")
    print(f"  {'stage':<16} {'seconds':>9} {'reports/s':>10} {'quads/s':>12}")
    for stage, seconds in figures["seconds"].items():
        per_report = "" if stage not in WORKER_STAGES + ("reports (wall)",) else built / seconds
        shown = f"{per_report:10.1f}" if per_report else f"{'':>10}"
        cpu = " (CPU, summed over workers)" if stage in WORKER_STAGES else ""
        print(f"  {stage:<16} {seconds:9.2f} {shown} {quads / max(seconds, 1e-9):12,.0f}{cpu}")
    wall = figures["wall"]
    no_shacl = wall - figures["seconds"].get("validate", 0.0)
    print(f"  {'total (wall)':<16} {wall:9.2f} {built / wall:10.1f} {quads / wall:12,.0f}")
    if figures["jobs"] == 1:  # with workers, SHACL overlaps the rest: no honest subtraction
        print(f"  {'total - SHACL':<16} {no_shacl:9.2f} {'':>10} {quads / no_shacl:12,.0f}")
    rises = ", ".join(f"{stage} {mib:.0f}" for stage, mib in figures.get("peaks", {}).items())
    print(f"  the parent's peak rose in (MiB after): {rises}")
    workers = figures["peak_worker_mib"]
    shown = f", largest worker {workers:.0f} MiB" if workers else " (no workers)"
    print(f"  peak RSS: parent {figures['peak_parent_mib']:.0f} MiB{shown}")
    print(
        f"  CPU: parent (its loader thread included) {figures['cpu_parent']:.1f} s,"
        f" workers {figures['cpu_workers']:.1f} s"
    )


def reference_load(data: Path, source: str) -> tuple[int, float, float]:
    """(quads, seconds, CPU seconds) of pyoxigraph's own bulk loader into a fresh on-disk
    store beside ``data``, the speed the build's load is held to. ``source`` says which
    quads: ``"dump"``, the published N-Quads dump (the report and corpus graphs), or
    ``"store"``, every quad the build loaded into the published store (the dump's, the
    history graph's and the current state's), written out by pyoxigraph first."""
    import gzip
    import shutil

    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(dir=data.parent) as folder:
        # Streamed to a file: gzip.decompress copies the rest of the input for each
        # member (quadratic on a national dump's 24,000 members), and the file is read by
        # the loader without holding its gigabytes in memory.
        quads_file = Path(folder) / "quads.nq"
        if source == "dump":
            packed = data / "current" / "dumps" / "lotaip.nq.gz"
            with gzip.open(packed) as packed_file, quads_file.open("wb") as target:
                shutil.copyfileobj(packed_file, target, 1 << 24)
        else:
            published = ox.Store.read_only(str(data / "current" / "store"))
            published.dump(output=str(quads_file), format=ox.RdfFormat.N_QUADS)
            del published
        store = ox.Store(Path(folder) / "store")
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        store.bulk_load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
        store.flush()
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        quads = len(store)
        del store  # closed before its folder goes: RocksDB writes in the background
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return quads, seconds, cpu


#: What the reference loads: (``reference_load`` source, how the table names it).
REFERENCES = (
    ("dump", "the published dump"),
    ("store", "the store's quads, the same the build loaded"),
)


def print_reference(data: Path, figures: dict[str, Any]) -> None:
    """The build's load stage and whole build beside pyoxigraph's bulk loader, given the
    published dump and then every quad the build loaded (the issue's "same quads")."""
    load = figures["seconds"].get("bulk loads", figures["seconds"].get("load", 0.0))
    for source, label in REFERENCES:
        quads, seconds, cpu = reference_load(data, source)
        print(
            f"  pyoxigraph bulk_load of {label}: {quads:,} quads in {seconds:.2f} s"
            f" ({cpu:.1f} CPU-s, {quads / seconds:,.0f} quads/s);"
            f" the build's bulk loads {load / seconds:.2f}x,"
            f" whole build {figures['wall'] / seconds:.2f}x that"
        )


def change_files(corpus: Path, share: float) -> int:
    """Append a line to every ``1/share``-th file; return how many changed."""
    files = sorted(corpus.iterdir())
    step = max(1, round(1 / share))
    for path in files[::step]:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n")
    return len(files[::step])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[1000], help="corpus sizes")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="job counts")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args()
    from publisher.synth import synth_reports

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        for size in args.reports:
            corpus = work / f"reports-{size}"
            if not corpus.is_dir():
                synth_reports(size, corpus, seed=1)
            rows = sum(len(p.read_bytes().splitlines()) for p in corpus.iterdir())
            print(f"\n=== corpus: {size} synthetic reports, {rows:,} lines ===")
            for jobs in args.jobs:
                data = work / f"data-{size}-{jobs}"
                figures = run_build(corpus, data, jobs)
                print_stages(f"full build, {jobs} job(s)", figures)
                print_reference(data, figures)
            full_wall = figures["wall"]
            changed = change_files(corpus, 0.01)
            again = run_build(corpus, data, args.jobs[-1], full=False)
            print_stages(f"rebuild after changing {changed} file(s), {args.jobs[-1]} job(s)", again)
            share = 100 * again["wall"] / full_wall
            print(f"  rebuild / full build: {share:.1f}%")
            noop = run_build(corpus, data, args.jobs[-1], full=False)
            print(f"\nno-op rebuild: {noop['wall']:.2f} s (skipped: {noop['skipped']})")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "--one":
        figures = one_build(
            Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), "--full" in sys.argv
        )
        print(json.dumps(figures))
    else:
        main()
