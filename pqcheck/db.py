"""The database: one SQLite file, its schema declared once, and ``ensure_db_shape()``.

``ensure_db_shape`` is idempotent and is how an older file is migrated: it creates missing
tables, adds missing columns (existing rows keep their values), creates indexes and the FTS5
indexes (built from the rows already there), and applies the named migrations in
``MIGRATIONS`` that an additive change cannot express.

The FTS5 indexes are external-content tables kept in step by the savers (``fts_remove`` before
and ``fts_add`` after a batch is written), not by triggers: one statement per batch is about
twice as fast as a trigger per row on bulk imports.
"""

from __future__ import annotations

import json
import sqlite3
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils

from .departments import save_departments
from .errors import BadInput

# table -> (primary key, {column: type}); columns are listed in the order they are created.
TABLES: dict[str, tuple[str | tuple[str, ...], dict[str, type]]] = {
    "answering_bodies": (
        "id",
        {
            "id": int,
            "name": str,
            "short_name": str,
            "department_id": int,
            "department_name": str,
            "source": str,
            "source_url": str,
            "fetched_at": str,
            "raw": str,
        },
    ),
    "members": (
        "id",
        {
            "id": int,
            "name": str,
            "list_as": str,
            "party": str,
            "party_abbreviation": str,
            "party_colour": str,
            "member_from": str,
            "thumbnail_url": str,
            "source_url": str,
            "fetched_at": str,
            "raw": str,
        },
    ),
    "questions": (
        "id",
        {
            "id": int,
            "uin": str,
            "house": str,
            "date_tabled": str,
            "date_for_answer": str,
            "date_answered": str,
            "date_holding_answer": str,
            "date_answer_corrected": str,
            "heading": str,
            "question_text": str,
            "question_text_truncated": int,
            "answer_status": str,
            "answer_text": str,
            "answer_html": str,
            "answer_text_truncated": int,
            "holding_answer_text": str,
            "full_record": int,
            "answering_body_id": int,
            "answering_body_name": str,
            "asking_member_id": int,
            "answering_member_id": int,
            "correcting_member_id": int,
            "member_has_interest": int,
            "is_withdrawn": int,
            "is_named_day": int,
            "grouped_questions": str,
            "attachments": str,
            "url": str,
            "source": str,
            "source_url": str,
            "fetched_at": str,
            "raw": str,
        },
    ),
    "answer_versions": (
        ("question_id", "text_sha1"),
        {
            "question_id": int,
            "text_sha1": str,
            "kind": str,
            "date": str,
            "answer_text": str,
            "answer_html": str,
            "first_seen_at": str,
            "source_url": str,
        },
    ),
    "departments": (
        "id",
        {"id": str, "name": str, "kind": str, "parent_id": str, "successor_id": str, "url": str},
    ),
    "department_aliases": (
        "alias",
        {"alias": str, "department_id": str, "kind": str},
    ),
    "foi_requests": (
        "id",
        {
            "id": str,
            "source": str,
            "source_id": str,
            "url": str,
            "authority": str,
            "authority_id": str,
            "department_id": str,
            "title": str,
            "request_text": str,
            "outcome": str,
            "date_requested": str,
            "date_responded": str,
            "source_url": str,
            "fetched_at": str,
            "raw": str,
        },
    ),
    "foi_documents": (
        "id",
        {
            "id": str,
            "request_id": str,
            "kind": str,
            "title": str,
            "url": str,
            "date": str,
            "file_type": str,
            "filename": str,
            "sha256": str,
            "size": int,
            "page_count": int,
            "status": str,
            "error": str,
            "notes": str,
            "fetched_at": str,
            "raw": str,
        },
    ),
    "foi_pages": (
        ("document_id", "page"),
        {"document_id": str, "page": int, "text": str, "needs_ocr": int},
    ),
    "foi_figures": (
        ("document_id", "page", "start"),
        {
            "document_id": str,
            "page": int,
            "start": int,
            "end": int,
            "value": float,
            "text": str,
            "kind": str,
            "context": str,
            "qualifier": str,
            "unit": str,
            "header": str,
        },
    ),
    "refusals": (
        "question_id",
        {
            "question_id": int,
            "label": str,  # refusal, partial, disclosure, other
            "category": str,  # not_held_centrally, not_collected, disproportionate_cost, not_in_format,
            # not_available, will_publish, other (None unless label is refusal or partial)
            "phrase": str,
            "phrase_start": int,  # offsets of phrase in questions.answer_text
            "phrase_end": int,
            "subject": str,
            "subject_terms": str,  # JSON list of lower-case lemmas, most specific first
            "period": str,
            "period_start": str,  # YYYY-MM-DD
            "period_end": str,
            "classifier_version": str,
            "classified_at": str,
        },
    ),
    "matches": (
        "id",
        {
            "id": str,  # stable: sha1 of question id and target, so reviews survive re-runs
            "question_id": int,
            "target_kind": str,  # foi, answer
            "foi_request_id": str,
            "foi_document_id": str,
            "other_question_id": int,
            "department_id": str,
            "evidence_kind": str,  # disclosure, not_held, refused, answer
            "score": float,
            "reasons": str,  # JSON object: terms, rules and their weights
            "refusal_phrase": str,
            "evidence_text": str,
            "evidence_page": int,
            "evidence_figures": str,  # JSON list of {text, value, context}
            "time_relation": str,  # before, after, same_day (the FOI relative to the answer)
            "gap_days": int,
            "matcher_version": str,
            "matched_at": str,
        },
    ),
    "reviews": (
        "id",
        {
            "id": int,
            "match_id": str,
            "verdict": str,  # confirmed, rejected, not-comparable
            "note": str,
            "reviewer": str,
            "reviewed_at": str,
        },
    ),
    "sync_state": (
        "key",
        {
            "key": str,
            "source": str,
            "filters": str,
            "status": str,
            "plan": str,
            "pass_index": int,
            "skip": int,
            "started_at": str,
            "finished_at": str,
            "last_success_at": str,
            "last_error": str,
        },
    ),
}

