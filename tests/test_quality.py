"""Report quality measures on the five example reports, against values counted by hand.

How each expected share was worked out from the raw files in examples/reports/ (the
counting rules are READING.md's: a unit is a distinct unit name, an objective a
non-empty objective cell, a target one statement of "Meta cuantificable", a NO APLICA
statement is not a target):

- SOT (sot-2023-01.txt): 18 numbered units plus the unnumbered "Dirección de Asesoría
  Jurídica - Dirección de Patrocinio Judicial" = 19. Unit 1 (Superintendente) only says
  "NO APLICA": 18 of 19 have a measurable target and 1 of 19 states NO APLICA. Every
  other row has one objective, one indicator and one "NN%" target: 29 rows, so 29
  targets, all with a number and a unit; every indicator names a time in 2023 ("Para
  finales del año 2023", "A abril de 2023", "En el año 2023"): 29 of 29 with a due date;
  29 of 29 objectives with an indicator.
- Alausí: 13 numbered units, one row each, each target "80 % de cumplimiento del Plan
  Operativo Anual - POA 2021"-like with a percentage: 13/13 units, targets with a number
  and unit; no target or indicator gives a due date (the "2021" is the plan's name, in
  the indicator "% de cumplimiento del POA 2021", not a deadline): 0/13. The sentence
  under PROCESOS DESCONCENTRADOS is a note, not a unit.
- AME: 14 units, 26 objectives, 61 targets. Without a number: lines 40 and 41 ("Guía
  técnica … impresa …") and 66 ("Elaboración, Diseño y Ejecución del plan …") -> 58/61;
  also without a unit: lines 23 and 24 are bare "3" and "1" -> 56/61. Only line 73 ("El
  80% … de las regionales … 2015") has a due date: 1/61. The objective on line 26
  ("Posicionar la imagen institucional …") has no indicator: 25/26. Every unit has a
  numbered target: 14/14.
- CONGOPE: 18 numbered units. Units 1-4 (governing: Asamblea, Comisión Ejecutiva,
  Presidencia, Dirección Ejecutiva) state no target: 14/18. 46 targets; without a number:
  lines 13, 14, 15, 24, 25, 26, 28, 30 and two M-statements of line 47 -> 36/46, the
  same 36 with a unit (percent or GADP/espacios); 14 targets say "A 2022"/"Al 2020"/"En el
  2022" -> 14/46. Unit 2 (Comisión Ejecutiva) has an empty indicator: 17/18 objectives.
  "No aplica, …" appears in the rows of units 1 (line 7) and 18 (line 49): 2/18.
- Loja: 38 units; "NO APLICA" occurs 15 times (grep -c), once in each of the units of
  lines 9, 10, 11, 94, 95, 102, 107, 199-202 and 210-213, which state nothing else: 23/38
  units with a measurable target, 15/38 NO APLICA. 137 objective (project) lines, of
  which those 15 have no indicator: 122/137; 122 targets, all "NN%" progress figures:
  122/122 with number and unit, none with a due date.
- Footers: every report gives date, periodicity, unit, person, e-mail and phone, and no
  GPR link (SOT and Alausí write "No aplica", the others leave it empty): 6/7.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from rdflib import URIRef

from publisher.enrichment import quality
from publisher.parse import parse_file
from publisher.store.embedded import Store
from publisher.vocab import DQV, sparql_prefixes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
BASE = "http://localhost:8000/id/"

#: (count, total) per metric, counted by hand (module docstring).
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "sot-2023-01.txt": {
        "units_measurable": (18, 19),
        "targets_number": (29, 29),
        "targets_unit": (29, 29),
        "targets_due": (29, 29),
        "objectives_indicator": (29, 29),
        "units_not_applicable": (1, 19),
        "footer": (6, 7),
    },
    "alausi-2021-05.txt": {
        "units_measurable": (13, 13),
        "targets_number": (13, 13),
        "targets_unit": (13, 13),
        "targets_due": (0, 13),
        "objectives_indicator": (13, 13),
        "units_not_applicable": (0, 13),
        "footer": (6, 7),
    },
    "ame-2015-09.txt": {
        "units_measurable": (14, 14),
        "targets_number": (58, 61),
        "targets_unit": (56, 61),
        "targets_due": (1, 61),
        "objectives_indicator": (25, 26),
        "units_not_applicable": (0, 14),
        "footer": (6, 7),
    },
    "congope-2022-02.txt": {
        "units_measurable": (14, 18),
        "targets_number": (36, 46),
        "targets_unit": (36, 46),
        "targets_due": (14, 46),
        "objectives_indicator": (17, 18),
        "units_not_applicable": (2, 18),
        "footer": (6, 7),
    },
    "loja-2019-08.txt": {
        "units_measurable": (23, 38),
        "targets_number": (122, 122),
        "targets_unit": (122, 122),
        "targets_due": (0, 122),
        "objectives_indicator": (122, 137),
        "units_not_applicable": (15, 38),
        "footer": (6, 7),
    },
}
REPORT_IRIS = {
    "sot-2023-01.txt": BASE + "reporte/sot/2023-01",
    "alausi-2021-05.txt": BASE + "reporte/gad-municipal-alausi/2021-05",
    "ame-2015-09.txt": BASE + "reporte/ame/2015-09",
    "congope-2022-02.txt": BASE + "reporte/congope/2022-02",
    "loja-2019-08.txt": BASE + "reporte/gad-municipal-loja/2019-08",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_measures_of_each_example_match_the_hand_count(name: str) -> None:
    assert quality.measure(parse_file(EXAMPLES / name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_published_measurements_are_the_hand_counted_shares(built_store: Store, name: str) -> None:
    found = {
        m.key: (m.count, m.total, m.value)
        for m in quality.measurements(built_store, URIRef(REPORT_IRIS[name]), "es")
    }
    expected = {
        key: (count, total, quality.ratio((count, total)))
        for key, (count, total) in EXPECTED[name].items()
    }
    assert found == expected


def test_a_share_is_rounded_to_four_places() -> None:
    assert quality.ratio((18, 19)) == Decimal("0.9474")
    assert quality.ratio((0, 0)) is None


def test_pooling_adds_counts_not_shares() -> None:
    pooled = quality.pool([EXPECTED["sot-2023-01.txt"], EXPECTED["alausi-2021-05.txt"]])
    assert pooled["units_measurable"] == (31, 32)
    assert pooled["targets_due"] == (29, 42)


def test_every_measurement_is_a_dqv_measurement_of_a_defined_metric(built_store: Store) -> None:
    rows = built_store.select(
        sparql_prefixes()
        + """SELECT DISTINCT ?m ?metric ?defined WHERE {
  ?m a dqv:QualityMeasurement ; dqv:isMeasurementOf ?metric ; dqv:computedOn ?on ; dqv:value ?v .
  OPTIONAL { ?metric a dqv:Metric ; dqv:inDimension ?d BIND(true AS ?defined) }
}"""
    )
    # 5 reports and 5 institutions (one report each), 7 metrics each
    assert len({r["m"] for r in rows}) == 10 * 7
    assert all("defined" in r for r in rows)
    assert {str(r["metric"]) for r in rows} == {str(m.iri) for m in quality.METRICS}
    assert DQV.QualityMeasurement in {
        r["t"] for r in built_store.select("SELECT ?t WHERE { ?x a ?t }")
    }


def test_ranking_orders_institutions_by_the_mean_of_scored_shares(built_store: Store) -> None:
    ranked = quality.ranking(built_store)
    assert [r.institution for r in ranked][0] == URIRef(BASE + "institucion/sot")
    sot = EXPECTED["sot-2023-01.txt"]
    scored = [quality.ratio(v) for k, v in sot.items() if k != "units_not_applicable"]
    assert ranked[0].score == (sum(scored, Decimal(0)) / 6).quantize(quality.PLACES)  # type: ignore[arg-type]
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_quality_page_explains_the_method_in_both_languages(built_app: Flask) -> None:
    client = built_app.test_client()
    spanish = client.get("/calidad", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Cómo se mide" in spanish and "Unidades con meta medible" in spanish
    assert spanish.index("Superintendencia") < spanish.index("Municipal de Loja")
    english = client.get("/calidad?lang=en").get_data(as_text=True)
    assert "How it is measured" in english and "Units with a measurable target" in english


def test_report_page_shows_its_scores(built_app: Flask) -> None:
    page = built_app.test_client().get("/doc/reporte/sot/2023-01?lang=es").get_data(as_text=True)
    assert "Calidad de este informe" in page
    assert "94.7 %" in page and "18 / 19" in page
