"""Matching refusals with FOI disclosures and with other answers (pqcheck.match).

Refusals are inserted directly (the classifier is not used); FOI requests go through ``ingest``.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bench import quality_matches
from pqcheck.db import ensure_db_shape, open_db
from pqcheck.departments import save_departments
from pqcheck.foi import ingest
from pqcheck.match import MATCHER_VERSION, Matcher, MatchOptions, load_refusals, match_db, match_id, phrases
from pqcheck.match.phrases import best
from pqcheck.match.retrieval import ANSWER_SQL, PAGE_SQL, REQUEST_SQL
from pqcheck.match.scoring import CORROBORATION_STEP, PARTIAL_FACTOR
from pqcheck.periods import parse_date_span
from pqcheck.records import FoiDocument, FoiRequest
from pqcheck.report import write_report
from pqcheck.vocabulary import EVIDENCE_NAMES

from .support import world
from .support.factories import question_value

ROOT = Path(__file__).resolve().parents[1]
ANSWERED = "2019-06-10"
SUBJECT = "victims of trafficking held in immigration detention"
TERMS = ["trafficking", "victim", "immigration", "detention"]
DISCLOSURE = (
    "Thank you for your request. In 2018, 507 people who had received a positive reasonable grounds decision "
    "as potential victims of trafficking were held in immigration detention. Of these, 479 received the "
    "decision while detained."
)


@pytest.fixture
def mdb():
    database = sqlite_utils.Database(memory=True)
    ensure_db_shape(database)
    save_departments(database)
    yield database
    database.close()


def add_question(
    db, qid, *, body=1, answered=ANSWERED, heading="Human Trafficking: Detainees", question=None, answer=None
):
    overrides = {"answeringBodyId": body, "dateAnswered": f"{answered}T00:00:00", "heading": heading}
    overrides["dateTabled"] = f"{(date.fromisoformat(answered) - timedelta(days=7)).isoformat()}T00:00:00"
    if question is not None:
        overrides["questionText"] = question
    if answer is not None:
        overrides["answerText"] = answer
    world.save_answers(db, [question_value(qid, **overrides)], fetched_at="2024-01-01")


def add_refusal(db, qid, *, subject=SUBJECT, terms=TERMS, label="refusal", period=("2018-01-01", "2018-12-31")):
    answer = db.execute("SELECT answer_text FROM questions WHERE id = ?", [qid]).fetchone()[0]
    phrase = "There is no central record" if label != "disclosure" else None
    start = answer.find(phrase) if phrase and phrase in answer else None
    world.add_refusal(
        db,
        qid,
        label=label,
        category="not_held_centrally" if label != "disclosure" else None,
        phrase=phrase,
        phrase_start=start,
        phrase_end=None if start is None else start + len(phrase),
        subject=subject if label != "disclosure" else None,
        subject_terms=json.dumps(terms if label != "disclosure" else []),
        period=None,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        classifier_version="test",
        classified_at="2024-01-01T00:00:00",
    )
    db.conn.commit()


def add_foi(
    db,
    key,
    *,
    authority="Home Office",
    when="2019-04-24",
    title="Immigration detention of trafficking victims",
    text=DISCLOSURE,
    outcome="successful",
    request_text=None,
    documents=None,
):
    docs = documents or [FoiDocument(key="response", kind="response", text=text)]
    span = parse_date_span(when)  # as a local record's date is read: "2019-04-24", "2019-06", "2017", "2017/18"
    request = FoiRequest(
        source="file",
        source_id=key,
        url=None,
        authority=authority,
        title=title,
        request_text=request_text,
        outcome=outcome,
        date_responded=span and span.start,
        date_precision=span and span.precision,
        date_end=span and span.end,
        raw={"title": title, "outcome": outcome, "date": when},  # ingest rewrites a request when its raw changes
        documents=docs,
    )
    world.save_fois(db, [request])
    return request.id


def refusal_with(db, qid=1000001, **kwargs):
    add_question(db, qid)
    add_refusal(db, qid, **kwargs)
    return qid


def matches(db, qid=None):
    sql = "SELECT * FROM matches" + (" WHERE question_id = ?" if qid else "") + " ORDER BY score DESC"
    return list(db.query(sql, [qid] if qid else []))


def shifted(days: int) -> str:
    return (date.fromisoformat(ANSWERED) + timedelta(days=days)).isoformat()


def test_same_department_agencies_included_other_departments_not(mdb):
    qid = refusal_with(mdb)
    agency = add_foi(mdb, "ukvi-1", authority="UK Visas and Immigration")
    other = add_foi(mdb, "moj-1", authority="Ministry of Justice")
    unknown = add_foi(mdb, "council-1", authority="Exampleton Borough Council")
    stats = match_db(mdb)
    found = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert agency in found and other not in found
    assert found[agency]["department_id"] == "home-office"
    # a council is no department's: its letter is at most "held locally" evidence, shown apart
    assert unknown not in found or found[unknown]["evidence_kind"] == "held_locally"
    reasons = json.loads(found[agency]["reasons"])
    assert reasons["department"] == {"id": "home-office", "authority": "UK Visas and Immigration"}
    assert stats.refusals == 1 and stats.matched == 1 and stats.by_evidence.get("disclosure") == 1


def test_refusals_without_a_department_are_skipped(mdb):
    add_question(mdb, 1000002, body=99999)
    add_refusal(mdb, 1000002)
    add_foi(mdb, "ho-1")
    stats = match_db(mdb)
    assert stats.skipped_no_department == 1 and matches(mdb) == []


def test_time_is_a_score_inside_ten_years_and_a_cut_beyond(mdb):
    # Real documented pairs lie 6 to 7 years apart (RA509/RF025, RA511/RF027): ten years either side.
    qid = refusal_with(mdb)
    ids = {
        "too-early": add_foi(mdb, "too-early", when=shifted(-3660)),
        "before": add_foi(mdb, "before", when=shifted(-700)),
        "same": add_foi(mdb, "same", when=ANSWERED),
        "after": add_foi(mdb, "after", when=shifted(20)),
        "years-after": add_foi(mdb, "years-after", when=shifted(877)),  # 2.4 years after the refusal
        "six-years-after": add_foi(mdb, "six-years-after", when=shifted(2200)),
        "too-late": add_foi(mdb, "too-late", when=shifted(3660)),
    }
    match_db(mdb, options=MatchOptions(keep=10))
    found = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert set(found) == {ids[k] for k in ("before", "same", "after", "years-after", "six-years-after")}
    assert found[ids["six-years-after"]]["score"] < found[ids["years-after"]]["score"]
    assert (found[ids["before"]]["time_relation"], found[ids["before"]]["gap_days"]) == ("before", 700)
    assert (found[ids["same"]]["time_relation"], found[ids["same"]]["gap_days"]) == ("same_day", 0)
    assert (found[ids["after"]]["time_relation"], found[ids["after"]]["gap_days"]) == ("after", 20)
    assert (found[ids["years-after"]]["time_relation"], found[ids["years-after"]]["gap_days"]) == ("after", 877)
    # closer in time scores higher, other things equal
    scores = [found[ids[k]]["score"] for k in ("same", "after", "before", "years-after")]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4

    match_db(mdb, options=MatchOptions(keep=10, days_before=30, days_after=10))
    assert {m["foi_request_id"] for m in matches(mdb, qid)} == {ids["same"]}


def test_an_foi_dated_to_a_month_or_a_year_is_compared_by_its_span(mdb):
    qid = refusal_with(mdb)  # answered 10 June 2019
    month = add_foi(mdb, "month", when="2019-06")
    year = add_foi(mdb, "year", when="2017")
    financial = add_foi(mdb, "financial-year", when="2019/20")
    match_db(mdb, options=MatchOptions(keep=10))
    found = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert (found[month]["time_relation"], found[month]["gap_days"]) == ("within", 0)
    assert (found[financial]["time_relation"], found[financial]["gap_days"]) == ("within", 0)
    assert (found[year]["time_relation"], found[year]["gap_days"]) == ("before", 526)  # from 31 December 2017
    assert found[month]["score"] == found[financial]["score"] > found[year]["score"]
    reasons = json.loads(found[year]["reasons"])["rules"]["time"]
    assert (reasons["gap_days"], reasons["precision"]) == (-526, "year")


def test_an_foi_without_a_date_is_a_candidate_with_a_penalty(mdb):
    qid = refusal_with(mdb)
    dated = add_foi(mdb, "dated", when=shifted(30))
    undated = add_foi(mdb, "undated", when=None)  # otherwise the same FOI
    match_db(mdb)
    found = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert found[undated]["time_relation"] is None and found[undated]["gap_days"] is None
    assert found[undated]["score"] < found[dated]["score"]
    assert [m["foi_request_id"] for m in matches(mdb, qid)] == [dated, undated]
    match_db(mdb, options=MatchOptions(include_undated=False))
    assert {m["foi_request_id"] for m in matches(mdb, qid)} == {dated}


def test_outcomes_not_held_and_refused_rank_below_disclosures(mdb):
    qid = refusal_with(mdb)
    released = add_foi(mdb, "released", outcome="successful")
    not_held = add_foi(
        mdb,
        "not-held",
        outcome="not_held",
        text="The Home Office does not hold information on the number of victims of trafficking held in "
        "immigration detention. The information is not held in a reportable format.",
    )
    refused = add_foi(
        mdb,
        "refused",
        outcome="rejected",
        text="We estimate that the cost of complying with your request for the number of trafficking victims in "
        "immigration detention would exceed the appropriate limit under section 12 of the Act.",
    )
    waiting = add_foi(mdb, "waiting", outcome="waiting_response", text="")
    match_db(mdb)
    rows = matches(mdb, qid)
    kinds = {m["foi_request_id"]: m["evidence_kind"] for m in rows}
    assert kinds == {released: "disclosure", not_held: "not_held", refused: "refused"}
    assert rows[0]["foi_request_id"] == released
    assert waiting not in kinds
    denial = next(m for m in rows if m["foi_request_id"] == not_held)
    assert "does not hold" in denial["evidence_text"] and json.loads(denial["evidence_figures"]) == []
    assert json.loads(denial["reasons"])["rules"]["denial"]["factor"] == 0.6


def test_a_partial_answer_s_pairs_rank_below_the_same_pairs_of_a_whole_refusal(mdb):
    # A part refused and the rest given is the weaker case: the report ranks its pairs lower (real answers
    # RL065, RM001 gave the main figures and refused a part; their pairs led the report's top 20).
    whole, part = refusal_with(mdb), refusal_with(mdb, 1000002, label="partial")
    add_foi(mdb, "released")
    match_db(mdb)
    (refused,), (partial,) = matches(mdb, whole), matches(mdb, part)
    assert partial["score"] == pytest.approx(refused["score"] * PARTIAL_FACTOR, abs=1e-3)
    assert json.loads(partial["reasons"])["rules"]["partial"]["factor"] == PARTIAL_FACTOR
    assert "partial" not in json.loads(refused["reasons"])["rules"]


def test_stable_ids_reviews_survive_and_stale_matches_go(mdb):
    qid = refusal_with(mdb)
    keep = add_foi(mdb, "keep")
    drop = add_foi(mdb, "drop", authority="UK Visas and Immigration")
    match_db(mdb)
    first = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert set(first) == {keep, drop}
    expected = hashlib.sha1(f"{qid}:foi:{keep}".encode()).hexdigest()
    assert first[keep]["id"] == expected == match_id(qid, "foi", keep)
    mdb["reviews"].insert(
        {"id": 1, "match_id": expected, "verdict": "confirmed", "note": "same figures", "reviewer": "rs"}, pk="id"
    )
    mdb["reviews"].insert({"id": 2, "match_id": first[drop]["id"], "verdict": "rejected", "reviewer": "rs"})

    # the second FOI now says it is still waiting: it is no longer a candidate, but its pair was
    # reviewed, so the pair stays (as it was) beside its review; an unreviewed one would go
    add_foi(mdb, "drop", authority="UK Visas and Immigration", outcome="waiting_response")
    match_db(mdb)
    second = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert set(second) == {keep, drop}
    assert second[drop] == first[drop]
    assert second[keep]["id"] == expected
    # the same evidence, less the corroboration the second disclosure gave it
    assert second[keep]["score"] == pytest.approx(first[keep]["score"] - CORROBORATION_STEP)
    reviews = list(mdb.query("SELECT r.*, m.id AS found FROM reviews r LEFT JOIN matches m ON m.id = r.match_id"))
    assert [(r["id"], r["verdict"], r["found"]) for r in reviews] == [
        (1, "confirmed", expected),
        (2, "rejected", first[drop]["id"]),
    ]
    mdb.execute("DELETE FROM reviews WHERE id = 2")
    match_db(mdb)
    assert {m["foi_request_id"] for m in matches(mdb, qid)} == {keep}


def pair_hits(db, words: str) -> set[str]:
    """The pairs whose own text (``matches_fts``) has ``words``, after checking the index against its table."""
    db.execute("INSERT INTO matches_fts (matches_fts, rank) VALUES ('integrity-check', 1)")
    return {row[0] for row in db.execute("SELECT rowid FROM matches_fts WHERE matches_fts MATCH ?", [words])}


def test_the_pairs_own_index_is_kept_in_step_by_every_match_run(mdb):
    qid = refusal_with(mdb)
    add_foi(mdb, "ho-1")
    match_db(mdb)
    (pair,) = matches(mdb, qid)
    rowid = mdb.execute("SELECT rowid FROM matches WHERE id = ?", [pair["id"]]).fetchone()[0]
    # the refusal's words and the FOI's matched passage in one row
    assert pair_hits(mdb, "detainees AND 507") == {rowid}
    # the FOI's title changes: a re-run rewrites the pair's text and its index
    add_foi(mdb, "ho-1", title="Immigration detention of trafficking victims (Kent)")
    match_db(mdb)
    assert pair_hits(mdb, "kent AND detainees") == {rowid}
    # no longer a refusal: the pair and its index rows go
    add_refusal(mdb, qid, label="disclosure")
    match_db(mdb)
    assert pair_hits(mdb, "detainees") == set()


def test_a_question_no_longer_a_refusal_loses_its_matches(mdb):
    qid = refusal_with(mdb)
    add_foi(mdb, "ho-1")
    match_db(mdb)
    assert len(matches(mdb, qid)) == 1
    add_refusal(mdb, qid, label="disclosure")
    stats = match_db(mdb)
    assert matches(mdb, qid) == [] and stats.removed == 1


def test_reasons_and_evidence(mdb):
    qid = refusal_with(mdb)
    letter = FoiDocument(
        key="message:1",
        kind="response",
        text="Dear Ms Esslemont, please find attached our reply to your request of 4 March 2019.",
    )
    reply = FoiDocument(
        key="attachment:1:2:52658 Reply.pdf",
        kind="attachment",
        text=(
            "Re: Freedom of Information request – 52658\n\n"
            "Table 1: Potential victims of trafficking detained in an immigration removal centre, by year\n"
            "Year | Detained\n2017 | 412\n2018 | 507\n\n"
            "This is provisional management information. It has not been assured to the standard of Official "
            "Statistics. The cost limit is £600."
        ),
    )
    fid = add_foi(mdb, "52658", documents=[letter, reply], title="FOI 52658 reply")
    match_db(mdb)
    (row,) = matches(mdb, qid)
    assert row["target_kind"] == "foi" and row["foi_request_id"] == fid
    assert row["foi_document_id"] == f"{fid}/attachment:1:2:52658 Reply.pdf"
    assert row["evidence_kind"] == "disclosure" and row["evidence_page"] == 1
    assert row["evidence_text"].startswith("Table 1: Potential victims of trafficking detained")
    assert "\nYear | Detained\n2017 | 412\n2018 | 507" in row["evidence_text"]
    figures = json.loads(row["evidence_figures"])
    assert [f["value"] for f in figures] == [412.0, 507.0]
    assert set(figures[0]) == {"text", "value", "context"} and figures[1]["context"] == "2018 | 507"
    assert row["refusal_phrase"] == "There is no central record"
    assert row["matcher_version"] == MATCHER_VERSION and row["matched_at"]
    assert row["other_question_id"] is None
    reasons = json.loads(row["reasons"])
    terms = {t["term"]: t for t in reasons["terms"]}
    assert set(terms) == set(TERMS)
    assert "evidence" in terms["trafficking"]["where"] and terms["trafficking"]["idf"] > 0
    rules = reasons["rules"]
    assert set(rules) >= {"terms", "similarity", "figures", "period", "outcome", "time", "generic"}
    assert rules["period"]["asked"] == [2018] and 2018 in rules["period"]["target"]
    assert rules["figures"]["contribution"] > 0 and rules["outcome"]["outcome"] == "successful"
    assert sum(r["contribution"] for r in rules.values()) == pytest.approx(row["score"], abs=0.002)
    assert '"trafficking"' in reasons["query"]["foi_pages"] and reasons["terms_source"] == "subject_terms"
    # every column is filled (other_question_id is for answer matches, contribution_id for statements)
    assert all(row[c] is not None for c in row if c not in ("other_question_id", "contribution_id"))


def test_generic_matches_are_penalised(mdb):
    qid = refusal_with(mdb)
    specific = add_foi(mdb, "specific")
    generic = add_foi(
        mdb,
        "generic",
        title="Modern slavery: police statistics",
        text="In 2018, 3,120 crimes of trafficking were recorded by the police.",
    )
    match_db(mdb, options=MatchOptions(min_score=0.0))
    found = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert found[specific]["score"] > found[generic]["score"] + 0.3
    rules = json.loads(found[generic]["reasons"])["rules"]
    assert rules["generic"]["specific_shared"] == ["trafficking"] and rules["generic"]["contribution"] < 0
    match_db(mdb)
    assert {m["foi_request_id"] for m in matches(mdb, qid)} == {specific}


def test_a_target_without_the_most_specific_term_is_penalised(mdb):
    qid = refusal_with(
        mdb, terms=["sanction", "pension", "credit", "applied"], subject="Pension Credit sanctions applied"
    )
    add_question(
        mdb,
        1000020,
        answered="2019-07-01",
        heading="Pension Credit: Backdating",
        question="To ask the Secretary of State, how many Pension Credit backdated awards were paid in 2018.",
        answer="<p>In 2018, 31,000 Pension Credit backdated awards were paid to claimants.</p>",
    )
    add_refusal(mdb, 1000020, label="disclosure")
    match_db(mdb, options=MatchOptions(min_score=0.0))
    (row,) = matches(mdb, qid)
    lead = json.loads(row["reasons"])["rules"]["lead"]
    assert lead["term"] == "sanction" and lead["contribution"] < 0
    match_db(mdb)
    assert matches(mdb, qid) == []


def _undated_question(db, qid, *, question, answer):
    world.save_answers(
        db,
        [question_value(qid, dateAnswered=None, dateTabled=None, dateForAnswer=None, questionText=question,
                        answerText=answer, heading=None)],
        fetched_at="2024-01-01",
    )  # fmt: skip


def test_an_answer_of_unknown_date_is_matched_and_time_counts_for_nothing(mdb):
    # Stored copies of real answers often carry no date (real A123, RA507): they are still matched.
    qid = 1000001
    _undated_question(mdb, qid, question=None, answer="<p>There is no central record.</p>")
    add_refusal(mdb, qid)
    near, far = add_foi(mdb, "near", when="2019-04-24"), add_foi(mdb, "far", when="2012-01-10")
    stats = match_db(mdb)
    found = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert {near, far} <= set(found) and stats.matched == 1
    assert found[near]["score"] == found[far]["score"] and found[near]["time_relation"] is None
    assert json.loads(found[near]["reasons"])["rules"]["time"]["contribution"] == 0.0


def test_a_partial_answer_and_an_answer_of_unknown_date_are_evidence_too(mdb):
    qid = refusal_with(mdb)
    gave = 1000020
    _undated_question(
        mdb,
        gave,
        question="To ask the Secretary of State for the Home Department, how many victims of trafficking were "
        "held in immigration detention in 2018, by nationality.",
        answer="<p>In 2018, 507 victims of trafficking were held in immigration detention. Their nationality is "
        "not recorded centrally.</p>",
    )
    add_refusal(mdb, gave, label="partial")
    match_db(mdb)
    (row,) = [m for m in matches(mdb, qid) if m["target_kind"] == "answer"]
    assert (row["other_question_id"], row["evidence_kind"]) == (gave, "answer")


def test_an_answer_whose_tables_the_stored_copy_lost_is_evidence_by_the_sentence_pointing_to_them(mdb):
    # Real copies of written answers drop their attachments: "Please see the attached tables showing ...".
    qid = refusal_with(mdb)
    gave = 1000030
    add_question(
        mdb,
        gave,
        answered="2019-07-17",
        answer="<p>Please see the attached tables showing the number of victims of trafficking held in immigration "
        "detention in each of the last five years.</p>",
    )
    add_refusal(mdb, gave, label="disclosure")
    elsewhere = 1000031
    add_question(
        mdb,
        elsewhere,
        answered="2019-07-17",
        answer="<p>Please see the attached tables showing the cost of the Adults at Risk policy.</p>",
    )
    add_refusal(mdb, elsewhere, label="disclosure")
    match_db(mdb)
    (row,) = [m for m in matches(mdb, qid) if m["target_kind"] == "answer"]
    assert row["other_question_id"] == gave and "attached tables" in row["evidence_text"]


def test_a_word_glued_across_an_enumerator_is_no_subject_term(mdb):
    # "in(a) all hospitals" comes out of a real subject as the word "inall": it is no part of what was asked.
    qid = 1000001
    add_question(
        mdb,
        qid,
        question="To ask the Secretary of State for the Home Department, how many victims of trafficking were held "
        "in(a) all immigration detention centres and (b) prisons in 2018.",
        answer="<p>There is no central record of such persons.</p>",
    )
    add_refusal(mdb, qid, terms=["inall", *TERMS])
    add_foi(mdb, "foi")
    match_db(mdb)
    (row,) = matches(mdb, qid)
    assert {t["term"] for t in json.loads(row["reasons"])["terms"]} == set(TERMS)


def test_an_answer_without_a_question_takes_its_subject_from_the_refusing_sentence(mdb):
    # Real answers quoted without their question: "There is no central record of such persons".
    qid = 1000001
    add_question(
        mdb,
        qid,
        heading=None,
        question="",
        answer="<p>There is no central record of trafficking victims held in immigration detention.</p>",
    )
    add_refusal(mdb, qid, subject=None, terms=[])
    foi = add_foi(mdb, "foi")
    match_db(mdb)
    (row,) = matches(mdb, qid)
    assert row["foi_request_id"] == foi
    reasons = json.loads(row["reasons"])
    assert reasons["terms_source"] == "answer"
    assert {t["term"] for t in reasons["terms"]} >= {"trafficking", "victims", "immigration", "detention"}


def test_a_local_body_that_disclosed_is_held_locally_evidence_never_the_departments(mdb):
    qid = refusal_with(mdb)  # "There is no central record": not_held_centrally
    council = add_foi(mdb, "council", authority="Exampleton County Council")
    police = add_foi(mdb, "police", authority="Northumbria Police", outcome="not_held")
    department = add_foi(mdb, "home", authority="Home Office (Immigration Enforcement)")
    match_db(mdb)
    found = {m["foi_request_id"]: m for m in matches(mdb, qid)}
    assert found[department]["evidence_kind"] == "disclosure"
    assert found[council]["evidence_kind"] == "held_locally" and police not in found
    assert found[council]["score"] < found[department]["score"]
    reasons = json.loads(found[council]["reasons"])
    assert reasons["rules"]["held_locally"]["factor"] == 0.5
    assert reasons["department"]["authority"] == "Exampleton County Council"
    shown = io.StringIO()
    write_report(mdb, shown, fmt="md")
    assert f"**{EVIDENCE_NAMES['held_locally']}:**" in shown.getvalue()

    mdb.execute("UPDATE refusals SET category = 'disproportionate_cost' WHERE question_id = ?", [qid])
    mdb.conn.commit()
    match_db(mdb)  # only a "not held centrally" refusal says the data is not held by the department
    assert council not in {m["foi_request_id"] for m in matches(mdb, qid)}


def test_people_under_the_age_of_18_are_the_children_a_disclosure_counts(mdb):
    # Real A170 / RF017: "people aged under the age of 18 ... missing from asylum hotels" was
    # answered elsewhere as "unaccompanied children ... went missing".
    subject = "people aged under the age of 18 reported as missing from asylum hotels"
    qid = refusal_with(mdb, subject=subject, terms=["missing", "hotel", "age", "asylum", "people", "reported"])
    text = "Since July 2021, 440 unaccompanied asylum-seeking children went missing from hotels; 200 are still missing."
    foi = add_foi(mdb, "children", title="Unaccompanied children missing from hotels", text=text)
    match_db(mdb, options=MatchOptions(min_score=0.0))
    (row,) = matches(mdb, qid)
    terms = [t["term"] for t in json.loads(row["reasons"])["terms"]]
    assert row["foi_request_id"] == foi and terms[0] == "children" and "age" not in terms


def test_a_place_the_question_narrows_to_weighs_little_against_a_national_figure(mdb):
    # Real A170 / S007: a refusal for one London borough; the minister gave the national figure.
    subject = "victims of trafficking held in immigration detention in the London Borough of Hounslow"
    qid = refusal_with(mdb, subject=subject, terms=["hounslow", "borough", "london", *TERMS])
    national = add_foi(mdb, "national")
    match_db(mdb)
    (row,) = matches(mdb, qid)
    assert row["foi_request_id"] == national and row["score"] >= 0.4
    assert json.loads(row["reasons"])["rules"]["lead"]["term"] == "trafficking"  # not the place


def test_an_answer_that_gave_the_figures_contradicts_the_refusal(mdb):
    qid = refusal_with(mdb)
    gave = 1000010
    add_question(
        mdb,
        gave,
        answered="2019-07-17",
        question="To ask the Secretary of State for the Home Department, how many potential victims of trafficking "
        "were held in immigration detention in 2018.",
        answer="<p>In 2018, 507 people with a positive reasonable grounds decision as potential victims of "
        "trafficking were held in immigration detention; 479 received that decision during detention.</p>",
    )
    add_refusal(mdb, gave, label="disclosure")
    other_department = 1000011
    add_question(
        mdb,
        other_department,
        body=54,
        answered="2019-07-17",
        answer="<p>In 2018, 507 victims of trafficking were held in immigration detention.</p>",
    )
    add_refusal(mdb, other_department, label="disclosure")
    no_figures = 1000012
    add_question(
        mdb,
        no_figures,
        answered="2019-07-18",
        answer="<p>Victims of trafficking in immigration detention are supported under the Adults at Risk policy.</p>",
    )
    add_refusal(mdb, no_figures, label="disclosure")
    stats = match_db(mdb)
    (row,) = matches(mdb, qid)
    assert (row["target_kind"], row["other_question_id"], row["evidence_kind"]) == ("answer", gave, "answer")
    assert row["foi_request_id"] is None and row["foi_document_id"] is None
    assert row["id"] == match_id(qid, "answer", gave)
    assert "507 people" in row["evidence_text"] and (row["time_relation"], row["gap_days"]) == ("after", 37)
    assert [f["value"] for f in json.loads(row["evidence_figures"])] == [507.0, 479.0]
    assert stats.answer_matches == 1
    match_db(mdb, options=MatchOptions(answers=False))
    assert matches(mdb, qid) == []


def test_one_answer_text_given_to_several_questions_is_one_disclosure(mdb):
    # Real RF202 / SI091 (match-1.10): the Home Office gave one text to two questions; a refusal's pairs hold
    # it once (the copy does not take a place of the pool), and corroboration counts it once.
    qid = refusal_with(mdb)
    text = (
        "<p>In 2018, 507 people with a positive reasonable grounds decision as potential victims of trafficking "
        "were held in immigration detention;\n\n479 received that decision during detention.</p>"
    )
    first, copy = 1000020, 1000021
    for other, answer in ((first, text), (copy, text.replace("\n\n", "\n"))):
        add_question(
            mdb,
            other,
            answered="2019-07-17",
            question="To ask the Secretary of State for the Home Department, how many potential victims of "
            "trafficking were held in immigration detention in 2018.",
            answer=answer,
        )
        add_refusal(mdb, other, label="disclosure")
    match_db(mdb)
    rows = matches(mdb, qid)
    assert [r["other_question_id"] for r in rows if r["target_kind"] == "answer"] in ([first], [copy])
    assert all("corroboration" not in json.loads(r["reasons"])["rules"] for r in rows)


def _many_fois(db, n):
    ingest(
        db,
        [
            FoiRequest(
                source="file",
                source_id=f"ho-{i}",
                url=None,
                authority="Home Office",
                title=f"Immigration detention of trafficking victims ({i})",
                outcome="successful",
                date_responded=shifted(-(i % 600)),
                documents=[FoiDocument(key="r", kind="response", text=DISCLOSURE.replace("507", str(100 + i)))],
            )
            for i in range(n)
        ],
    )


def _run_counting_reads(n):
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    save_departments(db)
    qid = refusal_with(db)
    _many_fois(db, n)
    statements = []
    db.conn.set_trace_callback(statements.append)
    stats = match_db(db, options=MatchOptions(candidates=10, keep=3))
    db.conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    return stats, reads, matches(db, qid)


def test_candidates_are_bounded_not_all_pairs():
    small, small_reads, _ = _run_counting_reads(30)
    large, large_reads, found = _run_counting_reads(150)
    assert small.max_candidates == large.max_candidates == 10 and large.candidates == 10
    assert len(found) == 3
    # each phrase's rows are read once, by a one-phrase FTS5 query; no statement more with more FOIs
    ranked = [s for s in large_reads if " MATCH " in s]
    assert ranked and len(ranked) == len([s for s in small_reads if " MATCH " in s])
    assert len(small_reads) == len(large_reads) < 120


def test_phrase_lists_give_the_rows_and_bm25_of_fts5(mdb):
    """The candidate search adds up each phrase's bm25 share in the department's rows: the same rows
    and scores as FTS5's own query (``REQUEST_SQL``, ``PAGE_SQL``) over the whole index."""
    refusal_with(mdb)
    for i, (title, text) in enumerate(
        [
            ("Immigration detention of trafficking victims", DISCLOSURE),
            ("Trafficking victims in detention centres", "The number of trafficking victims was 12 in 2018."),
            ("Detention of immigration offenders", "Immigration detention figures: 40 people held."),
            ("Victims of crime in the immigration system", "Victims of trafficking and immigration detention: 9."),
            ("Trafficking victims", "Trafficking trafficking victim victims detention."),
        ]
    ):
        add_foi(mdb, f"ho-{i}", title=title, text=text, when=f"2019-0{i + 1}-10")
    for qid, answer in ((1000002, DISCLOSURE), (1000003, "In 2018, 40 trafficking victims were held in detention.")):
        add_question(mdb, qid, answer=answer)
        add_refusal(mdb, qid, label="disclosure")
    add_foi(mdb, "moj-1", authority="Ministry of Justice", title="Trafficking victims in immigration detention")
    refusal = load_refusals(mdb.conn, None)[0]
    matcher = Matcher(mdb.conn, MatchOptions())
    search = matcher.search
    terms, _ = matcher.terms(refusal)
    dept = search.dept_codes[refusal["department_id"]]
    window = {"dept": dept, "lo": 0, "hi": 10**9, "undated": 1, "limit": 50}
    for pairs in (True, False):
        query = search.query("foi_requests", terms, pairs=pairs, rarest_alone=True)
        found = search.hits("foi_requests", query, dept, 0, 10**9, True)
        mine = best(found, 50, search.lists["foi_requests"].rowids)
        fts5 = mdb.execute(REQUEST_SQL, {**window, "query": query.expression()}).fetchall()
        assert len(fts5) >= 3
        assert [r for r, _ in mine] == [r for r, _ in fts5]
        assert [s for _, s in mine] == pytest.approx([s for _, s in fts5])
    query = search.query("questions", terms, rarest_alone=True)
    found = search.hits("questions", query, dept, 0, 10**9, True)
    mine = best(found, 50, search.lists["questions"].rowids)
    fts5 = mdb.execute(ANSWER_SQL, {**window, "query": query.expression(), "qid": 0}).fetchall()
    assert len(fts5) == 3 and [r for r, _ in mine] == [r for r, _ in fts5]
    assert [s for _, s in mine] == pytest.approx([s for _, s in fts5])
    query = search.query("foi_pages", terms, rarest_alone=False)
    mine = search.pages(query, dept, 0, 10**9, True, 50)
    fts5 = mdb.execute(PAGE_SQL, {**window, "query": query.expression()}).fetchall()
    assert [(r, p) for r, p, _ in mine] == [(r, p) for r, p, _ in fts5] and len(fts5) >= 2
    assert [s for *_, s in mine] == pytest.approx([s for *_, s in fts5])
    matcher.close()


