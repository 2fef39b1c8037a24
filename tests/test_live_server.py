"""The site served for real: gunicorn on a free port, fetched with requests, parsed by rdflib."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import ORG

from publisher.settings import Settings
from publisher.web.conneg import FORMATS

pytestmark = [
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated"),
]
LOJA = "id/institucion/gad-municipal-loja"


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.rdflib_format], ids=lambda f: f.name)
def test_thing_303s_to_a_document_rdflib_can_parse(live_server: str, fmt) -> None:
    response = requests.get(live_server + LOJA, headers={"Accept": fmt.media_type}, timeout=10)
    assert response.history and response.history[0].status_code == 303
    assert response.url.endswith(f"/doc/institucion/gad-municipal-loja.{fmt.extension}")
    assert response.headers["Content-Type"] == f"{fmt.media_type}; charset=utf-8"
    graph = Graph().parse(data=response.content, format=fmt.rdflib_format)
    institution = URIRef("http://localhost:8000/" + LOJA)
    assert len(list(graph.objects(institution, ORG.hasUnit))) >= 30


def test_browser_gets_the_html_page_and_revalidates(live_server: str) -> None:
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    page = requests.get(live_server + LOJA, headers={"Accept": accept}, timeout=10)
    assert page.url.endswith("/doc/institucion/gad-municipal-loja")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Alcaldía" in page.text
    again = requests.get(page.url, headers={"If-None-Match": page.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


def test_unknown_uri_is_a_json_404_for_machines(live_server: str) -> None:
    response = requests.get(
        live_server + "id/institucion/nadie", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert response.status_code == 404
    assert response.json() == {"error": response.json()["error"], "status": 404}


def test_serve_without_a_build_fails_with_a_clear_message(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "lotaip-lod build" in result.stderr


def test_serve_under_another_base_uri_than_the_build_fails_with_what_to_set(
    built_settings: Settings,
) -> None:
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(built_settings.data_dir)]
    env = {**os.environ, "PUBLISHER_BASE_URI": "http://example.org/"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0
    assert f"PUBLISHER_BASE_URI={built_settings.base_uri}" in result.stderr


def test_gunicorn_gets_our_bind_address_and_workers(built_settings: Settings) -> None:
    from dataclasses import replace

    from publisher.serve import SiteServer, gunicorn_options

    settings = replace(built_settings, host="127.0.0.1", port=8123, workers=3)
    options = gunicorn_options(settings)
    assert options["bind"] == "127.0.0.1:8123" and options["workers"] == 3
    server = SiteServer(settings, options)
    assert server.cfg.workers == 3 and server.cfg.bind == ["127.0.0.1:8123"]
    assert server.load().extensions["publisher.settings"] is settings
