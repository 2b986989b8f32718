"""Drawing the record extracts: column-wise, from one seeded numpy ``Generator``.

A million rows per extract (the benchmark's use) must take seconds, so
nothing here loops over rows: each group of records ("A-02 contracts that
ended", "A-10 unsubscribed too long ago") is drawn as whole date columns,
the groups are concatenated and the extract is ordered by collection date,
as a system would export it. Every size, share, calendar and date window
comes from ``records.yaml`` (:mod:`tools.sample.recordspec`); the builders
below only say how one system's dates relate to each other. The order of
the draws is part of the output: changing it changes every extract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from tools.sample.constants import SAMPLE_AS_OF
from tools.sample.data import RECORDS
from tools.sample.recordspec import ExtractSpec

NAT = np.datetime64("NaT", "D")
Dates = dict[str, np.ndarray]


def _d(value: str | date) -> np.datetime64:
    """A day as numpy sees it."""
    return np.datetime64(str(value), "D")


def _between(rng: np.random.Generator, lo: Any, hi: Any, n: int) -> np.ndarray:
    """Uniform dates in [lo, hi] (scalars or per-row arrays), as datetime64[D]."""
    lo_a = np.asarray(lo, dtype="datetime64[D]")
    hi_a = np.asarray(hi, dtype="datetime64[D]")
    span = np.maximum((hi_a - lo_a).astype(np.int64), 0)
    return lo_a + rng.integers(0, span + 1, size=n).astype("timedelta64[D]")


def _back(rng: np.random.Generator, end: np.ndarray, days: tuple[int, int]) -> np.ndarray:
    """Dates ``days[0]``..``days[1]`` before ``end``: a record is collected before the event that ends it."""
    lo_days, hi_days = days
    return end - rng.integers(lo_days, hi_days + 1, size=len(end)).astype("timedelta64[D]")


def _count(n: int, share: float) -> int:
    """A planted group's size: the same proportion at any scale, never zero (the gap must exist)."""
    return max(1, int(round(n * share)))


def _last_day() -> np.datetime64:
    """The day before the as-of date: no record is collected on or after it."""
    return _d(SAMPLE_AS_OF) - 1


@dataclass
class Segment:
    """Rows of one kind (activity × situation) before the extract is assembled.

    Parameters
    ----------
    activity
        Activity id of the rows.
    tag
        ``""`` for compliant rows, else the rule the group plants (RET-03, RET-05).
    dates
        Date columns drawn for the group; absent columns are blank.
    n
        Number of rows.
    fixed
        ``(subject number, date overrides)`` put in the group's first rows.
    """

    activity: str
    tag: str
    dates: Dates
    n: int
    fixed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Extract:
    """One generated record extract, column arrays in file order."""

    system_id: str
    activity: np.ndarray
    subject: np.ndarray
    dates: Dates
    tag: np.ndarray

    def __len__(self) -> int:
        """Number of records."""
        return len(self.subject)


def _assemble(spec: ExtractSpec, segments: list[Segment], subjects: np.ndarray) -> Extract:
    """Concatenate segments, place the fixed subjects, order by collection date (as systems export)."""
    dates = {c: np.concatenate([s.dates.get(c, np.full(s.n, NAT)) for s in segments]) for c in spec.dates}
    activity = np.concatenate([np.full(s.n, s.activity, dtype="<U4") for s in segments])
    tag = np.concatenate([np.full(s.n, s.tag, dtype="<U6") for s in segments])
    subjects = subjects.copy()
    start = 0
    for seg in segments:
        for i, (number, overrides) in enumerate(seg.fixed):
            subjects[start + i] = number
            for col, value in overrides.items():
                dates[col][start + i] = _d(value) if value is not None else NAT
        start += seg.n
    order = np.argsort(dates["collected"], kind="stable")
    return Extract(
        spec.system_id, activity[order], subjects[order], {c: a[order] for c, a in dates.items()}, tag[order]
    )


def _crm(rng: np.random.Generator, n: int, subjects: np.ndarray, spec: ExtractSpec) -> Extract:
    """S-CRM: ongoing and ended customer contacts (A-02), declined deals still kept, supplier contacts (A-15)."""
    share, w = spec.shares, spec.windows
    n15 = int(round(n * share["suppliers"]))
    n02 = n - n15
    n_decl = _count(n02, share["declined"])
    n_end = int(round(n02 * share["ended"]))
    n_on = n02 - n_decl - n_end
    n15_end = int(round(n15 * share["suppliers_ended"]))

    def ongoing(k: int) -> Dates:
        """Contacts still active: collected any time, last contacted since."""
        collected = _between(rng, _d(w["collected_from"]), _last_day(), k)
        return {"collected": collected, "last_contact": _between(rng, collected, _last_day(), k)}

    def ended(k: int, window: tuple[date, date]) -> Dates:
        """Contracts that ended in ``window``: collected and last contacted before the end."""
        end = _between(rng, _d(window[0]), _d(window[1]), k)
        return {
            "contract_end": end,
            "collected": _back(rng, end, w["collected_before_end_days"]),
            "last_contact": _back(rng, end, w["last_contact_before_end_days"]),
        }

    declined = _between(rng, _d(w["deal_declined"][0]), _d(w["deal_declined"][1]), n_decl)
    segments = [
        Segment("A-02", "", ongoing(n_on), n_on, spec.fixed),
        Segment("A-02", "", ended(n_end, w["contract_ended"]), n_end),
        Segment(
            "A-02",
            "RET-03",
            {
                "deal_declined": declined,
                "collected": _back(rng, declined, w["collected_before_declined_days"]),
                "last_contact": declined,
            },
            n_decl,
        ),
        Segment("A-15", "", ongoing(n15 - n15_end), n15 - n15_end),
        Segment("A-15", "", ended(n15_end, w["supplier_contract_ended"]), n15_end),
    ]
    return _assemble(spec, segments, subjects)


