"""Four policies of fictional organisations, in layouts unlike the bundled one, and their hand-checked models.

Each folder of ``tests/policies/`` holds a policy text and ``expected.yaml``,
the model a careful DPO writes for it (docs/policy-model.md). The checks that
need only the reference data run now: the ids are those of the vocabularies,
activity ids are the slugs of their titles, every quoted sentence is a
sentence of the text, and the vocabularies find the ids in the quoted texts.
Parsing each text into exactly its model waits for the generic parser.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.paths import DATA_DIR
from audit.reference.datafiles import reference
from audit.reference.durations import anchor_names, parse_retention, period_to_offset
from audit.reference.vocab import data_categories, recipient_categories, vocabulary

POLICIES = Path(__file__).parent / "policies"
SOURCES = {
    "sv-tables": POLICIES / "sv-tables" / "integritetspolicy.md",
    "en-subheadings": DATA_DIR / "example" / "privacy-notice.md",
    "html-notice": POLICIES / "html-notice" / "notice.html",
    "short-notice": POLICIES / "short-notice" / "notice.txt",
}
LANGUAGES = {"sv-tables": "sv", "en-subheadings": "en", "html-notice": "sv", "short-notice": "en"}
NOT_COMPARED = ("source", "date", "text_sha256", "unparsed")
CLAUSE_KEYS = {
    "identity",
    "objection",
    "transfer_info",
    "complaint",
    "erasure_exceptions",
    "version",
    "erasure",
    "disclosure",
    "updates",
}
ACTIVITY_KEYS = [
    "id",
    "section",
    "title",
    "group",
    "in_scope",
    "scope_note",
    "data_categories",
    "purpose",
    "legal_basis",
    "legitimate_interest",
    "recipients",
    "retention",
]
NAMES = sorted(SOURCES)


def slug(title: str) -> str:
    """docs/policy-model.md: ASCII, lower case, runs of other characters -> "-", at most 40 characters cut at a "-"."""
    s = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > 40:
        head = s[:41]
        s = head[: head.rfind("-")] if "-" in head else s[:40]
    return s.strip("-")


def expected(name: str) -> dict[str, Any]:
    return yaml.safe_load((POLICIES / name / "expected.yaml").read_text(encoding="utf-8"))


def plain_text(path: Path) -> str:
    """The policy's words without markup: tags, Markdown emphasis, table pipes and heading marks; one space between words."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        raw = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    raw = raw.replace("**", "")
    raw = re.sub(r"^#+\s*", "", raw, flags=re.M)
    raw = re.sub(r"\s*\|\s*", " | ", raw)
    return re.sub(r"\s+", " ", raw)


def quoted(model: dict[str, Any]) -> list[str]:
    """Every sentence and field text the model quotes from the policy."""
    out: list[str] = []
    for r in (model.get("sharing") or {}).get("recipients", []):
        out.append(r["sentence"])
    for key in ("transfer_grounds", "security_promises"):
        for item in (model.get(key) or {}).get("grounds" if key == "transfer_grounds" else "promises", []):
            out.append(item["sentence"])
    if model.get("request_deadline"):
        out.append(model["request_deadline"]["sentence"])
    out += [c["sentence"] for c in (model.get("clauses") or {}).values()]
    for act in model["activities"]:
        out += [act["title"], act["purpose"] or ""]
        for key in ("data_categories", "legal_basis", "recipients"):
            if act[key]:
                out.append(act[key]["text"])
        if act["legitimate_interest"]:
            out.append(act["legitimate_interest"]["sentence"])
        out.append(act["retention"]["text"] or "")
        out += [r["sentence"] for r in act["retention"]["rules"]]
    return [s for s in out if s]


def _sections(model: dict[str, Any]) -> list[object]:
    parts = [model.get(k) for k in ("sharing", "transfer_grounds", "request_deadline", "security_promises")]
    parts += list((model.get("clauses") or {}).values())
    parts += [a for a in model["activities"]] + [a["legitimate_interest"] for a in model["activities"]]
    return [p["section"] for p in parts if p]


