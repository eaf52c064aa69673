"""`pqcheck demo`: the whole pipeline on the small dataset shipped in fixtures/demo/, offline."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .cache import FileCache
from .classify import classify_db
from .db import open_db
from .errors import BadInput
from .foi import ingest
from .importer import import_question_files
from .match import match_db
from .outputs import SQLITE_COMPANIONS, atomic_output
from .progress import Progress
from .records import now_iso
from .report import write_report
from .sources.foi_files import read_foi_paths

DEMO_DATA = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
DEMO_MARK = "demo_build"  # a table only the demo creates: the one database --force may replace


@dataclass
class DemoResult:
    db_path: Path
    report_md: Path
    report_json: Path
    questions: int
    foi_requests: int
    refusals: int
    matches: int
    top: list[dict]


def build_demo(
    out_dir: Path, *, data: Path = DEMO_DATA, progress: Progress | None = None, force: bool = False
) -> DemoResult:
    """Build ``out_dir/pqcheck.db`` from the demo dataset, classify, match, and write the reports.

    ``out_dir`` must be new or empty; with ``force`` it may hold an earlier demo, whose database is
    replaced, but never a database the demo did not make (see :func:`clear_demo_folder`).
    """
    if not (data / "questions.json").is_file() or not (data / "foi").is_dir():
        raise BadInput(f"the demo dataset is not at {data} (pqcheck demo runs from a clone of the repository)")
    db_path = out_dir / "pqcheck.db"
    clear_demo_folder(out_dir, db_path, force=force)
    db = open_db(db_path)
    db[DEMO_MARK].insert({"dataset": str(data), "built_at": now_iso()})
    problems: list[str] = []
    import_question_files(db, [data / "questions.json"], progress)
    requests = read_foi_paths([data / "foi"], problems.append)
    ingest(db, requests, progress=progress, on_problem=problems.append, cache=FileCache.beside(db_path))
    if problems:
        raise BadInput("the demo dataset has problems: " + "; ".join(problems))
    classify_db(db, progress=progress)
    match_db(db, progress=progress)
    report_md, report_json = out_dir / "report.md", out_dir / "report.json"
    with atomic_output(report_md, database=db_path) as handle:
        write_report(db, handle, fmt="md")
    with atomic_output(report_json, database=db_path) as handle:
        write_report(db, handle, fmt="json")
    top = list(
        db.query(
            "SELECT matches.score, questions.uin, questions.date_answered, foi_requests.title AS foi_title "
            "FROM matches JOIN questions ON questions.id = matches.question_id "
            "LEFT JOIN foi_requests ON foi_requests.id = matches.foi_request_id "
            "ORDER BY matches.score DESC, matches.id LIMIT 3"
        )
    )
    return DemoResult(
        db_path=db_path,
        report_md=report_md,
        report_json=report_json,
        questions=db["questions"].count,
        foi_requests=db["foi_requests"].count,
        refusals=db["refusals"].count_where("label IN ('refusal', 'partial')"),
        matches=db["matches"].count,
        top=top,
    )


def clear_demo_folder(out_dir: Path, db_path: Path, *, force: bool) -> None:
    """Make ``out_dir`` ready for a new demo: create it, or (with ``force``) remove an earlier demo's database.

    Raises :class:`BadInput` for a folder that is not empty without ``force``, and for any database
    in it that lacks the demo's mark (a ``demo_build`` table), even with ``force``.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"cannot use {out_dir} for the demo: it is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise BadInput(f"{out_dir} is not empty: give an empty or new folder, or --force to rebuild a demo there")
    companions = [db_path.with_name(db_path.name + suffix) for suffix in SQLITE_COMPANIONS]
    if any(path.exists() for path in companions) and not made_by_demo(db_path):
        raise BadInput(f"{db_path} was not made by pqcheck demo: it is left as it is; choose another --out folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in companions:
        path.unlink(missing_ok=True)


def made_by_demo(db_path: Path) -> bool:
    """Whether ``db_path`` is a database that ``pqcheck demo`` built (it holds the ``demo_build`` table)."""
    if not db_path.is_file() or db_path.is_symlink():
        return False
    try:
        with closing(sqlite3.connect(db_path)) as conn:  # only reads; closing tidies the -wal and -shm away
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [DEMO_MARK])
            return found.fetchone() is not None
    except sqlite3.Error:
        return False
