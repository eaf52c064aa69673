"""Answers whose refusal words make no refusal: answers to questions about policy (which ask for no
figures), holding answers that promise a letter with the information, and "no estimate has been made"
where the question asked for none."""

from __future__ import annotations

import re

from .subject import question_body

# A question about policy: what is done or planned, by what criteria, why. It asks for no data.
# What an assessment asked about in a policy question is of ("the potential impact", "the merits").
_ASSESSED = (
    r"(?:the )?(?:potential |likely )?(?:impacts?|effects?|effectiveness|implications|merits|adequacy|success|"
    r"value for money)\b"
)
_POLICY_QUESTION = re.compile(
    r"(?:what|which) (?:steps|plans|criteria|action|actions|measures|progress|arrangements|guidance|changes|"
    r"discussions|representations|research|targets|evidence(?! (?:[\w'’()-]+ ){0,8}?(?:on|of) the numbers?\b))\b|"
    r"why\b|(?:(?:under|in) )?what circumstances\b|"
    r"(?:to )?what extent\b|"
    rf"what (?:recent )?(?:assessment|evaluation|analysis) (?:[\w'’-]+ ){{0,6}}?(?:of|on) {_ASSESSED}|"
    r"(?:if|whether) (?:he|she|they|the \w+|his \w+|her \w+) (?:will meet|plans to|intends to|has plans to)\b|"
    r"(?:if|whether) (?:he|she|they|the \w+|his \w+|her \w+) will make it (?:[\w'’-]+ ){0,2}policy\b|"
    r"(?:if|whether) (?:[a-z]+ ){1,8}?(?:is|are) (?:currently )?(?:required|obliged|expected|permitted) (?:to|for)\b|"
    r"what (?:is|are) (?:the |their |his |her |its |our |[\w-]+['’]s? )(?:[\w-]+ )?(?:strategy|strategies|policy|"
    r"policies|approach)\b(?! (?:costs?|budgets?|spend|spending|officials?|teams?|units?|development)\b)|"
    r"(?:if|whether) (?:he|she|they|the \w+|his \w+|her \w+|[\w'’-]+ [\w'’-]+) will (?:consider|review|reconsider|"
    r"instruct|ask|require|direct|encourage|commission)\b|"
    r"(?:if|whether) (?:[\w'’-]+ ){1,5}?(?:collects?|holds?|records?|keeps?|compiles?|monitors?|tracks?|maintains?) "
    r"(?:any )?(?:data|information|statistics|records|figures) (?:on|about|of)\b|"
    r"(?:if|whether) (?:[\w'’-]+ ){1,4}?(?:has|have) (?:made|carried out|undertaken|conducted) "
    rf"(?:an? |any )?(?:recent )?(?:assessment|evaluation|analysis) of {_ASSESSED}"
)


# A clause that asks for figures anywhere in the question ("what steps ...; and how many ..."): a data
# reason in its answer refuses them.
_ASKS_FIGURES = re.compile(
    r"\b(?:how (?:many|much|often|long)|what (?:proportion|percentage|number))\b|"
    r"\bthe (?:number|proportion) (?:of|and)\b"
)
# ... unless it is what a plan would change ("plans to increase the number of replies sent electronically")
_CHANGED = re.compile(r"\b(?:increas|reduc|rais|boost|improv|cut|lower|decreas|expand|doubl|halv)\w* $")


def asks_figures(question_low: str) -> bool:
    """A clause of the question asks for figures (``_ASKS_FIGURES``), not for a change in them (``_CHANGED``)."""
    return any(
        m.group(0).startswith(("how", "what")) or not _CHANGED.search(question_low, max(m.start() - 20, 0), m.start())
        for m in _ASKS_FIGURES.finditer(question_low)
    )


def policy_question(question: str | None) -> bool:
    """The question asks about policy ("what steps", "what changes", "in what circumstances"), not
    for data: a withholding ground in its answer ("not appropriate to release", "no running
    commentary on individual cases", "not the practice to give") or a deferral ("will be announced
    in due course") withholds no data asked for, and the definitions call such an answer ``other``;
    so does a data reason ("we do not currently collect data on the types of knives used"), unless
    a clause of the question asks for figures ("...; and how many ...")."""
    if not question:
        return False
    return _POLICY_QUESTION.match(question_body(question.lower())) is not None


# A phrase saying no estimate, forecast or calculation was made ("No formal estimate has been made", "has
# not calculated the overall cost"), and the questions it refuses: those that ask for an estimate or a
# figure. In answer to anything else ("when the automated process will be in place") it says no date
# was set, not that data is missing.
_NO_ESTIMATE = re.compile(r"estimat|forecast|calculat|modelled|quantified|such an? assessment")
_ESTIMATE_ASKED = re.compile(
    r"\bwhat (?:recent |current |latest )?(?:estimates?|forecasts?|projections?|calculations?|modelling|assessment)\b|"
    r"\bhow (?:many|much)\b|\bthe (?:number|cost|costs|proportion|percentage|amount|value|level) of\b|"
    r"\b(?:projected|forecast|estimated|expected|anticipated) (?:[\w-]+ ){0,2}?(?:spend|spending|costs?|numbers?|"
    r"expenditure|value|amount|total)\b"
)


def estimate_not_asked(question: str | None, phrase_low: str) -> bool:
    """``phrase_low`` (lower case) says no estimate was made and ``question`` asks for none (nor for a figure)."""
    return (
        bool(question) and _NO_ESTIMATE.search(phrase_low) is not None and not _ESTIMATE_ASKED.search(question.lower())
    )


# A promise to write with the answer ("This information is not held centrally. I will write to the hon.
# Member and a copy of my letter will be placed in the Library", "I have asked its Chief Executive to write to
# the hon. Member"): the information is being gathered, a holding answer, which the definitions call ``other``,
# when the answer gives no figures itself.
_WILL_WRITE = re.compile(
    r"\bi will (?:therefore |now )?write\b|\bwill write to (?:the|my|him|her)\b|"
    r"\b(?:have|has) (?:asked|instructed) (?:[\w'’.,-]+ ){1,12}?to write to "
    r"(?:the (?:hon|noble|right|member)|him\b|her\b|my (?:hon|noble|right))"
)


# What makes a promised letter no holding answer: the letter printed with the answer ("Letter from David
# Anderson to Mr. Paul Holmes, dated 28 July 2003: ..."), or a letter about other data than the information
# asked for ("This information is not available in the form requested. However, I will write to my hon.
# Friend about the data that are available").
_LETTER_PRINTED = re.compile(r"\bletter from [^:\n]{2,120}? to [^:\n]{2,80}?,? dated\b")
_OTHER_DATA = re.compile(
    r"\b(?:about|on|of|provide) (?:the |such |what )?(?:(?:data|information|figures|statistics) (?:that|which) "
    r"(?:are|is) available|(?:data|information|figures) as (?:are|is) available|available (?:data|information|figures)"
    r")\b"
)


def will_write(answer_low: str, giving: list[tuple[int, str]]) -> bool:
    """The answer promises a letter with the information and gives no figures or table itself (nor prints the
    letter, nor promises one about other data)."""
    promise = _WILL_WRITE.search(answer_low)
    if promise is None or not all(kind == "pointer" for _, kind in giving):
        return False
    if _LETTER_PRINTED.search(answer_low, promise.end()):
        return False
    return _OTHER_DATA.search(answer_low, max(0, promise.start() - 200), promise.end() + 120) is None
