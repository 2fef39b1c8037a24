"""Column roles: the header row, what a cell's content looks like, and undoing shifts.

Text extracted from PDF or HTML often moves cells one to three columns left or right. A
cell is put back in the column its content fits, guided by the row's anchors:

* *target-like*: an M-label (``M1.``, ``M.2``) or a leading number (``45 Reuniones``, ``90%``);
* *indicator-like*: ``%``, ``Porcentaje``, ``Número``, ``Nº``, ``No. de``, ``Cantidad``, ``I2.``;
* a cell beyond the table's last column.

The rightmost anchor gives the row's shift. Each non-empty cell is then assigned a role by
a small dynamic programme over (cell, role) pairs, in reading order, minimising
displacement (free when it is 0 or the row's shift) plus content misfit: a number where the
``No.`` goes, a unit-like name where the unit goes, an infinitive ("Fortalecer …") where an
objective goes (every objective in the real reports opens with one), no indicator-like text
in the target column and no target-like text before it. Two objectives, or two target-like
cells, may share a role: they become two objectives or two targets.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from publisher.parse.cells import normalised

ROLES = ("number", "unit", "objective", "activity", "indicator", "target", "link")
#: Role names as the reports' headers spell them, for messages.
ROLE_LABELS = {
    "number": "No.",
    "unit": "Descripción de la unidad",
    "objective": "Objetivo de la unidad",
    "activity": "Actividad",
    "indicator": "Indicador",
    "target": "Meta cuantificable",
    "link": "Enlace al sistema de gestión de planificación",
}

_HEADER_ROLES = (
    # numeral 1.3 (2023+): "Enlace al sistema de gestión de planificación para verificación
    # de los indicadores y metas cuantificables" names indicators and targets too
    (re.compile(r"^enlace"), "link"),
    (re.compile(r"^(no|n|nro|num|numero|item)$"), "number"),
    (re.compile(r"^objetivo"), "objective"),
    (re.compile(r"^actividad"), "activity"),
    (re.compile(r"^indicador"), "indicator"),
    (re.compile(r"^meta"), "target"),
    (re.compile(r"^(descripcion de la )?unidad"), "unit"),
)

_NUMBER = re.compile(r"^\d{1,4}(?:\.\d{1,3})*\.?$")
_TARGET_LIKE = re.compile(r"^(?:M\s?\.?\s?\d{1,2}(?!\d)|\d)")
_INDICATOR_LIKE = re.compile(
    r"^(?:%|porcentaje\b|n[úu]mero\b|n[º°]|no\.?\s+de\b|nro\b|cantidad\b|i\s?\.?\s?\d{1,2}\b|i\.\s)",
    re.IGNORECASE,
)
# What the numeral 1.3 link column holds: an address, or a statement that there is none.
_LINK_LIKE = re.compile(r"^(?:https?://|www\.|no\s+aplica|informaci[oó]n\s+no)", re.IGNORECASE)
_FIRST_WORD = re.compile(r"^[a-záéíóúñü]+", re.IGNORECASE)
# First words of unit names (normalised): "Dirección …", "Unidad …", "Gestión …".
_UNIT_WORDS_TEXT = """
direccion direcciones unidad gestion coordinacion proyecto asamblea comision presidencia
alcaldia vicealcaldia concejo cabildo intendencia intendencias superintendente
superintendencia secretaria asesoria auditoria patronato distrito regeneracion
participacion puerto departamento jefatura subdireccion procuraduria sindicatura area
oficina consejo junta registro tesoreria subproceso proceso division seccion centro
empresa agencia instituto despacho gerencia subgerencia comisaria administracion
"""
_UNIT_WORDS = frozenset(_UNIT_WORDS_TEXT.split())

INF = 1000.0
_MISFIT = 4.0  # an anchor in the wrong role
_NOT_A_UNIT = 3.0
_NOT_INFINITIVE = 1.5
_SHARE = 2.0  # two cells in one role
_STAY = 0.9  # a cell that did not move in a row that did


@dataclass(frozen=True)
class Layout:
    """The table's columns: which role sits in which column, from the header row."""

    columns: tuple[tuple[int, str], ...]  # (column index, role), in column order

    @property
    def width(self) -> int:
        """Number of columns up to the last one with a role."""
        return self.columns[-1][0] + 1

    def col(self, role: str) -> int | None:
        """The column of a role, or None when the table has no such column."""
        return self.cols.get(role)

    def role_at(self, col: int) -> str | None:
        """The role of a column, or None."""
        return self.roles.get(col)

    @cached_property
    def roles(self) -> dict[int, str]:
        """Column -> role (the per-row loops read it directly, saving a call per cell)."""
        return dict(self.columns)

    @cached_property
    def cols(self) -> dict[str, int]:
        """Role -> column."""
        return {r: c for c, r in self.columns}


