"""Writing the sample's xlsx workbooks so that their bytes never depend on when they were written.

openpyxl stamps the wall clock into every zip entry and into
``docProps/core.xml``; the sample must regenerate byte for byte, so each
workbook is written to memory and rewritten with :data:`FIXED_TIMESTAMP`.
Dates are written as real date cells (``yyyy-mm-dd``), as a DPO's
spreadsheet would hold them, and the register's title rows and bold,
filled header mimic IMY's template.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tools.sample.constants import FIXED_TIMESTAMP
from tools.sample.organisation import Table

CREATOR = "audit.sample"
"""Document creator of the workbooks: the generator's name when the committed files were made.

Kept although the generator now lives in ``tools.sample``: it is part of the
bytes of the committed ``data/sample`` workbooks, which must regenerate identically.
"""

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass
class Sheet:
    """One sheet to write: its name, optional title rows, header texts and row values.

    Parameters
    ----------
    name
        Sheet name.
    headers
        Header texts, in column order.
    rows
        Cell values per row, in column order.
    titles
        Rows of text above the header (first one large).
    """

    name: str
    headers: list[str]
    rows: list[list[Any]]
    titles: list[str] = field(default_factory=list)


def table_sheet(table: Table, rows: list[dict[str, Any]] | None = None) -> Sheet:
    """The sheet of a fixture table, optionally with other rows (the systems with record counts)."""
    values = [[row.get(column) for column in table.headers] for row in (table.rows if rows is None else rows)]
    return Sheet(table.sheet, list(table.headers.values()), values, list(table.titles))


def _write_cells(ws: Worksheet, spec: Sheet) -> int:
    """Title rows, the header and the data; returns the header's row number."""
    for i, title in enumerate(spec.titles, start=1):
        ws.cell(row=i, column=1, value=title).font = Font(bold=True, size=14 if i == 1 else 11)
    header_row = len(spec.titles) + 1
    for j, header in enumerate(spec.headers, start=1):
        cell = ws.cell(row=header_row, column=j, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for i, values in enumerate(spec.rows, start=header_row + 1):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return header_row


def _fit_columns(ws: Worksheet, spec: Sheet) -> None:
    """Column widths from the longest first line of the first 200 rows, between 10 and 60."""
    for j, header in enumerate(spec.headers, start=1):
        longest = max([len(str(header))] + [len(str(r[j - 1]).split("\n")[0]) for r in spec.rows[:200]])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, longest + 2))


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    """Write an xlsx of ``sheets`` with frozen headers, then fix its timestamps.

    Parameters
    ----------
    path
        Target file (replaced).
    sheets
        The sheets, in workbook order.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        header_row = _write_cells(ws, spec)
        _fit_columns(ws, spec)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    wb.properties.creator = CREATOR
    wb.properties.created = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    _normalise_zip(buffer.getvalue(), path)


def _normalise_zip(data: bytes, path: Path) -> None:
    """Rewrite an xlsx with a fixed entry timestamp and modification date (openpyxl stamps the wall clock)."""
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            out.writestr(entry, content)
