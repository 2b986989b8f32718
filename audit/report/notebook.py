"""Display helpers for the JupyterLab notebooks: styled tables, findings filters, chart galleries.

The notebooks only load, call and show; everything that decides how a table
looks (severity colours from the settings, dates as YYYY-MM-DD, list cells as
text) or which rows a DPO sees lives here, so it is tested like the rest of
the package and every notebook looks the same. Interactive filters need
ipywidgets and a live frontend; without them the helpers return the plain
styled table, so a notebook also runs headless (nbval, nbclient, CI).

Everything a helper shows is ``text/html`` (a pandas Styler, or an object
with ``_repr_html_``), never ``application/json``: JupyterLab prefers JSON
to HTML and would show a table as a collapsible JSON tree. Captions,
headers, severities, areas and yes/no come from the catalogues
(``data/reference/messages/notebooks.yaml`` and ``common.yaml``) in the
report language; numbers follow that language's conventions, and whole
numbers show without decimals (``365``, not ``365.0``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from audit.inputs.model import PROVENANCE, Inputs
from audit.policy.model import PolicyModel
from audit.records.progress import ExtractRead
from audit.records.store import Extract
from audit.reference.i18n import code_for, has_text, label, number, text, yes_no
from audit.reference.settings import SEVERITIES, Settings, load_settings
from audit.run import policy_or_default, report_language

DATE_FORMAT = "%Y-%m-%d"
DEFAULT_MAX_ROWS = 200
# What a DPO reads first in a findings table; the rest is in the workbook.
FINDING_DISPLAY_COLUMNS = [
    "severity",
    "rule",
    "title",
    "activity_id",
    "system_id",
    "vendor",
    "detail",
    "evidence",
    "policy_clause",
    "finding_id",
]
ALL_ACTIVITIES = "all activities"
"""The activity filter's value for "no filter" (shown as ``notebooks.filter.all_activities``)."""
CHART_DPI = 100
HEADER_GROUPS = ("notebooks.column", "common.column", "common.severity")
"""Where a column header's label is looked up, first match wins; else the column name is shown."""
VALUE_GROUPS = {"severity": ("common.severity",), "area": ("common.area", "notebooks.area")}
"""Columns whose codes are shown as labels (``high`` → ``hög``), and the catalogue groups they come from."""


def _hex(colour: str) -> str:
    return colour if colour.startswith("#") else f"#{colour}"


def _label_in(groups: Sequence[str], code: object, lang: str) -> str:
    """The label of ``code`` in the first of ``groups`` that has it, else ``code`` as written.

    ``code`` may also be a label in another language (a table that already
    holds ``Policy vs law``): it is read back to its code first, so a Swedish
    notebook shows ``Policy mot lag`` whichever way the table was built.
    """
    for group in groups:
        known = code if has_text(f"{group}.{code}") else code_for(group, code)
        if known is not None:
            return label(group, known, lang)
    return str(code)


def notebook_language(
    lang: str | None, policy: PolicyModel | Path | str | None = None, settings: Settings | None = None
) -> str:
    """The notebook's report language: ``lang``, else the settings', else the policy's (as ``python -m audit``).

    A notebook's ``lang = None`` parameter means "as the command line would
    choose", so the notebooks and the workbook speak the same language
    without the DPO setting it twice.
    """
    return report_language(lang, settings or load_settings(), policy_or_default(policy))


def display_value(value: object, lang: str = "en") -> str:
    """One cell as text: dates as YYYY-MM-DD, lists joined with ``; ``, booleans as yes/no, missing as blank.

    A DPO compares dates with the workbook and the policy, which both use ISO
    dates; pandas' default ``2026-11-01 00:00:00``, ``['a', 'b']`` and
    ``True`` reprs are noise to a reader who is not a programmer, and a
    Swedish reader reads ``ja``/``nej``.
    """
    if isinstance(value, list | tuple | set | np.ndarray):
        return "; ".join(display_value(v, lang) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display_value(v, lang)}" for k, v in value.items())
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return yes_no(value, lang) or ""
    if isinstance(value, float | np.floating) and np.isnan(value):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, dt.date | pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).strftime(DATE_FORMAT)
    return str(value)


