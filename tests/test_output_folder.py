"""The output folder: a file, under a file, not writable, busy with another run: one line naming it, exit 2."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from audit.cli import main
from audit.paths import PROJECT_DIR
from audit.report import output, write_report
from audit.report.output import LOCK_NAME, OutputError, locked
from audit.run import run_audit
from tests.conftest import build_folder, tables

AS_OF = "2026-11-01"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_folder(tmp_path_factory.mktemp("output-folder") / "data", tables())


@pytest.fixture(scope="module")
def result(data: Path):
    from datetime import date

    return run_audit(data, date.fromisoformat(AS_OF))


def _error(result, out: Path) -> str:
    with pytest.raises(OutputError) as err:
        write_report(result, out)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_out_is_a_file(result, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    out.write_text("my notes", encoding="utf-8")
    assert _error(result, out) == f"output folder {out}: is a file, not a folder"
    assert out.read_text(encoding="utf-8") == "my notes"


def test_out_lies_under_a_file(result, tmp_path: Path) -> None:
    blocker = tmp_path / "report.txt"
    blocker.write_text("my notes", encoding="utf-8")
    out = blocker / "reports" / "2026"
    assert _error(result, out) == f"output folder {out}: lies under a file ({blocker} is a file, not a folder)"


def test_out_that_cannot_be_created(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, which ignores permission bits: plant the error the OS gives a normal user.
    out = tmp_path / "locked-down" / "reports"
    real_mkdir = Path.mkdir

    def denied(self: Path, *args: object, **kwargs: object) -> None:
        if self == out:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", denied)
    assert _error(result, out) == f"output folder {out}: not writable (Permission denied)"


@pytest.mark.parametrize(
    ("code", "reason"), [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system")]
)
def test_existing_out_that_is_not_writable(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code, reason):
    out = tmp_path / "reports"
    out.mkdir()
    real_open = os.open

    def refused(path, flags, *args):
        if str(path).startswith(str(out)):
            raise OSError(code, reason, str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(output.os, "open", refused)
    assert _error(result, out) == f"output folder {out}: not writable ({reason})"
    monkeypatch.undo()
    assert list(out.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permission bits")
def test_read_only_folder_for_a_normal_user(result, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert _error(result, out) == f"output folder {out}: not writable (Permission denied)"
    finally:
        out.chmod(0o755)


def test_cli_prints_one_line_and_exits_2(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.txt"
    out.write_text("", encoding="utf-8")
    assert main(["--data", str(data), "--as-of", AS_OF, "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: output folder {out}: is a file, not a folder\n"


def test_cli_under_a_file_has_no_traceback(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "f"
    blocker.write_text("", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "audit", "--data", str(data), "--as-of", AS_OF, "--out", str(blocker / "o")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr == f"error: output folder {blocker / 'o'}: lies under a file ({blocker} is a file, not a folder)\n"
    )


# ---------------------------------------------------------------- one run at a time


def test_second_run_refuses_after_a_short_wait(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 0.3)
    with locked(tmp_path):
        started = time.monotonic()
        message = _error(result, tmp_path)
        waited = time.monotonic() - started
    assert message == (
        f"output folder {tmp_path}: another audit is writing there (lock file {LOCK_NAME}); "
        "run again when it has finished"
    )
    assert 0.3 <= waited < 5
    assert list(tmp_path.iterdir()) == []  # nothing written, and the holder's lock file is gone with it


def test_second_run_waits_for_the_first(result, tmp_path: Path) -> None:
    holding = threading.Event()

    def first_run() -> None:
        with locked(tmp_path):
            holding.set()
            time.sleep(0.5)

    thread = threading.Thread(target=first_run)
    thread.start()
    holding.wait(5)
    written = write_report(result, tmp_path)
    thread.join()
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in written}


def test_cli_refuses_a_busy_folder(data: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 0.2)
    with locked(tmp_path):
        assert main(["--data", str(data), "--as-of", AS_OF, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: output folder {tmp_path}: another audit is writing there (lock file {LOCK_NAME}); "
        "run again when it has finished\n"
    )


def test_lock_file_is_gone_after_a_run(result, tmp_path: Path) -> None:
    write_report(result, tmp_path)
    assert not (tmp_path / LOCK_NAME).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
