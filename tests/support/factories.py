"""Question records in the exact shape of the Written Questions API (all 30 keys, in order)."""

from __future__ import annotations

from typing import Any

from .apiserver import list_view  # what the list endpoint makes of a record
from .members import member

__all__ = ["list_view"]

HOLDING_TEXT = (
    "The Home Office has indicated that it will not be possible to answer this question within the usual "
    "time period. An answer is being prepared and will be provided as soon as it is available."
)


def question_value(question_id: int = 1000001, **overrides: Any) -> dict[str, Any]:
    """A full (detail endpoint) ``QuestionsViewModel``: HTML answer, untruncated text."""
    value = {
        "id": question_id,
        "askingMemberId": 4616,
        "askingMember": member(4616, "Rosie Example"),
        "house": "Commons",
        "memberHasInterest": False,
        "dateTabled": "2019-06-03T00:00:00",
        "dateForAnswer": "2019-06-05T00:00:00",
        "uin": str(260000 + question_id % 10000),
        "questionText": "To ask the Secretary of State for the Home Department, how many victims of trafficking "
        "were held in immigration detention in each year since 2015.",
        "answeringBodyId": 1,
        "answeringBodyName": "Home Office",
        "isWithdrawn": False,
        "isNamedDay": False,
        "groupedQuestions": [],
        "answerIsHolding": False,
        "answerIsCorrection": False,
        "answeringMemberId": 4530,
        "answeringMember": member(4530, "Victoria Minister", "Conservative"),
        "correctingMemberId": None,
        "correctingMember": None,
        "dateAnswered": "2019-06-10T00:00:00",
        "answerText": "<p>There is no central record of the number of victims of trafficking held in "
        "immigration detention.</p><p>The Home Office does not collate or publish the data requested.</p>",
        "originalAnswerText": "",
        "comparableAnswerText": "",
        "dateAnswerCorrected": None,
        "dateHoldingAnswer": None,
        "attachmentCount": 0,
        "heading": "Human Trafficking: Detainees",
        "attachments": [],
        "groupedQuestionsDates": [],
    }
    value.update(overrides)
    return value


def list_response(values: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    return {
        "totalResults": len(values) if total is None else total,
        "results": [
            {"value": v, "links": [{"rel": "self", "href": f"/Questions/{v['id']}", "method": "GET"}]} for v in values
        ],
    }


def single(value: dict[str, Any]) -> dict[str, Any]:
    return {"value": value, "links": [{"rel": "self", "href": f"/Questions/{value['id']}", "method": "GET"}]}


LONG_ANSWER = "<p>" + " ".join(f"In {2010 + i} the figure was {100 + i}." for i in range(40)) + "</p>"
LONG_QUESTION = "To ask the Secretary of State for Justice, " + "how many prisoners were held " * 20 + "in 2019."
