"""A policy document as a flat list of elements: headings, paragraphs, bullets, tables, separators.

Privacy policies come as plain text, Markdown, HTML, Word and PDF; the
parser (:mod:`audit.policy.text`) should not care which. Each reader turns
its format into the same :class:`Element` list, so what the parser
understands (sections found by their headings, activities as labelled
bullets, tables or sub-headings) works the same for every format. Plain
text is read here; the other formats in :mod:`audit.policy.formats`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from audit.errors import ReferenceDataError

Kind = Literal["heading", "paragraph", "bullet", "table", "separator"]

_NUMBERED = re.compile(r"^\s*(\d{1,2})\.\s+(\S.*?)\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(\S.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[•*–-]|\d{1,2}[.)])\s+(?P<body>.*\S)\s*$")
_SEPARATOR = re.compile(r"^\s*(?:_{3,}|-{3,}|\*{3,}|={3,})\s*$")
_CLOSING = re.compile(r"[.:;!?,]$")
_LABEL = re.compile(r"^[^:]{1,40}:\s*\S")
MAX_HEADING_WORDS = 14
"""A line of more words is a paragraph even without closing punctuation (a sentence missing its full stop)."""


@dataclass(frozen=True)
class Element:
    """One piece of a policy document.

    Attributes
    ----------
    kind
        ``heading``, ``paragraph``, ``bullet``, ``table`` or ``separator``.
    text
        The text on one line, white space folded; a table's cells joined by " | ".
    level
        A heading's level: 1 for a numbered or top Markdown/HTML heading, 2
        and more below; 0 for the other kinds.
    number
        A numbered heading's number ("10" for "10. En översikt"), else ``None``.
    rows
        A table's rows, the first one its header; empty for the other kinds.
    line
        Where the element starts in the source (line, or paragraph in Word and
        PDF), 1-based, so a parse report can point at it.
    """

    kind: Kind
    text: str
    level: int = 0
    number: str | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    line: int = 0


@dataclass
class Document:
    """A read policy: its elements, its plain text (for searching and hashing) and where it came from."""

    path: Path | None
    format: str
    elements: list[Element] = field(default_factory=list)
    text: str = ""

    @property
    def sha256(self) -> str:
        """Hash of the source text, recorded in a model so a later run can tell the text changed."""
        return text_hash(self.text)


def text_hash(text: str) -> str:
    """``sha256:<hex>`` of the text with line endings and trailing spaces normalised."""
    normal = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    return "sha256:" + hashlib.sha256(normal.encode("utf-8")).hexdigest()


def clean(text: str) -> str:
    """White space folded to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation or a ``label:`` is a heading in plain text.

    A line holding a sentence end ("… data. Email …") or an e-mail address
    is a paragraph whose last sentence lacks its full stop.
    """
    return (
        bool(line)
        and not _CLOSING.search(line)
        and not _LABEL.match(line)
        and len(line.split()) <= MAX_HEADING_WORDS
        and not line.startswith("|")
        and "@" not in line
        and not re.search(r"[.!?]\s+[A-ZÅÄÖ]", line)
    )


def _table_row(line: str) -> tuple[str, ...] | None:
    """The cells of a Markdown table line (``| a | b |``), ``None`` when it is not one."""
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3):
        return None
    return tuple(clean(c) for c in stripped[1:-1].split("|"))


def _is_rule_row(cells: tuple[str, ...]) -> bool:
    return all(re.fullmatch(r":?-{2,}:?", c) for c in cells)


def elements_from_text(text: str) -> list[Element]:
    """Elements of plain text (also of Markdown written as text, and of the text a PDF gives).

    A numbered line counts as a heading only when its number follows the
    previous heading's number (1, 2, 3, ...), so "412 63 Göteborg" or a
    numbered list inside a section is not taken for one; other headings are
    short lines without closing punctuation, or Markdown ``#`` lines.
    """
    out: list[Element] = []
    last_number = 0
    table: list[tuple[str, ...]] = []
    table_line = 0

    def flush_table() -> None:
        nonlocal table
        if table:
            rows = tuple(r for r in table if not _is_rule_row(r))
            out.append(Element("table", " | ".join(" | ".join(r) for r in rows), rows=rows, line=table_line))
        table = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = clean(raw)
        cells = _table_row(raw)
        if cells is not None:
            if not table:
                table_line = number
            table.append(cells)
            continue
        flush_table()
        if not line:
            continue
        numbered = _NUMBERED.match(raw)
        md = _MD_HEADING.match(raw)
        bullet = _BULLET.match(raw)
        if _SEPARATOR.match(line):
            out.append(Element("separator", "", line=number))
        elif md:
            out.append(Element("heading", clean(md.group(2)), level=len(md.group(1)), line=number))
        elif numbered and int(numbered.group(1)) == last_number + 1:
            last_number += 1
            out.append(Element("heading", clean(numbered.group(2)), level=1, number=numbered.group(1), line=number))
        elif bullet:
            out.append(Element("bullet", clean(bullet.group("body")), line=number))
        elif looks_like_heading(line):
            out.append(Element("heading", line, level=2, line=number))
        else:
            out.append(Element("paragraph", line, line=number))
    flush_table()
    return out


def read_text_file(path: Path) -> str:
    """A text file's content (UTF-8, with or without BOM), or one error line naming it."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReferenceDataError(f"{path}: cannot read the policy text ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"{path}: the policy text is not UTF-8 (byte {exc.start})") from None


def read_document(path: Path | str) -> Document:
    """Read a policy document by its suffix: ``.txt`` and ``.md`` here, the rest in :mod:`audit.policy.formats`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text", ""):
        text = read_text_file(path)
        return Document(path, "text", elements_from_text(text), text)
    from audit.policy.formats import read  # the readers of other formats import this module

    return read(path)


@dataclass(frozen=True)
class ReportLine:
    """One line of a parse report: a model field, the policy sentence it was read from, where, and any doubt.

    ``flag`` is set where the parser chose between readings ("two periods in
    one sentence: took the longer"), so the DPO knows which fields to check.
    """

    field: str
    sentence: str
    where: str
    flag: str | None = None


@dataclass
class ParseResult:
    """What parsing a policy gives: the model (``policy.yaml`` content), the report and what was not understood.

    ``unparsed`` lists the parts of the text (with where they are) that no
    field was read from and that look like they promise something (they hold
    a period, a legal basis, a recipient or a transfer word).
    """

    model: dict[str, object]
    report: list[ReportLine] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
