"""Loading the project's YAML data files with their provenance.

Every data file in ``data/`` says where its content comes from and when it
was taken (``source`` and ``date`` at the top level), so a report can state
which reference list it used. Loading checks that, and that the keys a caller
relies on are there, so a bad edit fails with the file's name instead of a
``KeyError`` deep inside a rule.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from audit.errors import ReferenceDataError
from audit.paths import REFERENCE_DIR


def load_yaml(path: Path, required: tuple[str, ...] = ("source", "date")) -> dict[str, Any]:
    """Read a YAML mapping and check that it carries the given top-level keys.

    Parameters
    ----------
    path
        The data file.
    required
        Top-level keys that must be present; by default the provenance keys.

    Raises
    ------
    ReferenceDataError
        When the file is missing, is not valid YAML, is not a mapping, or
        lacks a required key.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferenceDataError(f"{path}: cannot read data file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{path}: expected a mapping at the top level")
    missing = [key for key in required if key not in data]
    if missing:
        raise ReferenceDataError(f"{path}: missing top-level key(s) {', '.join(missing)}")
    return data


@cache
def reference(name: str) -> dict[str, Any]:
    """Return the reference data file ``data/reference/<name>.yaml`` (cached)."""
    return load_yaml(REFERENCE_DIR / f"{name}.yaml")
