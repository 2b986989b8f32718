"""Records past the policy's retention limit (RET-03, RET-05), judged in the engine.

The decisions are those of :mod:`audit.rules.retention_facts` (read its
docstring); this module writes them as one Ibis expression per extract: per
record, the deadline of each rule whose anchor date it has (a stand-in
anchor filling in, a bookkeeping period counted from the financial year
end), the latest of them, and per activity the counts, the oldest anchor
date among the overdue records and the ids of the oldest few. The records
never leave the engine; a hundred million of them cost one scan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pandas as pd

from audit.records.store import Extract
from audit.reference.durations import _ISO as PERIOD_PATTERN
from audit.reference.retention_periods import anchor_book


def _period(iso: str) -> tuple[int, int]:
    """An ISO 8601 period as (months, days): years become months, weeks and whole days of hours become days.

    One month interval for ``years + months`` keeps calendar arithmetic as
    ``pandas.DateOffset`` has it (2020-02-29 + P1Y1M = 2021-03-29). Hours
    count in whole days, rounded down: a record dated at midnight plus 36
    hours is overdue on the as-of date exactly when it is plus one day.
    """
    match = PERIOD_PATTERN.match(str(iso))
    if match is None:
        raise ValueError(f"not an ISO 8601 period of years/months/weeks/days/hours: {iso!r}")
    years, months, weeks, days, hours = (int(g) if g else 0 for g in match.groups())
    return 12 * years + months, 7 * weeks + days + hours // 24


def _shift(date: ibis.Value, months: int, days: int) -> ibis.Value:
    out = date
    if months:
        out = out + ibis.interval(months=months)
    if days:
        out = out + ibis.interval(days=days)
    return out.cast("date")


def _year_end(date: ibis.Value) -> ibis.Value:
    """31 December of the date's year (``pandas.offsets.YearEnd(0)``: a 31 December stays)."""
    return (date.truncate("Y") + ibis.interval(years=1) - ibis.interval(days=1)).cast("date")


class _Dates:
    """The anchor columns of one extract, capped just after the as-of date (a far-future typo cannot overflow)."""

    def __init__(self, extract: Extract, cap: dt.date):
        self.extract = extract
        self.cap = ibis.date(cap)

    def __call__(self, name: str) -> ibis.Value | None:
        if name not in self.extract.columns:
            return None
        col = self.extract.table[name]
        return ibis.ifelse(col > self.cap, self.cap, col)


def _rule_base(dates: _Dates, rule: pd.Series) -> tuple[ibis.Value, ibis.Value] | None:
    """The date a rule counts from and the anchor date shown; ``None`` when the extract lacks the column."""
    book = anchor_book()
    anchor = str(rule["anchor"])
    own = dates(anchor)
    if anchor in book.stand_in:
        stand = dates(book.stand_in[anchor])
        if stand is None:
            return None if own is None else (own, own)
        fallback = _year_end(stand)
        if own is None:
            return fallback, stand
        return own.fill_null(fallback), own.fill_null(stand)
    if own is None:
        return None
    if not rule["year_end"]:
        return own, own
    base = _year_end(own)
    fiscal = dates(book.year_end_anchor)
    if fiscal is not None:
        # A financial year that ended before the anchor date is an earlier year: it cannot end this one.
        base = ibis.ifelse(fiscal.notnull() & (fiscal >= own), fiscal, base)
    return base, own


def _latest(dates: _Dates, rules: pd.DataFrame, grace: int) -> tuple[ibis.Value | None, ibis.Value | None, list[str]]:
    """Per record the latest deadline of the rules whose anchor it has, its anchor date, and the absent columns."""
    deadline: ibis.Value | None = None
    shown: ibis.Value | None = None
    missing: list[str] = []
    for _, rule in rules.iterrows():  # the activity's few rules, not records
        got = _rule_base(dates, rule)
        if got is None:
            missing.append(str(rule["anchor"]))
            continue
        base, date = got
        months, days = _period(str(rule["period"])) if rule["kind"] == "period" else (0, grace)
        due = _shift(base, months, days)
        if deadline is None or shown is None:
            deadline, shown = due, date
            continue
        later = due.notnull() & (deadline.isnull() | (due > deadline))
        deadline, shown = ibis.ifelse(later, due, deadline), ibis.ifelse(later, date, shown)
    return deadline, shown, missing


