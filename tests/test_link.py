"""Link discovery over the five real reports: institutions, territories, unit functions."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, SKOS, VOID

from publisher.cli import cli
from publisher.enrichment.link import (
    CLOSE_SCORE,
    FUNCION,
    classify_unit,
    describe_links,
    discover,
    link_graph,
    links_graph_iri,
    match_institution,
    match_name,
    unit_iris,
)
from publisher.enrichment.registry import (
    load_registry,
    reference_graph,
    reference_graph_iri,
    territory_iri,
)
from publisher.mapping.rdf import map_report
from publisher.parse import parse_file
from publisher.query.examples import load_examples
from publisher.records import Report, Target, Unit
from publisher.store.embedded import OxigraphStore
from publisher.uris import Urls, normalise
from publisher.vocab import LOTAIP, WD

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
URLS = Urls("http://example.org/")
EXPECTED = {
    "sot-2023-01.txt": "sot",
    "congope-2022-02.txt": "congope",
    "loja-2019-08.txt": "gad-municipal-loja",
    "alausi-2021-05.txt": "gad-municipal-alausi",
    "ame-2015-09.txt": "ame",
}


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    return [parse_file(EXAMPLES / name) for name in sorted(EXPECTED)]


@pytest.fixture(scope="module")
def links(reports: list[Report]) -> Graph:
    return link_graph(reports, URLS)


def _without_id(report: Report, **changes: str | None) -> Report:
    """The report as if the parser had only a name (and maybe a domain) for its institution."""
    institution = dataclasses.replace(report.institution, id="desconocida", domain=None)
    return dataclasses.replace(report, institution=dataclasses.replace(institution, **changes))


# --- institutions ------------------------------------------------------------------------


def test_the_five_examples_link_to_their_registry_entries(reports: list[Report]) -> None:
    found = discover(reports)
    assert {f: m.entry.id for f, m in found.matches.items() if m.entry} == EXPECTED
    assert all(m.confidence == "exact" for m in found.matches.values())
    assert found.unmatched == []


def test_the_examples_also_match_by_domain_alone_and_by_name_alone(
    reports: list[Report],
) -> None:
    entries = load_registry()
    for report in reports:
        inst = report.institution
        by_domain = match_institution(entries, domain=inst.domain)
        by_name = match_institution(entries, name=inst.name)
        assert by_domain.method == "domain" and by_domain.entry is not None
        assert by_name.method == "name" and by_name.entry is not None
        assert by_domain.entry.id == by_name.entry.id == EXPECTED[report.source.file]


def test_id_wins_over_domain_and_domain_over_name() -> None:
    entries = load_registry()
    match = match_institution(entries, id="ame", domain="loja.gob.ec", name="CONGOPE")
    assert (match.entry and match.entry.id, match.method) == ("ame", "id")
    match = match_institution(entries, id="nada", domain="loja.gob.ec", name="CONGOPE")
    assert (match.entry and match.entry.id, match.method) == ("gad-municipal-loja", "domain")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GOBIERNO AUTONOMO DESCENTRALIZADO MUNICIPAL DE LOJA", "gad-municipal-loja"),
        ("Gobierno Autonomo Descentralizado Municipal del Canton Alausi", "gad-municipal-alausi"),
        ("Asociacion de Municipalidades Ecuatorinas", "ame"),  # misspelt
        ("Consorcio de Gobiernos Autonomos Provinciles del Ecuador", "congope"),  # misspelt
        ("Superintendencia de Ordenamiento Territorial Uso y Gestion de Suelo", "sot"),
        ("Municipio de Loja", "gad-municipal-loja"),
        ("Prefectura de Loja", "gad-provincial-loja"),
    ],
)
def test_misspelt_or_accentless_names_still_match(name: str, expected: str) -> None:
    match = match_name(load_registry(), name)
    assert match.entry is not None and match.entry.id == expected
    assert match.confidence == "exact", match.score


@pytest.mark.parametrize(
    "name",
    [
        "Ministerio de Salud Pública",
        "GAD Municipal de Quito",  # same boilerplate as Loja's, another city
        "Gobierno Autónomo Descentralizado Municipal del Cantón Catamayo",
        "Superintendencia de Bancos",
    ],
)
def test_an_unknown_institution_stays_unmatched(name: str) -> None:
    match = match_name(load_registry(), name)
    assert match.entry is None and match.confidence is None
    assert match.score < CLOSE_SCORE


def test_an_unknown_institution_is_reported_and_gets_no_links(reports: list[Report]) -> None:
    unknown = _without_id(reports[0], name="Ministerio de Salud Pública")
    found = discover([unknown])
    assert found.unmatched == [unknown.source.file]
    assert any("UNMATCHED 'Ministerio de Salud Pública'" in line for line in describe_links(found))
    graph = link_graph([unknown], URLS)
    subject = URLS.institution("desconocida")
    assert not set(graph.predicate_objects(subject))


def test_a_name_only_match_links_our_iri_to_the_registry_entry(reports: list[Report]) -> None:
    loja = next(r for r in reports if r.institution.id == "gad-municipal-loja")
    graph = link_graph([_without_id(loja, name="Municipio de Loja")], URLS)
    subject = URLS.institution("desconocida")
    assert (subject, SKOS.exactMatch, URLS.institution("gad-municipal-loja")) in graph
    assert (subject, DCTERMS.spatial, territory_iri(URLS, "1101")) in graph


def test_a_verified_wikidata_item_becomes_owl_same_as(reports: list[Report]) -> None:
    entries = [
        dataclasses.replace(e, wikidata="Q123") if e.id == "ame" else e for e in load_registry()
    ]
    graph = link_graph(reports, URLS, entries)
    assert (URLS.institution("ame"), OWL.sameAs, WD.Q123) in graph
    assert len(list(graph.subject_objects(OWL.sameAs))) == 1  # nobody else is verified


# --- territories -------------------------------------------------------------------------


def test_municipal_gads_link_to_their_canton(links: Graph) -> None:
    for inst, code in (("gad-municipal-loja", "1101"), ("gad-municipal-alausi", "0602")):
        subject = URLS.institution(inst)
        assert (subject, LOTAIP.dpaCode, Literal(code)) in links
        assert (subject, DCTERMS.spatial, territory_iri(URLS, code)) in links
    national = [URLS.institution(i) for i in ("sot", "ame", "congope")]
    assert not any((n, DCTERMS.spatial, None) in links for n in national)


# --- unit functions ----------------------------------------------------------------------


def _units(reports: list[Report]) -> list[tuple[str, str]]:
    return [(r.institution.id, u.name) for r in reports for u in r.units]


@pytest.mark.parametrize(
    ("fragment", "concept"),
    [
        ("financier", "finanzas"),
        ("juridic", "asesoria-juridica"),
        ("procuraduria", "asesoria-juridica"),
        ("patrocinio judicial", "asesoria-juridica"),
        ("auditoria interna", "auditoria-interna"),
        ("secretaria general", "secretaria-general"),
        ("talento humano", "talento-humano"),
        ("obras publicas", "obras-publicas"),
        ("ambiental", "ambiente"),
        ("alcaldia", "autoridad-ejecutiva"),
    ],
)
def test_units_across_the_reports_get_the_expected_function(
    reports: list[Report], fragment: str, concept: str
) -> None:
    # the part after the last dash names the unit itself ("… Financiera - Talento Humano")
    units = [n for _, n in _units(reports) if fragment in normalise(n.rsplit("-", 1)[-1])]
    assert units, f"no unit name contains {fragment!r}"
    for name in units:
        assert concept in classify_unit(name), name


SPECIFIC = {
    "Dirección Financiera": "finanzas",
    "DIRECCIÓN NACIONAL ADMINISTRATIVA FINANCIERA-COORDINACIÓN DE TALENTO HUMANO": (
        "talento-humano"
    ),
    "DIRECCIÓN DE PLANIFICACIÓN INSTITUCIONAL-COORDINACIÓN DE TECNOLOGÍAS DE LA "
    "INFORMACIÓN Y COMUNICACIONES": "tecnologia",
    "DIRECCIÓN DE PLANIFICACIÓN INSTITUCIONAL-COORDINACIÓN DE COMUNICACIÓN": "comunicacion",
    "SUPERINTENDENTE DE ORDENAMIENTO TERRITORIAL, USO Y GESTIÓN DEL SUELO": ("autoridad-ejecutiva"),
    "Dirección de Ordenamiento Territorial Cantonal, Uso y Gestión del Suelo Rural - INOT": (
        "ordenamiento-territorial"
    ),
    "Dirección de Recursos Humanos - Seguridad Industrial y Salud Ocupacional": (
        "riesgos-seguridad"
    ),
    "Unidad de AdministrarCIÓN Zonal 4": "gestion-desconcentrada",
    "Concejo Cantonal": "organo-legislativo",
    "Dirección de Infraestructura y Mantenimiento de Datos Geoespaciales": "tecnologia",
}


@pytest.mark.parametrize(("name", "expected"), SPECIFIC.items())
def test_the_most_specific_part_of_a_unit_name_decides(name: str, expected: str) -> None:
    assert classify_unit(name) == [expected]


def test_only_ambiguous_units_are_left_for_review(reports: list[Report]) -> None:
    found = discover(reports)
    assert len(found.functions) >= 100
    # "Asesoría General" (advice to the mayor, not legal) and "Desarrollo Cantonal" name no
    # one function; they must be listed, not guessed.
    assert {name for _, name in found.unclassified} == {
        "ASESORÍA GENERAL",
        "DIRECCIÓN DE DESARROLLO CANTONAL",
    }
    lines = describe_links(found)
    assert "  gad-municipal-alausi | ASESORÍA GENERAL" in lines


def test_classifications_land_on_the_unit_iris_the_mapping_mints(
    reports: list[Report], links: Graph
) -> None:
    classified = set(links.subjects(LOTAIP.unitFunction, None))
    for report in reports:
        mapped = map_report(report, URLS).graph
        mapped_units = set(mapped.subjects(RDF.type, ORG.OrganizationalUnit))
        ours = {iri for unit, iri in unit_iris(report, URLS) if classify_unit(unit.name)}
        assert ours and ours <= mapped_units, report.source.file
        assert ours <= classified


def test_every_legal_unit_is_classified_as_legal_advice_in_the_graph(links: Graph) -> None:
    legal = set(links.subjects(LOTAIP.unitFunction, FUNCION["asesoria-juridica"]))
    institutions = {str(u).split("/unidad/")[0].rsplit("/", 1)[1] for u in legal}
    assert institutions == {"sot", "congope", "gad-municipal-loja", "gad-municipal-alausi", "ame"}


# --- the linkset graph -------------------------------------------------------------------


def test_each_linkset_counts_its_links(links: Graph) -> None:
    linksets = set(links.subjects(RDF.type, VOID.Linkset))
    predicates = {links.value(ls, VOID.linkPredicate) for ls in linksets}
    assert predicates == {LOTAIP.unitFunction, DCTERMS.spatial}
    for linkset in linksets:
        predicate = links.value(linkset, VOID.linkPredicate)
        triples = links.value(linkset, VOID.triples)
        assert isinstance(predicate, URIRef) and triples is not None
        assert int(triples) == len(list(links.subject_objects(predicate)))
        assert (links.value(linkset, VOID.objectsTarget), RDF.type, VOID.Dataset) in links
        assert links.value(linkset, VOID.subjectsTarget) == URLS.thing("dataset")


# --- CLI ---------------------------------------------------------------------------------


def test_link_command_prints_matches_scores_and_unclassified_units() -> None:
    result = CliRunner().invoke(cli, ["link", str(EXAMPLES / "loja-2019-08.txt")])
    assert result.exit_code == 0, result.output
    assert "loja-2019-08.txt: gad-municipal-loja (by id, score 100.0, exact; DPA 1101)" in (
        result.output
    )
    assert "unclassified" in result.output


def test_link_command_fails_cleanly_on_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["link", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0
    assert "nope.txt" in result.output


# --- example queries over the mapped examples plus the link and reference graphs ----------

QUERIES = Path(__file__).resolve().parent.parent / "queries"


@pytest.fixture(scope="module")
def store(reports: list[Report], links: Graph) -> OxigraphStore:
    store = OxigraphStore()
    for report in reports:
        mapped = map_report(report, URLS)
        store.replace_graph(mapped.graph_iri, mapped.graph)
    store.replace_graph(links_graph_iri(URLS), links)
    store.replace_graph(reference_graph_iri(URLS), reference_graph(URLS))
    return store


def _run(store: OxigraphStore, name: str) -> list[dict[str, str]]:
    rows = store.select((QUERIES / name).read_text(encoding="utf-8"))
    return [{k: str(v) for k, v in row.items()} for row in rows]


def _targets(unit: Unit) -> list[Target]:
    return [t for o in unit.objectives for i in o.indicators for t in i.targets]


OUR_QUERIES = (
    "20-legal-targets-by-function",
    "21-units-by-function",
    "22-institutions-by-territory",
    "23-function-by-territory",
)


def test_our_example_queries_are_listed_with_the_others_and_titled() -> None:
    examples = {e.name: e for e in load_examples(QUERIES)}
    for name in OUR_QUERIES:
        assert examples[name].title and examples[name].description


def test_legal_targets_query_lists_every_target_of_every_legal_unit(
    store: OxigraphStore, reports: list[Report]
) -> None:
    rows = _run(store, "20-legal-targets-by-function.rq")
    expected = Counter(
        (r.institution.name, u.name)
        for r in reports
        for u in r.units
        if "asesoria-juridica" in classify_unit(u.name)
        for t in _targets(u)
        if not t.not_applicable
    )
    assert Counter((row["institution_name"], row["unit_name"]) for row in rows) == expected
    assert len({row["institution_name"] for row in rows}) == 4  # Loja's is NO APLICA


def test_units_by_function_query_agrees_with_the_classification(
    store: OxigraphStore, reports: list[Report]
) -> None:
    rows = {row["function"]: row for row in _run(store, "21-units-by-function.rq")}
    found = discover(reports)
    for concept in {c for concepts in found.functions.values() for c in concepts}:
        holders = {inst for (inst, _), cs in found.functions.items() if concept in cs}
        units = {key for key, cs in found.functions.items() if concept in cs}
        row = rows[str(FUNCION[concept])]
        assert int(row["institutions"]) == len(holders), concept
        assert int(row["units"]) == len(units), concept
    assert rows[str(FUNCION["finanzas"])]["function_label"] == "Finance"


def test_institutions_by_territory_query_gives_cantons_provinces_and_wikidata(
    store: OxigraphStore, reports: list[Report]
) -> None:
    rows = _run(store, "22-institutions-by-territory.rq")
    targets = {r.institution.name: len(r.targets()) for r in reports}
    got = [
        (row["dpa_code"], row["territory_name"], row["province_name"], row["province_wikidata"])
        for row in rows
    ]
    assert got == [
        ("0602", "Alausí", "Chimborazo", str(WD.Q238492)),
        ("1101", "Loja", "Loja", str(WD.Q504238)),
    ]
    # a canton's item comes from one source (OpenStreetMap), so only as a close match
    assert [(row["territory_wikidata"], row["territory_match"]) for row in rows] == [
        (str(WD.Q2448841), str(SKOS.closeMatch)),
        (str(WD.Q1158141), str(SKOS.closeMatch)),
    ]
    for row in rows:
        assert int(row["targets"]) == targets[row["institution_name"]] > 0


def test_function_by_territory_query_finds_the_planning_units_of_local_governments(
    store: OxigraphStore, reports: list[Report]
) -> None:
    rows = _run(store, "23-function-by-territory.rq")
    planning = {"planificacion", "ordenamiento-territorial", "proyectos"}
    gads = {"gad-municipal-loja", "gad-municipal-alausi"}
    expected = {
        u.name
        for r in reports
        if r.institution.id in gads
        for u in r.units
        if planning & set(classify_unit(u.name))
    }
    assert {row["unit_name"] for row in rows} == expected
    assert {row["province_name"] for row in rows} == {"Loja", "Chimborazo"}
