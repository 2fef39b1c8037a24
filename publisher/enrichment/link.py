"""Link stage: join our institutions and units with other public datasets.

Three kinds of link, each found by rules that can be read and tested:

- **institutions → registry → Wikidata**: a report's institution is matched to the registry
  (``registry/institutions.csv``) by exact id, then official web domain, then normalised
  name (rapidfuzz, with a score and thresholds). A sure match (``exact``) gives
  ``owl:sameAs`` to its Wikidata item; a probable one (``close``) only ``skos:closeMatch``;
  anything under ``CLOSE_SCORE`` stays unmatched and is reported, never guessed.
- **GADs → territory**: a matched municipal or provincial GAD gets its INEC DPA code as a
  literal (``lotaip:dpaCode``) and ``dct:spatial`` to the canton or province in our small
  territory scheme, whose provinces are ``skos:exactMatch`` their Wikidata items.
- **units → function**: each unit is classified (``lotaip:unitFunction``) into the concept
  scheme of ``ontology/unit-functions.ttl`` by the rules of ``registry/function-rules.csv``
  over its normalised name; units no rule fits are listed for review.

``link_graph(reports, urls)`` returns the links plus their VoID ``void:Linkset``
descriptions, to be stored as one separate graph (``links_graph_iri``). The build keeps
each report's ``report_links`` and adds ``links_header`` and ``linksets_graph`` to them, so
a rebuild matches only new reports. ``registry.reference_graph(urls)`` returns the
registry, the territory scheme and the function scheme as RDF (``reference_graph_iri``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VOID

from publisher.build.describe import add_linkset, add_wikidata, dataset_iri
from publisher.enrichment.registry import (
    FUNCION,
    FUNCTION_SCHEME,
    FunctionRule,
    RegistryEntry,
    Territory,
    by_domain,
    by_id,
    load_function_rules,
    load_registry,
    load_territories,
    new_graph,
    territory_iri,
)
from publisher.parse import parse_file, trio
from publisher.records import Report, Unit
from publisher.uris import Urls, normalise
from publisher.vocab import LOTAIP, WD

#: At or above: the same institution (owl:sameAs). Name matches only; id and domain are sure.
EXACT_SCORE = 95.0
#: At or above (and under EXACT_SCORE): probably the same (skos:closeMatch). Below: unmatched.
CLOSE_SCORE = 85.0
#: A name match closer than this to a second entry is ambiguous, so at best ``close``.
AMBIGUITY_MARGIN = 5.0

# Words that say what kind of body it is, not which one: they must not make two
# different municipalities look alike ("GAD Municipal de Loja" / "… de Cuenca").
_GENERIC_WORDS = frozenset(
    {
        *("gobierno", "autonomo", "descentralizado", "gad", "gadm", "gadp"),
        *("municipal", "municipalidad", "municipio", "alcaldia", "canton", "cantonal"),
        *("provincial", "provincia", "prefectura", "consejo", "concejo"),
        *("de", "del", "la", "el", "los", "las", "y", "en"),
    }
)


@dataclass(frozen=True)
class InstitutionMatch:
    """How one institution named in a report was matched to the registry."""

    query: str  # the name looked up (or the id, when matched by id)
    entry: RegistryEntry | None
    method: str | None  # "id", "domain" or "name"; None when unmatched
    score: float  # 100 for id and domain; rapidfuzz score for names
    ambiguous: bool = False

    @property
    def confidence(self) -> str | None:
        """``"exact"``, ``"close"`` or None (unmatched)."""
        if self.entry is None or self.score < CLOSE_SCORE:
            return None
        return "exact" if self.score >= EXACT_SCORE and not self.ambiguous else "close"


@dataclass
class LinkReport:
    """What the link stage found: institution matches and unit classifications."""

    matches: dict[str, InstitutionMatch] = field(default_factory=dict)  # by report file
    functions: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (inst, unit)

    @property
    def unclassified(self) -> list[tuple[str, str]]:
        """(institution id, unit name) of units no rule classified, for review."""
        return [key for key, concepts in self.functions.items() if not concepts]

    @property
    def unmatched(self) -> list[str]:
        """Report files whose institution matched no registry entry."""
        return [file for file, m in self.matches.items() if m.confidence is None]


# --- institutions ------------------------------------------------------------------------


def match_institution(
    entries: list[RegistryEntry],
    *,
    id: str | None = None,
    domain: str | None = None,
    name: str | None = None,
) -> InstitutionMatch:
    """Match by exact registry id, else by web domain (or e-mail), else by name."""
    if id and (entry := by_id(entries, id)):
        return InstitutionMatch(id, entry, "id", 100.0)
    if domain and (entry := by_domain(entries, domain)):
        return InstitutionMatch(domain, entry, "domain", 100.0)
    if name:
        return match_name(entries, name)
    return InstitutionMatch(id or domain or "", None, None, 0.0)


def match_name(entries: list[RegistryEntry], name: str) -> InstitutionMatch:
    """The registry entry whose names best match ``name``, with score; None under threshold."""
    ranked = sorted(((_name_score(name, e), e) for e in entries), key=lambda p: -p[0])
    if not ranked or ranked[0][0] < CLOSE_SCORE:
        return InstitutionMatch(name, None, None, ranked[0][0] if ranked else 0.0)
    best_score, best = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    return InstitutionMatch(name, best, "name", best_score, best_score - second < AMBIGUITY_MARGIN)


def _name_score(name: str, entry: RegistryEntry) -> float:
    """Best score of ``name`` against the entry's names.

    The score is the lower of two rapidfuzz token-sort ratios: over the whole normalised
    names, and over their distinctive words only (without "GAD", "municipal", "de"…), so
    that a shared boilerplate cannot carry two different places over the threshold.
    """
    query = normalise(name)
    return max((_pair_score(query, n) for n in _normalised_names(entry)), default=0.0)


@lru_cache(maxsize=4096)
def _normalised_names(entry: RegistryEntry) -> tuple[str, ...]:
    """The entry's names, normalised once (entries are frozen, so they can be cached)."""
    return tuple(normalise(n) for n in entry.names)


