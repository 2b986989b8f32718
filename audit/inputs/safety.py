"""Checks a workbook must pass before any spreadsheet library parses it.

Input files come from outside the team (exports, templates, e-mail
attachments). Spreadsheet libraries either hang, exhaust memory, abort the
process or raise deep tracebacks on hostile or broken files, so every
.xlsx/.xlsm/.ods (and a previous report) is checked here first: a zip
container of the right kind, not encrypted, no zip bomb (by total unpacked
size and by compression ratio, the sizes proved by unpacking, not taken from
the zip's own directory), no XML entity declarations, and no sheet whose grid
would be too large to build (:mod:`audit.inputs.extent`). Every failure is an
:class:`InputError` whose one line names the file.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from audit.errors import InputError
from audit.inputs.extent import NotWellFormed, OdsSpans, Span, XlsxSpan, exact_xlsx_span

# Limits. A real register workbook is a few MB unpacked; a million-row extract
# about 400 MB. Anything beyond is refused rather than risked.
MAX_UNCOMPRESSED_BYTES = 1024**3
"""Total unpacked size of all members of one workbook (a 1,048,576-row Excel sheet of 9 columns is ~450 MB)."""
MAX_COMPRESSION_RATIO = 200
"""Unpacked/packed size of one member, and of the whole workbook; sheet XML compresses about 5-30x, zip bombs 1000x."""
RATIO_CHECK_MIN_BYTES = 4 * 1024**2
"""Below this unpacked size a member (or a whole workbook) is not ratio-checked: tiny XML parts compress very well."""
MAX_MEMBERS = 10_000
"""Members in one workbook; a real workbook has tens."""
MAX_SHEET_CELLS = 25_000_000
"""Cells of one sheet's grid (rows x columns from A1): 1,000,000 records of 25 columns."""
MAX_WORKBOOK_CELLS = 50_000_000
"""Cells of all sheets of one workbook together."""
_CHUNK = 1024 * 1024
_PACKED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""The compression methods Excel and LibreOffice write; anything else is refused, not unpacked."""
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_OVERLAP = max(len(m) for m in _DTD_MARKERS)
_MARKUP_DECLARATION = (b"<!", b"<\x00!")
"""What every DTD marker contains (``<\\x00!`` in UTF-16, either byte order): one cheap scan, then the exact ones."""
_LOCAL_HEADER = struct.Struct("<4s22xHH")

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Members that identify the format: OOXML (xlsx/xlsm) and OpenDocument (ods).
_FORMAT_MEMBERS = {".xlsx": "xl/workbook.xml", ".xlsm": "xl/workbook.xml", ".ods": "content.xml"}
_ODS_CELLS_MEMBER = "content.xml"


def require_defusedxml() -> None:
    """Refuse to read workbooks unless openpyxl parses XML through defusedxml.

    openpyxl only protects against XML entity attacks when defusedxml is
    importable; without it a hostile workbook could expand entities at will.
    """
    try:
        import defusedxml  # noqa: F401
        import openpyxl.xml
    except ImportError as exc:
        raise InputError(f"cannot read workbooks safely: {exc.name} is not installed") from None
    if not getattr(openpyxl.xml, "DEFUSEDXML", False):
        raise InputError("cannot read workbooks safely: openpyxl does not use defusedxml (install defusedxml)")


def check_workbook(path: Path, label: str) -> None:
    """Check that ``path`` is a well-formed, unencrypted, reasonably sized .xlsx/.xlsm/.ods.

    Every input workbook and every previous report goes through this one
    check before calamine or openpyxl opens it. It reads the file (read-only)
    once, unpacking each part in 1 MB chunks, so its time and memory are
    bounded by the limits above whatever the file claims.

    Parameters
    ----------
    path
        The file on disk (opened read-only).
    label
        The name to use in error messages (relative to the data folder).

    Raises
    ------
    InputError
        When the file is encrypted, not a zip, not the expected spreadsheet
        format, corrupt, declares a DTD, exceeds a size or ratio limit (as
        declared or as unpacked), or has a sheet whose grid would exceed
        :data:`MAX_SHEET_CELLS` (or all sheets :data:`MAX_WORKBOOK_CELLS`).
    """
    require_defusedxml()
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise InputError(f"{label}: cannot open file ({exc.strerror})") from None
    if magic.startswith(CFB_MAGIC):
        raise InputError(
            f"{label}: the file is encrypted (password-protected) or an old binary .xls; "
            "save it unencrypted as .xlsx, .ods or .csv"
        )
    if not magic.startswith(ZIP_MAGIC):
        raise InputError(f"{label}: not a spreadsheet (an {path.suffix} file must be a zip container)")
    try:
        with zipfile.ZipFile(path, "r") as zf:
            _check_members(zf, path, label)
    except zipfile.BadZipFile as exc:
        raise InputError(f"{label}: corrupt spreadsheet ({exc})") from None
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"{label}: corrupt spreadsheet ({type(exc).__name__}: {exc})") from None


def _check_members(zf: zipfile.ZipFile, path: Path, label: str) -> None:
    """The directory first (cheap, refuses most bombs unread), then every member as actually unpacked."""
    infos = zf.infolist()
    _check_directory(infos, path, label)
    ods = path.suffix.lower() == ".ods"
    spans: list[Span] = []
    unpacked = 0
    with path.open("rb") as raw:
        for info in infos:
            unpacked = _check_member(raw, info, label, unpacked, spans, ods)
    _check_spans(zf, spans, label)


def _check_directory(infos: list[zipfile.ZipInfo], path: Path, label: str) -> None:
    """Checks on the zip's directory alone: parts, format, encryption, methods, declared sizes and ratios."""
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{label}: refused, {len(infos)} parts in the workbook (limit {MAX_MEMBERS})")
    names = {info.filename for info in infos}
    expected = _FORMAT_MEMBERS.get(path.suffix.lower())
    if expected and expected not in names:
        raise InputError(f"{label}: not a {path.suffix} spreadsheet (no {expected} inside the zip)")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"{label}: refused as a possible zip bomb, {declared} bytes unpacked (limit {MAX_UNCOMPRESSED_BYTES})"
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(f"{label}: the file is encrypted (password-protected zip)")
        if info.compress_type not in _PACKED:
            raise InputError(
                f"{label}: refused, {info.filename} is packed with zip method {info.compress_type}, "
                "which spreadsheet programs do not write"
            )
        if _too_compressed(info.file_size, info.compress_size):
            raise InputError(
                f"{label}: refused as a possible zip bomb, {info.filename} unpacks "
                f"{info.file_size // max(info.compress_size, 1)}x (limit {MAX_COMPRESSION_RATIO}x)"
            )
    packed = sum(info.compress_size for info in infos)
    if _too_compressed(declared, packed):
        raise InputError(
            f"{label}: refused as a possible zip bomb, its {len(infos)} parts unpack "
            f"{declared // max(packed, 1)}x (limit {MAX_COMPRESSION_RATIO}x)"
        )


