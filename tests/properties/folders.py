"""A hypothesis strategy for data folders, and the writer that turns one into real files.

A drawn :class:`Folder` is plain, frozen data (so hypothesis can shrink and
print it, and a test can cache on it); :func:`write_folder` writes it as the
files a DPO would send: ``activities``, ``inventory`` (xlsx or per-sheet
CSV), optionally ``requests`` and ``disclosures``, and ``records/<system>``
extracts (csv, xlsx or parquet).

What is drawn comes from the contract, not from a copy of it: the columns,
their types and every header alias from ``data/reference/columns.yaml``, the
accepted words from ``vocabularies.yaml`` and the policy activity ids from
``data/policy/policy.yaml``. On top of valid content the strategy plants
what real folders hold: optional files missing, empty and header-only
sheets, blank optional cells, short and ragged CSV rows, activities with and
without ``policy_ref``, extracts for activities whose retention cannot be
judged, dates at the edges (29 February, month ends, 1900, 2999, Excel
serial numbers), Swedish and English headers and values, duplicate headers,
text starting with ``= + - @``, tab or CR in cells and headers, and names
and e-mail addresses.

Names and e-mail addresses that must never reach the report are
:class:`Plant` placeholders; the writer replaces each by a distinct fake
name or address from :data:`PRIVATE_NAMES` and records where it put it, so
a test can search every output for exactly those strings.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from hypothesis import strategies as st

from audit.paths import POLICY_DIR, REFERENCE_DIR

# --------------------------------------------------------------------------- contract


@cache
def contract() -> dict[str, Any]:
    """``columns.yaml``'s ``inputs``: files, sheets, columns with types and aliases."""
    return yaml.safe_load((REFERENCE_DIR / "columns.yaml").read_text(encoding="utf-8"))["inputs"]


@cache
def vocabularies() -> dict[str, Any]:
    """``vocabularies.yaml``: canonical value -> the English and Swedish words for it."""
    return yaml.safe_load((REFERENCE_DIR / "vocabularies.yaml").read_text(encoding="utf-8"))


@cache
def policy_ids() -> tuple[str, ...]:
    """The policy activity ids a register's ``policy_ref`` may cite."""
    policy = yaml.safe_load((POLICY_DIR / "policy.yaml").read_text(encoding="utf-8"))
    return tuple(a["id"] for a in policy["activities"])


def columns(input_name: str, sheet: str) -> dict[str, dict[str, Any]]:
    """Canonical column -> its contract entry, in contract order."""
    return contract()[input_name]["sheets"][sheet]["columns"]


def headers_for(input_name: str, sheet: str, column: str) -> list[str]:
    """Every header the contract recognises for ``column``: its name first, then its aliases."""
    return [column, *columns(input_name, sheet)[column].get("aliases", [])]


def words(vocabulary: str) -> list[str]:
    """Every word of a vocabulary (canonical ids included), in file order."""
    out: list[str] = []
    for canonical, synonyms in vocabularies()[vocabulary].items():
        out += [str(canonical), *(str(s) for s in synonyms)]
    return out


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Plant:
    """A fake name or e-mail address the report must never show; ``scope`` says where it was planted."""

    kind: str  # "name" | "email"
    scope: str


@dataclass(frozen=True)
class Formula:
    """A real formula cell of an input workbook (as text in a CSV)."""

    text: str


Cell = str | int | float | dt.date | dt.datetime | Plant | Formula | None

#: Scopes whose planted values may appear nowhere in the output (files and console).
NOWHERE = frozenset({"record-extra", "record-date", "register-date", "register-number", "register-yesno"})
#: Scopes allowed only in the ``Register`` sheet (the register as loaded), nowhere else.
REGISTER_ONLY = frozenset({"register-extra"})
#: Scopes planted to see what happens, not asserted (the contract may quote these values).
OBSERVED = frozenset({"register-vocab", "register-country", "record-id"})

#: Fake people, each with a surname found nowhere else (no Swedish word, no vocabulary entry), so any
#: output containing one is a leak: 12 first names and 60 composed surnames.
_FIRST = ("Ingrid", "Oskar", "Sofia", "Nils", "Maja", "Elias", "Alva", "Hugo", "Wilma", "Liam", "Selma", "Axel")
_SURNAME_START = ("Vinter", "Myr", "Ljung", "Gran", "Tallrot", "Fjäll", "Stenkull", "Ekvall", "Orme", "Björkhag")
_SURNAME_END = ("kvistare", "bäcken", "dahlberg", "brinkius", "strandh", "grundelius")
PRIVATE_NAMES = tuple(
    f"{_FIRST[i % len(_FIRST)]} {start}{end}"
    for i, (end, start) in enumerate((e, s) for e in _SURNAME_END for s in _SURNAME_START)
)

