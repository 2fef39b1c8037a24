"""Which institution published a report, and which rule decided.

Rules, first match wins (``Institution.inferred_from`` names it):

1. ``option``: an explicit registry id (``lotaip-lod parse FILE --institution ID``);
2. ``manifest``: ``manifest.json`` beside the file, ``{"<file name>": {"institution": "<id>"}}``
   (or ``{"<file name>": "<id>"}``);
3. ``header``: a title line above the column headers naming it (AME's report);
4. ``email-domain``: the domain of the responsible person's e-mail (``…@loja.gob.ec``);
5. ``text``: the registry name, short name or alias met most often in the cells.

A numeral 1.3 report names its institution in its diccionario file instead, so after
``option`` and ``manifest`` only one rule applies (``resolve_declared``):

3. ``dictionary``: the full name of the diccionario's ``Institución`` row is one of a
   registry entry's names (case, accents and punctuation aside). Nothing is guessed from
   the other cells: a name the registry does not hold is an error saying so.

Ids come from the shipped registry (``registry/institutions.csv``). An id that is not in it,
or a report no rule identifies, is a ``ParseError`` that says what to do.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from publisher.enrichment.registry import RegistryEntry, by_domain, by_id, load_registry
from publisher.errors import ParseError
from publisher.records import Institution, Metadata
from publisher.uris import normalise

MANIFEST = "manifest.json"


def resolve(
    name: str,
    path: Path | None,
    titles: tuple[str, ...],
    metadata: Metadata,
    texts: tuple[str, ...],
    explicit: str | None = None,
    entries: list[RegistryEntry] | None = None,
) -> Institution:
    """The publishing institution of the report ``name`` (see the module docstring)."""
    entries = entries if entries is not None else load_registry()
    if explicit:
        return _known(entries, explicit, name, "option")
    if path is not None and (listed := manifest_id(path)):
        return _known(entries, listed, name, "manifest")
    if entry := _named_in(entries, titles):
        return _institution(entry, "header")
    if metadata.email and (entry := by_domain(entries, metadata.email)):
        return _institution(entry, "email-domain")
    if entry := _most_named(entries, texts):
        return _institution(entry, "text")
    raise ParseError(
        name,
        "cannot tell which institution published this report; pass --institution ID "
        f"(known: {', '.join(e.id for e in entries)})",
    )


def resolve_declared(
    name: str,
    path: Path | None,
    declared: str,
    line: int,
    explicit: str | None = None,
    entries: list[RegistryEntry] | None = None,
) -> Institution:
    """The institution of a numeral 1.3 report whose diccionario ``name`` declares it
    ``declared`` at ``line``; ``path`` is the data file (its manifest entry counts)."""
    entries = entries if entries is not None else load_registry()
    if explicit:
        return _known(entries, explicit, name, "option")
    if path is not None and (listed := manifest_id(path)):
        return _known(entries, listed, name, "manifest")
    key = normalise(declared)
    matches = [e for e in entries if key in {normalise(n) for n in e.names}]
    if len(matches) == 1:
        return _institution(matches[0], "dictionary")
    raise ParseError(
        name,
        f"the institution {declared!r} is not in the registry (registry/institutions.csv): "
        "add it there, or pass --institution ID",
        line,
    )


def manifest_id(path: Path) -> str | None:
    """The institution id that ``manifest.json`` beside ``path`` gives it, if any."""
    entry = manifest_entry(path)
    if isinstance(entry, dict):
        entry = entry.get("institution")
    return entry if isinstance(entry, str) and entry else None


def manifest_entry(path: Path) -> object:
    """What ``manifest.json`` beside ``path`` says of it (None when it says nothing): an
    id, or an object with ``institution`` and, for a harvested file, ``source`` (where and
    when it was fetched: ``publisher/harvest/state.py``)."""
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        return None
    try:
        listing = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ParseError(str(manifest), f"cannot read the manifest: {err}") from err
    return listing.get(path.name) if isinstance(listing, dict) else None


def _known(entries: list[RegistryEntry], id: str, name: str, rule: str) -> Institution:
    entry = by_id(entries, id)
    if entry is None:
        known = ", ".join(e.id for e in entries)
        raise ParseError(name, f"unknown institution id {id!r} (known: {known})")
    return _institution(entry, rule)


def _institution(entry: RegistryEntry, rule: str) -> Institution:
    return Institution(entry.id, entry.name, rule, entry.short_name, entry.domain)


def _named_in(entries: list[RegistryEntry], titles: tuple[str, ...]) -> RegistryEntry | None:
    """The entry whose full name or a long alias a title line contains."""
    padded = [f" {normalise(t)} " for t in titles]
    for entry in entries:
        names = [n for n in entry.names if len(n) > 12]
        if any(f" {normalise(n)} " in title for n in names for title in padded):
            return entry
    return None


def _most_named(entries: list[RegistryEntry], texts: tuple[str, ...]) -> RegistryEntry | None:
    """The entry whose names occur most often in the text (a unique best, else None)."""
    body = f" {' | '.join(normalise(t) for t in texts)} "
    hits: Counter[str] = Counter()
    for entry in entries:
        for alias in {normalise(n) for n in entry.names}:
            if len(alias) >= 3:
                hits[entry.id] += body.count(f" {alias} ")
    ranked = hits.most_common(2)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return by_id(entries, ranked[0][0])
