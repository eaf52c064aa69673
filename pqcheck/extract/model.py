"""What an extraction is: its limits, its pages, its outcome, and the book-keeping of one run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Limits:
    """Guards against enormous inputs; all configurable from the command line."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    timeout_seconds: float = 120.0  # checked between pages (and spreadsheet rows), not within one
    max_chars: int = 20_000_000  # text kept per document; the rest is dropped (status partial)


@dataclass
class PageText:
    number: int  # 1-based: a PDF page, a spreadsheet sheet, or 1 for single-page formats
    text: str
    needs_ocr: bool = False  # a PDF page with no text layer (or an image), not read with OCR
    ocr: bool = False  # the text was read with OCR (Tesseract)
    ocr_confidence: float | None = None  # the mean confidence (0-100) of the OCR'd words
    label: str | None = None  # the sheet name for spreadsheets


@dataclass
class Extraction:
    file_type: str | None  # pdf, docx, xlsx, xls, ods, odt, csv, html, text, image, doc, rtf, zip, or None
    pages: list[PageText] = field(default_factory=list)
    status: str = "ok"  # ok, partial, needs_ocr, encrypted, corrupt, too_large, unsupported, empty
    error: str | None = None  # one line, set whenever status is not "ok"
    declared_type: str | None = None  # what the filename / content type claimed, when either did
    page_count: int | None = None  # pages (sheets) in the source, including any not extracted
    notes: list[str] = field(default_factory=list)  # non-fatal remarks, e.g. a type mismatch

    @property
    def text(self) -> str:
        """All pages' text, separated by blank lines."""
        return "\n\n".join(page.text for page in self.pages if page.text)

    @property
    def type_mismatch(self) -> bool:
        """True when the name or content type claimed another kind of file than the bytes are."""
        if self.declared_type is None or self.file_type is None or self.declared_type == self.file_type:
            return False
        return {self.declared_type, self.file_type} != {"text", "csv"}


class ExtractError(Exception):
    """A problem with the file that ends its extraction: ``status`` and a one-line message."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Run:
    """Book-keeping shared by the extractors: limits, the deadline, characters left, what was cut."""

    limits: Limits
    deadline: float
    chars_left: int
    cut: list[str] = field(default_factory=list)  # why some of the document was left out
    notes: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, limits: Limits) -> Run:
        return cls(limits=limits, deadline=time.monotonic() + limits.timeout_seconds, chars_left=limits.max_chars)

    def timed_out(self) -> bool:
        return time.monotonic() > self.deadline

    def take(self, text: str) -> str:
        """``text``, shortened to the characters still allowed (noting the cut once)."""
        if len(text) <= self.chars_left:
            self.chars_left -= len(text)
            return text
        kept = text[: max(self.chars_left, 0)]
        self.chars_left = 0
        self.cut_once(f"text cut at the {self.limits.max_chars:,}-character limit")
        return kept

    def cut_once(self, reason: str) -> None:
        if reason not in self.cut:
            self.cut.append(reason)

    @property
    def full(self) -> bool:
        return self.chars_left <= 0
