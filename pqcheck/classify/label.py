"""The label of an answer (``refusal``, ``partial``, ``disclosure``, ``other``) with its refusal
category and phrase: the cheap stage for every answer, the spaCy stage for the sentences that pass
the prefilter, the main-request rule that tells a refusal (of the information asked for, perhaps
with related figures) from a partial answer (the main information given, a part refused), and the
tests that tell a disclosure from other answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..periods import years_in
from .answers import ANSWER_DATE, DIGIT, WORD_NUMBER, figure_positions, sentences
from .parts import named_items
from .rules import (
    DISCLOSURE_CUES,
    HOLDING_CUES,
    LITERALS,
    OTHER_CUES,
    POINTER_CUES,
    PREFILTER_CUES,
    QUESTION_TIMING,
    TABLE_CUES,
    Engine,
    caveat,
    engine,
    procedural,
)
from .subject import WHEN_QUESTION, asks_for_data, extract_subject, is_data_body, question_body, subject_terms

PIPE_BATCH_SIZE = 1000  # sentences per nlp.pipe batch (n_process=1: more processes are far slower here)

_CONTRAST = re.compile(r"\b(?:but|however|although|though|whereas|while)\b", re.I)


def _plain_label(question: str | None, answer: str, answer_low: str, found: int) -> str:
    """``disclosure`` or ``other`` for an answer without a refusal phrase: disclosure when it has a
    table or points to published statistics, or gives figures (or dates, for "when" questions) in
    answer to a question that asks for them; other when it is a holding answer or a referral.
    ``found``: the literals the answer contains (``LITERALS.find``)."""
    if DISCLOSURE_CUES.search(answer_low, found):
        disclosure = True
    else:
        body = question_body((question or "").lower())
        if not body or not is_data_body(body):
            return "other"
        disclosure = bool(  # cheapest first: figure_positions is slow on answers with links
            POINTER_CUES.search(answer_low, found)
            or figure_positions(answer, first=True, lower=answer_low)
            or WORD_NUMBER.search(answer_low)
            or (WHEN_QUESTION.search(body) and ANSWER_DATE.search(answer_low))
        )
    if disclosure and not (HOLDING_CUES.search(answer_low, found) or OTHER_CUES.search(answer_low, found)):
        return "disclosure"
    return "other"


@dataclass
class _Found:
    """A refusal phrase found in one sentence."""

    start: int  # character offsets in the answer
    end: int
    category: str
    sentence: tuple[int, int]


# An exception inside a sentence that gives: "The information requested, apart from the data for
# April 2006, which are not yet available, has been placed in the Library."
_EXCEPTION = re.compile(r"\b(?:apart from|except(?: for)?|with the exception of|other than|excluding)\b", re.I)


def _refusing_spans(answer: str, found: list[_Found]) -> list[tuple[int, int]]:
    """The parts of the answer that refuse: each refusing sentence up to its end, or up to a
    "but"/"however" after its last refusal phrase ("... does not record whether repairs are urgent,
    but it estimated the cost at £11.4 billion"); only the excepted clause when the refusal sits in
    an exception ("apart from the data for April 2006, which are not yet available, ...")."""
    spans = []
    for sentence in sorted({f.sentence for f in found}):
        first = min(f.start for f in found if f.sentence == sentence)
        last = max(f.end for f in found if f.sentence == sentence)
        exception = _EXCEPTION.search(answer, sentence[0], first)
        if exception is not None and exception.start() > sentence[0] and first - exception.end() < 80:
            comma = answer.find(",", last, sentence[1])
            spans.append((exception.start(), comma if comma >= 0 else sentence[1]))
            continue
        contrast = _CONTRAST.search(answer, last, sentence[1])
        clause = answer.rfind(";", sentence[0], first)  # "... in the following table; separate information ..."
        spans.append(
            (clause + 1 if clause >= 0 else sentence[0], contrast.start() if contrast is not None else sentence[1])
        )
    return spans


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
# A refusal of the whole request: it names the information asked for rather than a part of it, or
# opens with what information it refuses ("Information on a prisoner's place of residence ... is not
# held centrally").
_WHOLE_SCOPE = re.compile(
    r"\b(?:requested|sought|asked for)\b|\b(?:the|this|such|that) (?:information|data)\b(?! (?:for|on|about|"
    r"of|relating|prior|before) )|\blevel of detail\b|\bthis (?:question|breakdown)\b|"
    r"^\s*(?:information|data|figures) (?:on|about|relating to)\b"
)
# A refusal of some years only ("not available for 2005-06", "prior to 1995"): a minor part.
_PERIOD_SCOPE = re.compile(
    r"\b(?:prior to|before|earlier than|until)\s+(?:\d|the |this |that |(?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b)|"
    r"\bfor (?:the )?(?:years?|periods?) (?:before|prior|up to|between)|\bfor (?:[a-z]+ ){0,3}(?:19|20)\d\d\b|"
    r"\b(?:earlier|previous|prior|preceding|later|other|remaining) (?:years?|periods?|sessions?|months?|quarters?)\b|"
    r"\b(?:earlier|previous|prior|later|historic(?:al)?) (?:figures|data|statistics|records)\b|"
    r"\b(?:records|figures|data|information) for (?:the )?(?:session|year|period)\b|"
    r"\bonly (?:available|held|recorded|collected) (?:from|since)\b|\b(?:data|figures|information) up to \d"
)
# A refusal of a breakdown or a named sub-item of the request ("cannot identify attempted suicides
# separately", "cannot be separated ... by specific offence", "the further data requested", "the
# information requested for the number of households"): after the main figures, a minor part.
_PART_SCOPE = re.compile(
    r"\bseparate(?:ly|d)?\b|\bbroken down\b|\bbreak-?down\b|\bbreak (?:[a-z]+ ){0,2}down\b|\bdisaggregat\w*|"
    r"\bat (?:individual|each) [a-z]+ level\b|\bbut only (?:by|at|for)\b|"
    r"\b(?:differentiate|distinguish|split)\b[^.]{0,40}\bbetween\b|"
    r"\bparts? \(?[b-h]\b|^\W*\(?[b-h]\)|(?<![a-z])actual (?:figures|numbers)\b|"
    r"\b(?:details?|figures?|data) (?:of|for|on) (?:individual|each|every)\b|\bof (?:each|every) (?:individual )?\w+|"
    r"\b(?:further|more detailed|additional|other) (?:data|information|figures|breakdown|details?)\b|"
    r"\b(?:provide|give) (?:the )?(?:figures|data|information) for\b|\bnot available (?:centrally )?for\b|"
    r"^\W*(?:information|data|figures) for (?!the (?:number|proportion|percentage))|"
    r"\b(?:information|data|figures?) (?:requested |sought )?(?:for|on) the (?:number|proportion|percentage)\b|"
    r"\b(?:for|by) (?:each |every )?(?:[a-z]+ )?(?:type|category|categories|grade|role|specialty|speciality)\b"
)
# Some items of a list withheld ("I am withholding the names of some locations"), the rest given.
_SOME_WITHHELD = re.compile(r"\bwithh(?:old|olding|eld) (?:the )?(?:names|details|identities|locations) of some\b")


# Words that make a figure an estimate of the one asked for ("not held centrally, but we estimate
# that around 2,000"): in the sentence that refuses the exact figure, an approximate one is given.
_APPROXIMATE = re.compile(
    r"\b(?:we|i|department|office|ministry) (?:would )?estimates?\b|\bestimated? (?:that|at|to be)\b|"
    r"\b(?:approximately|roughly|around|in the region of|an estimated|about)\b"
)


# A refusal that says the rest will be published: after the figures, the later ones are a minor part.
_LATER = re.compile(r"\b(?:will|shall|due to|expected to) be (?:\w+ ){0,2}(?:published|released|available)\b")


def _minor(scope: str) -> bool:
    """After the figures asked for, a refusing part that is minor: some years only, a breakdown or a
    named sub-item, or the rest to be published later."""
    return bool(_PERIOD_SCOPE.search(scope) or _PART_SCOPE.search(scope) or _LATER.search(scope))


# A refusing sentence that goes on about the one before it ("To compile those data would incur
# disproportionate cost", "This is because ..."): it refuses what that one refused.
_FOLLOW_ON = re.compile(
    r"^\W*(?:this is because|to (?:compile|obtain|collate|provide|produce|do so|do this)|(?:this|that|these|those|"
    r"such) (?:information|data|figures|numbers|statistics|details|records))\b"
)


# A sentence about the figures just given ("This data is not regularly published or held in an easily
# accessible format", after "The information requested is provided in the table attached"): a caveat.
# Not when it refuses outright ("This data is not currently held, and information could only be
# obtained at disproportionate cost", after a total that is not what was asked): that is a refusal.
_ABOUT_GIVEN = re.compile(r"^\W*(?:this|these|such) (?:information|data|figures|numbers|statistics|tables?)\b")
_OUTRIGHT = re.compile(
    r"\b(?:disproportionate|not (?:currently )?(?:held|collected|recorded)\b|could only be obtained)"
)


def _all_minor(answer_low: str, refusing: list[tuple[int, int]], given_first: bool = False) -> bool:
    """Every refusing part is minor (:func:`_minor`), or goes on about a minor one before it; or,
    when the figures came first (``given_first``), is about the figures given (``_ABOUT_GIVEN``)."""
    before = False
    for i, (x, y) in enumerate(refusing):
        scope = answer_low[x:y]
        about_given = given_first and _ABOUT_GIVEN.match(scope) is not None and (i == 0 or before)
        about_given = about_given and not _OUTRIGHT.search(scope)
        before = about_given or _minor(scope) or (before and _FOLLOW_ON.match(scope) is not None)
        if not before:
            return False
    return True


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
    r"\bthere (?:are|were|have been|has been|had been) (?:currently |so far |to date |therefore )?no [a-z]+|"
    r"\b(?:has|have|had) not (?:entered into|received|issued|awarded|made|paid|recorded|dismissed|closed) any [a-z]+"
)
_NO_INFORMATION = re.compile(
    r"\b(?:information|data|figures|statistics|records?|estimates?|assessments?|plans?|evidence|requirements?|"
    r"decisions?|proposals?|intention|need|reason|guarantee|way)\b"
)


def _first_zero(
    answer_low: str, refusing: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> tuple[int, str] | None:
    """The first sentence of ``spans`` outside the refusing parts that states a zero (``_ZERO``)."""
    for a, b in spans:
        if any(x <= a < y for x, y in refusing):
            continue
        m = _ZERO.search(answer_low[a:b])
        if m is not None and _NO_INFORMATION.search(m.group(0)) is None:
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
                asked = frozenset(_bare(t) for t in _question_terms(question))
            if any(_bare(m.group(0)) not in asked for m in _PROXY.finditer(low)):
                return a
    return len(answer_low)


def _bare(word: str) -> str:
    """A word without its inflection, near enough to compare "releases", "released" and "release",
    or "studies" and "study"."""
    return _INFLECTION.sub("", _IES.sub("y", word)) if " " not in word else word


_IES = re.compile(r"ies$")
_INFLECTION = re.compile(r"(?:e[ds]?|s|ing)$")


def _first_giving(
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


@lru_cache(maxsize=4096)
def _question_terms(question: str | None) -> frozenset[str]:
    """The subject terms of a question (cached: a batch repeats questions)."""
    return frozenset(extract_subject(question)[1])


def _asked_in(question: str | None, text: str, spans: list[tuple[int, int]]) -> frozenset[str]:
    """The question's subject terms that the ``spans`` of ``text`` name."""
    return _question_terms(question).intersection(subject_terms(" ".join(text[a:b] for a, b in spans)))


def _refuses_more(
    question: str | None, answer_low: str, refusing: list[tuple[int, int]], sentences_at: list[tuple[int, int]]
) -> bool:
    """The refusing parts name at least as many of the question's subject terms as the sentences
    ``sentences_at``: what they refuse is the main request, not a side of it."""
    return len(_asked_in(question, answer_low, refusing)) >= len(_asked_in(question, answer_low, sentences_at))


def _names_request(question: str | None, scope: str) -> bool:
    """The refusing part names the information asked for: two or more of the question's subject
    terms ("no record of the number of occasions that statistics have been sent to UNHCR")."""
    return len(_asked_in(question, scope, [(0, len(scope))])) >= 2


def _refuses_unnamed(
    question: str | None, answer_low: str, refusing: list[tuple[int, int]], given: list[tuple[int, int]]
) -> bool:
    """The refusing parts name two or more of the question's subject terms that the sentences
    with the figures (``given``) do not: the figures are related ones, the information asked for is
    refused ("... 263 were recorded as 'CPS not ready'; however, it is not recorded whether this was
    occasioned by an identifiable failing of the CPS"). A refusal of one item of several ("(b) ...")
    is a part refused, not this (the caller asks :func:`named_items`)."""
    return len(_asked_in(question, answer_low, refusing) - _asked_in(question, answer_low, given)) >= 2


def _other_item_given(question: str | None, refused: str, given: str) -> bool:
    """The refusal names one item of the question ("(b) issued with warning certificates") and the
    figures another: a part is refused, the rest given."""
    refused_parts = named_items(question, refused)
    given_parts = named_items(question, given)
    return bool(refused_parts and given_parts) and not set(refused_parts) & set(given_parts)


def _main_request_label(
    question: str | None,
    answer_low: str,
    refusing: list[tuple[int, int]],
    giving: list[tuple[int, str]],
    sentence_spans: list[tuple[int, int]],
) -> str:
    """``refusal``, ``partial`` or ``disclosure`` by the main request.

    Figures or a table before the first refusal: the main request is met and the refusal is of a
    part, which is minor (a disclosure) when it refuses some years only, a breakdown or a named
    sub-item (``_PART_SCOPE``). The refusal first: a
    refusal when it refuses the whole request ("the information requested", not some years of it)
    and what follows is neither a table nor the amount a question about money asks for (figures
    after it are related ones), else partial. A pointer to a publication gives no figures: before
    the refusal, it makes the answer partial only when what is refused is minor (some years, a
    breakdown) and names less of the question's subject than the publication does: the publication
    answers the rest. A publication before a refusal of the information asked for is a related one
    ("data on supervised releases is not held", after a pointer to all releases). Nothing given: a
    refusal, but partial when, after a list, it withholds some of its items (``_SOME_WITHHELD``)."""
    a, b = refusing[0]
    scope = answer_low[a:b]
    figures = [(where, kind) for where, kind in giving if kind != "pointer"]
    if not figures:
        listed = any(y <= refusing[0][0] for _, y in sentence_spans)  # a sentence before the refusal
        if listed and all(_SOME_WITHHELD.search(answer_low[x:y]) for x, y in refusing):
            return "partial"
        pointed = [(x, y) for x, y in sentence_spans if any(x <= p < y and p < a for p, _ in giving)]
        side = pointed and _all_minor(answer_low, refusing)
        return "partial" if side and not _refuses_more(question, answer_low, refusing, pointed) else "refusal"
    sentence_start, sentence_end = next(((x, y) for x, y in sentence_spans if x <= a < y), (a, b))
    excepted = a > sentence_start and any(p < sentence_end for p, _ in figures)  # "X, apart from Y, has been placed"
    if figures[0][0] < a or excepted:
        if _all_minor(answer_low, refusing, given_first=True):
            return "disclosure"
        given = [(x, y) for x, y in sentence_spans if any(x <= p < y for p, _ in figures)]
        given_text = " ".join(answer_low[x:y] for x, y in given)
        if (
            question
            and not _asked_in(question, answer_low, refusing)
            and not any(_WHOLE_SCOPE.search(answer_low[x:y]) for x, y in refusing)
        ):
            return "disclosure"
        # The figures are "the information requested" ("Information requested is listed in the following
        # table"): what is refused after them is a part, whatever the question terms it names.
        given_whole = any(_WHOLE_SCOPE.search(answer_low[x:y]) for x, y in given)
        refused = not given_whole and _refuses_unnamed(question, answer_low, refusing, given)
        return "refusal" if refused and not _other_item_given(question, scope, given_text) else "partial"
    if all(_PERIOD_SCOPE.search(answer_low[x:y]) for x, y in refusing):  # some years refused, the rest given
        return "disclosure"
    asked_breakdown = _refuses_asked_breakdown(question, scope)
    whole = _WHOLE_SCOPE.search(scope) or _names_request(question, scope) or asked_breakdown
    if any(where < sentence_end and _APPROXIMATE.search(answer_low, b, where) for where, _ in figures):
        return "partial"  # the exact figure refused and, in the same sentence, an estimate of it given
    if _estimate_of_refused(question, answer_low, scope, figures, sentence_spans):
        return "partial"  # "is not a metric used by the Department. ... giving an average of approximately 26"
    if asked_breakdown:
        return "refusal"  # "not held by region", then a national total: the breakdown asked for is refused
    return "refusal" if whole and not any(kind in ("money", "table") for _, kind in figures) else "partial"


# A refusal of the breakdown the question asks for ("does not hold information on museums spending
# broken down by region or nation", asked "in each region and nation"): what follows is a total or another
# breakdown, related figures, not the ones asked for.
_UNIT = (
    r"(?:region|nation|constituenc|local authorit|council|count(?:y|ies)|police force|force|trust|prison|school|"
    r"hospital|ward|postcode|district|countr(?:y|ies)|ethnic|nationalit|gender|age group|grade)"
)
_SCOPE_UNIT = re.compile(
    rf"\b(?:by|at|for (?:each|every|individual)|per|(?:broken|split) down by|specific to) (?:an? |the )?"
    rf"(?:[a-z]+ )?({_UNIT})"
)
_ASKED_UNIT = re.compile(rf"\b(?:each|every|by|per|individual) (?:[a-z]+ ){{0,2}}?({_UNIT})")


def _refuses_asked_breakdown(question: str | None, scope: str) -> bool:
    """The refusing part ``scope`` refuses a breakdown (by region, at constituency level) that the
    question asks for (in each region, by constituency)."""
    if not question:
        return False
    refused = {m.group(1) for m in _SCOPE_UNIT.finditer(scope)}
    return bool(refused) and any(m.group(1) in refused for m in _ASKED_UNIT.finditer(question.lower()))


def _estimate_of_refused(
    question: str | None,
    answer_low: str,
    scope: str,
    figures: list[tuple[int, str]],
    sentence_spans: list[tuple[int, int]],
) -> bool:
    """A later sentence gives an estimate (``_APPROXIMATE``) of what the refusal refused: it names
    every question term the refusing part names (two at least)."""
    refused = _asked_in(question, scope, [(0, len(scope))])
    if len(refused) < 2:
        return False
    return any(
        any(x <= p < y for p, _ in figures)
        and _APPROXIMATE.search(answer_low, x, y)
        and refused <= _asked_in(question, answer_low, [(x, y)])
        for x, y in sentence_spans
    )


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


def _asks_figures(question_low: str) -> bool:
    """A clause of the question asks for figures (``_ASKS_FIGURES``), not for a change in them (``_CHANGED``)."""
    return any(
        m.group(0).startswith(("how", "what")) or not _CHANGED.search(question_low, max(m.start() - 20, 0), m.start())
        for m in _ASKS_FIGURES.finditer(question_low)
    )


def _policy_question(question: str | None) -> bool:
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


def _estimate_not_asked(question: str | None, phrase_low: str) -> bool:
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
    r"\b(?:data|information|figures|statistics) (?:that|which)? ?(?:are|is) available\b|\b(?:such|what) "
    r"(?:data|information|figures) as (?:are|is) available\b|\bavailable (?:data|information|figures)\b"
)


