"""Normalising cell values: text, lists, dates, yes/no, numbers, countries, vocabularies.

Each column is normalised by parsing its *distinct* values once (a register
has a handful, a million-row extract a few thousand dates) and mapping the
result back, so nothing loops over rows. A value that cannot be normalised
becomes missing (or is left out of its list) and is returned as a problem;
the caller turns problems into validation issues with the row's provenance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cache

import numpy as np
import pandas as pd

from audit.inputs.schema import ColumnSpec
from audit.reference.countries import normalise_country
from audit.reference.datafiles import load_reference
from audit.reference.schemas import VocabulariesFile
from audit.reference.vocab import fold, vocabulary

DATE_ORDERS = ("DMY", "MDY")
PROBLEM_COLUMNS = ["value", "problem"]

# A parser takes one distinct cell value and returns the normalised value and
# the problems found in it as (offending value, problem) pairs.
Problem = tuple[str, str]
Parser = Callable[[object], tuple[object, list[Problem]]]

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_YMD = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?::[ae])?\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_LIST_SEPARATORS = re.compile(r"[;\r\n]+")
_COMMA_OR_LINE = re.compile(r"[,\r\n]+")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")

_ANY_DATE = re.compile("|".join(f"(?:{p.pattern})" for p in (_ISO, _YMD, _NUMERIC, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR)))
"""Every shape :func:`parse_date` reads (after spaces are normalised): text of no such shape is no date."""

UNPARSEABLE_DATE = "unparseable date"
AMBIGUOUS_DATE = "ambiguous date: day and month could be either way round (pass date_order 'DMY' or 'MDY')"
INVALID_DATE = "no such date"
EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2199-12-31")
"""The window of plausible dates. Nothing a register, inventory, request log or
extract records happened before 1900 or is planned after 2199: such a date is a
typo (``2999`` for ``2029``) or an Excel zero cell (``1899-12-31``). The window
also keeps every date inside the nanosecond datetimes pandas can hold
(1677-09-22 to 2262-04-11), so no date can crash a rule's arithmetic."""
OUT_OF_RANGE_DATE = "date out of range (before 1900-01-01 or after 2199-12-31)"


def is_blank(value: object) -> bool:
    """Blank cells: nothing, NaN/NaT/NA, or only spaces."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: object) -> str | None:
    """A cell as the text a person sees: whole numbers without ``.0``, date cells as ISO dates."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def split_list(text: str) -> list[str]:
    """Split a list cell: on ``;`` and line breaks, or on ``,`` and line breaks when there is no ``;``."""
    pattern = _LIST_SEPARATORS if ";" in text else _COMMA_OR_LINE
    return [item.strip() for item in pattern.split(text) if item.strip()]


# --- scalar parsers -------------------------------------------------------


def parse_text(value: object) -> tuple[object, list[Problem]]:
    """Text and ids: stripped, ``None`` when blank."""
    return cell_text(value), []


def parse_list(value: object) -> tuple[object, list[Problem]]:
    """Free-text lists: the items, an empty list when blank."""
    text = cell_text(value)
    return (split_list(text) if text else []), []


def _valid(year: int, month: int, day: int) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(year=year, month=month, day=day)
    except (ValueError, OverflowError):
        return None


def _in_window(ts: pd.Timestamp | None, problem: str) -> tuple[pd.Timestamp | None, str | None]:
    """``ts`` when it is a date inside the plausible window, else the reason it is not one."""
    if ts is None:
        return None, problem
    if not EARLIEST_DATE <= ts <= LATEST_DATE:
        return None, OUT_OF_RANGE_DATE
    return ts, None


