"""Pages for people: home, browse and search, institution page, downloads, VoID, sitemap."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import VOID

from publisher.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
INSTITUTION_PAGE = "/doc/institucion/demo"
LEVEL = "https://w3id.org/lotaip/def/nivel/support"
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")


def text(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.data[:500]
    return response.data.decode()


def test_home_shows_counts_institutions_and_latest_reports(site_client: FlaskClient) -> None:
    page = text(site_client, "/")
    assert "<strong>2</strong> metas" not in page  # three targets in the sample
    assert "<strong>3</strong> metas" in page
    assert "<strong>1</strong> instituciones" in page
    assert '<a href="/doc/institucion/demo">Institución de Prueba</a>' in page
    assert 'href="/doc/reporte/demo/2023-01"' in page
    assert 'href="/sparql"' in page and 'href="/downloads"' in page


def test_home_carries_schema_org_dataset_markup_escaped(site_client: FlaskClient) -> None:
    page = text(site_client, "/")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["@type"] == "Dataset"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "</" not in block.group(1)  # nothing in the data can close the script element


def test_site_labels_switch_to_english(site_client: FlaskClient) -> None:
    spanish = text(site_client, "/")
    assert "Instituciones" in spanish and 'href="/?lang=en"' in spanish
    english = text(site_client, "/?lang=en")
    assert '<html lang="en">' in english and "Institutions" in english
    # the choice is remembered for the next page, and Accept-Language works alone
    assert '<html lang="en">' in text(site_client, "/browse")
    fresh = site_client.application.test_client()
    assert '<html lang="en">' in text(fresh, "/", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="es">' in text(fresh, "/", **{"Accept-Language": "es-EC"})


def test_institution_page_lists_units_by_level_with_objectives_targets_and_chart(
    site_client: FlaskClient,
) -> None:
    page = text(site_client, INSTITUTION_PAGE)
    assert ("Procesos habilitantes de apoyo", "Dirección Financiera") in unit_rows(page)
    assert "Porcentaje de cobertura" in page  # indicator
    assert "45 Reuniones" in page and "Informe anual publicado" in page  # targets
    chart = re.search(r'<svg class="chart".*?</svg>', page, re.S)
    assert chart is not None
    # a histogram: every percentage target counted once, "45 Reuniones" (a count) not
    counts = [int(n) for n in re.findall(r'<text class="count"[^>]*>(\d+)</text>', chart.group(0))]
    total = re.search(r'class="chart-total">(\d+)<', page)
    assert total is not None and sum(counts) == int(total.group(1)) > 0
    assert "45 Reuniones" not in chart.group(0)
    assert "Valor de la meta (%)" in chart.group(0)  # labelled axes


def test_institution_page_starts_with_a_summary(site_client: FlaskClient) -> None:
    """Counts before the tree, and the same counts the tree holds."""
    page = text(site_client, INSTITUTION_PAGE)
    summary = re.search(r'<ul class="counts institution-summary">.*?</ul>', page, re.S)
    assert summary is not None and summary.start() < page.index('<table class="units')
    counts = dict(re.findall(r'class="count-(\w+)">(\d+)<', summary.group(0)))
    assert int(counts["units"]) == page.count('<tr class="unit">')
    assert int(counts["objectives"]) >= int(counts["units"]) > 0
    assert int(counts["targets"]) > 0


def test_browse_filters_by_text_level_institution_and_range(site_client: FlaskClient) -> None:
    assert "45 Reuniones" in text(site_client, "/browse?q=AGUA")
    assert 'result-count">0' in text(site_client, "/browse?q=electricidad")
    ranged = text(site_client, "/browse?min=50&max=100")
    assert "90% de cobertura" in ranged and "45 Reuniones" not in ranged
    by_level = text(site_client, f"/browse?level={LEVEL}&max=50")
    assert "45 Reuniones" in by_level and "90% de cobertura" not in by_level
    inst = "http://localhost:8000/id/institucion/demo"
    assert "Informe anual publicado" in text(site_client, f"/browse?institution={inst}")


def test_browse_rejects_bad_values_and_unknown_choices(site_client: FlaskClient) -> None:
    assert site_client.get("/browse?min=mucho").status_code == 400
    assert site_client.get("/browse?institution=http://example.org/x").status_code == 400


def test_browse_escapes_the_search_text(site_client: FlaskClient) -> None:
    page = text(site_client, '/browse?q="><script>x</script>')
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def publish(settings: Settings) -> Path:
    """A minimal published version on disk: a dump and a void.ttl."""
    current = settings.data_dir / "current"
    (current / "dumps").mkdir(parents=True)
    with gzip.open(current / "dumps" / "lotaip.nq.gz", "wb") as out:
        out.write(b"<http://a> <http://b> <http://c> <http://g> .\n")
    (current / "void.ttl").write_text(
        "@prefix void: <http://rdfs.org/ns/void#> .\n"
        "<http://localhost:8000/> a void:Dataset ; void:triples 1 .\n",
        encoding="utf-8",
    )
    return current


def test_downloads_lists_and_serves_the_dumps(site_app: Flask) -> None:
    client = site_app.test_client()
    assert "Todavía no hay volcados" in text(client, "/downloads")
    publish(site_app.extensions["publisher.settings"])
    page = text(client, "/downloads")
    assert 'href="/dumps/lotaip.nq.gz"' in page
    with client.get("/dumps/lotaip.nq.gz") as dump:  # closes the file it streams
        assert dump.status_code == 200
        assert dump.mimetype == "application/gzip"
        assert gzip.decompress(dump.data).startswith(b"<http://a>")
    assert client.get("/dumps/../void.ttl").status_code == 404
    assert client.get("/dumps/missing.nq.gz").status_code == 404


def test_well_known_void_by_negotiation(site_app: Flask) -> None:
    client = site_app.test_client()
    assert client.get("/.well-known/void", headers={"Accept": "text/turtle"}).status_code == 404
    publish(site_app.extensions["publisher.settings"])
    turtle = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert graph.value(URIRef("http://localhost:8000/"), VOID.triples).toPython() == 1
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.data, format="json-ld")) == len(graph)
    assert client.get("/.well-known/void", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_sitemap_lists_home_and_entity_pages(site_client: FlaskClient) -> None:
    response = site_client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in ElementTree.fromstring(response.data).findall(".//s:loc", ns)]
    assert "http://localhost/" in locations
    assert "http://localhost/doc/institucion/demo" in locations
    assert all(loc and loc.startswith("http://localhost/") for loc in locations)


# --- the same pages over the five real reports, built once per session ----------------

LOJA = "/doc/institucion/gad-municipal-loja"


def sections(page: str) -> dict[str, list[str]]:
    """Process levels of an institution page's unit table, each with its unit names (in
    the table's order)."""
    found: dict[str, list[str]] = {}
    for level, name in unit_rows(page):
        found.setdefault(level, []).append(name)
    return found


