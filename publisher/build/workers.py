"""Per-report work of a build, run in worker processes: parse -> map -> validate.

A worker turns one report file into what the parent (the single writer of the store)
needs: the report's triples as N-Triples bytes (loaded by the parent's ``GraphLoader``,
compared with its institution's last report for the history graph), its summary and its
part of the corpus graphs. What the report contributes to the files published over the
whole corpus (dump members, its snapshot and its part of ``validation.ttl``:
``corpus.report_parts``) is kept in one file in the version's ``reports/`` folder
(``write_kept``), its part of the corpus graphs in the version's file of every report's
part (``corpus.write_parts``); the next incremental build carries them over instead of
parsing the report again.

``run_jobs`` streams results in input order, ``window`` jobs at a time, so memory stays
bounded by a window whatever the corpus size.
"""

from __future__ import annotations

import gzip
import io
import multiprocessing
import os
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from zlib_ng import gzip_ng, zlib_ng

from publisher.errors import (
    MappingError,
    ParseError,
    PublisherError,
    StoreError,
    ValidationFailed,
)
from publisher.records import ParseWarning, Report
from publisher.settings import Settings
from publisher.store.rdftext import TermTriple, turtle, with_graph
from publisher.uris import Urls
from publisher.vocab import PREFIXES

if TYPE_CHECKING:  # corpus imports this module: the parent needs no worker's imports
    from publisher.build.corpus import ReportPart

#: Jobs handed to the pool at once: results of a window wait for the parent in memory.
WINDOW = 64


@dataclass(frozen=True)
class Job:
    """One report file to build, and what the manifest says of it."""

    path: Path
    sha256: str
    base_uri: str
    generated_at: datetime
    cache_dir: Path  # where the worker keeps the report's files (``reports/``)
    institution: str | None = None  # registry id, when a manifest names it
    period: str | None = None  # ``YYYY-MM``, when a manifest names it
    max_bytes: int = Settings.max_report_bytes  # larger report files are refused unread


@dataclass
class Summary:
    """What the build made of one report file (``build.json`` keeps one per report)."""

    file: str
    sha256: str
    graph: str
    institution: str
    triples: int
    parse_warnings: list[str] = field(default_factory=list)
    shacl_warnings: list[str] = field(default_factory=list)
    #: the report's information date (ISO), which decides the institution's current report
    issued: str | None = None


@dataclass
class Built:
    """A report that parsed, mapped and validated: its graph waits to be loaded."""

    summary: Summary
    ntriples: bytes  # the report's triples, the lines SHACL read
    #: its part of the corpus graphs (the parent keeps every report's: ``corpus.PARTS``)
    part: ReportPart
    seconds: dict[str, float]


@dataclass
class Failed:
    """A report that could not be built, as one line naming the file."""

    problem: str
    seconds: dict[str, float]


def build_one(job: Job) -> Built | Failed:
    """Parse, map and validate one report (in a worker process); never raises for bad input."""
    seconds: dict[str, float] = {}
    try:
        return _build(job, seconds)
    except (ParseError, MappingError, ValidationFailed) as err:
        return Failed(problem_line(job.path, err), seconds)


