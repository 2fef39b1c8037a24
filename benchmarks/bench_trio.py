"""Numeral 1.3 trio against the same table as one literal a4 CSV: parse rows per second.

    .venv/bin/python benchmarks/bench_trio.py [--rows 20000] [--repeat 3]

Both files hold the same units, objectives, indicators and targets (one row per
indicator, four indicators a unit, the unit blank on continuation rows). The trio is the
data file with its ``Enlace …`` column plus its metadatos and diccionario files, read by
``parse_file(folder)``; the alternative is the a4 layout (``No.`` column, footer rows in
the same file), read by ``parse_file(file)``. Times are the best of ``--repeat`` runs,
CPU seconds of this process (``time.process_time``), so other work on a shared machine
does not count.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from publisher.parse import parse_file

ENLACE = "Enlace al sistema de gestión de planificación para verificación de los indicadores"
FOOTER = [
    ["FECHA ACTUALIZACIÓN DE LA INFORMACIÓN", "31/1/2025"],
    ["PERIODICIDAD DE ACTUALIZACIÓN DE LA INFORMACIÓN", "MENSUAL"],
    ["UNIDAD POSEEDORA DE LA INFORMACIÓN", "Planificación Institucional y Seguimiento"],
    ["RESPONSABLE DE LA UNIDAD POSEEDORA DE LA INFORMACIÓN", "César Darío Rojas Meza, Ing."],
    ["CORREO ELECTRÓNICO DEL O LA RESPONSABLE", "cesar.rojas@alausi.gob.ec"],
]
INSTITUTION = "Gobierno Autónomo Descentralizado Municipal del Cantón Alausí"


def table(rows: int) -> list[list[str]]:
    """``rows`` data rows: (unit, objective, indicator, target, link)."""
    out = []
    for i in range(rows):
        unit = f"DIRECCIÓN DE GESTIÓN {i // 4 + 1}" if i % 4 == 0 else ""
        objective = f"Fortalecer la gestión de la dirección {i // 2 + 1}" if i % 2 == 0 else ""
        indicator = f"% de cumplimiento del Plan Operativo Anual - POA 2025, línea {i + 1}"
        link = "https://www.sot.gob.ec/transparencia/gpr/" if i % 3 else "NO APLICA"
        out.append([unit, objective, indicator, f"{60 + i % 40} % de cumplimiento", link])
    return out


def write_csv(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def best(run: object, repeat: int) -> float:
    """The least CPU time of ``repeat`` calls of ``run``."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()  # type: ignore[operator]
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    """Write both layouts, time both, print a table."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rows", type=int, default=20000)
    args.add_argument("--repeat", type=int, default=3)
    options = args.parse_args()
    rows = table(options.rows)
    with tempfile.TemporaryDirectory() as folder:
        trio, a4 = Path(folder) / "trio", Path(folder) / "a4"
        trio.mkdir()
        a4.mkdir()
        stem = "1-4_metas-y-objetivos_unidades_ENERO"
        header = ["Unidad", "Objetivo", "Indicador", "Meta cuantificable", ENLACE]
        write_csv(trio / f"{stem}(conjuntoDatos).csv", [header, *rows])
        write_csv(trio / f"{stem}(metadatos).csv", FOOTER)
        write_csv(trio / f"{stem}(diccionario).csv", [["Institución", INSTITUTION]])
        a4_header = ["No.", "Descripción de la unidad", "Objetivo de la unidad", "Indicador"]
        numbered = [[str(i + 1) if r[0] else "", *r[:4]] for i, r in enumerate(rows)]
        footer = [[label, "", "", value] for label, value in FOOTER]
        write_csv(a4 / "alausi.csv", [[*a4_header, "Meta cuantificable"], *numbered, *footer])
        report = parse_file(trio)
        same = parse_file(a4 / "alausi.csv", institution="gad-municipal-alausi")
        assert len(report.indicators()) == len(same.indicators()) == options.rows
        assert len(report.targets()) == len(same.targets()) == options.rows
        trio_s = best(lambda: parse_file(trio), options.repeat)
        a4_s = best(lambda: parse_file(a4 / "alausi.csv", "gad-municipal-alausi"), options.repeat)
    print(f"{'layout':<28} {'seconds':>8} {'rows/s':>8}")
    timed = (("numeral 1.3 trio (3 files)", trio_s), ("literal a4 CSV (1 file)", a4_s))
    for name, seconds in timed:
        print(f"{name:<28} {seconds:8.2f} {options.rows / seconds:8.0f}")


if __name__ == "__main__":
    main()
