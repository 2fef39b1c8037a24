"""A harvest: a sources file -> each institution's report files, kept per month, then built.

``harvest(sources, out, options)`` discovers and fetches; hosts are visited in parallel
(``hosts`` at a time), one request at a time per host. ``publish(result, settings)`` then
builds every month folder of ``out``; a file downloaded by this run that the build refuses
is moved to ``.rejected/`` with the build's message, the version it replaced comes back,
and the build runs again, so one bad download never keeps the others from being published
and never replaces what was.

The sources file is CSV with a header ``institution,url[,months]``: a registry id, a
transparency page (or a direct file URL), and optionally the months wanted, separated by
spaces (``2023-01 2023-02``) or as a range (``2023-01..2023-12``); a direct file URL whose
name has no month takes the one month given.
"""

from __future__ import annotations

import csv
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from publisher.build.workers import write_atomic
from publisher.enrichment.registry import by_id, load_registry
from publisher.errors import PublisherError, StoreError
from publisher.harvest import state
from publisher.harvest.client import Client, ClientOptions, FetchError, check_body
from publisher.harvest.discover import (
    FILE_SUFFIXES,
    TRIO_PARTS,
    Found,
    Page,
    discover,
    month_in,
    normalise,
)
from publisher.parse.institution import MANIFEST
from publisher.settings import Settings

#: How many links deep discovery follows month and year pages from a source page.
MAX_DEPTH = 2
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _Stopped(Exception):
    """Raised in a host's thread when the run was interrupted."""


class SourcesError(PublisherError):
    """A sources file that cannot be read."""


@dataclass(frozen=True)
class Source:
    """One line of the sources file."""

    institution: str
    url: str
    months: frozenset[str] = frozenset()  # empty: every month found


@dataclass
class Outcome:
    """What happened to one URL: ``new``, ``changed``, ``unchanged``, ``failed``,
    ``incomplete`` (a trio missing a part), ``rejected`` (by the build) or
    ``unclassified`` (a file link discovery could not place)."""

    institution: str
    url: str
    status: str
    month: str | None = None
    path: str | None = None
    message: str | None = None


@dataclass
class HarvestResult:
    """Every outcome of a run, and the answers received by status."""

    out: Path
    outcomes: list[Outcome] = field(default_factory=list)
    answers: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    build: str | None = None  # the build's summary line

    @property
    def counts(self) -> dict[str, int]:
        """found, new, unchanged, failed (rejected and incomplete count as failed)."""
        return tally(Counter(o.status for o in self.outcomes))

    @property
    def problems(self) -> list[Outcome]:
        """The outcomes a person should look at."""
        return [o for o in self.outcomes if o.status in {"failed", "rejected", "incomplete"}]

    def changed(self) -> list[Path]:
        """Files this run wrote."""
        return [Path(o.path) for o in self.outcomes if o.status in {"new", "changed"} and o.path]

    def to_json(self) -> dict[str, Any]:
        """What ``harvest-report.json`` holds."""
        return {
            "finished": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "seconds": round(self.seconds, 3),
            "counts": self.counts,
            "answers": {str(k): v for k, v in sorted(self.answers.items())},
            "build": self.build,
            "outcomes": [asdict(o) for o in self.outcomes],
        }

    def write_report(self) -> Path:
        """Write ``harvest-report.json`` (atomically) and return its path."""
        path = self.out / state.REPORT
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        write_atomic(path, text.encode("utf-8"))
        return path


def tally(statuses: Counter[str]) -> dict[str, int]:
    """The counts shown for outcomes by status: found (files met), new (or changed),
    unchanged, failed (also rejected by the build, or an incomplete trio), unclassified."""
    s = statuses
    return {
        "found": s["new"] + s["changed"] + s["unchanged"] + s["rejected"] + s["failed"],
        "new": s["new"] + s["changed"],
        "unchanged": s["unchanged"],
        "failed": s["failed"] + s["rejected"] + s["incomplete"],
        "unclassified": s["unclassified"],
    }