def test_a_phrase_read_in_part_keeps_fts5_scores(mdb, monkeypatch):
    """With more rows of a phrase in the department than ``PHRASE_ROWS``, the search reads its
    highest shares and looks its share up in every row the other phrases found: each row found
    keeps the score FTS5 gives it, and the best rows are still found."""
    monkeypatch.setattr(phrases, "PHRASE_ROWS", 1)
    refusal_with(mdb)
    for i in range(6):
        extra = " trafficking victims" * (i % 3)
        add_foi(mdb, f"ho-{i}", title=f"Immigration detention{extra} ({i})", text=DISCLOSURE, when=f"2019-0{i + 1}-10")
    refusal = load_refusals(mdb.conn, None)[0]
    matcher = Matcher(mdb.conn, MatchOptions())
    search = matcher.search
    terms, _ = matcher.terms(refusal)
    dept = search.dept_codes[refusal["department_id"]]
    query = search.query("foi_requests", terms, rarest_alone=True)
    mine = best(search.hits("foi_requests", query, dept, 0, 10**9, True), 50, search.lists["foi_requests"].rowids)
    window = {"dept": dept, "lo": 0, "hi": 10**9, "undated": 1, "limit": 50, "query": query.expression()}
    fts5 = dict(mdb.execute(REQUEST_SQL, window).fetchall())
    assert len(fts5) == 6 and 2 <= len(mine) <= 6
    assert all(score == pytest.approx(fts5[rowid]) for rowid, score in mine)
    assert mine[0][0] == min(fts5, key=fts5.get)
    matcher.close()


