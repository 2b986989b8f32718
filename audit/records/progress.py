"""Progress of the record scans: one report per extract read, for a command line or a notebook to show.

A scan of a hundred million records takes a while; the DPO should see that
it moves and which extract it is on, not a frozen prompt. The loader calls
a :data:`Progress` callable after each extract; the command line prints a
line, a notebook draws a bar (:func:`audit.report.notebook.progress_bar`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractRead:
    """One extract read: its file, records, seconds taken, and its place among the extracts (``number`` of ``total``)."""

    file: str
    records: int
    seconds: float
    number: int
    total: int


Progress = Callable[[ExtractRead], None]
