"""The rule catalogue (``data/reference/rules.yaml``) as validated, typed data.

The catalogue is the one registry of the audit: every rule's wording
(title, subject format, detail sentences, recommendation, article), the
function that finds its facts, the tables behind the workbook sheets and
CSVs, and the charts. Code holds the logic only; which rules exist, what a
finding says and which sheet or file shows what are data, so adding a rule
or rewording a finding (or translating it) never means editing several
modules by hand.

Functions are named as ``"package.module:function"`` strings and imported by
the layer that runs them (:mod:`audit.rules.registry`,
:mod:`audit.report`), so this module never imports upwards.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from audit.errors import ReferenceDataError
from audit.paths import REFERENCE_DIR
from audit.reference.datafiles import display_path, load_yaml, validate
from audit.reference.i18n import LANGUAGES

CATALOGUE_FILE = REFERENCE_DIR / "rules.yaml"
RULE_ID = re.compile(r"^[A-Z]{3}-\d{2}$")
FUNCTION = r"^[a-z_][\w.]*:[A-Za-z_]\w*$"
#: The parts of a policy model a rule may need: its optional top-level keys, ``version``, ``clause:<key>``.
POLICY_PARTS = (
    "version",
    "dpo",
    "group_companies",
    "sharing",
    "transfer_grounds",
    "request_deadline",
    "security_promises",
)
PART = r"^(clause:[a-z_]+|" + "|".join(POLICY_PARTS) + r")$"

Template = Annotated[str, Field(min_length=1)]
#: One sentence, or several keyed by the ``case`` a rule's facts name.
Wording = Template | dict[str, Template]


def template_fields(template: str) -> set[str]:
    """The facts a template reads (``{name}`` or ``{name:spec}``)."""
    return {name.split(".")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _wordings(value: str | dict[str, str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value.values())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleWords(_Strict):
    """What a finding of one rule says in one language: title, detail, recommendation, article, phrases.

    The English words sit in the rule's entry of ``rules.yaml`` (a
    :class:`RuleSpec` is also a ``RuleWords``); every other report language
    has its own file beside it (``rules.sv.yaml``) holding only these words,
    so a translator edits one file and never touches a subject format, a
    check or a severity.
    """

    title: Template
    detail: Wording
    recommendation: Wording
    article: Template
    phrases: dict[str, Template] = Field(default_factory=dict)

    def wording(self, kind: str, case: str | None) -> str:
        """The ``detail`` or ``recommendation`` template for ``case`` (``default`` when a rule has one)."""
        value = self.detail if kind == "detail" else self.recommendation
        if isinstance(value, str):
            return value
        key = case if case in value else "default"
        if key not in value:
            raise ReferenceDataError(f"{CATALOGUE_FILE}: {kind} has no case {case!r} and no default")
        return value[key]

    def templates(self) -> dict[str, str]:
        """Every template of the words, keyed ``detail``, ``detail.<case>``, ``phrases.<key>``..."""
        out = {"title": self.title, "article": self.article}
        for kind in ("detail", "recommendation"):
            value = getattr(self, kind)
            out.update({kind: value} if isinstance(value, str) else {f"{kind}.{c}": t for c, t in value.items()})
        out.update({f"phrases.{k}": t for k, t in self.phrases.items()})
        return out


class RuleSpec(RuleWords):
    """One rule: the function that finds its facts, and everything a finding of it says.

    ``subject`` is a template over the facts (``"{activity_id}:{system_id}"``);
    ``finding_id`` hashes rule + subject, so a subject format is a promise to
    the DPO whose comments follow a finding from run to run. ``detail`` and
    ``recommendation`` are a template each, or one per ``case`` when a rule
    words different situations differently. ``phrases`` are the pieces a
    ``{field:phrase}`` placeholder renders (a fact holding phrase keys, or a
    list of them joined with ``"; "``).
    """

    check: Annotated[str, Field(pattern=FUNCTION)]
    severity: Literal["high", "medium", "low", "info"]
    subject: Template
    subject_example: str = ""
    needs: list[Annotated[str, Field(pattern=PART)]] = Field(default_factory=list)

    def fields(self) -> set[str]:
        """Every fact any of this rule's templates reads."""
        texts = [self.subject, *_wordings(self.detail), *_wordings(self.recommendation), *self.phrases.values()]
        return set().union(*(template_fields(t) for t in texts))


class TableSpec(_Strict):
    """A table the rules build, shown as a workbook sheet and (optionally) written as a CSV."""

    build: Annotated[str, Field(pattern=FUNCTION)]
    sheet: Template
    csv: str | None = None
    doc: str = ""


class ChartSpec(_Strict):
    """A report chart: the function that draws it and the PNG it is saved as."""

    draw: Annotated[str, Field(pattern=FUNCTION)]
    inputs: list[str]
    file: Annotated[str, Field(pattern=r"^[\w.-]+\.png$")]


class NotRun(_Strict):
    """The info finding of a rule that could not run: ``rule`` and ``reasons`` (the ``policy_parts`` sentences)."""

    detail: Template
    recommendation: Template

    @model_validator(mode="after")
    def _fields(self) -> NotRun:
        unknown = sorted((template_fields(self.detail) | template_fields(self.recommendation)) - {"rule", "reasons"})
        if unknown:
            raise ValueError(f"not_run templates may name only rule and reasons, not {', '.join(unknown)}")
        return self


