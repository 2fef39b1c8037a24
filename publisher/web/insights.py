"""Pages for people who do not write SPARQL: tidy downloads, report quality, changes.

- ``/descargas/metas.csv|.xlsx`` the tidy table (``tidy.py``), filtered by
  ``institucion``, ``nivel``, ``anio``, ``q``, ``informe``, ``min``, ``max``; ``?bom=0``
  gives plain UTF-8 CSV. ``/descargas/metas.csv-metadata.json`` is its CSVW description.
- ``/calidad`` institutions ranked by the DQV measurements (``quality.py``), with the
  method; each report page shows its own scores (``report_quality``).
- ``/cambios?institucion=…&de=…&a=…`` what changed between two reports (``history.py``);
  objective and indicator pages draw their targets over time (``target_history``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import URIRef
from werkzeug.exceptions import BadRequest

from publisher import downloads as tidy
from publisher.enrichment import quality
from publisher.mapping.convert import month_name
from publisher.query import history
from publisher.records import PROCESS_LEVELS
from publisher.vocab import LOTAIP
from publisher.web import conneg
from publisher.web.cache import cached
from publisher.web.pages import lang, store, urls

bp = Blueprint("insights", __name__)

#: Query parameters of the download links (Spanish, as the site's paths).
FILTER_PARAMS = ("institucion", "informe", "nivel", "anio", "q", "min", "max")


def _iri_or_slug(raw: str, from_slug: Any) -> URIRef:
    """A full IRI as given, or a short name turned into one (``sot``, ``governing``)."""
    return URIRef(raw) if raw.startswith(("http://", "https://")) else from_slug(raw)


def _decimal(name: str) -> Decimal | None:
    raw = request.args.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation as err:
        raise BadRequest(f"{name} must be a number, not {raw!r}") from err


def request_filters() -> tuple[tuple[str, str], ...]:
    """The filters of this request, as (name, value) pairs (only those given)."""
    return tuple((n, request.args[n].strip()) for n in FILTER_PARAMS if request.args.get(n))


def parse_filters(given: tuple[tuple[str, str], ...]) -> tidy.Filters:
    """Download parameters as ``tidy.Filters``; 400 for an impossible value."""
    args = dict(given)
    level = args.get("nivel")
    if level and not level.startswith("http") and level not in PROCESS_LEVELS:
        raise BadRequest(f"unknown nivel {level!r}: one of {', '.join(PROCESS_LEVELS)}")
    year = args.get("anio")
    if year and not year.isdigit():
        raise BadRequest(f"anio must be a year, not {year!r}")
    return tidy.Filters(
        institution=_iri_or_slug(args["institucion"], urls().institution)
        if "institucion" in args
        else None,
        report=URIRef(args["informe"]) if "informe" in args else None,
        level=_iri_or_slug(level, lambda k: LOTAIP[f"nivel/{k}"]) if level else None,
        year=int(year) if year else None,
        text=args.get("q"),
        min=_decimal("min"),
        max=_decimal("max"),
    )


def _rows() -> list[tidy.TidyRow]:
    return tidy.tidy_rows(store(), parse_filters(request_filters()))


def _attachment(body: bytes, media_type: str, name: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = f'<{url_for("insights.csvw")}>; rel="describedby"'
    return response


@bp.get("/descargas/metas.csv")
def csv_download() -> Response:
    """The tidy table as CSV: UTF-8 with BOM (spreadsheets), ``?bom=0`` for plain UTF-8."""
    bom = request.args.get("bom", "1") != "0"
    body = tidy.csv_bytes(_rows(), bom=bom)
    response = _attachment(body, "text/csv", "metas.csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    return response


@bp.get("/descargas/metas.xlsx")
def xlsx_download() -> Response:
    """The tidy table as an XLSX workbook."""
    return _attachment(tidy.xlsx_bytes(_rows()), tidy.XLSX_MEDIA_TYPE, "metas.xlsx")


@bp.get("/descargas/metas.csv-metadata.json")
def csvw() -> Response:
    """CSVW metadata describing every column of the CSV downloads."""
    base = request.url_root.rstrip("/")
    metadata = tidy.csvw_metadata([base + url_for("insights.csv_download")])
    response = Response(conneg.json_text(metadata), mimetype=tidy.CSVW_MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def download_links(given: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """``download these rows`` links for the filters ``given`` (CSV, plain CSV, XLSX)."""
    args: dict[str, Any] = dict(given)
    return {
        "csv": url_for("insights.csv_download", **args),
        "csv_plain": url_for("insights.csv_download", bom="0", **args),
        "xlsx": url_for("insights.xlsx_download", **args),
    }


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    """``download_links`` and ``percent`` for every template."""
    return {"download_links": download_links, "percent": percent}


def percent(value: Decimal | None) -> str:
    """``0.9474`` -> ``"94.7 %"``."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f} %"


