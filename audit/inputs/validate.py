"""Checks across rows and sheets: duplicated ids and references to things that do not exist.

These are input issues, not findings: a register naming a system the
inventory lacks means the audit cannot follow that thread, and the DPO must
fix the data. Nothing is dropped; the row stays and the issue is listed.
References that differ from the target only in case or punctuation
(``"crm "`` for ``"CRM"``) are rewritten to the target's spelling, so rules
can join on plain equality.

Vendor names are resolved the same way, once, here: a system's ``vendor``, a
register entry's ``recipients`` and a disclosure's ``recipient`` are
rewritten to the name of the Vendors row they mean, matched by name, legal
form, brand, the vendor's ``aliases`` or, when exactly one vendor fits, by
leading words (:mod:`audit.inputs.vendor_names`). The rules then join on that
one name. The DPO's own spelling stays in their file at the row cited; a
match by leading words is listed as an input issue naming both spellings,
and a name several vendors fit is an input issue and is left as written.

:func:`unreadable_cells` says which cells held a value the loader could not
read, so a rule never reports such a value as absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from audit.inputs.contract import sheet_specs
from audit.inputs.frames import (
    MISSING_VALUE,
    SheetFrame,
    aggregate_issues,
    fold_match,
    issues_frame,
    row_issues,
)
from audit.inputs.model import ISSUE_COLUMNS, PROVENANCE
from audit.inputs.schema import canonical_column
from audit.inputs.values import regroup_lists
from audit.inputs.vendor_names import VendorIndex
from audit.reference.vocab import fold, vocabulary

if TYPE_CHECKING:
    from audit.inputs.model import Inputs

INTERNAL_VENDOR = "internal"


def stand_in_ids(sheet: SheetFrame, column: str) -> None:
    """Give each row whose id is blank the stand-in id ``(row N)``, N its row in the file.

    The blank cell is already an input issue ("missing value"). Without an
    id the row would fall out of every rule that groups or joins on it, so
    its findings (a recipient the policy does not name, retention) would be
    lost in silence; with the stand-in it is audited like any other row and
    its findings name the row the DPO must fix. No other sheet can refer to
    a stand-in, so no join gains a false match.
    """
    df = sheet.data
    spec = sheet.spec.column(column) if sheet.spec is not None else None
    if spec is None or spec.type != "id" or column not in df or df.empty:
        return  # only ids: a vendor is its name, and a row without one names nothing to audit
    blank = df[column].isna()
    if blank.any():
        df.loc[blank, column] = "(row " + df.loc[blank, "src_row"].astype("Int64").astype(str) + ")"


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


def check_vendor_refs(
    systems: SheetFrame,
    vendors: SheetFrame,
    activities: SheetFrame | None = None,
    disclosures: SheetFrame | None = None,
) -> pd.DataFrame:
    """Resolve every name that refers to a vendor to the Vendors sheet's name; issues for what does not fit.

    Systems' ``vendor`` must be a vendor of the Vendors sheet, or ``internal``
    (``intern``) for in-house; one that matches none is an issue. The
    register's ``recipients`` and the disclosures' ``recipient`` may also
    name recipients that are no vendor (a category, an authority), so only
    the names that match a vendor are rewritten. In every column a match by
    leading words is an (informational) issue, and a name that fits several
    vendors is an issue and is left as written.
    """
    index = VendorIndex(vendors.data["vendor"], vendors.data.get("aliases"))
    parts = [_system_vendors(systems, vendors, index)]
    if activities is not None:
        parts.append(_listed_recipients(activities, vendors, index))
    if disclosures is not None:
        parts.append(_named_vendors(disclosures, "recipient", vendors, index))
    return _concat(parts)


def _system_vendors(systems: SheetFrame, vendors: SheetFrame, index: VendorIndex) -> pd.DataFrame:
    """Systems' ``vendor``: in-house, a vendor (rewritten to its name), or an issue."""
    df = systems.data
    roles = vocabulary("vendor_role")
    is_internal = df["vendor"].map(lambda v: roles.lookup(v) == INTERNAL_VENDOR, na_action="ignore")
    is_internal = is_internal.astype("boolean").fillna(False).astype(bool)
    written = df["vendor"].copy()
    resolved = index.resolve(written.where(~is_internal))
    unknown = written.notna() & ~is_internal & resolved["how"].eq("none")
    df["vendor"] = resolved["vendor"].where(resolved["vendor"].notna(), written).where(~is_internal, INTERNAL_VENDOR)
    missing = row_issues(
        df,
        unknown,
        systems.header("vendor"),
        written,
        f"vendor not in the vendor list ({vendors.file}, sheet {vendors.sheet})",
    )
    return _concat([missing, _match_issues(df, written, resolved, systems.header("vendor"), vendors)])


