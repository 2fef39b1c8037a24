"""SPARQL text for remote stores: rdflib terms to SPARQL and back, bound variables, updates.

Pure functions, no I/O: ``publisher.store.remote`` sends what these write. Every constant put into
a query is a validated IRI or literal written here (``term_n3``), so no caller text is
ever pasted into SPARQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

from publisher.errors import QueryError, StoreError

# -- terms ---------------------------------------------------------------------------------

_IRI = re.compile(r'[^<>"{}|^`\\\x00-\x20]+\Z')
# Every character a string literal may not hold as it is; other servers' parsers (rdflib's
# among them) also mishandle raw tabs, so those are escaped too.
_ESCAPES = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
)
_LANGUAGE = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*\Z")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def term_n3(term: Node) -> str:
    """SPARQL text for a validated IRI or literal; anything else raises QueryError."""
    if isinstance(term, URIRef):
        if not _IRI.match(str(term)):
            raise QueryError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPES)}"'
        if term.language:
            if not _LANGUAGE.match(term.language):
                raise QueryError(f"not a valid language tag: {term.language!r}")
            return f"{text}@{term.language}"
        return f"{text}^^{term_n3(term.datatype)}" if term.datatype else text
    raise QueryError(f"cannot write {term!r} as a SPARQL constant (IRIs and literals only)")


def term_from_json(value: Mapping[str, str]) -> Identifier:
    """One term of SPARQL JSON results -> rdflib term, in RDF 1.1 canonical shape.

    Virtuoso writes ``typed-literal``, keeps ``xsd:string`` explicit and turns
    ``"true"^^xsd:boolean`` into ``"1"``; these become what the embedded store returns.
    """
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text.removeprefix("nodeID://"))
    if kind not in ("literal", "typed-literal"):
        raise StoreError(f"unknown term type {kind!r} in SPARQL results")
    if "xml:lang" in value:
        return Literal(text, lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype is None or datatype == str(XSD.string):
        return Literal(text)
    if datatype == str(XSD.boolean) and text in ("0", "1"):
        text = "true" if text == "1" else "false"
    return Literal(text, datatype=URIRef(datatype))


# -- binding variables ---------------------------------------------------------------------

# Skipped as a whole: strings, IRIs, comments, variables and prefixed names, so that a brace
# or the word WHERE inside them is never taken for syntax.
_TOKENS = re.compile(
    r"""(?P<skip>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>|\#[^\n]*
    |[?$][A-Za-z0-9_]+|[A-Za-z_][\w.-]*:[\w.-]*)
    |(?P<open>\{)|(?P<close>\})|(?P<word>[A-Za-z]+)""",
    re.X | re.S,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def bind_values(query: str, bindings: Mapping[str, Identifier]) -> str:
    """``query`` with ``bindings`` as a ``VALUES`` block at the top of its WHERE clause.

    Each value is a validated IRI or literal written by ``term_n3``; variable names must
    be plain SPARQL names, so no caller text is ever pasted into the query.
    """
    for name in bindings:
        if not _VARIABLE.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(term_n3(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({values}) }} "
    where = _where_brace(query)
    if where is None:
        return f"{query}\nWHERE {{{block}}}"
    return f"{query[: where + 1]}{block}{query[where + 1 :]}"


def _where_brace(query: str) -> int | None:
    """Offset of the ``{`` opening the query's WHERE clause (None: DESCRIBE without one)."""
    depth, form, after_where, opens = 0, "", False, []
    for token in _TOKENS.finditer(query):
        kind = token.lastgroup
        if kind == "word" and depth == 0:
            word = token.group().upper()
            form = form or (word if word in _FORMS else "")
            after_where = word == "WHERE"
        elif kind == "open":
            if depth == 0:
                opens.append((token.start(), after_where))
            depth += 1
        elif kind == "close":
            depth -= 1
    return _choose_brace(form, opens)


def _choose_brace(form: str, opens: list[tuple[int, bool]]) -> int | None:
    for index, (offset, after_where) in enumerate(opens):
        if after_where:
            if form == "CONSTRUCT" and index == 0:
                raise QueryError("cannot bind variables in the short form 'CONSTRUCT WHERE'")
            return offset
    wanted = 1 if form == "CONSTRUCT" else 0
    if len(opens) > wanted:
        return opens[wanted][0]
    if form == "DESCRIBE" and not opens:
        return None
    raise QueryError("cannot find the query's WHERE clause to bind variables in")


# -- writing data --------------------------------------------------------------------------

Triple = tuple[Node, Node, Node]


def split_for_update(graph: Iterable[Triple], size: int) -> tuple[list[str], bool, list[list[str]]]:
    """Triples as N-Triples-like lines: the first request's (and whether it has blank
    nodes), then the other chunks.

    Blank nodes get fresh labels, and every triple with one goes in the first request so
    that the server sees each label in one request only.
    """
    labels: dict[Node, str] = {}

    def n3(term: Node) -> str:
        if isinstance(term, BNode):
            return labels.setdefault(term, f"_:b{len(labels)}")
        return term_n3(term)

    with_blank: list[str] = []
    plain: list[str] = []
    for triple in graph:
        line = "{} {} {} .".format(*(n3(t) for t in triple))
        (with_blank if any(isinstance(t, BNode) for t in triple) else plain).append(line)
    room = max(size - len(with_blank), 0)
    first = with_blank + plain[:room]
    rest = [plain[i : i + size] for i in range(room, len(plain), size)]
    return first, bool(with_blank), rest


def insert_update(name: str, lines: list[str], blank: bool) -> str:
    """An update adding ``lines`` to graph ``name`` (``INSERT … WHERE {}`` for blank nodes)."""
    body = "\n".join(lines)
    if blank:
        return f"INSERT {{ GRAPH {name} {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}"
