"""The five charts of the report, each a function from DataFrames to a matplotlib Figure.

Figures are returned, not shown or saved, so a notebook displays them inline
and the command line saves the same figures as PNG for the workbook. Colours
for severities come from the settings, the same as the workbook's fills.
Every chart says so in words when there is nothing to draw.

Every word a chart draws (title, axis, legend, caption, the message of an
empty chart) comes from ``data/reference/messages/charts.yaml`` in the
report's language, severities and areas from ``common.yaml``, and numbers are
written the way a reader of that language writes them (``5 000`` and
``2,7 %`` in Swedish), so the Swedish report's pictures read like its text.
Where a chart shows a code (an activity, a system, a country) it shows the
name beside it, because a reader of the report does not know the register's
keys by heart. Figures are 10 inches wide and at most 7.5 high, so each one
fits a landscape page; a chart with many bars writes its labels smaller
instead of growing off the page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from audit.reference.countries import country_name, swedish
from audit.reference.i18n import has_text, labels, number, percent, text
from audit.reference.settings import SEVERITIES, Settings
from audit.report.files import atomic_write

DPI = 150
# Keyed by the transfer register's ``safeguard_code``, never by its display label,
# so rewording or translating a label keeps its colour. An adequacy decision is
# green, the colour of "nothing to do"; no safeguard is the darkest red, and the
# two are never confused (the tests hold them apart).
SAFEGUARD_COLOURS = {
    "adequacy": "#27AE60",
    "scc_tia": "#2E86C1",
    "scc_no_tia": "#E67E22",
    "dpf_claimed": "#C0392B",
    "bcr": "#8E44AD",
    "derogation": "#8E44AD",
    "none": "#7B241C",
}
ADEQUACY = SAFEGUARD_COLOURS["adequacy"]
THIRD_COUNTRY = "#C0392B"
RECIPIENT = "#FDEBD0"
"""Fill of a data map box for a recipient that is not a system (an authority, a group company...)."""
RECIPIENT_EDGE = "#AF601A"
NODE = "#EBF5FB"
LEGEND_FROM_BOTTOM = 0.4
"""Inches between the data map's legend and the bottom edge: room for a caption of two lines."""
MAP_BOTTOM = 1.1
"""Inches at the bottom of the data map kept for its legend (three rows) and caption."""
MAX_BARS = 40
"""Most bars one chart draws: beyond it a chart shows the bars that matter most and says how many it left
out (the workbook's sheets have every row). A register of thousands of requests or activity × system
pairs would otherwise make a picture hundreds of metres tall, which no one can read and matplotlib
cannot even allocate."""
MAP_NODES = 40
"""Most boxes one column of the data map draws (the rest are counted in a last box): 40 one-line boxes
are what 7.5 inches hold without overlapping."""
NEUTRAL = "#5D6D7E"
WIDTH = 10.0
"""Width of every chart in inches: a landscape A4 or Letter page less its margins."""
MAX_HEIGHT = 7.5
"""Tallest chart in inches: a landscape page's printable height, so no chart needs two pages."""
MIN_HEIGHT = 3.0
FRAME = 1.8
"""Inches of a bar chart that are not bars: title, axis label, caption."""
LABEL_CHARS = 44
"""Longest bar label; longer names end in "…" so labels never run into each other or the bars."""
BOX_CHARS = 34
"""Longest text in a data map box (a column is about 2.5 inches wide)."""


def _height(rows: int, per_row: float) -> float:
    """A chart's height for ``rows`` bars: ``per_row`` inches each, within one landscape page."""
    return min(MAX_HEIGHT, max(MIN_HEIGHT, per_row * rows + FRAME))


def _label_size(rows: int, height: float, largest: float = 8.0) -> float:
    """Font size (points) at which ``rows`` one-line labels fit the bars' part of a ``height``-inch chart."""
    room = 72 * (height - FRAME) / max(rows, 1)
    return max(4.5, min(largest, 0.6 * room))


def _short(value: str, width: int) -> str:
    """``value`` cut to ``width`` characters, ending in "…" when cut."""
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"


