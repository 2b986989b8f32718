"""Retention anchored on events (issue 10, "Retention misread").

Each event phrase of ``data/reference/durations.yaml`` is planted in Swedish
and English and read back as a rule (kind, period, anchor); end to end, on
the real policy or a variant of its text, the RET finding or its absence is
asserted next to a neighbour on the other side of the limit.

Audit date 2026-11-01, grace 30 days (settings.yaml) unless a test says otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from audit.inputs import load_inputs
from audit.paths import POLICY_DIR
from audit.policy.model import DEFAULT_POLICY_FILE, PolicyModel, parse_policy
from audit.reference.durations import parse_retention
from audit.reference.settings import load_settings
from audit.rules.registry import run_family
from audit.rules.retention_facts import judged_pairs, retention_table
from tests.factories import activity, make_ctx, make_inputs, system

POLICY_TEXT = POLICY_DIR / "integritetspolicy.txt"


def _shape(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(r["kind"], r.get("period"), r.get("anchor")) for r in parse_retention(text)]


# --- every event phrase, Swedish and English -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # until unsubscription or withdrawal of consent
        ("Until unsubscription", ("until", None, "unsubscribed")),
        ("Kept until the person unsubscribes.", ("until", None, "unsubscribed")),
        ("until withdrawal of consent", ("until", None, "unsubscribed")),
        ("Stored until consent is withdrawn.", ("until", None, "unsubscribed")),
        ("Sparas tills avregistrering.", ("until", None, "unsubscribed")),
        ("Sparas tills samtycket återkallas.", ("until", None, "unsubscribed")),
        ("Sparas tills du återkallar ditt samtycke.", ("until", None, "unsubscribed")),
        # after course completion
        ("12 månader efter avslutad kurs", ("period", "P12M", "training_completed")),
        ("Raderas efter avslutad kurs.", ("until", None, "training_completed")),
        ("raderas efter genomförd utbildning", ("until", None, "training_completed")),
        ("Deleted 12 months after course completion.", ("period", "P12M", "training_completed")),
        ("Deleted when the course is completed.", ("until", None, "training_completed")),
        # after last login
        ("Raderas 2 år efter senaste inloggning.", ("period", "P2Y", "last_login")),
        ("Deleted two years after the last login.", ("period", "P2Y", "last_login")),
        ("Raderas efter sista inloggningen.", ("until", None, "last_login")),
        # after the end of the contract
        ("Sparas i 7 år efter avtalets slut.", ("period", "P7Y", "contract_end")),
        ("Raderas 6 månader efter avslutat avtal.", ("period", "P6M", "contract_end")),
        ("Kept for 7 years after the end of the contract.", ("period", "P7Y", "contract_end")),
        ("Deleted 90 days after contract termination.", ("period", "P90D", "contract_end")),
        ("Sparas tills avtalet upphör.", ("until", None, "contract_end")),
        ("Kept until the contract ends.", ("until", None, "contract_end")),
        # after the last journal entry
        ("Sparas i 10 år efter senaste journalanteckning.", ("period", "P10Y", "last_journal_entry")),
        ("Sparas i tio år efter det att den sista uppgiften fördes in.", ("period", "P10Y", "last_journal_entry")),
        ("Kept ten years after the last journal entry.", ("period", "P10Y", "last_journal_entry")),
        ("Kept 10 years after the last entry in the patient record.", ("period", "P10Y", "last_journal_entry")),
    ],
)
def test_event_phrase_sets_kind_period_and_anchor(text: str, expected: tuple) -> None:
    assert _shape(text) == [expected]


def test_a_period_without_an_event_still_counts_from_collection() -> None:
    assert _shape("12 månader") == [("period", "P12M", "collected")]
    assert _shape("Deleted after 12 months.") == [("period", "P12M", "collected")]


# --- contexts --------------------------------------------------------------------------------------


def _variant(tmp_path: Path, old: str, new: str) -> PolicyModel:
    """The bundled policy with one retention bullet rewritten, parsed from text as a DPO's own policy is."""
    text = POLICY_TEXT.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in the policy text"
    path = tmp_path / "policy.txt"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return parse_policy(path, DEFAULT_POLICY_FILE)


