"""Reading any privacy policy into the policy model (``docs/policy-model.md``).

A DPO audits against a model they reviewed, not against a text the product
guessed at: this parser proposes that model from the published text (plain
text, Markdown, HTML, Word, PDF, all read by :mod:`audit.policy.document`
into the same elements), with a report of where each field came from and
what it did not understand. Sections are found by what their headings are
about, fields by their labels, promises by their words, all from
``data/reference/policy_vocabulary.yaml``; categories, legal bases,
recipients and retention are read with the shared vocabularies and
:mod:`audit.reference.durations`. Nothing here knows one organisation's
policy: the bundled model is reproduced from its text because its layout is
one the parser reads, and its ids come from the model itself (``ids_from``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from audit.inputs.values import find_date
from audit.policy.document import (
    Document,
    Element,
    ParseResult,
    ReportLine,
    clean,
    elements_from_text,
    read_document,
)
from audit.policy.vocabulary import (
    FIELDS,
    TOPICS,
    detect_language,
    field_labels,
    has_phrase,
    phrase_pattern,
    policy_vocabulary,
    title_labels,
)
from audit.reference.durations import parse_period, parse_retention, split_sentences
from audit.reference.vocab import Vocabulary, data_categories, fold, recipient_categories, vocabulary

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SLUG_MAX = 40
_LABEL = re.compile(r"^(?P<label>[^:]{1,60}):\s*(?P<value>.*)$")


# --- slugs and small helpers --------------------------------------------------------------------


def slug(title: str) -> str:
    """A stable id from a title: ASCII, lower case, ``-`` between words, at most 40 characters at a word end."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(words) > _SLUG_MAX:
        cut = words[: _SLUG_MAX + 1]
        words = cut[: cut.rfind("-")] if "-" in cut else words[:_SLUG_MAX]
    return words.strip("-") or "activity"


def _sentences(elements: list[Element]) -> list[str]:
    return [s for e in elements if e.kind in ("paragraph", "bullet") for s in split_sentences(e.text)]


def _label(text: str) -> tuple[str | None, str]:
    """The field a ``Label: value`` line names (``None`` when it names none) and the value."""
    match = _LABEL.match(text)
    if match is None:
        return None, text
    return field_labels().get(fold(match.group("label"))), clean(match.group("value"))


def _date_in(text: str) -> date | None:
    """A date written in ``text`` ("2024-05-16", "1 March 2026", "1 mars 2026"), read as the inputs read dates."""
    found = find_date(text)
    return found.date() if found is not None else None


# --- sections -----------------------------------------------------------------------------------


@dataclass
class _Section:
    key: int | str
    title: str
    elements: list[Element]
    topic: str | None = None

    def sentences(self) -> list[str]:
        return _sentences(self.elements)


def _topic(title: str) -> str | None:
    return next((t for t in TOPICS if has_phrase(f"topics.{t}", title)), None)


def split_sections(elements: list[Element]) -> list[_Section]:
    """Top-level sections: numbered headings when the text numbers them, else the highest heading level.

    A document title (a single top heading before everything) is not a
    section of its own; text before the first section is section ``0``.
    """
    headings = [e for e in elements if e.kind == "heading"]
    numbered = [e for e in headings if e.number]
    if numbered:
        is_top = lambda e: e.kind == "heading" and e.number is not None  # noqa: E731
    elif headings:
        top = min(e.level for e in headings)
        tops = [e for e in headings if e.level == top]
        if len(tops) == 1 and elements and elements[0] is tops[0] and any(e.level > top for e in headings):
            top = min(e.level for e in headings if e.level > top)
        is_top = lambda e: e.kind == "heading" and e.level == top  # noqa: E731
    else:
        is_top = lambda e: False  # noqa: E731
    sections = [_Section(0, "", [])]
    for element in elements:
        if is_top(element):
            key: int | str = int(element.number) if element.number else element.text
            sections.append(_Section(key, element.text, [], _topic(element.text)))
        else:
            sections[-1].elements.append(element)
    return sections


