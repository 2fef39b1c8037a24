"""The tidy downloads hold exactly the targets in the store, open in csv and openpyxl,
and their CSVW metadata describes every column."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pyoxigraph as ox
import pytest
from flask import Flask
from openpyxl import load_workbook
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

from publisher import downloads as tidy
from publisher.build.workers import read_member
from publisher.downloads import cells as row_cells
from publisher.downloads import corpus, files, report, table
from publisher.errors import QueryError, StoreError
from publisher.settings import Settings
from publisher.store.embedded import Store, to_ox
from publisher.vocab import sparql_prefixes

BASE = "http://localhost:8000/id/"

#: Targets of every report, counted in the store independently of the tidy package's queries:
#: (report graph, target) pairs.
TARGET_PAIRS = (
    sparql_prefixes()
    + """SELECT DISTINCT ?g ?t WHERE { GRAPH ?g { ?g a lotaip:Report . ?t a lotaip:Target } }"""
)
#: A target's value and text, as the store has them.
TARGET_FACTS = (
    sparql_prefixes()
    + """SELECT ?t ?g ?text ?value ?unit WHERE { GRAPH ?g { ?t lotaip:targetText ?text .
  OPTIONAL { ?t qudt:numericValue ?value } OPTIONAL { ?t lotaip:unitText ?unit } } }"""
)


def _store_targets(store: Store) -> set[tuple[str, str]]:
    return {(str(r["g"]), str(r["t"])) for r in store.select(TARGET_PAIRS)}


def _dumps(settings: Settings) -> Path:
    return settings.data_dir / "current" / "dumps"


def _read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_published_csv_has_one_row_per_target_in_the_store(
    built_settings: Settings, built_store: Store
) -> None:
    rows = _read_csv((_dumps(built_settings) / tidy.CSV_BOM).read_bytes())
    targets = {(r["report_uri"], r["target_uri"]) for r in rows if r["target_uri"]}
    assert len(targets) == len([r for r in rows if r["target_uri"]])  # no target twice
    assert targets == _store_targets(built_store)
    assert len(targets) == 271  # 29 + 13 + 61 + 46 + 122, as counted in test_quality


def test_sample_of_values_matches_the_store(built_settings: Settings, built_store: Store) -> None:
    rows = _read_csv((_dumps(built_settings) / tidy.CSV_PLAIN).read_bytes())
    by_target = {r["target_uri"]: r for r in rows if r["target_uri"]}
    facts = built_store.select(TARGET_FACTS)
    checked = 0
    for fact in facts[::7]:  # every seventh target text in the store
        if str(fact["t"]) not in by_target or "/meta/" not in str(fact["t"]):
            continue
        row = by_target[str(fact["t"])]
        assert row["target"] == str(fact["text"])
        assert row["value"] == (tidy.format_decimal(fact["value"]) if "value" in fact else "")
        if "unit" in fact:
            assert row["unit_of_measure"] == str(fact["unit"])
        checked += 1
    assert checked > 20


def test_known_rows_read_as_in_the_report(built_settings: Settings) -> None:
    rows = _read_csv((_dumps(built_settings) / tidy.CSV_BOM).read_bytes())
    sot = [r for r in rows if r["institution_uri"] == BASE + "institucion/sot"]
    first = next(r for r in sot if r["unit_name"].startswith("Dirección de Comunicación Social"))
    assert (first["value"], first["unit_of_measure"], first["report_date"]) == (
        "15",
        "%",
        "2023-01-31",
    )
    assert first["process_level"] == "Procesos habilitantes de apoyo / nivel de apoyo"
    assert first["due_date"] == "2023" and first["unit_number"] == "9"
    ame = next(r for r in rows if r["target"] == "45 Reuniones")
    assert (ame["value"], ame["unit_of_measure"]) == ("45", "Reuniones")
    assert ame["activity"] == "Activar los órganos desconcentrados de la AME"
    superintendent = next(r for r in sot if r["unit_number"] == "1")
    assert (
        superintendent["target_uri"] == ""
        and "Máxima Autoridad" in (superintendent["not_applicable_reason"])
    )


def test_bom_only_in_the_spreadsheet_csv(built_settings: Settings) -> None:
    folder = _dumps(built_settings)
    with_bom = (folder / tidy.CSV_BOM).read_bytes()
    plain = (folder / tidy.CSV_PLAIN).read_bytes()
    assert with_bom.startswith(b"\xef\xbb\xbf") and not plain.startswith(b"\xef\xbb\xbf")
    assert with_bom[3:] == plain
    assert plain.decode("utf-8").startswith(",".join(tidy.NAMES) + "\r\n")


def test_xlsx_holds_the_same_rows_as_the_csv(built_settings: Settings) -> None:
    folder = _dumps(built_settings)
    rows = _read_csv((folder / tidy.CSV_PLAIN).read_bytes())
    sheet = load_workbook(folder / tidy.XLSX)["metas"]  # read_only would trim empty tails
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(tidy.NAMES)
    assert len(values) - 1 == len(rows)
    value_col = tidy.NAMES.index("value")
    target_col = tidy.NAMES.index("target_uri")
    for cells, row in zip(values[1:], rows, strict=True):
        assert (cells[target_col] or "") == row["target_uri"]
        value = cells[value_col]
        assert ("" if value is None else tidy.format_decimal(Literal(value))) == row["value"]
    numbers = [c[value_col] for c in values[1:] if c[value_col] is not None]
    assert numbers and all(isinstance(n, int | float) for n in numbers)


def test_csvw_metadata_describes_every_column(built_settings: Settings) -> None:
    folder = _dumps(built_settings)
    metadata = json.loads((folder / tidy.CSVW).read_text(encoding="utf-8"))
    columns = metadata["tableSchema"]["columns"]
    header = (folder / tidy.CSV_PLAIN).read_bytes().decode("utf-8").split("\r\n", 1)[0]
    assert [c["name"] for c in columns] == header.split(",")
    for column in columns:
        assert column["titles"]["es"] and column["titles"]["en"] and column["datatype"]
        assert column["dc:description"]
    assert [t["url"] for t in metadata["tables"]] == [tidy.CSV_BOM, tidy.CSV_PLAIN]
    assert "http://www.w3.org/ns/csvw" in metadata["@context"]


def test_unit_number_is_text_and_the_csvw_says_how_to_read_it(built_settings: Settings) -> None:
    """Readers guess "1" and "01" are numbers; the CSVW says the column is text and how to
    keep it so with pandas, and the file holds the numbers exactly as the reports print them."""
    folder = _dumps(built_settings)
    metadata = json.loads((folder / tidy.CSVW).read_text(encoding="utf-8"))
    column = next(c for c in metadata["tableSchema"]["columns"] if c["name"] == "unit_number")
    assert column["datatype"] == "string"
    assert 'dtype={"unit_number": str}' in column["dc:description"]
    with (folder / tidy.CSV_PLAIN).open(encoding="utf-8", newline="") as stream:
        numbers = {row["unit_number"] for row in csv.DictReader(stream)} - {""}
    assert {"1", "9"} <= numbers and all(n.strip() == n for n in numbers)
    code = next(c for c in metadata["tableSchema"]["columns"] if c["name"] == "territory_dpa_code")
    assert code["datatype"] == "string"
    assert 'dtype={"territory_dpa_code": str}' in code["dc:description"]


def test_corpus_columns_hold_the_institution_id_territory_and_unit_function(
    built_settings: Settings, built_store: Store
) -> None:
    """Institution id, territory DPA code and unit function come from the corpus graphs
    (links, reference), not the reports': spot rows of the published CSV and XLSX."""
    folder = _dumps(built_settings)
    rows = _read_csv((folder / tidy.CSV_PLAIN).read_bytes())
    assert list(rows[0])[-3:] == ["institution_id", "territory_dpa_code", "unit_function"]
    by_institution = {r["institution_uri"]: r for r in rows}
    ids = {uri.rpartition("/")[2]: row for uri, row in by_institution.items()}
    assert {i: r["territory_dpa_code"] for i, r in ids.items()} == {
        "gad-municipal-loja": "1101",  # Loja's canton
        "gad-municipal-alausi": "0602",  # a leading zero, kept as text
        "sot": "",  # no territory: not a GAD
        "ame": "",
        "congope": "",
    }
    assert all(r["institution_id"] == i for i, r in ids.items())
    sot = [r for r in rows if r["institution_id"] == "sot"]
    press = next(r for r in sot if r["unit_name"].startswith("Dirección de Comunicación Social"))
    assert press["unit_function"] == "Comunicación"
    # each unit's functions as the store states them (lotaip:unitFunction, labels joined)
    stated: dict[str, set[str]] = {}
    query = (
        sparql_prefixes()
        + """SELECT ?u ?label WHERE { ?u lotaip:unitFunction ?f .
  ?f skos:prefLabel ?label FILTER(lang(?label) = "es") }"""
    )
    for r in built_store.select(query):
        stated.setdefault(str(r["u"]), set()).add(str(r["label"]))
    for row in rows:
        expected = tidy.JOIN.join(sorted(stated.get(row["unit_uri"], set())))
        assert row["unit_function"] == expected, row["unit_uri"]
    assert sum(1 for r in rows if r["unit_function"]) > len(rows) / 2
    assert any(tidy.JOIN in r["unit_function"] for r in rows)  # a unit of two functions
    sheet = load_workbook(folder / tidy.XLSX)["metas"]
    values = list(sheet.iter_rows(values_only=True))
    code = tidy.NAMES.index("territory_dpa_code")
    assert {v[code] for v in values[1:]} == {"1101", "0602", None}  # text, not 602


