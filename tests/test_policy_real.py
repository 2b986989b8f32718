"""The whole flow with the real parser: any policy on the command line, its JSON, a diff of two versions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from audit.cli import main
from audit.paths import DATA_DIR, POLICY_DIR, PROJECT_DIR
from audit.policy.model import load_policy_from
from audit.rules.policy_law import art13_coverage

TEXT = POLICY_DIR / "integritetspolicy.txt"
POLICIES = {
    "sv-tables": PROJECT_DIR / "tests/policies/sv-tables/integritetspolicy.md",
    "en-subheadings": DATA_DIR / "example/privacy-notice.md",
    "html-notice": PROJECT_DIR / "tests/policies/html-notice/notice.html",
    "short-notice": PROJECT_DIR / "tests/policies/short-notice/notice.txt",
}


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_the_sample_audits_against_every_test_policy(tmp_path: Path, name: str, capsys) -> None:
    argv = ["--data", str(DATA_DIR / "sample"), "--as-of", "2026-11-01", "--out", str(tmp_path)]
    assert main([*argv, "--policy", str(POLICIES[name])]) == 0
    findings = pd.read_csv(tmp_path / "findings.csv")
    # The sample register cites the bundled policy's ids, none of which this policy has: every
    # controller activity is undisclosed (REG-01), and the run still audits everything else.
    assert (findings["rule"] == "REG-01").sum() >= 10
    assert {"DSR-03", "SEC-01", "TRF-01"} <= set(findings["rule"])


def test_the_english_example_runs_from_its_readme(tmp_path: Path) -> None:
    argv = ["--data", str(DATA_DIR / "example"), "--as-of", "2026-11-01", "--out", str(tmp_path)]
    assert main([*argv, "--policy", str(POLICIES["en-subheadings"])]) == 0
    findings = pd.read_csv(tmp_path / "findings.csv")
    subjects = set(findings["rule"] + " " + findings["subject"].astype(str))
    # The gaps the example organisation plants (data/example/README.md).
    assert {
        "REG-01 A-06",
        "REC-01 A-04:Voxscribe Inc.",
        "DSR-01 R-003",
        "DSR-03 R-002",
        "RET-03 A-05:S-ENQ",
        "TRF-01 Postbird Inc.:US",
    } <= subjects
    # Its activities are the notice's own slugs: none of the register rows is unknown to the policy.
    assert not findings["detail"].str.contains("which is not a policy activity").any()


def test_english_art13_wording_is_recognised() -> None:
    coverage = art13_coverage(load_policy_from(POLICIES["en-subheadings"])).set_index("item")["status"]
    # The notice names its controller, its transfers and the ICO; it has no DPO.
    assert coverage["1a"] == "covered" and coverage["1f"] == "covered" and coverage["2d"] == "covered"
    assert coverage["1b"] == "missing"


def test_policy_json_of_the_bundled_text(capsys) -> None:
    assert main(["policy", str(TEXT), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"controller", "dpo", "version", "language", "activities", "transfer_grounds", "art13", "unparsed"} <= set(
        data
    )
    assert data["controller"] == "Carasent Sverige AB" and data["dpo"] == "dso@carasent.com"
    assert data["language"] == "sv" and data["version"] == "2024-05-16"
    assert len(data["activities"]) == 13 and data["transfer_grounds"] == ["adequacy", "scc"]
    survey = next(a for a in data["activities"] if a["id"] == "P-SURVEY")
    assert survey["retention"][0]["period"] == "P1Y" and survey["retention"][0]["anchor"] == "collection"
    assert sorted(data["art13"]) == ["1a", "1b", "1c", "1d", "1e", "1f", "2a", "2b", "2c", "2d", "2e", "2f"]


def test_policy_diff_of_the_bundled_text_and_an_edited_copy_names_exactly_the_edits(tmp_path: Path, capsys) -> None:
    text = TEXT.read_text(encoding="utf-8")
    edited = text.replace("Sparas i 1 år.", "Sparas i 2 år.").replace(
        "Mottagare: Leverantör av ekonomisystem. Ekonomikonsult.",
        "Mottagare: Leverantör av ekonomisystem. Ekonomikonsult. Inkassobolag.",
    )
    assert edited.count("Sparas i 2 år.") == 1 and "Inkassobolag" in edited
    new = tmp_path / "integritetspolicy-2.txt"
    new.write_text(edited, encoding="utf-8")
    assert main(["policy", "diff", str(POLICY_DIR / "policy.yaml"), str(new), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    rows = rows["changes"] if isinstance(rows, dict) else rows
    got = {(r["change"], r["activity"], r["field"], r["material"]) for r in rows}
    assert got == {
        ("added", "P-BOOKKEEPING", "recipients", True),
        ("changed", "P-SURVEY", "retention", True),
    }


def test_an_unchanged_text_diffs_to_nothing(capsys) -> None:
    assert main(["policy", "diff", str(POLICY_DIR / "policy.yaml"), str(TEXT)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("0 changes")
