"""Issue 10, the loader's part: folders that differ from the sample load with input issues, never a traceback.

Each test plants one defect in a copy of the bundled sample (or the
conftest folder) and asserts the exact input issue it produces; the classes
that used to crash also run the whole audit and write the report.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audit.inputs import load_inputs
from audit.inputs.model import ISSUE_COLUMNS, ISSUE_FRAME_COLUMNS
from audit.report import write_report
from audit.run import run_audit
from tests.conftest import ACTIVITIES, edit_sheet, header_position

Folder = Callable[..., Path]
AS_OF = dt.date(2026, 11, 1)
OUT_OF_RANGE = "date out of range (before 1900-01-01 or after 2199-12-31)"
REGISTER = "activities.xlsx, sheet Activities"


def rows(issues: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in issues[ISSUE_COLUMNS].itertuples(index=False)]


def audit_and_report(root: Path, out: Path) -> pd.DataFrame:
    """Run the whole audit on ``root`` and write the report; the input issues as the CSV has them."""
    result = run_audit(root, AS_OF)
    written = write_report(result, out)
    assert (out / "findings.csv").exists() and any(p.suffix == ".xlsx" for p in written)
    return pd.read_csv(out / "input-issues.csv", dtype=str, keep_default_na=False)


def _register_as_csv(root: Path) -> list[list[str]]:
    """Replace the sample's activities.xlsx by an activities.csv of the same cells; return its rows."""
    grid = pd.read_excel(root / "activities.xlsx", header=None, dtype=object).fillna("")
    (root / "activities.xlsx").unlink()
    return [[_csv_cell(v) for v in row] for row in grid.to_numpy().tolist()]


