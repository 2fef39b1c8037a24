"""One contract, every store kind: the embedded OxigraphStore, and RemoteStore on real
Oxigraph server and Virtuoso instances.

The remote servers are the ones ``.ci/servers.sh`` starts on loopback (``.ci/run`` sources
it before ``make test``); it exports their URLs and credentials:
``LOTAIP_TEST_OXIGRAPH_URL``, ``LOTAIP_TEST_VIRTUOSO_URL``, ``LOTAIP_TEST_VIRTUOSO_USER``,
``LOTAIP_TEST_VIRTUOSO_PASSWORD``, and ``LOTAIP_TEST_OXIGRAPH_PLAIN_URL`` (an Oxigraph
server without ``--union-default-graph``). A remote case is skipped, saying so, only when its server
is not reachable. Each test writes graphs under its own random prefix and the store's scope
is that prefix, so leftovers of other runs (and Virtuoso's system graphs) never count.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from publisher.errors import QueryError
from publisher.settings import load
from publisher.store.embedded import OxigraphStore, Store
from publisher.store.remote import RemoteStore
from publisher.vocab import LOTAIP

Opener = Callable[[str], Store]


def _reachable(url: str) -> str | None:
    """None when ``url`` answers HTTP, else why not."""
    try:
        requests.get(url, timeout=5)
    except requests.RequestException as err:
        return f"not reachable at {url}: {err}"
    return None


def _remote(env: str, make: Callable[[str, str], RemoteStore]) -> Opener:
    def opener(prefix: str) -> Store:
        base = os.environ.get(env)
        if not base:
            pytest.skip(f"{env} is not set: start the servers with '. .ci/servers.sh'")
        reason = _reachable(base)
        if reason:
            pytest.skip(f"{env} {reason}")
        return make(base, prefix)

    return opener


def _oxigraph_server(gsp: bool) -> Callable[[str, str], RemoteStore]:
    def make(base: str, prefix: str) -> RemoteStore:
        store = f"{base}/store" if gsp else None
        return RemoteStore(
            f"{base}/query", f"{base}/update", graph_store_url=store, scope=(prefix,)
        )

    return make


def _virtuoso(gsp: bool) -> Callable[[str, str], RemoteStore]:
    def make(base: str, prefix: str) -> RemoteStore:
        return RemoteStore(
            f"{base}/sparql",
            f"{base}/sparql-auth",
            graph_store_url=f"{base}/sparql-graph-crud-auth" if gsp else None,
            user=os.environ.get("LOTAIP_TEST_VIRTUOSO_USER"),
            password=os.environ.get("LOTAIP_TEST_VIRTUOSO_PASSWORD"),
            scope=(prefix,),
        )

    return make


def _remote_kind(env: str, make: Callable[[str, str], RemoteStore], name: str) -> Any:
    return pytest.param(_remote(env, make), id=name, marks=pytest.mark.remote)


# Remote stores load through SPARQL Update, or through the Graph Store Protocol ("-gsp").
STORE_KINDS = [
    pytest.param(lambda prefix: OxigraphStore(), id="embedded"),
    _remote_kind("LOTAIP_TEST_OXIGRAPH_URL", _oxigraph_server(False), "oxigraph-server"),
    _remote_kind("LOTAIP_TEST_OXIGRAPH_URL", _oxigraph_server(True), "oxigraph-server-gsp"),
    _remote_kind("LOTAIP_TEST_VIRTUOSO_URL", _virtuoso(False), "virtuoso"),
    _remote_kind("LOTAIP_TEST_VIRTUOSO_URL", _virtuoso(True), "virtuoso-gsp"),
]


@pytest.fixture
def prefix() -> str:
    return f"http://contract.test/{uuid.uuid4().hex}/"


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, prefix: str) -> Iterator[Store]:
    opened = request.param(prefix)
    yield opened
    for graph in opened.graphs():
        opened.remove_graph(graph)


def report_graph(prefix: str, name: str, targets: int = 3) -> Graph:
    """A small graph shaped like one report's: a unit, an objective, targets with values."""
    graph = Graph()
    unit, objective = URIRef(f"{prefix}{name}/unidad"), URIRef(f"{prefix}{name}/objetivo")
    graph.add((unit, RDF.type, LOTAIP.UnidadAdministrativa))
    graph.add((unit, RDFS.label, Literal("Dirección de Agua Potable", lang="es")))
    graph.add((objective, RDF.type, LOTAIP.Objetivo))
    graph.add((objective, LOTAIP.unidad, unit))
    graph.add((objective, RDFS.comment, Literal('Reducir "pérdidas" {agua}\n\tno facturada')))
    for i in range(targets):
        target = URIRef(f"{prefix}{name}/meta/{i}")
        graph.add((target, LOTAIP.objetivo, objective))
        graph.add((target, LOTAIP.valorMeta, Literal(f"{90 + i}.5", datatype=XSD.decimal)))
        graph.add((target, LOTAIP.plazo, Literal(f"2023-0{i + 1}-15", datatype=XSD.date)))
        graph.add((target, LOTAIP.orden, Literal(i)))
        graph.add((target, LOTAIP.cumplida, Literal(i % 2 == 0)))
    return graph


