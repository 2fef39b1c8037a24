"""PDF reader: bytes -> ``Grid`` from the text layer, via pdfplumber (the seam to pdfplumber).

A PDF holds positioned words and drawn lines, not cells; this module puts the cells back
so that the one table interpreter reads a PDF like any other format (docs/parsing.md):

* **Ruled tables** (cell borders drawn): pdfplumber's table finder gives each cell's box;
  a merged cell is one box, the cells it covers read empty (the spreadsheet convention).
* **Unruled tables**: a column ends where its header cell's text ends (``No.``,
  ``Descripción de la unidad`` …, wrapped or not); words in a line separated by more than
  two spaces belong to different cells, each in the column where it starts; a row ends
  where every column has a gap wider than a line (cells aligned to the top).
* **Wrapped text** is joined into one cell. Producers that write spaces as characters
  (LibreOffice does) keep the space they wrapped a line at, when it fits in the cell: it means
  a wrap (joined with a space). Without it: a line ending in a hyphen wrapped there and
  joins without a space (``Voz-`` / ``IP``, ``PLANIFICACIÓN -`` / ``COORDINACIÓN``); a
  line after which the next line's first unbreakable run would have fitted was broken
  on purpose (``\\n``, as Alt+Enter in a spreadsheet); a line that is one unbreakable run
  (no space but after ``(``) holds a word too long for the column, cut at the border
  (``Remitido`` / ``s`` joins as ``Remitidos``); else the wrapping space fell past the
  border (joined with a space). Producers that write no spaces get the older rule: a
  break where the next word would have fitted, else a wrap.
* **A row continued on the next page** (the repeated header between its two parts) is
  merged into one row when the cells of the part above whose last line wrapped are
  among those the part below fills and each filled cell continues a line (see
  ``_continues``). A part below that the part above cannot take is refused.
* **Banners, titles and the footer** are cells like the others: a banner is one cell in the
  first column; lines outside tables (titles, ``LABEL: value`` footer lines) are one-cell
  rows. The header row repeated on later pages is dropped.
* ``line`` is ``page * 1000 + row``, the row counted from the top of its page as printed
  (``2014`` is page 2, row 14), so a message points at a place a person can find.
* **Refused rather than guessed** (``FILE:LINE: message``): a word crossing a drawn cell
  border (text overflowing its cell), a ruled row with a column border the header row does
  not have, a continuation under a page's header that the row above cannot take.
* An image-only (scanned) page has no text layer: refused with a ``ParseError``.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from publisher.errors import ParseError
from publisher.parse.cells import clean
from publisher.parse.columns import header_layout
from publisher.parse.footer import footer_field
from publisher.parse.grid import Grid, Row, check_size

MAX_BYTES = 32 * 1024 * 1024
MAX_PAGES = 500  # real a4 reports have 2-30 pages
LINE_TOLERANCE = 2.0  # points: words whose tops differ less sit on one line
FIT_MARGIN = 2.0  # points: a word "would have fitted" only with this much room to spare
ROW_GAP = 2.0  # points beyond the usual line pitch that separate unruled rows
STRADDLE = 1.0  # points a word may pass its cell's border before it straddles two cells
OPENING = "([{¿¡"  # no line breaks after these (Unicode line breaking, class OP)
BORDER = 2.0  # points two drawn column borders may differ and still be one border


@dataclass
class _Line:
    """One line of words inside a cell."""

    top: float
    x0: float
    x1: float
    words: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)

    @property
    def first_width(self) -> float:
        word = self.words[0]
        return float(word["x1"] - word["x0"])


@dataclass
class _Cell:
    """A cell's lines; ``limit`` is the right edge its text may reach."""

    lines: list[_Line]
    limit: float = 0.0  # the right border, until ``_set_limits`` makes it the text's limit
    left: float = 0.0  # the left border, if drawn
    right: float = 0.0  # the right border, if drawn

    def text(self, space: float, spaced: bool = False) -> str:
        """Lines joined: a space where the text wrapped, a line break where it was broken.

        ``spaced``: the producer writes the space at which it wrapped a line (LibreOffice
        does); then the rules of ``joint`` apply, else the older room-on-the-line rule.
        """
        parts: list[str] = []
        for i, line in enumerate(self.lines):
            if i:
                above = self.lines[i - 1]
                if spaced:
                    parts.append(self.joint(above, line))
                elif self.fits_after(above, line, space):
                    parts.append("\n")
                elif not re.search(r"\w-$", above.text):  # wrapped after a hyphen: Voz-IP
                    parts.append(" ")
            parts.append(line.text)
        return "".join(parts)

    def joint(self, above: _Line, below: _Line) -> str:
        """What stood between two lines, from the space the producer kept at the break.

        LibreOffice writes the space it wrapped at after the line's last word when the
        space fits inside the cell: then it is a wrap (``Bienestar`` / ``social``). Without
        it: after a hyphen, a wrap at the hyphen, which stays (``Voz-`` / ``IP``,
        ``PLANIFICACIÓN -`` / ``COORDINACIÓN``); where the next line's first unbreakable
        run would have fitted, a line break typed by the writer; where the line is one
        unbreakable run (no space but after an opening bracket), a word too long for the
        column, broken where it met the border (``Remitido`` / ``s``); else a wrap whose
        space fell past the border.
        """
        if _spaced(above.words[-1]):
            return " "
        if above.text.endswith("-"):
            return ""
        run = _first_run(below)
        if above.x1 + _space_width(above) + run <= self.limit - FIT_MARGIN:
            return "\n"
        if _first_run(above) >= above.x1 - above.x0 - 0.5:
            return ""
        return " "

    def fits_after(self, line: _Line, following: _Line, space: float) -> bool:
        """True when ``following``'s first word would have fitted at the end of ``line``."""
        return line.x1 + space + following.first_width <= self.limit - FIT_MARGIN


