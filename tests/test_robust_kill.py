"""Kill tests: SIGKILL a pqcheck command at random (seeded) points, run it again to the end.

Each command runs as a subprocess (the installed console script) on a file database: ``fetch
questions`` against the fake API, ``import questions`` and ``import foi`` on a generated corpus
(bench/corpus.py), and ``match`` on a database imported and classified from one. After every
kill the database must be sound (``dbcheck.assert_sound``: integrity check, FTS5 indexes in step
with their tables, no duplicates, no half-written rows) and hold everything it held before; the
run that finishes must leave the same rows as one that was never interrupted.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import corpus
from pqcheck.classify import classify_db
from pqcheck.db import open_db
from pqcheck.foi import ingest
from pqcheck.importer import import_question_files
from pqcheck.sources.foi_files import read_foi_paths

from .support.apiserver import DROP, FakeParliamentAPI, fake_api, make_question_set
from .support.cli import command, environment
from .support.dbcheck import assert_kept, assert_sound, snapshot
from .support.fetch import FROM, TODAY, assert_complete, rows_by_id, sync_state

SEED = 61
KILLS = 3

api = pytest.fixture(fake_api, name="api")


def finish(args: list[str]) -> None:
    """Run to the end: exit status 0, no traceback."""
    run = subprocess.run(args, capture_output=True, text=True, timeout=300, env=environment(), check=False)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr


def count(db_path: Path, table: str) -> int:
    """Rows in ``table`` as another process sees them (0 before the file or the table exists)."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def run_and_kill(args: list[str], ready: Callable[[float], bool], rng: random.Random) -> bool:
    """Start ``args``; SIGKILL it once ``ready(seconds since the start)`` (and a few random
    milliseconds more). True if it was killed, False if it finished first."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment())
    started = time.monotonic()
    while process.poll() is None and time.monotonic() < started + 120:
        if ready(time.monotonic() - started):
            time.sleep(rng.uniform(0, 0.03))
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == -signal.SIGKILL:
        return True
    assert process.returncode == 0, stderr.decode()
    return False


def kill_and_rerun(args: list[str], db_path: Path, table: str, total: int, rng: random.Random) -> int:
    """Kill ``args`` ``KILLS`` times, each once ``table`` holds a random number of rows (the first
    time: at a random moment of its start), checking the database after each; then run it to
    the end. Returns how many kills left ``table`` part-written."""
    before = snapshot(db_path) if db_path.exists() else None
    early = rng.uniform(0.05, 0.5)
    targets = [None, *sorted(rng.sample(range(1, total), KILLS - 1))]
    part_written = 0
    for target in targets:
        if target is None:
            killed = run_and_kill(args, lambda seconds: seconds > early, rng)
        else:
            killed = run_and_kill(args, lambda _, t=target: count(db_path, table) >= t, rng)
        if not db_path.exists():
            continue
        assert_sound(db_path)
        now = snapshot(db_path)
        if before is not None:
            assert_kept(before, now)
        before = now
        part_written += killed and 0 < len(now[table]) < total
    finish(args)
    assert_sound(db_path)
    if before is not None:
        assert_kept(before, snapshot(db_path))
    return part_written


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Path]:
    """A large corpus for the imports, and a small one for matching (about 600 refusals and partial
    answers, so more than one batch of 500)."""
    folders = {}
    for name, answers, foi in (("imports", 20000, 800), ("match", 10000, 1000)):
        folders[name] = tmp_path_factory.mktemp(name)
        args = ["--answers", answers, "--foi", foi, "--seed", SEED, "--workers", 1, "--quiet"]
        assert corpus.main([*map(str, args), "--out", str(folders[name])]) == 0
    return folders


@pytest.mark.parametrize(("what", "table"), [("questions", "questions"), ("foi", "foi_requests")])
def test_import_killed_and_rerun(corpora, tmp_path, what, table):
    source = corpora["imports"] / ("answers.jsonl" if what == "questions" else "foi.jsonl")
    reference, db_path = tmp_path / "reference.db", tmp_path / "pq.db"
    finish(command("import", what, reference, source, "--quiet"))
    expected = snapshot(reference)

    part_written = kill_and_rerun(
        command("import", what, db_path, source, "--quiet"), db_path, table, len(expected[table]), random.Random(SEED)
    )

    assert part_written, "no kill caught the import half way"
    assert snapshot(db_path) == expected


@pytest.fixture(scope="module")
def classified(corpora, tmp_path_factory) -> Path:
    """A database with the small corpus imported and classified, checkpointed into one file."""
    path = tmp_path_factory.mktemp("classified") / "classified.db"
    db = open_db(path)
    import_question_files(db, [corpora["match"] / "answers.jsonl"])
    ingest(db, read_foi_paths([corpora["match"] / "foi.jsonl"], print))
    classify_db(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def test_match_killed_and_rerun(classified, tmp_path):
    reference, db_path = tmp_path / "reference.db", tmp_path / "pq.db"
    for path in (reference, db_path):
        shutil.copy(classified, path)
    finish(command("match", reference, "--quiet"))
    expected = snapshot(reference)
    assert len(expected["matches"]) > 500

    part_written = kill_and_rerun(
        command("match", db_path, "--quiet"), db_path, "matches", len(expected["matches"]), random.Random(SEED)
    )

    assert part_written, "no kill caught the matcher half way"
    assert snapshot(db_path) == expected


def test_fetch_killed_at_random_requests_and_resumed(api: FakeParliamentAPI, tmp_path):
    """The fake API kills the client just before answering a request picked at random."""
    api.add(*make_question_set(400, today=TODAY))
    db_path = tmp_path / "pq.db"
    args = command(
        "fetch", "questions", db_path, "--api-url", api.url, "--from", FROM, "--rate", 1000, "--retries", 0, "--quiet"
    )
    rng = random.Random(SEED)
    before, part_written = None, 0
    for _ in range(KILLS):
        started: list[subprocess.Popen] = []
        number = api.mark() + rng.randint(1, 150)
        api.add_hook(lambda api, request, p=started: p[0].send_signal(signal.SIGKILL), number=number)
        api.add_fault(DROP, number=number)  # the client is gone: hang up quietly
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment())
        started.append(process)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == -signal.SIGKILL, stderr.decode()
        assert_sound(db_path)
        now = snapshot(db_path)
        if before is not None:
            assert_kept(before, now)
        before = now
        part_written += 0 < len(now["questions"]) < 400
        assert sync_state(db_path)["status"] == "running"

    finish(args)

    assert part_written, "no kill caught the fetch half way"
    assert_sound(db_path)
    assert_kept(before, snapshot(db_path))
    rows = rows_by_id(db_path)
    assert set(rows) == set(api.questions)
    for qid, value in api.questions.items():
        assert_complete(rows[qid], value)
    assert sync_state(db_path)["status"] == "ok"