# --- the parse ----------------------------------------------------------------------------------


@dataclass
class _Block:
    title: str | None
    group: str | None
    fields: dict[str, str] = field(default_factory=dict)
    body: list[str] = field(default_factory=list)
    last: str | None = None
    row_title: str | None = None


@dataclass
class _Parse:
    sections: list[_Section]
    language: str
    report: list[ReportLine] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def note(self, name: str, sentence: str, where: object, flag: str | None = None) -> None:
        self.used.add(sentence)
        self.used.update(split_sentences(sentence))
        self.report.append(ReportLine(name, sentence, _where(where), flag))

    def topic(self, topic: str) -> list[_Section]:
        return [s for s in self.sections if s.topic == topic]

    def all_sentences(self) -> list[tuple[int | str, str]]:
        return [(s.key, sent) for s in self.sections for sent in s.sentences()]

    def first(self, key: str, sections: list[_Section] | None = None) -> tuple[int | str, str] | None:
        """The first sentence with a phrase of ``key`` (in ``sections``, else anywhere)."""
        pool = sections if sections is not None else self.sections
        return next(((s.key, sent) for s in pool for sent in s.sentences() if has_phrase(key, sent)), None)


def _where(section: object) -> str:
    if isinstance(section, int):
        return f"§{section}" if section else "(before the first heading)"
    return str(section)


# --- contacts -----------------------------------------------------------------------------------


