"""Reading retention periods and retention statements in Swedish and English.

The policy says "Raderas efter 30 dagar" and a register says "30 days" or
"contract + 7 years"; retention rules can only compare the two once both are
the same structure: a ``kind`` (``period``, ``until``, ``vague``,
``per_contract``) with an ISO 8601 ``period`` and an ``anchor`` (the
record-extract date the period counts from, or the event that ends the
retention). The words (units, number words, anchor and event phrases) live
in ``data/reference/durations.yaml``; this module only parses with them, so
a new phrasing is a data change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from audit.reference import schemas
from audit.reference.datafiles import load_reference

KINDS = schemas.KINDS
"""The kinds of retention rule (defined with the models, which check the policy and anchors.yaml against them)."""
_ISO = re.compile(r"^P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(\d+)H)?$")


@dataclass(frozen=True)
class _Lexicon:
    """The compiled patterns of ``durations.yaml``."""

    amount: re.Pattern[str]
    unit_of: dict[str, str]
    numbers: dict[str, int]
    anchors: list[tuple[str, re.Pattern[str]]]
    relative: re.Pattern[str]
    vague: re.Pattern[str]
    per_contract: re.Pattern[str]
    abbreviations: list[str]
    default_anchor: str


def _phrases(words: list[str]) -> re.Pattern[str]:
    """A pattern matching any phrase at the start of a word (so stems match inflections)."""
    alts = sorted({re.escape(_norm(w)) for w in words if str(w).strip()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + ")")


def _norm(text: object) -> str:
    """Lower-case with single spaces: the phrases keep their punctuation ("contract +")."""
    return re.sub(r"\s+", " ", str(text)).strip().lower()


@cache
def _lexicon() -> _Lexicon:
    """Compile ``durations.yaml``; its model has checked the shape (units H/D/W/M/Y, the default anchor)."""
    data = load_reference("durations", schemas.DurationsFile)
    unit_of: dict[str, str] = {_norm(w): iso for iso, words in data.units.items() for w in words}
    numbers = {_norm(w): n for w, n in data.number_words.items()}
    anchors = [(name, _phrases(words)) for name, words in data.anchors.items()]
    relative, vague, per_contract = (_phrases(words) for words in (data.relative, data.vague, data.per_contract))
    abbreviations = [_norm(a) for a in data.abbreviations]
    num_alts = "|".join(re.escape(w) for w in sorted(numbers, key=len, reverse=True))
    unit_alts = "|".join(re.escape(w) for w in sorted(unit_of, key=len, reverse=True))
    amount = re.compile(rf"(?<!\w)(?P<num>\d+|{num_alts})[\s-]*(?P<unit>{unit_alts})(?!\w)")
    return _Lexicon(
        amount, unit_of, numbers, anchors, relative, vague, per_contract, abbreviations, data.default_anchor
    )


def anchor_names() -> list[str]:
    """Every anchor a retention rule may name (the record-extract date columns), in priority order."""
    return [name for name, _ in _lexicon().anchors]


def default_anchor() -> str:
    """The anchor of a period whose sentence and context name no event (``collected``)."""
    return _lexicon().default_anchor


def parse_period(text: object) -> str | None:
    """The first "<number> <unit>" in ``text`` as an ISO 8601 period ("7 år" -> ``"P7Y"``), else ``None``.

    Number words count ("sju år", "en månad"), so the policy's own phrasing
    is understood, not only digits typed into a register; a cell that already
    holds an ISO period ("P30D") is returned as it is.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    if _ISO.match(str(text).strip().upper()):
        return str(text).strip().upper()
    lex = _lexicon()
    match = lex.amount.search(_norm(text))
    if match is None:
        return None
    num = match.group("num")
    n = int(num) if num.isdigit() else lex.numbers[num]
    unit = lex.unit_of[match.group("unit")]
    # Hours belong to the time part of an ISO 8601 duration ("48 timmar" -> PT48H).
    return f"PT{n}H" if unit == "H" else f"P{n}{unit}"


