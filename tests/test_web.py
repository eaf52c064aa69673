"""`pqcheck serve` over HTTP: the real waitress server on 127.0.0.1 (a free port, a background
thread) over the demo database, fetched with requests.

Search ranking, filters, links and exports; bad parameters; verdicts (the form field, the token);
markup and ``javascript:`` links in the data shown as text; department pages; read-only GETs.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import threading
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.pairs import ReportFilters, summary
from pqcheck.review import record_review
from pqcheck.web import server as server_module
from pqcheck.web.app import create_app, db
from pqcheck.web.server import is_loopback, make_server

from .support.pages import Page, form_fields
from .support.webserver import HOME_OFFICE_FOI, pair_id, reviews, serving

TIMEOUT = 15


@pytest.fixture(scope="module")
def site(demo_db):
    """The server over the demo database, for tests that only read."""
    with serving(demo_db) as running:
        yield running


def get(running, path: str, **params: Any) -> requests.Response:
    return requests.get(urljoin(running.url, path.lstrip("/")), params=params, timeout=TIMEOUT)


def section(text: str, element_id: str) -> str:
    start = text.index(f'id="{element_id}"')
    return text[start : text.index("</section>", start)]


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of an export, which starts with a byte-order mark (for spreadsheets)."""
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# ---------------------------------------------------------------------------------------------
# search


def test_search_ranks_the_2019_home_office_answer_first_and_the_page_keeps_that_order(site):
    data = get(site, "/search.json", q="trafficking detention", kind="pairs", limit=50).json()
    hits = data["hits"]["pairs"]
    first = hits[0]
    assert first["details"]["uin"] == "990619"
    assert first["date"].startswith("2019") and first["department"] == "Home Office"
    assert [h["rank"] for h in hits] == sorted(h["rank"] for h in hits)  # bm25: lower is better
    assert data["totals"]["pairs"] == len(hits) > 5
    # the 2019 pair with the Home Office FOI disclosure is among the first few
    assert any(h["details"]["uin"] == "990619" and HOME_OFFICE_FOI in h["title"] for h in hits[:3])

    page = get(site, "/search", q="trafficking detention", kind="pairs", limit=50)
    assert page.status_code == 200
    assert Page(section(page.text, "results-pairs")).pair_ids() == [h["id"] for h in hits]


def test_a_search_is_a_plain_link(site):
    front = get(site, "/")
    assert re.search(r'<form class="big-search" action="/search" method="get"', front.text)
    response = requests.get(site.url + "search?q=trafficking+detention", timeout=TIMEOUT, allow_redirects=False)
    assert response.status_code == 200
    assert 'value="trafficking detention"' in response.text  # the words stay in the box
    assert "UIN 990619" in response.text
    assert Page(section(response.text, "results-pairs")).pair_ids()
    assert "<mark>" in section(response.text, "results-answers")  # the words found, highlighted


FILTERS = [
    pytest.param(
        {"department": "ministry-of-defence"}, lambda h: h["department_id"] == "ministry-of-defence", id="dept"
    ),
    pytest.param({"category": "not_in_format"}, lambda h: h["details"]["category"] == "not_in_format", id="category"),
    pytest.param({"from": "2020-01-01"}, lambda h: h["date"][:10] >= "2020-01-01", id="from"),
    pytest.param({"to": "2019-06-30"}, lambda h: h["date"][:10] <= "2019-06-30", id="to"),
    pytest.param({"from": "2019-01-01", "to": "2019-12-31"}, lambda h: h["date"][:10].startswith("2019"), id="from-to"),
    pytest.param({"min_score": "0.8"}, lambda h: h["details"]["score"] >= 0.8, id="min-score"),
]


