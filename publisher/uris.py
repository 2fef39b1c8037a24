"""Every IRI we mint, and the mapping between IRIs and site paths.

Patterns (``B`` is ``Settings.base_uri``), following "Cool URIs for the Semantic Web":

- things:     ``B id/<path>``, e.g. ``B id/institucion/gad-municipal-loja``
- documents:  ``B doc/<path>``: the page or data describing ``B id/<path>``
- vocabulary: ``LOTAIP`` terms, served at ``B def/<term>``

Templates and views call these helpers; nobody joins strings into IRIs elsewhere.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import URIRef

from publisher.vocab import LOTAIP

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation and runs of space folded to one space."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", ascii_text).strip()


def slugify(text: str, max_words: int | None = None) -> str:
    """``"Dirección Financiera"`` -> ``"direccion-financiera"``."""
    words = normalise(text).split()
    if max_words is not None:
        words = words[:max_words]
    return "-".join(words) or "sin-nombre"


class Urls:
    """IRI builder bound to one base URI (like Datasette's ``Urls``)."""

    def __init__(self, base_uri: str) -> None:
        self.base = base_uri

    def thing(self, path: str) -> URIRef:
        """The IRI of a thing: ``B id/<path>``."""
        return URIRef(f"{self.base}id/{path}")

    def is_thing(self, iri: str) -> bool:
        """True when ``iri`` is one of our ``/id/`` IRIs."""
        return iri.startswith(f"{self.base}id/")

    def doc_path(self, iri: str) -> str | None:
        """Site path of the document describing ``iri`` (``/doc/...``, ``/def/...``), or None."""
        if iri.startswith(f"{self.base}id/"):
            return "/doc/" + iri[len(self.base) + 3 :]
        if iri.startswith(str(LOTAIP)):
            return "/def/" + iri[len(LOTAIP) :]
        return None

    def iri_for_path(self, path: str) -> URIRef:
        """The thing described at ``/doc/<path>`` (``path`` without ``/doc/``)."""
        return self.thing(path.strip("/"))