def parse_date(value: object, date_order: str | None = None) -> tuple[pd.Timestamp | None, str | None]:
    """One date cell as a day-precision Timestamp, or the reason it is not one.

    Excel date cells arrive as datetimes; text may be ISO, ``2025/03/01``,
    Swedish or English with a month name, or ``1/3/2025``, whose day/month
    order only the caller knows. Such a slash date is accepted without
    ``date_order`` only when one reading is impossible (``25/3/2025``) or
    both are the same day (``3/3/2025``). A real date outside
    :data:`EARLIEST_DATE`..:data:`LATEST_DATE` is :data:`OUT_OF_RANGE_DATE`.
    """
    if is_blank(value):
        return None, None
    if isinstance(value, pd.Timestamp | datetime | date):
        return _in_window(_cell_day(value), INVALID_DATE)
    if not isinstance(value, str):
        return None, UNPARSEABLE_DATE
    text = _SPACES.sub(" ", value.strip())
    if m := _ISO.fullmatch(text) or _YMD.fullmatch(text):
        return _in_window(_valid(int(m.group(1)), int(m.group(2)), int(m.group(3))), INVALID_DATE)
    if m := _NUMERIC.fullmatch(text):
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        dmy, mdy = _valid(year, second, first), _valid(year, first, second)
        if date_order == "DMY":
            return _in_window(dmy, INVALID_DATE)
        if date_order == "MDY":
            return _in_window(mdy, INVALID_DATE)
        if dmy is not None and mdy is not None and dmy != mdy:
            return None, AMBIGUOUS_DATE
        return _in_window(dmy if dmy is not None else mdy, INVALID_DATE)
    months = vocabulary("month")
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        day_text, month, year_text = m.group(1), months.lookup(m.group(2)), m.group(3)
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        month, day_text, year_text = months.lookup(m.group(1)), m.group(2), m.group(3)
    else:
        return None, UNPARSEABLE_DATE
    if month is None:
        return None, UNPARSEABLE_DATE
    return _in_window(_valid(int(year_text), int(month), int(day_text)), INVALID_DATE)


def find_date(text: str) -> pd.Timestamp | None:
    """The first date written anywhere in ``text`` that :func:`parse_date` reads (a policy's "last updated" sentence)."""
    for match in _ANY_DATE.finditer(text):
        found, _ = parse_date(match.group(0))
        if found is not None:
            return found
    return None


