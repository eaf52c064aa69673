"""Pairing refusals with FOI disclosures (and with other answers that gave the figures).

For each refusal (``refusals.label`` is ``refusal`` or ``partial``) :func:`match_db` looks for FOI
requests from the same canonical department (its agencies included) answered from
``days_before`` days before to ``days_after`` days after the written answer, that released figures
on the subject the answer declined to give; and for written answers from the same department
(``refusals.label = 'disclosure'``) in the same window that gave figures on it.

Candidates (never an all-pairs scan): three FTS5 queries ranked by bm25, restricted to the
department and the window (through small TEMP tables: row id -> department, day) and cut at
``options.candidates`` rows each:

- ``foi_requests_fts`` (title weighted 3, request text 1),
- ``foi_pages_fts`` (the released text; the best page per request),
- ``questions_fts`` (heading 2, question 1, answer 2) for contradicting answers.

Terms come from ``refusals.subject_terms`` (most specific first; from the subject text when the
list is empty), each with its other derived form when porter keeps them apart (``VARIANTS``:
detention/detained) and the departmental jargon for it (``RELATED``: trafficking / National
Referral Mechanism, potential victim / reasonable grounds). A query is an OR of the quoted
terms, generic words ("number") left out, at most ``MAX_QUERY_TERMS`` of them, the rarest first
while their rows add up to ``QUERY_ROWS`` (a common term says little and makes the query slow).
To keep the rows bm25 has to rank small, a row must hold two of the terms (``(a AND b) OR
(a AND c) ...``) or the rarest term alone (titles and answers); a page query that finds fewer
than ``PAGE_FALLBACK`` pages is asked again with any single term. The two most specific terms
weigh double (a repeated phrase counts twice in bm25). The three lists are merged by reciprocal
rank and cut at ``options.candidates``: that many targets, at most, are examined per refusal.

Scoring (``WEIGHTS``; every contribution is stored in ``reasons``):

- ``terms``: the share of the subject's terms, weighted by rarity (IDF from the FTS5 vocabulary,
  the same porter stems as the index), found in the FOI's title or request text (full weight),
  in the disclosed figure's sentence, table row, table header or caption (full), near it on its
  page (0.7), or elsewhere on the pages read (0.5);
- ``similarity``: rapidfuzz ``token_set_ratio`` of the subject with the title (and, at 0.85, the
  request text), on stems without stop words;
- ``figures``: the best group of figures (``foi_figures``: a sentence, or the rows of one table)
  by the share of the subject's terms in its context, header, caption (0.6 for the text around);
- ``period``: the share of the years asked about (``refusals.period_start/end``, else years in
  the question) that the FOI mentions in its title, request or figures; a small penalty when the
  FOI names only other years;
- ``outcome``: a bonus for a disclosure (``successful``, ``partially_successful``, ``released``)
  or an answer with figures; ``not_held`` (the same denial: evidence_kind ``not_held``) and
  ``rejected`` (refused: evidence_kind ``refused``) get no bonus and their score is multiplied by
  ``DENIAL_FACTOR``, so they rank below disclosures on the same subject;
- ``time``: a little for being closer in time to the answer;
- ``corroboration``: a refusal contradicted by several kept disclosures (FOIs or answers) is the
  stronger case: each of them gains a little per other one (at most three);
- ``generic``: a penalty when no shared term, or only one, is specific (not a generic word and,
  in an index of ``COMMON_MIN_ROWS`` rows or more, not in more than ``COMMON_SHARE`` of them);
- ``lead``: a penalty when the first-listed (most specific) term is missing and less than
  ``LEAD_COVERAGE`` of the terms are found (Universal Credit *advances* for a question on
  Universal Credit *sanctions*).

The period, outcome and time bonuses are scaled by the ``terms`` share: they say how good a
disclosure is, not whether it is on the subject. The best ``options.keep`` whose score before the
denial factor reaches ``options.min_score`` are kept (and every pair that has a review: a re-run
never drops a reviewed pair). Cheap signals (the title and request text)
rank all the candidates first; the figures and pages of the best ``POOL`` of them (and the two
best of each list) are then read, in a few statements, for the final score and the evidence. An
FTS5 query reads the index rows of its terms (at most about ``QUERY_ROWS`` beyond the two rarest);
everything else done per refusal is bounded by ``options.candidates``.

Choices:

- the FOI's date is ``date_responded``, else ``date_requested``; an FOI with neither is
  considered only when ``options.include_undated`` (the default), with a ``undated`` penalty and
  no ``time_relation``;
- FOIs without a department (an authority not in the mapping) and requests with no response yet
  (``waiting_response``, ``user_withdrawn``, ...) are never candidates; documents of kind
  ``request`` (the requester's own message) are not evidence;
- the target of a match is the FOI *request* (its evidence is one document and page) or the other
  question; the match ``id`` is ``sha1("<question id>:foi:<request id>")`` or
  ``sha1("<question id>:answer:<other question id>")``, so a review keyed on it survives re-runs;
- a re-run replaces each refusal's matches: rows no longer produced are deleted, ``reviews`` are
  never touched; a full run also removes the matches of questions that are no longer refusals.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import multiprocessing
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlite_utils
from rapidfuzz import fuzz

from .db import upsert_rows, write_transaction
from .figures import Figure, find_figures
from .periods import years_in
from .progress import Progress
from .records import now_iso
from .text import ascii_int

__all__ = ["MATCHER_VERSION", "MatchOptions", "MatchStats", "match_db", "match_id"]

MATCHER_VERSION = "match-1.0"

WEIGHTS = {
    "terms": 0.40,
    "similarity": 0.15,
    "figures": 0.20,
    "period": 0.10,
    "period_mismatch": -0.05,
    "outcome": 0.10,
    "time": 0.05,
    "generic_none": -0.25,
    "generic_one": -0.10,
    "undated": -0.05,
    "lead_missing": -0.15,
}
LEAD_COVERAGE = 0.5  # a target without the first-listed term, sharing less than this of the terms, loses lead_missing
DENIAL_FACTOR = 0.6  # not_held and rejected FOIs rank below disclosures
COMMON_SHARE = 0.2  # a term in more than this share of an index's rows is common ...
COMMON_MIN_ROWS = 200  # ... when the index has this many rows (a small one says nothing about commonness)
MAX_QUERY_TERMS = 6
PAGE_FALLBACK = 10  # fewer page hits than this with pairs of terms: ask again with any single term
QUERY_ROWS = 60_000  # an FTS5 query stops adding terms when their rows add up to this (see _Matcher._query)
CORROBORATION_STEP = 0.03  # per other disclosure of the same refusal (see _corroborate)
CORROBORATION_MAX = 3
POOL = 8  # candidates whose figures and pages are read (at least keep + 3), and the 2 best of each FTS list
RRF_K = 60
MAX_FIGURES = 3000  # figures read per candidate
MAX_PAGES = 6  # pages read per candidate
MAX_PAGE_CHARS = 200_000
PAGE_STEM_CHARS = 30_000  # of a page read, the part searched for the subject's terms outside the figures
WINDOW_BEFORE, WINDOW_AFTER = 600, 200  # characters around a figure that count as "near"
EVIDENCE_CHARS = 1200
TARGET_CACHE = 20_000  # targets whose first-pass data is kept between refusals (per process)
MIN_PARALLEL = 200  # fewer refusals than this are matched in-process whatever options.workers says


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Derived forms that the porter stemmer keeps apart (detention/detained: "detent"/"detain"): a term
# in one form also matches the other. Keys are porter stems, values a word of the other form.
VARIANTS = {
    "detent": "detained",
    "detain": "detention",
    "referr": "referred",
    "refer": "referral",
    "closur": "closed",
    "close": "closure",
    "applic": "applied",
    "appli": "application",
    "decis": "decided",
    "decid": "decision",
    "admiss": "admitted",
    "admit": "admission",
    "suspens": "suspended",
    "suspend": "suspension",
}

# The jargon of one department's data for what a question asks about in plain words: a term also
# matches these phrases (the Home Office records potential victims of trafficking as "positive
# reasonable grounds decisions" of the National Referral Mechanism, confirmed ones as "conclusive
# grounds", and detention in immigration removal centres, "IRCs").
RELATED = {
    "trafficking": ("modern slavery", "national referral mechanism", "nrm"),
    "slavery": ("trafficking", "national referral mechanism", "nrm"),
    "victim": ("reasonable grounds", "conclusive grounds"),
    "potential": ("reasonable grounds",),
    "confirmed": ("conclusive grounds",),
    "detention": ("removal centre", "irc"),
    "detained": ("removal centre", "irc"),
}

DISCLOSED = frozenset({"successful", "partially_successful", "released"})
NO_RESPONSE = frozenset(
    {
        "waiting_response",
        "waiting_clarification",
        "user_withdrawn",
        "error_message",
        "requires_admin",
        "attention_requested",
        "awaiting_description",
        "gone_postal",
    }
)
EVIDENCE_KIND = {"not_held": "not_held", "rejected": "refused"}

STOPWORDS = _wordset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself may me might more most must my no nor not of off on
    once only or other our out over own per same shall she should so some such than that the their them then
    there these they this those through to too under until up upon very was we were what when where whether which
    while who whom why will with would you your ask asked asking secretary state department government minister
    majesty majesty's hon honourable lord lords member friend pursuant answer answers question questions many
    much estimate estimated made make recent assessment steps taking taken whom"""
)
# words that say nothing about the subject, however rare they are in an index
GENERIC = _wordset(
    """number numbers figure figures data record records information statistic statistics total year years month
    months people person individual individuals case cases detail details level levels rate rates proportion amount
    amounts breakdown category categories type types period date dates time list report"""
)
DENIAL_CUES = (
    "not held",
    "does not hold",
    "do not hold",
    "no central",
    "not collated",
    "not recorded",
    "section 12",
    "cost limit",
    "exceed",
    "disproportionate",
    "not able to",
    "unable to",
    "exempt",
    "withheld",
    "no information",
)

