"""How fast ``pqcheck.report.write_report`` writes a report of many pairs, in each format.

Builds (once per seed and size, cached under ``bench/out/``) a synthetic database by direct
inserts: questions with refusals in every department the shipped mapping knows, members, FOI
requests and documents, ``--pairs`` matches (most against FOI disclosures, some against other
answers) with reasons, evidence and figures, and reviews on a share of them. Then times
``write_report`` for md, csv and json (median of ``--runs``), writing to a file in ``bench/out/``,
and prints seconds per format and the output size. The target is under 5 s for 10,000 pairs.

    python -m bench.report_speed                    # 10,000 pairs, seed 42, 3 runs
    python -m bench.report_speed --pairs 50000 --runs 1
    python -m bench.report_speed --profile md       # cProfile of one markdown report, top 25
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from pqcheck.db import open_db, upsert_rows
from pqcheck.departments import department_index
from pqcheck.report import FORMATS, write_report

from .common import OUT, ROOT

TARGET_SECONDS = 5.0
GENERATOR_VERSION = "2"  # bump when the synthetic data changes, to rebuild cached databases


VOCABULARY = (
    "victims trafficking immigration detention prisoners remand sentences police officers assaults hospital "
    "admissions waiting times ambulance response teachers pupils exclusions benefit sanctions claimants "
    "universal credit asylum applications removals deportations knife crime offences convictions"
)
WORDS = VOCABULARY.split()
PHRASES = {
    "not_held_centrally": "This information is not held centrally",
    "not_collected": "The Department does not collect this information",
    "disproportionate_cost": "could only be obtained at disproportionate cost",
    "not_in_format": "is not held in the format requested",
    "not_available": "The information requested is not available",
    "will_publish": "will be published in due course",
    "other": "We do not comment on operational matters",
}
PARTIES = ("Labour", "Conservative", "Liberal Democrat", "Scottish National Party", "Green Party")


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build_db(path: Path, pairs: int, seed: int) -> None:
    """A synthetic database with ``pairs`` matches, written with ``upsert_rows`` (no classifier or matcher)."""
    rng = random.Random(seed)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_db(path)
    index = department_index()
    bodies = [(b, d["id"]) for d in index.departments.values() for b in d["answering_bodies"]]
    members = [
        {"id": i, "name": f"Member {i} {rng.choice(WORDS).title()}", "party": rng.choice(PARTIES)}
        for i in range(1, 401)
    ]
    n_questions = pairs * 2
    questions, refusals = [], []
    start = date(2015, 1, 1)
    categories = list(PHRASES)
    for i in range(n_questions):
        qid = 1_000_000 + i
        body_id, _dept = rng.choice(bodies)
        tabled = start + timedelta(days=rng.randrange(3500))
        answered = tabled + timedelta(days=rng.randrange(3, 40))
        uin = str(100_000 + i)
        refused = i % 2 == 0
        category = rng.choice(categories)
        lead = sentence(rng, rng.randrange(10, 40)).capitalize() + ". "
        answer = lead + (PHRASES[category] + ". " if refused else "") + sentence(rng, rng.randrange(20, 80)) + "."
        questions.append(
            {
                "id": qid,
                "uin": uin,
                "house": "Commons" if i % 5 else "Lords",
                "date_tabled": tabled.isoformat(),
                "date_answered": answered.isoformat(),
                "heading": f"{rng.choice(WORDS).title()}: {rng.choice(WORDS).title()}",
                "question_text": "To ask the Secretary of State, how many " + sentence(rng, 25) + " since 2015.",
                "answer_text": answer,
                "answer_status": "answered",
                "answering_body_id": body_id,
                "answering_body_name": f"Body {body_id}",
                "asking_member_id": rng.randrange(1, 401),
                "answering_member_id": rng.randrange(1, 401),
                "url": f"https://questions-statements.parliament.uk/written-questions/detail/{tabled}/{uin}",
            }
        )
        if refused:
            phrase = PHRASES[category]
            at = answer.index(phrase)
            refusals.append(
                {
                    "question_id": qid,
                    "label": "refusal" if i % 10 else "partial",
                    "category": category,
                    "phrase": phrase,
                    "phrase_start": at,
                    "phrase_end": at + len(phrase),
                    "subject": sentence(rng, 4),
                    "classifier_version": "bench-1",
                }
            )
    n_foi = max(1, pairs // 3)
    requests, documents = [], []
    for i in range(n_foi):
        dept = rng.choice(list(index.departments))
        responded = start + timedelta(days=rng.randrange(3600))
        rid = f"wdtk:bench_request_{i}"
        requests.append(
            {
                "id": rid,
                "source": "wdtk",
                "source_id": f"bench_request_{i}",
                "url": f"https://www.whatdotheyknow.com/request/bench_request_{i}",
                "authority": index.departments[dept]["name"],
                "department_id": dept,
                "title": sentence(rng, 6).capitalize(),
                "outcome": rng.choice(("successful", "partially_successful", "not_held", "rejected")),
                "date_responded": responded.isoformat(),
            }
        )
        documents.append(
            {
                "id": f"{rid}/attachment:{i}:reply.pdf",
                "request_id": rid,
                "kind": "attachment",
                "title": f"FOI {i} reply.pdf",
                "url": f"https://www.whatdotheyknow.com/r/{i}/reply.pdf",
                "filename": "reply.pdf",
                "page_count": rng.randrange(1, 20),
            }
        )
    matches, reviews = [], []
    refused_ids = [r["question_id"] for r in refusals]
    phrase_of = {r["question_id"]: r["phrase"] for r in refusals}
    by_id = {q["id"]: q for q in questions}
    for i in range(pairs):
        qid = refused_ids[i % len(refused_ids)]
        figures = [rng.randrange(5, 50_000) for _ in range(rng.randrange(1, 6))]
        evidence = " ".join(f"In {2010 + k} there were {f:,} {rng.choice(WORDS)}." for k, f in enumerate(figures))
        reasons = {
            "terms": rng.sample(WORDS, 3),
            "rules": {"same_department": 0.2, "period_overlap": round(rng.random() / 5, 3)},
        }
        common = {
            "id": f"bench-match-{i:06d}",
            "question_id": qid,
            "score": round(rng.random(), 2),  # two decimals: plenty of ties, to exercise the tie-break
            "reasons": json.dumps(reasons),
            "refusal_phrase": phrase_of[qid],
            "evidence_text": evidence,
            "evidence_page": rng.randrange(1, 10),
            "evidence_figures": json.dumps(
                [{"text": f"{f:,}", "value": f, "context": f"there were {f:,}"} for f in figures]
            ),
            "time_relation": rng.choice(("before", "after", "same_day")),
            "gap_days": rng.randrange(0, 700),
            "matcher_version": "bench-1",
        }
        if i % 10 == 9:
            other = by_id[rng.choice(refused_ids) + 1]
            matches.append(
                {**common, "target_kind": "answer", "other_question_id": other["id"], "evidence_kind": "answer"}
            )
        else:
            k = rng.randrange(n_foi)
            matches.append(
                {
                    **common,
                    "target_kind": "foi",
                    "foi_request_id": requests[k]["id"],
                    "foi_document_id": documents[k]["id"],
                    "department_id": requests[k]["department_id"],
                    "evidence_kind": "disclosure",
                }
            )
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            reviews.append(
                {
                    "id": len(reviews) + 1,
                    "match_id": common["id"],
                    "verdict": rng.choice(("confirmed", "rejected", "not-comparable")),
                    "note": sentence(rng, 5),
                    "reviewer": rng.choice(("alice", "bob")),
                    "reviewed_at": f"2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}T10:00:00",
                }
            )
    with db.atomic():
        upsert_rows(db, "members", members)
        upsert_rows(db, "questions", questions)
        upsert_rows(db, "refusals", refusals)
        upsert_rows(db, "foi_requests", requests)
        upsert_rows(db, "foi_documents", documents)
        upsert_rows(db, "matches", matches)
        upsert_rows(db, "reviews", reviews)
    db.execute("ANALYZE")
    db.close()


def database(pairs: int, seed: int, rebuild: bool) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"report_speed-pairs{pairs}-seed{seed}-v{GENERATOR_VERSION}.db"
    if rebuild or not path.exists():
        started = time.perf_counter()
        build_db(path, pairs, seed)
        print(f"built {path.relative_to(ROOT)} in {time.perf_counter() - started:.1f}s")
    return path


def timed(path: Path, fmt: str, target: Path) -> tuple[float, int, object]:
    db = open_db(path)
    try:
        started = time.perf_counter()
        with target.open("w", encoding="utf-8") as handle:
            stats = write_report(db, handle, fmt=fmt)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    return seconds, target.stat().st_size, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="Rebuild the cached database.")
    parser.add_argument("--profile", choices=FORMATS, help="Profile one report in this format instead.")
    args = parser.parse_args()
    path = database(args.pairs, args.seed, args.rebuild)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        timed(path, args.profile, OUT / f"report_speed.{args.profile}")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return 0
    print(f"{args.pairs:,} pairs, seed {args.seed}, median of {args.runs} run(s); target < {TARGET_SECONDS:g} s")
    worst = 0.0
    outputs = {}
    for fmt in FORMATS:
        target = OUT / f"report_speed.{fmt}"
        results = [timed(path, fmt, target) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        size, stats = results[-1][1], results[-1][2]
        outputs[fmt] = target.read_bytes()
        worst = max(worst, seconds)
        print(f"{fmt:>4}: {seconds:6.2f} s  ({size / 1e6:5.1f} MB, {stats.listed:,} pairs listed)")
    again = timed(path, "md", OUT / "report_speed.again.md")
    identical = (OUT / "report_speed.again.md").read_bytes() == outputs["md"]
    print(f"markdown byte-identical on a second run: {identical} ({again[0]:.2f} s)")
    ok = worst < TARGET_SECONDS and identical
    print("OK" if ok else "TOO SLOW" if worst >= TARGET_SECONDS else "NOT DETERMINISTIC")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
