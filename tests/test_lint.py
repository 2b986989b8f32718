"""House style is part of the suite: ruff check and ruff format must be clean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from audit.paths import PROJECT_DIR

TARGETS = ["audit", "tests", "benchmarks", "tools", "tasks.py"]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_is_clean(command):
    proc = subprocess.run([RUFF, *command, *TARGETS], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