def test_distributions_are_in_the_dcat_description(built_app: Flask) -> None:
    text = built_app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    body = text.get_data(as_text=True)
    for name in (tidy.CSV_BOM, tidy.CSV_PLAIN, tidy.XLSX, tidy.CSVW):
        assert f"/distribucion/{name}>" in body
    assert "void:dataDump <http://localhost:8000/dumps/metas.csv>" not in body


def test_filtered_download_holds_exactly_the_filtered_targets(
    built_app: Flask, built_store: Store
) -> None:
    client = built_app.test_client()
    response = client.get("/descargas/metas.csv?institucion=sot&anio=2023&nivel=support")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="metas.csv"'
    rows = _read_csv(response.data)
    expected = built_store.select(
        sparql_prefixes()
        + f"""SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ ?g dct:publisher <{BASE}institucion/sot> .
  ?u org:classification lotaip:nivel\\/support ; org:purpose ?o .
  {{ ?o lotaip:hasTarget ?t }} UNION {{ ?o lotaip:hasIndicator/lotaip:hasTarget ?t }} }} }}"""
    )
    assert {r["target_uri"] for r in rows} == {str(r["t"]) for r in expected}
    # SOT under NIVEL DE APOYO / ASESORÍA: units 9-18 and the unnumbered one, 11 units;
    # 10, 12 and 15 have two rows, the rest one: 14 targets
    assert len(rows) == 14
    assert {r["institution_id"] for r in rows} == {"sot"}
    press = next(r for r in rows if r["unit_name"].startswith("Dirección de Comunicación"))
    assert press["unit_function"] == "Comunicación"
    loja = _read_csv(client.get("/descargas/metas.csv?institucion=gad-municipal-loja").data)
    assert loja and {r["territory_dpa_code"] for r in loja} == {"1101"}


