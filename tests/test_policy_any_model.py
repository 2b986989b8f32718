"""Auditing against any valid policy model (issue 11): optional parts, other ids, headings, drift, ``--policy``.

Every variant is the bundled model edited in ``tmp_path``; the sample data
folder is copied when its register has to change. A rule that needs a part
the variant lacks gives exactly one info finding saying it could not run;
every other finding stays as with the bundled model.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from audit.cli import main
from audit.errors import ReferenceDataError
from audit.paths import PROJECT_DIR, SAMPLE_DIR
from audit.policy.document import text_hash
from audit.policy.model import DEFAULT_POLICY_FILE, load_policy, load_policy_from, quote
from audit.reference.catalogue import catalogue
from audit.reference.settings import load_settings
from audit.rules.policy_law import policy_findings
from audit.run import run_audit
from tests.conftest import edit_sheet, header_position
from tools.sample import SAMPLE_AS_OF

POLICY_TEXT = PROJECT_DIR / "data" / "policy" / "integritetspolicy.txt"


def bundled() -> dict[str, Any]:
    """A fresh copy of the bundled model's mapping."""
    return copy.deepcopy(yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8")))


def write_model(folder: Path, data: dict[str, Any], name: str = "policy.yaml") -> Path:
    """``data`` as a model file in ``folder``, its ``source`` made absolute unless it is given relative on purpose."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def absolute_source(data: dict[str, Any]) -> dict[str, Any]:
    data["source"] = str(POLICY_TEXT)
    return data


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    """The bundled model's findings on the sample, by finding id."""
    return run_audit(SAMPLE_DIR, SAMPLE_AS_OF).findings.set_index("finding_id")


def compare(reference: pd.DataFrame, found: pd.DataFrame) -> tuple[pd.DataFrame, list[str], set[str]]:
    """New findings, rules of the findings gone, and rules whose other findings changed (ignoring policy_clause)."""
    found = found.set_index("finding_id")
    new = found.loc[found.index.difference(reference.index)]
    gone = sorted(reference.loc[reference.index.difference(found.index), "rule"])
    common = reference.index.intersection(found.index)
    columns = [c for c in reference.columns if c != "policy_clause"]
    changed = {reference.loc[i, "rule"] for i in common for c in columns if reference.loc[i, c] != found.loc[i, c]}
    return new.reset_index(), gone, changed


def dropped(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.pop(key)


# --- every optional part may be left out ---------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "not_run", "reason", "clauses_emptied"),
    [
        (dropped("dpo"), [], "", set()),
        (dropped("group_companies"), ["REC-03"], "the policy names no group companies", set()),
        (lambda d: d.update(group_companies=None), ["REC-03"], "the policy names no group companies", set()),
        (
            dropped("transfer_grounds"),
            ["TRF-03"],
            "the policy states no grounds for transfers outside the EU/EEA",
            {"TRF-01", "TRF-02", "TRF-04", "TRF-05"},
        ),
        (
            dropped("request_deadline"),
            ["DSR-01", "DSR-02"],
            "the policy states no deadline for answering requests",
            set(),
        ),
        (dropped("security_promises"), [], "", {"SEC-01", "SEC-02", "SEC-03"}),
        (dropped("clauses"), [], "", {"DSR-03", "DSR-04", "DSR-05", "REG-01", "REG-06"}),
        (lambda d: d.update(clauses={}), [], "", {"DSR-03", "DSR-04", "DSR-05", "REG-01", "REG-06"}),
    ],
    ids=[
        "dpo",
        "group_companies",
        "group_companies-null",
        "transfer_grounds",
        "request_deadline",
        "security_promises",
        "clauses",
        "clauses-empty",
    ],
)
def test_a_model_without_a_part_runs_and_says_which_rules_could_not(
    tmp_path: Path, reference: pd.DataFrame, edit, not_run: list[str], reason: str, clauses_emptied: set[str]
) -> None:
    data = absolute_source(bundled())
    edit(data)
    policy = load_policy(write_model(tmp_path, data))
    found = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=policy).findings

    new, gone, changed = compare(reference, found)
    assert sorted(new["rule"]) == not_run
    assert list(new["severity"]) == ["info"] * len(not_run)
    assert list(new["detail"]) == [f"{rid} could not run: {reason}." for rid in sorted(not_run)]
    assert set(gone) == set(not_run)  # only the findings of the rules that could not run are gone
    assert changed == set()
    if not_run:
        assert len(found[found["rule"].isin(not_run)]) == len(not_run)  # one finding each, nothing else
    emptied = set(found.loc[found["policy_clause"].eq(""), "rule"])
    assert emptied == clauses_emptied


