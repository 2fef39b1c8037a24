"""Incremental and parallel builds over the five real example reports.

A rebuild reuses the published version: unchanged reports are carried over (their
graphs copied, not parsed again), a changed one replaces its graph, a removed one is
withdrawn, and the result equals a full build of the same inputs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing
import os
import shutil
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL

from publisher import downloads as tidy
from publisher import parse
from publisher.build import corpus as corpus_graphs
from publisher.build import pipeline, publish
from publisher.build.current import HistoryLines, owner, split_owned
from publisher.build.pipeline import BuildFailed, BuildReport, build
from publisher.build.workers import (
    MIN_PER_WORKER,
    NQUADS,
    TURTLE,
    VALIDATION,
    make_rows,
    read_kept,
    workers_for,
)
from publisher.errors import StoreError
from publisher.records import Report
from publisher.settings import Settings, load
from publisher.store.embedded import PublishedStore
from publisher.synth import synth_reports
from publisher.uris import Urls

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
BASE = "http://data.example.org/"
PROV = "http://www.w3.org/ns/prov#"
#: Properties holding the build's own time: they differ between any two builds.
BUILD_TIMES = {f"{PROV}generatedAtTime", f"{PROV}endedAtTime"}
#: The named graph holding every report's statements (``Urls.history``).
HISTORY = f"{BASE}id/historial"
#: SOT's February report: January's with one target raised 30% -> 45% and one row dropped.
FEBRUARY = ROOT / "tests" / "data" / "months" / "sot-2023-02.txt"
#: A target of loja-2019-08.txt, and the text it is changed to.
OLD_TARGET, NEW_TARGET = "Porcentaje de avance\t100%", "Porcentaje de avance\t75%"


def settings_for(data: Path) -> Settings:
    """Settings writing to the data folder ``data``."""
    return load(env={}, data_dir=data, base_uri=BASE)


def graph_quads(data: Path, history: bool = False) -> dict[str, set[str]]:
    """Named graph IRI -> its quads (as N-Quads lines), from the published store; the
    history graph (made from the others) only when ``history``."""
    store = ox.Store.read_only(str(data / "current" / "store"))
    graphs: dict[str, set[str]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        if history or quad.graph_name.value != HISTORY:
            graphs.setdefault(quad.graph_name.value, set()).add(str(quad))
    return graphs


def triples_of(data: Path, names: set[str] | None = None) -> set[str]:
    """The distinct triples of the named graphs ``names`` (None: every report graph)."""
    store = ox.Store.read_only(str(data / "current" / "store"))
    if names is None:
        names = {r["graph"] for r in publish.read_manifest(data)["reports"]}  # type: ignore[index]
    return {
        str(q.triple)
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in names
    }


def current_graphs(data: Path) -> set[str]:
    """The published version's corpus graphs (but the changes: a named graph across months,
    outside the current state) and each institution's latest report."""
    manifest = publish.read_manifest(data)
    assert manifest is not None
    latest: dict[str, tuple[str, str]] = {}
    for report in manifest["reports"]:
        held = latest.get(report["institution"])
        if held is None or (report["issued"], report["graph"]) > held:
            latest[report["institution"]] = (report["issued"], report["graph"])
    corpus = set(manifest["corpus"]) - {f"{BASE}id/cambios"}
    return {graph for _, graph in latest.values()} | corpus


def assert_current_state(data: Path) -> None:
    """The default graph is the union of the current graphs, the history graph the union
    of every report's graph."""
    assert union(data) == triples_of(data, current_graphs(data))
    history = {
        line.removesuffix(f" <{HISTORY}>") for line in graph_quads(data, history=True)[HISTORY]
    }
    assert history == triples_of(data)


def timeless(graphs: dict[str, set[str]]) -> dict[str, set[str]]:
    """``graphs`` without the quads stating when the build ran."""
    return {
        name: {q for q in quads if not any(f"<{p}>" in q for p in BUILD_TIMES)}
        for name, quads in graphs.items()
    }


