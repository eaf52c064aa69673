"""The matcher's recall on real documented pairs (``../shared/realdata``), through the whole pipeline.

    python -m bench.quality_real_pairs

Every labelled real answer and every official statement that is a written answer becomes a stored
written answer (its department's answering body, its date when known); every real FOI response
becomes an FOI request; then ``classify`` and ``match`` run as a user's would. For each documented
pair (a refusal and the disclosure of the same information by the same department) it prints where
the disclosure ranks among the refusal's pairs, and recall@1 and recall@3. A statement made in a
debate cannot be stored yet (pqcheck reads no Hansard debates): such a pair counts as missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from pqcheck.classify import classify_db
from pqcheck.db import open_db
from pqcheck.departments import answering_body_ids, department_index
from pqcheck.errors import BadInput
from pqcheck.foi import ingest
from pqcheck.match import match_db
from pqcheck.questions import save_questions
from pqcheck.records import QuestionRecord, now_iso
from pqcheck.sources.foi_files import read_foi_paths

from .common import ROOT

REALDATA = ROOT.parent / "shared" / "realdata"
WRITTEN_ANSWER = re.compile(r"written answer", re.IGNORECASE)


def question_id(record_id: str) -> int:
    """A stable numeric id for a real record (the API's ids are numbers)."""
    return int(hashlib.sha1(record_id.encode()).hexdigest()[:12], 16)


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


def build(folder: Path) -> Path:
    """A database of the real answers, statements and FOI responses, classified and matched."""
    answers = [json.loads(line) for line in (REALDATA / "answers.jsonl").read_text().splitlines() if line.strip()]
    fois = [json.loads(line) for line in (REALDATA / "foi.jsonl").read_text().splitlines() if line.strip()]
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
        for r in answers
    ]
    statements = [r for r in fois if r.get("kind") == "official_statement"]
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
        for r in statements
        if WRITTEN_ANSWER.search(r["authority"] + " " + r["title"])
    ]
    path = folder / "real.db"
    db = open_db(path)
    save_questions(db, [QuestionRecord(v, f"file://{REALDATA}/answers.jsonl", now_iso(), True) for v in values])
    records = folder / "foi.jsonl"
    with records.open("w", encoding="utf-8") as handle:
        for r in fois:
            if r.get("kind") != "official_statement":
                row = {k: r.get(k) for k in ("id", "authority", "date", "title", "request_text", "response_text")}
                handle.write(json.dumps({**row, "url": r["source_url"]}) + "\n")
    ingest(db, read_foi_paths([records], lambda _: None))
    classify_db(db)
    match_db(db)
    db.close()
    return path


def ranks(path: Path) -> list[dict[str, Any]]:
    """Each documented pair with the rank of its disclosure among the refusal's pairs (None: absent)."""
    db = open_db(path, read_only=True)
    out = []
    for line in (REALDATA / "pairs.jsonl").read_text().splitlines():
        pair = json.loads(line)
        refusal = question_id(pair["answer_id"])
        label = db.execute("SELECT label FROM refusals WHERE question_id = ?", [refusal]).fetchone()
        rows = db.execute(
            "SELECT foi_request_id, other_question_id FROM matches WHERE question_id = ? ORDER BY score DESC, id",
            [refusal],
        ).fetchall()
        targets = [other if other is not None else (foi or "").split(":")[-1] for foi, other in rows]
        wanted = question_id(pair["foi_id"])
        rank = next((i for i, t in enumerate(targets, 1) if t == wanted or str(t).endswith(pair["foi_id"])), None)
        out.append({**pair, "label": label[0] if label else None, "pairs": len(rows), "rank": rank})
    db.close()
    return out


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    if not (REALDATA / "pairs.jsonl").is_file():
        print(f"the shared real data is not at {REALDATA}")
        return 1
    department_index()
    with tempfile.TemporaryDirectory() as folder:
        found = ranks(build(Path(folder)))
    for pair in found:
        print(
            f"{pair['answer_id']} -> {pair['foi_id']}: classified {pair['label']}, {pair['pairs']} pairs, "
            f"disclosure ranked {pair['rank'] or 'nowhere'}"
        )
    total = len(found)
    at = {k: sum(1 for p in found if p["rank"] and p["rank"] <= k) for k in (1, 3)}
    print(f"recall@1 {at[1]}/{total} = {at[1] / total:.2f}; recall@3 {at[3]}/{total} = {at[3] / total:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
