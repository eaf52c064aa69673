"""The matcher's quality on real documented pairs, through the whole pipeline.

    python -m bench.quality_real_pairs           # the table, then every pair with its rank
    python -m bench.quality_real_pairs --json
    python -m bench.quality_real_pairs --dev-only  # each pair only of the shared set and the dev half

Real records only: ``../shared/realdata`` (the shared development set; left out with a note when
the folder is absent) and ``fixtures/real`` (pqcheck's own: ``answers.jsonl``, ``foi.jsonl``,
``pairs.jsonl``). Every labelled answer, and every official statement that is a written answer,
becomes a stored written answer (its department's answering body, its date when known); every
statement made in a debate becomes a Hansard contribution, as ``pqcheck import hansard`` stores
JSON Lines of them; every FOI response (and a statement released as data) becomes an FOI request,
stored as ``pqcheck import foi`` stores it; then ``classify`` and ``match`` run as a user's would,
over one database that holds both sets (each set's letters are the other's haystack too).

For each documented pair (a refusal and the disclosure of the same information by the same
department) it finds where the disclosure ranks among the refusal's pairs, the refusal's other
documented disclosures left out (the "filtered" rank: they are right too): recall@1 and recall@3,
for the shared set and for the development and held-out halves of pqcheck's own (split by a hash
of the answer's id, as ``bench.quality`` splits answers).

And the report's top 20 pairs, each judged clearly wrong when its answer is labelled a disclosure
(the answer gave the figures) or its evidence comes from a local body shown as the department's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pqcheck.classify import classify_db
from pqcheck.db import open_db
from pqcheck.departments import answering_body_ids, department_index
from pqcheck.errors import BadInput
from pqcheck.foi import ingest
from pqcheck.hansard_sync import import_hansard_files
from pqcheck.match import match_db
from pqcheck.pairs import pair_rows
from pqcheck.questions import save_questions
from pqcheck.records import QuestionRecord, now_iso
from pqcheck.sources.foi_files import read_foi_paths

from .common import ROOT, half

SHARED = ROOT.parent / "shared" / "realdata"
OWN = ROOT / "fixtures" / "real"
WRITTEN_ANSWER = re.compile(r"written answer", re.IGNORECASE)
# A statement made in a debate: pqcheck cannot store it until it reads Hansard.
DEBATE = re.compile(r"urgent question|oral answer|statement|debate|lords repeat|house of lords|commons", re.I)
TOP = 20


def question_id(record_id: str) -> int:
    """A stable numeric id for a real record (the API's ids are numbers)."""
    return int(hashlib.sha1(record_id.encode()).hexdigest()[:12], 16)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON Lines file ([] when it is absent)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def body_of(department: str | None) -> int | None:
    """The first answering body of a department named as the page names it, if pqcheck knows it."""
    if not department:
        return None
    try:
        found = answering_body_ids([department.split("(")[0].strip()], {})
    except BadInput:
        return None
    return found[0] if found else None


def answer_value(record_id: str, *, department, date, uin, house, question, answer) -> dict[str, Any]:
    """A written answer in the API's ``QuestionsViewModel`` shape."""
    day = f"{date}T00:00:00" if date and len(date) == 10 else None
    return {
        "id": question_id(record_id),
        "uin": uin or record_id,
        "house": house or "Commons",
        "dateTabled": day,
        "dateAnswered": day,
        "questionText": question,
        "answerText": answer,
        "answeringBodyId": body_of(department),
        "answeringBodyName": department,
        "heading": None,
        "answerIsHolding": False,
        "answerIsCorrection": False,
    }


def contribution_value(record: dict[str, Any]) -> dict[str, Any]:
    """A statement made in a debate as a contribution record (``pqcheck import hansard``'s JSON
    Lines): its department from the authority as the page names it ("Home Office (Minister for
    Immigration, Commons urgent question, 17 July 2019)")."""
    described = f"{record.get('authority') or ''} {record.get('title') or ''}"
    date = record.get("date") if record.get("date") and len(record["date"]) == 10 else None
    return {
        "ext_id": record["id"],
        "house": "Lords" if re.search(r"\blords\b", described, re.I) else "Commons",
        "date": date,
        "text": record["response_text"],
        "debate_title": record.get("title"),
        "department": (record.get("authority") or "").split("(")[0].strip() or None,
        "url": record["source_url"],
    }


def kind_of(record: dict[str, Any]) -> str:
    """How a disclosure record is stored: ``answer`` (a written answer), ``debate`` (said in a
    debate: a Hansard contribution) or ``foi`` (an FOI response, or a statement released as data)."""
    if record.get("kind") != "official_statement":
        return "foi"
    described = f"{record.get('authority') or ''} {record.get('title') or ''}"
    if WRITTEN_ANSWER.search(described):
        return "answer"
    return "debate" if DEBATE.search(described) else "foi"


@dataclass
class RealSet:
    """The real records of the shared set and pqcheck's own."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    fois: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)  # each with its "set"

    def copies(self) -> dict[str, list[str]]:
        """Each record's id -> the ids of every record (answer, letter, statement) with the same text, word
        for word: the same written answer stored in both sets, or one text that answered several questions
        (which discloses the same thing to each)."""
        by_text: dict[str, list[str]] = {}
        for r in [*self.answers, *self.fois]:
            text = " ".join((r.get("answer_text") or r.get("response_text") or "").split())
            if text:
                by_text.setdefault(text, []).append(r["id"])
        return {i: ids for ids in by_text.values() for i in ids}

    @classmethod
    def load(cls, shared: Path = SHARED, own: Path = OWN) -> RealSet:
        found = cls()
        for folder, name in ((shared, "shared"), (own, "own")):
            found.answers += read_jsonl(folder / "answers.jsonl")
            found.fois += read_jsonl(folder / "foi.jsonl")
            for pair in read_jsonl(folder / "pairs.jsonl"):
                part = "shared realdata (dev)" if name == "shared" else f"fixtures/real {half(pair['answer_id'])}"
                found.pairs.append({**pair, "set": part})
        return found


def build(real: RealSet, folder: Path) -> Path:
    """A database of the real answers, statements and FOI responses, classified and matched."""
    values = [
        answer_value(
            r["id"],
            department=r.get("department"),
            date=r.get("date_answered"),
            uin=r.get("uin"),
            house=r.get("house"),
            question=r.get("question_text"),
            answer=r["answer_text"],
        )
        for r in real.answers
    ]
    values += [
        answer_value(
            r["id"],
            department=r["authority"],
            date=r.get("date"),
            uin=r["id"],
            house="Commons",
            question=r.get("request_text"),
            answer=r["response_text"],
        )
        for r in real.fois
        if kind_of(r) == "answer"
    ]
    path = folder / "real.db"
    db = open_db(path)
    save_questions(db, [QuestionRecord(v, "file://fixtures/real/answers.jsonl", now_iso(), True) for v in values])
    records = folder / "foi.jsonl"
    with records.open("w", encoding="utf-8") as handle:
        for r in real.fois:
            if kind_of(r) == "foi":
                row = {k: r.get(k) for k in ("id", "authority", "date", "title", "request_text", "response_text")}
                handle.write(json.dumps({**row, "url": r["source_url"]}) + "\n")
    ingest(db, read_foi_paths([records], lambda _: None))
    said = folder / "contributions.jsonl"
    with said.open("w", encoding="utf-8") as handle:
        for r in real.fois:
            if kind_of(r) == "debate":
                handle.write(json.dumps(contribution_value(r)) + "\n")
    import_hansard_files(db, [said])
    classify_db(db)
    match_db(db)
    db.close()
    return path


def ranks(real: RealSet, path: Path) -> list[dict[str, Any]]:
    """Each documented pair with the rank of its disclosure among the refusal's pairs (None:
    absent) and, when absent, why."""
    db = open_db(path, read_only=True)
    out = []
    copies = real.copies()
    for pair in real.pairs:
        refusal = question_id(pair["answer_id"])
        label = db.execute("SELECT label FROM refusals WHERE question_id = ?", [refusal]).fetchone()
        rows = db.execute(
            "SELECT foi_request_id, other_question_id, contribution_id FROM matches WHERE question_id = ? "
            "ORDER BY score DESC, id",
            [refusal],
        ).fetchall()
        targets = [str(other) if other is not None else said or (foi or "").split(":")[-1] for foi, other, said in rows]
        rank = filtered_rank(real, pair, targets, copies)
        label = label[0] if label else None
        why = None
        if rank is None:
            why = f"answer classified {label}" if label not in ("refusal", "partial") else "not among its pairs"
        out.append({**pair, "label": label, "pairs": len(rows), "rank": rank, "missed": why})
    db.close()
    return out


def filtered_rank(
    real: RealSet, pair: dict[str, Any], targets: list[str], copies: dict[str, list[str]] | None = None
) -> int | None:
    """Where ``pair``'s disclosure ranks among ``targets`` (the refusal's pairs, best first), the
    refusal's other documented disclosures left out: they are right too, and do not push it down (a
    refusal with five documented disclosures could otherwise hold at most three of them in its top 3).
    A record whose text is a documented disclosure's, word for word (``RealSet.copies``: the same
    written answer in both sets, S006 and RF023), is that disclosure. ``copies``: ``real.copies()``,
    when the caller has it."""
    copies = real.copies() if copies is None else copies
    wanted = {k for i in copies.get(pair["foi_id"], [pair["foi_id"]]) for k in (str(question_id(i)), i)}
    documented = {
        k
        for p in real.pairs
        if p["answer_id"] == pair["answer_id"] and p is not pair
        for i in copies.get(p["foi_id"], [p["foi_id"]])
        for k in (str(question_id(i)), i)
    } - wanted
    ahead = [t for t in targets if t not in documented]
    return next((i for i, t in enumerate(ahead, 1) if t in wanted), None)


def clearly_wrong(real: RealSet, path: Path) -> list[dict[str, Any]]:
    """The report's top ``TOP`` pairs, each with whether it is clearly wrong and why."""
    gold = {question_id(r["id"]): r["label"] for r in real.answers}
    db = open_db(path, read_only=True)
    local = dict(db.execute("SELECT id, local_kind FROM foi_requests WHERE local_kind IS NOT NULL").fetchall())
    out = []
    for row in pair_rows(db)[:TOP]:
        why = None
        if gold.get(row["question_id"]) == "disclosure":
            why = "the answer gave the figures"
        elif row.get("foi_id") in local and row.get("evidence_kind") != "held_locally":
            why = f"a local body ({local[row['foi_id']]}) shown as the department's"
        out.append({"match_id": row["match_id"], "question_id": row["question_id"], "wrong": why})
    db.close()
    return out


