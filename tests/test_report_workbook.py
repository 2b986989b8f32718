"""The DPO workbook: sheets, presentation, carried-forward work, safety, minimality, atomicity."""

from dataclasses import replace
from datetime import date

import openpyxl
import pandas as pd
import pytest

from audit.paths import SAMPLE_DIR
from audit.report import write_report
from audit.report.excel import workbook_name
from audit.report.output import OutputError
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF

SHEETS = ["Summary", "Findings", "Transfers", "Retention", "Requests", "Register", "Policy", "Input issues"]


@pytest.fixture(scope="module")
def sample_result():
    return run_audit(SAMPLE_DIR, SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def written(sample_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    paths = write_report(sample_result, out)
    return out, paths


def _book(out, as_of=SAMPLE_AS_OF):
    return openpyxl.load_workbook(out / workbook_name(as_of))


def _header(ws):
    return [c.value for c in ws[1]]


def test_all_sheets_in_order(written):
    out, paths = written
    wb = _book(out)
    assert wb.sheetnames[: len(SHEETS)] == SHEETS
    assert wb.sheetnames[-1] == "Resolved since last run"
    names = {p.name for p in paths}
    assert {"findings.csv", "input-issues.csv", workbook_name(SAMPLE_AS_OF)} <= names
    assert len([n for n in names if n.endswith(".png")]) == 5


def test_findings_sheet_matches_the_audit(written, sample_result):
    out, _ = written
    ws = _book(out)["Findings"]
    head = _header(ws)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert all(c.font.bold for c in ws[1])
    ids = [r[head.index("finding_id")] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert sorted(ids) == sorted(sample_result.findings["finding_id"])
    status_col = head.index("Status") + 1
    statuses = {r[status_col - 1] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert statuses == {"open"}  # a first run starts every finding as open
    validations = ws.data_validations.dataValidation
    assert any(dv.formula1 == '"open,in progress,accepted risk,resolved"' for dv in validations)
    letter = openpyxl.utils.get_column_letter(status_col)
    assert any(str(dv.sqref).startswith(f"{letter}2:") for dv in validations)


def test_severity_cells_are_coloured(written):
    out, _ = written
    ws = _book(out)["Findings"]
    col = _header(ws).index("severity")
    fills = {}
    for row in ws.iter_rows(min_row=2):
        if row[col].value:
            fills.setdefault(row[col].value, set()).add(row[col].fill.fgColor.rgb)
    assert fills["high"] != fills["medium"]
    assert all(len(v) == 1 for v in fills.values())


def test_dates_are_real_excel_dates(written):
    out, _ = written
    ws = _book(out)["Requests"]
    col = _header(ws).index("received")
    cell = ws.cell(row=2, column=col + 1)
    assert cell.is_date
    assert cell.number_format == "yyyy-mm-dd"


def test_summary_shows_context_counts_and_charts(written, sample_result):
    out, _ = written
    ws = _book(out)["Summary"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "As-of date" in values
    assert "2024-05-16" in [str(v)[:10] for v in values]
    assert sample_result.inputs.files["sha256"].iloc[0] in values
    assert len(ws._images) == 5
    # The area x severity block adds up to the number of findings.
    assert len(sample_result.findings) in values


def test_no_formula_cells_and_no_personal_data_from_records(written, sample_result):
    out, _ = written
    wb = _book(out)
    names = set()
    for rec in sample_result.inputs.records.values():
        for col in ("name", "email"):
            if col in rec:
                names |= set(rec[col].dropna().astype(str).head(200))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert cell.value not in names, f"{ws.title}!{cell.coordinate} holds record data"
                    assert "@example.com" not in cell.value


def test_formula_like_input_stays_text(tmp_path, sample_result):
    inputs = sample_result.inputs
    systems = inputs.systems.copy()
    systems.loc[systems.index[0], "system"] = '=HYPERLINK("http://evil","x")'
    systems.loc[systems.index[1], "system"] = "@SUM(1)\x07"
    ctx = replace(sample_result.context, inputs=replace(inputs, systems=systems))
    result = replace(sample_result, context=ctx, tables={**sample_result.tables, "register": systems})
    write_report(result, tmp_path)
    ws = _book(tmp_path)["Register"]
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert {c.value for c in texts} >= {'=HYPERLINK("http://evil","x")', "@SUM(1)"}
    assert all(c.data_type == "s" for c in texts)


def test_dpo_work_is_carried_forward(tmp_path, sample_result):
    first_paths = write_report(sample_result, tmp_path)
    first = next(p for p in first_paths if p.suffix == ".xlsx")
    wb = openpyxl.load_workbook(first)
    ws = wb["Findings"]
    head = _header(ws)
    typed = {}
    for i, row in enumerate(ws.iter_rows(min_row=2, max_row=4)):
        fid = row[head.index("finding_id")].value
        typed[fid] = ("in progress", f"Owner {i}", f"Comment {i} = ok")
        for col, value in zip(("Status", "Owner", "Comment"), typed[fid], strict=True):
            row[head.index(col)].value = value
    wb.save(first)
    # A later audit in which one of the annotated findings is gone.
    gone = next(iter(typed))
    later = replace(sample_result.context, as_of=date(2026, 12, 1))
    findings = sample_result.findings[sample_result.findings["finding_id"] != gone]
    new_row = sample_result.findings.iloc[[0]].assign(finding_id="SEC-01-new", subject="S-NEW")
    result = replace(sample_result, context=later, findings=pd.concat([findings, new_row], ignore_index=True))
    write_report(result, tmp_path)
    second = pd.read_excel(tmp_path / workbook_name(date(2026, 12, 1)), sheet_name=None, engine="calamine")
    kept = second["Findings"].set_index("finding_id")
    for fid, (status, owner, comment) in typed.items():
        if fid == gone:
            continue
        assert (kept.loc[fid, "Status"], kept.loc[fid, "Owner"], kept.loc[fid, "Comment"]) == (status, owner, comment)
    assert kept.loc["SEC-01-new", "Since last run"] == "new"
    resolved = second["Resolved since last run"].set_index("finding_id")
    assert resolved.loc[gone, "Owner"] == typed[gone][1]
    assert str(resolved.loc[gone, "resolved_on"])[:10] == "2026-12-01"


def test_failed_write_keeps_previous_workbook(tmp_path, sample_result, monkeypatch):
    write_report(sample_result, tmp_path)
    book = tmp_path / workbook_name(SAMPLE_AS_OF)
    before = book.read_bytes()

    def boom(self, filename):
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OutputError) as err:
        write_report(sample_result, tmp_path)
    assert str(err.value) == f"output folder {tmp_path}: cannot write the report (disk full)"
    assert book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_long_sheets_are_capped_with_a_note(tmp_path, sample_result):
    settings = replace(sample_result.context.settings, sheet_row_cap=5)
    result = replace(sample_result, context=replace(sample_result.context, settings=settings))
    write_report(result, tmp_path)
    ws = _book(tmp_path)["Findings"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    notes = [r[0] for r in rows if r[0] and "more rows were left out" in str(r[0])]
    left_out = len(sample_result.findings) - 5
    assert notes == [
        f"{left_out:,} more rows were left out of this sheet (Excel limit guard: 5 rows shown); "
        "the complete table is in the CSV files beside this workbook."
    ]


def test_unreadable_previous_workbook_is_a_clear_error(tmp_path, sample_result):
    from audit.errors import InputError

    with pytest.raises(InputError, match="previous workbook not found"):
        write_report(sample_result, tmp_path, previous=tmp_path / "missing.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError) as err:
        write_report(sample_result, tmp_path, previous=bad)
    assert str(err.value) == f"{bad} (previous workbook): not a spreadsheet (an .xlsx file must be a zip container)"
