"""What changed between two policy models, and which changes are material.

A DPO must re-inform people (Art. 13(3)) and review the register when a new
policy version processes more: a new activity, purpose, data category,
recipient category, legal basis or transfer ground, or a longer retention.
Those changes are *material*; removals, shorter periods and reworded
sentences are listed as changes but are not material.

Activities are matched by id; an activity whose id is in only one model is
matched to one of the other model by title (rapidfuzz), since a re-parsed
policy without ``--ids-from`` gets slugs for ids.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from audit.policy.export import activity_json, anchor_words, plain, transfer_grounds

COLUMNS = ["change", "activity", "title", "field", "old", "new", "material", "why"]
TITLE_MATCH = 85.0
"""rapidfuzz ``token_sort_ratio`` at or above which two titles are the same activity: high enough that
two different activities of one policy ("När du deltar under våra event" / "... utbildningar", 72) stay
apart, low enough that a reworded or re-punctuated title still matches."""
REFERENCE_DATE = pd.Timestamp("2000-01-01")
"""Fixed date periods are added to, to compare them (P1M vs P30D) in calendar terms."""
_HOURS = re.compile(r"^PT(\d+)H$")

LIST_FIELDS = {
    "purposes": "a new purpose",
    "data_categories": "a new data category",
    "legal_bases": "a new legal basis",
    "recipients": "a new recipient category",
}


def _row(change: str, activity: object, title: object, field: str, old: object, new: object, material: bool, why: str):
    return {
        "change": change,
        "activity": activity,
        "title": title,
        "field": field,
        "old": old,
        "new": new,
        "material": material,
        "why": why,
    }


# --- periods --------------------------------------------------------------------------------------


def period_end(period: object) -> pd.Timestamp | None:
    """Where ``period`` ends counted from :data:`REFERENCE_DATE`; ``None`` when it is no ISO period."""
    from audit.reference.durations import period_to_offset

    if not period:
        return None
    hours = _HOURS.match(str(period))
    if hours:
        return REFERENCE_DATE + pd.Timedelta(hours=int(hours.group(1)))
    try:
        return REFERENCE_DATE + period_to_offset(str(period))
    except ValueError:
        return None


def _rule_text(rule: dict[str, Any]) -> str:
    kind = rule.get("kind")
    anchor = anchor_words(rule.get("anchor"))
    if kind == "period":
        return f"{rule.get('period')} from {anchor}" if anchor else str(rule.get("period"))
    if kind == "until":
        return f"until {anchor}"
    return str(kind)


def _rules(activity: dict[str, Any]) -> dict[object, list[dict[str, Any]]]:
    """An activity's retention rules per part (``applies_to``; ``None`` for the whole activity)."""
    out: dict[object, list[dict[str, Any]]] = {}
    for rule in (activity.get("retention") or {}).get("rules") or []:
        out.setdefault(rule.get("applies_to"), []).append(rule)
    return out


def _longest(rules: list[dict[str, Any]]) -> pd.Timestamp | None:
    ends = [period_end(r.get("period")) for r in rules if r.get("kind") == "period"]
    known = [e for e in ends if e is not None]
    return max(known) if known else None


