"""Records -> RDF through mappings/literal-a4.toml: golden graph, the five real reports
queried with SPARQL over an Oxigraph store, stable IRIs across republication."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from handmade import BASE, GENERATED_AT, next_month, small_report
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from publisher.errors import MappingError
from publisher.mapping import rdf as mapping
from publisher.mapping.rdf import MappedReport, map_report
from publisher.parse import parse_file
from publisher.records import Report
from publisher.store.embedded import OxigraphStore
from publisher.uris import Urls
from publisher.vocab import LOTAIP, RDFS, XSD, sparql_prefixes

#: due dates at each precision, and one that is no date (kept as written, as the store does)
DUES = ("2023-12-31", "2023-04", "2023", "2023-02-30")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
GOLDEN = Path(__file__).resolve().parent / "data" / "expected" / "small-report.ttl"
URLS = Urls(BASE)


def _map(report: Report) -> MappedReport:
    return map_report(report, URLS, generated_at=GENERATED_AT)


def _select(store: OxigraphStore, query: str) -> list[dict]:
    return store.select(sparql_prefixes() + query)


@pytest.fixture(scope="module")
def real() -> list[tuple[Report, MappedReport]]:
    """The five example reports, parsed and mapped once."""
    reports = [parse_file(p) for p in sorted(EXAMPLES.glob("*.txt"))]
    return [(r, _map(r)) for r in reports]


@pytest.fixture(scope="module")
def store(real: list[tuple[Report, MappedReport]]) -> Iterator[OxigraphStore]:
    """An in-memory store with one named graph per report."""
    store = OxigraphStore()
    for _, mapped in real:
        store.replace_graph(mapped.graph_iri, mapped.graph)
    yield store


# ---------------------------------------------------------------------- golden graph


def test_small_report_matches_the_golden_graph() -> None:
    expected = Graph().parse(GOLDEN, format="turtle")
    actual = _map(small_report()).graph
    if not isomorphic(expected, actual):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        lines = [f"- {t}" for t in sorted(missing)] + [f"+ {t}" for t in sorted(extra)]
        pytest.fail("graph differs from the golden file:\n" + "\n".join(lines[:40]))


def test_same_text_twice_under_one_unit_gives_two_objectives() -> None:
    graph = _map(small_report()).graph
    objectives = sorted(str(o) for o in graph.subjects(None, LOTAIP.Objective))
    assert len(objectives) == 2
    assert objectives[1] == objectives[0] + "-2"


def test_targets_of_an_empty_indicator_slot_hang_from_the_objective() -> None:
    mapped = _map(small_report())
    targets = {str(t) for t in mapped.graph.subjects(None, LOTAIP.Target)}
    assert any("/indicador/" not in t and "/meta/45-reuniones-" in t for t in targets)
    # the NO APLICA statement is not a target: it is a reason on the objective
    reasons = {str(r) for r in mapped.graph.objects(None, LOTAIP.notApplicableReason)}
    assert {"NO APLICA, sin meta", "NO APLICA, sin indicador"} <= reasons
    assert len(targets) == 2


def test_a_bad_value_names_file_and_line() -> None:
    report = small_report()
    unit = report.units[1]
    objective = unit.objectives[0]
    indicator = objective.indicators[0]
    bad = replace(indicator, targets=(replace(indicator.targets[0], due_date="fin de año"),))
    objective = replace(objective, indicators=(bad,))
    report = replace(report, units=(replace(unit, objectives=(objective,)),))
    with pytest.raises(MappingError, match=r"sot-2023-01\.txt:7: target due_date"):
        _map(report)


def test_a_mapping_naming_an_unknown_converter_fails_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (mapping.MAPPINGS_DIR / "literal-a4.toml").read_text(encoding="utf-8")
    (tmp_path / "broken.toml").write_text(
        text.replace('converter = "due_date"', 'converter = "due_dat"', 1)
    )
    monkeypatch.setattr(mapping, "MAPPINGS_DIR", tmp_path)
    with pytest.raises(MappingError, match="unknown converter 'due_dat'"):
        mapping.load_mapping("broken")


# ------------------------------------------------------------- five real reports


def test_five_institutions_typed_with_standard_classes(store: OxigraphStore) -> None:
    rows = _select(
        store,
        """SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {
             ?i a org:FormalOrganization , cv:PublicOrganisation , lotaip:Institution }""",
    )
    assert int(rows[0]["n"]) == 5


def test_every_unit_is_an_org_unit_linked_both_ways(
    store: OxigraphStore, real: list[tuple[Report, MappedReport]]
) -> None:
    units = _select(store, "SELECT DISTINCT ?u WHERE { ?u a lotaip:AdministrativeUnit }")
    assert len(units) == sum(len(r.units) for r, _ in real)
    orphans = _select(
        store,
        """SELECT ?u WHERE { ?u a lotaip:AdministrativeUnit .
             FILTER NOT EXISTS { ?u a org:OrganizationalUnit ; org:unitOf ?i .
                                 ?i org:hasUnit ?u ; a org:FormalOrganization } }""",
    )
    assert orphans == []


def test_objectives_indicators_and_targets_are_each_one_node(
    real: list[tuple[Report, MappedReport]],
) -> None:
    for report, mapped in real:
        counts = {
            cls: len(set(mapped.graph.subjects(None, cls)))
            for cls in (LOTAIP.Objective, LOTAIP.Indicator, LOTAIP.Target)
        }
        assert counts == {
            LOTAIP.Objective: len(report.objectives()),
            LOTAIP.Indicator: len(report.indicators()),
            LOTAIP.Target: len(report.targets()),
        }, report.source.file


def test_targets_carry_numeric_values_and_qudt_units(
    store: OxigraphStore, real: list[tuple[Report, MappedReport]]
) -> None:
    rows = _select(
        store,
        """SELECT ?t ?v ?unit WHERE { GRAPH ?g { ?t a lotaip:Target ;
             qudt:numericValue ?v ; qudt:unit ?unit } }""",
    )
    expected = [t for r, _ in real for t in r.targets() if t.value is not None and t.unit]
    assert len(rows) == len(expected) > 0
    assert {str(r["unit"]) for r in rows} <= {
        "http://qudt.org/vocab/unit/PERCENT",
        "http://qudt.org/vocab/unit/NUM",
    }
    assert all(r["v"].datatype == XSD.decimal for r in rows)
    percent = [t for t in expected if t.unit == "percent"]
    assert sum(str(r["unit"]).endswith("PERCENT") for r in rows) == len(percent)


def test_due_dates_have_the_datatype_of_their_precision(
    real: list[tuple[Report, MappedReport]],
) -> None:
    by_length = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}
    seen = 0
    for _, mapped in real:
        for due in mapped.graph.objects(None, LOTAIP.dueDate):
            assert isinstance(due, Literal)
            assert due.datatype == by_length[len(str(due))], due
            seen += 1
    assert seen == sum(
        1
        for r, _ in real
        for o in r.objectives()
        for i in o.indicators
        for due in [i.due_date if i.is_indicator else None, *(t.due_date for t in i.targets)]
        if due
    )


def test_one_dataset_per_report_with_provenance_to_its_file(
    store: OxigraphStore, real: list[tuple[Report, MappedReport]]
) -> None:
    rows = _select(
        store,
        """SELECT ?g ?d ?issued ?file ?sha ?inst ?agent WHERE { GRAPH ?g {
             ?d a dcat:Dataset , lotaip:Report ; dct:issued ?issued ; dct:publisher ?inst ;
                prov:generatedAtTime ?at ; prov:wasDerivedFrom ?f ;
                prov:wasGeneratedBy [ prov:wasAssociatedWith ?agent ] .
             ?f lotaip:fileName ?file ; lotaip:sha256 ?sha .
             ?inst a org:FormalOrganization } }""",
    )
    assert len(rows) == len(real) == 5
    assert all(r["g"] == r["d"] for r in rows)
    assert {(str(r["file"]), str(r["sha"])) for r in rows} == {
        (rep.source.file, rep.source.sha256) for rep, _ in real
    }
    assert {r["issued"].datatype for r in rows} == {XSD.date}


# ------------------------------------------------------------------ republication


def test_next_months_report_keeps_unit_and_objective_iris() -> None:
    first, second = _map(small_report()), _map(next_month(small_report()))
    assert first.graph_iri != second.graph_iri
    for cls in (LOTAIP.AdministrativeUnit, LOTAIP.Objective, LOTAIP.Institution):
        assert set(first.graph.subjects(None, cls)) == set(second.graph.subjects(None, cls))
    store = OxigraphStore()
    for mapped in (first, second):
        store.replace_graph(mapped.graph_iri, mapped.graph)
    rows = _select(
        store,
        """SELECT ?g ?v WHERE { GRAPH ?g { ?t a lotaip:Target ;
             qudt:unit unit:PERCENT ; qudt:numericValue ?v } }""",
    )
    assert {(r["g"], Decimal(str(r["v"]))) for r in rows} == {
        (first.graph_iri, Decimal(90)),
        (second.graph_iri, Decimal(95)),
    }


def test_a_real_report_republished_keeps_its_iris(
    real: list[tuple[Report, MappedReport]],
) -> None:
    report, mapped = next((r, m) for r, m in real if r.source.file.startswith("sot"))
    later = replace(
        report,
        metadata=replace(report.metadata, updated=date(2023, 2, 28)),
        source=replace(report.source, sha256="0" * 64),
    )
    again = _map(later)
    assert again.graph_iri == URIRef(f"{BASE}id/reporte/sot/2023-02")
    for cls in (LOTAIP.AdministrativeUnit, LOTAIP.Objective, LOTAIP.Indicator, LOTAIP.Target):
        assert set(mapped.graph.subjects(None, cls)) == set(again.graph.subjects(None, cls))


# ------------------------------------------------------------------ N-Quads written by the mapper


def _store_lines(nquads: bytes) -> list[bytes]:
    """``nquads`` loaded into an Oxigraph store and dumped again, line by line, sorted."""
    store = ox.Store()
    store.load(nquads, format=ox.RdfFormat.N_QUADS)
    return sorted((store.dump(format=ox.RdfFormat.N_QUADS) or b"").splitlines())


def _graph_through_store(mapped: MappedReport) -> list[bytes]:
    """The rdflib view, loaded into a store the way tests and stages load graphs, dumped."""
    store = OxigraphStore()
    store.replace_graph(mapped.graph_iri, mapped.graph)
    return sorted((store.native.dump(format=ox.RdfFormat.N_QUADS) or b"").splitlines())


def _tricky(report: Report) -> Report:
    """``report`` with texts that N-Quads must escape: quotes, backslash, tab, newlines."""
    unit = report.units[1]
    objective = replace(unit.objectives[0], text='Objetivo "uno"\\dos\tcon\nsaltos\r y ñ €')
    unit = replace(unit, name='Dirección "Ñ" \\ 1', objectives=(objective,))
    return replace(report, units=(report.units[0], unit))


def test_nquads_are_what_the_store_gives_back(
    real: list[tuple[Report, MappedReport]],
) -> None:
    for report, mapped in [*real, (small_report(), _map(small_report()))]:
        nquads = mapped.nquads()
        lines = sorted(nquads.splitlines())
        # the same bytes the store dumps: typed literals already in its canonical form
        assert lines == _store_lines(nquads), report.source.file
        # every triple once, all in the report's graph, as many as the rdflib view holds
        assert len(lines) == len(set(lines)) == len(mapped.lines) == len(mapped.graph)
        assert all(line.endswith(f" <{mapped.graph_iri}> .".encode()) for line in lines)


def test_the_rdflib_view_holds_the_same_triples_as_the_nquads(
    real: list[tuple[Report, MappedReport]],
) -> None:
    for report, mapped in [*real, (small_report(), _map(_tricky(small_report())))]:
        assert _graph_through_store(mapped) == _store_lines(mapped.nquads()), report.source.file


def test_texts_that_need_escaping_round_trip() -> None:
    mapped = _map(_tricky(small_report()))
    assert _store_lines(mapped.nquads()) == sorted(mapped.nquads().splitlines())
    labels = {str(o) for o in mapped.graph.objects(None, URIRef(str(RDFS.label)))}
    assert 'Objetivo "uno"\\dos\tcon\nsaltos\r y ñ €' in labels
    assert 'Dirección "Ñ" \\ 1' in labels


def test_typed_literals_are_written_in_the_stores_form() -> None:
    """``90.0`` and ``+00:00`` as the converters make them, ``90`` and ``Z`` everywhere the
    mapper gives them: the N-Quads, the terms, the rdflib view (what SHACL and the dumps read
    is what the store holds)."""
    mapped = _map(small_report())
    nquads = mapped.nquads().decode()
    assert f'"90"^^<{XSD.decimal}>' in nquads and '"90.0"' not in nquads
    assert f'"2026-11-22T00:00:00Z"^^<{XSD.dateTime}>' in nquads
    objects = {str(o) for _, _, o in mapped.triples if isinstance(o, ox.Literal)}
    assert f'"90"^^<{XSD.decimal}>' in objects and f'"90.0"^^<{XSD.decimal}>' not in objects
    values = set(mapped.graph.objects())
    assert Literal("90", datatype=XSD.decimal) in values
    assert Literal("90.0", datatype=XSD.decimal) not in values
    assert mapping.store_form(ox.Literal("0100.50", datatype=ox.NamedNode(XSD.decimal))) == (
        ox.Literal("100.5", datatype=ox.NamedNode(XSD.decimal))
    )


def test_nquads_do_not_depend_on_the_process_hash_seed() -> None:
    """The old rdflib graph gave its triples in hash order: dumps differed run to run."""
    script = (
        "import sys; sys.path.insert(0, 'tests'); from handmade import *;"
        "from publisher.mapping.rdf import map_report; from publisher.uris import Urls;"
        "sys.stdout.buffer.write(map_report(small_report(), Urls(BASE),"
        " generated_at=GENERATED_AT).nquads())"
    )
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {_map(small_report()).nquads()}


def test_a_malformed_iri_is_a_mapping_error_naming_the_file() -> None:
    """pyoxigraph checks every IRI: a bad link fails its report, not the whole build."""
    report = small_report()
    bad = replace(report.metadata, gpr_link="https://gpr.gob.ec/%zz")
    with pytest.raises(MappingError, match=r"sot-2023-01\.txt: report .*gpr_link: not a valid IRI"):
        _map(replace(report, metadata=bad))


# any text a cell may hold (no surrogates: they cannot be UTF-8), and any finite number
_TEXTS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(
    str.strip
)
_VALUES = st.decimals(
    allow_nan=False, allow_infinity=False, places=3, min_value=-1e9, max_value=1e9
)


@settings(max_examples=60, deadline=None)
@given(text=_TEXTS, value=_VALUES, line=st.integers(1, 10**6), due=st.sampled_from(DUES))
def test_any_target_is_written_as_the_store_dumps_it(
    text: str, value: Decimal, line: int, due: str
) -> None:
    """Escaping and literal forms, for any text and number: the store's bytes exactly."""
    report = small_report()
    unit = report.units[1]
    objective = unit.objectives[0]
    indicator = objective.indicators[0]
    target = replace(indicator.targets[0], text=text, value=value, line=line, due_date=due)
    objective = replace(objective, indicators=(replace(indicator, targets=(target,)),))
    unit = replace(unit, name=text, objectives=(objective,))
    mapped = _map(replace(report, units=(report.units[0], unit)))
    assert sorted(mapped.nquads().splitlines()) == _store_lines(mapped.nquads())
    assert _graph_through_store(mapped) == _store_lines(mapped.nquads())
