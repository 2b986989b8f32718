"""DSR-01..05 on tiny request logs."""

import pytest

from audit.rules.requests import check_requests, request_timeline
from tests.factories import activity, make_ctx, make_inputs, request


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
    found = check_requests(ctx_for([request(received=received, completed=completed, identity_verified=received)]))
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
    found = check_requests(ctx_for([ok, late, notified_too_late]))
    assert sorted(found["subject"]) == ["R-2", "R-3"]
    timeline = request_timeline(ctx_for([ok, late, notified_too_late])).set_index("request_id")
    assert str(timeline.loc["R-1", "deadline"].date()) == "2026-04-10"
    assert str(timeline.loc["R-3", "deadline"].date()) == "2026-02-10"
    assert timeline.loc["R-3", "days_late"] == 19


def test_open_request_past_deadline_on_as_of_date():
    overdue = request(request_id="R-OLD", received="2026-09-15", completed=None, outcome=None)
    fresh = request(request_id="R-NEW", received="2026-10-15", completed=None, outcome=None)
    found = check_requests(ctx_for([overdue, fresh]))
    assert list(found["subject"]) == ["R-OLD"]
    assert list(found["rule"]) == ["DSR-02"]
    assert "17 days after its deadline 2026-10-15" in found.loc[0, "detail"]
    # The same log a month earlier has nothing overdue.
    assert check_requests(ctx_for([overdue, fresh], as_of="2026-10-15")).empty


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
    found = check_requests(ctx_for([erased, refused], records=records))
    assert list(found["rule"]) == ["DSR-03"]
    assert list(found["subject"]) == ["R-E"]
    assert "1 record(s) remain in: S-CRM (1)" in found.loc[0, "detail"]
    assert check_requests(ctx_for([erased], records={"S-CRM": records["S-CRM"][2:]})).empty


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
    found = check_requests(ctx_for([objection], records=records, activities=acts))
    assert list(found["rule"]) == ["DSR-04"]
    assert list(found["subject"]) == ["R-O"]
    assert "still on the list" in found.loc[0, "detail"]
    records["S-NEWS"][0]["unsubscribed"] = "2026-05-02"
    assert check_requests(ctx_for([objection], records=records, activities=acts)).empty
    records["S-NEWS"][0]["last_contact"] = "2026-06-01"
    records["S-NEWS"][1]["last_contact"] = "2026-06-01"
    found = check_requests(ctx_for([objection], records=records, activities=acts))
    assert "was sent marketing after the objection" in found.loc[0, "detail"]


def test_access_without_identity_check():
    found = check_requests(
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


def test_no_request_log_no_findings():
    assert check_requests(make_ctx(make_inputs())).empty
