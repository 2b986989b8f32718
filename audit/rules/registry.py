"""Which rules and tables an audit runs: read from the rule catalogue, never listed in code.

``data/reference/rules.yaml`` names, for every rule, the function that
returns its facts, and for every table the function that builds it; this
module imports those functions and runs them. Adding a rule is therefore one
function, one catalogue entry and one test: no list to extend, no id to
repeat.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import pandas as pd

from audit.errors import ReferenceDataError
from audit.reference.catalogue import CATALOGUE_FILE, catalogue
from audit.rules.context import AuditContext
from audit.rules.findings import combine_findings, findings_from_facts


@cache
def resolve(ref: str) -> Callable[..., Any]:
    """The function a catalogue entry names as ``"package.module:function"``.

    Raises
    ------
    ReferenceDataError
        When the module or function does not exist (a catalogue typo), naming both.
    """
    module, _, name = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ReferenceDataError(f"{CATALOGUE_FILE}: no function {ref}") from None


def rule_ids(area: str | None = None) -> list[str]:
    """Rule ids in catalogue order, all or those of one area prefix (``"REG"``)."""
    return [rid for rid in catalogue().rules if area is None or rid.split("-")[0] == area]


def rule_facts(ctx: AuditContext, rule_id: str) -> pd.DataFrame:
    """The facts ``rule_id`` finds in this audit (one row per gap), before wording."""
    return resolve(catalogue().rules[rule_id].check)(ctx)


def run_rules(ctx: AuditContext, rules: Iterable[str] | None = None) -> pd.DataFrame:
    """The findings of ``rules`` (default: every rule of the catalogue), severity first."""
    wanted = list(rules) if rules is not None else rule_ids()
    return combine_findings([findings_from_facts(rid, rule_facts(ctx, rid), ctx) for rid in wanted])


def run_family(ctx: AuditContext, area: str) -> pd.DataFrame:
    """The findings of one area's rules (``"SEC"``): what a family's tests and notebook look at."""
    return run_rules(ctx, rule_ids(area))


def build_tables(ctx: AuditContext) -> dict[str, pd.DataFrame]:
    """Every catalogue table, keyed as in ``rules.yaml`` and in its order."""
    return {key: resolve(spec.build)(ctx) for key, spec in catalogue().tables.items()}
