"""RDF terms and RDF text through the store's engine (pyoxigraph), in one module.

Code outside ``publisher.store`` reads and writes N-Triples, N-Quads and Turtle through
these functions rather than importing pyoxigraph: term conversion (rdflib <-> pyoxigraph),
the one canonicaliser of literals, parsing and serialising. A term handed out here
(``Term``) is opaque to callers: they compare it, hash it and pass it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from publisher.errors import StoreError

#: A term of the store's engine (opaque outside ``publisher.store``).
Term = Any
#: A triple of such terms.
TermTriple = tuple[Term, Term, Term]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_ox(term: Node) -> Any:
    """rdflib term -> pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"cannot convert {term!r} to a store term")


def from_ox(term: Any) -> Identifier:
    """pyoxigraph term -> rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # a simple literal, as rdflib's parsers give it
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise StoreError(f"cannot convert {term!r} to an rdflib term")


def canonical_ntriples(triples: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """``triples`` (rdflib or pyoxigraph terms) as N-Triples, written as the store gives
    them back.

    Oxigraph keeps typed literals of the datatypes it knows by value, so the store and its
    dumps hold their canonical forms ("0.5000" as a decimal comes back "0.5"). This is the
    one canonicaliser: rather than a second implementation of XSD canonical forms, the
    triples pass through a throwaway in-memory store.
    """
    store = ox.Store()
    default = ox.DefaultGraph()
    store.bulk_extend(ox.Quad(_as_ox(s), _as_ox(p), _as_ox(o), default) for s, p, o in triples)
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=default) or b""


def canonical_literal(literal: ox.Literal) -> ox.Literal:
    """``literal`` as the store gives it back (``"90.0"^^xsd:decimal`` -> ``"90"``)."""
    store = ox.Store()
    store.add(ox.Quad(_PROBE, _PROBE, literal))
    term: ox.Literal = next(iter(store)).object
    return term


_PROBE = ox.NamedNode("urn:lotaip:probe")


def _as_ox(term: Any) -> Any:
    """A pyoxigraph term as it is; an rdflib one converted."""
    return to_ox(term) if isinstance(term, Node) else term


# -- opaque terms, for code that works on triples without rdflib's cost ------------------


def iri(value: str) -> Term:
    """The IRI ``value`` as a term."""
    return ox.NamedNode(value)


def blank(label: str) -> Term:
    """A blank node labelled ``label``."""
    return ox.BlankNode(label)


def literal(value: str, language: str | None = None) -> Term:
    """The literal ``value``, in ``language`` when given (else a plain string)."""
    return ox.Literal(value, language=language)


def typed_literal(value: str, datatype: str) -> Term:
    """The literal ``value`` of the datatype IRI ``datatype``."""
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def blank_label(term: Term) -> str | None:
    """The label of a blank node; None for any other term."""
    return term.value if isinstance(term, ox.BlankNode) else None


def iri_value(term: Term) -> str | None:
    """The IRI of an IRI term; None for any other term."""
    return term.value if isinstance(term, ox.NamedNode) else None


def parse_ntriples(ntriples: bytes) -> Iterator[TermTriple]:
    """The triples of an N-Triples document, as terms."""
    for triple in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES):
        yield triple.subject, triple.predicate, triple.object


def ntriples(triples: Iterable[TermTriple]) -> bytes:
    """Terms' triples as an N-Triples document."""
    return ox.serialize((ox.Triple(*t) for t in triples), format=ox.RdfFormat.N_TRIPLES) or b""


def line_pieces(text: bytes, size: int) -> Iterator[bytes]:
    """``text`` (lines, each ending with a line break) in pieces of whole lines of about
    ``size`` bytes, the last one shorter (a line longer than ``size`` is a piece alone):
    what a national corpus graph's hundreds of megabytes go through its writers in."""
    start = 0
    while start < len(text):
        end = text.rfind(b"\n", start, start + size) + 1
        if end <= start:  # no line ends within ``size``: the piece is that one line
            end = text.find(b"\n", start) + 1 or len(text)
        yield text[start:end] if start or end < len(text) else text
        start = end


def with_graph(ntriples: bytes, iri: str) -> bytes:
    """N-Triples lines as N-Quads in the graph ``iri`` (by bytes: never parsed)."""
    # N-Triples escapes line breaks in literals: " .\n" only ends a statement
    return ntriples.replace(b" .\n", f" <{iri}> .\n".encode())


def without_graph(nquads: bytes, iri: str) -> bytes:
    """The N-Triples of ``nquads``, every quad of which is in the graph ``iri`` (by bytes:
    never parsed)."""
    return nquads.replace(f" <{iri}> .\n".encode(), b" .\n")


def quad_triples(nquads: bytes) -> Iterator[TermTriple]:
    """The triples of N-Quads (graph names dropped) or N-Triples, as terms."""
    for quad in ox.parse(nquads, ox.RdfFormat.N_QUADS):
        yield quad.subject, quad.predicate, quad.object


def turtle(triples: Iterable[TermTriple], prefixes: Mapping[str, str]) -> bytes:
    """Terms' triples as one Turtle document declaring ``prefixes``."""
    found = (ox.Triple(*triple) for triple in triples)
    return ox.serialize(found, format=ox.RdfFormat.TURTLE, prefixes=dict(prefixes)) or b""


def sorted_turtle(graph: Graph, prefixes: Mapping[str, str]) -> bytes:
    """``graph`` as Turtle declaring ``prefixes``, triples sorted (the same graph gives the
    same bytes)."""
    triples = sorted(
        (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph),
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(prefixes)) or b""


def term_values(
    triples: Iterable[TermTriple], predicates: Set[str]
) -> Iterator[tuple[str, str, str, str | None]]:
    """Each triple whose predicate is one of ``predicates`` as plain strings: subject,
    predicate and object values (an IRI, a blank node's label, a literal's lexical form)
    and the object's language tag (``""`` for a literal without one, None when the object
    is not a literal)."""
    for s, p, o in triples:
        predicate = p.value
        if predicate in predicates:
            language = (o.language or "") if isinstance(o, ox.Literal) else None
            yield s.value, predicate, o.value, language


#: The RDF formats written here by name (several times faster than rdflib's writers).
FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def serialize_graph(
    triples: Iterable[tuple[Node, Node, Node]], fmt: str, prefixes: Mapping[str, str]
) -> bytes:
    """rdflib ``triples`` in the format named ``fmt`` (a key of ``FORMATS``), declaring the
    ``prefixes`` that some IRI of the triples (or a literal's datatype) starts with."""
    found = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]
    return ox.serialize(found, format=FORMATS[fmt], prefixes=_used_prefixes(found, prefixes)) or b""


def _used_prefixes(triples: list[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The ``prefixes`` that some IRI in ``triples`` starts with."""
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    }
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    return {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


def is_iri(text: str) -> bool:
    """True when the store would accept ``text`` as an IRI."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True
