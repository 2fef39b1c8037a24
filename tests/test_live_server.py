"""The site served for real: gunicorn on a free port, fetched with requests, parsed by rdflib."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")


def start_server(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``lotaip-lod serve`` on a free port; returns the process and its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(data_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port), *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/"
    wait_until_up(base, process)
    return process, base


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr:
        process.stderr.close()


@pytest.fixture(scope="module")
def live(built_settings: Settings) -> Iterator[str]:
    """Base URL of gunicorn (2 workers) serving the built examples."""
    process, base = start_server(built_settings.data_dir, "--workers", "2")
    yield base
    stop(process)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.rdflib_format], ids=lambda f: f.name)
def test_thing_303s_to_a_document_rdflib_can_parse(live: str, fmt) -> None:
    response = requests.get(live + LOJA, headers={"Accept": fmt.media_type}, timeout=10)
    assert response.history and response.history[0].status_code == 303
    assert response.url.endswith(f"/doc/institucion/gad-municipal-loja.{fmt.extension}")
    assert response.headers["Content-Type"] == f"{fmt.media_type}; charset=utf-8"
    graph = Graph().parse(data=response.content, format=fmt.rdflib_format)
    institution = URIRef("http://localhost:8000/" + LOJA)
    assert len(list(graph.objects(institution, ORG.hasUnit))) >= 30


def test_browser_gets_the_html_page_and_revalidates(live: str) -> None:
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    page = requests.get(live + LOJA, headers={"Accept": accept}, timeout=10)
    assert page.url.endswith("/doc/institucion/gad-municipal-loja")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Alcaldía" in page.text
    again = requests.get(page.url, headers={"If-None-Match": page.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


def test_unknown_uri_is_a_json_404_for_machines(live: str) -> None:
    response = requests.get(
        live + "id/institucion/nadie", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert response.status_code == 404
    assert response.json() == {"error": response.json()["error"], "status": 404}


def test_serve_without_a_build_fails_with_a_clear_message(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "lotaip-lod build" in result.stderr
