"""The package reads as the data flow: the layers contract in pyproject.toml holds.

``[tool.importlinter]`` in pyproject.toml lists the layers (see docs/layout.md); a layer
imports only the layers below it, so there is no cycle between layers. A forbidden
contract keeps pyoxigraph behind ``publisher.store`` (the store seam, issue 17).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_nothing_imports_upward() -> None:
    # In a child process: import-linter configures logging with dictConfig, which would
    # mute the loggers of every later test in this process.
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
