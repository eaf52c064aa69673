"""The list/detail fetcher and the HTTP client, against `responses` mocks of the real API shapes."""

from __future__ import annotations

import pytest
import requests
import responses
from responses import matchers

from pqcheck.errors import UpstreamError
from pqcheck.http import HttpClient, RateLimiter, retry_after_seconds
from pqcheck.sources.parliament import (
    API_BASE,
    QUESTIONS_PATH,
    QuestionFilters,
    fetch_questions,
    is_truncated,
    wants_detail,
)

from .support.factories import LONG_ANSWER, LONG_QUESTION, list_response, list_view, question_value, single

LIST_URL = API_BASE + QUESTIONS_PATH


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return HttpClient(rate=1000, retries=3, backoff=0.5, sleep=sleeps.append)


def page_matcher(skip: int, take: int, **extra):
    return matchers.query_param_matcher(
        {"expandMember": "true", "sessionStatus": "Any", "skip": str(skip), "take": str(take), **extra}
    )


@responses.activate
def test_pagination_advances_skip_until_total_results(client):
    values = [list_view(question_value(i, answerText="<p>Short answer.</p>")) for i in range(1, 6)]
    for skip in (0, 2, 4):
        responses.get(LIST_URL, json=list_response(values[skip : skip + 2], total=5), match=[page_matcher(skip, 2)])

    got = list(fetch_questions(client, QuestionFilters(), take=2, needs_detail=is_truncated))

    assert [q.value["id"] for q in got] == [1, 2, 3, 4, 5]
    assert [call.request.params["skip"] for call in responses.calls] == ["0", "2", "4"]
    assert [q.end_of_page for q in got] == [False, True, False, True, True]
    assert got[-1].next_skip == 5


@responses.activate
def test_filters_become_api_parameters(client):
    filters = QuestionFilters(
        answered_from=__import__("datetime").date(2019, 1, 1),
        answering_bodies=(1, 17),
        house="Commons",
        search="trafficking",
        asking_member=4616,
    )
    responses.get(LIST_URL, json=list_response([]))
    assert list(fetch_questions(client, filters)) == []
    params = responses.calls[0].request.url
    for expected in (
        "answeredWhenFrom=2019-01-01",
        "answeringBodies=1",
        "answeringBodies=17",
        "house=Commons",
        "searchTerm=trafficking",
        "askingMemberId=4616",
        "take=100",
    ):
        assert expected in params


@responses.activate
def test_cut_and_answered_records_are_read_from_the_detail_endpoint(client):
    long_answer = question_value(7, answerText=LONG_ANSWER)
    long_question = question_value(8, questionText=LONG_QUESTION, answerText="<p>No.</p>")
    short = question_value(9, answerText="<p>Short answer.</p><p>Second paragraph.</p>")
    unanswered = question_value(10, answerText=None, dateAnswered=None, answerIsHolding=None)
    responses.get(LIST_URL, json=list_response([list_view(v) for v in (long_answer, long_question, short, unanswered)]))
    for value in (long_answer, long_question, short):
        responses.get(f"{LIST_URL}/{value['id']}", json=single(value))

    got = {q.value["id"]: q for q in fetch_questions(client, QuestionFilters())}

    assert got[7].value["answerText"] == LONG_ANSWER
    assert got[7].source_url == f"{LIST_URL}/7"
    assert got[8].value["questionText"] == LONG_QUESTION
    assert got[9].value["answerText"] == short["answerText"]  # HTML: the paragraphs stay apart
    assert [got[i].complete for i in (7, 8, 9, 10)] == [True, True, True, False]
    assert got[10].source_url.startswith(LIST_URL + "?")
    assert [c.request.url.split("?")[0] for c in responses.calls] == [LIST_URL] + [f"{LIST_URL}/{i}" for i in (7, 8, 9)]


@responses.activate
def test_a_detail_that_is_gone_keeps_the_list_record(client):
    value = question_value(7, answerText=LONG_ANSWER)
    responses.get(LIST_URL, json=list_response([list_view(value)]))
    responses.get(f"{LIST_URL}/7", status=404, json={"title": "Not Found", "status": 404})

    (got,) = fetch_questions(client, QuestionFilters())

    assert got.value["answerText"].endswith("...")
    assert not got.complete


def test_truncation_rule_matches_the_list_endpoint():
    assert is_truncated(list_view(question_value(1, answerText=LONG_ANSWER)))
    assert is_truncated(list_view(question_value(1, questionText=LONG_QUESTION)))
    assert not is_truncated(list_view(question_value(1)))
    assert not is_truncated(question_value(1, answerText=None))
    assert wants_detail(list_view(question_value(1)))
    assert not wants_detail(list_view(question_value(1, answerText=None)))


