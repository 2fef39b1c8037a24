"""The corpus columns: what the corpus graphs tell of each row's institution and unit.

A report's graph names its institution and units; what is known of them besides lives in
the corpus graphs a build writes after the reports: each unit's functions
(``lotaip:unitFunction``, links graph), each institution's territory (``dct:spatial``,
links graph; the province above a canton, reference graph) and INEC DPA code
(``lotaip:dpaCode``, links and reference graphs). So a report's cached rows hold the
report's columns (``table.REPORT_NAMES``), and the corpus columns (``table.CORPUS_NAMES``:
institution id, territory DPA code, unit functions) are filled in when the table is
written: the build's files from the caches (``files.write_tidy_cached``) and the site's
filtered downloads (``tidy_rows``; ``/browse.csv`` reads the search index, filled from
those files). One store lookup each (``enrichment``), which the search index reads too
(process level IRIs, functions and territories for its facets).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from publisher.downloads.table import (
    CORPUS_NAMES,
    JOIN,
    LEVELS,
    Filters,
    TidyRow,
    report_table_rows,
    select_text,
)
from publisher.store.embedded import Store
from publisher.vocab import sparql_prefixes

#: unit IRI -> its functions (IRI, Spanish label), as the store lists them.
Functions = dict[str, list[tuple[str, str]]]
#: institution IRI -> "province"/"canton" -> {"uri", "name"}.
Places = dict[str, dict[str, dict[str, str]]]

#: Unit functions (lotaip:unitFunction, apart from the process level).
_FUNCTIONS = (
    sparql_prefixes()
    + """SELECT ?unit ?f ?label WHERE {
  ?unit lotaip:unitFunction ?f . ?f skos:prefLabel ?label
  FILTER(lang(?label) = "es")
}"""
)
#: Institution territories: the canton or province, and the province above a canton.
_TERRITORIES = (
    sparql_prefixes()
    + """SELECT ?inst ?place ?placeLabel ?province ?provinceLabel ?isCanton WHERE {
  ?inst dct:spatial ?place . ?place skos:prefLabel ?placeLabel .
  BIND(EXISTS { ?place a lotaip:Canton } AS ?isCanton)
  OPTIONAL { ?place skos:broader ?province . ?province skos:prefLabel ?provinceLabel }
}"""
)
#: INEC DPA codes: the links graph states one for an institution surely matched to a
#: GAD, the reference graph for its registry entry (the same IRI when the ids agree) and
#: for each territory (not a row's institution: never looked up).
_DPA = sparql_prefixes() + "SELECT DISTINCT ?inst ?code WHERE { ?inst lotaip:dpaCode ?code }"


@dataclass(frozen=True)
class Enrichment:
    """What a store tells of the tidy rows besides their reports' graphs."""

    levels: dict[str, str]  # process level name (Spanish) -> IRI
    functions: Functions
    places: Places
    dpa: dict[str, str]  # institution IRI -> DPA code (several joined, never expected)

    def corpus_values(self, institution: str, unit: str) -> tuple[str, ...]:
        """The corpus columns (``CORPUS_NAMES``) of a row of ``institution``'s ``unit``."""
        functions = unit_functions(self.functions.get(unit))
        return (
            institution_id(institution),
            self.dpa.get(institution, ""),
            JOIN.join(sorted({label for _, label in functions if label})),
        )


def enrichment(store: Store) -> Enrichment:
    """One lookup each of process levels, unit functions, territories and DPA codes."""
    levels = {r["name"]: r["level"] for r in select_text(store, LEVELS, {})}
    functions: Functions = {}
    for row in select_text(store, _FUNCTIONS, {}):
        functions.setdefault(row["unit"], []).append((row["f"], row["label"]))
    places: Places = {}
    for row in select_text(store, _TERRITORIES, {}):
        canton = row.get("isCanton") in ("true", "1")
        place = {"uri": row["place"], "name": row["placeLabel"]}
        found = places.setdefault(row["inst"], {})
        if canton:
            found["canton"] = place
            if "province" in row:
                found["province"] = {"uri": row["province"], "name": row["provinceLabel"]}
        else:
            found["province"] = place
    codes: dict[str, set[str]] = {}
    for row in select_text(store, _DPA, {}):
        codes.setdefault(row["inst"], set()).add(row["code"])
    dpa = {inst: JOIN.join(sorted(found_codes)) for inst, found_codes in codes.items()}
    return Enrichment(levels, functions, places, dpa)


def institution_id(iri: str) -> str:
    """The registry id of an institution: its IRI's last segment (``Urls.institution``)."""
    return iri.rpartition("/")[2]


def unit_functions(found: list[tuple[str, str]] | None) -> list[tuple[str, str]]:
    """A unit's functions, each IRI once (with its first label in order): a function with
    two Spanish labels must not count its rows twice. ``[("", "")]`` for none."""
    if not found:
        return [("", "")]
    labels: dict[str, str] = {}
    for iri, label in found:
        labels[iri] = min(label, labels.get(iri, label))
    return list(labels.items())


def with_corpus_columns(rows: Iterable[TidyRow], found: Enrichment) -> list[TidyRow]:
    """``rows`` (report columns) with the corpus columns after them."""
    values = found.corpus_values
    return [
        row | dict(zip(CORPUS_NAMES, values(row["institution_uri"], row["unit_uri"]), strict=True))
        for row in rows
    ]


def tidy_rows(
    store: Store, filters: Filters | None = None, found: Enrichment | None = None
) -> list[TidyRow]:
    """The tidy table of ``store``, every column: targets and NO APLICA statements, in
    reading order (institution, report date, report, source line); by default of the
    current state (``Filters.current``). ``found``: the store's ``enrichment``, if read."""
    rows = report_table_rows(store, filters)
    return with_corpus_columns(rows, found or enrichment(store))
