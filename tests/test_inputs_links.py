"""Files are never followed out of the data folder, and an audit leaves every input exactly as it was."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.inputs import load_inputs
from audit.report import write_report
from audit.run import run_audit
from tests.conftest import RECORDS_CSV, folder_state

Folder = Callable[..., Path]
OUTSIDE = (
    "refused, the {kind} is a link to a place outside the data folder; copy the {kind} into the data folder instead"
)


def _error(root: Path) -> str:
    with pytest.raises(InputError) as err:
        load_inputs(root)
    return str(err.value)


def _move_out(path: Path, outside: Path) -> Path:
    """Move ``path`` out of the data folder and leave a link to it in its place."""
    outside.mkdir(parents=True, exist_ok=True)
    target = outside / path.name
    path.rename(target)
    path.symlink_to(target, target_is_directory=target.is_dir())
    return target


def test_record_extract_linked_from_outside_is_refused(folder: Folder, tmp_path: Path) -> None:
    root = folder()
    _move_out(root / "records" / "S-CRM.csv", tmp_path / "elsewhere")
    assert _error(root) == "records/S-CRM.csv: " + OUTSIDE.format(kind="file")


def test_records_folder_linked_from_outside_is_refused(folder: Folder, tmp_path: Path) -> None:
    root = folder()
    _move_out(root / "records", tmp_path / "elsewhere")
    assert _error(root) == "records: " + OUTSIDE.format(kind="folder")


def test_activities_file_linked_from_outside_is_refused(folder: Folder, tmp_path: Path) -> None:
    root = folder()
    _move_out(root / "activities.xlsx", tmp_path / "elsewhere")
    assert _error(root) == "activities.xlsx: " + OUTSIDE.format(kind="file")


def test_extract_linked_to_a_system_file_is_refused_without_reading_it(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-CRM.csv").unlink()
    (root / "records" / "S-CRM.csv").symlink_to("/etc/passwd")
    message = _error(root)
    assert message == "records/S-CRM.csv: " + OUTSIDE.format(kind="file")
    assert "root" not in message


def test_broken_link_is_an_error_not_a_silently_missing_extract(folder: Folder) -> None:
    root = folder()
    (root / "records" / "S-CRM.csv").unlink()
    (root / "records" / "S-CRM.csv").symlink_to(root / "records" / "gone.csv")
    assert _error(root) == "records/S-CRM.csv: the file is a link to something that does not exist"


def test_links_within_the_data_folder_are_followed(folder: Folder, tmp_path: Path) -> None:
    root = folder()
    exports = root / "exports"
    exports.mkdir()
    (exports / "crm.csv").write_text(RECORDS_CSV, encoding="utf-8")
    (root / "records" / "S-CRM.csv").unlink()
    (root / "records" / "S-CRM.csv").symlink_to(Path("..") / "exports" / "crm.csv")
    (root / "inventory.xlsx").rename(exports / "inventory.xlsx")
    (root / "inventory.xlsx").symlink_to(exports / "inventory.xlsx")
    linked_root = tmp_path / "data-link"
    linked_root.symlink_to(root, target_is_directory=True)  # the data folder itself may be a link
    inputs = load_inputs(linked_root)
    assert len(inputs.records["S-CRM"]) == 3
    assert len(inputs.systems) == 2
    assert inputs.files["file"].tolist()[-1] == "records/S-CRM.csv"


def test_an_unrelated_link_in_the_folder_is_ignored(folder: Folder) -> None:
    root = folder()
    (root / "notes.txt").symlink_to("/etc/passwd")
    assert len(load_inputs(root).activities) == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_whole_audit_leaves_the_inputs_untouched(folder: Folder, tmp_path: Path, fmt: str) -> None:
    """Same files, same bytes, same modification times, nothing added: inputs are only ever opened for reading."""
    root = folder(fmt=fmt)
    old = 1_600_000_000_000_000_000
    for path in root.rglob("*"):
        os.utime(path, ns=(old, old))
    before = folder_state(root)
    result = run_audit(root, dt.date(2026, 11, 1))
    write_report(result, tmp_path / "out")
    assert folder_state(root) == before
    assert all(p.stat().st_mtime_ns == old for p in root.rglob("*"))
