"""Running the command line on a drawn folder, and the properties every run must have.

:func:`audit_folder` writes a :class:`~tests.properties.folders.Folder`,
runs ``audit.cli.main`` on it in-process (console captured, the
:class:`~audit.run.AuditResult` kept) and reads back everything written.
Runs are cached by folder, so the property tests, which draw the same
examples, audit each folder once.

Each ``check_*`` function returns the violations of one property as lines
of text (empty: the property holds), so a failure message lists all of
them with the folder that produced them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import pandas as pd

import audit.cli
from audit.run import AuditResult, run_audit
from tests.properties.folders import NOWHERE, REGISTER_ONLY, Folder, Written, surname, write_folder

AS_OF = date(2026, 11, 1)
WORKBOOK = f"{AS_OF.isoformat()}-privacy-audit.xlsx"
REGISTER_BOOK = f"{AS_OF.isoformat()}-art30-register.xlsx"
"""The Art. 30 register for the supervisory authority: it reproduces the register, as the Register sheet does."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_FIRST_ROWS = re.compile(r"first: ([\d, ]+)")


@dataclass
class Outcome:
    """What one command-line run on a folder did and wrote."""

    folder: Folder
    data_dir: Path
    out_dir: Path
    written: Written
    status: int | None = None  # exit status; None when it raised
    crash: str | None = None  # "ExcType: message (file:line)" of an uncaught exception
    stdout: str = ""
    stderr: str = ""
    result: AuditResult | None = None
    files: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # output part -> its text, for leak searches
    formula_cells: list[str] = field(default_factory=list)
    csv_cells: list[str] = field(default_factory=list)  # CSV cells a spreadsheet would run
    workbook_error: str | None = None

    @property
    def finished(self) -> bool:
        """The run exited 0."""
        return self.status == 0


_CACHE: dict[str, Outcome] = {}
_ROOT: Path | None = None


def _root() -> Path:
    global _ROOT
    if _ROOT is None:
        _ROOT = Path(tempfile.mkdtemp(prefix="audit-props-"))
    return _ROOT


def cleanup() -> None:
    """Remove every folder written this session (called at the end of the test module)."""
    global _ROOT
    if _ROOT is not None:
        shutil.rmtree(_ROOT, ignore_errors=True)
    _ROOT = None
    _CACHE.clear()


def audit_folder(folder: Folder) -> Outcome:
    """Write ``folder``, run the command line on it and read back the outputs (cached by folder)."""
    key = repr(folder)
    if key in _CACHE:
        return _CACHE[key]
    base = Path(tempfile.mkdtemp(dir=_root()))
    data, out = base / "data", base / "out"
    outcome = Outcome(folder, data, out, write_folder(folder, data))
    captured: list[AuditResult] = []

    def keep(*args, **kwargs):
        captured.append(run_audit(*args, **kwargs))
        return captured[-1]

    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["--data", str(data), "--as-of", AS_OF.isoformat(), "--out", str(out), "--lang", "en"]
    try:
        with (
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
            mock.patch.object(audit.cli, "run_audit", keep),
        ):
            outcome.status = audit.cli.main(argv)
    except Exception as exc:  # the property under test: nothing but exit 0 or 2
        outcome.crash = _crash_line(exc)
    outcome.stdout, outcome.stderr = stdout.getvalue(), stderr.getvalue()
    outcome.result = captured[-1] if captured else None
    _read_outputs(outcome)
    _CACHE[key] = outcome
    return outcome


