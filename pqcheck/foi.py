"""FOI requests and releases, their documents, and saving them with their text and figures.

Every source (WhatDoTheyKnow, GOV.UK, local files) yields :class:`FoiRequest` objects; each
carries its :class:`FoiDocument` list (messages with text, attachments as files). ``ingest``
extracts the text of each document page by page, finds the figures, and saves everything in
one transaction per request. A document that cannot be read gets a status and an error
message; the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    date_requested: str | None = None
    date_responded: str | None = None
    source_url: str | None = None
    fetched_at: str | None = None
    raw: dict[str, Any] | None = None
    documents: list[FoiDocument] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"
