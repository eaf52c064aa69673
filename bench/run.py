"""The whole pipeline at 10k, 100k and full scale, each stage in a fresh process, beside baselines.

    python -m bench.run --scale 10k --scale 100k      # a few minutes, then ~30 min
    nohup python -m bench.run --scale full > bench/out/run-full.log 2>&1 &
    python -m bench.run --docs-only                   # docs/performance.md from the saved results
    python -m bench.run --scale full --match-only     # the match stage again on the last run's database
    python -m bench.run --scale full --search-only    # the search stage again on the last run's database

A scale is a number of written answers (10k: 10,000; 100k: 100,000; full: 750,000, every written
answer since 2014) and FOI requests in proportion (1,000,000 at full scale). Its corpus is made
once by ``bench/corpus.py`` (seed 42, planted refusal-disclosure pairs) in ``bench/out/corpus-SCALE``
and kept. Each run imports it into a new database (``bench/out/run-SCALE/pqcheck.db``), then runs
each stage in a fresh child process (``--stage``): import questions, import FOI, classify, match
(2 workers), report (markdown of every pair), search (latency of a seeded query set); then the
baselines of ``bench/baselines.py`` on the same database: a regex classifier and all-pairs
rapidfuzz matching of a sample of refusals against every FOI request.

For every stage: records, seconds (inside the child, without start-up), records/s, µs per record
and peak memory: the resident memory of the child and all its processes, sampled every 0.1 s, or
the child's own ``ru_maxrss`` if higher. The load average before and after each stage is kept,
since other work on the machine slows a stage down. Results go to ``bench/out/run-SCALE.json``;
``docs/performance.md`` is written from every scale measured so far: the tables, the growth of
the per-record cost between scales, and the ratios to the baselines; ``docs/performance.json`` holds
the same figures for programs (per scale and stage: records, seconds, peak MiB; search p50/p95;
planted recall).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .common import OUT, ROOT, bench_command, latency_stats, planted_pairs

DOCS = ROOT / "docs" / "performance.md"
FIGURES = ROOT / "docs" / "performance.json"  # the figures docs/performance.md is made from

from .match_speed import run_watched  # noqa: E402 - stdlib only: this process stays small

SCALES = {"10k": 10_000, "100k": 100_000, "full": 750_000}
FULL_ANSWERS, FULL_FOI = 750_000, 1_000_000
SEED = 42
STAGES = ("import questions", "import foi", "classify", "match", "report", "search")
NEEDED = STAGES[:4]  # the stages after these need their results
BASELINES = ("regex classifier", "rapidfuzz matching")
FUZZY_PAIRS = 30_000_000  # refusal x FOI pairs the rapidfuzz baseline scores (half for speed, half for recall)
FUZZY_SAMPLE = (20, 500)  # fewest and most refusals in each of its two samples
QUERIES, ROUNDS = 80, 2  # search: the query set, timed this many times after a warm-up round
LINEAR = 1.25  # growth of the per-record cost between scales taken as linear (noise on a shared machine)
SAMPLE_EVERY = 0.1
MEMORY_LIMIT = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 / 2)  # GiB: half the RAM
HEARTBEAT = 60.0


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- the corpus and the database ------------------------------------------------------------------


def foi_count(answers: int) -> int:
    return answers * FULL_FOI // FULL_ANSWERS


def corpus(scale: str, seed: int) -> Path:
    """The corpus folder of ``scale``, made by bench/corpus.py unless one with the same arguments is there."""
    from . import corpus as generator  # imported here: it is not needed to run a stage

    folder = OUT / f"corpus-{scale}"
    answers = SCALES[scale]
    wanted = {"version": generator.VERSION, "seed": seed, "answers": answers, "foi": foi_count(answers)}
    manifest = folder / "manifest.json"
    if manifest.exists():
        found = json.loads(manifest.read_text(encoding="utf-8"))
        have = {"version": found["version"], "seed": found["seed"]}
        have |= {"answers": found["answers"]["records"], "foi": found["foi"]["records"]}
        if have == wanted:
            return folder
    log(f"making the corpus in {folder} ({answers:,} answers, {foi_count(answers):,} FOI requests)")
    shutil.rmtree(folder, ignore_errors=True)
    command = bench_command("corpus", "--answers", str(answers), "--foi", str(foi_count(answers)))
    subprocess.run([*command, "--seed", str(seed), "--out", str(folder)], check=True)
    return folder


def fresh_db(scale: str) -> Path:
    folder = OUT / f"run-{scale}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pqcheck.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


# --- the stages, each run in a child process (they import pqcheck there, not here) ----------------


def _manifest(job: dict[str, Any]) -> dict[str, Any]:
    return json.loads((Path(job["corpus"]) / "manifest.json").read_text(encoding="utf-8"))


def stage_import_questions(job: dict[str, Any]) -> dict[str, Any]:
    from pqcheck.db import open_db
    from pqcheck.importer import import_question_files

    manifest, problems = _manifest(job), []
    db = open_db(job["db"])
    started = time.perf_counter()
    stats = import_question_files(db, [Path(job["corpus"]) / manifest["answers"]["file"]], on_problem=problems.append)
    seconds = time.perf_counter() - started
    return {
        "records": manifest["answers"]["records"],
        "seconds": seconds,
        "inserted": stats.inserted,
        "problems": len(problems),
    }


def stage_import_foi(job: dict[str, Any]) -> dict[str, Any]:
    from pqcheck.db import open_db
    from pqcheck.foi import ingest
    from pqcheck.sources.foi_files import read_foi_paths

    manifest, problems = _manifest(job), []
    db = open_db(job["db"])
    started = time.perf_counter()
    records = read_foi_paths([Path(job["corpus"]) / manifest["foi"]["file"]], problems.append)
    stats = ingest(db, records, on_problem=problems.append)
    seconds = time.perf_counter() - started
    return {
        "records": manifest["foi"]["records"],
        "seconds": seconds,
        "inserted": stats.inserted,
        "problems": len(problems),
    }


def stage_classify(job: dict[str, Any]) -> dict[str, Any]:
    from pqcheck.classify import CLASSIFIER_VERSION, classify_db
    from pqcheck.db import open_db

    db = open_db(job["db"])
    started = time.perf_counter()
    stats = classify_db(db)
    seconds = time.perf_counter() - started
    return {"records": stats.classified, "seconds": seconds, "by_label": stats.by_label, "version": CLASSIFIER_VERSION}


def stage_match(job: dict[str, Any]) -> dict[str, Any]:
    from pqcheck.db import open_db
    from pqcheck.match import MATCHER_VERSION, MatchOptions, match_db

    from .corpus_pipeline import planted_found

    db = open_db(job["db"])
    started = time.perf_counter()
    stats = match_db(db, options=MatchOptions(workers=job["workers"]))
    seconds = time.perf_counter() - started
    foi = db.execute("SELECT count(*) FROM foi_requests").fetchone()[0]
    return {
        "records": stats.refusals,
        "seconds": seconds,
        "foi": foi,
        "matches": stats.matches,
        "candidates_per_refusal": round(stats.candidates / max(stats.refusals, 1), 1),
        "workers": job["workers"],
        "planted": planted_found(db, planted_pairs(job["corpus"])),
        "version": MATCHER_VERSION,
    }


def stage_report(job: dict[str, Any]) -> dict[str, Any]:
    from pqcheck.db import open_db
    from pqcheck.report import write_report

    db = open_db(job["db"])
    target = Path(job["db"]).with_name("report.md")
    started = time.perf_counter()
    with target.open("w", encoding="utf-8") as handle:
        stats = write_report(db, handle, fmt="md")
    seconds = time.perf_counter() - started
    size = target.stat().st_size
    target.unlink()
    return {"records": stats.listed, "seconds": seconds, "format": "md", "mb": round(size / 1e6, 1)}


def corpus_queries(pairs: list[dict[str, Any]], n: int) -> list[tuple[str, str, Any]]:
    """(kind, text, filters): the kinds of ``search_speed.QUERY_KINDS`` on the planted subjects."""
    from pqcheck.departments import department_index
    from pqcheck.search import SearchFilters

    from .search_speed import QUERY_KINDS

    rng, index = random.Random(SEED), department_index()
    out = []
    for i in range(n):
        kind, pair, other = QUERY_KINDS[i % len(QUERY_KINDS)], rng.choice(pairs), rng.choice(pairs)
        a, b = [w for w in pair["subject"].split() if len(w) > 3][:2]
        filters = SearchFilters()
        if kind == "filtered":
            year = int(pair["date_answered"][:4])
            department = index.lookup(answering_body=pair["answering_body_id"])
            filters = SearchFilters(
                departments=(department,), date_from=date(year - 1, 1, 1), date_to=date(year + 1, 12, 31)
            )
        elif kind == "verdict":
            filters = SearchFilters(verdicts=("unreviewed",), min_score=0.5)
        text = {
            "word": a,
            "two words": f"{a} {b}",
            "phrase": f'"{" ".join(pair["subject"].split()[:2])}"',
            "or": f"{a} OR {other['subject'].split()[0]}",
            "exclusion": f"{a} -{b}",
            "common word": rng.choice(("figures", "information", "records", "statistics")),
        }.get(kind, f"{a} {b}")
        out.append((kind, text, filters))
    return out


def stage_search(job: dict[str, Any]) -> dict[str, Any]:

    from pqcheck.db import open_db
    from pqcheck.search import search
    from pqcheck.vocabulary import SEARCH_KINDS

    db = open_db(job["db"])
    workload = corpus_queries(planted_pairs(job["corpus"]), QUERIES)
    for _, text, filters in workload:  # warm-up: the page cache, as on a server that has been up a while
        search(db, text, filters, kinds=SEARCH_KINDS, limit=20)
    by_kind: dict[str, list[float]] = {}
    for _ in range(ROUNDS):
        for kind, text, filters in workload:
            began = time.perf_counter()
            search(db, text, filters, kinds=SEARCH_KINDS, limit=20)
            by_kind.setdefault(kind, []).append((time.perf_counter() - began) * 1000)
    times = [t for values in by_kind.values() for t in values]
    stats = {kind: latency_stats(values) for kind, values in by_kind.items()}
    return {"records": len(times), "seconds": sum(times) / 1000, **latency_stats(times), "by_query_kind": stats}


def stage_regex(job: dict[str, Any]) -> dict[str, Any]:
    from .baselines import regex_classify_db, regex_planted, regex_quality

    conn = sqlite3.connect(job["db"])
    result = regex_classify_db(conn)
    result["planted_found"] = regex_planted(conn, planted_pairs(job["corpus"]))
    result["quality"] = regex_quality()  # after the timing: it classifies the labelled set both ways
    return result


def stage_fuzzy(job: dict[str, Any]) -> dict[str, Any]:
    from pqcheck.db import open_db

    from .baselines import fuzzy_match, fuzzy_samples, pqcheck_recall

    conn = sqlite3.connect(job["db"])
    foi = conn.execute("SELECT count(*) FROM foi_requests").fetchone()[0]
    size = max(FUZZY_SAMPLE[0], min(FUZZY_SAMPLE[1], job["fuzzy_pairs"] // 2 // max(foi, 1)))
    refusals, planted = fuzzy_samples(conn, planted_pairs(job["corpus"]), size, SEED)
    result = fuzzy_match(conn, refusals)  # the speed, on refusals as they come
    recall = fuzzy_match(conn, planted)
    result |= {"records": result["pairs"], "planted": recall["planted"], "recall_at_3": recall["recall_at_3"]}
    result["pqcheck_recall_at_3"] = pqcheck_recall(open_db(job["db"]), planted)
    return result


CHILD_STAGES = {
    "import questions": stage_import_questions,
    "import foi": stage_import_foi,
    "classify": stage_classify,
    "match": stage_match,
    "report": stage_report,
    "search": stage_search,
    "regex classifier": stage_regex,
    "rapidfuzz matching": stage_fuzzy,
}


def child(stage: str, job: dict[str, Any]) -> None:
    """Run ``stage`` in this (fresh) process and print its result as the last line of JSON.

    Its address space is limited to ``job["memory_limit"]`` GiB: a stage that needs more fails
    with MemoryError instead of bringing the machine's out-of-memory killer onto other work."""
    limit = int(job["memory_limit"] * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = CHILD_STAGES[stage](job)
    result["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# --- running a stage in a child and watching its memory ---------------------------------------------


def run_stage(stage: str, job: dict[str, Any]) -> dict[str, Any]:
    """Run ``stage`` in a child process; its result with peak memory (MiB) and the load before and after."""
    log(f"{stage} ...")
    load = os.getloadavg()[0]
    command = bench_command("run", "--stage", stage, "--job", json.dumps(job))
    began = beat = time.perf_counter()

    def heartbeat(peak: int) -> None:
        nonlocal beat
        if time.perf_counter() - beat > HEARTBEAT:
            beat = time.perf_counter()
            log(f"  {stage}: {beat - began:,.0f} s, {peak / 2**20:,.0f} MiB so far, load {os.getloadavg()[0]:.2f}")

    returncode, output, peak = run_watched(command, SAMPLE_EVERY, heartbeat)
    if returncode:
        log(f"  {stage} failed (exit {returncode})")
        return {"error": f"exit {returncode}", "peak_mib": round(peak / 2**20)}
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mib"] = round(max(peak / 2**20, result.pop("maxrss_mib")))
    result["load"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    result["per_second"] = result["records"] / max(result["seconds"], 1e-9)
    result["us_per_record"] = result["seconds"] * 1e6 / max(result["records"], 1)
    log(
        f"  {stage}: {result['records']:,} in {result['seconds']:.1f} s ({result['per_second']:,.0f}/s), "
        f"peak {result['peak_mib']:,} MiB, load {result['load'][0]} -> {result['load'][1]}"
    )
    return result


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory / 2**20, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": platform.platform(),
    }


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    changed = [line[3:] for line in git("status", "--porcelain", "--", "pqcheck").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "pqcheck_files_changed": changed}


def run_scale(scale: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every stage and baseline at ``scale``; the results, also written to bench/out/run-SCALE.json.

    They are saved after each stage in run-SCALE.partial.json. A stage that fails is recorded and
    the run goes on, unless it is one the next stages need (import, classify, match)."""
    folder = corpus(scale, args.seed)
    job = make_job(fresh_db(scale), folder, args)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    result = {
        "scale": scale,
        "answers": manifest["answers"]["records"],
        "foi": manifest["foi"]["records"],
        "planted_pairs": manifest["pairs"]["records"],
        "seed": args.seed,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "git": git_state(),
        "stages": {},
        "baselines": {},
    }
    partial = OUT / f"run-{scale}.partial.json"
    for group, names in (("stages", STAGES), ("baselines", BASELINES)):
        for name in names:
            commit = git_state()["commit"]  # the code may move on while a long run goes
            result[group][name] = run_stage(name, job) | {"commit": commit}
            partial.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
            if "error" in result[group][name] and name in NEEDED:
                raise SystemExit(f"{name} failed: the results so far are in {partial}")
    result["database_mib"] = round(Path(job["db"]).stat().st_size / 2**20)
    result["orchestrator_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["ended"] = datetime.now(UTC).isoformat(timespec="seconds")
    (OUT / f"run-{scale}.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    partial.unlink()
    return result


def make_job(db: Path, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """What a stage's child process is told."""
    return {
        "db": str(db),
        "corpus": str(folder),
        "workers": args.workers,
        "fuzzy_pairs": args.fuzzy_pairs,
        "memory_limit": args.memory_limit,
    }


def rerun_baselines(scale: str, args: argparse.Namespace) -> None:
    """The baselines again on the database and results of the last run at ``scale``."""
    path = OUT / f"run-{scale}.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    job = make_job(OUT / f"run-{scale}" / "pqcheck.db", OUT / f"corpus-{scale}", args)
    result["baselines"] = {name: run_stage(name, job) for name in BASELINES}
    result["baselines_measured"] = datetime.now(UTC).isoformat(timespec="seconds")
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


def rerun_stage(stage: str, scale: str, args: argparse.Namespace) -> None:
    """One stage (match or search) alone on the database of the last run at ``scale`` (or one
    imported and classified there), into bench/out/STAGE-only-SCALE.json; the saved run unchanged."""
    job = make_job(OUT / f"run-{scale}" / "pqcheck.db", OUT / f"corpus-{scale}", args)
    measured = {"measured": datetime.now(UTC).isoformat(timespec="seconds"), "git": git_state()}
    result = run_stage(stage, job) | measured
    (OUT / f"{stage}-only-{scale}.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


# --- docs/performance.md ------------------------------------------------------------------------------


def saved_results(kind: str = "run") -> dict[str, dict[str, Any]]:
    """The saved results of each scale measured: ``bench/out/KIND-SCALE.json`` (``run``, ``match-only``,
    ``search-only``, ``serve_load``)."""
    return {s: json.loads(p.read_text(encoding="utf-8")) for s in SCALES if (p := OUT / f"{kind}-{s}.json").exists()}


def _n(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 1 else f"{value:.3g}"


def _ok(*results: dict[str, Any]) -> bool:
    return all("error" not in r for r in results)


def stage_table(result: dict[str, Any]) -> list[str]:
    lines = [
        "| stage | records | seconds | records/s | peak MiB | µs per record | load before → after |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for stage, r in result["stages"].items():
        what = {"match": " (refusals)", "report": " (pairs)", "search": " (searches)"}.get(stage, "")
        if not _ok(r):
            lines.append(f"| {stage}{what} | failed: {r['error']} | | | {r['peak_mib']:,} | | |")
            continue
        lines.append(
            f"| {stage}{what} | {r['records']:,} | {_n(r['seconds'])} | {_n(r['per_second'])} | {r['peak_mib']:,} "
            f"| {_n(r['us_per_record'])} | {_load_span(r)} |"
        )
    search, match, classify = (result["stages"][s] for s in ("search", "match", "classify"))
    lines.append("")
    if _ok(search):
        lines.append(
            f"Search (pairs, answers and FOI, 20 hits each): p50 {search['p50_ms']} ms, p95 {search['p95_ms']} ms, "
            f"p99 {search['p99_ms']} ms, max {search['max_ms']} ms."
        )
    planted = match["planted"]
    per_candidate = match["us_per_record"] / max(match["candidates_per_refusal"], 1)
    lines.append(
        f"Match: {match['foi']:,} FOI requests, {match['matches']:,} pairs kept, {match['candidates_per_refusal']} "
        f"candidates a refusal ({per_candidate:,.0f} µs each), {match['workers']} workers; planted pairs "
        f"({planted['pairs']:,}): refusals found {planted['classified_refusal']}, recall@1 {planted['recall_at_1']}, "
        f"recall@3 {planted['recall_at_3']}. "
        f"Classify labels: {', '.join(f'{k} {v:,}' for k, v in classify['by_label'].items())}. "
        f"Database {result['database_mib']:,} MiB."
    )
    return lines


def _cost(result: dict[str, Any], stage: str, again: dict[str, Any] | None = None) -> tuple[int, float] | None:
    """(records, seconds) of ``stage``; for search, (answers in the corpus, p95 latency). ``again``: the
    stage measured alone on the run's database (``--match-only``, ``--search-only``), used when it was
    measured after the run (a run's stage may have shared the machine with other work)."""
    r = result["stages"][stage]
    if again is not None and again.get("measured", "") > (result.get("ended") or result.get("started", "")):
        r = again
    if not _ok(r):
        return None
    return (result["answers"], r["p95_ms"] / 1000) if stage == "search" else (r["records"], r["seconds"])


def growth_table(results: dict[str, dict[str, Any]], again: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Cost per record at each scale, and how many times it grew between consecutive scales; ``again``:
    stage -> scale -> the stage measured alone after the run (see :func:`_cost`)."""
    scales = list(results)
    steps = list(itertools.pairwise(scales))
    head = [*(f"µs per record, {s}" for s in scales), *(f"{b} vs {a}" for a, b in steps)]
    lines = ["| stage | " + " | ".join(head) + " | linear? |", "|---" * (2 + len(head)) + "|"]
    for stage in STAGES:
        costs = {s: _cost(results[s], stage, again.get(stage, {}).get(s)) for s in scales}
        cells, growth = [], []
        for a, b in steps:
            if costs[a] is None or costs[b] is None:
                cells.append("–")
                continue
            records, seconds = costs[b][0] / costs[a][0], costs[b][1] / max(costs[a][1], 1e-9)
            growth.append(seconds / records)
            cells.append(f"records ×{records:.1f}, time ×{seconds:.2f}: **×{seconds / records:.2f}**")
        per = ["–" if c is None else _n(c[1] * 1e6 / c[0]) for c in costs.values()]
        if stage == "search":
            per = ["–" if c is None else f"p95 {c[1] * 1000:.1f} ms" for c in costs.values()]
        verdict = "–" if not growth else "yes" if max(growth) <= LINEAR else f"no (×{max(growth):.2f})"
        lines.append(f"| {stage} | " + " | ".join(per + cells) + f" | {verdict} |")
    return lines


def refusal_share(results: dict[str, dict[str, Any]]) -> str:
    """How many of the corpus's answers pqcheck labels refusal or partial, beside the real samples."""
    shares = []
    for scale, result in results.items():
        labels = result["stages"]["classify"].get("by_label", {})
        if labels:
            refusing = labels.get("refusal", 0) + labels.get("partial", 0)
            shares.append(f"{refusing / sum(labels.values()):.1%} ({scale})")
    return (
        f"Of the answers classified, pqcheck labels refusal or partial {', '.join(shares)}, and 6.8% of the "
        "1,007 real answers in `shared/samples/parliament` (since corpus version 2; 42% before, when the "
        "generator's filler sentences declined too often)."
        if shares
        else ""
    )


def import_split() -> list[str]:
    """The chunks of ``bench/import_growth.py``: µs per answer as the database grows."""
    path = OUT / "import_growth.json"
    if not path.exists():
        return ["Not measured yet: `python -m bench.import_growth`."]
    found = json.loads(path.read_text(encoding="utf-8"))
    chunks = found["chunks"]
    return [
        f"| {found['scale']} corpus, answers already stored | "
        + " | ".join(f"{c['rows_before']:,}" for c in chunks)
        + " |",
        "|---" * (len(chunks) + 1) + "|",
        f"| µs per answer, next {found['chunk']:,} | " + " | ".join(str(c["us_per_record"]) for c in chunks) + " |",
    ]


def match_split() -> list[str]:
    """The table of ``bench/match_growth.py``: one refusal's match time, candidate searches apart."""
    path = OUT / "match_growth.json"
    found = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    split = {s: found[s] for s in SCALES if s in found}
    if not split:
        return ["Not measured yet: `python -m bench.match_growth` after the runs."]
    lines = [
        "| scale | FOI requests | refusals (measured) | ms a refusal | candidate searches: ms | rows read "
        "| rows loaded | µs a row | the rest: ms | candidates |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scale, r in split.items():
        lines.append(
            f"| {scale} | {r['foi']:,} | {r['refusals']:,} ({r['sample']}) | {r['ms_per_refusal']} "
            f"| {r['search_ms_per_refusal']} | {r['rows_read_per_refusal']:,} "
            f"| {r.get('rows_loaded_per_refusal', 0):,} | {r['us_per_row_read']} "
            f"| {r['rest_ms_per_refusal']} | {r['candidates_per_refusal']} |"
        )
    for a, b in itertools.pairwise(split):
        ra, rb = split[a], split[b]
        lines += [
            "",
            f"{b} vs {a}: FOI requests ×{rb['foi'] / max(ra['foi'], 1):.1f}; rows read a refusal "
            f"×{rb['rows_read_per_refusal'] / max(ra['rows_read_per_refusal'], 1):.2f}, candidate searches "
            f"×{rb['search_ms_per_refusal'] / max(ra['search_ms_per_refusal'], 1e-9):.2f}, the rest "
            f"×{rb['rest_ms_per_refusal'] / max(ra['rest_ms_per_refusal'], 1e-9):.2f}.",
        ]
    return lines


def classify_baseline(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| scale | pqcheck answers/s | regex answers/s | pqcheck ÷ regex (speed) | planted refusals found: "
        "pqcheck / regex | answers labelled refusal or partial: pqcheck / regex |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for scale, result in results.items():
        classify, match = result["stages"]["classify"], result["stages"]["match"]
        regex = result["baselines"]["regex classifier"]
        if not _ok(regex):
            lines.append(f"| {scale} | failed: {regex['error']} | | | | |")
            continue
        refusing = classify["by_label"].get("refusal", 0) + classify["by_label"].get("partial", 0)
        lines.append(
            f"| {scale} | {_n(classify['per_second'])} | {_n(regex['per_second'])} "
            f"| {classify['per_second'] / regex['per_second']:.3f} "
            f"| {match['planted']['classified_refusal']} / {regex['planted_found']} "
            f"| {refusing:,} / {regex['refusals']:,} |"
        )
    quality = next((r["baselines"]["regex classifier"].get("quality") for r in results.values()), None)
    if quality:
        pq, rx = quality["pqcheck"], quality["regex"]
        lines += [
            "",
            f"On the labelled answers (`fixtures/eval/answers.jsonl`, {pq['n']} answers), refusal or partial: "
            f"pqcheck precision {pq['precision']}, recall {pq['recall']}, F1 {pq['f1']}; the regex classifier "
            f"precision {rx['precision']}, recall {rx['recall']}, F1 {rx['f1']}.",
        ]
    return lines


def match_baseline(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| scale | rapidfuzz sample (refusals × FOI) | rapidfuzz pairs/s | all pairs at this scale, rapidfuzz "
        "| pqcheck match | rapidfuzz ÷ pqcheck (time) | all pairs at full scale, rapidfuzz "
        "| recall@3 on the sample's planted pairs: pqcheck / rapidfuzz |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scale, result in results.items():
        match, fuzzy = result["stages"]["match"], result["baselines"]["rapidfuzz matching"]
        if not _ok(fuzzy):
            lines.append(f"| {scale} | failed: {fuzzy['error']} | | | | | | |")
            continue
        all_pairs = match["records"] * match["foi"] / fuzzy["pairs_per_s"]
        full = match["records"] * FULL_ANSWERS / result["answers"] * FULL_FOI / fuzzy["pairs_per_s"]
        lines.append(
            f"| {scale} | {fuzzy['refusals']} × {fuzzy['foi']:,} | {_n(fuzzy['pairs_per_s'])} | {_duration(all_pairs)} "
            f"| {_duration(match['seconds'])} | {all_pairs / match['seconds']:,.0f} | {_duration(full)} "
            f"| {fuzzy['pqcheck_recall_at_3']} / {fuzzy['recall_at_3']} ({fuzzy['planted']} planted) |"
        )
    return lines


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:,.1f} h" if seconds < 48 * 3600 else f"{seconds / 86400:,.0f} days"


def figures(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The machine-readable figures of every scale measured: per stage records, seconds, peak MiB
    and load; search p50/p95; the planted pairs' recall; when and at which commit."""
    out: dict[str, Any] = {"machine": next(iter(results.values()))["machine"], "scales": {}}
    out["not_measured"] = [scale for scale in SCALES if scale not in results]
    for scale, result in results.items():
        stages = {**result["stages"], **result.get("baselines", {})}
        match, search = result["stages"]["match"], result["stages"].get("search", {})
        out["scales"][scale] = {
            "answers": result["answers"],
            "foi": result["foi"],
            "measured": [result["started"], result["ended"]],
            "commit": result["git"]["commit"],
            "matcher": match.get("version"),
            "stages": {
                name: {key: stage.get(key) for key in ("records", "seconds", "peak_mib", "load")}
                for name, stage in stages.items()
            },
            "search": {key: search.get(key) for key in ("p50_ms", "p95_ms")},
            "planted": match.get("planted"),
        }
    return out


def _load_span(result: dict[str, Any]) -> str:
    """A stage's load average before → after, as the tables print it ("" when not recorded)."""
    return " → ".join(str(x) for x in result.get("load", []))


def match_only_table(found: dict[str, dict[str, Any]]) -> list[str]:
    """The match stage alone at each scale, on the database of the last run, and its growth a refusal."""
    lines = [
        "| scale | measured | matcher | refusals | seconds | ms a refusal | peak MiB | load | planted @1 / @3 "
        "| alike left out: @1 / @3 |",
        "|---|---|---|--:|--:|--:|--:|---|---|---|",
    ]
    for scale, r in found.items():
        p = r.get("planted") or {}
        lines.append(
            f"| {scale} | {r.get('measured', '')} | {r.get('version', '')} | {r['records']:,} | {r['seconds']:.1f} "
            f"| {r['seconds'] * 1000 / max(r['records'], 1):.2f} | {r.get('peak_mib', '')} "
            f"| {_load_span(r)} | {p.get('recall_at_1')} / {p.get('recall_at_3')} "
            f"| {p.get('recall_at_1_alike_left_out', '–')} / {p.get('recall_at_3_alike_left_out', '–')} |"
        )
    for a, b in itertools.pairwise(found):
        ra, rb = found[a], found[b]
        per_a, per_b = ra["seconds"] / max(ra["records"], 1), rb["seconds"] / max(rb["records"], 1)
        lines += ["", f"{b} vs {a}: a refusal costs ×{per_b / max(per_a, 1e-9):.2f}."]
    return lines


def search_only_table(found: dict[str, dict[str, Any]]) -> list[str]:
    """The search stage alone at each scale, on the database of the last run: latency overall and of
    the searches with a department and date filter."""
    lines = [
        "| scale | measured | commit | searches | p50 ms | p95 ms | p99 ms | filtered p50 / p95 ms | load |",
        "|---|---|---|--:|--:|--:|--:|---|---|",
    ]
    for scale, r in found.items():
        filtered = r.get("by_query_kind", {}).get("filtered", {})
        lines.append(
            f"| {scale} | {r.get('measured', '')} | {r.get('git', {}).get('commit', '')} | {r['records']:,} "
            f"| {r.get('p50_ms')} | {r.get('p95_ms')} | {r.get('p99_ms')} "
            f"| {filtered.get('p50_ms', '–')} / {filtered.get('p95_ms', '–')} "
            f"| {_load_span(r)} |"
        )
    return lines


def serve_load_table(found: dict[str, dict[str, Any]]) -> list[str]:
    """Search under load at each scale: clients, searches a second, latency, errors."""
    lines = [
        "| scale | measured | clients | searches | per second | p50 ms | p95 ms | p99 ms | after the first seconds: "
        "p50 / p95 ms | errors | writer |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for scale, r in found.items():
        steady = f"{r['steady_p50_ms']} / **{r['steady_p95_ms']}**" if "steady_p95_ms" in r else "–"
        lines.append(
            f"| {scale} | {r.get('measured', '')} | {r['clients']} | {r['requests']:,} | {r['requests_per_s']} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {steady} | {r['errors']} | {r.get('writer', '')} |"
        )
    return lines


def stage_commits(result: dict[str, Any]) -> str:
    """ ", stages from classify on at commit X": where the code moved on during a run."""
    start, moved = result["git"]["commit"], {}
    for name, stage in result["stages"].items():
        commit = stage.get("commit", start)
        if commit != start and commit not in moved:
            moved[commit] = name
    return "".join(f", stages from {name} on at commit {commit}" for commit, name in moved.items())


def write_docs(results: dict[str, dict[str, Any]]) -> None:
    """docs/performance.md from the saved results of every scale."""
    first = next(iter(results.values()))
    m = first["machine"]
    lines = [
        "# Performance",
        "",
        "Measured by `bench/run.py` on the scale corpus of `bench/corpus.py` (seed 42): written answers in the "
        "shape of the Parliament API's list endpoint, refusals of every category, FOI requests in proportion "
        f"({FULL_FOI:,} for {FULL_ANSWERS:,} answers) and planted refusal-disclosure pairs (one for every 200 "
        f"answers). {refusal_share(results)} Each stage runs in a fresh process; peak memory is that of the "
        "process and its workers. "
        "The seconds are wall time on a shared machine: the load average before and after each stage is "
        "given, and a stage measured under load is slower than it would be alone.",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, SQLite {m['sqlite']}, "
        f"{m['system']}.",
    ]
    for scale, result in results.items():
        changed = result["git"]["pqcheck_files_changed"]
        lines += [
            "",
            f"## {scale}: {result['answers']:,} answers, {result['foi']:,} FOI requests",
            "",
            f"Measured {result['started']} to {result['ended']} at commit {result['git']['commit']}"
            + (f" (with uncommitted changes to {', '.join(changed)})" if changed else "")
            + stage_commits(result)
            + f"; classifier {result['stages']['classify']['version']}, "
            f"matcher {result['stages']['match']['version']}."
            + (
                f" Baselines measured again on the same database at {result['baselines_measured']}."
                if "baselines_measured" in result
                else ""
            ),
            "",
            *stage_table(result),
        ]
    pending = [s for s in SCALES if s not in results]
    if pending:
        lines += ["", f"## Pending: {', '.join(pending)}", ""]
        lines += [
            f"Not measured yet: `nohup python -m bench.run --scale {s} > bench/out/run-{s}.log 2>&1 &` "
            f"(progress in the log; results in `bench/out/run-{s}.json`, and this file rewritten)."
            for s in pending
        ]
    alone = saved_results("match-only")
    if alone:
        lines += [
            "",
            "## The match stage alone",
            "",
            "`python -m bench.run --scale SCALE --match-only`: the match stage again, 2 workers, on the database of "
            "the last run at that scale, as its classify stage left it (a new classifier: `pqcheck classify` "
            "first). Planted recall as above, and with the letters *as right as the planted one* left out "
            "(the same department, disclosing, a request for the planted subject and place word for word). Corpus "
            "version 2 wrote several at full scale (most planted pairs shared their subject and place with "
            "another, whose disclosure was as right as their own) and they filled the first places; version 3 "
            "gives each planted pair a place of its own. `match-1.8` against `match-1.7`, run alternately in one "
            "process on the same 1,500 refusals of the 100k database (2026-12-07, 21:36): 19.5 and 19.1 s "
            "against 18.1 and 19.0 s, the same 9,041 pairs: no slower beyond the machine's noise.",
            "",
            *match_only_table(alone),
        ]
    searched = saved_results("search-only")
    if searched:
        lines += [
            "",
            "## The search stage alone",
            "",
            "`python -m bench.run --scale SCALE --search-only`: the search stage again (one client, the same "
            "queries, after a warm-up round) on the database of the last run at that scale, brought up to date "
            "by the migrations of the day.",
            "",
            *search_only_table(searched),
        ]
    loaded = saved_results("serve_load")
    if loaded:
        lines += [
            "",
            "## Search under load",
            "",
            "`python -m bench.serve_load --scale SCALE`: `pqcheck serve` on a copy of the database of the last run "
            "at that scale, 50 clients (threads shared out among five processes) each searching the whole results "
            "page (all three kinds) about once a second, while `pqcheck fetch questions` writes into the same file "
            "(the server and the fake API each in a process of their own). The server keeps each kind's hits of "
            "recent searches, and each kind's page rendered as HTML, while the tables they were read from keep "
            "their versions; a row written again with only where and when it was fetched changed keeps its "
            "version. The first seconds fill those caches (the bench warms 40 of its 160 searches), so the "
            "latency after them is given apart. Every commit of the fetch that stores or completes answers makes "
            "the answers' page of every search stale, and the next request for each searches them again (about "
            "11 ms of searching and 3 ms of rendering each at full scale): a burst of work after each commit, "
            "seen in the p95 of each 10 s (`p95_ms_by_10s` in `bench/out/serve_load-SCALE.json`: 80-490 ms in the "
            "10 s after a commit, 9-45 ms otherwise, in the runs at 20:31-20:35 on 2026-12-07). Found and mended "
            "that day: every minute each request counted the whole database at once for the footer (searches "
            "stalled some 16 s; one request now reads it, with indexes); a fetch saving the asker and minister of "
            "every answer again (with a new `source_url`) made the pairs' pages stale at every page; rendering "
            "cost more than finding; and the 50 client threads in one interpreter counted their own wait for its "
            "GIL as the server's. The machine's speed varies from hour to hour: the table's run (p95 94 ms, 40 ms "
            "after the first 10 s) and a run of 120 s just before it (48 searches a second, p95 69 ms, p99 0.63 s) "
            "were made when the match stage at full took 230 s; at 20:08, when it took 430 s (the machine "
            "otherwise idle; the code of that morning and this code gave the same times side by side), the same "
            "code gave 43.7 searches a second, p95 790 ms, 229 ms after the first 10 s.",
            "",
            *serve_load_table(loaded),
        ]
    lines += [
        "",
        "## Growth with the corpus",
        "",
        "The cost per record at each scale, and between two scales how many times more records, how many "
        f"times more time, and so how many times the cost per record grew (1 is linear; up to {LINEAR} is "
        "taken as linear here, given the noise of a shared machine). Match is per refusal, but each refusal is "
        "searched against a collection of FOI requests that grows with the scale too; search is the p95 latency "
        "of one search, whatever the scale. Match and search are taken from the stage measured again alone "
        "(`--match-only`, `--search-only`) when that was done after the run, on its database.",
        "",
        *growth_table(results, {"match": saved_results("match-only"), "search": saved_results("search-only")}),
        "",
        "Reading it: at 10k the fixed costs weigh on the per-record cost (spaCy's start-up in classify, "
        "about a second; starting the match workers), so a cost per record that falls from 10k to 100k is "
        "that, not an economy of scale. Each scale is its own corpus, so a cost per record also moves with "
        "what is in it: imported a chunk at a time (`bench/import_growth.py`), one corpus's answers cost the "
        "same per record from an empty database to a full one:",
        "",
        *import_split(),
        "",
        "Match: each refusal's four candidate searches (request titles and texts, released pages, other "
        "answers, ministers' statements) are FTS5 queries ranked by bm25, but not asked of FTS5 as such: FTS5 "
        "reads every row of each query phrase across the whole collection for every refusal (to weigh the "
        "phrase, then to find the department's rows), so that part grew with the collection (about 4 ms a "
        "refusal at 10k, 22 ms at 100k, in one process, before). `pqcheck.match.phrases` reads each phrase's "
        "rows with its bm25 share once per worker process, grouped by department, and a refusal adds up "
        "the shares of its department's rows as FTS5's bm25 would: the same rows and scores, except that a "
        "phrase with more than `phrases.PHRASE_ROWS` rows in the department gives its highest shares and its "
        "shares in the rows the other phrases found. What a refusal reads is then bounded, and the phrase "
        "lists, read once, are shared by every refusal of the run (the rows loaded a refusal, below, stay "
        "flat: the distinct phrases grow far less than the refusals). The document counts of the terms come "
        "from `fts5vocab`, once per stem and process. `bench/match_partition_probe.py` measured the "
        "alternative, FTS5 indexes whose rowids keep a department's rows together: the same hits, barely "
        "faster (6.4 to 5.0 ms a request query at 100k), since bm25 still reads each phrase's whole list. "
        "Search is windowed (`pqcheck.search.RANK_WINDOW`), so its latency grows far less than the corpus; "
        "a pair is found through one index of its own text (`matches_fts`: both sides' words, kept by the "
        "matcher), no longer through its FOI side's requests and pages. A department or date filter is asked "
        "of the FTS5 indexes with the words (a `scope` column of department, body and year tokens), so a "
        "filtered search reads its departments' and years' rows, not every row with the words (filtered p95 "
        "at full: about 400 ms before, under 120 ms after). A hit's request, department and date (of a pair, "
        "its id and score) are read from narrow keys tables kept beside the indexes (`pqcheck.db.FTS_KEYS`), "
        "not from the hit's large rows: a results page at full fell from about 64 ms of one core to about "
        "50. Under load 50 clients that search about once a second ask for 40 to 50 pages a second: the web "
        "app keeps each kind's hits while the tables they were read from keep their versions (`SearchCache`, "
        "`table_versions`, kept by triggers that any writer fires); a fetch's commits make only the answers' "
        "hits stale (about 6 ms to search again), so two cores serve them all (p50 11 ms). The first "
        "seconds after the server starts fill that cache and queue (p95 over the whole run about 0.5 s).",
        "",
        "### Match: where a refusal's time goes",
        "",
        "`bench/match_growth.py` on every refusal of each scale, in one process (after a warm-up pass with "
        "another matcher): the candidate searches, the department rows of the phrase lists they read a "
        "refusal, the rows loaded into the lists over the run (each phrase once) divided by the refusals, "
        "and the rest (terms, reading and scoring at most 50 candidates, the evidence of the best).",
        "",
        *match_split(),
        "",
        "## Baselines",
        "",
        "In the same run and on the same database. *Regex*: a handful of refusal wordings (`bench/baselines.py`, "
        "`REFUSAL`) over every substantive answer, labels written to a temporary table. *Rapidfuzz*: "
        "`process.cdist` with `token_set_ratio` (2 workers) of refusals (the subject pqcheck stored, else the "
        "question) against the title and request text of every FOI request, keeping the best 3 (ties count "
        "for the baseline): its speed on a sample of all refusals, its recall on a sample of the planted ones. "
        "All-pairs time: every refusal against every FOI request at that speed, against pqcheck's match time "
        "for the same refusals (and at full scale, the refusals in proportion against 1,000,000 requests). "
        "A planted disclosure repeats its refusal's subject and place in its title, which makes it easy for "
        "string similarity: the same recall here says little about real requests, worded their own way.",
        "",
        *classify_baseline(results),
        "",
        *match_baseline(results),
        "",
        "## How to reproduce",
        "",
        "```bash",
        "python -m bench.run --scale 10k --scale 100k     # corpus made once in bench/out/corpus-SCALE",
        "nohup python -m bench.run --scale full > bench/out/run-full.log 2>&1 &",
        "python -m bench.match_growth                     # the split of match time, on those databases",
        "python -m bench.import_growth                    # import questions, chunk by chunk",
        "python -m bench.run --docs-only                  # this file from bench/out/run-SCALE.json",
        "```",
        "",
        "The results of each scale, with every figure above and more, are in `bench/out/run-SCALE.json`.",
    ]
    DOCS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    extra = {"match_only": alone, "search_only": searched, "serve_load": loaded}
    FIGURES.write_text(json.dumps(figures(results) | extra, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {DOCS.relative_to(ROOT)} and {FIGURES.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, action="append", help="10k, 100k or full (repeatable)")
    parser.add_argument("--seed", type=int, default=SEED, help="of the corpus (default 42)")
    parser.add_argument("--workers", type=int, default=2, help="processes for match (default 2)")
    parser.add_argument("--fuzzy-pairs", type=int, default=FUZZY_PAIRS, help="pairs the rapidfuzz baseline scores")
    parser.add_argument(
        "--memory-limit", type=float, default=MEMORY_LIMIT, help="GiB of address space for each stage's processes"
    )
    parser.add_argument(
        "--baselines-only", action="store_true", help="only the baselines, on the database of the last run"
    )
    parser.add_argument(
        "--match-only", action="store_true", help="only the match stage, on the database of the last run"
    )
    parser.add_argument(
        "--search-only", action="store_true", help="only the search stage, on the database of the last run"
    )
    parser.add_argument("--docs-only", action="store_true", help="only write docs/performance.md from saved results")
    parser.add_argument("--stage", choices=CHILD_STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        child(args.stage, json.loads(args.job))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for scale in [] if args.docs_only else args.scale or ["10k"]:
        log(f"scale {scale}: load {os.getloadavg()[0]:.2f}")
        if args.match_only or args.search_only:
            rerun_stage("match" if args.match_only else "search", scale, args)
        else:
            (rerun_baselines if args.baselines_only else run_scale)(scale, args)
    results = saved_results()
    if results and not (args.match_only or args.search_only):
        write_docs(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
