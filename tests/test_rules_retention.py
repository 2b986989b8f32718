"""RET-01..05 and the Retention table on tiny registers, inventories and record extracts.

Audit date 2026-11-01 throughout unless a test says otherwise. Each gap is
planted next to a compliant neighbour, so a test fails both when the rule
misses the gap and when it fires on the neighbour.
"""

import time
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from audit.errors import ReferenceDataError
from audit.reference.catalogue import catalogue
from audit.reference.retention_periods import anchor_book, max_days, year_end_slack
from audit.reference.settings import load_settings
from audit.rules.registry import rule_facts, rule_ids, run_family
from audit.rules.retention_facts import TABLE_COLUMNS, retention_table
from tests.factories import activity, make_ctx, make_inputs, system

AS_OF = "2026-11-01"


def ctx_for(activities, systems, records=None, as_of=AS_OF, **settings):
    inputs = make_inputs(activities=activities, systems=systems, records=records)
    custom = replace(load_settings(), **settings) if settings else None
    return make_ctx(inputs, as_of=as_of, settings=custom)


def run(activities, systems, records=None, as_of=AS_OF, **settings):
    return run_family(ctx_for(activities, systems, records, as_of, **settings), "RET")


def only(found, rule):
    return found[found["rule"] == rule].reset_index(drop=True)


def survey(**kw):
    """A P-SURVEY activity: "Sparas i 1 år" from collection."""
    row = {
        "activity_id": "A-SUR",
        "activity": "Survey",
        "purpose": "Surveys",
        "policy_ref": "P-SURVEY",
        "systems": ["S-SUR"],
        "retention": "1 år",
    }
    row.update(kw)
    return activity(**row)


def survey_tool(**kw):
    return system(system_id="S-SUR", system="Surveys", recipient_category="survey tool", retention_days=365, **kw)


def rec(record_id, activity_id, **dates):
    return {"record_id": record_id, "subject_ref": f"DS-{record_id}", "activity_id": activity_id, **dates}


# --- reference data and periods ------------------------------------------------------------------


def test_blank_anchor_meanings_come_from_the_data_file():
    book = anchor_book()
    assert book.ongoing == {
        "contract_end",
        "deal_declined",
        "unsubscribed",
        "training_completed",
        "study_end",
        "recruitment_closed",
    }
    assert book.stand_in == {"fiscal_year_end": "collected"}


@pytest.mark.parametrize(
    ("iso", "days"), [("P30D", 30), ("P1M", 31), ("P1Y", 366), ("P4Y", 1461), ("P7Y", 2557), ("P2W", 14)]
)
def test_longest_span_of_a_calendar_period(iso, days):
    assert max_days(iso) == days


def test_anchor_file_must_cover_every_anchor(monkeypatch):
    import audit.reference.retention_periods as periods

    real = periods.reference

    def without_event_date(name):
        data = real(name)
        if name != "anchors":
            return data
        return {**data, "anchors": {k: v for k, v in data["anchors"].items() if k != "event_date"}}

    monkeypatch.setattr(periods, "reference", without_event_date)
    with pytest.raises(ReferenceDataError, match=r"anchors.yaml: anchors: missing event_date"):
        periods.anchor_book.__wrapped__()


def test_year_end_slack_is_one_leap_year_less_a_day():
    assert year_end_slack() == 365


# --- compliant data ------------------------------------------------------------------------------


def test_compliant_activity_gives_no_finding():
    records = {
        "S-SUR": [
            rec("R1", "A-SUR", collected="2025-11-01"),
            rec("R2", "A-SUR", collected="2026-10-01"),
        ]
    }
    assert run([survey()], [survey_tool()], records).empty


# --- RET-01 --------------------------------------------------------------------------------------


def inquiry(**kw):
    return activity(
        activity_id="A-INQ",
        activity="Web inquiries",
        policy_ref="P-INQUIRY",
        systems=["S-FORM", "S-CRM"],
        retention="30 days",
        **kw,
    )


