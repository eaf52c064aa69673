"""Simple baselines that ``bench/run.py`` sets beside pqcheck, on the same database.

- :func:`regex_classify_db`: a plain regex classifier (a handful of refusal wordings) over every
  substantive answer, read from the database as ``classify_db`` reads them and written to a
  temporary table; :func:`regex_quality` scores it on the labelled set
  (``fixtures/eval/answers.jsonl``) beside ``pqcheck.classify``.
- :func:`fuzzy_match`: all-pairs matching with rapidfuzz (``process.cdist``, ``token_set_ratio``,
  2 workers) of a sample of refusals (their subject) against the title and request text of every
  FOI request, keeping the 3 best per refusal: its pairs/s on a sample of all refusals, and on a
  sample of planted refusals its recall@3 beside pqcheck's (:func:`fuzzy_samples`).
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process, utils

from .corpus_pipeline import planted_found
from .quality_refusals import REFUSING, evaluate, load_eval

REFUSAL = re.compile(
    r"not (?:held|collected|recorded|available) centrally|no central record|disproportionate cost"
    r"|not (?:held|available) in the format|does not (?:hold|collect|record)"
    r"|(?:is|are) not (?:held|collected|recorded)",
    re.IGNORECASE,
)
ANSWERS_SQL = (
    "SELECT id, answer_text FROM questions WHERE answer_status IN ('answered', 'corrected') "
    "AND answer_text IS NOT NULL AND answer_text != ''"
)
FOI_CHUNK = 20_000  # FOI requests scored per cdist call
TOP = 3


def regex_classify_db(conn: sqlite3.Connection) -> dict[str, Any]:
    """Label every substantive answer with ``REFUSAL`` and store the labels in a TEMP table."""
    conn.execute("CREATE TEMP TABLE baseline_refusals (question_id INTEGER PRIMARY KEY, refusal INTEGER)")
    started = time.perf_counter()
    count = refusals = 0
    cursor = conn.execute(ANSWERS_SQL)
    while rows := cursor.fetchmany(5000):
        labels = [(qid, REFUSAL.search(text) is not None) for qid, text in rows]
        with conn:
            conn.executemany("INSERT INTO baseline_refusals VALUES (?, ?)", labels)
        count += len(labels)
        refusals += sum(label for _, label in labels)
    return {"records": count, "seconds": time.perf_counter() - started, "refusals": refusals}


def regex_planted(conn: sqlite3.Connection, pairs: list[dict[str, Any]]) -> float:
    """The share of planted refusals the regex classifier found (after :func:`regex_classify_db`)."""
    ids = [pair["question_id"] for pair in pairs]
    found = sum(
        conn.execute("SELECT refusal FROM baseline_refusals WHERE question_id = ?", [qid]).fetchone()[0] for qid in ids
    )
    return round(found / max(len(ids), 1), 3)


def regex_quality() -> dict[str, dict[str, float]]:
    """Precision and recall of refusal-or-partial on the labelled set: the regex and pqcheck."""
    records = load_eval()
    tp = fp = fn = 0
    for record in records:
        gold = record["label"] in REFUSING
        found = REFUSAL.search(record["answer_text"] or "") is not None
        tp, fp, fn = tp + (gold and found), fp + (found and not gold), fn + (gold and not found)
    pqcheck = evaluate(records)
    return {
        "regex": _quality(tp, fp, fn, len(records)),
        "pqcheck": _quality(pqcheck["tp"], pqcheck["fp"], pqcheck["fn"], len(records)),
    }


def _quality(tp: int, fp: int, fn: int, n: int) -> dict[str, float]:
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": n, "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def fuzzy_samples(
    conn: sqlite3.Connection, pairs: list[dict[str, Any]], size: int, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two samples of up to ``size`` refusals: drawn from every refusal pqcheck found (for the
    speed: their subjects are as long as usual), and from the planted ones (for the recall).

    Each item is ``{"question_id", "text", "pair"}``: the refusal's subject as pqcheck stored it
    (the question text when there is none) and its planted pair, if any."""
    rng = random.Random(seed)
    planted = {pair["question_id"]: pair for pair in pairs}
    refusals = [
        qid for (qid,) in conn.execute("SELECT question_id FROM refusals WHERE label IN ('refusal', 'partial')")
    ]
    drawn = rng.sample(refusals, min(size, len(refusals)))
    return [_item(conn, qid, planted.get(qid)) for qid in drawn], [
        _item(conn, pair["question_id"], pair) for pair in rng.sample(pairs, min(size, len(pairs)))
    ]


def _item(conn: sqlite3.Connection, question_id: int, pair: dict[str, Any] | None) -> dict[str, Any]:
    subject, question = conn.execute(
        "SELECT r.subject, q.question_text FROM questions q LEFT JOIN refusals r ON r.question_id = q.id "
        "WHERE q.id = ?",
        [question_id],
    ).fetchone()
    return {"question_id": question_id, "text": utils.default_process(subject or question or ""), "pair": pair}


def fuzzy_match(conn: sqlite3.Connection, sample: list[dict[str, Any]]) -> dict[str, Any]:
    """Score every refusal of ``sample`` against every FOI request; pairs/s and the best 3 of each."""
    queries = [item["text"] for item in sample]
    targets = {item["pair"]["foi_id"]: i for i, item in enumerate(sample) if item["pair"]}
    best = np.full((len(queries), TOP), -1.0, dtype=np.float32)
    target_score = np.full(len(queries), -1.0, dtype=np.float32)
    started = time.perf_counter()
    documents = 0
    cursor = conn.execute("SELECT id, title, request_text FROM foi_requests")
    while rows := cursor.fetchmany(FOI_CHUNK):
        choices = [utils.default_process(f"{title or ''} {text or ''}") for _, title, text in rows]
        scores = process.cdist(queries, choices, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=2)
        keep = min(TOP, len(rows))
        top = -np.partition(-scores, keep - 1, axis=1)[:, :keep]
        best = -np.sort(-np.concatenate([best, top], axis=1), axis=1)[:, :TOP]
        for column, (foi_id, *_) in enumerate(rows):
            if foi_id in targets:
                target_score[targets[foi_id]] = scores[targets[foi_id], column]
        documents += len(rows)
    seconds = time.perf_counter() - started
    planted = [i for i, item in enumerate(sample) if item["pair"]]
    # ties count for the baseline: a target is in the best 3 when fewer than 3 requests score higher
    found = sum(target_score[i] >= best[i, TOP - 1] for i in planted)
    return {
        "refusals": len(queries),
        "foi": documents,
        "pairs": len(queries) * documents,
        "seconds": seconds,
        "pairs_per_s": len(queries) * documents / seconds,
        "planted": len(planted),
        "recall_at_3": round(found / max(len(planted), 1), 3),
    }


def pqcheck_recall(db, sample: list[dict[str, Any]]) -> float:
    """pqcheck's planted-pair recall@3 on the planted refusals of ``sample``."""
    pairs = [item["pair"] for item in sample if item["pair"]]
    return planted_found(db, pairs)["recall_at_3"]
