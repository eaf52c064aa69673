"""Robust outputs: no report or export is written over the database, a failed or interrupted write
leaves the old file as it was (and no temporary file), and ``pqcheck demo`` never removes a
database it did not make.

Most tests run the installed console script as a subprocess; a full disk is made with
RLIMIT_FSIZE in the child (the real write fails with EFBIG) and, in process, by a writer that
raises ENOSPC.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.review import record_review

from .support.cli import pqcheck_executable
from .support.databases import copy_db
from .support.dbcheck import assert_sound, snapshot

DEMO_QUESTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "demo" / "questions.json"
OLD = "the good report of yesterday\n"


def pqcheck(*args: str | Path, cwd: Path | None = None, preexec_fn=None) -> subprocess.CompletedProcess:
    """The real CLI as a subprocess (a hang guard of two minutes)."""
    command = [pqcheck_executable(), *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, preexec_fn=preexec_fn)


@pytest.fixture
def pq_db(tmp_path, demo_db) -> Path:
    """A copy of the demo database (classified, matched, one review) as a user's ``pq.db``."""
    db_path = copy_db(demo_db, tmp_path / "pq.db")
    db = open_db(db_path)
    match_id = db.execute("SELECT id FROM matches ORDER BY score DESC LIMIT 1").fetchone()[0]
    record_review(db, match_id, "confirmed", note="FOI gave the figures", reviewer="A. Researcher")
    db.close()
    return db_path


def contents(db_path: Path) -> tuple[dict, list]:
    """What the database holds: its rows (``dbcheck.snapshot``) and its reviews."""
    with closing(sqlite3.connect(db_path)) as conn:
        reviews = conn.execute("SELECT match_id, verdict, note FROM reviews ORDER BY id").fetchall()
    return snapshot(db_path), reviews


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one line of stderr, which must not be a traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    """Temporary files left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# ---------------------------------------------------------------------------------------------
# the output is never the database


WRITERS = {"report": ("report", "-o"), "review --export": ("review", "--export")}
SPELLINGS = {
    "direct": lambda db: str(db),
    "dot-slash": lambda db: f"./{db.name}",
    "wal": lambda db: f"{db.name}-wal",
    "shm": lambda db: f"./{db.name}-shm",
    "journal": lambda db: f"{db.name}-journal",
    "symlink": lambda db: "link-to-pq.db",
}


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_that_is_the_database_is_refused_and_the_database_kept(pq_db, writer, spelling):
    (pq_db.parent / "link-to-pq.db").symlink_to(pq_db.name)
    before = contents(pq_db)
    command, option = WRITERS[writer]
    result = pqcheck(command, pq_db.name, option, SPELLINGS[spelling](pq_db), cwd=pq_db.parent)
    assert result.returncode == 2, result.stderr
    line = error_line(result)
    assert line.startswith("Error: ") and "is the database pq.db" in line
    assert "write the output to another file" in line
    assert_sound(pq_db)
    assert contents(pq_db) == before
    assert leftovers(pq_db.parent) == []


def test_a_hard_link_to_the_database_is_refused(pq_db):
    os.link(pq_db, pq_db.parent / "also.db")
    before = contents(pq_db)
    result = pqcheck("report", pq_db, "-o", pq_db.parent / "also.db")
    assert result.returncode == 2
    assert "is the database" in error_line(result)
    assert contents(pq_db) == before


# ---------------------------------------------------------------------------------------------
# a failed write leaves the old file


def limit_file_size(limit: int):
    """For ``preexec_fn``: files of the child may not grow past ``limit`` bytes (EFBIG, as a full disk)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_write_cut_short_by_the_file_system_keeps_the_old_report(pq_db):
    """The JSON report (about 280 KB) passes a 200 KB file limit; the database's own writes do not."""
    out = pq_db.parent / "report.json"
    out.write_text(OLD)
    before = contents(pq_db)
    result = pqcheck("report", pq_db, "--format", "json", "-o", out, preexec_fn=limit_file_size(200_000))
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert line.startswith(f"Error: cannot write {out}: File too large")
    assert "left as it was" in line
    assert out.read_text() == OLD
    assert leftovers(pq_db.parent) == []
    assert contents(pq_db) == before
    assert pqcheck("report", pq_db, "--format", "json", "-o", out).returncode == 0  # and with room, it is written
    assert out.read_text().startswith("{")


def stub_full_disk(written: str, failure: BaseException):
    """A report or export writer that writes ``written`` and then fails with ``failure``."""

    def write(db, out, *args, **kwargs):
        out.write(written)
        out.flush()
        raise failure

    return write


IN_PROCESS = {
    "report": ("write_report", ["report", "{db}", "-o", "{out}"]),
    "review --export": ("export_reviews", ["review", "{db}", "--export", "{out}"]),
}


