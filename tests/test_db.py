"""The schema: declared once, idempotent, and able to migrate an older file."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
import sqlite_utils

from pqcheck import db as db_module
from pqcheck.contributions import save_contributions
from pqcheck.db import FOREIGN_KEYS, FTS, INDEXES, TABLES, ensure_db_shape, open_db
from pqcheck.records import Contribution
from pqcheck.search import fts_query

from .support.factories import question_value
from .support.world import add_pair, add_review, save_answers


def indexed(db, table, words):
    """The rowids of ``table``'s rows that its FTS index finds for ``words``, best first."""
    sql = f"SELECT rowid FROM [{table}_fts] WHERE [{table}_fts] MATCH ? ORDER BY rank"
    return [row[0] for row in db.execute(sql, [fts_query(words)])]


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
    assert set(FTS["questions"]) == set(db["questions_fts"].columns_dict)
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
    assert indexed(db, "questions", "prisons") == [7]
    assert set(FTS["questions"]) == set(db["questions_fts"].columns_dict)
    assert [m["name"] for m in db["_sqlite_migrations"].rows] == [
        "m001_answer_status_from_flags",
        "m002_fts_kept_by_savers",
        "m003_review_times_as_utc_offsets",
        "m004_foi_authorities_and_date_spans",
        "m005_foreign_keys_for_every_id",
        "m006_first_matched_at",
        "m007_pair_texts",
        "m008_search_scopes",
        "m009_search_keys",
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
    old["questions"].enable_fts(  # as an earlier pqcheck made it: no scope column
        ["heading", "question_text", "answer_text"], fts_version="FTS5", tokenize="porter", create_triggers=True
    )
    old.close()

    db = open_db(path)

    assert [t.name for t in db.triggers if "_fts" in t.sql] == []  # only the table versions' are left
    assert indexed(db, "questions", "prisons") == [7]


def test_fts_stays_in_step_with_the_table_after_updates(tmp_path, parliament_samples):
    from pqcheck.importer import import_question_files

    db = open_db(tmp_path / "pq.db")
    import_question_files(db, [parliament_samples / "aws-sample-questions-list-2024.json"])
    import_question_files(db, [parliament_samples / "aws-sample-question-single-2024.json"])  # an update
    db.execute("INSERT INTO questions_fts(questions_fts, rank) VALUES ('integrity-check', 1)")
    assert indexed(db, "questions", "flexi-job apprenticeship agencies register") == [1679416]
    assert indexed(db, "questions", "explore-education-statistics")  # only in the full answer


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
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_first_matched_at'")
    MIGRATIONS.apply(db)
    assert db["matches"].get("m1")["first_matched_at"] == "2025-05-05T00:00:00+00:00"


def test_pairs_matched_before_pair_text_existed_get_it_and_their_index(db):
    from pqcheck.db import MIGRATIONS

    db["questions"].insert({"id": 1, "heading": "Prisons: Drugs", "question_text": "How many drug finds?"})
    db["foi_requests"].insert({"id": "file:1", "title": "Drug seizures in prisons"})
    row = {"id": "m1", "question_id": 1, "foi_request_id": "file:1", "evidence_text": "1,234 finds in 2019"}
    db["matches"].insert({**row, "matched_at": "2025-05-05T00:00:00+00:00"})  # as an older pqcheck wrote it
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_pair_texts'")
    MIGRATIONS.apply(db)
    stored = db["matches"].get("m1")
    assert stored["evidence_text"] == row["evidence_text"] and stored["matched_at"].startswith("2025-05-05")
    assert "Drug seizures in prisons" in stored["pair_text"] and "How many drug finds?" in stored["pair_text"]
    found = db.execute(
        "SELECT m.id FROM matches_fts JOIN matches m ON m.rowid = matches_fts.rowid "
        "WHERE matches_fts MATCH 'seizures AND finds'"
    ).fetchall()
    assert found == [("m1",)]
    db.execute("INSERT INTO matches_fts (matches_fts, rank) VALUES ('integrity-check', 1)")


def test_indexes_made_before_search_scopes_are_made_again_with_them(tmp_path):
    from pqcheck.search import SearchFilters, search

    path = tmp_path / "old.db"
    db = open_db(path)
    save_answers(db, [question_value(7, answeringBodyId=1, dateAnswered="2019-06-10T00:00:00", heading="Prisons")])
    for request_id, department in (("file:1", "home-office"), ("file:2", "ministry-of-justice")):
        row = {"id": request_id, "title": "Prisons", "department_id": department, "date_responded": "2020-01-01"}
        db["foi_requests"].insert(row)
    for table in db_module.FTS_CONTENT:  # as an earlier pqcheck made them: no scope, over the table itself
        columns = [c for c in FTS[table] if c != "scope"]
        db.execute(f"DROP TABLE [{table}_fts]")
        db[table].enable_fts(columns, fts_version="FTS5", tokenize="porter")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_search_scopes'")
    db.conn.commit()
    db.close()

    db = open_db(path)

    for table in db_module.FTS_CONTENT:
        assert list(db[f"{table}_fts"].columns_dict) == FTS[table]
        db.execute(f"INSERT INTO [{table}_fts]([{table}_fts], rank) VALUES ('integrity-check', 1)")
    home = search(db, "prisons", SearchFilters(departments=("home-office",), date_from=date(2019, 1, 1)))
    assert [h.id for h in home.hits["answers"]] == ["7"] and [h.id for h in home.hits["foi"]] == ["file:1"]


@pytest.mark.parametrize(
    ("table", "column"),
    [  # every (index, key) the savers name rows by (fts_add and fts_remove)
        ("questions", "rowid"),
        ("foi_requests", "id"),
        ("foi_pages", "rowid"),
        ("foi_pages", "document_id"),
        ("matches", "question_id"),
        ("matches", "id"),
    ],
)
def test_the_savers_read_an_index_view_by_its_key_without_scanning_a_table(db, table, column):
    """A batch's rows are read from the index's view through an index of their table: a scan
    would read the whole table for each batch (hours at full scale)."""
    sql = f"SELECT * FROM [{db_module.fts_content(table)}] WHERE [{column}] IN (SELECT value FROM json_each(?))"
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", ["[]"])]
    assert not [step for step in plan if step.startswith("SCAN") and "json_each" not in step], plan


def test_the_integrity_check_finds_a_scope_the_index_no_longer_holds(db):
    """What an index's scope is made of changed behind the savers' backs: FTS5's check against the
    index's view (what ``dbcheck.assert_sound`` runs) says so."""
    db["foi_requests"].insert({"id": "file:1", "title": "Prisons", "department_id": "home-office"})
    db_module.fts_add(db, "foi_requests", ["file:1"], column="id")
    db.execute("INSERT INTO foi_requests_fts(foi_requests_fts, rank) VALUES ('integrity-check', 1)")
    db.execute("UPDATE foi_requests SET department_id = 'ministry-of-justice'")
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        db.execute("INSERT INTO foi_requests_fts(foi_requests_fts, rank) VALUES ('integrity-check', 1)")


def foreign_keys(db, table):
    return {(fk.column, fk.other_table, fk.other_column) for fk in db[table].foreign_keys}


def test_every_id_column_is_a_declared_foreign_key_in_a_new_file(tmp_path):
    db = open_db(tmp_path / "pq.db")
    for table, declared in FOREIGN_KEYS.items():
        assert foreign_keys(db, table) == set(declared), table
    assert ("other_question_id", "questions", "id") in foreign_keys(db, "matches")
    assert ("contribution_id", "contributions", "id") in foreign_keys(db, "matches")
    assert ("member_id", "members", "id") in foreign_keys(db, "contributions")


def test_tables_made_before_their_foreign_keys_are_rebuilt_with_every_row_kept(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    older = {  # as an earlier pqcheck declared them
        **FOREIGN_KEYS,
        "departments": [],
        "contributions": [("department_id", "departments", "id")],
        "matches": FOREIGN_KEYS["matches"][:4],
    }
    with monkeypatch.context() as patch:
        patch.setattr(db_module, "FOREIGN_KEYS", older)
        db = open_db(path)
        save_answers(db, [question_value(1), question_value(2)])
        said = Contribution("ABC-1", "Commons", "2020-01-01", "There were 507 victims in detention.", member_id=9)
        save_contributions(db, [said, Contribution("ABC-2", "Lords", "2020-02-02", "Nothing on prisons.")])
        add_pair(db, "m1", 1, 0.9, other_question_id=2)
        add_pair(db, "m2", 2, 0.5, contribution_id="ABC-1", target_kind="statement", evidence_kind="statement")
        add_review(db, 1, "m1", "confirmed", "2026-01-01T10:00:00")
        db.conn.commit()
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_foreign_keys_for_every_id'")
        db.conn.commit()
        assert foreign_keys(db, "matches") == set(older["matches"])
        before = {
            table: db.execute(f"SELECT rowid, * FROM [{table}] ORDER BY rowid").fetchall()
            for table in ("matches", "contributions", "departments", "questions", "reviews")
        }
        pairs_before = db.execute("SELECT match_id, score, verdict FROM pairs ORDER BY match_id").fetchall()
        db.close()

    db = open_db(path)  # a writing open migrates it

    for table, declared in FOREIGN_KEYS.items():
        assert foreign_keys(db, table) == set(declared), table
    for table, rows in before.items():
        assert db.execute(f"SELECT rowid, * FROM [{table}] ORDER BY rowid").fetchall() == rows, table
    found = [
        db.execute("SELECT id FROM contributions WHERE rowid = ?", [r]).fetchone()[0]
        for r in indexed(db, "contributions", "victims")
    ]
    assert found == ["ABC-1"]  # the FTS index still fits
    made = {tuple(index.columns) for index in db["matches"].indexes}
    assert {tuple(columns) for columns in INDEXES["matches"]} <= made
    assert db.execute("SELECT match_id, score, verdict FROM pairs ORDER BY match_id").fetchall() == pairs_before
    assert pairs_before == [("m1", 0.9, "confirmed"), ("m2", 0.5, None)]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not db_module.schema_gaps(db)
