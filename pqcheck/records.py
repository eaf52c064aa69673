"""The records sources yield and savers store, and the one clock.

:class:`QuestionRecord` is a written question in the Parliament API's ``value`` shape;
:class:`FoiRequest` is an FOI request (WhatDoTheyKnow), release (GOV.UK) or local record, carrying
its :class:`FoiDocument` list; :class:`Contribution` is what a member said in a debate (Hansard).
Every timestamp pqcheck writes is an ISO 8601 UTC time to the second
ending ``+00:00``: :func:`now_iso` for now, :func:`iso_utc` for a given moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string (second precision)."""
    return iso_utc(datetime.now(UTC))


def iso_utc(moment: datetime) -> str:
    """A moment as pqcheck writes every timestamp: UTC, to the second, ending ``+00:00`` (naive is UTC)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(microsecond=0).isoformat()


@dataclass
class QuestionRecord:
    """One question in the API's ``value`` shape, with where and when it was read.

    ``complete`` is true when the record came from the detail endpoint: its texts are whole and
    its answer is HTML. A list record is not, even when nothing in it looks cut.
    """

    value: dict[str, Any]
    source_url: str
    fetched_at: str
    complete: bool = False


@dataclass
class FoiDocument:
    """One response message, attachment, or released file of a request.

    Give ``text`` for a message body already in text form, or ``path`` to a file to extract
    (downloaded into the cache, or a local file). ``key`` is stable within the request, e.g.
    ``"message:1352868"`` or ``"attachment:1352868:2:52658 Reply.pdf"``.
    """

    key: str
    kind: str  # "request", "response", "attachment", "release", "file"
    title: str | None = None
    url: str | None = None
    date: str | None = None  # YYYY-MM-DD
    filename: str | None = None
    content_type: str | None = None  # what the source says the file is (MIME type or extension)
    text: str | None = None
    path: Path | None = None
    sha256: str | None = None
    error: str | None = None  # set when the document could not be fetched (e.g. a 404)
    raw: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.key = _without_nul(self.key)


@dataclass
class FoiRequest:
    """One FOI request (WhatDoTheyKnow), release (GOV.UK) or local record."""

    source: str  # "wdtk", "govuk", "file"
    source_id: str
    url: str | None
    authority: str | None
    title: str | None
    authority_id: str | None = None  # WDTK url_name, GOV.UK organisation slug
    request_text: str | None = None
    outcome: str | None = None  # successful, partially_successful, not_held, rejected, released, ...
    date_requested: str | None = None  # YYYY-MM-DD
    date_responded: str | None = None  # YYYY-MM-DD: the first day of the date as known (a month, a year...)
    date_precision: str | None = None  # of date_responded: day (None), month, year, financial_year
    date_end: str | None = None  # the last day of date_responded's span (None: the day itself)
    source_url: str | None = None
    fetched_at: str | None = None
    raw: dict[str, Any] | None = None
    documents: list[FoiDocument] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.source_id = _without_nul(self.source_id)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"


@dataclass
class Contribution:
    """One spoken contribution in a debate, as Hansard records it, with where and when it was read.

    ``ext_id`` is Hansard's ``ContributionExtId`` (upper case: Hansard's ids compare without
    case); ``date`` is the sitting date (YYYY-MM-DD); ``text`` is plain text, ``html`` the markup
    it came from; ``department`` is the answering department's name as the debate gives it.
    """

    ext_id: str
    house: str | None
    date: str | None
    text: str
    member_id: int | None = None
    member_name: str | None = None
    attributed_to: str | None = None
    debate_title: str | None = None
    debate_ext_id: str | None = None
    section: str | None = None  # where it was said: "Commons Chamber", "Westminster Hall"
    department: str | None = None
    html: str | None = None
    url: str | None = None
    source_url: str | None = None
    fetched_at: str | None = None
    raw: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.ext_id = _without_nul(self.ext_id).upper()


def _without_nul(key: str) -> str:
    """A key without NUL characters: SQLite's JSON functions, which pick rows by key for the
    full-text indexes, cut text at a NUL, so a row keyed with one would never be found again."""
    return key.replace("\x00", "")
