"""Shared fixtures: settings in a temporary folder, the real example reports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from publisher.settings import Settings, load
from publisher.store.embedded import OxigraphStore, Store, open_store

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
    from publisher.build.pipeline import build  # imported here: the build pulls in pyshacl

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


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    data_dir: Path,
    *extra: str,
    seconds: float = 30,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """``lotaip-lod serve`` on a free port for the ``with`` block; yields its base URL.

    ``cwd`` is the server's working directory (``data_dir`` may be relative to it), ``env``
    its environment (default: this one's).

    The server's log goes to a temporary file (a pipe nobody reads could fill and stall
    it) and is shown if the server dies before answering. Only this process is stopped.
    """
    port = free_port()
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(data_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port), *extra]
    base = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile() as log:
        environ = None if env is None else {**os.environ, **env}
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=environ
        )
        try:
            _wait_until_up(base, process, log, seconds)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen, log: IO[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')}")
        try:
            requests.get(base, timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):  # up but still booting
            time.sleep(0.1)
    raise RuntimeError(f"server at {base} did not answer within {seconds} s")


@pytest.fixture(scope="session")
def live_server(built_settings: Settings) -> Iterator[str]:
    """Base URL of ``lotaip-lod serve`` (gunicorn, 2 workers) over the built examples."""
    with running_server(built_settings.data_dir, "--workers", "2") as base:
        yield base


CHROMIUM = Path("/usr/bin/chromium")
#: Headless chromium as root on a machine with no network but loopback: without the
#: background-networking flags it keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's chromium, headless, driven by Playwright; one per test session.

    Skipped only when chromium is not installed (``.ci/run`` installs it).
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()
