"""Text extraction from FOI documents, page by page, keeping tables as rows.

``extract_file(path, ...)`` sniffs what a file really is (not what its name says), extracts
its text per page (PDF pages, spreadsheet sheets, one page for other types), and never raises
for a bad file: problems come back as ``Extraction.status`` and ``Extraction.error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Limits:
    """Guards against enormous inputs; all configurable from the command line."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    timeout_seconds: float = 120.0


@dataclass
class PageText:
    number: int  # 1-based: a PDF page, a spreadsheet sheet, or 1 for single-page formats
    text: str
    needs_ocr: bool = False  # a PDF page with no text layer


@dataclass
class Extraction:
    file_type: str | None  # pdf, docx, xlsx, xls, ods, csv, html, text, or None if unknown
    pages: list[PageText] = field(default_factory=list)
    status: str = "ok"  # ok, partial, needs_ocr, encrypted, corrupt, too_large, unsupported, empty
    error: str | None = None
