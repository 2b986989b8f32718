"""The DPO workbook: every finding and table of an audit, safe to open, to print and to keep working in.

Written with XlsxWriter, which writes row heights, print setup, hyperlinks,
drop-downs and cell formats natively and fast enough for 50,000 findings, to
a temporary file that replaces the report only when it is complete. Every
text cell is written with ``write_string``, so a text that starts with
``=``, ``+``, ``-`` or ``@`` stays text, and control characters are removed.

Every word a reader sees (sheet names, headers, labels, notes) comes from the
catalogues ``data/reference/messages/report.yaml`` and ``common.yaml`` in the
report's language; the CSVs beside the workbook keep the English column names.
The finding columns' header row is the first row of the Findings sheet and
uses exactly the ``common.column.*`` labels, so a later run reads the DPO's
``Status``, ``Owner`` and ``Comment`` back whatever the language.

Layout rules that hold in Excel and LibreOffice alike: the default font is
Arial (LibreOffice prints it with the metric-compatible Liberation Sans, so
the row heights estimated here fit in both), wrapped columns get row heights
from their text, every sheet prints landscape on A4, one page wide, with the
header row repeated and a footer naming sheet, page and as-of date; the
Summary prints on one page and each chart on a page of its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.image import Image  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from audit.reference.i18n import code_for, label, labels, text, yes_no
from audit.report.files import atomic_write, clean_text

WORKBOOK_SUFFIX = "-privacy-audit.xlsx"

FONT = {"font_name": "Arial", "font_size": 10}
"""Arial: on every Excel, and LibreOffice prints it with metric-compatible Liberation Sans."""
MIN_WIDTH = 6
MAX_WIDTH = 48
WRAP_WIDTH = 34
"""A text column wider than this wraps at this width; its rows grow to fit."""
HEADER_MAX = 16
"""Headers wrap, so a long header does not widen a narrow column past this."""
WIDTH_BUDGET = 260
"""Total column width (characters) a sheet aims at, so one page wide still prints readably."""
NARROWEST_WRAP = 14
LINK_MAX = 64
"""Widest an evidence column grows to fit its links; a longer evidence text is shown wrapped, without a link."""
DPO_WIDTHS = {"Status": 18, "Owner": 18, "Comment": 40}
"""The DPO's own columns: wide enough for the drop-down values and for typing."""
CHARS_PER_WIDTH = 1.0
"""Characters of wrapped text per unit of column width (a width unit is the width of a digit; text is narrower, but words wrap whole)."""
LINE_PT = 12.75
"""Height of one line of 10 pt Arial, with leading, in points."""
ROW_PAD_PT = 2.0
MAX_ROW_PT = 409.0
"""Excel's largest row height."""
MAX_URLS = 65_530
"""Excel's limit on hyperlinks in one sheet."""
DATE_FORMAT = "yyyy-mm-dd"
SUMMARY_WIDTHS = [30, 22, 40, 12, 12, 12, 12]
"""Summary columns: labels, values, a wide wrapped third column (sources, SHA-256), then counts."""
CHART_BOX_PX = (1000, 600)
"""The largest a chart is drawn: one landscape A4 page with small margins, at 96 dpi."""
CHART_ROW_PX = 20
CHART_COLUMNS = 16
"""Default-width columns a chart spans (64 px each), for the Charts sheet's print area."""
MARGINS = {"left": 0.3, "right": 0.3, "top": 0.4, "bottom": 0.6}
PROVENANCE = [("src_file", "src_sheet", "src_row"), ("file", "sheet", "row")]
"""Columns that name the input row a table row comes from: the targets of the Findings' evidence links."""
EVIDENCE_ROW = re.compile(r"^(?P<file>[^›;]+?) › (?P<sheet>[^›;]+?) › row (?P<row>\d+)")
"""The start of an evidence text citing an input row: ``file › sheet › row N``."""
DATE_NAMED = re.compile(r"(^|_)(date|decision|due|seen|on|received|deadline|completed|reviewed|started)$")
"""Columns whose ISO date texts are written as real dates (adequacy decisions, reference dates)."""
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def workbook_name(as_of: dt.date | None) -> str:
    """``<as-of>-privacy-audit.xlsx``: sortable, and one file per audit date (``None``: the glob of any date)."""
    return f"{as_of.isoformat() if as_of else '????-??-??'}{WORKBOOK_SUFFIX}"


