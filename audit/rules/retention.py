"""RET-01..05: how long data is really kept, against the policy's retention rules (section 10).

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
* A record is overdue when its deadline is before the as-of date: on the
  last allowed day it is still compliant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from audit.errors import ReferenceDataError
from audit.reference.datafiles import reference
from audit.reference.durations import KINDS, anchor_names, parse_retention, period_to_offset
from audit.reference.vocab import fold, recipient_categories
from audit.rules.context import AuditContext
from audit.rules.findings import cite, combine_findings, make_findings
from audit.rules.optional import column as _col

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
_ISO_PARTS = re.compile(r"(\d+)([YMWD])")
# Start dates over one whole leap-year cycle (2001-2004; 2000 and 2100 lie outside
# the cycles these spans reach), so a period's longest span is found exactly.
_CYCLE = pd.Series(pd.date_range("2001-01-01", "2004-12-31", freq="D"))


# --- reference data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorBook:
    """What ``anchors.yaml`` says about each retention anchor, validated."""

    labels: dict[str, str]
    ongoing: frozenset[str]
    stand_in: dict[str, str]
    year_end_anchor: str
    year_end_words: re.Pattern[str]
    units: dict[str, list[str]]
    kinds: dict[str, str]


@cache
def anchor_book() -> AnchorBook:
    """Load ``data/reference/anchors.yaml`` and check it covers every anchor the policy may name.

    Raises
    ------
    ReferenceDataError
        When an anchor of ``durations.yaml`` is missing, a ``blank`` is not
        ``ongoing``/``missing``, or a stand-in, unit or kind template is wrong;
        the message names the file and key, so a bad edit never reaches a rule.
    """
    where = "data/reference/anchors.yaml"
    data = reference("anchors")
    try:
        anchors: dict[str, dict[str, Any]] = data["anchors"]
        missing = [name for name in anchor_names() if name not in anchors]
        if missing:
            raise ReferenceDataError(f"{where}: anchors: missing {', '.join(missing)} (named in durations.yaml)")
        for name, spec in anchors.items():
            if spec.get("blank") not in ("ongoing", "missing"):
                raise ReferenceDataError(f"{where}: anchors.{name}.blank must be 'ongoing' or 'missing'")
            if spec.get("stand_in") is not None and spec["stand_in"] not in anchors:
                raise ReferenceDataError(f"{where}: anchors.{name}.stand_in {spec['stand_in']!r} is not an anchor")
        year_end = str(data["year_end_anchor"])
        if year_end not in anchors:
            raise ReferenceDataError(f"{where}: year_end_anchor {year_end!r} is not an anchor")
        units = {str(k): [str(w) for w in v] for k, v in data["units"].items()}
        if sorted(units) != sorted("DMWY") or any(len(w) != 2 for w in units.values()):
            raise ReferenceDataError(f"{where}: units must give [singular, plural] for each of D, W, M, Y")
        kinds = {str(k): str(v) for k, v in data["kinds"].items()}
        absent = [k for k in (*KINDS, "period_year_end") if k not in kinds]
        if absent:
            raise ReferenceDataError(f"{where}: kinds: missing {', '.join(absent)}")
        words = reference("durations")["anchors"][year_end]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReferenceDataError(f"{where}: malformed ({exc!r})") from None
    phrases = sorted({re.escape(fold(w)) for w in words if fold(w)}, key=len, reverse=True)
    return AnchorBook(
        labels={name: str(spec.get("label") or name) for name, spec in anchors.items()},
        ongoing=frozenset(name for name, spec in anchors.items() if spec["blank"] == "ongoing"),
        stand_in={name: spec["stand_in"] for name, spec in anchors.items() if spec.get("stand_in")},
        year_end_anchor=year_end,
        year_end_words=re.compile(r"(?<!\w)(?:" + "|".join(phrases) + ")"),
        units=units,
        kinds=kinds,
    )


# --- periods -------------------------------------------------------------------------------------


@cache
def max_days(iso: str) -> int:
    """The longest a calendar period can last, in days ("P1Y" -> 366, "P7Y" -> 2557).

    A system's deletion setting is a day count while the policy speaks in
    calendar years and months; comparing against the longest span the period
    can have means a leap year never makes a compliant setting look too long.
    """
    return int(((_CYCLE + period_to_offset(iso)) - _CYCLE).dt.days.max())


@cache
def year_end_slack() -> int:
    """The most days counting to the end of the year can add (365: from 1 January of a leap year)."""
    return int(((_CYCLE + pd.offsets.YearEnd(0)) - _CYCLE).dt.days.max())


def _period_words(iso: str) -> str:
    units = anchor_book().units
    parts = [f"{n} {units[u][0] if int(n) == 1 else units[u][1]}" for n, u in _ISO_PARTS.findall(str(iso))]
    return " ".join(parts) or str(iso)


def describe_rule(kind: str, period: object, anchor: object, year_end: bool, grace: int) -> str:
    """One retention rule in words, for the Retention sheet and the findings' details."""
    book = anchor_book()
    # A period from the financial year end itself needs no "counted from the end of the financial year".
    key = "period_year_end" if kind == "period" and year_end and anchor != book.year_end_anchor else kind
    label = book.labels.get(str(anchor), str(anchor))
    return book.kinds[key].format(period=_period_words(str(period)), anchor=label, grace=grace)


