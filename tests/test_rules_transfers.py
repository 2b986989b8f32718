"""TRF-01..05 on tiny inventories, judged on the as-of date."""

import pytest

from audit.rules.registry import run_family
from audit.rules.transfers import transfer_register
from tests.factories import activity, make_ctx, make_inputs, system, vendor


def run(systems, vendors, as_of="2026-11-01", activities=None):
    ctx = make_ctx(make_inputs(systems=systems, vendors=vendors, activities=activities), as_of=as_of)
    return run_family(ctx, "TRF")


def gaps(found):
    """Rule -> subjects, without the always-produced TRF-05 register rows."""
    out = {}
    for rule, subject in zip(found["rule"], found["subject"], strict=True):
        if rule != "TRF-05":
            out.setdefault(rule, []).append(subject)
    return out


def test_eu_only_vendor_transfers_nothing():
    assert run([system(hosting_country=["SE", "IE"])], [vendor()]).empty


@pytest.mark.parametrize(
    ("mechanism", "dpf", "tia", "expected"),
    [
        ("dpf", True, None, {}),
        ("adequacy", True, None, {}),
        ("adequacy", False, None, {"TRF-02": ["Cloudy:US"]}),
        ("dpf", None, None, {"TRF-02": ["Cloudy:US"]}),
        ("scc", False, "2025-05-01", {}),
        ("scc", False, None, {"TRF-04": ["Cloudy:US"]}),
        ("none", False, None, {"TRF-01": ["Cloudy:US"]}),
        ("bcr", False, None, {"TRF-03": ["Cloudy:US"]}),
    ],
)
def test_us_hosting(mechanism, dpf, tia, expected):
    found = run(
        [system(vendor="Cloudy", hosting_country=["US"])],
        [vendor(vendor="Cloudy", country="US", transfer_mechanism=mechanism, dpf_certified=dpf, tia_done=tia)],
    )
    assert gaps(found) == expected
    assert list(found.loc[found["rule"] == "TRF-05", "subject"]) == ["Cloudy:US"]


def test_support_access_from_a_third_country_is_a_transfer():
    found = run(
        [system(vendor="Helpdesk", hosting_country=["SE"])],
        [vendor(vendor="Helpdesk", access_countries=["IN"], transfer_mechanism="none")],
    )
    assert gaps(found) == {"TRF-01": ["Helpdesk:IN"]}
    detail = found.loc[found["rule"] == "TRF-01", "detail"].iloc[0]
    assert "makes data available in India by access" in detail


def test_adequacy_is_judged_on_the_as_of_date():
    systems = [system(vendor="Rio", hosting_country=["BR"])]
    vendors = [vendor(vendor="Rio", country="BR", transfer_mechanism="adequacy")]
    assert gaps(run(systems, vendors, as_of="2025-06-01")) == {"TRF-01": ["Rio:BR"]}
    assert gaps(run(systems, vendors, as_of="2026-11-01")) == {}


def test_uk_adequacy_continues_across_renewal():
    systems = [system(vendor="London", hosting_country=["GB"])]
    vendors = [vendor(vendor="London", country="GB", transfer_mechanism="adequacy")]
    for as_of in ("2021-07-01", "2025-12-20", "2031-12-27"):
        assert gaps(run(systems, vendors, as_of=as_of)) == {}, as_of
    assert gaps(run(systems, vendors, as_of="2031-12-28")) == {"TRF-01": ["London:GB"]}


def test_recipient_without_system_transfers_to_its_country():
    found = run(
        [system()],
        [vendor(), vendor(vendor="Hanoi Events", country="VN", role="partner", dpa_signed=None)],
    )
    assert gaps(found) == {"TRF-01": ["Hanoi Events:VN"]}


def test_register_lists_eu_rows_and_data_of_the_systems():
    ctx = make_ctx(
        make_inputs(
            activities=[activity(systems=["S-1"], data_categories=["Namn", "E-post"])],
            systems=[system(hosting_country=["SE", "US"])],
            vendors=[vendor(transfer_mechanism="scc", tia_done="2025-01-01")],
        )
    )
    reg = transfer_register(ctx).set_index("country")
    assert list(reg.index) == ["US", "SE"]
    assert not reg.loc["US", "eu_eea"] and reg.loc["SE", "eu_eea"]
    assert reg.loc["US", "safeguard"] == "SCC + TIA"
    assert reg.loc["US", "activities"] == ["A-1"]
    assert reg.loc["US", "data_categories"] == ["E-mail", "Name"]


def test_register_names_data_of_a_listed_recipient_in_canonical_words():
    ctx = make_ctx(
        make_inputs(
            activities=[activity(recipients=["Helpdesk"], data_categories=["e-mail address", "E-post", "Skonummer"])],
            systems=[system()],
            vendors=[vendor(), vendor(vendor="Helpdesk", access_countries=["IN"], transfer_mechanism="scc")],
        )
    )
    reg = transfer_register(ctx).set_index(["vendor", "country"])
    assert reg.loc[("Helpdesk", "IN"), "route"] == "access"
    assert reg.loc[("Helpdesk", "SE"), "route"] == "establishment"
    assert reg.loc[("Helpdesk", "IN"), "activities"] == ["A-1"]
    assert reg.loc[("Helpdesk", "IN"), "data_categories"] == ["E-mail", "Skonummer"]


