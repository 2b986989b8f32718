"""The report's language: labels and sentences from catalogues in ``data/reference/messages/``.

Every word the workbook, the charts, the notebooks and the command line's
summary show comes from a catalogue file ``data/reference/messages/<name>.yaml``
(``source`` and ``date`` at the top, then ``messages``: key -> one text per
language), so a translation is a data edit and a missing translation fails at
load time, naming the file and the key. Keys are ``<file name>.<key>``
(``common.severity.high``, ``report.sheet.findings``). Texts are Python format
templates over named fields.

Numbers inside sentences follow the language's conventions through Babel
(``1 234,5`` in Swedish, ``1,234.5`` in English); dates are ISO 8601 in both,
which is also the Swedish standard (SS-ISO 8601). Cells of the workbook hold
real numbers and dates, so Excel and LibreOffice show them in the reader's
own locale.

The finding sentences are not here: they are templates in the rule catalogue
(``rules.yaml`` and its Swedish twin), filled from the facts a rule returns.
"""

from __future__ import annotations

import datetime as dt
import string
from functools import cache
from pathlib import Path
from typing import Annotated

from babel import Locale
from babel.numbers import format_decimal, format_percent
from pydantic import AfterValidator, Field, model_validator

from audit.errors import ReferenceDataError
from audit.paths import REFERENCE_DIR
from audit.reference.datafiles import display_path, load_yaml, validate
from audit.reference.schemas import FieldProblem, ReferenceFile, Text

LANGUAGES = ("en", "sv")
"""The report languages; every catalogue entry has a text for each."""
LOCALES = {"en": "en_GB", "sv": "sv_SE"}
"""The Babel locale of each language (British English: day-month order, ISO dates in the workbook anyway)."""
MESSAGES_DIR = REFERENCE_DIR / "messages"


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"not a report language: {value!r} (one of {', '.join(LANGUAGES)})")
    return value


Language = Annotated[str, AfterValidator(_language)]
Entry = Annotated[dict[Language, Text], Field(min_length=1)]


class MessagesFile(ReferenceFile):
    """A catalogue file: ``messages`` maps a key to its text in every language."""

    messages: dict[str, Entry]

    @model_validator(mode="after")
    def _every_language(self) -> MessagesFile:
        for key, entry in self.messages.items():
            missing = [lang for lang in LANGUAGES if lang not in entry]
            if missing:
                raise FieldProblem(("messages", key), f"no text in {', '.join(missing)}")
            fields = {lang: _fields(text) for lang, text in entry.items()}
            if len({frozenset(f) for f in fields.values()}) > 1:
                raise FieldProblem(("messages", key), f"the languages name different fields: {fields}")
        return self


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message of every catalogue file, keyed ``<file>.<key>`` (read and validated once)."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES_DIR.glob("*.yaml")):
        data = validate(MessagesFile, load_yaml(path), path)
        for key, entry in data.messages.items():
            out[f"{path.stem}.{key}"] = dict(entry)
    return out


def check_language(lang: str) -> str:
    """``lang`` if it is a report language, else a one-line error naming the choices."""
    if lang not in LANGUAGES:
        raise ReferenceDataError(f"report language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def has_text(key: str) -> bool:
    """Whether the catalogues hold ``key``."""
    return key in catalogue()


def text(key: str, lang: str, **fields: object) -> str:
    """The text of ``key`` in ``lang``, its ``{fields}`` filled.

    Raises
    ------
    ReferenceDataError
        When no catalogue holds ``key`` (a code edit that forgot the
        catalogue) or a field is missing, naming the key.
    """
    entry = catalogue().get(key)
    if entry is None:
        raise ReferenceDataError(f"{display_path(MESSAGES_DIR)}: no message {key!r}")
    template = entry[check_language(lang)]
    try:
        return template.format(**fields) if fields or "{" in template else template
    except (KeyError, IndexError) as exc:
        raise ReferenceDataError(f"{display_path(MESSAGES_DIR)}: message {key!r} needs field {exc}") from None


def label(group: str, code: object, lang: str) -> str:
    """The label of ``code`` in a vocabulary ``group`` (``common.severity``, ``common.column``...).

    A code the catalogue does not know is shown as it is: a DPO's own status
    choice, an input header or a custom column keeps its own wording.
    """
    key = f"{group}.{code}"
    return text(key, lang) if key in catalogue() else str(code)


def labels(group: str, lang: str) -> dict[str, str]:
    """Every code of ``group`` with its label in ``lang``."""
    prefix = f"{group}."
    return {k[len(prefix) :]: v[check_language(lang)] for k, v in catalogue().items() if k.startswith(prefix)}


def code_for(group: str, shown: object) -> str | None:
    """The code whose label in any language is ``shown`` (or ``shown`` itself when it is a code).

    Reading back a workbook written in another language: ``accepterad risk``
    and ``accepted risk`` are the same status.
    """
    if shown is None:
        return None
    wanted = str(shown).strip().casefold()
    prefix = f"{group}."
    for key, entry in catalogue().items():
        if not key.startswith(prefix):
            continue
        code = key[len(prefix) :]
        if wanted == code.casefold() or any(wanted == t.casefold() for t in entry.values()):
            return code
    return None


def number(value: float | int, lang: str, decimals: int | None = None) -> str:
    """``value`` as a reader of ``lang`` writes it in a sentence (``12 345`` / ``12,345``).

    ``decimals``: fixed number of decimals; default as many as needed, whole numbers without any.
    """
    locale = LOCALES[check_language(lang)]
    if decimals is None:
        if float(value).is_integer():
            return format_decimal(int(value), locale=locale)
        return format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


def percent(share: float, lang: str, decimals: int = 0) -> str:
    """A share (0.25) as a percentage in ``lang`` (``25 %`` / ``25%``)."""
    locale = LOCALES[check_language(lang)]
    pattern = Locale.parse(locale).percent_formats[None].pattern  # "#,##0 %" in Swedish, "#,##0%" in English
    if decimals:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return format_percent(share, format=pattern, locale=locale)


def date_text(value: dt.date | None) -> str:
    """A date in a sentence: ISO 8601 in every language (the Swedish standard, and unambiguous in English)."""
    return "" if value is None else value.isoformat()


def yes_no(value: object, lang: str) -> str | None:
    """``ja``/``nej`` or ``yes``/``no`` for a boolean; ``None`` for a missing value."""
    if value is None or value != value:  # NaN / NA
        return None
    return text("common.yes" if bool(value) else "common.no", lang)


def catalogue_files() -> list[Path]:
    """The catalogue files, for the docs and the tests."""
    return sorted(MESSAGES_DIR.glob("*.yaml"))
