"""The package reads as the data flow: the layers contract in pyproject.toml holds.

``[tool.importlinter]`` in pyproject.toml lists the layers (see docs/layout.md); a layer
imports only the layers below it, so there is no cycle between layers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_nothing_imports_upward(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0
