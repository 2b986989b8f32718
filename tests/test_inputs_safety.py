"""Untrusted files: each broken or hostile file is one InputError line naming it, never a traceback."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl.xml
import pytest

from audit.errors import InputError
from audit.inputs import load_inputs, safety
from tests.conftest import folder_state

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
