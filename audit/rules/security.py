"""SEC-01..03: the security promises of policy section 5, checked on the Systems sheet.

The policy promises encryption, backups and regular tests. The inventory
says, per system, whether that is so; a blank answer counts as a gap,
because an unrecorded safeguard cannot be shown to a supervisory authority.
"""

from __future__ import annotations

import pandas as pd

from audit.rules.context import AuditContext
from audit.rules.findings import cite, combine_findings, make_findings


def _flag_findings(ctx: AuditContext, rule: str, column: str, promise: str, what: str) -> pd.DataFrame:
    systems = ctx.inputs.systems
    if column not in systems:
        flag = pd.Series(pd.NA, index=systems.index, dtype="boolean")
    else:
        flag = systems[column].astype("boolean")
    gap = systems[flag.ne(True).fillna(True)]
    state = flag[gap.index].map({False: "no"}).fillna("not recorded")
    rows = pd.DataFrame(
        {
            "subject": gap["system_id"],
            "system_id": gap["system_id"],
            "vendor": gap["vendor"],
            "detail": "System " + gap["system_id"] + " (" + gap["system"].astype(str) + f") {what}: " + state + ".",
            "evidence": cite(gap) + f", column {column}",
            "policy_clause": ctx.policy.clause("*", f"security:{promise}"),
        }
    )
    return make_findings(rule, rows, ctx.settings)


def _test_findings(ctx: AuditContext) -> pd.DataFrame:
    systems = ctx.inputs.systems
    months = ctx.settings.security_test_interval_months
    cutoff = ctx.as_of_ts - pd.DateOffset(months=months)
    tested = (
        systems["last_security_test"] if "last_security_test" in systems else pd.Series(pd.NaT, index=systems.index)
    )
    gap = systems[tested.isna() | (tested < cutoff)]
    last = tested[gap.index]
    when = last.dt.strftime("last tested %Y-%m-%d").fillna("no security test recorded")
    rows = pd.DataFrame(
        {
            "subject": gap["system_id"],
            "system_id": gap["system_id"],
            "vendor": gap["vendor"],
            "detail": "System "
            + gap["system_id"]
            + ": "
            + when
            + f", more than {months} months before {ctx.as_of.isoformat()}.",
            "evidence": cite(gap) + ", column last_security_test",
            "policy_clause": ctx.policy.clause("*", "security:testing"),
        }
    )
    rows.loc[last.isna(), "detail"] = "System " + gap["system_id"] + ": no security test recorded."
    return make_findings("SEC-03", rows, ctx.settings)


def check_security(ctx: AuditContext) -> pd.DataFrame:
    """SEC-01 encryption at rest, SEC-02 backup, SEC-03 security test within the interval."""
    return combine_findings(
        [
            _flag_findings(ctx, "SEC-01", "encrypted_at_rest", "encryption", "is encrypted at rest"),
            _flag_findings(ctx, "SEC-02", "backup", "backup", "has a backup"),
            _test_findings(ctx),
        ]
    )
