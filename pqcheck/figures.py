"""Figures a document discloses: the numbers in its table rows and sentences, with their context.

``find_figures(text)`` returns a :class:`Figure` for each number that reads as a disclosed count,
amount or rate: ``1,234``, ``507``, ``12.5%``, ``12.5 per cent``, ``£4.3 million``, ``£600k``,
and suppressed small numbers. A figure on a table row (a line with `` | `` cells, as the
extractors write them, or a line of whitespace-aligned columns) has ``kind="table"`` and the row
as ``context`` (and the table's header row as ``header`` when there is one); any other figure has
``kind="sentence"`` and its sentence as ``context``. ``start``/``end`` are offsets into ``text``.

Precision matters more than recall: these are shown as evidence. So the following are never
reported:

- dates (``24 April 2019``, ``24/04/2019``, ``2019-04-24``, ``April 2019``, ``31-Dec-2018``) and
  years: a bare 1900-2099 number without a thousands comma, in a sentence, as a table header or
  row label, or as a period (``2019/20``, ``2016-2018``); times (``10:30``, ``2pm``);
- reference numbers (``FOI 52658``, ``Our ref: 54439``, ``reference 60222``, ``case ref 57067``),
  and any other bare occurrence of a number seen as a reference (``52658 Reply``);
- postcodes and the short (address) lines carrying them, street numbers, phone numbers, numbers
  in URLs and email addresses;
- labelled numbers: sections of Acts (``section 12(1)``, ``s.40(2)``, ``sections 27, 31 and 40``),
  ``Table 1``, ``Annex 2``, ``page 3 of 5``, ``paragraph 4``, ``question 2``, ``Tier 4`` ...;
- list markers (``1.``, ``2)``, ``(3)``, ``3.1``) and page-number lines;
- periods (``the 12 months to June``, ``the last 3 years``), ages and age bands (``aged 18``,
  ``18-24``, ``65+``), ranges (``10-20``);
- numbers glued to letters (``HL14852``, ``Q1``, ``COVID-19``, ``1st``) or with a leading zero
  (``0300``);
- numbers in a table row's first cell when the row has other figures (row labels);
- numbers in the fixed sentences of FOI letters about the cost limit, deadlines and complaints
  (``£600``, ``£25 per hour``, ``20 working days``) or about how figures were suppressed or
  rounded (``figures of fewer than 5 are suppressed``, ``* denotes fewer than 5``).

Numbers written in words are out of scope.

Suppressed small numbers (``fewer than 5``, ``less than 10``, ``<5``) are kept: ``value`` is the
bound (5.0), ``text`` the whole phrase, and ``qualifier="<"`` (``suppressed`` is True). ``more
than``/``at least`` bounds get ``">"``, and ``approximately``/``around`` ones ``"~"``.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

__all__ = ["Figure", "find_figures"]


@dataclass(frozen=True)
class Figure:
    value: float
    text: str  # the figure as written, e.g. "£4.3 million", "fewer than 5"
    start: int  # offsets of ``text`` in the searched text
    end: int
    kind: str  # "table" or "sentence"
    context: str  # the table row (cells joined with " | ") or the sentence
    qualifier: str | None = None  # "<" (fewer than: a suppressed small number), ">" (more than), "~" (about)
    unit: str | None = None  # "%", "£", "$", "€", or None for a count
    header: str | None = None  # for a table figure, the header row of its table when there is one

    @property
    def suppressed(self) -> bool:
        """A disclosure-control bound such as "fewer than 5": the true number is below ``value``."""
        return self.qualifier == "<"


# --- building blocks ---------------------------------------------------------------------------

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_FORMS = sorted(
    {form for name in _MONTHS for form in (name, name.upper(), name[:3], name[:3].upper())} | {"Sept", "SEPT"},
    key=len,
    reverse=True,
)
MONTH = r"(?:" + "|".join(_MONTH_FORMS) + r")\b\.?"
YEAR4 = r"(?:1[89]|20)\d\d"
ORD = r"(?:st|nd|rd|th)?"

_QUALIFIERS = {
    "<": r"fewer\s+than|less\s+than|lower\s+than|<\s*=?|≤",
    ">": r"more\s+than|greater\s+than|in\s+excess\s+of|at\s+least|>\s*=?|≥",
    "~": r"approximately|approx\.?|around|about|roughly|circa|an\s+estimated|estimated",
}
_QUAL_GROUPS = "|".join(f"(?P<q{i}>{pattern})" for i, pattern in enumerate(_QUALIFIERS.values()))
_QUAL_SIGNS = list(_QUALIFIERS)

NUMBER = re.compile(
    rf"(?:(?<![\w-])(?:{_QUAL_GROUPS})\s*)?"
    r"(?P<cur>[£$€]\s?)?"
    r"(?<![\w.,/:#\-–+])"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<scale>\s?(?:million|billion|thousand)\b|(?:m|bn|k)\b)?"
    r"(?P<pct>\s?%|\s?per\s?cent\b|\s?percent\b)?"
    r"(?![^\W¹²³⁴⁵⁶⁷⁸⁹⁰]|\+|[.,]\d|[/:]\d|[-–]\w|\(\w)",  # a footnote mark like 507¹ is fine
    re.IGNORECASE,
)
SCALES = {"million": 1e6, "billion": 1e9, "thousand": 1e3, "m": 1e6, "bn": 1e9, "k": 1e3}

# Spans whose digits are never figures.
_BLOCK_PATTERNS = [
    # URLs and email addresses
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    # dates with month names: 24 April 2019, 24th of April, 31-Dec-2018, April 24, 2019, April 2019, Apr-19
    rf"\b\d{{1,2}}{ORD}(?:\s+|\s*[-/.]\s*)(?:of\s+)?{MONTH}"
    rf"(?:(?:\s+|,\s*)\[?{YEAR4}\b\]?|\s*[-/.]\s*\[?(?:{YEAR4}|\d\d)\b\]?)?",
    rf"\b{MONTH}\s+\d{{1,2}}{ORD}\b(?:,?\s+{YEAR4}\b)?",
    rf"\b{MONTH}(?:,?\s+{YEAR4}\b|\s*[-/]\s*['’]?\d\d\b|\s+['’]\d\d\b)",
    # numeric dates: 24/04/2019, 24.4.19, 2019-04-24, 04/2019
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d\d)\b",
    r"\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b",
    r"\b\d{1,2}/\d{4}\b",
    # years as periods: 2019/20, 2019-20, 2016–2018, 2016 to 2018, FY2019/20
    rf"\b{YEAR4}\s*(?:/|-|–|—|to)\s*(?:{YEAR4}|\d\d)\b",
    # Acts and instruments by year, however old: Act 1971, Regulations 2004
    r"\b(?:Act|Acts|Regulations|Order|Rules|Measure)\s+\d{4}\b",
    # times: 10:30, 10.30am, 2 pm, 1300 hrs
    r"\b\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\b\.?|hrs\b|hours\b)",
    r"\b\d{1,2}:\d\d(?::\d\d)?\b",
    r"\b\d{1,2}\s*[ap]\.?m\b\.?",
    r"\b\d{4}\s*hrs\b",
    # phone numbers: 020 7035 4848, 0300 123 1234, +44 (0)20 7035 4848, Tel: 01234 567890
    r"(?:(?:\+|\b00)44\s?(?:\(0\)\s?)?|\(?\b0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b",
    r"\b(?:tel|telephone|phone|fax|mobile|textphone|minicom)\b\.?(?:\s*(?:no\.?|number))?\s*:?\s*[+(]?\d[\d\s()-]{5,}\d",
    # sections of Acts and rules with sub-sections: 12(1), 40(2)(a)(i), 276ADE(1)
    r"\b\d+[A-Z]{0,3}(?:\(\w{1,4}\))+",
    # ages and age bands: aged 18, aged 18 to 24, 18-24 year olds, 65 years old, under 18 years
    r"\bage[ds]?\s+(?:of\s+)?\d{1,3}(?:\s*(?:-|–|to|and)\s*\d{1,3})?\+?",
    r"\b\d{1,3}\s*(?:-|–|to)\s*\d{1,3}\s*(?:years?|yrs)\b",
    r"\b\d{1,3}\s*(?:years?|yrs)\s*(?:old|of\s+age)\b",
    r"\b(?:under|over)[\s-]\d{1,3}(?=\s*(?:years?|yrs)\b)",
    # periods: the 12 months to June 2019, the last 3 years, the first 6 months
    r"(?i)\b(?:last|past|previous|next|first|latest|recent|preceding|following)\s+\d{1,2}\s+"
    r"(?:days?|weeks?|months?|quarters?|years?)\b",
    r"(?i)\b\d{1,2}\s+(?:days?|weeks?|months?|quarters?|years?)\s+(?:to|ending|up\s+to|before|prior\s+to|since)\b",
    # street numbers: 2 Marsham Street, 40 Wellesley Road
    r"\b\d{1,4}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Lane|Avenue|Ave|Way|Place|Square|Drive|Close|"
    r"Crescent|Terrace|Gardens|Embankment|Parade)\b",
    # list markers and numbered paragraphs at the start of a line: 1. 1) (1) 3.1 3.1.2
    r"(?m)^[ \t]*(?:[-•*·▪][ \t]*)?\(?\d{1,2}[.)](?=[ \t]+\S)",
    r"(?m)^[ \t]*\(\d{1,2}\)",
    r"(?m)^[ \t]*\d{1,2}(?:\.\d{1,2})+\.?(?=[ \t]+\S)",
    # page-number lines: "3", "Page 3", "3 of 5", "- 3 -", "Page 3 of 5"
    r"(?im)^[ \t]*(?:page[ \t]*)?\d{1,4}(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?[ \t]*$",
    r"(?m)^[ \t]*[-–][ \t]*\d{1,4}[ \t]*[-–][ \t]*$",
]

# Numbers labelled by what they number: section 12, Table 1, page 3 of 5, Annex 2 ...
_LEGAL_LABELS = (
    r"sections?|sect\.|ss?\.|subsections?|sub-sections?|regulations?|regs?\.|articles?|arts?\.|paragraphs?|paras?\.?|"
    r"sub-paragraphs?|schedules?|sch\.|clauses?|rules?|parts?|chapters?|ch\.|directives?|protocols?"
)
_OTHER_LABELS = (
    r"tables?|charts?|graphs?|fig\.|figs\.|appendix|appendices|annex(?:es)?|pages?|pp?\.|questions?|q\.|item|point|"
    r"notes?|footnotes?|step|stage|phase|tier|level|band|grade|category|line|row|column|col\.|cols\.|volume|vol\.|"
    r"issue|version|v\.|no\.|nos\.|option|box|room|floor|unit|flat|ward|quarter|week|wave|round|priority|"
    r"key\s+stage|year\s+(?=\d{1,2}\b)|HC|HL|Cm|Cmd|Cmnd|CP|SI|col"
)
_ITEM = r"\d+[A-Za-z]{0,3}(?:\(\w{1,4}\))*|[A-Z]\b"
_LABEL_PATTERNS = [
    rf"(?i:\b(?:{_LEGAL_LABELS}))\s*(?:no\.?\s*)?(?:{_ITEM})(?:\s*(?:,|and|or|&|to|-|–)\s*(?:{_ITEM}))*",
    rf"(?i:\b(?:{_OTHER_LABELS}))\s*(?:no\.?\s*)?[:#]?\s*(?:{_ITEM})(?:\s*(?:and|or|&|to|-|–|of)\s*(?:{_ITEM}))*",
    r"\bFigure\s+\d+",
]

# Reference numbers: the id after one of these labels; ids of four or more digits are then
# blocked wherever else they appear bare (e.g. "52658 Reply" in a page header).
_REF_LABELS = (
    r"FOI[AR]?|FoI|Freedom\s+of\s+Information\s+(?:request|reference|ref)|(?:our|your|my)\s+ref(?:erence)?\.?|"
    r"ref(?:erence)?s?\.?(?:\s+(?:number|no\.?))?|(?:case|complaint|ticket|correspondence|request|claim|application)"
    r"(?:\s+(?:ref(?:erence)?|number|no\.?|id))?|CTS|DECS|IR|PQ|UIN|ICO|decision\s+notice"
)
REFERENCE_SOURCE = (
    rf"(?i:\b(?:{_REF_LABELS}))\s*[:#.–\-/]?\s*(?:number\s*|no\.?\s*)?[:#]?\s*"
    r"(?P<id>[A-Z]{0,4}[-/]?\d[\d/-]*\d|\d)\b"
)
REFERENCE = re.compile(REFERENCE_SOURCE)
# A bare "case 5" or "request 12" is too weak to call a reference; a long id after it is not.
_WEAK_REF_LABEL = re.compile(r"(?i)^(?:case|complaint|ticket|correspondence|request|claim|application)\W*$")

ADDRESS_LINE = 100  # characters: a line with a postcode up to this long is an address line
POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")

# Sentences of the standard FOI letter whose numbers are procedure, not disclosure.
BOILERPLATE = re.compile(
    r"appropriate limit|cost limit|fees regulations|\bper hour\b|working days|calendar days|"
    r"\bwithin (?:\w+ )?(?:calendar )?months\b|information commissioner|internal review|"
    r"crown copyright|open government licen[cs]e|suppress(?:ed|ion)\b|rounded to|identi(?:ty|fication) of individuals|"
    r"\bdenote[sd]?\b|replaced (?:by|with)",
    re.IGNORECASE,
)

_BLOCK_SOURCES = _BLOCK_PATTERNS + _LABEL_PATTERNS


# --- the same patterns, written to be searched faster -------------------------------------------
#
# The regular expression engine skips quickly over the positions where a match cannot start
# only when a pattern starts with a character or a set of characters, not with ``\b``. So a
# pattern starting ``\b\d{1,2}`` is searched as ``\d(?<!\w\d)\d{0,1}`` (a digit with no word
# character before it, then up to one more), and one starting ``\b(?:Act|Order)`` as
# ``(?:Act(?<!\w...)|Order(?<!\w.....))``: the same matches, found in a fraction of the time.
# Case-insensitive labels (``section``, ``Table``, ``FOI``) are searched starting with the set of
# their first letters, grouped by first letter (:func:`_words_first_letter`).
# Some patterns are searched only when the text holds something every match of theirs needs.
# tests/test_figures.py checks that every rewritten pattern finds what its source finds.

_DIGIT_FIRST = re.compile(r"(\(\?i\))?\\b\\d(?:\{(\d+)(?:,(\d+))?\}|(\+))")
# leading alternatives of words (a month's name, Act, tel ...): each checked for a word boundary
_WORDS_FIRST = (
    r"\b" + MONTH,
    r"\b(?:Act|Acts|Regulations|Order|Rules|Measure)",
    r"\b(?:tel|telephone|phone|fax|mobile|textphone|minicom)",
    r"\b(?:under|over)",
    r"\bage",
    r"\bFigure",
)


def _fast_source(source: str) -> str:
    r"""``source`` with a leading ``\b\d{m,n}`` or ``\b(?:Word|...)`` turned round to start with
    its first character: ``\d(?<!\w\d)\d{m-1,n-1}``, ``(?:Word(?<!\w....)|...)``."""
    if m := _DIGIT_FIRST.match(source):
        if m.group(4):
            more = "*"
        else:
            low = int(m.group(2))
            high = int(m.group(3)) if m.group(3) else low
            more = f"{{{low - 1},{high - 1}}}"
        return f"{m.group(1) or ''}\\d(?<!\\w\\d)\\d{more}{source[m.end() :]}"
    for words in _WORDS_FIRST:
        if source.startswith(words):
            tail = r"\b\.?" if words.endswith(r")\b\.?") else ""
            inner = words.removeprefix(r"\b").removesuffix(tail)
            alternatives = inner.removeprefix("(?:").removesuffix(")").split("|")
            fast = "|".join(f"{word}(?<!\\w{'.' * len(word)})" for word in alternatives)
            return f"(?:{fast}){tail}{source[len(words) :]}"
    return source


# Characters other than ASCII letters that match one case-insensitively (checked by a test).
_FOLDS = {"i": "İı", "k": "\u212a", "s": "ſ"}


def _alternatives(source: str) -> list[str]:
    """The top-level alternatives of ``source``, a group ``(?:a|b)rest`` at the start of one
    spelled out as ``arest``, ``brest`` (the same matches, tried in the same order)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    out = []
    for part in parts:
        if part.startswith("(?:"):
            depth, i = 0, 0
            while True:  # the end of the leading group
                depth += {"(": 1, ")": -1}.get(part[i], 0)
                i += 2 if part[i] == "\\" else 1
                if depth == 0:
                    break
            out += [inner + part[i:] for inner in _alternatives(part[3 : i - 1])]
        else:
            out.append(part)
    return out


