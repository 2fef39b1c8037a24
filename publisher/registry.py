"""The reference registry of Ecuadorian public institutions and territories, shipped as data.

``registry/institutions.csv`` lists institutions (official name, short name, aliases, kind,
web domain, RUC, DPA code, Wikidata item, sources); ``registry/territories.csv`` lists the
INEC DPA provinces and cantons we link to. ``registry/README.md`` names the source of each
column. An empty cell means "not verified", never "does not exist".

The parser infers a report's institution with :func:`by_domain` and :func:`by_id`; the link
stage (``publisher/link.py``) matches names against :func:`load_registry`'s entries and
classifies units with :func:`load_function_rules`. :func:`reference_graph` publishes all of
it as RDF: the registry entries, the territory scheme (``B id/territorio/{DPA code}``) and
the unit-function scheme (``ontology/unit-functions.ttl``).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS, SKOS, VOID, XSD

from publisher.errors import ParseError
from publisher.uris import Urls
from publisher.vocab import CV, LOTAIP, PREFIXES, WD

REGISTRY_DIR = Path(__file__).resolve().parent.parent / "registry"
INSTITUTIONS_CSV = REGISTRY_DIR / "institutions.csv"
TERRITORIES_CSV = REGISTRY_DIR / "territories.csv"
FUNCTION_RULES_CSV = REGISTRY_DIR / "function-rules.csv"
ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
FUNCION = Namespace(str(LOTAIP) + "funcion/")
FUNCTION_SCHEME = LOTAIP["funcion"]

#: Kinds of institution, as used in the ``kind`` column.
KINDS = (
    "municipal-gad",
    "provincial-gad",
    "parish-gad",
    "association",
    "superintendency",
    "ministry",
    "public-agency",
    "council",
)

_INSTITUTION_COLUMNS = (
    "id",
    "name",
    "short_name",
    "aliases",
    "kind",
    "domain",
    "ruc",
    "dpa_code",
    "wikidata",
    "sources",
)
_TERRITORY_COLUMNS = ("code", "name", "level", "parent", "wikidata", "wikidata_match", "sources")

#: How sure a territory's Wikidata item is, and the SKOS property it is published with:
#: ``exact`` when two independent sources agree on the item, ``close`` when one source
#: gives it and the item may be the seat city's rather than the canton's.
WIKIDATA_MATCHES = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch}
_RULE_COLUMNS = ("concept", "pattern", "final")


@dataclass(frozen=True)
class RegistryEntry:
    """One public institution of the registry. Unverified fields are ``None``."""

    id: str  # slug, also the last segment of the institution IRI
    name: str  # official name
    short_name: str | None
    aliases: tuple[str, ...]
    kind: str  # one of KINDS
    domain: str | None  # official web domain, e.g. "loja.gob.ec"
    ruc: str | None  # 13-digit tax id (Registro Único de Contribuyentes)
    dpa_code: str | None  # INEC DPA code of the territory governed: "11" or "1101"
    wikidata: str | None  # Wikidata item id, e.g. "Q123"
    sources: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the institution is known by: official, short, aliases."""
        short = (self.short_name,) if self.short_name else ()
        return (self.name, *short, *self.aliases)


@dataclass(frozen=True)
class Territory:
    """A province (2-digit DPA code) or canton (4-digit) of INEC's DPA."""

    code: str
    name: str
    level: str  # "province" or "canton"
    parent: str | None  # the province code of a canton
    wikidata: str | None
    wikidata_match: str | None  # "exact" or "close" (a key of WIKIDATA_MATCHES) with an item
    sources: tuple[str, ...]

    @property
    def wikidata_link(self) -> tuple[URIRef, URIRef] | None:
        """(SKOS property, Wikidata IRI) this territory is published with, or None."""
        if self.wikidata is None or self.wikidata_match is None:
            return None
        return WIKIDATA_MATCHES[self.wikidata_match], WD[self.wikidata]


@dataclass(frozen=True)
class FunctionRule:
    """A unit-function rule: a regex over the normalised unit name and the concept it gives.

    A ``final`` rule that matches decides alone (the head of the institution is not also
    "territorial planning" because the Superintendent's title names it).
    """

    concept: str  # slug of a concept of ontology/unit-functions.ttl
    pattern: re.Pattern[str]
    final: bool


