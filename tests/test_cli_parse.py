"""``lotaip-lod parse FILE [--institution ID]``: JSON on stdout, one-line errors on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
BAD = Path(__file__).resolve().parent / "data" / "reports" / "bad"


def test_prints_the_report_as_json_with_the_issue_keys() -> None:
    result = CliRunner().invoke(cli, ["parse", str(EXAMPLES / "congope-2022-02.txt")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc["source"]) >= {"file", "sha256", "format"}
    assert doc["source"]["file"] == "congope-2022-02.txt"
    assert doc["source"]["format"] == "text"
    assert len(doc["source"]["sha256"]) == 64
    assert {k: doc["institution"][k] for k in ("id", "inferred_from")} == {
        "id": "congope",
        "inferred_from": "email-domain",
    }
    assert doc["metadata"]["updated"] == "2022-02-28"
    assert set(doc["metadata"]) >= {
        "updated",
        "periodicity",
        "responsible_unit",
        "responsible_person",
        "email",
        "phone",
        "gpr_link",
    }
    unit = doc["units"][15]
    assert {k: unit[k] for k in ("number", "name", "process_level")} == {
        "number": "16",
        "name": "Dirección Administrativa",
        "process_level": "value-adding",
    }
    target = unit["objectives"][0]["indicators"][0]["targets"][0]
    assert {k: target[k] for k in ("value", "unit", "label", "not_applicable", "due_date")} == {
        "value": 80,
        "unit": "percent",
        "label": "M1",
        "not_applicable": False,
        "due_date": None,
    }
    assert "note" in target and "text" in target
    assert "activity" in unit["objectives"][0]["indicators"][0]
    assert {"line", "message"} <= set(doc["warnings"][0])


def test_the_option_sets_the_institution() -> None:
    result = CliRunner().invoke(
        cli, ["parse", str(EXAMPLES / "sot-2023-01.txt"), "--institution", "sot"]
    )
    assert json.loads(result.stdout)["institution"]["inferred_from"] == "option"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (BAD / "empty.txt", "Error: empty.txt: the file is empty"),
        (BAD / "binary.txt", "Error: binary.txt: this is a binary file, not a text report"),
        (BAD / "no-columns.txt", "Error: no-columns.txt:1: no header row"),
        (BAD / "missing.txt", "Error: missing.txt: cannot read the file"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_1(path: Path, expected: str) -> None:
    result = CliRunner().invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(expected)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_an_unknown_institution_is_one_line() -> None:
    result = CliRunner().invoke(
        cli, ["parse", str(EXAMPLES / "sot-2023-01.txt"), "--institution", "nope"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: sot-2023-01.txt: unknown institution id 'nope'")


def test_a_file_over_max_report_bytes_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    report = EXAMPLES / "sot-2023-01.txt"
    size = report.stat().st_size
    monkeypatch.setenv("PUBLISHER_MAX_REPORT_BYTES", str(size - 1))
    result = CliRunner().invoke(cli, ["parse", str(report)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: sot-2023-01.txt: the file is {size:,} bytes, more than max_report_bytes "
        f"({size - 1:,}): refused unread (real reports are a few hundred kilobytes)\n"
    )
    monkeypatch.setenv("PUBLISHER_MAX_REPORT_BYTES", str(size))
    assert CliRunner().invoke(cli, ["parse", str(report)]).exit_code == 0
