"""The classifier's quality on real written answers: the headline measure.

    python -m bench.quality              # the table: shared dev set, fixtures/real dev and held-out halves
    python -m bench.quality --errors     # also every answer labelled wrongly, with its doubt note
    python -m bench.quality --json       # the numbers as JSON

Real answers only, labelled by the definitions in ``../shared/realdata/README.md``:
``../shared/realdata/answers.jsonl`` (the shared development set; skipped with a note when the
folder is absent) and ``fixtures/real/answers.jsonl`` (pqcheck's own real set, split by a hash of
each id into a development half to tune on and a held-out half to check on; the batches of
``BLIND_BATCHES``, harvested after the classifier they were first measured on and never tuned on,
are a third set of their own). Scored as the
held-out set of the people who plan the work is scored: a pqcheck ``refusal`` counts as a
non_disclosure; ``refusal`` or ``partial`` counts for recall; and how many disclosures pqcheck calls
``partial`` (at most 10 %). The answers written for pqcheck (``fixtures/eval``) are not a measure
here: ``bench.quality_refusals`` reads them.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pqcheck.classify import CLASSIFIER_VERSION, classify_many
from pqcheck.match import MATCHER_VERSION

from . import quality_real_pairs
from .common import ROOT, half

SHARED_PATH = ROOT.parent / "shared" / "realdata" / "answers.jsonl"
OWN_PATH = ROOT / "fixtures" / "real" / "answers.jsonl"
# Id prefixes of the batches harvested blind, each measured apart: committed before pqcheck ran on them, measured
# blind against the classifier of the day, then read and tuned on (RE only measured until refusals-11). RE (Home
# Office, MoJ), RH (MoD, DWP, DHSC), RK and RJ, RL and RM, RN and RO, RU and RV, RW and RX, RY and RZ (issue 13,
# third to sixth rounds), SA to SF (seventh), SG to SN (eighth), SO to SW (ninth: fixtures/real/README.md says
# which departments).
BLIND_BATCHES = (
    "RE", "RH", "RK", "RJ", "RL", "RM", "RN", "RO", "RU", "RV", "RW", "RX", "RY", "RZ",
    "SA", "SB", "SC", "SD", "SE", "SF", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN",
    "SO", "SP", "SQ", "SR", "SS", "ST", "SV", "SW",
)  # fmt: skip
GOLD_LABELS = ("non_disclosure", "disclosure", "other")
GOLD_CATEGORIES = (
    "not_held_centrally",
    "not_collected",
    "disproportionate_cost",
    "not_in_format",
    "not_available_published",
    "other_refusal",
)
REQUIRED = ("id", "source_url", "answer_text", "label")
TARGETS = {"refusal_precision": 0.95, "refusing_recall": 0.95, "refusal_recall": 0.85, "disclosures_partial": 0.10}


def load(path: Path) -> list[dict[str, Any]]:
    """The labelled answers of a JSON Lines file, each checked: its fields, label and category."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        missing = [name for name in REQUIRED if not record.get(name)]
        if missing:
            raise ValueError(f"{path}:{number}: no {', '.join(missing)}")
        if record["label"] not in GOLD_LABELS:
            raise ValueError(f"{path}:{number}: label {record['label']!r} is not one of {GOLD_LABELS}")
        category = record.get("category")
        if (record["label"] == "non_disclosure") != (category in GOLD_CATEGORIES):
            raise ValueError(f"{path}:{number}: category {category!r} does not fit label {record['label']!r}")
        records.append(record)
    return records


def sets(shared: Path = SHARED_PATH, own: Path = OWN_PATH) -> dict[str, list[dict[str, Any]]]:
    """The sets measured, by name (the shared one only when its folder is there)."""
    found: dict[str, list[dict[str, Any]]] = {}
    if shared.is_file():
        found["shared realdata (dev)"] = load(shared)
    records = load(own)
    halves = [r for r in records if not r["id"].startswith(BLIND_BATCHES)]
    found["fixtures/real dev"] = [r for r in halves if half(r["id"]) == "dev"]
    found["fixtures/real held-out"] = [r for r in halves if half(r["id"]) == "held-out"]
    for prefix in BLIND_BATCHES:
        if batch := [r for r in records if r["id"].startswith(prefix)]:
            found[f"fixtures/real {prefix} batch"] = batch
    return found


@dataclass
class Quality:
    """How pqcheck's labels compare with the gold labels of one set."""

    answers: int = 0
    refusal_precision: float = 0.0
    refusing_recall: float = 0.0  # refusal or partial, of the non_disclosures
    refusal_recall: float = 0.0
    disclosures_partial: float = 0.0  # share of the disclosures labelled partial
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # gold -> pqcheck -> count
    errors: list[dict[str, Any]] = field(default_factory=list)


