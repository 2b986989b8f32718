"""The bundled sample organisation: a fictional Carasent Sverige AB that runs under the policy.

The notebooks, the command line and the rules' end-to-end test need a data
folder that looks like what a DPO really hands over (Swedish IMY-style
register with title rows, English inventory, mixed date and country
spellings) and that holds a known set of gaps. Generating it, instead of
committing hand-edited spreadsheets, keeps three things in step that would
otherwise drift: the files, ``expected_findings.csv`` (the exact findings an
audit at :data:`SAMPLE_AS_OF` must produce, POL rules aside) and the README
table describing them. Row numbers in the expected list are computed from
the rows as written, never typed.

Everything is fixed: the register, inventory, request and disclosure rows
are literal fixtures below; the record extracts are drawn with numpy's
``Generator`` from a seed, column-wise, so a million rows per extract is a
matter of seconds (the benchmark's use). Planted record gaps are proportions
of a group, so they scale with the extract size. No wall clock is read: all
dates are laid out around :data:`SAMPLE_AS_OF`, and the xlsx zip entries and
document properties carry a fixed timestamp, so regenerating reproduces the
files byte for byte.

Run ``python -m tools.sample [OUT_DIR]`` (default ``data/sample``).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from audit.paths import SAMPLE_DIR
from audit.reference.datafiles import reference

SAMPLE_AS_OF = date(2026, 11, 1)
"""The reference audit date the sample is built around (its gaps are gaps on this date)."""

DEFAULT_SEED = 20240516
FIXED_TIMESTAMP = datetime(2026, 11, 1, 0, 0, 0)
RECORD_FORMATS = ("csv", "parquet", "xlsx")
# Default extract sizes; records_scale multiplies them, record_rows replaces the first three.
MAIN_EXTRACTS = ("S-CRM", "S-NEWS", "S-EVENT")
DEFAULT_ROWS = {"S-CRM": 4000, "S-NEWS": 5000, "S-EVENT": 3000, "S-ERP": 2500}
# Request subjects are DS-00001..DS-00999; extracts draw everyone else from DS-01000 up,
# so a request's subject is in an extract only where it is put there on purpose.
POOL_START = 1000
# Only words the README; the planted dates sit well clear of any grace period up to two months.
GRACE_DAYS = int(reference("settings")["event_grace_days"])

# Test fixtures: name parts for fictional people (no external name generator).
FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Malin",
    "Sofia", "Linnea", "Elin", "Johanna", "Ida", "Maja", "Hanna", "Elsa", "Astrid", "Åsa",
    "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Mikael", "Peter", "Nils", "Jonas",
    "Oskar", "Gustav", "Viktor", "Axel", "Björn", "Magnus", "Mattias", "Fredrik", "Henrik", "Olof",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson",
    "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist", "Lindgren", "Berg",
    "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund",
    "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Åberg",
    "Holm", "Nyström", "Ekström",
]  # fmt: skip
_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "Å": "A", "Ä": "A", "Ö": "O"})
_SV_MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip


def sv_date(d: date) -> str:
    """A date written the Swedish way ("1 mars 2026"): registers are often typed like that, not as date cells."""
    return f"{d.day} {_SV_MONTHS[d.month - 1]} {d.year}"


D = date.fromisoformat

# --- the workbooks: literal fixtures --------------------------------------------------------------

ACTIVITY_TITLES = [
    "Carasent Sverige AB – dataskydd (fiktiv exempelorganisation)",
    "Registerförteckning enligt artikel 30 i dataskyddsförordningen (GDPR)",
]
ACTIVITY_HEADERS = {
    "activity_id": "Nr",
    "activity": "Behandling",
    "policy_ref": "Policyavsnitt",
    "role": "Roll",
    "purpose": "Ändamål",
    "legal_basis": "Rättslig grund",
    "legitimate_interest": "Berättigat intresse som åberopas",
    "data_subjects": "Kategorier av registrerade",
    "data_categories": "Kategorier av personuppgifter",
    "special_categories": "Känsliga personuppgifter",
    "art9_condition": "Undantag enligt artikel 9",
    "systems": "IT-system",
    "recipients": "Mottagare",
    "third_countries": "Tredjeland",
    "transfer_safeguards": "Skyddsåtgärder",
    "retention": "Lagringstid",
    "security_measures": "Säkerhetsåtgärder",
    "owner": "Ansvarig",
    "dpia": "Konsekvensbedömning",
    "last_reviewed": "Senast granskad",
    "started": "Startdatum",
    "comment": "Kommentar",
}
SECURITY = "Kryptering, behörighetsstyrning, loggning och säkerhetskopiering"
PUA = "personuppgiftsansvarig"
CRM_RETENTION = "Sparas under avtalstiden och ytterligare 7 år. Raderas vid nekad affär."

ACTIVITIES: list[dict[str, Any]] = [
    {
        "activity_id": "A-01",
        "activity": "Förfrågningar och demobokningar via webbformulär",
        "policy_ref": "P-INQUIRY",
        "role": PUA,
        "purpose": "Ta emot och besvara förfrågningar och demobokningar via formulär på hemsidan",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Att kunna besvara förfrågningar och boka demonstrationer",
        "data_subjects": "Potentiella kunder; Kontaktpersoner hos kunder",
        "data_categories": "Namn; E-post; Telefonnummer; Företag; Meddelande; IP-adress",
        "systems": "S-FORM; S-CRM",
        "recipients": "FormBridge Inc.; Kundkraft CRM AB",
        "third_countries": "USA",
        "transfer_safeguards": "Standardavtalsklausuler och TIA",
        "retention": "Raderas efter 30 dagar",
        "security_measures": SECURITY,
        "owner": "Försäljningschef",
        "dpia": "ej nödvändig",
        "last_reviewed": D("2026-03-12"),
        "comment": "Formuläret loggar avsändarens IP-adress",
    },
    {
        "activity_id": "A-02",
        "activity": "Kund- och leverantörsregister (CRM)",
        "policy_ref": "P-CRM",
        "role": PUA,
        "purpose": "Översikt över potentiella och befintliga kunder för att kunna kommunicera och uppfylla avtal",
        "legal_basis": "Berättigat intresse; Avtal; Rättslig förpliktelse",
        "legitimate_interest": "Att följa upp affärsmöjligheter innan avtal",
        "data_subjects": "Kontaktpersoner hos kunder och potentiella kunder",
        "data_categories": "Namn, E-postadress, Telefon, Köphistorik, Kommunikationshistorik, Yrkestitel",
        "systems": "S-CRM",
        "recipients": "Kundkraft CRM AB",
        "retention": CRM_RETENTION,
        "security_measures": SECURITY,
        "owner": "Försäljningschef",
        "dpia": "nej",
        "last_reviewed": sv_date(D("2026-03-01")),
    },
    {
        "activity_id": "A-03",
        "activity": "Elektronisk signering av avtal",
        "policy_ref": "P-ESIGN",
        "role": PUA,
        "purpose": "Möjliggöra elektronisk signering av avtal",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Att ingå avtal säkert och effektivt",
        "data_subjects": "Firmatecknare hos kunder och leverantörer",
        "data_categories": "Namn; E-post; Telefonnummer; IP-adress; Elektronisk signatur",
        "systems": "S-ESIGN",
        "recipients": "Signera Nordic AB",
        "retention": "Avtalstiden + 7 år",
        "security_measures": SECURITY,
        "owner": "Ekonomichef",
        "dpia": "nej",
        "last_reviewed": D("2026-01-20"),
    },
    {
        "activity_id": "A-04",
        "activity": "Lagring av kundavtal och kommunikation",
        "policy_ref": "P-CONTRACTS",
        "role": PUA,
        "purpose": "Lagring av kundavtal och kommunikation",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Att kunna visa vad som avtalats",
        "data_subjects": "Kontaktpersoner hos kunder",
        "data_categories": "Namn\nE-post\nBefattning",
        "systems": "S-DMS",
        "recipients": "Arkivmolnet AB",
        "retention": "Avtalstiden + 7 år",
        "security_measures": SECURITY,
        "owner": "Ekonomichef",
        "dpia": "nej",
        "last_reviewed": D("2026-02-05"),
    },
    {
        "activity_id": "A-05",
        "activity": "Bokföring",
        "policy_ref": "P-BOOKKEEPING",
        "role": PUA,
        "purpose": "Sköta bokföring (intäkter och kostnader)",
        "legal_basis": "Rättslig förpliktelse",
        "data_subjects": "Kunder; Leverantörer; Kontaktpersoner",
        "data_categories": "Namn; E-post; Postadress; Kontouppgifter",
        "systems": "S-ERP",
        "recipients": "Ekonomiportalen Sverige AB; Redovisningsbyrån Väst AB; Skatteverket",
        "retention": "7 år efter räkenskapsårets utgång",
        "security_measures": SECURITY,
        "owner": "Ekonomichef",
        "dpia": "not needed",
        "last_reviewed": D("2026-04-15"),
    },
    {
        "activity_id": "A-06",
        "activity": "Enkäter vid implementation av nya system",
        "policy_ref": "P-SURVEY",
        "role": PUA,
        "purpose": "Genomföra enkätundersökningar i samband med implementation av nya system",
        "legal_basis": "Samtycke",
        "data_subjects": "Användare hos kunder",
        "data_categories": "E-post; Arbetsgivare",
        "systems": "S-SURVEY",
        "recipients": "SurveyPeak Inc.",
        "third_countries": "USA",
        "transfer_safeguards": "Adekvat skyddsnivå (EU-US Data Privacy Framework)",
        "retention": "Sparas i 1 år",
        "security_measures": SECURITY,
        "owner": "Implementationsansvarig",
        "dpia": "nej",
        "last_reviewed": D("2026-05-04"),
    },
    {
        "activity_id": "A-07",
        "activity": "Anmälan till kundevent och utbildningsdagar",
        "policy_ref": "P-EVENT-SIGNUP",
        "role": PUA,
        "purpose": "Administrera deltagande och göra informationsutskick kopplat till eventet",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Att kunna administrera deltagandet i våra event",
        "data_subjects": "Deltagare (kunder och potentiella kunder)",
        "data_categories": "Namn; E-post; Matpreferenser",
        "systems": "S-EVENT",
        "recipients": "Eventhanteraren AB; Restaurang Hamnmagasinet AB; Carasent Norge AS; Carasent Danmark ApS",
        "retention": "Raderas efter genomfört event",
        "security_measures": SECURITY,
        "owner": "Marknadschef",
        "dpia": "nej",
        "last_reviewed": D("2026-06-10"),
        "comment": "Deltagarlistor delas med koncernbolag som medarrangerar",
    },
    {
        "activity_id": "A-08",
        "activity": "Foto och film under event",
        "policy_ref": "P-EVENT-MEDIA",
        "role": PUA,
        "purpose": "Marknadsföra våra produkter och tjänster",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Att marknadsföra våra produkter och tjänster",
        "data_subjects": "Deltagare på event",
        "data_categories": "Bild; Videoinspelning",
        "systems": "S-MEDIA",
        "recipients": "Vidstream Media Inc.; LinkedIn Ireland Unlimited Company",
        "third_countries": "USA",
        "transfer_safeguards": "Standardavtalsklausuler",
        "retention": "Så länge bilden eller filmen är av värde för marknadsföringen",
        "security_measures": None,
        "owner": "Marknadschef",
        "dpia": "nej",
        "last_reviewed": D("2026-06-10"),
    },
    {
        "activity_id": "A-09",
        "activity": "Kundutbildningar (e-learning)",
        "policy_ref": "P-TRAINING",
        "role": PUA,
        "purpose": "Genomföra utbildningar",
        "legal_basis": "Legitimate interests",
        "legitimate_interest": "To deliver the training our customers have ordered",
        "data_subjects": "Användare hos kunder",
        "data_categories": "Namn; E-post; Telefonnummer",
        "systems": "S-LMS",
        "recipients": "LearnCloud Ltd",
        "third_countries": "Filippinerna",
        "transfer_safeguards": "Bindande företagsbestämmelser (BCR)",
        "retention": "2 år efter genomförd utbildning",
        "security_measures": SECURITY,
        "owner": "Utbildningsansvarig",
        "dpia": "nej",
        "last_reviewed": D("2026-02-25"),
    },
    {
        "activity_id": "A-10",
        "activity": "Nyhetsbrev",
        "policy_ref": "P-NEWSLETTER",
        "role": PUA,
        "purpose": "Marknadsföra våra produkter och tjänster till kontaktpersoner hos kunder och intresserade",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Direktmarknadsföring till kontaktpersoner hos kunder",
        "data_subjects": "Kontaktpersoner hos kunder; Intresserade",
        "data_categories": "Namn; E-post",
        "systems": "S-NEWS",
        "recipients": "MailOrbit Inc.; Adtrack Nordic AB",
        "third_countries": "USA",
        "transfer_safeguards": "EU-US Data Privacy Framework",
        "retention": "Tills mottagaren avregistrerar sig. Annars så länge det finns ett kundavtal med arbetsgivaren.",
        "security_measures": SECURITY,
        "owner": "Marknadschef",
        "dpia": "nej",
        "last_reviewed": sv_date(D("2026-09-14")),
        "comment": "Mottagarlistan laddas upp till Adtrack för annonsering",
    },
    {
        "activity_id": "A-11",
        "activity": "Drift och support av journalsystem åt kunder",
        "policy_ref": "P-PROCESSOR",
        "role": "personuppgiftsbiträde",
        "purpose": "Tillhandahålla och supporta journalsystem enligt kundernas instruktioner",
        "legal_basis": "Avtal",
        "data_subjects": "Patienter och användare hos kunder",
        "data_categories": "Namn; Personnummer; Hälsouppgifter",
        "special_categories": "Hälsa",
        "art9_condition": "Art. 9.2 h (kundernas grund som personuppgiftsansvariga)",
        "systems": "S-SUPPORT",
        "recipients": "Kaveri Support Services Pvt Ltd",
        "third_countries": "Indien",
        "retention": "Enligt personuppgiftsbiträdesavtalet med respektive kund",
        "security_measures": SECURITY + ", tvåfaktorsinloggning",
        "owner": "Supportchef",
        "dpia": "ja",
        "last_reviewed": D("2026-08-19"),
    },
    {
        "activity_id": "A-12",
        "activity": "Cookies på webbplatsen",
        "policy_ref": "P-COOKIES",
        "role": PUA,
        "purpose": "Få webbplatsen att fungera och mäta besök enligt cookiepolicyn",
        "legal_basis": "Samtycke",
        "data_subjects": "Besökare på webbplatsen",
        "data_categories": "IP-adress; Cookie-id",
        "systems": "S-WEB",
        "recipients": "Webbhotellet Norden AB",
        "retention": "13 månader",
        "security_measures": SECURITY,
        "owner": "Marknadschef",
        "dpia": "nej",
        "last_reviewed": D("2026-05-30"),
        "started": D("2023-02-01"),
    },
    {
        "activity_id": "A-13",
        "activity": "Rekrytering",
        "policy_ref": None,
        "role": PUA,
        "purpose": "Bedöma och anställa arbetssökande",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Att kunna bedöma kandidater",
        "data_subjects": "Arbetssökande",
        "data_categories": "Namn; E-post; Telefonnummer",
        "systems": "S-HR",
        "recipients": "Carasent ASA",
        "retention": "2 år efter avslutad rekrytering",
        "security_measures": SECURITY,
        "owner": "HR-chef",
        "dpia": "nej",
        "last_reviewed": D("2026-09-01"),
        "started": sv_date(D("2025-09-01")),
    },
    {
        "activity_id": "A-14",
        "activity": "Anmälan till webbinarier",
        "policy_ref": "P-EVENT-SIGNUP",
        "role": PUA,
        "purpose": "Administrera deltagande i webbinarier",
        "legal_basis": "Berättigat intresse",
        "legitimate_interest": "Att kunna administrera deltagandet",
        "data_subjects": "Deltagare",
        "data_categories": "Namn; E-post",
        "systems": "S-EVENT",
        "recipients": "Eventhanteraren AB",
        "retention": "Raderas efter eventet",
        "security_measures": SECURITY,
        "owner": "Marknadschef",
        "dpia": "nej",
        "last_reviewed": D("2026-06-10"),
    },
    {
        "activity_id": "A-15",
        "activity": "Leverantörskontakter",
        "policy_ref": "P-CRM",
        "role": PUA,
        "purpose": "Kommunicera med leverantörer och uppfylla avtal med dem",
        "legal_basis": "Berättigat intresse; Avtal; Rättslig förpliktelse",
        "legitimate_interest": "Att kunna kontakta leverantörer innan avtal",
        "data_subjects": "Kontaktpersoner hos leverantörer",
        "data_categories": "Namn; E-post; Telefonnummer; Befattning",
        "systems": "S-CRM",
        "recipients": "Kundkraft CRM AB",
        "retention": CRM_RETENTION,
        "security_measures": SECURITY,
        "owner": "Inköpsansvarig",
        "dpia": "nej",
        "last_reviewed": sv_date(D("2025-06-15")),
    },
]

SYSTEM_HEADERS = {
    "system_id": "System ID",
    "system": "System",
    "vendor": "Vendor",
    "recipient_category": "Recipient category",
    "hosting_country": "Data location",
    "data_categories": "Data categories",
    "retention_days": "Retention days",
    "auto_delete": "Automatic deletion",
    "encrypted_at_rest": "Encryption",
    "backup": "Backup",
    "last_security_test": "Last pentest",
    "record_count": "Record count",
}


def _system(sid: str, name: str, vendor: str, category: str, hosting: str, cats: str, **kw: Any) -> dict[str, Any]:
    row = {
        "system_id": sid,
        "system": name,
        "vendor": vendor,
        "recipient_category": category,
        "hosting_country": hosting,
        "data_categories": cats,
        "retention_days": None,
        "auto_delete": "yes",
        "encrypted_at_rest": "yes",
        "backup": "yes",
        "last_security_test": None,
        "record_count": None,
    }
    row.update(kw)
    return row


SYSTEMS: list[dict[str, Any]] = [
    _system("S-CRM", "Kundkraft CRM", "Kundkraft CRM AB", "CRM system", "SE", "Name, E-mail, Phone",
            last_security_test=D("2026-04-14")),
    _system("S-FORM", "FormBridge web forms", "FormBridge Inc.", "Form tool", "United States",
            "Name; E-mail; Phone; Company; Message", retention_days=90, last_security_test=D("2026-02-02")),
    _system("S-ESIGN", "Signera", "Signera Nordic AB", "E-signing service", "Sweden",
            "Name; E-mail; Phone; IP address; E-signature", last_security_test=D("2025-04-10")),
    _system("S-DMS", "Arkivmolnet document archive", "Arkivmolnet AB", "Document storage", "SE; FI",
            "Name; E-mail; Job title", auto_delete="no", last_security_test=D("2026-05-20")),
    _system("S-ERP", "Ekonomiportalen", "Ekonomiportalen Sverige AB", "Accounting software", "SE",
            "Name; E-mail; Postal address; Bank account", last_security_test=D("2026-03-09")),
    _system("S-SURVEY", "SurveyPeak", "SurveyPeak Inc.", "Survey tool", "USA", "E-mail; Employer",
            retention_days=365, last_security_test=D("2026-01-27")),
    _system("S-EVENT", "Eventhanteraren", "Eventhanteraren AB", "IT system", "Sweden",
            "Name; E-mail; Dietary requirements", encrypted_at_rest="no", last_security_test=D("2026-06-30")),
    _system("S-MEDIA", "Vidstream media library", "Vidstream Media Inc.", "Cloud storage", "US", "Photo; Video",
            last_security_test=D("2026-07-15")),
    _system("S-LMS", "LearnCloud LMS", "LearnCloud Ltd", "E-learning platform", "Ireland",
            "Name; E-mail; Phone", auto_delete="x", last_security_test=D("2026-02-18")),
    _system("S-NEWS", "MailOrbit", "MailOrbit Inc.", "Newsletter tool", "US", "Name; E-mail",
            last_security_test=D("2026-09-03")),
    _system("S-SUPPORT", "Helpdesk", "Kaveri Support Services Pvt Ltd", "IT provider", "Sverige",
            "Name; Personal identity number; Health data", last_security_test=D("2026-08-25")),
    _system("S-WEB", "Website (CMS)", "Webbhotellet Norden AB", "Hosting", "SE", "IP address; Cookie ID",
            retention_days=395, last_security_test=D("2026-05-11")),
    _system("S-HR", "HR folder (in-house server)", "internal", "IT system", "SE", "Name; E-mail; Phone",
            backup="no", last_security_test=D("2026-03-30")),
]  # fmt: skip

VENDOR_HEADERS = {
    "vendor": "Vendor",
    "country": "Country",
    "role": "Role",
    "category": "Category",
    "dpa_signed": "DPA signed",
    "transfer_mechanism": "Transfer mechanism",
    "dpf_certified": "DPF certified",
    "tia_done": "TIA done",
    "access_countries": "Support countries",
}


def _vendor(name: str, country: str, role: str, **kw: Any) -> dict[str, Any]:
    row = {"vendor": name, "country": country, "role": role, "category": None, "dpa_signed": None}
    row.update({"transfer_mechanism": None, "dpf_certified": None, "tia_done": None, "access_countries": None})
    row.update(kw)
    return row


VENDORS: list[dict[str, Any]] = [
    _vendor("internal", "SE", "internal"),
    _vendor("Kundkraft CRM AB", "Sweden", "processor", dpa_signed=D("2022-09-01"), transfer_mechanism="none"),
    _vendor("FormBridge Inc.", "United States", "processor", dpa_signed=D("2023-02-14"),
            transfer_mechanism="SCC", dpf_certified="no", tia_done=D("2025-09-15")),
    _vendor("Signera Nordic AB", "SE", "personuppgiftsbiträde", dpa_signed=sv_date(D("2023-04-12")),
            transfer_mechanism="none"),
    _vendor("Arkivmolnet AB", "Sverige", "processor", dpa_signed=D("2021-11-30"), transfer_mechanism="none"),
    _vendor("Ekonomiportalen Sverige AB", "SE", "processor", dpa_signed=D("2020-05-18"), transfer_mechanism="none"),
    _vendor("SurveyPeak Inc.", "USA", "processor", dpa_signed=D("2024-03-01"),
            transfer_mechanism="Adequacy decision", dpf_certified="nej"),
    _vendor("Eventhanteraren AB", "SE", "processor", dpa_signed=D("2023-08-22"), transfer_mechanism="none"),
    _vendor("Vidstream Media Inc.", "US", "processor", dpa_signed=D("2024-05-06"), transfer_mechanism="SCC",
            dpf_certified="no"),
    _vendor("LearnCloud Ltd", "Ireland", "processor", dpa_signed=D("2022-01-10"), transfer_mechanism="BCR",
            access_countries="Philippines"),
    _vendor("MailOrbit Inc.", "United States", "processor", dpa_signed=D("2021-06-01"), transfer_mechanism="DPF",
            dpf_certified="yes"),
    _vendor("Kaveri Support Services Pvt Ltd", "IN", "sub-processor", dpa_signed=D("2024-10-01"),
            transfer_mechanism="ingen", access_countries="Indien"),
    _vendor("Webbhotellet Norden AB", "SE", "processor", dpa_signed=D("2019-03-01"), transfer_mechanism="none"),
    _vendor("Adtrack Nordic AB", "SE", "processor", category="Annonsnätverk", dpa_signed=D("2025-02-03"),
            transfer_mechanism="none"),
    _vendor("Northlight Films Ltd", "United Kingdom", "processor", category="Kommunikationsbyrå",
            dpa_signed=D("2023-05-15"), transfer_mechanism="adequacy"),
    _vendor("Redovisningsbyrån Väst AB", "SE", "processor", category="Ekonomikonsult", transfer_mechanism="none"),
    _vendor("Restaurang Hamnmagasinet AB", "SE", "partner", category="Eventpartner"),
    _vendor("LinkedIn Ireland Unlimited Company", "Ireland", "controller", category="Plattform för marknadsföring"),
    _vendor("Carasent ASA", "Norge", "group company", category="Koncernbolag"),
    _vendor("Carasent Norge AS", "NO", "koncernbolag", category="Koncernbolag"),
    _vendor("Carasent Danmark ApS", "DK", "group company", category="Koncernbolag"),
    _vendor("Skatteverket", "SE", "authority", category="Myndighet"),
    _vendor("Polismyndigheten", "Sweden", "myndighet", category="Myndighet"),
]  # fmt: skip

REQUEST_HEADERS = {
    "request_id": "Request ID",
    "subject_ref": "Subject ref",
    "right": "Right",
    "received": "Received",
    "identity_verified": "Identity verified",
    "extended": "Extended",
    "extension_notified": "Extension notified",
    "completed": "Completed",
    "outcome": "Outcome",
    "notes": "Notes",
}


def _req(rid: str, subject: str, right: str, received: Any, completed: Any = None, **kw: Any) -> dict[str, Any]:
    row = {"request_id": rid, "subject_ref": subject, "right": right, "received": received}
    row.update({"identity_verified": None, "extended": "nej", "extension_notified": None, "completed": completed})
    row.update({"outcome": "done" if completed is not None else None, "notes": None})
    row.update(kw)
    return row


REQUESTS: list[dict[str, Any]] = [
    _req("R-001", "DS-00042", "Registerutdrag", D("2024-01-31"), D("2024-02-29"), identity_verified=D("2024-02-01"),
         outcome="klar", notes="Månadsslut i skottår: svar sista februari"),
    _req("R-002", "DS-00107", "access", D("2025-11-20"), D("2025-12-10"), identity_verified=D("2025-11-21")),
    _req("R-003", "DS-00213", "Rättelse", D("2026-01-12"), D("2026-01-14"), outcome="klar"),
    _req("R-004", "DS-00250", "Registerutdrag", D("2026-01-31"), D("2026-02-28"), identity_verified=D("2026-02-02"),
         notes="Månadsslut: svar 28 februari"),
    _req("R-005", "DS-00318", "Radering", D("2026-02-10"), D("2026-02-20"), identity_verified=D("2026-02-11"),
         outcome="klar"),
    _req("R-006", "DS-00077", "Invändning", D("2026-03-02"), D("2026-03-03")),
    _req("R-007", "DS-00501", "access", D("2026-03-02"), D("2026-04-15"), identity_verified=D("2026-03-04")),
    _req("R-008", "DS-00512", "Dataportabilitet", "2026-03-16", "2026-04-10", identity_verified="2026-03-17"),
    _req("R-009", "DS-00520", "Registerutdrag", D("2026-04-07"), D("2026-06-25"), identity_verified=D("2026-04-08"),
         extended="ja", extension_notified=D("2026-04-20"), notes="Omfattande utdrag, förlängning meddelad"),
    _req("R-010", "DS-00533", "erasure", D("2026-04-14"), D("2026-06-01"), extended="ja"),
    _req("R-011", "DS-00547", "Begränsning", D("2026-04-22"), D("2026-05-06")),
    _req("R-012", "DS-00560", "access", D("2026-05-04"), D("2026-05-18")),
    _req("R-013", "DS-00561", "access", D("2026-05-11"), D("2026-05-25"), identity_verified=D("2026-05-12"),
         outcome="delvis"),
    _req("R-014", "DS-00589", "Registerutdrag", D("2026-05-20"), D("2026-06-01"), outcome="avslagen",
         notes="Identiteten kunde inte styrkas"),
    _req("R-015", "DS-00602", "Invändning", D("2026-06-10"), D("2026-06-11"), notes="Vill inte få nyhetsbrev"),
    _req("R-016", "DS-00615", "Radering", D("2026-06-15"), D("2026-06-29"), outcome="avslagen",
         notes="Bokföringsunderlag måste sparas enligt bokföringslagen"),
    _req("R-017", "DS-00630", "erasure", D("2026-07-01"), D("2026-07-14"), outcome="klar"),
    _req("R-018", "DS-00644", "Rättelse", D("2026-07-20"), D("2026-07-22")),
    _req("R-019", "DS-00651", "access", D("2026-08-03"), D("2026-08-28"), identity_verified=D("2026-08-03"),
         extended=None),
    _req("R-020", "DS-00666", "portability", D("2026-08-10"), D("2026-09-07"), identity_verified=D("2026-08-11")),
    _req("R-021", "DS-00679", "Registerutdrag", sv_date(D("2026-08-20")), None, identity_verified=D("2026-08-21")),
    _req("R-022", "DS-00688", "objection", D("2026-09-01"), D("2026-09-01")),
    _req("R-023", "DS-00701", "Radering", D("2026-09-14"), D("2026-09-30"), identity_verified=D("2026-09-15"),
         outcome="klar"),
    _req("R-024", "DS-00715", "access", D("2026-10-05"), D("2026-10-20"), identity_verified=D("2026-10-06")),
    _req("R-025", "DS-00723", "Invändning", D("2026-10-12"), D("2026-10-13"), notes="Avregistrerad samma dag"),
    _req("R-026", "DS-00731", "access", D("2026-10-15"), None, identity_verified=D("2026-10-16"), extended=None),
]  # fmt: skip

DISCLOSURE_HEADERS = {
    "date": "Date",
    "activity_id": "Activity ID",
    "recipient": "Recipient",
    "recipient_role": "Recipient role",
    "legal_basis": "Legal basis",
    "data_categories": "Data categories",
    "reason": "Reason",
}
DISCLOSURES: list[dict[str, Any]] = [
    {"date": D("2025-12-04"), "activity_id": "A-05", "recipient": "Skatteverket", "recipient_role": "authority",
     "legal_basis": "Rättslig förpliktelse", "data_categories": "Namn; Kontouppgifter",
     "reason": "Kontrolluppgifter enligt skatteförfarandelagen"},
    {"date": D("2026-02-10"), "activity_id": "A-05", "recipient": "Skatteverket", "recipient_role": "myndighet",
     "legal_basis": "legal obligation", "data_categories": "Namn; Postadress; Kontouppgifter",
     "reason": "Begäran om uppgifter vid skatterevision"},
    {"date": D("2026-03-03"), "activity_id": "A-07", "recipient": "Carasent ASA", "recipient_role": "group company",
     "legal_basis": "Berättigat intresse", "data_categories": "Namn; E-post",
     "reason": "Koncerngemensam deltagarstatistik för kundeventet"},
    {"date": D("2026-05-20"), "activity_id": "A-02", "recipient": "Polismyndigheten", "recipient_role": "authority",
     "legal_basis": "Berättigat intresse", "data_categories": "Namn; E-post; Telefonnummer",
     "reason": "Polisen bad om kontaktuppgifter i en bedrägeriutredning; inget föreläggande"},
    {"date": D("2026-09-08"), "activity_id": "A-02", "recipient": "Polismyndigheten", "recipient_role": "myndighet",
     "legal_basis": "Rättslig förpliktelse", "data_categories": "Namn; Telefonnummer",
     "reason": "Föreläggande att lämna ut uppgifter"},
]  # fmt: skip

# --- record extracts: column-wise draws ----------------------------------------------------------

NAT = np.datetime64("NaT", "D")
UPCOMING_EVENTS = ["2026-10-14", "2026-10-22", "2026-11-12", "2026-11-26", "2026-12-03", "2027-01-21", "2027-02-11"]
PAST_EVENTS = ["2025-03-20", "2025-05-15", "2025-09-25", "2025-11-13", "2026-03-19"]
WEBINARS = ["2026-10-21", "2026-11-05", "2026-11-19", "2026-12-10", "2027-01-14"]
# Planted proportions (of the activity's records in that system).
SHARE = {
    "crm_suppliers": 0.15,  # A-15 of S-CRM
    "crm_ended": 0.35,  # A-02 contracts that ended (kept 7 years: fine)
    "crm_declined": 0.025,  # A-02 declined deals still kept: RET-03
    "news_overdue": 0.0274,  # A-10 unsubscribed more than the grace ago: RET-03
    "news_recent": 0.012,  # A-10 unsubscribed within the grace: fine
    "event_signup": 0.70,  # A-07 of S-EVENT (rest A-14 webinars)
    "event_past": 0.08,  # A-07 signups for events long past: RET-03
    "webinar_no_date": 0.03,  # A-14 signups without event_date: RET-05
}
DATE_COLUMNS = {
    "S-CRM": ["collected", "contract_end", "deal_declined", "last_contact"],
    "S-NEWS": ["collected", "unsubscribed", "last_contact"],
    "S-EVENT": ["collected", "event_date"],
    "S-ERP": ["collected", "fiscal_year_end"],
}
PREFIX = {"S-CRM": "CRM", "S-NEWS": "NEWS", "S-EVENT": "EVT", "S-ERP": "ERP"}


def _d(value: str | date) -> np.datetime64:
    return np.datetime64(str(value), "D")


def _between(rng: np.random.Generator, lo: Any, hi: Any, n: int) -> np.ndarray:
    """Uniform dates in [lo, hi] (scalars or per-row arrays), as datetime64[D]."""
    lo_a = np.asarray(lo, dtype="datetime64[D]")
    hi_a = np.asarray(hi, dtype="datetime64[D]")
    span = np.maximum((hi_a - lo_a).astype(np.int64), 0)
    return lo_a + rng.integers(0, span + 1, size=n).astype("timedelta64[D]")


def _back(rng: np.random.Generator, end: np.ndarray, lo_days: int, hi_days: int) -> np.ndarray:
    """Dates ``lo_days``..``hi_days`` before ``end``: a record is collected before the event that ends it."""
    return end - rng.integers(lo_days, hi_days + 1, size=len(end)).astype("timedelta64[D]")


def _count(n: int, share: float) -> int:
    """A planted group's size: the same proportion at any scale, never zero (the gap must exist)."""
    return max(1, int(round(n * share)))


