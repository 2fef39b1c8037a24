"""Build lists (``build --manifest``): what they list is built, as the institutions they name."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.build.manifest import Entry, ManifestError, read_list
from publisher.build.pipeline import BuildFailed, build
from publisher.cli import cli
from publisher.settings import Settings, load
from publisher.store.embedded import PublishedStore
from publisher.vocab import sparql_prefixes

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
BASE = "http://data.example.org/"
INSTITUTIONS = (
    sparql_prefixes() + "SELECT DISTINCT ?i WHERE { GRAPH ?g { ?i a lotaip:Institution } }"
)


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """A folder with a copy of the five examples, beside which the lists are written."""
    folder = tmp_path / "portal" / "reports"
    shutil.copytree(EXAMPLES, folder)
    return folder


def settings_for(tmp_path: Path) -> Settings:
    """Settings writing to ``tmp/data``."""
    return load(env={}, data_dir=tmp_path / "data", base_uri=BASE)


def write_csv(folder: Path, lines: list[str]) -> Path:
    """A CSV build list in ``folder`` with the header and ``lines``."""
    path = folder / "list.csv"
    path.write_text("\n".join(["file,institution,period", *lines]) + "\n", encoding="utf-8")
    return path


def test_builds_what_the_list_names_as_the_institutions_it_names(
    reports: Path, tmp_path: Path
) -> None:
    listing = write_csv(
        reports.parent,
        [
            "reports/sot-2023-01.txt,sot,2023-01",
            # the list, not the report's footer, says who published it
            "reports/alausi-2021-05.txt,gad-municipal-guaranda,2021-05",
        ],
    )
    result = build([], settings_for(tmp_path), manifest=listing, jobs=1)
    assert [Path(r.file).name for r in result.reports] == ["sot-2023-01.txt", "alausi-2021-05.txt"]
    assert [r.institution for r in result.reports] == ["sot", "gad-municipal-guaranda"]
    assert result.reports[1].graph == f"{BASE}id/reporte/gad-municipal-guaranda/2021-05"
    store = PublishedStore(tmp_path / "data")
    institutions = {str(row["i"]).rsplit("/", 1)[-1] for row in store.select(INSTITUTIONS)}
    assert institutions == {"sot", "gad-municipal-guaranda"}


def test_a_period_the_report_contradicts_fails_the_build(reports: Path, tmp_path: Path) -> None:
    listing = write_csv(reports.parent, ["reports/sot-2023-01.txt,sot,2023-02"])
    with pytest.raises(BuildFailed, match=r"sot-2023-01.txt.*dated 2023-01.*period 2023-02"):
        build([], settings_for(tmp_path), manifest=listing, jobs=1)
    assert not (tmp_path / "data" / "current").exists()


def test_an_undated_report_takes_the_listed_period(reports: Path, tmp_path: Path) -> None:
    source = reports / "sot-2023-01.txt"
    text = source.read_text(encoding="utf-8")
    assert "31/01/2023" in text
    (reports / "sot-undated.txt").write_text(text.replace("31/01/2023", ""), encoding="utf-8")
    listing = write_csv(reports.parent, ["reports/sot-undated.txt,sot,2023-01"])
    result = build([], settings_for(tmp_path), manifest=listing, jobs=1)
    (report,) = result.reports
    assert report.graph == f"{BASE}id/reporte/sot/2023-01"  # not named by its sha256
    assert any("period 2023-01 taken from the manifest" in w for w in report.parse_warnings)


def test_json_yaml_and_csv_lists_say_the_same(tmp_path: Path) -> None:
    rows = [
        {"file": "a.txt", "institution": "sot", "period": "2023-01"},
        {"file": "https://example.org/b.csv"},
    ]
    (tmp_path / "list.json").write_text(json.dumps({"reports": rows}), encoding="utf-8")
    (tmp_path / "list.yaml").write_text(
        "- file: a.txt\n  institution: sot\n  period: 2023-01\n- file: https://example.org/b.csv\n",
        encoding="utf-8",
    )
    write_csv(tmp_path, ["a.txt,sot,2023-01", "https://example.org/b.csv,,"])
    expected = [
        Entry(str(tmp_path / "a.txt"), "sot", "2023-01"),
        Entry("https://example.org/b.csv", None, None),
    ]
    for name in ("list.json", "list.yaml", "list.csv"):
        assert read_list(tmp_path / name) == expected, name


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ftp://example.org/a.txt,sot,2023-01", "only http"),
        ("a.txt,sot,2023-13", "not YYYY-MM"),
        (",sot,2023-01", "no file"),
    ],
)
def test_bad_entries_are_refused(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        read_list(write_csv(tmp_path, [line]))


@pytest.fixture
def served(reports: Path) -> Iterator[str]:
    """The reports folder served over HTTP on 127.0.0.1; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(reports))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        """No request log on stderr."""


def test_urls_are_fetched_and_built(served: str, tmp_path: Path) -> None:
    listing = write_csv(tmp_path, [f"{served}congope-2022-02.txt,congope,2022-02"])
    result = build([], settings_for(tmp_path), manifest=listing, jobs=1)
    assert [r.institution for r in result.reports] == ["congope"]
    assert Path(result.reports[0].file).name == "congope-2022-02.txt"
    missing = write_csv(tmp_path, [f"{served}nothing.txt,congope,2022-02"])
    with pytest.raises(ManifestError, match="404"):
        build([], settings_for(tmp_path), manifest=missing, jobs=1)


def test_build_command_takes_a_list(reports: Path, tmp_path: Path) -> None:
    listing = write_csv(reports.parent, ["reports/ame-2015-09.txt,ame,2015-09"])
    out = tmp_path / "data"
    runner = CliRunner()
    command = ["build", "--quiet", "--jobs", "1", "--out", str(out), "--manifest", str(listing)]
    result = runner.invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert "1 reports" in result.output and "1 built" in result.output
    both = runner.invoke(cli, [*command, str(reports / "sot-2023-01.txt")])
    assert both.exit_code != 0 and "not both" in both.output


def test_a_folder_builds_every_report_in_it(reports: Path, tmp_path: Path) -> None:
    result = build([reports], settings_for(tmp_path), jobs=1)
    assert sorted(Path(r.file).name for r in result.reports) == sorted(
        p.name for p in EXAMPLES.iterdir()
    )
