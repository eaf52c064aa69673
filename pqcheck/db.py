"""The database: one SQLite file, its schema declared once, how it is opened and written.

``ensure_db_shape`` is idempotent and is how an older file is migrated: it creates missing
tables, adds missing columns (existing rows keep their values), creates indexes and the FTS5
indexes (built from the rows already there), and applies the named migrations in
``MIGRATIONS`` that an additive change cannot express. Only writing commands migrate: a read
(``open_db(path, read_only=True)``) never changes the file and says when it needs migrating, and
pqcheck never touches a database that another program made.

Every saver writes inside :func:`write_transaction` (``BEGIN IMMEDIATE``) and reads what it
decides on inside it too, so two pqcheck processes writing one file take turns: the second waits
for the lock (``PQCHECK_LOCK_WAIT`` seconds, 60 by default) and then stops with a plain message.

The FTS5 indexes are external-content tables kept in step by the savers (``fts_remove`` before
and ``fts_add`` after a batch is written), not by triggers: one statement per batch is about
twice as fast as a trigger per row on bulk imports.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils

from .departments import departments_current, resolve_authority, save_departments
from .errors import BadInput, DatabaseBusy, PqcheckError
from .periods import DateSpan, parse_date_span

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
            "local_kind": str,  # police, fire, nhs, council, devolved: a local body's (department_id is None)
            "date_precision": str,  # of the FOI's date (date_responded, else date_requested): day, month, year,
            # financial_year; the date itself is the first day of its span
            "date_end": str,  # the last day of the FOI's date's span (YYYY-MM-DD)
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
        {
            "document_id": str,
            "page": int,
            "text": str,
            "needs_ocr": int,  # 1: no text layer, not read with OCR yet (``pqcheck ocr`` reads it)
            "ocr": int,  # 1: the text was read with OCR (Tesseract)
            "ocr_confidence": float,  # the mean confidence (0-100) of the OCR'd words
        },
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
            "subject": str,  # what was asked for: the refused part's subject when the answer gives the rest
            "subject_terms": str,  # JSON list of lower-case lemmas, most specific first
            "refused_part": str,  # the part of the question refused ("(b) e-mails"), when one is
            "period": str,
            "period_start": str,  # YYYY-MM-DD
            "period_end": str,
            "classifier_version": str,
            "classified_at": str,
            "answer_cut_short": int,  # 1: classified on text the list endpoint cut short
        },
    ),
    "matches": (
        "id",
        {
            "id": str,  # stable: sha1 of question id and target, so reviews survive re-runs
            "question_id": int,
            "target_kind": str,  # foi, answer, statement
            "foi_request_id": str,
            "foi_document_id": str,
            "other_question_id": int,
            "department_id": str,
            "evidence_kind": str,  # disclosure, not_held, refused, answer, held_locally, statement
            "score": float,
            "reasons": str,  # JSON object: terms, rules and their weights
            "refusal_phrase": str,
            "evidence_text": str,
            "evidence_page": int,
            "evidence_figures": str,  # JSON list of {text, value, context}
            "time_relation": str,  # before, after, same_day, within (the answer falls in the FOI's month, year...)
            "gap_days": int,
            "matcher_version": str,
            "matched_at": str,
            "contribution_id": str,  # target_kind statement: what a minister said in a debate (contributions.id)
            "first_matched_at": str,  # when the pair was first matched (kept by later runs: see SET_ONCE)
            "pair_text": str,  # both sides' words, what matches_fts indexes (see PAIR_TEXT, index_pair_texts)
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
    "contributions": (
        "id",
        {
            "id": str,  # Hansard's ContributionExtId, upper case
            "house": str,  # Commons, Lords
            "date": str,  # the sitting date, YYYY-MM-DD
            "member_id": int,  # MNIS / Members API id
            "member_name": str,
            "attributed_to": str,  # as Hansard shows the speaker: "The Minister for Immigration (Caroline Nokes)"
            "debate_title": str,
            "debate_ext_id": str,
            "section": str,  # where: Commons Chamber, Westminster Hall
            "department": str,  # the answering department as the debate names it
            "department_id": str,
            "text": str,
            "html": str,
            "url": str,  # the citable hansard.parliament.uk link
            "source_url": str,
            "fetched_at": str,
            "raw": str,
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
    "watch_runs": (  # each `pqcheck run` of a watch (a config file): when, how it went, what it did
        "id",
        {
            "id": int,
            "watch": str,  # the config's name
            "config_path": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running, ok, failed (a step failed: what was saved stays)
            "summary": str,  # JSON: each step's counts and problems
            "new_pairs": int,
        },
    ),
    "watch_pairs": (  # the pairs a watch has reported: a pair is new to a run if it is not here yet
        ("watch", "match_id"),
        {"watch": str, "match_id": str, "run_id": int, "first_seen_at": str},
    ),
    # what search reads of each row of an index (see FTS_KEYS), kept with the index
    "foi_request_keys": (
        "fts_rowid",
        {"fts_rowid": int, "request_id": str, "department_id": str, "date": str},
    ),
    "foi_page_keys": (
        "fts_rowid",
        {"fts_rowid": int, "request_id": str, "department_id": str, "date": str},
    ),
    "match_keys": (
        "fts_rowid",
        {"fts_rowid": int, "match_id": str, "score": float},
    ),
    "table_versions": (  # each VERSIONED table's version: changed by every write to it (see table_versions)
        "name",
        {"name": str, "version": int},
    ),
}

# columns an upsert writes once and never changes afterwards
SET_ONCE = {"matches": ("first_matched_at",)}

# Every id column that names a row of another table. Not declared: reviews.match_id (reviews are kept
# for pairs the database does not hold: imported, or dropped by a re-match; so are watch_pairs'),
# foi_requests.authority_id and answering_bodies.department_id (ids of the upstreams, not of a table
# here). SQLite does not enforce them (pqcheck never turns foreign_keys on); they document the joins,
# and Datasette links them.
FOREIGN_KEYS = {
    "departments": [("parent_id", "departments", "id"), ("successor_id", "departments", "id")],
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
    "contributions": [("department_id", "departments", "id"), ("member_id", "members", "id")],
    "watch_pairs": [("run_id", "watch_runs", "id")],
    "matches": [
        ("question_id", "questions", "id"),
        ("foi_request_id", "foi_requests", "id"),
        ("foi_document_id", "foi_documents", "id"),
        ("department_id", "departments", "id"),
        ("other_question_id", "questions", "id"),
        ("contribution_id", "contributions", "id"),
    ],
}

INDEXES = {
    "questions": [
        ["date_answered"],
        ["date_tabled", "uin"],
        ["answering_body_id", "date_answered"],
        ["fetched_at"],  # provenance: the data's date, and the records of each source
        ["source"],
    ],
    "foi_requests": [["department_id", "date_responded"], ["source", "source_id"], ["fetched_at"]],
    "foi_documents": [["request_id"], ["sha256"], ["url"]],
    "refusals": [["label", "category"], ["classifier_version"]],
    "matches": [
        ["question_id"],
        ["score"],
        ["foi_document_id"],
        ["foi_request_id"],
        ["other_question_id"],
        ["contribution_id"],
        ["first_matched_at"],
    ],
    "reviews": [["match_id"]],
    "watch_runs": [["watch", "started_at"]],
    "watch_pairs": [["run_id"]],
    "contributions": [["department_id", "date"], ["debate_ext_id"], ["fetched_at"]],
}

FTS = {
    "questions": ["heading", "question_text", "answer_text", "scope"],
    "foi_requests": ["title", "request_text", "scope"],
    "foi_pages": ["text", "scope"],
    "contributions": ["debate_title", "text"],
    "matches": ["pair_text", "scope"],
}
# A pair's own text, indexed by matches_fts so that search finds a pair whose words are spread over
# its two sides: the refusal (heading, question, answer) and its evidence (the FOI request's title and
# request, the other answer's heading, question and answer, or the debate's title and what was said;
# each text's first 2,000 characters), then the matched passage.
PAIR_TEXT = """
    SELECT coalesce(q.heading, '') || ' ' || coalesce(q.question_text, '') || ' '
        || coalesce(substr(q.answer_text, 1, 2000), '') || ' ' || coalesce(
            (SELECT coalesce(f.title, '') || ' ' || coalesce(substr(f.request_text, 1, 2000), '')
             FROM foi_requests f WHERE f.id = matches.foi_request_id),
            (SELECT coalesce(o.heading, '') || ' ' || coalesce(o.question_text, '') || ' '
                || coalesce(substr(o.answer_text, 1, 2000), '')
             FROM questions o WHERE o.id = matches.other_question_id),
            (SELECT coalesce(c.debate_title, '') || ' ' || coalesce(substr(c.text, 1, 2000), '')
             FROM contributions c WHERE c.id = matches.contribution_id),
            '') || ' ' || coalesce(matches.evidence_text, '')
    FROM questions q WHERE q.id = matches.question_id