def _number_formatter(column: pd.Series, lang: str) -> Any:
    """A Styler formatter for a numeric column: whole numbers without decimals, the language's separators."""
    values = pd.to_numeric(column, errors="coerce").dropna()
    whole = bool(np.all(np.mod(values.to_numpy(dtype=float), 1) == 0)) if len(values) else True

    def fmt(value: object) -> str:
        if value is None or value is pd.NA or pd.isna(value):
            return ""
        return number(float(value), lang, decimals=0 if whole else None)  # type: ignore[arg-type]

    return fmt


def severity_css(frame: pd.DataFrame, settings: Settings, column: str = "severity") -> pd.DataFrame:
    """CSS per cell: the row's severity fill, the severity cell itself in the chart colour.

    The same colours as the workbook's fills and the charts' bars, both read
    from the settings, so "orange" means "medium" wherever the DPO looks.
    Rows without a known severity are left unstyled.
    """
    if column not in frame.columns:
        return pd.DataFrame("", index=frame.index, columns=frame.columns)
    sev = frame[column].astype("string")
    fills = sev.map({s: f"background-color: {_hex(c)}" for s, c in settings.severity_fills.items()}).fillna("")
    grid = np.repeat(fills.to_numpy(dtype=object)[:, None], len(frame.columns), axis=1)
    css = pd.DataFrame(grid, index=frame.index, columns=frame.columns)
    strong = sev.map({s: f"; color: {_hex(c)}; font-weight: bold" for s, c in settings.severity_colours.items()})
    css[column] = css[column] + strong.fillna("")
    return css


def row_note(shown: int, total: int, lang: str = "en") -> str:
    """How many rows a table shows ("1 row", "12 rows", "first 200 of 5,000 rows"), in ``lang``."""
    if shown < total:
        return text("notebooks.rows.first", lang, shown=number(shown, lang), total=number(total, lang))
    if total == 1:
        return text("notebooks.rows.one", lang)
    return text("notebooks.rows.all", lang, total=number(total, lang))


def style_table(
    frame: pd.DataFrame,
    settings: Settings | None = None,
    *,
    columns: Sequence[str] | None = None,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    caption: str | None = None,
    lang: str = "en",
) -> Styler:
    """A frame as a notebook table: readable values, severity colours, no index, in the report language.

    Parameters
    ----------
    frame
        Any audit table; a ``severity`` column, when present, colours the rows.
    settings
        Where the colours come from (default: the bundled settings), so a DPO's
        own settings file recolours the notebooks as it does the workbook.
    columns
        Columns to show, in this order (default: all); names not in ``frame``
        are skipped so one call fits the findings of every rule family.
    max_rows
        Rows rendered; a browser chokes on a 100,000-row HTML table, and the
        caption then says how many rows were left out. ``None`` shows all.
    caption
        Title above the table: a key of ``notebooks.caption`` (``"findings"``)
        shown in ``lang``, or any other text, shown as written.
    lang
        The report language of the headers, labels and numbers. Only the
        display changes: ``styler.data`` keeps the codes and column names,
        so the colours and any script reading it see the same table in
        every language.
    """
    settings = settings or load_settings()
    shown = frame if columns is None else frame[[c for c in columns if c in frame.columns]]
    total = len(shown)
    if max_rows is not None and total > max_rows:
        shown = shown.head(max_rows)
    note = row_note(len(shown), total, lang)
    shown = shown.reset_index(drop=True)
    styler = shown.style
    for col in shown.columns:
        series = shown[col]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            formatter = _number_formatter(series, lang)
        elif col in VALUE_GROUPS:
            groups = VALUE_GROUPS[col]
            formatter = lambda v, groups=groups: "" if pd.isna(v) else _label_in(groups, v, lang)  # noqa: E731
        else:
            formatter = lambda v: display_value(v, lang)  # noqa: E731
        styler = styler.format(formatter, subset=[col], na_rep="")
    styler = styler.relabel_index([_label_in(HEADER_GROUPS, c, lang) for c in shown.columns], axis="columns")
    styler = styler.apply(severity_css, axis=None, settings=settings).hide(axis="index")
    title = _label_in(("notebooks.caption",), caption, lang) if caption else None
    styler = styler.set_caption(f"{title} ({note})" if title else note)
    return styler.set_table_styles(
        [
            {
                "selector": "caption",
                "props": "caption-side: top; text-align: left; font-weight: bold; white-space: nowrap;",
            },
            {"selector": "td", "props": "text-align: left; vertical-align: top;"},
        ],
        overwrite=False,
    )


