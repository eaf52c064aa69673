"""Databases of written answers, FOI requests, refusals, pairs and reviews for the tests.

Answers and FOI requests go through pqcheck's own savers (``save_questions``, ``ingest``), so they
have the shape a real run gives them. Refusals, pairs and reviews a test needs exactly (a given
score, phrase, verdict or time, which ``classify_db`` and ``match_db`` would not give) are written
as rows by the helpers here, the one place that knows those tables' columns.
"""

from __future__ import annotations

from typing import Any

from pqcheck.db import fts_remove, index_pair_texts, upsert_rows
from pqcheck.foi import ingest
from pqcheck.questions import save_questions
from pqcheck.records import FoiRequest, QuestionRecord

SOURCE = "file:///test.json"
FETCHED_AT = "2024-01-01T00:00:00"


def save_answers(db, values: list[dict[str, Any]], *, source: str = SOURCE, fetched_at: str = FETCHED_AT) -> None:
    """Save ``QuestionsViewModel`` values (``factories.question_value``) as the detail endpoint gave them."""
    save_questions(db, [QuestionRecord(value, source, fetched_at, True) for value in values])


def save_fois(db, requests: list[FoiRequest]) -> dict[str, str]:
    """Save FOI requests with their documents; the id of each request's first document, by request id."""
    ingest(db, requests)
    documents: dict[str, str] = {}
    for request_id, document_id in db.execute("SELECT request_id, id FROM foi_documents ORDER BY rowid"):
        documents.setdefault(request_id, document_id)
    return {request.id: documents.get(request.id) for request in requests}


def add_refusal(db, question_id: int, *, label: str = "refusal", **columns: Any) -> None:
    """A ``refusals`` row for a saved answer (``category``, ``phrase``, ``subject``... as given)."""
    upsert_rows(db, "refusals", [{"question_id": question_id, "label": label, **columns}])


def phrase_at(db, question_id: int, phrase: str, occurrence: int = 0) -> dict[str, Any]:
    """The ``phrase``, ``phrase_start`` and ``phrase_end`` of the ``occurrence``-th ``phrase`` in a saved answer."""
    text = db.execute("SELECT answer_text FROM questions WHERE id = ?", [question_id]).fetchone()[0]
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return {"phrase": phrase, "phrase_start": start, "phrase_end": start + len(phrase)}


def add_pair(db, match_id: str, question_id: int, score: float, **columns: Any) -> None:
    """A ``matches`` row: with ``other_question_id`` a pair of two answers, else of an answer and an FOI
    request (``foi_request_id``, ``foi_document_id``)."""
    if "other_question_id" in columns:
        kind = {"target_kind": "answer", "evidence_kind": "answer"}
    else:
        kind = {"target_kind": "foi", "evidence_kind": "disclosure"}
    fts_remove(db, "matches", [question_id], column="question_id")  # as the matcher keeps matches_fts
    upsert_rows(db, "matches", [{"id": match_id, "question_id": question_id, "score": score, **kind, **columns}])
    index_pair_texts(db, [question_id])


def add_review(
    db,
    review_id: int,
    match_id: str,
    verdict: str,
    reviewed_at: str,
    *,
    reviewer: str = "alice",
    note: str | None = None,
) -> None:
    """A ``reviews`` row as a reviewer left it at ``reviewed_at``."""
    row = {"id": review_id, "match_id": match_id, "verdict": verdict, "note": note, "reviewer": reviewer}
    upsert_rows(db, "reviews", [{**row, "reviewed_at": reviewed_at}])
