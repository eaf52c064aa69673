"""Full-text search over the matched pairs, the written answers and the FOI disclosures.

The user's words are turned into an FTS5 query by :func:`fts_query` (never pasted into SQL: the
query is a bound parameter), then each kind is ranked by bm25 in two steps: the ids and ranks of
one page of hits, then the snippets of those rows only (a snippet for every hit of a common word
would cost more than the search).

Ranking: answers by bm25 over heading, question and answer; FOI requests by the better of their
title/request text and the text of their pages; pairs by one bm25 over their own text
(``matches.pair_text``: both sides' words, kept by the matcher), so a pair is found when the words
are spread over its two sides, weighted by the matcher's score.

Filters by department and dates are asked of each index with the words (its ``scope`` column of
department and year tokens, :meth:`_Scope.match`), then checked exactly on the rows found: a
filtered search reads the rows with the words in those departments and years, however many other
rows have the words.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlite_utils

from .db import FTS_KEYS, PAIRED_THROUGH, SCOPE_INITIAL, VERSIONED, paired_version, scope_token, table_versions
from .errors import BadInput, PqcheckError
from .pairs import (
    LATEST_REVIEW,
    PairQuery,
    ReportFilters,
    check_categories,
    department_names,
    pair_rows,
    question_url,
)
from .vocabulary import REFUSAL_LABELS, SEARCH_KINDS

MARK_START, MARK_END = "\ue000", "\ue001"  # around the matched terms in a snippet (see split_marks)
SNIPPET_TOKENS = 24
COUNT_CAP = 1000  # totals are counted up to this many hits
# Of a word in hundreds of thousands of rows, ranking every hit would take seconds; each index reads
# at most this many hits (those stored last), without bm25 when there are more (see _rank), and the
# results say so (SearchResults.windowed).
RANK_WINDOW = 2_000
MAX_LIMIT = 500
CACHE_HITS = 10_000  # hits a SearchCache keeps: some 60 MB if all were pairs (a pair hit carries its row)
# Each word is one more index lookup joined to the others: 1,200 words took 34 s. A search is refused
# beyond these, and may be given a time limit (the web's), checked every PROGRESS_STEPS SQLite steps.
MAX_WORDS = 32
MAX_CHARS = 500
PROGRESS_STEPS = 1000
# A filter by department and dates is asked of the index with the words (its ``scope`` column, see
# pqcheck.db): a date range closed at both ends by its years when it spans at most SCOPE_YEARS; each
# department with each year when that makes at most SCOPE_TOKENS tokens, else the departments alone.
SCOPE_YEARS = 50
SCOPE_TOKENS = 200
NOWHERE = SCOPE_INITIAL + "nowhere"  # a scope token no row has: a department filter no row of an index passes
PAIR_HIT_DETAILS = (  # in a pair hit's JSON
    "score",
    "category",
    "label",
    "verdict",
    "question_id",
    "foi_id",
    "uin",
    "evidence_kind",
    "said",
    "evidence_link",
)

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


class SearchTooSlow(PqcheckError):
    """A search ran past its time limit and was stopped."""


@dataclass(frozen=True)
class SearchFilters:
    """Filters of a search. ``departments``, dates and ``categories`` apply to every kind they can
    (dates: when the answer was given, when the FOI was answered; categories: the refusal category
    of the answer); ``verdicts`` and ``min_score`` apply to pairs only."""

    departments: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    min_score: float = 0.0

    @classmethod
    def of_report(cls, filters: ReportFilters) -> SearchFilters:
        """The search filters that select what a report's filters select."""
        return cls(
            departments=filters.departments,
            date_from=filters.date_from,
            date_to=filters.date_to,
            categories=filters.categories,
            verdicts=filters.verdicts,
            min_score=filters.min_score,
        )

    def report_filters(self) -> ReportFilters:
        """The report filters of the pairs this search may find."""
        return ReportFilters(
            departments=self.departments,
            date_from=self.date_from,
            date_to=self.date_to,
            categories=self.categories,
            min_score=self.min_score,
            verdicts=self.verdicts,
        )


@dataclass
class Hit:
    kind: str  # pair, answer, foi
    id: str  # match id, question id, FOI request id
    rank: float  # bm25: lower is better
    title: str
    snippet: str  # with MARK_START/MARK_END around the matched terms
    date: str | None = None
    department_id: str | None = None
    department: str | None = None
    url: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # kind-specific fields (see search())