def test_bcr_is_accepted_once_the_policy_names_it():
    from dataclasses import replace

    systems = [system(vendor="Manila", hosting_country=["PH"])]
    vendors = [vendor(vendor="Manila", country="PH", transfer_mechanism="bcr")]
    ctx = make_ctx(make_inputs(systems=systems, vendors=vendors))
    assert gaps(run_family(ctx, "TRF")) == {"TRF-03": ["Manila:PH"]}
    wider = replace(ctx, policy=replace(ctx.policy, transfer_grounds=[*ctx.policy.transfer_grounds, "bcr"]))
    assert gaps(run_family(wider, "TRF")) == {}
    assert transfer_register(wider).loc[0, "safeguard"] == "BCR"


def test_safeguarded_transfer_is_only_in_the_register():
    found = run(
        [system(vendor="Cloudy", hosting_country=["US"])],
        [vendor(vendor="Cloudy", country="US", transfer_mechanism="scc", tia_done="2025-05-01")],
    )
    assert list(found["rule"]) == ["TRF-05"]
    assert found.loc[0, "severity"] == "info"
    assert found.loc[0, "detail"] == (
        "Cloudy (US) makes data available in United States by hosting (S-1); safeguard: SCC + TIA; data: not recorded."
    )
    assert found.loc[0, "evidence"] == "inventory.xlsx › Vendors › row 2"
    assert found.loc[0, "policy_clause"].startswith("§7 «")


def test_register_finding_names_the_data_reached():
    found = run(
        [system(vendor="Cloudy", hosting_country=["US"])],
        [vendor(vendor="Cloudy", country="US", transfer_mechanism="dpf", dpf_certified=True)],
        activities=[activity(systems=["S-1"], data_categories=["Namn", "E-post"])],
    )
    assert found.loc[0, "detail"].endswith("; safeguard: adequacy decision; data: E-mail, Name.")


@pytest.mark.parametrize(
    ("mechanism", "dpf", "tia", "rule", "reason"),
    [
        (
            None,
            None,
            None,
            "TRF-01",
            ": no adequacy decision in force on the audit date and no standard contractual clauses "
            "(mechanism: none recorded).",
        ),
        (
            "none",
            None,
            None,
            "TRF-01",
            ": no adequacy decision in force on the audit date and no standard contractual clauses (mechanism: none).",
        ),
        (
            "dpf",
            False,
            None,
            "TRF-02",
            ": the vendor relies on DPF but is not certified under the EU-US Data Privacy Framework.",
        ),
        (
            "derogation",
            None,
            None,
            "TRF-03",
            ": the transfer rests on derogation (Art. 49), a ground the policy does not name.",
        ),
        (
            "scc",
            None,
            None,
            "TRF-04",
            ": standard contractual clauses are in place but no transfer impact assessment is recorded.",
        ),
    ],
)
def test_gap_wording(mechanism, dpf, tia, rule, reason):
    found = run(
        [system(vendor="Cloudy", hosting_country=["US"])],
        [vendor(vendor="Cloudy", country="US", transfer_mechanism=mechanism, dpf_certified=dpf, tia_done=tia)],
    )
    gap = found[found["rule"] == rule].iloc[0]
    assert gap["subject"] == "Cloudy:US" and gap["vendor"] == "Cloudy"
    assert gap["detail"] == "Cloudy (US) makes data available in United States by hosting (S-1)" + reason
    assert gap["evidence"] == "inventory.xlsx › Vendors › row 2, columns transfer mechanism, dpf certified, tia done"


def test_unknown_vendor_country_and_no_system_of_ours():
    found = run([system()], [vendor(), vendor(vendor="Faraway", country=None, access_countries=["IN"])])
    gap = found[found["rule"] == "TRF-01"].iloc[0]
    assert gap["detail"].startswith("Faraway (?) makes data available in India by access (no system of ours): ")


def test_register_carries_a_safeguard_code_and_the_rule():
    ctx = make_ctx(
        make_inputs(
            systems=[system(hosting_country=["SE", "US"])],
            vendors=[vendor(transfer_mechanism="scc")],
        )
    )
    reg = transfer_register(ctx).set_index("country")
    assert reg.loc["US", ["safeguard_code", "safeguard", "status", "rule"]].tolist() == [
        "scc_no_tia",
        "SCC, no TIA",
        "TIA missing",
        "TRF-04",
    ]
    assert reg.loc["SE", ["safeguard_code", "status"]].tolist() == ["not_needed", "no transfer"]
    assert reg.loc["SE", "rule"] is None


def test_editing_the_register_table_leaves_the_rules_alone():
    ctx = make_ctx(make_inputs(systems=[system(hosting_country=["US"])], vendors=[vendor()]))
    transfer_register(ctx)["safeguard"] = "edited"
    found = run_family(ctx, "TRF")
    assert list(found["rule"]) == ["TRF-01", "TRF-05"]
    assert "; safeguard: none; " in found.loc[1, "detail"]
    assert transfer_register(ctx).loc[0, "safeguard"] == "none"


def test_a_system_vendor_missing_from_vendors_is_cited_by_its_system_row():
    # Was "nan › nan › row nan", and the other vendor's row "row 3.0" (a float after the merge).
    systems = [system(system_id="S-GHOST", vendor="Ghost", hosting_country=["US"]), system(system_id="S-2")]
    vendors = [vendor(), vendor(vendor="Faraway", country="IN")]
    found = run(systems, vendors).set_index(["rule", "subject"])["evidence"]
    assert found[("TRF-01", "Ghost:US")] == "inventory.xlsx › Systems › row 2, column vendor (not in the vendor list)"
    assert found[("TRF-05", "Ghost:US")] == "inventory.xlsx › Systems › row 2, column vendor"
    assert found[("TRF-01", "Faraway:IN")] == (
        "inventory.xlsx › Vendors › row 3, columns transfer mechanism, dpf certified, tia done"
    )