def union(data: Path) -> set[str]:
    """The published default graph (the current state), as N-Triples lines."""
    store = ox.Store.read_only(str(data / "current" / "store"))
    return {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def named_triples(data: Path) -> set[str]:
    """Every triple of the published report and corpus graphs, once."""
    return {
        t for quads in graph_quads(data).values() for t in (q.rsplit(" <", 1)[0] for q in quads)
    }


def dumped_quads(data: Path) -> set[str]:
    """The quads of the published N-Quads dump, written as ``str(Quad)`` writes them."""
    with gzip.open(data / "current" / "dumps" / "lotaip.nq.gz", "rt", encoding="utf-8") as dump:
        return {line.removesuffix(" .") for line in dump.read().splitlines()}


def snapshot(data: Path) -> dict[str, str]:
    """``current``'s target and the sha256 of every file of the published version."""
    version = data / (data / "current").readlink()
    files = {"current": str((data / "current").readlink())}
    for path in sorted(version.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(version))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder holding a copy of the five examples."""
    folder = tmp_path / "reports"
    shutil.copytree(EXAMPLES, folder)
    return folder


@pytest.fixture
def first(corpus: Path, tmp_path: Path) -> tuple[Path, BuildReport]:
    """The five examples built once (one job), published in ``tmp/data``."""
    data = tmp_path / "data"
    return data, build([corpus], settings_for(data), jobs=1)


def change_one(corpus: Path) -> Path:
    """Change one target of loja-2019-08.txt; return the file."""
    path = corpus / "loja-2019-08.txt"
    text = path.read_text(encoding="utf-8")
    assert OLD_TARGET in text
    path.write_text(text.replace(OLD_TARGET, NEW_TARGET, 1), encoding="utf-8")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def graph_of(result: BuildReport, name: str) -> str:
    """The named graph built from the file called ``name``."""
    return next(r.graph for r in result.reports if Path(r.file).name == name)


def test_a_changed_report_replaces_only_its_graph(
    first: tuple[Path, BuildReport], corpus: Path
) -> None:
    data, result = first
    before = graph_quads(data)
    changed = graph_of(result, change_one(corpus).name)

    again = build([corpus], settings_for(data), jobs=1)

    assert (again.built, again.carried, again.withdrawn) == (1, 4, 0)
    after = graph_quads(data)
    reports = {r.graph for r in result.reports}
    for name in reports - {changed}:
        assert after[name] == before[name]  # carried over, byte for byte
    assert after[changed] != before[changed]
    assert any('"75' in q for q in after[changed] - before[changed])
    assert set(after) == set(before)
    summary = next(r for r in again.reports if r.graph == changed)
    assert summary.sha256 == hashlib.sha256((corpus / "loja-2019-08.txt").read_bytes()).hexdigest()


def test_incremental_equals_a_full_build(
    first: tuple[Path, BuildReport], corpus: Path, tmp_path: Path
) -> None:
    data, _ = first
    change_one(corpus)
    (corpus / "ame-2015-09.txt").unlink()
    incremental = build([corpus], settings_for(data), jobs=1)
    full = build([corpus], settings_for(tmp_path / "full"), jobs=1, incremental=False)
    assert (incremental.built, incremental.carried) == (1, 3)
    assert (full.built, full.carried) == (4, 0)
    assert timeless(graph_quads(data)) == timeless(graph_quads(tmp_path / "full"))
    assert len(union(data)) == len(union(tmp_path / "full"))
    assert_current_state(data)  # updated, not rebuilt
    assert incremental.triples == full.triples
    dumped = dumped_quads(data)
    assert len(dumped) == incremental.triples
    assert dumped == {line for quads in graph_quads(data).values() for line in quads}


def turtle_triples(data: Path) -> set[str]:
    """The triples of the published Turtle dump, as N-Triples lines."""
    turtle = gzip.decompress((data / "current" / "dumps" / "lotaip.ttl.gz").read_bytes())
    return {str(triple) for triple in ox.parse(turtle, ox.RdfFormat.TURTLE)}


def void_graph(data: Path) -> Graph:
    """The published ``void.ttl`` without what differs between any two builds: the time,
    the version and the dumps' byte sizes (the dumps hold the build's time)."""
    graph = Graph().parse(data / "current" / "void.ttl", format="turtle")
    for predicate in (DCTERMS.modified, OWL.versionInfo, DCAT.byteSize):
        graph.remove((None, predicate, None))
    return graph


def validation_graph(data: Path) -> Graph:
    """The published ``validation.ttl``."""
    return Graph().parse(data / "current" / publish.VALIDATION, format="turtle")


def test_a_rebuild_publishes_what_a_full_build_does(corpus: Path, tmp_path: Path) -> None:
    sot = corpus / "sot-2023-01.txt"  # a target over 100%: a SHACL warning to carry over
    sot.write_text(sot.read_text(encoding="utf-8").replace("\t30%", "\t130%", 1), "utf-8")
    data, full_data = tmp_path / "data", tmp_path / "full"
    first = build([corpus], settings_for(data), jobs=1)
    assert [len(r.shacl_warnings) for r in first.reports if r.file == str(sot)] == [1]
    change_one(corpus)
    (corpus / "ame-2015-09.txt").unlink()

    again = build([corpus], settings_for(data), jobs=1)
    full = build([corpus], settings_for(full_data), jobs=1, incremental=False)

    assert (again.built, again.carried, again.withdrawn) == (1, 3, 1)
    assert timeless(graph_quads(data)) == timeless(graph_quads(full_data))
    assert_current_state(data)
    assert timeless({"": union(data)}) == timeless({"": union(full_data)})
    assert dumped_quads(data) == {q for quads in graph_quads(data).values() for q in quads}
    assert turtle_triples(data) == named_triples(data)
    assert turtle_triples(full_data) == named_triples(full_data)
    assert isomorphic(void_graph(data), void_graph(full_data))
    history = len(graph_quads(data, history=True)[HISTORY])  # made from the others
    assert again.triples == full.triples == len(PublishedStore(data)) - history
    validation = validation_graph(data)
    assert isomorphic(validation, validation_graph(full_data))
    assert (
        publish.published_validation(data).warnings
        == publish.published_validation(full_data).warnings
    )
    assert len(publish.published_validation(data).warnings) == 1
    for name in ("metas.csv", "metas-utf8.csv"):
        dumps = Path("current") / "dumps" / name
        assert (data / dumps).read_bytes() == (full_data / dumps).read_bytes()


def test_a_rebuild_reads_only_the_reports_it_builds(
    first: tuple[Path, BuildReport], corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = first
    parsed: list[str] = []
    real_parse = parse.parse_file

    def spy(path: Path, institution: str | None = None, max_bytes: int = 1 << 24) -> Report:
        parsed.append(path.name)
        return real_parse(path, institution, max_bytes)

    monkeypatch.setattr(parse, "parse_file", spy)
    changed = change_one(corpus)
    again = build([corpus], settings_for(data), jobs=1)
    assert (again.built, again.carried) == (1, 4)
    assert parsed == [changed.name]


def test_a_version_keeps_every_report_s_part_in_one_file(
    first: tuple[Path, BuildReport], corpus: Path
) -> None:
    data, result = first
    parts = corpus_graphs.read_parts(data / "current" / "corpus" / corpus_graphs.PARTS)
    assert {sha256: part.graph for sha256, part in parts.items()} == {
        r.sha256: r.graph for r in result.reports
    }
    change_one(corpus)
    again = build([corpus], settings_for(data), jobs=1)
    assert (again.built, again.carried) == (1, 4)
    kept = corpus_graphs.read_parts(data / "current" / "corpus" / corpus_graphs.PARTS)
    assert {sha256: part.graph for sha256, part in kept.items()} == {
        r.sha256: r.graph for r in again.reports
    }
    carried = set(parts) & set(kept)
    assert len(carried) == 4 and all(kept[sha] == parts[sha] for sha in carried)


def test_without_the_parts_file_a_rebuild_builds_every_report(
    first: tuple[Path, BuildReport], corpus: Path
) -> None:
    data, result = first
    (data / "current" / "corpus" / corpus_graphs.PARTS).unlink()
    change_one(corpus)
    again = build([corpus], settings_for(data), jobs=1)
    assert (again.built, again.carried) == (5, 0)
    assert_current_state(data)


def test_a_damaged_parts_file_fails_the_rebuild_and_keeps_the_published_version(
    first: tuple[Path, BuildReport], corpus: Path
) -> None:
    data, _ = first
    parts = data / "current" / "corpus" / corpus_graphs.PARTS
    parts.write_bytes(parts.read_bytes()[:100])  # cut short
    before = snapshot(data)
    change_one(corpus)
    with pytest.raises(StoreError, match="parts.pickle.gz"):
        build([corpus], settings_for(data), jobs=1)
    assert snapshot(data) == before


def spans_hold_the_kept_members(data: Path, reports: list[Any]) -> None:
    """Each report's spans (``pipeline.SPANS``) in the published dumps and validation.ttl
    hold exactly its kept members."""
    version = data / (data / "current").readlink()
    spans = json.loads((version / "corpus" / pipeline.SPANS).read_bytes())
    assert set(spans) == {r.sha256 for r in reports}
    files = [
        (version / "dumps" / publish.NQUADS_DUMP).read_bytes(),
        (version / "dumps" / publish.TURTLE_DUMP).read_bytes(),
        (version / publish.VALIDATION).read_bytes(),
    ]
    for report in reports:
        kept = read_kept(version / "reports", report.sha256, NQUADS, TURTLE, VALIDATION)
        span = spans[report.sha256]
        held = [f[at : at + n] for f, at, n in zip(files, span[0:6:2], span[1:6:2], strict=True)]
        assert held == list(kept)
        assert span[6] == zlib.crc32(b"".join(kept))


def test_a_rebuild_copies_the_carried_members_from_the_published_dumps(
    first: tuple[Path, BuildReport], corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, result = first
    spans_hold_the_kept_members(data, result.reports)
    opened: list[str] = []
    real_read_kept = pipeline.read_kept

    def spy(cache_dir: Path, sha256: str, *names: str) -> tuple[bytes, ...]:
        opened.append(sha256)
        return real_read_kept(cache_dir, sha256, *names)

    monkeypatch.setattr(pipeline, "read_kept", spy)
    changed = change_one(corpus)
    again = build([corpus], settings_for(data), jobs=1)
    assert (again.built, again.carried) == (1, 4)
    assert opened == [_sha256(changed)]  # only the report built now: its kept file
    spans_hold_the_kept_members(data, again.reports)


def test_a_report_rebuilt_for_a_lost_kept_file_dumps_its_new_members(
    first: tuple[Path, BuildReport], corpus: Path
) -> None:
    data, _ = first
    lost = _sha256(corpus / "sot-2023-01.txt")
    (data / "current" / "reports" / f"{lost}.zip").unlink()  # its members stay in the dumps
    change_one(corpus)
    again = build([corpus], settings_for(data), jobs=1)
    assert (again.built, again.carried) == (2, 3)
    assert dumped_quads(data) == {line for quads in graph_quads(data).values() for line in quads}
    spans_hold_the_kept_members(data, again.reports)


@pytest.mark.parametrize("damage", ["cut short", "one byte changed"])
def test_damaged_dumps_fail_the_rebuild_and_keep_the_published_version(
    first: tuple[Path, BuildReport], corpus: Path, damage: str
) -> None:
    data, _ = first
    dump = data / "current" / "dumps" / publish.NQUADS_DUMP
    spans = json.loads((data / "current" / "corpus" / pipeline.SPANS).read_bytes())
    offset, length = spans[_sha256(corpus / "sot-2023-01.txt")][:2]  # a carried report's
    held = bytearray(dump.read_bytes())
    if damage == "cut short":
        del held[offset + length // 2 :]
    else:
        held[offset + length // 2] ^= 0xFF
    dump.write_bytes(held)
    before = snapshot(data)
    change_one(corpus)
    with pytest.raises(StoreError, match="dumps .* differ from what it kept"):
        build([corpus], settings_for(data), jobs=1)
    assert snapshot(data) == before


def test_a_removed_report_is_withdrawn(first: tuple[Path, BuildReport], corpus: Path) -> None:
    data, result = first
    gone = graph_of(result, "ame-2015-09.txt")
    graphs = graph_quads(data)
    others = {q.split(" <")[0] for name, quads in graphs.items() if name != gone for q in quads}
    own = {q.split(" <")[0] for q in graphs[gone]} - others  # subjects no other graph states
    assert len(own) > 100
    (corpus / "ame-2015-09.txt").unlink()

    again = build([corpus], settings_for(data), jobs=1)

    assert (again.built, again.carried, again.withdrawn) == (0, 4, 1)
    store = PublishedStore(data)
    assert gone not in {str(g) for g in store.graphs()}
    assert not any(q.split(" <")[0] in own for q in union(data))
    assert not any(q.split(" <")[0] in own for q in graph_quads(data, history=True)[HISTORY])
    assert_current_state(data)
    with gzip.open(data / "current" / "dumps" / "lotaip.nq.gz", "rt", encoding="utf-8") as dump:
        assert f"<{gone}>" not in dump.read()
    with gzip.open(data / "current" / "dumps" / "lotaip.ttl.gz", "rt", encoding="utf-8") as dump:
        assert gone not in dump.read()
    history = len(graph_quads(data, history=True)[HISTORY])
    assert len(store) - history == again.triples < result.triples


def test_a_failed_rebuild_leaves_the_published_version(
    first: tuple[Path, BuildReport], corpus: Path
) -> None:
    data, _ = first
    before = snapshot(data)
    change_one(corpus)
    (corpus / "broken.txt").write_text("nothing to read here\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="broken.txt"):
        build([corpus], settings_for(data), jobs=1)
    assert snapshot(data) == before
    assert len(list((data / "versions").iterdir())) == 1  # the failed version is gone


def test_a_rebuild_removes_the_version_before_the_published_one(
    first: tuple[Path, BuildReport], corpus: Path
) -> None:
    data, result = first
    change_one(corpus)
    second = build([corpus], settings_for(data), jobs=1)
    versions = data / "versions"
    assert sorted(p.name for p in versions.iterdir()) == [result.version, second.version]
    (corpus / "broken.txt").write_text("nothing to read here\n", encoding="utf-8")
    before = snapshot(data)
    with pytest.raises(BuildFailed, match="broken.txt"):
        build([corpus], settings_for(data), jobs=1)
    # a failed build removes its own version only
    assert snapshot(data) == before
    assert sorted(p.name for p in versions.iterdir()) == [result.version, second.version]
    (corpus / "broken.txt").unlink()
    changed = corpus / "loja-2019-08.txt"  # changed back: one report to build, four carried
    changed.write_text(changed.read_text(encoding="utf-8").replace(NEW_TARGET, OLD_TARGET, 1))
    third = build([corpus], settings_for(data), jobs=1)
    assert (third.built, third.carried) == (1, 4)
    assert sorted(p.name for p in versions.iterdir()) == [second.version, third.version]
    assert_current_state(data)


def test_renamed_files_are_carried_over(first: tuple[Path, BuildReport], corpus: Path) -> None:
    data, result = first
    (corpus / "sot-2023-01.txt").rename(corpus / "sot-enero.txt")
    again = build([corpus], settings_for(data), jobs=1)
    assert (again.built, again.carried) == (0, 5)
    files = {Path(r.file).name for r in again.reports}
    assert "sot-enero.txt" in files and "sot-2023-01.txt" not in files
    assert {r.graph for r in again.reports} == {r.graph for r in result.reports}


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    """Enough synthetic reports that a build starts two workers (``workers_for``)."""
    folder = tmp_path / "synthetic"
    synth_reports(2 * MIN_PER_WORKER, folder, seed=5, units=4)
    assert workers_for(2 * MIN_PER_WORKER, 2) == 2
    return folder


def test_two_jobs_publish_the_same_quads_as_one(synthetic: Path, tmp_path: Path) -> None:
    one = build([synthetic], settings_for(tmp_path / "one"), jobs=1)
    two = build([synthetic], settings_for(tmp_path / "two"), jobs=2)
    assert [r.file for r in one.reports] == [r.file for r in two.reports]
    assert timeless(graph_quads(tmp_path / "one")) == timeless(graph_quads(tmp_path / "two"))
    assert one.triples == two.triples
    assert [r.shacl_warnings for r in one.reports] == [r.shacl_warnings for r in two.reports]


def test_rows_made_beside_the_parent_give_the_downloads_it_would_write(
    synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two jobs, the current reports' tidy rows are made in a process of their own
    while the parent builds the current state; the downloads are those of one job."""
    alone = build([synthetic], settings_for(tmp_path / "alone"), jobs=1)
    monkeypatch.setattr(pipeline, "ROWS_IN_PROCESS", 1)  # 9 institutions: 9 reports' rows

    def not_in_the_parent(*args: Any) -> None:
        raise AssertionError("the parent made rows the process should have made")

    monkeypatch.setattr(pipeline.tidy, "write_report_rows", not_in_the_parent)
    beside = build([synthetic], settings_for(tmp_path / "beside"), jobs=2)
    assert "tidy rows (CPU)" in beside.seconds and "tidy rows (CPU)" not in alone.seconds
    for name in ("metas.csv", "metas-utf8.csv"):
        made = (tmp_path / "beside" / "current" / "dumps" / name).read_bytes()
        assert made == (tmp_path / "alone" / "current" / "dumps" / name).read_bytes()
        assert made.count(b"\n") > 9  # a header and every current report's rows