@dataclass
class _Segment:
    """Rows of one kind (activity × situation) before the extract is assembled."""

    activity: str
    tag: str  # "" for compliant rows, else the planted rule (RET-03, RET-05)
    dates: dict[str, np.ndarray]
    n: int
    fixed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (subject number, date overrides)


@dataclass
class Extract:
    """One generated record extract, column arrays in file order."""

    system_id: str
    activity: np.ndarray
    subject: np.ndarray
    dates: dict[str, np.ndarray]
    tag: np.ndarray

    def __len__(self) -> int:
        return len(self.subject)


def _assemble(sid: str, segments: list[_Segment], subjects: np.ndarray) -> Extract:
    """Concatenate segments, place the fixed subjects, order by collection date (as systems export)."""
    cols = DATE_COLUMNS[sid]
    dates = {c: np.concatenate([s.dates.get(c, np.full(s.n, NAT)) for s in segments]) for c in cols}
    activity = np.concatenate([np.full(s.n, s.activity, dtype="<U4") for s in segments])
    tag = np.concatenate([np.full(s.n, s.tag, dtype="<U6") for s in segments])
    subjects = subjects.copy()
    start = 0
    for seg in segments:
        for i, (number, overrides) in enumerate(seg.fixed):
            subjects[start + i] = number
            for col, value in overrides.items():
                dates[col][start + i] = _d(value) if value is not None else NAT
        start += seg.n
    order = np.argsort(dates["collected"], kind="stable")
    return Extract(sid, activity[order], subjects[order], {c: a[order] for c, a in dates.items()}, tag[order])