def form_tool(days, **kw):
    return system(
        system_id="S-FORM", system="Formtool", recipient_category="CRM transfer tool", retention_days=days, **kw
    )


def crm(days=None, **kw):
    return system(system_id="S-CRM", system="CRM", recipient_category="CRM system", retention_days=days, **kw)


def test_configured_retention_one_day_over_the_policy_period():
    found = only(run([inquiry()], [form_tool(31), crm(5000)]), "RET-01")
    assert list(found["subject"]) == ["A-INQ:S-FORM"]
    assert found.loc[0, "detail"] == (
        "System S-FORM (Formtool) is configured to keep data 31 days, longer than the 30 days the policy allows "
        "for activity A-INQ (P-INQUIRY: 30 days from collection date)."
    )
    assert found.loc[0, "evidence"] == "inventory.xlsx › Systems › row 2, column retention days"
    assert found.loc[0, "policy_clause"].startswith("§10 «Lagringstid: Externt verktyg")
    assert found.loc[0, "severity"] == "high"


def test_configured_retention_exactly_at_the_policy_period_is_compliant():
    assert only(run([inquiry()], [form_tool(30), crm(5000)]), "RET-01").empty


def test_part_rule_binds_only_its_recipient_category():
    # P-INQUIRY's 30 days is about the transfer tool: the CRM's 5000 days is not judged against it.
    found = run([inquiry()], [form_tool(10), crm(5000)])
    assert "A-INQ:S-CRM" not in set(found["subject"])


def test_blank_configured_retention_is_not_ret01():
    assert only(run([inquiry()], [form_tool(None), crm()]), "RET-01").empty


def bookkeeping(**kw):
    row = {
        "activity_id": "A-BK",
        "activity": "Bookkeeping",
        "purpose": "Bokföring",
        "policy_ref": "P-BOOKKEEPING",
        "systems": ["S-ERP"],
        "retention": "7 år",
    }
    row.update(kw)
    return activity(**row)


def erp(days):
    return system(system_id="S-ERP", system="ERP", recipient_category="accounting system", retention_days=days)


def test_bookkeeping_period_allows_the_year_end_slack():
    # 7 years span at most 2557 days; counting from the year end may add 365 more.
    assert only(run([bookkeeping()], [erp(2922)]), "RET-01").empty
    found = only(run([bookkeeping()], [erp(2923)]), "RET-01")
    assert list(found["subject"]) == ["A-BK:S-ERP"]
    assert "keep data 2,923 days, longer than the 2,922 days" in found.loc[0, "detail"]


# --- RET-02 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auto", "state"),
    [(False, "has no automatic deletion"), (None, "does not record whether it deletes data automatically,")],
)
def test_no_automatic_deletion(auto, state):
    found = only(run([survey()], [survey_tool(auto_delete=auto)]), "RET-02")
    assert list(found["subject"]) == ["A-SUR:S-SUR"]
    assert found.loc[0, "detail"] == (
        f"System S-SUR (Surveys) {state} although activity A-SUR "
        "has a finite retention in the policy (P-SURVEY: 1 year from collection date)."
    )
    assert found.loc[0, "evidence"] == "inventory.xlsx › Systems › row 2, column auto delete"


def test_no_ret02_without_a_finite_policy_rule():
    media = activity(activity_id="A-MED", policy_ref="P-EVENT-MEDIA", systems=["S-SUR"], retention="as long as useful")
    # P-INQUIRY has no rule for the CRM itself ("see below"): nothing finite to delete by.
    found = run([media, inquiry()], [survey_tool(auto_delete=False), form_tool(30), crm(auto_delete=False)])
    assert only(found, "RET-02").empty


# --- RET-03 --------------------------------------------------------------------------------------


def test_records_past_a_period_edge_and_one_day_over():
    records = {
        "S-SUR": [
            rec("R-EDGE", "A-SUR", collected="2025-11-01"),
            rec("R-OVER", "A-SUR", collected="2025-10-31"),
            rec("R-OLD", "A-SUR", collected="2023-05-17"),
            rec("R-NEW", "A-SUR", collected="2026-10-30"),
        ]
    }
    found = only(run([survey()], [survey_tool()], records), "RET-03")
    assert list(found["subject"]) == ["A-SUR:S-SUR"]
    assert found.loc[0, "detail"] == (
        "2 of 4 records (50.0%) of activity A-SUR in system S-SUR are past the policy's limit "
        "(1 year from collection date) on 2026-11-01; the oldest anchor date is 2023-05-17; examples: R-OLD, R-OVER."
    )
    assert found.loc[0, "evidence"] == "records/S-SUR.csv › 2 of 4 records past limit, oldest 2023-05-17"
    assert found.loc[0, "policy_clause"] == "§10 «Lagringstid: Sparas i 1 år.»"


def test_examples_are_capped_by_the_setting_oldest_first():
    records = {"S-SUR": [rec(f"R{i}", "A-SUR", collected=f"20{10 + i}-06-01") for i in range(6)]}
    found = only(run([survey()], [survey_tool()], records, example_records=2), "RET-03")
    assert found.loc[0, "detail"].endswith("oldest anchor date is 2010-06-01; examples: R0, R1.")
    assert found.loc[0, "detail"].startswith("6 of 6 records (100.0%)")


def test_no_examples_when_the_setting_is_zero():
    records = {"S-SUR": [rec("R-OLD", "A-SUR", collected="2023-05-17"), rec("R-NEW", "A-SUR", collected="2026-10-30")]}
    found = only(run([survey()], [survey_tool()], records, example_records=0), "RET-03")
    assert found.loc[0, "detail"] == (
        "1 of 2 records (50.0%) of activity A-SUR in system S-SUR are past the policy's limit "
        "(1 year from collection date) on 2026-11-01; the oldest anchor date is 2023-05-17."
    )


def event_signup(**kw):
    return activity(
        activity_id="A-EV",
        activity="Event sign-up",
        policy_ref="P-EVENT-SIGNUP",
        systems=["S-EV"],
        retention="raderas efter eventet",
        **kw,
    )


def event_tool():
    return system(system_id="S-EV", system="Events", recipient_category="IT system", retention_days=None)


@pytest.mark.parametrize(
    ("grace", "compliant", "overdue"),
    [(30, "2026-10-02", "2026-10-01"), (10, "2026-10-22", "2026-10-21"), (0, "2026-11-01", "2026-10-31")],
)
def test_event_rule_grace_period_comes_from_settings(grace, compliant, overdue):
    records = {"S-EV": [rec("E-OK", "A-EV", event_date=compliant), rec("E-LATE", "A-EV", event_date=overdue)]}
    found = run([event_signup()], [event_tool()], records, event_grace_days=grace)
    ret03 = only(found, "RET-03")
    assert list(ret03["subject"]) == ["A-EV:S-EV"]
    assert ret03.loc[0, "detail"].startswith("1 of 2 records (50.0%)")
    assert f"(deleted after event date (+{grace} days grace))" in ret03.loc[0, "detail"]
    assert ret03.loc[0, "detail"].endswith(f"oldest anchor date is {overdue}; examples: E-LATE.")


def test_bookkeeping_counts_from_the_end_of_the_calendar_year():
    # 2019-01-01 -> 2019-12-31 + 7 years = 2026-12-31: not yet; 2018-12-31 -> 2025-12-31: overdue.
    records = {
        "S-ERP": [
            rec("B-2019", "A-BK", collected="2019-01-01"),
            rec("B-2018", "A-BK", collected="2018-12-31"),
        ]
    }
    found = run([bookkeeping()], [erp(2900)], records)
    assert list(found["rule"]) == ["RET-03"]
    assert found.loc[0, "evidence"] == "records/S-ERP.csv › 1 of 2 records past limit, oldest 2018-12-31"


