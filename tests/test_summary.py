"""The Summary for management: exact numbers on planted findings, in English and Swedish."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from audit.paths import SAMPLE_DIR
from audit.report import Carried
from audit.report.carry import carry_forward
from audit.report.summary import (
    area_lines,
    findings_matrix,
    meta_lines,
    overview,
    status_breakdown,
    summary_blocks,
    top_open,
)
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF

AS_OF = date(2026, 11, 1)
CHOICES = ("open", "in progress", "accepted risk", "resolved")
COLUMNS = [
    "finding_id",
    "rule",
    "severity",
    "title",
    "subject",
    "Status",
    "Since last run",
    "days_open",
    "days_overdue",
]
ROWS = [
    ("REG-01-a", "REG-01", "high", "T1", "A-01:ip_address", "open", None, 40, 10),
    ("REG-02-b", "REG-02", "medium", "T2", "A-02", "in progress", "new", 0, 0),
    ("RET-01-c", "RET-01", "high", "T3", "A-01:S-FORM", "accepted risk", None, 100, 70),
    ("SEC-02-d", "SEC-02", "low", "T4", "S-CRM", "waiting for IT", None, 5, 0),
    ("DSR-01-e", "DSR-01", "info", "T5", "R-007", "open", "new", 0, None),
    ("RET-03-f", "RET-03", "high", "T6", "A-02:S-CRM", "open", None, 60, 30),
]


@pytest.fixture
def findings() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    return frame.assign(
        days_open=frame["days_open"].astype("Int64"),
        days_overdue=frame["days_overdue"].astype("Int64"),
        due=[date(2026, 10, 22), date(2027, 1, 30), date(2026, 8, 23), date(2027, 4, 1), None, date(2026, 10, 2)],
    )


@pytest.fixture
def resolved() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "resolved_on": [AS_OF, date(2026, 9, 1)],
            "finding_id": ["REG-03-x", "TRF-01-y"],
            "rule": ["REG-03", "TRF-01"],
            "severity": ["high", "low"],
        }
    )


def test_overview(findings, resolved) -> None:
    assert overview(findings, resolved, AS_OF, "en").values.tolist() == [
        ["New", 2],
        ["Still open", 3],  # a DPO's own status ("waiting for IT") is still open
        ["Resolved", 1],  # the older resolution (2026-09-01) is history, not this run's
        ["Accepted risk", 1],
    ]
    sv = overview(findings, resolved, AS_OF, "sv")
    assert list(sv.columns) == ["Avvikelser", "Antal"]
    assert sv.iloc[0].tolist() == ["Nya", 2]


def test_overview_of_a_first_run_calls_everything_new(findings) -> None:
    empty = pd.DataFrame(columns=["resolved_on", "finding_id", "rule"])
    first = findings.assign(**{"Since last run": None})
    assert overview(first, empty, AS_OF, "en", previous=False)["Number"].tolist() == [6, 0, 0, 1]


def test_status_breakdown(findings) -> None:
    table = status_breakdown(findings, "en", CHOICES)
    assert list(table.columns) == ["Status", "high", "medium", "low", "info", "Total"]
    assert table.values.tolist() == [
        ["open", 2, 0, 0, 1, 3],
        ["in progress", 0, 1, 0, 0, 1],
        ["accepted risk", 1, 0, 0, 0, 1],
        ["resolved", 0, 0, 0, 0, 0],
        ["waiting for IT", 0, 0, 1, 0, 1],
    ]
    sv = status_breakdown(findings, "sv", CHOICES)
    assert list(sv.columns) == ["Status", "hög", "medel", "låg", "info", "Totalt"]
    assert sv["Status"].tolist() == ["öppen", "pågår", "accepterad risk", "åtgärdad", "waiting for IT"]


def test_top_open_by_severity_then_age(findings) -> None:
    top = top_open(findings, "en", n=3)
    assert list(top.columns) == ["Finding id", "Subject", "Finding", "Severity", "Days open", "Due"]
    assert top.values.tolist() == [
        ["RET-03-f", "A-02 · S-CRM", "T6", "high", 60, date(2026, 10, 2)],
        ["REG-01-a", "A-01 · ip_address", "T1", "high", 40, date(2026, 10, 22)],
        ["REG-02-b", "A-02", "T2", "medium", 0, date(2027, 1, 30)],
    ]
    # Accepted risk is not open; ten at most.
    assert top_open(findings, "sv")["Avvikelse-id"].tolist() == [
        "RET-03-f",
        "REG-01-a",
        "REG-02-b",
        "SEC-02-d",
        "DSR-01-e",
    ]
    assert top_open(findings, "sv")["Allvarlighet"].tolist() == ["hög", "hög", "medel", "låg", "info"]


def test_one_line_per_area(findings, resolved) -> None:
    table = area_lines(findings, resolved, AS_OF, "en")
    assert list(table.columns) == ["Area", "Open", "of which high", "New", "Resolved", "Overdue"]
    assert table.values.tolist() == [
        ["Policy vs law", 0, 0, 0, 0, 0],
        ["Register", 2, 1, 1, 1, 1],
        ["Recipients", 0, 0, 0, 0, 0],
        ["Transfers", 0, 0, 0, 0, 0],
        ["Retention", 1, 1, 0, 0, 1],
        ["Rights requests", 1, 0, 1, 0, 0],
        ["Security", 1, 0, 0, 0, 0],
        ["Total", 5, 2, 2, 1, 2],
    ]
    sv = area_lines(findings, resolved, AS_OF, "sv")
    assert list(sv.columns) == ["Område", "Öppna", "varav hög", "Nya", "Åtgärdade", "Försenade"]
    assert sv["Område"].tolist()[1] == "Registerförteckning"


def test_area_by_severity_headers_over_their_own_numbers(findings) -> None:
    table = findings_matrix(findings, "en")
    assert list(table.columns) == ["Area", "high", "medium", "low", "info", "Total"]
    assert table.values.tolist() == [
        ["Register", 1, 1, 0, 0, 2],
        ["Retention", 2, 0, 0, 0, 2],
        ["Rights requests", 0, 0, 0, 1, 1],
        ["Security", 0, 0, 1, 0, 1],
        ["Total", 3, 1, 1, 1, 6],
    ]
    # The notebooks pass the audit's own findings, without the DPO's columns.
    assert findings_matrix(findings[["rule", "severity"]], "sv").iloc[-1].tolist() == ["Totalt", 3, 1, 1, 1, 6]


def test_nothing_found_is_all_zeros(findings, resolved) -> None:
    none = findings.iloc[0:0]
    no_resolved = resolved.iloc[0:0]
    assert overview(none, no_resolved, AS_OF, "en")["Number"].tolist() == [0, 0, 0, 0]
    assert top_open(none, "en").empty
    areas = area_lines(none, no_resolved, AS_OF, "en")
    assert len(areas) == 8 and areas.iloc[:, 1:].to_numpy().sum() == 0
    assert findings_matrix(none, "en").values.tolist() == [["Total", 0, 0, 0, 0, 0]]
    assert status_breakdown(none, "en", CHOICES)["Total"].tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_sample_summary_fits_one_page_and_speaks_the_language(lang: str) -> None:
    result = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, lang=lang)
    findings, resolved, _ = carry_forward(result.findings, None, SAMPLE_AS_OF, result.context.settings.due_days)
    carried = Carried()
    blocks = summary_blocks(result, findings, resolved, carried)
    meta = meta_lines(result, carried, lang, "0")
    headings = [h for h, _ in blocks]
    if lang == "sv":
        assert headings[:4] == [
            "Sedan förra körningen",
            "Avvikelser per status och allvarlighet",
            "De tio allvarligaste öppna avvikelserna",
            "Avvikelser per område",
        ]
        assert [k for k, _ in meta][1] == "Per datum" and meta[6][1] == "ingen"
    else:
        assert headings[-3:] == ["Findings by area and severity", "Reference data", "Input files"]
    # The overview (title, meta and the first four blocks: a blank line, heading and header each) on one page.
    overview_rows = 1 + len(meta) + sum(3 + len(frame) for _, frame in blocks[:4])
    assert overview_rows <= 48
    assert blocks[0][1].iloc[:, 1].tolist() == [len(result.findings), 0, 0, 0]
    assert len(blocks[2][1]) == 10
