"""The record extracts of one audit: an engine table per system, with what a finding cites of it.

An :class:`Extract` is a table with the canonical columns (``record_id``,
``subject_ref``, ``activity_id``, the date anchors present, as dates) and
the provenance of every row (``src_sheet``, ``src_row``: the row number the
DPO sees). The table lives in the engine (DuckDB by default) and is only
ever queried; :meth:`Extract.to_pandas` exists for small tests and
notebooks, never for the rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from audit.records.engine import default_backend, table_from_frame

#: Canonical id columns of an extract (text; missing when blank).
ID_COLUMNS = ("record_id", "subject_ref", "activity_id")


@dataclass
class Extract:
    """One system's records as an engine table.

    ``file`` is the extract's label as the DPO sees it (``records/S-CRM.csv``);
    ``columns`` the canonical columns the extract really has (an absent date
    anchor is a different fact from a blank one); ``rows`` the number of
    records; ``headers`` the DPO's header of each canonical column.
    """

    system_id: str
    file: str
    table: ibis.Table
    columns: frozenset[str]
    rows: int
    headers: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.rows

    def has(self, *names: str) -> bool:
        """Whether the extract has all ``names`` (canonical columns)."""
        return set(names) <= self.columns

    def header(self, column: str) -> str:
        """The header the DPO gave ``column`` (the canonical name when unknown)."""
        return self.headers.get(column, column)

    def to_pandas(self) -> pd.DataFrame:
        """The whole extract as a frame, rows in file order: for tests and small samples only."""
        frame = self.table.order_by(["src_sheet", "src_row"]).to_pandas()
        for name, kind in self.table.schema().items():
            if kind.is_date():
                frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        frame.insert(0, "src_file", self.file)
        # The contract's columns the extract lacks, as the rules see them: all missing.
        for spec in _records_sheet().columns:
            if spec.name not in frame.columns:
                frame[spec.name] = pd.Series(
                    pd.NaT if spec.type == "date" else None,
                    index=frame.index,
                    dtype="datetime64[ns]" if spec.type == "date" else object,
                )
        return frame


def _records_sheet() -> Any:
    from audit.inputs.schema import input_specs

    return input_specs()["records"].sheets[0]


class RecordStore(Mapping[str, Extract]):
    """The audit's extracts keyed by ``system_id``, all in one engine ``backend``."""

    def __init__(self, extracts: Mapping[str, Extract] | None = None, backend: Any = None):
        self._extracts = dict(extracts or {})
        self.backend = backend

    def __getitem__(self, key: str) -> Extract:
        return self._extracts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._extracts)

    def __len__(self) -> int:
        return len(self._extracts)

    @property
    def total(self) -> int:
        """Records in all extracts."""
        return sum(e.rows for e in self._extracts.values())


def store_from_frames(frames: Mapping[str, pd.DataFrame]) -> RecordStore:
    """Extracts built from small, already normalised frames (tests, notebooks' examples), in a DuckDB of their own.

    The frames carry the loader's columns (``src_file``, ``src_sheet``,
    ``src_row`` and canonical columns); columns not in the contract are
    dropped, as the loader never stages them.
    """
    from audit.records.normalise import canonical_frame

    backend = default_backend()
    out: dict[str, Extract] = {}
    for sid, frame in frames.items():
        if isinstance(frame, Extract):
            out[sid] = frame
            continue
        file = str(frame["src_file"].iloc[0]) if "src_file" in frame.columns and len(frame) else f"records/{sid}.csv"
        data, columns = canonical_frame(frame)
        name = f"frame_{len(out)}_{abs(hash(sid)) % 10**8}"
        table = table_from_frame(backend, name, data)
        out[sid] = Extract(sid, file, table, columns, len(data))
    return RecordStore(out, backend)