@dataclass
class _PdfRow:
    """A row of cells from one page, with where it sits."""

    page: int
    top: float
    cells: list[_Cell]
    in_table: bool
    index: int = 0  # the row's place on its page, from the top (1-based)
    problems: list[str] = field(default_factory=list)  # why it cannot be read: refused


def _spaced(word: dict[str, Any]) -> bool:
    """True when the producer wrote a space character right after ``word``."""
    return bool(word.get("space_after"))


def _first_run(line: _Line) -> float:
    """The width of a line's first unbreakable run: its first word, and the words after
    an opening bracket (no line may break after ``(``: ``Publicaciones( Remitidos``)."""
    end = 0
    while end + 1 < len(line.words) and line.words[end]["text"][-1] in OPENING:
        end += 1
    return float(line.words[end]["x1"] - line.words[0]["x0"])


def _space_width(line: _Line) -> float:
    """A space's width on this line: about a quarter of its last word's height."""
    word = line.words[-1]
    return float(word["bottom"] - word["top"]) * 0.28


def _runs_on(cell: _Cell) -> bool:
    """True when a spaced cell's last line wrapped: its text goes on (next page)."""
    if not cell.lines:
        return False
    last = cell.lines[-1]
    return _spaced(last.words[-1]) or last.text.endswith("-")


def read(data: bytes, name: str) -> Grid:
    """Read a text-based PDF into a ``Grid`` (``format="pdf"``); see the module docstring."""
    check_size(data, name, MAX_BYTES)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it logs every odd font
    try:
        import pdfplumber  # here: a process that reads no PDF need not load it (parse/__init__)

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise ParseError(name, f"{len(pdf.pages)} pages: more than {MAX_PAGES}")
            bounds: list[float] = []
            rows = [row for page in pdf.pages for row in _page_rows(page, name, bounds)]
    except ParseError:
        raise
    except Exception as err:  # pdfminer raises many types for one cause: a damaged file
        raise ParseError(name, f"not a readable PDF ({type(err).__name__}: {err})") from err
    spaced = any(
        _spaced(line.words[-1]) for row in rows for cell in row.cells for line in cell.lines
    )
    _check_columns(rows)
    merged = _merge_split_rows(rows, spaced)
    return Grid(rows=tuple(_grid_rows(merged, name, spaced)), format="pdf")


