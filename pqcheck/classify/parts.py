"""The parts of a question (its (a)/(b)/(c) items, or its "...; and what proportion ..." clauses)
and which part an answer refuses: the refused part's subject is what the matcher must look for
when an answer gives the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .answers import sentences
from .subject import question_parts, subject_terms

# An enumerator: (a), (ii), (3). The first one found sets the kind of the question's items.
_ENUMERATOR = re.compile(r"\(\s*([a-h]|[ivx]{1,4}|\d{1,2})\s*\)", re.I)
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii")
# A clause that asks for something else: "...; and what proportion ...", "..., and how many ...".
_CLAUSE = re.compile(
    r";\s*(?:and\s+)?|,?\s+and\s+(?=(?:what|how many|how much|how long|how often|whether|which|when)\b)", re.I
)
_JOINERS = re.compile(r"^[\s,;]+|(?:[\s,;]+(?:and|or|and/or))?[\s,;]*$", re.I)
# Where the last item's own words end and the words all items share begin: "(b) confirmed victims
# | of trafficking were held in immigration detention".
_SHARED_TAIL = re.compile(
    r"\s(?:of|who|which|that|were|was|are|is|have|has|had|in|by|for|to|from|at|on|with|received|held|since)\s|,", re.I
)
# A refusal that names the items it refuses: "(b)", "part (b)", "parts b and c".
_NAMED_ITEMS = re.compile(r"\(\s*([a-h])\s*\)|\bparts?\s+\(?([a-h])\b(?:\)?\s*(?:and|&|,)\s*\(?([a-h])\b)?", re.I)


@dataclass(frozen=True)
class QuestionPart:
    """One part of a question: its marker ("(b)", or "part 2" for a clause), its words as asked,
    and the question narrowed to it (what :func:`question_parts` reads)."""

    marker: str
    text: str
    question: str
    own: frozenset[str]  # the subject terms of this part that no other part has


@dataclass(frozen=True)
class RefusedPart:
    """The part an answer refuses: "(b) e-mails", with that part's subject and terms (its own)."""

    part: str
    subject: str | None
    terms: list[str]


@lru_cache(maxsize=4096)
def question_items(question_text: str | None) -> list[QuestionPart]:
    """The parts of a question: its first-level enumerated items, else its clauses; [] for a
    question with one part."""
    if not question_text:
        return []
    items = _enumerated(question_text)
    return _own_terms(items if len(items) >= 2 else _clauses(question_text))  # cached: callers must not change it


def _own_terms(parts: list[tuple[str, str, str, str]]) -> list[QuestionPart]:
    """The parts, each with the subject terms of its own words (``own`` text: the last item's
    without the words all items share) that no other part has."""
    words = [frozenset(subject_terms(own)) for *_, own in parts]
    return [
        QuestionPart(marker, text, question, mine - frozenset().union(*(w for j, w in enumerate(words) if j != i)))
        for i, ((marker, text, question, _), mine) in enumerate(zip(parts, words, strict=True))
    ]


def _enumerated(question: str) -> list[tuple[str, str, str, str]]:
    """Items (a), (b), ... (or (i), (ii) ..., or (1), (2) ...) in order, each as the question up to
    its first item followed by the item alone."""
    found = list(_ENUMERATOR.finditer(question))
    if len(found) < 2:
        return []
    sequence = _sequence(found[0].group(1).lower())
    if sequence is None:
        return []
    markers, expected = [], 0
    for m in found:
        if expected < len(sequence) and m.group(1).lower() == sequence[expected]:
            markers.append(m)
            expected += 1
    if len(markers) < 2:
        return []
    prefix = question[: markers[0].start()]
    ends = [m.start() for m in markers[1:]] + [_clause_end(question, markers[-1].end())]
    parts = []
    for m, end in zip(markers, ends, strict=True):
        text = _JOINERS.sub("", question[m.end() : end])
        if text:
            own = _SHARED_TAIL.split(text, 1)[0] if m is markers[-1] else text
            parts.append((f"({m.group(1).lower()})", text, f"{prefix.rstrip()} {text}", own))
    return parts


def _sequence(first: str) -> tuple[str, ...] | None:
    """The markers of a list that starts with ``first``: a b c ..., i ii iii ..., 1 2 3 ..."""
    if first == "a":
        return tuple("abcdefgh")
    if first == "i":
        return _ROMAN
    if first == "1":
        return tuple(str(n) for n in range(1, 21))
    return None


def _clause_end(question: str, start: int) -> int:
    """Where the clause that holds ``start`` ends: at a semicolon, or the end of the question."""
    end = question.find(";", start)
    return len(question) if end < 0 else end


def _clauses(question: str) -> list[tuple[str, str, str, str]]:
    """The clauses of a question that asks for two things: "how many ...; and what proportion ..."."""
    cuts = [m for m in _CLAUSE.finditer(question) if "statement" not in question[m.end() : m.end() + 60].lower()]
    if not cuts:
        return []
    bounds = [0, *(m.end() for m in cuts)]
    ends = [m.start() for m in cuts] + [len(question)]
    parts = []
    for number, (start, end) in enumerate(zip(bounds, ends, strict=True), 1):
        text = _JOINERS.sub("", question[start:end])
        if text:
            parts.append((f"part {number}", text, text, text))
    return parts if len(parts) >= 2 else []


def named_items(question_text: str | None, text: str) -> list[QuestionPart]:
    """The parts of the question that a text (a refusing sentence, the sentences with figures) is
    about: the items it names ("(b)", "parts b and c"), else the items whose own words it names.
    [] when the question has one part, or the text names all or none."""
    parts = question_items(question_text)
    if not parts:
        return []
    chosen = _named(parts, text) or _by_words(parts, text)
    return chosen if len(chosen) < len(parts) else []


def refused_part(question_text: str | None, answer_text: str, phrase_start: int | None) -> RefusedPart | None:
    """The part of the question that the refusing sentence (the one holding ``phrase_start``)
    names (:func:`named_items`), with its subject and terms; None when it refuses no one part."""
    if phrase_start is None:
        return None
    sentence = next((answer_text[a:b] for a, b in sentences(answer_text) if a <= phrase_start < b), "")
    chosen = named_items(question_text, sentence)
    if not chosen:
        return None
    subject, terms = _narrowed(chosen)
    label = "; ".join(f"{p.marker} {p.text}" if p.marker.startswith("(") else p.text for p in chosen)
    return RefusedPart(label, subject, terms)


def _named(parts: list[QuestionPart], sentence: str) -> list[QuestionPart]:
    """The parts that the sentence names by their markers."""
    letters = {letter.lower() for m in _NAMED_ITEMS.finditer(sentence) for letter in m.groups() if letter}
    return [p for p in parts if p.marker.strip("()") in letters]


def _by_words(parts: list[QuestionPart], sentence: str) -> list[QuestionPart]:
    """The parts whose own words (those no other part has) the sentence names."""
    said = set(subject_terms(sentence))
    return [p for p in parts if p.own & said]


def _narrowed(chosen: list[QuestionPart]) -> tuple[str | None, list[str]]:
    """The subject and terms of the question narrowed to the chosen parts."""
    subjects, terms = [], []
    for part in chosen:
        subject, part_terms = question_parts(part.question)[:2]
        if subject:
            subjects.append(subject)
        terms.extend(part_terms)
    return ("; ".join(subjects) or None), list(dict.fromkeys(terms))
