"""The SPARQL page in a real headless chromium: pick an example, run it, see result rows.

Run twice: with the YASQE editor from ``site/static/vendor/`` (installed by ``make``
from npm) and with a copy of the site without vendor files, where the page must fall
back to its plain textarea and still work.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect
from sparql_data import close_app, live_server, make_app, make_store, sparql_settings

from publisher.settings import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.live]

SITE = PROJECT_ROOT / "site"


def _site(tmp: Path, with_vendor: bool) -> Path:
    if with_vendor:
        if not (SITE / "static" / "vendor" / "yasqe.min.js").is_file():
            pytest.skip("vendor files missing: run 'make site/static/vendor/yasqe.min.js'")
        return SITE
    copy = tmp / "site"
    shutil.copytree(SITE, copy, ignore=shutil.ignore_patterns("vendor"))
    return copy


@pytest.fixture(params=[True, False], ids=["yasqe", "plain-textarea"])
def page_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, bool]]:
    site = _site(tmp_path, request.param)
    store = make_store(tmp_path / "store", union=True)
    app = make_app(store, sparql_settings(tmp_path, site_dir=site))
    with live_server(app) as url:
        yield url, request.param
    close_app(app)


def test_run_an_example_and_see_rows(chromium, page_url: tuple[str, bool]) -> None:  # type: ignore[no-untyped-def]
    url, with_vendor = page_url
    page = chromium.new_context(locale="es-EC").new_page()  # the page speaks Spanish
    try:
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(url)
        editor = page.locator(".CodeMirror")
        if with_vendor:
            editor.wait_for(timeout=10_000)  # YASQE replaced the textarea
        else:
            assert editor.count() == 0
        page.select_option("#example", "04-percent-targets-over-90")
        page.click("#run")
        rows = page.locator("#results table tbody tr")
        rows.first.wait_for(timeout=15_000)
        assert rows.count() == 3  # 95, 95 and 97 %
        assert "97" in rows.first.inner_text()
        assert "3 filas" in page.inner_text("#status")
        header = page.locator("#results table thead th").all_inner_texts()
        assert header[:2] == ["institution_name", "unit_name"]
        assert errors == []
    finally:
        page.context.close()


def test_id_iris_link_to_their_pages(chromium, page_url: tuple[str, bool]) -> None:  # type: ignore[no-untyped-def]
    url, _ = page_url
    page = chromium.new_page()
    try:
        page.goto(url + "?example=05-objectives-about-water")
        link = page.locator("#results table tbody tr a").first
        link.wait_for(timeout=15_000)
        assert link.get_attribute("href", timeout=5_000).startswith("/id/institucion/")
    finally:
        page.close()


def test_results_read_plainly_and_link_safely(chromium, page_url: tuple[str, bool]) -> None:  # type: ignore[no-untyped-def]
    # Numbers without ^^xsd:integer (the type on hover); labels from ?xLabel; vocabulary
    # terms to /def/; a javascript:, data: or urn: IRI as text, never a link.
    url, _ = page_url
    query = (
        "SELECT ?t ?tLabel ?v ?class ?odd WHERE { ?t a ?class ; rdfs:label ?tLabel ; "
        "qudt:numericValue ?v . FILTER(?v = 97) "
        "VALUES ?odd { <javascript:alert(1)> <data:text/html,x> <urn:isbn:1> } }"
    )
    page = chromium.new_page()
    try:
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(url + "?" + urlencode({"query": query}))
        rows = page.locator("#results table tbody tr")
        rows.first.wait_for(timeout=15_000)
        assert rows.count() == 3
        first = rows.first.locator("td")
        assert first.nth(0).inner_text() == "97% de cobertura"  # the label, linked
        assert first.nth(0).locator("a").get_attribute("href").startswith("/id/institucion/")
        assert first.nth(2).inner_text() == "97"
        assert first.nth(2).get_attribute("title") == "xsd:integer"
        assert first.nth(3).locator("a").get_attribute("href") == "/def/Target"
        hrefs = page.locator("#results a").evaluate_all("links => links.map(a => a.href)")
        assert hrefs and all(h.startswith("http://127.0.0.1:") for h in hrefs), hrefs
        assert page.locator("#results td", has_text="javascript:alert(1)").count() == 1
        assert errors == []
    finally:
        page.close()


def test_the_gallery_loads_an_example(chromium, page_url: tuple[str, bool]) -> None:  # type: ignore[no-untyped-def]
    url, _ = page_url
    page = chromium.new_page()
    try:
        page.goto(url)
        page.click(".gallery summary")
        page.locator(".gallery a").nth(3).click()
        # The server renders the example's answer and the script runs it again; the
        # table must hold the three rows throughout, never flash empty in between.
        expect(page.locator("#results table tbody tr")).to_have_count(3, timeout=15_000)
        expect(page.locator("#status")).to_contain_text("3 ", timeout=15_000)
        assert "example=04-percent-targets-over-90" in page.url
        assert page.locator("#results table tbody tr").count() == 3
    finally:
        page.close()


def test_the_page_works_without_javascript(chromium, page_url: tuple[str, bool]) -> None:  # type: ignore[no-untyped-def]
    # The form posts the query; the server renders the answer as a table, with the same
    # link rule: our IRIs to /id/, a javascript: IRI as text.
    url, _ = page_url
    context = chromium.new_context(java_script_enabled=False, locale="es-EC")
    page = context.new_page()
    try:
        page.goto(url)
        page.fill(
            "#query",
            "SELECT DISTINCT ?i ?odd WHERE { ?i a lotaip:Institution "
            "VALUES ?odd { <javascript:alert(1)> } } ORDER BY ?i",
        )
        page.click("#run")
        rows = page.locator("#results table tbody tr")
        rows.first.wait_for(timeout=15_000)
        assert rows.count() == 2
        assert rows.first.locator("a").get_attribute("href") == "/id/institucion/gad-a"
        assert rows.first.locator("td").nth(1).inner_text() == "javascript:alert(1)"
        assert page.locator("#results a[href^='javascript']").count() == 0
        assert "2 filas" in page.inner_text("#status")
    finally:
        context.close()
