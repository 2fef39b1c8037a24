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

import hashlib
from collections.abc import Iterable, Sequence, Set
from typing import Protocol, TypeVar

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


class HistoryLines:
    """Which lines of a report the history graph still needs, within one build.

    For each institution it remembers the lines (as 16-byte digests: a national year is
    millions of lines) of the last report of that institution given to ``new``; a report
    needs only the lines that one lacks. Every line of every report still reaches the
    history graph, in whatever order the reports come: a line skipped was in the previous
    report, which either loaded it or skipped it for the same reason.
    """

    def __init__(self) -> None:
        self._last: dict[str, set[bytes]] = {}

    def knows(self, institution: str) -> bool:
        """True once a report of ``institution`` was given to ``new`` or ``remember``."""
        return institution in self._last

    def remember(self, institution: str, lines: Sequence[bytes]) -> None:
        """Take ``lines`` (a report of ``institution`` the history graph holds already, as
        a rebuild's carried reports) as its last report's."""
        self._last[institution] = {_digest(line) for line in lines}

    def new(self, institution: str, lines: Sequence[bytes]) -> list[bytes]:
        """The lines of ``lines`` (one report of ``institution``) its last report lacked."""
        digests = [_digest(line) for line in lines]
        before = self._last.get(institution, set())
        self._last[institution] = set(digests)
        return [line for line, digest in zip(lines, digests, strict=True) if digest not in before]


def _digest(line: bytes) -> bytes:
    return hashlib.blake2b(line, digest_size=16).digest()


def owner(urls: Urls, institution_id: str) -> str:
    """The institution whose nodes a report's lines are about, as its IRI (two ids with
    the same IRI are one owner)."""
    return str(urls.institution(institution_id))


def split_owned(
    lines: Set[bytes], urls: Urls, institution_id: str
) -> tuple[set[bytes], set[bytes]]:
    """N-Triples ``lines`` of a report of the institution, split into those about a node
    the institution's reports mint (``Urls.owned_prefixes``: only its own reports state
    them) and the others (shared nodes: the software, a source file, a concept)."""
    starts = owned_line_starts(urls, institution_id)
    owned = {line for line in lines if line.startswith(starts)}
    return owned, set(lines) - owned


def owned_line_starts(urls: Urls, institution_id: str) -> tuple[bytes, ...]:
    """How an N-Triples line about a node the institution's reports mint starts."""
    return tuple(f"<{prefix}".encode() for prefix in urls.owned_prefixes(institution_id))
