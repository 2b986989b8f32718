"""The previous workbook passes the same safety checks as every input before any parser opens it."""

from __future__ import annotations

import hashlib
import struct
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from audit.cli import main
from audit.errors import InputError
from audit.inputs import safety
from audit.report import write_report
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
