"""SEC-01..03: the security promises of the policy, checked on the Systems sheet.

The policy promises encryption, backups and regular tests. The inventory
says, per system, whether that is so; a blank answer counts as a gap,
because an unrecorded safeguard cannot be shown to a supervisory authority.
An answer that is there but could not be read (``ja?`` for yes/no, an
ambiguous test date) is a gap too, worded as such with the input issue
(case ``unreadable``), never as "not recorded".
"""

from __future__ import annotations

import pandas as pd

from audit.rules.common import unreadable, unreadable_case
from audit.rules.context import AuditContext
from audit.rules.findings import cite_column


def _unflagged(ctx: AuditContext, column: str, promise: str) -> pd.DataFrame:
    """Systems whose yes/no ``column`` is not yes; ``case`` says whether it is no, blank or unreadable."""
    systems = ctx.inputs.systems
    flag = systems[column].astype("boolean")
    gap = systems[flag.ne(True).fillna(True)]
    where = unreadable(ctx.inputs, gap, column)
    case = flag[gap.index].map({False: "recorded_no"}).astype(object).fillna("not_recorded")
    return pd.DataFrame(
        {
            "system_id": gap["system_id"],
            "system": gap["system"],
            "vendor": gap["vendor"],
            "case": unreadable_case(case, where),
            "unreadable": where,
            "evidence": cite_column(gap, ctx, column),
            "policy_clause": ctx.policy.clause_or_empty("*", f"security:{promise}"),
        }
    )


def not_encrypted(ctx: AuditContext) -> pd.DataFrame:
    """SEC-01: systems not recorded as encrypted at rest."""
    return _unflagged(ctx, "encrypted_at_rest", "encryption")


def no_backup(ctx: AuditContext) -> pd.DataFrame:
    """SEC-02: systems not recorded as backed up."""
    return _unflagged(ctx, "backup", "backup")


def not_tested(ctx: AuditContext) -> pd.DataFrame:
    """SEC-03: systems with no security test within the settings' interval before the as-of date.

    A test date that could not be read is not "no test": ``case`` ``unreadable``.
    """
    systems = ctx.inputs.systems
    cutoff = ctx.as_of_ts - pd.DateOffset(months=ctx.settings.security_test_interval_months)
    tested = systems["last_security_test"]
    gap = systems[tested.isna() | (tested < cutoff)]
    where = unreadable(ctx.inputs, gap, "last_security_test")
    return pd.DataFrame(
        {
            "system_id": gap["system_id"],
            "vendor": gap["vendor"],
            "last_tested": tested[gap.index],
            "case": unreadable_case(tested[gap.index].isna().map({True: "never", False: "default"}), where),
            "unreadable": where,
            "evidence": cite_column(gap, ctx, "last_security_test"),
            "policy_clause": ctx.policy.clause_or_empty("*", "security:testing"),
        }
    )
