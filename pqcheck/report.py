"""Reports of matched pairs: markdown for researchers, CSV and JSON for tools.

``write_report(db, out, fmt=..., filters=...)`` reads the ``matches`` the matcher stored (each a
written answer that declined to give information, paired with an FOI response or another answer
that gave it), with their refusal, question, members, FOI request and document, and the latest
review, and writes them strongest first (score descending, then match id).

Every format is deterministic: the same database gives byte-identical output, and nothing in it
comes from the clock. The markdown is meant for GitHub: upstream text is escaped so that it
cannot add HTML, links, tables or headings; links are only made to ``http(s)`` addresses.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

import orjson
import sqlite_utils

from .classify import CATEGORIES
from .departments import department_index, normalise_name
from .errors import BadInput
from .questions import QUESTION_PAGE

FORMATS = ("md", "csv", "json")
TOC_SIZE = 50  # pairs listed in the markdown table of contents
CSV_CHUNK = 200  # rows of CSV in each piece of a streamed export
CATEGORY_NAMES = {
    "not_held_centrally": "not held centrally",
    "not_collected": "not collected",
    "disproportionate_cost": "disproportionate cost",
    "not_in_format": "not in the format requested",
    "not_available": "not available",
    "will_publish": "will be published",
    "other": "other",
}
EVIDENCE_NAMES = {
    "disclosure": "FOI disclosure",
    "not_held": "FOI response (not held)",
    "refused": "FOI refusal",
    "answer": "another written answer",
}
VERDICTS = ("confirmed", "rejected", "not-comparable")
UNREVIEWED = "unreviewed"  # the verdict filter's name for pairs without a review
SUBSTANTIVE = (
    "q.answer_status IN ('answered', 'corrected') AND q.answer_text IS NOT NULL AND trim(q.answer_text) != '' "
    "AND coalesce(q.is_withdrawn, 0) = 0"
)
REFUSAL_LABELS = ("refusal", "partial")


@dataclass(frozen=True)
class ReportFilters:
    """Which pairs a report covers. Every filter applies to every format.

    ``departments``: canonical ids (``home-office``) or names or fragments of names (``justice``,
    ``Border Force``), resolved against ``departments``; ``date_from``/``date_to``: the date the
    written answer was given (inclusive); ``categories``: refusal categories; ``min_score``: pairs
    scoring less are left out; ``verdicts``: the pair's latest verdict is one of these
    (``unreviewed`` for pairs without one); ``match_ids``: only these pairs; ``limit``: at most this
    many pairs are listed (the summary still counts them all).
    """

    departments: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    min_score: float = 0.0
    verdicts: tuple[str, ...] = ()
    match_ids: tuple[str, ...] = ()
    limit: int | None = None


@dataclass
class ReportStats:
    """What one report covered (also the ``summary`` of the JSON form)."""

    fmt: str
    answers: int = 0  # substantive written answers within the filters
    refusals: int = 0  # of which refusals (label refusal or partial)
    partial: int = 0
    pairs: int = 0  # matched pairs within the filters
    listed: int = 0  # pairs written (after ``limit``)
    reviewed: int = 0  # pairs with at least one review
    verdicts: dict[str, int] = field(default_factory=dict)  # latest verdict -> pairs
    departments: tuple[str, ...] = ()  # the department ids the filter resolved to

    @property
    def confirmed(self) -> int:
        return self.verdicts.get("confirmed", 0)


# ---------------------------------------------------------------------------------------------
# public entry point


def write_report(
    db: sqlite_utils.Database,
    out: TextIO,
    *,
    fmt: str = "md",
    filters: ReportFilters = ReportFilters(),  # frozen, so one shared default is safe
) -> ReportStats:
    """Write the report of matched pairs to ``out`` in ``fmt`` (``md``, ``csv`` or ``json``).

    Raises :class:`BadInput` for an unknown format, department or category, or a date range
    that ends before it starts.
    """
    if fmt not in FORMATS:
        raise BadInput(f"unknown report format '{fmt}': use one of {', '.join(FORMATS)}")
    names, query, summary, listed = _report_scope(db, filters)
    pairs = _iter_pairs(db, query, names)  # streamed: a report of a million pairs never sits in memory
    stats = ReportStats(
        fmt=fmt,
        answers=summary["answers"],
        refusals=summary["refusals"],
        partial=summary["partial"],
        pairs=summary["pairs"],
        listed=listed,
        reviewed=summary["reviewed"],
        verdicts=dict(summary["verdicts"]),
        departments=query.department_ids,
    )
    if fmt == "md":
        _write_markdown(out, query, summary, pairs, listed, names)
    else:
        out.writelines(_csv_chunks(pairs) if fmt == "csv" else _json_chunks(query, summary, pairs, listed))
    return stats


def stream_report(db: sqlite_utils.Database, *, fmt: str, filters: ReportFilters = ReportFilters()) -> Iterator[str]:
    """The ``csv`` or ``json`` report as pieces of text, each pair read from the database as its
    piece is asked for (the web's exports); the same text as :func:`write_report`. A bad filter
    raises :class:`BadInput` here, before any text."""
    if fmt not in ("csv", "json"):
        raise BadInput(f"unknown export format '{fmt}': use csv or json")
    names, query, summary, listed = _report_scope(db, filters)
    pairs = _iter_pairs(db, query, names)
    return _csv_chunks(pairs) if fmt == "csv" else _json_chunks(query, summary, pairs, listed)


def _report_scope(
    db: sqlite_utils.Database, filters: ReportFilters
) -> tuple[dict[str, str], _Query, dict[str, Any], int]:
    """What every report starts from: the department names, the query of ``filters``, the
    summary, and how many pairs are listed."""
    names = _department_names(db)
    query = _Query.build(db, filters, names)
    summary = _summary(db, query, names)
    listed = summary["pairs"] if filters.limit is None else min(filters.limit, summary["pairs"])
    return names, query, summary, listed


# ---------------------------------------------------------------------------------------------
# filters


def _department_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Department id -> name, from the database (the shipped mapping if the table is empty)."""
    rows = db.execute("SELECT id, name FROM departments").fetchall() if db["departments"].exists() else []
    if rows:
        return {row[0]: row[1] or row[0] for row in rows}
    return {d["id"]: d["name"] for d in department_index().departments.values()}


def resolve_departments(db: sqlite_utils.Database, wanted: Iterable[str], names: dict[str, str]) -> tuple[str, ...]:
    """Canonical department ids for ids, names (or former names, or agencies) and name fragments.

    A fragment that fits several departments, or none, raises :class:`BadInput` with the candidates.
    """
    aliases: dict[str, set[str]] = defaultdict(set)  # normalised name -> department ids
    for dept_id, name in names.items():
        aliases[normalise_name(name)].add(dept_id)
        aliases[dept_id.replace("-", " ")].add(dept_id)
    if db["department_aliases"].exists():
        for alias, dept_id in db.execute("SELECT alias, department_id FROM department_aliases WHERE kind = 'name'"):
            if dept_id in names:
                aliases[alias.split(":", 1)[1]].add(dept_id)
    found: list[str] = []
    for text in wanted:
        key = text.strip()
        if key.lower() in names:
            ids = {key.lower()}
        else:
            folded = normalise_name(key)
            ids = aliases.get(folded, set()) if folded else set()
            if not ids and folded:
                ids = {d for alias, depts in aliases.items() if folded in alias for d in depts}
        if len(ids) > 1:
            listed = "; ".join(f"{d} ({names[d]})" for d in sorted(ids))
            raise BadInput(f"department '{key}' is ambiguous: it matches {listed}. Give a longer name or an id.")
        if not ids:
            choices = {normalise_name(n): n for n in names.values()} | {d: d for d in names}
            close = difflib.get_close_matches(normalise_name(key) or key.lower(), list(choices), n=4, cutoff=0.5)
            hint = f" Did you mean: {'; '.join(dict.fromkeys(choices[c] for c in close))}?" if close else ""
            raise BadInput(f"unknown department '{key}'.{hint} Known departments: {', '.join(sorted(names))}.")
        found.extend(ids)
    return tuple(sorted(set(found)))


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
class _Query:
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
    def build(cls, db: sqlite_utils.Database, filters: ReportFilters, names: dict[str, str]) -> _Query:
        dept_ids = resolve_departments(db, filters.departments, names) if filters.departments else ()
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
        if self.filters.limit is not None:
            parts.append(f"at most {self.filters.limit:,} pairs listed")
        return parts


# ---------------------------------------------------------------------------------------------
# reading


_LATEST_REVIEW = """
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
_PAIR_FROM = """
    FROM matches m
    JOIN questions q ON q.id = m.question_id
    LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
    LEFT JOIN refusals r ON r.question_id = q.id
    LEFT JOIN latest_review lr ON lr.match_id = m.id
"""
_PAIR_COLUMNS = """
    m.id AS match_id, m.question_id, m.target_kind, m.foi_request_id, m.foi_document_id, m.other_question_id,
    m.evidence_kind, m.score, m.reasons, m.refusal_phrase AS match_phrase, m.evidence_text, m.evidence_page,
    m.evidence_figures, m.time_relation, m.gap_days, m.matcher_version,
    coalesce(qd.department_id, m.department_id) AS department_id,
    q.uin, q.house, q.date_tabled, q.date_answered, q.heading, q.question_text, q.answer_text, q.answer_status,
    q.answering_body_name, q.url AS question_url,
    asker.name AS asker_name, asker.party AS asker_party,
    minister.name AS minister_name, minister.party AS minister_party,
    r.label, r.category, r.phrase, r.phrase_start, r.phrase_end, r.subject, r.period, r.classifier_version,
    f.id AS foi_id, f.source AS foi_source, f.url AS foi_url, f.authority AS foi_authority, f.title AS foi_title,
    f.outcome AS foi_outcome, f.date_responded AS foi_date,
    d.title AS doc_title, d.url AS doc_url, d.filename AS doc_filename, d.page_count AS doc_page_count,
    oq.uin AS other_uin, oq.house AS other_house, oq.date_tabled AS other_date_tabled,
    oq.date_answered AS other_date_answered, oq.heading AS other_heading, oq.url AS other_url,
    lr.verdict, lr.note AS review_note, lr.reviewer, lr.reviewed_at
"""


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _dept_key(department_id: str | None, body_name: str | None) -> str:
    """Group key: the canonical department, else the answering body as named."""
    return department_id if department_id else f"?{body_name or ''}"


def _dept_label(key: str, names: dict[str, str]) -> str:
    if not key.startswith("?"):
        return names.get(key, key)
    return f"{key[1:]} (no department mapping)" if key[1:] else "Unknown department"


def _summary(db: sqlite_utils.Database, query: _Query, names: dict[str, str]) -> dict[str, Any]:
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
        f"""WITH {_LATEST_REVIEW}
            SELECT coalesce(qd.department_id, m.department_id), q.answering_body_name,
                   substr(q.date_answered, 1, 4), r.category, m.evidence_kind, lr.verdict, count(*)
            {_PAIR_FROM} WHERE {query.pair_where} GROUP BY 1, 2, 3, 4, 5, 6""",
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
    names = _department_names(db)
    return _summary(db, _Query.build(db, filters, names), names)


def department_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Department id -> name."""
    return _department_names(db)


def pair_rows(db: sqlite_utils.Database, filters: ReportFilters = ReportFilters()) -> list[dict[str, Any]]:
    """The pairs within ``filters``, strongest first, each a dict with everything the report shows
    (question, answer, refusal, FOI or other answer, evidence, timing, latest review)."""
    names = _department_names(db)
    return _pairs(db, _Query.build(db, filters, names), names)


def _pairs(db: sqlite_utils.Database, query: _Query, names: dict[str, str]) -> list[dict[str, Any]]:
    """The pairs within the filters, strongest first, each with everything the reports show."""
    return list(_iter_pairs(db, query, names))


def _iter_pairs(db: sqlite_utils.Database, query: _Query, names: dict[str, str]) -> Iterator[dict[str, Any]]:
    """:func:`_pairs` one at a time, read from the cursor as they are needed."""
    limit = query.filters.limit
    sql = f"""WITH {_LATEST_REVIEW}
        SELECT {_PAIR_COLUMNS}
        {_PAIR_FROM}
        LEFT JOIN foi_documents d ON d.id = m.foi_document_id
        LEFT JOIN foi_requests f ON f.id = coalesce(m.foi_request_id, d.request_id)
        LEFT JOIN questions oq ON oq.id = m.other_question_id
        LEFT JOIN members asker ON asker.id = q.asking_member_id
        LEFT JOIN members minister ON minister.id = q.answering_member_id
        WHERE {query.pair_where}
        ORDER BY m.score IS NULL, m.score DESC, m.id
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
        row["question_link"] = _question_url(row["question_url"], row["date_tabled"], row["uin"])
        row["other_link"] = _question_url(row["other_url"], row["other_date_tabled"], row["other_uin"])
        row["timing"] = _timing(row)
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


def _question_url(url: str | None, date_tabled: str | None, uin: str | None) -> str | None:
    """The question's page on questions-statements.parliament.uk (stored, or built from date and UIN)."""
    if _safe_url(url):
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


def _timing(row: dict[str, Any]) -> str:
    """The time relation in words, e.g. 'FOI answered 56 days before the written answer'."""
    relation, gap = row["time_relation"], row["gap_days"]
    theirs = row["other_date_answered"] if row["target_kind"] == "answer" else row["foi_date"]
    if relation is None and theirs and row["date_answered"]:
        try:
            delta = (date.fromisoformat(theirs[:10]) - date.fromisoformat(row["date_answered"][:10])).days
        except ValueError:
            delta = None
        if delta is not None:
            relation, gap = ("same_day" if delta == 0 else "before" if delta < 0 else "after"), abs(delta)
    subject = "The other written answer was given" if row["target_kind"] == "answer" else "FOI answered"
    mine = "this written answer" if row["target_kind"] == "answer" else "the written answer"
    if relation == "same_day":
        return f"{subject} on the same day as {mine}"
    if relation in ("before", "after"):
        if gap is None:
            return f"{subject} {relation} {mine}"
        days = abs(int(gap))
        return f"{subject} {days:,} day{'' if days == 1 else 's'} {relation} {mine}"
    return "Timing unknown"


# ---------------------------------------------------------------------------------------------
# markdown text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&$])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCK_START = re.compile(r"^(?:(?:[-=]\s*)+|\d{1,9}[.)]|\+)$")  # setext underline, thematic break, bare marker
_URL_SAFE = "/:?#@!$&'*+,;=%~-._"


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def md_escape(text: Any) -> str:
    """Upstream text as inline markdown that shows exactly that text: no HTML, links, emphasis,
    code, tables, headings, strikethrough or maths. Line breaks become spaces."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(_clean(str(text)).split()))


def _escape_keep_lines(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _clean(text))


def _safe_url(url: Any) -> str | None:
    """``url`` ready for a markdown link destination, or None unless it is an http(s) address."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=_URL_SAFE)


def _link(label_md: str, url: Any) -> str:
    target = _safe_url(url)
    return f"[{label_md}]({target})" if target else label_md


def _expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words and trim its spaces, so ``**`` around it always renders as bold."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped for markdown, with each span in bold (line by line, so paragraphs survive)."""
    merged: list[list[int]] = []
    for start, end in sorted(_expand_to_words(text, s, e) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(_escape_keep_lines(text[pos:start]))
        lines = []
        for part in text[start:end].split("\n"):
            core = part.strip()
            if core:
                lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
                lines.append(f"{lead}**{_escape_keep_lines(core)}**{trail}")
            else:
                lines.append(part)
        out.append("\n".join(lines))
        pos = end
    out.append(_escape_keep_lines(text[pos:]))
    return "".join(out)


def _blockquote(escaped: str) -> str:
    """Escaped multi-line text as a blockquote: paragraphs kept, single line breaks kept (hard
    breaks), no line able to start a heading, code block, rule or list marker of its own."""
    lines = [line.strip() for line in escaped.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return "> *(no text)*\n"
    out = []
    for i, line in enumerate(lines):
        if not line:
            if out and out[-1] != ">":
                out.append(">")
            continue
        if _BLOCK_START.match(line):
            line = "\\" + line
        follows = i + 1 < len(lines) and lines[i + 1]
        out.append(f"> {line}" + ("  " if follows else ""))
    return "\n".join(out) + "\n"


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _find_whole(text: str, needle: str) -> Iterable[tuple[int, int]]:
    """Each place ``needle`` stands alone in ``text``: not inside a word or a longer number (so 50
    is not found in 507, 1,050 or 2.50)."""
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        before = at > 0 and (_word_char(text[at - 1]) or (at > 1 and text[at - 1] in ".," and text[at - 2].isdigit()))
        after = end < len(text) and (
            _word_char(text[end]) or (end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit())
        )
        if not before and not after:
            yield at, end
            at = text.find(needle, end)
        else:
            at = text.find(needle, at + 1)


def figure_spans(text: str, figures: list[dict[str, Any]]) -> tuple[list[tuple[int, int]], list[dict[str, Any]]]:
    """Where each figure's text is in ``text``, and the figures that are not there."""
    spans, missing = [], []
    for figure in figures:
        needle = str(figure.get("text") or "").strip()
        if not needle:
            continue
        found = list(_find_whole(text, needle))
        if found:
            spans.extend(found)
        else:
            missing.append(figure)
    return spans, missing


# ---------------------------------------------------------------------------------------------
# reasons


_NAME_KEYS = ("term", "rule", "name", "id", "text", "label")
_WEIGHT_KEYS = ("weight", "contribution", "score", "points", "value")
_TERM_KEYS = ("terms", "matched_terms")
# matcher internals (retrieval ranks, the FTS query) and what the section shows anyway (the
# department): the JSON keeps them, the markdown leaves them out
_REASONS_HIDDEN = frozenset({"retrieval", "query", "terms_source", "department"})


def _label(key: Any) -> str:
    return str(key).replace("_", " ")


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _int_runs(values: list[int], sep: str) -> str:
    """[2015, 2016, 2017, 2019] -> '2015–2017, 2019'."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return sep.join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _reason_value(value: Any, sep: str = ", ") -> str:
    """A reason's value in words: lists joined with ``sep``, weights in brackets, objects flattened
    as 'key value, key value' (their lists joined with '/')."""
    if isinstance(value, dict):
        return ", ".join(
            f"{_label(key)} {_reason_value(v, '/')}"
            if not isinstance(v, dict)
            else f"{_label(key)}: {_reason_value(v)}"
            for key, v in value.items()
            if v is not None and v != [] and v != {}
        )
    if isinstance(value, list):
        if value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return _int_runs(sorted(value), sep)
        items = []
        for item in value:
            if isinstance(item, dict):
                name = next((item[k] for k in _NAME_KEYS if item.get(k) is not None), None)
                weight = next((item[k] for k in _WEIGHT_KEYS if item.get(k) is not None), None)
                if name is not None:
                    items.append(f"{name} ({_number(weight)})" if weight is not None else str(name))
                    continue
            items.append(_reason_value(item))
        return sep.join(items)
    return _number(value) if value is not None else "none"


def _describe_terms(terms: Any) -> str:
    """'matched terms: trafficking (title, evidence), detention; not found: victims'."""
    if not isinstance(terms, list) or not all(isinstance(t, dict) and "term" in t for t in terms):
        return f"matched terms: {_reason_value(terms)}"
    found, missing = [], []
    for hit in terms:
        if hit.get("credit", 1) or hit.get("where"):
            where = hit.get("where") or []
            found.append(f"{hit['term']} ({', '.join(map(_label, where))})" if where else str(hit["term"]))
        else:
            missing.append(str(hit["term"]))
    text = f"matched terms: {', '.join(found) or 'none'}"
    return text + (f"; not found: {', '.join(missing)}" if missing else "")


def _describe_rule(name: str, rule: Any) -> str:
    """'period +0.10 (asked 2015–2019, target 2018, value 1)' or 'same department +0.20'."""
    if isinstance(rule, int | float) and not isinstance(rule, bool):
        return f"{_label(name)} {rule:+.2f}"
    if isinstance(rule, dict) and isinstance(rule.get("contribution"), int | float):
        details = _reason_value({k: v for k, v in rule.items() if k != "contribution"})
        return f"{_label(name)} {rule['contribution']:+.2f}" + (f" ({details})" if details else "")
    return f"{_label(name)}: {_reason_value(rule)}"


def describe_reasons(reasons: Any) -> list[str]:
    """The matcher's reasons as readable lines (plain text): matched terms, then rules with their
    contributions to the score, then anything else it recorded."""
    if not isinstance(reasons, dict):
        return [] if reasons in (None, [], "") else [_reason_value(reasons)]
    lines = []
    for key, value in reasons.items():
        if key in _REASONS_HIDDEN or value in (None, [], {}):
            continue
        if key in _TERM_KEYS:
            lines.append(_describe_terms(value))
        elif key == "rules" and isinstance(value, dict):
            lines.append("rules: " + "; ".join(_describe_rule(n, r) for n, r in value.items()))
        else:
            lines.append(f"{_label(key)}: {_reason_value(value)}")
    return lines


# ---------------------------------------------------------------------------------------------
# markdown


class _Slugger:
    """GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to
    hyphens, repeats numbered -1, -2..."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def slug(self, heading: str) -> str:
        text = "".join(
            ch
            for ch in heading.lower()
            if ch in " -" or unicodedata.category(ch)[0] in "LMN" or unicodedata.category(ch) == "Pc"
        ).replace(" ", "-")
        result = text
        while result in self.seen:
            self.seen[text] += 1
            result = f"{text}-{self.seen[text]}"
        self.seen[result] = 0
        return result


def _n(value: int) -> str:
    return f"{value:,}"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    align = ["---" if i < numeric_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _category_name(category: str | None) -> str:
    if not category or category == "unknown":
        return "unknown"
    return CATEGORY_NAMES.get(category, category.replace("_", " "))


def _pair_heading(row: dict[str, Any]) -> str:
    title = " ".join(str(row["heading"] or f"UIN {row['uin'] or row['question_id']}").split())
    return f"{row['rank']}. {title} — {row['department']}"


def _member(name: str | None, party: str | None) -> str:
    if not name:
        return "unknown"
    return md_escape(name) + (f" ({md_escape(party)})" if party else "")


def _write_markdown(
    out: TextIO,
    query: _Query,
    summary: dict[str, Any],
    pairs: Iterator[dict[str, Any]],
    listed: int,
    names: dict[str, str],
) -> None:
    slugs = _Slugger()
    parts: list[str] = []
    add = parts.append
    title = "Written answers that declined to give information, and the FOI releases that gave it"
    slugs.slug(title)
    add(f"# {title}\n\n")
    filters = query.describe(names)
    add(f"Filters: {md_escape('; '.join(filters))}.\n\n" if filters else "Filters: none.\n\n")

    slugs.slug("Summary")
    add("## Summary\n\n")
    span = ""
    if summary["first_answered"]:
        span = f", answered {summary['first_answered']} to {summary['last_answered']}"
    add(f"- **{_n(summary['answers'])}** substantive written answers read{md_escape(span)}.\n")
    refusals = summary["refusals"]
    partial = f" (of which {_n(summary['partial'])} partial)" if summary["partial"] else ""
    add(f"- **{_n(refusals)}** refusals{partial}: {_share(refusals, summary['answers'])} of the answers read.\n")
    line = f"- **{_n(summary['pairs'])}** matched pairs"
    if summary["evidence_kinds"]:
        kinds = ", ".join(
            f"{EVIDENCE_NAMES.get(k, k.replace('_', ' '))} {_n(v)}" for k, v in summary["evidence_kinds"].items()
        )
        line += f" ({md_escape(kinds)})"
    line += f"; **{_n(summary['reviewed'])}** reviewed, **{_n(summary['verdicts'].get('confirmed', 0))}** confirmed"
    others = [f"{_n(v)} {k.replace('-', ' ')}" for k, v in summary["verdicts"].items() if k != "confirmed"]
    add(line + (f" ({md_escape(', '.join(others))})" if others else "") + ".\n")
    if query.filters.limit is not None and summary["pairs"] > listed:
        add(f"- The {_n(listed)} strongest pairs are listed below.\n")
    versions = summary["versions"]
    if versions["classifier"] or versions["matcher"]:
        add(
            f"- Classifier {md_escape(', '.join(versions['classifier']) or 'unknown')}, "
            f"matcher {md_escape(', '.join(versions['matcher']) or 'unknown')}.\n"
        )
    add("\n")

    for heading, rows in _summary_tables(summary):
        slugs.slug(heading)
        add(f"### {heading}\n\n{rows}\n")

    first = list(islice(pairs, TOC_SIZE))  # the contents list these; the rest are written as they come
    if not first:
        slugs.slug("Pairs")
        add("## Pairs\n\n")
        if summary["pairs"]:
            add("No pairs listed (the limit is 0).\n")
        else:
            add("There are no matched pairs" + (" within these filters" if filters else "") + ".\n")
        out.write("".join(parts))
        return

    contents_slug = slugs.slug("Contents")
    slugs.slug("Pairs")  # in document order, as GitHub numbers repeated anchors
    heading_slugs = [slugs.slug(_pair_heading(row)) for row in first]
    add("## Contents\n\n")
    for row, slug in zip(first, heading_slugs, strict=True):
        verdict = f", {row['verdict']}" if row["verdict"] else ""
        add(f"{row['rank']}. [{md_escape(_pair_heading(row).split('. ', 1)[1])}](#{slug}) — score {_score(row)}")
        add(f"{md_escape(verdict)}\n")
    if listed > TOC_SIZE:
        add(f"\n…and {_n(listed - TOC_SIZE)} more below.\n")
    add("\n## Pairs\n")
    for row in chain(first, pairs):
        _pair_markdown(row, contents_slug, add)
        if len(parts) > 2000:
            out.write("".join(parts))
            parts.clear()
    out.write("".join(parts))


def _summary_tables(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The three summary tables (department, category, year) as (heading, markdown)."""
    refusals = summary["refusals"]
    departments = []
    for d in summary["by_department"]:
        share = _share(d["refusals"], d["answers"])
        departments.append([md_escape(d["department"]), _n(d["answers"]), _n(d["refusals"]), share, _n(d["pairs"])])
    categories = [
        [md_escape(_category_name(c["category"])), _n(c["refusals"]), _share(c["refusals"], refusals), _n(c["pairs"])]
        for c in summary["by_category"]
    ]
    years = [
        [md_escape(y["year"]), _n(y["answers"]), _n(y["refusals"]), _share(y["refusals"], y["answers"]), _n(y["pairs"])]
        for y in summary["by_year"]
    ]
    return [
        (
            "Refusals by department",
            _table(["Department", "Answers read", "Refusals", "Share", "Pairs"], departments)
            if departments
            else "No refusals.\n",
        ),
        (
            "Refusals by category",
            _table(["Category", "Refusals", "Share of refusals", "Pairs"], categories)
            if categories
            else "No refusals.\n",
        ),
        (
            "Refusals by year",
            _table(["Year answered", "Answers read", "Refusals", "Share", "Pairs"], years)
            if years
            else "No answers.\n",
        ),
    ]


def _score(row: dict[str, Any]) -> str:
    return "unscored" if row["score"] is None else f"{row['score']:.2f}"


def _date(value: str | None) -> str:
    return md_escape(value[:10]) if value else "unknown date"


def _pair_markdown(row: dict[str, Any], contents_slug: str, add) -> None:
    add(f"\n### {md_escape(_pair_heading(row))}\n\n")
    uin = md_escape(row["uin"] or row["question_id"])
    house = f" ({md_escape(row['house'])})" if row["house"] else ""
    add(
        f"- **Question:** {_link('UIN ' + uin, row['question_link'])}{house}, tabled {_date(row['date_tabled'])}, "
        f"answered {_date(row['date_answered'])}\n"
    )
    add(f"- **Asked by:** {_member(row['asker_name'], row['asker_party'])}\n")
    body = f", {md_escape(row['answering_body_name'])}" if row["answering_body_name"] else ""
    add(f"- **Answered by:** {_member(row['minister_name'], row['minister_party'])}{body}\n")
    if row["label"] in REFUSAL_LABELS:
        kind = "partial refusal, " if row["label"] == "partial" else ""
        add(f"- **Refusal:** {kind}{md_escape(_category_name(row['category']))}\n")
    if row["subject"] or row["period"]:
        about = md_escape(row["subject"] or "") + (f" ({md_escape(row['period'])})" if row["period"] else "")
        add(f"- **Information asked for:** {about.strip()}\n")
    add("\n**Question**\n\n")
    add(_blockquote(_escape_keep_lines(row["question_text"] or "")))
    add("\n**Answer** (refusal phrase in bold)\n\n" if row["span"] else "\n**Answer**\n\n")
    add(_blockquote(_highlight(row["answer_text"] or "", [row["span"]] if row["span"] else [])))
    add("\n")
    if row["target_kind"] == "answer":
        other = md_escape(row["other_uin"] or row["other_question_id"])
        heading = f": {md_escape(row['other_heading'])}" if row["other_heading"] else ""
        add(
            f"- **Other written answer:** {_link('UIN ' + other, row['other_link'])}{heading}, "
            f"answered {_date(row['other_date_answered'])}\n"
        )
    else:
        title = md_escape(row["foi_title"] or row["foi_id"] or row["foi_request_id"] or "untitled FOI request")
        add(f"- **{md_escape(EVIDENCE_NAMES.get(row['evidence_kind'] or '', 'FOI'))}:** {_link(title, row['foi_url'])}")
        details = [md_escape(row["foi_authority"]) if row["foi_authority"] else None]
        details.append(f"answered {_date(row['foi_date'])}")
        if row["foi_outcome"]:
            details.append("outcome: " + md_escape(row["foi_outcome"].replace("_", " ")))
        add(" — " + ", ".join(d for d in details if d) + "\n")
        if row["foi_document_id"]:
            name = md_escape(row["doc_title"] or row["doc_filename"] or "document")
            page = ""
            if row["evidence_page"] is not None:
                count = row["doc_page_count"]
                of = f" of {count:,}" if isinstance(count, int) and count >= row["evidence_page"] else ""
                page = f", page {row['evidence_page']:,}{of}"
            add(f"- **Document:** {_link(name, row['doc_url'])}{page}\n")
        elif row["evidence_page"] is not None:
            add(f"- **Page:** {row['evidence_page']:,}\n")
    add(f"- **Timing:** {md_escape(row['timing'])}\n")
    evidence = row["evidence_text"] or ""
    spans, missing = figure_spans(evidence, row["figures"])
    if evidence.strip():
        said = "The other answer said" if row["target_kind"] == "answer" else "The FOI response said"
        add(f"\n**{said}**" + (" (figures in bold)" if spans else "") + "\n\n")
        add(_blockquote(_highlight(evidence, spans)))
    if row["figures"]:
        listed, missing_ids = [], {id(f) for f in missing}
        for figure in row["figures"]:
            text = md_escape(figure.get("text") or _number(figure.get("value")))
            context = figure.get("context") if id(figure) in missing_ids else None
            listed.append(f"**{text}**" + (f" ({md_escape(context)})" if context else ""))
        add(f"\n- **Figures:** {'; '.join(listed)}\n")
    else:
        add("\n")
    add(f"- **Score:** {_score(row)}\n")
    for line in describe_reasons(row["reasons_obj"]):
        add(f"  - {md_escape(line[:1].upper() + line[1:])}\n")
    if row["verdict"]:
        by = f" by {md_escape(row['reviewer'])}" if row["reviewer"] else ""
        when = f" on {md_escape(row['reviewed_at'])}" if row["reviewed_at"] else ""
        note = f": {md_escape(row['review_note'])}" if row["review_note"] else ""
        add(f"- **Review:** {md_escape(row['verdict'])}{by}{when}{note}\n")
    else:
        add("- **Review:** not reviewed yet\n")
    add(f"\n[Back to contents](#{contents_slug})\n")


# ---------------------------------------------------------------------------------------------
# CSV and JSON

CSV_COLUMNS = (
    "rank",
    "match_id",
    "question_id",
    "uin",
    "house",
    "department_id",
    "department",
    "date_tabled",
    "date_answered",
    "question_url",
    "heading",
    "label",
    "category",
    "refusal_phrase",
    "target_kind",
    "evidence_kind",
    "foi_request_id",
    "foi_document_id",
    "foi_title",
    "foi_url",
    "foi_authority",
    "foi_date",
    "foi_outcome",
    "other_question_id",
    "other_uin",
    "other_date_answered",
    "other_url",
    "score",
    "time_relation",
    "gap_days",
    "timing",
    "evidence_page",
    "evidence_text",
    "evidence_figures",
    "verdict",
    "reviewer",
    "reviewed_at",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Any) -> Any:
    """Upstream text for a spreadsheet: a leading = + - @ is prefixed with ' so it is not a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _phrase_text(row: dict[str, Any]) -> str | None:
    if row["span"] and row["answer_text"]:
        return row["answer_text"][row["span"][0] : row["span"][1]]
    return row["phrase"] or row["match_phrase"]


def _csv_chunks(pairs: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The CSV report: the header, then a piece of text every CSV_CHUNK rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(pairs, 1):
        values = {
            **row,
            "foi_request_id": row["foi_request_id"] or row["foi_id"],
            "question_url": row["question_link"],
            "other_url": row["other_link"],
            "refusal_phrase": _phrase_text(row),
            "evidence_figures": "; ".join(str(f.get("text") or f.get("value") or "") for f in row["figures"]),
            "score": "" if row["score"] is None else repr(float(row["score"])),
        }
        writer.writerow([_csv_text(values[c]) for c in CSV_COLUMNS])  # URLs too: a stored one may start with =
        if n % CSV_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_pair(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "rank": row["rank"],
        "match_id": row["match_id"],
        "question_id": row["question_id"],
        "foi_request_id": row["foi_request_id"] or row["foi_id"],
        "foi_document_id": row["foi_document_id"],
        "other_question_id": row["other_question_id"],
        "score": row["score"],
        "reasons": row["reasons_obj"],
        "target_kind": row["target_kind"],
        "evidence_kind": row["evidence_kind"],
        "department_id": row["department_id"],
        "department": row["department"],
        "question": {
            "uin": row["uin"],
            "house": row["house"],
            "date_tabled": row["date_tabled"],
            "date_answered": row["date_answered"],
            "heading": row["heading"],
            "url": row["question_link"],
            "question_text": row["question_text"],
            "answer_text": row["answer_text"],
            "asked_by": {"name": row["asker_name"], "party": row["asker_party"]},
            "answered_by": {"name": row["minister_name"], "party": row["minister_party"]},
            "answering_body": row["answering_body_name"],
        },
        "refusal": {
            "label": row["label"],
            "category": row["category"],
            "phrase": _phrase_text(row),
            "phrase_start": row["span"][0] if row["span"] else None,
            "phrase_end": row["span"][1] if row["span"] else None,
            "subject": row["subject"],
            "period": row["period"],
        },
        "foi": None
        if row["target_kind"] == "answer" and not row["foi_id"]
        else {
            "title": row["foi_title"],
            "url": row["foi_url"],
            "authority": row["foi_authority"],
            "date_responded": row["foi_date"],
            "outcome": row["foi_outcome"],
            "document_title": row["doc_title"] or row["doc_filename"],
            "document_url": row["doc_url"],
            "page_count": row["doc_page_count"],
        },
        "other_question": None
        if row["other_question_id"] is None
        else {"uin": row["other_uin"], "date_answered": row["other_date_answered"], "url": row["other_link"]},
        "evidence_text": row["evidence_text"],
        "evidence_page": row["evidence_page"],
        "evidence_figures": row["figures"],
        "time_relation": row["time_relation"],
        "gap_days": row["gap_days"],
        "timing": row["timing"],
        "review": None
        if row["verdict"] is None
        else {
            "verdict": row["verdict"],
            "note": row["review_note"],
            "reviewer": row["reviewer"],
            "reviewed_at": row["reviewed_at"],
        },
        "matcher_version": row["matcher_version"],
        "classifier_version": row["classifier_version"],
    }


def _json_chunks(query: _Query, summary: dict[str, Any], pairs: Iterator[dict[str, Any]], listed: int) -> Iterator[str]:
    """The summary, then the pairs one piece of text each (the same text as one orjson document)."""
    document = {
        "summary": {
            "filters": {
                "departments": list(query.department_ids),
                "date_from": query.date_from,
                "date_to": query.date_to,
                "categories": list(query.categories),
                "min_score": query.filters.min_score,
                "limit": query.filters.limit,
            },
            **summary,
            "listed": listed,
        },
        "pairs": [],
    }
    head = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()
    assert head.endswith('"pairs": []\n}')
    yield head[: -len("[]\n}")] + "["
    for n, row in enumerate(pairs):
        item = orjson.dumps(json_pair(row), option=orjson.OPT_INDENT_2).decode().replace("\n", "\n    ")
        yield ("," if n else "") + "\n    " + item
    yield "\n  ]\n}\n" if listed else "]\n}\n"