class Catalogue(_Strict):
    """The whole of ``rules.yaml``."""

    source: str
    date: Any
    areas: dict[str, Template]
    policy_parts: dict[Annotated[str, Field(pattern=PART)], Template] = Field(default_factory=dict)
    not_run: NotRun
    rules: dict[str, RuleSpec]
    tables: dict[str, TableSpec]
    charts: dict[str, ChartSpec]

    @field_validator("rules")
    @classmethod
    def _rule_ids(cls, rules: dict[str, RuleSpec]) -> dict[str, RuleSpec]:
        bad = [rid for rid in rules if not RULE_ID.match(rid)]
        if bad:
            raise ValueError(f"rule ids must look like REG-01: {', '.join(bad)}")
        return rules

    @model_validator(mode="after")
    def _areas_known(self) -> Catalogue:
        unknown = sorted({rid.split("-")[0] for rid in self.rules} - set(self.areas))
        if unknown:
            raise ValueError(f"rules of unknown area(s) {', '.join(unknown)}; add them under areas")
        for rid, spec in self.rules.items():
            unworded = [part for part in spec.needs if part not in self.policy_parts]
            if unworded:
                raise ValueError(f"{rid} needs {', '.join(unworded)}, which policy_parts does not word")
        sheets = [t.sheet for t in self.tables.values()]
        if len(set(sheets)) != len(sheets):
            raise ValueError("two tables share a sheet name")
        return self

    def area(self, rule_id: str) -> str:
        """The report area (``Register``, ``Transfers``, ...) of ``rule_id``."""
        return self.areas[rule_id.split("-")[0]]


class Translation(_Strict):
    """A report language's words for the whole catalogue (``rules.<lang>.yaml``).

    Only what a reader sees: each rule's :class:`RuleWords`, the
    ``policy_parts`` reasons and the ``not_run`` sentences. Ids, subjects,
    checks and severities stay in ``rules.yaml``, the same in every language,
    so a finding's id never depends on the report's language.
    """

    source: str
    date: Any
    policy_parts: dict[Annotated[str, Field(pattern=PART)], Template]
    not_run: NotRun
    rules: dict[str, RuleWords]


def _translation_problem(base: Catalogue, words: Translation) -> str | None:
    """The first way ``words`` does not match the English catalogue ``base``, as ``<rule>: <key>: <problem>``.

    A translated template may name only the facts its English twin names
    (the facts a rule returns are the English template's fields), and must
    word the same cases and phrases, so every finding fills in every language.
    """
    for part in sorted(set(base.policy_parts) ^ set(words.policy_parts)):
        where = "missing" if part in base.policy_parts else "not in rules.yaml"
        return f"policy_parts: {part}: {where}"
    for rid, spec in base.rules.items():
        if rid not in words.rules:
            return f"{rid}: no translation"
        english, other = spec.templates(), words.rules[rid].templates()
        for key in sorted(set(english) ^ set(other)):
            return f"{rid}: {key}: {'missing' if key in english else 'not in rules.yaml'}"
        for key, template in other.items():
            extra = sorted(template_fields(template) - template_fields(english[key]))
            if extra:
                return f"{rid}: {key}: names {', '.join(extra)}, which the English template does not"
    for rid in sorted(set(words.rules) - set(base.rules)):
        return f"{rid}: not a rule of rules.yaml"
    return None


def translation_file(lang: str) -> Path:
    """The catalogue of ``lang``'s words (``rules.sv.yaml``)."""
    return CATALOGUE_FILE.with_name(f"{CATALOGUE_FILE.stem}.{lang}.yaml")


def load_translation(path: Path, base: Catalogue) -> Translation:
    """Read a translation file and check it words every rule of ``base`` with the same facts.

    Raises
    ------
    ReferenceDataError
        One line naming the file, the rule and the key that is wrong.
    """
    words = validate(Translation, load_yaml(path), path)
    problem = _translation_problem(base, words)
    if problem:
        raise ReferenceDataError(f"{display_path(path)}: {problem}")
    return words


_TRANSLATIONS: dict[str, Translation] = {}


def translation(lang: str) -> Translation:
    """The bundled words of report language ``lang`` other than English (validated with the catalogue)."""
    catalogue()
    if lang not in _TRANSLATIONS:
        raise ReferenceDataError(f"report language {lang!r}: no {translation_file(lang).name}")
    return _TRANSLATIONS[lang]


def rule_words(rule_id: str, lang: str = "en") -> RuleWords:
    """What a finding of ``rule_id`` says in ``lang`` (English from ``rules.yaml`` itself)."""
    return catalogue().rules[rule_id] if lang == "en" else translation(lang).rules[rule_id]


def not_run_words(lang: str = "en") -> tuple[NotRun, dict[str, str]]:
    """The ``not_run`` sentences and the ``policy_parts`` reasons in ``lang``."""
    if lang == "en":
        return catalogue().not_run, catalogue().policy_parts
    words = translation(lang)
    return words.not_run, words.policy_parts


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """Read and validate a rule catalogue file.

    Raises
    ------
    ReferenceDataError
        Naming the file and the key that is wrong.
    """
    return validate(Catalogue, load_yaml(path), path)


@cache
def catalogue() -> Catalogue:
    """The bundled rule catalogue and its translations, validated together once per process.

    Loading every translation with the catalogue means a rule added in
    English without its Swedish words fails the first run (and the tests),
    not the first Swedish report.
    """
    cat = load_catalogue()
    for lang in LANGUAGES:
        if lang != "en":
            _TRANSLATIONS[lang] = load_translation(translation_file(lang), cat)
    return cat
