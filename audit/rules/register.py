"""REG-01..06: the Art. 30 register against the policy's section 10 and against Art. 30 itself.

Every register row is first *classified* (:func:`classify_activities`) by
its role and the policy block it cites, because which rules apply depends on
it:

* ``checked``: a controller or joint-controller activity citing an in-scope
  policy activity; its data categories (REG-03) and legal basis (REG-04) are
  compared with that block.
* ``processor``: the organisation processes on a customer's behalf. Such
  entries answer to Art. 30(2), not to the policy, so they are never REG-01,
  REG-03 or REG-04, and REG-05 asks only for the Art. 30(2) field we hold
  (``security_measures``).
* ``outside scope``: the entry cites a block the policy places outside its
  scope *without* saying the organisation acts in another role there
  (P-COOKIES: "se vår cookiepolicy"): the processing is disclosed by
  reference to another document this tool does not audit.
* ``undisclosed``: a controller activity with no ``policy_ref``, an unknown
  one, or one citing a block whose scope note says the organisation acts in
  another role there (P-PROCESSOR's note says *personuppgiftsbiträde*): REG-01.
  Which role a block's note names is read with the ``activity_role``
  vocabulary, so no block id is written into the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit.policy.model import PolicyModel
from audit.reference.vocab import data_categories, fold, vocabulary
from audit.rules.common import as_list, blank, exploded
from audit.rules.context import AuditContext
from audit.rules.findings import cite, combine_findings, make_findings
from audit.rules.optional import column as _col

#: The Art. 30(1) fields REG-05 asks of a controller entry (rules.md).
ART30_1_FIELDS = ("purpose", "data_subjects", "data_categories", "recipients", "retention", "security_measures")
#: The Art. 30(2) fields a processor entry can show in this register (Art. 30(2)(d)).
ART30_2_FIELDS = ("security_measures",)
CONTROLLER_ROLES = ("controller", "joint_controller")
PROVENANCE = ["src_file", "src_sheet", "src_row"]


def block_roles(policy: PolicyModel) -> pd.Series:
    """Out-of-scope policy block -> the role its scope note says the organisation has there (or ``None``).

    P-PROCESSOR's note says *personuppgiftsbiträde* (processor); P-COOKIES's
    note only points to the cookie policy and names no role.
    """
    out = policy.activities[~policy.activities["in_scope"]].set_index("policy_id")["scope_note"]
    roles = vocabulary("activity_role")
    return out.map(lambda note: next(iter(roles.find_all(note)), None)).astype("object")


def classify_activities(ctx: AuditContext) -> pd.DataFrame:
    """Each register row's role, policy activity and status, computed once per audit (see :func:`_classify`)."""
    return ctx.memo("register.classify", lambda: _classify(ctx))


def _classify(ctx: AuditContext) -> pd.DataFrame:
    """One row per register row: normalised role, the policy block cited, and how the rules treat it.

    Returns
    -------
    DataFrame
        Indexed like ``ctx.inputs.activities``, with ``activity_id``,
        ``activity``, ``role`` (blank or unknown = ``controller``, the spec's
        default), ``policy_ref`` (as written), ``policy_id`` (the canonical
        id, matched case- and punctuation-insensitively; ``None`` when blank
        or unknown), ``policy_title``, ``policy_in_scope``, ``status``
        (``checked``, ``processor``, ``outside scope``, ``undisclosed``),
        ``reason`` (why an ``undisclosed`` entry is REG-01) and provenance.
    """
    acts = ctx.inputs.activities
    pol = ctx.policy.activities
    roles = vocabulary("activity_role").map_series(_col(acts, "role")).fillna("controller")
    raw_ref = _col(acts, "policy_ref")
    ids = {fold(pid): pid for pid in pol["policy_id"]}
    ref_key = raw_ref.map(fold, na_action="ignore")
    policy_id = ref_key.map(ids).astype("object").where(lambda s: s.notna(), None)
    info = pol.set_index("policy_id")
    in_scope = policy_id.map(info["in_scope"]).astype("boolean")
    block_role = policy_id.map(block_roles(ctx.policy)).astype("object")
    ref_text = raw_ref.astype("object").where(~blank(raw_ref), None)

    status = pd.Series("checked", index=acts.index, dtype="object")
    reason = pd.Series(None, index=acts.index, dtype="object")
    controller = roles.isin(CONTROLLER_ROLES)
    no_ref = ref_text.isna()
    unknown = ref_text.notna() & policy_id.isna()
    out_of_scope = in_scope.eq(False).fillna(False).astype(bool)
    wrong_block = out_of_scope & block_role.notna() & (block_role != roles)
    status[out_of_scope & ~wrong_block] = "outside scope"
    status[controller & (no_ref | unknown | wrong_block)] = "undisclosed"
    status[~controller] = "processor"
    role_word = roles.str.replace("_", " ")
    reason[controller & no_ref] = "is a " + role_word + " activity with no policy_ref"
    reason[controller & unknown] = (
        "is a "
        + role_word
        + " activity citing policy_ref '"
        + ref_text.astype(str)
        + "', which is not a policy activity"
    )
    notes = policy_id.map(info["scope_note"]).astype("object")
    reason[controller & wrong_block] = (
        "is a "
        + role_word
        + " activity but cites "
        + policy_id.astype(str)
        + ", which the policy puts outside its scope: «"
        + notes.astype(str)
        + "»"
    )
    return pd.DataFrame(
        {
            "activity_id": _col(acts, "activity_id"),
            "activity": _col(acts, "activity"),
            "role": roles,
            "policy_ref": ref_text,
            "policy_id": policy_id,
            "policy_title": policy_id.map(info["title"]).astype("object"),
            "policy_in_scope": in_scope,
            "status": status,
            "reason": reason,
            **{col: _col(acts, col) for col in PROVENANCE},
        },
        index=acts.index,
    )


