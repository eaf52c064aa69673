"""The evidence behind a pair, to open: an FOI request with its documents, each page's text and the
figures found on it, and a document's original file, found in the file cache and never anywhere else.

:func:`foi_request` and :func:`foi_document` read what the web's request and document pages show;
:func:`original_in_cache` gives the cached original of a document with a content type from an
allow-list (anything else is ``application/octet-stream``), or None. The file's place comes only
from the document's SHA-256 (64 hex digits: no ``..``, no absolute path can be made of it), and
the file found must resolve, links followed, to a regular file inside the cache's folder.
A local file's path is never shown: :func:`where_from` names it by its file name only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlite_utils

from .cache import FileCache
from .text import safe_url

# the stored file_type (sniffed from the bytes) -> the content type it is served with. HTML,
# images and anything unknown are served as bytes to save, never as something a browser runs.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "csv": "text/csv; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "zip": "application/zip",
}
OCTET_STREAM = "application/octet-stream"
EXTENSIONS = {"text": "txt"}
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class CachedFile:
    """A document's original file in the cache, ready to send."""

    path: Path
    content_type: str
    download_name: str


def foi_request(db: sqlite_utils.Database, request_id: str) -> dict[str, Any] | None:
    """The FOI request ``request_id`` with its documents, each with its pages and figures; None if
    it is not stored."""
    row = _row(db, "SELECT * FROM foi_requests WHERE id = ?", [request_id])
    if row is None:
        return None
    row["where_from"] = where_from(row["url"])
    ids = [r[0] for r in db.execute("SELECT id FROM foi_documents WHERE request_id = ? ORDER BY id", [request_id])]
    row["documents"] = [_document(db, document_id) for document_id in ids]
    return row


def foi_document(db: sqlite_utils.Database, document_id: str) -> dict[str, Any] | None:
    """The document ``document_id`` with its pages (each with its text and the figures found on
    it) and its request; None if it is not stored."""
    document = _document(db, document_id)
    if document is None:
        return None
    document["request"] = _row(db, "SELECT * FROM foi_requests WHERE id = ?", [document["request_id"]])
    if document["request"] is not None:
        document["request"]["where_from"] = where_from(document["request"]["url"])
    return document


def _document(db: sqlite_utils.Database, document_id: str) -> dict[str, Any] | None:
    document = _row(db, "SELECT * FROM foi_documents WHERE id = ?", [document_id])
    if document is None:
        return None
    figures: dict[int, list[dict[str, Any]]] = {}
    for figure in _rows(db, "SELECT * FROM foi_figures WHERE document_id = ? ORDER BY page, start", [document_id]):
        figures.setdefault(figure["page"], []).append(figure)
    pages = _rows(db, "SELECT * FROM foi_pages WHERE document_id = ? ORDER BY page", [document_id])
    for page in pages:
        page["figures"] = figures.get(page["page"], [])
        length = len(page["text"] or "")
        page["spans"] = [(f["start"], f["end"]) for f in page["figures"] if 0 <= f["start"] < f["end"] <= length]
    document["pages"] = pages
    document["figure_count"] = sum(len(found) for found in figures.values())
    document["where_from"] = where_from(document["url"])
    document["name"] = document["title"] or document["filename"] or _url_name(document["url"]) or "document"
    return document


def where_from(url: str | None) -> dict[str, str | None]:
    """Where a request or document came from, safe to show: ``link`` (a web address) or ``local``
    (a local file's name, never its path); neither for any other address."""
    link = safe_url(url)
    if link or not url or not url.lower().startswith("file:"):
        return {"link": link, "local": None}
    return {"link": None, "local": _url_name(url) or "a local file"}


def _url_name(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    return PurePosixPath(path).name or None


def original_in_cache(db: sqlite_utils.Database, document_id: str, cache: FileCache) -> CachedFile | None:
    """The cached original file of document ``document_id``, or None when the document is not
    stored, has no file in the cache, or what the cache holds is not a regular file inside it."""
    row = db.execute(
        "SELECT sha256, file_type, filename, url, title FROM foi_documents WHERE id = ?", [document_id]
    ).fetchone()
    if row is None or not isinstance(row[0], str):
        return None
    sha256, file_type, filename, url, title = row
    found = cache.find(sha256)  # None unless sha256 is 64 hex digits
    if found is None:
        return None
    root = cache.root.resolve()
    real = found.resolve()
    if not real.is_relative_to(root) or not real.is_file():
        return None
    content_type = CONTENT_TYPES.get(file_type or "", OCTET_STREAM)
    return CachedFile(real, content_type, download_name(filename or _url_name(url) or title, file_type, sha256))


def download_name(name: str | None, file_type: str | None, sha256: str) -> str:
    """A file name to save as: the document's own name without any folder or odd characters, with
    an extension of its type; else its hash."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = _UNSAFE_NAME.sub("_", base).strip(" ._")[:150]
    if not base:
        base = sha256[:16]
    extension = EXTENSIONS.get(file_type or "", file_type or "")
    if extension and file_type in CONTENT_TYPES and not base.lower().endswith(f".{extension}"):
        base = f"{base}.{extension}"
    return base


def _row(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    found = _rows(db, sql, params)
    return found[0] if found else None


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, values, strict=True)) for values in cursor]