def judge_extract(
    extract: Extract,
    rules: dict[str, pd.DataFrame],
    totals: pd.DataFrame,
    as_of: dt.date,
    grace: int,
    examples: int,
) -> list[dict[str, Any]]:
    """Counts per activity of one extract under its measurable rules (``rules``: activity id -> its rules).

    ``totals`` are the extract's records per activity (:func:`~audit.records.queries.activity_counts`).
    One aggregate query covers every activity of the extract; the example
    ids are one small top-N query per activity with overdue records.
    """
    t = extract.table
    dates = _Dates(extract, as_of + dt.timedelta(days=1))
    ongoing = anchor_book().ongoing
    cutoff = ibis.date(as_of)
    per: dict[str, dict[str, Any]] = {}
    deadline_cases = []
    shown_cases = []
    for aid, group in rules.items():
        deadline, shown, missing = _latest(dates, group, grace)
        blank = sorted({str(a) for a in group["anchor"] if str(a) not in ongoing})
        per[aid] = {"missing_columns": sorted(set(missing)), "blank_anchors": blank, "judged": deadline is not None}
        if deadline is not None and shown is not None:
            deadline_cases.append((t.activity_id == aid, deadline))
            shown_cases.append((t.activity_id == aid, shown))
    out = []
    counts: dict[str, dict[str, Any]] = {}
    if deadline_cases:
        deadline_all = ibis.cases(*deadline_cases, else_=ibis.null("date"))
        shown_all = ibis.cases(*shown_cases, else_=ibis.null("date"))
        scoped = t.filter(t.activity_id.isin(list(rules))).mutate(_deadline=deadline_all, _shown=shown_all)
        past = scoped._deadline < cutoff
        agg = scoped.group_by("activity_id").aggregate(
            past=past.fill_null(False).cast("int64").sum(),
            undated=scoped._deadline.isnull().cast("int64").sum(),
            oldest=scoped._shown.min(where=past.fill_null(False)),
        )
        for found in agg.to_pandas().to_dict("records"):  # one row per activity, not per record
            counts[str(found["activity_id"])] = {
                "past": int(found["past"] or 0),
                "undated": int(found["undated"] or 0),
                "oldest": found["oldest"],
            }
        for aid, got in counts.items():
            if got["past"]:
                mine = scoped.filter((scoped.activity_id == aid) & (scoped._deadline < cutoff))
                ids = mine.order_by(["_shown", "src_row"]).limit(examples).select("record_id").to_pandas()
                got["examples"] = [str(r) for r in ids["record_id"] if r is not None]
    for aid, total in zip(totals["activity_id"], totals["records"], strict=True):
        if aid not in rules:
            continue
        facts = per[aid]
        got = counts.get(aid, {"past": 0, "undated": 0, "oldest": None})
        row: dict[str, Any] = {
            "activity_id": aid,
            "judged": True,
            "records_total": int(total),
            "records_past_limit": got["past"] if facts["judged"] else 0,
            "oldest_anchor": pd.Timestamp(got["oldest"]) if got["past"] and got["oldest"] is not None else pd.NaT,
            "examples": got.get("examples", []),
            "records_missing_anchor": int(total) if facts["missing_columns"] else 0,
            "missing_columns": facts["missing_columns"],
            "blank_anchors": facts["blank_anchors"],
        }
        if facts["judged"] and not facts["missing_columns"] and facts["blank_anchors"]:
            row["records_missing_anchor"] = got["undated"]
        out.append(row)
    return out