def test_only_some_questions(mdb):
    first = refusal_with(mdb, 1000001)
    second = refusal_with(mdb, 1000002)
    add_foi(mdb, "ho-1")
    match_db(mdb, options=MatchOptions(question_ids=(second,)))
    assert [m["question_id"] for m in matches(mdb)] == [second]
    match_db(mdb)
    assert sorted(m["question_id"] for m in matches(mdb)) == [first, second]


def test_terms_from_the_subject_when_the_list_is_empty(mdb):
    qid = refusal_with(mdb, terms=[])
    fid = add_foi(mdb, "ho-1")
    match_db(mdb)
    (row,) = matches(mdb, qid)
    assert row["foi_request_id"] == fid and json.loads(row["reasons"])["terms_source"] == "subject"


def test_workers_give_the_same_matches(tmp_path, monkeypatch):
    import pqcheck.match.run

    db = open_db(tmp_path / "pq.db")
    for qid in (1000001, 1000002, 1000003):
        refusal_with(db, qid)
    add_foi(db, "ho-1")
    add_foi(db, "ho-2", when=shifted(100), authority="Immigration Enforcement")
    match_db(db)
    alone = [(m["id"], m["score"]) for m in matches(db)]
    monkeypatch.setattr(pqcheck.match.run, "MIN_PARALLEL", 0)
    stats = match_db(db, options=replace(MatchOptions(), workers=2))
    assert [(m["id"], m["score"]) for m in matches(db)] == alone and stats.matches == 6