def _words_first_letter(words: str) -> str:
    r"""``(?i:\b(?:words))`` (alternatives each starting with a letter) written to start with a set
    of characters: ``[tTcC](?<!\w.)(?i:(?<=t)(?:able|ier)|(?<=c)(?:hart))``. Alternatives that
    start with different letters never match at the same place, so grouping them by their first
    letter keeps the order in which the ones that can match are tried."""
    groups: dict[str, list[str]] = {}
    for alternative in _alternatives(words):
        assert alternative[:1].isascii() and alternative[:1].isalpha(), alternative
        groups.setdefault(alternative[0].lower(), []).append(alternative[1:])
    letters = "".join(c + c.upper() + _FOLDS.get(c, "") for c in groups)
    body = "|".join(f"(?<={c})(?:{'|'.join(rests)})" for c, rests in groups.items())
    return f"[{letters}](?<!\\w.)(?i:{body})"


_LABELS_FIRST = {rf"(?i:\b(?:{words}))": words for words in (_LEGAL_LABELS, _OTHER_LABELS, _REF_LABELS)}


_PERIOD_WORDS = "last|past|previous|next|first|latest|recent|preceding|following"
# patterns whose start is turned round by hand: the same alternatives, tried in the same order
_TURNED = {
    # \b(?:1[89]|20) of a year
    rf"\b{YEAR4}": r"(?:1(?<!\w1)[89]|2(?<!\w2)0)\d\d",
    # a phone number: +44 or 0044 (\b00), or a leading 0 after an optional "(" (\(?\b0)
    r"(?:(?:\+|\b00)44\s?(?:\(0\)\s?)?|\(?\b0)": (
        r"(?:\+44\s?(?:\(0\)\s?)?|0(?<!\w0)044\s?(?:\(0\)\s?)?|\(\b0|0(?<!\w0))"
    ),
}


