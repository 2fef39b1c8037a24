"""Stacked cells: one row whose cells hold several values, one per line.

Spreadsheet users stack values in a cell with Alt+Enter (a line break in a CSV cell,
``<br>`` or ``<p>`` in HTML) instead of using one row per value. ``cells.stack`` gives a
cell's values; this module decides what a row of stacked cells stands for. Count the
values of the row's objective, activity, indicator and target cells: ``o``, ``a``, ``i``,
``t``, and let ``n = max(o, a, i)``.

* no objective, activity or indicator cell holds more than one value: the row is one
  indicator slot and each target value is one of its targets (as ``<p>`` paragraphs
  always were).
* ``n >= 2`` and the stacks *line up*: ``a`` and ``i`` are each 0 or ``n``, ``t`` is 0 or
  ``n``, and ``o`` is 0, 1 or ``n``. The row stands for ``n`` slots, the k-th taking the
  k-th value of every stacked cell. ``o == n``: n objectives, each with its own slot;
  ``o == 1``: one objective shared by the n slots; ``o == 0``: the n slots continue the
  objective above. A value is never shared downwards only: one indicator is not copied
  to n objectives, one target not to n indicators.
* anything else does not line up: the row is read as before stacking was understood,
  each cell whole (its lines joined) as one slot, and a warning names the cells and
  their counts, so nothing is paired by guess.
"""

from __future__ import annotations

from dataclasses import replace

from publisher.parse.cells import stack
from publisher.parse.columns import ROLE_LABELS
from publisher.parse.tree import Slot

#: The roles whose cells may stack, in row order.
STACKING = ("objective", "activity", "indicator", "target")


def unstack(slot: Slot) -> tuple[list[Slot], str | None]:
    """The slots one placed row stands for, and a warning when its stacks do not line up."""
    if not _stacked(slot):
        return [slot], None  # no cell above the targets holds several values: as always
    values = {r: [v for c in slot.cells.get(r, ()) for v in stack(c.raw)] for r in STACKING}
    o, a, i, t = (len(values[r]) for r in STACKING)
    n = max(o, a, i)
    if a in (0, n) and i in (0, n) and t in (0, n) and o in (0, 1, n):
        return [_kth(slot, values, k, n) for k in range(n)], None
    counts = "; ".join(
        f"{ROLE_LABELS[r]} (column {slot.cells[r][0].col + 1}) holds {len(values[r])}"
        for r in STACKING
        if r in slot.cells
    )
    return [slot], f"stacked cells do not line up: {counts}; each cell read whole"


def _stacked(slot: Slot) -> bool:
    """True when an objective, activity or indicator cell holds several values.

    Two objective cells in one row, each holding one value, are not a stack: they are
    two objectives, as the column alignment reads them."""
    return any(
        len(stack(c.raw)) > 1
        for role in STACKING[:3]
        for c in slot.cells.get(role, ())
        if "\n" in c.raw or "\r" in c.raw or "<" in c.raw
    )


def _kth(slot: Slot, values: dict[str, list[str]], k: int, n: int) -> Slot:
    """The k-th of the n slots: its own value of each stacked cell, the row's head once."""
    objectives = values["objective"]
    if len(objectives) == n:
        objectives = [objectives[k]]
    elif k > 0:
        objectives = []  # one objective (or the one above) shared by the n slots
    return replace(
        slot,
        number=slot.number if k == 0 else None,
        unit=slot.unit if k == 0 else None,
        objectives=objectives,
        activity=values["activity"][k] if values["activity"] else None,
        indicator=values["indicator"][k] if values["indicator"] else None,
        target_cells=[values["target"][k]] if values["target"] else [],
        cells={},
    )