class Cell(NamedTuple):
    """A non-empty cell: its column, raw and cleaned text, which anchor it is, and whether
    it reads as a unit number.

    A named tuple rather than a frozen dataclass: one is built for every filled cell, and
    a tuple is several times cheaper to build.
    """

    col: int
    raw: str
    text: str
    target_like: bool  # see ``target_like``
    indicator_like: bool  # see ``indicator_like``
    number: bool  # see ``is_number``


@lru_cache(maxsize=8192)
def make_cell(col: int, raw: str, text: str) -> Cell:
    """A ``Cell`` with its anchors tested once. Cached: stock indicators and targets repeat
    in their column from row to row (a cell is a tuple, so sharing is safe)."""
    return Cell(col, raw, text, target_like(text), indicator_like(text), is_number(text))


def header_layout(texts: list[str]) -> Layout | None:
    """The layout when these cleaned cells are a header row, else None.

    A header names the unit column and at least two of objective, indicator and target.
    """
    short = " ".join([t for t in texts if len(t) < 80]).lower()
    if "nidad" not in short or not ("indicador" in short or "meta" in short):
        return None  # cheap test first: this runs on every row
    return _header_layout(tuple(texts))


@lru_cache(maxsize=256)
def _header_layout(texts: tuple[str, ...]) -> Layout | None:
    """``header_layout`` past its cheap test; cached, as page headers repeat the header row."""
    columns: list[tuple[int, str]] = []
    for col, text in enumerate(texts):
        key = normalised(text)
        role = next((r for pattern, r in _HEADER_ROLES if pattern.match(key)), None)
        if role and role not in (r for _, r in columns):
            columns.append((col, role))
    roles = {r for _, r in columns}
    if "unit" in roles and len(roles & {"objective", "indicator", "target"}) >= 2:
        return Layout(tuple(columns))
    return None


def is_number(text: str) -> bool:
    """A unit number: ``1``, ``6.1``, ``16.6``, up to ``9999`` (a long synthetic report)."""
    return bool(_NUMBER.match(text))


def target_like(text: str) -> bool:
    """Opens with an M-label or a number: ``M1. …``, ``45 Reuniones``, ``90%``."""
    return bool(_TARGET_LIKE.match(text))


def indicator_like(text: str) -> bool:
    """Opens like an indicator: ``% de …``, ``Porcentaje …``, ``Número de …``, ``I2. …``."""
    return bool(_INDICATOR_LIKE.match(text))


def infinitive(text: str) -> bool:
    """Opens with a Spanish infinitive (``Fortalecer``, ``Brindar``, ``Garantizar``)."""
    found = _FIRST_WORD.match(text)
    if found is None:
        return False
    word = found[0].lower()
    return len(word) >= 4 and word.endswith(("ar", "er", "ir"))


def unit_like(text: str, known: Container[str]) -> bool:
    """A unit's name: upper case, a known unit, or opening with ``Dirección``, ``Unidad``…"""
    if _all_caps(text):
        return True
    found = _FIRST_WORD.match(text)
    if found and normalised(found[0]) in _UNIT_WORDS:
        return True
    return len(text) < 200 and normalised(text) in known


def _all_caps(text: str) -> bool:
    """More than three letters, all upper case (stops at the first lower-case one)."""
    letters = 0
    for char in text:
        if char.isalpha():
            if not char.isupper():
                return False
            letters += 1
    return letters > 3


def row_shift(cells: list[Cell], layout: Layout, previous: int) -> int:
    """How far the row's right-hand cells sit from their columns, from its anchors."""
    target_col, indicator_col = layout.col("target"), layout.col("indicator")
    number_col = layout.col("number")
    if number_col is not None and len(cells) > 1 and cells[0].number:
        return cells[0].col - number_col  # a number opening a row is its No.
    for cell in reversed(cells):
        # A bare number is a target ("3") only right of the unit column; else it is a No.
        if target_col is not None and cell.target_like and (cell.col >= 2 or not cell.number):
            return cell.col - target_col
    for cell in reversed(cells):
        if indicator_col is not None and cell.indicator_like:
            return cell.col - indicator_col
    last = layout.columns[-1][0]
    if cells and cells[-1].col > last:
        return cells[-1].col - last
    if cells and cells[0].col == number_col and not cells[0].number:
        return previous if previous < 0 else -1
    return 0


