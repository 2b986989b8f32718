"""Turning a drawn extract into the file a system would export: ids, names, e-mails, dates.

Names and e-mail addresses are derived from the subject number rather than
drawn, so one person is spelled the same in every extract (the rights rules
follow a subject across systems) and no name generator or data set is
needed. Files are written with pyarrow, which keeps a million-row CSV fast
and its bytes stable: unquoted, ISO dates, a blank for a missing date.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tools.sample.constants import RECORD_FORMATS
from tools.sample.data import RECORDS
from tools.sample.records import Extract
from tools.sample.workbooks import Sheet, write_workbook

# Letters an e-mail address spells without their diacritics.
_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "Å": "A", "Ä": "A", "Ö": "O"})


def _name_columns(subject: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """Name and e-mail from the subject number, so a person is spelled the same in every extract."""
    first_names, last_names = RECORDS.first_names, RECORDS.last_names
    first = np.array(first_names)
    last = np.array(last_names)
    first_ascii = np.array([f.translate(_ASCII).lower() for f in first_names])
    last_ascii = np.array([s.translate(_ASCII).lower() for s in last_names])
    fi = (subject * 7919 + 13) % len(first_names)
    li = (subject // 3 * 104729 + subject) % len(last_names)
    name = pc.binary_join_element_wise(pa.array(first[fi]), pa.array(last[li]), " ")
    number = pc.cast(pa.array(subject), pa.string())
    email = pc.binary_join_element_wise(
        pa.array(first_ascii[fi]), ".", pa.array(last_ascii[li]), ".", number, "@example.com", ""
    )
    return name, email


def extract_table(ext: Extract) -> pa.Table:
    """The extract as written: record_id, subject_ref, activity_id, name, email, date anchors."""
    n = len(ext)
    width = max(6, len(str(n)))
    seq = pc.cast(pa.array(np.arange(1, n + 1)), pa.string())
    prefix = RECORDS.extracts[ext.system_id].prefix
    record_id = pc.binary_join_element_wise(prefix + "-", pc.utf8_lpad(seq, width, "0"), "")
    subject_ref = pc.binary_join_element_wise(
        "DS-", pc.utf8_lpad(pc.cast(pa.array(ext.subject), pa.string()), 5, "0"), ""
    )
    name, email = _name_columns(ext.subject)
    columns = {
        "record_id": record_id,
        "subject_ref": subject_ref,
        "activity_id": pa.array(ext.activity),
        "name": name,
        "email": email,
    }
    for col, values in ext.dates.items():
        columns[col] = pa.array(values, type=pa.date32(), from_pandas=True)
    return pa.table(columns)


def write_extract(table: pa.Table, path: Path) -> None:
    """Write an extract as CSV (unquoted, ISO dates, blank = missing), Parquet or xlsx, by suffix.

    Parameters
    ----------
    table
        The extract (:func:`extract_table`).
    path
        Target file; its suffix chooses the format (one of :data:`RECORD_FORMATS`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        with path.open("wb") as out:
            out.write((",".join(table.column_names) + "\n").encode())
            pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    elif path.suffix == ".parquet":
        pq.write_table(table, path)
    elif path.suffix == ".xlsx":
        frame = table.to_pandas(date_as_object=True)
        rows = frame.astype(object).where(frame.notna(), None).values.tolist()
        write_workbook(path, [Sheet(path.stem, list(frame.columns), rows)])
    else:
        raise ValueError(f"{path}: unsupported extract format (use {', '.join(RECORD_FORMATS)})")