def test_the_evaluation_dataset_meets_the_targets(tmp_path):
    result = quality_matches.evaluate(tmp_path / "eval.db", classifier=False)
    assert result["pairs"] >= 25 and len(result["departments"]) >= 8
    assert result["recall_at_3"] >= 0.9, result["missed"]
    assert result["precision_top20"] >= 0.8, result["top20_wrong"]
    assert result["distractors_in_top20"] == []


def test_an_answer_that_refers_back_takes_its_subject_from_the_sentences_before(mdb):
    # "... there are no central records of such persons" (Lord Rosser's account of the 2018 and 2019 answers)
    qid = 1000001
    add_question(
        mdb,
        qid,
        heading=None,
        question="",
        answer="<p>Where there are reasonable grounds to believe that an individual may be a victim of trafficking, "
        "such individuals shall not be held in immigration detention. There is no central record of such persons. "
        "The information requested could be provided only at disproportionate cost.</p>",
    )
    add_refusal(mdb, qid, subject=None, terms=[])
    foi = add_foi(mdb, "foi")
    match_db(mdb)
    (row,) = matches(mdb, qid)
    assert row["foi_request_id"] == foi
    terms = {t["term"] for t in json.loads(row["reasons"])["terms"]}
    assert {"trafficking", "victim", "immigration", "detention"} <= terms
    assert not terms & {"persons", "requested", "disproportionate", "cost"}


