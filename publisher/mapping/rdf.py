"""STAGE 2: records -> RDF, by interpreting the declarative tables in ``mappings/``.

``mappings/literal-a4.toml`` says, for every record kind, which classes its node gets,
which field becomes which property (with a language, datatype, converter or template), and
which nested records become linked child nodes minted by ``Urls``. This module is the one
interpreter of those tables; it writes no vocabulary of its own.

``map_report(report, urls)`` returns the report's named graph IRI and a self-contained
graph (institution, units, objectives, … and the report's dataset node), so that each
report validates alone. ``ontology_graph()`` gives the vocabulary and the process levels.

The interpreter writes pyoxigraph terms and the report's N-Triples lines directly (a build
needs nothing else: ``MappedReport.ntriples()``, ``.nquads()``); the rdflib graph that the
tests and the link and quality stages read is made from those terms only when asked for
(``MappedReport.graph``). What each rule needs (predicate and class terms, attribute
readers, how a value becomes a term) is worked out once, when the mapping is loaded.
"""

from __future__ import annotations

import functools
import operator
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from publisher.errors import MappingError, PublisherError
from publisher.mapping.convert import CONVERTERS, LabelFormatter, Term
from publisher.records import Report
from publisher.settings import PROJECT_ROOT
from publisher.store.rdftext import canonical_literal, from_ox, with_graph
from publisher.uris import Urls
from publisher.vocab import PREFIXES, RDF, XSD

MAPPINGS_DIR = PROJECT_ROOT / "mappings"
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
#: The vocabulary files ``ontology_graph`` serves (others in ontology/ belong to other stages).
ONTOLOGY_FILES = ("publisher.ttl", "process-levels.ttl")
DEFAULT_MAPPING = "literal-a4"
SOFTWARE_NAME = "lotaip-lod"
_BASE = "base"  # ``under = "base"``: the child's IRI has no parent IRI


#: One triple of a mapped report, in pyoxigraph terms (literals as the store keeps them).
Triple = tuple[ox.NamedNode, ox.NamedNode, Term]


@dataclass(frozen=True)
class MappedReport:
    """One report as RDF: its named graph IRI (also its dataset node) and its triples.

    ``triples`` hold the terms, with typed literals in the form the store keeps them;
    ``lines`` the same triples as N-Triples lines.
    """

    graph_iri: URIRef
    triples: tuple[Triple, ...]
    lines: tuple[str, ...]

    def nquads(self) -> bytes:
        """The report's N-Quads in its graph, byte for byte as the store will give them
        back."""
        return with_graph(self.ntriples().encode("utf-8"), str(self.graph_iri))

    def ntriples(self) -> str:
        """The report's triples as N-Triples."""
        return "".join(self.lines)

    @functools.cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib graph (for SHACL and the other readers), made once."""
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        made: dict[Any, Any] = {}  # a node is in ~10 triples: convert it once

        def rdflib_term(term: Any) -> Any:
            found = made.get(term)
            if found is None:
                found = made[term] = from_ox(term)
            return found

        # straight to the store: Graph.add only re-checks the term types from_ox gave
        add = graph.store.add
        for s, p, o in self.triples:
            add((rdflib_term(s), rdflib_term(p), rdflib_term(o)), graph, False)
        return graph


@dataclass(frozen=True)
class Publication:
    """The root record a mapping sees: the report, and when and by what it was mapped."""

    report: Report
    generated_at: datetime
    software_name: str
    software_version: str


@dataclass(frozen=True)
class FieldRule:
    """One ``[[kinds.K.fields]]`` entry: a record value -> one triple."""

    paths: tuple[str, ...]
    property: URIRef
    language: str | None = None
    datatype: URIRef | None = None
    converter: str | None = None
    template: str | None = None
    # worked out once from the above (see __post_init__)
    node: _Node = field(init=False, repr=False, compare=False)
    getters: tuple[Callable[[Any], Any], ...] = field(init=False, repr=False, compare=False)
    make: Callable[[Any, Any, Any], Term | None] = field(init=False, repr=False, compare=False)
    typed: bool = field(init=False, repr=False, compare=False)  # may give a typed literal

    def __post_init__(self) -> None:
        set_ = functools.partial(object.__setattr__, self)
        set_("node", _node(str(self.property)))
        set_("getters", tuple(_getter(p) for p in self.paths))
        set_("make", _maker(self))
        plain = self.datatype is None or self.datatype == XSD.string
        set_("typed", self.converter is not None or (self.template is None and not plain))


@dataclass(frozen=True)
class ChildRule:
    """One ``[[kinds.K.children]]`` entry: nested records -> linked, minted nodes."""

    path: str
    kind: str
    mint: str | None = None
    key: str | None = None
    under: str | None = None
    link: URIRef | None = None
    inverse: URIRef | None = None
    when: str | None = None
    unless: str | None = None
    else_kind: str | None = None
    when_any: tuple[str, ...] = ()
    # worked out once from the above (see __post_init__)
    getter: Callable[[Any], Any] = field(init=False, repr=False, compare=False)
    key_getter: Callable[[Any], Any] | None = field(init=False, repr=False, compare=False)
    link_node: _Node | None = field(init=False, repr=False, compare=False)
    inverse_node: _Node | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = functools.partial(object.__setattr__, self)
        set_("getter", _getter(self.path))
        set_("key_getter", _getter(self.key) if self.key is not None else None)
        set_("link_node", _node(str(self.link)) if self.link is not None else None)
        set_("inverse_node", _node(str(self.inverse)) if self.inverse is not None else None)


@dataclass(frozen=True)
class KindRule:
    """One ``[kinds.K]`` table."""

    name: str
    classes: tuple[URIRef, ...]
    inline: bool
    context_links: tuple[tuple[URIRef, str], ...]
    fields: tuple[FieldRule, ...]
    children: tuple[ChildRule, ...]
    # worked out once from the above (see __post_init__)
    class_nodes: tuple[_Node, ...] = field(init=False, repr=False, compare=False)
    context_nodes: tuple[tuple[_Node, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = functools.partial(object.__setattr__, self)
        set_("class_nodes", tuple(_node(str(c)) for c in self.classes))
        set_("context_nodes", tuple((_node(str(p)), k) for p, k in self.context_links))


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file: the root kind and every kind by name."""

    root: str
    kinds: dict[str, KindRule]


