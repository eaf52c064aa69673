"""Generate a scale corpus of written answers and FOI disclosures, seeded, at any size.

    python -m bench.corpus --answers 750000 --foi 1000000 --seed 42 --out bench/out/corpus

writes, in ``--out``:

- ``answers.jsonl``: written questions and answers as the list endpoint gives them (the items
  ``{"value", "links"}`` of ``bench/generate_questions.py``, one a line, latest activity first),
  or ``answers.json``, one list response (``--answers-format list``); refusals in every
  category, and the planted ones (``corpus_answers.plant``);
- ``foi.jsonl`` (or ``foi.csv``): FOI requests in the record format of ``pqcheck import foi``,
  from the same departments and their agencies (``corpus_foi``);
- ``pairs.jsonl``: the planted refusal-disclosure pairs: the question id, the FOI record's id as
  pqcheck stores it (``file:<id>``), department, subject, refusal category, years and figures;
- ``manifest.json``: the arguments and what each file holds.

The same arguments give byte-identical files, whatever ``--workers``. Memory stays flat at any
size: records are made in chunks of ``CHUNK`` (in parallel), written to scratch files in
``--out``, then merged into the list endpoint's order (answers) or joined (FOI).
"""

from __future__ import annotations

import argparse
import csv
import heapq
import io
import itertools
import json
import math
import multiprocessing
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from pqcheck.sources.foi_files import RECORD_FIELDS

from .corpus_answers import AnswerGenerator, activity, plant, planted_places
from .corpus_foi import FoiGenerator

VERSION = "3"  # 3: each planted pair's place its own (corpus_answers.planted_places)
CHUNK = 10_000
_ANSWERS: dict[int, AnswerGenerator] = {}  # one generator per seed in each process


def answer_chunk(job: tuple[int, int, int, int, list[str], str]) -> tuple[str, list[dict[str, Any]], Counter]:
    """Write chunk ``index`` of the answers to a scratch file, each line led by its sort key."""
    seed, index, size, chunks, places, scratch = job
    generator = _ANSWERS.setdefault(seed, AnswerGenerator(seed))
    generator.refusals = Counter()
    items = generator.chunk(seed, index, size, chunks)
    pairs = plant(items, random.Random(f"{seed}:plant:{index}"), places)
    refusals = generator.refusals + Counter(pair["category"] for pair in pairs)
    path = Path(scratch) / f"answers-{index:05d}"
    with path.open("wb") as out:
        for item in items:
            out.write(f"{activity(item['value'])}\t".encode() + orjson.dumps(item) + b"\n")
    return str(path), pairs, refusals


def foi_chunk(job: tuple[int, int, int, int, dict[int, dict], str, str]) -> tuple[str, dict[int, str], Counter]:
    """Write FOI records ``start`` to ``start + count`` to a scratch file; the planted ones' ids."""
    seed, index, start, count, planted, fmt, scratch = job
    generator = FoiGenerator(seed, index)
    path = Path(scratch) / f"foi-{index:05d}"
    ids, outcomes = {}, Counter()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for n in range(start, start + count):
            pair = planted.get(n)
            record = generator.planted_record(n, pair) if pair else generator.record(n)
            if pair:
                ids[pair["question_id"]] = f"file:{record['id']}"
            outcomes[record["outcome"]] += 1
            if fmt == "csv":
                writer.writerow([record[f] or "" for f in RECORD_FIELDS])
            else:
                out.write(orjson.dumps(record).decode() + "\n")
    return str(path), ids, outcomes


