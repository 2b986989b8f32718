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
from functools import partial
from pathlib import Path

from audit.errors import AuditError
from audit.paths import DOCS_DIR
from audit.policy.model import load_policy_from
from audit.records.progress import ExtractRead
from audit.reference.i18n import LANGUAGES, date_text, label, number, text
from audit.reference.settings import load_settings
from audit.report import Carried, Report, write_report
from audit.run import AuditResult, report_language, run_audit


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def print_progress(read: ExtractRead, lang: str) -> None:
    """One line per record extract read: which, how many records, how long (a long scan shows it moves)."""
    line = text(
        "cli.extract_read",
        lang,
        number=read.number,
        total=read.total,
        file=read.file,
        records=number(read.records, lang),
        seconds=number(read.seconds, lang, decimals=1),
    )
    print(line, flush=True)


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
    p.add_argument(
        "--previous",
        type=Path,
        default=None,
        help="previous workbook to carry Status, Owner, Comment and first-seen dates from "
        "(default: the newest workbook in --out with a Findings sheet, whatever its name)",
    )
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


def _count(key: str, n: int, lang: str) -> str:
    """``3 statuses`` / ``1 status`` in ``lang`` (the catalogue has a one and an other form)."""
    return text(f"cli.{key}.{'one' if n == 1 else 'other'}", lang, n=number(n, lang))


def carry_line(carried: Carried, lang: str) -> str:
    """Which workbook the DPO's columns came from and how many, or that there was none."""
    if carried.source is None:
        return text("cli.no_previous", lang)
    return text(
        "cli.carried",
        lang,
        path=carried.source,
        statuses=_count("statuses", carried.statuses, lang),
        owners=_count("owners", carried.owners, lang),
        comments=_count("comments", carried.comments, lang),
        new=_count("new", carried.new, lang),
        resolved=_count("resolved", carried.resolved, lang),
    )


def summary_lines(result: AuditResult, written: list[Path]) -> list[str]:
    """The short summary printed after a run, in the report's language.

    ``written`` is what :func:`audit.report.write_report` returned; when it
    is a :class:`~audit.report.Report`, the summary says what was carried
    forward from which workbook.
    """
    inputs = result.inputs
    lang = result.context.lang
    counts = result.counts_by_severity()
    lines = [
        text(
            "cli.loaded",
            lang,
            activities=number(len(inputs.activities), lang),
            systems=number(len(inputs.systems), lang),
            vendors=number(len(inputs.vendors), lang),
            requests=number(len(inputs.requests), lang),
            disclosures=number(len(inputs.disclosures), lang),
            extracts=number(len(inputs.records), lang),
            records=number(inputs.records.total, lang),
        ),
        text("cli.input_issues", lang, n=number(len(result.issues), lang)),
        text(
            "cli.by_severity",
            lang,
            counts=", ".join(
                text("cli.severity_count", lang, severity=label("common.severity", sev, lang), n=number(n, lang))
                for sev, n in counts.items()
            ),
            total=number(len(result.findings), lang),
        ),
    ]
    if isinstance(written, Report):
        lines.append(carry_line(written.carried, lang))
    lines += [text("cli.wrote", lang, path=p) for p in written if p.suffix == ".xlsx"]
    others = len([p for p in written if p.suffix != ".xlsx"])
    lines.append(text("cli.also_wrote", lang, n=number(others, lang), folder=written[0].parent))
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
    try:
        with _stoppable():
            settings = load_settings(args.settings)
            policy = load_policy_from(args.policy)
            lang = report_language(args.lang, settings, policy)
            heading = text("cli.audit_of", lang, data=args.data, as_of=date_text(as_of))
            print(heading + ("" if args.as_of else text("cli.today", lang)), flush=True)
            result = run_audit(
                args.data,
                as_of,
                settings=settings,
                policy=policy,
                date_order=args.date_order,
                lang=lang,
                progress=partial(print_progress, lang=lang),
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
