"""What makes a results page cheap at full scale, shown to change nothing a page shows: the keys
tables beside the indexes (``pqcheck.db.FTS_KEYS``: a hit's request, pair id and score without
reading its large row), kept in step by the savers and made by migration m009; and the cache of
search hits (``SearchCache``), given again only while the tables they were read from keep their
versions (``table_versions``, kept by triggers).

The reference for "the same hits" is the ranking as it was before the keys tables: each hit's row
(and its document and request, its answer) read and joined, written out here as SQL.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date

import pytest

from pqcheck import db as db_module
from pqcheck import search as search_module
from pqcheck.db import FTS_KEYS, fts_add, fts_content, fts_remove, open_db, table_versions
from pqcheck.pairs import LATEST_REVIEW
from pqcheck.records import FoiDocument, FoiRequest
from pqcheck.search import SearchCache, SearchFilters, hit_json, search
from pqcheck.web.app import create_app

from .support.dbcheck import assert_sound
from .support.world import save_fois

QUERIES = ["trafficking", "detention OR figures", '"human trafficking"', "victims -detention", "home* OR school*"]
FILTERS = [
    SearchFilters(departments=("home-office",)),
    SearchFilters(departments=("home-office", "ministry-of-justice"), date_from=date(2019, 1, 1)),
    SearchFilters(date_from=date(2019, 3, 1), date_to=date(2019, 8, 31)),
    SearchFilters(departments=("department-for-education",), date_from=date(2019, 1, 1), date_to=date(2019, 12, 31)),
    SearchFilters(categories=("not_held_centrally",)),
    SearchFilters(min_score=0.5, verdicts=("unreviewed",)),
]


@pytest.fixture(scope="module")
def small(demo_db):
    """The demo's database (classified and matched), read-only."""
    db = open_db(demo_db, read_only=True)
    yield db
    db.close()


def reference(db, kind: str, text: str, filters: SearchFilters) -> tuple[list[tuple[str, float]], int]:
    """The ranked (id, rank) of ``kind`` and their total, each hit's rows read and joined."""
    scope = search_module._Scope.build(db, filters)
    fts = search_module._text_only(search_module.fts_query(text))
    tables = search_module._INDEXES[kind]
    crowded = frozenset(t for t in tables if search_module._more_than(db, t, fts, search_module.RANK_WINDOW))
    rank = {t: search_module._rank(t, crowded) for t in tables}
    window = search_module._window
    if kind == "answers":
        where, params = scope.answer_where()
        base = f"""SELECT q.id, {rank["questions"]} AS rank
            FROM questions_fts JOIN questions q ON q.id = questions_fts.rowid
            LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
            LEFT JOIN refusals r ON r.question_id = q.id
            WHERE questions_fts MATCH ? AND {where}"""
        sql, params = f"{window(base, 'questions_fts.rowid')} ORDER BY rank, id DESC", [fts, *params]
    elif kind == "foi":
        where, params = scope.foi_where()
        where = where.replace("k.department_id", "f.department_id").replace("k.date", db_module.FOI_DATE)
        own = f"""SELECT f.id, {rank["foi_requests"]} AS rank, 0 AS side
            FROM foi_requests_fts JOIN foi_requests f ON f.rowid = foi_requests_fts.rowid
            WHERE foi_requests_fts MATCH ? AND {where}"""
        pages = f"""SELECT f.id, {rank["foi_pages"]} AS rank, 1 AS side
            FROM foi_pages_fts JOIN foi_pages p ON p.rowid = foi_pages_fts.rowid
            JOIN foi_documents d ON d.id = p.document_id JOIN foi_requests f ON f.id = d.request_id
            WHERE foi_pages_fts MATCH ? AND {where}"""
        sql = f"""SELECT id, min(rank) AS rank FROM ({window(own, "foi_requests_fts.rowid")} UNION ALL
            {window(pages, "foi_pages_fts.rowid")}) GROUP BY id ORDER BY rank, id DESC"""
        params = [scope.match("foi_requests", fts), *params, scope.match("foi_pages", fts), *params]
    else:
        query = scope.pair_query
        found = f"SELECT rowid AS pair_rowid, {rank['matches']} AS rank FROM matches_fts WHERE matches_fts MATCH ?"
        sql = f"""WITH {LATEST_REVIEW}, hits(pair_rowid, rank) AS ({window(found, "matches_fts.rowid")})
            SELECT m.id, h.rank * (0.25 + coalesce(m.score, 0)) AS rank
            FROM hits h JOIN matches m ON m.rowid = h.pair_rowid JOIN questions q ON q.id = m.question_id
            LEFT JOIN department_aliases qd ON qd.alias = 'body:' || q.answering_body_id
            LEFT JOIN refusals r ON r.question_id = q.id LEFT JOIN latest_review lr ON lr.match_id = m.id
            WHERE {query.pair_where} ORDER BY rank, m.score DESC, m.id"""
        params = [scope.match("matches", fts), *query.pair_params]
    rows = db.execute(f"{sql} LIMIT {search_module.COUNT_CAP}", params).fetchall()
    return [(str(row[0]), row[1]) for row in rows], len(rows)