#: Staff names in free-text register cells, where the report may echo them (not searched).
STAFF = ("Eva Ek (DPO)", "Lars Lind", "dpo@exempel.se", "IT-avdelningen")

#: Text a spreadsheet would run or that breaks naive parsing.
HOSTILE_TEXT = (
    "=1+1",
    '=HYPERLINK("http://example.invalid","klicka")',
    "+46701234567",
    "-gallras manuellt",
    "@admin",
    "\tindraget",
    "rad ett\rrad två",
    "rad ett\nrad två",
    "=cmd|' /C calc'!A0",
)

FREE_WORDS = ("Nyhetsbrev", "Support", "Rekrytering", "Kundregister", "Event", "Utbildning", "Marketing", "Payroll")

RETENTION_TEXT = (
    "30 dagar",
    "365 days",
    "Tills avregistrering",
    "Until unsubscription",
    "12 månader efter avslutad kurs",
    "raderas efter genomförd utbildning",
    "contract + 7 years",
    "avtalstiden + 7 år",
    "-5 dagar",
    "så länge det behövs",
    "1 år",
)

RECIPIENT_CATEGORIES = (
    "CRM-system",
    "Nyhetsbrevstjänst",
    "IT system",
    "e-signing service",
    "accounting system",
    "okänd",
)
COUNTRIES = ("Sverige", "SE", "USA", "Förenta staterna", "Indien", "Irland", "GB", "Atlantis", "sverige, usa", "SE; US")
VENDOR_NAMES = (
    "MailCo",
    "CRM AB",
    "Microsoft",
    "Microsoft Ireland Operations Ltd",
    "Zoom Video Communications, Inc.",
    "intern",
    "Ekonomikonsult AB",
)

#: Dates at the edges: leap days, month ends, the 1900 and 2999 limits, the as-of date and its eve.
EDGE_DATES = (
    dt.date(2024, 2, 29),
    dt.date(2023, 2, 28),
    dt.date(2025, 1, 31),
    dt.date(2025, 4, 30),
    dt.date(2025, 12, 31),
    dt.date(1900, 1, 1),
    dt.date(1900, 3, 1),
    dt.date(2999, 12, 31),
    dt.date(2999, 1, 1),
    dt.date(2026, 11, 1),
    dt.date(2026, 10, 31),
    dt.date(2019, 6, 15),
)
#: Excel serial day numbers, including 60 (Excel's non-existent 1900-02-29) and the last one Excel shows.
SERIALS = (1, 59, 60, 61, 45000, 45351, 2958465, 401768)
#: Dates as DPOs type them, valid or not.
DATE_TEXT = (
    "29 februari 2024",
    "29 feb 2023",
    "31 March 2025",
    "1/3/2022",
    "2025-02-30",
    "2999-12-31",
    "1900-02-29",
    "30 juni 2025",
    "2025-06-31",
    "31.12.2025",
    "NA",
    "-",
)
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober")


def _percent(draw: st.DrawFn) -> int:
    """0..99; shrinks to 0, so the plain choice (below a threshold) is the simplest."""
    return draw(st.integers(0, 99))


def _chance(draw: st.DrawFn, percent: float) -> bool:
    """True with about ``percent`` % probability.

    The window sits in the middle of the range because hypothesis draws the
    ends of a range more often than the rest; ``False`` is what it shrinks to.
    """
    return 400 <= draw(st.integers(0, 999)) < 400 + 10 * percent


def _date_cell(draw: st.DrawFn, spreadsheet: bool) -> Cell:
    """A date as a date cell, a serial number (spreadsheets only) or text, mostly valid."""
    roll = _percent(draw)
    day = draw(st.sampled_from(EDGE_DATES))
    if roll < 40:
        return dt.datetime.combine(day, dt.time()) if spreadsheet else day.isoformat()
    if roll < 55:
        return f"{day.day} {MONTHS_SV[(day.month - 1) % len(MONTHS_SV)]} {day.year}"
    if roll < 70 and spreadsheet:
        return draw(st.sampled_from(SERIALS))
    if roll < 85:
        return draw(st.sampled_from(DATE_TEXT))
    return day.isoformat()


