"""Running the whole audit: load, check every rule family, collect findings.

The command line, the notebooks and the tests all call :func:`run_audit`, so
there is exactly one way an audit is produced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from audit.inputs import load_inputs
from audit.inputs.model import Inputs
from audit.policy.model import PolicyModel, load_policy
from audit.reference.settings import SEVERITIES, Settings, load_settings
from audit.rules import RULE_FAMILIES, TABLES
from audit.rules.context import AuditContext
from audit.rules.findings import combine_findings


@dataclass
class AuditResult:
    """Everything an audit produced, for the reports and the notebooks."""

    findings: pd.DataFrame
    issues: pd.DataFrame
    context: AuditContext
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def inputs(self) -> Inputs:
        """The loaded inputs."""
        return self.context.inputs

    @property
    def policy(self) -> PolicyModel:
        """The policy model audited against."""
        return self.context.policy

    def counts_by_severity(self) -> pd.Series:
        """Findings per severity, in severity order, zeros included."""
        return self.findings["severity"].value_counts().reindex(list(SEVERITIES), fill_value=0).rename("findings")


def run_audit(
    data_dir: Path | str,
    as_of: date,
    *,
    settings: Settings | None = None,
    policy: PolicyModel | None = None,
    date_order: str | None = None,
    families: list[Callable[[AuditContext], pd.DataFrame]] | None = None,
) -> AuditResult:
    """Load ``data_dir`` and run every rule family at ``as_of``.

    Parameters
    ----------
    data_dir
        A folder laid out as in ``inputs.md``.
    as_of
        The date every date rule is evaluated at; never defaulted here, so
        a caller always decides what "today" means.
    settings, policy
        Defaults: the bundled settings and policy model.
    date_order
        ``"DMY"`` or ``"MDY"`` when the inputs use slash dates.
    families
        Rule families to run (default: all of :data:`audit.rules.RULE_FAMILIES`).
    """
    settings = settings or load_settings()
    policy = policy or load_policy()
    inputs = load_inputs(Path(data_dir), date_order=date_order)
    ctx = AuditContext(inputs=inputs, policy=policy, settings=settings, as_of=as_of)
    findings = combine_findings([family(ctx) for family in (families or RULE_FAMILIES)])
    tables = {name: build(ctx) for name, build in TABLES.items()}
    tables["Policy"] = policy.activities
    tables["Input issues"] = inputs.issues
    return AuditResult(findings=findings, issues=inputs.issues, context=ctx, tables=tables)
