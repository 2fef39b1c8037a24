"""The shipped registry: institutions, territories, function rules, and their RDF."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, VOID

from publisher.enrichment.registry import (
    INSTITUTIONS_CSV,
    KINDS,
    TERRITORIES_CSV,
    by_domain,
    by_id,
    load_function_rules,
    load_registry,
    load_territories,
    reference_graph,
    ruc_problem,
    territory_iri,
)
from publisher.errors import ParseError
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
        (",ame.gob.ec,,", ",ame.gob.ec,12345,", "a RUC has 13 digits"),
        # the Quito municipality's structure with its 9th digit changed from 1 to 2
        (",ame.gob.ec,,", ",ame.gob.ec,1760003420001,", "wrong check digit"),
        (",ame.gob.ec,,", ",ame.gob.ec,1790011674001,", "third digit"),  # a company's
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


@pytest.mark.parametrize(
    ("ruc", "problem"),
    [
        ("1760001550001", None),  # the worked example of the rule's source
        ("1760003410001", None),  # 3*1+2*7+7*6+3*3+2*4 = 76, 76 mod 11 = 10, 11-10 = 1
        ("1760001560001", "wrong check digit"),
        ("1760001550002", "ends in 0001"),
        ("2560001550001", "no province has code 25"),
        ("17600015500", "13 digits"),
        ("17600015500O1", "13 digits"),
    ],
)
def test_ruc_check_digit_and_structure(ruc: str, problem: str | None) -> None:
    found = ruc_problem(ruc)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found, found


AME_SOURCES = "report:ame-2015-09.txt"


def test_a_ruc_with_a_wrong_check_digit_is_refused_with_its_line(tmp_path: Path) -> None:
    text = INSTITUTIONS_CSV.read_text(encoding="utf-8")
    text = text.replace(",ame.gob.ec,,", ",ame.gob.ec,1760001560001,", 1)
    text = text.replace(AME_SOURCES, f"{AME_SOURCES}|ruc:ame.gob.ec/transparencia", 1)
    path = tmp_path / "institutions.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match="wrong check digit") as err:
        load_registry(path)
    assert err.value.line == 6  # AME's row, after the header


def test_a_ruc_is_kept_only_with_the_page_it_was_read_on(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, INSTITUTIONS_CSV, ",ame.gob.ec,,", ",ame.gob.ec,1760001550001,")
    with pytest.raises(ParseError, match="needs a ruc:<page> source"):
        load_registry(path)
    sourced = _copy_with(tmp_path, path, AME_SOURCES, f"{AME_SOURCES}|ruc:ame.gob.ec/ruc")
    ame = by_id(load_registry(sourced), "ame")
    assert ame is not None and ame.ruc == "1760001550001"


def test_the_shipped_rucs_are_sourced() -> None:
    # none was found on an official page so far (registry/README.md says where we looked)
    for entry in load_registry():
        assert entry.ruc is None or any(s.startswith("ruc:") for s in entry.sources)


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


# --- the territory scheme: every province and canton, with Wikidata links ---------------

REGISTRY_DIR = TERRITORIES_CSV.parent


def _build_script() -> ModuleType:
    """registry/build_territories.py, loaded as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "build_territories", REGISTRY_DIR / "build_territories.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


def test_all_24_provinces_and_221_active_cantons() -> None:
    levels = [t.level for t in load_territories()]
    assert levels.count("province") == 24
    assert levels.count("canton") == 221
    sources = REGISTRY_DIR / "sources" / "sb-tabla7-cantones.csv"
    lines = sources.read_text(encoding="utf-8").splitlines()
    active = [line for line in lines if line.endswith(",ACTIVA")]
    assert levels.count("canton") == len(active)


def test_territories_csv_is_what_the_build_script_makes_from_the_sources() -> None:
    script = _build_script()
    rows, _ = script.build()
    assert script.render(rows) == TERRITORIES_CSV.read_text(encoding="utf-8")


def test_provinces_are_exact_matches_and_cantons_only_close_ones() -> None:
    territories = load_territories()
    assert all(t.wikidata_match == "exact" for t in territories if t.level == "province")
    cantons = [t for t in territories if t.level == "canton"]
    assert {t.wikidata_match for t in cantons} == {"close", None}
    for territory in territories:
        assert (territory.wikidata is None) == (territory.wikidata_match is None), territory
        if territory.wikidata:
            assert "wikidata:osm-addressforall" in territory.sources, territory.code


def test_every_canton_left_without_an_item_is_listed_in_the_readme() -> None:
    readme = (REGISTRY_DIR / "README.md").read_text(encoding="utf-8")
    unpaired = [t.code for t in load_territories() if t.wikidata is None]
    assert len(unpaired) == 8
    for code in unpaired:
        assert f"| {code} |" in readme, code


def test_alausi_is_a_close_match_and_chimborazo_an_exact_one() -> None:
    graph = reference_graph(URLS)
    alausi, chimborazo = territory_iri(URLS, "0602"), territory_iri(URLS, "06")
    assert (alausi, SKOS.closeMatch, WD.Q2448841) in graph
    assert (alausi, SKOS.exactMatch, None) not in graph
    assert (alausi, SKOS.broader, chimborazo) in graph
    assert (chimborazo, SKOS.exactMatch, WD.Q238492) in graph
    assert (chimborazo, SKOS.closeMatch, None) not in graph


def test_territory_linksets_say_their_predicate_and_count() -> None:
    graph = reference_graph(URLS)
    linksets = set(graph.subjects(RDF.type, VOID.Linkset))
    found = {}
    for linkset in linksets:
        predicate = graph.value(linkset, VOID.linkPredicate)
        assert graph.value(linkset, VOID.subjectsTarget) == URLS.thing("territorio")
        assert graph.value(linkset, VOID.objectsTarget) == URLS.thing("conjunto/wikidata")
        links = [
            (s, o)
            for s, o in graph.subject_objects(predicate)
            if str(o).startswith(str(WD)) and str(s).startswith(str(territory_iri(URLS, "")))
        ]
        found[predicate] = int(graph.value(linkset, VOID.triples))  # type: ignore[arg-type]
        assert found[predicate] == len(links)
    assert found == {SKOS.exactMatch: 24, SKOS.closeMatch: 213}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Q238492,exact,", "Q238492,sure,", "wikidata_match must be exact, close or empty"),
        ("Q2448841,close,", ",close,", "without a wikidata item"),
        ("Q2448841,close,", "Q2448841,,", "needs wikidata_match"),
    ],
)
def test_a_bad_wikidata_match_is_refused_with_file_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _copy_with(tmp_path, TERRITORIES_CSV, old, new)
    with pytest.raises(ParseError, match=message) as err:
        load_territories(path)
    assert err.value.line is not None and err.value.line > 1
    assert str(path) in str(err.value)
