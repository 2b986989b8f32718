"""REC-01..05 and the actual-recipients table, on the compliant world of test_rules_register with one gap planted."""

import pandas as pd
import pytest

from audit.rules.recipients import RECIPIENT_COLUMNS, actual_recipients
from audit.rules.registry import run_family
from tests.factories import activity, disclosure, system, vendor
from tests.test_rules_register import (
    edited,
    world,
    world_activities,
    world_disclosures,
    world_systems,
    world_vendors,
)


def findings(ctx, rule):
    found = run_family(ctx, "REC")
    return found[found["rule"] == rule].reset_index(drop=True)


def test_compliant_world_gives_no_recipient_finding():
    assert run_family(world(), "REC").empty


# --- actual recipients ---------------------------------------------------------------------------


def test_actual_recipients_of_the_world():
    actual = actual_recipients(world())
    assert list(actual.columns) == RECIPIENT_COLUMNS
    assert "internal" not in set(actual["recipient"])  # in-house system S-INTERNAL is no recipient
    pairs = set(zip(actual["activity_id"], actual["recipient"], actual["category"], strict=True))
    assert ("A-01", "FormCo", "crm_transfer_tool") in pairs
    assert ("A-01", "CRMCo", "crm_system") in pairs
    assert ("A-05", "Revisionsbyrån AB", "accounting_consultant") in pairs
    assert ("A-05", "Skatteverket", "authority") in pairs
    assert ("A-09", "LinkedIn", "marketing_platform") in pairs
    mail = actual[(actual["activity_id"] == "A-12") & (actual["recipient"] == "MailCo")].iloc[0]
    assert mail["source"] == "listed; system vendor"  # one row, both sources
    assert mail["systems"] == "S-NEWS"
    assert mail["category_label"] == "Newsletter service"
    assert mail["why"] == "named for P-NEWSLETTER"
    tax = actual[actual["recipient"] == "Skatteverket"].iloc[0]
    assert tax["why"] == "named in section 6 for every activity"
    assert tax["evidence"] == "disclosures.xlsx › Disclosures › row 2"
    assert actual.loc[actual["activity_id"] == "A-13", "allowed"].isna().all()  # P-COOKIES: not judged
    assert actual.loc[actual["activity_id"] == "A-07", "allowed"].isna().all()  # processor work: not judged
    judged = actual[~actual["activity_id"].isin(["A-07", "A-13"])]
    assert judged["allowed"].all()


def test_listed_name_that_is_a_category_word_is_mapped():
    acts = edited(world_activities(), "activity_id", "A-05", recipients=["ErpCo", "Redovisningsbyrå"])
    actual = actual_recipients(world(activities=acts))
    row = actual[actual["recipient"] == "Redovisningsbyrå"].iloc[0]
    assert (row["category"], row["category_from"], bool(row["allowed"])) == (
        "accounting_consultant",
        "recipient name",
        True,
    )


def test_vendor_names_match_case_insensitively():
    acts = edited(world_activities(), "activity_id", "A-12", recipients=["mailco", "CARASENT ASA"])
    actual = actual_recipients(world(activities=acts))
    assert set(actual.loc[actual["activity_id"] == "A-12", "recipient"]) == {"MailCo", "Carasent ASA"}


# --- REC-01 --------------------------------------------------------------------------------------


def test_system_vendor_in_a_category_the_policy_does_not_name():
    acts = edited(world_activities(), "activity_id", "A-12", systems=["S-NEWS", "S-WEB"])
    found = findings(world(activities=acts), "REC-01")
    assert list(found["subject"]) == ["A-12:WebCo"]
    assert found.loc[0, "vendor"] == "WebCo"
    assert found.loc[0, "detail"].startswith(
        "Activity A-12 shares data with WebCo (system vendor; category Web analytics): "
        "not named for P-NEWSLETTER nor in section 6 (the policy names for P-NEWSLETTER: "
        "Newsletter service, Group company; for every activity: "
    )
    assert found.loc[0, "evidence"] == "inventory.xlsx › Systems › row 13"
    assert found.loc[0, "policy_clause"].startswith("§10 «Mottagare: Leverantör av nyhetsbrevstjänst")


def test_listed_recipient_not_named_for_the_activity():
    # An accounting consultant is named for bookkeeping, not for newsletters.
    acts = edited(world_activities(), "activity_id", "A-12", recipients=["MailCo", "Revisionsbyrån AB"])
    found = findings(world(activities=acts), "REC-01")
    assert list(found["subject"]) == ["A-12:Revisionsbyrån AB"]
    assert "(listed; category Accounting consultant)" in found.loc[0, "detail"]
    assert found.loc[0, "evidence"] == "activities.xlsx › Activities › row 13, column recipients"


def test_recipient_whose_category_cannot_be_determined():
    systems = edited(world_systems(), "system_id", "S-LMS", recipient_category="Kursverktyg")
    found = findings(world(systems=systems), "REC-01")
    assert list(found["subject"]) == ["A-10:LmsCo"]
    assert (
        "(listed, system vendor; category unknown): recipient category could not be determined"
        in found.loc[0, "detail"]
    )


