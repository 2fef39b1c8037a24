"""The embedded store: bulk loading, dumps, and the read-only published store."""

from __future__ import annotations

import gzip
import io
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from publisher.errors import StoreError
from publisher.settings import Settings
from publisher.store.embedded import FEW_GRAPHS, OxigraphStore, PublishedStore, open_store
from publisher.store.engine import QueryJob

EX = "http://example.org/"


def small_graph(label: str, n: int = 3) -> Graph:
    """A hand-made graph of ``n`` labelled things."""
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"{EX}{label}/{i}"), RDFS.label, Literal(f"{label} {i}", lang="es")))
    return graph


def write_version(data_dir: Path, version: str, graphs: dict[str, Graph]) -> Path:
    """A published-looking version folder holding ``graphs``; returns its folder."""
    folder = data_dir / "versions" / version
    store = OxigraphStore(folder / "store")
    for name, graph in graphs.items():
        store.load_graph(URIRef(EX + name), graph)
    store.flush()
    del store
    return folder


def point_current(data_dir: Path, version: str) -> None:
    """Switch ``current`` the way the build does (a symlink replaced with os.replace)."""
    tmp = data_dir / ".current.tmp"
    tmp.symlink_to(Path("versions") / version)
    tmp.replace(data_dir / "current")


def test_load_graph_fills_one_named_graph_and_dumps_every_quad(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    assert store.load_graph(URIRef(EX + "g1"), small_graph("a")) == 3
    store.load_graph(URIRef(EX + "g2"), small_graph("b", 2))
    assert store.graphs() == [URIRef(EX + "g1"), URIRef(EX + "g2")]
    assert len(store.select(f"SELECT * WHERE {{ GRAPH <{EX}g2> {{ ?s ?p ?o }} }}")) == 2
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    assert len(list(parse_nquads(out.getvalue()).quads())) == len(store) == 5


def parse_nquads(data: bytes) -> Dataset:
    """N-Quads parsed by rdflib (whose own N-Quads parser uses a deprecated attribute)."""
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        dataset.parse(data=data.decode("utf-8"), format="nquads")
    return dataset


def test_union_default_graph_sees_every_report(tmp_path: Path) -> None:
    store = OxigraphStore()
    store.load_graph(URIRef(EX + "g1"), small_graph("a"))
    store.load_graph(URIRef(EX + "g2"), small_graph("b"))
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0]["n"]) == 6


def test_published_store_reopens_when_current_moves(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_version(data, "v1", {"g1": small_graph("a")})
    point_current(data, "v1")
    reader = PublishedStore(data)
    assert reader.version == "v1"
    assert len(reader) == 3
    write_version(data, "v2", {"g1": small_graph("a"), "g2": small_graph("b", 4)})
    point_current(data, "v2")
    assert len(reader) == 7
    assert reader.version == "v2"
    assert reader.graphs() == [URIRef(EX + "g1"), URIRef(EX + "g2")]


def test_published_store_is_read_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_version(data, "v1", {"g1": small_graph("a")})
    point_current(data, "v1")
    with pytest.raises(StoreError, match="read-only"):
        PublishedStore(data).replace_graph(URIRef(EX + "g1"), small_graph("x"))


def test_open_store_without_a_build_says_what_to_run(settings: Settings) -> None:
    with pytest.raises(StoreError, match="lotaip-lod build"):
        open_store(settings)


def test_missing_store_folder_is_a_store_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "versions" / "v1").mkdir(parents=True)
    point_current(data, "v1")
    with pytest.raises(StoreError, match="missing"):
        PublishedStore(data)


def test_corrupt_store_is_a_store_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store_dir = data / "versions" / "v1" / "store"
    store_dir.mkdir(parents=True)
    (store_dir / "CURRENT").write_text("garbage")
    point_current(data, "v1")
    with pytest.raises(StoreError, match="unreadable"):
        PublishedStore(data)


# --- the build's operations (BuildStore) and the store's own runner ---------------------


def nt(*lines: str) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


A = f"<{EX}a> <{EX}p> <{EX}b> ."
B = f'<{EX}a> <{EX}q> "x" .'


def test_put_ntriples_replaces_a_graph_and_graph_ntriples_reads_it_back() -> None:
    store = OxigraphStore()
    store.put_ntriples(URIRef(EX + "g"), nt(A, B))
    store.put_ntriples(URIRef(EX + "g"), nt(B))
    assert store.graph_ntriples(EX + "g") == nt(B)
    store.put_ntriples(URIRef(EX + "empty"), b"")
    assert store.graphs() == [URIRef(EX + "empty"), URIRef(EX + "g")]  # an empty graph exists
    store.drop_graph(URIRef(EX + "g"))
    store.drop_graph(URIRef(EX + "g"))  # already gone: nothing happens
    assert store.graphs() == [URIRef(EX + "empty")]