def _will_write(answer_low: str, giving: list[tuple[int, str]]) -> bool:
    """The answer promises a letter with the information and gives no figures or table itself (nor prints the
    letter, nor promises one about other data)."""
    promise = _WILL_WRITE.search(answer_low)
    if promise is None or not all(kind == "pointer" for _, kind in giving):
        return False
    if _LETTER_PRINTED.search(answer_low, promise.end()):
        return False
    return _OTHER_DATA.search(answer_low, max(0, promise.start() - 200), promise.end() + 120) is None


def _next_edition(question: str | None, answer_low: str, phrases: list[_Found], giving: list[tuple[int, str]]) -> bool:
    """A referral to where the information is published, then only the date of the next edition
    ("published annually, in Table C ... The next edition is due to be published in July"): the
    definitions' plain referral, ``other``; unless the edition to come holds the years asked about
    ("figures for the first quarter of 2021 are due to be published on 27 May")."""
    if (
        not giving
        or giving[0][0] >= min(f.start for f in phrases)
        or any(f.category != "will_publish" for f in phrases)
    ):
        return False
    asked = years_in(question)
    return not asked or not any(asked & years_in(answer_low[a:b]) for a, b in {f.sentence for f in phrases})


def _classify_candidates(items: list[tuple[str | None, str, str, int]], engine: Engine) -> list[tuple]:
    """For each (question, answer, answer_low, found) that passed the prefilter, the (label, category,
    phrase, start, end). spaCy runs on the sentences that pass the prefilter themselves."""
    spans = [sentences(answer) for _, answer, _, _ in items]
    timing = [question is not None and QUESTION_TIMING.search(question.lower()) is not None for question, *_ in items]
    jobs: list[tuple[int, int, tuple[str, bool]]] = []  # (item index, sentence start, (sentence, timing))
    for i, (_, answer, answer_low, in_answer) in enumerate(items):
        for a, b in spans[i]:
            if PREFILTER_CUES.search_part(answer_low[a:b], in_answer):
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
        phrases = _without_caveats(answer, answer_low, phrases)
        if not phrases:
            out.append((_plain_label(question, answer, answer_low, in_answer), None, None, None, None))
            continue
        # The first sentence that refuses decides; within it, the most specific category.
        first = min(f.sentence for f in phrases)
        chosen = min((f for f in phrases if f.sentence == first), key=lambda f: (engine.order[f.category], f.start))
        refusing = _refusing_spans(answer, phrases)
        giving = _first_giving(question, answer, answer_low, in_answer, refusing, sentence_spans)
        label = _main_request_label(question, answer_low, refusing, giving, sentence_spans)
        if _policy_question(question) and (
            chosen.category in ("other", "will_publish") or not _asks_figures(question.lower())
        ):
            out.append(_OTHER_ROW)
            continue
        if (
            _next_edition(question, answer_low, phrases, giving)
            or _will_write(answer_low, giving)
            or (
                chosen.category == "not_collected"
                and _estimate_not_asked(question, answer_low[chosen.start : chosen.end])
            )
        ):
            out.append(_OTHER_ROW)
            continue
        if label == "disclosure":
            out.append(("disclosure", None, None, None, None))
            continue
        out.append((label, chosen.category, answer[chosen.start : chosen.end], chosen.start, chosen.end))
    return out


