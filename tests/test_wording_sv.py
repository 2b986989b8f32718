"""Findings worded in Swedish and English: the same gaps, the DPO's own headers, no code words.

A Swedish DPO hands the report to management and to IMY; an English one to
the ICO. Either reader must see sentences, not internal identifiers
(``legitimate_interests``, ``policy_ref``, ``auto_delete: no``), and the
column a finding cites by the header the DPO wrote. The Swedish words are a
twin catalogue (``rules.sv.yaml``) checked against the English one on load.
"""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import ReferenceDataError
from audit.paths import SAMPLE_DIR
from audit.reference.catalogue import catalogue, load_translation, rule_words, translation_file
from audit.reference.i18n import LANGUAGES
from audit.rules.findings import _Wording, not_run_wording
from audit.run import run_audit

AS_OF = date(2026, 11, 1)
EXAMPLE_DIR = SAMPLE_DIR.parent / "example"
#: A snake_case word: what an internal identifier looks like in a sentence.
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
#: A yes/no answer quoted as a value ("auto_delete: no", "krypteras vid lagring: nej.").
BARE_ANSWER = re.compile(r": (no|nej|yes|ja)(\.|\)|;|$)")


@pytest.fixture(scope="module")
def sample() -> dict:
    return {lang: run_audit(SAMPLE_DIR, AS_OF, lang=lang).findings for lang in LANGUAGES}


@pytest.fixture(scope="module")
def example() -> dict:
    policy = EXAMPLE_DIR / "privacy-notice.md"
    return {lang: run_audit(EXAMPLE_DIR, AS_OF, policy=policy, lang=lang).findings for lang in LANGUAGES}


def _sentences(findings) -> list[str]:
    return [*findings["detail"], *findings["recommendation"], *findings["title"]]


def test_swedish_sample_has_the_same_findings(sample):
    en, sv = sample["en"], sample["sv"]
    assert len(en) == 53
    assert list(sv["finding_id"]) == list(en["finding_id"])
    assert list(sv["subject"]) == list(en["subject"])
    assert list(sv["severity"]) == list(en["severity"])
    # The area column is a stable English code for scripts; the workbook shows labels.
    assert list(sv["area"]) == list(en["area"])
    assert (sv["detail"] != en["detail"]).all()


def _one(findings, rule: str, subject: str):
    rows = findings[(findings["rule"] == rule) & (findings["subject"] == subject)]
    assert len(rows) == 1, (rule, subject)
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("rule", "subject", "title", "detail", "evidence"),
    [
        (
            "REC-05",
            "A-02:Polismyndigheten:2026-05-20",
            "Utlämnande till myndighet utan rättslig förpliktelse",
            "Utlämnandet den 2026-05-20 till myndigheten Polismyndigheten (behandlingen A-02) grundas på "
            "berättigat intresse, inte på rättslig förpliktelse.",
            "disclosures.xlsx › Disclosures › row 5, kolumn Legal basis",
        ),
        (
            "REG-04",
            "A-06",
            "Rättslig grund skiljer sig från policyn",
            "Behandlingen A-06 (Enkäter vid implementation av nya system) har den rättsliga grunden samtycke i "
            "registerförteckningen; policyns behandling P-SURVEY anger berättigat intresse.",
            "activities.xlsx › Activities › row 9, kolumn Rättslig grund",
        ),
        (
            "REG-05",
            "A-08:security_measures",
            "Uppgift enligt art. 30.1 saknas i registerförteckningen",
            "Behandlingen A-08 (Foto och film under event): posten i registerförteckningen saknar "
            "Säkerhetsåtgärder, som art. 30.1 kräver.",
            "activities.xlsx › Activities › row 11, kolumn Säkerhetsåtgärder",
        ),
        (
            "SEC-01",
            "S-EVENT",
            "Personuppgifter krypteras inte vid lagring",
            "Systemet S-EVENT (Eventhanteraren) krypteras inte vid lagring.",
            "inventory.xlsx › Systems › row 8, kolumn Encryption",
        ),
        (
            "REC-01",
            "A-10:Adtrack Nordic AB",
            "Mottagare som inte anges i policyn",
            "Behandlingen A-10 lämnar ut uppgifter till Adtrack Nordic AB (angiven i registerförteckningen; "
            "kategori Annonsnätverk): anges varken för P-NEWSLETTER eller i avsnitt 6 (policyn anger för "
            "P-NEWSLETTER: Leverantör av nyhetsbrevstjänst, Bolag inom koncernen; för alla behandlingar: Bolag "
            "inom koncernen, Leverantör av IT-system, Leverantör av ekonomisystem, Myndigheter).",
            "activities.xlsx › Activities › row 13, kolumn Mottagare",
        ),
        (
            "TRF-01",
            "Kaveri Support Services Pvt Ltd:IN",
            "Överföring till tredjeland utan adekvansbeslut eller standardavtalsklausuler",
            "Kaveri Support Services Pvt Ltd (IN) gör uppgifter tillgängliga i Indien genom åtkomst (inget av "
            "våra system): inget adekvansbeslut gäller på granskningsdagen och inga standardavtalsklausuler finns "
            "(mekanism: ingen).",
            "inventory.xlsx › Vendors › row 13, kolumnerna Transfer mechanism, DPF certified, TIA done",
        ),
    ],
)
def test_planted_gaps_in_swedish(sample, rule, subject, title, detail, evidence):
    found = _one(sample["sv"], rule, subject)
    assert (found["title"], found["detail"], found["evidence"]) == (title, detail, evidence)


