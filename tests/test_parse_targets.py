"""Targets and due dates, on cell texts copied from the five real reports.

Every expected value below was written by reading the cell, not by running the parser.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from publisher.parse.cells import clean
from publisher.parse.targets import find_due_date, parse_targets

CONGOPE_L47 = (
    "<p>M1. Mantener el 80% del parque automotor en óptimas condiciones mediante contratos"
    " de mantenimientos preventivos y correctivos.</p> <p>M2. Atender el 90% de la logística"
    " y eventos en forma oportuna</p> <p>M3. Cumplir con el 100% en las entregas de"
    " existencias</p> <p>M4. Cumplir el 90% de los requerimientos de mantenimiento</p>"
    " <p>M5. Al menos en cinco unidades organizaciones se implementa el manual de procesos y"
    " procedimientos</p> <p>M6. Incorporar una herramienta para revalorización de bienes.</p>"
    " <p>M1. Prevenir en un 20% la salud y seguridad de los servidores del CONGOPE</p>"
    " <p>M2.A1 2022, la gestión del talento humano, cuenta con procesos normados y"
    " herramientas aplicables</p> <p>M3 Al menos el 50% del plan de capacitación se cumple al"
    " culminar el periodo 2022</p>"
)
CONGOPE_L49 = (
    "<p>M1. Al 2022 se ha implementado en 4 GADP y CONGOPE la automatización tecnológica de"
    " procesos gestión pública</p> <p>M.2 Se da soporte y mantenimiento al menos al 80% de los"
    " requerimientos de los Sistemas de los GADP y CONGOPE</p> <p>M1. 100% de funcionamiento de"
    " los servicios tecnológicos en CONGOPE</p> <p>M2. Se automatiza al menos tres procesos de"
    " gestión pública: Planificación, Financiero y Administrativo.</p> <p>No aplica, en"
    " cumplimiento al Art. 6 del COOTAD donde se estipula la garantía de la autonomía de los"
    " gobiernos autónomos descentralizados</p>"
)

# (cell as read, value, unit, label, due_date) - one statement per cell.
SINGLE = [
    ("90%", "90", "percent", None, None),  # SOT
    ("80 % de cumplimiento del Plan Operativo Anual - POA 2021", "80", "percent", None, None),
    ("45 Reuniones", "45", "Reuniones", None, None),  # AME
    ("1 Publicación", "1", "Publicación", None, None),
    ("5800 Lecturas", "5800", "Lecturas", None, None),
    ("66700 Lecturas", "66700", "Lecturas", None, None),
    ("3", "3", None, None, None),  # AME "Cantidad de eventos": a bare number
    ("65% de Cobertura", "65", "percent", None, None),
    (
        "100 % Cobertura de Servicios de Internet y enlace de datos de AME .",
        "100",
        "percent",
        None,
        None,
    ),
    (
        "AL menos el 40% de GAD cuenta con mapeo de cooperación actualizado por AME",
        "40",
        "percent",
        None,
        None,
    ),
    ("Promover al menos 10 hermanamientos a nivel nacional", "10", "hermanamientos", None, None),
    (
        "150 servidores/as municipales participaron en eventos de capacitación presencial",
        "150",
        "servidores/as",
        None,
        None,
    ),
    (
        "El 80% de las autoridades(Alcaldes/sas) de las regionales 5,4 y 3 de la AME en el año"
        " 2015, fortalecen sus capacidades",
        "80",
        "percent",
        None,
        "2015",
    ),
    ("El 80 de Alcaldes/sas comparten en la Red de Autoridades", "80", "Alcaldes/sas", None, None),
    (
        "Un documento de formación especializado sobre gestión y descentralización",
        "1",
        "documento",
        None,
        None,
    ),
    ("Guía técnica para la gestión tributaria impresa para su difusión", None, None, None, None),
    (
        "M1. Al menos una evaluación que establezca el estado de los procesos de gestión"
        " descentralizada",
        "1",
        "evaluación",
        "M1",
        None,
    ),
    (
        "M2. Propuesta de instrumentos de planificación para consolidación del modelo de Gobierno"
        " Intermedio.",
        None,
        None,
        "M2",
        None,
    ),
    (
        "M5. Al menos dos Gobiernos Provinciales implementen el modelo de gestión por resultados",
        "2",
        "Gobiernos",
        "M5",
        None,
    ),
    (
        "M1. A 2022, al menos 13 GADP incrementan sus capacidades técnicas",
        "13",
        "GADP",
        "M1",
        "2022",
    ),
    (
        "M2. Al 2022, al menos el 50% GADP fortalecen sus capacidades en herramientas turísticas",
        "50",
        "percent",
        "M2",
        "2022",
    ),
    (
        "M3. En el 2022, 6 GADP fortalecen sus metodologías de competitividad territorial",
        "6",
        "GADP",
        "M3",
        "2022",
    ),
    (
        "M1. Los 23 GADP han recibido asesoría, asistencia técnica, acompañamiento y cinco"
        " herramientas",
        "23",
        "GADP",
        "M1",
        None,
    ),
    # "un informe" after a date is an article here: no value (documented rule).
    (
        "M2. Al 2020, un informe de deficiencia del área de riego como pilotaje en un GADP",
        None,
        None,
        "M2",
        "2020",
    ),
    (
        "M1. Posicionar el rol de gobierno intermedio en el marco de la implementación de vivienda"
        " rural, en al menos el 20% de los GADP (6), mediante la articulación",
        "20",
        "percent",
        "M1",
        None,
    ),
    ("M.1. 12 análisis coyuntural de las provincias", "12", "análisis", "M1", None),
    (
        "M.2. Al menos a 3 GADP se comprometen a través de la cámara provincial",
        "3",
        "GADP",
        "M2",
        None,
    ),
    ("M4 Se desarrollan al menos 3 estudios especializados", "3", "estudios", "M4", None),
    (
        "M2. Un informe de gestión Procesal Constitucional y Defensa de Derechos conforme a las"
        " acciones en al menos 6 GADP",
        "1",
        "informe",
        "M2",
        None,
    ),
    (
        "M. 1. A 2022 se incrementa en un 5% los niveles de posicionamiento mediático de CONGOPE",
        "5",
        "percent",
        "M1",
        "2022",
    ),
    ("Al menos en 5 GADP se acompaña en la entrega herramientas", "5", "GADP", None, None),
    (
        "Para finales del año 2023 se logrará participar en un 90% en los espacios de interés"
        " común",
        "90",
        "percent",
        None,
        "2023",
    ),
    ("A abril de 2023 se contará una guía técnica metodológica", None, None, None, "2023-04"),
    ("A diciembre de 2023 se orientará al 100% de GADM", "100", "percent", None, "2023-12"),
    (
        "A finales de 2023 se contará con el 95% de documentación interna digitalizada.",
        "95",
        "percent",
        None,
        "2023",
    ),
    (
        "Para terminar el período fiscal 2023 se tendrá personal capacitado en un 50%",
        "50",
        "percent",
        None,
        "2023",
    ),
]


@pytest.mark.parametrize(("cell", "value", "unit", "label", "due"), SINGLE)
def test_one_statement(
    cell: str, value: str | None, unit: str | None, label: str | None, due: str | None
) -> None:
    """A one-statement cell gives one target with the value, unit, label and due date read."""
    [target] = parse_targets(cell, 12)
    assert target.value == (Decimal(value) if value else None)
    assert target.unit == unit
    assert target.label == label
    assert target.due_date == due
    assert target.line == 12
    assert not target.not_applicable
    assert target.text == cell.strip()


@pytest.mark.parametrize(
    ("cell", "note"),
    [
        (
            "20% Sólo posee estudios, no se ejecutó por falta de financiamiento",
            "Sólo posee estudios, no se ejecutó por falta de financiamiento",
        ),
        (
            "10% Sólo posee estudios, no se ejecutó por falta de financiamiento",
            "Sólo posee estudios, no se ejecutó por falta de financiamiento",
        ),
        ("80 % de cumplimiento del Plan Operativo Anual - POA 2021", None),
        ("85 % Cobertura de Servicios de Mantenimiento Preventivo", None),
        ("100%", None),
    ],
)
def test_note_after_percentage(cell: str, note: str | None) -> None:
    """A capitalised remark after an opening percentage is a note, not part of the target."""
    [target] = parse_targets(cell, 1)
    assert target.unit == "percent"
    assert target.note == note


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (
            "NO APLICA, los planes operativos anuales de las direcciones municipales están"
            " conformados por los programas de inversión que ejecutan cada año.",
            "los planes operativos anuales de las direcciones municipales están conformados por"
            " los programas de inversión que ejecutan cada año.",
        ),
        (
            '"NO APLICA", en razón de que se refiere a la Máxima Autoridad.',
            "en razón de que se refiere a la Máxima Autoridad.",
        ),
        (
            "No aplica (Ya que el GAD Municipal de Alausí no se encuentra enlazado al sistema GPR)",
            "Ya que el GAD Municipal de Alausí no se encuentra enlazado al sistema GPR",
        ),
        ("No Aplica", None),
    ],
)
def test_not_applicable(cell: str, reason: str | None) -> None:
    """NO APLICA statements are not-applicable targets with the reason after them."""
    [target] = parse_targets(cell, 3)
    assert target.not_applicable
    assert target.reason == reason
    assert target.value is None
    assert target.due_date is None  # "cada año" is no due date


def test_paragraphs_are_targets() -> None:
    """CONGOPE's Dirección Administrativa cell: nine <p> paragraphs, nine targets."""
    targets = parse_targets(CONGOPE_L47, 47)
    assert [t.label for t in targets] == ["M1", "M2", "M3", "M4", "M5", "M6", "M1", "M2", "M3"]
    assert [t.value for t in targets] == [
        Decimal(80),
        Decimal(90),
        Decimal(100),
        Decimal(90),
        Decimal(5),
        None,
        Decimal(20),
        None,
        Decimal(50),
    ]
    assert targets[4].unit == "unidades"
    assert targets[7].due_date == "2022"  # "A1 2022" is a typo of "Al 2022"
    assert targets[8].due_date == "2022"  # "al culminar el periodo 2022"
    assert targets[5].text == "M6. Incorporar una herramienta para revalorización de bienes."


