"""Map and validate throughput on synthetic reports shaped like ours (prints figures).

One report of R rows (units of 5 objectives, each with one indicator and one percent
target) is mapped and validated alone, as the pipeline does per report.

    .venv/bin/python benchmarks/bench_mapping.py [ROWS ...]
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import date
from decimal import Decimal

from publisher.mapping import map_report
from publisher.records import (
    Indicator,
    Institution,
    Metadata,
    Objective,
    Report,
    Source,
    Target,
    Unit,
)
from publisher.uris import Urls
from publisher.validate import validate


def synthetic(rows: int) -> Report:
    """A report with ``rows`` objective rows, five per unit."""
    units = []
    for u in range(rows // 5):
        objectives = tuple(
            Objective(
                text=f"Objetivo {o} de la unidad {u}: mejorar el servicio número {o}",
                line=u * 5 + o + 1,
                indicators=(
                    Indicator(
                        text=f"Porcentaje de avance del objetivo {o} en la unidad {u}",
                        line=u * 5 + o + 1,
                        targets=(
                            Target(
                                text=f"{50 + o}%",
                                line=u * 5 + o + 1,
                                value=Decimal(50 + o),
                                unit="percent",
                                due_date="2023-12",
                            ),
                        ),
                    ),
                ),
            )
            for o in range(5)
        )
        units.append(
            Unit(
                name=f"Dirección {u}",
                line=u * 5 + 1,
                process_level="support",
                objectives=objectives,
            )
        )
    return Report(
        source=Source(file="synthetic.txt", sha256="ab" * 32, format="text"),
        institution=Institution(
            id="sintetica", name="Institución sintética", inferred_from="option"
        ),
        metadata=Metadata(
            updated=date(2023, 1, 31), responsible_person="Ana Pérez", email="ana@sintetica.gob.ec"
        ),
        units=tuple(units),
    )


def bench(rows: int) -> None:
    report = synthetic(rows)
    urls = Urls("http://localhost:8000/")
    map_report(synthetic(5), urls)  # load the mapping and shapes once, as a build does
    validate(map_report(synthetic(5), urls).graph)
    start = time.perf_counter()
    mapped = map_report(report, urls)
    mapped_at = time.perf_counter()
    outcome = validate(mapped.graph)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    triples = len(mapped.graph)
    map_s, validate_s = mapped_at - start, done - mapped_at
    print(
        f"{rows:>6} rows  {triples:>7} triples  map {map_s:6.2f}s ({triples / map_s:>8,.0f} t/s)"
        f"  validate {validate_s:6.2f}s ({triples / validate_s:>8,.0f} t/s)"
        f"  conforms={outcome.conforms}  peak RSS so far {peak:6.0f} MiB"
    )


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [100, 1000, 5000]:
        bench(n)
