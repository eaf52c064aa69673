"""OCR of scanned pages with Tesseract, through pytesseract: an optional part.

pytesseract calls Debian's ``tesseract`` program (``tesseract-ocr`` with ``tesseract-ocr-eng``)
on one page image at a time and is a few kilobytes of Python; ocrmypdf would rewrite whole PDFs
with a text layer, pulling in Ghostscript, qpdf and a pipeline pqcheck does not need, since it
keeps text per page in its own tables. A PDF page is rendered with pypdfium2 (already installed
with pdfplumber) at :data:`DPI`; an image file is read with Pillow. Table rules are painted out
first (:func:`without_rules`): Tesseract reads nothing inside a ruled table otherwise.

Each page is read with one ``image_to_data`` call: its words come with their boxes and
confidences, and are laid out again here as lines, top to bottom, a wide gap between words
(a table's columns) kept as three spaces, as :mod:`pqcheck.extract.pdf` writes rule-less tables,
so :func:`pqcheck.figures.find_figures` reads table rows in OCR text as on any page. The page's
confidence is the mean of its words' (0-100); below :data:`LOW_CONFIDENCE` the evidence read from
it is shown with a warning.

Without pytesseract, or without the ``tesseract`` program on ``PATH``, :func:`missing` says why
and nothing is read: pages stay ``needs_ocr``.
"""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

from pqcheck.extract.model import Extraction, Run

LANGUAGE = "eng"
DPI = 300  # Tesseract reads best at 300 dpi
TESSERACT = "tesseract"
MAX_SIDE = 10_000  # pixels: a huge page is rendered smaller rather than exhaust memory
PAGE_TIMEOUT = 120  # seconds Tesseract may take on one page
DARK = 160  # a grey level below this is ink
RULE_SHARE = 20  # a dark run longer than the width over this is a rule, not a letter
COLUMN_GAP = 1.0  # a gap between words wider than this many line heights separates columns
COLUMN_SEPARATOR = "   "
PARAGRAPH_GAP = 0.5  # a gap between lines this many line heights over the usual one starts a paragraph
# A page whose words' mean confidence is below this is flagged wherever its evidence is shown
# ("low: check the figures against the scan"). Tesseract reads clean typed letters at about 95
# (bench.ocr_speed: mean 95.2); below 60 the scan is usually degraded (faint, skewed,
# handwritten) and digits are misread often.
LOW_CONFIDENCE = 60.0
HINT = (
    "install tesseract-ocr and tesseract-ocr-eng (apt-get install tesseract-ocr tesseract-ocr-eng) "
    "and pytesseract (pip install pytesseract) to read scanned pages"
)


@dataclass(frozen=True)
class OcrText:
    """What OCR read on one page: its text and the mean confidence of its words (None if no words)."""

    text: str
    confidence: float | None


@dataclass(frozen=True)
class Word:
    """One word Tesseract read, with its box in pixels."""

    left: int
    top: int
    right: int
    bottom: int
    text: str


def missing() -> str | None:
    """Why OCR cannot run here (pytesseract missing, ``tesseract`` not on PATH), or None when it can."""
    if importlib.util.find_spec("pytesseract") is None:
        return "pytesseract is not installed"
    if shutil.which(TESSERACT) is None:
        return "the tesseract program is not on PATH"
    return None


def read_image(image) -> OcrText:
    """OCR one Pillow image: its words laid out as lines, and their mean confidence."""
    import pytesseract

    data = pytesseract.image_to_data(
        without_rules(image), lang=LANGUAGE, output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT
    )
    words, confidences = [], []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        confidence = float(data["conf"][i])
        if not text or confidence < 0:
            continue
        left, top = int(data["left"][i]), int(data["top"][i])
        words.append(Word(left, top, left + int(data["width"][i]), top + int(data["height"][i]), text))
        confidences.append(confidence)
    mean = round(statistics.fmean(confidences), 1) if confidences else None
    return OcrText(layout(words), mean)


