"""Write numeral 1.3 trios (data, metadatos, diccionario CSV files) as institutions export them.

Run from the project root: ``python tests/data/make_trios.py``. Outputs go to
``tests/data/trios/<case>/`` and are committed; rerunning gives the same bytes. The units,
objectives, indicators and contacts come from the Alausí and SOT example reports
(``examples/reports/``), laid out the way the 2023+ template asks: one row per indicator,
no process-level banners, the ``Enlace …`` column last, the footer in a file of its own.

What each case exercises:
* ``alausi-2025-01``: UTF-8 with BOM, ``,``, CRLF; names ``…_ENERO(conjuntoDatos).csv``;
  header ``Objetivos`` (plural) and mis-cased accents (``gestiÓn``), two trailing empty
  columns; the unit left blank on continuation rows; an objective on two lines inside
  quotes; ``NO APLICA`` and ``INFORMACIÓN NO DISPONIBLE`` cells (link, phone, a whole
  unit); the date ``31/1/2025``.
* ``sot-2025-02``: Windows-1252, ``;``, LF; names ``… - Febrero 2025 (conjunto de
  datos).csv`` with ``(Metadatos)``/``(Diccionario)``; header upper case without accents;
  the unit repeated on continuation rows; links to the planning system.
* ``incompleto-2025-03``: UTF-8 without BOM, underscores in the names, no metadatos file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

OUT = Path(__file__).resolve().parent / "trios"

POA = "% de cumplimiento del Plan Operativo Anual - POA 2025"
POA_TARGET = "80 % de cumplimiento del Plan Operativo Anual - POA 2025"
NA = "NO APLICA"
NOT_AVAILABLE = "INFORMACIÓN NO DISPONIBLE"
ENLACE = (
    "Enlace al sistema de gestión de planificación para verificación de los indicadores y "
    "metas cuantificables"
)
SOT_LINK = "https://www.sot.gob.ec/transparencia/gpr/"
FOOTER = (
    "FECHA ACTUALIZACIÓN DE LA INFORMACIÓN",
    "PERIODICIDAD DE ACTUALIZACIÓN DE LA INFORMACIÓN",
    "UNIDAD POSEEDORA DE LA INFORMACIÓN",
    "RESPONSABLE DE LA UNIDAD POSEEDORA DE LA INFORMACIÓN",
    "CORREO ELECTRÓNICO DEL O LA RESPONSABLE DE LA UNIDAD POSEEDORA DE LA INFORMACIÓN",
    "NÚMERO TELEFÓNICO DEL O LA RESPONSABLE DE LA UNIDAD POSEEDORA DE LA INFORMACIÓN",
)
FIELDS = (
    ("Unidad", "Nombre de la unidad administrativa de la institución"),
    ("Objetivo", "Objetivo de la unidad administrativa, según el estatuto orgánico"),
    ("Indicador", "Indicador con el que se mide el cumplimiento del objetivo"),
    ("Meta cuantificable", "Meta cuantificable del indicador en el periodo"),
    (ENLACE, "Dirección web del sistema en el que se verifican indicadores y metas"),
)

ALAUSI_DATA = [
    [
        "Unidad",
        "Objetivos",
        "Indicador",
        "Meta cuantificable",
        "Enlace al sistema de gestiÓn de planificaciÓn para verificaciÓn de los indicadores y "
        "metas cuantificables",
        "",
        "",
    ],
    [
        "CONCEJO CANTONAL",
        "Procurar el bien común local y dentro de éste en forma primordial la atención a las "
        "necesidades básicas del cantón",
        POA,
        POA_TARGET,
        NA,
        "",
        "",
    ],
    [
        "ALCALDÍA",
        "Dirigir, organizar, coordinar, controlar y evaluar la gestión administrativa de la "
        "Municipalidad en todos los ámbitos de su competencia",
        POA,
        POA_TARGET,
        NA,
        "",
        "",
    ],
    ["", "", "Número de audiencias de rendición de cuentas realizadas", "1 audiencia", NA, "", ""],
    [
        "DIRECCIÓN DE PLANIFICACIÓN Y ORDENAMIENTO TERRITORIAL",
        "Planificar de manera participativa el desarrollo y ordenamiento territorial cantonal\n"
        "acorde a las políticas institucionales",
        POA,
        POA_TARGET,
        NA,
        "",
        "",
    ],
    [
        "DIRECCIÓN DE OBRAS PÚBLICAS",
        "Realizar acciones tendientes al mantenimiento, rehabilitación y ejecución de toda "
        "obra pública",
        POA,
        POA_TARGET,
        NOT_AVAILABLE,
        "",
        "",
    ],
    [
        "",
        "Mantener la red vial rural del cantón en condiciones de circulación",
        "Kilómetros de vías rurales mantenidas",
        "120 km de vías rurales",
        NA,
        "",
        "",
    ],
    ["REGISTRO DE LA PROPIEDAD", *[NOT_AVAILABLE] * 4, "", ""],
]
ALAUSI_META = [
    [FOOTER[0], "31/1/2025"],
    [FOOTER[1], "MENSUAL"],
    [FOOTER[2], "Planificación Institucional y Seguimiento"],
    [FOOTER[3], "César Darío Rojas Meza, Ing."],
    [FOOTER[4], "cesar.rojas@alausi.gob.ec"],
    [FOOTER[5], NOT_AVAILABLE],
]
ALAUSI_NAME = "Gobierno Autónomo Descentralizado Municipal del Cantón Alausí"

SOT_UNIT_INIT = "Dirección de Gestión de Información Territorial - INIT"
SOT_UNIT_INOT = (
    "Dirección de Ordenamiento Territorial Cantonal, Uso y Gestión del Suelo Rural - INOT"
)
SOT_DATA = [
    [
        "UNIDAD",
        "OBJETIVO",
        "INDICADOR",
        "META CUANTIFICABLE",
        "ENLACE AL SISTEMA DE GESTION DE PLANIFICACION PARA VERIFICACION DE LOS INDICADORES Y "
        "METAS CUANTIFICABLES",
    ],
    [
        "SUPERINTENDENTE DE ORDENAMIENTO TERRITORIAL, USO Y GESTIÓN DEL SUELO",
        '"NO APLICA", en razón de que se refiere a la Máxima Autoridad.',
        '"NO APLICA", en razón de que se refiere a la Máxima Autoridad.',
        '"NO APLICA", en razón de que se refiere a la Máxima Autoridad.',
        NA,
    ],
    [
        SOT_UNIT_INIT,
        "Permitir la gestión de datos e información MEDIANTE la creación de convenios "
        "interinstitucionales.",
        "Porcentaje de instituciones que manejan información asociada a la planificación "
        "territorial con convenio vigente con la SOT",
        "70%",
        SOT_LINK,
    ],
    [
        SOT_UNIT_INIT,
        "",
        "Porcentaje de registro de los instrumentos de ordenamiento territorial de los GAD",
        "90%",
        SOT_LINK,
    ],
    [
        SOT_UNIT_INOT,
        "Identificar las temáticas de acciones de control y vigilancia MEDIANTE el análisis "
        "de factibilidad técnica, priorización y relacionamiento con la normativa vigente",
        "Porcentaje de temáticas de acciones programadas de vigilancia y control establecidas",
        "100%",
        SOT_LINK,
    ],
    [
        SOT_UNIT_INOT,
        "Establecer la metodología de seguimiento a la ejecución de las acciones programadas "
        "de vigilancia y control MEDIANTE el desarrollo de una Guía Técnica Metodológica",
        "Número de guías técnicas metodológicas aprobadas",
        "1 Guía Técnica Metodológica",
        SOT_LINK,
    ],
]
SOT_META = [
    [FOOTER[0], "28/2/2025"],
    [FOOTER[1], "Mensual"],
    [FOOTER[2], "Dirección de Planificación y Gestión Estratégica"],
    [FOOTER[3], NOT_AVAILABLE],
    [FOOTER[4], "planificacion@sot.gob.ec"],
    [FOOTER[5], "(02) 3828-860 EXTENSIÓN 1234"],
]
SOT_NAME = "Superintendencia de Ordenamiento Territorial, Uso y Gestión del Suelo"


def csv_bytes(rows: list[list[str]], delimiter: str, encoding: str, newline: str) -> bytes:
    """Rows as a spreadsheet's CSV export writes them."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode(encoding)


