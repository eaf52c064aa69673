"""Finding a refusal's candidates: FTS5's bm25 over the department's rows, never an all-pairs scan.

Four queries, restricted to the department and the window (small TEMP tables: row id ->
department, first and last day) and cut at ``options.candidates`` rows each. An FOI dated to a
month, a year or a financial year is in the window when any day of its span is:

- ``foi_requests_fts`` (title weighted 3, request text 1),
- ``foi_pages_fts`` (the released text; the best page per request),
- ``questions_fts`` (heading 2, question 1, answer 2) for contradicting answers: any answer of the
  department, a refusal or an "other" too (a minister who refuses one part may give figures on
  another, or volunteer them answering a question on policy); ``evidence`` keeps those only when
  their figures are on the subject, and ``scoring`` ranks them below the disclosures,
- ``contributions_fts`` (debate title 1, text 2) for what a minister said in a debate (Hansard),
  kind ``statement``, the contribution's department and sitting day as an answer's; a speaker the
  attribution shows not to speak for the government (:func:`pqcheck.speakers.speaks_in_office`)
  is never evidence.

A query is an OR of the quoted terms (each with its other form and jargon, see ``terms``), generic
words left out, at most ``MAX_QUERY_TERMS`` of them, the rarest first while their rows add up to
``QUERY_ROWS`` (a common term says little). A row must hold two of the terms (``(a AND b) OR (a
AND c) ...``) or the rarest term alone (titles and answers); a page query that finds fewer than
``PAGE_FALLBACK`` pages is asked again with any single term. The two most specific terms weigh
double (a repeated phrase counts twice in bm25). The lists are merged by reciprocal rank and cut
at ``options.candidates``: that many targets, at most, are examined per refusal.

The queries are not asked of FTS5 as they are written (``REQUEST_SQL``, ``PAGE_SQL`` and
``ANSWER_SQL``, kept as the reference they reproduce): FTS5 would read each phrase's rows across
the whole collection for every refusal, to weigh the phrase and then to find the department's
rows. ``phrases`` reads each phrase's rows with its bm25 share once per process, by department,
and a query adds up the shares of the department's rows as FTS5's bm25 would
(``phrases.combine``). A phrase with more than ``phrases.PHRASE_ROWS`` rows in the department
gives that many, its highest shares, and its share in every row the other phrases found: the same
rows and scores as FTS5's query, but for rows that hold only such common phrases and are among
none of their highest shares, at a cost per refusal that does not grow with the collection.
Document frequencies come from ``fts5vocab``, once per stem and process.

The FOIs of local bodies (police forces, councils, NHS trusts, devolved governments:
``foi_requests.local_kind``) are searched apart, under the stand-in department ``LOCAL``, only for
"held locally" evidence (``Matcher.held_locally``); they are never a department's candidates.
Other FOIs without a department (an authority not in the mapping) and requests with no response yet
(``waiting_response``, ``user_withdrawn``, ...) are never candidates; documents of kind ``request``
(the requester's own message) are not evidence. :class:`TargetReader` then reads what the first
pass needs of each candidate, kept for the next refusals (an FOI stored without its request text
gets the request its letter restates, ``letters.restated_request``).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ..periods import years_in
from ..speakers import speaks_in_office
from .letters import restated_request
from .options import MatchOptions
from .phrases import Hits, PhraseLists, best, combine
from .terms import Stemmer, Term, Text, day

MAX_QUERY_TERMS = 6
PAGE_FALLBACK = 10  # fewer page hits than this with pairs of terms: ask again with any single term
QUERY_ROWS = 60_000  # an FTS5 query stops adding terms when their rows add up to this (see CandidateSearch.query)
RRF_K = 60
LOCAL = "(local bodies)"  # the search's stand-in department for every local body's FOIs (see held_locally)
GAVE_FIGURES = ("disclosure", "partial")  # the labels of answers that gave the figures asked for
UNBOUNDED = 1 << 40  # days: the window of an answer of unknown date
TARGET_CACHE = 20_000  # targets whose first-pass data is kept between refusals (per process)
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

REQUEST_SQL = """
    SELECT f.rowid, bm25(foi_requests_fts, 3.0, 1.0) AS s
    FROM foi_requests_fts AS f CROSS JOIN temp.pqm_req AS m ON m.rowid = f.rowid
    WHERE f.foi_requests_fts MATCH :query AND m.dept = :dept
      AND (m.day <= :hi AND m.last >= :lo OR (:undated AND m.day IS NULL))
    ORDER BY s LIMIT :limit