def ctx_for(activities, systems, records=None, policy=None, **settings):
    custom = replace(load_settings(), **settings) if settings else None
    ctx = make_ctx(make_inputs(activities=activities, systems=systems, records=records), settings=custom)
    return ctx if policy is None else replace(ctx, policy=policy)


def ret(ctx, rule: str) -> pd.DataFrame:
    found = run_family(ctx, "RET")
    return found[found["rule"] == rule].reset_index(drop=True)


def training(**kw) -> dict:
    row = {
        "activity_id": "A-TR",
        "activity": "Training",
        "purpose": "Utbildning",
        "policy_ref": "P-TRAINING",
        "systems": ["S-LMS"],
        "retention": "Raderas efter genomförd utbildning",
    }
    row.update(kw)
    return activity(**row)


def lms(days: float | None, **kw) -> dict:
    return system(system_id="S-LMS", system="LMS", recipient_category="LMS", retention_days=days, **kw)


def rec(record_id: str, activity_id: str, **dates) -> dict:
    return {"record_id": record_id, "subject_ref": f"DS-{record_id}", "activity_id": activity_id, **dates}


# --- RET-01 against an event rule ("raderas efter genomförd utbildning" + grace) --------------------


def test_configured_365_days_against_deletion_after_course_completion_is_ret01() -> None:
    found = ret(ctx_for([training()], [lms(365)]), "RET-01")
    assert list(found["subject"]) == ["A-TR:S-LMS"]
    assert found.loc[0, "detail"] == (
        "System S-LMS (LMS) is configured to keep data 365 days, longer than the 30 days the policy allows for "
        "activity A-TR counted from training completed (P-TRAINING: deleted after training completed (+30 days "
        "grace)): data recorded on that date stays past the policy's limit whatever date the system counts from."
    )
    assert found.loc[0, "evidence"] == "inventory.xlsx › Systems › row 2, column retention days"
    assert found.loc[0, "policy_clause"] == "§10 «Lagringstid: Raderas efter genomförd utbildning.»"


@pytest.mark.parametrize(("days", "gap"), [(30, False), (31, True), (None, False)])
def test_event_rule_limit_is_the_grace_period(days: float | None, gap: bool) -> None:
    assert (not ret(ctx_for([training()], [lms(days)]), "RET-01").empty) is gap


def test_event_rule_grace_comes_from_the_settings() -> None:
    assert ret(ctx_for([training()], [lms(365)], event_grace_days=365), "RET-01").empty
    found = ret(ctx_for([training()], [lms(365)], event_grace_days=364), "RET-01")
    assert (
        "longer than the 364 days the policy allows for activity A-TR counted from training completed"
        in (found.loc[0, "detail"])
    )


def test_retention_table_shows_the_event_limit() -> None:
    table = retention_table(ctx_for([training()], [lms(365)]))
    row = table.set_index(["activity_id", "system_id"]).loc[("A-TR", "S-LMS")]
    assert row["policy_limit_days"] == 30
    assert judged_pairs(ctx_for([training()], [lms(365)]))["limit_anchor"].tolist() == ["training_completed"]


# --- RET-01 against a period counted from an event -------------------------------------------------


def crm_activity() -> dict:
    return activity(
        activity_id="A-CRM", policy_ref="P-CRM", systems=["S-CRM"], retention="contract + 7 years", purpose="Kunder"
    )


def crm(days: float | None) -> dict:
    return system(system_id="S-CRM", system="CRM", recipient_category="CRM system", retention_days=days)