def _named_vendors(sheet: SheetFrame, column: str, vendors: SheetFrame, index: VendorIndex) -> pd.DataFrame:
    """A text column that may name a vendor: rewritten to the vendor's name where one fits."""
    df = sheet.data
    if column not in df or df.empty:
        return issues_frame()
    written = df[column].copy()
    resolved = index.resolve(written)
    df[column] = resolved["vendor"].where(resolved["vendor"].notna(), written)
    return _match_issues(df, written, resolved, sheet.header(column), vendors)


def _listed_recipients(activities: SheetFrame, vendors: SheetFrame, index: VendorIndex) -> pd.DataFrame:
    """The register's ``recipients`` lists: each name that fits a vendor rewritten to the vendor's name."""
    df = activities.data
    items = df["recipients"].explode().dropna()
    if items.empty:
        return issues_frame()
    resolved = index.resolve(items)
    names = resolved["vendor"].where(resolved["vendor"].notna(), items)
    regrouped = names.groupby(level=0, sort=False).agg(list).reindex(df.index)
    df["recipients"] = regrouped.where(regrouped.notna(), df["recipients"])
    # One issue per list item, each citing its register row.
    rows = df.loc[items.index, PROVENANCE].reset_index(drop=True)
    return _match_issues(
        rows, items.reset_index(drop=True), resolved.reset_index(drop=True), activities.header("recipients"), vendors
    )


def _match_issues(
    frame: pd.DataFrame, written: pd.Series, resolved: pd.DataFrame, header: str, vendors: SheetFrame
) -> pd.DataFrame:
    """Issues for the names matched by leading words (informational) and those several vendors fit."""
    rows = vendors.data.drop_duplicates("vendor").set_index("vendor")["src_row"]
    where = f"{vendors.file}, sheet {vendors.sheet}"

    def leading(name: object, vendor: str) -> str:
        return (
            f"matched '{name}' to '{vendor}' ({where}, row {rows.get(vendor)}) by its leading words; "
            "write the name as in the vendor list, or add it to that vendor's aliases, to confirm"
        )

    def ambiguous(name: object, candidates: tuple[str, ...]) -> str:
        listed = ", ".join(f"'{c}' (row {rows.get(c)})" for c in candidates)
        return (
            f"'{name}' fits several vendors ({where}): {listed}; left unmatched: write the name as in "
            "the vendor list, or add it to one vendor's aliases"
        )

    is_leading = resolved["how"].eq("leading")
    is_ambiguous = resolved["how"].eq("ambiguous")
    problem = pd.Series(None, index=frame.index, dtype=object)
    problem[is_leading] = [
        leading(n, v) for n, v in zip(written[is_leading], resolved["vendor"][is_leading], strict=True)
    ]
    problem[is_ambiguous] = [
        ambiguous(n, c) for n, c in zip(written[is_ambiguous], resolved["candidates"][is_ambiguous], strict=True)
    ]
    info = _informational(row_issues(frame, is_leading, header, written, problem))
    return _concat([info, row_issues(frame, is_ambiguous, header, written, problem)])


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else issues_frame()


def _informational(issues: pd.DataFrame) -> pd.DataFrame:
    """Mark issues that only inform (a match to confirm), where the issues frame has a severity column."""
    if "severity" in ISSUE_COLUMNS:
        issues["severity"] = "info"
    return issues


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


