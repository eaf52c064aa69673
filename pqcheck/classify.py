"""Refusal detection: does a written answer decline to give the information, how, and about what?

Three stages, cheapest first, so that a whole database classifies at tens of thousands of answers
a second on one core:

1. The prefilter: a few literals in the lower-cased answer (found for a whole batch of answers at
   once), each confirmed by a small regular expression (``prefilter`` entries of
   ``data/refusal_patterns.json``). Most answers are not refusals and stop here; they are labelled
   ``disclosure`` or ``other`` by cues gated the same way (figures, tables, pointers to published
   statistics; holding answers, "I will write", referrals).
2. For the sentences that pass the prefilter: the tokenizer of ``spacy.blank("en")`` and a spaCy
   ``Matcher`` built from the token patterns of the same file (lower-case tokens: no trained model,
   no lemmas; word sets become lexeme flags, which the Matcher tests in C). Each sentence runs only
   the patterns whose rarest required word it contains (one Matcher per such set, built on first
   use), and a sentence repeated in a batch runs once. A match counts unless its sentence describes
   procedure (the cost limit, how questions are answered), lacks a word its pattern requires
   (``is not available`` must be about data), or the question asks when something will be published.
3. For refusals and partials: the subject and the period of the question, by rules on its words.

Labels: ``refusal`` (declines to give the information); ``partial`` (a refusal phrase, and figures
or a pointer to published figures outside the refusing sentences: the classifier cannot tell
whether the refused part is all that was asked, so any such answer is ``partial``); ``disclosure``
(gives figures or facts the question asked for, or points to where they are published); ``other``
(holding answers, "I will write", referrals, policy statements, and evasive answers that do not
refuse in so many words). Category: that of the first sentence that refuses; within a sentence,
the first in ``category_order`` (the most specific).
"""

from __future__ import annotations

import calendar
import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .db import write_transaction
from .records import now_iso
from .vocabulary import CATEGORIES

PATTERNS_PATH = Path(__file__).parent / "data" / "refusal_patterns.json"
BATCH_SIZE = 5000  # rows read and written per transaction by classify_db
SUBJECT_LENGTH = 200  # longest subject text stored (its terms come from the whole of it)
PIPE_BATCH_SIZE = 1000  # sentences per nlp.pipe batch (n_process=1: more processes are far slower here)


@dataclass
class Classification:
    label: str  # one of LABELS
    category: str | None = None  # one of CATEGORIES when label is refusal or partial
    phrase: str | None = None  # the refusal phrase as it appears in the answer
    start: int | None = None  # offsets of phrase in the answer text
    end: int | None = None
    subject: str | None = None  # what information was asked for, from the question
    subject_terms: list[str] = field(default_factory=list)  # lower-case lemmas, most specific first
    period: str | None = None  # the period asked about, as written ("2010 to 2019")
    period_start: str | None = None  # YYYY-MM-DD
    period_end: str | None = None


@dataclass
class ClassifyStats:
    read: int = 0  # substantive answers read to classify
    classified: int = 0  # refusals rows written
    skipped: int = 0  # questions without a substantive answer (holding, unanswered, no text)
    up_to_date: int = 0  # substantive answers already classified by this version
    removed: int = 0  # stale refusals rows of questions that no longer have a substantive answer
    by_label: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def load_rules(path: str | Path = PATTERNS_PATH) -> dict[str, Any]:
    """The patterns file as a dict (see its ``_about``)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


RULES = load_rules()
CLASSIFIER_VERSION: str = RULES["version"]


# --------------------------------------------------------------------------------------------
# Cheap stage: literal scans confirmed by small regular expressions


_NUMPY_FROM = 64  # texts from which _Literals.find uses numpy (fewer are scanned faster)


class _Literals:
    """Which of a fixed set of literals each text of a batch contains, as bit masks. numpy finds
    them for a whole batch at once (each literal by its rarest pair of bytes, then checked in full),
    several times faster than scanning every text for every literal."""

    def __init__(self, literals: Iterable[str]):
        self.bits = {literal: 1 << i for i, literal in enumerate(dict.fromkeys(literals))}
        self.encoded = [literal.encode() for literal in self.bits]
        if any(len(raw) < 2 or 0 in raw for raw in self.encoded):
            raise ValueError("a literal must have at least two characters and no NUL")

    def find(self, texts: list[str]) -> list[int]:
        """For each of ``texts``, the bits of the literals it contains."""
        if len(texts) < _NUMPY_FROM:
            return [sum(bit for literal, bit in self.bits.items() if literal in text) for text in texts]
        import numpy as np  # here: it takes a tenth of a second to import, and small batches do without

        # UTF-8 keeps "literal in text": a literal's bytes can only match at a character boundary.
        # The NUL after each text keeps a literal from matching across two.
        joined = "\0".join(texts)
        if joined.isascii():
            lengths = [len(text) for text in texts]
        else:
            lengths = [len(text.encode("utf-8", "surrogatepass")) for text in texts]
        ends = np.cumsum(np.array(lengths) + 1)  # the offset after each text's NUL
        masks = [0] * len(texts)
        raw = joined.encode("utf-8", "surrogatepass")
        for bit, starts in zip(self.bits.values(), self._starts(raw), strict=True):
            owners = np.searchsorted(ends, starts, side="right")  # in order: repeats are adjacent
            for text in owners[np.flatnonzero(np.diff(owners, prepend=-1))].tolist():
                masks[text] |= bit
        return masks

    def _starts(self, raw: bytes) -> list[Any]:
        """For each literal, the offsets in ``raw`` where it occurs, in order (numpy arrays)."""
        import numpy as np

        raw += bytes(max(map(len, self.encoded)) + 1)  # every check below stays inside the buffer
        data = np.frombuffer(raw, np.uint8)
        pairs = np.ndarray((len(raw) - 1,), "<u2", raw, strides=(1,))  # the byte pair at each offset
        counts = np.bincount(pairs[: 1 << 16], minlength=1 << 16)  # a sample tells which pairs are rare
        rarest = []  # per literal: (offset of its rarest byte pair, that pair)
        for literal in self.encoded:
            offset = min(range(len(literal) - 1), key=lambda o: counts[literal[o] | literal[o + 1] << 8])
            rarest.append((offset, literal[offset] | literal[offset + 1] << 8))
        wanted = np.zeros(1 << 16, bool)
        wanted[[pair for _, pair in rarest]] = True
        at = np.flatnonzero(np.take(wanted, pairs))  # take: twice as fast as wanted[pairs] here
        at_pairs = pairs[at]
        order = np.argsort(at_pairs, kind="stable")  # by pair, each pair's offsets still in order
        at, at_pairs = at[order], at_pairs[order]
        found = []
        for literal, (offset, pair) in zip(self.encoded, rarest, strict=True):
            starts = at[np.searchsorted(at_pairs, pair) : np.searchsorted(at_pairs, pair, "right")] - offset
            starts = starts[starts >= 0]
            for j, byte in enumerate(literal):
                if j != offset and j != offset + 1:
                    starts = starts[data[starts + j] == byte]
            found.append(starts)
        return found


class _Gated:
    """Entries ``{literals, regex}``: an entry fires when one of its literals is in the (lower-case)
    text and its regex, if it has one, matches. A literal test is one fast scan of the text, or a
    bit of the text's mask from ``_LITERALS.find``."""

    def __init__(self, entries: list[dict[str, Any]], literals: _Literals | None = None):
        self.entries = [
            (tuple(e["literals"]), re.compile(e["regex"], re.ASCII) if e.get("regex") else None) for e in entries
        ]
        self.flat = tuple((literal, regex) for literals, regex in self.entries for literal in literals)
        self.flat_ascii = tuple((literal, regex) for literal, regex in self.flat if literal.isascii())
        if literals is not None:  # bits are distinct powers of two: a sum of distinct bits is their union
            self.masks = [sum({literals.bits[literal] for literal in e}) for e, _ in self.entries]
            self.mask = sum({literals.bits[literal] for literal, _ in self.flat})
            # bit -> (its literal, the regexes of the entries with it; None: the literal alone fires)
            self.by_bit: dict[int, tuple[str, list[re.Pattern[str] | None]]] = {}
            for literal, regex in self.flat:
                self.by_bit.setdefault(literals.bits[literal], (literal, []))[1].append(regex)

    def search(self, low: str, found: int | None = None) -> bool:
        """Does an entry fire on ``low``; ``found``: the mask of the literals ``low`` contains."""
        if found is not None:
            hits = found & self.mask
            while hits:
                bit = hits & -hits  # the lowest bit set
                hits ^= bit
                for regex in self.by_bit[bit][1]:
                    if regex is None or regex.search(low):
                        return True
            return False
        for literal, regex in self.flat_ascii if low.isascii() else self.flat:
            if literal in low and (regex is None or regex.search(low)):
                return True
        return False

    def search_part(self, low: str, whole: int) -> bool:
        """``search`` on a part (a sentence) of a text whose literals are ``whole``: only those are
        looked for (a literal the text lacks, its parts lack)."""
        hits = whole & self.mask
        while hits:
            bit = hits & -hits
            hits ^= bit
            literal, regexes = self.by_bit[bit]
            if literal in low:
                for regex in regexes:
                    if regex is None or regex.search(low):
                        return True
        return False

    def spans(self, low: str, found: int | None = None) -> list[tuple[int, int]]:
        """Where the entries fire: each regex match, or each literal of an entry without a regex."""
        spans = []
        for i, (literals, regex) in enumerate(self.entries):
            if found & self.masks[i] if found is not None else any(literal in low for literal in literals):
                if regex is not None:
                    spans.extend(m.span() for m in regex.finditer(low))
                else:
                    for literal in literals:
                        start = low.find(literal)
                        while start >= 0:
                            spans.append((start, start + len(literal)))
                            start = low.find(literal, start + 1)
        return spans

    def positions(self, low: str, found: int | None = None) -> list[int]:
        return [start for start, _ in self.spans(low, found)]