"""
NEW_FILE_PAGE_SIZE = 16384

# Search filters by department and date inside the indexes it reads: each holds a last column,
# ``scope``, of tokens that name the row's department (an answer's answering body; a pair's both),
# its year, and the two together (:func:`scope_token`), so that a filtered search asks FTS5 for its
# words AND a few scope tokens (pqcheck.search) rather than testing each row that has the words.
# Such an index reads its rows from a view of its table (FTS_CONTENT: an FOI page's scope is its
# request's, a pair's its answer's), which the savers index and FTS5's integrity-check compares the
# index with; a saver that changes what a scope is made of indexes again the rows whose scope it
# changes (an FOI request's pages, an answer's pairs).
SCOPE_INITIAL = "z"  # of every scope token: a searched word that cannot start with it is none of them
SCOPE_YEAR = SCOPE_INITIAL + "y"
SCOPE_KEYS = {"department": SCOPE_INITIAL + "d", "body": SCOPE_INITIAL + "b"}


def scope_token(kind: str, key: Any = None, year: int | None = None) -> str:
    """The scope token of a department (``kind`` "department", ``key`` its id) or an answering
    body ("body", its id), of it in ``year``, or (``kind`` "year") of ``year`` alone; as
    :func:`_scope_sql` writes them (hyphens dropped: one token each)."""
    if kind == "year":
        return f"{SCOPE_YEAR}{year:04d}"
    token = SCOPE_KEYS[kind] + str(key).replace("-", "")
    return token if year is None else f"{token}y{year:04d}"


def _scope_sql(keys: dict[str, str], date: str) -> str:
    """The SQL of a row's scope: the year of ``date``, and each of ``keys`` (kind -> SQL of its
    key) alone and with the year."""
    year = f"substr({date}, 1, 4)"
    parts = [f"'{SCOPE_YEAR}' || {year}"]
    for kind, key in keys.items():
        token = f"'{SCOPE_KEYS[kind]}' || replace({key}, '-', '')"
        parts += [token, f"{token} || 'y' || {year}"]
    return " || ' ' || ".join(f"coalesce({part}, '')" for part in parts)


FOI_DATE = "coalesce(f.date_responded, f.date_requested)"  # the date search filters an FOI request by
# index -> (view, its SELECT): the rows the index holds (rowid, the keys savers name them by, the
# indexed columns)
FTS_CONTENT = {
    "questions": (
        "questions_fts_content",
        "SELECT q.rowid AS rowid, q.id, q.heading, q.question_text, q.answer_text, "
        f"{_scope_sql({'body': 'q.answering_body_id'}, 'q.date_answered')} AS scope FROM questions q",
    ),
    "foi_requests": (
        "foi_requests_fts_content",
        "SELECT f.rowid AS rowid, f.id, f.title, f.request_text, "
        f"{_scope_sql({'department': 'f.department_id'}, FOI_DATE)} AS scope, "
        f"f.id AS request_id, f.department_id, {FOI_DATE} AS date FROM foi_requests f",
    ),
    "foi_pages": (
        "foi_pages_fts_content",
        "SELECT p.rowid AS rowid, p.document_id, p.text, "
        f"{_scope_sql({'department': 'f.department_id'}, FOI_DATE)} AS scope, "
        f"f.id AS request_id, f.department_id, {FOI_DATE} AS date FROM foi_pages p "
        "LEFT JOIN foi_documents d ON d.id = p.document_id LEFT JOIN foi_requests f ON f.id = d.request_id",
    ),
    "matches": (
        "matches_fts_content",
        "SELECT m.rowid AS rowid, m.id, m.question_id, m.pair_text, "
        f"{_scope_sql({'body': 'q.answering_body_id', 'department': 'm.department_id'}, 'q.date_answered')} "
        "AS scope, CASE WHEN q.id IS NOT NULL THEN m.id END AS match_id, m.score "
        "FROM matches m LEFT JOIN questions q ON q.id = m.question_id",
    ),
}

# Search reads what it ranks and filters the hits of an index by (an FOI hit's request, its
# department and date; a pair's id and score) from a narrow table beside the index, kept with it
# by fts_add and fts_remove: the rows of a request (of a page, its document and request; of a pair)
# are large, and looking up the 2,000 hits of a common word among them cost most of a results
# page. index -> (keys table, its columns as the index's view names them); a row whose first
# column is NULL has no keys (an FOI page whose request, a pair whose answer, is not stored: search
# finds neither).
FTS_KEYS = {
    "foi_requests": ("foi_request_keys", ("request_id", "department_id", "date")),
    "foi_pages": ("foi_page_keys", ("request_id", "department_id", "date")),
    "matches": ("match_keys", ("match_id", "score")),
}

# The tables whose every write (insert, update, delete: a row-level trigger, a few microseconds a
# row) changes their version in ``table_versions``, for a reader that keeps what it read while
# they are unchanged (the web's cache of search hits): what search shows is read from these.
VERSIONED = (
    "questions",
    "refusals",
    "matches",
    "reviews",
    "foi_requests",
    "foi_documents",
    "foi_pages",
    "contributions",
    "members",
    "departments",
    "department_aliases",
    "answering_bodies",
)
# Where, when and how a row was fetched: no search hit shows them, so a row written again with only
# these changed (a fetch saves the asker and the minister of every answer again, each time with the
# URL of that answer) keeps its version.
UNSHOWN = ("source_url", "fetched_at", "raw")
# Rows a pair shows only through a question of its own (its answer, label and phrase; the answer that
# gave the figures): besides its own version, such a table has a "<table>:paired" one, changed only
# by a write to the row of a question that a pair names (table -> (its question id column, the
# columns of matches that name it)). A fetch that stores new answers, or fills in the text of
# unpaired ones, leaves what the pairs show unchanged, and search's pairs kind reads that.
PAIRED_THROUGH = {
    "questions": ("id", ("question_id", "other_question_id")),
    "refusals": ("question_id", ("question_id",)),
}

# name -> SELECT; (re)created by ensure_db_shape
VIEWS = {
    "question_departments": """
        SELECT questions.id AS question_id, questions.answering_body_id, department_aliases.department_id
        FROM questions
        LEFT JOIN department_aliases ON department_aliases.alias = 'body:' || questions.answering_body_id
    """,
    # each matched pair on one row, for Datasette and SQL: the question, its answer and refusal, the
    # evidence, the score and the latest verdict (what pairs.py reads, without the words around it)
    "pairs": """
        SELECT m.id AS match_id, m.score,
            (SELECT verdict FROM reviews WHERE reviews.match_id = m.id
             ORDER BY reviewed_at DESC, reviews.id DESC LIMIT 1) AS verdict,
            coalesce(qd.department_id, m.department_id) AS department_id,
            m.question_id, q.uin, q.date_answered, q.heading, q.question_text AS question, q.answer_text AS answer,
            r.label AS refusal_label, r.category AS refusal_category, r.phrase AS refusal,
            m.target_kind, m.evidence_kind, m.foi_request_id, m.foi_document_id, m.other_question_id,
            m.contribution_id, coalesce(f.title, oq.heading, c.debate_title) AS evidence_title,
            coalesce(f.url, oq.url, c.url) AS evidence_url, m.evidence_page, m.evidence_text AS evidence,
            m.time_relation, m.gap_days
        FROM matches m
        JOIN questions q ON q.id = m.question_id
        LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
        LEFT JOIN refusals r ON r.question_id = m.question_id
        LEFT JOIN foi_requests f ON f.id = m.foi_request_id
        LEFT JOIN questions oq ON oq.id = m.other_question_id
        LEFT JOIN contributions c ON c.id = m.contribution_id
    """,
}
VIEWS.update(FTS_CONTENT.values())


APPLICATION_ID = 0x70716368  # "pqch": PRAGMA application_id of every database pqcheck makes
PQCHECK_COLUMNS = {"id", "heading", "question_text", "answer_text"}  # what its first questions table held
LOCK_WAIT_SECONDS = 60.0
BUSY_MESSAGE = "another pqcheck is writing to this database; try again when it has finished"


def open_db(path: str | Path, *, read_only: bool = False, existing: bool = False) -> sqlite_utils.Database:
    """Open the database at ``path``: for writing (created if new, migrated if older; with
    ``existing``, a command that works on what is stored, never created), or ``read_only`` (never
    created, changed or migrated: a file that needs migrating is refused).

    Raises :class:`BadInput` with a plain message when the path cannot be used, or the file is
    not a pqcheck database.
    """
    path = Path(path)
    if path.is_dir():
        raise BadInput(f"cannot use {path} as a database: it is a directory")
    if (read_only or existing) and not path.is_file():
        raise BadInput(f"no database at {path}: make one with `pqcheck fetch` or `pqcheck import`")
    if not path.parent.exists():
        raise BadInput(f"cannot create database {path}: folder {path.parent} does not exist")
    try:
        return _open_read_only(path) if read_only else _open_for_writing(path)
    except sqlite3.DatabaseError as exc:
        raise database_error(exc, path) from exc


def _open_for_writing(path: Path) -> sqlite_utils.Database:
    new_file = not path.exists() or path.stat().st_size == 0
    db = sqlite_utils.Database(sqlite3.connect(path, timeout=lock_wait()))
    _set_busy_timeout(db)
    if new_file:
        db.execute(f"PRAGMA page_size={NEW_FILE_PAGE_SIZE}")
    else:
        _refuse_foreign(db, path)
    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    if schema_gaps(db):
        ensure_db_shape(db)
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    if not departments_current(db):
        with write_transaction(db):
            save_departments(db)
    return db


def _open_read_only(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=lock_wait())
    db = sqlite_utils.Database(conn)
    _set_busy_timeout(db)
    _refuse_foreign(db, path)
    gaps = schema_gaps(db)
    if gaps or not departments_current(db):
        db.close()
        missing = f" ({', '.join(gaps[:3])}{', ...' if len(gaps) > 3 else ''})" if gaps else ""
        raise BadInput(
            f"{path} was made by an older pqcheck{missing}: run `pqcheck migrate {path}` to bring it up to date"
        )
    return db


def lock_wait() -> float:
    """Seconds a writer waits for another's lock: ``PQCHECK_LOCK_WAIT``, or 60."""
    try:
        seconds = float(os.environ.get("PQCHECK_LOCK_WAIT", LOCK_WAIT_SECONDS))
    except ValueError:
        return LOCK_WAIT_SECONDS
    return min(max(seconds, 0.0), 3600.0) if seconds == seconds else LOCK_WAIT_SECONDS


