"""Tiny, already-normalised inputs for rule tests.

Rule tests plant one gap in a few rows built here, so each test shows the
exact data a rule sees, without going through the spreadsheet loaders.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pandas as pd

from audit.inputs.model import Inputs
from audit.policy.model import PolicyModel, load_policy
from audit.reference.settings import Settings, load_settings
from audit.rules.context import AuditContext

DATE_COLUMNS = {
    "last_reviewed",
    "started",
    "last_security_test",
    "oldest_record",
    "dpa_signed",
    "tia_done",
    "received",
    "identity_verified",
    "extension_notified",
    "completed",
    "date",
    "collected",
    "contract_end",
    "event_date",
    "training_completed",
    "deal_declined",
    "unsubscribed",
    "last_contact",
    "fiscal_year_end",
}
BOOL_COLUMNS = {
    "auto_delete",
    "encrypted_at_rest",
    "backup",
    "dpf_certified",
    "extended",
    "large_scale",
    "systematic_monitoring",
}


def frame(rows: list[dict], file: str, sheet: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A frame with provenance; dates become Timestamps and yes/no columns pandas booleans."""
    df = pd.DataFrame(rows, columns=columns)
    for col in df.columns:
        if col in DATE_COLUMNS:
            df[col] = pd.to_datetime(df[col])
        elif col in BOOL_COLUMNS:
            df[col] = df[col].astype("boolean")
    df["src_file"] = file
    df["src_sheet"] = sheet
    df["src_row"] = range(2, len(df) + 2)
    return df


def activity(**kw) -> dict:
    """A complete, compliant-looking register row; override what the test plants."""
    row = {
        "activity_id": "A-1",
        "activity": "Newsletter",
        "policy_ref": "P-NEWSLETTER",
        "role": "controller",
        "purpose": "Marketing",
        "legal_basis": ["legitimate_interests"],
        "legitimate_interest": "Direct marketing to customers",
        "data_subjects": ["customers"],
        "data_categories": ["Namn", "E-post"],
        "systems": [],
        "recipients": ["MailCo"],
        "retention": "until unsubscribed",
        "security_measures": "encryption, access control",
        "last_reviewed": "2026-06-01",
    }
    row.update(kw)
    return row


def system(**kw) -> dict:
    """A compliant system row."""
    row = {
        "system_id": "S-1",
        "system": "Mailer",
        "vendor": "MailCo",
        "recipient_category": "newsletter service",
        "hosting_country": ["SE"],
        "data_categories": [],
        "retention_days": None,
        "auto_delete": True,
        "encrypted_at_rest": True,
        "backup": True,
        "last_security_test": "2026-03-01",
    }
    row.update(kw)
    return row


def vendor(**kw) -> dict:
    """A compliant vendor row (an EU processor with a DPA)."""
    row = {
        "vendor": "MailCo",
        "country": "SE",
        "role": "processor",
        "category": None,
        "dpa_signed": "2024-01-10",
        "transfer_mechanism": "none",
        "dpf_certified": None,
        "tia_done": None,
        "access_countries": [],
    }
    row.update(kw)
    return row


def request(**kw) -> dict:
    """A request answered on time."""
    row = {
        "request_id": "R-1",
        "subject_ref": "DS-1",
        "right": "access",
        "received": "2026-01-10",
        "identity_verified": "2026-01-11",
        "extended": False,
        "extension_notified": None,
        "completed": "2026-01-20",
        "outcome": "done",
    }
    row.update(kw)
    return row


def disclosure(**kw) -> dict:
    """A one-off disclosure to an authority on a legal obligation (compliant)."""
    row = {
        "date": "2026-04-15",
        "activity_id": "A-02",
        "recipient": "Polismyndigheten",
        "recipient_role": "authority",
        "legal_basis": ["legal_obligation"],
        "data_categories": ["Namn"],
        "reason": "Begäran om uppgifter",
    }
    row.update(kw)
    return row


def make_inputs(
    activities: list[dict] | None = None,
    systems: list[dict] | None = None,
    vendors: list[dict] | None = None,
    requests: list[dict] | None = None,
    disclosures: list[dict] | None = None,
    records: dict[str, list[dict]] | None = None,
) -> Inputs:
    """Inputs from row dicts (defaults: one compliant row each for the required inputs)."""
    return Inputs(
        activities=frame(activities if activities is not None else [activity()], "activities.xlsx", "Activities"),
        systems=frame(systems if systems is not None else [system()], "inventory.xlsx", "Systems"),
        vendors=frame(vendors if vendors is not None else [vendor()], "inventory.xlsx", "Vendors"),
        requests=frame(requests or [], "requests.xlsx", "Requests", columns=None if requests else list(request())),
        disclosures=frame(
            disclosures or [],
            "disclosures.xlsx",
            "Disclosures",
            columns=None if disclosures else list(disclosure()),
        ),
        records={sid: frame(rows, f"records/{sid}.csv", sid) for sid, rows in (records or {}).items()},
    )


@cache
def policy() -> PolicyModel:
    """The real policy model (loaded once)."""
    return load_policy()


def make_ctx(inputs: Inputs, as_of: str = "2026-11-01", settings: Settings | None = None) -> AuditContext:
    """An audit context on the real policy."""
    return AuditContext(
        inputs=inputs, policy=policy(), settings=settings or load_settings(), as_of=date.fromisoformat(as_of)
    )


def with_issues(inputs: Inputs, rows: list[tuple]) -> Inputs:
    """``inputs`` with these input issues (``file, sheet, row, column, value, problem`` tuples), as the loader lists them.

    Lets a rule test plant a cell that was in the file but could not be read:
    a blank cell plus its issue is what the loader hands over.
    """
    from audit.inputs.model import ISSUE_COLUMNS

    inputs.issues = pd.DataFrame(rows, columns=ISSUE_COLUMNS).astype(object)
    inputs.__dict__.pop("unreadable", None)  # derived from the issues on first use
    return inputs
