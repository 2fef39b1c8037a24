"""Shared fixtures: settings in a temporary folder, the real example reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from publisher.settings import Settings, load
from publisher.store import OxigraphStore, Store, open_store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with data under a fresh temporary folder."""
    return load(env={}, data_dir=tmp_path / "data")


SITE_SAMPLE = DATA / "web"
SAMPLE_REPORT = "http://localhost:8000/id/reporte/demo/2023-01"
SAMPLE_ONTOLOGY = "https://w3id.org/lotaip/def/"


@pytest.fixture
def site_store() -> OxigraphStore:
    """An in-memory store holding the hand-made sample report and a sliver of vocabulary."""
    store = OxigraphStore()
    for name, graph_iri in (("sample.ttl", SAMPLE_REPORT), ("vocab.ttl", SAMPLE_ONTOLOGY)):
        graph = Graph().parse(SITE_SAMPLE / name, format="turtle")
        store.replace_graph(URIRef(graph_iri), graph)
    return store


@pytest.fixture
def site_app(settings: Settings, site_store: OxigraphStore) -> Flask:
    """The web app over ``site_store`` (data folder empty: no dumps, no void.ttl)."""
    from publisher.web import create_app

    app = create_app(settings, site_store)
    app.testing = True
    return app


@pytest.fixture
def site_client(site_app: Flask) -> FlaskClient:
    """A test client of ``site_app``."""
    return site_app.test_client()


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data folder holds the five example reports, built once per session."""
    from publisher.pipeline import build  # imported here: the build pulls in pyshacl

    settings = load(env={}, data_dir=tmp_path_factory.mktemp("built") / "data")
    build([EXAMPLES], settings, quiet=True)
    return settings


@pytest.fixture(scope="session")
def built_store(built_settings: Settings) -> Store:
    """The published store of ``built_settings`` (read-only)."""
    return open_store(built_settings)


@pytest.fixture(scope="session")
def built_app(built_settings: Settings, built_store: Store) -> Flask:
    """The web app over the built examples."""
    from publisher.web import create_app

    app = create_app(built_settings, built_store)
    app.testing = True
    return app