def _set_busy_timeout(db: sqlite_utils.Database) -> None:
    db.execute(f"PRAGMA busy_timeout={int(lock_wait() * 1000)}")


def _refuse_foreign(db: sqlite_utils.Database, path: Path) -> None:
    """Raise :class:`BadInput` if the file holds tables but is not a pqcheck database."""
    if db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
        return
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return
    if "questions" in tables and set(db["questions"].columns_dict) >= PQCHECK_COLUMNS:
        return  # made by a pqcheck from before the application id
    shown = ", ".join(sorted(tables)[:4]) + (", ..." if len(tables) > 4 else "")
    raise BadInput(f"{path} is not a pqcheck database (it holds {shown}): pqcheck will not change it")


def schema_gaps(db: sqlite_utils.Database) -> list[str]:
    """What :func:`ensure_db_shape` would add: missing tables, columns, indexes, views, migrations."""
    gaps = []
    for name, (_, columns) in TABLES.items():
        existing = set(db[name].columns_dict) if db[name].exists() else None
        if existing is None:
            gaps.append(f"table {name}")
        else:
            gaps += [f"column {name}.{c}" for c in columns if c not in existing]
    if gaps:
        return gaps
    indexed = {(name, tuple(index.columns)) for name in INDEXES for index in db[name].indexes}
    missing = [(name, c) for name, cs in INDEXES.items() for c in cs if (name, tuple(c)) not in indexed]
    gaps += [f"index on {name}({', '.join(c)})" for name, c in missing]
    gaps += [f"full-text index {name}_fts" for name in FTS if not db[f"{name}_fts"].exists()]
    for name, sql in VIEWS.items():
        found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
        if found is None or sql.strip() not in found[0]:
            gaps.append(f"view {name}")
    gaps += [f"trigger {name}" for name in _stale_version_triggers(db)]
    if MIGRATIONS.pending(db):
        gaps.append("migrations")
    return gaps


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction taken with ``BEGIN IMMEDIATE``: read what the write depends on inside
    it. Waits for another writer's lock, then raises :class:`DatabaseBusy`. Nested, a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise database_error(exc) from exc
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise database_error(exc) from exc