def lower_language_tags(graph: Graph) -> Graph:
    """Language tags are case-insensitive (RDF 1.1); Oxigraph stores them lower case."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        out.add((s, p, o))
    return out


def graph_in(store: Store, graph_iri: URIRef) -> Graph:
    return store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    )


def test_replace_graph_loads_and_counts(store, prefix):
    graph = report_graph(prefix, "r1")
    store.replace_graph(URIRef(prefix + "g/r1"), graph)
    assert store.graphs() == [URIRef(prefix + "g/r1")]
    assert len(store) == len(graph)


def test_graph_round_trips_with_every_kind_of_term(store, prefix):
    graph = report_graph(prefix, "r1")
    node = BNode()
    graph.add((URIRef(prefix + "r1/objetivo"), LOTAIP.nota, node))
    graph.add((node, RDFS.label, Literal("nota sin IRI", lang="es-EC")))
    graph.add((node, LOTAIP.codigo, Literal("A-1", datatype=URIRef(prefix + "codigo"))))
    store.replace_graph(URIRef(prefix + "g/r1"), graph)
    back = graph_in(store, URIRef(prefix + "g/r1"))
    assert isomorphic(lower_language_tags(back), lower_language_tags(graph))


def test_replace_graph_replaces_rather_than_adds(store, prefix):
    name = URIRef(prefix + "g/r1")
    store.replace_graph(name, report_graph(prefix, "old", targets=5))
    new = report_graph(prefix, "new", targets=1)
    store.replace_graph(name, new)
    assert isomorphic(graph_in(store, name), new)
    assert len(store) == len(new)


def test_remove_graph_withdraws_only_that_graph(store, prefix):
    kept = report_graph(prefix, "r2")
    store.replace_graph(URIRef(prefix + "g/r1"), report_graph(prefix, "r1"))
    store.replace_graph(URIRef(prefix + "g/r2"), kept)
    store.remove_graph(URIRef(prefix + "g/r1"))
    store.remove_graph(URIRef(prefix + "g/never-loaded"))
    assert store.graphs() == [URIRef(prefix + "g/r2")]
    assert len(store) == len(kept)


def test_default_graph_is_the_union_of_the_named_graphs(store, prefix):
    for name in ("r1", "r2", "r3"):
        store.replace_graph(URIRef(f"{prefix}g/{name}"), report_graph(prefix, name))
    rows = store.select(
        f"SELECT ?objetivo (COUNT(?meta) AS ?n) WHERE {{ ?meta <{LOTAIP.objetivo}> ?objetivo "
        f'FILTER(STRSTARTS(STR(?meta), "{prefix}")) }} GROUP BY ?objetivo ORDER BY ?objetivo'
    )
    assert rows == [
        {"objetivo": URIRef(f"{prefix}{name}/objetivo"), "n": Literal(3)}
        for name in ("r1", "r2", "r3")
    ]


# Bound variables are projected: pyoxigraph binds only those (see publisher/web/queries.py).
def test_select_binds_iris_and_tricky_literals_as_data(store, prefix):
    store.replace_graph(URIRef(prefix + "g/r1"), report_graph(prefix, "r1"))
    comment = Literal('Reducir "pérdidas" {agua}\n\tno facturada')
    mine = f'FILTER(STRSTARTS(STR(?o), "{prefix}"))'
    rows = store.select(f"SELECT ?o ?c WHERE {{ ?o ?p ?c {mine} }}", {"c": comment})
    assert rows == [{"o": URIRef(prefix + "r1/objetivo"), "c": comment}]


def test_select_leaves_unbound_variables_out(store, prefix):
    store.replace_graph(URIRef(prefix + "g/r1"), report_graph(prefix, "r1"))
    target, plazo = URIRef(prefix + "r1/meta/1"), Literal("2023-02-15", datatype=XSD.date)
    query = (
        f"SELECT ?t ?plazo ?x WHERE {{ ?t <{LOTAIP.plazo}> ?plazo "
        f"OPTIONAL {{ ?t <{LOTAIP.cumplida}> ?x }} }}"
    )
    assert store.select(query, {"t": target}) == [
        {"t": target, "plazo": plazo, "x": Literal(False)}
    ]
    missing = query.replace(str(LOTAIP.cumplida), str(LOTAIP.noExiste))
    assert store.select(missing, {"t": target}) == [{"t": target, "plazo": plazo}]


def test_ask_with_bindings(store, prefix):
    store.replace_graph(URIRef(prefix + "g/r1"), report_graph(prefix, "r1"))
    query = "ASK { ?s ?p ?o }"
    assert store.ask(query, {"s": URIRef(prefix + "r1/unidad")}) is True
    assert store.ask(query, {"s": URIRef(prefix + "r1/nada")}) is False


def test_construct_with_bindings(store, prefix):
    store.replace_graph(URIRef(prefix + "g/r1"), report_graph(prefix, "r1"))
    graph = store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": URIRef(prefix + "r1/unidad")}
    )
    assert set(graph) == {
        (URIRef(prefix + "r1/unidad"), RDF.type, LOTAIP.UnidadAdministrativa),
        (
            URIRef(prefix + "r1/unidad"),
            RDFS.label,
            Literal("Dirección de Agua Potable", lang="es"),
        ),
    }


def test_malformed_query_is_a_query_error(store):
    with pytest.raises(QueryError):
        store.select("SELECT ?x WHERE { ?x ")


def test_large_graph_loads_whole_and_selects_every_row(store, prefix):
    """Past one update request (1,000 triples), and past Virtuoso's default 10,000-row cap."""
    graph = Graph()
    for i in range(2_500):
        graph.add((URIRef(f"{prefix}meta/{i}"), LOTAIP.orden, Literal(i)))
    store.replace_graph(URIRef(prefix + "g/big"), graph)
    assert len(store) == 2_500
    pairs = store.select(
        f"SELECT ?a ?b WHERE {{ ?a <{LOTAIP.orden}> ?i . ?b <{LOTAIP.orden}> ?j "
        f'FILTER(?i < 101 && ?j < 101 && STRSTARTS(STR(?a), "{prefix}") '
        f'&& STRSTARTS(STR(?b), "{prefix}")) }}'
    )
    assert len({(row["a"], row["b"]) for row in pairs}) == 101 * 101


