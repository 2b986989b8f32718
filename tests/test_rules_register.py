"""REG-01..07 on tiny registers.

``world()`` is a hand-written organisation that keeps every promise of the
policy: one register entry per policy block, in the words a DPO would type
(Swedish and English synonyms, not the policy's ids). Each test plants one
gap in it, or builds a smaller register, and asserts the exact findings.
"""

from dataclasses import replace

import pandas as pd
import pytest

from audit.reference.settings import load_settings
from audit.rules.activities import classify_activities
from audit.rules.register import register_table
from audit.rules.registry import run_family
from tests.factories import activity, make_ctx, make_inputs, system, vendor


def world_activities() -> list[dict]:
    """One compliant entry per policy block (A-01..A-13), typed as a DPO would."""
    lb, ct, lo = "legitimate_interests", "contract", "legal_obligation"
    rows = [
        ("A-01", "P-INQUIRY", ["Namn", "E-postadress", "Telefon", "Företagsnamn", "Meddelande"], [lb],
         ["S-FORM", "S-CRM"], ["FormCo", "CRMCo"]),
        ("A-02", "P-CRM", ["namn", "e-mail address", "telefonnummer", "orderhistorik", "korrespondens", "Yrkestitel"],
         [lb, ct, lo], ["S-CRM"], ["CRMCo"]),
        ("A-03", "P-ESIGN", ["Namn", "E-post", "Mobilnummer", "IP-adress", "Elektronisk signatur"], [lb],
         ["S-SIGN"], ["SignCo"]),
        ("A-04", "P-CONTRACTS", ["Namn", "E-post", "Funktion"], [lb], ["S-DMS"], ["DocCo"]),
        ("A-05", "P-BOOKKEEPING", ["Namn", "E-post", "Postadress", "Bankkonto"], [lo], ["S-ERP"],
         ["ErpCo", "Revisionsbyrån AB"]),
        ("A-06", "P-SURVEY", ["E-post", "Arbetsgivare"], [lb], ["S-SURVEY"], ["SurveyCo"]),
        ("A-07", "P-PROCESSOR", ["Namn", "Hälsouppgifter"], [], ["S-SUPPORT"], ["Kunden"]),
        ("A-08", "P-EVENT-SIGNUP", ["Namn", "E-post", "Specialkost"], [lb], ["S-EVENT"],
         ["Restaurang Kajen", "Metodika AB"]),
        ("A-09", "P-EVENT-MEDIA", ["Bild", "Video"], [lb], ["S-MEDIA"], ["LinkedIn"]),
        ("A-10", "P-TRAINING", ["Namn", "E-post", "Telefonnummer"], [lb], ["S-LMS"], ["LmsCo"]),
        ("A-11", "P-CASE-FILMS", ["Namn", "Yrkestitel", "Foto", "Videoinspelning"], [ct], ["S-INTERNAL"],
         ["Byrån AB", "LinkedIn"]),
        ("A-12", "P-NEWSLETTER", ["Namn", "E-post"], [lb], ["S-NEWS"], ["MailCo", "Carasent ASA"]),
        ("A-13", "P-COOKIES", ["Cookies", "IP address"], ["consent"], ["S-WEB"], ["WebCo"]),
    ]  # fmt: skip
    out = [
        activity(activity_id=aid, activity=f"Activity {aid}", policy_ref=ref, data_categories=cats, legal_basis=basis,
                 systems=systems, recipients=recipients)
        for aid, ref, cats, basis, systems, recipients in rows
    ]  # fmt: skip
    out[6]["role"] = "processor"
    out[7]["dpia"] = "yes"  # Specialkost can reveal health or religion (REG-07)
    return out


def world_systems() -> list[dict]:
    rows = [
        ("S-FORM", "FormCo", "CRM transfer tool", ["Namn", "E-post"]),
        ("S-CRM", "CRMCo", "CRM system", ["Namn", "E-post", "Köphistorik"]),
        ("S-SIGN", "SignCo", "e-signing service", []),
        ("S-DMS", "DocCo", "document storage", []),
        ("S-ERP", "ErpCo", "accounting system", ["Kontouppgifter"]),
        ("S-SURVEY", "SurveyCo", "survey tool", []),
        ("S-SUPPORT", "HelpCo", "IT system", ["Hälsa"]),
        ("S-EVENT", "EventToolCo", "IT system", ["Matpreferenser"]),
        ("S-MEDIA", "MediaCo", "cloud storage", ["Bild", "Video"]),
        ("S-LMS", "LmsCo", "e-learning platform", []),
        ("S-NEWS", "MailCo", "newsletter service", ["Namn", "E-post"]),
        ("S-WEB", "WebCo", "web analytics", ["IP-adress"]),
        ("S-INTERNAL", "internal", "IT system", ["Bild"]),
    ]
    return [
        system(system_id=sid, system=f"System {sid}", vendor=v, recipient_category=cat, data_categories=cats)
        for sid, v, cat, cats in rows
    ]


