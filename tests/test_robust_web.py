"""`pqcheck serve` against hostile pages and clients: the real waitress server on 127.0.0.1 (a free
port, a background thread) over the demo database, spoken to with raw sockets and http.client so
that any Host, Origin or body can be sent.

- DNS rebinding: a request for another host name is refused; a POST from another site is refused;
  the CSRF value is per form and expires.
- Denial of service: long searches are refused (web and command line), a search past its time
  limit is stopped, a huge body or too many form fields are refused before they are read, the
  exports are streamed, and clients trickling header lines neither lock others out nor stay.
- The token cookie: an HMAC of the token, named after the port, Secure behind a trusted TLS proxy.
- ``serve --host 999.1.1.1``: one line, exit 2.
- A database deleted or replaced under the server: a 503, and no file made.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import re
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqcheck.db import open_db
from pqcheck.pairs import ReportFilters
from pqcheck.report import write_report
from pqcheck.search import MAX_WORDS, SearchTooSlow, search
from pqcheck.web import app as app_module
from pqcheck.web import guards
from pqcheck.web import server as server_module
from pqcheck.web.app import MAX_BODY, create_app

from .support.cli import pqcheck_executable
from .support.pages import form_fields
from .support.webserver import HOME_OFFICE_FOI, pair_id, reviews, serving

TIMEOUT = 15
ATTACKER = "attacker.example"


@pytest.fixture(scope="module")
def site(demo_db):
    with serving(demo_db) as running:
        yield running


def port_of(running) -> int:
    return urlsplit(running.url).port


def request(running, method: str, path: str, *, headers=None, body=None) -> tuple[int, dict[str, str], str]:
    """One request with exactly these headers (Host included, when given)."""
    conn = http.client.HTTPConnection("127.0.0.1", port_of(running), timeout=TIMEOUT)
    try:
        conn.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(None if body is None else body.encode())
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def fresh_form(running, match_id: str) -> dict[str, str]:
    return form_fields(requests.get(f"{running.url}pair/{match_id}", timeout=TIMEOUT).text)


def post_verdict(running, match_id: str, csrf: str, headers=None) -> tuple[int, dict[str, str], str]:
    body = urlencode({"verdict": "confirmed", "reviewer": "Tester", "csrf": csrf})
    return request(running, "POST", f"/pair/{match_id}/review", headers=headers, body=body)


# ---------------------------------------------------------------------------------------------
# DNS rebinding


def test_a_request_for_another_host_name_is_refused(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy) as running:
        port = port_of(running)
        for host in (f"{ATTACKER}:{port}", ATTACKER, "127.0.0.1:1", f"localhost.{ATTACKER}:{port}", "x@127.0.0.1"):
            status, _, text = request(running, "GET", f"/pair/{match_id}", headers={"Host": host})
            assert status == 400, host
            assert "does not answer to the host name" in text and 'name="csrf"' not in text
            assert "PROVENANCE" not in running.app.config and "data as of" not in text  # nothing read
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
            status, _, text = request(running, "GET", f"/pair/{match_id}", headers={"Host": host})
            assert status == 200 and 'name="csrf"' in text, host
        # the rebinding page's own POST, with its own name and origin: refused, nothing stored
        csrf = fresh_form(running, match_id)["csrf"]
        foreign = {"Host": f"{ATTACKER}:{port}", "Origin": f"http://{ATTACKER}:{port}"}
        assert post_verdict(running, match_id, csrf, foreign)[0] == 400
    assert reviews(demo_copy) == []


def test_allow_host_adds_a_name(demo_db):
    with serving(demo_db, allow_hosts=["pqcheck.example.org", "proxy.example.org:8443"]) as running:
        ok = {"pqcheck.example.org", "pqcheck.example.org:443", "proxy.example.org:8443"}
        for host in ok | {"proxy.example.org", "proxy.example.org:8444", ATTACKER}:
            assert request(running, "GET", "/", headers={"Host": host})[0] == (200 if host in ok else 400), host


def test_a_post_from_another_site_is_refused(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy) as running:
        own = running.url.rstrip("/")
        csrf = fresh_form(running, match_id)["csrf"]
        for headers in (
            {"Origin": f"http://{ATTACKER}"},
            {"Origin": "null"},
            {"Origin": own.replace("127.0.0.1", "localhost")},  # another origin, though the same server
            {"Referer": f"http://{ATTACKER}/page"},
            {"Sec-Fetch-Site": "cross-site"},
        ):
            status, _, text = post_verdict(running, match_id, csrf, headers)
            assert status == 403 and "sent from another site" in text, headers
        assert reviews(demo_copy) == []
        assert post_verdict(running, match_id, csrf, {"Origin": own})[0] == 303
        assert post_verdict(running, match_id, csrf, {"Referer": f"{own}/pair/{match_id}"})[0] == 303
        assert post_verdict(running, match_id, csrf, {"Sec-Fetch-Site": "same-origin"})[0] == 303
    assert len(reviews(demo_copy)) == 3


def test_the_csrf_value_is_per_form_and_expires(demo_copy):
    one = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    other = pair_id(demo_copy, "990127")
    with serving(demo_copy) as running:
        first, second = fresh_form(running, one)["csrf"], fresh_form(running, other)["csrf"]
        assert first != second
        assert post_verdict(running, other, first)[0] == 403  # one pair's form does not post another's
        secret = running.app.config["SECRET"]
        old = guards.csrf_value(secret, f"review:{one}", now=time.time() - guards.CSRF_SECONDS - 60)
        stamp, mac = first.split(".")
        altered = mac[:-1] + ("1" if mac.endswith("0") else "0")  # one character changed
        for stale in (old, f"{int(stamp) + 1}.{mac}", f"{stamp}.{altered}", "²." + mac, ""):
            status, _, text = post_verdict(running, one, stale)
            assert status == 403 and "This form has expired" in text, stale
        assert reviews(demo_copy) == []
        assert post_verdict(running, one, first)[0] == 303
        assert post_verdict(running, other, second)[0] == 303
    assert len(reviews(demo_copy)) == 2


HEADER_TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40)


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(host=HEADER_TEXT, origin=HEADER_TEXT, referer=HEADER_TEXT, method=st.sampled_from(["GET", "POST"]))
def test_any_host_or_origin_gets_a_clear_answer(site, host, origin, referer, method):
    """Fuzzed Host, Origin and Referer headers: never a server error; a POST is never stored
    (no CSRF value is given), and only a request for the server's own names is answered."""
    headers = {"Host": host or "x", "Origin": origin, "Referer": referer}
    status, _, _ = request(site, method, "/", headers=headers, body="a=1" if method == "POST" else None)
    allowed = guards.split_host(host or "x") in {(n, port_of(site)) for n in guards.LOOPBACK_NAMES}
    assert status in ((200, 403, 405) if allowed else (400,)), (host, status)