def _number_cell(draw: st.DrawFn) -> Cell:
    return draw(st.sampled_from((30, 365, 0, -30, 10**9, 30.5, "30", "30 dagar", "365 days", "-5", "1e400", "NA")))


def _text_cell(draw: st.DrawFn) -> Cell:
    roll = _percent(draw)
    if roll < 60:
        return draw(st.sampled_from(FREE_WORDS))
    if roll < 80:
        return draw(st.sampled_from(HOSTILE_TEXT))
    return draw(st.sampled_from(STAFF))


def _maybe_plant(draw: st.DrawFn, scope: str, percent: int) -> Plant | None:
    if _chance(draw, percent):
        return Plant(draw(st.sampled_from(("name", "email"))), scope)
    return None


# --------------------------------------------------------------------------- pools


@dataclass(frozen=True)
class Pools:
    """The ids one folder uses, so sheets refer to each other (and sometimes to nothing)."""

    activities: tuple[str, ...]
    systems: tuple[str, ...]
    vendors: tuple[str, ...]
    unjudgeable: tuple[str, ...] = ()


def _id_list(draw: st.DrawFn, pool: tuple[str, ...], unknown: str) -> str:
    chosen = draw(st.lists(st.sampled_from((*pool, unknown)), max_size=3, unique=True)) if pool else []
    return draw(st.sampled_from(("; ", ", ", "\n"))).join(chosen)


# Per-column overrides: (input, sheet, column) -> cell drawer.
def _activity_cell(draw: st.DrawFn, column: str, row: int, pools: Pools, spreadsheet: bool) -> Cell:
    if column == "activity_id":
        return pools.activities[row] if _percent(draw) < 90 else draw(st.sampled_from((*pools.activities, "", " ")))
    if column == "policy_ref":
        roll = _percent(draw)
        if roll < 60:
            return draw(st.sampled_from(policy_ids()))
        if roll < 80:
            return None
        return draw(st.sampled_from(("P-NOPE", "p-crm", "P-EVENT-MEDIA", "P-PROCESSOR", "=P-CRM")))
    if column == "systems":
        return _id_list(draw, pools.systems, "S-99")
    if column == "recipients":
        return _id_list(draw, pools.vendors, "Okänd Mottagare AB")
    if column == "retention":
        return draw(st.sampled_from(RETENTION_TEXT)) if _percent(draw) < 85 else None
    if column == "activity":
        return draw(st.sampled_from((*FREE_WORDS, *HOSTILE_TEXT[:4], STAFF[0])))
    return None


def _systems_cell(draw: st.DrawFn, column: str, row: int, pools: Pools, spreadsheet: bool) -> Cell:
    if column == "system_id":
        return pools.systems[row] if _percent(draw) < 92 else draw(st.sampled_from((*pools.systems, "")))
    if column == "vendor":
        roll = _percent(draw)
        if roll < 80 and pools.vendors:
            return pools.vendors[row % len(pools.vendors)]
        return draw(st.sampled_from(("", "Microsoft", "Okänd AB", "internal")))
    if column == "recipient_category":
        return draw(st.sampled_from(RECIPIENT_CATEGORIES))
    if column == "system":
        return draw(st.sampled_from((*FREE_WORDS, *HOSTILE_TEXT[:3])))
    return None


def _vendors_cell(draw: st.DrawFn, column: str, row: int, pools: Pools, spreadsheet: bool) -> Cell:
    if column == "vendor":
        if _percent(draw) < 88:
            name = pools.vendors[row]
            return name.upper() if _percent(draw) < 10 else name
        return draw(st.sampled_from(("", "Microsoft Ireland Operations Ltd", "=Microsoft")))
    return None


def _requests_cell(draw: st.DrawFn, column: str, row: int, pools: Pools, spreadsheet: bool) -> Cell:
    if column == "request_id":
        return f"R-{row + 1}" if _percent(draw) < 92 else draw(st.sampled_from(("R-1", "")))
    if column == "subject_ref":
        return f"DS-{row + 1}"
    return None


def _disclosures_cell(draw: st.DrawFn, column: str, row: int, pools: Pools, spreadsheet: bool) -> Cell:
    if column == "activity_id":
        return draw(st.sampled_from((*pools.activities, "A-99"))) if pools.activities else "A-99"
    if column == "recipient":
        return draw(st.sampled_from(("Polisen", "Skatteverket", *pools.vendors)))
    return None


OVERRIDES = {
    "Activities": _activity_cell,
    "Systems": _systems_cell,
    "Vendors": _vendors_cell,
    "Requests": _requests_cell,
    "Disclosures": _disclosures_cell,
}