@dataclass
class Column:
    """A column ready to write: shown header, cell values (``None`` = empty) and how to show them."""

    header: str
    values: list[Any]
    kind: str = "text"
    """``text``, ``int``, ``number``, ``percent`` or ``date`` (the number format of the column's numbers)."""
    width: float = MIN_WIDTH
    wrap: bool = False
    fills: list[str | None] | None = None
    """Per cell, the severity code whose fill the cell gets (the Findings' severity column)."""


# ---------------------------------------------------------------- values


def _cell_value(value: object) -> object:
    """Excel-ready value: dates as dates, lists joined, missing as empty, text without control characters."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple | set | np.ndarray):
        return clean_text("; ".join(str(v) for v in value))
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return clean_text("; ".join(f"{k}: {v}" for k, v in value.items()))
    if isinstance(value, int | float | dt.date):
        return value
    return clean_text(str(value))


def _labelled(s: pd.Series, name: str, lang: str) -> pd.Series | None:
    """Codes shown as the catalogue's labels: severities, areas, statuses, ``new``; ``None`` for other columns."""
    if name == "severity":
        return s.map(lambda v: None if pd.isna(v) else label("common.severity", v, lang))
    if name == "area":

        def area(v: object) -> object:
            if pd.isna(v):
                return None
            code = code_for("common.area", v)
            return label("common.area", code, lang) if code else label("report.value", v, lang)

        return s.map(area)
    if name == "Status":
        return s.map(lambda v: None if pd.isna(v) else label("common.status", v, lang))
    if name == "Since last run":
        return s.map(lambda v: None if pd.isna(v) else label("common.change", v, lang))
    # A table column whose values are codes (a transfer's status, a request's status): the catalogue's
    # ``report.value.<column>.<code>`` labels; a value it does not list is shown as it is.
    shown = labels(f"report.value.{name}", lang)
    if shown:
        return s.map(lambda v: None if pd.isna(v) else shown.get(str(v), v))
    return None


def _column(s: pd.Series, name: object, header: str, lang: str) -> Column:
    """One frame column as cells, vectorised per column: the type decides the number format."""
    key = str(name)
    if pd.api.types.is_datetime64_any_dtype(s):
        dates = s.dt.date.astype(object)
        return Column(header, dates.where(s.notna(), None).tolist(), "date")
    if pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
        return Column(header, [yes_no(v, lang) for v in s.astype(object).where(s.notna(), None)])
    if pd.api.types.is_numeric_dtype(s):
        values = s.astype(object).where(s.notna(), None).tolist()
        if key.startswith("share_"):
            kind = "percent"
        elif pd.api.types.is_integer_dtype(s) or bool((s.dropna() % 1 == 0).all()):
            kind = "int"
        else:
            kind = "number"
        return Column(header, values, kind)
    labelled = _labelled(s, key, lang)
    if labelled is not None:
        return Column(header, labelled.map(_cell_value).tolist())
    values = s.map(_cell_value)
    if DATE_NAMED.search(key):
        iso = values.map(lambda v: isinstance(v, str)) & values.astype(str).str.fullmatch(ISO_DATE)
        if iso.any():
            parsed = pd.to_datetime(values.where(iso), format="%Y-%m-%d", errors="coerce")
            values = values.where(~(iso & parsed.notna()), parsed.dt.date.astype(object))
            if bool(values.map(lambda v: v is None or isinstance(v, dt.date)).all()):
                return Column(header, values.tolist(), "date")
    return Column(header, values.tolist())


def _header_label(name: object, lang: str, findings: bool) -> str:
    """The shown header: a finding column's ``common.column`` label, a table column's ``report.column`` label.

    A column the catalogues do not know (an input's own header, such as a
    DPO's ``Kommentar``) is shown as written, as text.
    """
    code = str(name)
    groups = ("common.column", "report.column") if findings else ("report.column", "common.column")
    for group in groups:
        shown = label(group, code, lang)
        if shown != code:
            return shown
    if code in {"high", "medium", "low", "info"}:
        return label("common.severity", code, lang)
    return str(clean_text(code))


