"""One error handler: HTML for browsers, one fixed JSON shape for machines."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from publisher.errors import NotFound, QueryError, StoreError

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_error_shape_is_fixed_for_machines(site_client: FlaskClient) -> None:
    response = site_client.get("/nothing/here", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "status"}
    assert body["status"] == 404 and isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "*/*", ""])
def test_non_browsers_get_json(site_client: FlaskClient, accept: str) -> None:
    # no Accept (or */*) means HTML is fine, as for any browser; RDF clients get JSON
    response = site_client.get("/doc/institucion/nadie", headers={"Accept": accept})
    assert response.status_code == 404
    expected = "text/html" if accept in ("*/*", "") else "application/json"
    assert response.mimetype == expected


def test_browsers_get_a_helpful_404_page(site_client: FlaskClient) -> None:
    response = site_client.get("/id/institucion/nadie", headers={"Accept": BROWSER})
    assert response.status_code == 404
    page = response.data.decode()
    assert "No encontrado" in page
    assert 'href="/browse"' in page and 'href="/sparql"' in page
    assert "/id/institucion/nadie" in page
    english = site_client.get("/id/x?lang=en", headers={"Accept": BROWSER}).data.decode()
    assert "Not found" in english
    assert 'href="/id/x?lang=es"' in english  # the switch stays on the missing page


def test_404_page_escapes_the_path(site_client: FlaskClient) -> None:
    page = site_client.get("/x/<b>hola</b>", headers={"Accept": BROWSER}).data.decode()
    assert "<b>hola</b>" not in page


def test_method_not_allowed_keeps_allow(site_client: FlaskClient) -> None:
    response = site_client.post("/doc/institucion/demo", headers={"Accept": "application/json"})
    assert response.status_code == 405
    assert response.get_json()["status"] == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("error", "status"),
    [(NotFound("no such report"), 404), (QueryError("bad query"), 400), (StoreError("gone"), 503)],
)
def test_library_errors_map_to_statuses_with_their_message(
    site_app: Flask, error: Exception, status: int
) -> None:
    @site_app.get("/boom")
    def boom() -> str:
        raise error

    response = site_app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert response.get_json() == {"error": str(error), "status": status}


def test_a_bug_is_a_500_that_leaks_nothing(site_app: Flask) -> None:
    @site_app.get("/bug")
    def bug() -> str:
        raise RuntimeError("secret detail")

    response = site_app.test_client().get("/bug", headers={"Accept": "application/json"})
    assert response.get_json() == {"error": "internal server error", "status": 500}
