"""Which institution published a report: option > manifest > header > e-mail domain > text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from publisher.errors import ParseError
from publisher.parse import parse_file
from publisher.parse.institution import resolve
from publisher.records import Metadata

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"


@pytest.mark.parametrize(
    ("name", "id", "rule"),
    [
        ("sot-2023-01.txt", "sot", "email-domain"),
        ("congope-2022-02.txt", "congope", "email-domain"),  # address inside mailto:
        ("loja-2019-08.txt", "gad-municipal-loja", "email-domain"),
        ("alausi-2021-05.txt", "gad-municipal-alausi", "email-domain"),
        ("ame-2015-09.txt", "ame", "header"),  # "ASOCIACIÓN DE MUNICIPALIDADES ECUATORIANAS"
    ],
)
def test_each_example_is_identified(name: str, id: str, rule: str) -> None:
    institution = parse_file(EXAMPLES / name).institution
    assert (institution.id, institution.inferred_from) == (id, rule)


def test_the_option_wins_over_everything() -> None:
    institution = parse_file(EXAMPLES / "ame-2015-09.txt", institution="ame").institution
    assert institution.inferred_from == "option"
    assert institution.name == "Asociación de Municipalidades Ecuatorianas"
    assert institution.domain == "ame.gob.ec"


def test_an_unknown_option_is_a_clear_error() -> None:
    with pytest.raises(ParseError, match=r"sot-2023-01.txt: unknown institution id 'nope'"):
        parse_file(EXAMPLES / "sot-2023-01.txt", institution="nope")


@pytest.mark.parametrize("entry", [{"institution": "gad-municipal-loja"}, "gad-municipal-loja"])
def test_a_manifest_beside_the_file_wins_over_inference(
    tmp_path: Path, entry: dict[str, str] | str
) -> None:
    # The e-mail says alausi.gob.ec; the manifest says otherwise and is believed.
    report = tmp_path / "report.txt"
    shutil.copy(EXAMPLES / "alausi-2021-05.txt", report)
    (tmp_path / "manifest.json").write_text(json.dumps({"report.txt": entry}))
    institution = parse_file(report).institution
    assert (institution.id, institution.inferred_from) == ("gad-municipal-loja", "manifest")


def test_a_broken_manifest_is_named(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "alausi-2021-05.txt", tmp_path / "report.txt")
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ParseError, match=r"manifest.json: cannot read the manifest"):
        parse_file(tmp_path / "report.txt")


def test_names_in_the_text_decide_when_there_is_no_email(tmp_path: Path) -> None:
    # SOT's cells say "la SOT" and "Superintendencia de Ordenamiento Territorial" often.
    text = (EXAMPLES / "sot-2023-01.txt").read_text(encoding="utf-8")
    without_email = text.replace("samantha.almeida@sot.gob.ec", "")
    (tmp_path / "sot.txt").write_text(without_email, encoding="utf-8")
    institution = parse_file(tmp_path / "sot.txt").institution
    assert (institution.id, institution.inferred_from) == ("sot", "text")


def test_an_unidentified_report_asks_for_the_option() -> None:
    with pytest.raises(ParseError, match=r"x.txt: cannot tell which .* pass --institution ID"):
        resolve("x.txt", None, ("Reporte",), Metadata(), ("Dirección Financiera",))


def test_a_header_line_naming_the_institution() -> None:
    titles = ("GAD MUNICIPAL DE LOJA", "Art. 7 de la Ley Orgánica de Transparencia")
    institution = resolve("x.txt", None, titles, Metadata(email="a@ame.gob.ec"), ())
    assert (institution.id, institution.inferred_from) == ("gad-municipal-loja", "header")
