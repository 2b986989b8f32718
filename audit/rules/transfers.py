"""TRF-01..05: transfers to third countries, judged on the audit's as-of date.

A vendor transfers data to every country where its systems store it
(``hosting_country``) and every country its staff or sub-processors reach it
from (``access_countries``: support access from abroad is a transfer). A
recipient with no system of ours transfers to its own country of
establishment. Each third country is then judged against the adequacy
decisions in force on the as-of date (the United States only for
DPF-certified organisations), else standard contractual clauses, else it is
an unprotected transfer. The policy (section 7) names adequacy and SCC only.

The verdicts are one ordered case table (:func:`_judge`); the transfer
register (:func:`transfer_register`) carries them, and each TRF rule returns
the facts of the register rows it reports. The register names every
safeguard twice: ``safeguard_code``, a stable code charts key their colours
by, and ``safeguard``, the label a DPO reads.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from audit.reference.catalogue import catalogue
from audit.reference.countries import adequacy_on, country_name, is_eu_eea, swedish
from audit.reference.i18n import text
from audit.reference.vocab import data_categories, fold
from audit.rules.common import as_list, grouped, unreadable, unreadable_case, unreadable_note
from audit.rules.context import AuditContext
from audit.rules.findings import cite, cite_column

US = "US"
PROVENANCE = ["src_file", "src_sheet", "src_row"]
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
    "safeguard_code",
    "safeguard",
    "status",
    "rule",
    "src_file",
    "src_sheet",
    "src_row",
]
Reporter = Callable[[AuditContext], pd.DataFrame]
#: The vendor columns each rule's verdict rests on, in the order a finding names an unreadable one.
VERDICT_COLUMNS = {
    "no_safeguard": ("transfer_mechanism", "dpf_certified"),  # DPF certification: for US transfers only
    "dpf_not_certified": ("dpf_certified",),
    "scc_without_tia": ("tia_done",),
}
#: The vendor columns a transfer finding's evidence cites.
CITED_COLUMNS = ("transfer_mechanism", "dpf_certified", "tia_done")


def _vendor_countries(ctx: AuditContext) -> pd.DataFrame:
    """One row per vendor × country the data reaches, with the route (hosting, access, establishment)."""
    systems = ctx.inputs.systems
    vendors = ctx.inputs.vendors
    hosting = (
        systems[["vendor", "system_id", "hosting_country", *PROVENANCE]]
        .rename(columns={c: f"system_{c}" for c in PROVENANCE})
        .explode("hosting_country")
        .dropna(subset=["hosting_country"])
    )
    hosting = hosting.rename(columns={"hosting_country": "country"}).assign(route="hosting")
    access = pd.DataFrame({"vendor": vendors["vendor"], "country": vendors["access_countries"].map(as_list)})
    access = access.explode("country").dropna(subset=["country"]).assign(route="access", system_id=None)
    own = vendors[~vendors["vendor"].isin(systems["vendor"]) & vendors["country"].notna()]
    own = pd.DataFrame(
        {"vendor": own["vendor"], "country": own["country"], "route": "establishment", "system_id": None}
    )
    pairs = pd.concat([hosting, access, own], ignore_index=True)
    internal = vendors.loc[vendors["role"] == "internal", "vendor"]
    # A blank vendor name (an input issue) names no one a transfer could be attributed to.
    pairs = pairs[
        pairs["vendor"].notna() & ~pairs["vendor"].isin(internal) & (pairs["vendor"].str.casefold() != "internal")
    ]
    return pairs


def _category_labels(words: pd.Series, lang: str = "en") -> pd.Series:
    """Register words mapped to the category's label in ``lang`` ("E-post" and "e-mail" both read "E-mail" in English)."""
    vocab = data_categories()
    ids = vocab.map_series(words, method="match")
    return ids.map(lambda c: vocab.label(c, lang) if c else None).where(ids.notna(), words)


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
    cats["label"] = _category_labels(cats["data_categories"].astype(str), ctx.lang)
    return pd.DataFrame(
        {
            "activities": _sorted_sets(links, "key", "activity_id"),
            "data_categories": _sorted_sets(cats, "key", "label"),
        }
    )