# The gates applied to whole answers (and the prefilter to their sentences) share one literal finder.
_BATCHED = ("prefilter", "holding_cues", "other_cues", "disclosure_cues", "pointer_cues")
_LITERALS = _Literals(literal for key in _BATCHED for entry in RULES[key] for literal in entry["literals"])
_PREFILTER = _Gated(RULES["prefilter"], _LITERALS)
_HOLDING = _Gated(RULES["holding_cues"], _LITERALS)
_OTHER = _Gated(RULES["other_cues"], _LITERALS)
_DISCLOSURE = _Gated(RULES["disclosure_cues"], _LITERALS)
_POINTER = _Gated(RULES["pointer_cues"], _LITERALS)
_REPORTED = _Gated(RULES["reported_cues"])


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_PROCEDURAL_RE = _alternation(RULES["procedural_cues"])
_PROCEDURAL_GATES = tuple(RULES["procedural_gates"])
_SENSITIVE_CUES = tuple(RULES["sensitivity_cues"])


def _procedural(low: str) -> bool:
    """The (lower-case) sentence describes the cost limit or how questions are answered."""
    return any(g in low for g in _PROCEDURAL_GATES) and _PROCEDURAL_RE.search(low) is not None


_DEIXIS = _alternation(RULES["answer_deixis"])
_QUESTION_TIMING = re.compile(RULES["question_timing"])
_DATA_QUESTION = re.compile(RULES["data_question"], re.ASCII)
_DATA_QUESTION_ANYWHERE = tuple(RULES["data_question_anywhere"])


def prefilter(answer_text: str | None) -> bool:
    """True when the answer may contain a refusal phrase and needs the spaCy stage."""
    return bool(answer_text) and _PREFILTER.search(answer_text.lower())


# Sentences: a stop (and closing quotes) followed by spaces and a capital, digit or opening quote,
# a stop run straight into a capital (HTML stripping joins paragraphs: "centrally.The"), or a line
# break. A semicolon does not end one. Found with str.find, several times faster than a regex here.
_SENTENCE_OPEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789“\"‘'(£")
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CLOSING = frozenset("\"'”’)")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of ``text`` (each with its full stop)."""
    stops = []
    for mark in ".!?\n":
        pos = text.find(mark)
        while pos >= 0:
            stops.append(pos)
            pos = text.find(mark, pos + 1)
    n = len(text)
    spans, start = [], 0
    for pos in sorted(stops):
        if pos < start:
            continue
        if text[pos] == "\n":
            if pos > start:
                spans.append((start, pos))
            start = pos + 1
            while start < n and text[start].isspace():
                start += 1
            continue
        end = pos + 1
        while end < n and text[end] in _CLOSING:
            end += 1
        if end >= n:
            break
        after = end
        while after < n and text[after] in " \t\r":
            after += 1
        if after > end:
            if after < n and text[after] in _SENTENCE_OPEN:
                spans.append((start, end))
                start = after
        elif text[end] in _CAPITALS:
            spans.append((start, end))
            start = end
    if start < n:
        spans.append((start, n))
    return spans


# Figures: numbers that are not years, dates, references (Question 123, section 75, table 4) or
# parts of codes and links.
_NUMBER = re.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")
_UNIT = re.compile(r"\s?(?:%|per ?cent\b|percent\b|million\b|billion\b|bn\b|m\b|k\b)")
_REFERENCE_WORDS = frozenset(
    [
        "question",
        "questions",
        "uin",
        "pq",
        "pqs",
        "hl",
        "section",
        "sections",
        "paragraph",
        "paragraphs",
        "para",
        "page",
        "pages",
        "table",
        "tables",
        "schedule",
        "article",
        "version",
        "part",
        "regulation",
        "regulations",
        "rule",
        "clause",
        "column",
        "col",
        "chapter",
        "annex",
        "appendix",
        "tier",
        "phase",
        "round",
        "stage",
        "level",
        "step",
        "recommendation",
        "recommendations",
        "group",
        "cohort",
        "wave",
        "no",
        "number",
        "point",
        "figure",
        "chart",
        "band",
        "grade",
        "year",
        "act",
        "order",
        "ref",
        "reference",
        "hcws",
        "priority",
        "unit",
        "room",
        "box",
        "line",
        "route",
        "junction",
        "platform",
        "ward",
        "term",
        "ks",
        "dose",
        "doses",
        "bill",
        "series",
        "vol",
        "volume",
        "edition",
        "annexe",
        "item",
        "items",
        "option",
        "scenario",
        "category",
        "type",
        "class",
        "list",
        "zone",
        "area",
        "lot",
        "region",
        "covid",
    ]
)
_MONTHS = (  # spelled out: calendar.month_name follows the locale
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_WORDS = frozenset(_MONTHS)
_WORD_BEFORE = re.compile(r"([a-z]+)\.?\s*\(?\s*$")
_DATE_AFTER = re.compile(
    r"^(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|^\)|^\s?(?:am|pm|a\.m|p\.m)\b"
)
_DURATION = re.compile(
    r"\b(?:last|past|next|previous|within|every|after|for|up to|over|than|first|of|in|the|beyond|least|under|"
    r"around)\s+$"
)
_DURATION_AFTER = re.compile(r"^\s*(?:working\s+)?(?:days?|weeks?|months?|years?|hours?|minutes?|decades?)\b")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_SPACE = re.compile(r"\s")


def _url_spans(lower: str) -> list[tuple[int, int]]:
    """Links: http(s)://..., www...., and bare ...gov.uk/... addresses."""
    spans = [m.span() for m in _URL.finditer(lower)] if ("http" in lower or "www." in lower) else []
    start = lower.find(".uk")
    while start >= 0:
        left = max(lower.rfind(" ", 0, start), lower.rfind("\n", 0, start)) + 1
        right = _SPACE.search(lower, start)
        spans.append((left, right.start() if right else len(lower)))
        start = lower.find(".uk", start + 3)
    return spans


