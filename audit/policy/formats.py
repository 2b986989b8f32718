"""Policy documents in Markdown, HTML, Word and PDF, read into :class:`audit.policy.document.Element` lists.

Each reader maps its format's own structure (Markdown tokens, HTML tags,
Word styles) onto the same elements the plain-text reader gives, so the
parser sees one shape whatever the DPO saved the policy as. Where a format
has no structure (PDF), its text goes through the plain-text reader.

Every failure (unreadable, corrupt, encrypted, the wrong kind of file) is a
:class:`audit.errors.ReferenceDataError` whose one line names the file and
says what is wrong: the libraries' own exceptions never reach the DPO.

``Document.text`` (what is hashed and searched) is, per format:

* Markdown: the raw file text, as for plain text;
* HTML and Word: the elements' texts, one element per line (a separator is
  an empty line), i.e. the visible text without the markup;
* PDF: the pages' extracted text joined by newlines.

Decoding: Markdown is UTF-8 (with or without BOM), like plain text. HTML is
UTF-8 first; only when that fails is the charset the page declares
(``<meta charset>`` or ``http-equiv``) used, and without a declaration
cp1252, the Windows Western European code page older Swedish pages were
saved in (a superset of Latin-1's printable characters).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from docx import Document as open_docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PasswordType, PdfReader

from audit.errors import ReferenceDataError
from audit.policy.document import MAX_HEADING_WORDS, Document, Element, clean, elements_from_text, read_text_file

_HEADING_NUMBER = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_LABEL_LINE = re.compile(r"^[^:]{1,40}:\s*\S")
"""A ``Label: value`` line, the same test the plain-text reader uses for its headings."""
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Compound File Binary: an old .doc, or a password-protected (encrypted) Office file."""

