"""The report of matched pairs: summary, order, highlighting, links, escaping, filters, formats."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shlex
from datetime import date

import pytest
import sqlite_utils
from click.testing import CliRunner

import pqcheck
from pqcheck.cli import cli
from pqcheck.db import ensure_db_shape, open_db, upsert_rows
from pqcheck.departments import save_departments
from pqcheck.errors import BadInput
from pqcheck.pairs import ReportFilters
from pqcheck.records import FoiDocument, FoiRequest
from pqcheck.report import CSV_COLUMNS, md_escape, write_report

from .support.factories import question_value
from .support.webserver import reviews
from .support.world import add_pair, add_refusal, add_review, phrase_at, save_answers, save_fois

HOME_ANSWER = (
    "<p>There is no central record of the number of victims of trafficking held in immigration detention.</p>"
    "<p>The Home Office does not collate or publish the data requested.</p>"
)
EVIL_ANSWER = (
    "<p># Heading?</p><p><script>alert(1)</script> See [x](javascript:alert(1)) and <a href='javascript:bad()'>"
    "this</a> | col | * star * _under_ `tick` ~~gone~~ $x$ &amp;lt;b&amp;gt;</p>"
    "<p>---</p><p>The information is not held centrally.</p>"
)
EVIDENCE = "In 2018, 507 victims of trafficking were held in detention, and in 2017, 1,050; 50 were children."


RECORDED = {"source": "https://example.test/api", "fetched_at": "2026-01-01T00:00:00"}


def refusal(db, question_id, phrase, category="not_held_centrally", label="refusal", occurrence=0):
    found = phrase_at(db, question_id, phrase, occurrence)
    add_refusal(
        db,
        question_id,
        label=label,
        category=category,
        **found,
        subject="victims of trafficking in detention",
        period="since 2015",
        classifier_version="test-1",
    )
    return found["phrase_start"]


def match(db, match_id, question_id, score, **extra):
    pair = {
        "reasons": json.dumps({"terms": ["trafficking", "detention"], "rules": {"same_department": 0.2}}),
        "evidence_text": EVIDENCE,
        "evidence_page": 2,
        "evidence_figures": json.dumps(
            [
                {"text": "507", "value": 507, "context": "In 2018, 507 victims"},
                {"text": "50", "value": 50, "context": "50 were children"},
            ]
        ),
        "time_relation": "before",
        "gap_days": 56,
        "matcher_version": "test-1",
    }
    add_pair(db, match_id, question_id, score, **{**pair, **extra})


def foi(request_id="detention_of_trafficking_victims", url=None, title="Immigration detention of trafficking victims"):
    return FoiRequest(
        "wdtk",
        request_id,
        url or f"https://www.whatdotheyknow.com/request/{request_id}",
        "Home Office",
        title,
        authority_id="home_office",
        outcome="successful",
        date_responded="2019-04-15",
        documents=[
            FoiDocument(
                "attachment:1:52658 Reply.pdf",
                "attachment",
                title="52658 Reply.pdf",
                url="https://www.whatdotheyknow.com/request/1/response/2/attach/3/52658%20Reply.pdf",
                text=EVIDENCE,
            )
        ],
    )


@pytest.fixture
def full(db):
    """Questions for the Home Office and the Ministry of Justice, refusals, FOI disclosures, pairs, reviews."""
    save_departments(db)
    values = [
        question_value(1, answerText=HOME_ANSWER),  # Home Office, answered 2019-06-10
        question_value(
            2,
            heading="Prisons: <script>alert(1)</script> [x](javascript:alert(1))",
            answeringBodyId=54,
            answeringBodyName="Ministry of Justice",
            answerText=EVIL_ANSWER,
            dateTabled="2020-01-20T00:00:00",
            dateAnswered="2020-02-01T00:00:00",
        ),
        question_value(3, dateAnswered="2020-03-02T00:00:00", answerText="<p>In 2019 there were 312.</p>"),
        question_value(  # Home Office, disproportionate cost, 2021
            4,
            dateTabled="2021-05-01T00:00:00",
            dateAnswered="2021-05-10T00:00:00",
            answerText="<p>This information could only be obtained at disproportionate cost.</p>",
        ),
        # not substantive: not counted as read
        question_value(5, answerIsHolding=True, dateHoldingAnswer="2019-06-10T00:00:00", dateAnswered=None),
        question_value(6, dateAnswered=None, answerText=None),
    ]
    save_answers(db, values, **RECORDED)
    second_request = foi("second_request", title="Second [request](javascript:x)", url="javascript:alert(1)")
    docs = save_fois(db, [foi(), second_request])
    refusal(db, 1, "no central record")
    refusal(db, 2, "not held centrally", label="partial")
    refusal(db, 4, "disproportionate cost", category="disproportionate_cost")
    first, second = "wdtk:detention_of_trafficking_victims", "wdtk:second_request"
    match(db, "m-home", 1, 0.91, foi_request_id=first, foi_document_id=docs[first], department_id="home-office")
    match(db, "m-evil", 2, 0.40, foi_request_id=second, foi_document_id=docs[second], time_relation="after", gap_days=1)
    match(
        db,
        "m-answer",
        4,
        0.40,
        target_kind="answer",
        evidence_kind="answer",
        other_question_id=3,
        evidence_text="In 2019 there were 312.",
        evidence_figures=json.dumps([{"text": "312", "value": 312, "context": "there were 312"}]),
        time_relation="before",
        gap_days=434,
    )
    add_review(db, 1, "m-home", "rejected", "2026-01-01T10:00:00", reviewer="bob")
    add_review(db, 2, "m-home", "confirmed", "2026-02-01T10:00:00", note="Same <b>period</b>")
    add_review(db, 3, "m-evil", "not-comparable", "2026-01-05T10:00:00")
    return db


def report(db, fmt="md", **filters):
    out = io.StringIO()
    stats = write_report(db, out, fmt=fmt, filters=ReportFilters(**filters))
    return out.getvalue(), stats


def sections(text):
    """Pair sections of the markdown, keyed by their heading line."""
    body = text.split("\n## Pairs\n", 1)[1]
    return ["### " + part for part in body.split("\n### ")[1:]]


def render(markdown):
    """The HTML a CommonMark renderer with tables makes, with raw HTML on, so that any HTML that got
    through would show. Skips when markdown-it-py is missing: checks using it come last in a test."""
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)


# ---------------------------------------------------------------------------------------------
# summary


def test_summary_counts(full):
    text, stats = report(full)
    assert (stats.answers, stats.refusals, stats.partial, stats.pairs, stats.listed) == (4, 3, 1, 3, 3)
    assert (stats.reviewed, stats.confirmed) == (2, 1)
    assert stats.verdicts == {"confirmed": 1, "not-comparable": 1}
    assert text.startswith("# Written answers that declined to give information")
    summary = text.split("\n## Contents\n")[0]
    assert "- **4** substantive written answers read, answered 2019-06-10 to 2021-05-10.\n" in summary
    assert "- **3** refusals (of which 1 partial): 75.0% of the answers read.\n" in summary
    assert (
        "**3** matched pairs (FOI disclosure 2, another written answer 1)" in summary
        and "**2** reviewed, **1** confirmed (1 not comparable)" in summary
    )
    assert "| Home Office | 3 | 2 | 66.7% | 2 |\n" in summary
    assert "| Ministry of Justice | 1 | 1 | 100.0% | 1 |\n" in summary
    assert "| not held centrally | 2 | 66.7% | 2 |\n" in summary
    assert "| disproportionate cost | 1 | 33.3% | 1 |\n" in summary
    assert "| 2019 | 1 | 1 | 100.0% | 1 |\n| 2020 | 2 | 1 | 50.0% | 1 |\n| 2021 | 1 | 1 | 100.0% | 1 |\n" in summary
    html = render(text)
    assert html.count("<table>") == 3


def test_json_summary_matches_markdown(full):
    text, _ = report(full, "json")
    summary = json.loads(text)["summary"]
    assert (summary["answers"], summary["refusals"], summary["pairs"], summary["reviewed"]) == (4, 3, 3, 2)
    assert summary["verdicts"] == {"confirmed": 1, "not-comparable": 1}
    assert [d["department_id"] for d in summary["by_department"]] == ["home-office", "ministry-of-justice"]
    assert summary["filters"]["departments"] == []


# ---------------------------------------------------------------------------------------------
# order


def test_strongest_first_with_stable_tie_break(db):
    save_departments(db)
    save_answers(db, [question_value(i) for i in range(1, 6)], **RECORDED)
    rng = random.Random(3)
    rows = [("m-c", 0.5), ("m-b", 0.9), ("m-a", 0.9), ("m-e", None), ("m-d", 0.95)]
    rng.shuffle(rows)
    for qid, (match_id, score) in enumerate(rows, 1):
        match(db, match_id, qid, score, evidence_text="x", evidence_figures="[]")
    expected = ["m-d", "m-a", "m-b", "m-c", "m-e"]
    data = json.loads(report(db, "json")[0])
    assert [p["match_id"] for p in data["pairs"]] == expected
    assert [p["rank"] for p in data["pairs"]] == [1, 2, 3, 4, 5]
    assert [r["match_id"] for r in csv.DictReader(io.StringIO(report(db, "csv")[0]))] == expected
    text = report(db)[0]
    scores = [line.split("**Score:** ")[1].split()[0] for line in text.splitlines() if "**Score:**" in line]
    assert scores == ["0.95", "0.90", "0.90", "0.50", "unscored"]
    assert [p["match_id"] for p in json.loads(report(db, "json", limit=2)[0])["pairs"]] == expected[:2]


# ---------------------------------------------------------------------------------------------
# highlighting


def test_refusal_phrase_highlighted_at_its_offsets(db):
    save_departments(db)
    text = "<p>Data is not held centrally for prisons. For police it is not held centrally either.</p>"
    save_answers(db, [question_value(1, answerText=text)], **RECORDED)
    start = refusal(db, 1, "not held centrally", occurrence=1)  # the second occurrence
    assert start > 30
    match(db, "m1", 1, 0.5)
    markdown = report(db)[0]
    assert "> Data is not held centrally for prisons. For police it is **not held centrally** either.\n" in markdown
    assert json.loads(report(db, "json")[0])["pairs"][0]["refusal"]["phrase_start"] == start
    assert "it is <strong>not held centrally</strong> either" in render(markdown)


def test_phrase_found_when_offsets_are_stale(db):
    save_departments(db)
    save_answers(db, [question_value(1, answerText=HOME_ANSWER)], **RECORDED)
    add_refusal(db, 1, phrase="no central record", phrase_start=0, phrase_end=5)
    match(db, "m1", 1, 0.5)
    assert "> There is **no central record** of the number" in report(db)[0]


def test_figures_highlighted_in_the_evidence(full):
    section = sections(report(full)[0])[0]
    assert "**The FOI response said** (figures in bold)" in section
    quote = next(line for line in section.splitlines() if line.startswith("> In 2018"))
    # 507 and the standalone 50 are bold; the 50 inside 1,050 is not
    assert (
        quote
        == "> In 2018, **507** victims of trafficking were held in detention, and in 2017, 1,050; **50** were children."
    )
    assert "- **Figures:** **507**; **50**\n" in section
    html = render(section)
    assert "<strong>507</strong>" in html and "<strong>50</strong> were" in html


def test_figure_not_in_the_quote_listed_with_its_context(db):
    save_departments(db)
    save_answers(db, [question_value(1, answerText=HOME_ANSWER)], **RECORDED)
    refusal(db, 1, "no central record")
    figures = [{"text": "9,999", "value": 9999, "context": "Table 2: 9,999 in total"}]
    match(db, "m1", 1, 0.5, evidence_figures=json.dumps(figures))
    section = sections(report(db)[0])[0]
    assert "- **Figures:** **9,999** (Table 2: 9,999 in total)\n" in section
    assert "(figures in bold)" not in section


# ---------------------------------------------------------------------------------------------
# links and anchors


def test_links(full):
    text = report(full)[0]
    first = sections(text)[0]
    assert first.startswith("### 1. Human Trafficking: Detainees — Home Office\n")
    assert (
        "- **Question:** [UIN 260001](https://questions-statements.parliament.uk/written-questions/detail/"
        "2019-06-03/260001) (Commons), tabled 2019-06-03, answered 2019-06-10\n"
    ) in first
    assert "- **Asked by:** Rosie Example (Labour)\n" in first
    assert "- **Answered by:** Victoria Minister (Conservative), Home Office\n" in first
    assert (
        "- **FOI disclosure:** [Immigration detention of trafficking victims]"
        "(https://www.whatdotheyknow.com/request/detention_of_trafficking_victims) — Home Office, "
        "answered 2019-04-15, outcome: successful\n"
    ) in first
    assert (
        "- **Document:** [52658 Reply.pdf](https://www.whatdotheyknow.com/request/1/response/2/attach/3/"
        "52658%20Reply.pdf), page 2\n"
    ) in first
    assert "- **Timing:** FOI answered 56 days before the written answer\n" in first
    assert ("- **Score:** 0.91\n  - Matched terms: trafficking, detention\n  - Rules: same department +0.20\n") in first
    other = next(s for s in sections(text) if "Other written answer" in s)
    assert (
        "- **Other written answer:** [UIN 260003](https://questions-statements.parliament.uk/written-questions/"
        "detail/2019-06-03/260003): Human Trafficking: Detainees, answered 2020-03-02\n"
    ) in other
    assert "- **Timing:** The other written answer was given 434 days before this written answer\n" in other


def test_contents_link_to_explicit_anchors_that_work_in_any_renderer(full):
    text = report(full)[0]
    contents = text.split("## Contents\n\n")[1].split("\n## Pairs")[0]
    assert contents.startswith(
        "1. [Human Trafficking: Detainees — Home Office](#pair-m-home) — score 0.91, confirmed\n"
    )
    assert '<a id="contents"></a>\n\n## Contents' in text
    html = render(text)
    # every internal link points at an explicit id (not at a heading slug only GitHub makes), and
    # each section links back to the contents
    ids = set(re.findall(r'<a id="([^"]+)"></a>', html))
    targets = re.findall(r'href="#([^"]+)"', html)
    assert len(targets) == 3 + 3 and set(targets) <= ids
    assert ids == {"contents", "pair-m-home", "pair-m-answer", "pair-m-evil"}
    assert html.count('<a href="#contents">Back to contents</a>') == 3


def test_each_pair_shows_its_match_id_and_the_line_that_records_a_verdict(demo_copy):
    out = io.StringIO()
    write_report(open_db(demo_copy, read_only=True), out, fmt="md")
    text = out.getvalue()
    first = sections(text)[0]
    match_id = re.search(r"- \*\*Match id:\*\* `([0-9a-f]{40})`\n", first).group(1)
    line = re.search(r"- \*\*Record a verdict:\*\* `(pqcheck review [^`]+)`\n", first).group(1)
    assert line.startswith(f"pqcheck review pqcheck.db {match_id} --verdict confirmed|rejected|not-comparable")
    assert str(demo_copy.parent) not in text  # the database by its name, never its folder
    page = io.StringIO()
    write_report(open_db(demo_copy, read_only=True), page, fmt="html")
    for shown in (text, page.getvalue()):  # the demo's FOI files are local: named, never shown as paths
        assert "file://" not in shown and "fixtures/demo" not in shown
    # the line is the review command's own syntax: run as written (a verdict chosen), it records it
    args = shlex.split(line.replace("confirmed|rejected|not-comparable", "rejected").replace('"..."', '"not the same"'))
    args[2] = str(demo_copy)
    result = CliRunner().invoke(cli, [*args[1:], "--by", "A. Reader"])
    assert result.exit_code == 0, result.output
    [review] = reviews(demo_copy)
    assert (review["match_id"], review["verdict"], review["note"]) == (match_id, "rejected", "not the same")


# ---------------------------------------------------------------------------------------------
# escaping


def test_upstream_text_cannot_inject_html_links_or_structure(full):
    text = report(full)[0]
    evil = next(s for s in sections(text) if "Ministry of Justice" in s.splitlines()[0])
    assert evil.splitlines()[0] == (
        "### 3. Prisons: \\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(1)) — Ministry of Justice"
    )
    assert "\\<script\\>" in evil and "<script" not in evil.replace("\\<script", "")
    assert "**not held centrally**" in evil
    html = render(text)
    assert "<script" not in html and "<b>" not in html
    assert 'href="javascript' not in html.lower() and "href='javascript" not in html.lower()
    assert html.count("<table>") == 3  # the summary tables only: '|' in an answer makes no table
    assert html.count("<hr") == 0  # a '---' line in an answer is not a rule
    assert html.count("<h1>") == 1  # '# Heading?' in an answer is not a heading
    assert "<del>" not in html and "<em>" not in html
    assert html.count("<code>") == 2 * 3  # the match id and the review line of each pair, nothing else
    # the FOI with a javascript: url and a markdown link in its title is shown as text, not a link
    assert "[Second \\[request\\](javascript:x)]" not in evil
    assert "- **FOI disclosure:** Second \\[request\\](javascript:x) — Home Office" in evil
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert "| col |" in html and "* star *" in html and "~~gone~~" in html and "$x$" in html
    assert "&amp;lt;b&amp;gt;" in html  # an entity in the text shows as typed, not as '<b>'


def test_review_note_and_member_names_are_escaped(db):
    save_departments(db)
    value = question_value(1, answerText=HOME_ANSWER, askingMember={"id": 4616, "name": "[Evil](http://x) <i>"})
    save_answers(db, [value], **RECORDED)
    refusal(db, 1, "no central record")
    match(db, "m1", 1, 0.5)
    add_review(db, 1, "m1", "confirmed", "2026-01-01", reviewer="*eve*", note="see <img src=x onerror=alert(1)>")
    text = report(db)[0]
    assert "- **Asked by:** \\[Evil\\](http://x) \\<i\\>" in text
    assert "- **Review:** confirmed by \\*eve\\* on 2026-01-01: see \\<img src=x onerror=alert(1)\\>\n" in text
    html = render(text)
    assert "<img" not in html and "<i>" not in html and 'href="http://x"' not in html


# ---------------------------------------------------------------------------------------------
# filters


def test_department_filter_by_id_name_or_fragment(full):
    for wanted in ("home-office", "Home Office", "home", "Border Force", "HOME-OFFICE", "1", "home_office"):
        data = json.loads(report(full, "json", departments=(wanted,))[0])
        assert sorted(p["match_id"] for p in data["pairs"]) == ["m-answer", "m-home"], wanted
        assert data["summary"]["answers"] == 3
        assert data["summary"]["filters"]["departments"] == ["home-office"]
    assert report(full, departments=("54",))[1].departments == ("ministry-of-justice",)  # an answering body
    text, stats = report(full, departments=("justice",))
    assert stats.pairs == 1 and stats.answers == 1 and stats.departments == ("ministry-of-justice",)
    assert "Filters: department Ministry of Justice.\n" in text
    rows = list(csv.DictReader(io.StringIO(report(full, "csv", departments=("justice", "home office"))[0])))
    assert len(rows) == 3


def test_unknown_department_lists_close_matches(full):
    with pytest.raises(BadInput, match=r"unknown department .Hme Office.\..*Did you mean: Home Office"):
        report(full, departments=("Hme Office",))
    with pytest.raises(BadInput, match="ambiguous"):
        report(full, departments=("department for business",))


def test_unknown_category_and_bad_range(full):
    with pytest.raises(BadInput, match="Did you mean: not_held_centrally"):
        report(full, categories=("not_held_central",))
    with pytest.raises(BadInput, match="ends"):
        report(full, date_from=date(2021, 1, 1), date_to=date(2020, 1, 1))
    with pytest.raises(BadInput, match="format"):
        report(full, "pdf")


def test_date_category_and_score_filters_apply_to_every_format(full):
    def ids(fmt, **filters):
        text, stats = report(full, fmt, **filters)
        if fmt == "json":
            return sorted(p["match_id"] for p in json.loads(text)["pairs"]), stats
        if fmt == "csv":
            return sorted(r["match_id"] for r in csv.DictReader(io.StringIO(text))), stats
        return sorted(s.split("\n")[0] for s in sections(text)), stats

    for fmt in ("json", "csv"):
        assert ids(fmt, date_from=date(2020, 1, 1))[0] == ["m-answer", "m-evil"]
        assert ids(fmt, date_to=date(2020, 12, 31))[0] == ["m-evil", "m-home"]
        assert ids(fmt, date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))[0] == ["m-evil"]
        assert ids(fmt, categories=("disproportionate_cost",))[0] == ["m-answer"]
        assert ids(fmt, min_score=0.5)[0] == ["m-home"]
    headings, stats = ids("md", date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
    assert len(headings) == 1 and "Ministry of Justice" in headings[0]
    assert (stats.answers, stats.refusals, stats.pairs) == (2, 1, 1)
    _, stats = ids("md", categories=("disproportionate_cost",))
    assert (stats.answers, stats.refusals, stats.pairs) == (4, 1, 1)  # answers read are not filtered by category
    text, stats = report(full, min_score=0.5)
    assert stats.pairs == 1 and "Filters: score at least 0.5.\n" in text


def test_limit_keeps_summary_counts(full):
    text, stats = report(full, limit=1)
    assert (stats.pairs, stats.listed) == (3, 1)
    assert len(sections(text)) == 1 and "- The 1 strongest pairs are listed below.\n" in text
    data = json.loads(report(full, "json", limit=1)[0])
    assert data["summary"]["pairs"] == 3 and data["summary"]["listed"] == 1 and len(data["pairs"]) == 1


# ---------------------------------------------------------------------------------------------
# verdicts


def test_latest_verdict_shown(full):
    text = report(full)[0]
    first = sections(text)[0]
    assert "- **Review:** confirmed by alice on 2026-02-01T10:00:00: Same \\<b\\>period\\</b\\>\n" in first
    assert "rejected" not in first.split("- **Record a verdict:**")[0]
    unreviewed = next(s for s in sections(text) if "Other written answer" in s)
    assert "- **Review:** not reviewed yet\n" in unreviewed
    pairs = {p["match_id"]: p for p in json.loads(report(full, "json")[0])["pairs"]}
    assert pairs["m-home"]["review"]["verdict"] == "confirmed" and pairs["m-answer"]["review"] is None
    rows = {r["match_id"]: r for r in csv.DictReader(io.StringIO(report(full, "csv")[0]))}
    assert (rows["m-home"]["verdict"], rows["m-evil"]["verdict"], rows["m-answer"]["verdict"]) == (
        "confirmed",
        "not-comparable",
        "",
    )


# ---------------------------------------------------------------------------------------------
# CSV and JSON


def test_csv_fields(full):
    text, stats = report(full, "csv")
    assert text.startswith("\ufeffrank,match_id,")  # a byte-order mark: spreadsheets read it as UTF-8
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf") and text.count("\ufeff") == 1
    text = text.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(csv.reader(io.StringIO(text)).__next__()) == CSV_COLUMNS
    assert len(rows) == stats.listed == 3
    home = rows[0]
    assert home["match_id"] == "m-home" and home["question_id"] == "1" and home["uin"] == "260001"
    assert (home["department_id"], home["department"]) == ("home-office", "Home Office")
    assert (home["date_tabled"], home["date_answered"]) == ("2019-06-03", "2019-06-10")
    assert (home["category"], home["refusal_phrase"]) == ("not_held_centrally", "no central record")
    assert home["foi_request_id"] == "wdtk:detention_of_trafficking_victims"
    assert home["foi_title"] == "Immigration detention of trafficking victims"
    assert home["foi_url"] == "https://www.whatdotheyknow.com/request/detention_of_trafficking_victims"
    assert (home["foi_date"], home["foi_outcome"]) == ("2019-04-15", "successful")
    assert (home["score"], home["time_relation"], home["gap_days"]) == ("0.91", "before", "56")
    assert home["timing"] == "FOI answered 56 days before the written answer"
    assert home["evidence_text"] == EVIDENCE and home["evidence_figures"] == "507; 50"
    assert home["verdict"] == "confirmed"
    assert rows[1]["other_question_id"] == "3" and rows[1]["other_uin"] == "260003"


def test_csv_cells_do_not_start_formulas(db):
    save_departments(db)
    save_answers(db, [question_value(1, answerText=HOME_ANSWER)], **RECORDED)
    refusal(db, 1, "no central record")
    match(db, "m1", 1, 0.5, evidence_text='=HYPERLINK("http://x","click")')
    row = next(csv.DictReader(io.StringIO(report(db, "csv")[0])))
    assert row["evidence_text"] == '\'=HYPERLINK("http://x","click")'


def test_json_has_ids_score_and_reasons_for_every_pair(full):
    data = json.loads(report(full, "json")[0])
    assert set(data) == {"provenance", "summary", "pairs"} and len(data["pairs"]) == 3
    for pair in data["pairs"]:
        for key in ("question_id", "foi_request_id", "foi_document_id", "other_question_id", "match_id", "score"):
            assert key in pair
        assert isinstance(pair["reasons"], dict) and pair["reasons"]["terms"] == ["trafficking", "detention"]
    home, answer, evil = data["pairs"]  # 0.40 and 0.40: m-answer before m-evil
    assert (home["question_id"], home["foi_request_id"], home["score"]) == (
        1,
        "wdtk:detention_of_trafficking_victims",
        0.91,
    )
    assert home["foi_document_id"].startswith("wdtk:detention_of_trafficking_victims/")
    assert home["refusal"]["phrase"] == "no central record" and home["evidence_figures"][0]["text"] == "507"
    assert (answer["question_id"], answer["other_question_id"], answer["foi_request_id"]) == (4, 3, None)
    assert answer["other_question"]["uin"] == "260003" and answer["foi"] is None
    assert evil["foi"]["url"] == "javascript:alert(1)"  # data, as stored: JSON is for tools


def test_unparsable_reasons_kept(db):
    save_departments(db)
    save_answers(db, [question_value(1, answerText=HOME_ANSWER)], **RECORDED)
    match(db, "m1", 1, 0.5, reasons="not json")
    assert json.loads(report(db, "json")[0])["pairs"][0]["reasons"] == {"unparsed": "not json"}
    assert "- **Score:** 0.50\n  - Unparsed: not json\n" in report(db)[0]


def test_reasons_readable(db):
    """The matcher's reasons: term hits with where they were found, rules with their contributions."""
    save_departments(db)
    save_answers(db, [question_value(1, answerText=HOME_ANSWER)], **RECORDED)
    refusal(db, 1, "no central record")
    reasons = {
        "terms": [
            {"term": "trafficking", "idf": 2.1, "credit": 1.0, "where": ["title", "evidence"]},
            {"term": "detention", "idf": 1.2, "credit": 0.5, "where": ["page"]},
            {"term": "victims", "idf": 0.9, "credit": 0.0, "where": []},
        ],
        "rules": {
            "terms": {"value": 0.81, "contribution": 0.324},
            "period": {"asked": [2015, 2016, 2017, 2019], "target": [2018], "value": None, "contribution": 0.0},
            "outcome": {"outcome": "successful", "contribution": 0.1},
            "denial": {"factor": 0.5, "contribution": -0.2},
        },
        "department": {"id": "home-office", "authority": "Home Office"},
        "retrieval": {"title_rank": 1, "title_bm25": -3.2},
        "query": {"title": "trafficking OR detention"},
    }
    match(db, "m1", 1, 0.5, reasons=json.dumps(reasons))
    section = sections(report(db)[0])[0]
    assert (
        "- **Score:** 0.50\n"
        "  - Matched terms: trafficking (title, evidence), detention (page); not found: victims\n"
        "  - Rules: terms +0.32 (value 0.81); period +0.00 (asked 2015–2017/2019, target 2018); "
        "outcome +0.10 (outcome successful); denial -0.20 (factor 0.5)\n"
        "- **Review:**"
    ) in section
    assert json.loads(report(db, "json")[0])["pairs"][0]["reasons"] == reasons


