"""The canonical columns of a staged extract, and its input issues, computed in the engine.

Values are parsed by the same functions as every other input, but only the
*distinct* values: an extract of a hundred million records has a few
thousand distinct dates and a handful of activity ids, so each date column's
distinct texts are parsed in pandas (:func:`~audit.inputs.values.normalise_dates`,
with the DPO's date order) and joined back in the engine as a small mapping
table. A value that cannot be read, a blank required id, a duplicated
``record_id`` or an activity the register lacks becomes one input issue per
column and problem: the count, the first rows and a few example values
(:data:`~audit.inputs.frames.EXAMPLES`), so nothing is dropped silently and
the report never lists a million rows.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from audit.inputs.frames import EXAMPLES, MISSING_VALUE, issues_frame
from audit.inputs.schema import SheetSpec
from audit.inputs.values import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE_DATE, normalise_dates
from audit.records.store import ID_COLUMNS, Extract
from audit.reference.vocab import fold

PROBLEM_COLUMNS = ["raw", "problem", "shown"]
EARLIEST_DAY = EARLIEST_DATE.date()
LATEST_DAY = LATEST_DATE.date()


def canonical_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, frozenset[str]]:
    """The contract columns of an already normalised frame (tests, Excel sheets), typed for the engine."""
    from audit.inputs.schema import input_specs

    sheet = input_specs()["records"].sheets[0]
    names = [c.name for c in sheet.columns if c.name in frame.columns]
    data = pd.DataFrame(
        {
            "src_sheet": (frame["src_sheet"] if "src_sheet" in frame else pd.Series("", index=frame.index))
            .astype("object")
            .fillna(""),
            "src_row": pd.to_numeric(frame.get("src_row", pd.Series(range(2, len(frame) + 2), index=frame.index)))
            .fillna(0)
            .astype("int64"),
        }
    )
    for name in names:
        col = frame[name]
        if sheet.column(name).type == "date":
            data[name] = pd.to_datetime(col, errors="coerce").astype("datetime64[ns]")
        else:
            data[name] = col.astype("object").where(col.notna(), None).map(lambda v: v if v is None else str(v))
    for name in ID_COLUMNS:
        if name not in data:
            data[name] = pd.Series(None, index=frame.index, dtype=object)
    return data.reset_index(drop=True), frozenset(names) | frozenset(ID_COLUMNS) & frozenset(names)


def _text(col: ibis.Value) -> ibis.Value:
    """Stripped text, missing when blank: ids as the rules compare them."""
    stripped = col.cast("string").strip()
    return ibis.ifelse(stripped == "", ibis.null("string"), stripped)


def _date_map(raw: ibis.Table, column: str, date_order: str | None) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Distinct values of one date column parsed in pandas: (raw -> date) and (raw -> problem, shown value).

    A column the file already types as dates (Parquet, a database) needs no
    mapping (``None``): it is cast in the engine, and only its distinct days
    outside the plausible window are problems.
    """
    kind = raw.schema()[column]
    if not kind.is_string():
        days = raw.select(v=raw[column].cast("date")).distinct().to_pyarrow().column("v").to_pylist()
        outside = sorted(d for d in days if d is not None and not EARLIEST_DAY <= d <= LATEST_DAY)
        bad = pd.DataFrame({"raw": outside, "problem": OUT_OF_RANGE_DATE, "shown": [d.isoformat() for d in outside]})
        return None, bad.astype({"raw": "object"}) if outside else pd.DataFrame(columns=PROBLEM_COLUMNS)
    values = raw.select(v=raw[column]).distinct().to_pandas()["v"]
    values = values[values.notna()].reset_index(drop=True)
    parsed, problems = normalise_dates(values.astype(object), date_order)
    mapping = pd.DataFrame({"raw": values, "parsed": parsed.dt.date})
    bad = pd.DataFrame(
        {
            "raw": values.loc[problems.index],
            "problem": problems["problem"].astype(str),
            "shown": problems["value"].astype(str),
        }
    )
    return mapping, bad


def _aggregate(
    hits: ibis.Table, problem: str, file: str, sheet: str, header: str, value: str | None = None
) -> dict[str, Any]:
    """One input issue for ``hits`` (``src_row`` and ``shown`` columns): the count, first rows, example values."""
    count = int(hits.count().to_pyarrow().as_py())
    first = hits.order_by("src_row").limit(EXAMPLES).select("src_row", "shown").to_pandas()
    rows = [int(r) for r in first["src_row"]]
    if value is None:
        shown = hits.group_by("shown").aggregate(at=hits.src_row.min()).order_by("at").limit(EXAMPLES).to_pandas()
        examples: tuple[str, ...] | str = tuple(str(v) for v in shown["shown"])
        if examples in ((), ("",)):
            examples = ""
    else:
        examples = value
    noun = "row" if count == 1 else "rows"
    return {
        "file": file,
        "sheet": sheet,
        "row": rows[0],
        "column": header,
        "value": examples,
        "problem": f"{problem}: {count} {noun} (first: {', '.join(str(r) for r in rows)})",
    }


