"""The tidy files: CSV (with and without BOM), XLSX and CSVW metadata.

Takes rows (``csv_bytes``, ``xlsx_bytes``: the site's filtered downloads, made from
``tidy_rows``) or the reports' caches (``write_tidy_cached``: the build's corpus files,
streamed one report's rows at a time: CSV lines concatenated, sheet rows numbered into
openpyxl's header-only workbook); gives bytes, or the files in a folder with their
``Dump`` descriptions. A table longer than a sheet holds (``MAX_SHEET_ROWS``) goes on in
further sheets, each with the header row. The cached rows hold the report columns; the
corpus columns end each row as it is written (``_Tails``), from one store lookup each
(``corpus.enrichment``).
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell

from publisher.build.publish import Dump, file_sha256
from publisher.downloads.cells import _cell, _csv_tail, _numbered, _sheet_tail
from publisher.downloads.corpus import Enrichment, enrichment
from publisher.downloads.report import _cached_parts, _in_order
from publisher.downloads.table import COLUMNS, LEVELS, NAMES, TidyRow, ontology_levels, select_text
from publisher.errors import StoreError
from publisher.store.embedded import Store

#: File names of the build's tidy distributions (under ``dumps/``).
CSV_BOM = "metas.csv"
CSV_PLAIN = "metas-utf8.csv"
XLSX = "metas.xlsx"
CSVW = "metas.csv-metadata.json"  # CSVW's default location for metas.csv's metadata
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSVW_MEDIA_TYPE = "application/csvm+json"
#: Rows a worksheet holds, its header row included (Excel's limit, 2**20). A longer table
#: goes on in further sheets, each with the header (tests lower it to check the split).
MAX_SHEET_ROWS = 1_048_576
#: Name of the table's first sheet (the next are "metas 2", "metas 3", …).
SHEET = "metas"
#: zlib level of the corpus sheets (openpyxl's other parts keep zlib's default, 6). At
#: level 6 the sheet's deflate was two thirds of the tidy step: at 1,000 synthetic reports
#: level 3 makes the step 0.67 s instead of 1.11 s, the XLSX 9.1 MB instead of 7.5 MB
#: (level 1: 0.65 s, 9.8 MB).
SHEET_DEFLATE_LEVEL = 3


def write_csv(rows: Sequence[TidyRow], out: IO[str]) -> None:
    """The table as CSV (RFC 4180: comma, CRLF, quotes where needed) with a header."""
    writer = csv.DictWriter(out, fieldnames=NAMES, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


def csv_bytes(rows: Sequence[TidyRow], bom: bool) -> bytes:
    """The CSV as UTF-8 bytes; ``bom`` adds the byte-order mark spreadsheets look for."""
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows: Sequence[TidyRow]) -> bytes:
    """The table as an XLSX workbook (values and lines as numbers): one sheet, or as many
    as ``MAX_SHEET_ROWS`` makes it need, each with the header row."""
    per_sheet = MAX_SHEET_ROWS - 1
    return _workbook_bytes(
        [rows[start : start + per_sheet] for start in range(0, max(len(rows), 1), per_sheet)]
    )


def sheet_name(number: int) -> str:
    """The name of the table's sheet ``number`` (from 1): "metas", "metas 2", …"""
    return SHEET if number == 1 else f"{SHEET} {number}"


