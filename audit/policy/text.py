"""Reading the published policy text into the policy model's structure.

``data/policy/policy.yaml`` is the readable model every rule uses; this
parser rebuilds it from ``integritetspolicy.txt`` so a test can prove that
text and model say the same thing (a new policy version is then a new text
file plus a regenerated YAML, not hand edits that may drift). Which block is
which policy activity, and which sentence is which promise, comes from
``data/policy/ids.yaml``; categories, legal bases, recipients and retention
are parsed with the shared vocabularies and :mod:`audit.reference.durations`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from audit.errors import ReferenceDataError
from audit.paths import POLICY_DIR
from audit.reference.datafiles import load_yaml
from audit.reference.durations import parse_period, parse_retention, split_sentences
from audit.reference.vocab import Vocabulary, data_categories, fold, recipient_categories, vocabulary

IDS_FILE = POLICY_DIR / "ids.yaml"
_SECTION = re.compile(r"^\s*(\d{1,2})\.\s+(\S.*?)\s*$")
_BULLET = re.compile(r"^\s*[•*–-]\s+(?P<body>.*\S)\s*$")
_SEPARATOR = re.compile(r"^\s*_{3,}\s*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@cache
def hints() -> dict[str, Any]:
    """``data/policy/ids.yaml``: the phrases that tell the parser which block and sentence is which."""
    return load_yaml(IDS_FILE)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _has(phrase: str, text: str, prefix: bool = False) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words after folding (or as a word prefix)."""
    end = "" if prefix else r"(?!\w)"
    return re.search(r"(?<!\w)" + re.escape(fold(phrase)) + end, fold(text)) is not None


def _is_heading(line: str) -> bool:
    """A line with no closing punctuation is a heading in this text ("Myndigheter", "När du ...")."""
    return not re.search(r"[.:;!?]$", line)


@dataclass
class _Section:
    number: int
    title: str
    lines: list[str]

    def sentences(self) -> list[str]:
        out: list[str] = []
        for line in self.lines:
            bullet = _BULLET.match(line)
            out += split_sentences(bullet.group("body") if bullet else line)
        return out


def split_sections(text: str) -> dict[int, _Section]:
    """Sections by their numbered headings; a number only counts when it follows the previous one.

    Requiring 1, 2, 3, ... in order keeps a line such as "412 63 Göteborg"
    or a numbered list inside a section from being taken for a heading.
    """
    sections: dict[int, _Section] = {}
    current: _Section | None = None
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match and int(match.group(1)) == (current.number + 1 if current else 1):
            current = _Section(int(match.group(1)), _clean(match.group(2)), [])
            sections[current.number] = current
        elif current is not None:
            current.lines.append(line)
    return sections


def _section(sections: dict[int, _Section], key: str) -> _Section:
    number = int(hints()["sections"][key])
    if number not in sections:
        raise ReferenceDataError(f"policy text: no section {number} ({key}); found sections {sorted(sections)}")
    return sections[number]


def find_sentences(sections: dict[int, _Section], phrase: str) -> list[tuple[int, str]]:
    """Every (section number, sentence) whose words contain ``phrase`` (see :func:`split_sections`)."""
    return [(s.number, sent) for s in sections.values() for sent in s.sentences() if _has(phrase, sent)]


def _one_sentence(sections: dict[int, _Section], phrase: str, where: str) -> tuple[int, str]:
    """The single sentence (with its section number) containing ``phrase``."""
    hits = find_sentences(sections, phrase)
    if len(hits) != 1:
        raise ReferenceDataError(
            f"policy text: {where} phrase {phrase!r} ({IDS_FILE.name}) occurs in {len(hits)} sentences, expected 1"
        )
    return hits[0]


# --- section 1: contacts -------------------------------------------------------------------------