def _columns(frame: pd.DataFrame, lang: str, findings: bool = False) -> list[Column]:
    """Every column of ``frame`` (by position: an input may repeat a header) ready to write."""
    return [
        _column(frame.iloc[:, i], name, _header_label(name, lang, findings), lang)
        for i, name in enumerate(frame.columns)
    ]


def _text_lengths(values: list[Any]) -> pd.Series:
    """Displayed length of each cell (dates 10, numbers their digits)."""
    s = pd.Series(values, dtype=object)
    lengths = s.astype(str).str.len()
    lengths[s.isna()] = 0
    return lengths.astype(float)


def _fit(
    columns: list[Column], fixed: dict[str, float] | None = None, links: int | None = None, budget: float | None = None
) -> None:
    """Column widths from content (90th percentile) and header, capped; wide text columns wrap.

    A sheet printed one page wide shrinks to fit, so a table wider than
    :data:`WIDTH_BUDGET` narrows its long text columns (down to
    :data:`NARROWEST_WRAP`) and lets their rows grow instead: taller rows
    print more pages, but at a size that can be read. ``links``: the column
    of evidence hyperlinks, which LibreOffice never wraps, so it is as wide
    as its longest text (capped). ``budget``: the total width to narrow
    towards (default :data:`WIDTH_BUDGET`; the Findings sheet, whose own
    columns are wide, does not narrow: its rows would only grow taller).
    """
    content: list[float] = []
    for col in columns:
        lengths = _text_lengths(col.values)
        content.append(float(lengths.quantile(0.9)) if len(lengths) else 0.0)
        longest = float(lengths.max()) if len(lengths) else 0.0
        head_word = max((len(w) for w in col.header.split()), default=0)
        col.width = max(MIN_WIDTH, head_word + 2, min(HEADER_MAX, len(col.header) + 2), content[-1] + 2)
        col.wrap = col.kind == "text" and longest + 2 > WRAP_WIDTH
        if col.wrap:
            col.width = min(col.width, WRAP_WIDTH)
        col.width = min(MAX_WIDTH, col.width)
        if fixed and col.header in fixed:
            col.width = max(col.width, fixed[col.header])
            col.wrap = col.wrap or col.width >= WRAP_WIDTH
    if links is not None:
        lengths = _text_lengths(columns[links].values)
        columns[links].width = min(LINK_MAX, max(columns[links].width, float(lengths.max()) + 2 if len(lengths) else 0))
    protected = set(fixed or {}) | ({columns[links].header} if links is not None else set())
    narrowable = [c for c in columns if c.kind == "text" and c.header not in protected]
    cap = WRAP_WIDTH
    while sum(c.width for c in columns) > (budget or WIDTH_BUDGET) and cap > NARROWEST_WRAP:
        cap -= 2
        for col in narrowable:
            if col.width > cap:
                col.width, col.wrap = float(cap), True


def _lines(values: list[Any], width: float) -> pd.Series:
    """Lines each cell's text takes when wrapped at ``width``: every paragraph rounded up to whole lines."""
    per_line = max(1.0, width * CHARS_PER_WIDTH - 1.0)
    s = pd.Series(values, dtype=object)
    text_cells = s[s.map(lambda v: isinstance(v, str))]
    if text_cells.empty:
        return pd.Series(1.0, index=s.index)
    parts = text_cells.str.split("\n").explode()
    lines = np.ceil(parts.str.len().astype(float) / per_line).clip(lower=1.0)
    return lines.groupby(level=0).sum().reindex(s.index, fill_value=1.0)


def _heights(columns: list[Column], n: int) -> np.ndarray:
    """Row heights in points that fit the tallest wrapped cell of each row (capped at Excel's limit)."""
    lines = np.ones(n)
    for col in columns:
        if col.wrap and n:
            lines = np.maximum(lines, _lines(col.values, col.width).to_numpy())
    return np.minimum(MAX_ROW_PT, lines * LINE_PT + ROW_PAD_PT)


# ---------------------------------------------------------------- the writer


