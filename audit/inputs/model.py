"""What the loaders hand to the rules: normalised frames with provenance.

Every frame carries ``src_file`` (file name relative to the data folder),
``src_sheet`` and ``src_row`` (the row number as Excel shows it; for CSV the
line number, header = 1), so every finding can cite where a fact came from.

Normalised values (the canonical column names are those of
``docs/inputs.md``; unknown extra columns are kept as they are):

* list cells: Python ``list[str]`` (empty list when blank);
* dates: ``datetime64[ns]``, day precision, ``NaT`` when blank or invalid;
* yes/no: pandas ``boolean`` (``<NA>`` = unknown);
* countries: ISO 3166 alpha-2 codes (``"US"``); lists of them in list columns;
* ``legal_basis``: list of ``consent``, ``contract``, ``legal_obligation``,
  ``vital_interests``, ``public_task``, ``legitimate_interests``;
* activity ``role``: ``controller`` (default), ``joint_controller``, ``processor``;
* vendor ``role``: ``processor``, ``sub_processor``, ``controller``,
  ``group_company``, ``authority``, ``partner``, ``internal``;
* vendor ``transfer_mechanism``: ``none``, ``adequacy``, ``dpf``, ``scc``, ``bcr``, ``derogation``;
* request ``right``: ``access``, ``rectification``, ``erasure``,
  ``portability``, ``restriction``, ``objection``; ``outcome``: ``done``,
  ``refused``, ``partly``;
* numbers (``retention_days``, ``record_count``): ``Float64``.

A value that cannot be normalised becomes missing (or is left out of the
list) and is reported in ``issues``; the row itself is always kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from audit.inputs.contract import conform
from audit.records.store import RecordStore, store_from_frames

ISSUE_COLUMNS = ["file", "sheet", "row", "column", "value", "problem"]
"""Where an input issue is and what it is; ``value`` never quotes what may be personal data (:mod:`audit.inputs.quoting`)."""
ISSUE_SEVERITIES = ("error", "warning", "info")
"""How much an input issue matters. ``warning`` (the default): a value is
unreadable, inconsistent or out of range and the audit went on without it.
``info``: nothing was lost, but the DPO should know (a column the contract
does not recognise, kept and not read). ``error`` is for what makes a row
unusable to the rules; the loader itself raises none yet."""
DEFAULT_SEVERITY = "warning"
ISSUE_FRAME_COLUMNS = [*ISSUE_COLUMNS, "severity"]
"""The columns of ``Inputs.issues``, in order."""
FILE_COLUMNS = ["file", "sheet", "rows", "sha256"]
HEADER_COLUMNS = ["file", "sheet", "column", "header"]
"""The columns of ``Inputs.headers``: each canonical column of a sheet read, with its header as the DPO wrote it."""
PROVENANCE = ["src_file", "src_sheet", "src_row"]


def empty_issues() -> pd.DataFrame:
    """An issues frame with the standard columns and no rows."""
    return pd.DataFrame({col: pd.Series(dtype="object") for col in ISSUE_FRAME_COLUMNS})


@dataclass
class Inputs:
    """All loaded inputs of one data folder.

    Attributes
    ----------
    activities, systems, vendors
        Required inputs, always present.
    requests, disclosures
        Optional; an empty frame with the canonical columns when the file is absent.
    records
        Record extracts keyed by ``system_id`` (file stem), each an engine
        table (:class:`~audit.records.store.Extract`, DuckDB by default) with
        ``record_id``, ``subject_ref``, ``activity_id``, the date anchors
        present (``collected``, ``contract_end``, ...) as dates, and
        ``src_sheet``, ``src_row``. Names and e-mail addresses are not
        staged. A plain dict of small frames (tests) is turned into one.
    issues
        Validation issues: ``file, sheet, row, column, value, problem, severity``
        (:data:`ISSUE_FRAME_COLUMNS`).
    files
        One row per file and sheet read: ``file, sheet, rows, sha256``.
    data_dir
        The folder loaded, as given.
    headers
        Per file and sheet read, each canonical ``column`` with the
        ``header`` the DPO wrote (``Mottagare`` for ``recipients``), so a
        finding cites the column by the name its reader knows
        (:data:`HEADER_COLUMNS`; ``file`` and ``sheet`` as in ``src_file``, ``src_sheet``).
    """

    activities: pd.DataFrame
    systems: pd.DataFrame
    vendors: pd.DataFrame
    requests: pd.DataFrame
    disclosures: pd.DataFrame
    records: RecordStore = field(default_factory=RecordStore)
    issues: pd.DataFrame = field(default_factory=empty_issues)
    files: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FILE_COLUMNS))
    data_dir: str = ""
    headers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HEADER_COLUMNS))

    def __post_init__(self) -> None:
        """Give every sheet frame all its contract columns, however the frames were built."""
        self.activities = conform(self.activities, "Activities")
        self.systems = conform(self.systems, "Systems")
        self.vendors = conform(self.vendors, "Vendors")
        self.requests = conform(self.requests, "Requests")
        self.disclosures = conform(self.disclosures, "Disclosures")
        if not isinstance(self.records, RecordStore):
            self.records = store_from_frames(self.records)

    def header(self, file: str, sheet: str, column: str) -> str:
        """The header ``column`` had in ``file`` › ``sheet`` as the DPO wrote it (``column`` itself when unknown)."""
        h = self.headers
        found = h.loc[(h["file"] == file) & (h["sheet"] == sheet) & (h["column"] == column), "header"]
        return str(found.iloc[0]) if len(found) else column

    @cached_property
    def unreadable(self) -> pd.DataFrame:
        """The cells that held a value the loader could not read, one row per cell.

        Columns ``src_file, src_sheet, src_row`` (the row, as in the frames),
        ``column`` (canonical), ``header`` (as written), ``problem`` and
        ``where`` (the input issue's ``file › sheet › row N, column <header>``).
        Such a cell is blank in its frame, but it is not absent: a rule that
        finds it blank says it could not be read and cites ``where``
        (:func:`audit.rules.common.unreadable`). Derived from ``issues`` on
        first use (:func:`audit.inputs.validate.unreadable_cells`).
        """
        from audit.inputs.validate import unreadable_cells  # validate builds on this module

        return unreadable_cells(self)
