"""The input contract as data: which files, sheets and columns, and how headers are recognised.

The contract lives in ``data/reference/columns.yaml`` so a new alias (another
register template's wording) is a data change. This module loads it once,
checks it (known types, no alias meaning two columns of one sheet) and
answers the questions the readers ask: which canonical column is this
header, is it a column the contract knows but does not read, which known
header is closest to one it does not know, and which row of a sheet is the
header row.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import fuzz, process

from audit.paths import REFERENCE_DIR
from audit.reference.datafiles import load_yaml, validate
from audit.reference.vocab import fold

#: Column types of columns.yaml -> how a cell of that type is read (shown in docs/inputs.md).
TYPES = {
    "text": "free text",
    "id": "an identifier, kept as text exactly as written",
    "list": "several values in one cell, separated by `;`, `,` (when no `;`) or line breaks",
    "id_list": "a list of identifiers (e.g. `system_id`s of the inventory)",
    "date": "ISO `2025-03-01`, an Excel date cell, or Swedish/English `1 mars 2025`; `1/3/2025` only with `--date-order`",
    "yesno": "`yes/no/true/false/ja/nej/x/1/0`; blank = unknown (not no)",
    "number": "a number; blank = none",
    "country": "ISO 3166 alpha-2 or alpha-3 code, or an English or Swedish country name",
    "country_list": "a list of countries",
    "legal_basis_list": "a list of Art. 6 legal bases (see accepted values)",
    "vocab": "one of the accepted values listed below (English or Swedish)",
}
# How far down a sheet the header row is looked for: the official templates
# have a few title and instruction rows, never dozens.
HEADER_SEARCH_ROWS = 30

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")

CLOSEST_HEADER_SCORE = 70
"""Least :func:`rapidfuzz.fuzz.ratio` (0-100) between folded headers for a "closest known header" hint.

At 70 a typo (``recieved``), a plural (``lagringstider``) or one word more
or less (``gallring`` for ``gallring dagar``) is suggested; unrelated
headers (``kommentar`` against any column) score well below."""


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column of a sheet."""

    name: str
    type: str
    required: bool = False
    blank_ok: bool = False
    unique: bool = False
    vocabulary: str | None = None
    default: str | None = None
    aliases: tuple[str, ...] = ()
    doc: str = ""
    personal: bool = True
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class KeptColumn:
    """A column the contract recognises but the audit does not read (a note, a name): kept as it is, no issue."""

    name: str
    aliases: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of an input: its canonical name, other names, columns in contract order."""

    input: str
    name: str
    aliases: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    doc: str = ""
    kept: tuple[KeptColumn, ...] = ()

    @property
    def required(self) -> list[ColumnSpec]:
        """Columns whose absence stops the load."""
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        """The spec of canonical column ``name``."""
        return next(c for c in self.columns if c.name == name)

    def names(self) -> set[str]:
        """Folded sheet names that mean this sheet."""
        return {fold(n) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class InputSpec:
    """One input file (``activities``, ``inventory``, ...)."""

    name: str
    required: bool
    sheets: tuple[SheetSpec, ...]
    files: str = ""
    doc: str = ""


def header_keys(text: object) -> tuple[str, ...]:
    """The keys a header is matched by, most specific first: folded whole, then without words in parentheses.

    ``"Gallring (dagar)"`` is tried as ``gallring dagar`` (an alias of
    ``retention_days``) before ``gallring``; ``"Rättslig grund (art. 6)"``
    falls through to ``rättslig grund``.
    """
    whole, stripped = fold(text), header_key(text)
    return (whole, stripped) if whole != stripped else (whole,)


def header_key(text: object) -> str:
    """Fold a header for matching: drop words in parentheses or brackets, then case, spaces and punctuation.

    Templates annotate headers ("Lagringstid (år)", "Rättslig grund [art. 6]");
    the annotation must not stop the header from being recognised.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return fold(_PARENTHESES.sub(" ", str(text)))


