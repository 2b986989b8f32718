"""The normalised-input contract of :mod:`audit.inputs.model`, as pandera schemas.

The rules rely on what the loaders promise: dates are datetimes, yes/no
columns are nullable booleans, list cells are lists of text, countries are
alpha-2 codes, and every row carries its provenance. The schemas are built
from ``data/reference/columns.yaml`` (the same file the loaders read), so a
new column or type is covered without code changes; :func:`check_contract`
proves a loaded folder keeps the promise, on every run (:func:`audit.inputs.load_inputs`),
and :func:`conform` gives a hand-made frame (a test's, a notebook's) every
contract column, so no rule has to ask whether a column exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from audit.inputs.schema import SheetSpec, input_specs

if TYPE_CHECKING:
    from audit.inputs.model import Inputs

_ALPHA2 = re.compile(r"^[A-Z]{2}$|^EPO$")


def _is_text(v: object) -> bool:
    return v is None or isinstance(v, str)


def _is_text_list(v: object) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _is_country(v: object) -> bool:
    return v is None or (isinstance(v, str) and bool(_ALPHA2.match(v)))


def _is_country_list(v: object) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) and _ALPHA2.match(x) for x in v)


# columns.yaml type -> (dtype, element check); element checks only on the small sheets.
_TYPES: dict[str, tuple[object, Callable[[object], bool] | None]] = {
    "id": (object, _is_text),
    "text": (object, _is_text),
    "vocab": (object, _is_text),
    "country": (object, _is_country),
    "list": (object, _is_text_list),
    "id_list": (object, _is_text_list),
    "legal_basis_list": (object, _is_text_list),
    "country_list": (object, _is_country_list),
    "date": ("datetime64[ns]", None),
    "yesno": ("boolean", None),
    "number": ("Float64", None),
}


def _schema(sheet: SheetSpec, element_checks: bool, required_only: bool = False) -> pa.DataFrameSchema:
    columns = {}
    for col in sheet.columns:
        dtype, check = _TYPES[col.type]
        checks = [pa.Check(check, element_wise=True, name=f"{col.type} values")] if element_checks and check else []
        columns[col.name] = pa.Column(dtype, checks=checks, nullable=True, required=not required_only or col.required)
    columns["src_file"] = pa.Column(object, nullable=False)
    columns["src_sheet"] = pa.Column(object, nullable=False)
    columns["src_row"] = pa.Column(nullable=True, coerce=False)
    return pa.DataFrameSchema(columns, strict=False, name=f"{sheet.input}.{sheet.name}")


@cache
def schemas() -> dict[str, pa.DataFrameSchema]:
    """Input sheet name (``Activities``, ``Systems``, ..., ``Records``) -> its schema."""
    return {
        name: _schema(sheet, element_checks=sheet.input != "records", required_only=sheet.input == "records")
        for name, sheet in sheet_specs().items()
    }


#: columns.yaml type -> the value an absent column holds in every row.
_MISSING: dict[str, object] = {"date": pd.NaT, "yesno": pd.NA, "number": pd.NA}
_LISTS = {"list", "id_list", "legal_basis_list", "country_list"}


@cache
def sheet_specs() -> dict[str, SheetSpec]:
    """Input sheet name (``Activities``, ..., ``Records``) -> its contract."""
    return {sheet.name: sheet for spec in input_specs().values() for sheet in spec.sheets}


def conform(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """``frame`` with every contract column of ``sheet`` (typed, all missing where it had none).

    The loaders already write every canonical column; frames built by hand
    (rule tests, notebooks) often leave optional ones out. Filling them here,
    once, means a rule reads ``frame[column]`` and an absent column simply
    reads as "not recorded".
    """
    absent = [c for c in sheet_specs()[sheet].columns if c.name not in frame.columns]
    if not absent:
        return frame
    out = frame.copy()
    for col in absent:
        if col.type in _LISTS:
            out[col.name] = pd.Series([[] for _ in range(len(out))], index=out.index, dtype="object")
        else:
            dtype, _ = _TYPES[col.type]
            out[col.name] = pd.Series(_MISSING.get(col.type), index=out.index, dtype=dtype)
    return out


def check_contract(inputs: Inputs) -> None:
    """Validate every loaded frame against its schema.

    The issues frame is checked too (:func:`issues_schema`), so an issue
    whose examples were never made safe to show (a tuple) cannot slip out.

    Raises
    ------
    pandera.errors.SchemaErrors
        Listing every column that breaks the contract (a loader bug, never
        a problem of the DPO's files, which are reported as input issues).
    """
    s = schemas()
    frames = {
        "Activities": inputs.activities,
        "Systems": inputs.systems,
        "Vendors": inputs.vendors,
        "Requests": inputs.requests,
        "Disclosures": inputs.disclosures,
    }
    for name, frame in frames.items():
        s[name].validate(frame, lazy=True)
    for extract in inputs.records.values():
        # Columns and types only, proven on an empty slice of the engine table (a type is the column's,
        # not a row's): value checks over millions of rows would cost as much as the rules themselves.
        empty = extract.table.limit(0).to_pandas()
        empty.insert(0, "src_file", pd.Series(dtype=object))
        s["Records"].validate(empty, lazy=True)
    issues_schema().validate(inputs.issues, lazy=True)


@cache
def issues_schema() -> pa.DataFrameSchema:
    """``Inputs.issues``: the issue columns in order, a known severity, and a value that is text (never a tuple)."""
    from audit.inputs.model import ISSUE_FRAME_COLUMNS, ISSUE_SEVERITIES

    columns = {name: pa.Column(object, nullable=True) for name in ISSUE_FRAME_COLUMNS}
    columns["value"] = pa.Column(object, pa.Check(_is_text, element_wise=True, name="text values"), nullable=True)
    columns["severity"] = pa.Column(object, pa.Check.isin(ISSUE_SEVERITIES), nullable=False)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name="issues")
