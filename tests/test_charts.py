"""Charts: each returns a titled Figure with the as-of date, and says so when there is nothing to draw."""

import io
import shutil
from datetime import date

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex

from audit.paths import SAMPLE_DIR
from audit.reference.catalogue import catalogue
from audit.reference.settings import load_settings
from audit.report import charts, make_charts, write_report
from audit.rules.registry import resolve
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


# ---------------------------------------------------------------- missing values in any column


def _inputs(result):
    """What each chart is drawn from, by the names of ``rules.yaml``."""
    return {
        "findings": result.findings,
        "settings": result.context.settings,
        "activities": result.inputs.activities,
        "systems": result.inputs.systems,
        **result.tables,
    }


def _draw(key, named):
    spec = catalogue().charts[key]
    fig = resolve(spec.draw)(*(named[name] for name in spec.inputs), AS_OF)
    fig.savefig(io.BytesIO(), dpi=20, format="png")  # rendering, too, must survive
    return fig


def _blank(frame, columns, rows, flavour):
    """``frame`` with the cells of ``rows`` × ``columns`` missing: as ``pd.NA``, or as each column's own missing value."""
    out = frame.copy()
    mask = pd.Series(False, index=out.index)
    mask.iloc[sorted(rows)] = True
    for col in columns:
        s = out[col]
        out[col] = s.astype(object).where(~mask, pd.NA) if flavour == "pd.NA" else s.where(~mask)
    return out


def _with_blanks(named, key, pick):
    """The chart's frames with ``pick(frame)`` → (columns, rows) blanked; the settings untouched."""
    out = dict(named)
    for name in catalogue().charts[key].inputs:
        if isinstance(named[name], pd.DataFrame) and len(named[name]):
            out[name] = _blank(named[name], *pick(named[name]))
    return out


@pytest.mark.parametrize("flavour", ["pd.NA", "own"])
@pytest.mark.parametrize("rows", ["every other row", "every row"])
@pytest.mark.parametrize("key", list(catalogue().charts))
def test_charts_survive_missing_values_in_every_column(sample_result, key, rows, flavour):
    named = _inputs(sample_result)
    step = 2 if rows == "every other row" else 1
    fig = _draw(key, _with_blanks(named, key, lambda f: (list(f.columns), range(0, len(f), step), flavour)))
    assert any(w.startswith("As of 2026-11-01") for w in texts(fig))


def _coins(n):
    return st.lists(st.booleans(), min_size=n, max_size=n)


@settings(max_examples=15, derandomize=True, deadline=None)
@given(data=st.data(), key=st.sampled_from(sorted(catalogue().charts)), flavour=st.sampled_from(["pd.NA", "own"]))
def test_charts_survive_missing_values_in_any_cells(sample_result, data, key, flavour):
    named = _inputs(sample_result)

    def pick(frame):
        # A coin per column and per row: about half of each, in every combination.
        columns = [c for c, hit in zip(frame.columns, data.draw(_coins(frame.shape[1])), strict=True) if hit]
        rows = [i for i, hit in enumerate(data.draw(_coins(len(frame)))) if hit]
        return columns, rows, flavour

    _draw(key, _with_blanks(named, key, pick))


def _retention_row(activity, records_total, past):
    return {"activity_id": activity, "system_id": "S-X", "records_total": records_total, "records_past_limit": past}


