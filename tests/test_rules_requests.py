"""DSR-01..05 on tiny request logs."""

import pytest

from audit.reference.catalogue import catalogue
from audit.rules.registry import rule_facts, rule_ids, run_family
from audit.rules.requests import request_timeline
from tests.factories import activity, make_ctx, make_inputs, request


def run_dsr(ctx):
    return run_family(ctx, "DSR")


def ctx_for(requests, records=None, activities=None, as_of="2026-11-01"):
    return make_ctx(make_inputs(requests=requests, records=records, activities=activities), as_of=as_of)


@pytest.mark.parametrize(
    ("received", "completed", "late_days"),
    [
        ("2025-01-31", "2025-02-28", 0),  # month-end clamp: due 28 February
        ("2025-01-31", "2025-03-01", 1),
        ("2024-01-31", "2024-02-29", 0),  # leap year
        ("2024-01-31", "2024-03-01", 1),
        ("2026-03-15", "2026-04-15", 0),
        ("2026-03-15", "2026-04-16", 1),
    ],
)
def test_one_calendar_month(received, completed, late_days):
    found = run_dsr(ctx_for([request(received=received, completed=completed, identity_verified=received)]))
    if late_days:
        assert list(found["rule"]) == ["DSR-01"]
        assert f"{late_days} days after its deadline" in found.loc[0, "detail"]
    else:
        assert found.empty


def test_notified_extension_gives_three_months_in_total():
    ok = request(request_id="R-1", received="2026-01-10", extended=True, extension_notified="2026-02-01")
    ok["completed"] = "2026-04-10"
    late = dict(ok, request_id="R-2", completed="2026-04-11")
    notified_too_late = dict(ok, request_id="R-3", extension_notified="2026-02-11", completed="2026-03-01")
    found = run_dsr(ctx_for([ok, late, notified_too_late]))
    assert sorted(found["subject"]) == ["R-2", "R-3"]
    timeline = request_timeline(ctx_for([ok, late, notified_too_late])).set_index("request_id")
    assert str(timeline.loc["R-1", "deadline"].date()) == "2026-04-10"
    assert str(timeline.loc["R-3", "deadline"].date()) == "2026-02-10"
    assert timeline.loc["R-3", "days_late"] == 19


def test_late_answer_in_full():
    extended = request(
        request_id="R-X", right="erasure", received="2026-04-14", extended=True, extension_notified="2026-04-20"
    )
    extended["completed"] = "2026-07-20"
    unknown = request(request_id="R-U", right=None, received="2026-03-02", completed="2026-04-15")
    found = run_dsr(ctx_for([extended, unknown]))
    details = dict(zip(found["subject"], found["detail"], strict=True))
    assert details == {
        "R-U": "Request R-U (unknown right) received 2026-03-02 was answered 2026-04-15, "
        "13 days after its deadline 2026-04-02.",
        "R-X": "Request R-X (erasure) received 2026-04-14 was answered 2026-07-20, "
        "6 days after its deadline 2026-07-14 (extended).",
    }
    assert found.loc[0, "evidence"].startswith("requests.xlsx › Requests › row ")
    assert found.loc[0, "policy_clause"] == "§8 «Vi kommer att svara på din begäran inom en månad.»"


def test_open_request_past_deadline_on_as_of_date():
    overdue = request(request_id="R-OLD", received="2026-09-15", completed=None, outcome=None)
    fresh = request(request_id="R-NEW", received="2026-10-15", completed=None, outcome=None)
    found = run_dsr(ctx_for([overdue, fresh]))
    assert list(found["subject"]) == ["R-OLD"]
    assert list(found["rule"]) == ["DSR-02"]
    assert found.loc[0, "detail"] == (
        "Request R-OLD (access) received 2026-09-15 was still open 17 days after its deadline 2026-10-15 on 2026-11-01."
    )
    # The same log a month earlier has nothing overdue.
    assert run_dsr(ctx_for([overdue, fresh], as_of="2026-10-15")).empty


def test_erased_person_still_in_extract():
    erased = request(request_id="R-E", subject_ref="DS-9", right="erasure", identity_verified=None)
    refused = request(request_id="R-F", subject_ref="DS-8", right="erasure", outcome="refused")
    records = {
        "S-CRM": [
            {"record_id": "C1", "subject_ref": "DS-9", "activity_id": "A-1"},
            {"record_id": "C2", "subject_ref": "DS-8", "activity_id": "A-1"},
            {"record_id": "C3", "subject_ref": "DS-7", "activity_id": "A-1"},
        ]
    }
    found = run_dsr(ctx_for([erased, refused], records=records))
    assert list(found["rule"]) == ["DSR-03"]
    assert list(found["subject"]) == ["R-E"]
    assert "1 record(s) remain in: S-CRM (1)" in found.loc[0, "detail"]
    assert found.loc[0, "detail"] == (
        "Erasure request R-E for DS-9 was completed 2026-01-20, yet 1 record(s) remain in: S-CRM (1)."
    )
    assert found.loc[0, "evidence"] == "requests.xlsx › Requests › row 2; record extracts S-CRM (1)"
    assert run_dsr(ctx_for([erased], records={"S-CRM": records["S-CRM"][2:]})).empty


