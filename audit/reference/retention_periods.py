"""Retention periods as the rules measure them, and the anchor book that says what they count from.

Two pieces of reference data meet here. ``data/reference/anchors.yaml``
says, per retention anchor (the record-extract date a policy rule counts
from), what a blank date means, which date stands in for it, how the report
names it, and how a rule reads in words; :func:`anchor_book` validates it
against the anchors ``durations.yaml`` may produce, so a bad edit stops the
audit with the file and key named instead of reaching a rule. The period
arithmetic (:func:`max_days`, :func:`year_end_slack`) turns the policy's
calendar periods into the day counts a system's deletion setting is
compared with.

This is the reference layer: it reads data files and knows nothing of the
inputs or the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from audit.errors import ReferenceDataError
from audit.reference.datafiles import reference
from audit.reference.durations import KINDS, anchor_names, period_to_offset
from audit.reference.i18n import LANGUAGES, check_language
from audit.reference.schemas import UNITS
from audit.reference.vocab import fold

ANCHORS_FILE = "data/reference/anchors.yaml"
_ISO_PARTS = re.compile(r"(\d+)([YMWDH])")
# Start dates over one whole leap-year cycle (2001-2004; 2000 and 2100 lie outside
# the cycles these spans reach), so a period's longest span is found exactly.
_CYCLE = pd.Series(pd.date_range("2001-01-01", "2004-12-31", freq="D"))


@dataclass(frozen=True)
class RuleWords:
    """A retention rule's words in one report language: anchor labels, unit words, kind templates."""

    labels: dict[str, str]
    separator: str
    units: dict[str, list[str]]
    kinds: dict[str, str]


@dataclass(frozen=True)
class AnchorBook:
    """What ``anchors.yaml`` says about each retention anchor, validated.

    ``labels``, ``units`` and ``kinds`` are the English words; ``words``
    holds them for every report language (English included), so a rule is
    described in the report's language from data alone.
    """

    labels: dict[str, str]
    ongoing: frozenset[str]
    stand_in: dict[str, str]
    year_end_anchor: str
    year_end_words: re.Pattern[str]
    units: dict[str, list[str]]
    kinds: dict[str, str]
    words: dict[str, RuleWords]


def _check_anchors(anchors: dict[str, dict[str, Any]]) -> None:
    """Every anchor of ``durations.yaml`` described, each blank meaning and stand-in valid."""
    missing = [name for name in anchor_names() if name not in anchors]
    if missing:
        raise ReferenceDataError(f"{ANCHORS_FILE}: anchors: missing {', '.join(missing)} (named in durations.yaml)")
    for name, spec in anchors.items():
        if spec.get("blank") not in ("ongoing", "missing"):
            raise ReferenceDataError(f"{ANCHORS_FILE}: anchors.{name}.blank must be 'ongoing' or 'missing'")
        if spec.get("stand_in") is not None and spec["stand_in"] not in anchors:
            raise ReferenceDataError(f"{ANCHORS_FILE}: anchors.{name}.stand_in {spec['stand_in']!r} is not an anchor")


def _words(data: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The unit words and the rule-kind templates, each checked complete."""
    units = {str(k): [str(w) for w in v] for k, v in data["units"].items()}
    if sorted(units) != sorted(UNITS) or any(len(w) != 2 for w in units.values()):
        raise ReferenceDataError(f"{ANCHORS_FILE}: units must give [singular, plural] for each of {', '.join(UNITS)}")
    kinds = {str(k): str(v) for k, v in data["kinds"].items()}
    absent = [k for k in (*KINDS, "period_year_end") if k not in kinds]
    if absent:
        raise ReferenceDataError(f"{ANCHORS_FILE}: kinds: missing {', '.join(absent)}")
    return units, kinds


def _languages(data: dict[str, Any], english: RuleWords) -> dict[str, RuleWords]:
    """Every report language's rule words: English from the top of the file, the others from ``languages``.

    The schema has checked each block against the English one; here the
    blocks must be exactly the report languages, so adding a language to
    :mod:`audit.reference.i18n` without its rule words fails at load time.
    """
    others = data.get("languages") or {}
    wanted = [lang for lang in LANGUAGES if lang != "en"]
    if sorted(others) != sorted(wanted):
        raise ReferenceDataError(f"{ANCHORS_FILE}: languages must be {', '.join(wanted)} (got {', '.join(others)})")
    out = {"en": english}
    for lang, block in others.items():
        units, kinds = _words(block)
        out[str(lang)] = RuleWords(
            labels={str(k): str(v) for k, v in block["labels"].items()},
            separator=str(block["separator"]),
            units=units,
            kinds=kinds,
        )
    return out


@cache
def anchor_book() -> AnchorBook:
    """Load ``data/reference/anchors.yaml`` and check it covers every anchor the policy may name.

    Raises
    ------
    ReferenceDataError
        When an anchor of ``durations.yaml`` is missing, a ``blank`` is not
        ``ongoing``/``missing``, or a stand-in, unit or kind template is wrong;
        the message names the file and key, so a bad edit never reaches a rule.
    """
    data = reference("anchors")
    try:
        anchors: dict[str, dict[str, Any]] = data["anchors"]
        _check_anchors(anchors)
        year_end = str(data["year_end_anchor"])
        if year_end not in anchors:
            raise ReferenceDataError(f"{ANCHORS_FILE}: year_end_anchor {year_end!r} is not an anchor")
        units, kinds = _words(data)
        labels = {name: str(spec.get("label") or name) for name, spec in anchors.items()}
        english = RuleWords(labels=labels, separator=str(data["separator"]), units=units, kinds=kinds)
        languages = _languages(data, english)
        words = reference("durations")["anchors"][year_end]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReferenceDataError(f"{ANCHORS_FILE}: malformed ({exc!r})") from None
    phrases = sorted({re.escape(fold(w)) for w in words if fold(w)}, key=len, reverse=True)
    return AnchorBook(
        labels=labels,
        ongoing=frozenset(name for name, spec in anchors.items() if spec["blank"] == "ongoing"),
        stand_in={name: spec["stand_in"] for name, spec in anchors.items() if spec.get("stand_in")},
        year_end_anchor=year_end,
        year_end_words=re.compile(r"(?<!\w)(?:" + "|".join(phrases) + ")"),
        units=units,
        kinds=kinds,
        words=languages,
    )


@cache
def max_days(iso: str) -> int:
    """The longest a calendar period can last, in days ("P1Y" -> 366, "P7Y" -> 2557).

    A system's deletion setting is a day count while the policy speaks in
    calendar years and months; comparing against the longest span the period
    can have means a leap year never makes a compliant setting look too long.
    """
    return int(((_CYCLE + period_to_offset(iso)) - _CYCLE).dt.days.max())


@cache
def year_end_slack() -> int:
    """The most days counting to the end of the year can add (365: from 1 January of a leap year)."""
    return int(((_CYCLE + pd.offsets.YearEnd(0)) - _CYCLE).dt.days.max())


def rule_words(lang: str = "en") -> RuleWords:
    """The words retention rules are described with in ``lang`` (raises on a language the report lacks)."""
    return anchor_book().words[check_language(lang)]


def anchor_label(anchor: object, lang: str = "en") -> str:
    """How the report names an anchor in ``lang`` ("contract_end" -> "contract end", "avtalets slut").

    An anchor the book does not know is shown as it is, as in :func:`describe_rule`.
    """
    return rule_words(lang).labels.get(str(anchor), str(anchor))


def period_words(iso: object, lang: str = "en") -> str:
    """An ISO 8601 period in the report's words ("P7Y" -> "7 years", "7 år"), the unit words from ``anchors.yaml``.

    Singular for one, plural otherwise, in each language ("1 månad", "12 månader").
    """
    units = rule_words(lang).units
    parts = [f"{n} {units[u][0] if int(n) == 1 else units[u][1]}" for n, u in _ISO_PARTS.findall(str(iso))]
    return " ".join(parts) or str(iso)


def describe_rule(kind: str, period: object, anchor: object, year_end: bool, grace: int, lang: str = "en") -> str:
    """One retention rule in words in ``lang``, filled from the ``kinds`` templates of ``anchors.yaml``.

    The Retention sheet's ``policy_rule`` column and the retention findings
    quote the same text, so the sheet and a finding never describe one rule
    in two ways; both pass the report's language, so a Swedish report never
    quotes a rule in English.
    """
    book = anchor_book()
    words = rule_words(lang)
    # A period from the financial year end itself needs no "counted from the end of the financial year".
    key = "period_year_end" if kind == "period" and year_end and anchor != book.year_end_anchor else kind
    label = anchor_label(anchor, lang)
    return words.kinds[key].format(period=period_words(period, lang), anchor=label, grace=grace)


def rules_in_words(texts: Iterable[str], lang: str = "en") -> str:
    """Several rules' texts as one cell: an activity's alternatives side by side (``separator`` of ``lang``)."""
    return rule_words(lang).separator.join(texts)
