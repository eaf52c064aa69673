"""The schema: declared once, idempotent, and able to migrate an older file."""

from __future__ import annotations

import json

import sqlite_utils

from pqcheck.db import FTS, TABLES, ensure_db_shape, open_db


def test_ensure_db_shape_is_idempotent(tmp_path):
    db = open_db(tmp_path / "pq.db")
    schema = db.schema
    ensure_db_shape(db)
    ensure_db_shape(db)
    assert db.schema == schema
    for table, (_pk, columns) in TABLES.items():
        assert set(columns) <= set(db[table].columns_dict)
    assert db["questions"].pks == ["id"]
    assert db["answer_versions"].pks == ["question_id", "text_sha1"]
    assert db["questions"].detect_fts() == "questions_fts"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_older_file_is_migrated_without_losing_rows(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    # the shape of an earlier pqcheck: fewer columns, no status, no FTS, no history table
    raw = {"id": 7, "answerIsHolding": True, "dateAnswered": "2020-01-02T00:00:00"}
    old["questions"].insert(
        {
            "id": 7,
            "uin": "1234",
            "heading": "Prisons: Drugs",
            "question_text": "To ask about prisons.",
            "answer_text": None,
            "raw": json.dumps(raw),
        },
        pk="id",
    )
    old.close()

    db = open_db(path)

    row = db["questions"].get(7)
    assert row["uin"] == "1234"
    assert row["answer_status"] == "holding"  # filled by migration m001
    assert set(TABLES["questions"][1]) <= set(db["questions"].columns_dict)
    assert db["answer_versions"].exists()
    assert [r["id"] for r in db["questions"].search("prisons")] == [7]
    assert db["questions"].detect_fts() == "questions_fts"
    assert set(FTS["questions"]) <= set(db["questions_fts"].columns_dict)
    assert [m["name"] for m in db["_sqlite_migrations"].rows] == [
        "m001_answer_status_from_flags",
        "m002_fts_kept_by_savers",
        "m003_review_times_as_utc_offsets",
        "m004_foi_authorities_and_date_spans",
        "m005_first_matched_at",
    ]


def test_older_foi_requests_get_their_authority_and_date_spans(tmp_path):
    path = tmp_path / "old.db"
    db = open_db(path)
    rows = [  # as an older pqcheck stored them: an authority as signed without a department, a lost date
        ("file:1", "file", "Home Office (Immigration Enforcement)", None, None, {"date": "2015-06"}),
        ("file:2", "file", "Cleveland Police", None, None, {"date": "2025-01"}),
        ("wdtk:3", "wdtk", "Home Office", "home_office", "2019-04-24", {}),
        ("file:4", "file", "Devon County Council", None, None, {"date": "some day"}),
    ]
    for request_id, source, authority, authority_id, responded, raw in rows:
        db["foi_requests"].insert(
            {
                "id": request_id,
                "source": source,
                "authority": authority,
                "authority_id": authority_id,
                "date_responded": responded,
                "raw": json.dumps(raw),
            }
        )
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_foi_authorities_and_date_spans'")
    db.conn.commit()
    db.close()

    db = open_db(path)

    columns = "department_id, local_kind, date_responded, date_precision, date_end"
    stored = {r["id"]: tuple(r.values())[1:] for r in db.query(f"SELECT id, {columns} FROM foi_requests")}
    assert stored == {
        "file:1": ("home-office", None, "2015-06-01", "month", "2015-06-30"),
        "file:2": (None, "police", "2025-01-01", "month", "2025-01-31"),
        "wdtk:3": ("home-office", None, "2019-04-24", "day", "2019-04-24"),
        "file:4": (None, "council", None, None, None),
    }


def test_an_older_file_with_fts_triggers_loses_them_and_stays_searchable(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old["questions"].insert({"id": 7, "heading": "Prisons: Drugs", "question_text": "q", "answer_text": "a"}, pk="id")
    old["questions"].enable_fts(FTS["questions"], fts_version="FTS5", tokenize="porter", create_triggers=True)
    old.close()

    db = open_db(path)

    assert db.triggers == []
    assert [r["id"] for r in db["questions"].search("prisons")] == [7]


def test_fts_stays_in_step_with_the_table_after_updates(tmp_path, parliament_samples):
    from pqcheck.importer import import_question_files

    db = open_db(tmp_path / "pq.db")
    import_question_files(db, [parliament_samples / "aws-sample-questions-list-2024.json"])
    import_question_files(db, [parliament_samples / "aws-sample-question-single-2024.json"])  # an update
    db.execute("INSERT INTO questions_fts(questions_fts, rank) VALUES ('integrity-check', 1)")
    hits = db["questions"].search("flexi-job apprenticeship agencies register", quote=True)
    assert [r["id"] for r in hits] == [1679416]
    assert list(db["questions"].search("explore-education-statistics", quote=True))  # only in the full answer


def test_a_pair_keeps_the_time_it_was_first_matched(db):
    from pqcheck.db import upsert_rows

    row = {"id": "m1", "question_id": 1, "score": 0.5, "matched_at": "2026-01-01T00:00:00+00:00"}
    upsert_rows(db, "matches", [{**row, "first_matched_at": row["matched_at"]}])
    later = "2026-02-01T00:00:00+00:00"
    upsert_rows(db, "matches", [{**row, "score": 0.7, "matched_at": later, "first_matched_at": later}])
    stored = db["matches"].get("m1")
    assert (stored["score"], stored["matched_at"]) == (0.7, later)
    assert stored["first_matched_at"] == "2026-01-01T00:00:00+00:00"


def test_pairs_matched_before_first_matched_at_existed_get_it_from_matched_at(db):
    from pqcheck.db import MIGRATIONS

    db["matches"].insert({"id": "m1", "question_id": 1, "matched_at": "2025-05-05T00:00:00+00:00"})
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_first_matched_at'")
    MIGRATIONS.apply(db)
    assert db["matches"].get("m1")["first_matched_at"] == "2025-05-05T00:00:00+00:00"
