"""Prefixes every query at ``/sparql`` may use without declaring them (as Wikidata's
query service does): the namespaces of publisher.vocab.PREFIXES.

A query's own declarations win: a prefix it declares, even with another IRI, is left
alone, and only prefixes it uses but does not declare are added in front of it.
"""

from __future__ import annotations

import re

from publisher.vocab import PREFIXES

#: What can hold text that looks like a prefix but is not one: strings, IRIs, comments.
_NOT_NAMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)
_USED = re.compile(r"(?<![\w.:?$-])([A-Za-z][\w-]*):")


def declared_prefixes(text: str) -> set[str]:
    """The prefix names ``text`` declares itself."""
    return {m.group(1) or "" for m in _DECLARED.finditer(_NOT_NAMES.sub(" ", text))}


def with_prefixes(text: str) -> str:
    """``text`` with a ``PREFIX`` declaration in front for each predefined prefix it uses
    but does not declare. They go on its first line, so that the line numbers of parse
    errors still match the text the user wrote."""
    bare = _NOT_NAMES.sub(" ", text)
    own = declared_prefixes(text)
    used = {m.group(1) for m in _USED.finditer(bare)}
    added = [p for p in PREFIXES if p in used and p not in own]
    if not added:
        return text
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in added) + text
