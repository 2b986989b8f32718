"""REG-01, 02, 04, 05, 06: the Art. 30 register against the policy's section 10 and against Art. 30 itself.

Each rule reads the shared classification of the register rows
(:func:`audit.rules.activities.classify_activities`): which rules apply to a
row depends on its role and the policy block it cites. The data-category
rule REG-03 is in :mod:`audit.rules.register_categories`, the DPIA rule
REG-07 in :mod:`audit.rules.register_dpia`. Every rule returns facts; the
sentences are the catalogue's (``data/reference/rules.yaml``).

:func:`register_table` builds the workbook's ``Register`` sheet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit.records.queries import first_collected
from audit.reference.i18n import text
from audit.reference.vocab import vocabulary
from audit.rules.activities import PROVENANCE, classify_activities
from audit.rules.common import as_list, blank, unreadable, unreadable_case
from audit.rules.context import AuditContext
from audit.rules.findings import cite_column, headers_of

#: The Art. 30(1) fields REG-05 asks of a controller entry (rules.md).
ART30_1_FIELDS = ("purpose", "data_subjects", "data_categories", "recipients", "retention", "security_measures")
#: The Art. 30(2) fields a processor entry can show in this register (Art. 30(2)(d)).
ART30_2_FIELDS = ("security_measures",)


def _joined(value: object) -> object:
    return "; ".join(map(str, value)) if isinstance(value, list | tuple | np.ndarray) else value


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
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any():
            out[col] = out[col].map(_joined)
    at = list(out.columns).index("policy_ref") + 1
    added = {"policy_title": "policy_title", "policy_in_scope": "policy_in_scope", "audit_status": "status"}
    for offset, (name, source) in enumerate(added.items()):
        out.insert(at + offset, name, cls[source])
    rest = [c for c in out.columns if c not in PROVENANCE]
    return out[rest + PROVENANCE].reset_index(drop=True)


# --- REG-01 / REG-02 -----------------------------------------------------------------------------


def undisclosed_activities(ctx: AuditContext) -> pd.DataFrame:
    """REG-01: controller activities the policy does not disclose; ``case`` is the classification's reason.

    The clause is the purpose of the block cited (when it is a known one),
    else the policy's promise to describe every processing (section 4).
    """
    cls = classify_activities(ctx)
    gap = cls[cls["status"] == "undisclosed"]
    clause = gap["policy_id"].map(lambda pid: ctx.policy.clause_or_empty(pid, "purpose") if pid else None)
    clause = clause.where(clause.notna(), ctx.policy.clause_or_empty("*", "disclosure"))
    return pd.DataFrame(
        {
            "activity_id": gap["activity_id"],
            "activity": gap["activity"],
            "role": gap["role"],
            "policy_ref": gap["policy_ref"],
            "policy_id": gap["policy_id"],
            "scope_note": gap["scope_note"],
            "case": gap["reason"],
            "evidence": cite_column(gap, ctx, "policy_ref"),
            "policy_clause": clause,
        }
    )


def unregistered_policy_activities(ctx: AuditContext) -> pd.DataFrame:
    """REG-02: policy blocks, in scope or not, that no register entry cites.

    P-PROCESSOR and P-COOKIES are included on purpose: the policy says the
    organisation does both (processor work needs an Art. 30(2) record, cookie
    processing an Art. 30(1) one), so a register without them is incomplete
    even though the policy details them elsewhere. Any entry citing the block
    counts, whatever its role.
    """
    pol = ctx.policy.activities
    gap = pol[~pol["policy_id"].isin(classify_activities(ctx)["policy_id"].dropna())]
    return pd.DataFrame(
        {
            "policy_id": gap["policy_id"],
            "title": gap["title"],
            "evidence": gap["policy_id"].map(ctx.policy.where) + "; " + _register_files(ctx),
            "policy_clause": gap["policy_id"].map(lambda pid: ctx.policy.clause_or_empty(pid, "purpose")),
        }
    )


def _register_files(ctx: AuditContext) -> str:
    """Where the register was looked for, for REG-02's evidence."""
    acts = ctx.inputs.activities
    where = (acts["src_file"].astype(str) + " › " + acts["src_sheet"].astype(str)).drop_duplicates()
    place = ", ".join(where) if len(where) else text("wording.evidence.the_register", ctx.lang)
    return text("wording.evidence.no_entry_in", ctx.lang) + " " + place


