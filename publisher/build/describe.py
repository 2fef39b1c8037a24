"""VoID and DCAT description of the whole published dataset (``void.ttl``).

One node is at once a ``void:Dataset``, a ``dcat:Catalog`` and a ``dcat:Dataset``: VoID
clients find the SPARQL endpoint, the dumps and the IRI space; DCAT harvesters find the
licence, the publisher, one ``dcat:Distribution`` per dump and one dataset per report.
Each report's named graph is a ``void:subset`` with its own triple count, so that a
client can tell the reports apart without querying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD

from publisher.build.publish import Dump
from publisher.uris import Urls
from publisher.vocab import LOTAIP, ORG, PREFIXES, PROV, QUDT, SKOS, WD

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"
ECUADOR = WD.Q736
TITLE = {
    "es": "Metas y objetivos de las unidades administrativas (LOTAIP, literal a4)",
    "en": "Goals and targets of administrative units (LOTAIP, item a4)",
}
DESCRIPTION = {
    "es": "Reportes del literal a4 de la LOTAIP publicados como datos enlazados: "
    "instituciones, unidades, objetivos, indicadores y metas, un grafo por reporte.",
    "en": "Ecuador's LOTAIP item a4 reports as linked data: institutions, units, "
    "objectives, indicators and targets, one named graph per report.",
}
PUBLISHER_NAME = "lotaip-lod"
#: Media types of RDF dumps (void:dataDump); other distributions are DCAT only.
RDF_MEDIA_TYPES = frozenset({"application/n-quads", "text/turtle"})
#: Vocabularies the data uses, stated as void:vocabulary.
VOCABULARIES = (LOTAIP, ORG, DCAT, DCTERMS, PROV, SKOS, QUDT)


@dataclass(frozen=True)
class Subset:
    """One named graph of the dataset (a report, the ontology, a linkset)."""

    graph_iri: URIRef
    triples: int
    title: str | None = None
    dataset: URIRef | None = None  # the dcat:Dataset the graph publishes (a report)


def dataset_iri(urls: Urls) -> URIRef:
    """The IRI of the whole dataset, described in ``void.ttl``."""
    return urls.thing("dataset")


def add_linkset(
    graph: Graph, linkset: URIRef, predicate: URIRef, subjects: URIRef, objects: URIRef, count: int
) -> None:
    """Describe ``linkset`` (VoID): ``count`` ``predicate`` links from the dataset
    ``subjects`` to the dataset ``objects``."""
    graph.add((linkset, RDF.type, VOID.Linkset))
    graph.add((linkset, VOID.linkPredicate, predicate))
    graph.add((linkset, VOID.subjectsTarget, subjects))
    graph.add((linkset, VOID.objectsTarget, objects))
    graph.add((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))
    graph.add((objects, RDF.type, VOID.Dataset))


def add_wikidata(graph: Graph, urls: Urls) -> URIRef:
    """Describe Wikidata as a linked dataset (homepage, URI space); its IRI."""
    wikidata = urls.thing("conjunto/wikidata")
    graph.add((wikidata, RDF.type, VOID.Dataset))
    graph.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    graph.add((wikidata, VOID.uriSpace, Literal(str(WD))))
    return wikidata


def dump_url(urls: Urls, name: str) -> URIRef:
    """Where the site serves a dump: ``B dumps/<name>``."""
    return URIRef(f"{urls.base}dumps/{name}")


def describe_dataset(
    urls: Urls,
    *,
    version: str,
    issued: datetime,
    triples: int,
    subsets: Sequence[Subset],
    dumps: Sequence[Dump],
) -> Graph:
    """The VoID + DCAT description of one published version."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    node = dataset_iri(urls)
    for cls in (VOID.Dataset, DCAT.Catalog, DCAT.Dataset):
        graph.add((node, RDF.type, cls))
    _add_metadata(graph, node, urls, version, issued)
    graph.add((node, VOID.triples, Literal(triples, datatype=XSD.integer)))
    graph.add((node, VOID.sparqlEndpoint, URIRef(f"{urls.base}sparql")))
    graph.add((node, VOID.uriSpace, Literal(f"{urls.base}id/")))
    for vocabulary in VOCABULARIES:
        graph.add((node, VOID.vocabulary, URIRef(str(vocabulary))))
    for dump in dumps:
        _add_dump(graph, node, urls, dump)
    for subset in subsets:
        _add_subset(graph, node, subset)
    return graph


def _add_metadata(graph: Graph, node: URIRef, urls: Urls, version: str, issued: datetime) -> None:
    for lang, text in TITLE.items():
        graph.add((node, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        graph.add((node, DCTERMS.description, Literal(text, lang=lang)))
    graph.add((node, DCTERMS.license, LICENSE))
    graph.add((node, DCTERMS.modified, Literal(issued, datatype=XSD.dateTime)))
    graph.add((node, OWL.versionInfo, Literal(version)))
    graph.add((node, DCTERMS.spatial, ECUADOR))
    graph.add((node, DCAT.landingPage, URIRef(urls.base)))
    publisher = BNode("publisher")
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(PUBLISHER_NAME)))


def _add_dump(graph: Graph, node: URIRef, urls: Urls, dump: Dump) -> None:
    url = dump_url(urls, dump.name)
    if dump.media_type in RDF_MEDIA_TYPES:  # the tidy CSV/XLSX are distributions, not dumps
        graph.add((node, VOID.dataDump, url))
    distribution = URIRef(f"{node}/distribucion/{dump.name}")
    graph.add((node, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.downloadURL, url))
    graph.add((distribution, DCAT.accessURL, url))
    graph.add((distribution, DCAT.mediaType, URIRef(IANA + dump.media_type)))
    if dump.compression:
        graph.add((distribution, DCAT.compressFormat, URIRef(IANA + dump.compression)))
    graph.add((distribution, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    graph.add((distribution, DCTERMS.license, LICENSE))
    graph.add((distribution, DCTERMS.title, Literal(dump.name)))


def _add_subset(graph: Graph, node: URIRef, subset: Subset) -> None:
    graph.add((node, VOID.subset, subset.graph_iri))
    graph.add((subset.graph_iri, RDF.type, VOID.Dataset))
    graph.add((subset.graph_iri, VOID.triples, Literal(subset.triples, datatype=XSD.integer)))
    if subset.title:
        graph.add((subset.graph_iri, DCTERMS.title, Literal(subset.title)))
    if subset.dataset is not None:
        graph.add((node, DCAT.dataset, subset.dataset))
