#!/usr/bin/env python3
"""Project tasks with nothing but Python 3.11+: set up, run the audit, test.

    python3 tasks.py audit   # create .venv, install requirements, audit data/sample -> reports/
    python3 tasks.py test    # create .venv if needed, run the whole test suite
    python3 tasks.py lab     # start JupyterLab on notebooks/

The virtual environment is (re)installed only when requirements.txt changed,
so repeated runs are fast. Nothing is installed outside .venv.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"
SAMPLE_ARGS = ["--data", "data/sample", "--as-of", "2026-11-01", "--out", "reports"]
TEST_ARGS = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
# The whole suite: unit and end-to-end tests, and every notebook run top to bottom.
SUITE = ["--nbval-lax", "tests", "notebooks"]


def setup() -> None:
    """Create .venv and install requirements.txt unless already current."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may run under any python3
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        link_project()
        return
    if not PY.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing requirements.txt into .venv ...", flush=True)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "-q", "-r", str(ROOT / "requirements.txt")], check=True)
    subprocess.run(
        [str(PY), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    STAMP.write_text(wanted)
    link_project()


def link_project() -> None:
    """Put the project folder on the venv's import path (a .pth file).

    Notebook kernels start in notebooks/, where ``import audit`` would
    otherwise fail; this works like an editable install without packaging.
    """
    query = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([str(PY), "-c", query], check=True, capture_output=True, text=True).stdout.strip()
    pth = Path(purelib) / "privacy-audit.pth"
    if not pth.exists() or pth.read_text().strip() != str(ROOT):
        pth.write_text(f"{ROOT}\n")


def run(args: list[str]) -> int:
    """Run the venv's Python with ``args`` from the project folder."""
    return subprocess.run([str(PY), *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    task, extra = (argv[0] if argv else "help"), argv[1:]
    if task == "setup":
        setup()
        return 0
    if task == "audit":
        setup()
        return run(["-m", "audit", *(extra or SAMPLE_ARGS)])
    if task == "test":
        setup()
        return run([*TEST_ARGS, *(extra or SUITE)])
    if task == "lab":
        setup()
        return run(["-m", "jupyter", "lab", "--notebook-dir", str(ROOT / "notebooks"), *extra])
    if task == "sample":
        setup()
        return run(["-m", "tools.sample", "data/sample"])
    if task == "lint":
        setup()
        return run(["-m", "ruff", "check", "audit", "tests", "benchmarks", "tools", "tasks.py"]) or run(
            ["-m", "ruff", "format", "--check", "audit", "tests", "benchmarks", "tools", "tasks.py"]
        )
    print(__doc__)
    return 0 if task == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
