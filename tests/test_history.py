"""Two reports of one institution: SOT's January report and a February copy in which one
target went up, one went down, one unit was dropped and one added. The history of an
objective and the change list must say exactly that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from rdflib import URIRef

from publisher.enrichment import quality
from publisher.query import history
from publisher.query.examples import load_examples
from publisher.settings import Settings, load
from publisher.store.embedded import Store, open_store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
BASE = "http://localhost:8000/id/"
JANUARY = URIRef(BASE + "reporte/sot/2023-01")
FEBRUARY = URIRef(BASE + "reporte/sot/2023-02")
PROMOTION = "Dirección de Promoción y Capacitación y Difusión de Derechos"
COMMUNICATION = "Dirección de Comunicación Social y Multimedia"
DROPPED = "Dirección de Procesos y Gestión del Cambio"
ADDED = "Dirección de Auditoría Interna"


def _february(text: str) -> str:
    """January's text as February's: dated 28/02, 80% -> 85% (promotion), 15% -> 10%
    (communication), unit 16 dropped, a new unit 19 added before the footer."""
    lines = text.split("\n")
    out = []
    for line in lines:
        cells = line.split("\t")
        if len(cells) > 1 and cells[1] == DROPPED:
            continue
        if len(cells) > 1 and cells[1] == PROMOTION:
            cells[-1] = "85%"
        if len(cells) > 1 and cells[1] == COMMUNICATION:
            cells[-1] = "10%"
        if line.startswith("LINK PARA DESCARGAR"):
            out.append(
                f"19\t{ADDED}\tEvaluar el control interno MEDIANTE auditorías programadas\t"
                "A diciembre de 2023 se ejecutará el 60% del plan anual de auditoría\t60%"
            )
        out.append("\t".join(cells).replace("31/01/2023", "28/02/2023"))
    return "\n".join(out)


@pytest.fixture(scope="module")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    """SOT's January report and the February copy, built and published."""
    from publisher.build.pipeline import build

    folder = tmp_path_factory.mktemp("two-months")
    reports = folder / "reports"
    reports.mkdir()
    original = (EXAMPLES / "sot-2023-01.txt").read_text(encoding="utf-8")
    (reports / "sot-2023-01.txt").write_text(original, encoding="utf-8")
    (reports / "sot-2023-02.txt").write_text(_february(original), encoding="utf-8")
    settings = load(env={}, data_dir=folder / "data")
    build([reports], settings, quiet=True)
    yield settings, open_store(settings)


@pytest.fixture(scope="module")
def app(two_months: tuple[Settings, Store]) -> Flask:
    from publisher.web import create_app

    application = create_app(*two_months)
    application.testing = True
    return application


def _unit(store: Store, name: str) -> URIRef:
    rows = store.select(
        "SELECT DISTINCT ?u WHERE { ?u <http://www.w3.org/2000/01/rdf-schema#label> ?n "
        "FILTER(STR(?n) = ?name) }".replace("?name", f'"{name}"')
    )
    assert len(rows) == 1
    return URIRef(rows[0]["u"])


def _objective_of(store: Store, unit: URIRef) -> URIRef:
    rows = store.select(
        f"SELECT DISTINCT ?o WHERE {{ <{unit}> <http://www.w3.org/ns/org#purpose> ?o }}"
    )
    assert len(rows) == 1
    return URIRef(rows[0]["o"])


def test_changes_list_units_added_removed_and_targets_raised_lowered(
    two_months: tuple[Settings, Store],
) -> None:
    _, store = two_months
    found = history.changes(store, JANUARY, FEBRUARY)
    assert [name for _, name in found.units_added] == [ADDED]
    assert [name for _, name in found.units_removed] == [DROPPED]
    assert [(c.unit_name, c.before, c.after) for c in found.raised] == [(PROMOTION, 80, 85)]
    assert [(c.unit_name, c.before, c.after) for c in found.lowered] == [(COMMUNICATION, 15, 10)]
    backwards = history.changes(store, FEBRUARY, JANUARY)
    assert [c.unit_name for c in backwards.lowered] == [PROMOTION]
    assert [name for _, name in backwards.units_added] == [DROPPED]


def test_history_of_an_objective_is_one_value_per_report(
    two_months: tuple[Settings, Store],
) -> None:
    _, store = two_months
    objective = _objective_of(store, _unit(store, PROMOTION))
    points = history.history(store, objective)
    assert [(p.date, p.value, p.unit) for p in points] == [
        ("2023-01-31", 80, "%"),
        ("2023-02-28", 85, "%"),
    ]
    chart = history.svg_chart(points, "x")
    assert chart.startswith("<svg") and chart.count("<circle") == 2
    assert chart.count("<polyline") == 1  # the two points are one series


def test_objective_page_draws_the_history(two_months: tuple[Settings, Store], app: Flask) -> None:
    _, store = two_months
    objective = _objective_of(store, _unit(store, COMMUNICATION))
    path = "/doc/" + str(objective).removeprefix(BASE)
    page = app.test_client().get(path + "?lang=es").get_data(as_text=True)
    assert "Metas en el tiempo" in page
    assert 'class="history-chart"' in page and page.count('class="point"') == 2
    english = app.test_client().get(path + "?lang=en").get_data(as_text=True)
    assert "Targets over time" in english


def test_unchanged_objective_still_has_its_history(two_months: tuple[Settings, Store]) -> None:
    _, store = two_months
    objective = _objective_of(store, _unit(store, "Dirección Financiera"))
    assert [p.value for p in history.history(store, objective)] == [10, 10]


def test_changes_page_defaults_to_the_two_latest_reports(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/cambios?institucion=sot&lang=es").get_data(as_text=True)
    assert "Unidades nuevas (1)" in page and ADDED in page
    assert "Unidades retiradas (1)" in page and DROPPED in page
    assert "Metas que subieron (1)" in page and "Metas que bajaron (1)" in page
    assert '<option value="2023-01" selected>' in page  # the periods' own form
    assert '<option value="2023-02" selected>' in page
    english = client.get("/cambios?institucion=sot&de=2023-02&a=2023-01&lang=en")
    text = english.get_data(as_text=True)
    assert "Units added (1)" in text and "Targets lowered (1)" in text
    assert client.get("/cambios?institucion=sot&de=1999-01").status_code == 400


def test_quality_of_the_institution_is_its_current_report(
    two_months: tuple[Settings, Store],
) -> None:
    _, store = two_months
    found = {
        m.key: (m.count, m.total)
        for m in quality.measurements(store, URIRef(BASE + "institucion/sot"), "es")
    }
    # the default graph is the current state (issue 14): February's shares alone, no
    # longer January's and February's pooled (36/38 and 58/58 before)
    assert found["units_measurable"] == (18, 19)
    assert found["targets_number"] == (29, 29)


@pytest.mark.parametrize("name", ["30-target-history", "31-changes-between-reports"])
def test_example_queries_answer_on_two_reports(
    two_months: tuple[Settings, Store], name: str
) -> None:
    _, store = two_months
    example = next(e for e in load_examples() if e.name == name)
    rows = store.select(example.text)
    assert rows
    if name == "31-changes-between-reports":
        kinds = sorted((str(r["change"]), str(r["unit_name"])) for r in rows)
        assert kinds == [
            ("lowered", COMMUNICATION),
            ("raised", PROMOTION),
            ("unit added", ADDED),
            ("unit removed", DROPPED),
        ]
    else:
        promotion = [r for r in rows if str(r["unit_name"]) == PROMOTION]
        assert [str(r["value"]) for r in promotion] == ["80", "85"]