def _page_rows(page: Any, name: str, bounds: list[float]) -> list[_PdfRow]:
    """The rows of one page, top to bottom: table rows and lines outside tables.

    ``bounds`` holds the unruled columns' right edges found on an earlier page (a page
    without the header row repeated keeps them); it is updated in place.
    """
    number = page.page_number
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2)
    _mark_spaces(page, words)
    if not words:
        if page.images:
            raise ParseError(
                name,
                f"page {number} has no text layer, only an image (a scanned page?): "
                "the table cannot be read; publish the text-based PDF or a spreadsheet",
            )
        return []  # a blank page
    tables = page.find_tables()  # lines strategy: tables whose cell borders are drawn
    rows: list[_PdfRow] = []
    outside = list(words)
    for found in tables:
        inside = [w for w in outside if _centre_in(w, found.bbox)]
        outside = [w for w in outside if not _centre_in(w, found.bbox)]
        rows.extend(_ruled_rows(found, inside, number))
    if tables:
        bounds.clear()  # a ruled report: text outside its tables is titles and footer
    rows.extend(_unruled_rows(outside, number, bounds))
    rows.sort(key=lambda r: r.top)
    for index, row in enumerate(rows, 1):
        row.index = index
    return rows


def _mark_spaces(page: Any, words: list[dict[str, Any]]) -> None:
    """Set ``space_after`` on each word the producer followed by a space character.

    pdfplumber's words drop spaces, but producers that write them keep the one at which
    a line wrapped at the line's end: the surest sign of a wrap (see ``_Cell.joint``).
    """
    spaces = {(round(c["top"]), round(c["x0"])) for c in page.chars if c["text"] == " "}
    if not spaces:
        return
    for word in words:
        top, x1 = round(word["top"]), round(word["x1"])
        word["space_after"] = any(
            (top + dy, x1 + dx) in spaces for dy in (-1, 0, 1) for dx in (-1, 0, 1)
        )


def _centre_in(word: dict[str, Any], box: Sequence[float]) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return bool(box[0] <= x <= box[2] and box[1] <= y <= box[3])


