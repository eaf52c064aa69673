"""Written answers for the scale corpus, made in chunks by ``generate_questions.Generator``.

Each chunk is the generator's list-endpoint items for one seeded stream (the members and
ministers come from the corpus seed, so they are the same in every chunk), with ids and UINs
renumbered so that they stay unique across chunks and still follow the tabling dates. Refusals
use the wordings of every category (``corpus_words.REFUSALS``), and a few answered questions
are turned into planted refusals: "how many <subject> in <place> ... in each year from A to
B", refused, with the figures an FOI disclosure will give (``corpus_foi.planted_record``). The
place makes each pair's subject its own: no other disclosure of the department answers it. It is
two places ("Ealing and Dover", :func:`planted_places`), each pair of the corpus its own, so that
no two planted refusals ask the same question (one place each gave 2,900 subjects and places for
3,750 pairs at full scale: most of them shared theirs with another pair, whose disclosure was then
as right as their own).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date
from typing import Any

from .corpus_words import CATEGORIES, GENERIC_REFUSALS, REFUSALS, SUBJECTS
from .generate_questions import DEPARTMENTS, LIST_TEXT_LIMIT, PLACES, REFUSAL_VARIANTS, START, Generator

FIRST_ID = 180_000  # where generate_questions numbers from
BODY_KEYS = {body: key for key, *_, eras in reversed(DEPARTMENTS) for _u, body, _n, _a in eras}
_HEAD = re.compile(
    r"To ask (?:(?:His|Her) Majesty's Government|"
    + "|".join(sorted({re.escape(a) for *_, eras in DEPARTMENTS for *_, a in eras}, key=len, reverse=True))
    + ")"
)
# Generator's filler sentences that decline ("... will be published in due course", "we do not
# comment on ...", "... does not hold information on X in the format requested") are 3 of its 16,
# and a long answer has several fillers: 42% of the answers were labelled refusal or partial, against
# 6.8% of the 1,007 real answers in shared/samples/parliament. A declining filler is kept with
# probability REFUSING_FILLER (redrawn otherwise): 12.8% of the answers are then labelled so.
REFUSING_FILLER = 0.05
_REFUSING_FILLER = re.compile(r"in due course|do not comment|does not hold information")
LEADS = ("", "", "The Government takes this issue seriously. ", "I refer the hon. Member to my earlier answer. ")


class AnswerGenerator(Generator):
    """``Generator`` whose refusals are worded in every category, counted in ``refusals``."""

    def __init__(self, seed: int):
        super().__init__(seed=seed)
        self.refusals: Counter[str] = Counter()
        # a grouped question may be tabled up to 4 days before its group's date, which can fall in
        # the year before START: Generator has no pronoun for that year
        for key in self.dept_keys:
            self.pronouns[(key, START.year - 1)] = self.pronouns[(key, START.year)]

    def _answer_paragraphs(self, key, phrase, the_body, answered, long, refusal):
        paragraphs = super()._answer_paragraphs(key, phrase, the_body, answered, long, refusal)
        if refusal:
            index = next(i for i, p in enumerate(paragraphs) if p in REFUSAL_VARIANTS)
            category = self.rng.choice(CATEGORIES)
            paragraphs[index] = self.rng.choice(GENERIC_REFUSALS[category]).format(year=answered.year)
            self.refusals[category] += 1
        return paragraphs

    def _sentence(self, key, phrase, the_body, answered):
        """A filler sentence; one that declines (most long answers have several fillers) only now and then,
        so that about as many answers refuse as in the real record (see ``REFUSING_FILLER``)."""
        sentence = super()._sentence(key, phrase, the_body, answered)
        while _REFUSING_FILLER.search(sentence) and self.rng.random() >= REFUSING_FILLER:
            sentence = super()._sentence(key, phrase, the_body, answered)
        return sentence

    def chunk(self, seed: int, index: int, size: int, chunks: int) -> list[dict[str, Any]]:
        """The items of chunk ``index`` of ``chunks``, in the list endpoint's order."""
        self.rng = random.Random(f"{seed}:answers:{index}")
        items = self.items(size)
        for item in items:
            value = item["value"]
            value["id"] = FIRST_ID + (value["id"] - FIRST_ID) * chunks + index
            value["uin"] = _uin(value["uin"], index, chunks)
            value["groupedQuestions"] = [_uin(u, index, chunks) for u in value["groupedQuestions"]]
            for group in value["groupedQuestionsDates"]:
                group["questionUin"] = _uin(group["questionUin"], index, chunks)
            item["links"][0]["href"] = f"/Questions/{value['id']}"
        return items


def _uin(uin: str, index: int, chunks: int) -> str:
    lords = uin.startswith("HL")
    number = int(uin[2:] if lords else uin) * chunks + index
    return f"HL{number}" if lords else str(number)


def activity(value: dict[str, Any]) -> str:
    """The sort key of the list endpoint's order: latest dated activity, then id."""
    dates = (value["dateTabled"], value["dateAnswered"], value["dateAnswerCorrected"], value["dateHoldingAnswer"])
    return f"{max(d for d in dates if d)[:10]}{value['id']:012d}"


def _plantable(value: dict[str, Any]) -> bool:
    return (
        value["answerIsHolding"] is False
        and value["answerIsCorrection"] is False
        and not value["groupedQuestions"]
        and not value["isWithdrawn"]
        and BODY_KEYS.get(value["answeringBodyId"]) in SUBJECTS
        and _HEAD.match(value["questionText"]) is not None
    )


def planted_places(seed: int) -> list[str]:
    """Every two-place name ("Ealing and Dover") in an order of the seed's: the planted pairs' places."""
    places = [f"{a} and {b}" for a in PLACES for b in PLACES if a != b]
    random.Random(f"{seed}:places").shuffle(places)
    return places


def plant(items: list[dict[str, Any]], rng: random.Random, places: list[str]) -> list[dict[str, Any]]:
    """Turn as many answered questions as ``places`` into refusals of a countable subject in those
    places; their pairs."""
    eligible = [item["value"] for item in items if _plantable(item["value"])]
    pairs = []
    chosen = sorted(rng.sample(eligible, min(len(places), len(eligible))), key=lambda v: v["id"])
    for value, place in zip(chosen, places, strict=False):
        key = BODY_KEYS[value["answeringBodyId"]]
        heading, subject = rng.choice(SUBJECTS[key])
        subject = f"{subject} in {place}"
        answered = date.fromisoformat(value["dateAnswered"][:10])
        last = answered.year - 1
        first = last - rng.randint(2, 5)
        head = _HEAD.match(value["questionText"]).group(0)
        separator = " " if head.endswith("Government") else ", "
        question = f"{head}{separator}how many {subject} there were in each year from {first} to {last}."
        category = rng.choice(CATEGORIES)
        answer = rng.choice(LEADS) + rng.choice(REFUSALS[category]).format(s=subject, year=last + 1)
        assert len(question) < LIST_TEXT_LIMIT and len(answer) < LIST_TEXT_LIMIT, (question, answer)
        value.update(questionText=question, answerText=answer, heading=heading)
        pairs.append(
            {
                "question_id": value["id"],
                "department": key,
                "answering_body_id": value["answeringBodyId"],
                "heading": heading,
                "subject": subject,
                "category": category,
                "date_answered": answered.isoformat(),
                "years": [first, last],
                "figures": [[year, int(rng.lognormvariate(5, 1.3)) + 5] for year in range(first, last + 1)],
            }
        )
    return pairs
