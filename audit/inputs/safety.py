"""Checks a workbook must pass before any spreadsheet library parses it.

Input files come from outside the team (exports, templates, e-mail
attachments). Spreadsheet libraries either hang, exhaust memory or raise deep
tracebacks on hostile or broken files, so every .xlsx/.xlsm/.ods is checked
here first: a zip container of the right kind, not encrypted, no zip bomb, no
XML entity declarations. Every failure is an :class:`InputError` whose one
line names the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from audit.errors import InputError

# Limits. A real register workbook is a few MB unpacked; a million-row extract
# a few hundred MB. Anything beyond is refused rather than risked.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
"""Total unpacked size of all members of one workbook."""
MAX_COMPRESSION_RATIO = 200
"""Unpacked/packed size of one member; sheet XML compresses about 10-30x, zip bombs 1000x and more."""
RATIO_CHECK_MIN_BYTES = 4 * 1024**2
"""Members smaller than this unpacked are not ratio-checked (tiny XML parts compress very well and are harmless)."""
MAX_MEMBERS = 10_000
"""Members in one workbook; a real workbook has tens."""
XML_PROLOGUE_BYTES = 64 * 1024
"""How much of each XML member is scanned for a DTD (entity declarations live at the very top)."""
_CHUNK = 1024 * 1024

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Members that identify the format: OOXML (xlsx/xlsm) and OpenDocument (ods).
_FORMAT_MEMBERS = {".xlsx": "xl/workbook.xml", ".xlsm": "xl/workbook.xml", ".ods": "content.xml"}


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
        format, corrupt, or exceeds a size or ratio limit.
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
    infos = zf.infolist()
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
        if info.file_size >= RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise InputError(
                f"{label}: refused as a possible zip bomb, {info.filename} unpacks "
                f"{info.file_size // max(info.compress_size, 1)}x (limit {MAX_COMPRESSION_RATIO}x)"
            )
    # Declared sizes can lie; read every member (bounded) so the CRC check proves them.
    total = 0
    for info in infos:
        with zf.open(info, "r") as member:
            head = member.read(XML_PROLOGUE_BYTES)
            if info.filename.endswith((".xml", ".rels", ".vml")) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
                raise InputError(f"{label}: refused, {info.filename} declares a DTD (possible XML bomb)")
            total += len(head)
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > MAX_UNCOMPRESSED_BYTES:
                    raise InputError(
                        f"{label}: refused as a possible zip bomb, more than {MAX_UNCOMPRESSED_BYTES} bytes unpacked"
                    )
