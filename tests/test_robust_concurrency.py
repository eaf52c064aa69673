"""Two pqcheck processes on one database: they take turns, and neither corrupts the other's work.

Every saver reads what it decides on inside the ``BEGIN IMMEDIATE`` transaction that writes
(``db.write_transaction``). Before, ``import questions`` read which rows existed before its write
transaction began, so two runs at once indexed every row twice (an FTS5 index malformed for good),
and three ``review --import`` runs of one file stored every review three times. The races run the
real CLI in parallel processes, repeated; the stale read is replayed step by step with threads.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import threading
import time

import pytest

from pqcheck.db import open_db
from pqcheck.questions import save_questions
from pqcheck.records import QuestionRecord

from .support.cli import command, environment
from .support.dbcheck import assert_sound
from .support.factories import LONG_ANSWER, LONG_QUESTION, list_response, list_view, question_value

ANSWERS = 8000
ROUNDS = 4
REVIEWS = 3000
API = "https://questions-statements-api.parliament.uk/api/writtenquestions/questions"


def run_together(args_list: list[list[str]], env: dict[str, str] | None = None) -> list[subprocess.CompletedProcess]:
    """Start every command at once and wait for all of them."""
    processes = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or environment())
        for args in args_list
    ]
    done = []
    for process, args in zip(processes, args_list, strict=True):
        stdout, stderr = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(args, process.returncode, stdout, stderr))
    return done


@pytest.fixture(scope="module")
def answers_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("answers") / "answers.json"
    values = [
        question_value(
            2_000_000 + i,
            uin=str(100000 + i),
            heading=f"Prisons: Staff {i}",
            answerText=f"<p>In {2010 + i % 10} there were {i} officers in post at establishment {i % 97}.</p>",
        )
        for i in range(ANSWERS)
    ]
    path.write_bytes(json.dumps(list_response(values)).encode())
    return path


def test_two_question_imports_at_once_keep_the_full_text_index_sound(answers_file, tmp_path):
    for round_ in range(ROUNDS):
        db_path = tmp_path / f"pq{round_}.db"
        open_db(db_path).close()  # the race is between the saves, not the making of the file
        runs = run_together([command("import", "questions", db_path, answers_file, "--quiet")] * 2)
        for run in runs:
            assert run.returncode == 0, run.stderr
            assert "Traceback" not in run.stderr
        assert_sound(db_path)
        conn = sqlite3.connect(db_path)
        assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] == ANSWERS
        hits = conn.execute("SELECT count(*) FROM questions_fts WHERE questions_fts MATCH 'officers'").fetchone()[0]
        assert hits == ANSWERS
        conn.close()


def test_three_review_imports_of_one_file_at_once_add_each_review_once(demo_copy, tmp_path):
    conn = sqlite3.connect(demo_copy)
    ids = [row[0] for row in conn.execute("SELECT id FROM matches ORDER BY id")]
    conn.close()
    assert len(ids) >= 3
    reviews = tmp_path / "reviews.csv"
    with reviews.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["match_id", "verdict", "note", "reviewer", "reviewed_at"])
        for n in range(REVIEWS):  # enough rows that reading them takes a while: the race's window
            writer.writerow([ids[n % len(ids)], "confirmed", f"note {n}", "A. Researcher", "2026-12-01T10:00:00Z"])
    for _ in range(ROUNDS):
        runs = run_together([command("review", demo_copy, "--import", reviews)] * 3)
        for run in runs:
            assert run.returncode == 0, run.stderr
        conn = sqlite3.connect(demo_copy)
        stored = conn.execute("SELECT note, count(*) FROM reviews GROUP BY note HAVING count(*) > 1").fetchall()
        assert stored == [], f"{len(stored)} reviews stored more than once"
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == REVIEWS
        conn.close()
        added = sum(int(run.stdout.split()[0]) for run in runs)
        assert added in (0, REVIEWS)  # one run added them all (in the first round), the others none


def hold_write_lock(db_path):
    """A connection holding the database's write lock, as another pqcheck mid-save would."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_writer_that_cannot_get_the_lock_says_so_in_one_line(answers_file, tmp_path):
    db_path = tmp_path / "pq.db"
    open_db(db_path).close()
    holder = hold_write_lock(db_path)
    try:
        env = {**environment(), "PQCHECK_LOCK_WAIT": "0.5"}
        run = subprocess.run(
            command("import", "questions", db_path, answers_file, "--quiet"),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        holder.rollback()
        holder.close()
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "Error: another pqcheck is writing to this database; try again when it has finished"
    ]
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM questions").fetchone()[0] == 0


def test_reading_commands_work_while_another_process_holds_the_write_lock(demo_copy, tmp_path):
    """A read never writes, so it needs no lock: search, report and export answer at once."""
    holder = hold_write_lock(demo_copy)
    env = {**environment(), "PQCHECK_LOCK_WAIT": "0.5"}
    try:
        for args in (
            ["search", demo_copy, "trafficking"],
            ["report", demo_copy, "-o", tmp_path / "report.md"],
            ["review", demo_copy, "--export", tmp_path / "reviews.csv"],
        ):
            run = subprocess.run(command(*args), capture_output=True, text=True, env=env, timeout=120)
            assert run.returncode == 0, (args, run.stderr)
    finally:
        holder.rollback()
        holder.close()
    assert "trafficking" in (tmp_path / "report.md").read_text().lower()


def test_a_cut_short_record_saved_while_another_process_stores_the_full_text_never_replaces_it(tmp_path):
    """The second saver must read what the first stored, not what was there before it waited."""
    path = tmp_path / "pq.db"
    first = open_db(path)
    full = question_value(1, questionText=LONG_QUESTION, answerText=LONG_ANSWER)
    cut = list_view(full)
    outcome: list = []
    opened, go = threading.Event(), threading.Event()

    def save_cut_short():
        second = open_db(path)
        opened.set()
        go.wait(timeout=60)
        try:
            outcome.append(save_questions(second, [QuestionRecord(cut, f"{API}?skip=0", "2026-12-01T10:00:01+00:00")]))
        except Exception as exc:  # shown by the assertion below
            outcome.append(exc)

    waiting = threading.Thread(target=save_cut_short)
    waiting.start()
    assert opened.wait(timeout=60)
    first.conn.execute("BEGIN IMMEDIATE")
    save_questions(first, [QuestionRecord(full, f"{API}/1", "2026-12-01T10:00:00+00:00")])
    go.set()
    time.sleep(0.5)  # the second saver is now waiting for the lock
    first.conn.execute("COMMIT")
    waiting.join(timeout=60)
    assert len(outcome) == 1 and outcome[0].unchanged == 1, outcome
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM questions WHERE id = 1").fetchone()
    assert row["answer_html"] == LONG_ANSWER
    assert row["question_text"] == LONG_QUESTION
    assert row["source_url"] == f"{API}/1"
