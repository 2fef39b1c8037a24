"""STAGE 2: records -> RDF, by interpreting the declarative tables in ``mappings/``.

``mappings/literal-a4.toml`` says, for every record kind, which classes its node gets,
which field becomes which property (with a language, datatype, converter or template), and
which nested records become linked child nodes minted by ``Urls``. This module is the one
interpreter of those tables; it writes no vocabulary of its own.

``map_report(report, urls)`` returns the report's named graph IRI and a self-contained
graph (institution, units, objectives, … and the report's dataset node), so that each
report validates alone. ``ontology_graph()`` gives the vocabulary and the process levels.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from publisher.convert import CONVERTERS
from publisher.errors import MappingError, PublisherError
from publisher.records import Report
from publisher.settings import PROJECT_ROOT
from publisher.uris import Urls
from publisher.vocab import PREFIXES, RDF, XSD

MAPPINGS_DIR = PROJECT_ROOT / "mappings"
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
#: The vocabulary files ``ontology_graph`` serves (others in ontology/ belong to other stages).
ONTOLOGY_FILES = ("publisher.ttl", "process-levels.ttl")
DEFAULT_MAPPING = "literal-a4"
SOFTWARE_NAME = "lotaip-lod"
_BASE = "base"  # ``under = "base"``: the child's IRI has no parent IRI


@dataclass(frozen=True)
class MappedReport:
    """One report as RDF: its named graph IRI (also its dataset node) and the graph."""

    graph_iri: URIRef
    graph: Graph


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


@dataclass(frozen=True)
class KindRule:
    """One ``[kinds.K]`` table."""

    name: str
    classes: tuple[URIRef, ...]
    inline: bool
    context_links: tuple[tuple[URIRef, str], ...]
    fields: tuple[FieldRule, ...]
    children: tuple[ChildRule, ...]


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
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    walker = _Walker(rules, urls, graph, report.source.file)
    walker.emit(rules.kinds[rules.root], publication, graph_iri, {rules.root: graph_iri})
    return MappedReport(graph_iri=graph_iri, graph=graph)


@functools.cache
def _software_version() -> str:
    try:
        return metadata.version(SOFTWARE_NAME)
    except metadata.PackageNotFoundError:
        return "0+unknown"


class _Walker:
    """Walks a record tree along the mapping's kinds and writes the triples."""

    def __init__(self, mapping: Mapping, urls: Urls, graph: Graph, file: str) -> None:
        self.mapping = mapping
        self.urls = urls
        self.graph = graph
        self.file = file
        self.minted: dict[URIRef, int] = {}

    def emit(self, kind: KindRule, record: Any, subject: URIRef, ctx: dict[str, URIRef]) -> None:
        """The triples of one record whose node is ``subject`` (or its parent, if inline)."""
        add = self.graph.add
        for cls in kind.classes:
            add((subject, RDF.type, cls))
        for prop, ctx_kind in kind.context_links:
            add((subject, prop, ctx[ctx_kind]))
        for rule in kind.fields:
            for term in self._terms(kind, rule, record):
                add((subject, rule.property, term))
        for child in kind.children:
            self._children(child, record, subject, ctx)

    def _terms(self, kind: KindRule, rule: FieldRule, record: Any) -> Iterator[Node]:
        value = next((v for p in rule.paths if _present(v := _get(record, p))), None)
        if value is None:
            return
        for item in value if isinstance(value, tuple | list) else (value,):
            try:
                term = _term(rule, item, record)
            except PublisherError as err:
                where = f"{self.file}:{_line(record)}" if _line(record) else self.file
                raise MappingError(f"{where}: {kind.name} {rule.paths[0]}: {err}") from err
            if term is not None:
                yield term

    def _children(self, rule: ChildRule, record: Any, subject: URIRef, ctx: dict) -> None:
        value = _get(record, rule.path)
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
            iri = self._mint(rule, item, parent)
            if rule.link is not None:
                self.graph.add((parent, rule.link, iri))
            if rule.inverse is not None:
                self.graph.add((iri, rule.inverse, parent))
            ctx[name] = iri  # later siblings may mint under it (units under the institution)
            self.emit(kind, item, iri, {**ctx, name: iri})

    def _mint(self, rule: ChildRule, item: Any, parent: URIRef) -> URIRef:
        if rule.mint is None:
            raise MappingError(f"child {rule.kind!r} of field {rule.path!r} names no mint")
        args: list[Any] = [] if rule.under == _BASE else [parent]
        if rule.key is not None:
            args.append(str(_get(item, rule.key)))
        iri: URIRef = getattr(self.urls, rule.mint)(*args)
        # the same text twice under one parent: keep both, numbered in reading order
        count = self.minted.get(iri, 0) + 1
        self.minted[iri] = count
        return iri if count == 1 else Urls.numbered(iri, count)


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


def _term(rule: FieldRule, value: Any, record: Any) -> Node | None:
    """The RDF term for one value, as the field rule says."""
    if rule.template is not None:
        text = rule.template.format(r=record)
        return Literal(text, lang=rule.language) if rule.language else Literal(text)
    if rule.converter is not None:
        return CONVERTERS[rule.converter](value)
    if rule.language is not None:
        return Literal(str(value), lang=rule.language)
    if rule.datatype is None or rule.datatype == XSD.string:
        return Literal(str(value))
    return Literal(value, datatype=rule.datatype)


def _get(record: Any, path: str) -> Any:
    """``record.a.b`` for ``path = "a.b"``; ``"."`` is the record itself."""
    if path == ".":
        return record
    value = record
    for name in path.split("."):
        try:
            value = getattr(value, name)
        except AttributeError as err:
            raise MappingError(f"{type(record).__name__} has no field {path!r}") from err
    return value


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
