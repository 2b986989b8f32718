"""The findings an audit of the sample must produce, as ``expected_findings.csv`` holds them.

The wording is ``findings.yaml``'s; what would go stale if typed is
computed here: the row a finding cites, from the fixture row's position in
its table, and a planted record gap's count, share, oldest date and example
lines, from the extract as drawn (they follow its size and seed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit.reference.datafiles import reference
from tools.sample.constants import GRACE_DAYS
from tools.sample.data import FINDINGS, TABLES
from tools.sample.findingspec import LOCATION_TABLES, FindingSpec
from tools.sample.records import Extract

EXPECTED_COLUMNS = ["rule", "subject", "what"]


def location(kind: str, key: str) -> str:
    """``file › sheet › row N`` of a fixture row, computed from its position so it cannot go stale.

    Parameters
    ----------
    kind
        Location kind (``activity``, ``system``, ``vendor``, ``request``, ``disclosure``).
    key
        The row's id (a disclosure's date as ``YYYY-MM-DD``).
    """
    table = TABLES[LOCATION_TABLES[kind]]
    return f"{table.where} › row {table.row_number(key)}"


def record_gap(ext: Extract, file: str, tag: str, activity: str, anchor: str | None, what: str) -> str:
    """Describe a planted record group with its count, share, oldest anchor date and example lines.

    Parameters
    ----------
    ext
        The extract as drawn.
    file
        Its file name as written (``records/S-CRM.csv``).
    tag
        The rule the group plants (its rows' tag).
    activity
        The group's activity id.
    anchor
        Date column whose oldest value is quoted, or ``None``.
    what
        What the records are (``for declined deals still kept``).
    """
    mask = (ext.tag == tag) & (ext.activity == activity)
    group = int((ext.activity == activity).sum())
    lines = np.flatnonzero(mask)[:3] + 2  # CSV line numbers (header = line 1)
    oldest = ext.dates[anchor][mask].min() if anchor else None
    when = f", oldest {anchor} {oldest}" if oldest is not None and not np.isnat(oldest) else ""
    return (
        f"{int(mask.sum()):,} of {group:,} {activity} records {what}{when} — "
        f"{file} › rows {', '.join(map(str, lines))}, …"
    )


def describe(spec: FindingSpec, extracts: dict[str, Extract], files: dict[str, str]) -> str:
    """The ``what`` of one finding: its worded description plus where it is."""
    what = spec.what.format(grace_days=GRACE_DAYS, files=files)
    if spec.records:
        activity, sid = spec.subject.split(":")
        return record_gap(extracts[sid], files[sid], spec.rule, activity, spec.anchor, what)
    return f"{what} — {'; '.join(location(kind, key) for kind, key in spec.at)}"


def expected_findings(extracts: dict[str, Extract], files: dict[str, str]) -> pd.DataFrame:
    """The findings an audit of the sample at :data:`SAMPLE_AS_OF` must produce (POL rules aside).

    Parameters
    ----------
    extracts
        The generated extracts (counts in the descriptions follow their size).
    files
        system_id -> extract file name as written (``records/S-CRM.csv``).

    Returns
    -------
    pandas.DataFrame
        ``rule``, ``subject``, ``what``, in the catalogue's rule order, then by subject.
    """
    rows = [(spec.rule, spec.subject, describe(spec, extracts, files)) for spec in FINDINGS]
    out = pd.DataFrame(rows, columns=EXPECTED_COLUMNS)
    order = {rule: i for i, rule in enumerate(reference("rules")["rules"])}  # the catalogue's order: REG, REC, ...
    out["_order"] = out["rule"].map(order)
    return out.sort_values(["_order", "subject"], kind="stable").drop(columns="_order").reset_index(drop=True)
