"""Search and facets at a national scale: the index of 10,000 synthetic reports.

Issue 15: "a search over 10,000 synthetic reports answers in under 200 ms". Building
10,000 reports through the whole pipeline (parse, map, validate, load, tidy) takes hours
on this machine, and none of it changes what the search reads: the index holds the tidy
table's rows plus what the store tells of them (process-level IRIs, unit functions,
institution territories). So this draws each report's truth with ``synth.make_report``
(the same units, objectives, indicators and targets a parsed synthetic report gives),
writes its tidy rows as the tidy table holds them, and fills the index with
``search.fill_rows``, the function the build uses. 10,000 reports come from 1,000
institutions over 10 months, spread over 221 cantons in 24 provinces, each unit with
one or two of 8 functions.

Then it times, on the published (file) index opened read-only as the site opens it:
an accent-blind word (``gestion``), a word with facets combined (institution, level,
year), facets alone, and the CSV export of a filtered search (``/browse.csv``'s
``rows`` + ``tidy.csv_bytes``). Prints p50 and p99 of each. Target: < 200 ms.

    .venv/bin/python benchmarks/bench_search.py [--reports N] [--repeat R]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from publisher import downloads as tidy
from publisher import synth
from publisher.downloads import search
from publisher.downloads.corpus import Functions, Places

BASE = "https://datos.example.ec/id/"
INSTITUTIONS = 1_000
PROVINCES = 24
CANTONS = 221
FUNCTIONS = (
    "planificacion",
    "talento-humano",
    "comunicacion",
    "obras",
    "ambiente",
    "juridico",
    "financiero",
    "tecnologia",
)
LEVEL_NAMES = dict(synth.LEVELS)


def _report_rows(number: int, report: synth.SynthReport) -> Iterator[dict[str, str]]:
    """The tidy rows of one synthetic report (a target, or a NO APLICA statement)."""
    inst = f"{BASE}institucion/i{number % INSTITUTIONS:04d}"
    month = number // INSTITUTIONS + 1
    iri = f"{inst}/reporte/2024-{month:02d}"
    blank = dict.fromkeys(tidy.NAMES, "")
    line = 0
    for u, unit in enumerate(report.units, 1):
        unit_iri = f"{iri}/unidad/{u}"
        common = {
            **blank,
            "institution_name": f"Institución {number % INSTITUTIONS:04d}",
            "report_date": f"2024-{month:02d}-28",
            "process_level": LEVEL_NAMES[unit.level],
            "unit_number": unit.number or "",
            "unit_name": unit.name,
            "institution_uri": inst,
            "report_uri": iri,
            "unit_uri": unit_iri,
        }
        if unit.not_applicable:
            line += 1
            yield {**common, "not_applicable_reason": unit.not_applicable, "source_line": str(line)}
        for o, objective in enumerate(unit.objectives, 1):
            for i, indicator in enumerate(objective.indicators, 1):
                line += 1
                for t, target in enumerate(indicator.targets, 1):
                    yield {
                        **common,
                        "objective": objective.text,
                        "activity": indicator.activity or "",
                        "indicator": indicator.text or "",
                        "target": target.text,
                        "value": str(target.value) if target.value is not None else "",
                        "unit_of_measure": target.unit or "",
                        "label": target.label or "",
                        "note": target.note or "",
                        "due_date": f"{2024 + (number + t) % 3}-12-31",
                        "source_line": str(line),
                        "objective_uri": f"{unit_iri}/objetivo/{o}",
                        "indicator_uri": f"{unit_iri}/objetivo/{o}/indicador/{i}",
                        "target_uri": f"{unit_iri}/objetivo/{o}/indicador/{i}/meta/{t}",
                    }


Corpus = tuple[list[dict[str, str]], dict[str, str], Functions, Places]


def corpus(reports: int) -> Corpus:
    """The tidy rows of ``reports`` synthetic reports and what a store would tell of them:
    level IRIs, unit functions (one or two each), institution territories."""
    rng = random.Random(15)
    rows: list[dict[str, str]] = []
    for number in range(reports):
        rows.extend(_report_rows(number, synth.make_report(rng, f"r{number}")))
    levels = {name: f"https://datos.example.ec/def/{key}" for key, name in synth.LEVELS}
    functions: Functions = {}
    for row in rows:
        unit = row["unit_uri"]
        if unit not in functions:
            picks = rng.sample(FUNCTIONS, rng.choice((1, 1, 1, 2)))
            functions[unit] = [(f"{BASE}funcion/{f}", f.replace("-", " ")) for f in picks]
    places: Places = {}
    for k in range(INSTITUTIONS):
        canton = k % CANTONS
        places[f"{BASE}institucion/i{k:04d}"] = {
            "canton": {"uri": f"{BASE}canton/{canton}", "name": f"Cantón {canton}"},
            "province": {
                "uri": f"{BASE}provincia/{canton % PROVINCES}",
                "name": f"Provincia {canton % PROVINCES}",
            },
        }
    return rows, levels, functions, places


def build(reports: int, path: Path) -> tuple[int, float]:
    """Write the index of ``reports`` synthetic reports to ``path``: (rows, seconds)."""
    rows, levels, functions, places = corpus(reports)
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    search.fill_rows(conn, rows, levels, functions, places)
    conn.close()
    return len(rows), time.perf_counter() - start


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Cold (first call), p50 and p99 of ``call`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    cold = times[0]
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return cold, statistics.median(ordered), p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / search.INDEX
        count, seconds = build(args.reports, path)
        size = path.stat().st_size / 1e6
        print(
            f"{args.reports} reports, {count} rows: index built in {seconds:.1f} s, {size:.0f} MB"
        )
        start = time.perf_counter()
        index = search.open_index(path)
        print(f"index opened in {(time.perf_counter() - start) * 1000:.0f} ms")
        inst = f"{BASE}institucion/i0042"
        level = "https://datos.example.ec/def/value-adding"
        chosen = {"institution": inst, "level": level, "year": "2025"}
        cases: list[tuple[str, Callable[[], object]]] = [
            ("word, accent-blind (gestion)", lambda: index.search("gestion", {})),
            ("two words (atencion ciudadana)", lambda: index.search("atencion ciudadana", {})),
            ("word + 3 facets", lambda: index.search("capacitacion", chosen)),
            ("facets only (province + function)", lambda: index.search(
                "", {"province": f"{BASE}provincia/3", "function": f"{BASE}funcion/obras"})),
            ("CSV export (word + year)", lambda: tidy.csv_bytes(
                index.rows("participacion", {"year": "2025", "province": f"{BASE}provincia/7"}),
                bom=True)),
        ]  # fmt: skip
        print(f"{'request':36} {'cold ms':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for name, call in cases:
            cold, p50, p99 = timed(call, args.repeat)
            print(f"{name:36} {cold:8.1f} {p50:8.1f} {p99:8.1f}")


if __name__ == "__main__":
    main()
