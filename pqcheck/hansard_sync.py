"""Hansard contributions into the database: the recipes behind ``pqcheck fetch hansard`` and
``pqcheck import hansard``.

A fetch saves each search page as it is read (one transaction a page), and asks for the debates
of contributions it has not stored yet only: a run that stops resumes where it was by searching
again, and a second run over the same range reads no debate twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import sqlite_utils

from .contributions import ContributionStats, save_contributions, stored_ids
from .http import HttpClient
from .progress import Progress
from .sources.hansard import API_BASE, HansardQuery, fetch_contributions
from .sources.hansard_files import read_contribution_file

BATCH = 500  # contributions saved per transaction by an import


@dataclass
class HansardResult:
    stats: ContributionStats
    already_stored: int = 0  # found by the search and stored before: not read again
    gaps: list[str] = field(default_factory=list)  # days the API would not search (HTTP 500)
    requests: int = 0


def fetch_hansard(
    db: sqlite_utils.Database,
    client: HttpClient,
    query: HansardQuery,
    *,
    base: str = API_BASE,
    progress: Progress | None = None,
    on_gap: Callable[[str], None] = lambda message: None,
) -> HansardResult:
    """Search spoken contributions for ``query`` and save the ones not stored yet, page by page."""
    progress = progress or Progress(quiet=True)
    result = HansardResult(ContributionStats())
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
        for page in fetch_contributions(client, query, base=base, wanted=wanted, on_gap=gap):
            result.stats.add(save_contributions(db, page))
            progress.advance(len(page))
    finally:
        progress.finish()
        result.requests = client.requests_made - before
    return result


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
