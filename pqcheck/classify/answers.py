"""What an answer's text holds, read without the patterns: its sentences, its figures (counts,
amounts, percentages; not years, dates, references or the numbers in links), and the numbers in
words and dates that answer "how many" and "when" questions."""

from __future__ import annotations

import re

from ..periods import MONTHS

# Sentences: a stop (and closing quotes) followed by spaces and a capital, digit or opening quote,
# a stop run straight into a capital (HTML stripping joins paragraphs: "centrally.The"), or a line
# break. A semicolon does not end one. Found with str.find, several times faster than a regex here.
_SENTENCE_OPEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789“\"‘'(£")
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CLOSING = frozenset("\"'”’)")
# Stops that end an abbreviation, not a sentence ("(e.g. London Borough level) are not held").
_ABBREVIATIONS = frozenset(("e.g", "i.e", "eg", "ie", "viz", "cf", "mr", "mrs", "ms", "dr", "rt", "hon", "approx"))


def _soft_wrap(text: str, pos: int) -> bool:
    """The line break at ``pos`` wraps a sentence: a lower-case letter or a comma before it, a lower-case
    letter after it (a copy of a page or a PDF with its lines kept)."""
    before = text[pos - 1] if pos > 0 else ""
    after = text[pos + 1] if pos + 1 < len(text) else ""
    return (before.islower() or before == ",") and after.islower()


def _abbreviation(text: str, pos: int) -> bool:
    """The stop at ``pos`` ends an abbreviation of ``_ABBREVIATIONS``."""
    start = pos
    while start > 0 and pos - start < 7 and not text[start - 1].isspace() and text[start - 1] not in '("“‘':
        start -= 1
    return text[start:pos].lower() in _ABBREVIATIONS


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
            if _soft_wrap(text, pos):  # a copy wrapped mid-sentence ("not available\nseparated by")
                continue
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
            if after < n and text[after] in _SENTENCE_OPEN and not _abbreviation(text, pos):
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
        "columns",
        "col",
        "cols",
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
        "quarter",
        "week",
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
# ... of them, those whose numbers come in parts ("paragraph 5.13", "Table 1.2"): a decimal after any other
# ("in the last year 4.2 days were lost") is a figure
_NUMBERED_IN_PARTS = frozenset(
    [
        "paragraph", "paragraphs", "para", "section", "sections", "table", "tables", "chapter", "annex", "appendix",
        "page", "pages", "schedule", "article", "regulation", "regulations", "clause", "part", "rule", "version",
        "recommendation", "recommendations", "question", "questions",
    ]
)  # fmt: skip

_MONTH_WORDS = frozenset(MONTHS)
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


DIGIT = re.compile(r"[0-9]")
_CLEAR_MARKERS = ("£", "%", "$", "€")


def figure_positions(text: str, *, first: bool = False, lower: str | None = None) -> list[int]:
    """Character offsets of the figures in ``text``: counts, amounts, percentages; not years,
    dates, references to questions, sections or tables, codes, or the numbers inside links.
    ``first``: stop at the first one; ``lower``: ``text.lower()`` when the caller has it."""
    if DIGIT.search(text) is None:
        return []
    if lower is None or len(lower) != len(text):
        lower = text.lower()
    linked = "http" in lower or "www." in lower or ".uk" in lower
    if first and not linked:
        for marker in _CLEAR_MARKERS:  # an amount or a percentage: "£2.4 million", "45%"
            pos = lower.find(marker)
            if pos >= 0:
                digit = pos + len(marker) if marker in "£$€" else pos - 1
                if digit >= 0 and DIGIT.match(lower, digit):
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
        if not (cur or unit or "," in num):
            before = lower[max(0, start - 24) : start]
            word = _WORD_BEFORE.search(before)
            said = word.group(1) if word is not None else ""
            if said in (_NUMBERED_IN_PARTS if "." in num else _REFERENCE_WORDS):
                continue  # a reference ("section 75"), numbered in parts too ("paragraph 5.13", "table 2.1")
            if "." not in num:  # a whole number: a year, a month's day, an enumerator, a date, a duration?
                if len(num) == 4 and 1800 <= int(num) <= 2100:  # a year (or the first year of 2019-20)
                    continue
                if said in _MONTH_WORDS:
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


WORD_NUMBER = re.compile(
    r" (?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|dozens?|none)\b"
)
ANSWER_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)? (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december) "
    r"(?:19|20)\d\d\b|\b(?:in|by) (?:the )?(?:early |late )?(?:spring|summer|autumn|winter)\b|\bweek (?:beginning|"
    r"commencing)\b"
)
