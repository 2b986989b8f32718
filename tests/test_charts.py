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
    """Every text a figure draws: its own texts, titles, axis labels, tick labels and legends."""
    found = [t.get_text() for t in fig.texts]
    legends = list(fig.legends)
    for ax in fig.axes:
        found += [ax.get_title(loc="left"), ax.get_xlabel()] + [t.get_text() for t in ax.texts]
        found += [t.get_text() for t in ax.get_yticklabels()]
        legends += [ax.get_legend()] if ax.get_legend() else []
    for legend in legends:
        found += [legend.get_title().get_text()] + [t.get_text() for t in legend.get_texts()]
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
    assert sorted(labels) == ["GB United Kingdom", "IN India", "PH Philippines", "US United States"]


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
    # The legend names each code from the catalogue, whatever the register's label says.
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SCC + TIA", "no safeguard"]


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
    assert "A-10 Nyhetsbrev · S-NEWS" in labels and not any(label.startswith("A-07") for label in labels)
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


# --- the report's language, names beside codes, adequacy colours, recipients on the data map ----------

TITLES = {
    "en": {
        "findings_by_area": "Findings by area and severity",
        "transfers_by_country": "Third-country transfers by country and safeguard",
        "retention_overdue": "Records past retention per activity",
        "request_answer_times": "Request answer times against the deadline",
        "data_map": "Data map: activities → systems → vendors and recipients → countries",
    },
    "sv": {
        "findings_by_area": "Avvikelser per område och allvarlighet",
        "transfers_by_country": "Överföringar till tredjeland per land och skyddsåtgärd",
        "retention_overdue": "Poster över lagringstiden per behandling",
        "request_answer_times": "Svarstider för begäranden mot tidsfristen",
        "data_map": "Datakarta: behandlingar → system → leverantörer och mottagare → länder",
    },
}


def _sample_in(result, lang):
    named = _inputs(result)
    out = {}
    for key, spec in catalogue().charts.items():
        out[key] = resolve(spec.draw)(*(named[name] for name in spec.inputs), AS_OF, lang=lang)
    return out


@pytest.fixture(scope="module")
def sample_sv(sample_result):
    return _sample_in(sample_result, "sv")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_chart_is_titled_and_dated_in_its_language(sample_result, sample_sv, lang):
    figures = sample_sv if lang == "sv" else _sample_in(sample_result, "en")
    assert {key: fig.axes[0].get_title(loc="left") for key, fig in figures.items()} == TITLES[lang]
    start = {"en": "As of 2026-11-01", "sv": "Per 2026-11-01"}[lang]
    for fig in figures.values():
        assert any(w.startswith(start) for w in texts(fig))
        # One landscape page: fixed width, never taller than the page.
        width, height = fig.get_size_inches()
        assert width == charts.WIDTH and height <= charts.MAX_HEIGHT


def test_swedish_charts_show_no_english_catalogue_text(sample_sv):
    from audit.reference.i18n import catalogue as messages

    english = {e["en"] for k, e in messages().items() if k.split(".")[0] in {"charts", "common"} and e["en"] != e["sv"]}
    for key, fig in sample_sv.items():
        drawn = {w for w in texts(fig) if w}
        assert not drawn & english, key


def test_findings_chart_in_swedish_names_areas_and_severities():
    findings = pd.DataFrame(
        {
            "rule": ["SEC-01", "SEC-02", "RET-01"],
            "area": ["Security", "Security", "Retention"],
            "severity": ["high", "low", "high"],
        }
    )
    fig = charts.findings_by_area(findings, load_settings(), AS_OF, lang="sv")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Lagringstid", "Säkerhet"]
    assert ax.get_xlabel() == "Antal avvikelser"
    assert ax.get_legend().get_title().get_text() == "Allvarlighet"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["hög", "medel", "låg", "info"]
    assert "Per 2026-11-01 · 3 avvikelser" in texts(fig)


def test_empty_chart_says_so_in_swedish():
    fig = charts.request_answer_times(pd.DataFrame(), AS_OF, lang="sv")
    assert "Inga begäranden i loggen" in texts(fig)
    assert "Svarstider för begäranden mot tidsfristen" in texts(fig)


def test_retention_chart_writes_numbers_the_swedish_way():
    table = pd.DataFrame([{**_retention_row("A-10", 5000, 137), "activity": "Nyhetsbrev"}])
    table = table.astype({"records_total": "Int64", "records_past_limit": "Int64"})
    fig = charts.retention_overdue(table, AS_OF, lang="sv")
    words = texts(fig)
    assert "137 av 5\xa0000 (2,7\xa0%)" in words
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A-10 Nyhetsbrev · S-X"]
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "1\xa0000" in ticks and "5\xa0000" in ticks
    english = charts.retention_overdue(table, AS_OF)
    assert "137 of 5,000 (2.7%)" in texts(english)