# --- the frames every rule joins -----------------------------------------------------------------


def _register(ctx: AuditContext) -> pd.DataFrame:
    """Register rows, one per activity_id (a duplicated id is the loader's validation issue)."""
    acts = ctx.inputs.activities
    out = pd.DataFrame(
        {
            "activity_id": _col(acts, "activity_id"),
            "activity": _col(acts, "activity"),
            "policy_ref": _col(acts, "policy_ref"),
            "purpose": _col(acts, "purpose"),
            "retention": _col(acts, "retention"),
            "systems": _col(acts, "systems").map(lambda v: list(v) if isinstance(v, list | tuple) else []),
            "src_file": _col(acts, "src_file"),
            "src_sheet": _col(acts, "src_sheet"),
            "src_row": _col(acts, "src_row"),
        }
    )
    out = out[out["activity_id"].notna()].drop_duplicates("activity_id")
    known = out["policy_ref"].isin(set(ctx.policy.retention["policy_id"]))
    out["policy_ref"] = out["policy_ref"].where(known, None)
    return out.reset_index(drop=True)


def _inventory(ctx: AuditContext) -> pd.DataFrame:
    """Systems with the recipient category id their ``recipient_category`` text maps to."""
    sys_ = ctx.inputs.systems
    out = pd.DataFrame(
        {
            "system_id": _col(sys_, "system_id"),
            "system": _col(sys_, "system"),
            "vendor": _col(sys_, "vendor"),
            "category": recipient_categories().map_series(_col(sys_, "recipient_category"), "match"),
            "configured_retention_days": pd.to_numeric(_col(sys_, "retention_days"), errors="coerce").astype("Float64"),
            "auto_delete": _col(sys_, "auto_delete", pd.NA).astype("boolean"),
            "src_file": _col(sys_, "src_file"),
            "src_sheet": _col(sys_, "src_sheet"),
            "src_row": _col(sys_, "src_row"),
        }
    )
    return out[out["system_id"].notna()].drop_duplicates("system_id").reset_index(drop=True)


def _extract_activities(ctx: AuditContext) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per extract: each record's activity code and the distinct activity ids (factorised once, reused)."""
    out = {}
    for sid, rec in ctx.inputs.records.items():
        if "activity_id" in rec and not rec.empty:
            codes, uniques = pd.factorize(rec["activity_id"])
            out[sid] = (codes, np.asarray(uniques, dtype=object))
    return out


def _pairs(register: pd.DataFrame, extracts: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
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
        pd.DataFrame({"activity_id": [a for a in uniques if a in known], "system_id": sid}, dtype="object")
        for sid, (_, uniques) in extracts.items()
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
        describe_rule(k, p, a, bool(y), grace)
        for k, p, a, y in zip(rules["kind"], rules["period"], rules["anchor"], rules["year_end"], strict=True)
    ]
    return rules


