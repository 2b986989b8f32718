"""The register for the supervisory authority: the Art. 30 record in the layout of the IMY and ICO templates.

A DPO must make the record of processing activities available to the
supervisory authority on request (GDPR Art. 30(4)). The audit's main
workbook is written for the DPO and management; this second workbook is the
record itself, laid out as IMY's guidance (in Swedish) and the ICO's
controller template (in English) lay it out: first the controller's name
and contact details, its DPO and representative (Art. 30(1)(a)), then one
row per register activity with the items of Art. 30(1)(b)-(g), plus the
legal basis, special categories and DPIA the templates add.

The record is shown as the DPO wrote it: the audit does not fill in or
correct anything. Where Art. 30(1) (for a processor entry, Art. 30(2))
requires an item and the cell is empty, the cell is marked, and the last
column names the audit's register findings (REG-) for the activity, so
the gaps are fixed before the record leaves the house.

The column layout is data (``data/reference/templates/art30.yaml``), the
words are the catalogue's (``data/reference/messages/register.yaml``).
Every text cell is written with ``write_string`` and the workbook does not
turn strings into formulas or links: a register cell starting with ``=``
stays text.
"""

from __future__ import annotations

import importlib
import math
import textwrap
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from audit.paths import REFERENCE_DIR
from audit.reference import i18n
from audit.reference.countries import country_name, swedish
from audit.reference.datafiles import load_yaml, validate
from audit.reference.schemas import Colour, ReferenceFile, Strict, Text
from audit.report.files import atomic_write, clean_text
from audit.rules.activities import classify_activities
from audit.rules.common import as_list, blank

if TYPE_CHECKING:
    from audit.run import AuditResult

# XlsxWriter ships no type information; imported as a module object (typed ``Any``) so the
# check does not depend on whether pyproject lists it among the untyped libraries.
xlsxwriter: Any = importlib.import_module("xlsxwriter")
Format = Any
Worksheet = Any

LAYOUT_FILE = REFERENCE_DIR / "templates" / "art30.yaml"
LINE_POINTS = 11.5
"""Height of one line of the 9-point body text, in points (the row height a wrapped cell needs per line)."""
PADDING_POINTS = 4.0
CONTACT_RIGHT = 8
"""The column where the right half of the contact block starts (label over three columns, value over five)."""
CHARS_PER_WIDTH = 1.3
"""Characters of 9-point text per unit of column width (a width unit is one ``0`` of the 11-point default font)."""


class Art30Column(Strict):
    """One activity column: the register field, when it is required, how it is shown, how wide it is."""

    field: Text
    required: Literal["", "art30_1", "art30_2"]
    kind: Literal["text", "list", "legal_basis", "countries", "dpia", "date"]
    width: int = Field(gt=0, le=80)


class Art30Style(Strict):
    """The fills of the workbook: the header row and an empty required cell."""

    header_fill: Colour
    gap_fill: Colour


class Art30Layout(ReferenceFile):
    """``data/reference/templates/art30.yaml``: the contact block's items and the activity columns, in order."""

    contact: list[Text]
    columns: list[Art30Column] = Field(min_length=1)
    gaps_width: int = Field(gt=0, le=80)
    style: Art30Style


@cache
def layout() -> Art30Layout:
    """The template layout, read and validated once."""
    return validate(Art30Layout, load_yaml(LAYOUT_FILE), LAYOUT_FILE)


REGISTER_SUFFIX = "-art30-register.xlsx"


def register_name(as_of: date | None) -> str:
    """``<as-of>-art30-register.xlsx``, dated like the main workbook (``None``: the glob of any date).

    The glob is what :func:`audit.report.report_names` lists, so an
    interrupted run's staged register is recovered with the rest of the set.
    """
    return f"{as_of.isoformat() if as_of else '????-??-??'}{REGISTER_SUFFIX}"


# --- the shown values ----------------------------------------------------------------------------


def _country(code: str, lang: str) -> str:
    """A country code as its name in ``lang`` (pycountry's English name, its Swedish translation)."""
    name = country_name(code)
    return swedish().gettext(name) if lang == "sv" else name


