"""Loading the project's YAML data files with their provenance, validated by their models.

Every data file in ``data/`` says where its content comes from and when it
was taken (``source`` and ``date`` at the top level), so a report can state
which reference list it used. Each reference file has a pydantic model
(:mod:`audit.reference.schemas`); loading validates against it and turns a
:class:`pydantic.ValidationError` into a :class:`ReferenceDataError` of one
line that names the file, the key path and the problem::

    data/reference/settings.yaml: event_grace_days: Input should be greater than or equal to 0, got -1

so a bad edit fails at load time with something a DPO can fix, instead of a
``KeyError`` deep inside a rule or a pydantic report of twenty lines.
"""

from __future__ import annotations

import re
import types
from functools import cache
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, cast, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from audit.errors import ReferenceDataError
from audit.paths import PROJECT_DIR, REFERENCE_DIR
from audit.reference.schemas import REFERENCE_MODELS, FieldProblem

ModelT = TypeVar("ModelT", bound=BaseModel)

# Pydantic's wording where it speaks of Python rather than of YAML.
_MESSAGES = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
    "date_type": "expected a date written YYYY-MM-DD (unquoted, so that YAML reads it as a date)",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "list_type": "expected a list",
    "string_type": "expected a text (quote words that YAML reads as true/false or numbers)",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
}
# Error types whose ``input`` is not the offending value, so "got ..." would mislead.
_NO_INPUT = {"missing", "extra_forbidden"}
_PLAIN_KEY = re.compile(r"[\w.+\-/]+(?: [\w.+\-/]+)*")


def display_path(path: Path | str) -> str:
    """A data file as messages name it: relative to the project when inside it, else as given.

    ``data/reference/settings.yaml`` reads better than an absolute path and
    is the same on every machine; a DPO's own file keeps the path they gave.
    """
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(PROJECT_DIR).as_posix()
        except ValueError:
            pass
    return str(path)


