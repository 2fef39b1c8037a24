"""Read-only SPARQL for researchers: check before running, run where it can be stopped.

``check`` parses and refuses; ``service`` ties checked queries to the store's own runner
(``Store.query_runner``: the engine and worker pool live in ``publisher.store``) with a
cache keyed by the dataset version; ``examples`` and ``history`` are the site's queries.
"""

from publisher.query.check import CheckedQuery, QueryRefused, check_query
from publisher.query.service import Outcome, Prepared, QueryService, dataset_version
from publisher.store.results import BY_NAME, FORMATS, ResultFormat

__all__ = [
    "BY_NAME",
    "FORMATS",
    "CheckedQuery",
    "Outcome",
    "Prepared",
    "QueryRefused",
    "QueryService",
    "ResultFormat",
    "check_query",
    "dataset_version",
]
