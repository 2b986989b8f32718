"""The words the policy parser reads any policy with (``data/reference/policy_vocabulary.yaml``).

The parser finds a section by what its heading is about, a field by its
label and a promise by its words; all those words are data, in Swedish and
English, so a new phrasing or a new language is a data change and no
organisation's policy is written into the code.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import model_validator

from audit.paths import REFERENCE_DIR
from audit.reference.datafiles import display_path, load_yaml, validate
from audit.reference.schemas import FieldProblem, Pattern, ReferenceFile, Strict, Text
from audit.reference.vocab import fold

VOCABULARY_FILE = REFERENCE_DIR / "policy_vocabulary.yaml"
FIELDS = ("data_categories", "purpose", "legal_basis", "recipients", "retention")
TOPICS = ("retention", "transfers", "sharing", "rights", "security", "contact", "version", "activities")
ROLES = ("group_company", "processor", "authority")


class Language(Strict):
    """Words that tell a text's language."""

    markers: list[Text]


class PolicyVocabulary(ReferenceFile):
    """``policy_vocabulary.yaml``."""

    languages: dict[str, Language]
    fields: dict[str, dict[str, list[Text]]]
    title_labels: dict[str, list[Text]]
    purpose_markers: dict[str, list[Text]]
    topics: dict[str, list[Text]]
    contacts: dict[str, list[Text]]
    contact_labels: dict[str, list[Text]]
    controller_sentences: list[Pattern]
    phases: dict[str, list[Text]]
    interest_patterns: list[Pattern]
    interest_examples: list[Text]
    sharing_roles: dict[str, list[Text]]
    sharing_purpose: list[Text]
    company_forms: list[Text]
    security: dict[str, list[Text]]
    request_deadline: list[Text]
    clauses: dict[str, list[Text]]

    @model_validator(mode="after")
    def _complete(self) -> PolicyVocabulary:
        """Every field in every language, every topic and role: a missing one would never be recognised."""
        for name in FIELDS:
            if name not in self.fields:
                raise FieldProblem(("fields", name), "required key is missing")
            for lang in self.languages:
                if not self.fields[name].get(lang):
                    raise FieldProblem(("fields", name, lang), "needs at least one label")
        for name in TOPICS:
            if name not in self.topics:
                raise FieldProblem(("topics", name), "required key is missing")
        for name in ROLES:
            if name not in self.sharing_roles:
                raise FieldProblem(("sharing_roles", name), "required key is missing")
        for name in ("controller", "dpo"):
            if name not in self.contacts:
                raise FieldProblem(("contacts", name), "required key is missing")
        return self


@cache
def policy_vocabulary() -> PolicyVocabulary:
    """The validated vocabulary (read once)."""
    return validate(PolicyVocabulary, load_yaml(VOCABULARY_FILE), display_path(VOCABULARY_FILE))


def phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    """A pattern over folded text matching any phrase as whole words; ``*`` at an end allows more letters there."""
    alts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        lead, tail = phrase.startswith("*"), phrase.endswith("*")
        body = re.escape(fold(phrase.strip("*")))
        alts.append(("\\w*" if lead else "(?<!\\w)") + body + ("\\w*" if tail else "(?!\\w)"))
    return re.compile("|".join(alts) or "(?!)")


@cache
def _compiled(key: str) -> re.Pattern[str]:
    return phrase_pattern(key_phrases(key))


def key_phrases(key: str) -> list[str]:
    """The phrases of a ``section.name`` key (``topics.sharing``, ``security.backup``, ``clauses.identity``)."""
    section, _, name = key.partition(".")
    table = getattr(policy_vocabulary(), section)
    if not name:
        return list(table)
    value = table[name]
    return list(value) if isinstance(value, list) else [p for phrases in value.values() for p in phrases]


def has_phrase(key: str, text: str) -> bool:
    """Whether ``text`` holds one of the phrases of ``key`` (see :func:`key_phrases`)."""
    return _compiled(key).search(fold(text)) is not None


def field_labels(language: str | None = None) -> dict[str, str]:
    """Folded label -> field, over one language or all (a Swedish policy may still say "Purpose")."""
    vocab = policy_vocabulary()
    out: dict[str, str] = {}
    for name, by_lang in vocab.fields.items():
        for lang, labels in by_lang.items():
            if language is None or lang == language:
                for label in labels:
                    out.setdefault(fold(label), name)
    return out


def title_labels() -> set[str]:
    """Folded labels of a title column, over all languages."""
    return {fold(label) for labels in policy_vocabulary().title_labels.values() for label in labels}


def field_label(name: str, language: str | None) -> str:
    """The label a finding quotes a field with: the first one of the policy's language (Swedish when unknown)."""
    by_lang = policy_vocabulary().fields[name]
    return by_lang.get(language or "sv", next(iter(by_lang.values())))[0]


def detect_language(text: str) -> str:
    """The language whose marker words occur most often in ``text`` (the first language on a tie)."""
    words = fold(text).split()
    counts = {
        lang: sum(words.count(fold(m)) for m in spec.markers) for lang, spec in policy_vocabulary().languages.items()
    }
    return max(counts, key=lambda lang: counts[lang])
