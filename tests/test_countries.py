"""Countries: names to codes, EU/EEA membership, adequacy decisions on a given date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pycountry
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.reference.countries import (
    adequacy_on,
    adequacy_source,
    adequacy_table,
    country_name,
    eu_eea_codes,
    is_eu_eea,
    normalise_countries,
    normalise_country,
    pycountry_code,
    pycountry_index,
)
from audit.reference.datafiles import reference

# countries.yaml as it was before pycountry's Swedish names replaced its name table.
BEFORE = yaml.safe_load((Path(__file__).parent / "golden" / "countries-before.yaml").read_text(encoding="utf-8"))
KNOWN = {c.alpha_2 for c in pycountry.countries} | set(BEFORE["organisations"])


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
        # Swedish names the old table never listed, now from pycountry's catalogue.
        ("Tchad", "TD"),
        ("Mongoliet", "MN"),
        ("Ryska federationen", "RU"),
        ("Bosnien-Hercegovina", "BA"),
        ("Republiken Elfenbenskusten", "CI"),
        ("Korea, Republic of", "KR"),
        ("SWE", "SE"),
        ("752", "SE"),
    ],
)
def test_normalise_country_recognises_codes_and_english_and_swedish_names(value: str, code: str) -> None:
    assert normalise_country(value) == code


@pytest.mark.parametrize("value", ["Narnia", "Europa", "", None, float("nan"), "Indiana"])
def test_normalise_country_returns_none_for_unknown_or_blank(value: object) -> None:
    # No fuzzy matching: "Indiana" must not become India.
    assert normalise_country(value) is None


# --- pycountry's names and the aliases it lacks ------------------------------------------------


@pytest.mark.parametrize(("name", "code"), sorted(BEFORE["names"].items()))
def test_every_name_of_the_old_table_still_maps_to_the_same_code(name: str, code: str) -> None:
    assert normalise_country(name) == code


def test_eu_eea_and_organisations_are_unchanged() -> None:
    data = reference("countries")
    assert data["eu"] == BEFORE["eu"]
    assert data["eea_extra"] == BEFORE["eea_extra"]
    assert data["organisations"] == BEFORE["organisations"]
    for org_id, names in BEFORE["organisations"].items():
        assert all(normalise_country(name) == org_id for name in names)


def test_aliases_are_the_old_names_pycountry_lacks_and_none_it_knows() -> None:
    # Measured: pycountry's English names and Swedish translations cover 117
    # of the old table's 143 names; the other 26 had to stay as aliases. An
    # alias pycountry already knows (after a pycountry upgrade, say) fails
    # here, so the file stays minimal; a contradicting alias fails at load time.
    old = BEFORE["names"]
    covered = {name for name, code in old.items() if pycountry_code(name) == code}
    aliases = reference("countries")["aliases"]
    assert (len(old), len(covered)) == (143, 117)
    assert set(old) - covered <= set(aliases)
    assert [name for name in aliases if pycountry_code(name) is not None] == []


def test_swedish_index_comes_from_pycountrys_own_catalogue() -> None:
    index = pycountry_index()
    assert index["förenade kungariket"] == "GB"  # Swedish "name"
    assert index["sydkorea"] == "KR"  # Swedish "common_name"
    assert index["amerikas förenta stater"] == "US"  # Swedish "official_name"
    assert index["viet nam"] == "VN"  # English
    assert set(index.values()) <= {c.alpha_2 for c in pycountry.countries}


@settings(max_examples=300)
@given(st.one_of(st.text(), st.none(), st.integers(), st.floats()))
def test_normalise_country_never_raises_and_gives_a_known_code_or_none(value: object) -> None:
    code = normalise_country(value)
    assert code is None or code in KNOWN
    if code is not None:
        assert normalise_country(code) == code


@settings(max_examples=300)
@given(
    st.sampled_from(sorted(pycountry_index())),
    st.sampled_from([str.upper, str.title, lambda s: f"  {s} ", lambda s: s.replace(" ", "-")]),
)
def test_normalise_country_ignores_case_spacing_and_punctuation(name: str, variant) -> None:
    assert normalise_country(variant(name)) == pycountry_index()[name]


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
