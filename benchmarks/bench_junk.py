"""Benchmark: loading a register of random text (issue 10, "a 200,000-row junk register runs past 120 s").

The bundled sample is copied and its activities.xlsx replaced by one sheet
of ``--rows`` rows whose every cell is random text under the sample's
headers. Loading it exercises every normaliser on values that are all
distinct and all wrong: the case where parsing each distinct value once
saves nothing, and where listing one issue per bad cell would write millions
of report rows. ``--audit`` also runs the rules and writes the report (the
workbook, CSVs and charts: the charts of a register this size once asked for
23 GB). A register sheet of more than 50,000 rows is refused: the benchmark
then times the refusal.

Usage::

    .venv/bin/python benchmarks/bench_junk.py                      # 200,000 rows (refused), temp folder
    .venv/bin/python benchmarks/bench_junk.py --rows 49990 --audit # the largest accepted, audited and reported
    .venv/bin/python benchmarks/bench_junk.py --out /tmp/junk --reuse
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import string
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from audit.errors import InputError  # noqa: E402
from audit.inputs import load_inputs  # noqa: E402
from audit.paths import SAMPLE_DIR  # noqa: E402
from audit.report import write_report  # noqa: E402
from audit.run import run_audit  # noqa: E402
from tools.sample import SAMPLE_AS_OF  # noqa: E402

ALPHABET = string.ascii_letters + string.digits + " åäö-.,;"


def write_junk(folder: Path, rows: int, seed: int = 7) -> Path:
    """The sample with its register replaced by ``rows`` rows of random text (3-25 characters a cell)."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SAMPLE_DIR, folder)
    header = [c.value for c in openpyxl.load_workbook(SAMPLE_DIR / "activities.xlsx").worksheets[0][3]]
    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Activities")
    ws.append(header)
    for _ in range(rows):
        ws.append(["".join(rng.choices(ALPHABET, k=rng.randint(3, 25))) for _ in header])
    wb.save(folder / "activities.xlsx")
    return folder


def main(argv: list[str] | None = None) -> int:
    """Write (or reuse) the junk folder, time the load (and the audit), print the seconds and issue count."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--out", type=Path, default=None, help="folder for the junk data (default: a temp folder)")
    p.add_argument("--reuse", action="store_true", help="reuse the folder in --out as it is")
    p.add_argument("--audit", action="store_true", help="also run every rule")
    args = p.parse_args(argv)
    folder = args.out or Path(tempfile.mkdtemp()) / "junk"
    if not (args.reuse and folder.exists()):
        start = time.perf_counter()
        write_junk(folder, args.rows)
        print(f"wrote {args.rows:,} junk rows in {time.perf_counter() - start:.1f} s: {folder}")
    start = time.perf_counter()
    try:
        inputs = load_inputs(folder)
    except InputError as exc:
        print(f"load_inputs: refused in {time.perf_counter() - start:.1f} s: {exc}")
        return 0
    print(
        f"load_inputs: {time.perf_counter() - start:.1f} s, {len(inputs.activities):,} activities, "
        f"{len(inputs.issues):,} input issues"
    )
    if args.audit:
        start = time.perf_counter()
        result = run_audit(folder, SAMPLE_AS_OF)
        print(f"run_audit: {time.perf_counter() - start:.1f} s, {len(result.findings):,} findings")
        start = time.perf_counter()
        written = write_report(result, Path(tempfile.mkdtemp()) / "out")
        print(f"write_report: {time.perf_counter() - start:.1f} s, {len(written)} files")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
