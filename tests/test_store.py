"""The embedded store: bulk loading, dumps, and the read-only published store."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from publisher.errors import StoreError
from publisher.settings import Settings
from publisher.store.embedded import OxigraphStore, PublishedStore, open_store

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