def measure(records: list[dict[str, Any]]) -> Quality:
    """Classify every answer and score the labels."""
    results = classify_many([(r.get("question_text"), r["answer_text"]) for r in records])
    pairs = [(r["label"], result.label) for r, result in zip(records, results, strict=True)]
    counts = Counter(pairs)
    gold = Counter(label for label, _ in pairs)
    said_refusal = sum(n for (_, mine), n in counts.items() if mine == "refusal")
    quality = Quality(answers=len(records))
    quality.refusal_precision = _share(counts["non_disclosure", "refusal"], said_refusal)
    quality.refusal_recall = _share(counts["non_disclosure", "refusal"], gold["non_disclosure"])
    refusing = counts["non_disclosure", "refusal"] + counts["non_disclosure", "partial"]
    quality.refusing_recall = _share(refusing, gold["non_disclosure"])
    quality.disclosures_partial = _share(counts["disclosure", "partial"], gold["disclosure"])
    for (label, mine), n in sorted(counts.items()):
        quality.confusion.setdefault(label, {})[mine] = n
    for record, (label, mine), result in zip(records, pairs, results, strict=True):
        if not _right(label, mine):
            quality.errors.append(
                {
                    "id": record["id"],
                    "gold": label,
                    "gold_category": record.get("category"),
                    "pqcheck": mine,
                    "category": result.category,
                    "phrase": result.phrase,
                    "doubt": record.get("doubt"),
                    "answer": record["answer_text"][:300],
                }
            )
    return quality


def _right(gold: str, mine: str) -> bool:
    return {"non_disclosure": ("refusal",), "disclosure": ("disclosure", "partial"), "other": ("other",)}[gold].count(
        mine
    ) > 0


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def table(results: dict[str, Quality]) -> str:
    """The headline figures, a row per set, with the targets."""
    head = f"{'set':<26} {'answers':>7} {'refusal P':>9} {'ref+part R':>10} {'refusal R':>9} {'discl→partial':>13}"
    lines = [f"Classifier {CLASSIFIER_VERSION} on real written answers", "", head, "-" * len(head)]
    for name, q in results.items():
        lines.append(
            f"{name:<26} {q.answers:>7} {q.refusal_precision:>9.2f} {q.refusing_recall:>10.2f} "
            f"{q.refusal_recall:>9.2f} {q.disclosures_partial:>13.2f}"
        )
    t = TARGETS
    lines.append(
        f"{'target':<26} {'':>7} {'≥' + format(t['refusal_precision'], '.2f'):>9} "
        f"{'≥' + format(t['refusing_recall'], '.2f'):>10} {'≥' + format(t['refusal_recall'], '.2f'):>9} "
        f"{'≤' + format(t['disclosures_partial'], '.2f'):>13}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="List every answer labelled wrongly.")
    parser.add_argument("--json", action="store_true", help="Print the numbers as JSON.")
    parser.add_argument("--no-pairs", action="store_true", help="Leave out the matcher's figures on real pairs.")
    args = parser.parse_args(argv)
    found = sets()
    if not SHARED_PATH.is_file():
        print(f"(the shared dev set is not at {SHARED_PATH}: measured on fixtures/real only)")
    results = {name: measure(records) for name, records in found.items()}
    pairs = None if args.no_pairs else quality_real_pairs.figures()
    if args.json:
        numbers = {name: asdict(q) for name, q in results.items()}
        if pairs is not None:
            numbers["pairs"] = {name: asdict(q) for name, q in pairs[0].items()}
            numbers["top_clearly_wrong"] = [t for t in pairs[1] if t["wrong"]]
            numbers["pairs_by_confidence"] = {name: asdict(q) for name, q in pairs[2].items()}
        print(json.dumps(numbers, indent=2, ensure_ascii=False))
        return 0
    print(table(results))
    if pairs is not None:
        print(
            f"\nMatcher {MATCHER_VERSION} on real documented pairs (python -m bench.quality_real_pairs for each pair)\n"
        )
        print(quality_real_pairs.table(*pairs))
    for name, q in results.items():
        print(f"\n{name}: gold -> pqcheck: {json.dumps(q.confusion)}")
        if args.errors:
            for error in q.errors:
                print(
                    f"  {error['id']}: {error['gold']}/{error['gold_category']} labelled {error['pqcheck']}"
                    f"/{error['category']} ({error['phrase']!r}): {error['answer'][:160]!r}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
