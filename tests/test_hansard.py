"""Hansard contributions: ``pqcheck fetch hansard`` against a fake Hansard API built from the
reference's shapes, ``pqcheck import hansard`` of the API's shapes, and the pieces they use."""

from __future__ import annotations

import csv
import html
import io
import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
import sqlite_utils

from pqcheck.contributions import office_departments
from pqcheck.db import open_db
from pqcheck.match import match_id
from pqcheck.pairs import ReportFilters, pair_rows
from pqcheck.records import Contribution
from pqcheck.sources.hansard import FIRST_DAY, contribution_url, department_of, halves, slug
from pqcheck.terminal import pair_view

from .support import world
from .support.cli import command, environment
from .support.factories import question_value
from .support.hansard_server import FakeHansardAPI, debate_payload, detention_world, make_contribution
from .support.webserver import serving

UQ_DEBATE = "9861C238-5602-4D10-A120-8EB6BC04DDD6"
UQ_ID = "00000063-6C44-400C-8ABD-112BDCDAE98B"
HOME_DEBATE = "00000000-5602-4D10-A120-8EB6BC04DDD6"


def run(*args):
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=120, env=environment(), check=False)


def fetch(db_path, api, *args):
    proc = run(
        "fetch", "hansard", db_path, "--api-url", api.url, "--rate", "1000", "--retries", "1", "--backoff", "0",
        "--timeout", "10", "-q", "--json", *args,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def stored(db_path):
    rows = list(sqlite_utils.Database(db_path).query("SELECT * FROM contributions ORDER BY date, id"))
    assert len(rows) == len({row["id"] for row in rows}), "a contribution stored twice"
    return {row["id"]: row for row in rows}


@pytest.fixture
def api():
    world = detention_world()
    with FakeHansardAPI(world, departments={HOME_DEBATE: "Home Office"}) as api:
        yield api


def test_fetch_stores_every_contribution_once_through_pages_a_duplicate_and_a_failing_window(api, tmp_path):
    db_path = tmp_path / "h.db"
    api.bad_day = date(2019, 7, 17)
    api.duplicate = detention_world()[9]["ContributionExtId"]

    summary = fetch(db_path, api, "--search", "detention", "--house", "commons", "--from", "2019-06-01", "--to",
                    "2019-07-31")  # fmt: skip

    rows = stored(db_path)
    assert len(rows) == 32 and summary["inserted"] == 32 and summary["gaps"] == []
    searches = api.searches()
    assert searches[0]["status"] == "500"  # June and July at once fails: searched in halves
    assert {s["queryParameters.startDate"] for s in searches if s["status"] == "200"} >= {"2019-06-01"}
    assert sum(s["status"] == "200" and int(s["queryParameters.skip"]) > 0 for s in searches) >= 1  # paged
    assert all(s["queryParameters.searchTerm"] == "detention" and s["queryParameters.house"] == "Commons"
               for s in searches)  # fmt: skip
    assert sorted(api.debate_reads()) == sorted({c["DebateSectionExtId"].lower() for c in detention_world()[:-1]})
    uq = rows[UQ_ID]
    assert uq["text"].startswith("We did know of 507 individuals") and "Full text from the debate" in uq["text"]
    assert uq["attributed_to"] == "The Minister for Immigration (Caroline Nokes)" and uq["member_id"] == 4201
    assert uq["debate_title"] == "Immigration Detention: Victims of Modern Slavery" and uq["date"] == "2019-07-17"
    assert uq["url"] == (
        f"https://hansard.parliament.uk/Commons/2019-07-17/debates/{UQ_DEBATE}/"
        f"ImmigrationDetentionVictimsOfModernSlavery#contribution-{UQ_ID}"
    )
    assert uq["department"] == "Secretary of State for the Home Department" and uq["department_id"] == "home-office"
    assert uq["source_url"].endswith(f"/debates/debate/{UQ_DEBATE}.json") and uq["fetched_at"] and uq["raw"]
    home = [row for row in rows.values() if row["debate_ext_id"] == HOME_DEBATE]
    assert home and all(r["department"] == "Home Office" and r["department_id"] == "home-office" for r in home)
    fts = sqlite_utils.Database(db_path).execute(
        "SELECT count(*) FROM contributions_fts WHERE contributions_fts MATCH '507'"
    )
    assert fts.fetchone()[0] == 1


def test_a_second_fetch_searches_only_what_is_new_and_full_searches_it_all_again(api, tmp_path):
    db_path = tmp_path / "h.db"
    first = fetch(db_path, api, "--search", "detention")
    assert first["inserted"] == 32 and first["resumed"] is False
    (state,) = sqlite_utils.Database(db_path)["sync_state"].rows
    assert state["source"] == "hansard:spoken" and state["status"] == "ok" and state["last_success_at"]
    searched, reads = len(api.searches()), len(api.debate_reads())

    second = fetch(db_path, api, "--search", "detention")
    since = (date.fromisoformat(state["last_success_at"][:10]) - timedelta(days=3)).isoformat()
    new_searches = api.searches()[searched:]
    assert new_searches and {s["queryParameters.startDate"] for s in new_searches} == {since}
    assert second["inserted"] == 0 and second["windows"][0][0] == since
    assert len(api.debate_reads()) == reads

    full = fetch(db_path, api, "--search", "detention", "--full")
    assert full["inserted"] == 0 and full["already_stored"] == 32 and len(api.debate_reads()) == reads
    assert "queryParameters.startDate" not in api.searches()[-1]
    assert len(stored(db_path)) == 32


def test_a_later_page_answered_with_500_splits_its_window_and_stores_everything_once(api, tmp_path):
    db_path = tmp_path / "h.db"
    api.bad_day, api.bad_from_skip = date(2019, 7, 17), 10
    summary = fetch(db_path, api, "--search", "detention", "--from", "2019-06-01", "--to", "2019-07-31")
    searches = api.searches()
    assert (searches[0]["status"], searches[1]["status"], searches[1]["queryParameters.skip"]) == ("200", "500", "10")
    split = next(s for s in searches[2:] if s["status"] == "200")  # after the client's own retry
    assert split["queryParameters.endDate"] < "2019-07-31" and split["queryParameters.skip"] == "0"
    assert len(stored(db_path)) == 32 and summary["inserted"] == 32 and summary["gaps"] == []
    assert len(summary["windows"]) > 1 and summary["windows"][-1][1] == "2019-07-31"


def test_a_fetch_that_stops_resumes_at_its_last_page(api, tmp_path):
    db_path = tmp_path / "h.db"
    api.stop_at = 3
    args = ("--search", "detention", "--from", "2019-06-01", "--to", "2019-07-31")
    proc = run("fetch", "hansard", db_path, "--api-url", api.url, "--retries", "0", "--rate", "1000", "-q", *args)
    assert proc.returncode != 0 and proc.stderr.strip().count("\n") == 0 and "Error" in proc.stderr
    (state,) = sqlite_utils.Database(db_path)["sync_state"].rows
    assert (state["status"], state["pass_index"], state["skip"]) == ("running", 0, 20) and state["last_error"]
    assert len(stored(db_path)) == 20
    searched = len(api.searches())

    api.stop_at = None
    summary = fetch(db_path, api, *args)
    resumed = api.searches()[searched]
    assert summary["resumed"] is True and resumed["queryParameters.skip"] == "20"
    assert resumed["queryParameters.startDate"] == "2019-06-01"
    assert summary["inserted"] == 12 and len(stored(db_path)) == 32
    (state,) = sqlite_utils.Database(db_path)["sync_state"].rows
    assert state["status"] == "ok" and state["last_error"] is None


def test_a_day_the_api_never_searches_is_a_gap_and_the_rest_is_stored(api, tmp_path):
    db_path = tmp_path / "h.db"
    api.bad_day, api.max_window_days = date(2019, 7, 17), 0
    summary = fetch(db_path, api, "--search", "detention", "--from", "2019-06-01", "--to", "2019-07-31")
    assert len(summary["gaps"]) == 1 and summary["gaps"][0].startswith("2019-07-17")
    assert {row["date"] for row in stored(db_path).values()} == {"2019-06-03", "2019-06-14", "2019-06-25", "2019-07-06"}


def test_import_of_a_search_response_stores_its_contributions(tmp_path):
    items = detention_world()
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"SearchTerms": ["detention"], "Results": items, "TotalResultCount": len(items)}))
    proc = run("import", "hansard", tmp_path / "h.db", path, "-q", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = stored(tmp_path / "h.db")
    assert len(rows) == len(items) and json.loads(proc.stdout)["inserted"] == len(items)
    assert rows[UQ_ID]["text"] == items[-2]["ContributionTextFull"]
    assert rows[UQ_ID]["url"].endswith(f"/ImmigrationDetentionVictimsOfModernSlavery#contribution-{UQ_ID}")
    again = run("import", "hansard", tmp_path / "h.db", path, "-q", "--json")
    assert json.loads(again.stdout)["unchanged"] == len(items)


def test_import_of_a_debate_and_of_json_lines(tmp_path):
    world = detention_world()
    debate = tmp_path / "debate.json"
    debate.write_text(
        json.dumps(debate_payload([c for c in world if c["DebateSectionExtId"] == HOME_DEBATE], "Home Office"))
    )
    lines = tmp_path / "records.jsonl"
    record = {"ext_id": "abc-1", "house": "Lords", "date": "2019-07-18", "text": "<p>507 individuals</p>",
              "debate_title": "Immigration Detention", "debate_ext_id": "D-1", "department": "Home Office"}  # fmt: skip
    lines.write_text(json.dumps(record) + "\n" + json.dumps(world[0]) + "\n")
    proc = run("import", "hansard", tmp_path / "h.db", debate, lines, "-q")
    assert proc.returncode == 0, proc.stderr
    rows = stored(tmp_path / "h.db")
    assert rows["ABC-1"]["text"] == "507 individuals" and rows["ABC-1"]["department_id"] == "home-office"
    assert (
        rows["ABC-1"]["url"]
        == "https://hansard.parliament.uk/Lords/2019-07-18/debates/D-1/ImmigrationDetention#contribution-ABC-1"
    )
    home = [r for r in rows.values() if r["debate_ext_id"] == HOME_DEBATE]
    assert len(home) == 6 and all(r["department_id"] == "home-office" for r in home)


@pytest.mark.parametrize(
    "content", ["not json at all", '{"Results": 3}', '[{"some": "thing"}]', '{"a": 1}\n{"b": 2}\n', ""]
)
def test_a_bad_file_is_one_line_exit_2_and_nothing_stored_is_lost(tmp_path, content):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"Results": detention_world()[:3], "TotalResultCount": 3}))
    bad.write_text(content)
    assert run("import", "hansard", tmp_path / "h.db", good, "-q").returncode == 0
    proc = run("import", "hansard", tmp_path / "h.db", bad, "-q")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("Error: ")
    assert len(stored(tmp_path / "h.db")) == 3


