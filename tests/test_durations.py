"""Swedish and English retention wording -> ISO periods, anchors and rule kinds."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.reference.durations import parse_period, parse_retention, period_to_offset, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 dagar", "P30D"),
        ("7 år", "P7Y"),
        ("1 år", "P1Y"),
        ("ytterligare 7 år", "P7Y"),
        ("12 månader", "P12M"),
        ("2 veckor", "P2W"),
        ("30 days", "P30D"),
        ("contract + 7 years", "P7Y"),
        ("sju år", "P7Y"),
        ("ett år", "P1Y"),
        ("trettio dagar", "P30D"),
        ("inom en månad", "P1M"),
        ("Raderas efter 60 dagar.", "P60D"),
        ("one year after the event", "P1Y"),
        ("6-month retention", "P6M"),
        ("48 timmar", "PT48H"),
        ("Raderas efter 24 timmar.", "PT24H"),
        ("en timme", "PT1H"),
        ("72 hours", "PT72H"),
        ("within one hour", "PT1H"),
        ("PT48H", "PT48H"),
        ("p30d", "P30D"),
    ],
)
def test_parse_period_reads_number_and_unit(text: str, expected: str) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text",
    ["raderas efter eventet", "så länge som det är nödvändigt", "", None, float("nan"), "en del situationer", "7"],
)
def test_parse_period_none_without_number_and_unit(text: object) -> None:
    assert parse_period(text) is None


def _shape(text: str, context: str | None = None) -> list[tuple]:
    return [(r["kind"], r.get("period"), r.get("anchor")) for r in parse_retention(text, context)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Raderas efter 30 dagar.", [("period", "P30D", "collected")]),
        ("30 days", [("period", "P30D", "collected")]),
        ("Sparas i 1 år.", [("period", "P1Y", "collected")]),
        ("contract + 7 years", [("period", "P7Y", "contract_end")]),
        ("7 år från räkenskapsårets slut", [("period", "P7Y", "fiscal_year_end")]),
        ("raderas efter eventet", [("until", None, "event_date")]),
        ("Raderas efter genomfört event.", [("until", None, "event_date")]),
        ("efter genomförd utbildning", [("until", None, "training_completed")]),
        ("raderas i samband med nekad affär", [("until", None, "deal_declined")]),
        ("until unsubscribed", [("until", None, "unsubscribed")]),
        ("Sparas under avtalstiden.", [("until", None, "contract_end")]),
        ("så länge som det är nödvändigt", [("vague", None, None)]),
        ("as long as necessary", [("vague", None, None)]),
        ("Lagringstid och övrig information specificeras i ditt avtal.", [("per_contract", None, None)]),
        ("90 days after the event", [("period", "P90D", "event_date")]),
        ("Se nedan angående lagringstid.", []),
        ("", []),
    ],
)
def test_parse_retention_kinds(text: str, expected: list[tuple]) -> None:
    assert _shape(text) == expected


def test_contract_then_additional_years_is_one_rule_from_contract_end() -> None:
    text = (
        "Sparas under avtalstiden. De personuppgifter som krävs enligt bokföringslagen sparas i ytterligare 7 år.\n\n"
        "Personuppgifter i förfrågningar som inte resulterar i ett avtal raderas i samband med nekad affär."
    )
    rules = parse_retention(text)
    assert _shape(text) == [("period", "P7Y", "contract_end"), ("until", None, "deal_declined")]
    assert rules[0]["sentence"].startswith("Sparas under avtalstiden.")
    assert rules[0]["sentence"].endswith("ytterligare 7 år.")


def test_unsubscribe_plus_as_long_as_necessary_gives_until_and_vague() -> None:
    text = (
        "Du kan när som helst avregistrera dig från våra utskick. Om du inte själv avregistrerar dig behandlar vi "
        "personuppgifterna så länge som det är nödvändigt, t.ex. så länge din arbetsgivare har avtal med oss."
    )
    assert _shape(text) == [("until", None, "unsubscribed"), ("vague", None, None)]


def test_context_supplies_the_anchor_only_when_the_sentence_names_none() -> None:
    assert _shape("Sparas i 7 år.", context="Sköta bokföring (intäkter och kostnader).") == [
        ("period", "P7Y", "fiscal_year_end")
    ]
    assert _shape("Sparas i 7 år efter avtalets slut.", context="Sköta bokföring.") == [
        ("period", "P7Y", "contract_end")
    ]


def test_split_sentences_keeps_abbreviations_inside_a_sentence() -> None:
    text = "Raderas efter 30 dagar. Se t.ex. Linkedin. Sparas i 1 år."
    assert split_sentences(text) == ["Raderas efter 30 dagar.", "Se t.ex. Linkedin.", "Sparas i 1 år."]


@pytest.mark.parametrize(
    ("start", "iso", "end"),
    [
        ("2024-01-31", "P1M", "2024-02-29"),
        ("2025-01-31", "P1M", "2025-02-28"),
        ("2016-12-31", "P7Y", "2023-12-31"),
        ("2025-03-01", "P30D", "2025-03-31"),
        ("2025-03-01", "P2W", "2025-03-15"),
        ("2025-03-01", "P1Y6M", "2026-09-01"),
        ("2025-03-01", "P0D", "2025-03-01"),
        ("2025-03-01", "PT48H", "2025-03-03"),
        ("2025-03-01 12:00", "PT12H", "2025-03-02"),
        ("2025-03-01", "P1DT12H", "2025-03-02 12:00"),
    ],
)
def test_period_to_offset_is_calendar_arithmetic(start: str, iso: str, end: str) -> None:
    assert pd.Timestamp(start) + period_to_offset(iso) == pd.Timestamp(end)


def test_period_to_offset_works_on_a_series() -> None:
    dates = pd.Series(pd.to_datetime(["2024-01-31", "2024-03-31"]))
    assert list(dates + period_to_offset("P1M")) == [pd.Timestamp("2024-02-29"), pd.Timestamp("2024-04-30")]


@pytest.mark.parametrize("bad", ["30 days", "P", "P7X", "PT", "PT5M", "P5H", ""])
def test_period_to_offset_rejects_non_periods(bad: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        period_to_offset(bad)


def test_lexicon_reads_the_validated_durations_file() -> None:
    from audit.reference.datafiles import load_reference
    from audit.reference.durations import anchor_names
    from audit.reference.schemas import DurationsFile

    data = load_reference("durations", DurationsFile)
    assert anchor_names() == list(data.anchors)
    assert data.default_anchor in anchor_names()
    assert set(data.units) == {"H", "D", "W", "M", "Y"}


def test_hours_are_the_time_part_of_a_period() -> None:
    from audit.reference.retention_periods import max_days, period_words

    assert parse_retention("Raderas efter 48 timmar.") == [
        {"kind": "period", "period": "PT48H", "anchor": "collected", "sentence": "Raderas efter 48 timmar."}
    ]
    assert max_days("PT48H") == 2
    assert period_words("PT48H") == "48 hours"
    assert period_words("PT1H") == "1 hour"


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=60), st.none(), st.floats(), st.integers()))
def test_parsing_arbitrary_text_never_raises(value: object) -> None:
    period = parse_period(value)
    assert period is None or period_to_offset(period) is not None
    for rule in parse_retention(value):
        assert rule["kind"] in ("period", "until", "vague", "per_contract")
        assert rule["sentence"]
