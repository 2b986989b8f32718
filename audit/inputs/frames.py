"""Turning a raw grid or an Arrow table into a normalised frame with provenance and issues.

Whatever the file format, a sheet goes through the same steps here: find the
header row below any title rows, name the columns by the contract's aliases
(keeping unknown columns as they are), stop with one clear error if a
required column is missing, normalise every known column by its type, and
stamp each row with the file, sheet and row number a person would see.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

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
    pos, cells, canon = _grid_header(grid, sheet, file, sheet_label)
    data, blank = _data_rows(grid, pos)
    frame = _provenance(file, sheet_label, (data.index + 1).astype(int), data.index)
    cols = _Columns(file, sheet_label)
    _sort_grid_columns(cols, data, blank, cells, canon, pos + 1)
    for spec in sheet.columns:
        raw = cols.known.get(spec.name, pd.Series(None, index=data.index, dtype=object))
        values, problems = normalise_column(raw, spec, date_order)
        cols.normalised[spec.name] = values
        header = cols.headers.get(spec.name, spec.name)
        if not problems.empty:
            report = aggregate_issues if aggregate else _problem_issues
            cols.issues.append(report(frame, problems, header))
        if spec.required and not spec.blank_ok and spec.name in cols.known:
            cols.issues.append(_missing_value_issues(frame, _blank_mask(raw), header, aggregate))
    return cols.sheet_frame(sheet, frame)


@dataclass
class _Columns:
    """The columns of one sheet being sorted out: known (by canonical name), extra, and the issues found.

    Grids and Arrow tables sort their columns the same way: the first column
    for a canonical name is that column, anything else is kept under its own
    (made unique) header so no data is dropped, and the frame puts the
    contract's columns first, then the extras, then the provenance.
    """

    file: str
    sheet: str
    known: dict[str, pd.Series] = field(default_factory=dict)
    normalised: dict[str, pd.Series] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    extras: dict[str, pd.Series] = field(default_factory=dict)
    issues: list[pd.DataFrame] = field(default_factory=list)

    def add_extra(self, label: str, column: pd.Series) -> str:
        """Keep ``column`` as an extra column; a taken label gets `` (2)`` appended until it is free."""
        while label in self.extras or label in self.known:
            label = f"{label} (2)"
        self.extras[label] = column
        return label

    def header_issue(self, header_row: int, label: str, problem: str) -> None:
        """Note an issue about the header cell ``label``, cited on the header row where the person will look."""
        issue = {
            "file": self.file,
            "sheet": self.sheet,
            "row": header_row,
            "column": label,
            "value": label,
            "problem": problem,
        }
        self.issues.append(issues_frame([issue]))

    def sheet_frame(self, spec: SheetSpec, frame: pd.DataFrame) -> SheetFrame:
        """The loaded sheet: contract columns in contract order, extras, provenance, on a fresh row index.

        The index is replaced rather than reset: resetting would copy a
        million-row extract for nothing.
        """
        index = frame.index
        ordered = {c.name: self.normalised[c.name] for c in spec.columns}
        result = pd.concat([pd.DataFrame(ordered, index=index), pd.DataFrame(self.extras, index=index), frame], axis=1)
        result.index = pd.RangeIndex(len(result))
        return SheetFrame(result, self.headers, _concat(self.issues), self.file, self.sheet)


def _grid_header(
    grid: pd.DataFrame, sheet: SheetSpec, file: str, sheet_label: str
) -> tuple[int, list[str | None], list[str | None]]:
    """Position of the header row, its cells as text, and the canonical name of each (``None``: extra).

    Raises
    ------
    InputError
        When the sheet is empty or a required column is missing, with the headers found.
    """
    if grid.empty:
        raise missing_columns_error(file, sheet_label, sheet.required, [], None)
    pos, ok = find_header_row(grid, sheet)
    header_cells = [cell_text(v) for v in grid.iloc[pos].tolist()]
    canon = [canonical_column(h, sheet) if h else None for h in header_cells]
    missing = [c for c in sheet.required if c.name not in canon]
    if not ok or missing:
        found = [h for h in header_cells if h]
        raise missing_columns_error(file, sheet_label, missing or sheet.required, found, pos + 1)
    return pos, header_cells, canon


def _data_rows(grid: pd.DataFrame, pos: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows below the header that hold anything, and which of their cells are blank.

    Fully blank rows are spacing, not records; the index keeps each row's
    position so provenance still names the spreadsheet row.
    """
    data = grid.iloc[pos + 1 :]
    blank = pd.DataFrame({j: _blank_mask(data[j]) for j in data.columns})
    data = data.loc[~blank.all(axis=1)]
    return data, blank.loc[data.index]


