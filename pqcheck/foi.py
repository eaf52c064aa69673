"""Saving FOI requests and releases with their documents, text and figures.

Every source (WhatDoTheyKnow, GOV.UK, local files) yields :class:`~pqcheck.records.FoiRequest`
objects; each carries its :class:`~pqcheck.records.FoiDocument` list (messages with text,
attachments as files). ``ingest``
extracts the text of each document page by page, finds the figures, and saves everything in
transactions of many requests each (a request whole, with its documents, pages and figures). A
document that cannot be read gets a status and an error message; the run goes on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import sqlite_utils

from .cache import FileCache
from .db import fts_add, fts_remove, upsert_rows, write_transaction
from .departments import resolve_authority
from .extract import Extraction, Limits, PageText, extract_file
from .figures import find_figures
from .progress import Progress
from .records import FoiDocument, FoiRequest
from .text import normalise_whitespace


@dataclass
class IngestStats:
    """What one :func:`ingest` run did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    documents: int = 0
    extracted: int = 0
    pages: int = 0
    figures: int = 0
    ocr_pages: int = 0  # pages read with OCR
    needs_ocr: int = 0  # pages left needing OCR (no text layer, OCR not installed or failed)
    problems: list[str] = field(default_factory=list)


def ingest(
    db: sqlite_utils.Database,
    requests: Iterable[FoiRequest],
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    on_problem: Callable[[str], None] | None = None,
    cache: FileCache | None = None,
) -> IngestStats:
    """Extract, find figures in, and save each request with its documents (many to a transaction).

    A request whose metadata and documents are unchanged is not rewritten; a document whose
    content hash is unchanged is not extracted again. A document that cannot be read is saved
    with its status and error, reported through ``on_problem``, and the run goes on. With
    ``cache``, each document's file read (a local file, say) is kept in it too (stored once by
    its content), so that its original can be opened wherever the file was.
    """
    limits = limits or Limits()
    progress = progress or Progress(quiet=True)
    stats = IngestStats()

    def report(message: str) -> None:
        stats.problems.append(message)
        if on_problem is not None:
            on_problem(message)

    progress.start("FOI requests", None)
    batch = _Batch()
    try:
        for request in requests:
            if request.id in batch.ids or len(batch.entries) >= BATCH or batch.size >= BATCH_TEXT:
                batch.save(db)  # a request seen twice in a batch reads what its first copy saved
            _ingest_one(db, request, limits, stats, report, batch, cache)
            progress.advance()
    except BaseException:
        batch.save(db)  # what was read before a bad record (or an interrupt) is kept, as before
        raise
    batch.save(db)
    progress.finish()
    return stats


def known_document(db: sqlite_utils.Database) -> Callable[[str], str | None]:
    """For fetchers: the content hash of a document already stored and read from ``url``, if any."""

    def lookup(url: str) -> str | None:
        row = next(
            db["foi_documents"].rows_where("url = ? AND sha256 IS NOT NULL AND status != 'error'", [url], limit=1),
            None,
        )
        return row["sha256"] if row else None

    return lookup


def request_row(request: FoiRequest) -> dict[str, Any]:
    """The ``foi_requests`` row of a request: its authority resolved to a department (or marked as
    a local body's), its date with its precision and the last day of its span."""
    lookup = {"wdtk": request.authority_id} if request.source == "wdtk" else {"govuk": request.authority_id}
    authority = resolve_authority(request.authority, **lookup)
    precision, end = _date_span(request)
    return {
        "id": request.id,
        "source": request.source,
        "source_id": request.source_id,
        "url": request.url,
        "authority": request.authority,
        "authority_id": request.authority_id,
        "department_id": authority.department_id,
        "local_kind": authority.local,
        "title": request.title,
        "request_text": request.request_text,
        "outcome": request.outcome,
        "date_requested": request.date_requested,
        "date_responded": request.date_responded,
        "source_url": request.source_url,
        "fetched_at": request.fetched_at,
        "raw": orjson.dumps(request.raw).decode() if request.raw is not None else None,
        "date_precision": precision,
        "date_end": end,
    }