def _contacts(p: _Parse) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Controller and DPO: ``Label: value`` lines after a heading or sentence naming whose contact follows."""
    vocab = policy_vocabulary()
    labels = {fold(label): key for key, words in vocab.contact_labels.items() for label in words}
    found: dict[str, dict[str, str]] = {"controller": {}, "dpo": {}}
    current: str | None = None
    where: dict[str, object] = {}
    for section in p.sections:
        for element in section.elements:
            if element.kind == "table":
                continue
            head, sep, value = element.text.partition(":")
            key = labels.get(fold(head)) if sep else None
            if key is not None and current is not None and value.strip():
                found[current].setdefault(key, clean(value))
                where.setdefault(current, section.key)
                p.note(f"{current}.{key}", element.text, section.key)
                continue
            for who in ("dpo", "controller"):
                if has_phrase(f"contacts.{who}", element.text):
                    current = who
                    break
    controller = found["controller"]
    emails = [(s, e) for s, sent in p.all_sentences() for e in _EMAIL.findall(sent)]
    dpo: dict[str, Any] | None = None
    if "email" in found["dpo"]:
        match = _EMAIL.search(found["dpo"]["email"])
        dpo = {"email": match.group(0) if match else found["dpo"]["email"]}
    else:
        hit = next(((k, s) for k, s in p.all_sentences() if has_phrase("contacts.dpo", s) and _EMAIL.search(s)), None)
        if hit:
            dpo = {"email": _EMAIL.findall(hit[1])[0]}
            p.note("dpo.email", hit[1], hit[0])
    email = None
    if "email" in controller:
        match = _EMAIL.search(controller["email"])
        email = match.group(0) if match else controller["email"]
    else:
        other = [e for _, e in emails if dpo is None or e != dpo["email"]]
        if other:
            email = other[0]
            p.report.append(ReportLine("controller.email", other[0], "", "the first e-mail address of the text"))
    name = controller.get("name")
    address = controller.get("postal_address")
    named = _controller_name(p)
    if name is None and address and "," in address:
        first, _, rest = address.partition(",")
        forms = {fold(f) for f in vocab.company_forms}
        if (named and fold(first) == fold(named)) or (first.split() and fold(first.split()[-1]) in forms):
            name, address = first.strip(), rest.strip()
    if name is None:
        name = named
    if name is None:
        name = "(not stated)"
        p.report.append(ReportLine("controller.name", "", "", "the policy names no controller: fill it in"))
    return {"name": name, "postal_address": address, "email": email}, dpo


def _controller_name(p: _Parse) -> str | None:
    for pattern in policy_vocabulary().controller_sentences:
        for key, sentence in p.all_sentences():
            match = re.search(pattern, sentence)
            if match:
                p.note("controller.name", sentence, key)
                return clean(match.group("name"))
    return None


# --- sharing ------------------------------------------------------------------------------------


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
    """(heading, sentences) under the sub-headings of a section."""
    out: list[tuple[str, list[str]]] = []
    for element in section.elements:
        if element.kind == "heading":
            out.append((element.text, []))
        elif out and element.kind in ("paragraph", "bullet"):
            out[-1][1].extend(split_sentences(element.text))
    return out


def _role(text: str) -> str | None:
    return next(
        (r for r in ("group_company", "processor", "authority") if has_phrase(f"sharing_roles.{r}", text)), None
    )


def _company_names(sentence: str) -> list[str]:
    forms = {fold(f) for f in policy_vocabulary().company_forms}
    body = sentence.rstrip(".")
    body = body.split(":", 1)[1] if ":" in body else body
    parts = re.split(r"[;,]\s*|\s+(?:och|and|samt)\s+", body)
    return [clean(part) for part in parts if part.split() and fold(part.split()[-1]) in forms]


def _sharing(p: _Parse) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Recipients that apply to every activity (by the role of their sub-heading), and the group companies."""
    rcats, bases = recipient_categories(), vocabulary("legal_basis")
    purpose_words = phrase_pattern([w + "*" for w in policy_vocabulary().sharing_purpose])
    recipients: list[dict[str, Any]] = []
    companies: dict[str, Any] | None = None
    sections = p.topic("sharing")
    for section in sections:
        parts = _subsections(section) or [("", section.sentences())]
        for heading, sentences in parts:
            role = _role(heading)
            if role is None and heading:
                continue
            whole = " ".join(sentences)
            purpose = next((s for s in sentences if purpose_words.search(fold(s))), None)
            legal_basis = bases.find_all(whole)
            for sentence in sentences:
                found = rcats.find_all(_expand_suspended(sentence, rcats))
                said = role or _role(sentence)
                for cat in found:
                    if said is None or any(r["category"] == cat for r in recipients):
                        continue
                    recipients.append(
                        {
                            "category": cat,
                            "heading": heading or None,
                            "role": said,
                            "legal_basis": list(legal_basis),
                            "purpose": purpose,
                            "sentence": sentence,
                        }
                    )
                    p.note(f"sharing.{cat}", sentence, section.key)
                if (role == "group_company" or (role is None and _role(sentence) == "group_company")) and not companies:
                    names = _company_names(sentence)
                    if names:
                        companies = {"section": section.key, "names": names, "sentence": sentence}
                        p.note("group_companies", sentence, section.key)
    if companies is None:
        for key, sentence in p.all_sentences():
            if _role(sentence) == "group_company" and len(_company_names(sentence)) >= 1:
                companies = {"section": key, "names": _company_names(sentence), "sentence": sentence}
                p.note("group_companies", sentence, key, "found outside a sharing section")
                break
    sharing = {"section": sections[0].key, "recipients": recipients} if sections else None
    return sharing, companies


# --- transfers, security, deadline, clauses -----------------------------------------------------


def _transfer_grounds(p: _Parse) -> dict[str, Any] | None:
    mechanisms = vocabulary("transfer_mechanism")
    sections = p.topic("transfers")
    for section in sections:
        bullets = [e.text for e in section.elements if e.kind == "bullet"]
        pool = [b for b in bullets if mechanisms.find_all(b)] or section.sentences()
        grounds = []
        for text in pool:
            for gid in mechanisms.find_all(text):
                if gid != "none":
                    grounds.append({"id": gid, "sentence": text})
                    p.note(f"transfer_grounds.{gid}", text, section.key)
        if grounds:
            return {"section": section.key, "grounds": grounds}
    return None


def _security(p: _Parse) -> dict[str, Any] | None:
    sections = p.topic("security")
    if not sections:
        return None
    promises = []
    for pid in policy_vocabulary().security:
        hit = p.first(f"security.{pid}", sections)
        if hit:
            promises.append({"id": pid, "sentence": hit[1]})
            p.note(f"security.{pid}", hit[1], hit[0])
    return {"section": sections[0].key, "promises": promises} if promises else None