def test_a_window_is_split_in_halves_its_open_ends_read_as_the_first_sitting_and_today():
    today = date(2026, 12, 7)
    assert halves((date(2019, 6, 1), date(2019, 7, 31)), today) == [
        (date(2019, 6, 1), date(2019, 7, 1)),
        (date(2019, 7, 2), date(2019, 7, 31)),
    ]
    (first, second) = halves((None, None), today)
    assert first[0] == FIRST_DAY and second[1] == today and first[1] + timedelta(days=1) == second[0]
    assert halves((date(2019, 7, 17), date(2019, 7, 17)), today) is None


def test_slugs_follow_the_real_links():
    assert slug("Modern-day Slavery") == "Modern-DaySlavery"
    assert slug("Immigration Detention: Victims of Modern Slavery") == "ImmigrationDetentionVictimsOfModernSlavery"
    assert slug(None) == "link"
    assert contribution_url("Commons", None, "X", "T", "C") is None


def test_the_department_is_the_nearest_department_node_above_the_debate():
    items = [make_contribution(1, day=date(2024, 1, 1), debate="ABC", title="High-speed Internet", text="x")]
    debate = debate_payload(items, "Science, Innovation and Technology")
    assert department_of(debate, "abc") == "Science, Innovation and Technology"
    assert department_of(debate_payload(items), "ABC") is None