def _pair_score(a: str, b: str) -> float:
    """min(whole-name ratio, distinctive-words ratio) of two normalised names."""
    whole = fuzz.token_sort_ratio(a, b)
    da, db = _distinctive(a), _distinctive(b)
    if not da and not db:
        return float(whole)
    return float(min(whole, fuzz.token_sort_ratio(da, db)))


def _distinctive(normalised_name: str) -> str:
    """The words of a normalised name that are not generic, sorted."""
    return " ".join(sorted(w for w in normalised_name.split() if w not in _GENERIC_WORDS))


# --- unit functions ----------------------------------------------------------------------


def classify_unit(name: str, rules: list[FunctionRule] | None = None) -> list[str]:
    """Function concept slugs for a unit name (``[]`` when no rule applies).

    Names like ``"Dirección Administrativa Financiera - Coordinación de Talento Humano"``
    name a sub-unit after the dash, so the most specific part decides: the last part is
    classified first, the whole name only when that part gives nothing.
    """
    active = load_function_rules() if rules is None else rules
    parts = [p for p in name.split("-") if normalise(p)]
    if len(parts) > 1 and (found := _apply_rules(normalise(parts[-1]), active)):
        return found
    return _apply_rules(normalise(name), active)


def _apply_rules(text: str, rules: list[FunctionRule]) -> list[str]:
    """Run the rules in order; each match is cut out so later rules cannot reuse its words.

    (So "tecnologías de la información y comunicaciones" is IT, not also communication.)
    """
    found: list[str] = []
    for rule in rules:
        match = rule.pattern.search(text)
        if match is None:
            continue
        if rule.final:
            return [rule.concept]
        if rule.concept not in found:
            found.append(rule.concept)
        text = rule.pattern.sub(" ", text)
    return found


# --- discovery and graphs ----------------------------------------------------------------


