"""A real headless browser (Debian's chromium driven by Playwright) reads the quality page
in Spanish, switches to English, filters the browse page and downloads those rows as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser page in Spanish that accepts downloads."""
    context = chromium.new_context(locale="es-EC", accept_downloads=True)
    yield context.new_page()
    context.close()


def test_switch_language_and_download_filtered_rows(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server)
    page.get_by_role("link", name="Calidad").first.click()
    page.wait_for_url("**/calidad")
    assert page.locator("h1").inner_text() == "Calidad de los informes"
    assert page.get_by_role("heading", name="Cómo se mide").is_visible()
    first = page.locator("table.quality-ranking tbody tr").first.inner_text()
    assert "Superintendencia de Ordenamiento Territorial" in first
    # the chart: one bar per ranked institution, labelled with the table's score, in its box
    scores = page.locator("table.quality-ranking td.score").all_inner_texts()
    assert page.locator("svg.quality-chart text.count").all_text_contents() == scores
    assert page.locator("svg.quality-chart rect.bar").count() == len(
        [s for s in scores if s != "—"]
    )
    box = page.locator("svg.quality-chart").bounding_box()
    for item in page.locator("svg.quality-chart text, svg.quality-chart rect").all():
        inner = item.bounding_box()
        if inner is not None:
            assert (
                box["x"] - 1
                <= inner["x"]
                <= inner["x"] + inner["width"]
                <= box["x"] + box["width"] + 1
            )
            assert (
                box["y"] - 1
                <= inner["y"]
                <= inner["y"] + inner["height"]
                <= box["y"] + box["height"] + 1
            )

    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Report quality"
    assert page.get_by_role("heading", name="How it is measured").is_visible()

    page.get_by_role("link", name="Browse").first.click()  # English stays (cookie)
    page.select_option(
        "select[name=institution]",
        label="Superintendencia de Ordenamiento Territorial, Uso y Gestión del Suelo",
    )
    page.fill("input[name=q]", "capacit")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_text("Download these rows").is_visible()
    with page.expect_download() as info:
        page.locator("a.download-csv").click()
    download = info.value
    assert download.suggested_filename == "metas.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the spreadsheet flavour
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows
    assert {r["institution_uri"] for r in rows} == {"http://localhost:8000/id/institucion/sot"}
    for row in rows:
        text = " ".join((row["objective"], row["indicator"], row["target"])).lower()
        assert "capacit" in text
