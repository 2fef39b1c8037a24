"""IRI minting: Cool-URI patterns, readable slugs, content keys stable across republication."""

from __future__ import annotations

from datetime import date

from rdflib import URIRef

from publisher.uris import Urls, text_key
from publisher.vocab import LOTAIP

URLS = Urls("https://datos.example.ec/")
INST = URLS.institution("gad-municipal-loja")


def test_institution_and_unit_use_readable_slugs() -> None:
    assert URIRef("https://datos.example.ec/id/institucion/gad-municipal-loja") == INST
    unit = URLS.unit(INST, "Dirección Financiera")
    assert unit == URIRef(f"{INST}/unidad/direccion-financiera")


def test_base_uri_is_configurable() -> None:
    other = Urls("http://localhost:8000/").institution("sot")
    assert other == URIRef("http://localhost:8000/id/institucion/sot")


def test_nested_patterns() -> None:
    unit = URLS.unit(INST, "Dirección Financiera")
    objective = URLS.objective(unit, "Mejorar la recaudación")
    indicator = URLS.indicator(objective, "Porcentaje de recaudación")
    assert objective.startswith(f"{unit}/objetivo/mejorar-la-recaudacion-")
    assert indicator.startswith(f"{objective}/indicador/porcentaje-de-recaudacion-")
    assert URLS.target(indicator, "90%").startswith(f"{indicator}/meta/90-")
    assert URLS.target(objective, "90%").startswith(f"{objective}/meta/90-")


def test_text_key_ignores_case_accents_spacing_and_punctuation() -> None:
    a = text_key("Incrementar la recaudación MEDIANTE la gestión.")
    b = text_key("incrementar  la recaudacion mediante la gestion")
    assert a == b
    assert a.startswith("incrementar-la-recaudacion-mediante-la-gestion-")
    assert len(a.rsplit("-", 1)[1]) == 8


def test_text_key_tells_apart_texts_sharing_their_first_words() -> None:
    first = "Uno dos tres cuatro cinco seis siete"
    second = "Uno dos tres cuatro cinco seis ocho"
    assert text_key(first) != text_key(second)
    assert text_key(first).rsplit("-", 1)[0] == text_key(second).rsplit("-", 1)[0]


def test_report_is_named_by_institution_and_month() -> None:
    iri = URLS.report("sot", date(2023, 1, 31), "ab" * 32)
    assert iri == URIRef("https://datos.example.ec/id/reporte/sot/2023-01")


def test_report_without_date_is_named_by_content() -> None:
    iri = URLS.report("sot", None, "0123456789ab" + "f" * 52)
    assert iri == URIRef("https://datos.example.ec/id/reporte/sot/0123456789ab")


def test_process_levels_are_vocabulary_not_data() -> None:
    assert Urls.process_level("governing") == LOTAIP["nivel/governing"]


def test_numbered_and_other_things() -> None:
    report = URLS.report("sot", date(2023, 1, 31), "ab" * 32)
    assert Urls.numbered(URIRef("http://x/a"), 2) == URIRef("http://x/a-2")
    assert URLS.source_file("AB" * 32) == URIRef(f"https://datos.example.ec/id/fuente/{'ab' * 32}")
    assert URLS.software("0.1.0") == URIRef("https://datos.example.ec/id/software/lotaip-lod/0.1.0")
    assert URLS.contact(report) == URIRef(f"{report}/contacto")
    assert URLS.generation(report) == URIRef(f"{report}/generacion")
    assert URLS.note(report, "No constan").startswith(f"{report}/nota/no-constan-")


def test_doc_path_maps_minted_iris_to_pages() -> None:
    unit = URLS.unit(INST, "Dirección Financiera")
    assert URLS.doc_path(unit) == "/doc/institucion/gad-municipal-loja/unidad/direccion-financiera"
