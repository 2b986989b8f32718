"""REG-03: data categories the register or the inventory records that the policy does not list.

Words are matched to category ids through ``data_categories.yaml`` ("E-post"
and "e-mail address" are both ``email``); a word no synonym matches is
reported with the word itself, never guessed. :func:`category_rows` is that
matching, for every rule that reads a data-category cell.
"""

from __future__ import annotations

import pandas as pd

from audit.reference.vocab import data_categories
from audit.rules.activities import classify_activities
from audit.rules.common import as_list, exploded
from audit.rules.context import AuditContext
from audit.rules.findings import cite_column


def category_rows(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per category word of ``column`` with its canonical id (``None`` when no synonym matches)."""
    long = exploded(frame, column, "word")
    long["word"] = long["word"].astype(str).str.strip()
    long["category"] = data_categories().map_series(long["word"], method="match")
    return long


def _labels(ids: object, lang: str) -> list[str]:
    """Labels of category ids in the report's language ``lang``, in order."""
    vocab = data_categories()
    return [vocab.label(c, lang) for c in as_list(ids)]


def _policy_categories(ctx: AuditContext) -> pd.DataFrame:
    """(policy_id, category) for every data category a policy block lists."""
    pairs = ctx.policy.activities[["policy_id", "data_categories"]].explode("data_categories")
    return pairs.dropna().rename(columns={"data_categories": "category"}).drop_duplicates()


def _not_covered(
    long: pd.DataFrame, covered: pd.DataFrame, keys: list[str], owner: str, lang: str = "en"
) -> pd.DataFrame:
    """Rows of ``long`` whose (``keys``) pair is not in ``covered``, one per owner × category (or raw word).

    Adds ``category_key`` (the id, or the word when unmatched), ``owner``
    (the subject's first part), the category's ``label`` and whether it was
    ``matched``.
    """
    long = long.merge(covered.drop_duplicates().assign(ok=True), on=keys, how="left")
    gap = long[long["ok"].isna()].drop(columns="ok")
    gap = gap.assign(category_key=gap["category"].fillna(gap["word"]), owner=gap[owner])
    gap = gap.drop_duplicates([owner, "category_key"])
    vocab = data_categories()
    return gap.assign(
        label=gap["category"].map(lambda c: vocab.label(c, lang) if c else None),
        matched=gap["category"].notna(),
    )


def _register_gaps(ctx: AuditContext) -> pd.DataFrame:
    """REG-03 for the register row's own ``data_categories`` (``checked`` entries only)."""
    cls = classify_activities(ctx)
    checked = cls[cls["status"] == "checked"]
    words = checked.assign(data_categories=ctx.inputs.activities.loc[checked.index, "data_categories"])
    gap = _not_covered(
        category_rows(words, "data_categories"),
        _policy_categories(ctx),
        ["policy_id", "category"],
        "activity_id",
        ctx.lang,
    )
    listed = ctx.policy.activities.set_index("policy_id")["data_categories"].map(lambda ids: _labels(ids, ctx.lang))
    policy_labels = gap["policy_id"].map(listed)
    return pd.DataFrame(
        {
            "owner": gap["owner"],
            "category_key": gap["category_key"],
            "activity_id": gap["activity_id"],
            "activity": gap["activity"],
            "policy_id": gap["policy_id"],
            "word": gap["word"],
            "label": gap["label"],
            "policy_labels": policy_labels,
            "listed": policy_labels.map(lambda labels: "labels" if labels else "nothing"),
            "case": gap["matched"].map({True: "activity", False: "activity_unmatched"}),
            "evidence": cite_column(gap, ctx, "data_categories"),
            "policy_clause": gap["policy_id"].map(lambda pid: ctx.policy.clause_or_empty(pid, "data_categories")),
        }
    )


def _system_use(ctx: AuditContext) -> pd.DataFrame:
    """(activity, system) pairs of the register's ``systems`` cells, with the activity's classification."""
    cls = classify_activities(ctx)
    use = exploded(cls.assign(systems=ctx.inputs.activities["systems"]), "systems", "system_id")
    use["system_id"] = use["system_id"].astype(str).str.strip()
    return use


def _system_coverage(ctx: AuditContext, use: pd.DataFrame) -> pd.DataFrame:
    """(system_id, category) pairs some activity using the system accounts for.

    A ``checked`` activity accounts for what its policy block lists; a
    processor or outside-scope activity (not judged against this policy) for
    the categories its own register row records.
    """
    cls = classify_activities(ctx)
    by_policy = use[use["status"] == "checked"].merge(_policy_categories(ctx), on="policy_id")
    own_users = cls[cls["status"].isin(["processor", "outside scope"])]
    own_words = own_users.assign(data_categories=ctx.inputs.activities.loc[own_users.index, "data_categories"])
    own = category_rows(own_words, "data_categories")
    own_use = own.merge(use[["activity_id", "system_id"]], on="activity_id")
    cols = ["system_id", "category"]
    return pd.concat([by_policy[cols], own_use[cols]], ignore_index=True).dropna()


def _system_gaps(ctx: AuditContext) -> pd.DataFrame:
    """REG-03 for the inventory's ``data_categories`` of each system.

    A system serves several activities, so a category it holds is a gap only
    when *no* activity using it accounts for it (:func:`_system_coverage`).
    Systems no ``checked`` activity uses are not judged (an undisclosed
    activity is REG-01 already). The subject is ``<system_id>:<category id
    or raw word>``, with ``system_id`` set.
    """
    systems = ctx.inputs.systems
    use = _system_use(ctx)
    users = use[use["status"] == "checked"]
    judged = systems[systems["system_id"].isin(set(users["system_id"]))]
    gap = _not_covered(
        category_rows(judged, "data_categories"),
        _system_coverage(ctx, use),
        ["system_id", "category"],
        "system_id",
        ctx.lang,
    )
    pairs = users.assign(pair=users["activity_id"].astype(str) + " → " + users["policy_id"])
    who = pairs.groupby("system_id")["pair"].agg(lambda s: list(dict.fromkeys(s)))
    clauses = users.groupby("system_id")["policy_id"].agg(
        lambda s: " ".join(ctx.policy.clause_or_empty(pid, "data_categories") for pid in dict.fromkeys(s))
    )
    return pd.DataFrame(
        {
            "owner": gap["owner"],
            "category_key": gap["category_key"],
            "system_id": gap["system_id"],
            "system": gap["system"],
            "vendor": gap["vendor"],
            "word": gap["word"],
            "label": gap["label"],
            "users": gap["system_id"].map(who),
            "case": gap["matched"].map({True: "system", False: "system_unmatched"}),
            "evidence": cite_column(gap, ctx, "data_categories"),
            "policy_clause": gap["system_id"].map(clauses),
        }
    )


def undisclosed_data_categories(ctx: AuditContext) -> pd.DataFrame:
    """REG-03: categories of ``checked`` register rows and of the systems they use that the policy does not list."""
    return pd.concat([_register_gaps(ctx), _system_gaps(ctx)], ignore_index=True)
