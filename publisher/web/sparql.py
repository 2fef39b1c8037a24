"""SERVE: ``/sparql``, a read-only SPARQL 1.1 Protocol endpoint.

- ``GET ?query=``, ``POST`` form-encoded, ``POST application/sparql-query``;
  ``default-graph-uri`` / ``named-graph-uri`` set the dataset (else the default graph is
  the union of every report's graph, and each report is a named graph).
- The answer format comes from ``format=`` (for links), else from ``Accept``.
- ``GET`` with no query: a Service Description for RDF clients, the query page for browsers.
- Updates (``update=``, ``application/sparql-update``) are refused with 403.

The work happens in ``publisher.query`` (check, cache, worker processes with a deadline);
this module only reads the request and writes the response.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from werkzeug.datastructures import MultiDict

from publisher.errors import (
    Overloaded,
    PublisherError,
    QueryError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
)
from publisher.query import FORMATS, QueryRefused, QueryService, check_query
from publisher.query.examples import load_examples
from publisher.settings import Settings
from publisher.uris import Urls
from publisher.vocab import LOTAIP, PREFIXES, SD, SH, XSD

bp = Blueprint("sparql", __name__)

SERVICE_KEY = "publisher.sparql"
_GRAPH_FORMATS = [f for f in FORMATS if f.kind == "graph"]
_DEFAULT_FORMAT = {"table": "json", "graph": "turtle"}
_DIRECT = "application/sparql-query"
_FORM = "application/x-www-form-urlencoded"
_UPDATE = "application/sparql-update"
#: other names clients use in ``format=`` (SPARQLWrapper, Virtuoso-style links)
_FORMAT_NAMES = {
    "rdf+xml": "rdfxml",
    "rdf": "rdfxml",
    "json-ld": "jsonld",
    "n3": "turtle",
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
}
_READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"


class ProtocolError(PublisherError):
    """A request the SPARQL Protocol does not allow; carries its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def init_app(app: Any) -> None:
    """Register the blueprint and the query service on ``app``."""
    settings: Settings = app.extensions["publisher.settings"]
    app.extensions[SERVICE_KEY] = QueryService(app.extensions["publisher.store.embedded"], settings)
    app.register_blueprint(bp)


def _service() -> QueryService:
    service: QueryService = current_app.extensions[SERVICE_KEY]
    return service


@bp.after_request
def _cors(response: Response) -> Response:
    # Researchers query from notebooks and other sites' pages: allow any origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag, X-SPARQL-Truncated"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Accept")
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol query operation."""
    try:
        query, default_graphs, named_graphs = _read_request()
        if query is None:
            return _no_query()
        if _wants_page():
            return _page(query=query, autorun=True)
        return _answer(query, default_graphs, named_graphs)
    except ProtocolError as err:
        return protocol_error(err.status, str(err))
    except QueryRefused as err:
        return protocol_error(403, str(err))
    except Overloaded as err:
        response = protocol_error(503, str(err))
        response.headers["Retry-After"] = str(max(1, math.ceil(err.retry_after)))
        return response
    except (QueryTimeout, StoreUnavailable) as err:
        return protocol_error(503, str(err))
    except QueryError as err:
        return protocol_error(400, str(err))
    except StoreError as err:
        return protocol_error(500, str(err))


def _read_request() -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """The query text and dataset IRIs, per the protocol's three ways of sending them."""
    limit = _settings().max_query_bytes * 3 + 4096  # URL-encoding may triple a text
    if (request.content_length or 0) > limit:
        raise ProtocolError(413, f"request body too large: at most {limit} bytes")
    if "update" in request.args or request.mimetype == _UPDATE:
        raise ProtocolError(403, _READ_ONLY)
    queries = request.args.getlist("query")
    if request.method == "POST":
        if request.mimetype == _FORM:
            if "update" in request.form:
                raise ProtocolError(403, _READ_ONLY)
            queries += request.form.getlist("query")
        elif request.mimetype == _DIRECT:
            queries.insert(0, _direct_body())
        else:
            shown = request.mimetype or "no media type"
            raise ProtocolError(415, f"POST a query as {_FORM} or {_DIRECT}, not {shown}")
    if len(queries) > 1:
        raise ProtocolError(400, "give exactly one 'query' parameter")
    form = request.form if request.mimetype == _FORM else MultiDict()
    default, named = (
        tuple(request.args.getlist(name) + form.getlist(name))
        for name in ("default-graph-uri", "named-graph-uri")
    )
    return (queries[0] if queries else None, default, named)


