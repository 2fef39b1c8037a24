"""Search and facets over the tidy table: an SQLite FTS5 index, as Datasette serves one.

The build writes ``search.sqlite`` beside the dumps of a version (``write_index``): one
row per row of the tidy table (a target, or a ``NO APLICA`` statement), with the columns
of ``tidy.COLUMNS`` plus what facets need (the unit's functions, the institution's
province and canton, the due year), and a full-text index over the names and texts,
tokenised by ``unicode61 remove_diacritics 2`` so that ``educacion`` finds
``Educación`` and ``GESTION`` finds ``gestión``. A store without a published folder (the
tests' in-memory one) gets the same index in memory, from the same rows (``memory_index``).

``Index.search`` answers one request of the browse page: the rows whose objective,
indicator or target mentions every word (prefixes too), narrowed by any facets; the
facet counts over those rows; and the matches grouped by kind (institutions and units by
their names, objectives, indicators and targets by their texts) with the words marked.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from markupsafe import Markup, escape

from publisher import downloads as tidy
from publisher.store.embedded import Store
from publisher.vocab import sparql_prefixes

#: File name of the index, in a version's folder (beside ``dumps/``).
INDEX = "search.sqlite"

#: Facets: request parameter -> (column holding the value, column holding its label).
FACETS: dict[str, tuple[str, str]] = {
    "institution": ("institution_uri", "institution_name"),
    "level": ("level_uri", "process_level"),
    "function": ("function_uri", "function_name"),
    "province": ("province_uri", "province_name"),
    "canton": ("canton_uri", "canton_name"),
    "measure": ("unit_of_measure", "unit_of_measure"),
    "year": ("due_year", "due_year"),
}
#: Kinds of match, in the order the page lists them: (kind, IRI column, text column).
KINDS = (
    ("institution", "institution_uri", "institution_name"),
    ("unit", "unit_uri", "unit_name"),
    ("objective", "objective_uri", "objective"),
    ("indicator", "indicator_uri", "indicator"),
    ("target", "target_uri", "target"),
)
#: Columns searched for rows (what a target row says), and for names (who says it).
ROW_TEXT = ("objective", "indicator", "target")
NAME_TEXT = ("institution_name", "unit_name")
_EXTRA = (
    "level_uri",
    "function_uri",
    "function_name",
    "province_uri",
    "province_name",
    "canton_uri",
    "canton_name",
    "due_year",
    "value_number",
)
_SCHEMA = f"""
CREATE TABLE rows (id INTEGER PRIMARY KEY, {", ".join(f"{c} TEXT" for c in tidy.NAMES)},
  {", ".join(f"{c} TEXT" for c in _EXTRA[:-1])}, value_number REAL);
