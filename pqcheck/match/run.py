"""Running the matcher: :class:`Matcher` (one refusal at a time), :func:`match_db` (every refusal,
in-process or in worker processes) and the writer of ``matches``.

A re-run replaces each refusal's matches: rows no longer produced are deleted, ``reviews`` are
never touched (a reviewed pair stays with its review); a full run also removes the matches of
questions that are no longer refusals. The match ``id`` is ``sha1("<question id>:foi:<request
id>")``, ``sha1("<question id>:answer:<other question id>")`` or ``sha1("<question
id>:statement:<contribution id>")``, so a review keyed on it survives re-runs. Each pair's own
text (``matches.pair_text``: both sides' words) and its index ``matches_fts``, what search finds
pairs by, are rewritten in the same transaction as the pair.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from ..db import fts_remove, index_pair_texts, upsert_rows, write_transaction
from ..progress import Progress
from ..records import now_iso
from .evidence import EvidenceReader, clip
from .options import DEFAULT_OPTIONS, MatchOptions
from .retrieval import LOCAL, CandidateSearch, TargetReader
from .scoring import (
    LOCAL_KEEP,
    LOCAL_MIN_RELEVANCE,
    corroborate,
    denial_factor,
    first_pass,
    full_score,
    gap_days,
    held_locally,
)
from .terms import MATCHER_VERSION, Refusal, Stemmer, Term, TermFinder, day

LOCAL_CATEGORIES = ("not_held_centrally",)  # refusals for which local bodies' disclosures are evidence
POOL = 8  # candidates whose figures and pages are read (at least keep + SAID_EXTRA), and the 2 best of each FTS list
BEST_RANKED = {"pages_rank": 2, "answers_rank": 2, "statements_rank": 2}
# ... and an answer labelled a refusal or "other" that would be in the pool but for its aside factor
# (scoring.denial_factor): the first pass applies it before the figures are read (one that gave figures on the
# subject beside a refusal, or in passing, looks poorer there than it is; read from the text in hand, it costs little)
# kept beyond options.keep, when they reach min_score: other answers and ministers' statements that gave the figures
# (a refusal contradicted in Parliament many times, as the missing children from asylum hotels were, keeps them);
# never more than keep - 1 (a run asked to keep one pair keeps one)
SAID_EXTRA = 3
SAID = ("answer", "statement")
MIN_PARALLEL = 200  # fewer refusals than this are matched in-process whatever options.workers says


@dataclass
class MatchStats:
    """What one :func:`match_db` run did."""

    refusals: int = 0  # refusals considered
    matched: int = 0  # refusals with at least one match
    matches: int = 0  # match rows written
    foi_matches: int = 0
    answer_matches: int = 0
    removed: int = 0  # match rows deleted (no longer produced)
    skipped_no_department: int = 0
    skipped_no_terms: int = 0
    candidates: int = 0  # targets examined, in all
    max_candidates: int = 0  # most targets examined for one refusal
    by_evidence: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, other: MatchStats) -> None:
        for name in (
            "refusals",
            "matched",
            "matches",
            "foi_matches",
            "answer_matches",
            "skipped_no_department",
            "skipped_no_terms",
            "candidates",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.max_candidates = max(self.max_candidates, other.max_candidates)
        for kind, count in other.by_evidence.items():
            self.by_evidence[kind] = self.by_evidence.get(kind, 0) + count


def match_id(question_id: int, target_kind: str, target: str | int) -> str:
    """The stable id of a match: the same refusal and target give the same id on every run."""
    return hashlib.sha1(f"{question_id}:{target_kind}:{target}".encode()).hexdigest()


def match_db(
    db: sqlite_utils.Database,
    *,
    options: MatchOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> MatchStats:
    """Match every refusal (or ``options.question_ids``) and write its matches; see the package doc."""
    started = time.perf_counter()
    progress = progress or Progress(quiet=True)
    stats = MatchStats()
    refusals = load_refusals(db.conn, options.question_ids)
    matched_at = now_iso()
    progress.start("Matching refusals", len(refusals))
    path = _worker_path(db) if options.workers > 1 and len(refusals) > MIN_PARALLEL else None
    if path is None:
        with db.atomic():  # the matcher's TEMP tables only: no write lock on the database
            matcher = Matcher(db.conn, options)
        try:
            results = ((r["question_id"], *matcher.match(r, matched_at)) for r in refusals)
            _save_all(db, results, stats, progress)
        finally:
            with db.atomic():
                matcher.close()
    else:
        chunks = [(refusals[i : i + 50], matched_at) for i in range(0, len(refusals), 50)]
        context = multiprocessing.get_context("spawn")
        with context.Pool(options.workers, initializer=_init_worker, initargs=(path, options)) as pool:
            results = (item for chunk in pool.imap_unordered(_work, chunks) for item in chunk)
            _save_all(db, results, stats, progress)
    if options.question_ids is None:
        with write_transaction(db):
            gone = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM matches WHERE question_id NOT IN "
                    "(SELECT question_id FROM refusals WHERE label IN ('refusal', 'partial')) "
                    "AND id NOT IN (SELECT match_id FROM reviews)"
                )
            ]
            fts_remove(db, "matches", gone, column="id")
            cursor = db.execute("DELETE FROM matches WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(gone)])
            stats.removed += max(cursor.rowcount, 0)
    progress.finish()
    stats.seconds = round(time.perf_counter() - started, 3)
    return stats


def distinct_texts(scored: list[dict[str, Any]], seen: set[str], reach: int | None = None) -> list[dict[str, Any]]:
    """``scored`` candidates (best first), the first ``reach`` of them (all when None) without an answer
    whose text, word for word, is in ``seen`` (the texts kept so far, which it adds to) and gives figures:
    one text that answered several questions is one disclosure, read, shown and counted once, and its
    copies leave the pool to others. A text without figures ("provided in the attached spreadsheet") may
    stand for different attachments."""
    out: list[dict[str, Any]] = []
    for i, found in enumerate(scored):
        if reach is not None and len(out) >= reach:
            return out + scored[i:]
        text = found.get("answer_text") if found["kind"] != "foi" else None
        if text and any(map(str.isdigit, text)):
            key = " ".join(text.split())
            if key in seen:
                continue
            seen.add(key)
        out.append(found)
    return out


def load_refusals(conn: sqlite3.Connection, question_ids: Iterable[int] | None) -> list[dict[str, Any]]:
    """The refusals to match (every one when ``question_ids`` is None), with their question and department."""
    sql = """
        SELECT r.question_id, r.label, r.category, r.phrase, r.subject, r.subject_terms, r.refused_part, r.period,
               r.period_start, r.period_end, q.date_answered, q.date_tabled, q.heading, q.question_text,
               substr(q.answer_text, 1, 600) AS answer_text, qd.department_id
        FROM refusals r
        JOIN questions q ON q.id = r.question_id
        LEFT JOIN question_departments qd ON qd.question_id = r.question_id
        WHERE r.label IN ('refusal', 'partial')
    """
    params: list[Any] = []
    if question_ids is not None:
        sql += " AND r.question_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(question_ids)))
    cursor = conn.execute(sql + " ORDER BY r.question_id", params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _save_all(db, results: Iterator[tuple[int, list[dict], MatchStats]], stats: MatchStats, progress) -> None:
    batch: list[tuple[int, list[dict]]] = []
    for question_id, rows, one in results:
        stats.add(one)
        batch.append((question_id, rows))
        if len(batch) >= 500:
            _save(db, batch, stats)
            batch = []
        progress.advance()
    _save(db, batch, stats)


def _save(db: sqlite_utils.Database, batch: list[tuple[int, list[dict]]], stats: MatchStats) -> None:
    """Replace each refusal's matches: delete those no longer produced, upsert the rest; the pairs'
    own index (``matches_fts``) is kept in step in the same transaction."""
    if not batch:
        return
    question_ids = [question_id for question_id, _ in batch]
    with write_transaction(db):
        fts_remove(db, "matches", question_ids, column="question_id")
        for question_id, rows in batch:
            cursor = db.execute(
                "DELETE FROM matches WHERE question_id = ? AND id NOT IN (SELECT value FROM json_each(?)) "
                "AND id NOT IN (SELECT match_id FROM reviews)",  # a reviewed pair stays with its review
                [question_id, json.dumps([r["id"] for r in rows])],
            )
            stats.removed += max(cursor.rowcount, 0)
        upsert_rows(db, "matches", [row for _, rows in batch for row in rows])
        index_pair_texts(db, question_ids)


def _worker_path(db: sqlite_utils.Database) -> str | None:
    """The database file, if other processes can read it while this one writes (WAL)."""
    files = [row[2] for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main"]
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if not files or not files[0] or mode.lower() != "wal":
        return None
    if db.conn.in_transaction:
        db.conn.commit()
    return files[0]


_WORKER: Matcher | None = None


def _init_worker(path: str, options: MatchOptions) -> None:
    global _WORKER
    conn = sqlite3.connect(path, isolation_level=None)  # reads only; TEMP tables are its own
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA temp_store=MEMORY")
    _WORKER = Matcher(conn, options)


def _work(job: tuple[list[dict[str, Any]], str]) -> list[tuple[int, list[dict], MatchStats]]:
    refusals, matched_at = job
    assert _WORKER is not None
    return [(r["question_id"], *_WORKER.match(r, matched_at)) for r in refusals]


class Matcher:
    """Matches one refusal at a time against the database behind ``conn``: the candidate search
    (``retrieval``), a first pass on cheap signals (``scoring``), the evidence of the best
    (``evidence``) and their full score. :meth:`close` drops its TEMP tables."""

    def __init__(self, conn: sqlite3.Connection, options: MatchOptions = DEFAULT_OPTIONS):
        self.conn = conn
        self.options = options
        self.stemmer = Stemmer()
        self.finder = TermFinder(self.stemmer)
        self.search = CandidateSearch(conn, options)
        self.targets = TargetReader(conn, self.stemmer, self.finder.stop_stems)
        self.evidence = EvidenceReader(conn, self.stemmer)

    def close(self) -> None:
        self.search.close()
        self.stemmer.conn.close()

    def terms(self, refusal: dict[str, Any]) -> tuple[list[Term], str]:
        """The subject's terms of ``refusal`` with their weights, and where they came from."""
        return self.finder.terms(refusal, self.search)

    def match(self, refusal: dict[str, Any], matched_at: str) -> tuple[list[dict[str, Any]], MatchStats]:
        """The matches rows of one refusal (from :func:`load_refusals`), and what it took."""
        stats = MatchStats(refusals=1)
        options = self.options
        question_id = refusal["question_id"]
        department = refusal["department_id"]
        answered = day(refusal["date_answered"]) or day(refusal["date_tabled"])
        if department is None:
            stats.skipped_no_department = 1
            return [], stats
        terms, terms_source = self.terms(refusal)
        if not terms:
            stats.skipped_no_terms = 1
            return [], stats
        candidates, queries = self.search.candidates(question_id, department, answered, terms)
        stats.candidates = stats.max_candidates = len(candidates)
        if not candidates and refusal["category"] not in LOCAL_CATEGORIES:
            return [], stats
        context = Refusal(refusal, terms, answered, self.stemmer, self.finder.stop_stems)
        pool_size = max(POOL, options.keep + SAID_EXTRA)
        texts: set[str] = set()
        scored = distinct_texts(first_pass(context, candidates, self.targets.read(candidates)), texts, pool_size)
        pool = scored[:pool_size]
        cut = pool[-1]["first"] if pool else 0.0
        back = [
            c
            for c in scored[pool_size:]
            if any(c.get(rank, 99) <= best for rank, best in BEST_RANKED.items())
            or (c.get("aside") and c["first"] >= cut * denial_factor(c))
        ]
        pool += distinct_texts(back, texts)  # not the copies of the pool's texts that come back by their own ranks
        finals = [full_score(context, c, e) for c, e in self.evidence.choose(context, pool)]
        finals = [s for s in finals if s["relevance"] >= options.min_score]
        finals.sort(key=lambda s: (-s["score"], s["target"]))
        kept = finals[: options.keep]
        # beyond keep: what the department itself said to Parliament (answers, statements in debates)
        kept += [s for s in finals[options.keep :] if s["evidence_kind"] in SAID][: min(SAID_EXTRA, options.keep - 1)]
        corroborate(kept)
        if refusal["category"] in LOCAL_CATEGORIES:
            kept += self.held_locally(question_id, answered, terms, context)
        rows = []
        for found in kept:
            found["reasons"]["terms_source"] = terms_source
            found["reasons"]["query"] = queries
            rows.append(self._row(context, found, matched_at))
        stats.matches = len(rows)
        stats.matched = int(bool(rows))
        stats.foi_matches = sum(r["target_kind"] == "foi" for r in rows)
        stats.answer_matches = sum(r["target_kind"] == "answer" for r in rows)
        for r in rows:
            stats.by_evidence[r["evidence_kind"]] = stats.by_evidence.get(r["evidence_kind"], 0) + 1
        return rows, stats

    def held_locally(self, question_id: int, answered: int | None, terms: list[Term], context: Refusal) -> list[dict]:
        """Local bodies' disclosures on the refusal's subject (``LOCAL_KEEP`` at most): the data
        exists, outside the department (:func:`scoring.held_locally`)."""
        if not self.search.local_rows:
            return []
        candidates, _ = self.search.candidates(question_id, LOCAL, answered, terms)
        if not candidates:
            return []
        scored = first_pass(context, candidates, self.targets.read(candidates))[:POOL]
        finals = [full_score(context, c, e) for c, e in self.evidence.choose(context, scored)]
        finals = [f for f in finals if f["relevance"] >= LOCAL_MIN_RELEVANCE and f["evidence_kind"] == "disclosure"]
        finals.sort(key=lambda s: (-s["score"], s["target"]))
        return [held_locally(f) for f in finals[:LOCAL_KEEP]]

    def _row(self, refusal: Refusal, found: dict[str, Any], matched_at: str) -> dict[str, Any]:
        candidate, evidence = found["candidate"], found["evidence"]
        kind = candidate["kind"]
        gap = gap_days(refusal, candidate)
        relation = _relation(gap, candidate.get("precision"))
        return {
            "id": match_id(refusal.question_id, kind, candidate["target"]),
            "question_id": refusal.question_id,
            "target_kind": kind,
            "foi_request_id": candidate["target"] if kind == "foi" else None,
            "foi_document_id": evidence.get("document_id") if kind == "foi" else None,
            "other_question_id": candidate["target"] if kind == "answer" else None,
            "contribution_id": candidate["target"] if kind == "statement" else None,
            "department_id": refusal.department,
            "evidence_kind": found["evidence_kind"],
            "score": round(found["score"], 4),
            "reasons": json.dumps(found["reasons"], ensure_ascii=False),
            "refusal_phrase": refusal.phrase,
            "evidence_text": clip(evidence["text"]) if evidence.get("text") else None,
            "evidence_page": evidence.get("page"),
            "evidence_figures": json.dumps(
                [{"text": f["text"], "value": f["value"], "context": f["context"]} for f in evidence["figures"]],
                ensure_ascii=False,
            ),
            "time_relation": relation,
            "gap_days": None if gap is None else abs(gap),
            "matcher_version": MATCHER_VERSION,
            "matched_at": matched_at,
            "first_matched_at": matched_at,  # kept as it was when the pair is matched again (db.SET_ONCE)
        }


def _relation(gap: int | None, precision: str | None) -> str | None:
    """The target's time relation to the answer: ``before``, ``after``, ``same_day``, or ``within``
    (the answer falls inside the target's date as known: its month, year or financial year)."""
    if gap is None:
        return None
    if gap:
        return "before" if gap < 0 else "after"
    return "same_day" if precision in (None, "day") else "within"