def without_rules(image):
    """The image with its long straight lines (table rules, underlines) painted white.

    Tesseract takes a ruled table for one picture and reads nothing in it; without the rules its
    cells are words in columns like any others. A rule is a run of dark pixels, across or down,
    at least :data:`RULE_SHARE` of the page's width long: far longer than any letter.
    """
    import numpy
    from PIL import Image

    pixels = numpy.asarray(image.convert("L"))
    dark = pixels < DARK
    length = max(pixels.shape[1] // RULE_SHARE, 20)
    rules = _in_runs(dark, length) | _in_runs(dark.T, length).T
    if not rules.any():
        return image
    cleaned = pixels.copy()
    cleaned[rules] = 255
    return Image.fromarray(cleaned)


def _in_runs(dark, length: int):
    """Which pixels lie in a run of at least ``length`` dark pixels along their row: an erosion
    (a run of ``length`` starts here) then a dilation, each in a few shifted ANDs and ORs."""
    import numpy

    if dark.shape[1] < length:
        return numpy.zeros_like(dark)
    starts = dark.copy()
    for step in _steps(length):  # starts[x]: dark[x : x + span] all dark, the span doubling
        starts[:, :-step] &= starts[:, step:]
        starts[:, -step:] = False
    covered = starts
    for step in _steps(length):  # covered[x]: a run starts within the span before x
        covered[:, step:] |= covered[:, :-step]
    return covered


def _steps(length: int) -> list[int]:
    """Shifts that grow a span of 1 to ``length``, each at most the span so far."""
    steps, span = [], 1
    while span < length:
        steps.append(min(span, length - span))
        span += steps[-1]
    return steps


def read_pdf_page(path: Path, number: int) -> OcrText:
    """OCR page ``number`` (1-based) of the PDF at ``path``, rendered at :data:`DPI`."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        page = document[number - 1]
        try:
            width, height = page.get_size()  # points
            scale = min(DPI / 72, MAX_SIDE / max(width, height, 1.0))
            bitmap = page.render(scale=scale, grayscale=True)
            return read_image(bitmap.to_pil())  # the image shares the bitmap's memory: read it before closing
        finally:
            page.close()
    finally:
        document.close()


def read_image_file(path: Path) -> OcrText:
    """OCR an image file (PNG, JPEG, TIFF: the first frame)."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        return read_image(image.convert("L"))


def read_page(path: Path, file_type: str | None, number: int) -> OcrText:
    """OCR page ``number`` of a scanned PDF, or the image file itself."""
    if file_type == "image":
        return read_image_file(path)
    return read_pdf_page(path, number)


def apply(path: Path, extraction: Extraction, run: Run) -> None:
    """OCR the pages of ``extraction`` flagged ``needs_ocr``, in place, while time is left.

    A page read becomes OCR text with its confidence; a page that fails, or that time ran out
    for, stays ``needs_ocr`` with a note. Does nothing when OCR cannot run (see :func:`missing`).
    """
    pending = [page for page in extraction.pages if page.needs_ocr]
    if not pending or missing() is not None:
        return
    read = []
    for page in pending:
        if run.timed_out():
            run.notes.append(f"timed out before OCR of page {page.number}: pages left needing OCR")
            break
        try:
            result = read_page(path, extraction.file_type, page.number)
        except Exception as error:  # a page that cannot be rendered or read stays needs_ocr
            run.notes.append(f"OCR failed on page {page.number}: {_short(error)}")
            continue
        page.text, page.needs_ocr, page.ocr, page.ocr_confidence = run.take(result.text), False, True, result.confidence
        read.append(page)
    if read:
        run.notes.append(summary([page.ocr_confidence for page in read]))


def summary(confidences: list[float | None]) -> str:
    """A note on pages read with OCR, given each one's confidence: how many and their mean confidence."""
    known = [confidence for confidence in confidences if confidence is not None]
    mean = f", mean confidence {statistics.fmean(known):.1f}" if known else ""
    noun = "page" if len(confidences) == 1 else "pages"
    return f"{len(confidences)} {noun} read with OCR (Tesseract{mean})"


def layout(words: list[Word]) -> str:
    """Words as lines top to bottom: wide gaps kept as columns, taller gaps than usual as blank lines."""
    lines = _lines(words)
    if not lines:
        return ""
    heights = [statistics.median(w.bottom - w.top for w in line) or 1 for line in lines]
    tops = [min(w.top for w in line) for line in lines]
    bottoms = [max(w.bottom for w in line) for line in lines]
    gaps = [tops[i] - bottoms[i - 1] for i in range(1, len(lines))]
    usual = statistics.median(gaps) if gaps else 0.0
    out = []
    for i, line in enumerate(lines):
        if i and gaps[i - 1] > usual + PARAGRAPH_GAP * heights[i]:
            out.append("")
        out.append(_line_text(line, heights[i]))
    return "\n".join(out)


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines: a word whose middle lies within a line's band joins it."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.left)):
        middle = (word.top + word.bottom) / 2
        line = lines[-1] if lines else None
        if line is not None and min(w.top for w in line) <= middle <= max(w.bottom for w in line):
            line.append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.left) for line in lines]


def _line_text(line: list[Word], height: float) -> str:
    parts = [line[0].text]
    for previous, word in itertools.pairwise(line):
        parts.append(COLUMN_SEPARATOR if word.left - previous.right > COLUMN_GAP * height else " ")
        parts.append(word.text)
    return "".join(parts)


def _short(error: BaseException) -> str:
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 160 else text[:159] + "…"
