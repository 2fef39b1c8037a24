"""Text/TSV reader: reports extracted from HTML or PDF to tab-separated lines."""

from __future__ import annotations

from publisher.parse.grid import Grid, Row, decode


def read(data: bytes, name: str) -> Grid:
    """Bytes -> ``Grid``: one row per line, cells split at tabs, lines numbered from 1.

    Only ``\\n`` ends a line (a trailing ``\\r`` is dropped), so that line numbers match
    what an editor shows even when a cell holds a form feed or a Unicode line separator.
    """
    text = decode(data, name)
    rows = tuple(
        Row(number, tuple(line.rstrip("\r").split("\t")))
        for number, line in enumerate(text.split("\n"), start=1)
    )
    return Grid(rows=rows, format="text")
