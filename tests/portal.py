"""A replica of institutions' transparency portals, served by a real HTTP server on loopback.

``replica()`` builds the pages and files (from the example reports) in the shapes portals
really have; ``synthetic(n)`` builds ``n`` small institutions for the benchmark;
``serve(portal)`` starts a ``ThreadingHTTPServer`` on 127.0.0.1 with a free port. The server
answers conditional GETs (ETag, Last-Modified), logs every request, and plays the faults
a ``Route`` names: a redirect, 500s that recover, a slow answer, a fixed status, a body
cut short of its Content-Length.

Pages in the replica (``{base}`` is the server's URL):

- Loja: ``/loja/transparencia/2019.html``, a table of months × literals a1..a5; the a4
  column links August's report (an absolute URL answering with a redirect) and July's,
  which is an HTML error page served as ``.pdf``; the other literals' PDFs are ignored,
  and robots.txt forbids ``/privado/``.
- SOT: ``/sot/transparencia/`` -> ``2023`` -> month pages (nested, relative links); January's
  "Literal a4) Metas y Objetivos" has spaces and accents in its URL, written raw in the
  page; February's link is broken (404).
- Alausí: ``/alausi/lotaip.html``, a list: May 2021's CSV answers 500 once, then 200; June's
  answers slowly; July's is under ``/privado/``, which robots.txt forbids; "Informe
  final.pdf" has no literal mark (unclassified).
- CONGOPE: ``/congope/transparencia-2023.html``, numeral 1.3 trios: March's three CSV files
  (a real trio, ``tests/data/trios/sot-2025-02``, dated February 2025 by its metadata),
  April's without its diccionario.
- AME: a direct file URL, ``/ame/files/1-4_Metas y Objetivos.txt`` (month from the sources).
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
DATA = Path(__file__).resolve().parent / "data" / "reports"
#: A real numeral 1.3 trio (made by the tests' trio corpus), served as CONGOPE's months.
TRIO = Path(__file__).resolve().parent / "data" / "trios" / "sot-2025-02"
TRIO_STEM = "1.3 Metas y Objetivos de las Unidades Administrativas - Febrero 2025"
TRIO_NAMES = {"conjunto-de-datos": "conjunto de datos", "metadatos": "Metadatos",
              "diccionario": "Diccionario"}  # fmt: skip
LAST_MODIFIED = "Mon, 02 Jan 2023 10:00:00 GMT"


@dataclass
class Route:
    """What the server answers at one path."""

    body: bytes = b""
    media_type: str = "text/html; charset=utf-8"
    status: int = 200
    redirect: str | None = None  # a path: answer 302 to it
    fail_first: int = 0  # answer 500 to the first N requests
    delay: float = 0.0  # seconds to wait before answering
    short: bool = False  # declare a longer Content-Length than the body sent
    validators: bool = True  # send ETag and Last-Modified
    # wait here until as many requests meet (other servers' too): proves they overlap;
    # 503 when they do not meet within the barrier's timeout
    meet: threading.Barrier | None = None


@dataclass
class Portal:
    """The routes of a portal replica and the requests it received."""

    routes: dict[str, Route] = field(default_factory=dict)
    log: list[tuple[str, int]] = field(default_factory=list)  # (path, status)
    base: str = ""  # set by ``serve``
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page(self, path: str, html: str) -> None:
        """Add an HTML page; ``{base}`` in it becomes the server's URL when served."""
        self.routes[path] = Route(html.encode("utf-8"))

    def file(self, path: str, body: bytes, media_type: str, **faults: object) -> None:
        """Add a file, optionally with faults (``Route`` fields)."""
        self.routes[path] = Route(body, media_type, **faults)  # type: ignore[arg-type]

    def statuses(self, prefix: str = "") -> list[int]:
        """Statuses answered to paths starting with ``prefix``, in order."""
        return [status for path, status in self.log if path.startswith(prefix)]


