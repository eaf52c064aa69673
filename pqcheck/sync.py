"""Incremental, resumable sync of written questions: the recipes behind ``pqcheck fetch questions``
and ``pqcheck fetch details``.

A sync is keyed on its filters. The first run fetches the filters' whole range. Later runs
fetch what was answered, tabled or corrected since the last successful run began, less a
safety overlap. Each page is saved together with a checkpoint, so a run that stops resumes
from its last page and re-fetches nothing it already stored in full.

Fetching details replaces the text the list endpoint cut short with the detail endpoint's full
record. It asks only for what is still cut short, so a run that stops resumes where it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from .checkpoints import DEFAULT_OVERLAP_DAYS, begin_run, fail_run, finish_run, save_checkpoint
from .db import write_transaction
from .http import HttpClient
from .progress import Progress
from .questions import SaveStats, already_complete, cut_short_ids, save_questions
from .sources.parliament import (
    API_BASE,
    QuestionFilters,
    fetch_question_details,
    fetch_questions,
    wants_detail,
)

SOURCE = "parliament:questions"
FIRST_RUN_DAYS = 30
DETAILS_BATCH = 50  # detail records saved per transaction by fetch_details


@dataclass
class SyncResult:
    key: str
    passes: list[QuestionFilters]
    resumed: bool
    stats: SaveStats
    requests: int


def sync_key(filters: QuestionFilters) -> str:
    return f"{SOURCE}:{hashlib.sha1(filters.to_json().encode()).hexdigest()[:12]}"


def plan_passes(filters: QuestionFilters, since: date | None, today: date) -> list[QuestionFilters]:
    """The list queries one run makes: everything in range, or only what changed since ``since``.

    A first run with no date range at all fetches the answers of the last ``FIRST_RUN_DAYS``.
    """
    if since is None:
        if not any((filters.answered_from, filters.answered_to, filters.tabled_from, filters.tabled_to)):
            return [dataclasses.replace(filters, answered_from=today - timedelta(days=FIRST_RUN_DAYS))]
        return [filters]
    tabled_mode = filters.tabled_from is not None or filters.tabled_to is not None
    passes = []
    if tabled_mode:
        passes.append(dataclasses.replace(filters, tabled_from=max(filters.tabled_from or since, since)))
    passes.append(dataclasses.replace(filters, answered_from=max(filters.answered_from or since, since)))
    passes.append(dataclasses.replace(filters, corrected_from=since))
    return [p for p in passes if not _empty_range(p)]


def _empty_range(f: QuestionFilters) -> bool:
    return any(
        low and high and low > high for low, high in ((f.answered_from, f.answered_to), (f.tabled_from, f.tabled_to))
    )


def sync_questions(
    db: sqlite_utils.Database,
    client: HttpClient,
    filters: QuestionFilters,
    *,
    full: bool = False,
    overlap_days: int = DEFAULT_OVERLAP_DAYS,
    base: str = API_BASE,
    progress: Progress | None = None,
) -> SyncResult:
    """Fetch and save the questions ``filters`` selects, incrementally unless ``full``."""
    progress = progress or Progress(quiet=True)
    key = sync_key(filters)
    checkpoint = begin_run(
        db,
        key,
        SOURCE,
        filters.to_json(),
        lambda since, today: [p.to_json() for p in plan_passes(filters, since, today)],
        full=full,
        overlap_days=overlap_days,
    )
    passes = [QuestionFilters.from_json(p) for p in checkpoint.plan]
    start_pass, start_skip = checkpoint.pass_index, checkpoint.skip
    stats = SaveStats()
    requests_before = client.requests_made
    seen: set[int] = set()

    def needs_detail(value) -> bool:
        return wants_detail(value) and not already_complete(db, value)

    try:
        for index in range(start_pass, len(passes)):
            skip = start_skip if index == start_pass else 0
            batch = []
            started = False
            for item in fetch_questions(
                client, passes[index], base=base, start_skip=skip, needs_detail=needs_detail, seen=seen
            ):
                if not started:
                    progress.start(f"Questions (pass {index + 1}/{len(passes)})", max(item.total - skip, 0))
                    started = True
                batch.append(item)
                progress.advance()
                if item.end_of_page:
                    _save_page(db, key, batch, index, item.next_skip, stats)
                    batch = []
            save_checkpoint(db, key, index + 1, 0)
            progress.finish()
    except BaseException as exc:
        progress.finish()
        fail_run(db, key, exc)
        raise
    finish_run(db, checkpoint)
    return SyncResult(key, passes, checkpoint.resumed, stats, client.requests_made - requests_before)


def _save_page(db, key, batch, pass_index, next_skip, stats: SaveStats) -> None:
    with write_transaction(db):
        stats.add(save_questions(db, batch))
        save_checkpoint(db, key, pass_index, next_skip)


@dataclass
class DetailsResult:
    cut_short: int  # stored answers whose text was cut short when the run began
    missing: int  # of those, the ones the detail endpoint no longer has (404)
    stats: SaveStats
    requests: int


def fetch_details(
    db: sqlite_utils.Database,
    client: HttpClient,
    *,
    answering_bodies: tuple[int, ...] = (),
    answered_from: date | None = None,
    answered_to: date | None = None,
    base: str = API_BASE,
    progress: Progress | None = None,
) -> DetailsResult:
    """Fetch the full record of every stored answer whose text the list endpoint cut short (of
    these answering bodies, answered in this range) and save it; the saver keeps the fuller text.
    Saved every ``DETAILS_BATCH`` records, so a run that stops loses little, and a second run asks
    only for what is still cut short."""
    progress = progress or Progress(quiet=True)
    ids = cut_short_ids(db, answering_bodies=answering_bodies, answered_from=answered_from, answered_to=answered_to)
    stats, missing, batch = SaveStats(), 0, []
    requests_before = client.requests_made
    progress.start("Answers cut short", len(ids))
    try:
        for _, record in fetch_question_details(client, ids, base=base):
            if record is None:
                missing += 1
            else:
                batch.append(record)
            progress.advance()
            if len(batch) >= DETAILS_BATCH:
                done, batch = batch, []
                stats.add(save_questions(db, done))
    finally:  # what was fetched before a failure or an interruption is kept
        done, batch = batch, []
        progress.finish()
        stats.add(save_questions(db, done))
    return DetailsResult(len(ids), missing, stats, client.requests_made - requests_before)
