"""Write the PDFs the PDF reader must refuse rather than misread (issue 13).

Run from the project root: ``python tests/data/make_pdf_fixtures.py``. Needs LibreOffice
(``soffice``) on PATH. Outputs go to ``tests/data/reports/bad/`` and are committed; each is
made by a real producer (openpyxl or python-docx, then LibreOffice Calc or Writer):

* ``pdf-overflow.pdf``: a ruled sheet printed by Calc where one objective is too long for
  its column and not set to wrap; Calc lets it run on over the empty indicator cell next
  to it, across the drawn border (what an institution gets from "export as PDF" of a
  sheet whose text overflows). Which column those words belong to cannot be told.
* ``pdf-split-row.pdf``: a Word table ending page 1 whose last row's cells were typed with
  a space before a line break (Shift+Enter; Writer keeps that space, as it keeps the
  space it wraps at), then a second table on page 2 under the repeated header whose
  first row has no number and fills other cells: whether it continues the row above
  cannot be told.
* ``pdf-columns.pdf``: a Word table with the header row on page 1 and, on page 2, a second
  table without the header and with other column widths: its columns do not match the
  header's.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.styles import Border, Side

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_document_fixtures import convert, landscape_document, repeat_as_header  # noqa: E402
from make_fixtures import OUT  # noqa: E402

HEADER = [
    "No.",
    "Descripción de la unidad",
    "Objetivo de la unidad",
    "Indicador",
    "Meta cuantificable",
]
TITLE = "Literal a4) Las metas y objetivos de las unidades administrativas"
ROWS = [
    ["1", "DIRECCIÓN EJECUTIVA", "Coordinar la gestión institucional", "Número de reuniones",
     "45 Reuniones"],
    ["2", "DIRECCIÓN FINANCIERA", "Ejecutar el presupuesto anual", "% de ejecución", "90%"],
    ["3", "DIRECCIÓN DE TALENTO HUMANO", "Gestionar el talento humano",
     "% de servidores evaluados", "100%"],
]  # fmt: skip
OVERFLOWING = [
    "4",
    "DIRECCIÓN DE COMUNICACIÓN",
    "Posicionar la imagen institucional en los municipios del país",
    "",
    "3 Publicaciones",
]


def write_overflow(path: Path) -> None:
    """A ruled sheet (thin borders, no wrapping) whose row 4 objective overflows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    thin = Side(style="thin")
    sheet.append([TITLE])
    for row in [HEADER, *ROWS, OVERFLOWING]:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, width in zip("ABCDE", (5, 30, 30, 22, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / f"{path.stem}.xlsx"
        book.save(xlsx)
        convert(xlsx, path, "pdf:calc_pdf_Export")


def _table(document: object, rows: list[list[str]], widths: list[float], header: bool) -> None:
    table = document.add_table(rows=len(rows), cols=len(widths))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Cm(width)  # Writer takes the widths from the table grid
    for i, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(i, c)
            cell.width = Cm(widths[c])
            lines = text.split("\n")
            run = cell.paragraphs[0].add_run(lines[0])
            for line in lines[1:]:
                run.add_break()  # Shift+Enter
                run.add_text(line)
    if header:
        repeat_as_header(table)


def _page_break(document: object) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # type: ignore[attr-defined]


WIDTHS = [1.5, 6.0, 7.0, 6.0, 6.0]


def write_split_row(path: Path) -> None:
    """Page 1 ends in a row typed with spaces before line breaks; page 2 starts with a
    numberless row in other columns."""
    document = landscape_document()
    document.add_paragraph(TITLE)
    trailing = [
        "4",
        "DIRECCIÓN DE COMUNICACIÓN \n",
        "Posicionar la imagen institucional \n",
        "",
        "",
    ]
    _table(document, [HEADER, *ROWS, trailing], WIDTHS, header=True)
    _page_break(document)
    below = ["", "", "", "Publicaciones en prensa", "3 Publicaciones"]
    _table(document, [HEADER, below, ROWS[0]], WIDTHS, header=True)
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / f"{path.stem}.docx"
        document.save(docx)
        convert(docx, path, "pdf:writer_pdf_Export")


def write_columns(path: Path) -> None:
    """Page 2 holds a second table without the header and with other column widths."""
    document = landscape_document()
    document.add_paragraph(TITLE)
    _table(document, [HEADER, *ROWS], WIDTHS, header=True)
    _page_break(document)
    more = [["5", "DIRECCIÓN JURÍDICA", "Asesorar legalmente", "% de procesos", "80%"]]
    _table(document, more, [3.0, 4.5, 8.0, 4.0, 7.0], header=False)
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / f"{path.stem}.docx"
        document.save(docx)
        convert(docx, path, "pdf:writer_pdf_Export")


def main() -> None:
    """Write every fixture of this script."""
    bad = OUT / "bad"
    write_overflow(bad / "pdf-overflow.pdf")
    write_split_row(bad / "pdf-split-row.pdf")
    write_columns(bad / "pdf-columns.pdf")


if __name__ == "__main__":
    main()
