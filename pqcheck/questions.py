"""Saving written questions: API records to rows, answer history, members and bodies.

The saver never makes HTTP calls. Its rules keep what is stored safe from older or thinner data:

- the latest activity wins: a record whose answer is older than the stored one (an old holding
  answer, say) does not replace it;
- for the same answer, a thinner record does not replace a fuller one: a detail record (whole
  texts, HTML) beats a list record, which beats a list record whose text was cut;
- an answer text that is replaced (a holding answer, an answer before its correction) moves to
  ``answer_versions``, so the history is never lost; the current text is in ``questions``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
import sqlite_utils

from .db import fts_add, fts_remove, upsert_rows, write_transaction
from .records import QuestionRecord
from .sources.parliament import LIST_TEXT_LIMIT, answer_cut
from .text import html_to_text, looks_like_html

QUESTION_PAGE = "https://questions-statements.parliament.uk/written-questions/detail/{date}/{uin}"
STATUS_RANK = {"unanswered": 0, "holding": 1, "answered": 2, "corrected": 3}
MEMBER_FIELDS = (("askingMember", "asking"), ("answeringMember", "answering"), ("correctingMember", "correcting"))
# columns a thinner record must not blank out
KEEP_IF_MISSING = ("holding_answer_text", "date_holding_answer")
_WHITESPACE = re.compile(r"\s+")


@dataclass
class SaveStats:
    """What one call to :func:`save_questions` did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_newer: int = 0
    truncated: int = 0
    skipped: int = 0  # records that could not be read (files only)
    files_skipped: int = 0  # files not in one of the API's shapes (imports only)
    ids: list[int] = field(default_factory=list)

    def add(self, other: SaveStats) -> None:
        for name in ("inserted", "updated", "unchanged", "kept_newer", "truncated", "skipped", "files_skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ids.extend(other.ids)


def day(value: Any) -> str | None:
    """``"2021-02-01T00:00:00"`` -> ``"2021-02-01"``; None stays None."""
    return value[:10] if isinstance(value, str) and value else None


def answer_status(value: dict[str, Any]) -> str:
    if value.get("answerIsHolding"):
        return "holding"
    if value.get("answerIsCorrection"):
        return "corrected"
    if value.get("dateAnswered") or value.get("answerText"):
        return "answered"
    return "unanswered"


def activity_key(row: dict[str, Any]) -> tuple[str, int]:
    """Orders two versions of one question: latest dated activity, then the further status."""
    dates = [row.get(c) for c in ("date_tabled", "date_holding_answer", "date_answered", "date_answer_corrected")]
    return max((d for d in dates if d), default=""), STATUS_RANK.get(row.get("answer_status") or "", 0)


def question_row(record: QuestionRecord, raw: str | None = None) -> dict[str, Any]:
    """The ``questions`` row for one API ``value`` object (``raw``: its JSON, if already made)."""
    value = record.value
    get = value.get
    status = answer_status(value)
    raw_answer = get("answerText")
    is_html = looks_like_html(raw_answer)
    text = html_to_text(raw_answer) if raw_answer else None
    question_text = get("questionText")
    date_tabled = day(get("dateTabled"))
    uin = get("uin")
    grouped = get("groupedQuestionsDates") or [
        {"questionUin": g, "dateTabled": None} for g in get("groupedQuestions") or []
    ]
    return {
        "id": value["id"],
        "uin": uin,
        "house": get("house"),
        "date_tabled": date_tabled,
        "date_for_answer": day(get("dateForAnswer")),
        "date_answered": day(get("dateAnswered")),
        "date_holding_answer": day(get("dateHoldingAnswer")),
        "date_answer_corrected": day(get("dateAnswerCorrected")),
        "heading": get("heading"),
        "question_text": question_text,
        "question_text_truncated": int(
            not record.complete and isinstance(question_text, str) and len(question_text) == LIST_TEXT_LIMIT
        ),
        "answer_status": status,
        "answer_text": None if status == "holding" else text,
        "answer_html": raw_answer if is_html and status != "holding" else None,
        "answer_text_truncated": int(not record.complete and answer_cut(raw_answer)),
        "holding_answer_text": text if status == "holding" else None,
        "full_record": int(record.complete),
        "answering_body_id": get("answeringBodyId"),
        "answering_body_name": get("answeringBodyName"),
        "asking_member_id": get("askingMemberId"),
        "answering_member_id": get("answeringMemberId"),
        "correcting_member_id": get("correctingMemberId"),
        "member_has_interest": _flag(get("memberHasInterest")),
        "is_withdrawn": _flag(get("isWithdrawn")),
        "is_named_day": _flag(get("isNamedDay")),
        "grouped_questions": _json_list(
            [{"uin": g.get("questionUin"), "date_tabled": day(g.get("dateTabled"))} for g in grouped]
        ),
        "attachments": _json_list(get("attachments")),
        "url": QUESTION_PAGE.format(date=date_tabled, uin=uin) if date_tabled and uin else None,
        "source": "file" if record.source_url.startswith("file:") else "api",
        "source_url": record.source_url,
        "fetched_at": record.fetched_at,
        "raw": raw if raw is not None else _raw_json(value),
    }


def _flag(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def is_complete(row: dict[str, Any]) -> bool:
    return not row["question_text_truncated"] and not row["answer_text_truncated"]


def text_quality(row: dict[str, Any]) -> int:
    """2 for a detail record, 1 for a list record with nothing cut, 0 for a cut one."""
    return 2 if row["full_record"] else int(is_complete(row))


def already_complete(db: sqlite_utils.Database, value: dict[str, Any]) -> bool:
    """True if the stored row for this question came from the detail endpoint for the same answer.

    The fetcher uses it to skip detail requests on re-runs and resumed runs.
    """
    stored = _existing(db, [value["id"]]).get(value["id"])
    if stored is None or not stored["full_record"]:
        return False
    incoming = question_row(QuestionRecord(value, "", ""))
    return activity_key(incoming) == activity_key(stored)


def cut_short_ids(
    db: sqlite_utils.Database,
    *,
    answering_bodies: Iterable[int] = (),
    answered_from: date | None = None,
    answered_to: date | None = None,
) -> list[int]:
    """The ids of the answered questions whose stored text (question or answer) the list endpoint
    cut short, in id order: what ``pqcheck fetch details`` asks the detail endpoint for. Only these
    answering bodies, and only answers given in this range (inclusive), when given."""
    where = ["answer_status != 'unanswered'", "(answer_text_truncated = 1 OR question_text_truncated = 1)"]
    params: list[Any] = []
    bodies = list(answering_bodies)
    if bodies:
        where.append(f"answering_body_id IN ({', '.join('?' * len(bodies))})")
        params += bodies
    for op, value in ((">=", answered_from), ("<=", answered_to)):
        if value is not None:
            where.append(f"date_answered {op} ?")
            params.append(value.isoformat())
    sql = f"SELECT id FROM questions WHERE {' AND '.join(where)} ORDER BY id"
    return [row[0] for row in db.execute(sql, params)]


_EXISTING_COLUMNS = (
    "id, raw, question_text, question_text_truncated, answer_text, answer_html, answer_text_truncated, "
    "answer_status, date_tabled, date_holding_answer, date_answered, date_answer_corrected, holding_answer_text, "
    "full_record, fetched_at, source_url"
)


def _existing(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        cursor = db.execute(f"SELECT {_EXISTING_COLUMNS} FROM questions WHERE id IN ({marks})", chunk)
        names = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            found[values[0]] = dict(zip(names, values, strict=True))
    return found


def _merge(row: dict[str, Any], old: dict[str, Any] | None) -> str:
    """Decide what to do with ``row`` given the stored ``old`` one; may edit ``row`` in place."""
    if old is None:
        return "inserted"
    if old["raw"] == row["raw"]:
        return "unchanged"
    new_key, old_key = activity_key(row), activity_key(old)
    if new_key < old_key:
        return "kept_newer"
    if new_key == old_key and text_quality(row) < text_quality(old):
        return "unchanged"
    if row["question_text_truncated"] and not old["question_text_truncated"]:
        row["question_text"], row["question_text_truncated"] = old["question_text"], 0
    for column in KEEP_IF_MISSING:
        if row[column] is None and old[column] is not None:
            row[column] = old[column]
    return "updated"


def _superseded(row: dict[str, Any], old: dict[str, Any] | None, value: dict[str, Any]) -> list[dict[str, Any]]:
    """The earlier answer texts this write replaces, for the answer history.

    The current text lives in ``questions``; ``answer_versions`` keeps what it replaced: a holding
    answer, the answer before a correction, and the API's ``originalAnswerText`` when it sends one.
    A text cut by the list endpoint is not a version, and a change of markup alone is not a change.
    """
    found = []
    if old is not None:
        if old["answer_status"] == "holding" and old["holding_answer_text"] and row["answer_status"] != "holding":
            found.append(("holding", old["date_holding_answer"], old["holding_answer_text"], None))
        if old["answer_text"] and not old["answer_text_truncated"]:
            replaced = row["answer_text"] is None or version_hash(row["answer_text"]) != version_hash(
                old["answer_text"]
            )
            if replaced:
                corrected = old["answer_status"] == "corrected"
                date = old["date_answer_corrected"] if corrected else old["date_answered"]
                found.append(("correction" if corrected else "answer", date, old["answer_text"], old["answer_html"]))
    original = value.get("originalAnswerText")
    if original:
        html = original if looks_like_html(original) else None
        found.append(("original", row["date_answered"], html_to_text(original), html))
    seen_at, source_url = (old or row)["fetched_at"], (old or row)["source_url"]
    return [
        {
            "question_id": row["id"],
            "text_sha1": version_hash(text),
            "kind": kind,
            "date": date,
            "answer_text": text,
            "answer_html": html,
            "first_seen_at": seen_at if kind != "original" else row["fetched_at"],
            "source_url": source_url if kind != "original" else row["source_url"],
        }
        for kind, date, text, html in found
    ]


def version_hash(text: str) -> str:
    """Hash of an answer text with all whitespace removed, so that the list endpoint's plain
    text (paragraphs run together) and the detail endpoint's HTML text count as one version."""
    return hashlib.sha1(_WHITESPACE.sub("", text).encode("utf-8")).hexdigest()


def _member_row(member: dict[str, Any], record: QuestionRecord) -> dict[str, Any]:
    """A ``members`` row for a ``MemberViewModel`` (sent with ``expandMember=true``)."""
    return {
        "id": member["id"],
        "name": member.get("name"),
        "list_as": member.get("listAs"),
        "party": member.get("party"),
        "party_abbreviation": member.get("partyAbbreviation"),
        "party_colour": member.get("partyColour"),
        "member_from": member.get("memberFrom"),
        "thumbnail_url": member.get("thumbnailUrl"),
        "source_url": record.source_url,
        "fetched_at": record.fetched_at,
        "raw": _raw_json(member),
    }


def _raw_json(value: Any) -> str:
    """The payload as stored in ``raw`` columns: compact JSON in the API's own key order."""
    return orjson.dumps(value).decode()


def _json_list(items: list[Any] | None) -> str:
    return _raw_json(items) if items else "[]"


def save_questions(db: sqlite_utils.Database, records: Iterable[QuestionRecord]) -> SaveStats:
    """Upsert a batch of question records (keyed on the API ``id``) in one transaction."""
    stats = SaveStats()
    batch: dict[int, tuple[QuestionRecord, str]] = {}
    for record in records:
        qid, raw = record.value["id"], _raw_json(record.value)
        if qid in batch:  # the same question twice in one batch: keep its latest activity
            kept = batch[qid][0]
            if activity_key(question_row(record, raw)) < activity_key(question_row(kept)):
                continue
        batch[qid] = (record, raw)
    if not batch:
        return stats
    with write_transaction(db):  # what is stored is read in the transaction that writes
        _write_batch(db, batch, stats)
    return stats


def _write_batch(db: sqlite_utils.Database, batch: dict[int, tuple[QuestionRecord, str]], stats: SaveStats) -> None:
    """Merge each record with the stored row and write what changed (inside a write transaction)."""
    existing = _existing(db, list(batch))
    to_write, versions, members, bodies = [], [], {}, {}
    for qid, (record, raw) in batch.items():
        old = existing.get(qid)
        stats.ids.append(qid)
        if old is not None and old["raw"] == raw:
            stats.unchanged += 1
            continue
        row = question_row(record, raw)
        outcome = _merge(row, old)
        setattr(stats, outcome, getattr(stats, outcome) + 1)
        if outcome not in ("inserted", "updated"):
            continue
        to_write.append(row)
        versions.extend(_superseded(row, old, record.value))
        stats.truncated += not is_complete(row)
        for key, _role in MEMBER_FIELDS:
            member = record.value.get(key)
            if isinstance(member, dict) and member.get("id") is not None:
                members[member["id"]] = (member, record)
        if row["answering_body_id"] is not None:
            bodies[row["answering_body_id"]] = {
                "id": row["answering_body_id"],
                "name": row["answering_body_name"],
                "source": "questions",
            }
    updated = [row["id"] for row in to_write if row["id"] in existing]
    upsert_rows(db, "members", [_member_row(m, r) for m, r in members.values()])
    upsert_rows(db, "answering_bodies", list(bodies.values()), keep_existing=True)
    fts_remove(db, "questions", updated)
    fts_remove(db, "matches", updated, column="question_id")  # a pair's search scope is its answer's
    upsert_rows(db, "questions", to_write)
    fts_add(db, "questions", [row["id"] for row in to_write])
    fts_add(db, "matches", updated, column="question_id")
    upsert_rows(db, "answer_versions", versions, keep_existing=True)


def body_rows(bodies: Iterable[dict[str, Any]], source_url: str, fetched_at: str) -> list[dict[str, Any]]:
    """``answering_bodies`` rows for Members API ``AnsweringBody`` objects."""
    rows = []
    for body in bodies:
        department = body.get("department") or {}
        rows.append(
            {
                "id": body["id"],
                "name": body.get("name"),
                "short_name": body.get("shortName"),
                "department_id": department.get("id"),
                "department_name": department.get("name"),
                "source": "members-api",
                "source_url": source_url,
                "fetched_at": fetched_at,
                "raw": json.dumps(body, ensure_ascii=False, sort_keys=True),
            }
        )
    return rows


def save_answering_bodies(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> int:
    """Upsert answering bodies (keyed on the Members API id)."""
    with write_transaction(db):
        db["answering_bodies"].upsert_all(rows, pk="id")
    return len(rows)
