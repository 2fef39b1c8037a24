"""Map + serialise per report on synthetic reports shaped like ours (prints figures).

The build's per-report work after parsing is map -> (SHACL) -> serialise; issue 7 asks
for the whole build without SHACL at >= 100,000 quads/s on one core, so this prints what
map and serialise cost a report, and what making the rdflib graph that only SHACL reads
costs (counted in the build's "validate" stage).

    .venv/bin/python benchmarks/bench_mapping.py [--reports N] [--units U] [--repeat R]

Reports are written by ``publisher.synth`` (real layouts and quirks), parsed once (not
timed), then mapped and serialised R times; the best pass is reported. Times are CPU
time of this process (as the build's per-stage figures are), so that other work on a
shared machine disturbs them less than wall time. Serialising is ``MappedReport.nquads``,
what the build's workers write; for "before" figures of an older checkout, run that
checkout's own copy of this script (its modules were laid out differently).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from publisher.mapping.rdf import map_report
from publisher.parse import parse_file
from publisher.records import Report
from publisher.synth import synth_reports
from publisher.uris import Urls

GENERATED_AT = datetime(2026, 11, 22, tzinfo=UTC)


def one_pass(reports: list[Report], urls: Urls) -> dict[str, float]:
    """Seconds spent mapping, serialising and making the rdflib view, summed; quads."""
    total = {"map": 0.0, "serialise": 0.0, "rdflib view": 0.0, "quads": 0.0}
    for report in reports:
        start = time.process_time()
        mapped = map_report(report, urls, generated_at=GENERATED_AT)
        mapped_at = time.process_time()
        mapped.nquads()  # the bytes a worker writes (its gzip member, the store's load)
        done = time.process_time()
        len(mapped.graph)  # the graph pyshacl reads: made here, or already made by map
        viewed = time.process_time()
        total["map"] += mapped_at - start
        total["serialise"] += done - mapped_at
        total["rdflib view"] += viewed - done
        total["quads"] += len(mapped.lines)  # one N-Quads line a quad
    return total


def main() -> None:
    """Print per-report figures for map, serialise and both, with quads/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--units", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        reports = [parse_file(p) for p in synth_reports(args.reports, folder, units=args.units)]
    urls = Urls("http://localhost:8000/")
    one_pass(reports[:5], urls)  # read the mapping and import what it needs, as a build does
    best = min((one_pass(reports, urls) for _ in range(args.repeat)), key=lambda t: t["map"])
    n, quads = len(reports), best["quads"]
    print(f"{Path(__file__).name}: {n} synthetic reports, {quads / n:,.0f} quads a report")
    print(f"  load average {os.getloadavg()[0]:.2f}, best of {args.repeat} passes, CPU time")
    both = best["map"] + best["serialise"]
    for stage, seconds in (
        ("map", best["map"]),
        ("serialise", best["serialise"]),
        ("map+serialise", both),
    ):
        per_report = seconds / n * 1000
        print(f"  {stage:<14} {per_report:7.2f} ms a report  {quads / seconds:>10,.0f} quads/s")
    view = best["rdflib view"] / n * 1000
    print(f"  rdflib graph for SHACL (in 'validate', after map): {view:.2f} ms a report")


if __name__ == "__main__":
    main()