def _deadline(p: _Parse) -> dict[str, Any] | None:
    for key, sentence in p.all_sentences():
        if has_phrase("request_deadline", sentence):
            period = parse_period(sentence)
            if period is not None:
                p.note("request_deadline", sentence, key)
                return {"section": key, "period": period, "sentence": sentence}
    return None


def _clauses(p: _Parse) -> dict[str, Any]:
    out = {}
    for name in policy_vocabulary().clauses:
        hit = p.first(f"clauses.{name}")
        if hit:
            out[name] = {"section": hit[0], "sentence": hit[1]}
            p.note(f"clauses.{name}", hit[1], hit[0])
    return out


# --- activities ---------------------------------------------------------------------------------


def _table_blocks(element: Element, group: str | None) -> list[_Block]:
    """One block per row of a table whose header cells are field labels."""
    header = [fold(c) for c in element.rows[0]] if element.rows else []
    labels, titles = field_labels(), title_labels()
    columns = [labels.get(c) or ("title" if c in titles else None) for c in header]
    if sum(c in FIELDS for c in columns) < 2:
        return []
    blocks = []
    for row in element.rows[1:]:
        block = _Block(None, group)
        for name, cell in zip(columns, row, strict=False):
            if name == "title" and cell:
                block.row_title = cell
            elif name in FIELDS and cell:
                block.fields[name] = cell
        if block.fields:
            blocks.append(block)
    return blocks


def _blocks(elements: list[Element]) -> tuple[list[_Block], list[str]]:
    """Activity blocks: labelled bullets or paragraphs under a heading or separator, table rows, sub-headings.

    A heading directly followed by another heading is a group of activities;
    a heading that is a field label ("Purpose") files what follows under
    that field of the current block. Returns the blocks and the labelled
    lines whose label is no field (for the report).
    """
    blocks: list[_Block] = []
    unknown: list[str] = []
    group: str | None = None
    current: _Block | None = None

    def close() -> None:
        nonlocal current
        if current is not None and (current.fields or current.body):
            blocks.append(current)
        current = None

    for i, element in enumerate(elements):
        if element.kind == "separator":
            close()
        elif element.kind == "table":
            rows = _table_blocks(element, group)
            if rows:
                close()
                blocks.extend(rows)
        elif element.kind == "heading":
            name = field_labels().get(fold(element.text.rstrip("?:")))
            if name is not None and current is not None:
                current.last = name
                continue
            following = next((e for e in elements[i + 1 :]), None)
            close()
            if following is not None and following.kind == "heading" and not field_labels().get(fold(following.text)):
                group = element.text
            else:
                current = _Block(element.text, group)
        else:
            name, value = _label(element.text)
            if name is not None:
                if current is None:
                    current = _Block(None, group)
                if name in current.fields:
                    if current.last == name and element.kind == "paragraph" and not current.title:
                        pass
                    close()
                    current = _Block(None, group)
                current.fields[name] = value
                current.last = name
            elif current is not None and current.last is not None:
                previous = current.fields.get(current.last)
                current.fields[current.last] = f"{previous} {element.text}" if previous else element.text
                if _LABEL.match(element.text) and element.kind == "bullet":
                    unknown.append(element.text)
            else:
                if current is None:
                    current = _Block(None, group)
                current.body.append(element.text)
    close()
    return blocks, unknown