#: ``progress(counts)``: called after each outcome (the CLI draws a bar).
Progress = Callable[[dict[str, int]], None]


def read_sources(path: Path) -> list[Source]:
    """The sources of ``path`` (CSV: institution, url, months), ids checked in the registry."""
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as err:
        raise SourcesError(f"cannot read the sources file {path}: {err}") from err
    registry = load_registry()
    sources = []
    for number, row in enumerate(rows, start=2):
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        where = f"{path}:{number}"
        if not values.get("institution") or not values.get("url"):
            raise SourcesError(f"{where}: a source needs an institution and a url")
        if by_id(registry, values["institution"]) is None:
            raise SourcesError(f"{where}: unknown institution id {values['institution']!r}")
        if urlsplit(values["url"]).scheme not in {"http", "https"}:
            raise SourcesError(f"{where}: only http(s) URLs are harvested: {values['url']!r}")
        sources.append(Source(values["institution"], values["url"], _months(values, where)))
    if not sources:
        raise SourcesError(f"{path}: no sources")
    return sources


def _months(values: dict[str, str], where: str) -> frozenset[str]:
    text = values.get("months", "")
    if ".." in text:
        first, _, last = (part.strip() for part in text.partition(".."))
        _check_months([first, last], where)
        return frozenset(_month_range(first, last))
    months = text.replace(",", " ").replace(";", " ").split()
    _check_months(months, where)
    return frozenset(months)


def _check_months(months: list[str], where: str) -> None:
    for month in months:
        if not _MONTH.match(month):
            raise SourcesError(f"{where}: month {month!r} is not YYYY-MM")


def _month_range(first: str, last: str) -> Iterable[str]:
    year, month = (int(p) for p in first.split("-"))
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def harvest(
    sources: list[Source],
    out: Path,
    options: ClientOptions | None = None,
    hosts: int = 4,
    progress: Progress | None = None,
) -> HarvestResult:
    """Discover and fetch every source's reports into ``out``; never raises for a source
    that fails (its outcome says why). ``hosts`` hosts are visited at a time."""
    started = datetime.now(UTC)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a file in the way, no permission, a full disk: before any request
        raise StoreError(f"{err.filename or out}: {err.strerror or err}") from err
    result = HarvestResult(out)
    by_host: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_host[urlsplit(source.url).netloc.lower()].append(source)

    running: Counter[str] = Counter()
    stop = threading.Event()  # set when the run is interrupted: hosts stop between files
    lock = threading.Lock()

    def record(outcome: Outcome) -> None:
        if stop.is_set():
            raise _Stopped
        with lock:
            result.outcomes.append(outcome)
            running[outcome.status] += 1
            if progress is not None:
                progress(tally(running))

    def visit(host_sources: list[Source]) -> dict[int, int]:
        client = Client(options)
        try:
            for source in host_sources:
                _Institution(source, out, client, record).run()
        except _Stopped:
            pass
        finally:
            client.close()
        return client.answers

    with ThreadPoolExecutor(max_workers=max(1, hosts)) as pool:
        try:
            for answers in pool.map(visit, by_host.values()):
                for status, count in answers.items():
                    result.answers[status] = result.answers.get(status, 0) + count
        except BaseException:  # Ctrl-C (or a failing callback): let the hosts stop soon
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    result.seconds = (datetime.now(UTC) - started).total_seconds()
    return result


