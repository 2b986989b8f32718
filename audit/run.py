"""Running the whole audit: load, check every rule family, collect findings.

The command line, the notebooks and the tests all call :func:`run_audit`, so
there is exactly one way an audit is produced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from audit.inputs import load_inputs
from audit.inputs.model import Inputs
from audit.policy.model import PolicyModel, load_policy, load_policy_from
from audit.records.progress import Progress
from audit.reference.i18n import check_language
from audit.reference.settings import SEVERITIES, Settings, load_settings
from audit.rules.context import AuditContext
from audit.rules.registry import build_tables, run_rules


@dataclass
class AuditResult:
    """Everything an audit produced, for the reports and the notebooks."""

    findings: pd.DataFrame
    issues: pd.DataFrame
    context: AuditContext
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Warnings the run gives without failing (a policy text changed since its model was reviewed).
    warnings: list[str] = field(default_factory=list)

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
    policy: PolicyModel | Path | str | None = None,
    date_order: str | None = None,
    rules: Iterable[str] | None = None,
    lang: str = "en",
    progress: Progress | None = None,
) -> AuditResult:
    """Load ``data_dir`` and run every rule family at ``as_of``.

    Parameters
    ----------
    data_dir
        A folder laid out as in ``docs/inputs.md``.
    as_of
        The date every date rule is evaluated at; never defaulted here, so
        a caller always decides what "today" means.
    settings, policy
        Defaults: the bundled settings and policy model; ``policy`` may also be
        a model file or a policy text (see :func:`policy_or_default`).
    date_order
        ``"DMY"`` or ``"MDY"`` when the inputs use slash dates.
    rules
        Rule ids to run (default: every rule of the catalogue).
    lang
        The language the findings are worded in (``en`` or ``sv``); the
        command line and the notebooks default to the policy's
        (:func:`report_language`).
    progress
        Told after each record extract is read (the command line prints a
        line, a notebook draws a bar): a large scan shows that it moves.
    """
    settings = settings or load_settings()
    policy = policy_or_default(policy)
    inputs = load_inputs(Path(data_dir), date_order=date_order, engine=settings.engine(), progress=progress)
    ctx = AuditContext(inputs=inputs, policy=policy, settings=settings, as_of=as_of, lang=check_language(lang))
    findings = run_rules(ctx, rules)
    tables = build_tables(ctx)
    warnings = [w for w in (policy.drift_warning(),) if w]
    return AuditResult(findings=findings, issues=inputs.issues, context=ctx, tables=tables, warnings=warnings)


def report_language(lang: str | None, settings: Settings, policy: PolicyModel) -> str:
    """The report's language: ``lang`` if given, else the settings', else the policy's own language."""
    return check_language(lang or settings.lang or policy.language)


def policy_or_default(policy: PolicyModel | Path | str | None) -> PolicyModel:
    """The policy to audit against: a model, a model file or policy text (:func:`load_policy_from`), or the bundled one.

    Notebooks pass their ``policy`` parameter (``None`` for the bundled model) through this.
    """
    if isinstance(policy, PolicyModel):
        return policy
    return load_policy_from(policy) if policy else load_policy()
