"""Command line: ``python -m audit --data DIR --as-of DATE --out DIR [--policy MODEL]``.

``python -m audit policy ...`` runs the policy commands (:mod:`audit.policy.command`).
A warning (``warning: ...`` on stderr, e.g. a policy text changed since its
model was reviewed) does not change the exit status.

Exit status 0 when the audit ran (findings are results, not errors), 2 with a
one-line message naming the file when the input or a data file is unusable,
or naming the output folder when it cannot be written (or another run is
writing there). A run stopped with Ctrl-C or ``kill`` leaves the output
folder as it was (130, or 128 + the signal).
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from audit.errors import AuditError
from audit.paths import DOCS_DIR
from audit.policy.model import load_policy_from
from audit.reference.i18n import LANGUAGES
from audit.reference.settings import load_settings
from audit.report import write_report
from audit.run import AuditResult, report_language, run_audit


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and ``--help``)."""
    p = argparse.ArgumentParser(
        prog="python -m audit",
        description="Audit a DPO's data folder against the privacy policy and the GDPR.",
        epilog=(
            "The files, sheets, columns, headers and values a data folder may hold are described in "
            f"{DOCS_DIR / 'inputs.md'}; the rules in {DOCS_DIR / 'rules.md'}; what is written in "
            f"{DOCS_DIR / 'report.md'}."
        ),
    )
    p.add_argument("--data", required=True, type=Path, help="data folder laid out as in docs/inputs.md")
    p.add_argument(
        "--as-of",
        type=_parse_date,
        default=None,
        help="date the audit is evaluated at (YYYY-MM-DD); default: today, printed",
    )
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports)")
    p.add_argument("--previous", type=Path, default=None, help="previous workbook to carry Status/Owner/Comment from")
    p.add_argument("--settings", type=Path, default=None, help="YAML file overriding data/reference/settings.yaml")
    p.add_argument(
        "--policy",
        type=Path,
        default=None,
        help="policy model to audit against (.yaml), or a policy text to parse (.txt, .md, .html, .docx, .pdf); "
        "default: the bundled data/policy/policy.yaml",
    )
    p.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default=None,
        help="language of the workbook, charts and findings (default: settings 'lang', else the policy's language)",
    )
    p.add_argument("--date-order", choices=["DMY", "MDY"], default=None, help="how to read slash dates like 1/3/2025")
    return p


def summary_lines(result: AuditResult, written: list[Path]) -> list[str]:
    """The short summary printed after a run."""
    inputs = result.inputs
    lines = [
        f"Loaded {len(inputs.activities)} activities, {len(inputs.systems)} systems, "
        f"{len(inputs.vendors)} vendors, {len(inputs.requests)} requests, "
        f"{len(inputs.disclosures)} disclosures, {len(inputs.records)} record extracts "
        f"({sum(len(r) for r in inputs.records.values()):,} records).",
        f"Input issues: {len(result.issues)}",
        "Findings by severity: "
        + ", ".join(f"{sev} {n}" for sev, n in result.counts_by_severity().items())
        + f" (total {len(result.findings)})",
    ]
    lines += [f"Wrote {p}" for p in written if p.suffix == ".xlsx"]
    lines.append(f"Also wrote {len(written) - 1} CSV and chart files into {written[0].parent}")
    return lines


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (``kill``) as an exception, so a run stopped while writing removes its temporary files."""
    raise SystemExit(128 + signum)


@contextmanager
def _stoppable() -> Iterator[None]:
    """Handle SIGTERM like Ctrl-C for the duration of a run (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["policy"]:
        # Written separately and imported only when asked for, so the audit runs without it.
        command = importlib.import_module("audit.policy.command")
        return int(command.main(argv[1:]))
    args = build_parser().parse_args(argv)
    as_of = args.as_of or date.today()
    print(f"Audit of {args.data} as of {as_of.isoformat()}" + ("" if args.as_of else " (today)"))
    try:
        with _stoppable():
            settings = load_settings(args.settings)
            policy = load_policy_from(args.policy)
            lang = report_language(args.lang, settings, policy)
            result = run_audit(
                args.data, as_of, settings=settings, policy=policy, date_order=args.date_order, lang=lang
            )
            written = write_report(result, args.out, previous=args.previous)
    except AuditError as exc:
        # One line whatever the message holds: a header or file name may contain a line break or tab.
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    for warning in result.warnings:
        print("warning: " + " ".join(warning.split()), file=sys.stderr)
    for line in summary_lines(result, written):
        print(line)
    return 0
