"""The build: report files -> a new published version of the data folder.

``build`` is the only function that knows the order of the stages::

    for each report:  parse_file -> map_report -> validate -> load (its own named graph)
                      -> its part of the corpus graphs and of validation.ttl (kept)
    then, once:       corpus graphs from the parts (corpus.CORPUS_STAGES)
                      -> dumps -> validation.ttl, void.ttl, build.json -> switch ``current``

Parse, map and validate run in worker processes (``jobs``, default one per core;
``workers.py``); the parent is the store's single writer. While it writes the corpus
graphs and the current state, the current reports' tidy rows are made in a process and,
on a thread, the changed corpus graphs' dump members compressed and the dumps copied.
Reports stream through in windows, and every report's contribution to what is published
over the whole corpus (dump members, tidy rows, corpus-graph part, SHACL results) is made
once and kept in the version's ``reports/`` folder, so no step holds every graph. Every
report is checked even after one fails, so the error names every bad file at once; then
nothing is published.

A build whose inputs, base URI and code are those of the published version is a no-op
(``BuildReport.skipped``). Otherwise, when the code and base URI are those of the
published version, the build is incremental: ``build.json`` keeps each report's sha256
and graph, so the published store is copied (a RocksDB checkpoint: hard links) with the
graphs of unchanged reports and the corpus graphs, and their kept files are linked; new
and changed reports are built, removed ones withdrawn, the corpus graphs' changed lines
written, and the dumps and descriptions concatenated from kept files (see ``_Plan``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import URIRef
from zlib_ng import zlib_ng

from publisher import downloads as tidy
from publisher.build import changes, corpus, current, publish
from publisher.build.describe import Subset, describe_dataset
from publisher.build.manifest import Entry, fetch, read_list
from publisher.build.publish import Dump
from publisher.build.workers import (
    NQUADS,
    TURTLE,
    VALIDATION,
    Built,
    Failed,
    Job,
    Summary,
    gzip_compressor,
    gzip_pieces,
    kept_path,
    make_rows,
    read_kept,
    read_member,
    run_jobs,
    spawning,
    workers_for,
    write_atomic,
)
from publisher.build.workers import problem_line as problem_line  # re-exported
from publisher.downloads import search
from publisher.errors import PublisherError, StoreError
from publisher.parse import trio
from publisher.parse.institution import MANIFEST
from publisher.settings import PROJECT_ROOT, Settings
from publisher.store.embedded import PIECES_A_BATCH, BuildStore, GraphLoader, OxigraphStore
from publisher.store.rdftext import line_pieces, with_graph, without_graph
from publisher.uris import Urls

#: What the build made of one report file (defined beside the workers that make it).
ReportSummary = Summary
#: Folder of a version holding what each report contributes (members, parts, tidy rows).
REPORTS = "reports"
#: Folder of a version holding each corpus graph's N-Triples and dump members.
CORPUS = "corpus"
#: N-Quads waiting for the store are written once they pass this many bytes. Each load
#: adds a file to every index's first level; past twenty such files RocksDB slows every
#: other write until compaction has merged them: at 64 MB a month's update makes half
#: as many as at 32 MB (docs/performance.md), for ~170 MiB more while the reports load.
LOAD_BATCH = 64 << 20

#: From this many current reports without tidy rows, a process of its own makes them
#: (~5 ms each) beside the parent: below, starting it (~1.5 s of imports) costs more.
ROWS_IN_PROCESS = 200

#: ``progress(done, total, label)``: called after each report (the CLI draws a bar).
Progress = Callable[[int, int, str], None]
#: Folders whose contents change what a build produces (besides the inputs), the
#: suffixes that count, and the paths that only serve the site or the CLI.
CODE_DIRS = ("publisher", "ontology", "mappings", "shapes", "registry")
BUILD_SUFFIXES = frozenset({".py", ".ttl", ".toml", ".json", ".csv"})
NOT_BUILD = (
    "publisher/web/",
    "publisher/query/",
    "publisher/cli.py",
    "publisher/serve.py",
    "publisher/store/remote.py",
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
    corpus: dict[str, str] = field(default_factory=dict)  # corpus graph IRI -> files' stem
    #: sha256 of the reports this build parsed (their warnings are news; carried ones not)
    built_hashes: set[str] = field(default_factory=set)
    #: stage -> the build process's peak memory (MiB) when that stage raised it last
    peaks: dict[str, float] = field(default_factory=dict)

    @property
    def warnings(self) -> int:
        """Number of warnings over every report."""
        return sum(len(r.parse_warnings) + len(r.shacl_warnings) for r in self.reports)

    def warning_lines(self) -> list[str]:
        """The warnings of the reports this build parsed, one ``FILE:LINE: warning: …``
        line each (``FILE: warning: …`` for a SHACL warning on a node without a line)."""
        lines = []
        for report in self.reports:
            if report.sha256 not in self.built_hashes:
                continue
            for text in report.parse_warnings + report.shacl_warnings:
                lines.append(located_warning(report.file, text))
        return lines

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


def located_warning(file: str, text: str) -> str:
    """``line N: message`` (as a report summary keeps a warning) as ``FILE:N: warning:
    message``, the shape of every other located message."""
    line, sep, message = text.partition(": ")
    if sep and line.startswith("line ") and line[5:].isdigit():
        return f"{file}:{line[5:]}: warning: {message}"
    return f"{file}: warning: {text}"


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
    ``incremental=False`` rebuilds every report, even when nothing changed. ``quiet``
    silences ``progress``.
    """
    data_dir = out or settings.data_dir
    with tempfile.TemporaryDirectory(prefix="lotaip-downloads-") as downloads:
        if manifest is not None:
            inputs = read_listed(read_list(manifest), Path(downloads))
        else:
            inputs = read_inputs(paths or [settings.examples_dir])
        try:
            return _build_locked(
                inputs,
                settings,
                data_dir,
                None if quiet else progress,
                jobs or os.cpu_count() or 1,
                incremental,
            )
        except OSError as err:
            # The data folder is a file, unwritable, or full: say which file and why, in
            # the ``FILE: message`` shape (the unfinished version is already discarded).
            raise StoreError(f"{err.filename or data_dir}: {err.strerror or err}") from err


