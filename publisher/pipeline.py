"""The build: report files -> a new published version of the data folder.

``build`` is the only function that knows the order of the stages::

    for each report:  parse_file -> map_report -> validate -> load (its own named graph)
    then, once:       corpus stages (ontology, links, quality: CORPUS_STAGES)
                      -> dumps -> void.ttl, validation.ttl, build.json -> switch ``current``

Parse, map and validate run in worker processes (``jobs``, default one per core;
``workers.py``); the parent is the store's single writer. Reports stream through in
windows (no step holds every graph, and the corpus stages read the parsed reports back
one at a time from the version's ``reports/`` cache), so memory stays bounded. Every
report is checked even after one fails, so the error names every bad file at once; then
nothing is published.

A build whose inputs, base URI and code are those of the published version is a no-op
(``BuildReport.skipped``). Otherwise, when the code and base URI are those of the
published version, the build is incremental: ``build.json`` keeps each report's sha256
and graph, so the published store is copied (a RocksDB checkpoint: hard links) with the
graphs of unchanged reports, whose parsed reports are carried over from the cache
without parsing them again; new and changed reports are built, removed ones withdrawn,
and the corpus stages, the union, dumps and descriptions are redone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from publisher import publish, quality, tidy
from publisher.describe import Subset, describe_dataset
from publisher.errors import PublisherError, StoreError
from publisher.link import link_stage
from publisher.manifest import Entry, fetch, read_list
from publisher.mapping import ontology_graph
from publisher.publish import Dump
from publisher.records import Report
from publisher.settings import PROJECT_ROOT, Settings
from publisher.store import OxigraphStore, to_ox
from publisher.uris import Urls
from publisher.vocab import LOTAIP, SH
from publisher.workers import (
    Built,
    CachedReports,
    Failed,
    Job,
    Summary,
    canonical_nquads,
    gzip_member,
    member_path,
    read_cached,
    run_jobs,
    workers_for,
)
from publisher.workers import problem_line as problem_line  # re-exported

#: What the build made of one report file (defined beside the workers that make it).
ReportSummary = Summary
#: Folder of a version holding each report's parsed form and SHACL results.
REPORTS = "reports"
#: N-Quads waiting for the store are written once they pass this many bytes.
LOAD_BATCH = 32 << 20

#: ``progress(done, total, label)``: called after each report (the CLI draws a bar).
Progress = Callable[[int, int, str], None]
#: A stage over the whole corpus, run after every report is loaded: it returns
#: (named graph IRI, graph) pairs to load.
CorpusStage = Callable[[Sequence[Report], Urls], Iterable[tuple[URIRef, Graph]]]
#: Folders whose contents change what a build produces (besides the inputs), the
#: suffixes that count, and the paths that only serve the site or the CLI.
CODE_DIRS = ("publisher", "ontology", "mappings", "shapes", "registry")
BUILD_SUFFIXES = frozenset({".py", ".ttl", ".toml", ".json", ".csv"})
NOT_BUILD = (
    "publisher/web/",
    "publisher/query/",
    "publisher/cli.py",
    "publisher/serve.py",
    "publisher/remote.py",
    "publisher/synth.py",
)


class BuildFailed(PublisherError):
    """Some reports could not be built; ``problems`` has one line per bad report."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(problems)
        super().__init__(f"build failed, nothing published ({len(problems)} bad):\n{lines}")


@dataclass(frozen=True)
class Input:
    """A report file to build, the sha256 of its bytes, and what a build list says of it."""

    path: Path
    sha256: str
    institution: str | None = None
    period: str | None = None