def test_a_model_without_a_version_date_judges_only_the_review_dates(tmp_path: Path, reference) -> None:
    """REG-06's "started after the policy's version" needs the version; its review check does not."""
    data = absolute_source(bundled())
    data["version"] = None
    policy = load_policy(write_model(tmp_path, data))
    assert policy.version is None and not policy.has_part("version")
    found = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=policy).findings
    new, gone, changed = compare(reference, found)
    assert new.empty
    assert set(gone) <= {"REG-06"}
    reg06 = found[found["rule"] == "REG-06"]
    assert len(reg06) >= 1 and not reg06["detail"].str.contains("after the policy").any()


def test_a_model_without_sharing_says_rec05_could_not_run(tmp_path: Path, reference) -> None:
    data = absolute_source(bundled())
    del data["sharing"]
    found = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=load_policy(write_model(tmp_path, data))).findings
    rec05 = found[found["rule"] == "REC-05"]
    assert list(rec05["severity"]) == ["info"]
    assert rec05["detail"].iloc[0].startswith("REC-05 could not run: the policy lists no recipients")


def test_a_minimal_model_loads_with_empty_parts(tmp_path: Path) -> None:
    data = absolute_source(bundled())
    for key in ("dpo", "group_companies", "sharing", "transfer_grounds", "request_deadline", "security_promises"):
        data[key] = None
    data["clauses"] = None
    data["version"] = None
    data["controller"] = {"name": "Org AB", "postal_address": None}
    policy = load_policy(write_model(tmp_path, data))
    assert policy.group_companies == []
    assert policy.transfer_grounds == []
    assert policy.request_deadline is None
    assert policy.security_promises.empty
    assert policy.version is None
    assert not policy.has_clause("*", "identity")
    assert policy.clause_or_empty("*", "identity") == ""
    assert policy.has_clause("P-CRM", "purpose")
    for part in ("dpo", "group_companies", "sharing", "transfer_grounds", "request_deadline", "security_promises"):
        assert not policy.has_part(part), part
    assert not (policy.recipients["policy_id"] == "*").any()
    found = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=policy).findings
    not_run = found[found["detail"].str.contains("could not run")]
    assert sorted(not_run["rule"]) == ["DSR-01", "DSR-02", "REC-03", "REC-05", "TRF-03"]


def test_every_needed_part_is_worded_and_known_to_the_model() -> None:
    cat = catalogue()
    needed = {part for spec in cat.rules.values() for part in spec.needs}
    assert needed <= set(cat.policy_parts)
    policy = load_policy()
    assert all(policy.has_part(part) for part in cat.policy_parts)  # the bundled policy has every part


def test_pol01_still_finds_the_art13_gaps_of_a_text_without_a_dpo_contact() -> None:
    policy = load_policy()
    text = POLICY_TEXT.read_text(encoding="utf-8").replace("dso@carasent.com", "")
    assert "dso@carasent.com" in POLICY_TEXT.read_text(encoding="utf-8")
    found = policy_findings(policy, load_settings(), text=text)
    assert "art13:1b" in set(found["subject"])
    assert "art13:1b" not in set(policy_findings(policy, load_settings())["subject"])


# --- other ids, headings, languages --------------------------------------------------------------


def renamed(pid: str) -> str:
    return "act_" + pid.removeprefix("P-").lower()


def _rename_register(folder: Path, rename: Callable[[str], str]) -> None:
    def edit(ws) -> None:
        col = header_position(ws, "Policyavsnitt", row=3)  # the sample's Swedish header for policy_ref
        for row in range(4, ws.max_row + 1):
            cell = ws.cell(row=row, column=col)
            if cell.value:
                cell.value = rename(str(cell.value))

    edit_sheet(folder / "activities.xlsx", "Activities", edit)


def _back(value: object) -> object:
    """A finding's text with the renamed ids written as the bundled ones."""
    if not isinstance(value, str):
        return value
    import re

    return re.sub(r"act_([a-z0-9-]+)", lambda m: "P-" + m.group(1).upper(), value)


