"""Finding input files and reading them into raw grids, read-only and without tracebacks.

A *grid* is a sheet exactly as stored: no header row chosen yet, every cell
an object (text, number, datetime, bool or ``""``), row position ``i`` being
spreadsheet row ``i + 1``. Choosing the header and naming columns happens in
:mod:`audit.inputs.frames`, so title rows and aliases are handled the same
for every format. Record extracts, which can be large, are read column-typed
with pyarrow instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow.csv as pacsv
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from audit.errors import InputError
from audit.inputs.safety import check_workbook
from audit.inputs.schema import HEADER_SEARCH_ROWS, InputSpec, SheetSpec, canonical_column, find_header_row
from audit.reference.vocab import fold

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
TABLE_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")
RECORD_SUFFIXES = (*TABLE_SUFFIXES, ".parquet")
CSV_DELIMITERS = (",", ";", "\t", "|")
CSV_SNIFF_BYTES = 256 * 1024
MAX_REGISTER_ROWS = 50_000
"""Rows of one register sheet (activities, systems, vendors, requests, disclosures); records go in ``records/``.

A real register has tens to thousands of rows. Every row of a register is
read cell by cell and checked, so a sheet of junk rows would run for
minutes; past this many rows it is refused at once instead.
"""
_HASH_CHUNK = 1024 * 1024
T = TypeVar("T")


@dataclass(frozen=True)
class SourceFile:
    """One file that holds (part of) an input.

    ``sheet`` is the canonical sheet a per-sheet CSV holds
    (``inventory.systems.csv``); ``None`` for a workbook, whose sheets are
    matched by name.
    """

    path: Path
    label: str
    sheet: str | None = None


def file_label(path: Path, data_dir: Path) -> str:
    """The file's name relative to the data folder, with forward slashes, as findings cite it."""
    try:
        return path.relative_to(data_dir).as_posix()
    except ValueError:
        return path.name