def family_findings(findings: pd.DataFrame, *families: str) -> pd.DataFrame:
    """Findings of the given rule families (``"TRF"``, ``"REG"``, …), the family being the rule id's prefix."""
    family = findings["rule"].astype("string").str.split("-", n=1).str[0]
    return findings[family.isin(families).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)


def filter_findings(
    findings: pd.DataFrame,
    severities: Iterable[str] | None = None,
    activity: str | None = None,
) -> pd.DataFrame:
    """Findings of the chosen severities and activity; ``None`` (or ``"all activities"``) keeps all.

    The logic behind the notebook filter widgets, kept apart so it is tested
    without a frontend.
    """
    keep = pd.Series(True, index=findings.index)
    if severities is not None:
        keep &= findings["severity"].isin(list(severities))
    if activity not in (None, ALL_ACTIVITIES):
        keep &= findings["activity_id"].astype("string").eq(activity).fillna(False)
    return findings[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def widgets_available() -> bool:
    """True in a Jupyter kernel that has ipywidgets, i.e. where a filter widget can work.

    Outside a kernel (plain Python, pytest) or without ipywidgets, a widget
    would show as ``VBox(...)`` text, so the helpers fall back to a table.
    """
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class FindingsBrowser:
    """Severity and activity filters over a findings table.

    Displays as the live widget in JupyterLab and, for a reader without a
    widget frontend (headless run, nbconvert, a notebook viewer), also carries
    the unfiltered styled table as HTML, so an executed notebook never shows
    just ``VBox(...)``. The filters show labels in the report language and
    filter on the codes.

    Attributes
    ----------
    widget
        The ipywidgets box: severity multi-select, activity drop-down, table.
    current
        The findings the filters currently let through.
    """

    def __init__(self, findings: pd.DataFrame, settings: Settings, columns: Sequence[str], lang: str = "en") -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.findings = findings
        self.settings = settings
        self.columns = list(columns)
        self.lang = lang
        present = [s for s in SEVERITIES if s in set(findings["severity"])]
        activities = sorted(findings["activity_id"].dropna().astype(str).unique())
        self.severity = widgets.SelectMultiple(
            options=[(label("common.severity", s, lang), s) for s in SEVERITIES],
            value=tuple(present),
            description=text("notebooks.filter.severity", lang),
            rows=len(SEVERITIES),
        )
        self.activity = widgets.Dropdown(
            options=[(text("notebooks.filter.all_activities", lang), ALL_ACTIVITIES), *((a, a) for a in activities)],
            description=text("notebooks.filter.activity", lang),
        )
        self.output = widgets.Output()
        self.current = findings
        self._display = display
        self.severity.observe(self.refresh, names="value")
        self.activity.observe(self.refresh, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.severity, self.activity]), self.output])
        self.refresh()

    def _table(self, findings: pd.DataFrame) -> Styler:
        return style_table(findings, self.settings, columns=self.columns, caption="findings", lang=self.lang)

    def refresh(self, change: Any = None) -> None:
        """Re-filter and redraw; called by the widgets whenever a choice changes."""
        self.current = filter_findings(self.findings, self.severity.value, self.activity.value)
        self.output.clear_output(wait=True)
        with self.output:
            self._display(self._table(self.current))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_())
        bundle["text/html"] = self._table(self.findings).to_html()
        return bundle


def findings_browser(
    findings: pd.DataFrame,
    settings: Settings | None = None,
    *,
    columns: Sequence[str] = FINDING_DISPLAY_COLUMNS,
    interactive: bool | None = None,
    lang: str = "en",
) -> FindingsBrowser | Styler:
    """Findings with severity/activity filters where widgets work, else the styled table.

    Parameters
    ----------
    findings
        A findings frame (:data:`audit.rules.findings.FINDING_COLUMNS`).
    settings
        Severity colours (default: the bundled settings).
    columns
        Columns shown.
    interactive
        ``None``: decide with :func:`widgets_available`; ``False`` forces the
        plain table; ``True`` forces the widget (ipywidgets must be installed).
    lang
        The report language of the filters, headers and labels.
    """
    settings = settings or load_settings()
    if interactive is None:
        interactive = widgets_available()
    if not interactive:
        return style_table(findings, settings, columns=columns, caption="findings", lang=lang)
    return FindingsBrowser(findings, settings, columns, lang)


