"""Planning incremental runs, and `pqcheck fetch bodies`."""

from __future__ import annotations

from datetime import date

import responses
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.sources.parliament import MEMBERS_API_BASE, QuestionFilters
from pqcheck.sync import plan_passes, sync_key

TODAY = date(2026, 11, 21)


def test_first_run_fetches_the_whole_range():
    filters = QuestionFilters(answered_from=date(2019, 1, 1), answering_bodies=(1,))
    assert plan_passes(filters, None, TODAY) == [filters]


def test_first_run_without_dates_fetches_the_last_30_days():
    (only,) = plan_passes(QuestionFilters(house="Lords"), None, TODAY)
    assert only.answered_from == date(2026, 10, 22)
    assert only.house == "Lords"


def test_later_runs_ask_for_new_answers_and_corrections():
    filters = QuestionFilters(answered_from=date(2019, 1, 1), answering_bodies=(1,))
    answered, corrected = plan_passes(filters, date(2026, 11, 1), TODAY)
    assert answered.answered_from == date(2026, 11, 1)
    assert answered.corrected_from is None
    assert corrected.corrected_from == date(2026, 11, 1)
    assert corrected.answered_from == date(2019, 1, 1)
    assert answered.answering_bodies == corrected.answering_bodies == (1,)


def test_a_closed_past_window_only_looks_for_corrections():
    filters = QuestionFilters(answered_from=date(2019, 6, 1), answered_to=date(2019, 6, 30))
    (corrected,) = plan_passes(filters, date(2026, 11, 1), TODAY)
    assert corrected.corrected_from == date(2026, 11, 1)


def test_tabled_filters_also_look_for_new_questions():
    filters = QuestionFilters(tabled_from=date(2026, 1, 1))
    tabled, answered, corrected = plan_passes(filters, date(2026, 11, 1), TODAY)
    assert tabled.tabled_from == date(2026, 11, 1)
    assert answered.answered_from == date(2026, 11, 1)
    assert corrected.corrected_from == date(2026, 11, 1)


def test_sync_key_depends_only_on_the_filters():
    a = QuestionFilters(answering_bodies=(1, 17), search="prison")
    b = QuestionFilters.from_json(a.to_json())
    assert a == b
    assert sync_key(a) == sync_key(b)
    assert sync_key(a) != sync_key(QuestionFilters(answering_bodies=(1,), search="prison"))


@responses.activate
def test_fetch_bodies_saves_the_members_api_list(tmp_path):
    body = {
        "id": 1,
        "name": "Home Office",
        "shortName": "Home Office",
        "target": "Secretary of State for the Home Department",
        "department": {"id": 1, "name": "Home Office", "url": "https://www.gov.uk/home-office", "imageUrl": None},
    }
    responses.get(
        f"{MEMBERS_API_BASE}/api/Reference/AnsweringBodies",
        json=[{"value": body, "links": []}, {"value": {**body, "id": 300, "name": "New Department"}, "links": []}],
    )
    path = tmp_path / "pq.db"

    result = CliRunner().invoke(cli, ["fetch", "bodies", str(path), "--quiet"])

    assert result.exit_code == 0, result.output
    db = open_db(path)
    row = db["answering_bodies"].get(300)
    assert row["name"] == "New Department"
    assert row["source"] == "members-api"
    assert row["source_url"].endswith("/api/Reference/AnsweringBodies")
    assert db["answering_bodies"].get(1)["department_name"] == "Home Office"
    listed = CliRunner().invoke(cli, ["bodies", str(path)])
    assert " 300  New Department" in listed.output