class Writer:
    """One workbook being written: its formats, made once, and the language and date of its footers."""

    def __init__(self, wb: xlsxwriter.Workbook, lang: str, as_of: dt.date | None, fills: dict[str, str]):
        self.wb = wb
        self.lang = lang
        self.as_of = as_of
        base = {"valign": "top"}
        self.header = wb.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#34495E", "text_wrap": True, "valign": "top"}
        )
        self.header_num = wb.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#34495E", "text_wrap": True, "valign": "top"}
        )
        self.header_num.set_align("right")
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.heading = wb.add_format({"bold": True, "font_size": 12})
        self.italic = wb.add_format({"italic": True})
        self.link_nowrap = wb.add_format({**base, "font_color": "#1F4E9E", "underline": 1})
        self.formats: dict[tuple[str, bool, str | None], Format] = {}
        self.fills = fills
        self.left_date = wb.add_format({"num_format": DATE_FORMAT, "align": "left"})

    def fmt(self, kind: str, wrap: bool, fill: str | None = None) -> Format:
        """The cell format of a kind of value, wrapped or not, with a severity fill (made once each)."""
        key = (kind, wrap, fill)
        if key not in self.formats:
            props: dict[str, Any] = {"valign": "top"}
            if wrap:
                props["text_wrap"] = True
            if kind == "date":
                props["num_format"] = DATE_FORMAT
                props["align"] = "left"
            elif kind == "percent":
                props["num_format"] = "0%"
            elif kind == "int":
                props["num_format"] = "0"
            elif kind == "number":
                props["num_format"] = "0.0#"
            if fill is not None and fill in self.fills:
                props["bg_color"] = "#" + self.fills[fill].lstrip("#")
            self.formats[key] = self.wb.add_format(props)
        return self.formats[key]

    # ------------------------------------------------------------ cells

    def cell(self, ws: Worksheet, row: int, col: int, value: object, fmt: Format | None = None) -> None:
        """One cell by its type: text always as text (never a formula), dates as dates, numbers as numbers."""
        if value is None:
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
            return
        if isinstance(value, str):
            ws.write_string(row, col, value, fmt)
        elif isinstance(value, bool):
            ws.write_string(row, col, yes_no(value, self.lang) or "", fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt or self.left_date)
        elif isinstance(value, int | float):
            if math.isfinite(value):
                ws.write_number(row, col, value, fmt)
            else:  # Excel has no infinity: XlsxWriter would write an error formula (=#NUM!)
                ws.write_string(row, col, str(value), fmt)
        else:
            ws.write_string(row, col, str(clean_text(str(value))), fmt)

    def header_row(self, ws: Worksheet, row: int, columns: list[Column]) -> None:
        """A header row; headers can come from input, so each is written as text."""
        for c, col in enumerate(columns):
            numeric = col.kind in ("int", "number", "percent")
            ws.write_string(row, c, col.header, self.header_num if numeric else self.header)
        widths = [col.width for col in columns]
        lines = max(
            (np.ceil(len(col.header) / max(1.0, w - 1.5)) for col, w in zip(columns, widths, strict=True)), default=1
        )
        ws.set_row(row, max(1, lines) * LINE_PT + ROW_PAD_PT)

    def rows(self, ws: Worksheet, first: int, columns: list[Column], n: int) -> None:
        """The data rows, column by column, with heights that fit the wrapped text."""
        for r, height in enumerate(_heights(columns, n)):
            if height > LINE_PT + ROW_PAD_PT:
                ws.set_row(first + r, float(height))
        for c, col in enumerate(columns):
            if col.fills is not None:
                for r, (value, fill) in enumerate(zip(col.values, col.fills, strict=True)):
                    self.cell(ws, first + r, c, value, self.fmt(col.kind, col.wrap, fill))
                continue
            fmt = self.fmt(col.kind, col.wrap)
            write = ws.write_string if col.kind == "text" else None
            for r, value in enumerate(col.values):
                if value is None:
                    continue
                if write is not None and isinstance(value, str):
                    write(first + r, c, value, fmt)
                elif isinstance(value, dt.date) and col.kind != "date":
                    self.cell(ws, first + r, c, value, self.fmt("date", col.wrap))  # an ISO date among texts
                else:
                    self.cell(ws, first + r, c, value, fmt)

    # ------------------------------------------------------------ sheets

    def print_setup(self, ws: Worksheet, pages_high: int = 0, repeat: bool = True) -> None:
        """Landscape A4, one page wide, header row repeated, footer with sheet, page x of y and as-of date."""
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, pages_high)
        if repeat:
            ws.repeat_rows(0)
        ws.set_margins(**MARGINS)
        as_of = text("report.footer", self.lang, as_of=self.as_of.isoformat()) if self.as_of else ""
        page, of = (text(k, self.lang).replace("&", "&&") for k in ("report.page", "report.of"))
        footer = f"&L&8&A&C&8{page} &P {of} &N&R&8{as_of.replace('&', '&&')}"
        ws.set_footer(footer, {"margin": 0.25})

    def table(
        self,
        name: str,
        frame: pd.DataFrame,
        cap: int,
        *,
        findings: bool = False,
        note: str | None = None,
        after: list[tuple[str, pd.DataFrame | None]] | None = None,
        links: pd.Series | None = None,
        status_choices: Iterable[str] = (),
    ) -> Worksheet:
        """A table sheet: header, rows, notes, blocks below; frozen header, filter, print setup."""
        ws = self.wb.add_worksheet(name)
        left_out = max(0, len(frame) - cap)
        shown = frame.head(cap)
        columns = _columns(shown, self.lang, findings)
        if findings and "severity" in shown.columns:
            i = list(shown.columns).index("severity")
            columns[i].fills = shown["severity"].astype(object).where(shown["severity"].notna(), None).tolist()
        fixed = {_header_label(k, self.lang, True): float(w) for k, w in DPO_WIDTHS.items()} if findings else None
        link_col = list(shown.columns).index("evidence") if links is not None and "evidence" in shown.columns else None
        _fit(columns, fixed, link_col, budget=float("inf") if findings else None)
        typed_in = set(fixed or {})
        for c, col in enumerate(columns):
            # The DPO's own columns wrap what is typed into them later, not only what this run wrote.
            ws.set_column(c, c, col.width, self.fmt("text", True) if col.header in typed_in else None)
        n = len(shown)
        self.header_row(ws, 0, columns)
        self.rows(ws, 1, columns, n)
        if links is not None and "evidence" in shown.columns:
            self.links(ws, list(shown.columns).index("evidence"), columns, links.head(cap))
        if findings and "Status" in shown.columns and n:
            self.status_list(ws, list(shown.columns).index("Status"), n, status_choices)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, n), max(0, len(columns) - 1))
        self.print_setup(ws)
        row = n + 1
        notes = [x for x in (note,) if x]
        if left_out:
            notes.append(text("report.left_out", self.lang, left_out=f"{left_out:,}", cap=f"{cap:,}"))
        if shown.empty:
            notes.append(text("report.nothing", self.lang))
        for line in notes:
            ws.write_string(row + 1, 0, str(clean_text(line)), self.italic)
            row += 2
        self.blocks(ws, row, after or [], [col.width for col in columns])
        return ws

    def links(self, ws: Worksheet, col: int, columns: list[Column], targets: pd.Series) -> None:
        """Evidence cells that cite a row shown in another sheet become internal links to that row."""
        evidence = columns[col]
        fmt = self.link_nowrap  # LibreOffice never wraps a link
        linked = targets.reset_index(drop=True)
        linked = linked[linked.notna()].head(MAX_URLS)
        for r, url in linked.items():
            value = evidence.values[int(r)]
            fits = isinstance(value, str) and len(value) <= evidence.width * CHARS_PER_WIDTH - 1
            if fits and len(url) <= 255:
                ws.write_url(int(r) + 1, col, url, fmt, value)

    def status_list(self, ws: Worksheet, col: int, n: int, choices: Iterable[str]) -> None:
        """The Status drop-down, in the report's language."""
        shown = [label("common.status", c, self.lang) for c in choices]
        ws.data_validation(
            1,
            col,
            n,
            col,
            {
                "validate": "list",
                "source": shown,
                "error_title": text("report.status_error_title", self.lang),
                "error_message": text("report.status_error", self.lang, choices=", ".join(shown))[:255],
            },
        )

    def blocks(
        self, ws: Worksheet, row: int, blocks: list[tuple[str, pd.DataFrame | None]], widths: list[float]
    ) -> int:
        """A bold title line per block, then its table; returns the next free row.

        The block's text wraps at the widths of the table above it (``widths``).
        """
        for title, frame in blocks:
            row += 1
            ws.write_string(row, 0, str(clean_text(label("report.block", title, self.lang))), self.bold)
            row += 1
            if frame is None:
                continue
            columns = _columns(frame, self.lang)
            for c, col in enumerate(columns):
                col.width = widths[c] if c < len(widths) else 8.43
                col.wrap = col.kind == "text"
            self.header_row(ws, row, columns)
            self.rows(ws, row + 1, columns, len(frame))
            row += 1 + len(frame)
        return row

    def summary(
        self, meta: list[tuple[str, object]], blocks: list[tuple[str, pd.DataFrame]], sheet: str = "Summary"
    ) -> Worksheet:
        """Summary: title, the audit's context, then the blocks; one printed page.

        ``sheet="Details"``: the same layout for the auditor's details (the
        findings matrix, reference data, input files), kept off the page a
        DPO hands to management.
        """
        ws = self.wb.add_worksheet(sheet_title(sheet, self.lang))
        for c, width in enumerate(SUMMARY_WIDTHS):
            ws.set_column(c, c, width)
        self.print_setup(ws, pages_high=1, repeat=False)
        title = "report.title" if sheet == "Summary" else f"report.title.{sheet}"
        ws.write_string(0, 0, text(title, self.lang), self.title)
        ws.set_row(0, 20)
        row = 1
        for key, value in meta:
            ws.write_string(row, 0, str(clean_text(label("report.meta", key, self.lang))), self.bold)
            shown = _cell_value(value)
            if shown == "none":
                shown = label("common", "none", self.lang)
            self.cell(ws, row, 1, shown, self.left_date if isinstance(shown, dt.date) else None)
            if isinstance(shown, str) and len(shown) > SUMMARY_WIDTHS[1]:
                ws.write_string(row, 1, shown)  # overflows into the empty cells beside it
            row += 1
        for heading, frame in blocks:
            row += 1
            ws.write_string(row, 0, str(clean_text(label("report.block", heading, self.lang))), self.heading)
            row += 1
            columns = _columns(frame, self.lang)
            for c, col in enumerate(columns):
                col.width = float(SUMMARY_WIDTHS[c] if c < len(SUMMARY_WIDTHS) else 12)
                col.wrap = col.kind == "text"
            self.header_row(ws, row, columns)
            self.rows(ws, row + 1, columns, len(frame))
            row += 1 + len(frame)
        ws.print_area(0, 0, max(row, 1), len(SUMMARY_WIDTHS) - 1)
        return ws

    def charts(self, charts: list[Path]) -> Worksheet:
        """Each chart on a page of its own: a caption, the chart scaled to one landscape page, a page break."""
        ws = self.wb.add_worksheet(sheet_title("Charts", self.lang))
        self.print_setup(ws, repeat=False)
        row = 0
        breaks = []
        for chart in charts:
            ws.write_string(row, 0, label("report.chart", Path(chart).stem, self.lang), self.heading)
            img = Image(str(chart))  # XlsxWriter's own reading of the PNG's size and resolution
            w_px, h_px, x_dpi, y_dpi = img.width, img.height, img.x_dpi or 96.0, img.y_dpi or 96.0
            shown_w, shown_h = w_px * 96.0 / x_dpi, h_px * 96.0 / y_dpi
            scale = min(1.0, CHART_BOX_PX[0] / shown_w, CHART_BOX_PX[1] / shown_h)
            ws.insert_image(row + 1, 0, str(chart), {"x_scale": scale, "y_scale": scale, "object_position": 3})
            row += 2 + int(np.ceil(shown_h * scale / CHART_ROW_PX))
            breaks.append(row)
        ws.set_h_pagebreaks(breaks[:-1])
        ws.print_area(0, 0, max(row, 1), CHART_COLUMNS - 1)
        return ws

    def hidden(self, name: str, lines: list[str]) -> None:
        """A hidden sheet of text lines in column A (data for the next run, such as the policy model's JSON)."""
        ws = self.wb.add_worksheet(name)
        ws.hide()
        for r, line in enumerate(lines):
            ws.write_string(r, 0, str(clean_text(line)))


