"""Search latency on a database of more than a million searchable rows.

Target (issue 5): under 100 ms at the 95th percentile on 1,000,000 rows.

    python -m bench.search_speed                  # build (once, cached in bench/out/) and measure
    python -m bench.search_speed --rounds 5       # more timed rounds of the query set
    python -m bench.search_speed --http           # also time GET /search over HTTP (pages rendered)

The database starts from the full-scale match benchmark's (``bench/match_speed.py``: 250,000 FOI
requests with 500,000 documents and ~583,000 pages, 75,000 written answers; generated if missing,
with its matches if ``match_speed.py`` has been run, else synthetic pairs between refusals and FOI
requests of the same department and topic), copied, and topped up with written answers of the
same made-up vocabulary until the three full-text indexes (answers, FOI requests, FOI pages) hold
``--rows`` rows together (default 1,300,000).

The queries are drawn (seeded) from the vocabulary by kind: one topic word, two words, a quoted
phrase, ``a OR b``, ``a -b``, two words with a department and date filter, two words with the
verdict filter ``unreviewed`` and a minimum score, and one very common word of FOI letters
("figures", in most rows): the worst case. Each query is one call of ``pqcheck.search.search`` for
all three kinds, 20 hits each (what the web search page does), after a warm-up round. Prints
p50/p95/p99/max overall and per kind of query; writes bench/out/search_speed.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import threading
import time
from datetime import date
from pathlib import Path

from pqcheck.db import open_db
from pqcheck.departments import department_index
from pqcheck.search import SearchFilters, search
from pqcheck.vocabulary import SEARCH_KINDS

from . import match_speed
from .common import OUT, insert_rows, latency_stats

GENERATOR_VERSION = "search-1"
SEED = 42
QUERY_KINDS = ("word", "two words", "phrase", "or", "exclusion", "filtered", "verdict", "common word")


def build(rows: int) -> Path:
    """The cached benchmark database with ``rows`` searchable rows (built if missing)."""
    path = OUT / f"search_speed-rows{rows}-seed{SEED}.db"
    stamp = path.with_name(path.name + ".generator")
    if path.exists() and stamp.exists() and stamp.read_text().strip() == GENERATOR_VERSION:
        return path
    source = match_speed.database(match_speed.FULL_REFUSALS, match_speed.FULL_DOCUMENTS, SEED, False)
    print(f"copying {source.name} ...", flush=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, path)
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    world = match_speed.World(SEED)
    rng = random.Random(SEED + 1)
    have = sum(
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("questions", "foi_requests", "foi_pages")
    )
    next_id = conn.execute("SELECT max(id) FROM questions").fetchone()[0] + 1
    extra = max(0, rows - have)
    index = department_index()
    body_of = {d: (index.departments[d]["answering_bodies"] or [None])[0] for d in world.departments}
    name_of = {d: index.departments[d]["name"] for d in world.departments}
    batch = []
    for qid in range(next_id, next_id + extra):
        dept = world.department()
        topic = world.topic(dept)
        answered = match_speed.day(rng, 2013, 2024)
        question = (
            f"To ask the Secretary of State, what steps are being taken on {topic[0]} {topic[1]} and "
            f"{rng.choice(world.broad[dept])}."
        )
        answer = " ".join(rng.choices(match_speed.ANSWER_WORDS, k=25)) + f" {topic[rng.randrange(3)]}."
        heading = f"{topic[0].capitalize()}: {topic[2].capitalize()}"
        batch.append(
            (
                qid,
                str(qid),
                "Commons",
                answered,
                answered,
                heading,
                question,
                "answered",
                answer,
                body_of[dept],
                name_of[dept],
            )
        )
        if len(batch) >= 20_000:
            _insert_questions(conn, batch)
    _insert_questions(conn, batch)
    print(f"  {extra:,} written answers added in {time.perf_counter() - started:.0f}s", flush=True)
    if not conn.execute("SELECT count(*) FROM matches").fetchone()[0]:
        _synthetic_matches(conn, rng)
    conn.execute("INSERT INTO questions_fts(questions_fts) VALUES ('rebuild')")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    open_db(path).close()  # indexes this version of pqcheck declares
    stamp.write_text(GENERATOR_VERSION + "\n")
    print(f"built in {time.perf_counter() - started:.0f}s, {path.stat().st_size / 2**20:,.0f} MiB", flush=True)
    return path


def _insert_questions(conn: sqlite3.Connection, batch: list[tuple]) -> None:
    insert_rows(conn, "questions", match_speed.QUESTION_COLUMNS, batch)
    conn.commit()
    batch.clear()


def _synthetic_matches(conn: sqlite3.Connection, rng: random.Random) -> None:
    """Three pairs per refusal with FOI requests of its department (when match_speed.py has not
    been run on the source database: the latency of a search depends on how many pairs there are,
    not on how good they are)."""
    print("  no matches in the source database: writing synthetic pairs", flush=True)
    requests: dict[str, list[str]] = {}
    for rid, dept in conn.execute("SELECT id, department_id FROM foi_requests"):
        requests.setdefault(dept, []).append(rid)
    pairs = []
    for qid, dept in conn.execute(
        "SELECT r.question_id, qd.department_id FROM refusals r "
        "JOIN question_departments qd ON qd.question_id = r.question_id WHERE r.label = 'refusal'"
    ):
        pool = requests.get(dept) or requests[rng.choice(list(requests))]
        for rid in rng.sample(pool, min(3, len(pool))):
            pairs.append((f"{qid}:{rid}", qid, "foi", rid, dept, "disclosure", round(rng.random(), 3)))
    columns = ("id", "question_id", "target_kind", "foi_request_id", "department_id", "evidence_kind", "score")
    insert_rows(conn, "matches", columns, pairs)
    conn.commit()


def queries(n: int) -> list[tuple[str, str, SearchFilters]]:
    """(kind of query, text, filters), seeded, in a shuffled order."""
    world = match_speed.World(SEED)
    rng = random.Random(SEED + 2)
    out = []
    for i in range(n):
        kind = QUERY_KINDS[i % len(QUERY_KINDS)]
        dept = world.department()
        a, b, c = world.topic(dept)
        filters = SearchFilters()
        text = {
            "word": a,
            "two words": f"{a} {b}",
            "phrase": f'"{a} {b}"',
            "or": f"{a} OR {c}",
            "exclusion": f"{a} -{b}",
            "filtered": f"{a} {b}",
            "verdict": f"{a} {c}",
            "common word": rng.choice(("figures", "records", "information", "statistics")),
        }[kind]
        if kind == "filtered":
            year = rng.randint(2013, 2022)
            filters = SearchFilters(departments=(dept,), date_from=date(year, 1, 1), date_to=date(year + 2, 12, 31))
        elif kind == "verdict":
            filters = SearchFilters(verdicts=("unreviewed",), min_score=0.5)
        out.append((kind, text, filters))
    rng.shuffle(out)
    return out


def measure(path: Path, rounds: int, n: int) -> dict:
    db = open_db(path)
    workload = queries(n)
    for _, text, filters in workload:  # warm-up: the page cache, as on a server that has been up a while
        search(db, text, filters, kinds=SEARCH_KINDS, limit=20)
    times: dict[str, list[float]] = {k: [] for k in QUERY_KINDS}
    for _ in range(rounds):
        for kind, text, filters in workload:
            began = time.perf_counter()
            search(db, text, filters, kinds=SEARCH_KINDS, limit=20)
            times[kind].append((time.perf_counter() - began) * 1000)
    every = [t for values in times.values() for t in values]
    return {
        "all": latency_stats(every),
        "by_query_kind": {k: latency_stats(v) for k, v in times.items()},
        "without_common_word": latency_stats([t for k, v in times.items() if k != "common word" for t in v]),
    }


def measure_http(path: Path, n: int) -> dict:
    """GET /search?q=... on the real server (one client), pages rendered."""
    from urllib.parse import urlencode

    import requests

    from pqcheck.web.server import make_server

    running = make_server(path, "127.0.0.1", 0)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    session = requests.Session()
    times = []
    try:
        for round_ in range(2):
            for _, text, filters in queries(n):
                params = {"q": text}
                if filters.departments:
                    params.update(department=filters.departments[0], **{"from": str(filters.date_from)})
                    params["to"] = str(filters.date_to)
                if filters.verdicts:
                    params.update(verdict="unreviewed", min_score="0.5")
                began = time.perf_counter()
                response = session.get(running.url + "search?" + urlencode(params), timeout=30)
                elapsed = (time.perf_counter() - began) * 1000
                response.raise_for_status()
                if round_:
                    times.append(elapsed)
    finally:
        running.close()
    return latency_stats(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_300_000, help="Searchable rows (answers + FOI requests + pages).")
    parser.add_argument("--queries", type=int, default=160, help="Queries in the set (run --rounds times).")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="Also time the web search page over HTTP.")
    args = parser.parse_args()
    path = build(args.rows)
    conn = sqlite3.connect(path)
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("questions", "foi_requests", "foi_pages", "matches")
    }
    conn.close()
    searchable = counts["questions"] + counts["foi_requests"] + counts["foi_pages"]
    print(f"database: {path.name}, {path.stat().st_size / 2**20:,.0f} MiB; {searchable:,} searchable rows {counts}")
    result = {
        "database": path.name,
        "rows": counts,
        "searchable_rows": searchable,
        **measure(path, args.rounds, args.queries),
    }
    if args.http:
        result["http"] = measure_http(path, args.queries)
    every = result["all"]
    print(
        f"search() for pairs, answers and FOI, 20 hits each: p50 {every['p50_ms']} ms, p95 {every['p95_ms']} ms, "
        f"p99 {every['p99_ms']} ms, max {every['max_ms']} ms ({every['n']} searches)"
    )
    for kind, stats in result["by_query_kind"].items():
        print(f"  {kind:<12} p50 {stats['p50_ms']:>7} ms  p95 {stats['p95_ms']:>7} ms  max {stats['max_ms']:>7} ms")
    if args.http:
        http = result["http"]
        print(f"GET /search (page rendered): p50 {http['p50_ms']} ms, p95 {http['p95_ms']} ms, max {http['max_ms']} ms")
    (OUT / "search_speed.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