def register_table(ctx: AuditContext) -> pd.DataFrame:
    """The Art. 30 register as loaded, for the workbook's ``Register`` sheet.

    Every loaded column is kept (extra columns too, untouched), list cells
    are joined with ``"; "`` so a spreadsheet shows them, and each row gains
    the policy block it cites (``policy_title``, ``policy_in_scope``) and how
    the audit treats it (``audit_status``), next to ``policy_ref``.
    """
    acts = ctx.inputs.activities
    cls = classify_activities(ctx)
    out = acts.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else v)
    at = list(out.columns).index("policy_ref") + 1 if "policy_ref" in out else min(2, len(out.columns))
    for offset, (name, values) in enumerate(
        (
            ("policy_title", cls["policy_title"]),
            ("policy_in_scope", cls["policy_in_scope"]),
            ("audit_status", cls["status"]),
        )
    ):
        out.insert(at + offset, name, values)
    rest = [c for c in out.columns if c not in PROVENANCE]
    return out[rest + [c for c in PROVENANCE if c in out]].reset_index(drop=True)


# --- REG-01 / REG-02 -----------------------------------------------------------------------------


def _undisclosed(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    gap = cls[cls["status"] == "undisclosed"]
    clause = gap["policy_id"].map(lambda pid: ctx.policy.clause(pid, "purpose") if pid else None)
    clause = clause.where(clause.notna(), ctx.policy.clause("*", "disclosure"))
    rows = pd.DataFrame(
        {
            "subject": gap["activity_id"],
            "activity_id": gap["activity_id"],
            "detail": "Activity "
            + gap["activity_id"].astype(str)
            + " ("
            + gap["activity"].astype(str)
            + ") "
            + gap["reason"]
            + ".",
            "evidence": cite(gap) + ", column policy_ref",
            "policy_clause": clause,
        }
    )
    return make_findings("REG-01", rows, ctx.settings)


def _unregistered(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """REG-02 for every policy block, in scope or not.

    P-PROCESSOR and P-COOKIES are included on purpose: the policy says the
    organisation does both (processor work needs an Art. 30(2) record, cookie
    processing an Art. 30(1) one), so a register without them is incomplete
    even though the policy details them elsewhere. Any entry citing the block
    counts, whatever its role.
    """
    pol = ctx.policy.activities
    gap = pol[~pol["policy_id"].isin(cls["policy_id"].dropna())]
    rows = pd.DataFrame(
        {
            "subject": gap["policy_id"],
            "detail": "Policy activity "
            + gap["policy_id"]
            + " («"
            + gap["title"]
            + "») has no register entry citing it in policy_ref.",
            "evidence": gap["policy_id"].map(ctx.policy.where) + "; " + _register_files(ctx),
            "policy_clause": gap["policy_id"].map(lambda pid: ctx.policy.clause(pid, "purpose")),
        }
    )
    return make_findings("REG-02", rows, ctx.settings)


def _register_files(ctx: AuditContext) -> str:
    acts = ctx.inputs.activities
    where = (_col(acts, "src_file").astype(str) + " › " + _col(acts, "src_sheet").astype(str)).drop_duplicates()
    return "no entry in " + (", ".join(where) if len(where) else "the register")


# --- REG-03 --------------------------------------------------------------------------------------


def _labels(ids: pd.Series) -> pd.Series:
    vocab = data_categories()
    return ids.map(lambda cid: ", ".join(vocab.label(c) for c in as_list(cid)) or "nothing")


def _category_rows(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Exploded category words with their canonical id (``None`` when no synonym matches, never a guess)."""
    long = exploded(frame, column, "word")
    long["word"] = long["word"].astype(str).str.strip()
    long["category"] = data_categories().map_series(long["word"], method="match")
    return long


def _policy_categories(ctx: AuditContext) -> pd.DataFrame:
    """(policy_id, category) for every data category a policy block lists."""
    pairs = ctx.policy.activities[["policy_id", "data_categories"]].explode("data_categories")
    return pairs.dropna().rename(columns={"data_categories": "category"}).drop_duplicates()


def _register_categories(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """REG-03 for the register row's own ``data_categories`` (``checked`` entries only).

    Words are matched to ids through ``data_categories.yaml`` ("E-post" and
    "e-mail address" are both ``email``); a word no synonym matches is
    reported with the word itself as subject, never guessed.
    """
    acts = ctx.inputs.activities
    checked = cls["status"] == "checked"
    long = _category_rows(
        cls[checked].assign(data_categories=_col(acts, "data_categories")[checked]), "data_categories"
    )
    long = long.merge(_policy_categories(ctx).assign(ok=True), on=["policy_id", "category"], how="left")
    gap = long[long["ok"].isna()].copy()
    gap["key"] = gap["category"].fillna(gap["word"])
    gap = gap.drop_duplicates(["activity_id", "key"])
    if gap.empty:
        return make_findings("REG-03", gap, ctx.settings)
    listed = ctx.policy.activities.set_index("policy_id")["data_categories"]
    vocab = data_categories()
    head = "Activity " + gap["activity_id"].astype(str) + " (" + gap["activity"].astype(str) + ") records "
    lists = "policy activity " + gap["policy_id"] + " lists: " + _labels(gap["policy_id"].map(listed))
    detail = (
        head
        + gap["category"].map(lambda c: vocab.label(c) if c else "").astype(str)
        + " («"
        + gap["word"]
        + "»), which is not among the data categories "
        + lists
        + "."
    )
    unmatched = gap["category"].isna()
    detail[unmatched] = (
        head + "«" + gap["word"] + "», which could not be matched to a known data category; " + lists + "."
    )[unmatched]
    rows = pd.DataFrame(
        {
            "subject": gap["activity_id"].astype(str) + ":" + gap["key"].astype(str),
            "activity_id": gap["activity_id"],
            "detail": detail,
            "evidence": cite(gap) + ", column data_categories",
            "policy_clause": gap["policy_id"].map(lambda pid: ctx.policy.clause(pid, "data_categories")),
        }
    )
    return make_findings("REG-03", rows, ctx.settings)


def _system_categories(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """REG-03 for the inventory's ``data_categories`` of each system.

    A system serves several activities, so a category it holds is a gap only
    when *no* activity using it accounts for it: a ``checked`` activity
    accounts for what its policy block lists; a processor or outside-scope
    activity (not judged against this policy) for the categories its own
    register row records. Systems no ``checked`` activity uses are not judged
    (an undisclosed activity is REG-01 already). The subject is
    ``<system_id>:<category id or raw word>``, with ``system_id`` set.
    """
    systems = ctx.inputs.systems
    acts = ctx.inputs.activities
    use = exploded(cls.assign(systems=_col(acts, "systems")), "systems", "system_id")
    use["system_id"] = use["system_id"].astype(str).str.strip()
    judged = set(use.loc[use["status"] == "checked", "system_id"])
    by_policy = use[use["status"] == "checked"].merge(_policy_categories(ctx), on="policy_id")
    by_policy = by_policy[["system_id", "category"]]
    own_users = cls[cls["status"].isin(["processor", "outside scope"])]
    own = _category_rows(
        own_users.assign(data_categories=_col(acts, "data_categories")[own_users.index]), "data_categories"
    )
    own_use = own.merge(use[["activity_id", "system_id"]], on="activity_id")[["system_id", "category"]]
    covered = pd.concat([by_policy, own_use], ignore_index=True).dropna().drop_duplicates()

    held = _category_rows(systems[systems["system_id"].isin(judged)], "data_categories")
    held = held.merge(covered.assign(ok=True), on=["system_id", "category"], how="left")
    gap = held[held["ok"].isna()].copy()
    gap["key"] = gap["category"].fillna(gap["word"])
    gap = gap.drop_duplicates(["system_id", "key"])
    if gap.empty:
        return make_findings("REG-03", gap, ctx.settings)
    users = use[use["status"] == "checked"].assign(pair=lambda d: d["activity_id"].astype(str) + " → " + d["policy_id"])
    who = users.groupby("system_id")["pair"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    clauses = users.groupby("system_id")["policy_id"].agg(
        lambda s: " ".join(ctx.policy.clause(pid, "data_categories") for pid in dict.fromkeys(s))
    )
    vocab = data_categories()
    head = "System " + gap["system_id"] + " (" + _col(gap, "system").astype(str) + ") holds "
    tail = " (activities using it: " + gap["system_id"].map(who) + ")."
    detail = (
        head
        + gap["category"].map(lambda c: vocab.label(c) if c else "").astype(str)
        + " («"
        + gap["word"]
        + "»), which none of the policy activities of the activities using it lists"
        + tail
    )
    unmatched = gap["category"].isna()
    detail[unmatched] = (head + "«" + gap["word"] + "», which could not be matched to a known data category" + tail)[
        unmatched
    ]
    rows = pd.DataFrame(
        {
            "subject": gap["system_id"] + ":" + gap["key"].astype(str),
            "system_id": gap["system_id"],
            "vendor": _col(gap, "vendor"),
            "detail": detail,
            "evidence": cite(gap) + ", column data_categories",
            "policy_clause": gap["system_id"].map(clauses),
        }
    )
    return make_findings("REG-03", rows, ctx.settings)


# --- REG-04 --------------------------------------------------------------------------------------


def _basis_text(ids: object) -> str:
    ids = as_list(ids)
    return ", ".join(ids) if ids else "none"


def _policy_basis_text(pol: pd.DataFrame) -> pd.Series:
    """How the policy states each block's basis: the ids, or the ids per contract phase."""

    def one(row_ids: list, phases: object) -> str:
        if isinstance(phases, dict) and phases:
            return "; ".join(f"{phase}: {_basis_text(ids)}" for phase, ids in phases.items())
        return _basis_text(row_ids)

    return pd.Series(
        [one(i, p) for i, p in zip(pol["legal_basis"], pol["legal_basis_by_phase"], strict=True)],
        index=pol["policy_id"],
    )


def _legal_basis(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """REG-04: the register's bases must be the policy's.

    Where the policy gives a basis per contract phase (P-CRM: before =
    legitimate interests, during = contract, after = legal obligation) one
    register entry may cover only some phases, so any non-empty subset of
    the phases' bases is consistent. Otherwise the sets must be equal. A
    basis outside the policy's set, or none at all, always differs.
    """
    acts = ctx.inputs.activities
    checked = cls[cls["status"] == "checked"]
    bases = vocabulary("legal_basis")
    reg = _col(acts, "legal_basis")[checked.index].map(as_list)
    reg = reg.map(lambda ids: sorted({bases.lookup(i) or str(i) for i in ids}))
    pol = ctx.policy.activities.set_index("policy_id")
    allowed = checked["policy_id"].map(pol["legal_basis"]).map(set)
    phased = checked["policy_id"].map(pol["legal_basis_by_phase"]).map(lambda p: isinstance(p, dict) and bool(p))
    outside = pd.Series([set(r) - a for r, a in zip(reg, allowed, strict=True)], index=checked.index)
    missing = pd.Series([a - set(r) for r, a in zip(reg, allowed, strict=True)], index=checked.index)
    differs = (reg.map(len) == 0) | (outside.map(len) > 0) | (~phased & (missing.map(len) > 0))
    gap = checked[differs]
    said = checked["policy_id"].map(_policy_basis_text(ctx.policy.activities))[differs]
    rows = pd.DataFrame(
        {
            "subject": gap["activity_id"],
            "activity_id": gap["activity_id"],
            "detail": "Activity "
            + gap["activity_id"].astype(str)
            + " ("
            + gap["activity"].astype(str)
            + ") has legal basis "
            + reg[differs].map(_basis_text)
            + " in the register; policy activity "
            + gap["policy_id"]
            + " says "
            + said
            + ".",
            "evidence": cite(gap) + ", column legal_basis",
            "policy_clause": gap["policy_id"].map(lambda pid: ctx.policy.clause(pid, "legal_basis")),
        }
    )
    return make_findings("REG-04", rows, ctx.settings)


# --- REG-05 / REG-06 -----------------------------------------------------------------------------


def _missing_fields(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """REG-05: one finding per entry × empty Art. 30 field.

    Controller entries need every Art. 30(1) field of rules.md; processor
    entries only ``security_measures``, the one Art. 30(2) item the register
    columns hold (the customers' names and the categories of processing are
    kept in the customer contracts, not in this sheet). A column absent
    from the sheet counts as empty in every row.
    """
    acts = ctx.inputs.activities
    processor = cls["status"] == "processor"
    parts = []
    for name in ART30_1_FIELDS:
        needed = ~processor if name not in ART30_2_FIELDS else pd.Series(True, index=acts.index)
        gap = cls[needed & blank(_col(acts, name))]
        article = processor[gap.index].map({True: "Art. 30(2)", False: "Art. 30(1)"})
        parts.append(
            pd.DataFrame(
                {
                    "subject": gap["activity_id"].astype(str) + ":" + name,
                    "activity_id": gap["activity_id"],
                    "detail": "Activity "
                    + gap["activity_id"].astype(str)
                    + " ("
                    + gap["activity"].astype(str)
                    + f"): the register entry has no {name}, which "
                    + article
                    + " requires.",
                    "evidence": cite(gap) + f", column {name}",
                }
            )
        )
    return make_findings("REG-05", pd.concat(parts, ignore_index=True), ctx.settings)


def _first_records(ctx: AuditContext) -> pd.Series:
    """activity_id -> earliest ``collected`` date in any record extract (how long it has really been running)."""
    parts = [
        rec.groupby("activity_id", observed=True)["collected"].min()
        for rec in ctx.inputs.records.values()
        if {"activity_id", "collected"} <= set(rec.columns)
    ]
    if not parts:
        return pd.Series(dtype="datetime64[ns]")
    return pd.concat(parts).groupby(level=0).min()


def _review(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """REG-06: an entry out of date, in either of the two ways rules.md names.

    * no review recorded, or the last one more than the settings' interval
      before the as-of date (reviewed exactly that long ago is still in time);
    * an activity the policy does not cover that started after the policy's
      version date: the policy (section 9) promises to describe processing
      as it changes. The start is the register's optional ``started`` column,
      else the earliest ``collected`` date in the record extracts.

    Both reasons for one activity make one finding (the subject is the activity).
    """
    acts = ctx.inputs.activities
    months = ctx.settings.review_interval_months
    cutoff = ctx.as_of_ts - pd.DateOffset(months=months)
    reviewed = pd.to_datetime(_col(acts, "last_reviewed", pd.NaT), errors="coerce")
    late = reviewed.isna() | (reviewed < cutoff)
    review_text = (
        reviewed.dt.strftime("last reviewed %Y-%m-%d") + f", more than {months} months before {ctx.as_of.isoformat()}"
    )
    review_text = review_text.where(reviewed.notna(), "no review date recorded")

    version = pd.Timestamp(ctx.policy.version)
    started = pd.to_datetime(_col(acts, "started", pd.NaT), errors="coerce")
    from_records = acts["activity_id"].map(_first_records(ctx))
    start = started.fillna(from_records)
    uncovered = cls["status"].eq("undisclosed")
    new = uncovered & start.notna() & (start > version)
    how = pd.Series("started", index=acts.index).where(started.notna(), "first record collected")
    new_text = (
        how + " " + start.dt.strftime("%Y-%m-%d") + f", after the policy version of {version.date().isoformat()}, "
        "which does not cover it"
    )

    gap_mask = late | new
    gap = cls[gap_mask]
    reasons = pd.concat([review_text.where(late), new_text.where(new)], axis=1)[gap_mask]
    joined = reasons.apply(lambda r: "; ".join(r.dropna()), axis=1) if len(reasons) else pd.Series(dtype=object)
    head = "Activity " + gap["activity_id"].astype(str) + " (" + gap["activity"].astype(str) + "): "
    columns = pd.Series("column last_reviewed", index=gap.index)
    columns[new[gap_mask] & ~late[gap_mask]] = "column started"
    columns[new[gap_mask] & late[gap_mask]] = "columns last_reviewed, started"
    rows = pd.DataFrame(
        {
            "subject": gap["activity_id"],
            "activity_id": gap["activity_id"],
            "detail": head + joined + ".",
            "evidence": cite(gap) + ", " + columns,
            "policy_clause": ctx.policy.clause("*", "updates"),
        }
    )
    return make_findings("REG-06", rows, ctx.settings)


def check_register(ctx: AuditContext) -> pd.DataFrame:
    """REG-01..06: the register against the policy (disclosure, categories, bases) and Art. 30 (fields, reviews)."""
    cls = classify_activities(ctx)
    return combine_findings(
        [
            _undisclosed(ctx, cls),
            _unregistered(ctx, cls),
            _register_categories(ctx, cls),
            _system_categories(ctx, cls),
            _legal_basis(ctx, cls),
            _missing_fields(ctx, cls),
            _review(ctx, cls),
        ]
    )