# -- the dataset version: what caches of answers and pages are keyed by (remote stores) ------

REMOTE_KINDS = [kind for kind in STORE_KINDS if kind.id != "embedded"]


@pytest.fixture(params=REMOTE_KINDS)
def writer_and_reader(
    request: pytest.FixtureRequest, prefix: str
) -> Iterator[tuple[RemoteStore, RemoteStore]]:
    """Two clients of one server, as a build and the site (two processes) would be."""
    writer, reader = request.param(prefix), request.param(prefix)
    yield writer, reader
    for graph in writer.graphs():
        writer.remove_graph(graph)


def labels_graph(prefix: str, *texts: str) -> Graph:
    graph = Graph()
    for n, text in enumerate(texts):
        graph.add((URIRef(f"{prefix}x/{n}"), RDFS.label, Literal(text)))
    return graph


def test_every_write_moves_the_version_other_clients_read(writer_and_reader, prefix):
    writer, reader = writer_and_reader
    assert reader.marked_version() is None  # a fresh prefix: never written
    seen = []
    for write in (
        lambda: writer.replace_graph(URIRef(prefix + "g/1"), labels_graph(prefix, "a")),
        lambda: writer.replace_graph(URIRef(prefix + "g/1"), labels_graph(prefix, "a")),
        lambda: writer.remove_graph(URIRef(prefix + "g/1")),
    ):
        write()
        seen.append(reader.version)
        assert reader.version == writer.version
    assert len(set(seen)) == 3
    writer.mark_version("20261122T000000Z")
    assert reader.marked_version() == "20261122T000000Z"
    writer.replace_graph(URIRef(prefix + "g/2"), labels_graph(prefix, "b"))
    assert reader.graphs() == [URIRef(prefix + "g/2")]  # the version graph is not listed
    assert len(reader) == 1


