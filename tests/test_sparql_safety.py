"""Safety of /sparql against a real server: refusals, no federation, a time limit that stops.

A listener on 127.0.0.1 stands in for "elsewhere": no query sent to the endpoint may
make it receive a connection, while pyoxigraph on its own does connect to it (so the
listener is known to work). A cartesian product must be stopped at the time limit, its
worker process gone, while a small query sent meanwhile answers promptly.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from sparql_data import (
    close_app,
    live_server,
    make_app,
    make_store,
    quads_fingerprint,
    sparql_settings,
)

pytestmark = pytest.mark.live

TIME_LIMIT = 1.5
CARTESIAN = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
)
SMALL = "ASK { ?s a <https://w3id.org/lotaip/def/Institution> }"


class Listener:
    """A TCP listener on a free port that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("safety")
    app = make_app(make_store(tmp / "store"), sparql_settings(tmp, query_timeout=TIME_LIMIT))
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def url(app: Flask) -> Iterator[str]:
    with live_server(app) as endpoint:
        yield endpoint


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def _service_queries(port: int) -> list[str]:
    target = f"<http://127.0.0.1:{port}/sparql>"
    return [
        f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {target} {{ ?s ?p ?o }} }}",
        f"select * where {{ ?x ?y ?z OPTIONAL {{ service {target} {{ ?x ?p ?o }} }} }}",
        f"ASK {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {target} {{ ?s ?q ?r }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE "
        f"{{ {{ SELECT * {{ SERVICE {target} {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ {target} }} SERVICE ?e {{ ?s ?p ?o }} }}",
        # A codepoint escape spelling the keyword: refused either way, never sent.
        f"SELECT * WHERE {{ SERV\\u0049CE {target} {{ ?s ?p ?o }} }}",
    ]


def test_pyoxigraph_alone_would_call_the_listener(listener: Listener) -> None:
    # The control: without our check the engine does send the federated request.
    store = ox.Store()
    query = (
        f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
    )
    list(store.query(query))
    time.sleep(0.3)
    assert listener.connections >= 1


def test_service_is_refused_and_nothing_is_sent(url: str, listener: Listener) -> None:
    for query in _service_queries(listener.port):
        response = requests.post(url, data={"query": query}, timeout=10)
        assert 400 <= response.status_code < 500, (query, response.text)
    time.sleep(0.5)
    assert listener.connections == 0


def test_service_refusal_says_why(url: str, listener: Listener) -> None:
    response = requests.get(url, params={"query": _service_queries(listener.port)[0]}, timeout=10)
    assert response.status_code == 403
    assert "SERVICE" in response.text


def test_malformed_query_is_400(url: str) -> None:
    response = requests.get(url, params={"query": "SELECT ?x WHERE { ?x ?y }"}, timeout=10)
    assert response.status_code == 400
    assert "malformed" in response.text


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"params": {"update": "DROP ALL"}},
        {"data": {"update": "DROP ALL"}},
        {"data": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"data": {"query": "DROP ALL"}},
        {
            "data": b"INSERT DATA { <x:a> <x:b> <x:c> }",
            "headers": {"Content-Type": "application/sparql-query"},
        },
        {"params": {"query": "LOAD <http://127.0.0.1:9/data.ttl>"}},
    ],
)
def test_update_is_refused_and_nothing_changes(
    url: str, app: Flask, request_kwargs: dict[str, object]
) -> None:
    store = app.extensions["publisher.store.embedded"]
    before = quads_fingerprint(store)
    method = "GET" if "params" in request_kwargs else "POST"
    response = requests.request(method, url, timeout=10, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code in (400, 403), response.text
    assert "read-only" in response.text
    assert quads_fingerprint(store) == before


def _worker_pids(app: Flask) -> set[int]:
    pool = app.extensions["publisher.sparql"]._runner
    return {w.process.pid for w in list(pool._idle)}


def test_time_limit_stops_the_query_while_others_are_served(url: str, app: Flask) -> None:
    assert requests.get(url, params={"query": SMALL}, timeout=10).status_code == 200  # warm
    before = _worker_pids(app)
    with ThreadPoolExecutor(2) as pool:
        started = time.perf_counter()
        slow = pool.submit(requests.get, url, params={"query": CARTESIAN}, timeout=30)
        time.sleep(0.3)
        small_started = time.perf_counter()
        small = requests.get(url, params={"query": SMALL + " # meanwhile"}, timeout=10)
        small_took = time.perf_counter() - small_started
        stopped = slow.result()
        slow_took = time.perf_counter() - started
    assert small.status_code == 200
    assert small_took < 1.0
    assert stopped.status_code == 503
    assert "time limit" in stopped.text
    assert TIME_LIMIT <= slow_took < TIME_LIMIT + 5
    after = _worker_pids(app)
    killed = before - after
    assert len(killed) == 1 and len(after) == len(before)
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the worker that ran it is gone, not left computing
    again = requests.get(url, params={"query": SMALL + " # after"}, timeout=10)
    assert again.status_code == 200