def run(function: Callable, jobs: list, workers: int) -> Iterable:
    """``function`` over ``jobs``, results in order; in ``workers`` processes if more than one."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(function, jobs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(function, jobs)


def write_answers(args: argparse.Namespace, scratch: Path) -> tuple[Path, list[dict[str, Any]], Counter]:
    n, chunks = args.answers, max(1, math.ceil(args.answers / CHUNK))
    bounds = [min(n, i * CHUNK) for i in range(chunks + 1)]
    planted = [args.pairs * hi // max(n, 1) - args.pairs * lo // max(n, 1) for lo, hi in itertools.pairwise(bounds)]
    places, offsets = planted_places(args.seed), [0, *itertools.accumulate(planted)]
    if offsets[-1] > len(places):
        raise SystemExit(f"--pairs {offsets[-1]:,}: at most {len(places):,}, one for each place of the planted pairs")
    jobs = [
        (args.seed, i, bounds[i + 1] - bounds[i], chunks, places[offsets[i] : offsets[i + 1]], str(scratch))
        for i in range(chunks)
    ]
    paths, pairs, refusals = [], [], Counter()
    for path, chunk_pairs, chunk_refusals in run(answer_chunk, jobs, args.workers):
        paths.append(path)
        pairs += chunk_pairs
        refusals += chunk_refusals
    target = args.out / ("answers.jsonl" if args.answers_format == "jsonl" else "answers.json")
    sources = [open(p, "rb") for p in paths]  # noqa: SIM115 - closed below, all at once
    try:
        with target.open("wb") as out:
            lines = (line.split(b"\t", 1)[1] for line in heapq.merge(*sources, reverse=True))
            if args.answers_format == "jsonl":
                out.writelines(lines)
            else:
                out.write(b'{"totalResults":%d,"results":[' % n)
                for number, line in enumerate(lines):
                    out.write((b"," if number else b"") + line.rstrip(b"\n"))
                out.write(b"]}")
    finally:
        for source in sources:
            source.close()
    return target, pairs, refusals


def write_foi(args: argparse.Namespace, pairs: list[dict[str, Any]], scratch: Path) -> tuple[Path, Counter]:
    """The FOI records, a planted disclosure for each pair (as many as there are records)."""
    m, rng = args.foi, random.Random(f"{args.seed}:pairs")
    kept = pairs[: min(len(pairs), m)]
    rng.shuffle(kept)
    at = dict(zip(sorted(rng.sample(range(m), len(kept))), kept, strict=True))
    jobs = []
    for index, start in enumerate(range(0, m, CHUNK)):
        count = min(CHUNK, m - start)
        planted = {p: pair for p, pair in at.items() if start <= p < start + count}
        jobs.append((args.seed, index, start, count, planted, args.foi_format, str(scratch)))
    target = args.out / f"foi.{args.foi_format}"
    by_question = {pair["question_id"]: pair for pair in kept}
    outcomes: Counter = Counter()
    with target.open("wb") as out:
        if args.foi_format == "csv":
            header = io.StringIO()
            csv.writer(header, lineterminator="\n").writerow(RECORD_FIELDS)
            out.write(header.getvalue().encode())
        for path, ids, chunk_outcomes in run(foi_chunk, jobs, args.workers):
            for question_id, foi_id in ids.items():
                by_question[question_id]["foi_id"] = foi_id
            outcomes += chunk_outcomes
            with open(path, "rb") as source:
                shutil.copyfileobj(source, out)
            Path(path).unlink()
    return target, outcomes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=10_000, help="written questions (default 10000)")
    parser.add_argument("--foi", type=int, default=10_000, help="FOI records (default 10000)")
    parser.add_argument("--pairs", type=int, help="planted refusal-disclosure pairs (default: answers / 200)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="folder for the files (created)")
    parser.add_argument("--answers-format", choices=("jsonl", "list"), default="jsonl")
    parser.add_argument("--foi-format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes (default: CPUs)")
    parser.add_argument("--quiet", action="store_true", help="no timings on stderr")
    args = parser.parse_args(argv)
    if args.answers < 0 or args.foi < 0 or (args.pairs or 0) < 0:
        parser.error("counts must not be negative")
    if args.pairs is None:
        args.pairs = args.answers // 200
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".corpus-", dir=args.out))
    try:
        started = time.perf_counter()
        answers, pairs, refusals = write_answers(args, scratch)
        middle = time.perf_counter()
        foi, outcomes = write_foi(args, pairs, scratch)
        ended = time.perf_counter()
    finally:
        shutil.rmtree(scratch)
    pairs = [p for p in pairs if p.get("foi_id")]
    with (args.out / "pairs.jsonl").open("wb") as out:
        out.writelines(orjson.dumps(p) + b"\n" for p in sorted(pairs, key=lambda p: p["question_id"]))
    manifest = {
        "generator": "bench/corpus.py",
        "version": VERSION,
        "seed": args.seed,
        "chunk": CHUNK,
        "answers": {"file": answers.name, "records": args.answers, "refusals": dict(sorted(refusals.items()))},
        "foi": {"file": foi.name, "records": args.foi, "outcomes": dict(sorted(outcomes.items()))},
        "pairs": {"file": "pairs.jsonl", "records": len(pairs)},
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    if not args.quiet:
        peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        for name, count, seconds in (("answers", args.answers, middle - started), ("foi", args.foi, ended - middle)):
            print(f"{name}: {count:,} in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f}/s)", file=sys.stderr)
        print(f"pairs: {len(pairs):,}; peak memory of one process: {peak / 1024:.0f} MiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