def test_bookkeeping_uses_fiscal_year_end_when_given():
    # A broken financial year ending 2019-06-30 runs out 2026-06-30, before the audit date;
    # a blank fiscal_year_end falls back to the calendar year of the collection date.
    records = {
        "S-ERP": [
            rec("B-FY", "A-BK", collected="2019-03-01", fiscal_year_end="2019-06-30"),
            rec("B-CAL", "A-BK", collected="2019-03-01", fiscal_year_end=None),
        ]
    }
    found = run([bookkeeping()], [erp(2900)], records)
    assert list(found["rule"]) == ["RET-03"]
    assert found.loc[0, "detail"].startswith("1 of 2 records (50.0%)")
    assert found.loc[0, "detail"].endswith("examples: B-FY.")


def crm_activity(**kw):
    return activity(
        activity_id="A-CRM",
        activity="Customer register",
        policy_ref="P-CRM",
        systems=["S-CRM"],
        retention="contract + 7 years",
        **kw,
    )


def test_contract_end_plus_seven_bookkeeping_years_counts_to_year_end():
    records = {
        "S-CRM": [
            # Plain 7 years would end 2026-02-01; to the year end it runs to 2026-12-31.
            rec("C-2019", "A-CRM", contract_end="2019-02-01", deal_declined=None),
            rec("C-2018", "A-CRM", contract_end="2018-12-31", deal_declined=None),
            # A declined deal is deleted then (+ grace): 2026-09-30 + 30 days < 2026-11-01.
            rec("C-NO", "A-CRM", contract_end=None, deal_declined="2026-09-30"),
            rec("C-NO-OK", "A-CRM", contract_end=None, deal_declined="2026-10-15"),
        ]
    }
    found = run([crm_activity()], [crm(auto_delete=True)], records)
    assert list(found["rule"]) == ["RET-03"]
    assert found.loc[0, "detail"].startswith("2 of 4 records (50.0%)")
    assert found.loc[0, "detail"].endswith("oldest anchor date is 2018-12-31; examples: C-2018, C-NO.")


def test_fiscal_year_end_of_an_earlier_year_does_not_shorten_the_contract_rule():
    records = {
        "S-CRM": [
            # The financial year that ended 2019-06-30 holds the contract end: 2026-06-30 is past.
            rec("C-FY", "A-CRM", contract_end="2019-02-01", fiscal_year_end="2019-06-30", deal_declined=None),
            # A financial year ending before the contract did is an earlier one: the calendar year end counts.
            rec("C-EARLY", "A-CRM", contract_end="2019-02-01", fiscal_year_end="2018-12-31", deal_declined=None),
        ]
    }
    found = run([crm_activity()], [crm(auto_delete=True)], records)
    assert list(found["rule"]) == ["RET-03"]
    assert found.loc[0, "detail"].startswith("1 of 2 records (50.0%)")
    assert found.loc[0, "detail"].endswith("examples: C-FY.")


def test_far_future_anchor_date_is_not_overdue_and_does_not_overflow():
    records = {"S-SUR": [rec("R-TYPO", "A-SUR", collected="2261-12-31"), rec("R-OLD", "A-SUR", collected="2020-01-01")]}
    found = run([survey()], [survey_tool()], records)
    assert list(found["rule"]) == ["RET-03"]
    assert found.loc[0, "evidence"] == "records/S-SUR.csv › 1 of 2 records past limit, oldest 2020-01-01"


def test_blank_ongoing_anchor_is_neither_overdue_nor_unjudgeable():
    records = {
        "S-CRM": [
            rec("C-OPEN", "A-CRM", contract_end=None, deal_declined=None),
            rec("C-OPEN2", "A-CRM", contract_end=None, deal_declined=None),
        ]
    }
    assert run([crm_activity()], [crm(auto_delete=True)], records).empty
    table = retention_table(ctx_for([crm_activity()], [crm(auto_delete=True)], records))
    row = table.set_index(["activity_id", "system_id"]).loc[("A-CRM", "S-CRM")]
    assert (row["records_total"], row["records_past_limit"], row["records_missing_anchor"]) == (2, 0, 0)


