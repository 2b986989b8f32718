"""The planted gaps, checked and loaded from ``fixtures/findings.yaml``.

``expected_findings.csv`` and the README's table are the contract the
rules' end-to-end test holds the audit to, so their wording is data that a
reviewer reads and edits in one place, while what could go stale is left to
the generator: row numbers are looked up from ``organisation.yaml`` and
record counts, shares and example lines from the drawn extracts. Loading
checks that every cited row exists and every record gap names an extract
and one of its date columns, so a renamed id fails here, not as a
``StopIteration`` while the README is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from audit.reference.datafiles import reference
from tools.sample.loading import FIXTURES_DIR, Node, read_fixture, template_fields
from tools.sample.organisation import Table
from tools.sample.recordspec import ExtractSpec

FINDINGS_FILE = FIXTURES_DIR / "findings.yaml"
# What a finding's `at` may cite: location kind -> organisation.yaml table (rows are found by their id).
LOCATION_TABLES = {
    "activity": "activities",
    "system": "systems",
    "vendor": "vendors",
    "request": "requests",
    "disclosure": "disclosures",
}


@dataclass(frozen=True)
class FindingSpec:
    """One planted gap as ``findings.yaml`` words it.

    Parameters
    ----------
    rule
        Rule id from the catalogue (``data/reference/rules.yaml``).
    subject
        The finding's subject, in the rule's subject format.
    what
        Description without its location; a ``str.format`` template with
        ``{grace_days}`` and ``{files[S-CRM]}`` (an extract's file name as written).
    at
        ``(kind, key)`` of the fixture rows it cites; empty for a record gap.
    records
        Whether it is a planted record gap of the subject's ``activity:system``.
    anchor
        For a record gap, the date column whose oldest value it quotes (``None``: none).
    """

    rule: str
    subject: str
    what: str
    at: list[tuple[str, str]]
    records: bool = False
    anchor: str | None = None


def _what(node: Node, extracts: dict[str, ExtractSpec]) -> str:
    """The description template; only ``{grace_days}`` and ``{files[<extract>]}`` may be filled in."""
    what = node.want("text")
    allowed = {"grace_days"} | {f"files[{sid}]" for sid in extracts}
    unknown = sorted(template_fields(node, what) - allowed)
    if unknown:
        node.fail(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")
    return what


def _at(node: Node, tables: dict[str, Table]) -> list[tuple[str, str]]:
    """Cited rows as ``(kind, key)``; each must exist in its ``organisation.yaml`` table."""
    cited = []
    for element in node.elements():
        pairs = element.entries(set(LOCATION_TABLES))
        if len(pairs) != 1:
            element.fail("expected one `kind: key` pair, e.g. {activity: A-13}")
        kind, key = pairs[0][0], pairs[0][1].want("text")
        if tables[LOCATION_TABLES[kind]].row_number(key) is None:
            pairs[0][1].fail(f"no {kind} {key!r} in organisation.yaml")
        cited.append((kind, key))
    return cited


def _anchor(node: Node, subject: Node, extracts: dict[str, ExtractSpec]) -> str | None:
    """A record gap's anchor column; its subject must read ``<activity>:<extract>``."""
    node.only({"anchor"}, {"anchor"})
    activity, _, sid = subject.value.partition(":")
    if not re.fullmatch(r"A-\d\d", activity) or sid not in extracts:
        subject.fail(f"a record gap's subject is <activity>:<extract>, one of {', '.join(extracts)}")
    anchor = node["anchor"].value
    if anchor is not None and anchor not in extracts[sid].dates:
        node["anchor"].fail(f"expected null or a date column of {sid} ({', '.join(extracts[sid].dates)})")
    return anchor


def load_finding(node: Node, tables: dict[str, Table], extracts: dict[str, ExtractSpec]) -> FindingSpec:
    """Check and load one planted gap.

    Parameters
    ----------
    node
        The finding's mapping: ``rule``, ``subject``, ``what`` and either ``at`` or ``records``.
    tables
        The organisation's tables, for the rows ``at`` cites.
    extracts
        The record extracts, for ``records`` and the ``{files[...]}`` fields.
    """
    node.only({"rule", "subject", "what", "at", "records"}, {"rule", "subject", "what"})
    rule = node["rule"].want("text")
    if rule not in reference("rules")["rules"]:
        node["rule"].fail(f"{rule!r} is not in data/reference/rules.yaml")
    subject, what = node["subject"].want("text"), _what(node["what"], extracts)
    if ("at" in node.value) == ("records" in node.value):
        node.fail("give either `at` (cited rows) or `records` (a planted record gap)")
    if "records" in node.value:
        return FindingSpec(rule, subject, what, [], True, _anchor(node["records"], node["subject"], extracts))
    return FindingSpec(rule, subject, what, _at(node["at"], tables))


def load_findings(
    tables: dict[str, Table], extracts: dict[str, ExtractSpec], path: Path = FINDINGS_FILE
) -> list[FindingSpec]:
    """All planted gaps, in file order; a ``(rule, subject)`` pair may appear only once.

    Parameters
    ----------
    tables
        The organisation's tables (:func:`tools.sample.organisation.load_organisation`).
    extracts
        The record extracts (:func:`tools.sample.recordspec.load_records`).
    path
        The findings file.

    Raises
    ------
    FixtureError
        When a finding is malformed, cites a row that does not exist or repeats another.
    """
    root = read_fixture(path).only({"source", "date", "findings"}, {"findings"})
    findings, seen = [], set()
    for node in root["findings"].elements():
        finding = load_finding(node, tables, extracts)
        if (finding.rule, finding.subject) in seen:
            node.fail(f"{finding.rule} {finding.subject} is listed twice")
        seen.add((finding.rule, finding.subject))
        findings.append(finding)
    return findings