def test_text_filter_and_plain_csv(built_app: Flask) -> None:
    client = built_app.test_client()
    response = client.get("/descargas/metas.csv?q=AGUA&bom=0")
    assert not response.data.startswith(b"\xef\xbb\xbf")
    rows = _read_csv(response.data)
    assert rows
    for row in rows:
        text = " ".join((row["objective"], row["indicator"], row["target"]))
        assert "agua" in (text + row["not_applicable_reason"]).lower()


def test_bad_filters_are_400(built_app: Flask) -> None:
    client = built_app.test_client()
    assert client.get("/descargas/metas.csv?nivel=nope").status_code == 400
    assert client.get("/descargas/metas.xlsx?anio=dos-mil").status_code == 400
    assert client.get("/descargas/metas.csv?min=mucho").status_code == 400


def test_browse_links_to_its_rows(built_app: Flask) -> None:
    page = built_app.test_client().get("/browse?q=agua&lang=en").get_data(as_text=True)
    assert "Download these rows" in page
    # the search's own rows (issue 15: every facet narrows them), from its index
    assert 'href="/browse.csv?q=agua&amp;lang=en"' in page


# --- the corpus files are streamed from per-report caches: same rows as the store's --------
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"


def test_published_files_equal_the_table_queried_from_the_whole_store(
    built_settings: Settings, built_store: Store
) -> None:
    folder = _dumps(built_settings)
    rows = tidy.tidy_rows(built_store)  # one SPARQL read of every graph of the store
    assert (folder / tidy.CSV_BOM).read_bytes() == tidy.csv_bytes(rows, bom=True)
    assert (folder / tidy.CSV_PLAIN).read_bytes() == tidy.csv_bytes(rows, bom=False)
    sheet = load_workbook(folder / tidy.XLSX)["metas"]
    cells = [list(values) for values in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == [[row_cells._cell(c, row[c.name]) for c in tidy.COLUMNS] for row in rows]


def test_a_store_naming_levels_unlike_the_ontology_is_refused(
    built_settings: Settings, tmp_path: Path
) -> None:
    from publisher.mapping.rdf import ontology_graph
    from publisher.store.embedded import OxigraphStore

    reports = built_settings.data_dir / "current" / "reports"
    hashes = [p.name.split(".")[0] for p in reports.glob("*.tidy.pickle")]
    assert len(hashes) == 5  # one cache per example report
    graph = ontology_graph()
    level, name = next(iter(tidy.ontology_levels().items()))
    graph.remove((URIRef(level), SKOS.prefLabel, Literal(name, lang="es")))
    graph.add((URIRef(level), SKOS.prefLabel, Literal("Otro nivel", lang="es")))
    store = OxigraphStore()
    store.load_graph(URIRef("urn:example:ontology"), graph)
    with pytest.raises(StoreError, match="process levels"):
        tidy.write_tidy_cached(store, reports, hashes, tmp_path)
    assert not (tmp_path / tidy.CSV_BOM).exists()


def _build(corpus: Path, data: Path) -> Path:
    from publisher.build.pipeline import build  # imported here: the build pulls in pyshacl
    from publisher.settings import load

    build([corpus], load(env={}, data_dir=data), quiet=True, jobs=1)
    return data / (data / "current").readlink()


def test_a_rebuild_queries_only_changed_reports_and_writes_the_store_s_table(
    tmp_path: Path,
) -> None:
    from publisher.store.embedded import PublishedStore

    corpus = tmp_path / "reports"
    corpus.mkdir()
    for name in ("alausi-2021-05.txt", "sot-2023-01.txt", "loja-2019-08.txt"):
        (corpus / name).write_bytes((EXAMPLES / name).read_bytes())
    first = _build(corpus, tmp_path / "data")
    loja = corpus / "loja-2019-08.txt"
    text = loja.read_text(encoding="utf-8")
    old, new = "Porcentaje de avance\t100%", "Porcentaje de avance\t75%"
    assert old in text
    loja.write_text(text.replace(old, new, 1), encoding="utf-8")
    (corpus / "alausi-2021-05.txt").unlink()

    second = _build(corpus, tmp_path / "data")

    old_caches = {p.name: p for p in (first / "reports").glob("*.tidy.pickle")}
    new_caches = {p.name: p for p in (second / "reports").glob("*.tidy.pickle")}
    carried = set(old_caches) & set(new_caches)
    assert len(old_caches) == 3 and len(carried) == 1  # sot's, the only unchanged report
    (name,) = carried
    assert new_caches[name].samefile(old_caches[name])  # carried over, not queried again
    store = PublishedStore(tmp_path / "data")
    rows = tidy.tidy_rows(store)
    published = (second / "dumps" / tidy.CSV_PLAIN).read_bytes()
    assert published == tidy.csv_bytes(rows, bom=False)
    reports = {r["report_uri"] for r in _read_csv(published)}
    assert len(reports) == 2 and not any("alausi" in r for r in reports)  # withdrawn
    assert any(r["target"].endswith("75%") and r["value"] == "75" for r in rows)


def test_control_characters_are_dropped_from_the_spreadsheet_only() -> None:
    from publisher.downloads import COLUMNS, csv_bytes, xlsx_bytes

    row = {column.name: "" for column in COLUMNS}
    row["target"] = "90 %\x07 de cumplimiento"
    sheet = load_workbook(io.BytesIO(xlsx_bytes([row])), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][[c.name for c in COLUMNS].index("target")] == "90 % de cumplimiento"
    assert "\x07" in csv_bytes([row], bom=False).decode("utf-8")


# --- a report's rows are found without a query engine: the same rows as SPARQL's ----------
def _sparql_rows(nquads: bytes) -> list[tidy.TidyRow]:
    """``tidy_rows`` of a store holding the ontology and this one report's graph."""
    from publisher.mapping.rdf import ontology_graph
    from publisher.store.embedded import OxigraphStore

    store = OxigraphStore()
    store.load_graph(URIRef("urn:example:ontology"), ontology_graph())
    store.native.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    return table.report_table_rows(store)  # a report's rows: its own columns


def test_each_example_report_s_rows_equal_the_sparql_rows(built_settings: Settings) -> None:
    reports = built_settings.data_dir / "current" / "reports"
    kept = sorted(reports.glob("*.zip"))
    assert len(kept) == 5
    for path in kept:
        nquads = read_member(reports, path.stem)
        rows = tidy.report_rows(nquads)
        assert rows and rows == _sparql_rows(nquads), path.name


def test_rows_from_a_report_s_nquads_equal_the_sparql_rows() -> None:
    from publisher.mapping.rdf import map_report
    from publisher.parse import parse_file
    from publisher.uris import Urls

    reports = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".csv", ".xlsx"))
    assert len(reports) == 5
    for path in reports:
        mapped = map_report(parse_file(path), Urls(BASE))
        rows = tidy.report_rows(mapped.nquads())  # a report's kept N-Quads, as a build reads them
        assert rows and rows == _sparql_rows(mapped.nquads()), path.name


