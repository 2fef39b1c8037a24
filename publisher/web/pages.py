"""Pages for people: home, browse and search, downloads, VoID, dumps and the sitemap.

Also the template helpers every page uses (``t`` for the site's labels, ``href`` and
``label`` for RDF terms), so templates never build URLs or IRIs themselves.
"""

from __future__ import annotations

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
from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier
from werkzeug.exceptions import BadRequest

from publisher.query.examples import load_examples
from publisher.settings import Settings
from publisher.store import Store
from publisher.uris import Urls
from publisher.vocab import LOTAIP
from publisher.web import conneg, i18n, queries
from publisher.web.cache import cached
from publisher.web.view import curie

bp = Blueprint("pages", __name__)

SEARCH_LIMIT = 500
SITEMAP_LIMIT = 50000


def store() -> Store:
    """The store this app serves."""
    return current_app.extensions["publisher.store"]


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
        from publisher.tidy import media_type

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


def _number(name: str) -> Literal | None:
    raw = request.args.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return Literal(Decimal(raw))
    except InvalidOperation as err:
        raise BadRequest(f"{name} must be a number, not {raw!r}") from err


def _iri_choice(name: str, allowed: list[Identifier]) -> URIRef | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if URIRef(raw) not in allowed:
        raise BadRequest(f"unknown {name}: {raw!r}")
    return URIRef(raw)


def search_bindings(institutions: list[Identifier], levels: list[Identifier]) -> dict:
    """The browse form's filters as query bindings (only those given)."""
    text = request.args.get("q", "").strip()
    values: dict[str, Identifier | None] = {
        "institution": _iri_choice("institution", institutions),
        "level": _iri_choice("level", levels),
        "text": Literal(text) if text else None,
        "min": _number("min"),
        "max": _number("max"),
    }
    return {k: v for k, v in values.items() if v is not None}


@bp.get("/browse")
def browse() -> Response:
    """Browse and search targets by institution, process level, objective text, value."""
    institutions = store().select(queries.INSTITUTIONS)
    levels = store().select(queries.PROCESS_LEVELS, {"lang": Literal(lang())})
    bindings = search_bindings([r["i"] for r in institutions], [r["level"] for r in levels])
    query = queries.search_query(list(bindings))
    rows = store().select(query, bindings) if bindings else []
    html = render_template(
        "browse.html",
        institutions=institutions,
        levels=levels,
        rows=rows[:SEARCH_LIMIT],
        truncated=len(rows) > SEARCH_LIMIT,
        searched=bool(bindings),
        args=request.args,
    )
    return conneg.finish(Response(html, mimetype="text/html"), conneg.HTML)


def published_dir() -> Path:
    """The folder of the published version (``DATA/current``)."""
    return settings().data_dir / "current"


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
    """One dump file of the published version."""
    folder = published_dir() / "dumps"
    if not (folder / name).is_file():
        abort(404)
    response = send_from_directory(folder, name, mimetype=_media_type(name))
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
