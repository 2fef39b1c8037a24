"""The Content-Security-Policy in a real chromium: no page of the site trips it.

Each page is loaded in Debian's chromium over ``lotaip-lod serve`` on the built examples;
any ``securitypolicyviolation`` event or CSP console message fails the test, so a
template or script that needs inline code is caught here, not by users.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.live]
PAGES = [
    "",
    "browse?q=agua",
    "downloads",
    "def/",
    "sparql",
    "doc/institucion/gad-municipal-loja",
    "no/such/page",
]
#: Records CSP violations before any script of the page runs.
LISTEN = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.mark.parametrize("path", PAGES)
def test_no_page_violates_the_policy(chromium, live_server: str, path: str) -> None:
    page = chromium.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    try:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
    finally:
        page.close()
    assert violations == []
    assert [line for line in console if "Content Security Policy" in line] == []
