"""Pydantic models of the reference data files, one per ``data/reference/*.yaml``.

Each model states the shape its loader relies on (which keys, which kinds of
values, which ids may refer to which), so a bad edit of a data file fails at
load time with the file and the key path, not as a ``KeyError`` or, worse, a
silent non-match deep inside a rule. The models hold no behaviour: the
modules beside this one (countries, durations, settings, vocab) read them.

Models are strict (a YAML ``no`` is a boolean, not the word "no"; ``"5"`` is
not a number) and forbid unknown keys, because in hand-edited YAML an unknown
key is almost always a misspelt known one. ``rules.yaml`` and ``columns.yaml``
have no model here: they belong to the rule catalogue and the inputs.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from typing import Annotated, Literal, get_args

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Kind = Literal["period", "until", "vague", "per_contract", "none"]
"""The kinds of retention rule (see the comment at the top of ``policy.yaml``)."""
Unit = Literal["H", "D", "W", "M", "Y"]
"""ISO 8601 period designators the retention parser reads (``H`` is the time part: ``PT48H``)."""

SEVERITIES = ("high", "medium", "low", "info")
KINDS: tuple[str, ...] = get_args(Kind)
UNITS: tuple[str, ...] = get_args(Unit)


class FieldProblem(ValueError):
    """A cross-field check failed at a key below the model that checks it.

    Pydantic reports a model validator's error at the model itself; raising
    this instead lets the message name the exact key (``default_anchor``,
    ``categories.food_preferences.reveals``) that a person has to fix.

    Parameters
    ----------
    loc
        Key path relative to the model whose validator raises.
    problem
        What is wrong, as one line.
    """

    def __init__(self, loc: tuple[str | int, ...], problem: str):
        super().__init__(problem)
        self.loc = loc
        self.problem = problem


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError(f"expected a non-empty text, got {value!r}")
    return value


def _alpha_2(code: str) -> str:
    if len(code) != 2 or not code.isupper() or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 code")
    return code


def _pattern(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return pattern


def _colour(value: str) -> str:
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        raise ValueError(f"{value!r} is not a hex RGB colour such as C0392B")
    return value


Text = Annotated[str, AfterValidator(_non_empty)]
"""A non-blank string: a blank label or synonym would match nothing or everything."""
Alpha2 = Annotated[str, AfterValidator(_alpha_2)]
"""An ISO 3166-1 alpha-2 code pycountry knows, so a typo ("UK", "EL") fails loudly."""
Pattern = Annotated[str, AfterValidator(_pattern)]
"""A regular expression that compiles."""
Colour = Annotated[str, AfterValidator(_colour)]
"""Six hex digits, as openpyxl fills and matplotlib colours take them."""
Count = Annotated[int, Field(ge=0)]
"""A non-negative whole number (strict: ``true`` and ``"5"`` are not numbers)."""
Words = Annotated[list[Text], Field(min_length=1)]
"""A non-empty list of phrases: an empty list would compile to a pattern that matches anywhere."""


class Strict(BaseModel):
    """Base of every model: strict types, unknown keys rejected, values frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ReferenceFile(Strict):
    """A reference data file: every one says where its content comes from and when it was taken.

    The report prints ``source`` and ``date`` so a reader knows which list an
    audit used (an adequacy list of last year may credit a transfer wrongly).
    """

    source: Text
    date: dt.date


# --- settings.yaml -------------------------------------------------------------------------------


class SeverityColours(Strict):
    """One colour per severity: the workbook and the charts must colour every severity."""

    high: Colour
    medium: Colour
    low: Colour
    info: Colour


def _check_severities(severities: dict[str, str] | None) -> None:
    """Every severity must be one the workbook and charts know.

    Checked here rather than by a ``Literal`` so the message keeps the
    wording the command line has always printed ("severity of TRF-05 is
    'urgent'"), which names the rule as precisely as a key path would.
    """
    for rule, severity in (severities or {}).items():
        if severity not in SEVERITIES:
            raise FieldProblem((), f"severity of {rule} is {severity!r}, expected one of {', '.join(SEVERITIES)}")


ReportLanguage = Literal["", "en", "sv"]
"""The report's language; blank: the policy's language."""


