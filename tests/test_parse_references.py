"""CONGOPE, Loja and AME as PDF, DOCX, ODS and XLS; the misaligned slice in those formats.

Fixtures: ``tests/data/make_reference_fixtures.py`` (python-docx, LibreOffice Writer and
Calc). Each re-layout must give the records of the text original, record for record (AME's
PDF too: its narrow columns break words inside the cell, see docs/parsing.md). Each
misaligned file is refused.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli import cli
from publisher.parse import parse_file
from publisher.records import Report

DATA = Path(__file__).resolve().parent / "data" / "reports"
REFERENCES = DATA / "references"
BAD = DATA / "bad"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
#: Hand counts of tests/test_parse_text.py (units, objectives, indicators, targets).
COUNTS = {
    "congope-2022-02": (18, 18, 25, 46),
    "loja-2019-08": (38, 137, 122, 122),
    "ame-2015-09": (14, 26, 60, 61),
}
#: NO APLICA statements (units, indicator slots and targets saying so) of the text reading.
NOT_APPLICABLE = {"congope-2022-02": 2, "loja-2019-08": 30, "ame-2015-09": 0}
SAME = [(stem, ext) for stem in COUNTS for ext in ("pdf", "docx", "ods", "xls")]


def counts(r: Report) -> tuple[int, int, int, int]:
    return len(r.units), len(r.objectives()), len(r.indicators()), len(r.targets())


def not_applicable(value: Any) -> int:
    """NO APLICA statements anywhere in a report's dict (units, slots and targets)."""
    if isinstance(value, dict):
        here = bool(value.get("not_applicable")) or bool(value.get("not_applicable_reason"))
        return here + sum(not_applicable(v) for v in value.values())
    if isinstance(value, list):
        return sum(not_applicable(v) for v in value)
    return 0


