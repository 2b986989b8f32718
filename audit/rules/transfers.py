"""TRF-01..05: transfers to third countries, judged on the audit's as-of date.

A vendor transfers data to every country where its systems store it
(``hosting_country``) and every country its staff or sub-processors reach it
from (``access_countries``: support access from abroad is a transfer). A
recipient with no system of ours transfers to its own country of
establishment. Each third country is then judged against the adequacy
decisions in force on the as-of date (the United States only for
DPF-certified organisations), else standard contractual clauses, else it is
an unprotected transfer. The policy (section 7) names adequacy and SCC only.
"""

from __future__ import annotations

import pandas as pd

from audit.reference.countries import adequacy_on, country_name, is_eu_eea
from audit.reference.vocab import data_categories, fold
from audit.rules.context import AuditContext
from audit.rules.findings import cite, combine_findings, make_findings

US = "US"
# Lawful transfer grounds besides adequacy and SCC (Art. 46(2)(b), Art. 49).
OTHER_GROUNDS = ("bcr", "derogation")
REGISTER_COLUMNS = [
    "country",
    "country_name",
    "eu_eea",
    "adequacy_decision",
    "vendor",
    "vendor_country",
    "route",
    "systems",
    "activities",
    "data_categories",
    "transfer_mechanism",
    "dpf_certified",
    "tia_done",
    "safeguard",
    "status",
    "rule",
    "src_file",
    "src_sheet",
    "src_row",
]


def _list(value: object) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _vendor_countries(ctx: AuditContext) -> pd.DataFrame:
    """One row per vendor × country the data reaches, with the route (hosting, access, establishment)."""
    systems = ctx.inputs.systems
    vendors = ctx.inputs.vendors
    hosting = (
        systems[["vendor", "system_id", "hosting_country"]]
        .explode("hosting_country")
        .dropna(subset=["hosting_country"])
    )
    hosting = hosting.rename(columns={"hosting_country": "country"}).assign(route="hosting")
    access_col = vendors["access_countries"] if "access_countries" in vendors else pd.Series([[]] * len(vendors))
    access = pd.DataFrame({"vendor": vendors["vendor"], "country": access_col.map(_list)}).explode("country")
    access = access.dropna(subset=["country"]).assign(route="access", system_id=None)
    own = vendors[~vendors["vendor"].isin(systems["vendor"]) & vendors["country"].notna()]
    own = pd.DataFrame(
        {"vendor": own["vendor"], "country": own["country"], "route": "establishment", "system_id": None}
    )
    pairs = pd.concat([hosting, access, own], ignore_index=True)
    internal = vendors.loc[vendors["role"] == "internal", "vendor"]
    pairs = pairs[~pairs["vendor"].isin(internal) & (pairs["vendor"].str.casefold() != "internal")]
    return pairs


def _category_labels(words: pd.Series) -> pd.Series:
    """Register words mapped to the canonical category label ("E-post" and "e-mail" both read "E-post")."""
    vocab = data_categories()
    ids = vocab.map_series(words, method="match")
    return ids.map(vocab.label).where(ids.notna(), words)


def _data_reached(ctx: AuditContext) -> pd.DataFrame:
    """What each vendor's transfer carries: ``key`` -> activities and data categories.

    Keys are ``system:<system_id>`` for the systems an activity uses and
    ``vendor:<folded name>`` for vendors an activity lists as recipients, so
    a support vendor with no system of ours still shows which data it reaches.
    """
    acts = ctx.inputs.activities
    by_system = acts[["activity_id", "systems", "data_categories"]].explode("systems").dropna(subset=["systems"])
    by_system["key"] = "system:" + by_system["systems"].astype(str)
    listed = acts[["activity_id", "recipients", "data_categories"]].explode("recipients").dropna(subset=["recipients"])
    listed["key"] = "vendor:" + listed["recipients"].map(fold)
    links = pd.concat(
        [by_system[["key", "activity_id", "data_categories"]], listed[["key", "activity_id", "data_categories"]]]
    )
    systems = ctx.inputs.systems
    own = pd.DataFrame(
        {
            "key": "system:" + systems["system_id"].astype(str),
            "activity_id": None,
            "data_categories": systems["data_categories"],
        }
    )
    cats = pd.concat([links, own], ignore_index=True).explode("data_categories").dropna(subset=["data_categories"])
    cats["label"] = _category_labels(cats["data_categories"].astype(str))
    return pd.DataFrame(
        {
            "activities": links.groupby("key")["activity_id"].agg(lambda s: sorted(set(s.dropna()))),
            "data_categories": cats.groupby("key")["label"].agg(lambda s: sorted(set(s))),
        }
    )


def transfer_register(ctx: AuditContext) -> pd.DataFrame:
    """The transfer register (TRF-05): one row per vendor × country, with the safeguard and its verdict.

    EU/EEA rows are kept (``eu_eea`` true, status ``no transfer``) so the
    register shows the whole map; the rules use the third-country rows.
    """
    pairs = _vendor_countries(ctx)
    vendors = ctx.inputs.vendors
    vcols = [c for c in ("vendor", "country", "transfer_mechanism", "dpf_certified", "tia_done") if c in vendors]
    vinfo = vendors[vcols + ["src_file", "src_sheet", "src_row"]].rename(columns={"country": "vendor_country"})
    reg = pairs.merge(vinfo, on="vendor", how="left")
    for col in ("transfer_mechanism", "dpf_certified", "tia_done"):
        if col not in reg:
            reg[col] = pd.NA
    systems_by_pair = reg.groupby(["vendor", "country"])["system_id"].agg(lambda s: sorted(set(s.dropna())))
    routes = reg.groupby(["vendor", "country"])["route"].agg(lambda s: ", ".join(sorted(set(s))))
    reg = reg.drop_duplicates(["vendor", "country"]).set_index(["vendor", "country"])
    reg["systems"] = systems_by_pair
    reg["route"] = routes
    reg = reg.reset_index()
    data = _data_reached(ctx)
    keys = [
        [f"system:{s}" for s in ids] + [f"vendor:{fold(v)}"]
        for ids, v in zip(reg["systems"], reg["vendor"], strict=True)
    ]
    for col in ("activities", "data_categories"):
        reg[col] = [sorted({x for k in ks for x in (data[col].get(k) or [])}) for ks in keys]
    # Verdicts are decided per distinct country (a handful), then joined back.
    countries = pd.DataFrame({"country": reg["country"].drop_duplicates()})
    countries["eu_eea"] = countries["country"].map(is_eu_eea)
    countries["country_name"] = countries["country"].map(country_name)
    decisions = countries["country"].map(lambda c: adequacy_on(c, ctx.as_of))
    countries["adequacy_decision"] = decisions.map(lambda d: str(d["valid_from"]) if d else None)
    reg = reg.merge(countries, on="country", how="left")
    reg = _judge(reg, set(ctx.policy.transfer_grounds))
    return reg[REGISTER_COLUMNS].sort_values(["eu_eea", "country", "vendor"]).reset_index(drop=True)


def _judge(reg: pd.DataFrame, policy_grounds: set[str]) -> pd.DataFrame:
    """Decide safeguard, status and the rule that fires for each vendor × country (vectorised).

    The first matching case wins; a third-country transfer that matches none
    has no safeguard (TRF-01). BCR and derogations are lawful grounds but
    the policy (section 7) names only adequacy and SCC, so they are TRF-03
    unless the policy model lists them.
    """
    mech = reg["transfer_mechanism"].astype("object")
    dpf = reg["dpf_certified"].astype("boolean").fillna(False)
    third = ~reg["eu_eea"].astype(bool)
    is_us = reg["country"] == US
    scc = mech == "scc"
    tia = reg["tia_done"].notna()
    other = mech.isin(OTHER_GROUNDS)
    named = mech.isin(policy_grounds)
    cases = [  # condition, safeguard, status, rule
        (~third, "none needed (EU/EEA)", "no transfer", None),
        (reg["adequacy_decision"].notna() & (~is_us | dpf), "adequacy decision", "ok", None),
        (scc & tia, "SCC + TIA", "ok", None),
        (scc & ~tia, "SCC, no TIA", "TIA missing", "TRF-04"),
        (other & named, mech.str.upper(), "ok", None),
        (other & ~named, mech.str.upper(), "ground not in policy", "TRF-03"),
        (is_us & mech.isin(["adequacy", "dpf"]), "DPF claimed", "not DPF-certified", "TRF-02"),
    ]
    reg["safeguard"] = "none"
    reg["status"] = "no safeguard"
    reg["rule"] = "TRF-01"
    decided = pd.Series(False, index=reg.index)
    for cond, safeguard, status, rule in cases:
        hit = cond & ~decided
        reg.loc[hit, "safeguard"] = safeguard[hit] if isinstance(safeguard, pd.Series) else safeguard
        reg.loc[hit, "status"] = status
        reg.loc[hit, "rule"] = rule
        decided |= hit
    return reg


def check_transfers(ctx: AuditContext) -> pd.DataFrame:
    """TRF-01..04 per vendor × third country, and TRF-05 (the register) for every third-country transfer."""
    reg = transfer_register(ctx)
    third = reg[~reg["eu_eea"].astype(bool)].copy()
    if third.empty:
        return make_findings("TRF-05", third, ctx.settings)
    third["subject"] = third["vendor"] + ":" + third["country"]
    systems = third["systems"].map(lambda s: ", ".join(s) if s else "no system of ours")
    base = (
        third["vendor"]
        + " ("
        + third["vendor_country"].fillna("?")
        + ") makes data available in "
        + third["country_name"].fillna(third["country"])
        + " by "
        + third["route"]
        + " ("
        + systems
        + ")"
    )
    mech = third["transfer_mechanism"].fillna("none recorded")
    why = {
        "TRF-01": ": no adequacy decision in force on the audit date and no standard contractual clauses (mechanism: "
        + mech
        + ").",
        "TRF-02": ": the vendor relies on " + mech + " but is not certified under the EU-US Data Privacy Framework.",
        "TRF-03": ": the transfer rests on " + mech.str.upper() + ", a ground the policy does not name.",
        "TRF-04": ": standard contractual clauses are in place but no transfer impact assessment is recorded.",
    }
    ctx_clause = ctx.policy.clause("*", "transfer_grounds")
    frames = []
    for rule, reason in why.items():
        sel = third["rule"] == rule
        gap = third[sel]
        rows = pd.DataFrame(
            {
                "subject": gap["subject"],
                "vendor": gap["vendor"],
                "detail": (base + reason)[sel],
                "evidence": cite(gap) + ", columns transfer_mechanism, dpf_certified, tia_done",
                "policy_clause": ctx_clause,
            }
        )
        frames.append(make_findings(rule, rows, ctx.settings))
    register_rows = pd.DataFrame(
        {
            "subject": third["subject"],
            "vendor": third["vendor"],
            "detail": base
            + "; safeguard: "
            + third["safeguard"]
            + "; data: "
            + third["data_categories"].map(lambda c: ", ".join(c) if c else "not recorded")
            + ".",
            "evidence": cite(third),
            "policy_clause": ctx_clause,
        }
    )
    frames.append(make_findings("TRF-05", register_rows, ctx.settings))
    return combine_findings(frames)
