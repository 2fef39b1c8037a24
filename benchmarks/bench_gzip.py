"""The dump's gzip members: Python's zlib against zlib-ng, on real reports' N-Quads.

    .venv/bin/python benchmarks/bench_gzip.py [DATA] [--repeat 3]

Each report's N-Quads is compressed once a build (``workers.gzip_member``) and read back by
a month's update (the current state). With a published data folder ``DATA`` it reads that
version's members; without, it builds the bundled examples. Prints CPU ms a report to
compress and decompress, and the compressed size, for both libraries at level 6.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zlib_ng import gzip_ng


def _members(data: Path) -> list[bytes]:
    folder = data / "current" / "reports"
    return [gzip.decompress(path.read_bytes()) for path in sorted(folder.glob("*.nq.gz"))]


def _examples(tmp: Path) -> Path:
    from publisher.build.pipeline import build
    from publisher.settings import load

    settings = load(env={}, data_dir=tmp / "data")
    build([settings.examples_dir], settings, quiet=True)  # examples/reports
    return tmp / "data"


def _ms(run: Callable[[], object], count: int, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        samples.append(time.process_time() - started)
    return statistics.median(samples) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, nargs="?", help="a published data folder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        members = _members(args.data or _examples(Path(tmp)))
    size = sum(map(len, members))
    print(f"{len(members)} reports, {size / len(members) / 1024:.0f} KiB of N-Quads each")
    print("| library (level 6) | compress, ms a report | decompress | compressed size |")
    print("|---|---|---|---|")
    for name, module in (("zlib (gzip)", gzip), ("zlib-ng (gzip_ng)", gzip_ng)):
        packed = [module.compress(m, compresslevel=6, mtime=0) for m in members]
        assert all(gzip.decompress(p) == m for p, m in zip(packed, members, strict=True))

        def pack(module: Any = module) -> object:
            return [module.compress(m, compresslevel=6, mtime=0) for m in members]

        def unpack(module: Any = module, packed: list[bytes] = packed) -> object:
            return [module.decompress(p) for p in packed]

        compress = _ms(pack, len(members), args.repeat)
        decompress = _ms(unpack, len(members), args.repeat)
        ratio = sum(map(len, packed)) / size
        print(f"| {name} | {compress:.2f} | {decompress:.2f} | {100 * ratio:.2f} % |")


if __name__ == "__main__":
    main()
