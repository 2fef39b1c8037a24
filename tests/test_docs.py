"""The README documents every setting and every command, with each command's options."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from publisher.cli import cli
from publisher.settings import setting_help

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(setting_help()))
def test_every_setting_is_in_the_readme_table(name: str) -> None:
    assert re.search(rf"^\| `{name}` \|", README, re.M), f"setting {name} missing from README"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented(name: str) -> None:
    assert f"lotaip-lod {name}" in README


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (name, opt)
        for name, command in sorted(cli.commands.items())
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts
        if opt.startswith("--")
    ],
)
def test_every_command_option_is_documented(command: str, option: str) -> None:
    assert option in README, f"lotaip-lod {command} {option} is not in the README"


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make serve" in first_block
    assert "make test" in first_block
