"""The DPO workbook: every finding and table of an audit, safe to open and to keep working in.

Written with openpyxl in write-only mode (fast enough for tens of thousands
of findings), to a temporary file that replaces the report only when it is
complete. Every text cell that comes from input data is written as text,
never as a formula, and stripped of control characters. The DPO's own
columns (``Status``, ``Owner``, ``Comment``) are carried forward from the
previous workbook by ``finding_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from audit.report.files import FORMULA_START, atomic_write, clean_text

WRAP_WIDTH = 50
MAX_WIDTH = 60
MIN_WIDTH = 8
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="34495E")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATE_FORMAT = "yyyy-mm-dd"
CHART_WIDTH_PX = 760
# Summary columns: labels, values, then a wide third column that fits a SHA-256.
SUMMARY_WIDTHS = {"A": 30, "B": 24, "C": 68, "D": 11, "E": 11, "F": 11, "G": 11}
ROW_HEIGHT_PX = 20
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)


WORKBOOK_SUFFIX = "-privacy-audit.xlsx"


def workbook_name(as_of: dt.date | None) -> str:
    """``<as-of>-privacy-audit.xlsx``: sortable, and one file per audit date (``None``: the glob of any date)."""
    return f"{as_of.isoformat() if as_of else '????-??-??'}{WORKBOOK_SUFFIX}"


@dataclass
class Sheet:
    """One table sheet: a frame and how to present it."""

    name: str
    frame: pd.DataFrame
    note: str | None = None
    after: list[tuple[str, pd.DataFrame | None]] = field(default_factory=list)
    """Blocks below the table and its notes: a bold line, then (when not ``None``) a table of its own."""


# ---------------------------------------------------------------- cell writing


def _to_cell_value(value: object) -> object:
    """Excel-ready value: dates as dates, lists joined, missing as empty."""
    if value is None:
        return None
    if isinstance(value, list | tuple | set | np.ndarray):
        return "; ".join(str(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime().date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Column-wise conversion to Excel-ready objects (vectorised per column)."""
    # By position: an input may repeat a header, and ``frame[name]`` would then be a frame.
    columns = [_prepare_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    out = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=frame.index)
    out.columns = frame.columns
    return out


def _prepare_column(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return pd.Series([None if pd.isna(v) else v.date() for v in s], index=s.index, dtype=object)
    if pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
        return s.astype(object).map({True: "yes", False: "no"}).where(s.notna(), None)
    return s.astype(object).map(_to_cell_value).map(clean_text)


def _widths(frame: pd.DataFrame) -> list[float]:
    """Column widths that fit header and content (90th percentile), capped."""
    widths = []
    for i, col in enumerate(frame.columns):
        lengths = frame.iloc[:, i].map(lambda v: 0 if v is None else len(str(v)))
        content = float(lengths.quantile(0.9)) if len(lengths) else 0.0
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, max(len(str(col)) + 2, content + 2))))
    return widths


def _rows(ws, frame: pd.DataFrame, wrap: set[int], fills: dict[int, dict[str, PatternFill]]) -> Iterator[list]:
    """Rows of cells; special cells (text that looks like a formula, wrapped, dated, filled) get a WriteOnlyCell.

    Each distinct cell style is registered once and its style array copied
    onto later cells: assigning openpyxl style objects per cell costs more
    than the rest of the writing for tens of thousands of findings.
    """
    styles: dict[tuple, StyleArray] = {}

    def style_for(key: tuple) -> StyleArray:
        if key not in styles:
            is_date, wrapped, fill = key
            proto = WriteOnlyCell(ws)
            if is_date:
                proto.number_format = DATE_FORMAT
            if fill is not None:
                proto.fill = fill
            proto.alignment = WRAP if wrapped else TOP
            styles[key] = proto._style
        return styles[key]

    for values in frame.itertuples(index=False, name=None):
        row = []
        for i, value in enumerate(values):
            needs_text = isinstance(value, str) and value.startswith(FORMULA_START)
            is_date = isinstance(value, dt.date)
            fill = fills[i].get(value) if i in fills else None
            wrapped = i in wrap and value is not None
            if needs_text or is_date or fill is not None or wrapped:
                cell = WriteOnlyCell(ws, value=value)
                if needs_text:
                    cell.data_type = "s"
                cell._style = copy(style_for((is_date, wrapped, fill)))
                row.append(cell)
            else:
                row.append(value)
        yield row


def _text_cell(ws, value: object) -> WriteOnlyCell:
    """A cell holding ``value`` as text: never a formula, whatever it starts with, and without control characters."""
    cell = WriteOnlyCell(ws, value=clean_text(str(value)))
    cell.data_type = "s"
    return cell


