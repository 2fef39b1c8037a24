"""Report quality, measured per report and per institution, published with W3C DQV.

Each metric (defined in ``ontology/quality.ttl``) is a share ``count / total`` over the
parsed report: the same records the map stage turned into the published graph, so a
count here is a count of published nodes (see READING.md for what a unit, objective,
indicator and target are). An institution's measure pools its reports: the sums of
counts over the sums of totals, so a big report weighs more than a small one.

The build (``corpus.py``) publishes the metric definitions and one
``dqv:QualityMeasurement`` per report (or institution) and metric in the named graph
``QUALITY_PATH``, from each report's ``ReportQuality`` kept since it was built. The site
reads them back with ``measurements`` (``web/quality.py``).

The score that ranks institutions is the mean of the completeness shares; the share of
units stating NO APLICA is shown but not scored (a governing unit may rightly say it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from publisher.records import Indicator, Report, Target, Unit
from publisher.settings import PROJECT_ROOT
from publisher.store import rdftext
from publisher.store.embedded import Store
from publisher.store.rdftext import TermTriple, from_ox
from publisher.uris import Urls
from publisher.vocab import DQV, LOTAIP, PREFIXES, sparql_prefixes

DEFINITIONS = PROJECT_ROOT / "ontology" / "quality.ttl"
#: The named graph holding metric definitions and measurements: ``B id/calidad``.
QUALITY_PATH = "calidad"
TITLE = "Calidad de los informes: medidas DQV por informe e institución"
#: Shares are published with this many decimals.
PLACES = Decimal("0.0001")

Share = tuple[int, int]  # (count, total)


@dataclass(frozen=True)
class Metric:
    """One measured share: its IRI's last segment, its key and how to count it."""

    slug: str  # ``LOTAIP calidad/<slug>``, defined in ontology/quality.ttl
    key: str  # skos:notation, used in code and templates
    count: Callable[[Report], Share]
    scored: bool = True

    @property
    def iri(self) -> URIRef:
        """The metric's IRI in our vocabulary."""
        return LOTAIP[f"calidad/{self.slug}"]


def _targets_of(unit: Unit) -> list[tuple[Indicator, Target]]:
    return [
        (i, t)
        for o in unit.objectives
        for i in o.indicators
        for t in i.targets
        if not t.not_applicable
    ]


def _all_targets(report: Report) -> list[tuple[Indicator, Target]]:
    return [pair for unit in report.units for pair in _targets_of(unit)]


def units_measurable(report: Report) -> Share:
    """Units with at least one target stating a number."""
    good = sum(any(t.value is not None for _, t in _targets_of(u)) for u in report.units)
    return good, len(report.units)


def targets_number(report: Report) -> Share:
    """Targets stating a number."""
    targets = _all_targets(report)
    return sum(t.value is not None for _, t in targets), len(targets)


def targets_unit(report: Report) -> Share:
    """Targets whose number has a unit of measure."""
    targets = _all_targets(report)
    return sum(t.unit is not None for _, t in targets), len(targets)


def targets_due(report: Report) -> Share:
    """Targets with a due date, their own or their indicator's (the row states it once)."""
    targets = _all_targets(report)
    return sum(bool(t.due_date or i.due_date) for i, t in targets), len(targets)


def objectives_indicator(report: Report) -> Share:
    """Objectives with at least one indicator (not empty, not NO APLICA)."""
    objectives = report.objectives()
    good = sum(any(i.is_indicator for i in o.indicators) for o in objectives)
    return good, len(objectives)


def _states_not_applicable(unit: Unit) -> bool:
    if unit.not_applicable_reason:
        return True
    slots = [i for o in unit.objectives for i in o.indicators]
    return any(i.not_applicable_reason or any(t.not_applicable for t in i.targets) for i in slots)


def units_not_applicable(report: Report) -> Share:
    """Units with a NO APLICA statement on the unit or any of its rows."""
    return sum(_states_not_applicable(u) for u in report.units), len(report.units)


FOOTER_FIELDS = (
    "updated",
    "periodicity",
    "responsible_unit",
    "responsible_person",
    "email",
    "phone",
    "gpr_link",
)


def footer(report: Report) -> Share:
    """Footer fields present, out of the seven the form asks for."""
    present = sum(bool(getattr(report.metadata, name)) for name in FOOTER_FIELDS)
    return present, len(FOOTER_FIELDS)


METRICS: tuple[Metric, ...] = (
    Metric("unidades-con-meta-medible", "units_measurable", units_measurable),
    Metric("metas-con-numero", "targets_number", targets_number),
    Metric("metas-con-unidad", "targets_unit", targets_unit),
    Metric("metas-con-plazo", "targets_due", targets_due),
    Metric("objetivos-con-indicador", "objectives_indicator", objectives_indicator),
    Metric("unidades-no-aplica", "units_not_applicable", units_not_applicable, scored=False),
    Metric("pie-completo", "footer", footer),
)
BY_KEY = {m.key: m for m in METRICS}


