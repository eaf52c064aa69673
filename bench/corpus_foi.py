"""FOI records for the scale corpus, in the record format of ``pqcheck import foi`` (docs/foi.md).

Each record is one request with ``id, url, authority, date, title, request_text, response_text,
outcome``: a WhatDoTheyKnow-style request (or a GOV.UK release) to a department or one of its
agencies, answered 2014-2025, with the response letter an FOI team writes for its outcome:
figures in a sentence and a table for a disclosure, "not held" for ``not_held``, a cost or
exemption refusal for ``rejected``, nothing yet for ``waiting_response``. Most are on one of the
department's topics (``generate_questions.TOPICS``); the others are distractors for the planted
pairs, on the countable subjects (``corpus_words.SUBJECTS``): asked of another department, or
denied. :func:`FoiGenerator.planted_record` writes the disclosure that contradicts a planted
refusal: same department, same subject and place, the years asked about and their figures.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

from pqcheck.departments import department_index

from .corpus_words import SUBJECTS
from .generate_questions import DEPARTMENTS, END, FIRST_NAMES, PLACES, START, SURNAMES, TOPICS

OUTCOMES = {
    "successful": 44,
    "partially_successful": 14,
    "released": 8,
    "not_held": 15,
    "rejected": 15,
    "waiting_response": 4,
}
DISCLOSED = ("successful", "partially_successful", "released")
DENIED = ("not_held", "rejected", "waiting_response")
COUNTABLE_SHARE = 0.3  # distractors: requests on a countable subject (the rest on the department's topics)
AGENCY_SHARE = 0.25
BREAKDOWNS = ("", "", ", broken down by region", ", broken down by month", ", broken down by age and sex")
REVIEW = (
    "If you are dissatisfied with this response you may request an internal review within two months. "
    "If you remain dissatisfied after an internal review, you may complain to the Information "
    "Commissioner under section 50 of the Freedom of Information Act."
)
CAVEATS = (
    "The figures are taken from a live operational database and are provisional management information.",
    "Figures of fewer than 5 have been suppressed to protect the identity of individuals.",
    "These figures have not been assured to the standard of Official Statistics.",
    "",
)
REFUSED = (
    "We estimate that the cost of complying with your request would exceed the appropriate limit of £600, "
    "so under section 12 of the Act we are not obliged to comply with it. The information is held in "
    "individual case files and could only be found by a manual search of each of them.",
    "The information you have requested is exempt from disclosure under section 40(2) of the Act, "
    "as it is the personal data of third parties.",
    "The information is exempt under section 31(1)(a) of the Act: its release would be likely to "
    "prejudice the prevention or detection of crime. The public interest favours withholding it.",
)
NOT_HELD = (
    "I can confirm that {authority} does not hold the information you have requested. "
    "The Department does not record {subject} centrally.",
    "Having searched its records, {authority} has found no information within the scope of your request.",
)
_KEYS = [(key, weight) for key, weight, _c, eras in DEPARTMENTS if department_index().lookup(answering_body=eras[0][1])]


class FoiGenerator:
    """Seeded FOI records: ``record(n)`` makes the ``n``-th of the corpus, ``planted_record`` a pair's."""

    def __init__(self, seed: int, index: int):
        self.rng = random.Random(f"{seed}:foi:{index}")
        self.keys = [k for k, _ in _KEYS]
        self.weights = [w for _, w in _KEYS]

    def record(self, n: int) -> dict[str, Any]:
        rng = self.rng
        key = rng.choices(self.keys, self.weights)[0]
        responded = START + timedelta(days=rng.randrange((END - START).days))
        department = _department(key, responded)
        outcome = rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]
        heading, subject = rng.choice(TOPICS[key])
        countable = rng.random() < COUNTABLE_SHARE
        if countable:  # denied by this department, or asked of another one
            if key in SUBJECTS and (outcome in DENIED or rng.random() < 0.5):
                outcome = rng.choice(DENIED)
            else:
                key = rng.choice([k for k in SUBJECTS if k != key])
            heading, subject = rng.choice(SUBJECTS[key])
            subject = f"{subject} in {rng.choice(PLACES)}"
        last = responded.year - rng.randint(0, 2)
        first = last - rng.randint(1, 5)
        figures = [[year, int(rng.lognormvariate(4.5, 1.6))] for year in range(first, last + 1)]
        return self._record(n, department, heading, subject, countable, responded, (first, last), figures, outcome)

    def planted_record(self, n: int, pair: dict[str, Any]) -> dict[str, Any]:
        """The disclosure a planted refusal contradicts, answered within 400 days of it."""
        rng = self.rng
        answered = date.fromisoformat(pair["date_answered"])
        responded = min(END, answered + timedelta(days=rng.randint(-400, 400)))
        department = _department(pair["department"], answered)
        outcome = rng.choice(DISCLOSED)
        first, last = pair["years"]
        return self._record(
            n, department, pair["heading"], pair["subject"], True, responded, (first, last), pair["figures"], outcome
        )

    def _record(self, n, department, heading, subject, countable, responded, years, figures, outcome):
        rng = self.rng
        first, last = years
        authority = department["name"]
        if department["agencies"] and rng.random() < AGENCY_SHARE:
            authority = rng.choice(department["agencies"])["name"]
        title = _title(rng, heading, subject, countable, first, last)
        slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50]
        if outcome == "released":
            source_id, url = f"R{n:07d}", f"https://www.gov.uk/government/publications/foi-release-{slug}-{n}"
        else:
            source_id, url = f"{n:07d}", f"https://www.whatdotheyknow.com/request/{slug}_{n}"
        asked = f"Please provide the number of {subject} in each year from {first} to {last}{rng.choice(BREAKDOWNS)}."
        if not countable:
            asked = f"Please provide any figures you hold on {subject} for each year from {first} to {last}."
        requester = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        request_text = f"Dear {authority},\n\n{asked}\n\nYours faithfully,\n\n{requester}"
        response = None
        if outcome != "waiting_response":
            response = self._response(n, authority, subject, countable, asked, responded, years, figures, outcome)
        return {
            "id": source_id,
            "url": url,
            "authority": authority,
            "date": responded.isoformat(),
            "title": title,
            "request_text": request_text,
            "response_text": response,
            "outcome": outcome,
        }

    def _response(self, n, authority, subject, countable, asked, responded, years, figures, outcome) -> str:
        rng = self.rng
        first, last = years
        received = responded - timedelta(days=rng.randint(10, 40))
        parts = [
            "Dear Requester,",
            f"Freedom of Information request – {n + 40000}",
            f'Thank you for your email of {received.day} {received:%B %Y}, in which you asked: "{asked}"',
            "Your request has been handled under the Freedom of Information Act 2000.",
        ]
        if outcome in DISCLOSED:
            total = sum(count for _, count in figures)
            what = subject if countable else f"records relating to {subject}"
            parts.append(
                f"I can confirm that {authority} holds the information you requested. Between {first} and "
                f"{last} there were {total:,} {what}; in {last} there were {figures[-1][1]:,}."
            )
            rows = "\n".join(f"{year} | {count:,}" for year, count in figures)
            parts.append(f"Table 1: {what[0].upper()}{what[1:]}, {first} to {last}\nYear | Number\n{rows}")
            parts.append(rng.choice(CAVEATS))
            if outcome == "partially_successful":
                parts.append("The remaining information you asked for is not held.")
        elif outcome == "not_held":
            parts.append(rng.choice(NOT_HELD).format(authority=authority, subject=subject))
        else:
            parts.append(rng.choice(REFUSED))
        parts += [REVIEW, "Yours sincerely,", f"{authority} FOI Team"]
        return "\n\n".join(p for p in parts if p)


def _department(key: str, day: date) -> dict[str, Any]:
    """The canonical department (from pqcheck's mapping) of department ``key`` on ``day``."""
    eras = next(eras for k, _w, _c, eras in DEPARTMENTS if k == key)
    body = next(b for until, b, _n, _a in eras if until is None or day.isoformat() < until)
    index = department_index()
    return index.departments[index.lookup(answering_body=body)]


def _title(rng: random.Random, heading: str, subject: str, countable: bool, first: int, last: int) -> str:
    if not countable:
        return rng.choice((heading, f"Information on {subject}", f"FOI request: {heading} {last}"))
    return rng.choice(
        (
            f"{subject[0].upper()}{subject[1:]} {first} to {last}",
            f"Number of {subject}",
            f"{heading} ({first}-{last})",
        )
    )
