"""Small helpers for frames whose optional columns may be absent."""

from __future__ import annotations

import pandas as pd


def column(frame: pd.DataFrame, name: str, fill: object = None) -> pd.Series:
    """``frame[name]``, or a column of ``fill`` when the frame lacks it.

    The loaders always add every canonical column, but rules are also run on
    small hand-made frames (tests, notebooks), where optional columns are
    often left out; a missing optional column then reads as "not recorded".
    A ``NaT`` fill gives a datetime column, anything else an object column.
    """
    if name in frame:
        return frame[name]
    if fill is pd.NaT:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.Series(fill, index=frame.index, dtype="object")
