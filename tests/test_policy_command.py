"""``python -m audit policy``: the JSON export, the parse report, --out, diff, exit codes (parser stood in for)."""

import copy
import json
from pathlib import Path

import pytest

import audit.policy.text
from audit.paths import POLICY_DIR, PROJECT_DIR
from audit.policy.command import main
from audit.policy.document import ParseResult, ReportLine
from audit.policy.export import anchor_words, to_json
from audit.policy.model import load_policy
from audit.reference.datafiles import load_yaml, reference

MODEL = POLICY_DIR / "policy.yaml"
TEXT = POLICY_DIR / "integritetspolicy.txt"


@pytest.fixture(scope="module")
def bundled():
    return load_yaml(MODEL)


@pytest.fixture
def fake_parser(monkeypatch, bundled):
    """``parse_document`` standing in for the parser: the bundled model, a flagged line, one unparsed part."""
    calls = []
    result = {"model": copy.deepcopy(bundled)}

    def parse_document(path, ids_from=None):
        calls.append((path, ids_from))
        return ParseResult(
            model=copy.deepcopy(result["model"]),
            report=[
                ReportLine("P-INQUIRY.retention", "Raderas efter 30 dagar.", "§10 › När du gör förfrågningar"),
                ReportLine(
                    "P-CRM.retention", "sparas i ytterligare 7 år.", "§10", flag="two anchors: took contract end"
                ),
            ],
            unparsed=["§3: Vi sparar loggar i 90 dagar."],
        )

    monkeypatch.setattr(audit.policy.text, "parse_document", parse_document, raising=False)
    return calls, result


def _run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


# --- JSON ------------------------------------------------------------------------------------------


def test_json_of_the_bundled_model(capsys):
    code, out, err = _run(capsys, MODEL, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data)[:8] == [
        "controller",
        "controller_contact",
        "dpo",
        "version",
        "language",
        "source",
        "date",
        "text_sha256",
    ]
    assert {"activities", "transfer_grounds", "art13", "unparsed"} <= set(data)
    assert data["controller"] == "Carasent Sverige AB"
    assert data["controller_contact"]["email"] == "info@carasent.se"
    assert data["dpo"] == "dso@carasent.com"
    assert data["version"] == "2024-05-16"
    assert len(data["activities"]) == 13
    inquiry = data["activities"][0]
    assert set(inquiry) >= {"id", "title", "purposes", "data_categories", "legal_bases", "recipients", "retention"}
    assert inquiry["id"] == "P-INQUIRY"
    assert inquiry["retention"][0]["period"] == "P30D"
    assert inquiry["retention"][0]["anchor"] == "collection"
    assert set(inquiry["retention"][0]) >= {"text", "period", "anchor"}
    crm = data["activities"][1]
    assert crm["legal_bases"] == ["legitimate_interests", "contract", "legal_obligation"]
    assert [r["anchor"] for r in crm["retention"]] == ["end of contract", "deal declined"]
    cookies = next(a for a in data["activities"] if a["id"] == "P-COOKIES")
    assert cookies["purposes"] == [] and cookies["legal_bases"] == []
    assert data["transfer_grounds"] == ["adequacy", "scc"]
    assert list(data["art13"]) == list(reference("art13")["items"])
    assert list(data["art13"])[0] == "1a" and list(data["art13"])[-1] == "2f"
    assert data["art13"]["1a"] is True and data["art13"]["1d"] is False  # 1d is judged by POL-03
    assert "Nellickevägen" in out  # ensure_ascii off


def test_every_anchor_has_words():
    anchors = reference("anchors")["anchors"]
    assert anchor_words("last_login") == "last login"
    assert anchor_words("unsubscribed") == "unsubscription"
    assert anchor_words("training_completed") == "course completed"
    assert all(spec["words"] for spec in anchors.values())


def test_to_json_dates_are_iso_strings(bundled):
    data = to_json(bundled, {})
    assert data["date"] == "2026-11-24" and data["art13"] == {}
    json.dumps(data)


# --- the parse report -------------------------------------------------------------------------------


def test_report_of_a_model_file(capsys):
    code, out, _ = _run(capsys, MODEL)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("P-INQUIRY  När du gör förfrågningar")
    assert "    P-INQUIRY.retention.1 = period P30D collected crm_transfer_tool" in lines
    assert "Not understood:" not in lines
    assert lines[-1].startswith("13 activities read, ") and lines[-1].endswith(
        " fields read, 0 unparsed parts, 0 flags"
    )


def test_report_of_a_text_marks_flags_and_unparsed(capsys, fake_parser, bundled):
    calls, _ = fake_parser
    code, out, _ = _run(capsys, TEXT, "--ids-from", MODEL)
    lines = out.splitlines()
    assert code == 0
    assert calls[0][1] == bundled  # --ids-from passes the previous model
    assert "  ? P-CRM.retention = period P7Y contract_end; until deal_declined" in lines
    assert "      ? two anchors: took contract end" in lines
    assert "      «Raderas efter 30 dagar.» (§10 › När du gör förfrågningar)" in lines
    assert lines[-3:] == [
        "Not understood:",
        "  - §3: Vi sparar loggar i 90 dagar.",
        "13 activities read, 2 fields read, 1 unparsed parts, 1 flags",
    ]


