"""Carrying the DPO's work forward: Status, Owner and Comment follow a finding from run to run.

The previous workbook is read with calamine (never modified) after the same
container checks as every input; the DPO's columns are copied onto findings
with the same ``finding_id``; findings that disappeared are listed as
resolved with what the DPO had written about them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from audit.errors import InputError
from audit.inputs.safety import check_workbook

DPO_COLUMNS = ["Status", "Owner", "Comment"]
CHANGE_COLUMN = "Since last run"


def find_previous(out_dir: Path, current: Path) -> Path | None:
    """The newest earlier workbook in ``out_dir`` (by name, which starts with the as-of date)."""
    candidates = sorted(p for p in Path(out_dir).glob("*-privacy-audit.xlsx") if p.name < current.name)
    if not candidates and current.exists():
        return current
    return candidates[-1] if candidates else None


def read_previous(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The DPO's columns and the resolved history of an earlier workbook.

    Returns the previous ``Findings`` rows (at least ``finding_id`` and the
    DPO columns) and the previous ``Resolved since last run`` rows (empty
    when there were none). Read with calamine, so an old report is never
    modified, and only after :func:`audit.inputs.safety.check_workbook`
    passed it: a previous workbook is as foreign as an input (it was edited
    by hand, sent around, or just dropped into the output folder).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: previous workbook not found")
    # The same container, size, ratio and DTD checks as every input workbook, before any parser sees it.
    check_workbook(path, f"{path} (previous workbook)")
    try:
        sheets = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine raises several types for damaged files
        raise InputError(f"{path}: previous workbook cannot be read ({type(exc).__name__}: {exc})") from None
    findings = sheets.get("Findings", pd.DataFrame(columns=["finding_id", *DPO_COLUMNS]))
    findings = findings[findings["finding_id"].notna()] if "finding_id" in findings else findings
    resolved = sheets.get("Resolved since last run", pd.DataFrame())
    return findings, resolved


def carry_forward(
    findings: pd.DataFrame, previous: pd.DataFrame | None, previous_resolved: pd.DataFrame | None, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copy Status/Owner/Comment onto findings with the same id; list what disappeared.

    A finding absent from the previous run is marked ``new``; one that was
    in the previous run and is gone now is listed as resolved on ``as_of``,
    with what the DPO had written about it, so nothing typed is lost.
    """
    resolved_cols = ["resolved_on", "finding_id", "rule", "severity", "subject", "title", *DPO_COLUMNS]
    out = findings.assign(Status="open", Owner=None, Comment=None)
    out[CHANGE_COLUMN] = "new" if previous is not None else None
    if previous is None or "finding_id" not in previous:
        return _dpo_order(out), pd.DataFrame(columns=resolved_cols)
    prev = previous.drop_duplicates("finding_id").set_index("finding_id")
    known = out["finding_id"].isin(prev.index)
    for col in DPO_COLUMNS:
        if col in prev:
            typed = out.loc[known, "finding_id"].map(prev[col])
            out.loc[known, col] = typed.where(typed.notna(), out.loc[known, col])
    out.loc[known, CHANGE_COLUMN] = None
    gone = prev[~prev.index.isin(out["finding_id"])].reset_index().assign(resolved_on=as_of)
    history = [gone.reindex(columns=resolved_cols)]
    if previous_resolved is not None and "finding_id" in previous_resolved:
        # Earlier resolutions stay listed unless the finding came back.
        older = previous_resolved[~previous_resolved["finding_id"].isin(out["finding_id"])]
        history.append(older.reindex(columns=resolved_cols))
    history = [h for h in history if not h.empty]
    resolved = pd.concat(history, ignore_index=True) if history else pd.DataFrame(columns=resolved_cols)
    return _dpo_order(out), resolved.drop_duplicates("finding_id")


def _dpo_order(findings: pd.DataFrame) -> pd.DataFrame:
    """Columns in the order a DPO works: what and how bad, their own columns, then the evidence."""
    first = ["finding_id", "severity", "rule", "area", "title", "subject", *DPO_COLUMNS, CHANGE_COLUMN, "detail"]
    first = [c for c in first if c in findings.columns]
    return findings[first + [c for c in findings.columns if c not in first]]