_OTHER_ROW = ("other", None, None, None, None)


def _without_caveats(answer: str, answer_low: str, phrases: list[_Found]) -> list[_Found]:
    """The phrases outside caveat sentences (:func:`rules.caveat`: "these figures are from live
    operational databases and are not published data") and numbered notes on the data
    (:func:`_footnote`), when the answer gives figures: a caveat
    describes the figures given and refuses nothing. All of them when the answer gives none."""
    if not phrases or DIGIT.search(answer_low) is None:
        return phrases
    kept = [
        f
        for f in phrases
        if not caveat(answer_low[f.sentence[0] : f.sentence[1]]) and not _footnote(answer, answer_low, f)
    ]
    if len(kept) == len(phrases) or (not kept and not figure_positions(answer, first=True, lower=answer_low)):
        return phrases
    return kept


# A numbered note on the data given, under the figures ("4. The data concerning unknown risk of harm may
# relate to cases where ... was not captured"): it describes what the figures cover, and refuses nothing.
# An answer numbered as its question is ("2. The data on nationality is not held centrally") says no such thing.
_NOTE_MARK = re.compile(r"(?:^|\n)[ \t]*(?:\d{1,2}\.|notes?:?)[ \t]*$")
_NOTE_ON_DATA = re.compile(r"(?:the |this |these )?(?:data|figures|numbers|statistics)\b")
_NOTE_DESCRIBES = re.compile(
    r"\b(?:may|might|can|will) (?:relate|refer|include|exclude|reflect|cover)|"
    r"\b(?:relates?|refers?|includes?|excludes?|reflects?|covers?) (?:to |only )?"
)