def _workbook_bytes(sheets: Sequence[Sequence[TidyRow]]) -> bytes:
    """An XLSX workbook with one sheet per item of ``sheets``, each with the header row."""
    workbook = Workbook(write_only=True)
    for number, rows in enumerate(sheets, 1):
        sheet = workbook.create_sheet(sheet_name(number))
        sheet.append(list(NAMES))
        for row in rows:
            sheet.append([_written(sheet, _cell(column, row[column.name])) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _written(sheet: Any, value: Any) -> Any:
    """What to append for ``value``: texts stay text. openpyxl would make "=…" a live
    formula and "#N/A" an error value: formula injection from a report's cell, and not what
    the report says."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def csvw_metadata(csv_names: Sequence[str], base: str = "") -> dict[str, Any]:
    """CSVW metadata (a table group) describing every column of the CSV files named."""
    columns = [
        {
            "name": c.name,
            "titles": {"es": c.es, "en": c.en},
            "datatype": c.datatype,
            "dc:description": c.description,
            "required": c.name in ("institution_uri", "report_uri", "unit_uri"),
        }
        for c in COLUMNS
    ]
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "es"}],
        "dc:title": "Metas y objetivos de las unidades administrativas (LOTAIP a4): tabla",
        "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminators": ["\r\n"]},
        "tableSchema": {"columns": columns},
        "tables": [{"url": base + name} for name in csv_names],
    }


def write_tidy_cached(
    store: Store,
    cache_dir: Path,
    hashes: Sequence[str],
    folder: Path,
    found: Enrichment | None = None,
) -> list[Dump]:
    """Write the whole table as CSV (BOM and plain), XLSX and CSVW metadata into ``folder``
    from the per-report caches of the reports ``hashes`` names: the same rows as
    ``tidy_rows(store)``, one report's rows in memory at a time, the corpus columns from
    ``store`` (``found``: its ``enrichment``, when the caller has it already)."""
    stated = {r["level"]: r["name"] for r in select_text(store, LEVELS, {})}
    if stated != ontology_levels():
        raise StoreError("the store names process levels unlike the ontology the rows used")
    if found is None:
        found = enrichment(store)
    try:
        paths = _in_order(cache_dir, hashes)
        folder.mkdir(parents=True, exist_ok=True)
        _write_tables(paths, folder, found)
        (folder / CSVW).write_bytes(_json(csvw_metadata([CSV_BOM, CSV_PLAIN])))
        return [
            Dump(
                name,
                media_type(name),
                None,
                (folder / name).stat().st_size,
                file_sha256(folder / name),
            )
            for name in (CSV_BOM, CSV_PLAIN, XLSX, CSVW)
        ]
    except (OSError, pickle.UnpicklingError, EOFError, zipfile.BadZipFile) as err:
        raise StoreError(f"cannot write the tidy tables to {folder}: {err}") from err


def _sheet_part(number: int) -> str:
    """The part of sheet ``number`` in openpyxl's workbook."""
    return f"xl/worksheets/sheet{number}.xml"


class _Tails:
    """The ends of cached rows (the corpus columns), per (institution, unit), made once."""

    def __init__(self, found: Enrichment) -> None:
        self.found = found
        self.made: dict[tuple[str, str], tuple[bytes, str]] = {}

    def __call__(self, pair: tuple[str, str]) -> tuple[bytes, str]:
        """The CSV record's and the ``<row>``'s end for a row of ``pair``."""
        tail = self.made.get(pair)
        if tail is None:
            values = self.found.corpus_values(*pair)
            tail = self.made[pair] = (_csv_tail(values).encode("utf-8"), _sheet_tail(values))
        return tail


def _write_tables(paths: Sequence[Path], folder: Path, found: Enrichment) -> None:
    """Both CSVs and the XLSX: openpyxl's header-only workbook, part by part, with the
    cached rows streamed into its sheets after their header row, each ended with its
    corpus columns."""
    tails = _Tails(found)
    header = ",".join(NAMES).encode("utf-8") + b"\r\n"
    with (
        (folder / CSV_BOM).open("wb") as bom,
        (folder / CSV_PLAIN).open("wb") as plain,
        zipfile.ZipFile(
            folder / XLSX, "w", zipfile.ZIP_DEFLATED, compresslevel=SHEET_DEFLATE_LEVEL
        ) as xlsx,
    ):
        bom.write(b"\xef\xbb\xbf" + header)
        plain.write(header)
        sheets = _SheetWriter(xlsx)
        try:
            for path in paths:
                lines, open_rows, pairs, which = _cached_parts(path)
                ends = [tails(pair) for pair in pairs]
                rows = list(zip(which, lines, open_rows, strict=True))
                csv_lines = b"".join([line + ends[i][0] for i, line, _ in rows])
                bom.write(csv_lines)
                plain.write(csv_lines)
                sheets.write([row + ends[i][1] for i, _, row in rows])
        finally:  # the zip cannot close while a sheet is open
            sheets.close()


class _SheetWriter:
    """The XLSX's parts in openpyxl's order (the parts before the sheets, the sheets, the
    parts after them), the sheets filled with numbered cached rows, a new sheet begun
    whenever one holds ``MAX_SHEET_ROWS``. The parts after the sheets name every sheet,
    so they come from a header-only workbook with as many sheets, made at the end."""

    def __init__(self, xlsx: zipfile.ZipFile) -> None:
        """Write the parts before the first sheet and begin it."""
        self.xlsx = xlsx
        self.count = 0  # sheets begun
        self.row = 2  # the next row's number in the current sheet (after its header)
        self.end = b""  # the current sheet's XML after its rows
        template = _template(1)
        for part in template.infolist():
            if part.filename == _sheet_part(1):
                break
            xlsx.writestr(part, template.read(part))
        self.stream = self._open_sheet()

    def _open_sheet(self) -> IO[bytes]:
        """Begin the next sheet with its header row."""
        self.count += 1
        template = _template(self.count)
        sheet_xml = template.read(_sheet_part(self.count))
        at = sheet_xml.rindex(b"</sheetData>")
        # opened by name, the part takes the zip's level (SHEET_DEFLATE_LEVEL); the parts
        # copied with openpyxl's ZipInfo keep theirs
        stream = self.xlsx.open(_sheet_part(self.count), "w", force_zip64=True)
        stream.write(sheet_xml[:at])
        self.end = sheet_xml[at:]
        self.row = 2
        return stream

    def _end_sheet(self) -> None:
        self.stream.write(self.end)
        self.stream.close()

    def write(self, sheet_rows: Sequence[str]) -> None:
        """Append one report's cached rows, going on in a new sheet when one is full."""
        done = 0
        while done < len(sheet_rows):
            if self.row > MAX_SHEET_ROWS:
                self._end_sheet()
                self.stream = self._open_sheet()
            room = MAX_SHEET_ROWS + 1 - self.row
            whole = done == 0 and len(sheet_rows) <= room  # the usual case: no copy
            rows = sheet_rows if whole else sheet_rows[done : done + room]
            self.stream.write(_numbered(rows, self.row))
            self.row += len(rows)
            done += len(rows)

    def close(self) -> None:
        """End the last sheet and write the parts after the sheets."""
        self._end_sheet()
        template = _template(self.count)
        names = template.namelist()
        for name in names[names.index(_sheet_part(self.count)) + 1 :]:
            self.xlsx.writestr(template.getinfo(name), template.read(name))


def _template(sheets: int) -> zipfile.ZipFile:
    """openpyxl's workbook of ``sheets`` sheets holding only the header row."""
    return zipfile.ZipFile(io.BytesIO(_workbook_bytes([[]] * sheets)))


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def media_type(name: str) -> str:
    """The media type of one of the tidy files, by its name."""
    if name.endswith(".xlsx"):
        return XLSX_MEDIA_TYPE
    if name.endswith("-metadata.json"):
        return CSVW_MEDIA_TYPE
    return CSV_MEDIA_TYPE
