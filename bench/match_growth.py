"""Where a refusal's match time goes, at each scale measured by bench/run.py.

    python -m bench.match_growth                      # every bench/out/run-SCALE/pqcheck.db there is
    python -m bench.match_growth --scale 100k --sample 500

``bench/run.py`` times the match stage as a whole. This splits the time of one refusal in two, on
a seeded sample of the refusals of each scale's database (one process, after a warm-up pass over
the same sample with another matcher, so the page cache is warm and the matcher's caches cold):

- *search*: the FTS5 queries that find the candidates (``match.REQUEST_SQL``, ``PAGE_SQL``,
  ``ANSWER_SQL``). They read the index rows of the subject's terms in the whole collection and
  keep those of the department and the window, so their cost follows the rows read;
- *the rest*: the terms, reading and scoring at most ``MatchOptions.candidates`` targets and the
  evidence of the best of them, bounded whatever the size of the collection.

Rows read are counted afterwards, outside the timing, as the rows each query's MATCH finds.
Results go to ``bench/out/match_growth.json``; ``bench/run.py --docs-only`` puts them in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from pqcheck import match

from .common import OUT

RESULTS = OUT / "match_growth.json"
SCALES = ("10k", "100k", "full")
INDEX_OF = {
    match.REQUEST_SQL: "foi_requests_fts",
    match.PAGE_SQL: "foi_pages_fts",
    match.ANSWER_SQL: "questions_fts",
}


class _TimedConnection:
    """A connection whose candidate searches are timed and remembered (index, query); all else passes through."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.seconds = 0.0
        self.queries: list[tuple[str, str]] = []

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        index = INDEX_OF.get(sql)
        if index is None:
            return self.conn.execute(sql, parameters)
        began = time.perf_counter()
        rows = self.conn.execute(sql, parameters).fetchall()
        self.seconds += time.perf_counter() - began
        self.queries.append((index, parameters["query"]))
        return _Rows(rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


class _Rows(list):
    def fetchall(self) -> list:
        return list(self)


def measure(db: Path, sample: int, seed: int) -> dict[str, Any]:
    """The split of one refusal's match time on ``sample`` refusals of ``db``."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    refusals = match.load_refusals(conn, None)
    chosen = random.Random(seed).sample(refusals, min(sample, len(refusals)))
    warm = match.Matcher(conn, match.DEFAULT_OPTIONS)
    for refusal in chosen:
        warm.match(refusal, "")
    warm.close()
    timed = _TimedConnection(conn)
    matcher = match.Matcher(timed, match.DEFAULT_OPTIONS)
    candidates = 0
    began = time.perf_counter()
    for refusal in chosen:
        candidates += matcher.match(refusal, "")[1].candidates
    total = time.perf_counter() - began
    rows = sum(
        conn.execute(f"SELECT count(*) FROM {index} WHERE {index} MATCH ?", [query]).fetchone()[0]
        for index, query in timed.queries
    )
    n = len(chosen)
    return {
        "refusals": len(refusals),
        "sample": n,
        "foi": conn.execute("SELECT count(*) FROM foi_requests").fetchone()[0],
        "ms_per_refusal": round(total / n * 1000, 2),
        "search_ms_per_refusal": round(timed.seconds / n * 1000, 2),
        "rest_ms_per_refusal": round((total - timed.seconds) / n * 1000, 2),
        "queries_per_refusal": round(len(timed.queries) / n, 2),
        "rows_read_per_refusal": round(rows / n),
        "us_per_row_read": round(timed.seconds / max(rows, 1) * 1e6, 3),
        "candidates_per_refusal": round(candidates / n, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, action="append", help="default: every scale with a database")
    parser.add_argument("--sample", type=int, default=300, help="refusals measured at each scale (default 300)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    for scale in args.scale or SCALES:
        db = OUT / f"run-{scale}" / "pqcheck.db"
        if not db.exists():
            print(f"{scale}: no database at {db} (run python -m bench.run --scale {scale} first)", file=sys.stderr)
            continue
        results[scale] = measure(db, args.sample, args.seed)
        print(scale, json.dumps(results[scale]), flush=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
