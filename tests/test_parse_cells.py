"""Stacked cells and refused misreadings (issue 13), in every format read today.

Fixtures come from ``tests/data/make_cell_fixtures.py``: the SOT slice re-typed with its
values stacked one per line in each unit's cells (CSV, XLSX saved by LibreOffice Calc,
HTML with ``<br>``), and the slice with a column the header does not have.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli import cli
from publisher.errors import ParseError
from publisher.parse import delimited, parse_bytes, parse_file, spreadsheet
from publisher.parse.cells import clean, stack
from publisher.parse.columns import make_cell
from publisher.parse.stacks import unstack
from publisher.parse.tree import Slot, put
from publisher.records import Report

REPORTS = Path(__file__).resolve().parent / "data" / "reports"
STACKED = REPORTS / "stacked"
BAD = REPORTS / "bad"
SLICE = REPORTS / "sot-2023-01-slice.txt"
HEADER = ["No.", "Descripción de la unidad", "Objetivo de la unidad", "Indicador", "Meta"]
FOOTER = ["FECHA ACTUALIZACIÓN DE LA INFORMACIÓN:", "", "", "31/01/2023", ""]


def counts(r: Report) -> tuple[int, int, int, int]:
    return len(r.units), len(r.objectives()), len(r.indicators()), len(r.targets())


def without_lines(value: Any) -> Any:
    """A report's dict without source lines, which differ between layouts."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


