"""The common shape every reader produces: rows of raw cell texts with their line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from publisher.errors import ParseError


class Row(NamedTuple):
    """One table row as read: 1-based source line (row number in spreadsheets), raw cells.

    Cells keep whatever markup the source had (``<b>``, ``<p>``, ``**``, entities); the
    table interpreter cleans them, because ``<p>`` boundaries separate targets. A named
    tuple, as there is one per line: it builds several times faster than a frozen dataclass.
    """

    line: int
    cells: tuple[str, ...]

    def is_blank(self) -> bool:
        """True when every cell is empty or white space."""
        return not "".join(self.cells).strip()


@dataclass(frozen=True)
class Grid:
    """A whole file as rows, plus the format it was read from."""

    rows: tuple[Row, ...]
    format: str  # "text", "csv", "xlsx", "html"


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), else Latin-1 (cp1252); binary refused."""
    if not data.strip():
        raise ParseError(name, "the file is empty")
    if b"\x00" in data[:4096]:
        raise ParseError(name, "this is a binary file, not a text report")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
