"""The UK Parliament Written Questions API: list pages, detail records, and answering bodies.

See docs/sources.md for the quirks handled here: list results cut text at 255 characters, the
order shifts while answers arrive, and the detail endpoint is the only source of the full HTML.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import UpstreamError
from ..http import HttpClient, build_url
from ..records import QuestionRecord, now_iso
from ..text import looks_like_html, without_surrogates

API_BASE = "https://questions-statements-api.parliament.uk"
MEMBERS_API_BASE = "https://members-api.parliament.uk"
QUESTIONS_PATH = "/api/writtenquestions/questions"
BODIES_PATH = "/api/Reference/AnsweringBodies"
PAGE_SIZE = 100
LIST_TEXT_LIMIT = 255
HOUSES = ("Bicameral", "Commons", "Lords")

# The 30 keys of QuestionsViewModel, in the order the API sends them (docs/sources.md).
QUESTION_KEYS = (
    "id",
    "askingMemberId",
    "askingMember",
    "house",
    "memberHasInterest",
    "dateTabled",
    "dateForAnswer",
    "uin",
    "questionText",
    "answeringBodyId",
    "answeringBodyName",
    "isWithdrawn",
    "isNamedDay",
    "groupedQuestions",
    "answerIsHolding",
    "answerIsCorrection",
    "answeringMemberId",
    "answeringMember",
    "correctingMemberId",
    "correctingMember",
    "dateAnswered",
    "answerText",
    "originalAnswerText",
    "comparableAnswerText",
    "dateAnswerCorrected",
    "dateHoldingAnswer",
    "attachmentCount",
    "heading",
    "attachments",
    "groupedQuestionsDates",
)


# what each field of a QuestionsViewModel may hold besides null
_TEXT = (
    "house",
    "uin",
    "questionText",
    "answeringBodyName",
    "answerText",
    "originalAnswerText",
    "comparableAnswerText",
)
_DATES = ("dateTabled", "dateForAnswer", "dateAnswered", "dateAnswerCorrected", "dateHoldingAnswer")
_NUMBERS = ("askingMemberId", "answeringBodyId", "answeringMemberId", "correctingMemberId", "attachmentCount")
_FLAGS = ("memberHasInterest", "isWithdrawn", "isNamedDay", "answerIsHolding", "answerIsCorrection")
_MEMBERS = ("askingMember", "answeringMember", "correctingMember")
_MEMBER_TEXT = ("listAs", "name", "party", "partyColour", "partyAbbreviation", "memberFrom", "thumbnailUrl")
_DATE = re.compile(r"\d{4}-\d\d-\d\d(?:$|T)")


def _integer(value: Any) -> bool:
    return type(value) is int and -(2**63) <= value < 2**63


def _kind(value: Any) -> str:
    return {str: "text", bool: "true/false", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _date_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return f"{value!r:.40} is not a date"
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return f"{value!r:.40} is not a date"
    return None


def value_problem(value: dict[str, Any]) -> str | None:
    """Why ``value`` cannot be read as a ``QuestionsViewModel`` (a field holding the wrong kind of
    value, a date that is not one), or None. Absent fields count as null."""
    if not _integer(value.get("id")):
        return f"'id' is {_kind(value.get('id'))}, not an integer"
    checks = [
        *((k, lambda v: isinstance(v, str), "text") for k in (*_TEXT, "heading")),
        *((k, _integer, "an integer") for k in _NUMBERS),
        *((k, lambda v: isinstance(v, bool), "true or false") for k in _FLAGS),
        *((k, lambda v: isinstance(v, list), "a list") for k in ("attachments", "groupedQuestionsDates")),
        ("groupedQuestions", lambda v: isinstance(v, list) and all(isinstance(u, str) for u in v), "a list of UINs"),
    ]
    for key, valid, wanted in checks:
        if value.get(key) is not None and not valid(value[key]):
            return f"'{key}' is {_kind(value[key])}, not {wanted}"
    for key in _DATES:
        if value.get(key) is not None and (problem := _date_problem(value[key])):
            return f"'{key}' {problem}"
    for group in value.get("groupedQuestionsDates") or []:
        if not isinstance(group, dict) or not isinstance(group.get("questionUin"), str | None):
            return "'groupedQuestionsDates' holds something other than {questionUin, dateTabled} objects"
        if group.get("dateTabled") is not None and (problem := _date_problem(group["dateTabled"])):
            return f"'groupedQuestionsDates' dateTabled {problem}"
    for key in _MEMBERS:
        member = value.get(key)
        if member is None:
            continue
        if not isinstance(member, dict) or not (member.get("id") is None or _integer(member["id"])):
            return f"'{key}' is not a member object with an integer 'id'"
        wrong = next((f for f in _MEMBER_TEXT if not isinstance(member.get(f), str | None)), None)
        if wrong:
            return f"'{key}' '{wrong}' is {_kind(member[wrong])}, not text"
    return None


_LIST_PARAMS = {
    "answered_from": "answeredWhenFrom",
    "answered_to": "answeredWhenTo",
    "tabled_from": "tabledWhenFrom",
    "tabled_to": "tabledWhenTo",
    "corrected_from": "correctedWhenFrom",
    "house": "house",
    "search": "searchTerm",
    "asking_member": "askingMemberId",
    "answering_member": "answeringMemberId",
}


@dataclass(frozen=True)
class QuestionFilters:
    """What to ask the list endpoint for; every field maps to one API query parameter."""

    answered_from: date | None = None
    answered_to: date | None = None
    tabled_from: date | None = None
    tabled_to: date | None = None
    corrected_from: date | None = None
    answering_bodies: tuple[int, ...] = ()
    house: str | None = None
    search: str | None = None
    asking_member: int | None = None
    answering_member: int | None = None

    def params(self) -> dict[str, Any]:
        """Query parameters for the list endpoint (dates as YYYY-MM-DD, bodies as a repeated key)."""
        params: dict[str, Any] = {"expandMember": "true", "sessionStatus": "Any"}
        for field, name in _LIST_PARAMS.items():
            value = getattr(self, field)
            if value is not None:
                params[name] = value.isoformat() if isinstance(value, date) else value
        if self.answering_bodies:
            params["answeringBodies"] = list(self.answering_bodies)
        return params

    def to_json(self) -> str:
        """A canonical JSON form: equal filters give equal strings."""
        data = dataclasses.asdict(self)
        return json.dumps(
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items() if v not in (None, ())},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> QuestionFilters:
        data = json.loads(text)
        for field in ("answered_from", "answered_to", "tabled_from", "tabled_to", "corrected_from"):
            if data.get(field):
                data[field] = date.fromisoformat(data[field])
        data["answering_bodies"] = tuple(data.get("answering_bodies", ()))
        return cls(**data)


@dataclass(kw_only=True)
class FetchedQuestion(QuestionRecord):
    """A question from the API, with its place in the paging (for checkpoints and progress)."""

    skip: int
    next_skip: int
    total: int
    end_of_page: bool


def answer_cut(answer: str | None) -> bool:
    """True when an answer's text is as the list endpoint cuts it: plain text (not HTML) ending '...'."""
    return bool(answer) and not looks_like_html(answer) and answer.rstrip().endswith("...")