def discover(reports: Sequence[Report], entries: list[RegistryEntry] | None = None) -> LinkReport:
    """Match every report's institution and classify every unit."""
    known = load_registry() if entries is None else entries
    rules = load_function_rules()
    found = LinkReport()
    for report in reports:
        inst = report.institution
        found.matches[report.source.file] = match_institution(
            known, id=inst.id, domain=inst.domain, name=inst.name
        )
        for unit in report.units:
            found.functions.setdefault((inst.id, unit.name), classify_unit(unit.name, rules))
    return found


def discover_files(paths: Sequence[Path]) -> LinkReport:
    """Parse the report files (a folder stands for its visible files) and discover links."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and _visible(p))
        else:
            files.append(path)
    return discover([parse_file(f) for f in trio.report_files(files)])


def _visible(path: Path) -> bool:
    """Not a hidden file nor an editor's backup."""
    return not path.name.startswith(".") and not path.name.endswith("~")


def describe_links(found: LinkReport, *, units: bool = False) -> list[str]:
    """Readable lines: each institution match with its score, function counts, and the
    unclassified units (every unit with its functions when ``units``)."""
    lines = ["institutions:"]
    for file, match in found.matches.items():
        lines.append(f"  {file}: {_describe_match(match)}")
    counts = Counter(c for concepts in found.functions.values() for c in concepts)
    classified = len(found.functions) - len(found.unclassified)
    lines.append(f"units: {classified} classified, {len(found.unclassified)} unclassified")
    lines += [f"  {concept}: {n}" for concept, n in sorted(counts.items())]
    if units:
        lines.append("unit functions:")
        lines += [
            f"  {inst} | {name} -> {', '.join(concepts) or '-'}"
            for (inst, name), concepts in found.functions.items()
        ]
    if found.unclassified:
        lines.append("unclassified units (for review):")
        lines += [f"  {inst} | {name}" for inst, name in found.unclassified]
    return lines


def _describe_match(match: InstitutionMatch) -> str:
    """One match as ``id (by method, score 97.5, exact; wikidata Q1, DPA 1101)``."""
    if match.confidence is None or match.entry is None:
        return f"UNMATCHED {match.query!r} (best score {match.score:.1f} < {CLOSE_SCORE:.0f})"
    entry = match.entry
    extra = [f"wikidata {entry.wikidata}"] if entry.wikidata else []
    extra += [f"DPA {entry.dpa_code}"] if entry.dpa_code else []
    note = ", ambiguous" if match.ambiguous else ""
    details = "; ".join(
        [f"by {match.method}, score {match.score:.1f}, {match.confidence}{note}"] + extra
    )
    return f"{entry.id} ({details})"


def links_graph_iri(urls: Urls) -> URIRef:
    """Name of the graph holding the links and their VoID description."""
    return urls.thing("enlaces")


def links_header(urls: Urls) -> Graph:
    """The links graph's fixed part: its labels."""
    graph = new_graph()
    name = links_graph_iri(urls)
    graph.add((name, RDFS.label, Literal("Enlaces con otros conjuntos de datos", "es")))
    graph.add((name, RDFS.label, Literal("Links to other datasets", "en")))
    return graph


@dataclass(frozen=True)
class Reference:
    """The reference data links are found with (loaded once per build)."""

    entries: list[RegistryEntry]
    rules: list[FunctionRule]
    territories: dict[str, Territory]

    @classmethod
    def load(cls, entries: list[RegistryEntry] | None = None) -> Reference:
        """The shipped registry (or ``entries``), function rules and territories."""
        known = load_registry() if entries is None else entries
        territories = {t.code: t for t in load_territories()}
        return cls(known, load_function_rules(), territories)


def report_links(report: Report, urls: Urls, reference: Reference) -> Graph:
    """The links of one report: its institution's, and its units' functions."""
    graph = Graph()
    inst = report.institution
    match = match_institution(reference.entries, id=inst.id, domain=inst.domain, name=inst.name)
    _add_institution_links(graph, urls, inst.id, match, reference.territories)
    for unit, iri in unit_iris(report, urls):
        for concept in classify_unit(unit.name, reference.rules):
            graph.add((iri, LOTAIP.unitFunction, FUNCION[concept]))
    return graph


