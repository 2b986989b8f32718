"""Write data/example/: the small English example organisation (Alder Vale Research Trust Ltd, fictional).

    python -m tools.example data/example

Deterministic: no randomness, no dates from the clock, so the files hold the
same on every run. Its policy is data/example/privacy-notice.md (written by
hand, not by this script); the planted gaps are listed in data/example/README.md.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

ACTIVITIES = [
    # Activity ID, Activity, Policy ref, Role, Purpose, Legal basis, Legitimate interest, Special category data,
    # Article 9 basis, Data subjects, Data categories, Systems, Recipients, Third countries, Transfer safeguards,
    # Retention, Security measures, Owner, Large scale, DPIA, Last reviewed
    {
        "Activity ID": "A-01",
        "Activity": "Memberships and donations",
        "Policy ref": "managing-memberships-and-donations",
        "Role": "controller",
        "Purpose": "Manage memberships, process donations and claim Gift Aid",
        "Legal basis": "contract; legal obligation",
        "Legitimate interest": None,
        "Special category data": None,
        "Article 9 basis": None,
        "Data subjects": "Members; Donors",
        "Data categories": "Name; Postal address; Email; Bank details; Donation history",
        "Systems": "S-MEMBERS; S-PAY; S-ACC",
        "Recipients": "Paywell Payments Ltd; LedgerLeaf Ltd; HM Revenue & Customs",
        "Third countries": None,
        "Transfer safeguards": None,
        "Retention": "6 years after the end of the financial year",
        "Security measures": "Encrypted database; role-based access",
        "Owner": "Finance manager",
        "Large scale": "no",
        "DPIA": "not needed",
        "Last reviewed": date(2026, 2, 16),
    },
    {
        "Activity ID": "A-02",
        "Activity": "Newsletter",
        "Policy ref": "sending-our-newsletter",
        "Role": "controller",
        "Purpose": "Send the monthly newsletter to subscribers",
        "Legal basis": "consent",
        "Legitimate interest": None,
        "Special category data": None,
        "Article 9 basis": None,
        "Data subjects": "Subscribers",
        "Data categories": "Name; Email",
        "Systems": "S-MAIL",
        "Recipients": "Postbird Inc.",
        "Third countries": "United States",
        "Transfer safeguards": None,
        "Retention": "until unsubscribed",
        "Security measures": "Two-factor login",
        "Owner": "Communications officer",
        "Large scale": "no",
        "DPIA": "not needed",
        "Last reviewed": date(2026, 2, 16),
    },
    {
        "Activity ID": "A-03",
        "Activity": "Volunteer programme",
        "Policy ref": "recruiting-and-managing-volunteers",
        "Role": "controller",
        "Purpose": "Recruit volunteers, arrange shifts and keep in touch",
        "Legal basis": "legitimate interests",
        "Legitimate interest": "Organising our volunteer programme",
        "Special category data": None,
        "Article 9 basis": None,
        "Data subjects": "Volunteers",
        "Data categories": "Name; Email; Phone; Date of birth",
        "Systems": "S-ROTA",
        "Recipients": "Rotaly Ltd",
        "Third countries": None,
        "Transfer safeguards": None,
        "Retention": "2 years after last shift",
        "Security measures": "Role-based access",
        "Owner": "Volunteer coordinator",
        "Large scale": "no",
        "DPIA": "not needed",
        "Last reviewed": date(2026, 2, 16),
    },
    {
        "Activity ID": "A-04",
        "Activity": "Community health studies",
        "Policy ref": "running-research-studies",
        "Role": "controller",
        "Purpose": "Run health studies and publish anonymised results",
        "Legal basis": "public task",
        "Legitimate interest": None,
        "Special category data": "Health",
        "Article 9 basis": "Scientific research (Art. 9(2)(j))",
        "Data subjects": "Study participants",
        "Data categories": "Name; Date of birth; Health data",
        "Systems": "S-SURVEY; S-TRANSCRIBE",
        "Recipients": "Northern Fells University; SurveyNest Ltd; Voxscribe Inc.",
        "Third countries": "United States",
        "Transfer safeguards": "SCC",
        "Retention": "10 years after the study ends",
        "Security measures": "Pseudonymised study ids; encrypted survey data",
        "Owner": "Research lead",
        "Large scale": "yes",
        "DPIA": "no",
        "Last reviewed": date(2025, 9, 1),
    },
    {
        "Activity ID": "A-05",
        "Activity": "Website and email enquiries",
        "Policy ref": "answering-enquiries",
        "Role": "controller",
        "Purpose": "Answer questions sent by email or the website form",
        "Legal basis": "legitimate interests",
        "Legitimate interest": "Answering the questions people send us",
        "Special category data": None,
        "Article 9 basis": None,
        "Data subjects": "Members of the public",
        "Data categories": "Name; Email; Message",
        "Systems": "S-ENQ",
        "Recipients": "Cloudesk Ltd",
        "Third countries": None,
        "Transfer safeguards": None,
        "Retention": "24 months after reply",
        "Security measures": "Two-factor login",
        "Owner": "Office manager",
        "Large scale": "no",
        "DPIA": "not needed",
        "Last reviewed": date(2026, 2, 16),
    },
    {
        "Activity ID": "A-06",
        "Activity": "Fundraising event photography",
        "Policy ref": None,
        "Role": "controller",
        "Purpose": "Photograph fundraising events and post the photos on social media",
        "Legal basis": "legitimate interests",
        "Legitimate interest": "Promoting our fundraising",
        "Special category data": None,
        "Article 9 basis": None,
        "Data subjects": "Event attendees",
        "Data categories": "Photo",
        "Systems": "S-PHOTOS",
        "Recipients": "Cloudesk Ltd; social media",
        "Third countries": None,
        "Transfer safeguards": None,
        "Retention": "as long as the photos are useful",
        "Security measures": None,
        "Owner": "Communications officer",
        "Large scale": "no",
        "DPIA": "not needed",
        "Last reviewed": date(2026, 5, 4),
    },
]

SYSTEMS = [
    # System ID, System, Vendor, Recipient category, Data location, Data categories, Retention days,
    # Automatic deletion, Encryption, Backup, Last pentest, Record count
    (
        "S-MEMBERS",
        "Members database",
        "internal",
        "IT system",
        "GB",
        "Name; Postal address; Email",
        None,
        "no",
        "yes",
        "yes",
        date(2026, 1, 12),
        1200,
    ),
    (
        "S-PAY",
        "Paywell donations",
        "Paywell Payments Ltd",
        "Payment provider",
        "GB",
        "Name; Email; Bank details",
        None,
        "yes",
        "yes",
        "yes",
        date(2026, 3, 3),
        None,
    ),
    (
        "S-ACC",
        "LedgerLeaf accounts",
        "LedgerLeaf Ltd",
        "Accounting software",
        "GB; IE",
        "Name; Postal address; Donation history",
        None,
        "yes",
        "yes",
        "yes",
        date(2025, 11, 20),
        None,
    ),
    (
        "S-MAIL",
        "Postbird newsletters",
        "Postbird Inc.",
        "Newsletter service",
        "United States",
        "Name; Email",
        None,
        "no",
        "yes",
        "yes",
        date(2026, 4, 8),
        40,
    ),
    (
        "S-ROTA",
        "Rotaly volunteer rota",
        "Rotaly Ltd",
        "Scheduling platform",
        "GB",
        "Name; Email; Phone; Date of birth",
        730,
        "yes",
        "yes",
        "yes",
        date(2026, 2, 2),
        24,
    ),
    (
        "S-SURVEY",
        "SurveyNest questionnaires",
        "SurveyNest Ltd",
        "Survey tool",
        "GB",
        "Name; Date of birth; Health data",
        3650,
        "yes",
        "yes",
        "yes",
        date(2026, 6, 15),
        20,
    ),
    (
        "S-TRANSCRIBE",
        "Voxscribe interview transcription",
        "Voxscribe Inc.",
        "Transcription service",
        "US",
        "Health data",
        30,
        "yes",
        "yes",
        "no",
        None,
        None,
    ),
    (
        "S-ENQ",
        "Cloudesk shared mailbox",
        "Cloudesk Ltd",
        "IT system",
        "GB; Netherlands",
        "Name; Email; Message",
        None,
        "no",
        "yes",
        "yes",
        date(2026, 5, 11),
        30,
    ),
    (
        "S-PHOTOS",
        "Cloudesk photo library",
        "Cloudesk Ltd",
        "Cloud storage",
        "GB; Netherlands",
        "Photo",
        None,
        "no",
        "yes",
        "yes",
        date(2026, 5, 11),
        None,
    ),
]

VENDORS = [
    # Vendor, Country, Role, Category, DPA signed, Transfer mechanism, DPF certified, TIA done, Support countries
    ("internal", "GB", "internal", None, None, None, None, None, None),
    ("Paywell Payments Ltd", "United Kingdom", "processor", None, date(2022, 4, 1), "none", None, None, None),
    ("LedgerLeaf Ltd", "United Kingdom", "processor", None, date(2021, 10, 14), "none", None, None, None),
    ("Postbird Inc.", "United States", "processor", None, date(2023, 6, 19), None, "no", None, None),
    ("Rotaly Ltd", "United Kingdom", "processor", None, None, "none", None, None, None),
    ("SurveyNest Ltd", "United Kingdom", "processor", None, date(2024, 1, 22), "none", None, None, None),
    ("Voxscribe Inc.", "United States", "processor", None, date(2026, 3, 9), "SCC", "no", None, "US; India"),
    ("Cloudesk Ltd", "United Kingdom", "processor", None, date(2020, 9, 30), "none", None, None, None),
    ("Northern Fells University", "United Kingdom", "controller", "Research partner", None, "none", None, None, None),
    ("HM Revenue & Customs", "United Kingdom", "authority", "Authority", None, "none", None, None, None),
    ("social media", "United States", "controller", "Social media", None, None, None, None, None),
]

REQUESTS = [
    # Request ID, Subject ref, Right, Received, Identity verified, Extended, Extension notified, Completed, Outcome, Notes
    ("R-001", "AV-0003", "access", date(2026, 1, 12), date(2026, 1, 12), "no", None, date(2026, 2, 5), "done", None),
    (
        "R-002",
        "AV-0101",
        "erasure",
        date(2026, 3, 2),
        date(2026, 3, 3),
        "no",
        None,
        date(2026, 3, 20),
        "done",
        "Newsletter and volunteer records deleted",
    ),
    (
        "R-003",
        "AV-0007",
        "access",
        date(2026, 8, 3),
        date(2026, 8, 4),
        "no",
        None,
        date(2026, 9, 25),
        "done",
        "Answered late: staff holiday",
    ),
    (
        "R-004",
        "AV-0012",
        "rectification",
        date(2026, 9, 14),
        date(2026, 9, 14),
        "no",
        None,
        date(2026, 9, 18),
        "done",
        None,
    ),
    ("R-005", "AV-0021", "erasure", date(2026, 9, 1), None, "no", None, None, None, "Still open"),
    ("R-006", "AV-0030", "objection", date(2026, 10, 20), date(2026, 10, 21), "no", None, None, None, None),
]

DISCLOSURES = [
    # Date, Activity ID, Recipient, Recipient role, Legal basis, Data categories, Reason
    (
        date(2026, 1, 30),
        "A-01",
        "HM Revenue & Customs",
        "authority",
        "legal obligation",
        "Name; Postal address; Donation history",
        "Gift Aid claim",
    ),
    (
        date(2026, 6, 12),
        "A-04",
        "Northern Fells University",
        "partner",
        "public task",
        "Name; Date of birth; Health data",
        "Study data for joint analysis",
    ),
    (
        date(2026, 7, 7),
        "A-03",
        "Kendal Town Council",
        "authority",
        "legitimate interests",
        "Name; Phone",
        "Volunteer list for a town event",
    ),
]

AS_OF = date(2026, 11, 1)


def _enquiries() -> pd.DataFrame:
    """30 enquiries, one a month back from October 2026; the policy keeps them 12 months after the reply."""
    rows = []
    for i in range(30):
        received = date(2026, 10, 5) - timedelta(days=30 * i)
        rows.append(
            {
                "record_id": f"ENQ-{i + 1:03d}",
                "subject_ref": f"AV-{200 + i:04d}",
                "activity_id": "A-05",
                "collected": received,
                "last_contact": received + timedelta(days=3),
            }
        )
    return pd.DataFrame(rows)


def _newsletter() -> pd.DataFrame:
    """40 subscribers; eight unsubscribed in 2025 and were never deleted. AV-0101 asked for erasure (R-002) and is still here."""
    rows = []
    for i in range(40):
        ref = "AV-0101" if i == 39 else f"AV-{300 + i:04d}"
        unsub = date(2025, 3 + i % 8, 10) if i < 8 else None
        rows.append(
            {
                "record_id": f"NL-{i + 1:03d}",
                "subject_ref": ref,
                "activity_id": "A-02",
                "collected": date(2022, 1, 15) + timedelta(days=40 * i),
                "unsubscribed": unsub,
            }
        )
    return pd.DataFrame(rows)


def _volunteers() -> pd.DataFrame:
    """24 volunteers; the rota deletes 730 days after the last shift, so none is overdue."""
    rows = []
    for i in range(24):
        rows.append(
            {
                "record_id": f"VOL-{i + 1:03d}",
                "subject_ref": f"AV-{i + 1:04d}",
                "activity_id": "A-03",
                "collected": date(2023, 2, 1) + timedelta(days=25 * i),
                "last_contact": date(2025, 1, 10) + timedelta(days=25 * i),
            }
        )
    return pd.DataFrame(rows)


def _study() -> pd.DataFrame:
    """20 participants of two studies: one ended in 2024, one still running (blank study end)."""
    rows = []
    for i in range(20):
        rows.append(
            {
                "record_id": f"ST-{i + 1:03d}",
                "subject_ref": f"AV-{500 + i:04d}",
                "activity_id": "A-04",
                "collected": date(2023, 4, 1) + timedelta(days=9 * i),
                "study_end": date(2024, 6, 30) if i < 12 else None,
            }
        )
    return pd.DataFrame(rows)


def _sheet(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def write_example(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "records").mkdir(exist_ok=True)
    pd.DataFrame(ACTIVITIES).to_excel(out / "activities.xlsx", sheet_name="Activities", index=False)
    systems = _sheet(
        SYSTEMS,
        [
            "System ID",
            "System",
            "Vendor",
            "Recipient category",
            "Data location",
            "Data categories",
            "Retention days",
            "Automatic deletion",
            "Encryption",
            "Backup",
            "Last pentest",
            "Record count",
        ],
    )
    vendors = _sheet(
        VENDORS,
        [
            "Vendor",
            "Country",
            "Role",
            "Category",
            "DPA signed",
            "Transfer mechanism",
            "DPF certified",
            "TIA done",
            "Support countries",
        ],
    )
    with pd.ExcelWriter(out / "inventory.xlsx") as writer:
        systems.to_excel(writer, sheet_name="Systems", index=False)
        vendors.to_excel(writer, sheet_name="Vendors", index=False)
    requests = _sheet(
        REQUESTS,
        [
            "Request ID",
            "Subject ref",
            "Right",
            "Received",
            "Identity verified",
            "Extended",
            "Extension notified",
            "Completed",
            "Outcome",
            "Notes",
        ],
    )
    requests.to_excel(out / "requests.xlsx", sheet_name="Requests", index=False)
    disclosures = _sheet(
        DISCLOSURES, ["Date", "Activity ID", "Recipient", "Recipient role", "Legal basis", "Data categories", "Reason"]
    )
    disclosures.to_excel(out / "disclosures.xlsx", sheet_name="Disclosures", index=False)
    for name, frame in (
        ("S-ENQ", _enquiries()),
        ("S-MAIL", _newsletter()),
        ("S-ROTA", _volunteers()),
        ("S-SURVEY", _study()),
    ):
        frame.to_csv(out / "records" / f"{name}.csv", index=False)


if __name__ == "__main__":
    write_example(Path(sys.argv[1] if len(sys.argv) > 1 else "data/example"))