def load_registry(path: Path | None = None) -> list[RegistryEntry]:
    """Read the institutions CSV (the shipped one by default), checking every row."""
    source = path or INSTITUTIONS_CSV
    entries = [_entry(row, source, line) for line, row in _rows(source, _INSTITUTION_COLUMNS)]
    _check_unique(source, [e.id for e in entries], "id")
    _check_unique(source, [e.domain for e in entries if e.domain], "domain")
    return entries


def load_territories(path: Path | None = None) -> list[Territory]:
    """Read the territories CSV (the shipped one by default), checking every row."""
    source = path or TERRITORIES_CSV
    items = [_territory(row, source, line) for line, row in _rows(source, _TERRITORY_COLUMNS)]
    _check_unique(source, [t.code for t in items], "code")
    return items


def load_function_rules(path: Path | None = None) -> list[FunctionRule]:
    """Read the unit-function rules, in order (order matters: see ``link.classify_unit``)."""
    source = path or FUNCTION_RULES_CSV
    return [_rule(row, source, line) for line, row in _rows(source, _RULE_COLUMNS)]


def by_id(entries: list[RegistryEntry], id: str) -> RegistryEntry | None:
    """The entry with this registry id, or None."""
    return next((e for e in entries if e.id == id), None)


def by_domain(entries: list[RegistryEntry], domain: str) -> RegistryEntry | None:
    """The entry whose official domain is ``domain`` or a parent of it, or None.

    Accepts a bare domain, an e-mail address or a URL: ``"x@loja.gob.ec"``,
    ``"https://www.loja.gob.ec/"`` and ``"mail.loja.gob.ec"`` all find Loja.
    """
    host = _host(domain)
    if not host:
        return None
    for entry in entries:
        if entry.domain and (host == entry.domain or host.endswith("." + entry.domain)):
            return entry
    return None


def _host(text: str) -> str:
    """The lower-case host name in a domain, e-mail address or URL."""
    text = text.strip().lower()
    if "@" in text and "://" not in text:
        text = text.rsplit("@", 1)[1]
    if "://" in text:
        text = urlsplit(text).hostname or ""
    return text.split("/", 1)[0].rstrip(".")


