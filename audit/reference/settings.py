"""Audit settings: severities, grace periods and review intervals.

Defaults come from ``data/reference/settings.yaml``; a DPO may pass a YAML
file with any subset of the same keys to override them without touching code.
Both are validated by the models of :mod:`audit.reference.schemas`, so a
mistyped severity or a negative grace period is reported with the file (the
DPO's own, for an override) and the key, before any rule runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.errors import ReferenceDataError
from audit.paths import REFERENCE_DIR
from audit.reference.catalogue import catalogue
from audit.reference.datafiles import display_path, load_reference, load_yaml, validate
from audit.reference.schemas import SEVERITIES, SettingsFile, SettingsOverlay

DEFAULT_SETTINGS_FILE = REFERENCE_DIR / "settings.yaml"
__all__ = ["DEFAULT_SETTINGS_FILE", "SEVERITIES", "Settings", "load_settings"]


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
    records_memory_limit: str = "1.5GB"
    """The record engine's memory limit; beyond it DuckDB spills to ``records_spill_dir``."""
    records_spill_dir: str = ""
    records_threads: int = 0
    status_choices: tuple[str, ...] = ()
    severity_colours: dict[str, str] = field(default_factory=dict)
    severity_fills: dict[str, str] = field(default_factory=dict)
    source: str = ""
    date: str = ""
    lang: str = ""
    """The report's language (``en``/``sv``); blank: the policy's language."""
    due_days: dict[str, int] = field(default_factory=dict)
    """Days from ``first_seen`` by which a finding of each severity should be dealt with (none: no due date)."""

    def engine(self) -> dict[str, object]:
        """The record engine's options (:func:`audit.records.engine.default_backend`)."""
        return {
            "memory_limit": self.records_memory_limit,
            "spill_dir": self.records_spill_dir or None,
            "threads": self.records_threads,
        }

    def severity(self, rule: str) -> str:
        """Severity of ``rule``; an unknown rule is a data error, not a default."""
        try:
            return self.severities[rule]
        except KeyError:
            raise ReferenceDataError(f"settings: no severity for rule {rule}") from None


def load_settings(path: Path | str | None = None) -> Settings:
    """Load the default settings, overlaid with ``path`` when given.

    The overlay replaces the keys it gives; within ``severities``,
    ``severity_colours`` and ``severity_fills`` it replaces single entries,
    so a DPO can lower one rule's severity without restating the others.

    Parameters
    ----------
    path
        A DPO's settings file, or ``None`` for the defaults alone.

    Raises
    ------
    ReferenceDataError
        When a key is unknown, a severity is not one of high/medium/low/info,
        or a number is not a non-negative whole number; the message names the
        file (the DPO's for an override) and the key.
    """
    defaults = load_reference("settings", SettingsFile)
    if path is None:
        return _settings(defaults)
    overlay = validate(SettingsOverlay, load_yaml(Path(path), required=()), path)
    merged: dict[str, Any] = defaults.model_dump()
    for key, value in overlay.model_dump(exclude_unset=True).items():
        merged[key] = {**merged[key], **value} if isinstance(value, dict) else value
    # The defaults are valid and the overlay was checked alone, so a problem
    # here comes from the overlay: name the DPO's file.
    return _settings(validate(SettingsFile, merged, path), path)


def _severities(overrides: dict[str, str], where: Path | str) -> dict[str, str]:
    """Every rule's severity: the catalogue's default, replaced where the settings give one.

    Raises
    ------
    ReferenceDataError
        When the settings name a rule the catalogue does not have (a typo
        would otherwise change nothing, silently).
    """
    rules = catalogue().rules
    unknown = sorted(set(overrides) - set(rules))
    if unknown:
        raise ReferenceDataError(
            f"{display_path(where)}: severities: no rule {', '.join(unknown)} in the rule catalogue"
        )
    return {rid: overrides.get(rid, spec.severity) for rid, spec in rules.items()}


def _settings(data: SettingsFile, where: Path | str = DEFAULT_SETTINGS_FILE) -> Settings:
    return Settings(
        organisation=data.organisation,
        event_grace_days=data.event_grace_days,
        review_interval_months=data.review_interval_months,
        security_test_interval_months=data.security_test_interval_months,
        sheet_row_cap=data.sheet_row_cap,
        example_records=data.example_records,
        records_memory_limit=data.records_memory_limit.strip(),
        records_spill_dir=data.records_spill_dir,
        records_threads=data.records_threads,
        severities=_severities(dict(data.severities), where),
        status_choices=tuple(data.status_choices),
        severity_colours=data.severity_colours.model_dump(),
        severity_fills=data.severity_fills.model_dump(),
        source=data.source,
        date=str(data.date),
        lang=data.lang,
        due_days=dict(data.due_days),
    )