_DIGIT = re.compile(r"[0-9]")
_CLEAR_MARKERS = ("£", "%", "$", "€")


def figure_positions(text: str, *, first: bool = False, lower: str | None = None) -> list[int]:
    """Character offsets of the figures in ``text``: counts, amounts, percentages; not years,
    dates, references to questions, sections or tables, codes, or the numbers inside links.
    ``first``: stop at the first one; ``lower``: ``text.lower()`` when the caller has it."""
    if _DIGIT.search(text) is None:
        return []
    if lower is None or len(lower) != len(text):
        lower = text.lower()
    linked = "http" in lower or "www." in lower or ".uk" in lower
    if first and not linked:
        for marker in _CLEAR_MARKERS:  # an amount or a percentage: "£2.4 million", "45%"
            pos = lower.find(marker)
            if pos >= 0:
                digit = pos + len(marker) if marker in "£$€" else pos - 1
                if digit >= 0 and _DIGIT.match(lower, digit):
                    return [digit if marker not in "£$€" else pos]
    urls = _url_spans(lower) if linked else []
    found = []
    for m in _NUMBER.finditer(lower):
        start, end = m.span()
        before_char = lower[start - 1] if start else " "
        if before_char.isalpha() or before_char in "_./-":  # a code (H4, B.1.351, COVID-19) or a path
            continue
        if end < len(lower) and (lower[end].isalpha() or lower[end] in "_/") and not _UNIT.match(lower, end):
            continue  # 1006S, 5GW, 19th: part of a word
        if urls and any(a <= start < b for a, b in urls):
            continue
        num = m.group()
        cur = before_char in "£$€" or (start > 1 and before_char == " " and lower[start - 2] in "£$€")
        unit = _UNIT.match(lower, end) is not None
        if not (cur or unit or "," in num or "." in num):
            if len(num) == 4 and 1800 <= int(num) <= 2100:  # a year (or the first year of 2019-20)
                continue
            before = lower[max(0, start - 24) : start]
            word = _WORD_BEFORE.search(before)
            if word is not None and (word.group(1) in _REFERENCE_WORDS or word.group(1) in _MONTH_WORDS):
                continue
            if before.endswith("("):
                continue  # an enumerator: (1)
            after = lower[end : end + 12]
            if _DATE_AFTER.search(after):
                continue
            if _DURATION_AFTER.search(after) and _DURATION.search(before):
                continue
        found.append(start)
        if first:
            break
    return found


_CONTRAST = re.compile(r"\b(?:but|however|although|though|whereas|while)\b", re.I)
_WORD_NUMBER = re.compile(
    r" (?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|dozens?|none)\b"
)
_ANSWER_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)? (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december) "
    r"(?:19|20)\d\d\b|\b(?:in|by) (?:the )?(?:early |late )?(?:spring|summer|autumn|winter)\b|\bweek (?:beginning|"
    r"commencing)\b"
)
_QUESTION_WORD = (
    r"(?:what|how|whether|if|which|when|why|where|who|for what|by what|on what|with what|to publish|to list|"
    r"to place|to make|to set out|to provide)\b"
)
_ASK = re.compile(r"^to ask (?:(?:her|his) majesty'?s government\s*,?\s*|the [^,]*,\s*)")
_QUESTION_START = re.compile(_QUESTION_WORD)
_AFTER_COMMA = re.compile(rf", (?={_QUESTION_WORD})")
_WHEN_QUESTION = re.compile(r"^(?:when|on what date|by what date|what date|what (?:the )?(?:timetable|timescale))\b")


def _question_body(question_low: str) -> str:
    """The lower-cased question without "to ask the Secretary of State for ...," (cheap)."""
    if not question_low.startswith("to ask"):
        return question_low
    body = _cut(_ASK, question_low)
    if _QUESTION_START.match(body) is None:
        m = _AFTER_COMMA.search(body, 0, 200)
        if m is not None:
            body = body[m.end() :]
    return body


def _data_question(question_low: str) -> bool:
    return bool(question_low) and _is_data_body(_question_body(question_low))


def _is_data_body(body: str) -> bool:
    return _DATA_QUESTION.match(body) is not None or any(map(body.__contains__, _DATA_QUESTION_ANYWHERE))


def is_data_question(question_text: str | None) -> bool:
    """The question asks for figures or facts (how many, how much, what proportion, when ...)."""
    return _data_question((question_text or "").lower())


def _plain_label(question: str | None, answer: str, answer_low: str, found: int) -> str:
    """``disclosure`` or ``other`` for an answer without a refusal phrase: disclosure when it has a
    table or points to published statistics, or gives figures (or dates, for "when" questions) in
    answer to a question that asks for them; other when it is a holding answer or a referral.
    ``found``: the literals the answer contains (``_LITERALS.find``)."""
    if _DISCLOSURE.search(answer_low, found):
        disclosure = True
    else:
        body = _question_body((question or "").lower())
        if not body or not _is_data_body(body):
            return "other"
        disclosure = bool(  # cheapest first: figure_positions is slow on answers with links
            _POINTER.search(answer_low, found)
            or figure_positions(answer, first=True, lower=answer_low)
            or _WORD_NUMBER.search(answer_low)
            or (_WHEN_QUESTION.search(body) and _ANSWER_DATE.search(answer_low))
        )
    if disclosure and not (_HOLDING.search(answer_low, found) or _OTHER.search(answer_low, found)):
        return "disclosure"
    return "other"


# --------------------------------------------------------------------------------------------
# spaCy stage: token patterns from the patterns file, compiled for spaCy's Matcher

_QUANTIFIER = re.compile(r"^(?P<body>.+?)(?P<op>\?|\*|\+|\{\d*,?\d*\})?$")
# Words too common to decide which patterns a sentence needs (see _Engine._anchor).
_COMMON = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "this",
        "that",
        "these",
        "those",
        "by",
        "at",
        "as",
        "with",
        "from",
        "not",
        "n't",
        "n’t",
        "no",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "should",
        "shall",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "'s",
        "’s",
        "its",
        "their",
        "there",
        "only",
        "any",
        "such",
    ]
)


def _token_words(body: str, word_lists: dict[str, list[str]], pattern: str) -> list[str]:
    words: list[str] = []
    for alternative in body.split("|"):
        if alternative.startswith("@"):
            if alternative[1:] not in word_lists:
                raise ValueError(f"unknown word list {alternative} in pattern {pattern!r}")
            words.extend(word_lists[alternative[1:]])
        else:
            words.append(alternative.lower())
    return list(dict.fromkeys(words))


