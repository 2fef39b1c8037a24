"""Downloads, quality and history on a larger corpus: seconds per operation.

    .venv/bin/python benchmarks/bench_insights.py [--rows 20000]

The corpus is the five examples repeated, each copy dated a month of its own
(``repeated_examples``), so every institution has many reports: the
history and change queries then read many graphs. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import URIRef

from publisher import downloads as tidy
from publisher.build.pipeline import build
from publisher.enrichment import quality
from publisher.query import history
from publisher.settings import PROJECT_ROOT, load
from publisher.store.embedded import open_store
from publisher.uris import Urls

EXAMPLES = PROJECT_ROOT / "examples" / "reports"
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def redate(text: str, month: int) -> str:
    """``text`` with every dd/mm/yyyy date set to the ``month``-th month from 1950.

    A report is named by its institution and month, so each copy gets a month of its
    own: otherwise two files would be the same report and the build would refuse them.
    """
    year, mon = divmod(month, 12)
    return DATE.sub(f"28/{mon + 1:02d}/{1950 + year}", text)


def repeated_examples(rows: int, out: Path) -> list[Path]:
    """Copies of the five examples, each dated a month of its own, up to ``rows`` lines."""
    sources = sorted(EXAMPLES.iterdir())
    paths: list[Path] = []
    total = 0
    while total < rows:
        source = sources[len(paths) % len(sources)]
        text = redate(source.read_text(encoding="utf-8"), len(paths))
        path = out / f"{source.stem}-copy{len(paths):05d}{source.suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        total += len(text.splitlines())
    return paths


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
        node = URIRef(
            store.select(
                "SELECT ?o WHERE { ?u <http://www.w3.org/ns/org#purpose> ?o "
                "FILTER(CONTAINS(STR(?u), 'gad-municipal-loja')) } LIMIT 1"
            )[0]["o"]
        )
        points = timed("history.history (one objective)", lambda: history.history(store, node))
        print(f"  {len(points)} points")


if __name__ == "__main__":
    main()
