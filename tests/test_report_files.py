"""Report files: atomic replacement and formula-safe CSV."""

import pandas as pd
import pytest

from audit.report.files import atomic_write, csv_safe, write_csv


def test_failed_write_leaves_previous_file_untouched(tmp_path):
    target = tmp_path / "findings.csv"
    target.write_text("old report", encoding="utf-8")

    def broken(tmp):
        tmp.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, broken)
    assert target.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]


def test_csv_cells_cannot_become_formulas(tmp_path):
    frame = pd.DataFrame({"text": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "plain", "a\x07b"], "n": range(6)})
    safe = csv_safe(frame)
    assert list(safe["text"]) == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "plain", "ab"]
    assert list(safe["n"]) == list(range(6))
    written = pd.read_csv(write_csv(frame, tmp_path / "f.csv"))
    assert written.loc[0, "text"] == '\'=HYPERLINK("x")'


def test_list_cells_are_written_in_list_notation(tmp_path):
    frame = pd.DataFrame({"ids": [["A-1", "A-2"], [], ["=x"]]})
    written = pd.read_csv(write_csv(frame, tmp_path / "f.csv"), keep_default_na=False)
    assert list(written["ids"]) == ["A-1; A-2", "", "'=x"]