def test_paragraphs_with_not_applicable() -> None:
    """A NO APLICA paragraph among M-targets stays whole ("Art. 6" is not a new target)."""
    targets = parse_targets(CONGOPE_L49, 49)
    assert len(targets) == 5
    assert [t.label for t in targets[:4]] == ["M1", "M2", "M1", "M2"]
    assert targets[1].text.startswith("M.2 Se da soporte")
    assert (targets[1].value, targets[1].unit) == (Decimal(80), "percent")
    assert (targets[3].value, targets[3].unit) == (Decimal(3), "procesos")
    assert targets[4].not_applicable
    assert targets[4].reason is not None
    assert targets[4].reason.startswith("en cumplimiento al Art. 6 del COOTAD")


def test_labels_without_paragraphs() -> None:
    """M-labelled statements in one paragraph are split at each label."""
    cell = "M1.Desarrollar 2 talleres regionales M2. Brindar 30 asesorías técnicas a nivel nacional"
    first, second = parse_targets(cell, 1)
    assert (first.label, first.value, first.unit) == ("M1", Decimal(2), "talleres")
    assert (second.label, second.value, second.unit) == ("M2", Decimal(30), "asesorías")
    assert first.text == "M1.Desarrollar 2 talleres regionales"


def test_run_together_statements() -> None:
    """AME: two quantified statements glued by a full stop with no space are two targets."""
    cell = (
        "22 municipios realizarán proyectos para cumplir con sus competencias.9 municipios"
        " cuentan con estudios de gestión integral de residuos sólidos"
    )
    first, second = parse_targets(cell, 39)
    assert (first.value, first.unit) == (Decimal(22), "municipios")
    assert first.text.endswith("competencias.")
    assert (second.value, second.unit) == (Decimal(9), "municipios")
    assert second.text.startswith("9 municipios cuentan")