def test_other_activity_ids_give_the_same_findings(tmp_path: Path, reference: pd.DataFrame) -> None:
    data = absolute_source(bundled())
    for act in data["activities"]:
        act["id"] = renamed(act["id"])
    policy = load_policy(write_model(tmp_path, data))
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, folder)
    _rename_register(folder, renamed)

    found = run_audit(folder, SAMPLE_AS_OF, policy=policy).findings
    assert len(found) == len(reference)
    columns = ["rule", "severity", "subject", "activity_id", "system_id", "vendor", "detail", "policy_clause"]
    ours = found[columns].map(_back).sort_values(["rule", "subject"]).reset_index(drop=True)
    theirs = reference[columns].sort_values(["rule", "subject"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs)


def test_a_register_citing_ids_of_another_policy_is_reg01_unknown_ref(tmp_path: Path) -> None:
    """Renamed ids with the register left as it was: every controller row with a policy_ref cites an unknown id."""
    data = absolute_source(bundled())
    for act in data["activities"]:
        act["id"] = renamed(act["id"])
    policy = load_policy(write_model(tmp_path, data))
    result = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=policy)
    acts = result.inputs.activities
    roles = acts["role"].str.lower()
    cited = acts[acts["policy_ref"].notna()]
    controllers = set(cited.loc[roles[cited.index] != "processor", "activity_id"])
    reg01 = result.findings[result.findings["rule"] == "REG-01"]
    unknown = reg01[reg01["detail"].str.contains("which the policy does not have")]
    assert set(unknown["activity_id"]) == controllers
    assert len(controllers) == 13
    # A processor row need not be in the policy (Art. 30(2), not Art. 13): its unknown reference is not REG-01.
    processors = set(cited.loc[roles[cited.index] == "processor", "activity_id"])
    assert processors == {"A-11"} and processors.isdisjoint(reg01["activity_id"])


def test_sections_named_by_headings_are_quoted_with_the_heading(tmp_path: Path, reference: pd.DataFrame) -> None:
    data = absolute_source(bundled())

    def heading(value: Any) -> Any:
        return f"Avsnitt {value}" if isinstance(value, int) and not isinstance(value, bool) else value

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "section":
                    node[key] = heading(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    policy = load_policy(write_model(tmp_path, data))
    assert policy.clause("P-CRM", "purpose").startswith("Avsnitt 10 «Ändamål: ")
    assert (
        policy.where("P-CRM")
        == "integritetspolicy.txt › Avsnitt 10 › " + policy.activities.set_index("policy_id").loc["P-CRM", "title"]
    )
    found = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=policy).findings
    assert list(found["finding_id"]) == list(reference.index)
    # POL-01 quotes the text itself (its numbered sections), not the model.
    model_quoted = found["rule"].ne("POL-01").to_numpy()
    clauses = found.loc[model_quoted, "policy_clause"].dropna()
    assert clauses.str.len().gt(0).all()
    assert not clauses.str.contains("§").any()
    before = reference.loc[model_quoted, "policy_clause"].dropna()
    assert list(clauses) == list(before.str.replace(r"§(\d+)", r"Avsnitt \1", regex=True))


def test_quote_by_kind_of_section() -> None:
    assert quote(10, "Text.") == "§10 «Text.»"
    assert quote("How long we keep your data", "Text.") == "How long we keep your data «Text.»"
    assert quote(0, "Text.") == "«Text.»"


def test_language_is_the_models_else_detected_else_swedish(tmp_path: Path) -> None:
    assert load_policy().language == "sv"
    data = absolute_source(bundled())
    data["language"] = "en"
    policy = load_policy(write_model(tmp_path, data))
    assert policy.language == "en"
    assert policy.clause("P-CRM", "purpose").startswith("§10 «Purpose: ")
    data["source"] = str(tmp_path / "missing.txt")
    del data["language"]
    assert load_policy(write_model(tmp_path, data, "nosource.yaml")).language == "sv"


# --- where the source is, and drift ------------------------------------------------------------------


