"""Writing the whole sample folder: workbooks, record extracts, expected findings, README.

The order matters only in one place: the extracts are drawn first, because
the inventory's ``Record count`` column and the expected findings' counts
come from them.
"""

from __future__ import annotations

from pathlib import Path

from tools.sample.constants import DEFAULT_SEED, RECORD_FORMATS, SAMPLE_AS_OF
from tools.sample.data import MAIN_EXTRACTS, RECORDS, TABLES
from tools.sample.expected import expected_findings
from tools.sample.extracts import extract_table, write_extract
from tools.sample.readme import render_readme
from tools.sample.records import Extract, generate_records
from tools.sample.workbooks import Sheet, table_sheet, write_workbook


def extract_sizes(records_scale: float, record_rows: int | None) -> dict[str, int]:
    """Rows per extract: the defaults times ``records_scale`` (at least 100), ``record_rows`` for the main ones.

    Parameters
    ----------
    records_scale
        Multiplies every extract's default size.
    record_rows
        When given, the size of each main extract (S-CRM, S-NEWS, S-EVENT).
    """
    sizes = {sid: max(100, int(round(spec.rows * records_scale))) for sid, spec in RECORDS.extracts.items()}
    if record_rows is not None:
        sizes.update(dict.fromkeys(MAIN_EXTRACTS, int(record_rows)))
    return sizes


def _write_extracts(out_dir: Path, extracts: dict[str, Extract], records_format: str) -> dict[str, str]:
    """Write every extract; returns system_id -> file name as written (``records/S-CRM.csv``)."""
    names: dict[str, str] = {}
    for sid, ext in extracts.items():
        suffix = records_format if RECORDS.extracts[sid].main else "parquet"
        names[sid] = f"records/{sid}.{suffix}"
        for stale in RECORD_FORMATS:  # a previous run in another format must not leave a second extract
            (out_dir / "records" / f"{sid}.{stale}").unlink(missing_ok=True)
        write_extract(extract_table(ext), out_dir / names[sid])
    return names


def _write_workbooks(out_dir: Path, record_counts: dict[str, int]) -> None:
    """Write each workbook with its tables' sheets, the systems carrying the extracts' record counts."""
    systems = [
        row | {"record_count": record_counts.get(row["system_id"], row["record_count"])}
        for row in TABLES["systems"].rows
    ]
    books: dict[str, list[Sheet]] = {}
    for key, table in TABLES.items():
        books.setdefault(table.file, []).append(table_sheet(table, systems if key == "systems" else None))
    for file, sheets in books.items():
        write_workbook(out_dir / file, sheets)


def write_sample(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    records_scale: float = 1.0,
    record_rows: int | None = None,
    records_format: str = "csv",
) -> dict:
    """Write the sample organisation into ``out_dir`` (created if needed).

    Parameters
    ----------
    out_dir
        Target folder; files of the same names are replaced, nothing else is touched.
    seed
        Seed of the record extracts (the workbooks are fixed fixtures).
    records_scale
        Multiplies every extract's default size.
    record_rows
        Rows of each of S-CRM, S-NEWS and S-EVENT, overriding the scale (the
        benchmark uses 1,000,000); planted record gaps keep their proportions.
    records_format
        ``csv`` (default), ``parquet`` or ``xlsx`` for those three extracts;
        S-ERP is always Parquet, so a folder always mixes formats.

    Returns
    -------
    dict
        ``out_dir``, ``as_of``, ``seed``, ``files`` (relative path -> data rows) and ``expected_findings``.
    """
    if records_format not in RECORD_FORMATS:
        raise ValueError(f"records_format must be one of {', '.join(RECORD_FORMATS)}, got {records_format!r}")
    out_dir = Path(out_dir)
    (out_dir / "records").mkdir(parents=True, exist_ok=True)
    extracts = generate_records(seed, extract_sizes(records_scale, record_rows))
    names = _write_extracts(out_dir, extracts, records_format)
    _write_workbooks(out_dir, {sid: len(ext) for sid, ext in extracts.items()})
    files = {table.where: len(table.rows) for table in TABLES.values()}
    files |= {names[sid]: len(ext) for sid, ext in extracts.items()}
    expected = expected_findings(extracts, names)
    expected.to_csv(out_dir / "expected_findings.csv", index=False, lineterminator="\n")
    summary = {
        "out_dir": str(out_dir),
        "as_of": SAMPLE_AS_OF.isoformat(),
        "seed": seed,
        "files": files,
        "expected_findings": len(expected),
    }
    (out_dir / "README.md").write_text(render_readme(expected, summary), encoding="utf-8")
    return summary