def _date_span(request: FoiRequest) -> tuple[str | None, str | None]:
    """The precision and last day of the FOI's date: ``date_responded`` as the source gave it, else
    ``date_requested`` (a whole day); (None, None) for an undated request."""
    if request.date_responded:
        return request.date_precision or "day", request.date_end or request.date_responded
    if request.date_requested:
        return "day", request.date_requested
    return None, None


def _ingest_one(
    db, request: FoiRequest, limits: Limits, stats: IngestStats, report, batch: _Batch, cache: FileCache | None
) -> None:
    row = request_row(request)
    old = db.conn.execute("SELECT raw FROM foi_requests WHERE id = ?", [request.id]).fetchone()
    known = {
        r[0]: r
        for r in db.conn.execute(
            "SELECT id, sha256, status, error FROM foi_documents WHERE request_id = ?", [request.id]
        )
    }
    changed_docs = []
    for document in request.documents:
        doc_id = f"{request.id}/{document.key}"
        sha256 = document.sha256 or _content_hash(document)
        previous = known.get(doc_id)
        stats.documents += 1
        if previous is not None and (
            (sha256 is not None and previous[1] == sha256 and not document.error)
            or (document.error is not None and previous[3] == document.error)
        ):
            continue
        rows = _document_rows(request, document, doc_id, sha256, limits, stats, report)
        stored = rows["document"]
        if cache and sha256 and document.path and stored["size"] is not None and stored["status"] != "too_large":
            _keep(cache, document.path, sha256, report)
        changed_docs.append(rows)
    if old is not None and old[0] == row["raw"] and not changed_docs:
        stats.unchanged += 1
        return
    stats.updated += old is not None
    stats.inserted += old is None
    batch.add(row, changed_docs, fresh=old is None and not known)


BATCH = 200  # requests saved per transaction (at most)
BATCH_TEXT = 32 << 20  # characters of page text saved per transaction (at most, give or take a request)


class _Batch:
    """Requests to save with their changed documents, pages and figures, in one transaction.

    A batch is committed whole or not at all; a run killed part way saved every batch before
    the one it was in, and a re-run finds those unchanged and saves the rest. The database ends
    up as it would with one transaction per request: a run of new requests (nothing of theirs
    stored yet) is written with one statement per table, any other request as before, on its
    own, in the order they came.
    """

    def __init__(self) -> None:
        self.entries: list[tuple[dict[str, Any], list[dict], bool]] = []
        self.ids: set[str] = set()
        self.size = 0

    def add(self, row: dict[str, Any], changed_docs: list[dict], *, fresh: bool) -> None:
        self.entries.append((row, changed_docs, fresh))
        self.ids.add(row["id"])
        self.size += sum(len(p["text"] or "") for d in changed_docs for p in d["pages"])

    def save(self, db: sqlite_utils.Database) -> None:
        entries, self.entries, self.ids, self.size = self.entries, [], set(), 0
        if not entries:
            return
        with write_transaction(db):
            run: list[tuple[dict[str, Any], list[dict], bool]] = []
            for entry in entries:
                if entry[2]:
                    run.append(entry)
                    continue
                _write(db, run)
                run = []
                _write(db, [entry])
            _write(db, run)


def _write(db: sqlite_utils.Database, entries: list[tuple[dict[str, Any], list[dict], bool]]) -> None:
    """Save ``entries`` (requests with their changed documents): statement by statement as for
    one request, each statement covering all of them."""
    if not entries:
        return
    request_ids = [row["id"] for row, _, _ in entries]
    changed_docs = [d for _, docs, _ in entries for d in docs]
    doc_ids = [d["document"]["id"] for d in changed_docs]
    # Every page of these requests is indexed again, changed or not: a page's index entry holds its
    # request's department and year (its search scope), which the request's new row may change.
    fts_remove(db, "foi_requests", request_ids, column="id")
    fts_remove(db, "foi_pages", _documents_of(db, request_ids), column="document_id")
    upsert_rows(db, "foi_requests", [row for row, _, _ in entries])
    fts_add(db, "foi_requests", request_ids, column="id")
    if doc_ids:
        db.execute("DELETE FROM foi_pages WHERE document_id IN (SELECT value FROM json_each(?))", [json.dumps(doc_ids)])
        db.execute(
            "DELETE FROM foi_figures WHERE document_id IN (SELECT value FROM json_each(?))", [json.dumps(doc_ids)]
        )
    upsert_rows(db, "foi_documents", [d["document"] for d in changed_docs])
    upsert_rows(db, "foi_pages", [p for d in changed_docs for p in d["pages"]])
    fts_add(db, "foi_pages", _documents_of(db, request_ids), column="document_id")
    upsert_rows(db, "foi_figures", [f for d in changed_docs for f in d["figures"]])


