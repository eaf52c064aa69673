"""The checkpoint of an incremental, resumable fetch: one ``sync_state`` row per source and filters.

A run begins by reading its row. A run that stopped (status ``running``) resumes its saved plan
at the saved pass and skip. Otherwise the caller plans the run afresh: its whole range the first
time (or with ``full``), else only what is new since the last successful run began, less an
overlap. The caller saves each page together with :func:`save_checkpoint` in one transaction, and
the run ends with :func:`finish_run` (status ``ok``) or :func:`fail_run` (the error kept, the
checkpoint left for the next run to resume).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from .records import now_iso

DEFAULT_OVERLAP_DAYS = 3


@dataclass
class Checkpoint:
    """Where a run starts: its plan (a JSON list of passes), the pass and the skip within it."""

    key: str
    plan: list[Any]
    pass_index: int
    skip: int
    started_at: str
    resumed: bool


def begin_run(
    db: sqlite_utils.Database,
    key: str,
    source: str,
    filters_json: str,
    plan_for: Callable[[date | None, date], list[Any]],
    *,
    full: bool = False,
    overlap_days: int = DEFAULT_OVERLAP_DAYS,
) -> Checkpoint:
    """The run's checkpoint: the stopped run's, else a new plan from ``plan_for(since, today)``
    (``since`` None for a whole range), marked ``running``."""
    state = next(db["sync_state"].rows_where("key = ?", [key]), None)
    if state and state["status"] == "running" and not full:
        checkpoint = Checkpoint(
            key, json.loads(state["plan"]), state["pass_index"], state["skip"], state["started_at"], True
        )
    else:
        since = None
        if state and state["last_success_at"] and not full:
            since = date.fromisoformat(state["last_success_at"][:10]) - timedelta(days=overlap_days)
        started_at = now_iso()
        checkpoint = Checkpoint(key, plan_for(since, date.fromisoformat(started_at[:10])), 0, 0, started_at, False)
    db["sync_state"].upsert(
        {
            "key": key,
            "source": source,
            "filters": filters_json,
            "status": "running",
            "plan": json.dumps(checkpoint.plan),
            "pass_index": checkpoint.pass_index,
            "skip": checkpoint.skip,
            "started_at": checkpoint.started_at,
            "last_error": None,
        },
        pk="key",
    )
    return checkpoint


def save_checkpoint(
    db: sqlite_utils.Database, key: str, pass_index: int, skip: int, plan: list[Any] | None = None
) -> None:
    """Where the run would resume now (and its plan, if it changed as it ran)."""
    values: dict[str, Any] = {"pass_index": pass_index, "skip": skip}
    if plan is not None:
        values["plan"] = json.dumps(plan)
    db["sync_state"].update(key, values)


def fail_run(db: sqlite_utils.Database, key: str, exc: BaseException) -> None:
    """Keep the error; the checkpoint stays for the next run to resume."""
    db["sync_state"].update(key, {"last_error": str(exc) or type(exc).__name__})


def finish_run(db: sqlite_utils.Database, checkpoint: Checkpoint) -> None:
    """The run is done: the next one fetches what is new since it began."""
    db["sync_state"].update(
        checkpoint.key,
        {"status": "ok", "finished_at": now_iso(), "last_success_at": checkpoint.started_at, "last_error": None},
    )
