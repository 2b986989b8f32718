"""The findings table: one row per gap, the same shape for every rule.

A rule returns *facts*: one row per gap, with the ids, numbers, dates and
texts from the data (and ``evidence``, ``policy_clause`` and whichever of
``activity_id``, ``system_id``, ``vendor`` apply). :func:`findings_from_facts`
turns them into findings with the rule's catalogue entry: the subject, the
detail sentence and the recommendation are templates in
``data/reference/rules.yaml`` filled from the facts, the title, area and
article come from there too, the severity from the settings, and the stable
``finding_id`` (a hash of rule + subject) lets a DPO's status and comments
follow a gap from one run to the next. Wording therefore lives in one data
file, ready for a report in another language.

Template placeholders are Python format fields over the facts plus
``as_of``, ``policy_version`` and ``settings``. Values are written as a DPO
reads them: dates as ``YYYY-MM-DD``, whole floats without ``.0``, lists
joined with ``", "``, missing values as nothing. ``{field:phrase}`` renders
the rule's ``phrases`` entry named by the fact (a list of names gives the
phrases joined with ``"; "``); any other spec is a normal format spec.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from audit.errors import ReferenceDataError
from audit.reference.catalogue import CATALOGUE_FILE, RuleSpec, catalogue

if TYPE_CHECKING:
    from audit.rules.context import AuditContext

#: The columns of every findings table and of ``findings.csv``, with what each holds (docs/report.md).
FINDING_COLUMN_DOCS = {
    "finding_id": "stable id: a hash of rule and subject, the same in every run",
    "rule": "rule id, e.g. `RET-03` (docs/rules.md)",
    "severity": "`high`, `medium`, `low` or `info` (settings)",
    "area": "the rule's area, e.g. Retention",
    "title": "what the rule checks",
    "subject": "what the finding is about, in the rule's subject format",
    "activity_id": "the register activity concerned, if any",
    "system_id": "the system concerned, if any",
    "vendor": "the vendor or recipient concerned, if any",
    "detail": "one plain sentence with the facts and numbers",
    "evidence": "where the facts come from: file › sheet › row, and the column",
    "policy_clause": "the policy sentence the finding rests on, quoted with its section",
    "article": "the GDPR article (or policy section) the rule rests on",
    "recommendation": "what to do about it",
}
FINDING_COLUMNS = list(FINDING_COLUMN_DOCS)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def finding_id(rule: str, subject: str) -> str:
    """A stable id for the gap ``rule`` × ``subject``.

    A hash rather than a row number, so reordering input rows or adding
    other findings never changes the id a DPO has annotated.
    """
    digest = hashlib.sha1(f"{rule}\x1f{subject}".encode()).hexdigest()[:10]
    return f"{rule}-{digest}"


def empty_findings() -> pd.DataFrame:
    """A findings frame with the standard columns and no rows."""
    return pd.DataFrame({col: pd.Series(dtype="object") for col in FINDING_COLUMNS})


#: Fact columns copied into the finding as they are.
CARRIED = ("activity_id", "system_id", "vendor", "evidence", "policy_clause")


def plain(value: object) -> str:
    """A fact value as a DPO reads it in a sentence."""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(plain(v) for v in value)
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


class _Wording(string.Formatter):
    """Fills a rule's templates; ``phrase`` specs render the rule's own phrases."""

    def __init__(self, rule_id: str, spec: RuleSpec) -> None:
        self.rule_id = rule_id
        self.spec = spec
        self.fields: Mapping[str, Any] = {}

    def fill(self, template: str, fields: Mapping[str, Any]) -> str:
        self.fields = fields
        try:
            return self.vformat(template, (), fields)
        except (KeyError, AttributeError) as exc:
            raise ReferenceDataError(
                f"{CATALOGUE_FILE}: {self.rule_id}: template {template!r} names {exc}, which its facts lack"
            ) from None

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "phrase":
            keys = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
            missing = [k for k in keys if k and k not in self.spec.phrases]
            if missing:
                raise ReferenceDataError(f"{CATALOGUE_FILE}: {self.rule_id}: no phrase {missing[0]!r}")
            return "; ".join(self.vformat(self.spec.phrases[k], (), self.fields) for k in keys if k)
        if format_spec:
            return format(value, format_spec)
        return plain(value)


def findings_from_facts(rule_id: str, facts: pd.DataFrame, ctx: AuditContext) -> pd.DataFrame:
    """The findings of ``rule_id``: its catalogue entry filled from each row of ``facts``.

    Parameters
    ----------
    rule_id
        A rule of ``data/reference/rules.yaml``.
    facts
        One row per gap; the columns its templates name, an optional
        ``case`` (which of the rule's worded cases applies) and the carried
        columns :data:`CARRIED`.
    ctx
        The audit's context: severity from the settings, ``as_of`` and
        ``policy_version`` for the templates.

    Raises
    ------
    ReferenceDataError
        When a template names a fact the rule does not return (a catalogue
        edit that does not match the code), naming the rule and the field.
    """
    if facts.empty:
        return empty_findings()
    spec = catalogue().rules[rule_id]
    words = _Wording(rule_id, spec)
    base = {"as_of": ctx.as_of, "policy_version": ctx.policy.version, "settings": ctx.settings}
    rows = facts.to_dict("records")
    subjects, details, recommendations = [], [], []
    for row in rows:
        fields = {**base, **row}
        case = row.get("case")
        subjects.append(words.fill(spec.subject, fields))
        details.append(words.fill(spec.wording("detail", case), fields))
        recommendations.append(words.fill(spec.wording("recommendation", case), fields))
    out = pd.DataFrame(
        {
            "rule": rule_id,
            "severity": ctx.settings.severity(rule_id),
            "area": catalogue().area(rule_id),
            "title": spec.title,
            "subject": subjects,
        }
    )
    for col in CARRIED:
        out[col] = facts[col].astype("object").to_numpy() if col in facts else None
    out["detail"] = details
    out["article"] = spec.article
    out["recommendation"] = recommendations
    out["finding_id"] = [finding_id(rule_id, s) for s in subjects]
    out = out.astype("object").where(out.notna(), None)
    return out[FINDING_COLUMNS].reset_index(drop=True)


def combine_findings(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate rule outputs, ordered by severity, rule and subject."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_findings()
    out = pd.concat(frames, ignore_index=True)
    order = out["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
    out = out.assign(_o=order).sort_values(["_o", "rule", "subject"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


def cite(frame: pd.DataFrame) -> pd.Series:
    """Evidence strings ``file › sheet › row N`` for loaded input rows.

    Relies on the provenance columns every loader adds (``src_file``,
    ``src_sheet``, ``src_row``).
    """
    return (
        frame["src_file"].astype(str)
        + " › "
        + frame["src_sheet"].astype(str)
        + " › row "
        + frame["src_row"].astype(str)
    )
