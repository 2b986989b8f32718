"""Retention rules in words, in Swedish: the phrases, their data, and a Swedish sample audit without English.

The Retention sheet's ``policy_rule`` and the RET findings quote a rule as
:func:`audit.reference.retention_periods.describe_rule` words it, from the
templates of ``data/reference/anchors.yaml``; a Swedish report must quote it
in Swedish, and the English report must not change.
"""

from __future__ import annotations

import copy
import re
from datetime import date

import pandas as pd
import pytest

from audit.errors import ReferenceDataError
from audit.paths import SAMPLE_DIR
from audit.reference.datafiles import load_yaml, reference_path, validate
from audit.reference.i18n import labels
from audit.reference.retention_periods import anchor_book, anchor_label, describe_rule, period_words, rules_in_words
from audit.reference.schemas import AnchorsFile
from audit.run import run_audit

GRACE = 30


# --- the phrases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iso", "swedish", "english"),
    [
        ("P7Y", "7 år", "7 years"),
        ("P1Y", "1 år", "1 year"),
        ("P1M", "1 månad", "1 month"),
        ("P12M", "12 månader", "12 months"),
        ("P1W", "1 vecka", "1 week"),
        ("P2W", "2 veckor", "2 weeks"),
        ("P1D", "1 dag", "1 day"),
        ("P30D", "30 dagar", "30 days"),
        ("PT1H", "1 timme", "1 hour"),
        ("PT48H", "48 timmar", "48 hours"),
        ("P1Y6M", "1 år 6 månader", "1 year 6 months"),
    ],
)
def test_period_words(iso: str, swedish: str, english: str) -> None:
    assert period_words(iso, "sv") == swedish
    assert period_words(iso, "en") == english
    assert period_words(iso) == english  # English unless told otherwise


@pytest.mark.parametrize(
    ("rule", "swedish", "english"),
    [
        (("period", "P1Y", "collected", False), "1 år från insamlingsdatum", "1 year from collection date"),
        (
            ("period", "P2Y", "training_completed", False),
            "2 år från genomförd utbildning",
            "2 years from training completed",
        ),
        (
            ("period", "P7Y", "contract_end", True),
            "7 år från avtalets slut, räknat från räkenskapsårets slut",
            "7 years from contract end, counted from the end of the financial year",
        ),
        (
            ("period", "P7Y", "fiscal_year_end", True),
            "7 år från räkenskapsårets slut",
            "7 years from end of the financial year",
        ),
        (
            ("until", None, "unsubscribed", False),
            "raderas efter avregistrering (+30 dagars marginal)",
            "deleted after unsubscription (+30 days grace)",
        ),
        (("vague", None, None, False), "ingen mätbar gräns", "no measurable limit"),
        (("per_contract", None, None, False), "anges i varje persons avtal", "set in each person's contract"),
        (("none", None, None, False), "utanför policyn", "outside the policy"),
    ],
)
def test_describe_rule(rule: tuple, swedish: str, english: str) -> None:
    kind, period, anchor, year_end = rule
    assert describe_rule(kind, period, anchor, year_end, GRACE, "sv") == swedish
    assert describe_rule(kind, period, anchor, year_end, GRACE) == english


def test_grace_days_are_the_settings_number() -> None:
    assert (
        describe_rule("until", None, "event_date", False, 14, "sv") == "raderas efter eventdatum (+14 dagars marginal)"
    )


def test_rules_in_words_joins_alternatives() -> None:
    rules = [describe_rule("until", None, "deal_declined", False, GRACE, "sv"), "ingen mätbar gräns"]
    assert rules_in_words(rules, "sv") == "raderas efter avböjd affär (+30 dagars marginal); ingen mätbar gräns"
    assert rules_in_words(["a", "b"]) == "a; b"


def test_unknown_anchor_is_shown_as_it_is() -> None:
    assert anchor_label("some_new_date", "sv") == "some_new_date"
    assert describe_rule("period", "P1Y", "some_new_date", False, GRACE, "sv") == "1 år från some_new_date"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ReferenceDataError, match="report language 'de'"):
        describe_rule("period", "P1Y", "collected", False, GRACE, "de")


# --- the data ------------------------------------------------------------------------------------


def test_swedish_anchor_labels_are_the_finding_sentences_labels() -> None:
    """``anchors.yaml``'s Swedish labels repeat ``wording.anchor.*``: a rule and its finding name a date alike."""
    assert labels("wording.anchor", "sv") == anchor_book().words["sv"].labels


