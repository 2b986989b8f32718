"""Writing report files safely: atomically, and with no formula injection.

A report is written to a temporary file in the target folder and renamed
into place, so a failed run never leaves half a file or destroys the
previous report. Text that a spreadsheet would execute (a cell starting with
``=``, ``+``, ``-``, ``@``) is neutralised in CSV output, because DPOs open
CSVs in Excel.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and rename the result to ``path``.

    The temporary file lives in the same folder, so the final ``os.replace``
    is atomic on the same file system. On any exception the temporary file
    is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates the file private (0600); a report is an ordinary file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def clean_text(value: object) -> object:
    """Remove control characters (other than tab and line breaks) from text; other values pass through."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


def _flat(value: object) -> object:
    """List cells as ``a; b`` (the inputs' own list notation) rather than a Python repr."""
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot be read as formulas by a spreadsheet.

    Follows the OWASP advice for CSV injection: text starting with a
    formula character gets a leading apostrophe, and so does such a column
    name. Only text cells are touched; numbers and dates keep their values.
    """
    out = frame.copy()
    # Column names can come from input headers: they are cells of the CSV too.
    out.columns = [_header_text(name) for name in out.columns]
    for i in range(out.shape[1]):  # by position: an input may repeat a header
        col = out.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            s = col.map(_flat).map(clean_text)
            text = s.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
            out.isetitem(i, s.where(~text.astype(bool), "'" + s.astype(str)))
    return out


def _header_text(name: object) -> str:
    """A column name as CSV text: control characters removed, a leading apostrophe before a formula character."""
    text = _CONTROL.sub("", str(name))
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV, atomically and formula-safe."""
    return atomic_write(path, lambda tmp: csv_safe(frame).to_csv(tmp, index=False, encoding="utf-8"))
