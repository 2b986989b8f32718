"""``python -m audit policy``: read a policy into a model, report what was read, compare two versions.

``python -m audit policy PATH [--out model.yaml] [--json] [--ids-from MODEL.yaml]``
    PATH is a policy text (any suffix the readers know) or a model (``.yaml``).
    Prints the parse report: per activity and field the value and the
    sentence it came from, ``?`` where the parser doubted, what it did not
    understand, and a summary line. ``--json`` prints the export instead
    (:func:`audit.policy.export.to_json`); ``--out`` writes the model for the
    DPO to review.

``python -m audit policy diff OLD NEW [--json]``
    The changes from OLD to NEW (each a text or a model), the material ones
    marked, and a last line ``N changes, M material``.

Errors are one line ``error: ...`` on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from audit.errors import AuditError, InputError
from audit.policy.document import ReportLine
from audit.policy.export import art13_flags, plain, to_json
from audit.policy.model import model_beside

MODEL_SUFFIXES = (".yaml", ".yml")
YAML_WIDTH = 120
ACTIVITY_REPORT_FIELDS = ("data_categories", "purpose", "legal_basis", "recipients", "retention")
HEADER = (
    "# Policy model read from {source} by `python -m audit policy` on {today}.\n"
    "# REVIEW IT before auditing with `--policy {name}`: check every field below against the\n"
    "# policy text (the parse report shows the sentence each came from), correct what is wrong\n"
    "# and read the `unparsed` parts. The keys are described in docs/policy-model.md.\n"
)


@dataclass
class Loaded:
    """A policy as the command uses it: the model mapping, its report, what was not understood, from where."""

    model: dict[str, Any]
    report: list[ReportLine] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
    path: Path | None = None


# --- loading ----------------------------------------------------------------------------------------


def is_model_file(path: Path) -> bool:
    """A ``.yaml``/``.yml`` path is a model; anything else is a policy text."""
    return path.suffix.lower() in MODEL_SUFFIXES


def load_model_file(path: Path) -> dict[str, Any]:
    """A model YAML as a mapping (one error line naming the file when it cannot be read)."""
    from audit.reference.datafiles import load_yaml

    if not path.exists():
        raise InputError(f"{path}: policy model not found")
    return load_yaml(path)


def model_report(model: dict[str, Any]) -> list[ReportLine]:
    """A model's fields as report lines (``<activity id>.<field>`` with its sentence), for a model read from YAML."""
    lines = []
    for act in model.get("activities") or []:
        where = f"§{act.get('section')}"
        if not act.get("in_scope", True):
            lines.append(ReportLine(f"{act['id']}.scope_note", str(act.get("scope_note")), where))
            continue
        for name in ACTIVITY_REPORT_FIELDS:
            part = act.get(name)
            if name == "retention":
                for i, rule in enumerate((part or {}).get("rules") or [], start=1):
                    lines.append(ReportLine(f"{act['id']}.retention.{i}", str(rule.get("sentence")), where))
            elif part is not None:
                text = part if isinstance(part, str) else part.get("text")
                lines.append(ReportLine(f"{act['id']}.{name}", str(text), where))
    for key, items in (("transfer_grounds", "grounds"), ("security_promises", "promises")):
        part = model.get(key) or {}
        for item in part.get(items) or []:
            lines.append(ReportLine(f"{key}.{item['id']}", str(item["sentence"]), f"§{part.get('section')}"))
    deadline = model.get("request_deadline")
    if deadline:
        lines.append(ReportLine("request_deadline", str(deadline["sentence"]), f"§{deadline.get('section')}"))
    return lines


def load(path: Path | str, ids_from: dict[str, Any] | None = None) -> Loaded:
    """Read ``path``: a model YAML as it is, a policy text through the parser (ids from ``ids_from``)."""
    path = Path(path)
    if is_model_file(path):
        model = load_model_file(path)
        return Loaded(model, model_report(model), list(model.get("unparsed") or []), path)
    if not path.exists():
        raise InputError(f"{path}: policy text not found")
    # Looked up when called: the parser module imports much, and the command's tests stand in for it.
    parse_document = importlib.import_module("audit.policy.text").parse_document
    result = parse_document(path, ids_from=ids_from)
    return Loaded(dict(result.model), list(result.report), list(result.unparsed), path)


