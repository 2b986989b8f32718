"""The bundled sample: the audit finds exactly the gaps its README lists, and nothing else."""

from datetime import date

import pandas as pd
import pytest

from audit.paths import SAMPLE_DIR
from audit.reference.datafiles import reference
from audit.run import run_audit
from tools.sample import SAMPLE_AS_OF


@pytest.fixture(scope="module")
def result():
    return run_audit(SAMPLE_DIR, date.fromisoformat(str(SAMPLE_AS_OF)))


@pytest.fixture(scope="module")
def expected():
    files = ("expected_findings.csv", "expected_policy_findings.csv")
    return pd.concat([pd.read_csv(SAMPLE_DIR / f, dtype=str) for f in files], ignore_index=True)


def test_sample_loads_without_input_issues(result):
    assert result.issues.empty, result.issues.to_string()


def test_every_planted_gap_is_found(result, expected):
    found = set(zip(result.findings["rule"], result.findings["subject"], strict=True))
    missing = [(r, s) for r, s in zip(expected["rule"], expected["subject"], strict=True) if (r, s) not in found]
    assert missing == []


def test_nothing_beyond_the_planted_gaps(result, expected):
    planted = set(zip(expected["rule"], expected["subject"], strict=True))
    extra = [(r, s) for r, s in zip(result.findings["rule"], result.findings["subject"], strict=True)]
    assert [x for x in extra if x not in planted] == []


def test_every_rule_is_exercised(expected):
    assert set(expected["rule"]) == set(reference("rules")["rules"])


def test_findings_cite_evidence_and_clause(result):
    f = result.findings
    assert f["finding_id"].is_unique
    assert f["evidence"].notna().all() and (f["evidence"].str.len() > 0).all()
    assert f["detail"].notna().all()
    # Art. 30 completeness (REG-05) rests on the law alone; every other finding quotes the policy.
    quoted = ~f["rule"].isin(["REG-05"])
    assert f.loc[quoted, "policy_clause"].notna().all(), f.loc[quoted & f["policy_clause"].isna(), "subject"].tolist()
