"""LOTAIP literal a4 linked open data publisher."""

from publisher.errors import PublisherError
from publisher.settings import Settings

__all__ = ["PublisherError", "Settings"]
