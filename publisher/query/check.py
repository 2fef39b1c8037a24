"""Check a SPARQL query BEFORE it runs: size, syntax, read-only, no federation.

The endpoint never hands the engine a text it has not parsed first. rdflib's parser
turns the text into SPARQL algebra; we refuse it when it is too big, malformed, an
update, or when the algebra holds a ``SERVICE`` anywhere (pyoxigraph would otherwise
send requests to any address a query names). Searching the text for ``SERVICE`` would
miss escapes and comments, so we look at the parsed structure only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from publisher.errors import QueryError

#: algebra node name -> the query form it stands for
_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


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
    """Parse ``text`` and return it checked; raise QueryError (or QueryRefused) otherwise."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise QueryError(f"query is {size} bytes; this endpoint accepts at most {max_bytes}")
    if not text.strip():
        raise QueryError("empty query")
    return _check_parsed(text)


#: rdflib's pyparsing grammar keeps state while it parses: two threads at once (gunicorn
#: gthread workers) made valid queries fail as malformed, so one parse at a time.
_PARSER = threading.Lock()


@lru_cache(maxsize=512)
def _check_parsed(text: str) -> CheckedQuery:
    # Parsing costs ~15 ms; researchers repeat the same queries, so remember the verdict.
    try:
        with _PARSER:
            algebra = translateQuery(parseQuery(text)).algebra
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


def _is_update(text: str) -> bool:
    try:
        with _PARSER:
            parseUpdate(text)
    except ParseBaseException:
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