class _Institution:
    """One source: discover its files (following month pages), then fetch each."""

    def __init__(
        self, source: Source, out: Path, client: Client, record: Callable[[Outcome], None]
    ) -> None:
        self.source = source
        self.out = out
        self.client = client
        self.record = record
        self.known = state.index(out, source.institution)

    def run(self) -> None:
        files = self._discover()
        wanted = [f for f in files if not self.source.months or f.month in self.source.months]
        for found in wanted:
            self._fetch(found)
        self._check_trios(wanted)

    def _outcome(self, url: str, status: str, **extra: Any) -> None:
        self.record(Outcome(self.source.institution, url, status, **extra))

    def _discover(self) -> list[Found]:
        """The source's files: itself when it is a file URL, else what its pages link."""
        url = self.source.url
        suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
        if suffix in FILE_SUFFIXES:
            return self._direct(url)
        files: dict[str, Found] = {}
        queue = [(Page(url, None, None, ""), 0)]
        visited = {url}
        while queue:
            page, depth = queue.pop(0)
            try:
                fetched = self.client.get(page.url)
                html = fetched.body.decode(_charset(fetched.body), errors="replace")
            except FetchError as err:
                self._outcome(page.url, "failed", message=f"page: {err.reason}")
                continue
            found = discover(html, fetched.final_url, page.month, page.year)
            for item in found.files:
                files.setdefault(item.url, item)
            for odd in found.unclassified:
                self._outcome(odd.url, "unclassified", message=f"{odd.why}: {odd.text!r}")
            for sub in found.pages:
                if depth < MAX_DEPTH and sub.url not in visited:
                    visited.add(sub.url)
                    queue.append((sub, depth + 1))
        return list(files.values())

    def _direct(self, url: str) -> list[Found]:
        months = sorted(self.source.months)
        month = month_in([normalise(unquote(url))], months[0] if len(months) == 1 else None, None)
        if month is None:
            self._outcome(url, "unclassified", message="no month in the URL; give one in months")
            return []
        return [Found(url, month, "report", "")]

    def _fetch(self, found: Found) -> None:
        assert found.month is not None  # discovery lists files without a month apart
        known = self.known.get(found.url)
        source = known.source if known else {}
        try:
            fetched = self.client.get(found.url, source.get("etag"), source.get("last_modified"))
            if not fetched.not_modified:
                check_body(fetched.final_url, fetched.body)
                check_body(found.url, fetched.body)
        except FetchError as err:
            self._outcome(found.url, "failed", month=found.month, message=err.reason)
            return
        where = dict(month=found.month, path=str(known.path) if known else None)
        if fetched.not_modified and known is not None:
            if known.path.parent.name == state.REJECTED:  # still the bytes the build refused
                self._outcome(found.url, "rejected", **where, message=known.entry.get("rejected"))
            else:
                self._outcome(found.url, "unchanged", **where)
            return
        digest = state.sha256(fetched.body)
        entry = self._entry(found, fetched, digest)
        if known is not None and source.get("sha256") == digest:
            # the same bytes (a server without ETags): keep when and where they came from
            validators = _validators(entry["source"])
            state.update_entry(known.path, {**known.entry, "source": {**source, **validators}})
            self._outcome(found.url, "unchanged", **where)
            return
        folder = state.month_dir(self.out, self.source.institution, found.month)
        path = state.save(folder, self._name(folder, found.url), fetched.body, entry)
        status = "changed" if known is not None else "new"
        self._outcome(found.url, status, month=found.month, path=str(path))

    def _name(self, folder: Path, url: str) -> str:
        """The URL's file name, made unique in the month folder when another URL has it."""
        name = state.file_name(url)
        held = state.read_manifest(folder).get(name)
        if isinstance(held, dict) and held.get("source", {}).get("url") not in (None, url):
            return f"{state.sha256(url.encode())[:8]}-{name}"
        return name

    def _entry(self, found: Found, fetched: Any, digest: str) -> dict[str, Any]:
        retrieved = fetched.retrieved.isoformat().replace("+00:00", "Z")
        source = {
            "url": found.url,
            "final_url": fetched.final_url,
            "retrieved": retrieved,
            "media_type": fetched.media_type,
            "sha256": digest,
            "bytes": len(fetched.body),
            **_validators({"etag": fetched.etag, "last_modified": fetched.last_modified}),
        }
        entry = {"institution": self.source.institution, "month": found.month, "source": source}
        if found.part != "report":
            entry["part"] = found.part
        return entry

    def _check_trios(self, files: list[Found]) -> None:
        """A month whose 1.3 trio lacks a part is reported (its files are still kept)."""
        parts: dict[str, set[str]] = defaultdict(set)
        for item in files:
            if item.part in TRIO_PARTS and item.month is not None:
                parts[item.month].add(item.part)
        for month, present in sorted(parts.items()):
            missing = [p for p in TRIO_PARTS if p not in present]
            if missing:
                message = f"numeral 1.3 trio without its {', '.join(missing)} file"
                self._outcome(self.source.url, "incomplete", month=month, message=message)


