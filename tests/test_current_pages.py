"""Pages and downloads over two months of one institution (issue 14, items 1 and 5).

The examples plus SOT's February report (one target raised from 30% to 45%, one row
dropped): the current state holds 270 targets (SOT: 28), not the 272 of both months;
report links name their month; an older report keeps its description.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from conftest import DATA, EXAMPLES
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from publisher.settings import Settings, load
from publisher.store.embedded import open_store

FEBRUARY = DATA / "months" / "sot-2023-02.txt"
BASE = "http://localhost:8000"
SOT = f"{BASE}/id/institucion/sot"
SOT_NAME = "Superintendencia de Ordenamiento Territorial, Uso y Gestión del Suelo"
QUALITY_OBJECTIVE = (
    "/id/institucion/sot/unidad/direccion-de-procesos-y-gestion-del-cambio/objetivo/"
    "mejorar-la-gestion-de-la-calidad-9eed20b9"
)


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The examples and SOT's February report, built once."""
    from publisher.build.pipeline import build

    settings = load(env={}, data_dir=tmp_path_factory.mktemp("months") / "data")
    build([EXAMPLES, FEBRUARY], settings, quiet=True)
    return settings


@pytest.fixture(scope="module")
def client(months: Settings) -> FlaskClient:
    from publisher.web import create_app

    app = create_app(months, open_store(months))
    app.testing = True
    return app.test_client()


def page_text(client: FlaskClient, path: str) -> str:
    """The visible text of the HTML page at ``path``, spaces folded."""
    response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200, path
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return " ".join(text.split())


def test_home_counts_the_current_state_and_names_each_month(client: FlaskClient) -> None:
    text = page_text(client, "/")
    assert re.search(r"\b270 metas\b", text)
    assert "272" not in text
    # one link per report (not one per title or label), each naming its month
    assert text.count(f"Metas y objetivos — {SOT_NAME} — febrero de 2023") == 1
    assert text.count(f"Metas y objetivos — {SOT_NAME} — enero de 2023") == 1


def test_institution_page_lists_both_months_and_shows_readable_targets(
    client: FlaskClient,
) -> None:
    text = page_text(client, "/id/institucion/sot")
    assert f"{SOT_NAME} — enero de 2023" in text and f"{SOT_NAME} — febrero de 2023" in text
    # the tree is February's: the raised target, with what it measures, not January's
    assert "45% — mejorar un 45% en la gestión de la calidad en la SOT" in text
    assert "30% —" not in text.split("Informes")[0]


def test_an_older_report_keeps_its_description(client: FlaskClient) -> None:
    text = page_text(client, "/id/reporte/sot/2023-01")
    assert f"Metas y objetivos — {SOT_NAME} — enero de 2023" in text
    assert f"Goals and targets — {SOT_NAME} — January 2023" in text
    turtle = client.get(
        "/id/reporte/sot/2023-01", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    titles = set(graph.objects(URIRef(f"{BASE}/id/reporte/sot/2023-01"), DCTERMS.title))
    assert Literal(f"Goals and targets — {SOT_NAME} — January 2023", lang="en") in titles


def test_history_section_says_which_months_it_covers(client: FlaskClient) -> None:
    text = page_text(client, QUALITY_OBJECTIVE)
    assert "Informes de: enero de 2023, febrero de 2023" in text
    english = page_text(client, QUALITY_OBJECTIVE + "?lang=en")
    assert "Reports of: January 2023, February 2023" in english


def test_downloads_and_browse_hold_the_current_state(months: Settings, client: FlaskClient) -> None:
    dumps = Path(months.data_dir) / "current" / "dumps"
    rows = list(csv.DictReader(io.StringIO((dumps / "metas.csv").read_text("utf-8-sig"))))
    targets = {r["target_uri"]: r for r in rows if r["target_uri"]}
    assert len(targets) == 270
    sot = [r for r in targets.values() if r["institution_uri"] == SOT]
    assert len(sot) == 28
    assert {r["report_uri"] for r in sot} == {f"{BASE}/id/reporte/sot/2023-02"}
    # the download keeps the target's text as written, not its label
    assert "45%" in {r["target"] for r in sot} and not any("—" in r["target"] for r in sot)
    browse = client.get(f"/browse.csv?institution={SOT}").get_data(as_text=True)
    browsed = list(csv.DictReader(io.StringIO(browse.lstrip("\ufeff"))))
    assert len({r["target_uri"] for r in browsed if r["target_uri"]}) == 28
