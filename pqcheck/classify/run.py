"""The classifier's entry points: :func:`classify` and :func:`classify_many` for texts in memory,
:func:`classify_db` for the answers of a database, and the writer of its ``refusals`` rows."""

from __future__ import annotations

import gc
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from ..db import write_transaction
from ..records import now_iso
from .label import classify_rows
from .parts import refused_part
from .rules import CLASSIFIER_VERSION
from .subject import question_parts

BATCH_SIZE = 5000  # rows read and written per transaction by classify_db


@dataclass
class Classification:
    label: str  # one of LABELS
    category: str | None = None  # one of CATEGORIES when label is refusal or partial
    phrase: str | None = None  # the refusal phrase as it appears in the answer
    start: int | None = None  # offsets of phrase in the answer text
    end: int | None = None
    subject: str | None = None  # what information was asked for, from the question
    subject_terms: list[str] = field(default_factory=list)  # lower-case lemmas, most specific first
    period: str | None = None  # the period asked about, as written ("2010 to 2019")
    period_start: str | None = None  # YYYY-MM-DD
    period_end: str | None = None
    refused_part: str | None = None  # the part of the question refused ("(b) e-mails"), when one is


@dataclass
class ClassifyStats:
    read: int = 0  # substantive answers read to classify
    classified: int = 0  # refusals rows written
    skipped: int = 0  # questions without a substantive answer (holding, unanswered, no text)
    up_to_date: int = 0  # substantive answers already classified by this version
    removed: int = 0  # stale refusals rows of questions that no longer have a substantive answer
    cut_short: int = 0  # answers in the database classified on text the list endpoint cut short
    by_label: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def classify_many(pairs: Iterable[tuple[str | None, str | None]], *, subjects: str = "all") -> list[Classification]:
    """Classify (question_text, answer_text) pairs. ``subjects``: ``"all"`` extracts the subject and
    period for every answer, ``"refusals"`` only for refusals and partials (what ``classify_db`` does)."""
    pairs = list(pairs)
    with _collector_paused():
        results = [Classification(*row) for row in classify_rows(pairs)]
        for (question, answer), result in zip(pairs, results, strict=True):
            if subjects == "all" or result.label in ("refusal", "partial"):
                _add_subject(result, question, answer)
    return results


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, then resumed if it was on. Classifying makes many
    small objects and no cycles to speak of (reference counting frees them), and each pass of the
    collector over every live object (spaCy's vocabulary among them) cost several per cent."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def classify(question_text: str | None, answer_text: str | None) -> Classification:
    """Classify one answer: label, refusal category and phrase (with offsets into ``answer_text``),
    and the subject and period of the question (of the part refused, when one part is)."""
    return classify_many([(question_text, answer_text)])[0]


def _add_subject(result: Classification, question: str | None, answer: str | None) -> None:
    subject, terms, part, *period = refusal_subject(question, answer, result.start)
    result.subject, result.subject_terms, result.refused_part = subject, terms, part
    result.period, result.period_start, result.period_end = period


def refusal_subject(
    question: str | None, answer: str | None, phrase_start: int | None
) -> tuple[str | None, list[str], str | None, str | None, str | None, str | None]:
    """(subject, terms, refused part, period, period start, period end) of a refusal: the question's,
    narrowed to the part the refusing sentence refuses when it refuses one part of several (its
    terms first, then the rest of the question's)."""
    subject, terms, *period = question_parts(question)
    part = refused_part(question, answer, phrase_start) if answer and phrase_start is not None else None
    if part is None:
        return subject, terms, None, *period
    return part.subject or subject, list(dict.fromkeys([*part.terms, *terms])), part.part, *period


# --------------------------------------------------------------------------------------------
# The database

_REFUSAL_COLUMNS = (
    "question_id", "label", "category", "phrase", "phrase_start", "phrase_end", "subject", "subject_terms",
    "period", "period_start", "period_end", "classifier_version", "classified_at", "answer_cut_short",
    "refused_part",
)  # fmt: skip
_ROWS_PER_INSERT = 256


def _write_refusals(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Upsert ``rows`` (tuples in ``_REFUSAL_COLUMNS`` order) as ``db.upsert_rows`` would, but many
    rows to a statement and no dict per row: a quarter of the cost of ``executemany``."""
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(_REFUSAL_COLUMNS)
    per = max(1, min(_ROWS_PER_INSERT, limit))
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        conn.execute(_upsert_refusals_sql(len(chunk)), [value for row in chunk for value in row])


@lru_cache(maxsize=8)
def _upsert_refusals_sql(n_rows: int) -> str:
    """upsert_rows' statement for refusals, with ``n_rows`` rows of values."""
    values = ", ".join([f"({', '.join('?' * len(_REFUSAL_COLUMNS))})"] * n_rows)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _REFUSAL_COLUMNS[1:])
    return (
        f"INSERT INTO refusals ({', '.join(_REFUSAL_COLUMNS)}) VALUES {values} "
        f"ON CONFLICT(question_id) DO UPDATE SET {updates}"
    )


_SUBSTANTIVE = (
    "COALESCE(q.answer_status IN ('answered', 'corrected') AND q.answer_text IS NOT NULL AND q.answer_text != '', 0)"
)
_CUT = "COALESCE(q.answer_text_truncated, 0)"
# Needs (re)classifying: no row yet, a row from another classifier version, the question was
# fetched again since (a corrected answer), or its text was cut short then and is not now.
_NEEDS = (
    "COALESCE(r.question_id IS NULL OR r.classifier_version IS NOT :version OR q.fetched_at > r.classified_at "
    f"OR r.answer_cut_short IS NOT {_CUT}, 0)"
)


def _refusal_rows(rows: list[tuple], version: str) -> list[tuple]:
    """The ``refusals`` rows (``_REFUSAL_COLUMNS``) of (id, question, answer, cut short) rows."""
    results = classify_rows([(q, a) for _, q, a, _ in rows])
    stamp = now_iso()
    out = []
    for (question_id, question, answer, cut), result in zip(rows, results, strict=True):
        if result[0] == "refusal" or result[0] == "partial":
            subject, terms, part, *period = refusal_subject(question, answer, result[3])
            terms_json = json.dumps(terms) if subject is not None else None
            out.append((question_id, *result, subject, terms_json, *period, version, stamp, cut, part))
        else:
            out.append((question_id, *result, None, None, None, None, None, version, stamp, cut, None))
    return out


def classify_db(db, *, progress=None, force: bool = False, batch_size: int = BATCH_SIZE) -> ClassifyStats:
    """Classify every substantive answer (status answered or corrected, with text) that the current
    ``CLASSIFIER_VERSION`` has not classified yet (every one with ``force``), and write its
    ``refusals`` row (as ``upsert_rows`` would), one transaction per batch of ``batch_size``. An answer
    fetched again after it was classified is classified again. Holding and unanswered questions are
    skipped (and the row of a question that no longer has a substantive answer is removed).
    Subject and period are filled for refusals and partials (the rows the matcher pairs) and left
    NULL for disclosures and others, which keeps a whole database at tens of thousands a second.
    An answer whose stored text the list endpoint cut short is classified on what there is, and its
    row says so (``answer_cut_short``); ``cut_short`` counts those rows in the whole database.
    """
    began = time.perf_counter()
    version = CLASSIFIER_VERSION
    stats = ClassifyStats()
    params = {"version": version}
    needs = "1" if force else _NEEDS
    # Counted in two parts, as joining every question to refusals costs twice as much: substantive
    # or not from the questions, up to date or stale from the refusals rows.
    skipped, substantive = db.execute(
        f"SELECT COALESCE(SUM(NOT s), 0), COALESCE(SUM(s), 0) FROM (SELECT {_SUBSTANTIVE} AS s FROM questions q)"
    ).fetchone()
    up_to_date, stale = db.execute(
        f"SELECT COALESCE(SUM(s AND NOT n), 0), COALESCE(SUM(NOT s), 0) FROM (SELECT {_SUBSTANTIVE} AS s, "
        f"{needs} AS n FROM refusals r JOIN questions q ON q.id = r.question_id)",
        params,
    ).fetchone()
    todo = substantive - up_to_date
    stats.skipped, stats.up_to_date = skipped, up_to_date
    if progress is not None:
        progress.start("Classifying answers", todo)
    sql = (
        f"SELECT q.id, q.question_text, q.answer_text, {_CUT} FROM questions q LEFT JOIN refusals r "
        "ON r.question_id = q.id "
        f"WHERE q.id > :after AND {_SUBSTANTIVE} AND {needs} ORDER BY q.id LIMIT :limit"
    )
    after = -(2**63)
    by_label: Counter[str] = Counter()
    while True:
        with _collector_paused():
            rows = db.execute(sql, {**params, "after": after, "limit": batch_size}).fetchall()
            if not rows:
                break
            after = rows[-1][0]
            out = _refusal_rows(rows, version)
            with write_transaction(db):
                _write_refusals(db.conn, out)
        by_label.update(row[1] for row in out)
        stats.read += len(rows)
        stats.classified += len(out)
        if progress is not None:
            progress.advance(len(rows))
    if stale:
        with write_transaction(db):
            stats.removed = db.execute(
                "DELETE FROM refusals WHERE question_id IN (SELECT r.question_id FROM refusals r "
                f"JOIN questions q ON q.id = r.question_id WHERE NOT ({_SUBSTANTIVE}))"
            ).rowcount
    if progress is not None:
        progress.finish()
    stats.cut_short = db.execute("SELECT count(*) FROM refusals WHERE answer_cut_short = 1").fetchone()[0]
    stats.by_label = dict(sorted(by_label.items()))
    stats.seconds = time.perf_counter() - began
    return stats