def read_csv(*rows: list[str]) -> Report:
    """A small report typed as CSV: header, the rows, a footer."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows, FOOTER])
    return parse_bytes(buffer.getvalue().encode(), "typed.csv", delimited.read, "sot")


# --- stacked cells ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sot-2023-01-stacked.csv", "sot-2023-01-stacked.xlsx",
                                  "sot-2023-01-stacked.html"])  # fmt: skip
def test_stacked_cells_read_as_the_rows_they_stack(name: str) -> None:
    stacked = parse_file(STACKED / name)
    one_per_row = parse_file(SLICE)
    assert counts(stacked) == counts(one_per_row) == (6, 13, 13, 13)
    assert without_lines(stacked.to_dict()["units"]) == without_lines(
        one_per_row.to_dict()["units"]
    )
    assert [w.message for w in stacked.warnings] == ["the GPR link holds no address: 'No Aplica'"]
    # unit 2 stacks four objectives, indicators and targets in one row: four triples
    unit = stacked.units[1]
    assert [o.text[:30] for o in unit.objectives] == [
        "Crear espacios de intercambio ",
        "Incrementar el número de regis",
        "Permitir la gestión de datos e",
        "Poner en conocimiento el avanc",
    ]
    targets = [t for o in unit.objectives for i in o.indicators for t in i.targets]
    assert [(t.value, t.unit) for t in targets] == [(Decimal(90), "percent")] * 2 + [
        (Decimal(70), "percent"),
        (Decimal(90), "percent"),
    ]


def test_the_calc_workbook_holds_real_line_breaks() -> None:
    grid = spreadsheet.read((STACKED / "sot-2023-01-stacked.xlsx").read_bytes(), "s.xlsx")
    unit2 = next(r for r in grid.rows if r.cells[:1] == ("2",))
    assert unit2.cells[2].count("\n") == 3  # four objectives, Alt+Enter between them


def test_stacks_that_do_not_line_up_warn_and_invent_nothing() -> None:
    report = parse_file(STACKED / "sot-2023-01-stacked-uneven.xlsx")
    [warning] = [w for w in report.warnings if "stacked" in w.message]
    assert (warning.line, warning.message) == (
        11,
        "stacked cells do not line up: Objetivo de la unidad (column 3) holds 4; "
        "Indicador (column 4) holds 3; Meta cuantificable (column 5) holds 4; "
        "each cell read whole",
    )
    # unit 4 is read as before stacks were understood: one objective (its four joined),
    # one indicator (its three joined) and the four targets; the other units line up
    unit4 = report.units[3]
    assert len(unit4.objectives) == 1
    assert unit4.objectives[0].text.startswith("Determinar una muestra específica")
    assert unit4.objectives[0].text.endswith(parse_file(SLICE).units[3].objectives[3].text)
    [indicator] = unit4.objectives[0].indicators
    assert len(indicator.targets) == 4
    assert counts(report) == (6, 10, 10, 13)


def test_one_objective_shared_by_stacked_indicators_and_targets() -> None:
    report = read_csv(
        ["1", "Dirección Financiera", "Fortalecer la gestión financiera",
         "Porcentaje de ejecución presupuestaria\nNúmero de informes emitidos",
         "90%\n12 informes"],
    )  # fmt: skip
    [objective] = report.objectives()
    assert objective.text == "Fortalecer la gestión financiera"
    assert [(i.text, [(t.value, t.unit) for t in i.targets]) for i in objective.indicators] == [
        ("Porcentaje de ejecución presupuestaria", [(Decimal(90), "percent")]),
        ("Número de informes emitidos", [(Decimal(12), "informes")]),
    ]


def test_stacked_indicators_continue_the_objective_above() -> None:
    report = read_csv(
        ["1", "Dirección Financiera", "Fortalecer la gestión financiera", "Porcentaje", "90%"],
        ["", "", "", "Número de informes\nNúmero de talleres", "12 informes\n3 talleres"],
    )
    [objective] = report.objectives()
    assert [i.text for i in objective.indicators] == [
        "Porcentaje",
        "Número de informes",
        "Número de talleres",
    ]


def test_one_indicator_keeps_its_stacked_targets() -> None:
    # the rule of <p> paragraphs, now for line breaks too: before, "90%\n80%" was one
    # target worth 90 and the 80 was lost
    report = read_csv(["1", "Dirección Financiera", "Fortalecer", "Porcentaje", "90%\n80%"])
    assert [t.value for t in report.targets()] == [Decimal(90), Decimal(80)]
    assert len(report.indicators()) == 1


def test_one_target_is_not_copied_to_stacked_indicators() -> None:
    report = read_csv(
        ["1", "Dirección Financiera", "Fortalecer", "Porcentaje A\nPorcentaje B", "90%"]
    )
    assert [w.message for w in report.warnings] == [
        "stacked cells do not line up: Objetivo de la unidad (column 3) holds 1; "
        "Indicador (column 4) holds 2; Meta cuantificable (column 5) holds 1; "
        "each cell read whole"
    ]
    assert [i.text for i in report.indicators()] == ["Porcentaje A Porcentaje B"]
    assert len(report.targets()) == 1


def test_a_wrapped_line_is_not_a_value() -> None:
    report = read_csv(
        ["1", "Dirección Financiera", "Fortalecer la gestión\nfinanciera del GAD\nMejorar",
         "Porcentaje\nNúmero", "90%\n5 informes"],
    )  # fmt: skip
    assert [o.text for o in report.objectives()] == [
        "Fortalecer la gestión financiera del GAD",
        "Mejorar",
    ]
    assert [len(o.indicators) for o in report.objectives()] == [1, 1]


@pytest.mark.parametrize(
    ("raw", "values"),
    [
        ("Uno\r\nDos", ("Uno", "Dos")),
        ("• Uno\n• Dos", ("Uno", "Dos")),
        ("- Uno\n-5 grados", ("Uno", "-5 grados")),
        ("Uno<br>Dos<br/>tres", ("Uno", "Dos tres")),
        ("<p>M1. uno</p><p>m2. dos</p>", ("M1. uno", "m2. dos")),  # paragraphs always part
        ("Uno\n(en curso)\n90%", ("Uno (en curso)", "90%")),
        ("\n \n", ()),
        ("<b>PROCESOS</b>", ("PROCESOS",)),
    ],
)
def test_the_values_of_a_cell(raw: str, values: tuple[str, ...]) -> None:
    assert stack(raw) == values


# --- refusing what cannot be read with confidence -----------------------------------------


@pytest.mark.parametrize("suffix", ["txt", "csv", "xlsx", "html"])
def test_a_misaligned_file_is_refused_with_one_line(suffix: str) -> None:
    result = CliRunner().invoke(cli, ["parse", str(BAD / f"misaligned.{suffix}")])
    assert result.exit_code == 1
    assert result.stdout == ""
    header, first = (4, 6) if suffix == "html" else (5, 7)
    assert result.stderr == (
        f"Error: misaligned.{suffix}:{first}: the columns cannot be read with confidence: "
        f"10 of 14 data rows (the first on this line) do not fit the columns of the header "
        f"row on line {header}; refused rather than guessed\n"
    )


def test_a_misaligned_file_publishes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "data"
    args = ["build", str(SLICE), str(BAD / "misaligned.xlsx"), "--out", str(out), "--quiet"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert "misaligned.xlsx:7: the columns cannot be read with confidence" in result.output
    assert "nothing published" in result.output
    assert not (out / "current").exists()


def test_one_odd_row_is_a_warning_not_a_refusal() -> None:
    lines = SLICE.read_text(encoding="utf-8").split("\n")
    row = lines[9].split("\t")  # a continuation row of unit 2
    lines[9] = "\t".join([*row[:2], "Ing. Carla Mena", *row[2:]])
    report = parse_bytes("\n".join(lines).encode(), "odd.txt")
    assert any(w.line == 10 and "'Ing. Carla Mena'" in w.message for w in report.warnings)
    assert counts(report)[0] == 7  # the odd cell is read as a unit, and said so


def test_the_refusal_counts_stacks_that_do_not_line_up() -> None:
    rows = [[str(n), f"Dirección {n}", "Fortalecer", "A\nB", "1\n2\n3"] for n in range(1, 4)]
    with pytest.raises(ParseError, match=r"typed.csv:2: the columns cannot be read .* 3 of 3"):
        read_csv(*rows)


def test_two_objective_cells_are_not_a_stack() -> None:
    # the column alignment may put two cells in the objective role; each holds one value
    slot = Slot()
    cells = [
        (2, "<b>Fortalecer A</b>", "objective"),
        (3, "<span>Mejorar B</span>", "objective"),
        (4, "Porcentaje", "indicator"),
        (5, "90%", "target"),
    ]
    for col, raw, role in cells:
        put(slot, role, make_cell(col, raw, clean(raw)))
    assert unstack(slot) == ([slot], None)
    assert slot.objectives == ["Fortalecer A", "Mejorar B"]


def test_a_four_digit_unit_number_is_a_number() -> None:
    # a 20,000-row synthetic report numbers its units past 999; "1000" was read as a
    # unit name and the name as an objective
    report = read_csv(
        ["1000", "Dirección Financiera", "Fortalecer la gestión", "Porcentaje", "90%"]
    )
    assert [(u.number, u.name) for u in report.units] == [("1000", "Dirección Financiera")]
    assert report.warnings == ()
