"""Regenerate ``registry/territories.csv`` from the source tables in ``registry/sources/``.

    .venv/bin/python registry/build_territories.py          # rewrite territories.csv
    .venv/bin/python registry/build_territories.py --check  # exit 1 if it would change

Rows come only from the sources (``registry/README.md`` names each one and its licence):

- provinces and cantons, codes and names: Superintendencia de Bancos, Tablas 6 and 7
  (INEC's DPA), active rows only; names re-cased from the tables' capitals, accents kept;
- a province's Wikidata item is ``exact`` only when AddressForAll's item for its ISO 3166-2
  letter and the second province table's item are the same;
- a canton's item is AddressForAll's (the ``wikidata`` tag of the OSM boundary, checked
  nowhere else, sometimes the seat city's item), so only ``close``. A canton is paired with
  an AddressForAll row of its province when their names are equal after
  ``publisher.uris.normalise`` and dropping a "Cantón " prefix; a DPA name with a bracketed
  second name ("SALITRE (URBINA JADO)") may pair by either part. No fuzzy matching: a
  canton that pairs with no row, or with more than one, keeps no item and is printed.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REGISTRY = Path(__file__).resolve().parent
sys.path.insert(0, str(REGISTRY.parent))

from publisher.uris import normalise  # noqa: E402  (needs the path above when run as a script)

SOURCES = REGISTRY / "sources"
PROVINCES_CSV = SOURCES / "sb-tabla6-provincias.csv"
CANTONS_CSV = SOURCES / "sb-tabla7-cantones.csv"
ADDRESSFORALL_CSV = SOURCES / "addressforall-jurisdiction-level4.csv"
REGIONS_CSV = SOURCES / "ecuador-regions-wikidata.csv"
CORRECTIONS_CSV = SOURCES / "name-corrections.csv"
OUTPUT = REGISTRY / "territories.csv"

COLUMNS = ("code", "name", "level", "parent", "wikidata", "wikidata_match", "sources")
PROVINCE_SOURCES: tuple[str, ...] = ("dpa:SB-Tabla6",)
CANTON_SOURCES: tuple[str, ...] = ("dpa:SB-Tabla7",)
PROVINCE_WIKIDATA_SOURCES = ("wikidata:osm-addressforall", "wikidata:provinces")
CANTON_WIKIDATA_SOURCES = ("wikidata:osm-addressforall",)

# Spanish title case leaves these words in lower case inside a name ("Santo Domingo de los
# Tsáchilas"), as the DPA's own mixed-case publications write them.
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "el", "y"})
_BRACKETED = re.compile(r"^(?P<main>[^(]+)\((?P<other>[^)]+)\)\s*$")


@dataclass(frozen=True)
class OsmArea:
    """One AddressForAll row: an OSM boundary with its ISO parent and Wikidata tag."""

    name: str
    parent: str  # ISO 3166-2 letter(s) of the province ("EC" for a province row)
    iso: str  # ISO 3166-2 letter(s) of a province; empty for a canton
    wikidata: str  # "Q…"


def read(path: Path) -> list[dict[str, str]]:
    """The rows of a source CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def display_name(upper: str) -> str:
    """``"SANTO DOMINGO DE LOS TSÁCHILAS"`` -> ``"Santo Domingo de los Tsáchilas"``."""
    words = upper.split()
    return " ".join(
        w.lower() if i and w.lower() in _PARTICLES else w.title() for i, w in enumerate(words)
    )


def name_keys(dpa_name: str) -> set[str]:
    """The normalised names a DPA row may pair by: whole, and each part of a bracketed one."""
    keys = {normalise(dpa_name)}
    if match := _BRACKETED.match(dpa_name):
        keys |= {normalise(match["main"]), normalise(match["other"])}
    return keys


def osm_key(name: str) -> str:
    """An AddressForAll name normalised, without its "Cantón " prefix."""
    return re.sub(r"^canton ", "", normalise(name))


def osm_areas() -> list[OsmArea]:
    """AddressForAll's rows below the country, ISO parents without an "EC-" prefix."""
    return [
        OsmArea(
            row["name"],
            row["parent_abbrev"].removeprefix("EC-"),
            row["abbrev"],
            f"Q{row['wikidata_id']}",
        )
        for row in read(ADDRESSFORALL_CSV)
        if row["parent_abbrev"] != "INT"
    ]