def _jsonable(value: Any) -> Any:
    """Dates as ISO text, so a YAML date and a parsed string compare equal."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("name", NAMES)
def test_every_policy_has_its_text_and_model(name: str) -> None:
    assert SOURCES[name].is_file()
    model = expected(name)
    assert model["language"] == LANGUAGES[name]
    assert not set(NOT_COMPARED) & set(model), "expected.yaml leaves out what the comparison ignores"
    assert model["activities"]
    for act in model["activities"]:
        assert list(act) == ACTIVITY_KEYS, act["id"]


@pytest.mark.parametrize("name", NAMES)
def test_activity_ids_are_the_slugs_of_their_titles(name: str) -> None:
    ids = [a["id"] for a in expected(name)["activities"]]
    assert ids == [slug(a["title"]) for a in expected(name)["activities"]]
    assert len(set(ids)) == len(ids)


def test_slug_rule() -> None:
    assert slug("Kameraövervakning") == "kameraovervakning"
    assert slug("  Café & tårta! ") == "cafe-tarta"
    long = slug("We use your name, phone number and email address to book and carry out repairs on your bike")
    assert long == "we-use-your-name-phone-number-and-email" and len(long) <= 40


@pytest.mark.parametrize("name", NAMES)
def test_quoted_sentences_are_in_the_text(name: str) -> None:
    text = plain_text(SOURCES[name])
    missing = [s for s in quoted(expected(name)) if re.sub(r"\s+", " ", s) not in text]
    assert not missing


@pytest.mark.parametrize("name", NAMES)
def test_sections_are_headings_of_the_text(name: str) -> None:
    text = plain_text(SOURCES[name])
    for section in _sections(expected(name)):
        assert section == 0 or (isinstance(section, str) and section in text), section


@pytest.mark.parametrize("name", NAMES)
def test_ids_are_those_of_the_reference_vocabularies(name: str) -> None:
    model = expected(name)
    cats, recips = set(data_categories().ids), set(recipient_categories().ids)
    bases, mechanisms = set(vocabulary("legal_basis").ids), set(vocabulary("transfer_mechanism").ids)
    roles = set(vocabulary("vendor_role").ids)
    promises = set(reference("policy_vocabulary")["security"])
    for r in (model["sharing"] or {}).get("recipients", []):
        assert r["category"] in recips and r["role"] in roles and set(r["legal_basis"]) <= bases
    assert {g["id"] for g in (model["transfer_grounds"] or {}).get("grounds", [])} <= mechanisms
    assert {p["id"] for p in (model["security_promises"] or {}).get("promises", [])} <= promises
    assert set(model["clauses"]) <= CLAUSE_KEYS
    if model["request_deadline"]:
        period_to_offset(model["request_deadline"]["period"])
    for act in model["activities"]:
        assert set(act["data_categories"]["ids"]) <= cats, act["id"]
        assert set(act["legal_basis"]["ids"]) <= bases, act["id"]
        assert set(act["recipients"]["ids"]) <= recips, act["id"]
        for rule in act["retention"]["rules"]:
            assert rule.get("anchor") is None or rule["anchor"] in anchor_names()
            if rule["kind"] == "period":
                period_to_offset(rule["period"])


@pytest.mark.parametrize("name", NAMES)
def test_vocabularies_find_the_ids_in_the_quoted_texts(name: str) -> None:
    """The words of these policies (plurals, compounds, "48 timmar") are in the reference vocabularies."""
    model = expected(name)
    for act in model["activities"]:
        assert data_categories().find_all(act["data_categories"]["text"]) == act["data_categories"]["ids"]
        assert vocabulary("legal_basis").find_all(act["legal_basis"]["text"]) == act["legal_basis"]["ids"]
        assert recipient_categories().find_all(act["recipients"]["text"]) == act["recipients"]["ids"]
        assert parse_retention(act["retention"]["text"], act["purpose"]) == act["retention"]["rules"]
    for r in (model["sharing"] or {}).get("recipients", []):
        assert r["category"] in recipient_categories().find_all(r["sentence"])
        assert vocabulary("legal_basis").find_all(r["sentence"]) == r["legal_basis"]
    for g in (model["transfer_grounds"] or {}).get("grounds", []):
        assert g["id"] in vocabulary("transfer_mechanism").find_all(g["sentence"])


def test_the_example_register_cites_the_example_notice() -> None:
    """data/example's register uses the slug ids of data/example/privacy-notice.md's activities."""
    import pandas as pd

    ids = {a["id"] for a in expected("en-subheadings")["activities"]}
    register = pd.read_excel(DATA_DIR / "example" / "activities.xlsx", sheet_name=0)
    refs = {str(v).strip() for v in register["Policy ref"].dropna()}
    assert refs and refs <= ids


@pytest.mark.parametrize("name", NAMES)
def test_parser_reads_the_expected_model(name: str) -> None:
    from audit.policy.text import parse_document

    model = dict(parse_document(SOURCES[name]).model)
    for key in NOT_COMPARED:
        model.pop(key, None)
    assert _jsonable(model) == _jsonable(expected(name))


@pytest.mark.parametrize("name", NAMES)
def test_expected_models_validate_against_the_policy_schema(name: str) -> None:
    from audit.policy.schema import PolicyFile

    data = {"source": str(SOURCES[name]), "date": dt.date(2026, 12, 2), **expected(name)}
    PolicyFile.model_validate(data)


def test_the_example_folder_loads_without_input_issues() -> None:
    from audit.inputs import load_inputs

    inputs = load_inputs(DATA_DIR / "example")
    assert inputs.issues.empty
    assert len(inputs.activities) == 6 and set(inputs.records) == {"S-ENQ", "S-MAIL", "S-ROTA", "S-SURVEY"}