def _typed_cell(draw: st.DrawFn, spec: dict[str, Any], spreadsheet: bool) -> Cell:
    """A cell for a column of ``spec``'s type: mostly valid, sometimes junk or a planted name."""
    kind = spec["type"]
    scope = {
        "date": "register-date",
        "number": "register-number",
        "yesno": "register-yesno",
        "vocab": "register-vocab",
        "country": "register-country",
        "country_list": "register-country",
    }.get(kind)
    if scope is not None and (plant := _maybe_plant(draw, scope, 6)):
        return plant
    if kind == "date":
        return _date_cell(draw, spreadsheet)
    if kind == "number":
        return _number_cell(draw)
    if kind == "yesno":
        return draw(st.sampled_from((*words("yes_no"), "kanske", "JA!")))
    if kind == "vocab":
        return draw(st.sampled_from((*words(spec["vocabulary"]), "okänt värde")))
    if kind in ("country", "country_list"):
        return draw(st.sampled_from(COUNTRIES))
    if kind == "legal_basis_list":
        chosen = draw(st.lists(st.sampled_from(words("legal_basis")), min_size=1, max_size=2, unique=True))
        return "; ".join(chosen)
    if kind in ("list", "id_list"):
        return "; ".join(draw(st.lists(st.sampled_from(FREE_WORDS), max_size=3, unique=True)))
    if kind == "id":
        return draw(st.sampled_from(("X-1", "X-2", "")))
    return _text_cell(draw)


# --------------------------------------------------------------------------- headers


PAREN_NOTES = ("(dagar)", "(art. 6)", "[obligatorisk]", "(valfri)")


def _header(draw: st.DrawFn, alias: str, required: bool) -> tuple[str, bool]:
    """``alias`` as a DPO might have typed it, and whether the contract should still recognise it.

    Mostly as is; sometimes in capitals, annotated in parentheses, padded,
    behind a formula character, with a tab or CR, or with its last word in
    parentheses ("Gallring (dagar)"). Only an added word makes it another header.
    """
    roll = _percent(draw)
    if required and not _chance(draw, 10):  # a broken required header stops the run: keep that rarer
        roll = 0
    if roll < 70:
        return alias, True
    if roll < 75:
        return alias.upper(), True
    if roll < 80:
        return f"{alias} {draw(st.sampled_from(PAREN_NOTES))}", True
    if roll < 84:
        return f"  {alias} ", True
    if roll < 88:
        return draw(st.sampled_from(("=", "+", "-", "@"))) + alias, True
    if roll < 91:
        return draw(st.sampled_from((f"{alias}\t", f"\t{alias}", f"{alias}\r"))), True
    if roll < 93:
        return f"{alias}\rnotering", False
    parts = alias.split()
    return (f"{' '.join(parts[:-1])} ({parts[-1]})" if len(parts) > 1 else f"{alias} (text)"), True


EXTRA_HEADERS = ("Kommentar", "Notes", "Anteckningar", "Kontaktperson", "=Kommentar", "@note")
RECORD_EXTRA_HEADERS = ("name", "email", "namn", "e-post", "anteckning")

# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """One sheet as written: title rows, the header row (``None``: a completely empty sheet), data rows.

    ``columns`` is the canonical column behind each header cell (``None`` for an extra column).
    """

    titles: tuple[tuple[Cell, ...], ...] = ()
    header: tuple[str, ...] | None = ()
    columns: tuple[str | None, ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()

    @property
    def header_row(self) -> int:
        """The 1-based row number of the header."""
        return len(self.titles) + 1


@st.composite
def _layout(draw: st.DrawFn, input_name: str, sheet: str, extra_headers: tuple[str, ...]) -> tuple[list, list]:
    """Headers and canonical names of one sheet: required columns, some optional ones, extras, duplicates."""
    cols = columns(input_name, sheet)
    required = [name for name, spec in cols.items() if spec.get("required")]
    chosen = [name for name, spec in cols.items() if spec.get("required") or draw(st.booleans())]
    if required and _chance(draw, 1.5):  # now and then a required column is missing: a one-line error
        chosen.remove(draw(st.sampled_from(required)))
    chosen = list(draw(st.permutations(chosen)))
    headers: list[str] = []
    canon: list[str | None] = []
    for c in chosen:
        text, known = _header(
            draw, draw(st.sampled_from(headers_for(input_name, sheet, c))), bool(cols[c].get("required"))
        )
        headers.append(text)
        canon.append(c if known else None)
    if chosen and _chance(draw, 6):  # a duplicate header: the same heading twice
        i = draw(st.integers(0, len(chosen) - 1))
        headers.append(headers[i])
        canon.append(canon[i])
    if _chance(draw, 40):  # a column the contract does not know
        headers.append(_header(draw, draw(st.sampled_from(extra_headers)), False)[0])
        canon.append(None)
    return headers, canon


def _titles(draw: st.DrawFn) -> tuple[tuple[Cell, ...], ...]:
    roll = _percent(draw)
    if roll < 60:
        return ()
    if roll < 85:
        return (("Registerförteckning enligt artikel 30 (Exempel AB)",),)
    return (("Registerförteckning (Exempel AB)",), ("Uppdaterad 2025-01-01",), ())


def _ragged(draw: st.DrawFn, row: list[Cell], csv_file: bool) -> list[Cell]:
    """A CSV row cut short or with trailing cells past the header (spreadsheets: trailing cells only)."""
    roll = _percent(draw)
    if csv_file and roll >= 90 and row:
        return row[: draw(st.integers(0, len(row) - 1))]
    if roll >= 85:
        return [*row, draw(st.sampled_from(("", "x", *HOSTILE_TEXT[:2])))]
    return row


@st.composite
def tables(draw: st.DrawFn, input_name: str, sheet: str, pools: Pools, n_rows: int, csv_file: bool) -> Table:
    """One register sheet of ``n_rows`` data rows (blank, ragged and hostile ones included)."""
    if _chance(draw, 1.5):
        return Table(header=None)
    headers, canon = draw(_layout(input_name, sheet, EXTRA_HEADERS))
    cols = columns(input_name, sheet)
    override = OVERRIDES[sheet]
    rows: list[tuple[Cell, ...]] = []
    for r in range(n_rows):
        if _chance(draw, 5):
            rows.append(() if draw(st.booleans()) else tuple(None for _ in headers))  # spacing row
            continue
        row: list[Cell] = []
        for name in canon:
            row.append(_register_cell(draw, cols, name, override, r, pools, not csv_file))
        rows.append(tuple(_ragged(draw, row, csv_file)))
    return Table(_titles(draw), tuple(headers), tuple(canon), tuple(rows))


def _register_cell(draw, cols, name, override, row, pools, spreadsheet) -> Cell:
    if name is None:  # an extra column: free text, sometimes a person
        return _maybe_plant(draw, "register-extra", 30) or _text_cell(draw)
    spec = cols[name]
    if not spec.get("required") and _chance(draw, 25):
        return None  # NA in an optional cell
    value = override(draw, name, row, pools, spreadsheet)
    if value is None:
        value = _typed_cell(draw, spec, spreadsheet)
    if spreadsheet and isinstance(value, str) and value.startswith("=") and _chance(draw, 30):
        return Formula(value)
    return value


# --------------------------------------------------------------------------- record extracts


@dataclass(frozen=True)
class Extract:
    """One ``records/<stem>.<fmt>`` extract."""

    stem: str
    fmt: str  # csv | xlsx | parquet
    table: Table


@st.composite
def extracts(draw: st.DrawFn, pools: Pools) -> Extract:
    """A record extract for a system of the inventory (sometimes none), with names and e-mail addresses."""
    stem = draw(st.sampled_from((*pools.systems, "S-X"))) if pools.systems else "S-X"
    fmt = draw(st.sampled_from(("csv", "xlsx", "parquet")))
    headers, canon = draw(_layout("records", "Records", RECORD_EXTRA_HEADERS))
    if not _chance(draw, 30):  # the usual extract has the person's name and address
        headers += ["name", "email"]
        canon += [None, None]
    acts = (*pools.activities, *pools.unjudgeable)
    rows: list[tuple[Cell, ...]] = []
    for r in range(draw(st.integers(0, 6))):
        if _chance(draw, 5):
            rows.append(() if draw(st.booleans()) else tuple(None for _ in headers))
            continue
        junk = _chance(draw, 5)
        rows.append(tuple(_record_cell(draw, h, c, r, acts, fmt, junk) for h, c in zip(headers, canon, strict=True)))
    return Extract(stem, fmt, Table(_titles(draw) if fmt == "xlsx" else (), tuple(headers), tuple(canon), tuple(rows)))


def _record_cell(draw, header: str, name: str | None, row: int, acts: tuple[str, ...], fmt: str, junk: bool) -> Cell:
    if junk:
        return draw(st.sampled_from(("???", "#N/A", "0", *HOSTILE_TEXT[:3])))
    if name is None:
        return Plant("email" if "mail" in header or "post" in header else "name", "record-extra")
    if name == "record_id":
        return f"REC-{row + 1}" if _percent(draw) < 95 else ""
    if name == "subject_ref":
        return f"DS-{row + 1}"
    if name == "activity_id":
        if _chance(draw, 4):
            return Plant("name", "record-id")
        return draw(st.sampled_from((*acts, "A-99"))) if acts else "A-99"
    if _chance(draw, 25):
        return None
    return _maybe_plant(draw, "record-date", 5) or _date_cell(draw, spreadsheet=fmt == "xlsx")


# --------------------------------------------------------------------------- folders


@dataclass(frozen=True)
class Folder:
    """One data folder: each input in its format (``None``: the optional file is absent)."""

    activities: Table
    activities_fmt: str
    systems: Table
    vendors: Table
    inventory_fmt: str
    requests: Table | None
    requests_fmt: str
    disclosures: Table | None
    disclosures_fmt: str
    records: tuple[Extract, ...]
    sheet_names: tuple[str, ...] = ("Behandlingar", "System", "Leverantörer", "Ärenden", "Utlämnanden")
    extra_sheet: bool = False


SHEET_NAMES = {
    "Activities": ("Behandlingar", "Activities", "Registerförteckning", "Blad1"),
    "Systems": ("System", "Systems", "IT-system"),
    "Vendors": ("Leverantörer", "Vendors", "Mottagare"),
    "Requests": ("Ärenden", "Requests", "Blad1"),
    "Disclosures": ("Utlämnanden", "Disclosures"),
}


@st.composite
def folders(draw: st.DrawFn) -> Folder:
    """A data folder: valid at heart, with the hostile and edge content of the module docstring."""
    n_acts, n_systems, n_vendors = (_row_count(draw, most) for most in (4, 3, 3))
    vendors = tuple(draw(st.permutations(VENDOR_NAMES))[:n_vendors])
    pools = Pools(
        activities=tuple(f"A-{i + 1}" for i in range(n_acts)),
        systems=tuple(f"S-{i + 1}" for i in range(n_systems)),
        vendors=vendors,
    )
    fmt = {
        key: draw(st.sampled_from(("xlsx", "csv"))) for key in ("activities", "inventory", "requests", "disclosures")
    }
    activities = draw(tables("activities", "Activities", pools, n_acts, fmt["activities"] == "csv"))
    # Activities whose retention cannot be judged: no policy_ref, or a vague or absent policy retention.
    unjudgeable = _unjudgeable(activities)
    pools = Pools(pools.activities, pools.systems, pools.vendors, unjudgeable)
    systems = draw(tables("inventory", "Systems", pools, n_systems, fmt["inventory"] == "csv"))
    vendor_table = draw(tables("inventory", "Vendors", pools, n_vendors, fmt["inventory"] == "csv"))
    requests = draw(st.none() | tables("requests", "Requests", pools, _row_count(draw, 3), fmt["requests"] == "csv"))
    disclosures = draw(
        st.none() | tables("disclosures", "Disclosures", pools, _row_count(draw, 2), fmt["disclosures"] == "csv")
    )
    records = tuple(draw(st.lists(extracts(pools), max_size=3)))
    names = tuple(draw(st.sampled_from(SHEET_NAMES[s])) for s in SHEET_NAMES)
    return Folder(
        activities=activities,
        activities_fmt=fmt["activities"],
        systems=systems,
        vendors=vendor_table,
        inventory_fmt=fmt["inventory"],
        requests=requests,
        requests_fmt=fmt["requests"],
        disclosures=disclosures,
        disclosures_fmt=fmt["disclosures"],
        records=records,
        sheet_names=names,
        extra_sheet=_chance(draw, 15),
    )


def _row_count(draw: st.DrawFn, most: int) -> int:
    """Data rows of a sheet: 1 to ``most``, and now and then none (a header-only sheet)."""
    return 0 if _chance(draw, 10) else draw(st.integers(1, most))


def _unjudgeable(activities: Table) -> tuple[str, ...]:
    """Ids of activities with no policy_ref or one whose policy retention is vague or absent."""
    if not activities.header or "activity_id" not in activities.columns:
        return ()
    id_at = activities.columns.index("activity_id")
    ref_at = activities.columns.index("policy_ref") if "policy_ref" in activities.columns else None
    out = []
    for row in activities.rows:
        if len(row) <= id_at or not isinstance(row[id_at], str) or not row[id_at].strip():
            continue
        ref = row[ref_at] if ref_at is not None and ref_at < len(row) else None
        if ref in (None, "", "P-EVENT-MEDIA", "P-PROCESSOR", "P-COOKIES"):
            out.append(row[id_at])
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Planted:
    """Where the writer put one private value."""

    value: str
    scope: str
    file: str
    header: str


@dataclass
class Written:
    """What :func:`write_folder` wrote: the planted values and the data rows each file holds.

    ``rows`` maps ``(file, sheet)`` (the labels the audit cites: the file
    relative to the data folder, the sheet name in the workbook, the
    canonical sheet for a CSV, the file stem for an extract CSV or Parquet) to
    the 1-based row numbers of data rows that hold something.
    """

    plants: list[Planted] = field(default_factory=list)
    rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    _next: int = 0

    def private(self, plant: Plant, file: str, header: str) -> str:
        """The next unused fake name or address for ``plant``; recorded with its place."""
        if self._next >= len(PRIVATE_NAMES):
            return "x"
        name = PRIVATE_NAMES[self._next]
        self._next += 1
        value = name if plant.kind == "name" else _email(name)
        self.plants.append(Planted(value, plant.scope, file, header))
        return value


def _email(name: str) -> str:
    first, last = name.lower().split()
    return f"{first}.{last}@example.org".replace("ä", "a").replace("ö", "o").replace("å", "a")


def surname(value: str) -> str:
    """The distinctive part of a planted value (the surname), to search for in outputs."""
    if "@" in value:
        return value.split("@")[0].split(".")[-1]
    return value.split()[-1].casefold()


def write_folder(folder: Folder, root: Path) -> Written:
    """Write ``folder`` under ``root`` (created); return the planted values and the data rows written."""
    root.mkdir(parents=True, exist_ok=True)
    out = Written()
    names = dict(zip(SHEET_NAMES, folder.sheet_names, strict=True))
    _write_input(root, out, "activities", folder.activities_fmt, {"Activities": folder.activities}, names, folder)
    inventory = {"Systems": folder.systems, "Vendors": folder.vendors}
    _write_input(root, out, "inventory", folder.inventory_fmt, inventory, names, folder)
    if folder.requests is not None:
        _write_input(root, out, "requests", folder.requests_fmt, {"Requests": folder.requests}, names, folder)
    if folder.disclosures is not None:
        disclosures = {"Disclosures": folder.disclosures}
        _write_input(root, out, "disclosures", folder.disclosures_fmt, disclosures, names, folder)
    for extract in _distinct_extracts(folder.records):
        _write_extract(root, out, extract)
    return out


def _distinct_extracts(records: tuple[Extract, ...]) -> list[Extract]:
    """One extract per system (two for one system is a deliberate one-line error, tested elsewhere)."""
    seen: dict[str, Extract] = {}
    for extract in records:
        seen.setdefault(extract.stem.casefold(), extract)
    return list(seen.values())


def _write_input(
    root: Path, out: Written, name: str, fmt: str, sheets: dict[str, Table], names: dict[str, str], folder: Folder
) -> None:
    if fmt == "xlsx":
        label = f"{name}.xlsx"
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for sheet, table in sheets.items():
            _xlsx_sheet(wb.create_sheet(names[sheet]), table, out, label)
            out.rows[(label, names[sheet])] = _data_rows(table)
        if folder.extra_sheet and names[next(iter(sheets))] != "Blad1":  # "Blad1" is found as the only sheet
            wb.create_sheet("Instruktioner").append(["Fyll i en rad per behandling."])
        wb.save(root / label)
        out.files.append(label)
        return
    for sheet, table in sheets.items():
        label = f"{name}.csv" if len(sheets) == 1 else f"{name}.{sheet.lower()}.csv"
        _csv_file(root / label, table, out, label, delimiter=";" if name == "inventory" else ",")
        out.rows[(label, sheet)] = _data_rows(table)
        out.files.append(label)


def _resolve(value: Cell, out: Written, file: str, header: str) -> Cell:
    return out.private(value, file, header) if isinstance(value, Plant) else value


def _grid(table: Table, out: Written, file: str) -> list[list[Cell]]:
    """Title rows, header and data rows with every plant replaced by its value."""
    if table.header is None:
        return []
    grid: list[list[Cell]] = [list(t) for t in table.titles]
    grid.append(list(table.header))
    for row in table.rows:
        grid.append(
            [_resolve(v, out, file, table.header[j] if j < len(table.header) else "") for j, v in enumerate(row)]
        )
    return grid


def _xlsx_sheet(ws, table: Table, out: Written, file: str) -> None:
    for r, row in enumerate(_grid(table, out, file), start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c)
            if isinstance(value, Formula):
                cell.value = value.text  # openpyxl stores text starting with "=" as a formula
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                cell.value = dt.datetime.combine(value, dt.time())
            else:
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text, even when it starts with "="


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_file(path: Path, table: Table, out: Written, file: str, delimiter: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        for row in _grid(table, out, file):
            writer.writerow([_text(v) for v in row])


def _write_extract(root: Path, out: Written, extract: Extract) -> None:
    label = f"records/{extract.stem}.{extract.fmt}"
    path = root / label
    path.parent.mkdir(parents=True, exist_ok=True)
    table = extract.table
    if extract.fmt == "csv":
        _csv_file(path, table, out, label, delimiter=",")
        out.rows[(label, extract.stem)] = _data_rows(table)
    elif extract.fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Poster"
        _xlsx_sheet(ws, table, out, label)
        wb.save(path)
        out.rows[(label, "Poster")] = _data_rows(table)
    else:
        _parquet(path, table, out, label)
        out.rows[(label, extract.stem)] = [i + 2 for i in range(len(table.rows)) if _holds_something(table.rows[i])]
    out.files.append(label)


def _parquet(path: Path, table: Table, out: Written, file: str) -> None:
    """A Parquet extract: every column as text (one column per header; duplicates get a suffix)."""
    grid = _grid(table, out, file)
    header = [str(h) for h in table.header or ()]
    names = []
    for h in header:
        while h in names:
            h += "_"
        names.append(h)
    data = {n: [(_text(r[j]) or None) if j < len(r) else None for r in grid[1:]] for j, n in enumerate(names)}
    pq.write_table(pa.table({n: pa.array(v, pa.string()) for n, v in data.items()}), path)


def _holds_something(row: tuple[Cell, ...]) -> bool:
    """Whether a data row has a cell with content (formula cells may be read as blank, so they do not count)."""
    return any(not isinstance(v, Formula) and _text(v).strip() and _text(v).strip() != "nan" for v in row)


def _data_rows(table: Table) -> list[int]:
    """1-based row numbers of the data rows that hold something."""
    first = table.header_row + 1
    return [first + i for i, row in enumerate(table.rows) if _holds_something(row)]


# --------------------------------------------------------------------------- describing


def describe(folder: Folder) -> str:
    """The folder as a short text a person can rebuild it from (for failure messages and reports)."""
    lines = []
    parts = [
        ("activities", folder.activities_fmt, {"Activities": folder.activities}),
        ("inventory", folder.inventory_fmt, {"Systems": folder.systems, "Vendors": folder.vendors}),
        ("requests", folder.requests_fmt, {"Requests": folder.requests} if folder.requests else None),
        ("disclosures", folder.disclosures_fmt, {"Disclosures": folder.disclosures} if folder.disclosures else None),
    ]
    for name, fmt, sheets in parts:
        if sheets is None:
            lines.append(f"{name}: absent")
            continue
        for sheet, table in sheets.items():
            if fmt == "xlsx":
                label = f"{name}.xlsx, sheet {dict(zip(SHEET_NAMES, folder.sheet_names, strict=True))[sheet]}"
            else:
                label = f"{name}.csv" if len(sheets) == 1 else f"{name}.{sheet.lower()}.csv"
            lines.append(f"{label}: {_describe_table(table)}")
    for extract in _distinct_extracts(folder.records):
        lines.append(f"records/{extract.stem}.{extract.fmt}: {_describe_table(extract.table)}")
    return "\n".join(lines)


def _describe_table(table: Table) -> str:
    if table.header is None:
        return "completely empty sheet"
    rows = "; ".join(repr(tuple(_short(v) for v in row)) for row in table.rows) or "no rows"
    titles = f"{len(table.titles)} title rows, " if table.titles else ""
    return f"{titles}header {list(table.header)!r}, rows {rows}"


def _short(value: Cell) -> object:
    if isinstance(value, Plant):
        return f"<{value.kind}:{value.scope}>"
    if isinstance(value, Formula):
        return f"formula {value.text}"
    if isinstance(value, dt.datetime):
        return f"date {value.date().isoformat()}"
    return value
