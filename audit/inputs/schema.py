"""The input contract as data: which files, sheets and columns, and how headers are recognised.

The contract lives in ``data/reference/columns.yaml`` so a new alias (another
register template's wording) is a data change. This module loads it once,
checks it (known types, no alias meaning two columns of one sheet) and
answers the two questions the readers ask: which canonical column is this
header, and which row of a sheet is the header row.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from audit.errors import ReferenceDataError
from audit.reference.datafiles import reference
from audit.reference.vocab import fold

TYPES = {
    "text",
    "id",
    "list",
    "id_list",
    "date",
    "yesno",
    "number",
    "country",
    "country_list",
    "legal_basis_list",
    "vocab",
}
# How far down a sheet the header row is looked for: the official templates
# have a few title and instruction rows, never dozens.
HEADER_SEARCH_ROWS = 30

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


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


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of an input: its canonical name, other names, columns in contract order."""

    input: str
    name: str
    aliases: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]

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


def header_key(text: object) -> str:
    """Fold a header for matching: drop words in parentheses or brackets, then case, spaces and punctuation.

    Templates annotate headers ("Lagringstid (år)", "Rättslig grund [art. 6]");
    the annotation must not stop the header from being recognised.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return fold(_PARENTHESES.sub(" ", str(text)))


def _column(name: str, raw: dict, where: str) -> ColumnSpec:
    ctype = raw.get("type")
    if ctype not in TYPES:
        raise ReferenceDataError(f"{where}.{name}: unknown type {ctype!r} (known: {', '.join(sorted(TYPES))})")
    if ctype == "vocab" and not raw.get("vocabulary"):
        raise ReferenceDataError(f"{where}.{name}: type vocab needs a vocabulary")
    return ColumnSpec(
        name=name,
        type=ctype,
        required=bool(raw.get("required", False)),
        blank_ok=bool(raw.get("blank_ok", False)),
        unique=bool(raw.get("unique", False)),
        vocabulary=raw.get("vocabulary"),
        default=raw.get("default"),
        aliases=tuple(str(a) for a in (raw.get("aliases") or [])),
    )


@cache
def input_specs() -> dict[str, InputSpec]:
    """columns.yaml as specs, checked so that one header can never mean two columns of a sheet."""
    data = reference("columns")
    specs: dict[str, InputSpec] = {}
    for input_name, raw_input in (data.get("inputs") or {}).items():
        sheets = []
        for sheet_name, raw_sheet in (raw_input.get("sheets") or {}).items():
            where = f"columns.yaml: {input_name}.{sheet_name}"
            columns = tuple(_column(n, raw or {}, where) for n, raw in (raw_sheet.get("columns") or {}).items())
            seen: dict[str, str] = {}
            for col in columns:
                for word in (col.name, *col.aliases):
                    key = header_key(word)
                    if seen.get(key, col.name) != col.name:
                        raise ReferenceDataError(f"{where}: header {word!r} is listed for {seen[key]} and {col.name}")
                    seen[key] = col.name
            sheets.append(SheetSpec(input_name, sheet_name, tuple(raw_sheet.get("aliases") or []), columns))
        specs[input_name] = InputSpec(input_name, bool(raw_input.get("required", False)), tuple(sheets))
    for needed in ("activities", "inventory", "requests", "disclosures", "records"):
        if needed not in specs:
            raise ReferenceDataError(f"columns.yaml: input {needed} is not described")
    return specs


@cache
def _alias_table(input_name: str, sheet_name: str) -> dict[str, str]:
    sheet = sheet_spec(input_name, sheet_name)
    return {header_key(word): col.name for col in sheet.columns for word in (col.name, *col.aliases)}


def sheet_spec(input_name: str, sheet_name: str) -> SheetSpec:
    """The spec of one sheet."""
    return next(s for s in input_specs()[input_name].sheets if s.name == sheet_name)


def canonical_column(header: object, sheet: SheetSpec) -> str | None:
    """The canonical column ``header`` names on ``sheet``, else ``None`` (an extra column)."""
    return _alias_table(sheet.input, sheet.name).get(header_key(header))


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