@pytest.mark.parametrize("writer", IN_PROCESS)
def test_a_full_disk_is_one_line_and_keeps_the_old_file(pq_db, monkeypatch, writer):
    name, args = IN_PROCESS[writer]
    out = pq_db.parent / "out.csv"
    out.write_text(OLD)
    full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(f"pqcheck.cli.{name}", stub_full_disk("half a report", full))
    result = CliRunner().invoke(cli, [a.format(db=pq_db, out=out) for a in args])
    assert result.exit_code == 1, result.output
    assert f"Error: cannot write {out}: No space left on device" in result.output
    assert out.read_text() == OLD
    assert leftovers(pq_db.parent) == []


@pytest.mark.parametrize("writer", IN_PROCESS)
def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temporary_file(pq_db, monkeypatch, writer):
    name, args = IN_PROCESS[writer]
    out = pq_db.parent / "out.csv"
    out.write_text(OLD)
    monkeypatch.setattr(f"pqcheck.cli.{name}", stub_full_disk("half a report", KeyboardInterrupt()))
    result = CliRunner().invoke(cli, [a.format(db=pq_db, out=out) for a in args])
    assert result.exit_code == 130
    assert out.read_text() == OLD
    assert leftovers(pq_db.parent) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_in_a_missing_folder_is_one_line(pq_db, writer):
    command, option = WRITERS[writer]
    result = pqcheck(command, pq_db, option, pq_db.parent / "no-such-folder" / "out.csv")
    assert result.returncode == 2
    assert error_line(result) == f"Error: cannot write {pq_db.parent}/no-such-folder/out.csv: No such file or directory"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_output_in_a_read_only_folder_is_one_line(pq_db, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "out.md").write_text(OLD)
    locked.chmod(0o555)
    try:
        result = pqcheck("report", pq_db, "-o", locked / "out.md")
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2
    assert "Permission denied" in error_line(result)
    assert (locked / "out.md").read_text() == OLD


def test_a_report_replaces_the_old_one_keeping_its_permissions_and_symlink(pq_db):
    real = pq_db.parent / "real.md"
    real.write_text(OLD)
    real.chmod(0o600)
    (pq_db.parent / "latest.md").symlink_to(real.name)
    result = pqcheck("report", pq_db, "-o", pq_db.parent / "latest.md")
    assert result.returncode == 0, result.stderr
    assert (pq_db.parent / "latest.md").is_symlink()
    assert real.read_text().startswith("# ")
    assert real.stat().st_mode & 0o777 == 0o600
    assert leftovers(pq_db.parent) == []


def test_dash_still_writes_to_standard_output(pq_db):
    for args in (["report", pq_db, "-o", "-"], ["review", pq_db, "--export", "-", "--format", "json"]):
        result = pqcheck(*args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(("# ", "{"))
    assert "FOI gave the figures" in result.stdout


# ---------------------------------------------------------------------------------------------
# pqcheck demo --out


@pytest.fixture
def users_folder(tmp_path) -> Path:
    """A folder holding a user's own pqcheck.db (imported by pqcheck, not built by the demo)."""
    folder = tmp_path / "work"
    folder.mkdir()
    result = pqcheck("import", "questions", folder / "pqcheck.db", DEMO_QUESTIONS, "--quiet")
    assert result.returncode == 0, result.stderr
    return folder


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_the_demo_never_removes_a_database_it_did_not_make(users_folder, force):
    db_path = users_folder / "pqcheck.db"
    before = contents(db_path)
    result = pqcheck("demo", "--out", users_folder, *(["--force"] if force else []))
    assert result.returncode == 2, result.stdout
    line = error_line(result)
    assert ("was not made by pqcheck demo" if force else "is not empty") in line
    assert sorted(p.name for p in users_folder.iterdir()) == ["pqcheck.db"]
    assert_sound(db_path)
    assert contents(db_path) == before


def test_the_demo_refuses_a_folder_that_is_not_empty_without_force(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = pqcheck("demo", "--out", tmp_path)
    assert result.returncode == 2
    assert "--force" in error_line(result)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_demo_rebuilds_its_own_database_with_force(tmp_path):
    out = tmp_path / "demo"
    assert pqcheck("demo", "--out", out).returncode == 0
    (out / "notes.txt").write_text("mine")
    assert pqcheck("demo", "--out", out).returncode == 2
    rebuilt = pqcheck("demo", "--out", out, "--force")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "40 written answers" in rebuilt.stdout
    with closing(sqlite3.connect(out / "pqcheck.db")) as conn:
        assert conn.execute("SELECT count(*) FROM questions").fetchone() == (40,)
    assert (out / "notes.txt").read_text() == "mine"
    assert leftovers(out) == []
