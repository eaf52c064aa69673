"""Hostile input at the command line and from upstreams gives one ``Error:`` line, never a traceback
(issue 11, "Tracebacks where a one-line error was expected").

- Numbers that overflow what they feed (SQLite's 64-bit integers, ``time.sleep``, socket timeouts),
  nan and the infinities: refused when the options are parsed (exit 2). ``HOSTILE_OPTIONS`` and
  ``HOSTILE_HTTP_OPTIONS`` double as fuzz tables: add a value there when one is found.
- Base URLs that are not http(s) with a host and a valid port: refused when parsed (exit 2); an
  upstream that redirects to one (or in a loop) is an upstream failure (exit 1) naming the URL.
- Reviews: dates outside the years 1900 to 9999 in UTC, fields that are not text (a JSON object as
  the reviewer) and undecodable bytes are refused with the line and the field; export then import
  is an exact round-trip.
- The review queue reads a byte that is not UTF-8 as an unknown key; terminal views print text
  with lone surrogates.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.errors import BadInput
from pqcheck.pairs import ReportFilters, pair_rows
from pqcheck.review import record_review
from pqcheck.search import MARK_END, MARK_START, Hit, SearchResults
from pqcheck.terminal import QueueIO, pair_view, run_queue, search_view

from .support.cli import pqcheck_executable
from .support.databases import copy_db
from .support.dbcheck import assert_kept, snapshot

SQLITE_MAX = 2**63 - 1
TOO_BIG = "99999999999999999999999"
DB = "{db}"  # replaced by the path of a copy of the demo database
URL = "{url}"  # replaced by the URL of a server that redirects every request to file:///etc/passwd


@pytest.fixture
def db_path(demo_copy) -> Path:
    return demo_copy


class _Redirector(BaseHTTPRequestHandler):
    """Answers every GET with a redirect to ``server.location`` (a 302), counting the requests."""

    def do_GET(self) -> None:
        self.server.hits += 1
        location = self.server.location.replace("{self}", f"http://127.0.0.1:{self.server.server_port}{self.path}")
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args) -> None:  # quiet
        pass


@pytest.fixture
def redirector() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    server.location, server.hits = "file:///etc/passwd", 0
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def base_url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_port}"


def run(*args, input=None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def assert_one_line_error(result: Result, exit_code: int, *words: str) -> None:
    """Exit ``exit_code``, no exception escaped, and stderr says ``Error: ...`` with ``words``."""
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == exit_code, (result.exit_code, result.stderr)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert all(word in errors[0] for word in words), errors[0]


# ---------------------------------------------------------------------------------------------
# numbers: refused when parsed


FETCH_COMMANDS = {
    "questions": ["fetch", "questions", "new.db", "--api-url", URL],
    "bodies": ["fetch", "bodies", "new.db", "--api-url", URL],
    "foi-wdtk": ["fetch", "foi-wdtk", "new.db", "--body", "home_office", "--wdtk-url", URL],
    "foi-govuk": ["fetch", "foi-govuk", "new.db", "--govuk-url", URL],
}
HOSTILE_HTTP_OPTIONS = [
    ("--timeout", "1e308"),
    ("--timeout", "inf"),
    ("--timeout", "nan"),
    ("--timeout", "3601"),
    ("--backoff", "inf"),
    ("--backoff", "nan"),
    ("--backoff", "1e308"),
    ("--rate", "inf"),
    ("--rate", "nan"),
    ("--rate", "-inf"),
    ("--rate", "1e309"),
    ("--retries", TOO_BIG),
    ("--retries", "2000"),
]
HOSTILE_OPTIONS = [
    ["check-answer", "--db", DB, "--id", TOO_BIG],
    ["check-answer", "--db", DB, "--id", str(SQLITE_MAX + 1)],
    ["check-answer", "--db", DB, "--id", str(-SQLITE_MAX - 2)],
    ["search", DB, "refugees", "--offset", str(SQLITE_MAX)],
    ["search", DB, "refugees", "--offset", TOO_BIG],
    ["search", DB, "refugees", "--limit", TOO_BIG],
    ["search", DB, "refugees", "--min-score", "nan"],
    ["search", DB, "refugees", "--min-score", "inf"],
    ["report", DB, "--limit", TOO_BIG],
    ["report", DB, "--min-score", "nan"],
    ["report", DB, "--min-score", "1e999"],
    ["review", DB, "--next", "--min-score", "nan"],
    ["match", DB, "--days-before", TOO_BIG],
    ["match", DB, "--days-after", "1000000000"],
    ["match", DB, "--keep", TOO_BIG],
    ["import", "foi", DB, "{folder}", "--max-file-mb", "inf"],
    ["import", "foi", DB, "{folder}", "--max-file-mb", "nan"],
    ["import", "foi", DB, "{folder}", "--max-pages", TOO_BIG],
    ["fetch", "questions", DB, "--api-url", URL, "--overlap-days", TOO_BIG],
    ["fetch", "questions", DB, "--api-url", URL, "--asking-member", TOO_BIG],
    ["fetch", "questions", DB, "--api-url", URL, "--answering-member", TOO_BIG],
    ["fetch", "foi-wdtk", DB, "--body", "home_office", "--wdtk-url", URL, "--max-feed-pages", TOO_BIG],
    *[[*FETCH_COMMANDS[name], *option] for name in FETCH_COMMANDS for option in HOSTILE_HTTP_OPTIONS],
]


def _filled(args: list[str], db_path: Path, url: str, folder: Path) -> list[str]:
    return [a.replace(DB, str(db_path)).replace(URL, url).replace("{folder}", str(folder)) for a in args]


@pytest.mark.parametrize("args", HOSTILE_OPTIONS, ids=" ".join)
def test_a_number_out_of_range_is_refused_when_parsed(args, db_path, redirector, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "foi"
    folder.mkdir()
    (folder / "reply.txt").write_text("We hold 12 records.", encoding="utf-8")
    before = snapshot(db_path)
    option = next(a for a in reversed(args) if a.startswith("--"))
    result = run(*_filled(args, db_path, base_url(redirector), folder))
    assert_one_line_error(result, 2, f"Invalid value for '{option}'")
    assert redirector.hits == 0  # refused before anything was asked upstream
    assert not (tmp_path / "new.db").exists()
    assert_kept(before, snapshot(db_path))


@pytest.mark.parametrize(
    "args, words",
    [
        (["check-answer", "--db", DB, "--id", str(SQLITE_MAX)], "no question with id"),
        (["search", DB, "refugees", "--offset", str(SQLITE_MAX - 500), "--limit", "500"], "Matched pairs: "),
        (["report", DB, "--limit", str(SQLITE_MAX), "--min-score", "-1e300"], "UIN"),
        (["match", DB, "-q", "--days-before", "36525", "--days-after", "36525", "--keep", "1000"], "Matched"),
    ],
    ids=lambda x: x if isinstance(x, str) else " ".join(x[:3]),
)
def test_the_largest_values_allowed_still_run(args, words, db_path):
    result = run(*_filled(args, db_path, "", Path()))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert words in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["check-answer", "--db", DB, "--id", TOO_BIG],
        ["search", DB, "refugees", "--offset", str(SQLITE_MAX)],
        ["fetch", "questions", "new.db", "--api-url", URL, "--timeout", "1e308"],
        ["fetch", "foi-govuk", "new.db", "--govuk-url", URL, "--backoff", "inf"],
    ],
    ids=" ".join,
)
def test_the_reported_overflows_through_the_real_cli(args, db_path, redirector, tmp_path):
    """The cases of issue 11 as a person would run them: one line on stderr, exit 2."""
    command = [pqcheck_executable(), *_filled(args, db_path, base_url(redirector), tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Error: Invalid value for" in done.stderr


# ---------------------------------------------------------------------------------------------
# base URLs and redirects

HOSTILE_URLS = [
    "file:///etc",
    "file:///etc/passwd",
    "ftp://127.0.0.1/",
    "http://127.0.0.1:99999/",
    "http://127.0.0.1:0/",
    "http://127.0.0.1:port/",
    "http://",
    "http://[::1",
    "http://a b/",
    "127.0.0.1:8001",
    "notaurl",
    "",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("command", FETCH_COMMANDS)
def test_a_base_url_that_is_not_http_with_a_host_and_port_is_refused(command, url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [a.replace(URL, url) for a in FETCH_COMMANDS[command]]
    result = run(*args)
    assert_one_line_error(result, 2, "Invalid value for '--")
    assert not (tmp_path / "new.db").exists()


REDIRECTS = {
    "file": "file:///etc/passwd",
    "ftp": "ftp://127.0.0.1/pub",
    "bad-port": "http://127.0.0.1:99999/",
    "loop": "{self}",  # back to the same URL, for ever
}


@pytest.mark.parametrize("target", REDIRECTS)
@pytest.mark.parametrize("command", FETCH_COMMANDS)
def test_a_redirect_to_what_cannot_be_fetched_is_an_upstream_error(command, target, redirector, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    redirector.location = REDIRECTS[target]
    url = base_url(redirector)
    args = [a.replace(URL, url) for a in FETCH_COMMANDS[command]]
    result = run(*args, "--retries", "3", "--backoff", "0", "--rate", "1000", "-q")
    assert_one_line_error(result, 1, f"GET {url}/", "failed")
    assert redirector.hits <= 31  # not retried: a redirect loop is given up on after requests' 30


@pytest.mark.parametrize("command", FETCH_COMMANDS)
def test_a_redirect_to_a_file_url_through_the_real_cli(command, redirector, tmp_path):
    url = base_url(redirector)
    args = [a.replace(URL, url) for a in FETCH_COMMANDS[command]]
    command_line = [pqcheck_executable(), *args, "--retries", "2", "--backoff", "0", "-q"]
    done = subprocess.run(command_line, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert f"GET {url}/" in line and "file:///etc/passwd" in line
    assert redirector.hits == 1


# ---------------------------------------------------------------------------------------------
# reviews


def strongest(db, n: int) -> list[str]:
    return [row["match_id"] for row in pair_rows(db, ReportFilters(limit=n))]


def stored_reviews(db_path: Path) -> list[tuple]:
    db = open_db(db_path)
    try:
        return [tuple(r) for r in db.execute("SELECT match_id, verdict, note, reviewer, reviewed_at FROM reviews")]
    finally:
        db.close()


def _review(match_id: str, fields: dict) -> dict:
    return {
        "match_id": match_id,
        "verdict": "confirmed",
        "reviewer": "R",
        "reviewed_at": "2026-01-02T03:04:05Z",
        **fields,
    }


BAD_REVIEWS = [
    ({"reviewed_at": "9999-12-31T23:00:00-05:00"}, "not between the years 1900 and 9999"),
    ({"reviewed_at": "0001-01-01T00:00:00+01:00"}, "not between the years 1900 and 9999"),
    ({"reviewed_at": "0005-06-07T08:09:10Z"}, "not between the years 1900 and 9999"),
    ({"reviewed_at": "1899-12-31T23:59:59Z"}, "not between the years 1900 and 9999"),
    ({"reviewed_at": 20260102}, "the reviewed_at must be text, not a number"),
    ({"reviewed_at": {}}, "the reviewed_at must be text, not an object"),
    ({"reviewer": {"name": "A. Researcher"}}, "the reviewer must be text, not an object"),
    ({"reviewer": ["A", "B"]}, "the reviewer must be text, not a list"),
    ({"reviewer": 7}, "the reviewer must be text, not a number"),
    ({"note": {"why": "figures"}}, "the note must be text, not an object"),
    ({"note": True}, "the note must be text, not true/false"),
    ({"verdict": ["confirmed"]}, "the verdict must be text, not a list"),
    ({"match_id": 123456789}, "the match_id must be text, not a number"),
]


def test_imported_reviews_with_odd_dates_or_fields_are_refused_with_their_item(db_path, tmp_path):
    first, second = strongest_ids(db_path, 2)
    items = [_review(first, fields) for fields, _ in BAD_REVIEWS] + [_review(second, {"note": "fine"})]
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps({"reviews": items}), encoding="utf-8")
    before = snapshot(db_path)
    result = run("review", db_path, "--import", path)
    assert result.exit_code == 0 and result.exception is None, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(BAD_REVIEWS)
    for number, (warning, (_, message)) in enumerate(zip(warnings, BAD_REVIEWS, strict=True), 1):
        assert f"reviews.json item {number}: " in warning and message in warning, warning
    assert "1 reviews added" in result.stdout
    assert stored_reviews(db_path) == [(second, "confirmed", "fine", "R", "2026-01-02T03:04:05+00:00")]
    assert_kept(before, snapshot(db_path))


def test_a_csv_review_dated_past_9999_in_utc_names_its_line(db_path, tmp_path):
    [first] = strongest_ids(db_path, 1)
    path = tmp_path / "reviews.csv"
    path.write_text(
        f"match_id,verdict,reviewer,reviewed_at\n{first},confirmed,R,2026-01-02T03:04:05Z\n"
        f"{first},rejected,R,9999-12-31T23:00:00-05:00\n",
        encoding="utf-8",
    )
    result = run("review", db_path, "--import", path)
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "warning: reviews.csv line 3: '9999-12-31T23:00:00-05:00' is not between the years" in result.stderr
    assert [row[1] for row in stored_reviews(db_path)] == ["confirmed"]


def strongest_ids(db_path: Path, n: int) -> list[str]:
    db = open_db(db_path)
    try:
        return strongest(db, n)
    finally:
        db.close()


@pytest.mark.parametrize("option", ["--by", "--note"])
def test_a_reviewer_or_note_that_is_not_utf8_is_bad_input(option, db_path):
    """Bytes that are not UTF-8 on the command line reach Python as lone surrogates."""
    [first] = strongest_ids(db_path, 1)
    result = run("review", db_path, first[:12], "--verdict", "confirmed", "--by", "R", option, "caf\udce9")
    assert_one_line_error(result, 2, "is not valid UTF-8 text")
    assert stored_reviews(db_path) == []


DATES = [
    "1900-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T18:59:59-05:00",
    "2026-06-01T12:00:00+05:30",
    "2026-06-01T12:00:00.123456",
    "2026-06-01",
    "0005-06-07T08:09:10Z",
    "9999-12-31T23:00:00-05:00",
]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_is_an_exact_round_trip(fmt, db_path, tmp_path, demo_db):
    db = open_db(db_path)
    try:
        pairs = strongest(db, len(DATES))
        kept = []
        for match_id, when in zip(pairs, DATES, strict=True):
            note = f'=SUM(A1) "{when}"\nline two, ünïcödé'
            try:
                record_review(db, match_id, "confirmed", note=note, reviewer=f"R {when}", reviewed_at=when)
                kept.append(when)
            except BadInput as exc:
                assert "not between the years 1900 and 9999" in str(exc)
    finally:
        db.close()
    assert kept == DATES[:-2]  # the year 5, and 9999 past its end in UTC, are refused
    first = tmp_path / f"first.{fmt}"
    assert run("review", db_path, "--export", first).exit_code == 0
    fresh = copy_db(demo_db, tmp_path / "fresh.db")
    result = run("review", fresh, "--import", first)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert f"{len(kept)} reviews added, 0 already there." in result.stdout
    second = tmp_path / f"second.{fmt}"
    assert run("review", fresh, "--export", second).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    assert sorted(stored_reviews(fresh)) == sorted(stored_reviews(db_path))


# ---------------------------------------------------------------------------------------------
# the review queue and terminal output


def test_the_queue_reads_a_byte_that_is_not_utf8_as_an_unknown_key(db_path):
    [first] = strongest_ids(db_path, 1)
    result = run("review", db_path, "--next", "--by", "Q", input=b"\xff\nc\nnote \xff\nq\n")
    assert result.exception is None and result.exit_code == 0, result.output
    assert result.output.count("Press c, r, n, s or q.") == 1
    assert [row[:4] for row in stored_reviews(db_path)] == [(first, "confirmed", "note \ufffd", "Q")]


def test_run_queue_reads_keys_given_as_bytes_or_surrogates(db_path):
    db = open_db(db_path)
    try:
        keys, said = iter([b"\xff", "\udcff", b"\xc3", b"q"]), []
        io = QueueIO(echo=said.append, getchar=lambda: next(keys), prompt=lambda text: "")
        done = run_queue(db, ReportFilters(), io, reviewer="io")
    finally:
        db.close()
    assert said.count("Press c, r, n, s or q.") == 3
    assert done == {"confirmed": 0, "rejected": 0, "not-comparable": 0, "skipped": 0}
    assert stored_reviews(db_path) == []


def test_the_real_queue_with_a_byte_that_is_not_utf8_on_stdin(db_path):
    [first] = strongest_ids(db_path, 1)
    done = subprocess.run(
        [pqcheck_executable(), "review", str(db_path), "--next", "--by", "Q"],
        input=b"\xff\nc\nnot \xfe\xff UTF-8\nq\n",
        capture_output=True,
        timeout=120,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0 and "Traceback" not in stderr, stderr
    assert b"Press c, r, n, s or q." in done.stdout
    assert [row[:4] for row in stored_reviews(db_path)] == [(first, "confirmed", "not \ufffd\ufffd UTF-8", "Q")]


@pytest.mark.parametrize("width", [80, 160])
def test_a_pair_with_lone_surrogates_prints(db_path, width):
    db = open_db(db_path)
    try:
        row = dict(pair_rows(db, ReportFilters(limit=1))[0])
    finally:
        db.close()
    for key in ("answer_text", "evidence_text", "question_text", "foi_title", "department", "uin"):
        row[key] = f"\ud800{row[key]}\udcff"
    view = pair_view(row, width=width)
    assert "\ufffd" in view
    view.encode("utf-8")  # no lone surrogate is left to fail a terminal's encoder


def test_search_hits_with_lone_surrogates_print():
    snippet = f"a lone \udc80 {MARK_START}surrogate{MARK_END} here"
    hit = Hit("answer", "1", 1.0, "Title \ud83d", snippet, "2020-01-01", "1", "Home Office \udfff")
    results = SearchResults(
        query="surrogate \udcff",
        fts="surrogate",
        hits={"answers": [hit]},
        totals={"answers": 1},
        capped={"answers": False},
    )
    search_view(results).encode("utf-8")
    search_view(results, color=True).encode("utf-8")
