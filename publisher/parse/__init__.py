"""STAGE 1: a report file -> a ``Report`` record tree.

Reading is split in two so that every file format shares one interpretation:

1. a *reader* turns bytes into a ``Grid``: rows of cell texts, each with its source line
   (``READERS``, keyed by file suffix: text/TSV, CSV, XLSX, HTML ``<table>``);
2. ``table.read_report`` interprets the grid: header row, page headers, process-level
   banners, continuation rows, column shifts, targets, footer.

Adding a format means one reader function and one line in ``READERS``.

A numeral 1.3 report (2023+) is three files, a data file and its metadatos and diccionario
siblings (``trio.py``): its data file goes through the same interpreter; ``parse_file``
given the data file, or a folder holding one trio, reads the three together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from publisher.errors import ParseError
from publisher.parse import delimited, html, spreadsheet, text, trio
from publisher.parse.grid import Grid
from publisher.parse.institution import resolve, resolve_declared
from publisher.parse.table import read_table
from publisher.records import Report, Source

#: File suffix -> reader (bytes, file name) -> Grid.
READERS: dict[str, Callable[[bytes, str], Grid]] = {
    ".txt": text.read,
    ".tsv": text.read,
    ".csv": delimited.read,
    ".xlsx": spreadsheet.read,
    ".html": html.read,
    ".htm": html.read,
}

#: Larger files are refused before reading: real reports are a few hundred kilobytes.
MAX_BYTES = 50 * 1024 * 1024


def parse_file(path: str | Path, institution: str | None = None) -> Report:
    """Read one report file into a ``Report``; ``institution`` is a registry id, if known.

    A numeral 1.3 data file is read with its siblings; a folder stands for the one trio
    it holds. Raises ``ParseError`` (``file:line: message``) for anything that cannot be
    read, a trio missing a file included.
    """
    path = Path(path)
    if path.is_dir() or trio.classify(path.name):
        return parse_trio(trio.find(path), institution)
    reader = _reader(path)
    return parse_bytes(_read(path), path.name, reader, institution, path)


def parse_trio(files: trio.Trio, institution: str | None = None) -> Report:
    """Read a numeral 1.3 report from its three files (see ``trio.py``)."""
    data = _read(files.data)
    grid = _reader(files.data)(data, files.data.name)
    table = read_table(grid, files.data.name, footer=False)
    metadata, notes = trio.read_metadata(_grid(files.metadata), files.metadata.name)
    declared, line = trio.declared_institution(_grid(files.dictionary), files.dictionary.name)
    who = resolve_declared(files.dictionary.name, files.data, declared, line, institution)
    return Report(
        source=Source(files.data.name, hashlib.sha256(data).hexdigest(), grid.format),
        institution=who,
        metadata=metadata,
        units=table.units,
        notes=table.notes,
        warnings=table.warnings + tuple(notes),
    )


def _grid(path: Path) -> Grid:
    return _reader(path)(_read(path), path.name)


def _reader(path: Path) -> Callable[[bytes, str], Grid]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise ParseError(path.name, f"unsupported file type {path.suffix!r} (known: {known})")
    return reader


def _read(path: Path) -> bytes:
    """The file's bytes, refused when larger than ``MAX_BYTES``."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ParseError(path.name, f"file too large ({size} bytes, limit {MAX_BYTES})")
        return path.read_bytes()
    except OSError as err:
        raise ParseError(path.name, f"cannot read the file: {err.strerror}") from err


def parse_bytes(
    data: bytes,
    name: str,
    reader: Callable[[bytes, str], Grid] = text.read,
    institution: str | None = None,
    path: Path | None = None,
) -> Report:
    """Read a report held in memory; ``path`` (if any) is where a manifest is looked for."""
    grid = reader(data, name)
    table = read_table(grid, name)
    if "link" in table.roles:  # read alone, it would be published without its metadata
        raise ParseError(
            name,
            "a numeral 1.3 data file (its header has the 'Enlace …' column) is read with its "
            "metadatos and diccionario files: name the three '…(conjunto de datos)', "
            "'…(metadatos)' and '…(diccionario)' in one folder",
            table.header_line,
        )
    who = resolve(name, path, table.title_lines, table.metadata, table.texts, institution)
    return Report(
        source=Source(name, hashlib.sha256(data).hexdigest(), grid.format),
        institution=who,
        metadata=table.metadata,
        units=table.units,
        notes=table.notes,
        warnings=table.warnings,
    )
