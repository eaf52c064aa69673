"""End-to-end: the real ``pqcheck fetch questions`` console script against a fake API server.

Each test starts :class:`apiserver.FakeParliamentAPI` on 127.0.0.1, runs the installed
``pqcheck`` executable as a subprocess, then reads the SQLite file with sqlite_utils and the
server's request log.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from .support.apiserver import (
    DROP,
    LIST_PATH,
    QUESTION_KEYS,
    SHORT_READ,
    TRUNCATE,
    FakeParliamentAPI,
    RecordedRequest,
    fake_api,
    list_view,
    list_view_truncated,
    make_question,
    make_question_set,
    strip_tags,
    with_answer,
    with_correction,
)
from .support.fetch import FROM, TODAY, assert_complete, fetch, rows_by_id, sync_state, versions

PAGE = 100

api = pytest.fixture(fake_api, name="api")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pq.db"


def outcomes(requests: list[RecordedRequest]) -> dict[Any, list[Any]]:
    """Outcomes per list page (by skip) or per detail record (by id), in request order."""
    found: dict[Any, list[Any]] = {}
    for request in requests:
        key = request.skip if request.kind == "list" else request.question_id
        found.setdefault(key, []).append(request.outcome)
    return found


def gap_after(requests: list[RecordedRequest], first: RecordedRequest) -> float:
    """Seconds between ``first`` and the next request for the same URL (its retry)."""
    later = [r for r in requests if r.number > first.number and (r.path, r.query) == (first.path, first.query)]
    assert later, f"no retry of {first}"
    return later[0].time - first.time


def detail_path(question_id: int) -> str:
    return f"{LIST_PATH}/{question_id}"


# --------------------------------------------------------------------------------------------


def test_fake_server_matches_the_real_api_shapes(parliament_samples):
    """The fake's key order and list-view quirks agree with real payloads (read, not copied)."""
    single = parliament_samples / "aws-sample-question-single-2024.json"
    listing = parliament_samples / "aws-sample-questions-list-2024.json"
    real_detail = json.loads(single.read_text(encoding="utf-8"))["value"]
    real_list = [item["value"] for item in json.loads(listing.read_text(encoding="utf-8"))["results"]]
    assert tuple(real_detail) == QUESTION_KEYS
    assert all(tuple(value) == QUESTION_KEYS for value in real_list)
    # the real list view: question cut at 255 (no ellipsis), answer plain, cut to 255 + "..."
    assert any(len(v["questionText"]) == 255 for v in real_list)
    for value in real_list:
        assert len(value["questionText"]) <= 255
        answer = value["answerText"] or ""
        assert "<p>" not in answer
        assert len(answer) <= 255 or (len(answer) == 258 and answer.endswith("..."))
    # the fake turns the real detail record into the same kind of list record
    view = list_view(real_detail)
    assert tuple(view) == QUESTION_KEYS
    assert view["answerText"] == strip_tags(real_detail["answerText"])[:255] + "..."
    assert len(view["answerText"]) == 258 and "<" not in view["answerText"]
    assert view["questionText"] == real_detail["questionText"]  # < 255 characters: not cut
    made = make_question(1, tabled=TODAY, answered=TODAY, long_question=True, long_answer=True)
    assert len(list_view(made)["questionText"]) == 255
    assert list_view_truncated(made) and not list_view_truncated(real_list[0] | {"answerText": "Yes."})


