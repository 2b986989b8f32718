"""The five charts of the report, each a function from DataFrames to a matplotlib Figure.

Figures are returned, not shown or saved, so a notebook displays them inline
and the command line saves the same figures as PNG for the workbook. Colours
for severities come from the settings, the same as the workbook's fills.
Every chart says so in words when there is nothing to draw.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from audit.reference.settings import SEVERITIES, Settings
from audit.report.files import atomic_write

DPI = 150
# Keyed by the transfer register's ``safeguard_code``, never by its display label,
# so rewording or translating a label keeps its colour.
SAFEGUARD_COLOURS = {
    "adequacy": "#27AE60",
    "scc_tia": "#2E86C1",
    "scc_no_tia": "#E67E22",
    "dpf_claimed": "#C0392B",
    "bcr": "#8E44AD",
    "derogation": "#8E44AD",
    "none": "#7B241C",
}
THIRD_COUNTRY = "#C0392B"
MAX_BARS = 40
"""Most bars one chart draws: beyond it a chart shows the bars that matter most and says how many it left
out (the workbook's sheets have every row). A register of thousands of requests or activity × system
pairs would otherwise make a picture hundreds of metres tall, which no one can read and matplotlib
cannot even allocate."""
MAP_NODES = 60
"""Most boxes one column of the data map draws (the rest are counted in a last box)."""
NEUTRAL = "#5D6D7E"


def _caption(fig: Figure, as_of: dt.date, extra: str = "") -> None:
    text = f"As of {as_of.isoformat()}" + (f" · {extra}" if extra else "")
    fig.text(0.01, 0.01, text, fontsize=8, color="#555555", ha="left", va="bottom")


def _empty(title: str, message: str, as_of: dt.date, extra: str = "") -> Figure:
    fig = plt.figure(figsize=(8, 3), dpi=DPI)
    fig.suptitle(title, fontsize=13, fontweight="bold", x=0.02, ha="left")
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#333333")
    # A frame over the whole figure, so a tight crop keeps the layout instead of hugging the texts.
    fig.add_artist(Rectangle((0.005, 0.005), 0.99, 0.99, transform=fig.transFigure, fill=False, ec="#D5D8DC"))
    _caption(fig, as_of, extra)
    plt.close(fig)
    return fig


def _hex(colour: str) -> str:
    return colour if colour.startswith("#") else f"#{colour}"


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


def _shown(count: int, total: int, noun: str, which: str, sheet: str) -> str:
    """The caption note for a chart that draws ``count`` of ``total`` rows ("" when it draws them all)."""
    if count >= total:
        return ""
    return f"the {count} {which} of {total:,} {noun} shown; all in the {sheet} sheet"


def _join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def findings_by_area(findings: pd.DataFrame, settings: Settings, as_of: dt.date, lang: str = "en") -> Figure:
    """Horizontal stacked bars: findings per area, split by severity."""
    title = "Findings by area and severity"
    if findings.empty:
        return _empty(title, "No findings", as_of)
    area = _labels(findings["area"])
    table = pd.crosstab(area, findings["severity"].astype(object)).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table[table.sum(axis=1) > 0]
    if table.empty:
        return _empty(title, "No findings with a known severity", as_of)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(table) + 1.8), dpi=DPI)
    left = pd.Series(0, index=table.index)
    for sev in SEVERITIES:
        values = table[sev]
        ax.barh(table.index, values, left=left, color=_hex(settings.severity_colours[sev]), label=sev)
        for y, (v, x) in enumerate(zip(values, left, strict=True)):
            if v:
                ax.text(x + v / 2, y, str(v), ha="center", va="center", fontsize=8, color="white")
        left = left + values
    for y, total in enumerate(table.sum(axis=1)):
        ax.text(total + 0.2, y, str(total), va="center", fontsize=9)
    ax.set_xlabel("Number of findings")
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")
    ax.legend(title="Severity", loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, left.max() * 1.12 + 1)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _caption(fig, as_of, f"{len(findings)} findings")
    plt.close(fig)
    return fig


def transfers_by_country(register: pd.DataFrame, as_of: dt.date, lang: str = "en") -> Figure:
    """Vendors transferring to each third country, coloured by safeguard.

    Bars are grouped and coloured by ``safeguard_code``; the legend shows the
    register's ``safeguard`` label for each code.
    """
    title = "Third-country transfers by country and safeguard"
    third = register[_is_false(register["eu_eea"])] if not register.empty else register
    if third.empty:
        return _empty(title, "No third-country transfers", as_of)
    names = _labels(third["country_name"].astype(object).fillna(third["country"].astype(object)))
    codes = _labels(third["safeguard_code"])
    table = pd.crosstab(names, codes)
    table = table.loc[table.sum(axis=1).sort_values(kind="stable").index]
    shown = _shown(min(len(table), MAX_BARS), len(table), "countries", "with most vendors", "Transfers")
    table = table.tail(MAX_BARS)
    table = table[sorted(table.columns, key=_safeguard_rank)]
    labels = third["safeguard"].astype(object).fillna(codes).groupby(codes).first().astype(str)
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(table) + 1.8), dpi=DPI)
    left = pd.Series(0, index=table.index)
    for code in table.columns:
        colour = SAFEGUARD_COLOURS.get(code, NEUTRAL)
        ax.barh(table.index, table[code], left=left, color=colour, label=labels[code])
        left = left + table[code]
    ax.set_xlabel("Vendors transferring data there")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")
    ax.legend(title="Safeguard", loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, left.max() * 1.6)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _caption(fig, as_of, _join_notes("adequacy judged on this date", shown))
    plt.close(fig)
    return fig


def _safeguard_rank(code: str) -> tuple[int, str]:
    """Safeguards in the order of :data:`SAFEGUARD_COLOURS` (safe first), unknown codes last."""
    known = list(SAFEGUARD_COLOURS)
    return (known.index(code) if code in known else len(known), code)


def retention_overdue(retention: pd.DataFrame, as_of: dt.date, lang: str = "en") -> Figure:
    """Records past the policy's retention limit, per activity and system."""
    title = "Records past retention per activity"
    if retention.empty or "records_past_limit" not in retention:
        return _empty(title, "No records past their retention limit", as_of)
    # Pairs the policy gives no measurable rule for have no count past the limit (NA, not 0): left out.
    judged = retention["records_past_limit"].notna()
    data = pd.DataFrame(
        {
            "label": _labels(retention["activity_id"]) + " · " + _labels(retention["system_id"]),
            "records_past_limit": _numbers(retention["records_past_limit"]),
            "records_total": _numbers(retention["records_total"]),
        }
    )[judged]
    unjudged = int((~judged & (_numbers(retention["records_total"]) > 0)).sum())
    pairs = "activity · system pair" + ("s" if unjudged != 1 else "")
    note = f"; {unjudged} {pairs} with records not judged (no measurable policy rule)" if unjudged else ""
    data = data[data["records_total"] > 0]
    if data["records_past_limit"].sum() == 0:
        return _empty(title, "No records past their retention limit", as_of, note.lstrip("; "))
    data = data.sort_values("records_past_limit", kind="stable")
    shown = _shown(min(len(data), MAX_BARS), len(data), "pairs", "with most records past the limit", "Retention")
    data = data.tail(MAX_BARS)
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(data) + 1.8), dpi=DPI)
    within = data["records_total"] - data["records_past_limit"]
    ax.barh(data["label"], data["records_past_limit"], color=THIRD_COUNTRY, label="past limit")
    ax.barh(data["label"], within, left=data["records_past_limit"], color="#D5D8DC", label="within limit")
    for y, (past, total) in enumerate(zip(data["records_past_limit"], data["records_total"], strict=True)):
        share = 100 * past / total if total else 0
        ax.text(total * 1.01, y, f"{int(past):,} of {int(total):,} ({share:.1f}%)", va="center", fontsize=8)
    ax.set_xlabel("Records in the extract")
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, data["records_total"].max() * 1.45)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    limit = "limit = policy period from the anchor date (+ grace for event-based rules)"
    _caption(fig, as_of, _join_notes(limit + note, shown))
    plt.close(fig)
    return fig