class SeverityCounts:
    """Findings per severity, shown as a coloured HTML table; its plain text is the counts as JSON.

    The display offers ``text/html`` and ``text/plain`` only. An
    ``application/json`` part would be preferred by JupyterLab and render as
    a collapsible JSON tree instead of the table; a script reading an
    executed notebook parses the ``text/plain`` JSON instead.
    """

    def __init__(self, counts: Mapping[str, int], settings: Settings, lang: str = "en") -> None:
        self.counts = {str(k): int(v) for k, v in counts.items()}
        self.settings = settings
        self.lang = lang

    def frame(self) -> pd.DataFrame:
        """One row per severity: ``severity``, ``findings``."""
        return pd.DataFrame({"severity": list(self.counts), "findings": list(self.counts.values())})

    def __repr__(self) -> str:
        return json.dumps(self.counts)

    def _repr_html_(self) -> str:
        frame = self.frame()
        table = style_table(frame, self.settings, caption="severity_counts", max_rows=None, lang=self.lang)
        return table.to_html()


def severity_summary(counts: pd.Series, settings: Settings | None = None, *, lang: str = "en") -> SeverityCounts:
    """Display ``AuditResult.counts_by_severity()`` (severity order, zeros included) in ``lang``."""
    return SeverityCounts(counts.to_dict(), settings or load_settings(), lang)


def figure_png(fig: Figure, dpi: int = CHART_DPI) -> bytes:
    """A figure as PNG bytes (figures from :mod:`audit.report.charts` are closed, so they are rendered, not shown)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


class ChartGallery:
    """Several charts in one cell output, each under its name (``notebooks.chart.<key>`` in the report language)."""

    def __init__(self, figures: Mapping[str, Figure], lang: str = "en") -> None:
        self.figures = dict(figures)
        self.lang = lang

    def __repr__(self) -> str:
        return f"ChartGallery({', '.join(self.figures)})"

    def _repr_html_(self) -> str:
        parts = []
        for name, fig in self.figures.items():
            data = base64.b64encode(figure_png(fig)).decode("ascii")
            shown = _label_in(("notebooks.chart",), name, self.lang)
            title = html.escape(shown.replace("_", " "))
            parts.append(
                f'<figure><figcaption><b>{title}</b></figcaption><img alt="{title}" src="data:image/png;base64,{data}"/></figure>'
            )
        return "\n".join(parts)


def chart_gallery(figures: Mapping[str, Figure], *, lang: str = "en") -> ChartGallery:
    """Show every chart of :func:`audit.report.make_charts` in one cell, without a loop in the notebook."""
    return ChartGallery(figures, lang)


def policy_overview(policy: PolicyModel, lang: str = "en") -> pd.DataFrame:
    """The policy audited against: its version date, language, text and whether the model still matches it.

    One small table instead of a ``(datetime.date(2024, 5, 16), None)``
    tuple: the version is a date, a missing warning reads "none".
    """
    warning = policy.drift_warning()
    return pd.DataFrame(
        {
            "item": [text(f"notebooks.policy.{k}", lang) for k in ("version", "language", "source", "drift")],
            "value": [
                policy.version,
                policy.language,
                str(policy.raw.get("source", "")),
                warning if warning else text("common.none", lang),
            ],
        }
    )


def loaded_tables(inputs: Inputs) -> pd.DataFrame:
    """What was loaded: one row per input table with its rows and the provenance range they cite.

    Lets a DPO check at a glance that every sheet and extract arrived whole
    (``rows`` against the source, first and last ``src_row``) before reading
    any finding that cites those rows.
    """
    frames = {
        "activities": inputs.activities,
        "systems": inputs.systems,
        "vendors": inputs.vendors,
        "requests": inputs.requests,
        "disclosures": inputs.disclosures,
    }
    rows = []
    for name, frame in frames.items():
        has_prov = all(c in frame.columns for c in PROVENANCE) and len(frame) > 0
        rows.append(
            {
                "table": name,
                "rows": len(frame),
                "columns": len([c for c in frame.columns if c not in PROVENANCE]),
                "src_file": "; ".join(frame["src_file"].astype(str).unique()) if has_prov else "",
                "src_sheet": "; ".join(frame["src_sheet"].astype(str).unique()) if has_prov else "",
                "first_src_row": int(frame["src_row"].min()) if has_prov else None,
                "last_src_row": int(frame["src_row"].max()) if has_prov else None,
            }
        )
    for sid, extract in inputs.records.items():
        span = extract_span(extract)
        rows.append({"table": f"records {sid}", "rows": extract.rows, "columns": len(extract.columns), **span})
    return pd.DataFrame(rows).astype({"first_src_row": "Int64", "last_src_row": "Int64"})


def extract_span(extract: Extract) -> dict[str, object]:
    """An extract's file, sheets and first and last row, asked of the engine (one aggregate)."""
    t = extract.table
    if not extract.rows:
        return {"src_file": "", "src_sheet": "", "first_src_row": None, "last_src_row": None}
    agg = t.aggregate(first=t.src_row.min(), last=t.src_row.max()).to_pandas().iloc[0]
    sheets = t.select("src_sheet").distinct().order_by("src_sheet").to_pandas()["src_sheet"].astype(str)
    return {
        "src_file": extract.file,
        "src_sheet": "; ".join(sheets),
        "first_src_row": int(agg["first"]),
        "last_src_row": int(agg["last"]),
    }


