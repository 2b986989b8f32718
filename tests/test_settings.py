"""Settings: defaults load, overrides apply, bad values are named."""

import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from audit.errors import ReferenceDataError
from audit.reference.datafiles import reference
from audit.reference.settings import SEVERITIES, load_settings


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
        (
            "severities:\n  SEC-02: urgent\n",
            "severity of SEC-02 is 'urgent', expected one of high, medium, low, info",
        ),
        ("event_grace_days: -1\n", "event_grace_days: Input should be greater than or equal to 0, got -1"),
        ("grace: 3\n", "grace: unknown key (expected one of source, date, organisation, event_grace_days"),
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


def test_override_merges_single_colours_and_may_carry_its_own_provenance(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(
        "source: DPO decision 2026-12-01\ndate: 2026-12-01\nseverity_colours:\n  high: '000000'\n", encoding="utf-8"
    )
    settings = load_settings(f)
    assert settings.severity_colours == {**load_settings().severity_colours, "high": "000000"}
    assert (settings.source, settings.date) == ("DPO decision 2026-12-01", "2026-12-01")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("event_grace_days:\n", "event_grace_days: expected a value, got nothing (leave the key out"),
        ("severity_fills:\n  low:\n", "severity_fills.low: expected a value, got nothing"),
        ("severity_colours:\n  pink: 'FFC0CB'\n", "severity_colours.pink: unknown key (expected one of high, medium"),
        ("status_choices: []\n", "status_choices: List should have at least 1 item"),
        ("review_interval_months: '12'\n", "review_interval_months: expected a whole number, got '12'"),
        ("organisation: no\n", "organisation: expected a text (quote words that YAML reads as true/false"),
        ("severities: [high]\n", "severities: expected a mapping"),
        ("a: [1\n", "not valid YAML (expected ',' or ']'"),
    ],
)
def test_bad_override_names_the_dpos_file_and_key(tmp_path, text, message):
    f = tmp_path / "dpo.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        load_settings(f)
    assert str(err.value).startswith(f"{f}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


SETTING_KEYS = [
    "organisation",
    "event_grace_days",
    "review_interval_months",
    "security_test_interval_months",
    "sheet_row_cap",
    "example_records",
    "severities",
    "status_choices",
    "severity_colours",
    "severity_fills",
    "source",
    "date",
]
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=12), st.dates()
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(["high", "low", "SEC-01", "info"]), st.text(max_size=5)), inner, max_size=3
        ),
    ),
    max_leaves=8,
)
_overlays = st.dictionaries(st.one_of(st.sampled_from(SETTING_KEYS), st.text(max_size=8)), _values, max_size=4)


@pytest.fixture(scope="module")
def overlay_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("overlay")


def _load_or_error(path):
    try:
        return load_settings(path)
    except ReferenceDataError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: ")
        assert "\n" not in message
        return None


@hyp_settings(max_examples=150, deadline=None)
@given(overlay=_overlays)
def test_any_overlay_gives_settings_or_one_clear_line(overlay_dir, overlay):
    path = overlay_dir / "overlay.yaml"
    path.write_text(yaml.safe_dump(overlay, allow_unicode=True), encoding="utf-8")
    result = _load_or_error(path)
    if result is not None:
        defaults = load_settings()
        assert set(result.severities) == set(defaults.severities) | set(overlay.get("severities") or {})
        assert set(result.severity_colours) == set(SEVERITIES)
        assert all(getattr(result, key) >= 0 for key in SETTING_KEYS[1:6])


@hyp_settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=80))
def test_any_text_as_a_settings_file_gives_settings_or_one_clear_line(overlay_dir, text):
    path = overlay_dir / "text.yaml"
    path.write_text(text, encoding="utf-8")
    _load_or_error(path)


def test_severity_defaults_come_from_the_rule_catalogue():
    from audit.reference.catalogue import catalogue

    settings = load_settings()
    assert all(settings.severity(rid) == spec.severity for rid, spec in catalogue().rules.items())


def test_override_for_a_rule_the_catalogue_lacks_is_an_error(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("severities:\n  REG-99: low\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"mine.yaml: severities: no rule REG-99 in the rule catalogue"):
        load_settings(f)