def _sorted_sets(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
    """Per ``key``, the sorted distinct values of ``column`` (see :func:`grouped` for why not ``agg``)."""
    return grouped(frame, [key], distinct=[column]).set_index(key)[column].map(sorted)


def _pairs_with_vendor(ctx: AuditContext) -> pd.DataFrame:
    """One row per vendor × country, with the vendor's transfer columns, its systems and routes there.

    The provenance is the vendor's row; for a system's vendor missing from
    the Vendors sheet (an input issue) it is the system's row, so evidence
    always names a row a person can open.
    """
    vendors = ctx.inputs.vendors
    vcols = ["vendor", "country", "transfer_mechanism", "dpf_certified", "tia_done", *PROVENANCE]
    vinfo = vendors[vcols].rename(columns={"country": "vendor_country"})
    reg = _vendor_countries(ctx).merge(vinfo, on="vendor", how="left")
    reg["listed"] = reg["src_file"].notna()
    for col in PROVENANCE:
        reg[col] = reg[col].where(reg["listed"], reg[f"system_{col}"])
    reg["src_row"] = pd.to_numeric(reg["src_row"], errors="coerce").astype("Int64")
    systems_by_pair = reg.groupby(["vendor", "country"])["system_id"].agg(lambda s: sorted(set(s.dropna())))
    routes = reg.groupby(["vendor", "country"])["route"].agg(lambda s: ", ".join(sorted(set(s))))
    reg = reg.drop_duplicates(["vendor", "country"]).set_index(["vendor", "country"])
    reg["systems"] = systems_by_pair
    reg["route"] = routes
    return reg.reset_index()


def _build_register(ctx: AuditContext) -> pd.DataFrame:
    """The register behind :func:`transfer_register`, computed once per audit."""
    reg = _pairs_with_vendor(ctx)
    data = _data_reached(ctx)
    keys = [
        [f"system:{s}" for s in ids] + [f"vendor:{fold(v)}"]
        for ids, v in zip(reg["systems"], reg["vendor"], strict=True)
    ]
    for col in ("activities", "data_categories"):
        known = data[col].dropna()  # a key no activity or category reaches is NaN here, not []
        reg[col] = [sorted({x for k in ks for x in known.get(k, [])}) for ks in keys]
    # Verdicts are decided per distinct country (a handful), then joined back.
    countries = pd.DataFrame({"country": reg["country"].drop_duplicates()})
    countries["eu_eea"] = countries["country"].map(is_eu_eea)
    countries["country_name"] = countries["country"].map(country_name)
    decisions = countries["country"].map(lambda c: adequacy_on(c, ctx.as_of))
    countries["adequacy_decision"] = decisions.map(lambda d: str(d["valid_from"]) if d else None)
    reg = reg.merge(countries, on="country", how="left")
    unread = pd.DataFrame({col: unreadable(ctx.inputs, reg, col).notna() for col in CITED_COLUMNS})
    reg = _judge(reg, set(ctx.policy.transfer_grounds), unread)
    columns = [*REGISTER_COLUMNS, "listed"]
    return reg[columns].sort_values(["eu_eea", "country", "vendor"]).reset_index(drop=True)


def _register(ctx: AuditContext) -> pd.DataFrame:
    """The transfer register, shared read-only by the TRF rules and the Transfers table."""
    return ctx.memo("transfers.register", lambda: _build_register(ctx))


def transfer_register(ctx: AuditContext) -> pd.DataFrame:
    """The transfer register (TRF-05): one row per vendor × country, with the safeguard and its verdict.

    EU/EEA rows are kept (``eu_eea`` true, status ``no transfer``) so the
    register shows the whole map; the rules use the third-country rows. A
    copy, so a caller editing the table never changes what the rules see.
    """
    return _register(ctx)[REGISTER_COLUMNS].copy()


def _rule_of(reporter: Reporter | None) -> str | None:
    """The catalogue rule whose ``check`` is ``reporter``: the register's ``rule`` column, no id in code."""
    if reporter is None:
        return None
    ref = f"{reporter.__module__}:{reporter.__name__}"
    return next((rid for rid, spec in catalogue().rules.items() if spec.check == ref), None)


def _judge(reg: pd.DataFrame, policy_grounds: set[str], unread: pd.DataFrame) -> pd.DataFrame:
    """Decide safeguard, status and the rule that fires for each vendor × country (vectorised).

    The first matching case wins; a third-country transfer that matches none
    has no safeguard (TRF-01, :func:`no_safeguard`). BCR and derogations are
    lawful grounds but the policy (section 7) names only adequacy and SCC, so
    they are TRF-03 unless the policy model lists them. Each case names the
    rule function that reports it; the catalogue gives that function's id.
    ``unread`` flags, per row, the vendor cells (:data:`CITED_COLUMNS`)
    that held a value the loader could not read: the register says so
    instead of "missing", and the rule words its ``unreadable`` case. A US
    transfer whose DPF certification could not be read is not adequate
    unless proven: it stays with the rule its other cells decide.
    """
    mech = reg["transfer_mechanism"].astype("object")
    dpf = reg["dpf_certified"].astype("boolean").fillna(False)
    third = ~reg["eu_eea"].astype(bool)
    is_us = reg["country"] == US
    scc = mech == "scc"
    tia = reg["tia_done"].notna()
    other = mech.isin(OTHER_GROUNDS)
    named = mech.isin(policy_grounds)
    claims_dpf = is_us & mech.isin(["adequacy", "dpf"])
    cases = [  # condition, safeguard code, safeguard label, status, reported by
        (~third, "not_needed", "none needed (EU/EEA)", "no transfer", None),
        (reg["adequacy_decision"].notna() & (~is_us | dpf), "adequacy", "adequacy decision", "ok", None),
        (scc & tia, "scc_tia", "SCC + TIA", "ok", None),
        (scc & unread["tia_done"], "scc_no_tia", "SCC, TIA date unreadable", "TIA unreadable", scc_without_tia),
        (scc & ~tia, "scc_no_tia", "SCC, no TIA", "TIA missing", scc_without_tia),
        (other & named, mech, mech.str.upper(), "ok", None),
        (other & ~named, mech, mech.str.upper(), "ground not in policy", ground_not_in_policy),
        (claims_dpf & unread["dpf_certified"], "dpf_claimed", "DPF claimed", "DPF unreadable", dpf_not_certified),
        (claims_dpf, "dpf_claimed", "DPF claimed", "not DPF-certified", dpf_not_certified),
        (unread["transfer_mechanism"], "none", "mechanism unreadable", "no safeguard", no_safeguard),
        (is_us & unread["dpf_certified"], "none", "DPF certification unreadable", "no safeguard", no_safeguard),
    ]
    reg["safeguard_code"] = "none"
    reg["safeguard"] = "none"
    reg["status"] = "no safeguard"
    reg["rule"] = _rule_of(no_safeguard)
    decided = pd.Series(False, index=reg.index)
    for cond, code, label, status, reporter in cases:
        hit = cond & ~decided
        reg.loc[hit, "safeguard_code"] = code[hit] if isinstance(code, pd.Series) else code
        reg.loc[hit, "safeguard"] = label[hit] if isinstance(label, pd.Series) else label
        reg.loc[hit, "status"] = status
        reg.loc[hit, "rule"] = _rule_of(reporter)
        decided |= hit
    return reg


def _country_names(rows: pd.DataFrame, lang: str) -> pd.Series:
    """The countries as the report's reader names them: pycountry's Swedish translation in a Swedish report."""
    names = rows["country_name"].fillna(rows["country"]).astype("object")
    if lang != "sv" or names.empty:
        return names
    return names.map(lambda name: swedish().gettext(str(name)))


def _transfer_facts(ctx: AuditContext, rows: pd.DataFrame) -> pd.DataFrame:
    """The facts every TRF finding words: who makes which data available where, how, on what safeguard.

    ``seat`` and ``via`` are phrase keys: the vendor's country may be
    unknown, and a transfer may involve no system of ours.
    """
    return pd.DataFrame(
        {
            "vendor": rows["vendor"],
            "vendor_country": rows["vendor_country"],
            "seat": rows["vendor_country"].notna().map({True: "seat", False: "unknown_seat"}),
            "country": rows["country"],
            "country_name": _country_names(rows, ctx.lang),
            "route": rows["route"],
            "systems": rows["systems"],
            "via": rows["systems"].map(lambda s: "systems" if s else "no_system"),
            "mechanism": rows["transfer_mechanism"],
            "safeguard_code": rows["safeguard_code"],
            "safeguard": rows["safeguard"],
            "data_categories": rows["data_categories"],
            "policy_clause": ctx.policy.clause_or_empty("*", "transfer_grounds"),
        }
    )


def _gaps(ctx: AuditContext, reporter: Reporter) -> pd.DataFrame:
    """Facts of the third-country transfers the case table attributes to ``reporter``'s rule.

    ``case`` is ``unreadable`` when a vendor cell the verdict rests on
    (:data:`VERDICT_COLUMNS`) held a value that could not be read
    (``unreadable`` cites the input issue, ``unreadable_what`` names the
    column, a phrase key), else ``not_recorded`` without a mechanism, else
    ``default``. The evidence names every cited cell that could not be
    read. A vendor missing from the Vendors sheet is cited by its system's
    row and column.
    """
    reg = _register(ctx)
    gap = reg[reg["rule"] == _rule_of(reporter)]
    facts = _transfer_facts(ctx, gap)
    case = gap["transfer_mechanism"].isna().map({True: "not_recorded", False: "default"})
    where = pd.Series(None, index=gap.index, dtype=object)
    what = pd.Series(None, index=gap.index, dtype=object)
    for column in VERDICT_COLUMNS.get(reporter.__name__, ()):
        found = unreadable(ctx.inputs, gap, column)
        if column == "dpf_certified":
            found = found.where(gap["country"] == US, None)
        take = where.isna() & found.notna()
        where[take], what[take] = found[take], column
    facts["case"] = unreadable_case(case, where)
    facts["unreadable"] = where
    facts["unreadable_what"] = what
    cited = cite_column(gap, ctx, *CITED_COLUMNS) + unreadable_note(ctx.inputs, gap, CITED_COLUMNS, ctx.lang)
    not_listed = cite_column(gap, ctx, "vendor") + " (" + text("wording.evidence.not_listed", ctx.lang) + ")"
    facts["evidence"] = cited.where(gap["listed"], not_listed)
    return facts.reset_index(drop=True)


def no_safeguard(ctx: AuditContext) -> pd.DataFrame:
    """TRF-01: third-country transfers with no adequacy decision in force, no SCC and no other ground."""
    return _gaps(ctx, no_safeguard)


def dpf_not_certified(ctx: AuditContext) -> pd.DataFrame:
    """TRF-02: US transfers claiming adequacy (the DPF) from a vendor not DPF-certified."""
    return _gaps(ctx, dpf_not_certified)


def ground_not_in_policy(ctx: AuditContext) -> pd.DataFrame:
    """TRF-03: transfers on a lawful ground (BCR, a derogation) that the policy does not name."""
    return _gaps(ctx, ground_not_in_policy)


def scc_without_tia(ctx: AuditContext) -> pd.DataFrame:
    """TRF-04: transfers on standard contractual clauses with no transfer impact assessment recorded."""
    return _gaps(ctx, scc_without_tia)


def third_country_transfers(ctx: AuditContext) -> pd.DataFrame:
    """TRF-05: every third-country transfer, an info finding each, so the register travels with the findings.

    ``case`` says whether the data reached is recorded.
    """
    reg = _register(ctx)
    third = reg[~reg["eu_eea"].astype(bool)]
    facts = _transfer_facts(ctx, third)
    facts["case"] = third["data_categories"].map(lambda c: "default" if c else "no_data")
    facts["evidence"] = cite(third).where(third["listed"], cite_column(third, ctx, "vendor"))
    return facts.reset_index(drop=True)
