"""Reviews: a person's verdict on a matched pair, with who and when.

Verdicts live in ``reviews``, keyed by the match's stable id (a hash of the question and the FOI or
other answer), and nothing but this module writes them: re-fetching, re-classifying and re-matching
leave them alone, and a pair found again after a re-match shows its verdict again. A pair may be
reviewed several times; the latest review is its verdict. Reviews can be exported and imported
(CSV or JSON) so that a team can pool its work; an import adds only the reviews not already there.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils

from . import jsonsafe
from .db import write_transaction
from .errors import BadInput
from .pairs import ReportFilters, pair_rows
from .records import iso_utc
from .text import csv_safe, csv_unquote
from .vocabulary import UNREVIEWED, VERDICTS

MIN_PREFIX = 6  # a match id may be given by its first characters, at least this many
MATCH_ID_LENGTH = 40  # a sha1 in hex (pqcheck.match.match_id)
HEX_DIGITS = frozenset("0123456789abcdef")
MAX_NOTE = 4000
MAX_REVIEWER = 200
EXPORT_COLUMNS = ("match_id", "verdict", "note", "reviewer", "reviewed_at", "question_id", "target")
FIRST_YEAR, LAST_YEAR = 1900, 9999  # reviewed_at, in UTC: four digits, so that it sorts and reads back
FORMATS = ("csv", "json")


@dataclass
class ImportStats:
    read: int = 0
    added: int = 0
    already_there: int = 0
    unknown_pairs: int = 0  # added, for pairs this database does not hold (yet)
    problems: list[str] = field(default_factory=list)  # rows left out, with why


def normalise_verdict(verdict: str) -> str:
    """``confirmed``, ``rejected`` or ``not-comparable`` (also accepts ``not comparable``,
    ``not_comparable`` and any case)."""
    value = "-".join(_text("verdict", verdict).strip().lower().replace("_", " ").split())
    if value not in VERDICTS:
        raise BadInput(f"unknown verdict '{verdict}': use one of {', '.join(VERDICTS)}")
    return value


def default_reviewer() -> str:
    """Who is reviewing: $PQCHECK_REVIEWER, else the login name."""
    try:
        return os.environ.get("PQCHECK_REVIEWER") or getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def resolve_match_id(db: sqlite_utils.Database, given: str) -> str:
    """The full id of a stored pair from its id or the first characters of it (at least 6)."""
    given = (given or "").strip().lower()
    if len(given) < MIN_PREFIX or not all(c in HEX_DIGITS for c in given):
        raise BadInput(f"'{given}' is not a match id: give the id shown by report or search (at least 6 characters)")
    found = [
        row[0] for row in db.execute("SELECT id FROM matches WHERE id >= ? AND id < ? LIMIT 3", [given, given + "g"])
    ]
    if not found:
        raise BadInput(f"no matched pair has an id starting '{given}'")
    if len(found) > 1:
        raise BadInput(f"'{given}' fits several pairs ({', '.join(found[:2])}, ...): give more of the id")
    return found[0]


def record_review(
    db: sqlite_utils.Database,
    match_id: str,
    verdict: str,
    *,
    note: str | None = None,
    reviewer: str | None = None,
    reviewed_at: str | None = None,
) -> dict[str, Any]:
    """Record a verdict on the stored pair ``match_id`` (or a unique prefix of it); returns the row."""
    full_id = resolve_match_id(db, match_id)
    row = _review_row(full_id, normalise_verdict(verdict), note, reviewer or default_reviewer(), reviewed_at)
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO reviews (match_id, verdict, note, reviewer, reviewed_at) VALUES (?, ?, ?, ?, ?)",
            [row["match_id"], row["verdict"], row["note"], row["reviewer"], row["reviewed_at"]],
        )
    return {"id": cursor.lastrowid, **row}


def _review_row(match_id: str, verdict: str, note: Any, reviewer: Any, reviewed_at: Any) -> dict[str, Any]:
    note = _text("note", note).strip()
    reviewer = " ".join(_text("reviewer", reviewer).split())
    if len(note) > MAX_NOTE:
        raise BadInput(f"the note is {len(note):,} characters long: keep it under {MAX_NOTE:,}")
    if not reviewer or len(reviewer) > MAX_REVIEWER:
        raise BadInput(f"the reviewer's name must be 1 to {MAX_REVIEWER} characters")
    return {
        "match_id": match_id,
        "verdict": verdict,
        "note": note or None,
        "reviewer": reviewer,
        "reviewed_at": _timestamp(reviewed_at),
    }


def _text(name: str, value: Any) -> str:
    """``value`` as stored text ("" for none), or :class:`BadInput` if it is not text that UTF-8 can
    hold (a number or a JSON object in an imported file, undecodable bytes from the command line)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(f"the {name} must be text, not {_json_kind(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadInput(f"the {name} is not valid UTF-8 text (at character {exc.start + 1})") from exc
    return value


def _json_kind(value: Any) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", dict: "an object", list: "a list"}
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), type(value).__name__)


def _timestamp(value: Any) -> str:
    """An ISO 8601 UTC time to the second (``YYYY-MM-DDTHH:MM:SS+00:00``, as every timestamp pqcheck
    writes): now, or ``value`` read as ISO 8601 (``Z`` or an offset), which must fall in the years
    1900 to 9999 in UTC."""
    if value is None or value == "":
        moment = datetime.now(UTC)
    else:
        text = _text("reviewed_at", value).strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except ValueError as exc:
            raise BadInput(f"'{value}' is not a date and time (ISO 8601, e.g. 2026-11-21T10:30:00Z)") from exc
        except OverflowError:  # before the year 1 or after 9999 once in UTC
            moment = None
        if moment is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise BadInput(f"'{value}' is not between the years {FIRST_YEAR} and {LAST_YEAR} (in UTC)")
    return iso_utc(moment)