def is_truncated(value: dict[str, Any]) -> bool:
    """True when a list record's text was cut: question at exactly 255 characters, answer ending '...'."""
    question = value.get("questionText") or ""
    return len(question) == LIST_TEXT_LIMIT or answer_cut(value.get("answerText"))


def wants_detail(value: dict[str, Any]) -> bool:
    """True for list records the detail endpoint improves: cut text, or any answer (HTML, attachments)."""
    return is_truncated(value) or bool(value.get("answerText"))


def detail_url(question_id: int, base: str = API_BASE) -> str:
    return f"{base}{QUESTIONS_PATH}/{question_id}"


def fetch_question_detail(client: HttpClient, question_id: int, base: str = API_BASE) -> dict[str, Any]:
    """The full record (HTML answer, untruncated question) from ``/questions/{id}``."""
    payload = without_surrogates(client.get_json(detail_url(question_id, base), {"expandMember": "true"}))
    if not isinstance(payload, dict) or not isinstance(payload.get("value"), dict):
        raise UpstreamError(f"unexpected reply from {detail_url(question_id, base)}: no 'value' object")
    if problem := value_problem(payload["value"]):
        raise UpstreamError(f"unexpected reply from {detail_url(question_id, base)}: {problem}")
    return payload["value"]


def fetch_questions(
    client: HttpClient,
    filters: QuestionFilters,
    *,
    base: str = API_BASE,
    start_skip: int = 0,
    take: int = PAGE_SIZE,
    needs_detail: Callable[[dict[str, Any]], bool] = wants_detail,
    seen: set[int] | None = None,
) -> Iterator[FetchedQuestion]:
    """Page through the list endpoint with ``skip``/``take`` until ``totalResults``.

    Records already yielded in this run (by ``id``) are skipped, because items move between
    pages while answers arrive. A record for which ``needs_detail`` is true is replaced by the
    detail endpoint's full record (if the detail is gone, a 404, the list record is kept). The
    last record of each page has ``end_of_page`` set, so the caller can checkpoint at page
    boundaries.
    """
    seen = set() if seen is None else seen
    url = f"{base}{QUESTIONS_PATH}"
    skip = start_skip
    while True:
        params = {**filters.params(), "skip": skip, "take": take}
        page = without_surrogates(client.get_json(url, params))
        results, total = _list_page(page, url)
        page_url, page_fetched_at = build_url(url, params), now_iso()
        fresh = [item["value"] for item in results if item["value"]["id"] not in seen]
        for index, value in enumerate(fresh):
            seen.add(value["id"])
            record = QuestionRecord(value, page_url, page_fetched_at)
            if needs_detail(value):
                record = _detail_record(client, value["id"], base) or record
            yield FetchedQuestion(
                value=record.value,
                source_url=record.source_url,
                fetched_at=record.fetched_at,
                complete=record.complete,
                skip=skip,
                next_skip=skip + len(results),
                total=total,
                end_of_page=index == len(fresh) - 1,
            )
        skip += len(results)
        if not results or skip >= total:
            return