# ------------------------------------------------------------------------------ quality


@bp.get("/calidad")
def quality_page() -> Response:
    """Institutions ranked by the quality of their reports, and how it is measured."""
    body = cached(("/calidad", "html", lang()), _render_quality)
    return conneg.finish(Response(body, mimetype="text/html"), conneg.HTML)


def _render_quality() -> bytes:
    html = render_template(
        "quality.html",
        ranking=quality.ranking(store()),
        metrics=quality.metric_definitions(store(), lang()),
    )
    return html.encode("utf-8")


def report_quality(report: URIRef, language: str) -> list[quality.Measurement]:
    """A report's published scores (for its page)."""
    return quality.measurements(store(), report, language)


# ------------------------------------------------------------------------------ changes


def _report_arg(name: str, reports: list[tuple[URIRef, str]], default: URIRef) -> URIRef:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    for iri, date in reports:  # a report IRI, or its period (2023-01) or date
        if raw in (str(iri), date, date[:7]):
            return iri
    raise BadRequest(f"{name}: no report {raw!r} of this institution")


@bp.get("/cambios")
def changes_page() -> Response:
    """What changed between two reports of an institution (default: its two latest)."""
    raw = request.args.get("institucion", "").strip()
    institutions = store().select(_INSTITUTIONS)
    data: dict[str, Any] = {"institutions": institutions, "chosen": None, "changes": None}
    if raw:
        institution = _iri_or_slug(raw, urls().institution)
        reports = history.reports_of(store(), institution)
        if not reports:
            raise BadRequest(f"no reports of institution {raw!r}")
        data.update(chosen=institution, reports=reports)
        if len(reports) >= 2:
            before = _report_arg("de", reports, reports[-2][0])
            after = _report_arg("a", reports, reports[-1][0])
            data["changes"] = history.changes(store(), before, after)
            data["dates"] = dict(reports)
    html = render_template("changes.html", **data)
    return conneg.finish(Response(html, mimetype="text/html"), conneg.HTML)


_INSTITUTIONS = """PREFIX lotaip: <https://w3id.org/lotaip/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?i (SAMPLE(?name) AS ?label) WHERE {
  ?i a lotaip:Institution . OPTIONAL { ?i rdfs:label ?name }
} GROUP BY ?i ORDER BY ?label"""


def target_history(node: URIRef) -> dict[str, Any]:
    """Targets over time of an objective or indicator: points and an SVG chart (drawn
    only when at least two reports state it)."""
    points = history.history(store(), node)
    reports = {p.report for p in points}
    chart = history.svg_chart(points, str(node)) if len(reports) >= 2 else ""
    # say which months the table covers: the page's other sections are the current state
    months = sorted({p.date[:7] for p in points if p.date})
    language = lang()
    covers = [month_name(dt.date.fromisoformat(f"{m}-01"), language) for m in months]
    return {"history": points, "history_chart": chart, "history_months": covers}