def _rows(source: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The CSV's rows with their line numbers, after checking the header."""
    try:
        with source.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != columns:
                raise ParseError(str(source), f"header must be {','.join(columns)}", 1)
            return [(reader.line_num, row) for row in reader]
    except OSError as err:
        raise ParseError(str(source), f"cannot read registry: {err.strerror}") from err


def _entry(row: dict[str, str], source: Path, line: int) -> RegistryEntry:
    """One institution row, checked."""
    for column in ("id", "name", "kind"):
        if not (row.get(column) or "").strip():
            raise ParseError(str(source), f"empty {column}", line)
    if row["kind"] not in KINDS:
        raise ParseError(str(source), f"unknown kind {row['kind']!r}", line)
    ruc = _optional(row["ruc"])
    if ruc is not None and (problem := ruc_problem(ruc)):
        raise ParseError(str(source), f"bad RUC {ruc!r}: {problem}", line)
    sources = _list(row["sources"])
    if ruc is not None and not any(s.startswith("ruc:") for s in sources):
        raise ParseError(str(source), f"RUC {ruc} needs a ruc:<page> source naming where", line)
    return RegistryEntry(
        id=row["id"].strip(),
        name=row["name"].strip(),
        short_name=_optional(row["short_name"]),
        aliases=_list(row["aliases"]),
        kind=row["kind"],
        domain=_optional(row["domain"]),
        ruc=ruc,
        dpa_code=_dpa(row["dpa_code"], source, line),
        wikidata=_wikidata(row["wikidata"], source, line),
        sources=sources,
    )


def _territory(row: dict[str, str], source: Path, line: int) -> Territory:
    """One territory row, checked: the code's length must agree with the level."""
    code = _dpa(row["code"], source, line)
    level = row["level"]
    if code is None or {"province": 2, "canton": 4}.get(level) != len(code):
        raise ParseError(str(source), f"code {row['code']!r} does not fit level {level!r}", line)
    parent = _optional(row["parent"])
    if level == "canton" and parent != code[:2]:
        raise ParseError(str(source), f"canton {code} must have parent {code[:2]}", line)
    wikidata = _wikidata(row["wikidata"], source, line)
    return Territory(
        code=code,
        name=row["name"].strip(),
        level=level,
        parent=parent,
        wikidata=wikidata,
        wikidata_match=_wikidata_match(row["wikidata_match"], wikidata, source, line),
        sources=_list(row["sources"]),
    )


def _wikidata_match(value: str, item: str | None, source: Path, line: int) -> str | None:
    """``exact``, ``close`` or None; an item and its match kind come together or not at all."""
    match = _optional(value)
    if match is not None and match not in WIKIDATA_MATCHES:
        raise ParseError(
            str(source), f"wikidata_match must be exact, close or empty: {match!r}", line
        )
    if match is not None and item is None:
        raise ParseError(str(source), f"wikidata_match {match!r} without a wikidata item", line)
    if match is None and item is not None:
        raise ParseError(str(source), f"wikidata item {item} needs wikidata_match", line)
    return match


# A public-sector RUC (SRI, "sociedades del sector público"): 13 digits, the first two a
# province code (01-24, or 30 for those registered abroad), the third 6, digits 4-8 a
# sequence, the 9th a module-11 check digit over the first eight with weights 3,2,7,6,5,4,3,2
# (11 - sum mod 11, 0 when the remainder is 0; a remainder of 1 gives no valid digit), then
# the establishment "0001" of the institution itself. Rule as implemented by python-stdnum
# (stdnum/ec/ruc.py, public RUC branch) and explained step by step in "Validar el ingreso del
# RUC de Ecuador en Java - Tercera parte" (cyberexplorador.com, 2011-02-20).
_RUC_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def ruc_problem(ruc: str) -> str | None:
    """Why ``ruc`` is not a public-sector RUC (see the rule above), or None when it is."""
    if not (len(ruc) == 13 and ruc.isdigit()):
        return "a RUC has 13 digits"
    if not ("01" <= ruc[:2] <= "24" or ruc[:2] == "30"):
        return f"no province has code {ruc[:2]}"
    if ruc[2] != "6":
        return "a public institution's RUC has 6 as its third digit"
    remainder = sum(w * int(d) for w, d in zip(_RUC_WEIGHTS, ruc[:8], strict=True)) % 11
    if (11 - remainder) % 11 != int(ruc[8]):
        return "wrong check digit (9th)"
    if ruc[9:] != "0001":
        return "a public institution's RUC ends in 0001"
    return None


def _rule(row: dict[str, str], source: Path, line: int) -> FunctionRule:
    """One rule row, its pattern compiled."""
    try:
        pattern = re.compile(row["pattern"])
    except re.error as err:
        raise ParseError(str(source), f"bad pattern {row['pattern']!r}: {err}", line) from err
    if not row["concept"].strip():
        raise ParseError(str(source), "empty concept", line)
    return FunctionRule(row["concept"].strip(), pattern, row["final"].strip() == "yes")


def _dpa(value: str, source: Path, line: int) -> str | None:
    """A DPA code: 2 (province), 4 (canton) or 6 (parish) digits, or None."""
    code = _optional(value)
    if code is not None and not (len(code) in (2, 4, 6) and code.isdigit()):
        raise ParseError(str(source), f"DPA code must have 2, 4 or 6 digits: {code!r}", line)
    return code


def _wikidata(value: str, source: Path, line: int) -> str | None:
    """A Wikidata item id (``Q`` and digits), or None."""
    item = _optional(value)
    if item is not None and not (item.startswith("Q") and item[1:].isdigit()):
        raise ParseError(str(source), f"not a Wikidata item id: {item!r}", line)
    return item


def _optional(value: str | None) -> str | None:
    """The stripped cell, or None when empty."""
    value = (value or "").strip()
    return value or None


def _list(value: str | None) -> tuple[str, ...]:
    """A ``|``-separated cell as a tuple of non-empty items."""
    return tuple(part.strip() for part in (value or "").split("|") if part.strip())


def _check_unique(source: Path, values: list[str], column: str) -> None:
    """Raise ParseError when a column that must be unique repeats a value."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ParseError(str(source), f"duplicate {column} {value!r}")
        seen.add(value)


def reference_graph_iri(urls: Urls) -> URIRef:
    """Name of the graph holding the registry, territories and function scheme."""
    return urls.thing("referencia")


def territory_iri(urls: Urls, code: str) -> URIRef:
    """A province or canton of our territory scheme, by DPA code."""
    return urls.thing(f"territorio/{code}")


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("funcion", FUNCION)
    return graph


# --- the registry as RDF ---------------------------------------------------------------


def reference_graph(urls: Urls, institutions: Collection[str] | None = None) -> Graph:
    """The registry, the territory scheme and the unit-function scheme as RDF.

    ``institutions`` limits the registry entries to those ids: the published dataset
    describes the institutions whose reports it holds, not every entry we know of.
    """
    graph = new_graph()
    name = reference_graph_iri(urls)
    for text, lang in (
        ("Registro de instituciones, territorios y funciones", "es"),
        ("Registry of institutions, territories and functions", "en"),
    ):
        graph.add((name, RDFS.label, Literal(text, lang)))
    graph.parse(ONTOLOGY_DIR / "unit-functions.ttl", format="turtle")
    graph.parse(ONTOLOGY_DIR / "territories.ttl", format="turtle")
    _add_territories(graph, urls, load_territories())
    for entry in load_registry():
        if institutions is None or entry.id in institutions:
            _add_entry(graph, urls, entry)
    return graph


def _add_territories(graph: Graph, urls: Urls, territories: list[Territory]) -> None:
    """Our territory scheme: provinces and cantons as SKOS concepts keyed by DPA code."""
    scheme = urls.thing("territorio")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal("División político-administrativa (INEC)", "es")))
    graph.add((scheme, SKOS.prefLabel, Literal("Political-administrative division (INEC)", "en")))
    for t in territories:
        node = territory_iri(urls, t.code)
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, RDF.type, LOTAIP.Provincia if t.level == "province" else LOTAIP.Canton))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, SKOS.prefLabel, Literal(t.name, "es")))
        graph.add((node, SKOS.notation, Literal(t.code, datatype=LOTAIP.codigoDPA)))
        graph.add((node, LOTAIP.dpaCode, Literal(t.code)))
        if t.parent:
            graph.add((node, SKOS.broader, territory_iri(urls, t.parent)))
        else:
            graph.add((node, SKOS.topConceptOf, scheme))
        if link := t.wikidata_link:
            graph.add((node, *link))
    _add_territory_linksets(graph, urls, territories)


def _add_territory_linksets(graph: Graph, urls: Urls, territories: list[Territory]) -> None:
    """VoID for the scheme's links to Wikidata: one void:Linkset per SKOS property.

    Described here, next to the links, in the same form as ``link.linksets_graph`` describes
    the links graph's: link predicate, subjects and objects targets, triple count.
    """
    counts = Counter(t.wikidata_match for t in territories if t.wikidata_link)
    scheme, wikidata = urls.thing("territorio"), urls.thing("conjunto/wikidata")
    for match, predicate in WIKIDATA_MATCHES.items():
        if not counts[match]:
            continue
        linkset = urls.thing(f"enlaces/territorio-wikidata-{match}")
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.linkPredicate, predicate))
        graph.add((linkset, VOID.subjectsTarget, scheme))
        graph.add((linkset, VOID.objectsTarget, wikidata))
        graph.add((linkset, VOID.triples, Literal(counts[match], datatype=XSD.integer)))
    if counts:
        graph.add((scheme, RDF.type, VOID.Dataset))
        graph.add((wikidata, RDF.type, VOID.Dataset))
        graph.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
        graph.add((wikidata, VOID.uriSpace, Literal(str(WD))))


def _add_entry(graph: Graph, urls: Urls, entry: RegistryEntry) -> None:
    """One registry entry: names, kind, homepage, RUC and DPA code, and its sources."""
    node = urls.institution(entry.id)
    graph.add((node, RDF.type, ORG.FormalOrganization))
    graph.add((node, RDF.type, CV.PublicOrganisation))
    graph.add((node, SKOS.prefLabel, Literal(entry.name, "es")))
    for alias in (entry.short_name, *entry.aliases):
        if alias:
            graph.add((node, SKOS.altLabel, Literal(alias, "es")))
    graph.add((node, DCTERMS.type, LOTAIP[f"tipo-institucion/{entry.kind}"]))
    if entry.domain:
        graph.add((node, FOAF.homepage, URIRef(f"https://{entry.domain}/")))
    if entry.ruc:
        graph.add((node, LOTAIP.ruc, Literal(entry.ruc)))
    if entry.dpa_code:
        graph.add((node, LOTAIP.dpaCode, Literal(entry.dpa_code)))
    for source in entry.sources:
        graph.add((node, DCTERMS.source, Literal(source)))