# --------------------------------------------------------------------------- loading


def expand(curie: str) -> URIRef:
    """``"dct:issued"`` -> the full IRI, with the prefixes of ``vocab.PREFIXES``."""
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise MappingError(f"unknown prefix in {curie!r}; known: {sorted(PREFIXES)}")
    return URIRef(PREFIXES[prefix] + local)


def _field_rule(kind: str, raw: dict[str, Any]) -> FieldRule:
    paths = raw["field"] if isinstance(raw["field"], list) else [raw["field"]]
    converter = raw.get("converter")
    if converter is not None and converter not in CONVERTERS:
        raise MappingError(f"kind {kind!r}: unknown converter {converter!r}")
    datatype = raw.get("datatype")
    return FieldRule(
        paths=tuple(paths),
        property=expand(raw["property"]),
        language=raw.get("language"),
        datatype=expand(datatype) if datatype else None,
        converter=converter,
        template=raw.get("template"),
    )


def _child_rule(kind: str, raw: dict[str, Any]) -> ChildRule:
    mint = raw.get("mint")
    if mint is not None and not callable(getattr(Urls, mint, None)):
        raise MappingError(f"kind {kind!r}: Urls has no minting method {mint!r}")
    return ChildRule(
        path=raw["field"],
        kind=raw["kind"],
        mint=mint,
        key=raw.get("key"),
        under=raw.get("under"),
        link=expand(raw["link"]) if "link" in raw else None,
        inverse=expand(raw["inverse"]) if "inverse" in raw else None,
        when=raw.get("when"),
        unless=raw.get("unless"),
        else_kind=raw.get("else_kind"),
        when_any=tuple(raw.get("when_any", ())),
    )


def _kind_rule(name: str, raw: dict[str, Any]) -> KindRule:
    return KindRule(
        name=name,
        classes=tuple(expand(c) for c in raw.get("classes", ())),
        inline=bool(raw.get("inline", False)),
        context_links=tuple((expand(p), k) for p, k in raw.get("context_links", {}).items()),
        fields=tuple(_field_rule(name, f) for f in raw.get("fields", ())),
        children=tuple(_child_rule(name, c) for c in raw.get("children", ())),
    )


@functools.cache
def load_mapping(name: str = DEFAULT_MAPPING) -> Mapping:
    """Read and check ``mappings/<name>.toml`` (cached: the tables are read once)."""
    path = MAPPINGS_DIR / f"{name}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        kinds = {k: _kind_rule(k, v) for k, v in raw["kinds"].items()}
        mapping = Mapping(root=raw["root"], kinds=kinds)
    except (OSError, tomllib.TOMLDecodeError, KeyError) as err:
        raise MappingError(f"{path}: cannot read the mapping: {err!r}") from err
    _check_kinds(mapping, path)
    return mapping


def _check_kinds(mapping: Mapping, path: Path) -> None:
    """Every kind a rule names exists, so a typo fails at load time, not mid-build."""
    named = {mapping.root}
    for rule in mapping.kinds.values():
        named |= {c.kind for c in rule.children}
        named |= {c.else_kind for c in rule.children if c.else_kind is not None}
    missing = sorted(k for k in named if k not in mapping.kinds)
    if missing:
        raise MappingError(f"{path}: kinds used but not defined: {missing}")


