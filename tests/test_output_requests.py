"""The Requests sheet: a blank "extended" stays blank (unknown), and the identity check DSR-05 rests on is shown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd

from audit.reference.i18n import code_for
from audit.report import write_report
from audit.report.excel import workbook_name
from audit.rules.registry import run_family
from audit.rules.requests import request_timeline
from audit.run import run_audit
from tests.conftest import REQUESTS_HEADER, build_folder, tables, write_xlsx
from tests.factories import make_ctx, make_inputs, request

AS_OF = date(2026, 11, 1)


def test_timeline_keeps_a_blank_extension_unknown_and_shows_the_identity_check() -> None:
    rows = [
        request(request_id="R-BLANK", extended=None),
        request(request_id="R-NO", extended=False, identity_verified=None),
        request(request_id="R-YES", extended=True, extension_notified="2026-01-15"),
    ]
    timeline = request_timeline(make_ctx(make_inputs(requests=rows))).set_index("request_id")
    assert timeline["extended"].tolist() == [pd.NA, False, True]
    assert timeline["identity_verified"].tolist() == [pd.Timestamp("2026-01-11"), pd.NaT, pd.Timestamp("2026-01-11")]
    assert list(timeline.columns[timeline.columns.get_loc("deadline") :][:3]) == [
        "deadline",
        "identity_verified",
        "completed",
    ]


def test_late_answer_with_a_blank_extension_is_judged_without_one() -> None:
    late = request(request_id="R-1", received="2026-03-02", completed="2026-04-15", extended=None)
    found = run_family(make_ctx(make_inputs(requests=[late])), "DSR")
    assert list(found["rule"]) == ["DSR-01"]
    assert found.loc[0, "detail"].endswith("13 days after its deadline 2026-04-02.")


def test_requests_sheet_of_a_real_log(tmp_path: Path) -> None:
    data = build_folder(tmp_path / "data", tables())
    header = [*REQUESTS_HEADER, "Förlängd", "Identitet kontrollerad"]
    write_xlsx(
        data / "requests.xlsx",
        {
            "Ärenden": [
                header,
                ["R-1", "DS-1", "registerutdrag", "3 februari 2025", "20 februari 2025", "klar", "", "4 februari 2025"],
                ["R-2", "DS-2", "radering", "3 mars 2025", "20 mars 2025", "klar", "nej", ""],
                ["R-3", "DS-3", "radering", "3 april 2025", "20 april 2025", "klar", "ja", ""],
            ]
        },
    )
    write_report(run_audit(data, AS_OF), tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / workbook_name(AS_OF))["Requests"]
    # Headers are labels in the report language; map them back to the table's columns.
    head = [code_for("report.column", c.value) or c.value for c in ws[1]]
    rows = {r[0]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert [rows[r]["extended"] for r in ("R-1", "R-2", "R-3")] == [None, "no", "yes"]
    assert rows["R-1"]["identity_verified"].date() == date(2025, 2, 4)
    assert rows["R-2"]["identity_verified"] is None
    csv = pd.read_csv(tmp_path / "out" / "requests.csv", keep_default_na=False).set_index("request_id")
    assert csv.loc["R-1", "extended"] == "" and csv.loc["R-1", "identity_verified"] == "2025-02-04"
