"""What an answer gives beside its refusals: the figures that fit the question (not the cost rule's
amounts, a threshold or a target), a zero, a stated table or a publication, and where, after the first
refusal, the answer turns to related figures instead."""

from __future__ import annotations

import re

from .answers import DIGIT, figure_positions
from .rules import DISCLOSURE_CUES, POINTER_CUES, TABLE_CUES, procedural
from .subject import asks_for_data, question_terms

# After the first refusal, a sentence that turns to other information: a contrast, a proxy, a
# publication or a study. It and every sentence after it give related figures, not the main ones.
_PROXY_OPENINGS = ("however", "instead", "but ", "but,", "although", "whilst", "while ")
_PROXY_WORDS = (
    "nearest", "closest", "only", "best", "what we", "what i ", "survey", "research", "study", "modelling",
    "publish", "release", "can be found", "available", "deposited", "according to", "estimate",
)  # fmt: skip
_PROXY = re.compile(
    r"\bthe (?:nearest|closest|only|best) (?:available )?(?:information|data|figures|estimates?|proxy)\b|\bwhat "
    r"(?:we|i) can (?:provide|say|give)\b|\b(?:survey|research|study|modelling)\b|\bpublish|\breleases?\b|"
    r"\bcan be found\b|\b(?:is|are) available (?:on|at|from|here|in|via)\b|\bdeposited\b|\baccording to\b|"
    r"\bestimates? (?:by|from)\b"
)
# How recent the figures given are ("31st October 2019, the latest date for which published data is
# available"): it says when, and turns to no publication.
_RECENCY = re.compile(
    r"\b(?:latest|most recent|last) (?:date|period|year|month|quarter|time)s? for which (?:[a-z]+ ){0,2}"
    r"(?:data|figures|information|statistics) (?:is|are|was|were) (?:currently )?available\b"
)
# A question that asks about money: only then does an amount ("£600", "$2 million") answer it.
_MONEY_QUESTION = re.compile(
    r"\b(?:costs?|costed|costing|spend|spent|spending|expenditure|budgets?|fund(?:s|ing|ed)?|paid|pay|payments?|"
    r"prices?|revenues?|value|salar(?:y|ies)|fees?|income|tax(?:es)?|grants?|money|much|amounts?|savings?|"
    r"receipts|compensation|awards?|invoices?|charges?|bills?)\b|£"
)
_CURRENCY = "£$€"
# A sentence about the cost limit ("the cost limit of £600", "the disproportionate cost threshold"): its amounts
# are the rule's, not the information asked for. The word "threshold" alone does not make one ("the Income Tax
# thresholds as 575,000"), though a sentence that states a threshold's rule is still ``procedural``.
_COST_RULE = re.compile(r"cost (?:limit|threshold)")
# An amount that bounds a rule ("tendering procedures are normally used for all purchases over
# £10,000 in value"): a threshold, not a figure asked for.
_THRESHOLD = re.compile(
    r"\b(?:all|any|every) (?:[a-z-]+ ){1,4}(?:over|above|below|under|exceeding|of more than|up to)\W{0,3}$"
)
# A figure that is a target or a standard ("works to a target of responding to 95% ... within 20 working
# days"): what should be, not a figure of what was, unless the question asks about the target.
_TARGET = re.compile(r"\b(?:targets?|standards?|ambition|aims?|aiming) (?:of|to|is|was|for)\b[^.;]*$")
_TARGET_QUESTION = re.compile(r"\b(?:targets?|ambitions?)\b")
_TABLE = re.compile(r"[^.]{0,40}\b(?:tables?|as follows|attached|spreadsheet|excel|librar|annex)")


def _money(answer: str, pos: int) -> bool:
    """The figure at ``pos`` is an amount of money ("£600", "£ 2.4 million")."""
    before = answer[max(0, pos - 2) : pos + 1]
    return any(c in before for c in _CURRENCY)


def _first_figure(
    answer: str,
    answer_low: str,
    refusing: list[tuple[int, int]],
    spans: list[tuple[int, int]],
    question_low: str,
) -> tuple[int, str] | None:
    """The first figure outside the refusing parts of the sentences ``spans`` that fits the
    question: (offset, ``money`` or ``figure``). Not a figure in a sentence about the cost limit
    (£600, £850), nor an amount of money for a question that is not about money."""
    for a, b in spans:
        if any(x <= a and b <= y for x, y in refusing):
            continue
        low = answer_low[a:b]
        if DIGIT.search(low) is None or _COST_RULE.search(low) or procedural(low):
            continue
        for p in figure_positions(answer[a:b], lower=low):
            at = a + p
            money = _money(answer, at)
            if any(x <= at < y for x, y in refusing) or (money and _THRESHOLD.search(low, max(0, p - 60), p)):
                continue
            if _TARGET.search(low, 0, p) and not _TARGET_QUESTION.search(question_low):
                continue
            if not money or _MONEY_QUESTION.search(question_low):
                return at, "money" if money else "figure"
    return None


