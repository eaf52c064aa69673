"""The label of an answer (``refusal``, ``partial``, ``disclosure``, ``other``) with its refusal
category and phrase: the cheap stage for every answer (a disclosure or an other answer when it has no
refusal phrase), the spaCy stage for the sentences that pass the prefilter, and the decision for an
answer with refusal phrases: the main-request rule (``main_request``) over what it refuses and what it
gives (``giving``), unless its refusal words make no refusal (``not_refusals``; here, a referral with only the date
of the next edition) or only describe the figures given (a caveat, a note under a table)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..periods import years_in
from .answers import ANSWER_DATE, DIGIT, WORD_NUMBER, figure_positions, sentences
from .giving import first_giving
from .main_request import main_request_label
from .not_refusals import asks_figures, estimate_not_asked, policy_question, will_write
from .rules import (
    DISCLOSURE_CUES,
    HOLDING_CUES,
    LITERALS,
    OTHER_CUES,
    POINTER_CUES,
    PREFILTER_CUES,
    QUESTION_TIMING,
    Engine,
    caveat,
    engine,
)
from .subject import WHEN_QUESTION, is_data_body, question_body

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
        giving = first_giving(question, answer, answer_low, in_answer, refusing, sentence_spans)
        label = main_request_label(question, answer_low, refusing, giving, sentence_spans)
        if policy_question(question) and (
            chosen.category in ("other", "will_publish") or not asks_figures(question.lower())
        ):
            out.append(_OTHER_ROW)
            continue
        if (
            _next_edition(question, answer_low, phrases, giving)
            or will_write(answer_low, giving)
            or (
                chosen.category == "not_collected"
                and estimate_not_asked(question, answer_low[chosen.start : chosen.end])
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