@pytest.mark.parametrize("others", [0, FEW_GRAPHS])  # point lookups, then a scan
def test_drop_unstated_keeps_what_a_stating_graph_still_states(others: int) -> None:
    store = OxigraphStore()
    store.put_ntriples(URIRef(EX + "r1"), nt(A, B))
    store.put_ntriples(URIRef(EX + "r2"), nt(A))
    store.add_triples(nt(A, B))  # the default graph: the union of r1 and r2
    store.drop_graph(URIRef(EX + "r1"))
    stating = {EX + "r2"} | {f"{EX}other{n}" for n in range(others)}
    assert store.drop_unstated(nt(A, B), None, stating) == 1
    rows = store.select_text("SELECT ?p WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert rows == [{"p": EX + "p"}]  # r2's triple
    assert len(store) == 1
    assert store.default_graph_size() == 1  # A stays, r2 states it; B went
    store.remove_triples(nt(A), None)
    assert store.default_graph_size() == 0
    store.add_triples(nt(A))
    store.clear_graph(None)
    assert store.default_graph_size() == 0


#: Literals whose N-Triples spelling SPARQL could read otherwise: escapes, a spelled-out
#: ``\\u``, quotes, a comment sign, braces, non-ASCII text and a non-canonical number.
AWKWARD = [
    f'<{EX}s> <{EX}p> "a\\\\u0041b"@es .',
    f'<{EX}s> <{EX}p> "quo\\"te\\nline\\ttab\\\\" .',
    f'<{EX}s> <{EX}p> "# no comment {{ }}" .',
    f'<{EX}s> <{EX}p> "ñandú 😀 \\u0000"@es-EC .',
    f"<{EX}s> <{EX}p> \"'''\" .",
    f'<{EX}s> <{EX}p> "90.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
    f"<{EX}a%20b?c=d&e#f> <{EX}p> <{EX}ü> .",
]


@pytest.mark.parametrize("graph", [None, EX + "g"])
@pytest.mark.parametrize("piece", [1 << 20, 1])  # one update, then one a line
def test_remove_triples_removes_exactly_the_lines_given(
    graph: str | None, piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("publisher.store.embedded.REMOVE_PIECE", piece)
    store = OxigraphStore()
    kept = [A, B, f'<{EX}s> <{EX}p> "a\\\\u0041c"@es .']  # differs from AWKWARD[0] by a letter
    store.add_triples(nt(*AWKWARD, *kept), graph)
    store.remove_triples(nt(*AWKWARD), graph)
    left = store.graph_ntriples(graph).decode()
    assert sorted(left.splitlines()) == sorted(kept)


def test_remove_triples_takes_blank_nodes_a_triple_at_a_time() -> None:
    store = OxigraphStore()
    store.add_triples(nt(f"_:b1 <{EX}p> <{EX}b> .", A))  # DELETE DATA would refuse _:b1
    store.remove_triples(store.graph_ntriples(None), None)
    assert store.default_graph_size() == 0


def test_drop_unstated_with_no_stating_graph_drops_every_line() -> None:
    store = OxigraphStore()
    store.add_triples(nt(A, B, *AWKWARD))
    assert store.drop_unstated(nt(B, *AWKWARD), None, set()) == 1 + len(AWKWARD)
    assert store.graph_ntriples(None).decode() == A + "\n"


def test_bulk_loader_queues_graphs_until_flushed_and_makes_empty_ones() -> None:
    store = OxigraphStore()
    loader = store.bulk_loader(1 << 20)
    loader.add(EX + "r1", nt(A))
    loader.add(EX + "r2", b"")
    assert store.graphs() == []  # queued until the batch fills or flush
    loader.flush()
    assert store.graphs() == [URIRef(EX + "r1"), URIRef(EX + "r2")]
    assert store.graph_ntriples(EX + "r1") == nt(A)


def test_bulk_loader_names_only_the_empty_graphs_itself(tmp_path: Path) -> None:
    # a graph with quads is named by its bulk load; a write per graph beside the loads
    # waited whenever RocksDB held back writes for its compactions (docs/performance.md)
    class Recording(OxigraphStore):
        named: list[str] = []

        def load_trig(self, trig: bytes, graphs: Iterable[str] = ()) -> None:
            self.named.extend(graphs)
            super().load_trig(trig, graphs)

    store = Recording(tmp_path / "store")
    loader = store.bulk_loader(1 << 20)
    loader.add(EX + "r1", nt(A))
    loader.add(EX + "r2", b"")
    loader.flush()
    assert store.named == [EX + "r2"]
    assert store.graphs() == [URIRef(EX + "r1"), URIRef(EX + "r2")]
    assert store.graph_ntriples(EX + "r1") == nt(A) and store.graph_ntriples(EX + "r2") == b""


def test_the_bulk_loader_loads_beside_the_build_and_its_thread_ends_at_flush() -> None:
    def loading() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("bulk-load")]

    store = OxigraphStore()
    loader = store.bulk_loader(16)  # every graph fills a batch: it loads on the thread
    loader.add(EX + "r1", nt(A))
    assert loading()
    loader.flush()
    assert not loading()
    assert store.graph_ntriples(EX + "r1") == nt(A)
    loader.add(EX + "r2", nt(A))  # after a flush, another load
    loader.flush()
    assert store.graphs() == [URIRef(EX + "r1"), URIRef(EX + "r2")] and not loading()


def test_checkpoint_copies_a_store_that_then_changes_alone(tmp_path: Path) -> None:
    source = OxigraphStore(tmp_path / "one")
    source.put_ntriples(URIRef(EX + "g"), nt(A))
    source.flush()
    del source
    copy = OxigraphStore.checkpoint(tmp_path / "one", tmp_path / "two")
    copy.drop_graph(URIRef(EX + "g"))
    assert copy.graphs() == []
    assert OxigraphStore(tmp_path / "one", read_only=True).graphs() == [URIRef(EX + "g")]
    with pytest.raises(StoreError, match="cannot copy the store"):
        OxigraphStore.checkpoint(tmp_path / "missing", tmp_path / "three")


def test_select_text_gives_the_lexical_forms_select_gives() -> None:
    store = OxigraphStore()
    store.load_graph(URIRef(EX + "g1"), small_graph("a"))
    query = "SELECT ?s ?label WHERE { ?s ?p ?label } ORDER BY ?s"
    assert store.select_text(query) == [
        {k: str(v) for k, v in row.items()} for row in store.select(query)
    ]


def test_the_store_names_its_version_and_runs_the_endpoints_queries(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", sparql_workers=1)
    count = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "SELECT", "csv", 10)
    memory = OxigraphStore()
    assert memory.version is None
    before = memory.dataset_version()
    memory.put_ntriples(URIRef(EX + "g"), nt(A, B))
    assert memory.dataset_version() != before  # in memory: changes with the data
    inline = memory.query_runner(settings)  # in the calling thread
    assert inline.run(count).body.split() == [b"n", b"2"]
    inline.close()
    data = tmp_path / "data"
    write_version(data, "v1", {"g1": small_graph("a")})
    point_current(data, "v1")
    reader = PublishedStore(data)
    assert reader.dataset_version() == "v1"
    pool = reader.query_runner(settings)  # worker processes on the published version
    try:
        assert pool.run(count).body.split() == [b"n", b"3"]
    finally:
        pool.close()


def test_bulk_loader_loads_a_graph_larger_than_its_batch_in_pieces() -> None:
    class Recording(OxigraphStore):
        sizes: list[int] = []  # statements a load

        def load_trig(self, trig: bytes, graphs: Iterable[str] = ()) -> None:
            self.sizes.append(trig.count(b" .\n"))
            super().load_trig(trig, graphs)

    store = Recording()
    lines = [f"<{EX}s{n:03}> <{EX}p> <{EX}o> .\n".encode() for n in range(100)]
    batch = len(lines[0]) * 8 + 3  # a quarter of a batch is two whole lines and a bit
    loader = store.bulk_loader(batch)
    loader.add(EX + "big", b"".join(lines))
    loader.flush()
    # pieces of 2 lines; a load goes once the queue holds a batch (8 lines and 3 bytes):
    # 10 lines, never two batches' worth (a load holds its bytes several times over)
    assert len(store.sizes) > 5 and max(store.sizes) == 10 and sum(store.sizes) == 100
    held = set(store.graph_ntriples(EX + "big").splitlines(keepends=True))
    assert held == set(lines)


def test_text_from_any_caller_is_checked_as_it_loads() -> None:
    store = OxigraphStore()
    with pytest.raises(StoreError, match="cannot write"):
        store.put_ntriples(URIRef(EX + "g"), f"<{EX}a b> <{EX}p> <{EX}b> .\n".encode())
    assert store.graphs() == []


def test_the_builds_lenient_loads_hold_what_a_checked_load_holds(
    built_settings: Settings,
) -> None:
    # the build loads its own text as TriG without the loader's checks (``BuildStore``):
    # on a real build's dump, each graph's N-Triples given to the build's loader, that
    # gives exactly the quads a checked load of the N-Quads gives
    dump = built_settings.data_dir / "current" / "dumps" / "lotaip.nq.gz"
    nquads = gzip.decompress(dump.read_bytes())
    graphs: dict[str, list[str]] = {}
    for quad in ox.parse(nquads, ox.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name.value, []).append(f"{quad.triple} .\n")
    lenient, checked = OxigraphStore(), ox.Store()
    loader = lenient.bulk_loader(1 << 16)  # many batches, some graphs in pieces
    for iri, lines in graphs.items():
        loader.add(iri, "".join(lines).encode())
    loader.flush()
    checked.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    assert len(lenient) == len(checked) > 10_000
    assert set(lenient.quads()) == set(checked)


def test_the_bulk_loader_loads_awkward_literals_as_written() -> None:
    store = OxigraphStore()
    loader = store.bulk_loader(1 << 20)
    loader.add(EX + "g", nt(*AWKWARD))
    loader.flush()
    checked = ox.Store()  # the same lines read as N-Triples, with the loader's checks
    checked.bulk_load(nt(*AWKWARD), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(EX + "g"))
    assert set(store.quads()) == set(checked) and len(checked) == len(AWKWARD)