def _labels_fast(source: str) -> str:
    """``source`` with a leading case-insensitive alternation of words searched from its first letters."""
    for start, words in _LABELS_FIRST.items():
        if source.startswith(start):
            return _words_first_letter(words) + source[len(start) :]
    if source.startswith(start := rf"(?i)\b(?:{_PERIOD_WORDS})"):
        return _words_first_letter(_PERIOD_WORDS) + f"(?i:{source[len(start) :]})"
    for start, turned in _TURNED.items():
        if source.startswith(start):
            return turned + source[len(start) :]
    return source


# what some matches always hold: no need to search a text without it
_NEEDS = {
    0: lambda text: "://" in text or "www." in text or "@" in text,
    # the last 3 years, the first 6 months: a number of days, weeks ... (any case)
    20: re.compile(r"(?i)\d\s+(?:days?|weeks?|months?|quarters?|years?)\b").search,
}

_REFERENCE_FAST = re.compile(_labels_fast(REFERENCE_SOURCE))
_BLOCK = [(_NEEDS.get(i), re.compile(_labels_fast(_fast_source(source)))) for i, source in enumerate(_BLOCK_SOURCES)]

_CELL_SPLIT = re.compile(r"\t+| {2,}")
_NUMERIC_CELL = re.compile(
    r"(?i)(?:(?:fewer|less|more)\s+than\s+|[<>≤≥~]\s*)?[£$€]?\s*\d[\d,]*(?:\.\d+)?\s*(?:%|per\s?cent|m|bn|k|million)?"
    r"|[-–*x~]|\.\.|n/?a|c|z|\[[a-z]\]"
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9£])")
_ABBREVIATIONS = re.compile(
    r"(?i)(?:\b(?:s|ss|no|nos|para|paras|sect|reg|regs|art|sch|ch|vol|fig|figs|pp?|approx|c|ca|cf|mr|mrs|ms|dr|st|"
    r"e\.g|i\.e|v|vs|ref|tel)\.)$"
)
_BULLET = re.compile(r"^[ \t]*(?:[-•*·▪]|\(?\d{1,2}[.)]|\(?[a-z][.)])[ \t]+")
ONE = b"\x01"


