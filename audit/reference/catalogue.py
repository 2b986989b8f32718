"""The rule catalogue (``data/reference/rules.yaml``) as validated, typed data.

The catalogue is the one registry of the audit: every rule's wording
(title, subject format, detail sentences, recommendation, article), the
function that finds its facts, the tables behind the workbook sheets and
CSVs, and the charts. Code holds the logic only; which rules exist, what a
finding says and which sheet or file shows what are data, so adding a rule
or rewording a finding (or translating it) never means editing several
modules by hand.

Functions are named as ``"package.module:function"`` strings and imported by
the layer that runs them (:mod:`audit.rules.registry`,
:mod:`audit.report`), so this module never imports upwards.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from audit.errors import ReferenceDataError
from audit.paths import REFERENCE_DIR
from audit.reference.datafiles import load_yaml, validate

CATALOGUE_FILE = REFERENCE_DIR / "rules.yaml"
RULE_ID = re.compile(r"^[A-Z]{3}-\d{2}$")
FUNCTION = r"^[a-z_][\w.]*:[A-Za-z_]\w*$"
#: The parts of a policy model a rule may need: its optional top-level keys, ``version``, ``clause:<key>``.
POLICY_PARTS = (
    "version",
    "dpo",
    "group_companies",
    "sharing",
    "transfer_grounds",
    "request_deadline",
    "security_promises",
)
PART = r"^(clause:[a-z_]+|" + "|".join(POLICY_PARTS) + r")$"

Template = Annotated[str, Field(min_length=1)]
#: One sentence, or several keyed by the ``case`` a rule's facts name.
Wording = Template | dict[str, Template]


def template_fields(template: str) -> set[str]:
    """The facts a template reads (``{name}`` or ``{name:spec}``)."""
    return {name.split(".")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _wordings(value: str | dict[str, str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value.values())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    """One rule: the function that finds its facts, and everything a finding of it says.

    ``subject`` is a template over the facts (``"{activity_id}:{system_id}"``);
    ``finding_id`` hashes rule + subject, so a subject format is a promise to
    the DPO whose comments follow a finding from run to run. ``detail`` and
    ``recommendation`` are a template each, or one per ``case`` when a rule
    words different situations differently. ``phrases`` are the pieces a
    ``{field:phrase}`` placeholder renders (a fact holding phrase keys, or a
    list of them joined with ``"; "``).
    """

    check: Annotated[str, Field(pattern=FUNCTION)]
    title: Template
    severity: Literal["high", "medium", "low", "info"]
    subject: Template
    subject_example: str = ""
    detail: Wording
    recommendation: Wording
    article: Template
    phrases: dict[str, Template] = Field(default_factory=dict)
    needs: list[Annotated[str, Field(pattern=PART)]] = Field(default_factory=list)

    def wording(self, kind: str, case: str | None) -> str:
        """The ``detail`` or ``recommendation`` template for ``case`` (``default`` when a rule has one)."""
        value = self.detail if kind == "detail" else self.recommendation
        if isinstance(value, str):
            return value
        key = case if case in value else "default"
        if key not in value:
            raise ReferenceDataError(f"{CATALOGUE_FILE}: {kind} has no case {case!r} and no default")
        return value[key]

    def fields(self) -> set[str]:
        """Every fact any of this rule's templates reads."""
        texts = [self.subject, *_wordings(self.detail), *_wordings(self.recommendation), *self.phrases.values()]
        return set().union(*(template_fields(t) for t in texts))


class TableSpec(_Strict):
    """A table the rules build, shown as a workbook sheet and (optionally) written as a CSV."""

    build: Annotated[str, Field(pattern=FUNCTION)]
    sheet: Template
    csv: str | None = None
    doc: str = ""


class ChartSpec(_Strict):
    """A report chart: the function that draws it and the PNG it is saved as."""

    draw: Annotated[str, Field(pattern=FUNCTION)]
    inputs: list[str]
    file: Annotated[str, Field(pattern=r"^[\w.-]+\.png$")]


class NotRun(_Strict):
    """The info finding of a rule that could not run: ``rule`` and ``reasons`` (the ``policy_parts`` sentences)."""

    detail: Template
    recommendation: Template

    @model_validator(mode="after")
    def _fields(self) -> NotRun:
        unknown = sorted((template_fields(self.detail) | template_fields(self.recommendation)) - {"rule", "reasons"})
        if unknown:
            raise ValueError(f"not_run templates may name only rule and reasons, not {', '.join(unknown)}")
        return self


class Catalogue(_Strict):
    """The whole of ``rules.yaml``."""

    source: str
    date: Any
    areas: dict[str, Template]
    policy_parts: dict[Annotated[str, Field(pattern=PART)], Template] = Field(default_factory=dict)
    not_run: NotRun
    rules: dict[str, RuleSpec]
    tables: dict[str, TableSpec]
    charts: dict[str, ChartSpec]

    @field_validator("rules")
    @classmethod
    def _rule_ids(cls, rules: dict[str, RuleSpec]) -> dict[str, RuleSpec]:
        bad = [rid for rid in rules if not RULE_ID.match(rid)]
        if bad:
            raise ValueError(f"rule ids must look like REG-01: {', '.join(bad)}")
        return rules

    @model_validator(mode="after")
    def _areas_known(self) -> Catalogue:
        unknown = sorted({rid.split("-")[0] for rid in self.rules} - set(self.areas))
        if unknown:
            raise ValueError(f"rules of unknown area(s) {', '.join(unknown)}; add them under areas")
        for rid, spec in self.rules.items():
            unworded = [part for part in spec.needs if part not in self.policy_parts]
            if unworded:
                raise ValueError(f"{rid} needs {', '.join(unworded)}, which policy_parts does not word")
        sheets = [t.sheet for t in self.tables.values()]
        if len(set(sheets)) != len(sheets):
            raise ValueError("two tables share a sheet name")
        return self

    def area(self, rule_id: str) -> str:
        """The report area (``Register``, ``Transfers``, ...) of ``rule_id``."""
        return self.areas[rule_id.split("-")[0]]


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """Read and validate a rule catalogue file.

    Raises
    ------
    ReferenceDataError
        Naming the file and the key that is wrong.
    """
    return validate(Catalogue, load_yaml(path), path)


@cache
def catalogue() -> Catalogue:
    """The bundled rule catalogue, validated once per process."""
    return load_catalogue()
