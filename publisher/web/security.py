"""Security headers on every response, whatever view, error handler or static file made it.

The policy forbids inline scripts and styles: every script the site runs is a file under
``/static`` (JSON-LD and example data sit in non-executable ``<script type=...json>``
blocks, which a CSP does not run), and the only inline styles allowed are the two that
YASR writes, by hash. The values here win over any a view set, so the whole site has one
policy.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request

from publisher.store.rdftext import is_iri

#: The two ``<style>`` elements YASR's table (its column-resizer) writes into the page: its
#: grip stylesheet when a table is drawn and ``*{cursor:col-resize!important}`` while a
#: column is dragged. Allowed by their SHA-256 hashes, not by 'unsafe-inline': no other
#: inline style runs. tests/test_web_hardening.py recomputes them from the vendored
#: ``yasr.min.js``, so an upgrade that changes the text fails there, not in a reader's page.
YASR_STYLE_HASHES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' {' '.join(YASR_STYLE_HASHES)}; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

#: Header -> value set on every response that lacks it.
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: Longest path we answer; our longest IRIs are a few hundred characters.
MAX_PATH = 2048
#: Paths that name things by IRI: ``/id/…``, ``/doc/…``, ``/def/…``.
_IRI_PATHS = ("/id/", "/doc/", "/def/")


def refuse_odd_paths() -> None:
    """Before a request: 414 for an enormous path, 404 for one no IRI of ours can have.

    A decoded path may hold characters an IRI forbids (NUL, backslash, ``<``, U+FFFD from
    bad UTF-8 …); the store would refuse such an IRI, so no such thing exists.
    """
    if len(request.path) > MAX_PATH:
        abort(414)
    if request.path.startswith(_IRI_PATHS) and not is_iri("http://localhost" + request.path):
        abort(404)


def add_headers(response: Response) -> Response:
    """Set the security headers on ``response``."""
    response.headers.update(HEADERS)
    return response


def redirect_from_base_uri(response: Response) -> Response:
    """An absolute ``Location`` (Werkzeug's trailing-slash 308 builds one from the client's
    ``Host`` header) rebuilt on the configured base URI, so no header picks the target."""
    location = response.headers.get("Location", "")
    if 300 <= response.status_code < 400 and "://" in location:
        base = current_app.extensions["publisher.settings"].base_uri
        parts = urlsplit(location)
        query = f"?{parts.query}" if parts.query else ""
        response.headers["Location"] = base + parts.path.lstrip("/") + query
    return response


def init_app(app: Flask) -> None:
    """Refuse odd paths early, add the headers to every response of ``app`` and build
    redirects from the base URI."""
    app.before_request(refuse_odd_paths)
    app.after_request(add_headers)
    app.after_request(redirect_from_base_uri)
