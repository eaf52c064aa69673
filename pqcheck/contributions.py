"""Saving Hansard contributions: records to ``contributions`` rows, keyed on ``ContributionExtId``.

The saver never makes HTTP calls. Each row keeps where it came from (``source_url``,
``fetched_at``, the raw payload) and its department: the debate's department when the debate
names one, else the department in the speaker's office ("The Secretary of State for Health and
Social Care (...)", "The Minister of State, Home Department (...)"), resolved with
:mod:`pqcheck.departments`. The full-text index over the debate title and the text is kept in
step in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlite_utils

from .db import fts_add, fts_remove, upsert_rows, write_transaction
from .departments import resolve_authority
from .records import Contribution

_OFFICE = re.compile(r"^(?:the\s+)?(.*?)\s*\([^()]*\)\s*$", re.IGNORECASE)  # "The Minister for X (Name)"
_OFFICE_OF = re.compile(r"(?:,\s*|\bfor\s+)(?:the\s+)?(.+)$", re.IGNORECASE)


@dataclass
class ContributionStats:
    """What one call to :func:`save_contributions` did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[str] = field(default_factory=list)

    def add(self, other: ContributionStats) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.ids.extend(other.ids)


def office_departments(attributed_to: str | None) -> list[str]:
    """The names a speaker's office may give its department by, most likely first:
    "The Minister of State, Home Department (Ben Wallace)" -> ["Home Department", "Secretary of
    State for the Home Department", ...]; [] when the attribution names no office."""
    office = _OFFICE.match(attributed_to or "")
    return department_names(office.group(1)) if office and _OFFICE_OF.search(office.group(1)) else []


def department_names(office: str) -> list[str]:
    """An office or department as written ("Secretary of State for Health and Social Care",
    "Minister of State, Home Department"), and the names of the department it may stand for."""
    found = _OFFICE_OF.search(office)
    if not found:
        return [office]
    name = found.group(1).strip()
    return [office, name, f"Secretary of State for the {name}", f"Secretary of State for {name}"]


def department_id(record: Contribution) -> str | None:
    """The canonical department of a contribution: the debate's, else the speaker's office's."""
    names = department_names(record.department) if record.department else []
    for name in [*names, *office_departments(record.attributed_to)]:
        if found := resolve_authority(name).department_id:
            return found
    return None


def contribution_row(record: Contribution) -> dict[str, Any]:
    """The ``contributions`` row of one record."""
    return {
        "id": record.ext_id,
        "house": record.house,
        "date": record.date,
        "member_id": record.member_id,
        "member_name": record.member_name,
        "attributed_to": record.attributed_to,
        "debate_title": record.debate_title,
        "debate_ext_id": record.debate_ext_id and record.debate_ext_id.upper(),
        "section": record.section,
        "department": record.department,
        "department_id": department_id(record),
        "text": record.text,
        "html": record.html,
        "url": record.url,
        "source_url": record.source_url,
        "fetched_at": record.fetched_at,
        "raw": orjson.dumps(record.raw).decode() if record.raw is not None else None,
    }


def stored_ids(db: sqlite_utils.Database, ids: list[str]) -> set[str]:
    """Those of ``ids`` (upper case) already stored."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in db.execute(f"SELECT id FROM contributions WHERE id IN ({marks})", chunk))
    return found


def save_contributions(db: sqlite_utils.Database, records: Iterable[Contribution]) -> ContributionStats:
    """Upsert a batch of contributions (the last of one id wins) in one transaction."""
    rows = {row["id"]: row for row in map(contribution_row, records)}
    stats = ContributionStats(ids=list(rows))
    if not rows:
        return stats
    with write_transaction(db):
        marks = ",".join("?" * len(rows))
        existing = dict(db.execute(f"SELECT id, raw FROM contributions WHERE id IN ({marks})", list(rows)).fetchall())
        changed = [row for key, row in rows.items() if key not in existing or existing[key] != row["raw"]]
        stats.unchanged = len(rows) - len(changed)
        stats.updated = sum(row["id"] in existing for row in changed)
        stats.inserted = len(changed) - stats.updated
        rewritten = [row["id"] for row in changed if row["id"] in existing]
        fts_remove(db, "contributions", rewritten, column="id")
        upsert_rows(db, "contributions", changed)
        fts_add(db, "contributions", [row["id"] for row in changed], column="id")
    return stats
