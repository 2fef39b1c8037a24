"""Predefined prefixes at /sparql (issue 14 item 6): a query may use lotaip:, org:, dct: …
without declaring them; a query that declares a prefix itself keeps its own IRI.

Through a real HTTP client against a real server, on the embedded store and on a remote
store (a real ``oxigraph serve``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from sparql_data import ID, close_app, live_server, make_app, make_store, sparql_settings
from test_faults import OxigraphServer, remote  # noqa: F401 (the remote store fixture)

from publisher.query.prefixes import declared_prefixes, with_prefixes
from publisher.settings import load
from publisher.vocab import PREFIXES, SH, XSD

pytestmark = pytest.mark.live

BARE = "SELECT DISTINCT ?i WHERE { ?i a lotaip:Institution ; rdfs:label ?l } ORDER BY ?i"
# Declares lotaip: with another IRI: the query means that one, so nothing matches.
OWN = "PREFIX lotaip: <http://example.org/other#>\n" + BARE
# A prefix the query declares itself and uses, bound to an IRI of its choosing.
BOUND = "PREFIX dct: <http://example.org/mine/> SELECT ?x WHERE { BIND(dct:thing AS ?x) }"


def test_with_prefixes_adds_only_what_is_used_and_undeclared() -> None:
    text = with_prefixes(OWN)
    assert text.count("PREFIX lotaip:") == 1  # the query's own, not ours
    assert f"PREFIX rdfs: <{PREFIXES['rdfs']}>" in text
    assert "PREFIX org:" not in text  # not used: not added
    # words in strings, IRIs and comments are not prefixes
    tricky = 'SELECT * WHERE { ?s ?p "org:x" . ?s <urn:x> ?o } # skos:y'
    assert with_prefixes(tricky) == tricky
    assert declared_prefixes("prefix  ex :<a:> PREFIX : <b:>") == {"ex", ""}


def test_prefixes_stay_on_the_first_line() -> None:
    # so that a parse error's line number is the line the user wrote
    assert with_prefixes("SELECT *\nWHERE { ?s a org:Organization }").count("\n") == 1


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("prefixes")
    app = make_app(make_store(tmp / "store"), sparql_settings(tmp))
    with live_server(app) as endpoint:
        yield endpoint
    close_app(app)


def _iris(url: str, query: str, method: str = "GET") -> list[str]:
    if method == "GET":
        got = requests.get(url, params={"query": query}, timeout=30)
    else:
        got = requests.post(url, data={"query": query}, timeout=30)
    assert got.status_code == 200, got.text
    return [row[next(iter(row))]["value"] for row in got.json()["results"]["bindings"]]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_query_without_prefix_lines_works_on_the_embedded_store(url: str, method: str) -> None:
    assert _iris(url, BARE, method) == [
        str(ID["institucion/gad-a"]),
        str(ID["institucion/gad-b"]),
    ]


def test_a_query_keeps_its_own_declarations(url: str) -> None:
    assert _iris(url, OWN) == []
    assert _iris(url, BOUND) == ["http://example.org/mine/thing"]


def test_an_undeclared_unknown_prefix_is_still_an_error(url: str) -> None:
    got = requests.get(url, params={"query": "SELECT * WHERE { ?s a nope:X }"}, timeout=30)
    assert got.status_code == 400


def test_the_service_description_lists_the_prefixes(url: str) -> None:
    got = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    graph = Graph().parse(data=got.text, format="turtle")
    declared = {
        str(graph.value(node, SH.prefix)): graph.value(node, SH.namespace)
        for node in graph.objects(URIRef(url), SH.declare)
    }
    assert declared["lotaip"] == Literal(PREFIXES["lotaip"], datatype=XSD.anyURI)
    assert set(declared) == set(PREFIXES)


def test_the_sparql_page_lists_the_prefixes(url: str) -> None:
    page = requests.get(url, headers={"Accept": "text/html"}, timeout=30).text
    for prefix, namespace in PREFIXES.items():
        assert f"<code>{prefix}:</code></td><td><code>{namespace}</code>" in page


def test_a_query_without_prefix_lines_works_on_a_remote_store(
    remote: OxigraphServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from publisher.web import create_app

    tmp = tmp_path_factory.mktemp("remote-prefixes")
    settings = load(
        env={}, data_dir=tmp / "data", store="sparql", sparql_query_url=remote.url + "/query"
    )
    app = create_app(settings)
    try:
        with live_server(app) as endpoint:
            found = _iris(endpoint, BARE)
            assert "http://localhost:8000/id/institucion/sot" in found
            assert _iris(endpoint, OWN) == []
    finally:
        close_app(app)
