"""Fixtures that build small data folders the way DPOs send them.

The base folder is deliberately "real-world": Swedish headers and sheet
names, a title row above each header, written-out Swedish dates, Swedish
country names and roles. It is fully valid, so a test plants exactly one
gap in it and asserts exactly the issue or error that gap produces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

Rows = list[list[object]]

ACTIVITIES_TITLE = ["Registerförteckning enligt artikel 30 (Exempel AB)"]
ACTIVITIES_HEADER = [
    "Nr",
    "Behandling",
    "Policyavsnitt",
    "Roll",
    "Ändamål",
    "Rättslig grund",
    "Kategorier av registrerade",
    "Kategorier av personuppgifter",
    "IT-system",
    "Mottagare",
    "Tredjeland",
    "Lagringstid",
    "Säkerhetsåtgärder",
    "Senast granskad",
    "Kommentar",
]
ACTIVITIES = [
    [
        "A-1",
        "Nyhetsbrev",
        "P-NEWSLETTER",
        "Personuppgiftsansvarig",
        "Marknadsföring",
        "Berättigat intresse",
        "Kunder; Prospekt",
        "Namn, E-post",
        "S-MAIL",
        "MailCo",
        "",
        "Tills avregistrering",
        "Kryptering",
        "1 mars 2025",
        "granskad av DPO",
    ],
    [
        "A-2",
        "Support åt kunder",
        "P-PROCESSOR",
        "personuppgiftsbiträde",
        "Support",
        "Avtal",
        "Kunders användare",
        "Namn",
        "S-CRM",
        "CRM AB",
        "Indien",
        "30 dagar",
        "Behörighetsstyrning",
        dt.datetime(2025, 6, 15),
        "",
    ],
]

SYSTEMS_HEADER = [
    "System-ID",
    "Systemnamn",
    "Leverantör",
    "Mottagarkategori",
    "Lagringsland",
    "Gallring dagar",
    "Automatisk gallring",
    "Kryptering",
    "Säkerhetskopiering",
    "Senaste säkerhetstest",
]
SYSTEMS = [
    ["S-MAIL", "Mailer", "MailCo", "Nyhetsbrevstjänst", "Sverige", 30, "ja", "ja", "ja", "1 mar 2025"],
    ["S-CRM", "CRM", "CRM AB", "CRM-system", "Sverige, USA", "", "nej", "ja", "nej", "2025-02-01"],
]

VENDORS_HEADER = ["Leverantör", "Land", "Roll", "Biträdesavtal", "Överföringsgrund", "DPF certified", "Åtkomst från"]
VENDORS = [
    ["MailCo", "Sverige", "personuppgiftsbiträde", "2024-01-10", "ingen", "", ""],
    ["CRM AB", "USA", "personuppgiftsbiträde", "10 januari 2024", "DPF", "ja", "Indien; Förenta staterna"],
]

REQUESTS_HEADER = ["Ärende", "Registrerad", "Rättighet", "Inkommen", "Avslutad", "Utfall"]
REQUESTS = [["R-1", "DS-1", "registerutdrag", "3 februari 2025", "20 februari 2025", "klar"]]

RECORDS_CSV = (
    "record_id,subject_ref,activity_id,collected,last_contact\n"
    "1,DS-1,A-1,2024-01-05,2024-06-01\n"
    "2,DS-2,A-1,2024-02-05,\n"
    "3,DS-3,A-2,2023-12-31,2024-01-02\n"
)


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    """A workbook with the given sheets; row lists are written from A1 down, ``""`` as an empty cell."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "" and value is not None:
                    ws.cell(row=r, column=c, value=value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_csv(path: Path, rows: Rows, sep: str = ",") -> Path:
    """A CSV file from rows (values written as text, dates as ISO)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame([[_text(v) for v in row] for row in rows])
    frame.to_csv(path, sep=sep, header=False, index=False, encoding="utf-8")
    return path


def _text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return "" if value is None else str(value)


def tables(
    activities: Rows | None = None,
    systems: Rows | None = None,
    vendors: Rows | None = None,
    activities_header: list[str] | None = None,
    systems_header: list[str] | None = None,
    vendors_header: list[str] | None = None,
) -> dict[str, Rows]:
    """The base folder's sheets (title row, blank row, header, data), with any part replaced."""
    return {
        "Activities": [
            ACTIVITIES_TITLE,
            [],
            activities_header or ACTIVITIES_HEADER,
            *(activities if activities is not None else ACTIVITIES),
        ],
        "Systems": [systems_header or SYSTEMS_HEADER, *(systems if systems is not None else SYSTEMS)],
        "Vendors": [vendors_header or VENDORS_HEADER, *(vendors if vendors is not None else VENDORS)],
        "Requests": [REQUESTS_HEADER, *REQUESTS],
    }


def build_folder(root: Path, sheets: dict[str, Rows], fmt: str = "xlsx", records: bool = True) -> Path:
    """Write the sheets as a data folder in ``fmt`` (``xlsx`` or ``csv``), plus a record extract."""
    root.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        write_xlsx(root / "activities.xlsx", {"Behandlingar": sheets["Activities"]})
        write_xlsx(root / "inventory.xlsx", {"System": sheets["Systems"], "Leverantörer": sheets["Vendors"]})
        write_xlsx(root / "requests.xlsx", {"Ärenden": sheets["Requests"]})
    else:
        write_csv(root / "activities.csv", sheets["Activities"])
        write_csv(root / "inventory.systems.csv", sheets["Systems"], sep=";")
        write_csv(root / "inventory.vendors.csv", sheets["Vendors"])
        write_csv(root / "requests.csv", sheets["Requests"])
    if records:
        (root / "records").mkdir(exist_ok=True)
        (root / "records" / "S-CRM.csv").write_text(RECORDS_CSV, encoding="utf-8")
    return root


@pytest.fixture
def folder(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``folder(fmt="xlsx", **replacements)`` builds a data folder in tmp_path."""

    def make(fmt: str = "xlsx", records: bool = True, **parts: object) -> Path:
        return build_folder(tmp_path / "data", tables(**parts), fmt=fmt, records=records)

    return make


def folder_state(root: Path) -> dict[str, tuple[str, int]]:
    """SHA-256 and mtime of every file under ``root``, to prove loading never writes."""
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- hypothesis profiles -------------------------------------------------------
# "ci" (the default): a fixed, derandomised example set, so a run in CI is
# repeatable and the folder properties (tests/test_properties_folders.py,
# about a second per example) stay within a few minutes on two cores.
# "dev": many more, random examples, run locally with HYPOTHESIS_PROFILE=dev.
# Tests that name their own max_examples keep it under either profile.
import os  # noqa: E402

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile(
    "dev",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# --- copies of the bundled sample, edited one defect at a time (issue 10) ---------------


def edit_sheet(path: Path, sheet: str | None, edit: Callable[[openpyxl.worksheet.worksheet.Worksheet], None]) -> Path:
    """Open a workbook of a data folder, let ``edit`` change one sheet (the first when ``None``), save it."""
    wb = openpyxl.load_workbook(path)
    edit(wb[sheet] if sheet else wb.worksheets[0])
    wb.save(path)
    return path


def header_position(ws: openpyxl.worksheet.worksheet.Worksheet, header: str, row: int = 1) -> int:
    """The 1-based column of ``header`` in row ``row`` of ``ws``."""
    return next(c.column for c in ws[row] if c.value == header)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of data/sample, so a test can plant one defect in a known-good folder."""
    import shutil

    from audit.paths import SAMPLE_DIR

    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, root)
    return root
