"""The canonical department mapping shipped in pqcheck/data/departments.json, the answering bodies,
and resolving what a user types for --department."""

from __future__ import annotations

import pytest

from pqcheck.db import open_db
from pqcheck.departments import (
    answering_body_ids,
    department_ids,
    department_index,
    known_bodies,
    normalise_name,
    resolve_department,
    snapshot_bodies,
)
from pqcheck.errors import BadInput


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
        ({"name": "HM Revenue and Customs"}, "hm-revenue-and-customs"),  # a department of its own
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


# ---------------------------------------------------------------------------------------------
# resolving --department


@pytest.fixture
def bodies():
    return known_bodies(None)


@pytest.mark.parametrize(
    ("text", "department", "answering_bodies"),
    [
        ("1", "home-office", (1,)),
        ("Home Office", "home-office", (1,)),
        ("home office", "home-office", (1,)),
        ("home-office", "home-office", (1,)),
        ("home_office", "home-office", (1,)),  # a WhatDoTheyKnow url_name
        ("uk-visas-and-immigration", "home-office", (1,)),  # a GOV.UK slug
        ("Border Force", "home-office", (1,)),  # an agency
        ("DWP", "department-for-work-and-pensions", (29,)),
        ("work and pensions", "department-for-work-and-pensions", (29,)),
        ("Treasury", "hm-treasury", (14,)),
        ("Department for Education", "department-for-education", (60,)),
        ("  Ministry of Justice ", "ministry-of-justice", (54,)),
        ("10", "department-for-culture-media-and-sport", (10,)),  # an id is that body alone
        ("culture", "department-for-culture-media-and-sport", (10, 217)),  # a department is all its bodies
        ("Cabinet Office", "cabinet-office", (23, 53, 57)),
        ("Church Commissioners", None, (9,)),  # a body of no department
    ],
)
def test_resolves_departments_and_answering_bodies(bodies, text, department, answering_bodies):
    resolved = resolve_department(text, bodies)
    assert (resolved.department_id, tuple(sorted(resolved.answering_bodies))) == (department, answering_bodies)


def test_department_ids_and_answering_body_ids(bodies):
    assert department_ids(["54", "home", "MoJ"], bodies) == ("home-office", "ministry-of-justice")
    assert answering_body_ids(["Cabinet Office", "1"], bodies) == (1, 23, 53, 57)
    with pytest.raises(BadInput, match=r"answering body 9 \(Church Commissioners\) belongs to no department"):
        department_ids(["Church Commissioners"], bodies)


def test_ambiguous_fragment_lists_candidates(bodies):
    with pytest.raises(BadInput) as error:
        resolve_department("leader of the house", bodies)
    assert "34 Leader of the House of Commons; 92 Leader of the House of Lords" in str(error.value)
    with pytest.raises(BadInput) as error:
        resolve_department("department for business", bodies)
    assert "department-for-business-and-trade (Department for Business and Trade)" in str(error.value)


@pytest.mark.parametrize("text", ["Ministry of Defense", "", "  ", "!!!"])
def test_unknown_name_suggests_close_matches(bodies, text):
    with pytest.raises(BadInput, match=f"unknown department '{text.strip()}'") as error:
        resolve_department(text, bodies)
    assert ("Did you mean: Ministry of Defence" in str(error.value)) == (text == "Ministry of Defense")
    assert "'pqcheck bodies' lists the answering bodies" in str(error.value)


def test_the_database_list_overrides_the_snapshot(db):
    db["answering_bodies"].insert({"id": 999, "name": "Department for Pqcheck Tests", "source": "members-api"})
    bodies = known_bodies(db)
    assert resolve_department("pqcheck tests", bodies).answering_bodies == (999,)
    assert resolve_department("Home Office", bodies).answering_bodies == (1,)


def test_snapshot_has_unique_ids_and_names():
    items = snapshot_bodies()
    assert len({b["id"] for b in items}) == len(items)
    assert len({b["name"] for b in items}) == len(items)
