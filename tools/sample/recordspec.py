"""What the record extracts are made of, checked and loaded from ``fixtures/records.yaml``.

The draws in :mod:`tools.sample.records` are code (one builder per system,
because every system's records tell a different story), but everything they
are parametrised with is data: sizes, date columns, the subjects placed on
purpose, the planted shares, event calendars and date windows. This module
turns the file into :class:`ExtractSpec` objects and refuses, naming file and
key, anything a builder could not use: a key it does not read or a missing
one, a share outside 0..1, a window of the wrong shape or running backwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tools.sample.loading import FIXTURES_DIR, Node, read_fixture

RECORDS_FILE = FIXTURES_DIR / "records.yaml"

# The keys each system's builder in records.py reads: records.yaml must give exactly these.
BUILDER_KEYS: dict[str, dict[str, set[str]]] = {
    "S-CRM": {
        "shares": {"suppliers", "suppliers_ended", "ended", "declined"},
        "events": set(),
        "windows": {
            "collected_from",
            "contract_ended",
            "supplier_contract_ended",
            "collected_before_end_days",
            "last_contact_before_end_days",
            "deal_declined",
            "collected_before_declined_days",
        },
    },
    "S-NEWS": {
        "shares": {"overdue", "recent"},
        "events": set(),
        "windows": {
            "collected_from",
            "last_contact_until",
            "unsubscribed_recent",
            "unsubscribed_overdue",
            "collected_before_unsubscribed_days",
            "last_contact_before_unsubscribed_days",
        },
    },
    "S-EVENT": {
        "shares": {"signup", "past", "webinar_no_date"},
        "events": {"upcoming", "past", "webinars"},
        "windows": {"collected_before_event_days", "no_date_collected_from"},
    },
    "S-ERP": {"shares": set(), "events": set(), "windows": {"collected_from", "old_erp_before"}},
}
_EXTRACT_KEYS = {"prefix", "main", "rows", "dates", "fixed", "shares", "events", "windows"}


@dataclass(frozen=True)
class ExtractSpec:
    """One system's record extract as ``records.yaml`` describes it.

    Parameters
    ----------
    system_id
        The system that exports it (``S-CRM``); also the file's stem.
    prefix
        Prefix of its record ids (``CRM`` -> ``CRM-000001``).
    main
        Whether ``record_rows`` sets its size and ``records_format`` its format.
    rows
        Default number of rows.
    dates
        Its date columns, in file order (``collected`` first).
    fixed
        ``(subject number, {date column: date or None})`` placed in its first group.
    shares
        Planted proportions by name.
    events
        Event calendars by name.
    windows
        Date windows by name: a date, a ``(first, last)`` pair of dates or a ``(lo, hi)`` pair of days.
    """

    system_id: str
    prefix: str
    main: bool
    rows: int
    dates: list[str]
    fixed: list[tuple[int, dict[str, date | None]]]
    shares: dict[str, float]
    events: dict[str, list[date]]
    windows: dict[str, Any]


@dataclass(frozen=True)
class RecordSpec:
    """Everything ``records.yaml`` holds: the subject pool, name parts and the extracts."""

    pool_start: int
    first_names: list[str]
    last_names: list[str]
    extracts: dict[str, ExtractSpec]

    @property
    def main_extracts(self) -> tuple[str, ...]:
        """The extracts ``record_rows`` and ``records_format`` apply to, in file order."""
        return tuple(sid for sid, spec in self.extracts.items() if spec.main)


def _pair(node: Node, kind: str) -> tuple[Any, Any]:
    """A ``[first, last]`` pair of ``kind`` that does not run backwards."""
    values = [element.want(kind) for element in node.elements()]
    if len(values) != 2 or values[0] > values[1]:
        node.fail(f"expected [first, last] with first <= last, got {node.value!r}")
    return values[0], values[1]


def _window(name: str, node: Node) -> Any:
    """A window, read by its name's ending (see the comment in ``records.yaml``)."""
    if name.endswith("_days"):
        lo, hi = _pair(node, "integer")
        if lo < 0:
            node.fail("days before an anchor cannot be negative")
        return lo, hi
    if name.endswith(("_from", "_until", "_before")):
        return node.want("date")
    return _pair(node, "date")


def _named(node: Node, expected: set[str]) -> list[tuple[str, Node]]:
    """Entries of a mapping whose keys must be exactly ``expected`` (the builder's)."""
    node.only(expected, expected)
    return node.entries()


def _shares(node: Node, expected: set[str]) -> dict[str, float]:
    """Planted proportions, each strictly between 0 and 1."""
    shares = {key: value.want("number") for key, value in _named(node, expected)}
    for key, share in shares.items():
        if not 0 < share < 1:
            node.child(key).fail(f"a share must lie strictly between 0 and 1, got {share}")
    return shares


def _fixed(node: Node, dates: list[str]) -> list[tuple[int, dict[str, date | None]]]:
    """Subjects placed on purpose: a request subject's number and its date overrides."""
    fixed = []
    for element in node.elements():
        element.only({"subject", "dates"}, {"subject"})
        number = element["subject"].want("integer")
        overrides = {}
        for column, value in element.get("dates", {}).entries(set(dates)):
            overrides[column] = None if value.value is None else value.want("date")
        fixed.append((number, overrides))
    return fixed


def load_extract(node: Node, system_id: str) -> ExtractSpec:
    """Check and load one extract of ``records.yaml``.

    Parameters
    ----------
    node
        The extract's mapping.
    system_id
        Its key; one of the systems a builder exists for (:data:`BUILDER_KEYS`).
    """
    keys = BUILDER_KEYS[system_id]
    node.only(_EXTRACT_KEYS, {"prefix", "main", "rows", "dates"})
    dates = node["dates"].texts()
    if not dates or dates[0] != "collected":
        node["dates"].fail("the first date column must be 'collected' (extracts are ordered by it)")
    rows = node["rows"].want("integer")
    if rows < 100:
        node["rows"].fail("an extract needs at least 100 rows")
    return ExtractSpec(
        system_id=system_id,
        prefix=node["prefix"].want("text"),
        main=node["main"].want("flag"),
        rows=rows,
        dates=dates,
        fixed=_fixed(node.get("fixed", []), dates),
        shares=_shares(node.get("shares", {}), keys["shares"]),
        events={k: [e.want("date") for e in v.elements()] for k, v in _named(node.get("events", {}), keys["events"])},
        windows={k: _window(k, v) for k, v in _named(node.get("windows", {}), keys["windows"])},
    )


def _names(node: Node) -> list[str]:
    """A non-empty list of name parts (people's names are picked from it by subject number)."""
    names = node.texts()
    if not names:
        node.fail("expected at least one name")
    return names


def load_records(path: Path = RECORDS_FILE) -> RecordSpec:
    """The record extracts' specification.

    Raises
    ------
    FixtureError
        When the file is malformed, lacks an extract a builder exists for or
        has one no builder exists for; the message names the file and key.
    """
    root = read_fixture(path)
    keys = {"pool_start", "first_names", "last_names", "extracts"}
    root.only({"source", "date", *keys}, keys)
    extracts = _named(root["extracts"], set(BUILDER_KEYS))
    return RecordSpec(
        pool_start=root["pool_start"].want("integer"),
        first_names=_names(root["first_names"]),
        last_names=_names(root["last_names"]),
        extracts={sid: load_extract(node, sid) for sid, node in extracts},
    )