_WORD = re.compile(r"[^\W_]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“£])|\n+")


@dataclass(frozen=True)
class MatchOptions:
    """How :func:`match_db` searches and what it keeps."""

    days_before: int = 730  # an FOI answered up to this many days before the written answer
    days_after: int = 730  # ... and up to this many days after it
    candidates: int = 50  # targets examined per refusal, at most (FTS5 rows per index, too)
    keep: int = 5  # matches kept per refusal, at most
    min_score: float = 0.4  # matches scoring less (before the not_held/refused factor) are dropped
    answers: bool = True  # also look for other written answers that gave the figures
    include_undated: bool = True  # consider FOIs with no date at all (with a penalty)
    question_ids: tuple[int, ...] | None = None  # only these refusals (None: every refusal)
    workers: int = 1  # processes for a file database in WAL mode (open_db sets it); 1 in-process


DEFAULT_OPTIONS = MatchOptions()


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
    skipped_no_date: int = 0
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
            "skipped_no_date",
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
    """Match every refusal (or ``options.question_ids``) and write its matches; see the module doc."""
    started = time.perf_counter()
    progress = progress or Progress(quiet=True)
    stats = MatchStats()
    refusals = _load_refusals(db.conn, options.question_ids)
    matched_at = now_iso()
    progress.start("Matching refusals", len(refusals))
    path = _worker_path(db) if options.workers > 1 and len(refusals) > MIN_PARALLEL else None
    if path is None:
        with db.atomic():  # the matcher's TEMP tables only: no write lock on the database
            matcher = _Matcher(db.conn, options)
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
            cursor = db.execute(
                "DELETE FROM matches WHERE question_id NOT IN "
                "(SELECT question_id FROM refusals WHERE label IN ('refusal', 'partial')) "
                "AND id NOT IN (SELECT match_id FROM reviews)"
            )
            stats.removed += max(cursor.rowcount, 0)
    progress.finish()
    stats.seconds = round(time.perf_counter() - started, 3)
    return stats


# --- running ------------------------------------------------------------------------------------


def _load_refusals(conn: sqlite3.Connection, question_ids: Iterable[int] | None) -> list[dict[str, Any]]:
    sql = """
        SELECT r.question_id, r.label, r.category, r.phrase, r.subject, r.subject_terms, r.period,
               r.period_start, r.period_end, q.date_answered, q.date_tabled, q.heading, q.question_text,
               qd.department_id
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
    """Replace each refusal's matches: delete those no longer produced, upsert the rest."""
    if not batch:
        return
    with write_transaction(db):
        for question_id, rows in batch:
            cursor = db.execute(
                "DELETE FROM matches WHERE question_id = ? AND id NOT IN (SELECT value FROM json_each(?)) "
                "AND id NOT IN (SELECT match_id FROM reviews)",  # a reviewed pair stays with its review
                [question_id, json.dumps([r["id"] for r in rows])],
            )
            stats.removed += max(cursor.rowcount, 0)
        upsert_rows(db, "matches", [row for _, rows in batch for row in rows])


