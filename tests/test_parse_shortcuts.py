"""The parser's fast paths give what the slow paths they skip would give.

Speed work added shortcuts (an ASCII path in ``normalise``, a shortcut past the column
alignment's dynamic programme, target records shared through caches and moved to their
line). Each test here pits a shortcut against the plain definition on generated input.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.parse import columns
from publisher.parse.columns import Layout
from publisher.parse.targets import parse_targets
from publisher.uris import normalise

FIVE = Layout(((0, "number"), (1, "unit"), (2, "objective"), (3, "indicator"), (4, "target")))
SIX = Layout(
    ((0, "number"), (1, "unit"), (2, "objective"), (3, "activity"), (4, "indicator"), (5, "target"))
)
GAPPED = Layout(((1, "unit"), (2, "objective"), (4, "indicator"), (5, "target")))
#: Cell texts of every kind the alignment weighs: numbers, units, objectives, anchors.
TEXTS = (
    "3",
    "6.1",
    "DIRECCIÓN FINANCIERA",
    "Gestión de Riesgos",
    "Fortalecer la gestión",
    "la gestión del agua",
    "% de avance",
    "Número de informes",
    "I2. Informes",
    "90%",
    "45 Reuniones",
    "M1. Al menos 3 talleres",
    "NO APLICA",
    "texto libre",
)


def _reference_normalise(text: str) -> str:
    """``normalise`` as first written: NFKD for every text, combining marks dropped."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


@given(st.text())
def test_normalise_matches_its_definition(text: str) -> None:
    """The ASCII fast path folds exactly as NFKD plus dropping combining marks does."""
    assert normalise(text) == _reference_normalise(text)


@settings(max_examples=400)
@given(
    layout=st.sampled_from((FIVE, SIX, GAPPED)),
    placed=st.dictionaries(st.integers(0, 8), st.sampled_from(TEXTS), min_size=1, max_size=5),
    shift=st.integers(-3, 3),
    known=st.sampled_from((set(), {"gestion de riesgos", "texto libre"})),
)
def test_assign_matches_the_full_alignment(
    layout: Layout, placed: dict[int, str], shift: int, known: set[str]
) -> None:
    """A row shifted whole skips the dynamic programme and still gets its roles."""
    cells = [columns.make_cell(col, text, text) for col, text in sorted(placed.items())]
    assert columns.assign(cells, layout, shift, known) == columns._align(
        cells, layout, shift, known
    )


def test_a_whole_shifted_row_takes_the_shortcut() -> None:
    """The shortcut is taken for the common case (otherwise the test above proves little)."""
    texts = ["Gestión de Riesgos", "Fortalecer la gestión", "% de avance", "90%"]
    cells = [columns.make_cell(col, text, text) for col, text in enumerate(texts)]
    assert columns._moved_roles(cells, FIVE, -1, set()) == [
        "unit",
        "objective",
        "indicator",
        "target",
    ]


def test_cached_targets_take_each_call_s_line_and_due_date() -> None:
    """A cell read twice shares its parse but not its line; the due date fills only gaps."""
    cell = (
        "<p>M1. 90% de avance</p><p>M2. Al menos 3 talleres a diciembre de 2024</p><p>NO APLICA</p>"
    )
    first = parse_targets(cell, 3, "2023")
    again = parse_targets(cell, 7, None)
    assert [t.line for t in first] == [3, 3, 3]
    assert [t.line for t in again] == [7, 7, 7]
    assert [t.due_date for t in first] == ["2023", "2024-12", None]
    assert [t.due_date for t in again] == [None, "2024-12", None]
    assert [t.text for t in first] == [t.text for t in again]
