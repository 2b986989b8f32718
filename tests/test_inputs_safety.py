"""Untrusted files: each broken or hostile file is one InputError line naming it, never a traceback."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import openpyxl.xml
import pandas as pd
import pytest
from python_calamine import XmlError

from audit.errors import InputError
from audit.inputs import load_inputs, safety
from audit.paths import PROJECT_DIR
from tests.conftest import folder_state, write_xlsx

Folder = Callable[..., Path]


def _error(root: Path) -> str:
    with pytest.raises(InputError) as err:
        load_inputs(root)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_text_file_named_xlsx(folder: Folder) -> None:
    root = folder()
    (root / "activities.xlsx").write_text("Nr;Behandling\nA-1;Nyhetsbrev\n", encoding="utf-8")
    assert _error(root) == "activities.xlsx: not a spreadsheet (an .xlsx file must be a zip container)"


def test_encrypted_workbook_cfb_magic(folder: Folder) -> None:
    root = folder()
    (root / "inventory.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 1024)
    assert _error(root) == (
        "inventory.xlsx: the file is encrypted (password-protected) or an old binary .xls; "
        "save it unencrypted as .xlsx, .ods or .csv"
    )


def test_truncated_workbook_is_corrupt(folder: Folder) -> None:
    root = folder()
    data = (root / "activities.xlsx").read_bytes()
    (root / "activities.xlsx").write_bytes(data[: len(data) // 2])
    assert _error(root).startswith("activities.xlsx: corrupt spreadsheet (")


def test_damaged_member_fails_the_crc_check(folder: Folder) -> None:
    root = folder()
    path = root / "activities.xlsx"
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    raw = bytearray(path.read_bytes())
    pos = raw.find(b"<sheetData")
    raw[pos + 1] = ord("X")  # flip a byte inside a stored member: its CRC no longer matches
    path.write_bytes(bytes(raw))
    assert _error(root).startswith("activities.xlsx: corrupt spreadsheet (Bad CRC-32")


def test_zip_without_a_workbook_is_not_a_spreadsheet(folder: Folder) -> None:
    root = folder()
    with zipfile.ZipFile(root / "activities.xlsx", "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert _error(root) == "activities.xlsx: not a .xlsx spreadsheet (no xl/workbook.xml inside the zip)"


def test_zip_bomb_by_compression_ratio(folder: Folder) -> None:
    root = folder()
    with zipfile.ZipFile(root / "inventory.xlsx", "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\x00" * (20 * 1024 * 1024))
    message = _error(root)
    assert message.startswith("inventory.xlsx: refused as a possible zip bomb, xl/media/padding.bin unpacks ")
    assert message.endswith(f"x (limit {safety.MAX_COMPRESSION_RATIO}x)")


def test_zip_bomb_by_total_size(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    root = folder()
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 1000)
    message = _error(root)
    assert message.startswith("activities.xlsx: refused as a possible zip bomb, ")
    assert message.endswith("bytes unpacked (limit 1000)")


def test_xml_entity_declaration_is_refused(folder: Folder) -> None:
    root = folder()
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><x>&lol;</x>'
    with zipfile.ZipFile(root / "activities.xlsx", "a") as zf:
        zf.writestr("xl/custom.xml", bomb)
    assert _error(root) == "activities.xlsx: refused, xl/custom.xml declares a DTD (possible XML bomb)"


def test_loading_refuses_without_defusedxml(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    root = folder()
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    assert _error(root) == ("cannot read workbooks safely: openpyxl does not use defusedxml (install defusedxml)")


def test_binary_file_named_csv(folder: Folder) -> None:
    root = folder(fmt="csv")
    (root / "activities.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    assert _error(root).startswith("activities.csv: not a text CSV file")


def test_corrupt_parquet_extract(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-MAIL.parquet").write_bytes(b"not parquet at all")
    assert _error(root).startswith("records/S-MAIL.parquet: cannot read the Parquet file (")


def test_corrupt_xlsx_extract(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-MAIL.xlsx").write_text("record_id,subject_ref\n", encoding="utf-8")
    assert _error(root) == "records/S-MAIL.xlsx: not a spreadsheet (an .xlsx file must be a zip container)"


def test_refused_files_are_left_untouched(folder: Folder) -> None:
    root = folder()
    (root / "activities.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 64)
    before = folder_state(root)
    _error(root)
    assert folder_state(root) == before


# --- bombs built cheaply: one deflated block written many times, sizes patched ----------------------


def _members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def write_raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of ``(name, deflated bytes, crc, declared size)`` members, written without zipfile.

    Building the bytes directly lets a test declare any size and repeat one
    deflated block hundreds of times: a 2 GB bomb in a 2 MB file, in a second.
    """
    local, central = bytearray(), bytearray()
    for name, packed, crc, size in members:
        offset, raw = len(local), name.encode()
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(packed), size, len(raw), 0)
        local += raw + packed
        central += struct.pack(
            "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(packed), size, len(raw), 0, 0, 0, 0, 0, offset
        )
        central += raw
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def zip_bomb(workbook: Path, parts: int, part_size: int = 4_000_000) -> Path:
    """Add ``parts`` members of ``part_size`` zeros to a real workbook (each under the per-part ratio check's floor)."""
    members = [(name, _deflate(data), zlib.crc32(data), len(data)) for name, data in _members(workbook)]
    zeros = b"\0" * part_size
    pad = (_deflate(zeros), zlib.crc32(zeros), part_size)
    return write_raw_zip(workbook, members + [(f"xl/media/image{i}.bin", *pad) for i in range(parts)])


