"""Helpers every rule family uses: list cells, blank cells, one row per list item.

The loaders hand list cells over as Python lists and blank cells as missing
values or empty lists; these helpers read both the same way in every family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
