"""Hansard contributions into the database: the recipes behind ``pqcheck fetch hansard`` and
``pqcheck import hansard``.

A fetch is keyed on its query and kept in ``sync_state`` (:mod:`pqcheck.checkpoints`), as
``fetch questions`` is. The first run searches the query's whole range; a later run searches
only from the start of the last successful run, less an overlap (``full`` searches it all
again). Each search page is saved with its checkpoint (the date windows as split so far, the
window and the skip) in one transaction, so a run that stops resumes at its last page; and only
the debates of contributions not stored yet are read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path

import sqlite_utils

from .checkpoints import DEFAULT_OVERLAP_DAYS, begin_run, fail_run, finish_run, save_checkpoint
from .contributions import ContributionStats, save_contributions, stored_ids
from .db import write_transaction
from .http import HttpClient
from .progress import Progress
from .sources.hansard import API_BASE, HansardQuery, Window, fetch_contributions
from .sources.hansard_files import read_contribution_file

SOURCE = "hansard:spoken"
BATCH = 500  # contributions saved per transaction by an import


@dataclass
class HansardResult:
    stats: ContributionStats
    windows: list[Window] = field(default_factory=list)  # the date windows searched (as split)
    resumed: bool = False
    already_stored: int = 0  # found by the search and stored before: not read again
    gaps: list[str] = field(default_factory=list)  # days the API would not search (HTTP 500)
    requests: int = 0


def sync_key(query: HansardQuery) -> str:
    return f"{SOURCE}:{hashlib.sha1(query.to_json().encode()).hexdigest()[:12]}"


def plan_windows(query: HansardQuery, since: date | None, today: date) -> list[Window]:
    """The date windows one run searches: the query's range, or from ``since`` on (to today when
    the query has no end); none when that range is empty."""
    if since is None:
        return [(query.date_from, query.date_to)]
    low = max(query.date_from or since, since)
    high = query.date_to or today
    return [(low, high)] if low <= high else []


def fetch_hansard(
    db: sqlite_utils.Database,
    client: HttpClient,
    query: HansardQuery,
    *,
    full: bool = False,
    overlap_days: int = DEFAULT_OVERLAP_DAYS,
    base: str = API_BASE,
    progress: Progress | None = None,
    on_gap: Callable[[str], None] = lambda message: None,
) -> HansardResult:
    """Search spoken contributions for ``query`` and save the ones not stored yet, page by page,
    incrementally unless ``full``, resuming a run that stopped."""
    progress = progress or Progress(quiet=True)
    key = sync_key(query)
    checkpoint = begin_run(
        db,
        key,
        SOURCE,
        query.to_json(),
        lambda since, today: [_window_json(w) for w in plan_windows(query, since, today)],
        full=full,
        overlap_days=overlap_days,
    )
    windows = [_window_of(w) for w in checkpoint.plan]
    result = HansardResult(ContributionStats(), windows, checkpoint.resumed)
    before = client.requests_made

    def wanted(ids: list[str]) -> set[str]:
        stored = stored_ids(db, ids)
        result.already_stored += len(stored)
        return set(ids) - stored

    def gap(message: str) -> None:
        result.gaps.append(message)
        on_gap(message)

    progress.start("Hansard contributions", None)
    try:
        for records, page in fetch_contributions(
            client,
            query,
            windows,
            start=checkpoint.pass_index,
            skip=checkpoint.skip,
            base=base,
            wanted=wanted,
            on_gap=gap,
        ):
            with write_transaction(db):
                result.stats.add(save_contributions(db, records))
                plan = [_window_json(w) for w in page.windows]
                save_checkpoint(db, key, page.next_window, page.next_skip, plan)
            result.windows = page.windows
            progress.advance(len(records))
    except BaseException as exc:
        fail_run(db, key, exc)
        raise
    finally:
        progress.finish()
        result.requests = client.requests_made - before
    finish_run(db, checkpoint)
    return result


def _window_json(window: Window) -> list[str | None]:
    return [day and day.isoformat() for day in window]


def _window_of(value: list[str | None]) -> Window:
    low, high = (date.fromisoformat(day) if day else None for day in value)
    return low, high


def import_hansard_files(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    on_problem: Callable[[str], None] = lambda message: None,
) -> ContributionStats:
    """Save every contribution in ``paths``. Each file is read whole before anything from it is
    saved; what earlier files stored stays stored if a later one is bad."""
    progress = progress or Progress(quiet=True)
    stats = ContributionStats()
    for path in paths:
        records = read_contribution_file(path, on_problem)
        progress.start(f"Importing {Path(path).name}", len(records))
        found = iter(records)
        while batch := list(islice(found, BATCH)):
            stats.add(save_contributions(db, batch))
            progress.advance(len(batch))
        progress.finish()
    return stats