def test_a_ministers_office_names_the_department():
    assert "Home Department" in office_departments("The Minister of State, Home Department (Ben Wallace)")
    assert "Health and Social Care" in office_departments("The Secretary of State for Health and Social Care (M H)")
    assert office_departments("Alex Morgan (Northbridge) (Lab)") == []
    assert Contribution("abc", None, None, "t").ext_id == "ABC"


UQ_ANSWER = (
    "<p>Two freedom of information responses gave figures for 2018. The Government did know of 507 "
    "individuals who had received a positive reasonable grounds decision as potential victims of trafficking "
    "and were held in immigration detention in 2018; 479 of them received that decision while detained.</p>"
)


def test_a_ministers_statement_in_the_commons_is_evidence_against_a_refusal(tmp_path):
    db_path = tmp_path / "pq.db"
    db = open_db(db_path)
    world.save_answers(db, [question_value(1000001, dateAnswered="2019-06-19T00:00:00")])
    answer = db.execute("SELECT answer_text FROM questions WHERE id = 1000001").fetchone()[0]
    phrase = "There is no central record"
    world.add_refusal(
        db, 1000001, category="not_held_centrally", phrase=phrase, phrase_start=answer.index(phrase),
        phrase_end=answer.index(phrase) + len(phrase), subject="victims of trafficking held in immigration detention",
        subject_terms=json.dumps(["trafficking", "victim", "immigration", "detention"]), period_start="2018-01-01",
        period_end="2018-12-31", classifier_version="test", classified_at="2024-01-01T00:00:00",
    )  # fmt: skip
    db.conn.commit()
    db.close()
    said = {
        "ext_id": UQ_ID, "house": "Commons", "date": "2019-07-17", "text": UQ_ANSWER, "member_name": "Caroline Nokes",
        "attributed_to": "The Minister for Immigration (Caroline Nokes)", "department": "Home Office",
        "debate_title": "Immigration Detention: Victims of Modern Slavery", "debate_ext_id": UQ_DEBATE,
    }  # fmt: skip
    other_department = {**said, "ext_id": "OTHER-1", "department": "Ministry of Defence"}
    shadow = {
        **said, "ext_id": "SHADOW-1", "member_name": "Diane Abbott",
        "attributed_to": "Ms Diane Abbott (Hackney North and Stoke Newington) (Lab)",
    }  # fmt: skip
    lines = [json.dumps(record) for record in (said, other_department, shadow)]
    (tmp_path / "said.jsonl").write_text("\n".join(lines) + "\n")

    assert run("import", "hansard", db_path, tmp_path / "said.jsonl", "-q").returncode == 0
    assert run("match", db_path, "-q").returncode == 0
    report = run("report", db_path)

    # the same words from the opposition benches are not the department's: only the minister's are
    (row,) = sqlite_utils.Database(db_path).query("SELECT * FROM matches")
    assert (row["target_kind"], row["evidence_kind"], row["contribution_id"]) == ("statement", "statement", UQ_ID)
    assert row["id"] == match_id(1000001, "statement", UQ_ID) and row["department_id"] == "home-office"
    assert "507" in row["evidence_text"] and (row["time_relation"], row["gap_days"]) == ("after", 28)
    assert report.returncode == 0, report.stderr
    assert "said in the Commons on 2019-07-17 by The Minister for Immigration (Caroline Nokes)" in report.stdout
    link = f"https://hansard.parliament.uk/Commons/2019-07-17/debates/{UQ_DEBATE}/ImmigrationDetentionVictimsOfModernSlavery"
    assert f"{link}#contribution-{UQ_ID}" in report.stdout
    found = run("search", db_path, "trafficking")
    assert "↔ said in the Commons on 2019-07-17 by The Minister for Immigration" in found.stdout


