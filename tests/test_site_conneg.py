"""Content negotiation rounded off (issue 15): ``?format=`` media types, ``.json``, 406
for an unknown format, collections listing their members, Turtle with prefixes."""

from __future__ import annotations

import pytest
from flask import Flask
from rdflib import RDFS, Graph, URIRef

from publisher.settings import Settings

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")

LOJA = "/doc/institucion/gad-municipal-loja"


@pytest.mark.parametrize(
    ("asked", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("turtle", "text/turtle"),
        ("ttl", "text/turtle"),
    ],
)
def test_format_takes_names_extensions_and_media_types(
    built_app: Flask, asked: str, media_type: str
) -> None:
    response = built_app.test_client().get(LOJA, query_string={"format": asked})
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_json_extension_is_json_ld(built_app: Flask, built_settings: Settings) -> None:
    response = built_app.test_client().get(LOJA + ".json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    graph = Graph().parse(data=response.data, format="json-ld")
    loja = URIRef(built_settings.base_uri + "id/institucion/gad-municipal-loja")
    assert (loja, None, None) in graph


def test_unknown_format_is_406_listing_the_formats(built_app: Flask) -> None:
    response = built_app.test_client().get(
        LOJA, query_string={"format": "pdf"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 406
    message = response.get_json()["error"]
    assert "'pdf'" in message
    assert all(name in message for name in ("html", "turtle", "jsonld", "text/turtle"))


def test_collection_uri_303s_to_its_member_list(built_app: Flask, built_settings: Settings) -> None:
    client = built_app.test_client()
    found = client.get("/id/institucion/")
    assert found.status_code == 303 and found.location == "/doc/institucion/"
    page = client.get("/doc/institucion/")
    assert page.status_code == 200
    assert 'href="/doc/institucion/gad-municipal-loja"' in page.text
    turtle = client.get("/id/institucion/", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 303
    graph = Graph().parse(data=client.get(turtle.location).data, format="turtle")
    members = set(graph.objects(URIRef(built_settings.base_uri + "id/institucion/"), RDFS.member))
    assert URIRef(built_settings.base_uri + "id/institucion/gad-municipal-loja") in members
    assert len(members) == 5


def test_report_collection_lists_every_report(built_app: Flask) -> None:
    page = built_app.test_client().get("/doc/reporte/")
    assert page.status_code == 200
    assert page.text.count('<li><a href="/doc/reporte/') == 5


def test_turtle_names_our_things_with_prefixes(built_app: Flask, built_settings: Settings) -> None:
    text = built_app.test_client().get(LOJA + ".ttl").text
    assert f"@prefix institucion: <{built_settings.base_uri}id/institucion/> ." in text
    assert "institucion:gad-municipal-loja " in text
    assert f"<{built_settings.base_uri}id/institucion/gad-municipal-loja>" not in text
    assert "org:hasUnit" in text