def test_run_together_after_parenthesis() -> None:
    """AME: '3 Publicaciones(…) 1 Manual de manejo' states two quantities: two targets."""
    cell = "3 Publicaciones( Remitidos y avisos especiales en prensa) 1 Manual de manejo"
    first, second = parse_targets(cell, 31)
    assert (first.value, first.unit) == (Decimal(3), "Publicaciones")
    assert (second.value, second.unit, second.text) == (Decimal(1), "Manual", "1 Manual de manejo")


def test_parenthesised_count_is_not_a_new_target() -> None:
    """'el 20% de los GADP (6), mediante …' is one target: '(6)' restates the 20%."""
    cell = "M3. Fortalecer y articular al menos el 20% de los GADP (6) en el desarrollo de planes"
    assert len(parse_targets(cell, 1)) == 1


@pytest.mark.parametrize("cell", ["", "   ", "<p></p>", "<b> </b>"])
def test_empty_cell_has_no_targets(cell: str) -> None:
    """Nothing in the cell, nothing returned."""
    assert parse_targets(cell, 1) == []


def test_markup_and_entities_are_removed_from_text() -> None:
    """Tags, entities and ** go; the words stay as read."""
    [target] = parse_targets("<b>**45&nbsp;Reuniones</b> &amp; actas**", 1)
    assert target.text == "45 Reuniones & actas"
    assert (target.value, target.unit) == (Decimal(45), "Reuniones")


