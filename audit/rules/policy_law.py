"""POL-01..04: the policy itself against the GDPR.

These rules need no spreadsheet: they judge what the policy promises, so a
DPO can fix the text before anyone audits practice against it. POL-01 reads
the policy text (an Art. 13 item is about what the person is told, wherever
in the text); POL-02..04 read the structured model.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pandas as pd

from audit.errors import ReferenceDataError
from audit.policy.model import PolicyModel, quote
from audit.policy.text import find_sentences, split_sections
from audit.reference.datafiles import reference
from audit.reference.settings import Settings
from audit.reference.vocab import data_categories, reveals, special_category_ids
from audit.rules.context import AuditContext
from audit.rules.findings import combine_findings, make_findings

LEGITIMATE_INTERESTS = "legitimate_interests"


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


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subject", "detail", "evidence", "policy_clause"])


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


def _pol01(policy: PolicyModel, settings: Settings, text: str | None) -> pd.DataFrame:
    text = policy.text() if text is None else text
    coverage = art13_coverage(policy, text)
    missing = coverage[coverage["status"] == "missing"]
    sections = split_sections(text)
    name = policy.source_path.name
    rows = []
    for item_id in missing["item"]:
        item = _art13()[item_id]
        near = find_sentences(sections, item["nearest"]) if item.get("nearest") else []
        rows.append(
            {
                "subject": f"art13:{item_id}",
                "detail": f"{item['article']}: {item['missing']}",
                "evidence": f"{name} › whole text (no wording found for {item['article']})",
                "policy_clause": quote(*near[0]) if near else None,
            }
        )
    return make_findings("POL-01", _frame(rows), settings)


def _pol02(policy: PolicyModel, settings: Settings) -> pd.DataFrame:
    vague = policy.retention[policy.retention["kind"] == "vague"]
    rows = []
    for pid, group in vague.groupby("policy_id", sort=True):
        sentences = list(dict.fromkeys(group["source"]))
        section = next(a["section"] for a in policy.raw["activities"] if a["id"] == pid)
        rows.append(
            {
                "subject": pid,
                "detail": f"{pid}: {len(sentences)} retention statement(s) give no period and no measurable event, "
                "so no deletion date can be derived or audited.",
                "evidence": policy.where(pid),
                "policy_clause": " ".join(quote(section, s) for s in sentences),
            }
        )
    return make_findings("POL-02", _frame(rows), settings)


def _pol03(policy: PolicyModel, settings: Settings) -> pd.DataFrame:
    acts = policy.activities
    uses_li = acts["legal_basis"].map(lambda bases: LEGITIMATE_INTERESTS in bases)
    gap = acts[uses_li & acts["legitimate_interest"].isna()]
    phase = gap["legal_basis_by_phase"].map(
        lambda by: ", ".join(p for p, bases in (by or {}).items() if LEGITIMATE_INTERESTS in bases)
    )
    rows = [
        {
            "subject": pid,
            "detail": f"{pid} rests on legitimate interests{f' ({ph} phase)' if ph else ''} "
            "but the policy does not say which interest is pursued.",
            "evidence": policy.where(pid),
            "policy_clause": policy.clause(pid, "legal_basis"),
        }
        for pid, ph in zip(gap["policy_id"], phase, strict=True)
    ]
    return make_findings("POL-03", _frame(rows), settings)


def _pol04(policy: PolicyModel, settings: Settings) -> pd.DataFrame:
    sensitive = {**reveals(), **{c: [c] for c in special_category_ids()}}
    acts = policy.activities[policy.activities["in_scope"]]
    pairs = acts[["policy_id", "data_categories", "legal_basis", "legal_basis_text", "data_categories_text", "purpose"]]
    pairs = pairs.explode("data_categories").dropna(subset=["data_categories"])
    pairs = pairs[pairs["data_categories"].isin(list(sensitive))]
    bullets = pairs[["legal_basis_text", "data_categories_text", "purpose"]].fillna("").agg(" ".join, axis=1)
    stated = bullets.map(lambda text: _art9().search(text) is not None)
    gap = pairs[~stated]
    cats = data_categories()
    rows = []
    for pid, cat, basis in zip(gap["policy_id"], gap["data_categories"], gap["legal_basis"], strict=True):
        what = " or ".join(s.replace("_", " ") for s in sensitive[cat])
        on = " and ".join(b.replace("_", " ") for b in basis) or "no stated basis"
        rows.append(
            {
                "subject": f"{pid}:{cat}",
                "detail": f"{pid} collects {cats.label(cat)} ({cat}), which can reveal {what}, "
                f"on {on} (Art. 6) alone, with no Art. 9(2) condition stated.",
                "evidence": policy.where(pid),
                "policy_clause": policy.clause(pid, "data_categories"),
            }
        )
    return make_findings("POL-04", _frame(rows), settings)


def check_policy_law(policy: PolicyModel, settings: Settings, text: str | None = None) -> pd.DataFrame:
    """Findings of POL-01..04 for ``policy``.

    Parameters
    ----------
    policy
        The policy model.
    settings
        Severities.
    text
        The policy text POL-01 searches; default: the text the model was taken from.
    """
    return combine_findings(
        [_pol01(policy, settings, text), _pol02(policy, settings), _pol03(policy, settings), _pol04(policy, settings)]
    )


def policy_vs_law(ctx: AuditContext) -> pd.DataFrame:
    """POL-01..04: the policy itself against GDPR Art. 13 and Art. 9."""
    return check_policy_law(ctx.policy, ctx.settings)
