"""Versioned publishing: write a new version beside the published one, then switch.

Layout of a data folder ``DATA``::

    DATA/
      current -> versions/<id>     symlink, replaced atomically (os.replace) on success
      versions/<id>/
        store/                     pyoxigraph store: one named graph per report + ontology
        dumps/lotaip.nq.gz         N-Quads (gzip), every named graph
        dumps/lotaip.ttl.gz        Turtle (gzip), the union of the graphs (a document a graph)
        void.ttl                   VoID + DCAT description of the dataset (describe.py)
        validation.ttl             SHACL sh:ValidationReport holding the warnings
        build.json                 manifest: inputs and their sha256, counts, warnings
      .build.lock                  held while a build runs

Readers only ever follow ``current``, and a version is never changed once ``current``
points to it, so a failed or interrupted build leaves the published files byte-for-byte
as they were. The last ``KEEP`` versions stay on disk, so a reader still holding the
previous version keeps working until it notices the switch.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from publisher.errors import StoreError
from publisher.store import rdftext
from publisher.vocab import LOTAIP, PREFIXES, SH

#: How many versions stay on disk (the published one and the one before it).
KEEP = 2
MANIFEST = "build.json"
VOID = "void.ttl"
VALIDATION = "validation.ttl"


@dataclass(frozen=True)
class Dump:
    """One downloadable file of the dataset."""

    name: str  # file name under dumps/, also the last segment of its download URL
    media_type: str
    compression: str | None  # media type of the compression, or None
    size: int
    sha256: str


def current_version(data_dir: Path) -> Path | None:
    """The published version's folder, or None when nothing is published."""
    link = data_dir / "current"
    if not link.is_symlink():
        return None
    return data_dir / link.readlink()


def read_manifest(data_dir: Path) -> dict[str, Any] | None:
    """The published ``build.json``, or None when there is none (or it is unreadable)."""
    version = current_version(data_dir)
    if version is None:
        return None
    try:
        data: dict[str, Any] = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def new_version(data_dir: Path, now: datetime | None = None) -> Path:
    """Create an empty folder for a new version; names sort in creation order."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    folder = data_dir / "versions" / stamp
    folder.mkdir(parents=True)
    return folder


def publish_version(data_dir: Path, version_dir: Path) -> None:
    """Point ``current`` at ``version_dir`` in one atomic rename, then drop old versions."""
    link = data_dir / "current"
    tmp = data_dir / f".current.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version_dir.relative_to(data_dir))
    tmp.replace(link)
    _fsync_dir(data_dir)
    prune_versions(data_dir)


def discard_version(version_dir: Path) -> None:
    """Remove a version that was never published."""
    shutil.rmtree(version_dir, ignore_errors=True)


def prune_versions(data_dir: Path, keep: int = KEEP) -> list[Path]:
    """Keep the published version and the newest ``keep - 1`` complete others.

    A version without ``build.json`` was never finished (its build was killed): it goes
    first, so that it never takes the place of the previously published version.
    """
    published = current_version(data_dir)
    folders = sorted((data_dir / "versions").iterdir(), key=lambda p: p.name, reverse=True)
    if published is not None:
        folders = [f for f in folders if f.resolve() != published.resolve()]
        keep -= 1
    complete = [f for f in folders if (f / MANIFEST).is_file()]
    removed = [f for f in folders if f not in complete] + complete[max(keep, 0) :]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


@contextmanager
def build_lock(data_dir: Path) -> Iterator[None]:
    """Hold ``DATA/.build.lock`` so that two builds never write the same folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".build.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise StoreError(f"another build is running in {data_dir}") from err
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: The RDF dumps' file names, in a version's ``dumps/`` folder.
NQUADS_DUMP = "lotaip.nq.gz"
TURTLE_DUMP = "lotaip.ttl.gz"


def write_rdf_dumps(members: Iterable[tuple[bytes, bytes]], dumps_dir: Path) -> list[Dump]:
    """Write ``lotaip.nq.gz`` and ``lotaip.ttl.gz`` from ``members``: for each graph its
    N-Quads and its Turtle document, each one gzip member.

    A gzip file may hold several members, read as one stream (RFC 1952); the build's
    workers compress each report's graph once, so the dumps cost file copies only.
    Turtle allows ``@prefix`` again anywhere and a graph is a set, so the Turtle dump
    parses to the union of the documents' graphs; a triple several graphs state is
    written once per graph. Compressed, it is a few percent of its size to write, keep
    and download.
    """
    nquads = dumps_dir / NQUADS_DUMP
    turtle = dumps_dir / TURTLE_DUMP
    dumps_dir.mkdir(parents=True, exist_ok=True)
    try:
        with nquads.open("wb") as nquads_file, turtle.open("wb") as turtle_file:
            nquads_out, turtle_out = _Hashed(nquads_file), _Hashed(turtle_file)
            for nquads_member, turtle_member in members:
                nquads_out.write(nquads_member)
                turtle_out.write(turtle_member)
    except OSError as err:
        raise StoreError(f"cannot write the dumps in {dumps_dir}: {err}") from err
    return [
        Dump(nquads.name, "application/n-quads", "application/gzip", *nquads_out.figures()),
        Dump(turtle.name, "text/turtle", "application/gzip", *turtle_out.figures()),
    ]


class _Hashed:
    """A file being written, its size and sha256 counted on the way (not read back)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)

    def figures(self) -> tuple[int, str]:
        """The size and hex sha256 of what was written."""
        return self.size, self.digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_turtle(graph: Graph, path: Path) -> None:
    """Serialise ``graph`` as Turtle with the project's prefixes, triples sorted (so the
    same graph gives the same bytes).

    pyoxigraph writes it: rdflib's Turtle serialiser took half a second for the
    description of a thousand reports.
    """
    turtle = rdftext.sorted_turtle(graph, PREFIXES)
    try:
        path.write_bytes(turtle)
    except OSError as err:
        raise StoreError(f"cannot write {path}: {err}") from err


def write_manifest(version_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``build.json`` (sorted keys, so equal manifests give equal bytes)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
    (version_dir / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: The one ``sh:ValidationReport`` of ``validation.ttl``.
VALIDATION_REPORT = rdftext.blank("validation-report")
_VIOLATION = f"<{SH.resultSeverity}> <{SH.Violation}> .\n".encode()
# the terms validation_part and write_validation write or look for, made once
_TYPE = rdftext.iri(str(RDF.type))
_SOURCE = rdftext.iri(str(DCTERMS.source))
_SH_RESULT = rdftext.iri(str(SH.result))
_SH_CONFORMS = rdftext.iri(str(SH.conforms))
_SH_VALIDATION_REPORT = rdftext.iri(str(SH.ValidationReport))
_SH_VALIDATION_RESULT = rdftext.iri(str(SH.ValidationResult))


def validation_part(graph_iri: str, results: bytes, label: str) -> bytes:
    """One report's SHACL ``results`` (N-Triples) as its part of ``validation.ttl``.

    Each result is tied to the report's graph (``dct:source``) and to the one validation
    report; pyshacl's own report node is left out. Blank nodes are relabelled
    ``<label>n<i>`` (``label``: unique to the report), so parts concatenate without two
    reports' results meeting.
    """
    source = rdftext.iri(graph_iri)
    names: dict[str, rdftext.Term] = {}

    def relabel(term: rdftext.Term) -> rdftext.Term:
        if (old := rdftext.blank_label(term)) is not None:
            return names.setdefault(old, rdftext.blank(f"{label}n{len(names)}"))
        return term

    triples: list[rdftext.TermTriple] = []
    for s, predicate, o in rdftext.parse_ntriples(results):
        subject, obj = relabel(s), relabel(o)
        if obj == _SH_VALIDATION_RESULT and predicate == _TYPE:
            triples.append((VALIDATION_REPORT, _SH_RESULT, subject))
            triples.append((subject, _SOURCE, source))
        if predicate not in (_SH_CONFORMS, _SH_RESULT) and obj != _SH_VALIDATION_REPORT:
            triples.append((subject, predicate, obj))
    return rdftext.ntriples(triples)


def write_validation(parts: Sequence[bytes], path: Path) -> int:
    """Write ``validation.ttl``: one ``sh:ValidationReport`` holding every report's results;
    return where the first part begins (the bytes before it).

    The parts are N-Triples (a subset of Turtle), concatenated after the report node; it
    conforms when no result is a violation.
    """
    violations = sum(part.count(_VIOLATION) for part in parts)
    conforms = rdftext.typed_literal("true" if violations == 0 else "false", str(XSD.boolean))
    header = [
        (VALIDATION_REPORT, _TYPE, _SH_VALIDATION_REPORT),
        (VALIDATION_REPORT, _SH_CONFORMS, conforms),
    ]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = rdftext.ntriples(header)
        with path.open("wb") as out:
            out.writelines([lines, *parts])
    except OSError as err:
        raise StoreError(f"cannot write {path}: {err}") from err
    return len(lines)


@dataclass(frozen=True)
class PublishedValidation:
    """The published SHACL report, as readable lines."""

    version: str
    conforms: bool
    violations: list[str]
    warnings: list[str]
    infos: list[str]


def published_validation(data_dir: Path) -> PublishedValidation:
    """Read ``validation.ttl`` of the published version."""
    version = current_version(data_dir)
    if version is None:
        raise StoreError(f"nothing published in {data_dir}: run 'lotaip-lod build' first")
    graph = Graph()
    try:
        graph.parse(version / VALIDATION, format="turtle")
    except (OSError, SyntaxError, ValueError) as err:
        raise StoreError(f"cannot read {version / VALIDATION}: {err}") from err
    lines: dict[Any, list[str]] = {SH.Violation: [], SH.Warning: [], SH.Info: []}
    for result in graph.subjects(RDF.type, SH.ValidationResult):
        severity = graph.value(result, SH.resultSeverity)
        lines.setdefault(severity, []).append(result_line(graph, result))
    conforms = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    return PublishedValidation(
        version=version.name,
        conforms=bool(conforms and graph.value(conforms, SH.conforms, default=Literal(True))),
        violations=sorted(lines[SH.Violation]),
        warnings=sorted(lines[SH.Warning]),
        infos=sorted(lines[SH.Info]),
    )


def result_line(graph: Graph, result: Any) -> str:
    """One SHACL result as ``report: FILE:LINE: focus path: message (value v)``."""
    parts = []
    source = graph.value(result, DCTERMS.source)
    if source is not None:
        parts.append(f"{source}:")
    name = graph.value(graph.value(result, PROV.wasDerivedFrom), LOTAIP.fileName)
    if name is not None:
        line = graph.value(result, LOTAIP.sourceLine)
        parts.append(f"{name}:{line}:" if line is not None else f"{name}:")
    parts.append(str(graph.value(result, SH.focusNode)))
    path = graph.value(result, SH.resultPath)
    if isinstance(path, URIRef):
        parts.append(graph.namespace_manager.normalizeUri(path))
    message = graph.value(result, SH.resultMessage)
    if message is None:
        message = graph.value(result, SH.sourceConstraintComponent)
    parts.append(f"— {message}")
    value = graph.value(result, SH.value)
    if value is not None and value != graph.value(result, SH.focusNode):
        parts.append(f"(value {value})")
    return " ".join(parts)
