"""The bundled sample organisation: reproducible, and its gaps are exactly the documented ones.

The rules' end-to-end test trusts ``data/sample/expected_findings.csv``; these
tests check that list against the files themselves (row citations, record
counts, register wording), computed here with pandas and the shared
vocabularies rather than with the generator's own bookkeeping.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from audit.paths import PROJECT_DIR, SAMPLE_DIR
from audit.policy.model import load_policy
from audit.reference.datafiles import reference
from audit.reference.durations import parse_retention
from audit.reference.settings import load_settings
from audit.reference.vocab import data_categories, recipient_categories, vocabulary
from tools import sample
from tools.sample import data, findingspec, organisation, recordspec
from tools.sample.loading import FIXTURES_DIR

AS_OF = pd.Timestamp(sample.SAMPLE_AS_OF)
GRACE = pd.Timedelta(days=load_settings().event_grace_days)
WORKBOOKS = ["activities.xlsx", "inventory.xlsx", "requests.xlsx", "disclosures.xlsx"]
ART30_FIELDS = {"purpose", "data_subjects", "data_categories", "recipients", "retention", "security_measures"}


HAND_WRITTEN = {"expected_policy_findings.csv"}  # POL expectations come from the policy, not the generator


def _files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name not in HAND_WRITTEN
    )


def _expected(folder: Path = SAMPLE_DIR) -> pd.DataFrame:
    return pd.read_csv(folder / "expected_findings.csv", dtype=str, keep_default_na=False)


def _pairs(frame: pd.DataFrame, rule_prefix: str = "") -> set[tuple[str, str]]:
    sel = frame[frame["rule"].str.startswith(rule_prefix)]
    return set(zip(sel["rule"], sel["subject"], strict=True))


def _split(cell: object) -> list[str]:
    """A list cell as inputs.md reads it: ';' or line breaks, else ','."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    text = str(cell)
    parts = re.split(r"[;\n]", text) if re.search(r"[;\n]", text) else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def _records(folder: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in sorted((folder / "records").iterdir()):
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
        for col in frame.columns.intersection(sample.DATE_COLUMNS[path.stem]):
            frame[col] = pd.to_datetime(frame[col])
        out[path.stem] = frame
    return out


def _overdue(records: dict[str, pd.DataFrame]) -> dict[tuple[str, str], int]:
    """Records past the policy's limits, counted here from the dates alone (activity × system -> count)."""
    crm, news, event, erp = (records[s] for s in ("S-CRM", "S-NEWS", "S-EVENT", "S-ERP"))
    fiscal_end = erp["fiscal_year_end"].fillna(erp["collected"].dt.to_period("Y").dt.end_time.dt.normalize())
    masks = {
        "S-CRM": (crm["contract_end"] + pd.DateOffset(years=7) < AS_OF) | (crm["deal_declined"] + GRACE < AS_OF),
        "S-NEWS": news["unsubscribed"] + GRACE < AS_OF,
        "S-EVENT": event["event_date"] + GRACE < AS_OF,
        "S-ERP": fiscal_end + pd.DateOffset(years=7) < AS_OF,
    }
    counts = {}
    for sid, mask in masks.items():
        per_activity = records[sid].loc[mask, "activity_id"].value_counts()
        counts.update({(act, sid): int(n) for act, n in per_activity.items()})
    return counts


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    sample.write_sample(out)
    return out


def test_regenerating_reproduces_the_committed_files(regenerated: Path) -> None:
    assert _files(regenerated) == _files(SAMPLE_DIR)
    for name in _files(SAMPLE_DIR):
        if not name.endswith(".xlsx"):
            assert (regenerated / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


@pytest.mark.parametrize("name", WORKBOOKS)
def test_regenerated_workbooks_hold_the_committed_cell_values(regenerated: Path, name: str) -> None:
    committed = pd.read_excel(SAMPLE_DIR / name, sheet_name=None, header=None, engine="calamine")
    fresh = pd.read_excel(regenerated / name, sheet_name=None, header=None, engine="calamine")
    assert list(fresh) == list(committed)
    for sheet in committed:
        pd.testing.assert_frame_equal(fresh[sheet], committed[sheet])


def test_workbooks_carry_no_wall_clock(regenerated: Path) -> None:
    for name in WORKBOOKS:
        with zipfile.ZipFile(regenerated / name) as book:
            assert {info.date_time for info in book.infolist()} == {(2026, 11, 1, 0, 0, 0)}
            core = book.read("docProps/core.xml").decode()
        assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [
            ("created", "2026-11-01T00:00:00Z"),
            ("modified", "2026-11-01T00:00:00Z"),
        ]


def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder, seed in ((first, 7), (again, 7), (other, 8)):
        sample.write_sample(folder, seed=seed, record_rows=500)
    for name in _files(first):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    assert (first / "records/S-NEWS.csv").read_bytes() != (other / "records/S-NEWS.csv").read_bytes()
    # The seed moves records around; which gaps exist does not depend on it.
    assert _pairs(_expected(first)) == _pairs(_expected(other)) == _pairs(_expected())


def test_every_rule_outside_pol_is_planted() -> None:
    catalogue = [rule for rule in reference("rules")["rules"] if not rule.startswith("POL")]
    spec = PROJECT_DIR.parent / "shared" / "spec" / "rules.md"
    if spec.exists():
        in_spec = re.findall(r"^\| ([A-Z]{3}-\d\d) \|", spec.read_text(encoding="utf-8"), re.MULTILINE)
        # Issues extend the contract: every rule of the spec is in the catalogue, in the same order.
        spec_rules = [rule for rule in in_spec if not rule.startswith("POL")]
        assert [rule for rule in catalogue if rule in spec_rules] == spec_rules
    expected = _expected()
    assert sorted(set(expected["rule"])) == sorted(catalogue)
    assert not expected.duplicated(["rule", "subject"]).any()
    assert (expected["what"].str.len() > 20).all()


def test_readme_table_equals_expected_findings() -> None:
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("## Planted gaps", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([A-Z]{3}-\d\d) \| `([^`]+)` \| (.+) \|$", section, re.MULTILINE)
    table = pd.DataFrame(rows, columns=["rule", "subject", "what"])
    pd.testing.assert_frame_equal(table, _expected())
    assert sample.SAMPLE_AS_OF.isoformat() in text
    assert "python -m tools.sample data/sample" in text


def test_subjects_follow_the_catalogue_formats() -> None:
    policy_ids = set(load_policy().activities["policy_id"])
    vendors = {v["vendor"]: v for v in sample.VENDORS}
    valid = {
        "activity_id": lambda v: v in {a["activity_id"] for a in sample.ACTIVITIES},
        "policy_id": lambda v: v in policy_ids,
        "system_id": lambda v: v in {s["system_id"] for s in sample.SYSTEMS},
        "vendor": lambda v: v in vendors,
        "recipient name": lambda v: v in vendors,
        "recipient": lambda v: v in vendors,
        "group company name": lambda v: vocabulary("vendor_role").lookup(vendors[v]["role"]) == "group_company",
        "request_id": lambda v: v in {r["request_id"] for r in sample.REQUESTS},
        "country alpha-2": lambda v: re.fullmatch(r"[A-Z]{2}", v) is not None,
        "date YYYY-MM-DD": lambda v: date.fromisoformat(v).isoformat() == v,
        "field": lambda v: v in ART30_FIELDS,
        "recipient category id": lambda v: v in recipient_categories().ids,
        "data category id, or the raw word when unmatched": lambda v: v in data_categories().ids,
    }
    formats = {rule: spec["subject_example"] for rule, spec in reference("rules")["rules"].items()}
    for row in _expected().itertuples():
        pattern = formats[row.rule].split(", e.g.")[0].split(":")  # "<vendor>:US": tokens and literals
        parts = row.subject.split(":")
        assert len(parts) == len(pattern), (row.rule, row.subject)
        for token, part in zip(pattern, parts, strict=True):
            ok = valid[token[1:-1]](part) if token.startswith("<") else part == token
            assert ok, (row.rule, row.subject, token)


def test_row_citations_point_at_the_planted_rows() -> None:
    books = {
        f"{name} › {sheet}": frame
        for name in WORKBOOKS
        for sheet, frame in pd.read_excel(SAMPLE_DIR / name, sheet_name=None, header=None, engine="calamine").items()
    }
    records = _records(SAMPLE_DIR)
    for row in _expected().itertuples():
        cited = re.findall(r"(\w+\.xlsx › \w+) › row (\d+)", row.what)
        cited_records = re.findall(r"records/(S-\w+)\.\w+ › rows ([\d, ]+)", row.what)
        assert cited or cited_records, row.subject
        for where, number in cited:
            first = books[where].iloc[int(number) - 1, 0]
            key = first.date().isoformat() if isinstance(first, pd.Timestamp) else str(first)
            assert key in row.subject or key in row.what.split(" — ")[0], (row.rule, row.subject, where, number)
        for sid, numbers in cited_records:
            activity, system = row.subject.split(":")
            assert sid == system
            lines = [int(n) for n in numbers.replace(" ", "").split(",") if n]
            assert set(records[sid]["activity_id"].iloc[[n - 2 for n in lines]]) == {activity}


def test_record_extracts_break_limits_only_in_the_planted_groups() -> None:
    records = _records(SAMPLE_DIR)
    expected = _expected()
    ret03 = expected[expected["rule"] == "RET-03"]
    stated = {
        tuple(s.split(":")): int(w.split(" of ")[0].replace(",", ""))
        for s, w in zip(ret03.subject, ret03.what, strict=True)
    }
    assert _overdue(records) == stated
    missing_event = records["S-EVENT"].loc[records["S-EVENT"]["event_date"].isna(), "activity_id"].value_counts()
    ret05 = expected[expected["rule"] == "RET-05"]
    assert {(a, "S-EVENT"): n for a, n in missing_event.items()} == {
        tuple(s.split(":")): int(w.split(" of ")[0].replace(",", ""))
        for s, w in zip(ret05.subject, ret05.what, strict=True)
    }
    for sid, frame in records.items():
        assert frame["record_id"].is_unique, sid
        assert frame["subject_ref"].str.fullmatch(r"DS-\d{5,}").all(), sid
        assert frame["collected"].notna().all() and (frame["collected"] < AS_OF).all(), sid
        assert frame["email"].str.endswith("@example.com").all(), sid


def test_planted_record_gaps_keep_their_share_at_any_size(tmp_path: Path) -> None:
    sample.write_sample(tmp_path, record_rows=20_000)
    big, small = _records(tmp_path), _records(SAMPLE_DIR)
    assert set(_overdue(big)) == set(_overdue(small))
    for (activity, sid), n in _overdue(small).items():
        share_small = n / (small[sid]["activity_id"] == activity).sum()
        share_big = _overdue(big)[(activity, sid)] / (big[sid]["activity_id"] == activity).sum()
        assert share_big == pytest.approx(share_small, abs=0.002), (activity, sid)
    assert len(big["S-NEWS"]) == len(big["S-CRM"]) == len(big["S-EVENT"]) == 20_000


def test_request_subjects_are_in_extracts_only_where_planted() -> None:
    requests = pd.DataFrame(sample.REQUESTS)
    right = requests["right"].map(vocabulary("right").lookup)
    outcome = requests["outcome"].map(vocabulary("outcome").lookup)
    records = _records(SAMPLE_DIR)
    anywhere = set(pd.concat([r["subject_ref"] for r in records.values()]))
    erased = requests[(right == "erasure") & requests["completed"].notna() & (outcome != "refused")]
    expected = _expected()
    dsr03 = set(expected.loc[expected["rule"] == "DSR-03", "subject"])
    assert set(erased.loc[erased["subject_ref"].isin(anywhere), "request_id"]) == dsr03
    news = records["S-NEWS"].set_index("subject_ref")
    objections = requests[(right == "objection") & requests["subject_ref"].isin(news.index)]
    unsubscribed = news.loc[objections["subject_ref"], "unsubscribed"].to_numpy()
    completed = pd.to_datetime(objections["completed"]).to_numpy()
    still_listed = objections[~(unsubscribed <= completed)]
    assert set(still_listed["request_id"]) == set(expected.loc[expected["rule"] == "DSR-04", "subject"])


def test_register_words_match_the_policy_except_where_planted() -> None:
    policy = load_policy()
    acts = policy.activities.set_index("policy_id")
    rules = policy.retention
    cats, bases, retention = set(), set(), set()
    for row in sample.ACTIVITIES:
        pid = row["policy_ref"]
        if pid is None or not acts.loc[pid, "in_scope"]:
            continue
        found = [data_categories().lookup(w) for w in _split(row["data_categories"])]
        assert None not in found, row["activity_id"]
        cats |= {f"{row['activity_id']}:{c}" for c in found if c not in acts.loc[pid, "data_categories"]}
        basis = {vocabulary("legal_basis").lookup(w) for w in _split(row["legal_basis"])}
        if basis != set(acts.loc[pid, "legal_basis"]):
            bases.add(row["activity_id"])
        said = {(r["kind"], r.get("period"), r.get("anchor")) for r in parse_retention(row["retention"])}
        allowed = rules[rules["policy_id"] == pid]
        if said != set(zip(allowed["kind"], allowed["period"], allowed["anchor"], strict=True)):
            retention.add(row["activity_id"])
    expected = _expected()
    assert {("REG-03", s) for s in cats} == _pairs(expected, "REG-03")
    assert {("REG-04", s) for s in bases} == _pairs(expected, "REG-04")
    assert {("RET-04", s) for s in retention} == _pairs(expected, "RET-04")
    for system in sample.SYSTEMS:
        assert recipient_categories().match(system["recipient_category"]), system["system_id"]


def test_sample_loads_without_input_issues() -> None:
    from audit.inputs import load_inputs

    inputs = load_inputs(SAMPLE_DIR)
    assert inputs.issues.empty, inputs.issues.to_string()
    assert (len(inputs.activities), len(inputs.systems), len(inputs.vendors)) == (15, 13, 23)
    assert (len(inputs.requests), len(inputs.disclosures)) == (26, 5)
    assert sorted(inputs.records) == ["S-CRM", "S-ERP", "S-EVENT", "S-NEWS"]


def test_another_record_format_replaces_the_previous_extracts(tmp_path: Path) -> None:
    sample.write_sample(tmp_path, record_rows=300)
    summary = sample.write_sample(tmp_path, record_rows=300, records_format="parquet")
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == [
        "S-CRM.parquet",
        "S-ERP.parquet",
        "S-EVENT.parquet",
        "S-NEWS.parquet",
    ]
    assert summary["files"]["records/S-NEWS.parquet"] == len(pd.read_parquet(tmp_path / "records/S-NEWS.parquet"))


def test_bad_arguments_are_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="records_format must be one of csv, parquet, xlsx, got 'json'"):
        sample.write_sample(tmp_path, records_format="json")
    with pytest.raises(ValueError, match="at least 100 rows"):
        sample.write_sample(tmp_path, record_rows=10)
    assert sample.main([str(tmp_path), "--record-rows", "10"]) == 2


def test_command_line_writes_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sample.main([str(tmp_path), "--record-rows", "200"]) == 0
    out = capsys.readouterr().out
    assert f"expected findings (as of {sample.SAMPLE_AS_OF.isoformat()})" in out
    assert (tmp_path / "records/S-CRM.csv").read_text(encoding="utf-8").count("\n") == 201


# A bad edit of a fixture fails on load, naming the file and the key: (file, text, replacement, message).
BAD_FIXTURES = [
    (
        "organisation.yaml",
        'country: "NO"',
        "country: NO",
        r"organisation\.yaml: vendors\.rows\[19\]\.country: .*quote it",
    ),
    ("organisation.yaml", "\nsource:", "\nsauce:", r"organisation\.yaml: top level: missing key 'source'"),
    (
        "organisation.yaml",
        "      dpia: nej\n",
        "      dpia: nej\n      dpai: nej\n",
        r"activities\.rows\[1\]: unknown key 'dpai'",
    ),
    ("organisation.yaml", "- request_id: R-002", "- request_id: R-001", r"requests\.rows\[1\]\.request_id: .*'R-001'"),
    ("records.yaml", "declined: 0.025", "declined: 1.5", r"records\.yaml: extracts\.S-CRM\.shares\.declined: "),
    (
        "records.yaml",
        "[2023-01-01, 2026-04-30]",
        "[2026-04-30, 2023-01-01]",
        r"extracts\.S-CRM\.windows\.deal_declined: ",
    ),
    ("records.yaml", "      recent: 0.012", "      recnt: 0.012", r"extracts\.S-NEWS\.shares: unknown key 'recnt'"),
    (
        "findings.yaml",
        "at: [activity: A-13]",
        "at: [activity: A-31]",
        r"findings\.yaml: findings\[0\]\.at\[0\]\.activity: no ",
    ),
    (
        "findings.yaml",
        "in {files[S-CRM]}",
        "in {files[S-CRX]}",
        r"findings\[\d+\]\.what: unknown field\(s\) files\[S-CRX\]",
    ),
    (
        "readme.template.md",
        "date: {as_of}",
        "date: {as_off}",
        r"readme\.template\.md: template body: unknown field\(s\) as_off",
    ),
]
LOADERS = {
    "organisation.yaml": organisation.load_organisation,
    "records.yaml": recordspec.load_records,
    "findings.yaml": lambda path: findingspec.load_findings(data.TABLES, data.RECORDS.extracts, path),
    "readme.template.md": data.load_readme_template,
}


@pytest.mark.parametrize(("name", "old", "new", "message"), BAD_FIXTURES, ids=[b[3][:40] for b in BAD_FIXTURES])
def test_a_malformed_fixture_is_refused_naming_file_and_key(tmp_path: Path, name, old, new, message) -> None:
    text = (FIXTURES_DIR / name).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    LOADERS[name](FIXTURES_DIR / name)  # the committed file loads
    with pytest.raises(sample.FixtureError, match=message):
        LOADERS[name](tmp_path / name)


def test_fixtures_hold_the_types_the_workbooks_need() -> None:
    # Dates typed as text stay text (the sample mixes both on purpose); nothing is a boolean.
    requests = {r["request_id"]: r for r in sample.REQUESTS}
    assert requests["R-008"]["received"] == "2026-03-16"
    assert requests["R-009"]["received"] == date(2026, 4, 7)
    assert requests["R-021"]["received"] == "20 augusti 2026"
    assert {v["vendor"]: v["country"] for v in sample.VENDORS}["Carasent Norge AS"] == "NO"
    for table in (sample.ACTIVITIES, sample.SYSTEMS, sample.VENDORS, sample.REQUESTS, sample.DISCLOSURES):
        assert not any(isinstance(value, bool) for row in table for value in row.values())
