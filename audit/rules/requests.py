"""DSR-01..05: data-subject requests against Art. 12 and the policy's one-month promise.

Deadlines are calendar months from receipt with month-end clamping (31
January + 1 month = 28/29 February), as Art. 12(3) and the policy's
"inom en månad" are read; an extension notified in time adds two months.
Everything is computed column-wise, so a long request log costs nothing.
"""

from __future__ import annotations

import pandas as pd

from audit.reference.durations import period_to_offset
from audit.rules.context import AuditContext
from audit.rules.findings import cite, combine_findings, make_findings
from audit.rules.optional import column as _col

EXTENSION = pd.DateOffset(months=2)


def request_timeline(ctx: AuditContext) -> pd.DataFrame:
    """One row per request: deadline, answer date, days late, status.

    The table behind DSR-01/02, the workbook's ``Requests`` sheet and the
    answer-time chart. ``status`` is ``on time``, ``late``, ``open`` or
    ``overdue`` (open past its deadline at the as-of date).
    """
    req = ctx.inputs.requests
    month = period_to_offset(ctx.policy.request_deadline)
    received = _col(req, "received", pd.NaT)
    base = received + month
    notified = _col(req, "extension_notified", pd.NaT)
    extended = _col(req, "extended", pd.NA).astype("boolean").fillna(False)
    in_time = extended & notified.notna() & (notified <= base)
    deadline = base.where(~in_time, received + month + EXTENSION)
    completed = _col(req, "completed", pd.NaT)
    as_of = ctx.as_of_ts
    end = completed.fillna(as_of)
    days_late = (end - deadline).dt.days.clip(lower=0)
    status = pd.Series("on time", index=req.index, dtype="object")
    status[completed.notna() & (completed > deadline)] = "late"
    status[completed.isna()] = "open"
    status[completed.isna() & (as_of > deadline)] = "overdue"
    return pd.DataFrame(
        {
            "request_id": _col(req, "request_id"),
            "subject_ref": _col(req, "subject_ref"),
            "right": _col(req, "right"),
            "received": received,
            "extended": extended,
            "extension_notified": notified,
            "deadline": deadline,
            "completed": completed,
            "days_to_answer": (completed - received).dt.days.astype("Int64"),
            "days_late": days_late.where(status.isin(["late", "overdue"]), 0).astype("Int64"),
            "status": status,
            "outcome": _col(req, "outcome"),
            "src_file": _col(req, "src_file"),
            "src_sheet": _col(req, "src_sheet"),
            "src_row": _col(req, "src_row"),
        },
        index=req.index,
    )


def _timeline_findings(ctx: AuditContext, timeline: pd.DataFrame) -> pd.DataFrame:
    clause = ctx.policy.clause("*", "request_deadline")
    out = []
    for rule, status, verb in (("DSR-01", "late", "answered"), ("DSR-02", "overdue", "still open")):
        gap = timeline[(timeline["status"] == status) & timeline["received"].notna()]
        ext = gap["extended"].map({True: " (extended)", False: ""})
        when = gap["completed"].dt.strftime("%Y-%m-%d") if status == "late" else pd.Series("", index=gap.index)
        detail = (
            "Request "
            + gap["request_id"].astype(str)
            + " ("
            + gap["right"].fillna("unknown right").astype(str)
            + ") received "
            + gap["received"].dt.strftime("%Y-%m-%d")
            + f" was {verb} "
            + (when + ", " if status == "late" else "")
            + gap["days_late"].astype(str)
            + " days after its deadline "
            + gap["deadline"].dt.strftime("%Y-%m-%d")
            + ext
            + ("." if status == "late" else f" on {ctx.as_of.isoformat()}.")
        )
        rows = pd.DataFrame(
            {"subject": gap["request_id"], "detail": detail, "evidence": cite(gap), "policy_clause": clause}
        )
        out.append(make_findings(rule, rows, ctx.settings))
    return combine_findings(out)


def _subjects_in_extracts(ctx: AuditContext, subjects: pd.Series) -> pd.DataFrame:
    """For the given people: the systems and record counts where they still appear.

    Extracts can hold millions of rows, so they are filtered to the few
    requesters with ``isin`` before anything is grouped or copied.
    """
    wanted = pd.unique(subjects.dropna().astype(str))
    parts = []
    for sid, rec in ctx.inputs.records.items():
        if "subject_ref" not in rec:
            continue
        hits = rec.loc[rec["subject_ref"].isin(wanted), "subject_ref"]
        parts.append(pd.DataFrame({"subject_ref": hits.astype(str).astype("object"), "system_id": sid}))
    if not parts:
        return pd.DataFrame(columns=["subject_ref", "system_id", "records"])
    allrec = pd.concat(parts, ignore_index=True)
    return allrec.groupby(["subject_ref", "system_id"], observed=True).size().rename("records").reset_index()