FOREIGN_KEYS = {
    "questions": [
        ("answering_body_id", "answering_bodies", "id"),
        ("asking_member_id", "members", "id"),
        ("answering_member_id", "members", "id"),
        ("correcting_member_id", "members", "id"),
    ],
    "answer_versions": [("question_id", "questions", "id")],
    "department_aliases": [("department_id", "departments", "id")],
    "foi_requests": [("department_id", "departments", "id")],
    "foi_documents": [("request_id", "foi_requests", "id")],
    "foi_pages": [("document_id", "foi_documents", "id")],
    "foi_figures": [("document_id", "foi_documents", "id")],
    "refusals": [("question_id", "questions", "id")],
    "matches": [
        ("question_id", "questions", "id"),
        ("foi_request_id", "foi_requests", "id"),
        ("foi_document_id", "foi_documents", "id"),
        ("department_id", "departments", "id"),
    ],
}

INDEXES = {
    "questions": [
        ["date_answered"],
        ["date_tabled", "uin"],
        ["answering_body_id", "date_answered"],
    ],
    "foi_requests": [["department_id", "date_responded"], ["source", "source_id"]],
    "foi_documents": [["request_id"], ["sha256"], ["url"]],
    "refusals": [["label", "category"], ["classifier_version"]],
    "matches": [["question_id"], ["score"], ["foi_document_id"], ["foi_request_id"], ["other_question_id"]],
    "reviews": [["match_id"]],
}

FTS = {
    "questions": ["heading", "question_text", "answer_text"],
    "foi_requests": ["title", "request_text"],
    "foi_pages": ["text"],
}
NEW_FILE_PAGE_SIZE = 16384