def _footnote(answer: str, answer_low: str, found: _Found) -> bool:
    """The phrase's sentence is a numbered note that describes the figures above it (``_NOTE_MARK``,
    ``_NOTE_DESCRIBES``)."""
    start, end = found.sentence
    return (
        _NOTE_MARK.search(answer_low, max(start - 12, 0), start) is not None
        and _NOTE_ON_DATA.match(answer_low, start) is not None
        and _NOTE_DESCRIBES.search(answer_low, start, end) is not None
        and bool(figure_positions(answer[:start], first=True, lower=answer_low[:start]))
    )


def classify_rows(pairs: list[tuple[str | None, str | None]]) -> list[tuple]:
    """(label, category, phrase, start, end) for each (question, answer): the cheap stage for all,
    the spaCy stage for the answers that pass the prefilter."""
    rows: list[tuple] = [_OTHER_ROW] * len(pairs)
    todo = [i for i, (_, answer) in enumerate(pairs) if answer and not answer.isspace()]
    lows = [pairs[i][1].lower() for i in todo]
    pending: list[int] = []
    items: list[tuple[str | None, str, str, int]] = []
    for i, answer_low, found in zip(todo, lows, LITERALS.find(lows), strict=True):
        question, answer = pairs[i]
        if not PREFILTER_CUES.search(answer_low, found) or HOLDING_CUES.search(answer_low, found):
            label = _plain_label(question, answer, answer_low, found)
            if label != "other":
                rows[i] = (label, None, None, None, None)
        else:
            pending.append(i)
            items.append((question, answer, answer_low, found))
    if pending:
        for i, row in zip(pending, _classify_candidates(items, engine()), strict=True):
            rows[i] = row
    return rows
