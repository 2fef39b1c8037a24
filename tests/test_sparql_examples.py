"""The example queries on the real data: the five example reports, built once per session.

Every example of ours (``queries/0*.rq``, ``1*.rq``) must answer with rows through the
endpoint. Row-listing examples say ``SELECT DISTINCT``: without a materialised union in
the default graph, pyoxigraph's union repeats a triple once per report holding it.
"Targets that changed between two reports" needs two reports of one institution: it
reads the graph of changes the build computes, empty here (``test_sparql_months.py``
builds a second month).
"""

from __future__ import annotations

import pytest
from flask import Flask

from publisher.query.examples import load_examples

OURS = [e for e in load_examples() if e.name[:2].isdigit() and int(e.name[:2]) < 20]
NEEDS_TWO_REPORTS = "07-targets-changed-between-reports"


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


def test_changed_targets_need_two_reports(built_app: Flask) -> None:
    # one report per institution: the graph of changes holds none, so the query says
    # nothing changed (tests/test_sparql_months.py runs it on two real months)
    example = next(e for e in OURS if e.name == NEEDS_TWO_REPORTS)
    assert _rows(built_app, example.text) == []
