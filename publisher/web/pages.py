"""Pages for people: home, browse and search, downloads, VoID, dumps and the sitemap.

Also the template helpers every page uses (``t`` for the site's labels, ``href`` and
``label`` for RDF terms), so templates never build URLs or IRIs themselves.
"""

from __future__ import annotations

import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from rdflib import Graph, URIRef
from rdflib.term import Identifier
from werkzeug.exceptions import BadRequest

from publisher import downloads as tidy
from publisher.downloads import search
from publisher.query.examples import load_examples
from publisher.settings import Settings
from publisher.store.embedded import Store
from publisher.uris import Urls
from publisher.vocab import LOTAIP
from publisher.web import conneg, i18n, queries
from publisher.web.cache import cached
from publisher.web.view import curie

bp = Blueprint("pages", __name__)

SITEMAP_LIMIT = 50000


def store() -> Store:
    """The store this app serves."""
    return current_app.extensions["publisher.store.embedded"]


def settings() -> Settings:
    """The settings this app runs with."""
    return current_app.extensions["publisher.settings"]


def urls() -> Urls:
    """The IRI builder for this deployment's base URI."""
    return Urls(settings().base_uri)


def lang() -> str:
    """The reader's language for this request."""
    if "lang" not in g:
        g.lang = i18n.request_language(request)
    return g.lang


def href(term: Identifier) -> str | None:
    """Where a link to ``term`` goes on this site: its page, else its own IRI when that is
    http(s); None (no link) for anything else, such as a ``javascript:`` IRI in the data."""
    if not isinstance(term, URIRef):
        return None
    ours = urls().doc_path(str(term))
    if ours:
        return ours
    return str(term) if str(term).lower().startswith(("http://", "https://")) else None


def page_of(iri: str) -> str:
    """Where a link to the IRI ``iri`` (a string, as the search index holds it) goes: its
    page, else the IRI itself when http(s), else "#" (never a ``javascript:`` link)."""
    return href(URIRef(iri)) or "#"


def is_web(url: str | None) -> bool:
    """Whether ``url`` may be a link target: an http(s) URL, nothing else."""
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def lang_url(code: str) -> str:
    """This page's URL in the language ``code``."""
    args = {**request.args.to_dict(), "lang": code}
    if request.endpoint is None:  # an unknown path (404): stay on it
        return f"{request.path}?{urlencode(args)}"
    values: dict[str, Any] = {**(request.view_args or {}), **args}
    return url_for(request.endpoint, **values)


@bp.app_context_processor
def template_helpers() -> dict[str, Any]:
    """Helpers and values every template can use."""
    code = lang()
    return {
        "lang": code,
        "other_lang": "en" if code == "es" else "es",
        "t": lambda key: i18n.translate(key, code),
        "lang_url": lang_url,
        "href": href,
        "page_of": page_of,
        "is_web": is_web,
        "curie": curie,
    }


@bp.after_app_request
def remember_language(response: Response) -> Response:
    """Keep a ``?lang=`` choice for the next pages; pages vary by language."""
    asked = request.args.get("lang")
    if asked in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, asked, max_age=365 * 86400, samesite="Lax")
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def _counts() -> dict[str, int]:
    names = {
        LOTAIP.Institution: "institutions",
        LOTAIP.AdministrativeUnit: "units",
        LOTAIP.Objective: "objectives",
        LOTAIP.Indicator: "indicators",
        LOTAIP.Target: "targets",
        LOTAIP.Report: "reports",
    }
    counts = dict.fromkeys(names.values(), 0)
    for row in store().select(queries.COUNTS):
        counts[names[row["class"]]] = int(row["n"])  # type: ignore[index]
    counts["triples"] = len(store())
    return counts


def dataset_markup(counts: dict[str, int]) -> dict[str, Any]:
    """schema.org ``Dataset`` description of the site, for dataset search engines."""
    root = request.url_root
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": i18n.translate("site.title", "es"),
        "alternateName": i18n.translate("site.title", "en"),
        "description": i18n.translate("home.intro", "es"),
        "url": root,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "inLanguage": "es",
        "keywords": ["LOTAIP", "transparencia", "Ecuador", "metas", "objetivos"],
        "spatialCoverage": {"@type": "Place", "name": "Ecuador"},
        "variableMeasured": ["metas", "objetivos", "indicadores"],
        "size": f"{counts['triples']} triples",
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": _media_type(path.name),
                "contentUrl": root.rstrip("/") + url_for("pages.dump", name=path.name),
            }
            for path in dump_files()
        ],
    }


def _media_type(name: str) -> str:
    if name.endswith((".nq.gz", ".nq")):
        return "application/n-quads"
    if name.endswith((".ttl", ".ttl.gz")):
        return "text/turtle"
    if name.endswith((".csv", ".xlsx", "-metadata.json")):  # the tidy tables (tidy.py)
        from publisher.downloads import media_type

        return media_type(name)
    return "application/octet-stream"


@bp.get("/")
def home() -> Response:
    """What this is, counts, institutions, latest reports, example queries, downloads."""
    body = cached(("/", "html", lang(), request.url_root), _render_home)
    return conneg.finish(Response(body, mimetype="text/html"), conneg.HTML)


def _render_home() -> bytes:
    counts = _counts()
    html = render_template(
        "index.html",
        counts=counts,
        institutions=store().select(queries.INSTITUTIONS),
        reports=store().select(queries.REPORTS)[:10],
        examples=load_examples(),
        dataset=dataset_markup(counts),
    )
    return html.encode("utf-8")


