"""Run the pipeline on a corpus from bench/corpus.py: speed of each stage, and the planted pairs found.

    python -m bench.corpus --answers 75000 --foi 100000 --seed 42 --out bench/out/corpus-75k
    python -m bench.corpus_pipeline bench/out/corpus-75k --workers 2

Into a new database (``DIR/pqcheck.db`` unless ``--db``) it imports the answers
(``import_question_files``) and the FOI records (``read_foi_paths`` + ``ingest``), classifies
(``classify_db``) and matches (``match_db``), timing each stage, then checks the planted pairs of
``pairs.jsonl``: the share of planted refusals classified as refusals, and in the planted
category; the share whose disclosure is the best match, among the 3 best, among all kept.
Prints JSON and writes it to ``DIR/pipeline.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pqcheck.classify import classify_db
from pqcheck.db import open_db
from pqcheck.foi import ingest
from pqcheck.importer import import_question_files
from pqcheck.match import MatchOptions, match_db
from pqcheck.sources.foi_files import read_foi_paths

from .common import planted_pairs


def timed(stage: str, count: int, results: dict[str, Any], work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    outcome = work()
    seconds = time.perf_counter() - started
    results[stage] = {"records": count, "seconds": round(seconds, 1), "per_second": round(count / max(seconds, 1e-9))}
    print(f"{stage}: {count:,} in {seconds:.1f} s", file=sys.stderr)
    return outcome


# Other letters as right as the planted one: the same department, a disclosing outcome, a request for the
# planted subject and place word for word. At full scale the generator writes several (about one planted
# refusal in ten has one), and they can fill the first places; recall "alike left out" ranks the planted
# letter among the rest, as bench.quality_real_pairs ranks a documented disclosure among the others'.
_LETTER_SQL = "SELECT department_id, outcome, lower(request_text) FROM foi_requests WHERE id = ?"
_DISCLOSED = ("successful", "partially_successful", "released")


def _alike(db, planted: str, others: list[str], subject: str) -> int:
    """How many of ``others`` are letters as right as ``planted`` (see above)."""
    department = db.execute(_LETTER_SQL, [planted]).fetchone()[0]
    count = 0
    for other in others:
        row = db.execute(_LETTER_SQL, [other]).fetchone()
        count += bool(row) and row[0] == department and row[1] in _DISCLOSED and subject in (row[2] or "")
    return count


def planted_found(db, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """How the classifier and the matcher did on the planted pairs."""
    refused = right_category = first = top3 = kept = first_alone = top3_alone = 0
    for pair in pairs:
        row = db.execute("SELECT label, category FROM refusals WHERE question_id = ?", [pair["question_id"]]).fetchone()
        refused += bool(row) and row[0] in ("refusal", "partial")
        right_category += bool(row) and row[1] == pair["category"]
        ranked = [
            r[0]
            for r in db.execute(
                "SELECT foi_request_id FROM matches WHERE question_id = ? ORDER BY score DESC", [pair["question_id"]]
            )
        ]
        rank = ranked.index(pair["foi_id"]) if pair["foi_id"] in ranked else None
        first += rank == 0
        top3 += rank is not None and rank < 3
        kept += rank is not None
        if rank is not None:
            rank -= _alike(db, pair["foi_id"], ranked[:rank], pair["subject"].lower())
            first_alone += rank == 0
            top3_alone += rank < 3
    n = max(len(pairs), 1)
    return {
        "pairs": len(pairs),
        "classified_refusal": round(refused / n, 3),
        "right_category": round(right_category / n, 3),
        "recall_at_1": round(first / n, 3),
        "recall_at_3": round(top3 / n, 3),
        "recall_kept": round(kept / n, 3),
        "recall_at_1_alike_left_out": round(first_alone / n, 3),
        "recall_at_3_alike_left_out": round(top3_alone / n, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="a folder written by bench/corpus.py")
    parser.add_argument("--db", type=Path, help="the database to create (default DIR/pqcheck.db; replaced)")
    parser.add_argument("--workers", type=int, default=2, help="processes for match (default 2)")
    args = parser.parse_args(argv)
    manifest = json.loads((args.dir / "manifest.json").read_text(encoding="utf-8"))
    db_path = args.db or args.dir / "pqcheck.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    results: dict[str, Any] = {"corpus": manifest}
    answers, foi = args.dir / manifest["answers"]["file"], args.dir / manifest["foi"]["file"]
    timed("import questions", manifest["answers"]["records"], results, lambda: import_question_files(db, [answers]))
    problems: list[str] = []
    timed(
        "import foi",
        manifest["foi"]["records"],
        results,
        lambda: ingest(db, read_foi_paths([foi], problems.append), on_problem=problems.append),
    )
    results["import foi"]["problems"] = len(problems)
    stats = timed("classify", manifest["answers"]["records"], results, lambda: classify_db(db))
    results["classify"]["by_label"] = stats.by_label
    refusals = stats.by_label.get("refusal", 0) + stats.by_label.get("partial", 0)
    timed("match", refusals, results, lambda: match_db(db, options=MatchOptions(workers=args.workers)))
    pairs = planted_pairs(args.dir)
    results["planted"] = planted_found(db, pairs)
    results["database_mb"] = round(db_path.stat().st_size / 2**20)
    results["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    text = json.dumps(results, indent=1)
    (args.dir / "pipeline.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
