"""One organisation, however each sheet writes its name: matching names to the Vendors sheet.

A register lists "Microsoft" as a recipient, the inventory's system row says
"Microsoft 365", the Vendors sheet "Microsoft Ireland Operations Ltd". The
rules join the sheets on the vendor's name, so the loader resolves every
name that refers to a vendor (a system's ``vendor``, a register entry's
``recipients``, a disclosure's ``recipient``) to the name the Vendors sheet
gives it, once, here (:func:`audit.inputs.validate.check_vendor_refs`). In
order, the first step that finds a vendor decides:

1. ``exact``: the names are equal folded (case, punctuation, spaces), or the
   name is one of the vendor's own ``aliases`` (an optional Vendors column);
2. ``normalised``: equal once the legal form at the end is removed ("AB",
   "Ltd", "GmbH & Co. KG") and a known brand at the start is read as its
   group's name ("AWS" is "Amazon Web Services"), both from
   ``data/reference/vendor_aliases.yaml``;
3. ``leading``: one name is the other's leading words ("Microsoft" and
   "Microsoft Ireland Operations"). Accepted only when exactly one vendor
   fits, and listed as an input issue so the DPO can confirm it.

When a step finds two or more vendors the name is ``ambiguous``: the loader
reports it and leaves the name as written, never guessing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pandas as pd
from pydantic import Field, model_validator

from audit.paths import REFERENCE_DIR
from audit.reference.datafiles import load_yaml, validate
from audit.reference.schemas import FieldProblem, ReferenceFile, Text, Words
from audit.reference.vocab import fold

ALIASES_FILE = REFERENCE_DIR / "vendor_aliases.yaml"
How = Literal["exact", "normalised", "leading", "ambiguous", "none"]
Tokens = tuple[str, ...]
#: How many vendors an ambiguous name's issue lists at most (enough to see why; the search stops there).
MAX_CANDIDATES = 5


class VendorAliasesFile(ReferenceFile):
    """``vendor_aliases.yaml``: legal-form words removed from the end of names, and brand names of groups."""

    legal_forms: Words
    brands: dict[Text, Words] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_group_per_brand(self) -> VendorAliasesFile:
        """A brand written under two groups would make every name starting with it ambiguous."""
        seen: dict[str, str] = {}
        for group, names in self.brands.items():
            for name in names:
                key = fold(name)
                if not key:
                    raise FieldProblem(("brands", group), f"{name!r} has no letters or digits")
                if seen.get(key, group) != group:
                    raise FieldProblem(("brands", group), f"{name!r} is also listed for {seen[key]!r}")
                seen[key] = group
        return self


@cache
def vendor_aliases() -> VendorAliasesFile:
    """The bundled ``vendor_aliases.yaml``, validated once per process.

    Raises
    ------
    ReferenceDataError
        One line naming the file and the key that is wrong.
    """
    return validate(VendorAliasesFile, load_yaml(ALIASES_FILE), ALIASES_FILE)


@cache
def _legal_forms() -> dict[str, tuple[Tokens, ...]]:
    """The legal forms as folded word tuples, by their last word, longest first (so "pvt ltd" before "ltd")."""
    forms = {tuple(fold(f).split()) for f in vendor_aliases().legal_forms}
    by_last: dict[str, list[Tokens]] = {}
    for form in sorted((f for f in forms if f), key=len, reverse=True):
        by_last.setdefault(form[-1], []).append(form)
    return {last: tuple(found) for last, found in by_last.items()}


@cache
def _brands() -> tuple[tuple[Tokens, Tokens], ...]:
    """(brand words, group words) pairs, longest brand first."""
    pairs = {
        (tuple(fold(name).split()), tuple(fold(group).split()))
        for group, names in vendor_aliases().brands.items()
        for name in names
    }
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


def _strip_legal_forms(words: Tokens) -> Tokens:
    """``words`` without the legal forms at their end ("carasent norge as" -> "carasent norge"); never empty."""
    forms = _legal_forms()
    while True:
        form = next((f for f in forms.get(words[-1], ()) if len(words) > len(f) and words[-len(f) :] == f), None)
        if form is None:
            return words
        words = words[: -len(form)]


def _read_brand(words: Tokens) -> Tokens:
    """``words`` with a known brand at their start read as its group's name ("aws emea" -> "amazon web services emea")."""
    for brand, group in _brands():
        if words[: len(brand)] == brand:
            return group + words[len(brand) :]
    return words


