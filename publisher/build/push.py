"""STAGE 5 (remote): the published version -> a remote SPARQL store, incrementally.

With ``store = "sparql"`` the site reads a SPARQL 1.1 server; ``push`` makes that server
hold the version ``DATA/current`` points to. The version already keeps every named graph
it holds as one gzip N-Quads member (the parts of ``dumps/lotaip.nq.gz``):

- each report's graph: the entry ``graph.nq.gz`` of its kept file ``reports/<sha256>.zip``
  (``build.json`` ``reports``: graph, sha256);
- each corpus graph (ontology, links, reference, quality, changes): ``corpus/<stem>.nq.gz``
  (``build.json`` ``corpus``: graph IRI -> stem);
- the two graphs the build makes in its store only, read from it when sent: the history
  ``B id/historial`` and the current state (the embedded store's default graph) as the
  named graph ``B id/actual``, so a remote store holds everything the embedded one does
  (``materialised_members``; queries see it as their default graph with the setting
  ``sparql_current_state = "named"``);
- with ``sparql_current_state = "default"``, the current state once more, into the
  server's own default graph (record key ``DEFAULT_GRAPH``), replaced whenever
  ``B id/actual`` is; a push in another mode that finds it recorded empties it.

"Changed" is decided by a graph's digest: the sha256 of its member. The same N-Quads
give the same bytes (gzip with mtime 0; the build links the files of unchanged reports
and corpus graphs into the new version), so equal digests mean equal graphs; a graph
re-made with the same content but compressed differently is only sent again.

What the remote holds is recorded in ``DATA/push-state.json``, keyed by the query URL:
the version the push marked in the store, and each graph's digest (``null``: the store
holds the graph, content unknown). The record is trusted only while the store's
``marked_version()`` is the one it recorded: anything else (another publisher, a load by
hand, a lost file, ``full=True``) and the store's own list of graphs in scope is taken,
with unknown contents, so every graph is sent and every graph the version lacks removed.

Order of a push that has something to send:

1. mark an interim version (``<version>+pushing-<random>``) and record it, so answers the
   site caches while graphs change are dropped at the end, and a retry can trust the record;
2. replace each new or changed graph (one Graph Store PUT when ``sparql_graph_store_url`` is
   set, else SPARQL Update, as ``RemoteStore`` does), then remove each withdrawn graph,
   updating the record as each one succeeds;
3. last, mark the published build's version: the site's caches move once the store holds
   the whole version.

A failure raises ``PushFailed`` naming the graph, after saving the record: the build's
version is never marked, and the next push (``lotaip-lod push``) sends only what is missing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef
from zlib_ng import gzip_ng

from publisher.build import current, publish
from publisher.build.pipeline import kept_graph_files, read_graph_member
from publisher.build.workers import Summary
from publisher.errors import PublisherError, PushFailed, StoreError
from publisher.settings import Settings
from publisher.store.embedded import OxigraphStore
from publisher.store.rdftext import without_graph
from publisher.store.remote import RemoteStore
from publisher.uris import Urls

#: The record of what each remote store holds, in the data folder.
STATE = "push-state.json"
#: Seconds between saves of the record while graphs are sent (it is saved at the end too).
SAVE_EVERY = 2.0
#: The record's key for the server's own default graph (not an IRI: no graph has it).
DEFAULT_GRAPH = "(default graph)"


@dataclass(frozen=True)
class Member:
    """One named graph of the published version and the file holding its N-Quads."""

    graph: str
    path: Path
    digest: str
    #: A graph only the published store holds (the history, the current state): read
    #: from the store at ``path``, its graph ``from_graph`` ("": its default graph).
    from_graph: str | None = None


@dataclass
class PushReport:
    """What a push did."""

    query_url: str
    version: str
    trusted: bool  # the record of the store's graphs was used (else every graph was sent)
    sent: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    triples: int = 0  # lines sent
    seconds: float = 0.0
    marked: bool = False  # this push marked the version (else the store had it already)

    def summary(self) -> str:
        """One line saying what was sent."""
        if not self.sent and not self.removed and not self.marked:
            return f"{self.query_url} already holds version {self.version}"
        how = "changes since the last push" if self.trusted else "everything (no usable record)"
        return (
            f"pushed version {self.version} to {self.query_url} ({how}): "
            f"{len(self.sent)} graph(s) sent ({self.triples} triples), "
            f"{len(self.removed)} removed, {self.unchanged} unchanged in {self.seconds:.2f}s"
        )


def push(settings: Settings, *, full: bool = False, store: RemoteStore | None = None) -> PushReport:
    """Make the remote store of ``settings`` hold the version published in its data folder,
    sending only the graphs changed since the last push (``full``: every graph) and
    marking the build's version last. Raises ``PushFailed`` naming the graph that failed.

    ``store`` replaces the one ``settings`` names (tests pass one with a fake sender).
    """
    if settings.store != "sparql" and store is None:
        raise StoreError("push is for a remote store (store = 'sparql')")
    remote = store if store is not None else RemoteStore.from_settings(settings)
    data_dir = settings.data_dir
    started = time.perf_counter()
    with publish.build_lock(data_dir):  # no build prunes the version while it is sent
        version, members = published_members(data_dir)
        if remote.current_state == "default":
            members[DEFAULT_GRAPH] = default_member(members)
        record = _Record(data_dir / STATE, remote.query_url)
        report = _Push(remote, record, version, members, full).run()
        report.seconds = time.perf_counter() - started
    return report


def published_members(data_dir: Path) -> tuple[str, dict[str, Member]]:
    """The published version's id and its named graphs, each with its member and digest."""
    folder = publish.current_version(data_dir)
    manifest = publish.read_manifest(data_dir)
    if folder is None or manifest is None:
        raise StoreError(f"nothing published in {data_dir}: run 'lotaip-lod build' first")
    members = {}
    for iri, path in kept_graph_files(folder, manifest).items():
        try:
            digest = hashlib.sha256(read_graph_member(path)).hexdigest()
        except StoreError as err:
            raise StoreError(f"the published version lacks graph {iri}'s N-Quads: {err}") from err
        members[iri] = Member(iri, path, digest)
    members.update(materialised_members(folder, manifest, members))
    return str(manifest.get("version") or folder.name), members


