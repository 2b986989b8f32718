"""The bundled sample organisation: a fictional Carasent Sverige AB that runs under the policy.

``python -m tools.sample [OUT_DIR]`` (default ``data/sample``) rewrites the
folder and prints what it wrote; errors a user can fix (a bad size or
format, an unwritable folder) are one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from audit.paths import SAMPLE_DIR
from tools.sample.build import write_sample
from tools.sample.constants import DEFAULT_SEED, RECORD_FORMATS


def _parser() -> argparse.ArgumentParser:
    """The command line's options, mirroring :func:`write_sample`'s keywords."""
    parser = argparse.ArgumentParser(prog="python -m tools.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--records-scale", type=float, default=1.0)
    parser.add_argument("--record-rows", type=int, default=None)
    parser.add_argument("--records-format", choices=RECORD_FORMATS, default="csv")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.sample [OUT_DIR]``: (re)write the sample folder and print what was written.

    Parameters
    ----------
    argv
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        0 when written, 2 when the arguments or the folder are refused.
    """
    args = _parser().parse_args(argv)
    try:
        summary = write_sample(
            args.out_dir,
            seed=args.seed,
            records_scale=args.records_scale,
            record_rows=args.record_rows,
            records_format=args.records_format,
        )
    except (ValueError, OSError) as exc:
        print(f"tools.sample: {exc}", file=sys.stderr)
        return 2
    for name, rows in summary["files"].items():
        print(f"{rows:>10,}  {name}")
    print(f"{summary['expected_findings']:>10,}  expected findings (as of {summary['as_of']}) in {summary['out_dir']}")
    return 0