def _legal_basis(text: str) -> tuple[dict[str, Any], str | None]:
    """Bases (per contract phase where the text says so) and the interest it states, if any."""
    vocab = policy_vocabulary()
    bases = vocabulary("legal_basis")
    interest = None
    text_for_bases = text
    for pattern in vocab.interest_patterns:
        match = re.search(pattern, text, flags=re.IGNORECASE)
        if match:
            interest = clean(match.group("interest"))
            text_for_bases = text[: match.start("interest")] + text[match.end("interest") :]
            break
    by_phase: dict[str, list[str]] = {}
    for sentence in split_sentences(text_for_bases):
        head, sep, rest = sentence.partition(":")
        phase = next((ph for ph, words in vocab.phases.items() if sep and fold(head) in map(fold, words)), None)
        if phase is not None:
            by_phase[phase] = bases.find_all(rest)
    if by_phase:
        ids = list(dict.fromkeys(b for found in by_phase.values() for b in found))
    else:
        ids = bases.find_all(text_for_bases)
    return {"ids": ids, "by_phase": by_phase or None, "text": text}, interest


def _retention(text: str | None, purpose: str | None) -> list[dict[str, Any]]:
    """Retention rules; a rule after "<recipient category>:" applies only to that part."""
    if not text:
        return []
    rcats = recipient_categories()
    rules = []
    for rule in parse_retention(text, context=purpose):
        head, sep, _ = rule["sentence"].partition(":")
        part = rcats.lookup(head) if sep else None
        rules.append({"applies_to": part, **rule} if part else rule)
    return rules


def _fields_from_body(sentences: list[str], language: str) -> dict[str, str]:
    """Fields of free text: the sentences that name data, a basis, recipients, a period or an event."""
    cats, bases, rcats = data_categories(), vocabulary("legal_basis"), recipient_categories()
    out: dict[str, str] = {}
    with_data = [s for s in sentences if cats.find_all(s)]
    marked = [s for s in with_data if has_phrase(f"purpose_markers.{language}", s)]
    purpose = (marked or with_data or sentences or [""])[0]
    if purpose:
        out["purpose"] = purpose
    if with_data:
        out["data_categories"] = " ".join(dict.fromkeys(with_data))
    basis = [s for s in sentences if bases.find_all(s)]
    if basis:
        out["legal_basis"] = " ".join(basis)
    recipients = [s for s in sentences if rcats.find_all(_expand_suspended(s, rcats))]
    if recipients:
        out["recipients"] = " ".join(recipients)
    kept = [s for s in sentences if any(r["kind"] != "vague" or "period" in r for r in parse_retention(s)) and s]
    kept = [s for s in kept if parse_period(s) is not None or _has_event(s)]
    if kept:
        out["retention"] = " ".join(kept)
    return out


def _has_event(sentence: str) -> bool:
    return any(r["kind"] in ("until", "period", "vague") for r in parse_retention(sentence)) and bool(
        re.search(r"(?i)\b(radera|gallra|delete|erase|keep|kept|retain|spara|behåll|lagra)", sentence)
    )


def _is_activity_text(sentences: list[str]) -> bool:
    """Free text reads as an activity only when it names a legal basis and data or a retention."""
    whole = " ".join(sentences)
    named_data = bool(data_categories().find_all(whole)) or any(parse_period(s) for s in sentences)
    return bool(vocabulary("legal_basis").find_all(whole)) and named_data


