"""The download, quality and change pages on the five built examples: every label in both
languages, parameters, formats, and the metric definitions served under /def/."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook

from publisher import downloads as tidy
from publisher.web import i18n

TEMPLATES = Path(__file__).resolve().parent.parent / "site" / "templates"
#: t('key'), and ('key', items) pairs that a template loops over and passes to t().
KEY = re.compile(r"""\bt\(\s*['"]([\w.]+)['"]\s*\)|[\[,]\s*\(\s*'([a-z]+\.[\w.]+)',""")


def test_every_label_on_every_page_exists_in_spanish_and_english() -> None:
    used = {
        key
        for path in TEMPLATES.glob("*.html")
        for pair in KEY.findall(path.read_text())
        for key in pair
        if key
    }
    assert {"quality.title", "changes.raised", "tidy.download_rows"} <= used
    missing = {k for k in used if set(i18n.LABELS.get(k, {})) != {"es", "en"}}
    assert not missing


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_level_filter_keeps_only_that_level(built_app: Flask) -> None:
    response = built_app.test_client().get("/descargas/metas.csv?nivel=governing")
    rows = _rows(response.data)
    assert rows
    assert {r["process_level"] for r in rows} == {"Procesos gobernantes / nivel directivo"}


def test_institution_by_iri_or_slug_gives_the_same_rows(built_app: Flask) -> None:
    client = built_app.test_client()
    by_slug = client.get("/descargas/metas.csv?institucion=congope").data
    iri = "http://localhost:8000/id/institucion/congope"
    assert client.get(f"/descargas/metas.csv?institucion={iri}").data == by_slug
    rows = _rows(by_slug)
    assert len([r for r in rows if r["target_uri"]]) == 46  # counted in test_quality
    assert len([r for r in rows if not r["target_uri"]]) == 1  # Asamblea's "No aplica"


def test_value_range_filter(built_app: Flask) -> None:
    rows = _rows(built_app.test_client().get("/descargas/metas.csv?min=95&max=99").data)
    assert rows and all(95 <= float(r["value"]) <= 99 for r in rows)


def test_report_filter_and_xlsx(built_app: Flask, tmp_path: Path) -> None:
    report = "http://localhost:8000/id/reporte/gad-municipal-alausi/2021-05"
    response = built_app.test_client().get(f"/descargas/metas.xlsx?informe={report}")
    assert response.headers["Content-Disposition"] == 'attachment; filename="metas.xlsx"'
    (tmp_path / "a.xlsx").write_bytes(response.data)
    sheet = load_workbook(tmp_path / "a.xlsx")["metas"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(tidy.NAMES)
    assert len(rows) == 1 + 13  # Alausí: 13 targets, no NO APLICA statement
    assert {r[tidy.NAMES.index("value")] for r in rows[1:]} == {80}


def test_csvw_endpoint_points_at_the_csv(built_app: Flask) -> None:
    response = built_app.test_client().get("/descargas/metas.csv-metadata.json")
    assert response.mimetype == "application/csvm+json"
    metadata = response.get_json(force=True)
    assert metadata["tables"] == [{"url": "http://localhost/descargas/metas.csv"}]
    assert len(metadata["tableSchema"]["columns"]) == len(tidy.COLUMNS)


def test_changes_page_with_one_report_says_so(built_app: Flask) -> None:
    client = built_app.test_client()
    page = client.get("/cambios?institucion=ame&lang=en").get_data(as_text=True)
    assert "one report only" in page
    assert client.get("/cambios?institucion=nadie").status_code == 400
    assert "Cambios entre informes" in client.get("/cambios?lang=es").get_data(as_text=True)


def test_metrics_are_documented_under_def(built_app: Flask) -> None:
    client = built_app.test_client()
    page = client.get("/def/calidad/metas-con-numero?lang=es").get_data(as_text=True)
    assert "Metas con número" in page
    assert "Metas con número" in client.get("/def/?lang=es").get_data(as_text=True)


def test_downloads_page_lists_the_tables(built_app: Flask) -> None:
    page = built_app.test_client().get("/downloads?lang=en").get_data(as_text=True)
    assert "Targets table (CSV, XLSX)" in page
    for name in ("metas.csv", "metas-utf8.csv", "metas.xlsx", "metas.csv-metadata.json"):
        assert f"/dumps/{name}" in page
    response = built_app.test_client().get("/dumps/metas.xlsx")
    assert response.mimetype == tidy.XLSX_MEDIA_TYPE
    response.close()


def test_institution_page_shows_its_pooled_scores(built_app: Flask) -> None:
    page = built_app.test_client().get("/doc/institucion/gad-municipal-loja?lang=es")
    text = page.get_data(as_text=True)
    assert "Calidad de sus informes (todos juntos)" in text
    assert "23 / 38" in text and "122 / 137" in text  # counted by hand in test_quality
