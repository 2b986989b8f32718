"""Countries: names to codes, EU/EEA membership, adequacy decisions on a given date."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from audit.reference.countries import (
    adequacy_on,
    adequacy_source,
    adequacy_table,
    country_name,
    eu_eea_codes,
    is_eu_eea,
    normalise_countries,
    normalise_country,
)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Indien", "IN"),
        ("USA", "US"),
        ("US", "US"),
        ("us", "US"),
        ("United States", "US"),
        ("Förenta staterna", "US"),
        ("FÖRENTA  STATERNA", "US"),
        ("Storbritannien", "GB"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("GBR", "GB"),
        ("Tyskland", "DE"),
        ("Norge", "NO"),
        ("Schweiz", "CH"),
        ("Kina", "CN"),
        ("Sydkorea", "KR"),
        ("South Korea", "KR"),
        ("Nya Zeeland", "NZ"),
        ("Färöarna", "FO"),
        ("Holland", "NL"),
        ("Sverige", "SE"),
        (" sweden ", "SE"),
        ("Viet Nam", "VN"),
        ("Brasilien", "BR"),
        ("European Patent Organisation", "EPO"),
    ],
)
def test_normalise_country_recognises_codes_and_english_and_swedish_names(value: str, code: str) -> None:
    assert normalise_country(value) == code


@pytest.mark.parametrize("value", ["Narnia", "Europa", "", None, float("nan"), "Indiana"])
def test_normalise_country_returns_none_for_unknown_or_blank(value: object) -> None:
    # No fuzzy matching: "Indiana" must not become India.
    assert normalise_country(value) is None


def test_normalise_countries_maps_a_series_keeping_index_and_blanks() -> None:
    values = pd.Series(["Indien", None, "USA", "Narnia", "Indien"], index=[10, 11, 12, 13, 14])
    result = normalise_countries(values)
    assert result.to_dict() == {10: "IN", 11: None, 12: "US", 13: None, 14: "IN"}


def test_eu_eea_is_eu27_plus_iceland_liechtenstein_norway() -> None:
    codes = eu_eea_codes()
    assert len(codes) == 30
    assert {"SE", "DE", "IE", "GR", "IS", "LI", "NO"} <= codes
    assert is_eu_eea("NO") and is_eu_eea("SE")
    assert not is_eu_eea("GB") and not is_eu_eea("CH") and not is_eu_eea("US")
    assert not is_eu_eea(None) and not is_eu_eea("XX")


def test_country_name_is_english_display_name() -> None:
    assert country_name("US") == "United States"
    assert country_name("KR") == "South Korea"
    assert country_name("EPO") == "European Patent Organisation"
    assert country_name("ZZ") == "ZZ"


@pytest.mark.parametrize(
    ("code", "as_of", "valid_from"),
    [
        ("JP", date(2025, 1, 1), date(2019, 1, 23)),
        ("KR", date(2025, 1, 1), date(2021, 12, 17)),
        ("CH", date(2025, 1, 1), date(2000, 7, 26)),
        ("CA", date(2025, 1, 1), date(2001, 12, 20)),
        ("AR", date(2025, 1, 1), date(2003, 6, 30)),
        ("GG", date(2025, 1, 1), date(2003, 11, 21)),
        ("IM", date(2025, 1, 1), date(2004, 4, 28)),
        ("JE", date(2025, 1, 1), date(2008, 5, 8)),
        ("FO", date(2025, 1, 1), date(2010, 3, 5)),
        ("AD", date(2025, 1, 1), date(2010, 10, 19)),
        ("IL", date(2025, 1, 1), date(2011, 1, 31)),
        ("UY", date(2025, 1, 1), date(2012, 8, 21)),
        ("NZ", date(2025, 1, 1), date(2012, 12, 19)),
        ("US", date(2025, 1, 1), date(2023, 7, 10)),
        ("EPO", date(2025, 8, 1), date(2025, 7, 15)),
        ("BR", date(2026, 3, 1), date(2026, 1, 26)),
    ],
)
def test_adequacy_on_returns_the_decision_in_force(code: str, as_of: date, valid_from: date) -> None:
    decision = adequacy_on(code, as_of)
    assert decision is not None
    assert decision["country"] == code
    assert decision["valid_from"] == valid_from


@pytest.mark.parametrize(
    ("code", "as_of"),
    [
        ("BR", date(2025, 6, 1)),  # the spec's example: Brazil is not credited before its decision
        ("BR", date(2026, 1, 25)),
        ("US", date(2023, 7, 9)),  # before the DPF decision
        ("EPO", date(2025, 7, 14)),
        ("IN", date(2026, 6, 1)),
        ("CN", date(2026, 6, 1)),
        ("SE", date(2026, 6, 1)),  # EU members need no adequacy decision and have none
        ("GB", date(2031, 12, 28)),  # after the renewed decision's sunset
    ],
)
def test_adequacy_on_returns_none_when_no_decision_in_force(code: str, as_of: date) -> None:
    assert adequacy_on(code, as_of) is None


def test_uk_adequacy_follows_the_2021_decision_its_extension_and_the_renewal() -> None:
    assert adequacy_on("GB", date(2021, 6, 27)) is None
    assert adequacy_on("GB", date(2021, 6, 28))["valid_until"] == date(2025, 12, 27)
    # Past the original 2025-06-27 sunset, the extension keeps the 2021 decision alive.
    assert adequacy_on("GB", date(2025, 9, 1))["valid_from"] == date(2021, 6, 28)
    # From the renewal on, the newer decision is the one cited.
    assert adequacy_on("GB", date(2025, 12, 19))["valid_from"] == date(2025, 12, 19)
    assert adequacy_on("GB", date(2031, 12, 27))["valid_until"] == date(2031, 12, 27)


def test_us_decision_covers_only_dpf_certified_organisations() -> None:
    decision = adequacy_on("US", date(2026, 1, 1))
    assert decision["dpf_only"] is True
    assert "DPF" in decision["scope"] or "Data Privacy Framework" in decision["scope"]
    assert adequacy_on("JP", date(2026, 1, 1))["dpf_only"] is False


def test_adequacy_on_accepts_a_timestamp() -> None:
    assert adequacy_on("JP", pd.Timestamp("2020-01-01"))["country"] == "JP"


def test_adequacy_table_lists_every_rules_md_country_once_and_uk_twice() -> None:
    table = adequacy_table()
    expected = {"AD", "AR", "BR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH", "GB", "UY", "US", "EPO"}
    assert set(table["country"]) == expected
    assert table["country"].value_counts()["GB"] == 2
    assert len(table) == len(expected) + 1
    assert table.loc[table["country"] == "CA", "scope"].iloc[0].startswith("commercial organisations")


def test_adequacy_source_names_the_commission_list_and_its_date() -> None:
    source = adequacy_source()
    assert "European Commission" in source["source"]
    assert source["date"] == "2026-02-01"