def _shorts(values: pd.Series, width: int) -> pd.Series:
    long = values.str.len() > width
    return values.where(~long, values.str.slice(0, width - 1).str.rstrip() + "…")


def _caption(fig: Figure, as_of: dt.date, lang: str, extra: str = "") -> None:
    line = text("charts.caption", lang, date=as_of.isoformat()) + (f" · {extra}" if extra else "")
    fig.text(0.01, 0.01, line, fontsize=8, color="#555555", ha="left", va="bottom", wrap=True)


def _empty(title: str, message: str, as_of: dt.date, lang: str, extra: str = "") -> Figure:
    fig = plt.figure(figsize=(WIDTH, MIN_HEIGHT), dpi=DPI)
    fig.suptitle(title, fontsize=13, fontweight="bold", x=0.02, ha="left")
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#333333")
    # A frame over the whole figure, so a tight crop keeps the layout instead of hugging the texts.
    fig.add_artist(Rectangle((0.005, 0.005), 0.99, 0.99, transform=fig.transFigure, fill=False, ec="#D5D8DC"))
    _caption(fig, as_of, lang, extra)
    plt.close(fig)
    return fig


def _hex(colour: str) -> str:
    return colour if colour.startswith("#") else f"#{colour}"


def _number_axis(ax: plt.Axes, lang: str) -> None:
    """Tick labels of the x axis in the language's number convention (``5 000`` / ``5,000``)."""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(float(value), lang)))


# Input tables may hold NA (pd.NA, None, NaN, NaT) in any column: a blank cell, a value
# that could not be read, a pair the policy gives no measurable rule for. Each chart
# reads its columns through these helpers, so a missing value is left out (or labelled
# "?"), never compared, summed or handed to matplotlib as NA.


def _is_false(flags: pd.Series) -> pd.Series:
    """``True`` where a flag is exactly false; missing or unreadable flags are not false."""
    return flags.astype(object).eq(False)


def _numbers(values: pd.Series) -> pd.Series:
    """Plain floats, missing as 0 (for counts that were not judged or not given)."""
    return pd.to_numeric(values.astype(object), errors="coerce").astype("float64").fillna(0.0)


def _dates(values: pd.Series) -> pd.Series:
    """Datetimes, missing or unreadable as NaT."""
    return pd.to_datetime(values.astype(object), errors="coerce")


