"""Loading a DPO's data folder into normalised, validated frames (``docs/inputs.md``).

:func:`load_inputs` is the only entry point the rest of the audit needs. It
stops with one :class:`~audit.errors.InputError` line only when the audit
cannot run at all (a required file, sheet or column is missing, or a file is
unreadable or unsafe); every other problem becomes a row of
``Inputs.issues`` and the audit goes on with all rows kept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from audit.errors import InputError
from audit.inputs.contract import check_contract
from audit.inputs.frames import SheetFrame, frame_from_grid, issues_frame
from audit.inputs.model import FILE_COLUMNS, HEADER_COLUMNS, Inputs
from audit.inputs.quoting import quote_safely
from audit.inputs.readers import (
    SourceFile,
    find_input_files,
    find_record_files,
    read_csv_grid,
    read_workbook,
    sha256,
)
from audit.inputs.safety import require_defusedxml
from audit.inputs.schema import InputSpec, SheetSpec, find_header_row, input_specs
from audit.inputs.validate import check_activity_refs, check_system_refs, check_vendor_refs, duplicates, stand_in_ids
from audit.inputs.values import DATE_ORDERS
from audit.records.engine import default_backend, raw_connection, table_from_frame
from audit.records.load import StagedCsv, stage_csv, stage_parquet
from audit.records.normalise import canonical_frame, normalise_extract
from audit.records.progress import ExtractRead, Progress
from audit.records.store import Extract, RecordStore
from audit.reference.vocab import fold

__all__ = ["Inputs", "load_inputs"]

TABLE_INPUTS = ("activities", "inventory", "requests", "disclosures")


class _Loader:
    """State of one load: the folder, date order, and what was read so far."""

    def __init__(
        self,
        data_dir: Path,
        date_order: str | None,
        engine: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ):
        self.data_dir = data_dir
        self.date_order = date_order
        self.engine = dict(engine or {})
        self.progress = progress
        self.issues: list[pd.DataFrame] = []
        self.files: list[dict] = []
        self._hashes: dict[Path, str] = {}

    def note_file(self, source: SourceFile, sheet: str, rows: int) -> None:
        if source.path not in self._hashes:
            self._hashes[source.path] = sha256(source.path)
        self.files.append({"file": source.label, "sheet": sheet, "rows": rows, "sha256": self._hashes[source.path]})

    def sheet(self, sheet: SheetSpec, grid: pd.DataFrame, source: SourceFile, label: str) -> SheetFrame:
        loaded = frame_from_grid(grid, sheet, source.label, label, self.date_order)
        self.note_file(source, label, len(loaded.data))
        self.issues.append(loaded.issues)
        return loaded

    def table_input(self, spec: InputSpec) -> dict[str, SheetFrame]:
        """All sheets of one input, or empty frames when an optional input is absent."""
        sources = find_input_files(self.data_dir, spec)
        if not sources:
            if spec.required:
                raise InputError(
                    f"{spec.name}.xlsx: required input not found in {self.data_dir} "
                    f"(expected {spec.name}.xlsx, .xlsm, .ods or .csv)"
                )
            return {s.name: _empty_sheet(s) for s in spec.sheets}
        loaded: dict[str, SheetFrame] = {}
        if sources[0].sheet is None:
            source = sources[0]
            grids = read_workbook(source)
            for sheet in spec.sheets:
                name = _pick_sheet(grids, sheet, single=len(spec.sheets) == 1)
                if name is None:
                    raise InputError(
                        f"{source.label}: missing sheet {sheet.name}; sheets found: {', '.join(grids) or 'none'}"
                    )
                loaded[sheet.name] = self.sheet(sheet, grids[name], source, name)
            return loaded
        by_sheet = {s.sheet: s for s in sources}
        for sheet in spec.sheets:
            csv_source = by_sheet.get(sheet.name)
            if csv_source is None:
                found = ", ".join(s.label for s in sources)
                raise InputError(
                    f"{spec.name}.{sheet.name.lower()}.csv: missing sheet {sheet.name} of {spec.name} "
                    f"(CSV files found: {found})"
                )
            loaded[sheet.name] = self.sheet(sheet, read_csv_grid(csv_source, sheet), csv_source, sheet.name)
        return loaded

    def tables(self) -> dict[str, SheetFrame]:
        """Every sheet of the spreadsheet inputs (:data:`TABLE_INPUTS`), keyed by sheet name."""
        specs = input_specs()
        sheets: dict[str, SheetFrame] = {}
        for name in TABLE_INPUTS:
            sheets.update(self.table_input(specs[name]))
        return sheets

    def records(self, systems: SheetFrame, activities: SheetFrame) -> RecordStore:
        """Record extracts keyed by system_id, staged in the engine, with their issues computed there."""
        sheet = input_specs()["records"].sheets[0]
        known = {fold(s): s for s in systems.data["system_id"].dropna()}
        backend = default_backend(**self.engine)
        out: dict[str, Extract] = {}
        sources = find_record_files(self.data_dir)
        staged = self._stage_csvs(backend, sources, sheet, activities)
        for number, source in enumerate(sources):
            started = time.perf_counter()
            key = known.get(fold(source.path.stem))
            if key is None:
                key = source.path.stem
                self.issues.append(
                    issues_frame(
                        [
                            {
                                "file": source.label,
                                "sheet": None,
                                "row": None,
                                "column": None,
                                "value": source.path.stem,
                                "problem": f"record extract for a system not in the inventory ({systems.file}, "
                                f"sheet {systems.sheet}); the file name must be a system_id",
                            }
                        ]
                    )
                )
            if source.path in staged:
                done, seconds = staged[source.path].result()
                extract, found = done.finish(backend)
                extract.system_id = key
                self.issues.append(issues_frame(found))
                self.note_file(source, source.path.stem, extract.rows)
                out[key] = extract
            else:
                out[key] = self._record_extract(backend, source, sheet, key, activities, f"extract_{number}")
                seconds = time.perf_counter() - started
            if self.progress is not None:
                self.progress(ExtractRead(source.label, out[key].rows, seconds, number + 1, len(sources)))
        return RecordStore(out, backend)

    def _stage_csvs(
        self, backend: Any, sources: list[SourceFile], sheet: SheetSpec, activities: SheetFrame
    ) -> dict[Path, Future[tuple[StagedCsv, float]]]:
        """Start staging every CSV extract, several at a time: parsing is the cost, and it uses one core per file.

        Each file gets its own DuckDB connection (a cursor on the same
        database) and its file hash is taken beside it; the results are
        collected in file order, so issues and progress come out the same
        whatever finishes first.
        """
        csvs = [(i, s) for i, s in enumerate(sources) if s.path.suffix.lower() == ".csv"]
        if not csvs:
            return {}
        where = f"{activities.file}, sheet {activities.sheet}"
        ids = activities.data["activity_id"]
        workers = self.engine.get("threads") or os.cpu_count() or 1
        pool = ThreadPoolExecutor(max_workers=max(1, min(int(workers), len(csvs))))

        def stage(number: int, source: SourceFile) -> tuple[StagedCsv, float]:
            started = time.perf_counter()
            con = raw_connection(backend).cursor()
            try:
                done = stage_csv(backend, source, sheet, f"extract_{number}", self.date_order, ids, where, con=con)
            finally:
                con.close()
            self._hashes.setdefault(source.path, sha256(source.path))
            return done, time.perf_counter() - started

        futures = {source.path: pool.submit(stage, number, source) for number, source in csvs}
        pool.shutdown(wait=False)
        return futures

    def _record_extract(
        self, backend: Any, source: SourceFile, sheet: SheetSpec, key: str, activities: SheetFrame, name: str
    ) -> Extract:
        """One extract in the engine: a CSV staged, a Parquet file viewed in place, a workbook's sheets handed over."""
        suffix = source.path.suffix.lower()
        stem = source.path.stem
        where = f"{activities.file}, sheet {activities.sheet}"
        if suffix == ".parquet":
            headers, _ = stage_parquet(backend, source, sheet, f"{name}_raw")
            extract, issues = normalise_extract(
                backend,
                backend.table(f"{name}_raw"),
                key,
                source.label,
                stem,
                sheet,
                headers,
                self.date_order,
                activities.data["activity_id"],
                where,
                name,
                materialise=False,
            )
            self.issues.append(issues)
            self.note_file(source, stem, extract.rows)
            return extract
        loaded = self._record_file(source, sheet)
        for part in loaded:
            self.issues.append(part.issues)
            self.issues.append(duplicates(part, "record_id", aggregate=True))
            self.issues.append(check_activity_refs(part, activities, aggregate=True))
        frames = [p.data for p in loaded]
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        data, columns = canonical_frame(frame)
        table = table_from_frame(backend, name, data)
        headers = {c: h for p in loaded for c, h in p.headers.items() if c in columns}
        return Extract(key, source.label, table, columns, len(data), headers)

    def _record_file(self, source: SourceFile, sheet: SheetSpec) -> list[SheetFrame]:
        """The sheets of a workbook extract that hold records (a junk sheet is skipped and said so)."""
        book = read_workbook(source, records=True)
        parts: list[SheetFrame] = []
        skipped: list[str] = []
        for name in book:
            head = book.head(name)
            if head.empty:
                continue
            if not find_header_row(head, sheet)[1]:
                skipped.append(name)  # not converted: a junk sheet costs no more than its parse
                continue
            part = frame_from_grid(book[name], sheet, source.label, name, self.date_order, aggregate=True)
            self.note_file(source, name, len(part.data))
            parts.append(part)
        if not parts:
            name = next(iter(book), "")
            grid = book.head(name) if name else pd.DataFrame()
            frame_from_grid(grid, sheet, source.label, name, self.date_order)  # raises the missing-column error
        if skipped:
            self.issues.append(
                issues_frame(
                    [
                        {
                            "file": source.label,
                            "sheet": name,
                            "row": None,
                            "column": None,
                            "value": None,
                            "problem": "sheet not read: it has no record_id, subject_ref, activity_id header",
                        }
                        for name in skipped
                    ]
                )
            )
        return parts


