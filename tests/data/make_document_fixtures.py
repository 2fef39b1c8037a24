"""Write the real tables as the documents institutions publish: PDF, DOCX, ODS, XLS, UTF-16.

Run from the project root after ``make_fixtures.py`` (it reuses its XLSX files):
``python tests/data/make_document_fixtures.py``. Needs LibreOffice (``soffice``) on PATH.
Outputs go to ``tests/data/reports/`` and are committed; every file is made by a real
producer, not written byte by byte:

* **DOCX** (python-docx): titles as paragraphs, one table whose first row is marked as
  the header repeated on each page, banners merged across the row, units merged down
  their continuation rows, ``<b>``/``**`` turned into bold runs; the footer as table rows
  (SOT) or as ``LABEL: value`` paragraphs after the table (Alausí).
* **PDF** (LibreOffice Writer from those DOCX files, landscape A4): ``-ruled`` with the
  grid drawn, ``-unruled`` without lines and a little space between rows. The whole SOT
  report spans several pages, so the header row repeats and rows break across pages.
* **ODS** and **XLS** (LibreOffice Calc from the XLSX fixtures): merged cells, percentages
  stored as fractions formatted ``0%``, the footer date as a date.
* **UTF-16** (``-unicode.txt``): what Excel's "Save as Unicode text" writes: UTF-16 LE
  with a BOM, tabs, CRLF, quotes around cells holding quotes, tabs or line breaks.
* ``linebreaks.*``: one cell holding ``M1 …`` and ``M2 …`` on two lines (Alt+Enter, or two
  paragraphs in Word, and the PDF Writer makes of that), which every reader must keep as
  a line break inside the cell.
* ``scanned.pdf``: a page that is only a picture of a table (Pillow), no text layer.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from openpyxl import Workbook
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import OUT, continuation_runs, is_banner, lines_of, table  # noqa: E402

FOOTER = re.compile(
    r"^(LINK PARA|FECHA ACTUALIZ|PERIODICIDAD|UNIDAD POSEEDORA|RESPONSABLE|CORREO|N[ÚU]MERO TEL)"
)
_MARKUP = re.compile(r"(<b>|</b>|\*\*)")
_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"</?p>")
TWO_LINES = "M1. 90% del presupuesto\nM2. 100% de los pagos"  # one cell, Alt+Enter between


def plain(text: str) -> str:
    """A cell as a person would type it in Word: no tags, entities decoded."""
    return html.unescape(_TAG.sub("", text.replace("**", "")))


def is_bold(text: str) -> bool:
    """Cells written with ``<b>`` or ``**`` are bold in the document."""
    return bool(_MARKUP.search(text))


def is_footer(row: list[str]) -> bool:
    """A footer row: its first cell opens with one of the footer labels."""
    return bool(row) and bool(FOOTER.match(plain(row[0]).strip()))


def write_cell(cell: object, text: str) -> None:
    """Text into a table cell (a fresh cell holds one empty paragraph), bold if marked.

    ``<p>…</p>`` paragraphs become Word paragraphs, as Enter in a Word cell makes them.
    """
    parts = [p for p in _PARAGRAPH.split(text) if p.strip()] or [text]
    for i, part in enumerate(parts):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()  # type: ignore[attr-defined]
        run = paragraph.add_run(plain(part).strip() if len(parts) > 1 else plain(part))
        run.bold = is_bold(text)


def repeat_as_header(table: Table) -> None:
    """Mark the first row as the header row repeated at the top of every page."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def row_spacing(table: Table, points: int) -> None:
    """Space above and below every cell's text, so that unruled rows stand apart."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "bottom"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(points * 20))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def landscape_document() -> Document:
    """An empty A4 landscape document, 9-point text without space after paragraphs."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Liberation Sans", Pt(9)
    style.paragraph_format.space_after = Pt(0)
    return document


def write_docx(lines: list[str], path: Path, ruled: bool, footer_in_table: bool) -> None:
    """The report as a Word document: titles, one table, footer (see the module docstring)."""
    rows = [r for r in table(lines) if any(c.strip() for c in r)]
    header = next(i for i, r in enumerate(rows) if r[0] == "No.")
    end = next(i for i, r in enumerate(rows) if is_footer(r))
    # the page headers the text layout repeats mid-table are the printer's job in Word
    body = [r for r in rows[header + 1 : end] if r[0] != "No." and not _is_title(r)]
    footer = rows[end:]
    width = len(rows[header])
    document = landscape_document()
    for title in rows[:header]:
        document.add_paragraph().add_run(plain(title[0])).bold = True
    in_table = [rows[header], *body, *(footer if footer_in_table else [])]
    grid = document.add_table(rows=len(in_table), cols=width)
    if ruled:
        grid.style = "Table Grid"
    else:
        row_spacing(grid, 4)
    widths = (1.2, 5.0, 8.0, 8.0, 4.5) if width == 5 else (1.2, *[25.5 / (width - 1)] * (width - 1))
    for column, centimetres in enumerate(widths):
        for cell in grid.columns[column].cells:
            cell.width = Cm(centimetres)
    repeat_as_header(grid)
    spans = continuation_runs(in_table)
    for i, row in enumerate(in_table):
        cells = grid.rows[i].cells
        if is_banner(row) or (is_footer(row) and row[0]):
            last = width - 1 if is_banner(row) else width - 3
            cells[0].merge(cells[last])
            write_cell(cells[0], row[0])
            if not is_banner(row):
                value = next((c for c in reversed(row[1:]) if c.strip()), "")
                write_cell(cells[width - 2], value)
            continue
        for column, text in enumerate(row[:width]):
            if text:
                write_cell(cells[column], text)
    for first, last in spans:
        for column in (0, 1):
            grid.cell(first, column).merge(grid.cell(last, column))
    if not footer_in_table:
        for row in footer:
            label = plain(row[0]).strip().rstrip(":")
            value = plain(next((c for c in reversed(row[1:]) if c.strip()), ""))
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}:").bold = True
            paragraph.add_run(f" {value}")
    document.save(path)


