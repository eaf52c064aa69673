"""The main-request rule: whether an answer that refuses is a ``refusal``, a ``partial`` answer or a
``disclosure``, by what it refuses (the whole request, some years, a breakdown, a named part of the
question) and what it gives before and after the refusal."""

from __future__ import annotations

import re

from .parts import named_items
from .subject import question_terms, subject_terms

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


def _asked_in(question: str | None, text: str, spans: list[tuple[int, int]]) -> frozenset[str]:
    """The question's subject terms that the ``spans`` of ``text`` name."""
    return question_terms(question).intersection(subject_terms(" ".join(text[a:b] for a, b in spans)))


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


def main_request_label(
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
    after it are related ones), else partial; a refusal too when it refuses the breakdown the question
    asks for ("not held by region", asked "in each region") and no table follows: a total after it is
    a related figure. A pointer to a publication gives no figures: before
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
    if asked_breakdown and not any(kind == "table" for _, kind in figures):
        return "refusal"  # "not held by region", then a national total: the breakdown asked for is refused
    return "refusal" if whole and not any(kind in ("money", "table") for _, kind in figures) else "partial"


# A refusal of the breakdown the question asks for ("does not hold information on museums spending
# broken down by region or nation", asked "in each region and nation"): what follows is a total or another
# breakdown, related figures, not the ones asked for.
_UNIT = (
    r"(?:regions?|nations?|constituenc(?:y|ies)|local authorit(?:y|ies)|councils?|count(?:y|ies)|police forces?|"
    r"forces?|trusts?|prisons?|schools?|hospitals?|wards?|postcodes?|districts?|countr(?:y|ies)|ethnicit(?:y|ies)|"
    r"ethnic groups?|nationalit(?:y|ies)|genders?|age groups?|grades?)\b"
)
_SCOPE_UNIT = re.compile(
    rf"\b(?:by|at|for (?:each|every|individual)|per|(?:broken|split) down by|specific to) (?:an? |the )?"
    rf"(?:[a-z]+ )?({_UNIT})"
)
_ASKED_UNIT = re.compile(rf"\b(?:each|every|by|per|individual) (?:[a-z]+ ){{0,2}}?({_UNIT})")
_PLURAL = re.compile(r"(?:ies|s)$")


def _refuses_asked_breakdown(question: str | None, scope: str) -> bool:
    """The refusing part ``scope`` refuses a breakdown (by region, at constituency level) that the
    question asks for (in each region, by constituency)."""
    if not question:
        return False
    refused = {_PLURAL.sub("", m.group(1)) for m in _SCOPE_UNIT.finditer(scope)}
    return bool(refused) and any(_PLURAL.sub("", m.group(1)) in refused for m in _ASKED_UNIT.finditer(question.lower()))


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
