"""The numeral 1.3 trio: three CSV files read as one report, by parse and by build."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from publisher.cli import cli
from publisher.errors import ParseError
from publisher.parse import parse_file
from publisher.parse.trio import classify, find, input_digest, report_files
from publisher.records import Report
from publisher.settings import Settings

TRIOS = Path(__file__).resolve().parent / "data" / "trios"
REPORTS = Path(__file__).resolve().parent / "data" / "reports"
ALAUSI = TRIOS / "alausi-2025-01"
ALAUSI_DATA = ALAUSI / "1-4_metas-y-objetivos_unidades_ENERO(conjuntoDatos).csv"
ALAUSI_META = ALAUSI / "1-4_metas-y-objetivos_unidades_ENERO(metadatos).csv"
ALAUSI_DICT = ALAUSI / "1-4_metas-y-objetivos_unidades_ENERO(diccionario).csv"
SOT = TRIOS / "sot-2025-02"
INCOMPLETE = TRIOS / "incompleto-2025-03"
SOT_INIT = "Dirección de Gestión de Información Territorial - INIT"
LINK = "https://www.sot.gob.ec/transparencia/gpr/"


@pytest.mark.parametrize(
    ("name", "role", "key"),
    [
        ("1-4_metas-y-objetivos_unidades_ENERO(conjuntoDatos).csv", "data", "1 4 metas y"),
        ("1.3 Metas y objetivos - Enero (conjunto de datos).csv", "data", "1 3 metas y"),
        ("1_3_metas_y_objetivos_enero_CONJUNTO_DE_DATOS.csv", "data", "1 3 metas y"),
        ("1.3 Metas y objetivos - Enero (Metadatos).csv", "metadata", "1 3 metas y"),
        ("1-3-metas-y-objetivos-enero-metadatos.CSV", "metadata", "1 3 metas y"),
        ("1.3 Metas y objetivos - Enero (Diccionario).csv", "dictionary", "1 3 metas y"),
        ("1.3 metas y objetivos enero (diccionario de datos).csv", "dictionary", "1 3 metas y"),
    ],
)
def test_classify_reads_the_role_from_the_suffix_whatever_the_spelling(
    name: str, role: str, key: str
) -> None:
    member = classify(name)
    assert member is not None
    assert member.role == role
    assert member.key.startswith(key)
    assert member.key.endswith("enero")


@pytest.mark.parametrize(
    "name", ["sot-2023-01-slice.csv", "metadatos-de-enero.csv", "datos.csv", "alausi.txt"]
)
def test_classify_leaves_other_reports_alone(name: str) -> None:
    assert classify(name) is None


def counts(report: Report) -> tuple[int, int, int, int]:
    return (
        len(report.units),
        len(report.objectives()),
        len(report.indicators()),
        len(report.targets()),
    )


def test_municipality_trio_utf8_bom_comma_counts_and_values() -> None:
    report = parse_file(ALAUSI_DATA)
    assert counts(report) == (5, 5, 6, 6)
    assert report.institution.id == "gad-municipal-alausi"
    assert report.institution.inferred_from == "dictionary"
    assert report.source.file == ALAUSI_DATA.name
    meta = report.metadata
    assert meta.updated == date(2025, 1, 31)  # written 31/1/2025
    assert meta.periodicity == "MENSUAL"
    assert meta.email == "cesar.rojas@alausi.gob.ec"
    assert meta.phone is None  # INFORMACIÓN NO DISPONIBLE: absent, and said so
    assert any(w.message.startswith(f"{ALAUSI_META.name}:6: no phone") for w in report.warnings)
    units = {u.name: u for u in report.units}
    assert all(u.process_level is None for u in report.units)  # no banners in the template
    # the unit left blank on continuation rows: a second indicator, then a second objective
    alcaldia = units["ALCALDÍA"]
    assert [len(o.indicators) for o in alcaldia.objectives] == [2]
    assert alcaldia.objectives[0].indicators[1].targets[0].value == 1
    assert len(units["DIRECCIÓN DE OBRAS PÚBLICAS"].objectives) == 2
    # the objective written on two lines inside quotes is one objective
    planning = units["DIRECCIÓN DE PLANIFICACIÓN Y ORDENAMIENTO TERRITORIAL"].objectives[0]
    assert planning.text == (
        "Planificar de manera participativa el desarrollo y ordenamiento territorial "
        "cantonal acorde a las políticas institucionales"
    )
    # NO APLICA / INFORMACIÓN NO DISPONIBLE are reasons, never data
    registry = units["REGISTRO DE LA PROPIEDAD"]
    assert registry.objectives == ()
    assert registry.not_applicable_reason == "INFORMACIÓN NO DISPONIBLE"
    indicators = [i for o in report.objectives() for i in o.indicators]
    assert {i.planning_link for i in indicators} == {None}
    assert {i.planning_link_note for i in indicators} == {"NO APLICA", "INFORMACIÓN NO DISPONIBLE"}
    assert not any("shift" in w.message or "moved" in w.message for w in report.warnings)


def test_agency_trio_cp1252_semicolon_read_from_its_folder() -> None:
    report = parse_file(SOT)
    assert counts(report) == (3, 3, 4, 4)
    assert report.institution.id == "sot"
    assert report.institution.inferred_from == "dictionary"
    assert report.metadata.updated == date(2025, 2, 28)
    assert report.metadata.responsible_person is None  # INFORMACIÓN NO DISPONIBLE
    assert report.metadata.responsible_unit == "Dirección de Planificación y Gestión Estratégica"
    units = {u.name: u for u in report.units}
    chief = units["SUPERINTENDENTE DE ORDENAMIENTO TERRITORIAL, USO Y GESTIÓN DEL SUELO"]
    assert chief.objectives == ()
    assert chief.not_applicable_reason == "en razón de que se refiere a la Máxima Autoridad."
    # the unit repeated on its continuation row continues it
    init = units[SOT_INIT]
    assert [len(o.indicators) for o in init.objectives] == [2]
    assert [t.value for i in init.objectives[0].indicators for t in i.targets] == [70, 90]
    assert {i.planning_link for i in report.indicators()} == {LINK}


def test_institution_option_wins_over_the_dictionary() -> None:
    report = parse_file(SOT, institution="sot")
    assert report.institution.inferred_from == "option"


def test_an_institution_the_registry_lacks_is_an_error_at_the_dictionary_line(
    tmp_path: Path,
) -> None:
    trio = _copy(ALAUSI, tmp_path)
    dictionary = trio / ALAUSI_DICT.name
    text = dictionary.read_text(encoding="utf-8-sig")
    dictionary.write_text(text.replace("Alausí", "Chunchi"), encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        parse_file(trio / ALAUSI_DATA.name)
    assert caught.value.file == ALAUSI_DICT.name
    assert caught.value.line == 1
    assert "Cantón Chunchi" in caught.value.message
    assert "not in the registry" in caught.value.message


def test_a_missing_sibling_is_named() -> None:
    with pytest.raises(ParseError) as caught:
        parse_file(INCOMPLETE)
    expected = "LOTAIP_1_3_metas_y_objetivos_marzo_2025(metadatos).csv"
    assert expected in caught.value.message
    assert "missing" in caught.value.message


def test_a_sibling_given_alone_points_at_its_data_file() -> None:
    with pytest.raises(ParseError, match=re.escape(f"give its data file {ALAUSI_DATA.name!r}")):
        parse_file(ALAUSI_META)


def test_the_data_file_renamed_is_refused_not_misread(tmp_path: Path) -> None:
    """Read alone, the data file used to exit 0 with every row shifted: now it is refused."""
    alone = tmp_path / "metas-enero.csv"
    shutil.copy(ALAUSI_DATA, alone)
    with pytest.raises(ParseError) as caught:
        parse_file(alone, institution="gad-municipal-alausi")
    assert caught.value.line == 1
    assert "numeral 1.3" in caught.value.message


def test_the_folder_lists_one_report_per_trio_and_a_change_to_any_file_changes_its_digest(
    tmp_path: Path,
) -> None:
    trio = _copy(ALAUSI, tmp_path)
    shutil.copy(REPORTS / "sot-2023-01-slice.csv", trio)
    files = sorted(trio.iterdir())
    assert [f.name for f in report_files(files)] == [ALAUSI_DATA.name, "sot-2023-01-slice.csv"]
    before = input_digest(trio / ALAUSI_DATA.name)
    meta = trio / ALAUSI_META.name
    meta.write_bytes(meta.read_bytes().replace(b"MENSUAL", b"Mensual"))
    assert input_digest(trio / ALAUSI_DATA.name) != before
    assert find(trio / ALAUSI_DATA.name).metadata == meta


def test_cli_parses_the_data_file_and_the_folder_alike() -> None:
    runner = CliRunner()
    by_file = runner.invoke(cli, ["parse", str(ALAUSI_DATA)])
    by_folder = runner.invoke(cli, ["parse", str(ALAUSI)])
    assert by_file.exit_code == 0, by_file.output
    assert by_folder.exit_code == 0, by_folder.output
    assert by_file.output == by_folder.output
    parsed = json.loads(by_file.output)
    assert parsed["institution"]["id"] == "gad-municipal-alausi"
    assert parsed["units"][0]["process_level"] is None


def test_cli_missing_sibling_exits_1_naming_the_file() -> None:
    result = CliRunner().invoke(cli, ["parse", str(INCOMPLETE)])
    assert result.exit_code == 1
    assert "(metadatos).csv' in" in result.output
    assert result.output.startswith("Error: LOTAIP_1_3_metas_y_objetivos_marzo_2025(conjuntoDatos)")


def test_build_publishes_trios_among_other_reports(tmp_path: Path, settings: Settings) -> None:
    """A folder with two trios and an a4 report: three valid reports, pages render."""
    from publisher.build.pipeline import build
    from publisher.store.embedded import open_store
    from publisher.web import create_app

    folder = tmp_path / "2025"
    _copy(ALAUSI, folder)
    _copy(SOT, folder)
    shutil.copy(REPORTS / "sot-2023-01-slice.csv", folder)
    result = build([folder], settings, quiet=True)
    assert len(result.reports) == 3  # SHACL violations would have failed the build
    store = open_store(settings)
    base = settings.base_uri
    alausi = URIRef(f"{base}id/reporte/gad-municipal-alausi/2025-01")
    units = "GRAPH ?r { ?u a <http://www.w3.org/ns/org#OrganizationalUnit> }"
    assert store.ask(f"ASK {{ {units} }}", {"r": alausi})
    level = (  # org:classification also gives a unit's functions: only levels count here
        "?u <http://www.w3.org/ns/org#classification> ?level "
        'FILTER(STRSTARTS(STR(?level), "https://w3id.org/lotaip/def/nivel/"))'
    )
    assert not store.ask(f"ASK {{ {units} GRAPH ?g {{ {level} }} }}", {"r": alausi})
    links = store.select(
        "SELECT DISTINCT ?link WHERE { GRAPH ?g { ?i "
        "<https://w3id.org/lotaip/def/planningSystemLink> ?link ; "
        "<http://www.w3.org/2000/01/rdf-schema#seeAlso> ?link } }"
    )
    assert [str(row["link"]) for row in links] == [LINK]
    client = create_app(settings).test_client()
    page = client.get("/doc/reporte/gad-municipal-alausi/2025-01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ALAUSI_DATA.name in html
    assert "REGISTRO DE LA PROPIEDAD" in html
    institution = client.get("/doc/institucion/sot")
    assert institution.status_code == 200
    assert SOT_INIT in institution.get_data(as_text=True)


def test_build_names_the_missing_file_and_publishes_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    runner = CliRunner()
    out = tmp_path / "data"
    args = ["build", str(INCOMPLETE), str(ALAUSI), "--out", str(out), "--quiet"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "LOTAIP_1_3_metas_y_objetivos_marzo_2025(metadatos).csv" in result.output
    assert not (out / "current").exists()


def _copy(trio: Path, into: Path) -> Path:
    """The files of ``trio`` copied into the folder ``into`` (made if needed)."""
    into.mkdir(parents=True, exist_ok=True)
    for file in trio.iterdir():
        shutil.copy(file, into)
    return into
