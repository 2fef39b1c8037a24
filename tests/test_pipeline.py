"""The build pipeline over the five real example reports."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

from publisher.build import corpus, pipeline, publish
from publisher.build.describe import dataset_iri
from publisher.build.pipeline import BuildFailed, BuildReport, build
from publisher.enrichment.link import link_graph, links_graph_iri
from publisher.enrichment.quality import quality_graph
from publisher.mapping.validate import validate
from publisher.parse import parse_file
from publisher.settings import Settings, load
from publisher.store.embedded import PublishedStore, from_ox
from publisher.store.rdftext import line_pieces
from publisher.uris import Urls
from publisher.vocab import SH, sparql_prefixes

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "reports").iterdir())
BASE = "http://data.example.org/"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (following ``current``) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def count(store: PublishedStore, where: str) -> int:
    rows = store.select(sparql_prefixes() + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    """The five examples built once into a fresh data folder."""
    data = tmp_path_factory.mktemp("built") / "data"
    settings = load(env={}, data_dir=data, base_uri=BASE)
    return settings, build([], settings, quiet=True)


def test_builds_the_five_examples_into_one_graph_each(
    built: tuple[Settings, BuildReport],
) -> None:
    settings, result = built
    assert not result.skipped
    assert len(result.reports) == 5
    store = PublishedStore(settings.data_dir)
    assert count(store, "?i a org:FormalOrganization") == 5
    report_graphs = {URIRef(r.graph) for r in result.reports}
    assert len(report_graphs) == 5
    assert report_graphs < set(store.graphs())
    assert URIRef("https://w3id.org/lotaip/def/") in store.graphs()  # the ontology
    for graph in report_graphs:
        ask = sparql_prefixes() + "ASK { GRAPH ?g { ?i a org:FormalOrganization } }"
        assert store.ask(ask, {"g": graph})


def test_each_report_graph_holds_its_own_triples(built: tuple[Settings, BuildReport]) -> None:
    settings, result = built
    store = PublishedStore(settings.data_dir)
    for report in result.reports:
        triples = count(store, f"GRAPH <{report.graph}> {{ ?s ?p ?o }}")
        assert triples == report.triples > 0


def test_dumps_parse_and_hold_every_quad(built: tuple[Settings, BuildReport]) -> None:
    settings, result = built
    dumps = settings.data_dir / "current" / "dumps"
    dataset = Dataset()
    with warnings.catch_warnings():  # rdflib's N-Quads parser uses a deprecated attribute
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        dataset.parse(data=gzip.decompress((dumps / "lotaip.nq.gz").read_bytes()), format="nquads")
    store = PublishedStore(settings.data_dir)
    history = count(store, f"GRAPH <{BASE}id/historial> {{ ?s ?p ?o }}")
    # the history graph is made from the report graphs: not dumped twice
    assert len(list(dataset.quads())) == result.triples == len(store) - history
    union = Graph().parse(
        data=gzip.decompress((dumps / "lotaip.ttl.gz").read_bytes()), format="turtle"
    )
    distinct = count(
        store,
        "SELECT DISTINCT ?s ?p ?o "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{BASE}id/historial>) }}",
    )
    assert len(union) == distinct


def test_void_counts_the_store(built: tuple[Settings, BuildReport]) -> None:
    settings, result = built
    void = Graph().parse(settings.data_dir / "current" / "void.ttl", format="turtle")
    node = dataset_iri(Urls(BASE))
    history = URIRef(f"{BASE}id/historial")  # made from the report graphs: not counted again
    size = len(PublishedStore(settings.data_dir))
    size -= count(PublishedStore(settings.data_dir), f"GRAPH <{history}> {{ ?s ?p ?o }}")
    assert void.value(node, VOID.triples) == Literal(size, datatype=XSD.integer)
    graphs = set(PublishedStore(settings.data_dir).graphs()) - {history}
    assert set(void.objects(node, VOID.subset)) == graphs
    for report in result.reports:
        stated = void.value(URIRef(report.graph), VOID.triples)
        assert stated == Literal(report.triples, datatype=XSD.integer)
    store = PublishedStore(settings.data_dir)
    # the corpus graphs too: counted without reading the store
    for graph in set(store.graphs()) - {history}:
        stated = void.value(graph, VOID.triples)
        assert stated == Literal(
            count(store, f"GRAPH <{graph}> {{ ?s ?p ?o }}"), datatype=XSD.integer
        )


def test_manifest_records_each_input_and_its_sha256(built: tuple[Settings, BuildReport]) -> None:
    settings, result = built
    manifest = json.loads((settings.data_dir / "current" / "build.json").read_text())
    assert manifest["version"] == result.version
    hashes = {Path(r["file"]).name: r["sha256"] for r in manifest["reports"]}
    assert hashes == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in EXAMPLES}


def test_validation_report_is_published(built: tuple[Settings, BuildReport]) -> None:
    settings, result = built
    graph = Graph().parse(settings.data_dir / "current" / "validation.ttl", format="turtle")
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(True)
    published = publish.published_validation(settings.data_dir)
    shacl_warnings = [w for r in result.reports for w in r.shacl_warnings]
    assert len(published.warnings) == len(shacl_warnings)


def test_warnings_are_published_and_do_not_stop_the_build(tmp_path: Path) -> None:
    sot = next(p for p in EXAMPLES if p.name.startswith("sot"))
    folder = tmp_path / "reports"
    folder.mkdir()
    text = sot.read_text(encoding="utf-8")
    assert text.count("\t30%") == 1
    (folder / sot.name).write_text(text.replace("\t30%", "\t130%"), encoding="utf-8")
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    result = build([folder], settings, quiet=True)
    assert len(result.reports[0].shacl_warnings) == 1
    published = publish.published_validation(settings.data_dir)
    assert published.conforms
    assert len(published.warnings) == 1
    assert "130" in published.warnings[0]
    assert published.warnings[0].startswith(result.reports[0].graph)


def test_rebuild_with_the_same_inputs_changes_nothing(
    built: tuple[Settings, BuildReport],
) -> None:
    settings, result = built
    before = tree_bytes(settings.data_dir / "current")
    again = build([], settings, quiet=True)
    assert again.skipped
    assert again.version == result.version
    assert "nothing changed" in again.summary()
    assert tree_bytes(settings.data_dir / "current") == before


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A copy of two example reports to build and then break."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in EXAMPLES[:2]:
        shutil.copy(path, folder / path.name)
    return folder


def test_failed_build_leaves_the_published_data_as_it_was(inputs: Path, tmp_path: Path) -> None:
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    first = build([inputs], settings, quiet=True)
    before = tree_bytes(settings.data_dir / "current")
    (inputs / "zz-broken.txt").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(BuildFailed) as failure:
        build([inputs], settings, quiet=True)
    assert len(failure.value.problems) == 1
    assert "zz-broken.txt" in failure.value.problems[0]
    assert "\n" not in failure.value.problems[0]
    assert publish.current_version(settings.data_dir).name == first.version  # type: ignore[union-attr]
    assert tree_bytes(settings.data_dir / "current") == before
    assert [p.name for p in (settings.data_dir / "versions").iterdir()] == [first.version]


def test_missing_file_fails_and_leaves_nothing_behind(tmp_path: Path) -> None:
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    with pytest.raises(BuildFailed, match="no-such-report.txt: cannot read"):
        build([EXAMPLES[0], tmp_path / "no-such-report.txt"], settings, quiet=True)
    assert not (settings.data_dir / "versions").exists() or not any(
        (settings.data_dir / "versions").iterdir()
    )
    assert not (settings.data_dir / "current").exists()


def test_reader_opened_before_a_rebuild_sees_the_new_version(inputs: Path, tmp_path: Path) -> None:
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    first = build([inputs], settings, quiet=True)
    reader = PublishedStore(settings.data_dir)
    assert count(reader, "?i a org:FormalOrganization") == 2
    shutil.copy(EXAMPLES[2], inputs / EXAMPLES[2].name)
    second = build([inputs], settings, quiet=True)
    assert second.version != first.version
    assert reader.version == second.version
    assert count(reader, "?i a org:FormalOrganization") == 3


def test_progress_is_reported_per_report_unless_quiet(inputs: Path, tmp_path: Path) -> None:
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    seen: list[tuple[int, int, str]] = []
    build([inputs], settings, progress=lambda *args: seen.append(args))
    assert [(done, total) for done, total, _ in seen] == [(1, 2), (2, 2)]
    seen.clear()
    build([inputs], settings, out=tmp_path / "other", quiet=True, progress=seen.append)
    assert seen == []


def test_two_files_holding_the_same_report_fail(inputs: Path, tmp_path: Path) -> None:
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    shutil.copy(EXAMPLES[0], inputs / f"copy-of-{EXAMPLES[0].name}")
    with pytest.raises(BuildFailed, match="same report as"):
        build([inputs], settings, quiet=True)
    assert not (settings.data_dir / "current").exists()


def test_corpus_graphs_from_kept_parts_equal_the_graphs_of_the_reports() -> None:
    urls = Urls(BASE)
    reports = [parse_file(path) for path in EXAMPLES]
    parts = [corpus.report_part(r, urls, corpus.shipped_reference()) for r in reports]
    links = corpus.link_stage(parts, urls)
    assert links.iri == str(links_graph_iri(urls))
    assert links.ntriples == corpus.canonical_ntriples(link_graph(reports, urls))
    assert b"void#Linkset" in links.ntriples  # the linksets are counted from the parts
    measures = corpus.quality_stage(parts, urls)
    assert measures.ntriples == corpus.canonical_ntriples(quality_graph(reports, urls))
    assert measures.triples == len(quality_graph(reports, urls))
    # the same parts in another order: the same bytes
    assert corpus.quality_stage(parts[::-1], urls).ntriples == measures.ntriples


def test_everything_published_conforms_together(built: tuple[Settings, BuildReport]) -> None:
    """Issue 14: the dump's graphs merged into one graph, and the default graph (the
    current state), conform to the shapes the project publishes, not only report by
    report (before: 211 results, org:classification holding two schemes)."""
    settings, _ = built
    dump = gzip.decompress((settings.data_dir / "current" / "dumps" / "lotaip.nq.gz").read_bytes())
    merged = Graph()
    for quad in ox.parse(dump, ox.RdfFormat.N_QUADS):
        merged.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    assert len(merged) > 5000
    assert validate(merged).violations == []
    native = ox.Store.read_only(str(settings.data_dir / "current" / "store"))
    default = native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    current = Graph().parse(data=default.decode("utf-8"), format="nt")
    assert len(current) > 5000
    assert validate(current).violations == []


#: N-Triples lines to draw graphs from (a shared prefix, accents, a line break escaped).
LINES = [
    f'<http://e.org/s{n % 7}> <http://e.org/p> "{text}" .\n'.encode()
    for n, text in enumerate(["a", "á", "a b", "b", "\\n", "z", "é", "a"])
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(LINES), max_size=8), max_size=5))
def test_merged_lines_of_sorted_chunks_are_their_sorted_lines(drawn: list[list[bytes]]) -> None:
    chunks = [corpus.sorted_lines(b"".join(lines)) for lines in drawn]
    assert corpus.merged_lines(*chunks) == corpus.sorted_lines(*chunks)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(LINES), max_size=6), max_size=6),
    st.integers(min_value=0, max_value=3),
    st.randoms(),
)
def test_merged_lines_of_disjoint_repeated_and_spanning_chunks_are_their_sorted_lines(
    drawn: list[list[bytes]], copies: int, shuffle: random.Random
) -> None:
    # a report's lines about its own nodes: chunks whose spans no other chunk enters, some
    # holding a line twice (sorted, not yet distinct), some given again whole (an
    # institution's links month after month), one spanning them all (a graph's header)
    def own(n: int, lines: list[bytes]) -> list[bytes]:
        return [line.replace(b"/s", f"/r{n}/s".encode()) for line in lines]

    chunks = [b"".join(sorted(own(n, lines))) for n, lines in enumerate(drawn)]
    chunks += chunks[:1] * copies
    if drawn:
        chunks.append(b"".join(sorted(own(0, drawn[0]) + own(len(drawn) - 1, drawn[-1]))))
    shuffle.shuffle(chunks)
    assert corpus.merged_lines(*chunks) == corpus.sorted_lines(*chunks)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LINES)), st.lists(st.sampled_from(LINES)))
def test_line_changes_are_the_two_differences(old: list[bytes], new: list[bytes]) -> None:
    gone, came = corpus.line_changes(
        corpus.sorted_lines(b"".join(old)), corpus.sorted_lines(b"".join(new))
    )
    assert gone == b"".join(sorted(set(old) - set(new)))
    assert came == b"".join(sorted(set(new) - set(old)))


#: Starts of lines to look for: a whole subject, a shared start, one before and after all.
STARTS = [b"<http://e.org/s1>", b"<http://e.org/s1", b"<http://e.org/s", b"<http://a", b"<z", b""]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES)), st.lists(st.sampled_from(STARTS), max_size=3))
def test_lines_starting_are_found_by_bisection(lines: list[bytes], starts: list[bytes]) -> None:
    text = corpus.sorted_lines(b"".join(lines))
    expected = {line for line in lines if line.startswith(tuple(starts))} if starts else set()
    assert corpus.lines_starting(text, starts) == expected


def test_merging_lines_out_of_order_is_refused_not_misread() -> None:
    with pytest.raises(ValueError, match="not sorted"):
        corpus.merged_lines(LINES[0], LINES[5] + LINES[1])
    with pytest.raises(ValueError, match="not sorted"):  # out of order inside one piece
        corpus.merged_lines(LINES[5] + LINES[1])
    with pytest.raises(ValueError, match="not sorted"):  # and across the pieces it is cut in
        corpus.merged_lines(LINES[4], LINES[0] + LINES[5] + LINES[2])
    with pytest.raises(ValueError, match="not sorted"):
        corpus.line_changes(LINES[5] + LINES[1], b"")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LINES)), st.integers(min_value=1, max_value=120))
def test_line_pieces_are_whole_lines_that_join_to_the_text(lines: list[bytes], size: int) -> None:
    text = b"".join(lines)
    pieces = list(line_pieces(text, size))
    assert b"".join(pieces) == text
    for piece in pieces:
        assert piece.endswith(b"\n")
        assert len(piece) <= size or piece.count(b"\n") == 1  # a long line goes alone


def test_corpus_graphs_written_in_pieces_are_the_same_graphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a national corpus graph goes through its writers a piece at a time: with tiny
    # pieces, each corpus graph's dump members still hold exactly its N-Triples
    monkeypatch.setattr(pipeline, "PIECE", 4096)
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    result = build([], settings, quiet=True)
    folder = settings.data_dir / "current" / "corpus"
    store = PublishedStore(settings.data_dir)
    for iri, stem in result.corpus.items():
        ntriples = (folder / f"{stem}.nt").read_bytes()
        expected = {q.triple for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES)}
        nquads = gzip.decompress((folder / f"{stem}.nq.gz").read_bytes())
        assert {q.triple for q in ox.parse(nquads, ox.RdfFormat.N_QUADS)} == expected
        assert {q.graph_name.value for q in ox.parse(nquads, ox.RdfFormat.N_QUADS)} <= {iri}
        turtle = gzip.decompress((folder / f"{stem}.ttl.gz").read_bytes())
        assert {q.triple for q in ox.parse(turtle, ox.RdfFormat.TURTLE)} == expected
        assert count(store, f"GRAPH <{iri}> {{ ?s ?p ?o }}") == len(expected)
    sizes = [len((folder / f"{stem}.nt").read_bytes()) for stem in result.corpus.values()]
    assert max(sizes) > 4 * 4096  # some graph did go in several pieces


def test_inputs_are_a_folder_s_visible_files_in_order_with_their_digests(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(12):
        (folder / f"r{i:03}.txt").write_bytes(f"report {i}\n".encode() * (i + 1))
    (folder / ".hidden.txt").write_text("not a report", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    inputs = pipeline.read_inputs([folder, missing])
    files = sorted(folder.glob("r*.txt"))
    assert [i.path for i in inputs] == [*files, missing]
    expected = [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
    assert [i.sha256 for i in inputs] == [*expected, ""]  # unreadable: the parse says why
