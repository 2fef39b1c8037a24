"""Every shipped query on the five example reports plus SOT's February report
(``tests/data/months/sot-2023-02.txt``: one target raised from 30 % to 45 %, one row dropped).

The default graph is the current state (SOT's February report); queries over all months
read each report's own graph. Each check below is derived from the two SOT files.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from publisher.query.examples import load_examples
from publisher.settings import load
from publisher.store.embedded import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
FEBRUARY = ROOT / "tests" / "data" / "months" / "sot-2023-02.txt"
EXAMPLES = {e.name: e for e in load_examples()}
SOT = "Superintendencia de Ordenamiento Territorial, Uso y Gestión del Suelo"
RAISED_UNIT = "Dirección de Procesos y Gestión del Cambio"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The examples and SOT's February report, built for real."""
    from publisher.build.pipeline import build

    folder = tmp_path_factory.mktemp("months")
    reports = folder / "reports"
    shutil.copytree(ROOT / "examples" / "reports", reports)
    shutil.copy(FEBRUARY, reports / FEBRUARY.name)
    settings = load(env={}, data_dir=folder / "data")
    build([reports], settings, quiet=True)
    return open_store(settings)


def _rows(store: Store, name: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in store.select(EXAMPLES[name].text)]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_shipped_query_answers(store: Store, name: str) -> None:
    assert _rows(store, name), f"{name} found nothing in the examples plus February"


def test_01_counts_sot_in_its_current_report(store: Store) -> None:
    counts = {r["name"]: int(r["targets"]) for r in _rows(store, "01-targets-per-institution")}
    assert counts[SOT] == 28  # February's 28, not January's 29 nor the two months' union


def test_03_lists_february_targets_only(store: Store) -> None:
    rows = [r for r in _rows(store, "03-targets-due-in-a-year") if r["institution_name"] == SOT]
    assert len(rows) == 28  # every February target is due in 2023
    texts = [r["target_text"] for r in rows]
    assert "45%" in texts and "30%" not in texts


def test_07_finds_exactly_the_raised_target_45_not_30(store: Store) -> None:
    rows = _rows(store, "07-targets-changed-between-reports")
    assert [
        (
            r["institution_name"],
            r["first"],
            r["latest"],
            r["unit_name"],
            r["target_text"],
            r["new_value"],
        )
        for r in rows
    ] == [(SOT, "2023-01-31", "2023-02-28", RAISED_UNIT, "45%", "45")]


def test_12_states_congope_and_loja_reasons(store: Store) -> None:
    rows = _rows(store, "12-not-applicable-statements")
    assert {r["what"] for r in rows} <= {"unidad", "objetivo", "indicador"}
    assert ("Sistemas ofertados por el CONGOPE implementados en los GADP", "indicador") in {
        (r["label"], r["what"]) for r in rows
    }
    assert all(r["reason"] for r in rows)


def test_14_lists_every_report_graph_once(store: Store) -> None:
    rows = _rows(store, "14-named-graphs")
    graphs = [r["graph"] for r in rows]
    assert len(graphs) == len(set(graphs)) == 6  # the five examples and SOT's February
    sot = [r for r in rows if "/id/reporte/sot/" in r["graph"]]
    assert [r["issued"] for r in sot] == ["2023-01-31", "2023-02-28"]
    assert all(SOT in r["title"] for r in sot)


def test_13_reads_current_reports_only(store: Store) -> None:
    rows = _rows(store, "13-target-provenance")
    assert len(rows) == 100  # the query's LIMIT: the examples hold more targets
    assert "sot-2023-01.txt" not in {r["file"] for r in rows}
    assert all(len(r["sha256"]) == 64 and int(r["line"]) > 0 for r in rows)


def test_30_follows_the_raised_target_over_both_months(store: Store) -> None:
    rows = [r for r in _rows(store, "30-target-history") if r["unit_name"] == RAISED_UNIT]
    assert [(r["report_date"], r["value"]) for r in rows] == [
        ("2023-01-31", "30"),
        ("2023-02-28", "45"),
    ]


def test_31_finds_one_raise_and_no_unit_change(store: Store) -> None:
    rows = _rows(store, "31-changes-between-reports")
    assert [
        (r["before"], r["after"], r["change"], r["unit_name"], r["old_value"], r["new_value"])
        for r in rows
    ] == [("2023-01-31", "2023-02-28", "raised", RAISED_UNIT, "30", "45")]


def _documented_questions() -> tuple[str, list[str]]:
    """The prefix block and the five questions of docs/sparql.md."""
    text = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8")
    section = text[text.index("## A researcher's five") :].split("\n## ", 1)[0]
    prefixes, *questions = re.findall(r"```sparql\n(.*?)```", section, re.S)
    return prefixes, questions


def test_the_five_documented_questions_answer_on_two_months(store: Store) -> None:
    prefixes, questions = _documented_questions()
    assert len(questions) == 5
    answers = [
        [{k: str(v) for k, v in r.items()} for r in store.select(prefixes + q)] for q in questions
    ]
    assert all(answers), "a documented question found nothing"
    assert {r["name"]: r["targets"] for r in answers[0]}[SOT] == "28"  # now: February
    months = sorted({r["issued"] for r in answers[4]})
    assert months == ["2023-01-31", "2023-02-28"] and len(answers[4]) == 29 + 28
