"""The database file itself: reads never write, pqcheck changes only its own files, and a full disk,
a damaged page or a re-match never costs what is stored. Each runs the installed console script."""

from __future__ import annotations

import hashlib
import json
import resource
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlite_utils

from .support.cli import command, environment
from .support.dbcheck import assert_sound
from .support.factories import list_response, question_value


def pqcheck(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), capture_output=True, text=True, env=environment(), timeout=300, **kwargs)


def one_error_line(run: subprocess.CompletedProcess) -> str:
    """The one line a failing command printed: no traceback, nothing else."""
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def schema(path: Path) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def limit_file_size(limit: int):
    """For ``preexec_fn``: no file of the child may grow past ``limit`` bytes (EFBIG, as a full disk)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_during_an_import_is_one_line_and_keeps_what_was_stored(demo_copy, tmp_path):
    answers = tmp_path / "answers.json"
    values = [
        question_value(3_000_000 + i, uin=str(i), answerText="<p>" + "word " * 200 + f"{i}</p>") for i in range(3000)
    ]
    answers.write_text(json.dumps(list_response(values)))
    folder = tmp_path / "foi"
    folder.mkdir()
    for i in range(40):
        (folder / f"release-{i}.html").write_text(f"<p>{'In 2018 there were 507 people. ' * 800} {i}</p>")
    before = sqlite_utils.Database(demo_copy)
    counts = {t: before[t].count for t in ("questions", "foi_requests", "foi_pages")}
    before.close()
    size = demo_copy.stat().st_size
    for args in (["import", "questions", demo_copy, answers, "--quiet"], ["import", "foi", demo_copy, folder, "-q"]):
        run = pqcheck(*args, preexec_fn=limit_file_size(size + 400_000))
        assert run.returncode == 1, run.stderr
        line = one_error_line(run)
        assert line.startswith("Error: cannot write to the database"), line
        assert "run the same command again" in line
        assert_sound(demo_copy)
        after = sqlite_utils.Database(demo_copy)
        assert all(after[t].count >= n for t, n in counts.items())
        after.close()


def old_database(path: Path) -> None:
    """A file in the shape of an earlier pqcheck: fewer columns, no FTS, no other tables."""
    old = sqlite_utils.Database(path)
    old["questions"].insert(
        {"id": 7, "uin": "1234", "heading": "Prisons: Drugs", "question_text": "q", "answer_text": "a"}, pk="id"
    )
    old.close()


@pytest.mark.parametrize(
    "args",
    [["search", "{db}", "prisons"], ["report", "{db}"], ["review", "{db}", "--export", "-"], ["bodies", "{db}"]],
    ids=["search", "report", "review-export", "bodies"],
)
def test_a_read_never_migrates_and_says_how_to(tmp_path, args):
    path = tmp_path / "old.db"
    old_database(path)
    before, shape = digest(path), schema(path)
    run = pqcheck(*[a.format(db=path) for a in args])
    assert run.returncode == 2, run.stderr
    line = one_error_line(run)
    assert "made by an older pqcheck" in line and f"pqcheck migrate {path}" in line
    assert digest(path) == before and schema(path) == shape

    migrated = pqcheck("migrate", path)
    assert migrated.returncode == 0, migrated.stderr
    again = pqcheck(*[a.format(db=path) for a in args])
    assert again.returncode == 0, again.stderr
    assert sqlite_utils.Database(path)["questions"].get(7)["uin"] == "1234"


def test_a_read_of_a_current_database_leaves_its_bytes_as_they_were(demo_copy, tmp_path):
    before = digest(demo_copy)
    for args in (
        ["search", demo_copy, "trafficking"],
        ["report", demo_copy, "-o", tmp_path / "r.md"],
        ["review", demo_copy, "--export", tmp_path / "r.csv"],
        ["bodies", demo_copy],
    ):
        run = pqcheck(*args)
        assert run.returncode == 0, (args, run.stderr)
    wal = demo_copy.with_name(demo_copy.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert digest(demo_copy) == before


def test_a_missing_database_is_not_made_by_a_read(tmp_path):
    path = tmp_path / "typo.db"
    for args in (["search", path, "x"], ["report", path], ["review", path, "--export", "-"]):
        run = pqcheck(*args)
        assert run.returncode == 2
        assert one_error_line(run) == f"Error: no database at {path}: make one with `pqcheck fetch` or `pqcheck import`"
        assert not path.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["import", "questions", "{db}", "{answers}"],
        ["classify", "{db}"],
        ["match", "{db}"],
        ["migrate", "{db}"],
        ["report", "{db}"],
        ["search", "{db}", "x"],
        ["review", "{db}", "--export", "-"],
    ],
    ids=lambda args: "-".join(args[:2]) if args[0] == "import" else args[0],
)
def test_a_database_of_another_program_is_never_changed(tmp_path, args):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers VALUES (1, 'A. Customer')")
    conn.close()
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(list_response([question_value(1)])))
    before = digest(path)
    run = pqcheck(*[a.format(db=path, answers=answers) for a in args])
    assert run.returncode == 2
    assert one_error_line(run) == (
        f"Error: {path} is not a pqcheck database (it holds customers): pqcheck will not change it"
    )
    assert digest(path) == before


def damage(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with bytes SQLite cannot read as a page."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff\x13" * (page_size // 2))


@pytest.mark.parametrize(
    ("args", "table"),
    [
        (["search", "{db}", "trafficking"], "questions"),
        (["match", "{db}"], "refusals"),
        (["report", "{db}"], "matches"),
    ],
    ids=["search", "match", "report"],
)
def test_a_damaged_page_is_one_line(demo_copy, args, table):
    damage(demo_copy, table)
    run = pqcheck(*[a.format(db=demo_copy) for a in args])
    assert run.returncode == 2, run.stderr
    line = one_error_line(run)
    assert "is damaged" in line and "restore it from a backup" in line


def test_a_rematch_keeping_fewer_pairs_never_drops_a_reviewed_pair(demo_copy):
    with sqlite3.connect(demo_copy) as conn:
        ranked = conn.execute(
            "SELECT id, question_id FROM (SELECT id, question_id, row_number() OVER "
            "(PARTITION BY question_id ORDER BY score DESC, id) AS n FROM matches) WHERE n = 2"
        ).fetchall()
    conn.close()
    assert ranked, "the demo has a refusal with two pairs or more"
    reviewed, question_id = ranked[0]
    run = pqcheck("review", demo_copy, reviewed, "--verdict", "confirmed", "--by", "A. Researcher")
    assert run.returncode == 0, run.stderr

    run = pqcheck("match", demo_copy, "--keep", "1", "--quiet")
    assert run.returncode == 0, run.stderr
    with sqlite3.connect(demo_copy) as conn:
        kept = {row[0] for row in conn.execute("SELECT id FROM matches WHERE question_id = ?", [question_id])}
    conn.close()
    assert reviewed in kept and len(kept) == 2  # the best pair, and the reviewed one
    report = pqcheck("report", demo_copy, "--format", "json")
    assert reviewed in report.stdout