# ---------------------------------------------------------------------------------------------
# denial of service


def test_a_long_search_is_refused_on_the_web_and_the_command_line(site, demo_db):
    words = " ".join(["trafficking"] * (MAX_WORDS + 8))
    long_text = "x" * 6000
    for query, message in ((words, f"at most {MAX_WORDS} words"), (long_text, "at most 500 characters")):
        page = requests.get(site.url + "search", params={"q": query}, timeout=TIMEOUT)
        assert page.status_code == 400 and message in page.text
        data = requests.get(site.url + "search.json", params={"q": query}, timeout=TIMEOUT)
        assert data.status_code == 400 and message in data.json()["error"]
    done = subprocess.run(
        [pqcheck_executable(), "search", str(demo_db), *words.split()], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    message = f"Error: a search can have at most {MAX_WORDS} words (this one has {MAX_WORDS + 8}): narrow it"
    assert done.stderr.strip().splitlines() == [message]
    assert requests.get(site.url + "search", params={"q": words.rsplit(" ", 8)[0]}, timeout=TIMEOUT).ok  # 32 do


def test_a_search_past_its_time_limit_is_stopped(demo_copy):
    database = open_db(demo_copy)
    with pytest.raises(SearchTooSlow, match="narrow it"):
        search(database, "trafficking detention", seconds=0)
    assert search(database, "trafficking detention").hits["pairs"]  # the connection is still usable
    database.close()
    with serving(demo_copy) as running:
        running.app.config["SEARCH_SECONDS"] = 0
        page = requests.get(running.url + "search", params={"q": "trafficking"}, timeout=TIMEOUT)
        assert page.status_code == 503 and "took longer than 0 s" in page.text
        data = requests.get(running.url + "search.json", params={"q": "trafficking"}, timeout=TIMEOUT)
        assert data.status_code == 503 and "narrow it" in data.json()["error"]


def raw_connection(running) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT)
    return sock


def read_status(sock: socket.socket) -> int:
    """The status of the response on ``sock`` (0 when the server closed it without one)."""
    data = b""
    while b"\r\n" not in data:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            return 0
        if not chunk:
            return 0
        data += chunk
    return int(data.split(b" ", 2)[1])


