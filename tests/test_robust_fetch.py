"""Fault injection: `pqcheck fetch questions` against the fake API failing at random (seeded).

test_e2e_fetch.py plans one fault of each kind at a fixed place. Here every request may fail,
in any of the ways an upstream fails (429 with Retry-After, 500, 503, a dropped or reset
connection, a body cut short, a response past the timeout, a body that trickles in), while new
answers arrive and push records from one page onto the next; the bodies are gzipped, as the
real API's are. However the faults fall, the crawl completes and stores every record once.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from .support.apiserver import (
    DRIP,
    DROP,
    LIST_PATH,
    RESET,
    SHORT_READ,
    SLOW,
    TRUNCATE,
    FakeParliamentAPI,
    RecordedRequest,
    fake_api,
    make_question,
    make_question_set,
    with_answer,
    with_correction,
)
from .support.fetch import FROM, TODAY, assert_complete, fetch, rows_by_id, sync_state, versions

SEED = 20261121
TIMEOUT = 0.4  # --timeout: a slow response is one that takes longer than this
SLOW_DELAY = TIMEOUT * 2
DRIP_GAP = 0.05  # one byte every 50 ms: each packet is in time, the whole response is not
RETRIES = 5
MOST_FAILURES_IN_A_ROW = 3  # per URL, so that the retries always suffice, with two to spare
KINDS = (429, 500, 503, DROP, RESET, TRUNCATE, SHORT_READ, SLOW, DRIP)
WEIGHTS = (3, 3, 2, 2, 2, 2, 2, 1, 1)

api = pytest.fixture(fake_api, name="api")


class FaultPlan:
    """Fails each request with probability ``rate``, the kind drawn from a seeded generator.

    A URL never fails more than ``MOST_FAILURES_IN_A_ROW`` times running. Each request is
    decided once, when the fake API first asks about it.
    """

    def __init__(self, seed: int, rate: float):
        self.rng = random.Random(seed)
        self.rate = rate
        self.decided: dict[int, Any] = {}
        self.in_a_row: dict[tuple[str, str], int] = {}

    def install(self, api: FakeParliamentAPI) -> None:
        for kind in KINDS:
            delay = SLOW_DELAY if kind == SLOW else DRIP_GAP if kind == DRIP else 0.0
            retry_after = "0" if kind == 429 else None
            api.add_fault(
                kind, when=lambda r, k=kind: self.kind(r) == k, times=None, retry_after=retry_after, delay=delay
            )

    def kind(self, request: RecordedRequest) -> Any:
        if request.number not in self.decided:
            url = (request.path, request.query)
            failing = self.rng.random() < self.rate and self.in_a_row.get(url, 0) < MOST_FAILURES_IN_A_ROW
            self.in_a_row[url] = self.in_a_row.get(url, 0) + 1 if failing else 0
            self.decided[request.number] = self.rng.choices(KINDS, WEIGHTS)[0] if failing else None
        return self.decided[request.number]


def crawl(db_path: Path, api: FakeParliamentAPI):
    return fetch(db_path, api, "--from", FROM.isoformat(), "--timeout", str(TIMEOUT), retries=RETRIES, backoff=0.01)


def assert_matches_the_server(db_path: Path, api: FakeParliamentAPI, ids: set[int]) -> dict[int, dict[str, Any]]:
    """The rows of ``ids`` hold the server's current version of each record, in full."""
    rows = rows_by_id(db_path)  # fails on a duplicate id
    for qid in ids:
        value, row = api.questions[qid], rows[qid]
        assert_complete(row, value)
        assert row["date_answered"] == (value["dateAnswered"] or "")[:10] or None
        assert row["answer_status"] == (
            "holding" if value["answerIsHolding"] else "corrected" if value["answerIsCorrection"] else "answered"
        )
    return rows