def test_decimal_values() -> None:
    """Decimal commas and points give exact Decimal values."""
    assert parse_targets("12,5% de avance", 1)[0].value == Decimal("12.5")
    assert parse_targets("99.9 % de disponibilidad", 1)[0].value == Decimal("99.9")


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Para finales del año 2023 se logrará incrementar al 90% el registro", "2023"),
        ("A abril de 2023 se contará una guía técnica metodológica", "2023-04"),
        ("A octubre de 2023 se generará la Guía Técnica Metodológica", "2023-10"),
        ("A septiembre de 2023 se formularán el 100% de las acciones", "2023-09"),
        ("A diciembre de 2023 se tendrá la selección de casos específicos", "2023-12"),
        ("Al 2022, al menos 8 GADP incrementan sus conocimientos", "2022"),
        ("A 2022 se implementa una propuesta", "2022"),
        ("En el 2022, 6 GADP fortalecen sus metodologías", "2022"),
        ("en el año 2015, fortalecen sus capacidades", "2015"),
        ("Al final del período 2023 se habrá obtenido un 90%", "2023"),
        ("A finales del 2023 se logrará el 100% de la aplicación", "2023"),
        ("Durante el año 2023 se habrá ejecutado en un 80% el Plan", "2023"),
        ("hasta el 31 de diciembre de 2023", "2023-12-31"),
        ("31/05/2021", "2021-05-31"),
        ("% de cumplimiento del Plan Operativo Anual - POA 2021", None),
        ("Porcentaje de avance", None),
        ("Un 70% de su contenido apoya la consolidación de Gob Intermedio", None),
    ],
)
def test_find_due_date(text: str, due: str | None) -> None:
    """Due dates in indicator texts: a full date, a month or a year, else None."""
    assert find_due_date(text) == due


def test_clean_text() -> None:
    """clean removes tags, entities and ** and folds white space."""
    raw = '<a href="mailto:x@y.ec">x@y.ec</a>\n  **ok**&eacute;'
    assert clean(raw) == "x@y.ec ok é"