def measure(report: Report) -> dict[str, Share]:
    """Every metric's (count, total) for one report."""
    return {m.key: m.count(report) for m in METRICS}


def pool(shares: Sequence[dict[str, Share]]) -> dict[str, Share]:
    """Several reports' shares as one: sums of counts over sums of totals."""
    return {key: (sum(s[key][0] for s in shares), sum(s[key][1] for s in shares)) for key in BY_KEY}


def ratio(share: Share) -> Decimal | None:
    """``count / total`` rounded to ``PLACES``; None when nothing was assessed."""
    count, total = share
    if total == 0:
        return None
    return (Decimal(count) / Decimal(total)).quantize(PLACES, ROUND_HALF_EVEN)


def score(values: dict[str, Decimal | None]) -> Decimal | None:
    """The mean of the scored shares that could be measured."""
    scored = [v for k, v in values.items() if BY_KEY[k].scored and v is not None]
    if not scored:
        return None
    return (sum(scored, Decimal(0)) / len(scored)).quantize(PLACES, ROUND_HALF_EVEN)


# ------------------------------------------------------------------------------ publish


@functools.cache
def _definitions() -> Graph:
    return Graph().parse(DEFINITIONS, format="turtle")


@dataclass(frozen=True)
class ReportQuality:
    """One report's shares, kept by the build so a rebuild measures only new reports."""

    subject: URIRef  # the report's IRI
    institution: str  # its institution's registry id
    shares: dict[str, Share]


def report_quality(report: Report, urls: Urls) -> ReportQuality:
    """Every metric's share for one report, with the IRIs its measurements hang from."""
    iri = urls.report(report.institution.id, report.metadata.updated, report.source.sha256)
    return ReportQuality(iri, report.institution.id, measure(report))


def header_graph(urls: Urls) -> Graph:
    """The quality graph's fixed part: the metric definitions and the graph's label."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in _definitions():
        graph.add(triple)
    graph.add((urls.thing(QUALITY_PATH), RDFS.label, Literal(TITLE, lang="es")))
    return graph


def measurement_triples(subject: URIRef, shares: dict[str, Share]) -> list[TermTriple]:
    """The measurements of one report or institution, as store terms: the build writes
    them for every report, and an rdflib graph of them made its canonical N-Triples cost
    1.37 ms a report against 0.37 ms from these terms."""
    about = rdftext.iri(str(subject))
    triples: list[TermTriple] = []
    for key, share in shares.items():
        value = ratio(share)
        if value is None:
            continue
        metric = BY_KEY[key]
        node = rdftext.iri(f"{subject}/calidad/{metric.slug}")
        triples += [
            (node, _TYPE, _MEASUREMENT),
            (node, _OF, rdftext.iri(str(metric.iri))),
            (node, _COMPUTED_ON, about),
            (node, _VALUE, rdftext.typed_literal(str(value), str(XSD.decimal))),
            (node, _COUNT, rdftext.typed_literal(str(share[0]), str(XSD.integer))),
            (node, _TOTAL, rdftext.typed_literal(str(share[1]), str(XSD.integer))),
            (about, _HAS_MEASUREMENT, node),
        ]
    return triples


_TYPE, _MEASUREMENT = rdftext.iri(str(RDF.type)), rdftext.iri(str(DQV.QualityMeasurement))
_OF, _COMPUTED_ON = rdftext.iri(str(DQV.isMeasurementOf)), rdftext.iri(str(DQV.computedOn))
_VALUE, _HAS_MEASUREMENT = rdftext.iri(str(DQV.value)), rdftext.iri(str(DQV.hasQualityMeasurement))
_COUNT = rdftext.iri(str(LOTAIP.measuredCount))
_TOTAL = rdftext.iri(str(LOTAIP.measuredTotal))


def pooled(parts: Iterable[ReportQuality], urls: Urls) -> Iterator[tuple[URIRef, dict[str, Share]]]:
    """Each institution's IRI and the pooled shares of its reports, in order of appearance."""
    by_institution: dict[str, list[dict[str, Share]]] = {}
    for part in parts:
        by_institution.setdefault(part.institution, []).append(part.shares)
    for institution_id, shares_list in by_institution.items():
        yield urls.institution(institution_id), pool(shares_list)


def quality_graph(reports: Sequence[Report], urls: Urls) -> Graph:
    """Metric definitions plus one measurement per report and institution and metric
    (the build assembles the same graph from each report's kept ``ReportQuality``)."""
    graph = header_graph(urls)
    parts = [report_quality(report, urls) for report in reports]
    for part in parts:
        _add_measurements(graph, part.subject, part.shares)
    for institution, shares in pooled(parts, urls):
        _add_measurements(graph, institution, shares)
    return graph


def _add_measurements(graph: Graph, subject: URIRef, shares: dict[str, Share]) -> None:
    for triple in measurement_triples(subject, shares):
        graph.add((from_ox(triple[0]), from_ox(triple[1]), from_ox(triple[2])))