def test_swedish_numbers_in_sentences(sample):
    """Thousands with a (non-breaking) space and a decimal comma in Swedish; 3,400 and 2.5% in English."""
    sv = _one(sample["sv"], "RET-03", "A-02:S-CRM")["detail"]
    en = _one(sample["en"], "RET-03", "A-02:S-CRM")["detail"]
    assert sv.startswith("85 av 3\xa0400 poster (2,5 %) för behandlingen A-02 i systemet S-CRM har passerat")
    assert en.startswith("85 of 3,400 records (2.5%) of activity A-02 in system S-CRM are past")


def test_evidence_names_the_dpos_header(sample):
    """The sample register's header for recipients is «Mottagare»; no evidence names an internal column."""
    en = _one(sample["en"], "REC-03", "A-07:Carasent Danmark ApS")
    assert en["evidence"] == "activities.xlsx › Activities › row 10, column Mottagare"
    for lang in LANGUAGES:
        cited = sample[lang]["evidence"]
        assert not cited.str.contains(r"columns? [a-z]+_", regex=True).any(), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_code_words_in_the_sample(sample, lang):
    words = {w for text in _sentences(sample[lang]) for w in SNAKE.findall(text)}
    assert words == set()
    assert [t for t in _sentences(sample[lang]) if BARE_ANSWER.search(t)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_code_words_in_the_example_organisation(example, lang):
    assert len(example[lang]) == 41
    words = {w for text in _sentences(example[lang]) for w in SNAKE.findall(text)}
    assert words == set()
    assert [t for t in _sentences(example[lang]) if BARE_ANSWER.search(t)] == []


def test_not_run_is_worded_in_swedish():
    said = not_run_wording("DSR-01", ["request_deadline"], "sv")
    assert said["detail"] == "DSR-01 kunde inte köras: policyn anger ingen tidsfrist för att besvara begäranden."
    assert said["title"] == "Begäran besvarad för sent"
    assert not_run_wording("DSR-01", ["request_deadline"])["detail"] == (
        "DSR-01 could not run: the policy states no deadline for answering requests."
    )


# --- the Swedish catalogue is checked against the English one ----------------------------------


def _translation() -> dict:
    return yaml.safe_load(translation_file("sv").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "rules.sv.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _without_rule(data: dict) -> dict:
    del data["rules"]["SEC-03"]
    return data


def _extra_field(data: dict) -> dict:
    data["rules"]["SEC-02"]["title"] = "Ingen säkerhetskopiering av {vendor}"
    return data


def _missing_case(data: dict) -> dict:
    del data["rules"]["RET-02"]["detail"]["unreadable"]
    return data


def _missing_phrase(data: dict) -> dict:
    del data["rules"]["REG-01"]["phrases"]["joint_controller"]
    return data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_without_rule, "rules.sv.yaml: SEC-03: no translation"),
        (_extra_field, "rules.sv.yaml: SEC-02: title: names vendor, which the English template does not"),
        (_missing_case, "rules.sv.yaml: RET-02: detail.unreadable: missing"),
        (_missing_phrase, "rules.sv.yaml: REG-01: phrases.joint_controller: missing"),
    ],
)
def test_a_translation_that_does_not_match_is_one_line_naming_file_rule_and_key(tmp_path, edit, message):
    path = _write(tmp_path, edit(_translation()))
    with pytest.raises(ReferenceDataError) as info:
        load_translation(path, catalogue())
    assert str(info.value).endswith(message)
    assert "\n" not in str(info.value)


