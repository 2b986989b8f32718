"""Benchmark: writing the report (CSVs, charts, workbook) for the sample and for 50,000 findings.

Targets: the sample's report in under 5 s (issue 4); for a synthetic audit
with 50,000 findings the whole report in under 30 s (issue 4) and its
workbook alone in at most 10 s (issue 12: XlsxWriter, with row heights,
print setup, evidence links and the Status drop-down). The synthetic findings are the sample's own
findings repeated with distinct subjects, so every column has realistic text.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--findings 50000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

import audit.report  # noqa: E402
from audit.paths import SAMPLE_DIR  # noqa: E402
from audit.report import write_report  # noqa: E402
from audit.rules.findings import finding_id  # noqa: E402
from audit.run import run_audit  # noqa: E402
from tools.sample import SAMPLE_AS_OF  # noqa: E402


def synthetic(findings: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` findings made of the given ones, each with its own subject and id."""
    reps = -(-n // len(findings))
    big = pd.concat([findings] * reps, ignore_index=True).head(n)
    big["subject"] = big["subject"].astype(str) + "#" + big.index.astype(str)
    big["finding_id"] = [finding_id(r, s) for r, s in zip(big["rule"], big["subject"], strict=True)]
    return big


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=50_000)
    args = parser.parse_args()
    result = run_audit(SAMPLE_DIR, SAMPLE_AS_OF)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_report(result, Path(tmp) / "sample")
        sample_s = time.perf_counter() - start
        big = replace(result, findings=synthetic(result.findings, args.findings))
        timed: list[float] = []
        write = audit.report.write_workbook

        def timed_write(*a, **k):
            t0 = time.perf_counter()
            try:
                return write(*a, **k)
            finally:
                timed.append(time.perf_counter() - t0)

        audit.report.write_workbook = timed_write
        try:
            start = time.perf_counter()
            write_report(big, Path(tmp) / "big")
            big_s = time.perf_counter() - start
        finally:
            audit.report.write_workbook = write
    book_s = timed[0]
    print(f"sample report ({len(result.findings)} findings)     {sample_s:6.2f} s   target < 5 s")
    print(f"synthetic report ({args.findings:,} findings)  {big_s:6.2f} s   target < 30 s")
    print(f"synthetic workbook ({args.findings:,} findings) {book_s:6.2f} s   target <= 10 s")
    return 0 if sample_s < 5 and big_s < 30 and book_s <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