def test_a_crawl_through_random_faults_and_arriving_answers_stores_every_record_once(api, tmp_path):
    api.gzip = True
    api.add(*make_question_set(300, today=TODAY))
    ordered = api.ordered()
    plan = FaultPlan(SEED, rate=0.12)
    plan.install(api)
    api.add_fault(429, params={"skip": 0}, retry_after=1)  # the first page: wait as told, once
    corrected = ordered[20]  # read on page 1, corrected while page 2 is read
    promoted = next(v for v in ordered[250:] if v["answerIsHolding"])  # answered before page 3 is read
    arrivals = [
        make_question(1_950_000 + n, tabled=TODAY - timedelta(days=5), answered=TODAY, long_answer=n % 2 == 0)
        for n in range(7)
    ]

    def answers_arrive(api: FakeParliamentAPI, request: RecordedRequest) -> None:
        api.add(*arrivals[:4], with_correction(corrected, TODAY))

    def more_answers_arrive(api: FakeParliamentAPI, request: RecordedRequest) -> None:
        api.add(*arrivals[4:], with_answer(promoted, TODAY))

    api.between_pages(100, answers_arrive)
    api.between_pages(200, more_answers_arrive)
    db_path = tmp_path / "pq.db"

    started = time.monotonic()
    first = crawl(db_path, api)

    summary = first.summary  # exit status 0
    assert first.stderr == ""
    assert time.monotonic() - started < 40  # no fault cost more than its timeout and retries
    seen = {r.outcome for r in api.requests}
    assert seen >= {*KINDS, 200}, f"the seed did not exercise every fault: {seen}"
    lists = api.list_requests()
    assert {r.skip for r in lists if not r.ok} & {0, 100, 200, 300}, "no list page failed"
    pages = {r.skip: r for r in lists if r.ok}
    assert set(pages[0].ids) & set(pages[100].ids), "the arrivals did not push records onto page 2"
    # every record served once in full is stored once, and nothing else
    served = api.served_ids()
    assert promoted["id"] not in served  # it moved to page 1 after page 1 was read
    assert summary["questions"] == summary["inserted"] == len(served)
    assert set(rows_by_id(db_path)) == served
    untouched = served - {corrected["id"], promoted["id"]}
    assert_matches_the_server(db_path, api, untouched)
    assert sync_state(db_path)["status"] == "ok"

    # what moved to pages already read comes with the next (incremental) run, through more faults
    mark = api.mark()
    plan.rate = 0.3  # it makes few requests
    second = crawl(db_path, api)

    assert second.summary["resumed"] is False
    assert {r.outcome for r in api.requests[mark:]} - {200}, "the second run met no fault"
    rows = assert_matches_the_server(db_path, api, set(api.questions))
    assert set(rows) == set(api.questions)
    assert len(rows) == 307
    assert rows[promoted["id"]]["answer_status"] == "answered"
    assert [v["kind"] for v in versions(db_path, corrected["id"])] == ["answer"]
    assert sync_state(db_path)["status"] == "ok"


@pytest.mark.parametrize("kind", [SLOW, DRIP])
def test_a_response_past_the_timeout_is_given_up_and_retried(api, tmp_path, kind):
    """A server that trickles its body a byte at a time is as late as one that sends nothing."""
    api.add(*make_question_set(30, today=TODAY))
    api.add_fault(kind, path=LIST_PATH, delay=SLOW_DELAY if kind == SLOW else DRIP_GAP)

    started = time.monotonic()
    run = crawl(tmp_path / "pq.db", api)

    assert run.summary["inserted"] == 30
    assert time.monotonic() - started < 10
    assert [r.outcome for r in api.list_requests()] == [kind, 200]


def test_a_response_past_the_timeout_with_no_retries_left_fails_in_one_line(api, tmp_path):
    api.add(*make_question_set(30, today=TODAY))
    api.add_fault(DRIP, path=LIST_PATH, delay=DRIP_GAP, times=None)

    started = time.monotonic()
    run = fetch(tmp_path / "pq.db", api, "--timeout", str(TIMEOUT), retries=1, backoff=0.01)

    assert run.returncode == 1
    assert time.monotonic() - started < 10
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("Error: GET http://127.0.0.1:")
    assert line.endswith("failed after 1 retries: timed out: the response did not arrive in time")


def test_a_malformed_record_from_the_api_fails_in_one_line_and_keeps_what_was_saved(api, tmp_path):
    api.add(*make_question_set(150, today=TODAY))
    bad = api.ordered()[120]["id"]  # on page 2
    api.update(bad, heading=["not", "text"])

    run = crawl(tmp_path / "pq.db", api)

    assert run.returncode == 1
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("Error: unexpected reply from http://127.0.0.1:")
    assert line.endswith("record 21: 'heading' is a list, not text")
    assert len(rows_by_id(tmp_path / "pq.db")) == 100  # page 1 stays saved
