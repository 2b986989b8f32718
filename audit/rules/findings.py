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
phrases joined with ``"; "``); ``{field:@group}`` shows a code by its label
in ``data/reference/messages/wording.yaml`` (so no sentence shows
``legitimate_interests``); any other spec is a normal format spec, rendered
by Babel in a Swedish report (``3 400``, ``2,5``).

The words come in the report's language (``AuditContext.lang``): English
from ``rules.yaml``, Swedish from ``rules.sv.yaml``. The subject is always
filled from the English catalogue, so ``finding_id`` is the same whichever
language a run is in. Evidence cites a column by the header the DPO wrote
(:func:`cite_column`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from audit.errors import ReferenceDataError
from audit.reference import i18n
from audit.reference.catalogue import CATALOGUE_FILE, RuleWords, catalogue, not_run_words, rule_words

if TYPE_CHECKING:
    from audit.inputs.model import Inputs
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


#: A number format spec of the templates (``{n:,}``, ``{share:.1f}``), rendered by Babel outside English.
NUMBER_SPEC = re.compile(r"^(?P<comma>,)?(?:\.(?P<decimals>\d+)f)?$")
#: The catalogue group a ``{field:@group}`` spec labels codes from (``wording.legal_basis.consent``).
LABEL_GROUP = "wording"


class _Wording(string.Formatter):
    """Fills a rule's templates in one language.

    ``{field:phrase}`` renders the rule's own phrases; ``{field:@group}``
    shows a code (or a list of codes) by its label in
    ``data/reference/messages/wording.yaml`` (``{bases:@legal_basis}`` gives
    "legitimate interests" / "berättigat intresse", never
    ``legitimate_interests``); a number spec (``{n:,}``, ``{share:.1f}``)
    follows the language's conventions ("1 234,5" in Swedish).
    """

    def __init__(self, rule_id: str, spec: RuleWords, lang: str = "en") -> None:
        self.rule_id = rule_id
        self.spec = spec
        self.lang = lang
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
        if format_spec.startswith("@"):
            group = f"{LABEL_GROUP}.{format_spec[1:]}"
            codes = value if isinstance(value, list | tuple | np.ndarray) else [value]
            return ", ".join(i18n.label(group, plain(c), self.lang) for c in codes if plain(c))
        number = NUMBER_SPEC.match(format_spec) if format_spec and self.lang != "en" else None
        if number and isinstance(value, int | float | np.number) and not isinstance(value, bool):
            decimals = number["decimals"]
            return i18n.number(float(value), self.lang, int(decimals) if decimals is not None else 0)
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
        ``policy_version`` for the templates, ``lang`` for the words
        (``subject`` and ``finding_id`` are the same in every language, so a
        DPO's comments follow a finding whichever language a run is in).

    Raises
    ------
    ReferenceDataError
        When a template names a fact the rule does not return (a catalogue
        edit that does not match the code), naming the rule and the field.
    """
    if facts.empty:
        return empty_findings()
    spec = catalogue().rules[rule_id]
    said = rule_words(rule_id, ctx.lang)
    words = _Wording(rule_id, said, ctx.lang)
    # The subject is worded in English whatever the report's language: finding_id hashes it.
    subject_words = _Wording(rule_id, spec, "en")
    base = {"as_of": ctx.as_of, "policy_version": ctx.policy.version, "settings": ctx.settings}
    rows = facts.to_dict("records")
    subjects, details, recommendations = [], [], []
    for row in rows:
        fields = {**base, **row}
        case = row.get("case")
        subjects.append(subject_words.fill(spec.subject, fields))
        details.append(words.fill(said.wording("detail", case), fields))
        recommendations.append(words.fill(said.wording("recommendation", case), fields))
    out = pd.DataFrame(
        {
            "rule": rule_id,
            "severity": ctx.settings.severity(rule_id),
            "area": catalogue().area(rule_id),
            "title": said.title,
            "subject": subjects,
        }
    )
    for col in CARRIED:
        out[col] = facts[col].astype("object").to_numpy() if col in facts else None
    out["detail"] = details
    out["article"] = said.article
    out["recommendation"] = recommendations
    out["finding_id"] = [finding_id(rule_id, s) for s in subjects]
    out = out.astype("object").where(out.notna(), None)
    return out[FINDING_COLUMNS].reset_index(drop=True)


def not_run_wording(rule_id: str, missing: Sequence[str], lang: str = "en") -> dict[str, str]:
    """The ``title``, ``detail``, ``recommendation`` and ``article`` of a rule that could not run, in ``lang``.

    ``missing`` are the policy parts it needs and the policy lacks; their
    reasons (``policy_parts``) are joined with ``"; "``.
    """
    words, reasons = not_run_words(lang)
    fields = {"rule": rule_id, "reasons": "; ".join(reasons[part] for part in missing)}
    said = rule_words(rule_id, lang)
    return {
        "title": said.title,
        "detail": words.detail.format(**fields),
        "recommendation": words.recommendation.format(**fields),
        "article": said.article,
    }


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


def headers_of(frame: pd.DataFrame, inputs: Inputs, column: str) -> pd.Series:
    """Per row of ``frame``: the header its sheet gave ``column``, as the DPO wrote it.

    A column the sheet does not have is named in words (``security measures``),
    never by its internal name, since no header exists to quote.
    """
    if frame.empty:
        return pd.Series(dtype="object", index=frame.index)
    table = inputs.headers[inputs.headers["column"] == column].drop_duplicates(["file", "sheet"])
    keys = frame[["src_file", "src_sheet"]].astype(str)
    found = keys.merge(table, left_on=["src_file", "src_sheet"], right_on=["file", "sheet"], how="left")["header"]
    return pd.Series(found.to_numpy(), index=frame.index, dtype="object").fillna(column.replace("_", " "))


def cite_column(frame: pd.DataFrame, ctx: AuditContext, *columns: str) -> pd.Series:
    """Evidence ``file › sheet › row N, column <header>`` naming each cited column by the DPO's own header.

    A finding cites ``Mottagare`` where the DPO's register says so, never the
    audit's internal name ``recipients``; the word "column" (or "kolumn",
    "columns") is in the report's language. The ``file › sheet › row N``
    prefix is :func:`cite`'s, unchanged, so a hyperlink can be built from it.
    """
    if frame.empty:
        return pd.Series(dtype="object", index=frame.index)
    names = [headers_of(frame, ctx.inputs, col) for col in columns]
    joined = names[0]
    for more in names[1:]:
        joined = joined + ", " + more
    word = i18n.text("wording.evidence.column" if len(columns) == 1 else "wording.evidence.columns", ctx.lang)
    return cite(frame) + ", " + word + " " + joined