# --------------------------------------------------------------------------- mapping


def map_report(
    report: Report,
    urls: Urls,
    *,
    generated_at: datetime | None = None,
    mapping: str = DEFAULT_MAPPING,
) -> MappedReport:
    """A report's self-contained graph, named after its institution and month."""
    rules = load_mapping(mapping)
    publication = Publication(
        report=report,
        generated_at=generated_at or datetime.now(UTC).replace(microsecond=0),
        software_name=SOFTWARE_NAME,
        software_version=_software_version(),
    )
    graph_iri = urls.report(report.institution.id, report.metadata.updated, report.source.sha256)
    root = _node(str(graph_iri))
    walker = _Walker(rules, urls, report.source.file)
    walker.emit(rules.kinds[rules.root], publication, root, {rules.root: root})
    return MappedReport(
        graph_iri=graph_iri, triples=tuple(walker.triples), lines=tuple(walker.lines)
    )


@functools.cache
def _software_version() -> str:
    try:
        return metadata.version(SOFTWARE_NAME)
    except metadata.PackageNotFoundError:
        return "0+unknown"


class _Node(NamedTuple):
    """A node of the graph: its IRI, its pyoxigraph term and its N-Triples text (``<iri>``)."""

    iri: str
    term: ox.NamedNode
    text: str


def _node(iri: str) -> _Node:
    try:
        term = ox.NamedNode(iri)
    except ValueError as err:
        raise MappingError(f"not a valid IRI: {iri!r}: {err}") from err
    return _Node(iri, term, str(term))


@functools.lru_cache(maxsize=1 << 14)
def store_form(literal: ox.Literal) -> ox.Literal:
    """``literal`` as Oxigraph gives it back (``"90.0"^^xsd:decimal`` -> ``"90"``).

    Oxigraph keeps typed literals of the datatypes it knows by value, so the store (and
    its dumps) hold their canonical forms; the mapper writes those forms, so that what
    it gives (terms and lines) is byte for byte what the store holds and every reader
    of a report (SHACL, the dumps, the graph of changes) sees the published data. The
    store itself says what that form is (``store.canonical_literal``), cached here:
    values repeat (percentages, line numbers, dates).
    """
    return canonical_literal(literal)


_RDF_TYPE = _node(str(RDF.type))


class _Walker:
    """Walks a record tree along the mapping's kinds and writes the triples.

    Every triple is kept twice: as pyoxigraph terms (for the readers of the report:
    SHACL, the dumps, the rdflib view) and as its N-Triples line; both as the store will
    hold it. Repeated triples are kept once, in first-written
    order, as a graph would.
    """

    def __init__(self, mapping: Mapping, urls: Urls, file: str) -> None:
        self.mapping = mapping
        self.urls = urls
        self.file = file
        self.minted: dict[str, int] = {}
        self.triples: list[Triple] = []
        self.lines: list[str] = []
        self.seen: set[str] = set()
        # node IRI -> the record of its parent node, for templates naming ``p``
        self.records: dict[str, Any] = {}
        self.parents: dict[str, Any] = {}

    def add(self, subject: _Node, prop: _Node, obj: Term, obj_text: str) -> None:
        """One triple (skipped when already written)."""
        line = f"{subject.text} {prop.text} {obj_text} .\n"
        if line not in self.seen:
            self.seen.add(line)
            self.lines.append(line)
            self.triples.append((subject.term, prop.term, obj))

    def emit(self, kind: KindRule, record: Any, subject: _Node, ctx: dict[str, _Node]) -> None:
        """The triples of one record whose node is ``subject`` (or its parent, if inline)."""
        add = self.add
        for cls in kind.class_nodes:
            add(subject, _RDF_TYPE, cls.term, cls.text)
        for prop, ctx_kind in kind.context_nodes:
            target = ctx[ctx_kind]
            add(subject, prop, target.term, target.text)
        try:
            for rule in kind.fields:
                self._field(kind, rule, record, subject)
            for child in kind.children:
                self._children(child, record, subject, ctx)
        except AttributeError as err:  # a mapping naming a field its records lack
            raise MappingError(f"kind {kind.name!r}: {err}") from err

    def _field(self, kind: KindRule, rule: FieldRule, record: Any, subject: _Node) -> None:
        """The triples of one field rule: one per present value (the first path present)."""
        for get in rule.getters:
            value = get(record)
            if value is not None and value != "" and value != ():
                break
        else:
            return
        for item in value if isinstance(value, tuple | list) else (value,):
            try:
                term = rule.make(item, record, self.parents.get(subject.iri))
            except PublisherError as err:
                where = f"{self.file}:{_line(record)}" if _line(record) else self.file
                raise MappingError(f"{where}: {kind.name} {rule.paths[0]}: {err}") from err
            if term is None:
                continue
            # typed literals may be stored in another (canonical) form: ask the store
            if rule.typed and type(term) is ox.Literal:
                term = store_form(term)
            self.add(subject, rule.node, term, str(term))

    def _children(self, rule: ChildRule, record: Any, subject: _Node, ctx: dict) -> None:
        value = rule.getter(record)
        items = value if isinstance(value, tuple | list) else (value,)
        for item in (i for i in items if _present(i)):
            name = _choose_kind(rule, item)
            if name is None:
                continue
            kind = self.mapping.kinds[name]
            if kind.inline:
                self.emit(kind, item, subject, ctx)
                continue
            parent = ctx[rule.under] if rule.under not in (None, _BASE) else subject
            node = self._mint(rule, item, parent)
            self.records[node.iri] = item
            self.parents[node.iri] = self.records.get(parent.iri)
            if rule.link_node is not None:
                self.add(parent, rule.link_node, node.term, node.text)
            if rule.inverse_node is not None:
                self.add(node, rule.inverse_node, parent.term, parent.text)
            ctx[name] = node  # later siblings may mint under it (units under the institution)
            self.emit(kind, item, node, {**ctx, name: node})

    def _mint(self, rule: ChildRule, item: Any, parent: _Node) -> _Node:
        if rule.mint is None:
            raise MappingError(f"child {rule.kind!r} of field {rule.path!r} names no mint")
        args: list[str] = [] if rule.under == _BASE else [parent.iri]
        if rule.key_getter is not None:
            args.append(str(rule.key_getter(item)))
        iri = str(getattr(self.urls, rule.mint)(*args))
        # the same text twice under one parent: keep both, numbered in reading order
        count = self.minted.get(iri, 0) + 1
        self.minted[iri] = count
        return _node(iri if count == 1 else Urls.numbered(URIRef(iri), count))