def _provenance(file: str, sheet_label: str, rows: pd.Index | np.ndarray, index: pd.Index) -> pd.DataFrame:
    """The ``src_file``, ``src_sheet``, ``src_row`` columns that let every issue name the cell a person can open."""
    return pd.DataFrame(
        {
            "src_file": pd.Series(file, index=index, dtype=object),
            "src_sheet": pd.Series(sheet_label, index=index, dtype=object),
            "src_row": np.asarray(rows, dtype=np.int64),
        },
        index=index,
    )


def _sort_grid_columns(
    cols: _Columns,
    data: pd.DataFrame,
    blank: pd.DataFrame,
    cells: list[str | None],
    canon: list[str | None],
    header_row: int,
) -> None:
    """Sort the grid's columns into ``cols``; a second column for a canonical name is kept, with an issue.

    An empty, unnamed column is formatting, not data, and is dropped; an
    unnamed column with data is kept as ``column <letter>``.
    """
    for j, (header, name) in enumerate(zip(cells, canon, strict=True)):
        col = data.iloc[:, j]
        if name is not None and name not in cols.known:
            cols.known[name] = col
            cols.headers[name] = str(header)
            continue
        if header is None and blank.iloc[:, j].all():
            continue
        label = cols.add_extra(str(header) if header else f"column {_letter(j)}", col)
        if name is not None:
            problem = f"a second column for {name} ({cols.headers[name]!r} is used); kept as an extra column"
            cols.header_issue(header_row, label, problem)


def _missing_value_issues(frame: pd.DataFrame, empty: pd.Series, header: str, aggregate: bool) -> pd.DataFrame:
    """Issues for the rows where a required column is blank: one per row, or one in all (``aggregate``)."""
    if not empty.any():
        return issues_frame()
    if aggregate:
        prob = pd.DataFrame({"value": "", "problem": MISSING_VALUE}, index=frame.index[empty.to_numpy()])
        return aggregate_issues(frame, prob, header)
    return row_issues(frame, empty, header, pd.Series("", index=frame.index), MISSING_VALUE)


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
    first = header_row + 1
    frame = _provenance(file, sheet_label, np.arange(first, first + table.num_rows), pd.RangeIndex(table.num_rows))
    cols = _Columns(file, sheet_label)
    for i, (name, col_name) in enumerate(zip(names, canon, strict=True)):
        column = table.column(i)
        if col_name is None or col_name in cols.known:
            cols.add_extra(name, column.to_pandas(types_mapper=pd.ArrowDtype))
            continue
        cols.headers[col_name] = name
        values, issues = _arrow_values(column, sheet.column(col_name), frame, name, date_order)
        cols.issues.append(issues)
        cols.known[col_name] = values
    cols.normalised = {
        spec.name: cols.known.get(spec.name, _absent_column(spec, frame.index)) for spec in sheet.columns
    }
    return cols.sheet_frame(sheet, frame)


def _arrow_values(
    column: pa.ChunkedArray, spec: ColumnSpec, frame: pd.DataFrame, header: str, date_order: str | None
) -> tuple[pd.Series, pd.DataFrame]:
    """A known extract column converted by Arrow, with its aggregated issues.

    An extract only carries ids and dates the rules read; only those are
    converted, and a blank required id is the one missing-value problem.
    """
    if spec.type == "date":
        values, problems = _arrow_dates(column, date_order)
        return values, aggregate_issues(frame, problems, header)
    values = _arrow_ids(column)
    if not spec.required:
        return values, issues_frame()
    return values, _missing_value_issues(frame, values.isna(), header, aggregate=True)


def _absent_column(spec: ColumnSpec, index: pd.Index) -> pd.Series:
    """An optional column the extract does not have: all missing, typed as the rules expect."""
    if spec.type == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.Series(None, index=index, dtype=object)


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
