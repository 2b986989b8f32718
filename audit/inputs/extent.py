"""How large a grid the spreadsheet library will build for each sheet, found before it parses one.

calamine, the reader behind :func:`pandas.read_excel`, builds one dense grid
per sheet, from the first to the last cell that holds a value. A 5 KB .xlsx
with a value in A1 and another in XFD1048576, or an .ods cell "repeated"
16,000 times on a row repeated a million times, asks it for hundreds of
gigabytes, and the process is killed: a failed allocation in Rust aborts,
there is no exception to catch. Cell references and repeat counts are plain
text in the XML, so the span of every sheet is computed here from the XML as
it is unpacked, and :mod:`audit.inputs.safety` refuses the file before any
parse.

Spans are upper bounds: a cell without a value counts (calamine skips it),
so a bound may be larger than the grid calamine builds, never smaller.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

_TAIL_LIMIT = 1024 * 1024
"""An unfinished tag longer than this at the end of a chunk sends the part to the exact (slow) scan."""
_MAX_LETTERS = 4
_MAX_DIGITS = 11
_PAD = b"\0" * 24
"""Room after a chunk for the fixed-offset reads of a cell reference (``<c r="`` + 4 letters + 11 digits + ``"``)."""
_BEYOND = 10**12
"""Span given to a reference with more letters or digits than any sheet has."""
_TAG_END = np.frombuffer(b" \t\n\r>/", dtype=np.uint8)
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.\-]*:c[\s/>]")
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


@dataclass(frozen=True)
class Span:
    """Rows and columns one sheet spans (from A1), as the library would allocate them."""

    sheet: str
    rows: int
    cols: int

    @property
    def cells(self) -> int:
        """Cells of the dense grid: what the library allocates memory for."""
        return self.rows * self.cols


class NotWellFormed(Exception):
    """A part that holds sheet data is not well-formed XML, so its span cannot be computed."""


class XlsxSpan:
    """The span of one .xlsx part, fed chunk by chunk as it is unpacked.

    Excel, LibreOffice, openpyxl and xlsxwriter write every cell as
    ``<c r="B7" ...>``; for those the largest row and column are read with
    vectorised byte comparisons (a few ms per MB). A part with any other form
    (cells without ``r``, ``r`` not first, a namespace prefix, UTF-16) is
    marked for :func:`exact_xlsx_span`, which follows calamine's rules with
    an XML parser.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.cols = 0
        self.simple = True
        self._tail = b""
        self._first = True

    def feed(self, chunk: bytes) -> None:
        """Account for the next unpacked bytes of the part."""
        if not self.simple:
            return
        if self._first:
            self._first = False
            if chunk.lstrip(b" \t\r\n").startswith(_UTF16_STARTS) or chunk.startswith(_UTF16_STARTS):
                self.simple = False
                return
        buf = self._tail + chunk
        cut = buf.rfind(b"<")
        if cut >= 0 and buf.find(b">", cut) < 0:  # the last tag continues in the next chunk
            buf, self._tail = buf[:cut], buf[cut:]
            if len(self._tail) > _TAIL_LIMIT:
                self.simple = False
                return
        else:
            self._tail = b""
        self._scan(buf)

    def finish(self) -> None:
        """Account for the bytes kept back at the end of the part."""
        if self.simple and self._tail:
            self._scan(self._tail)
            self._tail = b""

    def _scan(self, buf: bytes) -> None:
        if not buf:
            return
        a = np.frombuffer(buf + _PAD, dtype=np.uint8)
        lt = np.flatnonzero(a[: len(buf)] == 0x3C)  # '<'
        lt = lt[a[lt + 1] == 0x63]  # '<c'
        tags = lt[np.isin(a[lt + 2], _TAG_END)]
        canonical = tags[(a[tags + 2] == 0x20) & (a[tags + 3] == 0x72) & (a[tags + 4] == 0x3D) & (a[tags + 5] == 0x22)]
        if len(canonical) != len(tags) or _has_prefixed_cell(buf):
            self.simple = False
            return
        if len(canonical) == 0:
            return
        cols, start = _letters(a, canonical + 6)
        rows, end = _digits(a, start)
        if not (a[end] == 0x22).all() or not (start > canonical + 6).all():
            self.simple = False  # a reference calamine may read differently ($A$1, A 1): scan it exactly
            return
        self.rows = max(self.rows, int(rows.max()))
        self.cols = max(self.cols, int(cols.max()))


