"""Carrying the DPO's work forward: Status, Owner, Comment and first-seen date follow a finding from run to run.

The previous workbook is read with calamine (never modified) after the same
container checks as every input; the DPO's columns are copied onto findings
with the same ``finding_id``; findings that disappeared are listed as
resolved with what the DPO had written about them.

The workbook is written in the report's language, so a previous workbook
may have Swedish or English sheet names, headers and status labels (or the
raw names of older versions: ``finding_id``, ``Status``). Its sheets are
therefore found by their header row, not by their names, and every header
and status is mapped back to its code through the catalogues
(:func:`audit.reference.i18n.code_for`): the frames this module returns
hold codes only, and the writer shows them in the language of the new run.

Each finding also gets the dates a DPO manages by: ``first_seen`` (the
as-of date of the run that first found it), ``due`` (first seen plus the
severity's ``due_days`` from the settings), ``days_open`` and
``days_overdue``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import python_calamine

from audit.errors import InputError
from audit.inputs.safety import check_workbook
from audit.reference.i18n import code_for

DPO_COLUMNS = ["Status", "Owner", "Comment"]
CHANGE_COLUMN = "Since last run"
NEW = "new"
"""The ``Since last run`` code of a finding the previous workbook did not have (label ``common.change.new``)."""
OPEN = "open"
DATE_COLUMNS = ["first_seen", "due", "days_open", "days_overdue"]
"""The per-finding dates added to the workbook's Findings (never to ``findings.csv``, the audit's result)."""
RESOLVED_COLUMNS = ["resolved_on", "finding_id", "rule", "severity", "subject", "title", "first_seen", *DPO_COLUMNS]
HEADER_ROWS = 5
"""Rows searched for a sheet's header: a writer may put a title line above the table."""
ISO_START = re.compile(r"^(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Previous:
    """What an earlier workbook holds for the next run, every header and status as a code."""

    path: Path
    findings: pd.DataFrame
    """Its Findings rows: ``finding_id``, the DPO columns and whatever else it had."""
    resolved: pd.DataFrame
    """Its ``Resolved since last run`` rows (empty when it had none)."""
    as_of: dt.date | None
    """Its as-of date (Summary, else the date its file name starts with); ``None`` when neither says."""


@dataclass(frozen=True)
class Carried:
    """What a run carried forward, for the command line's summary (counts, never contents)."""

    source: Path | None = None
    """The previous workbook, ``None`` when there was none."""
    statuses: int = 0
    """Findings of this run whose carried status is other than ``open``."""
    owners: int = 0
    comments: int = 0
    new: int = 0
    """Findings the previous workbook did not have."""
    resolved: int = 0
    """Findings of the previous workbook that this run no longer finds."""


# ---------------------------------------------------------------- finding the sheets


def _header_codes(row: list[object]) -> list[str]:
    """The column codes of a header row (a header the catalogue does not know stays as written)."""
    codes = []
    for cell in row:
        shown = "" if cell is None else str(cell).strip()
        codes.append((code_for("common.column", shown) or shown) if shown else "")
    return codes


def _tables(path: Path) -> dict[str, tuple[str, int, list[str]]]:
    """The Findings and Resolved tables of a workbook: role -> (sheet, header row, column codes).

    Reads only the first :data:`HEADER_ROWS` rows of each sheet. The
    Findings table is the first sheet whose header holds a finding-id label
    and no resolved-on label; the Resolved table the first holding both.
    """
    found: dict[str, tuple[str, int, list[str]]] = {}
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            for name in book.sheet_names:
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_ROWS)
                for i, row in enumerate(rows):
                    codes = _header_codes(list(row))
                    if "finding_id" not in codes:
                        continue
                    role = "resolved" if "resolved_on" in codes else "findings"
                    found.setdefault(role, (name, i, codes))
                    break
                if len(found) == 2:
                    break
        finally:
            book.close()
    except Exception as exc:  # calamine raises several types for damaged files
        raise InputError(f"{path}: previous workbook cannot be read ({type(exc).__name__}: {exc})") from None
    return found


def has_findings(path: Path) -> bool:
    """Whether ``path`` is a workbook with a Findings table (after the container checks, which raise)."""
    check_workbook(Path(path), f"{path} (previous workbook)")
    try:
        return "findings" in _tables(Path(path))
    except InputError:
        return False


