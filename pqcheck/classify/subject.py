"""The question: whether it asks for figures or facts, what information it asks for (the subject,
as a phrase and as its content words, most specific first) and for what period.

The subject is the question without its preamble ("To ask the Secretary of State for ...,"), its
lead clauses ("pursuant to ..."), its period, the frame that asks ("how many", "what estimate ...
has been made of the number of"), its tail ("and if he will make a statement"), enumerators and
breakdowns ("by region"), auxiliaries and leading articles. Its terms are lower-case lemmas (a tiny
plural rule), stop terms left out, ranked by ``term_df`` of the patterns file.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..periods import find_period, period_of
from .rules import RULES

SUBJECT_LENGTH = 200  # longest subject text stored (its terms come from the whole of it)

_DATA_QUESTION = re.compile(RULES["data_question"], re.ASCII)
_DATA_QUESTION_ANYWHERE = tuple(RULES["data_question_anywhere"])

_QUESTION_WORD = (
    r"(?:what|how|whether|if|which|when|why|where|who|for what|by what|on what|with what|to publish|to list|"
    r"to place|to make|to set out|to provide)\b"
)
_ASK = re.compile(r"^to ask (?:(?:her|his) majesty'?s government\s*,?\s*|the [^,]*,\s*)")
_QUESTION_START = re.compile(_QUESTION_WORD)
_AFTER_COMMA = re.compile(rf", (?={_QUESTION_WORD})")
WHEN_QUESTION = re.compile(r"^(?:when|on what date|by what date|what date|what (?:the )?(?:timetable|timescale))\b")


def question_body(question_low: str) -> str:
    """The lower-cased question without "to ask the Secretary of State for ...," or historic
    Hansard's "asked the Secretary of State for ..." (cheap)."""
    if not question_low.startswith("to ask"):
        if question_low.startswith("asked "):
            start = _asked_from(question_low)
            if start is not None:
                return question_low[start:]
        return question_low
    start = _asked_from(question_low)
    if start is not None:
        return question_low[start:]
    body = _cut(_ASK, question_low)
    if _QUESTION_START.match(body) is None:
        m = _AFTER_COMMA.search(body, 0, 200)
        if m is not None:
            body = body[m.end() :]
    return body


# "To ask the Secretary of State for Culture, Media and Sport how many", "Mr. Smith asked the
# Secretary of State for the Home Department what": the question starts at its first question word
# (a department's name holds none; commas in it, or none after it, say nothing).
_ASKED = re.compile(r"(?:^|\b)(?:to ask|asked)\b", re.I)
_FIRST_QUESTION_WORD = re.compile(rf"\b{_QUESTION_WORD}", re.I)
PREAMBLE_REACH = 200  # characters after "to ask" within which the question word is looked for


def _asked_from(text: str) -> int | None:
    """Where the question itself starts in a text that opens "To ask ..." or "... asked the ...":
    its first question word after the asking (None when there is none within ``PREAMBLE_REACH``)."""
    asked = _ASKED.search(text, 0, 120)
    if asked is None:
        return None
    word = _FIRST_QUESTION_WORD.search(text, asked.end(), asked.end() + PREAMBLE_REACH)
    return word.start() if word is not None else None


def asks_for_data(question_low: str) -> bool:
    """The (lower-cased) question asks for figures or facts (how many, how much, what proportion, when ...)."""
    return bool(question_low) and is_data_body(question_body(question_low))


def is_data_body(body: str) -> bool:
    """``asks_for_data`` of a question's ``question_body``."""
    return _DATA_QUESTION.match(body) is not None or any(map(body.__contains__, _DATA_QUESTION_ANYWHERE))


# --------------------------------------------------------------------------------------------
# What information was asked for, and for what period

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
_REFERENCE_AT_END = re.compile(r"\s*[\[(]\s*(?:HL\s?)?\d{1,7}\s*[\])]\s*$", re.I)
_OF_THOSE = re.compile(
    r"(?:^|,\s*)of (?:those|these|the) (?P<who>[^;?]{3,200}?),\s*(?P<ask>how many|what proportion|what percentage|"
    r"what number)\b(?P<rest>.*)",
    re.I | re.S,
)


