"""POL-01..04: the policy itself against the GDPR.

These rules need no spreadsheet: they judge what the policy promises, so a
DPO can fix the text before anyone audits practice against it. POL-01 reads
the policy text (an Art. 13 item is about what the person is told, wherever
in the text); POL-02..04 read the structured model. Like every rule they
take the audit context; :func:`policy_findings` runs them for a policy
alone (notebook 01, the tests), on a context with no inputs.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pandas as pd

from audit.errors import ReferenceDataError
from audit.inputs.model import PROVENANCE, Inputs
from audit.policy.model import PolicyModel, quote
from audit.policy.text import find_sentences
from audit.reference import i18n
from audit.reference.datafiles import reference
from audit.reference.settings import Settings
from audit.reference.vocab import data_categories, reveals, special_category_ids
from audit.rules.context import AuditContext
from audit.rules.registry import run_family

LEGITIMATE_INTERESTS = "legitimate_interests"
#: Memo key of the policy text POL-01 searches; :func:`policy_findings` may preset it to audit another text.
TEXT_MEMO = "policy_law.text"


@cache
def _art13() -> dict[str, dict[str, Any]]:
    items = reference("art13")["items"]
    for item_id, item in items.items():
        for pattern in item.get("all_of", []):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ReferenceDataError(f"art13.yaml: items.{item_id}: bad pattern {pattern!r} ({exc})") from None
    return items


@cache
def _art9() -> re.Pattern[str]:
    conditions = reference("art9")["conditions"]
    try:
        return re.compile("|".join(f"(?:{p})" for p in conditions.values()), flags=re.IGNORECASE)
    except re.error as exc:
        raise ReferenceDataError(f"art9.yaml: bad pattern ({exc})") from None


def _facts(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a facts frame; with no rows, an empty frame that still names the rule's ``columns``."""
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=[*columns, "evidence", "policy_clause"])


def _policy_text(ctx: AuditContext) -> str:
    """The policy text POL-01 searches: the model's own text unless :func:`policy_findings` gave another."""
    return ctx.memo(TEXT_MEMO, ctx.policy.text)


def art13_coverage(policy: PolicyModel, text: str | None = None) -> pd.DataFrame:
    """One row per Art. 13 item: covered, missing, not applicable or judged by another rule.

    The table behind POL-01, kept whole so the report can show what *is*
    covered too (a DPO needs the full checklist, not only the gaps).
    """
    text = policy.text() if text is None else text
    flat = re.sub(r"\s+", " ", text)
    used = {b for bases in policy.activities["legal_basis"] for b in bases}
    rows = []
    for item_id, item in _art13().items():
        if item.get("checked_by"):
            status = f"see {item['checked_by']}"
        elif item.get("applies_if_basis") and item["applies_if_basis"] not in used:
            status = "not applicable"
        else:
            found = all(re.search(p, flat, flags=re.IGNORECASE) for p in item["all_of"])
            status = "covered" if found else "missing"
        rows.append({"item": item_id, "article": item["article"], "text": item["text"], "status": status})
    return pd.DataFrame(rows, columns=["item", "article", "text", "status"])


def art13_gaps(ctx: AuditContext) -> pd.DataFrame:
    """POL-01: Art. 13 items the policy text never states, with the sentence that comes closest.

    ``missing`` is the item's own wording from ``art13.yaml`` (in a Swedish report its translation in ``wording.yaml``).
    """
    text = _policy_text(ctx)
    coverage = art13_coverage(ctx.policy, text)
    name = ctx.policy.source_path.name
    rows = []
    for item_id in coverage.loc[coverage["status"] == "missing", "item"]:
        item = _art13()[item_id]
        near = find_sentences(text, item["nearest"]) if item.get("nearest") else []
        rows.append(
            {
                "item": item_id,
                "article": item["article"],
                "missing": _missing_words(item_id, item["missing"], ctx.lang),
                "evidence": f"{name} › " + i18n.text("wording.evidence.whole_text", ctx.lang, article=item["article"]),
                "policy_clause": quote(*near[0]) if near else None,
            }
        )
    return _facts(rows, ["item", "article", "missing"])


def vague_retention(ctx: AuditContext) -> pd.DataFrame:
    """POL-02: policy activities whose retention statements give no period and no measurable event."""
    policy = ctx.policy
    vague = policy.retention[policy.retention["kind"] == "vague"]
    rows = []
    for pid, group in vague.groupby("policy_id", sort=True):
        sentences = list(dict.fromkeys(group["source"]))
        section = policy.section(pid)
        rows.append(
            {
                "policy_id": pid,
                "statements": len(sentences),
                "evidence": policy.where(pid),
                "policy_clause": " ".join(quote(section, s) for s in sentences),
            }
        )
    return _facts(rows, ["policy_id", "statements"])