def _header(ws, names: Iterable[object]) -> list:
    """The header row; column names can come from input headers, so each is written as text."""
    cells = []
    for name in names:
        cell = _text_cell(ws, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cells.append(cell)
    return cells


def _write_table(wb, sheet: Sheet, cap: int, fills: dict[str, dict[str, PatternFill]] | None = None):
    ws = wb.create_sheet(sheet.name)
    frame = sheet.frame
    left_out = max(0, len(frame) - cap)
    frame = _prepare(frame.head(cap))
    widths = _widths(frame)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    wrap = {i for i, w in enumerate(widths) if w >= WRAP_WIDTH}
    col_fills = {list(frame.columns).index(c): f for c, f in (fills or {}).items() if c in frame.columns}
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    ncols = max(1, len(frame.columns))
    ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{len(frame) + 1}"
    ws.append(_header(ws, frame.columns))
    for row in _rows(ws, frame, wrap, col_fills):
        ws.append(row)
    notes = [n for n in (sheet.note,) if n]
    if left_out:
        notes.append(
            f"{left_out:,} more rows were left out of this sheet (Excel limit guard: {cap:,} rows shown); "
            "the complete table is in the CSV files beside this workbook."
        )
    if frame.empty:
        notes.append("Nothing to show.")
    for note in notes:
        ws.append([])
        cell = WriteOnlyCell(ws, value=note)
        cell.font = Font(italic=True)
        ws.append([cell])
    _blocks(ws, sheet.after)
    return ws


def _blocks(ws, blocks: list[tuple[str, pd.DataFrame | None]]) -> None:
    """A bold title line per block, then its table (header and rows, every text cell as text)."""
    for title, frame in blocks:
        ws.append([])
        cell = _text_cell(ws, title)
        cell.font = BOLD
        ws.append([cell])
        if frame is None:
            continue
        ws.append(_header(ws, frame.columns))
        for row in _prepare(frame).itertuples(index=False):
            ws.append([None if v is None else _text_cell(ws, v) if isinstance(v, str) else v for v in row])


def _hidden_sheet(wb, name: str, lines: list[str]) -> None:
    """A hidden sheet of text lines in column A (data for the next run, such as the policy model's JSON)."""
    ws = wb.create_sheet(name)
    ws.sheet_state = "hidden"
    for line in lines:
        ws.append([_text_cell(ws, line)])


# ---------------------------------------------------------------- summary


def _summary(wb, meta: list[tuple[str, object]], blocks: list[tuple[str, pd.DataFrame]], charts: list[Path]):
    ws = wb.create_sheet("Summary", 0)
    for letter, width in SUMMARY_WIDTHS.items():
        ws.column_dimensions[letter].width = width
    _print_setup(ws)  # before the first row: write-only sheets emit their properties then
    title = WriteOnlyCell(ws, value="Privacy audit")
    title.font = TITLE_FONT
    ws.append([title])
    for key, value in meta:
        k = WriteOnlyCell(ws, value=key)
        k.font = BOLD
        v = WriteOnlyCell(ws, value=clean_text(_to_cell_value(value)))
        if isinstance(v.value, str) and v.value.startswith(FORMULA_START):
            v.data_type = "s"
        if isinstance(v.value, dt.date):
            v.number_format = DATE_FORMAT
        v.alignment = Alignment(horizontal="left")
        ws.append([k, v])
    for heading, frame in blocks:
        ws.append([])
        h = WriteOnlyCell(ws, value=heading)
        h.font = Font(bold=True, size=12)
        ws.append([h])
        prepared = _prepare(frame)
        ws.append(_header(ws, prepared.columns))
        for row in _rows(ws, prepared, set(), {}):
            ws.append(row)
    # Charts go below the tables, so the sheet prints (and converts to PDF) top to bottom.
    used_rows = 1 + len(meta) + sum(3 + len(frame) for _, frame in blocks)
    anchor_row = used_rows + 3
    for chart in charts:
        img = Image(str(chart))
        scale = CHART_WIDTH_PX / img.width if img.width > CHART_WIDTH_PX else 1.0
        img.width, img.height = int(img.width * scale), int(img.height * scale)
        ws.add_image(img, f"A{anchor_row}")
        anchor_row += int(img.height / ROW_HEIGHT_PX) + 2
    return ws


def _print_setup(ws) -> None:
    """Landscape, one page wide: what a DPO gets when printing or exporting to PDF."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


# ---------------------------------------------------------------- the workbook


def write_workbook(
    path: Path,
    *,
    findings: pd.DataFrame,
    resolved: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    meta: list[tuple[str, object]],
    summary_blocks: list[tuple[str, pd.DataFrame]],
    charts: list[Path],
    status_choices: Iterable[str],
    severity_fills: dict[str, str],
    row_cap: int,
    after: dict[str, list[tuple[str, pd.DataFrame | None]]] | None = None,
    hidden: dict[str, list[str]] | None = None,
    lang: str = "en",
) -> Path:
    """Write the workbook atomically; ``findings`` already carries the DPO columns.

    ``tables`` maps sheet name to frame, in the order the sheets should
    appear after ``Summary`` and ``Findings``. ``after``: blocks written
    below a table sheet's rows (the Policy sheet's changes since the previous
    workbook). ``hidden``: hidden sheets of text lines, before ``Resolved
    since last run`` (the policy model a later run compares with).
    ``lang``: the language of sheet names, headers and labels.
    """
    fills = {sev: PatternFill("solid", fgColor=colour) for sev, colour in severity_fills.items()}

    def write(tmp: Path) -> None:
        wb = openpyxl.Workbook(write_only=True)
        _summary(wb, meta, summary_blocks, charts)
        ws = _write_table(wb, Sheet("Findings", findings), row_cap, {"severity": fills})
        if "Status" in findings.columns and len(findings):
            letter = get_column_letter(list(findings.columns).index("Status") + 1)
            choices = ",".join(status_choices)
            dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showDropDown=False)
            dv.error = f"Choose one of: {choices}"
            dv.errorTitle = "Status"
            dv.add(f"{letter}2:{letter}{min(len(findings), row_cap) + 1}")
            ws.data_validations.append(dv)
        for name, frame in tables.items():
            _write_table(wb, Sheet(name, frame, after=(after or {}).get(name, [])), row_cap)
        for name, lines in (hidden or {}).items():
            _hidden_sheet(wb, name, lines)
        _write_table(wb, Sheet("Resolved since last run", resolved), row_cap)
        try:
            wb.save(tmp)
        except BaseException:
            # Finish the half-written sheets so their temporary files close now, not at garbage collection.
            for sheet in wb.worksheets:
                if not sheet.closed:
                    sheet.close()
            raise

    return atomic_write(path, write)
