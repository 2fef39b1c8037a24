"""Tidy downloads: one row per target, as CSV (with and without BOM), XLSX and CSVW.

The rows are read from the store with SPARQL, each report inside its own named graph,
so a download holds exactly what is published (and what the SPARQL endpoint answers),
not what a parser thought. Besides the targets, a statement ``NO APLICA …`` that stands
in place of a unit's, objective's or indicator's targets gets a row of its own with the
target columns empty, so that a spreadsheet reader sees why a unit has no targets.

``COLUMNS`` is the one description of the table: the CSV header, the XLSX header and the
CSVW metadata (``csvw_metadata``) are all made from it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from openpyxl import Workbook
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from publisher.errors import QueryError, StoreError
from publisher.publish import Dump, file_sha256
from publisher.store import Store, to_ox
from publisher.vocab import sparql_prefixes

#: File names of the build's tidy distributions (under ``dumps/``).
CSV_BOM = "metas.csv"
CSV_PLAIN = "metas-utf8.csv"
XLSX = "metas.xlsx"
CSVW = "metas.csv-metadata.json"  # CSVW's default location for metas.csv's metadata
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSVW_MEDIA_TYPE = "application/csvm+json"
#: Several activities (or reasons) of one target are joined with this.
JOIN = " | "


@dataclass(frozen=True)
class Column:
    """One column of the tidy table."""

    name: str  # CSV header and CSVW ``name``
    es: str  # title in Spanish
    en: str  # title in English
    datatype: str  # CSVW/XSD datatype name
    description: str  # what the column holds (English)


COLUMNS: tuple[Column, ...] = (
    Column("institution_name", "Institución", "Institution", "string", "Publishing institution"),
    Column("report_date", "Fecha del informe", "Report date", "date", "Date the report states"),
    Column("process_level", "Nivel de proceso", "Process level", "string", "Unit's process level"),
    Column("unit_number", "No.", "Unit number", "string", "Unit number as printed"),
    Column("unit_name", "Unidad", "Unit", "string", "Administrative unit"),
    Column("objective", "Objetivo", "Objective", "string", "Objective of the unit"),
    Column("activity", "Actividad", "Activity", "string", "Activity of the row (| joins)"),
    Column("indicator", "Indicador", "Indicator", "string", "Indicator of the objective"),
    Column("target", "Meta", "Target", "string", "Target as published"),
    Column("value", "Valor", "Value", "decimal", "Number stated by the target"),
    Column("unit_of_measure", "Unidad de medida", "Unit of measure", "string", "percent or noun"),
    Column("label", "Etiqueta", "Label", "string", "M1-style label of the target"),
    Column("note", "Nota", "Note", "string", "Remark after the target's number"),
    Column(
        "not_applicable_reason",
        "Motivo de no aplica",
        "Not-applicable reason",
        "string",
        "The NO APLICA statement standing in place of targets",
    ),
    Column("due_date", "Fecha límite", "Due date", "string", "Due date (yyyy, yyyy-mm, date)"),
    Column("source_line", "Línea", "Line", "integer", "Line of the source file"),
    Column("institution_uri", "URI institución", "Institution URI", "anyURI", "Institution"),
    Column("report_uri", "URI informe", "Report URI", "anyURI", "Report (its named graph)"),
    Column("unit_uri", "URI unidad", "Unit URI", "anyURI", "Administrative unit"),
    Column("objective_uri", "URI objetivo", "Objective URI", "anyURI", "Objective"),
    Column("indicator_uri", "URI indicador", "Indicator URI", "anyURI", "Indicator"),
    Column("target_uri", "URI meta", "Target URI", "anyURI", "Target (empty: NO APLICA row)"),
)
NAMES = tuple(c.name for c in COLUMNS)

TidyRow = dict[str, str]

_P = sparql_prefixes()

# Both queries project their filter parameters (?institution ?level ?year ?text ?report)
# so that pyoxigraph can bind them (see web/queries.py); the filters are fixed fragments
# picked by name in ``FILTERS``, their values always bound, never pasted.
_HEAD = """SELECT ?institution ?level ?year ?text ?informe ?min ?max
  ?report ?issued ?inst ?iname ?unit ?unumber ?uname ?ulevel ?objective ?otext
  ?indicator ?itext ?activity ?target ?ttext ?value ?qunit ?unitText ?label ?note ?reason
  ?tdue ?idue ?line WHERE {
  GRAPH ?report {
    ?report a lotaip:Report ; dct:publisher ?inst .
    OPTIONAL { ?report dct:issued ?issued }
    OPTIONAL { ?inst rdfs:label ?iname }
"""
_UNIT = """    OPTIONAL { ?unit skos:notation ?unumber }
    OPTIONAL { ?unit rdfs:label ?uname }
    OPTIONAL { ?unit org:classification ?ulevel }
"""
_TAIL = """  }
  %s
}"""

#: Every target, under an indicator or straight under its objective.
TARGETS = (
    _P
    + _HEAD
    + """    ?target a lotaip:Target ; rdfs:label ?ttext .
    { ?objective lotaip:hasTarget ?target .
      OPTIONAL { ?objective lotaip:hasActivity/rdfs:label ?activity }
      OPTIONAL { ?objective lotaip:notApplicableReason ?reason } }
    UNION
    { ?indicator lotaip:hasTarget ?target . ?objective lotaip:hasIndicator ?indicator .
      OPTIONAL { ?indicator rdfs:label ?itext }
      OPTIONAL { ?indicator lotaip:dueDate ?idue }
      OPTIONAL { ?indicator lotaip:hasActivity/rdfs:label ?activity }
      OPTIONAL { ?indicator lotaip:notApplicableReason ?reason } }
    ?unit org:purpose ?objective .
    OPTIONAL { ?objective rdfs:label ?otext }
    OPTIONAL { ?target qudt:numericValue ?value }
    OPTIONAL { ?target qudt:unit ?qunit }
    OPTIONAL { ?target lotaip:unitText ?unitText }
    OPTIONAL { ?target skos:notation ?label }
    OPTIONAL { ?target skos:note ?note }
    OPTIONAL { ?target lotaip:dueDate ?tdue }
    OPTIONAL { ?target lotaip:sourceLine ?line }
