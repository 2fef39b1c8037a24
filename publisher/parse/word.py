"""Word reader (.docx): bytes -> ``Grid`` from the document's tables, via python-docx.

The body is read in order: each paragraph outside tables (titles, a footer written as
``LABEL: value`` lines) is a one-cell row, each table row a row.

* A cell's paragraphs are joined with ``\\n`` and a manual line break is ``\\n`` (python-docx's
  ``text``): a cell typed with Enter keeps its lines, as Alt+Enter does in a spreadsheet.
* A cell merged across columns (``gridSpan``) is one cell and blanks; a cell merged down
  (``vMerge``) keeps its text in the first row and reads empty below: the XLSX convention.
* A table nested in a cell is part of that cell's text only through its own paragraphs
  being skipped: real reports do not nest tables, and one level of rows is read.
* ``line`` counts the body's paragraphs and table rows from 1, in document order, the
  way they appear on screen (empty paragraphs count too).
* Bounded like XLSX: the zip archive is checked before python-docx parses it.
"""

from __future__ import annotations

import io
from typing import Any

from publisher.errors import ParseError
from publisher.parse.grid import Grid, Row, check_size
from publisher.parse.spreadsheet import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, check_archive


def read(data: bytes, name: str) -> Grid:
    """Read a DOCX file into a ``Grid`` (``format="docx"``)."""
    check_size(data, name, MAX_BYTES)
    check_archive(data, name, "a DOCX")
    # here: a process that reads no DOCX need not load python-docx (parse/__init__)
    from docx import Document
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    try:
        document = Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises many types for one cause: not a document
        raise ParseError(name, f"not a readable DOCX document ({err})") from err
    rows: list[Row] = []
    for block in document.element.body.iterchildren():
        if len(rows) > MAX_ROWS:
            raise ParseError(name, f"more than {MAX_ROWS} rows: refused", len(rows))
        if block.tag == qn("w:p"):
            text = Paragraph(block, document).text
            rows.append(Row(line=len(rows) + 1, cells=(text,) if text.strip() else ()))
        elif block.tag == qn("w:tbl"):
            for tr in block.iterchildren(qn("w:tr")):
                rows.append(Row(line=len(rows) + 1, cells=_cells(tr, document, name, len(rows))))
    return Grid(rows=tuple(rows), format="docx")


def _cells(tr: Any, parent: Any, name: str, line: int) -> tuple[str, ...]:
    """A table row's cell texts: spans padded with blanks, merged-down cells empty."""
    from docx.oxml.ns import qn
    from docx.table import _Cell

    texts: list[str] = []
    for tc in tr.iterchildren(qn("w:tc")):
        merged_down = tc.vMerge == "continue"
        texts.append("" if merged_down else _Cell(tc, parent).text)
        texts.extend("" for _ in range(tc.grid_span - 1))
        if len(texts) > MAX_COLUMNS:
            raise ParseError(name, f"a row of more than {MAX_COLUMNS} cells", line + 1)
    while texts and not texts[-1].strip():
        texts.pop()
    return tuple(texts)
