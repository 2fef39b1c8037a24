"""Read-only SPARQL for researchers: check before running, run where it can be stopped.

``check`` parses and refuses; ``engine`` runs one query on pyoxigraph and serialises it;
``pool`` keeps worker processes with a deadline; ``service`` ties them to the store with
a cache keyed by the dataset version; ``results`` is the table of answer formats.
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
