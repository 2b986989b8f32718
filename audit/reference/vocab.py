"""Matching free text against the project's vocabularies and synonym lists.

Registers are typed by people, in English or Swedish, with varying case and
punctuation. Everything that maps words to a canonical id (legal bases,
roles, rights, data categories, recipient categories) goes through
:class:`Vocabulary`, so the folding rules are the same everywhere. The
files' shape is checked by their models (:mod:`audit.reference.schemas`);
what only a built vocabulary can see, a word listed for two ids, is
checked here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

import pandas as pd

from audit.errors import ReferenceDataError
from audit.reference.datafiles import load_reference
from audit.reference.schemas import DataCategoriesFile, DataCategory, RecipientCategoriesFile, VocabulariesFile

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: object) -> str:
    """Case-fold, normalise Unicode and turn punctuation runs into single spaces.

    ``"E-post"``, ``"e post"`` and ``" E-POST "`` all fold to ``"e post"``.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold().replace("_", " ")
    return _NON_WORD.sub(" ", s).strip()


class Vocabulary:
    """Map words to canonical ids.

    Parameters
    ----------
    mapping
        canonical id -> list of words meaning it. The id itself and (when
        ``labels`` is given) its label also count as words.
    name
        Used in error messages (the data file and key).
    labels
        Optional canonical id -> display label (the policy's Swedish word).
    translations
        Optional language -> (canonical id -> display label), e.g. ``{"en":
        {...}}``: a report in that language shows these labels instead of
        ``labels``. Their words count as words too.
    """

    def __init__(
        self,
        mapping: Mapping[str, Iterable[str]],
        name: str,
        labels: Mapping[str, str] | None = None,
        translations: Mapping[str, Mapping[str, str]] | None = None,
    ):
        self.name = name
        self.labels = dict(labels or {})
        self.translations = {lang: dict(table) for lang, table in (translations or {}).items()}
        self.ids = list(mapping)
        self._words: dict[str, str] = {}
        for cid, words in mapping.items():
            extra = [cid, self.labels.get(cid, ""), *(table.get(cid, "") for table in self.translations.values())]
            for word in [*extra, *(words or [])]:
                key = fold(word)
                if not key:
                    continue
                other = self._words.get(key)
                if other is not None and other != cid:
                    raise ReferenceDataError(f"{name}: {word!r} is listed for both {other} and {cid}")
                self._words[key] = cid
        # Longest phrases first, so "CRM transfer tool" wins over "CRM".
        phrases = sorted(self._words, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)") if phrases else None
        )

    def lookup(self, text: object) -> str | None:
        """The id whose word equals ``text`` after folding, else ``None``."""
        return self._words.get(fold(text))

    def find_all(self, text: object) -> list[str]:
        """Ids of every word that occurs in ``text`` as a whole phrase, in order, without repeats."""
        if self._pattern is None:
            return []
        found: list[str] = []
        for match in self._pattern.finditer(fold(text)):
            cid = self._words[match.group(1)]
            if cid not in found:
                found.append(cid)
        return found

    def match(self, text: object) -> str | None:
        """Exact lookup first, else the single id found inside ``text``; ``None`` when none or ambiguous."""
        exact = self.lookup(text)
        if exact is not None:
            return exact
        found = self.find_all(text)
        return found[0] if len(found) == 1 else None

    def map_series(self, values: pd.Series, method: str = "lookup") -> pd.Series:
        """Apply ``lookup`` or ``match`` to a Series, once per distinct value."""
        fn = self.lookup if method == "lookup" else self.match
        uniques = pd.unique(values.dropna())
        table = {v: fn(v) for v in uniques}
        out = values.map(table).astype("object")
        return out.where(out.notna(), None)

    def label(self, cid: str, lang: str | None = None) -> str:
        """Display label of ``cid`` in ``lang`` (the id itself when no label is known).

        ``lang=None``, or a language without its own labels (``"sv"``), gives
        ``labels``, the policy's Swedish words; ``"en"`` gives the English
        label, so an English report never names a category in Swedish.
        """
        table = self.translations.get(lang, self.labels) if lang else self.labels
        return table.get(cid, self.labels.get(cid, cid))


@cache
def vocabulary(name: str) -> Vocabulary:
    """A controlled vocabulary of ``vocabularies.yaml`` (``legal_basis``, ``right``, ...).

    Raises
    ------
    KeyError
        When ``vocabularies.yaml`` has no vocabulary ``name``.
    ReferenceDataError
        When the file does not fit its model, or a word means two ids.
    """
    words = load_reference("vocabularies", VocabulariesFile).words(name)
    return Vocabulary(words, name=f"data/reference/vocabularies.yaml: {name}")


def _data_categories() -> dict[str, DataCategory]:
    return load_reference("data_categories", DataCategoriesFile).categories


@cache
def data_categories() -> Vocabulary:
    """Kinds of personal data (``data_categories.yaml``), labelled in Swedish as the policy words them and in English."""
    cats = _data_categories()
    return Vocabulary(
        {cid: spec.synonyms for cid, spec in cats.items()},
        name="data/reference/data_categories.yaml: categories",
        labels={cid: spec.label for cid, spec in cats.items()},
        translations={"en": {cid: spec.en for cid, spec in cats.items()}},
    )


@cache
def recipient_categories() -> Vocabulary:
    """Kinds of recipients (``recipient_categories.yaml``), labelled with the policy's words and in English."""
    cats = load_reference("recipient_categories", RecipientCategoriesFile).categories
    return Vocabulary(
        {cid: spec.synonyms for cid, spec in cats.items()},
        name="data/reference/recipient_categories.yaml: categories",
        labels={cid: spec.label for cid, spec in cats.items()},
        translations={"en": {cid: spec.en for cid, spec in cats.items()}},
    )


def special_category_ids() -> set[str]:
    """Ids of the Art. 9(1) special categories."""
    return {cid for cid, spec in _data_categories().items() if spec.special}


def reveals() -> dict[str, list[str]]:
    """Data category id -> special categories it can reveal (e.g. food preferences -> health)."""
    return {cid: list(spec.reveals) for cid, spec in _data_categories().items() if spec.reveals}
