"""Turning a raw grid or an Arrow table into a normalised frame with provenance and issues.

Whatever the file format, a sheet goes through the same steps here: find the
header row below any title rows, name the columns by the contract's aliases
(keeping unknown columns as they are), stop with one clear error if a
required column is missing, normalise every known column by its type, and
stamp each row with the file, sheet and row number a person would see.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit.errors import InputError
from audit.inputs.model import ISSUE_COLUMNS, PROVENANCE
from audit.inputs.schema import ColumnSpec, SheetSpec, canonical_column, find_header_row
from audit.inputs.values import cell_text, normalise_column, normalise_dates
from audit.reference.vocab import fold

MISSING_VALUE = "missing value"
EXAMPLES = 5
"""How many example rows and values an aggregated record-extract issue lists."""


@dataclass
class SheetFrame:
    """One loaded sheet: normalised data, the header each canonical column had in the file, and issues."""

    data: pd.DataFrame
    headers: dict[str, str]
    issues: pd.DataFrame
    file: str
    sheet: str

    def header(self, column: str) -> str:
        """The header as written in the file (the canonical name when the column was absent)."""
        return self.headers.get(column, column)


def issues_frame(rows: list[dict] | pd.DataFrame | None = None) -> pd.DataFrame:
    """Issues with the standard columns, in the standard order."""
    df = pd.DataFrame(rows if rows is not None else [], columns=ISSUE_COLUMNS)
    return df.astype(object)


def row_issues(
    frame: pd.DataFrame, mask: pd.Series, column: str, values: pd.Series, problem: str | pd.Series
) -> pd.DataFrame:
    """One issue per row of ``frame`` where ``mask`` holds, citing the row's provenance."""
    hit = frame.loc[mask]
    vals = values.loc[mask] if isinstance(values, pd.Series) else values
    probs = problem.loc[mask] if isinstance(problem, pd.Series) else problem
    return issues_frame(
        pd.DataFrame(
            {
                "file": hit["src_file"],
                "sheet": hit["src_sheet"],
                "row": hit["src_row"],
                "column": column,
                "value": vals,
                "problem": probs,
            }
        )
    )


def aggregate_issues(frame: pd.DataFrame, problems: pd.DataFrame, column: str) -> pd.DataFrame:
    """One issue per problem kind for a large extract: the count and a few example rows and values.

    A million bad dates must not become a million report rows; the DPO needs
    to know what is wrong, how often and where to look.
    """
    if problems.empty:
        return issues_frame()
    joined = problems.join(frame[PROVENANCE])
    out = []
    for problem, group in joined.groupby("problem", sort=True):
        rows = group["src_row"].head(EXAMPLES).astype(int).tolist()
        values = pd.unique(group["value"].astype(str))[:EXAMPLES].tolist()
        count = len(group)
        where = ", ".join(str(r) for r in rows)
        noun = "row" if count == 1 else "rows"
        out.append(
            {
                "file": group["src_file"].iloc[0],
                "sheet": group["src_sheet"].iloc[0],
                "row": rows[0],
                "column": column,
                "value": ", ".join(values),
                "problem": f"{problem}: {count} {noun} (first: {where})",
            }
        )
    return issues_frame(out)


def _letter(position: int) -> str:
    letters = ""
    n = position + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = string.ascii_uppercase[rem] + letters
    return letters


def _alias_hint(spec: ColumnSpec) -> str:
    return f"'{spec.name}' (also accepted: {', '.join(spec.aliases)})" if spec.aliases else f"'{spec.name}'"


def missing_columns_error(
    file: str, sheet: str, missing: list[ColumnSpec], found: list[str], header_row: int | None
) -> InputError:
    """The one-line error for required columns that are not there, with the headers that were."""
    noun = "column" if len(missing) == 1 else "columns"
    listed = ", ".join(_alias_hint(c) for c in missing)
    where = f" (row {header_row})" if header_row is not None else ""
    shown = ", ".join(found) if found else "none"
    return InputError(f"{file}, sheet {sheet}: missing required {noun} {listed}; headers found{where}: {shown}")


def _blank_mask(column: pd.Series) -> pd.Series:
    text = column.astype(str).str.strip()
    return column.isna() | text.eq("") | text.eq("nan")


def frame_from_grid(
    grid: pd.DataFrame, sheet: SheetSpec, file: str, sheet_label: str, date_order: str | None, aggregate: bool = False
) -> SheetFrame:
    """Normalise one raw sheet (see :mod:`audit.inputs.readers`) into a frame with provenance.

    Parameters
    ----------
    grid
        The sheet as stored; position ``i`` is spreadsheet row ``i + 1``.
    sheet
        The contract of the sheet.
    file, sheet_label
        Provenance written on every row and issue.
    date_order
        ``"DMY"``/``"MDY"`` for slash dates, else ``None``.
    aggregate
        Report value problems as one issue per column and problem (record extracts).

    Raises
    ------
    InputError
        When a required column is missing.
    """
    if grid.empty:
        raise missing_columns_error(file, sheet_label, sheet.required, [], None)
    pos, ok = find_header_row(grid, sheet)
    header_cells = [cell_text(v) for v in grid.iloc[pos].tolist()]
    found = [h for h in header_cells if h]
    canon = [canonical_column(h, sheet) if h else None for h in header_cells]
    missing = [c for c in sheet.required if c.name not in canon]
    if not ok or missing:
        raise missing_columns_error(file, sheet_label, missing or sheet.required, found, pos + 1)

    data = grid.iloc[pos + 1 :]
    blank = pd.DataFrame({j: _blank_mask(data[j]) for j in data.columns})
    data = data.loc[~blank.all(axis=1)]
    blank = blank.loc[data.index]
    frame = pd.DataFrame(
        {"src_file": file, "src_sheet": sheet_label, "src_row": (data.index + 1).astype(int)}, index=data.index
    )

    columns: dict[str, pd.Series] = {}
    headers: dict[str, str] = {}
    issues: list[pd.DataFrame] = []
    extras: dict[str, pd.Series] = {}
    for j, (header, name) in enumerate(zip(header_cells, canon, strict=True)):
        col = data.iloc[:, j]
        if name is not None and name not in columns:
            columns[name] = col
            headers[name] = str(header)
            continue
        if header is None and blank.iloc[:, j].all():
            continue  # an empty, unnamed column: formatting, not data
        label = str(header) if header else f"column {_letter(j)}"
        while label in extras or label in columns:
            label = f"{label} (2)"
        extras[label] = col
        if name is not None:
            issues.append(
                issues_frame(
                    [
                        {
                            "file": file,
                            "sheet": sheet_label,
                            "row": pos + 1,
                            "column": label,
                            "value": label,
                            "problem": f"a second column for {name} ({headers[name]!r} is used); kept as an extra column",
                        }
                    ]
                )
            )

    out: dict[str, pd.Series] = {}
    for spec in sheet.columns:
        raw = columns.get(spec.name, pd.Series(None, index=data.index, dtype=object))
        values, problems = normalise_column(raw, spec, date_order)
        out[spec.name] = values
        header = headers.get(spec.name, spec.name)
        if not problems.empty:
            if aggregate:
                issues.append(aggregate_issues(frame, problems, header))
            else:
                issues.append(_problem_issues(frame, problems, header))
        if spec.required and not spec.blank_ok and spec.name in columns:
            empty = _blank_mask(raw)
            if empty.any():
                if aggregate:
                    prob = pd.DataFrame({"value": "", "problem": MISSING_VALUE}, index=raw.index[empty])
                    issues.append(aggregate_issues(frame, prob, header))
                else:
                    issues.append(row_issues(frame, empty, header, pd.Series("", index=raw.index), MISSING_VALUE))
    result = pd.concat([pd.DataFrame(out, index=data.index), pd.DataFrame(extras, index=data.index), frame], axis=1)
    return SheetFrame(result.reset_index(drop=True), headers, _concat(issues), file, sheet_label)


def _problem_issues(frame: pd.DataFrame, problems: pd.DataFrame, header: str) -> pd.DataFrame:
    joined = problems.join(frame[PROVENANCE])
    return issues_frame(
        pd.DataFrame(
            {
                "file": joined["src_file"],
                "sheet": joined["src_sheet"],
                "row": joined["src_row"],
                "column": header,
                "value": joined["value"],
                "problem": joined["problem"],
            }
        )
    )


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else issues_frame()


# --- Arrow tables (large record extracts) -------------------------------------------


