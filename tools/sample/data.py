"""The sample's fixtures, loaded once from ``tools/sample/fixtures/`` when the package is imported.

Each data file is checked on load by its own module
(:mod:`~tools.sample.organisation`, :mod:`~tools.sample.recordspec`,
:mod:`~tools.sample.findingspec`); this one loads them in dependency order,
checks what ties them together (every extract belongs to a system of the
inventory) and exposes the names the tests and benchmarks use
(``ACTIVITIES``, ``SYSTEMS``, ``DATE_COLUMNS``, ...). Loading at import means
a malformed file stops any use of the generator at once, with the file and
key in the message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools.sample.findingspec import FindingSpec, load_findings
from tools.sample.loading import FIXTURES_DIR, FixtureError, Node, display_name, read_template, template_fields
from tools.sample.organisation import TABLE_KEYS, Table, load_organisation
from tools.sample.recordspec import RECORDS_FILE, RecordSpec, load_records

README_FILE = FIXTURES_DIR / "readme.template.md"
README_FIELDS = frozenset({"as_of", "files", "findings", "grace_days", *TABLE_KEYS})


def load_readme_template(path: Path = README_FILE) -> str:
    """The README's Markdown template; its fields must be among :data:`README_FIELDS`.

    Raises
    ------
    FixtureError
        When the front matter is malformed or the body names an unknown field.
    """
    head, body = read_template(path)
    where = Node(body, head.file, "template body")
    unknown = sorted(template_fields(where, body) - README_FIELDS)
    if unknown:
        where.fail(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(README_FIELDS))})")
    return body


def _check_systems(records: RecordSpec, tables: dict[str, Table]) -> RecordSpec:
    """Every extract must be a system of the inventory: its row gets the extract's record count."""
    systems = {row["system_id"] for row in tables["systems"].rows}
    for sid in records.extracts:
        if sid not in systems:
            raise FixtureError(f"{display_name(RECORDS_FILE)}: extracts.{sid}: no such system in organisation.yaml")
    return records


TABLES: dict[str, Table] = load_organisation()
RECORDS: RecordSpec = _check_systems(load_records(), TABLES)
FINDINGS: list[FindingSpec] = load_findings(TABLES, RECORDS.extracts)
README_TEMPLATE: str = load_readme_template()

ACTIVITIES: list[dict[str, Any]] = TABLES["activities"].rows
SYSTEMS: list[dict[str, Any]] = TABLES["systems"].rows
VENDORS: list[dict[str, Any]] = TABLES["vendors"].rows
REQUESTS: list[dict[str, Any]] = TABLES["requests"].rows
DISCLOSURES: list[dict[str, Any]] = TABLES["disclosures"].rows
ACTIVITY_HEADERS: dict[str, str] = TABLES["activities"].headers
SYSTEM_HEADERS: dict[str, str] = TABLES["systems"].headers
VENDOR_HEADERS: dict[str, str] = TABLES["vendors"].headers
REQUEST_HEADERS: dict[str, str] = TABLES["requests"].headers
DISCLOSURE_HEADERS: dict[str, str] = TABLES["disclosures"].headers
DATE_COLUMNS: dict[str, list[str]] = {sid: spec.dates for sid, spec in RECORDS.extracts.items()}
MAIN_EXTRACTS: tuple[str, ...] = RECORDS.main_extracts
