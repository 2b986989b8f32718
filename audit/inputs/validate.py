"""Checks across rows and sheets: duplicated ids and references to things that do not exist.

These are input issues, not findings: a register naming a system the
inventory lacks means the audit cannot follow that thread, and the DPO must
fix the data. Nothing is dropped; the row stays and the issue is listed.
References that differ from the target only in case or punctuation
(``"crm "`` for ``"CRM"``) are rewritten to the target's spelling, so rules
can join on plain equality.
"""

from __future__ import annotations

import pandas as pd

from audit.inputs.frames import SheetFrame, aggregate_issues, fold_match, issues_frame, row_issues
from audit.inputs.values import regroup_lists
from audit.reference.vocab import fold, vocabulary

INTERNAL_VENDOR = "internal"


def duplicates(sheet: SheetFrame, column: str, aggregate: bool = False) -> pd.DataFrame:
    """Rows whose ``column`` repeats an earlier row's value (compared folded: ``CRM`` = ``crm``)."""
    df = sheet.data
    if column not in df or df.empty:
        return issues_frame()
    values = df[column]
    key = values.map(fold, na_action="ignore") if not aggregate else values
    dup = key.notna() & key.duplicated(keep="first")
    if not dup.any():
        return issues_frame()
    if aggregate:
        problems = pd.DataFrame({"value": values[dup], "problem": f"duplicate {column}"}, index=df.index[dup])
        return aggregate_issues(df, problems, sheet.header(column))
    first_row = df["src_row"].groupby(key).transform("first")
    problem = "duplicate " + column + " (first on row " + first_row.astype("Int64").astype(str) + ")"
    return row_issues(df, dup, sheet.header(column), values, problem)


def check_system_refs(activities: SheetFrame, systems: SheetFrame) -> pd.DataFrame:
    """Activities' ``systems`` must be system_ids of the inventory; spelling is aligned to the inventory's."""
    df = activities.data
    exploded = df["systems"].explode().dropna()
    if exploded.empty:
        return issues_frame()
    mapped, unknown = fold_match(exploded, systems.data["system_id"])
    df["systems"] = regroup_lists(mapped, df.index)
    hits = exploded[unknown]
    if hits.empty:
        return issues_frame()
    # One issue per unknown system id, so a row naming two unknown systems gets two issues.
    rows = df.loc[hits.index, ["src_file", "src_sheet", "src_row"]]
    return issues_frame(
        pd.DataFrame(
            {
                "file": rows["src_file"],
                "sheet": rows["src_sheet"],
                "row": rows["src_row"],
                "column": activities.header("systems"),
                "value": hits,
                "problem": f"system not in the inventory ({systems.file}, sheet {systems.sheet})",
            }
        )
    )


def check_vendor_refs(systems: SheetFrame, vendors: SheetFrame) -> pd.DataFrame:
    """Systems' ``vendor`` must be a vendor of the Vendors sheet, or ``internal`` (``intern``) for in-house."""
    df = systems.data
    roles = vocabulary("vendor_role")
    is_internal = df["vendor"].map(lambda v: roles.lookup(v) == INTERNAL_VENDOR, na_action="ignore")
    is_internal = is_internal.astype("boolean").fillna(False).astype(bool)
    mapped, unknown = fold_match(df["vendor"], vendors.data["vendor"])
    unknown = unknown & ~is_internal
    df["vendor"] = mapped.where(~is_internal, INTERNAL_VENDOR)
    return row_issues(
        df,
        unknown,
        systems.header("vendor"),
        df["vendor"],
        f"vendor not in the vendor list ({vendors.file}, sheet {vendors.sheet})",
    )


def check_activity_refs(sheet: SheetFrame, activities: SheetFrame, aggregate: bool = False) -> pd.DataFrame:
    """An ``activity_id`` (disclosures, record extracts) must be an activity of the register."""
    df = sheet.data
    if "activity_id" not in df or df.empty:
        return issues_frame()
    mapped, unknown = fold_match(df["activity_id"], activities.data["activity_id"])
    df["activity_id"] = mapped
    if not unknown.any():
        return issues_frame()
    problem = f"activity not in the register ({activities.file}, sheet {activities.sheet})"
    if aggregate:
        problems = pd.DataFrame({"value": df.loc[unknown, "activity_id"], "problem": problem})
        return aggregate_issues(df, problems, sheet.header("activity_id"))
    return row_issues(df, unknown, sheet.header("activity_id"), df["activity_id"], problem)
