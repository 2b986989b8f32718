"""Audit settings: severities, grace periods and review intervals.

Defaults come from ``data/reference/settings.yaml``; a DPO may pass a YAML
file with any subset of the same keys to override them without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.errors import ReferenceDataError
from audit.paths import REFERENCE_DIR
from audit.reference.datafiles import load_yaml

DEFAULT_SETTINGS_FILE = REFERENCE_DIR / "settings.yaml"
SEVERITIES = ("high", "medium", "low", "info")
_MAPPINGS = ("severities", "severity_colours", "severity_fills")


@dataclass(frozen=True)
class Settings:
    """Values every rule reads instead of constants in code."""

    organisation: str
    event_grace_days: int
    review_interval_months: int
    security_test_interval_months: int
    sheet_row_cap: int
    example_records: int
    severities: dict[str, str] = field(default_factory=dict)
    status_choices: tuple[str, ...] = ()
    severity_colours: dict[str, str] = field(default_factory=dict)
    severity_fills: dict[str, str] = field(default_factory=dict)
    source: str = ""
    date: str = ""

    def severity(self, rule: str) -> str:
        """Severity of ``rule``; an unknown rule is a data error, not a default."""
        try:
            return self.severities[rule]
        except KeyError:
            raise ReferenceDataError(f"settings: no severity for rule {rule}") from None


def load_settings(path: Path | str | None = None) -> Settings:
    """Load the default settings, overlaid with ``path`` when given.

    Raises
    ------
    ReferenceDataError
        When a key is unknown, a severity is not one of high/medium/low/info,
        or a number is not a non-negative integer; the message names the file.
    """
    data: dict[str, Any] = load_yaml(DEFAULT_SETTINGS_FILE)
    where = str(DEFAULT_SETTINGS_FILE)
    if path is not None:
        override = load_yaml(Path(path), required=())
        where = str(path)
        unknown = set(override) - set(data)
        if unknown:
            raise ReferenceDataError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
        merged = {key: {**data[key], **(override.pop(key, None) or {})} for key in _MAPPINGS}
        data = {**data, **override, **merged}
    for rule, sev in data["severities"].items():
        if sev not in SEVERITIES:
            raise ReferenceDataError(f"{where}: severity of {rule} is {sev!r}, expected one of {', '.join(SEVERITIES)}")
    for key in ("severity_colours", "severity_fills"):
        if set(data[key]) != set(SEVERITIES):
            raise ReferenceDataError(f"{where}: {key} must give a colour for each of {', '.join(SEVERITIES)}")
    ints = (
        "event_grace_days",
        "review_interval_months",
        "security_test_interval_months",
        "sheet_row_cap",
        "example_records",
    )
    for key in ints:
        if not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < 0:
            raise ReferenceDataError(f"{where}: {key} must be a non-negative whole number, got {data[key]!r}")
    return Settings(
        organisation=str(data["organisation"]),
        severities=dict(data["severities"]),
        status_choices=tuple(data["status_choices"]),
        severity_colours=dict(data["severity_colours"]),
        severity_fills=dict(data["severity_fills"]),
        source=str(data["source"]),
        date=str(data["date"]),
        **{key: data[key] for key in ints},
    )