# name -> SELECT; (re)created by ensure_db_shape
VIEWS = {
    "question_departments": """
        SELECT questions.id AS question_id, questions.answering_body_id, department_aliases.department_id
        FROM questions
        LEFT JOIN department_aliases ON department_aliases.alias = 'body:' || questions.answering_body_id
    """,
}


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (or create) the database at ``path`` and bring it to the current shape.

    Raises :class:`BadInput` with a plain message when the path cannot be used.
    """
    path = Path(path)
    if path.is_dir():
        raise BadInput(f"cannot use {path} as a database: it is a directory")
    if not path.parent.exists():
        raise BadInput(f"cannot create database {path}: folder {path.parent} does not exist")
    try:
        new_file = not path.exists() or path.stat().st_size == 0
        db = sqlite_utils.Database(path)
        if new_file:
            db.execute(f"PRAGMA page_size={NEW_FILE_PAGE_SIZE}")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=10000")
        ensure_db_shape(db)
        save_departments(db)
    except sqlite3.DatabaseError as exc:
        raise BadInput(f"cannot use database {path}: {exc}") from exc
    return db


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create or migrate every table, index and full-text index. Safe to run any number of times."""
    with db.atomic():
        for name, (pk, columns) in TABLES.items():
            table = db[name]
            if not table.exists():
                table.create(columns, pk=pk, foreign_keys=FOREIGN_KEYS.get(name, []))
                continue
            existing = set(table.columns_dict)
            for column, col_type in columns.items():
                if column not in existing:
                    table.add_column(column, col_type)
        for name, indexes in INDEXES.items():
            for columns in indexes:
                db[name].create_index(columns, if_not_exists=True)
    for name, columns in FTS.items():
        if not db[f"{name}_fts"].exists():
            db[name].enable_fts(columns, fts_version="FTS5", tokenize="porter")
    for name, sql in VIEWS.items():
        existing = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
        if existing is None or sql.strip() not in existing[0]:
            db.create_view(name, sql.strip(), replace=True)
    MIGRATIONS.apply(db)


def upsert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]], *, keep_existing=False) -> None:
    """Write ``rows`` (each carrying every column of ``table``) keyed on its primary key, with one
    prepared statement. ``keep_existing`` leaves rows that are already there untouched."""
    pk, columns = TABLES[table]
    keys = (pk,) if isinstance(pk, str) else pk
    names = list(columns)
    action = (
        "NOTHING"
        if keep_existing
        else "UPDATE SET " + ", ".join(f"[{c}] = excluded.[{c}]" for c in names if c not in keys)
    )
    sql = (
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in names)}) VALUES ({', '.join('?' * len(names))}) "
        f"ON CONFLICT({', '.join(keys)}) DO {action}"
    )
    getter = itemgetter(*names)
    try:
        params = [getter(row) for row in rows]
    except KeyError:  # rows without some columns: those are NULL
        params = [tuple(map(row.get, names)) for row in rows]
    db.conn.executemany(sql, params)


def fts_remove(db: sqlite_utils.Database, table: str, values: list[Any], column: str = "rowid") -> None:
    """Take the rows whose ``column`` is in ``values`` out of the table's FTS index; call before
    they are rewritten or deleted."""
    _fts_write(db, table, values, column, delete=True)


def fts_add(db: sqlite_utils.Database, table: str, values: list[Any], column: str = "rowid") -> None:
    """Index the rows whose ``column`` is in ``values``, as they now stand in the table."""
    _fts_write(db, table, values, column, delete=False)


def _fts_write(db: sqlite_utils.Database, table: str, values: list[Any], column: str, *, delete: bool) -> None:
    if not values:
        return
    columns = ", ".join(f"[{c}]" for c in FTS[table])
    if delete:
        target, first = f"[{table}_fts]([{table}_fts], rowid, {columns})", "'delete', "
    else:
        target, first = f"[{table}_fts](rowid, {columns})", ""
    db.execute(
        f"INSERT INTO {target} SELECT {first}rowid, {columns} FROM [{table}] "
        f"WHERE [{column}] IN (SELECT value FROM json_each(?))",
        [json.dumps(values)],
    )


MIGRATIONS = sqlite_utils.Migrations("pqcheck")


@MIGRATIONS()
def m001_answer_status_from_flags(db: sqlite_utils.Database) -> None:
    """Fill ``answer_status`` for rows written before the column existed."""
    db.execute(
        """
        UPDATE questions SET answer_status = CASE
            WHEN json_extract(raw, '$.answerIsHolding') = 1 THEN 'holding'
            WHEN json_extract(raw, '$.answerIsCorrection') = 1 THEN 'corrected'
            WHEN json_extract(raw, '$.dateAnswered') IS NOT NULL THEN 'answered'
            ELSE 'unanswered' END
        WHERE answer_status IS NULL AND raw IS NOT NULL
        """
    )


@MIGRATIONS()
def m002_fts_kept_by_savers(db: sqlite_utils.Database) -> None:
    """Drop the per-row FTS triggers of older files: the savers keep the index in step."""
    for name in FTS:
        for suffix in ("ai", "ad", "au"):
            db.execute(f"DROP TRIGGER IF EXISTS [{name}_{suffix}]")
