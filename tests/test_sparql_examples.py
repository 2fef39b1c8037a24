"""The example queries on the real data: the five example reports, built once per session.

Every example of ours (``queries/0*.rq``, ``1*.rq``) must answer with rows through the
endpoint. Row-listing examples say ``SELECT DISTINCT``: without a materialised union in
the default graph, pyoxigraph's union repeats a triple once per report holding it.
"Targets that changed between two reports" needs two reports of one institution, so it
gets the Loja report and a modified copy published as next month's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, XSD
from sparql_data import make_app, sparql_settings

from publisher.query.examples import load_examples
from publisher.store.embedded import OxigraphStore, Store
from publisher.vocab import LOTAIP

OURS = [e for e in load_examples() if e.name[:2].isdigit() and int(e.name[:2]) < 20]
NEEDS_TWO_REPORTS = "07-targets-changed-between-reports"
LOJA = URIRef("http://localhost:8000/id/reporte/gad-municipal-loja/2019-08")


def _rows(app: Flask, text: str) -> list[dict[str, dict[str, str]]]:
    response = app.test_client().post(
        "/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    rows: list[dict[str, dict[str, str]]] = response.get_json()["results"]["bindings"]
    return rows


def test_there_are_a_dozen_examples_of_ours() -> None:
    assert len(OURS) >= 12


@pytest.mark.parametrize(
    "example", [e for e in OURS if e.name != NEEDS_TWO_REPORTS], ids=lambda e: e.name
)
def test_example_answers_with_rows_on_the_built_reports(built_app: Flask, example) -> None:  # type: ignore[no-untyped-def]
    assert _rows(built_app, example.text), f"{example.name} found nothing in the five reports"


def test_water_objectives_are_real_ones(built_app: Flask) -> None:
    example = next(e for e in OURS if e.name == "05-objectives-about-water")
    for row in _rows(built_app, example.text):
        assert "agua" in row["objective_text"]["value"].lower()


TARGET_TEXT = LOTAIP.targetText


def _next_month(store: Store, tmp_path: Path) -> OxigraphStore:
    """Loja's report plus a copy as September's in which one target's text changed."""
    copy = OxigraphStore(tmp_path / "store")
    original = store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{LOJA}> {{ ?s ?p ?o }} }}"
    )
    copy.replace_graph(LOJA, original)
    target = sorted(original.subjects(RDFS.label, None))
    changed = next(t for t in target if (t, None, None) in original and "/meta/" in str(t))
    new_target = URIRef(f"{changed}-cambiada")
    september = URIRef(str(LOJA).replace("2019-08", "2019-09"))
    later = Graph()
    for s, p, o in original:
        s = september if s == LOJA else (new_target if s == changed else s)
        # as a build publishes it: September's statements name September's report
        o = september if o == LOJA else (new_target if o == changed else o)
        if p == DCTERMS.issued:
            o = Literal("2019-09-30", datatype=XSD.date)
        later.add((s, p, o))
    later.set((new_target, RDFS.label, Literal("Meta cambiada en septiembre", lang="es")))
    later.set((new_target, TARGET_TEXT, Literal("Meta cambiada en septiembre", lang="es")))
    copy.replace_graph(september, later)
    return copy


def test_changed_targets_between_two_reports(built_store: Store, tmp_path: Path) -> None:
    store = _next_month(built_store, tmp_path)
    app = make_app(store, sparql_settings(tmp_path))
    try:
        example = next(e for e in OURS if e.name == NEEDS_TWO_REPORTS)
        rows = _rows(app, example.text)
        assert [r["target_text"]["value"] for r in rows] == ["Meta cambiada en septiembre"]
        assert rows[0]["first"]["value"] == "2019-08-31"
    finally:
        app.extensions["publisher.sparql"].close()
