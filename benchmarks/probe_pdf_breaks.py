"""Show how the PDF reader joins the lines of each cell, and why (issue 13).

``PYTHONPATH=. python benchmarks/probe_pdf_breaks.py [PDF ...]`` (default: every PDF fixture
under ``tests/data/reports/`` and ``references/``). For each file: how many line ends were
read as a wrap at a space the producer wrote, a wrap whose space fell past the border, a
wrap at a hyphen, a word cut at the border, or a typed line break; then every join that
was not a written space, with the text on either side, to check by eye against the text
original. A diagnostic for new producers' PDFs, not a test.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path

import pdfplumber

from publisher.parse import pdf

REPORTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "reports"


def kind(cell: pdf._Cell, above: pdf._Line, below: pdf._Line) -> str:
    """Which rule of ``_Cell.joint`` joined ``above`` and ``below``."""
    joint = cell.joint(above, below)
    if joint == " ":
        return "space written" if pdf._spaced(above.words[-1]) else "space past the border"
    if joint == "\n":
        return "typed line break"
    return "hyphen" if above.text.endswith("-") else "word cut at the border"


def probe(path: Path) -> None:
    """Print the joins of one PDF's ruled and unruled cells."""
    counts: Counter[str] = Counter()
    shown: list[str] = []
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as document:
        bounds: list[float] = []
        rows = [r for page in document.pages for r in pdf._page_rows(page, path.name, bounds)]
    for row in rows:
        for cell in row.cells:
            for above, below in zip(cell.lines, cell.lines[1:], strict=False):
                found = kind(cell, above, below)
                counts[found] += 1
                if found != "space written":
                    shown.append(f"  p{row.page} r{row.index} {found}: …{above.text[-30:]!r} / "
                                 f"{below.text[:30]!r}…")  # fmt: skip
    total = ", ".join(f"{name} {n}" for name, n in counts.most_common())
    print(f"{path.name}: {total or 'no wrapped cells'}")
    if shown:
        print("\n".join(shown))


def main() -> None:
    """Probe the PDFs named, or every PDF fixture."""
    paths = [Path(a) for a in sys.argv[1:]] or sorted(REPORTS.glob("**/*.pdf"))
    for path in paths:
        if path.name != "scanned.pdf":
            probe(path)


if __name__ == "__main__":
    main()
