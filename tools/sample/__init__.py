"""The bundled sample organisation: a fictional Carasent Sverige AB that runs under the policy.

The notebooks, the command line and the rules' end-to-end test need a data
folder that looks like what a DPO really hands over (Swedish IMY-style
register with title rows, English inventory, mixed date and country
spellings) and that holds a known set of gaps. Generating it, instead of
committing hand-edited spreadsheets, keeps three things in step that would
otherwise drift: the files, ``expected_findings.csv`` (the exact findings an
audit at :data:`SAMPLE_AS_OF` must produce, POL rules aside) and the README
table describing them. Row numbers in the expected list are computed from
the rows as written, never typed.

Everything is fixed. The register, inventory, request and disclosure rows,
the record extracts' make-up, the planted gaps' wording and the README's
prose are data files in ``tools/sample/fixtures/``, checked when this
package is imported. The record extracts are drawn with numpy's
``Generator`` from a seed, column-wise, so a million rows per extract is a
matter of seconds (the benchmark's use); planted record gaps are
proportions of a group, so they scale with the extract size. No wall clock
is read: all dates are laid out around :data:`SAMPLE_AS_OF`, and the xlsx
zip entries and document properties carry a fixed timestamp, so
regenerating reproduces the files byte for byte.

Modules: :mod:`~tools.sample.loading` (reading and checking fixture files),
:mod:`~tools.sample.organisation`, :mod:`~tools.sample.recordspec` and
:mod:`~tools.sample.findingspec` (one per data file), :mod:`~tools.sample.data`
(loads them), :mod:`~tools.sample.records` (draws the extracts),
:mod:`~tools.sample.extracts` (writes them), :mod:`~tools.sample.workbooks`,
:mod:`~tools.sample.expected`, :mod:`~tools.sample.readme`,
:mod:`~tools.sample.build` (:func:`write_sample`) and :mod:`~tools.sample.cli`.

Run ``python -m tools.sample [OUT_DIR]`` (default ``data/sample``).
"""

from tools.sample.build import extract_sizes, write_sample
from tools.sample.cli import main
from tools.sample.constants import DEFAULT_SEED, FIXED_TIMESTAMP, GRACE_DAYS, RECORD_FORMATS, SAMPLE_AS_OF
from tools.sample.data import (
    ACTIVITIES,
    ACTIVITY_HEADERS,
    DATE_COLUMNS,
    DISCLOSURE_HEADERS,
    DISCLOSURES,
    MAIN_EXTRACTS,
    REQUEST_HEADERS,
    REQUESTS,
    SYSTEM_HEADERS,
    SYSTEMS,
    VENDOR_HEADERS,
    VENDORS,
)
from tools.sample.expected import EXPECTED_COLUMNS, expected_findings
from tools.sample.extracts import extract_table, write_extract
from tools.sample.loading import FixtureError
from tools.sample.records import Extract, generate_records

__all__ = [
    "ACTIVITIES",
    "ACTIVITY_HEADERS",
    "DATE_COLUMNS",
    "DEFAULT_SEED",
    "DISCLOSURES",
    "DISCLOSURE_HEADERS",
    "EXPECTED_COLUMNS",
    "FIXED_TIMESTAMP",
    "GRACE_DAYS",
    "MAIN_EXTRACTS",
    "RECORD_FORMATS",
    "REQUESTS",
    "REQUEST_HEADERS",
    "SAMPLE_AS_OF",
    "SYSTEMS",
    "SYSTEM_HEADERS",
    "VENDORS",
    "VENDOR_HEADERS",
    "Extract",
    "FixtureError",
    "expected_findings",
    "extract_sizes",
    "extract_table",
    "generate_records",
    "main",
    "write_extract",
    "write_sample",
]
