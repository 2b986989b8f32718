"""Benchmark: the whole audit, end to end, on a sample folder with large record extracts.

The target (issue 3): three 1,000,000-row CSV extracts audited in under 15 s
wall time and under 2 GB peak memory on a 2-core machine. The sample
organisation is generated first, in a child process, so the peak memory
reported (``ru_maxrss`` of this process) is the audit's alone, not the
generator's.

Usage::

    .venv/bin/python benchmarks/bench_audit.py                 # 1,000,000 rows per extract, temp folder
    .venv/bin/python benchmarks/bench_audit.py --rows 200000 --out /tmp/bench --keep
    .venv/bin/python benchmarks/bench_audit.py --out /tmp/bench --reuse --phases

``--phases`` also times loading and each rule family and table separately
(one extra pass each), to show where the time goes.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from audit.reference.catalogue import catalogue  # noqa: E402
from audit.rules.registry import build_tables, rule_ids, run_family  # noqa: E402
from audit.run import run_audit  # noqa: E402
from tools.sample import SAMPLE_AS_OF, write_sample  # noqa: E402

TARGET_SECONDS = 15.0
TARGET_BYTES = 2 * 1024**3


def _generate(out_dir: str, rows: int, records_format: str) -> date:
    """Write the sample (in the child process) and return its as-of date."""
    info = write_sample(Path(out_dir), record_rows=rows, records_format=records_format)
    return date.fromisoformat(str(info["as_of"]))


def peak_rss_bytes() -> int:
    """Peak resident memory of this process (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def areas(names: list[str] | None = None) -> list[str]:
    """The rule areas to run (``RET``, ``DSR``, ...): every one of the catalogue, or those named."""
    every = list(catalogue().areas)
    unknown = sorted(set(names or []) - set(every))
    if unknown:
        raise SystemExit(f"unknown rule area {', '.join(unknown)}; known: {', '.join(every)}")
    return names or every


def _phases(folder: Path, as_of: date, names: list[str] | None) -> None:
    """Time loading, each rule area and the tables once more, separately."""
    from audit.inputs import load_inputs
    from audit.policy.model import load_policy
    from audit.reference.settings import load_settings
    from audit.rules.context import AuditContext

    t0 = time.perf_counter()
    inputs = load_inputs(folder)
    print(f"  load_inputs             {time.perf_counter() - t0:7.2f} s")
    ctx = AuditContext(inputs=inputs, policy=load_policy(), settings=load_settings(), as_of=as_of)
    for area in areas(names):
        t0 = time.perf_counter()
        run_family(ctx, area)
        print(f"  rules {area:<17} {time.perf_counter() - t0:7.2f} s")
    t0 = time.perf_counter()
    build_tables(ctx)
    print(f"  tables                  {time.perf_counter() - t0:7.2f} s")


def main(argv: list[str] | None = None) -> int:
    """Generate the folder, run the audit once, print the figures; exit 1 with ``--check`` when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per large extract (default 1,000,000)")
    parser.add_argument("--out", type=Path, default=None, help="data folder to write (default: a temporary folder)")
    parser.add_argument("--format", default="csv", choices=["csv", "parquet", "xlsx"], help="extract format")
    parser.add_argument("--reuse", action="store_true", help="audit --out as it is, without regenerating")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument("--phases", action="store_true", help="also time loading and each rule family")
    parser.add_argument("--area", action="append", help="run only this rule area (repeatable), e.g. RET")
    parser.add_argument("--check", action="store_true", help="exit 1 when the time or memory target is missed")
    args = parser.parse_args(argv)

    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-audit-"))
    try:
        as_of = SAMPLE_AS_OF
        if not (args.reuse and (folder / "activities.xlsx").exists()):
            t0 = time.perf_counter()
            with ProcessPoolExecutor(max_workers=1) as pool:
                as_of = pool.submit(_generate, str(folder), args.rows, args.format).result()
            print(
                f"generated {folder} ({args.rows:,} rows per extract, {args.format}) in {time.perf_counter() - t0:.1f} s"
            )

        t0 = time.perf_counter()
        chosen = [rid for area in areas(args.area) for rid in rule_ids(area)]
        result = run_audit(folder, as_of, rules=chosen)
        wall = time.perf_counter() - t0
        peak = peak_rss_bytes()
        rows = sum(len(frame) for frame in result.inputs.records.values())
        print(f"as of               {as_of.isoformat()}")
        print(f"wall time           {wall:.2f} s")
        print(f"peak memory         {peak / 1024**2:,.0f} MiB (ru_maxrss)")
        print(f"record rows audited {rows:,} in {len(result.inputs.records)} extracts")
        print(f"findings            {len(result.findings):,}")
        met = wall < TARGET_SECONDS and peak < TARGET_BYTES
        print(f"target (< {TARGET_SECONDS:.0f} s, < 2 GiB): {'met' if met else 'MISSED'}")
        if args.phases:
            print("phases (separate second pass):")
            _phases(folder, as_of, args.area)
        return 1 if args.check and not met else 0
    finally:
        if args.out is None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
