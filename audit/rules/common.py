"""Helpers every rule family uses: list cells, blank cells, one row per list item, unreadable cells.

The loaders hand list cells over as Python lists and blank cells as missing
values or empty lists; these helpers read both the same way in every family.
A blank cell may also be one whose value could not be read
(:func:`unreadable`): a rule reports that, never an absence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from audit.inputs.model import PROVENANCE, Inputs
from audit.reference.i18n import text

#: The ``case`` of a finding whose value is in the file but could not be read.
UNREADABLE = "unreadable"


def as_list(value: object) -> list:
    """A list cell as a list; a stray scalar (an un-split cell) becomes a one-item list, blank an empty one."""
    if isinstance(value, list | tuple | np.ndarray):
        return [v for v in value if not is_blank(v)]
    return [] if is_blank(value) else [value]


def is_blank(value: object) -> bool:
    """True for a cell that says nothing: missing, blank text, or a list of such cells."""
    if value is None:
        return True
    if isinstance(value, list | tuple | np.ndarray):
        return all(is_blank(v) for v in value)
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def blank(series: pd.Series) -> pd.Series:
    """True where a cell says nothing: missing, empty text, or an empty list (the loader's blank list cell)."""
    return series.map(is_blank).astype(bool)


def exploded(frame: pd.DataFrame, column: str, out: str | None = None) -> pd.DataFrame:
    """One row per list item of ``column`` (blank items dropped), keeping the other columns.

    The original row label is kept in ``_row`` so a result can be joined back
    to its register row and its provenance.
    """
    values = frame[column].map(as_list)
    long = frame.drop(columns=[column], errors="ignore").assign(**{out or column: values}, _row=frame.index)
    long = long.explode(out or column)
    long = long[~blank(long[out or column])]
    return long.reset_index(drop=True)


def unreadable(inputs: Inputs, frame: pd.DataFrame, column: str) -> pd.Series:
    """Per row of ``frame``: where its ``column`` cell held a value that could not be read, else ``None``.

    A blank cell in a loaded frame is either absent or unreadable (the file
    holds ``1/3/2022`` in a date column and no date order was given). No rule
    may say the second is absent: it words an ``unreadable`` case instead,
    citing this (``inventory.xlsx › Vendors › row 3, column DPA signed``), the
    cell of the input issue that says why. ``frame`` is any frame of input
    rows with provenance (filtered, merged: rows are found by ``src_file``,
    ``src_sheet``, ``src_row``), ``column`` the canonical column.
    """
    cells = inputs.unreadable
    cells = cells[cells["column"] == column]
    out = pd.Series(None, index=frame.index, dtype=object)
    if cells.empty or frame.empty:
        return out
    keys = frame[PROVENANCE].assign(src_row=pd.to_numeric(frame["src_row"], errors="coerce").astype("Int64"))
    table = cells.drop_duplicates(PROVENANCE)[[*PROVENANCE, "where"]]
    where = keys.merge(table, on=PROVENANCE, how="left")["where"].to_numpy()  # a left merge keeps the row order
    found = pd.Series(where, index=frame.index, dtype=object)
    return found.where(found.notna(), None)


def unreadable_case(case: pd.Series, where: pd.Series) -> pd.Series:
    """``case`` with ``unreadable`` wherever :func:`unreadable` found the cell (the rule's catalogue words it)."""
    return case.where(where.isna(), UNREADABLE)


def unreadable_note(inputs: Inputs, frame: pd.DataFrame, columns: Sequence[str], lang: str = "en") -> pd.Series:
    """Per row of ``frame``: ``"; could not be read: <where>, ..."`` for the cited ``columns`` that are unreadable, else ``""``.

    For evidence that cites several columns of a row (``columns
    transfer_mechanism, dpf_certified, tia_done``): whichever of them held a
    value that could not be read is named with its input issue, so the
    evidence never quietly rests on a value the audit did not see.
    """
    found = pd.DataFrame({col: unreadable(inputs, frame, col) for col in columns}, index=frame.index)
    joined = found.apply(lambda row: ", ".join(w for w in row if isinstance(w, str)), axis=1) if len(found) else None
    note = pd.Series("", index=frame.index, dtype=object)
    if joined is not None:
        said = text("wording.evidence.could_not_be_read", lang)
        note = note.where(joined.eq(""), f"; {said}: " + joined.astype(str))
    return note


def grouped(
    frame: pd.DataFrame,
    keys: list[str],
    first: Sequence[str] = (),
    joined: Sequence[str] = (),
    distinct: Sequence[str] = (),
    rename: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per ``keys`` group (sorted; missing keys kept as ``None``), aggregated column by column.

    ``first``: the first non-missing value; ``joined``: the distinct
    non-blank values in order of appearance, joined with ``"; "``;
    ``distinct``: the same as a list. ``rename`` maps a column to its name in
    the result.

    Why not ``groupby().agg`` with Python functions: that builds a Series per
    group, so a register of 50,000 junk rows (a group each) took minutes.
    Here each column is deduplicated once and split into groups with numpy,
    so the cost is a sort, whatever the number of groups.
    """
    names = rename or {}
    by = frame.groupby(keys, sort=True, dropna=False)
    codes = by.ngroup().to_numpy()
    out = by.size().reset_index()[keys]
    for key in keys:
        out[key] = out[key].astype(object).where(out[key].notna(), None)
    for col in first:
        out[names.get(col, col)] = by[col].first().reset_index(drop=True).to_numpy()
    for col, join in [*((c, True) for c in joined), *((c, False) for c in distinct)]:
        lists = _distinct_lists(frame[col], codes, len(out))
        out[names.get(col, col)] = ["; ".join(map(str, v)) for v in lists] if join else lists
    return out


def _distinct_lists(values: pd.Series, codes: np.ndarray, groups: int) -> list[list]:
    """Per group code, the distinct non-blank values of ``values`` in order of appearance."""
    keep = values.notna().to_numpy() & values.astype(str).str.len().gt(0).to_numpy()
    long = pd.DataFrame({"code": codes[keep], "value": values.to_numpy()[keep]}).drop_duplicates()
    long = long.sort_values("code", kind="stable")
    bounds = np.searchsorted(long["code"].to_numpy(), np.arange(groups + 1))
    items = long["value"].to_numpy()
    return [items[a:b].tolist() for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
