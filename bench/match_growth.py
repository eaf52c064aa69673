"""Where a refusal's match time goes, at each scale measured by bench/run.py.

    python -m bench.match_growth                      # every bench/out/run-SCALE/pqcheck.db there is
    python -m bench.match_growth --scale 100k --sample 500

``bench/run.py`` times the match stage as a whole. This splits the time of one refusal in two, on
the refusals of each scale's database (all of them, or a seeded ``--sample``), in one process after
a warm-up pass over the same refusals with another matcher (the page cache warm, the matcher's
caches cold, as at the start of a run):

- *search*: the candidate search (``CandidateSearch.candidates``): each query phrase's rows read
  once per process from its FTS5 index with their bm25 share (``match.phrases``; the *rows loaded*,
  counted over the run and given per refusal), then the department's rows of the refusal's phrases
  inside its window (the *rows read*) added up;
- *the rest*: the terms, reading and scoring at most ``MatchOptions.candidates`` targets and the
  evidence of the best of them, bounded whatever the size of the collection.

A run's phrase lists are read once and serve every refusal after, so a sample's cost a refusal is
higher than a whole run's: ``--sample 0`` (the default) measures every refusal. Results go to
``bench/out/match_growth.json``; ``bench/run.py --docs-only`` puts them in docs/performance.md.
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


def _timed(matcher: match.Matcher) -> dict[str, float]:
    """Time ``matcher``'s candidate searches and count the department rows they read."""
    counts = {"seconds": 0.0, "rows": 0}
    search = matcher.search
    candidates = search.candidates

    def timed_candidates(*args: Any) -> Any:
        began = time.perf_counter()
        found = candidates(*args)
        counts["seconds"] += time.perf_counter() - began
        return found

    for lists in search.lists.values():
        rows = lists.rows

        def counted_rows(*args: Any, rows=rows) -> Any:
            found = rows(*args)
            counts["rows"] += len(found[0])
            return found

        lists.rows = counted_rows
    search.candidates = timed_candidates
    return counts


def measure(db: Path, sample: int, seed: int) -> dict[str, Any]:
    """The split of one refusal's match time on ``sample`` refusals of ``db`` (0: all)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    refusals = match.load_refusals(conn, None)
    chosen = random.Random(seed).sample(refusals, min(sample, len(refusals))) if sample else refusals
    warm = match.Matcher(conn, match.DEFAULT_OPTIONS)
    for refusal in chosen:
        warm.match(refusal, "")
    warm.close()
    matcher = match.Matcher(conn, match.DEFAULT_OPTIONS)
    counts = _timed(matcher)
    candidates = 0
    began = time.perf_counter()
    for refusal in chosen:
        candidates += matcher.match(refusal, "")[1].candidates
    total = time.perf_counter() - began
    lists = matcher.search.lists.values()
    loaded = sum(lst.loaded_rows for lst in lists)
    n = len(chosen)
    return {
        "refusals": len(refusals),
        "sample": n,
        "foi": conn.execute("SELECT count(*) FROM foi_requests").fetchone()[0],
        "ms_per_refusal": round(total / n * 1000, 2),
        "search_ms_per_refusal": round(counts["seconds"] / n * 1000, 2),
        "rest_ms_per_refusal": round((total - counts["seconds"]) / n * 1000, 2),
        "phrases_loaded": sum(lst.loads for lst in lists),
        "rows_loaded_per_refusal": round(loaded / n),
        "rows_read_per_refusal": round(counts["rows"] / n),
        "us_per_row_read": round(counts["seconds"] / max(counts["rows"] + loaded, 1) * 1e6, 3),
        "candidates_per_refusal": round(candidates / n, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, action="append", help="default: every scale with a database")
    parser.add_argument("--sample", type=int, default=0, help="refusals measured at each scale (default 0: all)")
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
