"""RET-01..05: how long data is really kept, against the policy's retention rules (section 10).

Each rule returns facts, one row per gap; its wording is in
``data/reference/rules.yaml``. The judging itself (which policy rule binds
which system, every record's deadline) is shared and lives in
:mod:`audit.rules.retention_facts`, the period arithmetic and the anchor
book in :mod:`audit.reference.retention_periods`.

* RET-01: a system's configured deletion (days) is longer than the policy
  allows after the date its longest rule counts from (a period, or the grace
  after an event) for an activity the register says uses it.
* RET-02: such a system has no automatic deletion although the activity has
  a finite (measurable) rule.
* RET-03: records in an extract are past the policy's limit on the as-of date.
* RET-04: the register's own retention text differs from the policy's rule.
* RET-05: records whose retention cannot be judged (anchor date blank, or the
  extract lacks the column the rule counts from).

The policy rule text the findings quote (``policy_rule``) is the Retention
sheet's column, worded from ``anchors.yaml``'s ``kinds`` templates.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from audit.reference.durations import default_anchor, parse_retention
from audit.reference.i18n import text
from audit.reference.retention_periods import anchor_book, describe_rule, max_days, period_words, rules_in_words
from audit.rules.common import unreadable, unreadable_case
from audit.rules.context import AuditContext
from audit.rules.findings import cite_column
from audit.rules.retention_facts import MEASURABLE, judged_pairs, policy_rules, retention_facts


def _clauses(ctx: AuditContext, policy_refs: pd.Series) -> pd.Series:
    """The quoted retention clause of each row's policy activity (looked up once per activity)."""
    quoted = {pid: ctx.policy.clause_or_empty(pid, "retention") for pid in pd.unique(policy_refs.dropna())}
    return policy_refs.map(quoted)


def _whole(values: pd.Series) -> pd.Series:
    """Day counts as ints where whole (``{n:,}`` then reads 2,923, not 2,923.0), else floats."""
    return pd.Series(
        [int(v) if float(v).is_integer() else float(v) for v in values], index=values.index, dtype="object"
    )


def _system_facts(ctx: AuditContext, gap: pd.DataFrame, column: str) -> pd.DataFrame:
    """The facts every system-setting gap shares: the pair, the system, where the setting is, the clause."""
    return pd.DataFrame(
        {
            "activity_id": gap["activity_id"],
            "system_id": gap["system_id"],
            "system": gap["system"],
            "vendor": gap["vendor"],
            "policy_ref": gap["policy_ref"],
            "policy_rule": gap["policy_rule"],
            "evidence": cite_column(gap, ctx, column),
            "policy_clause": _clauses(ctx, gap["policy_ref"]),
        }
    )


def _on_inventory(table: pd.DataFrame) -> pd.Series:
    """Pairs whose system the register names and the inventory describes: their settings can be judged."""
    return table["listed"] & table["src_row"].notna()


def configured_too_long(ctx: AuditContext) -> pd.DataFrame:
    """RET-01: systems configured to keep data more days than the policy allows after the binding rule's anchor.

    The limit is the longest of the activity's alternatives in days after
    the date it counts from: a period's longest span, or the grace days
    after an event ("Raderas efter genomförd utbildning" allows 30 days
    after the course is completed). Event-anchored rules are compared too,
    because a configured setting longer than that keeps data recorded on the
    event date past the policy's limit whatever date the system's clock
    starts from (see :func:`audit.rules.retention_facts._limits`); the
    ``after_event`` wording says so, so a DPO does not read the finding as
    a comparison of two periods from collection.
    """
    table = judged_pairs(ctx)
    days = table["configured_retention_days"]
    limit = table["policy_limit_days"]
    gap = table[_on_inventory(table) & limit.notna() & days.gt(limit).fillna(False)]
    facts = _system_facts(ctx, gap, "retention_days")
    facts["configured_retention_days"] = _whole(gap["configured_retention_days"])
    facts["policy_limit_days"] = _whole(gap["policy_limit_days"])
    facts["limit_anchor"] = gap["limit_anchor"].astype(str).astype("object")  # an anchor id, labelled by the template
    from_collection = gap["limit_anchor"].eq(default_anchor())
    facts["case"] = from_collection.map({True: "default", False: "after_event"}).astype("object")
    return facts


