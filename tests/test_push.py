"""push: the published version -> a remote store, only what changed, version marked last.

Against the fake SPARQL server of ``test_remote_store.py`` (pyoxigraph behind the HTTP
seam, every request recorded), on builds of the five example reports. The real servers
are in ``test_store_contract.py``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import URIRef
from test_remote_store import OxigraphEndpoint

from publisher.build.pipeline import build
from publisher.build.publish import current_version, read_manifest
from publisher.build.push import DEFAULT_GRAPH, STATE, PushFailed, push
from publisher.cli import cli
from publisher.settings import PROJECT_ROOT, Settings, load
from publisher.store.remote import HttpRequest, HttpResponse, RemoteStore, split_ntriples
from publisher.vocab import LOTAIP

BASE = "http://localhost:8000/"
SOT = "sot-2023-01.txt"
SOT_GRAPH = BASE + "id/reporte/sot/2023-01"
CORPUS = {
    BASE + "id/calidad",
    BASE + "id/enlaces",
    BASE + "id/referencia",
    BASE + "id/cambios",
    str(LOTAIP),
}
HISTORY, CURRENT = BASE + "id/historial", BASE + "id/actual"
ACTUAL = ox.NamedNode(CURRENT)
#: 5 reports, 5 corpus graphs, the history and the current state (``B id/actual``)
GRAPHS = 12


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``reports/`` (copies of the examples) and ``data/`` built from them."""
    root = tmp_path_factory.mktemp("push")
    shutil.copytree(PROJECT_ROOT / "examples" / "reports", root / "reports")
    build([root / "reports"], _settings(root), quiet=True)
    return root


@pytest.fixture
def root(first_build: Path, tmp_path: Path) -> Path:
    """This test's own copy of the built folder (the store, the record and all)."""
    shutil.copytree(first_build, tmp_path / "copy", symlinks=True)
    return tmp_path / "copy"


@pytest.fixture
def endpoint() -> OxigraphEndpoint:
    return OxigraphEndpoint()


def _settings(root: Path) -> Settings:
    return load(env={}, data_dir=root / "data", base_uri=BASE)


def _remote(
    endpoint: OxigraphEndpoint, gsp: bool = False, current_state: str = "union"
) -> RemoteStore:
    return RemoteStore(
        BASE + "query",
        BASE + "update",
        graph_store_url=BASE + "store" if gsp else None,
        scope=(BASE, str(LOTAIP)),
        version_graph=BASE + "id/dataset",
        send=endpoint,
        current_state=current_state,
    )


def _version(root: Path) -> str:
    manifest = read_manifest(root / "data")
    assert manifest is not None
    return str(manifest["version"])


def _published_quads(root: Path) -> set[ox.Quad]:
    """Every named graph of the published store, and its default graph (the current state)
    as the named graph ``B id/actual``: what a push must leave on the remote."""
    folder = current_version(root / "data")
    assert folder is not None
    store = ox.Store.read_only(str(folder / "store"))
    named = {q for q in store if isinstance(q.graph_name, ox.NamedNode)}
    now = store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    return named | {ox.Quad(q.subject, q.predicate, q.object, ACTUAL) for q in now}


def _remote_quads(endpoint: OxigraphEndpoint) -> set[ox.Quad]:
    version_graph = ox.NamedNode(BASE + "id/dataset")
    return {q for q in endpoint.store if q.graph_name != version_graph}


def _writes(endpoint: OxigraphEndpoint, since: int = 0) -> list[str]:
    """The graphs written by data requests after request ``since`` (marks left out)."""
    written = []
    for request in endpoint.requests[since:]:
        if request.method in ("PUT", "DELETE"):
            graph = request.params["graph"]
        elif "update" in request.form:
            graph = request.form["update"].split("<", 1)[1].split(">", 1)[0]
        else:
            continue
        if graph != BASE + "id/dataset":
            written.append(graph)
    return written


def _rebuild(root: Path, change: str | None = None, remove: str | None = None) -> None:
    if change is not None:
        path = root / "reports" / change
        text = path.read_text(encoding="utf-8")
        old = "Mejorar la promoción y difusión de los derechos ciudadanos"
        assert text.count(old) == 1
        path.write_text(text.replace(old, old.replace("y difusión", "y la difusión")), "utf-8")
    if remove is not None:
        (root / "reports" / remove).unlink()
    build([root / "reports"], _settings(root), quiet=True)