@pytest.mark.parametrize(("params", "keeps"), FILTERS)
def test_search_filters_keep_exactly_the_hits_that_fit(site, params, keeps):
    everything = get(site, "/search.json", q="number", kind="pairs", limit=500).json()["hits"]["pairs"]
    filtered = get(site, "/search.json", q="number", kind="pairs", limit=500, **params).json()["hits"]["pairs"]
    assert filtered, "the filter should leave some hits"
    assert len(filtered) < len(everything), "the filter should leave some hits out"
    assert all(keeps(h) for h in filtered)
    assert [h["id"] for h in filtered] == [h["id"] for h in everything if keeps(h)]  # same order, none lost

    page = get(site, "/search", q="number", kind="pairs", limit=500, **params)
    assert Page(section(page.text, "results-pairs")).pair_ids() == [h["id"] for h in filtered]
    tags = Page(page.text).tags
    for name, value in params.items():  # the form shows the filter in force
        assert any(
            (tag == "input" and a.get("name") == name and a.get("value") == value)
            or (tag == "option" and a.get("value") == value and "selected" in a)
            for tag, a in tags
        ), name


def test_search_json_is_the_same_from_the_command_line_and_the_web(site, demo_db):
    words = "trafficking detention"
    result = CliRunner().invoke(cli, ["search", str(demo_db), *words.split(), "--json", "--limit", "20"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)
    from_web = get(site, "/search.json", q=words, limit=20).json()
    assert set(from_cli["hits"]) == {"pairs", "answers", "foi"} and all(from_cli["hits"].values())
    assert from_cli == from_web
    for hits in from_cli["hits"].values():  # a kind's details both nested and beside the common fields
        assert all(hit["details"] and hit["details"].items() <= hit.items() for hit in hits)


def test_department_and_date_filters_apply_to_answers_and_foi_too(site):
    data = get(site, "/search.json", q="number", department="home-office", to="2019-12-31", limit=500).json()
    assert data["hits"]["answers"] and data["hits"]["foi"]
    for kind in ("answers", "foi"):
        for hit in data["hits"][kind]:
            assert hit["department_id"] == "home-office" and hit["date"][:10] <= "2019-12-31"
    unfiltered = get(site, "/search.json", q="number", limit=500).json()
    assert any(h["department_id"] != "home-office" for h in unfiltered["hits"]["answers"])


def test_the_verdict_filter(demo_copy):
    confirmed = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    rejected = pair_id(demo_copy, "990127")
    database = open_db(demo_copy)
    record_review(database, confirmed, "confirmed", reviewer="Tester")
    record_review(database, rejected, "rejected", reviewer="Tester")
    database.close()
    with serving(demo_copy) as running:

        def ids(path, **params):
            found = get(running, path, q="number", kind="pairs", limit=500, **params).json()
            return [h["id"] for h in found["hits"]["pairs"]]

        assert ids("/search.json", verdict="confirmed") == [confirmed]
        assert ids("/search.json", verdict="rejected") == [rejected]
        unreviewed = ids("/search.json", verdict="unreviewed")
        assert confirmed not in unreviewed and rejected not in unreviewed
        assert len(unreviewed) == len(ids("/search.json")) - 2
        pairs = get(running, "/pairs.json", verdict="confirmed").json()["pairs"]
        assert [p["match_id"] for p in pairs] == [confirmed]
        assert pairs[0]["review"]["verdict"] == "confirmed"
        page = get(running, "/pairs", verdict="rejected")
        assert Page(page.text).pair_ids() == [rejected]


def test_search_exports_carry_the_rows_of_the_page(site):
    page = get(site, "/search", q="number", department="home-office")
    assert page.status_code == 200
    parsed = Page(page.text)
    shown = [html.unescape(t) for t in parsed.hit_titles]
    assert len(shown) > 10
    as_json = requests.get(urljoin(site.url, parsed.link("/search.json?")), timeout=TIMEOUT)
    as_csv = requests.get(urljoin(site.url, parsed.link("/search.csv?")), timeout=TIMEOUT)
    assert as_json.headers["Content-Type"].startswith("application/json")
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["Content-Disposition"]
    data = as_json.json()
    hits = [h for kind in ("pairs", "answers", "foi") for h in data["hits"][kind]]
    rows = csv_rows(as_csv.text)
    assert [h["title"] for h in hits] == shown
    assert [r["title"] for r in rows] == shown
    assert [(r["kind"], r["id"]) for r in rows] == [(h["kind"], h["id"]) for h in hits]
    assert all(h["department_id"] == "home-office" for h in hits)  # the filter went with the link
    for row, hit in zip(rows, hits, strict=True):
        assert float(row["rank"]) == pytest.approx(hit["rank"], abs=1e-4)  # a number, not "'-8.1"


def test_pairs_exports_carry_the_rows_of_the_page(site, demo_db):
    for params in ({}, {"department": "home-office", "min_score": "0.7"}, {"category": "not_in_format"}):
        page = get(site, "/pairs", **params)
        parsed = Page(page.text)
        shown = parsed.pair_ids()
        assert shown, params
        as_json = requests.get(urljoin(site.url, parsed.link("/pairs.json")), timeout=TIMEOUT).json()
        as_csv = requests.get(urljoin(site.url, parsed.link("/pairs.csv")), timeout=TIMEOUT).text
        assert [p["match_id"] for p in as_json["pairs"]] == shown, params
        assert [r["match_id"] for r in csv_rows(as_csv)] == shown, params
    every = sqlite3.connect(demo_db).execute("SELECT count(*) FROM matches").fetchone()[0]
    assert len(Page(get(site, "/pairs").text).pair_ids()) == every  # every demo pair
    assert len(Page(get(site, "/pairs", min_score="0.9").text).pair_ids()) < every


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/search", {"q": "trafficking", "from": "bad"}, "from must be a date (YYYY-MM-DD), not 'bad'"),
        ("/search", {"from": "bad"}, "from must be a date"),  # even before any words
        ("/search", {"q": '"'}, "nothing to search for"),
        ("/search", {"q": "-trafficking"}, "at least one word that is not excluded"),
        ("/search", {"q": "x", "min_score": "high"}, "min_score must be a number, not 'high'"),
        ("/search", {"q": "x", "limit": "ten"}, "limit must be a whole number"),
        ("/search", {"q": "x", "department": "nowhere"}, "unknown department 'nowhere'"),
        ("/search", {"q": "x", "category": "nonsense"}, "unknown refusal category 'nonsense'"),
        ("/search", {"q": "x", "verdict": "maybe"}, "unknown verdict 'maybe'"),
        ("/pairs", {"to": "2019-13-45"}, "to must be a date"),
    ],
)
def test_bad_parameters_give_400_with_a_clear_message(site, path, params, message):
    response = get(site, path, **params)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert message in html.unescape(response.text)


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/search.json", {"q": '"'}, "nothing to search for"),
        ("/search.csv", {}, "give the words to search for as q="),
        ("/search.json", {"q": "x", "to": "soon"}, "to must be a date"),
        ("/pairs.csv", {"from": "bad"}, "from must be a date"),
        ("/pairs.json", {"min_score": "lots"}, "min_score must be a number"),
    ],
)
def test_bad_parameters_of_an_export_give_a_json_400(site, path, params, message):
    response = get(site, path, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize(
    "path", ["/pair/" + "0" * 40, "/pair/nope", "/department/nowhere", "/search.xml?q=a", "/pairs.txt", "/nothing"]
)
def test_unknown_pages_give_404(site, path):
    response = get(site, path)
    assert response.status_code == 404
    assert "There is no such page" in response.text


# ---------------------------------------------------------------------------------------------
# verdicts


def test_a_verdict_needs_the_form_field(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy) as running:
        page = get(running, f"/pair/{match_id}")
        fields = form_fields(page.text)
        assert fields["csrf"] and "token" not in fields  # on loopback without --token, no token
        url = urljoin(running.url, f"pair/{match_id}/review")
        verdict = {"verdict": "confirmed", "reviewer": "Tester", "note": "n"}
        for extra in ({}, {"csrf": "forged"}):
            refused = requests.post(url, data={**verdict, **extra}, timeout=TIMEOUT, allow_redirects=False)
            assert refused.status_code == 403 and "This form has expired" in refused.text
        assert reviews(demo_copy) == []

        done = requests.post(url, data={**verdict, "csrf": fields["csrf"]}, timeout=TIMEOUT, allow_redirects=False)
        assert done.status_code == 303
        assert done.headers["Location"].endswith(f"/pair/{match_id}?recorded=1")
        assert done.headers["Set-Cookie"].startswith("pqcheck_reviewer=Tester;")  # no token cookie: the name only
        [row] = reviews(demo_copy)
        assert (row["match_id"], row["verdict"], row["reviewer"], row["note"]) == (match_id, "confirmed", "Tester", "n")
        shown = requests.get(urljoin(running.url, done.headers["Location"]), timeout=TIMEOUT).text
        assert "Verdict recorded." in shown and 'class="verdict v-confirmed"' in shown

        bad = requests.post(url, data={**verdict, "csrf": fields["csrf"], "verdict": "maybe"}, timeout=TIMEOUT)
        assert bad.status_code == 400 and "unknown verdict" in html.unescape(bad.text)
        unknown = urljoin(running.url, "pair/" + "0" * 40 + "/review")
        assert requests.post(unknown, data={**verdict, "csrf": fields["csrf"]}, timeout=TIMEOUT).status_code == 403
        assert len(reviews(demo_copy)) == 1


def test_with_a_token_a_verdict_needs_it(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy, token="s3cret") as running:
        assert running.token == "s3cret"
        browser = requests.Session()  # keeps its connection open: close() must end it too
        fields = form_fields(browser.get(urljoin(running.url, f"pair/{match_id}"), timeout=TIMEOUT).text)
        assert "token" in fields
        url = urljoin(running.url, f"pair/{match_id}/review")
        verdict = {"verdict": "confirmed", "reviewer": "Tester", "note": "seen", "csrf": fields["csrf"]}

        for given in ({}, {"token": "wrong"}, {"token": ""}):
            refused = browser.post(url, data={**verdict, **given}, timeout=TIMEOUT, allow_redirects=False)
            assert refused.status_code == 403 and "A valid token is needed" in refused.text
        refused = browser.post(url, data=verdict, headers={"X-Pqcheck-Token": "s3cre"}, timeout=TIMEOUT)
        assert refused.status_code == 403
        assert reviews(demo_copy) == []

        done = browser.post(url, data={**verdict, "token": "s3cret"}, timeout=TIMEOUT, allow_redirects=False)
        assert done.status_code == 303
        port = urlsplit(running.url).port
        [cookie] = [
            c for c in done.raw.headers.getlist("Set-Cookie") if c.startswith("pqcheck_") and "reviewer" not in c
        ]
        assert cookie.startswith(f"pqcheck_{port}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "s3cret" not in cookie  # an HMAC of the token, never the token
        [row] = reviews(demo_copy)
        assert (row["match_id"], row["verdict"], row["note"]) == (match_id, "confirmed", "seen")
        assert row["reviewer"] == "Tester"

        # the cookie stands for the token from then on, and the form no longer asks for it
        again = browser.post(url, data={**verdict, "verdict": "rejected"}, timeout=TIMEOUT, allow_redirects=False)
        assert again.status_code == 303
        assert "token" not in form_fields(browser.get(urljoin(running.url, f"pair/{match_id}"), timeout=TIMEOUT).text)
        header = requests.post(url, data=verdict, headers={"X-Pqcheck-Token": "s3cret"}, timeout=TIMEOUT)
        assert header.status_code == 200  # after the redirect
        assert [r["verdict"] for r in reviews(demo_copy)] == ["confirmed", "rejected", "confirmed"]

        # a stale cookie (another token, an earlier run) does not hide the token field
        pair_url = urljoin(running.url, f"pair/{match_id}")
        stale = requests.get(pair_url, cookies={f"pqcheck_{port}": "old"}, timeout=TIMEOUT)
        assert "token" in form_fields(stale.text)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


class FakeServer:
    """Stands in for waitress's server, so no test binds a public address."""

    effective_port = 8123

    def __init__(self, app, **options):
        self.app, self.options = app, options


def test_a_public_address_gets_a_token(demo_db, monkeypatch):
    monkeypatch.setattr(server_module, "create_server", FakeServer)
    public = make_server(demo_db, "0.0.0.0", 0)
    assert public.server.options["host"] == "0.0.0.0"
    assert public.token and len(public.token) >= 20
    assert public.server.app.config["TOKEN"] == public.token
    assert make_server(demo_db, "0.0.0.0", 0).token != public.token  # a new one each time
    assert make_server(demo_db, "192.168.1.20", 0, token="s3cret").token == "s3cret"
    assert make_server(demo_db, "0.0.0.0", 0, token="").token  # an empty --token is no token at all
    assert make_server(demo_db, "::", 0).url == "http://[::]:8123/"
    local = make_server(demo_db, "127.0.0.1", 0)
    assert local.token is None and local.server.app.config["TOKEN"] is None
    assert local.url == "http://127.0.0.1:8123/"


def test_a_name_with_several_addresses_still_gives_the_url(demo_db, monkeypatch):
    class MultiSocketServer:  # what waitress makes when localhost is both 127.0.0.1 and ::1
        def __init__(self, app, **options):
            self.effective_listen = [("127.0.0.1", 8124), ("::1", 8124)]

    monkeypatch.setattr(server_module, "create_server", MultiSocketServer)
    assert make_server(demo_db, "localhost", 0).url == "http://localhost:8124/"


# ---------------------------------------------------------------------------------------------
# markup in the data


SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def plant_markup(path) -> tuple[str, str]:
    """Put markup and javascript: links into two pairs: one whose refusal phrase keeps its stored
    offsets (the markup after it) and one whose offsets no longer fit (the markup before it)."""
    kept = pair_id(path, "990619", HOME_OFFICE_FOI)
    moved = pair_id(path, "990127")
    conn = sqlite3.connect(path)
    with conn:
        q1, foi, doc = conn.execute(
            "SELECT question_id, foi_request_id, foi_document_id FROM matches WHERE id = ?", [kept]
        ).fetchone()
        start, end, phrase = conn.execute(
            "SELECT phrase_start, phrase_end, phrase FROM refusals WHERE question_id = ?", [q1]
        ).fetchone()
        assert (start, end) == (0, len(phrase))
        conn.execute(
            "UPDATE questions SET answer_text = ? || substr(answer_text, ?) , heading = ? WHERE id = ?",
            [f'{phrase} {SCRIPT} {IMG} <a href="javascript:alert(1)">x</a>', end + 1, f"Trafficking {SCRIPT}", q1],
        )
        conn.execute(
            "UPDATE matches SET evidence_text = ?, evidence_figures = ? WHERE id = ?",
            [
                f"In 2018, 507 people {SCRIPT} received {IMG} a positive decision.",
                '[{"text": "507"}, {"text": "<b>12</b>"}]',
                kept,
            ],
        )
        conn.execute("UPDATE foi_requests SET url = 'javascript:alert(1)' WHERE id = ?", [foi])
        conn.execute("UPDATE foi_documents SET url = ' JavaScript:alert(2)' WHERE id = ?", [doc])
        q2 = conn.execute("SELECT question_id FROM matches WHERE id = ?", [moved]).fetchone()[0]
        conn.execute("UPDATE questions SET answer_text = ? || answer_text WHERE id = ?", [f"{SCRIPT}{IMG} ", q2])
        conn.execute("UPDATE questions SET url = 'javascript:alert(3)' WHERE id = ?", [q2])
        for table in ("questions_fts", "foi_requests_fts"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    conn.close()
    return kept, moved


def assert_inert(response: requests.Response) -> Page:
    """Nothing in the page can run: no script or img element, no on* attribute, no link that is
    not http(s) or on this site, and a CSP that forbids scripts."""
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
    body = response.text
    assert "<script" not in body.lower() and "<img" not in body.lower()
    page = Page(body)
    assert not [tag for tag, _ in page.tags if tag in ("script", "img", "iframe", "object", "embed")]
    assert not [name for _, attrs in page.tags for name in attrs if name.lower().startswith("on")]
    for href in page.hrefs():
        assert urlsplit(href.strip()).scheme.lower() in ("", "http", "https"), href
    assert "javascript:" not in " ".join(page.hrefs()).lower()
    return page


def test_markup_in_answers_and_evidence_is_shown_as_text(demo_copy):
    kept, moved = plant_markup(demo_copy)
    with serving(demo_copy) as running:
        response = get(running, f"/pair/{kept}")
        assert response.status_code == 200
        page = assert_inert(response)
        text = response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
        assert ("answer-text", "There is no central record") in page.marks  # the phrase still marked
        assert ("evidence-text", "507") in page.marks
        assert "&lt;b&gt;12&lt;/b&gt;" in text  # a figure found elsewhere, as text
        # the javascript: addresses are neither linked nor shown; the FOI's own page is linked
        assert "href=&#34;javascript:alert(1)&#34;" in text  # in the answer's text, as text
        assert text.count("javascript:alert(1)") == 1  # the FOI's address is not shown
        assert 'href="/foi/' in text

        response = get(running, f"/pair/{moved}")
        page = assert_inert(response)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in response.text
        assert [block for block, _ in page.marks if block == "answer-text"]  # found again by its words
        assert any(h.startswith("https://questions-statements.parliament.uk/") for h in page.hrefs())

        for path, params in [
            ("/search", {"q": "alert"}),
            ("/search", {"q": "trafficking detention"}),
            ("/pairs", {}),
            ("/", {}),
            ("/department/home-office", {}),
            ("/search", {"q": "x", "from": SCRIPT}),  # an error page repeating the bad value
            ("/pair/" + SCRIPT, {}),
        ]:
            assert_inert(get(running, path, **params))
        found = get(running, "/search", q="alert").text
        assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in found
        assert "&lt;script&gt;" in get(running, "/search", q="x", **{"from": SCRIPT}).text


def test_a_formula_in_the_data_is_not_a_formula_in_the_csv(demo_copy):
    conn = sqlite3.connect(demo_copy)
    with conn:
        conn.execute(
            """UPDATE foi_requests SET title = '=HYPERLINK("http://example.invalid","click")'
               WHERE title = ?""",
            [HOME_OFFICE_FOI],
        )
        conn.execute("INSERT INTO foi_requests_fts(foi_requests_fts) VALUES ('rebuild')")
    conn.close()
    with serving(demo_copy) as running:
        rows = csv_rows(get(running, "/search.csv", q="trafficking detention", kind="foi").text)
    titles = [r["title"] for r in rows]
    assert '\'=HYPERLINK("http://example.invalid","click")' in titles
    for row in rows:
        float(row["rank"])
        assert all(not v or v[0] not in "=+@" for v in row.values())
        assert all(v == "" or v[0] != "'" for k, v in row.items() if k not in ("title", "snippet"))


# ---------------------------------------------------------------------------------------------
# departments, read-only requests, headers


def test_the_department_page_shows_the_years(site, demo_db):
    listing = get(site, "/departments")
    assert 'href="/department/home-office"' in listing.text
    page = get(site, "/department/home-office")
    assert page.status_code == 200
    assert "<h1>Home Office</h1>" in page.text and "Refusals and pairs by year" in page.text
    table = page.text[page.text.index('<table class="grid years stack">') :]
    table = table[: table.index("</table>")]
    cell = r'<td class="num" data-label="\w+">([\d,]+)</td>'
    shown = [
        tuple(int(n.replace(",", "")) for n in row)
        for row in re.findall(r'<td data-label="Year">(\d{4})</td>' + cell * 3, table)
    ]
    database = open_db(demo_db)
    expected = summary(database, ReportFilters(departments=("home-office",)))["by_year"]
    database.close()
    assert shown == [(int(y["year"]), y["answers"], y["refusals"], y["pairs"]) for y in expected]
    assert [year for year, *_ in shown] == [2018, 2019, 2020]
    assert all(pairs > 0 for *_, pairs in shown)
    assert Page(page.text).pair_ids()  # its strongest pairs
    assert "/pairs.csv?department=home-office" in page.text


def test_get_requests_cannot_write(demo_copy):
    app = create_app(demo_copy)
    insert = "INSERT INTO reviews (match_id, verdict, reviewer) VALUES ('x', 'confirmed', 'y')"
    for method in ("GET", "HEAD"):
        with app.test_request_context("/", method=method), pytest.raises(sqlite3.OperationalError, match=r"readonly"):
            db().execute(insert)
    with app.test_request_context("/pair/x/review", method="POST"):
        db().execute(insert)  # a POST may write
        db().execute("DELETE FROM reviews WHERE match_id = 'x'")
    assert reviews(demo_copy) == []


def test_every_page_sends_the_security_headers(site):
    for path in ("/", "/search?q=trafficking", "/pairs", "/departments", "/pair/nope", "/static/style.css"):
        headers = get(site, path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'none'"), path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_the_server_stops_cleanly(demo_db):
    """close() ends the serving thread and the workers, even with kept-alive connections open,
    and again and again (no thread left behind, no closed descriptor used)."""
    before = threading.active_count()
    for _ in range(8):
        with serving(demo_db) as running:
            browser = requests.Session()
            assert browser.get(running.url, timeout=TIMEOUT).status_code == 200
            assert browser.get(urljoin(running.url, "pairs.json"), timeout=TIMEOUT).status_code == 200
        browser.close()
    assert threading.active_count() <= before
    with serving(demo_db):
        pass  # closed before any request


# ---------------------------------------------------------------------------------------------
# the rough edges: Apply, Next, an id's first characters, the footer, the port


def between(text: str, start: str, end: str) -> str:
    at = text.index(start)
    return text[at : text.index(end, at)]


def test_search_has_an_apply_button_and_next_only_when_there_is_a_next_page(site):
    page = get(site, "/search", q="trafficking", kind="pairs", limit=1)
    form = between(page.text, '<form class="search"', "</form>")
    assert '<button type="submit" class="apply">Apply</button>' in form
    total = get(site, "/search.json", q="trafficking", kind="pairs", limit=1).json()["totals"]["pairs"]
    assert total > 2
    paging = between(page.text, '<nav class="paging">', "</nav>")
    assert "Next" in paging and "Previous" not in paging
    last = get(site, "/search", q="trafficking", kind="pairs", limit=1, page=total)
    assert "<li" in section(last.text, "results-pairs")  # the last page has its hit...
    paging = between(last.text, '<nav class="paging">', "</nav>")
    assert "Next" not in paging and "Previous" in paging  # ...and no next page
    exact = get(site, "/search", q="trafficking", kind="pairs", limit=total)  # exactly one page of hits
    assert "Next" not in between(exact.text, '<nav class="paging">', "</nav>")


def test_a_pair_can_be_opened_by_the_first_characters_of_its_id(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    conn = sqlite3.connect(demo_copy)
    with conn:  # two pairs whose ids start alike
        for twin in ("abcdef01" + "0" * 32, "abcdef02" + "0" * 32):
            conn.execute(
                "INSERT INTO matches (id, question_id, score) SELECT ?, question_id, 0.1 FROM matches LIMIT 1", [twin]
            )
    conn.close()
    with serving(demo_copy) as running:
        response = requests.get(urljoin(running.url, f"pair/{match_id[:8]}"), timeout=TIMEOUT, allow_redirects=False)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/pair/{match_id}")
        assert get(running, f"/pair/{match_id[:8].upper()}").url.endswith(f"/pair/{match_id}")
        for given, says in (
            ("abcdef", "fits several pairs"),
            ("abc", "not a match id"),
            ("fedcba98", "no matched pair"),
        ):
            refused = get(running, f"/pair/{given}")
            assert refused.status_code == 404 and "There is no such page" in refused.text
            assert says in html.unescape(refused.text), given


def test_every_page_credits_its_sources_and_licences(site):
    for path in ("/", "/search?q=trafficking", "/pairs", "/departments", "/department/home-office"):
        footer = get(site, path).text.split("<footer>", 1)[1]
        assert "Open Parliament Licence v3.0" in footer and "Open Government Licence v3.0" in footer, path
        assert "data as of 20" in footer and "pqcheck 0.1.0" in footer
        assert "FOI responses from local files (16)" in footer


def test_the_default_port_is_not_datasettes():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert "8017" in result.output and "8001" not in result.output
    assert server_module.make_server.__defaults__[1] == 8017