@dataclass
class BuildReport:
    """The outcome of ``build``: the version published (or kept) and its figures."""

    data_dir: Path
    version: str
    skipped: bool
    triples: int
    reports: list[ReportSummary]
    seconds: dict[str, float] = field(default_factory=dict)
    dumps: list[Dump] = field(default_factory=list)
    built: int = 0  # reports parsed, mapped and validated by this build
    carried: int = 0  # reports carried over from the published version unchanged
    withdrawn: int = 0  # graphs of the published version's reports no longer in the input

    @property
    def warnings(self) -> int:
        """Number of warnings over every report."""
        return sum(len(r.parse_warnings) + len(r.shacl_warnings) for r in self.reports)

    def summary(self) -> str:
        """One line saying what was published (or that nothing changed)."""
        counts = f"{len(self.reports)} reports, {self.triples} quads"
        if self.skipped:
            return f"nothing changed: {self.data_dir}/current is version {self.version} ({counts})"
        stages = ", ".join(f"{name} {secs:.2f}s" for name, secs in self.seconds.items())
        return (
            f"published version {self.version} in {self.data_dir}/current: {counts} "
            f"({self.built} built, {self.carried} unchanged, {self.withdrawn} withdrawn), "
            f"{self.warnings} warning(s); {stages}"
        )


def build(
    paths: Sequence[Path],
    settings: Settings,
    *,
    out: Path | None = None,
    quiet: bool = False,
    progress: Progress | None = None,
    jobs: int | None = None,
    manifest: Path | None = None,
    incremental: bool = True,
) -> BuildReport:
    """Build ``paths`` (files or folders; none: the examples) or the reports listed in
    ``manifest`` into a new version of ``out`` (default ``settings.data_dir``) and
    publish it, or raise ``BuildFailed`` leaving the published version untouched.

    ``jobs`` worker processes parse, map and validate (default: one per core).
    ``incremental=False`` rebuilds every report. ``quiet`` silences ``progress``.
    """
    data_dir = out or settings.data_dir
    with tempfile.TemporaryDirectory(prefix="lotaip-downloads-") as downloads:
        if manifest is not None:
            inputs = read_listed(read_list(manifest), Path(downloads))
        else:
            inputs = read_inputs(paths or [settings.examples_dir])
        return _build_locked(
            inputs,
            settings,
            data_dir,
            None if quiet else progress,
            jobs or os.cpu_count() or 1,
            incremental,
        )


def _build_locked(
    inputs: Sequence[Input],
    settings: Settings,
    data_dir: Path,
    progress: Progress | None,
    jobs: int,
    incremental: bool,
) -> BuildReport:
    code = code_fingerprint(settings)
    fingerprint = build_fingerprint(inputs, settings, code)
    with publish.build_lock(data_dir):
        unchanged = _unchanged(data_dir, fingerprint)
        if unchanged is not None:
            return unchanged
        previous = _previous(data_dir, code) if incremental else None
        version_dir = publish.new_version(data_dir)
        try:
            plan = _Plan(inputs, settings, version_dir, progress, jobs, previous)
            result = plan.run()
            publish.write_manifest(version_dir, _manifest(result, fingerprint, code, settings))
        except BaseException:
            publish.discard_version(version_dir)
            raise
        publish.publish_version(data_dir, version_dir)
    result.data_dir = data_dir
    return result


