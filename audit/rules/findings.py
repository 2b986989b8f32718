"""The findings table: one row per gap, the same shape for every rule.

Rules build a small frame with the subject-specific columns (``subject``,
``detail``, ``evidence`` and whichever of ``activity_id``, ``system_id``,
``vendor``, ``policy_clause`` apply); :func:`make_findings` adds what comes
from the rule catalogue and settings, and the stable ``finding_id`` that lets
a DPO's status and comments follow a gap from one run to the next.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from audit.reference.datafiles import reference
from audit.reference.settings import Settings

FINDING_COLUMNS = [
    "finding_id",
    "rule",
    "severity",
    "area",
    "title",
    "subject",
    "activity_id",
    "system_id",
    "vendor",
    "detail",
    "evidence",
    "policy_clause",
    "article",
    "recommendation",
]
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


def make_findings(rule: str, rows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Turn a rule's raw rows into standard findings.

    Parameters
    ----------
    rule
        Rule id from ``data/reference/rules.yaml``, e.g. ``"RET-03"``.
    rows
        One row per gap with at least ``subject``, ``detail`` and
        ``evidence``; optional ``activity_id``, ``system_id``, ``vendor``,
        ``policy_clause``, ``recommendation`` (overrides the catalogue's).
    settings
        Supplies the severity, which the DPO may override.
    """
    catalogue = reference("rules")
    meta = catalogue["rules"][rule]
    if rows.empty:
        return empty_findings()
    out = pd.DataFrame(index=rows.index)
    out["rule"] = rule
    out["severity"] = settings.severity(rule)
    out["area"] = catalogue["areas"][rule.split("-")[0]]
    out["title"] = meta["title"]
    for col in ("subject", "activity_id", "system_id", "vendor", "detail", "evidence", "policy_clause"):
        out[col] = rows[col].astype("object") if col in rows else None
    out["article"] = meta["article"]
    if "recommendation" in rows:
        out["recommendation"] = rows["recommendation"].fillna(meta["recommendation"])
    else:
        out["recommendation"] = meta["recommendation"]
    out["finding_id"] = [finding_id(rule, str(s)) for s in out["subject"]]
    out = out.where(out.notna(), None)
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
