"""Hostile report files for the parser fuzz tests and ``benchmarks/fuzz_parsers.py``.

Each format gets hypothesis strategies that start from the real fixture files and break
them the ways the world does: random bytes, mutations (cut, repeat, splice hostile
tokens), other encodings, enormous cells, deep nesting, entity bombs; XLSX archives are
rebuilt with a mutated sheet or shared-strings part, so the XML parser is reached.
"""

from __future__ import annotations

import contextlib
import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from publisher.errors import ParseError
from publisher.parse import READERS, parse_bytes

TESTS = Path(__file__).resolve().parent
SEEDS = {
    ".txt": sorted((TESTS.parent / "examples" / "reports").glob("*.txt"))[:2],
    ".csv": sorted((TESTS / "data" / "reports").glob("*.csv")),
    ".html": sorted((TESTS / "data" / "reports").glob("*.html")),
    ".xlsx": sorted((TESTS / "data" / "reports").glob("*.xlsx")),
}
SEED_BYTES = {suffix: [p.read_bytes() for p in paths] for suffix, paths in SEEDS.items()}

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
#: Pieces that have broken parsers somewhere: markup, entities, quotes, controls, bombs.
TOKENS = [
    "<table>",
    "<tr>",
    "<td>",
    "</td>",
    "</tr>",
    "</table>",
    "<th>",
    "<p>",
    "<br>",
    "<b>",
    '<td colspan="1000000000">',
    '<td rowspan="99999999">',
    '<td colspan="-5">',
    "<td colspan=x>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<script>",
    "</script>",
    "<style>",
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#99999999999;",
    "&nbsp",
    "&lol9;",
    LAUGHS,
    '<!ENTITY x SYSTEM "file:///etc/passwd">',
    "&x;",
    '"',
    '""',
    "'",
    ",",
    ";",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\x1a",
    "\ufeff",
    "\u202e",
    "\udcff",
    "**",
    "|",
    "No.",
    "Descripción de la unidad",
    "Objetivo de la unidad",
    "Indicador",
    "Meta cuantificable",
    "FECHA ACTUALIZACIÓN",
    "PERIODICIDAD",
    "%",
    "100%",
    "1e309",
    "-0",
    "NaN",
    "9" * 400,
    "é" * 50,
    "\U0001f4a9",
]
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "cp1252", "latin-1", "cp437", "shift_jis", "utf-7"]

_tokens = st.sampled_from(TOKENS)
_junk = st.one_of(
    _tokens, st.text(max_size=40), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
)


@st.composite
def mutated_text(draw: st.DrawFn, seed: str) -> str:
    """``seed`` with a few cuts, repeats and splices of hostile tokens."""
    text = seed
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "repeat", "replace"]))
        span = draw(st.integers(0, 400))
        if op == "insert":
            text = text[:at] + draw(_junk) * draw(st.integers(1, 50)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + span :]
        elif op == "repeat":
            text = text[:at] + text[at : at + span] * draw(st.integers(2, 40)) + text[at:]
        else:
            text = text[:at] + draw(_junk) + text[at + span :]
    return text


@st.composite
def enormous_cell(draw: st.DrawFn, seed: str) -> str:
    """``seed`` with one place blown up to a huge cell (up to 2 MB of one character)."""
    at = draw(st.integers(0, len(seed)))
    size = draw(st.sampled_from([10_000, 200_000, 2_000_000]))
    return seed[:at] + draw(st.sampled_from(["x", "é", '"', "<b>", "&amp;"])) * size + seed[at:]


def deep_nesting(depth: int) -> str:
    """Tables nested ``depth`` deep, each cell holding the next table."""
    return "<table><tr><td>" * depth + "x" + "</td></tr></table>" * depth


@st.composite
def encoded(draw: st.DrawFn, text: str) -> bytes:
    """``text`` in an encoding the readers may not expect."""
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


def text_files(suffix: str) -> st.SearchStrategy[bytes]:
    """Hostile bytes for a text-based format (.txt/.csv/.html), from its seed files."""
    seeds = [s.decode("utf-8", errors="replace") for s in SEED_BYTES[suffix]]
    seed = st.sampled_from(seeds)
    utf8 = st.one_of(seed.flatmap(mutated_text), seed.flatmap(enormous_cell)).map(
        lambda t: t.encode("utf-8", errors="surrogatepass")
    )
    strategies = [
        st.binary(max_size=4096),
        utf8,
        utf8,
        seed.flatmap(mutated_text).flatmap(encoded),
        st.lists(_junk, max_size=200).map(lambda parts: "".join(parts).encode("utf-8", "replace")),
    ]
    if suffix == ".html":
        strategies.append(st.integers(1, 20_000).map(lambda d: deep_nesting(d).encode()))
    return st.one_of(strategies)


def rezip(members: dict[str, bytes]) -> bytes:
    """An XLSX (zip) archive holding ``members``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


SEED_MEMBERS = [_members(data) for data in SEED_BYTES[".xlsx"]]
XML_PARTS = sorted({name for m in SEED_MEMBERS for name in m if name.endswith(".xml")})


@st.composite
def mutated_workbook(draw: st.DrawFn) -> bytes:
    """A real workbook whose one XML part (sheet, shared strings, styles …) is mutated."""
    members = dict(draw(st.sampled_from(SEED_MEMBERS)))
    part = draw(st.sampled_from(sorted(members)))
    text = members[part].decode("utf-8", errors="replace")
    if draw(st.booleans()):
        text = draw(mutated_text(text))
    else:  # an entity bomb in the prolog, used in the first string
        body = text.split("?>", 1)[-1]
        text = LAUGHS + body.replace("<t>", "<t>&lol9;", 1).replace("<v>", "<v>&lol9;", 1)
    members[part] = text.encode("utf-8", errors="replace")
    return rezip(members)


@st.composite
def mutated_zip_bytes(draw: st.DrawFn) -> bytes:
    """A real workbook's bytes with some of them overwritten or cut."""
    data = bytearray(draw(st.sampled_from(SEED_BYTES[".xlsx"])))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at : at + draw(st.integers(1, 64))] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data[: draw(st.integers(1, len(data)))])


def xlsx_files() -> st.SearchStrategy[bytes]:
    """Hostile XLSX bytes: random, damaged archives, workbooks with mutated XML parts."""
    return st.one_of(
        st.binary(max_size=4096),
        mutated_zip_bytes(),
        mutated_workbook(),
        mutated_workbook(),
        st.sampled_from(TOKENS).map(lambda t: b"PK\x03\x04" + t.encode("utf-8", "replace")),
    )


#: Suffix -> strategy of hostile files for that reader.
FILES: dict[str, Callable[[], st.SearchStrategy[bytes]]] = {
    ".txt": lambda: text_files(".txt"),
    ".csv": lambda: text_files(".csv"),
    ".html": lambda: text_files(".html"),
    ".xlsx": xlsx_files,
}


def parse_once(data: bytes, suffix: str) -> float:
    """Parse ``data`` as a ``suffix`` file; return seconds taken.

    Succeeding or raising ``ParseError`` is fine; any other exception propagates.
    """
    started = time.perf_counter()
    with contextlib.suppress(ParseError):
        parse_bytes(data, f"fuzz{suffix}", READERS[suffix])
    return time.perf_counter() - started
