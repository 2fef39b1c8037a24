"""A harvest of the portal replica (tests/portal.py) over real HTTP, then its build."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from portal import EXAMPLES, Portal, replica, replica_sources, serve

from publisher.cli import cli
from publisher.harvest import run, state
from publisher.harvest.client import ClientOptions
from publisher.settings import Settings, load
from publisher.store.embedded import open_store
from publisher.vocab import LOTAIP

FAST = ClientOptions(timeout=0.5, delay=0.0, retries=1, backoff=0.01)
PROV = (
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX prov: <http://www.w3.org/ns/prov#> "
    "PREFIX lotaip: <https://w3id.org/lotaip/def/> "
)


@pytest.fixture
def portal() -> Iterator[Portal]:
    with serve(replica()) as served:
        yield served


def _sources(portal: Portal, folder: Path) -> list[run.Source]:
    path = folder / "sources.csv"
    path.write_text(replica_sources(portal), encoding="utf-8")
    return run.read_sources(path)


def _by_url(result: run.HarvestResult, portal: Portal) -> dict[str, tuple[str, str | None]]:
    return {o.url.removeprefix(portal.base): (o.status, o.month) for o in result.outcomes}


def test_the_replica_is_discovered_fetched_and_kept_per_month(
    portal: Portal, tmp_path: Path
) -> None:
    result = run.harvest(_sources(portal, tmp_path), tmp_path / "h", FAST, hosts=2)
    sot = (
        "/sot/A%C3%B1o%202023/Enero/"
        "Literal%20a4)%20Metas%20y%20Objetivos%20%E2%80%93%20Planificaci%C3%B3n.txt"
    )
    trio = "/congope/csv/1.3-metas-y-objetivos-{}-2023-{}.csv"
    assert _by_url(result, portal) == {
        "/loja/docs/a4-julio-2019.pdf": ("failed", "2019-07"),  # HTML served as .pdf
        "/loja/docs/a4-2019-08.txt": ("new", "2019-08"),  # through a redirect
        sot: ("new", "2023-01"),
        "/sot/docs/a4%20febrero.pdf": ("failed", "2023-02"),  # 404
        "/alausi/docs/Informe%20final.pdf": ("unclassified", None),
        "/alausi/docs/a4-mayo-2021.csv": ("new", "2021-05"),  # 500 first, then 200
        "/alausi/docs/a4-junio-2021.txt": ("failed", "2021-06"),  # too slow
        "/privado/a4-julio-2021.txt": ("failed", "2021-07"),  # robots.txt
        trio.format("marzo", "conjunto-de-datos"): ("new", "2023-03"),
        trio.format("marzo", "metadatos"): ("new", "2023-03"),
        trio.format("marzo", "diccionario"): ("new", "2023-03"),
        trio.format("abril", "conjunto-de-datos"): ("new", "2023-04"),
        trio.format("abril", "metadatos"): ("new", "2023-04"),
        "/congope/transparencia-2023.html": ("incomplete", "2023-04"),
        "/ame/files/1-4_Metas%20y%20Objetivos.txt": ("new", "2015-09"),
    }
    messages = {o.url.removeprefix(portal.base): o.message for o in result.outcomes}
    assert messages["/loja/docs/a4-julio-2019.pdf"] == "an HTML page served as .pdf, not the file"
    assert messages["/sot/docs/a4%20febrero.pdf"] == "HTTP 404 Not Found"
    assert messages["/privado/a4-julio-2021.txt"] == "robots.txt forbids fetching it"
    assert "no answer within 0.5 s" in str(messages["/alausi/docs/a4-junio-2021.txt"])
    assert messages["/congope/transparencia-2023.html"] == (
        "numeral 1.3 trio without its dictionary file"
    )
    assert result.counts == {"found": 13, "new": 9, "unchanged": 0, "failed": 5, "unclassified": 1}
    assert portal.statuses("/alausi/docs/a4-mayo-2021.csv") == [500, 200]
    assert portal.statuses("/loja/docs/a1") == []  # other literals are never fetched
    # kept as downloaded, under the month reported, with the portal's file name
    sot_file = tmp_path / "h/sot/2023-01/Literal a4) Metas y Objetivos – Planificación.txt"
    assert sot_file.read_bytes() == (EXAMPLES / "sot-2023-01.txt").read_bytes()
    trio_files = sorted(p.name for p in (tmp_path / "h/congope/2023-03").glob("*.csv"))
    assert len(trio_files) == 3
    entry = state.read_manifest(sot_file.parent)[sot_file.name]
    assert entry["institution"] == "sot" and entry["month"] == "2023-01"
    assert entry["source"]["url"] == portal.base + sot
    assert entry["source"]["sha256"] == state.sha256(sot_file.read_bytes())
    assert entry["source"]["media_type"] == "text/plain"
    assert entry["source"]["etag"] and entry["source"]["retrieved"].endswith("Z")
    loja = state.read_manifest(tmp_path / "h/gad-municipal-loja/2019-08")["a4-2019-08.txt"]
    assert loja["source"]["final_url"] == f"{portal.base}/loja/archivo/a4-2019-08.txt"


def test_a_second_run_sends_conditional_requests_all_304(portal: Portal, tmp_path: Path) -> None:
    sources = _sources(portal, tmp_path)
    run.harvest(sources, tmp_path / "h", FAST)
    portal.log.clear()
    again = run.harvest(sources, tmp_path / "h", FAST)
    assert again.counts["new"] == 0 and again.counts["unchanged"] == 9
    slow = "/alausi/docs/a4-junio-2021.txt"  # its late answers land in the log at any time
    files = sorted(
        (status, path)
        for path, status in portal.log
        if not path.endswith((".html", "/", "robots.txt")) and path != slow
    )
    assert [status for status, _ in files] == [200, 302] + [304] * 9 + [404]
    assert files[0] == (200, "/loja/docs/a4-julio-2019.pdf")  # the HTML page served as .pdf
    assert files[1] == (302, "/loja/docs/a4-2019-08.txt")  # then 304 where it leads
    assert again.answers[304] == 9


def test_killing_the_harvest_loses_nothing(portal: Portal, tmp_path: Path) -> None:
    sources = _sources(portal, tmp_path)
    written: list[int] = []

    def stop_after_three(counts: dict[str, int]) -> None:
        written.append(counts["new"])
        if counts["new"] == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.harvest(sources, tmp_path / "h", FAST, hosts=1, progress=stop_after_three)
    held = [
        p
        for folder in state.month_dirs(tmp_path / "h")
        for p in folder.iterdir()
        if p.is_file() and p.name != "manifest.json"
    ]
    assert len(held) == 3
    for path in held:  # every file whole, and its entry names its bytes
        assert state.read_manifest(path.parent)[path.name]["source"]["sha256"] == state.sha256(
            path.read_bytes()
        )
    assert not list((tmp_path / "h").rglob(".*.tmp"))
    resumed = run.harvest(sources, tmp_path / "h", FAST)
    assert (resumed.counts["new"], resumed.counts["unchanged"]) == (6, 3)


def test_harvest_then_build_publishes_where_and_when(
    portal: Portal, tmp_path: Path, settings: Settings
) -> None:
    sources = _sources(portal, tmp_path)
    result = run.harvest(sources, tmp_path / "h", FAST)
    summary = run.publish(result, settings, jobs=1)
    assert summary is not None and "5 reports" in summary
    # April's trio lacks its dictionary: listed as incomplete, kept, not built
    assert not [o for o in result.outcomes if o.status == "rejected"]
    assert len(list((tmp_path / "h/congope/2023-04").glob("*.csv"))) == 2
    store = open_store(settings)
    rows = store.select(
        PROV
        + """SELECT ?g ?url ?at WHERE { GRAPH ?g { ?g prov:wasDerivedFrom ?f .
        ?f dcat:downloadURL ?url ; prov:wasDerivedFrom ?url ; prov:generatedAtTime ?at } }"""
    )
    got = {str(r["g"]).rsplit("/id/reporte/", 1)[1]: str(r["url"]) for r in rows}
    # March's trio (a real one, dated by its own metadata: February 2025) is published
    graph = f"{settings.base_uri}id/reporte/congope/2025-02"
    targets = store.select(f"SELECT ?t WHERE {{ GRAPH <{graph}> {{ ?t a <{LOTAIP}Target> }} }}")
    assert len(targets) > 0
    assert got.pop("congope/2025-02").endswith(
        "/congope/csv/1.3-metas-y-objetivos-marzo-2023-conjunto-de-datos.csv"
    )
    assert got == {
        "gad-municipal-loja/2019-08": f"{portal.base}/loja/docs/a4-2019-08.txt",
        "sot/2023-01": got["sot/2023-01"],
        "gad-municipal-alausi/2021-05": f"{portal.base}/alausi/docs/a4-mayo-2021.csv",
        "ame/2015-09": f"{portal.base}/ame/files/1-4_Metas%20y%20Objetivos.txt",
    }
    manifest = state.read_manifest(tmp_path / "h/ame/2015-09")
    retrieved = manifest["1-4_Metas y Objetivos.txt"]["source"]["retrieved"]
    at = {str(r["g"]).rsplit("/", 2)[1]: datetime.fromisoformat(str(r["at"])) for r in rows}
    assert at["ame"] == datetime.fromisoformat(retrieved)
    # the report page says where and when
    from publisher.web import create_app

    app = create_app(settings)
    page = app.test_client().get("/doc/reporte/ame/2015-09", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="{portal.base}/ame/files/1-4_Metas%20y%20Objetivos.txt"' in html


def test_a_bad_new_version_is_rejected_and_the_published_one_stays(
    portal: Portal, tmp_path: Path, settings: Settings
) -> None:
    sources = [s for s in _sources(portal, tmp_path) if s.institution == "gad-municipal-loja"]
    out = tmp_path / "h"
    run.publish(run.harvest(sources, out, FAST), settings, jobs=1)
    good = (out / "gad-municipal-loja/2019-08/a4-2019-08.txt").read_bytes()
    route = portal.routes["/loja/archivo/a4-2019-08.txt"]
    portal.routes["/loja/archivo/a4-2019-08.txt"] = replace(route, body=b"Nada que ver\taqui\n")
    second = run.harvest(sources, out, FAST)
    assert _by_url(second, portal)["/loja/docs/a4-2019-08.txt"] == ("changed", "2019-08")
    summary = run.publish(second, settings, jobs=1)
    assert summary is not None and "nothing changed" in summary  # the same input as before
    assert _by_url(second, portal)["/loja/docs/a4-2019-08.txt"] == ("rejected", "2019-08")
    folder = out / "gad-municipal-loja/2019-08"
    assert (folder / "a4-2019-08.txt").read_bytes() == good
    assert (folder / ".rejected/a4-2019-08.txt").read_bytes() == b"Nada que ver\taqui\n"
    assert state.read_manifest(folder)["a4-2019-08.txt"]["source"]["sha256"] == state.sha256(good)
    # the next run asks with the rejected file's ETag: 304, and it is still reported
    third = run.harvest(sources, out, FAST)
    assert _by_url(third, portal)["/loja/docs/a4-2019-08.txt"] == ("rejected", "2019-08")
    assert portal.statuses("/loja/archivo/a4-2019-08.txt")[-1] == 304


def test_the_command_prints_a_table_and_writes_a_json_report(
    portal: Portal, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.csv"
    sources.write_text(replica_sources(portal), encoding="utf-8")
    env = {"PUBLISHER_HARVEST_TIMEOUT": "0.5", "PUBLISHER_HARVEST_DELAY": "0"}
    outcome = CliRunner().invoke(
        cli, ["harvest", str(sources), "--out", str(tmp_path / "h"), "--no-build", "--quiet"],
        env=env,
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert "HTML page served as .pdf" in outcome.output
    assert "13 found, 9 new, 0 unchanged, 5 failed, 1 unclassified" in outcome.output
    report = json.loads((tmp_path / "h" / "harvest-report.json").read_text(encoding="utf-8"))
    assert report["counts"]["new"] == 9 and report["build"] is None
    assert {o["status"] for o in report["outcomes"]} == {
        "new", "failed", "unclassified", "incomplete"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("nobody,http://x.example/,", "unknown institution id 'nobody'"),
        ("sot,ftp://x.example/a4.pdf,", "only http"),
        ("sot,http://x.example/,2023-13", "month '2023-13' is not YYYY-MM"),
        ("sot,,", "needs an institution and a url"),
    ],
)
def test_a_bad_sources_file_is_one_clear_message(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(f"institution,url,months\n{line}\n", encoding="utf-8")
    with pytest.raises(run.SourcesError, match=message):
        run.read_sources(path)


def test_months_ranges_and_the_shipped_sources_file() -> None:
    assert run._months({"months": "2023-11..2024-02"}, "x") == frozenset(
        {"2023-11", "2023-12", "2024-01", "2024-02"}
    )
    shipped = run.read_sources(Path(__file__).resolve().parent.parent / "examples/sources.csv")
    assert {s.institution for s in shipped} == {
        "sot", "congope", "gad-municipal-loja", "gad-municipal-alausi", "ame"
    }  # fmt: skip


def test_settings_reach_the_client() -> None:
    options = run.client_options(load(env={"PUBLISHER_HARVEST_DELAY": "2.5"}))
    assert (options.delay, options.timeout, options.max_bytes) == (2.5, 30.0, 50 * 1024 * 1024)


@pytest.mark.parametrize(("hosts", "status"), [(2, "new"), (1, "failed")])
def test_hosts_are_harvested_in_parallel(hosts: int, status: str, tmp_path: Path) -> None:
    # each server holds its file's answer until the other's request arrives too: with two
    # hosts at a time both are answered; one at a time, the first waits 2 s and gets a 503
    meet = threading.Barrier(2, timeout=2.0)
    portals = []
    for _ in range(2):
        site = Portal()
        site.file("/robots.txt", b"User-agent: *\n", "text/plain")
        site.file("/a4-2015-09.txt", (EXAMPLES / "ame-2015-09.txt").read_bytes(), "text/plain")
        site.routes["/a4-2015-09.txt"] = replace(site.routes["/a4-2015-09.txt"], meet=meet)
        portals.append(site)
    patient = ClientOptions(timeout=10.0, delay=0.0, retries=0, backoff=0.01)
    with serve(portals[0]) as one, serve(portals[1]) as two:
        sources = [
            run.Source(name, f"{site.base}/a4-2015-09.txt", frozenset({"2015-09"}))
            for name, site in (("ame", one), ("sot", two))
        ]
        result = run.harvest(sources, tmp_path / "h", patient, hosts=hosts)
    assert [o.status for o in result.outcomes] == [status, status]


def test_an_out_folder_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    sources = tmp_path / "sources.csv"
    sources.write_text("institution,url,months\nsot,http://127.0.0.1:9/a4.pdf,2023-01\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = CliRunner().invoke(
        cli, ["harvest", str(sources), "--out", str(blocker / "h"), "--quiet"]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: {blocker / 'h'}: Not a directory\n"
    assert blocker.read_text() == "x"
