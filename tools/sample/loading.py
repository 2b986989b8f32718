"""Reading the sample's fixture files, with errors that name the file and the key.

The fixtures in ``tools/sample/fixtures/`` are edited by hand, and YAML is
forgiving in ways that would silently change the generated files: an
unquoted ``no`` is a boolean, ``2026-03-16`` is a date where text was meant,
a misspelt key is just another key. Every value is therefore read through a
:class:`Node`, which knows where in which file it sits and checks its kind,
so a bad edit stops the generator with ``organisation.yaml: vendors.rows[20].country:
expected text, got False`` instead of a different spreadsheet or a
``KeyError`` far from the cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from string import Formatter
from typing import Any, NoReturn

import yaml

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

_KINDS: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "integer": (int,),
    "number": (int, float),
    "date": (date,),
    "flag": (bool,),
    "mapping": (dict,),
    "list": (list,),
    "cell": (str, int, date, type(None)),
}
_WORDS = {
    "text": "text",
    "integer": "an integer",
    "number": "a number",
    "date": "a date (YYYY-MM-DD, unquoted)",
    "flag": "true or false",
    "mapping": "a mapping",
    "list": "a list",
    "cell": "text, an integer, a date or null",
}


class FixtureError(ValueError):
    """A fixture file is missing or malformed; the message names the file and the key."""


def is_kind(value: Any, kind: str) -> bool:
    """Whether ``value`` is of ``kind`` (see ``_KINDS``).

    A boolean is never a number or a cell and a timestamp never a date,
    although Python's types say otherwise: YAML produces them from ``yes``
    or ``2026-01-01 10:00``, which in these fixtures are always mistakes.
    """
    if isinstance(value, bool) and kind != "flag":
        return False
    if isinstance(value, datetime):
        return False
    return isinstance(value, _KINDS[kind])


@dataclass(frozen=True)
class Node:
    """A value read from a fixture file together with where it sits (file and key path).

    Parameters
    ----------
    value
        The parsed YAML value.
    file
        The file's name, as error messages show it.
    path
        Dotted key path inside the file (``vendors.rows[3].country``); empty at the top.
    """

    value: Any
    file: str
    path: str = ""

    def fail(self, message: str) -> NoReturn:
        """Raise :class:`FixtureError` for this value, naming file and key."""
        raise FixtureError(f"{self.file}: {self.path or 'top level'}: {message}")

    def want(self, kind: str) -> Any:
        """The value, after checking that it is of ``kind``."""
        if not is_kind(self.value, kind):
            hint = ""
            if isinstance(self.value, bool) and kind != "flag":
                hint = " (YAML reads an unquoted yes, no, on, off or NO as a boolean: quote it)"
            elif isinstance(self.value, datetime):
                hint = " (YAML reads a date with a time as a timestamp: quote it or drop the time)"
            self.fail(f"expected {_WORDS[kind]}, got {self.value!r}{hint}")
        return self.value

    def child(self, key: str | int) -> Node:
        """The node of an element already known to exist (mapping key or list index)."""
        path = f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}" if self.path else key
        return Node(self.value[key], self.file, path)

    def __getitem__(self, key: str) -> Node:
        """The value under ``key`` of a mapping; a missing key is an error."""
        if key not in self.want("mapping"):
            self.fail(f"missing key {key!r}")
        return self.child(key)

    def get(self, key: str, default: Any = None) -> Node:
        """The value under ``key``, or a node holding ``default`` when the key is absent."""
        if key in self.want("mapping"):
            return self.child(key)
        return Node(default, self.file, f"{self.path}.{key}" if self.path else key)

    def entries(self, allowed: set[str] | None = None) -> list[tuple[str, Node]]:
        """Key/node pairs of a mapping; keys must be text and, when ``allowed`` is given, among it."""
        pairs = []
        for key in self.want("mapping"):
            if not isinstance(key, str):
                self.fail(f"key {key!r} is not text")
            if allowed is not None and key not in allowed:
                self.fail(f"unknown key {key!r} (expected one of {', '.join(sorted(allowed))})")
            pairs.append((key, self.child(key)))
        return pairs

    def only(self, allowed: set[str], required: set[str] | frozenset[str] = frozenset()) -> Node:
        """Check that a mapping has no key outside ``allowed`` and every key of ``required``."""
        present = dict(self.entries(allowed))
        missing = sorted(required - set(present))
        if missing:
            self.fail(f"missing key(s) {', '.join(map(repr, missing))}")
        return self

    def elements(self) -> list[Node]:
        """The nodes of a list."""
        return [self.child(i) for i in range(len(self.want("list")))]

    def texts(self) -> list[str]:
        """A list of text values."""
        return [node.want("text") for node in self.elements()]


def display_name(path: Path) -> str:
    """The file as messages show it: relative to the fixtures folder's project when possible."""
    try:
        return path.resolve().relative_to(FIXTURES_DIR.parents[2]).as_posix()
    except ValueError:
        return str(path)


def _provenance(root: Node) -> Node:
    """Check the top-level ``source`` and ``date`` every data file carries (as in ``data/reference``)."""
    if not root["source"].want("text").strip():
        root["source"].fail("must say where the content comes from")
    root["date"].want("date")
    return root


def read_fixture(path: Path) -> Node:
    """Parse a YAML fixture and check its provenance keys.

    Parameters
    ----------
    path
        The file; its name (relative to the project) is what errors show.

    Raises
    ------
    FixtureError
        When the file cannot be read, is not YAML, is not a mapping or lacks
        ``source``/``date``.
    """
    name = display_name(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FixtureError(f"{name}: cannot read fixture ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise FixtureError(f"{name}: not valid YAML ({exc})") from None
    return _provenance(Node(data, name))


def read_template(path: Path) -> tuple[Node, str]:
    """Split a text template into its YAML front matter (checked like a fixture) and its body.

    The front matter sits between a first line ``---`` and the next line
    ``---``, so the template itself stays plain Markdown for whoever edits it.

    Parameters
    ----------
    path
        The template file.

    Raises
    ------
    FixtureError
        When the file cannot be read or its front matter is missing or malformed.
    """
    name = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{name}: cannot read template ({exc.strerror})") from None
    head, sep, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        raise FixtureError(f"{name}: expected YAML front matter between two '---' lines")
    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        raise FixtureError(f"{name}: front matter is not valid YAML ({exc})") from None
    return _provenance(Node(data, name)), body


def template_fields(node: Node, template: str) -> set[str]:
    """The fields of a ``str.format`` template, as written (``files[S-CRM]`` for ``{files[S-CRM]}``).

    Parameters
    ----------
    node
        Where the template sits, for the error message.
    template
        The template text; a literal brace is written twice.

    Raises
    ------
    FixtureError
        When the braces do not pair up.
    """
    try:
        parts = list(Formatter().parse(template))
    except ValueError as exc:
        node.fail(f"bad template ({exc}; write a literal brace twice)")
    return {name for _, name, _, _ in parts if name is not None}
