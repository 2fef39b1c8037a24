"""Security headers, the /sparql rate limit, /health, request logs, odd URLs, escaping."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from publisher.settings import Settings, load, setting_help
from publisher.store.embedded import OxigraphStore, PublishedStore
from publisher.web import create_app
from publisher.web.ratelimit import RateLimiter
from publisher.web.requestlog import LOGGER
from publisher.web.security import HEADERS, YASR_STYLE_HASHES

ROOT = Path(__file__).resolve().parent.parent
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
UNIT = "http://localhost:8000/id/institucion/demo/unidad/direccion-financiera"
HOSTILE = "Dirección </script><script>alert('u')</script>\"><img src=x onerror=alert(1)> & co"
ASK = {"query": "ASK { ?s ?p ?o }"}


def _close(app: Flask) -> None:
    app.extensions["publisher.sparql"].close()


# --- security headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/", BROWSER),
        ("/doc/institucion/demo", BROWSER),
        ("/doc/institucion/demo", "text/turtle"),
        ("/nothing/here", "application/json"),
        ("/nothing/here", BROWSER),
        ("/static/site.css", "*/*"),
        ("/sparql", BROWSER),
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
        ("/health", "*/*"),
        ("/browse?q=agua", BROWSER),
    ],
)
def test_every_response_carries_the_security_headers(
    site_client: FlaskClient, path: str, accept: str
) -> None:
    response = site_client.get(path, headers={"Accept": accept})
    response.close()  # a static file is streamed from an open file
    assert response.status_code < 500
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name


def test_the_policy_forbids_inline_scripts_and_framing() -> None:
    directives = dict(
        d.strip().split(" ", 1) for d in HEADERS["Content-Security-Policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in HEADERS["Content-Security-Policy"]


def test_style_hashes_are_those_of_the_styles_yasr_writes() -> None:
    # YASR's column-resizer appends two <style> elements; the policy allows exactly those
    # texts by hash. Recomputed from the vendored file, so an upgrade that changes them
    # fails here instead of leaving readers with blocked styles.
    yasr = ROOT / "site" / "static" / "vendor" / "yasr.min.js"
    if not yasr.is_file():
        pytest.skip("vendor files missing: run 'make site/static/vendor/yasqe.min.js'")
    code = yasr.read_text(encoding="utf-8")
    grips = re.search(r"createStyle\(a,`( \.grip-resizable[^`]*)`\)", code)
    assert grips, "yasr.min.js no longer writes the grip stylesheet this test knows"
    assert "createStyle(document.querySelector(`head`),`*{cursor:`+n.opt.dragCursor+" in code
    assert "dragCursor:`col-resize`" in code
    texts = [grips.group(1), "*{cursor:col-resize!important}"]
    wanted = [
        "'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'"
        for t in texts
    ]
    assert list(YASR_STYLE_HASHES) == wanted
    directives = dict(
        d.strip().split(" ", 1) for d in HEADERS["Content-Security-Policy"].split(";")
    )
    assert directives["style-src"] == "'self' " + " ".join(wanted)


@pytest.mark.parametrize(
    "path",
    ["/", "/sparql", "/browse", "/downloads", "/def/", "/doc/institucion/demo", "/id/nadie"],
)
def test_pages_hold_no_inline_code_the_policy_would_block(
    site_client: FlaskClient, path: str
) -> None:
    page = site_client.get(path, headers={"Accept": BROWSER}).data.decode()
    for tag in re.findall(r"<script\b[^>]*>", page):
        # a script is a file, or a data block (JSON, JSON-LD) that browsers never run
        assert "src=" in tag or re.search(r'type="application/(ld\+)?json"', tag), tag
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert not re.search(r"<[^>]+\sstyle\s*=", page), "inline style attribute"
    assert "<style" not in page and "javascript:" not in page


# --- rate limit ----------------------------------------------------------------------


def test_bucket_allows_a_burst_then_one_per_interval() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == pytest.approx(0.5)
    assert limiter.take("b") == 0  # each client has its own bucket
    now[0] = 0.5
    assert limiter.take("a") == 0
    assert limiter.take("a") > 0


def test_bucket_table_is_bounded() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, max_clients=100)
    for n in range(1000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100


@pytest.fixture
def limited_app(tmp_path: Path, site_store: OxigraphStore) -> Flask:
    settings = load(env={}, data_dir=tmp_path / "data", sparql_rate_limit=6, sparql_rate_burst=2)
    app = create_app(settings, site_store)
    app.testing = True
    yield app
    _close(app)


def test_sparql_over_the_rate_gets_429_with_retry_after(limited_app: Flask) -> None:
    client = limited_app.test_client()
    accept = {"Accept": "application/sparql-results+json"}
    assert [client.get("/sparql", query_string=ASK, headers=accept).status_code for _ in "ab"] == [
        200,
        200,
    ]
    refused = client.post("/sparql", data=ASK, headers=accept)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10  # 6 a minute: one every 10 s
    assert refused.get_json()["status"] == 429
    assert refused.headers["Access-Control-Allow-Origin"] == "*"  # readable by the page
    other = client.get(
        "/sparql", query_string=ASK, headers=accept, environ_base={"REMOTE_ADDR": "10.1.1.1"}
    )
    assert other.status_code == 200
    # the query page and pages elsewhere are not counted
    assert client.get("/sparql", headers={"Accept": BROWSER}).status_code == 200
    assert client.get("/", headers={"Accept": BROWSER}).status_code == 200


def test_rate_limit_zero_turns_it_off(tmp_path: Path, site_store: OxigraphStore) -> None:
    settings = load(env={}, data_dir=tmp_path / "data", sparql_rate_limit=0, sparql_rate_burst=1)
    app = create_app(settings, site_store)
    try:
        client = app.test_client()
        codes = {client.get("/sparql", query_string=ASK).status_code for _ in range(5)}
        assert codes == {200}
    finally:
        _close(app)


def test_new_settings_are_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("sparql_rate_limit", "sparql_rate_burst", "request_log"):
        assert name in setting_help()
        assert f"`{name}`" in readme, name


# --- health --------------------------------------------------------------------------


@pytest.fixture
def published(tmp_path: Path, built_settings: Settings) -> Settings:
    """A private copy of the built examples, free to break."""
    shutil.copytree(built_settings.data_dir, tmp_path / "data", symlinks=True)
    return load(env={}, data_dir=tmp_path / "data")


@pytest.fixture
def published_app(published: Settings) -> Flask:
    app = create_app(published, PublishedStore(published.data_dir))
    yield app
    _close(app)


def test_health_reports_version_and_counts(published_app: Flask, published: Settings) -> None:
    response = published_app.test_client().get("/health")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    version = (published.data_dir / "current").readlink().name
    assert body["status"] == "ok" and body["version"] == version
    assert body["reports"] == 5 and body["triples"] > 1000 and body["has_data"] is True


def test_missing_store_gives_503_and_a_clear_page(
    published_app: Flask, published: Settings
) -> None:
    (published.data_dir / "current").unlink()
    client = published_app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert "no published data" in health.get_json()["error"]
    page = client.get("/doc/institucion/demo", headers={"Accept": BROWSER})
    assert page.status_code == 503
    assert "Traceback" not in page.data.decode() and "lotaip-lod build" in page.data.decode()


def test_corrupt_store_gives_503(published_app: Flask, published: Settings) -> None:
    broken = published.data_dir / "versions" / "broken" / "store"
    broken.mkdir(parents=True)
    (broken / "CURRENT").write_text("MANIFEST-000999\n")  # RocksDB's pointer, to nothing
    current = published.data_dir / "current"
    current.unlink()
    current.symlink_to(Path("versions") / "broken")
    response = published_app.test_client().get("/health")
    assert response.status_code == 503
    assert "unreadable" in response.get_json()["error"]


# --- request log ---------------------------------------------------------------------


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_one_json_line_per_request_with_timing(site_client: FlaskClient) -> None:
    lines = _Lines()
    logging.getLogger(LOGGER).addHandler(lines)
    try:
        site_client.get("/doc/institucion/demo?x=1", headers={"Accept": "text/turtle"})
        site_client.get("/nothing")
    finally:
        logging.getLogger(LOGGER).removeHandler(lines)
    first, second = (json.loads(line) for line in lines.lines)
    assert first["path"] == "/doc/institucion/demo" and first["query"] == "x=1"
    assert first["status"] == 200 and first["method"] == "GET" and first["ms"] >= 0
    assert second["status"] == 404


# --- odd URLs ------------------------------------------------------------------------

ODD_PATHS = [
    "/id/../../etc/passwd",
    "/id/..%2F..%2F..%2Fetc%2Fpasswd",
    "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id/%252e%252e%252fetc%252fpasswd",
    "/doc/..%5c..%5cetc%5cpasswd",
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2fpyproject.toml",
    "/dumps/..%2fbuild.json",
    "/dumps/..",
    "/def/..%2f..%2f..%2fetc%2fpasswd",
    "/id/%00",
    "/id/%ff%fe%fd",
    "/doc/x%0d%0aSet-Cookie:%20a=b",
    "/id/" + "a/" * 3000,
    "/doc/" + "%e2%80%ae" * 2000,
]


@pytest.mark.parametrize("path", ODD_PATHS, ids=range(len(ODD_PATHS)))
def test_odd_paths_are_404_or_400_and_leak_nothing(site_client: FlaskClient, path: str) -> None:
    response = site_client.get(path, headers={"Accept": BROWSER})
    assert response.status_code in (400, 404, 414), response.status_code
    body = response.data.decode(errors="replace")
    assert "root:" not in body and "[project]" not in body and "Traceback" not in body
    assert "Set-Cookie" not in response.headers or "a=b" not in response.headers["Set-Cookie"]


# --- escaping ------------------------------------------------------------------------


@pytest.fixture
def hostile_client(site_store: OxigraphStore, site_app: Flask) -> FlaskClient:
    graph = Graph()
    graph.add((URIRef(UNIT), RDFS.label, Literal(HOSTILE, lang="es")))
    graph.add((URIRef(UNIT), RDFS.comment, Literal(HOSTILE)))
    site_store.replace_graph(URIRef("http://localhost:8000/id/reporte/hostil/2023-01"), graph)
    return site_app.test_client()


def test_report_text_is_escaped_in_html(hostile_client: FlaskClient) -> None:
    page = hostile_client.get(
        UNIT.removeprefix("http://localhost:8000"), headers={"Accept": BROWSER}
    )
    assert page.status_code in (200, 303)
    page = hostile_client.get(
        "/doc/institucion/demo/unidad/direccion-financiera", headers={"Accept": BROWSER}
    )
    html = page.data.decode()
    assert "&lt;script&gt;alert(&#39;u&#39;)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_report_text_survives_jsonld_exactly(hostile_client: FlaskClient) -> None:
    response = hostile_client.get(
        "/doc/institucion/demo/unidad/direccion-financiera",
        headers={"Accept": "application/ld+json"},
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert HOSTILE in _values(json.loads(response.data))


def _values(data: object) -> list[object]:
    """Every ``@value`` and plain string in a JSON-LD document."""
    if isinstance(data, dict):
        return [v for item in data.values() for v in _values(item)]
    if isinstance(data, list):
        return [v for item in data for v in _values(item)]
    return [data]


def test_search_text_is_escaped_in_the_form_attribute(site_client: FlaskClient) -> None:
    attack = '"><script>alert(1)</script>'
    html = site_client.get("/browse", query_string={"q": attack}, headers={"Accept": BROWSER})
    text = html.data.decode()
    assert "<script>alert(1)" not in text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in text


def test_json_data_blocks_cannot_close_their_script(site_client: FlaskClient) -> None:
    for path in ("/", "/sparql"):
        page = site_client.get(path, headers={"Accept": BROWSER}).data.decode()
        for block in re.findall(
            r"<script type=\"application/(?:ld\+)?json\"[^>]*>(.*?)</script>", page, re.S
        ):
            assert "<" not in block  # tojson writes < as \u003c, so no </script> inside
            json.loads(block)


def test_the_404_page_escapes_the_path(site_client: FlaskClient) -> None:
    page = site_client.get("/id/%3Cscript%3Ealert(1)%3C/script%3E", headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert "<script>alert(1)" not in page.data.decode()


def test_only_http_and_our_own_iris_become_links(site_app: Flask) -> None:
    from rdflib import URIRef

    from publisher.web.pages import href

    with site_app.test_request_context("/"):
        assert href(URIRef("javascript:alert(1)")) is None
        assert href(URIRef("data:text/html,<b>x</b>")) is None
        assert href(URIRef("https://www.wikidata.org/entity/Q1")) == (
            "https://www.wikidata.org/entity/Q1"
        )
        assert href(URIRef("http://localhost:8000/id/reporte/demo/2023-01")).startswith("/doc/")


def test_pages_link_only_http_and_our_own_iris(site_store: OxigraphStore, site_app: Flask) -> None:
    # A resource whose objects are a javascript:, a data: and a urn: IRI: each shows as
    # text; no page renders href="None" or a link to a non-http(s) IRI.
    odd = ["javascript:alert(1)", "data:text/html,x", "urn:isbn:9789942"]
    graph = Graph()
    for iri in odd:
        graph.add((URIRef(UNIT), RDFS.seeAlso, URIRef(iri)))
    site_store.replace_graph(URIRef("http://localhost:8000/id/reporte/raro/2023-01"), graph)
    client = site_app.test_client()
    for path in (
        "/doc/institucion/demo/unidad/direccion-financiera",
        "/doc/institucion/demo",
        "/browse?q=financiera",
        "/",
    ):
        html = client.get(path, headers={"Accept": BROWSER}).data.decode()
        links = re.findall(r'href="([^"]*)"', html)
        assert "None" not in links, path
        for link in links:
            assert link.startswith(("/", "#", "http://", "https://", "?")), (path, link)
    html = client.get(
        "/doc/institucion/demo/unidad/direccion-financiera", headers={"Accept": BROWSER}
    ).data.decode()
    assert "urn:isbn:9789942" in html  # shown, as text
    from publisher.web.pages import is_web, page_of

    with site_app.test_request_context("/"):
        assert page_of("javascript:alert(1)") == "#"
        assert page_of("urn:isbn:9789942") == "#"
        assert page_of("http://localhost:8000/id/institucion/demo") == "/doc/institucion/demo"
        assert is_web("https://example.org/a.xlsx") and not is_web("file:///etc/passwd")