def test_the_endpoint_never_serves_an_answer_from_before_a_rebuild(
    writer_and_reader, prefix, tmp_path
):
    from publisher.web import create_app

    writer, reader = writer_and_reader
    graph = URIRef(prefix + "g/1")
    writer.replace_graph(graph, labels_graph(prefix, "uno", "dos"))
    settings = load(env={}, data_dir=tmp_path / "data")
    app = create_app(settings, reader)
    client = app.test_client()
    query = (
        f"SELECT ?l WHERE {{ ?s <{RDFS.label}> ?l "
        f'FILTER(STRSTARTS(STR(?s), "{prefix}")) }} ORDER BY ?l'
    )

    def ask(etag: str | None = None) -> Any:
        headers = {"Accept": "application/sparql-results+json"}
        if etag:
            headers["If-None-Match"] = etag
        return client.get("/sparql", query_string={"query": query}, headers=headers)

    def values(response: Any) -> list[str]:
        return [row["l"]["value"] for row in response.get_json()["results"]["bindings"]]

    try:
        old = ask()
        assert (values(old), old.headers["X-SPARQL-Cache"]) == (["dos", "uno"], "miss")
        assert ask().headers["X-SPARQL-Cache"] == "hit"
        assert ask(old.headers["ETag"]).status_code == 304
        writer.replace_graph(graph, labels_graph(prefix, "uni", "tres"))  # same shape
        new = ask(old.headers["ETag"])
        assert (new.status_code, new.headers["X-SPARQL-Cache"]) == (200, "miss")
        assert values(new) == ["tres", "uni"]
        assert ask().headers["X-SPARQL-Cache"] == "hit"
        writer.remove_graph(graph)
        assert values(ask()) == []
    finally:
        app.extensions["publisher.sparql"].close()


def _server_settings(kind: str, prefix: str, data_dir: Path) -> dict[str, str]:
    """The environment that points ``lotaip-lod`` at one of the test servers."""
    env = {"PUBLISHER_STORE": "sparql", "PUBLISHER_BASE_URI": prefix}
    env["PUBLISHER_DATA_DIR"] = str(data_dir)
    base = os.environ.get(f"LOTAIP_TEST_{kind.upper()}_URL")
    if not base:
        pytest.skip(f"LOTAIP_TEST_{kind.upper()}_URL is not set: start the servers")
    reason = _reachable(base)
    if reason:
        pytest.skip(reason)
    if kind.startswith("oxigraph"):
        env["PUBLISHER_SPARQL_QUERY_URL"] = f"{base}/query"
        env["PUBLISHER_SPARQL_UPDATE_URL"] = f"{base}/update"
    else:
        env["PUBLISHER_SPARQL_QUERY_URL"] = f"{base}/sparql"
        env["PUBLISHER_SPARQL_UPDATE_URL"] = f"{base}/sparql-auth"
        env["PUBLISHER_SPARQL_USER"] = os.environ.get("LOTAIP_TEST_VIRTUOSO_USER", "")
        env["PUBLISHER_SPARQL_PASSWORD"] = os.environ.get("LOTAIP_TEST_VIRTUOSO_PASSWORD", "")
    return env


