"""PDF text per page with pdfplumber, tables kept as ``a | b | c`` rows where they stand on the page.

For each page: ``find_tables()`` finds ruled tables; the words outside them are grouped into
lines top to bottom (a wide gap between words, as in a table without rules, becomes three
spaces so the columns stay visible; a tall gap between lines becomes a blank line); each table's
rows are placed between the lines at the table's position. Each page is closed after use, so
pdfplumber's caches do not grow with the document.

A page with no usable text layer but with something drawn on it (a scanned image, vector
outlines) or whose only text is a few characters over a page-sized image is flagged
``needs_ocr``. A PDF that pdfplumber (pdfminer) cannot open falls back to pypdf (text only, no
table detection); a page pdfplumber fails on is read with pypdf; and when pdfplumber finds no
text and nothing drawn on any page, pypdf gets a second look. Encrypted PDFs are opened with
the empty password when that works; otherwise the status is ``encrypted``.
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
from collections.abc import Callable
from pathlib import Path

from pqcheck.extract.model import ExtractError, Extraction, PageText, Run

log = logging.getLogger(__name__)

LINE_TOLERANCE = 3.0  # points: words whose tops differ by less are on one line
COLUMN_GAP = 1.0  # a gap between words wider than this many line heights separates columns
COLUMN_SEPARATOR = "   "
OCR_MAX_CHARS = 40  # a page with fewer non-space characters than this …
OCR_IMAGE_COVER = 0.3  # … and images over this share of its area is a scan with a stamp
_CID = re.compile(r"\(cid:\d+\)")


def extract_pdf(path: Path, run: Run, extraction: Extraction) -> None:
    import pdfplumber

    pdf = None
    try:
        pdf = pdfplumber.open(path, password="", raise_unicode_errors=False)
        pages = pdf.pages  # parses the page tree; a broken one fails here rather than mid-document
    except Exception as error:
        if pdf is not None:
            pdf.close()
        if _is_password_error(error):
            _pypdf_document(path, run, extraction, encrypted=True)
            return
        log.debug("pdfplumber could not open %s: %s", path, error)
        _pypdf_document(path, run, extraction, reason=_short(error))
        return
    fallback = _PypdfPages(path)
    try:
        if _is_encrypted(pdf):
            run.notes.append("encrypted PDF opened with the empty password")
        extraction.page_count = len(pages)
        for index, page in enumerate(pages):
            if not _page_allowed(index, len(pages), run):
                break
            try:
                text, needs_ocr = page_text(page)
            except Exception as error:  # one bad page: read it with pypdf instead
                text, needs_ocr = fallback.page(index, run, error)
            finally:
                page.close()
            extraction.pages.append(PageText(index + 1, run.take(text), needs_ocr=needs_ocr))
    finally:
        pdf.close()
    if extraction.pages and not any(page.text or page.needs_ocr for page in extraction.pages):
        _second_opinion(path, run, extraction)


def _second_opinion(path: Path, run: Run, extraction: Extraction) -> None:
    """pdfplumber found no text and nothing drawn (a damaged stream it skipped?): ask pypdf."""
    try:
        reader = _open_pypdf(path)
        texts = [_pypdf_page_text(reader.pages[page.number - 1])[0] for page in extraction.pages]
    except Exception:
        return
    if any(texts):
        for page, text in zip(extraction.pages, texts, strict=True):
            page.text = run.take(text)
        run.notes.append("pdfplumber found no text; text from pypdf, without table detection")


def _page_allowed(index: int, total: int, run: Run) -> bool:
    if index >= run.limits.max_pages:
        run.cut_once(f"kept the first {run.limits.max_pages} of {total} pages (page limit)")
        return False
    if index and run.timed_out():
        run.cut_once(f"timed out after {run.limits.timeout_seconds:g} s: kept {index} of {total} pages")
        return False
    if run.full:
        run.cut_once(f"kept {index} of {total} pages (character limit)")
        return False
    return True


def page_text(page) -> tuple[str, bool]:
    """The text of one pdfplumber page, tables as rows, and whether it needs OCR."""
    tables = [table for table in page.find_tables() if table.cells]
    boxes = [table.bbox for table in tables]
    source = page.filter(_outside(boxes)) if boxes else page
    words = source.extract_words(x_tolerance=3, y_tolerance=3, keep_blank_chars=False, use_text_flow=False)
    blocks: list[tuple[float, int, str]] = []  # (top, order, text)
    lines = _lines(words)
    for order, (top, text, gap_before) in enumerate(lines):
        blocks.append((top, order, ("\n" if gap_before else "") + text))
    for table in tables:
        rows = _table_rows(table.extract())
        if rows:
            blocks.append((table.bbox[1], -1, "\n" + "\n".join(rows) + "\n"))
    blocks.sort(key=lambda block: (block[0], block[1]))
    text = "\n".join(text for _, _, text in blocks)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return _check_ocr(page, text)


def _outside(boxes: list[tuple[float, float, float, float]]) -> Callable[[dict], bool]:
    def keep(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    return keep


def _lines(words: list[dict]) -> list[tuple[float, str, bool]]:
    """Words grouped into lines: (top, text, paragraph break before)."""
    if not words:
        return []
    words = sorted(words, key=lambda w: (round(w["top"]), w["x0"]))
    groups: list[list[dict]] = []
    for word in words:
        if groups and abs(word["top"] - groups[-1][0]["top"]) <= LINE_TOLERANCE:
            groups[-1].append(word)
        else:
            groups.append([word])
    spans = []
    for group in groups:
        group.sort(key=lambda w: w["x0"])
        height = max(statistics.median(w["bottom"] - w["top"] for w in group), 1.0)
        parts = [group[0]["text"]]
        for previous, word in itertools.pairwise(group):
            gap = word["x0"] - previous["x1"]
            parts.append(COLUMN_SEPARATOR if gap > COLUMN_GAP * height else " ")
            parts.append(word["text"])
        top = min(w["top"] for w in group)
        bottom = max(w["bottom"] for w in group)
        spans.append((top, bottom, height, "".join(parts)))
    gaps = [spans[i][0] - spans[i - 1][1] for i in range(1, len(spans))]
    usual = statistics.median(gaps) if gaps else 0.0
    out = []
    for i, (top, _, height, text) in enumerate(spans):
        gap = gaps[i - 1] if i else 0.0
        out.append((top, text, i > 0 and gap > max(usual + 0.5 * height, 0.3 * height)))
    return out


def _table_rows(rows: list[list[str | None]]) -> list[str]:
    """``a | b | c`` per row; columns empty in every row dropped (pdfplumber's merged-cell ghosts)."""
    from pqcheck.extract.common import clean_cell

    cleaned = [[clean_cell(cell) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return []
    width = max(len(row) for row in cleaned)
    used = [any(i < len(row) and row[i] for row in cleaned) for i in range(width)]
    return [" | ".join(cell for i, cell in enumerate(row) if used[i]) for row in cleaned]


def _check_ocr(page, text: str) -> tuple[str, bool]:
    """(text, needs_ocr): no text but something drawn; unreadable (cid) text; a stamp on a scan."""
    visible = "".join(text.split())
    if visible and _CID.search(text):
        garbage = sum(len(m) for m in _CID.findall(visible))
        if garbage > len(visible) / 2:
            return "", True  # a font without a Unicode map: the text layer is unusable
    if not visible:
        drawn = bool(page.images or page.rects or page.curves or page.lines)
        return "", drawn
    if len(visible) < OCR_MAX_CHARS and page.images:
        area = float(page.width * page.height) or 1.0
        covered = sum(
            max(0.0, min(img["x1"], page.width) - max(img["x0"], 0))
            * max(0.0, min(img["bottom"], page.height) - max(img["top"], 0))
            for img in page.images
        )
        if covered / area >= OCR_IMAGE_COVER:
            return text, True
    return text, False


# --- pypdf fallback ----------------------------------------------------------------------------


class _PypdfPages:
    """A pypdf reader opened on first need, for pages pdfplumber fails on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader = None
        self.failed = False

    def page(self, index: int, run: Run, error: Exception) -> tuple[str, bool]:
        if self.reader is None and not self.failed:
            try:
                self.reader = _open_pypdf(self.path)
            except Exception:
                self.failed = True
        if self.reader is not None:
            try:
                text, needs_ocr = _pypdf_page_text(self.reader.pages[index])
                run.notes.append(f"page {index + 1} read with pypdf ({_short(error)})")
                return text, needs_ocr
            except Exception as second:
                error = second
        run.cut_once(f"page {index + 1} could not be read ({_short(error)})")
        return "", False


def _open_pypdf(path: Path):
    import pypdf

    reader = pypdf.PdfReader(str(path), strict=False)
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except Exception as error:  # e.g. an algorithm pypdf cannot handle here
            raise ExtractError("encrypted", f"encrypted PDF that could not be decrypted ({_short(error)})") from error
        if not decrypted:
            raise ExtractError("encrypted", "encrypted PDF: a password is needed to open it (the empty one failed)")
    return reader


def _pypdf_document(
    path: Path, run: Run, extraction: Extraction, *, reason: str | None = None, encrypted: bool = False
) -> None:
    """The whole document through pypdf, after pdfplumber failed to open it."""
    try:
        reader = _open_pypdf(path)
        total = len(reader.pages)
    except ExtractError:
        raise
    except Exception as error:
        if encrypted:
            raise ExtractError("encrypted", "encrypted PDF: a password is needed to open it") from error
        raise ExtractError("corrupt", f"unreadable PDF: {reason or _short(error)}") from error
    if encrypted:
        run.notes.append("encrypted PDF decrypted by pypdf with the empty password; text from pypdf")
    else:
        run.notes.append(f"pdfplumber could not open it ({reason}); text from pypdf, without table detection")
    extraction.page_count = total
    if total == 0:
        raise ExtractError("corrupt", f"unreadable PDF: no pages found ({reason or 'pypdf'})")
    failures = 0
    for index in range(total):
        if not _page_allowed(index, total, run):
            break
        try:
            text, needs_ocr = _pypdf_page_text(reader.pages[index])
        except Exception as error:
            failures += 1
            run.cut_once(f"page {index + 1} could not be read ({_short(error)})")
            text, needs_ocr = "", False
        extraction.pages.append(PageText(index + 1, run.take(text), needs_ocr=needs_ocr))
    if failures == len(extraction.pages):
        raise ExtractError("corrupt", f"unreadable PDF: {reason or 'no page could be read'}")


def _pypdf_page_text(page) -> tuple[str, bool]:
    text = page.extract_text() or ""
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")
    if "".join(text.split()):
        return text, False
    resources = page.get("/Resources") or {}
    try:
        drawn = bool(resources.get("/XObject")) or bool(page.get_contents())
    except Exception:
        drawn = True
    return "", drawn


def _is_password_error(error: BaseException) -> bool:
    seen = 0
    while error is not None and seen < 5:
        if type(error).__name__ in {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"}:
            return True
        error = error.__cause__ or error.__context__ or (error.args[0] if error.args else None)
        if not isinstance(error, BaseException):
            return False
        seen += 1
    return False


def _is_encrypted(pdf) -> bool:
    try:
        return bool(pdf.doc.encryption)
    except AttributeError:
        return False


def _short(error: BaseException) -> str:
    """``Type: message`` of a parser error (unwrapping pdfplumber's wrapper), printable, at most 160 chars."""
    if type(error).__name__ == "PdfminerException" and error.args and isinstance(error.args[0], BaseException):
        error = error.args[0]
    message = " ".join(str(error).split())
    message = "".join(ch if ch.isprintable() else "?" for ch in message)
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 160 else text[:159] + "…"
