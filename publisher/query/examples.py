"""The example queries researchers start from: ``queries/*.rq``, each with a ``# title:``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publisher.errors import QueryError
from publisher.settings import PROJECT_ROOT

QUERIES_DIR = PROJECT_ROOT / "queries"


@dataclass(frozen=True)
class Example:
    """One example query: its file stem (``name``), title, optional description, and text."""

    name: str
    title: str
    text: str
    description: str = ""


def _header(text: str, key: str) -> str:
    prefix = f"# {key}:"
    for line in text.splitlines():
        if line.lower().startswith(prefix):
            return line[len(prefix) :].strip()
    return ""


def read_example(path: Path) -> Example:
    """One ``.rq`` file as an Example; a file without ``# title:`` is an error."""
    text = path.read_text(encoding="utf-8")
    title = _header(text, "title")
    if not title:
        raise QueryError(f"{path}: an example query needs a '# title:' line")
    return Example(path.stem, title, text, _header(text, "description"))


def load_examples(folder: Path = QUERIES_DIR) -> list[Example]:
    """Every example in ``folder``, in file-name order (empty when the folder is missing)."""
    return [read_example(p) for p in sorted(folder.glob("*.rq"))]
