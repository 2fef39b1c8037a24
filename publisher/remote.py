"""STAGE 4 (remote): the ``Store`` protocol over the standard SPARQL 1.1 HTTP protocols.

``RemoteStore`` runs queries with the SPARQL 1.1 Protocol (form-encoded POST, JSON results
for SELECT/ASK, N-Triples or Turtle for CONSTRUCT/DESCRIBE) and loads with SPARQL 1.1
Update or the Graph Store HTTP Protocol, so it works with any SPARQL 1.1 server.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from publisher.errors import QueryError, QueryTimeout, StoreError, StoreUnavailable
from publisher.settings import Settings
from publisher.sparqltext import (
    bind_values,
    insert_update,
    split_for_update,
    term_from_json,
    term_n3,
)
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
            graph_store_url=settings.sparql_graph_store_url,
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
        first, blank, rest = split_for_update(graph, self.chunk_size)
        if self.graph_store_url:
            lines = first + [line for chunk in rest for line in chunk]
            body = "\n".join(lines).encode("utf-8")
            self._graph_store(self.graph_store_url, "PUT", graph_iri, body)
            return
        insert = f" ;\n{insert_update(name, first, blank)}" if first else ""
        self._update(f"DROP SILENT GRAPH {name}{insert}")
        for chunk in rest:
            self._update(insert_update(name, chunk, blank=False))

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
        tests = " || ".join(f"STRSTARTS(STR(?g), {term_n3(Literal(p))})" for p in self.scope)
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
    if response.status == 400:
        raise QueryError(f"{url} rejected the request (HTTP 400): {detail}")
    # Only the first line: Virtuoso echoes the query after it, which may say "timeout".
    if _TIMEOUT_TEXT.search(response.text.strip().split("\n", 1)[0]):
        raise QueryTimeout(f"{url} stopped the query at its time limit: {detail}")
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
