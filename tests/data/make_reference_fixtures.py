"""Write the reference reports and the misaligned slice as PDF, DOCX, ODS and XLS (issue 13).

Run from the project root after ``make_fixtures.py`` and ``make_cell_fixtures.py``:
``python tests/data/make_reference_fixtures.py``. Needs LibreOffice (``soffice``) on PATH.
Outputs are committed; every file is made by a real producer:

* ``reports/references/{congope-2022-02,loja-2019-08,ame-2015-09}.{docx,pdf,ods,xls}``:
  the whole report as python-docx writes it (titles, one table with the repeated header
  row, merged banners and units, footer rows), that DOCX printed to PDF by LibreOffice
  Writer (landscape A4, ruled), and the XLSX layout of ``make_fixtures.py`` saved as ODS
  and XLS by LibreOffice Calc. Each must read as the text original.
* ``reports/bad/misaligned.{docx,pdf,ods,xls}``: the misaligned slice of
  ``make_cell_fixtures.py`` (a column inserted into every data row but not the header) as
  a Word table, its PDF, and ``misaligned.xlsx`` saved as ODS and XLS. Each must be refused.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_cell_fixtures import misaligned, slice_rows  # noqa: E402
from make_document_fixtures import convert, landscape_document, write_docx  # noqa: E402
from make_fixtures import OUT, lines_of, table, write_xlsx  # noqa: E402

REFERENCES = ("congope-2022-02", "loja-2019-08", "ame-2015-09")


def write_plain_docx(rows: list[list[str]], path: Path) -> None:
    """Rows as one ruled Word table, as many columns as the widest row, no merges."""
    document = landscape_document()
    width = max(len(r) for r in rows)
    kept = [r for r in rows if any(c.strip() for c in r)]
    grid = document.add_table(rows=len(kept), cols=width)
    grid.style = "Table Grid"
    for i, row in enumerate(kept):
        for column, text in enumerate(row):
            if text:
                grid.cell(i, column).paragraphs[0].add_run(text.replace("**", ""))
    document.save(path)


def main() -> None:
    """Write every fixture of this script."""
    folder = OUT / "references"
    folder.mkdir(exist_ok=True)
    bad = OUT / "bad"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for stem in REFERENCES:
            lines = lines_of(f"{stem}.txt")
            write_docx(lines, folder / f"{stem}.docx", ruled=True, footer_in_table=True)
            convert(folder / f"{stem}.docx", folder / f"{stem}.pdf", "pdf:writer_pdf_Export")
            write_xlsx(table(lines), work / f"{stem}.xlsx")
            for extension in ("ods", "xls"):
                convert(work / f"{stem}.xlsx", folder / f"{stem}.{extension}", extension)
        write_plain_docx(misaligned(slice_rows()), bad / "misaligned.docx")
        convert(bad / "misaligned.docx", bad / "misaligned.pdf", "pdf:writer_pdf_Export")
        for extension in ("ods", "xls"):
            convert(bad / "misaligned.xlsx", bad / f"misaligned.{extension}", extension)


if __name__ == "__main__":
    main()
