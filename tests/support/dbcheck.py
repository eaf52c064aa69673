"""Checks of a pqcheck database after a crash, a kill or bad input: sound, whole, nothing lost."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from pqcheck.db import FTS, FTS_KEYS, fts_content

# table -> (how many of its columns make the key, the columns that say what a row holds: not
# when or where it was read)
CONTENT = {
    "questions": (1, "id, uin, date_answered, answer_status, heading, question_text, answer_text, answer_html"),
    "answer_versions": (2, "question_id, text_sha1, kind, answer_text"),
    "foi_requests": (1, "id, source, source_id, department_id, title, request_text, outcome, date_responded"),
    "foi_documents": (1, "id, request_id, kind, sha256, status, error, page_count"),
    "foi_pages": (2, "document_id, page, text"),
    "foi_figures": (3, "document_id, page, start, value, context"),
    "refusals": (1, "question_id, label, category, phrase, subject"),
    "matches": (
        1,
        "id, question_id, foi_request_id, foi_document_id, other_question_id, score, reasons, evidence_text",
    ),
}
# a row that points at nothing: (table, what it lacks, WHERE clause)
ORPHANS = (
    ("answer_versions", "its question", "question_id NOT IN (SELECT id FROM questions)"),
    ("foi_documents", "its request", "request_id NOT IN (SELECT id FROM foi_requests)"),
    ("foi_pages", "its document", "document_id NOT IN (SELECT id FROM foi_documents)"),
    ("foi_figures", "its document", "document_id NOT IN (SELECT id FROM foi_documents)"),
    ("refusals", "its question", "question_id NOT IN (SELECT id FROM questions)"),
    ("matches", "its question", "question_id NOT IN (SELECT id FROM questions)"),
    ("matches", "its refusal", "question_id NOT IN (SELECT question_id FROM refusals)"),
    (
        "matches",
        "its FOI request and document",
        "target_kind = 'foi' AND (foi_request_id NOT IN (SELECT id FROM foi_requests) "
        "OR foi_document_id NOT IN (SELECT id FROM foi_documents))",
    ),
    ("matches", "its other answer", "target_kind = 'answer' AND other_question_id NOT IN (SELECT id FROM questions)"),
    (
        "matches",
        "its score, reasons or evidence",
        "score IS NULL OR reasons IS NULL OR evidence_text IS NULL OR evidence_figures IS NULL",
    ),
)


def assert_sound(path: Path) -> None:
    """The file passes SQLite's integrity check, every FTS5 index agrees with its table, no key is
    stored twice, and no row is half written (pointing at nothing, or lacking its parts)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for table in FTS:
            try:  # rank 1: compare the index with its content (table or view: the scopes too), not only with itself
                conn.execute(f"INSERT INTO [{table}_fts]([{table}_fts], rank) VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as exc:
                raise AssertionError(f"{table}_fts does not match {table}: {exc}") from None
        for table, (keys, columns) in FTS_KEYS.items():  # the keys search reads beside the index
            listed = ", ".join(columns)
            stored = f"SELECT fts_rowid, {listed} FROM [{keys}]"
            viewed = f"SELECT rowid, {listed} FROM [{fts_content(table)}] WHERE [{columns[0]}] IS NOT NULL"
            for one, other in ((stored, viewed), (viewed, stored)):
                differ = conn.execute(f"SELECT count(*) FROM ({one} EXCEPT {other})").fetchone()[0]
                assert differ == 0, f"{keys} does not match {table}: {differ} rows"
        for table, key in (("questions", "id"), ("foi_requests", "source, source_id"), ("matches", "id")):
            doubled = conn.execute(f"SELECT {key} FROM [{table}] GROUP BY {key} HAVING count(*) > 1").fetchall()
            assert not doubled, f"{table}: {key} stored twice: {doubled[:5]}"
        for table, lacking, where in ORPHANS:
            found = conn.execute(f"SELECT count(*) FROM [{table}] WHERE {where}").fetchone()[0]
            assert found == 0, f"{found} rows of {table} without {lacking}"
        for (reasons,) in conn.execute("SELECT reasons FROM matches"):
            assert isinstance(json.loads(reasons), dict) and json.loads(reasons), reasons
    finally:
        conn.close()


def snapshot(path: Path) -> dict[str, dict[str, str]]:
    """Per table: each row's key -> a hash of what it holds (``CONTENT``)."""
    conn = sqlite3.connect(path)
    try:
        found = {}
        for table, (keys, columns) in CONTENT.items():
            rows = conn.execute(f"SELECT {columns} FROM [{table}]").fetchall()
            found[table] = {json.dumps(row[:keys]): hashlib.sha1(json.dumps(row).encode()).hexdigest() for row in rows}
        return found
    finally:
        conn.close()


def assert_kept(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> None:
    """Every row of ``before`` is still in ``after``, holding the same."""
    for table, rows in before.items():
        lost = [key for key in rows if key not in after[table]]
        assert not lost, f"{table}: {len(lost)} rows lost, e.g. {lost[:3]}"
        changed = [key for key, digest in rows.items() if after[table][key] != digest]
        assert not changed, f"{table}: {len(changed)} rows changed, e.g. {changed[:3]}"