# --- the finder --------------------------------------------------------------------------------


def find_figures(text: str) -> list[Figure]:
    """The figures ``text`` discloses, in order of appearance (see the module docstring)."""
    if not text or not any(ch.isdigit() for ch in text):
        return []
    lines = _Lines(text)
    references = _references(text)
    mask = _blocked(text, lines, references)
    refs = _reference_ids(references)
    figures: list[Figure] = []
    table_rows: dict[int, list[Figure]] = {}
    boilerplate: dict[int, bool] = {}  # by sentence start: each sentence is searched once
    for match in NUMBER.finditer(text):
        num_start, num_end = match.span("num")
        if mask.find(ONE, num_start, num_end) != -1:
            continue
        digits = match.group("num")
        if len(digits) > 1 and digits[0] == "0" and "." not in digits:
            continue  # 0300, 007: codes, not counts
        plain = "," not in digits and "." not in digits
        if plain and digits in refs:
            continue
        line_no = lines.index(match.start())
        row = lines.row(line_no)
        qualifier = _qualifier(match)
        unit = "%" if match.group("pct") else (match.group("cur") or "").strip() or None
        year_like = plain and len(digits) == 4 and 1900 <= int(digits) <= 2099 and not unit and not match.group("scale")
        if row is not None:
            cell_index, cell_text = row.locate(num_start)
            if cell_index == 0 and row.has_later_number:
                continue  # a row label: a year, an age band, a rank
            if year_like and (cell_text != digits or row.all_years):
                continue
            kind, context = "table", row.context
        else:
            if year_like:
                continue
            sentence = lines.sentence(match.start(), match.end())
            if lines.sentence_start not in boilerplate:
                boilerplate[lines.sentence_start] = BOILERPLATE.search(sentence) is not None
            if boilerplate[lines.sentence_start]:
                continue
            kind, context = "sentence", _shorten(sentence, match.start() - lines.sentence_start)
        value = float(digits.replace(",", ""))
        scale = (match.group("scale") or "").strip().lower()
        if scale:
            value *= SCALES[scale]
        if not math.isfinite(value):
            continue  # hundreds of digits in a row: no count
        figure = Figure(
            value=value,
            text=match.group(0),
            start=match.start(),
            end=match.end(),
            kind=kind,
            context=context,
            qualifier=qualifier,
            unit=unit,
        )
        figures.append(figure)
        if row is not None:
            table_rows.setdefault(line_no, []).append(figure)
    return _with_headers(figures, table_rows, lines)


