"""``pqcheck ocr``: the stored FOI pages still marked ``needs_ocr``, read with Tesseract.

Pages imported while OCR was not installed keep ``needs_ocr = 1``. This reads them again from
the document's original file: the downloaded copy in the file cache (found by its SHA-256), or
the local file a ``file://`` URL names when its content still has that hash. Each document's
pages are OCR'd outside any transaction (it is slow), then saved in one
:func:`~pqcheck.db.write_transaction` that checks, inside it, that the document and its pages are
still as read: the page's text, ``ocr``, ``ocr_confidence``, its FTS index entry and its figures
change together; nothing else does. A document whose file cannot be found is left as it was.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import sqlite_utils

from .cache import FileCache
from .db import fts_add, fts_remove, upsert_rows, write_transaction
from .errors import OcrUnavailable
from .extract import ocr
from .foi import figure_rows
from .progress import Progress


@dataclass
class OcrStats:
    """What one :func:`ocr_stored` run did."""

    documents: int = 0  # documents with at least one page read
    pages: int = 0  # pages read and saved
    figures: int = 0  # figures found in them
    missing: int = 0  # pages whose original file was not found
    failed: int = 0  # pages Tesseract could not read
    confidences: list[float] = field(default_factory=list)

    @property
    def confidence(self) -> float | None:
        """The mean confidence of the pages read."""
        return round(statistics.fmean(self.confidences), 1) if self.confidences else None


def ocr_stored(
    db: sqlite_utils.Database,
    cache: FileCache | None,
    *,
    progress: Progress | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> OcrStats:
    """OCR every stored page still marked ``needs_ocr``, document by document.

    Raises :class:`~pqcheck.errors.OcrUnavailable` before reading anything when Tesseract (or
    pytesseract) is missing. A document whose original file is not found, or a page Tesseract
    fails on, is reported through ``on_problem`` and left as it was.
    """
    reason = ocr.missing()
    if reason is not None:
        raise OcrUnavailable(f"cannot read scanned pages: {reason}; {ocr.HINT}")
    progress = progress or Progress(quiet=True)
    report = on_problem or (lambda message: None)
    stats = OcrStats()
    pending = _pending(db)
    progress.start("scanned pages", sum(len(numbers) for _, numbers in pending))
    for document, numbers in pending:
        _ocr_document(db, cache, document, numbers, stats, report, progress)
    progress.finish()
    return stats


def _pending(db: sqlite_utils.Database) -> list[tuple[dict, list[int]]]:
    """Documents with pages marked ``needs_ocr``, and those pages' numbers."""
    rows = db.conn.execute(
        "SELECT d.id, d.sha256, d.url, d.file_type, json_group_array(p.page) FROM foi_documents d "
        "JOIN foi_pages p ON p.document_id = d.id WHERE p.needs_ocr = 1 GROUP BY d.id ORDER BY d.id"
    ).fetchall()
    keys = ("id", "sha256", "url", "file_type")
    return [(dict(zip(keys, row[:4], strict=True)), sorted(json.loads(row[4]))) for row in rows]


def _ocr_document(db, cache, document: dict, numbers: list[int], stats: OcrStats, report, progress) -> None:
    path = original_file(document, cache)
    if path is None:
        report(f"{document['id']}: the original file is not in the cache any more; fetch or import it again")
        stats.missing += len(numbers)
        progress.advance(len(numbers))
        return
    results: dict[int, ocr.OcrText] = {}
    for number in numbers:
        try:
            results[number] = ocr.read_page(path, document["file_type"], number)
        except Exception as error:  # one page Tesseract cannot read: the others are still saved
            report(f"{document['id']} page {number}: OCR failed ({type(error).__name__}: {error})")
            stats.failed += 1
        progress.advance()
    if results:
        _save(db, document, results, stats)


def original_file(document: dict, cache: FileCache | None) -> Path | None:
    """The document's original file: the cached copy with its SHA-256, else the local file its
    ``file://`` URL names, if its content still has that hash."""
    sha256 = document.get("sha256")
    if cache is not None and sha256:
        found = cache.find(sha256)
        if found is not None:
            return found
    url = document.get("url") or ""
    if not url.startswith("file://"):
        return None
    path = Path(unquote(urlparse(url).path))
    if not path.is_file() or (sha256 and _sha256(path) != sha256):
        return None
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _save(db: sqlite_utils.Database, document: dict, results: dict[int, ocr.OcrText], stats: OcrStats) -> None:
    """Write the pages read, their FTS entries and figures, if the document is still as read."""
    doc_id = document["id"]
    with write_transaction(db):
        current = db.conn.execute("SELECT sha256 FROM foi_documents WHERE id = ?", [doc_id]).fetchone()
        if current is None or current[0] != document["sha256"]:
            return  # re-imported meanwhile: that import decided its pages
        still = {
            page: rowid
            for rowid, page in db.conn.execute(
                "SELECT rowid, page FROM foi_pages WHERE document_id = ? AND needs_ocr = 1", [doc_id]
            )
        }
        read = {number: result for number, result in results.items() if number in still}
        if not read:
            return
        rowids = [still[number] for number in read]
        fts_remove(db, "foi_pages", rowids)
        for number, result in read.items():
            db.execute(
                "UPDATE foi_pages SET text = ?, needs_ocr = 0, ocr = 1, ocr_confidence = ? "
                "WHERE document_id = ? AND page = ?",
                [result.text, result.confidence, doc_id, number],
            )
        fts_add(db, "foi_pages", rowids)
        _save_figures(db, doc_id, read, stats)
        _settle_document(db, doc_id, read)
    stats.documents += 1
    stats.pages += len(read)
    stats.confidences += [r.confidence for r in read.values() if r.confidence is not None]


def _save_figures(db, doc_id: str, read: dict[int, ocr.OcrText], stats: OcrStats) -> None:
    db.execute(
        "DELETE FROM foi_figures WHERE document_id = ? AND page IN (SELECT value FROM json_each(?))",
        [doc_id, json.dumps(list(read))],
    )
    rows = [row for number, result in read.items() for row in figure_rows(doc_id, number, result.text)]
    upsert_rows(db, "foi_figures", rows)
    stats.figures += len(rows)


def _settle_document(db, doc_id: str, read: dict[int, ocr.OcrText]) -> None:
    """The document's status ``ok`` once no page needs OCR (it was ``needs_ocr``), and a note."""
    left = db.conn.execute(
        "SELECT count(*) FROM foi_pages WHERE document_id = ? AND needs_ocr = 1", [doc_id]
    ).fetchone()[0]
    note = "pqcheck ocr: " + ocr.summary([result.confidence for result in read.values()])
    db.execute(
        "UPDATE foi_documents SET notes = coalesce(notes || '; ', '') || ?, "
        "status = CASE WHEN ? = 0 AND status = 'needs_ocr' THEN 'ok' ELSE status END, "
        "error = CASE WHEN ? = 0 AND status = 'needs_ocr' THEN NULL ELSE error END WHERE id = ?",
        [note, left, left, doc_id],
    )