# ---------------------------------------------------------------- names and links


def sheet_title(name: str, lang: str) -> str:
    """The shown name of a sheet the catalogue names in English: at most 31 characters, none of ``[]:*?/\\``."""
    shown = INVALID_SHEET_CHARS.sub(" ", label("report.sheet", name, lang)).strip("'").strip()
    return shown[:31] or name[:31]


def evidence_links(findings: pd.DataFrame, tables: dict[str, pd.DataFrame], cap: int) -> pd.Series:
    """Per finding, the internal link to the shown sheet row its evidence cites (``None`` when none).

    A merge of the evidence's ``file › sheet › row N`` against the
    provenance columns of every table sheet (the first sheet that shows the
    row wins), not a scan per finding.
    """
    index = findings.index
    if "evidence" not in findings.columns or findings.empty:
        return pd.Series(None, index=index, dtype=object)
    cited = findings["evidence"].astype(str).str.extract(EVIDENCE_ROW)
    targets = []
    for shown_name, frame in tables.items():
        cols = next((p for p in PROVENANCE if set(p) <= set(frame.columns)), None)
        if cols is None or frame.empty:
            continue
        part = frame.head(cap).loc[:, list(cols)].astype(str)
        part.columns = ["file", "sheet", "row"]
        quoted = shown_name.replace("'", "''")
        part["url"] = [f"internal:'{quoted}'!A{i + 2}" for i in range(len(part))]
        targets.append(part)
    if not targets:
        return pd.Series(None, index=index, dtype=object)
    lookup = pd.concat(targets, ignore_index=True).drop_duplicates(["file", "sheet", "row"])
    merged = cited.reset_index(drop=True).merge(lookup, how="left", on=["file", "sheet", "row"])
    return pd.Series(merged["url"].where(merged["url"].notna(), None).to_numpy(), index=index, dtype=object)