def _shown_column(values: pd.Series, kind: str, lang: str) -> pd.Series:
    """One register column as the record shows it: lists joined, codes as labels; dates stay dates.

    A code the catalogue does not know (a DPO's own word the loader kept) is
    shown as written, so nothing the DPO recorded disappears.
    """
    if kind == "date":
        return pd.to_datetime(values, errors="coerce")
    if kind in ("text", "dpia"):
        out = values.astype(object).where(~blank(values).to_numpy(), None).map(str, na_action="ignore")
        return out.map(lambda v: i18n.label("register.dpia", v, lang), na_action="ignore") if kind == "dpia" else out

    def show(item: object) -> str:
        if kind == "legal_basis":
            return i18n.label("register.legal_basis", item, lang)
        if kind == "countries":
            return _country(str(item), lang)
        return str(item)

    return values.map(lambda v: "; ".join(show(i) for i in as_list(v)) or None)


def register_rows(result: AuditResult, lang: str) -> pd.DataFrame:
    """One row per register activity, the template's columns as shown values, and ``gaps``.

    Returns
    -------
    DataFrame
        Columns: the layout's fields in order (text, or datetime for a date
        column), then ``gaps``: the REG findings of the activity, one
        ``rule title`` per line (a rule that fires several times for it is
        named once, with its count). Index: the register's row order.
    """
    i18n.check_language(lang)
    acts = result.inputs.activities
    shown = pd.DataFrame(
        {c.field: _shown_column(acts[c.field], c.kind, lang) for c in layout().columns},
        index=acts.index,
    )
    shown["gaps"] = _gaps_text(result, lang).reindex(acts["activity_id"]).to_numpy()
    return shown.reset_index(drop=True)


def _gaps_text(result: AuditResult, lang: str) -> pd.Series:
    """activity_id -> its REG findings, one ``REG-0n title`` line each (counted when a rule fires more than once)."""
    f = result.findings
    reg = f[f["rule"].astype(str).str.startswith("REG-") & f["activity_id"].notna()]
    if reg.empty:
        return pd.Series(dtype=object)
    counts = reg.groupby(["activity_id", "rule", "title"], sort=True).size().rename("n").reset_index()
    count = counts["n"].map(lambda n: f" ({i18n.number(n, lang)})" if n > 1 else "")
    counts["line"] = counts["rule"].astype(str) + " " + counts["title"].astype(str) + count
    return counts.groupby("activity_id")["line"].agg("\n".join)


def processor_rows(result: AuditResult) -> np.ndarray:
    """True for the register rows the audit treats as processor entries (Art. 30(2)), as REG-05 does."""
    return classify_activities(result.context)["status"].eq("processor").to_numpy()


def gap_cells(result: AuditResult) -> pd.DataFrame:
    """True where a cell is empty that Art. 30(1) (for a processor entry, Art. 30(2)) requires.

    The same test as REG-05 (:func:`audit.rules.register.missing_art30_fields`):
    a controller entry needs every ``art30_1`` and ``art30_2`` column, a
    processor entry only the ``art30_2`` ones. Columns: the layout's fields;
    a column that is never required is all False.
    """
    acts = result.inputs.activities
    processor = processor_rows(result)
    out = {}
    for col in layout().columns:
        empty = blank(acts[col.field]).to_numpy()
        needed = {"": np.zeros(len(acts), bool), "art30_1": ~processor, "art30_2": np.ones(len(acts), bool)}
        out[col.field] = empty & needed[col.required]
    return pd.DataFrame(out).reset_index(drop=True)


def _other_findings(result: AuditResult) -> pd.DataFrame:
    """REG findings that name no register row (a policy activity the register lacks, REG-02): rule, title, subject."""
    f = result.findings
    reg = f[f["rule"].astype(str).str.startswith("REG-") & f["activity_id"].isna()]
    return reg[["rule", "title", "subject"]].drop_duplicates().reset_index(drop=True)