def _contacts(section: _Section) -> dict[str, dict[str, str]]:
    h = hints()
    labels = {fold(label): key for key, label in h["contact_labels"].items()}
    out: dict[str, dict[str, str]] = {who: {} for who in h["contacts"]}
    current: str | None = None
    for raw in section.lines:
        line = _clean(raw)
        label, sep, value = line.partition(":")
        if sep and fold(label) in labels and current is not None:
            out[current][labels[fold(label)]] = _clean(value)
        elif line and _is_heading(line):
            current = next((who for who, p in h["contacts"].items() if _has(p, line, prefix=True)), current)
    for who, found in out.items():
        if "email" not in found:
            raise ReferenceDataError(f"policy text: section {section.number}: no e-mail for the {who} contact")
        match = _EMAIL.search(found["email"])
        found["email"] = match.group(0) if match else found["email"]
    controller = out["controller"]
    if "postal_address" in controller:
        name, _, rest = controller.pop("postal_address").partition(",")
        controller["name"] = name.strip()
        controller["postal_address"] = rest.strip()
    return {
        "controller": {k: controller.get(k, "") for k in ("name", "postal_address", "email")},
        "dpo": {"email": out["dpo"]["email"]},
    }


# --- section 6: sharing --------------------------------------------------------------------------


def _expand_suspended(text: str, vocab: Vocabulary) -> str:
    """Spell out Swedish suspended compounds: "IT- och ekonomisystem" -> "IT-system och ekonomisystem".

    The shared tail is the longest ending of the second word that makes the
    first a word the vocabulary knows, so nothing is guessed beyond it.
    """

    def expand(match: re.Match[str]) -> str:
        first, conj, second = match.group(1), match.group(2), match.group(3)
        for k in range(1, len(second) - 2):
            tail = second[k:]
            for candidate in (f"{first}-{tail}", f"{first}{tail}"):
                if vocab.lookup(candidate):
                    return f"{candidate} {conj} {second}"
        return match.group(0)

    return re.sub(r"(?<!\w)(\w+)- (och|eller|samt) (\w+)", expand, text)


def _subsections(section: _Section) -> list[tuple[str, list[str]]]:
    """(heading, sentences) of a section whose subsections have one-line headings."""
    out: list[tuple[str, list[str]]] = []
    for raw in section.lines:
        line = _clean(raw)
        if not line:
            continue
        if _is_heading(line):
            out.append((line, []))
        elif out:
            out[-1][1].extend(split_sentences(line))
    return out


def _sharing(section: _Section) -> tuple[dict[str, Any], dict[str, Any]]:
    """Section 6: recipients that apply to every activity, and the named group companies."""
    h = hints()
    roles = {fold(k): v for k, v in h["sharing_roles"].items()}
    rcats, bases = recipient_categories(), vocabulary("legal_basis")
    forms = {fold(f) for f in h["company_forms"]}
    recipients: list[dict[str, Any]] = []
    companies: dict[str, Any] | None = None
    for heading, sentences in _subsections(section):
        role = roles.get(fold(heading))
        if role is None:
            continue
        whole = " ".join(sentences)
        purpose = next((s for s in sentences if any(_has(w, s, prefix=True) for w in h["sharing_purpose"])), None)
        legal_basis = bases.find_all(whole)
        for sentence in sentences:
            for cat in rcats.find_all(_expand_suspended(sentence, rcats)):
                if all(r["category"] != cat for r in recipients):
                    recipients.append(
                        {
                            "category": cat,
                            "heading": heading,
                            "role": role,
                            "legal_basis": list(legal_basis),
                            "purpose": purpose,
                            "sentence": sentence,
                        }
                    )
            if role == "group_company" and companies is None:
                parts = re.split(r"[;,]\s*|\s+(?:och|and)\s+", sentence.rstrip("."))
                names = [_clean(p) for p in parts if p.split() and fold(p.split()[-1]) in forms]
                if names:
                    companies = {"section": section.number, "names": names, "sentence": sentence}
    if companies is None:
        raise ReferenceDataError(f"policy text: section {section.number}: no list of group companies found")
    return {"section": section.number, "recipients": recipients}, companies


# --- section 10: activities ----------------------------------------------------------------------


@dataclass
class _Block:
    title: str | None
    group: str | None
    fields: dict[str, str] = field(default_factory=dict)
    body: list[str] = field(default_factory=list)
    last: str | None = None

    def text(self) -> str:
        return " ".join([self.title or "", *self.fields.values(), *self.body])

    def first_line(self) -> str:
        return self.title or next(iter(self.fields.values()), "") or " ".join(self.body)


