"""Every header alias of columns.yaml is recognised, plain and decorated as templates write them."""

from __future__ import annotations

import pandas as pd
import pytest

from audit.inputs.frames import frame_from_grid
from audit.inputs.schema import input_specs, sheet_spec

TS = pd.Timestamp

# One valid cell per column and what it must become; the expectations come
# from inputs.md and model.py (Swedish words, ISO codes, canonical ids).
CELLS: dict[tuple[str, str], dict[str, tuple[object, object]]] = {
    ("activities", "Activities"): {
        "activity_id": ("A-1", "A-1"),
        "activity": ("Nyhetsbrev", "Nyhetsbrev"),
        "policy_ref": ("P-NEWSLETTER", "P-NEWSLETTER"),
        "role": ("personuppgiftsbiträde", "processor"),
        "purpose": ("Marknadsföring", "Marknadsföring"),
        "legal_basis": ("Samtycke", ["consent"]),
        "legitimate_interest": ("Direktmarknadsföring", "Direktmarknadsföring"),
        "special_categories": ("Hälsa", ["Hälsa"]),
        "art9_condition": ("Uttryckligt samtycke", "Uttryckligt samtycke"),
        "data_subjects": ("Kunder; Prospekt", ["Kunder", "Prospekt"]),
        "data_categories": ("Namn, E-post", ["Namn", "E-post"]),
        "systems": ("S-1", ["S-1"]),
        "recipients": ("MailCo", ["MailCo"]),
        "third_countries": ("Indien", ["IN"]),
        "transfer_safeguards": ("SCC", "SCC"),
        "retention": ("30 dagar", "30 dagar"),
        "security_measures": ("Kryptering", "Kryptering"),
        "owner": ("Anna", "Anna"),
        "large_scale": ("ja", True),
        "systematic_monitoring": ("nej", False),
        "dpia": ("ej nödvändig", "not_needed"),
        "last_reviewed": ("1 mars 2025", TS("2025-03-01")),
        "started": ("2023-02-01", TS("2023-02-01")),
    },
    ("inventory", "Systems"): {
        "system_id": ("S-1", "S-1"),
        "system": ("Mailer", "Mailer"),
        "vendor": ("MailCo", "MailCo"),
        "recipient_category": ("Nyhetsbrevstjänst", "Nyhetsbrevstjänst"),
        "hosting_country": ("USA", ["US"]),
        "data_categories": ("Namn", ["Namn"]),
        "retention_days": ("30", 30.0),
        "auto_delete": ("ja", True),
        "encrypted_at_rest": ("nej", False),
        "backup": ("x", True),
        "last_security_test": ("2025-03-01", TS("2025-03-01")),
        "record_count": ("1 200", 1200.0),
        "oldest_record": ("1 jan 2020", TS("2020-01-01")),
    },
    ("inventory", "Vendors"): {
        "vendor": ("MailCo", "MailCo"),
        "aliases": ("Mail Company; MC", ["Mail Company", "MC"]),
        "country": ("Förenta staterna", "US"),
        "role": ("underbiträde", "sub_processor"),
        "category": ("Nyhetsbrevstjänst", "Nyhetsbrevstjänst"),
        "dpa_signed": ("2024-01-10", TS("2024-01-10")),
        "transfer_mechanism": ("SCC", "scc"),
        "dpf_certified": ("nej", False),
        "tia_done": ("2024-02-01", TS("2024-02-01")),
        "access_countries": ("Indien; Kina", ["IN", "CN"]),
    },
    ("requests", "Requests"): {
        "request_id": ("R-1", "R-1"),
        "subject_ref": ("DS-1", "DS-1"),
        "right": ("radering", "erasure"),
        "received": ("3 februari 2025", TS("2025-02-03")),
        "identity_verified": ("2025-02-04", TS("2025-02-04")),
        "extended": ("ja", True),
        "extension_notified": ("2025-02-10", TS("2025-02-10")),
        "completed": ("2025-04-01", TS("2025-04-01")),
        "outcome": ("delvis", "partly"),
    },
    ("disclosures", "Disclosures"): {
        "date": ("2025-05-05", TS("2025-05-05")),
        "activity_id": ("A-1", "A-1"),
        "recipient": ("Polisen", "Polisen"),
        "recipient_role": ("myndighet", "authority"),
        "legal_basis": ("rättslig förpliktelse", ["legal_obligation"]),
        "data_categories": ("Namn", ["Namn"]),
        "reason": ("Begäran", "Begäran"),
    },
    ("records", "Records"): {
        "record_id": ("1", "1"),
        "subject_ref": ("DS-1", "DS-1"),
        "activity_id": ("A-1", "A-1"),
        "collected": ("2025-01-01", TS("2025-01-01")),
        "contract_end": ("2025-01-02", TS("2025-01-02")),
        "event_date": ("2025-01-03", TS("2025-01-03")),
        "training_completed": ("2025-01-04", TS("2025-01-04")),
        "deal_declined": ("2025-01-05", TS("2025-01-05")),
        "unsubscribed": ("2025-01-06", TS("2025-01-06")),
        "study_end": ("2025-01-10", TS("2025-01-10")),
        "recruitment_closed": ("2025-01-11", TS("2025-01-11")),
        "last_contact": ("2025-01-07", TS("2025-01-07")),
        "last_login": ("2025-01-08", TS("2025-01-08")),
        "last_journal_entry": ("2025-01-09", TS("2025-01-09")),
        "fiscal_year_end": ("2024-12-31", TS("2024-12-31")),
    },
}