@responses.activate
def test_records_seen_on_an_earlier_page_are_not_yielded_twice(client):
    first = [list_view(question_value(i, answerText="<p>A.</p>")) for i in (1, 2)]
    # a new answer arrived: record 2 slid onto the second page
    second = [list_view(question_value(i, answerText="<p>A.</p>")) for i in (2, 3)]
    responses.get(LIST_URL, json=list_response(first, total=4), match=[page_matcher(0, 2)])
    responses.get(LIST_URL, json=list_response(second, total=4), match=[page_matcher(2, 2)])
    responses.get(LIST_URL, json=list_response([], total=4), match=[page_matcher(4, 2)])

    ids = [q.value["id"] for q in fetch_questions(client, QuestionFilters(), take=2, needs_detail=is_truncated)]

    assert ids == [1, 2, 3]


@responses.activate
def test_429_with_retry_after_is_retried_after_that_delay(client, sleeps):
    responses.get(LIST_URL, status=429, headers={"Retry-After": "7"}, json={"title": "Too Many Requests"})
    responses.get(LIST_URL, json=list_response([list_view(question_value(1, answerText="<p>A.</p>"))]))

    got = list(fetch_questions(client, QuestionFilters(), needs_detail=is_truncated))

    assert [q.value["id"] for q in got] == [1]
    assert sleeps == [7.0]
    assert len(responses.calls) == 2


@responses.activate
def test_500_then_200_is_retried_with_backoff(client, sleeps):
    responses.get(LIST_URL, status=500, json={"title": "Internal Server Error", "status": 500})
    responses.get(LIST_URL, status=503, body="upstream unavailable")
    responses.get(LIST_URL, json=list_response([list_view(question_value(1, answerText="<p>A.</p>"))]))

    assert [q.value["id"] for q in fetch_questions(client, QuestionFilters(), needs_detail=is_truncated)] == [1]
    assert sleeps == [0.5, 1.0]


@responses.activate
def test_dropped_connection_and_cut_body_are_retried(client):
    responses.get(LIST_URL, body=requests.ConnectionError("Connection aborted"))
    responses.get(LIST_URL, body='{"totalResults": 1, "results": [{"val')
    responses.get(LIST_URL, json=list_response([list_view(question_value(1, answerText="<p>A.</p>"))]))

    assert [q.value["id"] for q in fetch_questions(client, QuestionFilters(), needs_detail=is_truncated)] == [1]
    assert len(responses.calls) == 3


@responses.activate
def test_a_json_error_body_is_reported(client):
    problem = {
        "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": {"answeredWhenFrom": ["The value 'yesterday' is not valid."]},
    }
    responses.get(LIST_URL, status=400, json=problem)

    with pytest.raises(UpstreamError) as error:
        list(fetch_questions(client, QuestionFilters()))

    message = str(error.value)
    assert "HTTP 400" in message
    assert "One or more validation errors occurred." in message
    assert "The value 'yesterday' is not valid." in message
    assert len(responses.calls) == 1  # a 400 is not retried


@responses.activate
def test_exhausted_retries_raise_a_clear_error(client, sleeps):
    for _ in range(4):
        responses.get(LIST_URL, status=502, body="Bad gateway")

    with pytest.raises(UpstreamError, match=r"failed after 3 retries: HTTP 502 Bad gateway"):
        list(fetch_questions(client, QuestionFilters()))
    assert len(sleeps) == 3


@responses.activate
def test_an_unexpected_list_shape_is_an_upstream_error(client):
    responses.get(LIST_URL, json={"items": []})
    with pytest.raises(UpstreamError, match="expected 'totalResults' and 'results'"):
        list(fetch_questions(client, QuestionFilters()))


@responses.activate
def test_requests_carry_a_pqcheck_user_agent(client):
    responses.get(LIST_URL, json=list_response([]))
    list(fetch_questions(client, QuestionFilters()))
    assert responses.calls[0].request.headers["User-Agent"].startswith("pqcheck/")


def test_rate_limiter_spaces_calls():
    now = [100.0]
    waits = []

    def sleep(seconds):
        waits.append(round(seconds, 6))
        now[0] += seconds

    limiter = RateLimiter(5, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert waits == [0.2, 0.2]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), (None, None), ("soon", None), ("100000", 300.0)],
)
def test_retry_after_parsing(header, expected):
    assert retry_after_seconds(header) == expected


def test_retry_after_as_an_http_date():
    from email.utils import formatdate
    from time import time

    assert 8 <= retry_after_seconds(formatdate(time() + 10, usegmt=True)) <= 10


@responses.activate
def test_a_network_failure_is_reported_in_one_short_line(client):
    reason = (
        "HTTPSConnectionPool(host='questions-statements-api.parliament.uk', port=443): Max retries exceeded "
        '(Caused by NameResolutionError("Failed to resolve ([Errno -2] Name or service not known)"))'
    )
    for _ in range(4):
        responses.get(LIST_URL, body=requests.ConnectionError(reason))
    with pytest.raises(UpstreamError) as error:
        list(fetch_questions(client, QuestionFilters()))
    assert str(error.value).endswith("failed after 3 retries: connection failed: Name or service not known")
