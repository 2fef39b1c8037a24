"""Screenshots of the site for the docs, taken with headless Chromium (Playwright).

    .venv/bin/python docs/screenshots.py [--data DATA] [--only sparql.png ...]

Builds the bundled example reports into a temporary folder (or uses the build in
``--data``), serves it on a free port of 127.0.0.1 and writes each page in SHOTS to
``docs/img/``. Add a page by adding a line to SHOTS.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

from publisher.settings import load
from publisher.store.embedded import PublishedStore
from publisher.web import create_app

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

#: file name -> (path on the site, a selector to wait for before the shot)
SHOTS: dict[str, tuple[str, str]] = {
    "home.png": ("/", "main"),
    "institution.png": ("/doc/institucion/gad-municipal-loja", "main svg"),
    "search.png": ("/browse?q=gestion", "main"),
    "sparql.png": (
        "/sparql?example=01-targets-per-institution&lang=en",
        # YASR's table when ``make`` vendored it, else the page's own
        "#results .yasr table tbody tr"
        if (ROOT / "site" / "static" / "vendor" / "yasr.min.js").is_file()
        else "#results table tbody tr",
    ),
}


def build(out: Path) -> Path:
    """Build the bundled examples into ``out`` with the project's own CLI."""
    command = [sys.executable, "-m", "publisher", "build", str(ROOT / "examples" / "reports")]
    subprocess.run([*command, "--out", str(out)], check=True, cwd=ROOT)
    return out


def shoot(data: Path, only: list[str] | None = None) -> None:
    """Serve ``data`` and write every page of SHOTS (or those in ``only``) to docs/img/."""
    from playwright.sync_api import sync_playwright

    settings = load(env={}, data_dir=data, site_dir=ROOT / "site")
    app = create_app(settings, PublishedStore(data))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=FLAGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            for name, (path, ready) in SHOTS.items():
                if only and name not in only:
                    continue
                page.goto(base + path)
                page.locator(ready).first.wait_for(timeout=30_000)
                page.screenshot(path=str(OUT / name), full_page=True)
                sys.stdout.write(f"{OUT / name}\n")
            browser.close()
    finally:
        server.shutdown()
        app.extensions["publisher.sparql"].close()


def main() -> None:
    """Take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="a built data folder (default: build one)")
    parser.add_argument(
        "--only", action="append", choices=sorted(SHOTS), help="take only this shot"
    )
    args = parser.parse_args()
    if args.data:
        shoot(args.data, args.only)
        return
    with tempfile.TemporaryDirectory() as tmp:
        shoot(build(Path(tmp) / "data"), args.only)


if __name__ == "__main__":
    main()
