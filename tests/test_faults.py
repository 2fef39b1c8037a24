"""Faults: a build killed at any stage, a web worker killed, the remote store going away.

- ``lotaip-lod build`` on a synthetic corpus is SIGKILLed at several stages (seen on disk:
  new version folder, store written, dumps written). Each time the published version is
  byte-for-byte what it was and its store answers; the next build succeeds and clears up.
- A gunicorn worker killed with SIGKILL is replaced, and requests keep being answered
  with the same bodies.
- A real ``oxigraph serve`` stopped while our site reads it (also mid-query) gives 503,
  and the site answers again once it is back, with no restart.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from conftest import _wait_until_up, free_port

from publisher.settings import Settings, load
from publisher.store.embedded import PublishedStore

pytestmark = pytest.mark.live
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


# --- killing the build ---------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 synthetic reports, each dated a month of its own (so no two are one report)."""
    from publisher.synth import synth_reports

    folder = tmp_path_factory.mktemp("corpus")
    for month, path in enumerate(synth_reports(40, folder, seed=3)):
        year, mon = divmod(month, 12)
        text = DATE.sub(f"28/{mon + 1:02d}/{1960 + year}", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def published(tmp_path: Path, built_settings: Settings) -> Settings:
    """A private copy of the built examples (a published data folder)."""
    shutil.copytree(built_settings.data_dir, tmp_path / "data", symlinks=True)
    return load(env={}, data_dir=tmp_path / "data")


def snapshot(data_dir: Path) -> dict[str, str]:
    """``current``'s target and the sha256 of every file of the published version."""
    version = data_dir / (data_dir / "current").readlink()
    files = {"current": str((data_dir / "current").readlink())}
    for path in sorted(version.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(version))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def _new_version(data_dir: Path, old: set[str]) -> Path | None:
    fresh = [p for p in (data_dir / "versions").iterdir() if p.name not in old]
    return fresh[0] if fresh else None


#: Stage name -> test on the new version's folder (None until the build created it).
STAGES: dict[str, Callable[[Path | None], bool]] = {
    "starting": lambda v: True,
    "version folder made": lambda v: v is not None,
    "store files written": lambda v: v is not None and any((v / "store").glob("*.sst")),
    "dumps being written": lambda v: v is not None and (v / "dumps").exists(),
}


def _build_command(data_dir: Path, corpus: Path) -> list[str]:
    command = [sys.executable, "-m", "publisher", "build", "--quiet", "--out", str(data_dir)]
    return [*command, str(corpus)]


def kill_at(stage: str, data_dir: Path, corpus: Path) -> bool:
    """Run a build and SIGKILL it once ``stage`` shows on disk; False if it finished first."""
    old = {p.name for p in (data_dir / "versions").iterdir()}
    command = _build_command(data_dir, corpus)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reached = STAGES[stage]
    while process.poll() is None:
        if reached(_new_version(data_dir, old)):
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.01)
    return False


def test_killed_builds_leave_the_published_data_intact(published: Settings, corpus: Path) -> None:
    data_dir = published.data_dir
    before = snapshot(data_dir)
    quads = PublishedStore(data_dir).select(COUNT)[0]["n"]
    killed = [stage for stage in STAGES if kill_at(stage, data_dir, corpus)]
    assert len(killed) >= 3, f"the build outran the kills: only {killed}"
    assert snapshot(data_dir) == before  # byte for byte, and current never moved
    assert PublishedStore(data_dir).select(COUNT)[0]["n"] == quads

    finished = subprocess.run(_build_command(data_dir, corpus), capture_output=True, timeout=300)
    assert finished.returncode == 0, finished.stderr.decode()
    after = (data_dir / "current").readlink()
    assert str(after) != before["current"]
    # the half-built versions are gone; the new one and the one before it remain
    assert sorted(p.name for p in (data_dir / "versions").iterdir()) == sorted(
        {Path(before["current"]).name, after.name}
    )
    store = PublishedStore(data_dir)
    assert len(store.graphs()) >= 40
    with gzip.open(data_dir / "current" / "dumps" / "lotaip.nq.gz") as dump:
        assert dump.read(1)


# --- a web worker killed -------------------------------------------------------------


