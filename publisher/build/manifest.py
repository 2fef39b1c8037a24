"""Build lists: a portal points ``build`` at a list of reports instead of naming files.

A list is CSV (header ``file,institution,period``), JSON or YAML (a list of objects with
those keys, or ``{"reports": [...]}``). ``file`` is a path (relative to the list's
folder) or an http(s) URL; ``institution`` a registry id; ``period`` ``YYYY-MM``. Only
``file`` is required::

    file,institution,period
    sot/2023-01.txt,sot,2023-01
    https://www.example.gob.ec/lotaip/a4-2023-02.csv,gad-municipal-loja,2023-02

URLs are fetched once, into ``downloads`` (a folder the caller owns), keeping the URL's
file name (its suffix tells the parser the format). Other schemes are refused.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from publisher.errors import PublisherError


class ManifestError(PublisherError):
    """A build list that cannot be read, or one of its files that cannot be fetched."""


#: How long a fetch may wait for a server (connect, read), in seconds.
TIMEOUT = (10, 60)
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Entry:
    """One report of a build list: where it is and what the list says of it."""

    source: str  # a path (absolute, or relative to the list) or an http(s) URL
    institution: str | None = None
    period: str | None = None

    @property
    def is_url(self) -> bool:
        """True when ``source`` is an http(s) URL."""
        return urlsplit(self.source).scheme in {"http", "https"}


def read_list(path: Path) -> list[Entry]:
    """The entries of the build list ``path`` (.csv, .json, .yaml/.yml)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ManifestError(f"cannot read the build list {path}: {err}") from err
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows: list[Any] = list(csv.DictReader(text.splitlines()))
    elif suffix in {".json", ".yaml", ".yml"}:
        rows = _structured(text, path)
    else:
        raise ManifestError(f"{path}: a build list is .csv, .json, .yaml or .yml")
    entries = [_entry(row, path, number) for number, row in enumerate(rows, start=1)]
    if not entries:
        raise ManifestError(f"{path}: the build list names no report")
    return entries


def _structured(text: str, path: Path) -> list[Any]:
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        raise ManifestError(f"{path}: not valid {path.suffix[1:].upper()}: {err}") from err
    if isinstance(data, dict):
        data = data.get("reports")
    if not isinstance(data, list):
        raise ManifestError(f"{path}: expected a list of reports (or {{'reports': [...]}})")
    return data


def _entry(row: Any, path: Path, number: int) -> Entry:
    where = f"{path}: report {number}"
    if not isinstance(row, dict):
        raise ManifestError(f"{where}: expected file, institution, period")
    values = {k.strip().lower(): str(v).strip() for k, v in row.items() if k and v is not None}
    source = values.get("file") or values.get("url") or values.get("path")
    if not source:
        raise ManifestError(f"{where}: no file")
    period = values.get("period") or None
    if period is not None and not PERIOD.match(period):
        raise ManifestError(f"{where}: period {period!r} is not YYYY-MM")
    scheme = urlsplit(source).scheme
    if scheme not in {"", "http", "https"} and not re.match(r"^[A-Za-z]:[\\/]", source):
        raise ManifestError(f"{where}: only http(s) URLs are fetched, not {scheme}:")
    if not scheme:
        source = str((path.parent / source).resolve())
    return Entry(source, values.get("institution") or None, period)


def fetch(entry: Entry, downloads: Path) -> Path:
    """The local file of ``entry``: its path, or its URL downloaded into ``downloads``."""
    if not entry.is_url:
        return Path(entry.source)
    import requests  # imported here: only lists with URLs need it

    name = Path(unquote(urlsplit(entry.source).path)).name or "report"
    # the URL's hash keeps two URLs ending in the same name apart
    folder = downloads / hashlib.sha256(entry.source.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    try:
        response = requests.get(entry.source, timeout=TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as err:
        raise ManifestError(f"cannot fetch {entry.source}: {err}") from err
    target.write_bytes(response.content)
    return target