def no_automatic_deletion(ctx: AuditContext) -> pd.DataFrame:
    """RET-02: systems without automatic deletion for an activity whose policy rule is measurable."""
    table = judged_pairs(ctx)
    auto = table["auto_delete"]
    gap = table[_on_inventory(table) & table["measurable"] & auto.ne(True).fillna(True)]
    facts = _system_facts(ctx, gap, "auto_delete")
    where = unreadable(ctx.inputs, gap, "auto_delete")
    case = auto[gap.index].map({False: "recorded_no"}).astype("object").fillna("not_recorded")
    facts["case"] = unreadable_case(case, where)
    facts["unreadable"] = where
    return facts


def _record_facts(ctx: AuditContext, gap: pd.DataFrame, count: str) -> pd.DataFrame:
    """The facts of a record-count gap: the pair, the counts (``count`` of ``records_total``), the clause."""
    return pd.DataFrame(
        {
            "activity_id": gap["activity_id"],
            "system_id": gap["system_id"],
            "vendor": gap["vendor"],
            "policy_rule": gap["policy_rule"],
            "records_total": gap["records_total"].astype(int),
            count: gap[count].astype(int),
            "policy_clause": _clauses(ctx, gap["policy_ref"]),
        }
    )


def records_past_limit(ctx: AuditContext) -> pd.DataFrame:
    """RET-03: activities whose records in an extract are past the policy's limit on the as-of date."""
    table = judged_pairs(ctx)
    gap = table[table["records_past_limit"].fillna(0).gt(0).to_numpy(dtype=bool)]
    facts = _record_facts(ctx, gap, "records_past_limit")
    facts["share_past_limit"] = gap["share_past_limit"].astype(float)
    facts["oldest_anchor"] = gap["oldest_anchor"]
    facts["example_record_ids"] = gap["example_record_ids"]
    facts["case"] = gap["example_record_ids"].eq("").map({True: "no_examples", False: "default"})
    oldest = gap["oldest_anchor"].dt.strftime("%Y-%m-%d")
    counts = facts["records_past_limit"].astype(str) + f" {_word('of', ctx)} " + facts["records_total"].astype(str)
    facts["evidence"] = gap["file"] + " › " + counts + f" {_word('records_past_limit', ctx)} " + oldest
    return facts


def _word(key: str, ctx: AuditContext) -> str:
    """A word of a record extract's evidence in the report's language (``wording.evidence.<key>``)."""
    return text(f"wording.evidence.{key}", ctx.lang)


def _missing_case(missing_columns: object, labels: list[str]) -> str:
    """Why records cannot be judged: the extract lacks a column, or one or several anchor dates are blank."""
    if isinstance(missing_columns, list) and missing_columns:
        return "missing_column"
    return "blank" if len(labels) <= 1 else "blank_several"


def anchor_date_missing(ctx: AuditContext) -> pd.DataFrame:
    """RET-05: records whose retention cannot be judged, because the date it counts from is blank or absent."""
    table = judged_pairs(ctx)
    gap = table[table["records_missing_anchor"].fillna(0).gt(0).to_numpy(dtype=bool)]
    facts = _record_facts(ctx, gap, "records_missing_anchor")
    facts["share_missing_anchor"] = 100 * facts["records_missing_anchor"] / facts["records_total"]
    labels = anchor_book().labels
    anchor_labels = [[labels[a] for a in anchors] for anchors in gap["blank_anchors"]]  # one per finding
    facts["missing_columns"] = gap["missing_columns"]
    facts["blank_anchors"] = gap["blank_anchors"]
    facts["anchor_labels"] = pd.Series(anchor_labels, index=gap.index, dtype="object")
    facts["case"] = [_missing_case(m, a) for m, a in zip(gap["missing_columns"], anchor_labels, strict=True)]
    counts = facts["records_missing_anchor"].astype(str) + f" {_word('of', ctx)} " + facts["records_total"].astype(str)
    facts["evidence"] = gap["file"] + " › " + counts + f" {_word('records_without_anchor', ctx)}"
    return facts


