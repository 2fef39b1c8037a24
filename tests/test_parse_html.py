"""HTML reader: the same real tables as <table> pages; spans, markup, bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from publisher.errors import ParseError
from publisher.parse import html, parse_file

REPORTS = Path(__file__).resolve().parent / "data" / "reports"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
SOURCES = {
    "alausi-2021-05": EXAMPLES / "alausi-2021-05.txt",
    "sot-2023-01-slice": REPORTS / "sot-2023-01-slice.txt",
}


def text_cells(path: Path) -> list[tuple[str, ...]]:
    """Non-blank lines of the text layout, trailing empty cells dropped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        while cells and not cells[-1]:
            cells.pop()
        if any(c.strip() for c in cells):
            rows.append(tuple(cells))
    return rows


def read(document: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, cells) of every row read from ``document``."""
    return [(r.line, r.cells) for r in html.read(document.encode(), "t.html").rows]


@pytest.mark.parametrize("stem", sorted(SOURCES))
def test_same_rows_as_text(stem: str) -> None:
    """Titles in <p>, colspan banners and rowspan units read back as the text layout's rows."""
    grid = html.read((REPORTS / f"{stem}.html").read_bytes(), f"{stem}.html")
    assert grid.format == "html"
    assert [r.cells for r in grid.rows] == text_cells(SOURCES[stem])


@pytest.mark.parametrize("stem", sorted(SOURCES))
def test_lines_point_at_the_source(stem: str) -> None:
    """Each row's line is the source line holding its first non-empty cell."""
    path = REPORTS / f"{stem}.html"
    lines = path.read_text(encoding="utf-8").splitlines()
    for row in html.read(path.read_bytes(), path.name).rows:
        first = next(c for c in row.cells if c)
        assert first in lines[row.line - 1]


def test_markup_and_entities_stay_in_cells() -> None:
    """<p>, <b>, <a> and entities are kept as written: the interpreter needs <p>."""
    rows = read(
        "<table><tr><td><p>M1. Uno</p> <p>M2. Dos</p></td>"
        '<td><a href="mailto:a@b.ec">a@b.ec</a></td>'
        "<td>Gesti&oacute;n &amp; &#243;</td></tr></table>"
    )
    assert rows == [
        (
            1,
            (
                "<p>M1. Uno</p> <p>M2. Dos</p>",
                '<a href="mailto:a@b.ec">a@b.ec</a>',
                "Gesti&oacute;n &amp; &#243;",
            ),
        )
    ]


def test_colspan_and_rowspan_keep_columns() -> None:
    """A rowspan leaves empty cells below it; a colspan pads its row."""
    rows = read(
        "<table>\n"
        '<tr><td colspan="3">LABEL</td><td>value</td></tr>\n'
        '<tr><td rowspan="3">1</td><td rowspan="2">U</td><td>a</td></tr>\n'
        "<tr><td>b</td></tr>\n"
        "<tr><td>V</td><td>c</td></tr>\n"
        "<tr><td>2</td><td>W</td></tr>\n"
        "</table>"
    )
    assert rows == [
        (2, ("LABEL", "", "", "value")),
        (3, ("1", "U", "a")),
        (4, ("", "", "b")),
        (5, ("", "V", "c")),
        (6, ("2", "W")),
    ]


def test_scripts_comments_and_nested_tables() -> None:
    """Scripts and comments vanish; a table inside a cell stays that cell's markup."""
    rows = read(
        "<script>var x = '<table><tr><td>no</td></tr></table>';</script><!-- <td>no</td> -->"
        "<table><tr><td>1</td><td>A<table><tr><td>inner</td></tr></table></td><td>z</td></tr>"
        "</table>"
    )
    assert rows == [(1, ("1", "A<table><tr><td>inner</td></tr></table>", "z"))]


def test_unclosed_tags_are_closed_as_browsers_do() -> None:
    """Missing </td> and </tr> (common in exported HTML) still give whole rows."""
    rows = read("<table><tr><td>1<td>ALCALDÍA<tr><td>2<td>CONCEJO</table>")
    assert [cells for _, cells in rows] == [("1", "ALCALDÍA"), ("2", "CONCEJO")]


def test_deep_nesting_is_read_without_recursion() -> None:
    """50,000 nested <div>s and 2,000 nested tables in one cell: read, not a crash."""
    deep = "<div>" * 50_000 + "<table><tr><td>1</td><td>" + "<table><tr><td>" * 2000
    rows = read(deep + "x" + "</td></tr></table>" * 2000 + "</td></tr></table>")
    assert rows[0][1][0] == "1"
    assert rows[0][1][1].count("<table>") == 2000


@pytest.mark.parametrize(
    ("text", "defused"),
    [
        ("a<!-- note -->b", "ab"),
        ("a<!-- never closed <td>x</td>", "a"),
        ("1 < 2 <td>x</td>", "1 &lt; 2 <td>x</td>"),
        ('<a href="x <td>y</td>', '&lt;a href="x <td>y</td>'),
        ("AT&T &amp; &#243; &#xF3; &", "AT&amp;T &amp; &#243; &#xF3; &amp;"),
    ],
)
def test_defuse(text: str, defused: str) -> None:
    """Unclosed comments, tags and bare & are settled before html.parser sees them."""
    assert html.defuse(text) == defused


@pytest.mark.parametrize("unit", ["<!--", '<a href="', "<![CDATA[", "&a", "<"])
def test_pathological_repetition_is_read(unit: str) -> None:
    """Constructs html.parser rescans for (quadratic without defuse) are read; the
    benchmark prints their time at 1 and 10 MB."""
    rows = read("<table><tr><td>1</td><td>x</td></tr></table>" + unit * 50_000)
    assert rows[0] == (1, ("1", "x"))


def test_huge_cell_is_refused() -> None:
    """A cell past MAX_CELL characters is a ParseError, not unbounded memory."""
    document = "<table><tr><td>" + "x" * (html.MAX_CELL + 1) + "</td></tr></table>"
    with pytest.raises(ParseError, match="cell longer"):
        read(document)


def test_huge_file_is_refused() -> None:
    """A file past MAX_BYTES is refused before parsing."""
    with pytest.raises(ParseError, match="larger than"):
        html.read(b" " * (html.MAX_BYTES + 1), "big.html")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><p>no table here</p></html>", "no <table>"),
        (b"\x00\x01\x02<table>", "binary"),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    """One-line errors naming the file."""
    with pytest.raises(ParseError, match=message) as caught:
        html.read(data, "bad.html")
    assert str(caught.value).startswith("bad.html")


@pytest.mark.parametrize("stem", sorted(SOURCES))
def test_same_records_as_text(stem: str) -> None:
    """parse_file gives the text version's units, targets, footer and warnings."""
    report = parse_file(REPORTS / f"{stem}.html")
    assert report.source.format == "html"
    assert _without_lines(report.to_dict()) == _without_lines(parse_file(SOURCES[stem]).to_dict())


def _without_lines(value: Any) -> Any:
    """A report's dict without ``line`` and ``source`` (they differ between formats)."""
    if isinstance(value, dict):
        return {k: _without_lines(v) for k, v in value.items() if k not in ("line", "source")}
    if isinstance(value, list):
        return [_without_lines(v) for v in value]
    return value
