"""`pqcheck demo`: the whole pipeline on the small dataset shipped in fixtures/demo/, offline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .classify import classify_db
from .db import open_db
from .errors import BadInput
from .foi import ingest
from .importer import import_question_files
from .match import match_db
from .progress import Progress
from .report import write_report
from .sources.foi_files import read_foi_paths

DEMO_DATA = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


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


def build_demo(out_dir: Path, *, data: Path = DEMO_DATA, progress: Progress | None = None) -> DemoResult:
    """Build ``out_dir/pqcheck.db`` from the demo dataset, classify, match, and write the reports."""
    if not (data / "questions.json").is_file() or not (data / "foi").is_dir():
        raise BadInput(f"the demo dataset is not at {data} (pqcheck demo runs from a clone of the repository)")
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "pqcheck.db"
    for stale in (db_path, out_dir / "pqcheck.db-wal", out_dir / "pqcheck.db-shm"):
        stale.unlink(missing_ok=True)  # the demo database is rebuilt from scratch each time
    db = open_db(db_path)
    problems: list[str] = []
    import_question_files(db, [data / "questions.json"], progress)
    ingest(db, read_foi_paths([data / "foi"], problems.append), progress=progress, on_problem=problems.append)
    if problems:
        raise BadInput("the demo dataset has problems: " + "; ".join(problems))
    classify_db(db, progress=progress)
    match_db(db, progress=progress)
    report_md, report_json = out_dir / "report.md", out_dir / "report.json"
    with report_md.open("w", encoding="utf-8") as handle:
        write_report(db, handle, fmt="md")
    with report_json.open("w", encoding="utf-8") as handle:
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