def _build(job: Job, seconds: dict[str, float]) -> Built:
    # imported here: the parent needs none of them to start the pool
    from publisher.build import corpus
    from publisher.mapping.rdf import map_report
    from publisher.mapping.validate import locate, validate
    from publisher.parse import parse_file

    start = time.thread_time()  # CPU of this thread: wall time counts other work too
    report = _check_period(parse_file(job.path, job.institution, job.max_bytes), job)
    start = _lap(seconds, "parse", start)
    mapped = map_report(report, Urls(job.base_uri), generated_at=job.generated_at)
    start = _lap(seconds, "map", start)
    # the report's N-Triples, joined from the mapper's lines; SHACL reads them first, so
    # their cost counts in "validate"
    text = mapped.ntriples()
    outcome = validate(text)
    start = _lap(seconds, "validate", start)
    if outcome.violations:
        located = [r.located(str(job.path)) for r in outcome.results if r.severity == "Violation"]
        raise ValidationFailed(str(job.path), located)
    # each result names the file and row it came from, in validation.ttl too
    locate(outcome, Urls(job.base_uri).source_file(job.sha256), job.path.name)
    ntriples = text.encode("utf-8")  # what the parent loads
    # written by the mapper, literals already as the store keeps them
    nquads = with_graph(ntriples, str(mapped.graph_iri))
    results = outcome.results_graph.serialize(format="nt", encoding="utf-8")
    summary = Summary(
        file=str(job.path),
        sha256=job.sha256,
        graph=str(mapped.graph_iri),
        institution=report.institution.id,
        triples=len(mapped.lines),
        parse_warnings=[f"line {w.line}: {w.message}" for w in report.warnings],
        shacl_warnings=[str(w) for w in outcome.warnings],
        issued=_issued(report),
    )
    # the report's part of the N-Quads dump, compressed here (in parallel), so the dump
    # is a concatenation of gzip members and a rebuild reuses unchanged ones; and its part
    # of the union Turtle dump (a concatenation of such documents, gzip too), written from
    # the mapper's terms: parsing the N-Quads again would cost four times as much
    entries = {
        NQUADS: gzip_member(nquads),
        TURTLE: gzip_member(turtle_member(mapped.triples)),
    }
    start = _lap(seconds, "serialise", start)
    # its parts of the corpus graphs and of validation.ttl, kept for every later build
    # (the former by the parent, with every report's)
    part, more = corpus.report_parts(
        job.sha256, report, Urls(job.base_uri), summary.graph, results, mapped.triples
    )
    write_kept(job.cache_dir, job.sha256, entries | more)
    _lap(seconds, "parts", start)
    # its rows of the tidy table are made by the parent once it is current (most reports
    # of a year never are): ``pipeline._Plan._dumps``
    return Built(summary, ntriples, part, seconds)


def _issued(report: Report) -> str | None:
    updated = report.metadata.updated
    return updated.isoformat() if updated is not None else None


def _lap(seconds: dict[str, float], stage: str, start: float) -> float:
    now = time.thread_time()
    seconds[stage] = seconds.get(stage, 0.0) + now - start
    return now


def _check_period(report: Report, job: Job) -> Report:
    """Hold the report to the manifest's period; a report without a date takes it."""
    if job.period is None:
        return report
    try:
        year, month = (int(part) for part in job.period.split("-"))
        period = date(year, month, 1)
    except ValueError as err:
        raise ParseError(job.path.name, f"manifest period {job.period!r} is not YYYY-MM") from err
    updated = report.metadata.updated
    if updated is None:
        note = ParseWarning(None, f"no update date: period {job.period} taken from the manifest")
        metadata = replace(report.metadata, updated=period)
        return replace(report, metadata=metadata, warnings=(*report.warnings, note))
    if (updated.year, updated.month) != (year, month):
        raise ParseError(
            job.path.name, f"dated {updated:%Y-%m} but the manifest says period {job.period}"
        )
    return report


def problem_line(path: Path, err: PublisherError) -> str:
    """One line saying which file failed, where, and by which rule."""
    if isinstance(err, ValidationFailed):
        # one ``FILE:LINE: …`` line per violation (the first 20), under a count
        shown = "".join(f"\n  {line}" for line in err.violations[:20])
        more = f"\n  … and {len(err.violations) - 20} more" if len(err.violations) > 20 else ""
        return f"{path}: {len(err.violations)} SHACL violation(s):{shown}{more}"
    text = " ".join(str(err).split())  # one line, whatever the message held
    if text.startswith(path.name):  # ParseError names the file without its folder
        return f"{path}{text[len(path.name) :]}"
    return f"{path}: {text}"


# --- a report's kept files ------------------------------------------------------------------
# What a report contributes to the files published over the whole corpus is kept as the
# entries of one zip (stored, not compressed: the members are gzip already) named by the
# hash of the report's bytes. One file a report, not one an entry: a national month
# checks, links and removes 26,000 files, not 130,000 (~10 s less a month), and a worker
# writes one file, not five. Zip, not a layout of our own: ``unzip -l`` lists them and
# each entry's CRC is checked when read.
NQUADS = "graph.nq.gz"  #: its part of the N-Quads dump, a gzip member
TURTLE = "graph.ttl.gz"  #: its part of the Turtle dump, a gzip member
SNAPSHOT = "snapshot.pickle"  #: its units and targets, for the graph of changes
VALIDATION = "validation.nt"  #: its part of ``validation.ttl``
#: The entries' time stamp: fixed, so that the same report gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def kept_path(cache_dir: Path, sha256: str) -> Path:
    """The file holding the kept entries of the report whose bytes hash to ``sha256``."""
    return cache_dir / f"{sha256}.zip"


