"""The read-model of matched pairs, shared by the reports, search, review, the terminal and the web.

``ReportFilters`` say which pairs (department, dates, category, score, verdict, ids, limit);
:class:`PairQuery` turns them into SQL conditions; :func:`pair_rows` reads the pairs strongest first
(score descending, then match id), each a dict with its question, answer, refusal, FOI request and
document, other answer or statement, evidence (its link, and how its page was read when OCR read it),
timing and latest review; :func:`summary` counts answers,
refusals and pairs by department, category and year. The SQL pieces (the latest-review CTE, the
pair FROM and columns) are public for search's queries over the same pairs.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import orjson
import sqlite_utils

from .departments import department_ids, department_index, known_bodies
from .errors import BadInput
from .extract.ocr import LOW_CONFIDENCE
from .periods import describe_span
from .questions import QUESTION_PAGE
from .text import safe_url
from .vocabulary import CATEGORIES, CATEGORY_NAMES, EVIDENCE_NAMES, REFUSAL_LABELS, UNREVIEWED, VERDICTS

SUBSTANTIVE = (
    "q.answer_status IN ('answered', 'corrected') AND q.answer_text IS NOT NULL AND trim(q.answer_text) != '' "
    "AND coalesce(q.is_withdrawn, 0) = 0"
)

FIRST_MATCHED = "coalesce(m.first_matched_at, m.matched_at)"  # when a pair was first matched


@dataclass(frozen=True)
class ReportFilters:
    """Which pairs a report covers. Every filter applies to every format.

    ``departments``: canonical ids (``home-office``), names or fragments of names (``justice``,
    ``Border Force``) or answering bodies (``54``, ``MoJ``), each resolved to one department by
    :func:`~pqcheck.departments.department_ids`; ``date_from``/``date_to``: the date the
    written answer was given (inclusive); ``categories``: refusal categories; ``min_score``: pairs
    scoring less are left out; ``verdicts``: the pair's latest verdict is one of these
    (``unreviewed`` for pairs without one); ``match_ids``: only these pairs; ``matched_since``: pairs
    first matched on or after this date; ``limit``: at most this many pairs are listed (the summary
    still counts them all); ``newest_first``: list the pairs first matched most recently first
    (a feed), not the strongest.
    """

    departments: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    min_score: float = 0.0
    verdicts: tuple[str, ...] = ()
    match_ids: tuple[str, ...] = ()
    matched_since: date | None = None
    limit: int | None = None
    newest_first: bool = False


# ---------------------------------------------------------------------------------------------
# filters


def department_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Department id -> name, from the database (the shipped mapping if the table is empty)."""
    table = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'departments'").fetchone()
    rows = db.execute("SELECT id, name FROM departments").fetchall() if table else []
    if rows:
        return {row[0]: row[1] or row[0] for row in rows}
    return {d["id"]: d["name"] for d in department_index().departments.values()}


def check_verdicts(verdicts: Iterable[str]) -> tuple[str, ...]:
    """The verdicts of a filter, checked (``unreviewed`` included)."""
    for verdict in verdicts:
        if verdict not in (*VERDICTS, UNREVIEWED):
            raise BadInput(f"unknown verdict '{verdict}': use one of {', '.join((*VERDICTS, UNREVIEWED))}")
    return tuple(sorted(set(verdicts)))


def check_categories(categories: Iterable[str]) -> tuple[str, ...]:
    for category in categories:
        if category not in CATEGORIES:
            close = difflib.get_close_matches(category, CATEGORIES, n=3, cutoff=0.4)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise BadInput(f"unknown refusal category '{category}'.{hint} Categories: {', '.join(CATEGORIES)}.")
    return tuple(sorted(set(categories)))