class _ColumnModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal[tuple(sorted(TYPES))]  # type: ignore[valid-type]
    required: bool = False
    blank_ok: bool = False
    unique: bool = False
    vocabulary: str | None = None
    default: str | None = None
    aliases: list[str] = Field(default_factory=list)
    doc: str = ""
    personal: bool | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _vocab_named(self) -> _ColumnModel:
        if self.type == "vocab" and not self.vocabulary:
            raise ValueError("type vocab needs a vocabulary")
        if (self.min is not None or self.max is not None) and self.type != "number":
            raise ValueError("min and max are for type number")
        return self


class _KeptModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aliases: list[str] = Field(default_factory=list)
    doc: str = ""


class _SheetModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aliases: list[str] = Field(default_factory=list)
    doc: str = ""
    columns: dict[str, _ColumnModel]
    kept: dict[str, _KeptModel] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_meaning_per_header(self) -> _SheetModel:
        seen: dict[str, str] = {}
        named = [(name, col.aliases) for name, col in self.columns.items()]
        named += [(name, kept.aliases) for name, kept in self.kept.items()]
        for name, aliases in named:
            for word in (name, *aliases):
                key = header_key(word)
                if seen.get(key, name) != name:
                    raise ValueError(f"header {word!r} is listed for {seen[key]} and {name}")
                seen[key] = name
        return self


class _ValueKind(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    pattern: str
    typed_only: bool = False

    @model_validator(mode="after")
    def _compiles(self) -> _ValueKind:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"pattern {self.pattern!r} of {self.kind!r} is not a regular expression: {exc}") from None
        return self


class _InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    required: bool = False
    files: str = ""
    doc: str = ""
    sheets: dict[str, _SheetModel]


class _ColumnsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    date: Any
    quotable_types: dict[Literal[tuple(sorted(TYPES))], str]  # type: ignore[valid-type]
    value_kinds: list[_ValueKind]
    inputs: dict[str, _InputModel]

    @model_validator(mode="after")
    def _shapes_compile(self) -> _ColumnsFile:
        for kind, pattern in self.quotable_types.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"quotable_types: the shape of {kind} is not a regular expression: {exc}") from None
        return self

    @model_validator(mode="after")
    def _every_input(self) -> _ColumnsFile:
        missing = [n for n in ("activities", "inventory", "requests", "disclosures", "records") if n not in self.inputs]
        if missing:
            raise ValueError(f"input(s) {', '.join(missing)} not described")
        return self


@cache
def columns_file() -> _ColumnsFile:
    """``columns.yaml`` validated: known types, vocab columns name their list, no header meaning two columns.

    Raises
    ------
    ReferenceDataError
        One line naming the file and the key that is wrong.
    """
    path = REFERENCE_DIR / "columns.yaml"
    return validate(_ColumnsFile, load_yaml(path), path)


def _column_spec(name: str, raw: _ColumnModel, quotable: set[str]) -> ColumnSpec:
    """A column's spec; ``personal`` defaults by type (free text may hold anything, an id or a date may not)."""
    fields = {**raw.model_dump(), "aliases": tuple(raw.aliases)}
    fields["personal"] = raw.personal if raw.personal is not None else raw.type not in quotable
    return ColumnSpec(name=name, **fields)


@cache
def input_specs() -> dict[str, InputSpec]:
    """columns.yaml as specs, in file order (the order of the contract and of the docs)."""
    specs: dict[str, InputSpec] = {}
    quotable = set(columns_file().quotable_types)
    for input_name, raw_input in columns_file().inputs.items():
        sheets = []
        for sheet_name, raw_sheet in raw_input.sheets.items():
            columns = tuple(_column_spec(name, c, quotable) for name, c in raw_sheet.columns.items())
            kept = tuple(KeptColumn(name, tuple(k.aliases), k.doc) for name, k in raw_sheet.kept.items())
            sheets.append(SheetSpec(input_name, sheet_name, tuple(raw_sheet.aliases), columns, raw_sheet.doc, kept))
        specs[input_name] = InputSpec(input_name, raw_input.required, tuple(sheets), raw_input.files, raw_input.doc)
    return specs


