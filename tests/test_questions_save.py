"""The saver: rows, answer history, and the rules that keep stored data from being lost."""

from __future__ import annotations

import json

from pqcheck.questions import save_questions
from pqcheck.records import QuestionRecord

from .support.factories import HOLDING_TEXT, LONG_ANSWER, LONG_QUESTION, list_view, question_value

API = "https://questions-statements-api.parliament.uk/api/writtenquestions/questions/1"


def record(value, url=API, at="2026-11-01T10:00:00+00:00"):
    return QuestionRecord(value, url, at)


def holding(**overrides):
    return question_value(
        1,
        answerIsHolding=True,
        answerText=HOLDING_TEXT,
        dateAnswered="2019-06-10T00:00:00",
        dateHoldingAnswer="2019-06-10T00:00:00",
        **overrides,
    )


def substantive(**overrides):
    return question_value(1, dateAnswered="2019-06-20T00:00:00", dateHoldingAnswer="2019-06-10T00:00:00", **overrides)


def test_a_full_record_becomes_a_row_with_provenance(db):
    value = question_value(
        1,
        groupedQuestions=["260002"],
        groupedQuestionsDates=[{"questionUin": "260002", "dateTabled": "2019-06-04T00:00:00"}],
        attachmentCount=1,
        attachments=[{"url": "https://example.org/a.pdf", "title": "Table", "fileType": "pdf", "fileSizeBytes": 1234}],
    )
    stats = save_questions(db, [record(value)])

    row = db["questions"].get(1)
    assert stats.inserted == 1
    assert row["uin"] == value["uin"]
    assert row["date_tabled"] == "2019-06-03"
    assert row["date_answered"] == "2019-06-10"
    assert row["answer_status"] == "answered"
    assert row["answer_text"] == (
        "There is no central record of the number of victims of trafficking held in immigration detention.\n\n"
        "The Home Office does not collate or publish the data requested."
    )
    assert row["answer_html"] == value["answerText"]
    assert row["answer_text_truncated"] == 0
    assert (
        row["url"] == f"https://questions-statements.parliament.uk/written-questions/detail/2019-06-03/{value['uin']}"
    )
    assert row["source_url"] == API
    assert row["fetched_at"] == "2026-11-01T10:00:00+00:00"
    assert json.loads(row["raw"]) == value
    assert json.loads(row["grouped_questions"]) == [{"uin": "260002", "date_tabled": "2019-06-04"}]
    assert json.loads(row["attachments"])[0]["title"] == "Table"
    assert db["members"].get(4530)["name"] == "Victoria Minister"
    assert db["answering_bodies"].get(1)["name"] == "Home Office"
    assert db["answer_versions"].count == 0  # the history holds replaced texts only


def test_holding_answer_is_stored_as_holding_not_as_the_answer(db):
    save_questions(db, [record(holding())])
    row = db["questions"].get(1)
    assert row["answer_status"] == "holding"
    assert row["answer_text"] is None
    assert row["holding_answer_text"] == HOLDING_TEXT


def test_substantive_answer_replaces_the_holding_answer(db):
    save_questions(db, [record(holding())])
    stats = save_questions(db, [record(substantive())])

    row = db["questions"].get(1)
    assert stats.updated == 1
    assert row["answer_status"] == "answered"
    assert row["date_answered"] == "2019-06-20"
    assert row["answer_text"].startswith("There is no central record")
    assert row["holding_answer_text"] == HOLDING_TEXT  # kept, not blanked by the thinner record
    (version,) = db["answer_versions"].rows_where("question_id = 1")
    assert (version["kind"], version["answer_text"], version["date"]) == ("holding", HOLDING_TEXT, "2019-06-10")


def test_an_old_holding_record_does_not_replace_the_substantive_answer(db):
    save_questions(db, [record(substantive())])
    stats = save_questions(db, [record(holding())])

    assert stats.kept_newer == 1
    assert db["questions"].get(1)["answer_status"] == "answered"


def test_a_correction_updates_the_row_and_keeps_the_earlier_text(db):
    save_questions(db, [record(question_value(1))])
    corrected = question_value(
        1,
        answerIsCorrection=True,
        correctingMemberId=4530,
        dateAnswerCorrected="2019-07-01T00:00:00",
        answerText="<p>In 2018, 507 people who were held in immigration detention were victims of trafficking.</p>",
    )
    stats = save_questions(db, [record(corrected)])

    row = db["questions"].get(1)
    assert stats.updated == 1
    assert row["answer_status"] == "corrected"
    assert row["date_answer_corrected"] == "2019-07-01"
    assert "507 people" in row["answer_text"]
    (earlier,) = db["answer_versions"].rows_where("question_id = 1")
    assert earlier["kind"] == "answer"
    assert earlier["date"] == "2019-06-10"
    assert earlier["answer_text"].startswith("There is no central record")
    assert earlier["answer_html"].startswith("<p>There is no central record")
    assert earlier["first_seen_at"] == "2026-11-01T10:00:00+00:00"


