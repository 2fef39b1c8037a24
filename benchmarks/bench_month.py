"""A month's update, run again and again on one kept full build: to compare trees.

    .venv/bin/python benchmarks/bench_month.py KEPT [--tree DIR ...] [--rounds 2] [--cold]

KEPT is a folder ``bench_year.py --keep KEPT`` left: ``year-NxM`` holds the N × (M + 1)
synthetic files and ``data-NxM`` the versions, the first of them the full build. Each run
copies that full build into a fresh data folder, as its published version and again as
the version before it (a data folder in operation keeps two, and publishing the month
removes the older), and builds the corpus into it, so the month's N new reports are
built and the rest carried, as in ``bench_year.py``. Each tree
(a checkout of this repository; default: this one) runs in a process of its own, in the
order A B … B A every round, so that the machine's drift (10–25 % within an hour here)
falls on every tree alike.

The full build was made by some tree's code, and other code would make the update a full
build: each run passes its tree's code off as the kept build's
(``pipeline.code_fingerprint``), which is what a month's update of a version published by
that same tree does. ``--cold`` drops the page cache before each run (needs root): a
month's update a month after the last build finds it cold, and a warm cache moved the
national month's current state by tens of seconds. Prints each run's stages side by side;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench_build import one_build  # the same build runner as bench_build and bench_year

#: The name of the version before the kept full build in a fresh copy: it sorts first.
OLDER = "19700101T000000000000Z"


def fresh_copy(kept_data: Path, data: Path) -> None:
    """``data`` as a published folder whose current version is the kept full build (its
    first version), with a copy of it as the version before: in operation a data folder
    holds ``publish.KEEP`` (2) versions, so publishing the month removes the older one,
    which is part of what a month's update costs (up to 11.6 s cold nationally)."""
    first = sorted((kept_data / "versions").iterdir())[0]
    shutil.rmtree(data, ignore_errors=True)
    (data / "versions").mkdir(parents=True)
    for name in (first.name, OLDER):
        shutil.copytree(first, data / "versions" / name, symlinks=True)
    (data / "current").symlink_to(Path("versions") / first.name)


def drop_page_cache() -> None:
    """Write dirty pages out, then drop the page cache (root only)."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as err:
        raise SystemExit(f"--cold: cannot drop the page cache ({err}); run as root") from err


def run_month(tree: Path, corpus: Path, data: Path, jobs: int) -> dict[str, Any]:
    """A month's update with ``tree``'s code, in a fresh process."""
    command = [sys.executable, __file__, "--one", str(corpus), str(data), str(jobs)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=tree, env=env)
    if done.returncode != 0:
        raise SystemExit(f"month's update failed with {tree}:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return figures


def one_month(corpus: Path, data: Path, jobs: int) -> dict[str, Any]:
    """In the run's process: the update, with this code taken for the kept build's."""
    from publisher.build import pipeline

    manifest = json.loads((data / "current" / "build.json").read_text())
    pipeline.code_fingerprint = lambda settings: manifest["code"]
    figures = one_build(corpus, data, jobs, full=False)
    if figures["built"] == figures["reports"]:
        raise SystemExit("the update rebuilt every report: not a month's update")
    return figures


def print_side_by_side(runs: list[tuple[str, dict[str, Any]]]) -> None:
    """Each run's wall seconds a stage, one column a run."""
    stages: list[str] = []
    for _, figures in runs:
        stages += [stage for stage in figures["seconds"] if stage not in stages]
    width = max(12, *(len(label) for label, _ in runs))
    print(f"\n  {'stage':<18}" + "".join(f" {label:>{width}}" for label, _ in runs))
    for stage in stages:
        cells = [figures["seconds"].get(stage) for _, figures in runs]
        shown = "".join(f" {'–' if c is None else f'{c:.2f}':>{width}}" for c in cells)
        print(f"  {stage:<18}{shown}")
    for name, key, digits in (
        ("total (wall)", "wall", 2),
        ("CPU parent", "cpu_parent", 2),
        ("CPU processes", "cpu_workers", 2),
        ("parent peak MiB", "peak_parent_mib", 0),
    ):
        print(f"  {name:<18}" + "".join(f" {f[key]:>{width}.{digits}f}" for _, f in runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kept", type=Path, help="a folder bench_year.py --keep left")
    parser.add_argument("--tree", type=Path, action="append", help="a checkout (repeatable)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of A B … B A")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--cold", action="store_true", help="drop the page cache before each run")
    args = parser.parse_args()
    corpus = next(args.kept.glob("year-*"))
    kept_data = next(args.kept.glob("data-*"))
    data = args.kept / "month"
    trees = [tree.resolve() for tree in (args.tree or [Path(__file__).resolve().parent.parent])]
    order = trees + trees[::-1] if len(trees) > 1 else trees
    runs: list[tuple[str, dict[str, Any]]] = []
    for round_number in range(1, args.rounds + 1):
        for tree in order:
            fresh_copy(kept_data, data)
            if args.cold:
                drop_page_cache()
            figures = run_month(tree, corpus, data, args.jobs)
            runs.append((f"{tree.name} #{len(runs) + 1}", figures))
            print(f"{tree} round {round_number}: {figures['wall']:.1f} s", flush=True)
    shutil.rmtree(data, ignore_errors=True)
    print_side_by_side(runs)


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "--one":
        print(json.dumps(one_month(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
