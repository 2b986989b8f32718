"""SEC-01..03 on tiny inventories."""

import pytest

from audit.rules.registry import run_family
from tests.factories import make_ctx, make_inputs, system


def run(*systems, as_of="2026-11-01"):
    return run_family(make_ctx(make_inputs(systems=list(systems)), as_of=as_of), "SEC")


def test_compliant_system_gives_no_finding():
    assert run(system()).empty


@pytest.mark.parametrize(
    ("column", "value", "rule", "state"),
    [
        ("encrypted_at_rest", False, "SEC-01", " is not encrypted at rest."),
        ("encrypted_at_rest", None, "SEC-01", ": whether it is encrypted at rest is not recorded."),
        ("backup", False, "SEC-02", " has no backup."),
        ("backup", None, "SEC-02", ": whether it has a backup is not recorded."),
    ],
)
def test_missing_safeguard_is_a_finding(column, value, rule, state):
    found = run(system(system_id="S-OK"), system(system_id="S-GAP", **{column: value}))
    assert list(found["rule"]) == [rule]
    assert list(found["subject"]) == ["S-GAP"]
    assert found.loc[0, "detail"] == f"System S-GAP (Mailer){state}"
    assert found.loc[0, "evidence"] == f"inventory.xlsx › Systems › row 3, column {column.replace('_', ' ')}"
    assert "«" in found.loc[0, "policy_clause"]


def test_security_test_older_than_interval():
    found = run(
        system(system_id="S-EDGE", last_security_test="2025-11-01"),
        system(system_id="S-OLD", last_security_test="2025-10-31"),
        system(system_id="S-NONE", last_security_test=None),
    )
    assert sorted(found["subject"]) == ["S-NONE", "S-OLD"]
    details = dict(zip(found["subject"], found["detail"], strict=True))
    assert "last tested 2025-10-31, more than 12 months before 2026-11-01" in details["S-OLD"]
    assert details["S-NONE"] == "System S-NONE: no security test recorded."


def test_interval_is_a_setting():
    from dataclasses import replace

    from audit.reference.settings import load_settings

    ctx = make_ctx(make_inputs(systems=[system(last_security_test="2026-03-01")]))
    ctx = replace(ctx, settings=replace(load_settings(), security_test_interval_months=6))
    assert list(run_family(ctx, "SEC")["rule"]) == ["SEC-03"]
