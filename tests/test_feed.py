"""Atom feeds of new pairs: ``/feed.atom`` on the real server and ``pqcheck report --format atom``,
read back with feedparser and checked as XML (well-formed, in the Atom namespace)."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
import requests
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.feed import entry_id
from pqcheck.pairs import ReportFilters, pair_rows
from pqcheck.review import record_review
from pqcheck.search import SearchFilters, search

from .support.databases import copy_db
from .support.webserver import serving

ATOM = "{http://www.w3.org/2005/Atom}"
TIMEOUT = 15


@pytest.fixture(scope="module")
def dated(tmp_path_factory, demo_db):
    """A copy of the demo database whose pairs were first matched on different days (one a day,
    the strongest earliest), with the match ids newest first."""

    path = copy_db(demo_db, tmp_path_factory.mktemp("feed") / "pq.db")
    conn = sqlite3.connect(path)
    ids = [row[0] for row in conn.execute("SELECT id FROM matches ORDER BY score DESC, id")]
    for day, match_id in enumerate(ids):
        stamp = f"2026-01-{day % 28 + 1:02d}T{day // 28:02d}:00:00+00:00"
        conn.execute("UPDATE matches SET first_matched_at = ? WHERE id = ?", [stamp, match_id])
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def site(dated):
    with serving(dated) as running:
        yield running


def fetch(running, path: str, **params) -> requests.Response:
    response = requests.get(urljoin(running.url, path.lstrip("/")), params=params, timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:300]
    return response


def parse(text: str):
    """The feed as feedparser reads it, after checking it is well-formed Atom XML."""
    root = ET.fromstring(text.encode())
    assert root.tag == f"{ATOM}feed"
    for entry in root.iter(f"{ATOM}entry"):
        for child in ("id", "title", "updated", "published", "content", "summary"):
            assert entry.find(f"{ATOM}{child}") is not None, child
    parsed = feedparser.parse(text)
    assert parsed.version == "atom10"
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def newest_first(db_path, filters: ReportFilters) -> list[str]:
    rows = pair_rows(open_db(db_path, read_only=True), filters)
    return [r["match_id"] for r in sorted(rows, key=lambda r: (r["first_matched_at"], r["score"]), reverse=True)]


def test_the_feed_holds_one_entry_per_new_pair_newest_first(site, dated):
    response = fetch(site, "/feed.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = parse(response.text)
    expected = newest_first(dated, ReportFilters())
    assert [e.id for e in feed.entries] == [entry_id(m) for m in expected]
    assert len({e.id for e in feed.entries}) == len(expected)
    first = feed.entries[0]
    assert urlsplit(first.link).path == f"/pair/{expected[0]}"
    assert fetch(site, urlsplit(first.link).path).status_code == 200
    assert first.published.startswith("2026-01-")
    assert feed.feed.links[0].rel == "self" and feed.feed.author == "pqcheck"
    assert "Score" in first.content[0].value and "Refusal" in first.content[0].value


def test_the_feed_takes_the_filters_of_pairs(site, dated):
    feed = parse(fetch(site, "/feed.atom", department="home-office", min_score="0.5").text)
    expected = newest_first(dated, ReportFilters(departments=("home-office",), min_score=0.5))
    everything = newest_first(dated, ReportFilters())
    assert 0 < len(expected) < len(everything)
    assert [e.id for e in feed.entries] == [entry_id(m) for m in expected]
    assert {e.tags[0].term for e in feed.entries} == {"home-office"}


def test_the_feed_takes_a_search_and_a_since_date(site, dated):
    db = open_db(dated, read_only=True)
    hits = search(db, "trafficking", SearchFilters(), kinds=("pairs",), limit=500).hits["pairs"]
    feed = parse(fetch(site, "/feed.atom", q="trafficking").text)
    assert {e.id for e in feed.entries} == {entry_id(h.id) for h in hits} and hits
    recent = parse(fetch(site, "/feed.atom", since="2026-01-20").text)
    assert [e.id for e in recent.entries] == [
        entry_id(m) for m in newest_first(dated, ReportFilters(matched_since=date(2026, 1, 20)))
    ]
    assert 0 < len(recent.entries) < len(parse(fetch(site, "/feed.atom").text).entries)
    nothing = parse(fetch(site, "/feed.atom", q="xylophonequartz").text)
    assert nothing.entries == []


def test_the_feed_is_capped_and_a_bad_filter_is_a_400(site):
    assert len(parse(fetch(site, "/feed.atom", limit="3").text).entries) == 3
    response = requests.get(urljoin(site.url, "feed.atom"), params={"min_score": "lots"}, timeout=TIMEOUT)
    assert response.status_code == 400


def test_markup_and_control_characters_in_the_data_are_escaped(dated, tmp_path):

    path = copy_db(dated, tmp_path / "pq.db")
    conn = sqlite3.connect(path)
    match_id = conn.execute("SELECT id FROM matches ORDER BY first_matched_at DESC LIMIT 1").fetchone()[0]
    conn.execute(
        "UPDATE matches SET evidence_text = ? WHERE id = ?",
        ['</content><script>alert(1)</script> ]]> & \x01\x0b "quoted"', match_id],
    )
    conn.commit()
    conn.close()
    result = CliRunner().invoke(cli, ["report", str(path), "--format", "atom", "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert "<script" not in result.output
    feed = parse(result.output)
    entry = next(e for e in feed.entries if e.id == entry_id(match_id))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry.content[0].value  # shown as text by a reader


def test_a_static_feed_of_what_is_new_since_a_date(dated, tmp_path):
    out = tmp_path / "feed.atom"
    args = ["report", str(dated), "--format", "atom", "--since", "2026-01-25", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--base-url", "https://pq.example.org"])
    assert result.exit_code == 0, result.output
    feed = parse(out.read_text())
    expected = newest_first(dated, ReportFilters(matched_since=date(2026, 1, 25)))
    assert [e.id for e in feed.entries] == [entry_id(m) for m in expected] and expected
    assert all(e.link.startswith("https://pq.example.org/pair/") for e in feed.entries)
    without_server = CliRunner().invoke(cli, args[:-2])
    assert all("parliament.uk" in e.link for e in parse(without_server.output).entries)


def test_an_entry_is_updated_by_its_review_and_a_pair_without_times_still_has_them(dated, tmp_path):
    path = copy_db(dated, tmp_path / "pq.db")
    conn = sqlite3.connect(path)
    timeless, reviewed = [r[0] for r in conn.execute("SELECT id FROM matches ORDER BY id LIMIT 2")]
    conn.execute("UPDATE matches SET first_matched_at = NULL, matched_at = NULL WHERE id = ?", [timeless])
    conn.commit()
    conn.close()
    record_review(open_db(path), reviewed, "confirmed", reviewer="tester")
    result = CliRunner().invoke(cli, ["report", str(path), "--format", "atom", "--limit", "500"])
    assert result.exit_code == 0, result.output
    entries = {e.id: e for e in parse(result.output).entries}
    assert entries[entry_id(timeless)].published and entries[entry_id(timeless)].updated
    review_day = open_db(path, read_only=True).execute("SELECT reviewed_at FROM reviews").fetchone()[0][:10]
    assert entries[entry_id(reviewed)].updated.startswith(review_day)
    assert entries[entry_id(reviewed)].published.startswith("2026-01-")


@pytest.mark.parametrize(
    ("page", "params", "expected"),
    [
        ("/pairs", {"department": "home-office", "min_score": "0.5"}, ReportFilters(("home-office",), min_score=0.5)),
        ("/department/home-office", {}, ReportFilters(("home-office",))),
        ("/", {}, ReportFilters()),
    ],
)
def test_each_page_names_the_feed_of_what_it_shows(site, dated, page, params, expected):
    html = fetch(site, page, **params).text
    found = re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)">', html)
    assert found, html[:500]
    href = found.group(1).replace("&amp;", "&")
    feed = parse(requests.get(urljoin(site.url, href), timeout=TIMEOUT).text)
    assert [e.id for e in feed.entries] == [entry_id(m) for m in newest_first(dated, expected)]