def page(results) -> dict:
    """Everything a results page shows."""
    return {
        "hits": {kind: [hit_json(hit) for hit in hits] for kind, hits in results.hits.items()},
        "totals": results.totals,
        "capped": results.capped,
        "windowed": results.windowed,
    }


@pytest.mark.parametrize("window", [1, 2, 1000])
@pytest.mark.parametrize("filters", [SearchFilters(), *FILTERS, SearchFilters(verdicts=("unreviewed",))])
def test_every_kind_ranks_as_when_each_hits_rows_were_read(small, monkeypatch, filters, window):
    monkeypatch.setattr(search_module, "RANK_WINDOW", window)
    for text in [*QUERIES, "detention OR trafficking OR figures OR prisons"]:
        results = search(small, text, filters, limit=500)
        for kind, hits in results.hits.items():
            expected, total = reference(small, kind, text, filters)
            assert [(hit.id, hit.rank) for hit in hits] == expected, (kind, text)
            assert results.totals[kind] == total
    assert any(search(small, "detention OR trafficking", filters).hits.values()) or filters.departments


def test_a_page_from_the_cache_is_the_page_searched(small):
    cache = SearchCache()
    for filters in [SearchFilters(), *FILTERS]:
        for text in QUERIES:
            for offset in (0, 1):
                fresh = page(search(small, text, filters, limit=2, offset=offset))
                assert page(search(small, text, filters, limit=2, offset=offset, cache=cache)) == fresh
                assert page(search(small, text, filters, limit=2, offset=offset, cache=cache)) == fresh


def test_the_cache_is_asked_before_the_indexes_are_read(small, monkeypatch):
    cache = SearchCache()
    first = search(small, "trafficking", cache=cache)
    for kind in search_module._RUNNERS:
        monkeypatch.setitem(search_module._RUNNERS, kind, lambda *a: pytest.fail("searched again"))
    monkeypatch.setattr(search_module, "_more_than", lambda *a: pytest.fail("counted again"))
    again = search(small, "trafficking", cache=cache)
    assert page(again) == page(first) and all(first.hits.values())


def test_a_cached_page_is_never_given_after_a_write_to_what_it_shows(demo_copy):
    path = demo_copy
    db = open_db(path)
    cache = SearchCache()
    first = search(db, "trafficking", cache=cache)
    answer = next(hit.id for hit in first.hits["answers"] if hit.details["label"] in ("refusal", "partial"))
    writer = sqlite3.connect(path)  # any program: the triggers keep the versions
    writer.execute("UPDATE refusals SET label = 'other', category = NULL WHERE question_id = ?", [int(answer)])
    writer.execute(
        "INSERT INTO reviews (match_id, verdict, reviewer, reviewed_at) SELECT id, 'rejected', 't', "
        "'2030-01-01T00:00:00+00:00' FROM matches"
    )
    writer.execute("UPDATE foi_requests SET outcome = 'refused'")
    writer.commit()
    again = search(db, "trafficking", cache=cache)
    assert page(again) == page(search(db, "trafficking")) != page(first)
    answers = {hit.id: hit.details["label"] for hit in again.hits["answers"]}
    assert answers[answer] == "other" and {hit.details["verdict"] for hit in again.hits["pairs"]} == {"rejected"}
    assert {hit.details["outcome"] for hit in again.hits["foi"]} == {"refused"}


