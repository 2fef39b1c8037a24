"""Time for the SPARQL page to draw an answer of N rows: YASR's table vs our plain table.

    .venv/bin/python benchmarks/bench_sparql_page.py [--rows 100 1000 10000] [--repeat 3]

Builds an in-memory store of N synthetic targets (each an /id/ IRI with a label, a class
and a number, so every cell goes through the page's rendering rule: label and local link,
/def/ link, number with its type on hover), serves the whole app on a free port, and
opens /sparql in headless chromium twice: with the vendored YASQE + YASR
(``site/static/vendor/``, ``make``) and with a copy of the site without vendor files
(the page's own table). For each N it clicks Run on

    SELECT ?t ?tLabel ?v ?class WHERE { ?t a ?class ; rdfs:label ?tLabel ; qudt:numericValue ?v }

and measures in the page, from the click to the status line announcing the rows plus one
animation frame (the table laid out):

- total: click -> drawn;
- draw: total minus the time to the answer's text (the "· X ms" the status line shows),
  i.e. parsing the JSON and building the table.

Medians of ``--repeat`` runs (the first run of each N warms the server's answer cache;
both views get the same answers). YASR draws one page (50 rows) and keeps the rest for
paging and sorting; our table draws every row.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.settings import load  # noqa: E402
from publisher.store.embedded import OxigraphStore  # noqa: E402
from publisher.web import create_app  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ID = "http://localhost:8000/id/"
L = "https://w3id.org/lotaip/def/"
QUERY = (
    "SELECT ?t ?tLabel ?v ?class WHERE { ?t a ?class ; rdfs:label ?tLabel ; qudt:numericValue ?v }"
)
#: Runs the query from the page and resolves, once the status line announces the rows and
#: a frame has been laid out, to [total ms, ms to the answer's text].
MEASURE = """rows => new Promise(resolve => {
  const status = document.getElementById('status');
  const editor = document.querySelector('.CodeMirror');
  const query = %s;
  if (editor) { editor.CodeMirror.setValue(query); }
  else { document.getElementById('query').value = query; }
  status.textContent = '';
  const t0 = performance.now();
  const seen = new MutationObserver(() => {
    const m = status.textContent.match(new RegExp('^' + rows + ' rows · (\\\\d+) ms'));
    if (!m) { return; }
    seen.disconnect();
    requestAnimationFrame(() => setTimeout(() => resolve([performance.now() - t0, +m[1]])));
  });
  seen.observe(status, {childList: true, characterData: true, subtree: true});
  document.getElementById('run').click();
})"""


def make_store(rows: int) -> OxigraphStore:
    """An in-memory store of ``rows`` targets in the default graph."""
    store = OxigraphStore(None)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    value = ox.NamedNode("http://qudt.org/schema/qudt/numericValue")
    target = ox.NamedNode(L + "Target")
    quads = []
    for i in range(rows):
        s = ox.NamedNode(f"{ID}institucion/gad-{i % 50}/meta/m-{i}")
        quads += [
            ox.Quad(s, rdf_type, target, ox.DefaultGraph()),
            ox.Quad(s, label, ox.Literal(f"Meta {i} de cobertura"), ox.DefaultGraph()),
            ox.Quad(
                s,
                value,
                ox.Literal(
                    str(i % 101), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
                ),
                ox.DefaultGraph(),
            ),
        ]
    store.native.extend(quads)
    return store


@contextmanager
def serve(store: OxigraphStore, site: Path, tmp: Path) -> Iterator[str]:
    settings = load(
        env={}, data_dir=tmp / "data", site_dir=site, sparql_rate_limit=0, request_log=False
    )
    app = create_app(settings, store)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        app.extensions["publisher.sparql"].close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    site = ROOT / "site"
    if not (site / "static" / "vendor" / "yasr.min.js").is_file():
        sys.exit(
            "site/static/vendor/yasr.min.js missing: run 'make site/static/vendor/yasqe.min.js'"
        )
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("publisher.requests").setLevel(logging.ERROR)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmpdir, sync_playwright() as pw:
        tmp = Path(tmpdir)
        plain = tmp / "site"
        shutil.copytree(site, plain, ignore=shutil.ignore_patterns("vendor"))
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        print(f"{'rows':>6} {'view':<12} {'total ms':>9} {'draw ms':>8}")
        for rows in args.rows:
            store = make_store(rows)
            for view, where in (("YASR", site), ("own table", plain)):
                with serve(store, where, tmp) as url:
                    page = browser.new_context(locale="en").new_page()
                    page.goto(url)
                    if view == "YASR":
                        page.locator(".CodeMirror").wait_for(timeout=10_000)
                    runs = []
                    for _ in range(args.repeat + 1):
                        total, fetched = page.evaluate(
                            MEASURE % repr(QUERY).replace("'", '"'), rows
                        )
                        runs.append((total, total - fetched))
                    page.context.close()
                runs = runs[1:]  # the first filled the answer cache
                total = statistics.median(r[0] for r in runs)
                draw = statistics.median(r[1] for r in runs)
                print(f"{rows:>6} {view:<12} {total:>9.0f} {draw:>8.0f}", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
