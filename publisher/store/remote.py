"""STAGE 4 (remote): the ``Store`` protocol over the standard SPARQL 1.1 HTTP protocols.

``RemoteStore`` runs queries with the SPARQL 1.1 Protocol (form-encoded POST, JSON results
for SELECT/ASK, N-Triples or Turtle for CONSTRUCT/DESCRIBE) and loads with SPARQL 1.1
Update or the Graph Store HTTP Protocol, so it works with any SPARQL 1.1 server.
Tested against Oxigraph server and Virtuoso 7 (``tests/test_store_contract.py``).

The current state. Our queries expect the default graph to be the current state (each
institution's latest report and the corpus graphs), as the embedded store gives them, and
``GRAPH ?g`` to reach every report's named graph. ``push`` sends the current state as the
named graph ``B id/actual``; ``current_state`` (the setting ``sparql_current_state``) says
how queries find it:

- ``"union"``: the server's default graph as it is. Oxigraph server with
  ``--union-default-graph`` and Virtuoso (every graph when the query has no ``FROM``) then
  mix every month, so counts add months up;
- ``"named"``: every query names ``B id/actual`` as ``default-graph-uri``. Virtuoso still
  shows every named graph to ``GRAPH ?g`` then; Oxigraph server shows none (the protocol's
  dataset rule), so queries across months find nothing there;
- ``"default"``: ``push`` also writes the current state into the server's own default
  graph (``put_default_ntriples``) and queries name nothing: for Oxigraph server run
  WITHOUT ``--union-default-graph``. Virtuoso has no plain default graph to write and
  refuses it.

Virtuoso's own system graphs (``virtrdf:``, ``ldp:``…) are part of its union, so queries
should name our classes and properties rather than match ``?s ?p ?o`` blindly.

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

The dataset version. Caches of answers and pages are keyed by the version of the data they
were made from, so the store says which version it holds: the named graph
``version_graph`` (``B id/dataset``, the dataset ``void.ttl`` describes) holds one triple,
``<B id/dataset> owl:versionInfo "…"``. Every write through a ``RemoteStore`` replaces it
with a new value, in the same update request as the data's last part where it can (one
transaction), else in the request right after; a build that loads the store another way
calls ``mark_version`` last. Readers read it at each request (``version``, one small query:
~1 ms on Oxigraph server, ~2 ms on Virtuoso), so a write by any process is seen at once.
The version graph is not one of ``graphs()`` and is not counted by ``len()``.

Every HTTP exchange goes through one callable, ``send`` (``HttpSender`` by default), so
unit tests pass a fake and integration tests talk to real servers.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Identifier
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from publisher.errors import QueryError, QueryTimeout, StoreError, StoreUnavailable
from publisher.settings import Settings
from publisher.store.engine import Answer, QueryJob, Runner
from publisher.store.results import BY_NAME
from publisher.store.sparqltext import (
    bind_values,
    insert_update,
    split_for_update,
    term_from_json,
    term_n3,
)
from publisher.uris import Urls
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
        self,
        user: str | None = None,
        password: str | None = None,
        timeout: float = Settings.query_timeout,
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
        timeout: float = Settings.query_timeout,
        scope: Sequence[str] = (),
        chunk_size: int = 1000,
        version_ttl: float = 60.0,
        version_graph: str | None = None,
        send: Send | None = None,
        default_graph: str | None = None,
        current_state: str = "union",
    ) -> None:
        self.query_url = query_url
        #: When set, every query names this graph as its default graph
        #: (``default-graph-uri``): the current state as ``push`` sends it, ``B id/actual``.
        self.default_graph = default_graph
        #: Where queries find the current state: "union", "named" or "default" (push then
        #: keeps the server's own default graph in step with it).
        self.current_state = current_state
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.scope = tuple(scope)
        self.chunk_size = chunk_size
        self.version_ttl = version_ttl
        self.version_graph = URIRef(version_graph or _default_version_graph(self.scope))
        self._known_version: str | None = None
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
            version_graph=str(Urls(settings.base_uri).thing("dataset")),
            default_graph=(
                str(Urls(settings.base_uri).current_state())
                if settings.sparql_current_state == "named"
                else None
            ),
            current_state=settings.sparql_current_state,
        )

    @property
    def version(self) -> str:
        """The dataset version for caches (the SPARQL endpoint's answers, the pages): the
        one recorded in ``version_graph``, read at each call (one small query).

        A store loaded by other means and never marked has no recorded version: then it
        changes every ``version_ttl`` seconds, so answers are at most that old (call
        ``mark_version`` after such a load). While the server does not answer, the last
        version read is kept: nothing fresher could be served, and documents already
        made keep being served from the cache.
        """
        try:
            marked = self.marked_version()
        except StoreUnavailable:
            if self._known_version is None:
                raise
            return self._known_version
        if marked is None:
            version = f"{self.query_url}#unmarked@{int(time.time() // self.version_ttl)}"
        else:
            version = f"{self.query_url}#{marked}"
        self._known_version = version
        return version

    def dataset_version(self) -> str:
        return self.version

    def query_runner(self, settings: Settings) -> Runner:
        """The server answers: checked queries are forwarded as they are."""
        return ForwardRunner(self)

    def marked_version(self) -> str | None:
        """The version recorded in the store's ``version_graph``, or None when there is none."""
        name = term_n3(self.version_graph)
        rows = self.select(
            f"SELECT ?v WHERE {{ GRAPH {name} {{ {name} {term_n3(OWL.versionInfo)} ?v }} }}"
        )
        values = sorted(str(row["v"]) for row in rows if "v" in row)
        return " ".join(values) or None

    def mark_version(self, version: str | None = None) -> str:
        """Record ``version`` (default: a new unique one) as the version the store holds,
        and return it. Caches keyed by the version then drop every older answer. Writes
        through this object mark a new version themselves; a build that loads the store
        by other means (a bulk loader) calls this last."""
        version = version or _new_version()
        if self.update_url:
            self._update(self._marker_update(version))
        elif self.graph_store_url:
            name = term_n3(self.version_graph)
            line = f"{name} {term_n3(OWL.versionInfo)} {term_n3(Literal(version))} .\n"
            self._graph_store(self.graph_store_url, "PUT", self.version_graph, line.encode())
        else:
            raise StoreError("this remote store is read-only: set sparql_update_url to write")
        return version

    def _marker_update(self, version: str) -> str:
        """The update operations that replace the version graph's value by ``version``."""
        name = term_n3(self.version_graph)
        triple = f"{name} {term_n3(OWL.versionInfo)} {term_n3(Literal(version))}"
        return f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{ {triple} }} }}"

    def forward(self, query: str, accept: str) -> HttpResponse:
        """Send ``query`` as it is and return the server's answer untouched (its media type
        and bytes), for an endpoint that proxies queries to this store. Failures raise the
        same typed errors as ``select``."""
        form = {"query": query}
        if self.default_graph is not None:
            form["default-graph-uri"] = self.default_graph
        return self._call(HttpRequest(self.query_url, form, {"Accept": accept}))

    # -- writing ---------------------------------------------------------------------------

    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> None:
        """Replace ``graph_iri`` by ``graph``: one Graph Store PUT when there is a graph
        store URL, else one update request per ``chunk_size`` triples; then mark a new
        version (in the last update request itself, or right after the PUT)."""
        name = self._owned(graph_iri)
        first, blank, rest = split_for_update(graph, self.chunk_size)
        if self.graph_store_url:
            lines = first + [line for chunk in rest for line in chunk]
            body = "\n".join(lines).encode("utf-8")
            self._graph_store(self.graph_store_url, "PUT", graph_iri, body)
            self.mark_version()
            return
        # The version moves with the data's last part: a reader never keys an answer on
        # the complete new data with the old version.
        self._replace_by_update(name, first, blank, rest, _new_version())

    def put_ntriples(self, graph_iri: URIRef, ntriples: bytes) -> None:
        """Replace ``graph_iri`` by the N-Triples document ``ntriples`` and mark NO new
        version: for a caller that writes many graphs and marks once at the end
        (``publisher.build.push``). One Graph Store PUT of the bytes as they are when there is a
        graph store URL, else the update requests ``replace_graph`` sends; the lines are
        never parsed into terms (N-Triples is SPARQL's triple syntax)."""
        name = self._owned(graph_iri)
        if self.graph_store_url:
            self._graph_store(self.graph_store_url, "PUT", graph_iri, ntriples)
            return
        first, blank, rest = split_ntriples(ntriples, self.chunk_size)
        self._replace_by_update(name, first, blank, rest, None)

    def put_default_ntriples(self, ntriples: bytes) -> None:
        """Replace the server's own default graph by the N-Triples document ``ntriples``
        and mark NO new version (``sparql_current_state = "default"``: the whole default
        graph is ours, so the server must not be shared with another publisher). One Graph
        Store ``PUT ?default`` when there is a graph store URL, else ``DROP SILENT DEFAULT``
        and ``INSERT DATA`` requests, as ``put_ntriples``."""
        if self.graph_store_url:
            self._graph_store(self.graph_store_url, "PUT", None, ntriples)
            return
        first, blank, rest = split_ntriples(ntriples, self.chunk_size)
        self._replace_by_update(None, first, blank, rest, None)

    def drop_default_graph(self) -> None:
        """Empty the server's own default graph and mark NO new version (a push that no
        longer keeps the current state there)."""
        if self.graph_store_url and not self.update_url:
            self._graph_store(self.graph_store_url, "DELETE", None, None)
        else:
            self._update("DROP SILENT DEFAULT")

    def drop_graph(self, graph_iri: URIRef) -> None:
        """Withdraw ``graph_iri`` (nothing happens when it does not exist) and mark NO new
        version (see ``put_ntriples``)."""
        name = self._owned(graph_iri)
        if self.graph_store_url and not self.update_url:
            self._graph_store(self.graph_store_url, "DELETE", graph_iri, None)
        else:
            self._update(f"DROP SILENT GRAPH {name}")

    def in_scope(self, graph_iri: str) -> bool:
        """True when this store may write ``graph_iri`` (in scope, not the version graph)."""
        if URIRef(graph_iri) == self.version_graph:
            return False
        return not self.scope or graph_iri.startswith(self.scope)

    def _replace_by_update(
        self,
        name: str | None,
        first: list[str],
        blank: bool,
        rest: list[list[str]],
        version: str | None,
    ) -> None:
        """Drop graph ``name`` (None: the default graph) and insert the lines, ``first`` in
        the same request; the version marker (when given) goes in the last request."""

        def insert(lines: list[str], blank: bool) -> str:
            if name is not None:
                return insert_update(name, lines, blank)
            body = "\n".join(lines)
            if blank:
                return f"INSERT {{\n{body}\n}} WHERE {{}}"
            return f"INSERT DATA {{\n{body}\n}}"

        drop = f"DROP SILENT GRAPH {name}" if name is not None else "DROP SILENT DEFAULT"
        updates = [f"{drop} ;\n{insert(first, blank)}" if first else drop]
        updates += [insert(chunk, False) for chunk in rest]
        if version is not None:
            updates[-1] += f" ;\n{self._marker_update(version)}"
        for text in updates:
            self._update(text)

    def remove_graph(self, graph_iri: URIRef) -> None:
        """Withdraw ``graph_iri`` (nothing happens when it does not exist) and mark a new
        version."""
        name = self._owned(graph_iri)
        if self.graph_store_url and not self.update_url:
            self._graph_store(self.graph_store_url, "DELETE", graph_iri, None)
            self.mark_version()
        else:
            self._update(f"DROP SILENT GRAPH {name} ;\n{self._marker_update(_new_version())}")

    def _graph_store(
        self, url: str, method: str, graph_iri: URIRef | None, body: bytes | None
    ) -> None:
        """One Graph Store request on ``graph_iri`` (None: the default graph, ``?default``)."""
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        target = {"graph": str(graph_iri)} if graph_iri is not None else {"default": ""}
        request = HttpRequest(url, {}, headers, method, target, body)
        response = self._send(request)
        if not (method == "DELETE" and response.status == 404):  # already gone
            check_response(request.url, response)

    def _owned(self, graph_iri: URIRef) -> str:
        if graph_iri == self.version_graph:
            raise StoreError(f"graph {graph_iri} holds the dataset version: use mark_version")
        if self.scope and not str(graph_iri).startswith(self.scope):
            raise StoreError(f"graph {graph_iri} is outside this store's scope {self.scope}")
        return term_n3(graph_iri)

    def _update(self, text: str) -> None:
        if not self.update_url:
            raise StoreError("this remote store is read-only: set sparql_update_url to write")
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
        """Keeps ``?g`` to the graphs in scope, the version graph left out."""
        own = f"?g != {term_n3(self.version_graph)}"
        if not self.scope:
            return f"FILTER({own})"
        tests = " || ".join(f"STRSTARTS(STR(?g), {term_n3(Literal(p))})" for p in self.scope)
        return f"FILTER({own} && ({tests}))"

    def select(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> list[Row]:
        """Run a SELECT; rows map variable names to rdflib terms (unbound ones left out)."""
        data = self._json(query, bindings)
        try:
            solutions = data["results"]["bindings"]
            return [{k: term_from_json(v) for k, v in row.items()} for row in solutions]
        except (KeyError, TypeError, AttributeError) as err:
            raise StoreError(f"{self.query_url} sent SELECT results of an unknown shape") from err

    def select_text(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[dict[str, str]]:
        """A SELECT with every value as a string (lexical form or IRI)."""
        return [{k: str(v) for k, v in row.items()} for row in self.select(query, bindings)]

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
        form = {"query": text}
        if self.default_graph is not None:
            form["default-graph-uri"] = self.default_graph
        return self._call(HttpRequest(self.query_url, form, {"Accept": accept}))

    def _call(self, request: HttpRequest) -> HttpResponse:
        response = self._send(request)
        check_response(request.url, response)
        return response


class ForwardRunner:
    """Hands jobs, as they are, to a remote SPARQL server.

    The query was checked here first (no updates, no SERVICE); the server's own time and
    row limits apply. The protocol's dataset parameters are not passed on: a remote store
    answers only ``query``, so such requests are refused rather than silently widened.
    """

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def run(self, job: QueryJob) -> Answer:
        if job.default_graphs or job.named_graphs:
            raise QueryError(
                "default-graph-uri and named-graph-uri are not available on this server; "
                "use FROM and FROM NAMED in the query"
            )
        media_type = BY_NAME[job.format].media_type
        response = self.store.forward(job.text, media_type)
        answered = response.headers.get("content-type", media_type).split(";")[0].strip()
        return Answer(response.body, answered or media_type, rows=0)

    def close(self) -> None:
        """Nothing to release."""


def split_ntriples(ntriples: bytes, size: int) -> tuple[list[str], bool, list[list[str]]]:
    """An N-Triples document's lines as ``split_for_update`` gives a graph's: the first
    request's (every line with a blank node among them) and whether it has blank nodes,
    then chunks of ``size`` lines. Only lines holding ``_:`` are parsed, to tell a blank
    node from the same characters inside a literal."""
    with_blank: list[str] = []
    plain: list[str] = []
    for line in ntriples.decode("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        blank = "_:" in line and _has_blank_node(line)
        (with_blank if blank else plain).append(line)
    room = max(size - len(with_blank), 0)
    first = with_blank + plain[:room]
    rest = [plain[i : i + size] for i in range(room, len(plain), size)]
    return first, bool(with_blank), rest


def _has_blank_node(line: str) -> bool:
    try:
        triples = list(ox.parse(line.encode("utf-8"), ox.RdfFormat.N_TRIPLES))
    except SyntaxError as err:
        raise StoreError(f"not an N-Triples line: {line[:200]!r}: {err}") from err
    return any(
        isinstance(term, ox.BlankNode)
        for triple in triples
        for term in (triple.subject, triple.object)
    )


def _default_version_graph(scope: Sequence[str]) -> str:
    """``B id/dataset`` under the first prefix in scope (the publisher's ``base_uri``)."""
    return f"{scope[0]}id/dataset" if scope else "urn:x-lotaip:dataset"


def _new_version() -> str:
    """A version nobody else can have written: the time (for people) and a random part."""
    return f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:12]}"


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