def test_pairs_stay_cached_while_only_unpaired_answers_are_written_and_a_row_written_as_it_was_changes_nothing(
    demo_copy,
):
    # A fetch beside the server stores new answers and fills in the text of unpaired ones: what the
    # pairs show is unchanged, so their page is given again (the answers' page is searched again);
    # a write to a paired question's row makes the pairs' page stale.
    db = open_db(demo_copy)
    cache = SearchCache()
    first = search(db, "trafficking", cache=cache)
    paired = {
        row[0] for row in db.execute("SELECT question_id FROM matches UNION SELECT other_question_id FROM matches")
    }
    unpaired = next(row[0] for row in db.execute("SELECT id FROM questions") if row[0] not in paired)
    writer = sqlite3.connect(demo_copy)
    before = table_versions(db, ("questions", "questions:paired"))
    writer.execute("UPDATE questions SET heading = heading WHERE id = ?", [unpaired])  # written as it was
    writer.commit()
    assert table_versions(db, ("questions", "questions:paired")) == before
    writer.execute("UPDATE questions SET heading = 'Trafficking: new' WHERE id = ?", [unpaired])
    writer.commit()
    after = table_versions(db, ("questions", "questions:paired"))
    assert after[0] != before[0] and after[1] == before[1]
    again = search(db, "trafficking", cache=cache)
    assert again.hits["pairs"] is first.hits["pairs"]  # the same page, from the cache
    assert page(again) == page(search(db, "trafficking"))
    question = first.hits["pairs"][0].details["question_id"]
    writer.execute("UPDATE questions SET heading = 'Renamed heading' WHERE id = ?", [question])
    writer.commit()
    assert table_versions(db, ("questions:paired",)) != (after[1],)
    fresh = search(db, "trafficking", cache=cache)
    assert fresh.hits["pairs"] is not first.hits["pairs"] and page(fresh) == page(search(db, "trafficking"))
    # an answer that gave the figures is shown with its pair too: a write to it changes what the pair shows
    writer.execute("UPDATE matches SET other_question_id = ? WHERE question_id = ?", [unpaired, question])
    writer.commit()
    before = table_versions(db, ("questions:paired",))
    writer.execute("UPDATE questions SET heading = 'Evidence renamed' WHERE id = ?", [unpaired])
    writer.commit()
    assert table_versions(db, ("questions:paired",)) != before


def request(key: str, title: str, text: str, authority: str = "Home Office") -> FoiRequest:
    document = FoiDocument(key="response", kind="response", text=text)
    raw = {"key": key}
    return FoiRequest("file", key, None, authority, title, date_responded="2022-05-01", raw=raw, documents=[document])


def test_a_cached_page_is_never_given_after_a_write_to_the_foi_indexes(tmp_path):
    db = open_db(tmp_path / "pq.db")
    save_fois(db, [request("a", "Tachograph checks", "Faults found: 1,200.")])
    cache = SearchCache()
    assert [h.id for h in search(db, "tachograph", cache=cache).hits["foi"]] == ["file:a"]

    writer = open_db(tmp_path / "pq.db")  # another connection, as a fetch beside the server
    save_fois(writer, [request("b", "Roadside stops", "Tachograph faults: 300.")])
    assert {h.id for h in search(db, "tachograph", cache=cache).hits["foi"]} == {"file:a", "file:b"}

    save_fois(writer, [request("a", "Tachograph checks", "Faults found: 1,250.", "Ministry of Justice")])
    hits = search(db, "tachograph", cache=cache).hits["foi"]
    assert {(h.id, h.department_id) for h in hits} == {("file:b", "home-office"), ("file:a", "ministry-of-justice")}

    assert search(db, "axle", cache=cache).totals["foi"] == 0
    before = table_versions(db, ("foi_pages",))
    rowids = [row[0] for row in db.execute("SELECT rowid FROM foi_pages")]
    with db_module.write_transaction(writer):  # as pqcheck ocr rewrites a page
        fts_remove(writer, "foi_pages", rowids)
        writer.execute("UPDATE foi_pages SET text = 'Axle faults: 310.' WHERE rowid = ?", [rowids[-1]])
        fts_add(writer, "foi_pages", rowids)
    assert table_versions(db, ("foi_pages",)) != before
    assert "310" in search(db, "axle", cache=cache).hits["foi"][0].snippet


