"""Every IRI we mint, and the mapping between IRIs and site paths.

Patterns (``B`` is ``Settings.base_uri``), following "Cool URIs for the Semantic Web":

- things:     ``B id/<path>``, e.g. ``B id/institucion/gad-municipal-loja``
- documents:  ``B doc/<path>``: the page or data describing ``B id/<path>``
- vocabulary: ``LOTAIP`` terms, served at ``B def/<term>``

Templates and views call these helpers; nobody joins strings into IRIs elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from datetime import date

from rdflib import URIRef

from publisher.vocab import LOTAIP

_NON_WORD = re.compile(r"[^a-z0-9]+")
_UNSAFE_VERSION = re.compile(r"[^0-9A-Za-z.+]+")


@functools.lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation and runs of space folded to one space.

    Cached: a report normalises the same texts many times (a unit's name on each of its
    rows, the registry's names for every report), and a text with accents costs a
    Python step a character."""
    if not text.isascii():  # ASCII is its own NFKD form, with no combining marks
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if c.isascii() or not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.lower()).strip()


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

    def doc_path(self, iri: str) -> str | None:
        """Site path of the document describing ``iri`` (``/doc/...``, ``/def/...``), or None."""
        if iri.startswith(f"{self.base}id/"):
            return "/doc/" + iri[len(self.base) + 3 :]
        if iri.startswith(str(LOTAIP)):
            return "/def/" + iri[len(LOTAIP) :]
        return None

    # --- minting: one method per kind of thing; ``mapping.py`` names them in mappings/ ---

    def institution(self, registry_id: str) -> URIRef:
        """``B id/institucion/{registry id}``."""
        return self.thing(f"institucion/{slugify(registry_id)}")

    def unit(self, institution: URIRef, name: str) -> URIRef:
        """``…/institucion/{inst}/unidad/{slug of name}``: units are keyed by name."""
        return URIRef(f"{institution}/unidad/{slugify(name)}")

    def objective(self, unit: URIRef, text: str) -> URIRef:
        """``…/unidad/{u}/objetivo/{key}``."""
        return URIRef(f"{unit}/objetivo/{text_key(text)}")

    def indicator(self, objective: URIRef, text: str) -> URIRef:
        """``…/objetivo/{o}/indicador/{key}``."""
        return URIRef(f"{objective}/indicador/{text_key(text)}")

    def target(self, parent: URIRef, text: str) -> URIRef:
        """``…/indicador/{i}/meta/{key}`` (or under the objective when no indicator)."""
        return URIRef(f"{parent}/meta/{text_key(text)}")

    def activity(self, parent: URIRef, text: str) -> URIRef:
        """``…/indicador/{i}/actividad/{key}`` (or under the objective)."""
        return URIRef(f"{parent}/actividad/{text_key(text)}")

    def note(self, report: URIRef, text: str) -> URIRef:
        """A sentence standing in place of rows: ``…/reporte/{inst}/{period}/nota/{key}``."""
        return URIRef(f"{report}/nota/{text_key(text)}")

    def report(self, institution_id: str, updated: date | None, sha256: str) -> URIRef:
        """The report's named graph (and dataset): ``B id/reporte/{inst}/{yyyy-mm}``.

        Without a date the period is unknown, so the file's content names it instead.
        """
        period = f"{updated:%Y-%m}" if updated is not None else sha256[:12]
        return URIRef(f"{self._reports_of(institution_id)}/{period}")

    def _reports_of(self, institution_id: str) -> URIRef:
        """``B id/reporte/{inst}``: under it, the institution's reports."""
        return self.thing(f"reporte/{slugify(institution_id)}")

    def owned_prefixes(self, institution_id: str) -> tuple[str, str, str]:
        """What the IRIs a report of the institution mints start with: its own IRI whole
        (``…>`` in N-Triples), its nodes (``…/unidad/…``) and its reports' nodes. No other
        institution's report mints such an IRI."""
        institution = str(self.institution(institution_id))
        return f"{institution}>", f"{institution}/", f"{self._reports_of(institution_id)}/"

    def current_state(self) -> URIRef:
        """The current state (the embedded store's default graph) as a remote store holds
        it, a named graph: ``B id/actual``."""
        return self.thing("actual")

    def history(self) -> URIRef:
        """The named graph holding every report's statements, all months: ``B id/historial``."""
        return self.thing("historial")

    def changes(self) -> URIRef:
        """The named graph of what changed between an institution's consecutive reports:
        ``B id/cambios``."""
        return self.thing("cambios")

    def contact(self, report: URIRef) -> URIRef:
        """The report's contact point (a vCard individual)."""
        return URIRef(f"{report}/contacto")

    def generation(self, report: URIRef) -> URIRef:
        """The activity that generated the report's graph."""
        return URIRef(f"{report}/generacion")

    def source_file(self, sha256: str) -> URIRef:
        """A source file, named by its content: ``B id/fuente/{sha256}``."""
        return self.thing(f"fuente/{sha256.lower()}")

    def software(self, version: str) -> URIRef:
        """This software at one version: ``B id/software/lotaip-lod/{version}``."""
        return self.thing(f"software/lotaip-lod/{_UNSAFE_VERSION.sub('-', version)}")

    @staticmethod
    def process_level(key: str) -> URIRef:
        """A process level concept of the vocabulary: ``LOTAIP nivel/{key}``."""
        return LOTAIP[f"nivel/{key}"]

    @staticmethod
    def numbered(iri: URIRef, n: int) -> URIRef:
        """The ``n``-th thing with the same text under one parent: ``{iri}-{n}`` (n ≥ 2)."""
        return URIRef(f"{iri}-{n}")


def text_key(text: str, words: int = 6) -> str:
    """A key stable across republication: slug of the first words + 8 hex of a text hash.

    The hash is over the normalised full text, so case, accents, punctuation and spacing
    changes keep the key, and two texts that share their first words still differ.
    """
    digest = hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()[:8]
    return f"{slugify(text, max_words=words)}-{digest}"