def interest_not_named(ctx: AuditContext) -> pd.DataFrame:
    """POL-03: activities resting on legitimate interests without saying which interest.

    ``phases`` lists the phases (before, during, after a contract) that rest
    on it when the basis changes by phase; ``case`` is ``phased`` then.
    """
    policy = ctx.policy
    acts = policy.activities
    uses_li = acts["legal_basis"].map(lambda bases: LEGITIMATE_INTERESTS in bases)
    gap = acts[uses_li & acts["legitimate_interest"].isna()]
    phases = gap["legal_basis_by_phase"].map(
        lambda by: [p for p, bases in (by or {}).items() if LEGITIMATE_INTERESTS in bases]
    )
    return _facts(
        [
            {
                "policy_id": pid,
                "phases": ph,
                "case": "phased" if ph else "default",
                "evidence": policy.where(pid),
                "policy_clause": policy.clause_or_empty(pid, "legal_basis"),
            }
            for pid, ph in zip(gap["policy_id"], phases, strict=True)
        ],
        ["policy_id", "phases", "case"],
    )


def _enumeration(name: str, words: list[str]) -> dict[str, Any]:
    """Facts for a list a sentence enumerates: a phrase key by its length, all but the last item, the last.

    ``<name>_form`` is ``<name>_none``, ``<name>_one`` or ``<name>_several``;
    the catalogue's phrase for it holds the conjunction ("or", "and"), so
    the code joins no words.
    """
    form = "none" if not words else "one" if len(words) == 1 else "several"
    return {f"{name}_form": f"{name}_{form}", f"{name}_rest": words[:-1], f"{name}_last": words[-1] if words else ""}


def _missing_words(item_id: str, english: str, lang: str) -> str:
    """What a policy lacks for an Art. 13 item: ``art13.yaml``'s sentence, or its translation in ``wording.yaml``."""
    key = f"wording.art13.{item_id}"
    return i18n.text(key, lang) if lang != "en" and i18n.has_text(key) else english


def _special_label(category: str, lang: str) -> str:
    """An Art. 9 category in a sentence: its label in ``lang`` from ``data_categories.yaml``.

    The English label is lowered, as it stands inside a sentence ("can
    reveal health"); the Swedish report keeps the policy's word as written
    ("Hälsa"), as it always has.
    """
    shown = data_categories().label(category, lang)
    return shown if lang == "sv" else shown.lower()


def special_category_without_condition(ctx: AuditContext) -> pd.DataFrame:
    """POL-04: in-scope activities collecting data that is (or can reveal) Art. 9 data, with no Art. 9(2) condition.

    A condition counts when the activity's legal-basis, data or purpose text
    matches a pattern of ``art9.yaml``.
    """
    sensitive = {**reveals(), **{c: [c] for c in special_category_ids()}}
    acts = ctx.policy.activities[ctx.policy.activities["in_scope"]]
    pairs = acts[["policy_id", "data_categories", "legal_basis", "legal_basis_text", "data_categories_text", "purpose"]]
    pairs = pairs.explode("data_categories").dropna(subset=["data_categories"])
    pairs = pairs[pairs["data_categories"].isin(list(sensitive))]
    bullets = pairs[["legal_basis_text", "data_categories_text", "purpose"]].fillna("").agg(" ".join, axis=1)
    gap = pairs[~bullets.map(lambda text: _art9().search(text) is not None)]
    cats = data_categories()
    rows = [
        {
            "policy_id": pid,
            "category": cat,
            "category_label": cats.label(cat, ctx.lang),
            **_enumeration("reveals", [_special_label(s, ctx.lang) for s in sensitive[cat]]),
            **_enumeration("bases", [i18n.label("wording.legal_basis", b, ctx.lang) for b in basis]),
            "evidence": ctx.policy.where(pid),
            "policy_clause": ctx.policy.clause_or_empty(pid, "data_categories"),
        }
        for pid, cat, basis in zip(gap["policy_id"], gap["data_categories"], gap["legal_basis"], strict=True)
    ]
    return _facts(rows, ["policy_id", "category", "category_label"])


def policy_context(policy: PolicyModel, settings: Settings, text: str | None = None, lang: str = "en") -> AuditContext:
    """A context for auditing ``policy`` alone: no inputs, judged as of the policy's own version date.

    A policy that gives no version date is judged as of the model's ``date``.

    ``text`` replaces the policy text POL-01 searches, so a test can audit a
    variant of the wording without writing a policy model for it; ``lang``
    is the language the findings are worded in.
    """
    empty = pd.DataFrame(columns=PROVENANCE)
    inputs = Inputs(activities=empty, systems=empty, vendors=empty, requests=empty, disclosures=empty)
    as_of = policy.version or policy.raw["date"]
    ctx = AuditContext(inputs=inputs, policy=policy, settings=settings, as_of=as_of, lang=i18n.check_language(lang))
    if text is not None:
        ctx.memo(TEXT_MEMO, lambda: text)
    return ctx


def policy_findings(policy: PolicyModel, settings: Settings, text: str | None = None, lang: str = "en") -> pd.DataFrame:
    """Findings of POL-01..04 for ``policy``, with no data folder (notebook 01, the tests).

    Parameters
    ----------
    policy
        The policy model.
    settings
        Severities.
    text
        The policy text POL-01 searches; default: the text the model was taken from.
    lang
        The report language the findings are worded in (``en``, ``sv``): notebook 01
        passes its own, so the policy's findings read as the rest of its report.
    """
    return run_family(policy_context(policy, settings, text, lang), "POL")
