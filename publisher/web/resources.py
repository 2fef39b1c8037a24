"""Dereferenceable URIs: ``/id/…`` things, ``/doc/…`` documents, ``/def/…`` vocabulary.

Following "Cool URIs for the Semantic Web": a thing's IRI answers ``303 See Other`` to the
document describing it, in the format the client asked for; documents are also reachable
with an explicit extension. Unknown IRIs are 404s (negotiated by ``web/errors.py``).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request
from rdflib import RDFS, Literal, URIRef
from rdflib.namespace import FOAF, SKOS, VOID
from werkzeug.wrappers import Response as BaseResponse

from publisher.vocab import LOTAIP
from publisher.web import conneg, entities, queries
from publisher.web.cache import cached
from publisher.web.pages import lang, store, urls
from publisher.web.view import Description, describe

bp = Blueprint("resources", __name__)


#: The collections of things, ``/id/<name>/``, and the class of their members.
COLLECTIONS: dict[str, URIRef] = {
    "institucion": LOTAIP.Institution,
    "reporte": LOTAIP.Report,
    "territorio": SKOS.Concept,
    "fuente": LOTAIP.SourceFile,
    "enlaces": VOID.Linkset,
}


@bp.route("/id/<path:path>", methods=["GET", "HEAD"])
def thing(path: str) -> BaseResponse:
    """303 to the document describing the thing, in the format the client prefers."""
    iri = urls().thing(path)
    if path.rstrip("/") in COLLECTIONS:
        pass  # a collection: always there, even empty
    elif not store().ask(queries.EXISTS, {"s": iri}):
        abort(404)
    fmt = conneg.choose_format(request)
    location = f"/doc/{path}" if fmt is conneg.HTML else f"/doc/{path}.{fmt.extension}"
    response = redirect(location, code=303)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/doc/<path:path>", methods=["GET", "HEAD"])
def document(path: str) -> Response:
    """The document about ``/id/<path>``: HTML for people, RDF by Accept or extension."""
    path, explicit = conneg.split_extension(path)
    if path.rstrip("/") in COLLECTIONS:
        return _collection_response(path.rstrip("/"), explicit)
    return _describe_response(urls().thing(path), f"/doc/{path}", explicit)


def _collection_response(name: str, explicit: conneg.Format | None) -> Response:
    """The members of ``/id/<name>/``: a list page, or RDF (``rdfs:member``)."""
    fmt = conneg.choose_format(request, explicit)
    doc_path = f"/doc/{name}/"
    parts = (doc_path, fmt.name, lang() if fmt is conneg.HTML else "")
    body = cached(parts, lambda: _collection(name, doc_path, fmt))
    return conneg.finish(Response(body, mimetype=fmt.media_type), fmt, doc_path)


def _collection(name: str, doc_path: str, fmt: conneg.Format) -> bytes:
    iri = urls().thing(f"{name}/")
    bind = {"class": COLLECTIONS[name], "prefix": Literal(str(iri))}
    rows = store().select(queries.COLLECTION_MEMBERS, bind)
    if fmt is conneg.HTML:
        html = render_template(
            "collection.html",
            name=name,
            iri=iri,
            rows=rows,
            doc_path=doc_path,
            alternates=conneg.alternates(doc_path),
        )
        return html.encode("utf-8")
    doc_iri = URIRef(urls().base.rstrip("/") + doc_path)
    triples: list[conneg.Triple] = [(doc_iri, FOAF.primaryTopic, iri)]
    for row in rows:
        triples.append((iri, RDFS.member, row["member"]))
        if row.get("label") is not None:
            triples.append((row["member"], RDFS.label, row["label"]))
    return conneg.serialize(triples, fmt, own_prefixes())


def own_prefixes() -> dict[str, str]:
    """Prefixes for our collections (``institucion:`` …), so that Turtle names their
    members briefly."""
    return {name: str(urls().thing(f"{name}/")) for name in COLLECTIONS}


@bp.route("/def/", methods=["GET", "HEAD"])
def vocabulary() -> Response:
    """Index of our vocabulary: classes, properties and concepts, with their comments."""
    fmt = conneg.choose_format(request)
    if fmt is not conneg.HTML:
        ontology = URIRef(str(LOTAIP))
        return _describe_response(ontology, "/def/", fmt)
    rows = store().select(
        queries.VOCABULARY_TERMS, {"lang": Literal(lang()), "ns": Literal(str(LOTAIP))}
    )
    html = render_template("vocabulary.html", groups=entities.vocabulary_groups(rows))
    return conneg.finish(Response(html, mimetype="text/html"), conneg.HTML)


@bp.route("/def/<path:term>", methods=["GET", "HEAD"])
def term(term: str) -> Response:
    """One term of our vocabulary: its documentation, or its RDF by negotiation."""
    term, explicit = conneg.split_extension(term)
    return _describe_response(URIRef(str(LOTAIP) + term), f"/def/{term}", explicit)


@bp.route("/context.jsonld", methods=["GET", "HEAD"])
def context() -> Response:
    """The JSON-LD context our documents are compacted with."""
    response = Response(conneg.json_text(conneg.jsonld_context()))
    response.headers["Content-Type"] = "application/ld+json; charset=utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return conneg.finish(response, conneg.HTML)


def _describe_response(iri: URIRef, doc_path: str, explicit: conneg.Format | None) -> Response:
    fmt = conneg.choose_format(request, explicit)
    parts: tuple[str, ...] = (doc_path, fmt.name, lang() if fmt is conneg.HTML else "")
    sort = request.args.get("sort", "")
    if fmt is conneg.HTML and sort:  # the institution page's unit table sorts by it
        parts = (*parts, sort)
    body = cached(parts, lambda: _document(iri, doc_path, fmt))
    return conneg.finish(Response(body, mimetype=fmt.media_type), fmt, doc_path)


def _document(iri: URIRef, doc_path: str, fmt: conneg.Format) -> bytes:
    """The body of the document about ``iri`` in ``fmt``; 404 when nothing is known."""
    desc = describe(store(), iri, urls().history())
    if not desc.exists:
        abort(404)
    if fmt is conneg.HTML:
        return render_page(desc, doc_path).encode("utf-8")
    doc_iri = URIRef(urls().base.rstrip("/") + doc_path)
    return conneg.serialize(desc.triples(doc_iri), fmt, own_prefixes())


def render_page(desc: Description, doc_path: str) -> str:
    """The HTML page for ``desc``: a kind-specific template when there is one."""
    template, extra = entities.page_for(desc, lang())
    return render_template(
        template,
        desc=desc,
        doc_path=doc_path,
        alternates=conneg.alternates(doc_path),
        **extra,
    )
