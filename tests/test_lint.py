"""House style is part of the suite: ruff check, ruff format and the type checker must be clean.

The tools are pinned in requirements.txt, so they are run from this
interpreter's environment and a missing one fails rather than skips.
"""

import subprocess
import sys

import pytest

from audit.paths import PROJECT_DIR

TARGETS = ["audit", "tests", "benchmarks", "tools", "tasks.py"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_is_clean(command):
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *TARGETS], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_types_check():
    """mypy over the files pyproject.toml names (the package, tools, benchmarks, tasks.py)."""
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