def _is_title(row: list[str]) -> bool:
    """A page title the text layout repeats (``**Art. 7 …**``, ``Literal a4) …``)."""
    first = plain(row[0]).strip()
    return first.startswith(("Art. 7", "Literal a4")) and not any(c.strip() for c in row[1:])


def convert(source: Path, target: Path, filter_name: str) -> None:
    """``soffice --headless --convert-to`` into ``target`` (a real producer's bytes)."""
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{work}/profile",
                "--headless",
                "--convert-to",
                filter_name,
                "--outdir",
                work,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        produced = Path(work) / f"{source.stem}.{filter_name.split(':')[0]}"
        shutil.move(produced, target)


def write_unicode_text(rows: list[list[str]], path: Path) -> None:
    """Excel's "Unicode text": UTF-16 LE with BOM, tabs, CRLF, minimal quoting."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-16"))  # Python writes the BOM, LE


def write_linebreaks(work: Path) -> None:
    """A small table whose target cell holds two lines (Alt+Enter), in every format."""
    rows = [
        ["No.", "Descripción de la unidad", "Objetivo de la unidad", "Indicador", "Meta"],
        ["1", "DIRECCIÓN FINANCIERA", "Ejecutar el presupuesto", "% de ejecución", TWO_LINES],
    ]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(work / "linebreaks.xlsx")
    for extension in ("ods", "xls"):
        convert(work / "linebreaks.xlsx", OUT / f"linebreaks.{extension}", extension)
    document = landscape_document()
    grid = document.add_table(rows=2, cols=5)
    grid.style = "Table Grid"
    for i, row in enumerate(rows):
        for column, text in enumerate(row):
            first, *more = text.split("\n")
            grid.cell(i, column).paragraphs[0].add_run(first)
            for line in more:  # a new paragraph, as Enter in a Word cell makes
                grid.cell(i, column).add_paragraph(line)
    document.save(OUT / "linebreaks.docx")
    convert(OUT / "linebreaks.docx", OUT / "linebreaks.pdf", "pdf:writer_pdf_Export")
    write_unicode_text(rows, OUT / "linebreaks-unicode.txt")


def write_scanned(path: Path) -> None:
    """A PDF page that is only an image of a table, as a scanner makes."""
    image = Image.new("L", (1240, 877), 255)
    draw = ImageDraw.Draw(image)
    draw.text((60, 60), "No.  Descripcion de la unidad  Objetivo  Indicador  Meta", fill=0)
    for i in range(1, 8):
        draw.line((50, 50 + 40 * i, 1190, 50 + 40 * i), fill=0, width=2)
        draw.text((60, 60 + 40 * i), f"{i}  DIRECCION {i}  Objetivo {i}  % avance  90%", fill=0)
    image.save(path, "PDF", resolution=150)


def main() -> None:
    """Write every fixture of this script."""
    sot = lines_of("sot-2023-01.txt")
    alausi = lines_of("alausi-2021-05.txt")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for stem in ("alausi-2021-05", "sot-2023-01-slice"):
            for extension in ("ods", "xls"):
                convert(OUT / f"{stem}.xlsx", OUT / f"{stem}.{extension}", extension)
        slice_lines = (OUT / "sot-2023-01-slice.txt").read_text(encoding="utf-8").splitlines()
        write_unicode_text(table(slice_lines), OUT / "sot-2023-01-slice-unicode.txt")
        write_unicode_text(table(alausi), OUT / "alausi-2021-05-unicode.txt")
        write_docx(slice_lines, OUT / "sot-2023-01-slice.docx", ruled=True, footer_in_table=True)
        write_docx(alausi, OUT / "alausi-2021-05.docx", ruled=True, footer_in_table=False)
        for ruled in (True, False):
            name = "ruled" if ruled else "unruled"
            for stem, lines, footer_in_table in (
                ("sot-2023-01", sot, True),
                ("alausi-2021-05", alausi, False),
            ):
                docx = work / f"{stem}-{name}.docx"
                write_docx(lines, docx, ruled=ruled, footer_in_table=footer_in_table)
                convert(docx, OUT / f"{stem}-{name}.pdf", "pdf:writer_pdf_Export")
        write_linebreaks(work)
    write_scanned(OUT / "scanned.pdf")


if __name__ == "__main__":
    main()