def _qualifier(match: re.Match) -> str | None:
    for i, sign in enumerate(_QUAL_SIGNS):
        if match.group(f"q{i}"):
            return sign
    return None


def _blocked(text: str, lines: _Lines, references: list[re.Match]) -> bytearray:
    mask = bytearray(len(text))
    for needs, pattern in _BLOCK:
        if needs is not None and not needs(text):
            continue
        for m in pattern.finditer(text):
            mask[m.start() : m.end()] = ONE * (m.end() - m.start())
    for m in references:
        mask[m.start("id") : m.end("id")] = ONE * (m.end("id") - m.start("id"))
    for m in POSTCODE.finditer(text):
        line_no = lines.index(m.start())
        start, end = lines.span(line_no)
        if lines.row(line_no) is not None or end - start > ADDRESS_LINE:
            start, end = m.start(), m.end()
        mask[start:end] = ONE * (end - start)  # a short line with a postcode is an address: all of it
    return mask


def _references(text: str) -> list[re.Match]:
    """Reference-number matches, leaving out short ids after a bare weak label ("in each case 5")."""
    found = []
    for m in _REFERENCE_FAST.finditer(text):
        label = m.group(0)[: m.start("id") - m.start()]
        if _WEAK_REF_LABEL.match(label) and sum(ch.isdigit() for ch in m.group("id")) < 4:
            continue
        found.append(m)
    return found


