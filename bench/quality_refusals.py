"""Quality of pqcheck.classify on the labelled answers in fixtures/eval/answers.jsonl.

    python -m bench.quality_refusals                 # all, held-out, development, real samples
    python -m bench.quality_refusals --errors        # also list every wrong answer
    python -m bench.quality_refusals --json out.json # the numbers as JSON

"Refusal" means label refusal or partial. Prints precision, recall and F1 of that, the label and
category confusion, for: the answers written for the set (development part, and the held-out part
written after the patterns were frozen), the labels of real answers (read from the shared samples
folder, skipped when it is absent), and everything together.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pqcheck.classify import CLASSIFIER_VERSION, classify_many
from pqcheck.vocabulary import CATEGORIES, LABELS

from .common import ROOT

EVAL_PATH = ROOT / "fixtures" / "eval" / "answers.jsonl"
SAMPLES_DIR = ROOT.parent / "shared" / "samples" / "parliament"
REFUSING = ("refusal", "partial")


def _sample_texts(samples_dir: Path, name: str) -> dict[Any, tuple[str | None, str | None]]:
    """{question id: (question text, answer text)} of one shared sample file; HTML answers as text."""
    from pqcheck.text import html_to_text, looks_like_html

    data = json.loads((samples_dir / name).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "records" in data:  # mySociety long-form: {id: {question_text, answer_text}}
        items = [(int(k), v["question_text"], v["answer_text"]) for k, v in data["records"].items()]
    else:
        results = data["results"] if isinstance(data, dict) and "results" in data else data
        if isinstance(results, dict):  # a single-question response
            results = [results]
        items = [(r["value"]["id"], r["value"]["questionText"], r["value"]["answerText"]) for r in results]
    return {i: (q, html_to_text(a) if looks_like_html(a) else a) for i, q, a in items}


def load_eval(path: Path = EVAL_PATH, samples_dir: Path = SAMPLES_DIR) -> list[dict[str, Any]]:
    """The labelled answers, with the text of real ones filled in from ``samples_dir`` (left out
    when the folder is not there). Each gets ``group``: dev, heldout or real."""
    records, cache = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if "file" in record:
            if not samples_dir.is_dir():
                continue
            if record["file"] not in cache:
                cache[record["file"]] = _sample_texts(samples_dir, record["file"])
            question, answer = cache[record["file"]][record["id"]]
            record = {**record, "question_text": question, "answer_text": answer, "group": "real"}
        else:
            record = {**record, "group": record.get("split", "dev")}
        records.append(record)
    return records


def evaluate(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall, F1 of refusal-or-partial, and the confusions, for ``records``."""
    predictions = classify_many(((r["question_text"], r["answer_text"]) for r in records), subjects="refusals")
    tp = fp = fn = tn = 0
    labels: Counter[tuple[str, str]] = Counter()
    categories: Counter[tuple[str, str]] = Counter()
    errors = []
    for record, p in zip(records, predictions, strict=True):
        gold_refusal, predicted_refusal = record["label"] in REFUSING, p.label in REFUSING
        tp += gold_refusal and predicted_refusal
        fp += predicted_refusal and not gold_refusal
        fn += gold_refusal and not predicted_refusal
        tn += not gold_refusal and not predicted_refusal
        labels[(record["label"], p.label)] += 1
        if gold_refusal and predicted_refusal:
            categories[(record["category"], p.category)] += 1
        if record["label"] != p.label or (gold_refusal and predicted_refusal and record["category"] != p.category):
            errors.append((record, p))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(records),
        "refusals": tp + fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "label_accuracy": sum(n for (g, p), n in labels.items() if g == p) / len(records) if records else 0.0,
        "category_accuracy": (
            sum(n for (g, p), n in categories.items() if g == p) / sum(categories.values()) if categories else 0.0
        ),
        "labels": labels,
        "categories": categories,
        "errors": errors,
    }


def _matrix(title: str, counts: Counter[tuple[str, str]], names: tuple[str, ...]) -> str:
    rows = [n for n in names if any(g == n for g, _ in counts)] or list(names)
    cols = [n for n in names if any(p == n for _, p in counts)] or list(names)
    width = max(len(n) for n in (*rows, *cols, "gold \\ predicted")) + 1
    lines = [f"  {title}", "  " + "gold \\ predicted".ljust(width) + "".join(c[:12].rjust(13) for c in cols)]
    for g in rows:
        lines.append("  " + g.ljust(width) + "".join(str(counts.get((g, p), 0) or ".").rjust(13) for p in cols))
    return "\n".join(lines)


def report(name: str, result: dict[str, Any], *, errors: bool = False) -> str:
    r = result
    lines = [
        f"== {name}: {r['n']} answers, {r['refusals']} refusals (refusal or partial)",
        f"  precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}  "
        f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']}, tn {r['tn']}); "
        f"label accuracy {r['label_accuracy']:.3f}; category accuracy on found refusals {r['category_accuracy']:.3f}",
        _matrix("labels", r["labels"], LABELS),
    ]
    if r["categories"]:
        lines.append(_matrix("categories (refusals found)", r["categories"], CATEGORIES))
    if errors:
        for record, p in r["errors"]:
            lines.append(
                f"  - {record['id']} [{record['group']}] gold {record['label']}/{record['category']} -> "
                f"{p.label}/{p.category} {p.phrase!r}; {record.get('note', '')}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_PATH)
    parser.add_argument("--samples", type=Path, default=SAMPLES_DIR)
    parser.add_argument("--errors", action="store_true", help="list the wrongly labelled answers")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    records = load_eval(args.eval, args.samples)
    groups = {
        "own answers, held out (written after the patterns)": [r for r in records if r["group"] == "heldout"],
        "own answers, development": [r for r in records if r["group"] == "dev"],
        "own answers, all": [r for r in records if r["group"] in ("dev", "heldout")],
        "real answers (shared samples; seen while writing the patterns)": [r for r in records if r["group"] == "real"],
        "all": records,
    }
    print(f"classifier {CLASSIFIER_VERSION}; {args.eval}")
    if not any(r["group"] == "real" for r in records):
        print(f"(no real-sample labels: {args.samples} is not there)")
    summary = {}
    for name, group in groups.items():
        if not group:
            continue
        result = evaluate(group)
        print(report(name, result, errors=args.errors and name == "all"))
        summary[name] = {k: result[k] for k in ("n", "refusals", "tp", "fp", "fn", "precision", "recall", "f1")}
    print(f"({time.perf_counter() - began:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps({"version": CLASSIFIER_VERSION, **summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