def _lines(words: Iterable[dict[str, Any]]) -> list[_Line]:
    """Words grouped into lines (close tops), each line's words left to right."""
    lines: list[_Line] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(word["top"] - lines[-1].top) <= LINE_TOLERANCE:
            lines[-1].words.append(word)
        else:
            lines.append(_Line(word["top"], 0.0, 0.0, [word]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
        line.x0, line.x1 = line.words[0]["x0"], line.words[-1]["x1"]
    return lines


def _ruled_rows(found: Any, words: list[dict[str, Any]], page: int) -> list[_PdfRow]:
    """One row per table row; a cell's words are those whose centre lies in its box."""
    boxes = [(r, c, box) for r, row in enumerate(found.rows) for c, box in enumerate(row.cells)]
    grouped: dict[tuple[int, int], list[dict[str, Any]]] = {}
    straddling: dict[int, list[str]] = {}
    for word in words:
        for r, c, box in boxes:
            if box is not None and _centre_in(word, box):
                grouped.setdefault((r, c), []).append(word)
                if word["x0"] < box[0] - STRADDLE or word["x1"] > box[2] + STRADDLE:
                    side = c + 1 if word["x0"] < box[0] - STRADDLE else c + 2
                    straddling.setdefault(r, []).append(
                        f"the word {word['text']!r} runs across the border between columns "
                        f"{side - 1} and {side} of the table (text overflowing its cell?): "
                        "which column it belongs to cannot be told; refused rather than guessed"
                    )
                break
    width = max((len(row.cells) for row in found.rows), default=0)
    rows = []
    for r, row in enumerate(found.rows):
        cells = [
            _Cell(_lines(grouped.get((r, c), [])), box[2], box[0], box[2]) if box else _Cell([])
            for c, box in enumerate(row.cells)
        ]
        cells += [_Cell([]) for _ in range(width - len(cells))]
        problems = straddling.get(r, [])
        rows.append(_PdfRow(page, row.bbox[1], cells, True, problems=problems))
    _set_limits(rows, borders=True)
    return rows


def _set_limits(rows: list[_PdfRow], borders: bool = False) -> None:
    """Each cell's right limit: where its text must wrap.

    The furthest any line of the column reaches on this page is a lower bound (unruled
    tables give no better). With borders, the cell's right border less the padding seen
    on the left (text starts that far from the left border) is the limit itself; it shows
    a deliberate break even in a column where no line wrapped.
    """
    reach: dict[int, float] = {}
    padding: dict[int, float] = {}
    for row in rows:
        for c, cell in enumerate(row.cells):
            for line in cell.lines:
                reach[c] = max(reach.get(c, 0.0), line.x1)
                padding[c] = min(padding.get(c, 1e9), line.x0 - cell.left)
    for row in rows:
        for c, cell in enumerate(row.cells):
            inside = cell.limit - padding.get(c, 0.0) if borders and cell.limit else 0.0
            cell.limit = max(reach.get(c, 0.0), inside)


def _unruled_rows(words: list[dict[str, Any]], page: int, bounds: list[float]) -> list[_PdfRow]:
    """Text outside ruled tables: a table from its header row on, else one-cell lines.

    ``bounds`` are the columns' right edges found from a header row on this page or an
    earlier one (a page without the header repeated keeps them); updated in place.
    """
    lines = _lines(words)
    if not lines:
        return []
    space = _space(words)
    phrases = [_phrases(line, space) for line in lines]
    pitch = _line_pitch(phrases)
    found = next(
        (f for i in range(len(phrases)) if (f := _header_bounds(phrases, i, pitch, space))),
        None,
    )
    if found is None:
        if not bounds:  # no table yet: titles
            return [_PdfRow(page, line.top, [_Cell([line])], in_table=False) for line in lines]
        return _columns_to_rows(phrases, bounds, page, space, pitch)
    header, height, bounds[:] = found
    end = header + height
    titles = [_PdfRow(page, line.top, [_Cell([line])], in_table=False) for line in lines[:header]]
    head = _columns_to_rows(phrases[header:end], bounds, page, space, float("inf"))
    return titles + head + _columns_to_rows(phrases[end:], bounds, page, space, pitch)


def _header_bounds(
    phrases: list[list[_Line]], i: int, pitch: float, space: float
) -> tuple[int, int, list[float]] | None:
    """If line ``i`` opens the header row: (``i``, its number of lines, the right edge of
    each column but the last).

    A header cell may wrap (``Descripción`` / ``de la unidad``): the lines that follow at
    the usual pitch add their words to the column they fall under. A column ends where its
    header text ends: body text, left-aligned, starts at or left of its header's start,
    which works for left-aligned and centred headers alike.
    """
    first = phrases[i]
    if len(first) < 4:
        return None
    texts = [p.text for p in first]
    right = [p.x1 for p in first]
    top = first[0].top
    height = 1
    for below in phrases[i + 1 : i + 4]:
        if below[0].top - top > pitch + ROW_GAP:
            break
        top = below[0].top
        height += 1
        for piece in below:
            c = _column(piece.x0, right[:-1], space)
            texts[c] += " " + piece.text
            right[c] = max(right[c], piece.x1)
    if header_layout([clean(t) for t in texts]) is None:
        return None
    return i, height, right[:-1]


def _space(words: list[dict[str, Any]]) -> float:
    """The width of a space: a quarter of the usual word height."""
    heights = sorted(w["bottom"] - w["top"] for w in words)
    return float(heights[len(heights) // 2]) * 0.28


def _phrases(line: _Line, space: float) -> list[_Line]:
    """A line cut where words stand more than two spaces apart: one piece per cell."""
    pieces = [_Line(line.top, 0.0, 0.0, [line.words[0]])]
    for word in line.words[1:]:
        if word["x0"] - pieces[-1].words[-1]["x1"] > 2.5 * space:
            pieces.append(_Line(line.top, 0.0, 0.0, [word]))
        else:
            pieces[-1].words.append(word)
    for piece in pieces:
        piece.x0, piece.x1 = piece.words[0]["x0"], piece.words[-1]["x1"]
    return pieces


def _columns_to_rows(
    phrases: list[list[_Line]], bounds: list[float], page: int, space: float, pitch: float
) -> list[_PdfRow]:
    """Phrases into columns by where they start; a row ends where every column has a gap.

    From the first footer label on, each line is a row of its own (footer lines follow
    one another at the usual line pitch; they are not one wrapped cell).
    """
    width = len(bounds) + 1
    tops = [found[0].top for found in phrases]
    rows: list[_PdfRow] = []
    last_top: dict[int, float] = {}
    footer = False
    for found, top in zip(phrases, tops, strict=True):
        columns = [_column(p.x0, bounds, space) for p in found]
        label = footer_field(clean(found[0].text)) is not None
        footer = footer or label
        continues = (
            not label
            and bool(rows)
            and any(c in last_top and top - last_top[c] <= pitch + ROW_GAP for c in columns)
        )
        if not continues:
            cells = [_Cell([]) for _ in range(width)]
            rows.append(_PdfRow(page, top, cells, in_table=not footer))
            last_top = {}
        for piece, c in zip(found, columns, strict=True):
            rows[-1].cells[c].lines.append(piece)
            last_top[c] = top
    _set_limits(rows)
    return rows


def _column(x0: float, bounds: list[float], space: float) -> int:
    """The column a phrase starting at ``x0`` is in: how many column ends lie left of it."""
    return bisect.bisect_left(bounds, x0 - space)


def _line_pitch(phrases: list[list[_Line]]) -> float:
    """The distance between two lines of one paragraph: the smallest gap between lines
    (at least 0.8 of a word's height, so that lines a little out of level do not count)."""
    heights = sorted(w["bottom"] - w["top"] for found in phrases for p in found for w in p.words)
    least = 0.8 * heights[len(heights) // 2] if heights else 0.0
    tops = sorted({round(found[0].top, 1) for found in phrases})
    gaps = [b - a for a, b in zip(tops, tops[1:], strict=False) if b - a >= least]
    return min(gaps, default=0.0)


def _merge_split_rows(rows: list[_PdfRow], spaced: bool) -> list[_PdfRow]:
    """Join a row's part at the top of a page to its part at the bottom of the page before.

    Where the producer keeps the space it wrapped at (``spaced``), the part above ends
    in the middle of its text: the cells whose last line ends in a written space or a
    hyphen surely go on, so the part below (under the repeated header) must fill them,
    and every other cell it fills must continue its line above (a space that fell past
    the border, not a typed break). A part below that does not fit that cannot be
    attributed: the row is refused. A row above with no such cell ends on its page.
    Without spaces, the part below continues the row above when its ``No.`` cell is
    empty and every cell it fills continues a full last line of the same cell above (its
    first word would not have fitted there).
    """
    merged: list[_PdfRow] = []
    for row in rows:
        previous = _last_table_row_of_previous_page(merged, row)
        if previous is not None and _continues(previous, row, spaced):
            for above, below in zip(previous.cells, row.cells, strict=False):
                above.lines.extend(below.lines)
            previous.problems.extend(row.problems)
            continue
        merged.append(row)
    return merged


def _last_table_row_of_previous_page(merged: list[_PdfRow], row: _PdfRow) -> _PdfRow | None:
    """The previous page's last row, when it and ``row`` are table rows with only the
    repeated header (or nothing) between them."""
    if not row.in_table:
        return None
    k = len(merged) - 1
    while k >= 0 and merged[k].page == row.page and _is_header(merged[k]):
        k -= 1
    if k < 0 or merged[k].page != row.page - 1 or not merged[k].in_table:
        return None
    return merged[k]


def _is_header(row: _PdfRow) -> bool:
    return header_layout([clean(c.text(0.0)) for c in row.cells]) is not None


def _continues(above: _PdfRow, below: _PdfRow, spaced: bool) -> bool:
    if _is_header(below):
        return False
    filled = [c for c, cell in enumerate(below.cells) if cell.lines]
    if spaced:
        going = [c for c, cell in enumerate(above.cells) if _runs_on(cell)]
        if not going:
            return False
        if len(above.cells) == len(below.cells) and set(going) <= set(filled):
            # a cell whose wrapping space fell past its border may go on too
            wraps = (
                above.cells[c].lines
                and above.cells[c].joint(above.cells[c].lines[-1], below.cells[c].lines[0]) != "\n"
                for c in filled
            )
            if all(wraps):
                return True
        below.problems.append(
            f"the last row of page {above.page} wraps on in column(s) "
            f"{', '.join(str(c + 1) for c in going)}, but this row, the first under the "
            f"header of page {below.page}, fills column(s) "
            f"{', '.join(str(c + 1) for c in filled) or 'none'}: whether it continues that "
            "row or starts a new one cannot be told; refused rather than guessed"
        )
        return False
    if not filled or filled[0] == 0 or len(above.cells) != len(below.cells):
        return False
    space = _space([w for cell in below.cells for line in cell.lines for w in line.words])
    for c in filled:
        cell = above.cells[c]
        if not cell.lines or cell.fits_after(cell.lines[-1], below.cells[c].lines[0], space):
            return False
    return True


def _check_columns(rows: list[_PdfRow]) -> None:
    """Each ruled table row's column borders must be borders of the last header row.

    A page whose table has other columns than the header above it (a second table
    without the header, its columns set differently) would be read column by column
    into the wrong fields: such rows are refused. Merged cells leave borders out, which
    is fine; a border the header does not have is not.
    """
    borders: list[float] = []
    header_line = ""
    for row in rows:
        edges = [x for cell in row.cells if cell.right for x in (cell.left, cell.right)]
        if not row.in_table or not edges:
            continue
        if _is_header(row):
            borders = sorted(set(edges))
            header_line = f"page {row.page}, row {row.index}"
            continue
        stray = [x for x in edges if borders and min(abs(x - b) for b in borders) > BORDER]
        if stray:
            row.problems.append(
                f"this row's table has a column border at {stray[0]:.0f} pt that the header "
                f"row ({header_line}) does not have: its columns do not match the header's; "
                "refused rather than guessed"
            )


def _grid_rows(rows: list[_PdfRow], name: str, spaced: bool) -> Iterable[Row]:
    """Numbered grid rows: ``page * 1000 + row on the page`` (the row counted from the top
    of its page as printed, titles and the repeated header included); a row with a
    problem is refused at its line. The header row repeated on a later page is dropped:
    it is the page's furniture, not data."""
    first: tuple[str, ...] | None = None
    for row in rows:
        line = row.page * 1000 + row.index
        if row.problems:
            raise ParseError(name, row.problems[0], line)
        words = [w for cell in row.cells for line_ in cell.lines for w in line_.words]
        space = _space(words) if words else 0.0
        cells = [cell.text(space, spaced) for cell in row.cells]
        while cells and not cells[-1]:
            cells.pop()
        if row.in_table and _is_header(row):
            if first is not None and tuple(clean(c) for c in cells) == first:
                continue
            first = first or tuple(clean(c) for c in cells)
        yield Row(line=line, cells=tuple(cells))
