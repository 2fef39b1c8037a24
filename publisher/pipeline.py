"""The build: report files -> a new published version of the data folder.

``build`` is the only function that knows the order of the stages::

    for each report:  parse_file -> map_report -> validate -> load (its own named graph)
    then, once:       corpus stages (ontology, links, quality: CORPUS_STAGES)
                      -> dumps -> void.ttl, validation.ttl, build.json -> switch ``current``

Reports stream through one at a time (no step holds every graph), so memory stays
bounded by the largest report. Every report is checked even after one fails, so the
error names every bad file at once; then nothing is published.

A build whose inputs, base URI and code are those of the published version is a no-op
(``BuildReport.skipped``). ``build.json`` keeps each report's sha256 and graph, which is
what an incremental build (rebuild only changed reports) needs to decide what to redo.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from publisher import publish, quality, tidy
from publisher.describe import Subset, describe_dataset
from publisher.errors import MappingError, ParseError, PublisherError, ValidationFailed
from publisher.link import link_stage
from publisher.mapping import map_report, ontology_graph
from publisher.parse import parse_file
from publisher.publish import Dump
from publisher.records import Report
from publisher.settings import PROJECT_ROOT, Settings
from publisher.store import BulkLoader, OxigraphStore
from publisher.uris import Urls
from publisher.validate import validate
from publisher.vocab import LOTAIP, SH

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
    """A report file to build and the sha256 of its bytes."""

    path: Path
    sha256: str


@dataclass
class ReportSummary:
    """What the build made of one report file."""

    file: str
    sha256: str
    graph: str
    institution: str
    triples: int
    parse_warnings: list[str] = field(default_factory=list)
    shacl_warnings: list[str] = field(default_factory=list)


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
            f"published version {self.version} in {self.data_dir}/current: {counts}, "
            f"{self.warnings} warning(s); {stages}"
        )


def build(
    paths: Sequence[Path],
    settings: Settings,
    *,
    out: Path | None = None,
    quiet: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Build ``paths`` (files or folders; none: the examples) into a new version of
    ``out`` (default ``settings.data_dir``) and publish it, or raise ``BuildFailed``
    leaving the published version untouched. ``quiet`` silences ``progress``."""
    data_dir = out or settings.data_dir
    inputs = read_inputs(paths or [settings.examples_dir])
    fingerprint = build_fingerprint(inputs, settings)
    with publish.build_lock(data_dir):
        unchanged = _unchanged(data_dir, fingerprint)
        if unchanged is not None:
            return unchanged
        version_dir = publish.new_version(data_dir)
        try:
            result = _build_version(inputs, settings, version_dir, None if quiet else progress)
            publish.write_manifest(version_dir, _manifest(result, fingerprint, settings))
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


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and not path.name.endswith("~")


def build_fingerprint(inputs: Sequence[Input], settings: Settings) -> str:
    """sha256 over what decides the output: inputs, base URI, build code and data files."""
    digest = hashlib.sha256()
    digest.update(settings.base_uri.encode())
    for item in inputs:
        digest.update(f"\0{item.path.name}\0{item.sha256}".encode())
    for path in _build_files():
        digest.update(f"\0{path.relative_to(PROJECT_ROOT)}\0".encode())
        digest.update(path.read_bytes())
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


def _build_version(
    inputs: Sequence[Input], settings: Settings, version_dir: Path, progress: Progress | None
) -> BuildReport:
    """Fill ``version_dir`` (store, dumps, void.ttl, validation.ttl); publish nothing."""
    urls = Urls(settings.base_uri)
    store = OxigraphStore(version_dir / "store")
    loader = BulkLoader(store)
    timer = Timer()
    generated_at = datetime.now(UTC).replace(microsecond=0)
    validation = ValidationCollector()
    reports, summaries = _build_reports(
        inputs, _ReportContext(loader, urls, generated_at, timer, validation), progress
    )
    subsets = [Subset(URIRef(s.graph), s.triples, s.file, URIRef(s.graph)) for s in summaries]
    subsets += _run_corpus_stages(reports, urls, loader, timer)
    with timer("load"):
        loader.flush()
        store.materialise_union()
    return _finish(version_dir, store, urls, generated_at, summaries, subsets, validation, timer)