CREATE VIRTUAL TABLE rows_fts USING fts5(
  {", ".join(NAME_TEXT + ROW_TEXT)}, content='rows', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2'
);
"""
#: Unit functions (lotaip:unitFunction, apart from the process level) and territories.
_FUNCTIONS = (
    sparql_prefixes()
    + """SELECT ?unit ?f ?label WHERE {
  ?unit lotaip:unitFunction ?f . ?f skos:prefLabel ?label
  FILTER(lang(?label) = "es")
}"""
)
_TERRITORIES = (
    sparql_prefixes()
    + """SELECT ?inst ?place ?placeLabel ?province ?provinceLabel ?isCanton WHERE {
  ?inst dct:spatial ?place . ?place skos:prefLabel ?placeLabel .
  BIND(EXISTS { ?place a lotaip:Canton } AS ?isCanton)
  OPTIONAL { ?place skos:broader ?province . ?province skos:prefLabel ?provinceLabel }
}"""
)
ROW_LIMIT = 100
KIND_LIMIT = 10
#: Rows whose marked texts are read to group the matches by kind (best ranked first).
GROUP_SCAN = 2000


@dataclass
class Hit:
    """One thing matching the words: its IRI and its text with the words marked."""

    iri: str
    html: Markup
    institution: str = ""


@dataclass
class Result:
    """What the browse page shows for one request."""

    total: int = 0
    rows: list[dict[str, str]] = field(default_factory=list)
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)


Functions = dict[str, list[tuple[str, str]]]
Places = dict[str, dict[str, dict[str, str]]]


def _enrichment(store: Store) -> tuple[dict[str, str], Functions, Places]:
    """Process level name -> IRI (the rows name levels); unit -> its functions (IRI,
    label); institution -> its province and canton."""
    levels = {r["name"]: r["level"] for r in tidy.select_text(store, tidy.LEVELS, {})}
    functions: Functions = {}
    for row in store.select(_FUNCTIONS):
        functions.setdefault(str(row["unit"]), []).append((str(row["f"]), str(row["label"])))
    places: Places = {}
    for row in store.select(_TERRITORIES):
        canton = str(row.get("isCanton")) in ("true", "1")
        place = {"uri": str(row["place"]), "name": str(row["placeLabel"])}
        found = places.setdefault(str(row["inst"]), {})
        if canton:
            found["canton"] = place
            if row.get("province") is not None:
                found["province"] = {
                    "uri": str(row["province"]),
                    "name": str(row["provinceLabel"]),
                }
        else:
            found["province"] = place
    return levels, functions, places


def _records(
    rows: Iterable[Mapping[str, str]], levels: dict[str, str], functions: Functions, places: Places
) -> Iterator[tuple[object, ...]]:
    """Each tidy row with its facet columns: one record per unit function (a unit with
    two functions counts under both; a unit with none, once, with no function)."""
    for number, row in enumerate(rows):
        place = places.get(row["institution_uri"], {})
        province = place.get("province", {})
        canton = place.get("canton", {})
        due = row["due_date"][:4] if row["due_date"][:4].isdigit() else ""
        value = float(Decimal(row["value"])) if row["value"] else None
        base = [row[name] for name in tidy.NAMES]
        level = levels.get(row["process_level"], "")
        for f_iri, f_name in functions.get(row["unit_uri"], [("", "")]):
            yield (
                number,
                *base,
                str(level),
                f_iri,
                f_name,
                province.get("uri", ""),
                province.get("name", ""),
                canton.get("uri", ""),
                canton.get("name", ""),
                due,
                value,
            )


def _fill(conn: sqlite3.Connection, store: Store, rows: Iterable[Mapping[str, str]]) -> None:
    fill_rows(conn, rows, *_enrichment(store))


def fill_rows(
    conn: sqlite3.Connection,
    rows: Iterable[Mapping[str, str]],
    levels: dict[str, str],
    functions: Functions,
    places: Places,
) -> None:
    """Fill an empty database with the index of tidy ``rows``, given what a store tells
    of them (``_enrichment``): level IRIs, unit functions and institution territories.
    The search benchmark calls it with synthetic rows at a national scale."""
    conn.executescript(_SCHEMA)
    columns = ("row_number", *tidy.NAMES, *_EXTRA)
    conn.execute("ALTER TABLE rows ADD COLUMN row_number INTEGER")
    marks = ", ".join("?" for _ in columns)
    conn.executemany(
        f"INSERT INTO rows ({', '.join(columns)}) VALUES ({marks})",
        _records(rows, levels, functions, places),
    )
    conn.execute("INSERT INTO rows_fts(rows_fts) VALUES ('rebuild')")
    for column, _ in FACETS.values():
        conn.execute(f"CREATE INDEX IF NOT EXISTS rows_{column} ON rows ({column})")
    conn.commit()


def write_index(store: Store, csv_path: Path, out: Path) -> None:
    """Write the index of the tidy table ``csv_path`` (plain UTF-8 CSV) to ``out``."""
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.unlink(missing_ok=True)
    with csv_path.open(encoding="utf-8", newline="") as stream:
        conn = sqlite3.connect(tmp)
        try:
            _fill(conn, store, csv.DictReader(stream))
        finally:
            conn.close()
    tmp.replace(out)


def memory_index(store: Store) -> Index:
    """The index of ``store``'s tidy table, in memory (a store with no published folder)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _fill(conn, store, tidy.tidy_rows(store, tidy.Filters()))
    return Index(conn)


def open_index(path: Path) -> Index:
    """The published index at ``path``, read-only."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    return Index(conn)


def match_expression(text: str, columns: tuple[str, ...]) -> str | None:
    """FTS5 query for every word of ``text`` as a prefix, within ``columns``: each word is
    quoted, so that what a reader types is never read as FTS syntax."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    if not words:
        return None
    terms = " ".join(f'"{w}"*' for w in words)
    return f"{{{' '.join(columns)}}} : ({terms})"


