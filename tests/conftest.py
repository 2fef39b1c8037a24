"""Shared fixtures: settings in a temporary folder, the real example reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.settings import Settings, load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with data under a fresh temporary folder."""
    return load(env={}, data_dir=tmp_path / "data")