def _labels(values: pd.Series) -> pd.Series:
    """Text labels, missing as ``?``."""
    return values.astype(object).where(values.notna(), "?").astype(str)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]``, or a column of NA when the frame has no such column (a chart drawn from less)."""
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=object)


def _with_names(codes: pd.Series, names: pd.Series) -> pd.Series:
    """``"A-02 Kundregister"``: each code with its name beside it (the code alone when it has no name)."""
    code = _labels(codes)
    name = names.astype(object)
    known = name.notna() & name.astype(str).str.strip().ne("") & name.astype(str).ne(code)
    return code.where(~known, code + " " + name.astype(str).str.strip())


def _country_names(codes: pd.Series, lang: str) -> pd.Series:
    """``"US United States"`` (``"US USA"`` in Swedish): each ISO code with its name in ``lang``.

    Names come from pycountry (its Swedish catalogue for ``sv``) through
    :mod:`audit.reference.countries`; computed once per distinct code.
    """
    distinct = codes.dropna().astype(str).unique()
    names = {code: _country_name(code, lang) for code in distinct}
    return _with_names(codes, codes.astype(object).map(names))


def _country_name(code: str, lang: str) -> str:
    english = country_name(code)
    return swedish().gettext(english) if lang == "sv" else english


def _area_labels(findings: pd.DataFrame, lang: str) -> pd.Series:
    """The area of each finding in ``lang``, from its rule id's prefix (``SEC-02`` → Security / Säkerhet).

    A finding whose rule has no known prefix keeps the area it was given.
    """
    areas = labels("common.area", lang)
    prefix = _column(findings, "rule").astype(object).where(_column(findings, "rule").notna(), "").astype(str).str[:3]
    return _labels(prefix.map(areas).where(prefix.isin(list(areas)), findings["area"].astype(object)))


def _shown(count: int, total: int, key: str, lang: str) -> str:
    """The caption note for a chart that draws ``count`` of ``total`` rows ("" when it draws them all)."""
    if count >= total:
        return ""
    return text(key, lang, count=number(count, lang), total=number(total, lang))


def _join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _title(ax: plt.Axes, title: str) -> None:
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")


def findings_by_area(findings: pd.DataFrame, settings: Settings, as_of: dt.date, lang: str = "en") -> Figure:
    """Horizontal stacked bars: findings per area, split by severity, in ``lang``."""
    title = text("charts.findings.title", lang)
    if findings.empty:
        return _empty(title, text("charts.findings.empty", lang), as_of, lang)
    area = _area_labels(findings, lang)
    table = pd.crosstab(area, findings["severity"].astype(object)).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table[table.sum(axis=1) > 0]
    if table.empty:
        return _empty(title, text("charts.findings.no_severity", lang), as_of, lang)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = plt.subplots(figsize=(WIDTH, _height(len(table), 0.55)), dpi=DPI)
    left = pd.Series(0, index=table.index)
    for sev in SEVERITIES:
        values = table[sev]
        colour = _hex(settings.severity_colours[sev])
        ax.barh(table.index, values, left=left, color=colour, label=text(f"common.severity.{sev}", lang))
        for y, (v, x) in enumerate(zip(values, left, strict=True)):
            if v:
                ax.text(x + v / 2, y, number(int(v), lang), ha="center", va="center", fontsize=8, color="white")
        left = left + values
    for y, total in enumerate(table.sum(axis=1)):
        ax.text(total + 0.2, y, number(int(total), lang), va="center", fontsize=9)
    ax.set_xlabel(text("charts.findings.x", lang))
    _number_axis(ax, lang)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _title(ax, title)
    ax.legend(title=text("charts.findings.legend", lang), loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, left.max() * 1.12 + 1)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _caption(fig, as_of, lang, text("charts.findings.count", lang, count=number(len(findings), lang)))
    plt.close(fig)
    return fig


def transfers_by_country(register: pd.DataFrame, as_of: dt.date, lang: str = "en") -> Figure:
    """Vendors transferring to each third country, coloured by safeguard.

    Bars are grouped and coloured by ``safeguard_code``, and the legend
    names each code from the catalogue in ``lang`` (a code the catalogue
    does not know shows the register's own ``safeguard`` label). Countries
    are shown as code and name (``US United States``).
    """
    title = text("charts.transfers.title", lang)
    third = register[_is_false(register["eu_eea"])] if not register.empty else register
    if third.empty:
        return _empty(title, text("charts.transfers.empty", lang), as_of, lang)
    code_known = third["country"].notna()
    names = _country_names(third["country"], lang).where(code_known, _labels(_column(third, "country_name")))
    codes = _labels(third["safeguard_code"])
    table = pd.crosstab(names, codes)
    table = table.loc[table.sum(axis=1).sort_values(kind="stable").index]
    shown = _shown(min(len(table), MAX_BARS), len(table), "charts.transfers.shown", lang)
    table = table.tail(MAX_BARS)
    table = table[sorted(table.columns, key=_safeguard_rank)]
    given = _column(third, "safeguard").astype(object).fillna(codes).groupby(codes).first().astype(str)
    height = _height(len(table), 0.6)
    fig, ax = plt.subplots(figsize=(WIDTH, height), dpi=DPI)
    left = pd.Series(0, index=table.index)
    for code in table.columns:
        colour = SAFEGUARD_COLOURS.get(code, NEUTRAL)
        shown_as = text(f"charts.safeguard.{code}", lang) if has_text(f"charts.safeguard.{code}") else given[code]
        ax.barh(
            _shorts(pd.Series(table.index), LABEL_CHARS), table[code], left=left.values, color=colour, label=shown_as
        )
        left = left + table[code]
    ax.set_xlabel(text("charts.transfers.x", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax, lang)
    ax.tick_params(axis="y", labelsize=_label_size(len(table), height, 9))
    _title(ax, title)
    ax.legend(title=text("charts.transfers.legend", lang), loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, left.max() * 1.6)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _caption(fig, as_of, lang, _join_notes(text("charts.transfers.judged", lang), shown))
    plt.close(fig)
    return fig


def _safeguard_rank(code: str) -> tuple[int, str]:
    """Safeguards in the order of :data:`SAFEGUARD_COLOURS` (safe first), unknown codes last."""
    known = list(SAFEGUARD_COLOURS)
    return (known.index(code) if code in known else len(known), code)


def retention_overdue(retention: pd.DataFrame, as_of: dt.date, lang: str = "en") -> Figure:
    """Records past the policy's retention limit, per activity (code and name) and system.

    The retention table names each activity (``activity``) but not its
    system, so a bar reads ``A-02 Kundregister · S-CRM``.
    """
    title = text("charts.retention.title", lang)
    nothing = text("charts.retention.empty", lang)
    if retention.empty or "records_past_limit" not in retention:
        return _empty(title, nothing, as_of, lang)
    # Pairs the policy gives no measurable rule for have no count past the limit (NA, not 0): left out.
    judged = retention["records_past_limit"].notna()
    activity = _shorts(_with_names(retention["activity_id"], _column(retention, "activity")), LABEL_CHARS - 12)
    data = pd.DataFrame(
        {
            "label": activity + " · " + _labels(retention["system_id"]),
            "records_past_limit": _numbers(retention["records_past_limit"]),
            "records_total": _numbers(retention["records_total"]),
        }
    )[judged]
    unjudged = int((~judged & (_numbers(retention["records_total"]) > 0)).sum())
    key = "charts.retention.unjudged_one" if unjudged == 1 else "charts.retention.unjudged_many"
    note = text(key, lang, count=number(unjudged, lang)) if unjudged else ""
    data = data[data["records_total"] > 0]
    if data["records_past_limit"].sum() == 0:
        return _empty(title, nothing, as_of, lang, note)
    data = data.sort_values("records_past_limit", kind="stable")
    shown = _shown(min(len(data), MAX_BARS), len(data), "charts.retention.shown", lang)
    data = data.tail(MAX_BARS)
    height = _height(len(data), 0.55)
    fig, ax = plt.subplots(figsize=(WIDTH, height), dpi=DPI)
    within = data["records_total"] - data["records_past_limit"]
    past_label, within_label = text("charts.retention.past", lang), text("charts.retention.within", lang)
    ax.barh(data["label"], data["records_past_limit"], color=THIRD_COUNTRY, label=past_label)
    ax.barh(data["label"], within, left=data["records_past_limit"], color="#D5D8DC", label=within_label)
    size = _label_size(len(data), height)
    for y, (past, total) in enumerate(zip(data["records_past_limit"], data["records_total"], strict=True)):
        share = percent(past / total if total else 0.0, lang, 1)
        words = text(
            "charts.retention.bar", lang, past=number(int(past), lang), total=number(int(total), lang), share=share
        )
        ax.text(total * 1.01, y, words, va="center", fontsize=size)
    ax.set_xlabel(text("charts.retention.x", lang))
    _number_axis(ax, lang)
    ax.tick_params(axis="y", labelsize=size)
    _title(ax, title)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, data["records_total"].max() * 1.45)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    limit = text("charts.retention.limit", lang)
    _caption(fig, as_of, lang, _join_notes(limit, note, shown))
    plt.close(fig)
    return fig


REQUEST_COLOURS = {"on time": "#27AE60", "late": THIRD_COUNTRY, "open": "#AAB7B8", "overdue": "#7B241C"}
"""Bar colour of each request status of the request log."""


def request_answer_times(timeline: pd.DataFrame, as_of: dt.date, lang: str = "en") -> Figure:
    """Days each request took (or has been open) against its deadline; rights named in ``lang``."""
    title = text("charts.requests.title", lang)
    if timeline.empty:
        return _empty(title, text("charts.requests.empty", lang), as_of, lang)
    received = _dates(timeline["received"])
    if received.isna().all():
        return _empty(title, text("charts.requests.no_dates", lang), as_of, lang)
    t = timeline.assign(_received=received)
    shown = _shown(min(len(t), MAX_BARS), len(t), "charts.requests.shown", lang)
    if len(t) > MAX_BARS:
        # Most urgent first: open and overdue, late, open, on time; the longest within each.
        urgency = t["status"].astype(object).map({"overdue": 0, "late": 1, "open": 2, "on time": 3}).fillna(4)
        took = (_dates(t["completed"]).fillna(pd.Timestamp(as_of)) - received).dt.days
        t = t.assign(_u=urgency, _took=-took.fillna(0)).sort_values(["_u", "_took"], kind="stable").head(MAX_BARS)
    t = t.sort_values("_received", kind="stable").reset_index(drop=True)
    received = t["_received"]
    end = _dates(t["completed"]).fillna(pd.Timestamp(as_of))
    # A request without a readable receipt date has no answer time: its bar is left empty, not guessed.
    days = (end - received).dt.days.astype("float64")
    allowed = (_dates(t["deadline"]) - received).dt.days.astype("float64")
    colours = t["status"].astype(object).map(REQUEST_COLOURS)
    height = _height(len(t), 0.28)
    fig, ax = plt.subplots(figsize=(WIDTH, height), dpi=DPI)
    rights = t["right"].astype(object)
    right_names = rights.map(labels("charts.right", lang)).where(
        rights.map(labels("charts.right", lang)).notna(), rights
    )
    bar_labels = _labels(t["request_id"]) + " (" + _labels(right_names) + ")"
    ax.barh(bar_labels, days.fillna(0.0), color=colours.where(colours.notna(), NEUTRAL).tolist())
    known = allowed.notna()
    deadline = text("charts.requests.deadline", lang)
    ax.scatter(allowed[known], bar_labels[known], marker="|", s=200, color="black", zorder=3, label=deadline)
    handles: list[Patch | Line2D] = [Patch(color=c) for c in REQUEST_COLOURS.values()]
    handles.append(Line2D([], [], color="black", marker="|", linestyle="", markersize=12))
    names = [text(f"charts.requests.status.{s}", lang) for s in REQUEST_COLOURS] + [deadline]
    ax.legend(handles, names, loc="lower right", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(text("charts.requests.x", lang))
    _number_axis(ax, lang)
    _title(ax, title)
    ax.tick_params(axis="y", labelsize=_label_size(len(t), height, 7))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _caption(fig, as_of, lang, _join_notes(text("charts.requests.rule", lang), shown))
    plt.close(fig)
    return fig


MAP_KINDS = {
    "vendor": {"fc": NODE, "ec": "#AAB7B8", "color": "black"},
    "recipient": {"fc": RECIPIENT, "ec": RECIPIENT_EDGE, "color": "black"},
    "eu": {"fc": NODE, "ec": "#AAB7B8", "color": "black"},
    "adequacy": {"fc": ADEQUACY, "ec": ADEQUACY, "color": "white"},
    "third": {"fc": THIRD_COUNTRY, "ec": THIRD_COUNTRY, "color": "white"},
}
"""How each kind of data map box is drawn: activities and systems look like vendors."""


def data_map(
    activities: pd.DataFrame,
    systems: pd.DataFrame,
    register: pd.DataFrame,
    as_of: dt.date,
    lang: str = "en",
    disclosures: pd.DataFrame | None = None,
) -> Figure:
    """Activities → systems → vendors and recipients → countries.

    Besides the vendors of systems, the third column holds every recipient
    that is not a system: the authorities, group companies and processors
    named only in the register's ``recipients`` column, in the transfer
    register (vendors with activities but no system) or in the disclosure
    log (``disclosures``, when given). They are drawn as their own kind of
    box, linked straight to the activities that disclose to them, because a
    map that shows only systems hides exactly the disclosures a DPO must
    account for (Art. 30(1)(d)).

    Countries are green when every transfer there rests on an adequacy
    decision, red when some does not, and the lines to them take the colour
    of their safeguard, so an adequacy decision never looks like "no
    safeguard". Activities and systems are shown with their names.
    """
    title = text("charts.map.title", lang)
    act_ids = _links(activities[["activity_id"]])["activity_id"]
    known_systems = set(systems["system_id"].dropna().astype(str))
    links_as = _links(activities[["activity_id", "systems"]].explode("systems"))
    links_as = links_as[links_as["systems"].isin(known_systems)].drop_duplicates()
    links_sv = _links(systems[["system_id", "vendor"]]).drop_duplicates()
    links_ar = _direct_recipients(activities, register, disclosures, links_as, links_sv)
    links_vc = _country_links(register)
    if links_as.empty and links_sv.empty and links_ar.empty:
        return _empty(title, text("charts.map.empty", lang), as_of, lang)

    acts = sorted(set(act_ids))
    if len(acts) > MAP_NODES:  # too many to draw: those linked to something first, they are what the map shows
        linked = set(links_as["activity_id"]) | set(links_ar["activity_id"])
        acts = sorted(acts, key=lambda a: a not in linked)
    acts = _fit(acts, lang)
    y_acts = _spread(acts)
    syst = _fit(_barycentre(sorted(known_systems), [(links_as, "systems", "activity_id", y_acts)]), lang)
    y_syst = _spread(syst)
    vendors = set(links_sv["vendor"])
    recipients = (vendors | set(links_ar["recipient"]) | set(links_vc["vendor"])) - {""}
    rec = _fit(
        _barycentre(
            sorted(recipients),
            [(links_sv, "vendor", "system_id", y_syst), (links_ar, "recipient", "activity_id", y_acts)],
        ),
        lang,
    )
    y_rec = _spread(rec)
    ctry = _fit(_barycentre(sorted(set(links_vc["country"])), [(links_vc, "country", "vendor", y_rec)]), lang)
    y_ctry = _spread(ctry)
    cols = [acts, syst, rec, ctry]
    ys = [y_acts, y_syst, y_rec, y_ctry]
    rows = max(len(c) for c in cols)

    height = _height(rows, 0.3)
    fig, ax = plt.subplots(figsize=(WIDTH, height), dpi=DPI)
    size = _label_size(rows, height - 0.6, 7)
    for x0, x1, pairs, colours, style in (
        (0, 1, links_as[["activity_id", "systems"]], None, "-"),
        (1, 2, links_sv[["system_id", "vendor"]], None, "-"),
        (0, 2, links_ar[["activity_id", "recipient"]], None, "--"),
        (2, 3, links_vc[["vendor", "country"]], links_vc["colour"], "-"),
    ):
        _edges(ax, pairs, ((x0, ys[x0]), (x1, ys[x1])), rows, colours, style)
    act_names = _names(activities, "activity_id", "activity")
    sys_names = _names(systems, "system_id", "system")
    ctry_names = {c: _country_name(c, lang) for c in ctry}
    kinds = _country_kinds(links_vc)
    for x, names, y, shown in (
        (0, acts, y_acts, act_names),
        (1, syst, y_syst, sys_names),
        (2, rec, y_rec, {}),
        (3, ctry, y_ctry, ctry_names),
    ):
        for name in names:
            if x == 2:
                kind = "recipient" if name in recipients - vendors else "vendor"  # the "… more" box is neither
            else:
                kind = kinds.get(name, "eu") if x == 3 else "vendor"
            look = MAP_KINDS[kind]
            label = name if shown.get(name, name) == name else f"{name} {shown[name]}"
            bbox = {"boxstyle": "round,pad=0.25", "fc": look["fc"], "ec": look["ec"]}
            y_at = y[name] * (rows - 1)
            words = _short(label, BOX_CHARS)
            ax.text(x, y_at, words, ha="center", va="center", fontsize=size, color=look["color"], bbox=bbox, zorder=3)
    for x, head in enumerate(("activities", "systems", "recipients", "countries")):
        ax.text(x, rows - 0.25, text(f"charts.map.head.{head}", lang), ha="center", fontsize=10, fontweight="bold")
    ax.set_xlim(-0.5, 3.5)
    ax.set_ylim(-0.6, rows + 0.35)
    ax.axis("off")
    _title(ax, title)
    fig.legend(
        handles=[
            Patch(fc=NODE, ec="#AAB7B8"),
            Patch(fc=RECIPIENT, ec=RECIPIENT_EDGE),
            Line2D([], [], color=RECIPIENT_EDGE, linestyle="--"),
            Patch(fc=ADEQUACY, ec=ADEQUACY),
            Patch(fc=THIRD_COUNTRY, ec=THIRD_COUNTRY),
        ],
        labels=[
            text(f"charts.map.legend.{key}", lang) for key in ("vendor", "recipient", "direct", "adequacy", "third")
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, LEGEND_FROM_BOTTOM / height),
        ncol=2,
        fontsize=7,
        frameon=False,
    )
    fig.tight_layout(rect=(0, MAP_BOTTOM / height, 1, 1))
    left_out = [
        max(0, len(c) - MAP_NODES) for c in (act_ids.unique(), known_systems, recipients, set(links_vc["country"]))
    ]
    heads = ("activities", "systems", "recipients", "countries")
    hidden = ", ".join(
        text(f"charts.map.hidden.{h}", lang, count=number(n + 1, lang))
        for n, h in zip(left_out, heads, strict=True)
        if n
    )
    note = text("charts.map.note.hidden", lang, hidden=hidden) if hidden else ""
    _caption(fig, as_of, lang, _join_notes(text("charts.map.note.colours", lang), note))
    plt.close(fig)
    return fig


def _direct_recipients(
    activities: pd.DataFrame,
    register: pd.DataFrame,
    disclosures: pd.DataFrame | None,
    links_as: pd.DataFrame,
    links_sv: pd.DataFrame,
) -> pd.DataFrame:
    """Activity → recipient links that no system of the activity explains.

    From the register's ``recipients`` column, the transfer register's
    ``activities`` of each vendor and the disclosure log; a recipient that
    is the vendor of one of the activity's own systems is reached through
    that system already and is left out here.
    """
    frames = [
        _links(
            _column(activities, "recipients")
            .explode()
            .to_frame("recipient")
            .assign(activity_id=activities["activity_id"])
        )
    ]
    if len(register) and "activities" in register:
        listed = register[["vendor", "activities"]].explode("activities")
        frames.append(_links(listed.rename(columns={"vendor": "recipient", "activities": "activity_id"})))
    if disclosures is not None and len(disclosures) and {"activity_id", "recipient"} <= set(disclosures):
        frames.append(_links(disclosures[["recipient", "activity_id"]]))
    links = pd.concat([f[["activity_id", "recipient"]] for f in frames], ignore_index=True)
    links["recipient"] = links["recipient"].str.strip()
    links = links[links["recipient"].ne("")].drop_duplicates()
    via = links_as.merge(links_sv, left_on="systems", right_on="system_id")[["activity_id", "vendor"]]
    via = via.rename(columns={"vendor": "recipient"}).assign(_via=True).drop_duplicates()
    links = links.merge(via, on=["activity_id", "recipient"], how="left")
    return links[links["_via"].isna()].drop(columns="_via").reset_index(drop=True)


def _country_links(register: pd.DataFrame) -> pd.DataFrame:
    """Vendor → country links of the transfer register, each with its safeguard's colour and adequacy.

    ``adequate``: the transfer rests on an adequacy decision (``safeguard_code``
    ``adequacy``; for a register without codes, an ``adequacy_decision`` date).
    """
    columns = ["vendor", "country", "third", "adequate", "colour"]
    if register.empty:
        return pd.DataFrame(columns=columns, dtype=object)
    both = register["vendor"].notna() & register["country"].notna()
    reg = register[both]
    third = _is_false(reg["eu_eea"])
    if "safeguard_code" in reg:
        code = reg["safeguard_code"].astype(object)
        adequate = code.eq("adequacy")
        colour = code.map(SAFEGUARD_COLOURS).where(code.isin(list(SAFEGUARD_COLOURS)), THIRD_COUNTRY)
    else:
        adequate = _column(reg, "adequacy_decision").notna()
        colour = pd.Series(THIRD_COUNTRY, index=reg.index).where(~adequate, ADEQUACY)
    out = pd.DataFrame(
        {
            "vendor": reg["vendor"].astype(str).str.strip(),
            "country": reg["country"].astype(str),
            "third": third,
            "adequate": adequate & third,
            "colour": colour.where(third, NEUTRAL),
        }
    )
    return out.drop_duplicates(subset=["vendor", "country"]).reset_index(drop=True)


def _country_kinds(links_vc: pd.DataFrame) -> dict[str, str]:
    """``eu``, ``adequacy`` (every transfer there on an adequacy decision) or ``third`` for each country."""
    third = links_vc[links_vc["third"].astype(bool)]
    if third.empty:
        return {}
    all_adequate = third.groupby("country")["adequate"].all()
    return {c: "adequacy" if ok else "third" for c, ok in all_adequate.items()}


def _names(frame: pd.DataFrame, key: str, name: str) -> dict[str, str]:
    """Code → name of a register or inventory (first name of a code; none when the frame has no names)."""
    if name not in frame:
        return {}
    pairs = frame[[key, name]].dropna()
    pairs = pairs[pairs[name].astype(str).str.strip().ne("")]
    return pairs.astype(str).drop_duplicates(subset=key).set_index(key)[name].str.strip().to_dict()


def _fit(names: list[str], lang: str) -> list[str]:
    """At most :data:`MAP_NODES` boxes: beyond it the last box counts the rest."""
    if len(names) <= MAP_NODES:
        return names
    return [*names[: MAP_NODES - 1], text("charts.more", lang, count=number(len(names) - MAP_NODES + 1, lang))]


def _spread(names: list[str]) -> dict[str, float]:
    """Each box's height as a share of the map's (1 = top): a column's boxes spread evenly, first at the top."""
    n = len(names)
    if n == 1:
        return {names[0]: 0.5}
    return {name: (n - 1 - i) / (n - 1) for i, name in enumerate(names)}


def _barycentre(names: list[str], sources: list[tuple[pd.DataFrame, str, str, dict[str, float]]]) -> list[str]:
    """Order ``names`` by the mean height of the boxes they link to, so the map's lines cross less.

    ``sources``: (links, this column, the parent's column, the parents' heights) for each kind of
    link; names linked to nothing drawn go last, in alphabetical order.
    """
    heights = pd.concat(
        [
            pd.DataFrame({"name": links[col].astype(str), "y": links[parent].astype(str).map(parent_y)})
            for links, col, parent, parent_y in sources
        ],
        ignore_index=True,
    ).dropna()
    mean = heights.groupby("name")["y"].mean()
    return sorted(names, key=lambda n: (-mean.get(n, -1.0), n))


def _edges(
    ax: plt.Axes,
    pairs: pd.DataFrame,
    ends: tuple[tuple[int, dict[str, float]], tuple[int, dict[str, float]]],
    rows: int,
    colours: pd.Series | None,
    style: str,
) -> None:
    """Lines between two columns of the data map for the ``pairs`` whose both ends are drawn (one collection)."""
    (x0, y0), (x1, y1) = ends
    a = pairs.iloc[:, 0].astype(str).map(y0)
    b = pairs.iloc[:, 1].astype(str).map(y1)
    drawn = a.notna() & b.notna()
    if not drawn.any():
        return
    scale = max(rows - 1, 0)
    segments = [[(x0 + 0.12, ya * scale), (x1 - 0.12, yb * scale)] for ya, yb in zip(a[drawn], b[drawn], strict=True)]
    colour = colours[drawn].tolist() if colours is not None else (RECIPIENT_EDGE if style == "--" else NEUTRAL)
    ax.add_collection(LineCollection(segments, colors=colour, linestyles=style, linewidths=0.8, alpha=0.55, zorder=1))


def _links(pairs: pd.DataFrame) -> pd.DataFrame:
    """Two-column links with both ends present (an NA, or a list cell's blank item, links nothing), as text."""
    pairs = pairs[pairs.notna().all(axis=1)]
    return pairs.astype(str)


def save_png(fig: Figure, path: Path) -> Path:
    """Save a figure as PNG at the report resolution, atomically.

    The PNG is drawn into a temporary file beside ``path`` and renamed, so
    a run that fails or is killed while drawing never leaves a truncated or
    empty chart under the final name.
    """
    return atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=DPI, bbox_inches="tight", format="png"))
