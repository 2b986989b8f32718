"""The sample folder's README: ``readme.template.md`` filled in with what was written.

The prose is a template so that it can be read and edited as Markdown;
every number in it (rows per file, tables' sizes, the grace period) and the
table of planted gaps are filled in from the generated files, so the README
cannot disagree with them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tools.sample.constants import GRACE_DAYS, SAMPLE_AS_OF
from tools.sample.data import README_TEMPLATE, TABLES


def render_readme(expected: pd.DataFrame, summary: dict[str, Any]) -> str:
    """The README text.

    Parameters
    ----------
    expected
        The expected findings as written (:func:`tools.sample.expected.expected_findings`).
    summary
        :func:`tools.sample.build.write_sample`'s summary; its ``files`` (name -> data rows) make the file table.
    """
    files = "\n".join(f"| `{name}` | {rows} |" for name, rows in summary["files"].items())
    findings = "\n".join(f"| {r.rule} | `{r.subject}` | {r.what} |" for r in expected.itertuples())
    sizes = {key: len(table.rows) for key, table in TABLES.items()}
    return README_TEMPLATE.format(
        as_of=SAMPLE_AS_OF.isoformat(), files=files, findings=findings, grace_days=GRACE_DAYS, **sizes
    )
