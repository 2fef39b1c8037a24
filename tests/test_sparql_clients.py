"""Real SPARQL clients against a real server on a free port of 127.0.0.1.

SPARQLWrapper in every result format with GET, form POST and direct POST; rdflib's
``SPARQLStore``; and raw ``requests`` the way curl users write them.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from sparql_data import ID, close_app, live_server, make_app, make_store, sparql_settings
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from publisher.vocab import LOTAIP

pytestmark = pytest.mark.live

SELECT = (
    "PREFIX lotaip: <https://w3id.org/lotaip/def/> "
    "PREFIX qudt: <http://qudt.org/schema/qudt/> "
    "SELECT ?t ?v WHERE { ?t a lotaip:Target ; qudt:numericValue ?v } ORDER BY ?v"
)
ASK = "ASK { ?s a <https://w3id.org/lotaip/def/Institution> }"
CONSTRUCT = (
    "CONSTRUCT { ?i a <https://w3id.org/lotaip/def/Institution> } "
    "WHERE { ?i a <https://w3id.org/lotaip/def/Institution> }"
)
INSTITUTIONS = {ID["institucion/gad-a"], ID["institucion/gad-b"]}
# (request method, SPARQLWrapper request encoding)
METHODS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("clients")
    app = make_app(make_store(tmp / "store"), sparql_settings(tmp))
    with live_server(app) as endpoint:
        yield endpoint
    close_app(app)


def _wrapper(url: str, query: str, fmt: str, method: tuple[str, str]) -> Any:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method[0])
    client.setRequestMethod(method[1])
    with warnings.catch_warnings():
        # SPARQLWrapper's JSON-LD converter builds an rdflib ConjunctiveGraph (deprecated).
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return client.query().convert()


def _values_from(fmt: str, converted: Any) -> list[str]:
    """The ?v column of SELECT's answer in each SPARQLWrapper return format."""
    if fmt == JSON:
        return [b["v"]["value"] for b in converted["results"]["bindings"]]
    if fmt == XML:
        result = Result.parse(io.StringIO(converted.toxml()), format="xml")
        return [str(row[1]) for row in result]  # type: ignore[index]
    text = converted.decode("utf-8")
    if fmt == CSV:
        return [row[1] for row in list(csv.reader(io.StringIO(text)))[1:]]
    result = Result.parse(io.StringIO(text), format="tsv")
    return [str(row[1]) for row in result]  # type: ignore[index]


@pytest.mark.parametrize("method", METHODS, ids=["GET", "POST-form", "POST-direct"])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(url: str, fmt: str, method: tuple[str, str]) -> None:
    assert _values_from(fmt, _wrapper(url, SELECT, fmt, method)) == ["95", "95", "97"]


@pytest.mark.parametrize("method", METHODS, ids=["GET", "POST-form", "POST-direct"])
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(url: str, fmt: str, method: tuple[str, str]) -> None:
    converted = _wrapper(url, ASK, fmt, method)
    if fmt == JSON:
        assert converted["boolean"] is True
    else:
        assert Result.parse(io.StringIO(converted.toxml()), format="xml").askAnswer is True


@pytest.mark.parametrize("method", METHODS, ids=["GET", "POST-form", "POST-direct"])
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(url: str, fmt: str, method: tuple[str, str]) -> None:
    converted = _wrapper(url, CONSTRUCT, fmt, method)
    if isinstance(converted, bytes):
        converted = Graph().parse(data=converted, format="turtle")
    assert set(converted.subjects(RDF.type, LOTAIP.Institution)) == INSTITUTIONS


def test_rdflib_sparqlstore(url: str) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=url, returnFormat="xml"))
    rows = list(graph.query(SELECT))
    assert [str(row[1]) for row in rows] == ["95", "95", "97"]  # type: ignore[index]
    assert set(graph.subjects(RDF.type, LOTAIP.Institution)) == INSTITUTIONS
    labels = set(graph.objects(ID["institucion/gad-a"], RDFS.label))
    assert [str(label) for label in labels] == ["GAD Municipal A"]
    assert bool(graph.query(ASK).askAnswer)


def test_rdflib_sparqlstore_json(url: str) -> None:
    store = SPARQLStore(query_endpoint=url, returnFormat="json", method="POST")
    assert (ID["institucion/gad-b"], RDF.type, LOTAIP.Institution) in Graph(store=store)


def test_raw_http_like_curl(url: str) -> None:
    got = requests.get(url, params={"query": ASK}, timeout=10)
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith("application/sparql-results+json")
    assert got.json()["boolean"] is True
    direct = requests.post(
        url,
        data=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        timeout=10,
    )
    assert direct.text.splitlines()[0] == "t,v"
    form = requests.post(
        url, data={"query": CONSTRUCT}, headers={"Accept": "text/turtle"}, timeout=10
    )
    graph = Graph().parse(data=form.text, format="turtle")
    assert set(graph.subjects(RDF.type, LOTAIP.Institution)) == INSTITUTIONS
    bad = requests.get(url, params={"query": "SELECT * WHERE {"}, timeout=10)
    assert bad.status_code == 400
    assert "malformed SPARQL query" in bad.text
    assert requests.post(url, data={"update": "CLEAR ALL"}, timeout=10).status_code == 403


def test_service_description_for_monitors(url: str) -> None:
    got = requests.get(url, headers={"Accept": "text/turtle"}, timeout=10)
    graph = Graph().parse(data=got.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(url), URIRef(sd + "endpoint"), URIRef(url)) in graph