def _reference_ids(references: list[re.Match]) -> set[str]:
    """Ids of four or more digits seen as references: their other bare occurrences are not figures."""
    ids = set()
    for m in references:
        digits = re.sub(r"\D", "", m.group("id"))
        if len(digits) >= 4:
            ids.add(m.group("id"))
            ids.add(digits)
    return ids


def _shorten(sentence: str, offset: int, width: int = 320) -> str:
    """The sentence with whitespace collapsed; a long one cut to a window around ``offset``."""
    if len(sentence) <= width:
        return " ".join(sentence.split())
    start = max(0, offset - width // 2)
    end = min(len(sentence), start + width)
    start = max(0, end - width)
    piece = " ".join(sentence[start:end].split())
    return ("…" if start else "") + piece + ("…" if end < len(sentence) else "")


def _with_headers(figures: list[Figure], table_rows: dict[int, list[Figure]], lines: _Lines) -> list[Figure]:
    """Attach to each table figure the header row of its table: the block's first row, if figure-free."""
    if not table_rows:
        return figures
    headers: dict[int, str] = {}
    for line_no in table_rows:
        first = lines.block_start(line_no)
        if first != line_no and first not in table_rows:
            headers[line_no] = lines.row(first).context
    if not headers:
        return figures
    out = []
    for figure in figures:
        if figure.kind == "table":
            line_no = lines.index(figure.start)
            if line_no in headers:
                figure = Figure(**{**figure.__dict__, "header": headers[line_no]})
        out.append(figure)
    return out


# --- lines, table rows and sentences -----------------------------------------------------------


class _Row:
    """A table row: its cells (with offsets), the row as ``a | b`` context, and facts about its numbers."""

    def __init__(self, text: str, start: int, pieces: list[tuple[int, int]]) -> None:
        self.cells = [(start + a, start + b, text[a:b].strip()) for a, b in pieces]
        self.context = " | ".join(cell for _, _, cell in self.cells)
        numeric = [i for i, (_, _, cell) in enumerate(self.cells) if _has_figure_digits(cell)]
        self.has_later_number = any(i > 0 for i in numeric)
        years = [_is_year(self.cells[i][2]) for i in numeric if i > 0]
        self.all_years = bool(years) and all(years)

    def locate(self, offset: int) -> tuple[int, str]:
        """(index, text) of the cell holding ``offset``."""
        for index, (a, b, cell) in enumerate(self.cells):
            if a <= offset < b:
                return index, cell
        return len(self.cells) - 1, self.cells[-1][2]


def _has_figure_digits(cell: str) -> bool:
    return any(ch.isdigit() for ch in cell)


def _is_year(cell: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d(?:\s*(?:/|-|–)\s*(?:\d\d|(?:19|20)\d\d))?", cell))


@dataclass
class _Paragraph:
    """A paragraph's span in the text, and where its sentences stop (the full stop) and end
    (after the space that follows)."""

    start: int
    end: int
    stops: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)


class _Lines:
    """Line offsets of a text, which lines are table rows, blocks of rows, and sentence lookup."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for m in re.finditer("\n", text):
            self.starts.append(m.end())
        self._rows: dict[int, _Row | None] = {}
        self._paragraphs: dict[int, _Paragraph] = {}  # by line: the paragraph it belongs to
        self._sentences: dict[tuple[int, int], str] = {}  # by span: each sentence asked for, once
        self.sentence_start = 0

    def index(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def span(self, line_no: int) -> tuple[int, int]:
        start = self.starts[line_no]
        end = self.starts[line_no + 1] - 1 if line_no + 1 < len(self.starts) else len(self.text)
        return start, end

    def line(self, line_no: int) -> str:
        start, end = self.span(line_no)
        return self.text[start:end]

    def row(self, line_no: int) -> _Row | None:
        if line_no not in self._rows:
            self._rows[line_no] = self._parse_row(line_no)
        return self._rows[line_no]

    def _parse_row(self, line_no: int) -> _Row | None:
        start, _ = self.span(line_no)
        line = self.line(line_no)
        if "|" in line and (" | " in line or line.strip().startswith("|") or line.strip().endswith("|")):
            pieces, position = [], 0
            for part in line.split("|"):
                pieces.append((position, position + len(part)))
                position += len(part) + 1
            if line.strip().startswith("|"):
                pieces = pieces[1:]
            if line.strip().endswith("|"):
                pieces = pieces[:-1]
            if len(pieces) >= 2:
                return _Row(line, start, pieces)
            return None
        stripped = line.strip()
        if not stripped or not any(ch.isdigit() for ch in stripped):
            return None
        if not _CELL_SPLIT.search(stripped):
            return None
        pieces, position = [], 0
        for m in _CELL_SPLIT.finditer(line):
            if m.start() > position and line[position : m.start()].strip():
                pieces.append((position, m.start()))
            position = m.end()
        if line[position:].strip():
            pieces.append((position, len(line)))
        if len(pieces) < 2:
            return None
        cells = [line[a:b].strip() for a, b in pieces]
        if any(len(cell) > 60 for cell in cells):
            return None
        if not any(_NUMERIC_CELL.fullmatch(cell) and _has_figure_digits(cell) for cell in cells[1:]):
            return None
        if stripped.endswith(".") and len(stripped) > 60:
            return None
        return _Row(line, start, pieces)

    def block_start(self, line_no: int) -> int:
        """The first line of the run of table rows that ``line_no`` belongs to."""
        first = line_no
        while first > 0 and self.row(first - 1) is not None:
            first -= 1
        return first

    def sentence(self, start: int, end: int) -> str:
        """The sentence around ``text[start:end]``, within its paragraph; sets ``sentence_start``.

        Paragraphs and sentences are found once each, so that a text with many figures in one
        long paragraph takes time in proportion to its length, not its length squared.
        """
        paragraph = self._paragraph(self.index(start))
        before = bisect.bisect_right(paragraph.ends, start)  # sentence ends at or before the figure
        cut_start = paragraph.ends[before - 1] if before else paragraph.start
        after = bisect.bisect_left(paragraph.stops, end)  # the first sentence end after it
        cut_end = paragraph.stops[after] + 1 if after < len(paragraph.stops) else paragraph.end
        self.sentence_start = cut_start
        if (cut_start, cut_end) not in self._sentences:
            self._sentences[(cut_start, cut_end)] = self.text[cut_start:cut_end]
        return self._sentences[(cut_start, cut_end)]

    def _paragraph(self, line_no: int) -> _Paragraph:
        if line_no not in self._paragraphs:
            first = line_no
            while first > 0 and self._joins_previous(first):
                first -= 1
            last = line_no
            while last + 1 < len(self.starts) and self._joins_previous(last + 1):
                last += 1
            paragraph = _Paragraph(self.span(first)[0], self.span(last)[1])
            text = self.text[paragraph.start : paragraph.end]
            for m in _SENTENCE_END.finditer(text):
                if not _ABBREVIATIONS.search(text[max(0, m.start() - 8) : m.start() + 1]):
                    paragraph.stops.append(paragraph.start + m.start())
                    paragraph.ends.append(paragraph.start + m.end())
            for number in range(first, last + 1):
                self._paragraphs[number] = paragraph
        return self._paragraphs[line_no]

    def _joins_previous(self, line_no: int) -> bool:
        """True if line ``line_no`` continues the paragraph of the line before it."""
        current = self.line(line_no)
        previous = self.line(line_no - 1)
        if not current.strip() or not previous.strip():
            return False
        if self.row(line_no) is not None or self.row(line_no - 1) is not None:
            return False
        if _BULLET.match(current):
            return False
        tail = previous.rstrip()
        if tail.endswith((".", "?", "!", ":")) and current.lstrip()[:1].isupper():
            return False
        # a short line without a full stop before a capitalised line is a heading
        return not (len(tail) < 60 and not tail.endswith((",", ";")) and current.lstrip()[:1].isupper())