def test_disclosure_to_a_partner_not_named():
    disc = [*world_disclosures(), disclosure(recipient="Restaurang Kajen", recipient_role="partner")]
    found = findings(world(disclosures=disc), "REC-01")
    assert list(found["subject"]) == ["A-02:Restaurang Kajen"]
    assert found.loc[0, "evidence"] == "disclosures.xlsx › Disclosures › row 3"


@pytest.mark.parametrize(
    ("aid", "systems"),
    [
        ("A-12", ["S-NEWS", "S-DMS"]),  # IT-system providers: section 6, every activity
        ("A-12", ["S-NEWS", "S-ERP"]),  # accounting system: section 6
        ("A-07", ["S-SUPPORT", "S-WEB"]),  # processor work is not judged against the policy
    ],
)
def test_section6_and_processor_recipients_are_not_rec01(aid, systems):
    acts = edited(world_activities(), "activity_id", aid, systems=systems)
    assert findings(world(activities=acts), "REC-01").empty


def test_undisclosed_activity_is_judged_on_section6_only():
    extra = activity(activity_id="A-99", policy_ref=None, systems=["S-NEWS", "S-DMS"], recipients=[])
    found = findings(world(activities=[*world_activities(), extra]), "REC-01")
    assert list(found["subject"]) == ["A-99:MailCo"]


# --- REC-02 --------------------------------------------------------------------------------------


def test_processors_without_dpa():
    vendors = edited(world_vendors(), "vendor", "DocCo", dpa_signed=None)
    vendors = [*vendors, vendor(vendor="SubCo", role="sub_processor", country="IE", dpa_signed=None)]
    found = findings(world(vendors=vendors), "REC-02")
    assert list(found["subject"]) == ["DocCo", "SubCo"]
    assert list(found["vendor"]) == ["DocCo", "SubCo"]
    assert (
        found.loc[1, "detail"] == "Vendor SubCo (sub-processor, IE) has no signed data processing agreement recorded."
    )
    assert found.loc[0, "evidence"] == "inventory.xlsx › Vendors › row 5, column dpa signed"
    assert "personuppgiftsbiträden" in found.loc[0, "policy_clause"]


def test_non_processors_need_no_dpa():
    # The world has a partner, group companies, a platform, an authority and a customer without a DPA.
    assert world_vendors()[-1]["dpa_signed"] is None
    assert findings(world(), "REC-02").empty


# --- REC-03 --------------------------------------------------------------------------------------


def test_group_company_not_named_in_section6():
    vendors = [*world_vendors(), vendor(vendor="Carasent Danmark A/S", role="group_company", country="DK")]
    acts = edited(world_activities(), "activity_id", "A-12", recipients=["MailCo", "Carasent Danmark A/S"])
    disc = [*world_disclosures(), disclosure(recipient="Carasent Finland Oy", recipient_role="koncernbolag")]
    found = findings(world(activities=acts, vendors=vendors, disclosures=disc), "REC-03")
    assert list(found["subject"]) == ["A-02:Carasent Finland Oy", "A-12:Carasent Danmark A/S"]
    assert found.loc[1, "detail"] == (
        "Activity A-12 shares data with group company Carasent Danmark A/S (listed), which section 6 does not "
        "name (it names: Carasent ASA, Carasent Norge AS, Metodika AB, HPI Health Profile Institute AB, "
        "Medrave Software AB)."
    )
    assert found.loc[0, "evidence"] == "disclosures.xlsx › Disclosures › row 3"
    assert found.loc[0, "policy_clause"].startswith("§6 «I en del situationer")
    # Group companies are named in section 6 for every activity: not REC-01 as well.
    assert findings(world(activities=acts, vendors=vendors, disclosures=disc), "REC-01").empty


def test_named_group_companies_and_category_words_are_fine():
    acts = edited(world_activities(), "activity_id", "A-12", recipients=["MailCo", "carasent asa", "Koncernbolag"])
    disc = [*world_disclosures(), disclosure(recipient="Medrave Software AB", recipient_role="group company")]
    assert findings(world(activities=acts, disclosures=disc), "REC-03").empty


# --- REC-04 --------------------------------------------------------------------------------------


def test_named_category_no_recipient_fills():
    acts = edited(world_activities(), "activity_id", "A-08", recipients=["Metodika AB"])
    found = findings(world(activities=acts), "REC-04")
    assert list(found["subject"]) == ["P-EVENT-SIGNUP:event_partner"]
    assert found.loc[0, "severity"] == "info"
    assert found.loc[0, "detail"] == (
        "Policy activity P-EVENT-SIGNUP names «Event or training partner» as a recipient, but no actual "
        "recipient of its register entries (A-08) is in that category."
    )
    assert found.loc[0, "evidence"].endswith("; activities.xlsx › Activities › row 9")