def unit_rows(page: str) -> list[tuple[str, str]]:
    """(process level, unit name) of each row of the unit table, in order."""
    return re.findall(
        r'<tr class="unit">\s*<td class="level">(.*?)</td>.*?<summary><a [^>]*>(.*?)</a>',
        page,
        re.S,
    )


def unit_counts(page: str, column: str) -> list[int]:
    return [int(n) for n in re.findall(rf'<td class="num {column}">(\d+)</td>', page)]


def test_every_kind_of_sitemap_location_answers(built_app: Flask) -> None:
    # the sitemap lists every IRI subject; the first few of each kind of path (a page, an
    # institution's unit, a territory, a corpus graph such as /doc/referencia) must answer
    client = built_app.test_client()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = ElementTree.fromstring(client.get("/sitemap.xml").data)
    kinds: dict[tuple[tuple[str, ...], int], list[str]] = {}
    for loc in sitemap.findall(".//s:loc", ns):
        path = urlsplit(loc.text or "").path
        segments = path.strip("/").split("/")
        kinds.setdefault((tuple(segments[:2]), len(segments)), []).append(path)
    assert len(kinds) >= 10
    failed = {
        path: status
        for paths in kinds.values()
        for path in paths[:3]
        if (status := client.get(path).status_code) != 200
    }
    assert failed == {}


