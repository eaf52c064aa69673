"""Local FOI responses a researcher already holds: folders of files with a sidecar, or records.

Formats (see docs/foi.md):

- a folder of PDF / HTML / text / Word / spreadsheet / CSV files, with metadata from an
  optional sidecar ``metadata.csv`` or ``metadata.json`` in the folder: one row per file, with
  a ``file`` column (the file's path inside the folder) and any of ``id, authority, date, title,
  url, request_text, outcome``. Files sharing an ``id`` are documents of one request;
- a JSON Lines (``.jsonl``) or CSV (``.csv`` with an ``id`` and ``response_text`` header) file of
  records with the fields ``id, url, authority, date, title, request_text, response_text,
  outcome`` (and optionally ``file``, a document path relative to the records file, in its
  folder), read one record at a time;
- any other single file: one request whose title is the file name.

Fields are text: a number is written out, a value of another kind (a list, an object) is left
out and reported, and so are CSV cells beyond the header. A CSV file that is not UTF-8 is read
as Windows-1252 (what spreadsheet programs write), with a warning.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import jsonsafe
from ..errors import BadInput
from ..periods import DateSpan, parse_date_span
from ..records import FoiDocument, FoiRequest, now_iso
from ..text import without_surrogates

SIDECARS = ("metadata.csv", "metadata.json")
RECORD_FIELDS = ("id", "url", "authority", "date", "title", "request_text", "response_text", "outcome")
TEXT_FIELDS = (*RECORD_FIELDS, "file")
csv.field_size_limit(1 << 30)  # a response text can be longer than csv's default 128 KiB


def read_foi_paths(paths: list[str | Path], report: Callable[[str], None]) -> Iterator[FoiRequest]:
    """FOI requests from folders, record files and single files. Problems in one record (a bad
    date, a missing file) go to ``report`` and the rest goes on; a path that cannot be read
    at all raises :class:`BadInput` before anything from it is yielded (a records file that
    turns out not to be readable further on raises it there). In a folder, a file that links
    out of it or cannot be read is reported and left out."""
    for path in map(Path, paths):
        try:
            if path.is_dir():
                yield from _folder(path, report)
            elif path.suffix.lower() == ".jsonl" or _is_record_csv(path):
                yield from _records(path, report)
            elif path.is_file():
                yield _single_file(path, _file_id(path), {}, report)
            else:
                raise BadInput(f"{path}: no such file or folder")
        except OSError as exc:  # a file that cannot be read (permission denied)
            raise BadInput(f"{exc.filename or path}: cannot be read: {exc.strerror or exc}") from None


def _folder(folder: Path, report: Callable[[str], None]) -> Iterator[FoiRequest]:
    sidecar = _sidecar(folder, report)
    files = sorted(_folder_files(folder, report))
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


def _folder_files(folder: Path, report: Callable[[str], None]) -> Iterator[Path]:
    """The files in ``folder`` and below, but sidecars and hidden files; a link to a file outside
    the folder, and a file that cannot be read, are reported and left out."""
    for path in folder.rglob("*"):
        if path.name in SIDECARS or path.name.startswith(".") or not path.is_file():
            continue
        if _inside(folder, path) is None:
            report(f"{path}: links to a file outside {folder}: left out")
        elif problem := _unreadable(path):
            report(f"{path}: cannot be read ({problem}): left out")
        else:
            yield path


def _inside(folder: Path, path: Path) -> Path | None:
    """The real path of ``path`` (links followed), if it is in ``folder`` or below; else None."""
    real = path.resolve()
    return real if real.is_relative_to(folder.resolve()) else None


def _unreadable(path: Path) -> str | None:
    """Why the file at ``path`` cannot be opened for reading (permission denied), or None."""
    try:
        with path.open("rb"):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _sidecar(folder: Path, report: Callable[[str], None]) -> dict[str, dict[str, Any]]:
    """Metadata by file path inside the folder, from metadata.csv or metadata.json (one that
    links out of the folder is reported and not read)."""
    for name in SIDECARS:
        path = folder / name
        if not path.exists():
            continue
        if _inside(folder, path) is None:
            report(f"{path}: links to a file outside {folder}: not read")
            continue
        try:
            if name.endswith(".csv"):
                rows = list(csv.DictReader(_text_lines(path, report)))
            else:
                data = _parse_json(path.read_bytes().removeprefix(codecs.BOM_UTF8))
                rows = (
                    [{"file": k, **v} if isinstance(v, dict) else v for k, v in data.items()]
                    if isinstance(data, dict)
                    else data
                )
        except (OSError, ValueError, csv.Error) as exc:
            raise BadInput(f"{path}: cannot read the sidecar: {exc}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) and r.get("file") for r in rows):
            raise BadInput(f"{path}: every sidecar row needs a 'file' (the file's path inside the folder)")
        rows = [_clean(r, f"{path}: row {n}", report) for n, r in enumerate(rows, 1)]
        return {r["file"].strip(): {k: v for k, v in r.items() if v not in (None, "")} for r in rows if r.get("file")}
    return {}


def _is_record_csv(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    with path.open("rb") as handle:
        first = handle.readline(1 << 16).removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")
    try:
        header = next(csv.reader([first]), [])
    except csv.Error:
        return False
    return {"id", "response_text"} <= {h.strip() for h in header}


def _records(path: Path, report: Callable[[str], None]) -> Iterator[FoiRequest]:
    folder = path.parent.resolve()
    source_url = path.resolve().as_uri()  # once, not once a record
    try:
        for number, row in _record_rows(path, report):
            where = f"{path}: record {number}"
            row = _clean(row, where, report) if isinstance(row, dict) else {}
            if not (row.get("id") or "").strip():
                report(f"{where}: skipped, it has no 'id' (fields: {', '.join(RECORD_FIELDS)})")
                continue
            request = _request(row["id"].strip(), row, where, report, source_url=source_url)
            if row.get("response_text"):
                request.documents.append(FoiDocument(key="response", kind="response", text=row["response_text"]))
            if row.get("file") and (file := _attached(folder, row["file"], where, report)):
                request.documents.append(_file_document(file, row))
            yield request
    except (OSError, csv.Error) as exc:
        raise BadInput(f"{path}: cannot read the records: {exc}") from None


def _attached(folder: Path, name: str, where: str, report: Callable[[str], None]) -> Path | None:
    """The file a record names, if it is in the records file's ``folder`` (or below) and exists."""
    file = _inside(folder, folder / name)
    if file is None:
        report(f"{where}: file {name[:100]} is not in the folder of the records file: left out")
        return None
    try:
        if file.is_file():
            return file
    except OSError:  # a name too long, say
        pass
    report(f"{where}: file {name[:100]} not found")
    return None