def contact_block(result: AuditResult, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of Art. 30(1)(a): the controller, its contact details, the DPO, a representative.

    Taken from the policy model (its ``controller`` and ``dpo`` keys): the
    policy is where the organisation publishes them (Art. 13(1)(a)-(b)). A
    representative (Art. 27) is needed only by a controller outside the EU;
    none given reads "not applicable", a missing contact detail "not given".
    """
    raw = result.policy.raw
    controller = raw.get("controller") or {}
    dpo = raw.get("dpo") or {}
    values = {
        "controller_name": controller.get("name"),
        "controller_address": controller.get("postal_address"),
        "controller_email": controller.get("email"),
        "dpo_email": dpo.get("email"),
        "representative": raw.get("representative"),
    }
    none = {"representative": "register.contact.not_applicable"}
    return [
        (
            i18n.text(f"register.contact.{item}", lang),
            str(values[item]) if values.get(item) else i18n.text(none.get(item, "register.contact.none"), lang),
        )
        for item in layout().contact
    ]


# --- the workbook --------------------------------------------------------------------------------


def _lines(values: pd.Series, width: int) -> pd.Series:
    """How many lines each cell wraps to in a column ``width`` wide (explicit line breaks counted).

    Wrapped at word boundaries as a spreadsheet does (a word longer than a
    line is broken), so a row is not given lines it will not use.
    """
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    text = values.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
    return text.map(lambda t: sum(max(1, len(textwrap.wrap(part, per_line))) for part in t.split("\n")))


def row_heights(rows: pd.DataFrame, widths: dict[str, int]) -> pd.Series:
    """The row height in points each row needs so that its wrapped text shows in full.

    Neither Excel nor LibreOffice fits row heights to wrapped text in a
    file it did not lay out itself, so the height is set: the most lines any
    cell of the row wraps to, at :data:`LINE_POINTS` a line.
    """
    text_cols = [c for c in rows.columns if rows[c].dtype == object]
    lines = pd.concat([_lines(rows[c], widths[c]) for c in text_cols], axis=1).max(axis=1)
    return lines * LINE_POINTS + PADDING_POINTS


def _footer(lang: str, as_of: date) -> str:
    """The page footer: the sheet's name left, page x of y in the centre, the as-of date right."""
    page = i18n.text("register.footer", lang)
    return f"&L&A&C{page}&R{as_of.isoformat()}"


def _text(ws: Worksheet, row: int, col: int, value: object, fmt: Format) -> None:
    """Write ``value`` as a string cell (never a formula), control characters removed; blank as an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(clean_text(str(value))), fmt)


def write_register_workbook(path: Path, result: AuditResult, lang: str) -> Path:
    """Write the Art. 30 register workbook to ``path`` (a folder: :func:`register_name` in it), atomically.

    Parameters
    ----------
    path
        The workbook to write, or the output folder to write
        :func:`register_name` into.
    result
        The audit: its register (``result.inputs.activities``), its policy
        (the contact block) and its findings (the REG gaps).
    lang
        ``sv`` for the IMY layout and wording, ``en`` for the ICO's.

    Returns
    -------
    Path
        The workbook written.
    """
    lang = i18n.check_language(lang)
    path = Path(path)
    if path.is_dir() or path.suffix.lower() != ".xlsx":
        path = path / register_name(result.context.as_of)
    return atomic_write(path, lambda tmp: _write(tmp, result, lang))


def _formats(wb: Any) -> dict[str, Format]:
    """The cell formats: 9-point wrapped table cells with a light border, the template's fills."""
    style = layout().style
    base = {"font_size": 9, "valign": "top", "text_wrap": True, "border": 1, "border_color": "#A6A6A6"}
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "subtitle": wb.add_format({"font_size": 10, "italic": True}),
        "heading": wb.add_format({"bold": True, "font_size": 11}),
        "label": wb.add_format({"bold": True, "font_size": 10, "valign": "top"}),
        "value": wb.add_format({"font_size": 10, "valign": "top"}),
        "legend": wb.add_format({"font_size": 9, "italic": True, "text_wrap": True, "valign": "top"}),
        "header": wb.add_format({**base, "bold": True, "bg_color": "#" + style.header_fill}),
        "cell": wb.add_format(base),
        "gap": wb.add_format({**base, "bg_color": "#" + style.gap_fill}),
        "date": wb.add_format({**base, "num_format": "yyyy-mm-dd"}),
    }


