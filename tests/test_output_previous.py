"""The previous workbook: safety checks before any parser opens it, which one is picked, what is carried forward."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import struct
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from audit.cli import carry_line, main
from audit.errors import InputError
from audit.inputs import safety
from audit.reference.i18n import code_for
from audit.reference.settings import load_settings
from audit.report import Carried, write_report
from audit.report.carry import carry_forward, find_previous, read_previous
from audit.report.excel import workbook_name
from audit.run import run_audit
from tests.conftest import build_folder, tables

AS_OF = date(2026, 11, 1)
EARLIER = date(2026, 10, 1)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_folder(tmp_path_factory.mktemp("previous") / "data", tables())


@pytest.fixture(scope="module")
def result(data: Path):
    return run_audit(data, AS_OF)


@pytest.fixture(scope="module")
def good_book(result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real workbook of an earlier run."""
    out = tmp_path_factory.mktemp("earlier")
    write_report(result, out)
    return out / workbook_name(AS_OF)


@pytest.fixture
def never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a planted bomb (``old.xlsx``, an earlier workbook) reaches a spreadsheet parser."""
    real = pd.read_excel

    def parser(io: object, *args: object, **kwargs: object) -> object:
        if Path(str(io)).name in ("old.xlsx", workbook_name(EARLIER)):
            raise AssertionError("a refused workbook was handed to a spreadsheet parser")
        return real(io, *args, **kwargs)

    monkeypatch.setattr(pd, "read_excel", parser)


def _ratio_bomb(source: Path, target: Path) -> Path:
    """The workbook with 20 MB of zeros added (deflates about 1000x, the shape of a zip bomb)."""
    target.write_bytes(source.read_bytes())
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\x00" * (20 * 1024 * 1024))
    return target


def _declared_bomb(source: Path, target: Path) -> Path:
    """The workbook with a member whose headers declare 2 GB + 1 byte unpacked (the bytes on disk are few)."""
    name = "xl/media/big.bin"
    target.write_bytes(source.read_bytes())
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(name, b"x")
        local = zf.getinfo(name).header_offset
    raw = bytearray(target.read_bytes())
    central = raw.rfind(name.encode()) - 46  # the central directory entry comes last
    assert raw[local : local + 4] == b"PK\x03\x04" and raw[central : central + 4] == b"PK\x01\x02"
    size = struct.pack("<I", 2 * 1024**3 + 1)
    raw[local + 22 : local + 26] = size
    raw[central + 24 : central + 28] = size
    target.write_bytes(bytes(raw))
    return target


def _bytes_unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(info.file_size for info in zf.infolist())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bomb_given_with_previous_is_refused_before_parsing(result, good_book, tmp_path, never_parsed) -> None:
    bomb = _ratio_bomb(good_book, tmp_path / "old.xlsx")
    out = tmp_path / "reports"
    with pytest.raises(InputError) as err:
        write_report(result, out, previous=bomb)
    message = str(err.value)
    assert message.startswith(
        f"{bomb} (previous workbook): refused as a possible zip bomb, xl/media/padding.bin unpacks "
    )
    assert message.endswith(f"x (limit {safety.MAX_COMPRESSION_RATIO}x)")
    assert list(out.iterdir()) == []


def test_2_gb_bomb_found_in_the_output_folder_is_refused(result, good_book, tmp_path, never_parsed) -> None:
    out = tmp_path / "reports"
    write_report(result, out)
    before = {p.name: _digest(p) for p in out.iterdir()}
    bomb = _declared_bomb(good_book, out / workbook_name(EARLIER))
    before[bomb.name] = _digest(bomb)
    with pytest.raises(InputError) as err:
        write_report(result, out)
    assert str(err.value) == (
        f"{bomb} (previous workbook): refused as a possible zip bomb, {_bytes_unpacked(bomb)} bytes unpacked "
        f"(limit {safety.MAX_UNCOMPRESSED_BYTES})"
    )
    assert {p.name: _digest(p) for p in out.iterdir()} == before  # nothing rewritten, nothing left behind


def test_xml_bomb_as_previous_workbook(result, good_book, tmp_path, never_parsed) -> None:
    bomb = tmp_path / "old.xlsx"
    bomb.write_bytes(good_book.read_bytes())
    with zipfile.ZipFile(bomb, "a") as zf:
        zf.writestr("xl/custom.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>')
    with pytest.raises(InputError) as err:
        write_report(result, tmp_path / "reports", previous=bomb)
    assert str(err.value) == f"{bomb} (previous workbook): refused, xl/custom.xml declares a DTD (possible XML bomb)"


def test_cli_refuses_a_bomb_in_one_line(data, good_book, tmp_path, capsys, never_parsed) -> None:
    bomb = _ratio_bomb(good_book, tmp_path / "old.xlsx")
    args = ["--data", str(data), "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "o"), "--previous", str(bomb)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {bomb} (previous workbook): refused as a possible zip bomb")


def test_a_sound_previous_workbook_is_still_carried_forward(result, good_book, tmp_path) -> None:
    out = tmp_path / "reports"
    write_report(result, out, previous=good_book)
    summary = pd.read_excel(out / workbook_name(AS_OF), sheet_name="Summary", header=None, engine="calamine")
    assert good_book.name in set(summary[1].astype(str))


# ---------------------------------------------------------------- carrying the DPO's work forward

LATER = date(2026, 12, 1)
GONE_ID = "REG-99-00000000aa"


def findings_sheet(wb: openpyxl.Workbook) -> tuple[Worksheet, int, dict[str, int]]:
    """The Findings sheet of a workbook, found as the reader does: its header row and column code -> number."""
    for ws in wb.worksheets:
        for r in range(1, 6):
            codes = {code_for("common.column", c.value) or str(c.value): c.column for c in ws[r] if c.value is not None}
            if "finding_id" in codes and "resolved_on" not in codes:
                return ws, r, codes
    raise AssertionError("no Findings sheet")


def plant(path: Path, typed: dict[str, dict[str, object]], drop: str | None = None, add: str | None = None) -> None:
    """Type into a workbook as a DPO would: cells by finding id and column code; drop one row, add one."""
    wb = openpyxl.load_workbook(path)
    ws, header, cols = findings_sheet(wb)
    rows = {ws.cell(r, cols["finding_id"]).value: r for r in range(header + 1, ws.max_row + 1)}
    for fid, values in typed.items():
        for col, value in values.items():
            if col not in cols:  # an older writer without the column: add it at the end
                cols[col] = ws.max_column + 1
                ws.cell(header, cols[col], col)
            cell = ws.cell(rows[fid], cols[col], value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed as text (openpyxl would write a formula)
    if add:
        last = ws.max_row + 1
        for col, value in {"finding_id": add, "severity": "high", "rule": "REG-99", "title": "Gone"}.items():
            ws.cell(last, cols[col], value)
        ws.cell(last, cols["Owner"], "Gunnar")
    if drop:
        ws.delete_rows(rows[drop])
    wb.save(path)


@pytest.fixture(scope="module")
def runs(data: Path, tmp_path_factory: pytest.TempPathFactory):
    """Three runs into one folder: EARLIER (English, then typed into), AS_OF (Swedish), LATER (English)."""
    out = tmp_path_factory.mktemp("carry") / "reports"
    first = write_report(run_audit(data, EARLIER, lang="en"), out)
    ids = sorted(pd.read_csv(out / "findings.csv")["finding_id"])
    a, b, c, d, e = ids[:5]
    plant(
        out / workbook_name(EARLIER),
        {
            a: {"Status": "accepted risk", "Owner": "Anna", "Comment": "=SUM(A1)"},
            b: {"Status": "pågår", "Owner": "Bo"},  # a Swedish label typed into an English workbook
            c: {"Status": "open", "Comment": "checked with IT"},
            d: {"first_seen": dt.datetime(2026, 6, 1)},
        },
        drop=e,
        add=GONE_ID,
    )
    second = write_report(run_audit(data, AS_OF, lang="sv"), out)
    third = write_report(run_audit(data, LATER, lang="en"), out)
    return {"out": out, "ids": (a, b, c, d, e), "first": first, "second": second, "third": third}


def test_first_run_carries_nothing(runs) -> None:
    assert runs["first"].carried == Carried()


def test_carried_counts(runs) -> None:
    assert runs["second"].carried == Carried(
        source=runs["out"] / workbook_name(EARLIER), statuses=2, owners=2, comments=2, new=1, resolved=1
    )
    # Nothing typed in between: the third run carries the same notes, and nothing is new or gone.
    assert runs["third"].carried == Carried(
        source=runs["out"] / workbook_name(AS_OF), statuses=2, owners=2, comments=2, new=0, resolved=0
    )


@pytest.mark.parametrize("run", ["second", "third"])
def test_statuses_owners_comments_and_first_seen_survive(runs, run) -> None:
    a, b, c, d, e = runs["ids"]
    as_of = AS_OF if run == "second" else LATER
    prev = read_previous(runs["out"] / workbook_name(as_of))
    assert prev.as_of == as_of
    f = prev.findings.set_index("finding_id")
    assert f.loc[a, "Status"] == "accepted risk" and f.loc[b, "Status"] == "in progress"
    assert f.loc[c, "Status"] == "open"
    assert (f.loc[a, "Owner"], f.loc[b, "Owner"]) == ("Anna", "Bo")
    assert f.loc[a, "Comment"] == "=SUM(A1)"  # a formula typed as a comment stays text
    assert f.loc[c, "Comment"] == "checked with IT"
    assert f.loc[d, "first_seen"] == date(2026, 6, 1)
    assert f.loc[a, "first_seen"] == EARLIER
    assert f.loc[e, "first_seen"] == AS_OF  # dropped from the earlier workbook: new in the second run
    others = f.drop(index=[a, b, c, d, e])
    assert set(others["first_seen"]) == {EARLIER}
    assert set(others["Status"]) == {"open"}


def test_due_days_open_and_overdue(runs) -> None:
    a, b, c, d, e = runs["ids"]
    f = read_previous(runs["out"] / workbook_name(LATER)).findings.set_index("finding_id")
    due_days = load_settings().due_days
    for fid in (a, d, e):
        seen = f.loc[fid, "first_seen"]
        days = due_days.get(f.loc[fid, "severity"])
        assert int(f.loc[fid, "days_open"]) == (LATER - seen).days
        if days is None:
            assert pd.isna(f.loc[fid, "due"]) and pd.isna(f.loc[fid, "days_overdue"])
        else:
            due = seen + dt.timedelta(days=days)
            assert pd.Timestamp(f.loc[fid, "due"]).date() == due
            assert int(f.loc[fid, "days_overdue"]) == max(0, (LATER - due).days)


def test_gone_finding_is_resolved_with_its_owner_and_first_seen(runs) -> None:
    prev = read_previous(runs["out"] / workbook_name(LATER))
    gone = prev.resolved.set_index("finding_id").loc[GONE_ID]
    assert (gone["resolved_on"], gone["Owner"], gone["first_seen"]) == (AS_OF, "Gunnar", EARLIER)
    assert GONE_ID not in set(prev.findings["finding_id"])


def test_cli_prints_the_carry_line(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reports"
    base = ["--data", str(data), "--out", str(out)]
    assert main([*base, "--as-of", EARLIER.isoformat(), "--lang", "en"]) == 0
    assert "No previous workbook: every finding is new.\n" in capsys.readouterr().out
    ids = sorted(pd.read_csv(out / "findings.csv")["finding_id"])
    plant(
        out / workbook_name(EARLIER),
        {ids[0]: {"Status": "accepted risk", "Owner": "Anna", "Comment": "ok"}, ids[1]: {"Comment": "see ticket"}},
        drop=ids[2],
        add=GONE_ID,
    )
    assert main([*base, "--as-of", AS_OF.isoformat(), "--lang", "en"]) == 0
    previous = out / workbook_name(EARLIER)
    expected = f"Carried forward from {previous}: 1 status, 1 owner, 2 comments; 1 new, 1 resolved since then.\n"
    assert expected in capsys.readouterr().out
    assert main([*base, "--as-of", LATER.isoformat(), "--lang", "sv"]) == 0
    previous = out / workbook_name(AS_OF)
    expected = f"Fört vidare från {previous}: 1 status, 1 ansvarig, 2 kommentarer; 0 nya, 0 åtgärdade sedan dess.\n"
    assert expected in capsys.readouterr().out


@pytest.mark.parametrize(
    ("lang", "carried", "line"),
    [
        ("en", Carried(), "No previous workbook: every finding is new."),
        ("sv", Carried(), "Ingen tidigare arbetsbok: alla avvikelser är nya."),
        (
            "en",
            Carried(Path("reports/x.xlsx"), statuses=3, owners=1, comments=4, new=5, resolved=2),
            "Carried forward from reports/x.xlsx: 3 statuses, 1 owner, 4 comments; 5 new, 2 resolved since then.",
        ),
        (
            "sv",
            Carried(Path("reports/x.xlsx"), statuses=1, owners=0, comments=1, new=1, resolved=1234),
            "Fört vidare från reports/x.xlsx: 1 status, 0 ansvariga, 1 kommentar; 1 ny, 1\xa0234 åtgärdade sedan dess.",
        ),
    ],
)
def test_carry_line_wording(lang: str, carried: Carried, line: str) -> None:
    assert carry_line(carried, lang) == line


# ---------------------------------------------------------------- which workbook is the previous one


def _crafted(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, as the report writes it
    wb.save(path)
    return path


def _aged(path: Path, seconds_ago: int) -> Path:
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))
    return path


SWEDISH = {
    # The meta lines need not start in column A.
    "Sammanfattning": [
        ["Integritetsgranskning"],
        [None, "Organisation", "X AB"],
        [None, "Per datum", dt.datetime(2026, 9, 1)],
    ],
    "Avvikelser": [
        ["Avvikelser per 2026-09-01"],
        ["Avvikelse-id", "Allvarlighet", "Regel", "Status", "Ansvarig", "Kommentar", "Först sedd"],
        ["REG-01-aaaaaaaaaa", "hög", "REG-01", "accepterad risk", "Anna", "=1+1", dt.datetime(2026, 3, 1)],
        ["REG-01-bbbbbbbbbb", "låg", "REG-01", "väntar på IT", None, None, None],
        [],
        ["3 rader till lämnades utanför bladet"],
    ],
    "Åtgärdade sedan förra körningen": [
        ["Åtgärdad den", "Avvikelse-id", "Regel", "Status", "Ansvarig"],
        [dt.datetime(2026, 8, 1), "RET-01-cccccccccc", "RET-01", "åtgärdad", "Bo"],
    ],
}


def test_a_swedish_workbook_reads_back_as_codes(tmp_path: Path) -> None:
    prev = read_previous(_crafted(tmp_path / "arbetskopia.xlsx", SWEDISH))
    assert prev.as_of == date(2026, 9, 1)
    assert prev.findings[["finding_id", "Status", "Owner", "Comment", "first_seen"]].to_dict("records") == [
        {
            "finding_id": "REG-01-aaaaaaaaaa",
            "Status": "accepted risk",
            "Owner": "Anna",
            "Comment": "=1+1",
            "first_seen": date(2026, 3, 1),
        },
        # A DPO's own status stays as written; no first-seen date is none (the reader supplies one).
        {
            "finding_id": "REG-01-bbbbbbbbbb",
            "Status": "väntar på IT",
            "Owner": None,
            "Comment": None,
            "first_seen": None,
        },
    ]
    assert prev.resolved[["resolved_on", "finding_id", "Status", "Owner"]].to_dict("records") == [
        {"resolved_on": date(2026, 8, 1), "finding_id": "RET-01-cccccccccc", "Status": "resolved", "Owner": "Bo"}
    ]


def test_first_seen_of_a_workbook_without_the_column(tmp_path: Path) -> None:
    findings = pd.DataFrame({"finding_id": ["REG-01-aaaaaaaaaa", "REG-01-dddddddddd"], "severity": ["high", "info"]})
    old = {"Findings": [["finding_id", "severity", "Status"], ["REG-01-aaaaaaaaaa", "high", "open"]]}
    # No Summary: the date the file name starts with.
    prev = read_previous(_crafted(tmp_path / "2026-07-01-privacy-audit.xlsx", old))
    out, _, _ = carry_forward(findings, prev, AS_OF, {"high": 30})
    assert out[["first_seen", "due", "days_open", "days_overdue"]].to_dict("records") == [
        {"first_seen": date(2026, 7, 1), "due": date(2026, 7, 31), "days_open": 123, "days_overdue": 93},
        {"first_seen": AS_OF, "due": None, "days_open": 0, "days_overdue": None},
    ]
    # Neither a Summary nor a dated name: this run's as-of date.
    prev = read_previous(_crafted(tmp_path / "copy.xlsx", old))
    out, _, _ = carry_forward(findings, prev, AS_OF, {"high": 30})
    assert list(out["first_seen"]) == [AS_OF, AS_OF]


def test_a_working_copy_under_another_name_is_picked(tmp_path: Path) -> None:
    current = tmp_path / workbook_name(AS_OF)
    dated = _aged(_crafted(tmp_path / workbook_name(EARLIER), SWEDISH), 300)
    copy = _aged(_crafted(tmp_path / "my-copy.xlsx", SWEDISH), 100)
    assert find_previous(tmp_path, current) == copy
    _aged(copy, 400)
    assert find_previous(tmp_path, current) == dated


def test_workbooks_without_finding_ids_are_passed_over(tmp_path: Path) -> None:
    current = tmp_path / workbook_name(AS_OF)
    assert find_previous(tmp_path, current) is None
    register = {"Registerförteckning": [["Personuppgiftsansvarig", "X AB"], ["Behandling", "Ändamål"], ["A", "B"]]}
    _crafted(tmp_path / "2026-11-01-art30-register.xlsx", register)
    _crafted(tmp_path / "budget.xlsx", {"Sheet": [["finding", "id"], [1, 2]]})
    (tmp_path / "notes.xlsx").write_bytes(b"")  # not a workbook at all: refused by the container checks
    with pytest.raises(InputError):
        find_previous(tmp_path, current)
    (tmp_path / "notes.xlsx").unlink()
    assert find_previous(tmp_path, current) is None
    dated = _aged(_crafted(tmp_path / workbook_name(EARLIER), SWEDISH), 1000)
    assert find_previous(tmp_path, current) == dated


def test_the_workbook_about_to_be_replaced_is_used_only_alone(tmp_path: Path) -> None:
    current = _crafted(tmp_path / workbook_name(AS_OF), SWEDISH)
    assert find_previous(tmp_path, current) == current
    older = _aged(_crafted(tmp_path / workbook_name(EARLIER), SWEDISH), 1000)
    assert find_previous(tmp_path, current) == older


def test_a_previous_workbook_without_findings_keeps_its_history(tmp_path: Path) -> None:
    clean = {
        "Findings": [["finding_id", "severity", "Status"]],
        "Resolved": [["resolved_on", "finding_id", "Owner"], [dt.datetime(2026, 9, 1), "RET-01-cccccccccc", "Bo"]],
    }
    prev = read_previous(_crafted(tmp_path / workbook_name(EARLIER), clean))
    assert prev.findings.empty and list(prev.findings.columns) == ["finding_id", "severity", "Status"]
    findings = pd.DataFrame({"finding_id": ["REG-01-aaaaaaaaaa"], "severity": ["low"]})
    out, resolved, carried = carry_forward(findings, prev, AS_OF, {"low": 180})
    assert carried == Carried(source=prev.path, new=1)
    assert list(out["Since last run"]) == ["new"]
    assert resolved[["resolved_on", "finding_id", "Owner"]].to_dict("records") == [
        {"resolved_on": date(2026, 9, 1), "finding_id": "RET-01-cccccccccc", "Owner": "Bo"}
    ]
