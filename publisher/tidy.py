"""Tidy downloads: one row per target, as CSV (with and without BOM), XLSX and CSVW.

The rows are read with SPARQL, each report inside its own named graph, so a download
holds exactly what is published (and what the SPARQL endpoint answers), not what a
parser thought. A build reads each report's rows from that report's graph alone, in the
worker that made it, answering the same two queries over the graph's N-Quads without a
query engine (``report_rows``), and caches them (``write_report_rows``); the corpus files
are streamed from the caches (``write_tidy_cached``). The filtered downloads of the site
query the store (``tidy_rows``); both give the same rows in the same order.

Besides the targets, a statement ``NO APLICA …`` that stands in place of a unit's,
objective's or indicator's targets gets a row of its own with the target columns empty,
so that a spreadsheet reader sees why a unit has no targets. Rows are ordered by
institution name, report date, report IRI, source line and target IRI (then unit,
objective and indicator IRI); several activities or reasons of one row are joined in
sorted order.

``COLUMNS`` is the one description of the table: the CSV header, the XLSX header and the
CSVW metadata (``csvw_metadata``) are all made from it.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import product
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.utils import get_column_letter
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS
from rdflib.term import Identifier

from publisher.errors import QueryError, StoreError
from publisher.publish import Dump, file_sha256
from publisher.store import Store, to_ox
from publisher.vocab import LOTAIP, QUDT, sparql_prefixes

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
#: Pickle protocol of the per-report row caches.
PICKLE = pickle.HIGHEST_PROTOCOL
#: Rows a worksheet holds, its header row included (Excel's limit, 2**20). A longer table
#: goes on in further sheets, each with the header (tests lower it to check the split).
MAX_SHEET_ROWS = 1_048_576
#: Name of the table's first sheet (the next are "metas 2", "metas 3", …).
SHEET = "metas"


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
    (institution, report date, report, source line)."""
    bindings = (filters or Filters()).bindings()
    levels = {r["level"]: r["name"] for r in select_text(store, LEVELS, {})}
    return _rows(lambda query: select_text(store, query, bindings), bindings, levels.get)


def _rows(
    select: Callable[[str], list[TextRow]],
    bindings: Mapping[str, Identifier],
    level_name: Callable[[str, str], str],
) -> list[TidyRow]:
    """Both queries' rows merged into one row per target (or NO APLICA thing), sorted."""
    return _merged((select(_query(t, bindings)) for t in (TARGETS, NOT_APPLICABLE)), level_name)


def _merged(
    solutions: Iterable[Iterable[TextRow]], level_name: Callable[[str, str], str]
) -> list[TidyRow]:
    """The solutions of ``TARGETS`` then ``NOT_APPLICABLE``, one row per key, sorted."""
    merged: dict[tuple[str, ...], TidyRow] = {}
    for rows in solutions:
        for row in rows:
            key = _row_key(row)
            tidy = _tidy(row, level_name)
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
    return _select_native(native, query, bindings)


def _select_native(
    native: ox.Store, query: str, bindings: Mapping[str, Identifier]
) -> list[TextRow]:
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