def world_vendors() -> list[dict]:
    processors = ["FormCo", "CRMCo", "SignCo", "DocCo", "ErpCo", "SurveyCo", "HelpCo", "EventToolCo", "MediaCo"]
    processors += ["LmsCo", "MailCo", "WebCo"]
    return [vendor(vendor=name) for name in processors] + [
        vendor(vendor="Revisionsbyrån AB", category="Ekonomikonsult"),
        vendor(vendor="Byrån AB", category="kommunikationsbyrå"),
        vendor(vendor="Restaurang Kajen", role="partner", category="Eventpartner", dpa_signed=None),
        vendor(vendor="Metodika AB", role="group_company", country="SE", dpa_signed=None),
        vendor(vendor="Carasent ASA", role="group_company", country="NO", dpa_signed=None),
        vendor(vendor="LinkedIn", role="controller", country="IE", category="sociala medier", dpa_signed=None),
        vendor(vendor="Skatteverket", role="authority", dpa_signed=None),
        vendor(vendor="Kunden", role="controller", dpa_signed=None),
    ]


def world_disclosures() -> list[dict]:
    return [
        {
            "date": "2026-03-02",
            "activity_id": "A-05",
            "recipient": "Skatteverket",
            "recipient_role": "authority",
            "legal_basis": ["legal_obligation"],
            "data_categories": ["Namn"],
            "reason": "Kontrollbesök",
        }
    ]


def world(activities=None, systems=None, vendors=None, disclosures=None, as_of="2026-11-01", settings=None):
    """The compliant organisation, with any input replaced."""
    inputs = make_inputs(
        activities=activities if activities is not None else world_activities(),
        systems=systems if systems is not None else world_systems(),
        vendors=vendors if vendors is not None else world_vendors(),
        disclosures=disclosures if disclosures is not None else world_disclosures(),
    )
    return make_ctx(inputs, as_of=as_of, settings=settings)


def edited(rows: list[dict], key: str, ident: str, **changes) -> list[dict]:
    """``rows`` with the row whose ``key`` is ``ident`` updated."""
    return [{**r, **changes} if r[key] == ident else r for r in rows]


def findings(ctx, rule):
    found = run_family(ctx, "REG")
    return found[found["rule"] == rule].reset_index(drop=True)


def test_compliant_world_gives_no_register_finding():
    assert run_family(world(), "REG").empty


# --- classification and REG-01 -------------------------------------------------------------------


def test_classification_of_the_world():
    cls = classify_activities(world()).set_index("activity_id")
    assert cls.loc["A-07", "status"] == "processor"
    assert cls.loc["A-13", "status"] == "outside scope"
    assert (cls.drop(index=["A-07", "A-13"])["status"] == "checked").all()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"policy_ref": None}, "is a controller activity that refers to no activity of the policy."),
        ({"policy_ref": "  "}, "is a controller activity that refers to no activity of the policy."),
        (
            {"policy_ref": "P-HR"},
            "is a controller activity referring to the policy activity «P-HR», which the policy does not have.",
        ),
        (
            {"role": "joint_controller", "policy_ref": None},
            "is a joint controller activity that refers to no activity of the policy.",
        ),
        (
            {"role": None, "policy_ref": "P-PROCESSOR"},
            "is a controller activity but cites P-PROCESSOR, which the policy",
        ),
    ],
)
def test_undisclosed_controller_activity(changes, reason):
    ctx = world(activities=[*world_activities(), activity(activity_id="A-99", activity="Lönehantering", **changes)])
    found = findings(ctx, "REG-01")
    assert list(found["subject"]) == ["A-99"]
    assert found.loc[0, "detail"].startswith(f"Activity A-99 (Lönehantering) {reason}")
    assert found.loc[0, "evidence"] == "activities.xlsx › Activities › row 15, column policy ref"
    assert found.loc[0, "severity"] == "high"


