"""What an input issue may quote: ids, dates, numbers and vocabulary words, never what may be personal data.

Input issues go into the workbook, the CSVs and the console, which travel
further than the data folder. A value is therefore quoted only when its
column's type is one of ``columns.yaml``'s ``quotable_types``, the column is
not marked ``personal``, and the value has the shape of its type and looks
like none of the ``value_kinds`` (an e-mail address, a personal identity
number, ...). Anything else is described by its kind ("text that looks like
an e-mail address", "a 13-character text of 2 words"), so the DPO still
knows what to look for at the file, row and column the issue names.

The rule is applied once, to every issue of a load (:func:`quote_safely`),
so no check can forget it; it lives in data so a column's status is a data
change.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from audit.inputs.schema import ColumnSpec, SheetSpec, canonical_column, quotable_shapes, value_kinds

MAX_FREE_QUOTE = 100
"""Longest value of a non-personal free-text column (a vendor name) that is quoted."""


def looks_personal(text: str, typed: bool = False) -> str | None:
    """The first ``value_kinds`` entry ``text`` matches ("text that looks like an e-mail address"), else ``None``.

    ``typed``: ``text`` is a value of a typed column (date, yes/no, vocabulary,
    ...), where a person's name is never a valid value and so is suspected.
    """
    return next((kind for kind, pattern in value_kinds(typed) if pattern.search(text)), None)


def value_kind(text: str) -> str:
    """What ``text`` is, without quoting it: :func:`looks_personal`, else its length and words."""
    kind = looks_personal(text, typed=True)
    if kind:
        return kind
    words = len(text.split())
    return f"a {len(text)}-character text" + (f" of {words} words" if words > 1 else "")


def may_quote(text: str, column: ColumnSpec | None) -> bool:
    """Whether ``text``, a value of ``column`` (``None``: a column the contract does not know), may be quoted."""
    if column is None or column.personal:
        return False
    shape = quotable_shapes().get(column.type)
    if looks_personal(text, typed=shape is not None):
        return False
    if shape is None:  # free text the contract marks as not personal (a vendor's name)
        return len(text) <= MAX_FREE_QUOTE
    return shape.fullmatch(text) is not None


def safe_text(value: object, column: ColumnSpec | None) -> object:
    """``value`` as an issue may show it: as it is, or its kind; examples (a tuple) each, then joined."""
    if isinstance(value, tuple):
        return ", ".join(dict.fromkeys(str(safe_text(v, column)) for v in value))
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value)
    if not text.strip() or may_quote(text, column):
        return text
    return value_kind(text)


def _column(spec: SheetSpec | None, header: object) -> ColumnSpec | None:
    if spec is None:
        return None
    name = canonical_column(header, spec)
    return spec.column(name) if name else None


def quote_safely(issues: pd.DataFrame, spec_for: Callable[[str, str], SheetSpec | None]) -> pd.DataFrame:
    """``issues`` with every ``value`` made safe to show (see the module docstring).

    Parameters
    ----------
    issues
        Issues of one load; ``value`` is text, or a tuple of examples
        (aggregated issues), which is joined here.
    spec_for
        The contract of the sheet an issue's ``file`` and ``sheet`` name;
        the issue's ``column`` (the header as written) is looked up in it.

    An issue without a column is about a file or sheet and its value (a
    file name) is kept. Values are decided once per distinct value of each
    column, so a long list of issues costs what its distinct values cost.
    """
    if issues.empty:
        return issues
    out = issues.copy()
    keys = out[["file", "sheet", "column"]].astype(object).where(out[["file", "sheet", "column"]].notna(), None)
    for (file, sheet, header), index in keys.groupby(["file", "sheet", "column"], dropna=False).groups.items():
        if header is None or (isinstance(header, float) and pd.isna(header)):
            out.loc[index, "value"] = out.loc[index, "value"].map(_joined)
            continue
        column = _column(spec_for(str(file), str(sheet)), header)
        out.loc[index, "value"] = _safe_values(out.loc[index, "value"], column)
    return out


def _safe_values(values: pd.Series, column: ColumnSpec | None) -> pd.Series:
    """:func:`safe_text` of each value, decided once per distinct value."""
    keys = values.map(_hashable)
    table = {v: safe_text(v, column) for v in pd.unique(keys)}
    return keys.map(lambda v: table[v])  # a dict would be read as a MultiIndex when keys are tuples


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _joined(value: object) -> object:
    return ", ".join(str(v) for v in value) if isinstance(value, tuple | list) else value