def _model_beside_text(folder: Path, text: str, suffix: str = ".txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"policy{suffix}").write_text(text, encoding="utf-8")
    data = bundled()
    data["source"] = f"policy{suffix}"
    data["text_sha256"] = text_hash(text)
    return write_model(folder, data, "model.yaml")


def test_a_relative_source_is_read_beside_the_model_first(tmp_path: Path) -> None:
    text = POLICY_TEXT.read_text(encoding="utf-8")
    path = _model_beside_text(tmp_path / "org", text)
    policy = load_policy_from(path)
    assert policy.source_path == tmp_path / "org" / "policy.txt"
    assert policy.text() == text
    assert policy.drift_warning() is None
    # The bundled model's source (data/policy/...) is relative to the project folder.
    assert load_policy().source_path == POLICY_TEXT
    data = bundled()
    moved = write_model(tmp_path, data, "elsewhere.yaml")
    assert load_policy(moved).source_path == POLICY_TEXT


def test_a_markdown_source_is_read_as_a_document(tmp_path: Path) -> None:
    text = "# Integritetspolicy\n\n" + POLICY_TEXT.read_text(encoding="utf-8")
    policy = load_policy_from(_model_beside_text(tmp_path, text, ".md"))
    assert "Carasent" in policy.text()


def test_drift_is_warned_when_the_text_changed_and_not_when_it_did_not(tmp_path: Path) -> None:
    text = POLICY_TEXT.read_text(encoding="utf-8")
    path = _model_beside_text(tmp_path, text)
    same = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=path, rules=["SEC-01"])
    assert same.warnings == []

    (tmp_path / "policy.txt").write_text(text + "\nNy mening om lagring.\n", encoding="utf-8")
    changed = run_audit(SAMPLE_DIR, SAMPLE_AS_OF, policy=path, rules=["SEC-01"])
    assert len(changed.warnings) == 1
    warning = changed.warnings[0]
    assert "model.yaml was made from a text with another hash than" in warning
    assert "policy.txt has now" in warning
    assert "python -m audit policy diff" in warning
    # Only trailing white space or line endings changed: no drift.
    (tmp_path / "policy.txt").write_text(text.replace("\n", "  \r\n"), encoding="utf-8")
    assert load_policy_from(path).drift_warning() is None


def test_no_drift_check_without_a_hash_or_without_the_text(tmp_path: Path) -> None:
    assert load_policy().drift_warning() is None
    data = bundled()
    data["source"] = "gone.txt"
    data["text_sha256"] = "sha256:" + "0" * 64
    policy = load_policy(write_model(tmp_path, data))
    assert policy.drift_warning() is None


# --- the command line ----------------------------------------------------------------------------------


def test_cli_policy_yaml_runs_and_prints_the_drift_warning(tmp_path: Path, capsys) -> None:
    text = POLICY_TEXT.read_text(encoding="utf-8")
    path = _model_beside_text(tmp_path / "org", text)
    (tmp_path / "org" / "policy.txt").write_text(text + "\nÄndrad.\n", encoding="utf-8")
    argv = ["--data", str(SAMPLE_DIR), "--as-of", str(SAMPLE_AS_OF), "--out", str(tmp_path / "out"), "--lang", "en"]
    assert main([*argv, "--policy", str(path)]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "another hash" in warnings[0]
    assert "Findings by severity: high 18, medium 16, low 11, info 8 (total 53)" in captured.out


def test_cli_default_policy_findings_are_unchanged(tmp_path: Path, capsys) -> None:
    argv = ["--data", str(SAMPLE_DIR), "--as-of", str(SAMPLE_AS_OF), "--out", str(tmp_path), "--lang", "en"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "Findings by severity: high 18, medium 16, low 11, info 8 (total 53)" in captured.out
    assert "warning" not in captured.err
    assert len(pd.read_csv(tmp_path / "findings.csv")) == 53


def test_a_duplicate_id_fails_with_one_line_naming_the_key(tmp_path: Path, capsys) -> None:
    data = absolute_source(bundled())
    data["activities"][1]["id"] = data["activities"][0]["id"]
    path = write_model(tmp_path, data)
    with pytest.raises(ReferenceDataError) as info:
        load_policy_from(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert "activities[1] (P-INQUIRY).id: duplicate activity id 'P-INQUIRY'" in message
    argv = ["--data", str(SAMPLE_DIR), "--as-of", str(SAMPLE_AS_OF), "--out", str(tmp_path / "out")]
    assert main([*argv, "--policy", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "duplicate activity id" in err[0]


@pytest.mark.parametrize("bad", ["P CRM", "", "P-\tCRM"])
def test_an_id_must_be_non_empty_without_white_space(tmp_path: Path, bad: str) -> None:
    data = absolute_source(bundled())
    data["activities"][1]["id"] = bad
    with pytest.raises(ReferenceDataError, match=r"activities\[1\].*\.id: String should match"):
        load_policy(write_model(tmp_path, data))


def test_load_policy_from_a_text_parses_it() -> None:
    policy = load_policy_from(POLICY_TEXT)
    assert list(policy.activities["policy_id"]) == list(load_policy().activities["policy_id"])
    assert load_policy_from(None).raw == load_policy().raw