def compile_pattern(pattern: str, word_lists: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One pattern string (see the patterns file's ``_about``) as a spaCy Matcher token pattern."""
    tokens = []
    for item in pattern.split():
        m = _QUANTIFIER.match(item)
        if m is None:
            raise ValueError(f"bad token {item!r} in pattern {pattern!r}")
        body, op = m.group("body"), m.group("op")
        if body == "_":
            spec: dict[str, Any] = {}
        else:
            words = _token_words(body, word_lists, pattern)
            spec = {"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}}
        if op:
            spec["OP"] = op
        tokens.append(spec)
    return tokens


def required_words(pattern: str, word_lists: dict[str, list[str]]) -> list[frozenset[str]]:
    """For each token every match of ``pattern`` contains (not optional, not a wildcard), its words."""
    found = []
    for item in pattern.split():
        m = _QUANTIFIER.match(item)
        if m is None:
            raise ValueError(f"bad token {item!r} in pattern {pattern!r}")
        body, op = m.group("body"), m.group("op")
        if body == "_" or (op and op != "+" and not re.fullmatch(r"\{[1-9]\d*,?\d*\}", op)):
            continue
        found.append(frozenset(_token_words(body, word_lists, pattern)))
    if not found:
        raise ValueError(f"pattern {pattern!r} has no required token")
    return found


def pattern_anchor(pattern: str, word_lists: dict[str, list[str]]) -> frozenset[str]:
    """The words of the rarest token every match of ``pattern`` contains: a sentence without any
    of them cannot match it. Rarest: fewest common words, then fewest words."""
    return min(required_words(pattern, word_lists), key=lambda words: (len(words & _COMMON), len(words)))


def _flag_word_sets(vocab, patterns: list[list[dict[str, Any]]]) -> dict[frozenset[str], int]:
    """A lexeme flag for each word set (``{"LOWER": {"IN": [...]}}``) of ``patterns``, as many as
    spaCy has free flag bits: the Matcher checks a flag in C, but calls Python (and makes a Token)
    for an IN set at every token it tries. Sets that start a pattern come first (they are tried at
    every token of a sentence), then the most used."""
    from spacy.attrs import LOWER

    uses: dict[frozenset[str], list[int]] = {}
    for tokens in patterns:
        for position, token in enumerate(tokens):
            if isinstance(token.get("LOWER"), dict):
                counts = uses.setdefault(frozenset(token["LOWER"]["IN"]), [0, 0])
                counts[0] += position == 0
                counts[1] += 1
    ranked = sorted(uses, key=lambda words: (-uses[words][0], -uses[words][1], sorted(words)))
    free = [bit for bit in range(1, 64) if bit not in vocab.lex_attr_getters]
    lower = vocab.lex_attr_getters[LOWER]  # the flag is true exactly when the token's LOWER is in the set
    flags = {}
    for words, bit in zip(ranked, free, strict=False):  # the rest stay IN sets
        flags[words] = vocab.add_flag(lambda orth, words=words: lower(orth) in words, flag_id=bit)
    return flags


def _flagged(token: dict[str, Any], flags: dict[frozenset[str], int]) -> dict[str, Any]:
    """``token`` with its IN set replaced by the set's lexeme flag, when it has one."""
    lower = token.get("LOWER")
    if not isinstance(lower, dict) or frozenset(lower["IN"]) not in flags:
        return token
    flagged: dict[Any, Any] = {k: v for k, v in token.items() if k != "LOWER"}
    flagged[flags[frozenset(lower["IN"])]] = True
    return flagged


@dataclass(frozen=True)
class _Rule:
    category: str
    key: str
    requires: frozenset[int] | None  # hashes of the words one of which the sentence must have


@dataclass
class _Found:
    """A refusal phrase found in one sentence."""

    start: int  # character offsets in the answer
    end: int
    category: str
    sentence: tuple[int, int]


class _Engine:
    """The spaCy stage: the tokenizer of spacy.blank("en"), and Matchers built from the rules."""

    def __init__(self, rules: dict[str, Any]):
        import spacy

        self.nlp = spacy.blank("en")
        lists = rules["word_lists"]
        self.order = {c: i for i, c in enumerate(rules["category_order"])}
        patterns: list[tuple[str, list[dict[str, Any]]]] = []
        self.rules: dict[str, _Rule] = {}
        strings = self.nlp.vocab.strings
        self.by_word: dict[int, list[int]] = {}  # hash of an anchor word -> pattern indices
        self.required: list[list[frozenset[int]]] = []  # per pattern: word sets each match has one of
        for category, entries in rules["categories"].items():
            if category not in CATEGORIES:
                raise ValueError(f"unknown category {category} in the patterns file")
            for i, entry in enumerate(entries):
                spec = entry if isinstance(entry, dict) else {"pattern": entry}
                key = f"{category}:{i}"
                index = len(patterns)
                patterns.append((key, compile_pattern(spec["pattern"], lists)))
                requires = spec.get("requires")
                self.rules[key] = _Rule(
                    category, key, frozenset(strings.add(w) for w in lists[requires]) if requires else None
                )
                for word in pattern_anchor(spec["pattern"], lists):
                    self.by_word.setdefault(strings.add(word), []).append(index)
                self.required.append(
                    [frozenset(strings.add(w) for w in words) for words in required_words(spec["pattern"], lists)]
                )
        self.anchors = frozenset(self.by_word)
        self.deciding = frozenset().union(*(words for required in self.required for words in required))
        self._selected: dict[frozenset[int], frozenset[int]] = {}
        flags = _flag_word_sets(self.nlp.vocab, [tokens for _, tokens in patterns])
        self.patterns = [(key, [_flagged(token, flags) for token in tokens]) for key, tokens in patterns]
        self._matchers: dict[frozenset[int], Any] = {}

    def select(self, words: set[int]) -> frozenset[int]:
        """The patterns a sentence with ``words`` (hashes of its LOWERs) can match: those whose anchor
        and other required words it has. Cached by the words of the sentence that decide it."""
        deciding = self.deciding.intersection(words)
        indices = self._selected.get(deciding)
        if indices is None:
            if len(self._selected) > 65536:
                self._selected.clear()
            indices = self._selected[deciding] = frozenset(
                i
                for w in self.anchors.intersection(deciding)
                for i in self.by_word[w]
                if not any(required.isdisjoint(deciding) for required in self.required[i])
            )
        return indices

    def matcher(self, indices: frozenset[int]):
        """A Matcher with the patterns ``indices`` (cached: sentences share a few hundred sets)."""
        matcher = self._matchers.get(indices)
        if matcher is None:
            from spacy.matcher import Matcher

            if len(self._matchers) > 4096:
                self._matchers.clear()
            # not validated: spaCy's pattern schema does not know lexeme flags (tests check the
            # patterns before _flagged, and that flagged and plain ones match alike)
            matcher = self._matchers[indices] = Matcher(self.nlp.vocab, validate=False)
            for index in sorted(indices):
                key, tokens = self.patterns[index]
                matcher.add(key, [tokens])
        return matcher

    def phrases(self, doc, text: str, question_timing: bool) -> list[tuple[int, int, str]]:
        """The refusal phrases of one sentence (``doc`` of ``text``), overlaps resolved: (start, end,
        category), character offsets in the sentence."""
        words = {t.lower for t in doc}
        indices = self.select(words)
        if not indices:
            return []
        matches = self.matcher(indices)(doc)
        if not matches:
            return []
        low = text.lower()
        if (_procedural(low) and not _DEIXIS.search(low)) or _REPORTED.search(low):
            return []  # the sentence describes the cost limit, how questions are answered, or other answers
        sensitive = any(c in low for c in _SENSITIVE_CUES)
        strings = self.nlp.vocab.strings
        kept = []
        for match_id, start, end in matches:
            rule = self.rules[strings[match_id]]  # the Matcher reports the hash of the pattern's key
            if rule.category == "will_publish" and question_timing:
                continue
            if rule.requires is not None and rule.requires.isdisjoint(words):
                continue
            category = "other" if rule.category == "not_available" and sensitive else rule.category
            kept.append((start, end, category))
        # Overlapping (or touching) phrases of one category merge ("is not held" + "not held
        # centrally"); overlapping phrases of different categories resolve to the longer one ("not
        # held in the format requested" over "is not held"), then to the more specific.
        kept.sort(key=lambda k: (k[2], k[0], k[1]))
        merged: list[tuple[int, int, str]] = []
        for item in kept:
            if merged and merged[-1][2] == item[2] and item[0] <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], item[1]), item[2])
            else:
                merged.append(item)
        merged.sort(key=lambda k: (-(k[1] - k[0]), self.order[k[2]], k[0]))
        taken: set[int] = set()
        found = []
        for start, end, category in merged:
            if taken.isdisjoint(range(start, end)):
                taken.update(range(start, end))
                span = doc[start:end]
                found.append((span.start_char, span.end_char, category))
        return found


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    """The spaCy stage, built on first use (importing spaCy takes most of a second)."""
    return _Engine(RULES)


