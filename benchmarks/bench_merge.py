"""Merging the corpus graphs' sorted chunks: line by line against a piece at a time.

    .venv/bin/python benchmarks/bench_merge.py [--reports 200] [--copies 130]

``corpus.merged_lines`` makes the quality, links and changes graphs from every report's
sorted chunk of lines. It used to walk every line through ``heapq.merge`` (kept here as
``line_by_line``, the alternative); it now takes from the least chunk every line below
the next chunk's least line at once. Chunks come from the parts of ``--reports``
synthetic reports (parsed, measured and linked as a build does), given ``--copies``
times under other report IRIs, as a national year's 26,000 reports give them. Prints CPU
seconds of both, twice each, and checks they give the same bytes; asserts nothing else.
"""

from __future__ import annotations

import argparse
import heapq
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from publisher.build import corpus
from publisher.enrichment import quality
from publisher.parse import parse_file
from publisher.synth import synth_reports
from publisher.uris import Urls


def line_by_line(*chunks: bytes) -> bytes:
    """The merge before: every line of every chunk through ``heapq.merge``."""
    out = io.BytesIO()
    last = b""
    for line in heapq.merge(*map(corpus._lines, chunks)):
        if line != last:
            if line < last:
                raise ValueError(f"not sorted at {line[:80]!r}")
            out.write(line)
            last = line
    return out.getvalue()


def cpu(merge: Callable[..., bytes], chunks: list[bytes]) -> tuple[float, bytes]:
    """CPU seconds of one merge, and what it gave."""
    started = time.process_time()
    merged = merge(*chunks)
    return time.process_time() - started, merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="synthetic reports parsed")
    parser.add_argument("--copies", type=int, default=130, help="times each chunk is given")
    args = parser.parse_args()
    urls = Urls("https://example.org/")
    reference = corpus.shipped_reference()
    with tempfile.TemporaryDirectory() as tmp:
        paths = synth_reports(args.reports, Path(tmp), seed=1, institutions=args.reports)
        parts = [corpus.report_part(parse_file(p), urls, reference) for p in paths]
    copies = range(args.copies)
    measurements = [
        part.measurements.replace(b"/reporte/", f"/reporte/m{k:03d}/".encode())
        for k in copies
        for part in parts
    ]
    # an institution's links month after month: the same chunk, but now and then a line of
    # its own (a unit renamed that month)
    links = []
    for k in copies:
        for part in parts:
            chunk = part.links
            if k % 12 == 11 and chunk:
                first = chunk.splitlines(keepends=True)[0]
                chunk = corpus.sorted_lines(chunk, first.replace(b"> <", f"-m{k}> <".encode(), 1))
            links.append(chunk)
    header = corpus.canonical_ntriples(quality.header_graph(urls))
    cases = {
        f"quality: header + {len(measurements):,} reports' measurements": [header, *measurements],
        f"links: {len(links):,} chunks, every 12th copy with a line of its own": links,
        f"links: {len(links):,} chunks, each copy the same": [p.links for p in parts] * args.copies,
    }
    print(f"{'chunks':<62} {'line by line':>13} {'a piece at a time':>18}  (CPU-s)")
    for label, chunks in cases.items():
        before = [cpu(line_by_line, chunks) for _ in range(2)]
        after = [cpu(corpus.merged_lines, chunks) for _ in range(2)]
        same = before[0][1] == after[0][1]
        shown_before = ", ".join(f"{seconds:.2f}" for seconds, _ in before)
        shown_after = ", ".join(f"{seconds:.2f}" for seconds, _ in after)
        note = "" if same else "  DIFFERENT BYTES"
        print(f"{label:<62} {shown_before:>13} {shown_after:>18}{note}")


if __name__ == "__main__":
    main()
