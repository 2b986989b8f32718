"""Category labels in the report's language: an English report never names a data or recipient category in Swedish.

``data_categories.yaml`` and ``recipient_categories.yaml`` give each
category the policy's Swedish word (``label``) and an English label
(``en``). The findings of an English report of an English organisation
show the English labels; the Swedish report of the Swedish sample keeps
the policy's words exactly as before.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from audit.paths import DATA_DIR, SAMPLE_DIR
from audit.reference.vocab import data_categories, recipient_categories
from audit.run import run_audit

AS_OF = date(2026, 11, 1)
EXAMPLE_DIR = DATA_DIR / "example"


def _details(findings: pd.DataFrame) -> dict[str, str]:
    return dict(zip(findings["finding_id"], findings["detail"], strict=True))


@pytest.fixture(scope="module")
def example_en() -> pd.DataFrame:
    return run_audit(EXAMPLE_DIR, AS_OF, policy=EXAMPLE_DIR / "privacy-notice.md", lang="en").findings


@pytest.fixture(scope="module")
def sample_sv() -> pd.DataFrame:
    return run_audit(SAMPLE_DIR, AS_OF, lang="sv").findings


def test_pol04_names_the_category_in_english(example_en: pd.DataFrame) -> None:
    assert _details(example_en)["POL-04-72a2dd9c3a"] == (
        "running-research-studies collects Health, which can reveal health, on public task (Art. 6) alone, "
        "with no Art. 9(2) condition stated."
    )


def test_rec01_names_recipient_categories_in_english(example_en: pd.DataFrame) -> None:
    details = _details(example_en)
    assert details["REC-01-9f0326e91a"] == (
        "Activity A-04 shares data with Voxscribe Inc. (listed, system vendor; category AI service): not named for "
        "running-research-studies nor in section 6 (the policy names for running-research-studies: Research partner, "
        "IT system; for every activity: IT system, Payment provider, Newsletter service, Authority)."
    )
    assert details["REC-01-a00be04d15"] == (
        "Activity A-06 shares data with social media (listed; category Marketing platform): not named for its "
        "(missing) policy activity nor in section 6 (the policy names for it: nothing; for every activity: "
        "IT system, Payment provider, Newsletter service, Authority)."
    )


def test_no_swedish_label_in_english_findings(example_en: pd.DataFrame) -> None:
    text = " ".join(example_en["detail"])
    for word in ("Hälsa", "AI-tjänst", "Plattform där marknadsföringen läggs upp", "Leverantör av IT-system",
                 "Myndigheter", "Födelsedatum", "E-post", "Namn,", "Bild", "Kontouppgifter"):  # fmt: skip
        assert word not in text
    swedish = {data_categories().label(c, "sv") for c in data_categories().ids} | {
        recipient_categories().label(c, "sv") for c in recipient_categories().ids
    }
    shown = {part.strip() for d in example_en["detail"] for part in d.replace(";", ",").replace(":", ",").split(",")}
    assert not (shown & swedish)
    assert "data: Date of birth, Health, Name." in text


def test_swedish_report_keeps_the_policy_words(sample_sv: pd.DataFrame) -> None:
    details = _details(sample_sv)
    assert details["POL-04-85a5f69101"] == (
        "P-EVENT-SIGNUP samlar in Matpreferenser, som kan avslöja Hälsa eller Religiös övertygelse, enbart med stöd "
        "av berättigat intresse (art. 6), utan att något undantag enligt art. 9.2 anges."
    )
    assert details["REC-01-10cd2297cc"] == (
        "Behandlingen A-10 lämnar ut uppgifter till Adtrack Nordic AB (angiven i registerförteckningen; kategori "
        "Annonsnätverk): anges varken för P-NEWSLETTER eller i avsnitt 6 (policyn anger för P-NEWSLETTER: Leverantör "
        "av nyhetsbrevstjänst, Bolag inom koncernen; för alla behandlingar: Bolag inom koncernen, Leverantör av "
        "IT-system, Leverantör av ekonomisystem, Myndigheter)."
    )
    assert details["REG-03-81927cbf83"] == (
        "Behandlingen A-01 (Förfrågningar och demobokningar via webbformulär) registrerar IP-nummer («IP-adress»), "
        "som inte finns bland de kategorier av personuppgifter som policyns behandling P-INQUIRY anger: Namn, E-post, "
        "Telefonnummer, Företag, Innehåll i meddelande."
    )
    assert details["REG-07-4f5087d738"] == (
        "Behandlingen A-07 (Anmälan till kundevent och utbildningsdagar) omfattar uppgifter som kan avslöja känsliga "
        "personuppgifter (Matpreferenser → Hälsa, Religiös övertygelse), men enligt registerförteckningen har ingen "
        "konsekvensbedömning gjorts."
    )
    assert details["REC-04-8bedcd97e6"] == (
        "Policyns behandling P-NEWSLETTER anger «Bolag inom koncernen» som mottagare, men ingen faktisk mottagare för "
        "dess poster i registerförteckningen (A-10) tillhör den kategorin."
    )
    assert details["TRF-05-419fc0555f"] == (
        "Kaveri Support Services Pvt Ltd (IN) gör uppgifter tillgängliga i Indien genom åtkomst (inget av våra "
        "system); skyddsåtgärd: ingen; uppgifter: Hälsa, Namn, Personnummer."
    )


def test_same_findings_in_both_languages(example_en: pd.DataFrame) -> None:
    """Only the words change with the language: ids, rules, subjects and severities are the same."""
    sv = run_audit(EXAMPLE_DIR, AS_OF, policy=EXAMPLE_DIR / "privacy-notice.md", lang="sv").findings
    keys = ["finding_id", "rule", "subject", "severity"]
    pd.testing.assert_frame_equal(example_en[keys].reset_index(drop=True), sv[keys].reset_index(drop=True))
    assert "Hälsa" in " ".join(sv["detail"])
