"""HTML reader: bytes -> ``Grid`` from ``<table>`` rows, via stdlib ``html.parser``.

* Cells keep their inner markup as written (``<p>``, ``<b>``, ``<a href="mailto:…">``,
  entities), because the table interpreter splits stacked values at ``<p>`` and ``<br>``;
  line breaks in the source text of a cell become spaces, as a browser shows them.
* ``colspan`` pads the row with empty cells and ``rowspan`` leaves empty cells in the rows
  below, so every row has the columns of the text layout (a banner spanning the row is one
  cell and blanks; a unit spanning its continuation rows leaves them empty No./unit cells).
* Text outside tables (titles, a footer in ``<p>``) becomes one-cell rows, as title lines
  are in the text layout. ``<script>``/``<style>``/comments are dropped.
* A table nested in a cell stays markup of that cell: only outermost tables make rows.
* Bounded: input size is capped; ``defuse`` first removes what makes ``html.parser``
  quadratic (unclosed comments, tags and references), the parser keeps no stack (nesting
  depth costs a counter) and a cell that grows past ``MAX_CELL`` characters is refused.
* ``line`` is the source line of the ``<tr>`` (or of the text's block).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from publisher.errors import ParseError
from publisher.parse.grid import Grid, Row, check_size, decode

MAX_BYTES = 32 * 1024 * 1024
MAX_CELL = 1024 * 1024
MAX_SPAN = 64
#: html.parser handles ~250k tags or references a second; real reports have a few thousand.
MAX_MARKUP = 250_000
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "caption"}
SKIPPED = {"script", "style", "template", "title"}
_LT = re.compile("<")
_BARE_AMPERSAND = re.compile(r"&(?![a-zA-Z][a-zA-Z0-9]{0,31};|#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};)")


def read(data: bytes, name: str) -> Grid:
    """Read the tables of an HTML file into a ``Grid`` (``format="html"``)."""
    check_size(data, name, MAX_BYTES)
    text = decode(data, name)
    if text.count("<") + text.count("&") > MAX_MARKUP:
        raise ParseError(name, f"more than {MAX_MARKUP} tags and references: not a report")
    reader = _TableReader(name)
    reader.feed(defuse(text))
    reader.close()
    if not reader.saw_table:
        raise ParseError(name, "no <table> in this HTML file")
    return Grid(rows=tuple(reader.rows), format="html")


def defuse(text: str) -> str:
    """Text ``html.parser`` reads in linear time, meaning what a browser would see.

    ``html.parser`` rescans to the end of the input for every construct it cannot close, so
    many unclosed ``<!--``, ``<a href="`` or bare ``&`` take quadratic time. One linear pass
    first drops comments (an unclosed one swallows the rest, as in browsers), escapes every
    ``<`` that has no ``>`` before the next ``<`` and every ``&`` that starts no reference.
    """
    text = _drop_comments(text)
    parts, start, close = [], 0, -1
    opens = [m.start() for m in _LT.finditer(text)]
    for k, i in enumerate(opens):
        if close < i:
            close = text.find(">", i) % (len(text) + 1)  # none left: len(text), not -1
        following = opens[k + 1] if k + 1 < len(opens) else len(text)
        if close >= following:
            parts += [text[start:i], "&lt;"]
            start = i + 1
    parts.append(text[start:])
    return _BARE_AMPERSAND.sub("&amp;", "".join(parts))


def _drop_comments(text: str) -> str:
    """``text`` without ``<!-- … -->`` comments, by ``str.find`` (linear)."""
    parts, start = [], 0
    while (i := text.find("<!--", start)) != -1:
        parts.append(text[start:i])
        end = text.find("-->", i + 4)
        if end == -1:
            return "".join(parts)
        start = end + 3
    parts.append(text[start:])
    return "".join(parts)


class _TableReader(HTMLParser):
    """Collects rows of outermost tables, and text blocks outside tables."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=False)  # keep entities as written in cells
        self.name = name
        self.rows: list[Row] = []
        self.saw_table = False
        self.depth = 0  # table nesting; rows come from depth 1 only
        self.skipping = 0
        self.row: list[str] | None = None
        self.row_line = 0
        self.cell: list[str] | None = None
        self.cell_size = 0
        self.colspan = 1
        self.rowspan = 1
        self.spans: dict[int, int] = {}  # column -> rows still covered by a rowspan above
        self.spans_next: dict[int, int] = {}
        self.outside: list[str] = []
        self.outside_line = 0

    # --- events -------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Track tables, rows and cells; copy any other tag into the open cell."""
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "table":
            self._open_table()
        elif self.depth == 1 and tag == "tr":
            self._open_row()
        elif self.depth == 1 and tag in ("td", "th"):
            self._open_cell(dict(attrs))
        elif self.cell is not None:
            self._append(self.get_starttag_text() or f"<{tag}>")
        elif self.depth == 0 and tag in BLOCKS:
            self._flush_outside()

    def handle_endtag(self, tag: str) -> None:
        """Close tables, rows and cells; copy any other closing tag into the open cell."""
        if tag in SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag == "table" and self.depth:
            self._close_table()
        elif self.depth == 1 and tag == "tr":
            self._close_row()
        elif self.depth == 1 and tag in ("td", "th"):
            self._close_cell()
        elif self.cell is not None:
            self._append(f"</{tag}>")
        elif self.depth == 0 and tag in BLOCKS:
            self._flush_outside()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<br/>`` and friends: kept in cells, a block break outside tables."""
        if self.cell is not None:
            self._append(self.get_starttag_text() or f"<{tag}/>")
        elif self.depth == 0 and tag in BLOCKS:
            self._flush_outside()

    def handle_data(self, data: str) -> None:
        """Text goes to the open cell, or to the text block outside tables."""
        if self.skipping:
            return
        if self.cell is not None:
            # a line break in the source is white space, as in a browser: only <br> and
            # <p> stack values in an HTML cell (``cells.stack``)
            self._append(data.replace("\r", " ").replace("\n", " "))
        elif self.depth == 0 and data.strip():
            if not self.outside:  # only non-blank data is kept, so this is a new block
                self.outside_line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count(
                    "\n"
                )
            self.outside.append(data)

    def handle_entityref(self, name: str) -> None:
        """Entities stay written as they were (``&amp;``); the interpreter unescapes."""
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        """Character references stay written as they were (``&#243;``)."""
        self.handle_data(f"&#{name};")

    def close(self) -> None:
        """Flush what an unclosed document left open."""
        super().close()
        while self.depth:
            self._close_table()
        self._flush_outside()

    # --- tables -------------------------------------------------------------------------
    def _open_table(self) -> None:
        if self.cell is not None:  # nested: markup of the outer cell
            self._append(self.get_starttag_text() or "<table>")
            self.depth += 1
            return
        self._flush_outside()
        self.saw_table = True
        self.depth += 1
        self.spans = {}

    def _close_table(self) -> None:
        self.depth -= 1
        if self.depth >= 1 and self.cell is not None:
            self._append("</table>")
            return
        self._close_row()

    def _open_row(self) -> None:
        self._close_row()
        self.row, self.row_line = [], self.getpos()[0]
        self.spans_next = {}

    def _close_row(self) -> None:
        self._close_cell()
        if self.row is None:
            return
        self._fill_spans()
        while self.row and not self.row[-1].strip():
            self.row.pop()
        self.rows.append(Row(line=self.row_line, cells=tuple(self.row)))
        # a span this row never reached (a short row) is used up all the same
        carried = {c: n - 1 for c, n in self.spans.items() if c not in self.spans_next}
        carried.update(self.spans_next)
        self.spans = {c: n for c, n in carried.items() if n > 0}
        self.row = None

    def _open_cell(self, attrs: dict[str, str | None]) -> None:
        self._close_cell()
        if self.row is None:  # a cell without <tr>: browsers open a row, so do we
            self._open_row()
        self._fill_spans()
        self.cell, self.cell_size = [], 0
        self.colspan = _span(attrs.get("colspan"))
        self.rowspan = _span(attrs.get("rowspan"))

    def _close_cell(self) -> None:
        if self.cell is None or self.row is None:
            self.cell = None
            return
        column = len(self.row)
        self.row.append("".join(self.cell).strip())
        self.row.extend("" for _ in range(self.colspan - 1))
        if self.rowspan > 1:
            for c in range(column, column + self.colspan):
                self.spans_next[c] = self.rowspan - 1
        self.cell = None

    def _fill_spans(self) -> None:
        """Empty cells where a rowspan from a row above covers the next column."""
        assert self.row is not None
        while self.spans.get(len(self.row), 0) > 0:
            column = len(self.row)
            self.spans[column] -= 1
            self.spans_next[column] = self.spans[column]
            self.row.append("")

    # --- text ---------------------------------------------------------------------------
    def _append(self, text: str) -> None:
        assert self.cell is not None
        self.cell_size += len(text)
        if self.cell_size > MAX_CELL:
            raise ParseError(self.name, f"a cell longer than {MAX_CELL} characters", self.row_line)
        self.cell.append(text)

    def _flush_outside(self) -> None:
        text = " ".join("".join(self.outside).split())
        if text:
            self.rows.append(Row(line=self.outside_line, cells=(text,)))
        self.outside = []


def _span(value: str | None) -> int:
    """A colspan/rowspan attribute as a sane integer (1 when missing or nonsense)."""
    try:
        return min(max(int(value or 1), 1), MAX_SPAN)
    except ValueError:
        return 1
