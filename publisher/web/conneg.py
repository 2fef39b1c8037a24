"""Content negotiation as one table, and the HTTP headers every document carries.

``FORMATS`` lists each format once (media type, rdflib format, extension). The same table
chooses a response format, writes ``Link: rel="alternate"`` headers and the page footer's
"this page as …" links, and negotiates 404s. JSON-LD is compacted with the context we
publish at ``/context.jsonld`` (inlined, so that documents stand alone).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from flask import Request, Response, current_app, request
from rdflib import Graph
from rdflib.term import Node
from werkzeug.exceptions import NotAcceptable

from publisher.store import rdftext
from publisher.vocab import PREFIXES

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Format:
    """One way of writing a document."""

    name: str
    media_type: str
    rdflib_format: str | None  # None: HTML, rendered from a template
    extension: str
    label: str
    aliases: tuple[str, ...] = ()


HTML = Format("html", "text/html", None, "html", "HTML", ("application/xhtml+xml",))
FORMATS: tuple[Format, ...] = (
    HTML,
    Format("turtle", "text/turtle", "turtle", "ttl", "Turtle", ("application/x-turtle",)),
    Format("jsonld", "application/ld+json", "json-ld", "jsonld", "JSON-LD", ("application/json",)),
    Format("rdfxml", "application/rdf+xml", "xml", "rdf", "RDF/XML"),
    Format("ntriples", "application/n-triples", "nt", "nt", "N-Triples", ("text/plain",)),
)
BY_NAME = {f.name: f for f in FORMATS}
#: ``.json`` is JSON-LD too: what a reader guessing the extension types first.
BY_EXTENSION = {f.extension: f for f in FORMATS} | {"json": BY_NAME["jsonld"]}
_BY_MEDIA_TYPE = {m: f for f in FORMATS for m in (f.media_type, *f.aliases)}
#: Offered in this order, so that ``*/*`` and browsers get HTML.
_OFFERED = [m for f in FORMATS for m in (f.media_type, *f.aliases)]


def split_extension(path: str) -> tuple[str, Format | None]:
    """``"a/b.ttl"`` -> ``("a/b", TURTLE)``; a path without a known extension is unchanged."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in BY_EXTENSION:
        return stem, BY_EXTENSION[ext]
    return path, None


def format_named(asked: str) -> Format | None:
    """The format a ``?format=`` value names: a name (``turtle``), an extension (``ttl``)
    or a media type (``text/turtle``, parameters ignored), as ``/sparql`` takes them."""
    asked = asked.strip()
    media_type = asked.split(";", 1)[0].strip().lower()
    return BY_NAME.get(asked) or BY_EXTENSION.get(asked) or _BY_MEDIA_TYPE.get(media_type)


def _accepted(req: Request) -> Format:
    best = req.accept_mimetypes.best_match(_OFFERED)
    return _BY_MEDIA_TYPE[best] if best else HTML


def choose_format(req: Request, explicit: Format | None = None) -> Format:
    """The format to answer with: an explicit extension, then ``?format=``, then Accept.

    An unknown ``?format=`` is a 406 listing the formats there are (it used to fall back
    to HTML silently, which a script reads as a broken document).
    """
    if explicit is not None:
        return explicit
    asked = req.args.get("format")
    if asked:
        found = format_named(asked)
        if found is None:
            raise NotAcceptable(
                f"unknown format {asked!r}: one of {', '.join(format_list())} "
                "(a name, an extension or a media type)"
            )
        return found
    return _accepted(req)


def format_list() -> list[str]:
    """Each format as ``name (media type)``, for messages."""
    return [f"{f.name} ({f.media_type})" for f in FORMATS]


def wants_html(req: Request) -> bool:
    """True when the client prefers HTML over our machine formats (a browser); an unknown
    ``?format=`` leaves it to Accept (this decides the shape of error pages)."""
    asked = format_named(req.args.get("format") or "")
    return (asked or _accepted(req)) is HTML


@cache
def jsonld_context() -> dict[str, Any]:
    """The JSON-LD ``@context`` published at ``/context.jsonld``: our namespace prefixes."""
    return {"@context": dict(PREFIXES)}


def json_text(data: Any) -> str:
    """``data`` as readable JSON text (UTF-8 kept, not escaped)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


#: Formats the store's engine writes (several times faster than rdflib); JSON-LD stays
#: with rdflib, which compacts it with our context where pyoxigraph writes expanded JSON-LD.
_OXIGRAPH_FORMATS = set(rdftext.FORMATS)


def serialize(triples: Iterable[Triple], fmt: Format, own: dict[str, str] | None = None) -> bytes:
    """``triples`` written in the RDF format ``fmt``, as UTF-8 bytes. Turtle is grouped by
    subject and uses the prefixes of PREFIXES and ``own`` (our collections, e.g.
    ``institucion:``) that occur. (Not ``@base``: pyoxigraph then writes every IRI of
    the same scheme relative, ``<//www.w3.org/…>``.)"""
    if fmt.name in _OXIGRAPH_FORMATS:
        return rdftext.serialize_graph(triples, fmt.name, {**PREFIXES, **(own or {})})
    if fmt.name != "jsonld":
        raise ValueError(f"{fmt.label} is rendered from a template, not serialised")
    graph = Graph(bind_namespaces="none")
    for triple in triples:
        graph.add(triple)
    context = jsonld_context()["@context"]
    return graph.serialize(format="json-ld", context=context).encode("utf-8")


def alternates(doc_path: str) -> list[tuple[Format, str]]:
    """Each format's URL of the document at ``doc_path`` (no extension)."""
    return [(f, f"{doc_path}.{f.extension}") for f in FORMATS]


def link_header(doc_path: str) -> str:
    """``Link`` header value naming every alternate of ``doc_path``."""
    return ", ".join(
        f'<{href}>; rel="alternate"; type="{f.media_type}"' for f, href in alternates(doc_path)
    )


def data_modified() -> datetime:
    """When the published data last changed (the store's version), for Last-Modified."""
    settings = current_app.extensions["publisher.settings"]
    current = settings.data_dir / "current"
    try:
        stamp = current.lstat().st_mtime
    except OSError:  # nothing published on disk (an in-memory store): the app's start
        started: datetime = current_app.extensions.setdefault(
            "publisher.started", datetime.now(UTC).replace(microsecond=0)
        )
        return started
    return datetime.fromtimestamp(int(stamp), UTC)


#: Our pages run no script of their own and load nothing from elsewhere; the JSON-LD
#: block on the home page is data, not script, so this policy does not block it.
def finish(response: Response, fmt: Format, doc_path: str | None = None) -> Response:
    """Add negotiation and caching headers, and answer 304 when the client's copy is fresh."""
    if fmt.rdflib_format is not None:
        response.headers["Content-Type"] = f"{fmt.media_type}; charset=utf-8"
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    if doc_path is not None:
        response.headers["Link"] = link_header(doc_path)
    response.last_modified = data_modified()
    response.add_etag()
    response.make_conditional(request)
    return response