def art13_of(loaded: Loaded) -> dict[str, bool]:
    """The Art. 13 items of a loaded policy, its text found beside a model file when the source is relative."""
    model = dict(loaded.model)
    source = Path(str(model.get("source", "")))
    if loaded.path is not None and not source.is_absolute():
        beside = loaded.path.parent / source
        if is_model_file(loaded.path) and beside.exists():
            model["source"] = str(beside.resolve())
        elif not is_model_file(loaded.path):
            model["source"] = str(loaded.path.resolve())
    return art13_flags(model, str(loaded.path or "policy model"))


# --- the parse report ---------------------------------------------------------------------------------


def _value(model: dict[str, Any], name: str) -> str | None:
    """The model's value for report field ``name`` (``<activity id>.<field>`` or a section key), shortly."""
    head, _, rest = name.partition(".")
    acts = {a["id"]: a for a in model.get("activities") or []}
    if head in acts and rest:
        part = acts[head].get(rest.split(".")[0])
        if isinstance(part, dict) and "ids" in part:
            return ", ".join(part["ids"]) or "(none)"
        if isinstance(part, dict) and "rules" in part:
            index = rest.split(".")[1:]
            rules = part["rules"]
            if index and index[0].isdigit() and 0 < int(index[0]) <= len(rules):
                rules = [rules[int(index[0]) - 1]]
            return "; ".join(
                " ".join(str(r[k]) for k in ("kind", "period", "anchor", "applies_to") if r.get(k)) for r in rules
            )
        return None if part is None else str(part)
    if head in ("transfer_grounds", "security_promises") and rest:
        return rest
    if head == "request_deadline":
        return str((model.get("request_deadline") or {}).get("period"))
    return None


def _group(name: str, model: dict[str, Any]) -> str:
    head = name.partition(".")[0]
    return head if head in {a["id"] for a in model.get("activities") or []} else "policy"


def report_lines(loaded: Loaded) -> list[str]:
    """The human-readable parse report, line by line (the summary last)."""
    model = loaded.model
    titles = {a["id"]: a.get("title") for a in model.get("activities") or []}
    groups: dict[str, list[ReportLine]] = {}
    for line in loaded.report:
        groups.setdefault(_group(line.field, model), []).append(line)
    out: list[str] = []
    for group, lines in groups.items():
        out.append(f"{group}  {titles[group]}" if group in titles else "Policy")
        for line in lines:
            mark = "?" if line.flag else " "
            value = _value(model, line.field)
            out.append(f"  {mark} {line.field}" + (f" = {value}" if value else ""))
            out.append(f"      «{line.sentence}» ({line.where})")
            if line.flag:
                out.append(f"      ? {line.flag}")
    if loaded.unparsed:
        out.append("Not understood:")
        out += [f"  - {part}" for part in loaded.unparsed]
    flags = sum(1 for line in loaded.report if line.flag)
    out.append(
        f"{len(model.get('activities') or [])} activities read, {len(loaded.report)} fields read, "
        f"{len(loaded.unparsed)} unparsed parts, {flags} flags"
    )
    return out


# --- writing the model -------------------------------------------------------------------------------


def model_yaml(model: dict[str, Any], name: str, shown: object = None) -> str:
    """The model as readable YAML with the header telling the DPO to review it (naming the text as ``shown``)."""
    header = HEADER.format(source=shown or model.get("source", "?"), today=dt.date.today().isoformat(), name=name)
    body = yaml.safe_dump(_yaml_ready(model), allow_unicode=True, sort_keys=False, width=YAML_WIDTH)
    return header + body


def _yaml_ready(value: Any) -> Any:
    """Tuples as lists (safe YAML has no tuples); dates and everything else as they are."""
    if isinstance(value, dict):
        return {k: _yaml_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_yaml_ready(v) for v in value]
    return value


