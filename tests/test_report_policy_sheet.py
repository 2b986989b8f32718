"""The Policy sheet states the policy version and what changed since the previous workbook's policy."""

import copy
from datetime import timedelta

import openpyxl
import pytest

from audit.paths import SAMPLE_DIR
from audit.policy.model import load_policy, model_from_dict
from audit.report import write_report
from audit.report.excel import workbook_name
from audit.report.policy_sheet import CHUNK_CHARS, MODEL_SHEET, model_lines, read_previous_policy
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF

LATER = SAMPLE_AS_OF + timedelta(days=7)


def _texts(ws):
    return [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]


def _edited_policy():
    raw = copy.deepcopy(load_policy().raw)
    survey = next(a for a in raw["activities"] if a["id"] == "P-SURVEY")
    survey["retention"]["rules"][0]["period"] = "P2Y"
    raw["version"] = raw["version"].replace(year=2025)
    return model_from_dict(raw, "edited policy")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("policy-sheet")
    write_report(run_audit(SAMPLE_DIR, SAMPLE_AS_OF), out)
    first = openpyxl.load_workbook(out / workbook_name(SAMPLE_AS_OF))
    write_report(run_audit(SAMPLE_DIR, LATER, policy=_edited_policy()), out)
    second = openpyxl.load_workbook(out / workbook_name(LATER))
    return out, first, second


def test_first_workbook_has_no_previous(two_runs):
    _, first, _ = two_runs
    rows = _texts(first["Policy"])
    assert ["Policy version 2024-05-16"] in rows
    assert ["Changes since the previous workbook: no previous workbook"] in rows
    assert first.sheetnames[-1] == "Resolved since last run"


def test_model_is_stored_in_a_hidden_sheet(two_runs):
    out, first, _ = two_runs
    assert first[MODEL_SHEET].sheet_state == "hidden"
    stored = read_previous_policy(out / workbook_name(SAMPLE_AS_OF))
    assert stored["model"]["version"] == "2024-05-16"
    assert len(stored["model"]["activities"]) == 13
    assert stored["art13"]["1a"] is True


def test_second_workbook_lists_the_change(two_runs):
    _, _, second = two_runs
    rows = _texts(second["Policy"])
    assert ["Policy version 2025-05-16"] in rows
    title = "Changes since the previous workbook (version 2024-05-16): 2 changes, 1 material"
    at = rows.index([title])
    # The writer shows each column's catalogue label (report.column.*) in the report's language.
    assert rows[at + 1] == ["Change", "Activity", "Title", "Field", "Before", "After", "Material", "Why"]
    changes = rows[at + 2 : at + 4]
    assert [
        "changed",
        "P-SURVEY",
        "Genomföra enkätundersökningar i samband med implementation av nya system",
        "retention",
        "P1Y from collection",
        "P2Y from collection",
        "MATERIAL",
        "a longer retention",
    ] in changes
    assert ["changed", "*", "version", "2024-05-16", "2025-05-16", "policy version"] in changes


def test_unchanged_policy_says_so(two_runs, tmp_path):
    out, _, _ = two_runs
    write_report(run_audit(SAMPLE_DIR, LATER, policy=_edited_policy()), tmp_path, previous=out / workbook_name(LATER))
    rows = _texts(openpyxl.load_workbook(tmp_path / workbook_name(LATER))["Policy"])
    assert ["No change since the previous workbook (version 2025-05-16)"] in rows


def test_long_json_is_split_and_a_workbook_without_it_has_none(tmp_path):
    raw = copy.deepcopy(load_policy().raw)
    raw["unparsed"] = ["x" * 70_000]
    lines = model_lines(raw, {"1a": True})
    assert len(lines) == 4 and all(len(line) <= CHUNK_CHARS for line in lines)
    book = openpyxl.Workbook()
    book.active.title = "Findings"
    book.save(tmp_path / "old.xlsx")
    assert read_previous_policy(tmp_path / "old.xlsx") is None


def test_swedish_policy_sheet_words_the_change_in_swedish(tmp_path):
    """The version line and the change title in the report's language; the change table marks material changes."""
    out = tmp_path / "sv"
    write_report(run_audit(SAMPLE_DIR, SAMPLE_AS_OF, lang="sv"), out)
    write_report(run_audit(SAMPLE_DIR, LATER, policy=_edited_policy(), lang="sv"), out)
    rows = _texts(openpyxl.load_workbook(out / workbook_name(LATER))["Policy"])
    assert ["Policyversion 2025-05-16"] in rows
    assert ["Ändringar sedan förra arbetsboken (version 2024-05-16): 2 ändringar, varav 1 väsentliga"] in rows
    assert any("VÄSENTLIG" in row for row in rows)
