"""Tidy table throughput, before and after issue 7's rewrite (prints figures).

    .venv/bin/python benchmarks/bench_tidy.py [--reports 200] [--seed 0]

``--reports`` synthetic reports (``publisher.synth``) are parsed and mapped once, as a
build's workers do, into N-Quads (SHACL is left out: it does not touch the table).
Then, timed apart, for the same reports:

- the worker's "tidy rows" stage, per report: *before*, the report's graph loaded into
  pyoxigraph and the two SPARQL queries run (the queries ``tidy_rows`` still runs for the
  site's filtered downloads), written as CSV lines and XLSX cell values;
  *after*, ``write_report_rows`` on the report's N-Quads, as a build calls it (the queries
  answered over the N-Quads in Python, CSV lines and sheet rows cached);
- the parent's tidy step over all reports: *before*, the CSV lines concatenated and the
  cell values streamed through openpyxl's write-only mode; *after*,
  ``write_tidy_cached`` (the cached sheet rows numbered and streamed into openpyxl's
  header-only workbook).

The store of the parent's step states, as a build's links graph would, one or two
functions for each unit and a DPA code for each institution, so that *after* fills the
corpus columns (issue 15: institution id, territory DPA code, unit function), which
*before* had not.

Times are CPU seconds of this process (``time.process_time``), so that other work on the
shared machine counts less; the load average is printed beside them. Both ways must
give the same rows: the benchmark checks the CSVs hold the same report columns.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import pickle
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from publisher import downloads as tidy
from publisher.downloads import cells, report, table
from publisher.mapping.rdf import map_report, ontology_graph
from publisher.parse import parse_file
from publisher.store.embedded import OxigraphStore
from publisher.store.rdftext import without_graph
from publisher.synth import synth_reports
from publisher.uris import Urls
from publisher.vocab import LOTAIP

BASE = "http://localhost:8000/id/"


def corpus(count: int, seed: int, folder: Path) -> list[bytes]:
    """Each synthetic report's N-Quads, as the mapper writes them (and a build keeps them)."""
    synth_reports(count, folder, seed=seed, units=12, formats=("txt",))
    return [map_report(parse_file(p), Urls(BASE)).nquads() for p in sorted(folder.iterdir())]


def rows_before(nquads: bytes) -> list[tidy.TidyRow]:
    """The rows as the worker read them before: the report's graph loaded into a fresh
    pyoxigraph store and the two SPARQL queries run (levels named from the ontology)."""
    store = OxigraphStore()
    graph = nquads[: nquads.index(b"\n")].rsplit(b" ", 2)[1][1:-1].decode()  # the 4th term
    loader = store.bulk_loader(len(nquads))
    loader.add(graph, without_graph(nquads, graph))
    loader.flush()
    select = lambda query: table.select_text(store, query, {})  # noqa: E731
    return table._rows(select, {}, tidy.ontology_levels().get)


def cache_before(path: Path, nquads: bytes) -> int:
    """The worker's cache before: key, CSV lines (DictWriter), XLSX cell values."""
    rows = rows_before(nquads)
    lines = io.StringIO()
    csv.DictWriter(lines, tidy.NAMES, lineterminator="\r\n").writerows(rows)
    values = [[cells._cell(c, row.get(c.name, "")) for c in tidy.COLUMNS] for row in rows]
    key = table._report_key(rows[0]) if rows else ("", "", "")
    parts = (lines.getvalue().encode("utf-8"), values)
    path.write_bytes(pickle.dumps(key, tidy.PICKLE) + pickle.dumps(parts, tidy.PICKLE))
    return len(rows)


def cache_after(folder: Path, hashes: list[str], reports: list[bytes]) -> None:
    """The cache now, for every report (read from its N-Quads)."""
    for sha256, nquads in zip(hashes, reports, strict=True):
        tidy.write_report_rows(folder, sha256, nquads)


