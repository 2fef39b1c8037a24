"""Property tests: generated reports, laid out with real quirks in every format, read back.

``publisher.synth`` draws a report's content (the truth) and lays it out with shifted
cells, blank rows, HTML noise, page breaks, banners in three styles, ``<p>`` target
cells and NO APLICA rows. Whatever the layout and format (text, CSV comma/UTF-8, CSV
semicolon/Latin-1, XLSX, HTML), the parser must give back exactly the units, objectives,
indicators and targets that were generated: nothing lost, nothing invented.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from publisher import synth
from publisher.parse import delimited, html, parse_bytes, spreadsheet, text
from publisher.parse.grid import Grid
from publisher.records import Report

Rows = list[list[str]]


def to_xlsx(rows: Rows) -> bytes:
    """Rows as a one-sheet workbook; cells holding only digits stored as numbers."""
    book = Workbook()
    for row in rows:
        book.active.append([int(c) if c.isdigit() else (c or None) for c in row] or [None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_html(rows: Rows) -> bytes:
    """Rows as an HTML table, with comments and attributes as exported pages have them."""
    body = []
    for i, row in enumerate(rows):
        cells = "".join(f'<td class="c{j}">{c}</td>' for j, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>" + ("<!-- página -->" if i % 7 == 0 else ""))
    page = '<html><body><table border="1">\n' + "\n".join(body) + "\n</table></body></html>"
    return page.encode("utf-8")


FORMATS: dict[str, tuple[Callable[[Rows], bytes], Callable[[bytes, str], Grid]]] = {
    "text": (synth.write_text, text.read),
    "csv": (synth.write_csv, delimited.read),
    "csv-semicolon-latin1": (lambda r: synth.write_csv(r, ";", "cp1252"), delimited.read),
    "xlsx": (to_xlsx, spreadsheet.read),
    "html": (to_html, html.read),
}

quirks = st.builds(
    synth.Quirks,
    banner_style=st.sampled_from(("b", "md", "plain")),
    page_every=st.sampled_from((0, 3, 10)),
    blank_rate=st.sampled_from((0.0, 0.2)),
    shift_rate=st.sampled_from((0.0, 0.3, 1.0)),
    noise_rate=st.sampled_from((0.0, 0.5)),
    paragraphs=st.booleans(),
)


def truth(report: synth.SynthReport) -> dict[str, list[Any]]:
    """What the parser must find, flattened in reading order."""
    units = report.units
    slots = [i for u in units for o in u.objectives for i in o.indicators]
    return {
        "units": [(u.name, u.number, u.level, u.not_applicable is not None) for u in units],
        "objectives": [(u.name, o.text) for u in units for o in u.objectives],
        "indicators": [(i.text, i.activity) for i in slots if i.text is not None],
        "targets": [
            (t.text, t.value, t.unit, t.label, t.note)
            for i in slots
            for t in i.targets
            if not t.not_applicable
        ],
    }


def found(report: Report) -> dict[str, list[Any]]:
    """What the parser found, in the same shape as ``truth``."""
    units = report.units
    return {
        "units": [
            (u.name, u.number, u.process_level, u.not_applicable_reason is not None) for u in units
        ],
        "objectives": [(u.name, o.text) for u in units for o in u.objectives],
        "indicators": [(i.text, i.activity) for i in report.indicators()],
        "targets": [(t.text, t.value, t.unit, t.label, t.note) for t in report.targets()],
    }


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    units=st.integers(1, 14),
    columns=st.sampled_from((5, 6)),
    layout=quirks,
    fmt=st.sampled_from(sorted(FORMATS)),
)
def test_nothing_lost_or_invented(
    seed: int, units: int, columns: int, layout: synth.Quirks, fmt: str
) -> None:
    """Units, objectives, indicators and targets read back exactly as generated."""
    rng = random.Random(seed)
    report = synth.make_report(rng, "synth", units=units, columns=columns)
    write, reader = FORMATS[fmt]
    data = write(synth.render_rows(report, layout, rng))
    parsed = parse_bytes(data, f"synth.{fmt}", reader)
    assert found(parsed) == truth(report)
    assert parsed.metadata.updated == report.updated
    assert parsed.institution.domain == report.domain


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), layout=quirks)
def test_every_format_reads_the_same_rows_alike(seed: int, layout: synth.Quirks) -> None:
    """The same rows as text, CSV, XLSX and HTML give the same records (lines aside)."""
    rng = random.Random(seed)
    rows = synth.render_rows(synth.make_report(rng, "same", units=6), layout, rng)
    results = [
        _without_lines(parse_bytes(write(rows), f"same.{fmt}", reader).to_dict())
        for fmt, (write, reader) in sorted(FORMATS.items())
    ]
    assert all(r == results[0] for r in results[1:])


def _without_lines(value: Any) -> Any:
    """A report's dict without ``line`` and ``source`` keys (they differ between formats)."""
    if isinstance(value, dict):
        return {k: _without_lines(v) for k, v in value.items() if k not in ("line", "source")}
    if isinstance(value, list):
        return [_without_lines(v) for v in value]
    return value