def _letters(a: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column numbers (A=1) of the references starting at ``pos``, and where their digits start."""
    col = np.zeros(len(pos), dtype=np.int64)
    going = np.ones(len(pos), dtype=bool)
    end = pos.copy()
    for k in range(_MAX_LETTERS + 1):
        ch = a[pos + k] | 0x20  # lower case
        letter = going & (ch >= 0x61) & (ch <= 0x7A)
        col = np.where(letter, col * 26 + (ch.astype(np.int64) - 0x60), col)
        end += letter
        going = letter
        if not going.any():
            break
    return np.where(going, _BEYOND, col), end


def _digits(a: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the references whose digits start at ``pos``, and where they end."""
    row = np.zeros(len(pos), dtype=np.int64)
    going = np.ones(len(pos), dtype=bool)
    end = pos.copy()
    for k in range(_MAX_DIGITS + 1):
        ch = a[pos + k]
        digit = going & (ch >= 0x30) & (ch <= 0x39)
        row = np.where(digit, np.minimum(row * 10 + (ch.astype(np.int64) - 0x30), _BEYOND), row)
        end += digit
        going = digit
        if not going.any():
            break
    return np.where(going, _BEYOND, row), end


def _has_prefixed_cell(buf: bytes) -> bool:
    """Whether a cell is written with a namespace prefix (``<x:c r=...>``); cheap when none is."""
    if b":c" not in buf:
        return False
    return _PREFIXED_CELL.search(buf) is not None


def _ref(ref: str) -> tuple[int, int] | None:
    """(column, row) of ``B7``-style text as calamine reads it, or ``None`` when it cannot be read."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not letters.isalpha() or not letters.isascii() or not digits:
        return None
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col, int(digits)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _parser(
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> xml.parsers.expat.XMLParserType:
    """An expat parser without namespace processing that refuses any DTD (no entity can be declared)."""
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise NotWellFormed("declares a DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _parse(parser: xml.parsers.expat.XMLParserType, chunks: Iterable[bytes], marker: bytes) -> None:
    """Feed ``chunks``; a part that is not XML is ignored unless it holds ``marker`` (sheet data).

    calamine's XML reader is more lenient than expat, so a malformed part
    that holds sheet data is refused rather than skipped: its span is unknown.
    """
    seen = False
    error: str | None = None
    for chunk in chunks:
        seen = seen or marker in chunk
        if error is None:
            try:
                parser.Parse(chunk, False)
            except xml.parsers.expat.ExpatError as exc:
                error = xml.parsers.expat.errors.messages[exc.code]
    if error is None:
        try:
            parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as exc:
            error = xml.parsers.expat.errors.messages[exc.code]
    if error is not None and seen:
        raise NotWellFormed(f"is not well-formed XML ({error})")


def exact_xlsx_span(chunks: Iterable[bytes]) -> tuple[int, int]:
    """Rows and columns of an .xlsx part by calamine's rules, for parts the fast scan cannot read.

    A cell without ``r`` sits one column right of the previous cell; a row
    without ``r`` one below the previous row. Largest of the row's and the
    cell's row, so the bound holds whichever calamine uses.

    Raises
    ------
    NotWellFormed
        When a part holding ``sheetData`` is not XML, or declares a DTD.
    """
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            r = attrs.get("r", "")
            state["row"] = int(r) if r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif local == "c":
            ref = _ref(attrs.get("r", ""))
            state["col"] = ref[0] if ref else state["col"] + 1
            state["rows"] = max(state["rows"], state["row"], ref[1] if ref else 0)
            state["cols"] = max(state["cols"], state["col"])

    _parse(_parser(start), chunks, b"sheetData")
    return state["rows"], state["cols"]


@dataclass
class _Table:
    name: str
    row: int = 0
    """Rows before the current one (repeats included)."""
    rows: int = 0
    """Rows up to the last row with a value."""
    cols: int = 0
    row_repeat: int = 1
    col: int = 0
    row_cols: int = 0
    cell_repeat: int = 0
    cell_value: bool = False


_ODS_CELLS = ("table-cell", "covered-table-cell")


def _repeat(attrs: dict[str, str], name: str) -> int:
    for key, value in attrs.items():
        if _local(key) == name:
            return int(value) if value.isdigit() else 1
    return 1


class OdsSpans:
    """The span of every table in an .ods ``content.xml``, fed chunk by chunk, repeats counted as calamine counts them.

    Repeated empty rows and cells count only when a value follows them on
    the sheet or the row; calamine drops trailing ones (every LibreOffice
    file ends its sheets with a million repeated empty rows).
    """

    def __init__(self) -> None:
        self._stack: list[_Table] = []
        self._spans: list[Span] = []
        self._parser = _parser(self._start, self._end, self._text)

    def feed(self, chunk: bytes) -> None:
        """Parse the next unpacked bytes of ``content.xml``.

        Raises
        ------
        NotWellFormed
            When ``content.xml`` is not XML, or declares a DTD: calamine reads
            every sheet from it, so an unknown span is refused.
        """
        try:
            self._parser.Parse(chunk, False)
        except xml.parsers.expat.ExpatError as exc:
            raise NotWellFormed(f"is not well-formed XML ({xml.parsers.expat.errors.messages[exc.code]})") from None

    def finish(self) -> list[Span]:
        """The spans of all tables, once the whole part was fed."""
        try:
            self._parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as exc:
            raise NotWellFormed(f"is not well-formed XML ({xml.parsers.expat.errors.messages[exc.code]})") from None
        return self._spans

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "table":
            self._stack.append(_Table(attrs.get("table:name", "")))
            return
        if not self._stack:
            return
        table = self._stack[-1]
        if local == "table-row":
            table.row_repeat, table.col, table.row_cols = _repeat(attrs, "number-rows-repeated"), 0, 0
        elif local in _ODS_CELLS and table.cell_repeat == 0:
            table.cell_repeat = _repeat(attrs, "number-columns-repeated")
            table.cell_value = any(_local(k) in ("value-type", "formula") for k in attrs)

    def _end(self, name: str) -> None:
        if not self._stack:
            return
        local = _local(name)
        table = self._stack[-1]
        if local == "table":
            self._stack.pop()
            self._spans.append(Span(table.name, table.rows, table.cols))
        elif local == "table-row":
            if table.row_cols:
                table.cols = max(table.cols, table.row_cols)
                table.rows = table.row + table.row_repeat
            table.row += table.row_repeat
        elif local in _ODS_CELLS and table.cell_repeat:
            table.col += table.cell_repeat
            if table.cell_value:
                table.row_cols = table.col
            table.cell_repeat = 0

    def _text(self, data: str) -> None:
        if self._stack and self._stack[-1].cell_repeat and data.strip():
            self._stack[-1].cell_value = True
