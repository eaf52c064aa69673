"""How fast ``pqcheck.match.match_db`` matches refusals against a large FOI collection.

Target: 50,000 refusals against 500,000 FOI documents in under 10 minutes on 2 cores, with peak
memory (the whole process tree) under 2 GB.

    python -m bench.match_speed                        # full scale: 50k refusals, 500k documents
    python -m bench.match_speed --scale 0.1            # a tenth of both
    python -m bench.match_speed --scale 0.1 --scale 0.25 --scale 1   # several, to see the growth
    python -m bench.match_speed --workers 1            # one process

The database is generated once per scale (seeded, cached under ``bench/out/``, gitignored) with
direct inserts: FOI requests (2 documents each: a response letter with one figure in a sentence,
and an attachment of 1-2 pages with a table of figures; so 500,000 documents are 250,000
requests and about 625,000 pages), written answers (the refusals, with their ``refusals`` rows
and subject terms, and half as many again answers that gave figures, labelled ``disclosure``)
and the three FTS5 indexes, rebuilt at the end. The words are made up but distributed like real
ones: 24 departments of very different sizes, each with its own vocabulary (shared in part with
the others) and 400 topics of Zipf-distributed popularity; each topic has 3 specific words and
takes 1 of a few department-wide words; every text also has the common words of FOI letters and
answers. FOI dates spread over 2012-2024, so a 4-year window holds about a third of a
department's FOIs.

Each run is a fresh process (``match_db`` with ``MatchOptions(workers=N)``) on the cached
database; this script samples the resident memory of that process and its workers every 0.2 s
and reports the peak of their sum, the wall time and refusals/s. Results go to
``bench/out/match_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlite_utils

from pqcheck.db import fill_search_keys

from .common import OUT, bench_command, insert_rows

FULL_REFUSALS = 50_000
FULL_DOCUMENTS = 500_000
GENERATOR_VERSION = "3"

DEPARTMENT_SHARES = {  # share of FOIs and of refusals, roughly as in real volumes
    "home-office": 0.18,
    "ministry-of-justice": 0.11,
    "department-of-health-and-social-care": 0.11,
    "department-for-work-and-pensions": 0.09,
    "ministry-of-defence": 0.08,
    "department-for-education": 0.06,
    "hm-treasury": 0.05,
    "department-for-transport": 0.05,
    "cabinet-office": 0.04,
    "department-for-environment-food-and-rural-affairs": 0.04,
    "ministry-of-housing-communities-and-local-government": 0.04,
    "foreign-commonwealth-and-development-office": 0.03,
    "department-for-culture-media-and-sport": 0.02,
    "department-for-business-energy-and-industrial-strategy": 0.02,
    "department-for-business-and-trade": 0.01,
    "department-for-energy-security-and-net-zero": 0.01,
    "department-for-science-innovation-and-technology": 0.01,
    "department-for-international-trade": 0.01,
    "northern-ireland-office": 0.01,
    "scotland-office": 0.005,
    "wales-office": 0.005,
    "attorney-generals-office": 0.01,
    "government-equalities-office": 0.005,
}
TOPICS_PER_DEPARTMENT = 400
WORDS_PER_DEPARTMENT = 900
GLOBAL_WORDS = 30_000
COMMON = str.split(
    "the of and to in a for that is on with as by was were this which from be are have has been not we our your "
    "information request freedom act department number data records held figures year years total people "
    "provide please thank you following response under section can confirm hold table management published "
    "statistics may would could each between since during however also any all including further"
)
ANSWER_WORDS = str.split("minister government policy published ensure continue support work officials assessment")


# the columns of the rows generated below, in their order
REQUEST_COLUMNS = (
    "id",
    "source",
    "source_id",
    "authority",
    "department_id",
    "title",
    "request_text",
    "outcome",
    "date_requested",
    "date_responded",
)
FIGURE_COLUMNS = ("document_id", "page", "start", "end", "value", "text", "kind", "context", "header")
QUESTION_COLUMNS = (
    "id",
    "uin",
    "house",
    "date_tabled",
    "date_answered",
    "heading",
    "question_text",
    "answer_status",
    "answer_text",
    "answering_body_id",
    "answering_body_name",
)
REFUSAL_COLUMNS = (
    "question_id",
    "label",
    "category",
    "phrase",
    "subject",
    "subject_terms",
    "period",
    "period_start",
    "period_end",
    "classifier_version",
)


def pseudo_words(rng: random.Random, n: int) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["str", "tion", "ment", "ous", "ing"]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.choice((2, 3, 3, 4)))))
    return sorted(words)


class World:
    """Departments, their vocabularies and topics."""

    def __init__(self, seed: int):
        rng = self.rng = random.Random(seed)
        self.words = pseudo_words(rng, GLOBAL_WORDS)
        shares = {d: s for d, s in DEPARTMENT_SHARES.items() if s > 0}
        self.departments = list(shares)
        self.weights = list(shares.values())
        self.topics: dict[str, list[tuple[str, str, str]]] = {}
        self.broad: dict[str, list[str]] = {}
        self.zipf = [1 / (k + 1) ** 0.9 for k in range(TOPICS_PER_DEPARTMENT)]
        word_zipf = [1 / (k + 1) ** 0.8 for k in range(WORDS_PER_DEPARTMENT)]
        for dept in self.departments:
            # a department's vocabulary: its own words, some shared with others (other departments
            # ask about similar things)
            vocab = rng.sample(self.words, WORDS_PER_DEPARTMENT)
            self.broad[dept] = vocab[:6]
            topics = set()
            while len(topics) < TOPICS_PER_DEPARTMENT:
                picked = tuple(rng.choices(vocab[6:], weights=word_zipf[6:], k=3))
                if len(set(picked)) == 3:
                    topics.add(picked)
            self.topics[dept] = sorted(topics)
            rng.shuffle(self.topics[dept])

    def department(self) -> str:
        return self.rng.choices(self.departments, weights=self.weights)[0]

    def topic(self, dept: str) -> tuple[str, str, str]:
        return self.rng.choices(self.topics[dept], weights=self.zipf)[0]

    def filler(self, n: int) -> str:
        return " ".join(self.rng.choices(COMMON, k=n))


def day(rng: random.Random, first: int = 2012, last: int = 2024) -> str:
    start = date(first, 1, 1).toordinal()
    return date.fromordinal(rng.randint(start, date(last, 12, 31).toordinal())).isoformat()


def figure(rng: random.Random) -> tuple[str, float]:
    value = int(rng.lognormvariate(5, 1.6)) + 1
    return f"{value:,}", float(value)


def generate(path: Path, refusals: int, documents: int, seed: int) -> None:
    """Write the synthetic database at ``path`` (replacing it)."""
    from pqcheck.db import open_db
    from pqcheck.departments import department_index

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_db(path).close()
    world = World(seed)
    rng = world.rng
    index = department_index()
    body_of = {d: (index.departments[d]["answering_bodies"] or [None])[0] for d in world.departments}
    name_of = {d: index.departments[d]["name"] for d in world.departments}
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()

    requests = documents // 2
    batch_req, batch_doc, batch_page, batch_fig = [], [], [], []
    outcomes = ["successful"] * 55 + ["partially_successful"] * 12 + ["released"] * 13
    outcomes += ["not_held"] * 10 + ["rejected"] * 10

    def flush() -> None:
        insert_rows(conn, "foi_requests", REQUEST_COLUMNS, batch_req)
        insert_rows(conn, "foi_documents", ("id", "request_id", "kind", "title", "status", "page_count"), batch_doc)
        insert_rows(conn, "foi_pages", ("document_id", "page", "text", "needs_ocr"), [(*p, 0) for p in batch_page])
        insert_rows(conn, "foi_figures", FIGURE_COLUMNS, batch_fig)
        conn.commit()
        for batch in (batch_req, batch_doc, batch_page, batch_fig):
            batch.clear()

    for i in range(requests):
        dept = world.department()
        topic = world.topic(dept)
        broad = rng.choice(world.broad[dept])
        answered = day(rng)
        year = int(answered[:4]) - rng.randint(1, 2)
        rid = f"wdtk:{i}"
        title = f"{topic[0].capitalize()} {topic[1]} {rng.choice(COMMON)} {topic[2]} {year}"
        request_text = (
            f"Please provide the number of {topic[0]} {topic[1]} {topic[2]} {broad} in {year}. "
            + world.filler(22)
            + f" {rng.choice(topic)} {world.filler(8)}."
        )
        outcome = rng.choice(outcomes)
        asked = (date.fromisoformat(answered) - timedelta(days=20)).isoformat()
        batch_req.append((rid, "wdtk", str(i), name_of[dept], dept, title, request_text, outcome, asked, answered))
        # the letter: one page, one figure in a sentence
        value_text, value = figure(rng)
        sentence = f"In {year}, {value_text} {topic[0]} {topic[1]} were recorded by the {broad} team."
        letter = f"Dear requester, {world.filler(40)} {title}. {world.filler(30)}.\n\n{sentence}\n\n{world.filler(40)}."
        start = letter.index(sentence) + sentence.index(value_text)
        doc = f"{rid}/message:1"
        batch_doc.append((doc, rid, "response", None, "ok", 1))
        batch_page.append((doc, 1, letter))
        batch_fig.append((doc, 1, start, start + len(value_text), value, value_text, "sentence", sentence, None))
        # the attachment: 1-2 pages, a table on the first
        doc = f"{rid}/attachment:1"
        pages = rng.choice((1, 1, 2))
        batch_doc.append((doc, rid, "attachment", "Reply.pdf", "ok", pages))
        for page in range(1, pages + 1):
            lines = [f"Table {page}: {topic[0]} {topic[2]} by year", f"Year | {topic[1]} | {broad}"]
            text = "\n".join(lines) + "\n"
            figures = []
            for row in range(3):
                a_text, a = figure(rng)
                b_text, b = figure(rng)
                line = f"{year - 2 + row} | {a_text} | {b_text}"
                offset = len(text)
                figures.append((offset + len(f"{year - 2 + row} | "), a_text, a, line))
                figures.append((offset + len(line) - len(b_text), b_text, b, line))
                text += line + "\n"
            text += "\n" + world.filler(60) + f" {topic[rng.randrange(3)]} " + world.filler(30) + "."
            batch_page.append((doc, page, text))
            for offset, ftext, fvalue, line in figures:
                batch_fig.append((doc, page, offset, offset + len(ftext), fvalue, ftext, "table", line, lines[1]))
        if len(batch_req) >= 5000:
            flush()
    flush()
    print(f"  FOI rows written in {time.perf_counter() - started:.0f}s", flush=True)

    # written answers: refusals and disclosures
    questions, refusal_rows = [], []
    disclosures = refusals // 2
    for qid in range(1, refusals + disclosures + 1):
        dept = world.department()
        topic = world.topic(dept)
        broad = rng.choice(world.broad[dept])
        answered = day(rng, 2013, 2024)
        year = int(answered[:4]) - 1
        heading = f"{topic[0].capitalize()}: {topic[1].capitalize()}"
        question = (
            f"To ask the Secretary of State, how many {topic[0]} {topic[1]} {topic[2]} there were in {year}; and "
            f"if she will make a statement on {broad}."
        )
        if qid <= refusals:
            answer = (
                f"{' '.join(rng.choices(ANSWER_WORDS, k=20))}. There is no central record of {topic[0]} {topic[1]}."
            )
            terms = [topic[2], topic[0], topic[1], broad, "number"]
            refusal_rows.append(
                (
                    qid,
                    "refusal",
                    "not_held_centrally",
                    "There is no central record",
                    f"{topic[0]} {topic[1]} {topic[2]}",
                    json.dumps(terms),
                    str(year),
                    f"{year}-01-01",
                    f"{year}-12-31",
                )
            )
        else:
            value_text, _ = figure(rng)
            answer = f"In {year}, {value_text} {topic[0]} {topic[1]} {topic[2]} were recorded. " + " ".join(
                rng.choices(ANSWER_WORDS, k=15)
            )
            refusal_rows.append((qid, "disclosure", None, None, None, "[]", None, None, None))
        questions.append(
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
    insert_rows(conn, "questions", QUESTION_COLUMNS, questions)
    insert_rows(conn, "refusals", REFUSAL_COLUMNS, [(*r, "bench") for r in refusal_rows])
    conn.commit()
    print(f"  questions written in {time.perf_counter() - started:.0f}s", flush=True)
    for table in ("foi_requests", "foi_pages", "questions"):
        conn.execute(f"INSERT INTO [{table}_fts]([{table}_fts]) VALUES ('rebuild')")
        fill_search_keys(sqlite_utils.Database(conn), table)  # what search reads beside the index
        conn.commit()
        print(f"  {table}_fts rebuilt at {time.perf_counter() - started:.0f}s", flush=True)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def database(refusals: int, documents: int, seed: int, regenerate: bool) -> Path:
    """The cached database for this scale, generated if missing or made by another generator."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"match_speed-r{refusals}-d{documents}-seed{seed}.db"
    stamp = path.with_name(path.name + ".generator")
    version = GENERATOR_VERSION
    if path.exists() and stamp.exists() and stamp.read_text().strip() == version and not regenerate:
        return path
    print(f"generating {path.name} ({refusals:,} refusals, {documents:,} documents) ...", flush=True)
    started = time.perf_counter()
    generate(path, refusals, documents, seed)
    stamp.write_text(version + "\n")
    size = path.stat().st_size / 2**20
    print(f"generated in {time.perf_counter() - started:.0f}s, {size:,.0f} MiB", flush=True)
    return path


