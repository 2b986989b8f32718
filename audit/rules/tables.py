"""Tables shown as they are loaded: the policy model and the input issues.

They sit in the catalogue's table list beside the rule-built ones, so the
workbook, the CSVs and the notebooks find every table in one place.
"""

from __future__ import annotations

import pandas as pd

from audit.rules.context import AuditContext


def policy_table(ctx: AuditContext) -> pd.DataFrame:
    """The policy's activities as the audit reads them (one row per activity)."""
    return ctx.policy.activities


def input_issues(ctx: AuditContext) -> pd.DataFrame:
    """Every validation issue of the inputs: ``file, sheet, row, column, value, problem``."""
    return ctx.inputs.issues
