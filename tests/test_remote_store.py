"""RemoteStore unit tests: a fake at the HTTP seam, no server needed.

The fake (``OxigraphEndpoint``) answers like a SPARQL 1.1 server would, from an in-process
pyoxigraph store, and records every request, so tests check both what is sent and what
comes back. Real servers are exercised by ``test_store_contract.py``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from publisher.errors import QueryError, QueryTimeout, StoreError, StoreUnavailable
from publisher.settings import load
from publisher.store.embedded import open_store
from publisher.store.remote import (
    HttpRequest,
    HttpResponse,
    HttpSender,
    RemoteStore,
    check_response,
)
from publisher.store.sparqltext import bind_values, term_from_json
from publisher.vocab import LOTAIP

EX = "http://example.org/"
G1, G2 = URIRef(EX + "graph/1"), URIRef(EX + "graph/2")
JSON = {"content-type": "application/sparql-results+json"}


class OxigraphEndpoint:
    """A fake SPARQL server: pyoxigraph behind the ``send`` seam, union default graph
    (``union=False``: its own default graph, as Oxigraph server without
    ``--union-default-graph``)."""

    def __init__(self, union: bool = True) -> None:
        self.store = ox.Store()
        self.union = union
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        if request.method in ("PUT", "DELETE"):
            return self._graph_store(request)
        if "update" in request.form:
            self.store.update(request.form["update"])
            return HttpResponse(204, {}, b"")
        try:
            result = self.store.query(request.form["query"], use_default_graph_as_union=self.union)
        except SyntaxError as err:
            return HttpResponse(400, {"content-type": "text/plain"}, str(err).encode())
        if isinstance(result, ox.QueryTriples):
            body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
            return HttpResponse(200, {"content-type": "application/n-triples"}, body)
        return HttpResponse(200, JSON, result.serialize(format=ox.QueryResultsFormat.JSON))

    def _graph_store(self, request: HttpRequest) -> HttpResponse:
        name: ox.NamedNode | ox.DefaultGraph
        if "default" in request.params:
            name = ox.DefaultGraph()
            existed = bool(list(self.store.quads_for_pattern(None, None, None, name)))
            self.store.clear_graph(name)
        else:
            name = ox.NamedNode(request.params["graph"])
            existed = self.store.contains_named_graph(name)
        if existed and isinstance(name, ox.NamedNode):
            self.store.remove_graph(name)
        if request.method == "DELETE":
            return HttpResponse(204 if existed else 404, {}, b"")
        self.store.load(request.body, ox.RdfFormat.N_TRIPLES, to_graph=name)
        return HttpResponse(204 if existed else 201, {}, b"")

    @property
    def updates(self) -> list[str]:
        """The text of every update request, in order."""
        return [r.form["update"] for r in self.requests if "update" in r.form]


@pytest.fixture
def endpoint() -> OxigraphEndpoint:
    return OxigraphEndpoint()


@pytest.fixture
def store(endpoint: OxigraphEndpoint) -> RemoteStore:
    return RemoteStore(EX + "query", EX + "update", scope=(EX,), send=endpoint)


def labels(count: int, prefix: str = "item") -> Graph:
    graph = Graph()
    for i in range(count):
        graph.add((URIRef(f"{EX}{prefix}/{i}"), RDFS.label, Literal(f"{prefix} {i}", lang="es")))
    return graph


# -- loading -------------------------------------------------------------------------------


def test_small_graph_is_replaced_by_one_update_request(store, endpoint):
    store.replace_graph(G1, labels(3))
    store.replace_graph(G1, labels(2, "other"))
    assert len(endpoint.updates) == 2
    assert endpoint.updates[1].startswith(f"DROP SILENT GRAPH <{G1}> ;")
    assert len(store) == 2
    assert store.graphs() == [G1]


def test_large_graph_is_sent_in_chunks_and_arrives_whole(endpoint):
    store = RemoteStore(EX + "query", EX + "update", chunk_size=100, send=endpoint)
    store.replace_graph(G1, labels(250))
    assert len(endpoint.updates) == 3
    assert f"DROP SILENT GRAPH <{G1}>" in endpoint.updates[0]
    assert all(f"DROP SILENT GRAPH <{G1}>" not in u for u in endpoint.updates[1:])
    # the new version is marked by the last part only, in the same request
    marked = [str(store.version_graph) in u for u in endpoint.updates]
    assert marked == [False, False, True]
    assert len(store) == 250


def test_blank_nodes_keep_their_identity_across_chunks(endpoint):
    store = RemoteStore(EX + "query", EX + "update", chunk_size=2, send=endpoint)
    graph, node = labels(5), BNode()
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), node))
    graph.add((node, RDFS.label, Literal("nodo")))
    store.replace_graph(G1, graph)
    # Virtuoso refuses blank nodes in INSERT DATA; the template form keeps one label per request.
    assert "INSERT { GRAPH" in endpoint.updates[0]
    assert "_:" not in "".join(endpoint.updates[1:])
    rows = store.select(f"SELECT ?l WHERE {{ <{EX}a> <{EX}p> ?n . ?n ?x ?l }}")
    assert rows == [{"l": Literal("nodo")}]


def test_empty_graph_just_drops(store, endpoint):
    store.replace_graph(G1, labels(2))
    store.replace_graph(G1, Graph())
    assert endpoint.updates[-1].startswith(f"DROP SILENT GRAPH <{G1}> ;\n")
    assert f"GRAPH <{G1}> {{" not in endpoint.updates[-1]  # nothing inserted into it
    assert len(store) == 0


def test_remove_graph_leaves_the_others(store):
    store.replace_graph(G1, labels(2))
    store.replace_graph(G2, labels(3, "b"))
    store.remove_graph(G1)
    store.remove_graph(URIRef(EX + "graph/never-loaded"))
    assert store.graphs() == [G2]
    assert len(store) == 3


def test_graphs_outside_the_scope_are_neither_written_nor_counted(store, endpoint):
    endpoint.store.update('INSERT DATA { GRAPH <urn:system> { <urn:a> <urn:b> "c" } }')
    store.replace_graph(G1, labels(2))
    assert store.graphs() == [G1]
    assert len(store) == 2
    with pytest.raises(StoreError, match="outside this store's scope"):
        store.replace_graph(URIRef("urn:system"), labels(1))
    with pytest.raises(StoreError, match="outside"):
        store.remove_graph(URIRef("urn:system"))


def test_without_update_url_the_store_is_read_only(endpoint):
    store = RemoteStore(EX + "query", send=endpoint)
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graph(G1, labels(1))
    assert endpoint.requests == []


def test_invalid_iri_in_data_is_refused_before_sending(store, endpoint):
    graph = Graph()
    graph.add((URIRef(EX + "a b"), RDFS.label, Literal("x")))
    with pytest.raises(QueryError, match="not a valid IRI"):
        store.replace_graph(G1, graph)
    assert endpoint.requests == []


def test_with_a_graph_store_url_a_graph_is_one_put_of_n_triples(endpoint):
    store = RemoteStore(EX + "query", graph_store_url=EX + "store", chunk_size=10, send=endpoint)
    graph, node = labels(25), BNode()
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), node))
    graph.add((node, RDFS.label, Literal('con "comillas"\n')))
    store.replace_graph(G1, graph)
    store.replace_graph(G1, graph)
    puts = [r for r in endpoint.requests if r.method == "PUT"]
    # each data PUT is followed by the PUT of the new version
    marker = str(store.version_graph)
    assert [(r.url, r.params["graph"]) for r in puts] == [
        (EX + "store", str(G1)),
        (EX + "store", marker),
    ] * 2
    assert puts[0].headers["Content-Type"] == "application/n-triples"
    assert isomorphic(Graph().parse(data=puts[0].body, format="nt"), graph)
    assert len(store) == 27


def test_graph_store_delete_of_a_missing_graph_is_not_an_error(endpoint):
    store = RemoteStore(EX + "query", graph_store_url=EX + "store", send=endpoint)
    store.replace_graph(G1, labels(2))
    store.remove_graph(G1)
    store.remove_graph(G1)
    on_g1 = [r.method for r in endpoint.requests if r.params.get("graph") == str(G1)]
    assert on_g1 == ["PUT", "DELETE", "DELETE"]
    assert len(store) == 0


# -- querying ------------------------------------------------------------------------------


def test_select_with_bindings_sends_values_and_reads_terms(store, endpoint):
    store.replace_graph(G1, labels(3))
    rows = store.select("SELECT ?l WHERE { ?s ?p ?l }", {"s": URIRef(EX + "item/1")})
    assert rows == [{"l": Literal("item 1", lang="es")}]
    sent = endpoint.requests[-1]
    assert f"VALUES (?s) {{ (<{EX}item/1>) }}" in sent.form["query"]
    assert sent.headers["Accept"] == "application/sparql-results+json"


def test_unbound_variables_are_left_out(store):
    store.replace_graph(G1, labels(1))
    rows = store.select(
        f"SELECT ?s ?missing WHERE {{ ?s <{RDFS.label}> ?o OPTIONAL {{ ?s <{EX}no> ?missing }} }}"
    )
    assert rows == [{"s": URIRef(EX + "item/0")}]


def test_ask_and_construct(store):
    store.replace_graph(G1, labels(2))
    assert store.ask("ASK { ?s ?p ?o }", {"s": URIRef(EX + "item/0")}) is True
    assert store.ask("ASK { ?s ?p ?o }", {"s": URIRef(EX + "nothing")}) is False
    graph = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert set(graph) == set(labels(2))


# -- the dataset version ---------------------------------------------------------------------


def test_every_write_marks_a_version_that_other_readers_see(store, endpoint):
    reader = RemoteStore(EX + "query", scope=(EX,), send=endpoint)  # another process, say
    assert reader.marked_version() is None
    seen = set()
    for write in (
        lambda: store.replace_graph(G1, labels(2)),
        lambda: store.replace_graph(G1, labels(2)),  # the same data again: still a write
        lambda: store.replace_graph(G2, labels(1)),
        lambda: store.remove_graph(G1),
        lambda: store.remove_graph(G1),  # already gone
    ):
        write()
        seen.add(reader.version)
        assert reader.version == store.version
    assert len(seen) == 5


def test_the_version_graph_is_neither_listed_nor_counted_nor_writable(store):
    store.replace_graph(G1, labels(2))
    assert store.marked_version() is not None
    assert store.version_graph == URIRef(EX + "id/dataset")
    assert store.graphs() == [G1]
    assert len(store) == 2
    with pytest.raises(StoreError, match="mark_version"):
        store.replace_graph(store.version_graph, labels(1))
    with pytest.raises(StoreError, match="mark_version"):
        store.remove_graph(store.version_graph)


def test_mark_version_records_the_builds_version(store, endpoint):
    assert store.mark_version("20261122T010203Z") == "20261122T010203Z"
    assert store.marked_version() == "20261122T010203Z"
    assert store.version.endswith("#20261122T010203Z")
    by_put = RemoteStore(EX + "query", graph_store_url=EX + "store", scope=(EX,), send=endpoint)
    by_put.mark_version("v2")
    assert store.marked_version() == "v2"
    with pytest.raises(StoreError, match="read-only"):
        RemoteStore(EX + "query", scope=(EX,), send=endpoint).mark_version("v3")


def test_open_store_keeps_the_version_in_the_datasets_graph(tmp_path):
    settings = load(env={}, data_dir=tmp_path, store="sparql", sparql_query_url=EX + "query")
    store = open_store(settings)
    assert isinstance(store, RemoteStore)
    assert store.version_graph == URIRef(settings.base_uri + "id/dataset")


def test_an_unmarked_store_changes_version_with_time(store, monkeypatch):
    # Loaded by other means (a bulk loader) and never marked: answers at most version_ttl old.
    monkeypatch.setattr("publisher.store.remote.time.time", lambda: 1000.0)
    first = store.version
    assert store.version == first
    monkeypatch.setattr("publisher.store.remote.time.time", lambda: 1000.0 + store.version_ttl)
    assert store.version != first
    store.mark_version("v1")
    assert store.version.endswith("#v1")


def test_while_the_server_is_down_the_last_version_read_is_kept(endpoint):
    down = {"now": False}

    def send(request: HttpRequest) -> HttpResponse:
        if down["now"]:
            raise StoreUnavailable("connection refused")
        return endpoint(request)

    store = RemoteStore(EX + "query", EX + "update", scope=(EX,), send=send)
    fresh = RemoteStore(EX + "query", scope=(EX,), send=send)
    store.replace_graph(G1, labels(1))
    known = store.version
    down["now"] = True
    assert store.version == known
    with pytest.raises(StoreUnavailable):
        _ = fresh.version  # never read: nothing to fall back on


def test_forward_returns_the_servers_answer_untouched(store):
    store.replace_graph(G1, labels(1))
    text = f"SELECT ?s WHERE {{ ?s <{RDFS.label}> ?o }}"
    answer = store.forward(text, "application/sparql-results+json")
    assert answer.headers["content-type"] == "application/sparql-results+json"
    assert json.loads(answer.body)["results"]["bindings"] == [
        {"s": {"type": "uri", "value": EX + "item/0"}}
    ]
    with pytest.raises(QueryError, match="HTTP 400"):
        store.forward("SELECT", "application/sparql-results+json")


def test_malformed_query_is_a_query_error(store):
    with pytest.raises(QueryError, match="HTTP 400"):
        store.select("SELECT ?x WHERE { ?x")


def test_open_store_builds_a_remote_store_from_settings(tmp_path):
    settings = load(
        env={"PUBLISHER_SPARQL_USER": "ana", "PUBLISHER_SPARQL_PASSWORD": "secreto"},
        data_dir=tmp_path,
        store="sparql",
        sparql_query_url="http://127.0.0.1:9/query",
    )
    store = open_store(settings)
    assert isinstance(store, RemoteStore)
    assert store.query_url == "http://127.0.0.1:9/query"
    assert store.scope == (settings.base_uri, str(LOTAIP))


# -- binding variables safely --------------------------------------------------------------


def test_values_go_at_the_top_of_the_outer_where_clause():
    query = (
        "PREFIX where: <http://e/{x}>\n# a comment { with braces }\n"
        'SELECT ?where WHERE { ?s ?p "}{" { SELECT ?s WHERE { ?s ?q ?r } } }'
    )
    bound = bind_values(query, {"s": URIRef("http://e/a")})
    assert bound.index("VALUES") == query.index('WHERE { ?s ?p "}{"') + len("WHERE {") + 1
    assert bound.count("VALUES") == 1


def test_construct_binds_in_the_where_clause_not_the_template():
    bound = bind_values("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", {"s": URIRef("http://e/a")})
    assert bound.startswith("CONSTRUCT { ?s ?p ?o } { VALUES (?s)")
    with pytest.raises(QueryError, match="CONSTRUCT WHERE"):
        bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": URIRef("http://e/a")})


def test_describe_without_where_gets_one():
    bound = bind_values("DESCRIBE ?s", {"s": URIRef("http://e/a")})
    assert bound == "DESCRIBE ?s\nWHERE { VALUES (?s) { (<http://e/a>) } }"


@pytest.mark.parametrize(
    ("bindings", "message"),
    [
        ({"s": URIRef("http://e/a> } ; DROP ALL ; #")}, "not a valid IRI"),
        ({"s": BNode()}, "IRIs and literals only"),
        ({"s x": URIRef("http://e/a")}, "variable name"),
        ({"s": Literal("x", datatype=URIRef("http://e/ bad"))}, "not a valid IRI"),
    ],
)
def test_unsafe_bindings_are_refused(bindings, message):
    with pytest.raises(QueryError, match=message):
        bind_values("SELECT * WHERE { ?s ?p ?o }", bindings)


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_literal_text_is_bound_as_data_not_syntax(text):
    """Quotes, braces, backslashes or newlines in a value never change the query."""
    bound = bind_values("SELECT ?s WHERE { ?s ?p ?label }", {"label": Literal(text)})
    graph, native = Graph(), ox.Store()
    for name, value in (("a", text), ("b", text + "x")):
        graph.add((URIRef(f"http://e/{name}"), RDFS.label, Literal(value)))
        native.add(
            ox.Quad(ox.NamedNode(f"http://e/{name}"), ox.NamedNode(RDFS.label), ox.Literal(value))
        )
    assert [row.s for row in graph.query(bound)] == [URIRef("http://e/a")]
    assert [row["s"] for row in native.query(bound)] == [ox.NamedNode("http://e/a")]


# -- reading results and errors ------------------------------------------------------------


def test_virtuoso_terms_come_back_in_canonical_shape():
    def typed(value: str, datatype: str) -> dict[str, str]:
        return {"type": "typed-literal", "datatype": str(datatype), "value": value}

    assert term_from_json(typed("1", XSD.boolean)) == Literal(True)
    assert term_from_json(typed("s", XSD.string)) == Literal("s")
    assert term_from_json(typed("1.5", XSD.decimal)) == Literal("1.5", datatype=XSD.decimal)
    assert term_from_json({"type": "bnode", "value": "nodeID://b1"}) == BNode("b1")
    assert term_from_json({"type": "literal", "xml:lang": "es", "value": "a"}) == Literal(
        "a", lang="es"
    )
    with pytest.raises(StoreError, match="unknown term type"):
        term_from_json({"type": "triple", "value": "x"})


@pytest.mark.parametrize(
    ("status", "headers", "body", "error", "message"),
    [
        (400, {}, b"SP030: syntax error", QueryError, "HTTP 400"),
        (
            400,
            {},
            b"Virtuoso 37000 Error SP030: syntax error\n\nSPARQL query:\nSELECT ?timeout {",
            QueryError,
            "HTTP 400",
        ),
        (
            500,
            {},
            b"Virtuoso 22023 Error SR005\n\nSPARQL query:\nSELECT ?timeout {}",
            StoreError,
            "HTTP 500",
        ),
        (401, {}, b"", StoreError, "PUBLISHER_SPARQL_USER"),
        (503, {}, b"", StoreUnavailable, "unavailable"),
        (
            500,
            {},
            b"Virtuoso 42000 Error The estimated execution time 900 (sec) exceeds the limit",
            QueryTimeout,
            "time limit",
        ),
        (500, {}, b"Virtuoso 22023 Error SR005", StoreError, "HTTP 500"),
        (200, {"x-sparql-maxrows": "10000"}, b"{}", StoreError, "truncated the results"),
        (200, {"x-sql-state": "S1TAT"}, b"{}", QueryTimeout, "partial results"),
    ],
)
def test_failed_answers_raise_typed_errors(status, headers, body, error, message):
    with pytest.raises(error, match=message):
        check_response("http://e/sparql", HttpResponse(status, headers, body))


def test_truncated_json_is_a_store_error():
    def truncated(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, JSON, b'{"head":{"vars":["s"]},"results":{"bindings":[{"s"')

    store = RemoteStore(EX + "query", send=truncated)
    with pytest.raises(StoreError, match="truncated or malformed"):
        store.select("SELECT ?s WHERE { ?s ?p ?o }")


# -- the real HTTP sender ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql"
    for conn in accepted:
        conn.close()
    server.close()


def test_server_down_is_store_unavailable():
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(StoreUnavailable, match="does not answer"):
        RemoteStore(url).ask("ASK {}")


def test_server_too_slow_is_store_unavailable(silent_server):
    store = RemoteStore(silent_server, send=HttpSender(timeout=0.3))
    with pytest.raises(StoreUnavailable, match=r"did not answer within 0\.3 s"):
        store.ask("ASK {}")


def test_credentials_go_only_when_asked_in_the_scheme_asked():
    seen: list[str | None] = []

    class Sender(HttpSender):
        def _post(self, request: HttpRequest) -> HttpResponse:
            seen.append(type(self._auth).__name__ if self._auth else None)
            if self._auth is None:
                return HttpResponse(401, {"www-authenticate": 'Digest realm="x"'}, b"")
            return HttpResponse(200, JSON, b'{"head":{},"boolean":true}')

    store = RemoteStore(EX + "sparql", send=Sender("ana", "secreto"))
    assert store.ask("ASK {}") is True
    assert store.ask("ASK {}") is True
    assert seen == [None, "HTTPDigestAuth", "HTTPDigestAuth"]