def test_an_answer_labelled_a_refusal_that_gives_figures_on_the_subject_is_evidence_below_a_disclosure(mdb):
    # A minister who refuses one part may give figures on another (real RF202: "not available in a reportable
    # format" for all asylum seekers, then the missing children's figures).
    qid = refusal_with(mdb)
    gave = 1000020
    add_question(
        mdb,
        gave,
        answered="2019-07-17",
        answer="<p>In 2018, 507 people with a positive reasonable grounds decision as potential victims of "
        "trafficking were held in immigration detention.</p>",
    )
    add_refusal(mdb, gave, label="disclosure")
    aside = 1000021
    add_question(
        mdb,
        aside,
        answered="2019-07-17",
        answer="<p>Nationality is not recorded centrally. In 2018, 507 people with a positive reasonable grounds "
        "decision as potential victims of trafficking were held in immigration detention.</p>",
    )
    add_refusal(mdb, aside, label="refusal")
    off_subject = 1000022
    add_question(
        mdb,
        off_subject,
        answered="2019-07-17",
        answer="<p>Data on victims of trafficking held in immigration detention are not recorded centrally. "
        "The Department replied to 1,250 letters from the public in 2018.</p>",
    )
    add_refusal(mdb, off_subject, label="refusal")
    in_passing = 1000023  # an answer to another question ("other") that gives the same figures in passing
    add_question(
        mdb,
        in_passing,
        answered="2019-07-17",
        answer="<p>We keep detention under review. In 2018, 507 people with a positive reasonable grounds decision "
        "as potential victims of trafficking were held in immigration detention.</p>",
    )
    add_refusal(mdb, in_passing, label="other")
    match_db(mdb)
    found = {m["other_question_id"]: m for m in matches(mdb, qid) if m["target_kind"] == "answer"}
    assert set(found) == {gave, aside, in_passing}
    assert found[aside]["evidence_kind"] == "answer" and found[aside]["score"] < found[in_passing]["score"]
    assert found[in_passing]["score"] < found[gave]["score"]
    factors = {q: json.loads(found[q]["reasons"])["rules"]["denial"]["factor"] for q in (aside, in_passing)}
    assert factors == {aside: 0.6, in_passing: 0.8}  # beside a refusal: the same denial, as a not_held letter's


