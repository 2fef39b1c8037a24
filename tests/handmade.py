"""A small report built by hand, record by record, for mapping and validation tests.

It has one of each thing the mapping handles: a governing unit that is only a NO APLICA
statement, a unit with two objectives of the same text (the second gets "-2"), an
indicator with an activity and a percent target due in a month, an empty indicator slot
whose targets hang from the objective (a counted target due in a year and a NO APLICA
statement), a section note and a parser warning.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from publisher.records import (
    Indicator,
    Institution,
    Metadata,
    Objective,
    ParseWarning,
    Report,
    SectionNote,
    Source,
    Target,
    Unit,
)

BASE = "http://example.org/"
GENERATED_AT = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)

OBJECTIVE = "Crear espacios de intercambio de conocimientos mediante la participación"
INDICATOR = "Para finales del año 2023 se logrará participar en un 90% en los espacios"


def small_report() -> Report:
    """The hand-made report (January 2023 of a made-up "sot" institution)."""
    percent = Target(
        text="90%", line=7, value=Decimal(90), unit="percent", label="M1", due_date="2023-12"
    )
    counted = Target(
        text="45 Reuniones", line=8, value=Decimal(45), unit="Reuniones", due_date="2023"
    )
    not_applicable = Target(
        text="NO APLICA, sin meta", line=8, not_applicable=True, reason="sin meta"
    )
    objective = Objective(
        text=OBJECTIVE,
        line=7,
        indicators=(
            Indicator(text=INDICATOR, line=7, activity="Talleres", targets=(percent,)),
            Indicator(
                text=None,
                line=8,
                not_applicable_reason="NO APLICA, sin indicador",
                targets=(counted, not_applicable),
            ),
        ),
    )
    return Report(
        source=Source(file="sot-2023-01.txt", sha256="ab" * 32, format="text"),
        institution=Institution(
            id="sot",
            name="Superintendencia de Ordenamiento Territorial",
            inferred_from="header",
            short_name="SOT",
            domain="sot.gob.ec",
        ),
        metadata=Metadata(
            updated=date(2023, 1, 31),
            periodicity="MENSUAL",
            responsible_unit="Coordinación de Planificación",
            responsible_person="Ana Pérez",
            email="ana.perez@sot.gob.ec",
            phone="(02) 380-1750 EXTENSIÓN 410",
            gpr_link="Reporte del GPR",
        ),
        units=(
            Unit(
                name="SUPERINTENDENTE",
                line=5,
                number="1",
                process_level="governing",
                not_applicable_reason='"NO APLICA", máxima autoridad.',
            ),
            Unit(
                name="Dirección de Gestión de Información Territorial",
                line=7,
                number="2",
                process_level="value-adding",
                objectives=(objective, Objective(text=OBJECTIVE, line=9)),
            ),
        ),
        notes=(SectionNote(process_level="support", text="No constan con misión", line=12),),
        warnings=(ParseWarning(line=8, message="moved a cell to the target column"),),
    )


def next_month(report: Report) -> Report:
    """The same report republished a month later: new date and file, one target changed."""
    unit = report.units[1]
    objective = unit.objectives[0]
    indicator = objective.indicators[0]
    changed = replace(indicator.targets[0], text="95%", value=Decimal(95))
    objective = replace(
        objective, indicators=(replace(indicator, targets=(changed,)), *objective.indicators[1:])
    )
    unit = replace(unit, objectives=(objective, *unit.objectives[1:]))
    return replace(
        report,
        source=replace(report.source, file="sot-2023-02.txt", sha256="cd" * 32),
        metadata=replace(report.metadata, updated=date(2023, 2, 28)),
        units=(report.units[0], unit),
    )
