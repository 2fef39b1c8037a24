"""The ``lotaip-lod`` command line: a thin layer over the library.

Each command parses its options, calls one library function, prints a short summary and
turns ``PublisherError`` into a one-line error with a non-zero exit.
"""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="lotaip-lod")
def cli() -> None:
    """Publish Ecuador's LOTAIP goals-and-targets reports as linked open data."""
