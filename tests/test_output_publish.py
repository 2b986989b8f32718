"""One run, one consistent output: staged, published whole; failed and killed runs leave the previous set."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from audit.cli import main
from audit.paths import PROJECT_DIR
from audit.report import charts, report_names, write_report
from audit.report.output import LOCK_NAME, PUBLISH_MARK, STAGING_PREFIX, recover
from audit.run import run_audit
from tests.conftest import build_folder, tables

AS_OF = "2026-11-01"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_folder(tmp_path_factory.mktemp("publish") / "data", tables())


@pytest.fixture(scope="module")
def result(data: Path):
    return run_audit(data, date.fromisoformat(AS_OF))


def state(out: Path) -> dict[str, str]:
    """Every entry of ``out`` (hidden ones too) with the SHA-256 of its content ("dir" for folders)."""
    return {p.name: "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


def test_report_set_is_exactly_the_report_files(result, tmp_path: Path) -> None:
    written = write_report(result, tmp_path)
    assert [p.parent for p in written] == [tmp_path] * len(written)
    assert sorted(state(tmp_path)) == sorted(p.name for p in written)
    assert all(p.stat().st_size > 0 for p in written)


def test_chart_is_never_half_written_under_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fig = charts.retention_overdue(pd.DataFrame(), date(2026, 11, 1))
    target = tmp_path / "chart.png"
    target.write_bytes(b"previous chart")

    def dies_while_drawing(self, fname, *args, **kwargs):
        Path(fname).write_bytes(b"\x89PNG half")
        raise MemoryError("killed while drawing")

    monkeypatch.setattr(Figure, "savefig", dies_while_drawing)
    with pytest.raises(MemoryError):
        charts.save_png(fig, target)
    assert target.read_bytes() == b"previous chart"
    assert state(tmp_path) == {"chart.png": hashlib.sha256(b"previous chart").hexdigest()}


def test_failure_while_drawing_a_chart_keeps_the_whole_previous_set(result, tmp_path, monkeypatch) -> None:
    write_report(result, tmp_path)
    before = state(tmp_path)
    real = charts.save_png
    calls = []

    def third_fails(fig, path):
        calls.append(path)
        if len(calls) == 3:
            raise RuntimeError("renderer crashed")
        return real(fig, path)

    monkeypatch.setattr(charts, "save_png", third_fails)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_report(result, tmp_path)
    assert state(tmp_path) == before  # not one file of the failed run, no staging folder, no lock file


# ---------------------------------------------------------------- killed runs

_HANG_WHILE_DRAWING = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from matplotlib.figure import Figure

    from audit.cli import main

    ready, real, drawn = Path(sys.argv[1]), Figure.savefig, []

    def slow(self, fname, *args, **kwargs):
        drawn.append(fname)
        if len(drawn) == 3:  # the third chart: a few bytes, then hang until killed
            Path(fname).write_bytes(b"\\x89PNG half")
            ready.write_text("drawing", encoding="utf-8")
            time.sleep(120)
        return real(self, fname, *args, **kwargs)

    Figure.savefig = slow
    sys.exit(main(sys.argv[2:]))
    """
)


def _run_until_ready(script: str, data: Path, out: Path, ready: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(ready), "--data", str(data), "--as-of", AS_OF, "--out", str(out)],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the run never reached the planted point: {proc.communicate()[1]}")
        time.sleep(0.05)
    return proc


def _first_run(data: Path, out: Path) -> dict[str, str]:
    assert main(["--data", str(data), "--as-of", AS_OF, "--out", str(out)]) == 0
    return state(out)


def test_run_killed_while_drawing_leaves_the_previous_set(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    before = _first_run(data, out)
    proc = _run_until_ready(_HANG_WHILE_DRAWING, data, out, tmp_path / "ready")
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    after = state(out)
    # Every report file is the previous run's; a SIGKILL cannot clean up, but what it leaves is
    # hidden and named after the tool (a staging folder, the released lock file), never a report name.
    assert {k: v for k, v in after.items() if k in before} == before
    leftovers = set(after) - set(before)
    assert leftovers and all(name.startswith(".privacy-audit") for name in leftovers)
    # The next run removes the leftovers and publishes a complete set.
    assert main(["--data", str(data), "--as-of", AS_OF, "--out", str(out)]) == 0
    assert sorted(state(out)) == sorted(before)


def test_run_stopped_with_kill_cleans_up(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    before = _first_run(data, out)
    proc = _run_until_ready(_HANG_WHILE_DRAWING, data, out, tmp_path / "ready")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 128 + signal.SIGTERM
    assert "Traceback" not in proc.stderr.read()
    assert state(out) == before


_KILLED_WHILE_PUBLISHING = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path

    import audit.report.output as output
    from audit.cli import main

    real, renamed = os.replace, []

    def dies_after_three(src, dst):
        if not Path(dst).parent.name.startswith(output.STAGING_PREFIX):  # publishing, not staging
            if len(renamed) == 3:
                Path(sys.argv[1]).write_text("\\n".join(renamed), encoding="utf-8")
                os.kill(os.getpid(), signal.SIGKILL)
            renamed.append(Path(dst).name)
        real(src, dst)

    output.os.replace = dies_after_three
    sys.exit(main(sys.argv[2:]))
    """
)


def test_run_killed_while_publishing_is_completed_by_the_next(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    before = _first_run(data, out)
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_PUBLISHING, str(tmp_path / "renamed")]
        + ["--data", str(data), "--as-of", AS_OF, "--out", str(out)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    published = (tmp_path / "renamed").read_text(encoding="utf-8").split("\n")
    (staging,) = out.glob(f"{STAGING_PREFIX}*")
    assert (staging / PUBLISH_MARK).exists()
    remaining = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in staging.iterdir() if p.is_file()}
    remaining.pop(PUBLISH_MARK)
    assert len(published) == 3 and sorted([*published, *remaining]) == sorted(before)
    # The next run first completes the interrupted set: every file is the killed run's, the staging folder goes.
    completed = recover(out, report_names())
    assert sorted(p.name for p in completed) == sorted(remaining)
    final = state(out)
    assert {name: final[name] for name in remaining} == remaining
    assert sorted(final) == sorted([*before, LOCK_NAME])  # the killed run's lock file: released, removed by a run


def test_recover_removes_only_what_runs_leave(tmp_path: Path) -> None:
    unfinished = tmp_path / f"{STAGING_PREFIX}abc123"
    unfinished.mkdir()
    (unfinished / "findings.csv").write_text("half", encoding="utf-8")
    old_tmp = tmp_path / ".findings-k2j4h5g6.csv"  # what earlier versions left beside a report
    old_tmp.write_text("half", encoding="utf-8")
    old_book_tmp = tmp_path / ".2026-10-01-privacy-audit-q1w2e3r4.xlsx"
    old_book_tmp.write_text("half", encoding="utf-8")
    keep = ["findings.csv", ".findings-notes.csv", "notes.txt", ".hidden-by-the-dpo"]
    for name in keep:
        (tmp_path / name).write_text("mine", encoding="utf-8")
    assert recover(tmp_path, report_names()) == []
    assert sorted(state(tmp_path)) == sorted(keep)


def test_a_killed_lock_holder_does_not_block_the_next_run(result, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from audit.report.output import locked\n"
            "with locked(sys.argv[1]):\n    print('held', flush=True); time.sleep(120)",
            str(tmp_path),
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    holder.kill()
    holder.wait(30)
    assert (tmp_path / LOCK_NAME).exists()  # left behind, but no longer held
    written = write_report(result, tmp_path)
    assert sorted(state(tmp_path)) == sorted(p.name for p in written)