def next_pairs(
    db: sqlite_utils.Database, filters: ReportFilters = ReportFilters(), *, skip: Iterable[str] = (), count: int = 1
) -> list[dict[str, Any]]:
    """The strongest pairs without a verdict (within ``filters``), leaving out ``skip``."""
    skip = set(skip)
    rows = pair_rows(db, replace(filters, verdicts=(UNREVIEWED,), limit=len(skip) + count))
    return [row for row in rows if row["match_id"] not in skip][:count]


def reviews_of(db: sqlite_utils.Database, match_id: str) -> list[dict[str, Any]]:
    """Every review of one pair, latest first."""
    cursor = db.execute(
        "SELECT id, match_id, verdict, note, reviewer, reviewed_at FROM reviews WHERE match_id = ? "
        "ORDER BY reviewed_at DESC, id DESC",
        [match_id],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# export and import


def export_reviews(db: sqlite_utils.Database, out: TextIO, fmt: str = "csv") -> int:
    """Write every review (oldest first) as CSV or JSON; returns how many."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown format '{fmt}': use csv or json")
    cursor = db.execute(
        """SELECT r.match_id, r.verdict, r.note, r.reviewer, r.reviewed_at, m.question_id,
                  coalesce(m.foi_request_id, m.foi_document_id, CAST(m.other_question_id AS TEXT))
           FROM reviews r LEFT JOIN matches m ON m.id = r.match_id ORDER BY r.reviewed_at, r.id"""
    )
    rows = [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    if fmt == "json":
        out.write(json.dumps({"reviews": rows}, indent=2, ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
    return len(rows)


def import_reviews(db: sqlite_utils.Database, path: str | Path) -> ImportStats:
    """Add the reviews in a CSV or JSON file written by :func:`export_reviews` (or by hand: columns
    match_id, verdict, note, reviewer, reviewed_at). Reviews already there are not added twice; a
    row that cannot be read is left out and said why; nothing stored is changed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from exc
    records = _read_records(text, path)
    with write_transaction(db):  # what is there is read in the transaction that adds
        return _add_reviews(db, records)


def _add_reviews(db: sqlite_utils.Database, records: list[tuple[str, dict[str, Any]]]) -> ImportStats:
    """Add the reviews not already there (inside a write transaction)."""
    stats = ImportStats()
    known = {tuple(row) for row in db.execute("SELECT match_id, verdict, note, reviewer, reviewed_at FROM reviews")}
    undated = {key[:4] for key in known}  # a row without reviewed_at is timed now: it is there if all else is
    matches = {row[0] for row in db.execute("SELECT id FROM matches")}
    new = []
    for where, record in records:
        stats.read += 1
        try:
            match_id = _import_match_id(db, record.get("match_id"), matches)
            row = _review_row(
                match_id,
                normalise_verdict(record.get("verdict")),
                record.get("note"),
                record.get("reviewer"),
                record.get("reviewed_at"),
            )
        except BadInput as exc:
            stats.problems.append(f"{where}: {exc}")
            continue
        key = tuple(row[c] for c in ("match_id", "verdict", "note", "reviewer", "reviewed_at"))
        if key in known or (not record.get("reviewed_at") and key[:4] in undated):
            stats.already_there += 1
            continue
        known.add(key)
        undated.add(key[:4])
        new.append(row)
        stats.added += 1
        stats.unknown_pairs += match_id not in matches
    db.conn.executemany(
        "INSERT INTO reviews (match_id, verdict, note, reviewer, reviewed_at) "
        "VALUES (:match_id, :verdict, :note, :reviewer, :reviewed_at)",
        new,
    )
    return stats


def _import_match_id(db: sqlite_utils.Database, given: Any, matches: set[str]) -> str:
    """The match id of an imported review: a full id (of a pair this database may not hold yet), or
    the unique prefix of a stored pair's id."""
    match_id = _text("match_id", given).strip().lower()
    if not match_id:
        raise BadInput("no match_id")
    if match_id in matches or (len(match_id) == MATCH_ID_LENGTH and all(c in HEX_DIGITS for c in match_id)):
        return match_id
    return resolve_match_id(db, match_id)


def _read_records(text: str, path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(where, record) for each review in a JSON ({"reviews": [...]} or [...]) or CSV file."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = jsonsafe.loads(text)
        except ValueError as exc:
            raise BadInput(f"{path} is not valid JSON: {exc}") from exc
        items = data.get("reviews") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise BadInput(f"{path}: expected a list of reviews, or an object with a 'reviews' list")
        return [(f"{path.name} item {i}", item if isinstance(item, dict) else {}) for i, item in enumerate(items, 1)]
    reader = csv.DictReader(io.StringIO(text))
    try:
        if not reader.fieldnames or "match_id" not in reader.fieldnames or "verdict" not in reader.fieldnames:
            raise BadInput(f"{path} is neither JSON nor CSV with match_id and verdict columns")
        return [
            (f"{path.name} line {reader.line_num}", {key: csv_unquote(value) for key, value in row.items()})
            for row in reader
        ]
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise BadInput(f"{path.name} line {reader.line_num}: not readable as CSV ({exc}); nothing imported") from exc