def test_scope_note_is_quoted_for_a_controller_citing_the_processor_block():
    ctx = world(activities=edited(world_activities(), "activity_id", "A-07", role="controller"))
    found = findings(ctx, "REG-01")
    assert list(found["subject"]) == ["A-07"]
    assert "personuppgiftsbiträde" in found.loc[0, "detail"]
    assert found.loc[0, "policy_clause"].startswith("§10 «I de här sammanhangen")


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "processor", "policy_ref": None},  # Art. 30(2), not the policy
        {"role": "processor", "policy_ref": "P-HR"},
        {"policy_ref": "p-newsletter"},  # case and punctuation do not matter
        {"policy_ref": "P-COOKIES"},  # disclosed by reference to the cookie policy
    ],
)
def test_not_reg01(changes):
    ctx = world(activities=[*world_activities(), activity(activity_id="A-99", **changes)])
    assert findings(ctx, "REG-01").empty


# --- REG-02 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dropped", [("A-10", "P-TRAINING"), ("A-07", "P-PROCESSOR"), ("A-13", "P-COOKIES")])
def test_policy_activity_without_register_entry(dropped):
    aid, pid = dropped
    ctx = world(activities=[a for a in world_activities() if a["activity_id"] != aid])
    found = findings(ctx, "REG-02")
    assert list(found["subject"]) == [pid]
    assert found.loc[0, "detail"].startswith(f"Policy activity {pid} («")
    assert found.loc[0, "evidence"].startswith("integritetspolicy.txt › §10 › ")
    assert found.loc[0, "evidence"].endswith("; no entry in activities.xlsx › Activities")


def test_an_entry_with_a_case_variant_reference_counts_for_reg02():
    acts = edited(world_activities(), "activity_id", "A-10", policy_ref="p-training")
    assert findings(world(activities=acts), "REG-02").empty


# --- REG-03 --------------------------------------------------------------------------------------


def test_category_not_listed_for_the_policy_activity():
    acts = edited(world_activities(), "activity_id", "A-12", data_categories=["Namn", "E-post", "Personnummer"])
    found = findings(world(activities=acts), "REG-03")
    assert list(found["subject"]) == ["A-12:personal_id_number"]
    assert found.loc[0, "activity_id"] == "A-12"
    assert found.loc[0, "detail"] == (
        "Activity A-12 (Activity A-12) records Personal identity number («Personnummer»), which is not among "
        "the data categories policy activity P-NEWSLETTER lists: Name, E-mail."
    )
    assert found.loc[0, "evidence"] == "activities.xlsx › Activities › row 13, column data categories"
    assert found.loc[0, "policy_clause"] == "§10 «Personuppgifter: Namn, e-post.»"


def test_synonyms_of_one_category_give_one_finding():
    cats = ["Namn", "E-post", "Personnummer", "personal identity number"]
    acts = edited(world_activities(), "activity_id", "A-12", data_categories=cats)
    assert list(findings(world(activities=acts), "REG-03")["subject"]) == ["A-12:personal_id_number"]


def test_unmatched_word_is_reported_not_guessed():
    acts = edited(world_activities(), "activity_id", "A-12", data_categories=["Namn", "E-post", "Skostorlek"])
    found = findings(world(activities=acts), "REG-03")
    assert list(found["subject"]) == ["A-12:Skostorlek"]
    assert "«Skostorlek», which could not be matched to a known data category" in found.loc[0, "detail"]


def test_policy_words_and_english_synonyms_are_equal():
    # "E-post" = "e-mail address" = email; "Yrkestitel" = "funktion" = job_title (P-CRM lists both).
    acts = edited(world_activities(), "activity_id", "A-02", data_categories=["E-post", "e-mail address", "Funktion"])
    assert findings(world(activities=acts), "REG-03").empty


def test_category_of_an_undisclosed_activity_is_left_to_reg01():
    extra = activity(activity_id="A-99", policy_ref=None, data_categories=["Personnummer"])
    assert findings(world(activities=[*world_activities(), extra]), "REG-03").empty