def _cell_day(value: pd.Timestamp | datetime | date) -> pd.Timestamp | None:
    """A date or datetime cell as a naive Timestamp at midnight (any year Python can hold)."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, OverflowError):
        return None
    return (ts.tz_localize(None) if ts.tzinfo else ts).normalize()


def parse_number(value: object) -> tuple[object, list[Problem]]:
    """Numbers: Excel numbers, or text with spaces as thousands separators and a decimal comma."""
    if is_blank(value):
        return None, []
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        return float(value), []
    text = _SPACES.sub("", str(cell_text(value)))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None, [(str(cell_text(value)), "not a number")]
    return (number, []) if math.isfinite(number) else (None, [(text, "not a number")])


def _bounded_number(low: float | None, high: float | None) -> Parser:
    """:func:`parse_number`, with a value below ``low`` or above ``high`` a problem (and read as blank).

    A negative retention or record count, or a retention of centuries, is a
    typo; reading it would make a rule compare against nonsense.
    """

    def parse(value: object) -> tuple[object, list[Problem]]:
        number, problems = parse_number(value)
        if not isinstance(number, float):
            return number, problems
        if low is not None and number < low:
            return None, [(_number_text(number), f"number below {_number_text(low)} (the least this column allows)")]
        if high is not None and number > high:
            return None, [(_number_text(number), f"number above {_number_text(high)} (the most this column allows)")]
        return number, []

    return parse


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def parse_yesno(value: object) -> tuple[object, list[Problem]]:
    """Yes/no: ``yes/no/true/false/ja/nej/x/1/0`` and Excel booleans; blank is unknown, never no."""
    if is_blank(value):
        return None, []
    if isinstance(value, bool | np.bool_):
        return bool(value), []
    found = vocabulary("yes_no").lookup(cell_text(value))
    if found is None:
        return None, [(str(cell_text(value)), "not yes/no")]
    return found == "true", []


@cache
def _first_words(vocab_name: str) -> frozenset[str]:
    """The first word (folded) of every phrase of a vocabulary: a text naming none cannot contain a phrase.

    Built from the same data as :func:`~audit.reference.vocab.vocabulary`
    (each id and its words), so it is a necessary condition for
    ``Vocabulary.find_all``: the costly phrase search runs only on texts that
    pass it, which a column of junk almost never does.
    """
    words = load_reference("vocabularies", VocabulariesFile).words(vocab_name)
    phrases = [fold(w) for cid, ws in words.items() for w in (cid, *(ws or []))]
    return frozenset(p.split()[0] for p in phrases if p)


def _vocab_match(vocab_name: str, text: str) -> str | None:
    """``Vocabulary.match``, skipping the phrase search when no word of ``text`` can start a phrase."""
    vocab = vocabulary(vocab_name)
    exact = vocab.lookup(text)
    if exact is not None or _first_words(vocab_name).isdisjoint(fold(text).split()):
        return exact
    found = vocab.find_all(text)
    return found[0] if len(found) == 1 else None


def _word_parser(vocab_name: str, default: str | None, problem: str) -> Parser:
    def parse(value: object) -> tuple[object, list[Problem]]:
        text = cell_text(value)
        if text is None:
            return default, []
        if isinstance(value, bool | np.bool_):
            text = "yes" if value else "no"
        found = _vocab_match(vocab_name, text)
        return (found, []) if found is not None else (None, [(text, problem)])

    return parse


def _legal_basis_list(value: object) -> tuple[object, list[Problem]]:
    """Legal bases: each item looked up, or the bases named inside it ("Art. 6.1 b (avtal)")."""
    text = cell_text(value)
    if text is None:
        return [], []
    vocab = vocabulary("legal_basis")
    first_words = _first_words("legal_basis")
    found: list[str] = []
    problems: list[Problem] = []
    for item in split_list(text):
        known = vocab.lookup(item)
        ids = [known] if known else ([] if first_words.isdisjoint(fold(item).split()) else vocab.find_all(item))
        if not ids:
            problems.append((item, "unknown legal basis"))
        found.extend(i for i in ids if i not in found)
    return found, problems


_DIGIT = re.compile(r"\d")


def _country_code(text: str) -> str | None:
    """:func:`normalise_country`, except that a text mixing digits with anything else is no country.

    No country or organisation name has a digit, and the only numeric codes
    are all digits (``752``); ruling the rest out first spares a junk column
    pycountry's slow search of every country for every cell.
    """
    if _DIGIT.search(text) and not text.isdigit():
        return None
    return normalise_country(text)


def parse_country(value: object) -> tuple[object, list[Problem]]:
    """One country as an ISO alpha-2 code."""
    text = cell_text(value)
    if text is None:
        return None, []
    code = _country_code(text)
    return (code, []) if code else (None, [(text, "unknown country")])


def parse_country_list(value: object) -> tuple[object, list[Problem]]:
    """Several countries: the codes recognised, in order, without repeats; unknown ones are problems."""
    text = cell_text(value)
    if text is None:
        return [], []
    codes: list[str] = []
    problems: list[Problem] = []
    for item in split_list(text):
        code = _country_code(item)
        if code is None:
            problems.append((item, "unknown country"))
        elif code not in codes:
            codes.append(code)
    return codes, problems


@cache
def parser_for(spec: ColumnSpec) -> Parser:
    """The parser of a column type (dates are handled by :func:`normalise_dates`)."""
    simple: dict[str, Parser] = {
        "text": parse_text,
        "id": parse_text,
        "list": parse_list,
        "id_list": parse_list,
        "number": parse_number,
        "yesno": parse_yesno,
        "country": parse_country,
        "country_list": parse_country_list,
        "legal_basis_list": _legal_basis_list,
    }
    if spec.type == "vocab":
        return _word_parser(str(spec.vocabulary), spec.default, f"unknown {str(spec.vocabulary).replace('_', ' ')}")
    if spec.type == "number" and (spec.min is not None or spec.max is not None):
        return _bounded_number(spec.min, spec.max)
    return simple[spec.type]


# --- column normalisation ---------------------------------------------------


def _no_problems() -> pd.DataFrame:
    return pd.DataFrame({"value": pd.Series(dtype=object), "problem": pd.Series(dtype=object)})


def clean_text(values: pd.Series) -> pd.Series:
    """Every cell as :func:`cell_text` gives it (stripped text, ``None`` when blank), vectorised.

    Text cells, nearly all of a sheet, are stripped by one string method;
    the others (numbers, dates, booleans) go through :func:`cell_text` once
    per distinct value.
    """
    raw = values.astype(object)
    out = np.full(len(raw), None, dtype=object)
    is_str = raw.map(type).eq(str).to_numpy()
    if is_str.any():
        stripped = raw[is_str].str.strip().to_numpy(dtype=object)
        stripped[stripped == ""] = None
        out[is_str] = stripped
    other = ~is_str & raw.notna().to_numpy()
    if other.any():
        out[other] = _cell_texts(raw[other])
    return pd.Series(out, index=raw.index, dtype=object)


def _cell_texts(cells: pd.Series) -> list[str | None]:
    """:func:`cell_text` of each cell, once per distinct value and type (``0 == False``, yet they read differently)."""
    memo: dict[tuple[type, object], str | None] = {}
    for v in cells:
        key = (type(v), v)
        if key not in memo:
            memo[key] = cell_text(v)
    return [memo[(type(v), v)] for v in cells]


def split_lists(text: pd.Series) -> pd.Series:
    """List cells (clean text, see :func:`clean_text`) as lists, split like :func:`split_list`, vectorised.

    Each row gets its own list object, so a rule mutating one cell cannot change others.
    """
    present = text.dropna()
    semicolon = present.str.contains(";", regex=False).to_numpy(dtype=bool)
    parts = pd.concat([present[semicolon].str.split(_LIST_SEPARATORS), present[~semicolon].str.split(_COMMA_OR_LINE)])
    items = parts.explode().str.strip()
    items = items[items.notna() & items.ne("")]
    return regroup_lists(items, text.index)


def regroup_lists(items: pd.Series, index: pd.Index) -> pd.Series:
    """Items labelled by row (any order) back into one list per row of ``index``, in item order; ``[]`` for none."""
    positions = index.get_indexer(items.index)
    order = np.argsort(positions, kind="stable")
    values = items.to_numpy(dtype=object)[order].tolist()
    ends = np.cumsum(np.bincount(positions, minlength=len(index))).tolist()
    starts = [0, *ends[:-1]][: len(ends)]
    return pd.Series([values[a:b] for a, b in zip(starts, ends, strict=True)], index=index, dtype=object)


def _problems_frame(codes: np.ndarray, index: pd.Index, per_unique: dict[int, list[Problem]]) -> pd.DataFrame:
    """Rows (by ``index`` label) whose distinct value had problems, one row per problem."""
    if not per_unique:
        return pd.DataFrame({"value": pd.Series(dtype=object), "problem": pd.Series(dtype=object)})
    table = pd.DataFrame(
        [(code, v, p) for code, problems in per_unique.items() for v, p in problems],
        columns=["code", "value", "problem"],
    )
    rows = pd.DataFrame({"code": codes, "label": index})
    hit = rows.merge(table, on="code", how="inner", sort=False).sort_values("label", kind="stable")
    return hit.set_index("label")[PROBLEM_COLUMNS].rename_axis(None)


def normalise_values(values: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.DataFrame]:
    """Normalise a non-date column; return the values and the problems, indexed by row label.

    Text, id and list columns are normalised by vectorised string methods;
    every other type parses each distinct cell once, so the work grows with
    the number of distinct values, not rows.
    """
    if spec.type in ("text", "id"):
        return clean_text(values), _no_problems()
    if spec.type in ("list", "id_list"):
        return split_lists(clean_text(values)), _no_problems()
    parse = parser_for(spec)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    results = [parse(u) for u in uniques]
    blank_value, _ = parse(None)
    table = np.empty(len(uniques) + 1, dtype=object)
    for i, (value, _) in enumerate(results):
        table[i] = value
    table[len(uniques)] = blank_value
    if spec.type in ("list", "id_list", "country_list", "legal_basis_list"):
        # Each row needs its own list object, so a rule mutating one cell cannot change others.
        out = pd.Series([list(v) for v in table[codes]], index=values.index, dtype=object)
    else:
        out = pd.Series(table[codes], index=values.index, dtype=object)
    if spec.type == "yesno":
        out = out.astype("boolean")
    elif spec.type == "number":
        out = pd.to_numeric(out, errors="coerce").astype("Float64")
    problems = _problems_frame(codes, values.index, {i: p for i, (_, p) in enumerate(results) if p})
    return out, problems


def _inside_window(dates: pd.Series) -> pd.Series:
    """Which dates (``datetime64``) lie inside the plausible window; missing ones count as inside."""
    return dates.isna() | dates.between(EARLIEST_DATE, LATEST_DATE)


def _typed_dates(values: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """A column already typed as datetimes (Parquet, Arrow): normalised, dates outside the window removed."""
    out = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
    out = out.dt.normalize().astype("datetime64[ns]")
    outside = ~_inside_window(out)
    if not outside.any():
        return out, pd.DataFrame({"value": pd.Series(dtype=object), "problem": pd.Series(dtype=object)})
    problems = pd.DataFrame({"value": out[outside].dt.strftime("%Y-%m-%d"), "problem": OUT_OF_RANGE_DATE})
    return out.mask(outside), problems.astype(object)


def normalise_dates(values: pd.Series, date_order: str | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Dates as ``datetime64[ns]`` at day precision; unparseable values become NaT and problems.

    Distinct values are parsed: ISO text and Excel date cells in one
    vectorised ``to_datetime`` call each; text that no date format can match
    (:data:`_ANY_DATE`, one vectorised match) is unparseable at once; only
    what is left (Swedish month names, slash dates) goes through
    :func:`parse_date` one distinct value at a time.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, got {date_order!r}")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _typed_dates(values)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    uniq = pd.Series(uniques, dtype=object)
    parsed = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    is_text = uniq.map(type).eq(str)
    text = uniq[is_text].str.strip()
    iso = text[text.str.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")]
    parsed.loc[iso.index] = pd.to_datetime(iso.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    # Excel date cells (datetime objects), converted together rather than one by one.
    cells = uniq[uniq.map(lambda v: isinstance(v, datetime | date) and getattr(v, "tzinfo", None) is None)]
    if len(cells):
        parsed.loc[cells.index] = pd.to_datetime(cells, errors="coerce").dt.normalize()
    parsed[~_inside_window(parsed)] = pd.NaT  # re-read below, so the issue says "out of range"
    shaped = text.str.replace(_SPACES, " ", regex=True).str.fullmatch(_ANY_DATE).astype(bool)
    hopeless = text[~shaped & text.ne("")]
    problems: dict[int, list[Problem]] = {int(pos): [(t, UNPARSEABLE_DATE)] for pos, t in hopeless.items()}
    table = parsed.to_numpy(dtype="datetime64[ns]").copy()
    todo = np.isnat(table)
    todo[hopeless.index.to_numpy(dtype=int)] = False
    raw_values = uniq.to_numpy(dtype=object)
    for pos in np.flatnonzero(todo):
        ts, problem = parse_date(raw_values[pos], date_order)
        if ts is not None:
            table[pos] = ts.to_datetime64()
        elif problem:
            problems[int(pos)] = [(str(cell_text(raw_values[pos])), problem)]
    table = np.append(table, np.datetime64("NaT", "ns"))
    out = pd.Series(table[codes], index=values.index, dtype="datetime64[ns]")
    return out, _problems_frame(codes, values.index, problems)


def normalise_column(values: pd.Series, spec: ColumnSpec, date_order: str | None) -> tuple[pd.Series, pd.DataFrame]:
    """Normalise one canonical column by its type; see :func:`normalise_values` and :func:`normalise_dates`."""
    if spec.type == "date":
        return normalise_dates(values, date_order)
    return normalise_values(values, spec)
