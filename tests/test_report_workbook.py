"""The DPO workbook: sheets, presentation, carried-forward work, safety, minimality, atomicity."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from audit.paths import SAMPLE_DIR
from audit.reference.i18n import code_for, label
from audit.report import write_report
from audit.report.excel import workbook_name
from audit.report.output import OutputError
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF

SHEETS = [
    "Summary",
    "Details",
    "Charts",
    "Findings",
    "Transfers",
    "Retention",
    "Requests",
    "Register",
    "Policy",
    "Input issues",
]
SV_SHEETS = [
    "Sammanfattning",
    "Underlag",
    "Diagram",
    "Avvikelser",
    "Överföringar",
    "Lagringstid",
    "Begäranden",
    "Registerförteckning",
    "Policy",
    "Problem i indata",
]


def col(code):
    """The English header of a finding column."""
    return label("common.column", code, "en")


@pytest.fixture(scope="module")
def sample_result():
    return run_audit(SAMPLE_DIR, SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def written(sample_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    paths = write_report(sample_result, out)
    return out, paths


@pytest.fixture(scope="module")
def swedish(sample_result, tmp_path_factory):
    """The sample report in Swedish: the audit's language reaches every sheet."""
    out = tmp_path_factory.mktemp("report-sv")
    write_report(run_audit(SAMPLE_DIR, SAMPLE_AS_OF, lang="sv"), out)
    return out


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
    ids = [r[head.index(col("finding_id"))] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert sorted(ids) == sorted(sample_result.findings["finding_id"])
    status_col = head.index(col("Status")) + 1
    statuses = {r[status_col - 1] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert statuses == {"open"}  # a first run starts every finding as open
    validations = ws.data_validations.dataValidation
    assert any(dv.formula1 == '"open,in progress,accepted risk,resolved"' for dv in validations)
    letter = openpyxl.utils.get_column_letter(status_col)
    assert any(str(dv.sqref).startswith(f"{letter}2:") for dv in validations)


def test_severity_cells_are_coloured(written):
    out, _ = written
    ws = _book(out)["Findings"]
    i = _header(ws).index(col("severity"))
    fills = {}
    for row in ws.iter_rows(min_row=2):
        if row[i].value:
            fills.setdefault(row[i].value, set()).add(row[i].fill.fgColor.rgb)
    assert fills["high"] != fills["medium"]
    assert all(len(v) == 1 for v in fills.values())


def test_dates_are_real_excel_dates(written):
    out, _ = written
    ws = _book(out)["Requests"]
    i = _header(ws).index("Received")
    cell = ws.cell(row=2, column=i + 1)
    assert cell.is_date
    assert cell.number_format == "yyyy-mm-dd"


def test_summary_shows_context_counts_and_charts(written, sample_result):
    out, _ = written
    ws = _book(out)["Summary"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "As-of date" in values
    assert "2024-05-16" in [str(v)[:10] for v in values]
    details = [c for row in _book(out)["Details"].iter_rows(values_only=True) for c in row if c is not None]
    assert sample_result.inputs.files["sha256"].iloc[0] in details
    assert len(_book(out)["Charts"]._images) == 5
    # The area x severity block adds up to the number of findings.
    assert len(sample_result.findings) in values and len(sample_result.findings) in details


def test_no_formula_cells_and_no_personal_data_from_records(written, sample_result):
    out, _ = written
    wb = _book(out)
    names = set()
    # Names and e-mail addresses never enter the engine: read them from the extract files themselves.
    for path in (Path(sample_result.inputs.data_dir) / "records").glob("*.csv"):
        rec = pd.read_csv(path, dtype=str)
        for col in ("name", "email"):
            if col in rec:
                names |= set(rec[col].dropna().astype(str).head(200))
    assert names
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


def test_dpo_work_is_carried_forward(tmp_path, sample_result, monkeypatch):
    first_paths = write_report(sample_result, tmp_path)
    first = next(p for p in first_paths if p.name == workbook_name(SAMPLE_AS_OF))
    wb = openpyxl.load_workbook(first)
    ws = wb["Findings"]
    head = [code_for("common.column", h) for h in _header(ws)]
    typed = {}
    for i, row in enumerate(ws.iter_rows(min_row=2, max_row=4)):
        fid = row[head.index("finding_id")].value
        typed[fid] = ("in progress", f"Owner {i}", f"Comment {i} = ok")
        for name, value in zip(("Status", "Owner", "Comment"), typed[fid], strict=True):
            row[head.index(name)].value = value
    wb.save(first)
    # A later audit in which one of the annotated findings is gone.
    gone = next(iter(typed))
    later = replace(sample_result.context, as_of=date(2026, 12, 1))
    findings = sample_result.findings[sample_result.findings["finding_id"] != gone]
    new_row = sample_result.findings.iloc[[0]].assign(finding_id="SEC-01-new", subject="S-NEW")
    result = replace(sample_result, context=later, findings=pd.concat([findings, new_row], ignore_index=True))
    write_report(result, tmp_path)
    second = pd.read_excel(tmp_path / workbook_name(date(2026, 12, 1)), sheet_name=None, engine="calamine")
    for frame in second.values():
        frame.columns = [code_for("common.column", c) or c for c in frame.columns]
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

    def boom(self):
        raise OSError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", boom)
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


# ---------------------------------------------------------------- language, layout, links (issue 12)


def test_swedish_sheet_names_headers_and_values(swedish, sample_result):
    wb = _book(swedish)
    assert wb.sheetnames[: len(SV_SHEETS)] == SV_SHEETS
    assert wb.sheetnames[-1] == "Åtgärdade sedan förra körningen"
    assert "_policy_model" in wb.sheetnames and wb["_policy_model"].sheet_state == "hidden"
    assert all(len(n) <= 31 for n in wb.sheetnames)
    ws = wb["Avvikelser"]
    head = _header(ws)
    assert head[:3] == ["Avvikelse-id", "Allvarlighet", "Regel"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert {r[head.index("Allvarlighet")] for r in rows} == {"hög", "medel", "låg", "info"}
    assert {r[head.index("Status")] for r in rows} == {"öppen"}
    areas = {r[head.index("Område")] for r in rows}
    assert areas == {label("common.area", a, "sv") for a in ("POL", "REG", "REC", "TRF", "RET", "DSR", "SEC")}
    assert any(dv.formula1 == '"öppen,pågår,accepterad risk,åtgärdad"' for dv in ws.data_validations.dataValidation)
    transfers = wb["Överföringar"]
    assert {c.value for c in transfers[1]} >= {"Land", "Inom EU/EES", "Adekvansbeslut"}
    eu = _header(transfers).index("Inom EU/EES")
    assert {r[eu] for r in transfers.iter_rows(min_row=2, values_only=True) if r[0]} <= {"ja", "nej"}
    summary = [c for row in wb["Sammanfattning"].iter_rows(values_only=True) for c in row if c is not None]
    assert {"Dataskyddsgranskning", "Per datum", "De tio allvarligaste öppna avvikelserna"} <= set(summary)
    details = [c for row in wb["Underlag"].iter_rows(values_only=True) for c in row if c is not None]
    assert "Avvikelser per område och allvarlighet" in details


def test_finding_headers_read_back_as_codes_in_both_languages(written, swedish, sample_result):
    """What a later run's read_previous does: calamine, then code_for on each header of the first row."""
    codes = list(sample_result.findings.columns)
    for out in (written[0], swedish):
        wb = pd.read_excel(out / workbook_name(SAMPLE_AS_OF), sheet_name=None, engine="calamine", dtype=object)
        findings = next(f for name, f in wb.items() if name in ("Findings", "Avvikelser"))
        back = [code_for("common.column", h) for h in findings.columns]
        assert set(codes) <= set(back)
        assert {"Status", "Owner", "Comment", "Since last run"} <= set(back)


def test_print_setup_of_every_sheet(written):
    out, _ = written
    wb = _book(out)
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (1, None), ws.title
        assert "&A" in ws.oddFooter.left.text and "&P" in ws.oddFooter.center.text, ws.title
        assert ws.oddFooter.right.text.endswith("As of 2026-11-01"), ws.title
    assert wb["Summary"].page_setup.fitToHeight in (1, None)
    assert wb["Findings"].page_setup.fitToHeight == 0
    assert wb["Findings"].print_title_rows == "$1:$1"
    assert wb["Charts"].row_breaks.count == 4  # five charts, a page each


def test_number_formats_dates_percentages_integers(written):
    out, _ = written
    wb = _book(out)
    ws = wb["Retention"]
    head = _header(ws)
    share = [r[head.index("Share past limit")] for r in ws.iter_rows(min_row=2)]
    assert {c.number_format for c in share if c.value is not None} == {"0%"}
    limits = [r[head.index("Policy limit (days)")] for r in ws.iter_rows(min_row=2) if r[0].value]
    assert {c.number_format for c in limits if c.value is not None} == {"0"}
    transfers = wb["Transfers"]
    adequacy = [r[_header(transfers).index("Adequacy decision")] for r in transfers.iter_rows(min_row=2)]
    decided = [c for c in adequacy if c.value is not None]
    assert decided and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in decided)


def test_wrapped_rows_are_tall_and_dpo_columns_wide(written):
    out, _ = written
    ws = _book(out)["Findings"]
    head = _header(ws)

    def width(header):
        # Adjacent columns of one width are one <col min max> range, listed under its first letter.
        i = head.index(header) + 1
        return next(d.width for d in ws.column_dimensions.values() if d.min <= i <= d.max)

    assert width("Status") >= 18
    assert width("Owner") >= 18
    assert width("Comment") >= 40
    detail = head.index("Detail")
    assert ws.cell(row=2, column=detail + 1).alignment.wrap_text
    # A detail of 120 characters in a column about 34 wide takes four lines: the row is taller than one line.
    tall = [
        r
        for r in range(2, ws.max_row + 1)
        if len(str(ws.cell(row=r, column=detail + 1).value or "")) > 120 and (ws.row_dimensions[r].height or 0) > 50
    ]
    long = [r for r in range(2, ws.max_row + 1) if len(str(ws.cell(row=r, column=detail + 1).value or "")) > 120]
    assert long and tall == long


def test_evidence_links_to_the_row_it_cites(written, sample_result):
    out, _ = written
    wb = _book(out)
    ws = wb["Findings"]
    head = _header(ws)
    ev = head.index("Evidence")
    links = {}
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=ev + 1)
        if cell.hyperlink is not None:
            links[cell.value] = cell.hyperlink.location
    # requests.xlsx › Requests › row 8 is request R-007, shown on row 8 of the Requests sheet (its 7th request).
    assert links["requests.xlsx › Requests › row 8"] == "'Requests'!A8"
    target = wb["Requests"]
    rh = _header(target)
    assert target.cell(row=8, column=rh.index("Request id") + 1).value == "R-007"
    assert target.cell(row=8, column=rh.index("Source row") + 1).value == 8
    # The register row cited by a REC finding.
    cited = next(v for v in links if v.startswith("activities.xlsx › Activities › row 13"))
    sheet, cell_ref = links[cited].split("!")
    row = int(cell_ref[1:])
    reg = wb["Register"]
    assert sheet == "'Register'"
    assert reg.cell(row=row, column=_header(reg).index("Source row") + 1).value == 13
    # Evidence that cites no shown row (the policy text, record extracts) is not a link.
    texts = {ws.cell(row=r, column=ev + 1).value for r in range(2, ws.max_row + 1)}
    policy = {t for t in texts if t and t.startswith("integritetspolicy.txt")}
    assert policy and not policy & set(links)


def test_evidence_links_are_a_merge_of_provenance():
    from audit.report.excel import evidence_links

    findings = pd.DataFrame(
        {
            "evidence": [
                "a.xlsx › S › row 3, column x",
                "a.xlsx › S › row 9",
                "policy.txt › §1 › text",
                "b.csv › b › row 2; record extract",
                None,
            ]
        },
        index=[10, 11, 12, 13, 14],
    )
    tables = {
        "First": pd.DataFrame({"src_file": ["a.xlsx", "a.xlsx"], "src_sheet": ["S", "S"], "src_row": [2, 3]}),
        "It's": pd.DataFrame({"file": ["b.csv", "a.xlsx"], "sheet": ["b", "S"], "row": ["2", "3"]}),
        "None": pd.DataFrame({"x": [1]}),
    }
    links = evidence_links(findings, tables, cap=100)
    assert list(links.index) == [10, 11, 12, 13, 14]
    assert links.tolist() == ["internal:'First'!A3", None, None, "internal:'It''s'!A2", None]
    # A row beyond the sheet's row cap is not shown, so it is not a target.
    assert evidence_links(findings, tables, cap=1).tolist()[0] is None


def test_code_columns_of_the_tables_show_labels_and_the_csvs_keep_the_codes(swedish):
    """A transfer's safeguard and status, a request's status: Swedish words in the workbook, codes in the CSVs."""
    wb = _book(swedish)
    transfers = pd.read_excel(swedish / workbook_name(SAMPLE_AS_OF), sheet_name="Överföringar", engine="calamine")
    csv = pd.read_csv(swedish / "transfers.csv")
    assert set(csv["status"]) >= {"ok", "no transfer", "no safeguard"}
    assert set(transfers["Status"].dropna()) >= {"ok", "ingen överföring", "ingen skyddsåtgärd"}
    assert not set(transfers["Status"].dropna()) & {"no transfer", "no safeguard", "TIA missing"}
    assert "adekvansbeslut" in set(transfers["Skyddsåtgärd"].dropna())
    requests = [r for r in wb["Begäranden"].iter_rows(values_only=True)]
    shown = {v for row in requests[1:] for v in row if isinstance(v, str)}
    assert {"för sent", "i tid"} <= shown and not {"late", "on time", "overdue"} & shown