def _pick_sheet(grids: Mapping[str, pd.DataFrame], sheet: SheetSpec, single: bool) -> str | None:
    """The workbook sheet holding ``sheet``: by name or alias, ignoring case; the only sheet of a one-sheet input."""
    names = sheet.names()
    for name in grids:
        if fold(name) in names:
            return name
    if single and len(grids) == 1:
        return next(iter(grids))
    return None


def _empty_sheet(sheet: SheetSpec) -> SheetFrame:
    """An absent optional input: the canonical columns with the right types and no rows."""
    grid = pd.DataFrame([[c.name for c in sheet.columns]], dtype=object)
    return frame_from_grid(grid, sheet, "", sheet.name, None)


def load_inputs(
    data_dir: str | Path,
    date_order: str | None = None,
    engine: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> Inputs:
    """Load, normalise and validate every input of a data folder.

    Parameters
    ----------
    data_dir
        Folder with ``activities`` and ``inventory`` (required), ``requests``,
        ``disclosures`` and ``records/`` (optional); see ``docs/inputs.md``.
    date_order
        ``"DMY"`` or ``"MDY"`` when the files write dates as ``1/3/2025``;
        without it such dates are validation issues, because guessing would
        silently shift deadlines by months.
    engine
        Options of the record engine (:func:`audit.records.engine.default_backend`:
        ``memory_limit``, ``spill_dir``, ``threads``), from the settings.
    progress
        Called after each record extract is read (:class:`~audit.records.progress.ExtractRead`).

    Returns
    -------
    Inputs
        Normalised frames with provenance, the validation issues and the files read with their SHA-256.

    Raises
    ------
    InputError
        When the audit cannot run: a required file, sheet or column is
        missing, or a file is unreadable, encrypted, corrupt or unsafe.
    """
    loader = _Loader(_data_folder(data_dir, date_order), date_order, engine, progress)
    sheets = loader.tables()
    loader.issues.extend(_reference_issues(sheets))
    records = loader.records(sheets["Systems"], sheets["Activities"])
    inputs = Inputs(
        activities=sheets["Activities"].data,
        systems=sheets["Systems"].data,
        vendors=sheets["Vendors"].data,
        requests=sheets["Requests"].data,
        disclosures=sheets["Disclosures"].data,
        records=records,
        issues=quote_safely(_in_reading_order(loader.issues), _spec_of(sheets)),
        files=pd.DataFrame(loader.files, columns=FILE_COLUMNS),
        data_dir=str(data_dir),
        headers=_headers(sheets),
    )
    check_contract(inputs)
    return inputs


def _headers(sheets: dict[str, SheetFrame]) -> pd.DataFrame:
    """Every canonical column of the sheets read, with the header the DPO gave it (:attr:`Inputs.headers`)."""
    rows = [
        {"file": frame.file, "sheet": frame.sheet, "column": column, "header": header}
        for frame in sheets.values()
        if frame.file
        for column, header in frame.headers.items()
    ]
    return pd.DataFrame(rows, columns=HEADER_COLUMNS)


def _data_folder(data_dir: str | Path, date_order: str | None) -> Path:
    """The data folder, checked together with the arguments before anything is read.

    Checking first means a bad call fails with one clear line rather than
    part-way through a folder, and no workbook is opened unless openpyxl
    parses XML through defusedxml (see :func:`~audit.inputs.safety.require_defusedxml`).

    Raises
    ------
    InputError
        For a date order other than :data:`~audit.inputs.values.DATE_ORDERS`,
        when workbooks cannot be read safely, or when the folder does not exist.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise InputError(f"date_order must be one of {', '.join(DATE_ORDERS)}, got {date_order!r}")
    require_defusedxml()
    folder = Path(data_dir)
    if not folder.is_dir():
        raise InputError(f"{folder}: data folder not found")
    return folder


def _reference_issues(sheets: dict[str, SheetFrame]) -> list[pd.DataFrame]:
    """Issues for duplicated ids, and for references between the sheets that name nothing.

    The rules join the sheets on these ids, so a duplicate or a dangling
    reference is reported here, with the row to fix, rather than silently
    missing from a join. The reference checks also rewrite each reference to
    the spelling of the sheet it names (``crm`` → ``CRM``) so the joins match.
    """
    activities, systems, vendors = sheets["Activities"], sheets["Systems"], sheets["Vendors"]
    keys = (
        (activities, "activity_id"),
        (systems, "system_id"),
        (vendors, "vendor"),
        (sheets["Requests"], "request_id"),
    )
    for sheet, column in keys:
        stand_in_ids(sheet, column)
    return [
        *(duplicates(sheet, column) for sheet, column in keys),
        check_system_refs(activities, systems),
        check_vendor_refs(systems, vendors, activities, sheets["Disclosures"]),
        check_activity_refs(sheets["Disclosures"], activities),
    ]


def _spec_of(sheets: dict[str, SheetFrame]) -> Callable[[str, str], SheetSpec | None]:
    """The contract of the sheet an issue's file and sheet name: a table sheet, else a record extract."""
    table = {(s.file, s.sheet): s.spec for s in sheets.values()}
    records = input_specs()["records"].sheets[0]
    return lambda file, sheet: table.get((file, sheet), records)


def _in_reading_order(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """All issues in one frame, in reading order: file by file, top to bottom.

    Within a file, file-level issues (no row) come first; the sort is stable,
    so issues on one row keep the order the checks found them in.
    """
    found = [p for p in parts if not p.empty]
    issues = pd.concat(found, ignore_index=True) if found else issues_frame()
    order = pd.DataFrame({"file": issues["file"].astype(str), "row": pd.to_numeric(issues["row"], errors="coerce")})
    issues = issues.loc[order.sort_values(["file", "row"], kind="stable", na_position="first").index]
    return issues.reset_index(drop=True)
