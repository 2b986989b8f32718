"""Rule families and the tables behind them.

Each family takes an :class:`audit.rules.context.AuditContext` and returns findings
(see :mod:`audit.rules.findings`); each table builder returns the frame a workbook
sheet, a chart and a notebook show. ``run_audit`` runs them all, in this order.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from audit.rules.context import AuditContext
from audit.rules.policy_law import check_policy_law
from audit.rules.recipients import check_recipients
from audit.rules.register import check_register, register_table
from audit.rules.requests import check_requests, request_timeline
from audit.rules.retention import check_retention, retention_table
from audit.rules.security import check_security
from audit.rules.transfers import check_transfers, transfer_register


def policy_vs_law(ctx: AuditContext) -> pd.DataFrame:
    """POL-01..04: the policy itself against GDPR Art. 13 and Art. 9."""
    return check_policy_law(ctx.policy, ctx.settings)


RULE_FAMILIES: list[Callable[[AuditContext], pd.DataFrame]] = [
    policy_vs_law,
    check_register,
    check_recipients,
    check_transfers,
    check_retention,
    check_requests,
    check_security,
]

# Sheet name -> builder, in the workbook's sheet order.
TABLES: dict[str, Callable[[AuditContext], pd.DataFrame]] = {
    "Transfers": transfer_register,
    "Retention": retention_table,
    "Requests": request_timeline,
    "Register": register_table,
}