def _edge_case_graph() -> tuple[URIRef, Graph]:
    """A report whose graph has what the examples lack: several activities and reasons,
    a blank-node activity, escapes, a target straight under its objective, statements of
    NO APLICA beside targets (no row of their own) and without them (a row each)."""
    from publisher.vocab import LOTAIP, QUDT, UNIT

    ex = "http://example.org/id/"
    report, inst = URIRef(ex + "reporte/x"), URIRef(ex + "institucion/x")
    level = URIRef(next(iter(tidy.ontology_levels())))
    g = Graph()
    g.add((report, RDF.type, LOTAIP.Report))
    g.add((report, DCTERMS.publisher, inst))
    g.add((report, DCTERMS.issued, Literal("2024-02-29", datatype=XSD.date)))
    g.add((inst, RDFS.label, Literal('GAD "Río" \\ Norte\tSur\nEste', lang="es")))
    for u in range(3):
        unit = URIRef(f"{ex}unidad/{u}")
        g.add((unit, RDF.type, LOTAIP.AdministrativeUnit))
        g.add((unit, RDFS.label, Literal(f"Unidad {u}, con coma")))
        g.add((unit, SKOS.notation, Literal(str(u))))
        g.add((unit, ORG.classification, level))
        g.add((unit, LOTAIP.sourceLine, Literal(10 * u + 1)))
        objective = URIRef(f"{ex}unidad/{u}/objetivo")
        g.add((unit, ORG.purpose, objective))
        g.add((objective, RDFS.label, Literal(f"Objetivo {u}\u0007")))
        g.add((objective, LOTAIP.sourceLine, Literal(10 * u + 2)))
        indicator = URIRef(f"{ex}unidad/{u}/indicador")
        g.add((objective, LOTAIP.hasIndicator, indicator))
        g.add((indicator, LOTAIP.sourceLine, Literal(10 * u + 3)))
        g.add((indicator, LOTAIP.dueDate, Literal("2024-06", datatype=XSD.gYearMonth)))
        for a in ("b", "a"):
            activity = BNode() if a == "b" else URIRef(f"{ex}actividad/{u}{a}")
            g.add((indicator, LOTAIP.hasActivity, activity))
            g.add((activity, RDFS.label, Literal(f"Actividad {a}")))
        for reason in ("NO APLICA por ley", "NO APLICA, ver nota"):
            g.add(
                (
                    unit if u == 0 else objective if u == 1 else indicator,
                    LOTAIP.notApplicableReason,
                    Literal(reason),
                )
            )
        if u == 2:
            continue  # the indicator's statement stands alone: a row of its own
        target = URIRef(f"{ex}unidad/{u}/meta")
        g.add((indicator if u == 0 else objective, LOTAIP.hasTarget, target))
        g.add((target, RDF.type, LOTAIP.Target))
        g.add((target, RDFS.label, Literal(" 2.50 % — Objetivo")))
        g.add((target, LOTAIP.targetText, Literal(" 2.50 % ")))
        g.add((target, QUDT.numericValue, Literal("2.50", datatype=XSD.decimal)))
        g.add((target, QUDT.unit, UNIT.PERCENT))
        g.add((target, SKOS.note, Literal("nota \U0001f600")))
        g.add((target, LOTAIP.sourceLine, Literal(10 * u + 4)))
    return report, g


