"""STAGE 4 (remote): the ``Store`` protocol over the standard SPARQL 1.1 HTTP protocols.

``RemoteStore`` runs queries with the SPARQL 1.1 Protocol (form-encoded POST, JSON results
for SELECT/ASK, N-Triples or Turtle for CONSTRUCT/DESCRIBE) and loads with SPARQL 1.1
Update (``DROP SILENT GRAPH``, ``INSERT DATA``), so it works with any SPARQL 1.1 server.
Tested against Oxigraph server and Virtuoso 7 (``tests/test_store_contract.py``).

The union default graph. Our queries expect the default graph to be the union of every
report's named graph, as the embedded store gives them:

- Oxigraph server needs ``--union-default-graph`` (otherwise the default graph is empty);
- Virtuoso queries every graph when the query has no ``FROM``: nothing to set. Its own
  system graphs (``virtrdf:``, ``ldp:``…) are part of that union, so queries should name
  our classes and properties rather than match ``?s ?p ?o`` blindly.

Scope. A remote store may be shared. ``scope`` lists the IRI prefixes of the graphs this
publisher owns (``base_uri`` and the LOTAIP vocabulary by default): ``graphs()`` and
``len()`` count only those, and writes to any other graph are refused.

Loading and atomicity. With a Graph Store Protocol URL (``graph_store_url``: Oxigraph's
``/store``, Virtuoso's ``/sparql-graph-crud-auth``) a graph is replaced by ONE ``PUT`` of
N-Triples, of any size: atomic on both servers, and on Virtuoso ~100× faster than
updates. Without one, SPARQL Update is used: a graph of up to ``chunk_size`` triples is
replaced by ONE request (``DROP SILENT GRAPH <g> ; INSERT DATA {…}``), applied in one
transaction; a larger graph takes several requests, so readers may see it half loaded.
The default chunk of 1,000 triples stays under Virtuoso's limit on the SQL it generates
from one update (2,000 fail). Virtuoso also refuses blank nodes in ``INSERT DATA``:
triples with blank nodes go, all in the first request, through ``INSERT {…} WHERE {}``,
which keeps their labels consistent.

Every HTTP exchange goes through one callable, ``send`` (``HttpSender`` by default), so
unit tests pass a fake and integration tests talk to real servers.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from publisher.errors import QueryError, QueryTimeout, StoreError, StoreUnavailable
from publisher.settings import Settings
from publisher.vocab import LOTAIP

Row = dict[str, Identifier]


@dataclass(frozen=True)
class HttpRequest:
    """One request to a SPARQL endpoint: a form-encoded POST, or a Graph Store request."""

    url: str
    form: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "POST"
    params: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True)
class HttpResponse:
    """What came back; ``headers`` keys are lower case."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")


Send = Callable[[HttpRequest], HttpResponse]


class HttpSender:
    """The one place that talks HTTP (with requests): POST, authenticate, time out.

    Credentials are sent only when a server asks for them (HTTP 401), in the scheme its
    challenge names: basic, or digest (Virtuoso's ``/sparql-auth``); later requests reuse
    that scheme. Connection failures and time-outs become ``StoreUnavailable``.
    """

    def __init__(
        self, user: str | None = None, password: str | None = None, timeout: float = 30.0
    ) -> None:
        self.timeout = timeout
        self._session = requests.Session()
        self._credentials = (user, password or "") if user else None
        self._auth: AuthBase | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._post(request)
        if response.status == 401 and self._credentials and self._auth is None:
            challenge = response.headers.get("www-authenticate", "").lower()
            scheme = HTTPDigestAuth if challenge.startswith("digest") else HTTPBasicAuth
            self._auth = scheme(*self._credentials)
            response = self._post(request)
        return response

    def _post(self, request: HttpRequest) -> HttpResponse:
        try:
            raw = self._session.request(
                request.method,
                request.url,
                params=dict(request.params),
                data=request.body if request.body is not None else dict(request.form),
                headers=dict(request.headers),
                auth=self._auth,
                timeout=(min(5.0, self.timeout), self.timeout),
            )
        except requests.Timeout as err:
            raise StoreUnavailable(
                f"SPARQL endpoint {request.url} did not answer within {self.timeout:g} s"
            ) from err
        except requests.RequestException as err:
            raise StoreUnavailable(f"SPARQL endpoint {request.url} does not answer: {err}") from err
        headers = {k.lower(): v for k, v in raw.headers.items()}
        return HttpResponse(raw.status_code, headers, raw.content)


