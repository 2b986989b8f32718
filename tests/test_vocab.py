"""Vocabulary matching: folding, phrases, ambiguity."""

import pandas as pd
import pytest

from audit.errors import ReferenceDataError
from audit.reference.vocab import (
    Vocabulary,
    data_categories,
    fold,
    recipient_categories,
    reveals,
    special_category_ids,
    vocabulary,
)


def test_fold_ignores_case_and_punctuation():
    assert fold(" E-POST ") == fold("e post") == "e post"
    assert fold(None) == ""


def test_lookup_and_find_all_prefer_longest_phrase():
    rc = recipient_categories()
    assert rc.lookup("crm") == "crm_system"
    assert rc.find_all("Leverantör av CRM-system, Externt verktyg för att möjliggöra överföring till CRM-system.") == [
        "crm_system",
        "crm_transfer_tool",
    ]


def test_swedish_and_english_words_meet():
    dc = data_categories()
    assert dc.lookup("E-post") == dc.lookup("e-mail address") == "email"
    assert dc.lookup("Yrkestitel") == dc.lookup("funktion") == "job_title"
    assert vocabulary("legal_basis").lookup("Berättigat intresse") == "legitimate_interests"
    assert vocabulary("right").lookup("registerutdrag") == "access"


def test_map_series_maps_each_distinct_value():
    mapped = vocabulary("right").map_series(pd.Series(["Radering", "erasure", "??", None]))
    assert list(mapped) == ["erasure", "erasure", None, None]


def test_ambiguous_word_is_a_data_error():
    with pytest.raises(ReferenceDataError, match="'x' is listed for both a and b"):
        Vocabulary({"a": ["x"], "b": ["x"]}, name="test")


def test_unknown_vocabulary_is_a_key_error():
    with pytest.raises(KeyError):
        vocabulary("legal_bases")
    with pytest.raises(KeyError):
        vocabulary("source")


def test_vocabularies_are_named_by_file_and_key_for_their_errors():
    # A word listed for two ids is reported as "<file>: <key>: 'word' is listed for both ...".
    assert vocabulary("right").name == "data/reference/vocabularies.yaml: right"
    assert data_categories().name == "data/reference/data_categories.yaml: categories"
    assert recipient_categories().name == "data/reference/recipient_categories.yaml: categories"


def test_every_vocabulary_of_the_file_builds():
    # Building checks what the model cannot: no word means two ids within a vocabulary.
    for name in ("legal_basis", "activity_role", "vendor_role", "transfer_mechanism", "right", "outcome", "yes_no"):
        assert vocabulary(name).ids
    assert vocabulary("dpia").lookup("ej nödvändig") == "not_needed"
    assert vocabulary("month").lookup("okt") == "10"


def test_special_categories_and_what_reveals_them():
    assert "health" in special_category_ids()
    assert "food_preferences" not in special_category_ids()
    assert reveals()["food_preferences"] == ["health", "religious_beliefs"]
    assert set(reveals()) == {"food_preferences"}
    assert data_categories().label("email") == "E-post"
    assert data_categories().label("email", "sv") == "E-post"
    assert data_categories().label("email", "en") == "E-mail"
    assert recipient_categories().lookup("Web analytics") == "web_analytics"  # the English name counts as a word


def test_labels_in_each_language():
    """Every category has a Swedish label (the policy's word) and an English one, and both read as its words."""
    for vocab in (data_categories(), recipient_categories()):
        for cid in vocab.ids:
            sv, en = vocab.label(cid, "sv"), vocab.label(cid, "en")
            assert sv and en and sv != cid and en != cid
            assert vocab.lookup(sv) == cid and vocab.lookup(en) == cid
    assert recipient_categories().label("ai_service", "en") == "AI service"
    assert recipient_categories().label("ai_service", "sv") == "AI-tjänst"
    assert recipient_categories().label("ai_service") == "AI-tjänst"


def test_label_falls_back_to_the_policy_word_then_the_id():
    vocab = Vocabulary(
        {"a": ["x"], "b": ["y"]}, "t", labels={"a": "Ett", "b": "Två"}, translations={"en": {"a": "One"}}
    )
    assert vocab.label("a", "en") == "One"
    assert vocab.label("b", "en") == "Två"
    assert vocab.label("a", "de") == "Ett"
    assert vocab.label("c", "en") == "c"
    assert vocab.lookup("one") == "a"
