"""The label of an answer (``refusal``, ``partial``, ``disclosure``, ``other``) with its refusal
category and phrase: the cheap stage for every answer, the spaCy stage for the sentences that pass
the prefilter, and the tests that tell a partial answer (figures outside the refusing parts) from a
refusal and a disclosure from other answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .answers import ANSWER_DATE, DIGIT, WORD_NUMBER, figure_positions, sentences
from .rules import (
    DISCLOSURE_CUES,
    HOLDING_CUES,
    LITERALS,
    OTHER_CUES,
    POINTER_CUES,
    PREFILTER_CUES,
    QUESTION_TIMING,
    Engine,
    engine,
    procedural,
)
from .subject import WHEN_QUESTION, asks_for_data, is_data_body, question_body

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
    first). ``found``: the literals the answer contains (``LITERALS.find``)."""

    def outside(pos: int) -> bool:
        return not any(a <= pos < b for a, b in refusing)

    if any(outside(p) for p in DISCLOSURE_CUES.positions(answer_low, found)):
        return True
    if asks_for_data((question or "").lower()) and any(outside(p) for p in POINTER_CUES.positions(answer_low, found)):
        return True
    if DIGIT.search(answer_low) is None:
        return False
    for a, b in sentence_spans:
        if any(x <= a and b <= y for x, y in refusing):
            continue
        low = answer_low[a:b]
        if DIGIT.search(low) is None:
            continue
        # a figure in a sentence about the cost limit (£600, £850) is not an answer
        if "cost limit" in low or "threshold" in low or procedural(low):
            continue
        if any(outside(a + p) for p in figure_positions(answer[a:b], lower=low)):
            return True
    return False


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