def test_the_bundled_translation_loads():
    words = load_translation(translation_file("sv"), catalogue())
    assert set(words.rules) == set(catalogue().rules)


# --- every Swedish template fills from the facts the English one fills from ----------------------

SETTINGS = SimpleNamespace(review_interval_months=12, security_test_interval_months=12)


def _specs(rule_id: str) -> dict[str, set[str]]:
    """Each fact the rule's English templates read, with the format specs it is read with."""
    out: dict[str, set[str]] = {}
    for template in rule_words(rule_id).templates().values():
        for _, name, spec, _ in string.Formatter().parse(template):
            if name:
                out.setdefault(name.split(".")[0], set()).add(spec or "")
    return out


def _fact(rule_id: str, spec: set[str]) -> st.SearchStrategy:
    if "phrase" in spec:
        # A phrase key whose phrase names no further phrase (a phrase naming itself would never end).
        flat = [k for k, t in rule_words(rule_id).phrases.items() if ":phrase}" not in t]
        return st.lists(st.sampled_from(sorted(flat)), min_size=1, max_size=2)
    if any(s.startswith(",") or s.endswith("f") for s in spec):
        return st.integers(min_value=0, max_value=10**7)
    if any(s.startswith("@") for s in spec):
        return st.lists(st.sampled_from(["consent", "access", "hosting", "scc", "listed", "unknown_code"]), max_size=3)
    return st.one_of(st.text(max_size=12), st.integers(), st.dates(), st.none())


@st.composite
def _rule_and_facts(draw):
    rule_id = draw(st.sampled_from(sorted(catalogue().rules)))
    specs = _specs(rule_id)
    facts = {name: draw(_fact(rule_id, spec)) for name, spec in specs.items() if name != "settings"}
    return rule_id, {**facts, "settings": SETTINGS}


@settings(max_examples=200, deadline=None)
@given(_rule_and_facts())
def test_every_swedish_template_fills_from_the_english_facts(drawn):
    rule_id, facts = drawn
    english, swedish = rule_words(rule_id, "en"), rule_words(rule_id, "sv")
    en_fill, sv_fill = _Wording(rule_id, english, "en"), _Wording(rule_id, swedish, "sv")
    for key, template in english.templates().items():
        en_fill.fill(template, facts)  # the English facts fill the English template ...
        assert isinstance(sv_fill.fill(swedish.templates()[key], facts), str)  # ... and so the Swedish one


# --- labels and headers --------------------------------------------------------------------------


def test_anchor_words_are_the_anchor_catalogues_labels():
    """``wording.anchor.*`` in English repeats ``anchors.yaml``'s labels; the two must not drift apart."""
    from audit.reference.i18n import labels
    from audit.reference.retention_periods import anchor_book

    assert labels("wording.anchor", "en") == dict(anchor_book().labels)


@pytest.mark.parametrize(
    ("template", "value", "lang", "shown"),
    [
        ("{x:@legal_basis}", ["legitimate_interests", "consent"], "en", "legitimate interests, consent"),
        ("{x:@legal_basis}", ["legitimate_interests", "consent"], "sv", "berättigat intresse, samtycke"),
        ("{x:@legal_basis}", "some_new_basis", "sv", "some_new_basis"),  # an unknown code is shown as it is
        ("{x:@right}", None, "sv", ""),
        ("{x:,}", 1234567, "sv", "1\xa0234\xa0567"),
        ("{x:,}", 1234567, "en", "1,234,567"),
        ("{x:.1f}", 2.5, "sv", "2,5"),
        ("{x:.1f}", 2.5, "en", "2.5"),
    ],
)
def test_labels_and_numbers_in_sentences(template, value, lang, shown):
    words = _Wording("REG-04", rule_words("REG-04", lang), lang)
    assert words.fill(template, {"x": value}) == shown


def test_cited_column_without_a_header_is_named_in_words():
    """Inputs built without headers (or a column the sheet lacks) never show the internal name."""
    import pandas as pd

    from audit.inputs.model import HEADER_COLUMNS
    from audit.rules.findings import headers_of

    inputs = SimpleNamespace(
        headers=pd.DataFrame([["activities.xlsx", "Activities", "recipients", "Mottagare"]], columns=HEADER_COLUMNS)
    )
    rows = pd.DataFrame({"src_file": ["activities.xlsx", "other.xlsx"], "src_sheet": ["Activities", "Activities"]})
    assert list(headers_of(rows, inputs, "recipients")) == ["Mottagare", "recipients"]
    assert list(headers_of(rows, inputs, "security_measures")) == ["security measures", "security measures"]
