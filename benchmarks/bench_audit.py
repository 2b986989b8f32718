"""Benchmark (issue 13): the whole audit on 3M to 100M records, against a bare DuckDB scan of the same files.

For each total size the sample organisation is written with its usual small
extracts, then its three large extracts (``S-CRM``, ``S-EVENT``,
``S-NEWS``) are blown up to a third of the total each by DuckDB itself: the
sample extract cross-joined with ``range(k)`` and copied to Parquet (and to
CSV up to 30M), every ``record_id`` made unique, so the columns, activity
ids and date distributions are the sample's and nothing is held in memory.
Per size and format, measured in the same run:

* **bare scan**: one DuckDB query per large extract that reads every value
  of every column the audit reads (the three ids and every date anchor),
  where it lies, and counts the non-blank ones: the floor of any audit that
  looks at each record (Parquet's dates typed as dates, as systems export them);
* **audit**: the whole audit as the command line runs it (load, rules,
  tables, workbook, CSVs and charts), in a child process so its wall time and
  peak memory (``ru_maxrss``) are its own;
* **small**: the same for the bundled-size sample, so that ``extra`` =
  audit − small is what the records cost (imports and the report are in both);
* **ratio** = extra / bare scan (target ≤ 1.5 at 3 × 3M CSV rows).

``--old REPO`` also runs a checkout of an older commit (the pandas loading
path, e.g. a ``git worktree`` of main before issue 13) on the CSV folders up
to ``--old-max`` records, side by side.

Usage::

    .venv/bin/python benchmarks/bench_audit.py                        # 3M, 9M, 30M, 100M
    .venv/bin/python benchmarks/bench_audit.py --sizes 9000000 --formats csv --old /tmp/old-main
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

import duckdb  # noqa: E402

from tools.sample import SAMPLE_AS_OF, write_sample  # noqa: E402

LARGE = ("S-CRM", "S-EVENT", "S-NEWS")
"""The sample's extracts that are scaled up (the others keep their size)."""
CSV_MAX_ROWS = 30_000_000
"""CSV only up to this total: 100M rows of CSV is ~10 GB of disk for no new insight."""
SEED_ROWS = 10_000
"""Rows per large extract in the generated sample, before the cross join."""
AUDITED = ("record_id", "subject_ref", "activity_id")


