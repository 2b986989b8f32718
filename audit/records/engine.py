"""The engine record extracts are scanned in: DuckDB, embedded, with bounded memory.

DuckDB needs no set-up, scans CSV and Parquet where they lie and spills to
disk past its memory limit, so peak memory does not grow with the number of
records. The limit and the spill folder are settings (``records_memory_limit``,
``records_spill_dir``), because the DPO's machine, not the code, knows
what it can spare.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

DEFAULT_MEMORY_LIMIT = "1.5GB"


def default_backend(memory_limit: str | None = None, spill_dir: str | Path | None = None, threads: int = 0) -> Any:
    """A fresh in-process DuckDB connection (Ibis backend) with its memory limit and spill folder.

    Parameters
    ----------
    memory_limit
        DuckDB's ``memory_limit`` (``"2GB"``); beyond it DuckDB spills to ``spill_dir``.
    spill_dir
        Folder for DuckDB's temporary files; blank: the system's temporary folder.
    threads
        Worker threads; 0: as many as the machine has cores.
    """
    spill = Path(spill_dir) if spill_dir else Path(tempfile.gettempdir()) / "privacy-audit-spill"
    spill.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "memory_limit": memory_limit or DEFAULT_MEMORY_LIMIT,
        "temp_directory": str(spill),
        "preserve_insertion_order": True,
    }
    if threads:
        config["threads"] = threads
    return ibis.duckdb.connect(**config)


def raw_connection(backend: Any) -> Any:
    """The backend's own DuckDB connection, for staging files (Arrow streams) that Ibis does not expose."""
    return backend.con


def table_from_frame(backend: Any, name: str, frame: pd.DataFrame) -> ibis.Table:
    """A small frame (an Excel extract's contract columns, a test's records) as engine table ``name``.

    Handed over as Arrow and copied by DuckDB itself; Ibis's own
    ``create_table`` from a frame emits a statement DuckDB 2.0 refuses.
    """
    con = raw_connection(backend)
    view = f"_frame_{name}"
    con.register(view, pa.Table.from_pandas(frame, preserve_index=False))
    try:
        con.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM "{view}"')
    finally:
        con.unregister(view)
    return backend.table(name)