def _worker_path(db: sqlite_utils.Database) -> str | None:
    """The database file, if other processes can read it while this one writes (WAL)."""
    files = [row[2] for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main"]
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if not files or not files[0] or mode.lower() != "wal":
        return None
    if db.conn.in_transaction:
        db.conn.commit()
    return files[0]


_WORKER: _Matcher | None = None


def _init_worker(path: str, options: MatchOptions) -> None:
    global _WORKER
    conn = sqlite3.connect(path, isolation_level=None)  # reads only; TEMP tables are its own
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA temp_store=MEMORY")
    _WORKER = _Matcher(conn, options)


def _work(job: tuple[list[dict[str, Any]], str]) -> list[tuple[int, list[dict], MatchStats]]:
    refusals, matched_at = job
    assert _WORKER is not None
    return [(r["question_id"], *_WORKER.match(r, matched_at)) for r in refusals]


# --- text helpers -------------------------------------------------------------------------------


class _Stemmer:
    """Porter stems exactly as the FTS5 indexes make them (SQLite's own tokenizer), cached by word."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.execute("CREATE VIRTUAL TABLE s USING fts5(w, tokenize='porter')")
        self.conn.execute("CREATE VIRTUAL TABLE si USING fts5vocab(s, instance)")
        self.cache: dict[str, str] = {}

    def words(self, text: str | None) -> list[str]:
        """The stems of ``text``'s words, in order."""
        if not text:
            return []
        words = _WORD.findall(text.lower())
        cache = self.cache
        missing = {w for w in words if w not in cache}
        if missing:
            self._fill(missing)
        return [cache[w] for w in words]

    def _fill(self, words: set[str]) -> None:
        if len(self.cache) > 300_000:
            self.cache.clear()
        ordered = list(words)
        self.conn.execute("DELETE FROM s")
        self.conn.executemany("INSERT INTO s(rowid, w) VALUES (?, ?)", enumerate(ordered, 1))
        first: dict[int, str] = {}
        for term, doc in self.conn.execute("SELECT term, doc FROM si ORDER BY doc, offset"):
            first.setdefault(doc, term)
        for number, word in enumerate(ordered, 1):
            self.cache[word] = first.get(number, word)


class _Text:
    """A text as a string of stems with spaces around each, for term (and phrase) lookups."""

    __slots__ = ("joined",)

    def __init__(self, stems: list[str]):
        self.joined = " " + " ".join(stems) + " "

    def has(self, term: _Term) -> bool:
        joined = self.joined
        return any(key in joined for key in term.keys)


@dataclass
class _Term:
    text: str  # as given
    stems: tuple[str, ...]
    key: str  # " stem stem " for substring lookups
    keys: tuple[str, ...] = ()  # key and the key of its other form (VARIANTS)
    queries: tuple[str, ...] = ()  # the quoted FTS5 phrases: the words as given, and the other form
    idf: float = 1.0  # from the FOI requests index
    idf_answers: float = 1.0  # from the questions index
    common: bool = False  # a generic word, or in more than COMMON_SHARE of the FOI rows
    generic: bool = False  # a word in GENERIC: never queried
    position: int = 0  # in the classifier's list, most specific first


def _day(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for m in _SENTENCE.finditer(text):
        if m.start() > start:
            yield start, text[start : m.start()]
        start = m.end()
    if start < len(text):
        yield start, text[start:]


def _clip(text: str, limit: int = EVIDENCE_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the matcher --------------------------------------------------------------------------------


_REQUEST_SQL = """
    SELECT f.rowid, bm25(foi_requests_fts, 3.0, 1.0) AS s
    FROM foi_requests_fts AS f CROSS JOIN temp.pqm_req AS m ON m.rowid = f.rowid
    WHERE f.foi_requests_fts MATCH :query AND m.dept = :dept
      AND (m.day BETWEEN :lo AND :hi OR (:undated AND m.day IS NULL))
    ORDER BY s LIMIT :limit
"""
_PAGE_SQL = """
    WITH hits AS MATERIALIZED (
        SELECT m.req AS req, f.rowid AS page, bm25(foi_pages_fts) AS s
        FROM foi_pages_fts AS f CROSS JOIN temp.pqm_page AS m ON m.rowid = f.rowid
        WHERE f.foi_pages_fts MATCH :query AND m.dept = :dept
          AND (m.day BETWEEN :lo AND :hi OR (:undated AND m.day IS NULL))
    )
    SELECT req, page, min(s) AS s FROM hits GROUP BY req ORDER BY s LIMIT :limit
"""
_ANSWER_SQL = """
    SELECT f.rowid, bm25(questions_fts, 2.0, 1.0, 2.0) AS s
    FROM questions_fts AS f CROSS JOIN temp.pqm_ans AS m ON m.rowid = f.rowid
    WHERE f.questions_fts MATCH :query AND m.dept = :dept AND m.day BETWEEN :lo AND :hi AND m.rowid != :qid
    ORDER BY s LIMIT :limit
"""


class _Matcher:
    """Matches one refusal at a time against the database behind ``conn``.

    It keeps small per-connection TEMP tables (row id -> department and day) so that the FTS5
    queries are filtered without joining the wide tables, and reads document frequencies from
    ``fts5vocab`` tables over the three indexes.
    """

    def __init__(self, conn: sqlite3.Connection, options: MatchOptions):
        self.conn = conn
        self.options = options
        self.stemmer = _Stemmer()
        self.stop_stems = frozenset(self.stemmer.words(" ".join(STOPWORDS)))
        self.related = {" " + " ".join(self.stemmer.words(k)) + " ": v for k, v in RELATED.items()}
        self.df_cache: dict[tuple[str, str], int] = {}
        self.target_cache: dict[tuple[str, int], dict[str, Any]] = {}
        outcomes = ", ".join(f"'{o}'" for o in sorted(NO_RESPONSE))
        statements = [
            "DROP TABLE IF EXISTS temp.pqm_req",
            "DROP TABLE IF EXISTS temp.pqm_page",
            "DROP TABLE IF EXISTS temp.pqm_ans",
            "DROP TABLE IF EXISTS temp.pqm_dept",
            "CREATE TEMP TABLE pqm_dept (code INTEGER PRIMARY KEY, id TEXT UNIQUE)",
            "CREATE TEMP TABLE pqm_req (rowid INTEGER PRIMARY KEY, dept INTEGER, day INTEGER)",
            "CREATE TEMP TABLE pqm_page (rowid INTEGER PRIMARY KEY, req INTEGER, dept INTEGER, day INTEGER)",
            "CREATE TEMP TABLE pqm_ans (rowid INTEGER PRIMARY KEY, dept INTEGER, day INTEGER)",
            """INSERT INTO temp.pqm_dept (id)
                SELECT id FROM departments UNION SELECT department_id FROM foi_requests
                UNION SELECT department_id FROM department_aliases""",
            f"""INSERT INTO temp.pqm_req
                SELECT r.rowid, d.code,
                       CAST(julianday(coalesce(r.date_responded, r.date_requested)) - 1721424.5 AS INTEGER)
                FROM foi_requests r JOIN temp.pqm_dept d ON d.id = r.department_id
                WHERE coalesce(r.outcome, '') NOT IN ({outcomes})""",
            """INSERT INTO temp.pqm_page
                SELECT p.rowid, m.rowid, m.dept, m.day
                FROM foi_requests r
                JOIN temp.pqm_req m ON m.rowid = r.rowid
                JOIN foi_documents d ON d.request_id = r.id
                JOIN foi_pages p ON p.document_id = d.id
                WHERE d.kind IS NOT 'request'""",
            """INSERT INTO temp.pqm_ans
                SELECT q.id, d.code, CAST(julianday(q.date_answered) - 1721424.5 AS INTEGER)
                FROM refusals r
                JOIN questions q ON q.id = r.question_id
                JOIN question_departments qd ON qd.question_id = q.id
                JOIN temp.pqm_dept d ON d.id = qd.department_id
                WHERE r.label = 'disclosure' AND q.answer_text IS NOT NULL AND q.date_answered IS NOT NULL""",
        ]
        for index in ("foi_requests", "foi_pages", "questions"):
            statements += [
                f"DROP TABLE IF EXISTS temp.pqm_vocab_{index}",
                f"CREATE VIRTUAL TABLE temp.pqm_vocab_{index} USING fts5vocab(main, '{index}_fts', 'row')",
            ]
        for sql in statements:
            conn.execute(sql)
        self.dept_codes = dict(conn.execute("SELECT id, code FROM temp.pqm_dept").fetchall())
        self.rows = {
            "foi_requests": conn.execute("SELECT count(*) FROM foi_requests").fetchone()[0],
            "foi_pages": conn.execute("SELECT count(*) FROM temp.pqm_page").fetchone()[0],
            "questions": conn.execute("SELECT count(*) FROM questions").fetchone()[0],
        }

    def close(self) -> None:
        for name in ("pqm_req", "pqm_page", "pqm_ans", "pqm_dept"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        for index in ("foi_requests", "foi_pages", "questions"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.pqm_vocab_{index}")
        self.stemmer.conn.close()

    # -- terms --

    def _df(self, index: str, stem: str) -> int:
        key = (index, stem)
        found = self.df_cache.get(key)
        if found is None:
            row = self.conn.execute(f"SELECT doc FROM temp.pqm_vocab_{index} WHERE term = ?", [stem]).fetchone()
            found = self.df_cache[key] = row[0] if row else 0
            if len(self.df_cache) > 500_000:
                self.df_cache.clear()
        return found

    def _phrase_df(self, index: str, term: _Term, own: bool = False) -> int:
        """Rows with the term (an upper bound for a phrase): in its own form, or the most in any form."""
        return max(min(self._df(index, s) for s in key.split()) for key in (term.keys[:1] if own else term.keys))

    def terms(self, refusal: dict[str, Any]) -> tuple[list[_Term], str]:
        """The subject's terms with their weights, and where they came from."""
        source = "subject_terms"
        raw: list[str] = []
        try:
            listed = json.loads(refusal["subject_terms"] or "[]")
        except ValueError:
            listed = []
        if isinstance(listed, list):
            raw = [str(t).strip().lower() for t in listed if str(t).strip()]
        if not raw:
            source = "subject" if refusal.get("subject") else "question"
            text = refusal.get("subject") or " ".join(filter(None, [refusal.get("heading"), refusal["question_text"]]))
            raw = [w for w in _WORD.findall((text or "").lower()) if w not in STOPWORDS and not w.isdigit()]
        terms: list[_Term] = []
        seen: set[str] = set()
        for position, text in enumerate(raw):
            words = [w for w in _WORD.findall(text) if not w.isdigit()]
            if not words or (len(words) == 1 and words[0] in STOPWORDS):
                continue
            stems = tuple(self.stemmer.words(" ".join(words)))
            key = " " + " ".join(stems) + " "
            if not stems or key in seen:
                continue
            seen.add(key)
            keys, queries = [key], ['"' + " ".join(words) + '"']
            others = [VARIANTS[stems[0]]] if len(stems) == 1 and stems[0] in VARIANTS else []
            others += self.related.get(key, ())
            for other in others:
                keys.append(" " + " ".join(self.stemmer.words(other)) + " ")
                queries.append(f'"{other}"')
            term = _Term(text=text, stems=stems, key=key, keys=tuple(keys), queries=tuple(queries), position=position)
            n = max(self.rows["foi_requests"], 1)
            df = self._phrase_df("foi_requests", term, own=True)
            term.idf = _idf(df, n)
            term.idf_answers = _idf(self._phrase_df("questions", term, own=True), max(self.rows["questions"], 1))
            term.generic = all(w in GENERIC for w in words)
            term.common = term.generic or (n >= COMMON_MIN_ROWS and df > COMMON_SHARE * n)
            terms.append(term)
            if len(terms) >= 16:
                break
        return terms, source

    def _query(self, index: str, terms: list[_Term], *, pairs: bool = True, rarest_alone: bool = False) -> str | None:
        """The FTS5 query for ``index``: the subject's terms (each with its other form, VARIANTS),
        generic words left out, the rarest first while their rows add up to at most ``QUERY_ROWS``
        (the two rarest always: a common term says little and makes the query slow).

        With ``pairs``, a row must hold two of the terms (``(a AND b) OR (a AND c) OR ...``), or,
        with ``rarest_alone``, the rarest term alone: that ranks and reads far fewer rows than an OR
        of single terms. Without, a plain OR. In both, the two most specific terms weigh double in
        bm25 (a phrase repeated in a query counts twice)."""
        counted = sorted(
            ((self._phrase_df(index, t), t) for t in terms if not t.generic), key=lambda x: (x[0], x[1].position)
        )
        counted = [(df, t) for df, t in counted if df > 0]
        if not counted:
            return None
        chosen, total = [], 0
        for df, term in counted:
            if len(chosen) >= MAX_QUERY_TERMS or (len(chosen) >= 2 and total + df > QUERY_ROWS):
                break
            chosen.append(term)
            total += df
        expression = {id(t): "(" + " OR ".join(t.queries) + ")" if len(t.queries) > 1 else t.queries[0] for t in chosen}
        ordered = sorted(chosen, key=lambda t: t.position)
        if len(chosen) == 1:
            return expression[id(chosen[0])]
        if not pairs:
            return " OR ".join(expression[id(t)] for t in ordered for _ in range(2 if t.position < 2 else 1))
        first, second = (expression[id(t)] for t in ordered[:2])
        clauses = [f"({expression[id(a)]} AND {expression[id(b)]})" for a, b in itertools.combinations(ordered, 2)]
        clauses.append(f"({first} AND {second})")
        if rarest_alone:
            clauses.insert(0, expression[id(chosen[0])])
        return " OR ".join(clauses)

    # -- one refusal --

    def match(self, refusal: dict[str, Any], matched_at: str) -> tuple[list[dict[str, Any]], MatchStats]:
        stats = MatchStats(refusals=1)
        options = self.options
        question_id = refusal["question_id"]
        department = refusal["department_id"]
        answered = _day(refusal["date_answered"]) or _day(refusal["date_tabled"])
        if department is None:
            stats.skipped_no_department = 1
            return [], stats
        if answered is None:
            stats.skipped_no_date = 1
            return [], stats
        terms, terms_source = self.terms(refusal)
        if not terms:
            stats.skipped_no_terms = 1
            return [], stats
        lo, hi = answered - options.days_before, answered + options.days_after
        base = {"dept": self.dept_codes.get(department, -1), "lo": lo, "hi": hi, "limit": options.candidates}
        ranked: dict[tuple[str, int], dict[str, Any]] = {}

        def add(kind: str, hits: list[tuple], source: str) -> None:
            for rank, hit in enumerate(hits, 1):
                entry = ranked.setdefault((kind, hit[0]), {"kind": kind, "rowid": hit[0], "rrf": 0.0})
                entry["rrf"] += 1 / (RRF_K + rank)
                entry[f"{source}_rank"] = rank
                entry[f"{source}_bm25"] = round(hit[-1], 4)
                if source == "pages":
                    entry["page_rowid"] = hit[1]

        queries = {}
        undated = int(options.include_undated)
        if query := self._query("foi_requests", terms, rarest_alone=True):
            queries["foi_requests"] = query
            hits = self.conn.execute(_REQUEST_SQL, {**base, "query": query, "undated": undated}).fetchall()
            add("foi", hits, "title")
        if query := self._query("foi_pages", terms, rarest_alone=False):
            hits = self.conn.execute(_PAGE_SQL, {**base, "query": query, "undated": undated}).fetchall()
            if len(hits) < PAGE_FALLBACK and (wider := self._query("foi_pages", terms, pairs=False)) != query:
                query = wider
                hits = self.conn.execute(_PAGE_SQL, {**base, "query": query, "undated": undated}).fetchall()
            queries["foi_pages"] = query
            add("foi", hits, "pages")
        if options.answers and (query := self._query("questions", terms, rarest_alone=True)):
            queries["questions"] = query
            hits = self.conn.execute(_ANSWER_SQL, {**base, "query": query, "qid": question_id}).fetchall()
            add("answer", hits, "answers")
        candidates = sorted(ranked.values(), key=lambda e: -e["rrf"])[: options.candidates]
        stats.candidates = stats.max_candidates = len(candidates)
        if not candidates:
            return [], stats

        context = _Refusal(refusal, terms, answered, self.stemmer, options, self.stop_stems)
        scored = self._first_pass(context, candidates)
        pool_size = max(POOL, options.keep + 3)
        pool = scored[:pool_size]
        pool += [c for c in scored[pool_size:] if c.get("pages_rank", 99) <= 2 or c.get("answers_rank", 99) <= 2]
        finals = self._second_pass(context, pool)
        finals = [s for s in finals if s["relevance"] >= options.min_score]
        finals.sort(key=lambda s: (-s["score"], s["target"]))
        _corroborate(finals[: options.keep])
        rows = []
        for found in finals[: options.keep]:
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

    def _first_pass(self, refusal: _Refusal, candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Cheap signals for every candidate: terms in the title and request text, similarity, period,
        outcome, time, whether the FOI has figures at all. Returns them best first."""
        info = self._targets(candidates)
        scored = []
        for candidate in candidates:
            m = info.get((candidate["kind"], candidate["rowid"]))
            if m is None:
                continue
            candidate.update(m)
            if candidate["kind"] == "answer":
                candidate["department_id"] = refusal.department  # candidates are from its department only
            first = refusal.quick(candidate)
            if candidate["kind"] == "foi":
                first += WEIGHTS["figures"] * 0.5 * bool(candidate["figure_count"])
                first += 0.1 / (1 + candidate.get("pages_rank", 99))
            else:
                first += WEIGHTS["figures"] * 0.5
            candidate["first"] = first * _factor(candidate)
            scored.append(candidate)
        scored.sort(key=lambda c: -c["first"])
        return scored

    def _targets(self, candidates: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
        """What the first pass needs of each target (its row, documents and figure count, the stems of
        its title and request): read once and kept for the next refusals (``TARGET_CACHE`` of them)."""
        cache = self.target_cache
        missing = [c["rowid"] for c in candidates if c["kind"] == "foi" and ("foi", c["rowid"]) not in cache]
        missing_answers = [
            c["rowid"] for c in candidates if c["kind"] == "answer" and ("answer", c["rowid"]) not in cache
        ]
        meta: dict[tuple[str, int], dict[str, Any]] = {}
        if missing:
            cursor = self.conn.execute(
                "SELECT rowid, id, department_id, authority, title, substr(request_text, 1, 2000), outcome, "
                "coalesce(date_responded, date_requested) FROM foi_requests "
                "WHERE rowid IN (SELECT value FROM json_each(?))",
                [json.dumps(missing)],
            )
            for rowid, rid, dept, authority, title, request_text, outcome, when in cursor:
                meta["foi", rowid] = {
                    "target": rid,
                    "department_id": dept,
                    "authority": authority,
                    "title": title or "",
                    "request_text": request_text or "",
                    "outcome": outcome,
                    "day": _day(when),
                    "date": when,
                }
            documents: dict[str, list[tuple[str, str]]] = {}
            for request_id, doc_id, kind in self.conn.execute(
                "SELECT request_id, id, kind FROM foi_documents WHERE request_id IN (SELECT value FROM json_each(?)) "
                "AND kind IS NOT 'request' ORDER BY request_id, id",
                [json.dumps([m["target"] for m in meta.values()])],
            ):
                documents.setdefault(request_id, []).append((doc_id, kind))
            counts = dict(
                self.conn.execute(
                    "SELECT document_id, count(*) FROM foi_figures WHERE document_id IN "
                    "(SELECT value FROM json_each(?)) GROUP BY document_id",
                    [json.dumps([d for docs in documents.values() for d, _ in docs])],
                ).fetchall()
            )
            for m in meta.values():
                m["documents"] = documents.get(m["target"], [])
                m["figure_count"] = sum(counts.get(d, 0) for d, _ in m["documents"])
        if missing_answers:
            cursor = self.conn.execute(
                "SELECT id, heading, question_text, answer_text, date_answered FROM questions "
                "WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(missing_answers)],
            )
            for qid, heading, question_text, answer_text, answered in cursor:
                meta["answer", qid] = {
                    "target": qid,
                    "title": " ".join(filter(None, [heading, question_text])),
                    "request_text": question_text or "",
                    "answer_text": answer_text or "",
                    "outcome": None,
                    "day": _day(answered),
                    "date": answered,
                }
        stop = self.stop_stems
        for key, m in meta.items():
            title, request = self.stemmer.words(m["title"]), self.stemmer.words(m["request_text"])
            m["title_text"], m["request_stems"] = _Text(title), _Text(request)
            m["title_fuzzy"] = " ".join(w for w in title if w not in stop)
            m["request_fuzzy"] = " ".join([w for w in request[:120] if w not in stop])
            year = date.fromordinal(m["day"]).year if m["day"] else None
            m["years"] = years_in(m["title"] + "\n" + m["request_text"], year)
            cache[key] = m
        found = {key: cache[key] for c in candidates if (key := (c["kind"], c["rowid"])) in cache}
        if len(cache) > TARGET_CACHE:
            for key in list(itertools.islice(cache, len(cache) - TARGET_CACHE // 2)):
                del cache[key]
        return found

    def _second_pass(self, refusal: _Refusal, pool: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The full score of each candidate in ``pool``: its figures and pages read (in a few statements
        for the whole pool), the evidence chosen."""
        fois = [c for c in pool if c["kind"] == "foi"]
        figures = self._figures(fois)
        hit_pages = self._hit_pages(fois)
        wanted: dict[int, list[tuple[str, int]]] = {}
        for candidate in fois:
            groups = candidate["groups"] = _group_figures(figures.get(candidate["rowid"], []))
            for group in groups:
                group["context_text"] = _Text(self.stemmer.words(group["context"] + "\n" + (group["header"] or "")))
                group["context_weight"] = refusal.weight_in([group["context_text"]])
            # pages to read: those with the best-looking figures, and the best full-text hit
            pages: list[tuple[str, int]] = []
            for group in sorted(groups, key=lambda g: -g["context_weight"]):
                if (group["document_id"], group["page"]) not in pages:
                    pages.append((group["document_id"], group["page"]))
                if len(pages) >= MAX_PAGES - 1:
                    break
            hit = hit_pages.get(candidate.get("page_rowid"))
            if hit is None and not groups and candidate["documents"]:
                hit = (candidate["documents"][0][0], 1)
            if hit is not None and hit not in pages:
                pages.append(hit)
            wanted[candidate["rowid"]] = pages
        texts = self._pages([key for pages in wanted.values() for key in pages])
        found = []
        for candidate in pool:
            if candidate["kind"] == "foi":
                pages = {key: texts[key] for key in wanted[candidate["rowid"]] if key in texts}
                evidence = self._foi_evidence(refusal, candidate, pages)
            else:
                evidence = self._answer_evidence(refusal, candidate)
                if evidence is None:
                    continue
            found.append(refusal.score(candidate, evidence))
        return found

    def _figures(self, fois: list[dict[str, Any]]) -> dict[int, list[tuple]]:
        """The figures of each candidate's documents (at most MAX_FIGURES a candidate), by its rowid."""
        owner = {d: c["rowid"] for c in fois if c["figure_count"] for d, _ in c["documents"]}
        small = [c for c in fois if 0 < c["figure_count"] <= MAX_FIGURES]
        found: dict[int, list[tuple]] = {}
        columns = "document_id, page, start, end, value, text, kind, context, header, qualifier, unit"
        if small:
            for row in self.conn.execute(
                f"SELECT {columns} FROM foi_figures WHERE document_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY document_id, page, start",
                [json.dumps([d for c in small for d, _ in c["documents"]])],
            ):
                found.setdefault(owner[row[0]], []).append(row)
        for candidate in fois:
            if candidate["figure_count"] > MAX_FIGURES:
                found[candidate["rowid"]] = self.conn.execute(
                    f"SELECT {columns} FROM foi_figures WHERE document_id IN (SELECT value FROM json_each(?)) "
                    "ORDER BY document_id, page, start LIMIT ?",
                    [json.dumps([d for d, _ in candidate["documents"]]), MAX_FIGURES],
                ).fetchall()
        return found

    def _hit_pages(self, fois: list[dict[str, Any]]) -> dict[int, tuple[str, int]]:
        """(document, page) of the best full-text page of each candidate found through its pages."""
        rowids = [c["page_rowid"] for c in fois if c.get("page_rowid") is not None]
        if not rowids:
            return {}
        cursor = self.conn.execute(
            "SELECT rowid, document_id, page FROM foi_pages WHERE rowid IN (SELECT value FROM json_each(?))",
            [json.dumps(rowids)],
        )
        return {rowid: (document_id, page) for rowid, document_id, page in cursor}

    def _pages(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
        if not keys:
            return {}
        cursor = self.conn.execute(
            "SELECT document_id, page, substr(text, 1, ?) FROM foi_pages "
            "WHERE (document_id, page) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
            "FROM json_each(?))",
            [MAX_PAGE_CHARS, json.dumps(keys)],
        )
        return {(d, p): text or "" for d, p, text in cursor}

    def _foi_evidence(
        self, refusal: _Refusal, candidate: dict[str, Any], pages: dict[tuple[str, int], str]
    ) -> dict[str, Any]:
        groups = candidate["groups"]
        page_texts = [_Text(self.stemmer.words(text[:PAGE_STEM_CHARS])) for text in pages.values()]
        best = None
        for group in groups:
            self._describe(refusal, group, pages.get((group["document_id"], group["page"])))
            if best is None or group["proximity"] > best["proximity"]:
                best = group
        evidence: dict[str, Any] = {"pages": page_texts, "group": None}
        if best is not None and best["proximity"] > 0:
            evidence.update(_group_evidence(best))
            return evidence
        # no figures on the subject: the sentence that best matches it (or the denial)
        cues = candidate["outcome"] in EVIDENCE_KIND
        choice = None
        for (doc_id, page), text in pages.items():
            for _, sentence in _sentences(text[:PAGE_STEM_CHARS]):
                stems = _Text(self.stemmer.words(sentence))
                weight = refusal.weight_in([stems])
                if cues and any(c in sentence.lower() for c in DENIAL_CUES):
                    weight += 0.5
                if weight > 0 and (choice is None or weight > choice[0]):
                    choice = (weight, sentence, doc_id, page, stems)
        if choice is not None:
            evidence.update(text=choice[1], document_id=choice[2], page=choice[3], figures=[], context_text=choice[4])
        else:
            doc_ids = [d for d, _ in candidate["documents"]]
            first = next(iter(pages), None) or ((doc_ids[0], None) if doc_ids else (None, None))
            evidence.update(text=None, document_id=first[0], page=first[1], figures=[], context_text=None)
        evidence["years"] = set()
        evidence["window"] = []
        return evidence

    def _answer_evidence(self, refusal: _Refusal, candidate: dict[str, Any]) -> dict[str, Any] | None:
        text = candidate["answer_text"]
        groups = _group_figures([(None, None, f.start, f.end, *_figure_fields(f)) for f in find_figures(text)])
        if not groups:
            return None
        best = None
        for group in groups:
            self._describe(refusal, group, text)
            if best is None or group["proximity"] > best["proximity"]:
                best = group
        return {"pages": [_Text(self.stemmer.words(text))], **_group_evidence(best)}

    def _describe(self, refusal: _Refusal, group: dict[str, Any], text: str | None) -> None:
        """A figure group's caption (the line above a table's header), the stems of what shows it and
        of the text around it, and its proximity to the subject."""
        caption = _caption(text, group) if text else None
        if caption:
            group["caption"] = caption
            group["evidence_text"] = caption + "\n" + group["evidence_text"]
        shown = "\n".join(filter(None, [caption, group["header"], group["context"]]))
        group["context_text"] = _Text(self.stemmer.words(shown))
        group["shown"] = shown
        group["window"] = []
        if text:
            around = text[max(0, group["start"] - WINDOW_BEFORE) : group["end"] + WINDOW_AFTER]
            group["window"] = [_Text(self.stemmer.words(around))]
        group["proximity"] = refusal.weight_in([group["context_text"]], group["window"])

    def _row(self, refusal: _Refusal, found: dict[str, Any], matched_at: str) -> dict[str, Any]:
        candidate, evidence = found["candidate"], found["evidence"]
        kind = candidate["kind"]
        gap = None if candidate["day"] is None else candidate["day"] - refusal.day
        relation = None if gap is None else ("before" if gap < 0 else "after" if gap > 0 else "same_day")
        return {
            "id": match_id(refusal.question_id, kind, candidate["target"]),
            "question_id": refusal.question_id,
            "target_kind": kind,
            "foi_request_id": candidate["target"] if kind == "foi" else None,
            "foi_document_id": evidence.get("document_id") if kind == "foi" else None,
            "other_question_id": candidate["target"] if kind == "answer" else None,
            "department_id": refusal.department,
            "evidence_kind": found["evidence_kind"],
            "score": round(found["score"], 4),
            "reasons": json.dumps(found["reasons"], ensure_ascii=False),
            "refusal_phrase": refusal.phrase,
            "evidence_text": _clip(evidence["text"]) if evidence.get("text") else None,
            "evidence_page": evidence.get("page"),
            "evidence_figures": json.dumps(
                [{"text": f["text"], "value": f["value"], "context": f["context"]} for f in evidence["figures"]],
                ensure_ascii=False,
            ),
            "time_relation": relation,
            "gap_days": None if gap is None else abs(gap),
            "matcher_version": MATCHER_VERSION,
            "matched_at": matched_at,
        }


def _corroborate(kept: list[dict[str, Any]]) -> None:
    """A refusal contradicted by several independent releases (FOIs, or answers that gave the
    figures) is a stronger case than one contradicted once: each of its disclosures gains
    ``CORROBORATION_STEP`` per other disclosure, up to ``CORROBORATION_MAX`` of them."""
    disclosures = [f for f in kept if f["evidence_kind"] in ("disclosure", "answer")]
    others = min(len(disclosures) - 1, CORROBORATION_MAX)
    if others <= 0:
        return
    bonus = CORROBORATION_STEP * others
    for found in disclosures:
        found["score"] += bonus
        found["reasons"].setdefault("rules", {})["corroboration"] = {"others": others, "contribution": bonus}


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _factor(candidate: dict[str, Any]) -> float:
    return DENIAL_FACTOR if candidate.get("outcome") in EVIDENCE_KIND else 1.0


def _figure_fields(f: Figure) -> tuple:
    return (f.value, f.text, f.kind, f.context, f.header, f.qualifier, f.unit)


def _group_evidence(group: dict[str, Any]) -> dict[str, Any]:
    return {
        "group": group,
        "text": group["evidence_text"],
        "document_id": group["document_id"],
        "page": group["page"],
        "figures": group["figures"],
        "context_text": group["context_text"],
        "window": group["window"],
        "years": years_in(group["shown"]),
    }


def _caption(text: str, group: dict[str, Any]) -> str | None:
    """The line just above a table's header row, when it is text (``Table 1: ...``)."""
    if not group["header"]:
        return None
    at = text.rfind(group["header"], 0, group["start"])
    if at <= 0:
        return None
    before = text[:at].rstrip()
    line = before[before.rfind("\n") + 1 :].strip()
    return line if line and " | " not in line and len(line) <= 300 else None


def _group_figures(figures: list[tuple]) -> list[dict[str, Any]]:
    """Figures by what shows them: one sentence, or the rows of one table (same header on a page)."""
    groups: dict[tuple, dict[str, Any]] = {}
    for document_id, page, start, end, value, text, kind, context, header, _qualifier, _unit in figures:
        context = context or ""
        key = (document_id, page, "table", header) if kind == "table" and header else (document_id, page, context)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "document_id": document_id,
                "page": page,
                "start": start,
                "end": end,
                "header": header if kind == "table" else None,
                "rows": [],
                "figures": [],
            }
        if context not in group["rows"]:
            group["rows"].append(context)
        group["end"] = max(group["end"], end)
        if len(group["figures"]) < 20:
            group["figures"].append({"text": text, "value": value, "context": context})
    for group in groups.values():
        shown = group["rows"][:12]
        group["context"] = "\n".join(group["rows"][:40])
        lines = ([group["header"]] if group["header"] else []) + shown
        if len(group["rows"]) > len(shown):
            lines.append(f"… ({len(group['rows']) - len(shown)} more rows)")
        group["evidence_text"] = "\n".join(lines)
    return list(groups.values())


class _Refusal:
    """One refusal being matched: its terms, date, period and the rules that compare it with a target."""

    def __init__(
        self,
        refusal: dict[str, Any],
        terms: list[_Term],
        day: int,
        stemmer: _Stemmer,
        options: MatchOptions,
        stop_stems: frozenset[str],
    ):
        self.days_before, self.days_after = options.days_before, options.days_after
        self.question_id = refusal["question_id"]
        self.department = refusal["department_id"]
        self.phrase = refusal["phrase"]
        self.terms = terms
        self.day = day
        self.year = date.fromordinal(day).year
        subject = refusal["subject"] or refusal["heading"] or ""
        self.subject_stems = " ".join(s for s in stemmer.words(subject) if s not in stop_stems)
        if not self.subject_stems:
            self.subject_stems = " ".join(" ".join(t.stems) for t in terms)
        self.years = self._years(refusal)
        self.total_idf = sum(t.idf for t in terms) or 1.0
        # the most specific term (the first listed that is not a generic word): a target without it,
        # and without most of the other terms, is probably about a neighbouring subject
        self.lead = min((t for t in terms if not t.generic), key=lambda t: t.position, default=None)

    def _years(self, refusal: dict[str, Any]) -> set[int]:
        start, end = refusal.get("period_start"), refusal.get("period_end")
        if start or end:
            first, last = ascii_int((start or end)[:4]), ascii_int((end or start)[:4])
            if first is not None and last is not None and first <= last <= first + 30:
                return set(range(first, last + 1))
        text = " ".join(filter(None, [refusal.get("period"), refusal.get("subject"), refusal.get("question_text")]))
        return {y for y in years_in(text, self.year) if y <= self.year + 1}

    def weight_in(self, full: list[_Text], partial: Iterable[_Text] = ()) -> float:
        """The IDF-weighted share of the terms found in ``full`` texts (1.0) or ``partial`` ones (0.6)."""
        partial = list(partial)
        total = 0.0
        for term in self.terms:
            if any(t.has(term) for t in full):
                total += term.idf
            elif any(t.has(term) for t in partial):
                total += 0.6 * term.idf
        return total / self.total_idf

    def _idf(self, term: _Term, candidate: dict[str, Any]) -> float:
        return term.idf if candidate["kind"] == "foi" else term.idf_answers

    def _term_hits(self, candidate: dict[str, Any], evidence: dict[str, Any] | None) -> list[dict[str, Any]]:
        hits = []
        for term in self.terms:
            where, credit = [], 0.0
            if candidate["title_text"].has(term):
                where.append("title" if candidate["kind"] == "foi" else "question")
                credit = 1.0
            if candidate["request_stems"].has(term):
                where.append("request" if candidate["kind"] == "foi" else "question_text")
                credit = 1.0
            if evidence is not None:
                if evidence.get("context_text") is not None and evidence["context_text"].has(term):
                    where.append("evidence")
                    credit = 1.0
                elif any(t.has(term) for t in evidence.get("window", [])):
                    where.append("near_evidence")
                    credit = max(credit, 0.7)
                elif any(t.has(term) for t in evidence.get("pages", [])):
                    where.append("page")
                    credit = max(credit, 0.5)
            hits.append(
                {"term": term.text, "idf": round(self._idf(term, candidate), 3), "credit": credit, "where": where}
            )
        return hits

    def quick(self, candidate: dict[str, Any]) -> float:
        """The first-pass score: the rules of ``_rules`` on the title and request text only, without
        the reasons (it runs for every candidate)."""
        found, total, specific, lead = 0.0, 0.0, 0, 0.0
        title, request = candidate["title_text"], candidate["request_stems"]
        answer = candidate["kind"] == "answer"
        for term in self.terms:
            idf = term.idf_answers if answer else term.idf
            total += idf
            if title.has(term) or request.has(term):
                found += idf
                specific += not term.common
            elif term is self.lead:
                lead = WEIGHTS["lead_missing"] / 2  # it may still be in the pages
        coverage = found / (total or 1.0)
        if coverage >= LEAD_COVERAGE:
            lead = 0.0
        score = WEIGHTS["terms"] * coverage + WEIGHTS["similarity"] * self._similarity(candidate)[0]
        if self.years and candidate["years"]:
            overlap = len(self.years & candidate["years"]) / len(self.years)
            score += WEIGHTS["period"] * overlap * coverage if overlap else WEIGHTS["period_mismatch"]
        if answer or candidate["outcome"] in DISCLOSED:
            score += WEIGHTS["outcome"] * coverage
        score += self._time(candidate, coverage)[1]
        score += self._generic(specific) + lead
        return score

    def _similarity(self, candidate: dict[str, Any]) -> tuple[float, float, float]:
        title, request = candidate["title_fuzzy"], candidate["request_fuzzy"]
        title_ratio = fuzz.token_set_ratio(self.subject_stems, title) if title else 0.0
        request_ratio = fuzz.token_set_ratio(self.subject_stems, request) if request else 0.0
        return max(title_ratio, 0.85 * request_ratio) / 100, title_ratio, request_ratio

    def _time(self, candidate: dict[str, Any], coverage: float) -> tuple[int | None, float]:
        if candidate["day"] is None:
            return None, WEIGHTS["undated"]
        gap = candidate["day"] - self.day
        side = (self.days_before if gap < 0 else self.days_after) or 1
        return gap, WEIGHTS["time"] * max(0.0, 1 - abs(gap) / side) * coverage

    def _generic(self, specific: int) -> float:
        if not specific:
            return WEIGHTS["generic_none"]
        if specific == 1 and len(self.terms) >= 3:
            return WEIGHTS["generic_one"]
        return 0.0

    def _rules(self, candidate: dict[str, Any], evidence: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
        hits = self._term_hits(candidate, evidence)
        total = sum(h["idf"] for h in hits) or 1.0
        coverage = sum(h["idf"] * h["credit"] for h in hits) / total
        rules: dict[str, dict[str, Any]] = {
            "terms": {"value": round(coverage, 3), "contribution": WEIGHTS["terms"] * coverage, "hits": hits}
        }
        similarity, title_ratio, request_ratio = self._similarity(candidate)
        rules["similarity"] = {
            "value": round(similarity, 3),
            "title_ratio": round(title_ratio, 1),
            "request_ratio": round(request_ratio, 1),
            "contribution": WEIGHTS["similarity"] * similarity,
        }
        foi_years = candidate["years"]
        if evidence is not None:
            foi_years = foi_years | evidence.get("years", set())
        if self.years and foi_years:
            overlap = len(self.years & foi_years) / len(self.years)
            contribution = WEIGHTS["period"] * overlap * coverage if overlap else WEIGHTS["period_mismatch"]
        else:
            overlap, contribution = None, 0.0
        rules["period"] = {
            "asked": sorted(self.years),
            "target": sorted(foi_years),
            "value": None if overlap is None else round(overlap, 3),
            "contribution": contribution,
        }
        outcome = candidate["outcome"]
        disclosed = candidate["kind"] == "answer" or outcome in DISCLOSED
        rules["outcome"] = {
            "outcome": outcome if candidate["kind"] == "foi" else "answer",
            "contribution": WEIGHTS["outcome"] * coverage if disclosed else 0.0,
        }
        gap, contribution = self._time(candidate, coverage)
        rules["time"] = {"gap_days": gap, "contribution": contribution}
        specific = [h["term"] for h, t in zip(hits, self.terms, strict=True) if h["credit"] > 0 and not t.common]
        rules["generic"] = {"specific_shared": specific, "contribution": self._generic(len(specific))}
        if self.lead is not None:
            missing = not hits[self.terms.index(self.lead)]["credit"] and coverage < LEAD_COVERAGE
            rules["lead"] = {"term": self.lead.text, "contribution": WEIGHTS["lead_missing"] if missing else 0.0}
        return rules

    def score(self, candidate: dict[str, Any], evidence: dict[str, Any]) -> dict[str, Any]:
        rules = self._rules(candidate, evidence)
        group = evidence.get("group")
        proximity = group["proximity"] if group is not None else 0.0
        rules["figures"] = {
            "value": round(proximity, 3),
            "count": len(evidence["figures"]),
            "contribution": WEIGHTS["figures"] * proximity,
        }
        total = sum(r["contribution"] for r in rules.values())
        factor = _factor(candidate)
        evidence_kind = (
            "answer" if candidate["kind"] == "answer" else EVIDENCE_KIND.get(candidate["outcome"], "disclosure")
        )
        if factor != 1.0:
            rules["denial"] = {"factor": factor, "contribution": round(total * factor - total, 4)}
        for rule in rules.values():
            rule["contribution"] = round(rule["contribution"], 4)
        reasons = {
            "terms": rules["terms"].pop("hits"),
            "rules": rules,
            "department": {"id": self.department, "authority": candidate.get("authority")},
            "retrieval": {
                k: candidate[k]
                for k in ("title_rank", "title_bm25", "pages_rank", "pages_bm25", "answers_rank", "answers_bm25")
                if k in candidate
            },
        }
        return {
            "score": max(total * factor, 0.0),
            "relevance": total,
            "target": str(candidate["target"]),
            "candidate": candidate,
            "evidence": evidence,
            "evidence_kind": evidence_kind,
            "reasons": reasons,
        }
