"""Parse throughput: rows per second for each file format, on one core (prints a table).

    .venv/bin/python benchmarks/bench_parse.py [--rows 200000] [--xlsx-rows 50000] [--seed 0]
        [--repeat 5] [--documents-only]
    .venv/bin/python benchmarks/bench_parse.py --scaling [--against /path/to/old/checkout]

PDF, DOCX, ODS, XLS and UTF-16 text are timed on the committed fixtures (first table), with
the libraries not chosen beside them (second table).

A synthetic corpus (``publisher.synth``: real layouts with their quirks, ~12 units per
report) of about ``--rows`` lines is rendered in memory once per format; then every file
is read (bytes -> Grid) and interpreted (Grid -> Report), timed apart. "lines" counts
every row of the files (titles, headers, banners, blank rows, footers); "data rows" only
rows that hold an indicator slot. XLSX uses a smaller corpus because writing it with
openpyxl is slow; its reading speed per row does not depend on corpus size. Times are CPU
seconds of this process (``time.process_time``), so that other work on a shared machine
does not count.

``--scaling`` times ``parse_file`` on one text report of 2,000, 20,000 and 80,000 rows
(80,000 rows is about 16 MiB, the default ``max_report_bytes``), each in a fresh process
so that its peak memory (max RSS, the interpreter included) is its own. ``--against`` runs
the same files with another checkout's ``publisher`` package (e.g. a ``git worktree`` of
an older commit) and prints its figures beside ours; a run past ``--timeout`` seconds is
stopped and shown as ``>N``.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook

from publisher import synth
from publisher.errors import ParseError
from publisher.parse import READERS, delimited, html, spreadsheet, text
from publisher.parse.grid import Grid
from publisher.parse.table import read_table

Rows = list[list[str]]


def corpus(lines: int, seed: int) -> list[tuple[Rows, int]]:
    """Rendered reports (rows, data rows) until about ``lines`` lines."""
    rng = random.Random(seed)
    out: list[tuple[Rows, int]] = []
    total = 0
    while total < lines:
        report = synth.make_report(rng, f"bench-{len(out)}", units=12)
        rows = synth.render_rows(report, synth.Quirks.draw(rng), rng)
        out.append((rows, report.row_count()))
        total += len(rows)
    return out


def to_xlsx(rows: Rows) -> bytes:
    """Rows as a one-sheet workbook."""
    book = Workbook()
    for row in rows:
        book.active.append([c or None for c in row] or [None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_html(rows: Rows) -> bytes:
    """Rows as an HTML table."""
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<html><body><table>\n{body}\n</table></body></html>".encode()


FORMATS: dict[str, tuple[Callable[[Rows], bytes], Callable[[bytes, str], Grid]]] = {
    "text": (synth.write_text, text.read),
    "csv": (synth.write_csv, delimited.read),
    "csv ; latin-1": (lambda r: synth.write_csv(r, ";", "cp1252"), delimited.read),
    "html": (to_html, html.read),
    "xlsx": (to_xlsx, spreadsheet.read),
}


def measure(name: str, reports: list[tuple[Rows, int]]) -> tuple[int, int, float, float]:
    """(lines, data rows, read seconds, interpret seconds) for one format."""
    write, reader = FORMATS[name]
    files = [(write(rows), len(rows), data) for rows, data in reports]
    read_s = interpret_s = 0.0
    for i, (blob, _, _) in enumerate(files):
        started = time.process_time()
        grid = reader(blob, f"bench-{i}")
        middle = time.process_time()
        read_table(grid, f"bench-{i}")
        interpret_s += time.process_time() - middle
        read_s += middle - started
    return sum(f[1] for f in files), sum(f[2] for f in files), read_s, interpret_s


def pathological() -> None:
    """HTML that makes html.parser quadratic unless defused: seconds at 1 MB and 10 MB
    to read it or, past ``html.MAX_MARKUP`` tags and references, to refuse it (``*``)."""
    print(f"\n{'hostile html':<14}{'1 MB s':>9}{'10 MB s':>9}")
    for unit in ("<!--", '<a href="', "<![CDATA[", "&a", "<div>"):
        times = []
        for size in (2**20, 10 * 2**20):
            data = ("<table><tr><td>1</td></tr></table>" + unit * (size // len(unit))).encode()
            started = time.process_time()
            try:
                html.read(data, "hostile.html")
                mark = ""
            except ParseError:
                mark = "*"
            times.append(f"{time.process_time() - started:.2f}{mark}")
        print(f"{unit!r:<14}{times[0]:>9}{times[1]:>9}")


SCALING_ROWS = (2_000, 20_000, 80_000)
#: Run in a fresh interpreter: CPU seconds of parse_file and the process's peak RSS in MiB.
_CHILD = """
import resource, sys, time
sys.path.insert(0, sys.argv[1])
from publisher.parse import parse_file
started = time.process_time()
parse_file(sys.argv[2])
seconds = time.process_time() - started
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def big_report(rows: int, seed: int) -> Rows:
    """One report of about ``rows`` lines: many units, shifted rows, page breaks, noise."""
    rng = random.Random(seed)
    report = synth.make_report(rng, "big", units=max(rows // 3, 1))  # ~3.5 lines a unit
    # numbered 1.1 … 1.500, 2.1 …: a unit number has at most three digits a part
    units = [
        replace(u, number=u.number and f"{i // 500 + 1}.{i % 500 + 1}")
        for i, u in enumerate(report.units)
    ]
    report = replace(report, units=tuple(units))
    quirks = synth.Quirks("b", 40, 0.05, 0.3, 0.2, True)
    laid_out = synth.render_rows(report, quirks, rng)
    return laid_out[: rows - 6] + laid_out[-6:]  # the footer's six rows name the institution


def timed_parse(tree: Path, path: Path, timeout: float) -> tuple[str, str]:
    """(seconds, peak MiB) of parsing ``path`` with the ``publisher`` package in ``tree``."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(tree), str(path)],
            capture_output=True, text=True, timeout=timeout, check=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f">{timeout:.0f}", "-"
    seconds, peak = map(float, done.stdout.split())
    return f"{seconds:.2f}", f"{peak:.0f}"


def scaling(against: Path | None, timeout: float, seed: int) -> None:
    """Print rows, size, seconds and peak memory per report size, ours beside ``against``."""
    ours = Path(__file__).resolve().parent.parent
    head = f"{'rows':>8}{'MiB':>7}{'s':>9}{'peak MiB':>10}"
    if against:
        head += f"{'before s':>10}{'before MiB':>12}"
    print(head)
    with tempfile.TemporaryDirectory() as tmp:
        for rows in SCALING_ROWS:
            path = Path(tmp) / f"rows-{rows}.txt"
            path.write_bytes(synth.write_text(big_report(rows, seed)))
            line = f"{rows:>8}{path.stat().st_size / 2**20:>7.1f}"
            line += "".join(f"{v:>9}" if i == 0 else f"{v:>10}"
                            for i, v in enumerate(timed_parse(ours, path, timeout)))  # fmt: skip
            if against:
                seconds, peak = timed_parse(against, path, timeout)
                line += f"{seconds:>10}{peak:>12}"
            print(line, flush=True)


DOCUMENTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "reports"


def documents(repeat: int) -> None:
    """PDF, DOCX, ODS, XLS and UTF-16 text: the committed fixtures read ``repeat`` times.

    Those formats are made by LibreOffice, too slow to render a large corpus here; the
    fixtures are real producers' files (``tests/data/reports/`` and its ``references/``:
    CONGOPE, Loja and AME). One line per fixture, then one per format, its fixtures pooled.
    PDF speed is also given in pages per second.
    """
    print(f"\n{'fixture':<30}{'pages':>6}{'rows':>6}{'ms/file':>9}{'rows/s':>9}{'pages/s':>9}")
    totals: dict[str, list[float]] = {}  # format -> [files, pages, rows, seconds]
    files = [*sorted(DOCUMENTS.iterdir()), *sorted((DOCUMENTS / "references").iterdir())]
    for name in files:
        if not name.name.endswith((".pdf", ".docx", ".ods", ".xls", "-unicode.txt")):
            continue
        if name.name.startswith(("linebreaks", "scanned")):
            continue
        data = name.read_bytes()
        reader = READERS[name.suffix]
        started = time.process_time()
        for _ in range(repeat):
            grid = reader(data, name.name)
            read_table(grid, name.name)
        seconds = (time.process_time() - started) / repeat
        rows = len(grid.rows)
        pages = len({r.line // 1000 for r in grid.rows}) if name.suffix == ".pdf" else 0
        per_page = f"{pages / seconds:>9.1f}" if pages else f"{'':>9}"
        print(f"{name.name:<30}{pages or '':>6}{rows:>6}{seconds * 1000:>9.1f}"
              f"{rows / seconds:>9,.0f}{per_page}")  # fmt: skip
        kind = "utf-16 text" if name.name.endswith("-unicode.txt") else name.suffix[1:]
        total = totals.setdefault(kind, [0, 0, 0, 0.0])
        for i, value in enumerate((1, pages, rows, seconds)):
            total[i] += value
    print(f"\n{'format':<14}{'files':>6}{'pages':>6}{'rows':>6}{'ms/file':>9}{'rows/s':>9}"
          f"{'pages/s':>9}")  # fmt: skip
    for kind, (count, kind_pages, kind_rows, kind_seconds) in totals.items():
        per_page = f"{kind_pages / kind_seconds:>9.1f}" if kind_pages else f"{'':>9}"
        print(f"{kind:<14}{count:>6.0f}{kind_pages or '':>6}{kind_rows:>6.0f}"
              f"{kind_seconds / count * 1000:>9.1f}{kind_rows / kind_seconds:>9,.0f}"
              f"{per_page}")  # fmt: skip


def alternatives(repeat: int) -> None:
    """The libraries not chosen, on the same fixtures: time and what they lose.

    PDF: pypdfium2 extracts text ~10x faster than pdfplumber (pdfminer.six) but gives no
    ruling lines or table cells; XLS/ODS: python-calamine is faster than xlrd and the ODS
    XML but returns 0.9 for a cell showing 90%.
    """
    import pdfplumber
    import pypdfium2
    import python_calamine

    print(f"\n{'alternative':<44}{'ms/file':>9}  note")
    for name in ("sot-2023-01-ruled.pdf", "sot-2023-01-unruled.pdf"):
        data = (DOCUMENTS / name).read_bytes()
        started = time.process_time()
        for _ in range(repeat):
            with pdfplumber.open(io.BytesIO(data)) as document:
                words = sum(len(page.extract_words()) for page in document.pages)
        plumber = (time.process_time() - started) / repeat
        started = time.process_time()
        for _ in range(repeat):
            document = pypdfium2.PdfDocument(data)
            chars = sum(page.get_textpage().count_chars() for page in document)
            document.close()
        pdfium = (time.process_time() - started) / repeat
        print(f"{'pdfplumber words ' + name:<44}{plumber * 1000:>9.1f}  {words} words")
        print(f"{'pypdfium2 chars ' + name:<44}{pdfium * 1000:>9.1f}  {chars} chars, no rules")
    for name in ("sot-2023-01-slice.ods", "sot-2023-01-slice.xls"):
        data = (DOCUMENTS / name).read_bytes()
        started = time.process_time()
        for _ in range(repeat):
            sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = sheet.get_sheet_by_index(0).to_python(skip_empty_area=False)
        calamine = (time.process_time() - started) / repeat
        started = time.process_time()
        for _ in range(repeat):
            grid = READERS[Path(name).suffix](data, name)
        ours = (time.process_time() - started) / repeat
        ninth = next(r.cells[4] for r in grid.rows if r.line == 9)  # unit 2's first target
        print(f"{'python-calamine ' + name:<44}{calamine * 1000:>9.1f}  90% reads {rows[8][4]!r}")
        print(f"{'chosen reader ' + name:<44}{ours * 1000:>9.1f}  90% reads "
              f"{ninth!r}")  # fmt: skip


def main() -> None:
    """Print one line per format (or per report size, with ``--scaling``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="lines per corpus")
    parser.add_argument("--xlsx-rows", type=int, default=50_000, help="lines for XLSX")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", nargs="*", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--scaling", action="store_true", help="time one report per size")
    parser.add_argument("--against", type=Path, help="another checkout, timed beside ours")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per --scaling run")
    parser.add_argument("--repeat", type=int, default=5, help="reads of each document fixture")
    parser.add_argument("--documents-only", action="store_true", help="skip the corpus")
    args = parser.parse_args()
    if args.scaling:
        scaling(args.against, args.timeout, args.seed)
        return
    documents(args.repeat)
    alternatives(args.repeat)
    if args.documents_only:
        return
    big = corpus(args.rows, args.seed)
    print(f"{'format':<14}{'files':>7}{'lines':>9}{'data rows':>11}{'read s':>9}"
          f"{'interp s':>10}{'lines/s':>10}{'data rows/s':>13}")  # fmt: skip
    for name in args.formats:
        reports = corpus(args.xlsx_rows, args.seed) if name == "xlsx" else big
        lines, data, read_s, interpret_s = measure(name, reports)
        total = read_s + interpret_s
        print(f"{name:<14}{len(reports):>7}{lines:>9}{data:>11}{read_s:>9.2f}{interpret_s:>10.2f}"
              f"{lines / total:>10,.0f}{data / total:>13,.0f}")  # fmt: skip
    if "html" in args.formats:
        pathological()


if __name__ == "__main__":
    main()
