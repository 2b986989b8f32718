"""POL-01..04 on the real policy (the gaps it has) and on compliant variants (no finding)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from audit.paths import POLICY_DIR
from audit.policy.model import DEFAULT_POLICY_FILE, PolicyModel, load_policy, parse_policy
from audit.reference.settings import load_settings
from audit.rules.policy_law import art13_coverage, policy_findings
from audit.rules.registry import run_family
from tests.factories import make_ctx, make_inputs

TEXT = (POLICY_DIR / "integritetspolicy.txt").read_text(encoding="utf-8")
LI_WITHOUT_INTEREST = [
    "P-CONTRACTS",
    "P-CRM",
    "P-ESIGN",
    "P-EVENT-MEDIA",
    "P-EVENT-SIGNUP",
    "P-INQUIRY",
    "P-SURVEY",
    "P-TRAINING",
]


@pytest.fixture(scope="module")
def settings():
    return load_settings()


@pytest.fixture(scope="module")
def real(settings) -> pd.DataFrame:
    return policy_findings(load_policy(), settings)


def _subjects(findings: pd.DataFrame, rule: str) -> list[str]:
    return sorted(findings.loc[findings["rule"] == rule, "subject"])


def _variant(tmp_path: Path, *edits: tuple[str, str]) -> PolicyModel:
    text = TEXT
    for old, new in edits:
        assert old in text, f"test setup: {old!r} not in the policy text"
        text = text.replace(old, new)
    path = tmp_path / "integritetspolicy.txt"
    path.write_text(text, encoding="utf-8")
    return parse_policy(path, DEFAULT_POLICY_FILE)


# --- POL-01 --------------------------------------------------------------------------------------


def test_pol01_real_policy_lacks_2e_and_2f(real: pd.DataFrame) -> None:
    assert _subjects(real, "POL-01") == ["art13:2e", "art13:2f"]
    row = real[real["subject"] == "art13:2f"].iloc[0]
    assert row["severity"] == "medium"
    assert row["detail"].startswith("Art. 13(2)(f):")
    assert row["policy_clause"].startswith("§8 «Du har rätt att få information om logiken bakom")
    assert row["evidence"] == "integritetspolicy.txt › whole text (no wording found for Art. 13(2)(f))"


def test_art13_coverage_of_the_real_policy() -> None:
    status = art13_coverage(load_policy()).set_index("item")["status"].to_dict()
    assert status == {
        "1a": "covered",
        "1b": "covered",
        "1c": "covered",
        "1d": "see POL-03",
        "1e": "covered",
        "1f": "covered",
        "2a": "covered",
        "2b": "covered",
        "2c": "not applicable",
        "2d": "covered",
        "2e": "missing",
        "2f": "missing",
    }


def test_pol01_silent_when_2e_and_2f_are_stated(tmp_path: Path, settings) -> None:
    policy = _variant(
        tmp_path,
        (
            "Den här versionen är senast uppdaterad",
            "Du är inte skyldig att lämna dina personuppgifter, men om du inte lämnar dem kan vi inte ingå avtal "
            "med dig. Vi använder inte automatiserat beslutsfattande eller profilering. "
            "Den här versionen är senast uppdaterad",
        ),
    )
    assert _subjects(policy_findings(policy, settings), "POL-01") == []


def test_pol01_dpo_contact_removed(tmp_path: Path, settings) -> None:
    policy = load_policy()
    text = TEXT.replace("E-post: dso@carasent.com", "")
    assert _subjects(policy_findings(policy, settings, text=text), "POL-01") == ["art13:1b", "art13:2e", "art13:2f"]


def test_pol01_consent_basis_needs_the_right_to_withdraw(tmp_path: Path, settings) -> None:
    consent = ("• Rättslig grund: Avtal.", "• Rättslig grund: Samtycke.")
    policy = _variant(tmp_path, consent)
    assert "art13:2c" in _subjects(policy_findings(policy, settings), "POL-01")
    withdraw = ("Rätt till rättelse", "Du kan när som helst återkalla ditt samtycke.\n\nRätt till rättelse")
    policy = _variant(tmp_path, consent, withdraw)
    assert "art13:2c" not in _subjects(policy_findings(policy, settings), "POL-01")


# --- POL-02 --------------------------------------------------------------------------------------


def test_pol02_real_policy_vague_retention(real: pd.DataFrame) -> None:
    assert _subjects(real, "POL-02") == ["P-EVENT-MEDIA", "P-NEWSLETTER"]
    row = real[(real["rule"] == "POL-02") & (real["subject"] == "P-NEWSLETTER")].iloc[0]
    assert row["evidence"] == "integritetspolicy.txt › §10 › När du tar emot nyhetsbrev och liknande utskick"
    assert row["policy_clause"].startswith("§10 «Om du inte själv avregistrerar dig")
    assert "så länge som diet är nödvändigt" in row["policy_clause"]


def test_pol02_silent_when_every_retention_is_measurable(tmp_path: Path, settings) -> None:
    policy = _variant(
        tmp_path,
        (
            "Under den tid som eventet är aktuellt och bilden/videoinspelningen fortfarande är av värde.",
            "Raderas 2 år efter eventet.",
        ),
        (
            "behandlar vi personuppgifterna så länge som diet är nödvändigt för att uppnå syftet med behandlingen, "
            "t.ex. så länge din arbetsgivare har avtal med oss.",
            "raderas uppgifterna 12 månader efter senaste kontakt.",
        ),
    )
    assert _subjects(policy_findings(policy, settings), "POL-02") == []
    assert policy.retention.set_index("policy_id").loc["P-EVENT-MEDIA", "period"] == "P2Y"


# --- POL-03 --------------------------------------------------------------------------------------


def test_pol03_real_policy_interest_not_named(real: pd.DataFrame) -> None:
    assert _subjects(real, "POL-03") == LI_WITHOUT_INTEREST
    crm = real[(real["rule"] == "POL-03") & (real["subject"] == "P-CRM")].iloc[0]
    assert "(before phase)" in crm["detail"]
    assert crm["policy_clause"].startswith("§10 «Rättslig grund: Innan avtal: Berättigat intresse.")
    assert crm["severity"] == "low"


def test_pol03_silent_when_interests_are_stated(tmp_path: Path, settings) -> None:
    policy = _variant(
        tmp_path,
        (
            "Rättslig grund: Berättigat intresse",
            "Rättslig grund: Berättigat intresse av att kunna sköta kundrelationen",
        ),
        ("Innan avtal: Berättigat intresse.", "Innan avtal: Berättigat intresse av att kunna besvara förfrågningar."),
    )
    assert _subjects(policy_findings(policy, settings), "POL-03") == []


def test_pol03_newsletter_fires_once_section8_no_longer_names_marketing(tmp_path: Path, settings) -> None:
    policy = _variant(tmp_path, ("till exempel marknadsföring i nyhetsbrev.", "till exempel analys."))
    assert _subjects(policy_findings(policy, settings), "POL-03") == sorted([*LI_WITHOUT_INTEREST, "P-NEWSLETTER"])


# --- POL-04 --------------------------------------------------------------------------------------


def test_pol04_real_policy_food_preferences(real: pd.DataFrame) -> None:
    assert _subjects(real, "POL-04") == ["P-EVENT-SIGNUP:food_preferences"]
    row = real[real["rule"] == "POL-04"].iloc[0]
    assert row["severity"] == "high"
    assert "health or religious beliefs" in row["detail"]
    assert row["policy_clause"] == "§10 «Personuppgifter: Namn, e-post, ev. matpreferenser.»"
    assert row["evidence"] == "integritetspolicy.txt › §10 › När du anmäler dig våra event och utbildningar"


def test_pol04_silent_with_explicit_consent(tmp_path: Path, settings) -> None:
    policy = _variant(tmp_path, ("ev. matpreferenser.", "ev. matpreferenser (endast med ditt uttryckliga samtycke)."))
    assert _subjects(policy_findings(policy, settings), "POL-04") == []


def test_pol04_special_category_itself(tmp_path: Path, settings) -> None:
    policy = _variant(
        tmp_path,
        ("Namn, e-post, ev. telefonnummer (valfritt att ange).", "Namn, e-post, hälsouppgifter."),
    )
    assert _subjects(policy_findings(policy, settings), "POL-04") == [
        "P-EVENT-SIGNUP:food_preferences",
        "P-TRAINING:health",
    ]


@pytest.mark.parametrize(
    ("bases", "said"),
    [
        ([], "on no stated basis (Art. 6) alone"),
        (["legitimate_interests"], "on legitimate interests (Art. 6) alone"),
        (["contract", "legitimate_interests"], "on contract and legitimate interests (Art. 6) alone"),
    ],
)
def test_pol04_names_every_basis(settings, bases, said) -> None:
    policy = load_policy()
    acts = policy.activities.copy()
    acts["legal_basis"] = [
        bases if pid == "P-EVENT-SIGNUP" else b for pid, b in zip(acts["policy_id"], acts["legal_basis"], strict=True)
    ]
    found = policy_findings(replace(policy, activities=acts), settings)
    detail = found.loc[found["rule"] == "POL-04", "detail"].iloc[0]
    assert detail == (
        "P-EVENT-SIGNUP collects Food preferences, which can reveal health or religious beliefs, "
        f"{said}, with no Art. 9(2) condition stated."
    )


def test_pol_rules_read_the_audit_context(real: pd.DataFrame) -> None:
    """In a whole audit the POL rules see ``ctx.policy``: the same findings as for the policy alone."""
    found = run_family(make_ctx(make_inputs()), "POL")
    pd.testing.assert_frame_equal(found, real)


def test_findings_have_the_standard_shape(real: pd.DataFrame) -> None:
    assert len(real) == 2 + 2 + 8 + 1
    assert real["finding_id"].is_unique
    assert real["evidence"].notna().all()
    assert set(real["area"]) == {"Policy vs law"}


# --- the report language -------------------------------------------------------------------------


def test_policy_findings_in_swedish(real: pd.DataFrame, settings) -> None:
    """``lang="sv"`` words the same findings in Swedish (notebook 01 passes its report language)."""
    swedish = policy_findings(load_policy(), settings, lang="sv")
    assert list(swedish["finding_id"]) == list(real["finding_id"])
    row = swedish[swedish["subject"] == "P-CRM"].iloc[0]
    assert row["title"] == "Berättigat intresse anges inte"
    assert row["detail"] == (
        "P-CRM grundas på berättigat intresse (fasen före avtal), men policyn anger inte vilket intresse som "
        "eftersträvas."
    )
    pol04 = swedish[swedish["rule"] == "POL-04"].iloc[0]
    assert pol04["title"] == "Möjliga känsliga personuppgifter utan undantag enligt art. 9"


def test_policy_findings_default_to_english(real: pd.DataFrame) -> None:
    assert real.loc[real["subject"] == "P-CRM", "detail"].iloc[0].startswith("P-CRM ")
    assert "berättigat" not in " ".join(real["detail"])
    assert (real["title"] == "Possible special-category data without an Art. 9 condition").sum() == 1


def test_policy_findings_refuse_an_unknown_language(settings) -> None:
    from audit.errors import ReferenceDataError

    with pytest.raises(ReferenceDataError, match="report language 'de'"):
        policy_findings(load_policy(), settings, lang="de")