def _table(ws: Worksheet, top: int, rows: pd.DataFrame, gaps: pd.DataFrame, lang: str, fmt: dict[str, Format]) -> int:
    """Write the header row at ``top`` and one row per activity below it; returns the last row written.

    An empty required cell gets the gap fill; a date is a real date cell.
    """
    fields = [c.field for c in layout().columns]
    columns = [*fields, "gaps"]
    widths = _widths()
    labels = [i18n.text(f"register.column.{name}", lang) for name in columns]
    header_lines = [
        _lines(pd.Series([t], dtype=object), widths[n]).iloc[0] for t, n in zip(labels, columns, strict=True)
    ]
    ws.set_row(top, max(header_lines) * LINE_POINTS + PADDING_POINTS)
    for i, label in enumerate(labels):
        _text(ws, top, i, label, fmt["header"])
    heights = row_heights(rows, widths)
    for n in range(len(rows)):
        row = top + 1 + n
        ws.set_row(row, float(heights.iloc[n]))
        for i, name in enumerate(columns):
            value = rows[name].iloc[n]
            if name in fields and gaps[name].iloc[n]:
                ws.write_blank(row, i, None, fmt["gap"])
            elif isinstance(value, pd.Timestamp):
                ws.write_datetime(row, i, value.to_pydatetime(), fmt["date"])
            elif value is pd.NaT:
                ws.write_blank(row, i, None, fmt["cell"])
            else:
                _text(ws, row, i, value, fmt["cell"])
    return top + len(rows)


def _widths() -> dict[str, int]:
    """Column widths by field, the gaps column last (the layout's order is the sheet's)."""
    spec = layout()
    return {c.field: c.width for c in spec.columns} | {"gaps": spec.gaps_width}


def _write(tmp: Path, result: AuditResult, lang: str) -> None:
    """Lay the sheet out: title, contact block, legend, the controller's and the processor's tables, the rest."""
    as_of = result.context.as_of
    rows = register_rows(result, lang)
    gaps = gap_cells(result)
    processor = processor_rows(result)
    widths = _widths()
    last = len(widths) - 1

    wb = xlsxwriter.Workbook(
        str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    fmt = _formats(wb)
    ws = wb.add_worksheet(i18n.text("register.sheet", lang)[:31])
    for i, width in enumerate(widths.values()):
        ws.set_column(i, i, width)

    _text(ws, 0, 0, i18n.text("register.title", lang), fmt["title"])
    ws.set_row(0, 20)
    subtitle = i18n.text("register.subtitle", lang, controller=result.policy.controller, as_of=as_of.isoformat())
    _text(ws, 1, 0, subtitle, fmt["subtitle"])
    _text(ws, 3, 0, i18n.text("register.contact.heading", lang), fmt["heading"])
    # The contact block in two halves side by side, so the rows frozen above the table stay few.
    contact = contact_block(result, lang)
    half = math.ceil(len(contact) / 2)
    for k, (label, value) in enumerate(contact):
        r, c = 4 + k % half, (0 if k < half else CONTACT_RIGHT)
        ws.merge_range(r, c, r, c + 2, "", fmt["label"])
        _text(ws, r, c, label, fmt["label"])
        ws.merge_range(r, c + 3, r, c + 7, "", fmt["value"])
        _text(ws, r, c + 3, value, fmt["value"])
    r = 5 + half
    ws.merge_range(r, 0, r, last, "", fmt["legend"])
    _text(ws, r, 0, i18n.text("register.legend", lang), fmt["legend"])
    ws.set_row(r, LINE_POINTS + PADDING_POINTS)

    r += 2
    _text(ws, r, 0, i18n.text("register.section.controller", lang), fmt["heading"])
    header = r + 1
    end = _table(ws, header, rows[~processor], gaps[~processor], lang, fmt)
    if processor.any():
        r = end + 2
        _text(ws, r, 0, i18n.text("register.section.processor", lang), fmt["heading"])
        end = _table(ws, r + 1, rows[processor], gaps[processor], lang, fmt)

    others = _other_findings(result)
    if not others.empty:
        r = end + 2
        _text(ws, r, 0, i18n.text("register.others", lang), fmt["heading"])
        for k in range(len(others)):
            line = f"{others['rule'].iloc[k]} {others['title'].iloc[k]}: {others['subject'].iloc[k]}"
            _text(ws, r + 1 + k, 0, line, fmt["value"])
        end = r + len(others)

    ws.freeze_panes(header + 1, 2)
    ws.repeat_rows(header)
    ws.print_area(0, 0, end, last)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(_footer(lang, as_of))
    ws.hide_gridlines(2)
    wb.close()