def _blocks(section: _Section) -> list[_Block]:
    """Blocks of section 10: a heading or a ``____`` line starts one; bullets fill it."""
    h = hints()
    labels = {fold(k): v for k, v in h["fields"].items()}
    blocks: list[_Block] = []
    group: str | None = None
    current: _Block | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            if not current.fields and not current.body:
                raise ReferenceDataError(f"policy text: section 10: heading {current.title!r} has no content")
            blocks.append(current)
        current = None

    for raw in section.lines:
        line = _clean(raw)
        bullet = _BULLET.match(raw)
        if not line:
            continue
        if _SEPARATOR.match(line):
            close()
        elif fold(line).startswith(fold(h["group_heading"])):
            close()
            group = line
        elif bullet:
            label, sep, value = bullet.group("body").partition(":")
            key = labels.get(fold(label)) if sep else None
            if key is None:
                raise ReferenceDataError(f"policy text: section 10: bullet with no known label: {line!r}")
            if current is None:
                current = _Block(None, group)
            if key in current.fields:
                raise ReferenceDataError(f"policy text: section 10: {label!r} twice in one block: {line!r}")
            current.fields[key] = _clean(value)
            current.last = key
        elif _is_heading(line):
            close()
            current = _Block(line, group)
        elif current is not None and current.last is not None:
            current.fields[current.last] = f"{current.fields[current.last]} {line}"
        else:
            if current is None:
                current = _Block(None, group)
            current.body.append(line)
    close()
    return blocks


def _identify(blocks: list[_Block]) -> list[tuple[str, _Block]]:
    """Pair each block with its policy id; one error listing every block and id that does not pair up."""
    phrases = hints()["activities"]
    out: list[tuple[str, _Block]] = []
    problems: list[str] = []
    for block in blocks:
        ids = [pid for pid, phrase in phrases.items() if _has(phrase, block.text())]
        if len(ids) == 1:
            out.append((ids[0], block))
        else:
            problems.append(
                f"block {block.first_line()[:60]!r} matches {len(ids)} phrases ({', '.join(ids) or 'none'})"
            )
    seen = [pid for pid, _ in out]
    missing = [pid for pid in phrases if pid not in seen]
    dupes = sorted({pid for pid in seen if seen.count(pid) > 1})
    if missing:
        problems.append(f"no block for {', '.join(missing)}")
    if dupes:
        problems.append(f"several blocks for {', '.join(dupes)}")
    if problems:
        raise ReferenceDataError(
            f"policy text: section 10 does not pair up with the activity phrases of {IDS_FILE.name}: "
            + "; ".join(problems)
        )
    return out


def _legal_basis(text: str) -> tuple[dict[str, Any], str | None]:
    """Bases (per contract phase where the bullet says so) and the interest it states, if any."""
    h = hints()
    bases = vocabulary("legal_basis")
    interest = None
    for pattern in h["interest_patterns"]:
        match = re.search(pattern, text, flags=re.IGNORECASE)
        if match:
            interest = _clean(match.group("interest"))
            text_for_bases = text[: match.start("interest")] + text[match.end("interest") :]
            break
    else:
        text_for_bases = text
    by_phase: dict[str, list[str]] = {}
    for sentence in split_sentences(text_for_bases):
        head, sep, rest = sentence.partition(":")
        phase = next((p for p, words in h["phases"].items() if sep and fold(head) in map(fold, words)), None)
        if phase is not None:
            by_phase[phase] = bases.find_all(rest)
    if by_phase:
        ids = list(dict.fromkeys(b for found in by_phase.values() for b in found))
    else:
        ids = bases.find_all(text_for_bases)
    return {"ids": ids, "by_phase": by_phase or None, "text": text}, interest


def _retention(text: str, purpose: str | None) -> list[dict[str, Any]]:
    """Retention rules; a rule after "<recipient category>:" applies only to that part."""
    rcats = recipient_categories()
    rules = []
    for rule in parse_retention(text, context=purpose):
        head, sep, _ = rule["sentence"].partition(":")
        part = rcats.lookup(head) if sep else None
        rules.append({"applies_to": part, **rule} if part else rule)
    return rules


def _activity(pid: str, block: _Block, sections: dict[int, _Section], number: int) -> dict[str, Any]:
    f = block.fields
    activity: dict[str, Any] = {
        "id": pid,
        "section": number,
        "title": block.title or (f.get("purpose") or "").rstrip("."),
        "group": block.group,
        "in_scope": bool(f),
    }
    if not f:
        note = split_sentences(" ".join(block.body))[0]
        activity.update(
            {
                "scope_note": note,
                "data_categories": None,
                "purpose": None,
                "legal_basis": None,
                "legitimate_interest": None,
                "recipients": None,
                "retention": {"text": None, "rules": [{"kind": "none", "sentence": note}]},
            }
        )
        return activity
    missing = [label for label, key in hints()["fields"].items() if key not in f]
    if missing:
        raise ReferenceDataError(f"policy text: section 10: {pid} lacks the bullet(s) {', '.join(missing)}")
    legal_basis, interest = _legal_basis(f["legal_basis"])
    stated = None
    if "legitimate_interests" in legal_basis["ids"]:
        if interest is not None:
            stated = {"section": number, "sentence": f["legal_basis"]}
        elif pid in hints().get("interests_elsewhere", {}):
            # Absent phrase = the policy no longer states the interest: a finding (POL-03), not a parse error.
            hits = find_sentences(sections, hints()["interests_elsewhere"][pid])
            tied = [(n, s) for n, s in hits if "legitimate_interests" in vocabulary("legal_basis").find_all(s)]
            if tied:
                stated = {"section": tied[0][0], "sentence": tied[0][1]}
    rcats = recipient_categories()
    activity.update(
        {
            "scope_note": None,
            "data_categories": {"ids": data_categories().find_all(f["data_categories"]), "text": f["data_categories"]},
            "purpose": f["purpose"],
            "legal_basis": legal_basis,
            "legitimate_interest": stated,
            "recipients": {"ids": rcats.find_all(_expand_suspended(f["recipients"], rcats)), "text": f["recipients"]},
            "retention": {"text": f["retention"], "rules": _retention(f["retention"], f["purpose"])},
        }
    )
    return activity


# --- the whole text ------------------------------------------------------------------------------


def parse_policy_text(text: str) -> dict[str, Any]:
    """The policy model (the content of ``policy.yaml`` without ``source`` and ``date``) read from the text.

    Raises
    ------
    ReferenceDataError
        When a section, block or sentence the model needs cannot be found,
        naming the section and the phrase from ``ids.yaml`` that failed.
    """
    h = hints()
    sections = split_sections(text)
    version_section, version_sentence = _one_sentence(sections, h["clauses"]["version"], "version")
    version = _ISO_DATE.search(version_sentence)
    if version is None:
        raise ReferenceDataError(f"policy text: section {version_section}: no ISO date in {version_sentence!r}")
    sharing, companies = _sharing(_section(sections, "sharing"))
    transfers = _section(sections, "transfers")
    grounds = []
    for line in transfers.lines:
        bullet = _BULLET.match(line)
        if bullet is None:
            continue
        for gid in vocabulary("transfer_mechanism").find_all(bullet.group("body")):
            grounds.append({"id": gid, "sentence": _clean(bullet.group("body"))})
    security = _section(sections, "security")
    promises = []
    for pid, phrase in h["security"].items():
        hits = [s for s in security.sentences() if _has(phrase, s)]
        if len(hits) != 1:
            raise ReferenceDataError(
                f"policy text: section {security.number}: security promise {pid} phrase {phrase!r} "
                f"occurs in {len(hits)} sentences, expected 1"
            )
        promises.append({"id": pid, "sentence": hits[0]})
    deadline_section, deadline_sentence = _one_sentence(sections, h["request_deadline"], "request_deadline")
    deadline = parse_period(deadline_sentence)
    if deadline is None:
        raise ReferenceDataError(f"policy text: section {deadline_section}: no period in {deadline_sentence!r}")
    clauses = {}
    for key, phrase in h["clauses"].items():
        where, sentence = _one_sentence(sections, phrase, f"clause {key}")
        clauses[key] = {"section": where, "sentence": sentence}
    activities_section = _section(sections, "activities")
    activities = [
        _activity(pid, block, sections, activities_section.number)
        for pid, block in _identify(_blocks(activities_section))
    ]
    return {
        "version": date.fromisoformat(version.group(0)),
        **_contacts(_section(sections, "contact")),
        "group_companies": companies,
        "sharing": sharing,
        "transfer_grounds": {"section": transfers.number, "grounds": grounds},
        "request_deadline": {"section": deadline_section, "period": deadline, "sentence": deadline_sentence},
        "security_promises": {"section": security.number, "promises": promises},
        "clauses": clauses,
        "activities": activities,
    }