def _iso(value: date | str | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise BadInput(f"{name} must be a date (YYYY-MM-DD), not '{value}'") from exc


@dataclass
class PairQuery:
    """The filters resolved into SQL conditions on questions (q), refusals (r) and matches (m)."""

    filters: ReportFilters
    department_ids: tuple[str, ...]
    categories: tuple[str, ...]
    date_from: str | None
    date_to: str | None
    answer_where: str  # on q, qd
    answer_params: list[Any]
    refusal_where: str  # on q, qd, r
    refusal_params: list[Any]
    pair_where: str  # on q, qd, r, m
    pair_params: list[Any]

    @classmethod
    def build(cls, db: sqlite_utils.Database, filters: ReportFilters) -> PairQuery:
        dept_ids = department_ids(filters.departments, known_bodies(db)) if filters.departments else ()
        categories = check_categories(filters.categories)
        date_from, date_to = _iso(filters.date_from, "date_from"), _iso(filters.date_to, "date_to")
        if date_from and date_to and date_from > date_to:
            raise BadInput(f"the date range ends ({date_to}) before it starts ({date_from})")
        if filters.limit is not None and filters.limit < 0:
            raise BadInput("limit must not be negative")
        answer, answer_params = [SUBSTANTIVE], []
        pair, pair_params = [], []
        if dept_ids:
            marks = ", ".join("?" * len(dept_ids))
            answer.append(f"qd.department_id IN ({marks})")
            answer_params += dept_ids
            pair.append(f"coalesce(qd.department_id, m.department_id) IN ({marks})")
            pair_params += dept_ids
        for op, value in ((">=", date_from), ("<=", date_to)):
            if value:
                answer.append(f"q.date_answered {op} ?")
                answer_params.append(value)
                pair.append(f"q.date_answered {op} ?")
                pair_params.append(value)
        refusal = [*answer, f"r.label IN ({', '.join(repr(label) for label in REFUSAL_LABELS)})"]
        refusal_params = list(answer_params)
        if categories:
            marks = ", ".join("?" * len(categories))
            refusal.append(f"r.category IN ({marks})")
            refusal_params += categories
            pair.append(f"r.category IN ({marks})")
            pair_params += categories
        if filters.min_score:
            pair.append("coalesce(m.score, 0) >= ?")
            pair_params.append(float(filters.min_score))
        verdicts = check_verdicts(filters.verdicts)
        if verdicts:
            named = [v for v in verdicts if v != UNREVIEWED]
            either = [f"lr.verdict IN ({', '.join('?' * len(named))})"] if named else []
            if UNREVIEWED in verdicts:
                either.append("lr.verdict IS NULL")
            pair.append(f"({' OR '.join(either)})")
            pair_params += named
        if filters.match_ids:
            pair.append("m.id IN (SELECT value FROM json_each(?))")
            pair_params.append(json.dumps(list(filters.match_ids)))
        matched_since = _iso(filters.matched_since, "matched_since")
        if matched_since:
            pair.append(f"{FIRST_MATCHED} >= ?")
            pair_params.append(matched_since)
        return cls(
            filters=filters,
            department_ids=dept_ids,
            categories=categories,
            date_from=date_from,
            date_to=date_to,
            answer_where=" AND ".join(answer),
            answer_params=answer_params,
            refusal_where=" AND ".join(refusal),
            refusal_params=refusal_params,
            pair_where=" AND ".join(pair) or "1",
            pair_params=pair_params,
        )

    def describe(self, names: dict[str, str]) -> list[str]:
        """The filters in words (plain text), or an empty list when there are none."""
        parts = []
        if self.department_ids:
            parts.append("department " + ", ".join(names.get(d, d) for d in self.department_ids))
        if self.date_from or self.date_to:
            parts.append(f"answered {self.date_from or 'any time'} to {self.date_to or 'now'}")
        if self.categories:
            parts.append("category " + ", ".join(CATEGORY_NAMES.get(c, c) for c in self.categories))
        if self.filters.min_score:
            parts.append(f"score at least {self.filters.min_score:g}")
        if self.filters.verdicts:
            parts.append("verdict " + ", ".join(self.filters.verdicts))
        if self.filters.match_ids:
            parts.append(f"{len(self.filters.match_ids):,} chosen pairs")
        if self.filters.matched_since:
            parts.append(f"first matched on or after {_iso(self.filters.matched_since, 'matched_since')}")
        if self.filters.limit is not None:
            parts.append(f"at most {self.filters.limit:,} pairs listed")
        return parts


# ---------------------------------------------------------------------------------------------
# reading


LATEST_REVIEW = """
    latest_review AS (
        SELECT match_id, verdict, note, reviewer, reviewed_at FROM (
            SELECT match_id, verdict, note, reviewer, reviewed_at,
                   row_number() OVER (PARTITION BY match_id ORDER BY reviewed_at DESC, id DESC) AS n
            FROM reviews
        ) WHERE n = 1
    )
"""
# The department of a question, as the question_departments view has it, joined directly: the view
# on the right of a LEFT JOIN is materialised whole (every question) for each query.
PAIR_FROM = """
    FROM matches m
    JOIN questions q ON q.id = m.question_id
    LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
    LEFT JOIN refusals r ON r.question_id = q.id
    LEFT JOIN latest_review lr ON lr.match_id = m.id
"""
PAIR_COLUMNS = """
    m.id AS match_id, m.question_id, m.target_kind, m.foi_request_id, m.foi_document_id, m.other_question_id,
    m.contribution_id,
    m.evidence_kind, m.score, m.reasons, m.refusal_phrase AS match_phrase, m.evidence_text, m.evidence_page,
    m.evidence_figures, m.time_relation, m.gap_days, m.matcher_version, m.matched_at,
    coalesce(m.first_matched_at, m.matched_at) AS first_matched_at,
    coalesce(qd.department_id, m.department_id) AS department_id,
    q.uin, q.house, q.date_tabled, q.date_answered, q.heading, q.question_text, q.answer_text, q.answer_status,
    q.answering_body_name, q.url AS question_url,
    asker.name AS asker_name, asker.party AS asker_party,
    minister.name AS minister_name, minister.party AS minister_party,
    r.label, r.category, r.phrase, r.phrase_start, r.phrase_end, r.subject, r.refused_part, r.period,
    r.classifier_version,
    coalesce(r.answer_cut_short, q.answer_text_truncated, 0) AS answer_cut_short,
    f.id AS foi_id, f.source AS foi_source, f.url AS foi_url, f.authority AS foi_authority, f.title AS foi_title,
    f.outcome AS foi_outcome, f.date_responded AS foi_date, f.date_precision AS foi_date_precision,
    d.title AS doc_title, d.url AS doc_url, d.filename AS doc_filename, d.page_count AS doc_page_count,
    oq.uin AS other_uin, oq.house AS other_house, oq.date_tabled AS other_date_tabled,
    oq.date_answered AS other_date_answered, oq.heading AS other_heading, oq.url AS other_url,
    c.house AS said_house, c.date AS said_date, c.member_name AS said_by, c.attributed_to AS said_attributed,
    c.debate_title AS said_debate, c.url AS said_url,
    ep.ocr AS evidence_ocr, ep.ocr_confidence AS evidence_ocr_confidence,
    lr.verdict, lr.note AS review_note, lr.reviewer, lr.reviewed_at
"""


def _dept_key(department_id: str | None, body_name: str | None) -> str:
    """Group key: the canonical department, else the answering body as named."""
    return department_id if department_id else f"?{body_name or ''}"


def _dept_label(key: str, names: dict[str, str]) -> str:
    if not key.startswith("?"):
        return names.get(key, key)
    return f"{key[1:]} (no department mapping)" if key[1:] else "Unknown department"


def _summary(db: sqlite_utils.Database, query: PairQuery, names: dict[str, str]) -> dict[str, Any]:
    """Counts for the summary: answers, refusals and pairs by department, category and year."""
    by_dept: dict[str, Counter] = defaultdict(Counter)
    by_year: dict[str, Counter] = defaultdict(Counter)
    by_category: dict[str, Counter] = defaultdict(Counter)
    answers = 0
    first = last = None
    for row in db.execute(
        f"""SELECT qd.department_id, q.answering_body_name, substr(q.date_answered, 1, 4), count(*),
                   min(q.date_answered), max(q.date_answered)
            FROM questions q LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
            WHERE {query.answer_where} GROUP BY 1, 2, 3""",
        query.answer_params,
    ):
        dept, body, year, count, low, high = row
        answers += count
        by_dept[_dept_key(dept, body)]["answers"] += count
        by_year[year or "unknown"]["answers"] += count
        first = low if first is None or (low and low < first) else first
        last = high if last is None or (high and high > last) else last
    refusals = partial = 0
    for dept, body, year, category, label, count in db.execute(
        f"""SELECT qd.department_id, q.answering_body_name, substr(q.date_answered, 1, 4), r.category, r.label,
                   count(*)
            FROM refusals r JOIN questions q ON q.id = r.question_id
            LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
            WHERE {query.refusal_where} GROUP BY 1, 2, 3, 4, 5""",
        query.refusal_params,
    ):
        refusals += count
        partial += count if label == "partial" else 0
        by_dept[_dept_key(dept, body)]["refusals"] += count
        by_year[year or "unknown"]["refusals"] += count
        by_category[category or "unknown"]["refusals"] += count
    pairs = reviewed = 0
    verdicts: Counter = Counter()
    kinds: Counter = Counter()
    for dept, body, year, category, kind, verdict, count in db.execute(
        f"""WITH {LATEST_REVIEW}
            SELECT coalesce(qd.department_id, m.department_id), q.answering_body_name,
                   substr(q.date_answered, 1, 4), r.category, m.evidence_kind, lr.verdict, count(*)
            {PAIR_FROM} WHERE {query.pair_where} GROUP BY 1, 2, 3, 4, 5, 6""",
        query.pair_params,
    ):
        pairs += count
        kinds[kind or "unknown"] += count
        if verdict is not None:
            reviewed += count
            verdicts[verdict] += count
        by_dept[_dept_key(dept, body)]["pairs"] += count
        by_year[year or "unknown"]["pairs"] += count
        by_category[category or "unknown"]["pairs"] += count
    versions = {}
    for name, sql in (
        ("classifier", "SELECT DISTINCT classifier_version FROM refusals WHERE classifier_version IS NOT NULL"),
        ("matcher", "SELECT DISTINCT matcher_version FROM matches WHERE matcher_version IS NOT NULL"),
    ):
        versions[name] = sorted(row[0] for row in db.execute(sql))
    return {
        "answers": answers,
        "first_answered": first,
        "last_answered": last,
        "refusals": refusals,
        "partial": partial,
        "pairs": pairs,
        "reviewed": reviewed,
        "verdicts": {v: verdicts[v] for v in sorted(verdicts, key=_verdict_order)},
        "evidence_kinds": dict(sorted(kinds.items(), key=lambda kv: (_order(EVIDENCE_NAMES, kv[0]), kv[0]))),
        "by_department": [
            {
                "department_id": None if key.startswith("?") else key,
                "department": _dept_label(key, names),
                **{k: counts[k] for k in ("answers", "refusals", "pairs")},
            }
            for key, counts in sorted(
                by_dept.items(), key=lambda kv: (-kv[1]["refusals"], -kv[1]["pairs"], _dept_label(kv[0], names))
            )
        ],
        "by_category": [
            {"category": key, **{k: counts[k] for k in ("refusals", "pairs")}}
            for key, counts in sorted(by_category.items(), key=lambda kv: (-kv[1]["refusals"], -kv[1]["pairs"], kv[0]))
        ],
        "by_year": [
            {"year": key, **{k: counts[k] for k in ("answers", "refusals", "pairs")}}
            for key, counts in sorted(by_year.items())
        ],
        "versions": versions,
    }


def _order(known: Iterable[str], value: str) -> int:
    known = list(known)
    return known.index(value) if value in known else len(known)


def _verdict_order(verdict: str) -> tuple[int, str]:
    return _order(VERDICTS, verdict), verdict


def summary(db: sqlite_utils.Database, filters: ReportFilters = ReportFilters()) -> dict[str, Any]:
    """The report's summary within ``filters``: answers, refusals and pairs in all and by
    department, category and year, and the verdicts."""
    names = department_names(db)
    return _summary(db, PairQuery.build(db, filters), names)


def pair_rows(db: sqlite_utils.Database, filters: ReportFilters = ReportFilters()) -> list[dict[str, Any]]:
    """The pairs within ``filters``, strongest first, each a dict with everything the report shows
    (question, answer, refusal, FOI or other answer, evidence, timing, latest review)."""
    names = department_names(db)
    return list(iter_pairs(db, PairQuery.build(db, filters), names))


def pair_ids(db: sqlite_utils.Database, filters: ReportFilters = ReportFilters()) -> list[str]:
    """The match ids of the pairs within ``filters`` (every one: ``limit`` is not applied)."""
    query = PairQuery.build(db, filters)
    sql = f"WITH {LATEST_REVIEW} SELECT m.id {PAIR_FROM} WHERE {query.pair_where} ORDER BY m.id"
    return [row[0] for row in db.execute(sql, query.pair_params)]


def report_scope(
    db: sqlite_utils.Database, filters: ReportFilters
) -> tuple[dict[str, str], PairQuery, dict[str, Any], int]:
    """What every report starts from: the department names, the query of ``filters``, the
    summary, and how many pairs are listed."""
    names = department_names(db)
    query = PairQuery.build(db, filters)
    summary = _summary(db, query, names)
    listed = summary["pairs"] if filters.limit is None else min(filters.limit, summary["pairs"])
    return names, query, summary, listed


NEWEST_FIRST = f"{FIRST_MATCHED} IS NULL, {FIRST_MATCHED} DESC, m.score IS NULL"


def iter_pairs(db: sqlite_utils.Database, query: PairQuery, names: dict[str, str]) -> Iterator[dict[str, Any]]:
    """:func:`pair_rows` one at a time, read from the cursor as they are needed."""
    limit = query.filters.limit
    sql = f"""WITH {LATEST_REVIEW}
        SELECT {PAIR_COLUMNS}
        {PAIR_FROM}
        LEFT JOIN foi_documents d ON d.id = m.foi_document_id
        LEFT JOIN foi_requests f ON f.id = coalesce(m.foi_request_id, d.request_id)
        LEFT JOIN questions oq ON oq.id = m.other_question_id
        LEFT JOIN contributions c ON c.id = m.contribution_id
        LEFT JOIN foi_pages ep ON ep.document_id = m.foi_document_id AND ep.page = m.evidence_page
        LEFT JOIN members asker ON asker.id = q.asking_member_id
        LEFT JOIN members minister ON minister.id = q.answering_member_id
        WHERE {query.pair_where}
        ORDER BY {NEWEST_FIRST if query.filters.newest_first else "m.score IS NULL"}, m.score DESC, m.id
        {"LIMIT ?" if limit is not None else ""}"""
    cursor = db.execute(sql, query.pair_params + ([limit] if limit is not None else []))
    columns = [d[0] for d in cursor.description]
    for rank, values in enumerate(cursor, 1):
        row = dict(zip(columns, values, strict=True))
        row["rank"] = rank
        row["department"] = _dept_label(_dept_key(row["department_id"], row["answering_body_name"]), names)
        row["reasons_obj"] = _parse_json(row["reasons"], {})
        figures = _parse_json(row["evidence_figures"], [])
        row["figures"] = (
            [f if isinstance(f, dict) else {"text": str(f)} for f in figures] if isinstance(figures, list) else []
        )
        row["question_link"] = question_url(row["question_url"], row["date_tabled"], row["uin"])
        row["other_link"] = question_url(row["other_url"], row["other_date_tabled"], row["other_uin"])
        row["timing"] = _timing(row)
        row["said"] = said_in(row) if row["target_kind"] == "statement" else None
        row["evidence_link"] = evidence_link(row)
        row["ocr_note"] = ocr_note(row["evidence_ocr"], row["evidence_ocr_confidence"])
        row["foi_date_shown"] = describe_span(row["foi_date"], row["foi_date_precision"])
        row["span"] = phrase_span(row["answer_text"], row["phrase"], row["phrase_start"], row["phrase_end"])
        if row["span"] is None and row["match_phrase"]:
            row["span"] = phrase_span(row["answer_text"], row["match_phrase"], None, None)
        yield row


def _parse_json(text: str | None, default: Any) -> Any:
    if text is None or text == "":
        return default
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return {"unparsed": text} if isinstance(default, dict) else default


def question_url(url: str | None, date_tabled: str | None, uin: str | None) -> str | None:
    """The question's page on questions-statements.parliament.uk (stored, or built from date and UIN)."""
    if safe_url(url):
        return url
    if date_tabled and uin:
        return QUESTION_PAGE.format(date=date_tabled[:10], uin=quote(str(uin), safe=""))
    return None


def phrase_span(text: str | None, phrase: str | None, start: Any, end: Any) -> tuple[int, int] | None:
    """Where the refusal phrase is in the answer: the stored offsets if they hold the phrase, else
    the phrase's first occurrence, else the offsets alone if they are in range."""
    if not text:
        return None
    valid = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    if valid and (not phrase or text[start:end] == phrase):
        return start, end
    if phrase:
        at = text.find(phrase)
        if at < 0:
            at = text.lower().find(phrase.lower())
        if at >= 0:
            return at, at + len(phrase)
    return (start, end) if valid else None


def said_in(row: dict[str, Any]) -> str:
    """Where, when and by whom a statement was made: 'said in the Commons on 2019-07-17 by The
    Minister for Immigration (Caroline Nokes)'."""
    house = row.get("said_house") or "Parliament"
    when = f" on {row['said_date'][:10]}" if row.get("said_date") else ""
    who = row.get("said_attributed") or row.get("said_by")
    return f"said in the {house}{when}" + (f" by {who}" if who else "")


def evidence_link(row: dict[str, Any]) -> str | None:
    """The link of a pair's evidence: the statement on hansard.parliament.uk, the other answer's
    page, or the FOI request's (else its document's). As stored: a local file's path stays a path,
    and each view guards it as it shows links."""
    links = {
        "statement": (row["said_url"],),
        "answer": (row["other_link"],),
    }.get(row["target_kind"], (row["foi_url"], row["doc_url"]))
    return next((link for link in links if link), None)


def ocr_note(ocr: Any, confidence: Any) -> str | None:
    """How the evidence page was read, when Tesseract read it: 'read with OCR (confidence 91)', and
    a warning below LOW_CONFIDENCE; None for a page with a text layer."""
    if not ocr:
        return None
    if not isinstance(confidence, int | float):
        return "read with OCR (confidence unknown: check the figures against the scan)"
    low = ", low: check the figures against the scan" if confidence < LOW_CONFIDENCE else ""
    return f"read with OCR (confidence {confidence:.0f}{low})"


def _timing(row: dict[str, Any]) -> str:
    """The time relation in words, e.g. 'FOI answered 56 days before the written answer'."""
    relation, gap = row["time_relation"], row["gap_days"]
    theirs = {"answer": row["other_date_answered"], "statement": row["said_date"]}.get(
        row["target_kind"], row["foi_date"]
    )
    if relation is None and theirs and row["date_answered"]:
        try:
            delta = (date.fromisoformat(theirs[:10]) - date.fromisoformat(row["date_answered"][:10])).days
        except ValueError:
            delta = None
        if delta is not None:
            relation, gap = ("same_day" if delta == 0 else "before" if delta < 0 else "after"), abs(delta)
    subject = {"answer": "The other written answer was given", "statement": "Said in a debate"}.get(
        row["target_kind"], "FOI answered"
    )
    mine = "this written answer" if row["target_kind"] in ("answer", "statement") else "the written answer"
    precision = row.get("foi_date_precision") if row["target_kind"] == "foi" else None
    known = describe_span(theirs, precision) if precision not in (None, "day") else None
    if relation == "within":
        return f"{subject} in {known}, when {mine} was given"
    if relation == "same_day":
        return f"{subject} on the same day as {mine}"
    if relation in ("before", "after"):
        if gap is None:
            return f"{subject} {relation} {mine}"
        days = abs(int(gap))
        timing = f"{subject} {days:,} day{'' if days == 1 else 's'} {relation} {mine}"
        return f"{timing} (dated {known}: counted from its nearest day)" if known else timing
    return "Timing unknown"
