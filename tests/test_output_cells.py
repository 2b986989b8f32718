"""Headers and values from input are text in the workbook and the CSVs: never a formula, never a crash."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from audit.report import write_report
from audit.report.excel import workbook_name, write_workbook
from audit.report.files import write_csv
from audit.run import run_audit
from tests.conftest import ACTIVITIES, ACTIVITIES_HEADER, build_folder, tables

AS_OF = date(2026, 11, 1)
FORMULA_HEADER = '=HYPERLINK("http://evil.example","klicka")'


def _cells(book: Path):
    for ws in openpyxl.load_workbook(book).worksheets:
        for row in ws.iter_rows():
            yield from ((ws.title, cell) for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_headers_of_a_register_stay_text(tmp_path: Path, fmt: str) -> None:
    # A register whose extra columns are headed by a formula, a plus sign (in a CSV with a bell character) and an at.
    header = [*ACTIVITIES_HEADER, FORMULA_HEADER, "+Anteckning" + ("\x07" if fmt == "csv" else ""), "@Not"]
    rows = [[*row, "=1+2", "-x", "@y"] for row in ACTIVITIES]
    data = build_folder(tmp_path / "data", tables(activities=rows, activities_header=header), fmt=fmt)
    if fmt == "xlsx":  # written as text, as a DPO's "=..." heading typed after an apostrophe is
        wb = openpyxl.load_workbook(data / "activities.xlsx")
        ws = wb.active
        for cell in ws[3]:
            if cell.value == FORMULA_HEADER:
                cell.data_type = "s"
        wb.save(data / "activities.xlsx")
    result = run_audit(data, AS_OF)
    write_report(result, tmp_path / "out")  # a control character in a header used to end in IllegalCharacterError
    cells = list(_cells(tmp_path / "out" / workbook_name(AS_OF)))
    assert [(t, c.coordinate) for t, c in cells if c.data_type == "f"] == []
    formula_like = [c for _, c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "@", "-"))]
    assert FORMULA_HEADER in {c.value for c in formula_like}
    assert all(c.data_type == "s" for c in formula_like)
    assert not [c for _, c in cells if isinstance(c.value, str) and "\x07" in c.value]


def _table_book(tmp_path: Path, frame: pd.DataFrame) -> openpyxl.Workbook:
    book = write_workbook(
        tmp_path / "book.xlsx",
        findings=pd.DataFrame({"finding_id": ["X-1"], "severity": ["low"]}),
        resolved=pd.DataFrame(),
        tables={"Register": frame},
        meta=[("As-of date", AS_OF)],
        summary_blocks=[("Block", frame)],
        charts=[],
        status_choices=["open"],
        severity_fills={"low": "DDDDDD"},
        row_cap=100,
    )
    return openpyxl.load_workbook(book)


def test_every_header_cell_is_text(tmp_path: Path) -> None:
    frame = pd.DataFrame([["a", "b", "c", "d"]], columns=[FORMULA_HEADER, "+1\x07", "\t=2", 3])
    wb = _table_book(tmp_path, frame)
    header = wb["Register"][1]
    assert [c.value for c in header] == [FORMULA_HEADER, "+1", "\t=2", "3"]
    assert [c.data_type for c in header] == ["s"] * 4
    summary = [c for row in wb["Summary"].iter_rows() for c in row if c.value == FORMULA_HEADER]
    assert summary and all(c.data_type == "s" for c in summary)


def test_repeated_headers_are_written_not_crashed_on(tmp_path: Path) -> None:
    frame = pd.DataFrame([["x", 1, pd.Timestamp("2026-01-02")]], columns=["Kommentar", "Kommentar", "Datum"])
    ws = _table_book(tmp_path, frame)["Register"]
    assert [c.value for c in ws[1]] == ["Kommentar", "Kommentar", "Datum"]
    assert [c.value for c in ws[2]][:2] == ["x", 1]
    written = pd.read_csv(write_csv(frame.assign(n=["=x"]), tmp_path / "t.csv"))
    assert list(written.columns) == ["Kommentar", "Kommentar.1", "Datum", "n"]
    assert written.loc[0, "n"] == "'=x"


def test_csv_headers_cannot_become_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame([[1, 2, 3]], columns=[FORMULA_HEADER, "+a\x07", "plain"])
    first_line = write_csv(frame, tmp_path / "f.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == '"\'=HYPERLINK(""http://evil.example"",""klicka"")",\'+a,plain'