def _alias_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for input_spec in input_specs().values():
        for sheet in input_spec.sheets:
            for column in sheet.columns:
                for alias in (column.name, *column.aliases):
                    cases.append((input_spec.name, sheet.name, column.name, alias))
    return cases


ALIAS_CASES = _alias_cases()


def _load(input_name: str, sheet_name: str, headers: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    cells = CELLS[(input_name, sheet_name)]
    grid = pd.DataFrame(
        [
            ["Mall för registerförteckning", *[""] * (len(cells) - 1)],
            [headers.get(col, col) for col in cells],
            [raw for raw, _ in cells.values()],
        ],
        dtype=object,
    )
    loaded = frame_from_grid(grid, sheet_spec(input_name, sheet_name), "f.xlsx", sheet_name, None)
    return loaded.data, loaded.issues


def test_every_contract_column_has_a_test_cell() -> None:
    for input_spec in input_specs().values():
        for sheet in input_spec.sheets:
            assert [c.name for c in sheet.columns] == list(CELLS[(input_spec.name, sheet.name)])


@pytest.mark.parametrize(("input_name", "sheet_name"), list(CELLS))
def test_canonical_headers_give_the_normalised_values(input_name: str, sheet_name: str) -> None:
    data, issues = _load(input_name, sheet_name, {})
    assert issues.empty
    for column, (_, expected) in CELLS[(input_name, sheet_name)].items():
        assert data.loc[0, column] == expected, column
    assert data.loc[0, "src_row"] == 3


@pytest.mark.parametrize("decorate", [False, True], ids=["plain", "decorated"])
@pytest.mark.parametrize(("input_name", "sheet_name", "column", "alias"), ALIAS_CASES)
def test_alias_is_recognised(input_name: str, sheet_name: str, column: str, alias: str, decorate: bool) -> None:
    header = f"  {alias.upper()} (se instruktion) " if decorate else alias
    data, issues = _load(input_name, sheet_name, {column: header})
    assert issues.empty
    assert data.loc[0, column] == CELLS[(input_name, sheet_name)][column][1]
    extras = [c for c in data.columns if c not in CELLS[(input_name, sheet_name)] and not c.startswith("src_")]
    assert extras == []  # recognised, not kept as an extra column