def retention_change(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[bool, str] | None:
    """Whether a change of retention rules is material, and why; ``None`` when the rules say the same.

    Periods compare by where they end from a fixed date. A period replacing
    an event (``until``) or a vague or per-contract statement is judged
    material: the new text sets a limit the old one did not, which may keep
    data longer than the event would have (and the DPO should check it);
    a vague statement replacing a period is material too (no limit any more).
    """
    old_texts, new_texts = [_rule_text(r) for r in old], [_rule_text(r) for r in new]
    if old_texts == new_texts:
        return None
    old_end, new_end = _longest(old), _longest(new)
    old_kinds, new_kinds = {r.get("kind") for r in old}, {r.get("kind") for r in new}
    if old_end is not None and new_end is not None and old_kinds == new_kinds == {"period"}:
        if new_end > old_end:
            return True, "a longer retention"
        if new_end < old_end:
            return False, "a shorter retention"
        return False, "the same length counted differently"
    if "vague" in new_kinds - old_kinds:
        return True, "a retention without a measurable limit"
    if new_end is not None and old_end is None:
        return True, "a period replaces an event or vague statement (judged material: check it is not longer)"
    if new_end is not None and old_end is not None and new_end > old_end:
        return True, "a longer retention"
    return False, "retention reworded or shortened"


# --- matching activities ---------------------------------------------------------------------------


def match_activities(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """Pairs (old activity or ``None``, new activity or ``None``): by id, then by title similarity."""
    from rapidfuzz import fuzz

    old_by_id = {a["id"]: a for a in old}
    new_ids = {a["id"] for a in new}
    pairs: list[tuple[Any, Any]] = []
    unmatched_old = [a for a in old if a["id"] not in new_ids]
    for act in new:
        if act["id"] in old_by_id:
            pairs.append((old_by_id[act["id"]], act))
            continue
        scores = [(fuzz.token_sort_ratio(str(o.get("title")), str(act.get("title"))), o) for o in unmatched_old]
        best = max(scores, key=lambda s: s[0], default=None)
        if best is not None and best[0] >= TITLE_MATCH:
            unmatched_old.remove(best[1])
            pairs.append((best[1], act))
        else:
            pairs.append((None, act))
    pairs += [(o, None) for o in unmatched_old]
    return pairs


# --- comparing -------------------------------------------------------------------------------------


def _facts(activity: dict[str, Any]) -> dict[str, list[str]]:
    flat = activity_json(activity)
    return {name: list(flat[name]) for name in LIST_FIELDS}


def _list_rows(aid: object, title: object, field: str, old: list[str], new: list[str], gained: str) -> list[dict]:
    rows = []
    if field == "purposes" and old and new and old != new:
        return [_row("changed", aid, title, field, "; ".join(old), "; ".join(new), True, "a new purpose")]
    for item in new:
        if item not in old:
            rows.append(_row("added", aid, title, field, None, item, True, gained))
    for item in old:
        if item not in new:
            rows.append(_row("removed", aid, title, field, item, None, False, "removed: less processing"))
    return rows


def activity_rows(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The changes of one matched pair of activities."""
    if old is None:
        assert new is not None
        return [_row("added", new["id"], new.get("title"), "activity", None, new["id"], True, "a new activity")]
    if new is None:
        return [_row("removed", old["id"], old.get("title"), "activity", old["id"], None, False, "activity removed")]
    aid, title = new["id"], new.get("title")
    rows = []
    if old["id"] != aid:
        rows.append(_row("changed", aid, title, "id", old["id"], aid, False, "matched by title"))
    if old.get("title") != title:
        rows.append(_row("changed", aid, title, "title", old.get("title"), title, False, "title reworded"))
    old_facts, new_facts = _facts(old), _facts(new)
    for field, gained in LIST_FIELDS.items():
        rows += _list_rows(aid, title, field, old_facts[field], new_facts[field], gained)
    old_rules, new_rules = _rules(old), _rules(new)
    for part in dict.fromkeys([*old_rules, *new_rules]):
        before, after = old_rules.get(part, []), new_rules.get(part, [])
        judged = retention_change(before, after)
        if judged is not None:
            field = "retention" if part is None else f"retention ({part})"
            old_text = "; ".join(_rule_text(r) for r in before) or None
            new_text = "; ".join(_rule_text(r) for r in after) or None
            rows.append(_row("changed", aid, title, field, old_text, new_text, *judged))
    return rows


def _id_list_rows(field: str, old: list[str], new: list[str], material_why: str | None) -> list[dict]:
    rows = []
    for item in new:
        if item not in old:
            why = material_why or f"{field} added"
            rows.append(_row("added", "*", None, field, None, item, material_why is not None, why))
    for item in old:
        if item not in new:
            rows.append(_row("removed", "*", None, field, item, None, False, f"{field} removed"))
    return rows


def _section(model: dict[str, Any], key: str, items: str) -> list[Any]:
    part = model.get(key) or {}
    return list(part.get(items) or []) if isinstance(part, dict) else []


def model_rows(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Changes of the sections that apply to the whole policy (``activity`` ``*``)."""
    rows = _id_list_rows("transfer_grounds", transfer_grounds(old), transfer_grounds(new), "a new transfer ground")
    sharing = [[str(r["category"]) for r in _section(m, "sharing", "recipients")] for m in (old, new)]
    rows += _id_list_rows("sharing", sharing[0], sharing[1], "a new recipient category")
    companies = [[str(n) for n in _section(m, "group_companies", "names")] for m in (old, new)]
    rows += _id_list_rows("group_companies", companies[0], companies[1], "a new recipient (group company)")
    promises = [[str(p["id"]) for p in _section(m, "security_promises", "promises")] for m in (old, new)]
    rows += _id_list_rows("security_promises", promises[0], promises[1], None)
    deadlines = [(m.get("request_deadline") or {}).get("period") for m in (old, new)]
    if deadlines[0] != deadlines[1]:
        ends = [period_end(d) for d in deadlines]
        longer = None not in ends and ends[1] > ends[0]  # type: ignore[operator]
        why = "a longer request deadline" if longer else "request deadline changed"
        rows.append(_row("changed", "*", None, "request_deadline", deadlines[0], deadlines[1], False, why))
    old_version, new_version = plain(old.get("version")), plain(new.get("version"))
    if old_version != new_version:
        rows.append(_row("changed", "*", None, "version", old_version, new_version, False, "policy version"))
    return rows


def art13_rows(old: dict[str, bool] | None, new: dict[str, bool] | None) -> list[dict[str, Any]]:
    """Art. 13 items covered in one model and not the other."""
    if not old or not new:
        return []
    rows = []
    for item in dict.fromkeys([*old, *new]):
        before, after = bool(old.get(item)), bool(new.get(item))
        if after and not before:
            rows.append(
                _row("added", "*", None, f"art13 {item}", "missing", "covered", False, "Art. 13 item now covered")
            )
        elif before and not after:
            why = "Art. 13 item no longer covered (the policy lacks mandatory information)"
            rows.append(_row("removed", "*", None, f"art13 {item}", "covered", "missing", False, why))
    return rows


def diff_models(
    old: dict[str, Any],
    new: dict[str, Any],
    old_art13: dict[str, bool] | None = None,
    new_art13: dict[str, bool] | None = None,
) -> pd.DataFrame:
    """Every change from ``old`` to ``new`` (``policy.yaml`` mappings), one row each (:data:`COLUMNS`).

    ``old_art13``/``new_art13`` (item -> covered, :func:`audit.policy.export.art13_flags`) add the
    Art. 13 items gained or lost; without both, they are not compared.
    """
    rows = []
    for before, after in match_activities(list(old.get("activities") or []), list(new.get("activities") or [])):
        rows += activity_rows(before, after)
    rows += model_rows(old, new)
    rows += art13_rows(old_art13, new_art13)
    return pd.DataFrame(rows, columns=COLUMNS).astype({"material": bool})


def summary_line(changes: pd.DataFrame) -> str:
    """``N changes, M material``."""
    return f"{len(changes)} changes, {int(changes['material'].sum())} material"