@dataclass
class PairQuality:
    pairs: int = 0
    at1: float = 0.0
    at3: float = 0.0
    missed: dict[str, int] = field(default_factory=dict)


def measure(
    found: list[dict[str, Any]], group: Callable[[dict[str, Any]], str] | None = None
) -> dict[str, PairQuality]:
    """recall@1 and @3 per set (or per ``group`` of a pair), with the reasons for the misses."""
    group = group or (lambda p: p["set"])
    out: dict[str, PairQuality] = {}
    for name in sorted({group(p) for p in found}, key=lambda s: (not s.startswith("shared"), s)):
        part = [p for p in found if group(p) == name]
        missed: dict[str, int] = {}
        for p in part:
            if p["rank"] is None or p["rank"] > 3:
                reason = p["missed"] or f"ranked {p['rank']}"
                missed[reason] = missed.get(reason, 0) + 1
        n = len(part)
        at = {k: sum(1 for p in part if p["rank"] and p["rank"] <= k) for k in (1, 3)}
        out[name] = PairQuality(n, round(at[1] / n, 2), round(at[3] / n, 2), missed)
    return out


def by_confidence(pair: dict[str, Any]) -> str:
    """A pair's group by how it was documented: ``confidence`` high or medium (the same information, documented by
    a third party or plainly the same measure) against low (an own reading: a neighbouring item, another period
    or area; a pair without a ``confidence`` counts as low), both halves of fixtures/real together."""
    if pair["set"].startswith("shared"):
        return pair["set"]
    sure = pair.get("confidence") in ("high", "medium")
    return "fixtures/real, high/medium" if sure else "fixtures/real, low"