def test_a_letter_with_no_recorded_outcome_that_gives_figures_counts_as_released(mdb):
    # Letters from a researcher's own files carry no WhatDoTheyKnow status: read them as they read.
    qid = refusal_with(mdb)
    gave = add_foi(mdb, "gave", outcome=None)
    said_not = add_foi(
        mdb,
        "said-not",
        outcome=None,
        text="The Home Office does not hold information on victims of trafficking held in immigration detention.",
    )
    match_db(mdb)
    found = {m["foi_request_id"]: json.loads(m["reasons"])["rules"]["outcome"] for m in matches(mdb, qid)}
    assert found[gave]["contribution"] > 0
    assert said_not not in found or found[said_not]["contribution"] == 0


LETTER = (
    "Immigration Enforcement\nSandford House\nDear Ms Example,\n"
    "Thank you for your email of 4 March 2019, in which you ask for the number of victims of trafficking held "
    "in immigration detention on 31 December 2018.\n"
    "Your request has been handled as a request for information under the Freedom of Information Act 2000.\n"
    "The data you have requested is set out below: 507.\n"
    "If you are dissatisfied with this response you may request an independent internal review.\n"
    "Yours sincerely\nImmigration Enforcement Secretariat"
)


def test_a_letter_is_read_without_its_form():
    from pqcheck.match.letters import is_boilerplate, restated_request, substance

    assert is_boilerplate("If you are dissatisfied with this response you may request an internal review.")
    assert not is_boilerplate("The data you have requested is set out below: 507.")
    assert restated_request(LETTER) == (
        "the number of victims of trafficking held in immigration detention on 31 December 2018."
    )
    kept = substance(LETTER)
    assert "victims of trafficking held in immigration detention" in kept and "set out below: 507" in kept
    assert not any(w in kept for w in ("Thank you", "internal review", "Freedom of Information", "Yours sincerely"))


def test_an_foi_stored_without_its_request_is_read_for_the_request_its_letter_restates(mdb):
    qid = refusal_with(mdb)
    foi = add_foi(mdb, "letter", title="Freedom of Information request 52658", text=LETTER, request_text=None)
    match_db(mdb)
    (row,) = [m for m in matches(mdb, qid) if m["foi_request_id"] == foi]
    hits = {t["term"]: t["where"] for t in json.loads(row["reasons"])["terms"]}
    assert "request" in hits["trafficking"] and "request" in hits["detention"]


def test_a_phrase_of_the_lexicon_is_one_term_its_related_forms_match():
    # Real RQ004 / RG005: "attempted suicides" in prisons was refused; the figures were given as self-harm.
    from pqcheck.match.terms import Stemmer, TermFinder

    finder = TermFinder(Stemmer())
    raw = finder.with_phrases("attempted suicides, in prisons", ["suicide", "prison", "attempted"])
    assert raw == ["attempted suicide", "prison"]
    # a word also used outside the phrase stays a term of its own
    assert "suicide" in finder.with_phrases("suicides and attempted suicides", ["suicide", "attempted"])


