"""`pqcheck check-answer`: classify answers that are not in the database (or one that is)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from . import jsonsafe
from .classify import CLASSIFIER_VERSION, classify
from .errors import BadInput
from .sources.parliament import answer_cut
from .text import html_to_text, looks_like_html, without_surrogates
from .vocabulary import CUT_SHORT_NOTE


def check(record_id: Any, question_text: Any, answer_text: Any, cut_short: bool | None = None) -> dict[str, Any]:
    """The classification of one answer as a plain dict (for printing or JSON). An HTML answer
    (as the API's detail endpoint gives it) is read as its text; a text cut short (``cut_short``;
    when not known, one that ends in "..." as the list endpoint cuts it) is classified on what
    there is, and ``answer_cut_short`` says so."""
    name = record_id or "the answer"
    for field, value in (("question", question_text), ("answer", answer_text)):
        if value is not None and not isinstance(value, str):
            raise BadInput(f"{name}: the {field} is {type(value).__name__}, not text")
    cut_short = answer_cut(answer_text) if cut_short is None else cut_short
    answer_text = answer_text_of(answer_text)
    if not answer_text:
        raise BadInput(f"{name}: no answer text to classify")
    result = asdict(classify(without_surrogates(question_text), answer_text))
    return {"id": record_id, **result, "answer_cut_short": cut_short, "classifier_version": CLASSIFIER_VERSION}


def answer_text_of(answer: str | None) -> str | None:
    """The text to classify: HTML read as its text, lone surrogates replaced; None if blank."""
    text = without_surrogates(answer or "")
    if looks_like_html(text):
        text = html_to_text(text)
    return text if text.strip() else None


def stored_answer(db: sqlite_utils.Database, question_id: int) -> tuple[str | None, str | None, bool]:
    """The question and answer text of a stored question, and whether the list endpoint cut the
    answer short (as stored: ``questions.answer_text_truncated``)."""
    select = "question_text, answer_text, answer_text_truncated"
    row = next(db["questions"].rows_where("id = ?", [question_id], select=select), None)
    if row is None:
        raise BadInput(f"no question with id {question_id} in the database")
    return row["question_text"], row["answer_text"], bool(row["answer_text_truncated"])


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def read_jsonl(path: Path, report: Callable[[str], None] = warn) -> Iterator[tuple[int, dict[str, Any]]]:
    """``{id, question_text, answer_text}`` records, with their line numbers.

    A file whose first record has no ``answer_text`` is not a batch of answers (:class:`BadInput`);
    a later record without a usable ``answer_text`` (absent, empty, not text) goes to ``report``
    and is skipped.
    """
    first = True
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = without_surrogates(jsonsafe.loads(line))
            except ValueError as exc:
                raise BadInput(f"{path}: line {number} is not valid JSON ({exc})") from None
            has_answer = isinstance(record, dict) and "answer_text" in record
            if first and not has_answer:
                raise BadInput(f"{path}: line {number} needs an 'answer_text' (and 'id', 'question_text')")
            first = False
            answer = record.get("answer_text") if has_answer else None
            question = record.get("question_text") if has_answer else None
            if not isinstance(answer, str) or not answer_text_of(answer) or not isinstance(question, str | None):
                report(f"{path}: line {number} skipped: it needs an 'answer_text' and a 'question_text' that are text")
                continue
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
    if result.get("refused_part"):
        lines.append(f"  part refused: {result['refused_part']}")
    if result.get("answer_cut_short"):
        lines.append(f"  {CUT_SHORT_NOTE}")
    return "\n".join(lines)
