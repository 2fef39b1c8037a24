"""The W3C SPARQL 1.1 Protocol test cases (rdf-tests sparql11/protocol), in our own words.

The manifest has 34 cases: 20 query cases (13 that must answer, 7 malformed requests
that must get a 4xx) and 14 update cases. This endpoint is read-only, so every update
case, the well-formed ones included, must be refused with a 4xx and leave the data as
it was. Data: three tiny graphs named like the suite's data1..data3, each describing
itself as a foaf:Document.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF
from rdflib.query import Result
from sparql_data import close_app, make_app, parse_rdf, quads_fingerprint, sparql_settings

from publisher.store.embedded import OxigraphStore

D = "http://example.org/protocol/"
DATA = {n: f"{D}data{n}.rdf" for n in (1, 2, 3)}
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
RESULT_TYPES = {
    "application/sparql-results+xml",
    "application/sparql-results+json",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {"text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"}


@dataclass(frozen=True)
class Case:
    """One request and what must come back: a boolean, a table, a graph, or a 4xx."""

    name: str
    method: str
    params: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    body: bytes = b""
    accept: str = "*/*"
    expect: str = "true"  # "true", "false", "table", "graph", "4xx"


def _form(**values: str) -> bytes:
    return "&".join(f"{k}={quote(v)}" for k, v in values.items()).encode()


ASK_1_AND_2 = f"ASK {{ <{DATA[1]}> a ?type . <{DATA[2]}> a ?type . }}"
ASK_GRAPHS_1_2 = (
    f"ASK {{ GRAPH ?g1 {{ <{DATA[1]}> a ?type }} GRAPH ?g2 {{ <{DATA[2]}> a ?type }} }}"
)
DG, NG = "default-graph-uri", "named-graph-uri"

QUERY_CASES = [
    Case(
        "query via URL-encoded POST", "POST", [(DG, f"{D}data0.rdf")], FORM, _form(query="ASK {}")
    ),
    Case(
        "GET with protocol default graphs",
        "GET",
        [("query", ASK_1_AND_2), (DG, DATA[1]), (DG, DATA[2])],
    ),
    Case(
        "POST with protocol default graphs",
        "POST",
        [(DG, DATA[1]), (DG, DATA[2])],
        DIRECT,
        ASK_1_AND_2.encode(),
    ),
    Case(
        "POST with protocol named graphs",
        "POST",
        [(NG, DATA[1]), (NG, DATA[2])],
        DIRECT,
        ASK_GRAPHS_1_2.encode(),
    ),
    Case(
        "GET with protocol named graphs",
        "GET",
        [("query", ASK_GRAPHS_1_2), (NG, DATA[1]), (NG, DATA[2])],
    ),
    Case(
        "protocol dataset with default and named graphs",
        "POST",
        [(DG, DATA[3]), (NG, DATA[1]), (NG, DATA[2])],
        DIRECT,
        f"ASK {{ <{DATA[3]}> a ?type GRAPH ?g1 {{ <{DATA[1]}> a ?type }} "
        f"GRAPH ?g2 {{ <{DATA[2]}> a ?type }} }}".encode(),
    ),
    Case(
        "protocol dataset wins over FROM in the query",
        "GET",
        [("query", f"ASK FROM <{DATA[1]}> {{ <{DATA[2]}> a ?type }}"), (DG, DATA[2])],
    ),
    Case("query via GET", "GET", [("query", "ASK {}")]),
    Case(
        "SELECT answered in a result format asked for",
        "GET",
        [("query", "SELECT ?s WHERE { ?s a ?type }")],
        accept=", ".join(sorted(RESULT_TYPES)),
        expect="table",
    ),
    Case(
        "ASK answered as results XML",
        "GET",
        [("query", "ASK {}")],
        accept="application/sparql-results+xml",
    ),
    Case(
        "DESCRIBE answered as RDF",
        "GET",
        [("query", "DESCRIBE <http://example.org/>")],
        accept="application/rdf+xml, text/turtle",
        expect="graph",
    ),
    Case(
        "CONSTRUCT answered as RDF",
        "GET",
        [("query", "CONSTRUCT { <s> <p> 1 } WHERE {}")],
        accept="application/rdf+xml, text/turtle",
        expect="graph",
    ),
    Case("query via direct POST", "POST", [], DIRECT, b"ASK {}"),
    Case(
        "a method other than GET or POST",
        "PUT",
        [("query", "ASK {}"), (DG, f"{D}data0.rdf")],
        FORM,
        expect="4xx",
    ),
    Case(
        "more than one query string",
        "GET",
        [("query", "ASK {}"), ("query", "SELECT * {}")],
        expect="4xx",
    ),
    Case(
        "POST with a media type that is not a query's",
        "POST",
        [],
        "text/plain",
        b"ASK {}",
        expect="4xx",
    ),
    Case(
        "form-encoded body without its media type",
        "POST",
        [],
        None,
        _form(query="ASK {}"),
        expect="4xx",
    ),
    Case("direct POST without a media type", "POST", [], None, b"ASK {}", expect="4xx"),
    Case(
        "direct POST in UTF-16",
        "POST",
        [],
        f"{DIRECT}; charset=UTF-16",
        "ASK {}".encode("utf-16"),
        expect="4xx",
    ),
    Case("invalid query syntax", "GET", [("query", "ASK {")], expect="4xx"),
]

DROP_AND_FILL = (
    f"DROP ALL ; INSERT DATA {{ GRAPH <{DATA[1]}> {{ <{DATA[1]}> a <{FOAF.Document}> }} }}"
)
UPDATE_CASES = [
    Case(
        "update with one using-graph-uri",
        "POST",
        [("using-graph-uri", DATA[1])],
        UPDATE,
        DROP_AND_FILL.encode(),
        expect="4xx",
    ),
    Case(
        "update with two using-graph-uri",
        "POST",
        [("using-graph-uri", DATA[1]), ("using-graph-uri", DATA[2])],
        UPDATE,
        DROP_AND_FILL.encode(),
        expect="4xx",
    ),
    Case(
        "update with using-named-graph-uri",
        "POST",
        [("using-named-graph-uri", DATA[1])],
        UPDATE,
        DROP_AND_FILL.encode(),
        expect="4xx",
    ),
    Case(
        "update with a full protocol dataset",
        "POST",
        [("using-graph-uri", DATA[1]), ("using-named-graph-uri", DATA[2])],
        UPDATE,
        DROP_AND_FILL.encode(),
        expect="4xx",
    ),
    Case("update via URL-encoded POST", "POST", [], FORM, _form(update="CLEAR ALL"), expect="4xx"),
    Case("update via direct POST", "POST", [], UPDATE, b"CLEAR ALL", expect="4xx"),
    Case(
        "update relying on the service's base IRI",
        "POST",
        [],
        UPDATE,
        b"CLEAR GRAPH <http://example.org/protocol-base-test/> ; INSERT DATA { GRAPH "
        b"<http://example.org/protocol-base-test/> { <http://example.org/s> "
        b"<http://example.org/p> <test> } }",
        expect="4xx",
    ),
    Case("update via GET", "GET", [("update", "CLEAR ALL")], expect="4xx"),
    Case(
        "more than one update string",
        "POST",
        [],
        FORM,
        b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        expect="4xx",
    ),
    Case(
        "update with a media type that is not an update's",
        "POST",
        [],
        "text/plain",
        b"CLEAR NAMED",
        expect="4xx",
    ),
    Case(
        "form-encoded update without its media type",
        "POST",
        [],
        None,
        _form(update="CLEAR NAMED"),
        expect="4xx",
    ),
    Case(
        "direct update in UTF-16",
        "POST",
        [],
        f"{UPDATE}; charset=UTF-16",
        "CLEAR NAMED".encode("utf-16"),
        expect="4xx",
    ),
    Case("invalid update syntax", "POST", [], FORM, _form(update="CLEAR XYZ"), expect="4xx"),
    Case(
        "update with both using-named-graph-uri and WITH",
        "POST",
        [("using-named-graph-uri", "http://example/people")],
        UPDATE,
        b"PREFIX foaf: <http://xmlns.com/foaf/0.1/> WITH <http://example/addresses> "
        b"DELETE { ?person foaf:givenName 'Bill' } INSERT { ?person foaf:givenName 'William' }"
        b" WHERE { ?person foaf:givenName 'Bill' }",
        expect="4xx",
    ),
]


@pytest.fixture(scope="module")
def protocol_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("protocol")
    store = OxigraphStore(tmp / "store")
    for n, iri in DATA.items():
        graph = Graph()
        graph.add((URIRef(iri), RDF.type, FOAF.Document))
        graph.add((URIRef(iri), DCTERMS.title, Literal(f"Data {n}")))
        store.replace_graph(URIRef(iri), graph)
    app = make_app(store, sparql_settings(Path(tmp)))
    yield app
    close_app(app)


def _send(client: FlaskClient, case: Case):  # type: ignore[no-untyped-def]
    headers = {"Accept": case.accept}
    if case.content_type:
        headers["Content-Type"] = case.content_type
    return client.open(
        "/sparql", method=case.method, query_string=case.params, data=case.body, headers=headers
    )


def test_the_suite_has_20_query_and_14_update_cases() -> None:
    assert (len(QUERY_CASES), len(UPDATE_CASES)) == (20, 14)
    assert sum(c.expect == "4xx" for c in QUERY_CASES) == 7


@pytest.mark.parametrize("case", QUERY_CASES, ids=lambda c: c.name)
def test_query_case(protocol_app: Flask, case: Case) -> None:
    response = _send(protocol_app.test_client(), case)
    if case.expect == "4xx":
        assert 400 <= response.status_code < 500, response.data
        return
    assert response.status_code == 200, response.data
    if case.expect == "graph":
        assert response.mimetype in RDF_TYPES
        assert response.mimetype in case.accept
        fmt = {"application/rdf+xml": "xml", "text/turtle": "turtle"}[response.mimetype]
        parse_rdf(response.data, fmt)
        return
    assert response.mimetype in RESULT_TYPES
    if case.expect == "table":
        assert response.get_data(as_text=True).strip()
        return
    fmt = "xml" if response.mimetype.endswith("xml") else "json"
    answer = Result.parse(io.BytesIO(response.data), format=fmt).askAnswer
    assert answer is (case.expect == "true")


def test_protocol_dataset_really_restricts_the_default_graph(protocol_app: Flask) -> None:
    # The converse of "protocol dataset wins over FROM": data1 is not in the default graph.
    case = Case(
        "", "GET", [("query", f"ASK FROM <{DATA[1]}> {{ <{DATA[1]}> a ?t }}"), (DG, DATA[2])]
    )
    response = _send(protocol_app.test_client(), case)
    assert Result.parse(io.BytesIO(response.data), format="json").askAnswer is False


@pytest.mark.parametrize("case", UPDATE_CASES, ids=lambda c: c.name)
def test_update_case_is_refused_and_changes_nothing(protocol_app: Flask, case: Case) -> None:
    store = protocol_app.extensions["publisher.store.embedded"]
    before = quads_fingerprint(store)
    response = _send(protocol_app.test_client(), case)
    assert 400 <= response.status_code < 500, response.data
    assert quads_fingerprint(store) == before
    assert len(before) == 6