def materialised_members(
    folder: Path, manifest: dict[str, Any], members: dict[str, Member]
) -> dict[str, Member]:
    """The two graphs the build makes in its store only: the history ``B id/historial``
    (every report's statements) and the current state, sent as the named graph
    ``B id/actual`` (a remote store's default graph is the server's business: see the
    ``sparql_current_state`` setting). Each one's digest covers the members it is made
    of, so it is sent again exactly when one of them changed."""
    urls = Urls(str(manifest.get("base_uri", "")))
    summaries = [Summary(**entry) for entry in manifest.get("reports", [])]
    history = str(urls.history())
    now = {s.graph for s in current.latest(summaries).values()}
    now |= set(manifest.get("corpus", {})) - {str(urls.changes())}
    made = {}
    for iri, graphs, source in (
        (history, {s.graph for s in summaries}, history),
        (str(urls.current_state()), now, ""),
    ):
        digest = hashlib.sha256(iri.encode())
        for graph in sorted(graphs):
            digest.update(f"\0{graph}\0{members[graph].digest}".encode())
        made[iri] = Member(iri, folder / "store", digest.hexdigest(), source)
    return made


def default_member(members: dict[str, Member]) -> Member:
    """The current state as the server's own default graph: ``B id/actual``'s content and
    digest (the member read from the store's default graph), under ``DEFAULT_GRAPH``."""
    actual = next(m for m in members.values() if m.from_graph == "")
    return Member(DEFAULT_GRAPH, actual.path, actual.digest, "")


def ntriples(member: Member) -> bytes:
    """The member's N-Quads as N-Triples (every quad must be in the member's graph)."""
    if member.from_graph is not None:
        try:
            store = OxigraphStore(member.path, read_only=True)
            return store.graph_ntriples(member.from_graph or None)
        except (StoreError, RuntimeError) as err:
            raise StoreError(f"cannot read {member.graph} from {member.path}: {err}") from err
    try:
        nquads = gzip_ng.decompress(read_graph_member(member.path))
    except (EOFError, gzip.BadGzipFile) as err:
        raise StoreError(f"cannot read {member.path}: {err}") from err
    # N-Triples escapes line breaks in literals: " <g> .\n" only ever ends a statement.
    if nquads.count(f" <{member.graph}> .\n".encode()) != nquads.count(b"\n"):
        raise StoreError(f"{member.path} holds quads outside graph {member.graph}")
    return without_graph(nquads, member.graph)


