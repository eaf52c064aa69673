"""`pqcheck check-answer`: classify answers that are not in the database (or one that is)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlite_utils

from .classify import CLASSIFIER_VERSION, classify
from .errors import BadInput


def check(record_id: Any, question_text: str | None, answer_text: str | None) -> dict[str, Any]:
    """The classification of one answer as a plain dict (for printing or JSON)."""
    if not (answer_text or "").strip():
        raise BadInput(f"{record_id or 'the answer'}: no answer text to classify")
    result = asdict(classify(question_text, answer_text))
    return {"id": record_id, **result, "classifier_version": CLASSIFIER_VERSION}


def stored_answer(db: sqlite_utils.Database, question_id: int) -> tuple[str | None, str | None]:
    """The question and answer text of a stored question."""
    row = next(db["questions"].rows_where("id = ?", [question_id], select="question_text, answer_text"), None)
    if row is None:
        raise BadInput(f"no question with id {question_id} in the database")
    return row["question_text"], row["answer_text"]


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``{id, question_text, answer_text}`` records, with their line numbers."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise BadInput(f"{path}: line {number} is not valid JSON ({exc})") from None
            if not isinstance(record, dict) or "answer_text" not in record:
                raise BadInput(f"{path}: line {number} needs an 'answer_text' (and 'id', 'question_text')")
            yield number, record


def describe(result: dict[str, Any]) -> str:
    """A few readable lines for one classification."""
    lines = [
        f"{result['id'] or 'answer'}: {result['label']}" + (f" ({result['category']})" if result["category"] else "")
    ]
    if result["phrase"]:
        lines.append(f'  phrase: "{result["phrase"]}" at {result["start"]}-{result["end"]}')
    if result["subject"]:
        lines.append(f"  subject: {result['subject']}" + (f" ({result['period']})" if result["period"] else ""))
    return "\n".join(lines)