def database_error(exc: sqlite3.DatabaseError, path: str | Path | None = None) -> PqcheckError:
    """The one-line error to show for an SQLite error: busy, disk full, damaged file, or as it is."""
    message = str(exc)
    where = f"database {path}" if path else "the database"
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return DatabaseBusy(BUSY_MESSAGE)
    if "disk is full" in lowered or "disk i/o" in lowered:
        return PqcheckError(
            f"cannot write to {where}: {message}; the unfinished batch was not saved, "
            "what was saved before stays (free some space and run the same command again)"
        )
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return BadInput(
            f"{where} is damaged ({message}): restore it from a backup, or recover what can be read "
            "with `sqlite3 DB .recover`"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return BadInput(f"cannot write to {where}: {message}")
    return BadInput(f"cannot use {where}: {message}")


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create or migrate every table, index and full-text index, in one write transaction. Safe to
    run any number of times."""
    with write_transaction(db):
        for name in _creation_order():
            pk, columns = TABLES[name]
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
        for name, sql in VIEWS.items():  # before the FTS indexes, which read some of them
            existing = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
            if existing is None or sql.strip() not in existing[0]:
                db.execute(f"DROP VIEW IF EXISTS [{name}]")
                db.execute(f"CREATE VIEW [{name}] AS {sql.strip()}")
        for name, columns in FTS.items():
            if not db[f"{name}_fts"].exists():
                _create_fts(db, name, columns)
        if MIGRATIONS.pending(db):  # a migration may rebuild a table the triggers read: made again after it
            for name in (name for table in VERSIONED for name in _version_triggers(db, table)):
                db.execute(f"DROP TRIGGER IF EXISTS [{name}]")
        MIGRATIONS.apply(db)
        _keep_versions(db)


def _creation_order() -> list[str]:
    """The tables, each after the tables its foreign keys name (which must exist to be named)."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for _, other, _ in FOREIGN_KEYS.get(name, []):
                if other != name:
                    visit(other)
            order.append(name)

    for name in TABLES:
        visit(name)
    return order


def _create_fts(db: sqlite_utils.Database, table: str, columns: list[str]) -> None:
    """The external-content FTS5 index of ``table`` (as sqlite-utils' ``enable_fts`` makes it, but
    inside the caller's transaction; over its FTS_CONTENT view if it has one), built from the rows
    already there."""
    listed = ", ".join(f'"{c}"' for c in columns)
    content = fts_content(table)
    db.execute(
        f"CREATE VIRTUAL TABLE \"{table}_fts\" USING FTS5 (\n    {listed},\n    tokenize='porter',\n"
        f'    content="{content}"\n)'
    )
    db.execute(f'INSERT INTO "{table}_fts" (rowid, {listed}) SELECT rowid, {listed} FROM "{content}"')
    fill_search_keys(db, table)


def fill_search_keys(db: sqlite_utils.Database, table: str) -> None:
    """Write again every row of ``table``'s FTS_KEYS table (if it has one) from its index's view:
    after the index itself is built again from its table ('rebuild')."""
    if table in FTS_KEYS:
        db.execute(f"DELETE FROM [{FTS_KEYS[table][0]}]")
        _keys_write(db, table, "1", [])


def fts_content(table: str) -> str:
    """What ``table``'s FTS index reads its rows from: its FTS_CONTENT view, or the table."""
    return FTS_CONTENT[table][0] if table in FTS_CONTENT else table


def upsert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]], *, keep_existing=False) -> None:
    """Write ``rows`` (each carrying every column of ``table``) keyed on its primary key, with one
    prepared statement. ``keep_existing`` leaves rows that are already there untouched; the
    ``SET_ONCE`` columns of a row already there keep their value."""
    pk, columns = TABLES[table]
    keys = (pk,) if isinstance(pk, str) else pk
    names = list(columns)
    once = SET_ONCE.get(table, ())
    action = (
        "NOTHING"
        if keep_existing
        else "UPDATE SET "
        + ", ".join(
            f"[{c}] = coalesce([{table}].[{c}], excluded.[{c}])" if c in once else f"[{c}] = excluded.[{c}]"
            for c in names
            if c not in keys
        )
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
    """Take the rows whose ``column`` (of :func:`fts_content`) is in ``values`` out of the table's
    FTS index (and its FTS_KEYS table); call before they, or what their scope is made of, are
    rewritten or deleted."""
    _fts_write(db, table, values, column, delete=True)


def fts_add(db: sqlite_utils.Database, table: str, values: list[Any], column: str = "rowid") -> None:
    """Index the rows whose ``column`` is in ``values``, as they now stand in the table."""
    _fts_write(db, table, values, column, delete=False)


def index_pair_texts(db: sqlite_utils.Database, question_ids: list[int]) -> None:
    """Write ``pair_text`` of the matches of ``question_ids`` and index them in ``matches_fts``; call
    inside the writer's transaction, after ``fts_remove(db, "matches", question_ids, "question_id")``
    and the rewrite."""
    db.execute(
        f"UPDATE matches SET pair_text = ({PAIR_TEXT}) WHERE question_id IN (SELECT value FROM json_each(?))",
        [json.dumps(question_ids)],
    )
    fts_add(db, "matches", question_ids, column="question_id")


def _fts_write(db: sqlite_utils.Database, table: str, values: list[Any], column: str, *, delete: bool) -> None:
    if not values:
        return
    columns = ", ".join(f"[{c}]" for c in FTS[table])
    if delete:
        target, first = f"[{table}_fts]([{table}_fts], rowid, {columns})", "'delete', "
    else:
        target, first = f"[{table}_fts](rowid, {columns})", ""
    where = f"[{column}] IN (SELECT value FROM json_each(?))"
    db.execute(
        f"INSERT INTO {target} SELECT {first}rowid, {columns} FROM [{fts_content(table)}] WHERE {where}",
        [json.dumps(values)],
    )
    if table not in FTS_KEYS:
        return
    if delete:
        rows = f"SELECT rowid FROM [{fts_content(table)}] WHERE {where}"
        db.execute(f"DELETE FROM [{FTS_KEYS[table][0]}] WHERE fts_rowid IN ({rows})", [json.dumps(values)])
    else:
        _keys_write(db, table, where, [json.dumps(values)])


def _keep_versions(db: sqlite_utils.Database) -> None:
    """Give each VERSIONED table its versions (the first one at random: two files never share a
    history of versions) and its triggers, made again when they differ from :func:`_version_triggers`
    (a migration that added a column); every version changes (a migration may have changed any
    table, or rebuilt one without its triggers)."""
    for name in [*VERSIONED, *map(paired_version, PAIRED_THROUGH)]:
        db.execute(
            "INSERT INTO table_versions (name, version) VALUES (?, abs(random() % 1000000000000)) "
            "ON CONFLICT (name) DO UPDATE SET version = version + 1",
            [name],
        )
    for name, sql in _stale_version_triggers(db).items():
        db.execute(f"DROP TRIGGER IF EXISTS [{name}]")
        db.execute(sql)


def paired_version(table: str) -> str:
    """The name of a PAIRED_THROUGH table's version for what the pairs show of it."""
    return f"{table}:paired"


def _stale_version_triggers(db: sqlite_utils.Database) -> dict[str, str]:
    """name -> CREATE TRIGGER of the version triggers missing or made otherwise (:func:`_version_triggers`)."""
    existing = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    return {
        name: sql
        for table in VERSIONED
        for name, sql in _version_triggers(db, table).items()
        if (existing.get(name) or "").strip() != sql
    }


def _version_triggers(db: sqlite_utils.Database, table: str) -> dict[str, str]:
    """name -> CREATE TRIGGER of the triggers that keep ``table``'s versions: any insert or delete,
    an update that changes a value other than UNSHOWN ones (an upsert that writes a row again as it
    was, fetched again, changes nothing);
    and, for PAIRED_THROUGH tables, the "<table>:paired" version on a change to a paired question's row."""
    shown = [c for c in db[table].columns_dict if c not in UNSHOWN]
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in shown) or "1"

    def trigger(name: str, event: str, version: str, when: str | None = None) -> str:
        condition = f" WHEN {when}" if when else ""
        return (
            f"CREATE TRIGGER [{name}] AFTER {event} ON [{table}]{condition} BEGIN "
            f"UPDATE table_versions SET version = version + 1 WHERE name = '{version}'; END"
        )

    found = {
        f"{table}_version_insert": trigger(f"{table}_version_insert", "INSERT", table),
        f"{table}_version_update": trigger(f"{table}_version_update", "UPDATE", table, changed),
        f"{table}_version_delete": trigger(f"{table}_version_delete", "DELETE", table),
    }
    if table in PAIRED_THROUGH:
        key, named_by = PAIRED_THROUGH[table]
        paired = " OR ".join(f'EXISTS (SELECT 1 FROM matches WHERE {c} = OLD."{key}")' for c in named_by)
        version = paired_version(table)
        name = f"{table}_paired_version_update"
        found[name] = trigger(name, "UPDATE", version, f"({changed}) AND ({paired})")
        name = f"{table}_paired_version_delete"
        found[name] = trigger(name, "DELETE", version, paired)
    return found


