"""Everything an audit writes: CSVs, chart PNGs and the DPO workbook.

:func:`write_report` is what the command line and ``00-dpo-report.ipynb``
call, so both produce the same files from the same function.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from audit.reference.catalogue import catalogue
from audit.report import charts
from audit.report.carry import Carried, carry_forward, find_previous, read_previous
from audit.report.excel import workbook_name, write_workbook
from audit.report.files import write_csv
from audit.report.output import Staging, folder_errors, locked, recover, staged, usable_folder
from audit.report.policy_sheet import MODEL_SHEET, change_blocks, model_lines, policy_art13, read_previous_policy
from audit.report.register_workbook import register_name, write_register_workbook
from audit.report.summary import (
    OVERVIEW_BLOCKS,
    findings_matrix,
    input_files,
    meta_lines,
    reference_dates,
    summary_blocks,
)
from audit.rules.registry import resolve
from audit.run import AuditResult

__all__ = [
    "Carried",
    "Report",
    "findings_matrix",
    "input_files",
    "make_charts",
    "reference_dates",
    "report_names",
    "write_report",
]


class Report(list[Path]):
    """The paths a report run wrote (a list, as before), with what it carried forward.

    ``carried`` says from which previous workbook the DPO's columns came and
    how many statuses, owners and comments, for the command line's summary
    and the notebooks.
    """

    carried: Carried

    def __init__(self, paths: list[Path], carried: Carried) -> None:
        super().__init__(paths)
        self.carried = carried


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
    drawn = {}
    for key, spec in catalogue().charts.items():
        # The data map also links recipients known only from the disclosure log to their activities.
        extra = {"disclosures": result.inputs.disclosures} if key == "data_map" else {}
        drawn[key] = resolve(spec.draw)(*(named[name] for name in spec.inputs), ctx.as_of, lang=ctx.lang, **extra)
    return drawn


def report_names() -> list[str]:
    """The names of the files a report consists of (``?`` stands for a digit of the workbook's date)."""
    cat = catalogue()
    csvs = [str(spec.csv) for spec in cat.tables.values() if spec.csv]
    charts_ = [spec.file for spec in cat.charts.values()]
    return ["findings.csv", *csvs, *charts_, register_name(None), workbook_name(None)]


def write_report(
    result: AuditResult, out_dir: Path, previous: Path | None = None, figures: dict[str, Figure] | None = None
) -> Report:
    """Write CSVs, chart PNGs and the workbook into ``out_dir`` as one set; return the paths written.

    The :class:`Report` returned is the list of paths, with ``carried``:
    which workbook the DPO's columns came from and how many.

    ``previous``: the workbook to carry the DPO's columns from; default the
    newest workbook in ``out_dir`` with a Findings table, whatever its name
    (:func:`audit.report.carry.find_previous`). ``figures``: charts already
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
                files, carried = _write_set(result, staging, previous, figures)
            staging.publish()
    return Report([staging.final(p) for p in files], carried)


def _write_set(
    result: AuditResult, staging: Staging, previous: Path | None, figures: dict[str, Figure] | None
) -> tuple[list[Path], Carried]:
    """Write every report file into ``staging``; return the staged paths (findings.csv first, workbook last).

    ``findings.csv`` is the audit's result as it is (its columns are
    documented and stable); the per-finding dates and the DPO's columns
    belong to the workbook.
    """
    ctx = result.context
    out_dir = staging.out_dir
    # Read the DPO's previous work first: an unreadable one stops the run before anything is written.
    name = workbook_name(ctx.as_of)
    prev_path = previous or find_previous(out_dir, out_dir / name)
    prev = read_previous(prev_path) if prev_path else None
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
    findings, resolved, carried = carry_forward(result.findings, prev, ctx.as_of, ctx.settings.due_days)
    meta = meta_lines(result, carried, ctx.lang, _version())
    blocks = summary_blocks(result, findings, resolved, carried)
    # The Art. 30 register for the supervisory authority; the DPO workbook stays last.
    written.append(write_register_workbook(staging.file(register_name(ctx.as_of)), result, ctx.lang))
    written.append(
        write_workbook(
            staging.file(name),
            findings=findings,
            resolved=resolved,
            tables={tables[key].sheet: frame for key, frame in result.tables.items()},
            meta=meta,
            summary_blocks=blocks[:OVERVIEW_BLOCKS],
            detail_blocks=blocks[OVERVIEW_BLOCKS:],
            charts=pngs,
            status_choices=ctx.settings.status_choices,
            severity_fills=ctx.settings.severity_fills,
            row_cap=ctx.settings.sheet_row_cap,
            after={policy_sheet: change_blocks(result.policy.raw, art13, prev_policy, ctx.lang)},
            hidden={MODEL_SHEET: model_lines(result.policy.raw, art13)},
            lang=ctx.lang,
            as_of=ctx.as_of,
        )
    )
    return written, carried


def _version() -> str:
    from audit import __version__

    return __version__
