"""Refusal detection: does a written answer decline to give the information, how, and about what?

INTERFACE (being implemented): other modules rely on these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS = ("refusal", "partial", "disclosure", "other")
CATEGORIES = (
    "not_held_centrally",  # not held centrally / no central record
    "not_collected",  # not collected or recorded
    "disproportionate_cost",
    "not_in_format",  # not in the format requested / would need manual review of records
    "not_available",  # not available / not published
    "will_publish",  # will be published later
    "other",
)


@dataclass
class Classification:
    label: str  # one of LABELS
    category: str | None = None  # one of CATEGORIES when label is refusal or partial
    phrase: str | None = None  # the refusal phrase as it appears in the answer
    start: int | None = None  # offsets of phrase in the answer text
    end: int | None = None
    subject: str | None = None  # what information was asked for, from the question
    subject_terms: list[str] = field(default_factory=list)  # lower-case lemmas, most specific first
    period: str | None = None  # the period asked about, as written ("2010 to 2019")
    period_start: str | None = None  # YYYY-MM-DD
    period_end: str | None = None
