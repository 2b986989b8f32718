#!/usr/bin/env python3
"""Project tasks with nothing but Python 3.11+: set up, run the audit, test.

    python3 tasks.py audit   # create .venv, install requirements, audit data/sample -> reports/
    python3 tasks.py test    # create .venv if needed, run the whole test suite
    python3 tasks.py lab     # start JupyterLab on notebooks/
    python3 tasks.py docs    # regenerate docs/ from the catalogues in data/reference

The virtual environment is (re)installed only when requirements.txt or
pyproject.toml changed, so repeated runs are fast; the project is installed
into it in editable mode. Nothing is installed outside .venv.
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
    """Create .venv, install requirements.txt and the project (editable) unless already current."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may run under any python3
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "requirements.txt").read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted.hexdigest():
        return
    if not PY.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    pins = [line.split("==")[0] for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line]
    print(f"Installing {len(pins)} pinned packages into .venv: {', '.join(pins)}", flush=True)
    print("(the first run downloads them and takes a few minutes; pip shows each one)", flush=True)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--progress-bar", "off", "-r", str(ROOT / "requirements.txt")], check=True)
    print("Installing the project itself (editable: changes to audit/ take effect at once) ...", flush=True)
    subprocess.run([*pip, "install", "--no-deps", "--progress-bar", "off", "-e", str(ROOT)], check=True)
    _drop_old_path_file()
    print("Registering the .venv Jupyter kernel ...", flush=True)
    subprocess.run(
        [str(PY), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    STAMP.write_text(wanted.hexdigest())
    print("Set-up done.", flush=True)


def _drop_old_path_file() -> None:
    """Remove the .pth file earlier versions used instead of an editable install."""
    query = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([str(PY), "-c", query], check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "privacy-audit.pth").unlink(missing_ok=True)


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
    if task == "docs":
        setup()
        return run(["-m", "tools.docs"])
    if task == "lint":
        setup()
        targets = ["audit", "tests", "benchmarks", "tools", "tasks.py"]
        return (
            run(["-m", "ruff", "check", *targets])
            or run(["-m", "ruff", "format", "--check", *targets])
            or run(["-m", "mypy"])
        )
    print(__doc__)
    return 0 if task == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
