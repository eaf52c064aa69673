"""Text cut short by the list endpoint is never classified silently (issue 13, item 4).

``classify`` counts the answers it classified on cut text, each refusals row and each pair say
so, and ``pqcheck fetch details`` replaces the cut text with the detail endpoint's whole record:
measured on the real list sample of 1 February 2021 and on real whole answers (mySociety's copies
of the detail endpoint), served by the fake API.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from pqcheck.check import check, describe
from pqcheck.classify import classify
from pqcheck.db import open_db
from pqcheck.questions import cut_short_ids
from pqcheck.report import write_report
from pqcheck.text import html_to_text
from pqcheck.vocabulary import CUT_SHORT_NOTE
from pqcheck.web.app import create_app

from .support.apiserver import FakeParliamentAPI, fake_api, list_view, make_question
from .support.cli import command, environment

api = pytest.fixture(fake_api, name="api")
ALL_ANSWERS = "clquestions-2021-02-01-answers-all.json"
LONGFORM = "mysociety-longform-2024-08-single-endpoint-texts.json"


def pqcheck(*args: Any) -> dict[str, Any]:
    """``pqcheck ARGS --json`` as a subprocess; its JSON summary."""
    proc = subprocess.run(
        command(*args, "--json"), capture_output=True, text=True, timeout=120, env=environment(), check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def fetch_details(db_path: Path, api: FakeParliamentAPI, *args: str) -> dict[str, Any]:
    return pqcheck("fetch", "details", db_path, "--api-url", api.url, "--rate", "1000", "--retries", "0", "-q", *args)


def import_and_classify(db_path: Path, source: Path) -> dict[str, Any]:
    proc = subprocess.run(
        command("import", "questions", db_path, source), capture_output=True, text=True, env=environment(), check=False
    )
    assert proc.returncode == 0, proc.stderr
    return pqcheck("classify", db_path, "-q")


def labels(db_path: Path) -> dict[int, tuple[str, int]]:
    db = sqlite_utils.Database(db_path)
    return {
        qid: (label, cut) for qid, label, cut in db.execute("SELECT question_id, label, answer_cut_short FROM refusals")
    }


def cut_by_list(value: dict[str, Any]) -> bool:
    """How the list endpoint marks an answer it cut: plain text ending '...' (reference §1.6)."""
    return (value.get("answerText") or "").endswith("...")


def stand_in_detail(value: dict[str, Any]) -> dict[str, Any]:
    """A detail record for a list record of the 2021 sample, whose whole text no copy holds: the
    text the list gave, as the HTML the detail endpoint sends (so, no longer cut)."""
    detail = copy.deepcopy(value)
    if detail.get("answerText"):
        detail["answerText"] = f"<p>{detail['answerText'].removesuffix('...')}</p>"
    return detail


def test_classify_counts_every_answer_the_list_endpoint_cut_and_fetch_details_brings_it_to_0(
    tmp_path, parliament_samples, api
):
    sample = parliament_samples / ALL_ANSWERS
    values = [item["value"] for item in json.loads(sample.read_text())["results"]]
    substantive = [v for v in values if not v["answerIsHolding"]]
    db_path = tmp_path / "pq.db"

    summary = import_and_classify(db_path, sample)

    assert summary["cut_short"] == sum(map(cut_by_list, substantive)) == 419
    assert sum(cut for _, cut in labels(db_path).values()) == 419

    api.add(*(stand_in_detail(v) for v in values))
    wanted = [v["id"] for v in values if not v["answerIsHolding"] and (cut_by_list(v) or len(v["questionText"]) == 255)]
    fetched = fetch_details(db_path, api)

    assert fetched["cut_short"] == len(wanted) == fetched["updated"] == fetched["requests"]
    assert fetched["missing"] == 0
    assert sorted(r.question_id for r in api.requests if r.kind == "detail") == sorted(wanted)
    assert pqcheck("classify", db_path, "-q")["cut_short"] == 0
    assert not any(cut for _, cut in labels(db_path).values())
    again = fetch_details(db_path, api)  # resumable: what is whole is not asked for again
    assert (again["cut_short"], again["requests"]) == (0, 0)


@pytest.fixture
def longform(parliament_samples) -> list[dict[str, Any]]:
    """Real whole answers (2024), as the detail endpoint sends them."""
    records = json.loads((parliament_samples / LONGFORM).read_text())["records"]
    return [
        make_question(
            int(qid),
            tabled="2024-07-29",
            answered="2024-08-05",
            question_text=record["question_text"],
            answer_html=record["answer_text"],
        )
        for qid, record in records.items()
    ]


def test_fetch_details_changes_the_labels_the_whole_text_changes(tmp_path, longform, api):
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps({"totalResults": 3, "results": [{"value": list_view(v)} for v in longform]}))
    db_path = tmp_path / "pq.db"
    assert all(cut_by_list(list_view(v)) for v in longform)

    assert import_and_classify(db_path, listed)["cut_short"] == 3
    before = labels(db_path)
    api.add(*longform)
    assert fetch_details(db_path, api)["updated"] == 3
    assert pqcheck("classify", db_path, "-q")["cut_short"] == 0
    after = labels(db_path)

    for value in longform:
        cut, whole = list_view(value)["answerText"], html_to_text(value["answerText"])
        assert before[value["id"]] == (classify(value["questionText"], cut).label, 1)
        assert after[value["id"]] == (classify(value["questionText"], whole).label, 0)
    # real record 1725671: "Future disclosures for 2023/24 will be published in due course" is past the cut
    assert before[1725671][0] != after[1725671][0]


def test_an_answer_the_api_no_longer_has_stays_cut_short_and_counted(tmp_path, longform, api):
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps({"totalResults": 3, "results": [{"value": list_view(v)} for v in longform]}))
    db_path = tmp_path / "pq.db"
    import_and_classify(db_path, listed)
    api.add(*longform[1:])  # the first is gone: a 404

    fetched = fetch_details(db_path, api)

    assert (fetched["cut_short"], fetched["missing"], fetched["updated"]) == (3, 1, 2)
    assert pqcheck("classify", db_path, "-q")["cut_short"] == 1
    assert fetch_details(db_path, api)["requests"] == 1  # only what is still cut short


def test_fetch_details_takes_the_department_and_date_filters(tmp_path, parliament_samples):
    db_path = tmp_path / "pq.db"
    import_and_classify(db_path, parliament_samples / ALL_ANSWERS)
    db = open_db(db_path)
    every = cut_short_ids(db)
    body = db.execute("SELECT answering_body_id FROM questions GROUP BY 1 ORDER BY count(*) DESC").fetchone()[0]

    of_body = cut_short_ids(db, answering_bodies=(body,))

    assert 0 < len(of_body) < len(every)
    bodies = {db["questions"].get(qid)["answering_body_id"] for qid in of_body}
    assert bodies == {body}
    assert cut_short_ids(db, answered_from=date(2021, 2, 1), answered_to=date(2021, 2, 1)) == every
    assert cut_short_ids(db, answered_from=date(2021, 2, 2)) == []


def test_check_answer_says_when_it_classified_text_cut_short():
    cut = check(None, None, "The information requested is not held centrally and could only be obtained at...")
    whole = check(None, None, "The information requested is not held centrally.")

    assert cut["answer_cut_short"] is True and whole["answer_cut_short"] is False
    assert CUT_SHORT_NOTE in describe(cut)
    assert CUT_SHORT_NOTE not in describe(whole)
    assert "cut short" not in describe(whole)


def test_check_answer_by_id_reads_the_stored_flag_not_the_last_three_characters(tmp_path):
    db = open_db(tmp_path / "t.db")
    cut, ellipsis = "The information requested is not held centrally and could", "Figures are set out below..."
    db["questions"].insert_all(
        [
            {"id": 1, "question_text": None, "answer_text": cut, "answer_text_truncated": 1},
            {"id": 2, "question_text": None, "answer_text": ellipsis, "answer_text_truncated": 0},
        ],
        alter=False,
    )
    db.conn.commit()
    db.close()
    shown = {qid: pqcheck("check-answer", "--db", tmp_path / "t.db", "--id", qid) for qid in (1, 2)}
    assert (shown[1]["answer_cut_short"], shown[2]["answer_cut_short"]) == (True, False)


def test_reports_and_the_pair_page_say_a_pair_was_classified_on_text_cut_short(demo_copy):
    db = open_db(demo_copy)
    match_id, question_id = db.execute("SELECT id, question_id FROM matches ORDER BY id LIMIT 1").fetchone()
    with db.conn:
        db.execute("UPDATE refusals SET answer_cut_short = 1 WHERE question_id = ?", [question_id])

    markdown, document, table = io.StringIO(), io.StringIO(), io.StringIO()
    write_report(db, markdown, fmt="md")
    write_report(db, document, fmt="json")
    write_report(db, table, fmt="csv")
    pairs = json.loads(document.getvalue())["pairs"]
    rows = list(csv.DictReader(io.StringIO(table.getvalue())))
    assert {r["match_id"]: r["answer_cut_short"] == "1" for r in rows} == {
        p["match_id"]: p["answer_cut_short"] for p in pairs
    }

    assert {p["match_id"]: p["answer_cut_short"] for p in pairs} == {
        p["match_id"]: p["question_id"] == question_id for p in pairs
    }
    assert markdown.getvalue().count(CUT_SHORT_NOTE) == sum(p["question_id"] == question_id for p in pairs)
    page = create_app(demo_copy).test_client().get(f"/pair/{match_id}", headers={"Host": "127.0.0.1"})
    assert page.status_code == 200
    assert "Classified on text cut short" in page.get_data(as_text=True)