def _too_compressed(unpacked: int, packed: int) -> bool:
    return unpacked >= RATIO_CHECK_MIN_BYTES and unpacked > MAX_COMPRESSION_RATIO * max(packed, 1)


def _check_member(raw: BinaryIO, info: zipfile.ZipInfo, label: str, unpacked: int, spans: list[Span], ods: bool) -> int:
    """Unpack one member (bounded), checking its real size, CRC, DTDs and sheet span; the running total back.

    The sizes in a zip's directory can lie, and calamine unpacks a member to
    the end of its data whatever size it declares, so the limits are applied
    to the bytes actually unpacked.
    """
    xlsx = None if ods else XlsxSpan()
    table = OdsSpans() if ods and info.filename == _ODS_CELLS_MEMBER else None
    size, crc, window = 0, 0, b""
    try:
        for chunk in _unpack(raw, info, label):
            size += len(chunk)
            if unpacked + size > MAX_UNCOMPRESSED_BYTES:
                raise InputError(
                    f"{label}: refused as a possible zip bomb, more than {MAX_UNCOMPRESSED_BYTES} bytes unpacked"
                )
            if size > info.file_size:
                raise InputError(
                    f"{label}: refused as a possible zip bomb, {info.filename} unpacks to more than "
                    f"the {info.file_size} bytes it declares"
                )
            crc = zlib.crc32(chunk, crc)
            _check_dtd(window + chunk[:_OVERLAP], label, info)
            _check_dtd(chunk, label, info)
            window = chunk[-_OVERLAP:]
            if xlsx is not None:
                xlsx.feed(chunk)
            if table is not None:
                table.feed(chunk)
        if size != info.file_size or crc != info.CRC:
            raise InputError(f"{label}: corrupt spreadsheet (Bad CRC-32 for file {info.filename!r})")
        if xlsx is not None:
            spans.append(_xlsx_span(raw, info, label, xlsx))
        if table is not None:
            spans.extend(table.finish())
    except NotWellFormed as exc:
        raise InputError(f"{label}: refused, {info.filename} {exc}") from None
    return unpacked + size


