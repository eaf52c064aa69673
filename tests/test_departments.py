"""The canonical department mapping shipped in pqcheck/data/departments.json."""

from __future__ import annotations

import pytest

from pqcheck.bodies import snapshot_bodies
from pqcheck.db import open_db
from pqcheck.departments import department_index, normalise_name


@pytest.fixture(scope="module")
def index():
    return department_index()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"name": "UK Visas and Immigration"}, "home-office"),
        ({"name": "Immigration Enforcement"}, "home-office"),
        ({"name": "Border Force"}, "home-office"),
        ({"wdtk": "home_office"}, "home-office"),
        ({"govuk": "uk-visas-and-immigration"}, "home-office"),
        ({"answering_body": 1}, "home-office"),
        ({"name": "Her Majesty's Prison and Probation Service"}, "ministry-of-justice"),
        ({"name": "HM Prison & Probation Service"}, "ministry-of-justice"),
        ({"name": "Jobcentre Plus"}, "department-for-work-and-pensions"),
        ({"name": "HM Revenue and Customs"}, "hm-treasury"),
        ({"name": "Department of Health"}, "department-of-health-and-social-care"),
        ({"answering_body": 10}, "department-for-culture-media-and-sport"),  # DCMS renamed: 10 -> 217
        ({"answering_body": 217}, "department-for-culture-media-and-sport"),
        ({"answering_body": 211}, "ministry-of-housing-communities-and-local-government"),  # DLUHC and back
        ({"name": "Foreign and Commonwealth Office"}, "foreign-commonwealth-and-development-office"),  # merged
        ({"name": "Department for International Development"}, "foreign-commonwealth-and-development-office"),
        ({"name": "Ministry of Magic"}, None),
    ],
)
def test_lookup(index, kwargs, expected):
    assert index.lookup(**kwargs) == expected


def test_the_most_specific_identifier_wins(index):
    assert index.lookup(answering_body=54, name="Home Office") == "ministry-of-justice"


def test_every_answering_body_of_a_government_department_has_a_department(index):
    parliamentary = {9, 18, 24, 34, 36, 90, 91, 92, 107, 200, 204, 206, 207}  # House bodies, not departments
    missing = [
        b["name"]
        for b in snapshot_bodies()
        if b["id"] not in parliamentary and index.lookup(answering_body=b["id"]) is None
    ]
    assert missing == []


def test_replaced_departments_name_a_successor_that_exists(index):
    for dept in index.departments.values():
        assert dept["successor"] is None or dept["successor"] in index.departments


def test_names_are_normalised():
    assert normalise_name("The Home Office") == "home office"
    assert normalise_name("His Majesty's Treasury") == "treasury"
    assert normalise_name("HM Courts & Tribunals Service") == "courts and tribunals service"


def test_the_mapping_is_in_the_database(tmp_path):
    db = open_db(tmp_path / "pq.db")
    assert db["departments"].get("home-office")["name"] == "Home Office"
    assert db["department_aliases"].get("wdtk:home_office")["department_id"] == "home-office"
    assert (
        db["departments"].get("department-for-international-trade")["successor_id"]
        == "department-for-business-and-trade"
    )


def test_questions_have_a_department_through_their_answering_body(tmp_path):
    from pqcheck.questions import save_questions
    from pqcheck.records import QuestionRecord

    from .support.factories import question_value

    db = open_db(tmp_path / "pq.db")
    save_questions(
        db,
        [
            QuestionRecord(question_value(1, answeringBodyId=1), "u", "t"),
            QuestionRecord(question_value(2, answeringBodyId=10, answeringBodyName="DCMS"), "u", "t"),
            QuestionRecord(question_value(3, answeringBodyId=206, answeringBodyName="Lord Speaker"), "u", "t"),
        ],
    )
    rows = {r["question_id"]: r["department_id"] for r in db["question_departments"].rows}
    assert rows == {1: "home-office", 2: "department-for-culture-media-and-sport", 3: None}
