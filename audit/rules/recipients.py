"""REC-01..05: who really receives the data, against the recipients the policy names.

The policy promises (section 6: "Vi kommer endast att dela dina
personuppgifter med de tredje parter som beskrivs i denna policy") that
data goes only to the recipient *categories* it names per activity (section
10) or for every activity (section 6: group companies, IT and accounting
processors, authorities). The register, the inventory and the disclosure log
name *organisations*; :func:`actual_recipients` turns each into a category
through ``recipient_categories.yaml`` and decides whether the policy allows
it. Activities the policy does not govern (processor work, blocks outside
its scope) are listed but not judged: the classification of the register
rows is the shared, memoised one of :mod:`audit.rules.activities`.

The source rows (``recipients.facts``) and the table (``recipients.actual``)
are computed once per audit; each rule function reads them and returns its
facts, worded by the catalogue (``data/reference/rules.yaml``).
"""

from __future__ import annotations

import pandas as pd

from audit.reference.vocab import fold, recipient_categories, vocabulary
from audit.rules.activities import classify_activities
from audit.rules.common import blank, exploded, grouped, unreadable, unreadable_case
from audit.rules.context import AuditContext
from audit.rules.findings import cite, cite_column

RECIPIENT_COLUMNS = [
    "activity_id",
    "policy_ref",
    "recipient",
    "source",
    "vendor_role",
    "category",
    "category_label",
    "category_from",
    "allowed",
    "why",
    "systems",
    "evidence",
]
JUDGED = ("checked", "undisclosed")


def _folded(values: pd.Series) -> pd.Series:
    """``fold`` over a Series, once per distinct value."""
    table = {v: fold(v) for v in pd.unique(values.dropna())}
    return values.map(table).astype("object")


def _vendor_info(ctx: AuditContext) -> pd.DataFrame:
    """Vendors keyed by folded name, with the category their own row and their systems give them."""
    vendors = ctx.inputs.vendors
    cats = recipient_categories()
    info = pd.DataFrame(
        {
            "key": _folded(vendors["vendor"]),
            "vendor_name": vendors["vendor"],
            "vendor_role": vocabulary("vendor_role").map_series(vendors["role"]),
            "vendor_cat": cats.map_series(vendors["category"], method="match"),
            "vendor_evidence": cite(vendors) if len(vendors) else pd.Series(dtype="object"),
        }
    )
    info = info.dropna(subset=["key"]).drop_duplicates("key")
    systems = ctx.inputs.systems
    any_sys = pd.DataFrame(
        {
            "key": _folded(systems["vendor"]),
            "any_system_cat": cats.map_series(systems["recipient_category"], method="match"),
        }
    )
    first = any_sys.dropna().drop_duplicates("key")  # inventory order decides when a vendor has several kinds
    return info.merge(first, on="key", how="left")