def run_once(path: Path, workers: int, candidates: int) -> dict:
    """Match in this process (called in a fresh child by ``measure``)."""
    from pqcheck.db import open_db
    from pqcheck.match import MatchOptions, match_db

    db = open_db(path)
    started = time.perf_counter()
    stats = match_db(db, options=MatchOptions(workers=workers, candidates=candidates))
    seconds = time.perf_counter() - started
    counts = {
        name: db.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for name in ("foi_requests", "foi_documents", "foi_pages", "foi_figures", "questions", "refusals", "matches")
    }
    db.close()
    return {"seconds": round(seconds, 1), "stats": stats.__dict__, "counts": counts}


def _tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in bytes."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(c) for c in handle.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run_watched(command: list[str], every: float = 0.2, on_sample=None) -> tuple[int, str, int]:
    """Run ``command``: its exit code, its standard output and the peak resident memory (bytes) of
    its process tree, sampled every ``every`` seconds (``on_sample(peak)`` after each sample)."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(every):
            peak = max(peak, _tree_rss(child.pid))
            if on_sample is not None:
                on_sample(peak)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    done.set()
    sampler.join()
    return child.returncode, output, peak


def measure(path: Path, workers: int, candidates: int) -> dict:
    command = bench_command("match_speed", "--run-once", str(path), "--workers", str(workers))
    command += ["--candidates", str(candidates)]
    returncode, output, peak = run_watched(command)
    if returncode:
        raise SystemExit(f"the matching run failed (exit {returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mib"] = round(peak / 2**20)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, action="append", help="fraction of the full size (repeatable)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--run-once", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_once:
        print(json.dumps(run_once(Path(args.run_once), args.workers, args.candidates)))
        return
    results = []
    for scale in args.scale or [1.0]:
        refusals, documents = int(FULL_REFUSALS * scale), int(FULL_DOCUMENTS * scale)
        path = database(refusals, documents, args.seed, args.regenerate)
        result = measure(path, args.workers, args.candidates)
        stats = result["stats"]
        rate = stats["refusals"] / result["seconds"] if result["seconds"] else 0.0
        projected = FULL_REFUSALS / rate if rate else float("inf")
        print(
            f"scale {scale:g}: {stats['refusals']:,} refusals x {result['counts']['foi_documents']:,} documents "
            f"({result['counts']['foi_pages']:,} pages, {result['counts']['foi_figures']:,} figures): "
            f"{result['seconds']:.1f}s with {args.workers} worker(s), {rate:,.0f} refusals/s, "
            f"peak {result['peak_rss_mib']:,} MiB (process tree); {stats['matches']:,} matches, "
            f"{stats['candidates'] / max(stats['refusals'], 1):.1f} candidates/refusal (max {stats['max_candidates']})"
        )
        if scale != 1.0:
            print(f"  at this rate 50,000 refusals would take {projected / 60:.1f} min (if the rate held)")
        results.append(
            {
                "scale": scale,
                "refusals": refusals,
                "documents": documents,
                "workers": args.workers,
                "refusals_per_s": round(rate, 1),
                **result,
            }
        )
    # keep the latest result for each scale and number of workers
    path = OUT / "match_speed.json"
    earlier = json.loads(path.read_text())["results"] if path.exists() else []
    measured_at = datetime.now(UTC).isoformat(timespec="seconds")
    for result in results:
        result["measured_at"] = measured_at
    done = {(r["scale"], r["workers"]) for r in results}
    kept = [r for r in earlier if (r.get("scale"), r.get("workers")) not in done]
    record = {
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "cpus": os.cpu_count()},
        "target": "50,000 refusals x 500,000 documents in < 600 s on 2 cores, peak < 2 GB",
        "results": sorted(kept + results, key=lambda r: (r["scale"], r["workers"])),
    }
    path.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
