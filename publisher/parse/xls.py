"""Legacy Excel reader (.xls, BIFF8): bytes -> ``Grid`` via xlrd (the seam to xlrd).

xlrd gives each cell's number format (``formatting_info=True``), so values read as in
the XLSX reader: ``90%`` for a fraction formatted as a percentage, ``31/01/2023`` for a
date, ``1`` for ``1.0``. python-calamine reads .xls faster but without number formats,
which would read SOT's ``90%`` targets as ``0.9``. Merged cells keep their value in the
first cell, the others are empty (the XLSX convention); line breaks inside a cell
(Alt+Enter) stay ``\\n``. The sheet read is the first holding the header row; ``line``
is the spreadsheet row number.
"""

from __future__ import annotations

from typing import Any

import xlrd

from publisher.errors import ParseError
from publisher.parse.grid import Grid, Row, check_size
from publisher.parse.spreadsheet import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, cell_text, pick_sheet


def read(data: bytes, name: str) -> Grid:
    """Read an XLS workbook into a ``Grid`` (``format="xls"``)."""
    check_size(data, name, MAX_BYTES)
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as err:  # xlrd raises many types for one cause: not a BIFF workbook
        raise ParseError(name, f"not a readable XLS workbook ({err})") from err
    try:
        sheets = (_rows(book, book.sheet_by_index(i), name) for i in range(book.nsheets))
        return Grid(rows=tuple(pick_sheet(sheets)), format="xls")
    finally:
        book.release_resources()


def _rows(book: Any, sheet: Any, name: str) -> list[Row]:
    """Every row of a sheet as text cells, trailing empty cells dropped."""
    if sheet.nrows > MAX_ROWS:
        raise ParseError(name, f"more than {MAX_ROWS} rows: refused", MAX_ROWS + 1)
    rows = []
    for r in range(sheet.nrows):
        texts = [_text(book, sheet.cell(r, c)) for c in range(sheet.row_len(r))]
        while texts and not texts[-1]:
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            raise ParseError(name, f"a value in column {len(texts)}: too wide a table", r + 1)
        rows.append(Row(line=r + 1, cells=tuple(texts)))
    return rows


def _text(book: Any, cell: Any) -> str:
    """A cell as the text a person sees, by its type and number format."""
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        return cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode), "")
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value), "")
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        key = book.xf_list[cell.xf_index].format_key
        return cell_text(cell.value, book.format_map[key].format_str)
    return str(cell.value)
