"""Turning a raw grid or an Arrow table into a normalised frame with provenance and issues.

Whatever the file format, a sheet goes through the same steps here: find the
header row below any title rows, sort the columns by the contract's aliases
(:mod:`audit.inputs.headers`: every column is read, kept as a known note, or
kept and reported), stop with one clear error if a required column is
missing, normalise every known column by its type, and stamp each row with
the file, sheet and row number a person would see. Issues of one kind past
:data:`ROW_ISSUE_LIMIT` rows are counted in one issue rather than listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from audit.errors import InputError
from audit.inputs.headers import SheetColumns
from audit.inputs.model import DEFAULT_SEVERITY, ISSUE_FRAME_COLUMNS, PROVENANCE
from audit.inputs.quoting import looks_personal
from audit.inputs.schema import ColumnSpec, SheetSpec, canonical_column, find_header_row
from audit.inputs.values import cell_text, normalise_column
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
    spec: SheetSpec | None = None

    def header(self, column: str) -> str:
        """The header as written in the file (the canonical name when the column was absent)."""
        return self.headers.get(column, column)


ROW_ISSUE_LIMIT = 100
"""Most issues of one kind (file, sheet, column, problem) listed row by row.

A register has tens or hundreds of rows and each issue names the row to
fix; a junk sheet of 200,000 rows would otherwise become millions of report
rows. Beyond the limit the kind becomes one issue with the count, the first
rows and a few example values, as record extracts always are."""


def issues_frame(rows: list[dict] | pd.DataFrame | None = None, severity: str = DEFAULT_SEVERITY) -> pd.DataFrame:
    """Issues with the standard columns, in the standard order; rows without a severity get ``severity``.

    A kind of issue with more than :data:`ROW_ISSUE_LIMIT` rows is folded into one (:func:`_fold_many`).
    """
    df = pd.DataFrame(rows if rows is not None else [], columns=ISSUE_FRAME_COLUMNS).astype(object)
    df["severity"] = df["severity"].where(df["severity"].notna(), severity)
    return _fold_many(df) if len(df) > ROW_ISSUE_LIMIT else df


def _fold_many(issues: pd.DataFrame) -> pd.DataFrame:
    """``issues`` with each kind of more than :data:`ROW_ISSUE_LIMIT` rows folded into one counted issue."""
    keys = issues[["file", "sheet", "column", "problem"]].astype(str)
    size = keys.groupby(list(keys.columns), sort=False)["file"].transform("size")
    many = (size > ROW_ISSUE_LIMIT).to_numpy()
    if not many.any():
        return issues
    folded = []
    for _, group in issues[many].groupby([keys[c][many] for c in keys.columns], sort=False):
        first = group.iloc[0]
        rows = group["row"].head(EXAMPLES).tolist()
        examples = tuple(dict.fromkeys(str(v) for v in group["value"] if v is not None and str(v) != ""))[:EXAMPLES]
        where = ", ".join(str(r) for r in rows)
        folded.append(
            {
                **first.to_dict(),
                "value": examples or "",
                "problem": f"{first['problem']}: {len(group)} rows (first: {where})",
            }
        )
    return pd.concat([issues[~many], pd.DataFrame(folded, columns=ISSUE_FRAME_COLUMNS)], ignore_index=True)


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
    to know what is wrong, how often and where to look. ``value`` is a tuple
    of example values, joined once :func:`audit.inputs.quoting.quote_safely`
    has decided which of them may be shown.
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
                # The examples stay apart until audit.inputs.quoting decides which may be shown.
                "value": tuple(values) if values != [""] else "",
                "problem": f"{problem}: {count} {noun} (first: {where})",
            }
        )
    return issues_frame(out)


def _alias_hint(spec: ColumnSpec) -> str:
    return f"'{spec.name}' (also accepted: {', '.join(spec.aliases)})" if spec.aliases else f"'{spec.name}'"


def missing_columns_error(
    file: str, sheet: str, missing: list[ColumnSpec], found: list[str], header_row: int | None
) -> InputError:
    """The one-line error for required columns that are not there, with the headers that were."""
    noun = "column" if len(missing) == 1 else "columns"
    listed = ", ".join(_alias_hint(c) for c in missing)
    where = f" (row {header_row})" if header_row is not None else ""
    shown = ", ".join(_shown_header(h) for h in found) if found else "none"
    return InputError(f"{file}, sheet {sheet}: missing required {noun} {listed}; headers found{where}: {shown}")


def _shown_header(text: str) -> str:
    """A header as an error may show it: when no header row is found, the "headers" may be a row of data.

    A cell that looks like personal data (an e-mail address, a personal
    identity number; see :func:`~audit.inputs.quoting.value_kind`) is shown by its kind.
    """
    kind = looks_personal(text)
    if kind:
        return f"<{kind}>"
    return repr(text) if any(not c.isprintable() for c in text) else text  # a line break shown as \n


def _blank_mask(column: pd.Series) -> pd.Series:
    """Blank cells: missing, empty or only spaces, or the text ``nan`` (how a missing number reads as text)."""
    blank = column.isna() | column.eq("") | column.eq("nan")
    rest = column[~blank]
    text = rest[rest.map(type).eq(str)]
    spaces = text.str.isspace() | text.str.strip().eq("nan")
    blank[spaces.index[spaces.to_numpy(dtype=bool)]] = True
    return blank


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
    cols = SheetColumns(file, sheet_label, sheet, pos + 1, frozenset(n for n in canon if n))
    _sort_grid_columns(cols, data, blank, cells)
    normalised: dict[str, pd.Series] = {}
    issues: list[pd.DataFrame] = []
    for spec in sheet.columns:
        raw = cols.known.get(spec.name, pd.Series(None, index=data.index, dtype=object))
        values, problems = normalise_column(raw, spec, date_order)
        normalised[spec.name] = values
        header = cols.headers.get(spec.name, spec.name)
        if not problems.empty:
            issues.append(_value_issues(frame, problems, header, aggregate))
        if spec.required and not spec.blank_ok and spec.name in cols.known:
            issues.append(_missing_value_issues(frame, _blank_mask(raw), header, aggregate))
    return _assemble(cols, normalised, frame, issues)


def _value_issues(frame: pd.DataFrame, problems: pd.DataFrame, header: str, aggregate: bool) -> pd.DataFrame:
    """Issues for a column's problems: one per row, but one in all for a kind past :data:`ROW_ISSUE_LIMIT`.

    Deciding per kind before the rows are built spares building a junk
    sheet's hundreds of thousands of issue rows only to fold them again.
    """
    if aggregate:
        return aggregate_issues(frame, problems, header)
    many = problems["problem"].map(problems["problem"].value_counts()) > ROW_ISSUE_LIMIT
    if not many.any():
        return _problem_issues(frame, problems, header)
    return _concat([_problem_issues(frame, problems[~many], header), aggregate_issues(frame, problems[many], header)])


def _assemble(cols: SheetColumns, normalised: dict[str, pd.Series], frame: pd.DataFrame, issues: list) -> SheetFrame:
    """The loaded sheet: contract columns in contract order, extras, provenance, on a fresh row index.

    The index is replaced rather than reset: resetting would copy a
    million-row extract for nothing.
    """
    index = frame.index
    ordered = {c.name: normalised[c.name] for c in cols.spec.columns}
    result = pd.concat([pd.DataFrame(ordered, index=index), pd.DataFrame(cols.extras, index=index), frame], axis=1)
    result.index = pd.RangeIndex(len(result))
    all_issues = _concat([issues_frame(cols.issues), *issues])
    return SheetFrame(result, cols.headers, all_issues, cols.file, cols.sheet, cols.spec)


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


def _sort_grid_columns(cols: SheetColumns, data: pd.DataFrame, blank: pd.DataFrame, cells: list[str | None]) -> None:
    """Sort the grid's columns into ``cols`` (:meth:`SheetColumns.place`).

    An empty, unnamed column is formatting, not data, and is dropped; an
    unnamed column with data is kept as ``column <letter>``.
    """
    for j, header in enumerate(cells):
        if header is None and blank.iloc[:, j].all():
            continue
        cols.place(j, header, data.iloc[:, j])


def _missing_value_issues(frame: pd.DataFrame, empty: pd.Series, header: str, aggregate: bool) -> pd.DataFrame:
    """Issues for the rows where a required column is blank: one per row, or one in all (``aggregate``, or many)."""
    if not empty.any():
        return issues_frame()
    if aggregate or empty.sum() > ROW_ISSUE_LIMIT:
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


def fold_match(values: pd.Series, known: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Match ``values`` to the spelling used in ``known``, ignoring case and punctuation.

    Returns the values rewritten to the known spelling where one matches,
    and a mask of values (non-blank) that match nothing. Works on distinct
    values only, so it is cheap on a million-row extract.
    """
    exact = values.isin(known.dropna())
    table = _fold_table(tuple(pd.unique(known.dropna()))) if not exact[values.notna()].all() else {}
    uniques = pd.unique(values[~exact].dropna())
    mapping = {u: table.get(fold(u)) for u in uniques}
    mapped = values.map(mapping).where(~exact, values)
    unknown = values.notna() & mapped.isna()
    return mapped.where(~unknown, values).astype(object), unknown


@lru_cache(maxsize=4)
def _fold_table(known: tuple[str, ...]) -> dict[str, str]:
    """Folded spelling -> the known spelling; kept for the next call, which usually asks about the same sheet."""
    return {fold(k): k for k in known}
