"""XLSX reader: bytes -> ``Grid`` via openpyxl in read-only mode (the seam to openpyxl).

* **Bounded.** An XLSX file is a zip archive; before openpyxl sees it, the archive's
  directory is checked: too many members, too much uncompressed data or a compression
  ratio only a zip bomb has are refused with a ``ParseError``. Rows and columns are capped.
* **Merged cells** keep their value in the top-left cell and leave the others empty, which
  is what read-only mode gives and what the text layout shows: a unit merged down over its
  continuation rows reads as those rows' empty No./unit cells; a banner merged across the
  row reads as one cell and blanks. Filling merged values down would repeat an objective
  on every row it spans and count it several times.
* **Values as text**: whole numbers without ``.0``; cells formatted as percentages as
  ``90%``; dates as ``dd/mm/yyyy`` (the footer's own form).
* ``line`` is the spreadsheet row number.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from publisher.errors import ParseError
from publisher.parse.grid import Grid, Row, check_size

MAX_BYTES = 64 * 1024 * 1024
MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 150  # real sheets compress 5-20x; bombs 1000x and more
MAX_MEMBERS = 5_000
MAX_ROWS = 1_000_000
MAX_COLUMNS = 64  # the widest real layout has 7 columns
_HEADER = re.compile(r"(?:[^\w<]|<[^<>]{0,80}>)*+descripci[oó]n\s+de\s+la\s+unidad", re.IGNORECASE)


def read(data: bytes, name: str) -> Grid:
    """Read an XLSX file into a ``Grid`` (``format="xlsx"``).

    The sheet read is the first one holding the table's header (a cell opening with
    ``Descripción de la unidad``), so a cover or instructions sheet in front is passed
    over; with no such sheet, the first sheet (the interpreter then says what is missing).
    """
    check_size(data, name, MAX_BYTES)
    check_archive(data, name)
    # here: a process that reads no workbook need not load openpyxl (parse/__init__)
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it ignores; they do not touch values.
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as err:  # openpyxl raises many types for one cause: not a workbook
            raise ParseError(name, f"not a readable XLSX workbook ({err})") from err
        try:
            return Grid(rows=tuple(_table_sheet(workbook.worksheets, name)), format="xlsx")
        except ParseError:
            raise
        except Exception as err:  # read-only mode parses each sheet's XML only now
            raise ParseError(name, f"a sheet of this workbook is unreadable ({err})") from err
        finally:
            workbook.close()


def _table_sheet(sheets: list[Any], name: str) -> list[Row]:
    """The rows of the first sheet with a header row, else of the first sheet."""
    return pick_sheet(_rows(sheet, name) for sheet in sheets)


def pick_sheet(sheets: Iterable[list[Row]]) -> list[Row]:
    """Of the sheets' rows, the first sheet with a header row, else the first sheet.

    Shared by the XLSX, ODS and XLS readers; sheets after the chosen one are not read.
    """
    first: list[Row] | None = None
    for rows in sheets:
        if any(_HEADER.match(cell) for row in rows for cell in row.cells):
            return rows
        first = rows if first is None else first
    return first or []


def check_archive(data: bytes, name: str, kind: str = "an XLSX") -> None:
    """Refuse what is not a zip, a zip that would expand past the limits, or XML with a DTD.

    Also used for the other zip-based formats (DOCX, ODS); ``kind`` names the format
    with its article ("a DOCX").
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:  # damage shows as any
        raise ParseError(name, f"not {kind} file (it is not a zip archive)") from err
    if len(members) > MAX_MEMBERS:
        raise ParseError(name, f"the archive holds {len(members)} members: refused")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise ParseError(name, f"the archive expands to {total} bytes: refused")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise ParseError(name, f"{member.filename} compresses {ratio:.0f}x: refused")
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and _declares_entities(archive, member):
            raise ParseError(name, f"{member.filename} declares a DTD or entities: refused")


#: Where an XML part's prolog ends: its first element.
_ROOT = re.compile(r"<[A-Za-z_]")
_PROLOG_BYTES = 64 * 1024


def _declares_entities(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True for an XML part with a DTD (entity bombs live there) or no root in 64 KiB.

    Office never writes a DTD; expat would expand entities up to 100 times the input.
    """
    try:
        with archive.open(member) as part:
            head = part.read(_PROLOG_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
        return False  # a damaged member: openpyxl reports it as unreadable
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    text = head.decode(encoding, errors="replace")
    root = _ROOT.search(text)
    prolog = text[: root.start()] if root else text
    unending = root is None and len(head) == _PROLOG_BYTES  # a prolog padded past our look
    return "<!DOCTYPE" in prolog.upper() or "<!ENTITY" in prolog.upper() or unending


def _rows(sheet: Any, name: str) -> list[Row]:
    """Every row of the sheet as text cells, trailing empty cells dropped."""
    sheet.reset_dimensions()  # do not trust a stored dimension: read what is there
    rows = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_ROWS:
            raise ParseError(name, f"more than {MAX_ROWS} rows: refused", number)
        texts = [cell_text(c.value, getattr(c, "number_format", "General")) for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            raise ParseError(name, f"a value in column {len(texts)}: too wide a table", number)
        rows.append(Row(line=number, cells=tuple(texts)))
    return rows


def cell_text(value: Any, number_format: str) -> str:
    """A cell value as the text a person sees (numbers without a spurious ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VERDADERO" if value else "FALSO"
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float):
        if "%" in (number_format or ""):
            return f"{_number(Decimal(str(value)) * 100)}%"
        return _number(Decimal(str(value)))
    return str(value)


def _number(value: Decimal) -> str:
    """``Decimal("90.0")`` -> ``"90"``; ``Decimal("0.125")`` -> ``"0.125"``."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