def test_edge_case_rows_equal_the_sparql_rows() -> None:
    report, graph = _edge_case_graph()
    name = ox.NamedNode(str(report))
    store = ox.Store()  # the graph's N-Quads as the store gives them back (canonical literals)
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph)
    nquads = store.dump(format=ox.RdfFormat.N_QUADS) or b""
    rows = tidy.report_rows(nquads)
    assert rows == _sparql_rows(nquads)
    assert len(rows) == 4  # two targets, the unit's statement, the lone indicator's
    by_kind = {(bool(r["target_uri"]), r["unit_number"]): r for r in rows}
    assert by_kind[True, "0"]["activity"] == "Actividad a | Actividad b"
    assert by_kind[True, "1"]["not_applicable_reason"] == "NO APLICA por ley | NO APLICA, ver nota"
    assert by_kind[True, "1"]["value"] == "2.5" and by_kind[True, "1"]["unit_of_measure"] == "%"
    assert by_kind[False, "0"]["source_line"] == "1" and not by_kind[False, "0"]["objective_uri"]
    assert by_kind[False, "2"]["indicator_uri"].endswith("/unidad/2/indicador")
    assert rows[0]["institution_name"] == 'GAD "Río" \\ Norte\tSur\nEste'


def test_a_report_s_rows_need_one_named_graph() -> None:
    assert tidy.report_rows(b"") == []  # an empty graph: no rows
    with pytest.raises(QueryError, match="not N-Quads"):
        tidy.report_rows(b"<urn:a> <urn:p> <urn:o> <urn:g>")
    label = f"<{RDFS.label}>"
    two = f'<urn:a> {label} "x" <urn:g1> .\n<urn:a> {label} "y" <urn:g2> .\n'
    with pytest.raises(QueryError, match="not all in"):
        tidy.report_rows(two.encode())
    with pytest.raises(QueryError, match="not UTF-8"):
        tidy.report_rows(b'<urn:a> <urn:p> "\xff" <urn:g1> .\n')


