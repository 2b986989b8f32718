"""Staging record extract files into the engine, with the row number the DPO sees on every record.

* **CSV** is parsed by pyarrow's streaming reader, batch by batch, into a
  DuckDB table: the project's own CSV sniffing (encoding, delimiter, title
  rows above the header) is kept, a blank line keeps its line number (DuckDB's
  own reader skips blank lines, which would shift every later row number),
  and memory holds one batch, never the file. Only the contract's columns are
  staged: names and e-mail addresses never enter the engine.
* **Parquet** is not copied: a view over the file, its row number from
  DuckDB's ``file_row_number``.
* **Excel and ODS** extracts are at most a million rows a sheet: they are read
  with the sheet loader and their contract columns handed to the engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from audit.errors import InputError
from audit.inputs.frames import missing_columns_error
from audit.inputs.readers import SourceFile, check_record_columns, sniff_csv
from audit.inputs.schema import SheetSpec, canonical_column
from audit.records.batches import BatchNormaliser
from audit.records.engine import raw_connection
from audit.records.normalise import duplicate_issues
from audit.records.store import ID_COLUMNS, Extract

BATCH_BYTES = 16 * 1024 * 1024
"""CSV bytes parsed per batch: large enough for pyarrow's speed, small enough to bound memory."""


def quoted(name: str) -> str:
    """``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def header_map(names: list[str], sheet: SheetSpec, label: str, sheet_label: str, header_row: int) -> dict[str, str]:
    """Canonical column -> the file's header, refusing a file that lacks a required column or has one twice."""
    check_record_columns(names, sheet, label)
    found: dict[str, str] = {}
    for name in names:
        canon = canonical_column(name, sheet)
        if canon and canon not in found:
            found[canon] = name
    missing = [c for c in sheet.required if c.name not in found]
    if missing:
        raise missing_columns_error(label, sheet_label, missing, [n for n in names if str(n).strip()], header_row)
    return found


def stage_csv(
    backend: Any,
    source: SourceFile,
    sheet: SheetSpec,
    name: str,
    date_order: str | None,
    activities: pd.Series,
    activities_where: str,
    con: Any = None,
) -> StagedCsv:
    """Stream a CSV extract, normalised batch by batch, into engine table ``name`` (:meth:`StagedCsv.finish` next).

    ``con`` is the DuckDB connection to stage with (a cursor of ``backend``'s
    database when several files are staged at once); the table is a table
    of that database, so ``backend`` reads it.

    Raises
    ------
    InputError
        When the file cannot be parsed (a ragged row, a bad encoding), with the reason and no record content.
    """
    from audit.inputs.readers import _arrow_message, _ragged_line, _RaggedRows

    fmt = sniff_csv(source.path, source.label, sheet)
    stem = source.path.stem
    header_row = fmt.header_line + 1
    columns = header_map(list(fmt.header), sheet, source.label, stem, header_row)
    normaliser = BatchNormaliser(sheet, columns, date_order, activities, activities_where)
    encoding = "utf8" if fmt.encoding.startswith("utf-8") else fmt.encoding
    read = pacsv.ReadOptions(skip_rows=fmt.header_line, encoding=encoding, block_size=BATCH_BYTES)
    ragged = _RaggedRows()
    parse = pacsv.ParseOptions(delimiter=fmt.delimiter, invalid_row_handler=ragged, ignore_empty_lines=False)
    convert = pacsv.ConvertOptions(
        column_types={h: pa.string() for h in fmt.header},
        null_values=[""],
        strings_can_be_null=True,
        true_values=[],
        false_values=[],
    )

    def fail(exc: BaseException) -> InputError:
        if ragged.first is not None:
            expected, actual = ragged.first
            reason = f"{_ragged_line(source, fmt, expected)}has {actual} fields, the header {expected}"
        else:
            reason = _arrow_message(exc)
        return InputError(f"{source.label}: cannot read the CSV file ({reason})")

    try:
        reader = pacsv.open_csv(source.path, read_options=read, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise fail(exc) from None

    def batches() -> Iterator[pa.RecordBatch]:
        first = header_row + 1
        for batch in reader:
            rows = np.arange(first, first + batch.num_rows, dtype=np.int64)
            first += batch.num_rows
            blank = _blank(batch)
            if blank is not None:
                # A blank line is no record; dropped after numbering, so the later rows keep their numbers.
                keep = pc.invert(blank)
                rows = rows[np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)]
                batch = batch.filter(keep)
            yield normaliser(batch, rows)

    stream = pa.RecordBatchReader.from_batches(normaliser.schema(), batches())
    con = con if con is not None else raw_connection(backend)
    try:
        con.register("_staging", stream)
        con.execute(f"CREATE TABLE {quoted(name)} AS SELECT {_sql_text(stem)} AS src_sheet, * FROM _staging")
    except InputError:
        raise
    except Exception as exc:  # DuckDB re-raises the stream's own error wrapped in its exception type
        raise fail(exc) from None
    finally:
        with contextlib.suppress(Exception):  # nothing is registered when the stream failed at once
            con.unregister("_staging")
    rows = int(con.execute(f"SELECT count(*) FROM {quoted(name)}").fetchall()[0][0])
    return StagedCsv(source, name, columns, rows, normaliser)


