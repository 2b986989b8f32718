"""The shared rule helpers: :func:`audit.rules.common.grouped` against the plain pandas it replaces."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from audit.rules.common import grouped


def _reference(frame: pd.DataFrame, keys: list[str], column: str) -> dict[tuple, list]:
    """The slow, obvious version: distinct non-blank values in order of appearance, per group."""
    out: dict[tuple, list] = {}
    for _, row in frame.iterrows():
        key = tuple(None if pd.isna(row[k]) else row[k] for k in keys)
        items = out.setdefault(key, [])
        value = row[column]
        if (
            value is not None
            and not (isinstance(value, float) and pd.isna(value))
            and str(value)
            and value not in items
        ):
            items.append(value)
    return out


def test_first_joined_and_distinct_per_group() -> None:
    frame = pd.DataFrame(
        {
            "a": ["A-2", "A-1", "A-1", None, "A-1"],
            "r": ["x", "y", "y", "z", "y"],
            "p": [None, "P-1", "P-2", "P-3", None],
            "s": ["list", "system", "list", None, "system"],
        }
    )
    out = grouped(frame, ["a", "r"], first=["p"], joined=["s"], rename={"p": "policy"})
    assert out.columns.tolist() == ["a", "r", "policy", "s"]
    assert out.values.tolist() == [
        ["A-1", "y", "P-1", "system; list"],
        ["A-2", "x", None, "list"],
        [None, "z", "P-3", ""],
    ]


def test_an_empty_frame_gives_no_groups() -> None:
    frame = pd.DataFrame({"a": pd.Series([], dtype=object), "v": pd.Series([], dtype=object)})
    out = grouped(frame, ["a"], distinct=["v"])
    assert out.empty and out.columns.tolist() == ["a", "v"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A-1", "A-2", "A-3", None]),
            st.sampled_from(["x", "y", None]),
            st.sampled_from(["u", "v", "w", "", None]),
        ),
        max_size=40,
    )
)
def test_distinct_lists_match_the_obvious_loop(rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b", "v"], dtype=object)
    got = grouped(frame, ["a", "b"], distinct=["v"])
    as_dict = {(r.a, r.b): r.v for r in got.itertuples(index=False)}
    assert as_dict == _reference(frame, ["a", "b"], "v")
