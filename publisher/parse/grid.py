"""The common shape every reader produces: rows of raw cell texts with their line."""

from __future__ import annotations

import codecs
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
    format: str  # "text", "csv", "xlsx", "html", "pdf", "docx", "ods", "xls"


def check_size(data: bytes, name: str, limit: int) -> None:
    """Refuse a file larger than ``limit`` (each reader's own bound), then an empty one.

    Size first: it is free, while ``strip`` copies the whole file.
    """
    if len(data) > limit:
        raise ParseError(name, f"the file is larger than {limit // 2**20} MiB")
    if not data.strip():
        raise ParseError(name, "the file is empty")


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: UTF-16 with a BOM (Excel's "Unicode text" export), UTF-8 (with or
    without BOM), else Latin-1 (cp1252); other bytes with NULs are binary and refused."""
    if not data.strip():
        raise ParseError(name, "the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")  # the BOM says which byte order, and is dropped
        except UnicodeDecodeError as err:
            raise ParseError(name, f"not valid UTF-16 text after its BOM ({err.reason})") from err
    if b"\x00" in data[:4096]:
        raise ParseError(name, "this is a binary file, not a text report")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