def link_graph(
    reports: Sequence[Report], urls: Urls, entries: list[RegistryEntry] | None = None
) -> Graph:
    """Links found for ``reports`` plus their ``void:Linkset`` descriptions.

    ``entries`` replaces the shipped registry (for tests and other registries). The build
    assembles the same graph from each report's ``report_links`` kept since it was built.
    """
    reference = Reference.load(entries)
    graph = links_header(urls)
    for report in reports:
        for triple in report_links(report, urls, reference):
            graph.add(triple)
    for triple in linksets_graph(urls, ((str(p), str(o)) for _, p, o in graph)):
        graph.add(triple)
    return graph


def unit_iris(report: Report, urls: Urls) -> Iterator[tuple[Unit, URIRef]]:
    """Each unit of a report with its IRI, minted as the mapping mints it.

    Units are keyed by name under their institution; a name met again in the same report
    is numbered (``…-2``) in reading order, as ``mapping.py`` does.
    """
    institution = urls.institution(report.institution.id)
    seen: dict[URIRef, int] = {}
    for unit in report.units:
        iri = urls.unit(institution, unit.name)
        seen[iri] = seen.get(iri, 0) + 1
        yield unit, iri if seen[iri] == 1 else Urls.numbered(iri, seen[iri])


def _add_institution_links(
    graph: Graph,
    urls: Urls,
    inst_id: str,
    match: InstitutionMatch,
    territories: dict[str, Territory],
) -> None:
    """sameAs/closeMatch to Wikidata and the registry entry; territory for sure matches."""
    entry, confidence = match.entry, match.confidence
    if entry is None or confidence is None:
        return
    subject = urls.institution(inst_id)
    same = SKOS.exactMatch if confidence == "exact" else SKOS.closeMatch
    if entry.id != inst_id:
        graph.add((subject, same, urls.institution(entry.id)))
    if entry.wikidata:
        to_wikidata = OWL.sameAs if confidence == "exact" else SKOS.closeMatch
        graph.add((subject, to_wikidata, WD[entry.wikidata]))
    if confidence == "exact" and entry.dpa_code:
        graph.add((subject, LOTAIP.dpaCode, Literal(entry.dpa_code)))
        if entry.dpa_code in territories:
            graph.add((subject, DCTERMS.spatial, territory_iri(urls, entry.dpa_code)))


def _linkset_targets(urls: Urls) -> list[tuple[str, URIRef, URIRef, str]]:
    """(linkset slug, link predicate, objects target dataset, IRI prefix of the objects)."""
    wikidata, registry = urls.thing("conjunto/wikidata"), urls.thing("conjunto/registro")
    territory_prefix = str(territory_iri(urls, ""))
    institution_prefix = str(urls.thing("institucion/"))
    return [
        ("wikidata-sameas", OWL.sameAs, wikidata, str(WD)),
        ("wikidata-closematch", SKOS.closeMatch, wikidata, str(WD)),
        ("registro-exactmatch", SKOS.exactMatch, registry, institution_prefix),
        ("registro-closematch", SKOS.closeMatch, registry, institution_prefix),
        ("territorio", DCTERMS.spatial, urls.thing("territorio"), territory_prefix),
        ("funcion", LOTAIP.unitFunction, FUNCTION_SCHEME, str(FUNCION)),
    ]


def linksets_graph(urls: Urls, links: Iterable[tuple[str, str]]) -> Graph:
    """One void:Linkset per (predicate, target) that has links, with its triple count.

    ``links`` are the (predicate, object) of each distinct triple of the links graph.
    """
    graph = Graph()
    targets = _linkset_targets(urls)
    counts = Counter(
        slug
        for predicate, obj in links
        for slug, link_predicate, _, prefix in targets
        if predicate == str(link_predicate) and obj.startswith(prefix)
    )
    ours = dataset_iri(urls)
    for slug, predicate, target, _ in targets:
        if counts[slug]:
            add_linkset(graph, urls.thing(f"enlaces/{slug}"), predicate, ours, target, counts[slug])
    if (urls.thing("conjunto/wikidata"), RDF.type, VOID.Dataset) in graph:
        add_wikidata(graph, urls)
    return graph