def _as_of(meta: list[tuple[str, object]]) -> dt.date | None:
    """The as-of date of the Summary's context (its ``As-of date`` item, in any language)."""
    for key, value in meta:
        if code_for("report.meta", key) == "As-of date" and isinstance(value, dt.date):
            return value
    return None


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
    as_of: dt.date | None = None,
    detail_blocks: list[tuple[str, pd.DataFrame]] | None = None,
) -> Path:
    """Write the workbook atomically; ``findings`` already carries the DPO columns.

    ``tables`` maps sheet name (English, as ``rules.yaml`` names it) to
    frame, in the order the sheets should appear after ``Summary``,
    ``Charts`` and ``Findings``. ``after``: blocks written below a table
    sheet's rows (the Policy sheet's changes since the previous workbook).
    ``hidden``: hidden sheets of text lines, before ``Resolved since last
    run``, their names kept as given (the policy model a later run compares
    with). ``lang``: the language of sheet names, headers and labels.
    ``detail_blocks``: blocks for the details sheet after Summary (same layout).
    ``as_of``: the date in every page's footer; default the Summary's
    ``As-of date``.
    """
    choices = list(status_choices)
    date = as_of or _as_of(meta)
    shown_names = {name: sheet_title(name, lang) for name in tables}

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
                "default_format_properties": dict(FONT),
            },
        )
        try:
            w = Writer(wb, lang, date, severity_fills)
            w.summary(meta, summary_blocks)
            if detail_blocks:
                w.summary([], detail_blocks, sheet="Details")
            if charts:
                w.charts(charts)
            links = evidence_links(findings, {shown_names[k]: v for k, v in tables.items()}, row_cap)
            w.table(
                sheet_title("Findings", lang),
                findings,
                row_cap,
                findings=True,
                links=links,
                status_choices=choices,
            )
            for name, frame in tables.items():
                w.table(shown_names[name], frame, row_cap, after=(after or {}).get(name, []))
            for name, lines in (hidden or {}).items():
                w.hidden(name, lines)
            w.table(sheet_title("Resolved since last run", lang), resolved, row_cap, findings=True)
        except BaseException:
            with contextlib.suppress(Exception):
                wb.close()  # release the half-written file; atomic_write removes it
            raise
        wb.close()

    return atomic_write(path, write)