def test_two_gigabyte_zip_bomb_of_small_parts_is_refused(folder: Folder) -> None:
    root = folder()
    zip_bomb(root / "activities.xlsx", parts=500)  # 2.0 GB unpacked, 2 MB on disk
    assert (root / "activities.xlsx").stat().st_size < 3_000_000
    message = _error(root)
    assert message.startswith("activities.xlsx: refused as a possible zip bomb, 20000")
    assert message.endswith(f" bytes unpacked (limit {safety.MAX_UNCOMPRESSED_BYTES})")


def test_zip_bomb_under_the_size_limit_is_refused_by_its_overall_ratio(folder: Folder) -> None:
    root = folder()
    zip_bomb(root / "inventory.xlsx", parts=100)  # 400 MB of 4 MB parts: no single part is ratio-checked
    message = _error(root)
    assert message.startswith("inventory.xlsx: refused as a possible zip bomb, its 110 parts unpack ")
    assert message.endswith(f"x (limit {safety.MAX_COMPRESSION_RATIO}x)")


def test_two_gigabyte_zip_bomb_exits_2_with_one_line(folder: Folder, tmp_path: Path) -> None:
    root = folder()
    zip_bomb(root / "activities.xlsx", parts=500)
    proc = subprocess.run(
        [sys.executable, "-m", "audit", "--data", str(root), "--as-of", "2026-11-01", "--out", str(tmp_path / "o")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: activities.xlsx: refused as a possible zip bomb, {_declared(root / 'activities.xlsx')} bytes "
        f"unpacked (limit {safety.MAX_UNCOMPRESSED_BYTES})"
    ]


def _declared(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


def test_previous_report_bomb_is_refused_by_the_same_check(tmp_path: Path) -> None:
    """``check_workbook(path, label)`` is what the report calls on a previous workbook, before calamine opens it."""
    report = tmp_path / "2026-10-01-privacy-audit.xlsx"
    write_xlsx(report, {"Findings": [["finding_id", "Status"], ["F-1", "open"]]})
    zip_bomb(report, parts=500)
    with pytest.raises(InputError) as err:
        safety.check_workbook(report, report.name)
    assert str(err.value).startswith("2026-10-01-privacy-audit.xlsx: refused as a possible zip bomb, ")


def test_member_that_unpacks_beyond_its_declared_size_is_refused(folder: Folder) -> None:
    """zipfile stops at the declared size; calamine does not. The real size is what counts."""
    root = folder()
    path = root / "activities.xlsx"
    members = []
    for name, data in _members(path):
        crc, size = zlib.crc32(data), len(data)
        if name == "xl/worksheets/sheet1.xml":
            size = data.index(b"<row ") + 1  # declare (and checksum) only the first bytes
            crc = zlib.crc32(data[:size])
        members.append((name, _deflate(data), crc, size))
    write_raw_zip(path, members)
    message = _error(root)
    assert message == (
        "activities.xlsx: refused as a possible zip bomb, xl/worksheets/sheet1.xml unpacks to more than "
        f"the {size_of_first_row(path)} bytes it declares"
    )


def size_of_first_row(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return zf.getinfo("xl/worksheets/sheet1.xml").file_size


def test_unusual_zip_method_is_refused_unread(folder: Folder) -> None:
    root = folder()
    with zipfile.ZipFile(root / "activities.xlsx", "a", compression=zipfile.ZIP_BZIP2) as zf:
        zf.writestr("xl/custom.xml", "<x/>")
    assert _error(root) == (
        "activities.xlsx: refused, xl/custom.xml is packed with zip method 12, which spreadsheet programs do not write"
    )


# --- XML bombs ------------------------------------------------------------------------------------------

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(
    ("member", "text", "encoding"),
    [
        ("xl/custom.xml", "<!--" + " " * 100_000 + "-->" + LAUGHS + "<x>&lol9;</x>", "utf-8"),  # past the top 64 KB
        ("xl/worksheets/sheet9.bin", LAUGHS + "<x>&lol9;</x>", "utf-8"),  # a part may be named anything
        ("xl/custom.xml", '<?xml version="1.0" encoding="UTF-16"?>' + LAUGHS + "<x>&lol9;</x>", "utf-16"),
    ],
    ids=["after-a-long-comment", "any-name", "utf-16"],
)
def test_xml_entity_declaration_anywhere_is_refused(folder: Folder, member: str, text: str, encoding: str) -> None:
    root = folder()
    with zipfile.ZipFile(root / "activities.xlsx", "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, text.encode(encoding))
    assert _error(root) == f"activities.xlsx: refused, {member} declares a DTD (possible XML bomb)"


def test_calamine_and_openpyxl_do_not_expand_entities(tmp_path: Path) -> None:
    """Defence in depth: were the DTD check bypassed, neither reader expands a billion laughs."""
    path = write_xlsx(tmp_path / "b.xlsx", {"S": [["x"]]})
    members = _members(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", LAUGHS.encode() + b"<worksheet", 1)
                data = re.sub(rb"<c [^>]*>.*?</c>", b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>', data)
            zf.writestr(name, data)
    with pytest.raises(XmlError, match="unrecognized entity"):
        pd.read_excel(path, engine="calamine")
    with pytest.raises(ValueError) as err:  # openpyxl wraps defusedxml's refusal
        openpyxl.load_workbook(path)
    assert type(err.value.__cause__).__name__ == "EntitiesForbidden"


# --- sheets whose grid would be too large to build -------------------------------------------------------


def _sparse(path: Path, far: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Behandlingar"
    ws["A1"] = "Nr"
    ws[far] = "x"
    wb.save(path)
    return path


def test_two_cells_far_apart_are_refused_before_calamine_allocates_the_grid(tmp_path: Path) -> None:
    """A1 and XFD1048576: a 5 KB file that would make calamine ask for 512 GB and abort the process."""
    path = _sparse(tmp_path / "activities.xlsx", "XFD1048576")
    assert path.stat().st_size < 10_000
    with pytest.raises(InputError) as err:
        safety.check_workbook(path, "activities.xlsx")
    assert str(err.value) == (
        "activities.xlsx: refused, sheet 'Behandlingar' (xl/worksheets/sheet1.xml) spans 1,048,576 rows x "
        "16,384 columns (17,179,869,184 cells; limit 25,000,000)"
    )


def test_sparse_sheet_over_the_cell_limit_stops_the_load(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    root = folder()
    _sparse(root / "activities.xlsx", "J200")
    monkeypatch.setattr(safety, "MAX_SHEET_CELLS", 1_000)
    assert _error(root) == (
        "activities.xlsx: refused, sheet 'Behandlingar' (xl/worksheets/sheet1.xml) spans 200 rows x "
        "10 columns (2,000 cells; limit 1,000)"
    )


def test_workbook_over_the_total_cell_limit_is_refused(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    root = folder()  # inventory.xlsx: System 3 x 10 cells, Leverantörer 3 x 7
    monkeypatch.setattr(safety, "MAX_WORKBOOK_CELLS", 50)
    with pytest.raises(InputError) as err:
        safety.check_workbook(root / "inventory.xlsx", "inventory.xlsx")
    assert str(err.value) == "inventory.xlsx: refused, its sheets span 51 cells together (limit 50)"


def _ods(path: Path, rows: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Behandlingar">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    return path


def _text_cell(text: str, repeat: int = 1) -> str:
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string">'
        f"<text:p>{text}</text:p></table:table-cell>"
    )


def test_ods_repeated_cells_bomb_is_refused(folder: Folder) -> None:
    """One cell repeated 16,000 times on a row repeated a million times: 1 KB of XML, 16 billion cells."""
    root = folder()
    (root / "activities.xlsx").unlink()
    _ods(
        root / "activities.ods",
        f"<table:table-row>{_text_cell('Nr')}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="1000000">{_text_cell("x", 16_000)}</table:table-row>',
    )
    assert _error(root) == (
        "activities.ods: refused, sheet 'Behandlingar' spans 1,000,001 rows x 16,000 columns "
        "(16,000,016,000 cells; limit 25,000,000)"
    )


def test_ods_trailing_empty_repeats_as_libreoffice_writes_them_are_fine(tmp_path: Path) -> None:
    """Every LibreOffice sheet ends with a million repeated empty rows and a thousand empty columns."""
    header = "".join(_text_cell(h) for h in ("Nr", "Behandling"))
    path = _ods(
        tmp_path / "activities.ods",
        f'<table:table-row>{header}<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:style-name="ce1" table:number-columns-repeated="1024"/></table:table-row>',
    )
    safety.check_workbook(path, "activities.ods")
    assert pd.read_excel(path, engine="calamine", header=None).shape == (1, 2)