def test_retention_chart_leaves_out_pairs_it_cannot_judge():
    table = pd.DataFrame(
        [_retention_row("A-1", 10, 4), _retention_row("A-2", 7, pd.NA), _retention_row("A-3", 0, pd.NA)]
    )
    table = table.astype({"records_total": "Int64", "records_past_limit": "Int64"})
    fig = charts.retention_overdue(table, AS_OF)
    words = texts(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A-1 · S-X"]
    assert "4 of 10 (40.0%)" in words
    assert any("1 activity · system pair with records not judged (no measurable policy rule)" in w for w in words)
    nothing = charts.retention_overdue(table.iloc[1:], AS_OF)
    assert "No records past their retention limit" in texts(nothing)


@pytest.mark.parametrize("policy_ref", [None, "P-EVENT-MEDIA"], ids=["no policy_ref", "vague retention"])
def test_extract_of_an_activity_that_cannot_be_judged(tmp_path, policy_ref):
    """The sample with A-07 (whose extract S-EVENT is judged) made unjudgeable, beside extracts that are judged."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    wb = openpyxl.load_workbook(data / "activities.xlsx")
    ws = wb["Activities"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Nr")
    col = [c.value for c in header].index("Policyavsnitt")
    (row,) = [r for r in ws.iter_rows(min_row=header[0].row + 1) if r[0].value == "A-07"]
    row[col].value = policy_ref
    wb.save(data / "activities.xlsx")
    result = run_audit(data, SAMPLE_AS_OF)
    figures = make_charts(result)  # TypeError: boolean value of NA is ambiguous, before
    labels = [t.get_text() for t in figures["retention_overdue"].axes[0].get_yticklabels()]
    assert "A-10 · S-NEWS" in labels and "A-07 · S-EVENT" not in labels
    assert any("not judged" in w for w in texts(figures["retention_overdue"]))
    written = write_report(result, tmp_path / "out", figures=figures)
    assert (tmp_path / "out" / "findings.csv") in written
    assert len(pd.read_csv(tmp_path / "out" / "findings.csv")) == len(result.findings)


# --- charts of registers too large to draw bar by bar --------------------------------------


def test_retention_chart_draws_the_pairs_with_most_records_past_the_limit():
    n = charts.MAX_BARS + 25
    table = pd.DataFrame([_retention_row(f"A-{i:03d}", 100, i + 1) for i in range(n)])
    table = table.astype({"records_total": "Int64", "records_past_limit": "Int64"})
    fig = charts.retention_overdue(table, AS_OF)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == charts.MAX_BARS
    assert labels[-1] == f"A-{n - 1:03d} · S-X" and labels[0] == f"A-{n - charts.MAX_BARS:03d} · S-X"
    caption = next(w for w in texts(fig) if w.startswith("As of"))
    assert f"the {charts.MAX_BARS} with most records past the limit of {n} pairs shown; all in the Retention sheet" in (
        caption
    )
    assert fig.get_size_inches()[1] < 0.6 * charts.MAX_BARS + 3


def test_request_chart_draws_the_most_urgent_requests():
    n = charts.MAX_BARS + 10
    rows = [
        {
            "request_id": f"R-{i:03d}",
            "right": "access",
            "received": pd.Timestamp("2026-01-01") + pd.Timedelta(days=i),
            "completed": pd.Timestamp("2026-01-05") + pd.Timedelta(days=i),
            "deadline": pd.Timestamp("2026-02-01") + pd.Timedelta(days=i),
            "status": "on time",
        }
        for i in range(n)
    ]
    rows[3].update(completed=pd.NaT, status="overdue")
    rows[7].update(completed=pd.Timestamp("2026-06-01"), status="late")
    fig = charts.request_answer_times(pd.DataFrame(rows), AS_OF)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == charts.MAX_BARS
    assert {"R-003 (access)", "R-007 (access)"} <= set(labels)
    caption = next(w for w in texts(fig) if w.startswith("As of"))
    assert f"the {charts.MAX_BARS} most urgent of {n} requests shown; all in the Requests sheet" in caption


def test_data_map_of_a_huge_register_draws_a_readable_picture():
    n = 5000
    activities = pd.DataFrame(
        {"activity_id": [f"A-{i:05d}" for i in range(n)], "systems": [["S-1"] if i == n - 1 else [] for i in range(n)]}
    )
    systems = pd.DataFrame({"system_id": ["S-1"], "vendor": ["MailCo"]})
    register = pd.DataFrame({"vendor": ["MailCo"], "country": ["US"], "eu_eea": [False]})
    fig = charts.data_map(activities, systems, register, AS_OF)
    words = texts(fig)
    assert f"A-{n - 1:05d}" in words  # the one activity linked to a system is drawn first
    assert f"… {n - charts.MAP_NODES + 1:,} more" in words
    caption = next(w for w in words if w.startswith("As of"))
    assert f"{n - charts.MAP_NODES + 1:,} activities in the last box of their column" in caption
    assert fig.get_size_inches()[1] < 0.32 * charts.MAP_NODES + 3
