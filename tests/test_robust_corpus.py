"""The scale corpus generator (bench/corpus.py): reproducible, in the real shapes, importable, and
its planted refusal-disclosure pairs are found by the classifier and the matcher."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from bench import corpus
from bench.common import ROOT, bench_command
from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.departments import department_index
from pqcheck.sources.foi_files import RECORD_FIELDS
from pqcheck.sources.parliament import QUESTION_KEYS

ARGS = ["--answers", "800", "--foi", "500", "--pairs", "12", "--quiet"]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    assert corpus.main([*ARGS, "--seed", "5", "--out", str(out), "--workers", "1"]) == 0
    return out


def lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_whatever_the_workers_another_seed_other_bytes(made, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    run = subprocess.run(
        bench_command("corpus", *ARGS, "--seed", "5", "--out", str(again), "--workers", "2"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert corpus.main([*ARGS, "--seed", "6", "--out", str(other), "--workers", "1"]) == 0

    assert set(files(made)) == {"answers.jsonl", "foi.jsonl", "pairs.jsonl", "manifest.json"}
    assert files(again) == files(made)
    assert files(other)["answers.jsonl"] != files(made)["answers.jsonl"]
    assert files(other)["foi.jsonl"] != files(made)["foi.jsonl"]


def test_answers_are_list_endpoint_items_latest_activity_first(made, tmp_path):
    items = lines(made / "answers.jsonl")
    assert len(items) == 800
    values = [item["value"] for item in items]
    assert all(tuple(v) == QUESTION_KEYS for v in values)
    assert all(
        item["links"] == [{"rel": "self", "href": f"/Questions/{v['id']}", "method": "GET"}]
        for item, v in zip(items, values, strict=True)
    )
    assert len({v["id"] for v in values}) == 800
    assert len({(v["dateTabled"], v["uin"]) for v in values}) == 800
    keys = [corpus.activity(v) for v in values]
    assert keys == sorted(keys, reverse=True)
    assert any(len(v["questionText"]) == 255 for v in values)  # cut by the list endpoint
    assert any((v["answerText"] or "").endswith("...") for v in values)
    manifest = json.loads((made / "manifest.json").read_text())
    assert set(manifest["answers"]["refusals"]) == {
        "not_held_centrally",
        "not_collected",
        "disproportionate_cost",
        "not_in_format",
        "not_available",
        "will_publish",
    }
    # the list format holds the same items in one list response
    listed = tmp_path / "listed"
    assert corpus.main([*ARGS, "--seed", "5", "--out", str(listed), "--workers", "1", "--answers-format", "list"]) == 0
    response = json.loads((listed / "answers.json").read_text(encoding="utf-8"))
    assert response["totalResults"] == 800
    assert response["results"] == items


def test_foi_records_come_from_the_answers_departments(made, tmp_path):
    records = lines(made / "foi.jsonl")
    assert len(records) == 500
    assert all(tuple(r) == RECORD_FIELDS for r in records)
    assert len({r["id"] for r in records}) == 500
    index = department_index()
    assert all(index.lookup(name=r["authority"]) for r in records)
    assert {r["outcome"] for r in records} >= {"successful", "not_held", "rejected", "released"}
    disclosed = [r for r in records if r["outcome"] == "successful"]
    assert all("Year | Number" in r["response_text"] for r in disclosed)
    # the CSV format holds the same records
    as_csv = tmp_path / "csv"
    assert corpus.main([*ARGS, "--seed", "5", "--out", str(as_csv), "--workers", "1", "--foi-format", "csv"]) == 0
    header = (as_csv / "foi.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert header == ",".join(RECORD_FIELDS)


def test_planted_pairs_are_imported_classified_and_matched(made, tmp_path):
    pairs = lines(made / "pairs.jsonl")
    assert len(pairs) == 12
    db_path = tmp_path / "pq.db"
    runner = CliRunner()
    for args in (
        ["import", "questions", db_path, made / "answers.jsonl", "--quiet"],
        ["import", "foi", db_path, made / "foi.jsonl", "--quiet"],
        ["classify", db_path, "--quiet"],
        ["match", db_path, "--quiet"],
    ):
        result = runner.invoke(cli, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        assert "warning" not in result.output
    db = open_db(db_path)
    index = department_index()
    found = 0
    for pair in pairs:
        question = db["questions"].get(pair["question_id"])
        foi = db["foi_requests"].get(pair["foi_id"])
        department = index.lookup(answering_body=question["answering_body_id"])
        assert foi["department_id"] == department
        assert (
            pair["subject"] in question["question_text"]
            and pair["subject"].lower() in foi["title"].lower() + foi["request_text"].lower()
        )
        refusal = db["refusals"].get(pair["question_id"])
        assert (refusal["label"], refusal["category"]) == ("refusal", pair["category"])
        best = [
            r[0]
            for r in db.execute(
                "SELECT foi_request_id FROM matches WHERE question_id = ? ORDER BY score DESC LIMIT 3",
                [pair["question_id"]],
            )
        ]
        found += pair["foi_id"] in best
    assert found >= 11  # recall@3 of at least 0.9


def test_planted_recall_leaves_out_letters_as_right_as_the_planted_one(tmp_path):
    # At full scale the generator writes other letters from the same department, disclosing, asking for
    # the planted subject word for word: recall "alike left out" ranks the planted letter among the rest.
    from bench.corpus_pipeline import planted_found

    db = open_db(tmp_path / "pq.db")
    request = "Please provide the number of company directors disqualified in Lancaster in each year."
    letters = [
        ("alike", "beis", "successful", request),
        ("planted", "beis", "partially_successful", request),
        ("refused", "beis", "not_held", request),
        ("elsewhere", "dwp", "successful", request),
    ]
    for fid, department, outcome, text in letters:
        db["foi_requests"].insert({"id": fid, "department_id": department, "outcome": outcome, "request_text": text})
    db["refusals"].insert({"question_id": 1, "label": "refusal", "category": "not_collected"})
    for rank, fid in enumerate(["alike", "refused", "planted", "elsewhere"]):
        db["matches"].insert({"id": fid, "question_id": 1, "foi_request_id": fid, "score": 2.0 - rank / 10})
    pair = {"question_id": 1, "foi_id": "planted", "category": "not_collected"}
    found = planted_found(db, [{**pair, "subject": "company directors disqualified in Lancaster"}])
    assert (found["recall_at_1"], found["recall_at_3"]) == (0.0, 1.0)
    assert (found["recall_at_1_alike_left_out"], found["recall_at_3_alike_left_out"]) == (0.0, 1.0)
    db["matches"].delete("refused")
    found = planted_found(db, [{**pair, "subject": "company directors disqualified in Lancaster"}])
    assert (found["recall_at_1"], found["recall_at_1_alike_left_out"]) == (0.0, 1.0)
    other_place = planted_found(db, [{**pair, "subject": "company directors disqualified in Slough"}])
    assert other_place["recall_at_1_alike_left_out"] == 0.0  # a letter on another subject is not alike
