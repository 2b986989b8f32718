"""The pydantic model of ``data/policy/policy.yaml`` (and of what the text parser produces).

Every rule joins on the policy's ids, so an id that is not in the reference
vocabularies would not fail: it would silently match nothing, and the audit
would report a gap that is really a typo. The model checks each id against
its vocabulary, each retention rule against the anchors and kinds, and the
activity ids for being unique, non-empty and free of white space, so such a typo fails at load
time with the file and the key path (``activities[1] (P-CRM).data_categories.ids``).

The model only validates; :mod:`audit.policy.model` builds the tables the
rules use from the validated mapping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from audit.reference.datafiles import validate
from audit.reference.durations import anchor_names, period_to_offset
from audit.reference.schemas import FieldProblem, Kind, ReferenceFile, Strict, Text
from audit.reference.vocab import data_categories, recipient_categories, vocabulary


def _known_ids(ids: Callable[[], list[str]], where: str) -> Callable[[list[str]], list[str]]:
    """A check that every id of a list is one of ``ids()`` (read when checked, so after the vocabularies load)."""

    def check(values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in ids()]
        if unknown:
            raise ValueError(f"unknown id(s) {', '.join(map(repr, unknown))} (not in {where})")
        return values

    return check


def _known_id(ids: Callable[[], list[str]], where: str) -> Callable[[str], str]:
    """A check that one id is one of ``ids()``."""

    def check(value: str) -> str:
        if value not in ids():
            raise ValueError(f"unknown id {value!r} (not in {where})")
        return value

    return check


def _period(value: str) -> str:
    try:
        period_to_offset(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 period such as P30D or P7Y") from None
    return value


def _anchor(value: str) -> str:
    if value not in anchor_names():
        raise ValueError(f"{value!r} is not one of {', '.join(anchor_names())}")
    return value


def _category_ids() -> list[str]:
    return data_categories().ids


def _recipient_ids() -> list[str]:
    return recipient_categories().ids


def _basis_ids() -> list[str]:
    return vocabulary("legal_basis").ids


def _mechanism_ids() -> list[str]:
    return vocabulary("transfer_mechanism").ids


def _role_ids() -> list[str]:
    return vocabulary("vendor_role").ids


Period = Annotated[str, AfterValidator(_period)]
Anchor = Annotated[str, AfterValidator(_anchor)]
Section = Annotated[int, Field(ge=0)] | Text
DataCategoryIds = Annotated[list[str], AfterValidator(_known_ids(_category_ids, "data_categories.yaml"))]
LegalBasisIds = Annotated[list[str], AfterValidator(_known_ids(_basis_ids, "vocabularies.yaml legal_basis"))]
RecipientIds = Annotated[list[str], AfterValidator(_known_ids(_recipient_ids, "recipient_categories.yaml"))]
RecipientId = Annotated[str, AfterValidator(_known_id(_recipient_ids, "recipient_categories.yaml"))]
MechanismId = Annotated[str, AfterValidator(_known_id(_mechanism_ids, "vocabularies.yaml transfer_mechanism"))]
RoleId = Annotated[str, AfterValidator(_known_id(_role_ids, "vocabularies.yaml vendor_role"))]


class Controller(Strict):
    """Art. 13(1)(a): who the controller is and how to reach them."""

    name: Text
    postal_address: Text | None = None
    email: Text | None = None


class Dpo(Strict):
    """Art. 13(1)(b): the data protection officer's contact."""

    email: Text


class GroupCompanies(Strict):
    """Section 6: the group companies data may be shared with."""

    section: Section
    names: list[Text]
    sentence: Text


class SharedRecipient(Strict):
    """A section-6 recipient that applies to every activity."""

    category: RecipientId
    heading: str | None = None
    role: RoleId
    legal_basis: LegalBasisIds
    purpose: str | None = None
    sentence: Text


class Sharing(Strict):
    """Section 6."""

    section: Section
    recipients: list[SharedRecipient]


class Ground(Strict):
    """A transfer ground (Art. 44-49) the policy names."""

    id: MechanismId
    sentence: Text


class TransferGrounds(Strict):
    """Section 7."""

    section: Section
    grounds: list[Ground]


class RequestDeadline(Strict):
    """Section 8: how soon the company answers a request (Art. 12(3))."""

    section: Section
    period: Period
    sentence: Text