def load_yaml(path: Path, required: tuple[str, ...] = ("source", "date")) -> dict[str, Any]:
    """Read a YAML mapping and check that it carries the given top-level keys.

    Parameters
    ----------
    path
        The data file.
    required
        Top-level keys that must be present; by default the provenance keys.
        Files with a model get these checked by the model too; the check here
        serves the files without one (``rules.yaml``, ``columns.yaml``).

    Raises
    ------
    ReferenceDataError
        When the file is missing, is not valid YAML, is not a mapping, or
        lacks a required key.
    """
    where = display_path(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferenceDataError(f"{where}: cannot read data file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{where}: not valid YAML ({_yaml_problem(exc)})") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{where}: expected a mapping at the top level")
    missing = [key for key in required if key not in data]
    if missing:
        raise ReferenceDataError(f"{where}: missing top-level key(s) {', '.join(missing)}")
    return data


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's multi-line report as one line: the problem and where it is."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return " ".join(str(exc).split())


def validate(model: type[ModelT], data: object, where: Path | str) -> ModelT:
    """Validate ``data`` against ``model``; a failure becomes one-line :class:`ReferenceDataError`.

    Parameters
    ----------
    model
        The pydantic model of the file.
    data
        The file's content as YAML loaded it.
    where
        The file, for the message.

    Raises
    ------
    ReferenceDataError
        ``<file>: <key path>: <problem>``, for the first problem found, with
        a count of any further ones.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ReferenceDataError(describe_error(exc, where, data, model)) from None


def describe_error(
    error: ValidationError, where: Path | str, data: object = None, model: type[BaseModel] | None = None
) -> str:
    """One line for a validation error: file, key path, problem (and how many more there are).

    Parameters
    ----------
    error
        What pydantic found.
    where
        The file that was validated.
    data
        The validated input, so list items can be named by their ``id``
        (``activities[1] (P-CRM).retention``): an index alone makes the
        reader count entries in the file.
    model
        The model, so an unknown key's message can list the known ones.
    """
    errors = error.errors(include_url=False)
    first = errors[0]
    loc, problem = _loc_and_problem(first)
    if first["type"] == "extra_forbidden" and model is not None:
        known = _known_keys(model, loc[:-1])
        if known:
            problem += f" (expected one of {', '.join(known)})"
    path = key_path(loc, data)
    text = f"{display_path(where)}: {path}: {problem}" if path else f"{display_path(where)}: {problem}"
    if len(errors) > 1:
        more = len(errors) - 1
        text += f" (and {more} more problem{'s' if more > 1 else ''})"
    return " ".join(text.splitlines())


def _loc_and_problem(err: Any) -> tuple[tuple[Any, ...], str]:
    loc = tuple(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        return loc + cause.loc, cause.problem
    if err["type"] == "value_error" and cause is not None:
        return loc, str(cause)
    problem = _MESSAGES.get(err["type"], err["msg"])
    value = err.get("input")
    if err["type"] not in _NO_INPUT and (value is None or isinstance(value, str | int | float | bool)):
        shown = repr(value)
        problem += f", got {shown if len(shown) <= 60 else shown[:57] + '...'}"
    return loc, problem


def key_path(loc: tuple[Any, ...], data: object = None) -> str:
    """``("activities", 1, "retention", "rules", 0, "kind")`` -> ``activities[1] (P-CRM).retention.rules[0].kind``.

    The input is walked alongside, so a list index is told from an integer
    mapping key, and a list item with an ``id`` is named by it. Keys that are
    not plain words are quoted, so a key holding a line break cannot split
    the message over two lines. The top level is ``""``.
    """
    parts: list[str] = []
    node = data
    for step in loc:
        if step == "[key]":
            parts.append(" (the key)")
            continue
        if isinstance(step, int) and isinstance(node, list):
            parts.append(f"[{step}]")
            node = node[step] if 0 <= step < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            if isinstance(ident, str) and ident.strip():
                parts.append(f" ({_key(ident)})")
            continue
        parts.append(("." if parts else "") + _key(step))
        node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts)


def _key(step: object) -> str:
    text = str(step)
    return text if _PLAIN_KEY.fullmatch(text) else repr(text)


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` to the type that holds the keys."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return None
            annotation = args[0]
        else:
            return annotation


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows at ``loc`` (empty when ``loc`` does not lead to a model)."""
    node: Any = model
    for step in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(step) if isinstance(step, str) else None
            if field is None:
                return []
            node = field.annotation
        elif get_origin(node) is list:
            node = get_args(node)[0]
        elif get_origin(node) is dict:
            node = get_args(node)[1]
        else:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return list(node.model_fields)
    return []


def reference_path(name: str) -> Path:
    """The file of reference data ``name``: ``data/reference/<name>.yaml``."""
    return REFERENCE_DIR / f"{name}.yaml"


def reference_error(name: str, loc: tuple[Any, ...], problem: str) -> ReferenceDataError:
    """An error in the same one-line form for a check that needs two files (codes of adequacy.yaml).

    Parameters
    ----------
    name
        The reference file, as for :func:`reference`.
    loc
        Key path in that file.
    problem
        What is wrong.
    """
    return ReferenceDataError(f"{display_path(reference_path(name))}: {key_path(loc, _raw(name))}: {problem}")


@cache
def _raw(name: str) -> dict[str, Any]:
    return load_yaml(reference_path(name))


@cache
def _validated(name: str, model: type[BaseModel]) -> BaseModel:
    return validate(model, _raw(name), reference_path(name))


def load_reference(name: str, model: type[ModelT]) -> ModelT:
    """The reference file ``data/reference/<name>.yaml`` as its model (read and validated once).

    Parameters
    ----------
    name
        File name without ``.yaml``.
    model
        Its model (see :data:`audit.reference.schemas.REFERENCE_MODELS`).

    Raises
    ------
    ReferenceDataError
        When the file is unreadable or does not fit the model; the message
        names the file and the key.
    """
    return cast(ModelT, _validated(name, model))


def reference(name: str) -> dict[str, Any]:
    """The reference file ``data/reference/<name>.yaml`` as a mapping (cached).

    For callers that read the raw content (the rule catalogue, the column
    aliases, and rules that read a file they do not own). A file that has a
    model is validated first, so even these callers never see content the
    model would reject; the mapping itself is the file as YAML loaded it.
    """
    model = REFERENCE_MODELS.get(name)
    if model is not None:
        load_reference(name, model)
    return _raw(name)