@dataclass
class SearchResults:
    query: str
    fts: str  # the FTS5 query run
    hits: dict[str, list[Hit]]  # kind -> one page of hits, best first
    totals: dict[str, int]  # kind -> hits in all (counted up to COUNT_CAP)
    capped: dict[str, bool]  # kind -> total reached COUNT_CAP
    windowed: dict[str, bool] = field(default_factory=dict)  # kind -> ranked within the latest hits only
    # kind -> the versions of the tables its hits were read from (searched with a cache only): the
    # same words, filters and page at the same versions give the same hits
    versions: dict[str, tuple] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# the query


def fts_query(text: str) -> str:
    """The FTS5 query for what a user typed: every word must appear (in any order), ``"a phrase"``
    as written, ``a OR b`` either, ``-word`` or ``NOT word`` must not, and ``word*`` matches words
    that start with it. Anything else (punctuation, FTS5 syntax, column names) is read as words, so
    the result is always a valid query. Raises :class:`BadInput` when nothing is left to search for,
    or for more than MAX_WORDS words or MAX_CHARS characters.
    """
    _check_size(text or "")
    groups: list[list[str]] = []  # terms that must all appear; each a list of alternatives
    excluded: list[str] = []
    either = negate = False
    for match in _TOKEN.finditer(text or ""):
        phrase, bare = match.group(1), match.group(2)
        if bare in ("OR", "AND", "NOT"):
            either, negate = bare == "OR" and bool(groups), bare == "NOT"
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negate, bare = True, bare[1:]
        words = _WORD.findall(phrase if phrase is not None else bare)
        if words:
            if phrase is not None or len(words) > 1:  # a phrase, or a word with punctuation in it: C-section
                term = '"' + " ".join(words) + '"'
            else:
                term = f'"{words[0]}"' + ("*" if bare.endswith("*") else "")
            if negate:
                excluded.append(term)
            elif either:
                groups[-1].append(term)
            else:
                groups.append([term])
        either = negate = False
    if not groups:
        if excluded:
            raise BadInput("a search needs at least one word that is not excluded (with - or NOT)")
        raise BadInput("nothing to search for: give one or more words, or a phrase in double quotes")
    query = " AND ".join(g[0] if len(g) == 1 else f"({' OR '.join(g)})" for g in groups)
    if excluded:
        query = f"({query})" + "".join(f" NOT {term}" for term in excluded)
    return query


def _check_size(text: str) -> None:
    """Raise :class:`BadInput` when ``text`` is too long a search."""
    if len(text) > MAX_CHARS:
        raise BadInput(f"a search can be at most {MAX_CHARS} characters long (this one has {len(text):,}): narrow it")
    words = len(_WORD.findall(text))
    if words > MAX_WORDS:
        raise BadInput(f"a search can have at most {MAX_WORDS} words (this one has {words:,}): narrow it")