def _crm(rng: np.random.Generator, n: int, subjects: np.ndarray) -> Extract:
    as_of = _d(SAMPLE_AS_OF)
    n15 = int(round(n * SHARE["crm_suppliers"]))
    n02 = n - n15
    n_decl = _count(n02, SHARE["crm_declined"])
    n_end = int(round(n02 * SHARE["crm_ended"]))
    n_on = n02 - n_decl - n_end

    def ongoing(k: int) -> dict[str, np.ndarray]:
        collected = _between(rng, "2017-01-01", as_of - 1, k)
        return {"collected": collected, "last_contact": _between(rng, collected, as_of - 1, k)}

    def ended(k: int, first_end: str) -> dict[str, np.ndarray]:
        end = _between(rng, first_end, "2026-10-15", k)
        return {"contract_end": end, "collected": _back(rng, end, 200, 2500), "last_contact": _back(rng, end, 0, 60)}

    declined = _between(rng, "2023-01-01", "2026-04-30", n_decl)
    n15_end = int(round(n15 * 0.2))
    # The erased person (DSR-03) and a few requesters are ordinary ongoing CRM contacts.
    fixed = [(318, {}), (42, {}), (213, {}), (501, {}), (651, {})]
    segments = [
        _Segment("A-02", "", ongoing(n_on), n_on, fixed),
        _Segment("A-02", "", ended(n_end, "2019-12-01"), n_end),
        _Segment(
            "A-02",
            "RET-03",
            {"deal_declined": declined, "collected": _back(rng, declined, 14, 240), "last_contact": declined},
            n_decl,
        ),
        _Segment("A-15", "", ongoing(n15 - n15_end), n15 - n15_end),
        _Segment("A-15", "", ended(n15_end, "2021-01-01"), n15_end),
    ]
    return _assemble("S-CRM", segments, subjects)