# --- REG-04 --------------------------------------------------------------------------------------


def _said(ids: list, key: str) -> str:
    """The phrase key that states ``ids``: ``key`` when there are some, ``none`` when there are none."""
    return key if ids else "none"


def _policy_bases(ctx: AuditContext, policy_ids: pd.Series) -> pd.DataFrame:
    """How the policy states each cited block's basis: the ids, or the ids per contract phase.

    ``policy_said`` holds the phrase keys: the block's phases in the policy's
    order (each phase's ids in ``phase_<phase>``), else ``stated`` (ids in
    ``policy_bases``) or ``none``.
    """
    pol = ctx.policy.activities.set_index("policy_id")
    flat = policy_ids.map(pol["legal_basis"]).map(as_list)
    phases = policy_ids.map(pol["legal_basis_by_phase"]).map(lambda p: p if isinstance(p, dict) and p else {})
    out = pd.DataFrame(
        {
            "policy_bases": flat,
            "policy_said": [list(p) or [_said(f, "stated")] for f, p in zip(flat, phases, strict=True)],
            "phased": phases.map(bool),
        },
        index=policy_ids.index,
    )
    for phase in dict.fromkeys(name for p in phases for name in p):
        out[f"phase_{phase}"] = phases.map(lambda p, name=phase: as_list(p.get(name)))
    return out


def legal_basis_differs(ctx: AuditContext) -> pd.DataFrame:
    """REG-04: the register's bases must be the policy's.

    Where the policy gives a basis per contract phase (P-CRM: before =
    legitimate interests, during = contract, after = legal obligation) one
    register entry may cover only some phases, so any non-empty subset of
    the phases' bases is consistent. Otherwise the sets must be equal. A
    basis outside the policy's set, or none at all, always differs; a
    register cell none of whose bases could be read is said to be so
    (``register_said`` ``unreadable``, the input issue in ``register_unreadable``).
    """
    cls = classify_activities(ctx)
    checked = cls[cls["status"] == "checked"]
    bases = vocabulary("legal_basis")
    reg = ctx.inputs.activities.loc[checked.index, "legal_basis"].map(as_list)
    reg = reg.map(lambda ids: sorted({bases.lookup(i) or str(i) for i in ids}))
    policy = _policy_bases(ctx, checked["policy_id"])
    allowed = policy["policy_bases"].map(set)
    outside = pd.Series([set(r) - a for r, a in zip(reg, allowed, strict=True)], index=checked.index)
    missing = pd.Series([a - set(r) for r, a in zip(reg, allowed, strict=True)], index=checked.index)
    differs = (reg.map(len) == 0) | (outside.map(len) > 0) | (~policy["phased"] & (missing.map(len) > 0))
    gap = checked[differs]
    where = unreadable(ctx.inputs, gap, "legal_basis")
    said = reg[differs].map(lambda ids: _said(ids, "registered"))
    return pd.DataFrame(
        {
            "activity_id": gap["activity_id"],
            "activity": gap["activity"],
            "policy_id": gap["policy_id"],
            "register_bases": reg[differs],
            "register_said": said.where(where.isna(), "unreadable"),
            "register_unreadable": where,
            **policy[differs].drop(columns="phased"),
            "evidence": cite_column(gap, ctx, "legal_basis"),
            "policy_clause": gap["policy_id"].map(lambda pid: ctx.policy.clause_or_empty(pid, "legal_basis")),
        }
    )


# --- REG-05 / REG-06 -----------------------------------------------------------------------------