def test_system_category_no_using_activity_accounts_for():
    # Köphistorik in S-CRM is fine (A-02 → P-CRM lists it); S-FORM is used by A-01 (P-INQUIRY) only.
    systems = edited(world_systems(), "system_id", "S-FORM", data_categories=["Namn", "Köphistorik", "Hmm"])
    found = findings(world(systems=systems), "REG-03")
    assert list(found["subject"]) == ["S-FORM:Hmm", "S-FORM:purchase_history"]
    assert list(found["system_id"]) == ["S-FORM", "S-FORM"]
    assert found["activity_id"].isna().all()
    assert found.loc[1, "detail"] == (
        "System S-FORM (System S-FORM) holds Purchase history («Köphistorik»), which none of the policy activities "
        "of the activities using it lists (activities using it: A-01 → P-INQUIRY)."
    )
    assert "could not be matched" in found.loc[0, "detail"]
    assert found.loc[1, "evidence"] == "inventory.xlsx › Systems › row 2, column data categories"


def test_processor_activity_accounts_for_its_own_categories_on_a_shared_system():
    # S-SUPPORT holds Hälsa; the processor entry A-07 records "Hälsouppgifter" (= health).
    acts = edited(world_activities(), "activity_id", "A-02", systems=["S-CRM", "S-SUPPORT"])
    assert findings(world(activities=acts), "REG-03").empty
    acts = edited(acts, "activity_id", "A-07", data_categories=["Namn"])
    assert list(findings(world(activities=acts), "REG-03")["subject"]) == ["S-SUPPORT:health"]


# --- REG-04 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "basis",
    [["contract"], ["legitimate_interests", "contract"], ["legal_obligation", "contract", "legitimate_interests"]],
)
def test_phased_basis_subset_is_consistent(basis):
    acts = edited(world_activities(), "activity_id", "A-02", legal_basis=basis)
    assert findings(world(activities=acts), "REG-04").empty


@pytest.mark.parametrize(
    ("aid", "basis", "said"),
    [
        ("A-02", ["consent"], "consent"),
        ("A-02", ["contract", "consent"], "consent, contract"),
        ("A-12", [], "none"),
        ("A-12", ["legitimate_interests", "consent"], "consent, legitimate interests"),
        ("A-11", ["legitimate_interests"], "legitimate interests"),
    ],
)
def test_basis_differs(aid, basis, said):
    acts = edited(world_activities(), "activity_id", aid, legal_basis=basis)
    found = findings(world(activities=acts), "REG-04")
    assert list(found["subject"]) == [aid]
    policy_says = {
        "A-02": "P-CRM says before: legitimate interests; during: contract; after: legal obligation.",
        "A-12": "P-NEWSLETTER says legitimate interests.",
        "A-11": "P-CASE-FILMS says contract.",
    }[aid]
    assert found.loc[0, "detail"] == (
        f"Activity {aid} (Activity {aid}) has legal basis {said} in the register; policy activity {policy_says}"
    )
    assert found.loc[0, "evidence"].endswith(", column legal basis")


def test_processor_and_cookie_entries_have_no_policy_basis_to_match():
    acts = edited(world_activities(), "activity_id", "A-07", legal_basis=["consent"])
    acts = edited(acts, "activity_id", "A-13", legal_basis=[])
    assert findings(world(activities=acts), "REG-04").empty


# --- REG-05 --------------------------------------------------------------------------------------


def test_missing_art30_fields_one_finding_each():
    acts = edited(world_activities(), "activity_id", "A-04", retention="  ", security_measures=None, data_subjects=[])
    found = findings(world(activities=acts), "REG-05")
    assert list(found["subject"]) == ["A-04:data_subjects", "A-04:retention", "A-04:security_measures"]
    assert (
        found.loc[1, "detail"]
        == "Activity A-04 (Activity A-04): the register entry has no retention, which Art. 30(1) requires."
    )
    assert found.loc[2, "evidence"] == "activities.xlsx › Activities › row 5, column security measures"


def test_processor_entry_needs_only_security_measures():
    acts = edited(world_activities(), "activity_id", "A-07", purpose=None, recipients=[], retention=None)
    assert findings(world(activities=acts), "REG-05").empty
    acts = edited(acts, "activity_id", "A-07", security_measures="")
    found = findings(world(activities=acts), "REG-05")
    assert list(found["subject"]) == ["A-07:security_measures"]
    assert "which Art. 30(2) requires" in found.loc[0, "detail"]