def _news(rng: np.random.Generator, n: int, subjects: np.ndarray, spec: ExtractSpec) -> Extract:
    """S-NEWS: subscribers (A-10), recent unsubscribes (fine) and old ones still kept (RET-03)."""
    w = spec.windows
    n_over = _count(n, spec.shares["overdue"])
    n_recent = _count(n, spec.shares["recent"])
    n_sub = n - n_over - n_recent
    collected = _between(rng, _d(w["collected_from"]), _last_day(), n_sub)
    subscribed = {"collected": collected, "last_contact": _between(rng, collected, _d(w["last_contact_until"]), n_sub)}

    def unsubscribed(window: tuple[date, date], k: int) -> Dates:
        """Unsubscribes in ``window``: collected and last mailed before unsubscribing."""
        unsub = _between(rng, _d(window[0]), _d(window[1]), k)
        return {
            "unsubscribed": unsub,
            "collected": _back(rng, unsub, w["collected_before_unsubscribed_days"]),
            "last_contact": _back(rng, unsub, w["last_contact_before_unsubscribed_days"]),
        }

    segments = [
        Segment("A-10", "", subscribed, n_sub, spec.fixed),
        Segment("A-10", "", unsubscribed(w["unsubscribed_recent"], n_recent), n_recent),
        Segment("A-10", "RET-03", unsubscribed(w["unsubscribed_overdue"], n_over), n_over),
    ]
    return _assemble(spec, segments, subjects)


def _event(rng: np.random.Generator, n: int, subjects: np.ndarray, spec: ExtractSpec) -> Extract:
    """S-EVENT: event sign-ups (A-07, some for events long past: RET-03) and webinars (A-14, some undated: RET-05)."""
    share, events = spec.shares, spec.events
    n07 = int(round(n * share["signup"]))
    n14 = n - n07
    n_past = _count(n07, share["past"])
    n_nodate = _count(n14, share["webinar_no_date"])

    def signups(calendar: list[date], k: int) -> Dates:
        """Sign-ups for events of ``calendar``, collected some days before the event (never after yesterday)."""
        when = np.array([_d(day) for day in calendar], dtype="datetime64[D]")[rng.integers(0, len(calendar), size=k)]
        collected = _back(rng, when, spec.windows["collected_before_event_days"])
        return {"event_date": when, "collected": np.minimum(collected, _last_day())}

    segments = [
        Segment("A-07", "", signups(events["upcoming"], n07 - n_past), n07 - n_past),
        Segment("A-07", "RET-03", signups(events["past"], n_past), n_past),
        Segment("A-14", "", signups(events["webinars"], n14 - n_nodate), n14 - n_nodate),
    ]
    undated = {"collected": _between(rng, _d(spec.windows["no_date_collected_from"]), _last_day(), n_nodate)}
    segments.append(Segment("A-14", "RET-05", undated, n_nodate))
    return _assemble(spec, segments, subjects)


def _erp(rng: np.random.Generator, n: int, subjects: np.ndarray, spec: ExtractSpec) -> Extract:
    """S-ERP: bookkeeping (A-05); records migrated from the old ERP carry no fiscal_year_end."""
    collected = _between(rng, _d(spec.windows["collected_from"]), _last_day(), n)
    year_end = (collected.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
    fiscal = np.where(collected >= _d(spec.windows["old_erp_before"]), year_end, NAT)
    segment = Segment("A-05", "", {"collected": collected, "fiscal_year_end": fiscal}, n, spec.fixed)
    return _assemble(spec, [segment], subjects)


Builder = Callable[[np.random.Generator, int, np.ndarray, ExtractSpec], Extract]
# The builder of each system, in draw order; True: a person is in that extract at most once
# (a CRM contact, a subscriber), False: as often as chance has it (event sign-ups, invoices).
BUILDERS: dict[str, tuple[Builder, bool]] = {
    "S-CRM": (_crm, True),
    "S-NEWS": (_news, True),
    "S-EVENT": (_event, False),
    "S-ERP": (_erp, False),
}


def generate_records(seed: int, sizes: dict[str, int]) -> dict[str, Extract]:
    """All extracts for ``sizes`` (system_id -> rows), drawn from one seeded Generator.

    People are numbered from one pool shared by the extracts, so the same
    person (same subject_ref, name and e-mail) can be a CRM contact, a
    newsletter subscriber and an event participant, as in a real company.

    Parameters
    ----------
    seed
        Seed of the Generator; the same seed and sizes give the same extracts.
    sizes
        Rows per extract, for every system of :data:`BUILDERS`; at least 100 each.
    """
    small = {sid: n for sid, n in sizes.items() if n < 100}
    if small:
        raise ValueError(f"record extracts need at least 100 rows each, got {small}")
    rng = np.random.default_rng(seed)
    pool = int(max(sizes.values()) * 1.25)
    subjects = {
        sid: rng.choice(pool, size=sizes[sid], replace=False) if unique else rng.integers(0, pool, size=sizes[sid])
        for sid, (_, unique) in BUILDERS.items()
    }
    return {
        sid: build(rng, sizes[sid], subjects[sid] + RECORDS.pool_start, RECORDS.extracts[sid])
        for sid, (build, _) in BUILDERS.items()
    }