def _build_locked(
    inputs: Sequence[Input],
    settings: Settings,
    data_dir: Path,
    progress: Progress | None,
    jobs: int,
    incremental: bool,
) -> BuildReport:
    started = time.perf_counter()
    code = code_fingerprint(settings)
    fingerprint = build_fingerprint(inputs, settings, code)
    with publish.build_lock(data_dir):
        # a full build is asked for when something is in doubt: it never skips
        unchanged = _unchanged(data_dir, fingerprint) if incremental else None
        if unchanged is not None:
            # Nothing to publish, but folders an interrupted build left still go.
            publish.prune_versions(data_dir)
            return unchanged
        previous = _previous(data_dir, code) if incremental else None
        version_dir = publish.new_version(data_dir)
        try:
            plan = _Plan(inputs, settings, version_dir, progress, jobs, previous)
            plan.timer.seconds["start"] = time.perf_counter() - started  # hashes, manifest
            result = plan.run()
            publish.write_manifest(version_dir, _manifest(result, fingerprint, code, settings))
        except BaseException:
            publish.discard_version(version_dir)
            raise
        with plan.timer("publish"):  # switch ``current``, remove the oldest version
            publish.publish_version(data_dir, version_dir)
    result.data_dir = data_dir
    return result


def read_inputs(paths: Sequence[Path]) -> list[Input]:
    """The report files named by ``paths`` (a folder stands for its visible files).

    A numeral 1.3 trio is one input: its data file, hashed with its two siblings.
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
    return [Input(path, _sha256(path)) for path in trio.report_files(files)]


def read_listed(entries: Sequence[Entry], downloads: Path) -> list[Input]:
    """The inputs of a build list; URLs are fetched into ``downloads`` first."""
    inputs = []
    for entry in entries:
        path = fetch(entry, downloads)
        inputs.append(Input(path, _sha256(path), entry.institution, entry.period))
    return inputs


def _sha256(path: Path) -> str:
    try:
        return trio.input_digest(path)
    except OSError:
        return ""


def _visible(path: Path) -> bool:
    # manifest.json says what the files beside it are (parse/institution.py): not a report
    return not path.name.startswith(".") and not path.name.endswith("~") and path.name != MANIFEST


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
    corpus: dict[str, str]  # corpus graph IRI -> its files' stem under ``corpus/``
    current: frozenset[tuple[str, str]]  # (graph, sha256) of its current reports


def _previous(data_dir: Path, code: str) -> _Previous | None:
    """The published version, when it was built by this code with this base URI."""
    manifest = publish.read_manifest(data_dir)
    current = publish.current_version(data_dir)
    if manifest is None or current is None or manifest.get("code") != code:
        return None
    if not (current / "store").is_dir() or not (current / REPORTS).is_dir():
        return None
    if not (current / CORPUS / corpus.PARTS).is_file():  # its reports' parts: a full build
        return None
    reports = {}
    every = [ReportSummary(**entry) for entry in manifest["reports"]]
    for summary in every:
        if kept_path(current / REPORTS, summary.sha256).is_file():
            reports[summary.sha256] = summary
    now = frozenset((s.graph, s.sha256) for s in _current_reports(every))
    return _Previous(current, reports, dict(manifest.get("corpus", {})), now)


def _current_reports(summaries: Sequence[ReportSummary]) -> list[ReportSummary]:
    """Each institution's current report (``current.latest``), in graph order."""
    return sorted(current.latest(summaries).values(), key=lambda s: s.graph)


def _corpus_stem(iri: str) -> str:
    """The stem of a corpus graph's files under ``corpus/``."""
    return hashlib.sha256(iri.encode()).hexdigest()[:16]


