"""Write the same real tables as CSV (comma/UTF-8, BOM, semicolon/Latin-1), XLSX and HTML.

Run from the project root: ``python tests/data/make_fixtures.py``. Outputs go to
``tests/data/reports/`` and are committed; rerunning gives the same bytes except for the
XLSX zip timestamps. Sources: the whole Alausí report and a slice of SOT's (title, header,
units 1-6 with their continuation rows, footer), saved as ``sot-2023-01-slice.txt``.

What each format exercises, beside the cells themselves:
* CSV: delimiter sniffing, encodings (UTF-8, UTF-8 with BOM, Latin-1), quoting of cells
  holding commas, quotes and markup;
* XLSX: banners and footer labels merged across columns, units merged down their
  continuation rows, unit numbers stored as floats (``1.0``), SOT percentages stored as
  fractions formatted ``0%``, the footer date stored as a date;
* HTML: titles in ``<p>`` outside the table, ``colspan`` banners, ``rowspan`` units,
  cells keeping their markup.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "reports"
SOT_SLICE = [*range(1, 22), *range(41, 48)]  # 1-based lines kept from sot-2023-01.txt
PERCENT = re.compile(r"^\d+%$")
DATE = re.compile(r"^\d\d/\d\d/\d{4}$")


def lines_of(name: str) -> list[str]:
    """The lines of a real report, without line ends."""
    return (ROOT / "examples" / "reports" / name).read_text(encoding="utf-8").splitlines()


def table(lines: list[str]) -> list[list[str]]:
    """Tab-separated lines -> rows of cells, exactly as the text layout holds them."""
    return [line.split("\t") if line else [] for line in lines]


def is_banner(row: list[str]) -> bool:
    """A row with text in its first cell only (banners, title lines, GPR link label)."""
    return bool(row) and bool(row[0].strip()) and not any(c.strip() for c in row[1:])


def write_csv(rows: list[list[str]], path: Path, delimiter: str, encoding: str) -> None:
    """One CSV row per text line, so CSV lines equal text lines."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def continuation_runs(rows: list[list[str]]) -> list[tuple[int, int]]:
    """(first, last) 0-based row indexes of a unit row followed by continuation rows."""
    runs, start = [], None
    for i, row in enumerate(rows):
        continues = len(row) >= 3 and not row[0] and not row[1] and row[2]
        if continues and start is not None:
            runs[-1] = (start, i)
        elif len(row) >= 3 and row[1]:
            start = i
            runs.append((i, i))
        else:
            start = None
    return [r for r in runs if r[1] > r[0]]


def xlsx_value(text: str) -> object:
    """Store what a spreadsheet user would type: numbers, fractions, dates; else text."""
    if text.isdigit():
        return float(text)  # the reader must print "1", not "1.0"
    if PERCENT.match(text):
        return int(text[:-1]) / 100
    if DATE.match(text):
        return datetime.strptime(text, "%d/%m/%Y")
    return text


def write_xlsx(rows: list[list[str]], path: Path) -> None:
    """Row n of the sheet is line n of the text; banners and units merged."""
    book = Workbook()
    sheet = book.active
    for number, row in enumerate(rows, start=1):
        for column, text in enumerate(row, start=1):
            if not text:
                continue
            cell = sheet.cell(row=number, column=column, value=xlsx_value(text))
            if PERCENT.match(text):
                cell.number_format = "0%"
            elif DATE.match(text):
                cell.number_format = "dd/mm/yyyy"
        if is_banner(row) and len(row) == 5:
            sheet.merge_cells(start_row=number, end_row=number, start_column=1, end_column=5)
        elif len(row) >= 4 and row[0].strip() and not any(c.strip() for c in row[1:3]):
            sheet.merge_cells(start_row=number, end_row=number, start_column=1, end_column=3)
    for first, last in continuation_runs(rows):
        for column in (1, 2):
            sheet.merge_cells(
                start_row=first + 1, end_row=last + 1, start_column=column, end_column=column
            )
    book.save(path)


def html_rows(rows: list[list[str]]) -> list[str]:
    """``<tr>`` lines: colspan banners, rowspan units over continuation rows."""
    spans = {first: last - first + 1 for first, last in continuation_runs(rows)}
    covered = {i for first, last in continuation_runs(rows) for i in range(first + 1, last + 1)}
    out = []
    for i, row in enumerate(rows):
        if not any(c.strip() for c in row):
            continue
        if is_banner(row):
            out.append(f'<tr><td colspan="{max(len(row), 1)}">{row[0]}</td></tr>')
            continue
        cells = []
        for column, text in enumerate(row):
            if i in covered and column < 2:
                continue
            span = f' rowspan="{spans[i]}"' if i in spans and column < 2 else ""
            cells.append(f"<td{span}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return out


def write_html(lines: list[str], path: Path) -> None:
    """Titles before the header row as <p>; the rest as one table."""
    rows = table(lines)
    header = next(i for i, r in enumerate(rows) if r and r[0] == "No.")
    titles = [f"<p>{html.escape(r[0])}</p>" for r in rows[:header] if r and r[0]]
    body = html_rows(rows[header:])
    document = [
        "<!DOCTYPE html>",
        '<html lang="es"><head><meta charset="utf-8"><title>LOTAIP a4</title></head><body>',
        *titles,
        "<table>",
        *body,
        "</table>",
        "</body></html>",
    ]
    path.write_text("\n".join(document) + "\n", encoding="utf-8")


def main() -> None:
    """Write every fixture."""
    OUT.mkdir(parents=True, exist_ok=True)
    alausi = lines_of("alausi-2021-05.txt")
    sot = [line for n, line in enumerate(lines_of("sot-2023-01.txt"), 1) if n in SOT_SLICE]
    (OUT / "sot-2023-01-slice.txt").write_text("\n".join(sot) + "\n", encoding="utf-8")
    for stem, lines in (("alausi-2021-05", alausi), ("sot-2023-01-slice", sot)):
        rows = table(lines)
        write_csv(rows, OUT / f"{stem}.csv", ",", "utf-8")
        write_csv(rows, OUT / f"{stem}-bom.csv", ",", "utf-8-sig")
        write_csv(rows, OUT / f"{stem}-semicolon-latin1.csv", ";", "cp1252")
        write_xlsx(rows, OUT / f"{stem}.xlsx")
        write_html(lines, OUT / f"{stem}.html")


if __name__ == "__main__":
    main()