def test_a_huge_body_is_refused_before_it_is_read(site):
    """150 MB announced: the 413 comes back after the headers alone (on the old server, it waited
    for the body and the read timed out)."""
    with raw_connection(site) as sock:
        head = (
            "POST /pair/x/review HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 150000000\r\n\r\n"
        )
        sock.sendall(head.encode() + b"a=" + b"x" * 1000)
        assert read_status(sock) == 413


def test_a_huge_chunked_body_is_refused_as_it_comes(site):
    """No length given: the server stops reading after its cap, long before 40 MB are sent."""
    chunk = b"a=" + b"x" * 65534
    total = 40 * 1024 * 1024
    sent = 0
    with raw_connection(site) as sock:
        sock.sendall(
            b"POST /pair/x/review HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        try:
            while sent < total:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        status = read_status(sock)
    assert sent < total / 2, "the whole body was read"
    assert status in (0, 413)


def test_too_many_form_fields_are_refused(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy) as running:
        csrf = fresh_form(running, match_id)["csrf"]
        fields = urlencode({"verdict": "confirmed", "reviewer": "Tester", "csrf": csrf}) + "&a=" * 20_000
        assert len(fields) < MAX_BODY
        status, _, text = request(running, "POST", f"/pair/{match_id}/review", body=fields)
        assert status == 413 and "too many fields" in text
    assert reviews(demo_copy) == []


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_pairs_exports_are_streamed(site, demo_db, fmt):
    """Sent in pieces as the pairs are read (no length known in advance), the same text as the report."""
    response = requests.get(
        f"{site.url}pairs.{fmt}", params={"department": "home-office"}, stream=True, timeout=TIMEOUT
    )
    assert response.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in response.headers
    text = response.content.decode()
    expected = io.StringIO()
    database = open_db(demo_db)
    write_report(database, expected, fmt=fmt, filters=ReportFilters(departments=("home-office",)))
    database.close()
    assert text == expected.getvalue()
    if fmt == "json":
        assert json.loads(text)["pairs"]
    app = create_app(demo_db)
    assert app.test_client().get(f"/pairs.{fmt}").is_streamed


def test_clients_trickling_headers_neither_lock_others_out_nor_stay(demo_db, monkeypatch):
    """110 clients send a header line every half second: a new client is still served, and each
    slow one is closed once its request has taken REQUEST_SECONDS."""
    monkeypatch.setattr(server_module, "REQUEST_SECONDS", 1.5)
    slow: list[socket.socket] = []
    stop = threading.Event()
    with serving(demo_db) as running:
        for _ in range(110):
            sock = raw_connection(running)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)

        def trickle() -> None:
            while not stop.wait(0.5):
                for n, sock in enumerate(slow):
                    with contextlib.suppress(OSError):
                        sock.sendall(f"X-Slow-{n}: 1\r\n".encode())

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        try:
            response = requests.get(running.url, timeout=TIMEOUT)
            assert response.status_code == 200
            closed = 0
            for sock in slow:
                sock.settimeout(TIMEOUT)
                closed += read_status(sock) == 0
            assert closed == len(slow)
        finally:
            stop.set()
            thread.join(5)
            for sock in slow:
                sock.close()