def table_versions(db: sqlite_utils.Database, tables: tuple[str, ...]) -> tuple[Any, ...]:
    """The versions of ``tables`` (of VERSIONED): the same as long as nothing was written to any of
    them, by pqcheck or any other program (triggers keep them), so what was read from them can be
    used again while they are. Read them before what depends on them."""
    sql = "SELECT name, version FROM table_versions WHERE name IN (SELECT value FROM json_each(?))"
    found = dict(db.execute(sql, [json.dumps(tables)]).fetchall())
    return tuple(found.get(t) for t in tables)


def _keys_write(db: sqlite_utils.Database, table: str, where: str, params: list[Any]) -> None:
    """Write the FTS_KEYS rows of the rows of ``table``'s index view that pass ``where``."""
    keys, columns = FTS_KEYS[table]
    listed = ", ".join(columns)
    db.execute(
        f"INSERT OR REPLACE INTO [{keys}] (fts_rowid, {listed}) SELECT rowid, {listed} "
        f"FROM [{fts_content(table)}] WHERE ({where}) AND [{columns[0]}] IS NOT NULL",
        params,
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


@MIGRATIONS()
def m003_review_times_as_utc_offsets(db: sqlite_utils.Database) -> None:
    """Review times written as ``...Z`` by older versions end ``+00:00``, as every other timestamp."""
    db.execute(
        "UPDATE reviews SET reviewed_at = substr(reviewed_at, 1, length(reviewed_at) - 1) || '+00:00' "
        "WHERE reviewed_at LIKE '%Z'"
    )


@MIGRATIONS()
def m004_foi_authorities_and_date_spans(db: sqlite_utils.Database) -> None:
    """FOI requests stored before authorities were read as signed and dates kept with their
    precision: each authority resolved again (its department, or the kind of local body), a local
    record's date that was not a whole day read again from its raw record, and every date given
    its precision and the last day of its span."""
    rows = db.execute(
        "SELECT id, source, authority, authority_id, date_requested, date_responded, raw FROM foi_requests"
    ).fetchall()
    for request_id, source, authority, authority_id, requested, responded, raw in rows:
        found = resolve_authority(authority, **{("wdtk" if source == "wdtk" else "govuk"): authority_id})
        responded, span = _stored_date(source, requested, responded, raw)
        db.execute(
            "UPDATE foi_requests SET department_id = ?, local_kind = ?, date_responded = ?, date_precision = ?, "
            "date_end = ? WHERE id = ?",
            [found.department_id, found.local, responded, span and span.precision, span and span.end, request_id],
        )


def _stored_date(
    source: str, requested: str | None, responded: str | None, raw: str | None
) -> tuple[str | None, DateSpan | None]:
    """A stored FOI's ``date_responded`` and its date's span: a local record without a date is
    given the one its raw record holds (written as a month, a year...), if it can be read."""
    if source == "file" and not responded and raw:
        written = json.loads(raw)
        written = written.get("date") if isinstance(written, dict) else None
        span = _span_or_none(str(written)) if isinstance(written, str | int) else None
        if span is not None:
            return span.start, span
    when = responded or requested
    return responded, _span_or_none(when[:10]) if when else None


def _span_or_none(text: str) -> DateSpan | None:
    try:
        return parse_date_span(text)
    except ValueError:
        return None


@MIGRATIONS()
def m005_foreign_keys_for_every_id(db: sqlite_utils.Database) -> None:
    """Tables made before some of their id columns were declared foreign keys are rebuilt with them:
    each row kept as it was, with its rowid (what the FTS indexes point at); the indexes and views
    are made again."""
    stale = [
        name
        for name, declared in FOREIGN_KEYS.items()
        if db[name].exists()
        and not {tuple(d) for d in declared}
        <= {(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys}
    ]
    if not stale:
        return
    for view in VIEWS:  # a view naming a table being renamed would stop the rename
        db.execute(f"DROP VIEW IF EXISTS [{view}]")
    for name in stale:
        _rebuild_with_foreign_keys(db, name)
    for view, sql in VIEWS.items():
        db.execute(f"CREATE VIEW [{view}] AS {sql.strip()}")


def _rebuild_with_foreign_keys(db: sqlite_utils.Database, name: str) -> None:
    pk, _ = TABLES[name]
    columns = db[name].columns_dict  # as the file has them: an older file may hold more
    listed = ", ".join(f"[{c}]" for c in columns)
    rowid_alias = isinstance(pk, str) and columns.get(pk) is int
    copied = listed if rowid_alias else f"rowid, {listed}"
    new = f"_{name}_with_foreign_keys"
    db[new].create(columns, pk=pk, foreign_keys=FOREIGN_KEYS[name])
    db.execute(f"INSERT INTO [{new}] ({copied}) SELECT {copied} FROM [{name}]")
    db.execute(f"DROP TABLE [{name}]")
    db.execute(f"ALTER TABLE [{new}] RENAME TO [{name}]")
    for index in INDEXES.get(name, []):
        db[name].create_index(index, if_not_exists=True)


@MIGRATIONS()
def m006_first_matched_at(db: sqlite_utils.Database) -> None:
    """Pairs matched before ``first_matched_at`` existed count as first matched when last matched."""
    db.execute("UPDATE matches SET first_matched_at = matched_at WHERE first_matched_at IS NULL")


@MIGRATIONS()
def m007_pair_texts(db: sqlite_utils.Database) -> None:
    """Pairs matched before ``pair_text`` existed get it, and ``matches_fts`` is built from it."""
    db.execute(f"UPDATE matches SET pair_text = ({PAIR_TEXT})")
    db.execute("INSERT INTO matches_fts (matches_fts) VALUES ('rebuild')")


@MIGRATIONS()
def m008_search_scopes(db: sqlite_utils.Database) -> None:
    """Indexes made before search filtered inside them (without their ``scope`` column) are made
    again, from their FTS_CONTENT views."""
    for table in FTS_CONTENT:
        if "scope" not in db[f"{table}_fts"].columns_dict:
            db.execute(f"DROP TABLE [{table}_fts]")
            _create_fts(db, table, FTS[table])


@MIGRATIONS()
def m009_search_keys(db: sqlite_utils.Database) -> None:
    """The FTS_KEYS tables, new, are filled from their indexes' views."""
    for table in FTS_KEYS:
        fill_search_keys(db, table)
