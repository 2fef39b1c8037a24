"""Tidy downloads: one row per target, as CSV (with and without BOM), XLSX and CSVW.

The rows are read with SPARQL, each report inside its own named graph, so a download
holds exactly what is published (and what the SPARQL endpoint answers), not what a
parser thought. A build reads each current report's rows from that report's graph alone
(its kept N-Quads, once it is current), answering the same two queries over the graph's
N-Quads without a query engine (``report_rows``), and caches them
(``write_report_rows``); the corpus files
are streamed from the caches (``write_tidy_cached``). The filtered downloads of the site
query the store (``tidy_rows``); both give the same rows in the same order. Three columns
come from the corpus graphs, not the report's (institution id, territory DPA code, unit
function: ``corpus.py``): they are added when the files are written, after the report's.

Besides the targets, a statement ``NO APLICA …`` that stands in place of a unit's,
objective's or indicator's targets gets a row of its own with the target columns empty,
so that a spreadsheet reader sees why a unit has no targets. Rows are ordered by
institution name, report date, report IRI, source line and target IRI (then unit,
objective and indicator IRI); several activities or reasons of one row are joined in
sorted order.

``COLUMNS`` is the one description of the table: the CSV header, the XLSX header and the
CSVW metadata (``csvw_metadata``) are all made from it.

The package reads as the data flow:

- ``table.py``: the columns, the queries, the rows of a store (``report_table_rows``),
  merged and sorted;
- ``corpus.py``: the corpus columns, from one store lookup each (``enrichment``, which
  the search index reads too), and every column of a store's rows (``tidy_rows``);
- ``report.py``: one report's rows over its N-Quads (``report_rows``) and their cache
  file (``write_report_rows``);
- ``cells.py``: one row as the files hold it (CSV record, XLSX cells, sheet XML);
- ``files.py``: the CSV, XLSX and CSVW files, from rows or from the caches
  (``write_tidy_cached``).

The public names are re-exported here (``from publisher import tidy``); constants a test
changes are changed in the module that reads them (``tidy.files.MAX_SHEET_ROWS``).
"""

from __future__ import annotations

from publisher.downloads.corpus import Enrichment, enrichment, tidy_rows
from publisher.downloads.files import (
    CSV_BOM,
    CSV_MEDIA_TYPE,
    CSV_PLAIN,
    CSVW,
    CSVW_MEDIA_TYPE,
    SHEET,
    XLSX,
    XLSX_MEDIA_TYPE,
    csv_bytes,
    csvw_metadata,
    media_type,
    sheet_name,
    write_csv,
    write_tidy_cached,
    xlsx_bytes,
)
from publisher.downloads.report import PICKLE, report_rows, tidy_cache_path, write_report_rows
from publisher.downloads.table import (
    COLUMNS,
    CORPUS_NAMES,
    FILTERS,
    JOIN,
    LEVELS,
    NAMES,
    NOT_APPLICABLE,
    REPORT_NAMES,
    TARGETS,
    Column,
    Filters,
    TextRow,
    TidyRow,
    format_decimal,
    ontology_levels,
    select_text,
)

__all__ = [
    "COLUMNS",
    "CORPUS_NAMES",
    "CSVW",
    "CSVW_MEDIA_TYPE",
    "CSV_BOM",
    "CSV_MEDIA_TYPE",
    "CSV_PLAIN",
    "FILTERS",
    "JOIN",
    "LEVELS",
    "NAMES",
    "NOT_APPLICABLE",
    "PICKLE",
    "REPORT_NAMES",
    "SHEET",
    "TARGETS",
    "XLSX",
    "XLSX_MEDIA_TYPE",
    "Column",
    "Enrichment",
    "Filters",
    "TextRow",
    "TidyRow",
    "csv_bytes",
    "csvw_metadata",
    "enrichment",
    "format_decimal",
    "media_type",
    "ontology_levels",
    "report_rows",
    "select_text",
    "sheet_name",
    "tidy_cache_path",
    "tidy_rows",
    "write_csv",
    "write_report_rows",
    "write_tidy_cached",
    "xlsx_bytes",
]
