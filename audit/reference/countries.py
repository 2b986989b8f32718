"""Countries: recognising them in registers, EU/EEA membership, adequacy decisions.

Registers name countries every way people write them ("USA", "Förenta
staterna", "us", "United States"), so everything is reduced to an ISO 3166
alpha-2 code once, here, and rules only ever compare codes. pycountry knows
the ISO codes, the English names and, in its gettext catalogue, their Swedish
translations; ``data/reference/countries.yaml`` adds only what it lacks (the
EU/EEA lists, organisations, aliases such as "UK" and "Holland"), and
``data/reference/adequacy.yaml`` the Commission's adequacy decisions with
their validity periods, so a transfer is judged on the decisions in force on
the audit's as-of date, never on today's list.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
import pycountry

from audit.errors import ReferenceDataError
from audit.reference.datafiles import load_reference, reference_error
from audit.reference.schemas import AdequacyFile, CountriesFile
from audit.reference.vocab import fold

ADEQUACY_COLUMNS = ["country", "name", "valid_from", "valid_until", "scope", "dpf_only", "decision", "notes"]
NAME_FIELDS = ("name", "common_name", "official_name")
"""The pycountry names indexed, each in English and in Swedish."""


def _known_code(code: object) -> bool:
    return isinstance(code, str) and pycountry.countries.get(alpha_2=code) is not None


@cache
def _country_data() -> CountriesFile:
    """countries.yaml, validated (every code a real ISO alpha-2 code, so a typo fails loudly)."""
    return load_reference("countries", CountriesFile)


@cache
def swedish() -> gettext.NullTranslations:
    """pycountry's Swedish catalogue of ISO 3166-1 names.

    Raises
    ------
    ReferenceDataError
        When the installed pycountry ships no Swedish catalogue (Swedish
        names would otherwise silently stop being recognised).
    """
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["sv"])
    except OSError:
        raise ReferenceDataError(
            f"{pycountry.LOCALES_DIR}: pycountry has no Swedish iso3166-1 catalogue (reinstall pycountry)"
        ) from None


@cache
def pycountry_index() -> dict[str, str]:
    """Folded name -> alpha-2 code, from pycountry alone: English and Swedish names, common and official.

    A folded name that two countries share is left out rather than given to
    either, because a wrong guess would silently move data to another
    country. Codes are not in the index; :func:`pycountry_code` asks
    pycountry's own lookup for them.
    """
    sv = swedish()
    index: dict[str, str] = {}
    shared: set[str] = set()
    for country in pycountry.countries:
        for attr in NAME_FIELDS:
            english = getattr(country, attr, None)
            if not english:
                continue
            for name in (english, sv.gettext(english)):
                key = fold(name)
                if index.setdefault(key, country.alpha_2) != country.alpha_2:
                    shared.add(key)
    return {key: code for key, code in index.items() if key not in shared}


def pycountry_code(value: str) -> str | None:
    """The code pycountry alone gives ``value``: its exact lookup (codes, English names), then the name index."""
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return pycountry_index().get(fold(value))


@cache
def _name_table() -> dict[str, str]:
    """Folded alias or organisation name -> code, from countries.yaml (asked before pycountry).

    Raises
    ------
    ReferenceDataError
        When an alias or organisation name is one pycountry already gives
        another code: the file would then silently overrule pycountry.
    """
    data = _country_data()
    table: dict[str, str] = {}
    entries = [(("aliases", name), name, code) for name, code in data.aliases.items()]
    entries += [
        (("organisations", org_id), name, org_id) for org_id, names in data.organisations.items() for name in names
    ]
    for loc, name, code in entries:
        known = pycountry_code(name)
        if known is not None and known != code:
            raise reference_error("countries", loc, f"{name!r} is {known} in pycountry, not {code}")
        table[fold(name)] = code
    for org_id in data.organisations:
        table[fold(org_id)] = org_id
    return table


@cache
def normalise_country(value: object) -> str | None:
    """The ISO alpha-2 code (or organisation id such as ``EPO``) that ``value`` names, else ``None``.

    The project's aliases are asked first (names pycountry lacks: "UK",
    "Holland", "Förenta staterna"); then pycountry's exact lookup (codes,
    English names); then pycountry's English and Swedish names after folding
    case and punctuation. Fuzzy matching is deliberately off: a wrong guess
    would silently move data to another country.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    code = _name_table().get(fold(text))
    if code is not None:
        return code
    return pycountry_code(text)


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
    return frozenset([*data.eu, *data.eea_extra])


def is_eu_eea(code: object) -> bool:
    """True when ``code`` is an EU or EEA member state; anything else (including unknown) is a third country."""
    return isinstance(code, str) and code in eu_eea_codes()


@cache
def country_name(code: str) -> str:
    """English display name of a code (pycountry's common name where it has one); the code itself when unknown."""
    organisations = _country_data().organisations
    if code in organisations:
        return organisations[code][0]
    country = pycountry.countries.get(alpha_2=code) if isinstance(code, str) else None
    if country is None:
        return str(code)
    return getattr(country, "common_name", None) or country.name


@cache
def _decisions() -> tuple[dict[str, Any], ...]:
    """adequacy.yaml, validated: codes known, dates valid and ordered, so a bad edit cannot credit a transfer."""
    data = load_reference("adequacy", AdequacyFile)
    organisations = _country_data().organisations
    out = []
    for i, entry in enumerate(data.decisions):
        if not (_known_code(entry.country) or entry.country in organisations):
            raise reference_error(
                "adequacy",
                ("decisions", i, "country"),
                f"{entry.country!r} is neither an ISO alpha-2 code nor an organisation of countries.yaml",
            )
        out.append({**entry.model_dump(), "notes": entry.notes.strip()})
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
    data = load_reference("adequacy", AdequacyFile)
    return {"source": " ".join(data.source.split()), "date": str(data.date)}
