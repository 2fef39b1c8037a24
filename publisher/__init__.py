"""LOTAIP literal a4 linked open data publisher."""

import os

# python-docx (the .docx reader) installs lxml, and openpyxl switches to an lxml writer
# whenever lxml is importable; that writer handles "\r" in cells differently, which changed
# the XLSX downloads. Keep openpyxl's own writer, as before lxml came in (before any import).
os.environ.setdefault("OPENPYXL_LXML", "False")

from publisher.errors import PublisherError  # noqa: E402
from publisher.settings import Settings  # noqa: E402

__all__ = ["PublisherError", "Settings"]