def dictionary(institution: str) -> list[list[str]]:
    """The diccionario: the institution first, then one row per field."""
    return [["Institución", institution], *[list(f) for f in FIELDS]]


def write_trio(folder: str, names: dict[str, str], parts: dict[str, bytes]) -> None:
    """Write the parts present under their names into ``OUT/folder``."""
    out = OUT / folder
    out.mkdir(parents=True, exist_ok=True)
    for role, data in parts.items():
        (out / names[role]).write_bytes(data)


def main() -> None:
    """Write every case."""
    stem = "1-4_metas-y-objetivos_unidades_ENERO"
    write_trio(
        "alausi-2025-01",
        {
            "data": f"{stem}(conjuntoDatos).csv",
            "meta": f"{stem}(metadatos).csv",
            "dict": f"{stem}(diccionario).csv",
        },
        {
            "data": b"\xef\xbb\xbf" + csv_bytes(ALAUSI_DATA, ",", "utf-8", "\r\n"),
            "meta": b"\xef\xbb\xbf" + csv_bytes(ALAUSI_META, ",", "utf-8", "\r\n"),
            "dict": b"\xef\xbb\xbf" + csv_bytes(dictionary(ALAUSI_NAME), ",", "utf-8", "\r\n"),
        },
    )
    stem = "1.3 Metas y Objetivos de las Unidades Administrativas - Febrero 2025"
    write_trio(
        "sot-2025-02",
        {
            "data": f"{stem} (conjunto de datos).csv",
            "meta": f"{stem} (Metadatos).csv",
            "dict": f"{stem} (Diccionario).csv",
        },
        {
            "data": csv_bytes(SOT_DATA, ";", "cp1252", "\n"),
            "meta": csv_bytes(SOT_META, ";", "cp1252", "\n"),
            "dict": csv_bytes(dictionary(SOT_NAME), ";", "cp1252", "\n"),
        },
    )
    stem = "LOTAIP_1_3_metas_y_objetivos_marzo_2025"
    write_trio(
        "incompleto-2025-03",
        {"data": f"{stem}(conjuntoDatos).csv", "dict": f"{stem}(diccionario).csv"},
        {
            "data": csv_bytes(SOT_DATA, ",", "utf-8", "\n"),
            "dict": csv_bytes(dictionary(SOT_NAME), ",", "utf-8", "\n"),
        },
    )


if __name__ == "__main__":
    main()
