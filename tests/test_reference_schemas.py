"""The reference files' pydantic models: every file fits, and a bad edit fails with one line naming file and key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from audit.errors import ReferenceDataError
from audit.paths import REFERENCE_DIR
from audit.reference import countries
from audit.reference.datafiles import (
    display_path,
    key_path,
    load_reference,
    load_yaml,
    reference,
    reference_path,
    validate,
)
from audit.reference.schemas import REFERENCE_MODELS, AdequacyFile, CountriesFile, SettingsFile

# Files read through reference() by their owners, without a model here.
UNMODELLED = {"rules", "columns"}
# Files whose model lives next to the code that reads them (checked by that code's tests):
# vendor_aliases.yaml by audit/inputs/vendor_names.py (tests/test_vendor_names.py).
# policy_vocabulary: audit/policy/vocabulary.py; rules.sv (the rule catalogue's Swedish twin): audit/reference/catalogue.py.
MODELLED_ELSEWHERE = {"vendor_aliases", "policy_vocabulary", "rules.sv"}


def _broken(name: str, edit: Callable[[dict[str, Any]], object]) -> str:
    """The one-line error for reference file ``name`` after ``edit`` (the file itself is not touched)."""
    data = copy.deepcopy(load_yaml(reference_path(name)))
    edit(data)
    with pytest.raises(ReferenceDataError) as info:
        validate(REFERENCE_MODELS[name], data, reference_path(name))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"data/reference/{name}.yaml: ")
    return message


def test_every_reference_file_has_a_model() -> None:
    names = {path.stem for path in REFERENCE_DIR.glob("*.yaml")}
    assert names - UNMODELLED - MODELLED_ELSEWHERE == set(REFERENCE_MODELS)


@pytest.mark.parametrize("name", sorted(REFERENCE_MODELS))
def test_every_reference_file_fits_its_model(name: str) -> None:
    model = load_reference(name, REFERENCE_MODELS[name])
    assert model.source.strip()
    assert model.date.year >= 2000
    # Loaded once: every caller shares the validated object.
    assert load_reference(name, REFERENCE_MODELS[name]) is model


@pytest.mark.parametrize("name", sorted(REFERENCE_MODELS))
@pytest.mark.parametrize("key", ["source", "date"])
def test_provenance_is_required_in_every_file(name: str, key: str) -> None:
    assert _broken(name, lambda d: d.pop(key)) == f"data/reference/{name}.yaml: {key}: required key is missing"


@pytest.mark.parametrize("name", sorted(UNMODELLED))
def test_reference_still_reads_files_without_a_model(name: str) -> None:
    data = reference(name)
    assert isinstance(data, dict) and "source" in data


def test_reference_returns_the_raw_mapping_of_a_modelled_file() -> None:
    # Rules that read anchors.yaml or art13.yaml as dicts keep working.
    assert reference("anchors")["anchors"]["fiscal_year_end"]["stand_in"] == "collected"
    assert "all_of" not in reference("art13")["items"]["1d"]


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        ("settings", lambda d: d["severities"].update({"REG-01": "urgent"}),
         "severity of REG-01 is 'urgent', expected one of high, medium, low, info"),
        ("settings", lambda d: d["severity_colours"].pop("info"), "severity_colours.info: required key is missing"),
        ("settings", lambda d: d["severity_fills"].update(high="red"),
         "severity_fills.high: 'red' is not a hex RGB colour such as C0392B"),
        ("settings", lambda d: d.update(event_grace_days=-1),
         "event_grace_days: Input should be greater than or equal to 0, got -1"),
        ("settings", lambda d: d.update(sheet_row_cap=True), "sheet_row_cap: expected a whole number, got True"),
        ("settings", lambda d: d.update(date="2026-11-24"), "date: expected a date written YYYY-MM-DD"),
        ("vocabularies", lambda d: d["yes_no"]["false"].append(False),
         "yes_no.false[5]: expected a text (quote words that YAML reads as true/false or numbers), got False"),
        ("vocabularies", lambda d: d.update(legal_bases={}),
         "legal_bases: unknown key (expected one of source, date, legal_basis, activity_role"),
        ("data_categories", lambda d: d["categories"]["food_preferences"]["reveals"].append("email"),
         "categories.food_preferences.reveals: 'email' is not a special category of this file"),
        ("data_categories", lambda d: d["categories"]["health"].update(special="yes"),
         "categories.health.special: expected true or false, got 'yes'"),
        ("data_categories", lambda d: d["categories"]["email"].update(synonyms=["mail", " "]),
         "categories.email.synonyms[1]: expected a non-empty text, got ' '"),
        ("recipient_categories", lambda d: d["categories"]["crm_system"].pop("label"),
         "categories.crm_system.label: required key is missing"),
        ("recipient_categories", lambda d: d["categories"]["crm_system"].pop("en"),
         "categories.crm_system.en: required key is missing"),
        ("recipient_categories", lambda d: d["categories"]["ai_service"].update(en=" "),
         "categories.ai_service.en: expected a non-empty text, got ' '"),
        ("data_categories", lambda d: d["categories"]["health"].pop("en"),
         "categories.health.en: required key is missing"),
        ("data_categories", lambda d: d["categories"]["email"].pop("label"),
         "categories.email.label: required key is missing"),
        ("durations", lambda d: d.update(default_anchor="sometime"), "default_anchor: 'sometime' is not one of the anchors"),
        ("durations", lambda d: d["units"].update(X=["x"]), "units.X (the key): Input should be 'H', 'D', 'W', 'M' or 'Y', got 'X'"),
        ("durations", lambda d: d.update(vague=[]), "vague: List should have at least 1 item"),
        ("durations", lambda d: d["number_words"].update(sju="seven"), "number_words.sju: expected a whole number, got 'seven'"),
        ("anchors", lambda d: d["anchors"]["collected"].update(blank="sometimes"),
         "anchors.collected.blank: Input should be 'ongoing' or 'missing', got 'sometimes'"),
        ("anchors", lambda d: d["anchors"]["fiscal_year_end"].update(stand_in="birthday"),
         "anchors.fiscal_year_end.stand_in: 'birthday' is not an anchor"),
        ("anchors", lambda d: d.update(year_end_anchor="new_year"), "year_end_anchor: 'new_year' is not an anchor"),
        ("anchors", lambda d: d["units"].pop("W"), "units: missing W"),
        ("anchors", lambda d: d["units"].update(D=["day"]), "units.D: List should have at least 2 items"),
        ("anchors", lambda d: d["kinds"].pop("vague"), "kinds: missing vague"),
        ("countries", lambda d: d["eu"].append("XX"), "eu[27]: 'XX' is not an ISO 3166 alpha-2 code"),
        ("countries", lambda d: d["aliases"].update(Britain="UK"), "aliases.Britain: 'UK' is not an ISO 3166 alpha-2 code"),
        ("countries", lambda d: d["eea_extra"].append(False), "eea_extra[3]: expected a text"),
        ("countries", lambda d: d["organisations"].update(EPO=[]), "organisations.EPO: List should have at least 1 item"),
        ("adequacy", lambda d: d["decisions"][0].update(valid_until=d["decisions"][0]["valid_from"].replace(year=1999)),
         "decisions[0].valid_until: 1999-10-19 is before valid_from 2010-10-19"),
        ("adequacy", lambda d: d["decisions"][1].update(valid_from="soon"), "decisions[1].valid_from: expected a date"),
        ("adequacy", lambda d: d["decisions"][2].pop("scope"), "decisions[2].scope: required key is missing"),
        ("adequacy", lambda d: d.update(decisions=[]), "decisions: List should have at least 1 item"),
        ("art13", lambda d: d["items"]["1a"]["all_of"].append("("), "items.1a.all_of[2]: '(' is not a valid regular expression"),
        ("art13", lambda d: d["items"]["1a"].pop("missing"), "items.1a.missing: give the finding's text"),
        ("art13", lambda d: d["items"]["1a"].update(missng="typo"), "items.1a.missng: unknown key (expected one of article"),
        ("art9", lambda d: d["conditions"].update(bad="[a"), "conditions.bad: '[a' is not a valid regular expression"),
        ("art9", lambda d: d.update(conditions=["a"]), "conditions: expected a mapping"),
    ],
)  # fmt: skip
def test_a_bad_edit_names_file_key_and_problem(name: str, edit, expected: str) -> None:
    assert _broken(name, edit).startswith(f"data/reference/{name}.yaml: {expected}")


def test_further_problems_are_counted_not_listed() -> None:
    message = _broken("settings", lambda d: d.update(event_grace_days=-1, sheet_row_cap=-1, example_records="5"))
    assert message.startswith("data/reference/settings.yaml: event_grace_days: ")
    assert message.endswith("(and 2 more problems)")


def test_a_key_with_a_line_break_cannot_split_the_message() -> None:
    message = _broken("countries", lambda d: d["aliases"].update({"Nord\nirland": "XX"}))
    assert "aliases.'Nord\\nirland': 'XX' is not an ISO 3166 alpha-2 code" in message


def test_a_file_outside_the_project_is_named_as_given() -> None:
    with pytest.raises(ReferenceDataError, match=r"^somewhere\.yaml: date: expected a date"):
        validate(SettingsFile, {"source": "s", "date": "x"}, "somewhere.yaml")


def test_key_path_names_list_items_by_id_and_tells_indexes_from_integer_keys() -> None:
    data = {"activities": [{"id": "P-A"}, {"id": "P-CRM", "rules": [{"kind": "x"}]}], "month": {1: ["jan"]}}
    assert key_path(("activities", 1, "rules", 0, "kind"), data) == "activities[1] (P-CRM).rules[0].kind"
    assert key_path(("month", 1), data) == "month.1"
    assert key_path(("units", "X", "[key]"), {}) == "units.X (the key)"
    assert key_path((), data) == ""


def test_yaml_syntax_error_is_one_line_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("source: x\ndate: 2026-01-01\nnames: [a, b\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError) as info:
        load_yaml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: not valid YAML (")
    assert "line 4" in message
    assert "\n" not in message


def test_display_path_is_relative_inside_the_project_only(tmp_path: Path) -> None:
    assert display_path(REFERENCE_DIR / "settings.yaml") == "data/reference/settings.yaml"
    assert display_path(tmp_path / "mine.yaml") == str(tmp_path / "mine.yaml")
    assert display_path("mine.yaml") == "mine.yaml"


# --- checks that need two files -----------------------------------------------------------------


def test_adequacy_country_must_be_a_code_or_an_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    real = load_reference("adequacy", AdequacyFile)
    first = real.decisions[0].model_copy(update={"country": "XK"})
    broken = real.model_copy(update={"decisions": [first, *real.decisions[1:]]})
    monkeypatch.setattr(
        countries, "load_reference", lambda name, model: broken if name == "adequacy" else load_reference(name, model)
    )
    with pytest.raises(ReferenceDataError) as info:
        countries._decisions.__wrapped__()
    assert str(info.value) == (
        "data/reference/adequacy.yaml: decisions[0].country: "
        "'XK' is neither an ISO alpha-2 code nor an organisation of countries.yaml"
    )


def test_an_alias_may_not_contradict_pycountry(monkeypatch: pytest.MonkeyPatch) -> None:
    real = load_reference("countries", CountriesFile)
    broken = real.model_copy(update={"aliases": {**real.aliases, "Sverige": "NO"}})
    monkeypatch.setattr(countries, "_country_data", lambda: broken)
    with pytest.raises(
        ReferenceDataError, match=r"countries\.yaml: aliases\.Sverige: 'Sverige' is SE in pycountry, not NO"
    ):
        countries._name_table.__wrapped__()