def test_period_after_contract_end_names_the_event_in_ret01() -> None:
    # 7 years to the end of the financial year: at most 2557 + 365 days after the contract ended.
    assert ret(ctx_for([crm_activity()], [crm(2922)]), "RET-01").empty
    found = ret(ctx_for([crm_activity()], [crm(2923)]), "RET-01")
    assert found.loc[0, "detail"].startswith(
        "System S-CRM (CRM) is configured to keep data 2,923 days, longer than the 2,922 days the policy allows for "
        "activity A-CRM counted from contract end (P-CRM: 7 years from contract end, counted from the end of the "
        "financial year; deleted after deal declined (+30 days grace)): data recorded on that date"
    )


def test_period_from_collection_keeps_the_plain_wording() -> None:
    survey = activity(activity_id="A-SUR", policy_ref="P-SURVEY", systems=["S-SUR"], retention="1 år")
    tool = system(system_id="S-SUR", system="Surveys", recipient_category="survey tool", retention_days=400)
    found = ret(ctx_for([survey], [tool]), "RET-01")
    assert found.loc[0, "detail"] == (
        "System S-SUR (Surveys) is configured to keep data 400 days, longer than the 366 days the policy allows "
        "for activity A-SUR (P-SURVEY: 1 year from collection date)."
    )


def test_bookkeeping_limit_counts_from_collection_not_from_an_event() -> None:
    bk = activity(
        activity_id="A-BK", policy_ref="P-BOOKKEEPING", systems=["S-ERP"], retention="7 år", purpose="Bokföring"
    )
    erp = system(system_id="S-ERP", system="ERP", recipient_category="accounting system", retention_days=2923)
    found = ret(ctx_for([bk], [erp]), "RET-01")
    assert found.loc[0, "detail"].endswith("(P-BOOKKEEPING: 7 years from end of the financial year).")


def test_an_unbounded_alternative_leaves_nothing_to_compare() -> None:
    # P-NEWSLETTER: deleted after unsubscription, else "så länge som det är nödvändigt": no longest limit.
    news = activity(activity_id="A-NEWS", systems=["S-NEWS"])
    tool = system(system_id="S-NEWS", system="Mailer", recipient_category="newsletter service", retention_days=365)
    ctx = ctx_for([news], [tool])
    assert ret(ctx, "RET-01").empty
    assert pd.isna(retention_table(ctx).loc[0, "policy_limit_days"])


# --- "12 månader efter avslutad kurs": counted from course completion --------------------------------


@pytest.fixture
def course_policy(tmp_path: Path) -> PolicyModel:
    return _variant(tmp_path, "Raderas efter genomförd utbildning.", "Raderas 12 månader efter avslutad kurs.")


def test_policy_text_with_months_after_course_completion_is_read_from_the_event(course_policy: PolicyModel) -> None:
    rules = course_policy.retention.set_index("policy_id").loc[["P-TRAINING"]]
    assert rules[["kind", "period", "anchor"]].values.tolist() == [["period", "P12M", "training_completed"]]


def test_records_count_from_course_completion_not_collection(course_policy: PolicyModel) -> None:
    records = {
        "S-LMS": [
            # Collected long ago, completed this spring: 2026-03-01 + 12 months is after the audit date.
            rec("T-RECENT", "A-TR", collected="2020-01-01", training_completed="2026-03-01"),
            # Completed 2025-10-31: its 12 months ran out on 2026-10-31, the day before the audit.
            rec("T-LATE", "A-TR", collected="2025-09-01", training_completed="2025-10-31"),
            # Completed exactly 12 months before the audit date: still within the limit.
            rec("T-EDGE", "A-TR", collected="2025-09-01", training_completed="2025-11-01"),
            # Not completed yet: neither overdue nor unjudgeable.
            rec("T-OPEN", "A-TR", collected="2019-01-01", training_completed=None),
        ]
    }
    ctx = ctx_for([training(retention="12 månader efter avslutad kurs")], [lms(None)], records, course_policy)
    found = run_family(ctx, "RET")
    assert list(found["rule"]) == ["RET-03"]
    assert found.loc[0, "detail"] == (
        "1 of 4 records (25.0%) of activity A-TR in system S-LMS are past the policy's limit "
        "(12 months from training completed) on 2026-11-01; the oldest anchor date is 2025-10-31; examples: T-LATE."
    )


