"""Bodies already written, per published version (bounded, least recently used).

A published version never changes, so a document or page is the same until the next
build; keys start with the store's version, so a new build is never served stale
bodies. The embedded store's version is the published folder's name; a remote store's is
the one recorded in the store itself (``RemoteStore.version``: one small query, and the
last one read while the server is down, so bodies already made are still served). A
store without a version (in memory) is not cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app

EXTENSION = "publisher.documents"


class DocumentCache:
    """A map from keys to response bodies, bounded in bytes (least recently used goes
    first), safe across threads."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._bodies: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> bytes | None:
        """The body stored under ``key``, if any."""
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: tuple[str, ...], body: bytes) -> None:
        """Remember ``body`` under ``key``, dropping the oldest entries past the bound."""
        with self._lock:
            old = self._bodies.pop(key, None)
            self.size += len(body) - (len(old) if old is not None else 0)
            self._bodies[key] = body
            while self.size > self.max_bytes and self._bodies:
                _, dropped = self._bodies.popitem(last=False)
                self.size -= len(dropped)


def cached(parts: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
    """The body for ``parts`` in the published version served now, made once per version."""
    version = current_app.extensions["publisher.store.embedded"].version
    if not isinstance(version, str):
        return make()
    cache: DocumentCache = current_app.extensions.setdefault(EXTENSION, DocumentCache())
    key = (version, *parts)
    body = cache.get(key)
    if body is None:
        body = make()
        cache.put(key, body)
    return body
