"""Speed of ``pqcheck.classify.classify_db`` on a generated database, on one pinned core.

    python -m bench.classify_speed                  # 100,000 answers, 3 runs, median
    python -m bench.classify_speed --n 200000 --runs 5 --db-dir /dev/shm
    python -m bench.classify_speed --real           # real answers, varied copies, 100,000 of them

Generates (seeded, cached in bench/out/) a database with ``--n`` questions written straight into
``questions`` (columns from ``pqcheck.db.TABLES``): about 85% substantive answers in the styles of
real written answers (policy statements, figures, tables, pointers to published statistics,
truncated list-endpoint texts ending in "..."), of which about 10% refuse (every category, with
varied wording) and a few are partial; plus holding and unanswered questions, which
``classify_db`` skips. Each run copies the database and classifies it from scratch; the spaCy
pipeline is built before timing (it takes about a second, once per process). Prints answers/s,
the share of answers that reach the spaCy stage (and how many of their sentences repeat within a
batch), the labels, and the classification alone (no database) for comparison. Writes
bench/out/classify_speed.json (``--real``: classify_speed_real.json).

``--real``: the database holds ``--n`` answered questions, varied copies of the real answers
(``bench.corpus_real``: fixtures/real and ../shared/realdata, read now), built in a temporary
folder each time. Real answers repeat far fewer sentences than the generated ones.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pqcheck.classify import CLASSIFIER_VERSION, answers, classify_db, classify_many, rules, run
from pqcheck.db import TABLES, open_db

from .common import OUT, insert_rows
from .corpus_real import varied_real_rows

GENERATOR_VERSION = "classify-bench-2"

DEPARTMENTS = [
    (1, "the Home Department", "Home Office"),
    (54, "Justice", "Ministry of Justice"),
    (17, "Health and Social Care", "Department of Health and Social Care"),
    (60, "Education", "Department for Education"),
    (29, "Work and Pensions", "Department for Work and Pensions"),
    (11, "Defence", "Ministry of Defence"),
    (27, "Transport", "Department for Transport"),
    (13, "Environment, Food and Rural Affairs", "Department for Environment, Food and Rural Affairs"),
    (7, "Housing, Communities and Local Government", "Ministry of Housing, Communities and Local Government"),
    (14, "the Treasury", "HM Treasury"),
    (208, "Foreign, Commonwealth and Development Affairs", "Foreign, Commonwealth and Development Office"),
    (217, "Culture, Media and Sport", "Department for Culture, Media and Sport"),
]
TOPICS = [
    ("asylum seekers accommodated in hotels", "asylum accommodation"),
    ("prisoners released in error", "releases in error"),
    ("patients waiting more than 18 weeks for treatment", "waiting times"),
    ("pupils excluded from school", "exclusions"),
    ("Universal Credit claimants sanctioned", "sanctions"),
    ("service personnel medically discharged", "medical discharges"),
    ("driving tests cancelled at short notice", "driving test cancellations"),
    ("fly-tipping incidents on private land", "fly-tipping"),
    ("households in temporary accommodation", "temporary accommodation"),
    ("businesses claiming research and development tax relief", "R&D tax relief"),
    ("British nationals detained overseas", "consular cases"),
    ("grants awarded to grassroots sports clubs", "sports grants"),
    ("police officers dismissed for gross misconduct", "police dismissals"),
    ("children on child protection plans", "child protection plans"),
    ("sewage discharges into bathing waters", "storm overflows"),
    ("electric vehicle chargepoints installed", "chargepoints"),
    ("veterans sleeping rough", "veterans' homelessness"),
    ("complaints about helpline waiting times", "helpline complaints"),
    ("teachers leaving the profession", "teacher retention"),
    ("victims of trafficking held in immigration detention", "trafficking victims in detention"),
]
QUESTIONS = [
    "how many {topic} there have been in {place} {period}.",
    "how many {topic} there have been {period}; and if he will make a statement.",
    "what estimate his Department has made of the number of {topic} {period}.",
    "what proportion of {topic} were in {place} {period}.",
    "what steps his Department is taking to reduce the number of {topic}.",
    "what assessment his Department has made of the potential merits of publishing data on {topic}.",
    "whether his Department plans to review its policy on {topic} in {place}.",
    "what discussions he has had with local leaders in {place} on {topic}.",
    "when he plans to publish the review of {topic}.",
    "if he will make it his policy to reduce the number of {topic}.",
]
PERIODS = [
    "in each year since 2015",
    "in each of the last five years",
    "in 2022",
    "in 2022-23",
    "between 2010 and 2019",
    "since January 2020",
    "in each month of 2023",
    "in the last 12 months",
]
SYLLABLES = ["ab", "ber", "cal", "dun", "el", "ford", "gate", "ham", "ing", "ley", "mor", "ton", "wick", "stow", "bury"]

POLICY = [
    "The Government is committed to {goal}, and we are investing £{money} million over the next {n} years to "
    "support this work.",
    "We continue to work closely with {partners} to ensure that {topic} is properly addressed.",
    "The Department keeps its policy on {topic} under review, taking account of the latest evidence.",
    "Officials meet regularly with representatives of {partners} to discuss {topic}, including in {place}.",
    "Our {plan} sets out a clear plan to improve outcomes, and we will continue to engage with stakeholders across "
    "the country.",
    "This is an operational matter for {partners}, who are best placed to respond to local circumstances in {place}.",
    "The {plan} was published in {month} {year} and is available on GOV.UK.",
    "We recognise the concerns that have been raised about {topic} and are determined to act.",
]
FIGURES = [
    "In {year}, there were {count} {topic} in England, compared with {count2} in {year2}.",
    "The number of {topic} was {count} in {year}-{yy}, an increase of {pct}% on the previous year.",
    "As at 31 March {year}, {count} {topic} had been recorded.",
    "The table below shows the number of {topic} in each year:Year Number{table}",
    "Figures on {topic} are published quarterly in the {stats} statistics, available at "
    "https://www.gov.uk/government/statistics/{slug}.",
    "The latest {stats} statistics show that {pct}% of cases were completed within {n} weeks.",
]
REFUSALS = [
    ("The information requested is not held centrally and could only be obtained at disproportionate cost.", 5),
    ("The {dept} does not hold this information.", 4),
    ("There is no central record of the number of {topic}.", 3),
    ("Information on {topic} is not collected centrally.", 3),
    ("The {dept} does not collect data on {topic}.", 3),
    ("Data on {topic} is not recorded in a way that would allow it to be identified.", 2),
    ("The information requested is not readily available and could only be provided at disproportionate cost.", 3),
    (
        "To provide this information would require a manual review of individual case files, which would incur "
        "disproportionate cost.",
        2,
    ),
    ("The data held centrally cannot be broken down by {breakdown}.", 2),
    ("This information is not held in the format requested.", 2),
    ("Figures for {year} will be published in the spring as part of the {stats} statistics.", 2),
    ("Data on {topic} is not yet available; it will be published in due course.", 2),
    ("The {dept} does not publish data on {topic} at {breakdown} level.", 2),
    ("Information on {topic} is not available.", 2),
    ("For reasons of national security, we do not comment on {topic}.", 1),
    ("It would not be appropriate to comment on commercially sensitive matters while negotiations are ongoing.", 1),
    ("Providing this information would exceed the cost limit for answering parliamentary questions.", 1),
]
PROCEDURAL = [
    "I will write to the hon. Member and place a copy of my letter in the Library of the House.",
    "I refer the hon. Member to the answer I gave on {day} {month} {year} to Question {uin}.",
    "The information requested falls under the remit of the UK Statistics Authority. I have therefore asked the "
    "Authority to respond.",
]
HOLDING = (
    "The {dept} has indicated that it will not be possible to answer this question within the usual time period. "
    "An answer is being prepared and will be provided as soon as it is available."
)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "September", "October", "November"]


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.places = [self._place() for _ in range(3000)]
        self.refusal_weights = [w for _, w in REFUSALS]

    def _place(self) -> str:
        parts = self.rng.sample(SYLLABLES, self.rng.choice((2, 3)))
        return "".join(parts).capitalize()

    def fill(self, template: str, topic: str, dept: str) -> str:
        r = self.rng
        year = r.randint(2012, 2023)
        table = "".join(f"{y}{r.randint(100, 9000):,}" for y in range(year - 4, year + 1))
        return template.format(
            goal=r.choice(["improving outcomes", "reducing delays", "supporting local services", "levelling up"]),
            money=r.randint(2, 900),
            n=r.randint(2, 12),
            partners=r.choice(
                ["local authorities", "police forces", "NHS trusts", "industry", "the devolved governments"]
            ),
            topic=topic,
            place=r.choice(self.places),
            plan=r.choice(["strategy", "action plan", "white paper", "roadmap"]),
            month=r.choice(MONTHS),
            day=r.randint(1, 28),
            year=year,
            year2=year - 1,
            yy=f"{(year + 1) % 100:02d}",
            count=f"{r.randint(12, 250000):,}",
            count2=f"{r.randint(12, 250000):,}",
            pct=r.randint(1, 99),
            stats=r.choice(["Immigration system", "Prison population", "Referral to treatment", "Road casualty"]),
            slug=r.choice(["immigration-system-statistics", "prison-population", "rtt-waiting-times"]),
            table=table,
            dept=dept,
            breakdown=r.choice(["constituency", "local authority", "ethnicity", "month"]),
            uin=r.randint(1000, 199999),
        )

    def record(self, qid: int) -> dict:
        r = self.rng
        _, secretary, dept = r.choice(DEPARTMENTS)
        topic, heading = r.choice(TOPICS)
        place = r.choice(self.places)
        question = f"To ask the Secretary of State for {secretary}, " + r.choice(QUESTIONS).format(
            topic=topic, place=place, period=r.choice(PERIODS)
        )
        if r.random() < 0.3:  # the list endpoint cuts questions at 255 characters
            question = question[:255]
        status = r.choices(["answered", "corrected", "holding", "unanswered"], [0.83, 0.02, 0.05, 0.10])[0]
        answer = None
        if status == "holding":
            answer = self.fill(HOLDING, topic, dept)
        elif status != "unanswered":
            kind = r.choices(["policy", "figures", "refusal", "partial", "procedural"], [0.58, 0.27, 0.08, 0.03, 0.04])[
                0
            ]
            sentences = [self.fill(r.choice(POLICY), topic, dept) for _ in range(r.randint(1, 4))]
            if kind == "figures":
                sentences += [self.fill(r.choice(FIGURES), topic, dept) for _ in range(r.randint(1, 3))]
            elif kind in ("refusal", "partial"):
                refusal = r.choices(REFUSALS, self.refusal_weights)[0][0]
                sentences.insert(r.randint(0, len(sentences)), self.fill(refusal, topic, dept))
                if kind == "partial":
                    sentences.append(self.fill(r.choice(FIGURES[:3]), topic, dept))
            elif kind == "procedural":
                sentences = [self.fill(r.choice(PROCEDURAL), topic, dept)]
            joiner = "" if r.random() < 0.3 else " "  # list-endpoint text runs paragraphs together
            answer = joiner.join(sentences)
            if r.random() < 0.6 and len(answer) > 255:  # the list endpoint cuts answers at 255 + "..."
                answer = answer[:255] + "..."
        year = r.randint(2015, 2024)
        return {
            "id": qid,
            "uin": str(qid),
            "house": "Commons",
            "date_tabled": f"{year}-0{r.randint(1, 9)}-1{r.randint(0, 9)}",
            "date_answered": None if status == "unanswered" else f"{year}-0{r.randint(1, 9)}-2{r.randint(0, 8)}",
            "heading": heading,
            "question_text": question,
            "answer_status": status,
            "answer_text": answer,
            "answering_body_id": None,
            "answering_body_name": dept,
            "source": "bench",
            "fetched_at": "2024-01-01T00:00:00+00:00",
        }


def build_db(path: Path, n: int, seed: int) -> None:
    gen = Generator(seed)
    write_questions(path, (gen.record(i) for i in range(1, n + 1)))


def write_questions(path: Path, records) -> None:
    """A new database at ``path`` whose ``questions`` are ``records`` (dicts of its columns)."""
    db = open_db(path)
    columns = list(TABLES["questions"][1])
    with db.conn:
        insert_rows(db.conn, "questions", columns, (tuple(row.get(c) for c in columns) for row in records))
    db.conn.close()


def cached_db(n: int, seed: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"classify-{GENERATOR_VERSION}-n{n}-seed{seed}.db"
    if not path.exists():
        began = time.perf_counter()
        build_db(path, n, seed)
        print(f"generated {path.name} in {time.perf_counter() - began:.1f} s")
    return path


def spacy_sentences(texts: list[tuple[str, str]], batch_size: int) -> tuple[int, int]:
    """The sentences that reach spaCy, and how many are distinct within their batch of answers."""
    total = distinct = 0
    for start in range(0, len(texts), batch_size):
        batch = [
            answer[a:b]
            for _, answer in texts[start : start + batch_size]
            if rules.prefilter(answer)
            for a, b in answers.sentences(answer)
            if rules.prefilter(answer[a:b])
        ]
        total += len(batch)
        distinct += len(set(batch))
    return total, distinct


def pin_to_one_core(cpu: int | None) -> str:
    """Run on one CPU: ``cpu``, or the highest-numbered one (other benchmarks tend to take CPU 0)."""
    try:
        cpu = max(os.sched_getaffinity(0)) if cpu is None else cpu
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError) as exc:
        return f"not pinned ({exc})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db-dir", type=Path, default=None, help="where the per-run copies go (e.g. /dev/shm)")
    parser.add_argument("--cpu", type=int, default=None, help="the CPU to pin to (default: the highest-numbered)")
    parser.add_argument("--real", action="store_true", help="varied copies of the real answers, not generated ones")
    args = parser.parse_args(argv)
    pinned = pin_to_one_core(args.cpu)
    if not args.real:
        return measure(cached_db(args.n, args.seed), args, pinned, "classify_speed.json")
    with tempfile.TemporaryDirectory(dir=args.db_dir) as tmp:
        source = Path(tmp) / "real.db"
        write_questions(source, varied_real_rows(args.n, args.seed))
        return measure(source, args, pinned, "classify_speed_real.json")


def measure(source: Path, args: argparse.Namespace, pinned: str, out_name: str) -> int:
    """Time ``classify_db`` on copies of the database ``source``, print and write the figures."""
    began = time.perf_counter()
    rules.engine()  # build the spaCy stage once, outside the timings
    startup = time.perf_counter() - began

    from pqcheck.db import open_db as _open

    db0 = _open(source)
    texts = db0.execute(
        "SELECT question_text, answer_text FROM questions WHERE answer_status IN ('answered','corrected') "
        "AND answer_text IS NOT NULL"
    ).fetchall()
    statuses = dict(db0.execute("SELECT answer_status, COUNT(*) FROM questions GROUP BY answer_status").fetchall())
    db0.conn.close()
    spacy_share = sum(1 for _, a in texts if rules.prefilter(a)) / len(texts)
    sentences, distinct = spacy_sentences(texts, run.BATCH_SIZE)

    times, stats = [], None
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.db_dir) as tmp:
            copy = Path(tmp) / "bench.db"
            shutil.copy(source, copy)
            db = _open(copy)
            t0 = time.perf_counter()
            stats = classify_db(db)
            times.append(time.perf_counter() - t0)
            again = classify_db(db)  # nothing left to do
            assert again.read == 0, again
            db.conn.close()
    assert stats is not None
    t0 = time.perf_counter()
    classify_many(texts, subjects="refusals")
    alone = time.perf_counter() - t0

    median = statistics.median(times)
    result = {
        "n_questions": args.n,
        "statuses": statuses,
        "classified": stats.classified,
        "skipped": stats.skipped,
        "by_label": stats.by_label,
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(median, 3),
        "answers_per_s": round(stats.classified / median),
        "classification_only_answers_per_s": round(len(texts) / alone),
        "share_reaching_spacy": round(spacy_share, 4),
        "sentences_reaching_spacy": sentences,
        "distinct_within_batches": distinct,
        "spacy_startup_s": round(startup, 2),
        "pinned": pinned,
        "classifier_version": CLASSIFIER_VERSION,
        "db_dir": str(args.db_dir or tempfile.gettempdir()),
        "corpus": "real, varied copies" if args.real else GENERATOR_VERSION,
    }
    print(
        f"classify_db: {stats.classified:,} answers classified in {median:.2f} s (median of {args.runs}: "
        f"{', '.join(f'{t:.2f}' for t in times)}) = {result['answers_per_s']:,} answers/s; {pinned}\n"
        f"  skipped {stats.skipped:,} (holding/unanswered); labels {stats.by_label}\n"
        f"  {spacy_share:.1%} of answers reach the spaCy stage; classification alone (no database): "
        f"{result['classification_only_answers_per_s']:,} answers/s; spaCy start-up {startup:.2f} s (once)\n"
        f"  {sentences:,} sentences reach spaCy, {distinct:,} distinct within their batch of {run.BATCH_SIZE:,} "
        f"answers (a repeat is matched once: real answers repeat stock sentences, these generated ones far more)"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / out_name).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