def _arrow_ids(column: pa.ChunkedArray) -> pd.Series:
    """Ids as stripped text, missing when empty, converted by Arrow rather than row by row."""
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    trimmed = pc.utf8_trim_whitespace(column)
    empty = pc.equal(trimmed, "")
    if pc.any(empty).as_py():  # the masking pass is the slow part; most extracts need none
        trimmed = pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)
    return trimmed.to_pandas()


def _arrow_dates(column: pa.ChunkedArray, date_order: str | None) -> tuple[pd.Series, pd.DataFrame]:
    """Dates typed by Arrow are cast in one step; text falls back to :func:`normalise_dates`."""
    kind = column.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind) or pa.types.is_null(kind):
        try:
            if pa.types.is_timestamp(kind) and kind.tz is not None:
                column = pc.cast(column, pa.timestamp(kind.unit))
            series = pc.cast(column, pa.timestamp("ns")).to_pandas()
            return normalise_dates(series.astype("datetime64[ns]"), date_order)
        except (pa.ArrowException, ValueError):
            pass  # out of range for nanoseconds: parse the values one distinct value at a time
    return normalise_dates(pd.Series(column.to_pandas(), dtype=object), date_order)


def frame_from_table(
    table: pa.Table, sheet: SheetSpec, file: str, sheet_label: str, header_row: int, date_order: str | None
) -> SheetFrame:
    """Normalise a record extract read by Arrow; data rows start at spreadsheet row ``header_row + 1``.

    Id and date columns are converted with Arrow compute and vectorised
    pandas; other columns stay Arrow-backed (they are never reported).

    Raises
    ------
    InputError
        When a required column is missing.
    """
    names = [str(n) for n in table.column_names]
    canon = [canonical_column(n, sheet) for n in names]
    missing = [c for c in sheet.required if c.name not in canon]
    if missing:
        raise missing_columns_error(file, sheet_label, missing, [n for n in names if n.strip()], header_row)
    n = table.num_rows
    index = pd.RangeIndex(n)
    frame = pd.DataFrame(
        {
            "src_file": pd.Series(file, index=index, dtype=object),
            "src_sheet": pd.Series(sheet_label, index=index, dtype=object),
            "src_row": np.arange(header_row + 1, header_row + 1 + n, dtype=np.int64),
        }
    )
    out: dict[str, pd.Series] = {}
    extras: dict[str, pd.Series] = {}
    headers: dict[str, str] = {}
    issues: list[pd.DataFrame] = []
    for i, (name, col_name) in enumerate(zip(names, canon, strict=True)):
        column = table.column(i)
        if col_name is None or col_name in out:
            label = name
            while label in extras or label in out:
                label = f"{label} (2)"
            extras[label] = column.to_pandas(types_mapper=pd.ArrowDtype)
            continue
        spec = sheet.column(col_name)
        headers[col_name] = name
        if spec.type == "date":
            values, problems = _arrow_dates(column, date_order)
            issues.append(aggregate_issues(frame, problems, name))
        else:
            values = _arrow_ids(column)
            if spec.required:
                empty = values.isna()
                if empty.any():
                    prob = pd.DataFrame({"value": "", "problem": MISSING_VALUE}, index=index[empty.to_numpy()])
                    issues.append(aggregate_issues(frame, prob, name))
        out[col_name] = values
    for spec in sheet.columns:
        if spec.name not in out:
            out[spec.name] = (
                pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
                if spec.type == "date"
                else pd.Series(None, index=index, dtype=object)
            )
    ordered = {spec.name: out[spec.name] for spec in sheet.columns}
    result = pd.concat([pd.DataFrame(ordered, index=index), pd.DataFrame(extras, index=index), frame], axis=1)
    return SheetFrame(result, headers, _concat(issues), file, sheet_label)


def fold_match(values: pd.Series, known: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Match ``values`` to the spelling used in ``known``, ignoring case and punctuation.

    Returns the values rewritten to the known spelling where one matches,
    and a mask of values (non-blank) that match nothing. Works on distinct
    values only, so it is cheap on a million-row extract.
    """
    table = {fold(k): k for k in pd.unique(known.dropna())}
    uniques = pd.unique(values.dropna())
    mapping = {u: table.get(fold(u)) for u in uniques}
    mapped = values.map(mapping)
    unknown = values.notna() & mapped.isna()
    return mapped.where(~unknown, values).astype(object), unknown
