"""The vocabulary: documented in Spanish and English, aligned, closed over what we publish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS, SKOS

from publisher.mapping.rdf import MAPPINGS_DIR, expand, ontology_graph
from publisher.mapping.validate import SHAPES_DIR
from publisher.records import PROCESS_LEVELS
from publisher.vocab import CV, DCAT, LOTAIP, ORG, PREFIXES, PROV, RDF

ONTOLOGY = ontology_graph()
ONTOLOGY_IRI = URIRef(str(LOTAIP))
TERMS = sorted(
    {s for s in ONTOLOGY.subjects(RDFS.isDefinedBy, ONTOLOGY_IRI)}
    | {s for s in ONTOLOGY.subjects(RDF.type, OWL.Class) if str(s).startswith(str(LOTAIP))}
    | {s for s in ONTOLOGY.subjects(RDF.type, OWL.ObjectProperty)}
    | {s for s in ONTOLOGY.subjects(RDF.type, OWL.DatatypeProperty)}
)


@pytest.mark.parametrize("term", TERMS, ids=lambda t: str(t)[len(LOTAIP) :])
def test_every_term_is_documented_in_both_languages(term: URIRef) -> None:
    for prop in (RDFS.label, RDFS.comment):
        langs = {o.language for o in ONTOLOGY.objects(term, prop)}  # type: ignore[attr-defined]
        assert {"es", "en"} <= langs, f"{term} {prop}"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ONTOLOGY


def test_no_imports_so_it_stays_offline() -> None:
    assert list(ONTOLOGY.triples((None, OWL.imports, None))) == []


def test_classes_are_aligned_to_the_standard_ones() -> None:
    for ours, standard in [
        (LOTAIP.Institution, ORG.FormalOrganization),
        (LOTAIP.Institution, CV.PublicOrganisation),
        (LOTAIP.AdministrativeUnit, ORG.OrganizationalUnit),
        (LOTAIP.Report, DCAT.Dataset),
        (LOTAIP.ProcessLevel, SKOS.Concept),
        (LOTAIP.SourceFile, PROV.Entity),
    ]:
        assert (ours, RDFS.subClassOf, standard) in ONTOLOGY
    assert (LOTAIP.isObjectiveOf, OWL.inverseOf, ORG.purpose) in ONTOLOGY
    assert list(ONTOLOGY.objects(LOTAIP.Indicator, SKOS.closeMatch))


def test_one_process_level_concept_per_record_key() -> None:
    levels = set(ONTOLOGY.subjects(RDF.type, LOTAIP.ProcessLevel))
    assert levels == {LOTAIP[f"nivel/{k}"] for k in PROCESS_LEVELS}
    for key, label in PROCESS_LEVELS.items():
        concept = LOTAIP[f"nivel/{key}"]
        assert (concept, SKOS.inScheme, LOTAIP.nivel) in ONTOLOGY
        labels = {str(o) for o in ONTOLOGY.objects(concept, SKOS.prefLabel)}
        assert label in labels


def _curies(text: str) -> set[str]:
    return set(re.findall(r"\blotaip:[A-Za-z][\w-]*", text))


@pytest.mark.parametrize(
    "path",
    [*sorted(MAPPINGS_DIR.glob("*.toml")), *sorted(SHAPES_DIR.glob("*.shacl.ttl"))],
    ids=lambda p: p.name,
)
def test_every_lotaip_term_we_use_is_defined(path: Path) -> None:
    used = {expand(c) for c in _curies(path.read_text(encoding="utf-8"))}
    undefined = sorted(str(t) for t in used if (t, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ONTOLOGY)
    assert undefined == []


def test_ontology_graph_is_a_fresh_copy() -> None:
    first = ontology_graph()
    first.remove((None, None, None))
    assert len(ontology_graph()) == len(ONTOLOGY) > 0
    assert isinstance(ontology_graph(), Graph)
    assert "lotaip" in PREFIXES