def province_rows(
    areas: list[OsmArea], report: list[str]
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Province rows, and a map from DPA province code to ISO letter (for the cantons)."""
    by_name = {normalise(a.name): a for a in areas if a.parent == "EC"}
    second = {row["iso_code"]: row["wikidata"] for row in read(REGIONS_CSV)}
    rows: list[dict[str, str]] = []
    iso_of: dict[str, str] = {}
    for source in read(PROVINCES_CSV):
        if source["estado"] != "ACTIVA":
            continue
        code, area = source["codigo"], by_name.get(normalise(source["descripcion"]))
        item = ""
        if area is None:
            report.append(f"province {code} {source['descripcion']}: not in AddressForAll")
        else:
            iso_of[code] = area.iso
            if second.get(area.iso) == area.wikidata:
                item = area.wikidata
            else:
                report.append(
                    f"province {code}: items disagree, {area.wikidata} / {second.get(area.iso)}"
                )
        rows.append(_row(code, source["descripcion"], "", item))
    return rows, iso_of


def corrected(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """``rows`` with the misspellings listed in name-corrections.csv mended; a correction
    whose source name no longer matches is refused, so a fixed source is noticed."""
    fixes = {row["code"]: row for row in read(CORRECTIONS_CSV)}
    mended = []
    for row in rows:
        fix = fixes.get(row["codigo"])
        if fix is not None:
            if row["descripcion"] != fix["source_name"]:
                raise SystemExit(f"correction of {fix['code']} expects {fix['source_name']!r}")
            row = {**row, "descripcion": fix["name"]}
        mended.append(row)
    return mended


def canton_rows(
    areas: list[OsmArea], iso_of: dict[str, str], report: list[str]
) -> list[dict[str, str]]:
    """Canton rows, each with AddressForAll's item when exactly one row pairs with it."""
    sources = corrected([r for r in read(CANTONS_CSV) if r["estado"] == "ACTIVA"])
    candidates: dict[str, list[OsmArea]] = {}
    for source in sources:
        keys = name_keys(source["descripcion"])
        iso = iso_of.get(source["provincia"])
        candidates[source["codigo"]] = [
            a for a in areas if a.parent == iso and not a.iso and osm_key(a.name) in keys
        ]
    claimed: dict[OsmArea, int] = {}
    for found in candidates.values():
        for area in found:
            claimed[area] = claimed.get(area, 0) + 1
    rows = []
    for source in sources:
        code, found = source["codigo"], candidates[source["codigo"]]
        item = ""
        if len(found) == 1 and claimed[found[0]] == 1:
            item = found[0].wikidata
        else:
            names = ", ".join(a.name for a in found) or "no row"
            report.append(f"canton {code} {source['descripcion']}: unpaired ({names})")
        rows.append(_row(code, source["descripcion"], source["provincia"], item))
    return rows


def _row(code: str, upper: str, parent: str, item: str) -> dict[str, str]:
    """One output row (a province has no parent): a province's item is ``exact`` (two
    sources agreed), a canton's ``close``; match kind and item source only with an item."""
    province = not parent
    sources = PROVINCE_SOURCES if province else CANTON_SOURCES
    if item:
        sources += PROVINCE_WIKIDATA_SOURCES if province else CANTON_WIKIDATA_SOURCES
    return {
        "code": code,
        "name": display_name(upper),
        "level": "province" if province else "canton",
        "parent": parent,
        "wikidata": item,
        "wikidata_match": ("exact" if province else "close") if item else "",
        "sources": "|".join(sources),
    }


def build() -> tuple[list[dict[str, str]], list[str]]:
    """All territory rows, provinces each followed by their cantons, and what did not pair."""
    report: list[str] = []
    areas = osm_areas()
    provinces, iso_of = province_rows(areas, report)
    cantons = canton_rows(areas, iso_of, report)
    rows = sorted(provinces + cantons, key=lambda r: r["code"])
    return rows, report


def render(rows: list[dict[str, str]]) -> str:
    """The CSV text (LF line ends, as the other registry files)."""
    lines = [",".join(COLUMNS)]
    for row in rows:
        lines.append(",".join(_cell(row[c]) for c in COLUMNS))
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    """A CSV cell, quoted only when it must be."""
    return f'"{value}"' if any(c in value for c in ',"\n') else value


def main(argv: list[str]) -> int:
    """Write territories.csv (or, with ``--check``, say whether it is up to date)."""
    rows, report = build()
    text = render(rows)
    provinces = sum(r["level"] == "province" for r in rows)
    paired = sum(bool(r["wikidata"]) for r in rows if r["level"] == "canton")
    report.append(f"{provinces} provinces, {len(rows) - provinces} cantons ({paired} with an item)")
    status = 0
    if "--check" in argv:
        status = 0 if OUTPUT.read_text(encoding="utf-8") == text else 1
        report.append("territories.csv differs" if status else "territories.csv is up to date")
    else:
        OUTPUT.write_text(text, encoding="utf-8")
    print("\n".join(report))  # noqa: T201  (a script: what did not pair is its output)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