def provenance_preview(frame: pd.DataFrame, key: str, rows: int = 5) -> pd.DataFrame:
    """The first ``rows`` rows' key and provenance: where each loaded row came from.

    Only the key column and ``src_file``/``src_sheet``/``src_row`` are shown,
    never names or e-mail addresses from a record extract.
    """
    return frame[[key, *PROVENANCE]].head(rows).reset_index(drop=True)


def records_past_retention(retention: pd.DataFrame) -> pd.DataFrame:
    """Retention rows with records past their limit, most first: what a DPO must get deleted."""
    past = retention["records_past_limit"].astype("Float64").fillna(0)
    return retention[(past > 0).to_numpy(dtype=bool)].sort_values("records_past_limit", ascending=False)


def late_requests(timeline: pd.DataFrame) -> pd.DataFrame:
    """Requests answered late or still open past their deadline (status ``late`` / ``overdue``)."""
    return timeline[timeline["status"].isin(["late", "overdue"]).to_numpy(dtype=bool)].reset_index(drop=True)


def written_files(paths: Iterable[Path]) -> pd.DataFrame:
    """The files a report run wrote, with sizes, so the DPO knows where to find the workbook."""
    paths = [Path(p) for p in paths]
    return pd.DataFrame(
        {
            "file": [p.name for p in paths],
            "folder": [str(p.parent) for p in paths],
            "kB": [round(p.stat().st_size / 1024, 1) for p in paths],
        }
    )


__all__ = [
    "ALL_ACTIVITIES",
    "FINDING_DISPLAY_COLUMNS",
    "ChartGallery",
    "FindingsBrowser",
    "SeverityCounts",
    "chart_gallery",
    "display_value",
    "family_findings",
    "figure_png",
    "filter_findings",
    "findings_browser",
    "late_requests",
    "loaded_tables",
    "notebook_language",
    "policy_overview",
    "provenance_preview",
    "records_past_retention",
    "row_note",
    "severity_css",
    "severity_summary",
    "style_table",
    "widgets_available",
    "written_files",
]


class ProgressBar:
    """The record scans' progress in a notebook: a bar over the extracts and the last one read.

    Drawn as an ipywidgets bar in a live kernel; without one (a headless
    run, plain Python) each extract read is a line of text, so an executed
    notebook still says what was read. ``lines`` keeps what was shown.
    """

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang
        self.lines: list[str] = []
        self._bar: Any = None

    def __call__(self, read: ExtractRead) -> None:
        line = text(
            "cli.extract_read",
            self.lang,
            number=read.number,
            total=read.total,
            file=read.file,
            records=number(read.records, self.lang),
            seconds=number(read.seconds, self.lang, decimals=1),
        )
        self.lines.append(line)
        if not widgets_available():
            print(line, flush=True)
            return
        import ipywidgets as widgets
        from IPython.display import display

        if self._bar is None:
            self._bar = widgets.IntProgress(min=0, max=read.total, description=text("notebooks.progress", self.lang))
            self._label = widgets.Label()
            display(widgets.HBox([self._bar, self._label]))
        self._bar.value = read.number
        self._label.value = line


def progress_bar(lang: str | None = "en") -> ProgressBar:
    """A progress callable for :func:`audit.run.run_audit` in a notebook (``progress=progress_bar(lang)``)."""
    return ProgressBar(lang or "en")
