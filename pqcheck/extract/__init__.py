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
- ``needs_ocr``: every page was read, but at least one has no usable text layer (a scan) and
  could not be read with OCR; those pages have ``needs_ocr=True`` and ``error`` lists them.
- ``empty``: the file was read but holds no text.
- ``encrypted``: a PDF that needs a password (the empty password was tried).
- ``corrupt``: the file could not be parsed (or read) at all.
- ``too_large``: over ``Limits.max_bytes`` (or, for ZIP-based formats, expands to over ten times
  that); not parsed.
- ``unsupported``: a type we do not extract (legacy .doc, RTF, other ZIP files, unknown binary).
  Images (a scanned letter sent as PNG/JPEG/TIFF) get ``needs_ocr`` with one flagged page.

Pages with no text layer (and image files) are read with Tesseract when it is installed
(:mod:`pqcheck.extract.ocr`): such a page has ``ocr=True`` and its ``ocr_confidence``, and counts
as read. Without Tesseract they stay ``needs_ocr``.

``notes`` holds non-fatal remarks: the name or content type claimed another type than the bytes
are, the PDF text came from the pypdf fallback, the text was not UTF-8, and so on.
"""

from __future__ import annotations

from pathlib import Path

from .model import ExtractError, Extraction, Limits, PageText, Run

__all__ = ["Extraction", "Limits", "PageText", "extract_file"]


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
    ocr: bool = True,
) -> Extraction:
    """Extract the text of the file at ``path``, page by page. Never raises for a bad file.

    ``filename`` (the original name, e.g. an attachment's) and ``content_type`` (MIME type or
    extension) are hints; the bytes decide what the file is. A mismatch is kept in ``notes``.
    With ``ocr`` (the default), pages with no text layer are read with Tesseract when it is installed.
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
        if ocr:
            _read_scans(path, run, extraction)
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
        run.notes.append(f"an image ({sniffed.detail}): its text can only be read with OCR")
    elif kind in UNSUPPORTED:
        detail = f" ({sniffed.detail})" if sniffed.detail else ""
        raise ExtractError("unsupported", UNSUPPORTED[kind] + detail)
    else:
        raise ExtractError("unsupported", f"unrecognised file type{': ' + sniffed.detail if sniffed.detail else ''}")


def _read_scans(path: Path, run: Run, extraction: Extraction) -> None:
    """Pages flagged ``needs_ocr`` read with Tesseract, when any are and it is installed."""
    if any(page.needs_ocr for page in extraction.pages):
        from pqcheck.extract import ocr

        ocr.apply(path, extraction, run)


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