# --- the cached rows are written as the csv module and openpyxl write them ----------------
#: Texts that make the csv module quote and openpyxl pick another cell type or escape.
AWKWARD = (
    "=SUMA(A1:A2)",  # openpyxl would write a formula: we write text
    "=",
    "#N/A",  # openpyxl would write an error value: we write text
    "  espacios  ",  # xml:space="preserve"
    "a & <b> > c",
    '"comillas", y coma',
    "línea\r\nnueva\rvieja\n",
    "\x07",  # nothing left once XML's illegal characters are dropped
    "x" * 40_000,  # longer than a cell holds
    "",
)


def _awkward_rows() -> list[tidy.TidyRow]:
    rows = []
    for i, text in enumerate(AWKWARD):
        row = {column.name: text for column in tidy.COLUMNS}
        row["value"] = ("2.5", "1234567890123456789", "0", "-7.125", "")[i % 5]
        row["source_line"] = str(i) if i % 3 else ""
        rows.append(row)
    return rows


def _plain_rows() -> list[tidy.TidyRow]:
    """Rows of a report with nothing to escape, some cells empty, some edges awkward."""
    rows = []
    for i, value in enumerate(("45", "2.5", "1234567890123456789", "", "-0.125", "7")):
        row = {column.name: f"texto {i} {column.name}" for column in tidy.COLUMNS}
        row["value"], row["source_line"] = value, str(i + 1)
        row[tidy.NAMES[i]] = ("", " borde", "#REF", "=1+1", "borde\t", "")[i]
        rows.append(row)
    return rows


