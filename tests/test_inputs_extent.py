"""Sheet spans computed from the raw XML: the same as the grid calamine builds, or larger, never smaller."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from audit.errors import InputError
from audit.inputs import safety
from audit.inputs.extent import NotWellFormed, OdsSpans, XlsxSpan, exact_xlsx_span

SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>'
)
V = '<c t="inlineStr"><is><t>x</t></is></c>'


def fast(xml: bytes, chunk: int = 1 << 20) -> XlsxSpan:
    span = XlsxSpan()
    for i in range(0, len(xml), chunk):
        span.feed(xml[i : i + chunk])
    span.finish()
    return span


def exact(xml: bytes, chunk: int = 1 << 20) -> tuple[int, int]:
    return exact_xlsx_span(xml[i : i + chunk] for i in range(0, len(xml), chunk))


def cell(ref: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>'


def test_fast_scan_reads_canonical_references() -> None:
    xml = SHEET.format(f'<row r="1">{cell("A1")}{cell("AB1")}</row><row r="70">{cell("C70")}</row>').encode()
    span = fast(xml)
    assert (span.simple, span.rows, span.cols) == (True, 70, 28)
    assert exact(xml) == (70, 28)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (f"<row>{V}{V}{V}</row><row>{V}</row>", (2, 3)),  # no references at all: counted one by one
        (f'<row r="5">{V}{V}</row>', (5, 2)),  # a row number, cells without
        (f'<row r="1">{cell("A1")}{V}</row><row r="3">{cell("c3")}</row>', (3, 3)),  # lower case
        ('<row r="1"><c s="1" r="D1" t="inlineStr"><is><t>x</t></is></c></row>', (1, 4)),  # r not first
        ("<row r='1'><c r = 'F9' t='inlineStr'><is><t>x</t></is></c></row>", (9, 6)),  # quotes, spaces
        (f'<row r="1">{cell("A1")}</row><row r="1048576">{V}</row>', (1048576, 1)),
    ],
    ids=["no-refs", "row-only", "lower-case", "r-not-first", "quotes", "far-row-no-ref"],
)
def test_other_forms_go_to_the_exact_scan(rows: str, expected: tuple[int, int]) -> None:
    xml = SHEET.format(rows).encode()
    assert not fast(xml).simple
    assert exact(xml) == expected


def test_namespace_prefixed_cells_go_to_the_exact_scan() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row r="1"><x:c r="E7" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>'
    )
    assert not fast(xml).simple
    assert exact(xml) == (7, 5)


def test_utf16_part_goes_to_the_exact_scan() -> None:
    xml = ('<?xml version="1.0" encoding="UTF-16"?>' + SHEET.format(f'<row r="4">{cell("D4")}</row>')).encode("utf-16")
    assert not fast(xml).simple
    assert exact(xml) == (4, 4)


def test_references_beyond_any_sheet_count_as_huge() -> None:
    assert fast(SHEET.format(f"<row>{cell('AAAAA1')}</row>").encode()).cols >= 10**12
    assert fast(SHEET.format(f"<row>{cell('A123456789012')}</row>").encode()).rows >= 10**12


def test_malformed_sheet_data_is_refused_other_malformed_parts_are_not() -> None:
    with pytest.raises(NotWellFormed, match="not well-formed"):
        exact(b"<worksheet><sheetData><row><c>x</row></sheetData>")
    assert exact(b"\x89PNG <c \x00\x01 binary") == (0, 0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 800)), min_size=1, max_size=8),
    chunk=st.integers(7, 4096),
)
def test_span_matches_the_grid_calamine_builds(tmp_path: Path, cells: list[tuple[int, int]], chunk: int) -> None:
    """Cells anywhere, written by openpyxl, the XML fed in chunks of any size: the span is calamine's grid."""
    wb = openpyxl.Workbook()
    for row, col in cells:
        wb.active.cell(row=row, column=col, value="x")
    path = tmp_path / "w.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    span = fast(xml, chunk)
    assert span.simple
    assert (span.rows, span.cols) == (max(r for r, _ in cells), max(c for _, c in cells))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert sheet.end == (span.rows - 1, span.cols - 1)


def test_exact_scan_refuses_a_bomb_of_cells_without_references(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    far = f'<row r="1">{cell("XFD1")}</row><row r="1048576">{V}</row>'
    members["xl/worksheets/sheet1.xml"] = SHEET.format(far).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(InputError, match=r"spans 1,048,576 rows x 16,384 columns"):
        safety.check_workbook(path, "w.xlsx")


# --- OpenDocument ----------------------------------------------------------------------------------------

TABLE = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
    '<table:table table:name="T">{}</table:table></office:spreadsheet></office:body></office:document-content>'
)
ONE = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
EMPTY = "<table:table-cell/>"


def ods(rows: str, chunk: int = 1 << 20) -> tuple[int, int]:
    xml = TABLE.format(rows).encode()
    spans = OdsSpans()
    for i in range(0, len(xml), chunk):
        spans.feed(xml[i : i + chunk])
    (span,) = spans.finish()
    return span.rows, span.cols


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            f'<table:table-row>{ONE}</table:table-row><table:table-row table:number-rows-repeated="5">'
            f"{EMPTY}</table:table-row><table:table-row>{ONE}</table:table-row>",
            (7, 1),
        ),
        (f'<table:table-row><table:table-cell table:number-columns-repeated="5"/>{ONE}</table:table-row>', (1, 6)),
        (f'<table:table-row table:number-rows-repeated="3">{ONE}</table:table-row>', (3, 1)),
        (
            '<table:table-row><table:table-cell table:number-columns-repeated="3" office:value-type="float" '
            'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>',
            (1, 3),
        ),
        (
            f'<table:table-row>{ONE}<table:table-cell table:number-columns-repeated="1023"/></table:table-row>'
            '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row>',
            (1, 1),
        ),
        ("<table:table-row><table:table-cell><text:p>text only</text:p></table:table-cell></table:table-row>", (1, 1)),
    ],
    ids=["empty-rows-then-value", "empty-cells-then-value", "repeated-rows", "repeated-cells", "trailing", "text"],
)
def test_ods_repeats_counted_as_calamine_counts_them(rows: str, expected: tuple[int, int]) -> None:
    assert ods(rows) == expected
    assert ods(rows, chunk=5) == expected


def test_ods_content_that_is_not_xml_is_refused() -> None:
    spans = OdsSpans()
    with pytest.raises(NotWellFormed):
        spans.feed(b"<office:document-content><table:table>&nope;")
        spans.finish()
