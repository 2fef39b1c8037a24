"""The harvest's folder: each institution's files as downloaded, and what we know of them.

::

    DIR/<institution>/<YYYY-MM>/<file name as on the portal>    the bytes, as downloaded
    DIR/<institution>/<YYYY-MM>/manifest.json                  one entry per file (below)
    DIR/<institution>/<YYYY-MM>/.previous/                     the version a new one replaced
    DIR/<institution>/<YYYY-MM>/.rejected/                     a download the build refused
    DIR/harvest-report.json                                    the last run's outcome

``manifest.json`` is the one the parser already reads beside a report
(``publisher/parse/institution.py``); the harvest adds to each file's entry where and when
its bytes were fetched, which the build publishes::

    {"a4-2019-08.pdf": {"institution": "gad-municipal-loja", "month": "2019-08",
      "source": {"url": "...", "final_url": "...", "retrieved": "2026-12-05T09:00:00Z",
                 "etag": "\\"abc\\"", "last_modified": "...", "media_type": "application/pdf",
                 "sha256": "...", "bytes": 12345}}}

That is also the harvest's state: a re-run sends each known URL's ETag/Last-Modified. Every
file, manifest included, is written whole then renamed into place, so a harvest killed at
any point leaves each file either as it was or complete.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from publisher.build.workers import write_atomic
from publisher.parse.institution import MANIFEST

PREVIOUS = ".previous"
REJECTED = ".rejected"
REPORT = "harvest-report.json"
_MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: Manifests are read, changed and written under this lock (hosts run in threads).
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Known:
    """A file the harvest holds: its path and its manifest entry."""

    path: Path
    entry: dict[str, Any]

    @property
    def source(self) -> dict[str, Any]:
        """The entry's provenance record (empty when it has none)."""
        source = self.entry.get("source")
        return source if isinstance(source, dict) else {}


def month_dir(out: Path, institution: str, month: str) -> Path:
    """The folder of one institution's month."""
    return out / institution / month


def month_dirs(out: Path) -> list[Path]:
    """Every institution's month folders holding a file, sorted."""
    return sorted(
        folder
        for folder in out.glob("*/*")
        if folder.is_dir()
        and _MONTH_DIR.match(folder.name)
        and any(p.is_file() and p.name != MANIFEST for p in _visible(folder))
    )


def _visible(folder: Path) -> Iterator[Path]:
    return (p for p in folder.iterdir() if not p.name.startswith("."))


def file_name(url: str) -> str:
    """The file name a URL gives (decoded, without folders); "report" when it has none."""
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    name = re.sub(r"[\x00-\x1f/\\]", "_", name).strip(" .")
    return name if name and name != MANIFEST else "report"


def read_manifest(folder: Path) -> dict[str, Any]:
    """The entries of ``folder/manifest.json`` (none when it is missing or unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def index(out: Path, institution: str) -> dict[str, Known]:
    """The files held for ``institution``, by URL; a rejected download wins over the file
    kept in its place (asking with its ETag, an unchanged portal answers 304)."""
    known: dict[str, Known] = {}
    for folder in sorted((out / institution).glob("*")):
        for where in (folder, folder / REJECTED):
            for name, entry in read_manifest(where).items():
                url = entry.get("source", {}).get("url") if isinstance(entry, dict) else None
                if url and (where / name).is_file():
                    known[url] = Known(where / name, entry)
    return known


def save(folder: Path, name: str, body: bytes, entry: dict[str, Any]) -> Path:
    """Write a downloaded file and its manifest entry; the version it replaces (and its
    entry) moves to ``.previous/``. The file is in place before its entry names it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with _LOCK:
        manifest = read_manifest(folder)
        if target.is_file() and name in manifest:
            _put(folder / PREVIOUS, target, manifest.pop(name))
        write_atomic(target, body)
        manifest[name] = entry
        _write_manifest(folder, manifest)
    return target


def update_entry(path: Path, entry: dict[str, Any]) -> None:
    """Replace the manifest entry of ``path`` (new ETag for the same bytes)."""
    with _LOCK:
        manifest = read_manifest(path.parent)
        manifest[path.name] = entry
        _write_manifest(path.parent, manifest)


def reject(path: Path, reason: str) -> None:
    """Move a downloaded file the build refused to ``.rejected/`` (with ``reason`` in its
    entry) and put back the version it replaced, if any: what was published stays."""
    folder = path.parent
    with _LOCK:
        manifest = read_manifest(folder)
        _put(folder / REJECTED, path, {**manifest.pop(path.name, {}), "rejected": reason})
        previous = read_manifest(folder / PREVIOUS)
        if path.name in previous and (folder / PREVIOUS / path.name).is_file():
            (folder / PREVIOUS / path.name).replace(path)
            manifest[path.name] = previous.pop(path.name)
            _write_manifest(folder / PREVIOUS, previous)
        _write_manifest(folder, manifest)


def _put(to: Path, path: Path, entry: dict[str, Any]) -> None:
    """Move ``path`` into the folder ``to``, with ``entry`` in that folder's manifest."""
    to.mkdir(exist_ok=True)
    there = read_manifest(to)
    path.replace(to / path.name)
    there[path.name] = entry
    _write_manifest(to, there)


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(folder / MANIFEST, text.encode("utf-8"))


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
