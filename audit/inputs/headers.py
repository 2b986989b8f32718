"""Sorting a sheet's columns by their headers, so no column passes unseen.

Every column of a sheet ends up in exactly one place: the column the
contract reads for a canonical name (the first one with that name), or an
extra column kept under its own header. An extra column is silent only when
the contract knows it does not read it (``kept`` in ``columns.yaml``: a
note, a person's name in an extract); any other is an input issue: a header
the contract does not recognise (``info``, with the closest known header), a
column of data without a header (``info``), or a second column for a name
already read (``warning``, naming both positions). Grids and Arrow tables
are sorted by the same :class:`SheetColumns`, so every format behaves alike.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from audit.inputs.schema import SheetSpec, canonical_column, closest_header, kept_column
from audit.reference.vocab import fold

INFO = "info"
WARNING = "warning"


def column_letter(position: int) -> str:
    """The spreadsheet letter of 0-based column ``position`` (0 -> ``A``, 26 -> ``AA``)."""
    letters = ""
    n = position + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = string.ascii_uppercase[rem] + letters
    return letters


@dataclass
class SheetColumns:
    """The columns of one sheet being sorted: known (by canonical name), extra, and the header issues found.

    ``present`` is every canonical name the header row has, so the closest-
    header hint never points at a column the sheet already has.
    """

    file: str
    sheet: str
    spec: SheetSpec
    header_row: int
    present: frozenset[str]
    known: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    issues: list[dict] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)

    def place(self, position: int, header: str | None, column: Any) -> str | None:
        """Sort the column at ``position``; its canonical name when it is the column read for one, else ``None``."""
        name = canonical_column(header, self.spec) if header else None
        first = self.seen.setdefault(fold(header), position) if header else position
        if name is not None and name not in self.known:
            self.known[name] = column
            self.headers[name] = str(header)
            self.positions[name] = position
            return name
        label = self.add_extra(str(header) if header else f"column {column_letter(position)}", column)
        self._extra_issue(position, header, name, label, first)
        return None

    def add_extra(self, label: str, column: Any) -> str:
        """Keep ``column`` as an extra column; a taken label gets `` (2)`` appended until it is free."""
        while label in self.extras or label in self.known:
            label = f"{label} (2)"
        self.extras[label] = column
        return label

    def _extra_issue(self, position: int, header: str | None, name: str | None, label: str, first: int) -> None:
        here = column_letter(position)
        if name is not None:
            read = f"column {column_letter(self.positions[name])} ({self.headers[name]!r})"
            self._issue(
                label, f"a second column for {name}: {read} is read; this one, column {here}, is kept as {label!r}"
            )
        elif first != position:
            problem = f"duplicate header: column {column_letter(first)} has the same header; this one, column {here}, is kept as {label!r}"
            self._issue(label, problem)
        elif header is None:
            self._issue(label, f"a column without a header holds data; kept as {label!r}, not read by the audit", INFO)
        elif kept_column(header, self.spec) is None:
            self._issue(label, self._unrecognised(here, header), INFO)

    def _unrecognised(self, here: str, header: str) -> str:
        closest = closest_header(header, self.spec, self.present)
        hint = (
            f"closest known header: {closest[0]!r} (column {closest[1]})"
            if closest
            else "no known header is close (docs/inputs.md lists them)"
        )
        return f"header not recognised (spreadsheet column {here}): kept as it is, not read by the audit; {hint}"

    def _issue(self, label: str, problem: str, severity: str = WARNING) -> None:
        """An issue about a header, cited on the header row where the person will look.

        ``value`` stays empty: the header is the issue's ``column``, and no
        cell value is involved.
        """
        self.issues.append(
            {
                "file": self.file,
                "sheet": self.sheet,
                "row": self.header_row,
                "column": label,
                "value": "",
                "problem": problem,
                "severity": severity,
            }
        )