"""
    + _UNIT
    + _TAIL
)

#: NO APLICA statements with no target under the thing they are said of.
NOT_APPLICABLE = (
    _P
    + _HEAD
    + """    { ?unit a lotaip:AdministrativeUnit ; lotaip:notApplicableReason ?reason .
      OPTIONAL { ?unit lotaip:sourceLine ?line } }
    UNION
    { ?unit org:purpose ?objective . ?objective lotaip:notApplicableReason ?reason .
      OPTIONAL { ?objective lotaip:sourceLine ?line }
      OPTIONAL { ?objective rdfs:label ?otext }
      FILTER NOT EXISTS { ?objective lotaip:hasTarget|lotaip:hasIndicator/lotaip:hasTarget ?t } }
    UNION
    { ?unit org:purpose ?objective . ?objective lotaip:hasIndicator ?indicator .
      ?indicator lotaip:notApplicableReason ?reason .
      OPTIONAL { ?indicator rdfs:label ?itext }
      OPTIONAL { ?indicator lotaip:sourceLine ?line }
      OPTIONAL { ?objective rdfs:label ?otext }
      FILTER NOT EXISTS { ?indicator lotaip:hasTarget ?t } }
"""
    + _UNIT
    + _TAIL
)

#: Process level names (Spanish), read once per table.
LEVELS = (
    _P
    + """SELECT ?level ?name WHERE {
  ?level a lotaip:ProcessLevel ; skos:prefLabel ?name FILTER(lang(?name) = "es")
}"""
)

FILTERS = {
    "institution": "FILTER(?inst = ?institution)",
    "informe": "FILTER(?report = ?informe)",
    "level": "FILTER(?ulevel = ?level)",
    "year": "FILTER(YEAR(?issued) = ?year)",
    "text": "FILTER(CONTAINS(LCASE(CONCAT(COALESCE(?otext, ''), ' ', COALESCE(?itext, ''),"
    " ' ', COALESCE(?ttext, ''), ' ', COALESCE(?reason, ''))), LCASE(?text)))",
    "min": "FILTER(?value >= ?min)",
    "max": "FILTER(?value <= ?max)",
}


@dataclass(frozen=True)
class Filters:
    """Which rows to keep (all when every field is None)."""

    institution: URIRef | None = None
    report: URIRef | None = None
    level: URIRef | None = None
    year: int | None = None
    text: str | None = None
    min: Decimal | None = None  # value at least (rows without a value are left out)
    max: Decimal | None = None

    def bindings(self) -> dict[str, Identifier]:
        """The query bindings for the filters given."""
        values: dict[str, Identifier | None] = {
            "institution": self.institution,
            "informe": self.report,
            "level": self.level,
            "year": Literal(self.year) if self.year is not None else None,
            "text": Literal(self.text) if self.text else None,
            "min": Literal(self.min) if self.min is not None else None,
            "max": Literal(self.max) if self.max is not None else None,
        }
        return {k: v for k, v in values.items() if v is not None}


def _query(template: str, names: Iterable[str]) -> str:
    return template % "\n  ".join(FILTERS[n] for n in names)


def tidy_rows(store: Store, filters: Filters | None = None) -> list[TidyRow]:
    """The tidy table of ``store``: targets and NO APLICA statements, in reading order
    (institution, report date, source line)."""
    bindings = (filters or Filters()).bindings()
    levels = {r["level"]: r["name"] for r in select_text(store, LEVELS, {})}
    merged: dict[tuple[str, ...], TidyRow] = {}
    for template in (TARGETS, NOT_APPLICABLE):
        for row in select_text(store, _query(template, bindings), bindings):
            key = _row_key(row)
            tidy = _tidy(row, levels)
            if key in merged:
                _merge(merged[key], tidy)
            else:
                merged[key] = tidy
    return sorted(merged.values(), key=_order)


TextRow = dict[str, str]


def select_text(store: Store, query: str, bindings: Mapping[str, Identifier]) -> list[TextRow]:
    """A SELECT whose values are wanted as plain strings (lexical forms, IRIs).

    On an embedded store this reads pyoxigraph's terms directly: making rdflib terms of
    every cell (``Store.select``) took three quarters of the time of a large table.
    """
    native = getattr(store, "native", None)
    if not isinstance(native, ox.Store):
        return [{k: str(v) for k, v in row.items()} for row in store.select(query, bindings)]
    substitutions = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
    try:
        solutions = native.query(
            query, use_default_graph_as_union=True, substitutions=substitutions
        )
    except (SyntaxError, OSError, RuntimeError) as err:
        raise QueryError(f"tidy table query failed: {err}") from err
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError("the tidy table query did not answer with solutions")
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def _row_key(row: TextRow) -> tuple[str, ...]:
    """One row per target per report; one NO APLICA row per thing (reasons joined)."""
    if "target" in row:
        return (str(row["report"]), str(row["target"]))
    parts = ("report", "unit", "objective", "indicator")
    return tuple(str(row.get(p, "")) for p in parts)


def _tidy(row: TextRow, levels: Mapping[str, str]) -> TidyRow:
    """A query row as the table's columns (every value a string; missing ones empty)."""
    get = row.get
    return {
        "institution_name": get("iname", ""),
        "report_date": get("issued", ""),
        "process_level": levels.get(get("ulevel", ""), ""),
        "unit_number": get("unumber", ""),
        "unit_name": get("uname", ""),
        "objective": get("otext", ""),
        "activity": get("activity", ""),
        "indicator": get("itext", ""),
        "target": get("ttext", ""),
        "value": format_decimal(row["value"]) if "value" in row else "",
        "unit_of_measure": _unit_of_measure(row),
        "label": get("label", ""),
        "note": get("note", ""),
        "not_applicable_reason": get("reason", ""),
        "due_date": get("tdue") or get("idue", ""),
        "source_line": get("line", ""),
        "institution_uri": get("inst", ""),
        "report_uri": get("report", ""),
        "unit_uri": get("unit", ""),
        "objective_uri": get("objective", ""),
        "indicator_uri": get("indicator", ""),
        "target_uri": get("target", ""),
    }


