"""The record tree while it is being read: open units and objectives, one row's slot.

``table.py`` fills these as rows arrive (a unit reopened by name gets more objectives) and
freezes them into ``records`` dataclasses at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from publisher.parse.columns import Cell
from publisher.records import Indicator, Objective, Target, Unit


@dataclass
class OpenObjective:
    """An objective that may still get indicator slots."""

    text: str
    line: int
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class OpenUnit:
    """A unit that may still get objectives."""

    name: str
    line: int
    number: str | None
    level: str | None
    objectives: list[OpenObjective] = field(default_factory=list)
    not_applicable_reason: str | None = None

    def freeze(self) -> Unit:
        """The finished ``Unit`` record."""
        objectives = tuple(Objective(o.text, o.line, tuple(o.indicators)) for o in self.objectives)
        return Unit(
            self.name, self.line, self.number, self.level, objectives, self.not_applicable_reason
        )


@dataclass
class Slot:
    """The cells of one data row, by role, after undoing shifts."""

    number: str | None = None
    unit: str | None = None
    objectives: list[str] = field(default_factory=list)
    activity: str | None = None
    indicator: str | None = None
    target_cells: list[str] = field(default_factory=list)
    cells: dict[str, list[Cell]] = field(default_factory=dict)  # role -> its cells, as read
    link: str | None = None  # numeral 1.3: the planning-system link of the row


def put(slot: Slot, role: str, cell: Cell) -> None:
    """Store a cell in its role; extra cells in a one-cell role are joined to it."""
    slot.cells.setdefault(role, []).append(cell)
    if role == "objective":
        slot.objectives.append(cell.text)
    elif role == "target":
        slot.target_cells.append(cell.raw)
    else:
        old = getattr(slot, role)
        setattr(slot, role, f"{old} {cell.text}" if old else cell.text)


def only_not_applicable(slot: Slot, reason: str | None, targets: list[Target]) -> bool:
    """True when the row states only NO APLICA (in the indicator and/or target cells)."""
    if slot.activity or (slot.indicator and reason is None):
        return False
    return all(t.not_applicable for t in targets) and (reason is not None or bool(targets))
