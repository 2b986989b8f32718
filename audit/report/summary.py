"""The Summary sheet for management: what changed, what is open, what is most serious, per area.

A DPO hands the Summary to management, so it answers their questions on
one landscape page, in the report's language: how many findings are new,
still open, resolved since the last run or accepted as a risk; how the
findings stand by status and severity; the ten most serious open ones; and
one line per area. Below that page come the details an auditor asks for
(area × severity, the reference data and the input files with their
SHA-256), which the overview does not need.

Every function takes the carried findings frame (codes in ``severity``,
``Status`` and ``Since last run``, :func:`audit.report.carry.carry_forward`)
and returns a frame whose column names and labels are already in ``lang``:
the workbook writer shows them as they are. Areas come from the rule id's
prefix (``REG-01`` -> ``common.area.REG``), so the labels follow the
catalogue whatever language the findings' own ``area`` column is in.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from audit.reference.countries import adequacy_source
from audit.reference.datafiles import reference
from audit.reference.i18n import label, labels, text
from audit.reference.settings import SEVERITIES
from audit.report.carry import CHANGE_COLUMN, NEW, Carried

if TYPE_CHECKING:
    from audit.run import AuditResult

CLOSED = ("accepted risk", "resolved")
"""Statuses that take a finding off the open list (any other, a DPO's own included, is still open)."""
ACCEPTED = "accepted risk"
TOP_N = 10
SOURCE_CHARS = 90
"""Characters of a reference source shown; the data files hold it in full."""


def _col(key: str, lang: str) -> str:
    return text(f"summary.col.{key}", lang)


def _areas(findings: pd.DataFrame) -> pd.Series:
    """The area code of each finding, from its rule id (``REG-01`` -> ``REG``)."""
    return findings["rule"].astype(str).str.split("-").str[0]


def _area_codes(*codes: pd.Series) -> list[str]:
    """Every catalogue area, in catalogue order, then any other prefix found (a custom rule family)."""
    known = list(labels("common.area", "en"))
    extra = sorted({c for s in codes for c in s.dropna().unique() if c not in known})
    return known + extra


def is_open(findings: pd.DataFrame) -> pd.Series:
    """Findings whose status is not ``accepted risk`` or ``resolved``."""
    if "Status" not in findings:
        return pd.Series(True, index=findings.index)
    return ~findings["Status"].isin(CLOSED)


def _resolved_now(resolved: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The resolved rows of this run (the earlier history is listed on its own sheet)."""
    if resolved.empty or "resolved_on" not in resolved:
        return resolved.iloc[0:0]
    on = pd.to_datetime(resolved["resolved_on"], errors="coerce")
    return resolved[on == pd.Timestamp(as_of)]


def _new(findings: pd.DataFrame, previous: bool) -> pd.Series:
    """Findings new since the last run (every finding, on a first run)."""
    if not previous or CHANGE_COLUMN not in findings:
        return pd.Series(True, index=findings.index)
    return findings[CHANGE_COLUMN].eq(NEW)


def overview(
    findings: pd.DataFrame, resolved: pd.DataFrame, as_of: dt.date, lang: str, previous: bool = True
) -> pd.DataFrame:
    """New, still open, resolved since the last run, accepted risk: the four numbers management asks first.

    ``previous``: whether there was a previous workbook (without one, every
    finding is new and none is still open or resolved).
    """
    new = _new(findings, previous)
    rows = [
        ("new", int(new.sum())),
        ("still_open", int((~new & is_open(findings)).sum())),
        ("resolved", len(_resolved_now(resolved, as_of))),
        ("accepted_risk", int(findings.get("Status", pd.Series(dtype=object)).eq(ACCEPTED).sum())),
    ]
    return pd.DataFrame(
        [(text(f"summary.overview.{key}", lang), n) for key, n in rows],
        columns=[_col("item", lang), _col("count", lang)],
    )


def status_breakdown(findings: pd.DataFrame, lang: str, choices: tuple[str, ...] = ()) -> pd.DataFrame:
    """Findings per status × severity with a total column.

    Every status of the settings' drop-down (``choices``) has a row, zeros
    included, so the table has the same shape from run to run; a status a
    DPO typed outside the list gets a row of its own, as they wrote it.
    """
    status = findings.get("Status", pd.Series("open", index=findings.index)).fillna("open")
    present = [s for s in pd.unique(status) if s not in choices]
    order = [*choices, *sorted(map(str, present))]
    table = pd.crosstab(status, findings["severity"]).reindex(index=order, columns=list(SEVERITIES), fill_value=0)
    table = table.astype(int)
    table.columns = [label("common.severity", s, lang) for s in SEVERITIES]
    table[_col("total", lang)] = table.sum(axis=1)
    table.index = [label("common.status", s, lang) for s in order]
    return table.rename_axis(_col("status", lang)).reset_index()


def subject_label(findings: pd.DataFrame) -> pd.Series:
    """What a finding is about in words: ``subject_label`` when the findings have it, else the key's parts."""
    if "subject_label" in findings:
        return findings["subject_label"].where(findings["subject_label"].notna(), findings["subject"])
    return findings["subject"].astype(object).map(lambda v: None if pd.isna(v) else " · ".join(str(v).split(":")))


def top_open(findings: pd.DataFrame, lang: str, n: int = TOP_N) -> pd.DataFrame:
    """The ``n`` most serious open findings: by severity, then the longest open first, then id."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    open_ = findings[is_open(findings)]
    order = open_.assign(
        _rank=open_["severity"].map(rank).fillna(len(rank)),
        _age=-pd.to_numeric(open_.get("days_open", pd.Series(0, index=open_.index)), errors="coerce").fillna(0),
    ).sort_values(["_rank", "_age", "finding_id"], kind="stable")
    top = order.head(n)
    return pd.DataFrame(
        {
            # In the Summary's column widths: the id, what it concerns (narrow, wrapped), the title in the wide column.
            label("common.column", "finding_id", lang): top["finding_id"].to_numpy(),
            _col("subject", lang): subject_label(top).to_numpy(),
            label("common.column", "title", lang): top["title"].to_numpy(),
            label("common.column", "severity", lang): [label("common.severity", s, lang) for s in top["severity"]],
            label("common.column", "days_open", lang): top.get("days_open", pd.Series(index=top.index)).to_numpy(),
            label("common.column", "due", lang): top.get("due", pd.Series(index=top.index)).to_numpy(),
        }
    )


def area_lines(
    findings: pd.DataFrame, resolved: pd.DataFrame, as_of: dt.date, lang: str, previous: bool = True
) -> pd.DataFrame:
    """One line per area: open, of which high, new, resolved since the last run, overdue; then a total line."""
    area = _areas(findings)
    open_ = is_open(findings)
    overdue = pd.to_numeric(findings.get("days_overdue", pd.Series(0, index=findings.index)), errors="coerce")
    now = _resolved_now(resolved, as_of)
    gone_area = _areas(now) if len(now) else pd.Series(dtype=object)
    counts = pd.DataFrame(
        {
            "open": open_.groupby(area).sum(),
            "open_high": (open_ & findings["severity"].eq("high")).groupby(area).sum(),
            "new": _new(findings, previous).groupby(area).sum(),
            "resolved": gone_area.value_counts(),
            "overdue": (open_ & overdue.fillna(0).gt(0)).groupby(area).sum(),
        }
    )
    codes = _area_codes(area, gone_area)
    counts = counts.reindex(codes).fillna(0).astype(int)
    counts.loc["Total"] = counts.sum()
    counts.index = [label("common.area", c, lang) for c in codes] + [text("summary.total_row", lang)]
    counts.columns = [_col(c, lang) for c in counts.columns]
    return counts.rename_axis(_col("area", lang)).reset_index()


def findings_matrix(findings: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Findings per area × severity with totals, for the Summary sheet and the notebooks.

    One column per severity label, then the total, each header over its own
    numbers; one row per area of the catalogue with findings, then the total.
    """
    area = _areas(findings)
    table = pd.crosstab(area, findings["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table.reindex([c for c in _area_codes(area) if c in table.index])
    table.columns = [label("common.severity", s, lang) for s in SEVERITIES]
    table[_col("total", lang)] = table.sum(axis=1)
    codes = list(table.index)
    table.loc["Total"] = table.sum()
    table.index = [label("common.area", c, lang) for c in codes] + [text("summary.total_row", lang)]
    return table.astype(int).rename_axis(_col("area", lang)).reset_index()


def reference_dates(result: AuditResult, lang: str = "en") -> pd.DataFrame:
    """Which reference lists (and of which date) the audit used."""
    adequacy = adequacy_source()
    version = result.policy.version
    rows = [
        (
            text("summary.reference.policy", lang),
            text("summary.reference.policy_version", lang, version=version.isoformat())
            if version
            else text("summary.reference.no_version", lang),
            result.policy.source,
        ),
        (text("summary.reference.adequacy", lang), str(adequacy.get("date", "")), str(adequacy.get("source", ""))),
        (
            text("summary.reference.countries", lang),
            str(reference("countries").get("date", "")),
            str(reference("countries")["source"]),
        ),
        (text("summary.reference.settings", lang), result.context.settings.date, result.context.settings.source),
    ]
    out = pd.DataFrame(rows, columns=[_col("reference", lang), _col("date", lang), _col("source", lang)])
    # The summary shows the start of each source; the data files hold it in full.
    source = out.iloc[:, 2].astype(str)
    long = source.str.len() > SOURCE_CHARS
    out.iloc[:, 2] = source.where(~long, source.str.slice(0, SOURCE_CHARS - 1).str.rstrip() + "…")
    return out


def input_files(result: AuditResult, lang: str = "en") -> pd.DataFrame:
    """Input files with sheet, SHA-256 and row count, for the Summary sheet.

    The SHA-256 is the third column, under the reference sources and the
    findings' titles: the Summary's columns are shared by all its tables,
    and the third is the wide one.
    """
    files = result.inputs.files[["file", "sheet", "sha256", "rows"]].copy()
    files.columns = [_col(c, lang) for c in ("file", "sheet", "sha256", "rows")]
    return files


def meta_lines(result: AuditResult, carried: Carried, lang: str, version: str) -> list[tuple[str, object]]:
    """The Summary's opening lines: who, as of when, against which policy, from which data and workbook."""
    ctx = result.context
    previous = carried.source.name if carried.source else text("common.none", lang)
    values: list[tuple[str, object]] = [
        ("organisation", ctx.settings.organisation or result.policy.controller),
        ("as_of", ctx.as_of),
        ("policy_version", result.policy.version),
        ("data_folder", str(result.inputs.data_dir)),
        ("findings", len(result.findings)),
        ("input_issues", len(result.issues)),
        ("previous", previous),
        ("tool", "privacy-audit " + version),
    ]
    return [(text(f"summary.meta.{key}", lang), value) for key, value in values]


OVERVIEW_BLOCKS = 4
"""The first blocks of :func:`summary_blocks` make the one-page overview; the rest go on the details sheet."""


def summary_blocks(
    result: AuditResult, findings: pd.DataFrame, resolved: pd.DataFrame, carried: Carried
) -> list[tuple[str, pd.DataFrame]]:
    """The Summary's tables in order: the one-page overview first, then the auditor's details.

    ``findings`` and ``resolved`` are the carried frames
    (:func:`audit.report.carry.carry_forward`).
    """
    ctx = result.context
    lang, as_of, previous = ctx.lang, ctx.as_of, carried.source is not None
    blocks = [
        ("overview", overview(findings, resolved, as_of, lang, previous)),
        ("status", status_breakdown(findings, lang, tuple(ctx.settings.status_choices))),
        ("top", top_open(findings, lang)),
        ("areas", area_lines(findings, resolved, as_of, lang, previous)),
        ("matrix", findings_matrix(findings, lang)),
        ("reference", reference_dates(result, lang)),
        ("inputs", input_files(result, lang)),
    ]
    return [(text(f"summary.heading.{key}", lang), frame) for key, frame in blocks]