def _awkward_corpus(rows: list[tidy.TidyRow]) -> corpus.Enrichment:
    """What a store could tell of ``rows``' units and institutions: awkward texts too, two
    functions of one unit, a function with two labels; some rows' units have none."""
    functions: corpus.Functions = {}
    dpa: dict[str, str] = {}
    for i, row in enumerate(rows):
        if i % 4 == 3:
            continue
        text = row["target"] or "vacío"
        functions[row["unit_uri"]] = [(f"urn:f:{i}", text), ("urn:f:x", "Función, x")]
        functions[row["unit_uri"]] += [("urn:f:x", "Función y")] if i % 2 else []
        dpa[row["institution_uri"]] = ("0602", text, "")[i % 3]
    return corpus.Enrichment({}, functions, {}, dpa)


def test_cached_rows_read_back_as_csv_and_openpyxl_write_them(tmp_path: Path) -> None:
    awkward, plain = _awkward_rows(), _plain_rows()
    report._write_cache(tmp_path / "a.tidy.pickle", awkward)
    report._write_cache(tmp_path / "p.tidy.pickle", plain)
    caches = [tmp_path / "a.tidy.pickle", tmp_path / "p.tidy.pickle", tmp_path / "a.tidy.pickle"]
    found = _awkward_corpus(awkward + plain)
    files._write_tables(caches, tmp_path, found)
    rows = corpus.with_corpus_columns(awkward + plain + awkward, found)
    functions = {r["unit_function"] for r in rows}
    assert {"", "=SUMA(A1:A2) | Función, x", "= | Función y"} <= functions
    assert {"", "0602", "="} <= {r["territory_dpa_code"] for r in rows}
    assert (tmp_path / tidy.CSV_PLAIN).read_bytes() == tidy.csv_bytes(rows, bom=False)
    assert (tmp_path / tidy.CSV_BOM).read_bytes() == tidy.csv_bytes(rows, bom=True)
    ours = load_workbook(tmp_path / tidy.XLSX)
    theirs = load_workbook(io.BytesIO(tidy.xlsx_bytes(rows)))
    assert ours.sheetnames == theirs.sheetnames == ["metas"]
    cells = [[(c.coordinate, c.value, c.data_type) for c in r] for r in ours["metas"].iter_rows()]
    expected = [[(c.coordinate, c.value, c.data_type) for c in r] for r in theirs["metas"]]
    assert cells == expected
    assert not {t for row in cells for _, _, t in row} & {"f", "e"}  # no formula, no error
    texts = {v for row in cells for _, v, t in row if t == "s"}
    assert {"=SUMA(A1:A2)", "#N/A", "=1+1", "#REF"} <= texts
    if not openpyxl.LXML:  # ElementTree's output, not lxml's: the very same sheet XML
        sheet = "xl/worksheets/sheet1.xml"
        ours_xml = zipfile.ZipFile(tmp_path / tidy.XLSX).read(sheet)
        assert ours_xml == zipfile.ZipFile(io.BytesIO(tidy.xlsx_bytes(rows))).read(sheet)


