"""Names across sheets: one vendor, however each sheet writes it (issue 10, item 4).

The issue's case: "Microsoft" in the register and on a system row,
"Microsoft Ireland Operations Ltd" in Vendors gave REC-01 "category
unknown" and a transfer-register row with no systems and no data. Names now
resolve once, in the loader, to the Vendors sheet's name; a match by leading
words is an input issue to confirm, an ambiguous name an issue and no guess.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from audit.errors import ReferenceDataError
from audit.inputs import load_inputs
from audit.inputs.model import ISSUE_COLUMNS
from audit.inputs.vendor_names import ALIASES_FILE, VendorAliasesFile, VendorIndex, name_key
from audit.reference.datafiles import load_yaml, validate
from audit.rules.recipients import actual_recipients
from audit.rules.registry import run_rules
from audit.rules.transfers import transfer_register
from tests.conftest import ACTIVITIES, SYSTEMS, VENDORS, VENDORS_HEADER, write_xlsx
from tests.factories import make_ctx

Folder = Callable[..., Path]
MICROSOFT = "Microsoft Ireland Operations Ltd"


def rows(issues: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in issues[ISSUE_COLUMNS].itertuples(index=False)]


# --- the name key --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Microsoft Ireland Operations Ltd", ("microsoft", "ireland", "operations")),
        ("MICROSOFT IRELAND OPERATIONS LIMITED", ("microsoft", "ireland", "operations")),
        ("Kundkraft CRM AB (publ)", ("kundkraft", "crm")),
        ("Carasent Norge AS", ("carasent", "norge")),
        ("Carasent Danmark ApS", ("carasent", "danmark")),
        ("Acme GmbH & Co. KG", ("acme",)),
        ("Kaveri Support Services Pvt Ltd", ("kaveri", "support", "services")),
        ("LinkedIn Ireland Unlimited Company", ("linkedin", "ireland")),
        ("FormBridge Inc.", ("formbridge",)),
        ("AWS EMEA SARL", ("amazon", "web", "services", "emea")),  # brand read as its group
        ("Facebook", ("meta", "platforms")),
        ("AB", ("ab",)),  # never empty: a name that is only a legal form stays as it is
        ("Ekonomiportalen Sverige AB", ("ekonomiportalen", "sverige")),  # a country word is part of the name
    ],
)
def test_name_key_drops_the_legal_form_and_reads_brands(name: str, key: tuple[str, ...]) -> None:
    assert name_key(name) == key


# --- matching, step by step ----------------------------------------------------------------------


def index(*names: str, aliases: list[list[str]] | None = None) -> VendorIndex:
    series = pd.Series(list(names), dtype=object)
    return VendorIndex(series, pd.Series(aliases, dtype=object) if aliases is not None else None)


def test_each_step_of_the_match() -> None:
    vendors = index(
        MICROSOFT, "Amazon Web Services EMEA SARL", "Kundkraft CRM AB", "Acme", aliases=[[], [], [], ["Roadrunner"]]
    )
    cases = {
        "microsoft ireland operations ltd.": (MICROSOFT, "exact"),
        "roadrunner": ("Acme", "exact"),  # the vendor's own aliases column
        "Microsoft Ireland Operations Limited": (MICROSOFT, "normalised"),
        "Kundkraft CRM": ("Kundkraft CRM AB", "normalised"),
        "AWS EMEA": ("Amazon Web Services EMEA SARL", "normalised"),
        "Microsoft": (MICROSOFT, "leading"),
        "Office 365": (MICROSOFT, "leading"),  # brand, then leading words
        "Microsoft Ireland Operations Ltd Dublin": (MICROSOFT, "leading"),
        "Polismyndigheten": (None, "none"),
    }
    found = {name: (m.vendor, m.how) for name in cases if (m := vendors.match(name))}
    assert found == cases


def test_a_name_several_vendors_fit_is_ambiguous_never_a_guess() -> None:
    vendors = index(MICROSOFT, "Microsoft Sverige AB")
    match = vendors.match("Microsoft")
    assert (match.vendor, match.how, match.candidates) == (None, "ambiguous", (MICROSOFT, "Microsoft Sverige AB"))
    # Equal but for the legal form is closer than leading words: no ambiguity.
    assert index(MICROSOFT, "Microsoft Corporation").match("Microsoft").vendor == "Microsoft Corporation"


def test_an_equal_normalised_name_wins_over_leading_words() -> None:
    vendors = index("Carasent ASA", "Carasent Norge AS", "Carasent Danmark ApS")
    assert (vendors.match("Carasent").vendor, vendors.match("Carasent").how) == ("Carasent ASA", "normalised")
    assert vendors.match("Carasent Norge").vendor == "Carasent Norge AS"


def test_a_repeated_vendor_row_is_one_vendor() -> None:
    assert index("MailCo", "mailco").match("MAILCO").vendor == "MailCo"


# --- the alias file ------------------------------------------------------------------------------


def test_the_alias_file_fits_its_model_and_names_its_source() -> None:
    model = validate(VendorAliasesFile, load_yaml(ALIASES_FILE), ALIASES_FILE)
    assert model.source.strip() and model.date.year >= 2026
    assert {"AB", "Ltd", "GmbH", "Inc", "Oy", "ApS", "AS", "BV", "SA", "LLC", "plc"} <= set(model.legal_forms)
    assert "Operations" not in model.legal_forms  # only legal forms: "Operations" is part of a name


def test_a_brand_under_two_groups_is_a_one_line_error() -> None:
    data = copy.deepcopy(load_yaml(ALIASES_FILE))
    data["brands"]["Google"].append("Azure")
    with pytest.raises(ReferenceDataError) as info:
        validate(VendorAliasesFile, data, ALIASES_FILE)
    assert str(info.value) == (
        "data/reference/vendor_aliases.yaml: brands.Microsoft: 'Azure' is also listed for 'Google'"
    )


# --- in the loader: the issue's case -------------------------------------------------------------


def microsoft_folder(folder: Folder, vendors_extra: list[list[object]] | None = None) -> Path:
    """The base folder, with Microsoft as the register's recipient and S-CRM's vendor, named in full in Vendors."""
    acts = copy.deepcopy(ACTIVITIES)
    acts[0][9] = "MailCo; Microsoft"
    systems = copy.deepcopy(SYSTEMS)
    systems[1][2] = "Microsoft"
    vendors = [
        copy.deepcopy(VENDORS[0]),
        [MICROSOFT, "Irland", "personuppgiftsbiträde", "2024-01-10", "SCC", "", "USA"],
    ]
    return folder(activities=acts, systems=systems, vendors=[*vendors, *(vendors_extra or [])])


def leading(name: str, row: int) -> str:
    return (
        f"matched '{name}' to '{MICROSOFT}' (inventory.xlsx, sheet Leverantörer, row {row}) by its leading words; "
        "write the name as in the vendor list, or add it to that vendor's aliases, to confirm"
    )


def test_names_that_differ_across_sheets_resolve_to_the_vendor(folder: Folder) -> None:
    inputs = load_inputs(microsoft_folder(folder))
    assert rows(inputs.issues) == [
        ("activities.xlsx", "Behandlingar", 4, "Mottagare", "Microsoft", leading("Microsoft", 3)),
        ("inventory.xlsx", "System", 3, "Leverantör", "Microsoft", leading("Microsoft", 3)),
    ]
    assert inputs.activities.loc[0, "recipients"] == ["MailCo", MICROSOFT]
    assert inputs.systems.loc[1, "vendor"] == MICROSOFT
    ctx = make_ctx(inputs)
    actual = actual_recipients(ctx)
    ms = actual[actual["recipient"] == MICROSOFT]
    # One recipient, its category from its system, in both activities.
    assert ms[["activity_id", "source", "category", "category_from"]].values.tolist() == [
        ["A-1", "listed", "crm_system", "vendor's systems"],
        ["A-2", "system vendor", "crm_system", "system recipient_category"],
    ]
    reg = transfer_register(ctx)
    us = reg[reg["country"] == "US"]
    assert us[["vendor", "systems", "activities", "data_categories"]].values.tolist() == [
        [MICROSOFT, ["S-CRM"], ["A-1", "A-2"], ["E-mail", "Name"]]
    ]  # one row, with its system and its data; no second row for "Microsoft"


def test_the_issue_case_gives_no_unknown_category_and_no_empty_transfer(folder: Folder) -> None:
    findings = run_rules(make_ctx(load_inputs(microsoft_folder(folder))))
    ms = findings[findings["vendor"].isin(["Microsoft", MICROSOFT])].set_index("rule")["detail"]
    assert ms["REC-01"] == (
        f"Activity A-1 shares data with {MICROSOFT} (listed; category CRM system): not named for "
        "P-NEWSLETTER nor in section 6 (the policy names for P-NEWSLETTER: Newsletter service, "
        "Group company; for every activity: Group company, IT system, Accounting system, Authority)."
    )
    assert ms["TRF-05"] == (
        f"{MICROSOFT} (IE) makes data available in United States by access, hosting (S-CRM); "
        "safeguard: SCC, no TIA; data: E-mail, Name."
    )
    assert sorted(r for r in ms.index if r[:3] in ("REC", "TRF")) == ["REC-01", "TRF-04", "TRF-05"]


def test_an_ambiguous_name_is_an_issue_and_stays_as_written(folder: Folder) -> None:
    other = ["Microsoft Sverige AB", "Sverige", "personuppgiftsbiträde", "2024-01-10", "", "", ""]
    inputs = load_inputs(microsoft_folder(folder, [other]))
    problem = (
        f"'Microsoft' fits several vendors (inventory.xlsx, sheet Leverantörer): '{MICROSOFT}' (row 3), "
        "'Microsoft Sverige AB' (row 4); left unmatched: write the name as in the vendor list, "
        "or add it to one vendor's aliases"
    )
    assert rows(inputs.issues) == [
        ("activities.xlsx", "Behandlingar", 4, "Mottagare", "Microsoft", problem),
        ("inventory.xlsx", "System", 3, "Leverantör", "Microsoft", problem),
    ]
    assert inputs.systems.loc[1, "vendor"] == "Microsoft"
    assert inputs.activities.loc[0, "recipients"] == ["MailCo", "Microsoft"]


def test_the_vendors_alias_column_confirms_a_name(folder: Folder) -> None:
    root = microsoft_folder(folder)
    header = [*VENDORS_HEADER, "Alias/varumärke"]
    vendors = [
        [*VENDORS[0], ""],
        [MICROSOFT, "Irland", "personuppgiftsbiträde", "2024-01-10", "SCC", "", "USA", "Microsoft; Office 365"],
    ]
    write_xlsx(
        root / "inventory.xlsx",
        {
            "System": [
                ["System-ID", "Systemnamn", "Leverantör", "Mottagarkategori", "Lagringsland"],
                ["S-MAIL", "Mailer", "MailCo", "Nyhetsbrevstjänst", "Sverige"],
                ["S-CRM", "CRM", "Microsoft", "CRM-system", "Sverige, USA"],
                ["S-365", "Office", "Office 365", "IT-system", "Irland"],
            ],
            "Leverantörer": [header, *vendors],
        },
    )
    inputs = load_inputs(root)
    assert inputs.vendors.loc[1, "aliases"] == ["Microsoft", "Office 365"]
    assert inputs.issues.empty  # the DPO said so: nothing to confirm
    assert inputs.systems["vendor"].tolist() == ["MailCo", MICROSOFT, MICROSOFT]
    assert inputs.activities.loc[0, "recipients"] == ["MailCo", MICROSOFT]


def test_a_disclosure_recipient_resolves_to_the_vendor(folder: Folder) -> None:
    root = microsoft_folder(folder)
    write_xlsx(
        root / "disclosures.xlsx",
        {
            "Utlämnanden": [
                ["Datum", "Aktivitet", "Mottagare"],
                ["2026-03-01", "A-1", "Microsoft"],
                ["2026-03-02", "A-1", "Polisen"],
            ]
        },
    )
    inputs = load_inputs(root)
    assert inputs.disclosures["recipient"].tolist() == [MICROSOFT, "Polisen"]  # no vendor fits "Polisen": kept
    assert ("disclosures.xlsx", "Utlämnanden", 2, "Mottagare", "Microsoft", leading("Microsoft", 3)) in rows(
        inputs.issues
    )


def test_a_system_vendor_no_vendor_fits_is_still_an_issue(folder: Folder) -> None:
    systems = copy.deepcopy(SYSTEMS)
    systems[1][2] = "Ghost Ltd"
    inputs = load_inputs(folder(systems=systems))
    assert rows(inputs.issues) == [
        (
            "inventory.xlsx",
            "System",
            3,
            "Leverantör",
            "Ghost Ltd",
            "vendor not in the vendor list (inventory.xlsx, sheet Leverantörer)",
        )
    ]