def _check_dtd(data: bytes, label: str, info: zipfile.ZipInfo) -> None:
    """Refuse a member with a document type declaration anywhere: that is where XML entities are declared.

    Anywhere, not only at the top: a part may be named anything and start
    with kilobytes of comments; and in UTF-8 or UTF-16.
    """
    if any(m in data for m in _MARKUP_DECLARATION) and any(m in data for m in _DTD_MARKERS):
        raise InputError(f"{label}: refused, {info.filename} declares a DTD (possible XML bomb)")


def _xlsx_span(raw: BinaryIO, info: zipfile.ZipInfo, label: str, fast: XlsxSpan) -> Span:
    """The member's span: from the fast scan, or unpacked once more and parsed when the fast scan could not tell."""
    fast.finish()
    if fast.simple:
        return Span(info.filename, fast.rows, fast.cols)
    rows, cols = exact_xlsx_span(_unpack(raw, info, label))
    return Span(info.filename, rows, cols)


def _unpack(raw: BinaryIO, info: zipfile.ZipInfo, label: str) -> Iterator[bytes]:
    """The unpacked bytes of one member, in chunks of at most 1 MB, read from its raw data.

    :mod:`zipfile` stops at the size the directory declares; unpacking the
    raw deflate stream here shows what a library that ignores it would get.
    """
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise InputError(f"{label}: corrupt spreadsheet (bad local header for {info.filename!r})")
    _, name_len, extra_len = _LOCAL_HEADER.unpack(header)
    raw.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left = info.compress_size
    while left > 0:
        data = raw.read(min(_CHUNK, left))
        if not data:
            raise InputError(f"{label}: corrupt spreadsheet ({info.filename!r} is cut short)")
        left -= len(data)
        if inflate is None:
            yield data
            continue
        try:
            while data:
                out = inflate.decompress(data, _CHUNK)
                data = inflate.unconsumed_tail
                if out:
                    yield out
        except zlib.error as exc:
            raise InputError(f"{label}: corrupt spreadsheet ({info.filename!r}: {exc})") from None
        if inflate.eof:
            return
    if inflate is not None and not inflate.eof:
        raise InputError(f"{label}: corrupt spreadsheet ({info.filename!r} is cut short)")


def _check_spans(zf: zipfile.ZipFile, spans: list[Span], label: str) -> None:
    """Refuse a sheet, or a workbook, whose grids would be too large to build."""
    for span in spans:
        if span.cells > MAX_SHEET_CELLS:
            raise InputError(
                f"{label}: refused, sheet {_sheet_name(zf, span.sheet)} spans {span.rows:,} rows x "
                f"{span.cols:,} columns ({span.cells:,} cells; limit {MAX_SHEET_CELLS:,})"
            )
    total = sum(span.cells for span in spans)
    if total > MAX_WORKBOOK_CELLS:
        raise InputError(f"{label}: refused, its sheets span {total:,} cells together (limit {MAX_WORKBOOK_CELLS:,})")


_WORKBOOK_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_NAME_LIMIT = 4 * 1024 * 1024


def _sheet_name(zf: zipfile.ZipFile, part: str) -> str:
    """``'Name' (xl/worksheets/sheet2.xml)`` for an .xlsx part, as the DPO sees it; the part or table name else.

    Only called to word an error, after every member passed the DTD and size checks.
    """
    if "/" not in part:
        return repr(part)  # an .ods table name
    try:
        rels = _attrs(zf, "xl/_rels/workbook.xml.rels", _RELATIONSHIP)
        sheets = _attrs(zf, "xl/workbook.xml", _WORKBOOK_SHEET)
    except (KeyError, OSError, zipfile.BadZipFile):
        return part
    targets = {r.get("Id"): "xl/" + r.get("Target", "").removeprefix("/xl/").removeprefix("/") for r in rels}
    for sheet in sheets:
        rid = next((v for k, v in sheet.items() if k.endswith(":id")), None)
        if targets.get(rid) == part:
            return f"{sheet.get('name', '')!r} ({part})"
    return part


def _attrs(zf: zipfile.ZipFile, member: str, tag: re.Pattern[bytes]) -> list[dict[str, str]]:
    with zf.open(member) as fh:
        data = fh.read(_NAME_LIMIT)
    return [
        {k.decode(): (a or b).decode("utf-8", "replace") for k, a, b in _ATTR.findall(m.group(0))}
        for m in tag.finditer(data)
    ]