def _crash_line(exc: BaseException) -> str:
    """``Type: message`` and the innermost frame of the project where it was raised."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/audit/" in f.filename]
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    message = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {message}{where}"


def _read_outputs(outcome: Outcome) -> None:
    out = outcome.out_dir
    if not out.is_dir():
        return
    outcome.files = sorted(p.name for p in out.iterdir())
    outcome.texts["console"] = outcome.stdout + "\n" + outcome.stderr
    for path in sorted(out.glob("*.csv")):
        text = path.read_text(encoding="utf-8", errors="replace")
        outcome.texts[path.name] = text
        for r, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            for c, cell in enumerate(row, start=1):
                if cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell):
                    outcome.csv_cells.append(f"{path.name} row {r} col {c}: {cell[:40]!r}")
    for name, prefix in ((WORKBOOK, "workbook"), (REGISTER_BOOK, "register")):
        if (out / name).exists():
            _read_book(outcome, out / name, prefix)


def _read_book(outcome: Outcome, book: Path, prefix: str) -> None:
    """Every cell's text by sheet; formulas, and hyperlinks other than the report's own links between its sheets."""
    try:
        wb = openpyxl.load_workbook(book)
    except Exception as exc:  # a workbook that cannot be opened is itself a violation
        outcome.workbook_error = f"{book.name}: {type(exc).__name__}: {exc}"
        return
    sheets = set(wb.sheetnames)
    for ws in wb.worksheets:
        parts = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    outcome.formula_cells.append(f"{ws.title}!{cell.coordinate} formula {str(cell.value)[:40]!r}")
                link = cell.hyperlink
                if link is not None and not _internal(link, sheets):
                    outcome.formula_cells.append(f"{ws.title}!{cell.coordinate} hyperlink {link.target!r}")
                if cell.value is not None:
                    parts.append(str(cell.value))
        outcome.texts[f"{prefix}:{ws.title}"] = "\n".join(parts)


def _internal(link: Any, sheets: set[str]) -> bool:
    """A link of the report's own: to a cell of one of the workbook's sheets (evidence to the row it cites)."""
    location = link.location or ""
    sheet = location.rsplit("!", 1)[0].strip("'") if "!" in location else ""
    return not link.target and sheet in sheets


# --------------------------------------------------------------------------- properties


def check_finishes(o: Outcome) -> list[str]:
    """The run exits 0, or 2 with one line on stderr naming an input file; never a traceback."""
    if o.crash:
        return [f"uncaught {o.crash}"]
    if o.status == 0:
        return []
    if o.status != 2:
        return [f"exit status {o.status}"]
    lines = o.stderr.strip().splitlines()
    problems = []
    if len(lines) != 1 or not lines[0].startswith("error: "):
        problems.append(f"stderr is not one 'error: ' line: {o.stderr.strip()[:300]!r}")
    elif not any(name in lines[0] for name in o.written.files):
        problems.append(f"the error names no input file ({', '.join(o.written.files)}): {lines[0][:300]!r}")
    return problems


def check_outputs(o: Outcome) -> list[str]:
    """After exit 0: findings.csv, input-issues.csv and the workbook are written, readable and agree with the run.

    After exit 2: nothing is written (no half set). Never a hidden temporary file left behind.
    """
    if o.crash:
        return []
    problems = [f"temporary file left in the output folder: {name}" for name in o.files if name.startswith(".")]
    if o.status == 2:
        return problems + [f"written although the run failed: {name}" for name in o.files if not name.startswith(".")]
    for name in ("findings.csv", "input-issues.csv", WORKBOOK):
        if name not in o.files:
            problems.append(f"{name} not written")
    if o.workbook_error:
        problems.append(f"the workbook cannot be opened: {o.workbook_error}")
    if o.result is not None and "findings.csv" in o.files:
        written = pd.read_csv(o.out_dir / "findings.csv", dtype=str, keep_default_na=False)
        if len(written) != len(o.result.findings):
            problems.append(f"findings.csv has {len(written)} rows, the run {len(o.result.findings)} findings")
    if o.result is not None and f"Input issues: {len(o.result.issues)}" not in o.stdout:
        problems.append(f"the console does not say 'Input issues: {len(o.result.issues)}'")
    return problems


def loaded_rows(result: AuditResult) -> set[tuple[str, str, int]]:
    """``(file, sheet, row)`` of every loaded row, registers and record extracts."""
    inputs = result.inputs
    frames = [inputs.activities, inputs.systems, inputs.vendors, inputs.requests, inputs.disclosures]
    frames += [extract.to_pandas() for extract in inputs.records.values()]
    out: set[tuple[str, str, int]] = set()
    for frame in frames:
        if frame.empty:
            continue
        sub = frame[["src_file", "src_sheet", "src_row"]].dropna()
        out |= {(str(f), str(s), int(r)) for f, s, r in sub.itertuples(index=False)}
    return out


def issue_rows(issues: pd.DataFrame) -> set[tuple[str, str, int]]:
    """``(file, sheet, row)`` every input issue names, including the example rows of aggregated issues."""
    out: set[tuple[str, str, int]] = set()
    for file, sheet, row, problem in issues[["file", "sheet", "row", "problem"]].itertuples(index=False):
        rows = [int(row)] if pd.notna(row) and str(row).strip() else []
        match = _FIRST_ROWS.search(str(problem))
        if match:
            rows += [int(x) for x in match.group(1).replace(" ", "").split(",") if x]
        out |= {(str(file), str(sheet), r) for r in rows}
    return out


def check_rows_accounted(o: Outcome) -> list[str]:
    """Every data row written is loaded (cited by its own row number) or named by an input issue."""
    if not o.finished or o.result is None:
        return []
    seen = loaded_rows(o.result) | issue_rows(o.result.issues)
    problems = []
    for (file, sheet), rows in o.written.rows.items():
        lost = [r for r in rows if (file, sheet, r) not in seen]
        if lost:
            cited = sorted(r for f, s, r in seen if f == file and s == sheet)
            problems.append(f"{file} › {sheet}: rows {lost} neither loaded nor in an input issue (cited: {cited})")
    return problems


def check_no_formula(o: Outcome) -> list[str]:
    """No cell of the workbook is a formula or a hyperlink (the report makes none, so any comes from input)."""
    return list(o.formula_cells)


def check_csv_safe(o: Outcome) -> list[str]:
    """No CSV cell starts with a character a spreadsheet would run (other than a plain negative number)."""
    return list(o.csv_cells)


def check_no_private_data(o: Outcome) -> list[str]:
    """No planted name or address of a protected column appears in any output or on the console."""
    problems = []
    for plant in o.written.plants:
        if plant.scope in NOWHERE:
            allowed: set[str] = set()
        elif plant.scope in REGISTER_ONLY:
            allowed = {"workbook:Register", *(k for k in o.texts if k.startswith("register:"))}
        else:
            continue
        needles = {plant.value.casefold(), surname(plant.value)}
        for part, text in o.texts.items():
            if part in allowed:
                continue
            folded = text.casefold()
            if any(n in folded for n in needles):
                problems.append(
                    f"{plant.scope} value {plant.value!r} ({plant.file}, column {plant.header!r}) appears in {part}"
                )
    return problems


def check_stable_ids(o: Outcome) -> list[str]:
    """A second run on the same folder gives the same set of finding ids."""
    if not o.finished or o.result is None:
        return []
    again = run_audit(o.data_dir, AS_OF)
    first, second = set(o.result.findings["finding_id"]), set(again.findings["finding_id"])
    if first == second:
        return []
    return [
        f"finding ids differ between runs: only first {sorted(first - second)}, only second {sorted(second - first)}"
    ]
