"""The tidy table: its columns, the SPARQL queries that give its rows, the rows of a store.

Takes a ``Store`` (and ``Filters``, for the site's filtered downloads); gives the table
as ``TidyRow``s (column name -> text, every value a string), one per target and one per
``NO APLICA`` statement standing in place of targets: the columns a report's own graph
gives (``REPORT_NAMES``; ``corpus.py`` adds the ``CORPUS_NAMES`` after them). The two
queries' solutions, however found (``report_table_rows`` asks the store; ``report.py``
answers them over one report's N-Quads), become rows here: one row per key, several
activities or reasons joined (``_merged``), sorted by institution name, report date,
report IRI, source line and the IRIs (``_order``). ``COLUMNS`` is the one description of
the table: the CSV header, the XLSX header and the CSVW metadata are all made from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from publisher.store.embedded import OxigraphStore, Store, TextRow
from publisher.vocab import sparql_prefixes

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
    #: filled from the corpus graphs when the table is written (``corpus.py``), not from
    #: the report's own graph; these columns come last
    corpus: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("institution_name", "Institución", "Institution", "string", "Publishing institution"),
    Column("report_date", "Fecha del informe", "Report date", "date", "Date the report states"),
    Column("process_level", "Nivel de proceso", "Process level", "string", "Unit's process level"),
    Column(
        "unit_number",
        "No.",
        "Unit number",
        "string",
        # pandas and spreadsheets guess numbers; "01" or "1.10" must stay as printed
        'Unit number as printed: text, not a number (pandas: dtype={"unit_number": str})',
    ),
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
    # what the corpus graphs (links, reference) tell of the row's institution and unit
    Column(
        "institution_id",
        "Id. institución",
        "Institution id",
        "string",
        "Registry id of the institution: the last segment of its URI",
        corpus=True,
    ),
    Column(
        "territory_dpa_code",
        "Código DPA del territorio",
        "Territory DPA code",
        "string",
        # like unit_number: "01" (Azuay) must not become 1
        "INEC DPA code of the territory the institution governs (2 digits: province,"
        ' 4: canton, 6: parish), text (pandas: dtype={"territory_dpa_code": str});'
        " empty when the institution is not surely matched to a territory",
        corpus=True,
    ),
    Column(
        "unit_function",
        "Función de la unidad",
        "Unit function",
        "string",
        "Function(s) of the unit, apart from its process level, as the links graph"
        " classifies it (| joins several); empty when no rule fits",
        corpus=True,
    ),
)
NAMES = tuple(c.name for c in COLUMNS)
#: The columns a report's own graph gives (``report.py`` caches them) ...
REPORT_NAMES = tuple(c.name for c in COLUMNS if not c.corpus)
#: ... and those the corpus graphs give, after them (``corpus.py``).
CORPUS_NAMES = tuple(c.name for c in COLUMNS if c.corpus)
assert NAMES == REPORT_NAMES + CORPUS_NAMES, "the corpus columns come last"

TidyRow = dict[str, str]

_P = sparql_prefixes()

# Both queries project their filter parameters (?institution ?level ?year ?text ?report)
# so that pyoxigraph can bind them (see web/queries.py); the filters are fixed fragments
# picked by name in ``FILTERS``, their values always bound, never pasted.
_HEAD = """SELECT ?institution ?level ?year ?text ?informe ?min ?max ?current
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
    + """    ?target a lotaip:Target ; lotaip:targetText ?ttext .
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
    # the default graph is the current state: it states only each institution's current
    # report (an older report is in its own graph and the history graph only)
    "current": "FILTER(!?current || EXISTS { ?report a lotaip:Report })",
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
    #: only each institution's current report (the default graph's); a report asked for
    #: by name is given whatever its month
    current: bool = True

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
            "current": Literal(True) if self.current and self.report is None else None,
        }
        return {k: v for k, v in values.items() if v is not None}


def _query(template: str, names: Iterable[str]) -> str:
    return template % "\n  ".join(FILTERS[n] for n in names)


def report_table_rows(store: Store, filters: Filters | None = None) -> list[TidyRow]:
    """The report columns of the tidy table of ``store`` (``REPORT_NAMES``): targets and
    NO APLICA statements, in reading order (institution, report date, report, source
    line); by default of the current state (``Filters.current``). ``corpus.tidy_rows``
    adds the corpus columns."""
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


def select_text(store: Store, query: str, bindings: Mapping[str, Identifier]) -> list[TextRow]:
    """A SELECT whose values are wanted as plain strings (lexical forms, IRIs): the
    store's own ``select_text`` (the embedded store reads pyoxigraph's terms directly)."""
    return store.select_text(query, bindings)


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


@cache
def ontology_levels() -> dict[str, str]:
    """Process level IRI -> Spanish name, as the build's ontology graph states them."""
    from publisher.mapping.rdf import ontology_graph  # the mapping pulls in rdflib's parsers

    store = OxigraphStore()
    store.replace_graph(URIRef("urn:lotaip:ontology"), ontology_graph())
    return {r["level"]: r["name"] for r in store.select_text(LEVELS, {})}