def _unit_of_measure(row: TextRow) -> str:
    if row.get("qunit", "").endswith("/PERCENT"):
        return "%"
    return row.get("unitText", "")


def _merge(into: TidyRow, other: TidyRow) -> None:
    """Two query rows of one target (several activities or reasons): join the texts."""
    for name in ("activity", "not_applicable_reason"):
        if other[name] and other[name] not in into[name].split(JOIN):
            into[name] = JOIN.join(p for p in (into[name], other[name]) if p)


def _order(row: TidyRow) -> tuple[str, str, int, str]:
    line = int(row["source_line"]) if row["source_line"].isdigit() else 0
    return (row["institution_name"], row["report_date"], line, row["target_uri"])


def format_decimal(value: object) -> str:
    """``90.0`` -> ``"90"``, ``2.50`` -> ``"2.5"``: plain notation, no exponent."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


# --------------------------------------------------------------------------- writers


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
    """The table as an XLSX workbook (one sheet; values and lines as numbers)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("metas")
    sheet.append(list(NAMES))
    for row in rows:
        sheet.append([_cell(column, row[column.name]) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(column: Column, text: str) -> Any:
    if not text:
        return None
    if column.datatype == "decimal":
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)
    if column.datatype == "integer":
        return int(text)
    return text


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


def write_tidy(store: Store, folder: Path) -> list[Dump]:
    """Write the whole table as CSV (BOM and plain), XLSX and CSVW metadata into ``folder``."""
    rows = tidy_rows(store)
    files = {
        CSV_BOM: (csv_bytes(rows, bom=True), CSV_MEDIA_TYPE),
        CSV_PLAIN: (csv_bytes(rows, bom=False), CSV_MEDIA_TYPE),
        XLSX: (xlsx_bytes(rows), XLSX_MEDIA_TYPE),
        CSVW: (_json(csvw_metadata([CSV_BOM, CSV_PLAIN])), CSVW_MEDIA_TYPE),
    }
    dumps = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, (body, media_type) in files.items():
            path = folder / name
            path.write_bytes(body)
            dumps.append(Dump(name, media_type, None, path.stat().st_size, file_sha256(path)))
    except OSError as err:
        raise StoreError(f"cannot write the tidy tables to {folder}: {err}") from err
    return dumps


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def media_type(name: str) -> str:
    """The media type of one of the tidy files, by its name."""
    if name.endswith(".xlsx"):
        return XLSX_MEDIA_TYPE
    if name.endswith("-metadata.json"):
        return CSVW_MEDIA_TYPE
    return CSV_MEDIA_TYPE