def read_inputs(paths: Sequence[Path]) -> list[Input]:
    """The report files named by ``paths`` (a folder stands for its visible files).

    A file that cannot be read gets an empty sha256: the parse stage reports it, beside
    every other bad file."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and _visible(p)))
        else:
            files.append(path)
    if not files:
        raise BuildFailed([f"no report files in {', '.join(map(str, paths))}"])
    return [Input(path, _sha256(path)) for path in files]


def read_listed(entries: Sequence[Entry], downloads: Path) -> list[Input]:
    """The inputs of a build list; URLs are fetched into ``downloads`` first."""
    inputs = []
    for entry in entries:
        path = fetch(entry, downloads)
        inputs.append(Input(path, _sha256(path), entry.institution, entry.period))
    return inputs


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and not path.name.endswith("~")


def code_fingerprint(settings: Settings) -> str:
    """sha256 over what decides each report's graph besides its file: base URI, code, data."""
    digest = hashlib.sha256()
    digest.update(settings.base_uri.encode())
    for path in _build_files():
        digest.update(f"\0{path.relative_to(PROJECT_ROOT)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_fingerprint(inputs: Sequence[Input], settings: Settings, code: str | None = None) -> str:
    """sha256 over what decides the output: inputs, base URI, build code and data files."""
    digest = hashlib.sha256((code or code_fingerprint(settings)).encode())
    for item in inputs:
        digest.update(f"\0{item.path.name}\0{item.sha256}".encode())
        if item.institution or item.period:
            digest.update(f"\0{item.institution}\0{item.period}".encode())
    return digest.hexdigest()


def _build_files() -> list[Path]:
    """The code and data whose change changes a build (not the web site's code)."""
    files = []
    for folder in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            if (
                path.suffix in BUILD_SUFFIXES
                and not relative.startswith(NOT_BUILD)
                and path.is_file()
            ):
                files.append(path)
    return files


def _unchanged(data_dir: Path, fingerprint: str) -> BuildReport | None:
    """A skipped-build report when the published version has ``fingerprint``."""
    manifest = publish.read_manifest(data_dir)
    current = publish.current_version(data_dir)
    if manifest is None or current is None or manifest.get("fingerprint") != fingerprint:
        return None
    if not (current / "store").is_dir():
        return None
    reports = [ReportSummary(**r) for r in manifest["reports"]]
    return BuildReport(data_dir, current.name, True, manifest["triples"], reports)


@dataclass(frozen=True)
class _Previous:
    """The published version an incremental build starts from."""

    folder: Path
    reports: dict[str, ReportSummary]  # sha256 -> what that version made of the file


def _previous(data_dir: Path, code: str) -> _Previous | None:
    """The published version, when it was built by this code with this base URI."""
    manifest = publish.read_manifest(data_dir)
    current = publish.current_version(data_dir)
    if manifest is None or current is None or manifest.get("code") != code:
        return None
    if not (current / "store").is_dir() or not (current / REPORTS).is_dir():
        return None
    reports = {}
    for entry in manifest["reports"]:
        summary = ReportSummary(**entry)
        cached = _cached_files(summary.sha256)
        if all((current / REPORTS / name).is_file() for name in cached):
            reports[summary.sha256] = summary
    return _Previous(current, reports)


def _cached_files(sha256: str) -> tuple[str, ...]:
    """A report's files in ``reports/`` that a rebuild carries over (all or it is rebuilt):
    parsed report and SHACL results, N-Quads member, tidy rows."""
    return (f"{sha256}.pickle", f"{sha256}.nq.gz", tidy.tidy_cache_path(Path(), sha256).name)


class _Plan:
    """One build of a version folder: carry over, build, load, corpus stages, finish."""

    def __init__(
        self,
        inputs: Sequence[Input],
        settings: Settings,
        version_dir: Path,
        progress: Progress | None,
        jobs: int,
        previous: _Previous | None,
    ) -> None:
        self.inputs = inputs
        self.urls = Urls(settings.base_uri)
        self.base_uri = settings.base_uri
        self.version_dir = version_dir
        self.cache_dir = version_dir / REPORTS
        self.progress = progress
        self.jobs = jobs
        self.previous = previous
        self.timer = Timer()
        self.generated_at = datetime.now(UTC).replace(microsecond=0)
        self.validation = ValidationCollector()
        #: Triples of the graphs withdrawn from the copied store: the union keeps those
        #: that another graph still states.
        self.stale: set[Any] = set()

    def run(self) -> BuildReport:
        """Fill the version folder (store, dumps, void.ttl, validation.ttl); publish nothing."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        carried = self._carried()
        with self.timer("carry"):
            store = self._start_store(carried)
        loader = _NQuadsLoader(store)
        summaries, built = self._reports(carried, loader)
        subsets = [Subset(URIRef(s.graph), s.triples, s.file, URIRef(s.graph)) for s in summaries]
        reports = CachedReports(self.cache_dir, [s.sha256 for s in summaries])
        corpus = _CorpusLoader(loader)
        subsets += _run_corpus_stages(reports, self.urls, corpus, self.timer)
        with self.timer("load"):
            loader.flush()
        with self.timer("union"):  # the loader added what it loaded; drop what was withdrawn
            drop_from_union(store, self.stale)
        with self.timer("dumps"):  # the workers' gzip members, concatenated: no store read
            members = [member_path(self.cache_dir, s.sha256) for s in summaries]
            nquads = publish.write_nquads_members(
                [*members, *corpus.members], self.version_dir / "dumps"
            )
        result = _finish(
            self.version_dir,
            store,
            self.urls,
            self.generated_at,
            summaries,
            subsets,
            self.validation,
            self.timer,
            nquads,
        )
        result.built, result.carried = built, len(summaries) - built
        if self.previous is not None:
            old = {summary.graph for summary in self.previous.reports.values()}
            result.withdrawn = len(old - {summary.graph for summary in summaries})
        return result

    def _carried(self) -> dict[str, ReportSummary]:
        """sha256 -> summary of the inputs the published version already holds."""
        if self.previous is None:
            return {}
        return {
            item.sha256: self.previous.reports[item.sha256]
            for item in self.inputs
            if item.sha256 in self.previous.reports
        }

    def _start_store(self, carried: dict[str, ReportSummary]) -> OxigraphStore:
        """A fresh store, or a copy of the published one holding only ``carried`` graphs."""
        path = self.version_dir / "store"
        if self.previous is None:
            return OxigraphStore(path)
        try:  # a checkpoint: hard links to the published store's immutable files
            ox.Store.read_only(str(self.previous.folder / "store")).backup(str(path))
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot copy the published store: {err}") from err
        store = OxigraphStore(path)
        native = store.native
        keep = {summary.graph for summary in carried.values()}
        for name in list(native.named_graphs()):
            if isinstance(name, ox.NamedNode) and name.value not in keep:
                # changed or removed reports, and the corpus graphs (made again)
                self.stale.update(
                    q.triple for q in native.quads_for_pattern(None, None, None, name)
                )
                native.remove_graph(name)
        for sha256 in carried:
            for file_name in _cached_files(sha256):
                _link(self.previous.folder / REPORTS, self.cache_dir, file_name)
        return store

    def _reports(
        self, carried: dict[str, ReportSummary], loader: _NQuadsLoader
    ) -> tuple[list[ReportSummary], int]:
        """Every input's summary, in input order; build the new ones; raise if any is bad."""
        slots: list[ReportSummary | None] = [None] * len(self.inputs)
        problems: list[str] = []
        todo: list[int] = []
        for index, item in enumerate(self.inputs):
            if item.sha256 in carried:
                old = carried[item.sha256]
                slots[index] = replace(old, file=str(item.path))
                _, results = read_cached(self.cache_dir, item.sha256)
                self.validation.add(URIRef(old.graph), _results_graph(results))
            else:
                todo.append(index)
        done = len(self.inputs) - len(todo)
        started = time.perf_counter()
        for index, outcome in zip(
            todo, run_jobs(self._jobs(todo), workers_for(len(todo), self.jobs)), strict=True
        ):
            self._collect(outcome, index, slots, problems, loader)
            done += 1
            if self.progress is not None:
                self.progress(done, len(self.inputs), self.inputs[index].path.name)
        self.timer.seconds["reports (wall)"] = time.perf_counter() - started
        summaries = [s for s in slots if s is not None]
        problems += _duplicates(summaries)
        if problems:
            raise BuildFailed(problems)
        return summaries, len(todo)

    def _jobs(self, todo: Sequence[int]) -> Iterator[Job]:
        for index in todo:
            item = self.inputs[index]
            yield Job(
                item.path,
                item.sha256,
                self.base_uri,
                self.generated_at,
                self.cache_dir,
                item.institution,
                item.period,
            )

    def _collect(
        self,
        outcome: Built | Failed,
        index: int,
        slots: list[ReportSummary | None],
        problems: list[str],
        loader: _NQuadsLoader,
    ) -> None:
        for stage, seconds in outcome.seconds.items():
            self.timer.seconds[stage] = self.timer.seconds.get(stage, 0.0) + seconds
        if isinstance(outcome, Failed):
            problems.append(outcome.problem)
            return
        summary = outcome.summary
        if not problems:  # once a report failed nothing is published: stop loading
            with self.timer("load"):
                loader.add(summary.graph, outcome.nquads)
        self.validation.add(URIRef(summary.graph), _results_graph(outcome.results))
        slots[index] = summary


def drop_from_union(store: OxigraphStore, triples: Iterable[Any]) -> int:
    """Remove from the union each of ``triples`` that no named graph states any more."""
    native = store.native
    default = ox.DefaultGraph()
    dropped = 0
    for triple in triples:
        quads = native.quads_for_pattern(triple.subject, triple.predicate, triple.object)
        if all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
            native.remove(ox.Quad(triple.subject, triple.predicate, triple.object, default))
            dropped += 1
    return dropped


def _duplicates(summaries: Sequence[ReportSummary]) -> list[str]:
    """One problem per file that is the same report (named graph) as an earlier one."""
    seen: dict[str, str] = {}
    problems = []
    for summary in summaries:
        if summary.graph in seen:
            problems.append(f"{summary.file}: same report as {seen[summary.graph]}")
        seen.setdefault(summary.graph, summary.file)
    return problems


def _link(source_dir: Path, target_dir: Path, name: str) -> None:
    """Hard-link ``name`` into ``target_dir`` (a copy where links are not possible)."""
    try:
        os.link(source_dir / name, target_dir / name)
    except OSError:
        shutil.copy2(source_dir / name, target_dir / name)


def _results_graph(ntriples: bytes) -> Graph:
    graph = Graph()
    if ntriples.strip():
        graph.parse(data=ntriples, format="nt")
    return graph


class _NQuadsLoader:
    """Loads graphs (N-Quads bytes, one graph each) with the bulk loader, and their
    triples into the union in the default graph.

    pyoxigraph's bulk loader writes new files on every call, so graphs wait in a bounded
    buffer (``LOAD_BATCH`` bytes) and go in together. The union gets the same bytes with
    the graph name taken out (the default graph is a set: a triple several graphs state
    is kept once), which spares reading the store back (pyoxigraph dumps ~20 MB/s).
    Only for a version no reader sees.
    """

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store
        self._chunks: list[bytes] = []
        self._triples: list[bytes] = []
        self._size = 0
        self._names: list[str] = []

    def add(self, graph_iri: str, nquads: bytes) -> None:
        """Queue one graph (every quad of ``nquads`` is in ``graph_iri``)."""
        self._chunks.append(nquads)
        # N-Triples escapes line breaks in literals: " <g> .\n" only ends a statement
        self._triples.append(nquads.replace(f" <{graph_iri}> .\n".encode(), b" .\n"))
        self._names.append(graph_iri)
        self._size += len(nquads)
        if self._size >= LOAD_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write every queued graph, and its triples to the union."""
        try:
            if self._chunks:
                native = self.store.native
                native.bulk_load(b"".join(self._chunks), ox.RdfFormat.N_QUADS)
                native.bulk_load(b"".join(self._triples), ox.RdfFormat.N_TRIPLES)
            for name in self._names:
                self.store.native.add_graph(ox.NamedNode(name))  # an empty graph still exists
        except (OSError, SyntaxError) as err:
            raise StoreError(f"cannot write to the store at {self.store.path}: {err}") from err
        self._chunks, self._triples, self._names, self._size = [], [], [], 0


class _CorpusLoader:
    """Loads the corpus stages' graphs through ``_NQuadsLoader``, keeping each one's
    gzip member for the N-Quads dump."""

    def __init__(self, loader: _NQuadsLoader) -> None:
        self.loader = loader
        self.members: list[bytes] = []

    def add(self, graph_iri: URIRef, graph: Graph) -> int:
        """Queue ``graph`` as the named graph ``graph_iri``; return its number of triples."""
        name = ox.NamedNode(str(graph_iri))
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph]
        nquads = canonical_nquads(quads)
        self.loader.add(str(graph_iri), nquads)
        self.members.append(gzip_member(nquads))
        return len(quads)


def ontology_stage(reports: Sequence[Report], urls: Urls) -> list[tuple[URIRef, Graph]]:
    """The ontology and code lists, in a named graph named after the ontology."""
    graph = ontology_graph()
    iri = graph.value(predicate=RDF.type, object=OWL.Ontology)
    return [(iri if isinstance(iri, URIRef) else URIRef(str(LOTAIP)), graph)]


#: Corpus stages in the order they run; see ``CorpusStage``.
CORPUS_STAGES: list[CorpusStage] = [ontology_stage]
# Links to the registry, Wikidata and INEC's territories, and unit functions: link.py.
CORPUS_STAGES.append(link_stage)
# Report quality (W3C DQV measurements of every report and institution): quality.py.
CORPUS_STAGES.append(quality.quality_stage)


def _run_corpus_stages(
    reports: Sequence[Report], urls: Urls, loader: _CorpusLoader, timer: Timer
) -> list[Subset]:
    subsets = []
    for stage in CORPUS_STAGES:
        with timer(stage.__name__.removesuffix("_stage")):
            for graph_iri, graph in stage(reports, urls):
                title = graph.value(graph_iri, RDFS.label) or graph.value(graph_iri, DCTERMS.title)
                triples = loader.add(graph_iri, graph)
                subsets.append(Subset(graph_iri, triples, str(title) if title else None))
    return subsets


def _finish(
    version_dir: Path,
    store: OxigraphStore,
    urls: Urls,
    generated_at: datetime,
    summaries: list[ReportSummary],
    subsets: list[Subset],
    validation: ValidationCollector,
    timer: Timer,
    nquads: Dump,
) -> BuildReport:
    """The other dumps and the descriptions of the filled store (``nquads`` is written)."""
    with timer("dumps"):
        store.flush()
        dumps = [nquads, publish.write_union_turtle(store, version_dir / "dumps")]
    with timer("tidy"):  # CSV/XLSX/CSVW of the targets, streamed from the workers' caches
        hashes = [summary.sha256 for summary in summaries]
        dumps += tidy.write_tidy_cached(store, version_dir / REPORTS, hashes, version_dir / "dumps")
    triples = len(store)
    void = describe_dataset(
        urls,
        version=version_dir.name,
        issued=generated_at,
        triples=triples,
        subsets=subsets,
        dumps=dumps,
    )
    publish.write_turtle(void, version_dir / publish.VOID)
    publish.write_turtle(validation.graph(), version_dir / publish.VALIDATION)
    return BuildReport(
        version_dir.parent.parent, version_dir.name, False, triples, summaries, timer.seconds, dumps
    )


def _manifest(
    result: BuildReport, fingerprint: str, code: str, settings: Settings
) -> dict[str, Any]:
    """The ``build.json`` of a new version (``code``: what decides reports' graphs)."""
    return {
        "version": result.version,
        "fingerprint": fingerprint,
        "code": code,
        "base_uri": settings.base_uri,
        "triples": result.triples,
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
        "reports": [asdict(r) for r in result.reports],
        "dumps": [asdict(d) for d in result.dumps],
    }


class ValidationCollector:
    """Gathers each report's SHACL results into one ``sh:ValidationReport``."""

    def __init__(self) -> None:
        self._graph = Graph()
        self._report = BNode("validation-report")
        self._violations = 0

    def add(self, graph_iri: URIRef, results: Graph) -> None:
        """Copy the results of one report's validation, each tied to the report's graph."""
        for result in results.subjects(RDF.type, SH.ValidationResult):
            self._graph.add((self._report, SH.result, result))
            self._graph.add((result, DCTERMS.source, graph_iri))
            if results.value(result, SH.resultSeverity) == SH.Violation:
                self._violations += 1
        for triple in results:
            if triple[1] not in (SH.conforms, SH.result) and triple[2] != SH.ValidationReport:
                self._graph.add(triple)

    def graph(self) -> Graph:
        """The combined report; it conforms when no result is a violation."""
        self._graph.add((self._report, RDF.type, SH.ValidationReport))
        self._graph.add((self._report, SH.conforms, Literal(self._violations == 0)))
        return self._graph


class Timer:
    """Seconds spent per stage, summed over reports: ``with timer("parse"): ...``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.seconds[stage] = self.seconds.get(stage, 0.0) + spent