def find_previous(out_dir: Path, current: Path) -> Path | None:
    """The workbook to carry the DPO's work from: the newest in ``out_dir`` with a Findings table.

    Newest by modification time, then name, whatever the file name: a
    working copy the DPO saved beside the report (``my-copy.xlsx``) is
    where their latest statuses are. Workbooks without finding ids (the
    Art. 30 register, a spreadsheet of their own) are passed over. The file
    about to be replaced (``current``, the same as-of date) is used only when
    it is the only candidate, so re-running a date keeps what was typed in
    it. A file refused by the container checks (a possible zip bomb) stops
    the run with an :class:`~audit.errors.InputError` naming it.
    """
    files = [p for p in Path(out_dir).glob("*.xlsx") if p.is_file() and not p.name.startswith((".", "~$"))]
    files.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    current = Path(current)
    for path in files:
        if path.name != current.name and has_findings(path):
            return path
    if current.exists() and has_findings(current):
        return current
    return None


# ---------------------------------------------------------------- reading


def _dates(values: pd.Series) -> pd.Series:
    """Dates of a read-back column (real dates, or ISO text a DPO typed), ``NaT`` where there is none."""
    return pd.to_datetime(values.astype(object), errors="coerce", format="ISO8601")


def _read_table(path: Path, where: tuple[str, int, list[str]] | None) -> pd.DataFrame:
    """One table of the previous workbook with code headers and status codes; empty without one."""
    if where is None:
        return pd.DataFrame(columns=["finding_id", *DPO_COLUMNS])
    sheet, header_row, codes = where
    try:
        frame = pd.read_excel(
            path, sheet_name=sheet, header=None, skiprows=header_row + 1, engine="calamine", dtype=object
        )
    except Exception as exc:  # calamine raises several types for damaged files
        raise InputError(f"{path}: previous workbook cannot be read ({type(exc).__name__}: {exc})") from None
    # A header without rows (a clean audit) is still a table: every column, no rows.
    frame = frame.reindex(columns=range(len(codes)))
    frame.columns = codes
    frame = frame.loc[:, [c != "" for c in frame.columns]]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame = frame[frame["finding_id"].notna()] if "finding_id" in frame else frame.iloc[0:0]
    # A note line below the table ("12 more rows were left out ...") is not a finding.
    frame = frame[~frame["finding_id"].astype(str).str.strip().str.contains(r"\s")]
    if "Status" in frame:
        shown = frame["Status"]
        codes_ = shown.map(lambda v: None if pd.isna(v) else code_for("common.status", v))
        frame = frame.assign(Status=codes_.where(codes_.notna(), shown))
    for col in ("first_seen", "resolved_on"):
        if col in frame:
            frame[col] = _dates(frame[col]).dt.date.astype(object).where(_dates(frame[col]).notna(), None)
    # Empty cells are ``None`` (as the writer writes them), not NaN.
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


def _previous_as_of(path: Path) -> dt.date | None:
    """The as-of date of an earlier workbook: its Summary's as-of line, else the date its name starts with."""
    try:
        first = pd.read_excel(path, sheet_name=0, header=None, nrows=20, engine="calamine", dtype=object)
    except Exception:
        first = pd.DataFrame()
    # The as-of label in either language, wherever the writer put it; the date is the next cell to its right.
    for _, row in first.iterrows():  # at most 20 rows
        cells = [v for v in row.tolist() if not pd.isna(v)]
        for i, cell in enumerate(cells[:-1]):
            if isinstance(cell, str) and code_for("summary.meta", cell) == "as_of":
                hit = _dates(pd.Series([cells[i + 1]])).iloc[0]
                if not pd.isna(hit):
                    return hit.date()
    match = ISO_START.match(path.name)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1))
        except ValueError:
            return None
    return None


