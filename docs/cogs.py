"""Generators for the reference parts of the docs, run by cog (``cog -r docs/cli.md README.md``).

They print from the code itself (click's help, the settings declared as data), so the docs
cannot drift from it: ``tests/test_docs.py`` runs ``cog --check``.
"""

from __future__ import annotations

from pathlib import Path

import cog  # type: ignore[import-not-found]
from click.testing import CliRunner

from publisher.cli import cli
from publisher.settings import PROJECT_ROOT, Settings, setting_help


def cli_reference() -> None:
    """One section per command with its ``--help`` text."""
    runner = CliRunner()
    for args in [[], *[[name] for name in sorted(cli.commands)]]:
        title = " ".join(["lotaip-lod", *args])
        help_text = runner.invoke(
            cli, [*args, "--help"], prog_name="lotaip-lod", terminal_width=88
        ).output
        cog.outl(f"\n## `{title}`\n\n```\n{help_text.rstrip()}\n```\n")


def settings_table() -> None:
    """The settings table: name, default, help."""
    cog.outl("| setting | default | what it is |")
    cog.outl("|---|---|---|")
    for name, help_text in setting_help().items():
        default = Settings.__dataclass_fields__[name].default
        shown = "–" if default in (None, "") else f"`{_shown(default)}`"
        cog.outl(f"| `{name}` | {shown} | {help_text} |")


def _shown(value: object) -> str:
    """A default as a reader would write it: paths relative to the checkout."""
    if isinstance(value, Path) and value.is_relative_to(PROJECT_ROOT):
        return f"{value.relative_to(PROJECT_ROOT)}/"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
