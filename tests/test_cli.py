"""The command line: exit status, printed summary, files written, one-line errors."""

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from audit.cli import main
from audit.paths import PROJECT_DIR, SAMPLE_DIR
from audit.reference.i18n import label, number
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF


def test_sample_run_writes_everything_and_summarises(tmp_path, capsys):
    assert main(["--data", str(SAMPLE_DIR), "--as-of", str(SAMPLE_AS_OF), "--out", str(tmp_path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    expected = run_audit(SAMPLE_DIR, SAMPLE_AS_OF).counts_by_severity()
    assert f"as of {SAMPLE_AS_OF.isoformat()}" in out
    assert "Findings by severity: " + ", ".join(f"{s} {n}" for s, n in expected.items()) in out
    findings = pd.read_csv(tmp_path / "findings.csv")
    assert len(findings) == expected.sum()
    assert (tmp_path / f"{SAMPLE_AS_OF.isoformat()}-privacy-audit.xlsx").exists()
    assert (tmp_path / "input-issues.csv").exists()


def test_as_of_defaults_to_today_and_says_so(tmp_path, capsys, monkeypatch):
    import audit.cli as cli

    class Today:
        @staticmethod
        def today():
            return SAMPLE_AS_OF

        fromisoformat = staticmethod(cli.date.fromisoformat)

    monkeypatch.setattr(cli, "date", Today)
    assert main(["--data", str(SAMPLE_DIR), "--out", str(tmp_path)]) == 0
    # The bundled policy is Swedish, so without --lang the run speaks Swedish.
    assert capsys.readouterr().out.startswith(f"Granskning av {SAMPLE_DIR} per {SAMPLE_AS_OF.isoformat()} (i dag)\n")


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_unusable_input_is_exit_2_with_one_line(tmp_path, damage):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    if damage == "corrupt":
        (data / "inventory.xlsx").write_bytes(b"PK\x03\x04 truncated")
    else:
        (data / "activities.xlsx").unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "audit", "--data", str(data), "--as-of", "2026-11-01", "--out", str(tmp_path / "o")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert ("inventory.xlsx" if damage == "corrupt" else "activities") in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_bad_as_of_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", str(SAMPLE_DIR), "--as-of", "1/11/2026"])
    assert exit_info.value.code == 2
    assert "not an ISO date" in capsys.readouterr().err


def test_settings_file_overrides_severities(tmp_path, capsys):
    settings = tmp_path / "mine.yaml"
    settings.write_text("severities:\n  TRF-05: low\n", encoding="utf-8")
    args = ["--data", str(SAMPLE_DIR), "--as-of", str(SAMPLE_AS_OF), "--out", str(tmp_path / "o")]
    assert main([*args, "--settings", str(settings)]) == 0
    findings = pd.read_csv(tmp_path / "o" / "findings.csv")
    assert set(findings.loc[findings["rule"] == "TRF-05", "severity"]) == {"low"}
    settings.write_text("severities:\n  TRF-05: urgent\n", encoding="utf-8")
    assert main([*args, "--settings", str(settings)]) == 2
    assert "mine.yaml: severity of TRF-05 is 'urgent'" in capsys.readouterr().err


def test_only_the_required_files_is_a_complete_audit(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("activities.xlsx", "inventory.xlsx"):
        shutil.copy(SAMPLE_DIR / name, data / name)
    assert main(["--data", str(data), "--as-of", str(SAMPLE_AS_OF), "--out", str(tmp_path / "o")]) == 0
    findings = pd.read_csv(tmp_path / "o" / "findings.csv")
    # No request log, no disclosures, no extracts: those rules are silent, the rest still run.
    assert not findings["rule"].str.startswith("DSR").any()
    assert not findings["rule"].isin(["RET-03", "RET-05", "REC-05"]).any()
    assert {"POL-01", "REG-01", "TRF-01", "SEC-01", "RET-01"} <= set(findings["rule"])
    assert len(list((tmp_path / "o").glob("chart-*.png"))) == 5


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_summary_lines_speak_the_report_language(tmp_path, capsys, lang):
    assert main(["--data", str(SAMPLE_DIR), "--as-of", str(SAMPLE_AS_OF), "--out", str(tmp_path), "--lang", lang]) == 0
    printed = capsys.readouterr().out.splitlines()
    # One progress line per record extract (tests/test_records_engine.py checks their wording).
    progress = [line for line in printed if line.startswith(("Read record extract ", "Läste datauttag "))]
    assert len(progress) == 4
    lines = [line for line in printed if line not in progress]
    result = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, lang=lang)
    counts = result.counts_by_severity()
    books = sorted(p for p in tmp_path.iterdir() if p.suffix == ".xlsx")
    others = len([p for p in tmp_path.iterdir() if p.is_file() and p.suffix != ".xlsx"])
    records = number(sum(len(r) for r in result.inputs.records.values()), lang)
    if lang == "sv":
        expected = [
            f"Granskning av {SAMPLE_DIR} per {SAMPLE_AS_OF.isoformat()}",
            f"Läste 15 behandlingar, 13 system, 23 leverantörer, 26 begäranden, 5 utlämnanden, 4 datauttag ur system "
            f"({records} poster).",
            "Problem i indata: 0",
            "Avvikelser per allvarlighet: "
            + ", ".join(f"{label('common.severity', s, 'sv')} {n}" for s, n in counts.items())
            + f" (totalt {counts.sum()})",
            "Ingen tidigare arbetsbok: alla avvikelser är nya.",
            *(f"Skrev {p}" for p in books),
            f"Skrev också {others} CSV- och diagramfiler i {tmp_path}",
        ]
        assert records == "14\xa0500"
    else:
        expected = [
            f"Audit of {SAMPLE_DIR} as of {SAMPLE_AS_OF.isoformat()}",
            f"Loaded 15 activities, 13 systems, 23 vendors, 26 requests, 5 disclosures, 4 record extracts "
            f"({records} records).",
            "Input issues: 0",
            "Findings by severity: " + ", ".join(f"{s} {n}" for s, n in counts.items()) + f" (total {counts.sum()})",
            "No previous workbook: every finding is new.",
            *(f"Wrote {p}" for p in books),
            f"Also wrote {others} CSV and chart files into {tmp_path}",
        ]
        assert records == "14,500"
    assert lines == expected