def _applicable_rules(ctx: AuditContext, pairs: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Pair × policy retention rule, keeping a part rule only on a system of its recipient category."""
    rules = pairs[PAIR + ["policy_ref"]].merge(inventory[["system_id", "category"]], on="system_id", how="left")
    rules = rules.merge(policy_rules(ctx), left_on="policy_ref", right_on="policy_id", how="inner")
    applies = rules["part"].isna() | (rules["part"] == rules["category"])
    return rules[applies].reset_index(drop=True)


def _limits(rules: pd.DataFrame) -> pd.DataFrame:
    """Per pair: the longest finite period in days (with the year-end slack for bookkeeping) and the rule text."""
    periods = rules[rules["kind"] == "period"]
    days = periods["period"].map(max_days) + periods["year_end"].astype(int) * year_end_slack()
    limit = days.groupby([periods["activity_id"], periods["system_id"]], dropna=False).max()
    texts = rules.groupby(PAIR, dropna=False, sort=False)["text"].agg("; ".join)
    measurable = rules["kind"].isin(MEASURABLE).groupby([rules["activity_id"], rules["system_id"]], dropna=False).any()
    out = pd.DataFrame({"policy_rule": texts, "measurable": measurable})
    out["policy_limit_days"] = limit.reindex(out.index).astype("Int64")
    out = out.reset_index()
    out["system_id"] = out["system_id"].astype("object")
    return out


# --- record extracts (RET-03, RET-05) ------------------------------------------------------------


def _anchor_dates(rec: pd.DataFrame, rows: np.ndarray | None, name: str, cap: pd.Timestamp) -> pd.Series | None:
    """The anchor column (``None`` when the extract lacks it), capped just after the as-of date.

    A date after the as-of date can never be overdue, so capping it changes no
    verdict, while a far-future typo (2259) plus seven years would overflow
    pandas' datetime range and stop the audit.
    """
    if name not in rec:
        return None
    col = rec[name] if rows is None else rec[name][rows]
    # The loaders already deliver datetimes; converting again would copy a million values for nothing.
    col = col if pd.api.types.is_datetime64_any_dtype(col) else pd.to_datetime(col, errors="coerce")
    return col.clip(upper=cap)


def _rule_deadlines(
    rec: pd.DataFrame, rows: np.ndarray | None, rule: pd.Series, grace: int, cap: pd.Timestamp
) -> tuple[pd.Series, pd.Series] | None:
    """Deadline and shown anchor date of every record under one rule; ``None`` when a column is missing.

    Whole columns at once: a calendar offset on a datetime column is
    vectorised in pandas, so a million records cost one array operation.
    """
    book = anchor_book()
    anchor = str(rule["anchor"])
    dates = _anchor_dates(rec, rows, anchor, cap)
    if anchor in book.stand_in:
        stand = _anchor_dates(rec, rows, book.stand_in[anchor], cap)
        if dates is None and stand is None:
            return None
        if stand is not None:
            fallback = stand + pd.offsets.YearEnd(0)
            base = fallback if dates is None else dates.fillna(fallback)
            shown = stand if dates is None else dates.fillna(stand)
        else:
            base = shown = dates
    elif rule["year_end"]:
        if dates is None:
            return None
        base = dates + pd.offsets.YearEnd(0)
        fiscal = _anchor_dates(rec, rows, book.year_end_anchor, cap)
        if fiscal is not None:
            # A financial year that ended before the anchor date is an earlier year: it cannot end this one.
            base = fiscal.where(fiscal.notna() & (fiscal >= dates), base)
        shown = dates
    else:
        if dates is None:
            return None
        base = shown = dates
    if rule["kind"] == "period":
        return base + period_to_offset(str(rule["period"])), shown
    return base + pd.Timedelta(days=grace), shown


def _judge(rec: pd.DataFrame, rows: np.ndarray | None, rules: pd.DataFrame, ctx: AuditContext) -> dict[str, Any]:
    """Counts for one activity's records in one extract under its measurable rules."""
    book = anchor_book()
    deadline: pd.Series | None = None
    shown: pd.Series | None = None
    missing_columns: list[str] = []
    cap = ctx.as_of_ts + pd.Timedelta(days=1)
    for _, rule in rules.iterrows():  # the activity's few rules, not records
        got = _rule_deadlines(rec, rows, rule, ctx.settings.event_grace_days, cap)
        if got is None:
            missing_columns.append(str(rule["anchor"]))
            continue
        due, date = got
        if deadline is None or shown is None:
            deadline, shown = due, date
            continue
        later = due.notna() & (deadline.isna() | (due > deadline))
        deadline, shown = deadline.mask(later, due), shown.mask(later, date)
    total = len(rec) if rows is None else int(rows.sum())
    # A record without any usable anchor is unjudgeable unless every rule's blank means "not yet".
    blank_anchors = sorted({str(a) for a in rules["anchor"] if str(a) not in book.ongoing})
    out: dict[str, Any] = {
        "judged": True,
        "records_total": total,
        "records_past_limit": 0,
        "oldest_anchor": pd.NaT,
        "examples": [],
        "records_missing_anchor": total if missing_columns else 0,
        "missing_columns": sorted(set(missing_columns)),
        "blank_anchors": blank_anchors,
    }
    if deadline is None or shown is None:
        return out
    past = (deadline < ctx.as_of_ts).to_numpy(dtype=bool, na_value=False)
    if not missing_columns and blank_anchors:
        out["records_missing_anchor"] = int(deadline.isna().sum())
    n_past = int(past.sum())
    out["records_past_limit"] = n_past
    if n_past:
        overdue = shown[past]
        out["oldest_anchor"] = overdue.min()
        oldest = overdue.nsmallest(ctx.settings.example_records).index
        if "record_id" in rec:
            out["examples"] = [str(r) for r in rec["record_id"].loc[oldest]]
    return out


def _judge_records(
    ctx: AuditContext,
    pairs: pd.DataFrame,
    rules: pd.DataFrame,
    extracts: dict[str, tuple[np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """One row per activity × extract: totals, past-limit and missing-anchor counts, oldest date, examples.

    Loops over the extracts and the activities in each (a handful), never over records.
    Activities outside the register, or with no policy_ref, are left to the REG rules.
    """
    measurable = rules[rules["kind"].isin(MEASURABLE)]
    by_pair = {key: grp for key, grp in measurable.groupby(PAIR, sort=False)}
    known = pairs.drop_duplicates("activity_id").set_index("activity_id")["policy_ref"]
    out = []
    for sid, (codes, uniques) in extracts.items():
        rec = ctx.inputs.records[sid]
        file = str(rec["src_file"].iloc[0]) if "src_file" in rec else f"records/{sid}"
        for i, aid in enumerate(uniques):
            if aid not in known.index:
                continue
            rows = None if len(uniques) == 1 and (codes >= 0).all() else codes == i
            pair_rules = by_pair.get((aid, sid))
            if pair_rules is None:
                total = len(rec) if rows is None else int(rows.sum())
                out.append(
                    {"activity_id": aid, "system_id": sid, "file": file, "judged": False, "records_total": total}
                )
                continue
            out.append({"activity_id": aid, "system_id": sid, "file": file, **_judge(rec, rows, pair_rules, ctx)})
    return pd.DataFrame(out, columns=_JUDGED_COLUMNS)


# --- the Retention table -------------------------------------------------------------------------


@dataclass
class _Facts:
    register: pd.DataFrame
    inventory: pd.DataFrame
    pairs: pd.DataFrame
    rules: pd.DataFrame
    limits: pd.DataFrame
    judged: pd.DataFrame


def _facts(ctx: AuditContext) -> _Facts:
    return ctx.memo("retention.facts", lambda: _compute_facts(ctx))


def _compute_facts(ctx: AuditContext) -> _Facts:
    register = _register(ctx)
    inventory = _inventory(ctx)
    extracts = _extract_activities(ctx)
    pairs = _pairs(register, extracts)
    rules = _applicable_rules(ctx, pairs, inventory)
    return _Facts(register, inventory, pairs, rules, _limits(rules), _judge_records(ctx, pairs, rules, extracts))


def _table(facts: _Facts) -> pd.DataFrame:
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
    something that was not judged. ``policy_limit_days`` is the longest
    finite period in days, with the year-end slack for bookkeeping periods.
    """
    return _table(_facts(ctx))[TABLE_COLUMNS]


# --- findings ------------------------------------------------------------------------------------


def _days(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return f"{int(number):,}" if number.is_integer() else f"{number:,}"


def _clauses(ctx: AuditContext, policy_refs: pd.Series) -> pd.Series:
    quoted = {pid: ctx.policy.clause(pid, "retention") for pid in pd.unique(policy_refs.dropna())}
    return policy_refs.map(quoted)


def _system_rows(
    table: pd.DataFrame, mask: pd.Series, detail: pd.Series, ctx: AuditContext, column: str
) -> pd.DataFrame:
    gap = table[mask]
    return pd.DataFrame(
        {
            "subject": gap["activity_id"] + ":" + gap["system_id"],
            "activity_id": gap["activity_id"],
            "system_id": gap["system_id"],
            "vendor": gap["vendor"],
            "detail": detail[mask],
            "evidence": cite(gap) + f", column {column}",
            "policy_clause": _clauses(ctx, gap["policy_ref"]),
        }
    )


def _configured_findings(ctx: AuditContext, table: pd.DataFrame) -> pd.DataFrame:
    """RET-01 (setting above the policy's period) and RET-02 (no automatic deletion)."""
    on_inventory = table["listed"] & table["src_row"].notna()
    name = "System " + table["system_id"].astype(str) + " (" + table["system"].astype(str) + ")"
    days = table["configured_retention_days"]
    too_long = on_inventory & table["policy_limit_days"].notna() & days.gt(table["policy_limit_days"]).fillna(False)
    detail_01 = pd.Series(
        [
            f"{n} is configured to keep data {_days(d)} days, longer than the {_days(lim)} days the policy allows "
            f"for activity {a} ({p}: {r})."
            for n, d, lim, a, p, r in zip(
                name[too_long],
                days[too_long],
                table.loc[too_long, "policy_limit_days"],
                table.loc[too_long, "activity_id"],
                table.loc[too_long, "policy_ref"],
                table.loc[too_long, "policy_rule"],
                strict=True,
            )
        ],
        index=table.index[too_long],
        dtype="object",
    )
    ret01 = _system_rows(table, too_long, detail_01.reindex(table.index), ctx, "retention_days")
    auto = table["auto_delete"]
    no_auto = on_inventory & table["measurable"] & auto.ne(True).fillna(True)
    state = auto.map({False: "no"}).astype("object").where(auto.notna(), "not recorded")
    detail_02 = (
        name
        + " has no automatic deletion (auto_delete: "
        + state
        + ") although activity "
        + table["activity_id"].astype(str)
        + " has a finite retention in the policy ("
        + table["policy_ref"].astype(str)
        + ": "
        + table["policy_rule"].astype(str)
        + ")."
    )
    ret02 = _system_rows(table, no_auto, detail_02, ctx, "auto_delete")
    return combine_findings(
        [make_findings("RET-01", ret01, ctx.settings), make_findings("RET-02", ret02, ctx.settings)]
    )


def _record_findings(ctx: AuditContext, table: pd.DataFrame) -> pd.DataFrame:
    """RET-03 (records past the limit) and RET-05 (records whose anchor date is missing)."""
    book = anchor_book()
    as_of = ctx.as_of.isoformat()
    rows03, rows05 = [], []
    judged = table[table["records_past_limit"].notna()]
    # One pass over the judged pairs (a handful per extract), building one sentence each.
    for r in judged.itertuples(index=False):
        subject = f"{r.activity_id}:{r.system_id}"
        base = {"subject": subject, "activity_id": r.activity_id, "system_id": r.system_id, "vendor": r.vendor}
        clause = ctx.policy.clause(r.policy_ref, "retention")
        total = int(r.records_total)
        where = f"of activity {r.activity_id} in system {r.system_id}"
        if r.records_past_limit:
            past = int(r.records_past_limit)
            oldest = pd.Timestamp(r.oldest_anchor).date().isoformat()
            examples = f"; examples: {r.example_record_ids}" if r.example_record_ids else ""
            detail = (
                f"{past:,} of {total:,} records ({r.share_past_limit:.1f}%) {where} are past the policy's limit "
                f"({r.policy_rule}) on {as_of}; the oldest anchor date is {oldest}{examples}."
            )
            evidence = f"{r.file} › {past} of {total} records past limit, oldest {oldest}"
            rows03.append({**base, "detail": detail, "evidence": evidence, "policy_clause": clause})
        if r.records_missing_anchor:
            n = int(r.records_missing_anchor)
            share = 100 * n / total
            if r.missing_columns:
                cols = ", ".join(r.missing_columns)
                why = f"the extract has no {cols} column, which the policy's rule ({r.policy_rule}) counts from"
            else:
                labels = " or ".join(book.labels[a] for a in r.blank_anchors)
                why = f"the date their retention counts from ({labels}) is blank"
            detail = f"The retention of {n:,} of {total:,} records ({share:.1f}%) {where} cannot be judged: {why}."
            evidence = f"{r.file} › {n} of {total} records without a usable anchor date"
            rows05.append({**base, "detail": detail, "evidence": evidence, "policy_clause": clause})
    return combine_findings(
        [
            make_findings("RET-03", pd.DataFrame(rows03), ctx.settings),
            make_findings("RET-05", pd.DataFrame(rows05), ctx.settings),
        ]
    )


def _register_gap(ours: list[dict[str, Any]], policy: pd.DataFrame) -> str | None:
    """Why the register's rules differ from the policy's, or ``None`` when each matches a policy rule.

    A register rule matches a policy rule of the same kind; for ``until`` the
    anchor must be the same, for ``period`` the anchor too and the period no
    longer (compared by longest span in days, so "12 months" equals "1 år").
    Vague and per-contract rules match their own kind: vague cannot be measured.
    """
    if not ours:
        return (
            "the register's text cannot be read as a retention period or event, while the policy's rule is measurable"
        )
    for rule in ours:
        same = policy[policy["kind"] == rule["kind"]]
        if rule["kind"] in MEASURABLE:
            same = same[same["anchor"] == rule.get("anchor")]
        if rule["kind"] == "period" and not same.empty:
            ok = same["period"].map(max_days) >= max_days(rule["period"])
            if not ok.any():
                return f"the register keeps data longer ({_period_words(rule['period'])})"
        if same.empty:
            return "the register's rule is of another kind or counts from another date"
    return None


def _register_findings(ctx: AuditContext, facts: _Facts) -> pd.DataFrame:
    """RET-04: the register's own retention text against the policy's rules for its policy_ref."""
    reg = facts.register[facts.register["policy_ref"].notna() & facts.register["retention"].notna()]
    reg = reg[reg["retention"].astype(str).str.strip() != ""]
    policy = policy_rules(ctx)
    measurable = set(policy.loc[policy["kind"].isin(MEASURABLE), "policy_id"])
    reg = reg[reg["policy_ref"].isin(measurable)]
    context = reg["activity"].fillna("").astype(str) + ". " + reg["purpose"].fillna("").astype(str)
    parsed: dict[tuple[str, str], list[dict[str, Any]]] = {
        (t, c): parse_retention(t, context=c) for t, c in dict.fromkeys(zip(reg["retention"], context, strict=True))
    }
    details: list[str | None] = []
    for text, ctx_text, pid, aid in zip(reg["retention"], context, reg["policy_ref"], reg["activity_id"], strict=True):
        ours = parsed[(text, ctx_text)]
        rules = policy[policy["policy_id"] == pid]
        reason = _register_gap(ours, rules)
        if reason is None:
            details.append(None)
            continue
        pol = "; ".join(rules["text"])
        grace = ctx.settings.event_grace_days
        said = "; ".join(describe_rule(r["kind"], r.get("period"), r.get("anchor"), False, grace) for r in ours)
        read = f" (read as: {said})" if said else ""
        details.append(
            f"Activity {aid}: the register's retention «{text}»{read} differs from the policy's for {pid} ({pol}): "
            f"{reason}."
        )
    reg = reg.assign(detail=pd.Series(details, index=reg.index, dtype="object"))
    gap = reg[reg["detail"].notna()]
    rows = pd.DataFrame(
        {
            "subject": gap["activity_id"],
            "activity_id": gap["activity_id"],
            "detail": gap["detail"],
            "evidence": cite(gap) + ", column retention",
            "policy_clause": _clauses(ctx, gap["policy_ref"]),
        }
    )
    return make_findings("RET-04", rows, ctx.settings)


def check_retention(ctx: AuditContext) -> pd.DataFrame:
    """RET-01..05: configured retention, automatic deletion, records past the limit, register text, missing anchors."""
    facts = _facts(ctx)
    table = _table(facts)
    return combine_findings(
        [_configured_findings(ctx, table), _record_findings(ctx, table), _register_findings(ctx, facts)]
    )
