"""Settings: defaults load, overrides apply, bad values are named."""

import pytest

from audit.errors import ReferenceDataError
from audit.reference.datafiles import reference
from audit.reference.settings import load_settings


def test_defaults_cover_every_rule_in_the_catalogue():
    settings = load_settings()
    assert set(settings.severities) == set(reference("rules")["rules"])
    assert settings.event_grace_days == 30
    assert settings.review_interval_months == 12


def test_override_replaces_only_given_keys(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("event_grace_days: 14\nseverities:\n  SEC-02: low\n", encoding="utf-8")
    settings = load_settings(f)
    assert settings.event_grace_days == 14
    assert settings.severity("SEC-02") == "low"
    assert settings.severity("SEC-01") == "high"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("severities:\n  SEC-02: urgent\n", "severity of SEC-02 is 'urgent'"),
        ("event_grace_days: -1\n", "event_grace_days must be a non-negative whole number"),
        ("grace: 3\n", "unknown setting(s) grace"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_bad_override_names_file_and_key(tmp_path, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        load_settings(f)
    assert message in str(err.value)
    assert "bad.yaml" in str(err.value)