# -- what is sent --------------------------------------------------------------------------


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "graph-store"])
def test_first_push_sends_every_graph_and_marks_the_version_last(root, endpoint, gsp):
    report = push(_settings(root), store=_remote(endpoint, gsp))
    assert _remote_quads(endpoint) == _published_quads(root)
    assert len(report.sent) == GRAPHS and set(report.sent) >= CORPUS
    assert (report.removed, report.trusted, report.marked) == ([], False, True)
    # the published version is marked by the very last request, after every graph
    assert _version(root) in endpoint.requests[-1].form["update"]
    assert _remote(endpoint).marked_version() == _version(root)
    if gsp:  # one PUT per graph, nothing else writes data
        puts = [r for r in endpoint.requests if r.method == "PUT"]
        assert sorted(r.params["graph"] for r in puts) == sorted(report.sent)
        assert _writes(endpoint) == [r.params["graph"] for r in puts]


def test_second_push_sends_nothing(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    before = len(endpoint.requests)
    report = push(_settings(root), store=_remote(endpoint))
    assert (report.sent, report.removed, report.marked, report.trusted) == ([], [], False, True)
    assert report.unchanged == GRAPHS
    assert len(endpoint.requests) == before + 1  # one query: the store's marked version
    assert "already holds" in report.summary()


def test_a_changed_report_sends_its_graph_only(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    _rebuild(root, change=SOT)
    before = len(endpoint.requests)
    report = push(_settings(root), store=_remote(endpoint))
    # its graph, and the two graphs made of it: the current state and the history
    assert report.sent == [CURRENT, HISTORY, SOT_GRAPH]
    # (the two large ones in several update requests of 1,000 triples each)
    assert list(dict.fromkeys(_writes(endpoint, before))) == [CURRENT, HISTORY, SOT_GRAPH]
    assert _remote_quads(endpoint) == _published_quads(root)
    assert _remote(endpoint).marked_version() == _version(root)


def test_a_removed_report_is_removed_from_the_store(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    _rebuild(root, remove=SOT)
    report = push(_settings(root), store=_remote(endpoint))
    assert report.removed == [SOT_GRAPH]
    assert SOT_GRAPH not in report.sent
    assert URIRef(SOT_GRAPH) not in _remote(endpoint).graphs()
    assert _remote_quads(endpoint) == _published_quads(root)


# -- what is trusted -----------------------------------------------------------------------


def test_a_store_marked_by_someone_else_gets_everything(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    _remote(endpoint).mark_version("loaded-by-hand")
    stray = BASE + "id/reporte/nadie/2020-01"  # in scope, not in the version: withdrawn
    _remote(endpoint).put_ntriples(URIRef(stray), f"<{stray}> <{BASE}p> 1 .\n".encode())
    report = push(_settings(root), store=_remote(endpoint))
    assert not report.trusted
    assert len(report.sent) == GRAPHS and report.removed == [stray]
    assert _remote_quads(endpoint) == _published_quads(root)


def test_full_resends_everything(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    report = push(_settings(root), full=True, store=_remote(endpoint))
    assert len(report.sent) == GRAPHS and not report.trusted


def test_the_record_is_kept_per_query_url(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    record = json.loads((root / "data" / STATE).read_text(encoding="utf-8"))
    entry = record[BASE + "query"]
    assert entry["marked"] == _version(root)
    assert len(entry["graphs"]) == GRAPHS and all(len(d) == 64 for d in entry["graphs"].values())


def test_an_unreadable_record_sends_everything_again(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    (root / "data" / STATE).write_text("{not json", encoding="utf-8")
    report = push(_settings(root), store=_remote(endpoint))
    assert not report.trusted and len(report.sent) == GRAPHS
    assert json.loads((root / "data" / STATE).read_text(encoding="utf-8"))  # rewritten whole


# -- failures ------------------------------------------------------------------------------


class FailOnce:
    """The fake server, but the first request writing ``graph`` gets a 503."""

    def __init__(self, endpoint: OxigraphEndpoint, graph: str) -> None:
        self.endpoint = endpoint
        self.graph = graph
        self.failed = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        update = request.form.get("update", "")
        writes = request.params.get("graph") == self.graph or update.startswith(
            f"DROP SILENT GRAPH <{self.graph}>"
        )
        if writes and not self.failed:
            self.failed = True
            return HttpResponse(503, {}, b"busy")
        return self.endpoint(request)


def test_a_push_failing_half_way_is_resumed_by_the_next(root, endpoint):
    push(_settings(root), store=_remote(endpoint))
    old_version = _version(root)
    _rebuild(root, change=SOT)
    _rebuild(root, remove="ame-2015-09.txt")
    ame = BASE + "id/reporte/ame/2015-09"
    failing = RemoteStore(
        BASE + "query",
        BASE + "update",
        scope=(BASE, str(LOTAIP)),
        version_graph=BASE + "id/dataset",
        send=FailOnce(endpoint, ame),  # the removal, after the changed graph was sent
    )
    with pytest.raises(PushFailed) as failure:
        push(_settings(root), store=failing)
    assert failure.value.graph == ame
    assert ame in str(failure.value) and "lotaip-lod push" in str(failure.value)
    marked = _remote(endpoint).marked_version()
    assert marked not in (old_version, _version(root))  # an interim version, never the new
    before = len(endpoint.requests)
    retry = push(_settings(root), store=_remote(endpoint))
    assert (retry.sent, retry.removed, retry.trusted) == ([], [ame], True)
    assert _writes(endpoint, before) == [ame]
    assert _remote_quads(endpoint) == _published_quads(root)
    assert _remote(endpoint).marked_version() == _version(root)


def test_a_graph_failing_while_sent_is_sent_again(root, endpoint):
    failing = RemoteStore(
        BASE + "query",
        BASE + "update",
        scope=(BASE, str(LOTAIP)),
        version_graph=BASE + "id/dataset",
        send=FailOnce(endpoint, SOT_GRAPH),
    )
    with pytest.raises(PushFailed) as failure:
        push(_settings(root), store=failing)
    assert failure.value.graph == SOT_GRAPH
    assert _remote(endpoint).marked_version() != _version(root)
    retry = push(_settings(root), store=_remote(endpoint))
    assert SOT_GRAPH in retry.sent and retry.trusted
    assert len(retry.sent) < GRAPHS  # the graphs sent before the failure are not sent again
    assert _remote_quads(endpoint) == _published_quads(root)
    assert _remote(endpoint).marked_version() == _version(root)


def test_nothing_published_is_a_store_error(tmp_path, endpoint):
    from publisher.errors import StoreError

    with pytest.raises(StoreError, match="nothing published"):
        push(load(env={}, data_dir=tmp_path / "data"), store=_remote(endpoint))


# -- N-Triples by Update -------------------------------------------------------------------


def test_blank_nodes_go_together_in_the_first_request(endpoint):
    a, p = f"<{BASE}a>", f"<{BASE}p>"
    lines = [f'{a} {p} "texto con _:falso" .'] + [f"{a} {p} {i} ." for i in range(4)]
    lines += [f"{a} {p} _:n1 .", f'_:n1 {p} "nodo" .']
    first, blank, rest = split_ntriples("\n".join(lines).encode(), 3)
    assert blank and first[:2] == lines[-2:]
    assert sum(len(chunk) for chunk in rest) + len(first) == len(lines)
    store = RemoteStore(BASE + "query", BASE + "update", chunk_size=3, send=endpoint)
    store.put_ntriples(URIRef(BASE + "g"), "\n".join(lines).encode())
    assert len(store) == len(lines)
    assert store.marked_version() is None  # put_ntriples marks nothing
    rows = store.select(f'SELECT ?n WHERE {{ {a} {p} ?n . ?n {p} "nodo" }}')
    assert len(rows) == 1


# -- the commands --------------------------------------------------------------------------


@pytest.fixture
def cli_env(root: Path, endpoint: OxigraphEndpoint, monkeypatch) -> Iterator[dict[str, str]]:
    """``lotaip-lod`` pointed at ``root``'s data with store = sparql, on the fake server."""
    monkeypatch.setattr(RemoteStore, "from_settings", classmethod(lambda cls, s: _remote(endpoint)))
    yield {
        "PUBLISHER_STORE": "sparql",
        "PUBLISHER_SPARQL_QUERY_URL": BASE + "query",
        "PUBLISHER_DATA_DIR": str(root / "data"),
        "PUBLISHER_BASE_URI": BASE,
    }


def test_build_pushes_and_push_retries(root, endpoint, cli_env):
    runner = CliRunner()
    built = runner.invoke(cli, ["build", "--quiet", str(root / "reports")], env=cli_env)
    assert built.exit_code == 0, built.output
    assert "pushed version" in built.output and f"{GRAPHS} graph(s) sent" in built.output
    assert _remote_quads(endpoint) == _published_quads(root)
    again = runner.invoke(cli, ["push"], env=cli_env)
    assert again.exit_code == 0, again.output
    assert "already holds" in again.output
    full = runner.invoke(cli, ["push", "--full"], env=cli_env)
    assert full.exit_code == 0 and f"{GRAPHS} graph(s) sent" in full.output


def test_push_command_needs_a_remote_store(root):
    result = CliRunner().invoke(cli, ["push"], env={"PUBLISHER_DATA_DIR": str(root / "data")})
    assert result.exit_code != 0
    assert "store = 'sparql'" in result.output


def test_the_remote_counts_what_the_embedded_store_counts(root, endpoint):
    """After a push, the current state (``B id/actual``), the history and the changes hold
    on the remote what the embedded store holds; with ``sparql_current_state = "named"``
    every query names ``B id/actual`` as its default graph."""
    push(_settings(root), store=_remote(endpoint))
    folder = current_version(root / "data")
    assert folder is not None
    embedded = ox.Store.read_only(str(folder / "store"))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?t a <https://w3id.org/lotaip/def/Target> }"
    here = next(iter(embedded.query(count)))["n"].value
    in_graph = count.replace("{ ?t", f"{{ GRAPH <{CURRENT}> {{ ?t").replace("}", "} }", 1)
    there = _remote(endpoint).select(in_graph)[0]["n"]
    assert int(there) == int(here) > 0
    history = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{HISTORY}> {{ ?s ?p ?o }} }}"
    assert int(_remote(endpoint).select(history)[0]["n"]) == len(
        list(embedded.quads_for_pattern(None, None, None, ox.NamedNode(HISTORY)))
    )
    settings = load(
        env={},
        data_dir=root / "data",
        base_uri=BASE,
        store="sparql",
        sparql_query_url=BASE + "query",
        sparql_current_state="named",
    )
    remote = RemoteStore.from_settings(settings)
    assert remote.default_graph == CURRENT
    naming = RemoteStore(BASE + "query", send=endpoint, default_graph=CURRENT)
    naming.select(count)
    assert endpoint.requests[-1].form["default-graph-uri"] == CURRENT
    _remote(endpoint).select(count)  # without the setting: the server's default graph
    assert "default-graph-uri" not in endpoint.requests[-1].form


# -- sparql_current_state = "default": the server's own default graph ----------------------


def _default_quads(endpoint: OxigraphEndpoint) -> set[ox.Triple]:
    found = endpoint.store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    return {q.triple for q in found}


def _embedded_current_state(root: Path) -> set[ox.Triple]:
    folder = current_version(root / "data")
    assert folder is not None
    store = ox.Store.read_only(str(folder / "store"))
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "graph-store"])
def test_default_mode_keeps_the_servers_default_graph_in_step(root, gsp):
    endpoint = OxigraphEndpoint(union=False)
    first = push(_settings(root), store=_remote(endpoint, gsp, "default"))
    assert DEFAULT_GRAPH in first.sent and len(first.sent) == GRAPHS + 1
    assert _default_quads(endpoint) == _embedded_current_state(root) != set()
    assert _remote_quads(endpoint) - {
        q for q in endpoint.store if q.graph_name == ox.DefaultGraph()
    } == _published_quads(root)
    recorded = json.loads((root / "data" / STATE).read_text(encoding="utf-8"))
    assert DEFAULT_GRAPH in recorded[BASE + "query"]["graphs"]
    # a query naming no graph counts the current state, GRAPH ?g still sees every report
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?t a <https://w3id.org/lotaip/def/Target> }"
    store = _remote(endpoint, gsp, "default")
    folder = current_version(root / "data")
    assert folder is not None
    embedded = ox.Store.read_only(str(folder / "store"))
    assert int(store.select(count)[0]["n"]) == int(next(iter(embedded.query(count)))["n"].value)
    assert "default-graph-uri" not in endpoint.requests[-1].form
    assert URIRef(SOT_GRAPH) in store.graphs()
    # unchanged: nothing sent; a changed report: the default graph is replaced with it
    again = push(_settings(root), store=_remote(endpoint, gsp, "default"))
    assert again.sent == [] and again.unchanged == GRAPHS + 1
    _rebuild(root, change=SOT)
    changed = push(_settings(root), store=_remote(endpoint, gsp, "default"))
    assert changed.sent == [DEFAULT_GRAPH, CURRENT, HISTORY, SOT_GRAPH]
    assert _default_quads(endpoint) == _embedded_current_state(root)
    # another mode: the default graph is no longer ours to keep, so it is emptied
    union = push(_settings(root), store=_remote(endpoint, gsp))
    assert union.removed == [DEFAULT_GRAPH] and union.sent == []
    assert _default_quads(endpoint) == set()


def test_sparql_current_state_takes_a_mode_or_the_old_booleans(tmp_path):
    from publisher.errors import SettingsError

    for raw, mode in (("true", "named"), ("false", "union"), ("DEFAULT", "default")):
        env = {"PUBLISHER_SPARQL_CURRENT_STATE": raw}
        assert load(env=env).sparql_current_state == mode
    toml = tmp_path / "settings.toml"
    toml.write_text("sparql_current_state = true\n", encoding="utf-8")
    assert load(toml, env={}).sparql_current_state == "named"
    assert load(env={}, sparql_current_state=False).sparql_current_state == "union"
    assert load(env={}).sparql_current_state == "union"
    with pytest.raises(SettingsError, match="sparql_current_state must be one of"):
        load(env={"PUBLISHER_SPARQL_CURRENT_STATE": "latest"})
    settings = load(
        env={},
        base_uri=BASE,
        store="sparql",
        sparql_query_url=BASE + "query",
        sparql_current_state="default",
    )
    remote = RemoteStore.from_settings(settings)
    assert (remote.current_state, remote.default_graph) == ("default", None)