def _csv_cell(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def _write_csv(path: Path, cells: list[list[str]]) -> None:
    """The cells as a CSV file; the csv module quotes separators, quotes and line breaks as Excel does."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(cells)


# --- tracebacks on valid input ---------------------------------------------------------


def test_register_csv_with_short_rows_loads_every_row(sample_copy: Path) -> None:
    cells = _register_as_csv(sample_copy)
    cells[4] = cells[4][:2]  # only the id and the name
    cells[7] = cells[7][:6]  # stops after the legal basis
    _write_csv(sample_copy / "activities.csv", cells)
    inputs = load_inputs(sample_copy)
    assert rows(inputs.issues) == []  # the blanks are in columns whose blanks are a rule's finding
    acts = inputs.activities.set_index("activity_id")
    assert len(acts) == 15
    assert acts.loc["A-02", "purpose"] is None and acts.loc["A-02", "systems"] == []
    assert acts.loc["A-05", "legal_basis"] == ["legal_obligation"] and acts.loc["A-05", "retention"] is None


def test_register_csv_with_short_rows_audits_and_reports(sample_copy: Path, tmp_path: Path) -> None:
    # have no record extract: a short row for an activity with one leaves its
    # retention unjudgeable, which is the retention chart's class of issue 10, not the loader's.
    cells = _register_as_csv(sample_copy)
    cells[5] = cells[5][:2]
    cells[6] = cells[6][:9]
    _write_csv(sample_copy / "activities.csv", cells)
    assert audit_and_report(sample_copy, tmp_path / "out").empty


def _junk_extract(path: Path) -> None:
    """An xlsx record extract: a valid header, then rows of junk in every column and more cells than headers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(["record_id", "subject_ref", "activity_id", "collected", "last_contact"])
    junk = ["x", 3.5, None, dt.datetime(2999, 1, 1), "2019-01-01", "1/3/2022", True]
    for i in range(21):
        ws.append([junk[(i + k) % len(junk)] for k in range(6)])
    wb.save(path)


def test_records_xlsx_of_junk_rows_is_all_input_issues(sample_copy: Path, tmp_path: Path) -> None:
    _junk_extract(sample_copy / "records" / "S-HR.xlsx")
    inputs = load_inputs(sample_copy)
    f, s = "records/S-HR.xlsx", "Export"
    ambiguous = "ambiguous date: day and month could be either way round (pass date_order 'DMY' or 'MDY')"
    # Values that are not shaped like their column's type are described, not quoted ("x", "true" in a date column).
    assert rows(inputs.issues) == [
        (f, s, 1, "column F", "", "a column without a header holds data; kept as 'column F', not read by the audit"),
        (f, s, 2, "activity_id", "", "missing value: 3 rows (first: 2, 9, 16)"),
        (f, s, 2, "collected", "2999-01-01", f"{OUT_OF_RANGE}: 3 rows (first: 2, 9, 16)"),
        (f, s, 3, "subject_ref", "", "missing value: 3 rows (first: 3, 10, 17)"),
        (f, s, 3, "last_contact", "1/3/2022", f"{ambiguous}: 3 rows (first: 3, 10, 17)"),
        (
            f,
            s,
            3,
            "activity_id",
            "2999-01-01, 2019-01-01, 1/3/2022, true, x",
            f"activity not in the register ({REGISTER}): 18 rows (first: 3, 4, 5, 6, 7)",
        ),
        (f, s, 4, "record_id", "", "missing value: 3 rows (first: 4, 11, 18)"),
        (f, s, 4, "collected", "1/3/2022", f"{ambiguous}: 3 rows (first: 4, 11, 18)"),
        (
            f,
            s,
            4,
            "last_contact",
            "a 4-character text, a 1-character text, 3.5",
            "unparseable date: 9 rows (first: 4, 5, 6, 11, 12)",
        ),
        (
            f,
            s,
            5,
            "collected",
            "a 4-character text, a 1-character text, 3.5",
            "unparseable date: 9 rows (first: 5, 6, 7, 12, 13)",
        ),
        (f, s, 8, "last_contact", "2999-01-01", f"{OUT_OF_RANGE}: 3 rows (first: 8, 15, 22)"),
        (
            f,
            s,
            9,
            "record_id",
            "x, 3.5, 2999-01-01, 2019-01-01, 1/3/2022",
            "duplicate record_id: 12 rows (first: 9, 10, 12, 13, 14)",
        ),
    ]
    assert len(inputs.records["S-HR"]) == 21  # every row kept
    assert len(audit_and_report(sample_copy, tmp_path / "out")) == len(inputs.issues)


def test_activities_sheet_with_a_header_and_no_rows(sample_copy: Path, tmp_path: Path) -> None:
    edit_sheet(sample_copy / "activities.xlsx", None, lambda ws: ws.delete_rows(4, ws.max_row))
    inputs = load_inputs(sample_copy)
    assert inputs.activities.empty
    problems = {(r[0], r[3], r[5].split(":")[0]) for r in rows(inputs.issues)}
    assert problems == {
        ("disclosures.xlsx", "Activity ID", f"activity not in the register ({REGISTER})"),
        *(
            (f"records/{s}", "activity_id", f"activity not in the register ({REGISTER})")
            for s in ("S-CRM.csv", "S-ERP.parquet", "S-EVENT.csv", "S-NEWS.csv")
        ),
    }
    issues = audit_and_report(sample_copy, tmp_path / "out")
    assert len(issues) == len(inputs.issues)


def test_header_only_vendors_sheet(sample_copy: Path, tmp_path: Path) -> None:
    edit_sheet(sample_copy / "inventory.xlsx", "Vendors", lambda ws: ws.delete_rows(2, ws.max_row))
    inputs = load_inputs(sample_copy)
    assert inputs.vendors.empty
    assert {(r[3], r[5]) for r in rows(inputs.issues)} == {
        ("Vendor", "vendor not in the vendor list (inventory.xlsx, sheet Vendors)")
    }
    assert len(inputs.issues) == 12  # every system but the in-house one
    audit_and_report(sample_copy, tmp_path / "out")


def test_vendor_row_with_a_blank_name_and_a_system_no_activity_uses(sample_copy: Path, tmp_path: Path) -> None:
    def edit(wb_path: Path) -> None:
        wb = openpyxl.load_workbook(wb_path)
        wb["Vendors"].append([None, "US", "processor"])
        wb["Systems"].append(["S-UNUSED", "Unused", "internal", "IT system", "SE"])
        wb.save(wb_path)

    edit(sample_copy / "inventory.xlsx")
    inputs = load_inputs(sample_copy)
    assert rows(inputs.issues) == [("inventory.xlsx", "Vendors", 25, "Vendor", "", "missing value")]
    issues = audit_and_report(sample_copy, tmp_path / "out")
    assert issues[ISSUE_COLUMNS].values.tolist() == [["inventory.xlsx", "Vendors", "25", "Vendor", "", "missing value"]]


def test_dates_in_the_year_2999_text_and_excel_cell(sample_copy: Path, tmp_path: Path) -> None:
    def register(ws):
        ws.cell(row=4, column=header_position(ws, "Senast granskad", row=3), value="2999-01-01")
        ws.cell(row=5, column=header_position(ws, "Startdatum", row=3), value=dt.datetime(2999, 6, 1))
        ws.cell(row=6, column=header_position(ws, "Startdatum", row=3), value="1850-06-01")  # Excel has no such cell

    edit_sheet(sample_copy / "activities.xlsx", None, register)
    edit_sheet(sample_copy / "requests.xlsx", None, lambda ws: ws.cell(row=2, column=4, value="31 december 2999"))
    extract = sample_copy / "records" / "S-CRM.csv"
    lines = extract.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2013-05-24", "2999-05-24")
    extract.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = load_inputs(sample_copy)
    assert rows(inputs.issues) == [
        ("activities.xlsx", "Activities", 4, "Senast granskad", "2999-01-01", OUT_OF_RANGE),
        ("activities.xlsx", "Activities", 5, "Startdatum", "2999-06-01", OUT_OF_RANGE),
        ("activities.xlsx", "Activities", 6, "Startdatum", "1850-06-01", OUT_OF_RANGE),
        ("records/S-CRM.csv", "S-CRM", 2, "collected", "2999-05-24", f"{OUT_OF_RANGE}: 1 row (first: 2)"),
        ("requests.xlsx", "Requests", 2, "Received", "31 december 2999", OUT_OF_RANGE),
    ]
    assert inputs.activities.loc[0, "last_reviewed"] is pd.NaT
    issues = audit_and_report(sample_copy, tmp_path / "out")
    assert len(issues) == 5


def test_dates_out_of_range_in_a_parquet_extract(folder: Folder) -> None:
    root = folder()
    table = pa.table(
        {
            "record_id": ["1", "2", "3"],
            "subject_ref": ["DS-1", "DS-2", "DS-3"],
            "activity_id": ["A-1", "A-1", "A-1"],
            "collected": pa.array(
                [dt.datetime(2999, 1, 1), dt.datetime(1850, 1, 1), dt.datetime(2024, 1, 1)], pa.timestamp("us")
            ),
            "last_contact": pa.array([dt.date(1800, 1, 1), None, dt.date(2024, 2, 1)], pa.date32()),
        }
    )
    pq.write_table(table, root / "records" / "S-MAIL.parquet")
    inputs = load_inputs(root)
    f = "records/S-MAIL.parquet"
    assert rows(inputs.issues) == [
        (f, "S-MAIL", 2, "collected", "2999-01-01, 1850-01-01", f"{OUT_OF_RANGE}: 2 rows (first: 2, 3)"),
        (f, "S-MAIL", 2, "last_contact", "1800-01-01", f"{OUT_OF_RANGE}: 1 row (first: 2)"),
    ]
    rec = inputs.records["S-MAIL"].to_pandas()
    assert rec["collected"].isna().tolist() == [True, True, False]


def test_formula_characters_in_cells_and_headers_are_plain_text(sample_copy: Path, tmp_path: Path) -> None:
    cells = _register_as_csv(sample_copy)
    header = cells[2]
    header[header.index("Kommentar")] = "=Kommentar"
    header.append("@SUM(A1)")
    for row in cells[3:]:
        row.append("")
    starts = ["=1+1", "+46 70", "-minus", "@at", "\ttab", "\rcr"]
    for i, text in enumerate(starts):
        cells[3 + i][1] = text + " " + cells[3 + i][1]
    cells[3][-1] = '=HYPERLINK("http://x")'
    _write_csv(sample_copy / "activities.csv", cells)
    inputs = load_inputs(sample_copy)
    assert rows(inputs.issues) == [
        (
            "activities.csv",
            "Activities",
            3,
            "@SUM(A1)",
            "",
            "header not recognised (spreadsheet column W): kept as it is, not read by the audit; "
            "no known header is close (docs/inputs.md lists them)",
        )
    ]
    acts = inputs.activities
    assert acts["activity"].head(4).str.slice(0, 4).tolist() == ["=1+1", "+46 ", "-min", "@at "]
    assert acts["activity"].iloc[4].startswith("tab") and acts["activity"].iloc[5].startswith("cr")  # stripped
    assert "=Kommentar" in acts.columns  # a kept note column, under its own header
    issues = audit_and_report(sample_copy, tmp_path / "out")
    assert issues["column"].str.lstrip("'").tolist() == ["@SUM(A1)"]  # the report may escape the formula


# --- nothing unrecognised passes unseen ---------------------------------------------------


def _rename_system_header(root: Path, old: str, new: str) -> None:
    edit_sheet(
        root / "inventory.xlsx", "Systems", lambda ws: ws.cell(row=1, column=header_position(ws, old), value=new)
    )


def test_gallring_dagar_in_parentheses_is_retention_days(sample_copy: Path) -> None:
    before = load_inputs(sample_copy).systems["retention_days"]
    _rename_system_header(sample_copy, "Retention days", "Gallring (dagar)")
    inputs = load_inputs(sample_copy)
    assert inputs.issues.empty
    pd.testing.assert_series_equal(inputs.systems["retention_days"], before)


def test_gallring_dagar_keeps_ret_01(sample_copy: Path) -> None:
    _rename_system_header(sample_copy, "Retention days", "Gallring (dagar)")
    findings = run_audit(sample_copy, AS_OF).findings
    golden = pd.read_csv(Path(__file__).parent / "golden" / "sample-findings.csv", dtype=str)
    assert sorted(findings.loc[findings["rule"] == "RET-01", "finding_id"]) == sorted(
        golden.loc[golden["rule"] == "RET-01", "finding_id"]
    )


def test_unrecognised_header_is_an_info_issue_with_the_closest_known_header(sample_copy: Path) -> None:
    _rename_system_header(sample_copy, "Retention days", "Retension dayz")
    _rename_system_header(sample_copy, "Record count", "Färg")
    inputs = load_inputs(sample_copy)
    issues = inputs.issues
    assert issues[ISSUE_FRAME_COLUMNS].values.tolist() == [
        [
            "inventory.xlsx",
            "Systems",
            1,
            "Retension dayz",
            "",
            "header not recognised (spreadsheet column G): kept as it is, not read by the audit; "
            "closest known header: 'retention_days' (column retention_days)",
            "info",
        ],
        [
            "inventory.xlsx",
            "Systems",
            1,
            "Färg",
            "",
            "header not recognised (spreadsheet column L): kept as it is, not read by the audit; "
            "no known header is close (docs/inputs.md lists them)",
            "info",
        ],
    ]
    assert [v for v in inputs.systems["Retension dayz"] if v != ""] == [90, 365, 395]  # kept, untouched


def test_closest_header_is_never_a_column_the_sheet_already_has(sample_copy: Path) -> None:
    edit_sheet(sample_copy / "inventory.xlsx", "Systems", lambda ws: ws.cell(row=1, column=13, value="Retention dayz"))
    problem = load_inputs(sample_copy).issues["problem"].tolist()
    assert problem == [
        "header not recognised (spreadsheet column M): kept as it is, not read by the audit; "
        "no known header is close (docs/inputs.md lists them)"
    ]


def test_unnamed_column_with_data_is_an_info_issue(sample_copy: Path) -> None:
    edit_sheet(sample_copy / "inventory.xlsx", "Systems", lambda ws: ws.cell(row=5, column=14, value="x"))
    assert inputs_rows(sample_copy) == [
        (
            "inventory.xlsx",
            "Systems",
            1,
            "column N",
            "",
            "a column without a header holds data; kept as 'column N', not read by the audit",
            "info",
        )
    ]


def inputs_rows(root: Path) -> list[tuple]:
    return [tuple(r) for r in load_inputs(root).issues[ISSUE_FRAME_COLUMNS].itertuples(index=False)]


def test_duplicate_headers_name_both_positions(sample_copy: Path) -> None:
    def edit(ws):
        ws.cell(row=3, column=23, value="Kommentar")
        ws.cell(row=4, column=23, value="andra")
        ws.cell(row=3, column=24, value="Nr")
        ws.cell(row=4, column=24, value="A-99")

    edit_sheet(sample_copy / "activities.xlsx", None, edit)
    assert inputs_rows(sample_copy) == [
        (
            "activities.xlsx",
            "Activities",
            3,
            "Kommentar (2)",
            "",
            "duplicate header: column V has the same header; this one, column W, is kept as 'Kommentar (2)'",
            "warning",
        ),
        (
            "activities.xlsx",
            "Activities",
            3,
            "Nr",
            "",
            "a second column for activity_id: column A ('Nr') is read; this one, column X, is kept as 'Nr'",
            "warning",
        ),
    ]


@pytest.mark.parametrize(
    ("header", "value", "problem"),
    [
        ("Retention days", -30, "number below 0 (the least this column allows)"),
        ("Retention days", 40000, "number above 36525 (the most this column allows)"),
        ("Record count", "-5", "number below 0 (the least this column allows)"),
    ],
)
def test_negative_or_absurd_numbers_are_input_issues(
    sample_copy: Path, header: str, value: object, problem: str
) -> None:
    edit_sheet(
        sample_copy / "inventory.xlsx",
        "Systems",
        lambda ws: ws.cell(row=3, column=header_position(ws, header), value=value),
    )
    inputs = load_inputs(sample_copy)
    assert rows(inputs.issues) == [("inventory.xlsx", "Systems", 3, header, str(value), problem)]
    column = "retention_days" if header == "Retention days" else "record_count"
    assert pd.isna(inputs.systems.loc[1, column])


def test_existing_issues_are_warnings(folder: Folder) -> None:
    root = folder(systems=[["S-MAIL", "Mailer", "MailCo", "x", "Sverige", "ca 30", "ja", "ja", "ja", ""]])
    issues = load_inputs(root).issues
    assert issues["severity"].unique().tolist() == ["warning"]


# --- no personal data in any message ----------------------------------------------------


def test_email_addresses_under_a_date_header_are_described_not_quoted(sample_copy: Path, tmp_path: Path) -> None:
    def edit(ws):
        ws.cell(row=2, column=4, value="anna.svensson@example.se")
        ws.cell(row=3, column=4, value="Anna Svensson")
        ws.cell(row=4, column=4, value="19850212-1234")
        ws.cell(row=5, column=4, value="070-123 45 67")
        ws.cell(row=6, column=4, value="snart")

    edit_sheet(sample_copy / "requests.xlsx", None, edit)
    inputs = load_inputs(sample_copy)
    assert rows(inputs.issues) == [
        ("requests.xlsx", "Requests", 2, "Received", "text that looks like an e-mail address", "unparseable date"),
        ("requests.xlsx", "Requests", 3, "Received", "text that looks like a person's name", "unparseable date"),
        (
            "requests.xlsx",
            "Requests",
            4,
            "Received",
            "text that looks like a personal identity number",
            "unparseable date",
        ),
        ("requests.xlsx", "Requests", 5, "Received", "text that looks like a phone number", "unparseable date"),
        ("requests.xlsx", "Requests", 6, "Received", "a 5-character text", "unparseable date"),
    ]
    out = tmp_path / "out"
    audit_and_report(sample_copy, out)
    for path in out.iterdir():
        if path.suffix in (".csv", ".xlsx") and path.name != "requests.csv":
            data = path.read_bytes()
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(path) as zf:
                    data = b"".join(zf.read(n) for n in zf.namelist() if "sheet" in n or "sharedStrings" in n)
            assert b"anna.svensson@example.se" not in data, path.name
            assert b"19850212-1234" not in data, path.name


def test_names_under_the_activity_header_of_an_extract_are_described(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-MAIL.csv").write_text(
        "record_id,subject_ref,activity_id\n1,DS-1,Anna Svensson\n2,DS-2,Bo Ek\n3,DS-3,anna@example.se\n4,DS-4,A-77\n",
        encoding="utf-8",
    )
    assert rows(load_inputs(root).issues) == [
        (
            "records/S-MAIL.csv",
            "S-MAIL",
            2,
            "activity_id",
            "text that looks like a person's name, text that looks like an e-mail address, A-77",
            "activity not in the register (activities.xlsx, sheet Behandlingar): 4 rows (first: 2, 3, 4, 5)",
        )
    ]


def test_a_vocabulary_word_is_quoted_an_email_in_a_legal_basis_is_not(folder: Folder) -> None:
    acts = [list(r) for r in ACTIVITIES]
    acts[0][3] = "chefen"  # Roll: an unknown role word, safe to quote
    acts[1][5] = "kalle@example.se"  # Rättslig grund
    issues = load_inputs(folder(activities=acts)).issues
    assert rows(issues) == [
        ("activities.xlsx", "Behandlingar", 4, "Roll", "chefen", "unknown activity role"),
        (
            "activities.xlsx",
            "Behandlingar",
            5,
            "Rättslig grund",
            "text that looks like an e-mail address",
            "unknown legal basis",
        ),
    ]


def test_a_parse_error_of_a_record_extract_does_not_print_the_row(folder: Folder) -> None:
    from audit.errors import InputError

    root = folder()
    (root / "records" / "S-MAIL.csv").write_text(
        "record_id,subject_ref,activity_id\n1,DS-1,A-1\n2,DS-2,A-1,Anna Svensson,anna@example.se\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_inputs(root)
    assert "Anna" not in str(caught.value) and "anna@example.se" not in str(caught.value)


def test_a_junk_register_is_a_handful_of_counted_issues(sample_copy: Path) -> None:
    """2,000 rows of random text in every cell: each kind of problem is one issue, every row is loaded."""
    import random
    import string

    cells = _register_as_csv(sample_copy)
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + " åäö-.,;"
    junk = [["".join(rng.choices(alphabet, k=rng.randint(3, 25))) for _ in cells[2]] for _ in range(2000)]
    _write_csv(sample_copy / "activities.csv", [cells[2], *junk])
    inputs = load_inputs(sample_copy)
    assert len(inputs.activities) == 2000
    register = inputs.issues[inputs.issues["file"] == "activities.csv"]
    assert register.groupby(["column", "problem"]).size().max() == 1
    assert len(register) < 20
    assert set(register["problem"].str.extract(r"^([^:]+)", expand=False)) >= {
        "unknown activity role",
        "unknown legal basis",
        "unknown country",
        "unparseable date",
    }


# --- classes the property suite found (tests/test_properties_folders.py) ----------------------


def test_an_activity_without_an_id_keeps_its_recipients(sample_copy: Path, tmp_path: Path) -> None:
    """A blank id on a register row: an input issue, and the row is still audited, as ``(row 13)``."""
    edit_sheet(sample_copy / "activities.xlsx", None, lambda ws: setattr(ws.cell(13, 1), "value", None))
    inputs = load_inputs(sample_copy)
    assert ("activities.xlsx", "Activities", 13, "Nr", "", "missing value") in [r[:6] for r in rows(inputs.issues)]
    assert inputs.activities["activity_id"].tolist().count("(row 13)") == 1
    result = run_audit(sample_copy, AS_OF)
    rec = result.findings[result.findings["rule"].eq("REC-01")]
    row13 = rec[rec["evidence"].eq("activities.xlsx › Activities › row 13, column Mottagare")]
    assert row13[["activity_id", "subject"]].values.tolist() == [["(row 13)", "(row 13):Adtrack Nordic AB"]]
    audit_and_report(sample_copy, tmp_path / "out")


def test_systems_and_requests_without_an_id_are_audited_by_row(sample_copy: Path) -> None:
    edit_sheet(sample_copy / "inventory.xlsx", "Systems", lambda ws: setattr(ws.cell(2, 1), "value", None))
    edit_sheet(sample_copy / "requests.xlsx", None, lambda ws: setattr(ws.cell(2, 1), "value", None))
    inputs = load_inputs(sample_copy)
    assert inputs.systems["system_id"].iloc[0] == "(row 2)"
    assert inputs.requests["request_id"].iloc[0] == "(row 2)"


def test_a_second_vendor_column_beside_an_unreadable_date(sample_copy: Path, tmp_path: Path) -> None:
    """An issue on the header row (a second vendor column) and one on a cell, in one sheet."""

    def edit(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        extra = ws.max_column + 1
        ws.cell(1, extra).value = "LEVERANTÖR"
        ws.cell(2, header_position(ws, "DPA signed")).value = "snart"

    edit_sheet(sample_copy / "inventory.xlsx", "Vendors", edit)
    inputs = load_inputs(sample_copy)
    unreadable = inputs.unreadable
    assert unreadable["column"].tolist() == ["dpa_signed"] and unreadable["src_row"].tolist() == [2]
    audit_and_report(sample_copy, tmp_path / "out")


def test_a_header_with_a_line_break_in_an_error_stays_on_one_line(sample_copy: Path, capsys) -> None:
    """Found by the long property run: a required column missing, and a found header holding a line break."""
    import audit.cli

    def edit(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        ws.cell(1, header_position(ws, "Received")).value = "Received\nnotering"

    edit_sheet(sample_copy / "requests.xlsx", None, edit)
    assert (
        audit.cli.main(["--data", str(sample_copy), "--as-of", AS_OF.isoformat(), "--out", str(sample_copy / "o")]) == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: requests.xlsx")
    assert "'Received\\nnotering'" in err
