"""XLSX reader: the same real tables as a workbook, merged cells and typed values included."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from publisher.errors import ParseError
from publisher.parse import parse_file, spreadsheet

REPORTS = Path(__file__).resolve().parent / "data" / "reports"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
SOURCES = {
    "alausi-2021-05": EXAMPLES / "alausi-2021-05.txt",
    "sot-2023-01-slice": REPORTS / "sot-2023-01-slice.txt",
}


def text_cells(path: Path) -> dict[int, tuple[str, ...]]:
    """Non-blank lines of the text layout, trailing empty cells dropped, by line."""
    rows = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        cells = line.split("\t")
        while cells and not cells[-1]:
            cells.pop()
        if any(c.strip() for c in cells):
            rows[number] = tuple(cells)
    return rows


def workbook_bytes(rows: list[list[object]]) -> bytes:
    """A one-sheet workbook holding ``rows``."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("stem", sorted(SOURCES))
def test_same_rows_as_text(stem: str) -> None:
    """Row n of the sheet reads as line n of the text: merged cells, 1.0, 90% and dates too."""
    grid = spreadsheet.read((REPORTS / f"{stem}.xlsx").read_bytes(), f"{stem}.xlsx")
    assert grid.format == "xlsx"
    read = {r.line: r.cells for r in grid.rows if not r.is_blank()}
    assert read == text_cells(SOURCES[stem])


def test_merged_unit_leaves_continuation_rows_empty() -> None:
    """SOT unit 2 is merged down four rows: only its first row names it."""
    rows = spreadsheet.read((REPORTS / "sot-2023-01-slice.xlsx").read_bytes(), "s.xlsx").rows
    by_line = {r.line: r.cells for r in rows}
    assert by_line[9][:2] == ("2", "Dirección de Gestión de Información Territorial - INIT")
    assert by_line[10][:2] == ("", "")
    assert by_line[9][4] == "90%"


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (1.0, "General", "1"),
        (16, "General", "16"),
        (0.125, "General", "0.125"),
        (0.9, "0%", "90%"),
        (0.125, "0.0%", "12.5%"),
        (datetime(2023, 1, 31), "dd/mm/yyyy", "31/01/2023"),
        (None, "General", ""),
        ("80 % de cumplimiento", "General", "80 % de cumplimiento"),
    ],
)
def test_cell_text(value: object, number_format: str, text: str) -> None:
    """Values read as a person sees them in the sheet."""
    assert spreadsheet.cell_text(value, number_format) == text


def test_row_numbers_count_empty_rows() -> None:
    """Empty rows in the sheet still count: line is the spreadsheet row number."""
    data = workbook_bytes([["No.", "Unidad"], [], [], ["1", "Alcaldía"]])
    rows = [r for r in spreadsheet.read(data, "e.xlsx").rows if not r.is_blank()]
    assert [(r.line, r.cells) for r in rows] == [(1, ("No.", "Unidad")), (4, ("1", "Alcaldía"))]


def test_sheet_with_the_table_is_read() -> None:
    """A cover sheet in front of the table is passed over."""
    book = Workbook()
    book.active.append(["Reporte LOTAIP 2023"])
    table = book.create_sheet("a4")
    table.append(["No.", "Descripción de la unidad", "Objetivo de la unidad"])
    table.append([1, "ALCALDÍA", "Dirigir la gestión"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = spreadsheet.read(buffer.getvalue(), "two.xlsx").rows
    assert [r.cells for r in rows] == [
        ("No.", "Descripción de la unidad", "Objetivo de la unidad"),
        ("1", "ALCALDÍA", "Dirigir la gestión"),
    ]


def test_zip_bomb_is_refused() -> None:
    """A member that expands a thousandfold is refused before openpyxl opens it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))
    with pytest.raises(ParseError, match="compresses"):
        spreadsheet.read(buffer.getvalue(), "bomb.xlsx")


def test_too_many_members_are_refused() -> None:
    """An archive with thousands of members is refused."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(spreadsheet.MAX_MEMBERS + 1):
            archive.writestr(f"x/{i}", b"")
    with pytest.raises(ParseError, match="members"):
        spreadsheet.read(buffer.getvalue(), "many.xlsx")


def test_too_wide_a_table_is_refused() -> None:
    """A value far to the right of any real layout is refused with its row."""
    data = workbook_bytes([["No."], [None] * spreadsheet.MAX_COLUMNS + ["x"]])
    with pytest.raises(ParseError, match="too wide") as caught:
        spreadsheet.read(data, "wide.xlsx")
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"No.,Unidad\n1,Alcaldia\n", "not a zip"),
        (b"PK\x05\x06" + b"\0" * 18, "not a readable XLSX"),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    """Empty files, CSV named .xlsx and empty zips give a one-line error naming the file."""
    with pytest.raises(ParseError, match=message) as caught:
        spreadsheet.read(data, "bad.xlsx")
    assert str(caught.value).startswith("bad.xlsx")


@pytest.mark.parametrize("stem", sorted(SOURCES))
def test_same_records_as_text(stem: str) -> None:
    """parse_file gives the text version's records; lines are the same row numbers."""
    report = parse_file(REPORTS / f"{stem}.xlsx")
    expected = parse_file(SOURCES[stem])
    assert report.source.format == "xlsx"
    assert _without_lines(report.to_dict()) == _without_lines(expected.to_dict())
    assert [t.line for t in report.targets()] == [t.line for t in expected.targets()]


def _without_lines(value: Any) -> Any:
    """A report's dict without ``line`` and ``source`` (they differ between formats)."""
    if isinstance(value, dict):
        return {k: _without_lines(v) for k, v in value.items() if k not in ("line", "source")}
    if isinstance(value, list):
        return [_without_lines(v) for v in value]
    return value