def tables_before(paths: list[Path], folder: Path) -> None:
    """The parent's tidy step before: CSV lines concatenated, cells through openpyxl."""
    header = ",".join(tidy.NAMES).encode("utf-8") + b"\r\n"
    ordered = [p for _, p in sorted((report._cached_key(p), p) for p in paths)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("metas")
    sheet.append(list(tidy.NAMES))
    with (folder / tidy.CSV_PLAIN).open("wb") as plain:
        plain.write(header)
        for path in ordered:
            with path.open("rb") as stream:
                pickle.load(stream)
                lines, sheet_values = pickle.load(stream)
            plain.write(lines)
            for values in sheet_values:
                sheet.append(values)
    workbook.save(folder / tidy.XLSX)


def corpus_links(reports: list[bytes]) -> Graph:
    """What a links graph would state of the reports' units and institutions: one or two
    functions a unit (of 8), a DPA code an institution."""
    graph = Graph()
    functions = [URIRef(f"{BASE}funcion/f{k}") for k in range(8)]
    for k, function in enumerate(functions):
        graph.add((function, SKOS.prefLabel, Literal(f"Función {k}", lang="es")))
    for nquads in reports:
        for row in tidy.report_rows(nquads):
            unit, inst = URIRef(row["unit_uri"]), URIRef(row["institution_uri"])
            number = zlib.crc32(unit.encode()) % 16
            graph.add((unit, LOTAIP.unitFunction, functions[number % 8]))
            if number >= 8:
                graph.add((unit, LOTAIP.unitFunction, functions[(number + 3) % 8]))
            code = f"{zlib.crc32(inst.encode()) % 24 + 1:02d}01"
            graph.add((inst, LOTAIP.dpaCode, Literal(code)))
    return graph


def report_columns(path: Path) -> list[tuple[str, ...]]:
    """The report columns of a tidy CSV's rows."""
    with path.open(encoding="utf-8", newline="") as stream:
        return [tuple(row[n] for n in tidy.REPORT_NAMES) for row in csv.DictReader(stream)]


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of ``work()`` and its result."""
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def main() -> None:
    """Build the corpus, time both ways, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seconds, nquads = timed(lambda: corpus(args.reports, args.seed, root / "corpus"))
        quads = sum(text.count(b"\n") for text in nquads)
        print(f"{len(nquads)} reports, {quads:,} quads (parse + map: {seconds:.1f} s)")
        tidy.ontology_levels()  # read once per worker, not per report
        for name in ("before", "after"):
            (root / name).mkdir()
        before = [root / "before" / f"{i}.tidy.pickle" for i in range(len(nquads))]
        worker_before, counts = timed(
            lambda: [cache_before(p, r) for p, r in zip(before, nquads, strict=True)]
        )
        hashes = [str(i) for i in range(len(nquads))]
        worker_after, _ = timed(lambda: cache_after(root / "after", hashes, nquads))
        store = OxigraphStore()
        store.load_graph(URIRef("urn:bench:ontology"), ontology_graph())
        store.load_graph(URIRef("urn:bench:links"), corpus_links(nquads))
        (root / "out-before").mkdir()
        parent_before, _ = timed(lambda: tables_before(before, root / "out-before"))
        parent_after, _ = timed(
            lambda: tidy.write_tidy_cached(store, root / "after", hashes, root / "out-after")
        )
        same = report_columns(root / "out-before" / tidy.CSV_PLAIN) == report_columns(
            root / "out-after" / tidy.CSV_PLAIN
        )
        after = list(csv.DictReader((root / "out-after" / tidy.CSV_PLAIN).open(newline="")))
        filled = sum(1 for row in after if row["unit_function"] and row["territory_dpa_code"])
    rows = sum(counts)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{rows:,} rows; load average {load}; report columns identical: {same}")
    print(f"after: {filled:,} rows with a unit function and a DPA code")
    print(f"{'':32} {'before':>12} {'after':>12} {'speed-up':>9}")
    for label, old, new, per in (
        ("worker tidy rows, ms/report", worker_before, worker_after, len(nquads)),
        ("parent tidy step, ms/report", parent_before, parent_after, len(nquads)),
    ):
        print(f"{label:32} {old * 1000 / per:12.2f} {new * 1000 / per:12.2f} {old / new:8.1f}x")
    for label, old, new in (
        ("worker tidy rows, rows/s", worker_before, worker_after),
        ("parent tidy step, rows/s", parent_before, parent_after),
    ):
        print(f"{label:32} {rows / old:12,.0f} {rows / new:12,.0f}")
    label = "worker tidy rows, quads/s"
    print(f"{label:32} {quads / worker_before:12,.0f} {quads / worker_after:12,.0f}")


if __name__ == "__main__":
    main()