def _activity(block: _Block, key: int | str, p: _Parse, ids: dict[str, str], taken: set[str]) -> dict[str, Any]:
    f = dict(block.fields)
    free = False
    if not f and block.body and _is_activity_text(split_sentences(" ".join(block.body))):
        f = _fields_from_body(split_sentences(" ".join(block.body)), p.language)
        free = True
    title = block.title or block.row_title or (f.get("purpose") or " ".join(block.body)).rstrip(".").strip()
    pid = ids.get(fold(title)) or ids.get(fold(f.get("purpose") or "")) or slug(title)
    base, n = pid, 2
    while pid in taken:
        pid, n = f"{base}-{n}", n + 1
    taken.add(pid)
    activity: dict[str, Any] = {
        "id": pid,
        "section": key,
        "title": title,
        "group": block.group,
        "in_scope": bool(f),
    }
    if not f:
        note = split_sentences(" ".join(block.body))[0]
        p.note(f"{pid}.scope_note", note, key, "no fields: read as outside the policy's scope")
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
    flag = "read from free text: check each field" if free else None
    for name, text in f.items():
        p.note(f"{pid}.{name}", text, key, flag)
        p.used.update(split_sentences(text))
    for name in FIELDS:
        if name not in f:
            p.report.append(ReportLine(f"{pid}.{name}", "", _where(key), "not stated for this activity"))
    legal_basis, interest = _legal_basis(f.get("legal_basis", ""))
    stated = None
    if "legitimate_interests" in legal_basis["ids"] and interest is not None:
        stated = {"section": key, "sentence": f["legal_basis"]}
    rcats = recipient_categories()
    recipients = f.get("recipients")
    activity.update(
        {
            "scope_note": None,
            "data_categories": {"ids": data_categories().find_all(f.get("data_categories", "")),
                                "text": f.get("data_categories")},
            "purpose": f.get("purpose") or title,
            "legal_basis": legal_basis if f.get("legal_basis") else {"ids": [], "by_phase": None, "text": None},
            "legitimate_interest": stated,
            "recipients": {"ids": rcats.find_all(_expand_suspended(recipients or "", rcats)), "text": recipients},
            "retention": {"text": f.get("retention"), "rules": _retention(f.get("retention"), f.get("purpose"))},
        }
    )  # fmt: skip
    return activity


def _interests_elsewhere(activities: list[dict[str, Any]], p: _Parse, inside: set[int | str]) -> None:
    """Tie a sentence outside the activities ("…vårt berättigade intresse, till exempel X") to the one activity X names.

    Only an activity resting on legitimate interests with no interest stated
    in its own text, and only when exactly one such activity's title shares a
    word with the example, so a general sentence is never tied to a guess.
    """
    bases = vocabulary("legal_basis")
    examples = phrase_pattern(policy_vocabulary().interest_examples)
    open_ = [a for a in activities if a["in_scope"] and not a["legitimate_interest"]]
    open_ = [a for a in open_ if "legitimate_interests" in a["legal_basis"]["ids"]]
    for key, sentence in p.all_sentences():
        if key in inside or "legitimate_interests" not in bases.find_all(sentence):
            continue
        match = examples.search(fold(sentence))
        if match is None:
            continue
        words = {w for w in fold(sentence)[match.end() :].split() if len(w) >= 5}
        tied = [a for a in open_ if words & set(fold(a["title"]).split())]
        if len(tied) == 1:
            tied[0]["legitimate_interest"] = {"section": key, "sentence": sentence}
            open_.remove(tied[0])
            p.note(
                f"{tied[0]['id']}.legitimate_interest",
                sentence,
                key,
                "interest stated outside the activity",
            )


def _activities(p: _Parse, ids: dict[str, str]) -> list[dict[str, Any]]:
    """Activities from the activities sections, else from labelled blocks or tables anywhere, else the whole text."""
    taken: set[str] = set()
    chosen = p.topic("activities")
    found: list[tuple[_Block, int | str]] = []
    for section in chosen:
        blocks, unknown = _blocks(section.elements)
        found += [(b, section.key) for b in blocks]
        for line in unknown:
            p.report.append(
                ReportLine("activities", line, _where(section.key), "label is no field: added to the field before it")
            )
    if not any(b.fields for b, _ in found):
        found = []
        for section in p.sections:
            blocks, _ = _blocks(section.elements)
            found += [(b, section.key) for b in blocks if b.fields]
        chosen = []
    if not found:
        sentences = [s for sec in p.sections for s in sec.sentences()]
        block = _Block(None, None, _fields_from_body(sentences, p.language))
        if block.fields:
            p.report.append(
                ReportLine("activities", "", "", "no activities found: the whole text read as one activity")
            )
            found = [(block, next((s.key for s in p.sections if s.sentences()), 0))]
    activities = [_activity(b, key, p, ids, taken) for b, key in found]
    _interests_elsewhere(activities, p, {s.key for s in chosen})
    return activities