class Promise(Strict):
    """A security promise of section 5."""

    id: Text
    sentence: Text


class SecurityPromises(Strict):
    """Section 5."""

    section: Section
    promises: list[Promise]


class Clause(Strict):
    """A quoted policy sentence a finding can cite."""

    section: Section
    sentence: Text


class IdsWithText(Strict):
    """Ids of a vocabulary and the policy words they were read from."""

    ids: list[str]
    text: str | None


class DataCategories(IdsWithText):
    """An activity's data categories."""

    ids: DataCategoryIds


class LegalBasis(IdsWithText):
    """An activity's legal bases; ``by_phase`` for contract phases (before, during, after)."""

    ids: LegalBasisIds
    by_phase: dict[str, LegalBasisIds] | None = None


class Recipients(IdsWithText):
    """An activity's recipient categories."""

    ids: RecipientIds


class LegitimateInterest(Strict):
    """Art. 13(1)(d): the sentence that states the interest pursued."""

    section: Section
    sentence: Text


class RetentionRule(Strict):
    """One retention rule (see the comment at the top of ``policy.yaml``)."""

    kind: Kind
    sentence: Text
    period: Period | None = None
    anchor: Anchor | None = None
    applies_to: RecipientId | None = None

    @model_validator(mode="after")
    def _complete(self) -> RetentionRule:
        """A period needs its length; a period or an event needs the anchor it counts from or waits for."""
        if self.kind == "period" and self.period is None:
            raise FieldProblem(("period",), "required for kind period (an ISO 8601 period such as P30D or P7Y)")
        if self.kind in ("period", "until") and self.anchor is None:
            raise FieldProblem(("anchor",), f"required for kind {self.kind} (one of {', '.join(anchor_names())})")
        return self


class Retention(Strict):
    """An activity's retention statement and the rules read from it."""

    text: str | None
    rules: list[RetentionRule]


class Activity(Strict):
    """One policy activity; outside the scope it needs only its scope note and retention."""

    id: Annotated[str, Field(pattern=r"^\S+$")]
    section: Section
    title: Text
    group: str | None = None
    in_scope: bool
    scope_note: str | None = None
    data_categories: DataCategories | None
    purpose: str | None
    legal_basis: LegalBasis | None
    legitimate_interest: LegitimateInterest | None
    recipients: Recipients | None
    retention: Retention

    @model_validator(mode="after")
    def _scope(self) -> Activity:
        """In scope, every field the rules compare must be given; outside it, the note that says why."""
        if not self.in_scope:
            if not (self.scope_note or "").strip():
                raise FieldProblem(("scope_note",), f"expected a non-empty text, got {self.scope_note!r}")
            return self
        for name in ("data_categories", "purpose", "legal_basis", "recipients"):
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise FieldProblem((name,), f"required for an activity in scope, got {value!r}")
        return self


class PolicyFile(ReferenceFile):
    """``policy.yaml``: what the published privacy policy promises."""

    version: dt.date | None = None
    language: Literal["sv", "en"] | None = None
    text_sha256: str | None = None
    unparsed: list[str] | None = None
    controller: Controller
    dpo: Dpo | None = None
    group_companies: GroupCompanies | None = None
    sharing: Sharing | None = None
    transfer_grounds: TransferGrounds | None = None
    request_deadline: RequestDeadline | None = None
    security_promises: SecurityPromises | None = None
    clauses: dict[str, Clause] | None = None
    activities: list[Activity]

    @model_validator(mode="after")
    def _activity_ids(self) -> PolicyFile:
        """Activity ids must be unique: registers refer to them by id (``policy_ref``)."""
        ids = [a.id for a in self.activities]
        for index, pid in enumerate(ids):
            if pid in ids[:index]:
                raise FieldProblem(("activities", index, "id"), f"duplicate activity id {pid!r} (ids must be unique)")
        return self


def validate_policy(data: dict[str, Any], where: Path | str) -> PolicyFile:
    """Check the policy mapping; raise :class:`ReferenceDataError` naming ``where`` and the key.

    Parameters
    ----------
    data
        ``policy.yaml``'s content, or the parser's output with ``source`` and ``date`` added.
    where
        The file, for the message.
    """
    return validate(PolicyFile, data, where)
