"""Full-text search (pqcheck.search, ``pqcheck search``): query translation, ranking, filters, snippets, paging.

Most tests use a small database built here with ``support.world`` (questions through ``save_questions``,
FOI requests through ``ingest``, refusals, matches and reviews written as rows), so that each filter has
rows it keeps and rows it drops; a few use the demo database (the session fixture ``demo_db``).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqcheck import search as search_module
from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.departments import department_index
from pqcheck.errors import BadInput
from pqcheck.records import FoiDocument, FoiRequest
from pqcheck.search import MARK_END, MARK_START, SearchFilters, fts_query, search, split_marks

from .support.factories import question_value
from .support.world import add_pair, add_refusal, add_review, save_answers, save_fois

# ---------------------------------------------------------------------------------------------
# a small database where every filter has something to keep and something to drop

HOME, JUSTICE, WORK = 1, 54, 29  # answering body ids of the Home Office, MoJ and DWP


def mid(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


QUESTIONS = {
    # id: (body, answered, heading, question, answer)
    1001: (
        HOME,
        "2019-06-10",
        "Human Trafficking: Detention",
        "To ask the Home Secretary how many victims of trafficking were held in detention; trafficking and "
        "detention figures by year.",
        "<p>There is no central record of victims of trafficking held in detention.</p>",
    ),
    1002: (
        HOME,
        "2019-06-12",
        "Asylum: Hotels",
        "To ask the Home Secretary how many asylum seekers are housed in hotels.",
        "<p>The Home Office does not hold figures on trafficking; to find them would incur disproportionate cost. "
        "Some were moved to detention.</p>",
    ),
    1003: (
        JUSTICE,
        "2020-02-03",
        "Prisons: Drugs",
        "To ask the Justice Secretary what assessment has been made of drug supply into prisons.",
        "<p>Supply of drugs into prisons is tackled with scanners. The information could only be obtained at "
        "disproportionate cost. Trafficking gangs and detention were considered.</p>",
    ),
    1004: (
        HOME,
        "2021-03-01",
        "Immigration: Offenders",
        "To ask the Home Secretary how many foreign offenders were held in immigration detention.",
        "<p>The information requested is not held centrally.</p>",
    ),
    1005: (
        HOME,
        "2021-03-02",
        "Removal Centres: Staff",
        "To ask the Home Secretary about staffing of detention centres for people under immigration control.",
        "<p>Staffing is a matter for the contractors.</p>",
    ),
    1006: (
        WORK,
        "2019-07-01",
        "Universal Credit: Sanctions",
        "To ask the Work and Pensions Secretary how many sanctions were applied to claimants of universal credit.",
        "<p>Sanction figures are published quarterly; there is no central record by region.</p>",
    ),
}
REFUSALS = {  # question id: category (all labelled 'refusal'); 1005 has no refusal
    1001: "not_held_centrally",
    1002: "disproportionate_cost",
    1003: "disproportionate_cost",
    1004: "not_held_centrally",
    1006: "not_held_centrally",
}
FOIS = {
    # key: (authority, responded, title, text)
    "ho-1": (
        "Home Office",
        "2019-04-24",
        "Immigration detention of trafficking victims",
        "In 2018, 507 potential victims of modern slavery were held; 479 received the decision while held.",
    ),
    "moj-1": (
        "Ministry of Justice",
        "2020-01-10",
        "Prison drug seizures",
        "In 2019 there were 1,234 drug finds in prisons; trafficking by visitors was the most common route.",
    ),
    "dwp-1": (
        "Department for Work and Pensions",
        "2019-05-01",
        "Universal Credit sanctions by region",
        "Sanctions applied in 2018 by region: North 1,200; South 900.",
    ),
    # the word is in the request once, among many, and all over the page: the page ranks better
    "dft-1": (
        "Department for Transport",
        "2018-03-01",
        "Roadside vehicle inspections",
        "Tachograph checks: 1,200 tachograph faults found; tachograph fines 300; tachograph offences 40.",
    ),
}
REQUEST_TEXTS = {
    "dft-1": "Dear DVSA, please tell me how many roadside checks of goods vehicles, buses and coaches were made "
    "in each region, how many drivers were stopped, how many of them were fined, how the tachograph was "
    "read, which offences were found, and what guidance the examiners follow for each kind of vehicle."
}
PAIRS = {
    # name: (question id, FOI key or other question id, score)
    "ho-strong": (1001, "ho-1", 0.9),
    "ho-weak": (1002, "ho-1", 0.3),
    "moj": (1003, "moj-1", 0.6),
    "ho-answers": (1001, 1004, 0.5),
    "dwp": (1006, "dwp-1", 0.7),
}
REVIEWS = [  # (pair, verdict, reviewed_at): the latest counts
    ("ho-strong", "confirmed", "2024-01-01T10:00:00Z"),
    ("moj", "confirmed", "2024-01-01T10:00:00Z"),
    ("moj", "rejected", "2024-02-01T10:00:00Z"),
    ("dwp", "not-comparable", "2024-01-01T10:00:00Z"),
]


def build_small_db(path: Path) -> Path:
    db = open_db(path)
    values = []
    for qid, (body, answered, heading, question, answer) in QUESTIONS.items():
        values.append(
            question_value(
                qid,
                answeringBodyId=body,
                answeringBodyName={HOME: "Home Office", JUSTICE: "Ministry of Justice", WORK: "DWP"}[body],
                dateTabled=f"{answered}T00:00:00",
                dateAnswered=f"{answered}T00:00:00",
                heading=heading,
                questionText=question,
                answerText=answer,
            )
        )
    save_answers(db, values)
    for qid, category in REFUSALS.items():
        add_refusal(db, qid, category=category, classifier_version="test")
    requests, documents = {}, {}
    for key, (authority, responded, title, text) in FOIS.items():
        request = FoiRequest(
            "file",
            key,
            None,
            authority,
            title,
            request_text=REQUEST_TEXTS.get(key),
            outcome="successful",
            date_responded=responded,
            raw={"key": key},
            documents=[FoiDocument(key="response", kind="response", text=text)],
        )
        requests[key] = request.id
        documents |= save_fois(db, [request])
    for name, (qid, target, score) in PAIRS.items():
        if isinstance(target, int):
            add_pair(db, mid(name), qid, score, other_question_id=target, matcher_version="test")
        else:
            request_id = requests[target]
            target_ids = {"foi_request_id": request_id, "foi_document_id": documents[request_id]}
            passage = FOIS[target][3]  # the matched passage, as the matcher stores it
            add_pair(db, mid(name), qid, score, **target_ids, evidence_text=passage, matcher_version="test")
    for i, (name, verdict, when) in enumerate(REVIEWS, 1):
        add_review(db, i, mid(name), verdict, when, reviewer="t")
    db.conn.commit()
    db.close()
    return path


@pytest.fixture(scope="module")
def small_path(tmp_path_factory) -> Path:
    return build_small_db(tmp_path_factory.mktemp("search") / "small.db")


@pytest.fixture(scope="module")
def sdb(small_path):
    db = open_db(small_path)
    yield db
    db.close()


def ids(results, kind: str) -> list:
    return [hit.id for hit in results.hits[kind]]


def answer_ids(results) -> set[int]:
    return {int(i) for i in ids(results, "answers")}


def pair_names(results) -> set[str]:
    names = {mid(name): name for name in PAIRS}
    return {names[i] for i in ids(results, "pairs")}


def foi_keys(results) -> set[str]:
    return {i.split(":", 1)[1] for i in ids(results, "foi")}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ---------------------------------------------------------------------------------------------
# the query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trafficking detention", '"trafficking" AND "detention"'),
        ('"immigration detention" figures', '"immigration detention" AND "figures"'),
        ("prisons OR drugs", '("prisons" OR "drugs")'),
        ("detention -immigration", '("detention") NOT "immigration"'),
        ("detention NOT immigration", '("detention") NOT "immigration"'),
        ("sanct*", '"sanct"*'),
        ("C-section", '"C section"'),
        ("heading:trafficking", '"heading trafficking"'),
        ("NEAR(a b)", '"NEAR a" AND "b"'),
    ],
)
def test_fts_query_translates_the_users_syntax(text, expected):
    assert fts_query(text) == expected


@pytest.mark.parametrize("text", ["", "   ", '"', '""', "*", "-", ") OR (", "AND OR NOT", "🙂 ✓"])
def test_a_query_with_nothing_to_search_for_is_bad_input(text):
    with pytest.raises(BadInput, match="nothing to search for"):
        fts_query(text)


def test_a_query_that_only_excludes_is_bad_input():
    with pytest.raises(BadInput, match="not excluded"):
        fts_query("-trafficking NOT detention")


HOSTILE = [
    '"',
    'trafficking "',
    "NEAR(",
    "NEAR(trafficking detention, 2)",
    "a:b",
    "heading:trafficking",
    "*",
    "trafficking*",
    "*trafficking",
    ") OR (",
    "( trafficking",
    "'; DROP TABLE questions; --",
    "questions_fts MATCH 'x'",
    "^trafficking",
    "trafficking + detention",
    "trafficking AND",
    "OR",
    "NOT NOT",
    "détention traffîcking",
    "人口贩卖 拘留",
    "\x00\x01 trafficking",
    "trafficking\u200b\u0301",
    "trafficking " * 900,
    "x" * 10_000,
    "x OR " * 2000 + "y",
    '"' + "trafficking " * 1000 + '"',
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_queries_give_results_or_a_clear_error_and_harm_nothing(sdb, text):
    before = sdb.execute("SELECT count(*) FROM questions").fetchone()[0]
    try:
        results = search(sdb, text)
    except BadInput as exc:
        assert str(exc) and "sqlite" not in str(exc).lower() and "fts5" not in str(exc).lower()
    else:
        assert set(results.hits) == {"pairs", "answers", "foi"}
        assert all(total >= len(results.hits[kind]) for kind, total in results.totals.items())
    assert sdb.execute("SELECT count(*) FROM questions").fetchone()[0] == before == len(QUESTIONS)
    assert sdb["questions_fts"].exists()


def test_accented_words_find_the_unaccented_text(sdb):
    assert answer_ids(search(sdb, "détention traffîcking")) == answer_ids(search(sdb, "detention trafficking"))


# ---------------------------------------------------------------------------------------------
# matching and ranking


def test_every_word_must_appear(sdb):
    assert answer_ids(search(sdb, "trafficking")) == {1001, 1002, 1003}
    assert answer_ids(search(sdb, "trafficking detention")) == {1001, 1002, 1003}
    assert answer_ids(search(sdb, "trafficking hotels")) == {1002}
    assert answer_ids(search(sdb, "trafficking sanctions")) == set()


def test_a_row_with_the_words_in_its_heading_and_often_ranks_first(sdb):
    hits = search(sdb, "trafficking detention").hits["answers"]
    assert hits[0].id == "1001"
    assert hits[0].rank < hits[1].rank <= hits[2].rank  # bm25: lower is better
    foi = search(sdb, "trafficking", kinds=("foi",)).hits["foi"]
    assert foi[0].id == "file:ho-1"  # in the title, not only in the text


def test_pairs_rank_by_both_sides_and_the_matchers_score(sdb):
    # the same FOI side; the strong pair's question has the words in its heading and a score of 0.9
    results = search(sdb, "trafficking detention", kinds=("pairs",))
    order = [p for p in (mid("ho-strong"), mid("ho-answers"), mid("ho-weak")) if p in ids(results, "pairs")]
    assert ids(results, "pairs")[0] == mid("ho-strong")
    assert order.index(mid("ho-strong")) < order.index(mid("ho-weak"))
    # a pair is found by either side: 507 is only in the FOI
    assert pair_names(search(sdb, "507", kinds=("pairs",))) == {"ho-strong", "ho-weak"}
    # ... and by the other answer of an answer pair
    assert pair_names(search(sdb, "offenders", kinds=("pairs",))) == {"ho-answers"}


def test_a_quoted_phrase_matches_only_the_phrase(sdb):
    assert answer_ids(search(sdb, '"immigration detention"')) == {1004}
    assert answer_ids(search(sdb, "immigration detention")) == {1004, 1005}
    assert answer_ids(search(sdb, '"detention immigration"')) == set()
    unterminated = search(sdb, '"immigration detention')
    assert answer_ids(unterminated) == {1004}


def test_or_not_minus_and_prefix(sdb):
    assert answer_ids(search(sdb, "hotels OR sanctions")) == {1002, 1006}
    assert foi_keys(search(sdb, "seizures OR sanctions")) == {"moj-1", "dwp-1"}
    assert answer_ids(search(sdb, "detention -immigration")) == {1001, 1002, 1003}
    assert answer_ids(search(sdb, "detention NOT immigration")) == {1001, 1002, 1003}
    assert answer_ids(search(sdb, "detention -trafficking -immigration")) == set()
    assert answer_ids(search(sdb, "sanct")) == set()
    assert answer_ids(search(sdb, "sanct*")) == {1006}
    assert fts_query("hotels or sanctions") == '"hotels" AND "or" AND "sanctions"'  # lower case: a word


# ---------------------------------------------------------------------------------------------
# filters


def test_department_filter_applies_to_every_kind(sdb):
    everything = search(sdb, "trafficking OR sanctions")
    home = search(sdb, "trafficking OR sanctions", SearchFilters(departments=("home-office",)))
    assert answer_ids(everything) == {1001, 1002, 1003, 1006}
    assert answer_ids(home) == {1001, 1002}
    assert foi_keys(everything) == {"ho-1", "moj-1", "dwp-1"} and foi_keys(home) == {"ho-1"}
    assert pair_names(everything) == {"ho-strong", "ho-weak", "ho-answers", "moj", "dwp"}
    assert pair_names(home) == {"ho-strong", "ho-weak", "ho-answers"}
    assert all(h.department_id == "home-office" for kind in home.hits for h in home.hits[kind])
    by_name = search(sdb, "trafficking OR sanctions", SearchFilters(departments=("Ministry of Justice",)))
    assert answer_ids(by_name) == {1003} and foi_keys(by_name) == {"moj-1"} and pair_names(by_name) == {"moj"}
    with pytest.raises(BadInput, match="unknown department"):
        search(sdb, "trafficking", SearchFilters(departments=("Ministry of Magic",)))


def test_date_filters_apply_to_answers_pairs_and_foi(sdb):
    query = "trafficking OR sanctions OR immigration"
    late = search(sdb, query, SearchFilters(date_from=date(2020, 1, 1)))
    assert answer_ids(late) == {1003, 1004, 1005}
    assert foi_keys(late) == {"moj-1"}  # answered 2020-01-10
    assert pair_names(late) == {"moj"}
    early = search(sdb, query, SearchFilters(date_to=date(2019, 6, 10)))
    assert answer_ids(early) == {1001}  # inclusive
    assert foi_keys(early) == {"ho-1", "dwp-1"}
    assert pair_names(early) == {"ho-strong", "ho-answers"}
    window = search(sdb, query, SearchFilters(date_from=date(2019, 6, 11), date_to=date(2019, 7, 1)))
    assert answer_ids(window) == {1002, 1006} and foi_keys(window) == set()
    assert pair_names(window) == {"ho-weak", "dwp"}
    with pytest.raises(BadInput, match="before it starts"):
        search(sdb, query, SearchFilters(date_from=date(2021, 1, 1), date_to=date(2020, 1, 1)))


FILTERS = [  # department and date filters, each asked of the indexes with the words (their scope)
    SearchFilters(departments=("home-office",)),
    SearchFilters(departments=("home-office", "ministry-of-justice")),
    SearchFilters(departments=("department-for-transport",)),  # FOI only: no answers or pairs of its bodies
    SearchFilters(departments=("cabinet-office",)),  # nothing of it at all
    SearchFilters(date_from=date(2019, 1, 1), date_to=date(2019, 12, 31)),
    SearchFilters(date_from=date(2019, 6, 11), date_to=date(2020, 1, 10)),  # parts of two years, inclusive
    SearchFilters(date_from=date(2020, 1, 1)),  # open ends: the departments alone are asked of the index
    SearchFilters(date_to=date(2019, 6, 10)),
    SearchFilters(departments=("home-office",), date_from=date(2019, 1, 1), date_to=date(2021, 3, 1)),
    SearchFilters(departments=("ministry-of-justice",), date_from=date(2018, 1, 1), date_to=date(2020, 1, 9)),
    SearchFilters(departments=("home-office",), date_from=date(1900, 1, 1), date_to=date(2100, 1, 1)),  # too many years
]
QUERIES = ["trafficking OR sanctions OR immigration OR tachograph", "detention", '"drug finds"', "figures -staffing"]


def passes(hit, filters: SearchFilters) -> bool:
    """Whether a hit passes the department and date filters, from what it shows."""
    when = (hit.date or "")[:10]
    return (
        (not filters.departments or hit.department_id in filters.departments)
        and (filters.date_from is None or (bool(when) and when >= filters.date_from.isoformat()))
        and (filters.date_to is None or (bool(when) and when <= filters.date_to.isoformat()))
    )


def ranked(results) -> dict[str, list[tuple[str, float]]]:
    return {kind: [(hit.id, hit.rank) for hit in hits] for kind, hits in results.hits.items()}


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("text", QUERIES)
def test_a_filtered_search_is_the_search_filtered_afterwards(sdb, text, filters):
    everything = search(sdb, text, limit=500)
    filtered = search(sdb, text, filters, limit=500)
    for kind, hits in everything.hits.items():
        expected = [(hit.id, hit.rank) for hit in hits if passes(hit, filters)]
        assert ranked(filtered)[kind] == expected, kind
        assert filtered.totals[kind] == len(expected)
    assert any(everything.hits.values())


@pytest.mark.parametrize("window", [1, 2, 1000])
@pytest.mark.parametrize("filters", FILTERS)
def test_the_scope_asked_of_the_index_changes_no_hit_and_no_rank(sdb, monkeypatch, filters, window):
    """Asked of the index or tested on each row that has the words (the scope tokens turned off), a
    filter gives the same hits in the same order, ranked by bm25 or (more rows than RANK_WINDOW
    have the words) the latest RANK_WINDOW rows that pass it."""
    text = "trafficking OR sanctions OR immigration OR tachograph OR detention"
    monkeypatch.setattr(search_module, "RANK_WINDOW", window)
    scoped = search(sdb, text, filters, limit=500)
    monkeypatch.setattr(search_module._Scope, "scope_tokens", lambda self, table: [])
    unscoped = search(sdb, text, filters, limit=500)
    assert ranked(scoped) == ranked(unscoped)
    assert scoped.totals == unscoped.totals and scoped.windowed == unscoped.windowed


def test_the_scope_asked_of_each_index_names_its_departments_and_years(sdb):
    scope = search_module._Scope.build(
        sdb, SearchFilters(departments=("home-office",), date_from=date(2019, 5, 1), date_to=date(2020, 2, 1))
    )
    assert scope.scope_tokens("foi_requests") == ["zdhomeofficey2019", "zdhomeofficey2020"]
    assert scope.scope_tokens("foi_pages") == scope.scope_tokens("foi_requests")
    assert scope.scope_tokens("questions") == [f"zb{HOME}y2019", f"zb{HOME}y2020"]
    assert set(scope.scope_tokens("matches")) == {*scope.scope_tokens("foi_requests"), *scope.scope_tokens("questions")}
    years = search_module._Scope.build(sdb, SearchFilters(date_from=date(2019, 5, 1), date_to=date(2020, 2, 1)))
    assert years.scope_tokens("questions") == ["zy2019", "zy2020"]
    assert search_module._Scope.build(sdb, SearchFilters(date_from=date(2019, 5, 1))).scope_tokens("questions") == []
    assert search_module._Scope.build(sdb, SearchFilters()).match("questions", '"x"') == '"x"'


def test_the_scope_tokens_are_never_searched_as_words(sdb):
    assert search(sdb, "detention").totals["answers"] > 0
    for text in ("zy2019", "zy*", "zb1", "zdhomeoffice", "z*", "Zy*", "žy2019", "ｚy2019", "detention zy*"):
        assert not any(search(sdb, text).totals.values()), text


def test_every_department_id_is_one_scope_token():
    """A department's scope token is its id without hyphens: one token to FTS5 only if the id has
    nothing else but letters and digits."""
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", d) for d in department_index().departments)


def test_a_changed_foi_request_takes_its_pages_to_its_new_department_and_year(tmp_path):
    db = open_db(tmp_path / "pq.db")
    words = "tachograph"  # in the page only

    def request(authority: str, responded: str) -> FoiRequest:
        text = "Tachograph faults found: 1,200."
        document = FoiDocument(key="response", kind="response", text=text)
        raw = {"authority": authority, "date": responded}
        return FoiRequest(
            "file", "r1", None, authority, "Roadside checks", date_responded=responded, raw=raw, documents=[document]
        )

    def found(department: str, year: int) -> set[str]:
        filters = SearchFilters(departments=(department,), date_from=date(year, 1, 1), date_to=date(year, 12, 31))
        return foi_keys(search(db, words, filters, kinds=("foi",)))

    save_fois(db, [request("Home Office", "2019-04-24")])
    assert found("home-office", 2019) == {"r1"} and found("ministry-of-justice", 2021) == set()
    save_fois(db, [request("Ministry of Justice", "2021-02-01")])  # the same document, its request changed

    assert found("home-office", 2019) == set() and found("ministry-of-justice", 2021) == {"r1"}
    db.execute("INSERT INTO foi_pages_fts(foi_pages_fts, rank) VALUES ('integrity-check', 1)")


def test_a_changed_answer_takes_its_pairs_to_its_new_department_and_year(tmp_path):
    db = open_db(tmp_path / "pq.db")

    def answer(body: int, answered: str) -> dict:
        return question_value(7, answeringBodyId=body, dateAnswered=f"{answered}T00:00:00", heading="Tachograph checks")

    def found(department: str, year: int) -> list[str]:
        filters = SearchFilters(departments=(department,), date_from=date(year, 1, 1), date_to=date(year, 12, 31))
        return ids(search(db, "tachograph", filters, kinds=("pairs",)), "pairs")

    save_answers(db, [answer(HOME, "2019-06-10")])
    add_refusal(db, 7, category="not_held_centrally")
    add_pair(db, "p7", 7, 0.5, other_question_id=7)
    assert found("home-office", 2019) == ["p7"]
    save_answers(db, [answer(JUSTICE, "2020-02-03")])  # moved to another department, answered again

    assert found("home-office", 2019) == [] and found("ministry-of-justice", 2020) == ["p7"]
    db.execute("INSERT INTO matches_fts(matches_fts, rank) VALUES ('integrity-check', 1)")


def test_category_filter_applies_to_answers_and_pairs_not_foi(sdb):
    query = "trafficking OR sanctions"
    costly = search(sdb, query, SearchFilters(categories=("disproportionate_cost",)))
    assert answer_ids(costly) == {1002, 1003}
    assert pair_names(costly) == {"ho-weak", "moj"}
    assert foi_keys(costly) == foi_keys(search(sdb, query))  # FOI requests have no refusal category
    assert all(h.details["category"] == "disproportionate_cost" for h in costly.hits["answers"])
    with pytest.raises(BadInput, match="unknown refusal category"):
        search(sdb, query, SearchFilters(categories=("not_held",)))


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (("confirmed",), {"ho-strong"}),  # moj was confirmed, then rejected: the latest counts
        (("rejected",), {"moj"}),
        (("not-comparable",), {"dwp"}),
        (("unreviewed",), {"ho-weak", "ho-answers"}),
        (("confirmed", "unreviewed"), {"ho-strong", "ho-weak", "ho-answers"}),
    ],
)
def test_verdict_filter_applies_to_pairs_only(sdb, verdicts, expected):
    query = "trafficking OR sanctions"
    results = search(sdb, query, SearchFilters(verdicts=verdicts))
    assert pair_names(results) == expected
    assert all((h.details["verdict"] or "unreviewed") in verdicts for h in results.hits["pairs"])
    unfiltered = search(sdb, query)
    assert answer_ids(results) == answer_ids(unfiltered) and foi_keys(results) == foi_keys(unfiltered)


def test_min_score_applies_to_pairs_only(sdb):
    query = "trafficking OR sanctions"
    strong = search(sdb, query, SearchFilters(min_score=0.6))
    assert pair_names(strong) == {"ho-strong", "moj", "dwp"}
    assert all(h.details["score"] >= 0.6 for h in strong.hits["pairs"])
    unfiltered = search(sdb, query)
    assert strong.totals["answers"] == unfiltered.totals["answers"] == 4
    assert strong.totals["foi"] == unfiltered.totals["foi"] == 3


def test_unknown_kind_limit_and_offset_are_bad_input(sdb):
    with pytest.raises(BadInput, match="unknown kind"):
        search(sdb, "trafficking", kinds=("questions",))
    with pytest.raises(BadInput, match="limit"):
        search(sdb, "trafficking", limit=0)
    with pytest.raises(BadInput, match="offset"):
        search(sdb, "trafficking", offset=-1)


# ---------------------------------------------------------------------------------------------
# snippets, paging, totals


def marked_words(snippet: str) -> list[str]:
    text, spans = split_marks(snippet)
    return [text[start:end].lower() for start, end in spans]


def test_split_marks_returns_the_text_and_the_marked_spans():
    text, spans = split_marks(f"no {MARK_START}central{MARK_END} record of {MARK_START}victims{MARK_END}")
    assert text == "no central record of victims"
    assert [text[a:b] for a, b in spans] == ["central", "victims"]
    assert split_marks("plain") == ("plain", [])
    assert split_marks(f"{MARK_START}{MARK_END}x{MARK_END}") == ("x", [])  # empty or unopened marks


def test_snippets_highlight_the_searched_words_in_every_kind(sdb):
    results = search(sdb, "trafficking detention")
    for kind in ("answers", "pairs", "foi"):
        assert results.hits[kind], kind
        for hit in results.hits[kind]:
            words = marked_words(hit.snippet)
            assert words, (kind, hit.snippet)
            assert all(w.startswith(("traffick", "detention")) for w in words), (kind, words)


def test_a_pair_found_by_its_foi_side_shows_where(sdb):
    for hit in search(sdb, "507", kinds=("pairs",)).hits["pairs"]:
        assert marked_words(hit.snippet) == ["507"], hit.snippet
    for hit in search(sdb, "offenders", kinds=("pairs",)).hits["pairs"]:
        assert set(marked_words(hit.snippet)) == {"offenders"}, hit.snippet


def test_a_pair_is_found_by_words_spread_over_its_two_sides(sdb):
    # "foreign" is only in the other answer (1004), "trafficking" only in the refusal (1001): neither
    # side has both, the pair's own text has both
    assert pair_names(search(sdb, "foreign trafficking", kinds=("pairs",))) == {"ho-answers"}
    assert answer_ids(search(sdb, "foreign trafficking", kinds=("answers",))) == set()
    # "slavery" is in the FOI's passage, "trafficking" in both sides: one bm25 over the pair's text
    assert pair_names(search(sdb, "slavery trafficking", kinds=("pairs",))) == {"ho-strong", "ho-weak"}


def test_a_foi_hit_shows_the_snippet_of_its_better_side(sdb):
    fts = fts_query("tachograph")
    own = sdb.execute(
        "SELECT bm25(foi_requests_fts, 3.0, 1.0) FROM foi_requests_fts WHERE foi_requests_fts MATCH ?", [fts]
    ).fetchone()[0]
    page = sdb.execute("SELECT bm25(foi_pages_fts) FROM foi_pages_fts WHERE foi_pages_fts MATCH ?", [fts]).fetchone()[0]
    assert page < own  # the page is the better side (bm25: lower is better)
    hit = search(sdb, "tachograph", kinds=("foi",)).hits["foi"][0]
    assert hit.id == "file:dft-1" and hit.rank == page
    assert marked_words(hit.snippet) == ["tachograph"] * 4 and hit.details["page"] == 1
    # and a request whose title has the words shows its title
    hit = search(sdb, "drug seizures", kinds=("foi",)).hits["foi"][0]
    assert split_marks(hit.snippet)[0] == "Prison drug seizures"


def test_a_prefix_search_highlights_the_whole_words(sdb):
    hit = search(sdb, "sanct*", kinds=("answers",)).hits["answers"][0]
    assert set(marked_words(hit.snippet)) <= {"sanction", "sanctions"} and marked_words(hit.snippet)


def test_paging_with_offset_and_totals(sdb):
    query = "trafficking OR sanctions OR immigration OR staffing"
    whole = search(sdb, query, kinds=("answers",), limit=10)
    assert whole.totals["answers"] == len(whole.hits["answers"]) == 6
    pages = [search(sdb, query, kinds=("answers",), limit=2, offset=n) for n in (0, 2, 4, 6)]
    assert [ids(p, "answers") for p in pages] == [ids(whole, "answers")[n : n + 2] for n in (0, 2, 4, 6)]
    assert all(p.totals["answers"] == 6 and not p.capped["answers"] for p in pages)
    assert pages[-1].hits["answers"] == []
    pairs = search(sdb, query, kinds=("pairs",), limit=2, offset=4)
    assert pairs.totals["pairs"] == 5 and len(pairs.hits["pairs"]) == 1


def test_kinds_limit_what_is_searched(sdb):
    results = search(sdb, "trafficking", kinds=("foi",))
    assert list(results.hits) == ["foi"] and list(results.totals) == ["foi"]


def test_hits_carry_their_details(sdb):
    results = search(sdb, "trafficking detention")
    answer = next(h for h in results.hits["answers"] if h.id == "1001")
    assert answer.kind == "answer" and answer.date.startswith("2019-06-10") and answer.department == "Home Office"
    assert answer.details["category"] == "not_held_centrally" and answer.details["label"] == "refusal"
    assert answer.url and "parliament.uk" in answer.url
    pair = next(h for h in results.hits["pairs"] if h.id == mid("ho-strong"))
    assert pair.kind == "pair" and pair.details["verdict"] == "confirmed" and pair.details["score"] == 0.9
    assert "Immigration detention of trafficking victims" in pair.title
    foi = next(h for h in results.hits["foi"] if h.id == "file:ho-1")
    assert foi.kind == "foi" and foi.date == "2019-04-24" and foi.department_id == "home-office"


# ---------------------------------------------------------------------------------------------
# the command


def test_cli_prints_ranked_hits_with_highlighted_snippets(small_path):
    result = run("search", small_path, "trafficking", "detention")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Matched pairs: 4 found" in out and "Written answers: 3 found" in out and "FOI disclosures:" in out
    assert "**trafficking**" in out.lower() and "**detention**" in out.lower()
    assert MARK_START not in out and MARK_END not in out and "\x1b[" not in out  # not a terminal: no colours
    answers = out[out.index("Written answers") :]
    assert answers.index("1001") < answers.index("1002")
    assert mid("ho-strong") in out


def test_cli_json_has_the_documented_fields(small_path):
    result = run("search", small_path, "trafficking", "--json", "--limit", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "trafficking" and data["fts_query"] == '"trafficking"'
    assert data["totals"] == {"pairs": 4, "answers": 3, "foi": 2}
    assert set(data["hits"]) == {"pairs", "answers", "foi"} and len(data["hits"]["answers"]) == 2
    common = {"kind", "id", "rank", "title", "snippet", "highlights", "date", "department_id", "department", "url"}
    for kind, hits in data["hits"].items():
        for hit in hits:
            assert common <= set(hit), (kind, set(hit))
            assert hit["highlights"], hit
            assert all(hit["snippet"][a:b].lower().startswith("traffick") for a, b in hit["highlights"])
            assert MARK_START not in hit["snippet"]
    pair = data["hits"]["pairs"][0]
    assert {"score", "verdict", "category", "question_id", "uin"} <= set(pair)
    assert pair["id"] == mid("ho-strong") and pair["verdict"] == "confirmed"


def test_cli_filters_and_kind(small_path):
    result = run("search", small_path, "trafficking", "OR", "sanctions", "--kind", "answers", "-d", "justice", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data["hits"]) == ["answers"] and [h["id"] for h in data["hits"]["answers"]] == ["1003"]
    # a pairs-only filter without --kind searches pairs only
    result = run("search", small_path, "trafficking", "--verdict", "unreviewed", "--json")
    data = json.loads(result.stdout)
    assert list(data["hits"]) == ["pairs"]
    assert {h["id"] for h in data["hits"]["pairs"]} == {mid("ho-weak"), mid("ho-answers")}
    result = run("search", small_path, "trafficking", "--min-score", "0.8", "--json")
    assert [h["id"] for h in json.loads(result.stdout)["hits"]["pairs"]] == [mid("ho-strong")]
    result = run("search", small_path, "trafficking", "--from", "2020-01-01", "--kind", "foi", "--json")
    assert [h["id"] for h in json.loads(result.stdout)["hits"]["foi"]] == ["file:moj-1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['"'], "nothing to search for"),
        (["-trafficking"], "not excluded"),
        (["trafficking", "-d", "Ministry of Magic"], "unknown department"),
        (["trafficking", "--from", "2021-01-01", "--to", "2020-01-01"], "after"),
    ],
)
def test_cli_user_errors_exit_2_without_a_traceback(small_path, args, message):
    result = run("search", small_path, *(["--", *args] if args[0].startswith("-") else args))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_cli_bad_option_values_exit_2(small_path):
    for args in (["--kind", "questions"], ["--limit", "0"], ["--offset", "-1"], ["--verdict", "maybe"]):
        result = run("search", small_path, "trafficking", *args)
        assert result.exit_code == 2 and "Traceback" not in result.output, (args, result.output)


# ---------------------------------------------------------------------------------------------
# the demo


def test_demo_trafficking_detention_puts_the_2019_home_office_refusal_first(demo_db):
    db = open_db(demo_db)
    try:
        results = search(db, "trafficking detention", kinds=("pairs",))
    finally:
        db.close()
    first = results.hits["pairs"][0]
    assert first.details["uin"] == "990619"
    assert first.date.startswith("2019") and first.department_id == "home-office"
    assert re.search(r"\btrafficking\b", split_marks(first.snippet)[0], re.I)
    assert results.totals["pairs"] >= 3


def test_demo_cli_search(demo_db):
    result = run("search", demo_db, "trafficking", "detention", "--kind", "pairs", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert "UIN 990619 (2019-" in result.stdout and "**trafficking**" in result.stdout