def test_a_refusal_of_attempted_suicides_is_matched_by_figures_on_self_harm(mdb):
    subject = "attempted suicides in immigration detention"
    qid = refusal_with(mdb, subject=subject, terms=["suicide", "immigration", "detention", "attempted"])
    harm = add_foi(
        mdb,
        "harm",
        title="Self-harm incidents in immigration detention",
        text="In 2018 there were 2,000 incidents of self-harm in immigration detention.",
    )
    deaths = add_foi(
        mdb,
        "deaths",
        title="Suicides in immigration detention",
        text="In 2018 there were 3 self-inflicted deaths in immigration detention.",
    )
    match_db(mdb, options=MatchOptions(min_score=0.0))
    found = {m["foi_request_id"]: json.loads(m["reasons"]) for m in matches(mdb, qid)}
    assert found[harm]["terms"][0]["term"] == "attempted suicide"
    hits = {t["term"]: t["credit"] for t in found[harm]["terms"]}
    assert hits["attempted suicide"] == 1.0
    assert deaths not in found or {t["term"]: t["credit"] for t in found[deaths]["terms"]}["attempted suicide"] == 0


@pytest.mark.parametrize(
    ("subject", "terms", "title", "text", "found"),
    [
        pytest.param(
            # Real RS004 / RT006: the question spells out "reinforced autoclaved aerated concrete"; the minister's
            # later answer with the figures says "RAAC".
            "schools that responded to the questionnaire on reinforced autoclaved aerated concrete",
            ["questionnaire", "reinforced", "autoclaved", "aerated", "concrete", "school"],
            "RAAC questionnaire responses",
            "All schools have now returned the questionnaire and 231 have confirmed RAAC.",
            ["reinforced autoclaved aerated concrete"],
            id="an acronym",
        ),
        pytest.param(
            # Real A122 / RF205: the maximum daily spend on asylum hotels was refused; a later answer gave the cost
            # "at their peak" as "almost £9 million a day".
            "maximum daily spend on hotel accommodation for asylum-seekers",
            ["maximum", "daily", "hotel", "asylum-seeker"],
            "Asylum hotels",
            "At their peak use, more than 400 hotels were leased for asylum-seekers at a cost of £9 million a day.",
            ["maximum", "daily"],
            id="the maximum a day as the cost a day at the peak",
        ),
    ],
)
def test_a_refusal_is_matched_by_a_disclosure_in_other_words(mdb, subject, terms, title, text, found):
    qid = refusal_with(mdb, subject=subject, terms=terms)
    target = add_foi(mdb, "target", title=title, text=text)
    match_db(mdb, options=MatchOptions(min_score=0.0))
    reasons = {m["foi_request_id"]: json.loads(m["reasons"]) for m in matches(mdb, qid)}
    hits = {t["term"]: t["credit"] for t in reasons[target]["terms"]}
    assert all(hits[term] == 1.0 for term in found)


def test_no_fixed_abode_is_homelessness():
    from pqcheck.match.terms import Stemmer, TermFinder

    finder = TermFinder(Stemmer())
    raw = finder.with_phrases("released from prison with no fixed abode", ["prison", "fixed", "abode", "released"])
    assert raw == ["prison", "no fixed abode", "released"]
    (key,) = [k for k in finder.related if k.strip() == "no fix abod"]
    assert "homeless" in finder.related[key]


def test_the_alternatives_a_question_enumerates_are_read_one_at_a_time():
    from pqcheck.match.terms import Stemmer, Term, alternatives, readings

    question = (
        "To ask the Secretary of State for Work and Pensions, how many claimants of (a) attendance allowance, "
        "(b) employment support allowance and (c) universal credit have died after registering those claims."
    )
    (items,) = alternatives({"question_text": question})
    assert [i.strip(" ,") for i in items] == [
        "attendance allowance",
        "employment support allowance and",
        "universal credit",
    ]
    (short,) = alternatives({"question_text": "How many (a) adult and (b) children asylum seekers went missing."})
    assert short == ["adult and", "children asylum seekers"]  # the last: never much longer than the others
    assert alternatives({"question_text": question, "refused_part": "(c) universal credit"}) == []
    stemmer = Stemmer()
    words = ["died", "attendance allowance", "employment support allowance", "universal credit", "claimant"]
    terms = [Term(text=w, stems=tuple(stemmer.words(w)), key="") for w in words]
    assert readings(terms, [items], stemmer) == [(0, 1, 4), (0, 2, 4), (0, 3, 4)]
    assert readings(terms, [], stemmer) == [(0, 1, 2, 3, 4)]


def test_under_its_best_reading_a_target_on_one_alternative_holds_the_subject():
    from pqcheck.match.terms import Refusal, Stemmer, Term

    question = "How many claimants of (a) attendance allowance and (b) universal credit have died."
    stemmer = Stemmer()
    words = ["died", "attendance allowance", "universal credit", "claimant"]
    terms = [Term(text=w, stems=tuple(stemmer.words(w)), key="") for w in words]
    row = {"question_id": 1, "department_id": "x", "phrase": None, "subject": None, "heading": None}
    refusal = Refusal({**row, "question_text": question}, terms, None, stemmer, frozenset())
    on_one = [1.0, 0.0, 1.0, 1.0]  # died, universal credit, claimant: the (b) reading, all found
    assert refusal.best_reading_share(on_one) == 1.0 and refusal.share(on_one) == 0.75
    assert refusal.best_reading_share([1.0, 1.0, 1.0, 0.0]) == 2 / 3  # both alternatives, no claimant
    assert refusal.lead.text == "died"  # never one alternative's term
    plain = Refusal({**row, "question_text": "How many claimants died."}, terms, None, stemmer, frozenset())
    assert plain.best_reading_share(on_one) == 0.75


def test_a_disclosure_on_one_enumerated_alternative_covers_the_subject(mdb):
    # Real RA511 / RF027: deaths of claimants of (a) AA, (b) ESA and (c) UC refused; ESA deaths disclosed.
    question = (
        "To ask the Secretary of State for Work and Pensions, how many claimants of (a) attendance allowance, "
        "(b) employment and support allowance and (c) universal credit have died before a decision."
    )
    add_question(mdb, 1000001, body=29, heading="Social Security Benefits: Deaths", question=question)
    subject = "claimants of attendance allowance, employment and support allowance and universal credit died"
    terms = ["attendance", "allowance", "universal", "credit", "employment", "support", "claimant", "died"]
    add_refusal(mdb, 1000001, subject=subject, terms=terms)
    esa = add_foi(
        mdb,
        "esa",
        authority="Department for Work and Pensions",
        title="ESA claimants who died",
        text="Between January and August 2011, 1,600 ESA claimants died before a decision on their claim.",
    )
    match_db(mdb)
    (row,) = matches(mdb, 1000001)
    rules = json.loads(row["reasons"])["rules"]
    assert row["foi_request_id"] == esa  # the ESA reading: all its terms found
    assert rules["lead"]["term"] in ("claimant", "died") and rules["lead"]["contribution"] == 0