class _Record:
    """``push-state.json``: per query URL, the version marked and each graph's digest."""

    def __init__(self, path: Path, query_url: str) -> None:
        self.path = path
        self.query_url = query_url

    def read(self) -> tuple[str | None, dict[str, str | None]]:
        """The version recorded for this store and the graphs it holds (empty if none)."""
        entry = self._all().get(self.query_url)
        if not isinstance(entry, dict) or not isinstance(entry.get("graphs"), dict):
            return None, {}
        return entry.get("marked"), dict(entry["graphs"])

    def write(self, marked: str, graphs: dict[str, str | None]) -> None:
        """Record ``marked`` and ``graphs`` for this store (written whole, then renamed)."""
        everything = self._all()
        everything[self.query_url] = {"marked": marked, "graphs": dict(sorted(graphs.items()))}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps(everything, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as err:
            with suppress(OSError):
                tmp.unlink()
            raise StoreError(f"cannot write {self.path}: {err}") from err

    def _all(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # missing or unreadable: every graph is sent again
            return {}
        return data if isinstance(data, dict) else {}


class _Push:
    """One push: decide what to send from the record, send it, mark the version."""

    def __init__(
        self,
        remote: RemoteStore,
        record: _Record,
        version: str,
        members: dict[str, Member],
        full: bool,
    ) -> None:
        self.remote = remote
        self.record = record
        self.version = version
        self.members = members
        self.full = full

    def run(self) -> PushReport:
        marked = self.remote.marked_version()
        recorded, held = self.record.read()
        trusted = not self.full and marked is not None and recorded == marked
        if not trusted:  # the store's graphs, contents unknown: send all, remove the rest
            held = {str(graph): None for graph in self.remote.graphs()}
        # Graphs the record names that this store may not write (base_uri changed): not ours.
        held = {
            iri: digest
            for iri, digest in held.items()
            if iri == DEFAULT_GRAPH or self.remote.in_scope(iri)
        }
        send = [m for iri, m in sorted(self.members.items()) if held.get(iri) != m.digest]
        remove = sorted(set(held) - set(self.members))
        report = PushReport(self.remote.query_url, self.version, trusted)
        report.unchanged = len(self.members) - len(send)
        if send or remove:
            interim = f"{self.version}+pushing-{uuid.uuid4().hex[:12]}"
            self.record.write(interim, held)  # first: a crash after marking is then trusted
            self.remote.mark_version(interim)
            self._apply(send, remove, held, interim, report)
        if send or remove or marked != self.version:
            self.remote.mark_version(self.version)
            report.marked = True
        self.record.write(self.version, held)
        return report

    def _apply(
        self,
        send: list[Member],
        remove: list[str],
        held: dict[str, str | None],
        interim: str,
        report: PushReport,
    ) -> None:
        """Send, then remove; the record follows each success and is saved on failure."""
        total, done, current = len(send) + len(remove), 0, ""
        saved = time.monotonic()
        try:
            for step in self._steps(send, remove):
                current = step[0]
                report.triples += self._step(step, held)
                done += 1
                (report.sent if step[1] is not None else report.removed).append(current)
                if time.monotonic() - saved > SAVE_EVERY:
                    self.record.write(interim, held)
                    saved = time.monotonic()
        except PublisherError as err:
            raise PushFailed(current, self.version, done, total, err) from err
        finally:
            self.record.write(interim, held)

    @staticmethod
    def _steps(send: list[Member], remove: list[str]) -> Iterator[tuple[str, Member | None]]:
        yield from ((member.graph, member) for member in send)
        yield from ((iri, None) for iri in remove)

    def _step(self, step: tuple[str, Member | None], held: dict[str, str | None]) -> int:
        """Replace or remove one graph; return the triples sent."""
        iri, member = step
        if member is None:
            if iri == DEFAULT_GRAPH:
                self.remote.drop_default_graph()
            else:
                self.remote.drop_graph(URIRef(iri))
            del held[iri]
            return 0
        body = ntriples(member)
        held[iri] = None  # while it is written the store's copy is unknown
        if iri == DEFAULT_GRAPH:
            self.remote.put_default_ntriples(body)
        else:
            self.remote.put_ntriples(URIRef(iri), body)
        held[iri] = member.digest
        return body.count(b"\n")
