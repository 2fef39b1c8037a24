"""Every link the site publishes answers, from a server started the way the README says:
``lotaip-lod serve --data data``, a folder relative to the working directory (issue 15)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, VOID

from publisher.settings import Settings
from tests.conftest import EXAMPLES, running_server

pytestmark = pytest.mark.live


class _Links(HTMLParser):
    """The ``href`` of every link of a page, and the text of its JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        self._in_jsonld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False


def _page_links(url: str) -> _Links:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, url
    parser = _Links()
    parser.feed(response.text)
    return parser


def _published_links(base: str) -> set[str]:
    """Links of /downloads, of the VoID/DCAT description and of the home page's
    schema.org Dataset, as absolute URLs."""
    found = {urljoin(base + "downloads", h) for h in _page_links(base + "downloads").hrefs}
    void = requests.get(base + ".well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    graph = Graph().parse(data=void.content, format="turtle")
    for predicate in (VOID.dataDump, DCAT.downloadURL, DCAT.accessURL, DCAT.landingPage):
        found |= {str(o) for o in graph.objects(None, predicate) if isinstance(o, URIRef)}
    for block in _page_links(base).jsonld:
        dataset = json.loads(block)
        found |= {d["contentUrl"] for d in dataset["distribution"]} | {dataset["url"]}
    return found


def test_every_published_link_answers_from_a_relative_data_folder(
    built_settings: Settings,
) -> None:
    data = built_settings.data_dir
    with running_server(Path(data.name), cwd=data.parent) as base:
        links = _published_links(base)
        names = {link.rsplit("/", 1)[-1] for link in links}
        assert {"lotaip.nq.gz", "lotaip.ttl.gz", "metas.csv", "metas.xlsx"} <= names
        ours = [link.replace(built_settings.base_uri, base) for link in links]
        local = [link for link in ours if link.startswith(base)]
        assert len(local) >= 20
        failed = {
            link: status
            for link in local
            if (status := requests.get(link, timeout=30).status_code) != 200
        }
        assert failed == {}


def test_serve_uses_the_base_uri_the_build_recorded(tmp_path: Path) -> None:
    built_under = "http://example.org/lod/"
    command = [sys.executable, "-m", "publisher", "build", "--out", "data", "--quiet"]
    command += ["--base-uri", built_under, str(EXAMPLES / "sot-2023-01.txt")]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k != "PUBLISHER_BASE_URI"}
    with running_server(Path("data"), cwd=tmp_path, env=env) as base:
        home = requests.get(base, timeout=30).text
        assert 'href="/doc/institucion/sot"' in home  # our IRIs become local links
        found = requests.get(base + "id/reporte/sot/2023-01", allow_redirects=False, timeout=30)
        assert found.status_code == 303


def test_serve_refuses_an_explicit_base_uri_other_than_the_builds(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "publisher", "build", "--out", "data", "--quiet"]
    command += ["--base-uri", "http://example.org/lod/", str(EXAMPLES / "sot-2023-01.txt")]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    serve = [sys.executable, "-m", "publisher", "serve", "--data", "data"]
    serve += ["--base-uri", "http://localhost:8000/"]
    result = subprocess.run(serve, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "set PUBLISHER_BASE_URI=http://example.org/lod/" in result.stderr