class _Plan:
    """One build of a version folder: carry over, build, load, corpus stages, finish.

    A rebuild's work grows with the reports it builds, not with the corpus: carried
    reports' graphs stay in the copied store and their cached files are linked; the
    corpus graphs are assembled from the reports' kept parts and only their changed
    lines are written; dumps and ``validation.ttl`` are concatenations of kept files;
    ``void.ttl`` counts from the summaries. What stays proportional to the corpus is
    file linking and copying, and reading each report's small part.
    """

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
        self.max_report_bytes = settings.max_report_bytes
        self.version_dir = version_dir
        self.cache_dir = version_dir / REPORTS
        self.corpus_dir = version_dir / CORPUS
        self.progress = progress
        self.jobs = jobs
        self.previous = previous
        self.timer = Timer()
        self.generated_at = datetime.now(UTC).replace(microsecond=0)
        self.history = str(self.urls.history())
        # a carried report's lines, read back from the published version's member (its
        # link into this version may not be made yet): (graph IRI, sha256)
        self.history_lines = current.HistoryLines[tuple[str, str]](
            lambda report: self._report_triples(self._previous_reports(), *report)
        )
        #: Each institution's latest report carried from the published version.
        self.latest_carried: dict[str, ReportSummary] = {}
        #: The parts of the corpus graphs of the reports built, as their workers sent them.
        self.built_parts: dict[str, corpus.ReportPart] = {}
        #: Triples (N-Triples lines) of the report graphs withdrawn from the copied store,
        #: less those a report loaded by this build states: the history graph keeps those
        #: another report still states.
        self.stale: set[bytes] = set()
        #: Lines taken out of the copied store's corpus graphs, and lines added to them: the
        #: current state (default graph) follows both.
        self.corpus_removed: set[bytes] = set()
        self.corpus_added: list[bytes] = []
        #: Corpus graphs whose dump members (gzip, hundreds of megabytes at national
        #: scale) are still to be written, with their files' stem.
        self.members: list[tuple[corpus.CorpusGraph, Path]] = []
        #: Corpus graphs about every month, outside the current state: the changes.
        self.not_current = {str(changes.changes_graph_iri(self.urls))}

    def run(self) -> BuildReport:
        """Fill the version folder (store, dumps, void.ttl, validation.ttl); publish nothing."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        carried = self._carried()
        self.latest_carried.update(current.latest(carried.values()))
        with self.timer("carry"):
            store = self._start_store(carried)
        loader = store.bulk_loader(LOAD_BATCH)
        # The carried reports' files are linked into this version and their parts of the
        # corpus graphs read while the new reports are built: a month's update links and
        # reads 24,000 files (~10 s from a cold disk), work that would otherwise hold up
        # the parent, whose thread mostly waits for the loader. The built reports' parts
        # come with their results.
        reading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parts")
        try:
            kept = reading.submit(self._carry_files, list(carried))
            summaries, built = self._reports(carried, loader)
            with self.timer("read parts"):  # the links, first: the rows process looks
                held = kept.result()  # for the carried reports' kept rows
        finally:
            # on failure the version is discarded: its folder must not be filled meanwhile
            reading.shutdown(wait=True, cancel_futures=True)
        # From here the parent works alone on the store (corpus graphs, current state),
        # on one core: the new current reports' tidy rows are made meanwhile in a process
        # of their own, and on a thread the changed corpus graphs' dump members, the dumps
        # and validation.ttl (no store read; compression, copies and the store's work let
        # go of the GIL).
        with ExitStack() as background:
            rows = self._start_rows(summaries, background)
            with self.timer("read parts"):  # each report's part of the corpus graphs
                held.update(self.built_parts)
                parts = [held[s.sha256] for s in summaries]
            files = {s.graph: s.sha256 for s in summaries}
            graphs = self._corpus_graphs(parts, files, store, loader)
            copying = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dumps")
            copied = background.enter_context(copying).submit(
                self._copy_dumps, summaries, parts, graphs
            )
            with self.timer("load"):
                loader.flush()
            self.timer.seconds["bulk loads"] = loader.seconds  # on the loader's thread
            with self.timer("history"):  # the loader added what it loaded; drop the withdrawn
                stating = {s.graph for s in summaries}
                store.drop_unstated(b"".join(self.stale), self.history, stating)
            with self.timer("current"):
                now = [graph for graph in graphs if graph.iri not in self.not_current]
                self._current_state(store, summaries, now)
                store.flush()
            dumps = copied.result()
            if rows is not None:
                # a killed process made some rows or none: the parent makes what is missing
                with self.timer("tidy rows (wait)"), suppress(BrokenProcessPool):
                    self.timer.seconds["tidy rows (CPU)"] = rows.result()
        dumps += self._downloads(store, summaries)
        with self.timer("void"):
            triples = self._describe(summaries, graphs, dumps)
        result = BuildReport(
            self.version_dir.parent.parent,
            self.version_dir.name,
            False,
            triples,
            summaries,
            self.timer.seconds,
            dumps,
        )
        result.peaks = self.timer.peaks
        result.built, result.carried = built, len(summaries) - built
        result.built_hashes = {s.sha256 for s in summaries} - set(carried)
        result.corpus = {graph.iri: _corpus_stem(graph.iri) for graph in graphs}
        if self.previous is not None:
            old = {summary.graph for summary in self.previous.reports.values()}
            result.withdrawn = len(old - {summary.graph for summary in summaries})
        return result

    def _carry_files(self, carried: Sequence[str]) -> dict[str, corpus.ReportPart]:
        """Link the kept files of the ``carried`` reports (sha256) from the published
        version into this one; return their parts of the corpus graphs (sha256 -> part),
        from the published version's file of every report's part."""
        if not carried:  # a full build
            return {}
        started = time.perf_counter()
        kept = self._previous_reports()
        for sha256 in carried:
            _link(kept, self.cache_dir, kept_path(kept, sha256).name)
            rows = tidy.tidy_cache_path(kept, sha256)
            if rows.is_file():
                _link(kept, self.cache_dir, rows.name)
        self.timer.seconds["link (thread)"] = time.perf_counter() - started
        assert self.previous is not None, "only a rebuild carries reports"
        path = self.previous.folder / CORPUS / corpus.PARTS
        every = corpus.read_parts(path)
        missing = [sha256 for sha256 in carried if sha256 not in every]
        if missing:  # the same code wrote both: the published version is damaged
            raise StoreError(f"{path} lacks the part of {len(missing)} kept report(s)")
        return {sha256: every[sha256] for sha256 in carried}

    def _previous_reports(self) -> Path:
        """The published version's ``reports/`` folder (a rebuild only)."""
        assert self.previous is not None, "only a rebuild carries reports"
        return self.previous.folder / REPORTS

    def _copy_dumps(
        self,
        summaries: list[ReportSummary],
        parts: Sequence[corpus.ReportPart],
        graphs: list[corpus.CorpusGraph],
    ) -> list[Dump]:
        """Write the changed corpus graphs' dump members, then the RDF dumps and
        ``validation.ttl``: the kept members concatenated (no store read; ``run`` calls
        this on a thread of its own, beside the current state's store work). A carried
        report's members are copied from the published version's dumps (``SPANS``).
        Keep what the next build carries: every report's ``parts`` and ``SPANS``."""
        hashes = [s.sha256 for s in summaries]
        with self.timer("keep parts"):
            kept = {s.sha256: part for s, part in zip(summaries, parts, strict=True)}
            corpus.write_parts(self.corpus_dir / corpus.PARTS, kept)
        stems = [self.corpus_dir / _corpus_stem(graph.iri) for graph in graphs]
        dumps_dir = self.version_dir / "dumps"
        with self.timer("corpus members"):
            for graph, stem in self.members:
                _write_members(graph, stem)
        validation: list[bytes] = []
        spans: dict[str, list[int]] = {}
        ends = [0, 0, 0]  # bytes written so far: N-Quads dump, Turtle dump, validation parts

        def members(carried: _CarriedMembers) -> Iterator[tuple[bytes, bytes]]:
            for sha256 in hashes:
                # a report built now (maybe again: its kept file was lost) has new members
                held = None if sha256 in self.built_parts else carried.read(sha256)
                nquads, turtle, results = held or read_kept(
                    self.cache_dir, sha256, NQUADS, TURTLE, VALIDATION
                )
                spans[sha256] = [ends[0], len(nquads), ends[1], len(turtle), ends[2]]
                spans[sha256] += [len(results), _crc(nquads, turtle, results)]
                ends[:] = [ends[0] + len(nquads), ends[1] + len(turtle), ends[2] + len(results)]
                validation.append(results)
                yield nquads, turtle
            for stem in stems:  # each corpus graph's members
                nquads_file, turtle_file = stem.with_suffix(".nq.gz"), stem.with_suffix(".ttl.gz")
                yield nquads_file.read_bytes(), turtle_file.read_bytes()

        with self.timer("dumps"), _CarriedMembers(self.previous) as carried:
            dumps = publish.write_rdf_dumps(members(carried), dumps_dir)
        with self.timer("validation"):
            header = publish.write_validation(validation, self.version_dir / publish.VALIDATION)
        for span in spans.values():
            span[4] += header
        write_atomic(self.corpus_dir / SPANS, json.dumps(spans).encode())
        return dumps

    def _start_rows(
        self, summaries: Sequence[ReportSummary], background: ExitStack
    ) -> Future[float] | None:
        """Start making the tidy rows of the current reports that have none yet, in a
        process of its own that ``background`` closes; None when the parent had better
        make them (``_downloads``): one job only, or too few rows to pay for a process."""
        missing = [
            s.sha256
            for s in _current_reports(summaries)
            if not tidy.tidy_cache_path(self.cache_dir, s.sha256).is_file()
        ]
        if self.jobs < 2 or len(missing) < ROWS_IN_PROCESS:
            return None
        pool = ProcessPoolExecutor(max_workers=1, mp_context=spawning())
        return background.enter_context(pool).submit(make_rows, self.cache_dir, missing)

    def _downloads(self, store: OxigraphStore, summaries: list[ReportSummary]) -> list[Dump]:
        """Write tidy's downloads (of the current state: each institution's current
        report) and the site's search index, from kept rows and the finished store."""
        hashes = [s.sha256 for s in summaries]
        dumps_dir = self.version_dir / "dumps"
        dumps: list[Dump] = []
        with self.timer("tidy"):  # CSV/XLSX/CSVW of the current state, from kept rows
            now = {s.sha256 for s in _current_reports(summaries)}
            current_hashes = [h for h in hashes if h in now]
            # a report's rows are made once it is current, from its kept N-Quads, and kept:
            # a year's build makes 2,000 reports' rows, not 24,000; those the rows process
            # (``_start_rows``) did not make, the parent makes here
            missing = [
                h for h in current_hashes if not tidy.tidy_cache_path(self.cache_dir, h).is_file()
            ]
            make_rows(self.cache_dir, missing)
            # what the store tells of the rows (corpus columns), asked once for both
            found = tidy.enrichment(store)
            dumps += tidy.write_tidy_cached(store, self.cache_dir, current_hashes, dumps_dir, found)
        with self.timer("search"):  # the site's search index, beside the dumps (issue 15)
            index = self.version_dir / search.INDEX
            search.write_index(found, dumps_dir / tidy.CSV_PLAIN, index)
        return dumps

    def _describe(
        self,
        summaries: list[ReportSummary],
        graphs: list[corpus.CorpusGraph],
        dumps: list[Dump],
    ) -> int:
        """Write ``void.ttl``; return the number of quads in named graphs, counted from the
        summaries and corpus graphs (the store is not scanned; the union is not counted)."""
        subsets = [Subset(URIRef(s.graph), s.triples, s.file, URIRef(s.graph)) for s in summaries]
        subsets += [Subset(URIRef(g.iri), g.triples, g.title) for g in graphs]
        triples = sum(subset.triples for subset in subsets)
        void = describe_dataset(
            self.urls,
            version=self.version_dir.name,
            issued=self.generated_at,
            triples=triples,
            subsets=subsets,
            dumps=dumps,
        )
        publish.write_turtle(void, self.version_dir / publish.VOID)
        return triples

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
        """A fresh store, or a copy of the published one holding the ``carried`` graphs
        and the corpus graphs (updated line by line later)."""
        path = self.version_dir / "store"
        if self.previous is None:
            return OxigraphStore(path)
        store = OxigraphStore.checkpoint(self.previous.folder / "store", path)
        keep = {summary.graph for summary in carried.values()} | set(self.previous.corpus)
        keep.add(self.history)
        for name in store.graphs():
            if str(name) not in keep:
                self._withdraw(store, str(name), self.stale)  # changed or removed reports
        return store  # the carried reports' kept files: ``_carry_files``

    def _withdraw(self, store: BuildStore, iri: str, stale: set[bytes]) -> None:
        """Remove a named graph; its triples (added to ``stale``) may leave the history
        graph (a report) or the current state (a corpus graph)."""
        stale.update(store.graph_ntriples(iri).splitlines(keepends=True))
        store.drop_graph(URIRef(iri))

    def _reports(
        self, carried: dict[str, ReportSummary], loader: GraphLoader
    ) -> tuple[list[ReportSummary], int]:
        """Every input's summary, in input order; build the new ones; raise if any is bad."""
        slots: list[ReportSummary | None] = [None] * len(self.inputs)
        problems: list[str] = []
        todo: list[int] = []
        for index, item in enumerate(self.inputs):
            if item.sha256 in carried:
                slots[index] = replace(carried[item.sha256], file=str(item.path))
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
                self.max_report_bytes,
            )

    def _collect(
        self,
        outcome: Built | Failed,
        index: int,
        slots: list[ReportSummary | None],
        problems: list[str],
        loader: GraphLoader,
    ) -> None:
        for stage, seconds in outcome.seconds.items():
            self.timer.seconds[stage] = self.timer.seconds.get(stage, 0.0) + seconds
        if isinstance(outcome, Failed):
            problems.append(outcome.problem)
            return
        summary = outcome.summary
        slots[index] = summary
        self.built_parts[summary.sha256] = outcome.part
        if problems:  # once a report failed nothing is published: stop loading
            return
        lines = outcome.ntriples.splitlines(keepends=True)
        with self.timer("load"):
            self._seed_history(summary.institution)
            loader.add(summary.graph, outcome.ntriples)
            history = self.history_lines.new(summary.institution, lines)
            if history:  # an empty add would name the graph with a write of its own
                loader.add(self.history, b"".join(history))
        if self.stale:  # lines the new graph states again need no check against the union
            self.stale.difference_update(lines)

    def _seed_history(self, institution: str) -> None:
        """Before an institution's first new report, remember its latest carried one: in
        a month's update the new report needs in the history graph only what it lacks."""
        if self.history_lines.knows(institution):
            return
        held = self.latest_carried.get(institution)
        if held is not None:
            self.history_lines.remember(institution, (held.graph, held.sha256))

    def _corpus_graphs(
        self,
        parts: Sequence[corpus.ReportPart],
        files: Mapping[str, str],
        store: BuildStore,
        loader: GraphLoader,
    ) -> list[corpus.CorpusGraph]:
        """Make the corpus graphs and write each one's files and changes to the store
        (``files``: each report's graph IRI -> its file's sha256)."""
        graphs = []
        for stage in corpus.CORPUS_STAGES:
            with self.timer(stage.__name__.removesuffix("_stage")):
                graph = stage(parts, self.urls)
                self._write_corpus_graph(graph, store, loader)
            graphs.append(graph)
        with self.timer("changes"):  # id/cambios: per institution, kept under corpus/
            graph = changes_stage(
                parts, self.urls, self.corpus_dir, self.previous, self.cache_dir, files
            )
            self._write_corpus_graph(graph, store, loader)
        graphs.append(graph)
        made = {graph.iri for graph in graphs}
        for iri in set(self.previous.corpus if self.previous else ()) - made:
            loader.flush()  # no other write beside a bulk load
            self._withdraw(store, iri, self.corpus_removed)  # a graph no longer made
        return graphs

    def _write_corpus_graph(
        self, graph: corpus.CorpusGraph, store: BuildStore, loader: GraphLoader
    ) -> None:
        """Keep the graph's N-Triples and dump members under ``corpus/``; load what changed.

        The published version's copy of the graph is in the store already: only the lines
        that differ from its kept N-Triples are removed or added.
        """
        stem = self.corpus_dir / _corpus_stem(graph.iri)
        old = self._previous_corpus(graph.iri)
        if self.previous is not None and old == graph.ntriples:  # unchanged: its files too
            for suffix in (".nt", ".nq.gz", ".ttl.gz"):
                _link(self.previous.folder / CORPUS, self.corpus_dir, stem.name + suffix)
            return
        stem.with_suffix(".nt").write_bytes(graph.ntriples)
        self.members.append((graph, stem))  # compressed beside the store's work: _copy_dumps
        if old is None:
            loader.add(graph.iri, graph.ntriples)  # in pieces: each load stays bounded
        in_default = graph.iri not in self.not_current  # its lines follow into the default graph
        if old is None:
            if in_default:
                self.corpus_added.append(graph.ntriples)
            return
        removed, added = corpus.line_changes(old, graph.ntriples)
        loader.flush()  # no other write beside a bulk load
        store.remove_triples(removed, graph.iri)
        loader.add(graph.iri, added)
        if in_default:
            self.corpus_removed.update(removed.splitlines(keepends=True))
            self.corpus_added.append(added)

    def _current_state(
        self,
        store: BuildStore,
        summaries: Sequence[ReportSummary],
        graphs: Sequence[corpus.CorpusGraph],
    ) -> None:
        """Bring the default graph to the current state: the union of each institution's
        current report and of the corpus graphs (``current``). A rebuild adds the graphs
        that became current and drops what only the graphs that stopped being current
        stated; without a usable previous version the default graph is made whole."""
        now = {(s.graph, s.sha256) for s in _current_reports(summaries)}
        before = self.previous.current if self.previous is not None else None
        old_dir = self.previous.folder / REPORTS if self.previous is not None else None
        reports = self.previous.reports if self.previous is not None else {}
        if (
            before is None
            or old_dir is None
            or not all(kept_path(old_dir, sha).is_file() for _, sha in before - now)
        ):  # nothing to follow: the default graph from scratch, in loads of bounded size
            store.clear_graph(None)
            adding = _Adding(store)
            for graph, sha256 in sorted(now):
                adding.add(self._report_triples(self.cache_dir, graph, sha256))
            for corpus_graph in graphs:
                adding.add(corpus_graph.ntriples)
            adding.flush()
            return
        # An institution's next month restates most of its last: what its leaving report
        # stated is in the default graph already, and what its entering one states stays;
        # each leaving line is then checked against the graphs still current. The mapping
        # mints a report's nodes under its institution's IRIs, and names its source file's
        # node by the file's content (``current.split_owned``), so a line about such a node
        # can only be stated by that institution's current reports, a current report read
        # from the same file, or a corpus graph: the entering reports' lines are at hand,
        # the corpus graphs' lines about those nodes are found by bisection (their lines
        # are sorted), any other such current report is asked by point lookups; and each
        # institution is handled alone, so memory holds one institution's lines at a time.
        # What the corpus graphs stopped stating about those nodes (an institution's quality
        # measurements) goes the same way. Only lines about shared nodes are checked against
        # every current graph (a scan of the triple's quads in every graph): a national
        # month's 17,603 lines about source files and quality measurements took 4.4 s that
        # way (docs/performance.md).
        corpus_names = {graph.iri for graph in graphs}
        current_of: dict[str, set[str]] = {}
        current_from: dict[str, set[str]] = {}  # a source file's sha256 -> current graphs
        for summary in _current_reports(summaries):
            key = current.owner(self.urls, summary.institution)
            current_of.setdefault(key, set()).add(summary.graph)
            current_from.setdefault(summary.sha256, set()).add(summary.graph)
        institution_of = {s.sha256: s.institution for s in summaries}
        # institution -> its reports entering (True) and leaving (False) the current state
        moves: dict[str, list[tuple[Path, str, str, bool]]] = {}
        for graph, sha256 in sorted(now - before):
            moves.setdefault(institution_of[sha256], []).append(
                (self.cache_dir, graph, sha256, True)
            )
        for graph, sha256 in sorted(before - now):
            moves.setdefault(reports[sha256].institution, []).append(
                (old_dir, graph, sha256, False)
            )
        adding = _Adding(store)
        shared_in: set[bytes] = set()
        shared_out: set[bytes] = set()
        removed = b"".join(sorted(self.corpus_removed))  # sorted, for lines_starting
        routed: set[bytes] = set()  # of those, lines about a moving institution's nodes
        for institution, moved in sorted(moves.items()):
            into: set[bytes] = set()
            out: set[bytes] = set()
            entering_graphs = set()
            for folder, graph, sha256, entering in moved:
                lines = self._report_triples(folder, graph, sha256).splitlines(keepends=True)
                (into if entering else out).update(lines)
                if entering:
                    entering_graphs.add(graph)
            files = {sha256 for _, _, sha256, _ in moved}
            owned_in, other_in = current.split_owned(into, self.urls, institution, files)
            owned_out, other_out = current.split_owned(out, self.urls, institution, files)
            shared_in |= other_in
            shared_out |= other_out
            adding.add(b"".join(sorted(owned_in - owned_out)))
            starts = current.owned_line_starts(self.urls, institution, files)
            in_corpus: set[bytes] = set().union(
                *(corpus.lines_starting(g.ntriples, starts) for g in graphs)
            )
            others = current_of.get(current.owner(self.urls, institution), set()).union(
                *(current_from.get(sha256, ()) for sha256 in files)
            )
            unstated = corpus.lines_starting(removed, starts)
            routed |= unstated
            leaving = (owned_out | unstated) - owned_in - in_corpus
            store.drop_unstated(b"".join(sorted(leaving)), None, others - entering_graphs)
        shared_out |= self.corpus_removed - routed
        corpus_in = {line for chunk in self.corpus_added for line in chunk.splitlines(True)}
        adding.add(b"".join(sorted((shared_in - shared_out) | corpus_in)))
        adding.flush()
        names = {graph for graph, _ in now} | corpus_names
        store.drop_unstated(b"".join(sorted(shared_out - shared_in - corpus_in)), None, names)

    @staticmethod
    def _report_triples(folder: Path, graph: str, sha256: str) -> bytes:
        """The N-Triples of a report's kept N-Quads member."""
        return without_graph(read_member(folder, sha256), graph)

    def _previous_corpus(self, iri: str) -> bytes | None:
        """The published version's N-Triples of the corpus graph ``iri`` (None if none)."""
        if self.previous is None or iri not in self.previous.corpus:
            return None
        path = self.previous.folder / CORPUS / f"{self.previous.corpus[iri]}.nt"
        try:
            return path.read_bytes()
        except OSError as err:
            raise StoreError(f"cannot read the published corpus graph {path}: {err}") from err


