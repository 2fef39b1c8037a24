"""Serve the site for real: gunicorn with N worker processes; Flask's server only to debug.

Each gunicorn worker builds its own app (and opens the published store read-only) after
the fork, so no store handle crosses a process boundary.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import LimitRequestLine
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

from publisher.build.publish import read_manifest
from publisher.errors import SettingsError
from publisher.settings import Settings
from publisher.store.embedded import open_store

#: gunicorn's ceiling for the request line (larger values are cut to it): a GET query
#: URL-encoded up to this length works; longer ones are told to use POST (``SiteWorker``).
REQUEST_LINE_LIMIT = 8190


class SiteServer(BaseApplication):
    """gunicorn driven from Python: our options, our app factory, no command line."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply ``options`` (gunicorn setting names) to gunicorn's configuration."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """The WSGI app, built in each worker, its query workers started."""
        from publisher.web import create_app

        app = create_app(self.settings)
        app.extensions["publisher.sparql"].start()
        return app


class SiteWorker(ThreadWorker):
    """gunicorn's threaded worker, answering a too-long request line in our error shape.

    gunicorn reads at most 8,190 bytes of request line (its own ceiling); a longer
    ``GET /sparql?query=…`` would otherwise get gunicorn's bare HTML 414 page. The headers
    are not read yet, so no content negotiation: the JSON shape every client can read.
    """

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Our 414 for LimitRequestLine; gunicorn's own handling for anything else."""
        if not isinstance(exc, LimitRequestLine):
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("request line too long from %s", addr[0] if addr else "?")
        message = (
            f"request line longer than {REQUEST_LINE_LIMIT} bytes: send long SPARQL queries "
            "with POST (form-encoded 'query=' or Content-Type: application/sparql-query)"
        )
        body = json.dumps({"error": message, "status": 414}).encode("utf-8")
        head = (
            "HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n"
            "Content-Type: application/json\r\nAccess-Control-Allow-Origin: *\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        try:
            write_nonblock(client, head.encode("ascii") + body)
        except OSError:
            self.log.debug("could not send the 414 answer")


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """gunicorn settings for ``settings``: bind address, workers, threads, logs on stderr."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        # Threads, so that a long SPARQL query (up to query_timeout, run in a killable
        # query process) does not hold a whole worker: the store and caches are shared
        # read-only behind locks.
        "worker_class": SiteWorker,
        "threads": settings.threads,
        "limit_request_line": REQUEST_LINE_LIMIT,
        "accesslog": None,
        "errorlog": "-",
        "timeout": max(30, int(settings.query_timeout) + 10),
        # On SIGTERM, workers finish the requests in flight (up to a query's time limit)
        # before they exit; only then are they killed.
        "graceful_timeout": max(30, int(settings.query_timeout) + 5),
        "worker_exit": worker_exit,
        "proc_name": "lotaip-lod",
        "control_socket_disable": True,  # several servers (tests, benchmarks) on one host
    }


def worker_exit(server: Any, worker: Any) -> None:
    """gunicorn hook, in a worker that finished serving: stop its query processes, leave.

    The interpreter's own teardown then met the store's native threads mid-destruction:
    workers that had run queries hung in a futex until graceful_timeout (35 s) or died with
    SIGSEGV. A worker holds nothing to flush but its logs, so it exits at once instead.
    """
    app = getattr(worker, "wsgi", None)
    service = app.extensions.get("publisher.sparql") if app is not None else None
    if service is not None:
        service.close()
    logging.shutdown()
    os._exit(0)


def settle_base_uri(settings: Settings, given: bool) -> Settings:
    """The settings to serve with: the base URI the build recorded, unless base_uri was
    ``given`` explicitly (flag or environment); a given one that differs from the build's
    is refused, since every ``/id/`` IRI the site mints would miss the data and answer
    404 (``SettingsError`` saying which to set)."""
    if settings.store != "oxigraph":
        return settings
    built = (read_manifest(settings.data_dir) or {}).get("base_uri")
    if built is None or built == settings.base_uri:
        return settings
    if not given:
        return replace(settings, base_uri=built)
    raise SettingsError(
        f"{settings.data_dir} was built with base URI {built}, but the site would serve "
        f"{settings.base_uri}: set PUBLISHER_BASE_URI={built} (or build again with "
        f"--base-uri {settings.base_uri})"
    )


def serve(
    settings: Settings,
    *,
    debug: bool = False,
    announce: Callable[[Settings], None] | None = None,
    base_uri_given: bool = True,
) -> None:
    """Serve the published data of ``settings`` until interrupted.

    Opens the store once first, so that a missing build fails here with a clear
    ``StoreError`` instead of in every worker; the base URI is the build's unless
    ``base_uri_given`` (``settle_base_uri``); ``announce`` runs once it opened, with the
    settings served.
    """
    open_store(settings)
    settings = settle_base_uri(settings, base_uri_given)
    if announce is not None:
        announce(settings)
    if debug:
        from publisher.web import create_app

        create_app(settings).run(host=settings.host, port=settings.port, debug=True)
        return
    SiteServer(settings, gunicorn_options(settings)).run()