def _refusing_spans(answer: str, found: list[_Found]) -> list[tuple[int, int]]:
    """The parts of the answer that refuse: each refusing sentence up to its end, or up to a
    "but"/"however" after its last refusal phrase ("... does not record whether repairs are urgent,
    but it estimated the cost at £11.4 billion")."""
    spans = []
    for sentence in sorted({f.sentence for f in found}):
        last = max(f.end for f in found if f.sentence == sentence)
        contrast = _CONTRAST.search(answer, last, sentence[1])
        spans.append((sentence[0], contrast.start() if contrast is not None else sentence[1]))
    return spans


def _gives_figures(
    question: str | None,
    answer: str,
    answer_low: str,
    found: int,
    refusing: list[tuple[int, int]],
    sentence_spans: list[tuple[int, int]],
) -> bool:
    """Figures, or a pointer to published figures, outside the parts that refuse (cheapest test
    first). ``found``: the literals the answer contains (``_LITERALS.find``)."""

    def outside(pos: int) -> bool:
        return not any(a <= pos < b for a, b in refusing)

    if any(outside(p) for p in _DISCLOSURE.positions(answer_low, found)):
        return True
    if _data_question((question or "").lower()) and any(outside(p) for p in _POINTER.positions(answer_low, found)):
        return True
    if _DIGIT.search(answer_low) is None:
        return False
    for a, b in sentence_spans:
        if any(x <= a and b <= y for x, y in refusing):
            continue
        low = answer_low[a:b]
        if _DIGIT.search(low) is None:
            continue
        # a figure in a sentence about the cost limit (£600, £850) is not an answer
        if "cost limit" in low or "threshold" in low or _procedural(low):
            continue
        if any(outside(a + p) for p in figure_positions(answer[a:b], lower=low)):
            return True
    return False


def _classify_candidates(items: list[tuple[str | None, str, str, int]], engine: _Engine) -> list[tuple]:
    """For each (question, answer, answer_low, found) that passed the prefilter, the (label, category,
    phrase, start, end). spaCy runs on the sentences that pass the prefilter themselves."""
    spans = [sentences(answer) for _, answer, _, _ in items]
    timing = [question is not None and _QUESTION_TIMING.search(question.lower()) is not None for question, *_ in items]
    jobs: list[tuple[int, int, tuple[str, bool]]] = []  # (item index, sentence start, (sentence, timing))
    for i, (_, answer, answer_low, in_answer) in enumerate(items):
        for a, b in spans[i]:
            if _PREFILTER.search_part(answer_low[a:b], in_answer):
                jobs.append((i, a, (answer[a:b], timing[i])))
    # Answers repeat stock sentences ("The information requested is not held centrally."): each
    # distinct one of the batch is tokenized and matched once.
    distinct = list(dict.fromkeys(key for _, _, key in jobs))
    docs = engine.nlp.pipe([text for text, _ in distinct], batch_size=PIPE_BATCH_SIZE, n_process=1)
    phrases_of = {key: engine.phrases(doc, *key) for key, doc in zip(distinct, docs, strict=True)}
    found: list[list[_Found]] = [[] for _ in items]
    for i, offset, key in jobs:
        sentence = (offset, offset + len(key[0]))
        found[i].extend(_Found(offset + a, offset + b, category, sentence) for a, b, category in phrases_of[key])
    out = []
    for (question, answer, answer_low, in_answer), phrases, sentence_spans in zip(items, found, spans, strict=True):
        if not phrases:
            out.append((_plain_label(question, answer, answer_low, in_answer), None, None, None, None))
            continue
        # The first sentence that refuses decides; within it, the most specific category.
        first = min(f.sentence for f in phrases)
        chosen = min((f for f in phrases if f.sentence == first), key=lambda f: (engine.order[f.category], f.start))
        refusing = _refusing_spans(answer, phrases)
        partial = _gives_figures(question, answer, answer_low, in_answer, refusing, sentence_spans)
        label = "partial" if partial else "refusal"
        out.append((label, chosen.category, answer[chosen.start : chosen.end], chosen.start, chosen.end))
    return out


_OTHER_ROW = ("other", None, None, None, None)


def _classify_rows(pairs: list[tuple[str | None, str | None]]) -> list[tuple]:
    """(label, category, phrase, start, end) for each (question, answer): the cheap stage for all,
    the spaCy stage for the answers that pass the prefilter."""
    rows: list[tuple] = [_OTHER_ROW] * len(pairs)
    todo = [i for i, (_, answer) in enumerate(pairs) if answer and not answer.isspace()]
    lows = [pairs[i][1].lower() for i in todo]
    pending: list[int] = []
    items: list[tuple[str | None, str, str, int]] = []
    for i, answer_low, found in zip(todo, lows, _LITERALS.find(lows), strict=True):
        question, answer = pairs[i]
        if not _PREFILTER.search(answer_low, found) or _HOLDING.search(answer_low, found):
            label = _plain_label(question, answer, answer_low, found)
            if label != "other":
                rows[i] = (label, None, None, None, None)
        else:
            pending.append(i)
            items.append((question, answer, answer_low, found))
    if pending:
        for i, row in zip(pending, _classify_candidates(items, _engine()), strict=True):
            rows[i] = row
    return rows


def classify_many(pairs: Iterable[tuple[str | None, str | None]], *, subjects: str = "all") -> list[Classification]:
    """Classify (question_text, answer_text) pairs. ``subjects``: ``"all"`` extracts the subject and
    period for every answer, ``"refusals"`` only for refusals and partials (what ``classify_db`` does)."""
    pairs = list(pairs)
    results = [Classification(*row) for row in _classify_rows(pairs)]
    for (question, _), result in zip(pairs, results, strict=True):
        if subjects == "all" or result.label in ("refusal", "partial"):
            _add_subject(result, question)
    return results


def classify(question_text: str | None, answer_text: str | None) -> Classification:
    """Classify one answer: label, refusal category and phrase (with offsets into ``answer_text``),
    and the subject and period of the question."""
    return classify_many([(question_text, answer_text)])[0]


# --------------------------------------------------------------------------------------------
# The question: what information was asked for, and for what period