def test_every_report_language_has_rule_words() -> None:
    assert sorted(anchor_book().words) == ["en", "sv"]
    assert anchor_book().words["en"].labels == anchor_book().labels


def _anchors_data() -> dict:
    return copy.deepcopy(load_yaml(reference_path("anchors")))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["languages"]["sv"]["kinds"].pop("until"), r"languages\.sv\.kinds.*missing until"),
        (lambda d: d["languages"]["sv"]["labels"].pop("last_login"), r"languages\.sv\.labels.*missing last_login"),
        (lambda d: d["languages"]["sv"]["labels"].update(lunch="lunch"), r"languages\.sv\.labels.*unknown lunch"),
        (lambda d: d["languages"]["sv"]["units"].update(Y=["år"]), r"languages\.sv\.units\.Y"),
        (
            lambda d: d["languages"]["sv"]["kinds"].update(until="raderas efter {anchor}"),
            r"languages\.sv\.kinds\.until.*differ from the English",
        ),
    ],
)
def test_a_bad_swedish_block_fails_naming_the_key(edit, message: str) -> None:
    data = _anchors_data()
    edit(data)
    with pytest.raises(ReferenceDataError, match=message):
        validate(AnchorsFile, data, reference_path("anchors"))


def test_the_bundled_anchors_file_is_valid() -> None:
    model = validate(AnchorsFile, _anchors_data(), reference_path("anchors"))
    assert model.languages["sv"].units["M"] == ["månad", "månader"]


# --- a Swedish sample audit ----------------------------------------------------------------------


def _english_words() -> re.Pattern[str]:
    """Every lowercase word of the English rule wording (labels, units, templates) of three letters or more.

    Matched case-sensitively as whole words, so a system id such as
    ``S-EVENT`` is not taken for the English "event".
    """
    english = anchor_book().words["en"]
    phrases = [*english.labels.values(), *(w for pair in english.units.values() for w in pair)]
    phrases += [re.sub(r"\{\w+\}", " ", t) for t in english.kinds.values()]
    words = {w for p in phrases for w in re.findall(r"[a-z]{3,}", p)}
    swedish = anchor_book().words["sv"]
    shared = {w for p in [*swedish.labels.values(), *swedish.kinds.values()] for w in re.findall(r"[a-z]{3,}", p)}
    return re.compile(r"\b(?:" + "|".join(sorted(words - shared)) + r")\b")


def test_english_words_pattern_finds_english() -> None:
    found = _english_words().findall(describe_rule("period", "P7Y", "contract_end", True, GRACE))
    assert found == ["years", "from", "contract", "end", "counted", "from", "the", "end", "the", "financial", "year"]


@pytest.fixture(scope="module")
def swedish_audit():
    return run_audit(SAMPLE_DIR, date(2026, 11, 1), lang="sv")


def test_swedish_ret_details_have_no_english_retention_words(swedish_audit) -> None:
    ret = swedish_audit.findings[swedish_audit.findings["rule"].str.startswith("RET")]
    assert len(ret) == 7
    english = _english_words()
    assert {d: english.findall(d) for d in ret["detail"] if english.search(d)} == {}
    crm = ret.loc[(ret["rule"] == "RET-03") & (ret["activity_id"] == "A-02"), "detail"].iloc[0]
    assert (
        "har passerat policyns gräns (7 år från avtalets slut, räknat från räkenskapsårets slut; "
        "raderas efter avböjd affär (+30 dagars marginal)) den 2026-11-01" in crm
    )


def test_swedish_retention_table_has_no_english_rule_words(swedish_audit) -> None:
    rules = swedish_audit.tables["retention"]["policy_rule"].dropna()
    assert len(rules) > 0
    english = _english_words()
    assert [r for r in rules if english.search(r)] == []
    assert set(rules) >= {
        "30 dagar från insamlingsdatum",
        "7 år från räkenskapsårets slut",
        "raderas efter genomförd utbildning (+30 dagars marginal)",
        "raderas efter avregistrering (+30 dagars marginal); ingen mätbar gräns",
        "utanför policyn",
    }


def test_swedish_and_english_retention_tables_differ_only_in_words(swedish_audit) -> None:
    english = run_audit(SAMPLE_DIR, date(2026, 11, 1), lang="en").tables["retention"]
    swedish = swedish_audit.tables["retention"]
    pd.testing.assert_frame_equal(swedish.drop(columns="policy_rule"), english.drop(columns="policy_rule"))
    assert (swedish["policy_rule"].isna() == english["policy_rule"].isna()).all()
