"""Record extracts in the engine (issue 13): staged once, normalised batch by batch, validated in the engine.

The rules' own tests (retention, requests, register) prove the findings;
these prove what the engine path adds: a CSV read in many batches gives
what one batch gives, a CSV and a Parquet file of the same records give the
same extract and the same findings, every planted problem is one issue with
its exact count and first rows, nothing else is dropped, the engine obeys
the memory settings, and a scan reports its progress.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.cli import main
from audit.errors import ReferenceDataError
from audit.inputs import load_inputs
from audit.inputs.model import ISSUE_COLUMNS
from audit.paths import SAMPLE_DIR
from audit.records import load as staging
from audit.records.engine import default_backend
from audit.records.progress import ExtractRead
from audit.reference.settings import load_settings
from audit.report.notebook import ProgressBar
from audit.run import run_audit

AS_OF = dt.date(2026, 11, 1)
HEADER = "record_id,subject_ref,activity_id,collected,last_contact\n"


def issues_of(inputs, file: str) -> list[tuple]:
    found = inputs.issues[inputs.issues["file"] == file]
    return [tuple(r) for r in found[ISSUE_COLUMNS].itertuples(index=False)]


def write_records(root: Path, name: str, lines: list[str]) -> Path:
    path = root / "records" / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_planted_problems_are_one_issue_each_with_count_and_first_rows(folder) -> None:
    root = folder()
    write_records(
        root,
        "S-CRM.csv",
        [
            "1,DS-1,A-1,2024-01-05,",  # row 2: fine
            "1,DS-2,A-1,2024-01-06,",  # row 3: duplicate record_id
            "3,,A-1,2024-13-01,",  # row 4: no subject, impossible date
            "4,DS-4,A-9,2024-01-07,",  # row 5: unknown activity
            "5,DS-5,a-1,hello,",  # row 6: activity in another spelling, unreadable date
            "1,DS-6,A-9,2024-01-08,",  # row 7: duplicate and unknown
        ],
    )
    inputs = load_inputs(root)
    f = "records/S-CRM.csv"
    unknown = "activity not in the register (activities.xlsx, sheet Behandlingar)"
    assert issues_of(inputs, f) == [
        (f, "S-CRM", 3, "record_id", "1", "duplicate record_id: 2 rows (first: 3, 7)"),
        (f, "S-CRM", 4, "subject_ref", "", "missing value: 1 row (first: 4)"),
        (f, "S-CRM", 4, "collected", "2024-13-01", "no such date: 1 row (first: 4)"),
        (f, "S-CRM", 5, "activity_id", "A-9", f"{unknown}: 2 rows (first: 5, 7)"),
        # An unreadable text is described, not quoted: it could be anything, a name included.
        (f, "S-CRM", 6, "collected", "a 5-character text", "unparseable date: 1 row (first: 6)"),
    ]
    rec = inputs.records["S-CRM"].to_pandas()
    assert rec["src_row"].tolist() == [2, 3, 4, 5, 6, 7]  # every record kept
    assert rec["activity_id"].tolist() == ["A-1", "A-1", "A-1", "A-9", "A-1", "A-9"]  # aligned spelling
    assert rec["collected"].isna().tolist() == [False, False, True, False, True, False]


def test_a_clean_extract_has_no_issue(folder) -> None:
    root = folder()
    write_records(root, "S-CRM.csv", ["1,DS-1,A-1,2024-01-05,2024-06-01", "2,DS-2,A-2,5 mars 2024,"])
    inputs = load_inputs(root)
    assert issues_of(inputs, "records/S-CRM.csv") == []
    rec = inputs.records["S-CRM"].to_pandas()
    assert rec["collected"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-03-05")]


@pytest.mark.parametrize("batch_bytes", [64, 300, 1 << 20])
def test_many_batches_give_what_one_batch_gives(folder, monkeypatch, batch_bytes) -> None:
    root = folder()
    lines = [f"{i % 37},DS-{i},{'A-1' if i % 3 else 'A-9'},{'2024-01-05' if i % 5 else 'x'}," for i in range(400)]
    write_records(root, "S-CRM.csv", ["", *lines[:200], "", "", *lines[200:]])
    monkeypatch.setattr(staging, "BATCH_BYTES", 1 << 20)
    whole = load_inputs(root)
    monkeypatch.setattr(staging, "BATCH_BYTES", batch_bytes)
    batched = load_inputs(root)
    f = "records/S-CRM.csv"
    assert issues_of(batched, f) == issues_of(whole, f)
    assert batched.records["S-CRM"].to_pandas().equals(whole.records["S-CRM"].to_pandas())
    rows = batched.records["S-CRM"].to_pandas()["src_row"]
    assert rows.iloc[0] == 3 and rows.iloc[200] == 205 and len(rows) == 400  # blank lines keep their numbers


def test_csv_and_parquet_of_the_same_records_give_the_same_extract_and_findings(tmp_path) -> None:
    import shutil

    csv_dir = tmp_path / "csv"
    shutil.copytree(SAMPLE_DIR, csv_dir)
    pq_dir = tmp_path / "parquet"
    shutil.copytree(SAMPLE_DIR, pq_dir)
    for system in ("S-CRM", "S-NEWS", "S-EVENT"):
        frame = pd.read_csv(csv_dir / "records" / f"{system}.csv", dtype=str)
        for col in frame.columns:
            if col in ("collected", "contract_end", "deal_declined", "last_contact", "unsubscribed", "event_date"):
                frame[col] = pd.to_datetime(frame[col]).dt.date
        (pq_dir / "records" / f"{system}.csv").unlink()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), pq_dir / "records" / f"{system}.parquet")
    a = run_audit(csv_dir, AS_OF)
    b = run_audit(pq_dir, AS_OF)
    cols = ["finding_id", "rule", "severity", "detail"]
    assert len(a.findings) > 20
    assert a.findings[cols].reset_index(drop=True).equals(b.findings[cols].reset_index(drop=True))
    for system in ("S-CRM", "S-NEWS", "S-EVENT"):
        x = a.inputs.records[system].to_pandas().drop(columns=["src_file"])
        y = b.inputs.records[system].to_pandas().drop(columns=["src_file"])
        assert x.equals(y), system
    ra, rb = a.tables["retention"], b.tables["retention"]
    assert ra.drop(columns=[]).equals(rb)


def test_the_engine_obeys_the_memory_settings(tmp_path) -> None:
    backend = default_backend(memory_limit="300MB", spill_dir=tmp_path / "spill", threads=1)
    got = backend.con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory'), current_setting('threads')"
    ).fetchall()[0]
    assert got[0] in ("286.1 MiB", "300.0 MB", "286.1MiB")
    assert got[1] == str(tmp_path / "spill") and int(got[2]) == 1
    assert (tmp_path / "spill").is_dir()


def test_memory_settings_come_from_the_settings_file(tmp_path) -> None:
    overlay = tmp_path / "s.yaml"
    overlay.write_text('records_memory_limit: "512MB"\nrecords_threads: 1\n', encoding="utf-8")
    engine = load_settings(overlay).engine()
    assert engine == {"memory_limit": "512MB", "spill_dir": None, "threads": 1}
    overlay.write_text('records_memory_limit: "lots"\n', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="records_memory_limit"):
        load_settings(overlay)


def test_the_command_line_prints_a_line_per_extract(tmp_path, capsys) -> None:
    code = main(["--data", str(SAMPLE_DIR), "--as-of", "2026-11-01", "--out", str(tmp_path), "--lang", "en"])
    out = capsys.readouterr().out.splitlines()
    lines = [line for line in out if line.startswith("Read record extract ")]
    assert code == 0
    assert len(lines) == 4
    assert re.fullmatch(r"Read record extract 1 of 4: records/S-CRM\.csv, 4,000 records in \d+\.\d s\.", lines[0])
    assert all(line.endswith(" s.") for line in lines)


def test_the_notebook_progress_bar_keeps_a_line_per_extract(capsys) -> None:
    bar = ProgressBar("sv")
    bar(ExtractRead("records/S-CRM.csv", 12_500, 1.25, 1, 2))
    assert bar.lines == ["Läste datauttag 1 av 2: records/S-CRM.csv, 12\u00a0500 poster på 1,2 s."]
    assert capsys.readouterr().out.strip() == bar.lines[0]  # no kernel here: printed, not drawn


@pytest.fixture(scope="module")
def base_folder(tmp_path_factory) -> Path:
    from tests.conftest import build_folder, tables

    return build_folder(tmp_path_factory.mktemp("prop") / "data", tables())


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", "", " 4 "]),
            st.sampled_from(["DS-1", "", "DS-2"]),
            st.sampled_from(["A-1", "a-1", "A-2", "A-404", ""]),
            st.sampled_from(["2024-01-05", "", "31/12/2024", "2024-02-30", "garbage", "1 mars 2024", "1850-01-01"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_every_record_is_loaded_and_every_problem_counted(base_folder, rows) -> None:
    root = base_folder
    lines = [",".join((r, s, a, d, "")) for r, s, a, d in rows]
    write_records(root, "S-CRM.csv", lines)
    inputs = load_inputs(root)
    rec = inputs.records["S-CRM"].to_pandas()
    non_blank = [i for i, (r, s, a, d) in enumerate(rows) if (r.strip() or s or a or d)]
    assert rec["src_row"].tolist() == [i + 2 for i in non_blank]  # nothing dropped, rows as the DPO sees them
    issues = inputs.issues[inputs.issues["file"] == "records/S-CRM.csv"]
    counted = {
        (str(c), str(p).split(":")[0]): int(re.search(r": (\d+) rows? \(first", str(p)).group(1))  # type: ignore[union-attr]
        for c, p in zip(issues["column"], issues["problem"], strict=True)
    }
    kept = [rows[i] for i in non_blank]
    assert counted.get(("subject_ref", "missing value"), 0) == sum(1 for r in kept if not r[1])
    assert counted.get(("record_id", "missing value"), 0) == sum(1 for r in kept if not r[0].strip())
    bad_dates = sum(1 for r in kept if r[3] in ("garbage", "2024-02-30", "1850-01-01"))
    date_problems = sum(n for (c, _), n in counted.items() if c == "collected")
    assert date_problems == bad_dates
    unknown = sum(1 for r in kept if r[2] == "A-404")
    assert sum(n for (c, p), n in counted.items() if c == "activity_id" and p.startswith("activity not")) == unknown
