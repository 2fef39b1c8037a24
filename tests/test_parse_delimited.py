"""CSV reader: the same real tables as comma/UTF-8, BOM and semicolon/Latin-1 files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from publisher.errors import ParseError
from publisher.parse import delimited, parse_file
from publisher.parse.grid import Row, decode

REPORTS = Path(__file__).resolve().parent / "data" / "reports"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
SOURCES = {
    "alausi-2021-05": EXAMPLES / "alausi-2021-05.txt",
    "sot-2023-01-slice": REPORTS / "sot-2023-01-slice.txt",
}


def text_rows(path: Path) -> tuple[Row, ...]:
    """The text layout split at tabs: what every other format must reproduce."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(Row(n, tuple(line.split("\t")) if line else ()) for n, line in enumerate(lines, 1))


@pytest.mark.parametrize("stem", sorted(SOURCES))
@pytest.mark.parametrize(
    ("suffix", "delimiter"), [(".csv", ","), ("-bom.csv", ","), ("-semicolon-latin1.csv", ";")]
)
def test_same_rows_as_text(stem: str, suffix: str, delimiter: str) -> None:
    """Every row, cell and line number equals the text layout's."""
    data = (REPORTS / f"{stem}{suffix}").read_bytes()
    assert delimited.sniff_delimiter(decode(data, stem)) == delimiter
    grid = delimited.read(data, f"{stem}{suffix}")
    assert grid.format == "csv"
    assert grid.rows == text_rows(SOURCES[stem])


def test_latin1_accents_are_read() -> None:
    """Latin-1 bytes come back as the accented words they were."""
    grid = delimited.read((REPORTS / "alausi-2021-05-semicolon-latin1.csv").read_bytes(), "a.csv")
    assert grid.rows[8].cells[1] == "Descripción de la unidad"
    assert grid.rows[10].cells[1] == "CONCEJO CANTONAL"


def test_bom_is_not_part_of_the_first_cell() -> None:
    """A UTF-8 BOM is dropped, not glued to the first cell."""
    grid = delimited.read("\ufeffNo.,Descripción\n1,ALCALDÍA\n".encode(), "b.csv")
    assert grid.rows[0].cells == ("No.", "Descripción")


def test_line_of_a_row_after_a_multiline_cell() -> None:
    """A quoted cell with line breaks keeps later rows on their own source lines."""
    data = b'No.,Meta\n1,"<p>M1. uno</p>\n<p>M2. dos</p>"\n2,90%\n'
    rows = delimited.read(data, "m.csv").rows
    assert [r.line for r in rows] == [1, 2, 4]
    assert rows[1].cells[1] == "<p>M1. uno</p>\n<p>M2. dos</p>"


def test_windows_line_ends() -> None:
    """CRLF line ends leave no stray \\r in cells and the same line numbers."""
    rows = delimited.read(b"No.;Unidad\r\n\r\n1;ALCALD\xcdA\r\n", "w.csv").rows
    assert [(r.line, r.cells) for r in rows] == [
        (1, ("No.", "Unidad")),
        (2, ()),
        (3, ("1", "ALCALDÍA")),
    ]


def test_semicolons_win_over_commas_in_prose() -> None:
    """Commas inside unquoted Spanish prose do not fool the sniffer."""
    text = (
        "No.;Unidad;Objetivo\n"
        "1;Alcaldía;Dirigir, organizar, coordinar y controlar\n"
        "2;Concejo;Legislar\n"
    )
    assert delimited.sniff_delimiter(text) == ";"


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"  \n\n", "empty"), (b"PK\x03\x04\x00\x00binary", "binary")],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    """Empty and binary files give a one-line error naming the file."""
    with pytest.raises(ParseError, match=message) as caught:
        delimited.read(data, "bad.csv")
    assert str(caught.value).startswith("bad.csv")


def test_absurd_cell_is_refused_with_its_line() -> None:
    """A cell past the field limit is a ParseError naming the line, not a csv traceback."""
    data = b'a,b\n1,"' + b"x" * (delimited.MAX_FIELD + 10) + b'"\n'
    with pytest.raises(ParseError, match="not readable as CSV") as caught:
        delimited.read(data, "huge.csv")
    assert caught.value.line == 2


@pytest.mark.parametrize("stem", sorted(SOURCES))
@pytest.mark.parametrize("suffix", [".csv", "-bom.csv", "-semicolon-latin1.csv"])
def test_same_records_as_text(stem: str, suffix: str) -> None:
    """parse_file gives the text version's units, targets, footer and warnings."""
    report = parse_file(REPORTS / f"{stem}{suffix}")
    assert report.source.format == "csv"
    assert _without_lines(report.to_dict()) == _without_lines(parse_file(SOURCES[stem]).to_dict())
    assert [u.line for u in report.units] == [u.line for u in parse_file(SOURCES[stem]).units]


def _without_lines(value: Any) -> Any:
    """A report's dict without ``line`` and ``source`` (they differ between formats)."""
    if isinstance(value, dict):
        return {k: _without_lines(v) for k, v in value.items() if k not in ("line", "source")}
    if isinstance(value, list):
        return [_without_lines(v) for v in value]
    return value