@dataclass
class StagedCsv:
    """A CSV extract staged as engine table ``name``, before the checks that need the whole table."""

    source: SourceFile
    name: str
    columns: dict[str, str]
    rows: int
    normaliser: BatchNormaliser

    def finish(self, backend: Any) -> tuple[Extract, list[dict[str, Any]]]:
        """The extract and its input issues: the values tallied while staging, then duplicates and activities.

        Run on ``backend``'s own connection (never from a staging thread):
        Ibis queries one connection at a time.
        """
        label, stem = self.source.label, self.source.path.stem
        table = backend.table(self.name)
        for canon in ID_COLUMNS:
            if canon not in table.columns:
                table = table.mutate(**{canon: ibis.null("string")})
        extract = Extract(stem, label, table, frozenset(self.columns), self.rows, dict(self.columns))
        issues = self.normaliser.value_issues(label, stem)
        issues += duplicate_issues(table, label, stem, self.columns.get("record_id", "record_id"))
        issues += self.normaliser.activity_issues(label, stem)
        return extract, issues


def _blank(batch: pa.RecordBatch) -> pa.Array | None:
    """Which rows of ``batch`` are empty in every column, or ``None`` when none is."""
    if batch.num_columns == 0 or batch.num_rows == 0:
        return None
    blank = pc.is_null(batch.column(0))
    for i in range(1, batch.num_columns):
        blank = pc.and_(blank, pc.is_null(batch.column(i)))
    return blank if pc.any(blank).as_py() else None


def stage_parquet(backend: Any, source: SourceFile, sheet: SheetSpec, name: str) -> tuple[dict[str, str], int]:
    """A view ``name`` over a Parquet extract where it lies (canonical columns, ``src_row``); header map and rows.

    Raises
    ------
    InputError
        When the file is not Parquet or is corrupt, or lacks a required column.
    """
    import pyarrow.parquet as pq

    from audit.inputs.readers import _arrow_message

    try:
        meta = pq.ParquetFile(source.path)
        names = [str(n) for n in meta.schema_arrow.names]
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{source.label}: cannot read the Parquet file ({_arrow_message(exc)})") from None
    columns = header_map(names, sheet, source.label, source.path.stem, 1)
    path = _sql_text(str(source.path.resolve()))
    select = ", ".join(f"{quoted(h)} AS {quoted(c)}" for c, h in columns.items())
    every_null = " AND ".join(f"{quoted(n)} IS NULL" for n in names) or "FALSE"
    con = raw_connection(backend)
    con.execute(
        f"CREATE TEMP VIEW {quoted(name)} AS SELECT CAST(file_row_number + 2 AS BIGINT) AS src_row, {select} "
        f"FROM read_parquet({path}, file_row_number = true) WHERE NOT ({every_null})"
    )
    rows = con.execute(f"SELECT count(*) FROM {quoted(name)}").fetchall()[0][0]
    return columns, int(rows)
