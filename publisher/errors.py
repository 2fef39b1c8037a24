"""Typed errors raised by the library; the CLI and the web app render them.

::

    PublisherError                 anything this package raises on purpose
    ├── SettingsError              a setting has a bad value
    ├── ParseError                 a report cannot be read (file, line)
    ├── MappingError               records cannot become RDF
    ├── ValidationFailed           a report's graph violates the SHACL shapes
    ├── StoreError                 the store cannot be opened, read or written
    │   ├── StoreUnavailable       a remote store does not answer
    │   │   └── Overloaded         no capacity for this request now (Retry-After)
    │   └── PushFailed             a push to a remote store stopped at a graph
    ├── QueryError                 a SPARQL query is malformed or not allowed
    │   └── QueryTimeout           a query ran past its time limit
    └── NotFound                   no such resource

Messages name the offending file, line or IRI so that they can be shown as they are.
"""

from __future__ import annotations


class PublisherError(Exception):
    """Base class of every error this package raises on purpose."""


class SettingsError(PublisherError):
    """A setting has a value that cannot work."""


class ParseError(PublisherError):
    """A report cannot be read. ``str(err)`` is ``file:line: message``."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class MappingError(PublisherError):
    """Records cannot be turned into RDF."""


class ValidationFailed(PublisherError):
    """A report's graph violates the shapes; ``violations`` holds readable lines."""

    def __init__(self, report: str, violations: list[str]) -> None:
        self.report = report
        self.violations = violations
        shown = "\n  ".join(violations[:20])
        more = f"\n  … and {len(violations) - 20} more" if len(violations) > 20 else ""
        super().__init__(f"{report}: {len(violations)} SHACL violation(s)\n  {shown}{more}")


class StoreError(PublisherError):
    """The store cannot be opened, read or written."""


class StoreUnavailable(StoreError):
    """A remote store does not answer."""


class Overloaded(StoreUnavailable):
    """No capacity to run this request now; ``retry_after`` seconds is when to try again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PushFailed(StoreError):
    """A push stopped at ``graph``; the store is not marked with the new version."""

    def __init__(self, graph: str, version: str, done: int, total: int, cause: Exception) -> None:
        self.graph = graph
        self.version = version
        super().__init__(
            f"push of version {version} failed at graph {graph} ({done} of {total} "
            f"changes made; the store still says it holds an older version): {cause}. "
            "Run 'lotaip-lod push' to send what is missing"
        )


class QueryError(PublisherError):
    """A SPARQL query is malformed or not allowed here."""


class QueryTimeout(QueryError):
    """A SPARQL query ran past its time limit and was stopped."""


class NotFound(PublisherError):
    """No such resource."""