@contextmanager
def server(data_dir: Path, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``lotaip-lod serve`` with gunicorn; yields its URL and process (the arbiter)."""
    port = free_port()
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(data_dir)]
    command += ["--port", str(port), "--workers", str(workers)]
    log = (data_dir.parent / "server.log").open("w+b")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", process, log, 30)
        yield f"http://127.0.0.1:{port}/", process
    finally:
        tree = descendants(process.pid)
        process.terminate()  # gunicorn gives workers graceful_timeout (35 s) to finish
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in tree:  # workers that hung on exit would outlive a killed arbiter
            with contextlib.suppress(OSError):  # gone already: nothing to do
                if str(data_dir) in Path(f"/proc/{pid}/cmdline").read_text():  # still ours
                    os.kill(pid, signal.SIGKILL)
        log.close()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` now (workers, their query processes)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        with contextlib.suppress(OSError):  # gone meanwhile
            children = workers_of(parent)
            found += children
            todo += children
    return found


def workers_of(pid: int) -> set[int]:
    """The child processes of ``pid`` (gunicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_a_killed_worker_is_replaced_and_nothing_is_dropped(published: Settings) -> None:
    page = "doc/institucion/gad-municipal-loja.ttl"
    with server(published.data_dir) as (base, arbiter):
        expected = requests.get(base + page, timeout=10).content
        _wait_for(lambda: len(workers_of(arbiter.pid)) == 2)
        first = workers_of(arbiter.pid)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        answers = [requests.get(base + page, timeout=10) for _ in range(30)]
        assert {a.status_code for a in answers} == {200}
        assert all(a.content == expected for a in answers)
        _wait_for(
            lambda: len(workers_of(arbiter.pid)) == 2 and victim not in workers_of(arbiter.pid)
        )
        assert requests.get(base + "health", timeout=10).json()["status"] == "ok"


def test_sigterm_stops_the_server_at_once_after_queries(published: Settings) -> None:
    # regression: workers that had run a query hung at exit until graceful_timeout (35 s)
    # or died with SIGSEGV, in the interpreter's teardown of the store's native threads
    with server(published.data_dir) as (base, arbiter):
        for _ in range(10):
            assert requests.get(base + "sparql", params={"query": "ASK {}"}, timeout=30).ok
        started = time.monotonic()
        arbiter.terminate()
        assert arbiter.wait(timeout=60) == 0
        assert time.monotonic() - started < 10
    log = (published.data_dir.parent / "server.log").read_text()
    assert "SIGSEGV" not in log and "Traceback" not in log


def test_serve_refuses_a_corrupt_store_with_a_clear_message(published: Settings) -> None:
    store = published.data_dir / "current" / "store"
    for path in store.iterdir():
        if path.name.startswith(("MANIFEST", "CURRENT")):
            path.write_bytes(b"\0garbage\0" * 10)
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(published.data_dir)]
    done = subprocess.run([*command, "--port", str(free_port())], capture_output=True, timeout=60)
    assert done.returncode != 0
    assert b"unreadable (corrupt?)" in done.stderr and b"Traceback" not in done.stderr


def test_serve_refuses_a_missing_store_with_a_clear_message(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(tmp_path / "none")]
    done = subprocess.run([*command, "--port", str(free_port())], capture_output=True, timeout=60)
    assert done.returncode != 0
    assert b"no published data" in done.stderr and b"Traceback" not in done.stderr
    assert b"serving" not in done.stdout  # it never claims to serve what it cannot


# --- the remote store going away -----------------------------------------------------


class OxigraphServer:
    """A real ``oxigraph serve`` on loopback that can be stopped and started again."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(OXIGRAPH), "serve", "--location", str(self.location)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for(self._answers)

    def _answers(self) -> bool:
        try:
            requests.get(self.url + "/query", params={"query": "ASK {}"}, timeout=1)
        except requests.ConnectionError:
            return False
        return True

    def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)  # gone at once, as a crash would be
        self.process.wait()


@pytest.fixture
def remote(tmp_path: Path, built_settings: Settings) -> Iterator[OxigraphServer]:
    if not OXIGRAPH.exists():
        pytest.skip("the oxigraph server is not installed (dev extra)")
    dump = built_settings.data_dir / "current" / "dumps" / "lotaip.nq.gz"
    nquads = tmp_path / "lotaip.nq"
    nquads.write_bytes(gzip.decompress(dump.read_bytes()))
    location = tmp_path / "oxigraph"
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(nquads)],
        check=True,
        capture_output=True,
    )
    oxigraph = OxigraphServer(location)
    oxigraph.start()
    yield oxigraph
    if oxigraph.process and oxigraph.process.poll() is None:
        oxigraph.stop()


def test_remote_store_going_away_gives_503_and_service_resumes(
    remote: OxigraphServer, tmp_path: Path
) -> None:
    from publisher.web import create_app

    settings = load(
        env={}, data_dir=tmp_path / "data", store="sparql", sparql_query_url=remote.url + "/query"
    )
    app = create_app(settings)
    client = app.test_client()
    page = "/doc/institucion/gad-municipal-loja"
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    try:
        assert client.get(page, headers={"Accept": "text/turtle"}).status_code == 200
        answer: dict[str, int | str] = {}

        def ask_heavy() -> None:
            response = app.test_client().get("/sparql", query_string={"query": heavy})
            answer["status"] = response.status_code
            answer["body"] = response.get_data(as_text=True)

        asking = threading.Thread(target=ask_heavy)
        asking.start()
        time.sleep(0.5)  # the query is running on the server now
        remote.stop()
        asking.join(timeout=60)
        assert answer.get("status") == 503, answer  # mid-request
        other = "/doc/institucion/gad-municipal-loja.nt"  # not asked before: not cached
        for path in (other, "/health", "/", "/sparql?query=ASK%7B%7D"):
            response = client.get(path, headers={"Accept": "text/turtle"})
            assert response.status_code == 503, (path, response.get_data(as_text=True)[:300])
        # a document already written is still served from the cache meanwhile
        assert client.get(page, headers={"Accept": "text/turtle"}).status_code == 200
        remote.start()
        back = client.get(other)
        assert back.status_code == 200, back.get_data(as_text=True)[:300]
        assert client.get("/health").status_code == 200
    finally:
        app.extensions["publisher.sparql"].close()