def _register_gap(ours: list[dict[str, Any]], policy: pd.DataFrame) -> tuple[str, str | None] | None:
    """How the register's rules differ from the policy's (a case and the period kept longer), or ``None``.

    A register rule matches a policy rule of the same kind; for ``until`` the
    anchor must be the same, for ``period`` the anchor too and the period no
    longer (compared by longest span in days, so "12 months" equals "1 år").
    Vague and per-contract rules match their own kind: vague cannot be measured.
    """
    if not ours:
        return "unreadable", None
    for rule in ours:
        same = policy[policy["kind"] == rule["kind"]]
        if rule["kind"] in MEASURABLE:
            same = same[same["anchor"] == rule.get("anchor")]
        if rule["kind"] == "period" and not same.empty:
            ok = same["period"].map(max_days) >= max_days(rule["period"])
            if not ok.any():
                return "longer", period_words(rule["period"])
        if same.empty:
            return "other_rule", None
    return None


def _register_texts(ctx: AuditContext) -> pd.DataFrame:
    """Register rows with a retention text and a policy_ref whose policy rules are measurable."""
    reg = retention_facts(ctx).register
    reg = reg[reg["policy_ref"].notna() & reg["retention"].notna()]
    reg = reg[reg["retention"].astype(str).str.strip() != ""]
    policy = policy_rules(ctx)
    measurable = set(policy.loc[policy["kind"].isin(MEASURABLE), "policy_id"])
    return reg[reg["policy_ref"].isin(measurable)]


def register_retention_differs(ctx: AuditContext) -> pd.DataFrame:
    """RET-04: the register's own retention text, read as rules, against the policy's rules for its policy_ref."""
    reg = _register_texts(ctx)
    policy = policy_rules(ctx)
    context = reg["activity"].fillna("").astype(str) + ". " + reg["purpose"].fillna("").astype(str)
    keys = list(zip(reg["retention"], context, strict=True))
    parsed = {key: parse_retention(key[0], context=key[1]) for key in dict.fromkeys(keys)}
    ours = pd.Series([parsed[key] for key in keys], index=reg.index, dtype="object")
    # One comparison per register row (a few dozen), never per record.
    how = pd.Series(
        [_register_gap(o, policy[policy["policy_id"] == pid]) for o, pid in zip(ours, reg["policy_ref"], strict=True)],
        index=reg.index,
        dtype="object",
    )
    gap = reg[how.notna()]
    grace = ctx.settings.event_grace_days
    in_words = [
        rules_in_words(describe_rule(r["kind"], r.get("period"), r.get("anchor"), False, grace) for r in o)
        for o in ours[gap.index]
    ]
    return pd.DataFrame(
        {
            "activity_id": gap["activity_id"],
            "retention": gap["retention"],
            "read_as": pd.Series(in_words, index=gap.index, dtype="object"),
            "policy_ref": gap["policy_ref"],
            "policy_rule": gap["policy_ref"].map(policy.groupby("policy_id")["text"].agg(rules_in_words)),
            "case": pd.Series([h[0] for h in how[gap.index]], index=gap.index, dtype="object"),
            "register_period": pd.Series([h[1] for h in how[gap.index]], index=gap.index, dtype="object"),
            "evidence": cite_column(gap, ctx, "retention"),
            "policy_clause": _clauses(ctx, gap["policy_ref"]),
        }
    )