def client_options(settings: Settings) -> ClientOptions:
    """The client's options from the harvest settings."""
    return ClientOptions(
        timeout=settings.harvest_timeout,
        delay=settings.harvest_delay,
        max_bytes=settings.harvest_max_bytes,
    )


def summary_line(result: HarvestResult) -> str:
    """One line: the counts, the time, and what the build did."""
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    built = f"; build: {result.build}" if result.build else ""
    return f"harvested in {result.seconds:.1f} s: {counts}{built}"


def _validators(entry: dict[str, Any]) -> dict[str, Any]:
    """The conditional-GET validators of an entry that are present."""
    return {k: entry[k] for k in ("etag", "last_modified") if entry.get(k)}


def _charset(body: bytes) -> str:
    """UTF-8 when the page decodes as such, else Latin-1 (older portals)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def publish(result: HarvestResult, settings: Settings, jobs: int | None = None) -> str | None:
    """Build every month folder of the harvest into ``settings.data_dir``, but for the
    months this run found incomplete (a numeral 1.3 trio missing a part).

    A harvested file the build refuses, and that the published version does not hold, is
    moved to ``.rejected/`` (its outcome says why) and the version it replaced, if any, is
    put back; then the build is tried again, until it passes or rejects nothing new (a
    trio's files can be refused one after another: a bad data file leaves its siblings
    without it). A refusal of a file the published version holds (the code changed under
    it) raises ``BuildFailed``, publishing nothing. Returns the build's summary line, or
    None when no file was harvested.
    """
    from publisher.build.pipeline import BuildFailed, build  # imported here: pyshacl is slow

    # A month whose trio lacks a part is listed as incomplete and left out of the build:
    # its files stay, so the run that finds the missing part builds the month.
    incomplete = {(o.institution, o.month) for o in result.outcomes if o.status == "incomplete"}
    while True:  # each round rejects at least one file, so this ends
        folders = [
            f.resolve()
            for f in state.month_dirs(result.out)
            if (f.parent.name, f.name) not in incomplete
        ]
        if not folders:
            return None
        try:
            return build(folders, settings, quiet=True, jobs=jobs).summary()
        except BuildFailed as err:
            if not _reject(result, err.problems, _published(settings)):
                raise


def _published(settings: Settings) -> set[str]:
    """The sha256 of every report file the published version was built from."""
    from publisher.build.publish import read_manifest

    manifest = read_manifest(settings.data_dir) or {}
    return {entry.get("sha256", "") for entry in manifest.get("reports", [])}


def _reject(result: HarvestResult, problems: list[str], published: set[str]) -> bool:
    """Reject the harvested files the problems name (the file, or its month folder, as a
    trio is read), unless they are published; True if any was."""
    by_path = {o.path: o for o in result.outcomes if o.path}
    rejected = False
    for folder in state.month_dirs(result.out):
        named = [p for p in problems if p.startswith(f"{folder.resolve()}:")]
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name == MANIFEST or path.name.startswith("."):
                continue
            mine = [p for p in problems if p.startswith(f"{path.resolve()}:")] or named
            if not mine or state.sha256(path.read_bytes()) in published:
                continue
            entry = state.read_manifest(folder).get(path.name, {})
            url = entry.get("source", {}).get("url", str(path))
            state.reject(path, mine[0])
            outcome = by_path.get(str(path)) or Outcome(folder.parent.name, url, "", folder.name)
            if outcome.path is None:
                outcome.path = str(path)
                result.outcomes.append(outcome)
            outcome.status, outcome.message = "rejected", mine[0]
            rejected = True
    return rejected
