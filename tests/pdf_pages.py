"""Printing a workbook as a person would: LibreOffice to PDF, then poppler to read the pages back.

Helpers for ``tests/test_workbook_pdf.py``. Every page's footer names its
sheet (``&A`` in the footer), so a page's sheet is read from the page
itself, the way a reader of the printout finds it.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

TOOLS = ("soffice", "pdftotext", "pdfinfo")
CONVERT_TIMEOUT_S = 300


def missing_tools() -> list[str]:
    """The programs of :data:`TOOLS` that are not on ``PATH``."""
    return [t for t in TOOLS if shutil.which(t) is None]


def to_pdf(book: Path, out_dir: Path) -> Path:
    """``book`` printed to PDF by LibreOffice headless, with a private profile (no clash with a running office)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = (out_dir / "lo-profile").resolve().as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=CONVERT_TIMEOUT_S,
    )
    pdf = out_dir / (book.stem + ".pdf")
    if not pdf.exists():
        raise FileNotFoundError(f"LibreOffice wrote no PDF for {book}")
    return pdf


def page_count(pdf: Path) -> int:
    """Pages of ``pdf`` (``pdfinfo``)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def page_text(pdf: Path, page: int) -> str:
    """The text of one page (1-based) in its layout."""
    args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_sheet(page_text: str, sheets: list[str]) -> str | None:
    """The sheet a page belongs to: the sheet name its footer (the last line) starts with (longest match)."""
    lines = [line.strip() for line in page_text.splitlines() if line.strip()]
    if not lines:
        return None
    footer = lines[-1]
    named = [s for s in sheets if footer.startswith(s)]
    return max(named, key=len) if named else None


def pages_per_sheet(pdf: Path, sheets: list[str]) -> tuple[dict[str, list[int]], list[str]]:
    """Page numbers by sheet, and the texts of all pages."""
    texts = [page_text(pdf, p) for p in range(1, page_count(pdf) + 1)]
    out: dict[str, list[int]] = {}
    for number, txt in enumerate(texts, start=1):
        out.setdefault(page_sheet(txt, sheets) or "?", []).append(number)
    return out, texts


@dataclass(frozen=True)
class Line:
    """A text line's box on a page, in PDF points (y grows downwards), and its words."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    words: str


def text_lines(pdf: Path) -> list[Line]:
    """Every text line of ``pdf`` with its box (``pdftotext -bbox-layout``)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    root = ET.fromstring(xhtml)
    lines = []
    for number, page in enumerate((e for e in root.iter() if e.tag.endswith("page")), start=1):
        for line in (e for e in page.iter() if e.tag.endswith("line")):
            words = " ".join(w.text or "" for w in line if w.tag.endswith("word"))
            box = [float(line.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax")]
            lines.append(Line(number, *box, words))
    return lines


def overlaps(lines: list[Line], pages: set[int], tolerance: float = 0.3) -> list[tuple[Line, Line]]:
    """Pairs of lines on ``pages`` whose boxes intersect by more than ``tolerance`` of a line's height, and across.

    Two lines of one row side by side do not intersect; the lines of one
    wrapped cell touch (a font's box is a little taller than its line
    spacing, by about a tenth); text of one row printed over the next row's
    text intersects by a third of a line or more.
    """
    found = []
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        if line.page in pages:
            by_page.setdefault(line.page, []).append(line)
    for page_lines in by_page.values():
        page_lines.sort(key=lambda ln: ln.y0)
        for i, a in enumerate(page_lines):
            for b in page_lines[i + 1 :]:
                height = min(a.y1 - a.y0, b.y1 - b.y0)
                if b.y0 >= a.y1 - tolerance * height:
                    continue
                y = min(a.y1, b.y1) - max(a.y0, b.y0)
                x = min(a.x1, b.x1) - max(a.x0, b.x0)
                if y > tolerance * height and x > 1.0:
                    found.append((a, b))
    return found
