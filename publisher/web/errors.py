"""The one place the web app turns an exception into a response.

Browsers get an HTML page (a 404 says where to look instead); every other client gets
one fixed JSON shape, ``{"error": "<message>", "status": <code>}``, pinned by a test.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from publisher.errors import NotFound, PublisherError, QueryError, SettingsError, StoreError
from publisher.web import conneg

#: Status for each kind of library error; the first match wins.
STATUS: tuple[tuple[type[PublisherError], int], ...] = (
    (NotFound, 404),
    (QueryError, 400),
    (StoreError, 503),
    (SettingsError, 500),
    (PublisherError, 500),
)


def error_response(status: int, message: str) -> Response:
    """HTML for browsers, the fixed JSON shape for everyone else."""
    if conneg.wants_html(request):
        html = render_template("error.html", status=status, message=message)
        response = Response(html, status=status, mimetype="text/html")
    else:
        body = conneg.json_text({"error": message, "status": status})
        response = Response(body, status=status, mimetype="application/json")
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


def handle_http(err: HTTPException) -> Response:
    """Werkzeug's errors (404, 405, 400 …) in our shapes, keeping their extra headers."""
    status = err.code or 500
    response = error_response(status, err.description or err.name)
    if status == 405 and err.get_headers():
        response.headers.update({k: v for k, v in err.get_headers() if k == "Allow"})
    return response


def handle_publisher(err: PublisherError) -> Response:
    """A library error, with the status its kind maps to and its message as written."""
    status = next(code for kind, code in STATUS if isinstance(err, kind))
    if status >= 500:
        current_app.logger.error("%s: %s", type(err).__name__, err)
    return error_response(status, str(err))


def handle_unexpected(err: Exception) -> Response:
    """A bug: logged with its traceback, answered as a plain 500 without details."""
    current_app.logger.exception("unhandled error on %s", request.path)
    return error_response(500, "internal server error")


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(PublisherError, handle_publisher)
    app.register_error_handler(Exception, handle_unexpected)
