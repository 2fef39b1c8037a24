"""Text/TSV reader: reports extracted from HTML or PDF to tab-separated lines.

A file that opens with a UTF-16 byte-order mark is Excel's "Unicode text" export: tabs
between cells and, like CSV, quotes around cells holding line breaks, tabs or quotes. It
is read by the CSV reader, which understands those quotes (and sniffs the tab).
"""

from __future__ import annotations

import codecs

from publisher.parse import delimited
from publisher.parse.grid import Grid, Row, decode


def read(data: bytes, name: str) -> Grid:
    """Bytes -> ``Grid``: one row per line, cells split at tabs, lines numbered from 1.

    Only ``\\n`` ends a line (a trailing ``\\r`` is dropped), so that line numbers match
    what an editor shows even when a cell holds a form feed or a Unicode line separator.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return delimited.read(data, name)
    text = decode(data, name)
    rows = tuple(
        Row(number, tuple(line.rstrip("\r").split("\t")))
        for number, line in enumerate(text.split("\n"), start=1)
    )
    return Grid(rows=rows, format="text")