@pytest.mark.remote
@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_mark_version_command_records_the_published_builds_version(kind, prefix, tmp_path):
    from click.testing import CliRunner

    from publisher.cli import cli

    data_dir = tmp_path / "data"
    env = _server_settings(kind, prefix, data_dir)
    reader = RemoteStore(env["PUBLISHER_SPARQL_QUERY_URL"], scope=(prefix,))
    runner = CliRunner()
    given = runner.invoke(cli, ["mark-version", "20261122T000000Z"], env=env)
    assert given.exit_code == 0, given.output
    assert reader.marked_version() == "20261122T000000Z"
    # after loading a build's dump by hand: the version of the build published in data_dir
    version = data_dir / "versions" / "20261122T010101Z"
    version.mkdir(parents=True)
    (version / "build.json").write_text('{"version": "20261122T010101Z"}', encoding="utf-8")
    (data_dir / "current").symlink_to(version.relative_to(data_dir))
    published = runner.invoke(cli, ["mark-version"], env=env)
    assert published.exit_code == 0, published.output
    assert "20261122T010101Z" in published.output
    assert reader.marked_version() == "20261122T010101Z"


# -- lotaip-lod build on a remote store: the published version is pushed ------------------


@pytest.mark.remote
@pytest.mark.parametrize("gsp", [False, True], ids=["update", "graph-store"])
@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_build_pushes_the_examples_and_the_server_answers_like_the_embedded_store(
    kind, gsp, prefix, tmp_path
):
    from click.testing import CliRunner

    from publisher.build.publish import read_manifest
    from publisher.cli import cli
    from publisher.query.examples import QUERIES_DIR, read_example
    from publisher.store.embedded import PublishedStore

    data_dir = tmp_path / "data"
    env = _server_settings(kind, prefix, data_dir)
    if gsp:
        query_url = env["PUBLISHER_SPARQL_QUERY_URL"]
        crud = "/store" if kind == "oxigraph" else "/sparql-graph-crud-auth"
        env["PUBLISHER_SPARQL_GRAPH_STORE_URL"] = query_url.rsplit("/", 1)[0] + crud
    settings = load(env=env)
    remote = RemoteStore.from_settings(settings)
    runner = CliRunner()
    try:
        built = runner.invoke(cli, ["build", "--quiet"], env=env)
        assert built.exit_code == 0, built.output
        # 5 reports, 5 corpus graphs, the history and the current state (B id/actual)
        assert "12 graph(s) sent" in built.output
        manifest = read_manifest(data_dir)
        assert manifest is not None
        assert remote.marked_version() == manifest["version"]
        mine = {URIRef(report["graph"]) for report in manifest["reports"]}
        assert mine <= set(remote.graphs())
        example = read_example(QUERIES_DIR / "01-targets-per-institution.rq")

        def rows(store: Store) -> set[tuple[str, ...]]:
            # the server may hold other publishers' data: only our institutions count
            return {
                tuple(str(row[k]) for k in ("institution", "name", "targets", "quantified_targets"))
                for row in store.select(example.text)
                if str(row["institution"]).startswith(prefix)
            }

        embedded = rows(PublishedStore(data_dir))
        assert len(embedded) == 5
        assert rows(remote) == embedded
        again = runner.invoke(cli, ["push"], env=env)
        assert again.exit_code == 0 and "already holds" in again.output, again.output
    finally:
        for graph in remote.graphs():
            if str(graph).startswith(prefix):
                remote.remove_graph(graph)


# -- the current state on a remote store (sparql_current_state) ---------------------------


def _text_rows(store: Store, query: str) -> list[tuple[tuple[str, str], ...]]:
    """The rows of a SELECT as sorted tuples of (variable, text), in a stable order.
    (``select``, not ``select_text``: the embedded store's ``select_text`` reads the union
    of the named graphs, for the tidy tables.)"""
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in store.select(query))


CURRENT_TARGETS = """SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {
  ?t a <https://w3id.org/lotaip/def/Target> FILTER(STRSTARTS(STR(?t), ?prefix)) }"""