def killed(cache_dir: Path, hashes: list[str]) -> float:
    """``make_rows`` whose process dies before making any row (its pool is broken); in
    the parent (the build's own process) it makes them."""
    if multiprocessing.parent_process() is not None:
        os._exit(1)
    return make_rows(cache_dir, hashes)


def test_rows_are_made_by_the_parent_when_their_process_dies(
    synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build([synthetic], settings_for(tmp_path / "alone"), jobs=1)
    monkeypatch.setattr(pipeline, "ROWS_IN_PROCESS", 1)
    monkeypatch.setattr(pipeline, "make_rows", killed)
    beside = build([synthetic], settings_for(tmp_path / "beside"), jobs=2)
    assert "tidy rows (wait)" in beside.seconds and "tidy rows (CPU)" not in beside.seconds
    for name in ("metas.csv", "metas-utf8.csv"):
        made = (tmp_path / "beside" / "current" / "dumps" / name).read_bytes()
        assert made == (tmp_path / "alone" / "current" / "dumps" / name).read_bytes()


def test_failures_in_workers_name_every_bad_file(synthetic: Path, tmp_path: Path) -> None:
    (synthetic / "a-broken.txt").write_text("nothing\n", encoding="utf-8")
    (synthetic / "z-broken.csv").write_text("x,y\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build([synthetic], settings_for(tmp_path / "data"), jobs=2)
    assert [Path(p.split(":")[0]).name for p in failed.value.problems] == [
        "a-broken.txt",
        "z-broken.csv",
    ]
    assert not (tmp_path / "data" / "current").exists()


def targets_now(data: Path, institution: str) -> set[str]:
    """The targets the default graph (the current state) states for ``institution``."""
    store = PublishedStore(data)
    rows = store.select(
        """PREFIX lotaip: <https://w3id.org/lotaip/def/>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?t ?id WHERE {
          ?t a lotaip:Target ; lotaip:institution ?i . ?i dct:identifier ?id }""",
        {"id": Literal(institution)},
    )
    return {str(row["t"]) for row in rows}


def test_months_keep_the_current_state_true(corpus: Path, tmp_path: Path) -> None:
    """Adding an older month changes nothing current, a newer one replaces it, and
    withdrawing the newest brings the previous one back; each rebuild equals a full build."""
    data = tmp_path / "data"
    january = corpus / "sot-2023-01.txt"
    shutil.move(january, tmp_path / "sot-2023-01.txt")
    shutil.copy(FEBRUARY, corpus / "sot-2023-02.txt")
    build([corpus], settings_for(data), jobs=1)  # February alone
    february = targets_now(data, "sot")
    assert len(february) == 28
    before = union(data)

    shutil.move(tmp_path / "sot-2023-01.txt", january)  # an older month arrives
    older = build([corpus], settings_for(data), jobs=1)
    assert (older.built, older.carried) == (1, 5)
    # nothing current changed: the corpus graphs only gained the older report's own
    # quality measurements (the corpus graphs are part of the default graph whole)
    added = union(data) - before
    odd = [t for t in added if not t.startswith(f"<{BASE}id/reporte/sot/2023-01")]
    assert added and not odd, odd[:5]
    assert before <= union(data)
    assert_current_state(data)
    assert len(triples_of(data)) > len(triples_of(data, current_graphs(data)) - before)
    # tidy rows are made for current reports only: January has none yet
    rows = tidy.tidy_cache_path(data / "current" / "reports", _sha256(january))
    assert not rows.is_file()

    (corpus / "sot-2023-02.txt").unlink()  # the newest withdrawn: January is current
    back = build([corpus], settings_for(data), jobs=1)
    assert back.withdrawn == 1
    assert len(targets_now(data, "sot")) == 29
    assert_current_state(data)
    assert rows.is_file()  # made from its kept N-Quads once current
    full = tmp_path / "full"
    build([corpus], settings_for(full), jobs=1, incremental=False)
    assert timeless({"": union(data)}) == timeless({"": union(full)})
    for name in ("metas.csv", "metas-utf8.csv"):
        dumps = Path("current") / "dumps" / name
        assert (data / dumps).read_bytes() == (full / dumps).read_bytes()

    shutil.copy(FEBRUARY, corpus / "sot-2023-02.txt")  # a newer month replaces it
    newer = build([corpus], settings_for(data), jobs=1)
    assert (newer.built, newer.carried) == (1, 5)
    assert targets_now(data, "sot") == february
    assert_current_state(data)
    build([corpus], settings_for(full), jobs=1, incremental=False)
    assert timeless({"": union(data)}) == timeless({"": union(full)})
    assert timeless(graph_quads(data, True)) == timeless(graph_quads(full, True))


def test_a_leaving_line_a_corpus_graph_states_stays_current(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a newer month replaces a report, a line about the institution's own nodes
    that only the old report and a corpus graph state stays in the current state."""
    january = f"{BASE}id/reporte/sot/2023-01"
    monthly = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    triple = f"<{january}> <{DCTERMS.accrualPeriodicity}> <{monthly}>"
    quality = corpus_graphs.CORPUS_STAGES[-1]

    def quality_stage(parts: Any, urls: Urls) -> corpus_graphs.CorpusGraph:
        # the quality graph states that line as well
        graph = quality(parts, urls)
        lines = corpus_graphs.sorted_lines(graph.ntriples, f"{triple} .\n".encode())
        return replace(graph, ntriples=lines)

    monkeypatch.setattr(
        corpus_graphs, "CORPUS_STAGES", [*corpus_graphs.CORPUS_STAGES[:-1], quality_stage]
    )
    data = tmp_path / "data"
    build([corpus], settings_for(data), jobs=1)  # January current
    assert f"{triple} <{january}>" in graph_quads(data)[january]
    shutil.copy(FEBRUARY, corpus / "sot-2023-02.txt")
    build([corpus], settings_for(data), jobs=1)  # February replaces January
    assert triple not in triples_of(data, current_graphs(data) - {f"{BASE}id/calidad"})
    assert triple in union(data)
    assert_current_state(data)


def test_history_lines_load_each_line_once_in_any_order() -> None:
    """An institution's next report needs in the history graph only what its last one
    lacked; whatever the order, the lines given out are every report's lines, once."""
    reports = {"jan": b"a\nb\n", "feb": b"a\nc\n", "mar": b"b\nc\nd\n"}
    read: list[str] = []  # a report is read back only when known by its key alone

    def reading(name: str) -> bytes:
        read.append(name)
        return reports[name]

    def history() -> HistoryLines[str]:
        return HistoryLines(reading)

    def new(lines: HistoryLines[str], institution: str, name: str) -> list[bytes]:
        return lines.new(institution, reports[name].splitlines(keepends=True))

    lines = history()
    assert new(lines, "x", "jan") == [b"a\n", b"b\n"]
    assert new(lines, "x", "feb") == [b"c\n"]
    assert new(lines, "y", "feb") == [b"a\n", b"c\n"]  # another institution's are its own
    assert new(lines, "x", "mar") == [b"b\n", b"d\n"]  # b: not in feb, loaded again (a set)
    assert read == []
    carried = history()  # a rebuild: the published version's report is in the graph
    assert not carried.knows("x")
    carried.remember("x", "jan")
    assert carried.knows("x")
    assert new(carried, "x", "feb") == [b"c\n"]
    assert read == ["jan"]
    for order in (["mar", "jan", "feb"], ["feb", "mar", "jan"]):
        given = history()
        loaded = {line for name in order for line in new(given, "x", name)}
        assert loaded == {b"a\n", b"b\n", b"c\n", b"d\n"}


def test_a_report_line_about_its_institution_s_nodes_is_owned() -> None:
    """The default graph's upkeep checks such a line against the institution's own
    current report only; a line about a shared node, or another institution's, is not
    owned (it is checked against every current graph)."""
    urls = Urls(BASE)
    lines = {
        f"<{BASE}id/institucion/gad-x> <p> <o> .\n".encode(),
        f"<{BASE}id/institucion/gad-x/unidad/u> <p> <o> .\n".encode(),
        f"<{BASE}id/reporte/gad-x/2023-01> <p> <o> .\n".encode(),
        f"<{BASE}id/institucion/gad-x-2/unidad/u> <p> <o> .\n".encode(),  # another one
        f"<{BASE}id/software/1.0> <p> <o> .\n".encode(),
    }
    owned, other = split_owned(lines, urls, "gad-x")
    assert len(owned) == 3
    assert other == {line for line in lines if b"gad-x-2" in line or b"software" in line}
    assert owner(urls, "gad-x") != owner(urls, "gad-x-2")


def test_a_line_about_a_moving_report_s_source_file_is_owned() -> None:
    """A source file's node is named by the file's content, so only reports read from that
    file state it: a line about it is checked against those reports only, not against
    every current graph; another file's node stays shared."""
    urls = Urls(BASE)
    this, other_file = "ab" * 32, "cd" * 32
    lines = {
        f"<{urls.source_file(this)}> <p> <o> .\n".encode(),
        f"<{urls.source_file(other_file)}> <p> <o> .\n".encode(),
        f"<{urls.source_file(this)}/x> <p> <o> .\n".encode(),  # not that node
    }
    owned, other = split_owned(lines, urls, "gad-x", {this})
    assert owned == {f"<{urls.source_file(this)}> <p> <o> .\n".encode()}
    assert split_owned(lines, urls, "gad-x") == (set(), lines)
