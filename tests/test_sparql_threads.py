"""Checking SPARQL from many threads at once (gunicorn gthread workers do): every valid
query still passes. Regression: rdflib's pyparsing grammar is not thread-safe, and under
load valid example queries came back as 'malformed SPARQL query' (400)."""

from __future__ import annotations

import threading

from publisher.query import check_query
from publisher.query.examples import load_examples


def test_valid_queries_pass_when_checked_from_many_threads() -> None:
    examples = [e.text for e in load_examples()]
    failures: list[str] = []

    def check(thread: int) -> None:
        for n, text in enumerate(examples * 3):
            try:  # a distinct comment per call, so the verdict cache cannot answer
                check_query(f"# {thread}-{n}\n{text}", 100_000)
            except Exception as err:  # any failure is the finding
                failures.append(f"{type(err).__name__}: {str(err)[:120]}")

    threads = [threading.Thread(target=check, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