def _check_due_days(due_days: dict[str, int] | None) -> None:
    """Due dates are set per severity; any other key is a slip."""
    for key in due_days or {}:
        if key not in SEVERITIES:
            raise FieldProblem(("due_days", key), f"not a severity (one of {', '.join(SEVERITIES)})")


MemorySize = Annotated[str, Field(pattern=r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$")]
"""A DuckDB memory size: ``2GB``, ``512MB``, ``1.5GiB``."""


class SettingsFile(ReferenceFile):
    """``settings.yaml``: the audit's defaults (severities, grace periods, review intervals)."""

    organisation: str
    event_grace_days: Count
    review_interval_months: Count
    security_test_interval_months: Count
    sheet_row_cap: Count
    example_records: Count
    records_memory_limit: MemorySize = "1.5GB"
    records_spill_dir: str = ""
    records_threads: Count = 0
    severities: dict[str, str]
    status_choices: Annotated[list[Text], Field(min_length=1)]
    severity_colours: SeverityColours
    severity_fills: SeverityColours
    lang: ReportLanguage = ""
    due_days: dict[str, Count] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _severities_known(self) -> SettingsFile:
        _check_severities(self.severities)
        _check_due_days(self.due_days)
        return self


def _no_blank_values(model: BaseModel) -> None:
    """``key:`` with nothing after it is a slip, not "use the default": say so rather than ignore it."""
    for name in model.model_fields_set:
        if getattr(model, name) is None:
            raise FieldProblem((name,), "expected a value, got nothing (leave the key out to keep the default)")


class PartialColours(Strict):
    """A DPO's colour overrides: any subset of the four severities."""

    high: Colour | None = None
    medium: Colour | None = None
    low: Colour | None = None
    info: Colour | None = None

    @model_validator(mode="after")
    def _complete_values(self) -> PartialColours:
        _no_blank_values(self)
        return self


class SettingsOverlay(Strict):
    """A DPO's settings file (``--settings FILE``): any subset of ``settings.yaml``'s keys.

    Validated on its own first, so that an error names the DPO's file and
    the DPO's key rather than the merged result; provenance is optional here
    (a DPO's file may say whose choices it holds, but need not).
    """

    source: Text | None = None
    date: dt.date | None = None
    organisation: str | None = None
    event_grace_days: Count | None = None
    review_interval_months: Count | None = None
    security_test_interval_months: Count | None = None
    sheet_row_cap: Count | None = None
    example_records: Count | None = None
    records_memory_limit: MemorySize | None = None
    records_spill_dir: str | None = None
    records_threads: Count | None = None
    severities: dict[str, str] | None = None
    status_choices: Annotated[list[Text], Field(min_length=1)] | None = None
    severity_colours: PartialColours | None = None
    severity_fills: PartialColours | None = None
    lang: ReportLanguage | None = None
    due_days: dict[str, Count] | None = None

    @model_validator(mode="after")
    def _complete_values(self) -> SettingsOverlay:
        _no_blank_values(self)
        _check_severities(self.severities)
        _check_due_days(self.due_days)
        return self


# --- vocabularies, data and recipient categories -------------------------------------------------

WordMap = dict[str, list[Text]]
"""Canonical id -> the words (English, Swedish) that mean it."""


class VocabulariesFile(ReferenceFile):
    """``vocabularies.yaml``: the controlled vocabularies of the inputs.

    Each vocabulary is a named field, so ``vocabulary("legal_bases")`` (a
    typo) fails instead of matching nothing.
    """

    legal_basis: WordMap
    activity_role: WordMap
    vendor_role: WordMap
    transfer_mechanism: WordMap
    right: WordMap
    outcome: WordMap
    yes_no: WordMap
    dpia: WordMap
    month: WordMap

    def words(self, name: str) -> WordMap:
        """The vocabulary ``name``; ``KeyError`` when there is none (as a dict lookup would)."""
        if name in ("source", "date") or name not in type(self).model_fields:
            raise KeyError(name)
        return getattr(self, name)


class DataCategory(Strict):
    """A kind of personal data: the policy's Swedish word (``label``), its English label and the words registers use.

    Both labels are required, so a finding names the category in the report's
    language whichever it is (see :meth:`audit.reference.vocab.Vocabulary.label`).
    """

    label: Text
    en: Text
    synonyms: list[Text] = []
    special: bool = False
    reveals: list[str] = []


class DataCategoriesFile(ReferenceFile):
    """``data_categories.yaml``: kinds of personal data and the Art. 9 categories they can reveal."""

    categories: dict[str, DataCategory]

    @model_validator(mode="after")
    def _reveals_special_categories(self) -> DataCategoriesFile:
        """``reveals`` must name Art. 9 categories of this file, or POL-04 would look for nothing."""
        special = {cid for cid, spec in self.categories.items() if spec.special}
        for cid, spec in self.categories.items():
            bad = [r for r in spec.reveals if r not in special]
            if bad:
                raise FieldProblem(
                    ("categories", cid, "reveals"),
                    f"{', '.join(map(repr, bad))} is not a special category of this file "
                    f"(one of {', '.join(sorted(special))})",
                )
        return self


class RecipientCategory(Strict):
    """A kind of recipient: the policy's Swedish label, its English label (``en``) and the words registers use.

    Both labels are required: a finding shows the one of the report's language.
    """

    label: Text
    en: Text
    synonyms: list[Text] = []


class RecipientCategoriesFile(ReferenceFile):
    """``recipient_categories.yaml``."""

    categories: dict[str, RecipientCategory]


# --- durations.yaml and anchors.yaml -------------------------------------------------------------


class DurationsFile(ReferenceFile):
    """``durations.yaml``: the words retention statements are parsed with."""

    units: dict[Unit, Words]
    number_words: dict[str, Count]
    anchors: dict[str, Words]
    relative: Words
    default_anchor: str
    vague: Words
    per_contract: Words
    abbreviations: list[Text]

    @model_validator(mode="after")
    def _default_anchor_is_an_anchor(self) -> DurationsFile:
        """A period without a named anchor counts from ``default_anchor``, so it must be one."""
        if self.default_anchor not in self.anchors:
            raise FieldProblem(
                ("default_anchor",), f"{self.default_anchor!r} is not one of the anchors ({', '.join(self.anchors)})"
            )
        return self


class AnchorSpec(Strict):
    """What a blank anchor date means in a record extract, and how the report names it."""

    label: Text
    words: Text
    blank: Literal["ongoing", "missing"]
    stand_in: str | None = None


UnitWords = dict[Unit, Annotated[list[Text], Field(min_length=2, max_length=2)]]
"""Per ISO 8601 designator, the unit's [singular, plural] word."""


def _template_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class RuleWords(Strict):
    """A retention rule's words in one more report language (``anchors.yaml`` ``languages.<lang>``)."""

    labels: dict[str, Text]
    separator: str
    units: UnitWords
    kinds: dict[str, Text]


class AnchorsFile(ReferenceFile):
    """``anchors.yaml``: the record-extract date columns retention rules count from.

    That every anchor of ``durations.yaml`` is listed is checked where both
    files are used together (:func:`audit.reference.retention_periods.anchor_book`),
    and so is that ``languages`` holds every report language but English
    (the report languages are :mod:`audit.reference.i18n`'s, which imports this module).
    """

    anchors: dict[str, AnchorSpec]
    year_end_anchor: str
    separator: str
    units: UnitWords
    kinds: dict[str, Text]
    languages: dict[str, RuleWords]

    @model_validator(mode="after")
    def _references_resolve(self) -> AnchorsFile:
        """Stand-ins and the year-end anchor must be anchors; units and kind templates must be complete."""
        for name, spec in self.anchors.items():
            if spec.stand_in is not None and spec.stand_in not in self.anchors:
                raise FieldProblem(("anchors", name, "stand_in"), f"{spec.stand_in!r} is not an anchor")
        if self.year_end_anchor not in self.anchors:
            raise FieldProblem(("year_end_anchor",), f"{self.year_end_anchor!r} is not an anchor")
        absent = [u for u in UNITS if u not in self.units]
        if absent:
            raise FieldProblem(("units",), f"missing {', '.join(absent)} (give [singular, plural] for H, D, W, M, Y)")
        absent = [k for k in (*KINDS, "period_year_end") if k not in self.kinds]
        if absent:
            raise FieldProblem(("kinds",), f"missing {', '.join(absent)}")
        for lang, words in self.languages.items():
            self._check_language(lang, words)
        return self

    def _check_language(self, lang: str, words: RuleWords) -> None:
        """A language block names the same anchors, units and kinds as English, each template with its fields.

        A rule in a Swedish report must never fall back to an English word or
        fail on a missing ``{field}`` half-way through an audit.
        """
        where = ("languages", lang)
        for key, have, want in (
            ("labels", words.labels, self.anchors),
            ("units", words.units, self.units),
            ("kinds", words.kinds, self.kinds),
        ):
            missing, extra = [k for k in want if k not in have], [k for k in have if k not in want]
            if missing or extra:
                said = [f"missing {', '.join(missing)}"] * bool(missing) + [f"unknown {', '.join(extra)}"] * bool(extra)
                raise FieldProblem((*where, key), "; ".join(said))
        for kind, template in words.kinds.items():
            if _template_fields(template) != _template_fields(self.kinds[kind]):
                raise FieldProblem(
                    (*where, "kinds", kind), f"fields {sorted(_template_fields(template))} differ from the English ones"
                )


# --- countries.yaml and adequacy.yaml ------------------------------------------------------------


class CountriesFile(ReferenceFile):
    """``countries.yaml``: what pycountry does not know.

    EU/EEA membership, international organisations, and the aliases that
    neither pycountry's English names nor its Swedish translations cover
    ("UK", "Holland", "Förenta staterna").
    """

    eu: Annotated[list[Alpha2], Field(min_length=1)]
    eea_extra: list[Alpha2]
    organisations: dict[str, Annotated[list[Text], Field(min_length=1)]]
    aliases: dict[Text, Alpha2]


class AdequacyDecision(Strict):
    """One decision period; ``valid_until`` absent means still in force."""

    country: str
    name: Text
    valid_from: dt.date
    valid_until: dt.date | None = None
    scope: Text
    dpf_only: bool = False
    decision: str = ""
    notes: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> AdequacyDecision:
        """A period that ends before it starts would never (or always) credit a transfer."""
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise FieldProblem(("valid_until",), f"{self.valid_until} is before valid_from {self.valid_from}")
        return self


class AdequacyFile(ReferenceFile):
    """``adequacy.yaml``: the Commission's adequacy decisions with their validity periods.

    Whether ``country`` is an ISO code or an organisation of
    ``countries.yaml`` is checked by :mod:`audit.reference.countries`, which
    reads both files.
    """

    decisions: Annotated[list[AdequacyDecision], Field(min_length=1)]


# --- art13.yaml and art9.yaml --------------------------------------------------------------------


class Art13Item(Strict):
    """One Art. 13 information item and the patterns that show a policy covers it."""

    article: Text
    text: Text
    all_of: list[Pattern] = []
    applies_if_basis: str | None = None
    checked_by: str | None = None
    missing: Text | None = None
    nearest: Text | None = None

    @model_validator(mode="after")
    def _checkable(self) -> Art13Item:
        """An item POL-01 judges itself needs patterns and a finding text."""
        if self.checked_by is None:
            if not self.all_of:
                raise FieldProblem(("all_of",), "give at least one pattern (or checked_by: RULE)")
            if self.missing is None:
                raise FieldProblem(("missing",), "give the finding's text (or checked_by: RULE)")
        return self


class Art13File(ReferenceFile):
    """``art13.yaml``: the Art. 13 checklist of POL-01."""

    items: dict[str, Art13Item]


class Art9File(ReferenceFile):
    """``art9.yaml``: how a policy states an Art. 9(2) condition (POL-04)."""

    conditions: Annotated[dict[str, Pattern], Field(min_length=1)]


REFERENCE_MODELS: dict[str, type[ReferenceFile]] = {
    "adequacy": AdequacyFile,
    "anchors": AnchorsFile,
    "art13": Art13File,
    "art9": Art9File,
    "countries": CountriesFile,
    "data_categories": DataCategoriesFile,
    "durations": DurationsFile,
    "recipient_categories": RecipientCategoriesFile,
    "settings": SettingsFile,
    "vocabularies": VocabulariesFile,
}
"""The model of each reference file; :func:`audit.reference.datafiles.reference` validates with it."""