def test_long_activity_names_are_cut_with_an_ellipsis():
    name = "Behandling av personuppgifter i samband med mycket långa namn på aktiviteter"
    table = pd.DataFrame([{**_retention_row("A-01", 10, 5), "activity": name}])
    (label,) = [t.get_text() for t in charts.retention_overdue(table, AS_OF).axes[0].get_yticklabels()]
    assert label.startswith("A-01 Behandling av") and "…" in label and label.endswith(" · S-X")
    assert len(label) <= charts.LABEL_CHARS


def test_request_chart_names_rights_and_statuses_in_swedish(sample_sv):
    ax = sample_sv["request_answer_times"].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:3] == ["R-001 (tillgång)", "R-002 (tillgång)", "R-003 (rättelse)"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "i tid",
        "för sent",
        "öppen",
        "öppen, försenad",
        "tidsfrist",
    ]


def test_transfer_chart_names_countries_in_swedish(sample_sv):
    ax = sample_sv["transfers_by_country"].axes[0]
    labels = sorted(t.get_text() for t in ax.get_yticklabels())
    assert labels == ["GB Förenade kungariket", "IN Indien", "PH Filippinerna", "US USA"]
    assert ax.get_legend().get_title().get_text() == "Skyddsåtgärd"
    assert "beslut om adekvat skyddsnivå" in [t.get_text() for t in ax.get_legend().get_texts()]


def _bar_colours(ax):
    """Bar label → set of colours drawn on that row (bars of a barh are centred on the tick positions)."""
    names = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
    out: dict[str, set[str]] = {}
    for p in ax.patches:
        if p.get_width() > 0:
            row = names[round(p.get_y() + p.get_height() / 2)]
            out.setdefault(row, set()).add(to_hex(p.get_facecolor()).upper())
    return out


def test_an_adequacy_decision_is_never_drawn_in_the_colour_of_no_safeguard():
    register = pd.DataFrame(
        {
            "vendor": ["Northlight Films Ltd", "Kaveri"],
            "country": ["GB", "IN"],
            "eu_eea": [False, False],
            "adequacy_decision": [date(2021, 6, 28), None],
            "safeguard_code": ["adequacy", "none"],
            "safeguard": ["adequacy decision", "none"],
        }
    )
    bars = _bar_colours(charts.transfers_by_country(register, AS_OF).axes[0])
    assert bars == {"GB United Kingdom": {charts.ADEQUACY}, "IN India": {charts.SAFEGUARD_COLOURS["none"]}}
    assert charts.ADEQUACY != charts.SAFEGUARD_COLOURS["none"] != charts.THIRD_COUNTRY
    # The data map: the adequacy country is green, the one without a safeguard red, and so are their lines.
    activities = pd.DataFrame({"activity_id": ["A-1"], "activity": ["Film"], "systems": [[]], "recipients": [[]]})
    systems = pd.DataFrame({"system_id": ["S-1"], "system": ["Archive"], "vendor": ["Kaveri"]})
    fig = charts.data_map(activities.assign(systems=[["S-1"]]), systems, register, AS_OF)
    boxes = _boxes(fig)
    assert boxes["GB United Kingdom"] == charts.ADEQUACY and boxes["IN India"] == charts.THIRD_COUNTRY


def _boxes(fig):
    """Data map box text → its fill colour."""
    return {
        t.get_text(): to_hex(t.get_bbox_patch().get_facecolor()).upper()
        for t in fig.axes[0].texts
        if t.get_bbox_patch() is not None
    }


def _box_at(fig):
    """Data map box text → its (x, y) position."""
    return {t.get_text(): t.get_position() for t in fig.axes[0].texts if t.get_bbox_patch() is not None}


def _segments(fig):
    """Every line of the data map as ((x0, y0), (x1, y1), linestyle is dashed)."""
    out = []
    for coll in fig.axes[0].collections:
        dashed = coll.get_linestyle()[0][1] is not None
        for seg in coll.get_segments():
            (x0, y0), (x1, y1) = seg
            out.append(((round(x0, 2), round(y0, 3)), (round(x1, 2), round(y1, 3)), dashed))
    return out


def _linked(fig, a, b):
    """Whether the data map draws a line from box ``a`` to box ``b`` (and whether it is dashed)."""
    at = _box_at(fig)
    (ax0, ay0), (bx1, by1) = at[a], at[b]
    for (x0, y0), (x1, y1), dashed in _segments(fig):
        if (
            abs(x0 - ax0 - 0.12) < 0.01
            and abs(x1 - bx1 + 0.12) < 0.01
            and abs(y0 - ay0) < 1e-3
            and abs(y1 - by1) < 1e-3
        ):
            return "dashed" if dashed else "solid"
    return None