def test_absent_column_is_missing_in_every_row():
    acts = [{k: v for k, v in a.items() if k != "security_measures"} for a in world_activities()[:2]]
    found = findings(world(activities=acts), "REG-05")
    assert list(found["subject"]) == ["A-01:security_measures", "A-02:security_measures"]


# --- REG-06 --------------------------------------------------------------------------------------


def test_review_older_than_interval():
    acts = edited(world_activities(), "activity_id", "A-01", last_reviewed="2025-11-01")  # exactly 12 months: fine
    acts = edited(acts, "activity_id", "A-02", last_reviewed="2025-10-31")
    acts = edited(acts, "activity_id", "A-03", last_reviewed=None)
    found = findings(world(activities=acts), "REG-06")
    assert list(found["subject"]) == ["A-02", "A-03"]
    assert found.loc[0, "detail"] == (
        "Activity A-02 (Activity A-02): last reviewed 2025-10-31, more than 12 months before 2026-11-01."
    )
    assert found.loc[1, "detail"] == "Activity A-03 (Activity A-03): no review date recorded."
    assert found.loc[0, "severity"] == "low"


def test_review_interval_is_a_setting_and_as_of_decides():
    settings = replace(load_settings(), review_interval_months=3)
    found = findings(world(settings=settings), "REG-06")  # all reviewed 2026-06-01, 5 months before
    assert len(found) == 13
    assert findings(world(as_of="2027-06-02"), "REG-06").shape[0] == 13
    assert findings(world(as_of="2027-06-01"), "REG-06").empty


# --- the Register sheet --------------------------------------------------------------------------


def test_register_table_joins_lists_and_adds_the_policy_block():
    acts = world_activities()
    acts[0]["Anteckning"] = "extra column"
    table = register_table(world(activities=acts))
    assert len(table) == 13
    first = table.iloc[0]
    assert first["data_categories"] == "Namn; E-postadress; Telefon; Företagsnamn; Meddelande"
    assert first["systems"] == "S-FORM; S-CRM"
    assert first["policy_title"] == "När du gör förfrågningar eller ingår avtal med oss"
    assert bool(first["policy_in_scope"]) is True
    assert first["Anteckning"] == "extra column"
    assert list(table.columns[-3:]) == ["src_file", "src_sheet", "src_row"]
    cols = list(table.columns)
    assert cols.index("policy_title") == cols.index("policy_ref") + 1
    by_id = table.set_index("activity_id")
    assert by_id.loc["A-07", "audit_status"] == "processor"
    assert bool(by_id.loc["A-13", "policy_in_scope"]) is False
    assert by_id.loc["A-05", "src_row"] == 6


def test_register_table_keeps_an_unknown_reference_visible():
    acts = [activity(activity_id="A-1", policy_ref="P-HR")]
    table = register_table(world(activities=acts))
    assert table.loc[0, "policy_ref"] == "P-HR"
    assert pd.isna(table.loc[0, "policy_title"])
    assert table.loc[0, "audit_status"] == "undisclosed"


# --- REG-06: started after the policy version, not covered -----------------------------------


def _reg06(acts, records=None):
    found = run_family(make_ctx(make_inputs(activities=acts, records=records)), "REG")
    return found[found["rule"] == "REG-06"].set_index("subject")["detail"].to_dict()


def test_uncovered_activity_started_after_the_policy_version():
    acts = [
        activity(activity_id="A-NEW", activity="Chatbot", policy_ref=None, started="2025-01-01"),
        activity(activity_id="A-OLD", activity="Old", policy_ref=None, started="2024-01-01"),
        activity(activity_id="A-COV", activity="Covered", started="2025-01-01"),
    ]
    assert _reg06(acts) == {
        "A-NEW": "Activity A-NEW (Chatbot): started 2025-01-01, after the policy version of 2024-05-16, "
        "which does not cover it."
    }


def test_start_falls_back_to_the_first_collected_record():
    acts = [activity(activity_id="A-NEW", activity="Chatbot", policy_ref=None)]
    records = {
        "S-X": [
            {"record_id": "1", "subject_ref": "DS-1", "activity_id": "A-NEW", "collected": "2025-03-01"},
            {"record_id": "2", "subject_ref": "DS-2", "activity_id": "A-NEW", "collected": "2025-05-01"},
        ]
    }
    assert _reg06(acts, records) == {
        "A-NEW": "Activity A-NEW (Chatbot): first record collected 2025-03-01, after the policy version of "
        "2024-05-16, which does not cover it."
    }