def fetch_question_details(
    client: HttpClient, question_ids: Iterable[int], *, base: str = API_BASE
) -> Iterator[tuple[int, QuestionRecord | None]]:
    """Each of ``question_ids`` with its full record from the detail endpoint, or None when the
    API no longer has it (a 404), in the order given."""
    for question_id in question_ids:
        yield question_id, _detail_record(client, question_id, base)


def _detail_record(client: HttpClient, question_id: int, base: str) -> QuestionRecord | None:
    try:
        full = fetch_question_detail(client, question_id, base)
    except UpstreamError as exc:
        if exc.status == 404:
            return None
        raise
    return QuestionRecord(full, detail_url(question_id, base), now_iso(), complete=True)


def _list_page(page: Any, url: str) -> tuple[list[dict[str, Any]], int]:
    if not isinstance(page, dict) or "results" not in page or "totalResults" not in page:
        raise UpstreamError(f"unexpected reply from {url}: expected 'totalResults' and 'results'")
    results = page["results"]
    if not isinstance(results, list) or not all(
        isinstance(item, dict) and isinstance(item.get("value"), dict) and "id" in item["value"] for item in results
    ):
        raise UpstreamError(f"unexpected reply from {url}: 'results' items must have a 'value' with an 'id'")
    for number, item in enumerate(results, 1):
        if problem := value_problem(item["value"]):
            raise UpstreamError(f"unexpected reply from {url}: record {number}: {problem}")
    if not _integer(page["totalResults"]):
        raise UpstreamError(f"unexpected reply from {url}: 'totalResults' is not an integer")
    return results, page["totalResults"]


def fetch_answering_bodies(client: HttpClient, base: str = MEMBERS_API_BASE) -> Iterator[dict[str, Any]]:
    """Answering bodies from the Members API, as plain ``AnsweringBody`` objects."""
    payload = client.get_json(f"{base}{BODIES_PATH}")
    items = payload.get("items", payload.get("value")) if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise UpstreamError(f"unexpected reply from {base}{BODIES_PATH}: expected a list of answering bodies")
    for item in items:
        body = item.get("value", item) if isinstance(item, dict) else None
        if isinstance(body, dict) and "id" in body:
            yield body