def name_key(name: object) -> Tokens:
    """The words a vendor name is compared by: folded, legal form removed, brand read as its group."""
    return _folded_key(fold(name))


def _folded_key(folded: str) -> Tokens:
    words = tuple(folded.split())
    return _read_brand(_strip_legal_forms(words)) if words else ()


def _leads(short: Tokens, long: Tokens) -> bool:
    return len(short) <= len(long) and long[: len(short)] == short


@dataclass(frozen=True)
class Match:
    """How one name was resolved: the vendor (the Vendors sheet's name, ``None`` unless matched) and how.

    ``candidates`` are the vendors that fitted (several when ``ambiguous``).
    """

    vendor: str | None
    how: How
    candidates: tuple[str, ...] = ()


class VendorIndex:
    """The vendors of one Vendors sheet, by every name they may be written as.

    Parameters
    ----------
    names
        The Vendors sheet's ``vendor`` column (blank names are skipped; of
        names equal folded, the first row's stands for all).
    aliases
        The optional ``aliases`` column, aligned with ``names`` (lists of names).
    """

    def __init__(self, names: pd.Series, aliases: pd.Series | None = None) -> None:
        alias_lists = aliases if aliases is not None else pd.Series([[]] * len(names), index=names.index)
        self._exact: dict[str, set[str]] = {}
        self._keys: dict[Tokens, set[str]] = {}
        seen: set[str] = set()
        for vendor, extra in zip(names, alias_lists, strict=True):
            # A repeated name (folded) is the loader's "duplicate vendor" issue; the first row stands for it.
            folded_name = fold(vendor) if isinstance(vendor, str) else ""
            if not folded_name or folded_name in seen:
                continue
            seen.add(folded_name)
            for folded in (folded_name, *(fold(a) for a in _as_names(extra))):
                self._exact.setdefault(folded, set()).add(vendor)
                key = _folded_key(folded)
                if key:
                    self._keys.setdefault(key, set()).add(vendor)
        # Sorted, the keys that a name's words lead are one run: found by bisection, not by a scan.
        self._sorted: list[Tokens] = sorted(self._keys)

    def match(self, name: object) -> Match:
        """The vendor ``name`` means, by the first of the steps in the module docstring that finds one."""
        folded = fold(name)
        if not folded:
            return Match(None, "none")
        key = _folded_key(folded)
        steps: list[tuple[How, Iterable[str]]] = [
            ("exact", self._exact.get(folded, ())),
            ("normalised", self._keys.get(key, ())),
            ("leading", self._leading(key)),
        ]
        for how, found in steps:
            candidates = tuple(sorted(set(found)))
            if len(candidates) == 1:
                return Match(candidates[0], how, candidates)
            if candidates:
                return Match(None, "ambiguous", candidates)
        return Match(None, "none")

    def _leading(self, key: Tokens) -> set[str]:
        """Vendors whose key ``key`` leads, or that lead ``key`` (at most :data:`MAX_CANDIDATES` of the second kind).

        The keys that lead ``key`` are its own leading words, looked up; the
        keys it leads are the run that follows it in sorted order, found by
        bisection, so a sheet of many similar names is never scanned.
        """
        found: set[str] = set()
        for i in range(1, len(key)):
            found |= self._keys.get(key[:i], set())
        i = bisect.bisect_left(self._sorted, key)
        while i < len(self._sorted) and len(found) < MAX_CANDIDATES and _leads(key, self._sorted[i]):
            found |= self._keys[self._sorted[i]]
            i += 1
        return found

    def resolve(self, values: pd.Series) -> pd.DataFrame:
        """:meth:`match` for every distinct value of ``values``, as columns ``vendor``, ``how``, ``candidates``.

        Indexed like ``values``; blank values are ``none``. Each distinct name
        is matched once, so a long column costs as much as its distinct names.
        """
        distinct = {v: self.match(v) for v in pd.unique(values.dropna())}
        matches = values.map(distinct)
        none = Match(None, "none")
        matches = matches.where(matches.notna(), pd.Series([none] * len(values), index=values.index, dtype=object))
        return pd.DataFrame(
            {
                "vendor": matches.map(lambda m: m.vendor).astype(object),
                "how": matches.map(lambda m: m.how),
                "candidates": matches.map(lambda m: m.candidates),
            },
            index=values.index,
        )


def _as_names(value: object) -> list[str]:
    """An aliases cell as a list of names (the loader gives a list; a hand-made frame may give text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []
