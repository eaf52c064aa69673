"""The canonical department mapping shipped in pqcheck/data/departments.json, the answering bodies,
resolving what a user types for --department, and FOI authorities as their letters are signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pqcheck.db import open_db
from pqcheck.departments import (
    Authority,
    answering_body_ids,
    department_ids,
    department_index,
    known_bodies,
    normalise_name,
    resolve_authority,
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
        # the names historic Hansard answers under: a department replaced by a successor of the same remit
        ("Department of Social Security", "department-for-work-and-pensions", (29,)),
        ("Scottish Office", "scotland-office", (2,)),
        ("Welsh Office", "wales-office", (28,)),
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


# --- FOI authorities as signed ----------------------------------------------------------------

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "foi.jsonl"
HOME, MOJ, DWP = "home-office", "ministry-of-justice", "department-for-work-and-pensions"
DHSC, MOD = "department-of-health-and-social-care", "ministry-of-defence"


@pytest.mark.parametrize(
    ("authority", "department"),
    [
        ("Home Office (Immigration Enforcement)", HOME),
        ("Home Office (Immigration Enforcement, Detention and Escorting)", HOME),
        ("Home Office - Border Force", HOME),
        ("Ministry of Justice (National Offender Management Service)", MOJ),
        ("Ministry of Justice (Justice Statistics Analytical Services)", MOJ),
        ("HM Courts & Tribunals Service (Ministry of Justice)", MOJ),
        ("Department of Health (written answer 253079, Commons)", DHSC),
        ("Department for Communities and Local Government", "ministry-of-housing-communities-and-local-government"),
        ("Department of Health", DHSC),
        ("Department for Business, Innovation and Skills", "department-for-business-energy-and-industrial-strategy"),
        ("Foreign and Commonwealth Office", "foreign-commonwealth-and-development-office"),
        ("Department for International Development", "foreign-commonwealth-and-development-office"),
        ("UK Visas and Immigration", HOME),
        ("Border Force", HOME),
        ("HM Passport Office", HOME),
        ("HM Prison and Probation Service", MOJ),
        ("NOMS", MOJ),
        ("National Offender Management Service", MOJ),
        ("Legal Aid Agency", MOJ),
        ("DVLA", "department-for-transport"),
        ("Driver and Vehicle Standards Agency", "department-for-transport"),
        ("Jobcentre Plus", DWP),
        ("Child Maintenance Service", DWP),
        ("Defence Equipment and Support", MOD),
        ("Public Health England", DHSC),
        ("UKHSA", DHSC),
        ("MHRA", DHSC),
        ("NHS England", DHSC),
        ("HMRC", "hm-treasury"),  # a non-ministerial department the Treasury answers for in Parliament
        ("HM Revenue & Customs", "hm-treasury"),
        ("Office for National Statistics / UK Statistics Authority", "cabinet-office"),  # answered for likewise
        ("Department for Work and Pensions (Scotland)", DWP),  # an office in Scotland is still DWP's
        ("Ministry of Defence (Defence Statistics (Health))", MOD),  # brackets inside brackets (real RF026)
    ],
)
def test_an_authority_as_signed_resolves_to_its_department(authority, department):
    assert resolve_authority(authority) == Authority(department)


@pytest.mark.parametrize(
    ("authority", "kind"),
    [
        ("Northumbria Police", "police"),
        ("Metropolitan Police Service", "police"),
        ("Police Scotland", "police"),
        ("Police Service of Northern Ireland", "police"),
        ("Office of the Police and Crime Commissioner for Kent", "police"),
        ("Avon Fire and Rescue Service", "fire"),
        ("Barts Health NHS Trust", "nhs"),
        ("Wirral University Teaching Hospital NHS Foundation Trust", "nhs"),
        ("NHS Greater Glasgow and Clyde", "nhs"),
        ("Betsi Cadwaladr University Health Board", "nhs"),
        ("NHS North West London Integrated Care Board", "nhs"),
        ("NHS Leeds CCG", "nhs"),
        ("Moray Council", "council"),
        ("Stockport Metropolitan Borough Council", "council"),
        ("London Borough of Hackney", "council"),
        ("Greater Manchester Combined Authority", "council"),
        ("Scottish Government", "devolved"),
        ("Welsh Government", "devolved"),
        ("Department of Health (Northern Ireland)", "devolved"),
        ("Department for Communities", "devolved"),
        ("Scottish Prison Service", "devolved"),
    ],
)
def test_a_local_body_is_marked_local_and_has_no_department(authority, kind):
    assert resolve_authority(authority) == Authority(None, local=kind)


@pytest.mark.parametrize(
    "authority",
    ["Independent Office for Police Conduct", "Arts Council England", "National Police Chiefs' Council", "", None],
)
def test_a_national_body_pqcheck_does_not_know_is_neither(authority):
    assert resolve_authority(authority) == Authority()


def test_identifiers_come_before_the_name():
    assert resolve_authority("Whoever", wdtk="home_office") == Authority(HOME)
    assert resolve_authority("Whoever", govuk="legal-aid-agency") == Authority(MOJ)
    assert resolve_authority(None, wdtk="northumbria_police") == Authority(None, local="police")


# every authority of the shared dev set, as it should resolve (a department, or local: its kind)
REALDATA_EXPECTED = {
    "F026": "local:council", "F028": MOJ, "F030": DWP, "F032": MOD, "F034": DHSC, "F036": MOJ, "F038": MOD,
    "F040": HOME, "F042": HOME, "F044": HOME, "F046": DWP, "F048": "department-for-education", "F050": MOJ,
    "F052": "local:police", "F054": HOME, "F056": MOJ, "F058": DWP, "F060": "local:council", "F062": HOME,
    "F064": MOJ, "F066": DWP, "F068": DWP, "F070": MOJ, "F072": "local:council", "F074": "local:nhs",
    "F076": "local:council", "F078": DHSC, "F080": "cabinet-office", "F082": "local:police", "F084": DWP,
    "S006": HOME, "S007": HOME, "S008": DHSC,
}  # fmt: skip


def test_every_authority_of_the_shared_dev_set_resolves():
    if not REALDATA.is_file():
        pytest.skip(f"the shared dev set is not at {REALDATA} (the shared/ folder beside the repo)")
    records = [json.loads(line) for line in REALDATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = {}
    for record in records:
        authority = resolve_authority(record["authority"])
        found[record["id"]] = authority.department_id or (authority.local and f"local:{authority.local}")
    assert all(found.values()), [r["authority"] for r in records if not found[r["id"]]]
    assert {k: v for k, v in found.items() if k in REALDATA_EXPECTED} == REALDATA_EXPECTED