_PREAMBLE = re.compile(
    r"^\s*(?:to ask (?:(?:her|his) majesty'?s government\b\s*,?|the\b[^,]{0,160}?,)|asked by[^,]*,)\s*", re.I
)
_LEAD_DEPARTMENT = re.compile(rf"^[^;]{{0,90}}?,\s*(?={_QUESTION_WORD})", re.I)
_LEAD_CLAUSE = re.compile(
    r"^(?:pursuant to|with reference to|further to|following|in relation to|with regard to|in the light of|"
    rf"in light of|in the context of|in respect of|given)\b.*?,\s*(?={_QUESTION_WORD})",
    re.I | re.S,
)
_MEASURE = (
    r"(?:number|numbers|proportion|percentage|cost|costs|value|amount|level|rate|size|volume|spend|spending|"
    r"expenditure|budget|length|ratio|scale|extent)"
)
_QUALIFIER = (
    r"(?:total|annual|average|current|latest|estimated|median|mean|overall|weekly|monthly|likely|potential|"
    r"expected|additional)"
)
_HOLDS = r"(?:holds?|has|have|collects?|keeps?|publish(?:es)?|held)"
_DATA = r"(?:data|information|figures|statistics|records|evidence)"
_ABOUT = r"(?:on|about|of|relating to|in relation to)"
# How a question asks for information; what follows is its subject. The first that matches is used.
_FRAMES = [
    re.compile(p, re.I)
    for p in (
        r"^(?:how many|what number of)\s+(?:and what (?:proportion|percentage) of\s+)?",
        rf"^what (?:recent |comparative )?(?:estimate|assessment|analysis) (?:[\w'’]+ ){{1,5}}?(?:has|have|had) "
        rf"(?:made|carried out|undertaken) of (?:the )?(?:{_QUALIFIER} )?{_MEASURE} of\s+",
        rf"^what (?:(?:is|was|were|are|has been) )?(?:the )?(?:{_QUALIFIER} )?{_MEASURE} "
        r"(?:(?:is|was|were|are|has been) )?(?:of|on|for|to)\s+",
        rf"^what {_DATA} (?:[\w'’]+ ){{0,4}}?{_HOLDS} {_ABOUT} "
        r"(?:the (?:number|level|proportion|costs?|amount) of\s+)?",
        rf"^whether (?:[\w'’]+ ){{0,4}}?{_HOLDS} (?:any )?{_DATA} {_ABOUT} "
        r"(?:the (?:number|level|proportion|costs?|amount) of\s+)?",
        r"^what (?:proportion|percentage|share) of\s+",
        r"^how much\s+",
        r"^how (?:often|long)\s+",
        r"^(?:to publish|if (?:he|she|they) will publish|to list|if (?:he|she|they) will list|to place in the library|"
        r"to set out|if (?:he|she|they) will set out) (?:the |a |an )?(?:data|information|figures|statistics|details|"
        r"list|breakdown)? ?(?:on|of|for)? ?(?:the (?:number|level|cost) of\s+)?",
        r"^(?:what|whether) (?:(?:his|her|their|the) (?:department|government) )?(?:has |have )?(?:made )?(?:an? )?"
        r"(?:recent |comparative |further )?(?:assessment|estimate|analysis|evaluation)s? (?:[\w'’]+ ){0,5}?"
        r"(?:(?:has|have|had|been) )?(?:made|carried out|undertaken|conducted|been made)?\s*(?:of|on|into) (?:the )?"
        r"(?:(?:potential|likely) )?(?:(?:merits|effect|effects|impact|implications|level|extent) of )?",
        r"^(?:what|which|when|whether|if|why|where|who|for what reason|by what date|on what date)\s+",
    )
]
_ENUMERATOR = re.compile(r"\(\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})\s*\)\s*", re.I)
_AUXILIARY = re.compile(
    r"\b(?:(?:that|who|which) (?=(?:have|has|had) been|were|was|are|is)|there (?:have|has|had) been|"
    r"there (?:were|are|was|is|will be)|have been|has been|had been|will be|were|was|are|is|been|have|has|had)\b",
    re.I,
)
_AUXILIARY_LOWER = re.compile(_AUXILIARY.pattern)  # for lower-cased ASCII text
_TAIL = re.compile(
    r"(?:,?\s*(?:and )?(?:if|whether) (?:he|she|they) will make a statement.*|\s*;.*|,\s*and (?:what|how|whether|"
    r"which|if|when)\b.*|\s+and (?:what|how many|how much|whether|which|if)\b.*)$",
    re.I | re.S,
)
_BREAKDOWN = re.compile(
    r",?\s*(?:broken down )?by (?:\(a\)\s*)?(?:region|month|year|quarter|constituency|local authority|"
    r"ethnicity|age|gender|sex|nationality|offence|grade|category|type)\b[^,;]*,?",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_STOP = frozenset(RULES["stop_terms"])
_TERM_DF: dict[str, int] = RULES.get("term_df", {})


def _lemma(word: str) -> str:
    """A tiny plural-to-singular rule (no lookup tables): victims -> victim, bodies -> body."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "ics", "ous", "news")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("'s", "’s")):
        return word[:-1]
    return word.rstrip("'’s") if word.endswith(("'s", "’s")) else word


_QUESTION_WORD_I = re.compile(_QUESTION_WORD, re.I)


def _strip_question(question: str) -> str:
    """The question without "To ask the Secretary of State for ...," and leading "pursuant to ...," clauses."""
    text = _cut(_PREAMBLE, question.strip())
    for _ in range(2):
        if _QUESTION_WORD_I.match(text) is None:
            text = _cut(_LEAD_CLAUSE, text)
            if _QUESTION_WORD_I.match(text) is None:
                text = _cut(_LEAD_DEPARTMENT, text)
    return text.strip()


def _cut(start: re.Pattern[str], text: str) -> str:
    """``text`` without what ``start`` matches at its start (``sub`` would try every position)."""
    m = start.match(text)
    return text[m.end() :] if m is not None else text


def subject_terms(subject: str) -> list[str]:
    """Content words of ``subject`` as lower-case lemmas, most specific first: nouns before verbs in
    -ed ("confirmed", "referred"), then the rarer in real questions (``term_df``), then the longer."""
    terms: dict[str, int] = {}
    words = _WORD.findall(subject)
    for position, word in enumerate(words):
        low = word.lower().replace("’", "'")
        if low.endswith("'s"):
            low, word = low[:-2], word[:-2]
        if low in _STOP or len(low) < 2:
            continue
        proper = (word[0].isupper() and position > 0) or word.isupper()
        lemma = low if proper else _lemma(low)
        if lemma in _STOP or lemma in terms:
            continue
        terms[lemma] = position
    return sorted(terms, key=lambda t: (t.endswith("ed"), _TERM_DF.get(t, 0), -len(t), terms[t]))


def extract_subject(question_text: str | None) -> tuple[str | None, list[str]]:
    """What information the question asks for, as a phrase and as its content words."""
    return _question_parts(question_text)[:2]


def _question_parts(question_text: str | None) -> tuple[str | None, list[str], str | None, str | None, str | None]:
    """(subject, subject terms, period, period start, period end) of a question."""
    if not question_text or not question_text.strip():
        return None, [], None, None, None
    text = _strip_question(question_text)
    found = _find_period(text)
    period = _period_of(text, found)
    if found is not None:  # the subject is the question without its period ("in each year since 2015")
        text = text[: found.start] + " " + text[found.end :]
    text = text.split(";", 1)[0]
    for frame in _FRAMES:
        m = frame.match(text)
        if m is not None and m.end():
            text = text[m.end() :]
            break
    low = text.lower()
    if " and " in low or "statement" in low:
        text = _TAIL.sub("", text)
    if "(" in text:
        text = _ENUMERATOR.sub("", text)
    if "by " in low:
        text = _BREAKDOWN.sub(" ", text)
    text = _without_leading_article(_without_auxiliaries(text).strip())
    text = _tidy(text)
    terms = subject_terms(text)
    if len(text) > SUBJECT_LENGTH:
        text = text[:SUBJECT_LENGTH].rsplit(" ", 1)[0]
    if _may_end_in_short_word(text):
        text = _TRAILING_WORDS.sub("", text)
    text = text.strip(" ,;:-")
    return (text or None), terms, *period


def _without_auxiliaries(text: str) -> str:
    """``_AUXILIARY.sub(" ", text)``. In ASCII text the same matches are found case-sensitively in
    its lower-cased copy (same offsets), twice as fast as case-folding every alternative."""
    if not text.isascii():
        return _AUXILIARY.sub(" ", text)
    kept, last = [], 0
    for m in _AUXILIARY_LOWER.finditer(text.lower()):
        kept.append(text[last : m.start()])
        last = m.end()
    kept.append(text[last:])
    return " ".join(kept)


def _without_leading_article(text: str) -> str:
    """``_LEADING_ARTICLE.sub("", text)``: in ASCII text without "number", only its start can match."""
    if text.isascii() and "number" not in text.lower():
        return _cut(_LEADING_ARTICLE, text)
    return _LEADING_ARTICLE.sub("", text)


def _tidy(text: str) -> str:
    """``text`` with single spaces, none before punctuation, and no punctuation at either end."""
    text = " ".join(text.split())  # str.split and the regex \s agree on what white space is
    if any(mark in text for mark in ",.;:)"):
        text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return text.strip(" ,.;:-")


def _may_end_in_short_word(text: str) -> bool:
    """Whether _TRAILING_WORDS can match ``text`` (which it is slow to rule out): one of its short
    words after white space, at the end or before a final newline."""
    tail = text[:-1] if text.endswith("\n") else text
    return any(ch.isspace() for ch in tail[-1 - _LONGEST_TRAILING_WORD :])


# anywhere but at the start, only "number of" matches (which _without_leading_article relies on)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an|of)\s+|\b(?:the )?number of\s+", re.I)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:)])")
_TRAILING = ("in", "on", "for", "of", "by", "to", "and", "from", "at", "with", "the", "a", "an", "or")
_TRAILING_WORDS = re.compile(rf"(?:\s+(?:{'|'.join(_TRAILING)}))+$", re.I)
_LONGEST_TRAILING_WORD = max(map(len, _TRAILING))


_MONTH = "|".join(_MONTHS)
_YEAR = r"(?:19|20)[0-9]{2}"
_FY = rf"{_YEAR}\s?[-/–]\s?(?:{_YEAR}|[0-9]{{2}})(?![0-9])"
_DAY = rf"[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\s+{_YEAR}"
_MONTH_YEAR = rf"(?:{_MONTH})\s+{_YEAR}"
_POINT_RE = re.compile(rf"(?<![\d/-])(?:{_DAY}|{_MONTH_YEAR}|{_FY}|{_YEAR})(?![\d/])")
_ENUM = r"(?:\(\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})\s*\)\s*)?"
_KIND = r"(?:financial|academic|calendar|tax|school|fiscal)"
# What comes just before a point (matched against the lower-cased text before it)
_BEFORE_RANGE = re.compile(rf"\b(?:between|from)\s+{_ENUM}$")
_BEFORE_SINCE = re.compile(
    rf"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?:the\s+)?(?:{_KIND}\s+years?\s+)?{_ENUM}$"
)
_BEFORE_IN = re.compile(
    rf"\b(?:in|during|for)\s+(?:(?:each|every)\s+(?:month|quarter|week)\s+of\s+)?(?:the\s+)?(?:{_KIND}\s+years?\s+)?"
    rf"{_ENUM}$"
)
# What joins two points
_JOIN_RANGE = re.compile(rf"\s*,?\s*(?:and|to|until|till|-|–)\s+{_ENUM}")
_JOIN_TO = re.compile(rf"\s+(?:to|until|-|–)\s+{_ENUM}")
_JOIN_LIST = re.compile(rf"\s*(?:,|and|or)\s*(?:and\s+)?{_ENUM}")
_AFTER_KIND = re.compile(rf"\s+{_KIND}\s+years?\b")
# "in each year" and the like, before a period: removed from the subject with it
_LEAD = re.compile(
    r"(?:(?:in|for|during)\s+(?:each|every)\s+(?:(?:financial|calendar|academic)\s+)?(?:year|month|quarter|week)\s+"
    r"|(?:in|for)\s+(?:each\s+of\s+)?the\s+(?:\w+\s+)?(?:years?|months?)\s+)$"
)
_RELATIVE = re.compile(
    r"(?:(?:in|over|during|for)\s+)?(?:(?:each|every)\s+(?:of\s+)?)?(?:the\s+)?(?:last|past|previous|preceding)\s+"
    r"(?:(?:\w+|\d+)\s+){0,3}?(?:(?:financial|calendar|academic)\s+)?(?:years?|months?|weeks?|days?|quarters?|"
    r"decades?)\b|(?:in|for)\s+the\s+(?:most\s+recent|latest)\s+(?:\w+\s+){0,2}?(?:year|period|quarter|month)s?\s+"
    r"for\s+which\s+(?:figures|data|information|statistics)\s+(?:are|is)\s+available"
)
_RELATIVE_GATES = ("last ", "past ", "previous ", "preceding ", "most recent", "latest ")


@dataclass
class _Period:
    start: int  # in the text, including a lead such as "in each year"
    end: int
    core_start: int  # the period as reported: "since 2015"
    kind: str  # range, since, list, relative
    points: list[str]


def _find_period(text: str) -> _Period | None:
    """The first period expression in ``text`` (a question without its preamble)."""
    low = text.lower()
    points = [(m.start(), m.end()) for m in _POINT_RE.finditer(low)] if _DIGIT.search(low) else []
    found: _Period | None = None
    for i, (start, end) in enumerate(points):
        before = low[max(0, start - 80) : start]
        following = points[i + 1] if i + 1 < len(points) else None
        m = _BEFORE_RANGE.search(before)
        if m is not None and following and _JOIN_RANGE.fullmatch(low, end, following[0]):
            found = _Period(start - len(before) + m.start(), following[1], 0, "range", [])
            found.points = [low[start:end], low[following[0] : following[1]]]
        elif following and _JOIN_TO.fullmatch(low, end, following[0]):
            found = _Period(start, following[1], 0, "range", [low[start:end], low[following[0] : following[1]]])
        elif (m := _BEFORE_SINCE.search(before)) is not None:
            found = _Period(start - len(before) + m.start(), end, 0, "since", [low[start:end]])
        elif (m := _BEFORE_IN.search(before)) is not None:
            found = _Period(start - len(before) + m.start(), end, 0, "list", [low[start:end]])
            for later_start, later_end in points[i + 1 :]:
                if not _JOIN_LIST.fullmatch(low, found.end, later_start):
                    break
                found.end = later_end
                found.points.append(low[later_start:later_end])
        else:
            continue
        kind = _AFTER_KIND.match(low, found.end)
        if kind is not None:
            found.end = kind.end()
        break
    relative = min((low.find(g) for g in _RELATIVE_GATES if g in low), default=-1)
    if relative >= 0 and (found is None or relative < found.start):
        m = _RELATIVE.search(low, max(0, relative - 40))
        if m is not None and (found is None or m.start() < found.start):
            found = _Period(m.start(), m.end(), 0, "relative", [])
    if found is None:
        return None
    found.core_start = found.start
    lead = _LEAD.search(low, max(0, found.start - 60), found.start)
    if lead is not None:
        found.start = lead.start()
    return found


def _point_bounds(point: str, context: str) -> tuple[str, str]:
    """First and last day of a period point: a year, a financial or academic year, a month, a day."""
    point = point.strip()
    m = re.fullmatch(rf"([0-9]{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\s+({_YEAR})", point, re.I)
    if m:
        year, month, day = int(m.group(3)), _MONTHS.index(m.group(2).lower()) + 1, int(m.group(1))
        if 1 <= day <= calendar.monthrange(year, month)[1]:
            return f"{year:04d}-{month:02d}-{day:02d}", f"{year:04d}-{month:02d}-{day:02d}"
        point = f"{m.group(2)} {m.group(3)}"  # no such day (31 February): the month
    m = re.fullmatch(rf"({_MONTH})\s+({_YEAR})", point, re.I)
    if m:
        year, month = int(m.group(2)), _MONTHS.index(m.group(1).lower()) + 1
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    m = re.fullmatch(rf"({_YEAR})\s?[-/–]\s?({_YEAR}|[0-9]{{2}})", point)
    if m:
        first = int(m.group(1))
        second = int(m.group(2)) if len(m.group(2)) == 4 else first // 100 * 100 + int(m.group(2))
        if second == first + 1:
            if "academic" in context.lower() or "school" in context.lower():
                return f"{first}-09-01", f"{second}-08-31"
            return f"{first}-04-01", f"{second}-03-31"
        return f"{first}-01-01", f"{second}-12-31"
    year = int(point)
    return f"{year}-01-01", f"{year}-12-31"


def extract_period(question_text: str | None) -> tuple[str | None, str | None, str | None]:
    """The period the question asks about: (text as written, first day, last day); the days are
    None when they cannot be derived (relative periods such as "in each of the last five years")."""
    return _question_parts(question_text)[2:]


def _period_of(text: str, found: _Period | None) -> tuple[str | None, str | None, str | None]:
    if found is None:
        return None, None, None
    core = text[found.core_start : found.end].strip()
    if found.kind == "relative":
        return core, None, None
    if found.kind == "range":
        return core, _point_bounds(found.points[0], core)[0], _point_bounds(found.points[1], core)[1]
    if found.kind == "since":
        return core, _point_bounds(found.points[0], core)[0], None
    bounds = [_point_bounds(p, core) for p in found.points]
    return core, min(b[0] for b in bounds), max(b[1] for b in bounds)


def _add_subject(result: Classification, question: str | None) -> None:
    (result.subject, result.subject_terms, result.period, result.period_start, result.period_end) = _question_parts(
        question
    )


# --------------------------------------------------------------------------------------------
# The database

_REFUSAL_COLUMNS = (
    "question_id", "label", "category", "phrase", "phrase_start", "phrase_end", "subject", "subject_terms",
    "period", "period_start", "period_end", "classifier_version", "classified_at",
)  # fmt: skip
_ROWS_PER_INSERT = 256


def _write_refusals(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Upsert ``rows`` (tuples in ``_REFUSAL_COLUMNS`` order) as ``db.upsert_rows`` would, but many
    rows to a statement and no dict per row: a quarter of the cost of ``executemany``."""
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(_REFUSAL_COLUMNS)
    per = max(1, min(_ROWS_PER_INSERT, limit))
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        conn.execute(_upsert_refusals_sql(len(chunk)), [value for row in chunk for value in row])


@lru_cache(maxsize=8)
def _upsert_refusals_sql(n_rows: int) -> str:
    """upsert_rows' statement for refusals, with ``n_rows`` rows of values."""
    values = ", ".join([f"({', '.join('?' * len(_REFUSAL_COLUMNS))})"] * n_rows)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _REFUSAL_COLUMNS[1:])
    return (
        f"INSERT INTO refusals ({', '.join(_REFUSAL_COLUMNS)}) VALUES {values} "
        f"ON CONFLICT(question_id) DO UPDATE SET {updates}"
    )


