"""``pqcheck fetch questions`` run as a subprocess against the fake API, and what it stored."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from .apiserver import FakeParliamentAPI, strip_tags
from .cli import environment, pqcheck_executable

# pqcheck dates its runs in UTC; so does the data here
TODAY = datetime.now(UTC).date()
FROM = TODAY - timedelta(days=60)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        assert self.returncode == 0, self.stderr
        return json.loads(self.stdout)


def fetch(db_path: Path, api: FakeParliamentAPI, *args: str, retries: int = 2, backoff: float | None = None) -> Run:
    """``pqcheck fetch questions DB --api-url ... --json`` as a subprocess.

    ``backoff=None`` keeps pqcheck's default first-retry delay (1 s), so that a test can tell
    a ``Retry-After: 0`` from the backoff.
    """
    command = [
        pqcheck_executable(),
        "fetch",
        "questions",
        str(db_path),
        "--api-url",
        api.url,
        "--rate",
        "1000",
        "--retries",
        str(retries),
        "--timeout",
        "10",
        "--quiet",
        "--json",
        *(["--backoff", str(backoff)] if backoff is not None else []),
        *args,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment(), check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def rows_by_id(db_path: Path) -> dict[int, dict[str, Any]]:
    db = sqlite_utils.Database(db_path)
    rows = list(db["questions"].rows)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate question ids stored"
    return {row["id"]: row for row in rows}


def sync_state(db_path: Path) -> dict[str, Any]:
    states = list(sqlite_utils.Database(db_path)["sync_state"].rows)
    assert len(states) == 1, states
    return states[0]


def versions(db_path: Path, question_id: int) -> list[dict[str, Any]]:
    db = sqlite_utils.Database(db_path)
    return list(db["answer_versions"].rows_where("question_id = ?", [question_id], order_by="kind"))


def assert_complete(row: dict[str, Any], value: dict[str, Any]) -> None:
    """The stored row holds the full text of ``value`` (as the detail endpoint gives it)."""
    assert row["question_text"] == value["questionText"]
    assert row["question_text_truncated"] == 0
    assert row["answer_text_truncated"] == 0
    if value["answerIsHolding"]:
        assert row["answer_html"] is None
        assert row["holding_answer_text"] == strip_tags(value["answerText"])
    else:
        assert row["answer_html"] == value["answerText"]
        assert row["answer_text"] and "<p>" not in row["answer_text"]
