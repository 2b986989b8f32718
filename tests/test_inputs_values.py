"""Cell values: dates, lists, yes/no, numbers, legal bases, roles, countries."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from audit.inputs.schema import ColumnSpec
from audit.inputs.values import (
    AMBIGUOUS_DATE,
    INVALID_DATE,
    UNPARSEABLE_DATE,
    normalise_dates,
    normalise_values,
    parse_date,
    split_list,
)

TS = pd.Timestamp


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01", TS("2025-03-01")),
        ("2025-3-1", TS("2025-03-01")),
        ("2025-03-01 14:30:00", TS("2025-03-01")),
        ("2025-03-01T14:30:00+01:00", TS("2025-03-01")),
        ("2025/03/01", TS("2025-03-01")),
        ("1 mars 2025", TS("2025-03-01")),
        ("1 mar 2025", TS("2025-03-01")),
        ("1 mar. 2025", TS("2025-03-01")),
        ("15 Maj 2024", TS("2024-05-15")),
        ("1 March 2025", TS("2025-03-01")),
        ("March 1, 2025", TS("2025-03-01")),
        ("31 december 2024", TS("2024-12-31")),
        (dt.datetime(2025, 3, 1, 17, 45), TS("2025-03-01")),
        (dt.date(2025, 3, 1), TS("2025-03-01")),
        ("25/3/2025", TS("2025-03-25")),  # only one reading is a date
        ("3/25/2025", TS("2025-03-25")),
        ("3/3/2025", TS("2025-03-03")),  # both readings are the same day
    ],
)
def test_parse_date_accepts_the_formats_of_inputs_md(value: object, expected: pd.Timestamp) -> None:
    assert parse_date(value) == (expected, None)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1/3/2025", AMBIGUOUS_DATE),
        ("01.03.2025", AMBIGUOUS_DATE),
        ("31 februari 2025", INVALID_DATE),
        ("2025-02-30", INVALID_DATE),
        ("13/13/2025", INVALID_DATE),
        ("snart", UNPARSEABLE_DATE),
        ("1 smarch 2025", UNPARSEABLE_DATE),
        ("2025", UNPARSEABLE_DATE),
        (45000, UNPARSEABLE_DATE),
    ],
)
def test_parse_date_reports_what_is_wrong(value: object, problem: str) -> None:
    assert parse_date(value) == (None, problem)


@pytest.mark.parametrize(
    ("order", "expected"),
    [("DMY", TS("2025-03-01")), ("MDY", TS("2025-01-03"))],
)
def test_parse_date_uses_the_date_order_given(order: str, expected: pd.Timestamp) -> None:
    assert parse_date("1/3/2025", order) == (expected, None)


def test_parse_date_with_order_rejects_impossible_reading() -> None:
    assert parse_date("25/3/2025", "MDY") == (None, INVALID_DATE)


def test_parse_date_blank_is_no_date_and_no_problem() -> None:
    assert parse_date("  ") == (None, None)
    assert parse_date(None) == (None, None)


def test_normalise_dates_maps_distinct_values_and_reports_each_bad_row() -> None:
    values = pd.Series(["2025-03-01", "1 mars 2025", "", "1/3/2025", "2025-03-01", "snart"], index=[5, 6, 7, 8, 9, 10])
    out, problems = normalise_dates(values)
    assert out.dtype == "datetime64[ns]"
    assert out.tolist()[:2] == [TS("2025-03-01"), TS("2025-03-01")]
    assert out.isna().tolist() == [False, False, True, True, False, True]
    assert problems.to_dict("index") == {
        8: {"value": "1/3/2025", "problem": AMBIGUOUS_DATE},
        10: {"value": "snart", "problem": UNPARSEABLE_DATE},
    }


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("Namn; E-post, telefon", ["Namn", "E-post, telefon"]),
        ("Namn, E-post", ["Namn", "E-post"]),
        ("Namn\nE-post\r\nTelefon", ["Namn", "E-post", "Telefon"]),
        ("Namn;; ;E-post;", ["Namn", "E-post"]),
        ("Namn", ["Namn"]),
    ],
)
def test_split_list_uses_semicolon_else_comma_and_line_breaks(text: str, items: list[str]) -> None:
    assert split_list(text) == items


def _spec(ctype: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(name="col", type=ctype, **kw)


def test_yesno_blank_is_unknown_not_no() -> None:
    values = pd.Series(["ja", "NEJ", "x", "1", "0", "true", "", None, True, False, "kanske"])
    out, problems = normalise_values(values, _spec("yesno"))
    assert str(out.dtype) == "boolean"
    assert out.tolist() == [True, False, True, True, False, True, pd.NA, pd.NA, True, False, pd.NA]
    assert problems.to_dict("index") == {10: {"value": "kanske", "problem": "not yes/no"}}


def test_numbers_accept_swedish_writing_and_report_text() -> None:
    values = pd.Series([30, 1.5, "1 200", "2,5", "", "trettio"])
    out, problems = normalise_values(values, _spec("number"))
    assert str(out.dtype) == "Float64"
    assert out.tolist()[:4] == [30.0, 1.5, 1200.0, 2.5]
    assert out.isna().tolist() == [False, False, False, False, True, True]
    assert problems.to_dict("index") == {5: {"value": "trettio", "problem": "not a number"}}


def test_legal_basis_list_maps_swedish_and_english_and_reports_unknown() -> None:
    values = pd.Series(
        ["Samtycke; Avtal", "berättigat intresse", "Art. 6.1 c (rättslig förpliktelse)", "magkänsla", ""]
    )
    out, problems = normalise_values(values, _spec("legal_basis_list"))
    assert out.tolist() == [["consent", "contract"], ["legitimate_interests"], ["legal_obligation"], [], []]
    assert problems.to_dict("index") == {3: {"value": "magkänsla", "problem": "unknown legal basis"}}


def test_activity_role_defaults_to_controller_and_maps_swedish() -> None:
    spec = _spec("vocab", vocabulary="activity_role", default="controller")
    values = pd.Series(["personuppgiftsbiträde", "Gemensamt personuppgiftsansvarig", "", "PUA", "kund"])
    out, problems = normalise_values(values, spec)
    assert out.tolist() == ["processor", "joint_controller", "controller", "controller", None]
    assert problems.to_dict("index") == {4: {"value": "kund", "problem": "unknown activity role"}}


@pytest.mark.parametrize(
    ("vocab", "raw", "expected"),
    [
        ("vendor_role", "underbiträde", "sub_processor"),
        ("vendor_role", "Koncernbolag", "group_company"),
        ("vendor_role", "myndighet", "authority"),
        ("vendor_role", "samarbetspartner", "partner"),
        ("vendor_role", "intern", "internal"),
        ("vendor_role", "personuppgiftsansvarig", "controller"),
        ("right", "registerutdrag", "access"),
        ("right", "tillgång", "access"),
        ("right", "rättelse", "rectification"),
        ("right", "radering", "erasure"),
        ("right", "dataportabilitet", "portability"),
        ("right", "begränsning", "restriction"),
        ("right", "invändning", "objection"),
        ("outcome", "delvis", "partly"),
        ("transfer_mechanism", "SCC", "scc"),
        ("transfer_mechanism", "EU-US Data Privacy Framework", "dpf"),
        ("dpia", "ej nödvändig", "not_needed"),
    ],
)
def test_vocabularies_map_swedish_words(vocab: str, raw: str, expected: str) -> None:
    out, problems = normalise_values(pd.Series([raw]), _spec("vocab", vocabulary=vocab))
    assert out.tolist() == [expected]
    assert problems.empty


def test_country_list_keeps_known_codes_in_order_and_reports_unknown() -> None:
    values = pd.Series(["Indien; USA; Narnia; Indien", "Sverige", ""])
    out, problems = normalise_values(values, _spec("country_list"))
    assert out.tolist() == [["IN", "US"], ["SE"], []]
    assert problems.to_dict("index") == {0: {"value": "Narnia", "problem": "unknown country"}}


def test_text_shows_excel_numbers_and_dates_as_a_person_sees_them() -> None:
    values = pd.Series([7, 7.0, 7.5, dt.datetime(2025, 3, 1), "  S-1 ", ""])
    out, _ = normalise_values(values, _spec("id"))
    assert out.tolist() == ["7", "7", "7.5", "2025-03-01", "S-1", None]
