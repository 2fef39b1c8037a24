"""The SPARQL page in a real headless chromium: pick an example, run it, see result rows.

Run twice: with the YASQE editor and YASR results view from ``site/static/vendor/``
(installed by ``make`` from npm) and with a copy of the site without vendor files, where
the page must fall back to its plain textarea and its own table and still work. YASR's
table starts with a row-number column, so cell indexes shift by one there.
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


@pytest.fixture(params=[True, False], ids=["yasgui", "plain-textarea"])
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
        first = 1 if with_vendor else 0  # YASR's row numbers
        assert [h.strip() for h in header[first : first + 2]] == ["institution_name", "unit_name"]
        if with_vendor:  # YASR's words in the page's language
            expect(page.locator("#results .dt-info")).to_have_text("Filas 1 a 3 de 3")
            assert page.inner_text("#results .select_table") == "Tabla"
            assert (
                page.get_attribute("#results .tableFilter", "placeholder") == "Filtrar resultados"
            )
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
    url, with_vendor = page_url
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
        at = 1 if with_vendor else 0  # YASR's row numbers
        assert first.nth(at).inner_text() == "97% de cobertura"  # the label, linked
        assert first.nth(at).locator("a").get_attribute("href").startswith("/id/institucion/")
        assert first.nth(at + 2).inner_text() == "97"
        assert first.nth(at + 2).get_attribute("title") == "xsd:integer"
        assert first.nth(at + 3).locator("a").get_attribute("href") == "/def/Target"
        hrefs = page.locator("#results tbody a").evaluate_all("links => links.map(a => a.href)")
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


def test_a_truncated_answer_says_so(chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Over max_rows the endpoint cuts the answer (X-SPARQL-Truncated); the page says so in
    # its status line and marks the results, with YASR and with our own table.
    store = make_store(tmp_path / "store", union=True)
    for with_vendor in (True, False):
        site = _site(tmp_path / str(with_vendor), with_vendor)
        app = make_app(store, sparql_settings(tmp_path, site_dir=site, max_rows=4))
        try:
            with live_server(app) as url:
                page = chromium.new_context(locale="es-EC").new_page()
                page.goto(url)
                _run(page, "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 6 } }")
                expect(page.locator("#status")).to_contain_text(
                    "resultados cortados en 4 filas", timeout=15_000
                )
                expect(page.locator("#results table tbody tr")).to_have_count(4)
                assert "truncated" in (page.get_attribute("#results", "class") or "")
                page.context.close()
        finally:
            close_app(app)


def _run(page, query: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``query`` into the editor (YASQE or the textarea) and run it."""
    page.evaluate(
        """query => {
            const editor = document.querySelector('.CodeMirror');
            if (editor) { editor.CodeMirror.setValue(query); }
            else { document.getElementById('query').value = query; }
        }""",
        query,
    )
    page.click("#run")


@pytest.fixture
def yasgui_url(tmp_path: Path) -> Iterator[str]:
    """The page with the vendored YASQE and YASR."""
    store = make_store(tmp_path / "store", union=True)
    app = make_app(store, sparql_settings(tmp_path, site_dir=_site(tmp_path, True)))
    with live_server(app) as url:
        yield url
    close_app(app)


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Script errors and Content-Security-Policy refusals on ``page``, as they come."""
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return problems


def test_yasr_table_pages_and_sorts(chromium, yasgui_url: str) -> None:  # type: ignore[no-untyped-def]
    # 60 numbers in a shuffled order: 50 to a page, sorting by value is numeric (1, 2, …,
    # 60, not 1, 10, 11 …), and dragging a column edge writes only hashed styles.
    numbers = list(range(1, 61))
    shuffled = numbers[1::2] + numbers[0::2]
    query = "SELECT ?n WHERE { VALUES ?n { " + " ".join(map(str, shuffled)) + " } }"
    page = chromium.new_page()
    try:
        problems = _watch(page)
        page.goto(yasgui_url)
        page.locator(".CodeMirror").wait_for(timeout=10_000)
        _run(page, query)
        rows = page.locator("#results .yasr table tbody tr")
        expect(page.locator("#status")).to_contain_text("60 rows", timeout=15_000)
        expect(rows).to_have_count(50)
        expect(page.locator("#results .dt-info")).to_have_text("Rows 1 to 50 of 60")
        assert rows.first.locator("td").nth(1).inner_text() == "2"  # the answer's order
        header = page.locator("#results .yasr table thead th").nth(1)
        header.click()
        expect(rows.first.locator("td").nth(1)).to_have_text("1")
        assert rows.nth(9).locator("td").nth(1).inner_text() == "10"
        header.click()
        expect(rows.first.locator("td").nth(1)).to_have_text("60")
        page.locator("#results .dt-paging button", has_text=">").first.click()
        expect(rows).to_have_count(10)
        assert rows.last.locator("td").nth(1).inner_text() == "1"
        grip = page.locator("#results .grip-handle").nth(1)
        box = grip.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 3, box["y"] + 5)
        page.mouse.down()
        page.mouse.move(box["x"] + 60, box["y"] + 5)
        page.mouse.up()
        assert problems == []
    finally:
        page.close()


def test_yasr_shows_the_raw_response(chromium, yasgui_url: str) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page()
    try:
        problems = _watch(page)
        page.goto(yasgui_url + "?example=04-percent-targets-over-90")
        expect(page.locator("#results .yasr table tbody tr")).to_have_count(3, timeout=15_000)
        page.click("#results .yasr_btn.select_response")
        raw = page.locator("#results .CodeMirror")
        raw.wait_for(timeout=10_000)
        text = raw.inner_text()
        assert '"head"' in text and '"bindings"' in text
        assert "http://www.w3.org/2001/XMLSchema#integer" in text  # the response as sent
        expect(page.locator("#results .yasr table")).to_have_count(0)
        assert problems == []
    finally:
        page.close()