def normalise_extract(
    backend: Any,
    raw: ibis.Table,
    system_id: str,
    file: str,
    sheet_label: str,
    sheet: SheetSpec,
    headers: dict[str, str],
    date_order: str | None,
    activities: pd.Series,
    activities_where: str,
    name: str,
    materialise: bool,
) -> tuple[Extract, pd.DataFrame]:
    """The extract with canonical, typed columns, and its input issues (one per column and problem).

    ``raw`` has ``src_row`` and the canonical columns as staged (text from a
    CSV, typed from Parquet); ``headers`` maps each to the DPO's header;
    ``activities`` are the register's activity ids, whose spelling a record's
    ``activity_id`` is aligned to (``a-02`` -> ``A-02``); ``activities_where``
    names the register sheet in the problem text. ``materialise`` writes the
    result as an engine table (a staged CSV, read by several rules) rather
    than a view (a Parquet file, scanned where it lies).
    """
    issues: list[dict[str, Any]] = []
    table = raw
    dates: list[str] = []
    typed: list[str] = []
    for canon in headers:
        spec = sheet.column(canon)
        header = headers[canon]
        if spec.type == "date":
            mapping, bad = _date_map(raw, canon, date_order)
            key = raw[canon] if mapping is not None else raw[canon].cast("date")
            if not bad.empty:
                problems = ibis.memtable(bad)
                hits = raw.inner_join(problems, key == problems.raw).select("src_row", "problem", "shown")
                for problem in sorted(bad["problem"].unique()):
                    kind = hits.filter(hits.problem == problem)
                    issues.append(_aggregate(kind, problem, file, sheet_label, header))
            if mapping is None:
                typed.append(canon)
                continue
            lookup = ibis.memtable(mapping.rename(columns={"raw": f"_raw_{canon}", "parsed": f"_d_{canon}"}))
            table = table.left_join(lookup, table[canon] == lookup[f"_raw_{canon}"])
            dates.append(canon)
        elif spec.required:
            blank = raw.filter(_text(raw[canon]).isnull()).select("src_row", shown=ibis.literal(""))
            if int(blank.count().to_pyarrow().as_py()):
                issues.append(_aggregate(blank, MISSING_VALUE, file, sheet_label, header))
    select: dict[str, ibis.Value] = {"src_sheet": ibis.literal(sheet_label), "src_row": table.src_row.cast("int64")}
    for canon in headers:
        if canon in typed:
            day = table[canon].cast("date")
            select[canon] = ibis.ifelse(day.between(EARLIEST_DAY, LATEST_DAY), day, ibis.null("date"))
        elif canon in dates:
            select[canon] = table[f"_d_{canon}"].cast("date")
        else:
            select[canon] = _text(table[canon])
    out = table.select(**select)
    for canon in ID_COLUMNS:
        if canon not in out.columns:
            out = out.mutate(**{canon: ibis.null("string")})
    out, activity_issue = _align_activities(out, activities, activities_where, file, sheet_label, headers)
    # A staged CSV becomes a table (several rules read it); a Parquet file stays a view, scanned where it lies.
    out = backend.create_table(name, out, temp=True) if materialise else backend.create_view(name, out)
    issues.extend(duplicate_issues(out, file, sheet_label, headers.get("record_id", "record_id")))
    if activity_issue is not None:
        issues.append(activity_issue)
    rows = int(out.count().to_pyarrow().as_py())
    extract = Extract(system_id, file, out, frozenset(headers), rows, dict(headers))
    return extract, issues_frame(issues)


def _align_activities(
    out: ibis.Table, activities: pd.Series, where: str, file: str, sheet_label: str, headers: dict[str, str]
) -> tuple[ibis.Table, dict[str, Any] | None]:
    """Activity ids in the register's spelling, and the issue for ids the register does not have."""
    seen = out.select("activity_id").distinct().to_pandas()["activity_id"].dropna().astype(str)
    known = {fold(a): a for a in activities.dropna().astype(str)}
    exact = set(activities.dropna().astype(str))
    renames = {v: known[fold(v)] for v in seen if v not in exact and fold(v) in known}
    unknown = [v for v in seen if v not in exact and fold(v) not in known]
    if renames:
        lookup = ibis.memtable(pd.DataFrame({"_from": list(renames), "_to": list(renames.values())}))
        joined = out.left_join(lookup, out.activity_id == lookup._from)
        out = joined.mutate(activity_id=joined._to.fill_null(joined.activity_id)).drop("_from", "_to")
    if not unknown:
        return out, None
    hits = out.filter(out.activity_id.isin(unknown)).select("src_row", shown=out.activity_id)
    problem = f"activity not in the register ({where})"
    return out, _aggregate(hits, problem, file, sheet_label, headers.get("activity_id", "activity_id"))


def duplicate_issues(out: ibis.Table, file: str, sheet_label: str, header: str) -> list[dict[str, Any]]:
    """The issue for records whose ``record_id`` repeats an earlier row's (one hash aggregate when there are none)."""
    # One pass answers the usual case (no duplicate): as many distinct ids as ids.
    tally = out.aggregate(ids=out.record_id.count(), distinct=out.record_id.nunique()).to_pyarrow().to_pylist()[0]
    if tally["ids"] == tally["distinct"]:
        return []
    ids = out.filter(out.record_id.notnull())
    keys = ids.group_by("record_id").aggregate(n=ids.count(), first=ids.src_row.min())
    keys = keys.filter(keys.n > 1)
    joined = ids.inner_join(keys, "record_id")
    hits = joined.filter(joined.src_row > joined.first).select("src_row", shown=joined.record_id)
    return [_aggregate(hits, "duplicate record_id", file, sheet_label, header)]
