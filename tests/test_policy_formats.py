"""Policy documents in Markdown, HTML, Word and PDF read into the same elements as plain text.

Each format test builds a small policy in that format (the same content:
a numbered heading, a paragraph with inline markup, labelled lines, a
nested list, a table, a separator) and asserts the exact elements, so a
parser change that relies on one shape works for every format.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import ReferenceDataError
from audit.policy.document import Element, elements_from_text, read_document
from audit.policy.formats import elements_from_html, elements_from_markdown, split_number

TABLE_ROWS = (("Recipient", "Country"), ("Mailchimp", "US"))
TABLE = Element("table", "Recipient | Country | Mailchimp | US", rows=TABLE_ROWS)

MARKDOWN = """\
# Privacy policy

We are **Exempel AB**, see [our site](https://example.se) and `privacy@example.se`.

## 3. Who we share with

- Newsletter provider
  - a nested *item*
- IT support

**Purpose:** To send the newsletter.
**Legal basis:** Consent.

| Recipient | Country |
|-----------|---------|
| Mailchimp | US      |

---

Last paragraph
over two lines.
"""


def kinds(elements: list[Element]) -> list[tuple[str, str, int, str | None, tuple[tuple[str, ...], ...]]]:
    """The elements without their line numbers (asserted separately)."""
    return [(e.kind, e.text, e.level, e.number, e.rows) for e in elements]


EXPECTED = [
    ("heading", "Privacy policy", 1, None, ()),
    ("paragraph", "We are Exempel AB, see our site and privacy@example.se.", 0, None, ()),
    ("heading", "Who we share with", 2, "3", ()),
    ("bullet", "Newsletter provider", 0, None, ()),
    ("bullet", "a nested item", 0, None, ()),
    ("bullet", "IT support", 0, None, ()),
    ("paragraph", "Purpose: To send the newsletter.", 0, None, ()),
    ("paragraph", "Legal basis: Consent.", 0, None, ()),
    ("table", TABLE.text, 0, None, TABLE_ROWS),
    ("separator", "", 0, None, ()),
    ("paragraph", "Last paragraph over two lines.", 0, None, ()),
]


def test_markdown_gives_headings_bullets_labelled_lines_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "markdown"
    assert kinds(doc.elements) == EXPECTED
    assert [e.line for e in doc.elements] == [1, 3, 5, 7, 8, 9, 11, 12, 14, 18, 20]
    assert doc.text == MARKDOWN


def test_markdown_with_bom_and_setext_heading(tmp_path: Path) -> None:
    path = tmp_path / "policy.markdown"
    path.write_bytes("\ufeffIntegritetspolicy\n=================\n\n1. Första punkten\n2. Andra\n".encode())
    doc = read_document(path)
    assert kinds(doc.elements) == [
        ("heading", "Integritetspolicy", 1, None, ()),
        ("bullet", "Första punkten", 0, None, ()),
        ("bullet", "Andra", 0, None, ()),
    ]


def test_a_text_policy_saved_as_markdown_keeps_its_numbered_headings(tmp_path: Path) -> None:
    bundled = Path(__file__).resolve().parents[1] / "data" / "policy" / "integritetspolicy.txt"
    path = tmp_path / "integritetspolicy.md"
    path.write_bytes(bundled.read_bytes())
    as_text = read_document(bundled).elements
    as_markdown = read_document(path).elements

    def numbered(elements: list[Element]) -> list[tuple[str | None, str]]:
        return [(e.number, e.text) for e in elements if e.kind == "heading" and e.level == 1]

    assert numbered(as_markdown) == numbered(as_text)
    assert [n for n, _ in numbered(as_markdown)] == [str(n) for n in range(1, 11)]
    # a real numbered list stays a list, and with numbered # headings a lone item is an item
    assert kinds(elements_from_markdown("1. One\n2. Two\n")) == [
        ("bullet", "One", 0, None, ()),
        ("bullet", "Two", 0, None, ()),
    ]
    assert kinds(elements_from_markdown("# 1. A\n\n2. B\n"))[1] == ("bullet", "B", 0, None, ())


def test_a_markdown_row_with_more_cells_than_the_header_keeps_them() -> None:
    elements = elements_from_markdown("> | a | b |\n> |---|---|\n> | c | d | **e** \\| f | g |\n")
    assert elements[0].rows == (("a", "b"), ("c", "d", "e | f", "g"))


def test_a_paragraph_is_split_only_when_every_line_is_labelled() -> None:
    elements = elements_from_markdown("**Purpose:** To send it.\nand a line without a label.\n")
    assert kinds(elements) == [("paragraph", "Purpose: To send it. and a line without a label.", 0, None, ())]


HTML = """\
<!DOCTYPE html>
<html><head><title>Policy</title><style>p {color: red}</style></head>
<body><nav><a href="/">Home</a></nav>
<script>var tracking = "not policy";</script>
<main>
<h1>Privacy policy</h1>
<p>We are <strong>Exempel AB</strong>, see <a href="https://example.se">our site</a> and <code>privacy@example.se</code>.</p>
<h2>3. Who we share with</h2>
<ul>
  <li>Newsletter provider<ul><li>a nested <em>item</em></li></ul></li>
  <li>IT support</li>
</ul>
<p><strong>Purpose:</strong> To send the newsletter.<br>
<b>Legal basis:</b> Consent.</p>
<table>
  <thead><tr><th>Recipient</th><th>Country</th></tr></thead>
  <tbody><tr><td>Mailchimp</td><td>US</td></tr></tbody>
</table>
<hr>
<div>Last paragraph
over two lines.</div>
<dl><dt>Controller</dt><dd>Exempel AB</dd></dl>
<noscript>Enable JavaScript</noscript>
</main>
<footer>Cookie banner</footer>
</body></html>
"""


def test_html_reads_only_main_and_maps_tags_to_elements(tmp_path: Path) -> None:
    path = tmp_path / "policy.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "html"
    assert kinds(doc.elements) == [*EXPECTED, ("paragraph", "Controller: Exempel AB", 0, None, ())]
    assert [e.line for e in doc.elements] == [6, 7, 8, 10, 10, 11, 13, 14, 15, 19, 20, 22]
    assert doc.text == "\n".join(e.text for e in doc.elements)
    assert "tracking" not in doc.text and "Home" not in doc.text and "Cookie" not in doc.text


def test_html_without_main_reads_the_body_and_a_first_row_of_th_is_the_header(tmp_path: Path) -> None:
    path = tmp_path / "policy.htm"
    path.write_text(
        "<html><body><h3>Om oss</h3>Text directly in the body"
        "<table><tr><td>late</td><td>row</td></tr><tr><th>A</th><th>B</th></tr></table></body></html>",
        encoding="utf-8",
    )
    elements = read_document(path).elements
    assert kinds(elements) == [
        ("heading", "Om oss", 3, None, ()),
        ("paragraph", "Text directly in the body", 0, None, ()),
        ("table", "late | row | A | B", 0, None, (("late", "row"), ("A", "B"))),
    ]
    head_first = elements_from_html(
        "<table><tbody><tr><td>x</td></tr></tbody><thead><tr><th>H</th></tr></thead></table>"
    )
    assert head_first[0].rows == (("H",), ("x",))


def test_html_falls_back_to_its_meta_charset_then_cp1252(tmp_path: Path) -> None:
    declared = tmp_path / "latin.html"
    declared.write_bytes('<meta charset="iso-8859-1"><p>Vi sparar uppgifterna i två år.</p>'.encode("latin-1"))
    assert read_document(declared).elements[0].text == "Vi sparar uppgifterna i två år."
    undeclared = tmp_path / "windows.html"
    undeclared.write_bytes("<p>Personuppgiftsansvarig – Exempel AB</p>".encode("cp1252"))
    assert read_document(undeclared).elements[0].text == "Personuppgiftsansvarig – Exempel AB"


def _word_policy(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Integritetspolicy", style="Title")
    document.add_heading("3. Who we share with", level=1)
    document.add_paragraph("We share data with processors.")
    document.add_paragraph("")  # empty: skipped, but still counted as a block
    document.add_paragraph("Newsletter provider", style="List Bullet")
    paragraph = document.add_paragraph("Purpose: To send the newsletter.")
    paragraph.add_run().add_break()
    paragraph.add_run("Legal basis: Consent.")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate(TABLE_ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_heading("Sub heading", level=2)
    document.save(str(path))


def test_word_gives_styles_as_headings_and_bullets_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "policy.docx"
    _word_policy(path)
    doc = read_document(path)
    assert doc.format == "docx"
    assert kinds(doc.elements) == [
        ("heading", "Integritetspolicy", 1, None, ()),
        ("heading", "Who we share with", 1, "3", ()),
        ("paragraph", "We share data with processors.", 0, None, ()),
        ("bullet", "Newsletter provider", 0, None, ()),
        ("paragraph", "Purpose: To send the newsletter.", 0, None, ()),
        ("paragraph", "Legal basis: Consent.", 0, None, ()),
        ("table", TABLE.text, 0, None, TABLE_ROWS),
        ("heading", "Sub heading", 2, None, ()),
    ]
    assert [e.line for e in doc.elements] == [1, 2, 3, 5, 6, 6, 7, 8]
    assert doc.text == "\n".join(e.text for e in doc.elements)


def test_word_swedish_styles_list_numbering_and_content_controls(tmp_path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.styles.add_style("Rubrik 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("4. Hur länge vi sparar", style="Rubrik 2")
    numbered = document.add_paragraph("Kunduppgifter")  # a list item by its numbering, not its style
    numbered._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')
    )
    document.element.body.insert(
        0,
        parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Innehåll</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    path = tmp_path / "svensk.docx"
    document.save(str(path))
    assert [(e.kind, e.text, e.level, e.number, e.line) for e in read_document(path).elements] == [
        ("paragraph", "Innehåll", 0, None, 1),
        ("heading", "Hur länge vi sparar", 2, "4", 2),
        ("bullet", "Kunduppgifter", 0, None, 3),
    ]


PDF_LINES = [
    "Integritetspolicy",
    "1. Vem vi är",
    "Exempel AB är personuppgiftsansvarig.",
    "• Nyhetsbrev",
    "2. Hur länge vi sparar",
]


def _pdf(path: Path, lines: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        for n, line in enumerate(lines):
            fig.text(0.1, 0.9 - n * 0.04, line, fontsize=11)
        fig.savefig(path, format="pdf")
        plt.close(fig)


def test_pdf_text_goes_through_the_plain_text_reader(tmp_path: Path) -> None:
    path = tmp_path / "policy.pdf"
    _pdf(path, PDF_LINES)
    doc = read_document(path)
    assert doc.format == "pdf"
    assert doc.text.splitlines() == PDF_LINES
    assert kinds(doc.elements) == [
        ("heading", "Integritetspolicy", 2, None, ()),
        ("heading", "Vem vi är", 1, "1", ()),
        ("paragraph", "Exempel AB är personuppgiftsansvarig.", 0, None, ()),
        ("bullet", "Nyhetsbrev", 0, None, ()),
        ("heading", "Hur länge vi sparar", 1, "2", ()),
    ]


def test_a_pdf_without_text_says_it_may_be_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _pdf(path, [])
    with pytest.raises(ReferenceDataError, match=r"scan\.pdf: the PDF holds no text \(a scanned image\?\)"):
        read_document(path)


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    _pdf(plain, PDF_LINES)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ReferenceDataError, match=r"locked\.pdf: the PDF is password-protected"):
        read_document(locked)
    open_writer = PdfWriter(clone_from=PdfReader(plain))
    open_writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    opened = tmp_path / "opened.pdf"
    with opened.open("wb") as fh:
        open_writer.write(fh)
    assert read_document(opened).text.splitlines() == PDF_LINES


def _zip(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("bad.docx", b"this is not a zip", "not a Word .docx file"),
        ("pdf.docx", b"%PDF-1.4\n...", "not a Word .docx file, the file is a PDF"),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "an old .doc or a password-protected document"),
        ("cut.docx", None, "the Word file is damaged"),
        ("empty.docx", "zip", "the zip holds no Word document"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<", "the PDF is damaged or unreadable"),
        ("text.pdf", b"just some text", "not a PDF file"),
        ("zip.pdf", b"PK\x03\x04" + b"\0" * 40, "not a PDF file, the file is a zip file"),
        ("word.html", b"PK\x03\x04" + b"\0" * 40, "not an HTML page, the file is a zip file"),
        ("binary.html", b"<p>\x00\x01\x02</p>", "not an HTML page, the file holds binary data"),
        ("badcharset.html", b'<meta charset="klingon"><p>\xff</p>', "declares an unknown charset 'klingon'"),
        ("deep.html", b"<div>" * 5000 + b"x", "nests its tags too deeply"),
        ("latin.md", "Två år".encode("latin-1"), "the policy text is not UTF-8"),
        ("policy.doc", b"", "cannot read a policy from a .doc file"),
    ],
)
def test_unreadable_files_give_one_error_line_naming_the_file(
    tmp_path: Path, name: str, content: bytes | str | None, says: str
) -> None:
    path = tmp_path / name
    if content is None:  # a real .docx cut in half
        whole = tmp_path / "whole.docx"
        _word_policy(whole)
        data = whole.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif content == "zip":
        _zip(path, {"readme.txt": "not word"})
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(ReferenceDataError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert says in message


def test_a_missing_file_is_one_error_line(tmp_path: Path) -> None:
    for suffix in (".md", ".html", ".docx", ".pdf"):
        path = tmp_path / f"missing{suffix}"
        with pytest.raises(ReferenceDataError, match=re.escape(f"{path}: cannot read the policy")):
            read_document(path)


def test_split_number_takes_a_leading_number_only() -> None:
    assert split_number("10.  En översikt ") == ("10", "En översikt")
    assert split_number("3.1 Sub") == (None, "3.1 Sub")
    assert split_number("2024 in review") == (None, "2024 in review")


# --- properties ------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
# Markdown syntax that drops text by design is left out of the text: link
# destinations and reference definitions ([ ]), raw HTML and autolinks (< >),
# entities (&) and fence info strings (` ~). Markdown pieces are mixed in so
# headings, lists, quotes, emphasis and tables (with too many cells) occur.
_MARKDOWN_PIECES = st.sampled_from(
    ["# ", "## 2. ", "\n", "\n\n", "- ", "  - ", "    ", "**", "*", "_", "1. ", "2) ", "---", "> ", "Label: ",
     "\\", "=", "\t", "+ ", "|", "|---|---|\n", "| a | b |\n", "\\|"]
)  # fmt: skip
_MARKDOWN_SAFE = st.lists(
    st.one_of(_MARKDOWN_PIECES, st.text(st.characters(blacklist_characters="[]<>&`~", blacklist_categories=("Cs",)))),
    max_size=40,
).map("".join)


_LIST_MARKER = re.compile(r"(?m)^(?:[\s>*+-]*\d{1,9}[.)](?=\s|$))+")
"""An ordered-list marker ("1. ", "2) "), nested or quoted: markup, its number is not a word of the text."""


def _words_kept(source: str, elements: list[Element]) -> list[str]:
    """The source's words (not list-marker numbers) that appear in no element's text, number or cells."""
    source = _LIST_MARKER.sub(" ", "\n".join(source.splitlines()))  # "\r" ends a line too
    held = [e.text for e in elements] + [e.number or "" for e in elements]
    held += [cell for e in elements for row in e.rows for cell in row]
    return [w for w in _WORD.findall(source) if not any(w in h for h in held)]


@settings(max_examples=150)
@given(st.one_of(st.text(), _MARKDOWN_SAFE))
def test_plain_text_reader_never_raises_nor_loses_a_word(text: str) -> None:
    assert _words_kept(text, elements_from_text(text)) == []


@settings(max_examples=150)
@given(_MARKDOWN_SAFE)
def test_markdown_reader_never_raises_nor_loses_a_word(text: str) -> None:
    assert _words_kept(text, elements_from_markdown(text)) == []


@settings(max_examples=100)
@given(st.text())
def test_markdown_reader_never_raises_on_any_text(text: str) -> None:
    for element in elements_from_markdown(text):
        assert element.kind in ("heading", "paragraph", "bullet", "table", "separator")


_HTML_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<br>", "<h2>", "</h2>", "<h1>1. ", "<ul>", "<ol>", "<li>", "</li>", "</ul>", "<table>",
        "<tr>", "<th>", "<td>", "</td>", "</table>", "<thead>", "<dl>", "<dt>", "<dd>", "</dl>", "<hr>", "<main>",
        "</main>", "<article>", "<script>", "</script>", "<!--", "-->", "<![CDATA[", "]]>", "<strong>", "Label:",
        "&amp;", "&#0;", "&#x110000;", "<div", ">", "<", '<meta charset="x">', "<nav>", "<?php", "<!DOCTYPE html>",
    ]
)  # fmt: skip


@settings(max_examples=150)
@given(st.lists(st.one_of(_HTML_PIECES, st.text(max_size=8)), max_size=30).map("".join))
def test_html_reader_never_raises(html: str) -> None:
    elements = elements_from_html(html)
    assert all(e.kind != "table" or e.rows for e in elements)
    assert all(e.text or e.kind == "separator" for e in elements)
