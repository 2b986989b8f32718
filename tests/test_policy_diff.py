"""Policy diff: the bundled model against edited copies names exactly the edits, with the right material flags."""

import copy

import pytest

from audit.paths import POLICY_DIR
from audit.policy.diff import COLUMNS, TITLE_MATCH, diff_models, match_activities, period_end, retention_change
from audit.reference.datafiles import load_yaml


@pytest.fixture(scope="module")
def bundled():
    return load_yaml(POLICY_DIR / "policy.yaml")


def _act(model, pid):
    return next(a for a in model["activities"] if a["id"] == pid)


def _edited(bundled):
    new = copy.deepcopy(bundled)
    _act(new, "P-ESIGN")["purpose"] = "Möjliggöra elektronisk signering av avtal och arkivering."
    _act(new, "P-CONTRACTS")["recipients"]["ids"].append("crm_system")
    _act(new, "P-SURVEY")["retention"]["rules"][0]["period"] = "P2Y"  # longer
    _act(new, "P-INQUIRY")["retention"]["rules"][0]["period"] = "P14D"  # shorter
    added = copy.deepcopy(_act(new, "P-TRAINING"))
    added.update(id="P-WEBINAR", title="Webbinarier för kunder om journalsystem")
    new["activities"].append(added)
    new["activities"] = [a for a in new["activities"] if a["id"] != "P-COOKIES"]
    new["transfer_grounds"]["grounds"].append({"id": "dpf", "sentence": "EU-U.S. Data Privacy Framework."})
    return new


def _keyed(changes):
    return {(r.change, r.activity, r.field, r.material) for r in changes.itertuples()}


def test_same_model_has_no_changes(bundled):
    changes = diff_models(bundled, copy.deepcopy(bundled))
    assert list(changes.columns) == COLUMNS
    assert changes.empty


def test_edits_are_named_exactly_with_material_flags(bundled):
    changes = diff_models(bundled, _edited(bundled))
    assert _keyed(changes) == {
        ("changed", "P-ESIGN", "purposes", True),
        ("added", "P-CONTRACTS", "recipients", True),
        ("changed", "P-SURVEY", "retention", True),
        ("changed", "P-INQUIRY", "retention (crm_transfer_tool)", False),
        ("added", "P-WEBINAR", "activity", True),
        ("removed", "P-COOKIES", "activity", False),
        ("added", "*", "transfer_grounds", True),
    }
    survey = changes[changes["activity"] == "P-SURVEY"].iloc[0]
    assert (survey["old"], survey["new"], survey["why"]) == (
        "P1Y from collection",
        "P2Y from collection",
        "a longer retention",
    )
    inquiry = changes[changes["activity"] == "P-INQUIRY"].iloc[0]
    assert inquiry["why"] == "a shorter retention"
    assert changes[changes["field"] == "transfer_grounds"]["new"].tolist() == ["dpf"]


def test_new_data_category_and_legal_basis_are_material_removals_not(bundled):
    new = copy.deepcopy(bundled)
    _act(new, "P-NEWSLETTER")["data_categories"]["ids"].append("phone")
    _act(new, "P-NEWSLETTER")["legal_basis"]["ids"] = ["consent"]
    changes = diff_models(bundled, new)
    assert _keyed(changes) == {
        ("added", "P-NEWSLETTER", "data_categories", True),
        ("added", "P-NEWSLETTER", "legal_bases", True),
        ("removed", "P-NEWSLETTER", "legal_bases", False),
    }


def test_section_level_changes(bundled):
    new = copy.deepcopy(bundled)
    new["group_companies"]["names"].append("Carasent Danmark A/S")
    new["security_promises"]["promises"] = new["security_promises"]["promises"][:-1]
    new["request_deadline"]["period"] = "P2M"
    new["sharing"]["recipients"].append({**new["sharing"]["recipients"][0], "category": "event_partner"})
    changes = diff_models(bundled, new)
    assert _keyed(changes) == {
        ("added", "*", "group_companies", True),
        ("removed", "*", "security_promises", False),
        ("changed", "*", "request_deadline", False),
        ("added", "*", "sharing", True),
    }


def test_art13_items_gained_and_lost(bundled):
    old = {"1a": True, "1b": False, "2a": True}
    new = {"1a": True, "1b": True, "2a": False}
    changes = diff_models(bundled, bundled, old, new)
    assert _keyed(changes) == {("added", "*", "art13 1b", False), ("removed", "*", "art13 2a", False)}


def test_activities_with_new_ids_match_by_title(bundled):
    new = copy.deepcopy(bundled)
    for act in new["activities"]:
        act["id"] = act["id"].lower().replace("p-", "slug-")
    _act(new, "slug-survey")["title"] += "."  # a re-punctuated title still matches
    pairs = match_activities(bundled["activities"], new["activities"])
    assert all(o is not None and n is not None for o, n in pairs)
    assert {(o["id"], n["id"]) for o, n in pairs} >= {
        ("P-SURVEY", "slug-survey"),
        ("P-EVENT-MEDIA", "slug-event-media"),
    }
    changes = diff_models(bundled, new)
    assert set(changes["field"]) == {"id", "title"}
    assert not changes["material"].any()
    assert TITLE_MATCH > 72  # the two event titles of the bundled policy score 72 and must stay apart


def test_periods_compare_in_calendar_terms():
    assert period_end("P1M") > period_end("P30D")  # from 1 January: 1 February vs 31 January
    assert period_end("PT48H") == period_end("P2D") < period_end("P3D")
    assert period_end("P7Y") == period_end("P84M")
    assert period_end("sometime") is None


def test_a_period_replacing_an_event_is_judged_material():
    until = [{"kind": "until", "anchor": "event_date", "sentence": "x"}]
    period = [{"kind": "period", "period": "P1Y", "anchor": "event_date", "sentence": "x"}]
    vague = [{"kind": "vague", "sentence": "x"}]
    assert retention_change(until, period)[0] is True
    assert retention_change(period, vague)[0] is True
    assert retention_change(period, until)[0] is False
    assert retention_change(period, copy.deepcopy(period)) is None