def evaluate(real: RealSet | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(each pair with its rank, the report's top pairs judged) over one database of all real records."""
    real = real or RealSet.load()
    department_index()
    with tempfile.TemporaryDirectory() as folder:
        path = build(real, Path(folder))
        return ranks(real, path), clearly_wrong(real, path)


def figures() -> tuple[dict[str, PairQuality], list[dict[str, Any]], dict[str, PairQuality]] | None:
    """(recall per set, the report's top pairs judged, recall by confidence), or None when there are no real pairs."""
    real = RealSet.load()
    if not real.pairs:
        return None
    found, top = evaluate(real)
    return measure(found), top, measure(found, by_confidence)


def table(
    quality: dict[str, PairQuality], top: list[dict[str, Any]], confidence: dict[str, PairQuality] | None = None
) -> str:
    """The matcher's figures as a plain-text table (and by the pairs' ``confidence``, when given)."""
    lines = [
        f"{'set':<26} {'pairs':>6} {'recall@1':>9} {'recall@3':>9}  missed (why)",
        "-" * 79,
    ]
    for name, q in quality.items():
        why = "; ".join(f"{n} {reason}" for reason, n in sorted(q.missed.items(), key=lambda x: -x[1]))
        lines.append(f"{name:<26} {q.pairs:>6} {q.at1:>9.2f} {q.at3:>9.2f}  {why}")
    lines.append(f"{'target':<26} {'':>6} {'':>9} {'≥0.90':>9}")
    if confidence:
        lines.append("by how each pair was documented (fixtures/real, both halves):")
        for name, q in confidence.items():
            if not name.startswith("shared"):
                lines.append(f"  {name:<24} {q.pairs:>6} {q.at1:>9.2f} {q.at3:>9.2f}")
    wrong = [t for t in top if t["wrong"]]
    lines.append(f"\nthe report's top {len(top)} pairs: {len(wrong)} clearly wrong (target: at most 2)")
    lines += [f"  {t['match_id']}: {t['wrong']}" for t in wrong]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures and every pair as JSON")
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="print each pair only of the development sets (the held-out half's aggregates only)",
    )
    args = parser.parse_args(argv)
    real = RealSet.load()
    if not real.pairs:
        print(f"no real pairs: neither {SHARED} nor {OWN} holds a pairs.jsonl")
        return 1
    found, top = evaluate(real)
    quality = measure(found)
    confidence = measure(found, by_confidence)
    if args.dev_only:  # the figures of every set; the pairs, ranks and top pairs of the held-out half never
        found = [p for p in found if not p["set"].endswith("held-out")]
        held_out = {question_id(p["answer_id"]) for p in real.pairs if p["set"].endswith("held-out")}
        top = [t for t in top if t["question_id"] not in held_out]
    if args.json:
        sets = {k: asdict(v) for k, v in quality.items()}
        print(
            json.dumps(
                {"sets": sets, "confidence": {k: asdict(v) for k, v in confidence.items()}, "pairs": found, "top": top},
                indent=1,
            )
        )
        return 0
    print(table(quality, top, confidence))
    print()
    for pair in found:
        print(
            f"{pair['set']:<24} {pair['answer_id']} -> {pair['foi_id']}: classified {pair['label']}, "
            f"{pair['pairs']} pairs, disclosure ranked {pair['rank'] or 'nowhere'}"
            + (f" ({pair['missed']})" if pair["missed"] else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