def _number(name: str) -> float | None:
    raw = request.args.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(Decimal(raw))
    except InvalidOperation as err:
        raise BadRequest(f"{name} must be a number, not {raw!r}") from err


_INDEX_LOCK = threading.Lock()


def search_index() -> search.Index:
    """The search index of the version served now: the build's ``search.sqlite``, or one
    made in memory from the store (a store with no published folder, or a build made
    before there was an index or before its present layout)."""
    version = store().version
    path = published_dir().resolve() / search.INDEX
    key = str(path) if path.is_file() else f"memory:{version}"
    with _INDEX_LOCK:
        held = current_app.extensions.get("publisher.downloads.search")
        if held is None or held[0] != key:
            index = None
            if path.is_file():
                try:
                    index = search.open_index(path)
                except search.OutdatedIndex as err:
                    current_app.logger.warning("%s: searching an index made in memory", err)
            if index is None:
                index = search.memory_index(store())
            held = (key, index)
            current_app.extensions["publisher.downloads.search"] = held
    return held[1]


def search_request() -> tuple[str, dict[str, str], tuple[float | None, float | None]]:
    """The words, the chosen facets and the value bounds of this request; 400 for a
    facet value the data does not have (an unknown institution, say)."""
    index = search_index()
    chosen = {}
    for name in search.FACETS:
        value = request.args.get(name, "").strip()
        if value:
            if value not in index.facet_values(name):
                raise BadRequest(f"unknown {name}: {value!r}")
            chosen[name] = value
    return request.args.get("q", "").strip(), chosen, (_number("min"), _number("max"))


def facet_url(name: str, value: str | None, endpoint: str = "pages.browse") -> str:
    """This search with facet ``name`` set to ``value`` (None: removed), at ``endpoint``
    (the page, or its CSV); empty parameters are left out."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != name and v}
    if value is not None:
        args[name] = value
    return url_for(endpoint, **args)


@bp.get("/browse")
def browse() -> Response:
    """Search institutions, units, objectives, indicators and targets, blind to accents
    and case, and narrow the rows by facets (each state a shareable URL)."""
    text, chosen, bounds = search_request()
    searched = bool(text or chosen or bounds != (None, None))
    result = search_index().search(text, chosen, bounds) if searched else None
    html = render_template(
        "browse.html",
        result=result,
        searched=searched,
        facets=search_index().overview().facets if result is None else result.facets,
        chosen=chosen,
        args=request.args,
        facet_url=facet_url,
        csv_url=facet_url("", None, "pages.browse_csv"),
    )
    return conneg.finish(Response(html, mimetype="text/html"), conneg.HTML)


@bp.get("/browse.csv")
def browse_csv() -> Response:
    """The rows of a search, every one of them, as the tidy CSV (UTF-8 with BOM)."""
    text, chosen, bounds = search_request()
    rows = search_index().rows(text, chosen, bounds)
    response = Response(tidy.csv_bytes(rows, bom=request.args.get("bom") != "0"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    response.headers["Content-Disposition"] = 'attachment; filename="metas.csv"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def published_dir() -> Path:
    """The folder of the published version (``DATA/current``), as an absolute path:
    Flask's ``send_from_directory`` resolves a relative folder against the package, not
    the working directory, so ``serve --data data`` answered 404 for every dump."""
    return settings().data_dir.absolute() / "current"


def dump_files() -> list[Path]:
    """The dumps of the published version."""
    folder = published_dir() / "dumps"
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []


@bp.get("/downloads")
def downloads() -> Response:
    """The dumps, the VoID description and the sitemap."""
    html = render_template("downloads.html", dumps=dump_files())
    return conneg.finish(Response(html, mimetype="text/html"), conneg.HTML)


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file of the published version. A compressed one is labelled by its
    compression (its bytes are gzip: a client that trusts the header must not read them
    as RDF); VoID and DCAT say what it holds."""
    folder = published_dir() / "dumps"
    if not (folder / name).is_file():
        abort(404)
    mimetype = "application/gzip" if name.endswith(".gz") else _media_type(name)
    response = send_from_directory(folder, name, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def void_graph() -> Graph:
    """The published VoID/DCAT description (``DATA/current/void.ttl``)."""
    path = published_dir() / "void.ttl"
    if not path.is_file():
        abort(404)
    return Graph().parse(path, format="turtle")


@bp.get("/.well-known/void")
def void() -> Response:
    """The dataset's VoID description, by content negotiation."""
    fmt = conneg.choose_format(request)
    if fmt is conneg.HTML:
        return downloads()
    body = conneg.serialize(void_graph(), fmt)
    return conneg.finish(Response(body), fmt)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page a crawler should visit."""
    root = request.url_root.rstrip("/")
    pages = [url_for(e) for e in ("pages.home", "pages.browse", "pages.downloads")]
    pages += [url_for(e) for e in ("insights.quality_page", "insights.changes_page")]
    for row in store().select(queries.SITEMAP):
        path = urls().doc_path(str(row["s"]))
        if path and len(pages) < SITEMAP_LIMIT:
            pages.append(path)
    xml = render_template("sitemap.xml", locations=[root + p for p in pages])
    response = Response(xml, mimetype="application/xml")
    return conneg.finish(response, conneg.HTML)
