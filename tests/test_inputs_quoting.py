"""The mechanisms behind issue 10's loader fixes: what may be quoted, header matching, vectorised cells.

The vectorised column functions must give exactly what the per-cell
functions they replace give; hypothesis checks that on generated cells.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.inputs.frames import ROW_ISSUE_LIMIT, _blank_mask, issues_frame
from audit.inputs.model import ISSUE_FRAME_COLUMNS
from audit.inputs.quoting import may_quote, quote_safely, safe_text, value_kind
from audit.inputs.schema import canonical_column, closest_header, header_keys, kept_column, sheet_spec
from audit.inputs.values import (
    _ANY_DATE,
    _SPACES,
    UNPARSEABLE_DATE,
    cell_text,
    clean_text,
    is_blank,
    normalise_dates,
    parse_date,
    split_list,
    split_lists,
)

SYSTEMS = sheet_spec("inventory", "Systems")
RECORDS = sheet_spec("records", "Records")
ACTIVITIES = sheet_spec("activities", "Activities")

CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(["", " ", "\u00a0", "a; b", "a, b\nc", " ;; ", "x,", "\t=1+1", "\r-2", "@x", "nan"]),
    st.integers(-10, 10),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.booleans(),
    st.just(dt.datetime(2025, 3, 1)),
)


# --- what may be quoted -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("anna.svensson@example.se", "text that looks like an e-mail address"),
        ("se www.example.se/anna", "text that looks like a web address"),
        ("19850212-1234", "text that looks like a personal identity number"),
        ("850212-1234", "text that looks like a personal identity number"),
        ("+46 70 123 45 67", "text that looks like a phone number"),
        ("070-123 45 67", "text that looks like a phone number"),
        ("Anna Svensson", "text that looks like a person's name"),
        ("Anna-Karin Öberg", "text that looks like a person's name"),
        ("anna svensson", "a 13-character text of 2 words"),
        ("x", "a 1-character text"),
    ],
)
def test_value_kind_names_the_kind_not_the_value(text: str, kind: str) -> None:
    assert value_kind(text) == kind


@pytest.mark.parametrize(
    ("column", "text", "quoted"),
    [
        ("system_id", "S-CRM", True),
        ("system_id", "Anna Svensson", False),  # an id has no spaces
        ("system_id", "anna@example.se", False),
        ("last_security_test", "2025-13-45", True),
        ("last_security_test", "31 februari 2025", True),
        ("last_security_test", "snart", False),  # no digit: not shaped like a date
        ("last_security_test", "19850212-1234", False),  # a personal identity number, even in a date column
        ("retention_days", "ca 30", False),
        ("retention_days", "-30", True),
        ("vendor", "Microsoft Ireland Operations Ltd", True),  # free text marked not personal
        ("system", "Mailer", False),  # free text: may hold anything
        ("hosting_country", "Atlantis", True),
        ("hosting_country", "Sofia Lind", False),  # a person's name in a typed column
    ],
)
def test_may_quote_by_column_type_flag_and_shape(column: str, text: str, quoted: bool) -> None:
    assert may_quote(text, SYSTEMS.column(column)) is quoted


@pytest.mark.parametrize(("text", "quoted"), [("kanske", True), ("Sofia Ljungkvist", False), ("Ja Tack", False)])
def test_a_yes_no_cell_holding_a_name_is_not_quoted(text: str, quoted: bool) -> None:
    """A name in a yes/no column (a mislabelled column) is described, though it has the shape of a yes/no word."""
    from audit.inputs.schema import sheet_spec

    assert may_quote(text, sheet_spec("requests", "Requests").column("extended")) is quoted


def test_unknown_columns_are_never_quoted() -> None:
    assert not may_quote("S-CRM", None)
    assert safe_text("S-CRM", None) == "a 5-character text"


def test_examples_are_decided_one_by_one_then_joined() -> None:
    column = RECORDS.column("activity_id")
    assert safe_text(("A-1", "Anna Svensson", "A-1"), column) == "A-1, text that looks like a person's name"


def test_quote_safely_uses_the_sheet_of_each_issue() -> None:
    issues = issues_frame(
        [
            {
                "file": "inventory.xlsx",
                "sheet": "Systems",
                "row": 2,
                "column": "System ID",
                "value": "S-1",
                "problem": "p",
            },
            {
                "file": "inventory.xlsx",
                "sheet": "Systems",
                "row": 2,
                "column": "Systemnamn",
                "value": "Bo",
                "problem": "p",
            },
            {
                "file": "records/S.csv",
                "sheet": "S",
                "row": 2,
                "column": "activity_id",
                "value": ("A-1", "a@b.se"),
                "problem": "p",
            },
            {"file": "records/X.csv", "sheet": None, "row": None, "column": None, "value": "X", "problem": "p"},
        ]
    )
    specs = {("inventory.xlsx", "Systems"): SYSTEMS}
    safe = quote_safely(issues, lambda f, s: specs.get((f, s), RECORDS))
    assert safe["value"].tolist() == ["S-1", "a 2-character text", "A-1, text that looks like an e-mail address", "X"]


# --- header matching ----------------------------------------------------------------------


def test_header_keys_try_the_whole_header_first() -> None:
    assert header_keys("Gallring (dagar)") == ("gallring dagar", "gallring")
    assert header_keys("System ID") == ("system id",)
    assert canonical_column("Gallring (dagar)", SYSTEMS) == "retention_days"
    assert canonical_column("Kategori (se lista)", SYSTEMS) == "recipient_category"


def test_kept_columns_are_recognised_without_being_read() -> None:
    assert kept_column("E-post", RECORDS) == "email"
    assert kept_column("Kommentar (DPO)", ACTIVITIES) == "notes"
    assert canonical_column("E-post", RECORDS) is None


@pytest.mark.parametrize(
    ("header", "present", "closest"),
    [
        ("Recieved days", frozenset(), None),
        ("Retension days", frozenset(), ("retention_days", "retention_days")),
        ("Gallring", frozenset(), ("gallring dagar", "retention_days")),
        ("Gallring", frozenset({"retention_days"}), None),
        ("Färg", frozenset(), None),
    ],
)
def test_closest_header(header: str, present: frozenset[str], closest: tuple[str, str] | None) -> None:
    assert closest_header(header, SYSTEMS, present) == closest


# --- vectorised cells equal the per-cell functions --------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(CELLS, max_size=12))
def test_clean_text_is_cell_text(cells: list[object]) -> None:
    assert clean_text(pd.Series(cells, dtype=object)).tolist() == [cell_text(c) for c in cells]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(CELLS, max_size=12))
def test_split_lists_is_split_list(cells: list[object]) -> None:
    text = [cell_text(c) for c in cells]
    got = split_lists(pd.Series(text, index=range(5, 5 + len(text)), dtype=object)).tolist()
    assert got == [split_list(t) if t else [] for t in text]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(CELLS, max_size=12))
def test_blank_mask_is_is_blank(cells: list[object]) -> None:
    expected = [is_blank(c) or (isinstance(c, str) and c.strip() == "nan") for c in cells]
    assert _blank_mask(pd.Series(cells, dtype=object)).tolist() == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=25))
def test_text_no_date_shape_matches_is_unparseable(text: str) -> None:
    if not text.strip() or _ANY_DATE.fullmatch(_SPACES.sub(" ", text.strip())):
        return
    assert parse_date(text) == (None, UNPARSEABLE_DATE)


def test_normalise_dates_gate_gives_the_same_problems() -> None:
    values = pd.Series(["snart", "1 mars 2025", "2025-02-30", "1/3/2025", None, " ", "2999-01-01", "x 1"], dtype=object)
    out, problems = normalise_dates(values)
    assert out.tolist()[1] == pd.Timestamp("2025-03-01")
    assert problems.to_dict("index") == {
        i: {"value": str(cell_text(values[i])), "problem": parse_date(values[i])[1]} for i in (0, 2, 3, 6, 7)
    }


# --- many issues of one kind --------------------------------------------------------------


def test_more_than_the_row_limit_of_one_kind_become_one_issue() -> None:
    n = ROW_ISSUE_LIMIT + 1
    many = [
        {
            "file": "a.csv",
            "sheet": "A",
            "row": r,
            "column": "Roll",
            "value": f"v{r % 3}",
            "problem": "unknown activity role",
        }
        for r in range(2, 2 + n)
    ]
    few = [{"file": "a.csv", "sheet": "A", "row": 9, "column": "Nr", "value": "A-1", "problem": "duplicate"}]
    issues = issues_frame(many + few)
    assert issues[ISSUE_FRAME_COLUMNS].values.tolist() == [
        ["a.csv", "A", 9, "Nr", "A-1", "duplicate", "warning"],
        [
            "a.csv",
            "A",
            2,
            "Roll",
            ("v2", "v0", "v1"),
            f"unknown activity role: {n} rows (first: 2, 3, 4, 5, 6)",
            "warning",
        ],
    ]
    assert len(issues_frame(many[:ROW_ISSUE_LIMIT])) == ROW_ISSUE_LIMIT
