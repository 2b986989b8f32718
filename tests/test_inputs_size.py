"""Large sheets: an unused one is never parsed, a junk register is refused at once, a junk extract sheet is skipped."""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.inputs import load_inputs, readers
from tests.conftest import RECORDS_CSV, write_csv, write_xlsx

Folder = Callable[..., Path]


def add_sheet(path: Path, name: str, rows: int, cols: int = 3) -> Path:
    """Add a sheet of ``rows`` x ``cols`` numbers to a workbook, as raw XML (a million rows in about a second)."""
    letters = [chr(65 + i) for i in range(cols)]
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in letters) + "</row>"
        for r in range(1, rows + 1)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    part = f"xl/worksheets/junk{len(members)}.xml"
    rid = f"rIdJunk{len(members)}"
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'.encode(),
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="/{part}"/></Relationships>'.encode(),
    )
    members["xl/workbook.xml"] = re.sub(
        rb"</(\w+:)?sheets>",
        f'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" name="{name}" '
        f'sheetId="{len(members) + 100}" r:id="{rid}"/></sheets>'.encode(),
        members["xl/workbook.xml"],
        count=1,
    )
    members[part] = sheet.encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int | None]]:
    """Every (sheet, row limit) the loader converts from calamine into a grid."""
    calls: list[tuple[str, int | None]] = []
    original = readers.Workbook._rows

    def spy(self: readers.Workbook, name: str, limit: int | None):  # type: ignore[no-untyped-def]
        calls.append((name, limit))
        return original(self, name, limit)

    monkeypatch.setattr(readers.Workbook, "_rows", spy)
    return calls


def test_unused_huge_sheet_is_never_parsed(folder: Folder, parsed: list[tuple[str, int | None]]) -> None:
    root = folder()
    add_sheet(root / "inventory.xlsx", "Export 2019", rows=200_000)
    start = time.perf_counter()
    inputs = load_inputs(root)
    assert time.perf_counter() - start < 20  # parsing the sheet took minutes before; unpacking it is what remains
    assert len(inputs.systems) == 2
    assert "Export 2019" not in {name for name, _ in parsed}
    assert set(inputs.files["sheet"]) == {"Behandlingar", "System", "Leverantörer", "Ärenden", "S-CRM"}


def test_register_sheet_with_too_many_rows_is_refused(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    root = folder()
    monkeypatch.setattr(readers, "MAX_REGISTER_ROWS", 4)
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert str(err.value) == (
        "activities.xlsx: refused, sheet Behandlingar has more than 4 rows "
        "(a register sheet; record extracts go in the records folder)"
    )


def test_junk_register_of_200000_rows_is_refused_at_once(folder: Folder) -> None:
    root = folder(fmt="csv")
    rows = [["Ärende", "Registrerad", "Rättighet", "Inkommen"], *([f"x{i}", "y", "z", "w"] for i in range(200_000))]
    write_csv(root / "requests.csv", rows)
    start = time.perf_counter()
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert time.perf_counter() - start < 20  # it ran past 120 s as a whole audit before
    assert str(err.value) == (
        "requests.csv: refused, more than 50,000 rows (a register sheet; record extracts go in the records folder)"
    )


def test_junk_sheet_of_a_records_workbook_is_not_converted(
    folder: Folder, tmp_path: Path, parsed: list[tuple[str, int | None]]
) -> None:
    root = folder()
    (root / "records" / "S-CRM.csv").unlink()
    rows = [line.split(",") for line in RECORDS_CSV.strip().splitlines()]
    add_sheet(write_xlsx(root / "records" / "S-CRM.xlsx", {"Export": rows}), "Pivot", rows=50_000)
    inputs = load_inputs(root)
    assert len(inputs.records["S-CRM"]) == 3
    assert ("Pivot", None) not in parsed  # only its top rows were looked at, for a header
    assert ("Pivot", readers.HEADER_SEARCH_ROWS) in parsed
    skipped = inputs.issues[inputs.issues["sheet"] == "Pivot"]
    assert skipped["problem"].tolist() == ["sheet not read: it has no record_id, subject_ref, activity_id header"]