def read_previous(path: Path) -> Previous:
    """The DPO's columns, the resolved history and the as-of date of an earlier workbook.

    Read with calamine, so an old report is never modified, and only after
    :func:`audit.inputs.safety.check_workbook` passed it: a previous
    workbook is as foreign as an input (it was edited by hand, sent around,
    or just dropped into the output folder). Its tables are found by their
    headers in either report language (:func:`_tables`).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: previous workbook not found")
    # The same container, size, ratio and DTD checks as every input workbook, before any parser sees it.
    check_workbook(path, f"{path} (previous workbook)")
    where = _tables(path)
    return Previous(
        path=path,
        findings=_read_table(path, where.get("findings")),
        resolved=_read_table(path, where.get("resolved")).reindex(columns=RESOLVED_COLUMNS)
        if "resolved" in where
        else pd.DataFrame(columns=RESOLVED_COLUMNS),
        as_of=_previous_as_of(path),
    )


# ---------------------------------------------------------------- carrying forward


def _filled(values: pd.Series) -> pd.Series:
    """Whether a carried cell holds something (not missing, not blank text)."""
    return values.notna() & (values.astype(str).str.strip() != "")


def carry_forward(
    findings: pd.DataFrame,
    previous: Previous | None,
    as_of: dt.date,
    due_days: Mapping[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Carried]:
    """Copy Status/Owner/Comment/first_seen onto findings with the same id; list what disappeared.

    A finding absent from the previous run is marked ``new`` and first seen
    on ``as_of``; one that was in the previous run keeps what the DPO wrote
    and its first-seen date (a previous workbook without that column: its
    own as-of date, the day it was found at the latest). One that was in the
    previous run and is gone now is listed as resolved on ``as_of``, with
    what the DPO had written about it, so nothing typed is lost.

    Returns the findings with the DPO columns and :data:`DATE_COLUMNS`
    (:func:`add_dates`), the resolved list, and the counts of what was carried.
    """
    out = findings.assign(Status=OPEN, Owner=None, Comment=None, first_seen=as_of)
    out[CHANGE_COLUMN] = NEW if previous is not None else None
    if previous is None:
        return _dpo_order(add_dates(out, as_of, due_days)), pd.DataFrame(columns=RESOLVED_COLUMNS), Carried()
    if "finding_id" not in previous.findings:
        previous = replace(previous, findings=previous.findings.reindex(columns=["finding_id", *DPO_COLUMNS]))
    seen_then = min(previous.as_of or as_of, as_of)
    prev = previous.findings.drop_duplicates("finding_id").set_index("finding_id")
    if "first_seen" not in prev:
        prev["first_seen"] = seen_then
    prev["first_seen"] = prev["first_seen"].where(prev["first_seen"].notna(), seen_then)
    known = out["finding_id"].isin(prev.index)
    for col in [*DPO_COLUMNS, "first_seen"]:
        if col in prev:
            typed = out.loc[known, "finding_id"].map(prev[col])
            out.loc[known, col] = typed.where(typed.notna(), out.loc[known, col])
    out.loc[known, CHANGE_COLUMN] = None
    # A first-seen date after this run's as-of date (an earlier date audited again) is this run's date.
    out["first_seen"] = [min(d, as_of) for d in out["first_seen"]]
    gone = prev[~prev.index.isin(out["finding_id"])].reset_index().assign(resolved_on=as_of)
    history = [gone.reindex(columns=RESOLVED_COLUMNS)]
    older_resolved = previous.resolved
    if "finding_id" in older_resolved:
        # Earlier resolutions stay listed unless the finding came back.
        history.append(older_resolved[~older_resolved["finding_id"].isin(out["finding_id"])])
    history = [h.reindex(columns=RESOLVED_COLUMNS) for h in history if not h.empty]
    resolved = pd.concat(history, ignore_index=True) if history else pd.DataFrame(columns=RESOLVED_COLUMNS)
    carried = Carried(
        source=previous.path,
        statuses=int((known & out["Status"].ne(OPEN) & _filled(out["Status"])).sum()),
        owners=int((known & _filled(out["Owner"])).sum()),
        comments=int((known & _filled(out["Comment"])).sum()),
        new=int((~known).sum()),
        resolved=len(gone),
    )
    return _dpo_order(add_dates(out, as_of, due_days)), resolved.drop_duplicates("finding_id"), carried


def add_dates(findings: pd.DataFrame, as_of: dt.date, due_days: Mapping[str, int] | None) -> pd.DataFrame:
    """``due``, ``days_open`` and ``days_overdue`` from ``first_seen``, the severity and ``as_of``.

    ``due`` is first seen plus the severity's days (none for a severity the
    settings give no due days, such as ``info``); ``days_overdue`` is how
    far ``as_of`` is past it (0 when not yet due, none without a due date).
    Whole days, as integers (nullable where there is no due date).
    """
    seen = pd.to_datetime(pd.Series(findings["first_seen"], index=findings.index, dtype=object))
    days = findings["severity"].map(dict(due_days or {})).astype("Float64")
    due = seen + pd.to_timedelta(days.astype(float), unit="D")
    now = pd.Timestamp(as_of)
    overdue = (now - due).dt.days.clip(lower=0).astype("Int64")
    return findings.assign(
        first_seen=_as_dates(seen),
        due=_as_dates(due),
        days_open=(now - seen).dt.days.astype("Int64"),
        days_overdue=overdue,
    )


def _as_dates(values: pd.Series) -> pd.Series:
    """``datetime.date`` objects (``None`` where missing): what the workbook writes as a real date."""
    return values.dt.date.astype(object).where(values.notna(), None)


def _dpo_order(findings: pd.DataFrame) -> pd.DataFrame:
    """Columns in the order a DPO works: what and how bad, their own columns, the dates, then the evidence."""
    first = [
        "finding_id",
        "severity",
        "rule",
        "area",
        "title",
        "subject",
        *DPO_COLUMNS,
        CHANGE_COLUMN,
        *DATE_COLUMNS,
        "detail",
    ]
    first = [c for c in first if c in findings.columns]
    return findings[first + [c for c in findings.columns if c not in first]]
