"""REG-07: processing that Art. 35 and IMY's list tie to a DPIA, with none recorded in the register.

Art. 35(3) and IMY's list of processing that requires a data protection
impact assessment name, among others, special-category data, processing on
a large scale and systematic monitoring. The register says which of these an
activity involves: its data categories (``data_categories`` and the
``special_categories`` column, matched through ``data_categories.yaml``; a
kind of data that can *reveal* a special category, such as dietary
requirements revealing health or religion, counts), and the optional yes/no
columns ``large_scale`` and ``systematic_monitoring``. Its ``dpia`` column
says whether one was made: ``yes`` is a DPIA, ``not_needed`` a recorded
assessment that none is required; ``no`` or a blank cell is a gap.

Only controller and joint-controller entries are judged: for processor work
the customer, as controller, answers for the DPIA (the processor assists,
Art. 28(3)(f)).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from audit.reference.vocab import data_categories, reveals, special_category_ids
from audit.rules.activities import CONTROLLER_ROLES, classify_activities
from audit.rules.common import grouped, unreadable, unreadable_case
from audit.rules.context import AuditContext
from audit.rules.findings import cite_column
from audit.rules.register_categories import category_rows

#: ``dpia`` values (vocabularies.yaml ``dpia``) that record an assessment.
RECORDED = ("yes", "not_needed")
#: Register columns naming the kinds of data an activity processes.
CATEGORY_COLUMNS = ("data_categories", "special_categories")


def _labels(ids: Iterable[str], lang: str) -> list[str]:
    """Display labels of category ids in the report's language ``lang``, in order, without repeats."""
    vocab = data_categories()
    return list(dict.fromkeys(vocab.label(cid, lang) for cid in ids))


def _special_data(ctx: AuditContext, rows: pd.DataFrame) -> pd.DataFrame:
    """Per register row: labels of the special categories it records, and of the data that can reveal one.

    Columns ``special_labels``, ``revealing_labels`` and ``revealed_labels``
    (lists in the register's order, without repeats), indexed like ``rows``.
    """
    acts = ctx.inputs.activities
    words = pd.concat(
        [category_rows(rows[[]].assign(words=acts.loc[rows.index, col]), "words") for col in CATEGORY_COLUMNS],
        ignore_index=True,
    )
    ids = grouped(words, ["_row"], distinct=["category"]).set_index("_row")["category"]
    ids = ids.reindex(rows.index).map(lambda v: v if isinstance(v, list) else [])
    special, reveal = special_category_ids(), reveals()
    revealing = ids.map(lambda cids: [c for c in cids if c in reveal and c not in special])
    return pd.DataFrame(
        {
            "special_labels": ids.map(lambda cids: _labels((c for c in cids if c in special), ctx.lang)),
            "revealing_labels": revealing.map(lambda cids: _labels(cids, ctx.lang)),
            "revealed_labels": revealing.map(lambda cids: _labels((r for c in cids for r in reveal[c]), ctx.lang)),
        },
        index=rows.index,
    )


def _triggers(ctx: AuditContext, rows: pd.DataFrame, special: pd.DataFrame) -> list[list[str]]:
    """The Art. 35 triggers of each row, as REG-07's phrase keys (an empty list: none)."""
    acts = ctx.inputs.activities.loc[rows.index]
    flags = {
        "special": special["special_labels"].map(bool),
        "revealing": special["revealing_labels"].map(bool),
        "large_scale": acts["large_scale"].astype("boolean").eq(True).fillna(False),
        "monitoring": acts["systematic_monitoring"].astype("boolean").eq(True).fillna(False),
    }
    on = pd.DataFrame(flags, index=rows.index).astype(bool)
    keys = list(flags)
    return [[key for key, set_ in zip(keys, row, strict=True) if set_] for row in on.to_numpy()]


def missing_dpia(ctx: AuditContext) -> pd.DataFrame:
    """REG-07: controller activities with an Art. 35 trigger and no DPIA (or assessment) recorded.

    ``case`` is ``recorded_no`` when the ``dpia`` cell says no,
    ``not_recorded`` when it is blank, ``unreadable`` when it held a value
    the loader could not read (the finding cites that input issue). The clause is the data categories of
    the policy block the activity cites, when it cites a known one.
    """
    cls = classify_activities(ctx)
    dpia = ctx.inputs.activities["dpia"]
    rows = cls[cls["role"].isin(CONTROLLER_ROLES) & ~dpia.isin(RECORDED)]
    special = _special_data(ctx, rows)
    triggers = pd.Series(_triggers(ctx, rows, special), index=rows.index, dtype="object")
    gap = rows[triggers.map(bool).astype(bool)]
    where = unreadable(ctx.inputs, gap, "dpia")
    return pd.DataFrame(
        {
            "activity_id": gap["activity_id"],
            "activity": gap["activity"],
            "triggers": triggers[gap.index],
            **special.loc[gap.index],
            "case": unreadable_case(dpia[gap.index].map({"no": "recorded_no"}).fillna("not_recorded"), where),
            "unreadable": where,
            "evidence": cite_column(gap, ctx, "dpia"),
            "policy_clause": gap["policy_id"].map(
                lambda pid: ctx.policy.clause_or_empty(pid, "data_categories") if pid else None
            ),
        }
    )