def request_answer_times(timeline: pd.DataFrame, as_of: dt.date, lang: str = "en") -> Figure:
    """Days each request took (or has been open) against its deadline."""
    title = "Request answer times against the deadline"
    if timeline.empty:
        return _empty(title, "No requests in the log", as_of)
    received = _dates(timeline["received"])
    if received.isna().all():
        return _empty(title, "No request with a readable date of receipt", as_of)
    t = timeline.assign(_received=received)
    shown = _shown(min(len(t), MAX_BARS), len(t), "requests", "most urgent", "Requests")
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
    status = t["status"].astype(object)
    colours = status.map({"on time": "#27AE60", "late": THIRD_COUNTRY, "open": "#AAB7B8", "overdue": "#7B241C"})
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(t) + 1.8), dpi=DPI)
    labels = _labels(t["request_id"]) + " (" + _labels(t["right"]) + ")"
    ax.barh(labels, days.fillna(0.0), color=colours.where(colours.notna(), NEUTRAL).tolist())
    known = allowed.notna()
    ax.scatter(allowed[known], labels[known], marker="|", s=200, color="black", zorder=3, label="deadline")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in ("#27AE60", THIRD_COUNTRY, "#AAB7B8", "#7B241C")] + [
        plt.Line2D([], [], color="black", marker="|", linestyle="", markersize=12)
    ]
    ax.legend(handles, ["on time", "late", "open", "open, overdue", "deadline"], loc="lower right", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Days from receipt to answer (open: to the as-of date)")
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")
    ax.tick_params(axis="y", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _caption(fig, as_of, _join_notes("one calendar month; three with a notified extension", shown))
    plt.close(fig)
    return fig


def data_map(
    activities: pd.DataFrame, systems: pd.DataFrame, register: pd.DataFrame, as_of: dt.date, lang: str = "en"
) -> Figure:
    """Activities → systems → vendors → countries, third countries in red."""
    title = "Data map: activities → systems → vendors → countries"
    links_as = _links(activities[["activity_id", "systems"]].explode("systems"))
    links_as = links_as[links_as["systems"].isin(systems["system_id"].dropna().astype(str))]
    links_sv = _links(systems[["system_id", "vendor"]])
    links_vc = register[["vendor", "country", "eu_eea"]] if not register.empty else register
    if len(links_vc):
        third_flag = _is_false(links_vc["eu_eea"])
        links_vc = _links(links_vc[["vendor", "country"]]).assign(third=third_flag).drop_duplicates()
    if links_as.empty and links_sv.empty:
        return _empty(title, "No activities or systems to map", as_of)
    acts = sorted(set(activities["activity_id"].dropna().astype(str)))
    if len(acts) > MAP_NODES:  # too many to draw: those linked to a system first, they are what the map shows
        linked = set(links_as["activity_id"])
        acts = sorted(acts, key=lambda a: a not in linked)
    syst = _barycentre(sorted(set(systems["system_id"].dropna().astype(str))), links_as, "systems", "activity_id", acts)
    vend_all = set(links_sv["vendor"].astype(str)) | set(links_vc["vendor"].astype(str) if len(links_vc) else [])
    vend = _barycentre(sorted(vend_all), links_sv, "vendor", "system_id", syst)
    ctry = (
        _barycentre(sorted(set(links_vc["country"].astype(str))), links_vc, "country", "vendor", vend)
        if len(links_vc)
        else []
    )
    cols = [acts, syst, vend, ctry]
    left_out = [max(0, len(c) - MAP_NODES) for c in cols]
    cols = [c if len(c) <= MAP_NODES else [*c[: MAP_NODES - 1], f"… {len(c) - MAP_NODES + 1:,} more"] for c in cols]
    third = set(links_vc.loc[links_vc["third"], "country"]) if len(links_vc) else set()
    height = max(len(c) for c in cols)
    fig, ax = plt.subplots(figsize=(12, 0.32 * height + 1.8), dpi=DPI)
    pos: dict[tuple[int, str], tuple[float, float]] = {}
    for x, names in enumerate(cols):
        for i, name in enumerate(names):
            y = height - 1 - (i * (height - 1) / max(1, len(names) - 1) if len(names) > 1 else (height - 1) / 2)
            pos[(x, name)] = (x, y)
    edges = [(0, a, 1, s, NEUTRAL) for a, s in links_as.itertuples(index=False)] + [
        (1, s, 2, v, NEUTRAL) for s, v in links_sv.itertuples(index=False)
    ]
    if len(links_vc):
        edges += [
            (2, v, 3, c, THIRD_COUNTRY if c in third else NEUTRAL)
            for v, c in links_vc[["vendor", "country"]].itertuples(index=False)
        ]
    for x0, n0, x1, n1, colour in edges:
        if (x0, str(n0)) in pos and (x1, str(n1)) in pos:
            (ax0, ay0), (ax1, ay1) = pos[(x0, str(n0))], pos[(x1, str(n1))]
            ax.plot([ax0 + 0.12, ax1 - 0.12], [ay0, ay1], color=colour, alpha=0.5, linewidth=0.8)
    for (x, name), (px, py) in pos.items():
        red = x == 3 and name in third
        ax.text(
            px,
            py,
            name[:34],
            ha="center",
            va="center",
            fontsize=7,
            color="white" if red else "black",
            bbox={"boxstyle": "round,pad=0.25", "fc": THIRD_COUNTRY if red else "#EBF5FB", "ec": "#AAB7B8"},
        )
    for x, head in enumerate(["Activities", "Systems", "Vendors", "Countries"]):
        ax.text(x, height - 0.2 + 0.6, head, ha="center", fontsize=10, fontweight="bold")
    ax.set_xlim(-0.5, 3.5)
    ax.set_ylim(-0.8, height + 0.8)
    ax.axis("off")
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    heads = ("activities", "systems", "vendors", "countries")
    hidden = ", ".join(f"{n + 1:,} {h}" for n, h in zip(left_out, heads, strict=True) if n)
    note = f"{hidden} in the last box of their column: all in the Register and Transfers sheets" if hidden else ""
    _caption(fig, as_of, _join_notes("red: third country (outside the EU/EEA)", note))
    plt.close(fig)
    return fig


def _links(pairs: pd.DataFrame) -> pd.DataFrame:
    """Two-column links with both ends present (an NA, or a list cell's blank item, links nothing), as text."""
    pairs = pairs[pairs.notna().all(axis=1)]
    return pairs.astype(str)


def _barycentre(names: list[str], links: pd.DataFrame, col: str, parent_col: str, parents: list[str]) -> list[str]:
    """Order ``names`` by the mean position of the nodes they link to, so the map's lines cross less."""
    rank = {p: i for i, p in enumerate(parents)}
    pos = links.assign(_r=links[parent_col].astype(str).map(rank)).dropna(subset=["_r"])
    mean = pos.groupby(pos[col].astype(str))["_r"].mean()
    return sorted(names, key=lambda n: (mean.get(n, len(parents)), n))


def save_png(fig: Figure, path: Path) -> Path:
    """Save a figure as PNG at the report resolution, atomically.

    The PNG is drawn into a temporary file beside ``path`` and renamed, so
    a run that fails or is killed while drawing never leaves a truncated or
    empty chart under the final name.
    """
    return atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=DPI, bbox_inches="tight", format="png"))