_SUBSTANTIVE = (
    "COALESCE(q.answer_status IN ('answered', 'corrected') AND q.answer_text IS NOT NULL AND q.answer_text != '', 0)"
)
# Needs (re)classifying: no row yet, a row from another classifier version, or the question was
# fetched again since (a corrected answer).
_NEEDS = "COALESCE(r.question_id IS NULL OR r.classifier_version IS NOT :version OR q.fetched_at > r.classified_at, 0)"


def classify_db(db, *, progress=None, force: bool = False, batch_size: int = BATCH_SIZE) -> ClassifyStats:
    """Classify every substantive answer (status answered or corrected, with text) that the current
    ``CLASSIFIER_VERSION`` has not classified yet (every one with ``force``), and write its
    ``refusals`` row (as ``upsert_rows`` would), one transaction per batch of ``batch_size``. An answer
    fetched again after it was classified is classified again. Holding and unanswered questions are
    skipped (and the row of a question that no longer has a substantive answer is removed).
    Subject and period are filled for refusals and partials (the rows the matcher pairs) and left
    NULL for disclosures and others, which keeps a whole database at tens of thousands a second.
    """
    began = time.perf_counter()
    version = CLASSIFIER_VERSION
    stats = ClassifyStats()
    params = {"version": version}
    needs = "1" if force else _NEEDS
    # Counted in two parts, as joining every question to refusals costs twice as much: substantive
    # or not from the questions, up to date or stale from the refusals rows.
    skipped, substantive = db.execute(
        f"SELECT COALESCE(SUM(NOT s), 0), COALESCE(SUM(s), 0) FROM (SELECT {_SUBSTANTIVE} AS s FROM questions q)"
    ).fetchone()
    up_to_date, stale = db.execute(
        f"SELECT COALESCE(SUM(s AND NOT n), 0), COALESCE(SUM(NOT s), 0) FROM (SELECT {_SUBSTANTIVE} AS s, "
        f"{needs} AS n FROM refusals r JOIN questions q ON q.id = r.question_id)",
        params,
    ).fetchone()
    todo = substantive - up_to_date
    stats.skipped, stats.up_to_date = skipped, up_to_date
    if progress is not None:
        progress.start("Classifying answers", todo)
    sql = (
        "SELECT q.id, q.question_text, q.answer_text FROM questions q LEFT JOIN refusals r ON r.question_id = q.id "
        f"WHERE q.id > :after AND {_SUBSTANTIVE} AND {needs} ORDER BY q.id LIMIT :limit"
    )
    after = -(2**63)
    by_label: Counter[str] = Counter()
    while True:
        rows = db.execute(sql, {**params, "after": after, "limit": batch_size}).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        results = _classify_rows([(q, a) for _, q, a in rows])
        by_label.update(result[0] for result in results)
        stamp = now_iso()
        out = []
        for (question_id, question, _), result in zip(rows, results, strict=True):
            if result[0] == "refusal" or result[0] == "partial":
                subject, terms, *period = _question_parts(question)
                terms_json = json.dumps(terms) if subject is not None else None
                out.append((question_id, *result, subject, terms_json, *period, version, stamp))
            else:
                out.append((question_id, *result, None, None, None, None, None, version, stamp))
        with write_transaction(db):
            _write_refusals(db.conn, out)
        stats.read += len(rows)
        stats.classified += len(out)
        if progress is not None:
            progress.advance(len(rows))
    if stale:
        with write_transaction(db):
            stats.removed = db.execute(
                "DELETE FROM refusals WHERE question_id IN (SELECT r.question_id FROM refusals r "
                f"JOIN questions q ON q.id = r.question_id WHERE NOT ({_SUBSTANTIVE}))"
            ).rowcount
    if progress is not None:
        progress.finish()
    stats.by_label = dict(sorted(by_label.items()))
    stats.seconds = time.perf_counter() - began
    return stats
