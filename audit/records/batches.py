"""Normalising a CSV extract batch by batch on its way into the engine: one pass over the file.

A CSV has to be parsed once anyway; normalising each batch as it streams by
(ids stripped, dates parsed, activity ids aligned to the register) makes
that pass the only one, instead of staging text and rewriting it with
joins. Each batch's *distinct* values are parsed (pyarrow's dictionary
encoding), by the same functions as every other input and remembered
across batches, so a hundred million records cost a few thousand parses.
Problems are tallied as the batches pass: per column and problem the count,
the first rows and the first example values, the shape of every aggregated
extract issue (:func:`audit.inputs.frames.aggregate_issues`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit.inputs.frames import EXAMPLES, MISSING_VALUE
from audit.inputs.schema import SheetSpec
from audit.inputs.values import normalise_dates
from audit.reference.vocab import fold


@dataclass
class Tally:
    """One kind of problem (column and problem) across the batches: count, first rows, first values."""

    header: str
    problem: str
    count: int = 0
    rows: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    def add(self, rows: np.ndarray, values: list[str] | None) -> None:
        self.count += len(rows)
        if len(self.rows) < EXAMPLES:
            self.rows.extend(int(r) for r in rows[: EXAMPLES - len(self.rows)])
        if values is not None and len(self.values) < EXAMPLES:
            for v in values:
                if v not in self.values:
                    self.values.append(v)
                    if len(self.values) == EXAMPLES:
                        break

    def issue(self, file: str, sheet: str) -> dict[str, Any]:
        noun = "row" if self.count == 1 else "rows"
        shown: tuple[str, ...] | str = tuple(self.values)
        if shown in ((), ("",)):
            shown = ""
        return {
            "file": file,
            "sheet": sheet,
            "row": self.rows[0],
            "column": self.header,
            "value": shown,
            "problem": f"{self.problem}: {self.count} {noun} (first: {', '.join(str(r) for r in self.rows)})",
        }


def _in_row_order(values: pa.Array, rows: np.ndarray) -> list[str]:
    """The distinct values of ``values`` in the order of first appearance (the rows are in file order)."""
    return list(dict.fromkeys(str(v) for v in values.to_pylist()[: EXAMPLES * 50]))


class BatchNormaliser:
    """The canonical columns of each CSV batch, with the problems tallied (:meth:`issues` at the end).

    ``headers`` maps canonical column -> the DPO's header; ``activities``
    are the register's ids (a record's id is written in the register's
    spelling, ``a-02`` -> ``A-02``); ``activities_where`` names the
    register sheet in the problem text.
    """

    def __init__(
        self,
        sheet: SheetSpec,
        headers: dict[str, str],
        date_order: str | None,
        activities: pd.Series,
        activities_where: str,
    ):
        self.sheet = sheet
        self.headers = headers
        self.date_order = date_order
        self.dates = [c for c in headers if sheet.column(c).type == "date"]
        self.tallies: dict[tuple[str, str], Tally] = {}
        self._parsed: dict[str, dict[str, tuple[Any, str | None, str]]] = {c: {} for c in self.dates}
        ids = activities.dropna().astype(str)
        self._exact = set(ids)
        self._folded = {fold(a): a for a in ids}
        self._aligned: dict[str, str | None] = {}
        self.unknown_problem = f"activity not in the register ({activities_where})"

    def schema(self) -> pa.Schema:
        fields = [pa.field("src_row", pa.int64())]
        for canon in self.headers:
            kind = pa.date32() if canon in self.dates else pa.string()
            fields.append(pa.field(canon, kind))
        return pa.schema(fields)

    def _tally(self, canon: str, problem: str) -> Tally:
        key = (canon, problem)
        if key not in self.tallies:
            self.tallies[key] = Tally(self.headers[canon], problem)
        return self.tallies[key]

    def __call__(self, batch: pa.RecordBatch, rows: np.ndarray) -> pa.RecordBatch:
        arrays: list[pa.Array] = [pa.array(rows, pa.int64())]
        for canon, header in self.headers.items():
            column = batch.column(batch.schema.get_field_index(header))
            if canon in self.dates:
                arrays.append(self._date(canon, column, rows))
            else:
                arrays.append(self._id(canon, column, rows))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema())

    def _id(self, canon: str, column: pa.Array, rows: np.ndarray) -> pa.Array:
        trimmed = pc.utf8_trim_whitespace(column)
        empty = pc.equal(trimmed, "")
        if pc.any(empty).as_py():
            trimmed = pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)
        if self.sheet.column(canon).required and trimmed.null_count:
            blank = np.flatnonzero(np.asarray(pc.is_null(trimmed).to_numpy(zero_copy_only=False), dtype=bool))
            self._tally(canon, MISSING_VALUE).add(rows[blank], [""])
        if canon == "activity_id":
            return self._activity(trimmed, rows)
        return trimmed

    def _activity(self, values: pa.Array, rows: np.ndarray) -> pa.Array:
        encoded = pc.dictionary_encode(values)
        dictionary = [str(v) for v in encoded.dictionary.to_pylist()]
        for v in dictionary:
            if v not in self._aligned:
                self._aligned[v] = v if v in self._exact else self._folded.get(fold(v))
        aligned = pa.array([self._aligned[v] or v for v in dictionary], pa.string())
        unknown = np.array([self._aligned[v] is None for v in dictionary], dtype=bool)
        out = pc.take(aligned, encoded.indices)
        if unknown.any():
            codes = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
            valid = np.asarray(pc.is_valid(encoded.indices).to_numpy(zero_copy_only=False), dtype=bool)
            hit = np.flatnonzero(valid & unknown[codes])
            picked = pc.take(values, pa.array(hit, pa.int64()))
            self._tally("activity_id", self.unknown_problem).add(rows[hit], _in_row_order(picked, rows[hit]))
        return out

    def _date(self, canon: str, column: pa.Array, rows: np.ndarray) -> pa.Array:
        encoded = pc.dictionary_encode(column)
        dictionary = encoded.dictionary.to_pylist()
        known = self._parsed[canon]
        new = [v for v in dictionary if v not in known]
        if new:
            parsed, problems = normalise_dates(pd.Series(new, dtype=object), self.date_order)
            for i, value in enumerate(new):
                day = parsed.iloc[i]
                known[value] = (None if pd.isna(day) else day.date(), None, "")
            for pos, problem in problems.iterrows():
                value = new[int(pos)]
                known[value] = (None, str(problem["problem"]), str(problem["value"]))
        days = pa.array([known[v][0] for v in dictionary], pa.date32())
        out = pc.take(days, encoded.indices)
        kinds = [known[v][1] for v in dictionary]
        if any(kinds):
            codes = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
            valid = np.asarray(pc.is_valid(encoded.indices).to_numpy(zero_copy_only=False), dtype=bool)
            for problem in sorted({k for k in kinds if k}):
                bad = np.array([k == problem for k in kinds], dtype=bool)
                hit = np.flatnonzero(valid & bad[codes])
                shown = [known[dictionary[c]][2] for c in codes[hit][: EXAMPLES * 50]]
                self._tally(canon, problem).add(rows[hit], list(dict.fromkeys(shown)))
        return out

    def value_issues(self, file: str, sheet: str) -> list[dict[str, Any]]:
        """The values that could not be read, as input issues: per column in the file's order, problems sorted."""
        order = {c: i for i, c in enumerate(self.headers)}
        keys = sorted((k for k in self.tallies if k[1] != self.unknown_problem), key=lambda k: (order[k[0]], k[1]))
        return [self.tallies[k].issue(file, sheet) for k in keys]

    def activity_issues(self, file: str, sheet: str) -> list[dict[str, Any]]:
        """The records whose activity the register lacks (checked after duplicates, as for every other input)."""
        key = ("activity_id", self.unknown_problem)
        return [self.tallies[key].issue(file, sheet)] if key in self.tallies else []