def test_a_cached_page_shows_a_department_as_it_is_now_named(tmp_path):
    db = open_db(tmp_path / "pq.db")
    save_fois(db, [request("a", "Tachograph checks", "Faults found: 1,200.")])
    cache = SearchCache()
    assert search(db, "tachograph", cache=cache).hits["foi"][0].department == "Home Office"
    db.execute("UPDATE departments SET name = 'Home Department' WHERE id = 'home-office'")
    assert search(db, "tachograph", cache=cache).hits["foi"][0].department == "Home Department"


def test_two_files_never_share_table_versions(tmp_path):
    versions = {table_versions(open_db(tmp_path / f"{n}.db"), db_module.VERSIONED) for n in range(5)}
    assert len(versions) == 5 and all(None not in v for v in versions)


def test_the_cache_keeps_at_most_its_hits_the_least_recently_used_dropped_first(small):
    hits = search(small, "detention", limit=3).hits["answers"]
    cache = SearchCache(hits=7)
    for n in range(3):
        cache.put((n,), (1,), (hits, 3, False))
        cache.get((0,), (1,))  # used again: kept
    assert cache.get((1,), (1,)) is None and cache.get((0,), (1,)) is not None
    assert cache.get((2,), (1,)) == (hits, 3, False)
    cache.put((3,), (1,), ([], 0, False))  # a page without hits weighs one
    assert cache.get((0,), (1,)) is not None and cache.get((2,), (1,)) is not None


def test_a_stale_page_is_replaced_never_kept_beside_the_new_one(small):
    # A fetch that commits every second makes the answers' pages stale each time: were each version
    # kept as a page of its own, the stale ones would crowd the current pages of every kind out.
    hits = search(small, "detention", limit=3).hits["answers"]
    cache = SearchCache(hits=6)
    cache.put(("foi",), (1,), (hits, 3, False))
    for version in range(10):
        assert cache.get(("answers",), (version,)) is None
        cache.put(("answers",), (version,), (hits, 3, False))
    assert cache.get(("answers",), (8,)) is None and cache.get(("answers",), (9,)) == (hits, 3, False)
    assert cache.get(("foi",), (1,)) == (hits, 3, False)  # still held: the answers' page took one place


def test_the_web_search_page_is_the_same_from_the_cache_and_new_after_a_write(tmp_path):
    path = tmp_path / "pq.db"
    db = open_db(path)
    save_fois(db, [request("a", "Tachograph checks", "Faults found: 1,200.")])
    client = create_app(path).test_client()
    first = client.get("/search?q=tachograph").get_data(as_text=True)
    assert "Tachograph checks" in first and client.get("/search?q=tachograph").get_data(as_text=True) == first
    save_fois(db, [request("b", "Roadside stops", "Tachograph faults: 300.")])
    assert "Roadside stops" in client.get("/search?q=tachograph").get_data(as_text=True)


def keys_and_views(db, table: str) -> tuple[set, set]:
    keys, columns = FTS_KEYS[table]
    listed = ", ".join(columns)
    stored = set(db.execute(f"SELECT fts_rowid, {listed} FROM [{keys}]").fetchall())
    viewed = f"SELECT rowid, {listed} FROM [{fts_content(table)}] WHERE [{columns[0]}] IS NOT NULL"
    return stored, set(db.execute(viewed).fetchall())


def test_the_savers_keep_the_keys_with_the_rows_they_name(tmp_path, small):
    for table in FTS_KEYS:
        stored, viewed = keys_and_views(small, table)
        assert stored == viewed and stored, table
    db = open_db(tmp_path / "pq.db")
    save_fois(db, [request("a", "Tachograph checks", "Faults found: 1,200.")])
    save_fois(db, [request("a", "Tachograph checks", "Faults: 1,250.", "Ministry of Justice")])  # rewritten
    stored, viewed = keys_and_views(db, "foi_pages")
    assert stored == viewed and {row[2] for row in stored} == {"ministry-of-justice"}
    db.conn.commit()
    assert_sound(tmp_path / "pq.db")


def test_a_file_from_before_the_keys_is_migrated_with_them(demo_copy, small):
    path = demo_copy
    old = sqlite3.connect(path)
    for keys, _ in FTS_KEYS.values():
        old.execute(f"DROP TABLE [{keys}]")
    old.execute("DROP TABLE table_versions")
    for (trigger,) in old.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        old.execute(f"DROP TRIGGER [{trigger}]")
    old.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_search_keys'")
    old.commit()
    old.close()
    with pytest.raises(Exception, match="pqcheck migrate"):
        open_db(path, read_only=True)

    db = open_db(path)

    for table in FTS_KEYS:
        stored, viewed = keys_and_views(db, table)
        assert stored == viewed and stored, table
    for text in QUERIES:
        for filters in (SearchFilters(), *FILTERS):
            assert page(search(db, text, filters)) == page(search(small, text, filters))
    assert_sound(path)


