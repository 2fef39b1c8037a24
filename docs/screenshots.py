"""Screenshots of the site for the README and docs/site.md, from a real server.

Builds the five examples into a temporary folder, starts ``lotaip-lod serve`` on a free
loopback port, and photographs pages with Debian's headless chromium (Playwright) into
``docs/img/``: the home page, an institution page and a search with its facets.

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: File name -> page path, as a reader would open them.
PAGES = {
    "home.png": "/",
    "institution.png": "/doc/institucion/gad-municipal-loja",
    "search.png": "/browse?q=gestion",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer within {seconds} s")


def main() -> None:
    """Build, serve and photograph; the images are written to ``docs/img``."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        python = [sys.executable, "-m", "publisher"]
        subprocess.run(
            [*python, "build", str(ROOT / "examples" / "reports"), "--out", str(data)], check=True
        )
        port = _free_port()
        server = subprocess.Popen(
            [*python, "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port)]
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=FLAGS
                )
                page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="es-EC")
                for name, path in PAGES.items():
                    page.goto(base + path)
                    page.screenshot(path=str(OUT / name))
                    sys.stdout.write(f"{OUT / name}\n")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