def write_kept(cache_dir: Path, sha256: str, entries: Mapping[str, bytes]) -> None:
    """Keep ``entries`` (name -> bytes: ``NQUADS`` … ``VALIDATION``) as the report's one
    file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as kept:
        for name, data in entries.items():
            entry = zipfile.ZipInfo(name, _ZIP_TIME)
            entry.external_attr = 0o644 << 16  # rw-r--r-- once extracted
            kept.writestr(entry, data)
    write_atomic(kept_path(cache_dir, sha256), buffer.getvalue())


def read_kept(cache_dir: Path, sha256: str, *names: str) -> tuple[bytes, ...]:
    """The entries ``names`` of a report's kept file (``write_kept``)."""
    path = kept_path(cache_dir, sha256)
    try:
        with zipfile.ZipFile(path) as kept:
            return tuple(kept.read(name) for name in names)
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise StoreError(f"cannot read {', '.join(names)} kept in {path}: {err}") from err


def read_member(cache_dir: Path, sha256: str) -> bytes:
    """The N-Quads of a report's kept member (``NQUADS``)."""
    (member,) = read_kept(cache_dir, sha256, NQUADS)
    try:
        return gzip_ng.decompress(member)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        path = kept_path(cache_dir, sha256)
        raise StoreError(f"cannot read the graph kept in {path}: {err}") from err


def make_rows(cache_dir: Path, hashes: Sequence[str]) -> float:
    """Make and keep the tidy rows of the reports ``hashes`` from their kept members
    (``downloads.write_report_rows``); return the CPU seconds it took. The build runs
    this in a process of its own while the parent makes the corpus graphs and the
    current state, then in the parent for any rows still missing."""
    from publisher import downloads  # imported here: a worker that maps needs none of it

    start = time.process_time()
    for sha256 in hashes:
        downloads.write_report_rows(cache_dir, sha256, read_member(cache_dir, sha256))
    return time.process_time() - start


def turtle_member(triples: Iterable[TermTriple]) -> bytes:
    """``triples`` (a report's) as one Turtle document.

    Each document declares its own prefixes; Turtle allows them again further down a
    file, so documents concatenated are one valid document whose graph is their union.
    """
    return turtle(triples, PREFIXES)


def gzip_member(data: bytes) -> bytes:
    """``data`` as one gzip member (``gzip_pieces``)."""
    return b"".join(gzip_pieces([data]))


def gzip_pieces(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """``pieces`` compressed as they come, as one gzip member; members concatenated are
    one valid gzip file. zlib's header: mtime 0 and no file name, so the same data gives
    the same bytes. zlib-ng writes the same size as zlib at level 6 in ~40 % of its time
    (``bench_gzip.py``): every report is compressed once a build.
    """
    compressor = gzip_compressor()
    for piece in pieces:
        yield compressor.compress(piece)
    yield compressor.flush()


def gzip_compressor() -> zlib_ng._Compress:
    """A compressor whose output, flushed, is one gzip member (``gzip_pieces``)."""
    return zlib_ng.compressobj(6, zlib_ng.DEFLATED, 31)  # 31: a gzip wrapper


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` whole, then rename it into place: a reader never sees half a file.

    The temporary name is unique to the write, so two workers building the same bytes (two
    copies of one report) never write into the same temporary file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


# --- running jobs ---------------------------------------------------------------------------
#: Reports a worker must have to be worth starting: a spawned worker takes ~1.5 s to
#: import pyshacl and rdflib, the time of about a dozen reports.
MIN_PER_WORKER = 16


def workers_for(reports: int, jobs: int) -> int:
    """How many worker processes ``reports`` reports deserve, at most ``jobs``."""
    return max(1, min(jobs, reports // MIN_PER_WORKER))


def run_jobs(jobs: Iterable[Job], processes: int) -> Iterator[Built | Failed]:
    """``build_one`` over ``jobs``, in order; over ``processes`` workers when more than one."""
    if processes <= 1:
        yield from map(build_one, jobs)
        return
    with spawning().Pool(processes) as pool:
        iterator = iter(jobs)
        while window := list(islice(iterator, WINDOW * processes)):
            yield from pool.imap(build_one, window, chunksize=2)


def spawning() -> multiprocessing.context.SpawnContext:
    """How the build starts processes: spawn, not fork (the parent holds an open store
    whose threads a fork would copy)."""
    return multiprocessing.get_context("spawn")
