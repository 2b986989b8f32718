"""Everything an audit writes: CSVs, chart PNGs and the DPO workbook.

:func:`write_report` is what the command line and ``00-dpo-report.ipynb``
call, so both produce the same files from the same function.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from audit.reference.catalogue import catalogue
from audit.reference.countries import adequacy_source
from audit.reference.datafiles import reference
from audit.reference.settings import SEVERITIES
from audit.report import charts
from audit.report.carry import carry_forward, find_previous, read_previous
from audit.report.excel import workbook_name, write_workbook
from audit.report.files import write_csv
from audit.report.output import Staging, folder_errors, locked, recover, staged, usable_folder
from audit.report.policy_sheet import MODEL_SHEET, change_blocks, model_lines, policy_art13, read_previous_policy
from audit.rules.registry import resolve
from audit.run import AuditResult

SOURCE_CHARS = 90


def make_charts(result: AuditResult) -> dict[str, Figure]:
    """The report charts of the catalogue for ``result``, keyed as in ``rules.yaml``.

    Each chart is drawn from what its catalogue entry names (the findings,
    the settings, the register or inventory, or a table), then the as-of date,
    in the audit's language (``lang=``).
    """
    ctx = result.context
    named: dict[str, object] = {
        "findings": result.findings,
        "settings": ctx.settings,
        "activities": result.inputs.activities,
        "systems": result.inputs.systems,
        **result.tables,
    }
    return {
        key: resolve(spec.draw)(*(named[name] for name in spec.inputs), ctx.as_of, lang=ctx.lang)
        for key, spec in catalogue().charts.items()
    }


def findings_matrix(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per area × severity with totals, for the Summary sheet and the notebooks."""
    table = pd.crosstab(findings["area"], findings["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table["total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum()
    return table.rename_axis("area").reset_index()


def input_files(result: AuditResult) -> pd.DataFrame:
    """Input files with row counts and SHA-256, for the Summary sheet."""
    files = result.inputs.files
    return files[["file", "rows", "sha256", "sheet"]].copy()


def reference_dates(result: AuditResult) -> pd.DataFrame:
    """Which reference lists (and of which date) the audit used."""
    adequacy = adequacy_source()
    rows = [
        (
            "Policy",
            f"version {result.policy.version.isoformat()}" if result.policy.version else "no version date",
            result.policy.source,
        ),
        ("Adequacy decisions", str(adequacy.get("date", "")), str(adequacy.get("source", ""))),
        ("EU/EEA member states", str(reference("countries").get("date", "")), str(reference("countries")["source"])),
        ("Settings", result.context.settings.date, result.context.settings.source),
    ]
    out = pd.DataFrame(rows, columns=["reference", "date", "source"])
    # The summary shows the start of each source; the data files hold it in full.
    long = out["source"].str.len() > SOURCE_CHARS
    out.loc[long, "source"] = out.loc[long, "source"].str.slice(0, SOURCE_CHARS - 1).str.rstrip() + "…"
    return out


def report_names() -> list[str]:
    """The names of the files a report consists of (``?`` stands for a digit of the workbook's date)."""
    cat = catalogue()
    csvs = [str(spec.csv) for spec in cat.tables.values() if spec.csv]
    return ["findings.csv", *csvs, *(spec.file for spec in cat.charts.values()), workbook_name(None)]


def write_report(
    result: AuditResult, out_dir: Path, previous: Path | None = None, figures: dict[str, Figure] | None = None
) -> list[Path]:
    """Write CSVs, chart PNGs and the workbook into ``out_dir`` as one set; return the paths written.

    ``previous``: the workbook to carry the DPO's columns from; default the
    newest earlier workbook in ``out_dir``. ``figures``: charts already
    drawn with :func:`make_charts` (a notebook shows them first), so they
    are not drawn twice.

    The folder is locked for the run, every file is written into a staging
    folder inside it and the set is renamed into place only when complete
    (:mod:`audit.report.output`): a failed, killed or concurrent run never
    leaves half a file or a mix of two runs. An unusable folder is an
    :class:`~audit.report.output.OutputError` naming it.
    """
    out_dir = usable_folder(Path(out_dir))
    with locked(out_dir):
        recover(out_dir, report_names())
        with staged(out_dir) as staging:
            with folder_errors(out_dir, "write the report"):
                files = _write_set(result, staging, previous, figures)
            staging.publish()
    return [staging.final(p) for p in files]


def _write_set(
    result: AuditResult, staging: Staging, previous: Path | None, figures: dict[str, Figure] | None
) -> list[Path]:
    """Write every report file into ``staging``; return the staged paths (findings.csv first, workbook last)."""
    ctx = result.context
    out_dir = staging.out_dir
    # Read the DPO's previous work first: an unreadable one stops the run before anything is written.
    name = workbook_name(ctx.as_of)
    prev_path = previous or find_previous(out_dir, out_dir / name)
    prev, prev_resolved = read_previous(prev_path) if prev_path else (None, None)
    prev_policy = read_previous_policy(prev_path) if prev_path and prev is not None else None
    tables = catalogue().tables
    written = [write_csv(result.findings, staging.file("findings.csv"))]
    for key, frame in result.tables.items():
        if tables[key].csv:
            written.append(write_csv(frame, staging.file(str(tables[key].csv))))
    pngs = []
    for key, fig in (figures or make_charts(result)).items():
        pngs.append(charts.save_png(fig, staging.file(catalogue().charts[key].file)))
    written += pngs
    art13 = policy_art13(result.policy)
    policy_sheet = tables["policy"].sheet
    findings, resolved = carry_forward(result.findings, prev, prev_resolved, ctx.as_of)
    meta = [
        ("Organisation", ctx.settings.organisation or result.policy.controller),
        ("As-of date", ctx.as_of),
        ("Policy version", result.policy.version),
        ("Data folder", str(result.inputs.data_dir)),
        ("Findings", len(result.findings)),
        ("Input issues", len(result.issues)),
        ("Previous workbook", prev_path.name if prev_path and prev is not None else "none"),
        ("Tool", "privacy-audit " + _version()),
    ]
    blocks = [
        ("Findings by area and severity", findings_matrix(result.findings)),
        ("Reference data", reference_dates(result)),
        ("Input files", input_files(result)),
    ]
    written.append(
        write_workbook(
            staging.file(name),
            findings=findings,
            resolved=resolved,
            tables={tables[key].sheet: frame for key, frame in result.tables.items()},
            meta=meta,
            summary_blocks=blocks,
            charts=pngs,
            status_choices=ctx.settings.status_choices,
            severity_fills=ctx.settings.severity_fills,
            row_cap=ctx.settings.sheet_row_cap,
            after={policy_sheet: change_blocks(result.policy.raw, art13, prev_policy)},
            hidden={MODEL_SHEET: model_lines(result.policy.raw, art13)},
        )
    )
    return written


def _version() -> str:
    from audit import __version__

    return __version__