def test_faults_are_retried_and_every_record_is_stored_once(api, db_path):
    api.add(*make_question_set(250, today=TODAY))
    ordered = api.ordered()
    pages = [ordered[0:100], ordered[100:200], ordered[200:]]
    # pqcheck reads the detail of every record the list cut short, and of every answered one
    # (the detail has the answer's HTML and its attachments); unanswered ones need only the list
    truncated = {v["id"] for v in ordered if list_view_truncated(v) or v["answerText"]}
    assert all(any(v["id"] in truncated for v in page) for page in pages)
    assert len(truncated) == len(ordered)  # every record in an answered-date range has an answer
    first_truncated = [next(v["id"] for v in page if v["id"] in truncated) for page in pages]
    # list pages: 429 + Retry-After: 1, then 500 (ProblemDetails), then a body cut short
    api.add_fault(429, params={"skip": 0}, retry_after=1)
    api.add_fault(500, params={"skip": 100})
    api.add_fault(TRUNCATE, params={"skip": 200})
    # detail requests: 429 + Retry-After: 0, a dropped connection, a short read
    api.add_fault(429, path=detail_path(first_truncated[0]), retry_after=0)
    api.add_fault(DROP, path=detail_path(first_truncated[1]))
    api.add_fault(SHORT_READ, path=detail_path(first_truncated[2]))

    run = fetch(db_path, api, "--from", FROM.isoformat(), retries=2)

    assert run.returncode == 0, run.stderr + api.log()
    assert run.stderr == ""
    summary = run.summary
    assert (summary["questions"], summary["inserted"]) == (250, 250)
    assert (summary["updated"], summary["unchanged"], summary["truncated"]) == (0, 0, 0)
    assert summary["passes"] == [{"answered_from": FROM.isoformat()}]

    # every record exactly once, and the ones the list cut short completed from the detail endpoint
    rows = rows_by_id(db_path)
    assert set(rows) == set(api.questions) == api.served_ids()
    for qid, value in api.questions.items():
        row = rows[qid]
        if qid in truncated:
            assert_complete(row, value)
            assert row["source_url"] == f"{api.url}{detail_path(qid)}"
        else:
            assert row["question_text"] == value["questionText"]
            assert row["answer_text"] is None  # unanswered: only the list view was read
            assert row["source_url"].startswith(f"{api.url}{LIST_PATH}?")
    db = sqlite_utils.Database(db_path)
    cut = db.execute("SELECT count(*) FROM questions WHERE answer_text_truncated OR question_text_truncated")
    assert cut.fetchone()[0] == 0
    assert db["answer_versions"].count == 0  # a first fetch replaces no earlier text
    assert sync_state(db_path)["status"] == "ok"

    # the request log shows each fault and its retry, and nothing else fetched twice
    lists, details = api.list_requests(), api.detail_requests()
    assert outcomes(lists) == {0: [429, 200], 100: [500, 200], 200: [TRUNCATE, 200]}
    for request in lists:
        assert request.param("take") == "100"
        assert request.param("answeredWhenFrom") == FROM.isoformat()
        assert request.param("expandMember") == "true"
    assert gap_after(api.requests, lists[0]) >= 0.9  # Retry-After: 1 was honoured
    by_id = outcomes(details)
    assert by_id.pop(first_truncated[0]) == [429, 200]
    assert by_id.pop(first_truncated[1]) == [DROP, 200]
    assert by_id.pop(first_truncated[2]) == [SHORT_READ, 200]
    assert set(by_id) == truncated - set(first_truncated)
    assert all(seen == [200] for seen in by_id.values())
    retry_429 = next(r for r in details if r.outcome == 429)
    assert gap_after(api.requests, retry_429) < 0.8  # Retry-After: 0, not the 1 s backoff
    assert summary["requests"] == len(api.requests)


def test_answers_arriving_during_the_crawl_shift_items_between_pages(api, db_path):
    api.add(*make_question_set(250, today=TODAY))
    ordered = api.ordered()
    holding_p1 = next(v for v in ordered[10:90] if v["answerIsHolding"])
    holding_p3 = next(v for v in ordered[200:] if v["answerIsHolding"])
    arrivals = [
        make_question(1_900_000 + n, tabled=TODAY - timedelta(days=9), answered=TODAY, long_answer=n % 2 == 0)
        for n in range(5)
    ]

    def answers_arrive(api: FakeParliamentAPI, request: RecordedRequest) -> None:
        api.add(*arrivals)  # new answers, dated today, sort first
        api.add(with_answer(holding_p1, TODAY))  # already read on page 1: moves to the top
        api.add(with_answer(holding_p3, TODAY))  # not read yet: moves from page 3 to the top

    api.between_pages(100, answers_arrive)

    first = fetch(db_path, api, "--from", FROM.isoformat())

    summary = first.summary
    lists = api.list_requests()
    assert [r.skip for r in lists] == [0, 100, 200]
    assert lists[1].total == lists[0].total + 5
    repeated = set(lists[0].ids) & set(lists[1].ids)
    assert repeated, "the fake did not shift page 2"
    rows = rows_by_id(db_path)
    served = api.served_ids()
    assert set(rows) == served
    # each record saved once: the repeated ones were not saved again
    assert summary["questions"] == summary["inserted"] == len(served)
    assert summary["unchanged"] == summary["updated"] == 0
    assert rows[holding_p1["id"]]["answer_status"] == "holding"

    # the next (incremental) run picks up what moved to pages already read
    mark = api.mark()
    second = fetch(db_path, api, "--from", FROM.isoformat())

    assert second.summary["resumed"] is False
    rows = rows_by_id(db_path)
    assert set(rows) == set(api.questions)
    assert len(rows) == 255
    for value in [*arrivals, api.questions[holding_p1["id"]], api.questions[holding_p3["id"]]]:
        assert rows[value["id"]]["date_answered"] == TODAY.isoformat()
        if list_view_truncated(value):
            assert_complete(rows[value["id"]], value)
    moved = rows[holding_p1["id"]]
    assert moved["answer_status"] == "answered"
    assert moved["holding_answer_text"] == strip_tags(holding_p1["answerText"])
    assert {v["kind"] for v in versions(db_path, holding_p1["id"])} == {"holding"}
    assert all(
        r.param("answeredWhenFrom") != FROM.isoformat() or r.param("correctedWhenFrom") for r in api.list_requests(mark)
    )


