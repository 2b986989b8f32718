"""Benchmark (issue 13, first step): record extracts of 3M, 30M and 100M rows, streamed to disk, and what reads them.

For each total size the sample organisation is written with its usual small
extracts, then the three large extracts (``S-CRM``, ``S-EVENT``, ``S-NEWS``)
are blown up to a third of the total each by DuckDB itself: the sample
extract is cross-joined with ``range(k)`` and copied to Parquet (and to CSV up
to 30M), every ``record_id`` made unique, so the columns, activity ids and
date distributions are exactly the sample's and nothing is ever held in
memory. Then, per size and format:

* the **bare DuckDB scan**: one query over the extracts where they lie that
  gives what the retention rules need per activity (records, oldest
  collection date, records collected before the as-of date minus a year):
  the floor any in-engine audit is measured against;
* the **current audit** (pandas loading), in a child process so its peak
  memory is its own, up to ``--audit-max`` rows (default 3M: above that it
  holds every record in memory: about 390 bytes each, measured in issue 13).

Printed per size: rows, format, generation time, bare scan wall time, audit wall time and peak
memory, and the audit's ratio to the scan.
The issue-13 targets (audit ≤ 1.5 × the bare scan, 100M Parquet in ≤ 2 GB)
are the in-engine audit's; this script shows how far the pandas path is.

Usage::

    .venv/bin/python benchmarks/bench_scale.py                      # 3M, 30M, 100M
    .venv/bin/python benchmarks/bench_scale.py --sizes 3000000 --keep --out /tmp/scale
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
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
        con.execute(
            f"""
            COPY (
                SELECT s.* REPLACE (s.record_id || '-' || CAST(r.range AS VARCHAR) AS record_id)
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


def bare_scan(folder: Path, fmt: str, as_of: date) -> tuple[float, int, int]:
    """One query over every large extract where it lies; return seconds, records counted and rows of the result."""
    cutoff = as_of - timedelta(days=365)
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    files = ", ".join(f"'{folder / 'records' / f'{s}.{fmt}'}'" for s in LARGE)
    con = duckdb.connect()
    t0 = time.perf_counter()
    rows = con.execute(
        f"""
        SELECT activity_id, count(*) AS records, min(CAST(collected AS DATE)) AS oldest,
               count(*) FILTER (WHERE CAST(collected AS DATE) < DATE '{cutoff.isoformat()}') AS past
        FROM {reader}([{files}], union_by_name = true)
        GROUP BY activity_id
        """
    ).fetchall()
    seconds = time.perf_counter() - t0
    con.close()
    return seconds, sum(int(r[1]) for r in rows), len(rows)


def _audit(folder: str, as_of: str, queue: multiprocessing.Queue) -> None:
    """The current audit in a child process: wall time, peak memory, records and findings."""
    from audit.run import run_audit

    t0 = time.perf_counter()
    result = run_audit(Path(folder), date.fromisoformat(as_of))
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    records = sum(len(frame) for frame in result.inputs.records.values())
    queue.put((wall, peak, records, len(result.findings)))


def audit_in_child(folder: Path, as_of: date) -> tuple[float, int, int, int]:
    """Run :func:`_audit` in a fresh process (its memory is not this process's)."""
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = ctx.Queue()
    proc = ctx.Process(target=_audit, args=(str(folder), as_of.isoformat(), queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def main(argv: list[str] | None = None) -> int:
    """Generate each size, scan it bare, audit it where the pandas path can; print one line per size and format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000000,30000000,100000000", help="total records, comma-separated")
    parser.add_argument("--audit-max", type=int, default=3_000_000, help="largest total the pandas audit is run on")
    parser.add_argument("--out", type=Path, default=None, help="folder for the generated data (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = parser.parse_args(argv)
    root = args.out or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    as_of = SAMPLE_AS_OF
    print(f"{'records':>12} {'format':<8} {'generate':>9} {'scan':>8} {'audit':>9} {'audit peak':>11} {'ratio':>7}")
    try:
        for total in (int(s) for s in args.sizes.split(",")):
            for fmt in ("parquet", "csv"):
                if fmt == "csv" and total > CSV_MAX_ROWS:
                    continue
                folder = root / f"{total}-{fmt}"
                shutil.rmtree(folder, ignore_errors=True)
                write_sample(folder, record_rows=SEED_ROWS)
                made = blow_up(folder, total, fmt)
                scan, counted, _ = bare_scan(folder, fmt, as_of)
                line = f"{total:>12,} {fmt:<8} {made:>8.1f}s {scan:>7.2f}s"
                if total <= args.audit_max:
                    wall, peak, records, _ = audit_in_child(folder, as_of)
                    line += f" {wall:>8.1f}s {peak / 1024**3:>9.2f} GB {wall / scan:>6.1f}x"
                    assert records >= counted, (records, counted)
                else:
                    line += f" {'-':>9} {'-':>11} {'-':>7}  (not run: above --audit-max; the pandas path holds every record in memory)"
                print(line, flush=True)
                if not args.keep:
                    shutil.rmtree(folder, ignore_errors=True)
    finally:
        if args.out is None and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
