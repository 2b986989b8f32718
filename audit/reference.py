"""Reference data: vocabularies, category synonyms, countries and adequacy decisions.

All lists live in ``data/reference/*.yaml`` with their source and date; this
module only loads, validates and indexes them.
"""

from __future__ import annotations

from functools import cache

from audit.datafiles import reference
from audit.vocab import Vocabulary


@cache
def vocabulary(name: str) -> Vocabulary:
    """A controlled vocabulary of ``vocabularies.yaml`` (``legal_basis``, ``right``, ...)."""
    data = reference("vocabularies")
    return Vocabulary(data[name], name=f"vocabularies.yaml:{name}")


@cache
def data_categories() -> Vocabulary:
    """Kinds of personal data (``data_categories.yaml``), labelled in Swedish as the policy words them."""
    cats = reference("data_categories")["categories"]
    return Vocabulary(
        {cid: spec.get("synonyms", []) for cid, spec in cats.items()},
        name="data_categories.yaml",
        labels={cid: spec["label"] for cid, spec in cats.items()},
    )


@cache
def recipient_categories() -> Vocabulary:
    """Kinds of recipients (``recipient_categories.yaml``), labelled with the policy's words."""
    cats = reference("recipient_categories")["categories"]
    return Vocabulary(
        {cid: [spec.get("en", ""), *spec.get("synonyms", [])] for cid, spec in cats.items()},
        name="recipient_categories.yaml",
        labels={cid: spec["label"] for cid, spec in cats.items()},
    )


def special_category_ids() -> set[str]:
    """Ids of the Art. 9(1) special categories."""
    return {cid for cid, spec in reference("data_categories")["categories"].items() if spec.get("special")}


def reveals() -> dict[str, list[str]]:
    """Data category id -> special categories it can reveal (e.g. food preferences -> health)."""
    return {
        cid: spec["reveals"] for cid, spec in reference("data_categories")["categories"].items() if spec.get("reveals")
    }