class Index:
    """An open search index; each call is one read (safe from several threads: SQLite
    serialises them on its one connection)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.conn.row_factory = sqlite3.Row

    @cached_property
    def _values(self) -> dict[str, set[str]]:
        return {
            name: {r[0] for r in self.conn.execute(f"SELECT DISTINCT {c} FROM rows")} - {""}
            for name, (c, _) in FACETS.items()
        }

    def facet_values(self, name: str) -> set[str]:
        """Every value facet ``name`` takes (to refuse unknown choices)."""
        return self._values[name]

    @cached_property
    def _overview(self) -> Result:
        return self.search("", {})

    def overview(self) -> Result:
        """The unfiltered table's counts and facets (read once: the index never changes)."""
        return self._overview

    def _where(
        self, text: str, chosen: Mapping[str, str], bounds: tuple[float | None, float | None]
    ) -> tuple[str, list[object]]:
        clauses: list[str] = ["1"]
        params: list[object] = []
        expression = match_expression(text, ROW_TEXT)
        if expression is not None:
            clauses.append("id IN (SELECT rowid FROM rows_fts WHERE rows_fts MATCH ?)")
            params.append(expression)
        for name, value in chosen.items():
            clauses.append(f"{FACETS[name][0]} = ?")
            params.append(value)
        low, high = bounds
        if low is not None:
            clauses.append("value_number >= ?")
            params.append(low)
        if high is not None:
            clauses.append("value_number <= ?")
            params.append(high)
        return " AND ".join(clauses), params

    def rows(
        self,
        text: str,
        chosen: Mapping[str, str],
        bounds: tuple[float | None, float | None] = (None, None),
        limit: int | None = None,
    ) -> list[dict[str, str]]:
        """The tidy rows matching, in the table's order (one per row, whatever its
        functions), at most ``limit``."""
        where, params = self._where(text, chosen, bounds)
        query = (
            f"SELECT {', '.join(tidy.NAMES)} FROM rows WHERE id IN "
            f"(SELECT MIN(id) FROM rows WHERE {where} GROUP BY row_number) ORDER BY row_number"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [dict(r) for r in self.conn.execute(query, params)]

    def search(
        self,
        text: str,
        chosen: Mapping[str, str],
        bounds: tuple[float | None, float | None] = (None, None),
    ) -> Result:
        """Rows, facet counts and the matches grouped by kind, for one request."""
        where, params = self._where(text, chosen, bounds)
        result = Result()
        count = f"SELECT COUNT(DISTINCT row_number) FROM rows WHERE {where}"
        result.total = self.conn.execute(count, params).fetchone()[0]
        result.rows = self.rows(text, chosen, bounds, ROW_LIMIT)
        for name, (column, label) in FACETS.items():
            query = (
                f"SELECT {column}, MIN({label}), COUNT(DISTINCT row_number) AS n FROM rows "
                f"WHERE {where} AND {column} != '' GROUP BY {column} ORDER BY n DESC, 2"
            )
            result.facets[name] = [tuple(r) for r in self.conn.execute(query, params)]
        if match_expression(text, ROW_TEXT) is not None:
            result.groups = self._groups(text, where, params)
        return result

    def _groups(self, text: str, where: str, params: list[object]) -> dict[str, list[Hit]]:
        """Matches by kind: names from a search of the names, texts from the rows."""
        groups: dict[str, list[Hit]] = {kind: [] for kind, _, _ in KINDS}
        seen: set[str] = set()
        for columns in (NAME_TEXT, ROW_TEXT):
            expression = match_expression(text, columns)
            marks = ", ".join(
                f"highlight(rows_fts, {(NAME_TEXT + ROW_TEXT).index(c)}, char(2), char(3))"
                for _, _, c in KINDS
            )
            query = (
                f"SELECT {', '.join(iri for _, iri, _ in KINDS)}, {marks} FROM rows_fts "
                f"JOIN rows ON rows.id = rows_fts.rowid WHERE rows_fts MATCH ? AND {where} "
                f"ORDER BY rank LIMIT {GROUP_SCAN}"
            )
            for row in self.conn.execute(query, [expression, *params]):
                for i, (kind, _, _) in enumerate(KINDS):
                    iri, marked = row[i], row[len(KINDS) + i]
                    if not iri or "\x02" not in (marked or "") or iri in seen:
                        continue
                    if len(groups[kind]) < KIND_LIMIT:
                        groups[kind].append(Hit(iri, _marked_html(marked), row[0]))
                        seen.add(iri)
        return {kind: hits for kind, hits in groups.items() if hits}


def _marked_html(marked: str) -> Markup:
    """Text with FTS5's marks (\\x02 … \\x03) as ``<mark>``, everything else escaped."""
    escaped = str(escape(marked))
    return Markup(escaped.replace("\x02", "<mark>").replace("\x03", "</mark>"))