def test_training_not_completed_is_not_overdue():
    training = activity(
        activity_id="A-TR", policy_ref="P-TRAINING", systems=["S-LMS"], retention="raderas efter utbildningen"
    )
    lms = system(system_id="S-LMS", system="LMS", recipient_category="LMS")
    records = {
        "S-LMS": [
            rec("T-1", "A-TR", training_completed=None),
            rec("T-2", "A-TR", training_completed="2025-01-10"),
        ]
    }
    found = run([training], [lms], records)
    assert list(found["rule"]) == ["RET-03"]
    assert found.loc[0, "detail"].startswith("1 of 2 records (50.0%)")


def test_records_outside_the_register_or_policy_are_not_judged():
    unreferenced = activity(activity_id="A-NOREF", policy_ref=None, systems=["S-SUR"], retention="1 år")
    media = activity(activity_id="A-MED", policy_ref="P-EVENT-MEDIA", systems=["S-SUR"], retention="as needed")
    records = {
        "S-SUR": [
            rec("X-1", "A-UNKNOWN", collected="2001-01-01"),
            rec("X-2", "A-NOREF", collected="2001-01-01"),
            rec("X-3", "A-MED", collected=None),
        ]
    }
    assert run([unreferenced, media], [survey_tool()], records).empty
    table = retention_table(ctx_for([unreferenced, media], [survey_tool()], records))
    assert sorted(table["activity_id"]) == ["A-MED", "A-NOREF"]
    assert table["records_total"].tolist() == [1, 1]
    assert table["records_past_limit"].isna().all()


# --- RET-05 --------------------------------------------------------------------------------------


def test_blank_anchor_that_must_exist_is_ret05():
    records = {
        "S-SUR": [
            rec("R-1", "A-SUR", collected=None),
            rec("R-2", "A-SUR", collected="2026-01-01"),
            rec("R-3", "A-SUR", collected="2026-02-01"),
            rec("R-4", "A-SUR", collected="2026-03-01"),
        ]
    }
    found = run([survey()], [survey_tool()], records)
    assert list(found["rule"]) == ["RET-05"]
    assert found.loc[0, "subject"] == "A-SUR:S-SUR"
    assert found.loc[0, "detail"] == (
        "The retention of 1 of 4 records (25.0%) of activity A-SUR in system S-SUR cannot be judged: "
        "the date their retention counts from (collection date) is blank."
    )
    assert found.loc[0, "evidence"] == "records/S-SUR.csv › 1 of 4 records without a usable anchor date"


def test_missing_anchor_column_makes_every_record_ret05():
    records = {"S-EV": [rec("E-1", "A-EV", collected="2026-01-01"), rec("E-2", "A-EV", collected="2026-01-02")]}
    found = run([event_signup()], [event_tool()], records)
    assert list(found["rule"]) == ["RET-05"]
    assert found.loc[0, "detail"] == (
        "The retention of 2 of 2 records (100.0%) of activity A-EV in system S-EV cannot be judged: the extract has "
        "no event date column, which the policy's rule (deleted after event date (+30 days grace)) counts from."
    )


def test_every_anchor_date_present_is_not_ret05():
    records = {"S-SUR": [rec("R-1", "A-SUR", collected="2026-01-01"), rec("R-2", "A-SUR", collected="2026-02-01")]}
    assert only(run([survey()], [survey_tool()], records), "RET-05").empty


def test_several_blank_anchors_are_named_together():
    # A policy whose survey data is kept a year from collection, or deleted after the event.
    ctx = ctx_for(
        [survey()],
        [survey_tool()],
        {
            "S-SUR": [
                rec("R-1", "A-SUR", collected=None, event_date=None),
                rec("R-2", "A-SUR", collected="2026-10-01", event_date=None),
            ]
        },
    )
    retention = ctx.policy.retention
    event = retention[retention["policy_id"] == "P-EVENT-SIGNUP"].assign(policy_id="P-SURVEY")
    ctx = replace(ctx, policy=replace(ctx.policy, retention=pd.concat([retention, event], ignore_index=True)))
    found = only(run_family(ctx, "RET"), "RET-05")
    assert found.loc[0, "detail"] == (
        "The retention of 1 of 2 records (50.0%) of activity A-SUR in system S-SUR cannot be judged: "
        "every date their retention may count from (collection date, event date) is blank."
    )