def _unparsed(p: _Parse) -> list[str]:
    """Sentences no field was read from that look like they promise something: check them."""
    bases, mechanisms, rcats = vocabulary("legal_basis"), vocabulary("transfer_mechanism"), recipient_categories()
    out = []
    for key, sentence in p.all_sentences():
        if sentence in p.used or _label(sentence)[1] in p.used or _label(sentence)[0] is not None:
            continue
        if (
            (
                parse_period(sentence) is not None
                or bases.find_all(sentence)
                or [m for m in mechanisms.find_all(sentence) if m != "none"]
            )
            or rcats.find_all(sentence)
            and not p.topic("sharing")
        ):
            out.append(f"{_where(key)} «{sentence}»")
    return out


def find_sentences(text: str, phrase: str) -> list[tuple[int | str, str]]:
    """Every (section, sentence) of a plain-text policy whose words contain ``phrase`` (POL-01 cites the nearest)."""
    pattern = phrase_pattern([phrase])
    sections = split_sections(elements_from_text(text))
    return [(s.key, sent) for s in sections for sent in s.sentences() if pattern.search(fold(sent))]


# --- entry points -------------------------------------------------------------------------------


def _ids(ids_from: dict[str, Any] | None) -> dict[str, str]:
    """Folded title (and purpose) -> the DPO's id, from a previous model."""
    out: dict[str, str] = {}
    for act in (ids_from or {}).get("activities", []) or []:
        for text in (act.get("title"), act.get("purpose")):
            if text:
                out.setdefault(fold(text), str(act["id"]))
    return out


def parse_elements(elements: list[Element], text: str, ids_from: dict[str, Any] | None = None) -> ParseResult:
    """The model of a policy read into elements, with the report; see :func:`parse_document`."""
    language = detect_language(text)
    p = _Parse(split_sections(elements), language)
    version_hit = p.first("clauses.version")
    version = _date_in(version_hit[1]) if version_hit else None
    if version_hit and version is None:
        p.report.append(
            ReportLine("version", version_hit[1], _where(version_hit[0]), "no date in the version sentence")
        )
    controller, dpo = _contacts(p)
    sharing, companies = _sharing(p)
    model: dict[str, Any] = {
        "version": version,
        "controller": controller,
        "dpo": dpo,
        "group_companies": companies,
        "sharing": sharing,
        "transfer_grounds": _transfer_grounds(p),
        "request_deadline": _deadline(p),
        "security_promises": _security(p),
        "clauses": _clauses(p),
    }
    ids = _ids(ids_from)
    model["activities"] = _activities(p, ids)
    if ids_from:
        missing = [
            str(a["id"])
            for a in ids_from.get("activities", []) or []
            if a["id"] not in {x["id"] for x in model["activities"]}
        ]
        for pid in missing:
            p.report.append(ReportLine(f"{pid}", "", "", "activity of the previous model not found in this text"))
    for name in ("version", "dpo", "group_companies", "transfer_grounds", "request_deadline", "security_promises"):
        if model[name] is None:
            p.report.append(ReportLine(name, "", "", "not found in the policy"))
    return ParseResult(model, p.report, _unparsed(p))


def parse_policy_text(text: str, ids_from: dict[str, Any] | None = None) -> dict[str, Any]:
    """The policy model (``policy.yaml`` without ``source`` and ``date``) of a plain-text policy."""
    return parse_elements(elements_from_text(text), text, ids_from).model


def parse_document(path: Path | str, ids_from: dict[str, Any] | None = None) -> ParseResult:
    """Parse a policy file (``.txt``, ``.md``, ``.html``, ``.docx``, ``.pdf``) into a model for the DPO to review.

    Parameters
    ----------
    path
        The policy text.
    ids_from
        A previous model: an activity with the same title keeps its id, so
        registers that cite it in ``policy_ref`` stay valid.
    """
    document: Document = read_document(path)
    result = parse_elements(document.elements, document.text, ids_from)
    result.model = {
        "source": str(path),
        "date": date.today() if ids_from is None or "date" not in ids_from else ids_from["date"],
        "text_sha256": document.sha256,
        "language": detect_language(document.text),
        **result.model,
    }
    if result.unparsed:
        result.model["unparsed"] = list(result.unparsed)
    return result
