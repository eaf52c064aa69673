"""Reading questions from files in the API's own shapes, for bulk dumps and offline use.

Accepted: a list response (``{"totalResults", "results": [{"value", "links"}]}``), a single
item (``{"value", "links"}``), a JSON array of items or of bare ``value`` objects, or JSON Lines
of either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import BadInput
from ..text import looks_like_html
from .parliament import QuestionRecord, now_iso

SHAPES = (
    "a list response (totalResults/results), a single item (value/links), "
    "a JSON array of value objects, or JSON Lines of them"
)


class QuestionFile:
    """The questions in one file: ``total`` is known up front (for progress), iterate for records.

    Opening raises :class:`BadInput` if the file is not JSON or not in one of the shapes.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.source_url, self.fetched_at = self.path.resolve().as_uri(), now_iso()
        try:
            with self.path.open("rb") as handle:
                head = handle.read(1 << 20).lstrip()
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
                _value(self._items[0], self.path, "record", 1)

    def __iter__(self) -> Iterator[QuestionRecord]:
        if self._items is None:
            values = _json_lines(self.path)
        else:
            values = (_value(item, self.path, "record", i) for i, item in enumerate(self._items, 1))
        for value in values:
            # an HTML answer means the record was saved from the detail endpoint: its texts are whole
            yield QuestionRecord(
                value, self.source_url, self.fetched_at, complete=looks_like_html(value.get("answerText"))
            )


def _is_json_lines(path: Path, head: bytes) -> bool:
    if head[:1] not in (b"{", b"["):
        raise BadInput(f"{path} is not JSON: expected {SHAPES}")
    first_line = head.split(b"\n", 1)[0]
    try:
        _loads(first_line)
    except ValueError:
        return False
    return b"\n" in head.strip()


def _whole_document(path: Path) -> list[Any]:
    try:
        data = _loads(path.read_bytes())
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


def _json_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = _loads(line)
            except ValueError as exc:
                raise BadInput(f"{path}: line {number} is not valid JSON ({exc})") from None
            yield _value(item, path, "line", number)


def _loads(data: bytes) -> Any:
    """Parse JSON fast (orjson); bytes that are not UTF-8 are read with replacement characters."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        text = data.decode("utf-8", errors="replace")
        if text.encode("utf-8") == data:
            raise
        return orjson.loads(text)


def _value(item: Any, path: Path, unit: str, number: int) -> dict[str, Any]:
    """The ``value`` object of an item, or a :class:`BadInput` naming where it is."""
    value = item.get("value", item) if isinstance(item, dict) else None
    if isinstance(value, dict) and type(value.get("id")) is int and "questionText" in value:
        return value
    raise BadInput(
        f"{path}: {unit} {number} is not a written question: expected an object with an integer 'id' "
        f"and a 'questionText' ({SHAPES})"
    )