def missing_art30_fields(ctx: AuditContext) -> pd.DataFrame:
    """REG-05: one row per entry × empty Art. 30 field; ``case`` is ``processor`` for an Art. 30(2) entry.

    Controller entries need every Art. 30(1) field of rules.md; processor
    entries only ``security_measures``, the one Art. 30(2) item the register
    columns hold (the customers' names and the categories of processing are
    kept in the customer contracts, not in this sheet). A column absent
    from the sheet reads as empty in every row; a cell whose value could not
    be read is ``case`` ``unreadable``, not empty.
    """
    acts = ctx.inputs.activities
    cls = classify_activities(ctx)
    processor = cls["status"] == "processor"
    parts = []
    for name in ART30_1_FIELDS:
        needed = ~processor if name not in ART30_2_FIELDS else pd.Series(True, index=acts.index)
        gap = cls[needed & blank(acts[name])]
        where = unreadable(ctx.inputs, gap, name)
        parts.append(
            pd.DataFrame(
                {
                    "activity_id": gap["activity_id"],
                    "activity": gap["activity"],
                    "field": name,
                    "field_label": headers_of(gap, ctx.inputs, name),
                    "case": unreadable_case(processor[gap.index].map({True: "processor", False: "default"}), where),
                    "unreadable": where,
                    "evidence": cite_column(gap, ctx, name),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _first_records(ctx: AuditContext) -> pd.Series:
    """activity_id -> earliest ``collected`` date in any record extract (how long it has really been running).

    Asked of the engine: one aggregate per extract that has both columns
    (record extracts are the one input whose date columns may really be absent).
    """
    return first_collected(ctx.inputs.records)


def _start(ctx: AuditContext) -> pd.DataFrame:
    """When each register row's processing began: ``started``, else the first record collected.

    ``how`` is the phrase key of REG-06 that says which of the two it is.
    """
    acts = ctx.inputs.activities
    started = acts["started"]
    start = started.fillna(acts["activity_id"].map(_first_records(ctx)))
    how = pd.Series("started_after", index=acts.index).where(started.notna(), "first_record_after")
    return pd.DataFrame({"start": start, "how": how}, index=acts.index)


def out_of_date_entries(ctx: AuditContext) -> pd.DataFrame:
    """REG-06: an entry out of date, in either of the two ways rules.md names; ``reasons`` lists which.

    * no review recorded (or a review date that could not be read, said so),
      or the last one more than the settings' interval before the as-of
      date (reviewed exactly that long ago is still in time);
    * an activity the policy does not cover that started after the policy's
      version date (never when the policy gives no version date): the policy (section 9) promises to describe processing
      as it changes. The start is the register's optional ``started`` column,
      else the earliest ``collected`` date in the record extracts.

    Both reasons for one activity make one finding (the subject is the activity).
    """
    acts = ctx.inputs.activities
    cls = classify_activities(ctx)
    cutoff = ctx.as_of_ts - pd.DateOffset(months=ctx.settings.review_interval_months)
    reviewed = acts["last_reviewed"]
    late = reviewed.isna() | (reviewed < cutoff)
    start = _start(ctx)
    # A policy with no version date cannot tell which activities started after it: only the review is judged.
    version = ctx.policy.version
    new = cls["status"].eq("undisclosed") & start["start"].notna()
    new = new & (start["start"] > pd.Timestamp(version)) if version is not None else new & False
    review_key = pd.Series("review_late", index=acts.index).where(reviewed.notna(), "not_reviewed")
    review_unreadable = unreadable(ctx.inputs, acts, "last_reviewed")
    review_key = review_key.where(review_unreadable.isna(), "review_unreadable")
    reasons = [
        [key for key, on in ((review, is_late), (how, is_new)) if on]
        for review, is_late, how, is_new in zip(review_key, late, start["how"], new, strict=True)
    ]
    evidence = cite_column(cls, ctx, "last_reviewed")
    evidence[new & ~late] = cite_column(cls, ctx, "started")[new & ~late]
    evidence[new & late] = cite_column(cls, ctx, "last_reviewed", "started")[new & late]
    gap = late | new
    return pd.DataFrame(
        {
            "activity_id": cls["activity_id"],
            "activity": cls["activity"],
            "reasons": reasons,
            "last_reviewed": reviewed,
            "review_unreadable": review_unreadable,
            "start": start["start"],
            "evidence": evidence,
            "policy_clause": ctx.policy.clause_or_empty("*", "updates"),
        }
    )[gap]
