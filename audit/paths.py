"""Where the project's bundled data lives.

Kept in one place so tests, notebooks and the command line resolve the same
files whatever the current working directory is.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PROJECT_DIR / "data"
DOCS_DIR = PROJECT_DIR / "docs"
POLICY_DIR = DATA_DIR / "policy"
REFERENCE_DIR = DATA_DIR / "reference"
SAMPLE_DIR = DATA_DIR / "sample"
