"""The graph of changes ``id/cambios`` (issue 21 item 4): built from consecutive reports.

The examples plus SOT's February report (one target raised from 30 % to 45 %, one row
dropped under a unit that keeps other rows) and, made from February's file here, a
March report (that target raised to 60 %, the Dirección Financiera's only row dropped).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from conftest import DATA, EXAMPLES
from pyshacl import validate
from rdflib import Graph, URIRef

from publisher.build.pipeline import build
from publisher.query import history
from publisher.query.examples import load_examples
from publisher.settings import Settings, load
from publisher.store.embedded import open_store

FEBRUARY = DATA / "months" / "sot-2023-02.txt"
BASE = "http://localhost:8000/"
CHANGES = f"{BASE}id/cambios"
RAISED_UNIT = "Dirección de Procesos y Gestión del Cambio"
REMOVED_UNIT = "Dirección Financiera"
SOT_REPORT = f"{BASE}id/reporte/sot/"
SHAPE = Path(__file__).resolve().parent.parent / "shapes" / "change.shacl.ttl"
QUERIES = {e.name: e.text for e in load_examples()}

CHANGE_ROWS = """PREFIX lotaip: <https://w3id.org/lotaip/def/>
SELECT ?kind ?from ?to ?unit ?old ?new WHERE {
  GRAPH ?g { ?c a lotaip:Change ; lotaip:changeKind ?kind ; lotaip:fromDate ?from ;
                lotaip:toDate ?to ; lotaip:changeUnitName ?unit .
             OPTIONAL { ?c lotaip:fromValue ?old ; lotaip:toValue ?new } }
} ORDER BY ?from ?kind"""


def march(folder: Path) -> Path:
    """SOT's March report: February's file, dated 31/03/2023, the 45 % target at 60 %
    and the Dirección Financiera's one row gone."""
    lines = FEBRUARY.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if f"\t{REMOVED_UNIT}\t" not in line]
    assert len(kept) == len(lines) - 1
    text = "".join(kept).replace("45%", "60%").replace("28/02/2023", "31/03/2023")
    path = folder / "sot-2023-03.txt"
    path.write_text(text, encoding="utf-8")
    return path


def rows(settings: Settings, query: str) -> list[tuple[str, ...]]:
    found = open_store(settings).select(query)
    return [tuple(str(v) for v in row.values()) for row in found]


def change_rows(settings: Settings) -> list[tuple[str, ...]]:
    """(kind, from, to, unit name, old value, new value), "" for a value not stated."""
    names = ("from", "to", "unit", "old", "new")
    return [
        (str(row["kind"]).rsplit("/", 1)[1], *(str(row.get(n, "")) for n in names))
        for row in open_store(settings).select(CHANGE_ROWS)
    ]


@pytest.fixture(scope="module")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = load(env={}, data_dir=tmp_path_factory.mktemp("changes") / "data")
    build([EXAMPLES, FEBRUARY], settings, quiet=True)
    return settings


def test_the_graph_of_changes_holds_february_s_one_raise(two_months: Settings) -> None:
    assert change_rows(two_months) == [
        ("TargetRaised", "2023-01-31", "2023-02-28", RAISED_UNIT, "30", "45")
    ]
    labels = rows(
        two_months,
        "SELECT ?l WHERE { GRAPH ?g { ?c a <https://w3id.org/lotaip/def/Change> ;"
        " <http://www.w3.org/2000/01/rdf-schema#label> ?l } } ORDER BY ?l",
    )
    assert labels == [
        (f"Meta elevada: {RAISED_UNIT}: 30% → 45% (enero de 2023 → febrero de 2023)",),
        (f"Target raised: {RAISED_UNIT}: 30% → 45% (January 2023 → February 2023)",),
    ]


def test_changes_live_in_their_named_graph_outside_the_current_state(
    two_months: Settings,
) -> None:
    graphs = rows(
        two_months,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?c a <https://w3id.org/lotaip/def/Change> } }",
    )
    assert graphs == [(CHANGES,)]
    default = rows(two_months, "SELECT ?c WHERE { ?c a <https://w3id.org/lotaip/def/Change> }")
    assert default == []


