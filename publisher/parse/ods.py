"""OpenDocument spreadsheet reader (.ods): bytes -> ``Grid`` from ``content.xml``.

Every ODS cell stores, beside its typed value, the text the spreadsheet shows
(``<text:p>``): ``90%`` for a fraction formatted as a percentage, ``31/01/2023`` for a
date. That text is what a person reads, so it is what the grid takes; python-calamine
reads ODS faster but returns the bare value (``0.9``) without its number format, which
would turn SOT's ``90%`` targets into ``0.9``. The XML is streamed (``iterparse``,
cleared row by row) after the archive checks of the XLSX reader (no DTD, no zip bomb).

* Paragraphs of a cell are joined with ``\\n`` and ``<text:line-break/>`` is ``\\n``: a
  cell typed with Alt+Enter keeps its lines; ``<text:s text:c="3"/>`` is three spaces.
* Merged cells keep their text in the first cell; covered cells read empty (the XLSX
  convention). Repeated empty rows and columns (LibreOffice writes 16,384 columns and a
  million rows as two elements) count for line numbers but are never materialised.
* The sheet read is the first holding the header row, as for XLSX; ``line`` is the row.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, iterparse
from xml.etree.ElementTree import ParseError as XMLError

from publisher.errors import ParseError
from publisher.parse.grid import Grid, Row, check_size
from publisher.parse.spreadsheet import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, check_archive, pick_sheet

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")


def read(data: bytes, name: str) -> Grid:
    """Read an ODS file into a ``Grid`` (``format="ods"``)."""
    check_size(data, name, MAX_BYTES)
    check_archive(data, name, "an ODS")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            part = archive.open("content.xml")
        except KeyError as err:
            raise ParseError(name, "not an OpenDocument spreadsheet (no content.xml)") from err
        with part:
            try:
                return Grid(rows=tuple(pick_sheet(_sheets(part, name))), format="ods")
            except (XMLError, zipfile.BadZipFile, EOFError, OSError) as err:
                raise ParseError(name, f"content.xml is unreadable ({err})") from err


def _sheets(part: IO[bytes], name: str) -> Iterator[list[Row]]:
    """The rows of each sheet, in order."""
    rows: list[Row] = []
    cells: list[str] = []
    pending = 0  # empty cells seen since the last non-empty one
    number = 0  # the sheet's row number
    for event, element in iterparse(part, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_TABLE}table":
                rows, number = [], 0
            elif tag == f"{_TABLE}table-row":
                cells, pending = [], 0
            continue
        if tag in _CELLS:
            text = _cell_text(element)
            repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
            if text:
                if len(cells) + pending + repeat > MAX_COLUMNS:
                    raise ParseError(name, "a value beyond the table's columns", number + 1)
                cells += [""] * pending + [text] * repeat
                pending = 0
            else:
                pending += repeat
            element.clear()
        elif tag == f"{_TABLE}table-row":
            repeat = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
            if cells:
                for _ in range(min(repeat, MAX_ROWS)):
                    number += 1
                    rows.append(Row(line=number, cells=tuple(cells)))
            else:
                number += repeat
            if len(rows) > MAX_ROWS:
                raise ParseError(name, f"more than {MAX_ROWS} rows: refused", number)
            element.clear()
        elif tag == f"{_TABLE}table":
            yield rows
            element.clear()


def _cell_text(cell: Element) -> str:
    """The text a cell shows: its paragraphs, one per line."""
    return "\n".join(_inline(p) for p in cell if p.tag in (f"{_TEXT}p", f"{_TEXT}h"))


def _inline(element: Element) -> str:
    """A paragraph's text with ``text:s``, ``text:tab`` and ``text:line-break`` spelled out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_TEXT}s":
            parts.append(" " * int(child.get(f"{_TEXT}c", "1")))
        elif child.tag == f"{_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            parts.append("\n")
        elif child.tag != "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}annotation":
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)
