"""The search index answers exactly what SQL over an FTS5 index of every row answered.

``publisher.downloads.search`` once kept one FTS5 row per record and asked SQL for the
total, the rows, each facet's counts and the grouped matches; at a national scale that
took seconds (docs/performance.md). It now searches distinct texts column by column and
counts facets over arrays. ``Reference`` below is that SQL, kept word for word apart
from two orders the old one left to chance or to bm25: facet ties (same count, same
label) by value, and grouped matches in table order, as the index now lists them. Every
request below must give the same total, rows, facets and groups from both, over
synthetic reports (the search benchmark's) with the awkward cases added: an institution
renamed from one month to the next, a function with two Spanish labels, units with no
function, rows with no value.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from publisher import downloads as tidy
from publisher.downloads import search

ROOT = Path(__file__).resolve().parent.parent
_OLD_SCHEMA = f"""
CREATE TABLE rows (id INTEGER PRIMARY KEY, {", ".join(f"{c} TEXT" for c in tidy.NAMES)},
  {", ".join(f"{c} TEXT" for c in search._EXTRA[:-1])}, value_number REAL,
  row_number INTEGER);
CREATE VIRTUAL TABLE rows_fts USING fts5(
  {", ".join(search.NAME_TEXT + search.ROW_TEXT)}, content='rows', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2'
);
"""


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_search", ROOT / "benchmarks/bench_search.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Reference:
    """The former ``Index``: one SQL query per answer over an FTS5 row per record."""

    def __init__(self, corpus: Any) -> None:
        rows, levels, functions, places = corpus
        self.conn = sqlite3.connect(":memory:")
        self.conn.executescript(_OLD_SCHEMA)
        columns = ("row_number", *tidy.NAMES, *search._EXTRA)
        self.conn.executemany(
            f"INSERT INTO rows ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            search._records(rows, levels, functions, places),
        )
        self.conn.execute("INSERT INTO rows_fts(rows_fts) VALUES ('rebuild')")

    def where(self, text: str, chosen: Mapping[str, str], bounds: Any) -> tuple[str, list[Any]]:
        clauses, params = ["1"], []
        expression = search.match_expression(text, search.ROW_TEXT)
        if expression is not None:
            clauses.append("id IN (SELECT rowid FROM rows_fts WHERE rows_fts MATCH ?)")
            params.append(expression)
        for name, value in chosen.items():
            clauses.append(f"{search.FACETS[name][0]} = ?")
            params.append(value)
        low, high = bounds
        if low is not None:
            clauses.append("value_number >= ?")
            params.append(low)
        if high is not None:
            clauses.append("value_number <= ?")
            params.append(high)
        return " AND ".join(clauses), params

    def rows(self, text: str, chosen: Mapping[str, str], bounds: Any, limit: int | None) -> list:
        where, params = self.where(text, chosen, bounds)
        query = (
            f"SELECT {', '.join(tidy.NAMES)} FROM rows WHERE id IN "
            f"(SELECT MIN(id) FROM rows WHERE {where} GROUP BY row_number) ORDER BY row_number"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [dict(zip(tidy.NAMES, r, strict=True)) for r in self.conn.execute(query, params)]

    def search(self, text: str, chosen: Mapping[str, str], bounds: Any) -> dict[str, Any]:
        where, params = self.where(text, chosen, bounds)
        count = f"SELECT COUNT(DISTINCT row_number) FROM rows WHERE {where}"
        answer: dict[str, Any] = {"total": self.conn.execute(count, params).fetchone()[0]}
        answer["rows"] = self.rows(text, chosen, bounds, search.ROW_LIMIT)
        answer["facets"] = {}
        for name, (column, label) in search.FACETS.items():
            query = (
                f"SELECT {column}, MIN({label}), COUNT(DISTINCT row_number) AS n FROM rows "
                f"WHERE {where} AND {column} != '' GROUP BY {column} ORDER BY n DESC, 2, 1"
            )
            answer["facets"][name] = [tuple(r) for r in self.conn.execute(query, params)]
        answer["groups"] = {}
        if expression := search.match_expression(text, search.ROW_TEXT):
            answer["groups"] = self.groups(text, where, params)
        del expression
        return answer

    def groups(self, text: str, where: str, params: list[Any]) -> dict[str, list]:
        kinds = search.KINDS
        groups: dict[str, list] = {kind: [] for kind, _, _ in kinds}
        seen: set[str] = set()
        every = search.NAME_TEXT + search.ROW_TEXT
        for columns in (search.NAME_TEXT, search.ROW_TEXT):
            expression = search.match_expression(text, columns)
            marks = ", ".join(
                f"highlight(rows_fts, {every.index(c)}, char(2), char(3))" for _, _, c in kinds
            )
            query = (
                f"SELECT {', '.join(iri for _, iri, _ in kinds)}, {marks} FROM rows_fts "
                f"JOIN rows ON rows.id = rows_fts.rowid WHERE rows_fts MATCH ? AND {where} "
                f"ORDER BY rows.id LIMIT {search.GROUP_SCAN}"
            )
            for row in self.conn.execute(query, [expression, *params]):
                for i, (kind, _, _) in enumerate(kinds):
                    iri, marked = row[i], row[len(kinds) + i]
                    if not iri or "\x02" not in (marked or "") or iri in seen:
                        continue
                    if len(groups[kind]) < search.KIND_LIMIT:
                        groups[kind].append((iri, str(search._marked_html(marked)), row[0]))
                        seen.add(iri)
        return {kind: hits for kind, hits in groups.items() if hits}


@pytest.fixture(scope="module")
def pair() -> tuple[search.Index, Reference, Any]:
    bench = _bench()
    bench.INSTITUTIONS = 12  # each institution reports several months
    rows, levels, functions, places = bench.corpus(60)
    for row in rows:  # renamed in its fourth month
        if row["institution_uri"].endswith("/i0003") and row["report_uri"].endswith("-04"):
            row["institution_name"] = "Instituto Tres de Gestión Renombrado"
    units = sorted(functions)
    functions[units[0]] = [
        (f"{bench.BASE}funcion/obras", "obras"),
        (f"{bench.BASE}funcion/obras", "Obras públicas"),
    ]
    for unit in units[5:40:3]:
        del functions[unit]
    for row in rows[::7]:
        row["value"] = ""
    corpus = (rows, levels, functions, places)
    conn = sqlite3.connect(":memory:")
    search.fill_rows(conn, rows, levels, functions, places)
    return search.Index(conn), Reference(corpus), bench


WORDS = ("", "gestion", "GESTIÓN", "atencion ciudadana", "capacitacion", "de", "a", "m1",
         "instituto renombrado", "tres gestion", "obras", "80", "zzzz", "Institución 0003",
         '"NEAR(a b)" OR', "plan  operativo anual")  # fmt: skip


def _answer(index: search.Index, text: str, chosen: dict[str, str], bounds: Any) -> dict:
    result = index.search(text, chosen, bounds)
    return {
        "total": result.total,
        "rows": result.rows,
        "facets": result.facets,
        "groups": {
            kind: [(h.iri, str(h.html), h.institution) for h in hits]
            for kind, hits in result.groups.items()
        },
    }


@pytest.mark.parametrize("text", WORDS)
def test_words_alone_answer_as_sql_did(pair: Any, text: str) -> None:
    index, reference, _ = pair
    ours, theirs = _answer(index, text, {}, (None, None)), reference.search(text, {}, (None, None))
    assert ours == theirs
    if text in ("gestion", "atencion ciudadana"):
        assert ours["total"] > 0 and ours["groups"], text


def test_facets_and_bounds_combine_as_sql_did(pair: Any) -> None:
    index, reference, bench = pair
    everything = reference.search("", {}, (None, None))
    assert len(everything["facets"]["function"]) == len(bench.FUNCTIONS)
    institution = everything["facets"]["institution"][3][0]
    level = everything["facets"]["level"][0][0]
    requests = [
        ("gestion", {"institution": institution}, (None, None)),
        ("", {"function": f"{bench.BASE}funcion/obras"}, (None, None)),
        ("de", {"function": f"{bench.BASE}funcion/obras", "level": level}, (10, 90)),
        ("", {"year": "2025", "province": f"{bench.BASE}provincia/3"}, (None, 50)),
        ("capacitacion", {"measure": everything["facets"]["measure"][0][0]}, (1, None)),
        ("", {"institution": "http://example.org/nadie"}, (None, None)),
        ("gestion", {"canton": f"{bench.BASE}canton/3", "year": "2026"}, (None, None)),
    ]
    for text, chosen, bounds in requests:
        ours, theirs = _answer(index, text, chosen, bounds), reference.search(text, chosen, bounds)
        assert ours == theirs, (text, chosen, bounds)
        assert index.rows(text, chosen, bounds) == reference.rows(text, chosen, bounds, None)


def test_a_renamed_institution_and_a_doubly_labelled_function(pair: Any) -> None:
    index, _, bench = pair
    # names are searched among the rows whose texts have the words
    assert index.search("renombrado", {}, (None, None)).total == 0
    renamed = index.search("gestion", {}, (None, None))
    institutions = {h.iri for h in renamed.groups["institution"]}
    assert institutions == {f"{bench.BASE}institucion/i0003"}
    labels = {v: label for v, label, _ in index.overview().facets["institution"]}
    assert labels[f"{bench.BASE}institucion/i0003"] == "Institución 0003"
    functions = {v: label for v, label, _ in index.overview().facets["function"]}
    assert functions[f"{bench.BASE}funcion/obras"] == "Obras públicas"


def test_an_index_from_an_older_build_is_refused(tmp_path: Path) -> None:
    old = tmp_path / search.INDEX
    conn = sqlite3.connect(old)
    conn.executescript(_OLD_SCHEMA)
    conn.close()
    with pytest.raises(search.OutdatedIndex, match="format 0"):
        search.open_index(old)