def _tidy(row: TextRow, level_name: Callable[[str, str], str]) -> TidyRow:
    """A query row as the table's columns (every value a string; missing ones empty)."""
    get = row.get
    return {
        "institution_name": get("iname", ""),
        "report_date": get("issued", ""),
        "process_level": level_name(get("ulevel", ""), ""),
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
    """Two query rows of one target (several activities or reasons): join the texts,
    sorted, since solutions come in an order that differs between stores (a report's
    own in-memory graph and the published store must give the same row)."""
    for name in ("activity", "not_applicable_reason"):
        if other[name] and other[name] not in into[name].split(JOIN):
            into[name] = JOIN.join(sorted(p for p in (*into[name].split(JOIN), other[name]) if p))


def _order(row: TidyRow) -> tuple[str | int, ...]:
    # the report before the line: a report's rows stay together, so the corpus table can
    # be written report by report from per-report caches (see ``write_tidy_cached``).
    # The URIs after the line make the order total (each row's key is among them), so it
    # never depends on the order in which an engine gives solutions.
    line = int(row["source_line"]) if row["source_line"].isdigit() else 0
    return (
        *_report_key(row),
        line,
        row["target_uri"],
        row["unit_uri"],
        row["objective_uri"],
        row["indicator_uri"],
    )


def _report_key(row: TidyRow) -> tuple[str, str, str]:
    return (row["institution_name"], row["report_date"], row["report_uri"])


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


def _cell(column: Column, text: str) -> Any:
    """The XLSX cell value of one column's text (None: an empty cell)."""
    return _converter(column)(text) if text else None


def _written(sheet: Any, value: Any) -> Any:
    """What to append for ``value``: texts stay text. openpyxl would make "=…" a live
    formula and "#N/A" an error value: formula injection from a report's cell, and not what
    the report says."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _converter(column: Column) -> Callable[[str], str | int | float]:
    """How a column's non-empty texts become cell values."""
    if column.datatype == "decimal":
        return _decimal_cell
    if column.datatype == "integer":
        return int
    return _text_cell


def _decimal_cell(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def _text_cell(text: str) -> str:
    # XML 1.0 cannot hold most control characters; the CSV files keep them.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


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


# ------------------------------------------------------------- per-report rows, cached
# A build makes each report's rows once, in the worker that maps it (from the report's
# graph as the store will hold it), and keeps them, already written as CSV lines and as
# the sheet's XML rows, beside its N-Quads member. The corpus files are then written from
# those parts, in the table's order (CSV by concatenation, the XLSX sheet by numbering
# the rows into openpyxl's header-only workbook): the tidy step neither queries the whole
# store nor holds the table, and a rebuild renders only the reports it builds. Process
# levels are named from the ontology the worker maps with; the parent checks that the
# store names them the same way before it writes.


def tidy_cache_path(cache_dir: Path, sha256: str) -> Path:
    """The cached tidy rows of the report whose bytes hash to ``sha256``."""
    return cache_dir / f"{sha256}.tidy.pickle"


@cache
def ontology_levels() -> dict[str, str]:
    """Process level IRI -> Spanish name, as the build's ontology graph states them."""
    from publisher.mapping import ontology_graph  # the mapping pulls in rdflib's parsers

    native = ox.Store()
    native.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in ontology_graph())
    return {r["level"]: r["name"] for r in _select_native(native, LEVELS, {})}


def report_rows(nquads: bytes | Sequence[str]) -> list[TidyRow]:
    """The tidy rows of one report's graph (canonical N-Quads, as the store will hold it,
    as bytes or lines), sorted, process levels named by ``ontology_levels``: the rows
    ``tidy_rows`` reads from a store holding that graph, found without a query engine
    (see ``_ReportGraph``)."""
    try:
        graph = _ReportGraph(nquads)
    except UnicodeDecodeError as err:
        raise QueryError(f"a report's graph for its tidy rows is not UTF-8: {err}") from err
    solutions = (graph.target_solutions(), graph.not_applicable_solutions())
    return _merged(solutions, ontology_levels().get)


# ------------------------------------------------ one report's graph, without SPARQL
# Loading a report's N-Quads into pyoxigraph and running the two queries cost ~13 ms a
# report, as much as mapping it. The queries are fixed conjunctions with OPTIONALs over
# one small graph, so they are answered here over the graph's triples indexed by
# predicate: every solution SPARQL gives (all combinations of the values of each
# pattern; an OPTIONAL that matches nothing leaves its variable unbound), merged and
# sorted by the same code as the store's rows. tests/test_tidy.py checks both agree.
# Terms are kept as N-Quads text (``<iri>``, ``_:id``, ``"lexical"...``), which is
# one spelling per term in a canonical dump, so text equality is term equality; only
# the values the rows use are unescaped.


#: A term as N-Quads text: ``<iri>``, ``_:id`` or a literal.
Term = str


def _nq(iri: str) -> Term:
    return f"<{iri}>"


_TYPE = _nq(RDF.type)
_LABEL = _nq(RDFS.label)
_NOTATION = _nq(SKOS.notation)
_NOTE = _nq(SKOS.note)
_PUBLISHER = _nq(DCTERMS.publisher)
_ISSUED = _nq(DCTERMS.issued)
_PURPOSE = _nq(ORG.purpose)
_CLASSIFICATION = _nq(ORG.classification)
_HAS_TARGET = _nq(LOTAIP.hasTarget)
_HAS_INDICATOR = _nq(LOTAIP.hasIndicator)
_HAS_ACTIVITY = _nq(LOTAIP.hasActivity)
_REASON = _nq(LOTAIP.notApplicableReason)
_DUE = _nq(LOTAIP.dueDate)
_LINE = _nq(LOTAIP.sourceLine)
_UNIT_TEXT = _nq(LOTAIP.unitText)
_VALUE = _nq(QUDT.numericValue)
_QUDT_UNIT = _nq(QUDT.unit)
_REPORT = _nq(LOTAIP.Report)
_TARGET = _nq(LOTAIP.Target)
_ADMINISTRATIVE_UNIT = _nq(LOTAIP.AdministrativeUnit)
#: The predicates the two queries read; triples of any other are skipped.
_READ = (
    *(_TYPE, _LABEL, _NOTATION, _NOTE, _PUBLISHER, _ISSUED, _PURPOSE, _CLASSIFICATION),
    *(_HAS_TARGET, _HAS_INDICATOR, _HAS_ACTIVITY, _REASON, _DUE, _LINE, _UNIT_TEXT),
    *(_VALUE, _QUDT_UNIT),
)
#: N-Triples string escapes (``\uXXXX`` and ``\UXXXXXXXX`` are handled apart).
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPED = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")

Options = dict[str, list[str]]
#: Units (their IRIs) with the OPTIONALs on them and on the objective they serve.
Units = list[tuple[str, Options]]


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code:
        return chr(int(code, 16))
    return _ESCAPES.get(match.group(3), match.group(3))


def _value(term: Term) -> str:
    """A term's value as pyoxigraph gives it: an IRI without brackets, a literal's
    lexical form unescaped, a blank node's id."""
    if term[0] == "<":
        return term[1:-1]
    if term[0] == '"':
        lexical = term[1 : term.rindex('"')]
        return _ESCAPED.sub(_unescape, lexical) if "\\" in lexical else lexical
    return term[2:]


class _ReportGraph:
    """One report's named graph (its canonical N-Quads): triples by predicate, subject."""

    def __init__(self, nquads: bytes | Sequence[str]) -> None:
        """Read the N-Quads, as bytes or as lines (``MappedReport.lines``, which a worker
        has already split); an empty graph has no rows."""
        self.index: dict[Term, dict[Term, list[Term]]] = {p: {} for p in _READ}
        self._inverse: dict[Term, dict[Term, list[Term]]] = {}
        self._units: dict[Term, Units] = {}
        self._indicators: dict[Term, Options] = {}
        self.name = ""
        if not nquads:
            return
        first = nquads[: nquads.find(b"\n") + 1] if isinstance(nquads, bytes) else nquads[0]
        if isinstance(first, bytes):
            first = first.decode()
        if not first.endswith(" .\n"):
            raise QueryError("a report's graph for its tidy rows is not N-Quads")
        self.name = first[first.rfind(" <", 0, -3) + 1 : -3]  # the line's last term
        # every line ends with the graph's name: cut there, "s p o" is left
        end = f" {self.name} .\n"
        if isinstance(nquads, bytes):
            self._index_text(nquads.decode(), end)
        else:
            self._index_lines(nquads, end)

    def _index_text(self, text: str, end: str) -> None:
        parts = text.split(end)
        if parts.pop() or len(parts) != text.count("\n"):
            raise QueryError(f"the tidy rows' N-Quads are not all in the graph {self.name}")
        get = self.index.get
        for part in parts:
            subject, predicate, obj = part.split(" ", 2)
            table = get(predicate)
            if table is not None:
                table.setdefault(subject, []).append(obj)

    def _index_lines(self, lines: Sequence[str], end: str) -> None:
        cut = -len(end)
        get = self.index.get
        for line in lines:
            subject, predicate, rest = line.split(" ", 2)
            table = get(predicate)
            if table is not None:
                if not rest.endswith(end):  # only the lines read are checked
                    raise QueryError(f"the tidy rows' N-Quads are not all in {self.name}")
                table.setdefault(subject, []).append(rest[:cut])

    def objects(self, subject: Term, predicate: Term) -> list[Term]:
        """The objects of ``subject predicate ?o`` (terms)."""
        return self.index[predicate].get(subject, [])

    def subjects(self, predicate: Term, obj: Term) -> list[Term]:
        """The subjects of ``?s predicate obj`` (terms)."""
        inverse = self._inverse.get(predicate)
        if inverse is None:
            inverse = self._inverse[predicate] = {}
            for subject, objects in self.index[predicate].items():
                for term in objects:
                    inverse.setdefault(term, []).append(subject)
        return inverse.get(obj, [])

    def values(self, subject: Term, predicate: Term) -> list[str]:
        """The values of ``subject predicate ?o`` as strings."""
        terms = self.index[predicate].get(subject)
        if not terms:
            return []
        if len(terms) == 1:  # most are: no comprehension
            return [_value(terms[0])]
        return [_value(term) for term in terms]

    def typed(self, cls: Term) -> list[Term]:
        """The subjects of ``?s a cls``, in the graph's order."""
        return [s for s, types in self.index[_TYPE].items() if cls in types]

    def heads(self) -> Iterator[tuple[TextRow, Options]]:
        """``_HEAD``'s solutions: the report (the graph's name) and its publisher."""
        report = self.name
        if _REPORT not in self.objects(report, _TYPE):
            return
        for inst in self.objects(report, _PUBLISHER):
            fixed = {"report": _value(report), "inst": _value(inst)}
            yield (
                fixed,
                {"issued": self.values(report, _ISSUED), "iname": self.values(inst, _LABEL)},
            )

    def activities(self, thing: Term) -> list[str]:
        """``thing lotaip:hasActivity/rdfs:label ?activity``."""
        return [a for act in self.objects(thing, _HAS_ACTIVITY) for a in self.values(act, _LABEL)]

    def unit_options(self, unit: Term) -> Options:
        """``_UNIT``'s optional patterns."""
        return {
            "unumber": self.values(unit, _NOTATION),
            "uname": self.values(unit, _LABEL),
            "ulevel": self.values(unit, _CLASSIFICATION),
        }

    def target_solutions(self) -> Iterator[TextRow]:
        """The solutions of ``TARGETS`` (no filters)."""
        for head, head_options in self.heads():
            for target in self.typed(_TARGET):
                ttexts = self.values(target, _LABEL)
                branches = self.target_branches(target) if ttexts else []
                if not branches:
                    continue
                options = head_options | self.target_options(target)
                for ttext in ttexts:
                    fixed = {**head, "target": _value(target), "ttext": ttext}
                    for branch, units, branch_options in branches:
                        for unit, unit_options in units:
                            yield from _combinations(
                                {**fixed, **branch, "unit": unit},
                                options | branch_options | unit_options,
                            )

    def target_options(self, target: Term) -> Options:
        """The OPTIONAL patterns on ``?target``."""
        return {
            "value": self.values(target, _VALUE),
            "qunit": self.values(target, _QUDT_UNIT),
            "unitText": self.values(target, _UNIT_TEXT),
            "label": self.values(target, _NOTATION),
            "note": self.values(target, _NOTE),
            "tdue": self.values(target, _DUE),
            "line": self.values(target, _LINE),
        }

    def target_branches(self, target: Term) -> list[tuple[TextRow, Units, Options]]:
        """``TARGETS``' UNION: the target under its objective, or under an indicator;
        each with the units whose purpose the objective is (``?unit org:purpose``)."""
        branches = []
        for objective in self.subjects(_HAS_TARGET, target):
            units = self.units_of(objective)  # none when it is an indicator
            if units:
                options = {
                    "activity": self.activities(objective),
                    "reason": self.values(objective, _REASON),
                }
                branches.append(({"objective": _value(objective)}, units, options))
        for indicator in self.subjects(_HAS_TARGET, target):
            for objective in self.subjects(_HAS_INDICATOR, indicator):
                units = self.units_of(objective)
                if units:
                    fixed = {"indicator": _value(indicator), "objective": _value(objective)}
                    branches.append((fixed, units, self.indicator_options(indicator)))
        return branches

    def indicator_options(self, indicator: Term) -> Options:
        """The OPTIONAL patterns on ``?indicator`` in ``TARGETS`` (kept: its targets ask)."""
        options = self._indicators.get(indicator)
        if options is None:
            options = self._indicators[indicator] = {
                "itext": self.values(indicator, _LABEL),
                "idue": self.values(indicator, _DUE),
                "activity": self.activities(indicator),
                "reason": self.values(indicator, _REASON),
            }
        return options

    def units_of(self, objective: Term) -> Units:
        """The units whose purpose ``objective`` is, with the OPTIONALs on both (kept:
        an objective's targets all ask)."""
        units = self._units.get(objective)
        if units is None:
            otext = self.values(objective, _LABEL)
            units = self._units[objective] = [
                (_value(unit), {"otext": otext, **self.unit_options(unit)})
                for unit in self.subjects(_PURPOSE, objective)
            ]
        return units

    def not_applicable_solutions(self) -> Iterator[TextRow]:
        """The solutions of ``NOT_APPLICABLE`` (no filters)."""
        for head, head_options in self.heads():
            for unit, fixed, options in self.not_applicable_branches():
                yield from _combinations(
                    {**head, **fixed, "unit": _value(unit)},
                    head_options | options | self.unit_options(unit),
                )

    def not_applicable_branches(self) -> Iterator[tuple[Term, TextRow, Options]]:
        """``NOT_APPLICABLE``'s UNION: a unit's, objective's or indicator's statement, with
        the unit's term."""
        for unit in self.typed(_ADMINISTRATIVE_UNIT):
            for reason in self.values(unit, _REASON):
                yield unit, {"reason": reason}, {"line": self.values(unit, _LINE)}
        for unit, objectives in self.index[_PURPOSE].items():
            for objective in objectives:
                yield from self._objective_statements(unit, objective)

    def _objective_statements(
        self, unit: Term, objective: Term
    ) -> Iterator[tuple[Term, TextRow, Options]]:
        fixed = {"objective": _value(objective)}
        otext = self.values(objective, _LABEL)
        indicators = self.objects(objective, _HAS_INDICATOR)
        with_targets = self.objects(objective, _HAS_TARGET) or any(
            self.objects(i, _HAS_TARGET) for i in indicators
        )
        if not with_targets:  # the objective's FILTER NOT EXISTS
            options = {"line": self.values(objective, _LINE), "otext": otext}
            for reason in self.values(objective, _REASON):
                yield unit, {**fixed, "reason": reason}, options
        for indicator in indicators:
            if self.objects(indicator, _HAS_TARGET):  # the indicator's FILTER NOT EXISTS
                continue
            for reason in self.values(indicator, _REASON):
                options = {
                    "itext": self.values(indicator, _LABEL),
                    "line": self.values(indicator, _LINE),
                    "otext": otext,
                }
                yield unit, {**fixed, "indicator": _value(indicator), "reason": reason}, options


def _combinations(fixed: TextRow, options: Options) -> Iterator[TextRow]:
    """``fixed`` with every combination of the optional variables' values; a variable
    without values is left out (unbound), as an OPTIONAL that matches nothing."""
    if max(map(len, options.values()), default=0) < 2:  # one solution, the usual case
        yield fixed | {name: values[0] for name, values in options.items() if values}
        return
    names = list(options)
    for values in product(*(options[n] or (None,) for n in names)):
        row = dict(fixed)
        for name, value in zip(names, values, strict=True):
            if value is not None:
                row[name] = value
        yield row


def write_report_rows(cache_dir: Path, sha256: str, nquads: bytes | Sequence[str]) -> None:
    """Cache the report's tidy rows (``report_rows``): its sort key, its CSV lines, its
    sheet rows."""
    _write_cache(tidy_cache_path(cache_dir, sha256), report_rows(nquads))


def _write_cache(path: Path, rows: Sequence[TidyRow]) -> None:
    """One report's rows (sorted) as ``write_tidy_cached`` reads them back."""
    key = _report_key(rows[0]) if rows else ("", "", "")
    table = [[row[name] for name in NAMES] for row in rows]
    lines = "".join(map(_csv_line, table)).encode("utf-8")
    sheet_rows = _sheet_rows(table, lines)
    tmp = path.with_name(f".{path.name}.{time.monotonic_ns()}.tmp")
    try:
        # the key first, on its own: the order is found without reading the rows
        tmp.write_bytes(pickle.dumps(key, PICKLE) + pickle.dumps((lines, sheet_rows), PICKLE))
        tmp.replace(path)
    except OSError as err:
        raise StoreError(f"cannot cache the tidy rows of {path.name}: {err}") from err


def _csv_line(values: Sequence[str]) -> str:
    """One CSV record as ``write_csv`` writes it (the csv module's minimal quoting)."""
    line = ",".join(values)
    if '"' in line or "\n" in line or "\r" in line or line.count(",") >= len(values):
        line = ",".join([_csv_field(text) for text in values])  # some field is quoted
    return line + "\r\n"


def _csv_field(text: str) -> str:
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


# A cached sheet row is the ``<row>`` openpyxl's write-only mode writes for the row's
# cell values (``_cell``), with ``_ROW`` standing for its number, which is known only when
# the corpus sheet is put together (``_numbered``). openpyxl's cell writer took 97% of the
# tidy step (2.8 s for 200 reports), serially in the parent; this writes the same XML.
# tests/test_tidy.py holds the cell values and types openpyxl reads back to its own.

#: Stands for the row number in a cached sheet row: XML cannot hold it, so no cell does.
_ROW = "\x00"
_LETTERS = tuple(get_column_letter(i) for i in range(1, len(COLUMNS) + 1))
_CONVERT = tuple(_converter(column) for column in COLUMNS)
#: openpyxl's longest string; it cuts longer ones.
_MAX_TEXT = 32767


#: Bytes XML 1.0 cannot hold (``ILLEGAL_CHARACTERS_RE``; NUL is also ``_ROW``).
_ILLEGAL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NUMERIC = tuple(column.datatype in ("decimal", "integer") for column in COLUMNS)


def _sheet_rows(table: Sequence[Sequence[str]], csv_lines: bytes) -> list[str]:
    """Each table row's ``<row>``. When the report's texts (its CSV lines, checked at once)
    hold nothing to escape or drop, a row whose texts do not start or end awkwardly is
    filled into a template of its non-empty cells; the rest are written cell by cell."""
    markup = b"&" in csv_lines or b"<" in csv_lines or b">" in csv_lines
    clean = not markup and len(csv_lines.translate(None, _ILLEGAL_BYTES)) == len(csv_lines)
    return [
        _template_row(values) if clean and _plain_edges(values) else _sheet_row(values)
        for values in table
    ]


def _plain_edges(values: Sequence[str]) -> bool:
    """No text too long, none with spaces to preserve."""
    return (
        not any(text and (text[0].isspace() or text[-1].isspace()) for text in values)
        and max(map(len, values)) <= _MAX_TEXT
    )


def _template_row(values: Sequence[str]) -> str:
    """``_sheet_row`` for a row of plain texts: its texts and numbers put in a template."""
    template, numbers = _row_template(tuple(map(bool, values)))
    cells = [text for text in values if text]
    for at, column in numbers:
        cells[at] = f"{_CONVERT[column](values[column]):.16g}"
    return template % tuple(cells)


@cache
def _row_template(filled: tuple[bool, ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The ``<row>`` of a row whose non-empty cells are ``filled``, with ``%s`` for each
    cell's text or number; the numbers' places among the cells and their columns."""
    cells: list[str] = []
    numbers: list[tuple[int, int]] = []
    for column, letter in enumerate(_LETTERS):
        if not filled[column]:
            continue
        if _NUMERIC[column]:
            numbers.append((len(cells), column))
            cells.append(f'<c r="{letter}{_ROW}" t="n"><v>%s</v></c>')
        else:
            cells.append(f'<c r="{letter}{_ROW}" t="inlineStr"><is><t>%s</t></is></c>')
    return f'<row r="{_ROW}">{"".join(cells)}</row>', tuple(numbers)


def _sheet_row(values: Sequence[str]) -> str:
    """The ``<row>`` of one table row's texts, as openpyxl writes it (empty cells left out)."""
    cells = [
        _sheet_cell(letter, convert(text))
        for letter, convert, text in zip(_LETTERS, _CONVERT, values, strict=True)
        if text
    ]
    return f'<row r="{_ROW}">{"".join(cells)}</row>'


def _sheet_cell(letter: str, value: str | int | float) -> str:
    """One ``<c>``, as openpyxl's ``etree_write_cell`` writes the value it binds."""
    ref = f'r="{letter}{_ROW}"'
    if not isinstance(value, str):
        return f'<c {ref} t="n"><v>{value:.16g}</v></c>'  # openpyxl's %.16g
    text = value[:_MAX_TEXT]
    if not text:
        return f'<c {ref} t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c {ref} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'


def _xml_text(text: str) -> str:
    """``text`` escaped as ElementTree escapes element text."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _numbered(sheet_rows: Iterable[str], first: int) -> bytes:
    """Cached sheet rows numbered from ``first``."""
    rows = (row.replace(_ROW, str(n)) for n, row in enumerate(sheet_rows, first))
    return "".join(rows).encode("utf-8")


def _cached_key(path: Path) -> tuple[str, str, str]:
    with path.open("rb") as stream:
        key: tuple[str, str, str] = pickle.load(stream)
    return key


def _cached_parts(path: Path) -> tuple[bytes, list[str]]:
    """The report's CSV lines and sheet rows."""
    with path.open("rb") as stream:
        pickle.load(stream)  # the key
        parts: tuple[bytes, list[str]] = pickle.load(stream)
    return parts


def _in_order(cache_dir: Path, hashes: Iterable[str]) -> list[Path]:
    """The reports' cache files in the table's order (only their keys read)."""
    paths = (tidy_cache_path(cache_dir, sha256) for sha256 in hashes)
    return [path for _, path in sorted((_cached_key(path), path) for path in paths)]


def write_tidy_cached(
    store: Store, cache_dir: Path, hashes: Sequence[str], folder: Path
) -> list[Dump]:
    """Write the whole table as CSV (BOM and plain), XLSX and CSVW metadata into ``folder``
    from the per-report caches of the reports ``hashes`` names: the same rows as
    ``tidy_rows(store)``, one report's rows in memory at a time."""
    stated = {r["level"]: r["name"] for r in select_text(store, LEVELS, {})}
    if stated != ontology_levels():
        raise StoreError("the store names process levels unlike the ontology the rows used")
    try:
        paths = _in_order(cache_dir, hashes)
        folder.mkdir(parents=True, exist_ok=True)
        _write_tables(paths, folder)
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


def _write_tables(paths: Sequence[Path], folder: Path) -> None:
    """Both CSVs and the XLSX: openpyxl's header-only workbook, part by part, with the
    cached rows streamed into its sheets after their header row."""
    header = ",".join(NAMES).encode("utf-8") + b"\r\n"
    with (
        (folder / CSV_BOM).open("wb") as bom,
        (folder / CSV_PLAIN).open("wb") as plain,
        zipfile.ZipFile(folder / XLSX, "w", zipfile.ZIP_DEFLATED) as xlsx,
    ):
        bom.write(b"\xef\xbb\xbf" + header)
        plain.write(header)
        sheets = _SheetWriter(xlsx)
        try:
            for path in paths:
                lines, sheet_rows = _cached_parts(path)
                bom.write(lines)
                plain.write(lines)
                sheets.write(sheet_rows)
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
        part = template.getinfo(_sheet_part(self.count))
        sheet_xml = template.read(part)
        at = sheet_xml.rindex(b"</sheetData>")
        stream = self.xlsx.open(part, "w", force_zip64=True)
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