def without_lines(value: Any) -> Any:
    """A report's dict without ``line`` and ``source`` (they differ between formats)."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k not in ("line", "source")}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


@pytest.fixture(scope="module")
def texts() -> dict[str, Report]:
    return {stem: parse_file(EXAMPLES / f"{stem}.txt") for stem in COUNTS}


@pytest.mark.parametrize(("stem", "ext"), SAME)
def test_same_records_as_text(stem: str, ext: str, texts: dict[str, Report]) -> None:
    report = parse_file(REFERENCES / f"{stem}.{ext}")
    text = texts[stem]
    assert report.source.format == ext
    assert counts(report) == COUNTS[stem]
    assert (
        not_applicable(report.to_dict()) == not_applicable(text.to_dict()) == NOT_APPLICABLE[stem]
    )
    assert without_lines(report.to_dict()) == without_lines(text.to_dict())


@pytest.mark.parametrize("ext", ["pdf", "docx", "ods", "xls"])
def test_spot_values(ext: str) -> None:
    congope = parse_file(REFERENCES / f"congope-2022-02.{ext}")
    last = congope.units[-1].objectives[-1].indicators[-1].targets
    assert [t.not_applicable for t in last][-1] is True  # the <p>No aplica …</p> paragraph
    assert congope.metadata.email == "haro@congope.gob.ec"
    loja = parse_file(REFERENCES / f"loja-2019-08.{ext}")
    assert sum(1 for u in loja.units if u.number == "6.1") == 3
    ame = parse_file(REFERENCES / f"ame-2015-09.{ext}")
    first = ame.units[0].objectives[0].indicators[0].targets[0]
    assert (ame.units[0].name, first.value, first.unit) == (
        "DIRECCIÓN EJECUTIVA",
        Decimal(45),
        "Reuniones",
    )


#: (format, header line, first shifted line): PDF lines are page × 1000 + line.
MISALIGNED = [("pdf", 1003, 1005), ("docx", 3, 5), ("ods", 5, 7), ("xls", 5, 7)]


@pytest.mark.parametrize(("ext", "header", "first"), MISALIGNED)
def test_a_misaligned_file_is_refused(ext: str, header: int, first: int) -> None:
    result = CliRunner().invoke(cli, ["parse", str(BAD / f"misaligned.{ext}")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: misaligned.{ext}:{first}: the columns cannot be read with confidence: "
        f"10 of 14 data rows (the first on this line) do not fit the columns of the header "
        f"row on line {header}; refused rather than guessed\n"
    )


@pytest.mark.parametrize("ext", ["pdf", "docx", "ods", "xls"])
def test_a_misaligned_file_publishes_nothing(ext: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    runner = CliRunner()
    good = str(EXAMPLES / "alausi-2021-05.txt")
    assert runner.invoke(cli, ["build", "--quiet", "--out", str(data), good]).exit_code == 0
    published = (data / "current").resolve()
    before = sorted(p.relative_to(published) for p in published.rglob("*"))
    args = ["build", good, str(BAD / f"misaligned.{ext}"), "--out", str(data), "--quiet"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert f"misaligned.{ext}:" in result.output
    assert "the columns cannot be read with confidence" in result.output
    assert "nothing published" in result.output
    assert (data / "current").resolve() == published
    assert sorted(p.relative_to(published) for p in published.rglob("*")) == before


def test_ame_pdf_wraps_read_as_the_text(texts: dict[str, Report]) -> None:
    """AME's narrow columns: each kind of line end Writer makes reads as the text has it."""
    report = parse_file(REFERENCES / "ame-2015-09.pdf")
    names = [u.name for u in report.units]
    # a space after a hyphen in the text, wrapped there: the space Writer kept says so
    assert "DIRECCIÓN NACIONAL DE ASESORÍA JURÍDICA- COORDINACIÓN DE ASESORÍA JURÍDICA" in names
    # a hyphen after a space, the line wrapped after the hyphen: no space is invented
    tail = "PLANIFICACIÓN -COORDINACIÓN DE PLANIFICACIÓN Y ORDENAMIENTO TERRITORIAL"
    assert any(n.endswith(tail) for n in names)
    targets = [t.text for t in report.targets()]
    # "Publicaciones( Remitidos" cannot break after "(": Writer cut the word at the border
    assert "3 Publicaciones( Remitidos y avisos especiales en prensa)" in targets
    assert not any("Remitido s" in t or t.startswith("Publicaciones(") for t in targets)
    # a row broken over pages 6 and 7 is one objective with one indicator
    objective = next(o for o in report.objectives() if o.text.startswith("Implementar el Programa"))
    assert objective.text.endswith(
        "de Bienestar social de los trabajadores servidores y funcionarios"
    )
    assert [i.text for i in objective.indicators] == [
        "elaboración e implementación del programa de bienestar social de los trabajadores "
        "y funcionarios"
    ]


#: (fixture, line, message after ``FILE:LINE: ``): PDFs read with no confidence.
UNCERTAIN_PDFS = [
    (
        "pdf-overflow.pdf",
        1006,
        "the word 'los' runs across the border between columns 3 and 4 of the table (text "
        "overflowing its cell?): which column it belongs to cannot be told; refused rather "
        "than guessed",
    ),
    (
        "pdf-split-row.pdf",
        2002,
        "the last row of page 1 wraps on in column(s) 2, 3, but this row, the first under the "
        "header of page 2, fills column(s) 4, 5: whether it continues that row or starts a new "
        "one cannot be told; refused rather than guessed",
    ),
    (
        "pdf-columns.pdf",
        2001,
        "this row's table has a column border at 122 pt that the header row (page 1, row 2) "
        "does not have: its columns do not match the header's; refused rather than guessed",
    ),
]


@pytest.mark.parametrize(("name", "line", "message"), UNCERTAIN_PDFS)
def test_an_uncertain_pdf_is_refused_at_its_page_and_row(
    name: str, line: int, message: str
) -> None:
    """Made by LibreOffice (tests/data/make_pdf_fixtures.py): Calc text overflowing a ruled
    cell, a numberless row under page 2's header that the row above cannot take, a page
    whose table has other columns than the header's. Each is refused, not read."""
    result = CliRunner().invoke(cli, ["parse", str(BAD / name)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {name}:{line}: {message}\n"
