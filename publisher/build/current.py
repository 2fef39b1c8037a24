"""The current state: which report of each institution is current, and the two graphs a
build keeps in step with the reports (see ``docs/data-model.md``).

Institutions republish their report every month, and a unit, objective or indicator keeps
its IRI from month to month. A version therefore holds, besides one named graph per report
(exactly what that report states) and the corpus graphs:

- the **default graph**: the current state, the distinct union of each institution's
  *current* report (``latest``: the one with the latest information date) and of the corpus
  graphs (ontology, links, reference data, quality). What a query without ``GRAPH`` or
  ``FROM`` counts is what the institutions report now;
- the **history graph** ``B id/historial``: the distinct union of every report's graph, all
  months, for questions across months.

Both are materialised (pyoxigraph's own union of named graphs repeats a triple once per
graph stating it, and gives no way to union a chosen set of graphs cheaply), and both are
kept by difference: a build adds what the graphs entering them state and drops, of what the
graphs leaving them stated, each triple no remaining graph states (the store's ``drop_unstated``).

An institution's next month restates most of its last (a unit, objective or target keeps
its IRI), so the history graph needs of each report only what its institution's report
loaded before it did not state (``HistoryLines``): a year of monthly reports loads about a
quarter of its quads into the history graph instead of all of them again.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence, Set
from typing import Generic, Protocol, TypeVar

from publisher.uris import Urls


class Reported(Protocol):
    """What deciding the current report needs of a report's summary."""

    @property
    def graph(self) -> str: ...
    @property
    def institution(self) -> str: ...
    @property
    def issued(self) -> str | None: ...


R = TypeVar("R", bound=Reported)
K = TypeVar("K")


def order_key(report: Reported) -> tuple[bool, str, str]:
    """Sorts an institution's reports oldest first: by information date (ISO), an undated
    report before every dated one, and by graph IRI between equal dates."""
    return (report.issued is not None, report.issued or "", report.graph)


def latest(reports: Iterable[R]) -> dict[str, R]:
    """Institution id -> its current report: the one with the latest information date."""
    current: dict[str, R] = {}
    for report in reports:
        held = current.get(report.institution)
        if held is None or order_key(report) > order_key(held):
            current[report.institution] = report
    return current


class HistoryLines(Generic[K]):
    """Which lines of a report the history graph still needs, within one build.

    For each institution it remembers the lines of the last report given to ``new``, as
    their hashes; a report needs only the lines whose hash those lack. Every line of every
    report still reaches the history graph, in whatever order the reports come: a line
    skipped was in the previous report, which either loaded it or skipped it for the same
    reason. An institution's report known only by its key (``remember``: a rebuild's
    carried report) is read back with ``read`` when its next report comes.

    Hashes, not lines: a national year's last reports held as lines were a gigabyte of the
    parent's memory; as Python's 64-bit hashes (8 bytes a line, an ``array``) they are
    ~22 MB, and a line's hash, computed once per bytes object, costs less than reading
    the previous report back (~0.5 against ~2.5 ms a report of 1,400 lines). A new line
    whose hash equals one of the previous report's ~1,400 would be left out of the
    history graph: a chance of about 1 in 10^16 a line, 1 in 10^9 a national year.
    """

    def __init__(self, read: Callable[[K], bytes]) -> None:
        self._read = read  # a report's N-Triples lines
        self._last: dict[str, K | array[int]] = {}

    def knows(self, institution: str) -> bool:
        """True once a report of ``institution`` was given to ``new`` or ``remember``."""
        return institution in self._last

    def remember(self, institution: str, report: K) -> None:
        """Take ``report`` (of ``institution``, which the history graph holds already, as
        a rebuild's carried report) as its last report."""
        self._last[institution] = report

    def new(self, institution: str, lines: Sequence[bytes]) -> list[bytes]:
        """The lines of ``lines`` (a report of ``institution``) its last report lacked."""
        last = self._last.get(institution)
        self._last[institution] = array("q", map(hash, lines))
        if last is None:
            return list(lines)
        if isinstance(last, array):
            before = set(last)
        else:
            before = set(map(hash, self._read(last).splitlines(keepends=True)))
        return [line for line in lines if hash(line) not in before]


def owner(urls: Urls, institution_id: str) -> str:
    """The institution whose nodes a report's lines are about, as its IRI (two ids with
    the same IRI are one owner)."""
    return str(urls.institution(institution_id))


def split_owned(
    lines: Set[bytes], urls: Urls, institution_id: str, files: Iterable[str] = ()
) -> tuple[set[bytes], set[bytes]]:
    """N-Triples ``lines`` of reports of the institution, split into those about a node
    only some reports state (``owned_line_starts``) and the others (shared nodes: the
    software, a concept)."""
    starts = owned_line_starts(urls, institution_id, files)
    owned = {line for line in lines if line.startswith(starts)}
    return owned, set(lines) - owned


def owned_line_starts(
    urls: Urls, institution_id: str, files: Iterable[str] = ()
) -> tuple[bytes, ...]:
    """How an N-Triples line starts that only the institution's reports, or a report read
    from one of ``files`` (sha256), state: one about a node the institution's reports mint
    (``Urls.owned_prefixes``), or about one of those source files (named by content)."""
    prefixes = [f"<{prefix}" for prefix in urls.owned_prefixes(institution_id)]
    prefixes += [f"<{urls.source_file(sha256)}>" for sha256 in sorted(files)]
    return tuple(prefix.encode() for prefix in prefixes)
