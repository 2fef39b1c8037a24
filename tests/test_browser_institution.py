"""The institution page's unit table in headless Chromium (issue 15 item 4): a compact
table sorted by the server when a header is clicked, each unit opening to its objectives
and targets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

LOJA = "/doc/institucion/gad-municipal-loja"


@pytest.fixture(scope="module")
def page(chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser page in Spanish."""
    context = chromium.new_context(locale="es-EC")
    yield context.new_page()
    context.close()


def _column(page, name: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(n) for n in page.locator(f"table.units td.{name}").all_inner_texts()]


def test_headers_sort_the_units_and_a_unit_opens(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server + LOJA)
    table = page.locator("table.units")
    assert table.is_visible() and page.locator("table.units tr.unit").count() == 38
    # the table is compact: every unit is closed, objectives hidden until opened
    first_objective = page.locator("table.units tr.unit").first.locator("ul.objectives a").first
    assert not first_objective.is_visible()

    table.get_by_role("link", name="Metas").click()
    page.wait_for_url("**?sort=targets#units")
    ascending = _column(page, "targets")
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    header = page.locator('table.units th[data-column="targets"]')
    assert header.get_attribute("aria-sort") == "ascending"

    table.get_by_role("link", name="Metas").click()  # again: the reverse
    page.wait_for_url("**?sort=-targets#units")
    assert _column(page, "targets") == sorted(ascending, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"

    table.get_by_role("link", name="Unidad", exact=True).click()
    page.wait_for_url("**?sort=name#units")
    names = page.locator("table.units summary a").all_inner_texts()
    assert names == sorted(names, key=str.casefold)

    # the unit with the most targets opens to its objectives and targets
    page.goto(live_server + LOJA + "?sort=-targets")
    row = page.locator("table.units tr.unit").first
    row.locator("summary").click(position={"x": 2, "y": 2})
    assert row.locator("ul.objectives > li > a").first.is_visible()
    shown = (
        row.locator("ul.targets a").count()
        + row.locator("ul.objectives > li > ul > li > a").count()
    )
    assert shown >= int(row.locator("td.targets").inner_text()) > 0
