"""The policy model: the YAML, the text parser that must reproduce it, and the loaded tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from audit.errors import ReferenceDataError
from audit.paths import POLICY_DIR
from audit.policy.model import DEFAULT_POLICY_FILE, load_policy, parse_policy
from audit.policy.text import parse_policy_text

STORED = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))


def _parse(text: str) -> dict:
    """Parse with the bundled model's ids (the DPO's ids), as a new version of the text would be."""
    return parse_policy_text(text, ids_from=STORED)


TEXT_FILE = POLICY_DIR / "integritetspolicy.txt"
POLICY_IDS = {
    "P-INQUIRY",
    "P-CRM",
    "P-ESIGN",
    "P-CONTRACTS",
    "P-BOOKKEEPING",
    "P-SURVEY",
    "P-EVENT-SIGNUP",
    "P-EVENT-MEDIA",
    "P-TRAINING",
    "P-CASE-FILMS",
    "P-NEWSLETTER",
    "P-PROCESSOR",
    "P-COOKIES",
}


@pytest.fixture(scope="module")
def text() -> str:
    return TEXT_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed(text: str) -> dict:
    return _parse(text)


@pytest.fixture(scope="module")
def model():
    return load_policy()


def _activity(data: dict, pid: str) -> dict:
    return next(a for a in data["activities"] if a["id"] == pid)


def _variant(tmp_path: Path, text: str, old: str, new: str) -> Path:
    assert old in text, f"test setup: {old!r} not in the policy text"
    path = tmp_path / "variant.txt"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# --- text and model cannot drift ---------------------------------------------------------------


def test_parser_reproduces_policy_yaml_exactly(parsed: dict) -> None:
    stored = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    assert stored.pop("source") == "data/policy/integritetspolicy.txt"
    assert isinstance(stored.pop("date"), date)
    assert parsed == stored


# --- what the parser reads from the real text ---------------------------------------------------


def test_header_facts(parsed: dict) -> None:
    assert parsed["version"] == date(2024, 5, 16)
    assert parsed["controller"] == {
        "name": "Carasent Sverige AB",
        "postal_address": "Nellickevägen 20, 412 63 Göteborg",
        "email": "info@carasent.se",
    }
    assert parsed["dpo"] == {"email": "dso@carasent.com"}
    assert parsed["group_companies"]["names"] == [
        "Carasent ASA",
        "Carasent Norge AS",
        "Metodika AB",
        "HPI Health Profile Institute AB",
        "Medrave Software AB",
    ]
    assert [g["id"] for g in parsed["transfer_grounds"]["grounds"]] == ["adequacy", "scc"]
    assert parsed["request_deadline"]["period"] == "P1M"
    assert [p["id"] for p in parsed["security_promises"]["promises"]] == [
        "updates",
        "testing",
        "encryption",
        "backup",
        "access_control",
        "staff_training",
    ]


def test_section6_recipients(parsed: dict) -> None:
    rows = [(r["category"], r["role"], r["legal_basis"]) for r in parsed["sharing"]["recipients"]]
    assert rows == [
        ("group_company", "group_company", ["legitimate_interests"]),
        ("it_system", "processor", []),
        ("accounting_system", "processor", []),
        ("authority", "authority", ["legal_obligation"]),
    ]
    assert "interna administrativa ändamål" in parsed["sharing"]["recipients"][0]["purpose"]


def test_every_policy_activity_found_once(parsed: dict) -> None:
    ids = [a["id"] for a in parsed["activities"]]
    assert sorted(ids) == sorted(POLICY_IDS)
    scope = {a["id"]: a["in_scope"] for a in parsed["activities"]}
    assert {pid for pid, inside in scope.items() if not inside} == {"P-PROCESSOR", "P-COOKIES"}


@pytest.mark.parametrize(
    ("pid", "categories", "bases", "recipients"),
    [
        (
            "P-INQUIRY",
            ["name", "email", "phone", "company", "message_content"],
            ["legitimate_interests"],
            ["crm_system", "crm_transfer_tool"],
        ),
        ("P-BOOKKEEPING", ["name", "email", "postal_address", "account_details"], ["legal_obligation"], None),
        ("P-SURVEY", ["email", "employer"], ["legitimate_interests"], ["it_system"]),
        (
            "P-EVENT-SIGNUP",
            ["name", "email", "food_preferences"],
            ["legitimate_interests"],
            ["it_system", "event_partner", "group_company"],
        ),
        (
            "P-CASE-FILMS",
            ["name", "job_title", "photo", "video"],
            ["contract"],
            ["design_agency", "marketing_platform"],
        ),
        ("P-NEWSLETTER", ["name", "email"], ["legitimate_interests"], ["newsletter_service", "group_company"]),
    ],
)
def test_activity_ids_parsed(parsed: dict, pid: str, categories: list, bases: list, recipients: list | None) -> None:
    act = _activity(parsed, pid)
    assert act["data_categories"]["ids"] == categories
    assert act["legal_basis"]["ids"] == bases
    if recipients is not None:
        assert act["recipients"]["ids"] == recipients


def test_crm_legal_basis_per_contract_phase(parsed: dict) -> None:
    basis = _activity(parsed, "P-CRM")["legal_basis"]
    assert basis["by_phase"] == {
        "before": ["legitimate_interests"],
        "during": ["contract"],
        "after": ["legal_obligation"],
    }
    assert basis["ids"] == ["legitimate_interests", "contract", "legal_obligation"]


@pytest.mark.parametrize(
    ("pid", "rules"),
    [
        ("P-INQUIRY", [("crm_transfer_tool", "period", "P30D", "collected")]),
        ("P-CRM", [(None, "period", "P7Y", "contract_end"), (None, "until", None, "deal_declined")]),
        ("P-ESIGN", [(None, "period", "P7Y", "contract_end")]),
        ("P-CONTRACTS", [(None, "period", "P7Y", "contract_end")]),
        ("P-BOOKKEEPING", [(None, "period", "P7Y", "fiscal_year_end")]),
        ("P-SURVEY", [(None, "period", "P1Y", "collected")]),
        ("P-EVENT-SIGNUP", [(None, "until", None, "event_date")]),
        ("P-EVENT-MEDIA", [(None, "vague", None, None)]),
        ("P-TRAINING", [(None, "until", None, "training_completed")]),
        ("P-CASE-FILMS", [(None, "per_contract", None, None)]),
        ("P-NEWSLETTER", [(None, "until", None, "unsubscribed"), (None, "vague", None, None)]),
        ("P-PROCESSOR", [(None, "none", None, None)]),
        ("P-COOKIES", [(None, "none", None, None)]),
    ],
)
def test_retention_rules(parsed: dict, pid: str, rules: list[tuple]) -> None:
    got = _activity(parsed, pid)["retention"]["rules"]
    assert [(r.get("applies_to"), r["kind"], r.get("period"), r.get("anchor")) for r in got] == rules
    assert all(r["sentence"] for r in got)


def test_legitimate_interest_stated_only_for_newsletter(parsed: dict) -> None:
    stated = {a["id"]: a["legitimate_interest"] for a in parsed["activities"] if a["legitimate_interest"]}
    assert list(stated) == ["P-NEWSLETTER"]
    assert stated["P-NEWSLETTER"]["section"] == 8
    assert "marknadsföring i nyhetsbrev" in stated["P-NEWSLETTER"]["sentence"]


# --- the parser really parses: mutated texts -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "pid", "expected"),
    [
        ("Raderas efter 30 dagar.", "Raderas efter 60 dagar.", "P-INQUIRY", ("period", "P60D", "collected")),
        ("Sparas i 1 år.", "Sparas i två år.", "P-SURVEY", ("period", "P2Y", "collected")),
        ("Raderas efter genomförd utbildning.", "Raderas 3 månader efter genomförd utbildning.", "P-TRAINING",
         ("period", "P3M", "training_completed")),
        ("Lagringstid och övrig information specificeras i ditt avtal.", "Sparas tills vidare.", "P-CASE-FILMS",
         ("vague", None, None)),
    ],
)  # fmt: skip
def test_mutated_retention_is_parsed(text: str, old: str, new: str, pid: str, expected: tuple) -> None:
    assert old in text
    rule = _activity(_parse(text.replace(old, new)), pid)["retention"]["rules"][0]
    assert (rule["kind"], rule.get("period"), rule.get("anchor")) == expected


def test_mutated_sections_are_parsed(text: str) -> None:
    variant = (
        text.replace("inom en månad", "inom två veckor")
        .replace(" Metodika AB,", "")
        .replace("Rättslig grund: Avtal.", "Rättslig grund: Samtycke.")
        .replace("ev. matpreferenser", "allergier")
        .replace("senast uppdaterad den 2024-05-16", "senast uppdaterad den 2025-01-02")
    )
    data = _parse(variant)
    assert data["request_deadline"]["period"] == "P2W"
    assert "Metodika AB" not in data["group_companies"]["names"]
    assert len(data["group_companies"]["names"]) == 4
    assert _activity(data, "P-CASE-FILMS")["legal_basis"]["ids"] == ["consent"]
    assert _activity(data, "P-EVENT-SIGNUP")["data_categories"]["ids"] == ["name", "email", "health"]
    assert data["version"] == date(2025, 1, 2)


def test_stated_interest_in_the_bullet_is_read(text: str) -> None:
    variant = text.replace(
        "Innan avtal: Berättigat intresse.", "Innan avtal: Berättigat intresse av att kunna besvara förfrågningar."
    )
    crm = _activity(_parse(variant), "P-CRM")
    assert crm["legitimate_interest"] == {"section": 10, "sentence": crm["legal_basis"]["text"]}
    assert crm["legal_basis"]["by_phase"]["before"] == ["legitimate_interests"]


def test_an_activity_whose_title_changed_gets_a_new_id_and_the_old_one_is_reported(text: str) -> None:
    variant = text.replace("Sköta bokföring", "Hantera fakturor")
    from audit.policy.document import elements_from_text
    from audit.policy.text import parse_elements

    result = parse_elements(elements_from_text(variant), variant, STORED)
    ids = [a["id"] for a in result.model["activities"]]
    assert "P-BOOKKEEPING" not in ids
    assert "hantera-fakturor-intakter-och-kostnader" in ids
    assert any(r.field == "P-BOOKKEEPING" and "not found" in (r.flag or "") for r in result.report)


def test_a_synonym_label_is_read_and_an_unknown_label_is_reported(text: str) -> None:
    synonym = _parse(text.replace("• Ändamål: Sköta bokföring", "• Syfte: Sköta bokföring"))
    assert _activity(synonym, "P-BOOKKEEPING")["purpose"].startswith("Sköta bokföring")
    from audit.policy.document import elements_from_text
    from audit.policy.text import parse_elements

    old = "• Ändamål: Sköta bokföring (intäkter och kostnader)."
    variant = text.replace(old, old + "\n • Okänt fält: något")
    result = parse_elements(elements_from_text(variant), variant, STORED)
    assert any(r.sentence == "Okänt fält: något" and "no field" in (r.flag or "") for r in result.report)


# --- the loaded model -----------------------------------------------------------------------


def test_model_tables(model) -> None:
    assert model.version == date(2024, 5, 16)
    assert set(model.activities["policy_id"]) == POLICY_IDS
    assert model.activities["policy_id"].is_unique
    newsletter = model.activities.set_index("policy_id").loc["P-NEWSLETTER"]
    assert newsletter["legal_basis"] == ["legitimate_interests"]
    assert newsletter["legitimate_interest"].startswith("Du har rätt att invända")
    assert model.activities.set_index("policy_id").loc["P-INQUIRY", "legitimate_interest"] is None
    section6 = model.recipients[model.recipients["policy_id"] == "*"]
    assert list(section6["category"]) == ["group_company", "it_system", "accounting_system", "authority"]
    assert set(section6["scope"]) == {"section 6"}
    assert len(model.recipients) == 18 + 4
    inquiry = model.retention[model.retention["policy_id"] == "P-INQUIRY"].iloc[0]
    assert (inquiry["part"], inquiry["kind"], inquiry["period"], inquiry["anchor"]) == (
        "crm_transfer_tool",
        "period",
        "P30D",
        "collected",
    )
    assert model.group_companies[2] == "Metodika AB"
    assert model.transfer_grounds == ["adequacy", "scc"]
    assert model.request_deadline == "P1M"
    assert set(model.security_promises["id"]) >= {"encryption", "backup", "testing"}


def test_clause_quotes_the_sentence_with_section(model) -> None:
    assert model.clause("P-EVENT-SIGNUP", "retention") == "§10 «Lagringstid: Raderas efter genomfört event.»"
    assert (
        model.clause("P-BOOKKEEPING", "recipients") == "§10 «Mottagare: Leverantör av ekonomisystem. Ekonomikonsult.»"
    )
    assert model.clause("*", "request_deadline") == "§8 «Vi kommer att svara på din begäran inom en månad.»"
    assert model.clause("*", "security:encryption").startswith("§5 «Våra säkerhetsrutiner")
    assert model.clause("*", "group_companies").startswith("§6 «I en del situationer")
    assert model.clause("*", "transfer_grounds").count("§7 «") == 2
    assert model.clause("*", "identity").startswith("§8 «För att skydda")
    assert (
        model.clause("P-COOKIES", "retention")
        == "§10 «För information om hur vi hanterar cookies, vänligen se vår cookiepolicy.»"
    )
    # A section-level key works from an activity too.
    assert model.clause("P-CRM", "request_deadline") == model.clause("*", "request_deadline")


def test_clause_for_something_the_policy_does_not_say_fails(model) -> None:
    with pytest.raises(ReferenceDataError, match="legitimate_interest"):
        model.clause("P-INQUIRY", "legitimate_interest")


def test_parse_policy_builds_a_model_from_a_text_file(tmp_path: Path, text: str) -> None:
    model = parse_policy(
        _variant(tmp_path, text, "Raderas efter 30 dagar.", "Raderas efter 45 dagar."), DEFAULT_POLICY_FILE
    )
    assert model.source_path == tmp_path / "variant.txt"
    assert model.retention.set_index("policy_id").loc["P-INQUIRY", "period"] == "P45D"


# --- validation of policy.yaml ------------------------------------------------------------------


def _broken(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["activities"][0]["retention"]["rules"][0].update(period="P30X"),
         r"activities\[0\] \(P-INQUIRY\)\.retention\.rules\[0\]\.period: 'P30X'"),
        (lambda d: d["activities"][0]["retention"]["rules"][0].update(anchor="whenever"),
         r"retention\.rules\[0\]\.anchor: 'whenever'"),
        (lambda d: d["activities"][1]["retention"]["rules"][0].update(kind="forever"),
         r"\(P-CRM\)\.retention\.rules\[0\]\.kind: Input should be 'period', .*, got 'forever'"),
        (lambda d: d["activities"][1]["data_categories"]["ids"].append("shoe_size"),
         r"\(P-CRM\)\.data_categories\.ids: unknown id\(s\) 'shoe_size'"),
        (lambda d: d["activities"][2]["legal_basis"].update(ids=["goodwill"]),
         r"\(P-ESIGN\)\.legal_basis\.ids: unknown id\(s\) 'goodwill'"),
        (lambda d: d["activities"][0].update(id="P INQUIRY"), r"activities\[0\] \(P INQUIRY\)\.id: String should match"),
        (lambda d: d["activities"][0].update(id=""), r"activities\[0\]( \(\))?\.id: String should match"),
        (lambda d: d["activities"][0].update(section=""), r"activities\[0\] \(P-INQUIRY\)\.section"),
        (lambda d: d.update(language="de"), r"language: Input should be 'sv' or 'en'"),
        (lambda d: d["request_deadline"].update(period="one month"), r"request_deadline\.period"),
        (lambda d: d.update(version="soon"), r"version: expected a date"),
        (lambda d: d.update(sharing={"section": 6}), r"policy\.yaml: sharing\.recipients: required key is missing"),
        (lambda d: d["activities"][6].update(scope_note=None),
         r"activities\[6\] \(P-PROCESSOR\)\.scope_note: expected a non-empty text, got None"),
        (lambda d: d["activities"][3].update(purpose=None),
         r"\(P-CONTRACTS\)\.purpose: required for an activity in scope, got None"),
        (lambda d: d["activities"][0].update(in_scope="yes"), r"\(P-INQUIRY\)\.in_scope: expected true or false, got 'yes'"),
        (lambda d: d["activities"][0].update(legitmate_interest=None),
         r"\(P-INQUIRY\)\.legitmate_interest: unknown key \(expected one of id, section, title"),
        (lambda d: d["activities"][0]["retention"]["rules"][0].pop("period"),
         r"\(P-INQUIRY\)\.retention\.rules\[0\]\.period: required for kind period"),
        (lambda d: d["activities"][0]["retention"]["rules"][0].update(applies_to="crm"),
         r"\(P-INQUIRY\)\.retention\.rules\[0\]\.applies_to: unknown id 'crm' \(not in recipient_categories\.yaml\)"),
        (lambda d: d["activities"][1]["legal_basis"]["by_phase"].update(during=["deal"]),
         r"\(P-CRM\)\.legal_basis\.by_phase\.during: unknown id\(s\) 'deal'"),
        (lambda d: d["activities"].append(dict(d["activities"][0])), r"activities\[13\] \(P-INQUIRY\)\.id: duplicate activity id 'P-INQUIRY' \(ids must be unique\)"),
        (lambda d: d["sharing"]["recipients"][1].update(role="helper"),
         r"sharing\.recipients\[1\]\.role: unknown id 'helper' \(not in vocabularies\.yaml vendor_role\)"),
        (lambda d: d["transfer_grounds"]["grounds"][0].update(id="hope"),
         r"transfer_grounds\.grounds\[0\] \(hope\)\.id: unknown id 'hope' \(not in vocabularies\.yaml transfer_mechanism\)"),
        (lambda d: d["group_companies"]["names"].append(""), r"group_companies\.names\[5\]: expected a non-empty text"),
    ],
)  # fmt: skip
def test_load_policy_names_file_and_key(tmp_path: Path, edit, message: str) -> None:
    path = _broken(tmp_path, edit)
    with pytest.raises(ReferenceDataError, match=message) as info:
        load_policy(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


def test_load_policy_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="cannot read data file"):
        load_policy(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Den här versionen är senast uppdaterad den 2024-05-16.", date(2024, 5, 16)),
        ("This notice was last updated on 1 March 2026.", date(2026, 3, 1)),
        ("Policyn uppdaterades senast 14 oktober 2026.", date(2026, 10, 14)),
        ("This notice is reviewed every year.", None),
    ],
)
def test_version_dates_are_read_as_the_inputs_read_dates(sentence: str, expected: date | None) -> None:
    from audit.policy.text import _date_in

    assert _date_in(sentence) == expected
