"""Build throughput: seconds per stage and triples/s for a synthetic corpus, peak memory.

    .venv/bin/python benchmarks/bench_build.py [--rows 100000] [--keep DIR]

The corpus comes from ``publisher.synth.synth_reports`` when it is available (otherwise
the five examples are repeated); each file is dated a month of its own so that every file
is its own report (its own named graph). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import re
import resource
import shutil
import tempfile
import time
from pathlib import Path

from publisher.pipeline import BuildReport, build, build_fingerprint, read_inputs
from publisher.publish import read_manifest
from publisher.settings import PROJECT_ROOT, Settings, load

EXAMPLES = PROJECT_ROOT / "examples" / "reports"
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def count_rows(paths: list[Path]) -> int:
    """Lines of the corpus (rows of the report tables, plus headers and footers)."""
    return sum(len(p.read_text(encoding="utf-8", errors="replace").splitlines()) for p in paths)


def redate(text: str, month: int) -> str:
    """``text`` with every dd/mm/yyyy date set to the ``month``-th month from 1950.

    A report is named by its institution and month, so each file of the corpus gets
    a month of its own: otherwise two files would be the same report and the build
    would refuse them.
    """
    year, mon = divmod(month, 12)
    return DATE.sub(f"28/{mon + 1:02d}/{1950 + year}", text)


def repeated_examples(rows: int, out: Path) -> list[Path]:
    """Copies of the five examples, each dated a month of its own, up to ``rows``."""
    sources = sorted(EXAMPLES.iterdir())
    paths: list[Path] = []
    total = 0
    while total < rows:
        source = sources[len(paths) % len(sources)]
        path = out / f"{source.stem}-copy{len(paths):05d}{source.suffix}"
        path.write_text(redate(source.read_text(encoding="utf-8"), len(paths)), encoding="utf-8")
        paths.append(path)
        total += count_rows([path])
    return paths


def corpus(rows: int, out: Path) -> list[Path]:
    """A corpus of about ``rows`` rows: synthetic reports if the generator exists."""
    try:
        from publisher.synth import synth_reports
    except ImportError:
        return repeated_examples(rows, out)
    sample = synth_reports(20, out / "sample", seed=0)
    per_report = count_rows(sample) / len(sample)
    shutil.rmtree(out / "sample")
    paths = synth_reports(math.ceil(rows / per_report), out, seed=1)
    for month, path in enumerate(paths):
        path.write_text(redate(path.read_text(encoding="utf-8"), month), encoding="utf-8")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="corpus size in rows")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        inputs = work / "reports"
        inputs.mkdir(parents=True, exist_ok=True)
        paths = corpus(args.rows, inputs)
        print(f"corpus             {len(paths)} reports, {count_rows(paths)} rows")
        settings = load(env={}, data_dir=work / "data")
        started, cpu = time.perf_counter(), time.process_time()
        result = build(paths, settings, quiet=True)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        print_figures(result, total, cpu)
        print_noop(paths, settings)


def print_noop(paths: list[Path], settings: Settings) -> None:
    """Time a rebuild with the same inputs, unless the code changed since the build."""
    manifest = read_manifest(settings.data_dir) or {}
    if build_fingerprint(read_inputs(paths), settings) != manifest.get("fingerprint"):
        print("no-op rebuild      not measured: the code changed during the build")
        return
    started = time.perf_counter()
    again = build(paths, settings, quiet=True)
    print(f"no-op rebuild      {time.perf_counter() - started:8.2f} s  (skipped: {again.skipped})")


def print_figures(result: BuildReport, total: float, cpu: float) -> None:
    """Seconds and throughput per stage, and the peak resident memory of this process."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    no_shacl = total - result.seconds.get("validate", 0.0)
    print(f"quads published    {result.triples}")
    print(f"build, total       {total:8.1f} s  ({result.triples / total:,.0f} quads/s)")
    print(f"build, CPU time    {cpu:8.1f} s  ({result.triples / cpu:,.0f} quads per CPU s)")
    print(f"build, no SHACL    {no_shacl:8.1f} s  ({result.triples / no_shacl:,.0f} quads/s)")
    for stage, seconds in result.seconds.items():
        print(f"  {stage:<16} {seconds:8.1f} s  ({100 * seconds / total:4.1f}%)")
    print(f"peak memory (RSS)  {peak:8.0f} MiB")


if __name__ == "__main__":
    main()