@cache
def quotable_shapes() -> dict[str, re.Pattern[str]]:
    """columns.yaml's ``quotable_types``: column type -> the shape (matched whole) a quotable value has."""
    return {kind: re.compile(pattern) for kind, pattern in columns_file().quotable_types.items()}


@cache
def value_kinds(typed: bool = False) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """columns.yaml's ``value_kinds``: (description, compiled pattern), tried in order.

    ``typed_only`` kinds (a person's name) apply to values of typed columns
    only: a yes/no or vocabulary cell holding "Anna Svensson" is a name, but
    a vendor's name in a free-text column has the same shape and is not.
    """
    return tuple((k.kind, re.compile(k.pattern)) for k in columns_file().value_kinds if typed or not k.typed_only)


@cache
def _alias_table(input_name: str, sheet_name: str) -> dict[str, str]:
    sheet = sheet_spec(input_name, sheet_name)
    return {header_key(word): col.name for col in sheet.columns for word in (col.name, *col.aliases)}


@cache
def _kept_table(input_name: str, sheet_name: str) -> dict[str, str]:
    sheet = sheet_spec(input_name, sheet_name)
    return {header_key(word): kept.name for kept in sheet.kept for word in (kept.name, *kept.aliases)}


def sheet_spec(input_name: str, sheet_name: str) -> SheetSpec:
    """The spec of one sheet."""
    return next(s for s in input_specs()[input_name].sheets if s.name == sheet_name)


def canonical_column(header: object, sheet: SheetSpec) -> str | None:
    """The canonical column ``header`` names on ``sheet``, else ``None`` (an extra column).

    The header is tried whole before its words in parentheses are dropped
    (:func:`header_keys`), so an annotation that is part of the name
    ("Gallring (dagar)") counts, and one that is not ("Lagringstid (se
    instruktion)") does not stop the match.
    """
    table = _alias_table(sheet.input, sheet.name)
    return next((table[key] for key in header_keys(header) if key in table), None)


def kept_column(header: object, sheet: SheetSpec) -> str | None:
    """The kept column (:class:`KeptColumn`) ``header`` names on ``sheet``, else ``None``."""
    table = _kept_table(sheet.input, sheet.name)
    return next((table[key] for key in header_keys(header) if key in table), None)


def closest_header(header: object, sheet: SheetSpec, exclude: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The known header most like ``header`` as ``(alias, column)``, or ``None`` when none is close.

    Only columns not in ``exclude`` (those the sheet already has) are
    offered, since pointing at a column that is already there would mislead.
    Both keys of :func:`header_keys` are compared, with
    :data:`CLOSEST_HEADER_SCORE` as the cut-off.
    """
    choices = {
        header_key(word): (word, col.name)
        for col in sheet.columns
        if col.name not in exclude
        for word in (col.name, *col.aliases)
    }
    best: tuple[float, str] | None = None
    for key in header_keys(header):
        if not key:
            continue
        found = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=CLOSEST_HEADER_SCORE)
        if found is not None and (best is None or found[1] > best[0]):
            best = (found[1], found[0])
    return choices[best[1]] if best else None


def find_header_row(grid: pd.DataFrame, sheet: SheetSpec) -> tuple[int, bool]:
    """Position of the header row in ``grid`` (read without a header), and whether it qualifies.

    The header is the first of the top :data:`HEADER_SEARCH_ROWS` rows that
    names at least half of the required columns: title rows and instructions
    above it name none. When no row qualifies, the position returned is the
    row naming most required columns, so the error can show what was found.
    """
    required = {c.name for c in sheet.required}
    needed = max(1, math.ceil(len(required) / 2))
    top = grid.head(HEADER_SEARCH_ROWS)
    best, best_hits = 0, -1
    for pos in range(len(top)):
        names = {canonical_column(v, sheet) for v in top.iloc[pos].tolist()}
        hits = len(required & names)
        if hits >= needed:
            return pos, True
        if hits > best_hits:
            best, best_hits = pos, hits
    return best, False