"""
PAGE_SQL = """
    WITH hits AS MATERIALIZED (
        SELECT m.req AS req, f.rowid AS page, bm25(foi_pages_fts) AS s
        FROM foi_pages_fts AS f CROSS JOIN temp.pqm_page AS m ON m.rowid = f.rowid
        WHERE f.foi_pages_fts MATCH :query AND m.dept = :dept
          AND (m.day <= :hi AND m.last >= :lo OR (:undated AND m.day IS NULL))
    )
    SELECT req, page, min(s) AS s FROM hits GROUP BY req ORDER BY s LIMIT :limit
"""
ANSWER_SQL = """
    SELECT f.rowid, bm25(questions_fts, 2.0, 1.0, 2.0) AS s
    FROM questions_fts AS f CROSS JOIN temp.pqm_ans AS m ON m.rowid = f.rowid
    WHERE f.questions_fts MATCH :query AND m.dept = :dept AND m.rowid != :qid
      AND (m.day BETWEEN :lo AND :hi OR (:undated AND m.day IS NULL))
    ORDER BY s LIMIT :limit
"""

INDEXES = ("foi_requests", "foi_pages", "questions", "contributions")
LISTS = {  # each index: the TEMP table of its rows that can be candidates, its bm25 column weights, dates with spans
    "foi_requests": ("pqm_req", (3.0, 1.0), True),
    "foi_pages": ("pqm_page", (), True),
    "questions": ("pqm_ans", (2.0, 1.0, 2.0), False),
    "contributions": ("pqm_stmt", (1.0, 2.0), False),
}


class CandidateSearch:
    """The candidate searches of one connection.

    It keeps small per-connection TEMP tables (row id -> department and day), the phrase lists of
    each index over their rows (``phrases.PhraseLists``), and reads document frequencies from
    ``fts5vocab`` tables over the indexes (each stem counted once, then kept).
    """

    def __init__(self, conn: sqlite3.Connection, options: MatchOptions):
        self.conn = conn
        self.options = options
        self.df_cache: dict[tuple[str, str], int] = {}
        conn.create_function("pq_in_office", 2, speaks_in_office, deterministic=True)
        outcomes = ", ".join(f"'{o}'" for o in sorted(NO_RESPONSE))
        statements = [
            "DROP TABLE IF EXISTS temp.pqm_req",
            "DROP TABLE IF EXISTS temp.pqm_page",
            "DROP TABLE IF EXISTS temp.pqm_ans",
            "DROP TABLE IF EXISTS temp.pqm_dept",
            "DROP TABLE IF EXISTS temp.pqm_stmt",
            "CREATE TEMP TABLE pqm_dept (code INTEGER PRIMARY KEY, id TEXT UNIQUE)",
            "CREATE TEMP TABLE pqm_req (rowid INTEGER PRIMARY KEY, dept INTEGER, day INTEGER, last INTEGER)",
            """CREATE TEMP TABLE pqm_page
                (rowid INTEGER PRIMARY KEY, req INTEGER, dept INTEGER, day INTEGER, last INTEGER)""",
            "CREATE TEMP TABLE pqm_ans (rowid INTEGER PRIMARY KEY, dept INTEGER, day INTEGER)",
            "CREATE TEMP TABLE pqm_stmt (rowid INTEGER PRIMARY KEY, dept INTEGER, day INTEGER)",
            f"""INSERT INTO temp.pqm_dept (id)
                SELECT id FROM departments UNION SELECT department_id FROM foi_requests
                UNION SELECT department_id FROM department_aliases UNION SELECT '{LOCAL}'""",
            f"""INSERT INTO temp.pqm_req
                SELECT rowid, code, day, coalesce(CAST(julianday(date_end) - 1721424.5 AS INTEGER), day) FROM (
                    SELECT r.rowid, d.code, r.date_end,
                           CAST(julianday(coalesce(r.date_responded, r.date_requested)) - 1721424.5 AS INTEGER) AS day
                    FROM foi_requests r JOIN temp.pqm_dept d
                      ON d.id = CASE WHEN r.local_kind IS NULL THEN r.department_id ELSE '{LOCAL}' END
                    WHERE coalesce(r.outcome, '') NOT IN ({outcomes}))""",
            """INSERT INTO temp.pqm_page
                SELECT p.rowid, m.rowid, m.dept, m.day, m.last
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
                WHERE q.answer_text IS NOT NULL""",
            """INSERT INTO temp.pqm_stmt
                SELECT c.rowid, d.code, CAST(julianday(c.date) - 1721424.5 AS INTEGER)
                FROM contributions c JOIN temp.pqm_dept d ON d.id = c.department_id
                WHERE pq_in_office(c.attributed_to, c.date) IS NOT 0""",
        ]
        for index in INDEXES:
            statements += [
                f"DROP TABLE IF EXISTS temp.pqm_vocab_{index}",
                f"CREATE VIRTUAL TABLE temp.pqm_vocab_{index} USING fts5vocab(main, '{index}_fts', 'row')",
            ]
        for sql in statements:
            conn.execute(sql)
        self.dept_codes = dict(conn.execute("SELECT id, code FROM temp.pqm_dept").fetchall())
        self.local_rows = conn.execute(
            "SELECT count(*) FROM temp.pqm_req WHERE dept = ?", [self.dept_codes[LOCAL]]
        ).fetchone()[0]
        self.rows = {
            "foi_requests": conn.execute("SELECT count(*) FROM foi_requests").fetchone()[0],
            "foi_pages": conn.execute("SELECT count(*) FROM temp.pqm_page").fetchone()[0],
            "questions": conn.execute("SELECT count(*) FROM questions").fetchone()[0],
            "contributions": conn.execute("SELECT count(*) FROM temp.pqm_stmt").fetchone()[0],
        }
        self.lists = {
            index: PhraseLists(conn, f"{index}_fts", weights, f"temp.{table}", spans=spans)
            for index, (table, weights, spans) in LISTS.items()
        }
        self.page_requests = np.fromiter(
            (r[0] for r in conn.execute("SELECT req FROM temp.pqm_page ORDER BY rowid")), dtype=np.int64
        )

    def close(self) -> None:
        for name in ("pqm_req", "pqm_page", "pqm_ans", "pqm_dept", "pqm_stmt"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        for index in INDEXES:
            self.conn.execute(f"DROP TABLE IF EXISTS temp.pqm_vocab_{index}")

    def df(self, index: str, stem: str) -> int:
        key = (index, stem)
        found = self.df_cache.get(key)
        if found is None:
            row = self.conn.execute(f"SELECT doc FROM temp.pqm_vocab_{index} WHERE term = ?", [stem]).fetchone()
            found = self.df_cache[key] = row[0] if row else 0
            if len(self.df_cache) > 500_000:
                self.df_cache.clear()
        return found

    def phrase_df(self, index: str, term: Term, own: bool = False) -> int:
        """Rows with the term (an upper bound for a phrase): in its own form, or the most in any form."""
        return max(min(self.df(index, s) for s in key.split()) for key in (term.keys[:1] if own else term.keys))

    def query(self, index: str, terms: list[Term], *, pairs: bool = True, rarest_alone: bool = False) -> Query | None:
        """The FTS5 query for ``index``: the subject's terms (each with its other form, VARIANTS),
        generic words left out, the rarest first while their rows add up to at most ``QUERY_ROWS``
        (the two rarest always: a common term says little and makes the query slow).

        With ``pairs``, a row must hold two of the terms (``(a AND b) OR (a AND c) OR ...``), or,
        with ``rarest_alone``, the rarest term alone: that ranks and reads far fewer rows than an OR
        of single terms. Without, a plain OR. In both, the two most specific terms weigh double in
        bm25 (a phrase repeated in a query counts twice)."""
        counted = sorted(
            ((self.phrase_df(index, t), t) for t in terms if not t.generic), key=lambda x: (x[0], x[1].position)
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
        return Query(sorted(chosen, key=lambda t: t.position), chosen[0], pairs, rarest_alone)

    def hits(self, index: str, query: Query, department: int, lo: int, hi: int, undated: bool) -> Hits:
        """The rows of ``index`` that ``query`` matches in the department and the window, with the
        bm25 FTS5 would give them (``phrases``)."""
        lists = self.lists[index]
        found = [[lists.rows(p, department, lo, hi, undated) for p in t.queries] for t in query.terms]
        terms = [[(positions, scores) for positions, scores, _ in phrases] for phrases in found]
        cut = [(i, j) for i, phrases in enumerate(found) for j, (*_, whole) in enumerate(phrases) if not whole]
        if cut:  # every row found: its shares of the phrases read in part
            rows = np.unique(np.concatenate([positions for phrases in terms for positions, _ in phrases]))
            for i, j in cut:
                held, scores = lists.shares(query.terms[i].queries[j], department, rows)
                terms[i][j] = (rows[held], scores)
        if len(query.terms) == 1:
            return combine(terms, [1], pairs=False, alone=None, leading=None)
        if not query.pairs:
            return combine(
                terms, [2 if t.position < 2 else 1 for t in query.terms], pairs=False, alone=None, leading=None
            )
        alone = query.terms.index(query.rarest) if query.rarest_alone else None
        return combine(terms, [], pairs=True, alone=alone, leading=(0, 1))

    def candidates(
        self, question_id: int, department: str, answered: int | None, terms: list[Term]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The refusal's candidates, best first by reciprocal rank (at most ``options.candidates``),
        each with its rank and bm25 in each list, and the queries asked, by index. An answer of
        unknown date (``answered`` None) looks at every date."""
        options = self.options
        if answered is None:
            lo, hi = -UNBOUNDED, UNBOUNDED
        else:
            lo, hi = answered - options.days_before, answered + options.days_after
        dept, limit, undated = self.dept_codes.get(department, -1), options.candidates, options.include_undated
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
        if query := self.query("foi_requests", terms, rarest_alone=True):
            queries["foi_requests"] = query.expression()
            found = self.hits("foi_requests", query, dept, lo, hi, undated)
            add("foi", best(found, limit, self.lists["foi_requests"].rowids), "title")
        if query := self.query("foi_pages", terms, rarest_alone=False):
            hits = self.pages(query, dept, lo, hi, undated, limit)
            wider = self.query("foi_pages", terms, pairs=False) if len(hits) < PAGE_FALLBACK else None
            if wider and wider.expression() != query.expression():
                query = wider
                hits = self.pages(query, dept, lo, hi, undated, limit)
            queries["foi_pages"] = query.expression()
            add("foi", hits, "pages")
        if options.answers and department != LOCAL and (query := self.query("questions", terms, rarest_alone=True)):
            queries["questions"] = query.expression()
            found = self.hits("questions", query, dept, lo, hi, undated)
            rowids = self.lists["questions"].rowids
            other = rowids[found.positions] != question_id  # never the refusal itself
            found = Hits(found.positions[other], found.scores[other])
            add("answer", best(found, limit, rowids), "answers")
        statements = options.answers and department != LOCAL and self.rows["contributions"]
        if statements and (query := self.query("contributions", terms, rarest_alone=True)):
            queries["contributions"] = query.expression()
            found = self.hits("contributions", query, dept, lo, hi, undated)
            add("statement", best(found, limit, self.lists["contributions"].rowids), "statements")
        return sorted(ranked.values(), key=lambda e: -e["rrf"])[: options.candidates], queries

    def pages(
        self, query: Query, dept: int, lo: int, hi: int, undated: bool, limit: int
    ) -> list[tuple[int, int, float]]:
        """The best page of each request the page query finds: (request, page, bm25), best first."""
        found = self.hits("foi_pages", query, dept, lo, hi, undated)
        requests = self.page_requests[found.positions]
        order = np.lexsort((found.positions, found.scores))
        requests_sorted = requests[order]
        _, first = np.unique(requests_sorted, return_index=True)
        chosen = order[first]
        chosen = chosen[np.lexsort((requests[chosen], found.scores[chosen]))][:limit]
        pages = self.lists["foi_pages"].rowids[found.positions[chosen]]
        return [
            (int(r), int(p), float(s)) for r, p, s in zip(requests[chosen], pages, found.scores[chosen], strict=True)
        ]


@dataclass(frozen=True)
class Query:
    """An FTS5 query of the candidate search: its terms (most specific first), the rarest, and its form."""

    terms: list[Term]
    rarest: Term
    pairs: bool
    rarest_alone: bool

    def expression(self) -> str:
        """The query as FTS5's MATCH reads it (what the matches' reasons keep)."""
        expression = {
            id(t): "(" + " OR ".join(t.queries) + ")" if len(t.queries) > 1 else t.queries[0] for t in self.terms
        }
        ordered = self.terms
        if len(ordered) == 1:
            return expression[id(ordered[0])]
        if not self.pairs:
            return " OR ".join(expression[id(t)] for t in ordered for _ in range(2 if t.position < 2 else 1))
        first, second = (expression[id(t)] for t in ordered[:2])
        clauses = [f"({expression[id(a)]} AND {expression[id(b)]})" for a, b in itertools.combinations(ordered, 2)]
        clauses.append(f"({first} AND {second})")
        if self.rarest_alone:
            clauses.insert(0, expression[id(self.rarest)])
        return " OR ".join(clauses)


class TargetReader:
    """What the first pass needs of each target (FOI request, answer or statement), read once per process."""

    def __init__(self, conn: sqlite3.Connection, stemmer: Stemmer, stop_stems: frozenset[str]):
        self.conn = conn
        self.stemmer = stemmer
        self.stop_stems = stop_stems
        self.cache: dict[tuple[str, int], dict[str, Any]] = {}

    def read(self, candidates: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
        """What the first pass needs of each target (its row, documents and figure count, the stems of
        its title and request): read once and kept for the next refusals (``TARGET_CACHE`` of them)."""
        cache = self.cache
        missing = [c["rowid"] for c in candidates if c["kind"] == "foi" and ("foi", c["rowid"]) not in cache]
        missing_answers = [
            c["rowid"] for c in candidates if c["kind"] == "answer" and ("answer", c["rowid"]) not in cache
        ]
        meta: dict[tuple[str, int], dict[str, Any]] = {}
        if missing:
            meta.update(self._fois(missing))
        if missing_answers:
            meta.update(self._answers(missing_answers))
        missing_statements = [
            c["rowid"] for c in candidates if c["kind"] == "statement" and ("statement", c["rowid"]) not in cache
        ]
        if missing_statements:
            meta.update(self._statements(missing_statements))
        stop = self.stop_stems
        for key, m in meta.items():
            title, request = self.stemmer.words(m["title"]), self.stemmer.words(m["request_text"])
            m["title_text"], m["request_stems"] = Text(title), Text(request)
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

    def _fois(self, rowids: list[int]) -> dict[tuple[str, int], dict[str, Any]]:
        """FOI requests by rowid: their row, their documents (not the request's own) and figure count."""
        meta: dict[tuple[str, int], dict[str, Any]] = {}
        cursor = self.conn.execute(
            "SELECT rowid, id, department_id, authority, title, substr(request_text, 1, 2000), outcome, "
            "coalesce(date_responded, date_requested), date_end, date_precision FROM foi_requests "
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            [json.dumps(rowids)],
        )
        for rowid, rid, dept, authority, title, request_text, outcome, when, end, precision in cursor:
            meta["foi", rowid] = {
                "target": rid,
                "department_id": dept,
                "authority": authority,
                "title": title or "",
                "request_text": request_text or "",
                "outcome": outcome,
                "day": day(when),
                "day_end": day(end) or day(when),
                "precision": precision,
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
        self._restate([m for m in meta.values() if not m["request_text"].strip() and m["documents"]])
        return meta

    def _restate(self, unasked: list[dict[str, Any]]) -> None:
        """The request of each FOI stored without one, as its letter restates it (first page of its
        first document): the request a researcher's file or a disclosure log did not keep."""
        if not unasked:
            return
        first = {m["documents"][0][0]: m for m in unasked}
        for document_id, text in self.conn.execute(
            "SELECT document_id, substr(text, 1, 6000) FROM foi_pages WHERE page = 1 "
            "AND document_id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(first))],
        ):
            first[document_id]["request_text"] = restated_request(text or "")

    def _answers(self, ids: list[int]) -> dict[tuple[str, int], dict[str, Any]]:
        """Written answers by question id: the question as the title, the answer, the day answered."""
        cursor = self.conn.execute(
            "SELECT q.id, q.heading, q.question_text, q.answer_text, q.date_answered, r.label FROM questions q "
            "LEFT JOIN refusals r ON r.question_id = q.id WHERE q.id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
        found = {}
        for qid, heading, question_text, answer_text, when, label in cursor:
            said = _said(qid, " ".join(filter(None, [heading, question_text])), question_text, answer_text, when)
            said["aside"] = label not in GAVE_FIGURES  # figures given beside a refusal, or in passing
            said["refused"] = label == "refusal"  # beside a refusal: the weaker
            found["answer", qid] = said
        return found

    def _statements(self, rowids: list[int]) -> dict[tuple[str, int], dict[str, Any]]:
        """Contributions by rowid: the debate title as the title, the words said as the answer."""
        cursor = self.conn.execute(
            "SELECT rowid, id, debate_title, text, date FROM contributions "
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            [json.dumps(rowids)],
        )
        return {
            ("statement", rowid): _said(ext_id, title, None, text, when) for rowid, ext_id, title, text, when in cursor
        }


def _said(target: Any, title: str | None, asked: str | None, text: str | None, when: str | None) -> dict[str, Any]:
    """What the first pass needs of a written answer or a statement in a debate: dated to the day,
    with no outcome (what was said is the evidence)."""
    return {
        "target": target,
        "title": title or "",
        "request_text": asked or "",
        "answer_text": text or "",
        "outcome": None,
        "day": day(when),
        "day_end": day(when),
        "precision": "day",
        "date": when,
    }