@pytest.mark.parametrize("held", [False, True], ids=["first requests", "due again"])
def test_many_requests_at_once_count_the_whole_database_for_the_footer_once(demo_copy, monkeypatch, held):
    # The footer's provenance counts every source (seconds on a large database): were each request
    # to read it again when it falls due, a burst of requests would each count it, all at once.
    reads = []

    def slow(database):
        reads.append(threading.current_thread().name)
        time.sleep(0.5)
        return {**real(database), "data_as_of": "2031-01-01T00:00:00"}

    real = app_module.provenance
    monkeypatch.setattr(app_module, "provenance", slow)
    app = create_app(demo_copy)
    if held:  # read over a minute ago, as it was then
        app.config["PROVENANCE"] = (time.monotonic() - 61, {**real(open_db(demo_copy)), "data_as_of": "2030-01-01"})
    pages: list[str] = []

    def visit() -> None:
        pages.append(app.test_client().get("/departments", headers={"Host": "127.0.0.1"}).text)

    visitors = [threading.Thread(target=visit) for _ in range(8)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    assert len(reads) == 1 and len(pages) == 8
    shown = [re.search(r"data as of (\S+)", page).group(1) for page in pages]
    assert shown.count("2031-01-01T00:00:00") >= 1
    # while it was read again the others showed what was read before; the first requests all waited
    assert set(shown) == ({"2030-01-01", "2031-01-01T00:00:00"} if held else {"2031-01-01T00:00:00"})


# ---------------------------------------------------------------------------------------------
# the token cookie


def test_the_token_cookie_is_a_signed_value_scoped_to_the_port(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy, token="s3cret", trusted_proxy="127.0.0.1") as running:
        port = port_of(running)
        csrf = fresh_form(running, match_id)["csrf"]
        body = urlencode({"verdict": "confirmed", "reviewer": "T", "csrf": csrf, "token": "s3cret"})
        status, headers, _ = request(running, "POST", f"/pair/{match_id}/review", body=body)
        assert status == 303
        cookie = headers["Set-Cookie"]
        name, value = cookie.split(";")[0].split("=", 1)
        assert name == f"pqcheck_{port}" and value == guards.cookie_value("s3cret")
        assert "s3cret" not in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Secure" not in cookie  # plain http
        behind_tls = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}"}
        status, headers, _ = request(running, "POST", f"/pair/{match_id}/review", headers=behind_tls, body=body)
        assert status == 303 and "Secure" in headers["Set-Cookie"]

        pair_url = f"{running.url}pair/{match_id}"
        assert "token" not in form_fields(requests.get(pair_url, cookies={name: value}, timeout=TIMEOUT).text)
        for cookies in ({name: "s3cret"}, {"pqcheck_token": "s3cret"}, {f"pqcheck_{port + 1}": value}):
            assert "token" in form_fields(requests.get(pair_url, cookies=cookies, timeout=TIMEOUT).text), cookies
        no_token = urlencode({"verdict": "rejected", "reviewer": "T", "csrf": csrf})
        status, _, _ = request(
            running, "POST", f"/pair/{match_id}/review", headers={"Cookie": f"{name}=s3cret"}, body=no_token
        )
        assert status == 403  # the raw token in the cookie is not the cookie
    assert [r["verdict"] for r in reviews(demo_copy)] == ["confirmed", "confirmed"]


# ---------------------------------------------------------------------------------------------
# the command line


def test_serve_on_an_address_it_cannot_use_says_so_in_one_line(demo_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        for options, message in (
            (["--host", "999.1.1.1"], "Error: cannot listen on 999.1.1.1:"),
            (["--host", "no such host"], "Error: cannot listen on no such host:"),
            (["--port", str(busy)], f"Error: cannot listen on 127.0.0.1:{busy}: "),
            (["--allow-host", "a/b"], "Error: --allow-host takes a host name"),
        ):
            done = subprocess.run(
                [pqcheck_executable(), "serve", str(demo_db), *options], capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 2, (options, done.stderr)
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(message), (options, done.stderr)


# ---------------------------------------------------------------------------------------------
# the database going away


def test_a_database_deleted_or_replaced_under_the_server_is_a_503_and_no_file_is_made(demo_copy):
    match_id = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy) as running:
        csrf = fresh_form(running, match_id)["csrf"]
        for suffix in ("", "-wal", "-shm"):
            Path(f"{demo_copy}{suffix}").unlink(missing_ok=True)
        page = requests.get(running.url, timeout=TIMEOUT)
        assert page.status_code == 503 and "pqcheck.db is unavailable: it is no longer there" in page.text
        data = requests.get(running.url + "search.json", params={"q": "trafficking"}, timeout=TIMEOUT)
        assert data.status_code == 503 and "no longer there" in data.json()["error"]
        assert requests.get(running.url + "pairs.json", timeout=TIMEOUT).status_code == 503
        assert post_verdict(running, match_id, csrf)[0] == 503
        assert not Path(demo_copy).exists()

        Path(demo_copy).write_text("not a database\n")
        page = requests.get(running.url + "pairs", timeout=TIMEOUT)
        assert page.status_code == 503 and "cannot be read" in page.text
        assert post_verdict(running, match_id, csrf)[0] == 503
        assert Path(demo_copy).read_text() == "not a database\n"


def test_a_verdict_while_another_pqcheck_writes_is_a_503_and_is_stored_once_the_lock_is_free(demo_copy, monkeypatch):
    monkeypatch.setenv("PQCHECK_LOCK_WAIT", "0.3")
    one = pair_id(demo_copy, "990619", HOME_OFFICE_FOI)
    with serving(demo_copy) as running:
        csrf = fresh_form(running, one)["csrf"]
        holder = sqlite3.connect(demo_copy, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another pqcheck, mid-save
        try:
            status, _, text = post_verdict(running, one, csrf)
        finally:
            holder.rollback()
            holder.close()
        assert status == 503 and "Another pqcheck is writing to this database" in text
        assert reviews(demo_copy) == []
        assert post_verdict(running, one, csrf)[0] == 303
    assert len(reviews(demo_copy)) == 1
