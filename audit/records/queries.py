"""The rules' questions to the record extracts, written once as Ibis expressions.

Each function sends one query (or one per extract) to the engine and gets
back aggregates, or the few rows a finding cites: never the records. Ibis
compiles the same expression for DuckDB, PostgreSQL and Spark, so the rules
give the same answer wherever the records lie.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ibis
import pandas as pd

from audit.records.store import Extract, RecordStore


def activity_counts(extract: Extract) -> pd.DataFrame:
    """Records per activity id in one extract (``activity_id``, ``records``), in the order first seen."""
    t = extract.table
    counts = t.group_by("activity_id").aggregate(records=t.count(), first=t.src_row.min()).order_by("first")
    out = counts.to_pandas()[["activity_id", "records"]]
    out["records"] = out["records"].astype("int64")
    return out


def subjects_present(store: RecordStore, subjects: Iterable[str]) -> pd.DataFrame:
    """For the given people: the systems and record counts where they still appear (``subject_ref, system_id, records``)."""
    wanted = sorted({str(s) for s in subjects})
    parts = []
    if wanted:
        for sid, extract in store.items():
            t = extract.table
            mine = t.filter(t.subject_ref.isin(wanted))
            hits = mine.group_by("subject_ref").aggregate(records=mine.count())
            found = hits.to_pandas()
            if len(found):
                parts.append(found.assign(system_id=sid))
    if not parts:
        return pd.DataFrame(columns=["subject_ref", "system_id", "records"])
    out = pd.concat(parts, ignore_index=True)[["subject_ref", "system_id", "records"]]
    out["records"] = out["records"].astype("int64")
    return out.sort_values(["subject_ref", "system_id"], kind="stable").reset_index(drop=True)


def subject_rows(
    store: RecordStore, subjects: Iterable[str], activities: Iterable[str], dates: list[str]
) -> pd.DataFrame:
    """The given people's records in the given activities: ``subject_ref``, ``system_id`` and the ``dates`` asked.

    A date column an extract lacks comes back missing, so the caller tells
    "not recorded" from "no such column" by the extract, not by the frame.
    """
    wanted = sorted({str(s) for s in subjects})
    acts = sorted({str(a) for a in activities})
    columns = ["subject_ref", "system_id", *dates]
    parts = []
    if wanted and acts:
        for sid, extract in store.items():
            t = extract.table
            picked: dict[str, Any] = {"subject_ref": t.subject_ref}
            for name in dates:
                picked[name] = t[name] if name in extract.columns else ibis.null("date")
            sel = t.filter(t.subject_ref.isin(wanted) & t.activity_id.isin(acts)).order_by("src_row").select(**picked)
            found = sel.to_pandas()
            if len(found):
                parts.append(found.assign(system_id=sid))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)[columns]
    for name in dates:
        out[name] = pd.to_datetime(out[name]).astype("datetime64[ns]")
    return out


def first_collected(store: RecordStore) -> pd.Series:
    """activity_id -> the earliest ``collected`` date in any extract (how long an activity has really run)."""
    parts = []
    for extract in store.values():
        if not extract.has("activity_id", "collected"):
            continue
        t = extract.table
        dated = t.filter(t.activity_id.notnull())
        agg = dated.group_by("activity_id").aggregate(first=dated.collected.min())
        parts.append(agg.to_pandas())
    if not parts:
        return pd.Series(dtype="datetime64[ns]")
    found = pd.concat(parts, ignore_index=True)
    found["first"] = pd.to_datetime(found["first"]).astype("datetime64[ns]")
    return found.groupby("activity_id")["first"].min()
