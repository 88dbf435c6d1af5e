"""Comparing each half's texts with the wording the spec keeps for its language: title, API
description, parameter descriptions, notes and rules (a rule whose wording differs only in its number
is a `rule-value`, resolved by scaling the rule's data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._findings import Findings
from ._model import DocHalf, DocParam, Edit, Language, Located, OperationPage
from ._page import listed_values, without_values
from ._spec_view import Pointer, SpecNote, SpecOperation, SpecRule
from ._wording import normal, numbers, template

RULE_NUMBER_FIELDS = {
    "max-items": "maximum",
    "once-per-interval": "interval_seconds",
    "max-liability-value": "below",
}


@dataclass(frozen=True)
class _Entry:
    """A text the spec keeps for one language: a rule's wording or an acknowledged note."""

    text: str
    rule: SpecRule | None
    note: SpecNote | None

    @property
    def pointer(self) -> Pointer:
        return self.rule.pointer if self.rule is not None else self.note.pointer if self.note else ()


def _entries(operation: SpecOperation, language: Language) -> list[_Entry]:
    entries = [_Entry(rule.doc if language == "en" else rule.doc_zh, rule, None) for rule in operation.rules]
    entries += [
        _Entry(note.en if language == "en" else note.zh, None, note) for note in operation.acknowledged_notes
    ]
    return [entry for entry in entries if entry.text.strip()]


def _match_notes(
    half: DocHalf, operation: SpecOperation
) -> tuple[dict[int, tuple[_Entry, Located]], list[Located], list[_Entry]]:
    """Pair the half's notes with the spec's texts: by wording, then by wording up to numbers.
    Returns (entries whose numbers changed, by entry index: the note), unmatched notes, unmatched
    entries (a rule's wording may also be a parameter's description)."""
    entries = _entries(operation, half.language)
    free = list(range(len(entries)))
    changed: dict[int, tuple[_Entry, Located]] = {}
    unmatched: list[Located] = []
    pending: list[Located] = []
    for note in half.notes:
        index = next((i for i in free if normal(entries[i].text) == normal(note.text)), None)
        if index is None:
            pending.append(note)
        else:
            free.remove(index)
    for note in pending:
        index = next((i for i in free if template(entries[i].text) == template(note.text)), None)
        if index is None:
            unmatched.append(note)
        else:
            free.remove(index)
            changed[index] = (entries[index], note)
    descriptions = {normal(param.description) for param in half.params}
    missing = [entries[i] for i in free if normal(entries[i].text) not in descriptions]
    return changed, unmatched, missing


def _rule_value_fix(rule: SpecRule, en: Located, zh: Located | None, operation: SpecOperation) -> list[Edit]:
    """The edits for a rule whose one number changed: its data field scales with the number."""
    field_name = RULE_NUMBER_FIELDS.get(rule.id)
    old, new = numbers(rule.doc), numbers(en.text)
    if field_name is None or len(old) != 1 or len(new) != 1 or old[0] == 0 or field_name not in rule.data:
        return []
    current = rule.data[field_name]
    scaled = Decimal(str(current)) * new[0] / old[0]
    if isinstance(current, int):
        if scaled != scaled.to_integral_value():
            return []
        value: int | float = int(scaled)
    else:
        value = float(scaled)
    edits = [Edit("set", (*rule.pointer, field_name), value), Edit("set", (*rule.pointer, "doc"), en.text)]
    if zh is not None:
        edits.append(Edit("set", (*rule.pointer, "doc_zh"), zh.text))
    if rule.id == "max-items":
        param = operation.params.get(str(rule.data.get("parameter", "")))
        if param is None:
            return []
        edits.append(Edit("set", (*param.schema_target, "maxItems"), value))
    return edits


