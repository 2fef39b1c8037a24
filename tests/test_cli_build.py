"""``lotaip-lod build`` and ``lotaip-lod validate`` as a user runs them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from publisher.build import publish
from publisher.cli import cli
from publisher.store.embedded import OxigraphStore
from publisher.vocab import LOTAIP, SH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "reports").iterdir())
BASE = "http://data.example.org/"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose settings come only from the command line."""
    for name in ("PUBLISHER_DATA_DIR", "PUBLISHER_BASE_URI"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def run_build(runner: CliRunner, out: Path, *files: Path) -> tuple[int, str]:
    args = ["build", *map(str, files), "--out", str(out), "--base-uri", BASE, "--quiet"]
    result = runner.invoke(cli, args)
    return result.exit_code, result.output


def test_build_then_rebuild_says_nothing_changed(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "data"
    code, output = run_build(runner, out, *EXAMPLES[:2])
    assert code == 0, output
    assert "published version" in output
    assert "2 reports" in output
    assert (out / "current" / "store").is_dir()
    code, output = run_build(runner, out, *EXAMPLES[:2])
    assert code == 0, output
    assert "nothing changed" in output
    before = (out / "current").readlink()
    code, output = run_build(runner, out, *EXAMPLES[:2], "--full")  # rebuilds all the same
    assert code == 0, output
    assert "nothing changed" not in output and "2 reports" in output
    assert (out / "current").readlink() != before


def test_build_prints_each_new_warning_with_its_file_and_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    ame = ROOT / "examples" / "reports" / "ame-2015-09.txt"
    sot = ROOT / "examples" / "reports" / "sot-2023-01.txt"
    args = ["build", "--out", str(tmp_path / "data"), "--base-uri", BASE]
    first = runner.invoke(cli, [*args, str(ame)])
    assert first.exit_code == 0, first.output
    warnings = [line for line in first.stderr.splitlines() if ": warning: " in line]
    assert f"{ame}:25: warning: cells shifted" in first.stderr
    assert f"{ame}:11: warning: skipped the template's 'Ejemplo:' row" in warnings
    # the summary counts them all; each printed one names the file and its line
    assert f"{len(warnings)} warning(s)" in first.stdout
    assert all(line.startswith(f"{ame}:") for line in warnings)
    # a rebuild that carries AME's report over does not repeat its warnings
    second = runner.invoke(cli, [*args, str(ame), str(sot)])
    assert second.exit_code == 0, second.output
    assert str(ame) not in second.stderr
    assert f"{sot}:41: warning: the GPR link holds no address" in second.stderr


def test_failed_build_names_the_bad_file_and_exits_non_zero(
    runner: CliRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\xff" * 500)
    code, output = run_build(runner, tmp_path / "data", EXAMPLES[0], broken)
    assert code != 0
    assert "broken.txt" in output
    assert "nothing published" in output
    assert not (tmp_path / "data" / "current").exists()


def test_validate_prints_the_published_report(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert run_build(runner, out, EXAMPLES[0])[0] == 0
    result = runner.invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output.splitlines()[0]


def test_validate_fails_on_violations(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = publish.new_version(data)
    OxigraphStore(folder / "store").flush()
    graph = Graph()
    report, result = BNode(), BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(False)))
    graph.add((report, SH.result, result))
    graph.add((result, RDF.type, SH.ValidationResult))
    graph.add((result, SH.resultSeverity, SH.Violation))
    graph.add((result, SH.focusNode, URIRef(BASE + "id/meta/1")))
    graph.add((result, SH.resultMessage, Literal("value is not a number")))
    publish.write_turtle(graph, folder / publish.VALIDATION)
    publish.publish_version(data, folder)
    outcome = runner.invoke(cli, ["validate", str(data)])
    assert outcome.exit_code == 1
    assert "does not conform; 1 violation(s)" in outcome.output
    assert f"violation: {BASE}id/meta/1 — value is not a number" in outcome.output


def test_validate_without_a_build_says_so(runner: CliRunner, tmp_path: Path) -> None:
    outcome = runner.invoke(cli, ["validate", str(tmp_path)])
    assert outcome.exit_code != 0
    assert "lotaip-lod build" in outcome.output


def test_build_refuses_a_report_over_max_report_bytes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    largest = max(EXAMPLES[:2], key=lambda p: p.stat().st_size)
    monkeypatch.setenv("PUBLISHER_MAX_REPORT_BYTES", str(largest.stat().st_size - 1))
    code, output = run_build(runner, tmp_path / "data", *EXAMPLES[:2])
    assert code != 0
    assert f"{largest.name}: the file is {largest.stat().st_size:,} bytes" in output
    assert "nothing published" in output
    assert not (tmp_path / "data" / "current").exists()


def test_build_into_a_file_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["build", "--quiet", "--out", str(target)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {target}")
    assert "Traceback" not in result.output
    assert target.read_text() == "x"


def test_a_full_disk_is_a_clear_error_and_the_published_version_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    data = tmp_path / "data"
    runner = CliRunner()
    first = str(Path(__file__).resolve().parent.parent / "examples/reports/alausi-2021-05.txt")
    assert runner.invoke(cli, ["build", "--quiet", "--out", str(data), first]).exit_code == 0
    published = (data / "current").resolve()

    def full(version_dir: Path, manifest: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(version_dir / "build.json"))

    monkeypatch.setattr(publish, "write_manifest", full)
    result = runner.invoke(cli, ["build", "--quiet", "--out", str(data)])  # all five
    assert result.exit_code == 1
    assert "build.json: No space left on device" in result.output
    assert (data / "current").resolve() == published
    assert [p for p in (data / "versions").iterdir()] == [published]


def test_an_unchanged_build_still_removes_orphaned_versions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--quiet", "--out", str(data)]).exit_code == 0
    published = (data / "current").resolve()
    orphan = data / "versions" / "29990101T000000000000Z"  # newest name, never finished
    (orphan / "store").mkdir(parents=True)
    assert runner.invoke(cli, ["build", "--quiet", "--out", str(data)]).exit_code == 0
    assert not orphan.exists()
    assert (data / "current").resolve() == published


def _alausi_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """Alausí's example with ``old`` replaced by ``new`` once, and the line it is on."""
    text = (ROOT / "examples/reports/alausi-2021-05.txt").read_text(encoding="utf-8")
    at = text.index(old)
    path = tmp_path / "in" / "alausi-2021-05.txt"
    path.parent.mkdir()
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return path, text[:at].count("\n") + 1


def test_a_published_warning_names_its_file_and_row(runner: CliRunner, tmp_path: Path) -> None:
    # a percentage target over 100 is published, with a SHACL warning
    report, line = _alausi_with(tmp_path, "\t80 % de cumplimiento", "\t150 % de cumplimiento")
    data = tmp_path / "data"
    assert run_build(runner, data, report)[0] == 0
    graph = Graph().parse(data / "current" / publish.VALIDATION, format="turtle")
    results = list(graph.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == 1
    source = graph.value(results[0], PROV.wasDerivedFrom)
    assert graph.value(source, LOTAIP.fileName) == Literal(report.name)
    assert graph.value(results[0], LOTAIP.sourceLine) == Literal(line)
    shown = runner.invoke(cli, ["validate", str(data)]).output
    assert f"{report.name}:{line}: {BASE}id/institucion/gad-municipal-alausi/" in shown


def test_a_violation_in_the_build_log_names_its_file_and_row(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fault no parser lets through, injected after the mapping (the build runs one report
    # in this process): an indicator's planning-system link that is a text, not an IRI
    from publisher.mapping import rdf as mapping

    report, _ = _alausi_with(tmp_path, "\t80 % de cumplimiento", "\t80 % de cumplimiento")
    real = mapping.map_report
    lines: dict[str, int] = {}

    def faulty(*args: object, **kwargs: object) -> mapping.MappedReport:
        mapped = real(*args, **kwargs)  # type: ignore[arg-type]
        kind, row = str(RDF.type), str(LOTAIP.sourceLine)
        indicators = sorted(
            s.value
            for s, p, o in mapped.triples
            if p.value == kind and o.value == str(LOTAIP.Indicator)
        )
        for s, p, o in mapped.triples:
            if s.value == indicators[0] and p.value == row:
                lines[s.value] = int(o.value)
        triple = (
            ox.NamedNode(indicators[0]),
            ox.NamedNode(str(LOTAIP.planningSystemLink)),
            ox.Literal("no link"),
        )
        line = f"{' '.join(map(str, triple))} .\n"  # as the mapper writes
        return replace(mapped, triples=(*mapped.triples, triple), lines=(*mapped.lines, line))

    monkeypatch.setattr(mapping, "map_report", faulty)
    code, output = run_build(runner, tmp_path / "data", report)
    assert code == 1
    ((node, line),) = lines.items()
    assert f"{report}: 2 SHACL violation(s):\n  {report}:{line}: <{node}>" in output
    assert "lotaip:planningSystemLink" in output
    assert "nothing published" in output
    assert not (tmp_path / "data" / "current").exists()


def test_a_data_folder_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    first = str(ROOT / "examples/reports/alausi-2021-05.txt")
    result = CliRunner().invoke(cli, ["build", "--quiet", "--out", str(blocker / "data"), first])
    assert result.exit_code == 1
    assert result.output == f"Error: {blocker / 'data'}: Not a directory\n"
    assert blocker.read_text() == "x"


def test_an_unwritable_data_folder_is_a_clear_error_and_the_published_version_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tests run as root, whom chmod does not stop: the refusal is raised at the write seam
    import errno

    data = tmp_path / "data"
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["build", "--quiet", "--out", str(data), EXAMPLES[0].as_posix()]
        ).exit_code
        == 0
    )
    published = (data / "current").resolve()

    def refused(version_dir: Path, manifest: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(version_dir / "build.json"))

    monkeypatch.setattr(publish, "write_manifest", refused)
    result = runner.invoke(cli, ["build", "--quiet", "--out", str(data)])
    assert result.exit_code == 1
    assert "build.json: Permission denied" in result.output and "Traceback" not in result.output
    assert (data / "current").resolve() == published
    assert list((data / "versions").iterdir()) == [published]
