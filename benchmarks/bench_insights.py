"""Downloads, quality and history on a larger corpus: seconds per operation.

    .venv/bin/python benchmarks/bench_insights.py [--rows 20000]

The corpus is the five examples repeated, each copy dated a month of its own
(``bench_build.repeated_examples``), so every institution has many reports: the
history and change queries then read many graphs. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import repeated_examples  # noqa: E402

from publisher import downloads as tidy  # noqa: E402
from publisher.build.pipeline import build  # noqa: E402
from publisher.enrichment import quality  # noqa: E402
from publisher.query import history  # noqa: E402
from publisher.settings import load  # noqa: E402
from publisher.store.embedded import open_store  # noqa: E402
from publisher.uris import Urls  # noqa: E402


def timed(label: str, action: Callable[[], Any]) -> Any:
    """Run ``action`` once, print its wall time, return its result."""
    start = time.perf_counter()
    result = action()
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    """Build the corpus, then time each download, quality and history operation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000, help="corpus size in lines")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "reports").mkdir()
        paths = repeated_examples(args.rows, folder / "reports")
        settings = load(env={}, data_dir=folder / "data")
        result = timed(f"build {len(paths)} reports", lambda: build(paths, settings, quiet=True))
        print(
            f"  build stages: quality {result.seconds.get('quality', 0):.3f} s, "
            f"tidy {result.seconds.get('tidy', 0):.3f} s, {result.triples} quads"
        )
        store = open_store(settings)
        rows = timed("tidy_rows (everything)", lambda: tidy.tidy_rows(store))
        print(f"  {len(rows)} rows")
        timed("csv_bytes (with BOM)", lambda: tidy.csv_bytes(rows, bom=True))
        timed("xlsx_bytes", lambda: tidy.xlsx_bytes(rows))
        loja = Urls(settings.base_uri).institution("gad-municipal-loja")
        timed("tidy_rows (one institution)", lambda: tidy.tidy_rows(store, tidy.Filters(loja)))
        timed("quality.ranking", lambda: quality.ranking(store))
        reports = timed("history.reports_of (Loja)", lambda: history.reports_of(store, loja))
        print(f"  {len(reports)} Loja reports")
        timed(
            "history.changes (two latest)",
            lambda: history.changes(store, reports[-2][0], reports[-1][0]),
        )
        node = store.select(
            "SELECT ?o WHERE { ?u <http://www.w3.org/ns/org#purpose> ?o "
            "FILTER(CONTAINS(STR(?u), 'gad-municipal-loja')) } LIMIT 1"
        )[0]["o"]
        points = timed("history.history (one objective)", lambda: history.history(store, node))
        print(f"  {len(points)} points")


if __name__ == "__main__":
    main()
