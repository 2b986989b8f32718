"""The notebooks run headless and show what the package computes; their hygiene; the display helpers.

The notebooks are thin by rule (load, call, show), so what is tested here is
that they stay thin and stripped, that the DPO report notebook exports the
same workbook and shows the same numbers as ``run_audit``, and that the
helpers in :mod:`audit.report.notebook` colour, format and filter as promised.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbclient import NotebookClient
from pandas.io.formats.style import Styler

from audit.inputs.model import Inputs
from audit.paths import PROJECT_DIR, SAMPLE_DIR
from audit.reference.settings import load_settings
from audit.report import notebook as nb
from audit.report.excel import workbook_name
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF

NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED_NOTEBOOKS = {
    "00-dpo-report",
    "01-policy",
    "02-inputs-and-data-map",
    "03-recipients",
    "04-transfers",
    "05-retention",
    "06-requests",
}
ALLOWED_IMPORTS = {"audit", "datetime", "pathlib", "pandas"}
PARAMETERS = {
    "data_dir": "../data/sample",
    "as_of": "2026-11-01",
    "out_dir": "../reports",
    "policy": None,
    "lang": None,
}
COUNTS_TAG = "severity-counts"


# --- checks applied to every committed notebook ----------------------------------------------------


def output_problems(book: nbformat.NotebookNode) -> list[str]:
    """Outputs or execution counts left in a notebook (nbstripout would have removed them)."""
    problems = []
    for i, cell in enumerate(book.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {i}: has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {i}: has execution count {cell.execution_count}")
    return problems


def _import_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0] if node.level == 0 else ".")
    return roots


def structure_problems(book: nbformat.NotebookNode) -> list[str]:
    """Breaches of the notebook rules: markdown first, one parameters cell, no logic, audit-only imports."""
    problems = []
    if not book.cells or book.cells[0].cell_type != "markdown":
        problems.append("does not start with a markdown cell")
    params = [i for i, c in enumerate(book.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(params) != 1:
        problems.append(f"has {len(params)} cells tagged parameters, expected 1")
    for i, cell in enumerate(book.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            problems.append(f"cell {i}: not plain Python ({exc.msg})")
            continue
        if any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for n in ast.walk(tree)):
            problems.append(f"cell {i}: defines a function or class")
        if any(isinstance(n, ast.Lambda) for n in ast.walk(tree)):
            problems.append(f"cell {i}: has a lambda")
        bad = _import_roots(tree) - ALLOWED_IMPORTS
        if bad:
            problems.append(f"cell {i}: imports {', '.join(sorted(bad))}")
    return problems


def parameter_values(book: nbformat.NotebookNode) -> dict[str, object]:
    """The names and literal values the parameters cell assigns."""
    cell = next(c for c in book.cells if "parameters" in c.get("metadata", {}).get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign), f"parameters cell may only assign, found {ast.dump(node)[:60]}"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def _book(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    book = nbformat.v4.new_notebook()
    book.cells = list(cells)
    return book


def _params_cell(source: str = 'data_dir = "x"') -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


def _compliant() -> list[nbformat.NotebookNode]:
    return [
        nbformat.v4.new_markdown_cell("# Question"),
        _params_cell(),
        nbformat.v4.new_code_cell("from datetime import date\nfrom audit.run import run_audit\nimport pandas as pd"),
    ]


def test_the_seven_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} == EXPECTED_NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_stripped(path: Path):
    assert output_problems(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_parameterised(path: Path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    assert structure_problems(book) == []
    assert parameter_values(book) == PARAMETERS
    assert book.metadata["kernelspec"]["name"] == "python3"


def test_output_check_fires_on_outputs_and_counts():
    cell = nbformat.v4.new_code_cell("1 + 1")
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=3)]
    book = _book(nbformat.v4.new_markdown_cell("# q"), cell)
    assert output_problems(book) == ["cell 1: has outputs", "cell 1: has execution count 3"]


def test_structure_check_passes_a_compliant_notebook():
    assert structure_problems(_book(*_compliant())) == []


def test_structure_check_fires_on_each_breach():
    cells = _compliant()
    code_first = _book(cells[2], *cells)
    assert structure_problems(code_first) == ["does not start with a markdown cell"]
    assert structure_problems(_book(*cells, _params_cell())) == ["has 2 cells tagged parameters, expected 1"]
    assert structure_problems(_book(cells[0], cells[2])) == ["has 0 cells tagged parameters, expected 1"]
    defs = _book(*cells, nbformat.v4.new_code_cell("def f(x):\n    return x"))
    assert structure_problems(defs) == ["cell 3: defines a function or class"]
    classes = _book(*cells, nbformat.v4.new_code_cell("class A:\n    pass"))
    assert structure_problems(classes) == ["cell 3: defines a function or class"]
    lambdas = _book(*cells, nbformat.v4.new_code_cell("f = lambda x: x"))
    assert structure_problems(lambdas) == ["cell 3: has a lambda"]
    numpy = _book(*cells, nbformat.v4.new_code_cell("import numpy as np\nfrom os import path"))
    assert structure_problems(numpy) == ["cell 3: imports numpy, os"]
    magic = _book(*cells, nbformat.v4.new_code_cell("%cd .."))
    assert structure_problems(magic)[0].startswith("cell 3: not plain Python")


# --- the DPO report notebook, executed headless ------------------------------------------------------


def _inject(book: nbformat.NotebookNode, values: dict[str, str]) -> nbformat.NotebookNode:
    """Papermill-style: a cell right after the parameters cell that overrides them."""
    at = next(i for i, c in enumerate(book.cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    source = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    book.cells.insert(at + 1, cell)
    return book


def _execute(name: str, values: dict[str, str | None]) -> nbformat.NotebookNode:
    book = _inject(nbformat.read(NOTEBOOK_DIR / name, as_version=4), values)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR), os.environ.get("PYTHONPATH", "")])}
    client = NotebookClient(
        book, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    client.execute(env=env)
    return book


def _results(book: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "execute_result"]


def _html_cells(book: nbformat.NotebookNode) -> list[str]:
    """The text of every ``<td>`` of every HTML output, as the reader sees it."""
    return [
        cell.strip()
        for o in _results(book)
        for cell in re.findall(r"<td[^>]*>([^<]*)</td>", o.data.get("text/html", ""))
    ]


def _programmer_values(cells: list[str]) -> list[str]:
    """Cells a DPO should never see: Python booleans, missing-value reprs, whole numbers with ``.0``."""
    return [c for c in cells if c in {"True", "False", "nan", "NaT", "<NA>", "None"} or re.fullmatch(r"-?\d+\.0", c)]


def test_dpo_report_notebook_exports_the_workbook_and_shows_run_audit_counts(tmp_path: Path):
    data = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, data)
    out = tmp_path / "out"
    as_of = SAMPLE_AS_OF.isoformat()
    book = _execute("00-dpo-report.ipynb", {"data_dir": str(data), "as_of": as_of, "out_dir": str(out)})

    assert (out / workbook_name(SAMPLE_AS_OF)).is_file()
    counts_cell = next(c for c in book.cells if COUNTS_TAG in c.metadata.get("tags", []))
    output = next(o for o in counts_cell.outputs if o.output_type == "execute_result")
    assert sorted(output.data) == ["text/html", "text/plain"]  # no application/json: JupyterLab would draw a tree
    shown = json.loads(output.data["text/plain"])
    expected = run_audit(data, SAMPLE_AS_OF).counts_by_severity()
    assert shown == {sev: int(n) for sev, n in expected.items()}
    assert list(shown) == ["high", "medium", "low", "info"]
    assert sum(shown.values()) == len(pd.read_csv(out / "findings.csv")) > 0
    # lang = None: the bundled sample's policy is Swedish, so the notebook speaks Swedish
    html = output.data["text/html"]
    assert "<table" in html and "<caption>Avvikelser per allvarlighet (4 rader)</caption>" in html
    assert re.findall(r"<td[^>]*>([^<]*)</td>", html) == [
        "hög",
        str(shown["high"]),
        "medel",
        str(shown["medium"]),
        "låg",
        str(shown["low"]),
        "info",
        str(shown["info"]),
    ]
    assert all("application/json" not in o.data for o in _results(book))
    assert _programmer_values(_html_cells(book)) == []
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_retention_notebook_shows_yes_no_and_whole_numbers(tmp_path: Path):
    book = _execute("05-retention.ipynb", {"out_dir": str(tmp_path), "lang": "en"})
    cells = _html_cells(book)
    assert _programmer_values(cells) == []
    assert {"yes", "no"} <= set(cells)
    assert "365" in cells
    retention = next(o for o in _results(book) if "<caption>Retention (" in o.data.get("text/html", ""))
    assert "<th" in retention.data["text/html"]
    assert all("application/json" not in o.data for o in _results(book))


# --- audit.report.notebook helpers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def _findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": ["TRF-01", "RET-03", "REG-01", "TRF-05", "REC-02"],
            "severity": ["high", "high", "high", "info", "high"],
            "activity_id": ["A-01", "A-07", None, "A-01", "A-02"],
            "detail": ["a", "b", "c", "d", "e"],
        }
    )


def test_severity_css_uses_the_settings_colours(settings):
    frame = pd.DataFrame({"rule": ["TRF-01", "X", "TRF-05"], "severity": ["high", None, "info"]})
    css = nb.severity_css(frame, settings)
    high_fill, high_text = settings.severity_fills["high"], settings.severity_colours["high"]
    assert css.loc[0, "rule"] == f"background-color: #{high_fill}"
    assert css.loc[0, "severity"] == f"background-color: #{high_fill}; color: #{high_text}; font-weight: bold"
    assert css.loc[1].tolist() == ["", ""]
    assert css.loc[2, "rule"] == f"background-color: #{settings.severity_fills['info']}"


def test_severity_colours_follow_a_settings_override(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text('severity_fills:\n  high: "123456"\n', encoding="utf-8")
    mine = load_settings(path)
    html = nb.style_table(pd.DataFrame({"severity": ["high"], "rule": ["X"]}), mine).to_html()
    assert "background-color: #123456" in html
    assert nb.severity_css(pd.DataFrame({"rule": ["X"]}), mine).loc[0, "rule"] == ""


def test_style_table_shows_iso_dates_lists_and_blank_missing(settings):
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2026-11-01", None]),
            "cats": [["name", "email"], []],
            "ok": pd.array([True, None], dtype="boolean"),
        }
    )
    styler = nb.style_table(frame, settings)
    assert isinstance(styler, Styler)
    html = styler.to_html()
    assert ">2026-11-01<" in html
    assert "00:00:00" not in html
    assert ">name; email<" in html
    assert "NaT" not in html and "&lt;NA&gt;" not in html
    assert nb.display_value(dt.date(2025, 1, 2)) == "2025-01-02"
    assert nb.display_value(pd.NA) == ""


def test_style_table_caps_rows_and_says_so(settings):
    frame = pd.DataFrame({"n": range(5), "extra": list("abcde")})
    styler = nb.style_table(frame, settings, columns=["n", "missing"], max_rows=2, caption="Numbers")
    assert styler.data.columns.tolist() == ["n"]
    assert len(styler.data) == 2
    assert styler.caption == "Numbers (first 2 of 5 rows)"
    assert nb.style_table(frame, settings, max_rows=None).caption == "5 rows"


def test_family_findings_picks_rule_prefixes():
    picked = nb.family_findings(_findings(), "REG", "REC")
    assert picked["rule"].tolist() == ["REG-01", "REC-02"]
    assert nb.family_findings(_findings(), "DSR").empty


def test_filter_findings_by_severity_and_activity():
    findings = _findings()
    assert nb.filter_findings(findings, ["info"])["rule"].tolist() == ["TRF-05"]
    assert nb.filter_findings(findings, ["high"], "A-01")["rule"].tolist() == ["TRF-01"]
    assert nb.filter_findings(findings, None, nb.ALL_ACTIVITIES)["rule"].tolist() == findings["rule"].tolist()
    assert nb.filter_findings(findings, [])["rule"].tolist() == []


def test_browser_falls_back_to_the_styled_table_without_ipywidgets(monkeypatch, settings):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets now raises ImportError
    assert nb.widgets_available() is False
    shown = nb.findings_browser(_findings(), settings)
    assert isinstance(shown, Styler)
    assert shown.data["rule"].tolist() == ["TRF-01", "RET-03", "REG-01", "TRF-05", "REC-02"]


def test_browser_falls_back_outside_a_kernel(settings):
    assert nb.widgets_available() is False  # pytest is no Jupyter kernel
    assert isinstance(nb.findings_browser(_findings(), settings), Styler)
    assert isinstance(nb.findings_browser(_findings(), settings, interactive=False), Styler)


def test_browser_widget_filters_and_keeps_an_html_fallback(settings, capsys):
    browser = nb.findings_browser(_findings(), settings, columns=["rule", "severity"], interactive=True)
    assert isinstance(browser, nb.FindingsBrowser)
    assert len(browser.current) == 5
    browser.severity.value = ("info",)
    assert browser.current["rule"].tolist() == ["TRF-05"]
    browser.severity.value = ("high",)
    browser.activity.value = "A-07"
    assert browser.current["rule"].tolist() == ["RET-03"]
    assert browser.activity.options == (
        ("all activities", nb.ALL_ACTIVITIES),
        ("A-01", "A-01"),
        ("A-02", "A-02"),
        ("A-07", "A-07"),
    )
    assert browser.severity.options[0] == ("high", "high")
    bundle = browser._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert ">REC-02<" in bundle["text/html"]  # the fallback shows all findings, not the filtered view
    capsys.readouterr()


def _mimebundle(obj: object) -> dict[str, object]:
    """What IPython sends the frontend for ``obj`` (the format JupyterLab then chooses from)."""
    from IPython.core.interactiveshell import InteractiveShell

    data, _ = InteractiveShell.instance().display_formatter.format(obj)
    return data


def test_severity_summary_is_html_and_plain_json_never_a_json_tree(settings):
    counts = pd.Series({"high": 3, "medium": 0, "low": 1, "info": 2}, name="findings")
    summary = nb.severity_summary(counts, settings)
    bundle = _mimebundle(summary)
    assert sorted(bundle) == ["text/html", "text/plain"]
    assert json.loads(str(bundle["text/plain"])) == {"high": 3, "medium": 0, "low": 1, "info": 2}
    assert f"background-color: #{settings.severity_fills['low']}" in str(bundle["text/html"])
    assert "<caption>Findings by severity (4 rows)</caption>" in str(bundle["text/html"])
    swedish = nb.severity_summary(counts, settings, lang="sv")._repr_html_()
    assert "<caption>Avvikelser per allvarlighet (4 rader)</caption>" in swedish
    assert re.findall(r"<td[^>]*>([^<]*)</td>", swedish) == ["hög", "3", "medel", "0", "låg", "1", "info", "2"]
    assert re.findall(r"<th[^>]*>([^<]*)</th>", swedish) == ["Allvarlighet", "Avvikelser"]


def test_every_helper_display_offers_no_json(settings):
    frame = pd.DataFrame({"severity": ["high"], "n": [1]})
    shown = [
        nb.style_table(frame, settings),
        nb.findings_browser(_findings(), settings, interactive=False),
        nb.chart_gallery({}),
        nb.severity_summary(pd.Series({"high": 1}), settings),
    ]
    assert [sorted(_mimebundle(s)) for s in shown] == [["text/html", "text/plain"]] * 4


def test_style_table_speaks_the_report_language(settings):
    frame = pd.DataFrame(
        {
            "severity": ["high", "low"],
            "area": ["POL", "Total"],
            "days": [365.0, None],
            "share": [0.25, 1234.5],
            "auto_delete": [True, False],
            "flag": pd.array([False, None], dtype="boolean"),
            "count": pd.array([1234, pd.NA], dtype="Int64"),
        }
    )
    sv = nb.style_table(frame, settings, caption="findings", lang="sv")
    html = sv.to_html()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == [
        "hög",
        "Policy mot lag",
        "365",
        "0,25",
        "ja",
        "nej",
        "1\xa0234",
        "låg",
        "Totalt",
        "",
        "1\xa0234,5",
        "nej",
        "",
        "",
    ]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert headers == ["Allvarlighet", "Område", "days", "share", "auto_delete", "flag", "count"]
    assert sv.caption == "Avvikelser (2 rader)"
    assert sv.data.columns.tolist() == frame.columns.tolist()  # the data keep their codes
    en = nb.style_table(frame, settings, caption="My own title")
    en_cells = re.findall(r"<td[^>]*>([^<]*)</td>", en.to_html())
    assert en_cells[:7] == ["high", "Policy vs law", "365", "0.25", "yes", "no", "1,234"]
    assert en.caption == "My own title (2 rows)"
    shown_english = pd.DataFrame({"area": ["Policy vs law", "Total", "Own area"], "severity": ["high", "hög", "x"]})
    relabelled = re.findall(r"<td[^>]*>([^<]*)</td>", nb.style_table(shown_english, settings, lang="sv").to_html())
    assert relabelled == ["Policy mot lag", "hög", "Totalt", "hög", "Own area", "x"]


def test_row_note_and_display_value_in_both_languages():
    assert nb.row_note(1, 1) == "1 row"
    assert nb.row_note(200, 5000, "en") == "first 200 of 5,000 rows"
    assert nb.row_note(200, 5000, "sv") == "de första 200 av 5\xa0000 rader"
    assert nb.row_note(0, 0, "sv") == "0 rader"
    assert [nb.display_value(v, "sv") for v in (True, False, 365.0, 2.5)] == ["ja", "nej", "365", "2.5"]
    assert nb.display_value([True, dt.date(2026, 1, 2)]) == "yes; 2026-01-02"


def test_browser_filters_speak_swedish(settings, capsys):
    browser = nb.findings_browser(_findings(), settings, interactive=True, lang="sv")
    assert isinstance(browser, nb.FindingsBrowser)
    assert browser.severity.description == "Allvarlighet"
    assert browser.severity.options == (("hög", "high"), ("medel", "medium"), ("låg", "low"), ("info", "info"))
    assert browser.activity.options[0] == ("alla behandlingar", nb.ALL_ACTIVITIES)
    browser.severity.value = ("info",)
    assert browser.current["rule"].tolist() == ["TRF-05"]
    assert "<caption>Avvikelser (5 rader)</caption>" in browser._repr_mimebundle_()["text/html"]
    capsys.readouterr()


def test_notebook_language_follows_the_command_line_rule(tmp_path: Path):
    assert nb.notebook_language("en") == "en"
    assert nb.notebook_language(None) == "sv"  # the bundled policy is Swedish
    mine = tmp_path / "settings.yaml"
    mine.write_text("lang: en\n", encoding="utf-8")
    assert nb.notebook_language(None, settings=load_settings(mine)) == "en"


def test_chart_gallery_embeds_every_figure():
    figures = {}
    for name in ("one_chart", "two"):
        fig = Figure(figsize=(2, 1))
        fig.add_subplot().plot([0, 1], [1, 0])
        figures[name] = fig
    html = nb.chart_gallery(figures)._repr_html_()
    assert html.count("data:image/png;base64,") == 2
    assert 'alt="one chart"' in html
    swedish = nb.chart_gallery({"data_map": figures["two"]}, lang="sv")._repr_html_()
    assert "<figcaption><b>Datakarta</b></figcaption>" in swedish


def _prov(frame: pd.DataFrame, file: str, sheet: str, rows: list[int]) -> pd.DataFrame:
    return frame.assign(src_file=file, src_sheet=sheet, src_row=rows)


def test_loaded_tables_counts_rows_and_provenance_range():
    empty = pd.DataFrame({"x": pd.Series(dtype="object")})
    inputs = Inputs(
        activities=_prov(pd.DataFrame({"activity_id": ["A-1", "A-2"]}), "a.xlsx", "Behandlingar", [4, 5]),
        systems=_prov(pd.DataFrame({"system_id": ["S-1"]}), "i.xlsx", "Systems", [2]),
        vendors=_prov(pd.DataFrame({"vendor": ["V"]}), "i.xlsx", "Vendors", [2]),
        requests=empty,
        disclosures=empty,
        records={"S-1": _prov(pd.DataFrame({"record_id": ["r1", "r2", "r3"]}), "records/S-1.csv", "S-1", [2, 3, 4])},
    )
    table = nb.loaded_tables(inputs).set_index("table")
    assert table.loc["activities", ["rows", "src_sheet", "first_src_row", "last_src_row"]].tolist() == [
        2,
        "Behandlingar",
        4,
        5,
    ]
    assert table.loc["records S-1", ["rows", "columns", "last_src_row"]].tolist() == [3, 1, 4]
    assert table.loc["requests", "rows"] == 0
    assert pd.isna(table.loc["requests", "first_src_row"])
    assert nb.provenance_preview(inputs.activities, "activity_id").columns.tolist() == [
        "activity_id",
        "src_file",
        "src_sheet",
        "src_row",
    ]


def test_records_past_retention_and_late_requests_keep_only_the_gaps():
    retention = pd.DataFrame(
        {"activity_id": ["A-1", "A-2", "A-3"], "records_past_limit": pd.array([0, 7, pd.NA], dtype="Int64")}
    )
    assert nb.records_past_retention(retention)["activity_id"].tolist() == ["A-2"]
    timeline = pd.DataFrame({"request_id": ["R1", "R2", "R3", "R4"], "status": ["on time", "late", "open", "overdue"]})
    assert nb.late_requests(timeline)["request_id"].tolist() == ["R2", "R4"]


def test_written_files_lists_names_and_sizes(tmp_path: Path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"x" * 2048)
    table = nb.written_files([path])
    assert table.to_dict("records") == [{"file": "book.xlsx", "folder": str(tmp_path), "kB": 2.0}]


def test_policy_overview_shows_the_version_as_a_date_and_none_for_no_warning(settings):
    from audit.policy.model import load_policy

    policy = load_policy()
    table = nb.policy_overview(policy, "sv")
    assert table["item"].tolist() == ["Versionsdatum", "Språk", "Policytext", "Modellen skiljer sig från texten"]
    assert table["value"].tolist()[:2] == [policy.version, "sv"]
    assert table["value"].iloc[3] == "ingen"
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", nb.style_table(table, settings, lang="sv").to_html())
    assert cells[1] == policy.version.isoformat()
