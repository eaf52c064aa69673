"""Local FOI responses a researcher already holds: folders of files with a sidecar, or records.

Formats (see docs/foi.md):

- a folder of PDF / HTML / text / Word / spreadsheet / CSV files, with metadata from an
  optional sidecar ``metadata.csv`` or ``metadata.json`` in the folder: one row per file, with
  a ``file`` column (the file's path inside the folder) and any of ``id, authority, date, title,
  url, request_text, outcome``. Files sharing an ``id`` are documents of one request;
- a JSON Lines (``.jsonl``) or CSV (``.csv`` with an ``id`` and ``response_text`` header) file of
  records with the fields ``id, url, authority, date, title, request_text, response_text,
  outcome`` (and optionally ``file``, a document path relative to the records file);
- any other single file: one request whose title is the file name.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..foi import FoiDocument, FoiRequest
from .parliament import now_iso

SIDECARS = ("metadata.csv", "metadata.json")
RECORD_FIELDS = ("id", "url", "authority", "date", "title", "request_text", "response_text", "outcome")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%dT%H:%M:%S")


def read_foi_paths(paths: list[str | Path], report: Callable[[str], None]) -> Iterator[FoiRequest]:
    """FOI requests from folders, record files and single files. Problems in one record (a bad
    date, a missing file) go to ``report`` and the rest goes on; a path that cannot
    be read at all raises :class:`BadInput` before anything from it is yielded."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from _folder(path, report)
        elif path.suffix.lower() == ".jsonl" or _is_record_csv(path):
            yield from _records(path, report)
        elif path.is_file():
            yield _single_file(path, _file_id(path), {}, report)
        else:
            raise BadInput(f"{path}: no such file or folder")


def _folder(folder: Path, report: Callable[[str], None]) -> Iterator[FoiRequest]:
    sidecar = _sidecar(folder)
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name not in SIDECARS and not p.name.startswith(".")
    )
    grouped: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for file in files:
        meta = sidecar.get(file.relative_to(folder).as_posix(), {})
        grouped.setdefault(meta.get("id") or _file_id(file), []).append((file, meta))
    for missing in sorted(set(sidecar) - {f.relative_to(folder).as_posix() for f in files}):
        report(f"{folder / missing}: listed in the sidecar but not found")
    for request_id, members in grouped.items():
        request = _single_file(members[0][0], request_id, members[0][1], report)
        request.documents = [_file_document(file, meta) for file, meta in members]
        yield request


def _sidecar(folder: Path) -> dict[str, dict[str, Any]]:
    """Metadata by file path inside the folder, from metadata.csv or metadata.json."""
    for name in SIDECARS:
        path = folder / name
        if not path.exists():
            continue
        try:
            if name.endswith(".csv"):
                with path.open(newline="", encoding="utf-8-sig") as handle:
                    rows = list(csv.DictReader(handle))
            else:
                data = json.loads(path.read_text(encoding="utf-8"))
                rows = [{"file": k, **v} for k, v in data.items()] if isinstance(data, dict) else data
        except (OSError, ValueError, csv.Error) as exc:
            raise BadInput(f"{path}: cannot read the sidecar: {exc}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) and r.get("file") for r in rows):
            raise BadInput(f"{path}: every sidecar row needs a 'file' (the file's path inside the folder)")
        return {str(r["file"]).strip(): {k: v for k, v in r.items() if v not in (None, "")} for r in rows}
    return {}


def _is_record_csv(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        header = next(csv.reader(handle), [])
    return {"id", "response_text"} <= {h.strip() for h in header}


def _records(path: Path, report: Callable[[str], None]) -> Iterator[FoiRequest]:
    try:
        rows = list(_record_rows(path))
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the records: {exc}") from None
    for number, row in rows:
        where = f"{path}: record {number}"
        if not isinstance(row, dict) or not str(row.get("id") or "").strip():
            report(f"{where}: skipped, it has no 'id' (fields: {', '.join(RECORD_FIELDS)})")
            continue
        request = _request(str(row["id"]).strip(), row, where, report, source_url=path.resolve().as_uri())
        if row.get("response_text"):
            request.documents.append(FoiDocument(key="response", kind="response", text=str(row["response_text"])))
        if row.get("file"):
            file = (path.parent / str(row["file"])).resolve()
            if file.is_file():
                request.documents.append(_file_document(file, row))
            else:
                report(f"{where}: file {row['file']} not found")
        yield request


def _record_rows(path: Path) -> Iterator[tuple[int, Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from enumerate(csv.DictReader(handle), 1)
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except ValueError as exc:
                    raise BadInput(f"{path}: line {number} is not valid JSON ({exc})") from None


def _single_file(file: Path, request_id: str, meta: dict[str, Any], report: Callable[[str], None]) -> FoiRequest:
    meta = {"title": file.stem.replace("_", " "), **meta}
    request = _request(request_id, meta, str(file), report, source_url=file.resolve().as_uri())
    request.documents = [_file_document(file, meta)]
    return request


def _request(
    request_id: str, meta: dict[str, Any], where: str, report: Callable[[str], None], source_url: str
) -> FoiRequest:
    return FoiRequest(
        source="file",
        source_id=request_id,
        url=meta.get("url"),
        authority=meta.get("authority"),
        title=meta.get("title"),
        request_text=meta.get("request_text"),
        outcome=meta.get("outcome"),
        date_responded=parse_date(meta.get("date"), where, report),
        source_url=source_url,
        fetched_at=now_iso(),
        raw={k: v for k, v in meta.items() if k != "response_text"},
    )


def _file_document(file: Path, meta: dict[str, Any]) -> FoiDocument:
    return FoiDocument(
        key=f"file:{file.name}",
        kind="file",
        title=meta.get("title"),
        url=file.resolve().as_uri(),
        filename=file.name,
        path=file,
    )


def _file_id(file: Path) -> str:
    """A request id for a file without one: its content hash, so the same file is one request."""
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()[:16]}"


def parse_date(value: Any, where: str, report: Callable[[str], None]) -> str | None:
    """YYYY-MM-DD from the common written forms; a date that cannot be read is reported, not fatal."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    report(f"{where}: date '{text}' not understood (use YYYY-MM-DD); stored without a date")
    return None