def test_json_of_a_text_only_prints_json(capsys, fake_parser):
    code, out, _ = _run(capsys, TEXT, "--json")
    assert code == 0
    assert json.loads(out)["activities"][0]["id"] == "P-INQUIRY"


# --- --out ------------------------------------------------------------------------------------------


def test_out_round_trip(capsys, fake_parser, bundled, tmp_path):
    out_file = tmp_path / "model.yaml"
    code, out, _ = _run(capsys, TEXT, "--out", out_file)
    assert code == 0
    assert out.splitlines()[-1] == f"model written to {out_file}: review it before auditing with --policy {out_file}"
    written = out_file.read_text(encoding="utf-8")
    assert written.startswith("# Policy model read from data/policy/integritetspolicy.txt")
    assert "REVIEW IT" in written.splitlines()[1]
    assert "Nellickevägen 20" in written  # allow_unicode
    assert written.index("source:") < written.index("activities:")  # key order kept
    model = load_policy(out_file)
    # The source is written relative to the model's folder, so model and text can move together.
    assert {k: v for k, v in model.raw.items() if k != "source"} == {k: v for k, v in bundled.items() if k != "source"}
    assert not Path(model.raw["source"]).is_absolute()
    assert model.source_path.resolve() == (PROJECT_DIR / "data/policy/integritetspolicy.txt").resolve()
    assert len(model.activities) == 13
    assert [p.name for p in tmp_path.iterdir()] == ["model.yaml"]  # no temporary file left


def test_out_refuses_to_overwrite_the_policy_text(capsys, fake_parser, tmp_path):
    text = tmp_path / "policy.txt"
    text.write_text("Integritetspolicy\n", encoding="utf-8")
    code, out, err = _run(capsys, text, "--out", text)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and "policy text itself" in err
    assert text.read_text(encoding="utf-8") == "Integritetspolicy\n"
    # A model's own source text is protected too.
    code, _, err = _run(capsys, MODEL, "--out", PROJECT_DIR / "data/policy/integritetspolicy.txt")
    assert code == 2 and "policy text itself" in err


def test_errors_are_one_line_and_exit_2(capsys, tmp_path):
    code, out, err = _run(capsys, tmp_path / "missing.yaml")
    assert (code, out) == (2, "")
    assert err == f"error: {tmp_path / 'missing.yaml'}: policy model not found\n"
    code, _, err = _run(capsys, tmp_path / "missing.txt")
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: x\n", encoding="utf-8")
    code, _, err = _run(capsys, "diff", bad, MODEL)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


# --- diff -------------------------------------------------------------------------------------------


def test_diff_of_the_same_model(capsys):
    code, out, _ = _run(capsys, "diff", MODEL, MODEL)
    assert (code, out) == (0, "0 changes, 0 material\n")


def test_diff_against_a_text_uses_old_ids(capsys, fake_parser, bundled):
    calls, result = fake_parser
    edited = copy.deepcopy(bundled)
    edited["activities"][5]["retention"]["rules"][0]["period"] = "P3Y"  # P-SURVEY, longer
    edited["activities"][0]["recipients"]["ids"].remove("crm_system")  # P-INQUIRY, a removal
    result["model"] = edited
    code, out, _ = _run(capsys, "diff", MODEL, TEXT)
    lines = out.splitlines()
    assert code == 0
    assert calls[0][1] == bundled  # the new text is parsed with the old model's ids
    assert lines == [
        "  removed P-INQUIRY recipients: crm_system (removed: less processing)",
        "! changed P-SURVEY retention: P1Y from collection -> P3Y from collection (a longer retention)",
        "2 changes, 1 material",
    ]


def test_diff_json(capsys, tmp_path, bundled):
    import yaml

    edited = copy.deepcopy(bundled)
    edited["transfer_grounds"]["grounds"].append({"id": "bcr", "sentence": "Bindande företagsbestämmelser."})
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(edited, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, out, _ = _run(capsys, "diff", MODEL, new, "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "change": "added",
            "activity": "*",
            "title": None,
            "field": "transfer_grounds",
            "old": None,
            "new": "bcr",
            "material": True,
            "why": "a new transfer ground",
        }
    ]


def test_diff_lines_show_old_and_new_for_art13_items(bundled):
    from audit.policy.command import diff_lines
    from audit.policy.diff import diff_models

    changes = diff_models(bundled, bundled, {"2c": False}, {"2c": True})
    assert diff_lines(changes) == [
        "  added   * art13 2c: missing -> covered (Art. 13 item now covered)",
        "1 changes, 0 material",
    ]


def test_usage_errors_return_2(capsys):
    code, _, err = _run(capsys, "diff", MODEL)
    assert code == 2 and "usage:" in err
    assert _run(capsys, "--help")[0] == 0
