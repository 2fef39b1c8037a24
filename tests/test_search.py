"""Search and facets (issue 15): one search blind to accents and case over the names and
texts, results grouped by kind with the words marked, facets with counts that combine,
each state a URL, and the rows of any state as CSV."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask

from publisher.downloads import search
from publisher.settings import Settings

LOJA = "http://localhost:8000/id/institucion/gad-municipal-loja"


def _count(page: str) -> int:
    found = re.search(r'result-count">(\d+) ', page)
    assert found, "no result count on the page"
    return int(found.group(1))


def test_the_build_writes_the_index_beside_the_dumps(built_settings: Settings) -> None:
    assert (built_settings.data_dir / "current" / search.INDEX).is_file()


def test_search_is_blind_to_accents_and_case(built_app: Flask) -> None:
    client = built_app.test_client()
    counts = {
        q: _count(client.get("/browse", query_string={"q": q}).text)
        for q in ("educacion", "Educación", "GESTION", "gestión")
    }
    assert counts["educacion"] == counts["Educación"] > 0
    assert counts["GESTION"] == counts["gestión"] > 10


def test_results_are_grouped_by_kind_with_the_words_marked(built_app: Flask) -> None:
    page = built_app.test_client().get("/browse?q=gestion&lang=en").text
    kinds = re.findall(r'<section class="hits" data-kind="(\w+)">', page)
    assert kinds[:2] == ["institution", "unit"] and "objective" in kinds
    assert "<mark>Gestión</mark>" in page or "<mark>gestión</mark>" in page


def test_facets_count_combine_and_live_in_the_url(built_app: Flask) -> None:
    client = built_app.test_client()
    everything = client.get("/browse?q=gestion").text
    facet = re.search(
        r'href="(/browse\?[^"]*institution=[^"]*gad-municipal-loja[^"]*)"', everything
    )
    assert facet, "no institution facet link for Loja"
    url = facet.group(1).replace("&amp;", "&")
    narrowed = client.get(url).text
    shown = re.search(r'gad-municipal-loja[^"]*">[^<]*</a> <span class="count">(\d+)', everything)
    assert shown and _count(narrowed) == int(shown.group(1)) < _count(everything)
    level = re.search(
        r'href="(/browse\?[^"]*level=[^"]*)">[^<]*</a> <span class="count">(\d+)', narrowed
    )
    assert level, "no process level facet in the narrowed page"
    both = client.get(level.group(1).replace("&amp;", "&")).text
    assert "institution=" in level.group(1) and "q=gestion" in level.group(1)
    assert _count(both) == int(level.group(2)) <= _count(narrowed)


def test_territory_function_measure_and_year_facets(built_app: Flask) -> None:
    page = built_app.test_client().get("/browse?q=agua&lang=en").text
    for name in ("institution", "level", "function", "province", "canton", "measure", "year"):
        assert f'data-facet="{name}"' in built_app.test_client().get("/browse").text, name
    assert "Loja" in page
    by_province = built_app.test_client().get(
        "/browse", query_string={"province": "http://localhost:8000/id/territorio/11"}
    )
    rows = re.findall(r"<tr>\s*<td><a href=\"(/doc/institucion/[^\"/]+)\"", by_province.text)
    assert rows and set(rows) == {"/doc/institucion/gad-municipal-loja"}


def test_the_rows_of_a_search_download_as_csv(built_app: Flask) -> None:
    client = built_app.test_client()
    query = {"q": "gestion", "institution": LOJA}
    page = client.get("/browse", query_string=query).text
    response = client.get("/browse.csv", query_string={**query, "bom": "0"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert len(rows) == _count(page)
    assert {r["institution_uri"] for r in rows} == {LOJA}
    for row in rows:
        text = " ".join((row["objective"], row["indicator"], row["target"])).lower()
        assert "gestion" in text.replace("ó", "o")
    # the corpus columns too (issue 15 item 7): Loja's id and canton, its units' functions
    assert list(rows[0])[-3:] == ["institution_id", "territory_dpa_code", "unit_function"]
    assert {(r["institution_id"], r["territory_dpa_code"]) for r in rows} == {
        ("gad-municipal-loja", "1101")
    }
    assert any(r["unit_function"] for r in rows)


def test_the_rows_of_a_function_facet_name_that_function(built_app: Flask) -> None:
    client = built_app.test_client()
    from publisher.enrichment.registry import FUNCION

    function = str(FUNCION["comunicacion"])
    response = client.get("/browse.csv", query_string={"function": function, "bom": "0"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert rows and all("Comunicación" in r["unit_function"].split(" | ") for r in rows)


def test_unknown_facet_values_are_refused(built_app: Flask) -> None:
    client = built_app.test_client()
    assert client.get("/browse?institution=http://example.org/nadie").status_code == 400
    assert client.get("/browse.csv?year=dos-mil").status_code == 400


def test_every_page_has_a_search_box(built_app: Flask) -> None:
    client = built_app.test_client()
    for path in ("/", "/downloads", "/calidad", "/doc/institucion/gad-municipal-loja"):
        page = client.get(path).text
        assert '<form class="site-search" role="search"' in page, path


def test_typed_syntax_is_never_read_as_fts(built_app: Flask) -> None:
    for q in ('"', "NEAR(a b)", "a OR", "col:x", "*", "-x"):
        assert built_app.test_client().get("/browse", query_string={"q": q}).status_code == 200
