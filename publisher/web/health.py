"""``/health``: one cheap answer for load balancers and probes.

200 with the published version and its counts when the store opens and answers a query;
503 with the reason when it is missing, corrupt or (remote) unreachable. Never cached.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app

from publisher.build.publish import read_manifest
from publisher.errors import PublisherError
from publisher.settings import Settings
from publisher.store.embedded import Store
from publisher.web import conneg

bp = Blueprint("health", __name__)

#: The cheapest query that still reads the store's files (or reaches the remote server).
PROBE = "ASK { ?s ?p ?o }"


def status(store: Store, settings: Settings) -> dict[str, Any]:
    """What a probe needs to know; raises ``PublisherError`` when the store cannot answer."""
    has_data = store.ask(PROBE)
    body: dict[str, Any] = {"status": "ok", "store": settings.store, "has_data": has_data}
    body["version"] = store.version
    manifest = read_manifest(settings.data_dir) if settings.store == "oxigraph" else None
    if manifest is not None:  # counts from the build: counting quads would cost O(n)
        body["reports"] = len(manifest.get("reports", []))
        body["triples"] = manifest.get("triples")
    return body


@bp.route("/health", methods=["GET", "HEAD"])
def health() -> Response:
    """200 and the store's state, or 503 and why it cannot serve."""
    settings: Settings = current_app.extensions["publisher.settings"]
    try:
        body, code = status(current_app.extensions["publisher.store.embedded"], settings), 200
    except (PublisherError, OSError, RuntimeError) as err:  # pyoxigraph: RuntimeError
        current_app.logger.error("health check failed: %s", err)
        body, code = {"status": "unavailable", "error": str(err)}, 503
    response = Response(conneg.json_text(body), status=code, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
