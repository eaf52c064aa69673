"""Would a department-ordered index bound the matcher's candidate search? A measurement, not a feature.

    python -m bench.match_partition_probe            # on bench/out/run-full/pqcheck.db
    python -m bench.match_partition_probe --scale 100k --sample 300

``bench/match_growth.py`` shows that a refusal's candidate searches read every index row of its
terms in the whole collection and keep the department's and the window's afterwards. This builds,
in a scratch database beside the run's, a contentless FTS5 index of the FOI requests (title and
request text, porter like ``foi_requests_fts``) whose rowid is ``department << 40 | day << 20 |
request rowid``: a department's requests are together, in date order, so a query can give FTS5 a
rowid range that it seeks to instead of reading the whole list. On a seeded sample of refusals it
times the matcher's request query (``match.REQUEST_SQL``) against the same terms over the range,
counts the rows each reads, checks that both find the same requests (dated ones only: an undated
one would need a second range) and compares their 50 best. bm25 differs a little between the two
indexes (the scratch one holds only the requests that can be candidates, so its row count and
average length differ), and the synthetic corpus has many equal scores, cut at 50 either way.
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


def build(conn: sqlite3.Connection, scratch: Path) -> float:
    """The department-ordered index of the requests in ``temp.pqm_req`` (made by the matcher)."""
    scratch.unlink(missing_ok=True)
    conn.execute("ATTACH ? AS probe", [str(scratch)])
    conn.execute("CREATE VIRTUAL TABLE probe.req_fts USING fts5(title, request_text, content='', tokenize='porter')")
    top = conn.execute("SELECT max(rowid) FROM temp.pqm_req").fetchone()[0] or 0
    if top >= 1 << SEQ_BITS:
        raise SystemExit(f"request rowids up to {top:,}: more than {SEQ_BITS} bits, adjust SEQ_BITS")
    began = time.perf_counter()
    conn.execute(
        f"""INSERT INTO probe.req_fts (rowid, title, request_text)
            SELECT (m.dept << {SEQ_BITS + DAY_BITS}) | (m.day << {SEQ_BITS}) | r.rowid, r.title, r.request_text
            FROM temp.pqm_req m JOIN foi_requests r ON r.rowid = m.rowid WHERE m.day IS NOT NULL
            ORDER BY 1"""
    )
    conn.commit()
    return time.perf_counter() - began


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
    matcher = match.Matcher(conn, match.DEFAULT_OPTIONS)
    build_seconds = build(conn, OUT / f"match_partition_probe-{args.scale}.db")
    refusals = match.load_refusals(conn, None)
    chosen = random.Random(args.seed).sample(refusals, min(args.sample, len(refusals)))
    shift = SEQ_BITS + DAY_BITS
    ranged = f"""SELECT rowid & {(1 << SEQ_BITS) - 1}, bm25(req_fts, 3.0, 1.0) AS s FROM probe.req_fts
        WHERE req_fts MATCH :query AND rowid BETWEEN :first AND :last ORDER BY s LIMIT :limit"""
    totals = {
        "now_s": 0.0,
        "ranged_s": 0.0,
        "now_rows": 0,
        "ranged_rows": 0,
        "queries": 0,
        "overlap": 0,
        "best": 0,
        "same_rows": 0,
    }
    for refusal in chosen:
        terms, _ = matcher.terms(refusal)
        answered = match.day(refusal["date_answered"]) or match.day(refusal["date_tabled"])
        query = matcher.search.query("foi_requests", terms, rarest_alone=True) if terms else None
        if not query or refusal["department_id"] is None or answered is None:
            continue
        window = match.DEFAULT_OPTIONS.days_before
        dept, lo, hi = matcher.search.dept_codes.get(refusal["department_id"], -1), answered - window, answered + window
        base = {"dept": dept, "lo": lo, "hi": hi, "limit": 50, "query": query, "undated": 0}
        began = time.perf_counter()
        now = conn.execute(match.REQUEST_SQL, base).fetchall()
        totals["now_s"] += time.perf_counter() - began
        first, last = (dept << shift) | (lo << SEQ_BITS), (dept << shift) | (hi << SEQ_BITS) | ((1 << SEQ_BITS) - 1)
        began = time.perf_counter()
        found = conn.execute(ranged, {**base, "first": first, "last": last}).fetchall()
        totals["ranged_s"] += time.perf_counter() - began
        totals["now_rows"] += conn.execute(
            "SELECT count(*) FROM foi_requests_fts WHERE foi_requests_fts MATCH ?", [query]
        ).fetchone()[0]
        totals["ranged_rows"] += conn.execute(
            "SELECT count(*) FROM probe.req_fts WHERE req_fts MATCH ? AND rowid BETWEEN ? AND ?", [query, first, last]
        ).fetchone()[0]
        everything = {**base, "first": first, "last": last, "limit": -1}
        totals["same_rows"] += {r[0] for r in conn.execute(match.REQUEST_SQL, everything)} == {
            r[0] for r in conn.execute(ranged, everything)
        }
        totals["queries"] += 1
        totals["overlap"] += len({r[0] for r in now} & {r[0] for r in found}) / max(len(now), 1)
        totals["best"] += bool(now) and bool(found) and now[0][0] == found[0][0]
    n = max(totals["queries"], 1)
    result = {
        "scale": args.scale,
        "foi_requests_indexed": conn.execute("SELECT count(*) FROM temp.pqm_req WHERE day IS NOT NULL").fetchone()[0],
        "build_s": round(build_seconds, 1),
        "queries": totals["queries"],
        "now_ms": round(totals["now_s"] / n * 1000, 2),
        "ranged_ms": round(totals["ranged_s"] / n * 1000, 2),
        "now_rows_read": round(totals["now_rows"] / n),
        "ranged_rows_read": round(totals["ranged_rows"] / n),
        "same_rows": round(totals["same_rows"] / n, 3),
        "top50_overlap": round(totals["overlap"] / n, 3),
        "same_best": round(totals["best"] / n, 3),
    }
    print(json.dumps(result))
    (OUT / f"match_partition_probe-{args.scale}.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
