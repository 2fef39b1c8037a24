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
