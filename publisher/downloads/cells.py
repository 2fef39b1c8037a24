"""One table row as the files hold it, made once per row and cached.

Takes a row's texts in ``NAMES`` order; gives its CSV record (``_csv_line``, what
``csv.writer`` writes), its XLSX cell values (``_cell``: numbers for values and lines,
texts without the control characters XML cannot hold), and its sheet ``<row>`` XML as
openpyxl's write-only mode writes it (``_sheet_rows``) with the row number left as a
placeholder, filled in when the corpus sheet is put together (``_numbered``).

A report's cached row holds its report columns (``REPORT_NAMES``) and is left open: the
CSV record without its line end, the ``<row>`` without its end tag. The corpus columns,
known only once the corpus graphs are written, come last: ``_csv_tail`` and
``_sheet_tail`` end the row with them.

Why sheet XML by hand and not openpyxl's write-only mode for the corpus sheet: the
parent's tidy step, which runs alone after the workers, takes 1.1 ms per report instead
of 8.2 (``benchmarks/bench_tidy.py --reports 100``); openpyxl still writes the workbook
around the rows, and ``test_cached_rows_read_back_as_csv_and_openpyxl_write_them`` and
``test_xlsx_holds_the_same_rows_as_the_csv`` (tests/test_tidy.py) hold the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from publisher.downloads.table import COLUMNS, REPORT_NAMES, Column


def _cell(column: Column, text: str) -> Any:
    """The XLSX cell value of one column's text (None: an empty cell)."""
    return _converter(column)(text) if text else None


def _converter(column: Column) -> Callable[[str], str | int | float]:
    """How a column's non-empty texts become cell values."""
    if column.datatype == "decimal":
        return _decimal_cell
    if column.datatype == "integer":
        return int
    return _text_cell


def _decimal_cell(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def _text_cell(text: str) -> str:
    # XML 1.0 cannot hold most control characters; the CSV files keep them.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _csv_line(values: Sequence[str]) -> str:
    """The fields of a CSV record as ``write_csv`` writes them (the csv module's minimal
    quoting), without its line end: the report columns of a cached row."""
    line = ",".join(values)
    if '"' in line or "\n" in line or "\r" in line or line.count(",") >= len(values):
        line = ",".join([_csv_field(text) for text in values])  # some field is quoted
    return line


def _csv_tail(values: Sequence[str]) -> str:
    """The end of a CSV record after its first fields: ``values``' fields, the line end."""
    return "".join(["," + _csv_field(text) for text in values]) + "\r\n"


def _csv_field(text: str) -> str:
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


# A cached sheet row is the ``<row>`` openpyxl's write-only mode writes for the row's
# cell values (``_cell``), with ``_ROW`` standing for its number, which is known only when
# the corpus sheet is put together (``_numbered``). openpyxl's cell writer took 97% of the
# tidy step (2.8 s for 200 reports), serially in the parent; this writes the same XML.
# tests/test_tidy.py holds the cell values and types openpyxl reads back to its own.

#: Stands for the row number in a cached sheet row: XML cannot hold it, so no cell does.
_ROW = "\x00"
_LETTERS = tuple(get_column_letter(i) for i in range(1, len(COLUMNS) + 1))
_CONVERT = tuple(_converter(column) for column in COLUMNS)
#: Columns of a cached (report's) row; the corpus columns follow.
_REPORT = len(REPORT_NAMES)
#: openpyxl's longest string; it cuts longer ones.
_MAX_TEXT = 32767


#: Bytes XML 1.0 cannot hold (``ILLEGAL_CHARACTERS_RE``; NUL is also ``_ROW``).
_ILLEGAL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NUMERIC = tuple(column.datatype in ("decimal", "integer") for column in COLUMNS)


def _sheet_rows(table: Sequence[Sequence[str]], csv_lines: bytes) -> list[str]:
    """Each table row's ``<row>`` (its report columns, left open). When the report's
    texts (its CSV lines, checked at once) hold nothing to escape or drop, a row whose
    texts do not start or end awkwardly is filled into a template of its non-empty cells;
    the rest are written cell by cell."""
    markup = b"&" in csv_lines or b"<" in csv_lines or b">" in csv_lines
    clean = not markup and len(csv_lines.translate(None, _ILLEGAL_BYTES)) == len(csv_lines)
    return [
        _template_row(values) if clean and _plain_edges(values) else _sheet_row(values)
        for values in table
    ]


def _plain_edges(values: Sequence[str]) -> bool:
    """No text too long, none with spaces to preserve."""
    return (
        not any(text and (text[0].isspace() or text[-1].isspace()) for text in values)
        and max(map(len, values)) <= _MAX_TEXT
    )


def _template_row(values: Sequence[str]) -> str:
    """``_sheet_row`` for a row of plain texts: its texts and numbers put in a template."""
    template, numbers = _row_template(tuple(map(bool, values)))
    cells = [text for text in values if text]
    for at, column in numbers:
        cells[at] = f"{_CONVERT[column](values[column]):.16g}"
    return template % tuple(cells)


@cache
def _row_template(filled: tuple[bool, ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The ``<row>`` of a row whose non-empty cells are ``filled``, with ``%s`` for each
    cell's text or number (left open); the numbers' places among the cells and their
    columns."""
    cells: list[str] = []
    numbers: list[tuple[int, int]] = []
    for column, letter in enumerate(_LETTERS[: len(filled)]):
        if not filled[column]:
            continue
        if _NUMERIC[column]:
            numbers.append((len(cells), column))
            cells.append(f'<c r="{letter}{_ROW}" t="n"><v>%s</v></c>')
        else:
            cells.append(f'<c r="{letter}{_ROW}" t="inlineStr"><is><t>%s</t></is></c>')
    return f'<row r="{_ROW}">{"".join(cells)}', tuple(numbers)


def _sheet_row(values: Sequence[str]) -> str:
    """The ``<row>`` of one cached row's texts (its report columns), as openpyxl writes it
    (empty cells left out), left open."""
    return f'<row r="{_ROW}">{_sheet_cells(values, 0)}'


def _sheet_tail(values: Sequence[str]) -> str:
    """The end of a cached ``<row>``: the cells of the corpus columns, the end tag."""
    return _sheet_cells(values, _REPORT) + "</row>"


def _sheet_cells(values: Sequence[str], start: int) -> str:
    """The cells of ``values``, the texts of the columns from ``start`` on."""
    if start + len(values) > len(_LETTERS):
        raise ValueError(f"{start + len(values)} cells in a row of {len(_LETTERS)} columns")
    columns = zip(_LETTERS[start:], _CONVERT[start:], values, strict=False)
    return "".join([_sheet_cell(at, convert(text)) for at, convert, text in columns if text])


def _sheet_cell(letter: str, value: str | int | float) -> str:
    """One ``<c>``, as openpyxl's ``etree_write_cell`` writes the value it binds."""
    ref = f'r="{letter}{_ROW}"'
    if not isinstance(value, str):
        return f'<c {ref} t="n"><v>{value:.16g}</v></c>'  # openpyxl's %.16g
    text = value[:_MAX_TEXT]
    if not text:
        return f'<c {ref} t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c {ref} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'


def _xml_text(text: str) -> str:
    """``text`` escaped as ElementTree escapes element text."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _numbered(sheet_rows: Iterable[str], first: int) -> bytes:
    """Cached sheet rows numbered from ``first``."""
    rows = (row.replace(_ROW, str(n)) for n, row in enumerate(sheet_rows, first))
    return "".join(rows).encode("utf-8")