# ---------------------------------------------------------------------------------------------
# determinism and the empty report


def test_byte_identical_output(full):
    for fmt in ("md", "csv", "json"):
        assert report(full, fmt)[0] == report(full, fmt)[0]


def test_same_rows_in_another_order_give_the_same_report(full):
    copy = sqlite_utils.Database(memory=True)
    ensure_db_shape(copy)
    for table in ("departments", "department_aliases", "members", "questions", "refusals", "foi_requests"):
        rows = list(full[table].rows)
        random.Random(7).shuffle(rows)
        upsert_rows(copy, table, rows[::-1])
    for table in ("foi_documents", "matches", "reviews"):
        upsert_rows(copy, table, list(full[table].rows)[::-1])
    for fmt in ("md", "csv", "json"):
        assert report(copy, fmt)[0] == report(full, fmt)[0]
    copy.close()


def test_empty_database(db):
    text, stats = report(db)
    assert (stats.answers, stats.refusals, stats.pairs, stats.listed) == (0, 0, 0, 0)
    assert "- **0** substantive written answers read.\n" in text
    assert "There are no matched pairs.\n" in text and "## Contents" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")
    data = json.loads(report(db, "json")[0])
    assert data["pairs"] == [] and data["summary"]["pairs"] == 0
    assert report(db, "csv")[0] == "\ufeff" + ",".join(CSV_COLUMNS) + "\n"
    filtered = report(db, departments=("home",))[0]
    assert "There are no matched pairs within these filters.\n" in filtered
    assert "<p>There are no matched pairs.</p>" in render(text)


