"""PDF, DOCX, ODS, XLS and UTF-16 text: the same real tables read like their text layout.

The fixtures are made by real producers (``tests/data/make_document_fixtures.py``:
LibreOffice, python-docx, Pillow); each must give the records of the text version.
"""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from publisher.errors import ParseError
from publisher.parse import READERS, parse_file, pdf
from publisher.records import Report

REPORTS = Path(__file__).resolve().parent / "data" / "reports"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
TEXT = {
    "alausi-2021-05": EXAMPLES / "alausi-2021-05.txt",
    "sot-2023-01": EXAMPLES / "sot-2023-01.txt",
    "sot-2023-01-slice": REPORTS / "sot-2023-01-slice.txt",
}
#: (file, text version it re-lays out)
FILES = [
    ("sot-2023-01-ruled.pdf", "sot-2023-01"),
    ("sot-2023-01-unruled.pdf", "sot-2023-01"),
    ("alausi-2021-05-ruled.pdf", "alausi-2021-05"),
    ("alausi-2021-05-unruled.pdf", "alausi-2021-05"),
    *[(f"{s}.{ext}", s) for s in ("alausi-2021-05", "sot-2023-01-slice") for ext in
      ("docx", "ods", "xls")],
    ("alausi-2021-05-unicode.txt", "alausi-2021-05"),
    ("sot-2023-01-slice-unicode.txt", "sot-2023-01-slice"),
]  # fmt: skip
#: Hand counts of the reference reports (tests/test_parse_text.py) and of the SOT slice
#: (units 1-6: 1 + 4 + 3 + 4 + 1 + 1 objective rows, unit 1 NO APLICA only).
COUNTS = {
    "sot-2023-01": (19, 29, 29, 29),
    "alausi-2021-05": (13, 13, 13, 13),
    "sot-2023-01-slice": (6, 13, 13, 13),
}


def counts(r: Report) -> tuple[int, int, int, int]:
    return len(r.units), len(r.objectives()), len(r.indicators()), len(r.targets())


def without_lines(value: Any) -> Any:
    """A report's dict without ``line`` and ``source`` (they differ between formats)."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k not in ("line", "source")}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "stem"), FILES)
def test_same_records_as_text(name: str, stem: str) -> None:
    """Every unit, objective, indicator, target, footer value and warning of the text."""
    report = parse_file(REPORTS / name)
    assert counts(report) == COUNTS[stem]
    assert without_lines(report.to_dict()) == without_lines(parse_file(TEXT[stem]).to_dict())


@pytest.mark.parametrize("name", ["sot-2023-01-ruled.pdf", "sot-2023-01-unruled.pdf"])
def test_pdf_spot_values(name: str) -> None:
    """SOT over four to six landscape pages: levels, NO APLICA, 90%, footer, lines."""
    r = parse_file(REPORTS / name)
    assert r.source.format == "pdf"
    head = r.units[0]
    assert head.objectives == ()
    assert head.not_applicable_reason == "en razón de que se refiere a la Máxima Autoridad."
    init = r.units[1]
    assert (init.number, init.process_level, len(init.objectives)) == ("2", "value-adding", 4)
    first = init.objectives[0].indicators[0].targets[0]
    assert (first.value, first.unit) == (Decimal(90), "percent")
    assert r.metadata.updated == date(2023, 1, 31)
    assert r.metadata.email == "samantha.almeida@sot.gob.ec"
    assert r.metadata.responsible_unit == (
        "Coordinación General de Planificación y Gestión Estratégica"
    )
    assert (r.institution.id, r.institution.inferred_from) == ("sot", "email-domain")
    assert r.units[1].line == 1007  # page 1, row 7 (titles, header, banner, unit 1, banner)


def test_pdf_header_repeats_and_split_row_is_one_row() -> None:
    """Writer repeats the header on each page and breaks unit 3's last row over pages 1-2:
    the grid holds the header once (the repeats are dropped) and that row once, whole;
    lines still count the rows of each page as printed (page 2: header, the row's second
    part, then the next row on 2003)."""
    rows = pdf.read((REPORTS / "sot-2023-01-ruled.pdf").read_bytes(), "s.pdf").rows
    assert [r.line for r in rows if r.cells[:1] == ("No.",)] == [1003]
    assert min(r.line for r in rows if r.line // 1000 == 2) == 2003
    split = next(r for r in rows if r.cells[2:3] and r.cells[2].startswith("Identificar las"))
    assert split.cells[2].endswith("relacionamiento con la normativa vigente")
    assert split.cells[4] == "100%"
    assert not any(r.cells[:3] == ("", "", "acciones de control y vigilancia") for r in rows)


@pytest.mark.parametrize(
    "name",
    ["linebreaks.ods", "linebreaks.xls", "linebreaks.docx", "linebreaks.pdf",
     "linebreaks-unicode.txt"],
)  # fmt: skip
def test_line_breaks_inside_a_cell_are_kept(name: str) -> None:
    """Alt+Enter (or two paragraphs in a Word cell) stays a line break in the grid cell."""
    grid = READERS[Path(name).suffix]((REPORTS / name).read_bytes(), name)
    last = [r for r in grid.rows if r.cells][-1]
    assert last.cells[4] == "M1. 90% del presupuesto\nM2. 100% de los pagos"


def test_wrapped_pdf_lines_are_joined_with_spaces() -> None:
    """No cell of the SOT PDFs gains a line break: every break there is a wrap."""
    for name in ("sot-2023-01-ruled.pdf", "sot-2023-01-unruled.pdf"):
        rows = pdf.read((REPORTS / name).read_bytes(), name).rows
        assert not [c for r in rows for c in r.cells if "\n" in c]


def test_scanned_pdf_is_refused_naming_the_file() -> None:
    with pytest.raises(ParseError, match="has no text layer") as caught:
        parse_file(REPORTS / "scanned.pdf")
    assert str(caught.value).startswith("scanned.pdf")


@pytest.mark.parametrize(
    ("suffix", "data", "message"),
    [
        (".pdf", b"%PDF-1.4 not really", "not a readable PDF"),
        (".pdf", b"", "empty"),
        (".docx", b"No.,Unidad\n", "not a DOCX file"),
        (".ods", b"No.,Unidad\n", "not an ODS file"),
        (".xls", b"No.,Unidad\n1,A\n", "not a readable XLS"),
    ],
)
def test_unreadable_files(tmp_path: Path, suffix: str, data: bytes, message: str) -> None:
    """Damaged or mislabelled files give one line naming the file."""
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(data)
    with pytest.raises(ParseError, match=message) as caught:
        parse_file(path)
    assert str(caught.value).startswith(f"bad{suffix}")


def test_utf16_text_is_read_but_binary_is_still_refused(tmp_path: Path) -> None:
    """Excel's Unicode text (BOM, either byte order) reads; NUL bytes without one don't."""
    text = "No.\tDescripción de la unidad\n1\tALCALDÍA\n"
    for codec in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
        grid = READERS[".txt"](bom + text.encode(codec), "u.txt")
        assert grid.rows[1].cells == ("1", "ALCALDÍA")
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x00\x01\x02No.\tUnidad")
    with pytest.raises(ParseError, match="binary file"):
        parse_file(path)