#: The file of a version's ``corpus/`` folder telling where each report's members sit in
#: the version's N-Quads dump, Turtle dump and ``validation.ttl`` (JSON: sha256 -> the
#: offset and length in each, then the CRC-32 of the three, as the kept file's entries
#: have). A month's update copies the 24,000 carried reports' members from those three
#: files, read front to back, instead of opening 24,000 kept files on a cold disk
#: (docs/performance.md, fourteenth session).
SPANS = "spans.json"


def _crc(*members: bytes) -> int:
    """The CRC-32 of ``members`` one after the other (~0.2 s for a national year's)."""
    crc = 0
    for member in members:
        crc = zlib_ng.crc32(member, crc)
    return crc


class _CarriedMembers:
    """The published version's dumps and ``validation.ttl``, open to copy a carried
    report's members from (``SPANS``); a version without them gives none."""

    def __init__(self, previous: _Previous | None) -> None:
        self._spans: dict[str, list[int]] = {}
        self._files: list[int] = []
        self._folder = previous.folder if previous is not None else None

    def __enter__(self) -> _CarriedMembers:
        folder = self._folder
        if folder is None or not (folder / CORPUS / SPANS).is_file():
            return self
        names = [f"dumps/{publish.NQUADS_DUMP}", f"dumps/{publish.TURTLE_DUMP}", publish.VALIDATION]
        try:
            self._spans = json.loads((folder / CORPUS / SPANS).read_bytes())
            for name in names:
                self._files.append(os.open(folder / name, os.O_RDONLY))
        except (OSError, ValueError) as err:
            self.__exit__()
            raise StoreError(f"cannot read the published dumps in {folder}: {err}") from err
        return self

    def read(self, sha256: str) -> tuple[bytes, bytes, bytes] | None:
        """The report's N-Quads member, Turtle member and validation part, as the
        published version's files hold them; None if they do not hold the report."""
        span = self._spans.get(sha256)
        if span is None or not self._files:
            return None
        offsets, lengths = span[0:6:2], span[1:6:2]
        held = [os.pread(f, n, at) for f, at, n in zip(self._files, offsets, lengths, strict=True)]
        if [len(data) for data in held] != lengths or _crc(*held) != span[6]:
            raise StoreError(f"the published dumps in {self._folder} differ from what it kept")
        return held[0], held[1], held[2]

    def __exit__(self, *_: object) -> None:
        for handle in self._files:
            os.close(handle)
        self._files = []


