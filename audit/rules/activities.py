"""How the audit treats each register row: the classification the REG and REC rules share.

Which rules apply to a register row depends on its role and on the policy
block it cites, so every row is *classified* once per audit
(:func:`classify_activities`, memoised) and both families read that:

* ``checked``: a controller or joint-controller activity citing an in-scope
  policy activity; its data categories (REG-03), legal basis (REG-04) and
  recipients (REC-01) are compared with that block.
* ``processor``: the organisation processes on a customer's behalf. Such
  entries answer to Art. 30(2), not to the policy, so they are never REG-01,
  REG-03, REG-04 or REC-01, and REG-05 asks only for the Art. 30(2) field the
  register holds (``security_measures``).
* ``outside scope``: the entry cites a block the policy places outside its
  scope *without* saying the organisation acts in another role there
  (P-COOKIES: "se vår cookiepolicy"): the processing is disclosed by
  reference to another document this tool does not audit.
* ``undisclosed``: a controller activity with no ``policy_ref``, an unknown
  one, or one citing a block whose scope note says the organisation acts in
  another role there (P-PROCESSOR's note says *personuppgiftsbiträde*): REG-01.
  Which role a block's note names is read with the ``activity_role``
  vocabulary, so no block id is written into the code.

This module holds facts only; it imports no rule, so the REC rules depend on
the classification without depending on the REG rules.
"""

from __future__ import annotations

import pandas as pd

from audit.policy.model import PolicyModel
from audit.reference.vocab import fold, vocabulary
from audit.rules.common import blank
from audit.rules.context import AuditContext

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


def _cited_blocks(ctx: AuditContext) -> pd.DataFrame:
    """The policy block each register row cites, matched case- and punctuation-insensitively.

    Returns the reference as written (``None`` when blank), the canonical id
    (``None`` when blank or unknown) and that block's title, scope flag,
    scope note and the role its note names.
    """
    acts = ctx.inputs.activities
    info = ctx.policy.activities.set_index("policy_id")
    ids = {fold(pid): pid for pid in info.index}
    raw_ref = acts["policy_ref"]
    policy_id = raw_ref.map(fold, na_action="ignore").map(ids).astype("object")
    policy_id = policy_id.where(policy_id.notna(), None)
    return pd.DataFrame(
        {
            "policy_ref": raw_ref.astype("object").where(~blank(raw_ref), None),
            "policy_id": policy_id,
            "policy_title": policy_id.map(info["title"]).astype("object"),
            "policy_in_scope": policy_id.map(info["in_scope"]).astype("boolean"),
            "scope_note": policy_id.map(info["scope_note"]).astype("object"),
            "block_role": policy_id.map(block_roles(ctx.policy)).astype("object"),
        },
        index=acts.index,
    )


def _status(roles: pd.Series, cited: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """How the rules treat each row (``status``) and, for an ``undisclosed`` one, why (``reason``)."""
    controller = roles.isin(CONTROLLER_ROLES)
    no_ref = cited["policy_ref"].isna()
    unknown = cited["policy_ref"].notna() & cited["policy_id"].isna()
    out_of_scope = cited["policy_in_scope"].eq(False).fillna(False).astype(bool)
    wrong_block = out_of_scope & cited["block_role"].notna() & (cited["block_role"] != roles)
    status = pd.Series("checked", index=roles.index, dtype="object")
    status[out_of_scope & ~wrong_block] = "outside scope"
    status[controller & (no_ref | unknown | wrong_block)] = "undisclosed"
    status[~controller] = "processor"
    reason = pd.Series(None, index=roles.index, dtype="object")
    reason[controller & no_ref] = "no_ref"
    reason[controller & unknown] = "unknown_ref"
    reason[controller & wrong_block] = "wrong_block"
    return status, reason


def _classify(ctx: AuditContext) -> pd.DataFrame:
    """One row per register row: normalised role, the policy block cited, and how the rules treat it.

    Returns
    -------
    DataFrame
        Indexed like ``ctx.inputs.activities``, with ``activity_id``,
        ``activity``, ``role`` (blank or unknown = ``controller``, the spec's
        default), ``policy_ref`` (as written), ``policy_id`` (the canonical
        id; ``None`` when blank or unknown), ``policy_title``,
        ``policy_in_scope``, ``scope_note`` (of the cited block), ``status``
        (``checked``, ``processor``, ``outside scope``, ``undisclosed``),
        ``reason`` (why an ``undisclosed`` entry is REG-01: ``no_ref``,
        ``unknown_ref`` or ``wrong_block``, REG-01's cases) and provenance.
    """
    acts = ctx.inputs.activities
    roles = vocabulary("activity_role").map_series(acts["role"]).fillna("controller")
    cited = _cited_blocks(ctx)
    status, reason = _status(roles, cited)
    return pd.DataFrame(
        {
            "activity_id": acts["activity_id"],
            "activity": acts["activity"],
            "role": roles,
            **{col: cited[col] for col in ("policy_ref", "policy_id", "policy_title", "policy_in_scope")},
            "scope_note": cited["scope_note"],
            "status": status,
            "reason": reason,
            **{col: acts[col] for col in PROVENANCE},
        },
        index=acts.index,
    )