def test_a_truncated_list_record_never_replaces_full_text(db):
    full = question_value(1, questionText=LONG_QUESTION, answerText=LONG_ANSWER)
    save_questions(db, [record(full)])
    stats = save_questions(db, [record(list_view(full), url="https://example/list?skip=0")])

    row = db["questions"].get(1)
    assert stats.unchanged == 1
    assert row["answer_html"] == LONG_ANSWER
    assert row["question_text"] == LONG_QUESTION
    assert row["source_url"] == API


def test_a_truncated_record_is_flagged_and_later_completed(db):
    full = question_value(1, questionText=LONG_QUESTION, answerText=LONG_ANSWER)
    stats = save_questions(db, [record(list_view(full))])
    row = db["questions"].get(1)
    assert stats.truncated == 1
    assert row["answer_text_truncated"] == 1
    assert row["question_text_truncated"] == 1
    assert row["answer_text"].endswith("...")
    assert db["answer_versions"].count == 0  # a cut text is not an answer version

    save_questions(db, [record(full)])
    row = db["questions"].get(1)
    assert (row["answer_text_truncated"], row["question_text_truncated"]) == (0, 0)
    assert row["answer_html"] == LONG_ANSWER


def test_saving_the_same_record_twice_changes_nothing(db):
    save_questions(db, [record(question_value(1))])
    before = list(db["questions"].rows)
    stats = save_questions(db, [record(question_value(1), at="2026-11-02T00:00:00+00:00")])
    assert stats.unchanged == 1
    assert list(db["questions"].rows) == before


def test_duplicates_in_one_batch_keep_the_latest_activity(db):
    stats = save_questions(db, [record(substantive()), record(holding())])
    assert stats.inserted == 1
    assert db["questions"].get(1)["answer_status"] == "answered"


def test_unanswered_question(db):
    value = question_value(
        2,
        answerText=None,
        dateAnswered=None,
        answeringMemberId=None,
        answeringMember=None,
        answerIsHolding=None,
        answerIsCorrection=None,
    )
    save_questions(db, [record(value)])
    row = db["questions"].get(2)
    assert row["answer_status"] == "unanswered"
    assert row["answer_text"] is None
    assert db["answer_versions"].count == 0


def test_answers_are_searchable_with_fts(db):
    other = question_value(
        2,
        heading="Prisons: Staff",
        questionText="To ask the Secretary of State for Justice, how many prison officers there were in 2019.",
        answerText="<p>Staffing rose.</p>",
    )
    save_questions(db, [record(question_value(1)), record(other)])
    hits = db.execute("SELECT rowid FROM questions_fts WHERE questions_fts MATCH 'trafficking detention'")
    assert [row[0] for row in hits] == [1]


def test_a_list_record_never_replaces_the_detail_record_of_the_same_answer(db):
    full = question_value(1, answerText="<p>Yes.</p><p>The figures are published annually.</p>")
    save_questions(db, [QuestionRecord(full, API, "2026-11-01T10:00:00+00:00", complete=True)])
    stats = save_questions(db, [record(list_view(full), url="https://example/list?skip=0")])

    row = db["questions"].get(1)
    assert stats.unchanged == 1
    assert row["answer_text"] == "Yes.\n\nThe figures are published annually."
    assert row["full_record"] == 1
    assert db["answer_versions"].count == 0


def test_the_html_copy_of_a_plain_answer_is_not_a_new_version(db):
    full = question_value(1, answerText="<p>Yes.</p><p>The figures are published annually.</p>")
    save_questions(db, [record(list_view(full))])
    stats = save_questions(db, [QuestionRecord(full, API, "2026-11-02T10:00:00+00:00", complete=True)])

    assert stats.updated == 1
    assert db["questions"].get(1)["answer_html"] == full["answerText"]
    assert db["answer_versions"].count == 0


def test_a_second_correction_keeps_both_earlier_texts(db):
    save_questions(db, [record(question_value(1))])
    for day, figure in (("2019-07-01", 507), ("2019-08-01", 509)):
        value = question_value(
            1, answerIsCorrection=True, dateAnswerCorrected=f"{day}T00:00:00", answerText=f"<p>In 2018: {figure}.</p>"
        )
        save_questions(db, [record(value)])
    kinds = [(v["kind"], v["date"]) for v in db["answer_versions"].rows_where(order_by="date")]
    assert kinds == [("answer", "2019-06-10"), ("correction", "2019-07-01")]
    assert db["questions"].get(1)["answer_text"] == "In 2018: 509."


def test_a_255_character_question_from_the_detail_endpoint_is_whole(db):
    question = ("To ask the Secretary of State for Justice, " + "x" * 300)[:255]
    save_questions(db, [QuestionRecord(question_value(1, questionText=question), API, "t", complete=True)])
    assert db["questions"].get(1)["question_text_truncated"] == 0
