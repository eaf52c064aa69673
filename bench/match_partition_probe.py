"""Would a department-ordered index bound the matcher's candidate search? A measurement, not a feature.

    python -m bench.match_partition_probe            # on bench/out/run-full/pqcheck.db
    python -m bench.match_partition_probe --scale 100k --sample 300

``bench/match_growth.py`` shows that a refusal's candidate searches read every index row of its
terms in the whole collection and keep the department's and the window's afterwards. This builds,
in a scratch database beside the run's, a contentless FTS5 index of every FOI request (title and
request text, porter like ``foi_requests_fts``) whose rowid is ``department << 40 | day << 20 |
request rowid`` (a request that can be no candidate under department 0, an undated one on day 0):
a department's requests are together, in date order, so a query can give FTS5 a rowid range that
it seeks to instead of reading the whole list. It holds the same texts as ``foi_requests_fts``, so
bm25 is the same. On a seeded sample of refusals it times the matcher's request query
(``match.REQUEST_SQL``) against the same query over the range (same department and window filter,
equal scores in request order), counts the rows each reads and checks that both give the same
requests with the same scores in the same order. Both are also timed with bm25 replaced by a
constant: FTS5's bm25 counts the rows of each of the query's phrases in the whole index once per
query (its idf), whatever the rowid range, so that part of the cost does not shrink with the range.
Prints and writes ``bench/out/match_partition_probe-SCALE.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from pathlib import Path

from pqcheck import match

from .common import OUT

SEQ_BITS, DAY_BITS = 20, 20
SEQ_MASK = (1 << SEQ_BITS) - 1
RANGED_SQL = f"""
    SELECT f.rowid & {SEQ_MASK} AS request, bm25(req_fts, 3.0, 1.0) AS s
    FROM probe.req_fts AS f CROSS JOIN temp.pqm_req AS m ON m.rowid = f.rowid & {SEQ_MASK}
    WHERE f.req_fts MATCH :query AND f.rowid BETWEEN :first AND :last AND m.dept = :dept
      AND (m.day <= :hi AND m.last >= :lo OR (:undated AND m.day IS NULL))
    ORDER BY s, request LIMIT :limit
"""
NOW_SQL = match.REQUEST_SQL.replace("ORDER BY s", "ORDER BY s, f.rowid")


def without_bm25(sql: str) -> str:
    """The query with bm25 replaced by a constant: what reading and filtering the rows costs alone."""
    return sql.replace("bm25(foi_requests_fts, 3.0, 1.0)", "0.0").replace("bm25(req_fts, 3.0, 1.0)", "0.0")


def build(conn: sqlite3.Connection, scratch: Path) -> float:
    """The department-ordered index of every request (departments and days from ``temp.pqm_req``)."""
    scratch.unlink(missing_ok=True)
    conn.execute("ATTACH ? AS probe", [str(scratch)])
    conn.execute("CREATE VIRTUAL TABLE probe.req_fts USING fts5(title, request_text, content='', tokenize='porter')")
    top = conn.execute("SELECT max(rowid) FROM foi_requests").fetchone()[0] or 0
    if top > SEQ_MASK:
        raise SystemExit(f"request rowids up to {top:,}: more than {SEQ_BITS} bits, adjust SEQ_BITS")
    began = time.perf_counter()
    conn.execute(
        f"""INSERT INTO probe.req_fts (rowid, title, request_text)
            SELECT (coalesce(m.dept, 0) << {SEQ_BITS + DAY_BITS}) | (coalesce(m.day, 0) << {SEQ_BITS}) | r.rowid,
                   r.title, r.request_text
            FROM foi_requests r LEFT JOIN temp.pqm_req m ON m.rowid = r.rowid ORDER BY 1"""
    )
    conn.commit()
    return time.perf_counter() - began


def timed(conn: sqlite3.Connection, sql: str, parameters: dict) -> tuple[list, float]:
    began = time.perf_counter()
    rows = conn.execute(sql, parameters).fetchall()
    return rows, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="full")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    db = OUT / f"run-{args.scale}" / "pqcheck.db"
    if not db.exists():
        raise SystemExit(f"no database at {db}: run python -m bench.run --scale {args.scale} first")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    options = match.DEFAULT_OPTIONS
    matcher = match.Matcher(conn, options)
    build_seconds = build(conn, OUT / f"match_partition_probe-{args.scale}.db")
    span = max(conn.execute("SELECT max(last - day) FROM temp.pqm_req").fetchone()[0] or 0, 0)
    refusals = match.load_refusals(conn, None)
    chosen = random.Random(args.seed).sample(refusals, min(args.sample, len(refusals)))
    shift = SEQ_BITS + DAY_BITS
    totals = dict.fromkeys(("now", "ranged", "now_without_bm25", "ranged_without_bm25"), 0.0)
    counts = dict.fromkeys(("queries", "identical", "as_matcher", "now_rows", "ranged_rows"), 0)
    for refusal in chosen:
        terms, _ = matcher.terms(refusal)
        answered = match.day(refusal["date_answered"]) or match.day(refusal["date_tabled"])
        query = matcher.search.query("foi_requests", terms, rarest_alone=True) if terms else None
        if not query or refusal["department_id"] is None or answered is None:
            continue
        dept = matcher.search.dept_codes.get(refusal["department_id"], -1)
        lo, hi = answered - options.days_before, answered + options.days_after
        base = {"dept": dept, "lo": lo, "hi": hi, "limit": options.candidates, "query": query, "undated": 0}
        ranged = {
            **base,
            "first": (dept << shift) | (max(lo - span, 0) << SEQ_BITS),
            "last": (dept << shift) | (hi << SEQ_BITS) | SEQ_MASK,
        }
        now, seconds = timed(conn, NOW_SQL, base)
        totals["now"] += seconds
        found, seconds = timed(conn, RANGED_SQL, ranged)
        totals["ranged"] += seconds
        totals["now_without_bm25"] += timed(conn, without_bm25(NOW_SQL), base)[1]
        totals["ranged_without_bm25"] += timed(conn, without_bm25(RANGED_SQL), ranged)[1]
        counts["queries"] += 1
        counts["identical"] += now == found
        counts["as_matcher"] += conn.execute(match.REQUEST_SQL, base).fetchall() == found
        counts["now_rows"] += conn.execute(
            "SELECT count(*) FROM foi_requests_fts WHERE foi_requests_fts MATCH ?", [query]
        ).fetchone()[0]
        counts["ranged_rows"] += conn.execute(
            "SELECT count(*) FROM probe.req_fts WHERE req_fts MATCH :query AND rowid BETWEEN :first AND :last",
            ranged,
        ).fetchone()[0]
    n = max(counts["queries"], 1)
    result = {
        "scale": args.scale,
        "foi_requests_indexed": conn.execute("SELECT count(*) FROM probe.req_fts").fetchone()[0],
        "build_s": round(build_seconds, 1),
        "queries": counts["queries"],
        **{f"{name}_ms": round(seconds / n * 1000, 2) for name, seconds in totals.items()},
        "now_rows_read": round(counts["now_rows"] / n),
        "ranged_rows_read": round(counts["ranged_rows"] / n),
        "identical": round(counts["identical"] / n, 3),
        "identical_to_matcher_order": round(counts["as_matcher"] / n, 3),
    }
    print(json.dumps(result))
    (OUT / f"match_partition_probe-{args.scale}.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
