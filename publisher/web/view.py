"""What a page says about one IRI: its triples, incoming links, labels and sources.

``describe(store, iri)`` runs the queries in ``queries.py`` once and keeps the answer as a
``Description``, from which both the HTML page and the RDF document are made, so that the
two always say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS
from rdflib.term import Identifier, Node

from publisher.store.embedded import Row, Store
from publisher.vocab import LOTAIP, PREFIXES, VCARD
from publisher.web import queries
from publisher.web.i18n import term_label

Labels = dict[Identifier, dict[str, str]]
Triple = tuple[Node, Node, Node]
Links = dict[URIRef, list[Identifier]]
#: Predicates whose values name a thing (the same as queries._LABEL), in order of preference.
LABEL_PREDICATES = (
    RDFS.label,
    SKOS.prefLabel,
    FOAF.name,
    DCTERMS.title,
    VCARD.fn,
    LOTAIP.fileName,
)


@dataclass
class Source:
    """A named graph (report) that states something about the thing."""

    graph: URIRef
    title: str | None = None
    file: str | None = None
    url: str | None = None  # a harvested file: where it was downloaded from ...
    retrieved: str | None = None  # ... and when


@dataclass
class Description:
    """Everything the store says about ``iri`` that a page shows."""

    iri: URIRef
    outgoing: Links = field(default_factory=dict)
    incoming: Links = field(default_factory=dict)
    blanks: dict[BNode, list[tuple[URIRef, Identifier]]] = field(default_factory=dict)
    labels: Labels = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        """True when the store says anything about the thing, either way."""
        return bool(self.outgoing or self.incoming)

    @property
    def types(self) -> list[URIRef]:
        """The thing's classes."""
        return [t for t in self.outgoing.get(RDF.type, []) if isinstance(t, URIRef)]

    def rows(self) -> list[tuple[URIRef, list[Identifier]]]:
        """Outgoing predicates in reading order: type, names, then the rest by CURIE."""
        first = (RDF.type, *LABEL_PREDICATES)

        def key(p: URIRef) -> tuple[int, str]:
            return (first.index(p), "") if p in first else (len(first), curie(p))

        return [(p, self.outgoing[p]) for p in sorted(self.outgoing, key=key)]

    def label(self, node: Identifier, lang: str) -> str | None:
        """``node``'s label in ``lang`` (or Spanish, untagged, any; for a standard term the
        site's own name), None when it has none."""
        found = pick_label(self.labels.get(node, {}), lang)
        return found or (term_label(str(node), lang) if isinstance(node, URIRef) else None)

    def comment(self, lang: str) -> str | None:
        """The thing's description (``rdfs:comment``) in ``lang``, or Spanish, or any."""
        texts = self.outgoing.get(RDFS.comment, [])
        by_lang = {t.language or "": str(t) for t in texts if isinstance(t, Literal)}
        return pick_label(by_lang, lang)

    def kinds(self) -> list[URIRef]:
        """The classes to name the thing by: our own (labelled) ones when it has some."""
        ours = [t for t in self.types if t in self.labels]
        return ours or self.types

    def triples(self, doc_iri: URIRef) -> list[Triple]:
        """The RDF document: triples both ways, labels of neighbours, and its sources."""
        found: dict[Triple, None] = {}  # ordered and without repeats
        for p, objects in self.outgoing.items():
            found.update(((self.iri, p, o), None) for o in objects)
        for b, pairs in self.blanks.items():
            found.update(((b, p, o), None) for p, o in pairs)
        for p, subjects in self.incoming.items():
            found.update(((x, p, self.iri), None) for x in subjects)
        for node in neighbours(self):
            for lang, text in self.labels.get(node, {}).items():
                found[(node, RDFS.label, Literal(text, lang=lang or None))] = None
        found[(doc_iri, FOAF.primaryTopic, self.iri)] = None
        for source in self.sources:
            found[(doc_iri, PROV.wasDerivedFrom, source.graph)] = None
        return list(found)


def pick_label(by_lang: dict[str, str], lang: str) -> str | None:
    """The best of a node's labels for a reader of ``lang``."""
    for choice in (lang, "es", ""):
        if choice in by_lang:
            return by_lang[choice]
    return next(iter(by_lang.values()), None)


def neighbours(desc: Description) -> set[Identifier]:
    """IRIs the thing links to or is linked from (not literals, not itself)."""
    found: set[Identifier] = {o for os in desc.outgoing.values() for o in os}
    found |= {x for xs in desc.incoming.values() for x in xs}
    return {n for n in found if isinstance(n, URIRef) and n != desc.iri}


def _add_label(labels: Labels, node: Identifier | None, text: Identifier | None) -> None:
    if node is not None and isinstance(text, Literal):
        labels.setdefault(node, {}).setdefault(text.language or "", str(text))


def describe(store: Store, iri: URIRef, history: URIRef | None = None) -> Description:
    """Ask the store about ``iri``: outgoing, blank-node details, incoming, sources.

    The default graph holds the current state only; a thing it does not type (an older
    month's report, a target since dropped) is described from the ``history`` graph, so
    a URI once published keeps its description. An untyped thing the history graph does
    not hold either (a corpus graph's own IRI, ``id/referencia``) is read from the default
    graph after all."""
    desc = Description(iri)
    bind: dict[str, Identifier] = {"s": iri}
    rows = []
    if history is not None and not store.ask(queries.CURRENT, bind):
        rows = store.select(queries.HISTORY_OUTGOING, {"s": iri, "history": history})
    if not rows:
        rows = store.select(queries.OUTGOING, bind)
    desc.outgoing = _collect(rows, "o", "olabel", desc.labels)
    for p in LABEL_PREDICATES:
        for name in desc.outgoing.get(p, []):
            _add_label(desc.labels, iri, name)
    if any(isinstance(o, BNode) for os in desc.outgoing.values() for o in os):
        for row in store.select(queries.BLANK_OUTGOING, bind):
            pair = (URIRef(row["p"]), row["o"])
            desc.blanks.setdefault(BNode(row["b"]), []).append(pair)
    desc.incoming = _collect(store.select(queries.INCOMING, bind), "x", "xlabel", desc.labels)
    desc.sources = _sources(store, bind)
    return desc


def _collect(rows: list[Row], key: str, label_key: str, labels: Labels) -> Links:
    """Rows of (?p, ?<key>) as predicate -> distinct nodes, noting the labels they carry."""
    found: Links = {}
    for row in rows:
        p, node = URIRef(row["p"]), row[key]
        values = found.setdefault(p, [])
        if node not in values:
            values.append(node)
        _add_label(labels, node, row.get(label_key))
        _add_label(labels, p, row.get("plabel"))
    return found


def _sources(store: Store, bind: Mapping[str, Identifier]) -> list[Source]:
    """Named graphs stating something about the thing, one entry each."""
    found: dict[URIRef, Source] = {}
    for row in store.select(queries.SOURCES, bind):
        g = URIRef(row["g"])
        source = found.setdefault(g, Source(g))
        source.title = source.title or _text(row.get("title"))
        source.file = source.file or _text(row.get("file"))
        source.url = source.url or _text(row.get("url"))
        source.retrieved = source.retrieved or _text(row.get("retrieved"))
    return list(found.values())


def _text(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


@lru_cache(maxsize=4096)
def curie(iri: str) -> str:
    """``http://www.w3.org/ns/org#hasUnit`` -> ``org:hasUnit`` (the IRI when no prefix fits)."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri
