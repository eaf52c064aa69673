"""Importing the real API responses in ../shared/samples/parliament (read there at test time)."""

from __future__ import annotations

import json

import pytest

from pqcheck.db import open_db
from pqcheck.importer import import_question_files


def table_snapshot(db):
    return {t: list(db[t].rows) for t in ("questions", "members", "answer_versions", "answering_bodies")}


def test_every_record_of_the_all_answers_sample_lands_once(tmp_path, parliament_samples):
    sample = parliament_samples / "clquestions-2021-02-01-answers-all.json"
    results = json.loads(sample.read_text())["results"]
    db = open_db(tmp_path / "pq.db")

    stats = import_question_files(db, [sample])

    assert len(results) == 469
    assert db["questions"].count == len(results) == stats.inserted
    for item in results:
        value = item["value"]
        row = db["questions"].get(value["id"])
        assert row["uin"] == value["uin"]
        assert row["house"] == value["house"]
        assert row["heading"] == value["heading"]
        assert row["answering_body_id"] == value["answeringBodyId"]
        assert row["date_answered"] == value["dateAnswered"][:10] == "2021-02-01"
        assert row["question_text"] == value["questionText"]
        assert row["question_text_truncated"] == (len(value["questionText"]) == 255)
        assert row["answer_text_truncated"] == value["answerText"].endswith("...")
        assert json.loads(row["raw"]) == value
        assert row["source_url"] == sample.resolve().as_uri()
    assert db["questions"].count_where("answer_status = 'holding'") == 4
    assert db["members"].count > 100


def test_a_second_import_changes_nothing(tmp_path, parliament_samples):
    sample = parliament_samples / "clquestions-2021-02-01-answers-all.json"
    db = open_db(tmp_path / "pq.db")
    import_question_files(db, [sample])
    before = table_snapshot(db)

    stats = import_question_files(db, [sample])

    assert (stats.inserted, stats.updated, stats.unchanged) == (0, 0, 469)
    assert table_snapshot(db) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("aws-sample-questions-list-2024.json", 20),  # list response, expandMember off
        ("aws-sample-question-single-2024.json", 1),  # single item, HTML answer
        ("mysociety-2024-08-commons-list-first25.json", 25),  # JSON array of items
        ("clquestions-2021-02-01-questions-tabled-all.json", 520),  # includes unanswered questions
    ],
)
def test_each_shape_imports(tmp_path, parliament_samples, name, expected):
    db = open_db(tmp_path / "pq.db")
    stats = import_question_files(db, [parliament_samples / name])
    assert stats.inserted == db["questions"].count == expected


def test_json_lines_of_value_objects(tmp_path, parliament_samples):
    results = json.loads((parliament_samples / "aws-sample-questions-list-2024.json").read_text())["results"]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(item["value"]) for item in results) + "\n")
    db = open_db(tmp_path / "pq.db")
    import_question_files(db, [dump])
    assert {row["id"] for row in db["questions"].rows} == {item["value"]["id"] for item in results}


def test_the_single_record_keeps_its_full_html_over_the_truncated_list_copy(tmp_path, parliament_samples):
    db = open_db(tmp_path / "pq.db")
    import_question_files(
        db,
        [
            parliament_samples / "aws-sample-question-single-2024.json",
            parliament_samples / "aws-sample-questions-list-2024.json",
        ],
    )
    row = db["questions"].get(1679416)
    assert row["answer_html"].startswith("<p>The department is supporting sectors")
    assert row["answer_text_truncated"] == 0
    assert "44 FJAAs" in row["answer_text"]


def test_curated_examples_keep_their_special_fields(tmp_path, parliament_samples):
    curated = json.loads((parliament_samples / "curated-2021-list-examples.json").read_text())
    items = [v for k, v in curated.items() if k != "_note" and "questionText" in v["value"]]
    dump = tmp_path / "curated.json"
    dump.write_text(json.dumps(items))
    db = open_db(tmp_path / "pq.db")
    import_question_files(db, [dump])

    def row(key):
        return db["questions"].get(curated[key]["value"]["id"])

    assert row("holding_answer_current")["answer_status"] == "holding"
    assert row("holding_then_substantive_answer_grouped")["answer_status"] == "answered"
    assert row("holding_then_substantive_answer_grouped")["date_holding_answer"] is not None
    grouped = json.loads(row("grouped_question")["grouped_questions"])
    assert grouped and all(g["uin"] for g in grouped)
    corrected = row("corrected_answer_list_view")
    assert corrected["answer_status"] == "corrected"
    assert corrected["date_answer_corrected"] is not None
    assert row("unanswered")["answer_status"] == "unanswered"
    assert row("lords_question")["house"] == "Lords"
    assert row("member_has_interest")["member_has_interest"] == 1
    assert row("question_text_truncated_255")["question_text_truncated"] == 1