class _Handler(BaseHTTPRequestHandler):
    portal: Portal
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do: every answer has a length

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold each body back ~40 ms (real servers set it too)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = unquote(urlsplit(self.path).path)
        route = self.portal.routes.get(path)
        with self.portal.lock:
            hit = self.portal.hits[path] = self.portal.hits.get(path, 0) + 1
        if route is None:
            return self._answer(path, 404, b"<html><body>No encontrado</body></html>")
        if route.delay:
            time.sleep(route.delay)
        if route.meet is not None:
            try:
                route.meet.wait()
            except threading.BrokenBarrierError:
                return self._answer(path, 503, b"<html><body>Nadie vino</body></html>")
        if hit <= route.fail_first:
            return self._answer(path, 500, b"<html><body>Error interno</body></html>")
        if route.redirect is not None:
            return self._answer(path, 302, b"", {"Location": quote(route.redirect)})
        if route.status != 200:
            return self._answer(path, route.status, route.body)
        body = route.body.replace(b"{base}", self.portal.base.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED} if route.validators else {}
        if route.validators and self.headers.get("If-None-Match") == etag:
            return self._answer(path, 304, b"", headers)
        if route.short:
            headers["Content-Length"] = str(len(body) + 1000)
        return self._answer(path, 200, body, {"Content-Type": route.media_type, **headers})

    def _answer(
        self, path: str, status: int, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        with self.portal.lock:
            self.portal.log.append((path, status))
        self.send_response(status)
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if status != 304:
            # the client may have given up (a timeout)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)
        if headers["Content-Length"] != str(len(body)):
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@contextmanager
def serve(portal: Portal) -> Iterator[Portal]:
    """Serve ``portal`` on 127.0.0.1 (a free port) while the block runs."""
    handler = type("Handler", (_Handler,), {"portal": portal})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    portal.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()


def _table(year: str, rows: list[tuple[str, list[str]]]) -> str:
    """A months × literals table, as many portals publish it."""
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Mes",
            "a1) Estructura orgánica",
            "a2) Base legal",
            "a3) Regulaciones",
            "a4) Metas y objetivos de las unidades",
            "a5) Servicios",
        )
    )
    body = "".join(
        f"<tr><td>{month}</td>{''.join(f'<td>{c}</td>' for c in cells)}</tr>"
        for month, cells in rows
    )
    return f"<h2>Transparencia {year}</h2><table><tr>{head}</tr>{body}</table>"


