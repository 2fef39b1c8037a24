"""A real headless browser (Debian's chromium driven by Playwright) walks the site down
from the home page to one target, reading what a person would read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser page in Spanish."""
    context = chromium.new_context(locale="es-EC")
    yield context.new_page()
    context.close()


def test_home_to_a_target_by_following_links(live_server: str, page, tmp_path: Path) -> None:
    page.goto(live_server)
    assert "Metas y objetivos LOTAIP" in page.title()
    assert page.get_by_role("heading", name="Instituciones").is_visible()

    loja = "Gobierno Autónomo Descentralizado Municipal de Loja"
    page.get_by_role("link", name=loja).first.click()
    page.wait_for_url("**/doc/institucion/gad-municipal-loja")
    assert page.get_by_role(
        "cell", name="Procesos gobernantes / nivel directivo"
    ).first.is_visible()
    assert page.locator("svg.chart rect.bar").count() > 5
    # the histogram counts every one of Loja's 122 percentage targets, inside its box
    counts = page.locator("svg.chart text.count").all_text_contents()
    assert sum(map(int, counts)) == 122
    assert page.locator(".chart-total").inner_text() == "122"
    box = page.locator("svg.chart").bounding_box()
    for item in page.locator("svg.chart text, svg.chart rect").all():
        inner = item.bounding_box()
        if inner is None:
            continue  # an empty bin's bar has no box
        assert (
            box["x"] - 1 <= inner["x"]
            and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1
        )
        assert (
            box["y"] - 1 <= inner["y"]
            and inner["y"] + inner["height"] <= box["y"] + box["height"] + 1
        )

    page.locator("table.units summary a", has_text="Dirección de Recursos Humanos").first.click()
    assert page.locator("h1").inner_text() == "Dirección de Recursos Humanos"

    page.locator("table.properties a[href*='/objetivo/']").first.click()
    assert page.locator(".kind").text_content().strip() == "Objetivo"

    page.locator("table.properties a[href*='/indicador/']").first.click()
    assert page.locator(".kind").text_content().strip() == "Indicador"

    page.locator("table.properties a[href*='/meta/']").first.click()
    assert page.locator(".kind").text_content().strip() == "Meta"
    body = page.locator("main").inner_text()
    assert "gad-municipal-loja" in page.url and "/meta/" in page.url
    assert "loja-2019-08.txt" in body  # the source file of the report it came from

    page.get_by_role("link", name="English").click()
    assert page.locator(".kind").text_content().strip() == "Target"
    page.screenshot(path=str(tmp_path / "target.png"), full_page=True)
    assert (tmp_path / "target.png").stat().st_size > 10_000