def _record_rows(path: Path, report: Callable[[str], None]) -> Iterator[tuple[int, Any]]:
    if path.suffix.lower() == ".csv":
        yield from enumerate(csv.DictReader(_text_lines(path, report)), 1)
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield number, _parse_json(line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)
                except ValueError as exc:
                    raise BadInput(f"{path}: line {number} is not valid JSON ({exc})") from None


def _parse_json(line: bytes) -> Any:
    """A record (or a sidecar), whatever its bytes and numbers: text that is not UTF-8 and lone
    surrogates become U+FFFD, and numbers that cannot be stored as they are (past 64 bits,
    infinite, NaN) stay as written."""
    return without_surrogates(
        jsonsafe.loads(line.decode("utf-8", errors="replace"), parse_int=_int, parse_float=_float, parse_constant=str)
    )


def _int(text: str) -> int | str:
    if len(text) > 20:  # past 64 bits, and int() refuses past 4,300 digits
        return text
    value = int(text)
    return value if -(2**63) <= value < 2**63 else text


def _float(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def _text_lines(path: Path, report: Callable[[str], None]) -> Iterator[str]:
    """The lines of a CSV file as text: UTF-8, or else Windows-1252 (reported once)."""
    with path.open("rb") as handle:
        fallback = False
        for number, line in enumerate(handle, 1):
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                if not fallback:
                    report(f"{path}: line {number} is not UTF-8: read as Windows-1252")
                    fallback = True
                yield line.decode("cp1252", errors="replace")


def _clean(row: dict[Any, Any], where: str, report: Callable[[str], None]) -> dict[str, Any]:
    """``row`` with its ``TEXT_FIELDS`` as text (or None): numbers written out, values of other
    kinds left out, and cells beyond a CSV header dropped, each reported."""
    clean = {}
    for key, value in row.items():
        if key is None:
            report(f"{where}: more cells than the header has names: the extra cells are left out")
            continue
        if key in TEXT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, str | int | float | None):
                report(f"{where}: '{key}' is {type(value).__name__}, not text: left out")
                continue
            value = None if value is None else str(value)
        clean[key] = value
    return clean


def _single_file(file: Path, request_id: str, meta: dict[str, Any], report: Callable[[str], None]) -> FoiRequest:
    meta = {"title": without_surrogates(file.stem).replace("_", " "), **meta}
    request = _request(request_id, meta, str(file), report, source_url=file.resolve().as_uri())
    request.documents = [_file_document(file, meta)]
    return request


def _request(
    request_id: str, meta: dict[str, Any], where: str, report: Callable[[str], None], source_url: str
) -> FoiRequest:
    span = parse_date(meta.get("date"), where, report)
    return FoiRequest(
        source="file",
        source_id=request_id,
        url=meta.get("url"),
        authority=meta.get("authority"),
        title=meta.get("title"),
        request_text=meta.get("request_text"),
        outcome=meta.get("outcome"),
        date_responded=span and span.start,
        date_precision=span and span.precision,
        date_end=span and span.end,
        source_url=source_url,
        fetched_at=now_iso(),
        raw={k: v for k, v in meta.items() if k != "response_text"},
    )


def _file_document(file: Path, meta: dict[str, Any]) -> FoiDocument:
    return FoiDocument(
        key=f"file:{without_surrogates(file.name)}",
        kind="file",
        title=meta.get("title"),
        url=file.resolve().as_uri(),
        filename=without_surrogates(file.name),  # a name that is not UTF-8 has them
        path=file,
    )


def _file_id(file: Path) -> str:
    """A request id for a file without one: its content hash, so the same file is one request."""
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()[:16]}"


def parse_date(value: Any, where: str, report: Callable[[str], None]) -> DateSpan | None:
    """A record's date with its precision (a day, a month, a year or a financial year, see
    :func:`pqcheck.periods.parse_date_span`); one that cannot be read is reported, not fatal."""
    try:
        return parse_date_span(None if value is None else str(value))
    except ValueError as exc:
        report(f"{where}: {exc}; stored without a date")
        return None