def compare_texts(half: DocHalf, page: OperationPage, operation: SpecOperation, out: Findings) -> None:
    language = half.language
    doc = (*operation.pointer, "x-binance-doc")
    name = "English" if language == "en" else "Chinese"
    stored_title = operation.doc_title.get(language, "")
    if normal(half.name) != normal(stored_title):
        out.add(
            "drift",
            "title",
            half.title.line,
            half.name,
            stored_title or "(none)",
            (*doc, "title"),
            name,
            language,
        )
    described = normal(" ".join(block.text for block in half.description))
    stored = operation.doc_description.get(language, "")
    if described != normal(stored):
        line = next(
            (block.line for block in half.description if normal(block.text) not in normal(stored)),
            half.description[0].line if half.description else half.description_line,
        )
        docs = " ".join(block.text for block in half.description) or "(no API description)"
        out.add("drift", "description", line, docs, stored or "(none)", (*doc, "description"), name, language)
    for row in half.params:
        declared = operation.params.get(row.name)
        if declared is None and not _is_signing(row, out):
            continue  # a new parameter: parameter-added keeps its wording
        texts = operation.doc_parameters.get(row.name, {})
        kept = texts.get(language, "")
        if normal(row.description) == normal(kept):
            continue
        if (
            declared is not None
            and without_values(row.description) == without_values(kept)
            and row.listed != listed_values(kept)
        ):
            continue  # only the listed values changed: parameter-enum (or the halves' check) says so
        out.add(
            "drift",
            "parameter-description",
            row.line,
            f"{row.name}: {row.description}",
            f"{row.name}: {kept}" if kept else f"{row.name}: (no description)",
            (*doc, "parameters", row.name) if texts else doc,
            name,
            language,
        )
    changed, unmatched, missing = _match_notes(half, operation)
    other = _other_half(page, half)
    other_changed = _match_notes(other, operation)[0] if other is not None else {}
    for entry, note in changed.values():
        counterpart = _counterpart(entry, other_changed)
        other_numbers = numbers(counterpart.text) if counterpart is not None else numbers(_text(entry, other))
        if other is not None and sorted(numbers(note.text)) != sorted(other_numbers):
            out.add(
                "drift",
                "languages-disagree",
                note.line,
                f"{name}: {note.text}",
                entry.text,
                entry.pointer,
                f"the other half says {', '.join(map(str, other_numbers)) or 'no number'}",
                language,
            )
            continue
        if language == "zh" and other is not None:
            continue  # the English half's finding covers both
        kind = "rule-value" if entry.rule is not None else "note-changed"
        fix: list[Edit] = []
        if entry.rule is not None:
            fix = _rule_value_fix(entry.rule, note, counterpart, operation)
        out.add("drift", kind, note.line, note.text, entry.text, entry.pointer, name, language, fix=fix)
    for note in unmatched:
        out.add(
            "drift",
            "note-added",
            note.line,
            note.text,
            "no x-binance-rules[].doc or x-binance-doc-notes entry with this wording",
            (*operation.pointer, "x-binance-rules"),
            name,
            language,
        )
    for entry in missing:
        kind = "rule-removed" if entry.rule is not None else "note-removed"
        out.add(
            "drift",
            kind,
            half.params_line,
            "no note or description with this wording",
            entry.text,
            entry.pointer,
            name,
            language,
        )


def _is_signing(row: DocParam, out: Findings) -> bool:
    signing = out.spec.signing
    return row.name in (signing.timestamp, signing.recv_window, signing.signature)


def _other_half(page: OperationPage, half: DocHalf) -> DocHalf | None:
    return page.chinese if half is page.english else page.english


def _counterpart(entry: _Entry, changed: dict[int, tuple[_Entry, Located]]) -> Located | None:
    same = [note for other, note in changed.values() if (other.rule, other.note) == (entry.rule, entry.note)]
    return same[0] if same else None


def _text(entry: _Entry, half: DocHalf | None) -> str:
    """What the spec keeps for `entry` in the other half's language (its numbers are that half's when
    its note matched exactly)."""
    if half is None:
        return ""
    if entry.rule is not None:
        return entry.rule.doc if half.language == "en" else entry.rule.doc_zh
    note = entry.note
    return "" if note is None else note.en if half.language == "en" else note.zh