def test_rec04_only_for_blocks_with_register_entries():
    acts = [a for a in world_activities() if a["activity_id"] != "A-08"]
    assert findings(world(activities=acts), "REC-04").empty


def test_two_entries_of_one_block_fill_its_categories_together():
    acts = edited(world_activities(), "activity_id", "A-08", recipients=["Metodika AB"])
    extra = activity(
        activity_id="A-14", policy_ref="P-EVENT-SIGNUP", data_categories=["Namn"], recipients=["Eventpartner"]
    )
    assert findings(world(activities=[*acts, extra]), "REC-04").empty


# --- REC-05 --------------------------------------------------------------------------------------


def test_authority_disclosure_without_legal_obligation():
    disc = [
        *world_disclosures(),
        disclosure(legal_basis=["legitimate_interests"]),
        disclosure(date="2026-05-02", recipient="Skatteverket", recipient_role=None, legal_basis=[]),
    ]
    found = findings(world(disclosures=disc), "REC-05")
    assert list(found["subject"]) == ["A-02:Polismyndigheten:2026-04-15", "A-02:Skatteverket:2026-05-02"]
    assert found.loc[0, "detail"] == (
        "Disclosure of 2026-04-15 to authority Polismyndigheten (activity A-02) rests on legitimate interests, "
        "not on legal obligation."
    )
    assert "rests on no legal basis" in found.loc[1, "detail"]
    assert found.loc[0, "evidence"] == "disclosures.xlsx › Disclosures › row 3, column legal basis"
    assert found.loc[0, "policy_clause"] == (
        "§6 «Vi har ibland en lagstadgad skyldighet att lämna ut personuppgifter på begäran av myndigheter.»"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"recipient_role": "myndighet", "legal_basis": "rättslig förpliktelse"},  # Swedish, un-split cell
        {"legal_basis": ["legal_obligation", "legitimate_interests"]},
        {"recipient": "Metodika AB", "recipient_role": "group_company", "legal_basis": ["legitimate_interests"]},
    ],
)
def test_not_rec05(changes):
    disc = [*world_disclosures(), disclosure(**changes)]
    assert findings(world(disclosures=disc), "REC-05").empty


def test_no_disclosure_log_is_no_finding():
    assert findings(world(disclosures=[]), "REC-05").empty
    assert isinstance(actual_recipients(world(disclosures=[])), pd.DataFrame)


def test_undated_disclosure_is_named_so_in_subject_and_detail():
    disc = [*world_disclosures(), disclosure(date=None, legal_basis=[])]
    found = findings(world(disclosures=disc), "REC-05")
    assert list(found["subject"]) == ["A-02:Polismyndigheten:no date"]
    assert found.loc[0, "detail"] == (
        "Disclosure of no date to authority Polismyndigheten (activity A-02) rests on no legal basis, "
        "not on legal obligation."
    )


# --- REC-01: more than one category, an unknown block ------------------------------------------


def test_a_recipient_in_two_categories_not_named_is_one_finding():
    acts = edited(
        world_activities(),
        "activity_id",
        "A-12",
        recipients=["MailCo", "Revisionsbyrån AB"],
        systems=["S-NEWS", "S-REV"],
    )
    systems = [
        *world_systems(),
        system(system_id="S-REV", vendor="Revisionsbyrån AB", recipient_category="web analytics"),
    ]
    found = findings(world(activities=acts, systems=systems), "REC-01")
    assert list(found["subject"]) == ["A-12:Revisionsbyrån AB"]
    assert found.loc[0, "detail"].startswith(
        "Activity A-12 shares data with Revisionsbyrån AB (listed, system vendor; category Accounting consultant, "
        "Web analytics): not named for P-NEWSLETTER nor in section 6 (the policy names for P-NEWSLETTER: "
    )


def test_recipient_of_an_activity_citing_an_unknown_block():
    extra = activity(activity_id="A-99", policy_ref="P-HR", systems=["S-WEB"], recipients=[])
    found = findings(world(activities=[*world_activities(), extra]), "REC-01")
    assert list(found["subject"]) == ["A-99:WebCo"]
    assert found.loc[0, "detail"].startswith(
        "Activity A-99 shares data with WebCo (system vendor; category Web analytics): not named for its (missing) "
        "policy activity nor in section 6 (the policy names for P-HR: nothing; for every activity: Group company, "
    )
    assert found.loc[0, "policy_clause"] is None


def test_rules_read_the_memoised_facts(monkeypatch):
    from audit.rules import recipients

    calls = []
    compute = recipients._compute_facts
    monkeypatch.setattr(recipients, "_compute_facts", lambda ctx: calls.append(1) or compute(ctx))
    ctx = world(activities=edited(world_activities(), "activity_id", "A-12", systems=["S-NEWS", "S-WEB"]))
    assert not run_family(ctx, "REC").empty
    actual_recipients(ctx)
    assert calls == [1]