def fitting_roles(cells: list[Cell], layout: Layout, shift: int) -> list[str] | None:
    """The roles of the cells' own columns when every cell can stay there (the fast path,
    most rows), else None."""
    if shift:
        return None
    roles = []
    for cell in cells:
        role = layout.roles.get(cell.col)
        if role is None or (role == "number" and not cell.number):
            return None
        if role != "number" and _anchor_cost(role, cell) >= _MISFIT:
            return None
        roles.append(role)
    return roles


def assign(cells: list[Cell], layout: Layout, shift: int, known: Container[str]) -> list[str]:
    """The role of each cell, by the least-cost monotone alignment (see module docstring)."""
    if (moved := _moved_roles(cells, layout, shift, known)) is not None:
        return moved
    return _align(cells, layout, shift, known)


def misfits(cells: list[Cell], roles: list[str], known: Container[str]) -> int:
    """How many cells sit in a role their content does not fit (see ``_content_cost``)."""
    return sum(
        1 for cell, role in zip(cells, roles, strict=True) if _content_cost(role, cell, known)
    )


def _align(cells: list[Cell], layout: Layout, shift: int, known: Container[str]) -> list[str]:
    """The least-cost alignment, by dynamic programming over (cell, role)."""
    roles = layout.columns
    cost = [[_cell_cost(cell, col, role, shift, known) for col, role in roles] for cell in cells]
    best: list[list[float]] = [cost[0][:]]
    back: list[list[int]] = [[-1] * len(roles)]
    for i in range(1, len(cells)):
        row, links = [], []
        for k, (_, role) in enumerate(roles):
            options = [(best[i - 1][j], j) for j in range(k)]
            if role in ("objective", "target") or k == len(roles) - 1:
                options.append((best[i - 1][k] + _share_cost(cells[i - 1], cells[i], role), k))
            value, link = min(options, default=(INF * 10, -1))
            row.append(value + cost[i][k])
            links.append(link)
        best.append(row)
        back.append(links)
    k = min(range(len(roles)), key=lambda j: best[-1][j])
    chosen = [k]
    for i in range(len(cells) - 1, 0, -1):
        k = back[i][k]
        chosen.append(k)
    return [roles[k][1] for k in reversed(chosen)]


def _moved_roles(
    cells: list[Cell], layout: Layout, shift: int, known: Container[str]
) -> list[str] | None:
    """The roles ``shift`` columns away when every cell fits there at no cost, else None.

    That alignment costs nothing; any other puts some cell off the row's shift, which
    costs ``_STAY`` or more (no cost is negative), so ``_align`` would choose the same.
    Most shifted rows are shifted whole, and this skips the dynamic programme for them.
    """
    roles = []
    for cell in cells:
        role = layout.roles.get(cell.col - shift)
        if role is None or _content_cost(role, cell, known):
            return None
        roles.append(role)
    return roles


def _cell_cost(cell: Cell, col: int, role: str, shift: int, known: Container[str]) -> float:
    """Displacement (free at 0 or at the row's shift) plus content misfit."""
    offset = cell.col - col
    # In a shifted row a cell is presumed to have moved with its anchor: staying put costs
    # almost as much as moving one column, so only content can keep it in place.
    displacement = min(abs(offset) + (_STAY if shift else 0.0), abs(offset - shift))
    return displacement + _content_cost(role, cell, known)


def _content_cost(role: str, cell: Cell, known: Container[str]) -> float:
    """How badly a cell's text fits ``role`` (0 = fits)."""
    if role == "number":
        return 0.0 if cell.number else INF
    if anchored := _anchor_cost(role, cell):
        return anchored
    if role == "unit":
        return 0.0 if unit_like(cell.text, known) else _NOT_A_UNIT
    if role == "objective":
        return 0.0 if infinitive(cell.text) else _NOT_INFINITIVE
    if role == "link":
        return 0.0 if _LINK_LIKE.match(cell.text) else _MISFIT
    return 0.0


def _anchor_cost(role: str, cell: Cell) -> float:
    """Misfit of an anchor: an indicator in the target column, a target before it, …"""
    if role == "target":
        return _MISFIT if cell.indicator_like else 0.0
    if cell.target_like:
        return _MISFIT
    if role != "indicator" and cell.indicator_like:
        return _MISFIT
    return 0.0


def _share_cost(left: Cell, right: Cell, role: str) -> float:
    """Cost of a second cell in the same role: two objectives, or two target statements."""
    if role == "objective":
        return _SHARE
    if role == "target":
        return _SHARE if left.target_like and right.target_like else INF
    return INF  # more cells than columns: they are joined, see table.py
