"""A fake UK Parliament Written Questions API for end-to-end tests (standard library only).

:class:`FakeParliamentAPI` serves, on 127.0.0.1 and an ephemeral port, from a background
thread:

- ``GET /api/writtenquestions/questions``: the list endpoint, paged with ``skip``/``take``,
  filtered on the date ranges and the other common parameters, ordered by latest activity
  descending, with the list view's text quirks (reference §1.6): ``questionText`` cut at
  exactly 255 characters with no ellipsis, and ``answerText`` turned into plain text with the
  tags stripped (paragraphs run together) and cut to 255 characters plus ``"..."``;
- ``GET /api/writtenquestions/questions/{id}`` and ``.../{date}/{uin}``: the full record,
  HTML answer included, or a 404 ``ProblemDetails``.

Every request is recorded (:attr:`FakeParliamentAPI.requests`). Faults can be planned by
request number, path, query parameters or a predicate: an HTTP error status with a
``ProblemDetails`` body and an optional ``Retry-After``, a dropped connection (``drop``: closed
with no response; ``reset``: a TCP reset), a body cut short
(``truncate``: an honest ``Content-Length``, invalid JSON; ``short-read``: the full
``Content-Length`` announced, half the body sent, then the connection closed), or a slow
answer (``slow``: nothing for ``delay`` seconds, then the response; ``drip``: the headers at
once, then the body a byte every ``delay`` seconds). Hooks run before a request is answered,
e.g. to add newly answered questions between two pages.

Usage::

    with FakeParliamentAPI(make_question_set(250, today=date.today())) as api:
        api.add_fault(429, params={"skip": 0}, retry_after="1")
        api.between_pages(100, lambda api, request: api.add(make_question(...)))
        ...  # point a client at api.url
        assert [r.outcome for r in api.list_requests()] == [429, 200, 200, 200]

The shapes follow docs in the shared reference (``parliament-api.md`` §1.3-1.8); the question
values are built by :func:`make_question` with all 30 ``QuestionsViewModel`` keys, in order.
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
import random
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pqcheck.sources.parliament import QUESTION_KEYS

from .members import member

LIST_PATH = "/api/writtenquestions/questions"
LIST_TEXT_LIMIT = 255
DEFAULT_TAKE = 20

MEMBER_FIELDS = ("askingMember", "answeringMember", "correctingMember")
ACTIVITY_FIELDS = ("dateTabled", "dateAnswered", "dateAnswerCorrected", "dateHoldingAnswer")

# --------------------------------------------------------------------------------------------
# Realistic question values
# --------------------------------------------------------------------------------------------

# (answering body id, name, how a Commons question addresses it, subject words)
BODIES = (
    (
        17,
        "Department of Health and Social Care",
        "the Secretary of State for Health and Social Care",
        ("NHS: Dental Services", "Hospitals: Waiting Lists", "Carers: Coronavirus"),
    ),
    (
        60,
        "Department for Education",
        "the Secretary of State for Education",
        ("Apprentices: Employment Agencies", "Schools: Buildings", "Special Educational Needs"),
    ),
    (
        13,
        "Department for Environment, Food and Rural Affairs",
        "the Secretary of State for Environment, Food and Rural Affairs",
        ("Incinerators", "Sewage: Pollution Control", "Flood Control"),
    ),
    (14, "Treasury", "the Chancellor of the Exchequer", ("Income Tax: Pensions", "Public Sector: Pay", "VAT: Energy")),
    (
        1,
        "Home Office",
        "the Secretary of State for the Home Department",
        ("Asylum: Hotels", "Police: Recruitment", "Passports: Applications"),
    ),
    (
        27,
        "Department for Transport",
        "the Secretary of State for Transport",
        ("Railways: Fares", "Roads: Repairs", "Buses: Rural Areas"),
    ),
    (
        11,
        "Ministry of Defence",
        "the Secretary of State for Defence",
        ("Armed Forces: Housing", "Warships: Procurement", "Veterans: Mental Health"),
    ),
)

# Fictional members, in the MemberViewModel shape (reference §1.5).
MEMBERS = {
    4101: ("Alex Morgan", "Morgan, Alex", "Labour", "ff0000", "Lab", "Northbridge"),
    4102: ("Priya Shah", "Shah, Priya", "Conservative", "0000ff", "Con", "Eastfield and Hale"),
    4103: ("Tom Ellery", "Ellery, Tom", "Liberal Democrat", "FAA61A", "LD", "Westmere"),
    4104: ("Siân Rowlands", "Rowlands, Siân", "Plaid Cymru", "005B54", "PC", "Afon Ddu"),
    4105: ("Grace Okafor", "Okafor, Grace", "Labour", "ff0000", "Lab", "Southport Vale"),
    4201: ("Jane Minister", "Minister, Jane", "Labour", "ff0000", "Lab", "Kingsmoor"),
    4202: ("Rob Answers", "Answers, Rob", "Labour", "ff0000", "Lab", "Leyton Marsh"),
    4301: ("Baroness Example of Fenwick", "Example of Fenwick, B.", "Crossbench", "C0C0C0", "XB", "Life peer"),
    4302: ("Lord Sample of Crail", "Sample of Crail, L.", "Conservative", "0000ff", "Con", "Excepted Hereditary"),
}
ASKERS = (4101, 4102, 4103, 4104, 4105)
LORDS_ASKERS = (4301, 4302)
ANSWERERS = (4201, 4202)

HOLDING_TEXT = (
    "The {body} has indicated that it will not be possible to answer this question within the "
    "usual time period. An answer is being prepared and will be provided as soon as it is "
    "available."
)

_QUESTION_CLAUSES = (
    "what assessment his Department has made of the potential impact of recent changes to "
    "funding arrangements on {topic}",
    "how many people were affected by delays in {topic} in each of the last five years",
    "whether his Department plans to publish guidance on {topic}",
    "what steps his Department is taking to improve {topic} in (a) rural and (b) coastal areas",
)
_LONG_TAIL = (
    "; what estimate he has made of the number of (a) households, (b) small businesses and (c) "
    "charities that will be affected by those changes in each region of England; and whether "
    "he will make an assessment of the adequacy of the support available to them in the "
    "forthcoming financial year, including any transitional arrangements."
)
_ANSWER_PARAGRAPHS = (
    "The Government is committed to improving {topic} and keeps the matter under review.",
    "In 2023-24 the Department provided £{n} million to support local services, and a further "
    "£{m} million has been allocated for the next financial year.",
    "Information on the number of applications received is published in the quarterly "
    "statistical release, which is available at the following link: "
    '<a href="https://www.gov.uk/government/statistics/{slug}" target="_blank">'
    "https://www.gov.uk/government/statistics/{slug}</a>.",
    "Officials continue to work closely with stakeholders, including local authorities and "
    "the devolved administrations, to ensure that the arrangements reflect the needs of those "
    "who rely on these services, and we will set out further details in due course.",
)


def iso(day: date | str | None) -> str | None:
    """``date(2024, 1, 5)`` -> ``"2024-01-05T00:00:00"`` (the API's zone-less local midnight)."""
    if day is None:
        return None
    if isinstance(day, str):
        return day if "T" in day else f"{day}T00:00:00"
    return f"{day.isoformat()}T00:00:00"


def member_view(member_id: int | None) -> dict[str, Any] | None:
    """A MemberViewModel (8 keys) for one of the fictional :data:`MEMBERS`."""
    if member_id is None:
        return None
    name, list_as, party, colour, abbrev, seat = MEMBERS.get(
        member_id, (f"Member {member_id}", f"{member_id}, Member", "Independent", "C0C0C0", "Ind", "Somewhere")
    )
    return member(member_id, name, party, list_as=list_as, colour=colour, abbreviation=abbrev, seat=seat)


def strip_tags(html: str) -> str:
    """What the list endpoint does to an HTML answer: tags removed, nothing put in their place."""
    return re.sub(r"<[^>]*>", "", html)


def question_text_for(qid: int, house: str, body: tuple, *, long: bool) -> str:
    _, _, addressee, topics = body
    topic = topics[qid % len(topics)].split(":")[0].lower()
    clause = _QUESTION_CLAUSES[qid % len(_QUESTION_CLAUSES)].format(topic=topic)
    if house == "Lords":
        clause = clause.replace("his Department", "they")
        text = f"To ask His Majesty's Government {clause}"
    else:
        text = f"To ask {addressee}, {clause}"
    text += _LONG_TAIL if long else "."
    assert (len(text) > LIST_TEXT_LIMIT + 20) if long else (len(text) < LIST_TEXT_LIMIT - 10), text
    return text


def answer_html_for(qid: int, body: tuple, *, long: bool, version: int = 0) -> str:
    """An HTML answer: ``<p>`` paragraphs, ``<p> </p>`` spacers, a link, a literal ``£``."""
    topic = body[3][qid % len(body[3])].split(":")[0].lower()
    slug = re.sub(r"[^a-z]+", "-", topic).strip("-") + f"-{qid}"
    fill = {"topic": topic, "n": 3 + qid % 40 + version, "m": 1 + qid % 9, "slug": slug}
    paragraphs = [_ANSWER_PARAGRAPHS[0].format(**fill)]
    if long:
        paragraphs += [p.format(**fill) for p in _ANSWER_PARAGRAPHS[1:]]
    if version:
        paragraphs.insert(0, f"Correction {version}: the figures given previously were incorrect.")
    html = "<p> </p>".join(f"<p>{p}</p>" for p in paragraphs)
    plain = strip_tags(html)
    assert (len(plain) > LIST_TEXT_LIMIT) if long else (len(plain) <= LIST_TEXT_LIMIT), plain
    return html


def make_question(
    qid: int,
    *,
    tabled: date | str,
    answered: date | str | None = None,
    holding: date | str | None = None,
    corrected: date | str | None = None,
    house: str = "Commons",
    uin: str | None = None,
    body_index: int | None = None,
    question_text: str | None = None,
    answer_html: str | None = None,
    long_question: bool = False,
    long_answer: bool = False,
    asking_member: int | None = None,
    answering_member: int | None = None,
    grouped: Sequence[tuple[str, date | str]] = (),
    named_day: bool = False,
    has_interest: bool = False,
    withdrawn: bool = False,
    attachments: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """One full ``QuestionsViewModel`` value (detail-endpoint view, HTML answer, members filled).

    - unanswered: neither ``answered`` nor ``holding``;
    - holding answer, still current: ``holding`` only (``dateAnswered == dateHoldingAnswer``);
    - holding then substantive: ``holding`` and ``answered`` (``dateHoldingAnswer`` is kept);
    - corrected: ``corrected`` as well (``dateAnswered`` keeps the original date).
    """
    body = BODIES[qid % len(BODIES) if body_index is None else body_index]
    body_id, body_name, _, topics = body
    if uin is None:
        uin = f"HL{qid % 100000}" if house == "Lords" else str(qid % 1000000)
    tabled_day = date.fromisoformat(iso(tabled)[:10])
    if asking_member is None:
        askers = LORDS_ASKERS if house == "Lords" else ASKERS
        asking_member = askers[qid % len(askers)]
    is_answered = answered is not None or holding is not None
    if is_answered and answering_member is None:
        answering_member = ANSWERERS[qid % len(ANSWERERS)]
    if not is_answered:
        answering_member = None
        answer = None
    elif answered is None:
        answer = f"<p>{HOLDING_TEXT.format(body=body_name)}</p>"
    else:
        answer = answer_html or answer_html_for(qid, body, long=long_answer)
    for_answer = tabled_day + timedelta(days=14 if house == "Lords" else 5)
    value = {
        "id": qid,
        "askingMemberId": asking_member,
        "askingMember": member_view(asking_member),
        "house": house,
        "memberHasInterest": has_interest,
        "dateTabled": iso(tabled),
        "dateForAnswer": iso(for_answer),
        "uin": uin,
        "questionText": question_text or question_text_for(qid, house, body, long=long_question),
        "answeringBodyId": body_id,
        "answeringBodyName": body_name,
        "isWithdrawn": withdrawn,
        "isNamedDay": named_day,
        "groupedQuestions": [g_uin for g_uin, _ in grouped],
        "answerIsHolding": None if not is_answered else answered is None,
        "answerIsCorrection": None if not is_answered else corrected is not None,
        "answeringMemberId": answering_member,
        "answeringMember": member_view(answering_member),
        "correctingMemberId": answering_member if corrected else None,
        "correctingMember": member_view(answering_member) if corrected else None,
        "dateAnswered": iso(answered if answered is not None else holding),
        "answerText": answer,
        "originalAnswerText": "",
        "comparableAnswerText": "",
        "dateAnswerCorrected": iso(corrected),
        "dateHoldingAnswer": iso(holding),
        "attachmentCount": len(attachments),
        "heading": topics[qid % len(topics)],
        "attachments": list(attachments),
        "groupedQuestionsDates": [{"questionUin": g_uin, "dateTabled": iso(d)} for g_uin, d in grouped],
    }
    assert tuple(value) == QUESTION_KEYS
    return value


def with_answer(value: dict[str, Any], on: date | str, html: str | None = None) -> dict[str, Any]:
    """The question after a substantive answer on ``on`` (a holding answer's date is kept)."""
    new = copy.deepcopy(value)
    body = next(b for b in BODIES if b[0] == new["answeringBodyId"])
    member = new["answeringMemberId"] or ANSWERERS[new["id"] % len(ANSWERERS)]
    new.update(
        answerIsHolding=False,
        answerIsCorrection=False,
        answeringMemberId=member,
        answeringMember=member_view(member),
        dateAnswered=iso(on),
        answerText=html or answer_html_for(new["id"], body, long=True),
    )
    return new


def with_correction(value: dict[str, Any], on: date | str, html: str | None = None) -> dict[str, Any]:
    """The question after its answer was corrected on ``on`` (``dateAnswered`` unchanged)."""
    new = copy.deepcopy(value)
    body = next(b for b in BODIES if b[0] == new["answeringBodyId"])
    member = new["answeringMemberId"]
    new.update(
        answerIsCorrection=True,
        correctingMemberId=member,
        correctingMember=member_view(member),
        dateAnswerCorrected=iso(on),
        answerText=html or answer_html_for(new["id"], body, long=True, version=1),
    )
    return new


def make_question_set(
    count: int,
    *,
    today: date,
    first_id: int = 1_700_000,
    days: int = 50,
    seed: int = 20240105,
) -> list[dict[str, Any]]:
    """``count`` answered questions, answered between ``today - days`` and ``today - 1``.

    A deterministic mix like real traffic: about a third with a question over 255 characters,
    a third with a long HTML answer, some Lords questions, holding answers (current and
    superseded), a few corrected answers and grouped pairs. None is dated ``today``, so
    anything a test adds "today" sorts first.
    """
    rng = random.Random(seed)
    values = []
    for n in range(count):
        qid = first_id + n * 7
        answered_day = today - timedelta(days=rng.randint(1, days))
        tabled_day = answered_day - timedelta(days=rng.randint(2, 20))
        house = "Lords" if n % 9 == 4 else "Commons"
        kwargs: dict[str, Any] = {
            "tabled": tabled_day,
            "answered": answered_day,
            "house": house,
            "long_question": n % 3 == 1,
            "long_answer": n % 3 == 2 or n % 5 == 0,
            "named_day": n % 11 == 3,
            "has_interest": n % 13 == 5,
        }
        if n % 17 == 6:  # still a holding answer
            kwargs.update(answered=None, holding=answered_day, long_answer=False)
        elif n % 17 == 9:  # holding answer, then the substantive one
            kwargs["holding"] = max(tabled_day + timedelta(days=1), answered_day - timedelta(days=5))
        if n % 23 == 12 and answered_day < today - timedelta(days=2):
            kwargs["corrected"] = answered_day + timedelta(days=1)
        values.append(make_question(qid, **kwargs))
    # group consecutive pairs now and then: same answer, each listing the other
    for a, b in zip(values[7::20], values[8::20], strict=False):
        if a["dateAnswered"] and b["dateAnswered"] and not (a["answerIsHolding"] or b["answerIsHolding"]):
            b["answerText"] = a["answerText"]
            a["groupedQuestions"], b["groupedQuestions"] = [b["uin"]], [a["uin"]]
            a["groupedQuestionsDates"] = [{"questionUin": b["uin"], "dateTabled": b["dateTabled"]}]
            b["groupedQuestionsDates"] = [{"questionUin": a["uin"], "dateTabled": a["dateTabled"]}]
    return values


def activity(value: dict[str, Any]) -> str:
    """The latest dated activity of a question: what the list endpoint orders by (reference §1.7)."""
    return max((value[f] or "")[:10] for f in ACTIVITY_FIELDS)


def list_view(value: dict[str, Any], *, expand_members: bool = True) -> dict[str, Any]:
    """A value as the list endpoint shows it (reference §1.6, §1.8)."""
    view = detail_view(value, expand_members=expand_members)
    question = view["questionText"]
    if isinstance(question, str):
        view["questionText"] = question[:LIST_TEXT_LIMIT]
    answer = view["answerText"]
    if isinstance(answer, str):
        plain = strip_tags(answer)
        view["answerText"] = plain[:LIST_TEXT_LIMIT] + "..." if len(plain) > LIST_TEXT_LIMIT else plain
    view["originalAnswerText"] = ""
    view["comparableAnswerText"] = ""
    view["attachments"], view["attachmentCount"] = [], 0
    return view


def detail_view(value: dict[str, Any], *, expand_members: bool = True) -> dict[str, Any]:
    view = {key: copy.deepcopy(value.get(key)) for key in QUESTION_KEYS}
    if not expand_members:
        for key in MEMBER_FIELDS:
            view[key] = None
    return view


def list_view_truncated(value: dict[str, Any]) -> bool:
    """True when the list endpoint cuts this question's text or answer."""
    question = value.get("questionText") or ""
    answer = value.get("answerText") or ""
    return len(question) > LIST_TEXT_LIMIT or len(strip_tags(answer)) > LIST_TEXT_LIMIT


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> dict[str, Any]:
    """An ASP.NET ProblemDetails body."""
    body = {
        "type": f"https://tools.ietf.org/html/rfc7231#section-6.{5 if status < 500 else 6}.1",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    body["traceId"] = f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-00"
    return body


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

DROP = "drop"
RESET = "reset"
TRUNCATE = "truncate"
SHORT_READ = "short-read"
SLOW = "slow"
DRIP = "drip"
DRIP_LIMIT = 60.0  # seconds a dripping response goes on if the client never hangs up
STATUS_TITLES = {
    400: "One or more validation errors occurred.",
    404: "Not Found",
    429: "Too Many Requests",
    500: "An error occurred while processing your request.",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass
class RecordedRequest:
    """One request the fake received, and what it did with it."""

    number: int
    time: float
    path: str
    query: str
    params: dict[str, list[str]]
    kind: str  # "list", "detail" or "other"
    question_id: int | None = None
    outcome: int | str | None = None  # the status sent, or DROP / TRUNCATE / SHORT_READ
    ids: list[int] = field(default_factory=list)  # ids in a list page (or the detail record)
    total: int | None = None

    def param(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter, matched case-insensitively like ASP.NET."""
        for key, values in self.params.items():
            if key.lower() == name.lower() and values:
                return values[0]
        return default

    def param_list(self, name: str) -> list[str]:
        return [v for key, values in self.params.items() if key.lower() == name.lower() for v in values]

    @property
    def skip(self) -> int | None:
        value = self.param("skip")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def ok(self) -> bool:
        return self.outcome == 200

    def __str__(self) -> str:
        return f"#{self.number} {self.path}?{self.query} -> {self.outcome}"


@dataclass
class _Rule:
    number: int | None = None
    path: str | None = None
    params: dict[str, Any] | None = None
    when: Callable[[RecordedRequest], bool] | None = None
    times: int | None = 1
    fired: int = 0

    def matches(self, request: RecordedRequest) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.number is not None and request.number != self.number:
            return False
        if self.path is not None and request.path.rstrip("/").lower() != self.path.rstrip("/").lower():
            return False
        if self.params is not None:
            for name, wanted in self.params.items():
                if request.param(name) != (None if wanted is None else str(wanted)):
                    return False
        return self.when is None or bool(self.when(request))


@dataclass
class Fault(_Rule):
    """Answer a matching request badly: an HTTP status, ``drop``, ``reset``, ``truncate``,
    ``short-read``, ``slow`` or ``drip``."""

    kind: int | str = 500
    retry_after: str | None = None
    delay: float = 0.0


@dataclass
class Hook(_Rule):
    """Run ``fn(api, request)`` before a matching request is answered."""

    fn: Callable[[FakeParliamentAPI, RecordedRequest], None] | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeParliamentAPI/1.0"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def do_GET(self) -> None:
        self.server.api._handle(self)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeParliamentAPI:
    """The fake Written Questions API; use as a context manager (``with ... as api``)."""

    def __init__(self, questions: Iterable[dict[str, Any]] = ()):
        self.questions: dict[int, dict[str, Any]] = {}
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.hooks: list[Hook] = []
        self.errors: list[BaseException] = []  # exceptions raised inside the handler or a hook
        self.gzip = False  # True: gzip the bodies of clients that accept it, as the real API does
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add(*questions)

    # lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeParliamentAPI:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.api = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-parliament-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeParliamentAPI:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not running"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # data -----------------------------------------------------------------------------------

    def add(self, *values: dict[str, Any]) -> None:
        """Add (or replace, by ``id``) question values."""
        with self._lock:
            for value in values:
                missing = set(QUESTION_KEYS) - set(value)
                if missing:
                    raise ValueError(f"question {value.get('id')} lacks keys {sorted(missing)}")
                self.questions[value["id"]] = copy.deepcopy(value)

    def update(self, qid: int, **changes: Any) -> dict[str, Any]:
        with self._lock:
            self.questions[qid].update(copy.deepcopy(changes))
            return copy.deepcopy(self.questions[qid])

    def remove(self, qid: int) -> None:
        with self._lock:
            del self.questions[qid]

    def ordered(self) -> list[dict[str, Any]]:
        """Every question, in the list endpoint's order: latest activity first, then id."""
        with self._lock:
            return sorted(self.questions.values(), key=lambda v: (activity(v), v["id"]), reverse=True)

    # faults and hooks -----------------------------------------------------------------------

    def add_fault(
        self,
        kind: int | str,
        *,
        number: int | None = None,
        path: str | None = None,
        params: dict[str, Any] | None = None,
        when: Callable[[RecordedRequest], bool] | None = None,
        times: int | None = 1,
        retry_after: str | int | None = None,
        delay: float = 0.0,
    ) -> Fault:
        """Plan a fault for the requests that match (all given conditions; ``times=None``: forever).

        ``number`` is the 1-based request number since the server started; ``path`` is matched
        exactly (case-insensitively); ``params`` maps query parameters to their first value;
        ``delay`` is the wait of a ``slow`` fault, or the gap between the bytes of a ``drip``.
        """
        if not (isinstance(kind, int) or kind in (DROP, RESET, TRUNCATE, SHORT_READ, SLOW, DRIP)):
            raise ValueError(f"unknown fault {kind!r}")
        if kind in (SLOW, DRIP) and delay <= 0:
            raise ValueError(f"a {kind} fault needs a positive delay")
        fault = Fault(
            number=number,
            path=path,
            params=params,
            when=when,
            times=times,
            kind=kind,
            retry_after=None if retry_after is None else str(retry_after),
            delay=delay,
        )
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def add_hook(
        self,
        fn: Callable[[FakeParliamentAPI, RecordedRequest], None],
        *,
        number: int | None = None,
        path: str | None = None,
        params: dict[str, Any] | None = None,
        when: Callable[[RecordedRequest], bool] | None = None,
        times: int | None = 1,
    ) -> Hook:
        """Run ``fn(api, request)`` before answering matching requests (``times=None``: always)."""
        hook = Hook(number=number, path=path, params=params, when=when, times=times, fn=fn)
        with self._lock:
            self.hooks.append(hook)
        return hook

    def between_pages(self, skip: int, fn: Callable[[FakeParliamentAPI, RecordedRequest], None]) -> Hook:
        """Run ``fn`` once, just before the first list request for ``skip`` is answered."""
        return self.add_hook(fn, path=LIST_PATH, params={"skip": skip})

    # the request log ------------------------------------------------------------------------

    def mark(self) -> int:
        """A bookmark in the request log, for ``since=``."""
        with self._lock:
            return len(self.requests)

    def list_requests(self, since: int = 0) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests[since:] if r.kind == "list"]

    def detail_requests(self, since: int = 0) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests[since:] if r.kind == "detail"]

    def served_ids(self, since: int = 0) -> set[int]:
        """Ids of every question sent in a complete, successful response."""
        with self._lock:
            return {i for r in self.requests[since:] if r.ok for i in r.ids}

    def log(self, since: int = 0) -> str:
        """The request log as text, one request a line (for assertion messages)."""
        with self._lock:
            return "\n".join(str(r) for r in self.requests[since:])

    # request handling -----------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            self._respond(handler)
        except Exception as exc:  # keep the server up; let the test see what went wrong
            self.errors.append(exc)
            body = json.dumps(problem(500, STATUS_TITLES[500], repr(exc))).encode()
            self._send(handler, 500, body)

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        path = unquote(split.path)
        lowered = path.rstrip("/").lower()
        kind, question_id = "other", None
        if lowered == LIST_PATH:
            kind = "list"
        elif lowered.startswith(LIST_PATH + "/"):
            kind = "detail"
            rest = lowered[len(LIST_PATH) + 1 :]
            question_id = int(rest) if rest.isdigit() else None
        with self._lock:
            request = RecordedRequest(
                number=len(self.requests) + 1,
                time=time.monotonic(),
                path=path,
                query=split.query,
                params=parse_qs(split.query, keep_blank_values=True),
                kind=kind,
                question_id=question_id,
            )
            self.requests.append(request)
            hooks = [h for h in self.hooks if h.matches(request)]
            for hook in hooks:
                hook.fired += 1
            for hook in hooks:
                hook.fn(self, request)  # an error here is recorded by _handle
            fault = next((f for f in self.faults if f.matches(request)), None)
            if fault is not None:
                fault.fired += 1
            status, payload = self._route(request)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if fault is None:
            request.outcome = status
            self._send(handler, status, body)
        elif fault.kind == DROP:
            request.outcome = DROP
            self._drop(handler)
        elif fault.kind == RESET:
            request.outcome = RESET
            self._reset(handler)
        elif fault.kind == TRUNCATE:
            request.outcome = TRUNCATE
            self._send(handler, 200, body[: len(body) // 2])
        elif fault.kind == SHORT_READ:
            request.outcome = SHORT_READ
            self._send(handler, 200, body, short=True)
        elif fault.kind == SLOW:
            request.outcome = SLOW
            time.sleep(fault.delay)
            with contextlib.suppress(OSError):  # the client may have given up waiting
                self._send(handler, 200, body)
        elif fault.kind == DRIP:
            request.outcome = DRIP
            self._drip(handler, body, fault.delay)
        else:
            status = int(fault.kind)
            request.outcome = status
            error = problem(status, STATUS_TITLES.get(status, "Error"))
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send(handler, status, json.dumps(error).encode(), headers, problem_json=True)

    def _route(self, request: RecordedRequest) -> tuple[int, Any]:
        expand = (request.param("expandMember") or "").lower() == "true"
        if request.kind == "list":
            try:
                matched = self._search(request)
                skip = int(request.param("skip", "0"))
                take = int(request.param("take", str(DEFAULT_TAKE)))
                if skip < 0 or take < 0:
                    raise ValueError("skip and take must not be negative")
            except ValueError as exc:
                return 400, problem(400, STATUS_TITLES[400], errors={"query": [str(exc)]})
            page = matched[skip : skip + take]
            request.ids, request.total = [v["id"] for v in page], len(matched)
            return 200, {
                "totalResults": len(matched),
                "results": [{"value": list_view(v, expand_members=expand), "links": _links(v)} for v in page],
            }
        if request.kind == "detail":
            value = self._find(request)
            if value is None:
                return 404, problem(404, STATUS_TITLES[404])
            request.ids = [value["id"]]
            return 200, {"value": detail_view(value, expand_members=expand), "links": _links(value)}
        return 404, problem(404, STATUS_TITLES[404], f"no route for {request.path}")

    def _find(self, request: RecordedRequest) -> dict[str, Any] | None:
        if request.question_id is not None:
            return self.questions.get(request.question_id)
        parts = request.path.rstrip("/").split("/")[-2:]
        if len(parts) == 2:
            day, uin = parts[0][:10], parts[1]
            for value in self.questions.values():
                if value["dateTabled"][:10] == day and value["uin"].lower() == uin.lower():
                    return value
        return None

    def _search(self, request: RecordedRequest) -> list[dict[str, Any]]:
        """The list endpoint's filters (reference §1.2), dates compared on the day."""

        def day(name: str) -> str | None:
            text = request.param(name)
            if not text:
                return None
            date.fromisoformat(text[:10])  # ValueError -> 400
            return text[:10]

        ranges = [
            ("dateTabled", day("tabledWhenFrom"), day("tabledWhenTo")),
            ("dateAnswered", day("answeredWhenFrom"), day("answeredWhenTo")),
            ("dateAnswerCorrected", day("correctedWhenFrom"), day("correctedWhenTo")),
            ("dateForAnswer", day("dateForAnswerWhenFrom"), day("dateForAnswerWhenTo")),
        ]
        house = request.param("house")
        bodies = {int(b) for b in request.param_list("answeringBodies")}
        asking = request.param("askingMemberId")
        answering = request.param("answeringMemberId")
        search = (request.param("searchTerm") or "").lower()
        uin = request.param("uIN")
        answered = (request.param("answered") or "Any").lower()
        include_withdrawn = (request.param("includeWithdrawn") or "false").lower() == "true"

        def keep(v: dict[str, Any]) -> bool:
            for name, low, high in ranges:
                value = (v[name] or "")[:10]
                if (low or high) and not value:
                    return False
                if (low and value < low) or (high and value > high):
                    return False
            if house and house.lower() != "bicameral" and v["house"].lower() != house.lower():
                return False
            if bodies and v["answeringBodyId"] not in bodies:
                return False
            if asking and v["askingMemberId"] != int(asking):
                return False
            if answering and v["answeringMemberId"] != int(answering):
                return False
            if search and search not in f"{v['questionText']} {v['answerText'] or ''}".lower():
                return False
            if uin and v["uin"].lower() != uin.lower():
                return False
            if answered != "any" and (answered == "answered") != bool(v["dateAnswered"]):
                return False
            return include_withdrawn or not v["isWithdrawn"]

        return [v for v in self.ordered() if keep(v)]

    # low-level sending ----------------------------------------------------------------------

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        problem_json: bool = False,
        short: bool = False,
    ) -> None:
        """Send a response; ``short``: announce the whole body, send half, hang up."""
        handler.send_response(status)
        content_type = "application/problem+json" if problem_json else "application/json"
        handler.send_header("Content-Type", f"{content_type}; charset=utf-8")
        if handler.server.api.gzip and "gzip" in handler.headers.get("Accept-Encoding", ""):  # type: ignore[attr-defined]
            body = gzip.compress(body, mtime=0)
            handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "public,max-age=30")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        if not short:
            handler.wfile.write(body)
            handler.wfile.flush()
            return
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        FakeParliamentAPI._drop(handler)

    @staticmethod
    def _drip(handler: BaseHTTPRequestHandler, body: bytes, gap: float) -> None:
        """Send the headers, then the body a byte at a time until the client hangs up."""
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.flush()
            stop = time.monotonic() + DRIP_LIMIT
            for byte in body:
                if time.monotonic() > stop:
                    break
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(gap)
        FakeParliamentAPI._drop(handler)

    @staticmethod
    def _reset(handler: BaseHTTPRequestHandler) -> None:
        """Close the connection with a TCP reset (SO_LINGER 0), as a crashed peer or proxy does."""
        handler.close_connection = True
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()  # the RST goes out when the handler's files close too

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> None:
        """Close the connection without (the rest of) a response."""
        handler.close_connection = True
        with contextlib.suppress(OSError):  # the client may have gone already
            handler.connection.shutdown(socket.SHUT_RDWR)


def fake_api(questions: Iterable[dict[str, Any]] = ()) -> Iterator[FakeParliamentAPI]:
    """A running fake for the length of a test: ``api = pytest.fixture(fake_api, name="api")``.

    After the test it fails if the server hit an error of its own (in a handler or a hook).
    """
    with FakeParliamentAPI(questions) as api:
        yield api
    if api.errors:
        raise AssertionError(f"the fake API server failed: {api.errors!r}")


def _links(value: dict[str, Any]) -> list[dict[str, str]]:
    return [{"rel": "self", "href": f"/Questions/{value['id']}", "method": "GET"}]
