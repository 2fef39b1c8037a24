"""What a build worker's readers of a mapped report cost, before and after (CPU ms a report).

    .venv/bin/python benchmarks/bench_worker.py [--reports 100] [--repeat 3]

A worker maps a report once (``MappedReport``: pyoxigraph terms and N-Quads lines, both
as the store keeps them) and then writes the report's Turtle member, its snapshot for
the graph of changes and the N-Triples SHACL reads. The first two were made by parsing
the N-Quads text again and are now made from the mapper's terms; the third was written
from the terms and is now cut from the N-Quads lines. This prints both ways, side by
side, and checks that they give the same bytes. It also prints what a report's tidy
rows cost, which the build now makes only for current reports. Reports come from
``publisher.synth`` (parsed and mapped once, not timed); the best of ``--repeat``
passes is shown. Last, two ways of making the dump members that were measured and not
taken: a Turtle member written by a pyoxigraph store, and gzip at other levels.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from zlib_ng import zlib_ng

from publisher import downloads as tidy
from publisher.build import changes
from publisher.build.workers import turtle_member
from publisher.mapping.rdf import MappedReport, map_report
from publisher.mapping.validate import ntriples
from publisher.parse import parse_file
from publisher.store.rdftext import quad_triples
from publisher.synth import synth_reports
from publisher.uris import Urls
from publisher.vocab import PREFIXES

GENERATED_AT = datetime(2026, 12, 6, tzinfo=UTC)


def best_ms(work: Callable[[MappedReport], Any], mapped: list[MappedReport], repeat: int) -> float:
    """The best pass's CPU ms a report of ``work`` over ``mapped``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for report in mapped:
            work(report)
        best = min(best, time.process_time() - started)
    return 1000 * best / len(mapped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100, help="synthetic reports")
    parser.add_argument("--repeat", type=int, default=3, help="passes (the best is shown)")
    args = parser.parse_args()
    urls = Urls("https://lotaip.example.org/")
    with tempfile.TemporaryDirectory() as tmp:
        paths = synth_reports(args.reports, Path(tmp) / "reports", seed=1)
        mapped = [map_report(parse_file(p), urls, generated_at=GENERATED_AT) for p in paths]
        texts = {id(m): m.nquads() for m in mapped}
        for m in mapped:  # the same bytes either way, or the comparison means nothing
            text = texts[id(m)]
            assert turtle_member(m.triples) == turtle_member(quad_triples(text))
            assert changes.snapshot(m.triples) == changes.snapshot(quad_triples(text))
            assert sorted(m.ntriples().splitlines()) == sorted(ntriples(m.triples).splitlines())
        rows_dir = Path(tmp) / "rows"
        rows_dir.mkdir()
        pairs = [
            (
                "Turtle member (text -> terms)",
                lambda m: turtle_member(quad_triples(texts[id(m)])),
                lambda m: turtle_member(m.triples),
            ),
            (
                "snapshot (text -> terms)",
                lambda m: changes.snapshot(quad_triples(texts[id(m)])),
                lambda m: changes.snapshot(m.triples),
            ),
            (
                "SHACL's N-Triples (terms -> lines)",
                lambda m: ntriples(m.triples),
                lambda m: m.ntriples(),
            ),
        ]
        lines = sum(len(m.lines) for m in mapped) / len(mapped)
        print(f"{len(mapped)} synthetic reports, {lines:.0f} quads a report; CPU ms a report")
        print(f"  {'reader':<36} {'before':>8} {'after':>8}")
        for label, before, after in pairs:
            old = best_ms(before, mapped, args.repeat)
            new = best_ms(after, mapped, args.repeat)
            print(f"  {label:<36} {old:8.2f} {new:8.2f}")
        rows = best_ms(
            lambda m: tidy.write_report_rows(rows_dir, "0" * 64, texts[id(m)]),
            mapped,
            args.repeat,
        )
        print(f"  tidy rows (now only once a report is current): {rows:.2f}")
        alternatives(mapped, texts, args.repeat)


def alternatives(mapped: list[MappedReport], texts: dict[int, bytes], repeat: int) -> None:
    """Ways of making a report's dump members that were measured and not taken (2026-12-07):
    a Turtle member written by a pyoxigraph store from the N-Triples (no Python object a
    triple), and the members' gzip at other levels than the build's 6."""
    prefixes = dict(PREFIXES)

    def through_a_store(m: MappedReport) -> bytes:
        store = ox.Store()
        store.load(m.ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        dumped = store.dump(
            format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes
        )
        return dumped or b""

    built = best_ms(lambda m: turtle_member(m.triples), mapped, repeat)
    other = best_ms(through_a_store, mapped, repeat)
    print(f"  {'Turtle member (terms; a store)':<36} {built:8.2f} {other:8.2f}")
    print("  gzip of the N-Quads member, by level: CPU ms a report, KiB a report")
    for level in (6, 4, 1):
        compress = functools.partial(_gzip, texts, level)
        members = [compress(m) for m in mapped]
        spent = best_ms(compress, mapped, repeat)
        note = " (the build)" if level == 6 else ""
        size = sum(map(len, members)) / len(members) / 1024
        print(f"    level {level}{note}: {spent:.2f} ms, {size:.1f} KiB")


def _gzip(texts: dict[int, bytes], level: int, mapped: MappedReport) -> bytes:
    return zlib_ng.compress(texts[id(mapped)], level, 31)


if __name__ == "__main__":
    main()
