"""Countries: recognising them in registers, EU/EEA membership, adequacy decisions.

Registers name countries every way people write them ("USA", "Förenta
staterna", "us", "United States"), so everything is reduced to an ISO 3166
alpha-2 code once, here, and rules only ever compare codes. pycountry knows
ISO codes and English names; ``data/reference/countries.yaml`` adds Swedish
names and the EU/EEA list, ``data/reference/adequacy.yaml`` the Commission's
adequacy decisions with their validity periods, so a transfer is judged on
the decisions in force on the audit's as-of date, never on today's list.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import pandas as pd
import pycountry

from audit.errors import ReferenceDataError
from audit.reference.datafiles import reference
from audit.reference.vocab import fold

ADEQUACY_COLUMNS = ["country", "name", "valid_from", "valid_until", "scope", "dpf_only", "decision", "notes"]


def _known_code(code: object) -> bool:
    return isinstance(code, str) and pycountry.countries.get(alpha_2=code) is not None


@cache
def _country_data() -> dict[str, Any]:
    """countries.yaml, checked: every code must be a real ISO alpha-2 code, so a typo fails loudly."""
    data = reference("countries")
    where = "countries.yaml"
    for key in ("eu", "eea_extra", "names", "organisations"):
        if key not in data:
            raise ReferenceDataError(f"{where}: missing key {key}")
    for code in [*data["eu"], *data["eea_extra"], *data["names"].values()]:
        if not _known_code(code):
            raise ReferenceDataError(f"{where}: {code!r} is not an ISO 3166 alpha-2 code")
    return data


@cache
def _name_table() -> dict[str, str]:
    """Folded name -> code, from the YAML table and the organisations (pycountry is asked separately)."""
    data = _country_data()
    table: dict[str, str] = {}
    for name, code in data["names"].items():
        table[fold(name)] = code
    for org_id, names in data["organisations"].items():
        for name in [org_id, *names]:
            table[fold(name)] = org_id
    return table


@cache
def normalise_country(value: object) -> str | None:
    """The ISO alpha-2 code (or organisation id such as ``EPO``) that ``value`` names, else ``None``.

    The project's table is asked first, because it holds the names pycountry
    gets wrong or lacks for our users (Swedish names, "UK", "Holland");
    pycountry's exact lookup then covers codes and English names. Fuzzy
    matching is deliberately off: a wrong guess would silently move data to
    another country.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    code = _name_table().get(fold(text))
    if code is not None:
        return code
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def normalise_countries(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_country`: each distinct value is looked up once.

    Returns an object Series of codes, ``None`` where a value is blank or unknown.
    """
    uniques = pd.unique(values.dropna())
    table = {v: normalise_country(v) for v in uniques}
    out = values.map(table).astype("object")
    return out.where(out.notna(), None)


@cache
def eu_eea_codes() -> frozenset[str]:
    """EU-27 plus Iceland, Liechtenstein and Norway."""
    data = _country_data()
    return frozenset([*data["eu"], *data["eea_extra"]])


def is_eu_eea(code: object) -> bool:
    """True when ``code`` is an EU or EEA member state; anything else (including unknown) is a third country."""
    return isinstance(code, str) and code in eu_eea_codes()


@cache
def country_name(code: str) -> str:
    """English display name of a code (pycountry's common name where it has one); the code itself when unknown."""
    data = _country_data()
    if code in data["organisations"]:
        return str(data["organisations"][code][0])
    country = pycountry.countries.get(alpha_2=code) if isinstance(code, str) else None
    if country is None:
        return str(code)
    return getattr(country, "common_name", None) or country.name


def _as_date(value: object, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ReferenceDataError(f"{where}: {value!r} is not an ISO date") from None


@cache
def _decisions() -> tuple[dict[str, Any], ...]:
    """adequacy.yaml, checked: codes known, dates valid and ordered, so a bad edit cannot credit a transfer."""
    data = reference("adequacy")
    orgs = _country_data()["organisations"]
    out = []
    for i, entry in enumerate(data.get("decisions") or []):
        where = f"adequacy.yaml: decisions[{i}]"
        missing = [k for k in ("country", "name", "valid_from", "scope") if k not in entry]
        if missing:
            raise ReferenceDataError(f"{where}: missing {', '.join(missing)}")
        code = entry["country"]
        if not (_known_code(code) or code in orgs):
            raise ReferenceDataError(f"{where}: {code!r} is neither an ISO alpha-2 code nor a known organisation")
        valid_from = _as_date(entry["valid_from"], where)
        valid_until = _as_date(entry.get("valid_until"), where)
        if valid_until is not None and valid_until < valid_from:
            raise ReferenceDataError(f"{where}: valid_until {valid_until} is before valid_from {valid_from}")
        out.append(
            {
                "country": code,
                "name": str(entry["name"]),
                "valid_from": valid_from,
                "valid_until": valid_until,
                "scope": str(entry["scope"]),
                "dpf_only": bool(entry.get("dpf_only", False)),
                "decision": str(entry.get("decision", "")),
                "notes": str(entry.get("notes", "")).strip(),
            }
        )
    if not out:
        raise ReferenceDataError("adequacy.yaml: no decisions listed")
    return tuple(out)


def adequacy_on(code: str, as_of: date) -> dict[str, Any] | None:
    """The adequacy decision for ``code`` in force on ``as_of``, else ``None``.

    Where periods overlap (the UK renewal adopted before the extended 2021
    decision ran out) the most recent decision is returned. The result is a
    copy; ``dpf_only`` tells that the decision covers DPF-certified
    organisations only (the United States).
    """
    if isinstance(as_of, pd.Timestamp):
        as_of = as_of.date()
    in_force = [
        d
        for d in _decisions()
        if d["country"] == code and d["valid_from"] <= as_of and (d["valid_until"] is None or as_of <= d["valid_until"])
    ]
    if not in_force:
        return None
    return dict(max(in_force, key=lambda d: d["valid_from"]))


def adequacy_table() -> pd.DataFrame:
    """Every decision of adequacy.yaml, one row per decision period, for the report and notebooks."""
    return pd.DataFrame(list(_decisions()), columns=ADEQUACY_COLUMNS)


def adequacy_source() -> dict[str, str]:
    """The list's source and date, so a report can say which list an audit used."""
    data = reference("adequacy")
    return {"source": " ".join(str(data["source"]).split()), "date": str(data["date"])}