def _direct_body() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"queries must be sent as UTF-8, not {charset}")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(400, f"query body is not valid UTF-8: {err}") from err


def _answer(query: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> Response:
    service = _service()
    fmt = _choose_format(service, query)
    prepared = service.prepare(query, fmt, default_graphs, named_graphs, request.base_url)
    if prepared.etag in request.if_none_match:
        return _with_headers(Response(status=304), prepared.etag)
    outcome = service.answer(prepared)
    answer = outcome.answer
    response = Response(answer.body, content_type=_content_type(answer.media_type))
    response.headers["X-SPARQL-Cache"] = "hit" if outcome.cached else "miss"
    if request.values.get("download"):
        extension = {"json": "srj", "xml": "srx"}.get(fmt, fmt)
        response.headers["Content-Disposition"] = f'attachment; filename="results.{extension}"'
    if answer.truncated:
        # Every format carries the header; JSON, XML, Turtle and N-Triples say it in the
        # body too (results.py), so that a saved file does not pass for a whole answer.
        response.headers["X-SPARQL-Truncated"] = str(_settings().max_rows)
    return _with_headers(response, outcome.etag)


def _choose_format(service: QueryService, query: str) -> str:
    """``format=`` first (a name or a media type), else the best Accept match for the form.

    ``format`` values that cannot carry this kind of answer are passed over rather than
    refused: SPARQLWrapper, for one, sends several (``format=tsv&format=text/tab-…``).
    """
    kind = "graph" if check_query(query, service.settings.max_query_bytes).is_graph else "table"
    for asked in request.values.getlist("format"):
        name = _FORMAT_NAMES.get(asked.lower(), asked.lower())
        for fmt in FORMATS:
            if fmt.kind == kind and name in (fmt.name, *fmt.media_types):
                return fmt.name
    # Offered in table order, so that "*/*" or no Accept gets JSON (tables) or Turtle.
    offered = {m: f.name for f in FORMATS if f.kind == kind for m in f.media_types}
    best = request.accept_mimetypes.best_match(list(offered))
    return offered[best] if best else _DEFAULT_FORMAT[kind]


def _content_type(media_type: str) -> str:
    text = media_type.startswith("text/") or media_type.endswith(("json", "xml"))
    return f"{media_type}; charset=utf-8" if text else media_type


def _with_headers(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    # Answers change only with the data; clients revalidate and get 304 until then.
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


def _wants_page() -> bool:
    """A browser following a link to ``/sparql?query=…`` gets the page, not raw results.

    Only when HTML is preferred strictly over every result format: ``*/*`` (curl, most
    libraries) still gets results.
    """
    if request.method != "GET":
        return False
    # The page's Run button (run=1) wants the page even though the form also sends the
    # download format; format= alone means the results themselves.
    if "format" in request.args and "run" not in request.args:
        return False
    accept = request.accept_mimetypes
    machine = max(accept.quality(m) for f in FORMATS for m in f.media_types)
    return accept.quality("text/html") > machine


def _no_query() -> Response:
    if request.method == "POST":
        raise ProtocolError(400, "no query given: send a 'query' parameter or body")
    offered = ["text/html"] + [m for f in _GRAPH_FORMATS for m in f.media_types]
    best = request.accept_mimetypes.best_match(offered, default="text/html")
    if best == "text/html":
        return _page(query=None, autorun=False)
    return _service_description(best)


def _service_description(media_type: str) -> Response:
    fmt = next(f for f in _GRAPH_FORMATS if media_type in f.media_types)
    graph = service_description(request.base_url, _service().store.graphs())
    rdflib_format = {"turtle": "turtle", "jsonld": "json-ld", "rdfxml": "xml", "nt": "nt"}
    body = graph.serialize(format=rdflib_format[fmt.name])
    return Response(body, content_type=_content_type(fmt.media_type))


def service_description(endpoint_url: str, named_graphs: list[URIRef]) -> Graph:
    """A SPARQL 1.1 Service Description of this endpoint."""
    graph = Graph()
    graph.bind("sd", SD)
    service = URIRef(endpoint_url)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    entailment = URIRef("http://www.w3.org/ns/entailment/Simple")
    graph.add((service, SD.defaultEntailmentRegime, entailment))
    for fmt in FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.iri)))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name in named_graphs:
        node = BNode()
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, name))
    # The predefined prefixes, as SHACL declares prefixes (sh:declare): queries may use
    # them without PREFIX lines (publisher/query/prefixes.py).
    graph.bind("sh", SH)
    for prefix, namespace in PREFIXES.items():
        node = BNode()
        graph.add((service, SH.declare, node))
        graph.add((node, SH.prefix, Literal(prefix)))
        graph.add((node, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    label = Literal("LOTAIP a4: metas y objetivos, punto SPARQL", lang="es")
    graph.add((service, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), label))
    return graph


def _page(query: str | None, autorun: bool) -> Response:
    settings = _settings()
    examples = load_examples()
    chosen = request.args.get("example")
    selected = next((e for e in examples if e.name == chosen), None)
    if query is None:
        query = selected.text if selected else (examples[0].text if examples else "")
    run = autorun or selected is not None
    # The answer is rendered here too, so the page works without JavaScript; the script
    # runs it again (from the answer cache) to draw its own table.
    table = _server_table(query) if run and query else None
    html = render_template(
        "sparql.html",
        query=query,
        examples=examples,
        selected=selected.name if selected else "",
        autorun=run,
        table=table,
        max_rows=settings.max_rows,
        timeout=settings.query_timeout,
        examples_data=[{"name": e.name, "text": e.text} for e in examples],
        prefixes=PREFIXES,
        endpoint=request.base_url,
        id_base=Urls(settings.base_uri).thing(""),
        def_base=str(LOTAIP),
        formats=[f for f in FORMATS if f.kind == "table"],
        vendor=(settings.site_dir / "static" / "vendor" / "yasqe.min.js").is_file(),
        yasr=(settings.site_dir / "static" / "vendor" / "yasr.min.js").is_file(),
    )
    return Response(html, content_type="text/html; charset=utf-8")


def _server_table(query: str) -> dict[str, Any] | None:
    """The answer to a SELECT or ASK ``query`` as a table for the page (None for a graph
    query): each cell a (text, link or None, hover title); or the error's message."""
    from publisher.web.pages import href  # the one rule for links on every page

    service = _service()
    id_base = Urls(_settings().base_uri).thing("")
    try:
        prepared = service.prepare(query, "json", base_iri=request.base_url)
        answer = service.answer(prepared).answer
    except (QueryError, StoreError) as err:  # refused, malformed, timed out, overloaded
        return {"error": str(err)}
    data = json.loads(answer.body)
    if "boolean" in data:
        return {"boolean": data["boolean"]}
    names = data["head"]["vars"]
    rows = []
    for binding in data["results"]["bindings"]:
        row: list[tuple[str, str | None, str]] = []
        for name in names:
            term = binding.get(name)
            if term is None:
                row.append(("", None, ""))
            elif term["type"] == "uri":
                label = binding.get(name + "Label") or binding.get(name + "_label")
                text = label["value"] if label and label["type"] == "literal" else term["value"]
                iri = term["value"]
                # Our things by /id/ (303 to their page), as the page's script links them.
                link = (
                    "/id/" + iri[len(id_base) :] if iri.startswith(id_base) else href(URIRef(iri))
                )
                row.append((text, link, iri))
            else:
                title = term.get("datatype", "").replace(str(XSD), "xsd:")
                lang = term.get("xml:lang")
                row.append((term["value"] + (f" @{lang}" if lang else ""), None, title))
        rows.append(row)
    return {"vars": names, "rows": rows, "truncated": answer.truncated}


def protocol_error(status: int, message: str) -> Response:
    """The endpoint's errors: the fixed JSON shape for JSON clients, plain text otherwise."""
    best = request.accept_mimetypes.best_match(
        ["text/plain", "application/json", "application/sparql-results+json"]
    )
    if best in ("application/json", "application/sparql-results+json"):
        body = json.dumps({"error": message, "status": status}, ensure_ascii=False)
        response = Response(body, content_type="application/json; charset=utf-8")
    else:
        response = Response(message + "\n", content_type="text/plain; charset=utf-8")
    response.status_code = status
    return response


def _settings() -> Settings:
    settings: Settings = current_app.extensions["publisher.settings"]
    return settings
