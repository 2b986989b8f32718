"""Charts: each returns a titled Figure with the as-of date, and says so when there is nothing to draw."""

from datetime import date

import pandas as pd
import pytest
from matplotlib.colors import to_hex

from audit.paths import SAMPLE_DIR
from audit.reference.settings import load_settings
from audit.report import charts, make_charts
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF

AS_OF = date(2026, 11, 1)


def texts(fig):
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [ax.get_title(loc="left"), ax.get_xlabel()] + [t.get_text() for t in ax.texts]
        found += [t.get_text() for t in ax.get_yticklabels()]
    return found


@pytest.fixture(scope="module")
def sample_result():
    return run_audit(SAMPLE_DIR, SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def sample_charts(sample_result):
    return make_charts(sample_result)


def test_every_chart_has_title_and_as_of_caption(sample_charts):
    assert len(sample_charts) == 5
    for fig in sample_charts.values():
        words = texts(fig)
        assert any(w.startswith("As of 2026-11-01") for w in words)
        assert any(w and w[0].isupper() and len(w) > 10 for w in words)


def test_findings_chart_uses_the_workbook_severity_colours():
    settings = load_settings()
    findings = pd.DataFrame({"area": ["Security", "Security", "Retention"], "severity": ["high", "low", "high"]})
    fig = charts.findings_by_area(findings, settings, AS_OF)
    colours = {to_hex(p.get_facecolor()).upper().lstrip("#") for p in fig.axes[0].patches if p.get_width() > 0}
    assert colours == {settings.severity_colours["high"], settings.severity_colours["low"]}
    assert "3 findings" in " ".join(texts(fig))


def test_transfer_chart_shows_each_third_country_once(sample_charts):
    labels = [t.get_text() for t in sample_charts["transfers_by_country"].axes[0].get_yticklabels()]
    assert sorted(labels) == ["India", "Philippines", "United Kingdom", "United States"]


def test_transfer_colours_follow_the_safeguard_code_not_its_label():
    register = pd.DataFrame(
        {
            "country": ["US", "IN"],
            "country_name": ["United States", "India"],
            "eu_eea": [False, False],
            "safeguard_code": ["scc_tia", "none"],
            "safeguard": ["Standardavtalsklausuler och TIA", "ingen"],
        }
    )
    ax = charts.transfers_by_country(register, AS_OF).axes[0]
    colours = {to_hex(p.get_facecolor()).upper() for p in ax.patches if p.get_width() > 0}
    assert colours == {charts.SAFEGUARD_COLOURS["scc_tia"], charts.SAFEGUARD_COLOURS["none"]}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Standardavtalsklausuler och TIA", "ingen"]


def test_every_third_country_safeguard_of_the_sample_has_a_colour(sample_result):
    register = sample_result.tables["transfers"]
    codes = set(register.loc[~register["eu_eea"].astype(bool), "safeguard_code"])
    assert len(codes) > 3 and codes <= set(charts.SAFEGUARD_COLOURS)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: charts.findings_by_area(pd.DataFrame(columns=["area", "severity"]), load_settings(), AS_OF),
            "No findings",
        ),
        (
            lambda: charts.transfers_by_country(
                pd.DataFrame({"country": ["SE"], "eu_eea": [True], "country_name": ["Sweden"], "safeguard": ["x"]}),
                AS_OF,
            ),
            "No third-country transfers",
        ),
        (lambda: charts.retention_overdue(pd.DataFrame(), AS_OF), "No records past their retention limit"),
        (lambda: charts.request_answer_times(pd.DataFrame(), AS_OF), "No requests in the log"),
    ],
)
def test_empty_charts_say_so(make, message):
    fig = make()
    assert message in texts(fig)


def test_retention_chart_labels_counts_and_shares(sample_charts):
    words = " ".join(texts(sample_charts["retention_overdue"]))
    assert "137 of 5,000 (2.7%)" in words