def _news(rng: np.random.Generator, n: int, subjects: np.ndarray) -> Extract:
    as_of = _d(SAMPLE_AS_OF)
    n_over = _count(n, SHARE["news_overdue"])
    n_recent = _count(n, SHARE["news_recent"])
    n_sub = n - n_over - n_recent
    collected = _between(rng, "2018-01-01", as_of - 1, n_sub)
    subscribed = {"collected": collected, "last_contact": _between(rng, collected, "2026-10-28", n_sub)}

    def unsubscribed(lo: str, hi: str, k: int) -> dict[str, np.ndarray]:
        unsub = _between(rng, lo, hi, k)
        return {
            "unsubscribed": unsub,
            "collected": _back(rng, unsub, 30, 2000),
            "last_contact": _back(rng, unsub, 0, 20),
        }

    fixed = [
        # DSR-04: objected 2026-06-10, still subscribed and mailed since.
        (602, {"collected": "2023-04-11", "last_contact": "2026-09-15", "unsubscribed": None}),
        # Compliant objector: unsubscribed the day the objection was handled, no mailing after.
        (723, {"collected": "2022-02-02", "last_contact": "2026-10-01", "unsubscribed": "2026-10-13"}),
    ]
    segments = [
        _Segment("A-10", "", subscribed, n_sub, fixed),
        _Segment("A-10", "", unsubscribed("2026-10-10", "2026-10-31", n_recent), n_recent),
        _Segment("A-10", "RET-03", unsubscribed("2023-06-01", "2026-08-31", n_over), n_over),
    ]
    return _assemble("S-NEWS", segments, subjects)


