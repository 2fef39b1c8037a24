"""Write the stacked-cell and misaligned fixtures from the SOT slice (issue 13).

Run from the project root after ``make_fixtures.py``: ``python tests/data/make_cell_fixtures.py``
(needs LibreOffice's ``soffice`` on PATH for the XLSX). Outputs are committed.

* ``reports/stacked/sot-2023-01-stacked.{csv,xlsx,html}``: the SOT slice as a user who
  stacks values would type it: one row per unit, its objectives, indicators and targets
  each stacked in one cell, one per line (a quoted multi-line CSV cell; the XLSX is that
  CSV opened and saved by LibreOffice Calc, so its cells hold real Alt+Enter breaks and
  wrap; ``<br>`` in HTML). They must read as the slice itself: 6 units, 13 objectives,
  13 indicators, 13 targets.
* ``reports/stacked/sot-2023-01-stacked-uneven.xlsx``: the same, except that unit 4 lost
  one line of its indicator cell: 4 objectives, 3 indicators, 4 targets do not line up.
* ``reports/bad/misaligned.{txt,csv,xlsx,html}``: the slice with a column (the person
  responsible for each unit) inserted into every data row but not into the header row:
  every row is shifted from the header's columns, and the file must be refused.
"""

from __future__ import annotations

import csv
import html
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
SLICE = REPORTS / "sot-2023-01-slice.txt"
PEOPLE = ("Ing. Carla Mena", "Arq. Luis Ortega", "Econ. Rosa Vera", "Ing. Pablo Ruiz")


def slice_rows() -> list[list[str]]:
    """The SOT slice's rows, as the text layout holds them."""
    lines = SLICE.read_text(encoding="utf-8").split("\n")[:-1]
    return [line.split("\t") if line else [] for line in lines]


def is_data(row: list[str]) -> bool:
    """A unit row (numbered) or a continuation row (no number, no unit, some cells)."""
    if len(row) != 5:
        return False
    return row[0].isdigit() or (not row[0] and not row[1] and any(c.strip() for c in row[2:]))


def stacked(rows: list[list[str]]) -> list[list[str]]:
    """One row per unit: each of its columns 3-5 stacked, one value per line."""
    out: list[list[str]] = []
    for row in rows:
        continues = is_data(row) and not row[0] and not row[1] and out and len(out[-1]) == 5
        if continues:
            for column in (2, 3, 4):
                out[-1][column] = f"{out[-1][column]}\n{row[column]}"
        else:
            out.append(list(row))
    return out


def misaligned(rows: list[list[str]]) -> list[list[str]]:
    """Every data row with a responsible person inserted after the unit's name."""
    out, k = [], 0
    for row in rows:
        if is_data(row):
            row = [*row[:2], PEOPLE[k % len(PEOPLE)], *row[2:]]
            k += 1
        out.append(row)
    return out


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows as CSV (comma, UTF-8); cells holding line breaks are quoted, as Calc writes."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def text_bytes(rows: list[list[str]]) -> bytes:
    """Rows as tab-separated lines."""
    return ("\n".join("\t".join(r) for r in rows) + "\n").encode("utf-8")


def html_bytes(rows: list[list[str]]) -> bytes:
    """Rows as one HTML table; line breaks in a cell as ``<br>``."""
    body = []
    for row in rows:
        if any(c.strip() for c in row):
            cells = "".join(f"<td>{html.escape(c).replace(chr(10), '<br>')}</td>" for c in row)
            body.append(f"<tr>{cells}</tr>")
    page = ['<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"></head><body><table>']
    return "\n".join([*page, *body, "</table></body></html>", ""]).encode("utf-8")


def calc_xlsx(rows: list[list[str]], out: Path) -> None:
    """Rows saved as XLSX by LibreOffice Calc (CSV in, every column imported as text)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{out.stem}.csv"
        source.write_bytes(csv_bytes(rows))
        # CSV filter: comma (44), quote (34), UTF-8 (76), from line 1, all columns text (2)
        columns = "/".join(f"{c}/2" for c in range(1, 8))
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
             f"--infilter=CSV:44,34,76,1,{columns}", "--convert-to", "xlsx",
             "--outdir", tmp, str(source)],
            check=True, capture_output=True,
        )  # fmt: skip
        shutil.copyfile(Path(tmp) / f"{out.stem}.xlsx", out)


def main() -> None:
    """Write every fixture."""
    rows = slice_rows()
    folder = REPORTS / "stacked"
    folder.mkdir(exist_ok=True)
    stack = stacked(rows)
    (folder / "sot-2023-01-stacked.csv").write_bytes(csv_bytes(stack))
    (folder / "sot-2023-01-stacked.html").write_bytes(html_bytes(stack))
    calc_xlsx(stack, folder / "sot-2023-01-stacked.xlsx")
    uneven = [list(r) for r in stack]
    unit4 = next(r for r in uneven if r[:1] == ["4"])
    unit4[3] = unit4[3].rsplit("\n", 1)[0]
    calc_xlsx(uneven, folder / "sot-2023-01-stacked-uneven.xlsx")
    bad = misaligned(rows)
    (REPORTS / "bad" / "misaligned.txt").write_bytes(text_bytes(bad))
    (REPORTS / "bad" / "misaligned.csv").write_bytes(csv_bytes(bad))
    (REPORTS / "bad" / "misaligned.html").write_bytes(html_bytes(bad))
    calc_xlsx(bad, REPORTS / "bad" / "misaligned.xlsx")
    for path in folder.glob("*.xlsx"):  # what Calc wrote: wrapped cells holding line breaks
        sheet = load_workbook(path).active
        assert any("\n" in str(c.value) for row in sheet.iter_rows() for c in row), path


if __name__ == "__main__":
    main()