# --- cells present but unreadable ----------------------------------------------------------------

#: The columns of :attr:`audit.inputs.model.Inputs.unreadable`.
UNREADABLE_COLUMNS = [*PROVENANCE, "column", "header", "problem", "where"]
#: Contract sheet -> the attribute of :class:`~audit.inputs.model.Inputs` holding it.
SHEET_FRAMES = {
    "Activities": "activities",
    "Systems": "systems",
    "Vendors": "vendors",
    "Requests": "requests",
    "Disclosures": "disclosures",
}


def unreadable_cells(inputs: Inputs) -> pd.DataFrame:
    """The cells that hold a value the loader could not read, one row per cell (:data:`UNREADABLE_COLUMNS`).

    Derived from the input issues after loading: an issue on a data row and
    a contract column whose loaded value is blank, other than a blank
    required cell (``missing value``), is a value that was there but could
    not be read (``1/3/2022`` without a date order, ``ja?`` for yes/no). A
    rule that finds such a cell blank must not say the value is absent; it
    cites ``where`` (``file › sheet › row N, column <header as written>``),
    which names the input issue. Record extracts are left out: their issues
    are aggregated per column, and no rule reports one of their values as absent.
    """
    issues = inputs.issues
    parts = [] if issues.empty else [_unreadable_in(getattr(inputs, a), s, issues) for s, a in SHEET_FRAMES.items()]
    found = [p for p in parts if not p.empty]
    if not found:
        return _no_unreadable_cells()
    return pd.concat(found, ignore_index=True)[UNREADABLE_COLUMNS]


def _no_unreadable_cells() -> pd.DataFrame:
    return pd.DataFrame({col: pd.Series(dtype=object) for col in UNREADABLE_COLUMNS})


def _unreadable_in(frame: pd.DataFrame, sheet: str, issues: pd.DataFrame) -> pd.DataFrame:
    """:func:`unreadable_cells` of one sheet: its issues on data rows whose loaded cell is blank."""
    spec = sheet_specs()[sheet]
    sources = frame[["src_file", "src_sheet"]].drop_duplicates()
    cand = issues[issues["problem"].ne(MISSING_VALUE) & issues["column"].notna()]
    cand = cand.assign(src_row=pd.to_numeric(cand["row"], errors="coerce").astype("Int64"))
    cand = cand.merge(sources, left_on=["file", "sheet"], right_on=["src_file", "src_sheet"])
    names = {h: canonical_column(h, spec) for h in pd.unique(cand["column"])}
    cand = cand.assign(name=cand["column"].map(names).astype(object))
    cand = cand[cand["name"].notna() & cand["src_row"].notna()]
    if cand.empty:
        return _no_unreadable_cells()
    rows = frame[PROVENANCE].assign(src_row=frame["src_row"].astype("Int64"))
    cand = cand[[*PROVENANCE, "name", "column", "problem"]].rename(columns={"column": "header"})
    hits = []
    for name, group in cand.groupby("name", sort=False):
        cells = rows.assign(_cell=frame[name]).merge(group, on=PROVENANCE)
        # .loc and a bool mask: an empty object mask given to [] would select no columns, not no rows.
        hits.append(cells.loc[cells["_cell"].map(_is_blank_cell).astype(bool)].assign(column=name))
    out = pd.concat(hits, ignore_index=True).drop_duplicates([*PROVENANCE, "column"])
    out["where"] = (
        out["src_file"].astype(str)
        + " › "
        + out["src_sheet"].astype(str)
        + " › row "
        + out["src_row"].astype(str)
        + ", column "
        + out["header"].astype(str)
    )
    return out[UNREADABLE_COLUMNS]


def _is_blank_cell(value: object) -> bool:
    """A loaded cell that holds nothing: missing, or an empty list."""
    if isinstance(value, list | tuple):
        return not value
    return bool(pd.isna(value)) if not isinstance(value, str) else not value.strip()