@pytest.mark.parametrize("where", ["list page", "detail request"])
def test_exhausted_retries_fail_cleanly_and_the_next_run_resumes(api, db_path, where):
    api.add(*make_question_set(250, today=TODAY))
    ordered = api.ordered()
    page_one = {v["id"] for v in ordered[:100]}
    if where == "list page":
        api.add_fault(500, path=LIST_PATH, when=lambda r: (r.skip or 0) >= 100, times=None)
    else:
        victim = next(v["id"] for v in ordered[100:200] if list_view_truncated(v))
        api.add_fault(DROP, path=detail_path(victim), times=None)

    failed = fetch(db_path, api, "--from", FROM.isoformat(), retries=1, backoff=0.05)

    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stdout == ""
    assert "Traceback" not in failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1, failed.stderr
    message = lines[0]
    assert message.startswith("Error: GET http://127.0.0.1:")
    assert "failed after 1 retries" in message
    if where == "list page":
        assert "skip=100" in message
        assert "HTTP 500 An error occurred while processing your request." in message
        assert [r.outcome for r in api.list_requests() if r.skip == 100] == [500, 500]
    else:
        assert f"/questions/{victim}" in message
        assert "connection failed" in message
        assert [r.outcome for r in api.detail_requests() if r.question_id == victim] == [DROP, DROP]
    # what page 1 brought stays saved, with a checkpoint after it
    assert set(rows_by_id(db_path)) == page_one
    state = sync_state(db_path)
    assert (state["status"], state["pass_index"], state["skip"]) == ("running", 0, 100)
    assert "failed after 1 retries" in state["last_error"]

    api.clear_faults()
    mark = api.mark()
    resumed = fetch(db_path, api, "--from", FROM.isoformat(), retries=1, backoff=0.05)

    summary = resumed.summary
    assert summary["resumed"] is True
    lists = api.list_requests(mark)
    assert [r.skip for r in lists] == [100, 200], api.log(mark)
    assert not {r.question_id for r in api.detail_requests(mark)} & page_one
    rows = rows_by_id(db_path)
    assert set(rows) == set(api.questions)
    assert summary["inserted"] == 150 and summary["unchanged"] == summary["updated"] == 0
    for qid in set(api.questions) - page_one:
        if list_view_truncated(api.questions[qid]):
            assert_complete(rows[qid], api.questions[qid])
    assert sync_state(db_path)["status"] == "ok"