def sha256(path: Path) -> str:
    """SHA-256 of a file, so a report pins exactly which input it audited."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _visible_files(folder: Path) -> list[Path]:
    """Files of a folder, without Office lock files (``~$x.xlsx``) and hidden files.

    Links are listed too, even broken ones, so that an input reached through
    a link is checked by :func:`inside_data_folder` instead of silently skipped.
    """
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if (p.is_file() or p.is_symlink()) and not p.is_dir() and not p.name.startswith(("~$", "."))
    )


def inside_data_folder(path: Path, data_dir: Path, label: str, kind: str = "file") -> Path:
    """``path`` itself, once it is known to lie inside the data folder after every link is followed.

    The audit reads only what the DPO put in the data folder: a link in it
    that leads elsewhere (to a system file, another person's folder) is
    refused without reading a byte of its target. A link from one place in
    the folder to another is fine.

    Raises
    ------
    InputError
        When the real path is outside the real data folder, or a link leads nowhere.
    """
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a broken link, or a loop of links
        raise InputError(f"{label}: the {kind} is a link to something that does not exist") from None
    if not real.is_relative_to(data_dir.resolve()):
        raise InputError(
            f"{label}: refused, the {kind} is a link to a place outside the data folder; "
            f"copy the {kind} into the data folder instead"
        )
    return path


def find_input_files(data_dir: Path, spec: InputSpec) -> list[SourceFile]:
    """The files of one input: a workbook ``<input>.<ext>``, or CSVs ``<input>.csv`` / ``<input>.<sheet>.csv``.

    Raises
    ------
    InputError
        When the same input is given twice (a workbook and CSVs, or two workbooks),
        because silently preferring one would audit the wrong data.
    """
    key = fold(spec.name)
    workbooks: list[SourceFile] = []
    csvs: list[SourceFile] = []
    for path in _visible_files(data_dir):
        suffix = path.suffix.lower()
        if suffix not in TABLE_SUFFIXES:
            continue
        parts = path.name[: -len(suffix)].split(".")
        if fold(parts[0]) != key or len(parts) > 2:
            continue
        label = file_label(path, data_dir)
        inside_data_folder(path, data_dir, label)
        if suffix == ".csv":
            sheet = _sheet_for_csv(spec, parts[1] if len(parts) == 2 else None, label)
            csvs.append(SourceFile(path, label, sheet))
        elif len(parts) == 1:
            workbooks.append(SourceFile(path, label))
    found = workbooks + csvs
    if len(workbooks) > 1 or (workbooks and csvs):
        names = ", ".join(f.label for f in found)
        raise InputError(f"{names}: the {spec.name} input is given more than once; keep one of these files")
    sheets = [f.sheet for f in csvs if f.sheet is not None]
    duplicated = {s for s in sheets if sheets.count(s) > 1}
    if duplicated:
        names = ", ".join(f.label for f in csvs if f.sheet in duplicated)
        raise InputError(f"{names}: sheet {', '.join(sorted(duplicated))} is given more than once; keep one file")
    return found


def _sheet_for_csv(spec: InputSpec, part: str | None, label: str) -> str:
    if part is None:
        if len(spec.sheets) != 1:
            expected = ", ".join(f"{spec.name}.{s.name.lower()}.csv" for s in spec.sheets)
            raise InputError(f"{label}: {spec.name} has several sheets; give one CSV per sheet ({expected})")
        return spec.sheets[0].name
    for sheet in spec.sheets:
        if fold(part) in sheet.names():
            return sheet.name
    expected = ", ".join(s.name for s in spec.sheets)
    raise InputError(f"{label}: unknown sheet {part!r} for {spec.name} (expected one of: {expected})")


def find_record_files(data_dir: Path) -> list[SourceFile]:
    """Record extracts ``records/<system_id>.(csv|xlsx|xlsm|ods|parquet)``.

    Raises
    ------
    InputError
        When one system has two extracts (``S-1.csv`` and ``S-1.xlsx``).
    """
    folder = data_dir / "records"
    if folder.is_symlink():
        inside_data_folder(folder, data_dir, "records", kind="folder")
    files = [p for p in _visible_files(folder) if p.suffix.lower() in RECORD_SUFFIXES]
    for p in files:
        inside_data_folder(p, data_dir, file_label(p, data_dir))
    stems = [fold(p.stem) for p in files]
    twice = sorted({p.stem for p, s in zip(files, stems, strict=True) if stems.count(s) > 1})
    if twice:
        names = ", ".join(file_label(p, data_dir) for p in files if p.stem in twice)
        raise InputError(f"{names}: more than one extract for system {', '.join(twice)}; keep one file per system")
    return [SourceFile(p, file_label(p, data_dir), None) for p in files]


# --- workbooks ----------------------------------------------------------------


class Workbook(Mapping[str, pd.DataFrame]):
    """The worksheets of one workbook that passed :func:`~audit.inputs.safety.check_workbook`, parsed on demand.

    Only the sheets an input needs are ever parsed: a workbook with an extra
    sheet of a million rows costs only the safety check's unpacking. A grid
    is what :func:`pandas.read_excel` (``header=None, dtype=object``, no NA
    values) would give: ``""`` for an empty cell, whole numbers as ``int``,
    dates as :class:`pandas.Timestamp`.
    """

    def __init__(self, source: SourceFile, max_rows: int | None):
        self.source = source
        self.max_rows = max_rows
        self._book = _calamine(source, lambda: CalamineWorkbook.from_path(str(source.path)))
        self._names = _calamine(
            source, lambda: [m.name for m in self._book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        )
        self._sheets: dict[str, CalamineSheet] = {}
        self._grids: dict[str, pd.DataFrame] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._grids:
            limit = None if self.max_rows is None else self.max_rows + 1
            grid = self._rows(name, limit)
            if self.max_rows is not None and len(grid) > self.max_rows:
                raise InputError(
                    f"{self.source.label}: refused, sheet {name} has more than {self.max_rows:,} rows "
                    "(a register sheet; record extracts go in the records folder)"
                )
            self._grids[name] = grid
            self._sheets.pop(name, None)  # the parsed sheet is no longer needed once converted
        return self._grids[name]

    def head(self, name: str, rows: int = HEADER_SEARCH_ROWS) -> pd.DataFrame:
        """The first ``rows`` rows of a sheet (where its header is looked for), without converting the rest."""
        if name in self._grids:
            return self._grids[name].head(rows)
        return self._rows(name, rows)

    def _rows(self, name: str, limit: int | None) -> pd.DataFrame:
        sheet = self._sheets.get(name)
        if sheet is None:
            sheet = self._sheets[name] = _calamine(self.source, lambda: self._book.get_sheet_by_name(name))
        rows = _calamine(self.source, lambda: sheet.to_python(skip_empty_area=False, nrows=limit))
        return pd.DataFrame([[_cell(v) for v in row] for row in rows], dtype=object)


def _calamine(source: SourceFile, call: Callable[[], T]) -> T:
    """``call()``, with any calamine error as one :class:`InputError` line naming the file."""
    try:
        return call()
    except Exception as exc:  # calamine raises its own error types; any of them means an unreadable file
        raise InputError(f"{source.label}: cannot read the spreadsheet ({_one_line(exc)})") from None


def _cell(value: object) -> object:
    """A calamine cell as :func:`pandas.read_excel` gives it: whole floats as ``int``, dates as ``Timestamp``."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.date):  # datetime too
        return pd.Timestamp(value)
    if isinstance(value, dt.timedelta):
        return pd.Timedelta(value)
    return value


def read_workbook(source: SourceFile, records: bool = False) -> Workbook:
    """The sheets of a workbook as raw grids, each parsed when first used (after the safety checks).

    A register sheet with more than :data:`MAX_REGISTER_ROWS` rows is
    refused; a record extract (``records``) is bounded by the safety checks.

    Raises
    ------
    InputError
        When the file is unsafe or the spreadsheet library cannot read it.
    """
    check_workbook(source.path, source.label)
    return Workbook(source, None if records else MAX_REGISTER_ROWS)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


# --- CSV ----------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written: its encoding, delimiter and the line of its header (0-based)."""

    encoding: str
    delimiter: str
    header_line: int
    header: tuple[str, ...] = ()


def _decode_sample(raw: bytes, label: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if b"\x00" in raw[:4096]:
        raise InputError(f"{label}: not a text CSV file (binary content; UTF-16 and spreadsheets are not accepted)")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(raw) - 4:  # a character cut at the end of the sample
            return raw[: exc.start].decode("utf-8"), "utf-8"
    # Swedish Excel saves "CSV" in Windows-1252 unless told otherwise.
    return raw.decode("cp1252", errors="replace"), "cp1252"


def sniff_csv(path: Path, label: str, sheet: SheetSpec) -> CsvFormat:
    """Encoding, delimiter and header line of a CSV: the delimiter is the one under which a header row is found.

    Trying each delimiter against the expected headers is more reliable than
    generic sniffing when title rows sit above the header.
    """
    try:
        with path.open("rb") as fh:
            raw = fh.read(CSV_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{label}: cannot open file ({exc.strerror})") from None
    text, encoding = _decode_sample(raw, label)
    lines = text.splitlines()[:60]
    best: tuple[int, CsvFormat] | None = None
    for delimiter in CSV_DELIMITERS:
        grid = pd.DataFrame(list(csv.reader(lines, delimiter=delimiter)))
        if grid.empty:
            continue
        pos, ok = find_header_row(grid, sheet)
        header = tuple(str(v) for v in grid.iloc[pos].tolist() if v is not None)
        if ok:
            return CsvFormat(encoding, delimiter, pos, header)
        width = sum(1 for h in header if h.strip())
        if best is None or width > best[0]:
            best = (width, CsvFormat(encoding, delimiter, pos, header))
    return best[1] if best else CsvFormat(encoding, ",", 0)


def read_csv_grid(source: SourceFile, sheet: SheetSpec) -> pd.DataFrame:
    """A (small, register) CSV file as a raw grid of strings, ``""`` for empty cells.

    Row position ``i`` is record ``i + 1``: the row number the file shows
    when opened in a spreadsheet (a cell with line breaks stays one row).
    """
    fmt = sniff_csv(source.path, source.label, sheet)
    try:
        with source.path.open("r", encoding=fmt.encoding, newline="", errors="strict") as fh:
            rows = list(itertools.islice(csv.reader(fh, delimiter=fmt.delimiter), MAX_REGISTER_ROWS + 1))
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        raise InputError(f"{source.label}: cannot read the CSV file ({_one_line(exc)})") from None
    if len(rows) > MAX_REGISTER_ROWS:
        raise InputError(
            f"{source.label}: refused, more than {MAX_REGISTER_ROWS:,} rows "
            "(a register sheet; record extracts go in the records folder)"
        )
    return pd.DataFrame(rows, dtype=object).fillna("")


# --- record extracts ----------------------------------------------------------


class _RaggedRows:
    """pyarrow's invalid-row handler: note the first row with more or fewer fields than the header, and stop.

    pyarrow's own message for it quotes the row (a name, an e-mail address);
    noting the counts here lets the error say what is wrong without it.
    """

    def __init__(self) -> None:
        self.first: tuple[int, int] | None = None

    def __call__(self, row: pacsv.InvalidRow) -> str:
        if self.first is None:
            self.first = (row.expected_columns, row.actual_columns)
        return "error"


def _ragged_line(source: SourceFile, fmt: CsvFormat, expected: int) -> str:
    """``"line 7 "``: where the first ragged row is, found (on this error path only) by reading up to it."""
    try:
        with source.path.open("r", encoding=fmt.encoding, newline="", errors="replace") as fh:
            reader = csv.reader(fh, delimiter=fmt.delimiter)
            for _ in itertools.islice(reader, fmt.header_line + 1):
                pass
            for row in reader:
                if len(row) != expected:
                    return f"line {reader.line_num} "
    except (csv.Error, OSError):
        pass
    return "a row "


# Text of the file in pyarrow's messages (a quoted value; the row after "got 5:"), never repeated to the DPO.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_ROW_TEXT = re.compile(r"(got \d+): .*")


def _arrow_message(exc: BaseException) -> str:
    """pyarrow's message, shortened, without any text of the file it quotes."""
    return _QUOTED.sub("'…'", _ROW_TEXT.sub(r"\1", _one_line(exc)))


def check_record_columns(names: list[str], sheet: SheetSpec, label: str) -> None:
    """Refuse a record extract that has one column twice: which of the two would be audited is a guess.

    Two headers that are the same (ignoring case and spacing), or two that
    both name one contract column (``collected`` and ``Insamlad``). Only
    checked when the required columns are there, so the header row is
    known to be a header and not a row of data.

    Raises
    ------
    InputError
        Naming both columns by position and header.
    """
    canon = [canonical_column(n, sheet) for n in names]
    if any(c.name not in canon for c in sheet.required):
        return
    seen: dict[str, int] = {}
    for i, (name, column) in enumerate(zip(names, canon, strict=True)):
        key = f"column {column}" if column else f"header {fold(name)}"
        if not str(name).strip():
            continue
        if key in seen:
            j = seen[key]
            what = f"are both the {column} column" if column else "have the same header"
            raise InputError(f"{label}: columns {j + 1} ({names[j]!r}) and {i + 1} ({name!r}) {what}; keep one of them")
        seen[key] = i
