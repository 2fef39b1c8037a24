"""A national year: N institutions × M months of synthetic reports, built, updated, rebuilt.

    .venv/bin/python benchmarks/bench_year.py [--institutions 2000] [--months 12] [--jobs 2]

Writes ``N × M`` reports (``publisher.synth``, synthetic institutions ``synth-0000`` …),
then, each build in a fresh process (``bench_build.run_build``, so peak memory is its
own, workers included): a full build; a month's update (the next month's N reports
added, as every institution publishes monthly); a no-op rebuild. Prints each build's
stages and peak RSS; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_build import print_reference, print_stages, run_build  # the same build runner and table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=2000, help="N institutions")
    parser.add_argument("--months", type=int, default=12, help="M months")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args()
    from publisher.synth import synth_reports

    n, m = args.institutions, args.months
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        corpus, data = work / f"year-{n}x{m}", work / f"data-{n}x{m}"
        started = time.perf_counter()
        synth_reports(n * m, corpus, seed=1, institutions=n)
        print(f"=== {n} institutions × {m} months = {n * m} reports ===")
        print(f"generated in {time.perf_counter() - started:.1f} s")
        full = run_build(corpus, data, args.jobs)
        print_stages(f"full build, {args.jobs} job(s)", full)
        print_reference(data, full)
        # The same seed redraws the first N × M files byte for byte, then the next month.
        synth_reports(n * (m + 1), corpus, seed=1, institutions=n)
        month = run_build(corpus, data, args.jobs, full=False)
        print_stages(f"a month's update ({n} new reports), {args.jobs} job(s)", month)
        noop = run_build(corpus, data, args.jobs, full=False)
        print(f"\nno-op rebuild: {noop['wall']:.2f} s (skipped: {noop['skipped']})")
        print(
            f"\nsummary {n}x{m}: full {full['wall']:.1f} s (parent {full['peak_parent_mib']:.0f}"
            f" MiB, worker {full['peak_worker_mib']:.0f} MiB), month {month['wall']:.1f} s"
            f" (parent {month['peak_parent_mib']:.0f} MiB), no-op {noop['wall']:.2f} s"
        )


if __name__ == "__main__":
    main()
