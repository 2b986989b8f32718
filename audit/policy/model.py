"""The policy model: what the published privacy policy promises, as tables the rules can join on.

Loaded from ``data/policy/policy.yaml`` (readable, reviewed, kept equal to
the policy text by a test through :mod:`audit.policy.text`). Validation, by
the pydantic model of :mod:`audit.policy.schema`, checks every id against the
reference vocabularies, so a typo in the model fails at load time with the
file and key, not as a silent non-match in a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from audit.errors import ReferenceDataError
from audit.paths import POLICY_DIR, PROJECT_DIR
from audit.policy.document import read_document, text_hash
from audit.policy.schema import validate_policy
from audit.policy.vocabulary import detect_language, field_label
from audit.reference.datafiles import load_yaml
from audit.reference.vocab import recipient_categories

DEFAULT_POLICY_FILE = POLICY_DIR / "policy.yaml"
ACTIVITY_FIELDS = ("data_categories", "purpose", "legal_basis", "recipients", "retention")
ACTIVITY_COLUMNS = [
    "policy_id",
    "title",
    "group",
    "in_scope",
    "data_categories",
    "data_categories_text",
    "purpose",
    "legal_basis",
    "legal_basis_by_phase",
    "legal_basis_text",
    "legitimate_interest",
    "recipient_categories",
    "recipients_text",
    "retention_text",
    "scope_note",
]
RECIPIENT_COLUMNS = ["policy_id", "category", "label", "scope", "role", "legal_basis", "source"]
RETENTION_COLUMNS = ["policy_id", "part", "kind", "period", "anchor", "source"]
YAML_SUFFIXES = (".yaml", ".yml")


def quote(section: object, text: str) -> str:
    """A policy sentence as findings cite it.

    ``§10 «Lagringstid: ...»`` for a numbered section, ``How long we keep your data «...»``
    for a section named by its heading, ``«...»`` for text before any heading (section 0).
    """
    if isinstance(section, str):
        return f"{section} «{text}»"
    if section == 0:
        return f"«{text}»"
    return f"§{section} «{text}»"


def _where_section(section: object) -> str:
    """A section as evidence cites it: ``§10``, the heading text, or nothing for section 0."""
    if isinstance(section, str):
        return section
    return "" if section == 0 else f"§{section}"


@dataclass(eq=False)
class PolicyModel:
    """The policy as data.

    Attributes
    ----------
    raw
        The validated mapping (``policy.yaml`` content).
    version
        The policy's own "senast uppdaterad" date (REG-06 compares start dates to it).
    activities
        One row per policy activity (columns :data:`ACTIVITY_COLUMNS`); list
        columns hold canonical ids. ``legal_basis`` is the union of the
        contract phases; ``legitimate_interest`` is the sentence that states
        the interest, ``None`` when the policy names none.
    recipients
        One row per policy activity × recipient category; the section-6
        recipients that apply to every activity have ``policy_id`` ``"*"``
        and ``scope`` ``"section 6"``.
    retention
        One row per retention rule; ``part`` is the recipient category the
        rule is limited to (P-INQUIRY's transfer tool), ``None`` for the whole
        activity.
    group_companies, transfer_grounds, request_deadline, security_promises
        Sections 6, 7, 8 and 5 (empty, or ``None`` for the deadline, when the policy has no such part).
    path
        The model file (``None`` for a model parsed straight from a text);
        a relative ``source`` is looked up beside it first.
    """

    raw: dict[str, Any]
    version: date | None
    activities: pd.DataFrame
    recipients: pd.DataFrame
    retention: pd.DataFrame
    group_companies: list[str]
    transfer_grounds: list[str]
    request_deadline: str | None
    security_promises: pd.DataFrame
    _clauses: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    path: Path | None = None

    @property
    def source_path(self) -> Path:
        """The policy text the model was taken from.

        A relative path is looked up in the model file's folder first, then in
        the project folder (where the bundled model's ``source`` points from).
        """
        path = Path(str(self.raw["source"]))
        if path.is_absolute():
            return path
        if self.path is not None:
            beside = Path(self.path).parent / path
            if beside.exists():
                return beside
        return PROJECT_DIR / path

    def text(self) -> str:
        """The policy text itself (POL-01 searches it), read by its format (.txt, .md, .html, .docx, .pdf)."""
        return read_document(self.source_path).text

    @property
    def language(self) -> str:
        """``sv`` or ``en``: the model's ``language``, else detected from the text, else ``sv``."""
        given = self.raw.get("language")
        if given:
            return str(given)
        try:
            return detect_language(self.text())
        except ReferenceDataError:
            return "sv"

    def has_part(self, part: str) -> bool:
        """Whether the policy has ``part``: a top-level key (``request_deadline``), ``version`` or ``clause:<key>``.

        These are the names a rule's ``needs:`` lists in ``rules.yaml``.
        """
        if part.startswith("clause:"):
            return self.has_clause("*", part.removeprefix("clause:"))
        if part == "version":
            return self.version is not None
        if part == "security_promises":
            return not self.security_promises.empty
        if part == "transfer_grounds":
            return bool(self.transfer_grounds)
        if part == "group_companies":
            return self.raw.get("group_companies") is not None
        return self.raw.get(part) is not None

    def has_clause(self, policy_id: str, field: str) -> bool:
        """Whether :meth:`clause` has a sentence for ``field`` of ``policy_id`` (or of the whole policy)."""
        return (policy_id, field) in self._clauses or ("*", field) in self._clauses

    def drift_warning(self) -> str | None:
        """A warning when the text beside the model no longer has the model's ``text_sha256``, else ``None``.

        Only for a model file that records the hash and whose source text exists.
        """
        expected = self.raw.get("text_sha256")
        if not expected or self.path is None:
            return None
        source = self.source_path
        if not source.exists():
            return None
        try:
            now = text_hash(read_document(source).text)
        except ReferenceDataError:
            return None
        if now == expected:
            return None
        return (
            f"policy model {_shown(self.path)} was made from a text with another hash than {_shown(source)} has now: "
            "the text changed after the model was reviewed; parse it again and review the differences "
            "(python -m audit policy diff)"
        )

    @property
    def controller(self) -> str:
        """The controller's name as the policy gives it (the organisation audited)."""
        return str(self.raw["controller"]["name"])

    @property
    def source(self) -> str:
        """Where the model was taken from, as the model file says."""
        return str(self.raw.get("source", ""))

    def section(self, policy_id: str) -> object:
        """The policy section that describes ``policy_id`` (quoted with its clauses)."""
        return next(a["section"] for a in self.raw["activities"] if a["id"] == policy_id)

    def where(self, policy_id: str) -> str:
        """Evidence for a policy activity: ``integritetspolicy.txt › §10 › <block title>``."""
        act = self.activities.set_index("policy_id").loc[policy_id]
        section = _where_section(self.section(policy_id))
        return " › ".join(p for p in (self.source_path.name, section, str(act["title"])) if p)

    def clause(self, policy_id: str, field: str) -> str:
        """The quoted policy sentence behind ``field`` of ``policy_id``, for a finding's ``policy_clause``.

        Parameters
        ----------
        policy_id
            A policy activity id, or ``"*"`` for the sections that apply to all.
        field
            For an activity: ``data_categories``, ``purpose``, ``legal_basis``,
            ``recipients``, ``retention``, ``legitimate_interest``. Section-level:
            ``group_companies``, ``transfer_grounds``, ``request_deadline``,
            ``security:<id>``, ``recipients:<category>`` (section 6), and the
            ``clauses`` keys of ``policy.yaml`` (``identity``, ``objection``, ...).

        Raises
        ------
        ReferenceDataError
            When the policy has no such sentence (a rule asked for something the policy does not say).
        """
        for key in ((policy_id, field), ("*", field)):
            if key in self._clauses:
                return self._clauses[key]
        raise ReferenceDataError(f"policy model: no clause {field!r} for {policy_id!r}")

    def clause_or_empty(self, policy_id: str, field: str) -> str:
        """:meth:`clause`, or ``""`` when the policy has no such sentence (an activity it does not describe)."""
        return self.clause(policy_id, field) if self.has_clause(policy_id, field) else ""


def _shown(path: Path) -> str:
    """A path relative to the project folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


# --- building the model --------------------------------------------------------------------------


def _activity_row(act: dict[str, Any]) -> dict[str, Any]:
    def part(name: str, key: str, default: Any = None) -> Any:
        value = act.get(name)
        return value.get(key, default) if isinstance(value, dict) else default

    interest = act.get("legitimate_interest")
    return {
        "policy_id": act["id"],
        "title": act["title"],
        "group": act.get("group"),
        "in_scope": bool(act["in_scope"]),
        "data_categories": list(part("data_categories", "ids", [])),
        "data_categories_text": part("data_categories", "text"),
        "purpose": act.get("purpose"),
        "legal_basis": list(part("legal_basis", "ids", [])),
        "legal_basis_by_phase": part("legal_basis", "by_phase"),
        "legal_basis_text": part("legal_basis", "text"),
        "legitimate_interest": interest["sentence"] if interest else None,
        "recipient_categories": list(part("recipients", "ids", [])),
        "recipients_text": part("recipients", "text"),
        "retention_text": part("retention", "text"),
        "scope_note": act.get("scope_note"),
    }


def _clauses(data: dict[str, Any], language: str | None) -> dict[tuple[str, str], str]:
    labels = {name: field_label(name, language) for name in ACTIVITY_FIELDS}
    out: dict[tuple[str, str], str] = {}
    for act in data["activities"]:
        pid, section = act["id"], act["section"]
        if not act["in_scope"]:
            for name in ACTIVITY_FIELDS:
                out[(pid, name)] = quote(section, act["scope_note"])
            continue
        texts = {name: act[name] if name == "purpose" else act[name]["text"] for name in ACTIVITY_FIELDS}
        for name, text in texts.items():
            out[(pid, name)] = quote(section, f"{labels[name]}: {text}")
        if act["legitimate_interest"]:
            out[(pid, "legitimate_interest")] = quote(
                act["legitimate_interest"]["section"], act["legitimate_interest"]["sentence"]
            )
    companies = data.get("group_companies")
    if companies:
        out[("*", "group_companies")] = quote(companies["section"], companies["sentence"])
    sharing = data.get("sharing") or {"section": 0, "recipients": []}
    for rec in sharing["recipients"]:
        out[("*", f"recipients:{rec['category']}")] = quote(sharing["section"], rec["sentence"])
    grounds = data.get("transfer_grounds")
    if grounds and grounds["grounds"]:
        out[("*", "transfer_grounds")] = " ".join(
            quote(grounds["section"], s) for s in dict.fromkeys(g["sentence"] for g in grounds["grounds"])
        )
    deadline = data.get("request_deadline")
    if deadline:
        out[("*", "request_deadline")] = quote(deadline["section"], deadline["sentence"])
    security = data.get("security_promises") or {"section": 0, "promises": []}
    for promise in security["promises"]:
        out[("*", f"security:{promise['id']}")] = quote(security["section"], promise["sentence"])
    for name, clause in (data.get("clauses") or {}).items():
        out[("*", name)] = quote(clause["section"], clause["sentence"])
    return out


def model_from_dict(data: dict[str, Any], where: Path | str, path: Path | None = None) -> PolicyModel:
    """Validate a policy mapping and build the model's tables from it.

    The tables are built from the mapping itself, which stays the model's
    ``raw``; the validation only guarantees every key they read is there.
    ``path`` is the model file, where a relative ``source`` is looked up first.
    """
    validate_policy(data, where)
    security = data.get("security_promises") or {"section": 0, "promises": []}
    companies = data.get("group_companies")
    grounds = data.get("transfer_grounds")
    deadline = data.get("request_deadline")
    model = PolicyModel(
        raw=data,
        version=data.get("version"),
        activities=pd.DataFrame([_activity_row(a) for a in data["activities"]], columns=ACTIVITY_COLUMNS),
        recipients=_recipient_table(data),
        retention=pd.DataFrame(_retention_rows(data), columns=RETENTION_COLUMNS).astype("object"),
        group_companies=list(companies["names"]) if companies else [],
        transfer_grounds=list(dict.fromkeys(g["id"] for g in grounds["grounds"])) if grounds else [],
        request_deadline=str(deadline["period"]) if deadline else None,
        security_promises=pd.DataFrame(
            [{"id": p["id"], "text": p["sentence"], "section": security["section"]} for p in security["promises"]],
            columns=["id", "text", "section"],
        ),
        path=Path(path) if path is not None else None,
    )
    # The labels quoted need the language, which may need the text (found through the model's path).
    model._clauses = _clauses(data, model.language)
    return model


def _recipient_table(data: dict[str, Any]) -> pd.DataFrame:
    """One row per in-scope activity × recipient category, then one per section-6 recipient (``policy_id`` ``"*"``).

    Section 6 lists recipients that apply to every activity; keeping them in
    the same table, with their role and legal basis, lets the recipient rules
    look a recipient up in one place whichever section promised it.
    """
    rcats = recipient_categories()
    rows = [
        {
            "policy_id": a["id"],
            "category": cat,
            "label": rcats.label(cat),
            "scope": "activity",
            "role": None,
            "legal_basis": None,
            "source": a["recipients"]["text"],
        }
        for a in data["activities"]
        if a["in_scope"]
        for cat in a["recipients"]["ids"]
    ]
    rows += [
        {
            "policy_id": "*",
            "category": r["category"],
            "label": rcats.label(r["category"]),
            "scope": "section 6",
            "role": r["role"],
            "legal_basis": list(r["legal_basis"]),
            "source": r["sentence"],
        }
        for r in (data.get("sharing") or {}).get("recipients", [])
    ]
    return pd.DataFrame(rows, columns=RECIPIENT_COLUMNS)


def _retention_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per retention rule of every activity, with the sentence that states it.

    ``part`` (``applies_to``) limits a rule to the system of one recipient
    category (P-INQUIRY's transfer tool keeps data 30 days), so the retention
    rules compare each system only with the periods promised for it.
    """
    return [
        {
            "policy_id": a["id"],
            "part": rule.get("applies_to"),
            "kind": rule["kind"],
            "period": rule.get("period"),
            "anchor": rule.get("anchor"),
            "source": rule["sentence"],
        }
        for a in data["activities"]
        for rule in a["retention"]["rules"]
    ]


def load_policy(path: Path | None = None) -> PolicyModel:
    """Load and validate the policy model (default ``data/policy/policy.yaml``).

    Raises
    ------
    ReferenceDataError
        When the file is unreadable or a key is missing or wrong; the message names the file and key.
    """
    path = Path(path) if path is not None else DEFAULT_POLICY_FILE
    # The bundled model's source is relative to the project folder, so it gets no model path.
    beside = None if path.resolve() == DEFAULT_POLICY_FILE.resolve() else path
    return model_from_dict(load_yaml(path), str(path), beside)


def load_policy_from(path: Path | str | None) -> PolicyModel:
    """The policy model to audit against: a model file (``.yaml``/``.yml``) or a policy text parsed on the fly.

    ``None`` gives the bundled model.
    """
    if path is None:
        return load_policy()
    path = Path(path)
    if path.suffix.lower() in YAML_SUFFIXES:
        return load_policy(path)
    return parse_policy(path, model_beside(path))


def model_beside(text: Path) -> dict[str, Any] | None:
    """A reviewed model in the text's folder made from this text (its ``source`` names it), for the DPO's ids.

    A text parsed on the fly then keeps the ids its registers cite; without
    such a model its activities get the slugs of their titles.
    """
    for candidate in sorted(text.parent.glob("*.y*ml")):
        if candidate.suffix.lower() not in YAML_SUFFIXES:
            continue
        try:
            data = load_yaml(candidate)
        except ReferenceDataError:
            continue
        if isinstance(data, dict) and Path(str(data.get("source", ""))).name == text.name:
            return data
    return None


def parse_policy(path: Path | str, ids_from: Path | dict[str, Any] | None = None) -> PolicyModel:
    """Build a model straight from a policy text (any format :func:`audit.policy.document.read_document` reads).

    ``ids_from`` is a previous model (its file or mapping): activities with
    the same title keep its ids, so registers citing them stay valid.
    """
    from audit.policy.text import parse_document

    previous = load_yaml(Path(ids_from)) if isinstance(ids_from, (str, Path)) else ids_from
    result = parse_document(Path(path), previous)
    return model_from_dict(result.model, str(path))