def test_a_target_naming_none_of_the_alternatives_is_about_another_item(monkeypatch):
    # Real RA511 / RF076: deaths before a decision of claimants of (a) AA, (b) ESA and (c) UC refused; a
    # written answer on the same deaths of personal independence payment claimants names none of them.
    from pqcheck.match.scoring import WEIGHTS, full_score, quick_score
    from pqcheck.match.terms import Refusal, Stemmer, Term, Text

    question = "How many claimants of (a) attendance allowance and (b) universal credit have died."
    stemmer = Stemmer()
    words = ["died", "attendance allowance", "universal credit", "claimant"]
    keys = [" " + " ".join(stemmer.words(w)) + " " for w in words]
    terms = [Term(text=w, stems=tuple(stemmer.words(w)), key=k, keys=(k,)) for w, k in zip(words, keys, strict=True)]
    row = {"question_id": 1, "department_id": "x", "phrase": None, "subject": None, "heading": None}
    refusal = Refusal({**row, "question_text": question}, terms, None, stemmer, frozenset())
    assert [terms[i].text for i in refusal.alternative_indexes] == ["attendance allowance", "universal credit"]

    def candidate(title: str) -> dict:
        return {
            "kind": "foi",
            "title_text": Text(stemmer.words(title)),
            "request_stems": Text([]),
            "title_fuzzy": title,
            "request_fuzzy": "",
            "years": set(),
            "outcome": "successful",
            "day": None,
            "target": title,
        }

    def score(title: str) -> float:
        return quick_score(refusal, candidate(title))

    named, other = "claimants of universal credit who died", "claimants of personal independence payment who died"
    gap = score(named) - score(other)
    monkeypatch.setitem(WEIGHTS, "alternatives_missing", 0.0)
    assert gap - (score(named) - score(other)) == pytest.approx(0.125)  # half the penalty, on the first pass
    monkeypatch.setitem(WEIGHTS, "alternatives_missing", -0.25)
    evidence = {"figures": [], "group": None}
    rules = {
        title: full_score(refusal, candidate(title), evidence)["reasons"]["rules"]["alternatives"]
        for title in (named, other)
    }
    assert rules[named]["contribution"] == 0.0 and rules[other]["contribution"] == -0.25  # the whole penalty
    assert rules[other]["terms"] == ["attendance allowance", "universal credit"]
    whole = Refusal({**row, "question_text": "How many claimants died."}, terms, None, stemmer, frozenset())
    assert whole.alternative_indexes == []


def test_the_lead_term_is_never_one_alternative_of_several(mdb):
    # Real RQ002: "(a) all hospitals in England and (b) hospitals with the Red Card Scheme": the rare
    # "card" of one alternative is not what a disclosure of the national figure must hold.
    question = (
        "To ask the Secretary of State for Health how many attacks against hospital staff were recorded in "
        "(a) all hospitals in England and (b) hospitals in England with the Red Card Scheme in each of the last "
        "three years."
    )
    add_question(mdb, 1000001, body=17, heading="NHS Staff: Assaults", question=question)
    subject = "attacks against hospital staff recorded in all hospitals in England and hospitals with the Red Card"
    add_refusal(mdb, 1000001, subject=subject, terms=["card", "attack", "hospital", "england", "staff", "red"])
    national = add_foi(
        mdb,
        "national",
        authority="Department of Health",
        title="Attacks on hospital staff",
        text="In 2018, 56,000 attacks on hospital staff in England were recorded.",
    )
    match_db(mdb, options=MatchOptions(min_score=0.0))
    (row,) = matches(mdb, 1000001)
    lead = json.loads(row["reasons"])["rules"]["lead"]
    assert row["foi_request_id"] == national and lead["term"] == "attack" and lead["contribution"] == 0


def test_an_answer_giving_figures_beside_a_refusal_is_read_as_if_its_aside_factor_were_not_applied(mdb):
    # Real RP001 / RF201, A170 / RF202: an answer that refused one part and gave the figures of another is scaled
    # down on the first pass before its figures are read, to below the letters of the pool; it is read all the same.
    qid = refusal_with(mdb)
    for n in range(9):
        add_foi(mdb, f"letter-{n}", title=f"Immigration detention of trafficking victims ({n})")
    for n in (1000020, 1000021):  # the two best of the answers' list (read whatever their first pass)
        add_question(
            mdb,
            n,
            answered="2019-07-17",
            heading="Human Trafficking: Immigration Detention",
            question="To ask the Secretary of State, how many victims of trafficking were held in immigration "
            "detention; how many potential victims of trafficking were detained in immigration detention.",
            answer="<p>In 2018, 507 victims of trafficking were held in immigration detention.</p>",
        )
        add_refusal(mdb, n, label="disclosure")
    aside = 1000022
    add_question(
        mdb,
        aside,
        answered="2019-07-17",
        heading="Immigration Detention: Trafficking",
        question="To ask the Secretary of State, how many victims of trafficking by nationality were held in "
        "immigration detention in 2018.",
        answer="<p>Nationality is not recorded centrally. In 2018, 507 people who were potential victims of "
        "trafficking were held in immigration detention.</p>",
    )
    add_refusal(mdb, aside, label="refusal")
    match_db(mdb)
    assert aside in {m["other_question_id"] for m in matches(mdb, qid)}


def test_a_number_word_is_never_the_lead_term(mdb):
    # Real RA512: "died within six months of having those applications rejected": "six" is rare in an
    # index, and says nothing about the subject.
    qid = refusal_with(mdb, terms=["six", *TERMS], subject=f"{SUBJECT} for six months")
    foi = add_foi(mdb, "gave")
    match_db(mdb)
    (row,) = matches(mdb, qid)
    rules = json.loads(row["reasons"])["rules"]
    assert row["foi_request_id"] == foi and rules["lead"]["term"] == "trafficking"
    assert rules["generic"]["specific_shared"][0] == "trafficking"


FLATTENED = (
    "We are unable to provide data beyond 31 December 2018. Data for 2018 is provided in table 1 below.\n\n"
    "Table 1: Victims of trafficking held in immigration detention by quarter, 2018.\n\n"
    "Quarter\n\nNumber\n\nJanuary to March\n\n120\n\nApril to June\n\n130\n\nTotal\n\n250\n"
)


def test_a_table_flattened_into_lines_is_read_as_figures():
    # Real RS003 / RT003: the stored copy of the answer has one table cell a line; find_figures reads none.
    from pqcheck.figures import find_figures
    from pqcheck.match.evidence import line_figures

    assert find_figures(FLATTENED) == []
    cells = [(f[5], f[7], f[8]) for f in line_figures(FLATTENED)]
    caption = "Table 1: Victims of trafficking held in immigration detention by quarter, 2018."
    assert cells == [("120", "January to March", caption), ("130", "April to June", caption), ("250", "Total", caption)]


def test_an_answer_whose_table_was_flattened_into_lines_is_evidence_by_its_caption(mdb):
    qid = refusal_with(mdb)
    gave = 1000020
    add_question(mdb, gave, answered="2019-07-17", heading="Immigration Detention: Statistics", answer=FLATTENED)
    add_refusal(mdb, gave, label="refusal")  # it opens with a refusal of the later months
    match_db(mdb)
    (row,) = [m for m in matches(mdb, qid) if m["other_question_id"] == gave]
    assert "Table 1: Victims of trafficking held in immigration detention" in row["evidence_text"]
    assert [f["text"] for f in json.loads(row["evidence_figures"])] == ["120", "130", "250"]