def _strip_question(question: str) -> str:
    """The question without "To ask the Secretary of State for ...," and leading "pursuant to ...,"
    clauses and a closing reference ("[83785]", "(244708)"); "of those X, how many ..." read as "how
    many X ..." (the clause holds the subject)."""
    text = question.strip()
    if text.endswith(("]", ")")):
        text = _REFERENCE_AT_END.sub("", text)
    if "of th" in text.lower():
        those = _OF_THOSE.search(text)
        if those is not None:
            return f"{those['ask']} {those['who']} {those['rest']}".strip()
    start = _asked_from(text)
    text = text[start:] if start is not None else _cut(_PREAMBLE, text)
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
    -ed ("confirmed", "referred") and in -ing with an object ("selecting the 49 cases", not "victims
    of trafficking"), then the rarer in real questions (``term_df``), then the longer."""
    terms: dict[str, int] = {}
    verbs: set[str] = set()
    words = _WORD.findall(subject)
    for position, word in enumerate(words):
        lemma = _term(word, position == 0)
        if lemma is None:
            continue
        terms.setdefault(lemma, position)
        if lemma.endswith("ed") or (
            lemma.endswith("ing") and position + 1 < len(words) and words[position + 1].lower() in _OBJECT_START
        ):
            verbs.add(lemma)
    return sorted(terms, key=lambda t: (t in verbs, _TERM_DF.get(t, 0), -len(t), terms[t]))


# The first word of a verb's object ("selecting the cases", "housing them"): an -ing word before it is a verb
# (not "that", "this" or "each", which start a clause or a time after a noun: "funding that has been allocated").
_OBJECT_START = frozenset(["the", "a", "an", "their", "his", "her", "its", "them", "it", "such"])


@lru_cache(maxsize=65536)
def _term(word: str, first: bool) -> str | None:
    """The term of one word of a subject (None: a stop term or a single letter); ``first``: the
    subject's first word, which a capital does not make a proper noun. Cached: words repeat."""
    low = word.lower().replace("’", "'")
    if low.endswith("'s"):
        low, word = low[:-2], word[:-2]
    if low in _STOP or len(low) < 2:
        return None
    proper = (word[0].isupper() and not first) or word.isupper()
    lemma = low if proper else _lemma(low)
    return None if lemma in _STOP else lemma


def extract_subject(question_text: str | None) -> tuple[str | None, list[str]]:
    """What information the question asks for, as a phrase and as its content words."""
    return question_parts(question_text)[:2]


@lru_cache(maxsize=4096)
def question_terms(question: str | None) -> frozenset[str]:
    """The subject terms of a question, as a set (cached: a batch repeats questions)."""
    return frozenset(extract_subject(question)[1])


def question_parts(question_text: str | None) -> tuple[str | None, list[str], str | None, str | None, str | None]:
    """(subject, subject terms, period, period start, period end) of a question."""
    if not question_text or not question_text.strip():
        return None, [], None, None, None
    text = _strip_question(question_text)
    found = find_period(text)
    period = period_of(text, found)
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
        text = _without_tail(text)
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


# Every match of _TAIL has one of these, after at most a comma and white space.
_TAIL_CORES = ("and", "if", "whether", ";")


def _without_tail(text: str) -> str:
    """``_TAIL.sub("", text)``. In ASCII text no match starts before the white space and comma in
    front of the first of ``_TAIL_CORES`` (in any case), so the search starts there instead of
    trying the pattern at every position; a match runs to the end of the text."""
    if not text.isascii():
        return _TAIL.sub("", text)
    low = text.lower()
    start = min((at for at in map(low.find, _TAIL_CORES) if at >= 0), default=-1)
    if start < 0:
        return text
    while start > 0 and text[start - 1].isspace():
        start -= 1
    if start > 0 and text[start - 1] == ",":
        start -= 1
    m = _TAIL.search(text, start)
    return text[: m.start()] if m is not None else text


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


def extract_period(question_text: str | None) -> tuple[str | None, str | None, str | None]:
    """The period the question asks about: (text as written, first day, last day); the days are
    None when they cannot be derived (relative periods such as "in each of the last five years")."""
    return question_parts(question_text)[2:]