def split_marks(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet without its marks, and the (start, end) of each marked part."""
    text, spans, start = [], [], None
    length = 0
    for part in re.split(f"([{MARK_START}{MARK_END}])", snippet):
        if part == MARK_START:
            start = length
        elif part == MARK_END:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            text.append(part)
            length += len(part)
    return "".join(text), spans


def hit_json(hit: Hit) -> dict[str, Any]:
    """A hit as ``pqcheck search --json`` and ``/search.json`` give it: its fields, the snippet
    without marks and the (start, end) of each ``highlights``, and its kind's details both as
    ``details`` and beside the fields (of a pair, the PAIR_HIT_DETAILS of its row)."""
    text, spans = split_marks(hit.snippet)
    details = hit.details
    if hit.kind == "pair":
        details = {k: details[k] for k in PAIR_HIT_DETAILS}
    return {
        "kind": hit.kind,
        "id": hit.id,
        "rank": hit.rank,
        "title": hit.title,
        "snippet": text,
        "highlights": spans,
        "date": hit.date,
        "department_id": hit.department_id,
        "department": hit.department,
        "url": hit.url,
        "details": details,
        **details,
    }


def results_json(results: SearchResults) -> dict[str, Any]:
    """The results as JSON: the query, the FTS5 query run, the totals, and each kind's hits."""
    return {
        "query": results.query,
        "fts_query": results.fts,
        "totals": results.totals,
        "hits": {kind: [hit_json(hit) for hit in hits] for kind, hits in results.hits.items()},
    }


# ---------------------------------------------------------------------------------------------
# searching


def search(
    db: sqlite_utils.Database,
    text: str,
    filters: SearchFilters = SearchFilters(),  # frozen: one shared default is safe
    *,
    kinds: tuple[str, ...] = SEARCH_KINDS,
    limit: int = 20,
    offset: int = 0,
    seconds: float | None = None,
    cache: SearchCache | None = None,
) -> SearchResults:
    """Search ``kinds`` for ``text``; ``limit`` hits of each kind from ``offset``, best first.
    With ``seconds``, a search that runs longer is stopped: :class:`SearchTooSlow`. With
    ``cache``, each kind's hits are kept there and given again while what they were read from is
    unchanged.

    Pair hits carry in ``details`` the pair row of :func:`pqcheck.pairs.pair_rows` (score,
    category, verdict, the question and the FOI); answer hits the UIN, label and category; FOI hits
    the authority, outcome and the matched document.
    """
    for kind in kinds:
        if kind not in SEARCH_KINDS:
            raise BadInput(f"unknown kind '{kind}': use one or more of {', '.join(SEARCH_KINDS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInput(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise BadInput("offset must not be negative")
    fts = fts_query(text)
    with _time_limit(db, seconds):
        return _run(db, text, fts, filters, kinds, limit, offset, cache)


@contextmanager
def _time_limit(db: sqlite_utils.Database, seconds: float | None) -> Iterator[None]:
    """Stop the statements run inside after ``seconds`` (SQLite's progress handler): SearchTooSlow."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    db.conn.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        raise SearchTooSlow(
            f"the search took longer than {seconds:g} s and was stopped: narrow it (fewer or rarer words, a filter)"
        ) from exc
    finally:
        db.conn.set_progress_handler(None, 0)


def _run(db, text: str, fts: str, filters: SearchFilters, kinds, limit: int, offset: int, cache) -> SearchResults:
    """:func:`search`, its arguments checked."""
    # The versions first, before the scope (department names and ids) is read: a write to what it is
    # read from, after them, finds its hits kept under versions that are already stale.
    read_at = {kind: table_versions(db, _READS[kind]) for kind in kinds} if cache is not None else {}
    scope = _Scope.build(db, filters)
    results = SearchResults(query=text, fts=fts, hits={}, totals={}, capped={}, windowed={})
    words = _text_only(fts)
    try:
        for kind in kinds:
            versions = read_at.get(kind)
            hits, total, windowed = _kind_hits(db, kind, words, scope, limit, offset, cache, versions)
            results.hits[kind] = hits
            results.totals[kind] = total
            results.capped[kind] = total >= COUNT_CAP
            results.windowed[kind] = windowed
            if versions is not None:
                results.versions[kind] = versions
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc) or "MATCH" in str(exc):
            raise BadInput(f"the search '{text}' could not be run ({exc}); try plain words or a quoted phrase") from exc
        raise
    return results


def _kind_hits(
    db, kind: str, fts: str, scope: _Scope, limit: int, offset: int, cache, versions: tuple | None
) -> tuple[list[Hit], int, bool]:
    """One page of ``kind``'s hits, their total and whether they were ranked within a window: from
    ``cache`` when it holds them at ``versions`` (what its tables had before anything was read),
    else searched (and kept under them)."""
    key = None
    if cache is not None:
        key = (kind, fts, scope.filters, scope.department_ids, scope.body_ids, limit, offset)
        found = cache.get(key, versions)
        if found is not None:
            return found
    crowded = frozenset(t for t in _INDEXES[kind] if _more_than(db, t, fts, RANK_WINDOW))
    hits, total = _RUNNERS[kind](db, fts, replace(scope, crowded=crowded), limit, offset)
    found = (hits, total, bool(crowded))
    if key is not None:
        cache.put(key, versions, found)
    return found


class SearchCache:
    """The hits of each kind of recent searches, each kept with the versions the tables it was read
    from had then (:func:`pqcheck.db.table_versions`): a search given the same words, filters and
    page while those tables keep those versions is given the same hits; any write to one of them
    makes them stale, and the next search of the page replaces them (a page is held once, at its
    latest versions: stale pages never crowd out current ones). It holds at most ``hits`` hits (a
    pair's carry its row: some kB each), the least recently used pages dropped first; safe to share
    between threads. A value is any tuple whose first item is the page's list of hits (what is
    counted): the web keeps the rendered pages of hits in one of its own."""

    def __init__(self, hits: int = CACHE_HITS) -> None:
        self.hits = hits
        self._held: OrderedDict[tuple, tuple[tuple, tuple]] = OrderedDict()
        self._count = 0  # hits held (a page without any counts one)
        self._lock = threading.Lock()

    def get(self, key: tuple, versions: tuple) -> tuple | None:
        """The value held for ``key`` if it was read at ``versions``."""
        with self._lock:
            held = self._held.get(key)
            if held is None or held[0] != versions:
                return None
            self._held.move_to_end(key)
            return held[1]

    def put(self, key: tuple, versions: tuple, found: tuple) -> None:
        with self._lock:
            if key in self._held:
                self._count -= _weight(self._held.pop(key)[1])
            self._held[key] = (versions, found)
            self._count += _weight(found)
            while self._count > self.hits and self._held:
                self._count -= _weight(self._held.popitem(last=False)[1][1])


def _weight(found: tuple) -> int:
    return max(1, len(found[0]))


def _text_only(fts: str) -> str:
    """``fts`` looked for in the indexed text only, never among the scope tokens, when one of its
    words could be one (could start with SCOPE_INITIAL once folded as FTS5 folds it): a column
    filter costs some 5 % of a search, so only then."""
    if re.search(f"[{SCOPE_INITIAL}{SCOPE_INITIAL.upper()}]|[^\\x00-\\x7f]", fts):
        return f"- {{scope}} : ({fts})"
    return fts


@dataclass
class _Scope:
    """The filters resolved: department ids, ISO dates, and the pair conditions of the report."""

    filters: SearchFilters
    department_ids: tuple[str, ...]
    categories: tuple[str, ...]
    date_from: str | None
    date_to: str | None
    pair_query: PairQuery
    names: dict[str, str]
    body_ids: tuple[str, ...] = ()  # the answering bodies of department_ids (what an answer's scope names)
    crowded: frozenset[str] = frozenset()  # indexes where the words are in more than RANK_WINDOW rows (per kind)

    @classmethod
    def build(cls, db: sqlite_utils.Database, filters: SearchFilters) -> _Scope:
        names = department_names(db)
        query = PairQuery.build(db, filters.report_filters())
        bodies = ()
        if query.department_ids:
            bodies = tuple(
                row[0]
                for row in db.execute(
                    "SELECT substr(alias, 6) FROM department_aliases WHERE alias LIKE 'body:%' "
                    "AND department_id IN (SELECT value FROM json_each(?))",
                    [json.dumps(query.department_ids)],
                )
            )
        return cls(
            filters=filters,
            department_ids=query.department_ids,
            categories=check_categories(filters.categories),
            date_from=query.date_from,
            date_to=query.date_to,
            pair_query=query,
            names=names,
            body_ids=bodies,
        )

    def match(self, table: str, fts: str) -> str:
        """The FTS5 query of ``table``'s index: the words, AND the scope tokens of the filters when
        there are any. The tokens select every row that can pass the filters (and others: the
        filters themselves are checked after), so the rows read are those of the words in the
        filtered departments and years, not every row with the words."""
        tokens = self.scope_tokens(table)
        return f"({fts}) AND scope : ({' OR '.join(tokens)})" if tokens else fts

    def scope_tokens(self, table: str) -> list[str]:
        """The scope tokens of ``table``'s rows that can pass the department and date filters
        (none: the index is read by the words alone)."""
        years: list[int] = []
        if self.date_from and self.date_to:
            first, last = int(self.date_from[:4]), int(self.date_to[:4])
            years = list(range(first, last + 1)) if last - first < SCOPE_YEARS else []
        if not self.department_ids:
            return [scope_token("year", year=year) for year in years]
        keys = [("department", d) for d in self.department_ids if table != "questions"]
        keys += [("body", b) for b in self.body_ids if table in ("questions", "matches")]
        if not keys:
            return [NOWHERE]
        if years and len(keys) * len(years) <= SCOPE_TOKENS:
            return [scope_token(kind, key, year) for kind, key in keys for year in years]
        return [scope_token(kind, key) for kind, key in keys]

    def answer_where(self) -> tuple[str, list[Any]]:
        where, params = [], []
        if self.department_ids:
            where.append(f"qd.department_id IN ({', '.join('?' * len(self.department_ids))})")
            params += self.department_ids
        for op, value in ((">=", self.date_from), ("<=", self.date_to)):
            if value:
                where.append(f"q.date_answered {op} ?")
                params.append(value)
        if self.categories:
            where.append(f"r.label IN {REFUSAL_LABELS!r} AND r.category IN ({', '.join('?' * len(self.categories))})")
            params += self.categories
        return " AND ".join(where) or "1", params

    def foi_where(self) -> tuple[str, list[Any]]:
        """The conditions on an FOI hit's keys ``k`` (its request's department and date, see FTS_KEYS)."""
        where, params = [], []
        if self.department_ids:
            where.append(f"k.department_id IN ({', '.join('?' * len(self.department_ids))})")
            params += self.department_ids
        for op, value in ((">=", self.date_from), ("<=", self.date_to)):
            if value:
                where.append(f"k.date {op} ?")
                params.append(value)
        return " AND ".join(where) or "1", params


def _window(select: str, rowid: str, size: int = RANK_WINDOW) -> str:
    """``select`` limited to its ``size`` hits most recently stored (highest rowid), which FTS5
    reads in rowid order and stops: bm25 is computed for those only."""
    return f"SELECT * FROM ({select} ORDER BY {rowid} DESC LIMIT {int(size)})"


_INDEXES = {
    "pairs": ("matches",),
    "answers": ("questions",),
    "foi": ("foi_requests", "foi_pages"),
}
# What each kind's hits are read from (pqcheck.db.VERSIONED; the indexes and keys tables are made
# from these): SearchCache gives a kind's hits again only while none of them has changed.
_READS = {
    "answers": ("questions", "refusals", "departments", "department_aliases", "answering_bodies"),
    "foi": ("foi_requests", "foi_documents", "foi_pages", "departments", "department_aliases", "answering_bodies"),
    # a pair shows its question and refusal rows: only a write to a paired one changes what it shows
    "pairs": (*(t for t in VERSIONED if t not in PAIRED_THROUGH), *map(paired_version, PAIRED_THROUGH)),
}


_BM25 = {  # the scope column weighs nothing: its tokens select rows, they do not rank them
    "questions": "bm25(questions_fts, 4.0, 2.0, 1.0, 0.0)",
    "foi_requests": "bm25(foi_requests_fts, 3.0, 1.0, 0.0)",
    "foi_pages": "bm25(foi_pages_fts, 1.0, 0.0)",
    "matches": "bm25(matches_fts, 1.0, 0.0)",
}


def _rank(table: str, crowded: frozenset[str]) -> str:
    """The rank of a hit of ``table``'s index: bm25, or 0 when the words are in more rows than
    RANK_WINDOW (bm25 would count every one of them for its weights; the latest hits are kept in
    the order they were stored, and pairs by the matcher's score)."""
    return "0" if table in crowded else _BM25[table]


def _more_than(db: sqlite_utils.Database, table: str, fts: str, size: int) -> bool:
    """More than ``size`` rows of ``table``'s index match (counting stops there; no bm25)."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM [{table}_fts] WHERE [{table}_fts] MATCH ? LIMIT {int(size) + 1})"
    return db.execute(sql, [fts]).fetchone()[0] > size


def _ranked(db: sqlite_utils.Database, sql: str, params: list[Any], limit: int, offset: int) -> tuple[list, int]:
    """One page of the rows of ``sql`` (ordered), and how many rows there are up to COUNT_CAP (or
    up to the page's end): one query for both, as counting apart would rank everything twice."""
    rows = db.execute(f"{sql} LIMIT ?", [*params, max(COUNT_CAP, offset + limit)]).fetchall()
    return rows[offset : offset + limit], len(rows)


def _snippets(db: sqlite_utils.Database, table: str, fts: str, rowids: list[int]) -> dict[int, str]:
    """FTS5 snippets of the rows ``rowids`` of ``table``'s index."""
    if not rowids:
        return {}
    sql = (
        f"SELECT rowid, snippet([{table}_fts], -1, ?, ?, '…', ?) FROM [{table}_fts] "
        f"WHERE [{table}_fts] MATCH ? AND rowid IN ({', '.join('?' * len(rowids))})"
    )
    return dict(db.execute(sql, [MARK_START, MARK_END, SNIPPET_TOKENS, fts, *rowids]).fetchall())


def _search_answers(db, fts: str, scope: _Scope, limit: int, offset: int) -> tuple[list[Hit], int]:
    where, params = scope.answer_where()
    # An answer's rowid is its id: its row is read only to test a filter.
    base = f"""SELECT questions_fts.rowid AS id, {_rank("questions", scope.crowded)} AS rank FROM questions_fts
        WHERE questions_fts MATCH ?"""
    if params:
        base = f"""SELECT q.id, {_rank("questions", scope.crowded)} AS rank
        FROM questions_fts JOIN questions q ON q.id = questions_fts.rowid
        LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
        LEFT JOIN refusals r ON r.question_id = q.id
        WHERE questions_fts MATCH ? AND {where}"""
    ranked, total = _ranked(
        db,
        f"{_window(base, 'questions_fts.rowid')} ORDER BY rank, id DESC",
        [scope.match("questions", fts), *params],
        limit,
        offset,
    )
    ids = [row[0] for row in ranked]
    snippets = _snippets(db, "questions", fts, ids)
    details = {
        row[0]: row
        for row in db.execute(
            f"""SELECT q.id, q.uin, q.heading, q.date_answered, q.date_tabled, q.answer_status, q.url,
                       qd.department_id, q.answering_body_name, r.label, r.category
                FROM questions q LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
                LEFT JOIN refusals r ON r.question_id = q.id
                WHERE q.id IN ({", ".join("?" * len(ids))})""",
            ids,
        )
    }
    hits = []
    for question_id, rank in ranked:
        _, uin, heading, answered, tabled, status, url, dept, body, label, category = details[question_id]
        hits.append(
            Hit(
                kind="answer",
                id=str(question_id),
                rank=rank,
                title=f"{uin or question_id}: {heading or '(no heading)'}",
                snippet=snippets.get(question_id, ""),
                date=answered or tabled,
                department_id=dept,
                department=scope.names.get(dept, body) if dept else body,
                url=question_url(url, tabled, uin),
                details={"uin": uin, "answer_status": status, "label": label, "category": category},
            )
        )
    return hits, total


def _best_pages(db, fts: str, request_ids: list[str]) -> dict[str, tuple[str, int, str]]:
    """Request id -> (document id, page number, snippet) of its page whose snippet shows the most
    matched words. The requests' pages are found first and only those looked up in the index, with
    no bm25: a join, or bm25 (which counts every row with the words), would read every page with
    the words."""
    if not request_ids:
        return {}
    pages = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT p.rowid, d.request_id, p.document_id, p.page FROM foi_documents d "
            f"JOIN foi_pages p ON p.document_id = d.id WHERE d.request_id IN ({', '.join('?' * len(request_ids))})",
            request_ids,
        )
    }
    best: dict[str, tuple[tuple[int, int], tuple[str, int, str]]] = {}
    for rowid, snippet in _snippets(db, "foi_pages", fts, list(pages)).items():
        request_id, document_id, page = pages[rowid]
        key = (-snippet.count(MARK_START), page)
        if request_id not in best or key < best[request_id][0]:
            best[request_id] = (key, (document_id, page, snippet))
    return {request_id: found for request_id, (_, found) in best.items()}


def _search_foi(db, fts: str, scope: _Scope, limit: int, offset: int) -> tuple[list[Hit], int]:
    where, params = scope.foi_where()
    # A request ranks by the better of its own text and its best page; its snippet comes from that side.
    # Each hit's request, department and date are read from the index's narrow keys table (FTS_KEYS).
    own = f"""SELECT k.request_id AS id, {_rank("foi_requests", scope.crowded)} AS rank, 0 AS side
        FROM foi_requests_fts JOIN {FTS_KEYS["foi_requests"][0]} k ON k.fts_rowid = foi_requests_fts.rowid
        WHERE foi_requests_fts MATCH ? AND {where}"""
    pages = f"""SELECT k.request_id AS id, {_rank("foi_pages", scope.crowded)} AS rank, 1 AS side
        FROM foi_pages_fts JOIN {FTS_KEYS["foi_pages"][0]} k ON k.fts_rowid = foi_pages_fts.rowid
        WHERE foi_pages_fts MATCH ? AND {where}"""
    # (with one min() in the query, SQLite takes the bare column side from the row of the best rank)
    base = f"""SELECT id, min(rank) AS rank, side FROM (
        {_window(own, "foi_requests_fts.rowid")} UNION ALL {_window(pages, "foi_pages_fts.rowid")}
        ) GROUP BY id"""
    all_params = [scope.match("foi_requests", fts), *params, scope.match("foi_pages", fts), *params]
    ranked, total = _ranked(db, f"{base} ORDER BY rank, id DESC", all_params, limit, offset)
    ids = [row[0] for row in ranked]
    marks = ", ".join("?" * len(ids))
    requests = {
        row[0]: row
        for row in db.execute(
            f"""SELECT id, rowid, title, authority, outcome, coalesce(date_responded, date_requested), url,
                       department_id, source
                FROM foi_requests WHERE id IN ({marks})""",
            ids,
        )
    }
    pages = _best_pages(db, fts, ids)
    shown = [requests[i][1] for i, _, side in ranked if side == 0 or i not in pages]  # snippets of their own text
    request_snippets = _snippets(db, "foi_requests", fts, shown)
    hits = []
    for request_id, rank, side in ranked:
        _, rowid, title, authority, outcome, when, url, dept, source = requests[request_id]
        page = pages.get(request_id)
        snippet = request_snippets.get(rowid, "") if side == 0 or page is None else page[2]
        hits.append(
            Hit(
                kind="foi",
                id=request_id,
                rank=rank,
                title=title or request_id,
                snippet=snippet,
                date=when,
                department_id=dept,
                department=scope.names.get(dept, authority) if dept else authority,
                url=url,
                details={
                    "authority": authority,
                    "outcome": outcome,
                    "source": source,
                    "document_id": page[0] if page else None,
                    "page": page[1] if page else None,
                },
            )
        )
    return hits, total


def _search_pairs(db, fts: str, scope: _Scope, limit: int, offset: int) -> tuple[list[Hit], int]:
    query = scope.pair_query
    # A pair is found through the index of its own text (both sides' words): one bm25.
    found = f"""SELECT matches_fts.rowid AS pair_rowid, {_rank("matches", scope.crowded)} AS rank
        FROM matches_fts WHERE matches_fts MATCH ?"""
    # Its id and score are read from the index's keys (FTS_KEYS), which hold the pairs whose answer
    # is stored; the pair's own row, its answer's and the rest only when a filter tests them.
    joins = ""
    if query.pair_where != "1":
        joins = """JOIN matches m ON m.rowid = h.pair_rowid JOIN questions q ON q.id = m.question_id
        LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
        LEFT JOIN refusals r ON r.question_id = q.id
        LEFT JOIN latest_review lr ON lr.match_id = m.id"""
    base = f"""WITH {LATEST_REVIEW},
        hits(pair_rowid, rank) AS ({_window(found, "matches_fts.rowid")})
        SELECT k.match_id, h.rank * (0.25 + coalesce(k.score, 0)) AS rank, k.score, h.pair_rowid
        FROM hits h JOIN {FTS_KEYS["matches"][0]} k ON k.fts_rowid = h.pair_rowid {joins}
        WHERE {query.pair_where}"""
    params = [scope.match("matches", fts), *query.pair_params]
    ranked, total = _ranked(db, f"{base} ORDER BY rank, k.score DESC, k.match_id", params, limit, offset)
    ids = [row[0] for row in ranked]
    rows = {row["match_id"]: row for row in pair_rows(db, ReportFilters(match_ids=tuple(ids)))} if ids else {}
    snippets = _snippets(db, "matches", fts, [row[3] for row in ranked])
    hits = []
    for match_id, rank, _, pair_rowid in ranked:
        row = rows[match_id]
        theirs = row["foi_title"] or row["doc_title"] or (f"UIN {row['other_uin']}" if row["other_uin"] else "")
        theirs = theirs or row["said"] or ""
        snippet = snippets.get(pair_rowid) or row["heading"] or ""
        hits.append(
            Hit(
                kind="pair",
                id=match_id,
                rank=rank,
                title=f"UIN {row['uin']} ({(row['date_answered'] or '')[:10]}) ↔ {theirs}",
                snippet=snippet,
                date=row["date_answered"],
                department_id=row["department_id"],
                department=row["department"],
                url=row["question_link"],
                details=row,
            )
        )
    return hits, total


_RUNNERS = {"pairs": _search_pairs, "answers": _search_answers, "foi": _search_foi}