def write_model(model: dict[str, Any], out: Path) -> Path:
    """Write the model YAML to ``out`` atomically (a temporary file beside it, then ``os.replace``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    given = model.get("source", "?")
    source = Path(str(model.get("source", "")))
    if source.is_absolute() or source.exists():
        # Relative to the model's folder, as loading resolves it: the pair can move together.
        with contextlib.suppress(ValueError):  # another drive on Windows keeps the absolute path
            model = {**model, "source": os.path.relpath(source.resolve(), out.parent.resolve())}
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix, dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(model_yaml(model, out.name, given))
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out


def _is_policy_text(out: Path, loaded: Loaded) -> bool:
    """Whether ``out`` is the policy text itself (the parsed file, or the text a model names)."""
    texts = []
    if loaded.path is not None and not is_model_file(loaded.path):
        texts.append(loaded.path)
    source = loaded.model.get("source")
    if source:
        source_path = Path(str(source))
        texts.append(source_path)
        if loaded.path is not None and not source_path.is_absolute():
            texts.append(loaded.path.parent / source_path)
    return any(out.resolve() == t.resolve() for t in texts)


# --- the commands ---------------------------------------------------------------------------------------


def _parse_cmd(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    path = Path(args.path)
    if out is not None and not is_model_file(path) and out.resolve() == path.resolve():
        raise InputError(f"{out}: --out would overwrite the policy text itself; give another file")
    ids_from = (
        load_model_file(Path(args.ids_from)) if args.ids_from else (None if is_model_file(path) else model_beside(path))
    )
    loaded = load(path, ids_from=ids_from)
    if out is not None and _is_policy_text(out, loaded):
        raise InputError(f"{out}: --out would overwrite the policy text itself; give another file")
    if args.json:
        print(json.dumps(to_json(loaded.model, art13_of(loaded)), ensure_ascii=False, indent=2))
    else:
        print("\n".join(report_lines(loaded)))
    if out is not None:
        write_model(loaded.model, out)
        if not args.json:
            print(f"model written to {out}: review it before auditing with --policy {out}")
    return 0


def diff_lines(changes: pd.DataFrame) -> list[str]:
    """The table of changes as text: material rows marked ``!``, then ``N changes, M material``."""
    from audit.policy.diff import summary_line

    out = []
    for row in changes.itertuples(index=False):
        mark = "!" if row.material else " "
        if row.old is not None and row.new is not None:
            arrow = f": {row.old} -> {row.new}"
        else:
            arrow = f": {row.new if row.old is None else row.old}"
        out.append(f"{mark} {row.change:<7} {row.activity} {row.field}{arrow} ({row.why})")
    out.append(summary_line(changes))
    return out


def _diff_cmd(args: argparse.Namespace) -> int:
    from audit.policy.diff import diff_models

    old = load(Path(args.old))
    new = load(Path(args.new), ids_from=old.model)
    changes = diff_models(old.model, new.model, art13_of(old), art13_of(new))
    if args.json:
        records = [{k: plain(v) for k, v in r.items()} for r in changes.to_dict("records")]
        print(json.dumps(records, ensure_ascii=False, indent=2, default=str))
    else:
        print("\n".join(diff_lines(changes)))
    return 0


def _parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    parse = argparse.ArgumentParser(prog="python -m audit policy", description="Read a policy into a policy model.")
    parse.add_argument("path", help="the policy text (.txt, .md, .html, .docx, .pdf) or a model (.yaml)")
    parse.add_argument("--out", help="write the model YAML here (for the DPO to review)")
    parse.add_argument("--json", action="store_true", help="print the model as JSON instead of the report")
    parse.add_argument(
        "--ids-from",
        help="a previous model: activities with the same title keep its ids "
        "(default: a model in the text's folder whose source is this text)",
    )
    diff = argparse.ArgumentParser(prog="python -m audit policy diff", description="What changed between policies.")
    diff.add_argument("old", help="the earlier policy (text or model)")
    diff.add_argument("new", help="the later policy (text or model)")
    diff.add_argument("--json", action="store_true", help="print the changes as JSON")
    return parse, diff


def main(argv: list[str]) -> int:
    """Run ``python -m audit policy ...`` with ``argv`` (the words after ``policy``); return the exit status."""
    parse, diff = _parsers()
    try:
        if argv and argv[0] == "diff":
            return _diff_cmd(diff.parse_args(argv[1:]))
        return _parse_cmd(parse.parse_args(argv))
    except AuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse: usage errors (2, message already printed) and --help (0)
        return exc.code if isinstance(exc.code, int) else 2
