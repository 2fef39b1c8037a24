"""Search and facets over the tidy table: an SQLite FTS5 index, as Datasette serves one.

The build writes ``search.sqlite`` beside the dumps of a version (``write_index``): one
row per row of the tidy table (a target, or a ``NO APLICA`` statement), with the columns
of ``tidy.COLUMNS`` plus what facets need (the unit's functions, the institution's
province and canton, the due year), and full-text indexes over the distinct names and
texts of each searched column, tokenised by ``unicode61 remove_diacritics 2`` so that
``educacion`` finds ``Educación`` and ``GESTION`` finds ``gestión``. A store without a
published folder (the tests' in-memory one) gets the same index in memory, from the same
rows (``memory_index``).

``Index.search`` answers one request of the browse page: the rows whose objective,
indicator or target mentions every word (prefixes too), narrowed by any facets; the
facet counts over those rows; and the matches grouped by kind (institutions and units by
their names, objectives, indicators and targets by their texts, in table order) with
the words marked. It answers exactly what one SQL query over an FTS5 index of every row
answered (``tests/test_search_index.py`` holds that query and compares), in milliseconds
rather than seconds at a national scale (docs/performance.md).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
from markupsafe import Markup, escape

from publisher import downloads as tidy
from publisher.downloads import corpus
from publisher.downloads.corpus import Functions, Places
from publisher.store.embedded import Store

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
#: Version of the index's layout (``PRAGMA user_version``): an index written by an older
#: build is not read (the site makes one in memory from the store instead).
FORMAT = 3  # 3: the corpus columns (institution id, DPA code, unit function)
_TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"
#: One table of distinct texts, and its full-text index, per searched column.
_TEXT_TABLES = "".join(
    f"""CREATE TABLE text_{c} (id INTEGER PRIMARY KEY, text TEXT);
CREATE VIRTUAL TABLE text_{c}_fts USING fts5(
  text, content='text_{c}', content_rowid='id', {_TOKENIZE}
);
"""
    for c in NAME_TEXT + ROW_TEXT
)
_SCHEMA = f"""
CREATE TABLE rows (id INTEGER PRIMARY KEY, {", ".join(f"{c} TEXT" for c in tidy.NAMES)},
  {", ".join(f"{c} TEXT" for c in _EXTRA[:-1])}, value_number REAL, row_number INTEGER);
{_TEXT_TABLES}
CREATE TABLE facet_codes (facet TEXT, code INTEGER, value TEXT, label TEXT,
  PRIMARY KEY (facet, code));
CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT, data BLOB);
PRAGMA user_version = {FORMAT};
"""
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
        for f_iri, f_name in corpus.unit_functions(functions.get(row["unit_uri"])):
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


#: Where each column of a record (``_records``) sits.
_AT = {name: i for i, name in enumerate(("row_number", *tidy.NAMES, *_EXTRA))}


def _fill(
    conn: sqlite3.Connection, found: corpus.Enrichment, rows: Iterable[Mapping[str, str]]
) -> None:
    fill_rows(conn, rows, found.levels, found.functions, found.places)


def fill_rows(
    conn: sqlite3.Connection,
    rows: Iterable[Mapping[str, str]],
    levels: dict[str, str],
    functions: Functions,
    places: Places,
) -> None:
    """Fill an empty database with the index of tidy ``rows``, given what a store tells
    of them (``corpus.enrichment``): level IRIs, unit functions and institution territories.
    The search benchmark calls it with synthetic rows at a national scale.

    Many rows say the same thing (a unit's objective is on every one of its targets, and
    month after month; a target's text recurs across units), so each searched column has
    its own full-text index of its distinct texts, and a record holds the number of its
    text in each. Beside the table, arrays of one number per record (those text numbers,
    the row number, the value, a code per facet value) let a search narrow and count in
    memory, in one pass, what SQL did with a query per facet over every matching row."""
    conn.executescript(_SCHEMA)
    texts: dict[str, dict[str, int]] = {c: {} for c in NAME_TEXT + ROW_TEXT}
    codes: dict[str, dict[tuple[str, str], int]] = {name: {} for name in FACETS}
    numbers: dict[str, list[int]] = {c: [] for c in ("row_number", *texts)}
    facet_codes: dict[str, list[int]] = {name: [] for name in FACETS}
    values: list[float] = []

    def records() -> Iterator[tuple[object, ...]]:
        for i, record in enumerate(_records(rows, levels, functions, places)):
            numbers["row_number"].append(int(record[0]))  # type: ignore[call-overload]
            for column, found in texts.items():
                text = str(record[_AT[column]])
                numbers[column].append(found.setdefault(text, len(found) + 1))
            for facet, (column, label) in FACETS.items():
                key = (str(record[_AT[column]]), str(record[_AT[label]]))
                facet_codes[facet].append(codes[facet].setdefault(key, len(codes[facet])))
            value = record[_AT["value_number"]]
            values.append(float("nan") if value is None else float(value))  # type: ignore[arg-type]
            yield (i + 1, *record)

    order = ("id", "row_number", *tidy.NAMES, *_EXTRA)
    marks = ", ".join("?" for _ in order)
    conn.executemany(f"INSERT INTO rows ({', '.join(order)}) VALUES ({marks})", records())
    for column, found in texts.items():
        conn.executemany(
            f"INSERT INTO text_{column} (id, text) VALUES (?, ?)",
            ((i, text) for text, i in found.items()),
        )
        conn.execute(f"INSERT INTO text_{column}_fts(text_{column}_fts) VALUES ('rebuild')")
    conn.executemany(
        "INSERT INTO facet_codes VALUES (?, ?, ?, ?)",
        ((f, code, v, label) for f, found2 in codes.items() for (v, label), code in found2.items()),
    )
    arrays = {f"id:{c}": np.array(found3, dtype=np.int32) for c, found3 in numbers.items()}
    arrays |= {f"facet:{f}": np.array(found4, dtype=np.int32) for f, found4 in facet_codes.items()}
    arrays["value_number"] = np.array(values, dtype=np.float64)
    conn.executemany(
        "INSERT INTO arrays VALUES (?, ?, ?)",
        ((name, array.dtype.str, array.tobytes()) for name, array in arrays.items()),
    )
    conn.commit()


def write_index(found: corpus.Enrichment, csv_path: Path, out: Path) -> None:
    """Write the index of the tidy table ``csv_path`` (plain UTF-8 CSV) to ``out``, given
    what the store tells of its rows (``corpus.enrichment``)."""
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.unlink(missing_ok=True)
    with csv_path.open(encoding="utf-8", newline="") as stream:
        conn = sqlite3.connect(tmp)
        try:
            _fill(conn, found, csv.DictReader(stream))
        finally:
            conn.close()
    tmp.replace(out)


def memory_index(store: Store) -> Index:
    """The index of ``store``'s tidy table, in memory (a store with no published folder)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    found = corpus.enrichment(store)
    _fill(conn, found, corpus.tidy_rows(store, tidy.Filters(), found))
    return Index(conn)


class OutdatedIndex(Exception):
    """An index file written in an older layout than ``FORMAT`` (by an older build)."""


def open_index(path: Path) -> Index:
    """The published index at ``path``, read-only; ``OutdatedIndex`` for an index an older
    build wrote."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found != FORMAT:
        conn.close()
        raise OutdatedIndex(f"{path}: search index format {found}, this version reads {FORMAT}")
    return Index(conn)


def _words(text: str) -> list[str]:
    """The words of what a reader typed: runs of letters and digits, nothing else (so
    that it is never read as FTS syntax)."""
    return "".join(c if c.isalnum() else " " for c in text).split()


def _phrase(word: str) -> str:
    """FTS5 query for texts with ``word`` as a prefix of one of their words."""
    return f'"{word}"*'


def match_expression(text: str, columns: tuple[str, ...]) -> str | None:
    """FTS5 query for every word of ``text`` as a prefix, within ``columns``: each word is
    quoted, so that what a reader types is never read as FTS syntax. (The index answers
    it column by column, word by word: ``Index._having``.)"""
    words = _words(text)
    if not words:
        return None
    terms = " ".join(_phrase(w) for w in words)
    return f"{{{' '.join(columns)}}} : ({terms})"


class Index:
    """An open search index; each call is one read (safe from several threads: SQLite
    serialises them on its one connection, and the arrays are only read)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.conn.row_factory = sqlite3.Row
        self._arrays = {
            str(r[0]): np.frombuffer(r[2], dtype=np.dtype(r[1]))
            for r in conn.execute("SELECT name, dtype, data FROM arrays")
        }
        #: Per facet: code -> (value, label), as lists indexed by code.
        self._codes: dict[str, list[tuple[str, str]]] = {name: [] for name in FACETS}
        for r in conn.execute("SELECT facet, code, value, label FROM facet_codes ORDER BY 1, 2"):
            self._codes[r[0]].append((r[2], r[3]))
        self._sizes: dict[str, int] = {}

    @cached_property
    def _values(self) -> dict[str, set[str]]:
        return {name: {v for v, _ in codes} - {""} for name, codes in self._codes.items()}

    def facet_values(self, name: str) -> set[str]:
        """Every value facet ``name`` takes (to refuse unknown choices)."""
        return self._values[name]

    @cached_property
    def _overview(self) -> Result:
        return self.search("", {})

    def overview(self) -> Result:
        """The unfiltered table's counts and facets (read once: the index never changes)."""
        return self._overview

    def _matching(self, column: str, word: str) -> npt.NDArray[np.bool_]:
        """Which texts of ``column`` have ``word`` (as a prefix), as a mask by text id."""
        table = f"text_{column}"
        if column not in self._sizes:
            query = f"SELECT COALESCE(MAX(id), 0) FROM {table}"
            self._sizes[column] = self.conn.execute(query).fetchone()[0]
        mask = np.zeros(self._sizes[column] + 1, dtype=bool)
        query = f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?"
        found = [r[0] for r in self.conn.execute(query, (_phrase(word),))]
        mask[np.array(found, dtype=np.int64)] = True
        return mask

    def _having(
        self, words: list[str], columns: tuple[str, ...], among: npt.NDArray[np.intp] | None
    ) -> npt.NDArray[np.bool_]:
        """Which records (``among`` them, or all) have every word in one of ``columns``:
        what FTS5's ``{columns} : ("w1"* "w2"*)`` says of a row, word by word."""
        keep: npt.NDArray[np.bool_] | None = None
        for word in words:
            has: npt.NDArray[np.bool_] | None = None
            for column in columns:
                ids = self._arrays[f"id:{column}"]
                found = self._matching(column, word)[ids if among is None else ids[among]]
                has = found if has is None else has | found
            assert has is not None
            keep = has if keep is None else keep & has
        assert keep is not None
        return keep

    def _records(
        self, text: str, chosen: Mapping[str, str], bounds: tuple[float | None, float | None]
    ) -> npt.NDArray[np.intp]:
        """Positions of the records matching (in table order): the words in the row's
        texts, every chosen facet value, the value within the bounds."""
        arrays = self._arrays
        keep = np.ones(len(arrays["id:row_number"]), dtype=bool)
        words = _words(text)
        if words:
            keep &= self._having(words, ROW_TEXT, None)
        for name, value in chosen.items():
            allowed = np.array([v == value for v, _ in self._codes[name]], dtype=bool)
            keep &= allowed[arrays[f"facet:{name}"]]
        low, high = bounds
        if low is not None:
            keep &= arrays["value_number"] >= low
        if high is not None:
            keep &= arrays["value_number"] <= high
        return np.flatnonzero(keep)

    def _firsts(self, found: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
        """The first of ``found`` for each row (a row has one record per unit function,
        side by side)."""
        numbers = self._arrays["id:row_number"][found]
        first = np.ones(len(found), dtype=bool)
        first[1:] = numbers[1:] != numbers[:-1]
        return found[first]

    def _fetch(self, positions: Iterable[int], columns: str) -> Iterator[sqlite3.Row]:
        """Records at ``positions`` (ids are positions + 1), in table order."""
        ids = json.dumps([int(p) + 1 for p in positions])
        return self.conn.execute(
            f"SELECT {columns} FROM rows WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (ids,),
        )

    def rows(
        self,
        text: str,
        chosen: Mapping[str, str],
        bounds: tuple[float | None, float | None] = (None, None),
        limit: int | None = None,
    ) -> list[dict[str, str]]:
        """The tidy rows matching, in the table's order (one per row, whatever its
        functions), at most ``limit``."""
        firsts = self._firsts(self._records(text, chosen, bounds))
        if limit is not None:
            firsts = firsts[: int(limit)]
        return [dict(r) for r in self._fetch(firsts, ", ".join(tidy.NAMES))]

    def search(
        self,
        text: str,
        chosen: Mapping[str, str],
        bounds: tuple[float | None, float | None] = (None, None),
    ) -> Result:
        """Rows, facet counts and the matches grouped by kind, for one request."""
        found = self._records(text, chosen, bounds)
        firsts = self._firsts(found)
        result = Result(total=len(firsts))
        result.rows = [dict(r) for r in self._fetch(firsts[:ROW_LIMIT], ", ".join(tidy.NAMES))]
        for name in FACETS:
            # A row has one value of each facet but the function (one per record, each
            # function once): count rows over their first records, or over every record.
            over = found if name == "function" else firsts
            result.facets[name] = self._counts(name, over)
        if _words(text):
            result.groups = self._groups(_words(text), found)
        return result

    def _counts(self, name: str, over: npt.NDArray[np.intp]) -> list[tuple[str, str, int]]:
        """Facet ``name``'s values among the records ``over``: (value, label, rows), most
        rows first, then by label (the smallest label a value has among them)."""
        codes = self._codes[name]
        counts = np.bincount(self._arrays[f"facet:{name}"][over], minlength=len(codes))
        merged: dict[str, tuple[str, int]] = {}
        for code in np.flatnonzero(counts):
            value, label = codes[code]
            if value:
                held = merged.get(value)
                n = int(counts[code])
                merged[value] = (label, n) if held is None else (min(held[0], label), held[1] + n)
        ordered = sorted(merged.items(), key=lambda item: (-item[1][1], item[1][0], item[0]))
        return [(value, label, n) for value, (label, n) in ordered]

    def _groups(self, words: list[str], found: npt.NDArray[np.intp]) -> dict[str, list[Hit]]:
        """Matches by kind, in table order: institutions and units whose names have the
        words (among the rows matching), then objectives, indicators and targets whose
        texts do; at most ``KIND_LIMIT`` each, reading at most ``GROUP_SCAN`` records a
        pass, each text marked once."""
        groups: dict[str, list[Hit]] = {kind: [] for kind, _, _ in KINDS}
        seen: set[str] = set()
        named = found[self._having(words, NAME_TEXT, found)]
        marked: dict[tuple[str, int], str] = {}
        for columns, candidates in ((NAME_TEXT, named), (ROW_TEXT, found)):
            kinds = [(kind, iri, c) for kind, iri, c in KINDS if c in columns]
            # A text is marked when it has one of the words (FTS5 marks every instance).
            has = {c: np.logical_or.reduce([self._matching(c, w) for w in words]) for c in columns}
            candidates = candidates[:GROUP_SCAN]
            for start in range(0, len(candidates), _CHUNK):
                chunk = candidates[start : start + _CHUNK]
                for at in chunk:
                    for kind, iri_column, column in kinds:
                        if len(groups[kind]) >= KIND_LIMIT:
                            continue
                        text_id = int(self._arrays[f"id:{column}"][at])
                        if not has[column][text_id]:
                            continue
                        iri, institution = self._iris(int(at), iri_column)
                        if not iri or iri in seen:
                            continue
                        key = (column, text_id)
                        if key not in marked:
                            marked[key] = self._marked(column, words, text_id)
                        groups[kind].append(Hit(iri, _marked_html(marked[key]), institution))
                        seen.add(iri)
                if all(len(groups[kind]) >= KIND_LIMIT for kind, _, _ in kinds):
                    break
        return {kind: hits for kind, hits in groups.items() if hits}

    def _iris(self, at: int, column: str) -> tuple[str, str]:
        """The IRI in ``column`` of the record at ``at``, and its institution's."""
        query = f"SELECT {column}, institution_uri FROM rows WHERE id = ?"
        row = self.conn.execute(query, (at + 1,)).fetchone()
        return str(row[0] or ""), str(row[1])

    def _marked(self, column: str, words: list[str], text_id: int) -> str:
        """Text ``text_id`` of ``column`` with every instance of the words marked by
        FTS5 (\\x02 … \\x03)."""
        table = f"text_{column}"
        query = (
            f"SELECT highlight({table}_fts, 0, char(2), char(3)) FROM {table}_fts "
            f"WHERE {table}_fts MATCH ? AND rowid = ?"
        )
        expression = " OR ".join(_phrase(w) for w in words)
        return str(self.conn.execute(query, (expression, text_id)).fetchone()[0] or "")


#: Records read at a time when grouping the matches.
_CHUNK = 200


def _marked_html(marked: str) -> Markup:
    """Text with FTS5's marks (\\x02 … \\x03) as ``<mark>``, everything else escaped."""
    escaped = str(escape(marked))
    return Markup(escaped.replace("\x02", "<mark>").replace("\x03", "</mark>"))