def _erasure_findings(ctx: AuditContext) -> pd.DataFrame:
    req = ctx.inputs.requests
    outcome = _col(req, "outcome")
    done = (
        (_col(req, "right") == "erasure")
        & _col(req, "completed", pd.NaT).notna()
        & (outcome.isna() | outcome.isin(["done", "partly"]))
    )
    erased = req[done]
    if erased.empty:
        return make_findings("DSR-03", erased, ctx.settings)
    present = _subjects_in_extracts(ctx, erased["subject_ref"])
    hits = erased.merge(present, on="subject_ref", how="inner")
    if hits.empty:
        return make_findings("DSR-03", hits, ctx.settings)
    hits["where"] = hits["system_id"] + " (" + hits["records"].astype(str) + ")"
    grouped = hits.groupby("request_id", sort=True).agg(
        subject_ref=("subject_ref", "first"),
        completed=("completed", "first"),
        where=("where", "; ".join),
        records=("records", "sum"),
        src_file=("src_file", "first"),
        src_sheet=("src_sheet", "first"),
        src_row=("src_row", "first"),
    )
    grouped = grouped.reset_index()
    rows = pd.DataFrame(
        {
            "subject": grouped["request_id"],
            "detail": "Erasure request "
            + grouped["request_id"]
            + " for "
            + grouped["subject_ref"]
            + " was completed "
            + grouped["completed"].dt.strftime("%Y-%m-%d")
            + ", yet "
            + grouped["records"].astype(str)
            + " record(s) remain in: "
            + grouped["where"]
            + ".",
            "evidence": cite(grouped) + "; record extracts " + grouped["where"],
            "policy_clause": ctx.policy.clause("*", "erasure"),
        }
    )
    return make_findings("DSR-03", rows, ctx.settings)


def _newsletter_records(ctx: AuditContext, subjects: pd.Series) -> pd.DataFrame:
    """The given people's records in activities disclosed under a marketing policy activity (the newsletter list)."""
    acts = ctx.inputs.activities
    # The marketing list is whatever the policy lets people leave by unsubscribing.
    retention = ctx.policy.retention
    marketing_ids = set(retention.loc[retention["anchor"] == "unsubscribed", "policy_id"])
    mk = set(acts.loc[acts["policy_ref"].isin(marketing_ids), "activity_id"]) if "policy_ref" in acts else set()
    parts = []
    for sid, rec in ctx.inputs.records.items():
        if "activity_id" not in rec or "subject_ref" not in rec:
            continue
        sel = rec[rec["subject_ref"].isin(pd.unique(subjects.dropna().astype(str))) & rec["activity_id"].isin(mk)]
        if sel.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "subject_ref": sel["subject_ref"].astype("object"),
                    "system_id": sid,
                    "unsubscribed": _col(sel, "unsubscribed", pd.NaT),
                    "last_contact": _col(sel, "last_contact", pd.NaT),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["subject_ref", "system_id", "unsubscribed", "last_contact"])
    return pd.concat(parts, ignore_index=True)


def _objection_findings(ctx: AuditContext) -> pd.DataFrame:
    req = ctx.inputs.requests
    objections = req[(_col(req, "right") == "objection") & _col(req, "received", pd.NaT).notna()]
    news = _newsletter_records(ctx, objections["subject_ref"])
    hits = objections.merge(news, on="subject_ref", how="inner")
    still_listed = hits["unsubscribed"].isna() | (hits["unsubscribed"] > hits["completed"].fillna(ctx.as_of_ts))
    mailed_after = hits["last_contact"].notna() & (hits["last_contact"] > hits["received"])
    hits = hits[still_listed | mailed_after].copy()
    if hits.empty:
        return make_findings("DSR-04", hits, ctx.settings)
    listed = still_listed[hits.index].map({True: "is still on the list without unsubscription", False: ""})
    mailed = mailed_after[hits.index].map({True: "was sent marketing after the objection", False: ""})
    both = (listed != "") & (mailed != "")
    hits["why"] = (listed + both.map({True: " and ", False: ""}) + mailed).astype(str)
    first = hits.drop_duplicates("request_id").sort_values("request_id")
    rows = pd.DataFrame(
        {
            "subject": first["request_id"],
            "system_id": first["system_id"],
            "detail": "Objection "
            + first["request_id"]
            + " by "
            + first["subject_ref"]
            + " received "
            + first["received"].dt.strftime("%Y-%m-%d")
            + ": the person "
            + first["why"]
            + " in "
            + first["system_id"]
            + ".",
            "evidence": cite(first) + "; record extract " + first["system_id"],
            "policy_clause": ctx.policy.clause("*", "objection"),
        }
    )
    return make_findings("DSR-04", rows, ctx.settings)


def _identity_findings(ctx: AuditContext) -> pd.DataFrame:
    req = ctx.inputs.requests
    completed = _col(req, "completed", pd.NaT)
    verified = _col(req, "identity_verified", pd.NaT)
    outcome = _col(req, "outcome")
    disclosed = outcome.isna() | outcome.isin(["done", "partly"])
    gap = req[
        _col(req, "right").isin(["access", "portability"])
        & completed.notna()
        & disclosed
        & (verified.isna() | (verified > completed))
    ]
    checked = verified[gap.index]
    how = ("before the identity was verified (" + checked.dt.strftime("%Y-%m-%d") + ").").where(
        checked.notna(), "with no identity check recorded."
    )
    done = completed[gap.index].dt.strftime("%Y-%m-%d")
    detail = gap["right"].str.capitalize() + " request " + gap["request_id"] + " was completed " + done + " " + how
    rows = pd.DataFrame(
        {
            "subject": gap["request_id"],
            "detail": detail,
            "evidence": cite(gap) + ", column identity_verified",
            "policy_clause": ctx.policy.clause("*", "identity"),
        }
    )
    return make_findings("DSR-05", rows, ctx.settings)


def check_requests(ctx: AuditContext) -> pd.DataFrame:
    """DSR-01..05 over the request log (no findings when there is no log)."""
    if ctx.inputs.requests.empty:
        return make_findings("DSR-01", ctx.inputs.requests, ctx.settings)
    timeline = request_timeline(ctx)
    return combine_findings(
        [_timeline_findings(ctx, timeline), _erasure_findings(ctx), _objection_findings(ctx), _identity_findings(ctx)]
    )
