"""A longer fuzzing run of the parsers than CI's: prints files fuzzed, crashes, worst time.

    .venv/bin/python benchmarks/fuzz_parsers.py [--examples 5000] [--seed 0]

Uses the same hostile-file strategies as ``tests/test_fuzz_parsers.py`` (random bytes,
damaged and re-encoded reports, enormous cells, deep nesting, entity and zip bombs), with
``--examples`` files per format. A *crash* is any exception other than ``ParseError``;
each distinct one is saved under ``--out`` for a regression test. Memory is the peak that
``tracemalloc`` saw while parsing, sampled on files over 1 MB (tracing slows parsing).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fuzzing import FILES, parse_once  # noqa: E402


@dataclass
class Tally:
    """What one format's run saw."""

    files: int = 0
    bytes: int = 0
    crashes: dict[str, int] = field(default_factory=dict)
    slowest: float = 0.0
    peak_ratio: float = 0.0  # peak bytes allocated / file size, files over 1 MB


def fuzz(suffix: str, examples: int, seed_value: int, out: Path) -> Tally:
    """Parse ``examples`` hostile ``suffix`` files; count crashes, time and memory."""
    tally = Tally()

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: every crash is counted as it comes
        suppress_health_check=list(HealthCheck),
    )
    @given(data=FILES[suffix]())
    def one(data: bytes) -> None:
        tally.files += 1
        tally.bytes += len(data)
        try:
            tally.slowest = max(tally.slowest, parse_once(data, suffix))
            if len(data) > 1 << 20:
                tracemalloc.start()
                parse_once(data, suffix)
                tally.peak_ratio = max(
                    tally.peak_ratio, tracemalloc.get_traced_memory()[1] / len(data)
                )
                tracemalloc.stop()
        except Exception as err:  # a crash: anything but ParseError
            key = f"{type(err).__name__}: {str(err)[:80]}"
            if key not in tally.crashes:
                out.mkdir(parents=True, exist_ok=True)
                (out / f"crash-{len(tally.crashes)}{suffix}").write_bytes(data)
            tally.crashes[key] = tally.crashes.get(key, 0) + 1

    one()
    return tally


def main() -> None:
    """Run every format and print one line each, then the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="Files per format.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-crashes"), help="Crash files.")
    args = parser.parse_args()
    started, files, crashes = time.monotonic(), 0, 0
    print(f"{'format':7} {'files':>7} {'MB':>8} {'crashes':>8} {'slowest s':>10} {'peak/size':>10}")
    for suffix in FILES:
        tally = fuzz(suffix, args.examples, args.seed, args.out)
        files, crashes = files + tally.files, crashes + sum(tally.crashes.values())
        print(
            f"{suffix:7} {tally.files:7} {tally.bytes / 1e6:8.1f} {sum(tally.crashes.values()):8}"
            f" {tally.slowest:10.2f} {tally.peak_ratio:10.1f}"
        )
        for key, count in tally.crashes.items():
            print(f"    {count} x {key}")
    print(f"files fuzzed: {files}, crashes: {crashes}, {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