def test_register_text_matching_the_event_period_is_not_ret04(course_policy: PolicyModel) -> None:
    acts = [
        training(activity_id="A-OK", retention="12 months after course completion"),
        training(activity_id="A-GAP", retention="12 months"),
    ]
    found = ret(ctx_for(acts, [lms(None)], policy=course_policy), "RET-04")
    assert list(found["subject"]) == ["A-GAP"]
    assert found.loc[0, "detail"].endswith(
        "(read as: 12 months from collection date) differs from the policy's for P-TRAINING "
        "(12 months from training completed): the register's rule is of another kind or counts from another date."
    )


def test_ret01_against_months_after_course_completion(course_policy: PolicyModel) -> None:
    assert ret(ctx_for([training()], [lms(365)], policy=course_policy), "RET-01").empty
    found = ret(ctx_for([training()], [lms(367)], policy=course_policy), "RET-01")
    assert (
        "longer than the 366 days the policy allows for activity A-TR counted from training completed"
        in (found.loc[0, "detail"])
    )


# --- "Until unsubscription" is not unreadable --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Until unsubscription",
        "until the person unsubscribes",
        "until withdrawal of consent",
        "Tills avregistrering",
        "Tills samtycket återkallas",
    ],
)
def test_register_until_unsubscription_matches_the_newsletter_rule(text: str) -> None:
    acts = [
        activity(activity_id="A-OK", retention=text),
        activity(activity_id="A-GAP", retention="see deletion routine"),
    ]
    found = ret(ctx_for(acts, [system()]), "RET-04")
    assert list(found["subject"]) == ["A-GAP"]


# --- the new anchors: last login and last journal entry ----------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "column"),
    [
        ("Raderas 1 år efter senaste inloggning.", "last_login"),
        ("Deleted one year after the last login.", "last_login"),
        ("Sparas i 1 år efter senaste journalanteckning.", "last_journal_entry"),
        ("Kept one year after the last journal entry.", "last_journal_entry"),
    ],
)
def test_records_count_from_the_new_anchor_columns(tmp_path: Path, sentence: str, column: str) -> None:
    policy = _variant(tmp_path, "Sparas i 1 år.", sentence)
    survey = activity(activity_id="A-SUR", policy_ref="P-SURVEY", systems=["S-SUR"], retention=sentence)
    tool = system(system_id="S-SUR", system="Surveys", recipient_category="survey tool", retention_days=None)
    records = {
        "S-SUR": [
            rec("R-ACTIVE", "A-SUR", collected="2015-01-01", **{column: "2026-01-01"}),
            rec("R-STALE", "A-SUR", collected="2015-01-01", **{column: "2025-10-31"}),
            rec("R-BLANK", "A-SUR", collected="2015-01-01", **{column: None}),
        ]
    }
    found = run_family(ctx_for([survey], [tool], records, policy), "RET")
    assert sorted(found["rule"]) == ["RET-03", "RET-05"]
    past = found[found["rule"] == "RET-03"].iloc[0]
    assert past["evidence"] == "records/S-SUR.csv › 1 of 3 records past limit, oldest 2025-10-31"
    assert past["detail"].endswith("examples: R-STALE.")
    blank = found[found["rule"] == "RET-05"].iloc[0]
    assert blank["evidence"] == "records/S-SUR.csv › 1 of 3 records without a usable anchor date"


def test_new_anchor_headers_load_as_dates(folder) -> None:
    root = folder()
    (root / "records" / "S-APP.csv").write_text(
        "record_id,subject_ref,activity_id,Senaste inloggning,Senaste journalanteckning\n"
        "1,DS-1,A-1,2026-01-02,3 mars 2025\n",
        encoding="utf-8",
    )
    rec_ = load_inputs(root).records["S-APP"].to_pandas()
    assert rec_.loc[0, "last_login"] == pd.Timestamp("2026-01-02")
    assert rec_.loc[0, "last_journal_entry"] == pd.Timestamp("2025-03-03")
