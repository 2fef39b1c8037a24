"""STAGE 1: a report file -> a ``Report`` record tree.

Reading is split in two so that every file format shares one interpretation:

1. a *reader* turns bytes into a ``Grid``: rows of cell texts, each with its source line
   (``READERS``, keyed by file suffix: text/TSV, CSV, XLSX, HTML ``<table>``, PDF,
   DOCX, ODS, XLS);
2. ``table.read_report`` interprets the grid: header row, page headers, process-level
   banners, continuation rows, column shifts, targets, footer.

Adding a format means one reader function and one line in ``READERS``. A reader imports
its format's library (pdfplumber, openpyxl, python-docx) when a file of that format
comes: a build worker that reads text or CSV files starts ~0.3 s sooner without them.

A numeral 1.3 report (2023+) is three files, a data file and its metadatos and diccionario
siblings (``trio.py``): its data file goes through the same interpreter; ``parse_file``
given the data file, or a folder holding one trio, reads the three together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from publisher.errors import ParseError
from publisher.parse import delimited, html, ods, pdf, spreadsheet, text, trio, word, xls
from publisher.parse.grid import Grid
from publisher.parse.institution import MANIFEST, manifest_entry, resolve, resolve_declared
from publisher.parse.table import read_table
from publisher.records import ParseWarning, Report, Source
from publisher.settings import Settings

#: File suffix -> reader (bytes, file name) -> Grid.
READERS: dict[str, Callable[[bytes, str], Grid]] = {
    ".txt": text.read,
    ".tsv": text.read,
    ".csv": delimited.read,
    ".xlsx": spreadsheet.read,
    ".html": html.read,
    ".htm": html.read,
    ".pdf": pdf.read,
    ".docx": word.read,
    ".ods": ods.read,
    ".xls": xls.read,
}


def parse_file(
    path: str | Path,
    institution: str | None = None,
    max_bytes: int = Settings.max_report_bytes,
) -> Report:
    """Read one report file into a ``Report``; ``institution`` is a registry id, if known.

    A file larger than ``max_bytes`` (the ``max_report_bytes`` setting) is refused before
    it is read: real reports are a few hundred kilobytes. A numeral 1.3 data file is read
    with its siblings; a folder stands for the one trio it holds. Raises ``ParseError``
    (``file:line: message``) for anything that cannot be read, a trio missing a file
    included.
    """
    path = Path(path)
    if path.is_dir() or trio.classify(path.name):
        return parse_trio(trio.find(path), institution, max_bytes)
    reader = _reader(path)
    return parse_bytes(_read(path, max_bytes), path.name, reader, institution, path)


def parse_trio(
    files: trio.Trio, institution: str | None = None, max_bytes: int = Settings.max_report_bytes
) -> Report:
    """Read a numeral 1.3 report from its three files (see ``trio.py``)."""
    data = _read(files.data, max_bytes)
    grid = _reader(files.data)(data, files.data.name)
    table = read_table(grid, files.data.name, footer=False)
    metadata, notes = trio.read_metadata(_grid(files.metadata, max_bytes), files.metadata.name)
    declared, line = trio.declared_institution(
        _grid(files.dictionary, max_bytes), files.dictionary.name
    )
    who = resolve_declared(files.dictionary.name, files.data, declared, line, institution)
    sha256 = hashlib.sha256(data).hexdigest()
    source, warnings = _source(files.data.name, sha256, grid.format, files.data)
    return Report(
        source=source,
        institution=who,
        metadata=metadata,
        units=table.units,
        notes=table.notes,
        warnings=table.warnings + tuple(notes) + warnings,
    )


def _grid(path: Path, max_bytes: int) -> Grid:
    return _reader(path)(_read(path, max_bytes), path.name)


def _reader(path: Path) -> Callable[[bytes, str], Grid]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise ParseError(path.name, f"unsupported file type {path.suffix!r} (known: {known})")
    return reader


def _read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refused unread when larger than ``max_bytes``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ParseError(
                path.name,
                f"the file is {size:,} bytes, more than max_report_bytes ({max_bytes:,}): "
                "refused unread (real reports are a few hundred kilobytes)",
            )
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
    source, warnings = _source(name, hashlib.sha256(data).hexdigest(), grid.format, path)
    return Report(
        source=source,
        institution=who,
        metadata=table.metadata,
        units=table.units,
        notes=table.notes,
        warnings=table.warnings + warnings,
    )


def _source(
    name: str, sha256: str, format: str, path: Path | None
) -> tuple[Source, tuple[ParseWarning, ...]]:
    """The source file, with where and when it was downloaded when ``manifest.json`` beside
    it says so (a harvest writes it) for these very bytes."""
    entry = manifest_entry(path) if path is not None else None
    record = entry.get("source") if isinstance(entry, dict) else None
    if not isinstance(record, dict) or not record.get("url"):
        return Source(name, sha256, format), ()
    if record.get("sha256") != sha256:
        note = f"{MANIFEST} records where other bytes were downloaded (sha256 differs): not used"
        return Source(name, sha256, format), (ParseWarning(None, note),)
    try:
        retrieved = datetime.fromisoformat(str(record["retrieved"]))
    except (KeyError, ValueError) as err:
        raise ParseError(name, f"{MANIFEST}: no ISO retrieval time ({err})") from err
    return Source(name, sha256, format, str(record["url"]), retrieved), ()
