"""A finding never contradicts the data (issue 10, item 3).

A value that is in the file but could not be read (``1/3/2022`` without a
date order, ``kanske`` for yes/no) is blank in the loaded frame, like an
absent one. ``Inputs.unreadable`` lists those cells, derived from the input
issues; every rule that reports an absent value words an ``unreadable`` case
instead ("... is recorded as a date which could not be read (see input
issue: file › sheet › row N, column X)").
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from audit.inputs import load_inputs
from audit.inputs.model import Inputs
from audit.rules.findings import FINDING_COLUMNS
from audit.rules.registry import run_family, run_rules
from tests.conftest import ACTIVITIES, SYSTEMS, VENDORS, VENDORS_HEADER, tables
from tests.factories import activity, make_ctx, make_inputs, system, with_issues

Folder = Callable[..., Path]
AMBIGUOUS = "ambiguous date: day and month could be either way round (pass date_order 'DMY' or 'MDY')"
REQUESTS_HEADER = [
    "Ärende",
    "Registrerad",
    "Rättighet",
    "Inkommen",
    "Identitet kontrollerad",
    "Förlängd",
    "Avslutad",
    "Utfall",
]


def planted_folder(tmp_path: Path) -> Path:
    """The base folder with one unreadable value in every column a rule may report as absent."""
    from tests.conftest import build_folder

    acts = copy.deepcopy(ACTIVITIES)
    acts[0][13] = "1/3/2025"  # Senast granskad: REG-06
    acts[0][5] = "magkänsla"  # Rättslig grund: REG-04
    systems = copy.deepcopy(SYSTEMS)
    systems[0][7:10] = ["kanske", "kanske", "1/3/2026"]  # Kryptering, Säkerhetskopiering, test: SEC-01..03
    vendors = [[*VENDORS[0], ""], [*VENDORS[1], ""]]
    vendors[0][3] = "1/3/2022"  # Biträdesavtal: REC-02
    vendors[1][5] = "kanske"  # DPF certified: TRF-02
    vendors.append(["Cloudy Inc", "USA", "personuppgiftsbiträde", "2024-01-10", "SCC", "", "", "1/3/2024"])  # TRF-04
    vendors.append(["Faraway Ltd", "Indien", "personuppgiftsbiträde", "2024-01-10", "kanske", "", "", ""])  # TRF-01
    sheets = tables(
        activities=acts,
        systems=systems,
        vendors=vendors,
        vendors_header=[*VENDORS_HEADER, "Transfer impact assessment"],
    )
    sheets["Requests"] = [
        REQUESTS_HEADER,
        ["R-1", "DS-1", "registerutdrag", "3 februari 2025", "4/2/2025", "", "20 februari 2025", "klar"],  # DSR-05
        ["R-2", "DS-2", "registerutdrag", "3 februari 2025", "2025-02-04", "", "1/4/2025", ""],  # DSR-02
        ["R-3", "DS-3", "radering", "3 februari 2025", "", "kanske", "2025-04-01", "klar"],  # DSR-01
    ]
    return build_folder(tmp_path / "data", sheets)


@pytest.fixture
def planted(tmp_path: Path) -> Inputs:
    return load_inputs(planted_folder(tmp_path))


@pytest.fixture
def planted_findings(planted: Inputs) -> pd.DataFrame:
    return run_rules(make_ctx(planted)).set_index(["rule", "subject"])


# --- the cells -----------------------------------------------------------------------------------


def test_unreadable_cells_come_from_the_issues(planted: Inputs) -> None:
    got = planted.unreadable[["src_file", "src_sheet", "src_row", "column", "where"]].values.tolist()
    assert got == [
        [
            "activities.xlsx",
            "Behandlingar",
            4,
            "legal_basis",
            "activities.xlsx › Behandlingar › row 4, column Rättslig grund",
        ],
        [
            "activities.xlsx",
            "Behandlingar",
            4,
            "last_reviewed",
            "activities.xlsx › Behandlingar › row 4, column Senast granskad",
        ],
        ["inventory.xlsx", "System", 2, "encrypted_at_rest", "inventory.xlsx › System › row 2, column Kryptering"],
        ["inventory.xlsx", "System", 2, "backup", "inventory.xlsx › System › row 2, column Säkerhetskopiering"],
        [
            "inventory.xlsx",
            "System",
            2,
            "last_security_test",
            "inventory.xlsx › System › row 2, column Senaste säkerhetstest",
        ],
        [
            "inventory.xlsx",
            "Leverantörer",
            2,
            "dpa_signed",
            "inventory.xlsx › Leverantörer › row 2, column Biträdesavtal",
        ],
        [
            "inventory.xlsx",
            "Leverantörer",
            3,
            "dpf_certified",
            "inventory.xlsx › Leverantörer › row 3, column DPF certified",
        ],
        [
            "inventory.xlsx",
            "Leverantörer",
            4,
            "tia_done",
            "inventory.xlsx › Leverantörer › row 4, column Transfer impact assessment",
        ],
        [
            "inventory.xlsx",
            "Leverantörer",
            5,
            "transfer_mechanism",
            "inventory.xlsx › Leverantörer › row 5, column Överföringsgrund",
        ],
        [
            "requests.xlsx",
            "Ärenden",
            2,
            "identity_verified",
            "requests.xlsx › Ärenden › row 2, column Identitet kontrollerad",
        ],
        ["requests.xlsx", "Ärenden", 3, "completed", "requests.xlsx › Ärenden › row 3, column Avslutad"],
        ["requests.xlsx", "Ärenden", 4, "extended", "requests.xlsx › Ärenden › row 4, column Förlängd"],
    ]
    assert planted.unreadable.loc[5, "problem"] == AMBIGUOUS


def test_a_blank_a_dangling_reference_or_a_partly_read_list_is_not_unreadable(folder: Folder) -> None:
    acts = copy.deepcopy(ACTIVITIES)
    acts[0][5] = "Samtycke; magkänsla"  # one basis read, one not: the cell is not blank
    acts[1][1] = ""  # a blank required cell: absent, not unreadable
    systems = copy.deepcopy(SYSTEMS)
    systems[1][2] = "Ghost Ltd"  # a name no vendor fits: there, and read
    inputs = load_inputs(folder(activities=acts, systems=systems))
    assert len(inputs.issues) == 3
    assert inputs.unreadable.empty


def test_no_issues_no_unreadable_cells(folder: Folder) -> None:
    assert load_inputs(folder()).unreadable.empty


# --- the issue's case, exactly --------------------------------------------------------------------


def test_rec02_with_an_ambiguous_dpa_date_says_it_could_not_be_read(folder: Folder) -> None:
    vendors = copy.deepcopy(VENDORS)
    vendors[0][3] = "1/3/2022"
    inputs = load_inputs(folder(vendors=vendors))
    found = run_family(make_ctx(inputs), "REC")
    rec02 = found[found["rule"] == "REC-02"]
    assert rec02[["subject", "severity", "detail", "recommendation", "evidence"]].values.tolist() == [
        [
            "MailCo",
            "high",
            "Vendor MailCo (processor, SE): the date its data processing agreement was signed is recorded as a date "
            "which could not be read (see input issue: inventory.xlsx › Leverantörer › row 2, column Biträdesavtal), "
            "so the agreement cannot be confirmed.",
            "Correct the signing date in the input (as the input issue says) and run the audit again; "
            "sign a data processing agreement if there is none.",
            "inventory.xlsx › Leverantörer › row 2, column Biträdesavtal",
        ]
    ]
    assert not found["detail"].str.contains("no signed data processing agreement").any()
    # The input issue the finding cites is there, on that cell.
    issue = inputs.issues.iloc[0]
    assert (issue["file"], issue["sheet"], issue["row"], issue["column"]) == (
        "inventory.xlsx",
        "Leverantörer",
        2,
        "Biträdesavtal",
    )
    # Read with a date order, the date is a date and there is no finding.
    read = run_family(make_ctx(load_inputs(folder(vendors=vendors), date_order="DMY")), "REC")
    assert "REC-02" not in set(read["rule"])


def test_a_blank_dpa_date_is_still_no_agreement(folder: Folder) -> None:
    vendors = copy.deepcopy(VENDORS)
    vendors[0][3] = ""
    found = run_family(make_ctx(load_inputs(folder(vendors=vendors))), "REC")
    assert found.loc[found["rule"] == "REC-02", "detail"].tolist() == [
        "Vendor MailCo (processor, SE) has no signed data processing agreement recorded."
    ]


PLANTED = {
    ("SEC-03", "S-MAIL"): "System S-MAIL: the last security test is recorded as a date which could not be read "
    "(see input issue: inventory.xlsx › System › row 2, column Senaste säkerhetstest).",
    ("DSR-05", "R-1"): "Access request R-1 was completed 2025-02-20; its identity check is recorded as a date which "
    "could not be read (see input issue: requests.xlsx › Ärenden › row 2, column Identitet kontrollerad), so the "
    "check before disclosure cannot be confirmed.",
    ("SEC-01", "S-MAIL"): "System S-MAIL (Mailer) is encrypted at rest: recorded as a yes/no answer which could not "
    "be read (see input issue: inventory.xlsx › System › row 2, column Kryptering).",
    ("SEC-02", "S-MAIL"): "System S-MAIL (Mailer) has a backup: recorded as a yes/no answer which could not be read "
    "(see input issue: inventory.xlsx › System › row 2, column Säkerhetskopiering).",
    ("REC-02", "MailCo"): "Vendor MailCo (processor, SE): the date its data processing agreement was signed is "
    "recorded as a date which could not be read (see input issue: inventory.xlsx › Leverantörer › row 2, column "
    "Biträdesavtal), so the agreement cannot be confirmed.",
    ("TRF-01", "Faraway Ltd:IN"): "Faraway Ltd (IN) makes data available in India by establishment (no system of "
    "ours): no safeguard is shown, and the transfer mechanism is recorded as a value which could not be read (see "
    "input issue: inventory.xlsx › Leverantörer › row 5, column Överföringsgrund).",
    ("TRF-02", "CRM AB:US"): "CRM AB (US) makes data available in United States by access, hosting (S-CRM): the "
    "vendor relies on DPF, and its DPF certification is recorded as a yes/no answer which could not be read (see "
    "input issue: inventory.xlsx › Leverantörer › row 3, column DPF certified).",
    ("TRF-04", "Cloudy Inc:US"): "Cloudy Inc (US) makes data available in United States by establishment (no system "
    "of ours): standard contractual clauses are in place, and the transfer impact assessment is recorded as a date "
    "which could not be read (see input issue: inventory.xlsx › Leverantörer › row 4, column Transfer impact "
    "assessment).",
    ("DSR-02", "R-2"): "Request R-2 (access) received 2025-02-03 had its deadline 2025-03-03; its answer date is "
    "recorded as a date which could not be read (see input issue: requests.xlsx › Ärenden › row 3, column "
    "Avslutad), so it may still be open, 608 days after the deadline on 2026-11-01.",
    ("DSR-01", "R-3"): "Request R-3 (erasure) received 2025-02-03 was answered 2025-04-01, 29 days after its deadline "
    "2025-03-03 (no extension counted: an extension is recorded with a value which could not be read, see input "
    "issue: requests.xlsx › Ärenden › row 4, column Förlängd).",
    ("REG-04", "A-1"): "Activity A-1 (Nyhetsbrev) has legal basis recorded as text which could not be read (see "
    "input issue: activities.xlsx › Behandlingar › row 4, column Rättslig grund) in the register; policy activity "
    "P-NEWSLETTER says legitimate interests.",
    ("REG-06", "A-1"): "Activity A-1 (Nyhetsbrev): the review date is recorded as a date which could not be read "
    "(see input issue: activities.xlsx › Behandlingar › row 4, column Senast granskad).",
}


@pytest.mark.parametrize("key", list(PLANTED), ids=[f"{r}:{s}" for r, s in PLANTED])
def test_each_rule_words_an_unreadable_value(planted_findings: pd.DataFrame, key: tuple[str, str]) -> None:
    assert planted_findings.loc[key, "detail"] == PLANTED[key]


def test_transfer_evidence_names_a_cited_cell_that_could_not_be_read(planted_findings: pd.DataFrame) -> None:
    assert planted_findings.loc[("TRF-01", "CRM AB:IN"), "evidence"] == (
        "inventory.xlsx › Leverantörer › row 3, columns Överföringsgrund, DPF certified, Transfer impact assessment; "
        "could not be read: inventory.xlsx › Leverantörer › row 3, column DPF certified"
    )


def test_a_us_transfer_whose_dpf_answer_could_not_be_read_is_not_called_unprotected_plainly() -> None:
    from tests.factories import vendor

    inputs = make_inputs(systems=[system(hosting_country=["US"])], vendors=[vendor(dpf_certified=None)])
    with_issues(inputs, [("inventory.xlsx", "Vendors", 2, "dpf_certified", "kanske", "not yes/no")])
    found = run_family(make_ctx(inputs), "TRF")
    assert found.loc[found["rule"] == "TRF-01", "detail"].tolist() == [
        "MailCo (SE) makes data available in United States by hosting (S-1): no safeguard is shown, and its DPF "
        "certification is recorded as a yes/no answer which could not be read (see input issue: inventory.xlsx › "
        "Vendors › row 2, column dpf_certified)."
    ]


def test_the_transfer_register_says_unreadable_not_missing(planted: Inputs) -> None:
    from audit.rules.transfers import transfer_register

    reg = transfer_register(make_ctx(planted)).set_index(["vendor", "country"])
    assert reg.loc[("Cloudy Inc", "US"), ["safeguard", "status"]].tolist() == [
        "SCC, TIA date unreadable",
        "TIA unreadable",
    ]
    assert reg.loc[("CRM AB", "US"), ["safeguard", "status"]].tolist() == ["DPF claimed", "DPF unreadable"]
    assert reg.loc[("Faraway Ltd", "IN"), ["safeguard", "status"]].tolist() == ["mechanism unreadable", "no safeguard"]


_CITED = re.compile(r"^(?P<file>.+?) › (?P<sheet>.+?) › row (?P<row>\d+), columns? (?P<columns>.+)$")


def test_no_finding_cites_an_unreadable_cell_without_saying_so(planted: Inputs) -> None:
    """Generic: a finding whose evidence names a cell of ``Inputs.unreadable`` names its input issue.

    In its sentence when the finding rests on the value, else in its evidence
    (a transfer finding cites three vendor columns; a DPF answer that could
    not be read does not decide a transfer to India, but is named).
    """
    findings = run_rules(make_ctx(planted))
    cells = planted.unreadable.assign(src_row=planted.unreadable["src_row"].astype(int))
    unreadable = {(c.src_file, c.src_sheet, c.src_row, c.column): c.where for c in cells.itertuples()}
    # Evidence names the DPO's headers as written: map them back to the canonical columns.
    canonical = {(h.file, h.sheet, h.header): h.column for h in planted.headers.itertuples()}
    checked = 0
    for finding in findings[FINDING_COLUMNS].itertuples():
        for part in str(finding.evidence).split("; "):
            m = _CITED.match(part)
            if not m:
                continue
            for header in m["columns"].split(", "):
                column = canonical.get((m["file"], m["sheet"], header), header)
                where = unreadable.get((m["file"], m["sheet"], int(m["row"]), column))
                if where is not None:
                    checked += 1
                    said = f"could not be read (see input issue: {where})" in finding.detail
                    noted = f"could not be read: {where}" in finding.evidence
                    assert said or noted, (finding.rule, finding.subject, where)
    assert checked >= 11  # all but R-3's extension: DSR-01 cites the row, not its columns


# --- rules on hand-made inputs: a blank cell with its issue ----------------------------------------


def test_reg05_a_register_field_that_could_not_be_read() -> None:
    inputs = make_inputs(activities=[activity(security_measures=None)])
    with_issues(inputs, [("activities.xlsx", "Activities", 2, "Säkerhetsåtgärder", "text", "could not be read")])
    found = run_family(make_ctx(inputs), "REG")
    gap = found[found["rule"] == "REG-05"]
    assert gap[["subject", "detail", "recommendation"]].values.tolist() == [
        [
            "A-1:security_measures",
            "Activity A-1 (Newsletter): the register entry's security measures is recorded as a value which could not "
            "be read (see input issue: activities.xlsx › Activities › row 2, column Säkerhetsåtgärder).",
            "Correct the value in the register (as the input issue says) and run the audit again.",
        ]
    ]


def test_an_issue_on_another_row_or_column_changes_nothing() -> None:
    inputs = make_inputs(systems=[system(last_security_test=None)])
    with_issues(inputs, [("inventory.xlsx", "Systems", 3, "last_security_test", "x", AMBIGUOUS)])
    with_issues(inputs, [("inventory.xlsx", "Systems", 2, "backup", "x", "not yes/no")])
    found = run_family(make_ctx(inputs), "SEC")
    assert found.loc[found["rule"] == "SEC-03", "detail"].tolist() == ["System S-1: no security test recorded."]


# --- rules outside this change: RET-02 (audit/rules/retention.py), REG-07 (audit/rules/register_dpia.py) ----


def test_ret02_an_auto_delete_answer_that_could_not_be_read() -> None:
    from tests.test_rules_retention import survey, survey_tool

    inputs = make_inputs(activities=[survey()], systems=[survey_tool(auto_delete=None)])
    with_issues(inputs, [("inventory.xlsx", "Systems", 2, "auto_delete", "kanske", "not yes/no")])
    found = run_family(make_ctx(inputs), "RET")
    assert "could not be read" in found.loc[found["rule"] == "RET-02", "detail"].iloc[0]


def test_reg07_a_dpia_answer_that_could_not_be_read() -> None:
    from tests.test_rules_register import edited, findings, world, world_activities

    acts = edited(world_activities(), "activity_id", "A-12", data_categories=["Hälsouppgifter"], dpia=None)
    ctx = world(activities=acts)
    with_issues(ctx.inputs, [("activities.xlsx", "Activities", 13, "dpia", "kanske", "unknown dpia")])
    assert "could not be read" in findings(ctx, "REG-07").loc[0, "detail"]
