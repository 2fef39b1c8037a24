"""Fuzzing the parsers: every hostile file is read or refused with ``ParseError``, fast.

Hypothesis generates files of every supported format from the real fixtures
(``tests/fuzzing.py``): random bytes, damaged and re-encoded reports, enormous cells,
deep nesting, entity bombs in HTML and in the XML inside XLSX. About 2,000 examples in
all; ``benchmarks/fuzz_parsers.py`` runs many more. Fixed cases below are regressions
and the bombs too large for hypothesis to build on every example.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from fuzzing import FILES, LAUGHS, SEED_MEMBERS, deep_nesting, parse_once, rezip
from hypothesis import HealthCheck, given, settings

from publisher.errors import ParseError
from publisher.parse import READERS, parse_bytes

#: Seconds one file may take; real reports take a few milliseconds.
TIME_LIMIT = 5.0
#: Most a single hostile file may allocate while parsed (the 10 MB cells below).
MEMORY_LIMIT = 400 * 1024 * 1024
EXAMPLES = {".txt": 500, ".csv": 500, ".html": 500, ".xlsx": 400}
FUZZ = settings(
    deadline=None,  # timing is asserted below, with a limit a loaded CI machine still meets
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same files on every run: CI failures reproduce
)


def _peak_bytes(data: bytes, suffix: str) -> int:
    tracemalloc.start()
    try:
        parse_once(data, suffix)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _fuzz(suffix: str) -> None:
    @settings(FUZZ, max_examples=EXAMPLES[suffix])
    @given(data=FILES[suffix]())
    def check(data: bytes) -> None:
        assert parse_once(data, suffix) < TIME_LIMIT
        if len(data) > 1 << 20:  # large files: memory stays a small multiple of the size
            assert _peak_bytes(data, suffix) < 24 * len(data) + (32 << 20)

    check()


@pytest.mark.parametrize("suffix", sorted(EXAMPLES))
def test_hostile_files_are_read_or_refused_cleanly(suffix: str) -> None:
    _fuzz(suffix)


# --- fixed hostile files -------------------------------------------------------------


def _bomb_member(size: int) -> bytes:
    """A zip whose one member inflates to ``size`` bytes of zeros (built without holding them)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            member.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize("size", [8 << 20, 300 << 20])
def test_zip_bombs_are_refused_before_inflating(size: int) -> None:
    data = _bomb_member(size)
    assert len(data) < size // 500  # a real bomb: tiny on disk
    with pytest.raises(ParseError, match="refused"):
        parse_bytes(data, "bomb.xlsx", READERS[".xlsx"])
    assert _peak_bytes(data, ".xlsx") < 16 << 20


def test_billion_laughs_in_a_sheet_is_refused_in_bounded_memory() -> None:
    members = dict(SEED_MEMBERS[0])
    sheet = members["xl/worksheets/sheet1.xml"].decode().split("?>", 1)[-1]
    members["xl/worksheets/sheet1.xml"] = (LAUGHS + sheet.replace("<t>", "<t>&lol9;", 1)).encode()
    data = rezip(members)
    # regression: expat's own guard let this expand to 117 MB before it stopped
    with pytest.raises(ParseError, match="declares a DTD"):
        parse_bytes(data, "laughs.xlsx", READERS[".xlsx"])
    assert _peak_bytes(data, ".xlsx") < 8 << 20


def test_a_dtd_hidden_behind_a_long_prolog_is_refused() -> None:
    members = dict(SEED_MEMBERS[0])
    padding = "<!--" + "x" * 100_000 + "-->"
    members["xl/workbook.xml"] = (padding + LAUGHS + "<workbook/>").encode()
    with pytest.raises(ParseError, match="DTD"):
        parse_bytes(rezip(members), "padded.xlsx", READERS[".xlsx"])


def test_a_sheet_that_is_not_xml_is_a_parse_error() -> None:
    # regression: XML errors from a sheet escaped as xml.etree.ElementTree.ParseError
    members = dict(SEED_MEMBERS[0])
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]
    with pytest.raises(ParseError, match="unreadable"):
        parse_bytes(rezip(members), "broken.xlsx", READERS[".xlsx"])


def test_billion_laughs_in_html_is_not_expanded() -> None:
    page = LAUGHS + "<table><tr><td>&lol9;</td><td>&lol9;</td></tr></table>"
    report_or_error = parse_once(page.encode(), ".html")
    assert report_or_error < TIME_LIMIT
    assert _peak_bytes(page.encode(), ".html") < 16 << 20


@pytest.mark.parametrize("markup", ["<b>", "&amp;"])
def test_two_million_tags_or_references_are_refused_quickly(markup: str) -> None:
    # regression: 2M '<b>' (6 MB) took html.parser 11 s, 2M '&amp;' 8 s; 32 MB, a minute
    page = "<table><tr><td>" + markup * 2_000_000 + "</td></tr></table>"
    with pytest.raises(ParseError, match="tags and references"):
        parse_bytes(page.encode(), "tags.html", READERS[".html"])
    assert parse_once(page.encode(), ".html") < 1.0


def test_a_zip_with_a_damaged_directory_is_a_parse_error() -> None:
    # regression: zipfile raised ValueError (negative seek) for this damage
    data = bytearray(rezip(SEED_MEMBERS[0]))
    end = data.rfind(b"PK\x05\x06")
    data[end + 16 : end + 20] = (len(data) + 1000).to_bytes(4, "little")  # directory offset
    with pytest.raises(ParseError, match="XLSX"):
        parse_bytes(bytes(data), "damaged.xlsx", READERS[".xlsx"])


def test_a_csv_line_of_two_million_fields_is_refused() -> None:
    # regression: 2M '&amp;' split at ';' into 2M fields took 190 MB
    data = ("&amp;" * 2_000_000 + "\nNo.;Descripción de la unidad\n").encode()
    with pytest.raises(ParseError, match="too wide"):
        parse_bytes(data, "wide.csv", READERS[".csv"])
    assert _peak_bytes(data, ".csv") < 24 * len(data) + (32 << 20)


def test_ten_thousand_nested_tables_are_read_in_bounded_time() -> None:
    assert parse_once(deep_nesting(10_000).encode(), ".html") < TIME_LIMIT


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".html"])
def test_a_ten_megabyte_cell(suffix: str) -> None:
    cell = "x" * (10 << 20)
    data = {
        ".txt": cell,
        ".csv": f'"{cell}",b\n',
        ".html": f"<table><tr><td>{cell}</td></tr></table>",
    }
    assert parse_once(data[suffix].encode(), suffix) < TIME_LIMIT
    assert _peak_bytes(data[suffix].encode(), suffix) < MEMORY_LIMIT
