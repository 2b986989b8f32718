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
from audit.reference.vocab import vocabulary

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

UNPARSEABLE_DATE = "unparseable date"
AMBIGUOUS_DATE = "ambiguous date: day and month could be either way round (pass date_order 'DMY' or 'MDY')"
INVALID_DATE = "no such date"


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
    except ValueError:
        return None


def parse_date(value: object, date_order: str | None = None) -> tuple[pd.Timestamp | None, str | None]:
    """One date cell as a day-precision Timestamp, or the reason it is not one.

    Excel date cells arrive as datetimes; text may be ISO, ``2025/03/01``,
    Swedish or English with a month name, or ``1/3/2025``, whose day/month
    order only the caller knows. Such a slash date is accepted without
    ``date_order`` only when one reading is impossible (``25/3/2025``) or
    both are the same day (``3/3/2025``).
    """
    if is_blank(value):
        return None, None
    if isinstance(value, pd.Timestamp | datetime):
        ts = pd.Timestamp(value)
        return (ts.tz_localize(None) if ts.tzinfo else ts).normalize(), None
    if isinstance(value, date):
        return pd.Timestamp(value), None
    if not isinstance(value, str):
        return None, UNPARSEABLE_DATE
    text = _SPACES.sub(" ", value.strip())
    if m := _ISO.fullmatch(text) or _YMD.fullmatch(text):
        ts = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (ts, None) if ts is not None else (None, INVALID_DATE)
    if m := _NUMERIC.fullmatch(text):
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        dmy, mdy = _valid(year, second, first), _valid(year, first, second)
        if date_order == "DMY":
            return (dmy, None) if dmy is not None else (None, INVALID_DATE)
        if date_order == "MDY":
            return (mdy, None) if mdy is not None else (None, INVALID_DATE)
        if dmy is not None and mdy is not None and dmy != mdy:
            return None, AMBIGUOUS_DATE
        ts = dmy if dmy is not None else mdy
        return (ts, None) if ts is not None else (None, INVALID_DATE)
    months = vocabulary("month")
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        day_text, month, year_text = m.group(1), months.lookup(m.group(2)), m.group(3)
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        month, day_text, year_text = months.lookup(m.group(1)), m.group(2), m.group(3)
    else:
        return None, UNPARSEABLE_DATE
    if month is None:
        return None, UNPARSEABLE_DATE
    ts = _valid(int(year_text), int(month), int(day_text))
    return (ts, None) if ts is not None else (None, INVALID_DATE)


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


def _word_parser(vocab_name: str, default: str | None, problem: str) -> Parser:
    vocab = vocabulary(vocab_name)

    def parse(value: object) -> tuple[object, list[Problem]]:
        text = cell_text(value)
        if text is None:
            return default, []
        if isinstance(value, bool | np.bool_):
            text = "yes" if value else "no"
        found = vocab.match(text)
        return (found, []) if found is not None else (None, [(text, problem)])

    return parse


def _legal_basis_list(value: object) -> tuple[object, list[Problem]]:
    """Legal bases: each item looked up, or the bases named inside it ("Art. 6.1 b (avtal)")."""
    text = cell_text(value)
    if text is None:
        return [], []
    vocab = vocabulary("legal_basis")
    found: list[str] = []
    problems: list[Problem] = []
    for item in split_list(text):
        known = vocab.lookup(item)
        ids = [known] if known else vocab.find_all(item)
        if not ids:
            problems.append((item, "unknown legal basis"))
        found.extend(i for i in ids if i not in found)
    return found, problems


def parse_country(value: object) -> tuple[object, list[Problem]]:
    """One country as an ISO alpha-2 code."""
    text = cell_text(value)
    if text is None:
        return None, []
    code = normalise_country(text)
    return (code, []) if code else (None, [(text, "unknown country")])


def parse_country_list(value: object) -> tuple[object, list[Problem]]:
    """Several countries: the codes recognised, in order, without repeats; unknown ones are problems."""
    text = cell_text(value)
    if text is None:
        return [], []
    codes: list[str] = []
    problems: list[Problem] = []
    for item in split_list(text):
        code = normalise_country(item)
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
    return simple[spec.type]


# --- column normalisation ---------------------------------------------------


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

    Each distinct cell is parsed once, so the work grows with the number of
    distinct values, not rows.
    """
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


def normalise_dates(values: pd.Series, date_order: str | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Dates as ``datetime64[ns]`` at day precision; unparseable values become NaT and problems.

    Distinct values are parsed: ISO text in one vectorised ``to_datetime``
    call, everything else (Excel date cells, Swedish month names, slash
    dates) by :func:`parse_date`.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, got {date_order!r}")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        out = out.dt.normalize().astype("datetime64[ns]")
        return out, _problems_frame(np.array([], dtype=int), pd.Index([]), {})
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
    problems: dict[int, list[Problem]] = {}
    for pos in parsed.index[parsed.isna()]:
        raw = uniq.iloc[pos]
        ts, problem = parse_date(raw, date_order)
        if ts is not None:
            parsed.iloc[pos] = ts
        elif problem:
            problems[int(pos)] = [(str(cell_text(raw)), problem)]
    table = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    out = pd.Series(table[codes], index=values.index, dtype="datetime64[ns]")
    return out, _problems_frame(codes, values.index, problems)


def normalise_column(values: pd.Series, spec: ColumnSpec, date_order: str | None) -> tuple[pd.Series, pd.DataFrame]:
    """Normalise one canonical column by its type; see :func:`normalise_values` and :func:`normalise_dates`."""
    if spec.type == "date":
        return normalise_dates(values, date_order)
    return normalise_values(values, spec)