# A sentence that answers "how many" with none ("No members of staff have been dismissed since June
# 2007", "There are currently no GCS vehicles declared ...", "The FCO has not entered into any
# contracts"): a zero is a figure. Not a statement that there is no information or assessment.
_ZERO = re.compile(
    r"^\W*no [a-z][a-z ,()-]{0,80}? (?:have|has|had|were|was) (?:yet )?"
    r"(?:been|taken place|occurred|died|left|closed)\b|"
    r"\bthere (?:are|were|have been|has been|had been) (?:currently |so far |to date |therefore )?no "
    r"(?:[a-z-]+ ){0,3}[a-z-]+|"
    r"\b(?:has|have|had) not (?:entered into|received|issued|awarded|made|paid|dismissed|closed) any "
    r"(?:[a-z-]+ ){0,3}[a-z-]+"
)
# What a zero is not about: no information, no assessment or study, no change, no plan.
_NO_INFORMATION = re.compile(
    r"\b(?:information|data|figures?|statistics?|records?|estimates?|assessments?|analys[ie]s|research|stud(?:y|ies)|"
    r"reviews?|evaluations?|breakdowns?|changes?|plans?|evidence|requirements?|decisions?|proposals?|intention|"
    r"need|reason|guarantee|way)\b"
)


def _first_zero(
    answer_low: str, refusing: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> tuple[int, str] | None:
    """The first sentence of ``spans`` outside the refusing parts that states a zero (``_ZERO``)."""
    for a, b in spans:
        if any(x <= a < y for x, y in refusing):
            continue
        m = _ZERO.search(answer_low[a:b])
        if m is None or _NO_INFORMATION.search(m.group(0)) or any(x <= a + m.start() < y for x, y in refusing):
            continue
        return a + m.start(), "figure"
    return None


def _proxy_from(
    question: str | None, answer_low: str, after: int, refusing: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> int:
    """Where the answer turns to other information after ``after`` (the first refusal): the first
    sentence that does not refuse and opens with a contrast or names a proxy, a publication or a
    study (``_PROXY``), in a word the question does not use itself ("releases in error" are its
    subject, not a statistical release); the end of the answer if none does."""
    asked: frozenset[str] | None = None
    for a, b in spans:
        if a <= after or any(x <= a < y for x, y in refusing):
            continue
        low = _RECENCY.sub("", answer_low[a:b])
        if low.lstrip(" \t\"'‘“(").startswith(_PROXY_OPENINGS):
            return a
        if any(word in low for word in _PROXY_WORDS):
            if asked is None:
                asked = frozenset(_bare(t) for t in question_terms(question))
            if any(_bare(m.group(0)) not in asked for m in _PROXY.finditer(low)):
                return a
    return len(answer_low)


def _bare(word: str) -> str:
    """A word without its inflection, near enough to compare "releases", "released" and "release",
    or "studies" and "study"."""
    return _INFLECTION.sub("", _IES.sub("y", word)) if " " not in word else word


_IES = re.compile(r"ies$")
_INFLECTION = re.compile(r"(?:e[ds]?|s|ing)$")


def first_giving(
    question: str | None,
    answer: str,
    answer_low: str,
    found: int,
    refusing: list[tuple[int, int]],
    sentence_spans: list[tuple[int, int]],
) -> list[tuple[int, str]]:
    """The places outside the parts that refuse that give the information asked for, in order,
    and what each is: ``figure`` (one that fits the question), ``money`` (an amount, for a question
    about money), ``table`` (a table or a stated attachment) or ``pointer`` (published statistics,
    or a link or publication before the refusal). After the first refusal, the sentences from the
    one that turns to other information (:func:`_proxy_from`) on count for nothing: they offer
    related figures. ``found``: the literals the answer contains."""
    first_refusal = refusing[0][0]
    question_low = (question or "").lower()

    def outside(pos: int) -> bool:
        return not any(a <= pos < b for a, b in refusing)

    tables = TABLE_CUES.positions(answer_low, found)  # "the requested figures ... are shown below"
    cues = [
        (p, "table" if p in tables or _TABLE.match(answer_low, p) else "pointer")
        for p in DISCLOSURE_CUES.positions(answer_low, found)
        if outside(p)
    ]
    before = [span for span in sentence_spans if span[0] < first_refusal]
    figure = _first_figure(answer, answer_low, refusing, before, question_low) if DIGIT.search(answer_low) else None
    if figure is None and before and asks_for_data(question_low):
        figure = _first_zero(answer_low, refusing, before)
    if figure is not None or any(kind == "table" and p < first_refusal for p, kind in cues):
        return sorted([*cues, figure] if figure is not None else cues)  # the main information came first
    giving = list(cues)
    if asks_for_data(question_low):
        giving += [
            (p, "pointer") for p in POINTER_CUES.positions(answer_low, found) if outside(p) and p < first_refusal
        ]
    if DIGIT.search(answer_low) is not None:
        after = [span for span in sentence_spans if span[0] >= first_refusal]
        figure = _first_figure(answer, answer_low, refusing, after, question_low)
        if figure is not None:
            giving.append(figure)
    if any(p >= first_refusal for p, _ in giving):  # only then: where the answer turns to related information
        proxy_from = _proxy_from(question, answer_low, first_refusal, refusing, sentence_spans)
        giving = [(p, kind) for p, kind in giving if p < proxy_from]
    return sorted(giving)
