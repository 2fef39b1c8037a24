"""Tidy records: the contract between the parse stage and the map stage.

A parsed report is a tree::

    Report
      source        Source        the file read, its sha256 and format (and URL)
      institution   Institution   who published it, and which rule decided
      metadata      Metadata      the footer (date, periodicity, responsible person, ...)
      units         Unit*         administrative units, in reading order
        objectives  Objective*    one per non-empty objective cell
          indicators Indicator*   one per row under the objective
            targets  Target*      one per quantified statement in "Meta cuantificable"
      notes         SectionNote*  sentences standing in place of rows under a banner
      warnings      ParseWarning* what the parser moved, skipped or could not read

Every record keeps the ``line`` (1-based, in the source file; the row number for
spreadsheets) it came from, so later stages can point at it in messages. Texts are kept
as read (HTML removed, whitespace folded); derived values sit beside them.

``Report.to_dict()`` gives the JSON shape printed by ``lotaip-lod parse``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: Process levels, as SKOS notation codes (see ``ontology/``). A banner row sets the level
#: of the units below it.
PROCESS_LEVELS = {
    "governing": "Procesos gobernantes / nivel directivo",
    "value-adding": "Procesos agregadores de valor / nivel operativo",
    "advisory": "Procesos habilitantes de asesoría",
    "support": "Procesos habilitantes de apoyo / nivel de apoyo",
    "deconcentrated": "Procesos desconcentrados",
    "institutional": "Nivel de gestión institucional",
}


@dataclass(frozen=True)
class Source:
    """The file a report was read from."""

    file: str  # file name as given (no directories), e.g. "sot-2023-01.txt"
    sha256: str
    format: str  # "text", "csv", "xlsx", "html"
    url: str | None = None  # where it was downloaded from (a harvested file)
    retrieved: datetime | None = None  # when those bytes were downloaded (UTC)


@dataclass(frozen=True)
class Institution:
    """The publishing institution, as identified in the registry."""

    id: str  # registry slug, e.g. "gad-municipal-loja"
    name: str  # official name
    inferred_from: str  # "option", "manifest", "header", "email-domain", "text"
    short_name: str | None = None
    domain: str | None = None


@dataclass(frozen=True)
class Metadata:
    """The footer block of a report. Absent fields are ``None``."""

    updated: date | None = None
    periodicity: str | None = None
    responsible_unit: str | None = None
    responsible_person: str | None = None
    email: str | None = None
    phone: str | None = None
    gpr_link: str | None = None


@dataclass(frozen=True)
class Target:
    """One quantified or named deliverable, or a not-applicable statement.

    ``value``/``unit``: ``"90%"`` -> 90, ``"percent"``; ``"45 Reuniones"`` -> 45,
    ``"Reuniones"``; no number -> ``None``. ``label`` is an ``M1``-style label.
    ``not_applicable`` statements carry their reason (the text after ``NO APLICA``).
    ``due_date`` is ISO: ``"2023-12-31"``, ``"2023-04"`` or ``"2023"``.
    """

    text: str
    line: int
    value: Decimal | None = None
    unit: str | None = None
    label: str | None = None
    not_applicable: bool = False
    reason: str | None = None
    due_date: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Indicator:
    """One row's indicator slot under an objective.

    ``text`` is ``None`` when the cell was empty or held a not-applicable statement (then
    ``not_applicable_reason`` keeps it): such a slot is not counted as an indicator, but
    its targets still belong to the objective.
    """

    text: str | None
    line: int
    activity: str | None = None
    targets: tuple[Target, ...] = ()
    not_applicable_reason: str | None = None
    due_date: str | None = None
    planning_link: str | None = None  # numeral 1.3: link to the planning system, to verify it
    planning_link_note: str | None = None  # why there is none (``NO APLICA …``), as written

    @property
    def is_indicator(self) -> bool:
        """True when this slot states an indicator (not empty, not NO APLICA)."""
        return self.text is not None


@dataclass(frozen=True)
class Objective:
    """One non-empty objective cell of a unit."""

    text: str
    line: int
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Unit:
    """An administrative unit, keyed by its name (numbers may repeat or be missing).

    A unit whose only content is a not-applicable statement has no objectives; the
    statement is kept in ``not_applicable_reason``.
    """

    name: str
    line: int
    number: str | None = None
    process_level: str | None = None  # a key of PROCESS_LEVELS
    objectives: tuple[Objective, ...] = ()
    not_applicable_reason: str | None = None


@dataclass(frozen=True)
class SectionNote:
    """A sentence standing in place of rows under a process-level banner."""

    process_level: str | None
    text: str
    line: int


@dataclass(frozen=True)
class ParseWarning:
    """Something the parser moved, skipped or could not read, with its line."""

    line: int | None
    message: str


@dataclass(frozen=True)
class Report:
    """One parsed report: the output of the parse stage."""

    source: Source
    institution: Institution
    metadata: Metadata
    units: tuple[Unit, ...] = ()
    notes: tuple[SectionNote, ...] = ()
    warnings: tuple[ParseWarning, ...] = field(default=())

    def objectives(self) -> list[Objective]:
        """All objectives, in reading order."""
        return [o for u in self.units for o in u.objectives]

    def indicators(self) -> list[Indicator]:
        """All indicator slots that state an indicator (NO APLICA and empty ones excluded)."""
        return [i for o in self.objectives() for i in o.indicators if i.is_indicator]

    def targets(self) -> list[Target]:
        """All targets that are not not-applicable statements."""
        return [
            t
            for o in self.objectives()
            for i in o.indicators
            for t in i.targets
            if not t.not_applicable
        ]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form printed by ``lotaip-lod parse``."""
        return _plain(self)


def _plain(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists, Decimal to int/float, date to ISO."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value
