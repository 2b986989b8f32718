"""Policy documents in Markdown, HTML, Word and PDF, read into :class:`audit.policy.document.Element` lists."""

from __future__ import annotations

from pathlib import Path

from audit.errors import ReferenceDataError
from audit.policy.document import Document, elements_from_text, read_text_file


def read(path: Path) -> Document:
    """Read ``path`` by its suffix; one error line for a format the product does not read."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        text = read_text_file(path)
        return Document(path, "markdown", elements_from_text(text), text)
    raise ReferenceDataError(f"{path}: cannot read a policy from a {suffix or 'suffix-less'} file")