def test_objection_but_still_on_newsletter_list():
    acts = [activity(activity_id="A-NEWS", policy_ref="P-NEWSLETTER")]
    objection = request(request_id="R-O", subject_ref="DS-5", right="objection", received="2026-05-01")
    objection["completed"] = "2026-05-03"
    records = {
        "S-NEWS": [
            {"record_id": "N1", "subject_ref": "DS-5", "activity_id": "A-NEWS", "unsubscribed": None},
            {"record_id": "N2", "subject_ref": "DS-6", "activity_id": "A-NEWS", "unsubscribed": None},
        ]
    }
    found = run_dsr(ctx_for([objection], records=records, activities=acts))
    assert list(found["rule"]) == ["DSR-04"]
    assert list(found["subject"]) == ["R-O"]
    assert "still on the list" in found.loc[0, "detail"]
    records["S-NEWS"][0]["unsubscribed"] = "2026-05-02"
    assert run_dsr(ctx_for([objection], records=records, activities=acts)).empty
    records["S-NEWS"][0]["last_contact"] = "2026-06-01"
    records["S-NEWS"][1]["last_contact"] = "2026-06-01"
    found = run_dsr(ctx_for([objection], records=records, activities=acts))
    assert "was sent marketing after the objection" in found.loc[0, "detail"]
    assert found.loc[0, "detail"] == (
        "Objection R-O by DS-5 received 2026-05-01: the person was sent marketing after the objection in S-NEWS."
    )
    records["S-NEWS"][0]["unsubscribed"] = None
    found = run_dsr(ctx_for([objection], records=records, activities=acts))
    assert found.loc[0, "detail"] == (
        "Objection R-O by DS-5 received 2026-05-01: the person is still on the list without unsubscription "
        "and was sent marketing after the objection in S-NEWS."
    )
    assert found.loc[0, "system_id"] == "S-NEWS"
    assert found.loc[0, "evidence"] == "requests.xlsx › Requests › row 2; record extract S-NEWS"


def test_access_without_identity_check():
    found = run_dsr(
        ctx_for(
            [
                request(request_id="R-A", identity_verified=None),
                request(request_id="R-P", right="portability", identity_verified="2026-01-25"),
                request(request_id="R-OK"),
                request(request_id="R-REF", identity_verified=None, outcome="refused"),
                request(request_id="R-RECT", right="rectification", identity_verified=None),
            ]
        )
    )
    assert list(found["rule"]) == ["DSR-05", "DSR-05"]
    assert sorted(found["subject"]) == ["R-A", "R-P"]
    details = dict(zip(found["subject"], found["detail"], strict=True))
    assert details["R-A"] == "Access request R-A was completed 2026-01-20 with no identity check recorded."
    assert "before the identity was verified (2026-01-25)" in details["R-P"]
    assert (
        details["R-P"]
        == "Portability request R-P was completed 2026-01-20 before the identity was verified (2026-01-25)."
    )
    assert set(found["evidence"]) == {
        "requests.xlsx › Requests › row 2, column identity verified",
        "requests.xlsx › Requests › row 3, column identity verified",
    }


def test_no_request_log_no_findings():
    assert run_dsr(make_ctx(make_inputs())).empty


def test_objection_of_someone_not_on_a_marketing_list_is_no_finding():
    acts = [
        activity(activity_id="A-NEWS", policy_ref="P-NEWSLETTER"),
        activity(activity_id="A-CRM", policy_ref="P-CRM"),
    ]
    objection = request(request_id="R-O", subject_ref="DS-5", right="objection", received="2026-05-01")
    records = {"S-CRM": [{"record_id": "C1", "subject_ref": "DS-5", "activity_id": "A-CRM"}]}
    assert run_dsr(ctx_for([objection], records=records, activities=acts)).empty


@pytest.mark.parametrize("rule_id", rule_ids("DSR"))
def test_facts_cover_the_catalogue_templates(rule_id):
    # Every field a DSR template names is a fact column, also when the rule finds nothing.
    context = {"as_of", "policy_version", "settings"}
    for ctx in (ctx_for([request()]), make_ctx(make_inputs())):
        facts = rule_facts(ctx, rule_id)
        assert catalogue().rules[rule_id].fields() - context <= set(facts.columns)