def test_loja_page_lists_units_by_process_level_in_organic_order(built_app: Flask) -> None:
    page = text(built_app.test_client(), LOJA)
    levels = sections(page)
    assert list(levels)[:2] == [
        "Procesos gobernantes / nivel directivo",
        "Procesos agregadores de valor / nivel operativo",
    ]
    assert "Alcaldía" in levels["Procesos gobernantes / nivel directivo"]
    assert "Distrito Norte" in levels["Procesos desconcentrados"]
    assert sum(len(units) for units in levels.values()) >= 30
    assert '<svg class="chart"' in page and page.count('<rect class="bar"') > 5
    # the summary: Loja's 38 units and 137 objectives (counted by hand in test_quality)
    counts = dict(re.findall(r'class="count-(\w+)">(\d+)<', page))
    assert (counts["units"], counts["objectives"], counts["reports"]) == ("38", "137", "1")


def test_loja_units_sort_by_any_column_server_side(built_app: Flask) -> None:
    client = built_app.test_client()
    default = text(client, LOJA)
    targets = unit_counts(text(client, LOJA + "?sort=targets"), "targets")
    assert len(targets) == 38 and targets == sorted(targets) and targets[0] < targets[-1]
    most = unit_counts(text(client, LOJA + "?sort=-targets"), "targets")
    assert most == sorted(targets, reverse=True)
    by_name = [name for _, name in unit_rows(text(client, LOJA + "?sort=name"))]
    assert by_name == sorted(by_name, key=str.casefold) != [n for _, n in unit_rows(default)]
    objectives = unit_counts(text(client, LOJA + "?sort=-objectives"), "objectives")
    assert objectives == sorted(objectives, reverse=True) and sum(objectives) == 137
    # the header says what the order is, and links to the reverse
    page = text(client, LOJA + "?sort=targets&lang=en")
    assert re.search(r'<th[^>]*data-column="targets" aria-sort="ascending"', page)
    assert 'href="?sort=-targets&amp;lang=en#units"' in page
    # each unit opens to its objectives and targets
    row = re.search(r'<tr class="unit">.*?</tr>', default, re.S)
    assert row and "<details>" in row.group(0) and "/objetivo/" in row.group(0)


def test_an_unknown_sort_is_refused_on_the_institution_page_only(built_app: Flask) -> None:
    client = built_app.test_client()
    refused = client.get(LOJA + "?sort=budget")
    assert refused.status_code == 400 and "sort must be one of" in refused.text
    assert client.get("/?sort=budget").status_code == 200
    assert client.get("/browse?sort=budget").status_code == 200
    unit = re.search(r'<summary><a href="([^"#?]+)"', text(client, LOJA))
    assert unit and client.get(unit.group(1) + "?sort=budget").status_code == 200


def test_home_over_real_data_links_every_institution(built_app: Flask) -> None:
    client = built_app.test_client()
    page = text(client, "/")
    links = re.findall(r'<li><a href="(/doc/institucion/[^"]+)">', page)
    assert len(links) == 5
    for link in links:
        assert client.get(link).status_code == 200
    assert "<strong>5</strong> informes" in page


def test_browse_over_real_data_finds_objectives_about_water(built_app: Flask) -> None:
    page = text(built_app.test_client(), "/browse?q=agua")
    assert 'result-count">0 ' not in page
    rows = re.findall(r"<tr>\s*<td><a href=\"/doc/institucion/", page)
    assert rows
    assert "agua" in page.lower()


def test_real_ontology_is_documented_at_def(built_app: Flask) -> None:
    client = built_app.test_client()
    index = text(client, "/def/")
    assert 'href="/def/Target"' in index and 'href="/def/hasTarget"' in index
    assert "<h1>Target</h1>" in text(client, "/def/Target?lang=en")
    level = text(client, "/def/nivel/governing?lang=en")
    assert "Governing processes" in level


def test_real_dumps_and_void_are_served(built_app: Flask) -> None:
    client = built_app.test_client()
    page = text(client, "/downloads")
    dumps = re.findall(r'href="(/dumps/[^"]+)"', page)
    assert dumps
    for href in dumps:
        with client.get(href) as response:
            assert response.status_code == 200 and response.data
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=void.data, format="turtle")
    assert any(graph.triples((None, VOID.triples, None)))


