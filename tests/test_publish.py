"""Versioned publishing, dumps and the VoID/DCAT description, on hand-made graphs."""

from __future__ import annotations

import gzip
import io
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from publisher.build import publish
from publisher.build.describe import LICENSE, Subset, dataset_iri, describe_dataset
from publisher.build.workers import turtle_member
from publisher.errors import StoreError
from publisher.store.embedded import OxigraphStore, PublishedStore
from publisher.store.rdftext import quad_triples
from publisher.uris import Urls
from publisher.vocab import SH

EX = "http://example.org/"
BASE = "http://data.example.org/"


def labelled(label: str, n: int) -> Graph:
    """``n`` things labelled in Spanish; one triple shared by every such graph."""
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"{EX}{label}/{i}"), RDFS.label, Literal(f"{label} {i}", lang="es")))
    graph.add((URIRef(EX + "shared"), RDFS.label, Literal("compartido", lang="es")))
    return graph


def filled_store(path: Path | None = None) -> OxigraphStore:
    store = OxigraphStore(path)
    store.load_graph(URIRef(EX + "g1"), labelled("a", 3))
    store.load_graph(URIRef(EX + "g2"), labelled("b", 2))
    return store


def parse_nquads_gz(path: Path) -> Dataset:
    dataset = Dataset()
    with warnings.catch_warnings():  # rdflib's N-Quads parser uses a deprecated attribute
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        dataset.parse(data=gzip.decompress(path.read_bytes()).decode(), format="nquads")
    return dataset


def test_dump_members_concatenated_parse_to_the_union(tmp_path: Path) -> None:
    members = []
    for label, n in (("a", 3), ("b", 2)):
        nquads = "".join(
            f"{s.n3()} {p.n3()} {o.n3()} <{EX}{label}> .\n" for s, p, o in labelled(label, n)
        )
        turtle = turtle_member(quad_triples(nquads.encode()))
        assert turtle.startswith(b"@prefix")  # each document declares its prefixes
        members.append((gzip.compress(nquads.encode()), gzip.compress(turtle)))
    nquads_dump, turtle_dump = publish.write_rdf_dumps(members, tmp_path / "dumps")
    turtle_text = gzip.decompress((tmp_path / "dumps" / turtle_dump.name).read_bytes())
    union = Graph().parse(data=turtle_text, format="turtle")
    expected = labelled("a", 3) + labelled("b", 2)
    assert set(union) == set(expected) and len(union) == 6  # the shared triple once
    dataset = parse_nquads_gz(tmp_path / "dumps" / nquads_dump.name)
    graphs = [set(dataset.graph(URIRef(EX + label))) for label in "ab"]
    assert graphs == [set(labelled("a", 3)), set(labelled("b", 2))]  # each graph its own
    assert nquads_dump.media_type == "application/n-quads"
    assert turtle_dump.media_type == "text/turtle"
    for dump in (nquads_dump, turtle_dump):  # size and sha256 hashed while writing: check them
        path = tmp_path / "dumps" / dump.name
        assert (dump.size, dump.sha256) == (path.stat().st_size, publish.file_sha256(path))


def results_of(*severities: URIRef) -> bytes:
    """A pyshacl-like results graph (N-Triples) with one result per severity."""
    graph = Graph()
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(SH.Violation not in severities)))
    for i, severity in enumerate(severities):
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, severity))
        graph.add((result, SH.focusNode, URIRef(f"{EX}target/{i}")))
        graph.add((result, SH.resultMessage, Literal(f"message {i}")))
    return graph.serialize(format="nt", encoding="utf-8")


def test_validation_parts_keep_each_reports_results_apart(tmp_path: Path) -> None:
    results = results_of(SH.Warning)
    one = publish.validation_part(EX + "g1", results, "r1")
    # the same blank node labels in both inputs: relabelled, the results stay two
    two = publish.validation_part(EX + "g2", results, "r2")
    folder = make_version(tmp_path / "data", 0)
    publish.write_validation([one, two], folder / publish.VALIDATION)
    publish.publish_version(tmp_path / "data", folder)
    published = publish.published_validation(tmp_path / "data")
    assert published.conforms
    assert published.warnings == [
        f"{EX}g1: {EX}target/0 — message 0",
        f"{EX}g2: {EX}target/0 — message 0",
    ]
    graph = Graph().parse(folder / publish.VALIDATION, format="turtle")
    assert len(list(graph.subjects(RDF.type, SH.ValidationReport))) == 1


def test_a_violation_makes_the_validation_report_not_conform(tmp_path: Path) -> None:
    part = publish.validation_part(EX + "g1", results_of(SH.Info, SH.Violation), "r")
    publish.write_validation([part], tmp_path / publish.VALIDATION)
    graph = Graph().parse(tmp_path / publish.VALIDATION, format="turtle")
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    assert len(list(graph.objects(report, SH.result))) == 2


def make_version(data_dir: Path, second: int, complete: bool = True) -> Path:
    """A version folder with a store; ``complete`` ones have their build.json."""
    folder = publish.new_version(data_dir, datetime(2026, 1, 1, 0, 0, second, tzinfo=UTC))
    filled_store(folder / "store").flush()
    if complete:
        publish.write_manifest(folder, {"version": folder.name})
    return folder


