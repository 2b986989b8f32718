"""DSR-01..05: data-subject requests against Art. 12 and the policy's one-month promise.

Deadlines are calendar months from receipt with month-end clamping (31
January + 1 month = 28/29 February), as Art. 12(3) and the policy's
"inom en månad" are read; an extension notified in time adds two months.
Everything is computed column-wise, so a long request log costs nothing, and
record extracts are filtered to the few requesters with ``isin`` before
anything is grouped or copied.

Each rule returns facts, one row per request with a gap; its wording is in
``data/reference/rules.yaml``. No request log means no findings.
"""

from __future__ import annotations

import pandas as pd

from audit.records.queries import subject_rows, subjects_present
from audit.reference.durations import period_to_offset
from audit.reference.i18n import text
from audit.rules.common import unreadable, unreadable_case
from audit.rules.context import AuditContext
from audit.rules.findings import cite, cite_column

#: Art. 12(3): one month, used for the requests table when the policy promises no deadline of its own.
LAW_DEADLINE = "P1M"
EXTENSION = pd.DateOffset(months=2)
#: Outcomes under which a request counts as carried out (a blank outcome is read as done).
CARRIED_OUT = ["done", "partly"]


def _status(completed: pd.Series, deadline: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """``on time``, ``late``, ``open`` or ``overdue`` (open past its deadline at the as-of date)."""
    status = pd.Series("on time", index=completed.index, dtype="object")
    status[completed.notna() & (completed > deadline)] = "late"
    status[completed.isna()] = "open"
    status[completed.isna() & (as_of > deadline)] = "overdue"
    return status


def request_timeline(ctx: AuditContext) -> pd.DataFrame:
    """One row per request: deadline, identity check, answer date, days late, status.

    The table behind DSR-01/02, the workbook's ``Requests`` sheet and the
    answer-time chart. ``status`` is ``on time``, ``late``, ``open`` or
    ``overdue`` (open past its deadline at the as-of date).

    ``extended`` is shown as given, blank when the log leaves it blank
    (unknown, not "no"); the deadline counts an extension only when it is
    recorded as made and notified in time. ``identity_verified`` is the
    evidence DSR-05 rests on, so the DPO sees it beside the answer date.
    """
    req = ctx.inputs.requests
    # A policy that promises no deadline is held to the law's one month (DSR-01/02 then say they could not run).
    month = period_to_offset(ctx.policy.request_deadline or LAW_DEADLINE)
    received = req["received"]
    base = received + month
    notified = req["extension_notified"]
    extended = req["extended"].astype("boolean")
    in_time = extended.fillna(False) & notified.notna() & (notified <= base)
    deadline = base.where(~in_time, received + month + EXTENSION)
    completed = req["completed"]
    days_late = (completed.fillna(ctx.as_of_ts) - deadline).dt.days.clip(lower=0)
    status = _status(completed, deadline, ctx.as_of_ts)
    return pd.DataFrame(
        {
            "request_id": req["request_id"],
            "subject_ref": req["subject_ref"],
            "right": req["right"],
            "received": received,
            "extended": extended,
            "extension_notified": notified,
            "deadline": deadline,
            "identity_verified": req["identity_verified"],
            "completed": completed,
            "days_to_answer": (completed - received).dt.days.astype("Int64"),
            "days_late": days_late.where(status.isin(["late", "overdue"]), 0).astype("Int64"),
            "status": status,
            "outcome": req["outcome"],
            "src_file": req["src_file"],
            "src_sheet": req["src_sheet"],
            "src_row": req["src_row"],
        },
        index=req.index,
    )


def _extension_unreadable(ctx: AuditContext, gap: pd.DataFrame) -> pd.Series:
    """Where an extension cell (``extended``, ``extension_notified``) could not be read: its input issue, else None.

    The deadline was then computed without the extension, which may be why
    the request is late; the finding says so rather than hiding it. A
    notification date counts only where ``extended`` is not a readable no.
    """
    extended = unreadable(ctx.inputs, gap, "extended")
    said_no = ctx.inputs.requests["extended"].reindex(gap.index).astype("boolean").eq(False).fillna(False)
    notified = unreadable(ctx.inputs, gap, "extension_notified").where(~said_no.astype(bool), None)
    return extended.where(extended.notna(), notified)


def _past_deadline(ctx: AuditContext, status: str) -> pd.DataFrame:
    """Requests of one timeline ``status`` (``late`` or ``overdue``): when received, due, answered, how late.

    An ``overdue`` request whose completion date could not be read may
    well have been answered: ``case`` is ``unreadable``, with the input issue
    in ``unreadable``. ``extension`` is a phrase key: extended, none, or an
    extension cell that could not be read (its issue in ``extension_unreadable``).
    """
    timeline = request_timeline(ctx)
    gap = timeline[(timeline["status"] == status) & timeline["received"].notna()]
    completed = unreadable(ctx.inputs, gap, "completed")
    extension = _extension_unreadable(ctx, gap)
    return pd.DataFrame(
        {
            "request_id": gap["request_id"],
            "right": gap["right"],
            "right_unknown": gap["right"].isna().map({True: "unknown_right", False: ""}),
            "received": gap["received"],
            "deadline": gap["deadline"],
            "completed": gap["completed"],
            "days_late": gap["days_late"],
            "extension": gap["extended"]
            .eq(True)
            .fillna(False)
            .map({True: "extended", False: ""})
            .where(extension.isna(), "extension_unreadable"),
            "extension_unreadable": extension,
            "case": unreadable_case(pd.Series("default", index=gap.index), completed),
            "unreadable": completed,
            "evidence": cite(gap),
            "policy_clause": ctx.policy.clause_or_empty("*", "request_deadline"),
        }
    )


def answered_late(ctx: AuditContext) -> pd.DataFrame:
    """DSR-01: requests answered after their deadline (one month, or three with an extension notified in time)."""
    return _past_deadline(ctx, "late")


def open_past_deadline(ctx: AuditContext) -> pd.DataFrame:
    """DSR-02: requests still open on the as-of date although their deadline has passed."""
    return _past_deadline(ctx, "overdue")


def _carried_out(req: pd.DataFrame, rights: list[str]) -> pd.Series:
    """Requests for one of ``rights`` that were completed and not refused."""
    outcome = req["outcome"]
    return req["right"].isin(rights) & req["completed"].notna() & (outcome.isna() | outcome.isin(CARRIED_OUT))


def _subjects_in_extracts(ctx: AuditContext, subjects: pd.Series) -> pd.DataFrame:
    """For the given people: the systems and record counts where they still appear.

    Asked of the engine with the few requesters' refs, so an extract of
    millions of records returns a handful of counts.
    """
    return subjects_present(ctx.inputs.records, subjects.dropna().astype(str))


def _per_request(hits: pd.DataFrame) -> pd.DataFrame:
    """One row per erasure request: the systems still holding the person (``S-CRM (1); S-NEWS (2)``) and the total."""
    hits = hits.assign(where=hits["system_id"] + " (" + hits["records"].astype(str) + ")")
    grouped = hits.groupby("request_id", sort=True).agg(
        subject_ref=("subject_ref", "first"),
        completed=("completed", "first"),
        where=("where", "; ".join),
        records=("records", "sum"),
        src_file=("src_file", "first"),
        src_sheet=("src_sheet", "first"),
        src_row=("src_row", "first"),
    )
    return grouped.reset_index()


def erased_still_present(ctx: AuditContext) -> pd.DataFrame:
    """DSR-03: people whose erasure was carried out who still appear in a record extract."""
    req = ctx.inputs.requests
    erased = req[_carried_out(req, ["erasure"])]
    hits = erased.merge(_subjects_in_extracts(ctx, erased["subject_ref"]), on="subject_ref", how="inner")
    if hits.empty:
        columns = ["request_id", "subject_ref", "completed", "records", "where", "evidence", "policy_clause"]
        return pd.DataFrame(columns=columns)
    grouped = _per_request(hits)
    return pd.DataFrame(
        {
            "request_id": grouped["request_id"],
            "subject_ref": grouped["subject_ref"],
            "completed": grouped["completed"],
            "records": grouped["records"],
            "where": grouped["where"],
            "evidence": cite(grouped) + f"; {text('wording.evidence.record_extracts', ctx.lang)} " + grouped["where"],
            "policy_clause": ctx.policy.clause_or_empty("*", "erasure"),
        }
    )


def _newsletter_records(ctx: AuditContext, subjects: pd.Series) -> pd.DataFrame:
    """The given people's records in activities disclosed under a marketing policy activity (the newsletter list)."""
    acts = ctx.inputs.activities
    # The marketing list is whatever the policy lets people leave by unsubscribing.
    retention = ctx.policy.retention
    marketing_ids = set(retention.loc[retention["anchor"] == "unsubscribed", "policy_id"])
    marketing = set(acts.loc[acts["policy_ref"].isin(marketing_ids), "activity_id"].dropna())
    wanted = subjects.dropna().astype(str)
    return subject_rows(ctx.inputs.records, wanted, marketing, ["unsubscribed", "last_contact"])


def objection_not_honoured(ctx: AuditContext) -> pd.DataFrame:
    """DSR-04: objectors still on the marketing list, or sent marketing after their objection.

    ``case`` says which (``still_listed``, ``mailed_after`` or ``both``); a
    person in several marketing extracts gives one finding, for the first.
    """
    req = ctx.inputs.requests
    objections = req[(req["right"] == "objection") & req["received"].notna()]
    hits = objections.merge(_newsletter_records(ctx, objections["subject_ref"]), on="subject_ref", how="inner")
    listed = hits["unsubscribed"].isna() | (hits["unsubscribed"] > hits["completed"].fillna(ctx.as_of_ts))
    mailed = hits["last_contact"].notna() & (hits["last_contact"] > hits["received"])
    case = (listed.astype(int) + 2 * mailed.astype(int)).map({1: "still_listed", 2: "mailed_after", 3: "both"})
    first = hits.assign(case=case)[listed | mailed].drop_duplicates("request_id").sort_values("request_id")
    return pd.DataFrame(
        {
            "request_id": first["request_id"],
            "subject_ref": first["subject_ref"],
            "received": first["received"],
            "system_id": first["system_id"],
            "case": first["case"],
            "evidence": cite(first) + f"; {text('wording.evidence.record_extract', ctx.lang)} " + first["system_id"],
            "policy_clause": ctx.policy.clause_or_empty("*", "objection"),
        }
    )


def disclosed_without_identity_check(ctx: AuditContext) -> pd.DataFrame:
    """DSR-05: access or portability requests carried out before (or without) verifying the person's identity.

    A verification date that could not be read is not "no check": ``case`` ``unreadable``.
    """
    req = ctx.inputs.requests
    verified = req["identity_verified"]
    gap = req[_carried_out(req, ["access", "portability"]) & (verified.isna() | (verified > req["completed"]))]
    where = unreadable(ctx.inputs, gap, "identity_verified")
    return pd.DataFrame(
        {
            "request_id": gap["request_id"],
            "right": gap["right"],
            "completed": gap["completed"],
            "identity_verified": gap["identity_verified"],
            "case": unreadable_case(gap["identity_verified"].isna().map({True: "no_check", False: "default"}), where),
            "unreadable": where,
            "evidence": cite_column(gap, ctx, "identity_verified"),
            "policy_clause": ctx.policy.clause_or_empty("*", "identity"),
        }
    )
