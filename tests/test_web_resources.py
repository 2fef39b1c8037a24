"""Dereferenceable URIs: /id/ 303s, /doc/ documents in every format, HTTP caching rules."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import FOAF, ORG

from publisher.vocab import LOTAIP, QUDT
from publisher.web.cache import EXTENSION, DocumentCache
from publisher.web.conneg import FORMATS

INSTITUTION = URIRef("http://localhost:8000/id/institucion/demo")
UNIT = URIRef("http://localhost:8000/id/institucion/demo/unidad/direccion-financiera")
TARGET_PATH = (
    "institucion/demo/unidad/direccion-financiera/objetivo/agua-potable-1"
    "/indicador/cobertura-1/meta/noventa-1"
)
RDF_FORMATS = [f for f in FORMATS if f.rdflib_format]
# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/html", "/doc/institucion/demo"),
        ("text/turtle", "/doc/institucion/demo.ttl"),
        ("application/ld+json", "/doc/institucion/demo.jsonld"),
        ("application/rdf+xml", "/doc/institucion/demo.rdf"),
        ("application/n-triples", "/doc/institucion/demo.nt"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "/doc/institucion/demo"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "/doc/institucion/demo.rdf"),
        ("*/*", "/doc/institucion/demo"),
    ],
)
def test_thing_uri_answers_303_to_the_document_chosen_by_accept(
    site_client: FlaskClient, accept: str, location: str
) -> None:
    response = site_client.get("/id/institucion/demo", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert "Accept" in response.headers["Vary"]


def test_unknown_thing_is_404_not_a_redirect(site_client: FlaskClient) -> None:
    response = site_client.get("/id/institucion/nadie", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.get_json() == {"error": response.get_json()["error"], "status": 404}


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_document_by_extension_parses_and_holds_both_directions(
    site_client: FlaskClient, fmt
) -> None:
    response = site_client.get(f"/doc/institucion/demo/unidad/direccion-financiera.{fmt.extension}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{fmt.media_type}; charset=utf-8"
    graph = Graph().parse(data=response.data, format=fmt.rdflib_format)
    assert (INSTITUTION, ORG.hasUnit, UNIT) in graph  # incoming link
    assert (UNIT, ORG.unitOf, INSTITUTION) in graph  # outgoing triple
    assert (INSTITUTION, RDFS.label, Literal("Institución de Prueba", lang="es")) in graph
    doc = URIRef("http://localhost:8000/doc/institucion/demo/unidad/direccion-financiera")
    assert (doc, FOAF.primaryTopic, UNIT) in graph


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_document_by_accept_matches_the_extension(site_client: FlaskClient, fmt) -> None:
    by_accept = site_client.get(f"/doc/{TARGET_PATH}", headers={"Accept": fmt.media_type})
    by_extension = site_client.get(f"/doc/{TARGET_PATH}.{fmt.extension}")
    assert by_accept.data == by_extension.data
    graph = Graph().parse(data=by_accept.data, format=fmt.rdflib_format)
    target = URIRef(f"http://localhost:8000/id/{TARGET_PATH}")
    assert graph.value(target, QUDT.numericValue).toPython() == 90


def test_jsonld_uses_the_published_context(site_client: FlaskClient) -> None:
    context = site_client.get("/context.jsonld")
    assert context.status_code == 200
    assert context.headers["Content-Type"].startswith("application/ld+json")
    prefixes = context.get_json()["@context"]
    assert prefixes["lotaip"] == str(LOTAIP)
    document = json.loads(site_client.get("/doc/institucion/demo.jsonld").data)
    assert document["@context"] == prefixes
    assert "org:hasUnit" in json.dumps(document)  # compacted with our prefixes


def test_html_document_shows_labels_links_sources_and_alternates(
    site_client: FlaskClient,
) -> None:
    response = site_client.get("/doc/institucion/demo/unidad/direccion-financiera")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = response.data.decode()
    assert '<a href="/doc/institucion/demo">Institución de Prueba</a>' in html
    assert "demo-2023-01.txt" in html  # the source file of the report it came from
    assert 'href="/doc/institucion/demo/unidad/direccion-financiera.ttl"' in html
    assert 'href="/doc/institucion/demo/unidad/direccion-financiera.jsonld"' in html


def test_link_headers_name_every_alternate(site_client: FlaskClient) -> None:
    response = site_client.get("/doc/institucion/demo")
    link = response.headers["Link"]
    for fmt in FORMATS:
        assert f'</doc/institucion/demo.{fmt.extension}>; rel="alternate"; ' in link
        assert f'type="{fmt.media_type}"' in link


def test_etag_and_last_modified_give_304_on_revalidation(site_client: FlaskClient) -> None:
    first = site_client.get("/doc/institucion/demo.ttl")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = site_client.get(
        "/doc/institucion/demo.ttl", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""
    since = site_client.get(
        "/doc/institucion/demo.ttl",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert since.status_code == 304
    other = site_client.get("/doc/institucion/demo.ttl", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_head_has_headers_and_no_body(site_client: FlaskClient) -> None:
    get = site_client.get("/doc/institucion/demo.ttl")
    head = site_client.head("/doc/institucion/demo.ttl")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["ETag"] == get.headers["ETag"]
    assert site_client.head("/id/institucion/demo").status_code == 303


def test_data_responses_allow_cross_origin_reads(site_client: FlaskClient) -> None:
    for path in ("/doc/institucion/demo.ttl", "/doc/institucion/demo.jsonld", "/context.jsonld"):
        assert site_client.get(path).headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_document_is_404_in_the_asked_format(site_client: FlaskClient) -> None:
    assert site_client.get("/doc/institucion/nadie.ttl").status_code == 404
    page = site_client.get("/doc/institucion/nadie", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.mimetype == "text/html"


def test_cell_markup_is_shown_as_text(site_client: FlaskClient) -> None:
    path = "/doc/institucion/demo/unidad/direccion-financiera/objetivo/agua-potable-1"
    html = site_client.get(path).data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_ontology_term_has_a_page_and_rdf(site_client: FlaskClient) -> None:
    page = site_client.get("/def/Target", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Un resultado cuantificable" in page.data.decode()
    english = site_client.get("/def/Target?lang=en").data.decode()
    assert "<h1>Target</h1>" in english
    turtle = site_client.get("/def/Target.ttl")
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (LOTAIP.Target, RDFS.label, Literal("Meta", lang="es")) in graph


def test_vocabulary_index_lists_classes_and_properties(site_client: FlaskClient) -> None:
    html = site_client.get("/def/").data.decode()
    assert 'href="/def/Target"' in html
    assert 'href="/def/hasTarget"' in html
    assert html.index("Clases") < html.index("lotaip:Target") < html.index("Propiedades")
    turtle = site_client.get("/def/", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (LOTAIP.Target, RDFS.isDefinedBy, URIRef(str(LOTAIP))) in graph


def test_documents_of_an_unversioned_store_are_never_stale(
    site_client: FlaskClient, site_store
) -> None:
    # an in-memory store has no version, so nothing is cached: a change shows at once
    assert "Institución de Prueba" in site_client.get("/doc/institucion/demo").data.decode()
    graph = Graph().parse(data=site_client.get("/doc/institucion/demo.ttl").data)
    graph.remove((INSTITUTION, RDFS.label, None))
    graph.add((INSTITUTION, RDFS.label, Literal("Nombre nuevo", lang="es")))
    site_store.replace_graph(URIRef("http://localhost:8000/id/reporte/demo/2023-01"), graph)
    assert "Nombre nuevo" in site_client.get("/doc/institucion/demo").data.decode()


def test_published_documents_are_cached_per_version(built_app) -> None:
    client = built_app.test_client()
    first = client.get("/doc/institucion/sot.ttl")
    cache = built_app.extensions[EXTENSION]
    version = built_app.extensions["publisher.store.embedded"].version
    assert cache.get((version, "/doc/institucion/sot", "turtle", "")) == first.data
    assert client.get("/doc/institucion/sot.ttl").data == first.data


def test_document_cache_drops_the_least_recently_used() -> None:
    cache = DocumentCache(max_bytes=2)
    cache.put(("v", "a"), b"A")
    cache.put(("v", "b"), b"B")
    assert cache.get(("v", "a")) == b"A"  # now "b" is the oldest
    cache.put(("v", "c"), b"C")
    assert cache.get(("v", "b")) is None
    assert cache.get(("v", "a")) == b"A" and cache.get(("v", "c")) == b"C"
    cache.put(("v", "a"), b"AA")  # replacing counts the new size only
    assert cache.size == 2 and cache.get(("v", "c")) is None


def test_pages_show_the_trail_up_to_the_institution_with_standard_terms_named(
    site_client: FlaskClient,
) -> None:
    html = site_client.get(f"/doc/{TARGET_PATH}").data.decode()
    trail = html[html.index('<nav class="trail"') : html.index("</nav>", html.index("trail"))]
    names = ["Institución de Prueba", "Dirección Financiera", "Ampliar la cobertura"]
    positions = [trail.index(name) for name in [*names, "Porcentaje de cobertura"]]
    assert positions == sorted(positions)
    assert '<p class="kind">Meta</p>' in html  # our class, by its label
    assert ">valor</a>" in html  # qudt:numericValue by the site's own name
    assert ">value</a>" in site_client.get(f"/doc/{TARGET_PATH}?lang=en").data.decode()


def test_term_page_leads_with_its_description_in_the_readers_language(
    site_client: FlaskClient,
) -> None:
    spanish = site_client.get("/def/Target").data.decode()
    assert '<p class="comment">Un resultado cuantificable' in spanish
    english = site_client.get("/def/Target?lang=en").data.decode()
    assert '<p class="comment">A quantified result a unit commits to reach.</p>' in english


def test_format_parameter_chooses_the_document_format(site_client: FlaskClient) -> None:
    for value in ("ttl", "turtle"):
        response = site_client.get(f"/doc/institucion/demo?format={value}")
        assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    redirect = site_client.get("/id/institucion/demo?format=nt")
    assert redirect.headers["Location"] == "/doc/institucion/demo.nt"


def test_contact_and_source_file_show_by_name(built_app) -> None:
    html = built_app.test_client().get("/doc/reporte/sot/2023-01").data.decode()
    assert ">Samantha Almeida Jara</a>" in html  # the contact point, by vcard:fn
    assert ">sot-2023-01.txt</a>" in html  # the source file, by its file name
    assert ">mensual</a>" in html  # the EU frequency MONTHLY, by the site's name