def test_incremental_run_fetches_new_answers_and_corrections(api, db_path):
    api.add(*make_question_set(250, today=TODAY))
    old_enough = [
        v
        for v in api.ordered()
        if not v["answerIsHolding"]
        and not v["answerIsCorrection"]
        and v["dateAnswered"][:10] < str(TODAY - timedelta(days=10))
    ]
    long_before = next(v for v in old_enough if list_view_truncated(v) and len(strip_tags(v["answerText"])) > 255)
    short_before = next(v for v in old_enough if not list_view_truncated(v))
    first = fetch(db_path, api, "--from", FROM.isoformat())
    assert first.summary["inserted"] == 250
    before = rows_by_id(db_path)

    corrected = [with_correction(long_before, TODAY), with_correction(short_before, TODAY)]
    api.add(*corrected)
    newcomer = make_question(1_900_100, tabled=TODAY - timedelta(days=4), answered=TODAY, long_question=True)
    api.add(newcomer)
    mark = api.mark()
    second = fetch(db_path, api, "--from", FROM.isoformat())

    summary = second.summary
    since = (TODAY - timedelta(days=3)).isoformat()  # the default --overlap-days 3
    assert summary["resumed"] is False
    assert summary["passes"] == [
        {"answered_from": since},
        {"answered_from": FROM.isoformat(), "corrected_from": since},
    ]
    lists = api.list_requests(mark)
    answered_pass = [r for r in lists if r.param("correctedWhenFrom") is None]
    corrected_pass = [r for r in lists if r.param("correctedWhenFrom") is not None]
    assert answered_pass and corrected_pass
    assert all(r.param("answeredWhenFrom") == since > FROM.isoformat() for r in answered_pass)
    assert all(r.param("correctedWhenFrom") == since for r in corrected_pass)
    assert lists.index(answered_pass[-1]) < lists.index(corrected_pass[0])
    assert {c["id"] for c in corrected} <= api.served_ids(mark)
    assert sum(r.total for r in lists if r.skip == 0) < 100  # an incremental run reads little

    rows = rows_by_id(db_path)
    assert set(rows) == set(api.questions)
    assert_complete(rows[newcomer["id"]], newcomer)
    for old_value, new_value in zip([long_before, short_before], corrected, strict=True):
        row = rows[new_value["id"]]
        assert_complete(row, new_value)
        assert row["answer_status"] == "corrected"
        assert row["date_answer_corrected"] == TODAY.isoformat()
        assert row["date_answered"] == old_value["dateAnswered"][:10]
        assert row["correcting_member_id"] == new_value["correctingMemberId"]
        assert "Correction 1" in row["answer_text"]
        (kept,) = versions(db_path, new_value["id"])  # the history holds the replaced text
        assert kept["kind"] == "answer"
        assert kept["answer_text"] == before[old_value["id"]]["answer_text"]
        assert kept["answer_text"] != row["answer_text"]
        assert kept["date"] == old_value["dateAnswered"][:10]
    assert sync_state(db_path)["status"] == "ok"


# --------------------------------------------------------------------------------------------
# Regressions: a thinner list record must not replace a stored detail record, and a
# 255-character question read from the detail endpoint is whole.


def test_incremental_rerun_keeps_full_answer_of_a_question_cut_by_the_list(api, db_path):
    html = "<p>Yes.</p><p>The figures are published annually.</p>"
    value = make_question(
        1_800_001,
        tabled=TODAY - timedelta(days=6),
        answered=TODAY - timedelta(days=1),
        long_question=True,
        answer_html=html,
    )
    api.add(value)
    first = fetch(db_path, api, "--from", FROM.isoformat())
    assert first.returncode == 0, first.stderr
    assert_complete(rows_by_id(db_path)[value["id"]], value)

    second = fetch(db_path, api, "--from", FROM.isoformat())  # the overlap re-reads it

    assert second.returncode == 0, second.stderr
    assert [r.skip for r in api.list_requests()] == [0, 0, 0]  # run 1, then both passes of run 2
    row = rows_by_id(db_path)[value["id"]]
    assert row["answer_html"] == html
    assert_complete(row, value)
    assert json.loads(row["raw"])["questionText"] == value["questionText"]
    assert row["source_url"] == f"{api.url}{detail_path(value['id'])}"
    # nothing was replaced: no version (not the list's "Yes.The figures..." with paragraphs glued)
    assert versions(db_path, value["id"]) == []
    assert second.summary["updated"] == 0


def test_a_question_of_exactly_255_characters_from_the_detail_endpoint_is_complete(api, db_path):
    text = "To ask the Chancellor of the Exchequer, " + ", ".join(
        f"what estimate he has made of the cost of scheme {n}" for n in range(10)
    )
    value = make_question(
        1_800_002,
        tabled=TODAY - timedelta(days=6),
        answered=TODAY - timedelta(days=1),
        question_text=text[:254] + "?",
        body_index=3,
    )
    assert len(value["questionText"]) == 255
    api.add(value)
    first = fetch(db_path, api, "--from", FROM.isoformat())
    assert first.returncode == 0, first.stderr
    mark = api.mark()
    second = fetch(db_path, api, "--from", FROM.isoformat())
    assert second.returncode == 0, second.stderr

    row = rows_by_id(db_path)[value["id"]]
    assert row["question_text"] == value["questionText"]
    assert row["question_text_truncated"] == 0  # fails: 1, so the row never counts as complete
    assert api.detail_requests(mark) == []  # ...and every run fetches its detail again
    assert first.summary["truncated"] == 0
