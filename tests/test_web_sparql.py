"""/sparql through Flask's test client: every media type it serves, limits and caching."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.query import Result
from sparql_data import (
    ID,
    close_app,
    make_app,
    make_store,
    parse_rdf,
    report_iri,
    sparql_settings,
)
from test_remote_store import OxigraphEndpoint

from publisher.query.examples import load_examples
from publisher.settings import PROJECT_ROOT
from publisher.vocab import SD

SELECT = (
    "SELECT ?label WHERE { ?u a <https://w3id.org/lotaip/def/AdministrativeUnit> ;"
    " <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
TARGETS = "SELECT ?t WHERE { ?t a <https://w3id.org/lotaip/def/Target> } ORDER BY ?t"
CONSTRUCT = (
    "CONSTRUCT { ?t a ?c } WHERE { ?t a ?c . FILTER(?c = <https://w3id.org/lotaip/def/Target>) }"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("sparql")
    store = make_store(tmp / "store")
    app = make_app(store, sparql_settings(tmp, max_rows=2))
    yield app
    close_app(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _get(client: FlaskClient, query: str, accept: str = "*/*", **params: object):  # type: ignore[no-untyped-def]
    return client.get(
        "/sparql", query_string={"query": query, **params}, headers={"Accept": accept}
    )


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_in_each_result_format(client: FlaskClient, accept: str, media_type: str) -> None:
    response = _get(client, SELECT, accept)
    assert response.status_code == 200
    assert response.mimetype == media_type
    fmt = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}
    if media_type in fmt:
        result = Result.parse(io.BytesIO(response.data), format=fmt[media_type])
        labels = {str(row[0]) for row in result}  # type: ignore[index]
    elif media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert rows[0] == ["label"]
        labels = {r[0] for r in rows[1:]}
    else:
        result = Result.parse(io.StringIO(response.get_data(as_text=True)), format="tsv")
        labels = {str(row[0]) for row in result}  # type: ignore[index]
    assert labels == {"Dirección Financiera"}


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = _get(client, SELECT, "application/sparql-results+json", format="csv")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("label\r\n")


def test_format_parameter_takes_the_first_value_that_fits(client: FlaskClient) -> None:
    # As SPARQLWrapper sends them: a name and a media type; a graph format for a table
    # is passed over in favour of Accept.
    tsv = _get(client, SELECT, "*/*", format=["tsv", "text/tab-separated-values"])
    assert tsv.mimetype == "text/tab-separated-values"
    unsuitable = _get(client, SELECT, "text/csv", format="turtle")
    assert unsuitable.mimetype == "text/csv"
    rdfxml = _get(client, CONSTRUCT, "*/*", format="rdf+xml")
    assert rdfxml.mimetype == "application/rdf+xml"


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask(client: FlaskClient, accept: str) -> None:
    response = _get(client, "ASK { ?s a <https://w3id.org/lotaip/def/Target> }", accept)
    assert response.status_code == 200
    assert response.mimetype == accept
    fmt = "json" if accept.endswith("json") else "xml"
    assert Result.parse(io.BytesIO(response.data), format=fmt).askAnswer is True


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_construct_in_each_rdf_format(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    response = _get(client, CONSTRUCT.replace("WHERE", "WHERE"), accept)
    assert response.status_code == 200
    assert response.mimetype == accept
    graph = parse_rdf(response.data, rdflib_format)
    assert len(graph) == 2  # three targets, cut at max_rows = 2
    assert response.headers["X-SPARQL-Truncated"] == "2"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_cut_table_says_so_in_the_header_and_where_it_can_in_the_body(
    client: FlaskClient, fmt: str
) -> None:
    cut = _get(client, TARGETS, format=fmt)  # three targets, max_rows = 2
    whole = _get(client, TARGETS + " LIMIT 2", format=fmt)
    assert cut.headers["X-SPARQL-Truncated"] == "2"
    assert "X-SPARQL-Truncated" not in whole.headers
    if fmt == "json":
        doc = json.loads(cut.data)
        assert (doc["truncated"], doc["rowLimit"]) == (True, 2)
        assert len(doc["results"]["bindings"]) == 2
        assert "truncated" not in json.loads(whole.data)
    elif fmt == "xml":
        assert b"<!-- truncated: this endpoint answers at most 2 rows" in cut.data
        assert len(list(Result.parse(io.BytesIO(cut.data), format="xml"))) == 2
        assert b"truncated" not in whole.data
    else:  # no room for a note: the same body as an answer that was not cut
        assert cut.data == whole.data


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt")])
def test_a_cut_graph_says_so_in_a_comment(
    client: FlaskClient, fmt: str, rdflib_format: str
) -> None:
    response = _get(client, CONSTRUCT, format=fmt)
    assert response.data.startswith(b"# truncated: this endpoint answers at most 2 ")
    assert len(parse_rdf(response.data, rdflib_format)) == 2


def test_describe_answers_rdf(client: FlaskClient) -> None:
    iri = ID["institucion/gad-b"]
    response = _get(client, f"DESCRIBE <{iri}>", "text/turtle")
    graph = Graph().parse(data=response.data, format="turtle")
    assert (URIRef(iri), RDF.type, URIRef("https://w3id.org/lotaip/def/Institution")) in graph


def test_row_limit_cuts_and_says_so(client: FlaskClient) -> None:
    response = _get(client, TARGETS, "application/sparql-results+json")
    assert len(response.get_json()["results"]["bindings"]) == 2
    assert response.headers["X-SPARQL-Truncated"] == "2"
    small = _get(client, TARGETS + " LIMIT 1", "application/sparql-results+json")
    assert "X-SPARQL-Truncated" not in small.headers


def test_post_form_and_post_direct(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "text/csv"})
    direct = client.post(
        "/sparql",
        data=SELECT.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert form.status_code == direct.status_code == 200
    assert form.data == direct.data


def test_default_graph_uri_and_named_graph_uri(client: FlaskClient) -> None:
    only_b = _get(
        client,
        TARGETS,
        "application/sparql-results+json",
        **{"default-graph-uri": str(report_iri("b-2023-01"))},
    )
    assert len(only_b.get_json()["results"]["bindings"]) == 1
    graphs = client.get(
        "/sparql",
        query_string=[
            ("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
            ("named-graph-uri", str(report_iri("a-2023-01"))),
        ],
        headers={"Accept": "application/sparql-results+json"},
    )
    found = [b["g"]["value"] for b in graphs.get_json()["results"]["bindings"]]
    assert found == [str(report_iri("a-2023-01"))]


def test_malformed_query_is_400_with_the_parser_message(client: FlaskClient) -> None:
    response = _get(client, "SELECT ?s WHERE { ?s ?p ", "text/plain")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "malformed SPARQL query" in response.get_data(as_text=True)
    assert "Expected" in response.get_data(as_text=True)  # rdflib's own words


def test_errors_have_the_fixed_json_shape_for_json_clients(client: FlaskClient) -> None:
    response = _get(client, "ASK {", "application/json")
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"error", "status"}
    assert body["status"] == 400


def test_too_big_a_query_is_refused(client: FlaskClient, app: Flask) -> None:
    limit = app.extensions["publisher.settings"].max_query_bytes
    padding = "#" + "x" * limit + "\n"
    response = client.post("/sparql", data={"query": padding + "ASK {}"})
    assert response.status_code == 400
    assert "at most" in response.get_data(as_text=True)


def test_etag_and_cache(client: FlaskClient) -> None:
    first = _get(client, SELECT + " # etag", "text/csv")
    again = _get(client, SELECT + " # etag", "text/csv")
    assert first.headers["ETag"] == again.headers["ETag"]
    assert (first.headers["X-SPARQL-Cache"], again.headers["X-SPARQL-Cache"]) == ("miss", "hit")
    revalidated = client.get(
        "/sparql",
        query_string={"query": SELECT + " # etag"},
        headers={"Accept": "text/csv", "If-None-Match": first.headers["ETag"]},
    )
    assert revalidated.status_code == 304
    other_format = _get(client, SELECT + " # etag", "application/sparql-results+json")
    assert other_format.headers["ETag"] != first.headers["ETag"]


def test_cors(client: FlaskClient) -> None:
    assert _get(client, SELECT).headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")],
)
def test_service_description(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    graph = parse_rdf(response.data, rdflib_format)
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    names = set(graph.objects(None, SD.name))
    reports = {report_iri(k) for k in ("a-2023-01", "a-2023-02", "b-2023-01")}
    assert names == reports | {URIRef("http://localhost:8000/id/cambios")}


def test_browser_gets_the_query_page(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    page = client.get("/sparql", headers={"Accept": accept})
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '<textarea id="query"' in html
    for example in load_examples():
        assert f'value="{example.name}"' in html
    linked = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": accept})
    assert linked.mimetype == "text/html"
    assert 'data-autorun="true"' in linked.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es-EC,es;q=0.9", ["Consultas SPARQL", "Ejecutar", 'data-rows="filas"']),
        ("en-GB,en;q=0.9", ["SPARQL queries", "Run", 'data-rows="rows"']),
    ],
)
def test_query_page_speaks_the_readers_language(
    client: FlaskClient, language: str, words: list[str]
) -> None:
    headers = {"Accept": "text/html", "Accept-Language": language}
    html = client.get("/sparql", headers=headers).get_data(as_text=True)
    for word in words:
        assert word in html


def test_page_escapes_the_query_text(client: FlaskClient) -> None:
    accept = "text/html,*/*;q=0.8"
    evil = "ASK {} # </textarea><script>alert(1)</script>"
    html = client.get("/sparql", query_string={"query": evil}, headers={"Accept": accept}).get_data(
        as_text=True
    )
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_example_page_link_selects_the_example(client: FlaskClient) -> None:
    example = load_examples()[3]
    html = client.get(
        "/sparql", query_string={"example": example.name}, headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    assert f'value="{example.name}" selected' in html


def test_example_queries_are_checked_and_titled() -> None:
    from publisher.query import check_query

    examples = load_examples()
    assert len(examples) >= 12
    for example in examples:
        assert example.title
        assert check_query(example.text, 20000).form in ("SELECT", "ASK", "CONSTRUCT")


def test_example_queries_answer_on_hand_made_data(client: FlaskClient) -> None:
    # The hand-made data has the shapes the key examples look for (water, >90 %, 2023,
    # a unit in two institutions, a target changed between two reports).
    wanted = [
        "04-percent-targets-over-90",
        "05-objectives-about-water",
        "03-targets-due-in-a-year",
        "06-same-unit-across-institutions",
        "07-targets-changed-between-reports",
    ]
    by_name = {e.name: e for e in load_examples()}
    for name in wanted:
        response = _get(client, by_name[name].text, "application/sparql-results+json")
        assert response.status_code == 200, name
        assert response.get_json()["results"]["bindings"], name


def test_unsupported_method_is_405(client: FlaskClient) -> None:
    assert client.put("/sparql", query_string={"query": "ASK {}"}).status_code == 405


def test_in_memory_store_is_served_in_process(tmp_path: Path) -> None:
    app = make_app(make_store(None), sparql_settings(tmp_path))
    response = app.test_client().get(
        "/sparql", query_string={"query": TARGETS}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("\r\n") == 4  # header + three targets
    body = json.dumps(response.headers.get("X-SPARQL-Truncated"))
    assert body == "null"


LABELS = "SELECT ?x ?l WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def test_a_materialised_union_gives_set_semantics(tmp_path: Path) -> None:
    # Institution and unit triples repeat in every report of an institution; the union
    # must hold each once (pyoxigraph's union flag alone would repeat them per graph).
    app = make_app(make_store(tmp_path / "store", union=True), sparql_settings(tmp_path))
    try:
        response = _get(app.test_client(), LABELS, "application/sparql-results+json")
        rows = response.get_json()["results"]["bindings"]
        pairs = [(b["x"]["value"], b["l"]["value"]) for b in rows]
        assert len(pairs) == len(set(pairs)) == 11  # 15 with the bag union
    finally:
        close_app(app)


REMOTE = "http://remote.invalid/"
JSON_RESULTS = "application/sparql-results+json"
REMOTE_LABELS = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l"


def _remote_store(endpoint: Any, **options: Any) -> Any:
    from publisher.store.remote import RemoteStore

    return RemoteStore(
        REMOTE + "query", REMOTE + "update", scope=(REMOTE,), send=endpoint, **options
    )


def _labels(*texts: str) -> Graph:
    graph = Graph()
    for n, text in enumerate(texts):
        graph.add((URIRef(f"{REMOTE}x/{n}"), RDFS.label, Literal(text)))
    return graph


def _values(response: Any) -> list[str]:
    return [row["l"]["value"] for row in response.get_json()["results"]["bindings"]]


def _forwarded(endpoint: Any, text: str) -> int:
    """How many times ``text`` reached the server (version reads are other queries)."""
    return sum(1 for r in endpoint.requests if r.form.get("query") == text)


def test_remote_store_gets_checked_queries_forwarded(tmp_path: Path) -> None:
    from publisher.web import create_app

    endpoint = OxigraphEndpoint()
    store = _remote_store(endpoint)
    store.replace_graph(URIRef(REMOTE + "g/1"), _labels("uno"))
    client = create_app(sparql_settings(tmp_path), store).test_client()
    ok = _get(client, "ASK { ?s ?p ?o }", "application/sparql-results+json")
    assert (ok.status_code, ok.get_json()["boolean"]) == (200, True)
    sent = [r for r in endpoint.requests if r.form.get("query") == "ASK { ?s ?p ?o }"]
    assert sent[0].headers["Accept"] == "application/sparql-results+json"
    before = len(endpoint.requests)
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert _get(client, service).status_code == 403
    assert client.post("/sparql", data={"update": "DROP ALL"}).status_code == 403
    dataset = _get(client, "ASK {}", **{"default-graph-uri": "http://x/g"})
    assert dataset.status_code == 400
    # nothing refused ever reached the server (the dataset case read the version only)
    after = endpoint.requests[before:]
    assert all("SERVICE" not in r.form.get("query", "") for r in after)
    assert all("update" not in r.form and r.form.get("query") != "ASK {}" for r in after)


def test_remote_answers_are_cached_by_the_stores_version(tmp_path: Path) -> None:
    from publisher.web import create_app

    endpoint = OxigraphEndpoint()
    store = _remote_store(endpoint)
    store.replace_graph(URIRef(REMOTE + "g/1"), _labels("uno", "dos"))
    client = create_app(sparql_settings(tmp_path), _remote_store(endpoint)).test_client()
    first = _get(client, REMOTE_LABELS, JSON_RESULTS)
    again = _get(client, REMOTE_LABELS, JSON_RESULTS)
    assert (first.status_code, first.headers["X-SPARQL-Cache"]) == (200, "miss")
    assert (again.headers["X-SPARQL-Cache"], again.data) == ("hit", first.data)
    assert again.headers["ETag"] == first.headers["ETag"]
    revalidated = client.get(
        "/sparql",
        query_string={"query": REMOTE_LABELS},
        headers={"Accept": JSON_RESULTS, "If-None-Match": first.headers["ETag"]},
    )
    assert revalidated.status_code == 304
    assert _forwarded(endpoint, REMOTE_LABELS) == 1
    assert _values(first) == ["dos", "uno"]


@pytest.mark.parametrize("loader", ["update", "graph store"])
def test_a_rebuild_of_the_remote_store_is_never_served_stale(tmp_path: Path, loader: str) -> None:
    from publisher.web import create_app

    endpoint = OxigraphEndpoint()
    # The builder is another object (another process): only the store tells the site.
    options = {"graph_store_url": REMOTE + "store"} if loader == "graph store" else {}
    builder = _remote_store(endpoint, **options)
    builder.replace_graph(URIRef(REMOTE + "g/1"), _labels("uno", "dos"))
    client = create_app(sparql_settings(tmp_path), _remote_store(endpoint)).test_client()
    old = _get(client, REMOTE_LABELS, JSON_RESULTS)
    assert _get(client, REMOTE_LABELS, JSON_RESULTS).headers["X-SPARQL-Cache"] == "hit"
    # the same number of rows, the same size: only the version can tell the change
    builder.replace_graph(URIRef(REMOTE + "g/1"), _labels("uni", "tres"))
    new = _get(client, REMOTE_LABELS, JSON_RESULTS)
    assert new.headers["X-SPARQL-Cache"] == "miss"
    assert _values(new) == ["tres", "uni"]
    assert new.headers["ETag"] != old.headers["ETag"]
    stale = client.get(
        "/sparql",
        query_string={"query": REMOTE_LABELS},
        headers={"Accept": JSON_RESULTS, "If-None-Match": old.headers["ETag"]},
    )
    assert (stale.status_code, stale.data) == (200, new.data)
    builder.remove_graph(URIRef(REMOTE + "g/1"))
    assert _values(_get(client, REMOTE_LABELS, JSON_RESULTS)) == []


def test_new_data_means_a_new_etag_and_a_fresh_answer(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    app = make_app(store, sparql_settings(tmp_path))
    try:
        client = app.test_client()
        before = _get(client, TARGETS, "text/csv")
        assert before.get_data(as_text=True).count("\r\n") == 4
        store.remove_graph(report_iri("b-2023-01"))
        after = _get(client, TARGETS, "text/csv")
        assert after.headers["ETag"] != before.headers["ETag"]
        assert after.headers["X-SPARQL-Cache"] == "miss"
        assert after.get_data(as_text=True).count("\r\n") == 3  # the workers see the change
    finally:
        close_app(app)


def test_a_worker_that_dies_is_replaced(app: Flask, client: FlaskClient) -> None:
    assert _get(client, "ASK { ?s ?p 1 }").status_code == 200
    pool = app.extensions["publisher.sparql"]._runner
    for worker in list(pool._idle):
        worker.process.kill()
        worker.process.join(5)
    dead = {w.process.pid for w in list(pool._idle)}
    statuses = {_get(client, f"ASK {{ ?s ?p {n} }}").status_code for n in range(2, 6)}
    assert statuses == {200}
    assert dead.isdisjoint(w.process.pid for w in list(pool._idle))


def test_the_page_renders_a_cut_answer_with_its_notice(tmp_path: Path) -> None:
    # Without JavaScript the server's table is all there is: it must say it was cut.
    store = make_store(tmp_path / "store", union=True)
    app = make_app(store, sparql_settings(tmp_path, max_rows=2))
    try:
        page = app.test_client().get(
            "/sparql",
            query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "lang": "en"},
            headers={"Accept": "text/html"},
        )
        html = page.get_data(as_text=True)
        assert html.split('id="results"')[1].count("<tr><td") == 2
        assert "results cut at 2 rows" in html
        assert 'class="results truncated"' in html
    finally:
        close_app(app)


@pytest.mark.parametrize("vendored", [("yasqe", "yasr"), ("yasqe",), ()])
def test_the_page_loads_only_the_vendor_files_it_has(
    tmp_path: Path, vendored: tuple[str, ...]
) -> None:
    # YASQE and YASR are each used when `make` vendored them; a missing one is neither
    # linked (no 404 in the page) nor named in the page's data.
    vendor = PROJECT_ROOT / "site" / "static" / "vendor"
    if not (vendor / "yasr.min.js").is_file():
        pytest.skip("vendor files missing: run 'make site/static/vendor/yasqe.min.js'")
    site = tmp_path / "site"
    shutil.copytree(PROJECT_ROOT / "site", site, ignore=shutil.ignore_patterns("vendor"))
    (site / "static" / "vendor").mkdir()
    for name in vendored:
        for ext in ("js", "css"):
            shutil.copy(vendor / f"{name}.min.{ext}", site / "static" / "vendor")
    store = make_store(None)
    app = make_app(store, sparql_settings(tmp_path, site_dir=site))
    try:
        html = app.test_client().get("/sparql", headers={"Accept": "text/html"}).text
    finally:
        close_app(app)
    for name in ("yasqe", "yasr"):
        for ext in ("js", "css"):
            assert (f"vendor/{name}.min.{ext}" in html) == (name in vendored), (name, ext)
    assert ('id="yasr-words"' in html) == ("yasr" in vendored)
    assert "sparql.js" in html and "sparql.css" in html