REPOSITORY = Path(__file__).resolve().parents[1]
UQ_REAL_ID = "C0FFEE00-6C44-400C-8ABD-112BDCDAE98B"


def real_statement() -> dict:
    """The Immigration Minister's reply to the urgent question of 17 July 2019, as our real corpus
    holds it (fixtures/real/foi.jsonl RF003, from the debate's public record), as a contribution
    record with what ``fetch hansard`` reads from the debate: the department is the office the
    urgent question is put to."""
    (found,) = [
        json.loads(line)
        for line in (REPOSITORY / "fixtures/real/foi.jsonl").read_text().splitlines()
        if json.loads(line)["id"] == "RF003"
    ]
    return {
        "ext_id": UQ_REAL_ID, "house": "Commons", "date": found["date"], "text": found["response_text"],
        "member_name": "Caroline Nokes", "attributed_to": "The Minister for Immigration (Caroline Nokes)",
        "department": "Secretary of State for the Home Department", "debate_ext_id": UQ_DEBATE,
        "debate_title": "Immigration Detention: Victims of Modern Slavery",
    }  # fmt: skip


def test_the_urgent_question_answer_of_17_july_2019_is_the_evidence_against_the_june_2019_refusal(tmp_path):
    """Done when: the minister's 507 statement imported as a contribution and the 19 June 2019 "no
    central record" answer stored (the demo's copy of it, with the demo's other answers), `pqcheck
    match` pairs them, and the report, CSV, JSON, search and web show the statement with its link."""
    db_path = tmp_path / "pq.db"
    said = real_statement()
    assert "507" in said["text"]
    (tmp_path / "said.jsonl").write_text(json.dumps(said) + "\n")
    for args in (
        ("import", "questions", db_path, REPOSITORY / "fixtures/demo/questions.json"),
        ("classify", db_path),
        ("import", "hansard", db_path, tmp_path / "said.jsonl"),
        ("match", db_path),
    ):
        proc = run(*args, "-q")
        assert proc.returncode == 0, proc.stderr
    june = sqlite_utils.Database(db_path).execute(
        "SELECT q.id FROM questions q JOIN refusals r ON r.question_id = q.id "
        "WHERE q.date_answered LIKE '2019-06-19%' AND r.label = 'refusal' AND q.answer_text LIKE '%no central record%'"
    )
    (question_id,) = june.fetchone()
    best = sqlite_utils.Database(db_path).execute(
        "SELECT target_kind, contribution_id FROM matches WHERE question_id = ? ORDER BY score DESC", [question_id]
    )
    assert best.fetchone() == ("statement", UQ_REAL_ID)

    link = (
        f"https://hansard.parliament.uk/Commons/2019-07-17/debates/{UQ_DEBATE}/"
        f"ImmigrationDetentionVictimsOfModernSlavery#contribution-{UQ_REAL_ID}"
    )
    said_in = "said in the Commons on 2019-07-17 by The Minister for Immigration (Caroline Nokes)"
    report = run("report", db_path).stdout
    section = report[report.index("990619](") :]
    section = section[: section.index("[Back to contents]")]
    assert f"- **Statement:** {said_in} — [Immigration Detention: Victims of Modern Slavery]({link})" in section
    assert "**507**" in section

    rows = list(csv.DictReader(io.StringIO(run("report", db_path, "--format", "csv").stdout)))
    row = next(r for r in rows if r["question_id"] == str(question_id) and r["contribution_id"] == UQ_REAL_ID)
    where = (row["evidence_kind"], row["statement_house"], row["statement_date"])
    assert where == ("statement", "Commons", "2019-07-17")
    assert row["statement_speaker"] == said["attributed_to"] and row["statement_url"] == row["evidence_url"] == link
    assert row["statement"] == said_in and row["foi_url"] == ""
    pairs = json.loads(run("report", db_path, "--format", "json").stdout)["pairs"]
    pair = next(p for p in pairs if p["question_id"] == question_id and p["contribution_id"] == UQ_REAL_ID)
    assert pair["foi"] is None and pair["evidence_url"] == link
    assert pair["statement"] == {
        "said": said_in, "house": "Commons", "date": "2019-07-17", "speaker": said["attributed_to"],
        "member_name": "Caroline Nokes", "debate": said["debate_title"], "url": link,
    }  # fmt: skip

    found = run("search", db_path, "CID", "--kind", "pairs").stdout  # a word only the statement has
    assert f"↔ {said_in}" in found and f"     {link}" in found
    hits = json.loads(run("search", db_path, "CID", "--kind", "pairs", "--json").stdout)["hits"]["pairs"]
    assert hits and all(h["evidence_kind"] == "statement" and h["evidence_link"] == link for h in hits)

    (shown,) = pair_rows(open_db(db_path, read_only=True), ReportFilters(match_ids=(pair["match_id"],)))
    view = pair_view(shown, width=200)
    assert f"STATEMENT  {said_in}" in view and f"  {link}" in view.splitlines()

    with serving(db_path) as running:
        page = requests.get(f"{running.url}/search", params={"q": "CID"}, timeout=30).text
        assert html.escape(said_in) in page and f'href="{html.escape(link)}"' in page
        match = next(p["match_id"] for p in pairs if p["question_id"] == question_id)
        page = requests.get(f"{running.url}/pair/{match}", timeout=30).text
        assert said_in in html.unescape(page) and f'href="{html.escape(link)}"' in page
