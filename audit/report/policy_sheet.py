"""The Policy sheet's account of the policy version and what changed since the previous workbook.

Each workbook keeps the policy model it audited against as JSON in the
hidden sheet :data:`MODEL_SHEET` (split over rows, an Excel cell holds at
most 32,767 characters), so the next run can read it back from the previous
workbook and list the changes (:func:`audit.policy.diff.diff_models`) below
the Policy sheet's activities.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from audit.inputs.safety import check_workbook
from audit.policy.diff import diff_models
from audit.policy.export import plain
from audit.policy.model import PolicyModel
from audit.reference.i18n import text

MODEL_SHEET = "_policy_model"
CHUNK_CHARS = 30_000
"""Characters of JSON per cell: below Excel's 32,767 per cell, with room to spare."""
MARKER = "policy model JSON for the next run's comparison (do not edit)"


def policy_art13(policy: PolicyModel) -> dict[str, bool]:
    """Art. 13 items of the audited policy: item -> covered."""
    from audit.rules.policy_law import art13_coverage

    coverage = art13_coverage(policy)
    return {str(i): s == "covered" for i, s in zip(coverage["item"], coverage["status"], strict=True)}


def model_lines(model: dict[str, Any], art13: dict[str, bool]) -> list[str]:
    """The hidden sheet's rows: the marker, then the JSON of ``{"model", "art13"}`` in chunks."""
    text = json.dumps({"model": plain(model), "art13": art13}, ensure_ascii=False, default=str)
    return [MARKER, *(text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS))]


def read_previous_policy(path: Path) -> dict[str, Any] | None:
    """The ``{"model", "art13"}`` an earlier workbook stored; ``None`` when it has none (or it is unreadable).

    Called after :func:`audit.report.carry.read_previous` read the same
    file; the container checks run again, since they are cheap and keep
    this function safe on its own.
    """
    check_workbook(Path(path), f"{path} (previous workbook)")
    try:
        frame = pd.read_excel(path, sheet_name=MODEL_SHEET, header=None, engine="calamine", dtype=object)
    except Exception:  # no such sheet (a workbook of an earlier version of the tool), or damaged
        return None
    cells = [str(v) for v in frame.iloc[:, 0].tolist() if isinstance(v, str)] if frame.shape[1] else []
    if not cells or cells[0] != MARKER:
        return None
    try:
        stored = json.loads("".join(cells[1:]))
    except json.JSONDecodeError:
        return None
    return stored if isinstance(stored, dict) and isinstance(stored.get("model"), dict) else None


def change_blocks(
    model: dict[str, Any], art13: dict[str, bool], previous: dict[str, Any] | None, lang: str = "en"
) -> list[tuple[str, pd.DataFrame | None]]:
    """The blocks below the Policy sheet's activities: the version, then the changes or why there are none.

    Worded in ``lang`` (``data/reference/messages/policy_sheet.yaml``); the
    change table keeps the diff's own columns, which the writer labels.
    """
    unknown = text("policy_sheet.not_stated", lang)
    version = plain(model.get("version")) or unknown
    blocks: list[tuple[str, pd.DataFrame | None]] = [(text("policy_sheet.version", lang, version=version), None)]
    if previous is None:
        return [*blocks, (text("policy_sheet.no_previous", lang), None)]
    old_version = plain(previous["model"].get("version")) or unknown
    changes = diff_models(previous["model"], plain(model), previous.get("art13"), art13)
    if changes.empty:
        return [*blocks, (text("policy_sheet.no_change", lang, old=old_version), None)]
    shown = changes.assign(material=changes["material"].map({True: text("policy_sheet.material", lang), False: None}))
    title = text(
        "policy_sheet.changes", lang, old=old_version, changes=len(changes), material=int(changes["material"].sum())
    )
    return [*blocks, (title, shown)]
