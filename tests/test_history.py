"""The project's own history reads well: commit subjects fit in 72 characters.

Subjects written before the rule (up to ``RULE_SINCE``) are published history and stay as
they are; every commit after it is checked (in a shallow clone, those it holds), so a long
subject fails CI before it lands.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The last commit before subjects were held to 72 characters.
RULE_SINCE = "ce36f05"
MAX_SUBJECT = 72


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def test_commit_subjects_fit_in_72_characters() -> None:
    if shutil.which("git") is None or _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout (an unpacked release has no history)")
    # a shallow clone may not hold RULE_SINCE: then check the commits it has, HEAD at least
    known = _git("cat-file", "-e", f"{RULE_SINCE}^{{commit}}").returncode == 0
    log = _git("log", "--format=%h %s", f"{RULE_SINCE}..HEAD" if known else "HEAD")
    assert log.returncode == 0, log.stderr
    long = [line for line in log.stdout.splitlines() if len(line.split(" ", 1)[1]) > MAX_SUBJECT]
    assert long == [], "commit subjects over 72 characters:\n" + "\n".join(long)