_HTML_IGNORED = frozenset({"script", "style", "noscript", "template", "nav", "head", "title"})
"""Tags whose content is not part of the visible policy (``title`` too: without a ``<head>`` it lands in the body)."""
_HTML_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "details", "dialog", "div", "fieldset",
        "figcaption", "figure", "footer", "form", "header", "html", "main", "menu", "ol", "p", "pre", "section",
        "summary", "ul", "caption", "td", "th", "tr", "tbody", "thead", "tfoot", "dd", "dt",
    }
)  # fmt: skip
"""Tags that end a run of text: the text before and after them are separate paragraphs."""
_HTML_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def read(path: Path) -> Document:
    """Read ``path`` by its suffix; one error line for a format the product does not read."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        text = read_text_file(path)
        return Document(path, "markdown", elements_from_markdown(text), text)
    if suffix in (".html", ".htm"):
        return read_html(path)
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".pdf":
        return read_pdf(path)
    raise ReferenceDataError(f"{path}: cannot read a policy from a {suffix or 'suffix-less'} file")


# ---------------------------------------------------------------- shared


def split_number(text: str) -> tuple[str | None, str]:
    """A heading's number and its text: ``"3. Who we share with"`` gives ``("3", "Who we share with")``.

    Formats with real heading markup (``#``, ``<h2>``, Word styles) need no
    sequence check like plain text's: the markup already says it is a heading,
    so any leading ``N.`` is its number.
    """
    text = clean(text)
    match = _HEADING_NUMBER.match(text)
    if match:
        return match.group(1), match.group(2)
    return None, text


def _heading(text: str, level: int, line: int) -> Element | None:
    number, rest = split_number(text)
    return Element("heading", rest, level=level, number=number, line=line) if rest else None


def _paragraphs(lines: list[tuple[str, int]], kind: str = "paragraph") -> list[Element]:
    """One element per line when every line is a ``Label: value`` line, else one element of all the text.

    A policy often writes an activity as one paragraph of labelled lines
    (``Purpose: ...`` / ``Legal basis: ...`` joined by line breaks); the parser
    reads each label from its own element, as it does in plain text where
    they are separate lines.
    """
    kept = [(clean(text), line) for text, line in lines if clean(text)]
    if not kept:
        return []
    if len(kept) > 1 and all(_LABEL_LINE.match(text) for text, _ in kept):
        return [Element("paragraph", text, line=line) for text, line in kept]
    text = clean(" ".join(text for text, _ in kept))
    return [Element("bullet" if kind == "bullet" else "paragraph", text, line=kept[0][1])]


def _table(rows: Iterable[Iterable[str]], line: int) -> Element | None:
    kept = tuple(cells for cells in (tuple(clean(c) for c in row) for row in rows) if any(cells))
    if not kept:
        return None
    return Element("table", " | ".join(" | ".join(r) for r in kept), rows=kept, line=line)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReferenceDataError(f"{path}: cannot read the policy file ({exc.strerror})") from None


def _sniffed(data: bytes) -> str | None:
    """What the first bytes say the file really is, for an error that names it."""
    if data.startswith(_PDF_MAGIC):
        return "a PDF"
    if data.startswith(_ZIP_MAGIC):
        return "a zip file (Word, Excel or OpenDocument)"
    if data.startswith(_CFB_MAGIC):
        return "an old binary Office file or a password-protected one"
    return None


def _visible_text(elements: list[Element]) -> str:
    return "\n".join(e.text for e in elements)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {clean(text[0])}" if text else type(exc).__name__


# ---------------------------------------------------------------- Markdown


def _inline_lines(token: Token) -> list[str]:
    """An inline token's text with markup stripped, split at its soft and hard line breaks."""
    lines = [""]
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type in ("text", "text_special", "code_inline", "image"):
            lines[-1] += child.content
        # strong/em/link open and close, html_inline: markup only, no text of their own
    return lines


def elements_from_markdown(text: str) -> list[Element]:
    """Elements of a Markdown document, read from markdown-it's CommonMark tokens (with GFM tables).

    Tokens give what the plain-text reader guesses at: a heading is a ``#``
    line or a setext underline, a list item is a bullet however it is indented
    or numbered, a table is a table. Each list item, nested ones too, is one
    bullet holding the item's own text, so a sub-list's items are not run
    into their parent's text.

    A policy written as plain text and saved as ``.md`` numbers its headings
    ``1. Who we are`` without ``#``, which Markdown reads as one-item ordered
    lists. When no ``#`` heading carries a number, such an item is taken for
    a numbered heading (level 1) under the plain-text rule: its number
    follows the previous heading's, and it is one short line.
    """
    parser = MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(text)
    source_lines = re.split(r"\r\n|\r|\n", text)  # markdown-it's own line ends, so token.map indexes them
    promote = not any(
        t.type == "inline" and i and tokens[i - 1].type == "heading_open" and _HEADING_NUMBER.match(clean(t.content))
        for i, t in enumerate(tokens)
    )
    last_number = 0
    lists: list[bool] = []  # open lists: is it an ordered list of one item
    row_map: list[int] | None = None
    out: list[Element] = []
    items: list[tuple[int, list[tuple[str, int]]]] = []  # open list items: (index in out, their lines)
    numbers: list[str | None] = []  # the open items' numbers, when a one-item ordered list's
    table: list[list[str]] | None = None
    table_line = 0
    pending_heading: tuple[int, int] | None = None
    for i, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else 0
        kind = token.type
        if kind == "heading_open":
            pending_heading = (int(token.tag[1]), line)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open" and _items_of(tokens, i) == 1)
        elif kind in ("bullet_list_close", "ordered_list_close") and lists:
            lists.pop()
        elif kind == "list_item_open":
            out.append(Element("bullet", "", line=line))  # placeholder, filled at list_item_close
            items.append((len(out) - 1, []))
            numbers.append(token.info if promote and lists and lists[-1] and token.markup == "." else None)
        elif kind == "list_item_close" and items:
            index, item_lines = items.pop()
            number = numbers.pop()
            text_ = clean(" ".join(e.text for e in _paragraphs(item_lines, "bullet")))
            if (
                number is not None
                and number.isdigit()
                and int(number) == last_number + 1
                and index == len(out) - 1  # no sub-list
                and len(item_lines) == 1
                and 0 < len(text_.split()) <= MAX_HEADING_WORDS
            ):
                last_number += 1
                out[index] = Element("heading", text_, level=1, number=number, line=out[index].line)
            else:
                out[index] = Element("bullet", text_, line=out[index].line)
        elif kind == "table_open":
            table, table_line = [], line
        elif kind == "table_close" and table is not None:
            element = _table(table, table_line)
            if element:
                out.append(element)
            table = None
        elif kind == "tr_open" and table is not None:
            table.append([])
            row_map = token.map
        elif kind == "tr_close" and table and row_map:
            table[-1].extend(_excess_cells(source_lines, row_map[0], len(table[-1]), parser))
        elif kind == "hr":
            out.append(Element("separator", "", line=line))
        elif kind in ("fence", "code_block"):
            _markdown_text(out, items, [(clean(token.content), line)])
        elif kind == "html_block":
            html = clean(BeautifulSoup(token.content, "html.parser").get_text(" "))
            _markdown_text(out, items, [(html, line)])
        elif kind == "inline":
            parent = tokens[i - 1].type if i else ""
            lines = _inline_lines(token)
            if pending_heading is not None and parent == "heading_open":
                level, at = pending_heading
                element = _heading(" ".join(lines), level, at)
                if element:
                    out.append(element)
                pending_heading = None
            elif table is not None and parent in ("th_open", "td_open"):
                if table:
                    table[-1].append(" ".join(lines))
            else:
                opening = tokens[i - 1].map if i else None
                start = opening[0] + 1 if opening else line
                _markdown_text(out, items, [(text_, start + n) for n, text_ in enumerate(lines)])
    return [e for e in out if e.kind != "bullet" or e.text]


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _items_of(tokens: list[Token], opening: int) -> int:
    """How many items the list opened at ``tokens[opening]`` has (its own, not a sub-list's)."""
    level = tokens[opening].level
    count = 0
    for token in tokens[opening + 1 :]:
        if token.level == level and token.type.endswith("_list_close"):
            break
        if token.type == "list_item_open" and token.level == level + 1:
            count += 1
    return count


def _excess_cells(lines: list[str], index: int, kept: int, parser: MarkdownIt) -> list[str]:
    """The cells of table row ``lines[index]`` beyond the ``kept`` that markdown-it gives.

    GFM drops a body row's cells beyond the header's count; a policy table
    with one cell too many would silently lose its text, so the extra cells
    are read back from the source line (a quote or indent before the row's
    first pipe does not matter: only cells from the end are taken).
    """
    if index >= len(lines):
        return []
    row = re.sub(r"^[\s>]*", "", lines[index]).strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells = _CELL_SPLIT.split(row)
    extra = cells[kept:] if len(cells) > kept else []
    out = []
    for cell in extra:
        inline = parser.parseInline(cell.replace("\\|", "|"))
        out.append(" ".join(" ".join(_inline_lines(t)) for t in inline))
    return out


def _markdown_text(
    out: list[Element], items: list[tuple[int, list[tuple[str, int]]]], lines: list[tuple[str, int]]
) -> None:
    """A paragraph's lines: part of the innermost open list item, else paragraph elements of their own."""
    if items:
        items[-1][1].extend(lines)
    else:
        out.extend(_paragraphs(lines))


# ---------------------------------------------------------------- HTML


def decode_html(data: bytes, path: Path) -> str:
    """The text of an HTML file: UTF-8 (BOM or not) first, else its declared charset, else cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    declared = _META_CHARSET.search(data[:4096])
    charset = declared.group(1).decode("ascii", "replace") if declared else "cp1252"
    try:
        codecs.lookup(charset)
    except LookupError:
        raise ReferenceDataError(
            f"{path}: the page is not UTF-8 (byte {utf8_error.start}) and declares an unknown charset {charset!r}"
        ) from None
    try:
        return data.decode(charset)
    except UnicodeDecodeError as exc:
        how = f"UTF-8 nor its declared charset {charset}" if declared else "UTF-8 nor cp1252 (it declares no charset)"
        raise ReferenceDataError(f"{path}: the page is neither {how}, byte {exc.start}") from None


def read_html(path: Path) -> Document:
    """Read an HTML policy (a saved web page), or one error line when the file is not HTML."""
    data = _read_bytes(path)
    other = _sniffed(data)
    if other:
        raise ReferenceDataError(f"{path}: not an HTML page, the file is {other}")
    text = decode_html(data, path)
    if "\x00" in text:
        raise ReferenceDataError(f"{path}: not an HTML page, the file holds binary data")
    try:
        elements = elements_from_html(text)
    except RecursionError:  # the walk recurses per tag level; only a generated or hostile page nests this deep
        raise ReferenceDataError(f"{path}: the page nests its tags too deeply to read") from None
    return Document(path, "html", elements, _visible_text(elements))


class _HtmlWalker:
    """Walks the tag tree once, keeping the run of inline text since the last block boundary.

    Any tag not known as a block (``span``, ``a``, ``strong``, unknown tags)
    is transparent: its strings join the current run and its block children
    still end the run, so badly nested pages (html.parser does not repair
    ``<p>`` left open) still give one paragraph per text block.
    """

    def __init__(self) -> None:
        self.out: list[Element] = []
        self.run: list[tuple[str, int]] = []  # the current lines: text, source line
        self.line = 0

    def flush(self) -> None:
        self.out.extend(_paragraphs(self.run))
        self.run = []

    def add(self, text: str) -> None:
        if not self.run:
            self.run.append(("", self.line))
        last, at = self.run[-1]
        self.run[-1] = (last + text, at)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, doctype, CDATA or processing instruction
                    self.add(str(child))
            elif isinstance(child, Tag):
                self.tag(child)

    def tag(self, tag: Tag) -> None:
        name = tag.name.lower()
        line = tag.sourceline or self.line
        if name in _HTML_IGNORED:
            return
        if name == "br":
            self.run.append(("", line))
            return
        if name in _HTML_HEADINGS or name in ("li", "table", "hr", "dl"):
            self.flush()
            self.block(tag, name, line)
            self.line = line
            return
        if name not in _HTML_BLOCKS:
            outer = self.line
            if not self.run or not clean(self.run[-1][0]):  # a line starts here (a labelled line at its <strong>)
                self.line = line
                if self.run:
                    self.run[-1] = (self.run[-1][0], line)
            self.walk(tag)
            self.line = outer
            return
        self.flush()
        outer, self.line = self.line, line
        self.walk(tag)
        self.flush()
        self.line = outer

    def block(self, tag: Tag, name: str, line: int) -> None:
        if name in _HTML_HEADINGS:
            element = _heading(_html_text(tag), _HTML_HEADINGS[name], line)
            if element:
                self.out.append(element)
        elif name == "li":
            text = clean(_html_text(tag, skip=("ul", "ol", "table", "dl")))
            if text:
                self.out.append(Element("bullet", text, line=line))
            for nested in _own(tag, ("ul", "ol", "table", "dl")):
                self.tag(nested)
        elif name == "table":
            element = _table(_html_rows(tag), line)
            if element:
                self.out.append(element)
        elif name == "hr":
            self.out.append(Element("separator", "", line=line))
        else:
            self.out.extend(_definitions(tag, line))


def _own(tag: Tag, names: tuple[str, ...]) -> Iterator[Tag]:
    """Descendants named ``names`` not inside another of them (a list item's own sub-lists)."""
    for child in tag.children:
        if isinstance(child, Tag):
            if child.name.lower() in names:
                yield child
            elif child.name.lower() not in _HTML_IGNORED:
                yield from _own(child, names)


def _html_text(tag: Tag, skip: tuple[str, ...] = ()) -> str:
    """The visible text under ``tag`` (not under ignored tags nor ``skip``), ``<br>`` as a space."""
    parts: list[str] = []
    for child in tag.children:
        if isinstance(child, Tag):
            name = child.name.lower()
            if name == "br":
                parts.append(" ")
            elif name not in _HTML_IGNORED and name not in skip:
                parts.append(" " + _html_text(child, skip) + " " if name in _HTML_BLOCKS else _html_text(child, skip))
        elif type(child) is NavigableString:
            parts.append(str(child))
    return "".join(parts)


def _html_rows(table: Tag) -> list[list[str]]:
    """A table's rows, a ``<thead>`` row first; a nested table's rows are its own, not this table's."""
    head: list[list[str]] = []
    body: list[list[str]] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [clean(_html_text(cell)) for cell in tr.find_all(["th", "td"], recursive=False)]
        in_head = tr.parent is not None and tr.parent.name == "thead"
        (head if in_head else body).append(cells)
    return head + body


def _definitions(dl: Tag, line: int) -> list[Element]:
    """A definition list as ``term: description`` paragraphs, one per description."""
    out: list[Element] = []
    term: str | None = None
    described = False
    for item in dl.find_all(["dt", "dd"]):
        if item.find_parent("dl") is not dl:
            continue
        text = clean(_html_text(item))
        at = item.sourceline or line
        if item.name == "dt":
            if term and not described:
                out.append(Element("paragraph", term, line=at))
            term, described = text, False
        elif text:
            out.append(Element("paragraph", f"{term}: {text}" if term else text, line=at))
            described = True
    if term and not described:
        out.append(Element("paragraph", term, line=line))
    return out


def elements_from_html(text: str) -> list[Element]:
    """Elements of an HTML page: its ``<main>`` (else its ``<article>``, else all of it), without scripts and menus.

    Headings, list items, tables, rules and definition lists map to elements
    of their own; any other run of text between block tags (``<p>``, ``<div>``,
    ``<section>``, ...) is a paragraph, split at ``<br>`` when every line is a
    ``Label: value`` line. ``line`` is the tag's source line.
    """
    soup = BeautifulSoup(text, "html.parser")
    root = soup.find("main") or soup.find("article") or soup
    walker = _HtmlWalker()
    if isinstance(root, Tag) and root is not soup:
        walker.tag(root)
    else:
        walker.walk(soup)
    walker.flush()
    return walker.out


# ---------------------------------------------------------------- Word


_WORD_HEADING = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)
_WORD_TITLE = re.compile(r"^(?:title|rubrik)$", re.IGNORECASE)
_W_P, _W_TBL, _W_SDT, _W_SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")


def read_docx(path: Path) -> Document:
    """Read a Word (.docx) policy, or one error line when the file is not one or is damaged.

    Heading styles give headings (``Heading N``, Swedish ``Rubrik N``;
    ``Title``/``Rubrik`` is level 1), list styles or list numbering give
    bullets. ``line`` is the block's index in the body (paragraphs and
    tables, empty paragraphs counted), so a report can point at it.
    """
    data = _read_bytes(path)
    if data.startswith(_CFB_MAGIC):
        raise ReferenceDataError(
            f"{path}: not a .docx file: an old .doc or a password-protected document; save it unprotected as .docx"
        )
    if not data.startswith(_ZIP_MAGIC):
        other = _sniffed(data)
        raise ReferenceDataError(f"{path}: not a Word .docx file" + (f", the file is {other}" if other else ""))
    try:
        document = open_docx(io.BytesIO(data))
        elements = list(_docx_elements(document))
    except (PackageNotFoundError, KeyError):
        raise ReferenceDataError(f"{path}: not a Word .docx file (the zip holds no Word document)") from None
    except zipfile.BadZipFile as exc:
        raise ReferenceDataError(f"{path}: the Word file is damaged ({clean(str(exc))})") from None
    except Exception as exc:  # lxml, zipfile and python-docx raise many kinds on a damaged file
        raise ReferenceDataError(f"{path}: the Word file is damaged ({_first_line(exc)})") from None
    return Document(path, "docx", elements, _visible_text(elements))


def _docx_elements(document: WordDocument) -> Iterator[Element]:
    """The body's paragraphs and tables in document order (``doc.paragraphs`` and ``doc.tables`` lose it)."""

    def blocks(container: BaseOxmlElement) -> Iterator[BaseOxmlElement]:
        for child in container.iterchildren():
            if child.tag == _W_SDT:  # a content control (a table of contents, a form field): its blocks count
                for content in child.iterchildren(_W_SDT_CONTENT):
                    yield from blocks(content)
            elif child.tag in (_W_P, _W_TBL):
                yield child

    for index, block in enumerate(blocks(document.element.body), start=1):
        if isinstance(block, CT_Tbl):
            table = Table(block, document)
            element = _table(([cell.text for cell in row.cells] for row in table.rows), index)
            if element:
                yield element
        elif isinstance(block, CT_P):
            yield from _docx_paragraph(Paragraph(block, document), index)


def _docx_paragraph(paragraph: Paragraph, index: int) -> Iterator[Element]:
    text = paragraph.text
    if not clean(text):
        return
    style = paragraph.style
    name = (style.name or "").strip() if style is not None else ""
    heading = _WORD_HEADING.match(name)
    if heading or _WORD_TITLE.match(name):
        element = _heading(text, int(heading.group(1)) if heading else 1, index)
        if element:
            yield element
        return
    properties = paragraph._p.pPr
    if "list" in name.lower() or (properties is not None and properties.numPr is not None):
        yield Element("bullet", clean(text), line=index)
        return
    yield from _paragraphs([(line, index) for line in text.split("\n")])


# ---------------------------------------------------------------- PDF


def read_pdf(path: Path) -> Document:
    """Read a PDF policy's text (every page) through the plain-text reader, or one error line why not.

    A PDF keeps no headings or lists, only positioned text, so its extracted
    text is read like a plain-text policy. A scanned PDF (images, no text)
    and a password-protected one cannot be read and say so.
    """
    data = _read_bytes(path)
    if _PDF_MAGIC not in data[:1024]:  # readers accept junk before the header, as pypdf does
        other = _sniffed(data)
        raise ReferenceDataError(f"{path}: not a PDF file" + (f", the file is {other}" if other else ""))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ReferenceDataError(
                f"{path}: the PDF is password-protected; save the policy without a password or as text"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReferenceDataError:
        raise
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, ValueError, KeyError, ...) on a damaged file
        raise ReferenceDataError(f"{path}: the PDF is damaged or unreadable ({_first_line(exc)})") from None
    text = "\n".join(pages)
    if not text.strip():
        raise ReferenceDataError(f"{path}: the PDF holds no text (a scanned image?); save the policy as text")
    return Document(path, "pdf", elements_from_text(text), text)