def _documents_of(db: sqlite_utils.Database, request_ids: list[str]) -> list[str]:
    """The ids of the stored documents of ``request_ids``."""
    sql = "SELECT id FROM foi_documents WHERE request_id IN (SELECT value FROM json_each(?))"
    return [row[0] for row in db.execute(sql, [json.dumps(request_ids)])]


def _keep(cache: FileCache, path: Path, sha256: str, report: Callable[[str], None]) -> None:
    """A copy of a document's file in the cache; a copy that fails is reported, and the run goes on."""
    try:
        cache.keep(path, sha256)
    except OSError as exc:
        report(f"{path.name}: could not be kept in the file cache ({exc.strerror or exc})")


def figure_rows(doc_id: str, page: int, text: str) -> list[dict[str, Any]]:
    """The ``foi_figures`` rows of the figures found in one page's text."""
    return [
        {
            "document_id": doc_id,
            "page": page,
            "start": f.start,
            "end": f.end,
            "value": f.value,
            "text": f.text,
            "kind": f.kind,
            "context": f.context,
            "qualifier": f.qualifier,
            "unit": f.unit,
            "header": f.header,
        }
        for f in find_figures(text)
    ]


def _content_hash(document: FoiDocument) -> str | None:
    if document.text is not None:
        return hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    if document.path is not None and document.path.is_file():
        digest = hashlib.sha256()
        with document.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    return None


def _document_rows(request, document: FoiDocument, doc_id, sha256, limits, stats: IngestStats, report) -> dict:
    """The document row with its pages and figures, extracting the file if there is one."""
    name = document.filename or document.url or doc_id
    if document.error:
        extraction = Extraction(None, status="error", error=document.error)
    elif document.text is not None:
        extraction = Extraction("text", pages=[PageText(1, normalise_whitespace(document.text))])
    elif document.path is not None:
        extraction = extract_file(
            document.path, filename=document.filename, content_type=document.content_type, limits=limits
        )
        stats.extracted += 1
    else:
        extraction = Extraction(None, status="error", error="no text and no file")
    if extraction.error:
        report(f"{name}: {extraction.error}")
    pages = [
        {
            "document_id": doc_id,
            "page": p.number,
            "text": p.text,
            "needs_ocr": int(p.needs_ocr),
            "ocr": int(p.ocr),
            "ocr_confidence": p.ocr_confidence,
        }
        for p in extraction.pages
    ]
    figures = [f for p in extraction.pages for f in figure_rows(doc_id, p.number, p.text)]
    stats.pages += len(pages)
    stats.ocr_pages += sum(p.ocr for p in extraction.pages)
    stats.needs_ocr += sum(p.needs_ocr for p in extraction.pages)
    stats.figures += len(figures)
    size = document.path.stat().st_size if document.path is not None and document.path.is_file() else None
    return {
        "document": {
            "id": doc_id,
            "request_id": request.id,
            "kind": document.kind,
            "title": document.title,
            "url": document.url,
            "date": document.date,
            "file_type": extraction.file_type,
            "filename": document.filename,
            "sha256": sha256,
            "size": size,
            "page_count": extraction.page_count if extraction.page_count is not None else len(pages),
            "status": extraction.status,
            "error": extraction.error,
            "notes": "; ".join(extraction.notes) or None,
            "fetched_at": request.fetched_at,
            "raw": orjson.dumps(document.raw).decode() if document.raw is not None else None,
        },
        "pages": pages,
        "figures": figures,
    }
