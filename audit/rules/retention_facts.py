"""Every register activity × system judged against the policy's retention rules (section 10).

The facts behind RET-01..05 and the workbook's Retention sheet, computed
once per audit (memoised on the context) and read by every retention rule.

Every judgement is made per register activity × system, because the policy
can limit a rule to one system: P-INQUIRY's "Raderas efter 30 dagar" binds
only the web-form transfer tool (the policy rule's ``part``, matched against
the system's ``recipient_category``), while rules without a part bind every
system of the activity.

Decisions a reader of the findings should know:

* An activity may have several measurable rules (P-CRM: contract end + 7
  years for customers, deletion at a declined deal for prospects). They are
  alternatives for different records, so a record is governed by the rules
  whose anchor date it has, and the latest of their deadlines counts.
* A blank anchor date means "not happened yet" for the anchors that
  ``data/reference/anchors.yaml`` marks ``ongoing`` (a contract not ended, a
  person still subscribed): such a record is neither overdue nor unjudgeable.
  A blank ``collected`` or ``event_date`` is a gap in the record keeping (RET-05).
* Bookkeeping periods ("7 år", and "ytterligare 7 år" after contract end
  when the policy sentence names bokföringslagen) count from the end of the
  financial year: ``fiscal_year_end`` when the extract has it, else the end of
  the calendar year of the anchor date (bokföringslagen 7 kap. 2 §). RET-01,
  which compares a day count, allows the year-end slack for them.
* Event-based rules (kind ``until``) allow ``settings.event_grace_days``.
* A system's configured retention (RET-01) is compared with the most days
  the policy allows after the date the activity's longest rule counts from,
  also when that date is an event (course completion, contract end, last
  login): data recorded on the event date is kept at least the configured
  days after it, whatever date the system's clock starts from. An activity
  with an unbounded alternative (a vague rule) has no limit to compare with.
* A record is overdue when its deadline is before the as-of date: on the
  last allowed day it is still compliant.

Record extracts can hold hundreds of millions of rows: they are judged in the
engine (:mod:`audit.records.retention`), one query per extract, never record by record.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audit.records.queries import activity_counts
from audit.records.retention import judge_extract
from audit.reference.retention_periods import anchor_book, describe_rule, max_days, rules_in_words, year_end_slack
from audit.reference.vocab import fold, recipient_categories
from audit.rules.context import AuditContext

MEASURABLE = ("period", "until")
PAIR = ["activity_id", "system_id"]
TABLE_COLUMNS = [
    "activity_id",
    "activity",
    "policy_ref",
    "system_id",
    "policy_rule",
    "policy_limit_days",
    "configured_retention_days",
    "auto_delete",
    "records_total",
    "records_past_limit",
    "share_past_limit",
    "oldest_anchor",
    "records_missing_anchor",
    "example_record_ids",
]
_JUDGED_COLUMNS = [
    *PAIR,
    "file",
    "judged",
    "records_total",
    "records_past_limit",
    "oldest_anchor",
    "examples",
    "records_missing_anchor",
    "missing_columns",
    "blank_anchors",
]
#: Per extract: its records per activity id (``activity_id``, ``records``), counted in the engine.
Extracts = dict[str, pd.DataFrame]


# --- the frames every rule joins -----------------------------------------------------------------


def _register(ctx: AuditContext) -> pd.DataFrame:
    """Register rows, one per activity_id (a duplicated id is the loader's validation issue)."""
    acts = ctx.inputs.activities
    out = acts[["activity_id", "activity", "policy_ref", "purpose", "retention", "src_file", "src_sheet", "src_row"]]
    out = out.assign(systems=acts["systems"].map(lambda v: list(v) if isinstance(v, list | tuple) else []))
    out = out[out["activity_id"].notna()].drop_duplicates("activity_id")
    known = out["policy_ref"].isin(set(ctx.policy.retention["policy_id"]))
    out["policy_ref"] = out["policy_ref"].where(known, None)
    return out.reset_index(drop=True)


def _inventory(ctx: AuditContext) -> pd.DataFrame:
    """Systems with the recipient category id their ``recipient_category`` text maps to."""
    sys_ = ctx.inputs.systems
    out = pd.DataFrame(
        {
            "system_id": sys_["system_id"],
            "system": sys_["system"],
            "vendor": sys_["vendor"],
            "category": recipient_categories().map_series(sys_["recipient_category"], "match"),
            "configured_retention_days": pd.to_numeric(sys_["retention_days"], errors="coerce").astype("Float64"),
            "auto_delete": sys_["auto_delete"].astype("boolean"),
            "src_file": sys_["src_file"],
            "src_sheet": sys_["src_sheet"],
            "src_row": sys_["src_row"],
        }
    )
    return out[out["system_id"].notna()].drop_duplicates("system_id").reset_index(drop=True)


def _extract_activities(ctx: AuditContext) -> Extracts:
    """Per extract: its records per activity id, one aggregate query each (the engine counts, not pandas)."""
    out = {}
    for sid, extract in ctx.inputs.records.items():
        if extract.rows:
            counts = activity_counts(extract)
            out[sid] = counts[counts["activity_id"].notna()].reset_index(drop=True)
    return out


def _pairs(register: pd.DataFrame, extracts: Extracts) -> pd.DataFrame:
    """Activity × system: the register's ``systems`` lists, plus pairs seen only in record extracts.

    ``listed`` tells them apart: RET-01/02 judge a system's settings only for
    the activities the register says use it; records are judged wherever they are.
    An activity with no system at all keeps one row (``system_id`` None) so the
    Retention sheet still shows its policy rule.
    """
    listed = register[["activity_id", "systems"]].explode("systems").rename(columns={"systems": "system_id"})
    listed["system_id"] = listed["system_id"].astype("object").where(listed["system_id"].notna(), None)
    listed["listed"] = listed["system_id"].notna()
    known = set(register["activity_id"])
    seen = [
        pd.DataFrame(
            {"activity_id": [a for a in counts["activity_id"] if a in known], "system_id": sid}, dtype="object"
        )
        for sid, counts in extracts.items()
    ]
    pairs = pd.concat([listed, *seen], ignore_index=True)
    pairs["listed"] = pairs["listed"].astype("boolean").fillna(False).astype(bool)
    pairs = pairs.sort_values("listed", ascending=False, kind="stable").drop_duplicates(PAIR)
    # An activity seen in an extract no longer needs its placeholder row without a system.
    with_system = set(pairs.loc[pairs["system_id"].notna(), "activity_id"])
    pairs = pairs[pairs["system_id"].notna() | ~pairs["activity_id"].isin(with_system)]
    return pairs.merge(register[["activity_id", "activity", "policy_ref"]], on="activity_id", how="left")


def policy_rules(ctx: AuditContext) -> pd.DataFrame:
    """The policy's retention rules with ``year_end`` (a bookkeeping period) and ``text`` (the rule in words).

    ``text`` is in the report's language (``ctx.lang``): the Retention
    sheet's ``policy_rule`` and the retention findings quote it.

    ``year_end`` is data-driven: the anchor is ``anchors.yaml``'s
    ``year_end_anchor``, or the sentence names it in ``durations.yaml``'s words
    (P-CRM's "enligt bokföringslagen sparas i ytterligare 7 år" after contract end).
    """
    book = anchor_book()
    rules = ctx.policy.retention.copy()
    names_it = rules["source"].map(lambda s: bool(book.year_end_words.search(fold(s))))
    rules["year_end"] = (rules["anchor"] == book.year_end_anchor) | ((rules["kind"] == "period") & names_it)
    grace = ctx.settings.event_grace_days
    rules["text"] = [
        describe_rule(k, p, a, bool(y), grace, ctx.lang)
        for k, p, a, y in zip(rules["kind"], rules["period"], rules["anchor"], rules["year_end"], strict=True)
    ]
    return rules


def _applicable_rules(ctx: AuditContext, pairs: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Pair × policy retention rule, keeping a part rule only on a system of its recipient category."""
    rules = pairs[PAIR + ["policy_ref"]].merge(inventory[["system_id", "category"]], on="system_id", how="left")
    rules = rules.merge(policy_rules(ctx), left_on="policy_ref", right_on="policy_id", how="inner")
    applies = rules["part"].isna() | (rules["part"] == rules["category"])
    return rules[applies].reset_index(drop=True)


def _rule_limit_days(rules: pd.DataFrame, grace: int) -> pd.Series:
    """Per rule, the most days the policy lets data stay after the rule's anchor date; missing where unbounded.

    A period counts its longest calendar span (plus the year-end slack for a
    bookkeeping period); an event rule (``until``) allows the grace days
    after its event; a vague, per-contract or out-of-policy rule has no limit.
    """
    days = pd.Series(pd.NA, index=rules.index, dtype="Float64")
    period = rules["kind"] == "period"
    spans = rules.loc[period, "period"].map(max_days) + rules.loc[period, "year_end"].astype(int) * year_end_slack()
    days[period] = spans.astype(float)
    days[rules["kind"] == "until"] = float(grace)
    return days


def _binding_rules(rules: pd.DataFrame, grace: int) -> pd.DataFrame:
    """Per pair, the rule with the most days after its anchor, or no row when one alternative is unbounded.

    A system has one deletion setting in the inventory, not one per kind of
    record, and an activity's rules are alternatives for different records
    (P-CRM: customers until contract end + 7 years, prospects until a
    declined deal): a setting is provably too long only when it exceeds the
    longest of them, and never when one of them has no measurable end
    (P-NEWSLETTER's "så länge som det är nödvändigt" beside its unsubscription rule).
    """
    scored = rules.assign(limit_days=_rule_limit_days(rules, grace))
    scored = scored.sort_values("limit_days", ascending=False, na_position="last", kind="stable")
    keys = [scored["activity_id"], scored["system_id"]]
    blocked = scored["limit_days"].isna().groupby(keys, dropna=False, sort=False).any()
    # Sorted longest first, a group's first non-missing limit is its longest and its anchor that rule's.
    best = scored[["limit_days", "anchor"]].groupby(keys, dropna=False, sort=False).first()
    best = best[~blocked.reindex(best.index).astype(bool)]
    book = anchor_book()
    # A stand-in anchor (fiscal_year_end) counts, when blank, from its stand-in's date: the limit is from that date.
    anchor = best["anchor"].map(lambda a: book.stand_in.get(str(a), a))
    return pd.DataFrame({"policy_limit_days": best["limit_days"], "limit_anchor": anchor}, index=best.index)


def _limits(rules: pd.DataFrame, grace: int, lang: str = "en") -> pd.DataFrame:
    """Per pair: the policy's limit in days after the binding rule's anchor (``limit_anchor``) and the rule text.

    The limit compares with a system's configured retention (RET-01) whatever
    date the rule counts from, because it is a lower bound on a real gap:
    data can be recorded on the anchor date itself (the completion of a
    course, the last login, the final journal entry, the unsubscription),
    and a system cannot start its deletion clock before the data exists, so
    a setting of N days keeps such data at least N days after the anchor
    date. N above the limit is a gap whatever date the system counts from;
    N within it is compliant when the system counts from collection or from
    the event (collection precedes the event), and is not asserted otherwise.
    The rule texts of a pair are joined in ``lang``, the language they are worded in.
    """
    texts = rules.groupby(PAIR, dropna=False, sort=False)["text"].agg(rules_in_words, lang=lang)
    measurable = rules["kind"].isin(MEASURABLE).groupby([rules["activity_id"], rules["system_id"]], dropna=False).any()
    # Aligned on texts' index, not the union: a pair with a missing id cannot be sorted among the others.
    out = pd.DataFrame({"policy_rule": texts, "measurable": measurable.reindex(texts.index)}, index=texts.index)
    binding = _binding_rules(rules, grace).reindex(out.index)
    out["policy_limit_days"] = binding["policy_limit_days"].round().astype("Int64")
    out["limit_anchor"] = binding["limit_anchor"].astype("object").where(binding["limit_anchor"].notna(), None)
    out = out.reset_index()
    out["system_id"] = out["system_id"].astype("object")
    return out


# --- record extracts (RET-03, RET-05): judged in the engine, audit.records.retention ------------


def _judge_records(ctx: AuditContext, pairs: pd.DataFrame, rules: pd.DataFrame, extracts: Extracts) -> pd.DataFrame:
    """One row per activity × extract: totals, past-limit and missing-anchor counts, oldest date, examples.

    One engine query per extract (plus one small top-N query per activity
    with overdue records), never a loop over records. Activities outside
    the register, or with no policy_ref, are left to the REG rules.
    """
    measurable = rules[rules["kind"].isin(MEASURABLE)]
    by_pair = {key: grp for key, grp in measurable.groupby(PAIR, sort=False)}
    known = set(pairs["activity_id"].dropna())
    out = []
    for sid, counts in extracts.items():
        extract = ctx.inputs.records[sid]
        counts = counts[counts["activity_id"].isin(known)]
        mine = {aid: by_pair[(aid, sid)] for aid in counts["activity_id"] if (aid, sid) in by_pair}
        judged = judge_extract(
            extract, mine, counts, ctx.as_of_ts.date(), ctx.settings.event_grace_days, ctx.settings.example_records
        )
        rows = {r["activity_id"]: r for r in judged}
        for aid, total in zip(counts["activity_id"], counts["records"], strict=True):
            row = rows.get(aid, {"activity_id": aid, "judged": False, "records_total": int(total)})
            out.append({**row, "system_id": sid, "file": extract.file})
    return pd.DataFrame(out, columns=_JUDGED_COLUMNS)


# --- the shared facts and the Retention table ----------------------------------------------------


@dataclass
class RetentionFacts:
    """The frames every retention rule reads, computed once per audit.

    ``register`` is one row per activity (its ``policy_ref`` blanked when the
    policy has no retention rule for it), ``inventory`` one per system,
    ``pairs`` the activity × system pairs, ``rules`` the policy rules that
    apply to each pair, ``limits`` their limit in days, its anchor and their
    text per pair and ``judged`` the record counts per pair.
    """

    register: pd.DataFrame
    inventory: pd.DataFrame
    pairs: pd.DataFrame
    rules: pd.DataFrame
    limits: pd.DataFrame
    judged: pd.DataFrame


def retention_facts(ctx: AuditContext) -> RetentionFacts:
    """The audit's retention facts (memoised: the records are judged once, whoever asks first)."""
    return ctx.memo("retention.facts", lambda: _compute_facts(ctx))


def _compute_facts(ctx: AuditContext) -> RetentionFacts:
    register = _register(ctx)
    inventory = _inventory(ctx)
    extracts = _extract_activities(ctx)
    pairs = _pairs(register, extracts)
    rules = _applicable_rules(ctx, pairs, inventory)
    return RetentionFacts(
        register,
        inventory,
        pairs,
        rules,
        _limits(rules, ctx.settings.event_grace_days, ctx.lang),
        _judge_records(ctx, pairs, rules, extracts),
    )


def judged_pairs(ctx: AuditContext) -> pd.DataFrame:
    """Every activity × system with its policy limit, the system's settings, record counts and provenance.

    The Retention table plus the columns the rules need (``listed``,
    ``measurable``, ``system``, ``vendor``, ``file``, ``missing_columns``,
    ``blank_anchors`` and the inventory row's ``src_*``); memoised, read-only.
    """
    return ctx.memo("retention.pairs", lambda: _table(retention_facts(ctx)))


def _table(facts: RetentionFacts) -> pd.DataFrame:
    inv = facts.inventory[["system_id", "system", "vendor", "configured_retention_days", "auto_delete"]]
    src = facts.inventory[["system_id", "src_file", "src_sheet", "src_row"]]
    table = facts.pairs.merge(facts.limits, on=PAIR, how="left").merge(inv, on="system_id", how="left")
    table = table.merge(facts.judged, on=PAIR, how="left").merge(src, on="system_id", how="left")
    judged = table["judged"].astype("boolean").fillna(False).astype(bool)
    table["records_total"] = pd.to_numeric(table["records_total"]).fillna(0).astype("Int64")
    for col in ("records_past_limit", "records_missing_anchor"):
        table[col] = table[col].astype("Int64").where(judged, pd.NA)
    share = (100 * table["records_past_limit"] / table["records_total"].replace(0, pd.NA)).astype("Float64")
    table["share_past_limit"] = share.round(1)
    table["oldest_anchor"] = pd.to_datetime(table["oldest_anchor"])
    table["example_record_ids"] = table["examples"].map(lambda v: ", ".join(v) if isinstance(v, list) else "")
    table["measurable"] = table["measurable"].astype("boolean").fillna(False).astype(bool)
    table["policy_rule"] = table["policy_rule"].astype("object").where(table["policy_rule"].notna(), None)
    table["auto_delete"] = table["auto_delete"].astype("boolean")
    return table.sort_values(PAIR, kind="stable", na_position="last").reset_index(drop=True)


def retention_table(ctx: AuditContext) -> pd.DataFrame:
    """One row per activity × system: the policy's rule against the system's setting and the records.

    Feeds the workbook's Retention sheet and the records-past-retention chart.
    ``records_past_limit``, ``share_past_limit`` (percent, one decimal) and
    ``records_missing_anchor`` are missing (not zero) where the policy gives
    no measurable rule for the pair, so a chart never shows "0 overdue" for
    something that was not judged. ``policy_limit_days`` is the most days
    the policy allows after the date the pair's longest rule counts from: a
    period's longest span (with the year-end slack for bookkeeping periods)
    or an event rule's grace days; missing where an alternative is unbounded.
    """
    return judged_pairs(ctx)[TABLE_COLUMNS].copy()
