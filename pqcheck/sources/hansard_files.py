"""Reading Hansard contributions from files: the API's search and debate responses, or records.

Accepted, UTF-8 with or without a byte-order mark:

- a search response (``{"Results": [SearchReferencesItem], "TotalResultCount"}``): each item with
  its ``ContributionTextFull``;
- a debate response (``{"Overview", "Navigator", "Items", "ChildDebates"}``): every contribution
  in it, with the debate's title and department;
- a JSON array or JSON Lines of contributions: search items, or records in pqcheck's own shape
  (the fields of :class:`~pqcheck.records.Contribution`: ``ext_id``, ``house``, ``date``,
  ``text``, ``member_name``, ``attributed_to``, ``debate_title``, ``department``, ...).

A file that is not JSON, or whose first record is none of these, is refused (:class:`BadInput`)
before anything from it is stored; a later record that cannot be read is reported and skipped.
"""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import jsonsafe
from ..errors import BadInput
from ..records import Contribution, now_iso
from ..text import html_to_text, safe_url, without_surrogates
from .hansard import contribution, contribution_url, debate_items, department_of, sitting_day, text_of

SHAPES = (
    "a Hansard search response (Results), a debate response (Overview/Items), "
    "or a JSON array or JSON Lines of contributions"
)
RECORD_FIELDS = {f.name for f in dataclasses.fields(Contribution)}


def read_contribution_file(path: str | Path, report: Callable[[str], None]) -> list[Contribution]:
    """Every contribution in the file at ``path``; :class:`BadInput` if it holds none of ``SHAPES``."""
    path = Path(path)
    try:
        data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    source_url, fetched_at = path.resolve().as_uri(), now_iso()
    document = _document(data, path)
    if isinstance(document, dict) and "Results" in document:
        if not isinstance(document["Results"], list):
            raise BadInput(f"{path}: 'Results' is not a list: expected {SHAPES}")
        return _records(path, enumerate(document["Results"], 1), "result", report, source_url, fetched_at)
    if isinstance(document, dict) and ("Overview" in document or "Items" in document):
        found = [
            contribution(
                None,
                item,
                overview,
                department=department_of(section, text_of(overview.get("ExtId")))
                or department_of(document, text_of(overview.get("ExtId"))),
                source_url=source_url,
                fetched_at=fetched_at,
            )
            for item, overview, section in debate_items(document)
        ]
        return [record for record in found if record is not None]
    if isinstance(document, list):
        return _records(path, enumerate(document, 1), "record", report, source_url, fetched_at)
    if isinstance(document, dict):
        return _records(path, enumerate([document], 1), "record", report, source_url, fetched_at)
    return _records(path, _json_lines(data, path), "line", report, source_url, fetched_at)


def _document(data: bytes, path: Path) -> Any:
    """The file as one JSON document, or None when it is JSON Lines; :class:`BadInput` if neither."""
    if not data.strip():
        raise BadInput(f"{path} is empty: expected {SHAPES}")
    try:
        return without_surrogates(jsonsafe.loads(data.decode("utf-8", errors="replace")))
    except ValueError:
        if data.lstrip()[:1] != b"{":
            raise BadInput(f"{path} is not JSON: expected {SHAPES}") from None
        return None


def _json_lines(data: bytes, path: Path) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if line.strip():
            try:
                yield number, without_surrogates(jsonsafe.loads(line))
            except ValueError as exc:
                raise BadInput(f"{path}: line {number} is not valid JSON ({exc})") from None


def _records(
    path: Path,
    items: Iterator[tuple[int, Any]],
    unit: str,
    report: Callable[[str], None],
    source_url: str,
    fetched_at: str,
) -> list[Contribution]:
    found = []
    for number, item in items:
        record = _one(item, source_url, fetched_at)
        if record is None and not found:
            raise BadInput(
                f"{path}: {unit} {number} is not a contribution: expected a 'ContributionExtId' or an 'ext_id' "
                f"with its text ({SHAPES})"
            )
        if record is None:
            report(f"{path}: {unit} {number} skipped: it is not a contribution with an id and text")
            continue
        found.append(record)
    return found


def _one(item: Any, source_url: str, fetched_at: str) -> Contribution | None:
    """A search item or a record in pqcheck's shape as a contribution; None if it is neither."""
    if not isinstance(item, dict):
        return None
    if "ContributionExtId" in item:
        return contribution(item, source_url=source_url, fetched_at=fetched_at)
    ext_id = text_of(item.get("ext_id"))
    text = text_of(item.get("text")) or text_of(item.get("html"))
    if not ext_id or not text:
        return None
    fields = {k: v for k, v in item.items() if k in RECORD_FIELDS and (v is None or isinstance(v, str))}
    fields["member_id"] = item["member_id"] if type(item.get("member_id")) is int else None
    fields["date"] = sitting_day(item.get("date"))
    fields["text"] = html_to_text(text)
    fields["url"] = safe_url(item.get("url"))
    record = Contribution(**{**fields, "ext_id": ext_id, "raw": item})
    record.url = record.url or contribution_url(
        record.house, record.date, record.debate_ext_id, record.debate_title, record.ext_id
    )
    record.source_url, record.fetched_at = record.source_url or source_url, record.fetched_at or fetched_at
    return record