@pytest.mark.parametrize(
    "path", ["/", "/browse?q=agua", INSTITUTION_PAGE, "/def/", "/downloads", "/nada"]
)
def test_pages_work_under_a_strict_content_security_policy(
    site_client: FlaskClient, path: str
) -> None:
    response = site_client.get(path, headers={"Accept": "text/html"})
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = response.data.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('type="application/ld+json"' in attributes for attributes in scripts)
    assert not re.search(r"\sstyle=|\son[a-z]+=", page)  # no inline styles or handlers


def test_report_page_summarises_its_units_in_organic_order(built_app: Flask) -> None:
    page = text(built_app.test_client(), "/doc/reporte/gad-municipal-loja/2019-08")
    assert "loja-2019-08.txt" in page
    rows = re.findall(r"<tr><td><a [^>]*>(.*?)</a></td>\s*<td>(.*?)</td>", page)
    assert len(rows) >= 30
    assert rows[0] == ("Alcaldía", "Procesos gobernantes / nivel directivo")
    levels = [level for _, level in rows]
    assert levels.index("Procesos desconcentrados") > levels.index(
        "Procesos agregadores de valor / nivel operativo"
    )


def test_markup_in_a_real_report_cell_is_shown_as_text(tmp_path: Path, settings: Settings) -> None:
    """A report whose cell holds escaped markup, built for real: pages show it as text."""
    from publisher.build.pipeline import build
    from publisher.web import create_app

    source = (ROOT / "examples" / "reports" / "sot-2023-01.txt").read_text(encoding="utf-8")
    cell = "Crear espacios de intercambio"
    hostile = "Crear espacios &lt;script&gt;alert(1)&lt;/script&gt; de intercambio"
    report = tmp_path / "sot-2023-01.txt"
    report.write_text(source.replace(cell, hostile, 1), encoding="utf-8")
    build([report], settings, quiet=True)
    client = create_app(settings).test_client()
    results = text(client, "/browse?q=alert(1)")
    objective = re.search(r'href="(/doc/[^"]*/objetivo/[^"]*)"', results)
    assert objective is not None
    for path in (objective.group(1), "/browse?q=alert(1)", "/doc/institucion/sot"):
        page = text(client, path)
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_home_offers_the_example_queries_and_they_open_in_the_endpoint(
    built_app: Flask,
) -> None:
    client = built_app.test_client()
    page = text(client, "/")
    links = re.findall(r'href="(/sparql\?example=[^"]+)"', page)
    assert len(links) >= 5
    assert "# title:" in page  # the query text is shown, escaped in a <pre>
    assert client.get(links[0], headers={"Accept": "text/html"}).status_code == 200


def test_home_page_is_made_once_per_published_version(built_app: Flask) -> None:
    from publisher.web.cache import EXTENSION

    client = built_app.test_client()
    first = client.get("/?lang=es")
    version = built_app.extensions["publisher.store.embedded"].version
    key = (version, "/", "html", "es", "http://localhost/")
    assert built_app.extensions[EXTENSION].get(key) == first.data
    assert client.get("/?lang=es").data == first.data


def test_institution_page_follows_its_latest_report(tmp_path: Path, settings: Settings) -> None:
    """Two months of SOT built for real: the page shows February's objectives only."""
    from publisher.build.pipeline import build
    from publisher.web import create_app

    january = (ROOT / "examples" / "reports" / "sot-2023-01.txt").read_text(encoding="utf-8")
    february = january.replace("31/01/2023", "28/02/2023").replace(
        "Crear espacios de intercambio", "Fomentar espacios de intercambio", 1
    )
    (tmp_path / "sot-2023-01.txt").write_text(january, encoding="utf-8")
    (tmp_path / "sot-2023-02.txt").write_text(february, encoding="utf-8")
    build([tmp_path / "sot-2023-01.txt", tmp_path / "sot-2023-02.txt"], settings, quiet=True)
    page = text(create_app(settings).test_client(), "/doc/institucion/sot")
    assert "Fomentar espacios de intercambio" in page
    assert "Crear espacios de intercambio" not in page
    assert 'href="/doc/reporte/sot/2023-02">2023-02-28</a>' in page  # "according to"
    assert 'href="/doc/reporte/sot/2023-01"' in page  # still listed among its reports