def test_publishing_switches_current_and_keeps_two_versions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    versions = []
    for second in range(3):
        versions.append(make_version(data, second))
        publish.publish_version(data, versions[-1])
        assert publish.current_version(data) == versions[-1]
    kept = sorted(p.name for p in (data / "versions").iterdir())
    assert kept == [versions[1].name, versions[2].name]
    assert (data / "current").is_symlink()
    assert not (data / "current").readlink().is_absolute()  # the folder can be moved


def test_pruning_never_removes_the_published_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = make_version(data, 0)
    publish.publish_version(data, first)
    newer = [make_version(data, s) for s in (1, 2)]  # built, never published
    publish.prune_versions(data)
    assert first.is_dir()
    assert newer[1].is_dir()
    assert not newer[0].exists()


def test_a_second_build_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    with publish.build_lock(tmp_path), pytest.raises(StoreError, match="another build"):  # noqa: SIM117
        with publish.build_lock(tmp_path):
            pass


def test_reader_follows_each_published_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    publish.publish_version(data, make_version(data, 0))
    reader = PublishedStore(data)
    before = reader.version
    second = make_version(data, 1)
    OxigraphStore(second / "store").load_graph(URIRef(EX + "g3"), labelled("c", 4))
    publish.publish_version(data, second)
    assert reader.version != before
    assert URIRef(EX + "g3") in reader.graphs()


def test_void_states_size_endpoint_dumps_licence_and_subsets(tmp_path: Path) -> None:
    store = filled_store()
    nquads = io.BytesIO()
    store.dump(nquads, ox.RdfFormat.N_QUADS)
    turtle = turtle_member(quad_triples(nquads.getvalue()))
    members = [(gzip.compress(nquads.getvalue()), gzip.compress(turtle))]
    dumps = publish.write_rdf_dumps(members, tmp_path / "dumps")
    urls = Urls(BASE)
    subsets = [
        Subset(URIRef(EX + "g1"), 4, "a.txt", URIRef(EX + "g1")),
        Subset(URIRef(EX + "g2"), 3),
    ]
    graph = describe_dataset(
        urls, version="v1", issued=datetime(2026, 1, 1, tzinfo=UTC), triples=len(store),
        subsets=subsets, dumps=dumps,
    )  # fmt: skip
    publish.write_turtle(graph, tmp_path / "void.ttl")
    void = Graph().parse(tmp_path / "void.ttl", format="turtle")
    node = dataset_iri(urls)
    assert (node, RDF.type, VOID.Dataset) in void
    assert (node, RDF.type, DCAT.Catalog) in void
    assert void.value(node, VOID.triples) == Literal(7, datatype=XSD.integer)
    assert void.value(node, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert void.value(node, VOID.uriSpace) == Literal(BASE + "id/")
    assert void.value(node, DCTERMS.license) == LICENSE
    assert set(void.objects(node, VOID.dataDump)) == {
        URIRef(BASE + "dumps/lotaip.nq.gz"),
        URIRef(BASE + "dumps/lotaip.ttl.gz"),
    }
    distributions = list(void.objects(node, DCAT.distribution))
    assert len(distributions) == 2
    gzip_format = URIRef("https://www.iana.org/assignments/media-types/application/gzip")
    assert {void.value(d, DCAT.compressFormat) for d in distributions} == {gzip_format}
    assert all((d, RDF.type, DCAT.Distribution) in void for d in distributions)
    assert set(void.objects(node, VOID.subset)) == {URIRef(EX + "g1"), URIRef(EX + "g2")}
    assert void.value(URIRef(EX + "g2"), VOID.triples) == Literal(3, datatype=XSD.integer)
    assert list(void.objects(node, DCAT.dataset)) == [URIRef(EX + "g1")]


def test_published_validation_reads_the_results(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = make_version(data, 0)
    graph = Graph()
    report, result = BNode(), BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(True)))
    graph.add((report, SH.result, result))
    graph.add((result, RDF.type, SH.ValidationResult))
    graph.add((result, SH.resultSeverity, SH.Warning))
    graph.add((result, SH.focusNode, URIRef(EX + "target/1")))
    graph.add((result, SH.resultMessage, Literal("value above 100")))
    graph.add((result, SH.value, Literal(120)))
    graph.add((result, DCTERMS.source, URIRef(EX + "g1")))
    publish.write_turtle(graph, folder / publish.VALIDATION)
    publish.publish_version(data, folder)
    published = publish.published_validation(data)
    assert published.conforms
    assert published.violations == []
    assert published.warnings == [f"{EX}g1: {EX}target/1 — value above 100 (value 120)"]


def test_published_validation_without_a_build_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="nothing published"):
        publish.published_validation(tmp_path)


def test_an_unfinished_version_never_displaces_the_previous_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = make_version(data, 0)
    publish.publish_version(data, first)
    killed = make_version(data, 1, complete=False)  # killed before it wrote build.json
    second = make_version(data, 2)
    publish.publish_version(data, second)
    assert first.is_dir()
    assert not killed.exists()
