"""Record extracts: formats, provenance, aggregated issues, scale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audit.errors import InputError
from audit.inputs import load_inputs
from audit.inputs.model import ISSUE_COLUMNS
from tests.conftest import write_xlsx

Folder = Callable[..., Path]
TS = pd.Timestamp


def rows(df: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df[ISSUE_COLUMNS].itertuples(index=False)]


def test_csv_extract_types_and_provenance(folder: Folder) -> None:
    inputs = load_inputs(folder())
    rec = inputs.records["S-CRM"].to_pandas()
    assert rec["record_id"].tolist() == ["1", "2", "3"]
    assert rec["collected"].tolist() == [TS("2024-01-05"), TS("2024-02-05"), TS("2023-12-31")]
    assert rec["last_contact"].isna().tolist() == [False, True, False]
    assert str(rec["contract_end"].dtype) == "datetime64[ns]"  # absent anchors are all-NaT columns
    assert rec["contract_end"].isna().all()
    assert rec[["src_file", "src_sheet", "src_row"]].values.tolist()[0] == ["records/S-CRM.csv", "S-CRM", 2]
    assert rec["src_row"].tolist() == [2, 3, 4]


def test_blank_lines_are_no_records_and_do_not_shift_row_numbers(folder: Folder) -> None:
    root = folder()
    path = root / "records" / "S-CRM.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1], "", lines[2], "", "", lines[3]]) + "\n", encoding="utf-8")
    rec = load_inputs(root).records["S-CRM"].to_pandas()
    assert rec["record_id"].tolist() == ["1", "2", "3"]
    # The rows a spreadsheet shows: header 1, record 2, blank 3, record 4, blanks 5-6, record 7.
    assert rec["src_row"].tolist() == [2, 4, 7]


def test_csv_extract_keeps_id_text_and_never_stages_personal_columns(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-MAIL.csv").write_text(
        "Record_ID;Subject_Ref;Activity_ID;Collected;E-post\n007;DS-9;A-1;1 mars 2025;a@example.se\n", encoding="utf-8"
    )
    rec = load_inputs(root).records["S-MAIL"].to_pandas()
    assert rec.loc[0, "record_id"] == "007"  # not the number 7
    assert rec.loc[0, "collected"] == TS("2025-03-01")
    # Names and e-mail addresses are no contract column: they never enter the engine, so no rule can leak them.
    assert "E-post" not in rec.columns
    assert "email" not in rec.columns or rec["email"].isna().all()


def test_parquet_extract(folder: Folder) -> None:
    root = folder()
    pd.DataFrame(
        {
            "record_id": [1, 2],
            "subject_ref": ["DS-1", "DS-2"],
            "activity_id": ["A-1", "A-1"],
            "unsubscribed": pd.to_datetime(["2024-05-01 13:00", None]),
        }
    ).to_parquet(root / "records" / "S-MAIL.parquet")
    inputs = load_inputs(root)
    rec = inputs.records["S-MAIL"].to_pandas()
    assert rec["record_id"].tolist() == ["1", "2"]
    assert rec["unsubscribed"].tolist()[0] == TS("2024-05-01")  # day precision
    assert pd.isna(rec["unsubscribed"].iloc[1])
    assert rec["src_row"].tolist() == [2, 3]
    assert inputs.issues.empty


def test_xlsx_extract_with_title_row(folder: Folder) -> None:
    root = folder()
    write_xlsx(
        root / "records" / "S-MAIL.xlsx",
        {
            "Export": [
                ["Export från Mailer 2025-06-01"],
                ["Record ID", "Subject ref", "Activity ID", "Avregistrerad"],
                [1, "DS-1", "A-1", TS("2025-01-02").to_pydatetime()],
                [2, "DS-2", "A-1", "3 feb 2025"],
            ]
        },
    )
    inputs = load_inputs(root)
    rec = inputs.records["S-MAIL"].to_pandas()
    assert rec["record_id"].tolist() == ["1", "2"]
    assert rec["unsubscribed"].tolist() == [TS("2025-01-02"), TS("2025-02-03")]
    assert rec["src_row"].tolist() == [3, 4]
    assert rec["src_sheet"].tolist() == ["Export", "Export"]
    assert inputs.issues.empty


def test_per_record_problems_are_aggregated_per_column_and_problem(folder: Folder) -> None:
    root = folder()
    n = 1000
    frame = pd.DataFrame(
        {
            "record_id": [str(i) for i in range(n)],
            "subject_ref": "DS-1",
            "activity_id": "A-1",
            "collected": "2024-01-01",
        }
    )
    frame.loc[[10, 20, 30, 40, 50, 60, 70], "collected"] = "snart"
    frame.loc[[5, 6], "activity_id"] = "A-9"
    frame.loc[[7, 8, 9], "record_id"] = "1"
    frame.to_csv(root / "records" / "S-MAIL.csv", index=False)
    inputs = load_inputs(root)
    register = "activities.xlsx, sheet Behandlingar"
    # Sorted by row; each problem once, with its count and the first five rows.
    assert rows(inputs.issues) == [
        (
            "records/S-MAIL.csv",
            "S-MAIL",
            7,
            "activity_id",
            "A-9",
            f"activity not in the register ({register}): 2 rows (first: 7, 8)",
        ),
        ("records/S-MAIL.csv", "S-MAIL", 9, "record_id", "1", "duplicate record_id: 3 rows (first: 9, 10, 11)"),
        (
            "records/S-MAIL.csv",
            "S-MAIL",
            12,
            "collected",
            "a 5-character text",  # "snart" is not shaped like a date, so it is not quoted (it could be a name)
            "unparseable date: 7 rows (first: 12, 22, 32, 42, 52)",
        ),
    ]
    assert len(inputs.records["S-MAIL"]) == n  # nothing dropped


def test_extract_for_unknown_system_is_kept_and_reported(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-OLD.csv").write_text("record_id,subject_ref,activity_id\n1,DS-1,A-1\n", encoding="utf-8")
    inputs = load_inputs(root)
    assert rows(inputs.issues) == [
        (
            "records/S-OLD.csv",
            None,
            None,
            None,
            "S-OLD",
            "record extract for a system not in the inventory (inventory.xlsx, sheet System); "
            "the file name must be a system_id",
        )
    ]
    assert inputs.records["S-OLD"].to_pandas()["record_id"].tolist() == ["1"]


def test_extract_file_name_matches_system_id_ignoring_case(folder: Folder) -> None:
    root = folder()
    (root / "records" / "s-mail.csv").write_text("record_id,subject_ref,activity_id\n1,DS-1,A-1\n", encoding="utf-8")
    inputs = load_inputs(root)
    assert sorted(inputs.records) == ["S-CRM", "S-MAIL"]
    assert inputs.issues.empty


def test_extract_missing_a_required_column_is_an_error(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-MAIL.csv").write_text(
        "record_id,activity_id,collected\n1,A-1,2024-01-01\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == (
        "records/S-MAIL.csv, sheet S-MAIL: missing required column 'subject_ref' "
        "(also accepted: person ref, registrerad); headers found (row 1): record_id, activity_id, collected"
    )


def test_two_extracts_for_one_system_is_an_error(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-CRM.parquet").write_bytes(b"")
    with pytest.raises(InputError, match=r"more than one extract for system S-CRM"):
        load_inputs(root)


def test_large_extract_is_loaded_whole(folder: Folder) -> None:
    root = folder()
    n = 200_000
    rng = np.random.default_rng(7)
    days = pd.to_datetime("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    frame = pd.DataFrame(
        {
            "record_id": np.arange(n).astype(str),
            "subject_ref": "DS-" + pd.Series(rng.integers(0, 5000, n)).astype(str),
            "activity_id": rng.choice(["A-1", "A-2"], n),
            "collected": days.strftime("%Y-%m-%d"),
            "contract_end": days.strftime("%Y-%m-%d"),
            "last_contact": days.strftime("%Y-%m-%d"),
        }
    )
    frame.loc[n - 1, "contract_end"] = "1 mars 2025"  # one non-ISO value: falls back for that value only
    frame.to_csv(root / "records" / "S-MAIL.csv", index=False)
    inputs = load_inputs(root)
    rec = inputs.records["S-MAIL"].to_pandas()
    assert len(rec) == n
    assert inputs.issues.empty
    assert rec["contract_end"].iloc[-1] == TS("2025-03-01")
    assert (rec["collected"] == pd.Series(days)).all()
    assert rec["src_row"].iloc[-1] == n + 1


def test_extract_with_two_columns_of_the_same_name_is_an_error(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-CRM.csv").write_text(
        "record_id,subject_ref,activity_id,collected,collected\n1,DS-1,A-1,2024-01-05,2020-01-01\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == (
        "records/S-CRM.csv: columns 4 ('collected') and 5 ('collected') are both the collected column; keep one of them"
    )


def test_extract_with_two_headers_for_one_column_is_an_error(folder: Folder) -> None:
    root = folder()
    pd.DataFrame(
        {
            "record_id": ["1"],
            "subject_ref": ["DS-1"],
            "activity_id": ["A-1"],
            "Insamlad": ["2024-01-05"],
            "collected": ["2020-01-01"],
        }
    ).to_parquet(root / "records" / "S-MAIL.parquet")
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == (
        "records/S-MAIL.parquet: columns 4 ('Insamlad') and 5 ('collected') are both the collected column; "
        "keep one of them"
    )


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_extract_with_two_extra_columns_of_the_same_name_is_an_error(folder: Folder, suffix: str) -> None:
    root = folder()
    (root / "records" / "S-CRM.csv").unlink()
    path = root / "records" / f"S-CRM.{suffix}"
    header = ["record_id", "subject_ref", "activity_id", "E-post", "e-post "]
    if suffix == "csv":
        path.write_text(",".join(header) + "\n1,DS-1,A-1,a@example.se,b@example.se\n", encoding="utf-8")
    else:
        table = pa.table([pa.array([v]) for v in ["1", "DS-1", "A-1", "a@example.se", "b@example.se"]], names=header)
        pq.write_table(table, path)
    with pytest.raises(InputError) as err:
        load_inputs(root)
    message = str(err.value)
    assert message == (
        f"records/S-CRM.{suffix}: columns 4 ('E-post') and 5 ('e-post ') have the same header; keep one of them"
    )
    assert "@" not in message


def test_ragged_row_error_names_the_line_not_its_text(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-CRM.csv").write_text(
        "record_id,subject_ref,activity_id,collected\n"
        "1,DS-1,A-1,2024-01-05\n"
        "2,Anna Svensson,anna@example.se,A-1,2024-01-05\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == "records/S-CRM.csv: cannot read the CSV file (line 3 has 5 fields, the header 4)"


def test_ragged_row_after_a_title_row_and_a_quoted_line_break(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-CRM.csv").write_text(
        'Export 2025-06-01\nrecord_id;subject_ref;activity_id;collected\n1;DS-1;A-1;"2024-01-05\nnote"\n2;DS-2;A-1\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == "records/S-CRM.csv: cannot read the CSV file (line 5 has 3 fields, the header 4)"
