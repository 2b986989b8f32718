"""The sample organisation's spreadsheets, checked and loaded from ``fixtures/organisation.yaml``.

The register, inventory, request and disclosure rows are data, not code: a
DPO-minded reader edits them in YAML next to their headers, and the
generator writes them as they stand. What the generator needs from the file
is checked here, once, when :mod:`tools.sample.data` loads it at import:
every table has a workbook file, sheet, headers and rows; every row uses
only its table's columns and holds plain cells (text, integer, date or
null); row ids are unique, because expected findings cite rows by id.

YAML conventions the file relies on: an unquoted ``2026-03-12`` is a date
cell, a quoted ``"2026-03-16"`` is text that merely looks like a date (the
sample mixes both on purpose), and ``"yes"``, ``"no"``, ``"NO"`` are quoted so
they stay words; a boolean anywhere is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.sample.loading import FIXTURES_DIR, Node, read_fixture

ORGANISATION_FILE = FIXTURES_DIR / "organisation.yaml"
TABLE_KEYS = ("activities", "systems", "vendors", "requests", "disclosures")


@dataclass(frozen=True)
class Table:
    """One sheet of the organisation's workbooks, as ``organisation.yaml`` describes it.

    Parameters
    ----------
    key
        The table's key in the file (``activities``).
    file
        Workbook it is written to (``activities.xlsx``).
    sheet
        Sheet name.
    titles
        Title rows above the header (the register has two, as IMY's template does).
    headers
        Column name -> header text, in sheet order; the first column is the row id.
    rows
        The rows, each with every column (missing ones ``None``, table defaults applied).
    """

    key: str
    file: str
    sheet: str
    titles: list[str]
    headers: dict[str, str]
    rows: list[dict[str, Any]]

    @property
    def where(self) -> str:
        """``file › sheet``, as findings and the README name it."""
        return f"{self.file} › {self.sheet}"

    @property
    def first_row(self) -> int:
        """Excel row number of the first data row (after title rows and the header)."""
        return len(self.titles) + 2

    @property
    def id_column(self) -> str:
        """The column that identifies a row (the first one)."""
        return next(iter(self.headers))

    def row_number(self, key: str) -> int | None:
        """Excel row number of the row whose id reads ``key``, or ``None`` when there is none."""
        ids = [str(row[self.id_column]) for row in self.rows]
        return self.first_row + ids.index(key) if key in ids else None


def _headers(node: Node) -> dict[str, str]:
    """Column name -> header text; both must be text and there must be at least one column."""
    headers = {key: value.want("text") for key, value in node.entries()}
    if not headers:
        node.fail("a table needs at least one column")
    return headers


def _cells(node: Node, headers: dict[str, str]) -> dict[str, Any]:
    """A row or defaults mapping: only the table's columns, plain cell values."""
    return {key: value.want("cell") for key, value in node.entries(set(headers))}


def _rows(node: Node, headers: dict[str, str], defaults: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows, complete, with a present and unique id in the first column."""
    id_column = next(iter(headers))
    rows, seen = [], set()
    for element in node.elements():
        row = {column: None for column in headers} | defaults | _cells(element, headers)
        key = row[id_column]
        if key is None:
            element.fail(f"a row needs its id ({id_column})")
        if str(key) in seen:
            element[id_column].fail(f"row id {key!r} repeats an earlier row's")
        seen.add(str(key))
        rows.append(row)
    return rows


def load_table(node: Node, key: str) -> Table:
    """Check and load one table of ``organisation.yaml``.

    Parameters
    ----------
    node
        The table's mapping (``file``, ``sheet``, optional ``titles``, ``headers``,
        optional ``defaults``, ``rows``).
    key
        Its key in the file.
    """
    node.only({"file", "sheet", "titles", "headers", "defaults", "rows"}, {"file", "sheet", "headers", "rows"})
    file = node["file"].want("text")
    if not file.endswith(".xlsx"):
        node["file"].fail("expected an .xlsx file name")
    headers = _headers(node["headers"])
    defaults = _cells(node.get("defaults", {}), headers)
    rows = _rows(node["rows"], headers, defaults)
    return Table(key, file, node["sheet"].want("text"), node.get("titles", []).texts(), headers, rows)


def load_organisation(path: Path = ORGANISATION_FILE) -> dict[str, Table]:
    """All tables of the organisation file, by key (``activities``, ``systems``, ...).

    Raises
    ------
    FixtureError
        When the file or any table in it is malformed; the message names the file and key.
    """
    root = read_fixture(path).only({"source", "date", *TABLE_KEYS}, set(TABLE_KEYS))
    return {key: load_table(root[key], key) for key in TABLE_KEYS}
