"""The policy model as plain JSON for other tools (``python -m audit policy PATH --json``).

The shape is a contract: fields may be added, none renamed. Ids stay the
model's (legal bases, recipient categories, transfer grounds); retention
anchors are given in a few English words (``anchors.yaml`` ``words``) so a
reader needs no reference file to understand "P7Y from end of contract".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from audit.reference.datafiles import reference


def anchor_words(anchor: object) -> str | None:
    """A retention anchor id in plain English words (``contract_end`` -> ``end of contract``)."""
    if anchor is None:
        return None
    spec = reference("anchors")["anchors"].get(str(anchor))
    return str(spec["words"]) if spec else str(anchor).replace("_", " ")


def plain(value: Any) -> Any:
    """``value`` with dates as ISO strings, recursively (JSON and the hidden workbook sheet need it)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _ids(part: object) -> list[str]:
    return list(part.get("ids") or []) if isinstance(part, dict) else []


def _retention(activity: dict[str, Any]) -> list[dict[str, Any]]:
    rules = (activity.get("retention") or {}).get("rules") or []
    return [
        {
            "text": rule.get("sentence"),
            "period": rule.get("period"),
            "anchor": anchor_words(rule.get("anchor")),
            "kind": rule.get("kind"),
            "applies_to": rule.get("applies_to"),
        }
        for rule in rules
    ]


def activity_json(activity: dict[str, Any]) -> dict[str, Any]:
    """One activity of the export: ids, the purpose as a list, retention rules with ISO periods and anchor words."""
    purpose = activity.get("purpose")
    return {
        "id": activity["id"],
        "title": activity.get("title"),
        "in_scope": bool(activity.get("in_scope", True)),
        "purposes": [purpose] if purpose else [],
        "data_categories": _ids(activity.get("data_categories")),
        "legal_bases": _ids(activity.get("legal_basis")),
        "recipients": _ids(activity.get("recipients")),
        "retention": _retention(activity),
    }


def transfer_grounds(model: dict[str, Any]) -> list[str]:
    """The transfer ground ids the model states, in order, each once."""
    grounds = (model.get("transfer_grounds") or {}).get("grounds") or []
    return list(dict.fromkeys(str(g["id"]) for g in grounds))


def to_json(model: dict[str, Any], art13: dict[str, bool]) -> dict[str, Any]:
    """The model (``policy.yaml`` mapping) as the export's JSON object; ``art13``: item -> covered."""
    controller = model.get("controller") or {}
    dpo = model.get("dpo") or {}
    return plain(
        {
            "controller": controller.get("name"),
            "controller_contact": {
                "name": controller.get("name"),
                "postal_address": controller.get("postal_address"),
                "email": controller.get("email"),
            },
            "dpo": dpo.get("email"),
            "version": model.get("version"),
            "language": model.get("language"),
            "source": model.get("source"),
            "date": model.get("date"),
            "text_sha256": model.get("text_sha256"),
            "activities": [activity_json(a) for a in model.get("activities") or []],
            "transfer_grounds": transfer_grounds(model),
            "art13": dict(art13),
            "unparsed": list(model.get("unparsed") or []),
        }
    )


def art13_flags(model: dict[str, Any], where: str = "policy model") -> dict[str, bool]:
    """Art. 13 items of the model's policy text: item -> covered (``art13_coverage`` status ``covered``)."""
    from audit.policy.model import model_from_dict
    from audit.rules.policy_law import art13_coverage

    coverage = art13_coverage(model_from_dict(model, where))
    return {str(item): status == "covered" for item, status in zip(coverage["item"], coverage["status"], strict=True)}