def _choose_kind(rule: ChildRule, item: Any) -> str | None:
    """The kind ``item`` becomes under ``rule``'s conditions (None: leave it out)."""
    ok = True
    if rule.when is not None:
        ok = bool(_get(item, rule.when))
    if rule.unless is not None:
        ok = ok and not _get(item, rule.unless)
    if rule.when_any:
        ok = ok and any(_present(_get(item, a)) for a in rule.when_any)
    return rule.kind if ok else rule.else_kind


_FORMATTER = LabelFormatter()


def _maker(rule: FieldRule) -> Callable[[Any, Any, Any], Term | None]:
    """How ``rule`` turns one value (of ``record``, whose parent node's record is
    ``parent``) into a term, decided once per rule."""
    if rule.template is not None:
        template, language = rule.template, rule.language
        return lambda value, record, parent: ox.Literal(
            _FORMATTER.format(template, r=record, p=parent), language=language or None
        )
    if rule.converter is not None:
        convert = CONVERTERS[rule.converter]
        return lambda value, record, parent: convert(value)
    if rule.language is not None:
        language = rule.language
        return lambda value, record, parent: ox.Literal(str(value), language=language)
    if rule.datatype is None or rule.datatype == XSD.string:
        return lambda value, record, parent: ox.Literal(str(value))
    datatype = rule.datatype
    typed = ox.NamedNode(str(datatype))
    return lambda value, record, parent: ox.Literal(_lexical(value, datatype), datatype=typed)


def _lexical(value: Any, datatype: URIRef) -> str:
    """The lexical form rdflib gives ``value`` as a ``datatype`` literal (``1`` -> ``"1"``)."""
    if type(value) is int:  # source lines, the common case: no rdflib literal needed
        return str(value)
    return str(Literal(value, datatype=datatype))


def _getter(path: str) -> Callable[[Any], Any]:
    """A reader of ``record.a.b`` for ``path = "a.b"`` (``"."`` is the record itself).

    It raises ``AttributeError`` for a missing field; ``_Walker.emit`` says which kind.
    """
    return _itself if path == "." else operator.attrgetter(path)


def _itself(record: Any) -> Any:
    return record


def _get(record: Any, path: str) -> Any:
    """``record.a.b`` for ``path = "a.b"``; ``"."`` is the record itself."""
    return _getter(path)(record)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != ()


def _line(record: Any) -> int | None:
    line = getattr(record, "line", None)
    return line if isinstance(line, int) else None


# --------------------------------------------------------------------------- vocabulary


@functools.cache
def _ontology() -> Graph:
    graph = Graph()
    for name in ONTOLOGY_FILES:
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    return graph


def ontology_graph() -> Graph:
    """The vocabulary and the process-level scheme (a fresh copy: callers may change it)."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in _ontology():
        graph.add(triple)
    return graph