def period_to_offset(iso: str) -> pd.DateOffset:
    """A calendar-aware offset for an ISO 8601 period ("P1M" -> one calendar month, "PT48H" -> 48 hours).

    Calendar arithmetic, not a fixed day count, because "en månad" from
    31 January ends on 28/29 February (Art. 12(3)) and "7 år" spans leap days.

    Raises
    ------
    ValueError
        When ``iso`` is not a period of years, months, weeks, days and hours.
    """
    match = _ISO.match(str(iso))
    if match is None:
        raise ValueError(f"not an ISO 8601 period of years/months/weeks/days/hours: {iso!r}")
    parts = dict(zip(("years", "months", "weeks", "days", "hours"), match.groups(), strict=True))
    kwargs = {unit: int(n) for unit, n in parts.items() if n}
    # An empty DateOffset() means one day, so "P0D" must pass days=0 explicitly.
    return pd.DateOffset(**(kwargs or {"days": 0}))


def split_sentences(text: object) -> list[str]:
    """Sentences of ``text``: split at line breaks and at ". " before a capital, not after "t.ex.".

    A retention bullet often holds two rules in two sentences (P-CRM, P-NEWSLETTER).
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return []
    abbreviations = _lexicon().abbreviations
    out: list[str] = []
    for line in str(text).splitlines():
        line = re.sub(r"\s+", " ", line).strip()
        start = 0
        for match in re.finditer(r"[.!?](?=\s+[A-ZÅÄÖÉ0-9])", line):
            head = line[start : match.end()].lower()
            if any(head.endswith(" " + a) or head == a for a in abbreviations):
                continue
            out.append(line[start : match.end()].strip())
            start = match.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


def _first_anchor(text: str) -> str | None:
    """The highest-priority anchor named in ``text``."""
    for name, pattern in _lexicon().anchors:
        if pattern.search(text):
            return name
    return None


def _rule(kind: str, sentence: str, period: str | None = None, anchor: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": kind}
    if period is not None:
        rule["period"] = period
    if anchor is not None:
        rule["anchor"] = anchor
    rule["sentence"] = sentence
    return rule


def parse_retention(text: object, context: object = None) -> list[dict[str, Any]]:
    """Retention rules stated in ``text``, one per sentence that states one.

    Each rule is a dict with ``kind`` and ``sentence`` and, where they apply,
    ``period`` (ISO 8601) and ``anchor``; absent keys mean "not applicable"
    (the same shape as ``policy.yaml``'s ``retention.rules``).

    Per sentence, in this order: a number with a unit is a ``period``; a
    phrase without a measurable end ("så länge som det är nödvändigt") is
    ``vague`` even when it also names an event, because the event does not
    bound it; a reference to the person's own contract is ``per_contract``;
    a named event is ``until`` that event. A period's anchor is the anchor the
    sentence names, else the previous sentence's when the period is
    "ytterligare" (additional), else one named in ``context``, else
    ``collected``. "Sparas under avtalstiden" followed by "ytterligare 7 år"
    is one rule (7 years from contract end), not two.

    Parameters
    ----------
    text
        A retention statement (a policy bullet or a register cell).
    context
        Other text about the same processing, e.g. the purpose, used only
        for a period's anchor: "Sparas i 7 år" for bookkeeping counts from
        the end of the financial year (bokföringslagen 7 kap. 2 §).
    """
    lex = _lexicon()
    rules: list[dict[str, Any]] = []
    pending: dict[str, Any] | None = None
    for sentence in split_sentences(text):
        low = _norm(sentence)
        period = parse_period(sentence)
        anchor = _first_anchor(low)
        if period is not None:
            if pending is not None and lex.relative.search(low):
                anchor = pending["anchor"]
                rules.remove(pending)
                sentence = f"{pending['sentence']} {sentence}"
            elif anchor is None:
                anchor = _first_anchor(_norm(context)) if context else None
            rules.append(_rule("period", sentence, period, anchor or lex.default_anchor))
            pending = None
            continue
        if lex.vague.search(low):
            rules.append(_rule("vague", sentence))
        elif lex.per_contract.search(low):
            rules.append(_rule("per_contract", sentence))
        elif anchor is not None:
            rules.append(_rule("until", sentence, anchor=anchor))
            pending = rules[-1]
            continue
        pending = None
    return rules
