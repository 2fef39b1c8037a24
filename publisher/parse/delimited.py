"""CSV reader: bytes -> ``Grid``, with the delimiter sniffed (comma, semicolon or tab).

Institutions export CSV from spreadsheets set to Spanish locales, which write ``;`` and
Latin-1 as often as ``,`` and UTF-8; ``grid.decode`` settles the encoding (BOM or not).
The delimiter is the one that splits the most rows of a sample into the same number of
fields (more than one): commas inside Spanish prose are irregular from row to row, real
delimiters are not. Each row keeps the source line it starts on, so a cell holding line
breaks inside quotes does not shift the lines of the rows after it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from publisher.errors import ParseError
from publisher.parse.grid import Grid, Row, check_size, decode

DELIMITERS = (",", ";", "\t")
# far above any real report (a few hundred rows); a hostile 64 MB file could cost a GB
MAX_BYTES = 16 * 1024 * 1024
MAX_COLUMNS = 1024  # real layouts have 5-7; spreadsheet exports add some empty ones
MAX_FIELD = 1024 * 1024  # one cell; csv's default limit (128 KiB) is close to real cells
SAMPLE_LINES = 200
SAMPLE_CHARS = 256 * 1024  # a sample cut short: a 10 MB line cost 200 MB to sniff whole


def read(data: bytes, name: str) -> Grid:
    """Read a CSV file into a ``Grid`` of raw cells (``format="csv"``)."""
    check_size(data, name, MAX_BYTES)
    text = decode(data, name)
    delimiter = sniff_delimiter(text)
    return Grid(rows=tuple(_rows(text, delimiter, name)), format="csv")


def sniff_delimiter(text: str) -> str:
    """The delimiter that gives the most rows of one consistent width (ties: comma)."""
    sample = "\n".join(text[:SAMPLE_CHARS].splitlines()[:SAMPLE_LINES])
    return max(DELIMITERS, key=lambda d: _consistency(sample, d))


def _consistency(sample: str, delimiter: str) -> int:
    """How many sample rows have the most common field count, when that count is > 1."""
    try:
        widths = Counter(len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter))
    except csv.Error:
        return 0
    widths.pop(0, None)  # blank lines say nothing
    width, rows = widths.most_common(1)[0] if widths else (1, 0)
    return rows if width > 1 else 0


def _rows(text: str, delimiter: str, name: str) -> list[Row]:
    """Parse every row, each with the line it starts on."""
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows, next_line = [], 1
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise ParseError(name, f"{len(cells)} fields in a row: too wide", next_line)
            rows.append(Row(line=next_line, cells=tuple(cells)))
            next_line = reader.line_num + 1
        return rows
    except csv.Error as err:
        raise ParseError(name, f"not readable as CSV: {err}", reader.line_num) from err
    finally:
        csv.field_size_limit(limit)