def _sheets(workbook: openpyxl.Workbook) -> list[list[list[Any]]]:
    return [[list(r) for r in workbook[n].iter_rows(values_only=True)] for n in workbook.sheetnames]


@pytest.mark.parametrize("limit", [4, 7, 10, 100])
def test_a_table_longer_than_a_sheet_goes_on_in_further_sheets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # 9 + 6 + 9 rows over sheets of limit - 1 rows: sheets ending inside reports (7) or
    # where they do (4, 10), everything in one sheet (100). The last awkward row is empty
    # everywhere, which openpyxl does not read back at a sheet's end: it is left out.
    awkward, plain = _awkward_rows()[:-1], _plain_rows()
    assert (len(awkward), len(plain)) == (9, 6)
    found = _awkward_corpus(awkward + plain)
    rows = corpus.with_corpus_columns(awkward + plain + awkward, found)
    one_sheet = _sheets(load_workbook(io.BytesIO(tidy.xlsx_bytes(rows))))
    assert len(one_sheet) == 1 and len(one_sheet[0]) == len(rows) + 1
    monkeypatch.setattr(files, "MAX_SHEET_ROWS", limit)
    report._write_cache(tmp_path / "a.tidy.pickle", awkward)
    report._write_cache(tmp_path / "p.tidy.pickle", plain)
    caches = [tmp_path / "a.tidy.pickle", tmp_path / "p.tidy.pickle", tmp_path / "a.tidy.pickle"]
    files._write_tables(caches, tmp_path, found)
    csv_values = [r["value"] for r in _read_csv((tmp_path / tidy.CSV_PLAIN).read_bytes())]
    count = -(-len(rows) // (limit - 1))
    names = ["metas", *(f"metas {n}" for n in range(2, count + 1))]
    value = tidy.NAMES.index("value")
    for data in ((tmp_path / tidy.XLSX).read_bytes(), tidy.xlsx_bytes(rows)):
        sheets = _sheets(load_workbook(io.BytesIO(data)))  # every sheet opens in openpyxl
        assert load_workbook(io.BytesIO(data)).sheetnames == names
        assert all(sheet[0] == list(tidy.NAMES) for sheet in sheets)  # a header in each
        assert [len(sheet) - 1 for sheet in sheets[:-1]] == [limit - 1] * (count - 1)
        body = [row for sheet in sheets for row in sheet[1:]]
        assert body == one_sheet[0][1:]  # in the CSV's order, none lost or repeated
        numbers = [None if r[value] is None else f"{float(r[value]):.15g}" for r in body]
        assert numbers == [f"{float(v):.15g}" if v else None for v in csv_values]


def test_an_empty_table_is_one_sheet_with_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_SHEET_ROWS", 2)
    files._write_tables([], tmp_path, corpus.Enrichment({}, {}, {}, {}))
    for data in ((tmp_path / tidy.XLSX).read_bytes(), tidy.xlsx_bytes([])):
        workbook = load_workbook(io.BytesIO(data))
        assert _sheets(workbook) == [[list(tidy.NAMES)]]
