"""Text extraction from FOI documents, page by page, keeping tables as rows.

``extract_file(path, ...)`` sniffs what a file really is (not what its name says), extracts
its text per page (PDF pages, spreadsheet sheets, one page for other types), and never raises
for a bad file: problems come back as ``Extraction.status`` and ``Extraction.error``.

Table rows come out as one line each, cells joined with `` | `` (PDF tables, docx tables,
spreadsheet rows, CSV records, HTML tables), which is what :func:`pqcheck.figures.find_figures`
reads as table rows.

Statuses:

- ``ok``: text extracted from every page.
- ``partial``: some of the document was left out (page limit, character limit, timeout, or
  pages that could not be read); ``error`` says what. Pages that need OCR are still flagged.
- ``needs_ocr``: every page was read, but at least one has no usable text layer (a scan);
  those pages have ``needs_ocr=True`` and ``error`` lists them.
- ``empty``: the file was read but holds no text.
- ``encrypted``: a PDF that needs a password (the empty password was tried).
- ``corrupt``: the file could not be parsed (or read) at all.
- ``too_large``: over ``Limits.max_bytes`` (or, for ZIP-based formats, expands to over ten times
  that); not parsed.
- ``unsupported``: a type we do not extract (legacy .doc, RTF, other ZIP files, unknown binary).
  Images (a scanned letter sent as PNG/JPEG/TIFF) get ``needs_ocr`` with one flagged page.

``notes`` holds non-fatal remarks: the name or content type claimed another type than the bytes
are, the PDF text came from the pypdf fallback, the text was not UTF-8, and so on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Extraction", "Limits", "PageText", "extract_file"]


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
    needs_ocr: bool = False  # a PDF page with no text layer
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


UNSUPPORTED = {
    "doc": "legacy Word .doc files are not supported (ask for PDF or docx)",
    "rtf": "RTF files are not supported",
    "zip": "ZIP archives are not extracted",
}


def extract_file(
    path: str | Path,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    limits: Limits | None = None,
) -> Extraction:
    """Extract the text of the file at ``path``, page by page. Never raises for a bad file.

    ``filename`` (the original name, e.g. an attachment's) and ``content_type`` (MIME type or
    extension) are hints; the bytes decide what the file is. A mismatch is kept in ``notes``.
    """
    from pqcheck.extract.sniff import sniff

    limits = limits or Limits()
    path = Path(path)
    try:
        sniffed = sniff(path, filename, content_type)
    except OSError as error:
        return Extraction(None, status="corrupt", error=f"cannot read the file: {error.strerror or error}")
    except Exception as error:  # never raise for a bad file, even while sniffing it
        return Extraction(None, status="corrupt", error=_one_line(error))
    extraction = Extraction(sniffed.file_type, declared_type=sniffed.declared_type)
    if sniffed.mismatch:
        extraction.notes.append(
            f"named or declared as {sniffed.declared_type} but the content is {sniffed.file_type}; "
            f"extracted as {sniffed.file_type}"
        )
    if sniffed.size > limits.max_bytes:
        extraction.status = "too_large"
        extraction.error = f"file is {_mb(sniffed.size)}, over the {_mb(limits.max_bytes)} limit; not parsed"
        return extraction
    run = Run.start(limits)
    try:
        _dispatch(path, sniffed, run, extraction)
    except ExtractError as error:
        extraction.status, extraction.error = error.status, error.message
        extraction.pages = []
    except MemoryError:
        extraction.status, extraction.error, extraction.pages = "too_large", "ran out of memory while parsing", []
    except RecursionError:
        extraction.status, extraction.error, extraction.pages = "corrupt", "structure nested too deeply to parse", []
    except Exception as error:  # a parser choking on a bad file: report it, never raise
        extraction.status, extraction.error, extraction.pages = "corrupt", _one_line(error), []
    extraction.notes.extend(run.notes)
    if extraction.status == "ok":
        _settle_status(extraction, run)
    return extraction


def _dispatch(path: Path, sniffed, run: Run, extraction: Extraction) -> None:
    kind = sniffed.file_type
    if sniffed.encrypted:
        raise ExtractError("encrypted", f"{sniffed.detail}: needs a password")
    if sniffed.damaged:
        raise ExtractError("corrupt", f"{sniffed.detail}: cannot be opened")
    if kind == "pdf":
        from pqcheck.extract.pdf import extract_pdf

        extract_pdf(path, run, extraction)
    elif kind in {"docx", "xlsx", "xls", "ods", "odt"}:
        from pqcheck.extract import office

        office.EXTRACTORS[kind](path, run, extraction)
    elif kind == "csv":
        from pqcheck.extract.tabular import extract_csv

        extract_csv(path, sniffed.encoding, run, extraction)
    elif kind in {"html", "text"}:
        from pqcheck.extract.markup import extract_markup

        extract_markup(path, kind, sniffed.encoding, run, extraction)
    elif kind == "image":
        extraction.pages = [PageText(1, "", needs_ocr=True)]
        extraction.page_count = 1
        run.notes.append(f"an image ({sniffed.detail}): the text needs OCR")
    elif kind in UNSUPPORTED:
        detail = f" ({sniffed.detail})" if sniffed.detail else ""
        raise ExtractError("unsupported", UNSUPPORTED[kind] + detail)
    else:
        raise ExtractError("unsupported", f"unrecognised file type{': ' + sniffed.detail if sniffed.detail else ''}")


def _settle_status(extraction: Extraction, run: Run) -> None:
    """Status and error from what happened: cut short, pages needing OCR, or no text at all."""
    problems = list(run.cut)
    ocr_pages = [page.number for page in extraction.pages if page.needs_ocr]
    if ocr_pages:
        problems.append(_ocr_message(ocr_pages, len(extraction.pages)))
    if run.cut:
        extraction.status = "partial"
    elif ocr_pages:
        extraction.status = "needs_ocr"
    elif not any(page.text.strip() for page in extraction.pages):
        extraction.status = "empty"
        problems.append("no text found")
    extraction.error = "; ".join(problems) or None


def _ocr_message(numbers: list[int], total: int) -> str:
    if total == 1:
        return "no text layer (scanned?): needs OCR"
    if len(numbers) == total:
        return f"none of the {total} pages has a text layer (scanned?): needs OCR"
    shown = ", ".join(str(n) for n in numbers[:10]) + (", …" if len(numbers) > 10 else "")
    return f"{len(numbers)} of {total} pages have no text layer (scanned?), needing OCR: {shown}"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _one_line(error: BaseException) -> str:
    """``Type: message`` on one line, at most 300 characters."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"
