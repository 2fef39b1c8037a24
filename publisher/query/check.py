"""Check a SPARQL query BEFORE it runs: size, syntax, read-only, no federation.

The endpoint never hands the engine a text it has not parsed first. rdflib's parser
turns the text into SPARQL algebra; we refuse it when it is too big, malformed, an
update, or when the algebra holds a ``SERVICE`` anywhere (pyoxigraph would otherwise
send requests to any address a query names). Searching the text for ``SERVICE`` would
miss escapes and comments, so we look at the parsed structure only.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from publisher.errors import QueryError
from publisher.query.prefixes import with_prefixes

#: algebra node name -> the query form it stands for
_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


#: Deepest nesting of ``{ ( [`` accepted. The grammar allows any depth and pyoxigraph
#: answers 2,000 groups, but rdflib's recursive parser needs ~40 Python frames per level:
#: 256 levels parse in a thread with a big stack; beyond is refused before parsing.
MAX_DEPTH = 256
_FRAMES_PER_LEVEL = 40
_RECURSION_LIMIT = 2000 + MAX_DEPTH * _FRAMES_PER_LEVEL
_STACK_BYTES = 256 * 1024 * 1024  # virtual: only the pages a deep parse touches are used
#: What can hold a bracket that does not nest: strings, IRIs, comments.
_NOT_NESTING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


class QueryRefused(QueryError):
    """A well-formed request this endpoint will not run (an update, ``SERVICE``)."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed every check, with its form (SELECT, ASK, CONSTRUCT, DESCRIBE)."""

    text: str
    form: str

    @property
    def is_graph(self) -> bool:
        """True when the answer is RDF (CONSTRUCT, DESCRIBE) rather than a result table."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check_query(text: str, max_bytes: int) -> CheckedQuery:
    """Parse ``text`` and return it checked, with the predefined prefixes it uses declared
    (its ``text``: what to run); raise QueryError (or QueryRefused) otherwise."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise QueryError(f"query is {size} bytes; this endpoint accepts at most {max_bytes}")
    if not text.strip():
        raise QueryError("empty query")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise QueryError(
            f"query nests {depth} levels of brackets; this endpoint accepts at most {MAX_DEPTH}"
        )
    # Predefined prefixes are added after the size check: they do not count against it.
    return _check_parsed(with_prefixes(text))


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` in ``text``, outside strings, IRIs
    and comments (a linear scan: it bounds the parser's recursion before it starts)."""
    depth = deepest = 0
    for char in _NOT_NESTING.sub(" ", text):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(0, depth - 1)
    return deepest


#: rdflib's pyparsing grammar keeps state while it parses: two threads at once (gunicorn
#: gthread workers) made valid queries fail as malformed, so one parse at a time, in one
#: thread of our own whose stack holds MAX_DEPTH levels of rdflib's recursion.
_PARSER: ThreadPoolExecutor | None = None
_PARSER_START = threading.Lock()
_T = TypeVar("_T")


def _parse(function: Callable[[str], _T], text: str) -> _T:
    """``function(text)`` on the parser thread, with room for MAX_DEPTH levels."""
    global _PARSER
    with _PARSER_START:
        if _PARSER is None:
            # The stack size applies to threads started from now on: only ours.
            previous = threading.stack_size(_STACK_BYTES)
            try:
                _PARSER = ThreadPoolExecutor(1, thread_name_prefix="sparql-parser")
                _PARSER.submit(int).result()  # start the thread while the size holds
            finally:
                threading.stack_size(previous)
    return _PARSER.submit(_deep, function, text).result()


def _deep(function: Callable[[str], _T], text: str) -> _T:
    # The recursion limit is the interpreter's, not the thread's: raised only while this
    # thread parses, so that other threads keep the usual guard against runaway recursion.
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        return function(text)
    finally:
        sys.setrecursionlimit(previous)


@lru_cache(maxsize=512)
def _check_parsed(text: str) -> CheckedQuery:
    # Parsing costs ~15 ms; researchers repeat the same queries, so remember the verdict.
    try:
        algebra = _parse(_algebra, text)
    except RecursionError as err:
        raise QueryError(
            f"query nests too deeply for this endpoint (at most {MAX_DEPTH} levels)"
        ) from err
    except ParseBaseException as err:
        if _is_update(text):
            raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only") from err
        raise QueryError(f"malformed SPARQL query: {err}") from err
    except Exception as err:  # rdflib raises plain exceptions for some semantic errors
        raise QueryError(f"malformed SPARQL query: {err}") from err
    if "ServiceGraphPattern" in _node_names(algebra):
        raise QueryRefused(
            "SERVICE (federated query) is not allowed: this endpoint only queries its own data"
        )
    return CheckedQuery(text=text, form=_FORMS[algebra.name])


def _algebra(text: str) -> Any:
    return translateQuery(parseQuery(text)).algebra


def _is_update(text: str) -> bool:
    try:
        _parse(parseUpdate, text)
    except (ParseBaseException, RecursionError):
        return False
    return True


def _node_names(node: Any) -> Iterator[str]:
    """Every algebra node name under ``node``, including those inside expressions."""
    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _node_names(value)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _node_names(value)