# ---------------------------------------------------------------------------------------------
# provenance, the verdict filter, the HTML page


def test_provenance_ends_the_markdown_and_is_the_jsons_provenance_object(full):
    text = report(full)[0]
    footer = text.split("\n## Provenance\n\n", 1)[1]
    latest = full.execute("SELECT max(fetched_at) FROM questions").fetchone()[0]
    assert latest and f"data as of {md_escape(latest)}." in footer  # from the data, not the clock
    assert f"Made with pqcheck {pqcheck.__version__};" in footer
    assert "[WhatDoTheyKnow](https://www.whatdotheyknow.com/): 2 records, Open Government Licence v3.0" in footer
    assert "Contains Parliamentary information licensed under the Open Parliament Licence v3.0." in footer
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in footer
    data = json.loads(report(full, "json")[0])
    provenance = data["provenance"]
    assert provenance["pqcheck_version"] == pqcheck.__version__ and provenance["data_as_of"] == latest
    assert {s["name"]: s["records"] for s in provenance["sources"]} == {
        "UK Parliament Written Questions API": 6,
        "WhatDoTheyKnow": 2,
    }
    assert [licence["name"] for licence in provenance["licences"]] == [
        "Open Parliament Licence v3.0",
        "Open Government Licence v3.0",
    ]
    assert report(full)[0] == text  # deterministic


