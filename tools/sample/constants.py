"""The fixed points every part of the generator shares: as-of date, seed, file timestamp, formats.

They are not fixtures of the organisation but the terms under which it is
generated: all planted dates are laid out around :data:`SAMPLE_AS_OF`, the
record draws start from :data:`DEFAULT_SEED`, and no wall clock is read, so
the same call writes the same bytes.
"""

from __future__ import annotations

from datetime import date, datetime

from audit.reference.datafiles import reference

SAMPLE_AS_OF = date(2026, 11, 1)
"""The reference audit date the sample is built around (its gaps are gaps on this date)."""

DEFAULT_SEED = 20240516
"""Seed of the record extracts the committed ``data/sample`` was drawn with."""

FIXED_TIMESTAMP = datetime(2026, 11, 1, 0, 0, 0)
"""Stamped on xlsx zip entries and document properties instead of the time of the run."""

RECORD_FORMATS = ("csv", "parquet", "xlsx")
"""Formats the main extracts can be written in (chosen by the file suffix)."""

GRACE_DAYS = int(reference("settings")["event_grace_days"])
"""The audit's grace after an event-based deletion; only the README and descriptions word it."""
