"""Namespaces: the only place vocabulary IRIs are written.

Our own vocabulary has a fixed, deployment-independent namespace (``LOTAIP``); the site
serves it at ``/def/``. Data IRIs are minted under the configured base URI (``uris.py``).
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

LOTAIP = Namespace("https://w3id.org/lotaip/def/")
CV = Namespace("http://data.europa.eu/m8g/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
WD = Namespace("http://www.wikidata.org/entity/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: Prefixes bound in every graph we serialise and declared in example queries.
PREFIXES: dict[str, str] = {
    "lotaip": str(LOTAIP),
    "org": str(ORG),
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "skos": str(SKOS),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "void": str(VOID),
    "cv": str(CV),
    "vcard": str(VCARD),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "time": str(TIME),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "dqv": str(DQV),
    "freq": str(FREQ),
    "wd": str(WD),
    "sd": str(SD),
}


def sparql_prefixes() -> str:
    """``PREFIX`` lines for every namespace in PREFIXES."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
