"""Rule families. Each takes an :class:`audit.context.AuditContext` and returns findings."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from audit.context import AuditContext
from audit.rules.policy_law import check_policy_law


def policy_vs_law(ctx: AuditContext) -> pd.DataFrame:
    """POL-01..04: the policy itself against GDPR Art. 13 and Art. 9."""
    return check_policy_law(ctx.policy, ctx.settings)


RULE_FAMILIES: list[Callable[[AuditContext], pd.DataFrame]] = [policy_vs_law]
