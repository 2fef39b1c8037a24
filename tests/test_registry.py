"""The shipped registry: institutions, territories, function rules, and their RDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from publisher.errors import ParseError
from publisher.registry import (
    INSTITUTIONS_CSV,
    KINDS,
    TERRITORIES_CSV,
    by_domain,
    by_id,
    load_function_rules,
    load_registry,
    load_territories,
    reference_graph,
    territory_iri,
)
from publisher.uris import Urls
from publisher.vocab import LOTAIP, WD

EXAMPLE_IDS = {
    "sot": "sot.gob.ec",
    "congope": "congope.gob.ec",
    "gad-municipal-loja": "loja.gob.ec",
    "gad-municipal-alausi": "alausi.gob.ec",
    "ame": "ame.gob.ec",
}
URLS = Urls("http://example.org/")
LOTAIP_FUNCTIONS_TTL = Path(__file__).resolve().parent.parent / "ontology" / "unit-functions.ttl"
ORG_FORMAL = URIRef("http://www.w3.org/ns/org#FormalOrganization")


def test_the_five_example_institutions_are_registered_with_their_domains() -> None:
    entries = load_registry()
    for registry_id, domain in EXAMPLE_IDS.items():
        entry = by_id(entries, registry_id)
        assert entry is not None, registry_id
        assert entry.domain == domain
        assert entry.sources, f"{registry_id} names no source"


def test_the_registry_grew_beyond_the_examples() -> None:
    assert len(load_registry()) > len(EXAMPLE_IDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("loja.gob.ec", "gad-municipal-loja"),
        ("LOJA.GOB.EC", "gad-municipal-loja"),
        ("responsable@alausi.gob.ec", "gad-municipal-alausi"),
        ("https://www.ame.gob.ec/transparencia/", "ame"),
        ("correo.congope.gob.ec", "congope"),
        ("mailto:x@sot.gob.ec", "sot"),
    ],
)
def test_by_domain_accepts_domains_emails_and_urls(text: str, expected: str) -> None:
    entry = by_domain(load_registry(), text)
    assert entry is not None and entry.id == expected


@pytest.mark.parametrize("text", ["gob.ec", "notloja.gob.ec", "loja.gob.ec.evil.com", "", "@"])
def test_by_domain_does_not_match_lookalikes(text: str) -> None:
    assert by_domain(load_registry(), text) is None


def test_by_id_unknown_is_none() -> None:
    assert by_id(load_registry(), "ministerio-de-nada") is None


def test_gads_carry_the_dpa_code_of_the_territory_they_govern() -> None:
    entries = load_registry()
    territories = {t.code: t for t in load_territories()}
    assert by_id(entries, "gad-municipal-loja").dpa_code == "1101"  # type: ignore[union-attr]
    assert by_id(entries, "gad-municipal-alausi").dpa_code == "0602"  # type: ignore[union-attr]
    for entry in entries:
        if entry.kind in ("municipal-gad", "provincial-gad"):
            assert entry.dpa_code in territories, entry.id
            expected_level = "canton" if entry.kind == "municipal-gad" else "province"
            assert territories[entry.dpa_code].level == expected_level


def test_every_kind_is_known_and_every_canton_has_its_province() -> None:
    assert all(e.kind in KINDS for e in load_registry())
    codes = {t.code for t in load_territories()}
    for territory in load_territories():
        if territory.level == "canton":
            assert territory.parent in codes


def test_loja_and_chimborazo_provinces_have_their_wikidata_items() -> None:
    territories = {t.code: t for t in load_territories()}
    assert territories["11"].name == "Loja" and territories["11"].wikidata == "Q504238"
    assert territories["06"].name == "Chimborazo" and territories["06"].wikidata == "Q238492"
    assert territories["0602"].name == "Alausí" and territories["0602"].parent == "06"


def _copy_with(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",ame.gob.ec,,", ",ame.gob.ec,12345,", "RUC must have 13 digits"),
        (",1101,,", ",11011,,", "DPA code must have"),
        ("municipal-gad,loja.gob.ec", "town-hall,loja.gob.ec", "unknown kind"),
        (",ame.gob.ec,", ",sot.gob.ec,", "duplicate domain"),
    ],
)
def test_a_bad_institution_row_is_refused_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ParseError, match=message):
        load_registry(_copy_with(tmp_path, INSTITUTIONS_CSV, old, new))


def test_a_bad_wikidata_item_is_refused(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, TERRITORIES_CSV, "Q504238", "wd:504238")
    with pytest.raises(ParseError, match="not a Wikidata item id") as err:
        load_territories(path)
    assert err.value.line is not None


def test_a_canton_outside_its_province_is_refused(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, TERRITORIES_CSV, "1101,Loja,canton,11", "1101,Loja,canton,06")
    with pytest.raises(ParseError, match="must have parent 11"):
        load_territories(path)


def test_a_missing_registry_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read registry"):
        load_registry(tmp_path / "nope.csv")


def test_every_function_rule_names_a_concept_of_the_scheme() -> None:
    scheme = Graph().parse(Path(LOTAIP_FUNCTIONS_TTL), format="turtle")
    concepts = {str(c) for c in scheme.subjects(RDF.type, SKOS.Concept)}
    for rule in load_function_rules():
        assert f"{LOTAIP}funcion/{rule.concept}" in concepts, rule.concept
    ruled = {r.concept for r in load_function_rules()}
    assert {c.rsplit("/", 1)[1] for c in concepts} == ruled, "a concept no rule can reach"


def test_every_function_concept_is_labelled_in_spanish_and_english() -> None:
    scheme = Graph().parse(Path(LOTAIP_FUNCTIONS_TTL), format="turtle")
    for concept in scheme.subjects(RDF.type, SKOS.Concept):
        labels = list(scheme.objects(concept, SKOS.prefLabel))
        assert {getattr(label, "language", None) for label in labels} == {"es", "en"}, concept


def test_reference_graph_publishes_registry_territories_and_functions() -> None:
    graph = reference_graph(URLS)
    loja = URLS.institution("gad-municipal-loja")
    official = Literal("Gobierno Autónomo Descentralizado Municipal de Loja", "es")
    assert (loja, SKOS.prefLabel, official) in graph
    assert (loja, LOTAIP.dpaCode, Literal("1101")) in graph
    province = territory_iri(URLS, "11")
    assert (territory_iri(URLS, "1101"), SKOS.broader, province) in graph
    assert (province, SKOS.exactMatch, WD.Q504238) in graph
    assert (URIRef(f"{LOTAIP}funcion/finanzas"), SKOS.prefLabel, Literal("Finance", "en")) in graph
    institutions = set(graph.subjects(RDF.type, ORG_FORMAL))
    assert len(institutions) == len(load_registry())