def test_the_web_gives_a_rendered_page_of_hits_again_only_while_what_it_shows_is_unchanged(demo_copy):
    def sections(app) -> list[str]:
        text = app.test_client().get("/search?q=trafficking", headers={"Host": "127.0.0.1"}).text
        return re.findall(r'<section class="results".*?</section>', text, re.S)

    def rendered(app) -> dict[str, object]:
        return {key[0]: page for key, (_, (_, page)) in app.config["SEARCH_PAGES"]._held.items()}

    app = create_app(demo_copy)
    first = sections(app)
    pages = rendered(app)
    assert len(first) == 3 and len(pages) == 3  # one rendered page per kind
    assert sections(app) == first
    assert all(rendered(app)[kind] is page for kind, page in pages.items())  # given again, not rendered again
    writer = sqlite3.connect(demo_copy)
    writer.execute(
        "INSERT INTO reviews (match_id, verdict, reviewer, reviewed_at) SELECT id, 'rejected', 't', "
        "'2030-01-01T00:00:00+00:00' FROM matches"
    )
    writer.commit()
    again = sections(app)
    assert again == sections(create_app(demo_copy))  # as a server that never rendered it
    assert again[0] != first[0] and "rejected" in again[0] and "rejected" not in first[0]
    assert again[1:] == first[1:]  # the answers and FOI pages are not read from reviews: kept
    assert rendered(app)["pairs"] is not pages["pairs"]
    assert rendered(app)["answers"] is pages["answers"] and rendered(app)["foi"] is pages["foi"]


def test_a_row_fetched_again_unchanged_but_for_when_keeps_every_page_cached(demo_copy):
    # A fetch saves the asker and the minister of every answer on each page again, with the time it
    # fetched them: the pairs show members' names, not when they were fetched, so no page goes stale.
    db = open_db(demo_copy)
    cache = SearchCache()
    first = search(db, "trafficking", cache=cache)
    member = db.execute("SELECT id FROM members LIMIT 1").fetchone()[0]
    writer = sqlite3.connect(demo_copy)
    before = table_versions(db, ("members",))
    writer.execute(
        "UPDATE members SET fetched_at = '2031-01-01T00:00:00+00:00', raw = '{\"again\": 1}', "
        "source_url = 'https://example.org/api/writtenquestions/questions/2' WHERE id = ?",
        [member],
    )
    writer.commit()
    assert table_versions(db, ("members",)) == before
    again = search(db, "trafficking", cache=cache)
    assert all(again.hits[kind] is first.hits[kind] for kind in first.hits)  # every page from the cache
    writer.execute("UPDATE members SET name = 'Renamed Member' WHERE id = ?", [member])
    writer.commit()
    assert table_versions(db, ("members",)) != before
    assert search(db, "trafficking", cache=cache).hits["pairs"] is not first.hits["pairs"]


def test_hits_are_kept_under_the_versions_read_before_the_departments_were(demo_copy, monkeypatch):
    # A write to the departments' tables while a search resolves its filters: the hits it then finds
    # were read with the old names, so they must not be kept as if read after the write.
    db = open_db(demo_copy)
    cache = SearchCache()
    build = search_module._Scope.build.__func__

    def build_then_write(cls, database, filters):
        scope = build(cls, database, filters)
        writer = sqlite3.connect(demo_copy)
        department = writer.execute("SELECT department_id FROM department_aliases LIMIT 1").fetchone()[0]
        writer.execute("INSERT INTO department_aliases (alias, department_id) VALUES ('a new alias', ?)", [department])
        writer.commit()
        return scope

    monkeypatch.setattr(search_module._Scope, "build", classmethod(build_then_write))
    first = search(db, "trafficking", cache=cache)
    monkeypatch.undo()
    again = search(db, "trafficking", cache=cache)
    assert all(again.hits[kind] is not first.hits[kind] for kind in first.hits)  # searched again, not kept
    assert page(again) == page(search(db, "trafficking"))