# --- RET-04 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy_ref", "text", "purpose"),
    [
        ("P-INQUIRY", "30 days", "Answer inquiries"),
        ("P-INQUIRY", "Raderas efter 14 dagar", "Answer inquiries"),
        ("P-SURVEY", "12 months", "Surveys"),
        ("P-EVENT-SIGNUP", "raderas efter eventet", "Events"),
        ("P-CRM", "contract + 7 years", "Customers"),
        ("P-BOOKKEEPING", "7 år", "Bokföring"),
        ("P-NEWSLETTER", "until unsubscribed", "Marketing"),
        ("P-EVENT-MEDIA", "forever", "Photos"),  # vague policy rule: not compared
    ],
)
def test_register_retention_matching_the_policy(policy_ref, text, purpose):
    act = activity(activity_id="A-1", policy_ref=policy_ref, retention=text, purpose=purpose)
    assert only(run([act], [system()]), "RET-04").empty


@pytest.mark.parametrize(
    ("policy_ref", "text", "reason"),
    [
        ("P-INQUIRY", "60 days", "the register keeps data longer (60 days)"),
        ("P-CRM", "10 years after contract end", "the register keeps data longer (10 years)"),
        ("P-EVENT-SIGNUP", "1 year", "the register's rule is of another kind or counts from another date"),
        ("P-SURVEY", "as long as needed", "the register's rule is of another kind or counts from another date"),
        (
            "P-SURVEY",
            "see deletion routine",
            "the register's text cannot be read as a retention period or event, while the policy's rule is measurable",
        ),
    ],
)
def test_register_retention_differing_from_the_policy(policy_ref, text, reason):
    acts = [
        activity(activity_id="A-OK", policy_ref="P-SURVEY", retention="1 år", purpose="Surveys"),
        activity(activity_id="A-GAP", policy_ref=policy_ref, retention=text, purpose="Work"),
    ]
    found = only(run(acts, [system()]), "RET-04")
    assert list(found["subject"]) == ["A-GAP"]
    assert found.loc[0, "detail"].startswith(f"Activity A-GAP: the register's retention «{text}»")
    assert found.loc[0, "detail"].endswith(f": {reason}.")
    assert found.loc[0, "evidence"] == "activities.xlsx › Activities › row 3, column retention"
    assert found.loc[0, "activity_id"] == "A-GAP"


def test_register_retention_detail_names_both_readings():
    acts = [activity(activity_id="A-GAP", policy_ref="P-INQUIRY", retention="60 days", purpose="Work")]
    found = only(run(acts, [system()]), "RET-04")
    assert found.loc[0, "detail"] == (
        "Activity A-GAP: the register's retention «60 days» (read as: 60 days from collection date) differs from "
        "the policy's for P-INQUIRY (30 days from collection date): the register keeps data longer (60 days)."
    )
    assert found.loc[0, "policy_clause"].startswith("§10 «Lagringstid: Externt verktyg")


def test_unreadable_register_retention_is_not_read_as_anything():
    acts = [activity(activity_id="A-GAP", policy_ref="P-SURVEY", retention="see deletion routine", purpose="Work")]
    found = only(run(acts, [system()]), "RET-04")
    assert "(read as:" not in found.loc[0, "detail"]
    assert found.loc[0, "detail"].startswith("Activity A-GAP: the register's retention «see deletion routine» differs")


# --- the catalogue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", rule_ids("RET"))
def test_facts_cover_the_catalogue_templates(rule_id):
    # Every field a RET template names is a fact column, also when the rule finds nothing.
    context = {"as_of", "policy_version", "settings"}
    ctx = ctx_for([survey(), inquiry()], [survey_tool(auto_delete=False), form_tool(31), crm()])
    facts = rule_facts(ctx, rule_id)
    assert catalogue().rules[rule_id].fields() - context <= set(facts.columns)


