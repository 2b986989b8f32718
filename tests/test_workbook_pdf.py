"""The sample workbook printed to PDF by LibreOffice, read back with poppler: pages, layout and language.

What a DPO gets when printing the workbook or exporting it to PDF. Each
page's sheet is read from its footer. Needs LibreOffice and poppler: without
them the test is skipped, except under CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audit.cli import main
from audit.paths import SAMPLE_DIR
from audit.reference.i18n import label
from audit.report.excel import sheet_title, workbook_name
from tests.pdf_pages import missing_tools, overlaps, pages_per_sheet, text_lines, to_pdf
from tools.sample import SAMPLE_AS_OF

MAX_PAGES = 20
FINDINGS_MAX_PAGES = 6
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
    "Resolved since last run",
]


def _need_tools() -> None:
    missing = missing_tools()
    if missing:
        message = f"not installed: {', '.join(missing)} (.ci/run installs libreoffice-calc-nogui and poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _printed(tmp: Path, lang: str) -> tuple[Path, dict[str, list[int]], list[str]]:
    _need_tools()
    out = tmp / f"out-{lang}"
    argv = ["--data", str(SAMPLE_DIR), "--as-of", SAMPLE_AS_OF.isoformat(), "--out", str(out), "--lang", lang]
    assert main(argv) == 0
    pdf = to_pdf(out / workbook_name(SAMPLE_AS_OF), tmp / f"pdf-{lang}")
    names = [sheet_title(s, lang) for s in SHEETS]
    pages, texts = pages_per_sheet(pdf, names)
    return pdf, pages, texts


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return _printed(tmp_path_factory.mktemp("pdf"), "en")


@pytest.fixture(scope="module")
def swedish(tmp_path_factory):
    return _printed(tmp_path_factory.mktemp("pdf"), "sv")


def test_the_whole_workbook_prints_in_at_most_20_pages(english):
    _, pages, texts = english
    assert len(texts) <= MAX_PAGES
    assert "?" not in pages, f"pages without a sheet in their footer: {pages.get('?')}"


def test_pages_per_sheet(english):
    _, pages, texts = english
    assert len(pages["Summary"]) == 1
    assert pages["Summary"] == [1]
    # One chart per page: five charts, five pages.
    assert len(pages["Charts"]) == 5
    assert 1 <= len(pages["Findings"]) <= FINDINGS_MAX_PAGES
    # Short tables on one page; the wide ones (Transfers, Register, Policy) wrap their text into a few pages.
    for sheet in ("Details", "Retention", "Requests", "Input issues", "Resolved since last run"):
        assert len(pages[sheet]) == 1, sheet
    for sheet in ("Transfers", "Register", "Policy"):
        assert 1 <= len(pages[sheet]) <= 3, sheet
    # The sheets print in the workbook's order, each on consecutive pages.
    order = [p for sheet in SHEETS for p in pages[sheet]]
    assert order == list(range(1, len(texts) + 1))
    # Every page of a sheet carries its page number of the whole printout: "Page 3 of 16".
    total = len(texts)
    assert f"Page 1 of {total}" in texts[0]
    assert "As of 2026-11-01" in texts[0]


def test_findings_print_one_page_wide(english):
    _, pages, texts = english
    # One page wide: every Findings page shows the first column (the finding ids) and the last (recommendation).
    for number in pages["Findings"]:
        assert "-" in texts[number - 1]
    first = texts[pages["Findings"][0] - 1]
    assert "Finding id" in first and "Recommendation" in first


def test_no_two_lines_of_the_findings_pages_overlap(english):
    pdf, pages, _ = english
    clashes = overlaps(text_lines(pdf), set(pages["Findings"]))
    assert [(a.page, a.words, b.words) for a, b in clashes] == []


def test_no_two_lines_of_any_page_overlap(english):
    pdf, pages, _ = english
    table_pages = {p for sheet, numbers in pages.items() if sheet != "Charts" for p in numbers}
    clashes = overlaps(text_lines(pdf), table_pages)
    assert [(a.page, a.words, b.words) for a, b in clashes] == []


def test_swedish_sheet_names_and_headings(swedish):
    pdf, pages, texts = swedish
    assert pages["Sammanfattning"] == [1]
    assert len(pages["Avvikelser"]) >= 1
    assert {"Diagram", "Överföringar", "Lagringstid", "Begäranden", "Registerförteckning"} <= set(pages)
    assert len(texts) <= MAX_PAGES
    summary = texts[0]
    assert "Dataskyddsgranskning" in summary
    assert "Per datum" in summary and "Per 2026-11-01" in summary and "Sida 1 av" in summary
    findings = texts[pages["Avvikelser"][0] - 1]
    for heading in ("Avvikelse-id", "Allvarlighet", "Rekommendation", label("common.column", "Comment", "sv")):
        assert heading in findings
    assert "hög" in findings and "öppen" in findings
    assert "finding_id" not in findings and "severity" not in findings
    assert overlaps(text_lines(pdf), set(pages["Avvikelser"])) == []


def test_missing_programs_fail_under_ci_and_skip_elsewhere(monkeypatch):
    import tests.test_workbook_pdf as me

    monkeypatch.setattr(me, "missing_tools", lambda: ["soffice"])
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not installed: soffice"):
        me._need_tools()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="not installed: soffice"):
        me._need_tools()
    monkeypatch.setattr(me, "missing_tools", lambda: [])
    assert me._need_tools() is None