def test_verdict_filter_on_the_command_line(full, tmp_path):
    path = tmp_path / "pq.db"
    disk = sqlite_utils.Database(path)
    full.conn.commit()  # a backup waits for a transaction still open
    full.conn.backup(disk.conn)
    disk.close()

    def listed(*verdicts):
        args = ["report", str(path), "--format", "json"] + [a for v in verdicts for a in ("--verdict", v)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["summary"]["filters"]["verdicts"] == sorted(verdicts)
        return [p["match_id"] for p in data["pairs"]]

    assert listed("confirmed") == ["m-home"]
    assert listed("unreviewed") == ["m-answer"]
    assert listed("not-comparable", "unreviewed") == ["m-answer", "m-evil"]
    assert listed() == ["m-home", "m-answer", "m-evil"]
    result = CliRunner().invoke(cli, ["report", str(path), "--verdict", "maybe"])
    assert result.exit_code == 2 and "maybe" in result.output


def test_html_is_one_self_contained_page_with_upstream_text_escaped(full):
    text, stats = report(full, "html")
    assert stats.listed == 3 and text.startswith("<!doctype html>") and text.rstrip().endswith("</html>")
    # nothing fetched from anywhere: styles inline, no scripts, images, frames, fonts or stylesheets
    assert "<style>" in text
    for fetches in ("<script", "<link", "<img", "<iframe", "@import", "url(", "src="):
        assert fetches not in text.lower(), fetches
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # a heading's markup shown as text
    assert 'href="javascript' not in text.lower()
    assert 'href="https://www.whatdotheyknow.com/request/detention_of_trafficking_victims"' in text
    # explicit anchors, each pair's id and verdict line, the provenance
    assert re.findall(r'<a href="#(pair-[^"]+)">', text) == ["pair-m-home", "pair-m-answer", "pair-m-evil"]
    assert all(f'<section class="pair" id="pair-{m}">' in text for m in ("m-home", "m-answer", "m-evil"))
    assert "<code>pqcheck review DB m-home --verdict confirmed|rejected|not-comparable" in text
    assert "<mark>no central record</mark>" in text and "<mark>507</mark>" in text
    assert "Open Government Licence v3.0" in text and 'id="provenance"' in text
