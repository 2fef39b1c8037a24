"""The numeral 1.3 planning-system link on indicator and target pages (issue 13).

A real build of two trio fixtures (SOT writes an https address in its Enlace column,
Alausí writes ``NO APLICA`` / ``INFORMACIÓN NO DISPONIBLE``), served by the real app.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from rdflib import URIRef

from publisher.settings import Settings

TRIOS = Path(__file__).resolve().parent / "data" / "trios"
LINK = "https://www.sot.gob.ec/transparencia/gpr/"
LOTAIP = "https://w3id.org/lotaip/def/"


def _doc(settings: Settings, iri: URIRef) -> str:
    return "/doc/" + str(iri).removeprefix(f"{settings.base_uri}id/")


def test_indicator_and_target_pages_show_the_planning_link(
    tmp_path: Path, settings: Settings
) -> None:
    from publisher.build.pipeline import build
    from publisher.store.embedded import open_store
    from publisher.web import create_app

    folder = tmp_path / "2025"
    folder.mkdir()
    for trio in ("sot-2025-02", "alausi-2025-01"):  # both trios in one folder, as published
        for file in (TRIOS / trio).iterdir():
            shutil.copy(file, folder)
    build([folder], settings, quiet=True)
    store = open_store(settings)
    linked = store.select(
        f"SELECT ?i ?t WHERE {{ ?i <{LOTAIP}planningSystemLink> ?l . "
        f"?t <{LOTAIP}isTargetOf> ?i }} LIMIT 1"
    )[0]
    noted = store.select(
        f"SELECT ?i ?n WHERE {{ ?i <{LOTAIP}planningLinkNote> ?n }} ORDER BY ?i LIMIT 1"
    )[0]
    client = create_app(settings).test_client()
    anchor = f'<a href="{LINK}" rel="external noopener">{LINK}</a>'
    for iri in (linked["i"], linked["t"]):
        page = client.get(_doc(settings, iri))
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        planning = re.search(r'<p class="planning">.*?</p>', html, re.S)
        assert planning is not None and anchor in planning.group(0)
        assert "Enlace al sistema de gestión de planificación" in planning.group(0)
    page = client.get(_doc(settings, noted["i"]))
    planning = re.search(r'<p class="planning">.*?</p>', page.get_data(as_text=True), re.S)
    assert planning is not None
    assert f"<span>{noted['n']}</span>" in planning.group(0)
    assert "<a " not in planning.group(0)  # a note is text, never a link
    english = client.get(_doc(settings, linked["i"]) + "?lang=en").get_data(as_text=True)
    assert "Planning system link" in english