@dataclass(frozen=True)
class _ReportContext:
    """What every report's build shares."""

    loader: BulkLoader
    urls: Urls
    generated_at: datetime
    timer: Timer
    validation: ValidationCollector


def _build_reports(
    inputs: Sequence[Input], context: _ReportContext, progress: Progress | None
) -> tuple[list[Report], list[ReportSummary]]:
    """Build every report; raise ``BuildFailed`` naming each bad one after trying all."""
    reports: list[Report] = []
    summaries: list[ReportSummary] = []
    problems: list[str] = []
    seen: dict[str, str] = {}  # graph IRI -> file: two files must not be the same report
    for done, item in enumerate(inputs, start=1):
        try:
            report, summary = _build_report(item, context)
        except (ParseError, MappingError, ValidationFailed) as err:
            problems.append(problem_line(item, err))
        else:
            if summary.graph in seen:
                problems.append(f"{item.path}: same report as {seen[summary.graph]}")
            seen.setdefault(summary.graph, summary.file)
            reports.append(report)
            summaries.append(summary)
        if progress is not None:
            progress(done, len(inputs), item.path.name)
    if problems:
        raise BuildFailed(problems)
    return reports, summaries


def _build_report(item: Input, context: _ReportContext) -> tuple[Report, ReportSummary]:
    """Parse, map, validate and load one report into its named graph."""
    timer = context.timer
    with timer("parse"):
        report = parse_file(item.path)
    with timer("map"):
        mapped = map_report(report, context.urls, generated_at=context.generated_at)
    with timer("validate"):
        outcome = validate(mapped.graph)
    if outcome.violations:
        raise ValidationFailed(str(item.path), list(outcome.violations))
    with timer("load"):
        triples = context.loader.add(mapped.graph_iri, mapped.graph)
    context.validation.add(mapped.graph_iri, outcome.results_graph)
    summary = ReportSummary(
        file=str(item.path),
        sha256=item.sha256,
        graph=str(mapped.graph_iri),
        institution=report.institution.id,
        triples=triples,
        parse_warnings=[f"line {w.line}: {w.message}" for w in report.warnings],
        shacl_warnings=[str(w) for w in outcome.warnings],
    )
    return report, summary


def problem_line(item: Input, err: PublisherError) -> str:
    """One line saying which file failed, where, and by which rule."""
    if isinstance(err, ValidationFailed):
        shown = "; ".join(err.violations[:3])
        more = f" (and {len(err.violations) - 3} more)" if len(err.violations) > 3 else ""
        return f"{item.path}: {len(err.violations)} SHACL violation(s): {shown}{more}"
    text = " ".join(str(err).split())  # one line, whatever the message held
    if text.startswith(item.path.name):  # ParseError names the file without its folder
        return f"{item.path}{text[len(item.path.name) :]}"
    return f"{item.path}: {text}"


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
    reports: Sequence[Report], urls: Urls, loader: BulkLoader, timer: Timer
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
) -> BuildReport:
    """Dumps and descriptions of the filled store."""
    with timer("dumps"):
        store.flush()
        dumps = publish.write_dumps(store, version_dir / "dumps")
    with timer("tidy"):  # CSV/XLSX/CSVW of the targets, read back from the store
        dumps += tidy.write_tidy(store, version_dir / "dumps")
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


def _manifest(result: BuildReport, fingerprint: str, settings: Settings) -> dict[str, Any]:
    """The ``build.json`` of a new version."""
    return {
        "version": result.version,
        "fingerprint": fingerprint,
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
