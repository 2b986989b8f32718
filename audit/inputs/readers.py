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
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from audit.errors import InputError
from audit.inputs.safety import check_workbook
from audit.inputs.schema import InputSpec, SheetSpec, canonical_column, find_header_row
from audit.reference.vocab import fold

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
TABLE_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")
RECORD_SUFFIXES = (*TABLE_SUFFIXES, ".parquet")
CSV_DELIMITERS = (",", ";", "\t", "|")
CSV_SNIFF_BYTES = 256 * 1024
_HASH_CHUNK = 1024 * 1024


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
    """Files of a folder, without Office lock files (``~$x.xlsx``) and hidden files."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))


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
    files = [p for p in _visible_files(data_dir / "records") if p.suffix.lower() in RECORD_SUFFIXES]
    stems = [fold(p.stem) for p in files]
    twice = sorted({p.stem for p, s in zip(files, stems, strict=True) if stems.count(s) > 1})
    if twice:
        names = ", ".join(file_label(p, data_dir) for p in files if p.stem in twice)
        raise InputError(f"{names}: more than one extract for system {', '.join(twice)}; keep one file per system")
    return [SourceFile(p, file_label(p, data_dir), None) for p in files]


# --- workbooks ----------------------------------------------------------------


def read_workbook(source: SourceFile) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a raw grid (after the safety checks).

    Raises
    ------
    InputError
        When the file is unsafe or the spreadsheet library cannot read it.
    """
    check_workbook(source.path, source.label)
    try:
        sheets = pd.read_excel(
            source.path,
            sheet_name=None,
            header=None,
            engine="calamine",
            dtype=object,
            keep_default_na=False,
            na_values=[],
        )
    except Exception as exc:  # calamine raises its own error types; any of them means an unreadable file
        raise InputError(f"{source.label}: cannot read the spreadsheet ({_one_line(exc)})") from None
    return {str(name): grid.reset_index(drop=True) for name, grid in sheets.items()}


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
            rows = list(csv.reader(fh, delimiter=fmt.delimiter))
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        raise InputError(f"{source.label}: cannot read the CSV file ({_one_line(exc)})") from None
    return pd.DataFrame(rows, dtype=object).fillna("")


# --- record extracts ----------------------------------------------------------


def read_record_csv(source: SourceFile, sheet: SheetSpec) -> tuple[pa.Table, int]:
    """A record extract CSV as an Arrow table, and the 1-based line number of its header.

    pyarrow parses millions of rows in a fraction of a second and infers ISO
    date columns itself. The id columns are read as text, so ``007`` stays
    ``007``. Only an empty cell is missing: ``NA`` or ``null`` are kept as text.
    """
    fmt = sniff_csv(source.path, source.label, sheet)
    ids = [h for h in fmt.header if (c := canonical_column(h, sheet)) and sheet.column(c).type == "id"]
    # pyarrow skips a UTF-8 byte-order mark itself; naming "utf-8-sig" would make it transcode in Python.
    encoding = "utf8" if fmt.encoding.startswith("utf-8") else fmt.encoding
    read = pacsv.ReadOptions(skip_rows=fmt.header_line, encoding=encoding, block_size=16 * 1024 * 1024)
    parse = pacsv.ParseOptions(delimiter=fmt.delimiter)
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in ids},
        null_values=[""],
        strings_can_be_null=True,
        true_values=[],
        false_values=[],
    )
    try:
        table = pacsv.read_csv(source.path, read_options=read, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source.label}: cannot read the CSV file ({_one_line(exc)})") from None
    return table, fmt.header_line + 1


def read_parquet(source: SourceFile) -> pa.Table:
    """A Parquet record extract as an Arrow table.

    Raises
    ------
    InputError
        When the file is not Parquet or is corrupt.
    """
    try:
        return pq.read_table(source.path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{source.label}: cannot read the Parquet file ({_one_line(exc)})") from None