# --- the Retention table -------------------------------------------------------------------------


def test_retention_table_row():
    records = {
        "S-SUR": [
            rec("R-1", "A-SUR", collected="2024-01-01"),
            rec("R-2", "A-SUR", collected="2026-01-01"),
            rec("R-3", "A-SUR", collected=None),
        ]
    }
    table = retention_table(ctx_for([survey(), inquiry()], [survey_tool(), form_tool(20), crm()], records))
    assert list(table.columns) == TABLE_COLUMNS
    assert list(zip(table["activity_id"], table["system_id"], strict=True)) == [
        ("A-INQ", "S-CRM"),
        ("A-INQ", "S-FORM"),
        ("A-SUR", "S-SUR"),
    ]
    row = table.iloc[2].to_dict()
    assert row["policy_rule"] == "1 year from collection date"
    assert row["policy_limit_days"] == 366
    assert row["configured_retention_days"] == 365
    assert bool(row["auto_delete"]) is True
    assert (row["records_total"], row["records_past_limit"], row["records_missing_anchor"]) == (3, 1, 1)
    assert row["share_past_limit"] == pytest.approx(33.3)
    assert row["oldest_anchor"] == pd.Timestamp("2024-01-01")
    assert row["example_record_ids"] == "R-1"
    crm_row = table.iloc[0]
    assert crm_row["policy_rule"] is None and pd.isna(crm_row["policy_limit_days"])


def test_activity_without_systems_keeps_a_row():
    table = retention_table(ctx_for([survey(systems=[])], [survey_tool()]))
    assert table["activity_id"].tolist() == ["A-SUR"]
    assert table["system_id"].isna().all()
    assert table["records_total"].tolist() == [0]


# --- scale ---------------------------------------------------------------------------------------


def test_200k_records_vectorised():
    n = 200_000
    as_of = date(2026, 11, 1)
    start = date(2024, 1, 1)
    offsets = np.arange(n) % 1000
    days = pd.Timestamp(start) + pd.to_timedelta(offsets, unit="D")
    collected = pd.Series(days).where(np.arange(n) % 97 != 0)  # every 97th collection date blank
    extract = pd.DataFrame(
        {
            "record_id": [f"R{i}" for i in range(n)],
            "subject_ref": "DS",
            "activity_id": np.where(np.arange(n) % 10 == 0, "A-OTHER", "A-SUR"),
            "collected": collected,
            "src_file": "records/S-SUR.csv",
            "src_sheet": "S-SUR",
            "src_row": np.arange(2, n + 2),
        }
    )

    # Expected by construction, with plain datetime arithmetic on each of the 1000 distinct dates.
    def overdue(k: int) -> bool:
        d = date.fromordinal(start.toordinal() + k)
        try:
            deadline = d.replace(year=d.year + 1)
        except ValueError:  # 29 February -> 28 February
            deadline = d.replace(year=d.year + 1, day=28)
        return deadline < as_of

    late_offsets = np.array([overdue(k) for k in range(1000)])
    mine = np.arange(n) % 10 != 0
    blank = np.arange(n) % 97 == 0
    late = mine & ~blank & late_offsets[offsets]
    expected_past = int(late.sum())
    expected_missing = int((mine & blank).sum())
    oldest = date.fromordinal(start.toordinal() + int(offsets[late].min())).isoformat()

    inputs = replace(make_inputs(activities=[survey()], systems=[survey_tool()]), records={"S-SUR": extract})
    ctx = make_ctx(inputs, as_of=as_of.isoformat())
    t0 = time.perf_counter()
    found = run_family(ctx, "RET")
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0
    total = int(mine.sum())
    past = found[found["rule"] == "RET-03"]["evidence"].tolist()
    assert past == [f"records/S-SUR.csv › {expected_past} of {total} records past limit, oldest {oldest}"]
    missing = found[found["rule"] == "RET-05"]["evidence"].tolist()
    assert missing == [f"records/S-SUR.csv › {expected_missing} of {total} records without a usable anchor date"]