def blow_up(folder: Path, total: int, fmt: str) -> float:
    """Replace the large extracts of ``folder`` by ``total / 3`` rows each in ``fmt``; return the seconds taken."""
    per = total // len(LARGE)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    t0 = time.perf_counter()
    for system in LARGE:
        seed = folder / "records" / f"{system}.csv"
        copies = -(-per // SEED_ROWS)
        target = folder / "records" / f"{system}.{fmt}"
        options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
        # Parquet as a system exports it: dates typed as dates (a CSV has only text).
        typed = "".join(f", CAST(s.{c} AS DATE) AS {c}" for c in _date_columns(con, seed)) if fmt == "parquet" else ""
        con.execute(
            f"""
            COPY (
                SELECT s.* REPLACE (s.record_id || '-' || CAST(r.range AS VARCHAR) AS record_id{typed})
                FROM read_csv('{seed}', all_varchar = true) AS s, range({copies}) AS r
                LIMIT {per}
            ) TO '{target}' ({options})
            """
        )
    if fmt != "csv":
        for system in LARGE:
            (folder / "records" / f"{system}.csv").unlink()
    con.close()
    return time.perf_counter() - t0


def _date_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The columns of a record extract that the contract types as dates."""
    from audit.inputs.schema import canonical_column, input_specs

    sheet = input_specs()["records"].sheets[0]
    names = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM read_csv('{path}', all_varchar = true)").fetchall()]
    return [n for n in names if (c := canonical_column(n, sheet)) and sheet.column(c).type == "date"]


def bare_scan(folder: Path, fmt: str) -> tuple[float, int]:
    """Every audited column of every large extract read and counted where it lies; seconds and records."""
    from audit.inputs.schema import canonical_column, input_specs

    sheet = input_specs()["records"].sheets[0]
    con = duckdb.connect()
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    extra = "" if fmt == "parquet" else ", all_varchar = true"
    t0 = time.perf_counter()
    records = 0
    for system in LARGE:
        path = folder / "records" / f"{system}.{fmt}"
        names = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM {reader}('{path}'{extra})").fetchall()]
        used = [
            n for n in names if (c := canonical_column(n, sheet)) and (c in AUDITED or sheet.column(c).type == "date")
        ]
        # NULLIF(CAST ...): every value read and compared, so Parquet's statistics cannot answer instead.
        counts = ", ".join(f"count(NULLIF(CAST(\"{n}\" AS VARCHAR), ''))" for n in used)
        row = con.execute(f"SELECT count(*), {counts} FROM {reader}('{path}'{extra})").fetchall()[0]
        records += int(row[0])
    seconds = time.perf_counter() - t0
    con.close()
    return seconds, records


CHILD = """
import contextlib, io, json, resource, sys, time
sys.path.insert(0, {project!r})
# The editable install maps "audit" to the main checkout after sys.path; drop it to import this one.
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
t0 = time.perf_counter()
from audit.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["--data", {folder!r}, "--as-of", {as_of!r}, "--out", {out!r}])
wall = time.perf_counter() - t0
assert sys.modules["audit"].__file__.startswith({project!r}), sys.modules["audit"].__file__
print(json.dumps([wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, code]))
"""


def audit_in_child(folder: Path, as_of: date, project: Path = PROJECT_DIR) -> tuple[float, int, int]:
    """The whole audit as the command line runs it, in a fresh process: wall time (imports included), peak memory, exit code."""
    out = tempfile.mkdtemp(prefix="bench-out-")
    script = CHILD.format(project=str(project.resolve()), folder=str(folder), as_of=as_of.isoformat(), out=out)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=project, check=False)
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"audit of {folder} with {project} failed: {proc.stderr.strip().splitlines()[-1:]}")
    wall, peak, code = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(wall), int(peak), int(code)


def main(argv: list[str] | None = None) -> int:
    """Generate each size, scan it bare, audit it; print one line per size and format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000000,9000000,30000000,100000000", help="total records, comma-separated")
    parser.add_argument("--formats", default="parquet,csv", help="extract formats, comma-separated")
    parser.add_argument("--out", type=Path, default=None, help="folder for the generated data (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument("--old", type=Path, default=None, help="a checkout of an older commit to run side by side")
    parser.add_argument("--old-max", type=int, default=9_000_000, help="largest CSV total the old checkout runs")
    args = parser.parse_args(argv)
    root = args.out or Path(tempfile.mkdtemp(prefix="bench-audit-"))
    as_of = SAMPLE_AS_OF
    small_folder = root / "small"
    shutil.rmtree(small_folder, ignore_errors=True)
    write_sample(small_folder)
    small, small_peak, _ = audit_in_child(small_folder, as_of)
    print(f"small sample audit: {small:.2f} s, peak {small_peak / 1024**3:.2f} GB")
    head = (
        f"{'records':>12} {'format':<8} {'generate':>9} {'scan':>8} {'audit':>8} {'extra':>8} {'peak':>8} {'ratio':>6}"
    )
    print(head + ("   old audit, peak, speed-up" if args.old else ""))
    try:
        for total in (int(s) for s in args.sizes.split(",")):
            for fmt in args.formats.split(","):
                if fmt == "csv" and total > CSV_MAX_ROWS:
                    continue
                folder = root / f"{total}-{fmt}"
                shutil.rmtree(folder, ignore_errors=True)
                write_sample(folder, record_rows=SEED_ROWS)
                made = blow_up(folder, total, fmt)
                scan, counted = bare_scan(folder, fmt)
                wall, peak, code = audit_in_child(folder, as_of)
                extra = wall - small
                line = (
                    f"{total:>12,} {fmt:<8} {made:>8.1f}s {scan:>7.2f}s {wall:>7.1f}s {extra:>7.1f}s "
                    f"{peak / 1024**3:>6.2f}GB {extra / scan:>5.1f}x"
                )
                if code not in (0, 1):
                    line += f"  (exit code {code})"
                if args.old and fmt == "csv" and total <= args.old_max:
                    old, old_peak, _ = audit_in_child(folder, as_of, args.old)
                    line += f"   {old:>6.1f}s {old_peak / 1024**3:>5.2f}GB {old / wall:>5.1f}x"
                print(line, flush=True)
                if not args.keep:
                    shutil.rmtree(folder, ignore_errors=True)
    finally:
        if args.out is None and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
