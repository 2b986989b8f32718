"""Write ``docs/inputs.md``, ``docs/rules.md`` and ``docs/report.md`` from the catalogues.

The input contract, the rule catalogue and the report's tables are data
files the code runs on; the user documentation is generated from the same
files, so it cannot say something the code does not do. The prose around the
tables lives in ``tools/doc_templates/``. ``tests/test_docs.py`` fails when a
committed page differs from what this writes.

Run ``python -m tools.docs`` after changing a catalogue.
"""

from __future__ import annotations

import string
import sys
from collections.abc import Iterable
from pathlib import Path

from audit.inputs.schema import TYPES, SheetSpec, input_specs
from audit.paths import DOCS_DIR
from audit.reference.catalogue import RuleSpec, catalogue, rule_words
from audit.reference.datafiles import reference
from audit.reference.settings import load_settings
from audit.rules.findings import FINDING_COLUMN_DOCS

TEMPLATES = Path(__file__).resolve().parent / "doc_templates"
#: Vocabularies used only inside the loader (not values a DPO writes in a column of their own).
INTERNAL_VOCABULARIES = ("month",)


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A Markdown table."""
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def codes(words: Iterable[object]) -> str:
    """Words as a comma-separated list of code spans."""
    return ", ".join(f"`{w}`" for w in words)


def _files() -> str:
    rows = [
        (f"`{spec.files}`", codes(s.name for s in spec.sheets), "yes" if spec.required else "no", spec.doc)
        for spec in input_specs().values()
    ]
    return table(["file", "sheets", "required", "what"], rows)


def _sheet(file: str, sheet: SheetSpec) -> str:
    names = f"Sheet names recognised: {codes((sheet.name, *sheet.aliases))}." if sheet.aliases else ""
    intro = " ".join(part for part in (sheet.doc, names) if part)
    rows = []
    for col in sheet.columns:
        kind = f"{col.type} ({col.vocabulary})" if col.vocabulary else col.type
        rows.append((f"`{col.name}`", "yes" if col.required else "no", kind, col.doc, codes(col.aliases)))
    body = table(["column", "required", "type", "meaning", "headers recognised"], rows)
    return f"## `{file}` · `{sheet.name}`\n\n" + (f"{intro}\n\n" if intro else "") + f"{body}\n"


def _vocabularies() -> str:
    data = reference("vocabularies")
    used = {c.vocabulary for spec in input_specs().values() for s in spec.sheets for c in s.columns}
    parts = []
    for name, values in data.items():
        if not isinstance(values, dict) or name in INTERNAL_VOCABULARIES:
            continue
        where = "yes/no columns" if name == "yes_no" else ("legal_basis columns" if name == "legal_basis" else "")
        if name not in used and not where:
            continue
        title = f"### `{name}`" + (f" ({where})" if where else "")
        parts.append(f"{title}\n\n" + table(["value", "words"], ((f"`{v}`", codes(w)) for v, w in values.items())))
    return "\n".join(parts)


def inputs_page() -> str:
    """``docs/inputs.md``: files, sheets, columns with their headers and types, accepted values."""
    sheets = "".join(_sheet(spec.files, sheet) for spec in input_specs().values() for sheet in spec.sheets)
    return _fill(
        "inputs.md",
        files=_files(),
        types=table(["type", "how a cell is read"], ((f"`{k}`", v) for k, v in TYPES.items())),
        sheets=sheets,
        vocabularies=_vocabularies(),
    )


def _wording(value: str | dict[str, str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " / ".join(f"({case}) {text}" for case, text in value.items())


def _rule_rows(rules: dict[str, RuleSpec]) -> list[tuple[str, ...]]:
    severities = load_settings().severities
    return [
        (f"`{rid}`", severities.get(rid, ""), r.title, f"`{r.subject}`", r.article, _wording(r.detail))
        for rid, r in rules.items()
    ]


def rules_page() -> str:
    """``docs/rules.md``: every rule by area, with severity, subject format, article and wording."""
    cat = catalogue()
    parts = []
    for prefix, area in cat.areas.items():
        rules = {rid: r for rid, r in cat.rules.items() if rid.split("-")[0] == prefix}
        header = ["rule", "severity", "checks", "subject", "rests on", "a finding says"]
        recs = table(["rule", "recommendation"], ((f"`{rid}`", _wording(r.recommendation)) for rid, r in rules.items()))
        swedish = table(
            ["rule", "på svenska", "en avvikelse säger", "rekommendation"],
            (
                (f"`{rid}`", w.title, _wording(w.detail), _wording(w.recommendation))
                for rid, w in ((rid, rule_words(rid, "sv")) for rid in rules)
            ),
        )
        parts.append(
            f"## {area} (`{prefix}`)\n\n"
            + table(header, _rule_rows(rules))
            + "\n"
            + recs
            + "\nIn Swedish:\n\n"
            + swedish
        )
    needs = table(
        ["rule", "needs", "could not run when"],
        (
            (f"`{rid}`", codes(r.needs), "; ".join(cat.policy_parts[p] for p in r.needs))
            for rid, r in cat.rules.items()
            if r.needs
        ),
    )
    return _fill("rules.md", areas="\n".join(parts), needs=needs)


def report_page() -> str:
    """``docs/report.md``: sheets, CSVs, the findings columns and the charts."""
    cat = catalogue()
    sheets = "".join(
        f"| `{t.sheet}` | {t.doc} (table `{key}`, built by `{t.build}`) |\n" for key, t in cat.tables.items()
    )
    csvs = "".join(f"| `{t.csv}` | the `{t.sheet}` sheet as CSV |\n" for t in cat.tables.values() if t.csv)
    columns = "".join(f"| `{name}` | {doc} |\n" for name, doc in FINDING_COLUMN_DOCS.items())
    charts = "".join(f"| `{c.file}` | `{c.draw}` | {codes(c.inputs)} |\n" for c in cat.charts.values())
    return _fill("report.md", sheets=sheets, csvs=csvs, finding_columns=columns, charts=charts)


def _fill(template: str, **parts: str) -> str:
    text = string.Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(parts)
    return text.rstrip("\n") + "\n"


PAGES = {"inputs.md": inputs_page, "rules.md": rules_page, "report.md": report_page}


def main(argv: list[str] | None = None) -> int:
    """Write every page into ``docs/`` (or the folder given)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DOCS_DIR
    out.mkdir(parents=True, exist_ok=True)
    for name, page in PAGES.items():
        (out / name).write_text(page(), encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
