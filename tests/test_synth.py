"""Synthetic reports: deterministic from a seed, parseable, and the `synth` command."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from publisher.build.pipeline import build
from publisher.cli import cli
from publisher.enrichment.registry import by_domain, by_id, load_registry
from publisher.parse import parse_file
from publisher.settings import load
from publisher.store.embedded import PublishedStore
from publisher.synth import synth_reports

BASE = "https://lotaip.example/"


def test_same_seed_same_files(tmp_path: Path) -> None:
    """Two runs with one seed write identical bytes; another seed writes others."""
    first = synth_reports(3, tmp_path / "a", seed=7, formats=("txt", "csv"))
    second = synth_reports(3, tmp_path / "b", seed=7, formats=("txt", "csv"))
    other = synth_reports(3, tmp_path / "c", seed=8, formats=("txt", "csv"))
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    assert len(first) == 6


def test_synthetic_files_parse(tmp_path: Path) -> None:
    """Each written report parses with the units asked for and a footer."""
    for path in synth_reports(4, tmp_path, seed=1, units=5):
        report = parse_file(path)
        assert len(report.units) == 5
        assert report.metadata.updated is not None
        assert report.targets()


def test_synth_command(tmp_path: Path) -> None:
    """`lotaip-lod synth --reports 2 --out DIR --seed 3` writes two text reports."""
    result = CliRunner().invoke(
        cli, ["synth", "--reports", "2", "--out", str(tmp_path), "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "synth-3-00000.txt",
        "synth-3-00001.txt",
    ]
    assert "wrote 2 file(s)" in result.output


def test_synthetic_institutions_resolve_only_in_their_namespace() -> None:
    """`synth-NNNN` and its `.invalid` domain resolve without a registry row; others do not."""
    entries = load_registry()
    entry = by_id(entries, "synth-0042")
    assert entry is not None and entry.name == "Institución Sintética 42"
    assert by_domain(entries, "ana@synth-0042.invalid") == entry
    assert by_id(entries, "synth-42") is None  # four digits at least: one id per number
    assert by_id(entries, "synthetic") is None
    assert by_domain(entries, "ana@synth-0042.gob.ec") is None
    assert by_domain(entries, "ana@loja.gob.ec") == by_id(entries, "gad-municipal-loja")


def test_institutions_and_months_build_as_a_corpus(tmp_path: Path) -> None:
    """5 institutions × 3 months: 15 reports, 5 institutions now, 3 months each in history."""
    result = CliRunner().invoke(
        cli, ["synth", "--institutions", "5", "--months", "3", "--out", str(tmp_path / "in")]
    )
    assert result.exit_code == 0, result.output
    settings = load(env={}, data_dir=tmp_path / "data", base_uri=BASE)
    built = build([tmp_path / "in"], settings, quiet=True, jobs=1)
    assert len(built.reports) == 15
    store = PublishedStore(settings.data_dir)
    now = store.select(
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "SELECT DISTINCT ?i WHERE { ?i a org:FormalOrganization }"
    )
    assert sorted(str(r["i"]) for r in now) == [
        f"{BASE}id/institucion/synth-{k:04d}" for k in range(5)
    ]
    history = store.select(
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        f"SELECT ?i (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH <{BASE}id/historial> "
        "{ ?r dct:publisher ?i } } GROUP BY ?i"
    )
    assert len(history) == 5
    assert {int(r["n"]) for r in history} == {3}


def test_months_need_institutions(tmp_path: Path) -> None:
    """`--months` alone is refused: months of which institutions is not said."""
    result = CliRunner().invoke(cli, ["synth", "--months", "3", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "--months needs --institutions" in result.output


def test_an_institution_republishes_nearly_the_same_report(tmp_path: Path) -> None:
    """Month two of each institution keeps most of month one's targets, and the corpus as
    a whole changes some: an update looks like a real month's, not a new corpus."""
    paths = synth_reports(10, tmp_path, seed=4, institutions=5)
    kept = changed = 0
    for first, second in zip(paths[:5], paths[5:], strict=True):
        before = {(t.text, t.value) for t in parse_file(first).targets()}
        after = {(t.text, t.value) for t in parse_file(second).targets()}
        assert len(before & after) >= 0.8 * len(before), (first.name, second.name)
        kept += len(before & after)
        changed += len(after - before)
    assert changed > 0 and kept > 10 * changed
