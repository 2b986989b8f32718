"""Vocabulary matching: folding, phrases, ambiguity."""

import pandas as pd
import pytest

from audit.errors import ReferenceDataError
from audit.reference.vocab import Vocabulary, data_categories, fold, recipient_categories, vocabulary


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