def _planted_map(lang="en", with_log=True):
    activities = pd.DataFrame(
        {
            "activity_id": ["A-1", "A-2"],
            "activity": ["Bokföring", "Kundregister"],
            "systems": [["S-1"], []],
            "recipients": [["MailCo", "Skatteverket"], []],
        }
    )
    systems = pd.DataFrame({"system_id": ["S-1"], "system": ["Ekonomiportalen"], "vendor": ["MailCo"]})
    register = pd.DataFrame(
        {
            "vendor": ["MailCo", "Carasent ASA"],
            "country": ["US", "NO"],
            "eu_eea": [False, True],
            "adequacy_decision": [None, None],
            "safeguard_code": ["scc_tia", "not_needed"],
            "systems": [["S-1"], []],
            "activities": [["A-1"], ["A-2"]],
        }
    )
    log = pd.DataFrame({"activity_id": ["A-2"], "recipient": ["Polismyndigheten"]}) if with_log else None
    return charts.data_map(activities, systems, register, AS_OF, lang=lang, disclosures=log)


def test_data_map_links_recipients_that_are_not_systems_to_their_activities():
    fig = _planted_map()
    boxes = _boxes(fig)
    # Names beside codes; the vendor of a system stays a vendor box, the others are recipient boxes.
    assert {"A-1 Bokföring", "A-2 Kundregister", "S-1 Ekonomiportalen", "US United States", "NO Norway"} <= set(boxes)
    assert boxes["MailCo"] == charts.NODE.upper()
    for name in ("Skatteverket", "Carasent ASA", "Polismyndigheten"):
        assert boxes[name] == charts.RECIPIENT.upper(), name
    # From the register's recipients column, the transfer register's activities and the disclosure log.
    assert _linked(fig, "A-1 Bokföring", "Skatteverket") == "dashed"
    assert _linked(fig, "A-2 Kundregister", "Carasent ASA") == "dashed"
    assert _linked(fig, "A-2 Kundregister", "Polismyndigheten") == "dashed"
    # A vendor reached through the activity's own system is not linked to it a second time.
    assert _linked(fig, "A-1 Bokföring", "S-1 Ekonomiportalen") == "solid"
    assert _linked(fig, "S-1 Ekonomiportalen", "MailCo") == "solid"
    assert _linked(fig, "A-1 Bokföring", "MailCo") is None
    assert _linked(fig, "MailCo", "US United States") == "solid"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "vendor of a system",
        "recipient, not a system (authority, group company, other)",
        "activity discloses to the recipient directly",
        "third country, every transfer on an adequacy decision",
        "third country, some transfer on another safeguard or none",
    ]


def test_data_map_in_swedish():
    fig = _planted_map("sv", with_log=False)
    words = texts(fig)
    assert {"Behandlingar", "System", "Leverantörer och mottagare", "Länder", "US USA", "NO Norge"} <= set(words)
    assert "mottagare utan system (myndighet, koncernbolag, annan)" in words
    assert "Polismyndigheten" not in words  # known only from the disclosure log, which was not given


def test_sample_data_map_draws_authorities_and_group_companies(sample_result):
    inputs = sample_result.inputs
    fig = charts.data_map(
        inputs.activities, inputs.systems, sample_result.tables["transfers"], AS_OF, disclosures=inputs.disclosures
    )
    boxes = _boxes(fig)
    assert boxes["Skatteverket"] == boxes["Polismyndigheten"] == boxes["Carasent ASA"] == charts.RECIPIENT.upper()
    assert _linked(fig, "A-05 Bokföring", "Skatteverket") == "dashed"
    crm = "A-02 Kund- och leverantörsregiste…"  # cut to one line of its column
    assert len(crm) == charts.BOX_CHARS and crm in boxes
    assert _linked(fig, crm, "Polismyndigheten") == "dashed"
    assert _linked(fig, "A-13 Rekrytering", "Carasent ASA") == "dashed"
    assert _linked(fig, crm, "S-CRM Kundkraft CRM") == "solid"
    assert boxes["GB United Kingdom"] == charts.ADEQUACY
    assert boxes["US United States"] == boxes["IN India"] == charts.THIRD_COUNTRY


def test_data_map_draws_no_recipient_box_when_every_recipient_is_a_system_vendor():
    activities = pd.DataFrame({"activity_id": ["A-1"], "systems": [["S-1"]], "recipients": [["MailCo"]]})
    systems = pd.DataFrame({"system_id": ["S-1"], "vendor": ["MailCo"]})
    register = pd.DataFrame(
        {"vendor": ["MailCo"], "country": ["SE"], "eu_eea": [True], "systems": [["S-1"]], "activities": [["A-1"]]}
    )
    fig = charts.data_map(activities, systems, register, AS_OF)
    assert set(_boxes(fig).values()) == {charts.NODE.upper()}
    assert not any(dashed for *_, dashed in _segments(fig))
    assert _linked(fig, "MailCo", "SE Sweden") == "solid"