REPORT_GRAPHS = """SELECT DISTINCT ?g WHERE {
  GRAPH ?g { ?r a <https://w3id.org/lotaip/def/Report> } FILTER(STRSTARTS(STR(?g), ?prefix)) }"""


@pytest.mark.remote
@pytest.mark.parametrize(
    ("kind", "mode"),
    [("oxigraph_plain", "default"), ("virtuoso", "named")],
    ids=["oxigraph-plain-default", "virtuoso-named"],
)
def test_the_default_graph_is_the_current_state_and_every_month_stays_named(
    kind, mode, prefix, tmp_path
):
    """The examples plus SOT's February report, pushed in each mode the server supports:
    a query naming no graph counts the current state (270 targets, as the embedded
    store), while GRAPH ?g still reaches both SOT months and the queries across months
    answer as on the embedded store."""
    from click.testing import CliRunner
    from conftest import DATA, EXAMPLES

    from publisher.cli import cli
    from publisher.query.examples import QUERIES_DIR, read_example
    from publisher.store.embedded import PublishedStore

    data_dir = tmp_path / "data"
    env = _server_settings(kind, prefix, data_dir)
    env["PUBLISHER_SPARQL_CURRENT_STATE"] = mode
    remote = RemoteStore.from_settings(load(env=env))
    assert remote.current_state == mode
    february = DATA / "months" / "sot-2023-02.txt"
    try:
        built = CliRunner().invoke(cli, ["build", "--quiet", str(EXAMPLES), str(february)], env=env)
        assert built.exit_code == 0, built.output
        embedded = PublishedStore(data_dir)
        targets = CURRENT_TARGETS.replace("?prefix", f'"{prefix}"')
        here = int(embedded.select(targets)[0]["n"])
        assert here == 270
        assert int(remote.select(targets)[0]["n"]) == here
        reports = REPORT_GRAPHS.replace("?prefix", f'"{prefix}"')
        graphs = {str(row["g"]) for row in remote.select(reports)}
        # the remote also holds the current state as a named graph (what push sends)
        assert f"{prefix}id/actual" in graphs
        graphs.discard(f"{prefix}id/actual")
        assert graphs == {str(row["g"]) for row in embedded.select(reports)}
        assert {f"{prefix}id/reporte/sot/2023-01", f"{prefix}id/reporte/sot/2023-02"} <= graphs
        for name in (
            "01-targets-per-institution",
            "07-targets-changed-between-reports",
            "30-target-history",
            "31-changes-between-reports",
        ):
            text = read_example(QUERIES_DIR / f"{name}.rq").text
            there = _text_rows(remote, text)
            assert there == _text_rows(embedded, text), name
            assert there, name  # each one finds something: February raised one target
        # the pages read the same: the home page counts the current state, a history
        # section names both months
        from test_current_pages import QUALITY_OBJECTIVE, page_text

        from publisher.web import create_app

        app = create_app(load(env=env), remote)
        app.testing = True
        client = app.test_client()
        try:
            home = page_text(client, "/")
            # 272 (both months) as a number: the page also shows IRIs under a random
            # hex prefix, which may hold the digits 272 (it did once)
            assert re.search(r"\b270 metas\b", home) and not re.search(r"\b272\b", home)
            history = page_text(client, QUALITY_OBJECTIVE)
            assert "Informes de: enero de 2023, febrero de 2023" in history
        finally:
            app.extensions["publisher.sparql"].close()
    finally:
        for graph in remote.graphs():
            if str(graph).startswith(prefix):
                remote.remove_graph(graph)
        if mode == "default":
            remote.drop_default_graph()


@pytest.mark.remote
def test_virtuoso_has_no_plain_default_graph_to_write(prefix):
    """Why "default" is not a mode for Virtuoso (docs/remote-stores.md): it refuses
    triples outside a named graph, so the push stops instead of losing the current state."""
    store = _remote("LOTAIP_TEST_VIRTUOSO_URL", _virtuoso(False))(prefix)
    assert isinstance(store, RemoteStore)
    line = f"<{prefix}s> <{prefix}p> <{prefix}o> .\n".encode()
    with pytest.raises(QueryError, match="SP031"):
        store.put_default_ntriples(line)