def _disclosure_sources(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """Recipient facts of the disclosure log, with the classification of the activity they name.

    A disclosure naming an activity the register does not hold counts as undisclosed processing.
    """
    disc = ctx.inputs.disclosures
    by_id = cls.drop_duplicates("activity_id").set_index("activity_id")
    via_disc = pd.DataFrame(
        {
            "activity_id": disc["activity_id"],
            "recipient": disc["recipient"],
            "role_word": disc["recipient_role"],
            "source": "disclosure",
            "evidence": cite(disc) if len(disc) else pd.Series(dtype="object"),
            "system_id": None,
            "system_word": None,
        }
    )
    for col in ("policy_ref", "policy_id", "status"):
        via_disc[col] = via_disc["activity_id"].map(by_id[col]) if len(by_id) else None
    via_disc["status"] = via_disc["status"].fillna("undisclosed")
    return via_disc


def _sources(ctx: AuditContext, cls: pd.DataFrame) -> pd.DataFrame:
    """Every (activity, recipient) fact: listed in the register, a system's vendor, a logged disclosure."""
    acts = ctx.inputs.activities
    listed = exploded(cls.assign(recipients=acts["recipients"]), "recipients", "recipient")
    listed = listed.assign(
        source="listed",
        evidence=cite_column(listed, ctx, "recipients"),
        system_id=None,
        system_word=None,
        role_word=None,
    )
    use = exploded(cls.assign(systems=acts["systems"]), "systems", "system_id")
    use["system_id"] = use["system_id"].astype(str).str.strip()
    systems = ctx.inputs.systems
    sys_info = pd.DataFrame(
        {
            "system_id": systems["system_id"],
            "recipient": systems["vendor"],
            "system_word": systems["recipient_category"],
            "evidence": cite(systems) if len(systems) else pd.Series(dtype="object"),
        }
    )
    via_system = use.drop(columns=["src_file", "src_sheet", "src_row"]).merge(sys_info, on="system_id")
    via_system = via_system.assign(source="system vendor", role_word=None)
    via_disc = _disclosure_sources(ctx, cls)
    cols = ["activity_id", "policy_ref", "policy_id", "status", "recipient", "source"]
    cols += ["system_id", "system_word", "role_word", "evidence"]
    out = pd.concat([frame[cols] for frame in (listed, via_system, via_disc)], ignore_index=True)
    # The canonical block id where the reference is known, so "p-crm" and "P-CRM" group together.
    out["policy_ref"] = out["policy_id"].where(out["policy_id"].notna(), out["policy_ref"])
    out = out[~blank(out["recipient"])].copy()
    out["recipient"] = out["recipient"].astype(str).str.strip()
    return out


def _resolve(ctx: AuditContext, facts: pd.DataFrame) -> pd.DataFrame:
    """Give every fact one recipient category, by the first source that names one.

    Order: the system's ``recipient_category`` (for a system's vendor); the
    vendor's own ``category``; the ``recipient_category`` of that vendor's
    systems this activity uses, else of any of its systems (inventory
    order); the vendor's role, else the disclosure's ``recipient_role``
    (only ``group_company`` and ``authority`` name a category); last the
    recipient's name itself (registers often list categories such as
    "Ekonomikonsult" instead of organisations). Internal vendors are dropped.
    """
    cats = recipient_categories()
    roles = vocabulary("vendor_role")
    facts = facts.assign(key=_folded(facts["recipient"]))
    facts = facts.merge(_vendor_info(ctx), on="key", how="left")
    facts["role"] = facts["vendor_role"].where(facts["vendor_role"].notna(), roles.map_series(facts["role_word"]))
    internal = (facts["role"] == "internal") | (roles.map_series(facts["recipient"]) == "internal")
    facts = facts[~internal].copy()
    facts["system_cat"] = cats.map_series(facts["system_word"], method="match")
    used = facts.loc[facts["source"] == "system vendor", ["activity_id", "key", "system_cat"]].dropna()
    used = used.drop_duplicates(["activity_id", "key"]).rename(columns={"system_cat": "used_system_cat"})
    facts = facts.merge(used, on=["activity_id", "key"], how="left")
    candidates = {
        "system recipient_category": facts["system_cat"],
        "vendor category": facts["vendor_cat"],
        "vendor's systems used by the activity": facts["used_system_cat"],
        "vendor's systems": facts["any_system_cat"],
        "vendor role": cats.map_series(facts["vendor_role"], method="match"),
        "recipient_role": cats.map_series(roles.map_series(facts["role_word"]), method="match"),
        "recipient name": cats.map_series(facts["recipient"], method="match"),
    }
    facts["category"] = None
    facts["category_from"] = None
    for origin, values in candidates.items():
        take = facts["category"].isna() & values.notna()
        facts.loc[take, "category"] = values[take]
        facts.loc[take, "category_from"] = origin
    facts["recipient"] = facts["vendor_name"].where(facts["vendor_name"].notna(), facts["recipient"])
    return facts


def _judge(ctx: AuditContext, facts: pd.DataFrame) -> pd.DataFrame:
    """Allowed when the policy names the category for the cited block or in section 6 for every activity."""
    rec = ctx.policy.recipients
    per_block = rec[rec["policy_id"] != "*"][["policy_id", "category"]].assign(for_block=True)
    everywhere = set(rec.loc[rec["policy_id"] == "*", "category"])
    facts = facts.merge(per_block, on=["policy_id", "category"], how="left")
    for_block = facts["for_block"].notna()
    section6 = facts["category"].isin(everywhere)
    judged = facts["status"].isin(JUDGED)
    allowed = pd.Series(pd.NA, index=facts.index, dtype="boolean")
    allowed[judged] = (for_block | section6)[judged]
    facts["allowed"] = allowed
    block = facts["policy_id"].fillna("its (missing) policy activity")
    why = pd.Series("", index=facts.index, dtype="object")
    why[judged & facts["category"].isna()] = "recipient category could not be determined"
    why[judged & facts["category"].notna()] = ("not named for " + block + " nor in section 6")[judged]
    why[judged & section6] = "named in section 6 for every activity"
    why[judged & for_block] = ("named for " + block)[judged & for_block]
    why[facts["status"] == "processor"] = "not judged: processor activity (Art. 30(2), outside the policy)"
    why[facts["status"] == "outside scope"] = ("not judged: " + block + " is outside the policy's scope")[
        facts["status"] == "outside scope"
    ]
    facts["why"] = why
    return facts


def _facts(ctx: AuditContext) -> pd.DataFrame:
    return ctx.memo("recipients.facts", lambda: _compute_facts(ctx))


def _compute_facts(ctx: AuditContext) -> pd.DataFrame:
    """Resolved, judged facts (one per source row) with the activity's status, for the rules."""
    return _judge(ctx, _resolve(ctx, _sources(ctx, classify_activities(ctx))))


def _summarise(facts: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One row per activity × recipient × category, with the category's label in the report's language ``lang``."""
    if facts.empty:
        return pd.DataFrame(columns=RECIPIENT_COLUMNS)
    facts = facts.assign(category_key=facts["category"].fillna(""))
    out = grouped(
        facts,
        ["activity_id", "recipient", "category_key"],
        first=["policy_ref", "role", "category", "allowed", "why"],
        joined=["source", "category_from", "system_id", "evidence"],
        rename={"role": "vendor_role", "system_id": "systems"},
    )
    out["category_label"] = out["category"].map(lambda c: recipient_categories().label(c, lang) if c else None)
    out["allowed"] = out["allowed"].astype("boolean")
    return out[RECIPIENT_COLUMNS]


def actual_recipients(ctx: AuditContext) -> pd.DataFrame:
    """One row per activity × actual recipient × category, with the verdict REC-01 acts on.

    Columns :data:`RECIPIENT_COLUMNS`. A recipient found through several
    sources (listed and the vendor of a system) is one row, its sources and
    evidence joined; it has two rows only when it serves the activity in two
    categories. ``policy_ref`` is the canonical block id when the register's
    reference is known. ``allowed`` is ``<NA>`` for activities the policy
    does not govern (processor work, P-COOKIES); ``why`` says what decided.
    """
    return ctx.memo("recipients.actual", lambda: _summarise(_facts(ctx), ctx.lang))


# --- the rules -----------------------------------------------------------------------------------


def _listing(values: object, key: str) -> str:
    """The phrase key that renders a list of names: ``key``, or ``nothing`` when there are none."""
    return key if isinstance(values, list) and values else "nothing"


def _policy_names(ctx: AuditContext, per: pd.DataFrame) -> pd.DataFrame:
    """What the policy names for each finding's block and for every activity (REC-01's parenthesis)."""
    named = ctx.policy.recipients
    vocab = recipient_categories()
    shown = named.assign(label=named["category"].map(lambda c: vocab.label(c, ctx.lang)))
    labels = shown.groupby("policy_id")["label"].agg(list)
    block = per["policy_ref"]
    names = block.map(labels)
    everywhere = labels.get("*", [])
    return pd.DataFrame(
        {
            "named_for": block.notna().map({True: "ref", False: "no_ref"}),
            "block_names": names,
            "block_listing": names.map(lambda v: _listing(v, "names")),
            "everywhere_names": [everywhere] * len(per),
            "everywhere_listing": _listing(everywhere, "everywhere"),
            "policy_clause": block.map(
                lambda pid: ctx.policy.clause_or_empty(pid, "recipients") if pid in set(labels.index) else None
            ),
        },
        index=per.index,
    )


def unnamed_recipients(ctx: AuditContext) -> pd.DataFrame:
    """REC-01: one row per activity × recipient whose categories the policy does not allow.

    ``category_state`` and ``why`` are phrase keys, one per kind of category
    found (``unknown``/``undetermined`` when no category could be
    determined, ``known``/``not_named`` for known ones, labels in
    ``category_labels``); ``block`` says whether the activity cites a known
    policy block.
    """
    actual = actual_recipients(ctx)
    gap = actual[actual["allowed"].eq(False).fillna(False).astype(bool)]
    known = gap["category"].notna()
    gap = gap.assign(
        state=known.map({True: "known", False: "unknown"}), why=known.map({True: "not_named", False: "undetermined"})
    )
    per = grouped(
        gap,
        ["activity_id", "recipient"],
        first=["policy_ref"],
        joined=["source", "evidence"],
        distinct=["state", "category_label", "why"],
        rename={"source": "sources", "state": "category_state", "category_label": "category_labels"},
    )
    policy_ids = set(ctx.policy.activities["policy_id"])
    per["policy_id"] = per["policy_ref"].where(per["policy_ref"].isin(policy_ids), None)
    per["block"] = per["policy_id"].notna().map({True: "cited_block", False: "missing_block"})
    per["source_codes"] = per["sources"].map(_split_sources)
    return pd.concat([per.assign(vendor=per["recipient"]), _policy_names(ctx, per)], axis=1)


def processors_without_dpa(ctx: AuditContext) -> pd.DataFrame:
    """REC-02: processors and sub-processors with no ``dpa_signed`` date (a blank cell is no agreement).

    A date that is there but could not be read is no proof of an agreement
    either, but it is not "none": ``case`` is ``unreadable`` and
    ``unreadable`` cites the input issue.
    """
    vendors = ctx.inputs.vendors
    role = vocabulary("vendor_role").map_series(vendors["role"])
    gap = vendors[role.isin(["processor", "sub_processor"]) & vendors["dpa_signed"].isna()]
    rec = ctx.policy.recipients
    processors = rec[(rec["policy_id"] == "*") & (rec["role"] == "processor")]["category"]
    clause = ctx.policy.clause_or_empty("*", f"recipients:{processors.iloc[0]}") if len(processors) else None
    where = unreadable(ctx.inputs, gap, "dpa_signed")
    return pd.DataFrame(
        {
            "vendor": gap["vendor"],
            "role": role[gap.index],
            "country": gap["country"],
            "case": unreadable_case(pd.Series("default", index=gap.index), where),
            "unreadable": where,
            "evidence": cite_column(gap, ctx, "dpa_signed"),
            "policy_clause": clause,
        }
    )


def unnamed_group_companies(ctx: AuditContext) -> pd.DataFrame:
    """REC-03: a group company (by vendor role or category) that section 6 does not name.

    Names are compared folded ("carasent asa" = "Carasent ASA"). A listed
    recipient that is only a category word ("Koncernbolag", "bolag inom
    Carasentkoncernen") names no company and is left to REC-01.
    """
    facts = _facts(ctx)
    named = {fold(n) for n in ctx.policy.group_companies}
    is_group = (facts["role"] == "group_company") | (facts["category"] == "group_company")
    category_word = facts["vendor_name"].isna() & recipient_categories().map_series(facts["recipient"]).notna()
    judged = facts["status"].isin(JUDGED)
    gap = facts[judged & is_group & ~category_word & ~_folded(facts["recipient"]).isin(named)]
    per = grouped(gap, ["activity_id", "recipient"], joined=["source", "evidence"], rename={"source": "sources"})
    return per.assign(
        source_codes=per["sources"].map(_split_sources),
        company=per["recipient"],
        vendor=per["recipient"],
        named=[list(ctx.policy.group_companies)] * len(per),
        policy_clause=ctx.policy.clause_or_empty("*", "group_companies"),
    )


def unused_recipient_categories(ctx: AuditContext) -> pd.DataFrame:
    """REC-04 (info): a category named for a policy block that none of the block's register entries fills.

    Only blocks cited by at least one ``checked`` register entry are
    considered (a block with no entry is REG-02), and only the block's own
    categories (section 6 applies to all activities and need not be used by
    each). The recipients of every entry citing the block count together.
    """
    cls = classify_activities(ctx)
    entries = cls[cls["status"] == "checked"]
    rec = ctx.policy.recipients
    named = rec[(rec["policy_id"] != "*") & rec["policy_id"].isin(entries["policy_id"])]
    blocks = cls[["activity_id", "policy_id"]].drop_duplicates("activity_id")
    filled = actual_recipients(ctx).merge(blocks, on="activity_id", how="left")[["policy_id", "category"]].dropna()
    gap = named.merge(filled.drop_duplicates().assign(used=True), on=["policy_id", "category"], how="left")
    gap = gap[gap["used"].isna()]
    who = entries.groupby("policy_id")["activity_id"].agg(lambda s: [str(a) for a in s])
    rows_of = entries.assign(where=cite(entries)).groupby("policy_id")["where"].agg("; ".join)
    return pd.DataFrame(
        {
            "policy_id": gap["policy_id"],
            "category": gap["category"],
            "label": gap["category"].map(lambda c: recipient_categories().label(c, ctx.lang)),
            "entries": gap["policy_id"].map(who),
            "evidence": gap["policy_id"].map(ctx.policy.where) + "; " + gap["policy_id"].map(rows_of),
            "policy_clause": gap["policy_id"].map(lambda pid: ctx.policy.clause_or_empty(pid, "recipients")),
        }
    )


def _authority_rows(ctx: AuditContext) -> pd.Series:
    """Disclosures to an authority: by the log's ``recipient_role``, or a vendor whose role is authority."""
    disc = ctx.inputs.disclosures
    roles = vocabulary("vendor_role")
    vendors = ctx.inputs.vendors
    vendor_roles = pd.Series(roles.map_series(vendors["role"]).values, index=_folded(vendors["vendor"]))
    vendor_roles = vendor_roles[~vendor_roles.index.duplicated()]
    return (roles.map_series(disc["recipient_role"]) == "authority") | (
        _folded(disc["recipient"]).map(vendor_roles) == "authority"
    )


def authority_disclosures_without_obligation(ctx: AuditContext) -> pd.DataFrame:
    """REC-05: a disclosure to an authority whose basis is not the one section 6 gives for authorities.

    Section 6 says "lagstadgad skyldighet" (legal obligation); the required
    basis is read from the policy model's section-6 authority row. A
    disclosure listing the required basis among others is accepted; a blank
    basis is not. ``dated`` (in the subject), ``date_said`` and
    ``basis_said`` are phrase keys (a date or none, bases or none; in the
    detail, a date or basis the loader could not read is said to be so, with
    the input issue in ``date_unreadable`` or ``basis_unreadable``).
    """
    disc = ctx.inputs.disclosures
    rec = ctx.policy.recipients
    authority = rec[(rec["policy_id"] == "*") & (rec["role"] == "authority")]
    if disc.empty or authority.empty:
        return pd.DataFrame()
    required = set(authority["legal_basis"].iloc[0])
    bases = exploded(disc.assign(_basis=disc["legal_basis"]), "_basis", "basis")
    bases["basis"] = vocabulary("legal_basis").map_series(bases["basis"].astype(str), method="match")
    ok_rows = set(bases.loc[bases["basis"].isin(required), "_row"])
    stated = bases.dropna(subset=["basis"]).groupby("_row")["basis"].agg(list)
    gap = disc[_authority_rows(ctx) & ~disc.index.isin(ok_rows)]
    said = pd.Series(gap.index, index=gap.index).map(stated)
    dated = gap["date"].notna().map({True: "date", False: "no_date"})
    date_unreadable = unreadable(ctx.inputs, gap, "date")
    basis_unreadable = unreadable(ctx.inputs, gap, "legal_basis")
    basis_said = said.notna().map({True: "bases", False: "no_basis"})
    return pd.DataFrame(
        {
            "activity_id": gap["activity_id"],
            "recipient": gap["recipient"],
            "vendor": gap["recipient"],
            "date": gap["date"],
            "dated": dated,
            "date_said": dated.where(date_unreadable.isna(), "unreadable_date"),
            "date_unreadable": date_unreadable,
            "bases": said,
            "basis_said": basis_said.where(basis_unreadable.isna(), "unreadable_basis"),
            "basis_unreadable": basis_unreadable,
            "required": [sorted(required)] * len(gap),
            "evidence": cite_column(gap, ctx, "legal_basis"),
            "policy_clause": ctx.policy.clause_or_empty("*", f"recipients:{authority['category'].iloc[0]}"),
        }
    )


def _split_sources(joined: object) -> list[str]:
    """The source codes of a grouped fact (``"listed; system vendor"``), for the sentence to label them."""
    return joined.split("; ") if isinstance(joined, str) and joined else []