def replica() -> Portal:
    """The portal replica described in the module docstring."""
    portal = Portal()
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    portal.file("/robots.txt", b"User-agent: *\nDisallow: /privado/\n", "text/plain")
    # Loja: months x literals
    other = [f'<a href="/loja/docs/a{n}-2019.pdf">Descargar</a>' for n in (1, 2, 3)]
    portal.page(
        "/loja/transparencia/2019.html",
        "<html><body><h1>LOTAIP</h1>"
        + _table(
            "2019",
            [
                ("Julio", [*other, '<a href="../docs/a4-julio-2019.pdf">Descargar</a>', ""]),
                (
                    "Agosto",
                    [
                        *other,
                        '<a href="{base}/loja/docs/a4-2019-08.txt">Descargar</a>',
                        '<a href="/privado/a5.pdf">a5</a>',
                    ],
                ),
            ],
        )
        + '<p><a href="mailto:lotaip@loja.gob.ec">Contacto</a></p></body></html>',
    )
    for n in (1, 2, 3):
        portal.file(f"/loja/docs/a{n}-2019.pdf", pdf, "application/pdf")
    portal.routes["/loja/docs/a4-2019-08.txt"] = Route(redirect="/loja/archivo/a4-2019-08.txt")
    portal.file("/loja/archivo/a4-2019-08.txt", (EXAMPLES / "loja-2019-08.txt").read_bytes(),
                "text/plain; charset=utf-8")  # fmt: skip
    error_page = b"<!DOCTYPE html><html><body><h1>Error 500</h1>Archivo no disponible</body></html>"
    portal.file("/loja/docs/a4-julio-2019.pdf", error_page, "application/pdf")
    # SOT: nested pages, relative links, spaces and accents, a redirect, a 404
    portal.page(
        "/sot/transparencia/",
        '<html><body><ul><li><a href="2023/">Transparencia 2023</a></li>'
        '<li><a href="/sot/noticias.html">Noticias</a></li></ul></body></html>',
    )
    portal.page(
        "/sot/transparencia/2023/",
        '<html><body><h2>Año 2023</h2><a href="enero.html">Enero</a> '
        '<a href="febrero.html">Febrero</a></body></html>',
    )
    sot_file = "/sot/Año 2023/Enero/Literal a4) Metas y Objetivos – Planificación.txt"
    portal.page(
        "/sot/transparencia/2023/enero.html",
        "<html><body><h3>Enero 2023</h3><ul>"
        '<li><a href="/sot/a1.pdf">Literal a1) Estructura orgánica</a></li>'
        f'<li><a href="{sot_file}">Literal a4) Metas y objetivos</a></li></ul></body></html>',
    )
    portal.file(sot_file, (EXAMPLES / "sot-2023-01.txt").read_bytes(), "text/plain")
    portal.file("/sot/a1.pdf", pdf, "application/pdf")
    portal.page(
        "/sot/transparencia/2023/febrero.html",
        '<html><body><h3>Febrero 2023</h3><a href="/sot/docs/a4 febrero.pdf">'
        "Literal a4) Metas y objetivos</a></body></html>",
    )
    # Alausí: a list; a 500 that recovers, a slow answer, an unclassified file
    portal.page(
        "/alausi/lotaip.html",
        "<html><body><h2>LOTAIP 2021</h2><ul>"
        '<li><a href="docs/a4-mayo-2021.csv">Literal a4 - Mayo 2021</a></li>'
        '<li><a href="docs/a4-junio-2021.txt">Literal a4 - Junio 2021</a></li>'
        '<li><a href="docs/Informe final.pdf">Informe final</a></li>'
        '<li><a href="docs/b1-mayo-2021.pdf">Literal b1 - Mayo 2021</a></li>'
        '<li><a href="/privado/a4-julio-2021.txt">Literal a4 - Julio 2021</a></li>'
        "</ul></body></html>",
    )
    portal.file("/alausi/docs/a4-mayo-2021.csv", (DATA / "alausi-2021-05.csv").read_bytes(),
                "text/csv", fail_first=1)  # fmt: skip
    portal.file("/alausi/docs/a4-junio-2021.txt", b"late", "text/plain", delay=3.0)
    portal.file("/alausi/docs/Informe final.pdf", pdf, "application/pdf")
    portal.file("/alausi/docs/b1-mayo-2021.pdf", pdf, "application/pdf")
    # CONGOPE: numeral 1.3 trios, April's without its dictionary
    rows = ""
    for month, parts in (("Marzo", 3), ("Abril", 2)):
        names = ("conjunto-de-datos", "metadatos", "diccionario")[:parts]
        links = " ".join(
            f'<a href="/congope/csv/1.3-metas-y-objetivos-{month.lower()}-2023-{n}.csv">{n}</a>'
            for n in names
        )
        rows += f"<tr><td>{month} 2023</td><td></td><td>{links}</td></tr>"
        for name in names:
            body = TRIO / f"{TRIO_STEM} ({TRIO_NAMES[name]}).csv"
            portal.file(f"/congope/csv/1.3-metas-y-objetivos-{month.lower()}-2023-{name}.csv",
                        body.read_bytes(), "text/csv")  # fmt: skip
    portal.page(
        "/congope/transparencia-2023.html",
        "<html><body><table><tr><th>Mes</th><th>1.1 Estructura</th>"
        f"<th>1.3 Metas y objetivos</th></tr>{rows}</table></body></html>",
    )
    # AME: a direct file URL
    portal.file("/ame/files/1-4_Metas y Objetivos.txt", (EXAMPLES / "ame-2015-09.txt").read_bytes(),
                "text/plain")  # fmt: skip
    return portal


def replica_sources(portal: Portal) -> str:
    """The sources CSV of the replica (the server must be running: URLs need its port)."""
    b = portal.base
    return (
        "institution,url,months\n"
        f"gad-municipal-loja,{b}/loja/transparencia/2019.html,\n"
        f"sot,{b}/sot/transparencia/,2023-01..2023-12\n"
        f"gad-municipal-alausi,{b}/alausi/lotaip.html,\n"
        f"congope,{b}/congope/transparencia-2023.html,\n"
        f"ame,{b}/ame/files/1-4_Metas%20y%20Objetivos.txt,2015-09\n"
    )


def synthetic(count: int, report: bytes) -> Portal:
    """``count`` institutions, each a page of 12 months × 5 literals with one a4 file per
    month (the same small report: for fetching, not building)."""
    portal = Portal()
    portal.file("/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain")
    months = list(("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                   "septiembre", "octubre", "noviembre", "diciembre"))  # fmt: skip
    for i in range(count):
        rows = []
        for m, month in enumerate(months, start=1):
            cells = [f'<a href="docs/a{n}-{m:02d}.pdf">Ver</a>' for n in (1, 2, 3)]
            cells.append(f'<a href="docs/a4-2023-{m:02d}.txt">Descargar</a>')
            cells.append("")
            rows.append((month.capitalize(), cells))
            portal.file(f"/i{i}/docs/a4-2023-{m:02d}.txt", report, "text/plain")
        portal.page(f"/i{i}/lotaip.html", f"<html><body>{_table('2023', rows)}</body></html>")
    return portal