class RemoteStore:
    """A ``Store`` on a SPARQL 1.1 server (Oxigraph server, Virtuoso, GraphDB, QLever…)."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        graph_store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        scope: Sequence[str] = (),
        chunk_size: int = 1000,
        version_ttl: float = 60.0,
        send: Send | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.scope = tuple(scope)
        self.chunk_size = chunk_size
        self.version_ttl = version_ttl
        self._writes = 0
        self._send = send or HttpSender(user, password, timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """The remote store named by ``settings`` (credentials may come from the environment)."""
        if not settings.sparql_query_url:
            raise StoreError("store 'sparql' needs sparql_query_url")
        return cls(
            settings.sparql_query_url,
            settings.sparql_update_url,
            # Not a setting yet: read it when the lead adds ``sparql_graph_store_url``.
            graph_store_url=getattr(settings, "sparql_graph_store_url", None),
            user=settings.sparql_user,
            password=settings.sparql_password,
            timeout=settings.query_timeout,
            scope=(settings.base_uri, str(LOTAIP)),
        )

    @property
    def version(self) -> str:
        """A dataset version for caches: it changes at each write made through this object
        and every ``version_ttl`` seconds, so that a cache keyed by it (the SPARQL
        endpoint's) serves answers at most that old after a change made elsewhere (another
        process, the server's own bulk loader). Costs no request, unlike counting quads."""
        return f"{self.query_url}#{self._writes}@{int(time.time() // self.version_ttl)}"

    def forward(self, query: str, accept: str) -> HttpResponse:
        """Send ``query`` as it is and return the server's answer untouched (its media type
        and bytes), for an endpoint that proxies queries to this store. Failures raise the
        same typed errors as ``select``."""
        return self._call(HttpRequest(self.query_url, {"query": query}, {"Accept": accept}))

    # -- writing ---------------------------------------------------------------------------

    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> None:
        """Replace ``graph_iri`` by ``graph``: one Graph Store PUT when there is a graph
        store URL, else one update request per ``chunk_size`` triples."""
        name = self._owned(graph_iri)
        first, blank, rest = _split_for_update(graph, self.chunk_size)
        if self.graph_store_url:
            lines = first + [line for chunk in rest for line in chunk]
            body = "\n".join(lines).encode("utf-8")
            self._graph_store(self.graph_store_url, "PUT", graph_iri, body)
            return
        insert = f" ;\n{_insert(name, first, blank)}" if first else ""
        self._update(f"DROP SILENT GRAPH {name}{insert}")
        for chunk in rest:
            self._update(_insert(name, chunk, blank=False))

    def remove_graph(self, graph_iri: URIRef) -> None:
        """Withdraw ``graph_iri`` (nothing happens when it does not exist)."""
        name = self._owned(graph_iri)
        if self.graph_store_url and not self.update_url:
            self._graph_store(self.graph_store_url, "DELETE", graph_iri, None)
        else:
            self._update(f"DROP SILENT GRAPH {name}")

    def _graph_store(self, url: str, method: str, graph_iri: URIRef, body: bytes | None) -> None:
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        request = HttpRequest(url, {}, headers, method, {"graph": str(graph_iri)}, body)
        self._writes += 1
        response = self._send(request)
        if not (method == "DELETE" and response.status == 404):  # already gone
            check_response(request.url, response)

    def _owned(self, graph_iri: URIRef) -> str:
        if self.scope and not str(graph_iri).startswith(self.scope):
            raise StoreError(f"graph {graph_iri} is outside this store's scope {self.scope}")
        return term_n3(graph_iri)

    def _update(self, text: str) -> None:
        if not self.update_url:
            raise StoreError("this remote store is read-only: set sparql_update_url to write")
        self._writes += 1
        self._call(HttpRequest(self.update_url, {"update": text}))

    # -- reading ---------------------------------------------------------------------------

    def graphs(self) -> list[URIRef]:
        """The non-empty named graphs in scope."""
        query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._scope_filter()} }}"
        return sorted(URIRef(row["g"]) for row in self.select(query))

    def __len__(self) -> int:
        """Number of quads in the named graphs in scope."""
        query = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._scope_filter()} }}"
        )
        rows = self.select(query)
        return int(rows[0]["n"]) if rows else 0

    def _scope_filter(self) -> str:
        if not self.scope:
            return ""
        tests = " || ".join(f"STRSTARTS(STR(?g), {Literal(p).n3()})" for p in self.scope)
        return f"FILTER({tests})"

    def select(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> list[Row]:
        """Run a SELECT; rows map variable names to rdflib terms (unbound ones left out)."""
        data = self._json(query, bindings)
        try:
            solutions = data["results"]["bindings"]
            return [{k: term_from_json(v) for k, v in row.items()} for row in solutions]
        except (KeyError, TypeError, AttributeError) as err:
            raise StoreError(f"{self.query_url} sent SELECT results of an unknown shape") from err

    def ask(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> bool:
        """Run an ASK."""
        answer = self._json(query, bindings).get("boolean")
        if not isinstance(answer, bool):
            raise StoreError(f"{self.query_url} sent an ASK result without a boolean")
        return answer

    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE into an rdflib Graph."""
        response = self._query(query, bindings, _GRAPH_ACCEPT)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        graph = Graph()
        try:
            graph.parse(data=response.body, format=_RDF_FORMATS.get(media, "turtle"))
        except Exception as err:  # rdflib's parsers raise many unrelated exception types
            raise StoreError(f"{self.query_url} sent an unreadable graph ({media}): {err}") from err
        return graph

    def _json(self, query: str, bindings: Mapping[str, Identifier] | None) -> dict[str, Any]:
        response = self._query(query, bindings, "application/sparql-results+json")
        try:
            data = json.loads(response.body)
        except ValueError as err:
            # Oxigraph server cut by its --timeout-s answers 200 with truncated JSON.
            raise StoreError(
                f"{self.query_url} sent truncated or malformed JSON results: {err}"
            ) from err
        if not isinstance(data, dict):
            raise StoreError(f"{self.query_url} sent JSON results of an unknown shape")
        return data

    def _query(
        self, query: str, bindings: Mapping[str, Identifier] | None, accept: str
    ) -> HttpResponse:
        text = bind_values(query, bindings) if bindings else query
        return self._call(HttpRequest(self.query_url, {"query": text}, {"Accept": accept}))

    def _call(self, request: HttpRequest) -> HttpResponse:
        response = self._send(request)
        check_response(request.url, response)
        return response


_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RDF_FORMATS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
_TIMEOUT_TEXT = re.compile(
    r"estimated execution time|timed? ?out|timeout|S1T00|S1TAT|exceeds the limit", re.I
)


def check_response(url: str, response: HttpResponse) -> None:
    """Raise the typed error for a failed or incomplete answer from ``url``."""
    detail = " ".join(response.text.split())[:400]
    if 200 <= response.status < 300:
        _check_complete(url, response)
        return
    if response.status in (401, 403):
        raise StoreError(
            f"{url} refused the credentials (HTTP {response.status}): "
            "set PUBLISHER_SPARQL_USER and PUBLISHER_SPARQL_PASSWORD"
        )
    if _TIMEOUT_TEXT.search(detail):
        raise QueryTimeout(f"{url} stopped the query at its time limit: {detail}")
    if response.status == 400:
        raise QueryError(f"{url} rejected the request (HTTP 400): {detail}")
    if response.status in (502, 503, 504):
        raise StoreUnavailable(f"SPARQL endpoint {url} is unavailable (HTTP {response.status})")
    raise StoreError(f"{url} failed (HTTP {response.status}): {detail}")


def _check_complete(url: str, response: HttpResponse) -> None:
    """Virtuoso answers 200 with partial results and says so only in headers."""
    if "x-sparql-maxrows" in response.headers:
        raise StoreError(
            f"{url} truncated the results at {response.headers['x-sparql-maxrows']} rows "
            "(raise Virtuoso's ResultSetMaxRows)"
        )
    if response.headers.get("x-sql-state", "").upper().startswith("S1T"):
        raise QueryTimeout(f"{url} returned partial results at its time limit")


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


def _split_for_update(
    graph: Iterable[Triple], size: int
) -> tuple[list[str], bool, list[list[str]]]:
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


def _insert(name: str, lines: list[str], blank: bool) -> str:
    """An update adding ``lines`` to graph ``name`` (``INSERT … WHERE {}`` for blank nodes)."""
    body = "\n".join(lines)
    if blank:
        return f"INSERT {{ GRAPH {name} {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}"
