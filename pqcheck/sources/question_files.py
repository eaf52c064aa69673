"""Reading questions from files in the API's own shapes, for bulk dumps and offline use.

Accepted: a list response (``{"totalResults", "results": [{"value", "links"}]}``), a single
item (``{"value", "links"}``), a JSON array of items or of bare ``value`` objects, or JSON Lines
of either; UTF-8, with or without a byte-order mark.

A file whose first record is not a written question, or that is not JSON, is refused
(:class:`BadInput`). A later record that is not one, or has a field of the wrong kind (a list
for a heading, a date that is not a date), is reported and skipped.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from .. import jsonsafe
from ..errors import BadInput
from ..records import QuestionRecord, now_iso
from ..text import looks_like_html
from .parliament import value_problem

SHAPES = (
    "a list response (totalResults/results), a single item (value/links), "
    "a JSON array of value objects, or JSON Lines of them"
)


class QuestionFile:
    """The questions in one file: ``total`` is known up front (for progress), iterate for records.

    Opening raises :class:`BadInput` if the file is not JSON or not in one of the shapes; records
    skipped while iterating go to ``report``.
    """

    def __init__(self, path: str | Path, report: Callable[[str], None]):
        self.path = Path(path)
        self.report = report
        self.source_url, self.fetched_at = self.path.resolve().as_uri(), now_iso()
        try:
            with self.path.open("rb") as handle:
                head = handle.read(1 << 20).removeprefix(codecs.BOM_UTF8).lstrip()
        except OSError as exc:
            raise BadInput(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if not head:
            raise BadInput(f"{self.path} is empty: expected {SHAPES}")
        if _is_json_lines(self.path, head):
            self._items = None
            with self.path.open("rb") as handle:
                self.total = sum(1 for line in handle if line.strip())
        else:
            self._items = _whole_document(self.path)
            self.total = len(self._items)
            if self._items:
                _question(self._items[0], self.path, "record", 1)

    def __iter__(self) -> Iterator[QuestionRecord]:
        items = _json_lines(self.path) if self._items is None else enumerate(self._items, 1)
        unit = "line" if self._items is None else "record"
        first = True
        for number, item in items:
            value = _question(item, self.path, unit, number) if first else _value(item)
            first = False
            problem = "it is not a written question" if value is None else value_problem(value)
            if problem:
                self.report(f"{self.path}: {unit} {number} skipped: {problem}")
                continue
            # an HTML answer means the record was saved from the detail endpoint: its texts are whole
            yield QuestionRecord(
                value, self.source_url, self.fetched_at, complete=looks_like_html(value.get("answerText"))
            )


def _is_json_lines(path: Path, head: bytes) -> bool:
    if head[:1] not in (b"{", b"["):
        raise BadInput(f"{path} is not JSON: expected {SHAPES}")
    first_line = head.split(b"\n", 1)[0]
    try:
        _parse(first_line)  # a line too deep to store is still a line: _json_lines reports it
    except ValueError:
        return False
    return b"\n" in head.strip()


def _whole_document(path: Path) -> list[Any]:
    try:
        data = _loads(path.read_bytes().removeprefix(codecs.BOM_UTF8))
    except ValueError as exc:
        raise BadInput(f"{path} is not valid JSON ({exc}): expected {SHAPES}") from None
    if isinstance(data, dict) and "results" in data:
        items = data["results"]
        if not isinstance(items, list):
            raise BadInput(f"{path}: 'results' is not a list")
    elif isinstance(data, dict):
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise BadInput(f"{path} holds a JSON {type(data).__name__}: expected {SHAPES}")
    return items


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = _loads(line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)
            except ValueError as exc:
                raise BadInput(f"{path}: line {number} is not valid JSON ({exc})") from None
            yield number, item


def _loads(data: bytes) -> Any:
    """Parse JSON (:func:`_parse`), refusing nesting deeper than any record (ValueError)."""
    return jsonsafe.bounded(_parse(data))


def _parse(data: bytes) -> Any:
    """Parse JSON fast (orjson); bytes that are not UTF-8 are read with replacement characters."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        text = data.decode("utf-8", errors="replace")
        if text.encode("utf-8") == data:
            raise
        return orjson.loads(text)


def _value(item: Any) -> dict[str, Any] | None:
    """The ``value`` object of an item, if it is a written question (an ``id`` and a ``questionText``)."""
    value = item.get("value", item) if isinstance(item, dict) else None
    if isinstance(value, dict) and "id" in value and "questionText" in value:
        return value
    return None


def _question(item: Any, path: Path, unit: str, number: int) -> dict[str, Any]:
    """The ``value`` of the file's first item, or a :class:`BadInput`: the file holds something else."""
    value = _value(item)
    if value is not None and type(value["id"]) is int:
        return value
    raise BadInput(
        f"{path}: {unit} {number} is not a written question: expected an object with an integer 'id' "
        f"and a 'questionText' ({SHAPES})"
    )