def _event(rng: np.random.Generator, n: int, subjects: np.ndarray) -> Extract:
    last = _d(SAMPLE_AS_OF) - 1
    n07 = int(round(n * SHARE["event_signup"]))
    n14 = n - n07
    n_past = _count(n07, SHARE["event_past"])
    n_nodate = _count(n14, SHARE["webinar_no_date"])

    def signups(events: list[str], k: int) -> dict[str, np.ndarray]:
        when = np.array(events, dtype="datetime64[D]")[rng.integers(0, len(events), size=k)]
        return {"event_date": when, "collected": np.minimum(_back(rng, when, 3, 75), last)}

    segments = [
        _Segment("A-07", "", signups(UPCOMING_EVENTS, n07 - n_past), n07 - n_past),
        _Segment("A-07", "RET-03", signups(PAST_EVENTS, n_past), n_past),
        _Segment("A-14", "", signups(WEBINARS, n14 - n_nodate), n14 - n_nodate),
        _Segment("A-14", "RET-05", {"collected": _between(rng, "2026-05-01", last, n_nodate)}, n_nodate),
    ]
    return _assemble("S-EVENT", segments, subjects)


def _erp(rng: np.random.Generator, n: int, subjects: np.ndarray) -> Extract:
    collected = _between(rng, "2019-01-01", _d(SAMPLE_AS_OF) - 1, n)
    year_end = (collected.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
    # Records migrated from the old ERP (before 2022) carry no fiscal_year_end: the calendar year counts.
    fiscal = np.where(collected >= _d("2022-01-01"), year_end, NAT)
    # The refused erasure (R-016): kept lawfully as bookkeeping.
    fixed = [(615, {})]
    segment = _Segment("A-05", "", {"collected": collected, "fiscal_year_end": fiscal}, n, fixed)
    return _assemble("S-ERP", [segment], subjects)


def generate_records(seed: int, sizes: dict[str, int]) -> dict[str, Extract]:
    """All four extracts for ``sizes`` (system_id -> rows), drawn from one seeded Generator.

    People are numbered from one pool shared by the extracts, so the same
    person (same subject_ref, name and e-mail) can be a CRM contact, a
    newsletter subscriber and an event participant, as in a real company.
    """
    small = {sid: n for sid, n in sizes.items() if n < 100}
    if small:
        raise ValueError(f"record extracts need at least 100 rows each, got {small}")
    rng = np.random.default_rng(seed)
    pool = int(max(sizes.values()) * 1.25)
    subjects = {
        "S-CRM": rng.choice(pool, size=sizes["S-CRM"], replace=False),
        "S-NEWS": rng.choice(pool, size=sizes["S-NEWS"], replace=False),
        "S-EVENT": rng.integers(0, pool, size=sizes["S-EVENT"]),
        "S-ERP": rng.integers(0, pool, size=sizes["S-ERP"]),
    }
    builders = {"S-CRM": _crm, "S-NEWS": _news, "S-EVENT": _event, "S-ERP": _erp}
    return {sid: build(rng, sizes[sid], subjects[sid] + POOL_START) for sid, build in builders.items()}


def _name_columns(subject: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """Name and e-mail from the subject number, so a person is spelled the same in every extract."""
    first = np.array(FIRST_NAMES)
    last = np.array(LAST_NAMES)
    first_ascii = np.array([f.translate(_ASCII).lower() for f in FIRST_NAMES])
    last_ascii = np.array([s.translate(_ASCII).lower() for s in LAST_NAMES])
    fi = (subject * 7919 + 13) % len(FIRST_NAMES)
    li = (subject // 3 * 104729 + subject) % len(LAST_NAMES)
    name = pc.binary_join_element_wise(pa.array(first[fi]), pa.array(last[li]), " ")
    number = pc.cast(pa.array(subject), pa.string())
    email = pc.binary_join_element_wise(
        pa.array(first_ascii[fi]), ".", pa.array(last_ascii[li]), ".", number, "@example.com", ""
    )
    return name, email


def extract_table(ext: Extract) -> pa.Table:
    """The extract as written: record_id, subject_ref, activity_id, name, email, date anchors."""
    n = len(ext)
    width = max(6, len(str(n)))
    seq = pc.cast(pa.array(np.arange(1, n + 1)), pa.string())
    record_id = pc.binary_join_element_wise(PREFIX[ext.system_id] + "-", pc.utf8_lpad(seq, width, "0"), "")
    subject_ref = pc.binary_join_element_wise(
        "DS-", pc.utf8_lpad(pc.cast(pa.array(ext.subject), pa.string()), 5, "0"), ""
    )
    name, email = _name_columns(ext.subject)
    columns = {
        "record_id": record_id,
        "subject_ref": subject_ref,
        "activity_id": pa.array(ext.activity),
        "name": name,
        "email": email,
    }
    for col, values in ext.dates.items():
        columns[col] = pa.array(values, type=pa.date32(), from_pandas=True)
    return pa.table(columns)


def write_extract(table: pa.Table, path: Path) -> None:
    """Write an extract as CSV (unquoted, ISO dates, blank = missing), Parquet or xlsx, by suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        with path.open("wb") as out:
            out.write((",".join(table.column_names) + "\n").encode())
            pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    elif path.suffix == ".parquet":
        pq.write_table(table, path)
    elif path.suffix == ".xlsx":
        frame = table.to_pandas(date_as_object=True)
        sheet = _Sheet(path.stem, list(frame.columns), frame.astype(object).where(frame.notna(), None).values.tolist())
        _write_workbook(path, [sheet])
    else:
        raise ValueError(f"{path}: unsupported extract format (use {', '.join(RECORD_FORMATS)})")


# --- workbooks ------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    headers: list[str]
    rows: list[list[Any]]
    titles: list[str] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        """Excel row number of the first data row (after title rows and the header)."""
        return len(self.titles) + 2


def _sheet(name: str, headers: dict[str, str], rows: list[dict[str, Any]], titles: list[str] | None = None) -> _Sheet:
    return _Sheet(name, list(headers.values()), [[r.get(k) for k in headers] for r in rows], list(titles or []))


def _write_workbook(path: Path, sheets: list[_Sheet]) -> None:
    """Write an xlsx with real date cells, then fix its timestamps so the bytes do not depend on when it ran."""
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for i, title in enumerate(spec.titles, start=1):
            ws.cell(row=i, column=1, value=title).font = Font(bold=True, size=14 if i == 1 else 11)
        header_row = len(spec.titles) + 1
        for j, header in enumerate(spec.headers, start=1):
            cell = ws.cell(row=header_row, column=j, value=header)
            cell.font = bold
            cell.fill = fill
        for i, values in enumerate(spec.rows, start=header_row + 1):
            for j, value in enumerate(values, start=1):
                cell = ws.cell(row=i, column=j, value=value)
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str) and "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for j, header in enumerate(spec.headers, start=1):
            longest = max([len(str(header))] + [len(str(r[j - 1]).split("\n")[0]) for r in spec.rows[:200]])
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, longest + 2))
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    wb.properties.creator = "tools.sample"
    wb.properties.created = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    _normalise_zip(buffer.getvalue(), path)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _normalise_zip(data: bytes, path: Path) -> None:
    """Rewrite an xlsx with a fixed entry timestamp and modification date (openpyxl stamps the wall clock)."""
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            out.writestr(entry, content)


# --- the expected findings ------------------------------------------------------------------------

EXPECTED_COLUMNS = ["rule", "subject", "what"]


_LOCATIONS = {
    "activity": ("activities.xlsx › Activities", ACTIVITIES, "activity_id", len(ACTIVITY_TITLES) + 2),
    "system": ("inventory.xlsx › Systems", SYSTEMS, "system_id", 2),
    "vendor": ("inventory.xlsx › Vendors", VENDORS, "vendor", 2),
    "request": ("requests.xlsx › Requests", REQUESTS, "request_id", 2),
}


def _at(kind: str, key: str) -> str:
    """``file › sheet › row N`` of a fixture row, computed from its position so it cannot go stale."""
    where, rows, column, first = _LOCATIONS[kind]
    return f"{where} › row {first + next(i for i, r in enumerate(rows) if r[column] == key)}"


def _record_gap(ext: Extract, file: str, tag: str, activity: str, anchor: str, what: str) -> str:
    """Describe a planted record group with its count, share, oldest anchor date and example lines."""
    mask = (ext.tag == tag) & (ext.activity == activity)
    group = int((ext.activity == activity).sum())
    lines = np.flatnonzero(mask)[:3] + 2  # CSV line numbers (header = line 1)
    oldest = ext.dates[anchor][mask].min() if anchor else None
    when = f", oldest {anchor} {oldest}" if oldest is not None and not np.isnat(oldest) else ""
    return (
        f"{int(mask.sum()):,} of {group:,} {activity} records {what}{when} — "
        f"{file} › rows {', '.join(map(str, lines))}, …"
    )


def expected_findings(extracts: dict[str, Extract], files: dict[str, str]) -> pd.DataFrame:
    """The findings an audit of the sample at :data:`SAMPLE_AS_OF` must produce (POL rules aside).

    Parameters
    ----------
    extracts
        The generated extracts (counts in the descriptions follow their size).
    files
        system_id -> extract file name as written (``records/S-CRM.csv``).
    """
    disc_row = 2 + next(i for i, d in enumerate(DISCLOSURES) if d["recipient"] == "Polismyndigheten")
    rows = [
        ("REG-01", "A-13", f"Recruitment (Rekrytering) has no Policyavsnitt: the policy does not disclose it — {_at('activity', 'A-13')}"),
        ("REG-02", "P-CASE-FILMS", f"No register row cites P-CASE-FILMS though the film agency Northlight Films Ltd is in the inventory — {_at('vendor', 'Northlight Films Ltd')}"),
        ("REG-03", "A-01:ip_address", f"Web-form inquiries list IP-adress, which P-INQUIRY does not — {_at('activity', 'A-01')}"),
        ("REG-04", "A-06", f"Surveys on Samtycke (consent); the policy says Berättigat intresse — {_at('activity', 'A-06')}"),
        ("REG-05", "A-08:security_measures", f"Event photo/film row has no Säkerhetsåtgärder — {_at('activity', 'A-08')}"),
        ("REG-06", "A-13", f"Recruitment started 1 september 2025, after the policy version 2024-05-16, which does not cover it — {_at('activity', 'A-13')}"),
        ("REG-06", "A-15", f"Supplier contacts last reviewed 15 juni 2025, more than 12 months before the as-of date — {_at('activity', 'A-15')}"),
        ("REC-01", "A-10:Adtrack Nordic AB", f"Newsletter list shared with an advertising network (Annonsnätverk), a category P-NEWSLETTER does not name — {_at('activity', 'A-10')}; {_at('vendor', 'Adtrack Nordic AB')}"),
        ("REC-02", "Redovisningsbyrån Väst AB", f"Accounting consultant (processor) with no DPA signed — {_at('vendor', 'Redovisningsbyrån Väst AB')}"),
        ("REC-03", "A-07:Carasent Danmark ApS", f"Event sign-ups shared with a group company §6 does not name — {_at('activity', 'A-07')}; {_at('vendor', 'Carasent Danmark ApS')}"),
        ("REC-04", "P-NEWSLETTER:group_company", f"P-NEWSLETTER names group companies as recipients, but its only register row, A-10, shares with none — {_at('activity', 'A-10')}"),
        ("REC-05", "A-02:Polismyndigheten:2026-05-20", f"Disclosure to the police on Berättigat intresse, not a legal obligation — disclosures.xlsx › Disclosures › row {disc_row}"),
        ("TRF-01", "Kaveri Support Services Pvt Ltd:IN", f"Support access from India with no SCC (mechanism ingen) — {_at('vendor', 'Kaveri Support Services Pvt Ltd')}"),
        ("TRF-02", "SurveyPeak Inc.:US", f"US vendor claims an adequacy decision but is not DPF-certified — {_at('vendor', 'SurveyPeak Inc.')}"),
        ("TRF-03", "LearnCloud Ltd:PH", f"Support access from the Philippines on BCR, a ground §7 does not name — {_at('vendor', 'LearnCloud Ltd')}"),
        ("TRF-04", "Vidstream Media Inc.:US", f"SCC with no transfer impact assessment — {_at('vendor', 'Vidstream Media Inc.')}"),
    ]  # fmt: skip
    transfers = [
        ("FormBridge Inc.", "US", "hosting in the United States on SCC with TIA"),
        ("Kaveri Support Services Pvt Ltd", "IN", "support access from India, no safeguard"),
        ("LearnCloud Ltd", "PH", "support access from the Philippines on BCR"),
        ("MailOrbit Inc.", "US", "hosting in the United States, DPF-certified"),
        ("Northlight Films Ltd", "GB", "established in the United Kingdom (adequacy decision)"),
        ("SurveyPeak Inc.", "US", "hosting in the United States, adequacy claimed without DPF"),
        ("Vidstream Media Inc.", "US", "hosting in the United States on SCC without TIA"),
    ]
    rows += [("TRF-05", f"{v}:{c}", f"Transfer register: {what} — {_at('vendor', v)}") for v, c, what in transfers]
    crm, news, event = (extracts[s] for s in MAIN_EXTRACTS)
    rows += [
        ("RET-01", "A-01:S-FORM", f"Form tool configured to keep 90 days; P-INQUIRY allows 30 — {_at('system', 'S-FORM')}"),
        ("RET-02", "A-04:S-DMS", f"Contract archive (7-year retention) has no automatic deletion — {_at('system', 'S-DMS')}"),
        ("RET-03", "A-02:S-CRM", _record_gap(crm, files["S-CRM"], "RET-03", "A-02", "deal_declined", "for declined deals still kept")),
        ("RET-03", "A-07:S-EVENT", _record_gap(event, files["S-EVENT"], "RET-03", "A-07", "event_date", f"for events held more than {GRACE_DAYS} days before the as-of date")),
        ("RET-03", "A-10:S-NEWS", _record_gap(news, files["S-NEWS"], "RET-03", "A-10", "unsubscribed", f"unsubscribed more than {GRACE_DAYS} days before the as-of date")),
        ("RET-04", "A-09", f"Training kept 2 år efter genomförd utbildning; the policy deletes after the training — {_at('activity', 'A-09')}"),
        ("RET-05", "A-14:S-EVENT", _record_gap(event, files["S-EVENT"], "RET-05", "A-14", "", "without event_date")),
        ("DSR-01", "R-007", f"Access received 2026-03-02, answered 2026-04-15 (due 2026-04-02) — {_at('request', 'R-007')}"),
        ("DSR-01", "R-010", f"Erasure received 2026-04-14 marked extended but no extension notified; answered 2026-06-01 (due 2026-05-14) — {_at('request', 'R-010')}"),
        ("DSR-02", "R-021", f"Access received 20 augusti 2026, still open (due 2026-09-20) — {_at('request', 'R-021')}"),
        ("DSR-03", "R-005", f"Erasure of DS-00318 completed 2026-02-20, yet DS-00318 is still in {files['S-CRM']} — {_at('request', 'R-005')}"),
        ("DSR-04", "R-015", f"DS-00602 objected 2026-06-10 but is still in {files['S-NEWS']} with no unsubscribed date (mailed 2026-09-15) — {_at('request', 'R-015')}"),
        ("DSR-05", "R-012", f"Access completed 2026-05-18 with no identity check recorded — {_at('request', 'R-012')}"),
        ("SEC-01", "S-EVENT", f"Event system not encrypted at rest — {_at('system', 'S-EVENT')}"),
        ("SEC-02", "S-HR", f"In-house HR folder has no backup — {_at('system', 'S-HR')}"),
        ("SEC-03", "S-ESIGN", f"Last security test 2025-04-10, more than 12 months before the as-of date — {_at('system', 'S-ESIGN')}"),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=EXPECTED_COLUMNS)
    order = {rule: i for i, rule in enumerate(reference("rules")["rules"])}  # the catalogue's order: REG, REC, ...
    out["_order"] = out["rule"].map(order)
    return out.sort_values(["_order", "subject"], kind="stable").drop(columns="_order").reset_index(drop=True)


COMPLIANT = [
    "REG: every other row has a Policyavsnitt, all Art. 30(1) fields, data categories and legal bases as the policy "
    "words them (P-CRM rows: Berättigat intresse; Avtal; Rättslig förpliktelse) and a review date in 2026.",
    "REG/RET/REC on out-of-scope rows: A-11 (P-PROCESSOR, personuppgiftsbiträde, health data) and A-12 (P-COOKIES, "
    "consent) are not compared with the policy; A-13 (no Policyavsnitt) gives REG-01, and REG-06 because it started (Startdatum 1 september 2025) after the policy version.",
    "REC: Carasent Norge AS (A-07) and Carasent ASA (A-13, disclosure 2026-03-03) are group companies §6 names; "
    "every other processor and sub-processor has a DPA date; Skatteverket twice and Polismyndigheten on 2026-09-08 "
    "received data on Rättslig förpliktelse.",
    "TRF: FormBridge Inc. (SCC with TIA), MailOrbit Inc. (DPF-certified), Northlight Films Ltd (United Kingdom, "
    "adequacy renewed until 2031) appear in TRF-05 only; LinkedIn Ireland, Carasent ASA/Norge AS (NO) and Carasent "
    "Danmark ApS (DK) are in the EU/EEA; the in-house vendor `internal` transfers nothing.",
    "RET-01: S-SURVEY keeps 365 days, within P-SURVEY's 1 year. RET-02: every other system deletes automatically.",
    f"RET-03: A-07 events within the last {GRACE_DAYS} days (2026-10-14, 2026-10-22) and upcoming; A-10 unsubscribes "
    f"within the last {GRACE_DAYS} days; A-02/A-15 contracts ended from 2019-12-01 on (7 years not yet passed); "
    "A-05 bookkeeping from 2019 (7 years from the end of 2019 = 2026-12-31, not from the invoice date).",
    "RET-05: a blank contract_end (contract ongoing), deal_declined (not declined) or unsubscribed (still subscribed) "
    "is not a missing anchor; S-ERP rows before 2022 have no fiscal_year_end and count from the calendar year of "
    "`collected`.",
    "DSR-01: R-001 received 2024-01-31 answered 2024-02-29 and R-004 received 2026-01-31 answered 2026-02-28 "
    "(month-end, on time); R-009 extended with notice on 2026-04-20, answered within three months.",
    "DSR-02: R-026 is open but within its deadline (2026-11-15).",
    "DSR-03: R-017 and R-023 erasures leave no trace in any extract; R-016 was refused (bookkeeping) and its "
    "subject DS-00615 is rightly still in S-ERP.",
    "DSR-04: R-025's subject DS-00723 is in S-NEWS, unsubscribed the day the objection was handled and not mailed "
    "after; R-006 and R-022 objectors are not on the list at all.",
    "DSR-05: R-014 (access refused, identity not proven: nothing disclosed) and R-003/R-018 (rectification) have no "
    "identity check and are fine.",
    "SEC: every other system is encrypted, backed up and tested since 2026-01.",
]
READINGS = [
    "An activity without Policyavsnitt (A-13) gives REG-01 (and REG-06 for its start after the policy version), and nothing that compares it with a policy activity.",
    "Rows citing an out-of-scope policy activity (P-PROCESSOR, P-COOKIES) are not compared with the policy "
    "(REG-03/04, REC-01/04, RET-01/02/04); they still need every Art. 30 field and a recent review.",
    "REC-04 is judged for policy activities that have a register row; an unregistered one (P-CASE-FILMS) is REG-02 only.",
    "The section-6 recipients (group companies the policy names, IT and accounting-system processors, authorities on "
    "a legal obligation) are allowed for every activity; a system vendor's category is its system's "
    "`Recipient category`, other recipients' the vendor's `Category`.",
    "A system's data categories are checked against every activity that uses it (S-CRM serves P-INQUIRY and P-CRM, "
    "so it lists only what both allow).",
    f"Event, training and unsubscribe deletions allow the {GRACE_DAYS}-day grace of settings.yaml; the planted "
    "declined deals are all older than 6 months, so they are overdue with or without a grace.",
    "A configured retention of 365 days is within a policy period of 1 year.",
]
INPUT_VARIETY = [
    "Activities: Swedish IMY-style headers under two title rows (header on row 3), an extra `Kommentar` column.",
    "Dates as Excel date cells, ISO text (`2026-03-16`) and Swedish text (`1 mars 2026`).",
    "Lists separated by `;`, by `,` (A-02) and by line breaks (A-04).",
    "Countries as `SE`, `Sweden`, `Sverige`, `USA`, `United States`, `US`, `IN`, `Indien`, `Ireland`, `Norge`, "
    "`NO`, `DK`, `United Kingdom`, `Philippines`, `Filippinerna`.",
    "Yes/no as `yes`, `no`, `ja`, `nej`, `x`; blank `Extended` (= not extended); rights and outcomes in English and "
    "Swedish (`Registerutdrag`, `Radering`, `Invändning`, `klar`, `avslagen`, `delvis`); roles in English and Swedish.",
    "Requests and disclosures carry an extra `Notes` column or Swedish free text.",
]


def _readme(expected: pd.DataFrame, summary: dict[str, Any]) -> str:
    counts = "\n".join(f"| `{name}` | {rows} |" for name, rows in summary["files"].items())
    table = "\n".join(f"| {r.rule} | `{r.subject}` | {r.what} |" for r in expected.itertuples())
    return f"""# Sample organisation: Carasent Sverige AB (fictional data)

A realistic but entirely fictional data folder for the privacy policy in
`data/policy/integritetspolicy.txt` (Carasent Sverige AB, version 2024-05-16).
The company sells health-care software: it keeps a CRM of customers and
prospects, signs contracts electronically, runs customer events, webinars and
trainings, sends newsletters and, for its customers' patient records, acts as
processor. All people, subject references (`DS-…`), e-mail addresses
(`@example.com`) and vendors other than the group companies the policy names
are invented.

**Reference as-of date: {SAMPLE_AS_OF.isoformat()}.** Every planted gap is a gap on
that date; audit with `--as-of {SAMPLE_AS_OF.isoformat()}`. No file depends on when it
was generated.

Regenerate (byte-for-byte identical for the same seed):

```bash
.venv/bin/python -m tools.sample data/sample
```

`tools.sample.write_sample(out_dir, seed=..., records_scale=..., record_rows=...,
records_format=...)` writes larger or differently formatted copies (planted
record gaps keep their proportions).

## Files

| file | rows |
| --- | --- |
{counts}

- `activities.xlsx` › `Activities`: the Art. 30 register, {len(ACTIVITIES)} rows, **Swedish**
  IMY-style headers (`Nr`, `Behandling`, `Policyavsnitt`, `Roll`, `Ändamål`,
  `Rättslig grund`, …) under **two title rows** (header on row 3, data from
  row 4); one processor row (A-11, personuppgiftsbiträde, P-PROCESSOR).
- `inventory.xlsx` › `Systems` ({len(SYSTEMS)} systems) and `Vendors` ({len(VENDORS)} recipients:
  processors, a sub-processor, group companies, authorities, an event
  partner, a marketing platform, `internal`), **English** headers, some of
  them aliases (`Data location`, `Encryption`, `Last pentest`, `Support countries`).
- `requests.xlsx` › `Requests`: {len(REQUESTS)} data-subject requests, rights in English
  and Swedish.
- `disclosures.xlsx` › `Disclosures`: {len(DISCLOSURES)} one-off disclosures.
- `records/S-CRM.csv`, `records/S-NEWS.csv`, `records/S-EVENT.csv`: UTF-8
  CSV, unquoted, ISO dates, blank = no date; `records/S-ERP.parquet`
  (date32 columns). Columns: `record_id`, `subject_ref`, `activity_id`,
  `name`, `email` and the activity's date anchors (`collected`,
  `contract_end`, `deal_declined`, `last_contact`, `unsubscribed`,
  `event_date`, `fiscal_year_end`). Row N of a CSV is line N (header = 1).
- `expected_findings.csv`: `rule, subject, what`: every finding an audit at
  the as-of date must produce outside the POL rules (those come from the
  policy text, not from this folder). Subjects follow
  `data/reference/rules.yaml`.
- `expected_policy_findings.csv`: the POL findings the policy text itself
  must produce (maintained by hand from the policy, not generated); an audit
  of this folder finds the union of the two files, nothing more.

## Planted gaps

Exactly these findings, no more and no fewer (POL rules aside):

| rule | subject | what |
| --- | --- | --- |
{table}

## Deliberately compliant counterparts

{chr(10).join("- " + line for line in COMPLIANT)}

## How the expected list reads the rules

{chr(10).join("- " + line for line in READINGS)}

## Input variety that must not produce input issues

{chr(10).join("- " + line for line in INPUT_VARIETY)}
"""


# --- entry points ---------------------------------------------------------------------------------


def _sizes(records_scale: float, record_rows: int | None) -> dict[str, int]:
    sizes = {sid: max(100, int(round(n * records_scale))) for sid, n in DEFAULT_ROWS.items()}
    if record_rows is not None:
        sizes.update(dict.fromkeys(MAIN_EXTRACTS, int(record_rows)))
    return sizes


def write_sample(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    records_scale: float = 1.0,
    record_rows: int | None = None,
    records_format: str = "csv",
) -> dict:
    """Write the sample organisation into ``out_dir`` (created if needed).

    Parameters
    ----------
    out_dir
        Target folder; files of the same names are replaced, nothing else is touched.
    seed
        Seed of the record extracts (the workbooks are fixed fixtures).
    records_scale
        Multiplies every extract's default size.
    record_rows
        Rows of each of S-CRM, S-NEWS and S-EVENT, overriding the scale (the
        benchmark uses 1,000,000); planted record gaps keep their proportions.
    records_format
        ``csv`` (default), ``parquet`` or ``xlsx`` for those three extracts;
        S-ERP is always Parquet, so a folder always mixes formats.

    Returns
    -------
    dict
        ``out_dir``, ``as_of``, ``seed``, ``files`` (relative path -> data rows) and ``expected_findings``.
    """
    if records_format not in RECORD_FORMATS:
        raise ValueError(f"records_format must be one of {', '.join(RECORD_FORMATS)}, got {records_format!r}")
    out_dir = Path(out_dir)
    (out_dir / "records").mkdir(parents=True, exist_ok=True)
    files: dict[str, int] = {}
    system_rows = [dict(s) for s in SYSTEMS]
    extracts = generate_records(seed, _sizes(records_scale, record_rows))
    names: dict[str, str] = {}
    for sid, ext in extracts.items():
        suffix = "parquet" if sid == "S-ERP" else records_format
        names[sid] = f"records/{sid}.{suffix}"
        for stale in RECORD_FORMATS:  # a previous run in another format must not leave a second extract
            (out_dir / "records" / f"{sid}.{stale}").unlink(missing_ok=True)
        write_extract(extract_table(ext), out_dir / names[sid])
        files[names[sid]] = len(ext)
        next(s for s in system_rows if s["system_id"] == sid)["record_count"] = len(ext)
    _write_workbook(out_dir / "activities.xlsx", [_sheet("Activities", ACTIVITY_HEADERS, ACTIVITIES, ACTIVITY_TITLES)])
    _write_workbook(
        out_dir / "inventory.xlsx",
        [_sheet("Systems", SYSTEM_HEADERS, system_rows), _sheet("Vendors", VENDOR_HEADERS, VENDORS)],
    )
    _write_workbook(out_dir / "requests.xlsx", [_sheet("Requests", REQUEST_HEADERS, REQUESTS)])
    _write_workbook(out_dir / "disclosures.xlsx", [_sheet("Disclosures", DISCLOSURE_HEADERS, DISCLOSURES)])
    files = {
        "activities.xlsx › Activities": len(ACTIVITIES),
        "inventory.xlsx › Systems": len(SYSTEMS),
        "inventory.xlsx › Vendors": len(VENDORS),
        "requests.xlsx › Requests": len(REQUESTS),
        "disclosures.xlsx › Disclosures": len(DISCLOSURES),
        **files,
    }
    expected = expected_findings(extracts, names)
    expected.to_csv(out_dir / "expected_findings.csv", index=False, lineterminator="\n")
    summary = {
        "out_dir": str(out_dir),
        "as_of": SAMPLE_AS_OF.isoformat(),
        "seed": seed,
        "files": files,
        "expected_findings": len(expected),
    }
    (out_dir / "README.md").write_text(_readme(expected, summary), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.sample [OUT_DIR]``: (re)write the sample folder and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m tools.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--records-scale", type=float, default=1.0)
    parser.add_argument("--record-rows", type=int, default=None)
    parser.add_argument("--records-format", choices=RECORD_FORMATS, default="csv")
    args = parser.parse_args(argv)
    try:
        summary = write_sample(
            args.out_dir,
            seed=args.seed,
            records_scale=args.records_scale,
            record_rows=args.record_rows,
            records_format=args.records_format,
        )
    except (ValueError, OSError) as exc:
        print(f"tools.sample: {exc}", file=sys.stderr)
        return 2
    for name, rows in summary["files"].items():
        print(f"{rows:>10,}  {name}")
    print(f"{summary['expected_findings']:>10,}  expected findings (as of {summary['as_of']}) in {summary['out_dir']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