def test_both_reasons_make_one_finding():
    acts = [
        activity(activity_id="A-NEW", activity="Chatbot", policy_ref=None, started="2025-01-01", last_reviewed=None)
    ]
    assert _reg06(acts) == {
        "A-NEW": "Activity A-NEW (Chatbot): no review date recorded; started 2025-01-01, after the policy version "
        "of 2024-05-16, which does not cover it."
    }


# --- REG-07 --------------------------------------------------------------------------------------


def test_special_category_data_without_a_dpia():
    acts = edited(world_activities(), "activity_id", "A-12", data_categories=["Namn", "E-post", "Hälsouppgifter"])
    found = findings(world(activities=acts), "REG-07")
    assert list(found["subject"]) == ["A-12"]
    assert found.loc[0, "activity_id"] == "A-12"
    assert found.loc[0, "severity"] == "medium"
    assert found.loc[0, "detail"] == (
        "Activity A-12 (Activity A-12) involves special-category data (Health), but its register entry records no DPIA."
    )
    assert found.loc[0, "evidence"] == "activities.xlsx › Activities › row 13, column dpia"
    assert found.loc[0, "policy_clause"] == "§10 «Personuppgifter: Namn, e-post.»"
    assert found.loc[0, "article"] == "GDPR Art. 35(1), (3); IMY's list of processing that requires a DPIA"


def test_data_that_can_reveal_a_special_category_and_a_dpia_recorded_as_no():
    acts = edited(world_activities(), "activity_id", "A-08", dpia="no")
    found = findings(world(activities=acts), "REG-07")
    assert list(found["subject"]) == ["A-08"]
    assert found.loc[0, "detail"] == (
        "Activity A-08 (Activity A-08) involves data that can reveal special-category data "
        "(Food preferences → Health, Religious beliefs), but its register entry says no DPIA was carried out."
    )


def test_the_special_categories_column_counts_too():
    acts = edited(world_activities(), "activity_id", "A-10", special_categories=["Fackmedlemskap"])
    found = findings(world(activities=acts), "REG-07")
    assert list(found["subject"]) == ["A-10"]
    assert "special-category data (Union membership)" in found.loc[0, "detail"]


@pytest.mark.parametrize(
    ("changes", "trigger"),
    [
        ({"large_scale": True}, "processing on a large scale"),
        ({"systematic_monitoring": True}, "systematic monitoring"),
        (
            {"large_scale": True, "systematic_monitoring": True, "data_categories": ["Namn", "Hälsa"]},
            "special-category data (Health); processing on a large scale; systematic monitoring",
        ),
    ],
)
def test_large_scale_and_systematic_monitoring_without_a_dpia(changes, trigger):
    acts = edited(world_activities(), "activity_id", "A-12", **changes)
    found = findings(world(activities=acts), "REG-07")
    assert list(found["subject"]) == ["A-12"]
    assert found.loc[0, "detail"] == (
        f"Activity A-12 (Activity A-12) involves {trigger}, but its register entry records no DPIA."
    )


@pytest.mark.parametrize("dpia", ["yes", "not_needed"])
def test_a_recorded_dpia_or_assessment_is_compliant(dpia):
    acts = edited(world_activities(), "activity_id", "A-12", large_scale=True, data_categories=["Hälsa"], dpia=dpia)
    assert findings(world(activities=acts), "REG-07").empty


def test_processor_entries_are_not_judged_but_joint_controllers_are():
    # A-07 is processor work on health data (Hälsouppgifter) with no DPIA: the customer answers for it.
    assert findings(world(), "REG-07").empty
    acts = edited(world_activities(), "activity_id", "A-07", role="joint_controller", large_scale=True)
    assert list(findings(world(activities=acts), "REG-07")["subject"]) == ["A-07"]


def test_no_trigger_no_dpia_needed():
    acts = edited(world_activities(), "activity_id", "A-12", large_scale=False, systematic_monitoring=False)
    assert findings(world(activities=acts), "REG-07").empty


def test_an_activity_citing_no_policy_block_has_no_clause():
    extra = activity(activity_id="A-99", policy_ref=None, systematic_monitoring=True, dpia=None)
    found = findings(world(activities=[*world_activities(), extra]), "REG-07")
    assert list(found["subject"]) == ["A-99"]
    assert found.loc[0, "policy_clause"] is None
