"""load_inputs on whole data folders: the acceptance cases of the inputs issue."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from audit.errors import InputError
from audit.inputs import load_inputs
from audit.inputs.model import ISSUE_COLUMNS
from tests.conftest import (
    ACTIVITIES,
    ACTIVITIES_HEADER,
    REQUESTS,
    REQUESTS_HEADER,
    SYSTEMS,
    SYSTEMS_HEADER,
    VENDORS,
    build_folder,
    folder_state,
    tables,
    write_csv,
    write_xlsx,
)

Folder = Callable[..., Path]
TS = pd.Timestamp


def issues(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS).astype(object)


def assert_issues(actual: pd.DataFrame, expected: list[tuple]) -> None:
    got = [tuple(r) for r in actual[ISSUE_COLUMNS].itertuples(index=False)]
    assert got == expected


# --- the compliant Swedish folder ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_swedish_folder_with_title_rows_loads_without_issues(folder: Folder, fmt: str) -> None:
    inputs = load_inputs(folder(fmt=fmt))
    assert inputs.issues.empty
    acts = inputs.activities.set_index("activity_id")
    assert acts.loc["A-1", "last_reviewed"] == TS("2025-03-01")  # "1 mars 2025"
    assert acts.loc["A-2", "last_reviewed"] == TS("2025-06-15")
    assert acts.loc["A-1", "role"] == "controller"
    assert acts.loc["A-2", "role"] == "processor"  # "personuppgiftsbiträde"
    assert acts.loc["A-2", "third_countries"] == ["IN"]  # "Indien"
    assert acts.loc["A-1", "legal_basis"] == ["legitimate_interests"]
    assert acts.loc["A-1", "data_subjects"] == ["Kunder", "Prospekt"]
    systems = inputs.systems.set_index("system_id")
    assert systems.loc["S-CRM", "hosting_country"] == ["SE", "US"]  # "Sverige, USA"
    assert systems.loc["S-MAIL", "last_security_test"] == TS("2025-03-01")  # "1 mar 2025"
    assert bool(systems.loc["S-CRM", "auto_delete"]) is False
    vendors = inputs.vendors.set_index("vendor")
    assert vendors.loc["CRM AB", "country"] == "US"
    assert vendors.loc["CRM AB", "access_countries"] == ["IN", "US"]  # "Indien; Förenta staterna"
    assert vendors.loc["CRM AB", "role"] == "processor"
    assert vendors.loc["CRM AB", "dpa_signed"] == TS("2024-01-10")
    assert pd.isna(vendors.loc["MailCo", "dpf_certified"])  # blank = unknown
    assert inputs.requests.loc[0, "right"] == "access"  # "registerutdrag"
    assert list(inputs.records) == ["S-CRM"]


def test_provenance_counts_title_rows_like_excel(folder: Folder) -> None:
    inputs = load_inputs(folder())
    # Title on row 1, blank row 2, header row 3: the data starts on row 4.
    assert inputs.activities[["src_file", "src_sheet", "src_row"]].values.tolist() == [
        ["activities.xlsx", "Behandlingar", 4],
        ["activities.xlsx", "Behandlingar", 5],
    ]
    assert inputs.systems["src_row"].tolist() == [2, 3]
    assert inputs.vendors["src_sheet"].tolist() == ["Leverantörer", "Leverantörer"]


def test_csv_provenance_names_the_file_and_canonical_sheet(folder: Folder) -> None:
    inputs = load_inputs(folder(fmt="csv"))
    assert inputs.activities[["src_file", "src_sheet", "src_row"]].values.tolist() == [
        ["activities.csv", "Activities", 4],
        ["activities.csv", "Activities", 5],
    ]
    assert inputs.systems["src_file"].tolist() == ["inventory.systems.csv"] * 2
    assert inputs.vendors["src_sheet"].tolist() == ["Vendors"] * 2


def test_csv_and_xlsx_give_the_same_frames(tmp_path: Path) -> None:
    a = load_inputs(build_folder(tmp_path / "a", tables(), fmt="xlsx"))
    b = load_inputs(build_folder(tmp_path / "b", tables(), fmt="csv"))
    drop = ["src_file", "src_sheet"]
    for name in ("activities", "systems", "vendors", "requests"):
        pd.testing.assert_frame_equal(getattr(a, name).drop(columns=drop), getattr(b, name).drop(columns=drop))


def test_ods_workbook_loads(folder: Folder) -> None:
    root = folder()
    (root / "activities.xlsx").unlink()
    sheet = [
        ["Registerförteckning"],
        [],
        ACTIVITIES_HEADER,
        *ACTIVITIES,
    ]
    with pd.ExcelWriter(root / "activities.ods", engine="odf") as writer:
        pd.DataFrame(sheet[3:]).to_excel(writer, sheet_name="Blad1", header=sheet[2], index=False, startrow=2)
    inputs = load_inputs(root)
    assert inputs.issues.empty
    assert inputs.activities["src_file"].tolist() == ["activities.ods"] * 2
    assert inputs.activities["src_row"].tolist() == [4, 5]
    assert inputs.activities["last_reviewed"].tolist() == [TS("2025-03-01"), TS("2025-06-15")]


def test_files_lists_each_sheet_with_rows_and_sha256(folder: Folder) -> None:
    root = folder()
    inputs = load_inputs(root)
    files = inputs.files.set_index(["file", "sheet"])
    assert files["rows"].to_dict() == {
        ("activities.xlsx", "Behandlingar"): 2,
        ("inventory.xlsx", "System"): 2,
        ("inventory.xlsx", "Leverantörer"): 2,
        ("requests.xlsx", "Ärenden"): 1,
        ("records/S-CRM.csv", "S-CRM"): 3,
    }
    expected = hashlib.sha256((root / "inventory.xlsx").read_bytes()).hexdigest()
    assert files.loc[("inventory.xlsx", "Leverantörer"), "sha256"] == expected


def test_loading_never_modifies_the_inputs(folder: Folder) -> None:
    root = folder()
    before = folder_state(root)
    load_inputs(root)
    assert folder_state(root) == before


def test_unknown_extra_columns_are_kept_untouched(folder: Folder) -> None:
    inputs = load_inputs(folder())
    assert inputs.activities["Kommentar"].tolist() == ["granskad av DPO", ""]
    cols = list(inputs.activities.columns)
    assert cols.index("Kommentar") > cols.index("last_reviewed")
    assert cols[-3:] == ["src_file", "src_sheet", "src_row"]


def test_optional_inputs_absent_give_empty_typed_frames(folder: Folder) -> None:
    root = folder(records=False)
    (root / "requests.xlsx").unlink()
    inputs = load_inputs(root)
    assert inputs.records == {}
    assert inputs.requests.empty and inputs.disclosures.empty
    assert list(inputs.requests.columns[:4]) == ["request_id", "subject_ref", "right", "received"]
    assert str(inputs.requests["received"].dtype) == "datetime64[ns]"
    assert str(inputs.requests["extended"].dtype) == "boolean"
    assert {"src_file", "src_sheet", "src_row"} <= set(inputs.disclosures.columns)


def test_single_sheet_workbook_may_use_any_sheet_name(folder: Folder) -> None:
    root = folder()
    write_xlsx(root / "requests.xlsx", {"Blad1": [REQUESTS_HEADER, *REQUESTS]})
    inputs = load_inputs(root)
    assert inputs.requests["src_sheet"].tolist() == ["Blad1"]
    assert inputs.requests["request_id"].tolist() == ["R-1"]


# --- errors that stop the load ------------------------------------------------------------


def test_missing_required_column_is_one_exact_error(folder: Folder) -> None:
    header = [h for h in SYSTEMS_HEADER if h != "Lagringsland"]
    rows = [[v for h, v in zip(SYSTEMS_HEADER, row, strict=True) if h != "Lagringsland"] for row in SYSTEMS]
    root = folder(systems_header=header, systems=rows)
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == (
        "inventory.xlsx, sheet System: missing required column 'hosting_country' "
        "(also accepted: data location, lagringsland); headers found (row 1): System-ID, Systemnamn, "
        "Leverantör, Mottagarkategori, Gallring dagar, Automatisk gallring, Kryptering, Säkerhetskopiering, "
        "Senaste säkerhetstest"
    )


def test_missing_required_file_is_an_error(folder: Folder) -> None:
    root = folder()
    (root / "inventory.xlsx").unlink()
    with pytest.raises(InputError, match=r"^inventory\.xlsx: required input not found in .*"):
        load_inputs(root)


def test_missing_sheet_names_the_sheets_found(folder: Folder) -> None:
    root = folder()
    write_xlsx(root / "inventory.xlsx", {"System": [SYSTEMS_HEADER, *SYSTEMS], "Instruktioner": [["Läs mig"]]})
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == "inventory.xlsx: missing sheet Vendors; sheets found: System, Instruktioner"


def test_missing_csv_sheet_is_an_error(folder: Folder) -> None:
    root = folder(fmt="csv")
    (root / "inventory.vendors.csv").unlink()
    with pytest.raises(InputError, match=r"^inventory\.vendors\.csv: missing sheet Vendors of inventory"):
        load_inputs(root)


def test_same_input_twice_is_an_error(folder: Folder) -> None:
    root = folder()
    (root / "activities.csv").write_text("Nr,Behandling\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == (
        "activities.xlsx, activities.csv: the activities input is given more than once; keep one of these files"
    )


def test_bad_date_order_argument_is_an_error(folder: Folder) -> None:
    with pytest.raises(InputError, match="date_order must be one of DMY, MDY"):
        load_inputs(folder(), date_order="YMD")


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="data folder not found"):
        load_inputs(tmp_path / "nope")


# --- validation issues: exact file, sheet, row, column, value, problem ----------------------


def test_bad_date_unknown_system_and_unknown_country_are_exact_issues(folder: Folder) -> None:
    acts = copy.deepcopy(ACTIVITIES)
    acts[0][13] = "31 februari 2025"  # Senast granskad
    acts[1][8] = "S-CRM; S-ERP"  # IT-system
    acts[1][10] = "Indien, Narnia"  # Tredjeland
    inputs = load_inputs(folder(activities=acts))
    assert_issues(
        inputs.issues,
        [
            ("activities.xlsx", "Behandlingar", 4, "Senast granskad", "31 februari 2025", "no such date"),
            ("activities.xlsx", "Behandlingar", 5, "Tredjeland", "Narnia", "unknown country"),
            (
                "activities.xlsx",
                "Behandlingar",
                5,
                "IT-system",
                "S-ERP",
                "system not in the inventory (inventory.xlsx, sheet System)",
            ),
        ],
    )
    acts_out = inputs.activities.set_index("activity_id")
    assert pd.isna(acts_out.loc["A-1", "last_reviewed"])  # kept as missing, row kept
    assert acts_out.loc["A-2", "third_countries"] == ["IN"]
    assert acts_out.loc["A-2", "systems"] == ["S-CRM", "S-ERP"]  # the reference is kept for the rules


def test_ambiguous_date_is_an_issue_without_date_order_and_parses_with_it(folder: Folder) -> None:
    acts = copy.deepcopy(ACTIVITIES)
    acts[0][13] = "1/3/2025"
    root = folder(activities=acts)
    plain = load_inputs(root)
    assert_issues(
        plain.issues,
        [
            (
                "activities.xlsx",
                "Behandlingar",
                4,
                "Senast granskad",
                "1/3/2025",
                "ambiguous date: day and month could be either way round (pass date_order 'DMY' or 'MDY')",
            )
        ],
    )
    assert load_inputs(root, date_order="DMY").activities.loc[0, "last_reviewed"] == TS("2025-03-01")
    assert load_inputs(root, date_order="MDY").activities.loc[0, "last_reviewed"] == TS("2025-01-03")
    assert load_inputs(root, date_order="DMY").issues.empty


def test_unknown_legal_basis_role_and_right_are_issues(folder: Folder) -> None:
    acts = copy.deepcopy(ACTIVITIES)
    acts[0][5] = "Samtycke; magkänsla"
    acts[1][3] = "kund"
    root = folder(activities=acts)
    write_xlsx(
        root / "requests.xlsx", {"Ärenden": [REQUESTS_HEADER, ["R-1", "DS-1", "klagomål", "2025-01-01", "", ""]]}
    )
    inputs = load_inputs(root)
    assert_issues(
        inputs.issues,
        [
            ("activities.xlsx", "Behandlingar", 4, "Rättslig grund", "magkänsla", "unknown legal basis"),
            ("activities.xlsx", "Behandlingar", 5, "Roll", "kund", "unknown activity role"),
            ("requests.xlsx", "Ärenden", 2, "Rättighet", "klagomål", "unknown right"),
        ],
    )
    assert inputs.activities.loc[0, "legal_basis"] == ["consent"]
    assert inputs.activities.loc[1, "role"] is None


def test_duplicated_ids_are_issues_citing_the_first_row(folder: Folder) -> None:
    acts = [*copy.deepcopy(ACTIVITIES), copy.deepcopy(ACTIVITIES[0])]
    systems = [*copy.deepcopy(SYSTEMS), copy.deepcopy(SYSTEMS[0])]
    vendors = [*copy.deepcopy(VENDORS), ["mailco", "Sverige", "personuppgiftsbiträde", "", "", "", ""]]
    root = folder(activities=acts, systems=systems, vendors=vendors)
    write_xlsx(root / "requests.xlsx", {"Ärenden": [REQUESTS_HEADER, *REQUESTS, *REQUESTS]})
    inputs = load_inputs(root)
    assert_issues(
        inputs.issues,
        [
            ("activities.xlsx", "Behandlingar", 6, "Nr", "A-1", "duplicate activity_id (first on row 4)"),
            ("inventory.xlsx", "System", 4, "System-ID", "S-MAIL", "duplicate system_id (first on row 2)"),
            ("inventory.xlsx", "Leverantörer", 4, "Leverantör", "mailco", "duplicate vendor (first on row 2)"),
            ("requests.xlsx", "Ärenden", 3, "Ärende", "R-1", "duplicate request_id (first on row 2)"),
        ],
    )
    assert len(inputs.activities) == 3  # nothing dropped


def test_system_vendor_must_be_in_vendors_except_internal(folder: Folder) -> None:
    systems = copy.deepcopy(SYSTEMS)
    systems[0][2] = "mailco "  # same vendor, other spelling
    systems.append(["S-HR", "HR", "Intern", "IT-system", "Sverige", "", "", "", "", ""])
    systems.append(["S-X", "X", "Ghost Ltd", "IT-system", "Sverige", "", "", "", "", ""])
    inputs = load_inputs(folder(systems=systems))
    assert_issues(
        inputs.issues,
        [
            (
                "inventory.xlsx",
                "System",
                5,
                "Leverantör",
                "Ghost Ltd",
                "vendor not in the vendor list (inventory.xlsx, sheet Leverantörer)",
            )
        ],
    )
    assert inputs.systems["vendor"].tolist() == ["MailCo", "CRM AB", "internal", "Ghost Ltd"]


def test_missing_id_value_is_an_issue(folder: Folder) -> None:
    systems = [*copy.deepcopy(SYSTEMS), ["", "Extra", "MailCo", "IT-system", "Sverige", "", "", "", "", ""]]
    inputs = load_inputs(folder(systems=systems))
    assert_issues(inputs.issues, [("inventory.xlsx", "System", 4, "System-ID", "", "missing value")])
    assert len(inputs.systems) == 3


def test_blank_art30_field_is_left_to_the_rules(folder: Folder) -> None:
    acts = copy.deepcopy(ACTIVITIES)
    acts[0][4] = ""  # Ändamål: a REG-05 finding, not an input issue
    inputs = load_inputs(folder(activities=acts))
    assert inputs.issues.empty
    assert inputs.activities.loc[0, "purpose"] is None


def test_disclosure_naming_an_unknown_activity_is_an_issue(folder: Folder) -> None:
    root = folder()
    write_xlsx(
        root / "disclosures.xlsx",
        {
            "Utlämnanden": [
                ["Datum", "Aktivitet", "Mottagare", "Mottagarroll", "Rättslig grund"],
                ["2025-05-05", "a-1", "Polisen", "myndighet", "rättslig förpliktelse"],
                ["2025-05-06", "A-9", "Skatteverket", "myndighet", "rättslig förpliktelse"],
            ]
        },
    )
    inputs = load_inputs(root)
    assert_issues(
        inputs.issues,
        [
            (
                "disclosures.xlsx",
                "Utlämnanden",
                3,
                "Aktivitet",
                "A-9",
                "activity not in the register (activities.xlsx, sheet Behandlingar)",
            )
        ],
    )
    assert inputs.disclosures["activity_id"].tolist() == ["A-1", "A-9"]  # spelling aligned to the register
    assert inputs.disclosures["recipient_role"].tolist() == ["authority", "authority"]


def test_second_column_for_the_same_field_is_kept_and_reported(folder: Folder) -> None:
    header = [*ACTIVITIES_HEADER, "Lagringstid (gammal)"]
    acts = [[*row, "5 år"] for row in ACTIVITIES]
    inputs = load_inputs(folder(activities_header=header, activities=acts))
    assert_issues(
        inputs.issues,
        [
            (
                "activities.xlsx",
                "Behandlingar",
                3,
                "Lagringstid (gammal)",
                "",
                "a second column for retention: column L ('Lagringstid') is read; "
                "this one, column P, is kept as 'Lagringstid (gammal)'",
            )
        ],
    )
    assert inputs.activities["Lagringstid (gammal)"].tolist() == ["5 år", "5 år"]
    assert inputs.activities["retention"].tolist() == ["Tills avregistrering", "30 dagar"]


def test_semicolon_csv_in_windows_1252_loads(folder: Folder) -> None:
    root = folder(fmt="csv")
    target = root / "inventory.vendors.csv"
    write_csv(target, tables()["Vendors"], sep=";")
    target.write_bytes(target.read_text(encoding="utf-8").encode("cp1252"))
    inputs = load_inputs(root)
    assert inputs.issues.empty
    assert inputs.vendors["vendor"].tolist() == ["MailCo", "CRM AB"]
    assert inputs.vendors["access_countries"].tolist() == [[], ["IN", "US"]]  # "Förenta staterna" survived cp1252