#: A corpus graph goes through its writers this many bytes of lines at a time: a national
#: year's quality graph is hundreds of megabytes, each of its other forms as much again.
PIECE = 16 << 20


def _write_members(graph: corpus.CorpusGraph, stem: Path) -> None:
    """Write a corpus graph's dump members (``stem``.nq.gz, .ttl.gz), a piece at a time.

    Its part of the Turtle dump is its N-Triples lines, which are Turtle too: a national
    quality graph is a million lines that no one reads by eye, and writing them as
    grouped Turtle cost the build more than writing them as N-Quads (cProfile)."""
    turtle = gzip_compressor()
    with (
        stem.with_suffix(".nq.gz").open("wb") as packed,
        stem.with_suffix(".ttl.gz").open("wb") as ttl,
    ):

        def nquads() -> Iterator[bytes]:
            for piece in line_pieces(graph.ntriples, PIECE):
                ttl.write(turtle.compress(piece))
                yield with_graph(piece, graph.iri)

        packed.writelines(gzip_pieces(nquads()))
        ttl.write(turtle.flush())


class _Adding:
    """Adds N-Triples to the store's default graph in loads of about ``LOAD_BATCH`` bytes:
    the current state of a national corpus is gigabytes of lines, never joined whole.
    Lines come in pieces of a quarter batch, so a load stays under 1.25 batches (a load
    holds ~5 times its bytes while it runs: ``GraphLoader``)."""

    def __init__(self, store: BuildStore) -> None:
        self.store = store
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, ntriples: bytes) -> None:
        """Queue lines; load the queue once it holds a batch."""
        for piece in line_pieces(ntriples, LOAD_BATCH // PIECES_A_BATCH):
            self._chunks.append(piece)
            self._size += len(piece)
            if self._size >= LOAD_BATCH:
                self.flush()

    def flush(self) -> None:
        """Load every queued line."""
        if self._chunks:
            self.store.add_triples(b"".join(self._chunks), None)
        self._chunks, self._size = [], 0


def changes_stage(
    parts: Sequence[corpus.ReportPart],
    urls: Urls,
    folder: Path,
    previous: _Previous | None,
    cache_dir: Path,
    sha256: Mapping[str, str],
) -> corpus.CorpusGraph:
    """The graph of changes (``changes.py``), from the kept per-institution files of the
    published version where an institution's reports did not change; the snapshots of
    the others are read from ``cache_dir`` (the reports' kept files; ``sha256``: report
    graph IRI -> the file's hash)."""
    kept = previous.folder / CORPUS if previous is not None else None

    def read(part: changes.Part) -> changes.Snapshot | None:
        return corpus.read_snapshot(cache_dir, sha256[part.graph])

    ntriples, _ = changes.changes_ntriples(parts, urls, folder, kept, read)
    iri = changes.changes_graph_iri(urls)
    return corpus.CorpusGraph(str(iri), ntriples, "Cambios entre informes consecutivos")


def kept_graph_files(version_dir: Path, manifest: dict[str, Any]) -> dict[str, Path]:
    """Graph IRI -> the file a version keeps its gzip N-Quads member in: each report's
    graph (``build.json`` ``reports``: the report's kept file) and each corpus graph
    (``corpus``: the member itself). ``read_graph_member`` reads either."""
    files = {
        entry["graph"]: kept_path(version_dir / REPORTS, entry["sha256"])
        for entry in manifest.get("reports", [])
    }
    for iri, stem in manifest.get("corpus", {}).items():
        files[iri] = version_dir / CORPUS / f"{stem}.nq.gz"
    return files


def read_graph_member(path: Path) -> bytes:
    """The gzip N-Quads member of a file ``kept_graph_files`` names, as the dump holds it."""
    if path.suffix == ".zip":  # a report's kept file (``workers.write_kept``)
        (member,) = read_kept(path.parent, path.stem, NQUADS)
        return member
    try:
        return path.read_bytes()
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err}") from err


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
        "corpus": result.corpus,
    }


class Timer:
    """Seconds spent per stage, summed over reports: ``with timer("parse"): ...``; and
    the stages during which the process's peak memory rose, with the peak they left
    (MiB, from Linux's ``VmHWM``): where a national build's memory goes.

    The peak is read when a stage ends, at most every ``PEAK_EVERY`` seconds: reading it
    costs ~0.5 ms, and the "load" stage ends once a report (a rise in a stage that
    ends sooner is told under the next stage that reads it)."""

    #: Seconds between two readings of the peak at least.
    PEAK_EVERY = 0.02

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._peak = peak_mib()
        self._checked = time.perf_counter()  # when the peak was last read

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            end = time.perf_counter()
            self.seconds[stage] = self.seconds.get(stage, 0.0) + end - start
            if end - self._checked >= self.PEAK_EVERY:
                self._checked = end
                peak = peak_mib()
                if peak > self._peak:
                    self.peaks[stage], self._peak = peak, peak


def peak_mib() -> float:
    """This process's peak resident memory so far, MiB (0 where Linux's /proc is not)."""
    try:
        with Path("/proc/self/status").open("rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