# --------------------------------------------------------------------------------- read

#: Measurements of ?s (a report or an institution) with the metric's key and names.
MEASUREMENTS = (
    sparql_prefixes()
    + """SELECT ?s ?lang ?metric ?key ?label ?definition ?value ?count ?total WHERE {
  ?s dqv:hasQualityMeasurement ?m .
  ?m dqv:isMeasurementOf ?metric ; dqv:value ?value .
  OPTIONAL { ?m lotaip:measuredCount ?count }
  OPTIONAL { ?m lotaip:measuredTotal ?total }
  ?metric skos:notation ?key .
  OPTIONAL { ?metric rdfs:label ?label FILTER(lang(?label) = ?lang) }
  OPTIONAL { ?metric skos:definition ?definition FILTER(lang(?definition) = ?lang) }
}"""
)

#: Every institution's pooled measurements, for the ranking. Anchored on the
#: measurements (stated once, in the quality graph): a pattern starting from
#: ``?i a lotaip:Institution`` would meet each institution once per report graph in the
#: union, and with its labels took pyoxigraph minutes on a hundred reports.
INSTITUTION_MEASUREMENTS = (
    sparql_prefixes()
    + """SELECT ?i ?key ?value WHERE {
  ?m a dqv:QualityMeasurement ; dqv:computedOn ?i ; dqv:isMeasurementOf ?metric ;
     dqv:value ?value .
  ?metric skos:notation ?key .
  FILTER EXISTS { ?i a lotaip:Institution }
}"""
)

#: The name of institution ?i (any one of its labels).
INSTITUTION_NAME = sparql_prefixes() + """SELECT ?i ?name WHERE { ?i rdfs:label ?name } LIMIT 1"""

#: The metrics, in the reader's language.
METRIC_DEFINITIONS = (
    sparql_prefixes()
    + """SELECT ?lang ?metric ?key ?label ?definition WHERE {
  ?metric a dqv:Metric ; skos:notation ?key .
  OPTIONAL { ?metric rdfs:label ?label FILTER(lang(?label) = ?lang) }
  OPTIONAL { ?metric skos:definition ?definition FILTER(lang(?definition) = ?lang) }
}"""
)


@dataclass
class Measurement:
    """One published share, as a page shows it."""

    key: str
    value: Decimal
    count: int | None
    total: int | None
    label: str = ""
    definition: str = ""


def _order(key: str) -> int:
    return list(BY_KEY).index(key) if key in BY_KEY else len(BY_KEY)


def measurements(store: Store, subject: URIRef, lang: str) -> list[Measurement]:
    """The published measurements of a report or institution, in METRICS order."""
    found: dict[str, Measurement] = {}
    for row in store.select(MEASUREMENTS, {"s": subject, "lang": Literal(lang)}):
        key = str(row["key"])
        found.setdefault(
            key,
            Measurement(
                key,
                Decimal(str(row["value"])),
                _int(row.get("count")),
                _int(row.get("total")),
                str(row.get("label", key)),
                str(row.get("definition", "")),
            ),
        )
    return sorted(found.values(), key=lambda m: _order(m.key))


def _int(term: object) -> int | None:
    return None if term is None else int(str(term))


@dataclass
class Ranked:
    """An institution in the ranking: its score and its shares by metric key."""

    institution: URIRef
    name: str
    score: Decimal | None
    values: dict[str, Decimal]


def ranking(store: Store) -> list[Ranked]:
    """Institutions by score, best first (unscored ones last, then by name)."""
    rows: dict[URIRef, Ranked] = {}
    for row in store.select(INSTITUTION_MEASUREMENTS):
        iri = URIRef(row["i"])
        ranked = rows.setdefault(iri, Ranked(iri, _name(store, iri), None, {}))
        ranked.values[str(row["key"])] = Decimal(str(row["value"]))
    for ranked in rows.values():
        values: dict[str, Decimal | None] = {k: v for k, v in ranked.values.items() if k in BY_KEY}
        ranked.score = score(values)
    return sorted(rows.values(), key=lambda r: (r.score is None, -(r.score or 0), r.name))


def _name(store: Store, iri: URIRef) -> str:
    found = store.select(INSTITUTION_NAME, {"i": iri})
    return str(found[0]["name"]) if found else str(iri)


def metric_definitions(store: Store, lang: str) -> list[dict[str, str]]:
    """Each metric's key, name and method in ``lang``, in METRICS order."""
    found: dict[str, dict[str, str]] = {}
    for row in store.select(METRIC_DEFINITIONS, {"lang": Literal(lang)}):
        key = str(row["key"])
        found.setdefault(
            key,
            {
                "key": key,
                "iri": str(row["metric"]),
                "label": str(row.get("label", key)),
                "definition": str(row.get("definition", "")),
                "scored": "yes" if key in BY_KEY and BY_KEY[key].scored else "no",
            },
        )
    return sorted(found.values(), key=lambda d: _order(d["key"]))