def test_the_published_changes_conform_to_their_shape(two_months: Settings) -> None:
    graph = open_store(two_months).construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{CHANGES}> {{ ?s ?p ?o }} }}"
    )
    shapes = Graph().parse(SHAPE)
    conforms, _, _ = validate(graph, shacl_graph=shapes)
    assert conforms
    # and the shape has teeth: a change without its kind or its later value is refused
    change = next(graph.subjects(predicate=URIRef("https://w3id.org/lotaip/def/changeKind")))
    graph.remove((change, URIRef("https://w3id.org/lotaip/def/changeKind"), None))
    graph.remove((change, URIRef("https://w3id.org/lotaip/def/toValue"), None))
    conforms, _, text = validate(graph, shacl_graph=shapes)
    assert not conforms
    assert "a change has exactly one kind" in text and "toValue" in text


def test_the_changes_page_shows_the_recorded_raise(two_months: Settings) -> None:
    from publisher.web import create_app

    store = open_store(two_months)
    app = create_app(two_months, store)
    app.testing = True
    page = app.test_client().get("/cambios?institucion=sot&lang=es").get_data(as_text=True)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert f"{RAISED_UNIT} En el año 2023 se logrará mejorar un 45%" in text
    assert re.search(r"30% 45%", text)
    before, after = URIRef(SOT_REPORT + "2023-01"), URIRef(SOT_REPORT + "2023-02")
    recorded = history.recorded_changes(store, before, after)
    assert recorded is not None and recorded.raised
    # the same rules whether the build recorded it or the page compares two reports
    assert recorded == history.compared_changes(store, before, after)
    assert history.recorded_changes(store, after, before) is None


def test_a_new_month_compares_only_its_institution_and_a_withdrawn_one_is_undone(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(EXAMPLES, reports)
    shutil.copy(FEBRUARY, reports / FEBRUARY.name)
    settings = load(env={}, data_dir=tmp_path / "data")
    build([reports], settings, quiet=True)
    first = (tmp_path / "data" / "current").resolve() / "corpus"
    kept = {p.name: p.stat().st_ino for p in first.glob("changes-*.nt")}
    assert len(kept) == 5  # one file per institution

    march(reports)
    rebuilt = build([reports], settings, quiet=True)
    assert (rebuilt.built, rebuilt.carried) == (1, 6)
    second = (tmp_path / "data" / "current").resolve() / "corpus"
    now = {p.name: p.stat().st_ino for p in second.glob("changes-*.nt")}
    linked = {name for name in now if kept.get(name) == now[name]}
    assert len(linked) == 4 and len(now) == 5  # only SOT's changes were compared anew
    # SOT's January -> February changes were kept, only February -> March compared: the
    # same file as a full build's
    full_march = load(env={}, data_dir=tmp_path / "full-march")
    build([reports], full_march, quiet=True, incremental=False)
    march_files = (tmp_path / "full-march" / "current").resolve() / "corpus"
    assert {p.name: p.read_bytes() for p in march_files.glob("changes-*.nt")} == {
        p.name: p.read_bytes() for p in second.glob("changes-*.nt")
    }
    assert change_rows(settings) == [
        ("TargetRaised", "2023-01-31", "2023-02-28", RAISED_UNIT, "30", "45"),
        ("TargetRaised", "2023-02-28", "2023-03-31", RAISED_UNIT, "45", "60"),
        ("UnitRemoved", "2023-02-28", "2023-03-31", REMOVED_UNIT, "", ""),
    ]
    history_rows = [r for r in rows(settings, QUERIES["30-target-history"]) if RAISED_UNIT in r]
    assert [(r[3], r[5]) for r in history_rows] == [
        ("2023-01-31", "30"),
        ("2023-02-28", "45"),
        ("2023-03-31", "60"),
    ]
    # two reports that do not follow each other are compared at query time, same rules
    store = open_store(settings)
    january, third = URIRef(SOT_REPORT + "2023-01"), URIRef(SOT_REPORT + "2023-03")
    assert history.recorded_changes(store, january, third) is None
    skipped = history.changes(store, january, third)
    assert [(c.before, c.after) for c in skipped.raised] == [(30, 60)]
    assert [name for _, name in skipped.units_removed] == [REMOVED_UNIT]

    (reports / FEBRUARY.name).unlink()  # February withdrawn: January is followed by March
    build([reports], settings, quiet=True)
    assert change_rows(settings) == [
        ("TargetRaised", "2023-01-31", "2023-03-31", RAISED_UNIT, "30", "60"),
        ("UnitRemoved", "2023-01-31", "2023-03-31", REMOVED_UNIT, "", ""),
    ]
    full = load(env={}, data_dir=tmp_path / "full")
    build([reports], full, quiet=True, incremental=False)
    assert change_rows(full) == change_rows(settings)
