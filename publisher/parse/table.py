"""Grid -> units, objectives, indicators and targets: the reading rules of READING.md.

Rows are read top to bottom. Before the column-header row come title lines (kept: they may
name the institution). After it, each row is one of:

* a repeated page header (the ``Art. 7 …``/``Literal a4)`` titles or the header row again);
* a process-level banner (``PROCESOS GOBERNANTES / NIVEL DIRECTIVO``, with or without
  ``<b>``/``**``), which sets the level of the units below it;
* a sentence alone under a banner, before any unit: a ``SectionNote``;
* the template's ``Ejemplo:`` row, skipped;
* a footer row (``FECHA ACTUALIZACIÓN …``), see ``footer.py``; the table ends there;
* a data row, whose cells are put back in their columns (``columns.py``). A unit name
  opens (or reopens: units are keyed by name) a unit; an empty one continues the unit
  above. An objective cell opens an objective; indicator, activity and target cells make
  one indicator slot under the current objective; cells stacking several values, one per
  line, make several when their stacks line up (``stacks.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.errors import ParseError
from publisher.parse import columns
from publisher.parse.cells import clean, normalised, not_applicable_reason, url_in
from publisher.parse.columns import Cell, Layout
from publisher.parse.footer import Footer, footer_field
from publisher.parse.grid import Grid, Row
from publisher.parse.stacks import unstack
from publisher.parse.targets import find_due_date, parse_targets
from publisher.parse.tree import OpenObjective, OpenUnit, Slot, only_not_applicable, put
from publisher.records import (
    Indicator,
    Metadata,
    ParseWarning,
    SectionNote,
    Unit,
)

#: Banner wording (normalised) -> process level (a key of records.PROCESS_LEVELS).
BANNERS = (
    ("habilitantes de asesoria", "advisory"),
    ("gobernante", "governing"),
    ("nivel directivo", "governing"),
    ("agregador", "value-adding"),
    ("nivel operativo", "value-adding"),
    ("apoyo", "support"),
    ("asesoria", "advisory"),
    ("desconcentrad", "deconcentrated"),
    ("gestion institucional", "institutional"),
)
_BANNER_START = re.compile(r"^(procesos?|nivel|niveles)\b")
#: Share of data rows read by guess past which a table is refused (``_confident``).
DOUBTFUL_SHARE = 0.1
DOUBTFUL_LEAST = 3  # and at least this many: two odd rows of a short report only warn
_TITLE = re.compile(r"^(art \d+ de la ley|literal [a-z]\d?\b|pagina \d+)")


@dataclass(frozen=True)
class Table:
    """What the table holds, before the institution is known."""

    units: tuple[Unit, ...]
    notes: tuple[SectionNote, ...]
    metadata: Metadata
    warnings: tuple[ParseWarning, ...]
    title_lines: tuple[str, ...]  # cleaned texts above the header row
    texts: tuple[str, ...]  # every cleaned non-empty cell, for names in the text
    roles: tuple[str, ...] = ()  # the header's column roles, in column order
    header_line: int = 0


def read_table(grid: Grid, name: str, footer: bool = True) -> Table:
    """Interpret a grid as a literal a4 report (see the module docstring).

    ``footer=False``: the file has no footer block (a numeral 1.3 data file, whose
    metadata come in a file of their own), so none is looked for nor missed."""
    reader = _Reader(name)
    for row in grid.rows:
        if not row.is_blank():
            reader.row(row)
    return reader.finish(footer)


class _Reader:
    """The reading state: layout, current level, unit and objective."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.layout: Layout | None = None
        self.header_line = 0
        self.level: str | None = None
        self.units: dict[str, OpenUnit] = {}
        self.unit: OpenUnit | None = None
        self.objective: OpenObjective | None = None
        self.units_since_banner = 0
        self.shift = 0
        self.footer = Footer()
        self.notes: list[SectionNote] = []
        self.warnings: list[ParseWarning] = []
        self.titles: list[str] = []
        self.texts: list[str] = []
        self.last_line = 0
        self.placed = 0  # data rows put in their columns
        self.doubtful: list[int] = []  # lines of data rows read by guess (see ``_confident``)

    def row(self, row: Row) -> None:
        """Read one non-blank row."""
        texts = list(map(clean, row.cells))
        self.texts.extend(filter(None, texts))
        self.last_line = row.line
        if self.layout is None:
            self._before_header(texts, row.line)
            return
        filled = [i for i, t in enumerate(texts) if t]
        if not filled:
            return  # only markup, such as "<b></b>"
        if (label := footer_field(texts[filled[0]])) is not None:
            self.footer.add(label, list(row.cells[filled[0] :]), row.line)
        elif self.footer.first_line is not None:
            return  # text below the footer is not part of the table
        elif layout := columns.header_layout(texts):
            self._repeated_header(layout, row.line)
        elif filled[0] == 0 and all(texts[i] == texts[0] for i in filled):
            self._lone_cell(row, texts[0])  # merged cells may repeat a banner across
        elif texts[filled[0]][:8].lower().startswith("ejemplo"):
            self.warnings.append(ParseWarning(row.line, "skipped the template's 'Ejemplo:' row"))
        else:
            self._data(row, texts)

    def finish(self, footer: bool = True) -> Table:
        """The table read so far; raises when there was nothing to read."""
        if self.layout is None:
            raise ParseError(
                self.name,
                "no header row with the expected columns (No. | Descripción de la unidad | "
                "Objetivo de la unidad | Indicador | Meta cuantificable)",
                1,
            )
        if not self.units:
            raise ParseError(self.name, "no units below the header row", self.header_line)
        self._confident()
        if footer and self.footer.first_line is None:
            self.warnings.append(
                ParseWarning(
                    self.last_line,
                    f"no footer (FECHA ACTUALIZACIÓN …): the report looks truncated after "
                    f"line {self.last_line}; read what is there",
                )
            )
        return Table(
            units=tuple(u.freeze() for u in self.units.values()),
            notes=tuple(self.notes),
            metadata=self.footer.metadata(),
            warnings=tuple(sorted(self.warnings + self.footer.warnings, key=_line_of)),
            title_lines=tuple(self.titles),
            texts=tuple(self.texts),
            roles=tuple(role for _, role in self.layout.columns),
            header_line=self.header_line,
        )

    def _confident(self) -> None:
        """Refuse a table whose rows were read by guess more than now and then.

        A data row is read by guess when, once its cells are put back in the columns, a
        cell's content still does not fit its column (a name where the unit goes, a figure
        where the indicator goes), or when its stacked cells do not line up. A few such
        rows are odd cells, and get warnings; more than ``DOUBTFUL_SHARE`` of the data rows
        (none of the five reference reports has one) means the header does not describe
        the rows, and any reading would be invented.
        Rows moved whole by their anchors (PDF extraction's shifts) are not guesses.
        """
        doubtful = len(self.doubtful)
        if doubtful >= DOUBTFUL_LEAST and doubtful > DOUBTFUL_SHARE * self.placed:
            raise ParseError(
                self.name,
                f"the columns cannot be read with confidence: {doubtful} of {self.placed} "
                f"data rows (the first on this line) do not fit the columns of the header "
                f"row on line {self.header_line}; refused rather than guessed",
                self.doubtful[0],
            )

    def _before_header(self, texts: list[str], line: int) -> None:
        if layout := columns.header_layout(texts):
            self.layout, self.header_line = layout, line
        else:
            self.titles.append(" ".join(t for t in texts if t))

    def _repeated_header(self, layout: Layout, line: int) -> None:
        """A page header again; a shifted copy of the same columns changes nothing."""
        assert self.layout is not None
        if [r for _, r in layout.columns] != [r for _, r in self.layout.columns]:
            self.warnings.append(ParseWarning(line, "the header row changes the columns here"))
            self.layout = layout

    def _lone_cell(self, row: Row, text: str) -> None:
        """A title, a banner, a sentence under a banner, or a data row with one cell."""
        key = normalised(text)
        if _TITLE.match(key):
            return
        if _BANNER_START.match(key) or any(word in key for word, _ in BANNERS[:2]):
            self.level = next((lvl for word, lvl in BANNERS if word in key), None)
            if self.level is None:
                self.warnings.append(ParseWarning(row.line, f"unknown process level {text!r}"))
            self.units_since_banner = 0
            self.objective = None
        elif self.units_since_banner == 0:
            self.notes.append(SectionNote(self.level, text, row.line))
        else:
            self._data(row, [text])

    def _data(self, row: Row, texts: list[str]) -> None:
        assert self.layout is not None
        cells = [columns.make_cell(i, row.cells[i], t) for i, t in enumerate(texts) if t]
        slot = self._place(cells, row.line)
        if slot.unit:
            self._open_unit(slot, row.line)
        elif slot.number:
            self.warnings.append(
                ParseWarning(
                    row.line,
                    f"number {slot.number} with no unit name: read as a "
                    "continuation of the unit above",
                )
            )
        if self.unit is None:
            self.warnings.append(ParseWarning(row.line, "a row before any unit: skipped"))
            return
        parts, mismatch = unstack(slot)
        if mismatch:
            self.warnings.append(ParseWarning(row.line, mismatch))
            self.doubtful.append(row.line)
        for part in parts:
            for text in part.objectives:
                if not_applicable_reason(text) is not None:
                    self._objective_not_applicable(text)
                    continue
                self.objective = OpenObjective(text, row.line)
                self.unit.objectives.append(self.objective)
            if part.activity or part.indicator or part.target_cells:
                self._indicator(part, row.line)

    def _place(self, cells: list[Cell], line: int) -> Slot:
        """Cells -> roles, undoing shifts by meaning; warns about every moved cell."""
        assert self.layout is not None
        layout = self.layout
        shift = columns.row_shift(cells, layout, self.shift)
        roles = columns.fitting_roles(cells, layout, shift)
        if roles is None:
            # the units dict itself, not a set of its keys: a copy per row was quadratic
            roles = columns.assign(cells, layout, shift, self.units)
            self._warn_moves(cells, roles, layout, line)
            if columns.misfits(cells, roles, self.units):
                self.doubtful.append(line)
        self.placed += 1
        self.shift = shift
        slot = Slot()
        for cell, role in zip(cells, roles, strict=True):
            put(slot, role, cell)
        return slot

    def _warn_moves(self, cells: list[Cell], roles: list[str], layout: Layout, line: int) -> None:
        moves = [
            f"{_short(c.text)} from column {c.col + 1} to {columns.ROLE_LABELS[r]}"
            for c, r in zip(cells, roles, strict=True)
            if layout.role_at(c.col) != r
        ]
        if moves:
            self.warnings.append(ParseWarning(line, "cells shifted, moved " + "; ".join(moves)))

    def _open_unit(self, slot: Slot, line: int) -> None:
        assert slot.unit is not None
        key = normalised(slot.unit)
        unit = self.units.get(key)
        if unit is None:
            unit = OpenUnit(slot.unit, line, slot.number, self.level)
            self.units[key] = unit
        if unit is not self.unit:  # the unit repeated on its next row continues it
            self.unit, self.objective = unit, None
        self.units_since_banner += 1

    def _objective_not_applicable(self, text: str) -> None:
        """``NO APLICA …`` in the objective column states no objective; a unit with none
        keeps it as its reason."""
        assert self.unit is not None
        self.objective = None
        if not self.unit.objectives and not self.unit.not_applicable_reason:
            self.unit.not_applicable_reason = not_applicable_reason(text) or text

    def _indicator(self, slot: Slot, line: int) -> None:
        """One indicator slot; a unit with only NO APLICA and no objective keeps the reason."""
        assert self.unit is not None
        reason = not_applicable_reason(slot.indicator) if slot.indicator else None
        text = slot.indicator if reason is None else None
        due = find_due_date(text) if text else None  # also the due date of its targets
        targets = [t for raw in slot.target_cells for t in parse_targets(raw, line, due)]
        if self.objective is None:
            if only_not_applicable(slot, reason, targets):
                first = targets[0].reason if targets else None
                self.unit.not_applicable_reason = reason or first or slot.indicator
            else:
                self.warnings.append(ParseWarning(line, "an indicator with no objective: skipped"))
            return
        self.objective.indicators.append(
            Indicator(
                text=text,
                line=line,
                activity=slot.activity,
                targets=tuple(targets),
                not_applicable_reason=(reason or slot.indicator) if reason is not None else None,
                due_date=due,
                **self._link(slot.link, line),
            )
        )

    def _link(self, text: str | None, line: int) -> dict[str, str | None]:
        """The planning-system link of a numeral 1.3 row: an address, or why there is none."""
        if not text:
            return {}
        if url := url_in(text):
            return {"planning_link": url}
        if not_applicable_reason(text) is not None:
            return {"planning_link_note": text}
        self.warnings.append(ParseWarning(line, f"the link cell holds no address: {_short(text)}"))
        return {}


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _line_of(warning: ParseWarning) -> int:
    return warning.line or 0
