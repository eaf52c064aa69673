"""WhatDoTheyKnow: the feed query, paging, requests, the HTML page, attachments, and the CLI end to end.

Unit tests mock HTTP with ``responses``; the end-to-end test runs the installed ``pqcheck``
against :class:`wdtk_server.FakeWdtk` on 127.0.0.1. Payloads come from
:mod:`fixtures_wdtk` (Alaveteli's shapes) and, where present, the real samples in
``shared/samples/foi``. Nothing here reaches the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
import responses
import sqlite_utils

from pqcheck.cache import FileCache
from pqcheck.departments import wdtk_names
from pqcheck.errors import BadInput, UpstreamError
from pqcheck.http import HttpClient
from pqcheck.sources.wdtk import (
    DEFAULT_STATUSES,
    WdtkQuery,
    attachment_url,
    check_body,
    feed_query,
    feed_url,
    fetch_wdtk_request,
    fetch_wdtk_requests,
    iter_feed_requests,
    parse_request_page,
    parse_wdtk_date,
    request_json_url,
    request_page_url,
)

from .conftest import SAMPLES
from .support.fixtures_wdtk import (
    Attachment,
    FakeRequest,
    Incoming,
    download_path,
    feed_events,
    make_body,
    make_request,
    request_json,
    request_page,
    tiny_pdf,
)
from .support.wdtk_server import FakeWdtk

BASE = "https://wdtk.test"
HOME = WdtkQuery(body="home_office")
FOI_SAMPLES = SAMPLES / "foi"


@pytest.fixture
def client():
    http = HttpClient(rate=1000, retries=1, backoff=0, sleep=lambda seconds: None)
    yield http
    http.close()


@pytest.fixture
def cache(tmp_path) -> FileCache:
    return FileCache(tmp_path / "files")


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def real_sample(name: str):
    path = FOI_SAMPLES / name
    if not path.is_file():
        pytest.skip(f"real sample {path} not found (the shared/ folder beside the repo)")
    return json.loads(path.read_text(encoding="utf-8"))


def add_feed(mocked, query: WdtkQuery, pages: list[list[dict]], base: str = BASE) -> None:
    for number, events in enumerate(pages, start=1):
        mocked.get(
            feed_url(query, base), json=events, match=[responses.matchers.query_param_matcher({"page": str(number)})]
        )


def add_request(mocked, request: FakeRequest, *, numeric_links: bool = False, base: str = BASE) -> None:
    """The request's JSON, page, numeric-id redirects and attachments."""
    mocked.get(request_json_url(request.url_title, base), json=request_json(request))
    mocked.get(
        request_json_url(request.id, base), status=301, headers={"Location": f"/request/{request.url_title}.json"}
    )
    mocked.get(
        request_page_url(request.url_title, base),
        body=request_page(request, numeric_links=numeric_links),
        content_type="text/html",
    )
    for message in request.incoming:
        for item in message.attachments:
            canonical = base + download_path(request, message, item)
            if item.missing:
                mocked.get(canonical, status=404, body="<html>Not found</html>", content_type="text/html")
            else:
                mocked.get(canonical, body=item.content, content_type=item.content_type)
            mocked.get(
                base + download_path(request, message, item, numeric=True),
                status=301,
                headers={"Location": download_path(request, message, item)},
            )


def calls_to(mocked, fragment: str) -> list:
    return [call for call in mocked.calls if fragment in call.request.url]


# --- the feed query ----------------------------------------------------------------------------


def test_feed_query_string_and_url():
    query = WdtkQuery(
        body="home_office",
        query='"reasonable grounds"  detention',
        date_from=date(2019, 1, 1),
        date_to=date(2019, 12, 31),
    )
    assert feed_query(query) == (
        "requested_from:home_office variety:response "
        "(latest_status:successful OR latest_status:partially_successful) "
        '01/01/2019..31/12/2019 "reasonable grounds" detention'
    )
    url = feed_url(query, BASE)
    assert url.startswith(f"{BASE}/feed/search/requested_from%3Ahome_office%20variety%3Aresponse%20%28latest_status")
    assert "01%2F01%2F2019..31%2F12%2F2019%20%22reasonable%20grounds%22%20detention.json" in url
    assert url.endswith(".json") and " " not in url and "/" not in url.removeprefix(f"{BASE}/feed/search/")


def test_feed_query_single_status_open_dates_and_words_only():
    assert feed_query(WdtkQuery(body="home_office", statuses=("not_held",))) == (
        "requested_from:home_office variety:response latest_status:not_held"
    )
    assert feed_query(WdtkQuery(query="detention", statuses=(), date_from=date(2020, 3, 1))) == (
        "variety:response 01/03/2020..31/12/2099 detention"
    )
    assert feed_query(WdtkQuery(body="home_office", statuses=("not_held", "rejected"), date_to=date(2018, 6, 30))) == (
        "requested_from:home_office variety:response (latest_status:not_held OR latest_status:rejected) "
        "01/01/2000..30/06/2018"
    )
    assert WdtkQuery(body="x").statuses == DEFAULT_STATUSES == ("successful", "partially_successful")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body": "home_office", "statuses": ("sucessful",)}, "did you mean successful"),
        ({"body": "Home Office"}, "close matches: home_office"),
        ({}, "give an authority"),
        ({"body": "home_office", "date_from": date(2020, 1, 2), "date_to": date(2020, 1, 1)}, "is after"),
    ],
)
def test_bad_queries_are_bad_input(kwargs, message):
    with pytest.raises(BadInput, match=message):
        WdtkQuery(**kwargs)


# --- paging and de-duplication -----------------------------------------------------------------


def _events(n: int, first_request: int = 1000, per_request: int = 1) -> list[dict]:
    """``n`` feed events; ``per_request`` consecutive events share a request."""
    out = []
    for i in range(n):
        request = make_request(first_request + i // per_request, f"request_{first_request + i // per_request}")
        event = feed_events(request)[0]
        out.append({**event, "id": 5_000_000 + first_request * 100 + i})
    return out


def test_pages_until_a_short_page(mocked, client):
    add_feed(mocked, HOME, [_events(25, 1000), _events(25, 2000), _events(3, 3000)])
    found = list(iter_feed_requests(client, HOME, base=BASE))
    assert len(found) == 53
    pages = [call.request.params["page"] for call in mocked.calls]
    assert pages == ["1", "2", "3"]


def test_stops_on_an_empty_page_and_at_max_pages(mocked, client):
    add_feed(mocked, HOME, [_events(25, 1000), []])
    assert len(list(iter_feed_requests(client, HOME, base=BASE))) == 25
    assert [call.request.params["page"] for call in mocked.calls] == ["1", "2"]
    mocked.calls.reset()
    assert len(list(iter_feed_requests(client, HOME, base=BASE, max_pages=1))) == 25
    assert [call.request.params["page"] for call in mocked.calls] == ["1"]


def test_events_are_deduplicated_into_requests_in_first_seen_order(mocked, client):
    real = real_sample("wdtk_feed_search_json_event_1292337_bus_gates.json")
    page1 = [*_events(24, 1000, per_request=3), real]  # requests 1000..1007, then the real one
    page2 = [{**real, "id": real["id"] + 1}, *_events(2, 1003), *_events(2, 1008)]  # 1003, 1004 seen before
    add_feed(mocked, HOME, [page1, page2])
    found = list(iter_feed_requests(client, HOME, base=BASE))
    assert [info["id"] for info in found] == [*range(1000, 1008), 1292337, 1008, 1009]
    assert found[8]["url_title"] == "bus_gates_for_east_bristol_livea"


def test_a_page_that_repeats_earlier_events_ends_the_paging(mocked, client):
    page = _events(25, 1000)
    add_feed(mocked, HOME, [page, page, page])
    assert len(list(iter_feed_requests(client, HOME, base=BASE))) == 25
    assert len(mocked.calls) == 2


def test_a_feed_page_that_is_not_json_is_a_clear_upstream_error(mocked, client):
    mocked.get(feed_url(HOME, BASE), body="<!DOCTYPE html><title>Just a moment...</title>", content_type="text/html")
    with pytest.raises(UpstreamError, match=r"search feed, page 1: .*not valid JSON"):
        list(iter_feed_requests(client, HOME, base=BASE))
    assert len(mocked.calls) == 2  # the client retried once first


def test_a_feed_page_that_is_not_a_list_is_a_clear_upstream_error(mocked, client):
    mocked.get(feed_url(HOME, BASE), json={"error": "nope"})
    with pytest.raises(UpstreamError, match="expected a JSON list of feed events, got a dict"):
        list(iter_feed_requests(client, HOME, base=BASE))


# --- dates and the request JSON ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-08-29T20:29:16.797+01:00", "2025-08-29"),
        ("2019-04-24T00:30:00.000+01:00", "2019-04-24"),  # the date where it was written, not UTC
        ("2019-04-24T10:00:00Z", "2019-04-24"),
        ("2013/06/18 10:18:19 +1000", "2013-06-18"),
        ("2013/06/18 10:18:19", "2013-06-18"),
        ("2019-04-24", "2019-04-24"),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_parsed_leniently(value, expected):
    assert parse_wdtk_date(value) == expected


def test_real_samples_dates_parse():
    modern = real_sample("wdtk_feed_search_json_event_1292337_bus_gates.json")
    old = real_sample("alaveteli_righttoknow_au_feed_json_2013_spec.json")[0]
    assert parse_wdtk_date(modern["info_request"]["created_at"]) == "2025-06-03"
    assert parse_wdtk_date(old["info_request"]["created_at"]) == "2013-06-15"
    assert parse_wdtk_date(old["public_body"]["created_at"]) == "2012-10-15"


@pytest.mark.parametrize("old_dates", [False, True], ids=["iso8601", "2013-format"])
def test_request_json_fields_are_mapped(mocked, client, cache, old_dates):
    request = make_request(old_dates=old_dates)
    add_request(mocked, request)
    found = fetch_wdtk_request(client, request.url_title, cache, base=BASE)
    assert found.source == "wdtk" and found.source_id == "558039" and found.id == "wdtk:558039"
    assert found.url == f"{BASE}/request/immigration_detention_of_traffic"
    assert found.source_url == f"{BASE}/request/immigration_detention_of_traffic.json"
    assert found.title == "Immigration detention of trafficking victims"
    assert (found.authority, found.authority_id) == ("Home Office", "home_office")
    assert found.outcome == "successful"
    assert found.date_requested == "2019-03-04"
    assert found.date_responded == "2019-04-24"  # the last response event
    assert found.raw == request_json(request)
    assert found.fetched_at.endswith("+00:00")
    assert found.request_text.startswith("Dear Home Office,")
    if old_dates:
        assert found.raw["created_at"] == "2019/03/04 10:18:19 +1000"


def test_a_request_given_by_numeric_id_follows_the_redirect(mocked, client, cache):
    request = make_request()
    add_request(mocked, request)
    found = fetch_wdtk_request(client, 558039, cache, base=BASE)
    assert found.source_url == f"{BASE}/request/immigration_detention_of_traffic.json"
    assert found.url == f"{BASE}/request/immigration_detention_of_traffic"
    assert [c.request.url for c in mocked.calls[:2]] == [
        f"{BASE}/request/558039.json",
        f"{BASE}/request/immigration_detention_of_traffic.json",
    ]


def test_a_renamed_request_is_found_again_by_its_id(mocked, client, cache):
    request = make_request()
    add_request(mocked, request)
    mocked.get(f"{BASE}/request/old_title.json", status=404, json={})
    found = fetch_wdtk_request(client, "old_title", cache, base=BASE, request_id=558039)
    assert found.url == f"{BASE}/request/immigration_detention_of_traffic"


def test_a_hidden_request_is_skipped_and_a_missing_page_keeps_the_metadata(mocked, client, cache):
    mocked.get(f"{BASE}/request/hidden_one.json", status=410, json={})
    assert fetch_wdtk_request(client, "hidden_one", cache, base=BASE) is None
    request = make_request()
    mocked.get(request_json_url(request.url_title, BASE), json=request_json(request))
    mocked.get(request_page_url(request.url_title, BASE), status=403, body="<html>Hidden</html>")
    found = fetch_wdtk_request(client, request.url_title, cache, base=BASE)
    assert found.outcome == "successful" and found.documents == []


# --- the HTML request page ---------------------------------------------------------------------


def test_the_request_page_is_parsed_into_responses_and_attachments():
    request = make_request()
    page_url = f"{BASE}/request/{request.url_title}"
    page = parse_request_page(request_page(request), page_url)
    assert page.request_text == (
        "Dear Home Office,\n\nPlease provide the number of human trafficking victims currently held in "
        "immigration detention.\n\nYours faithfully,\nM Esslemont"
    )
    assert [m.incoming_message_id for m in page.messages] == [5580391, 5580392]
    reply = page.messages[1]
    assert reply.text == (
        "Dear M Esslemont,\n\nRe: Freedom of Information request – 52658\n\n"
        "We are now in a position to provide a full reply to your request."
    )
    for noise in ("show quoted sections", "Link to this", "52658 Reply.pdf", "Attachment", "From:"):
        assert noise not in reply.text
    [attachment] = reply.attachments
    assert (attachment.incoming_message_id, attachment.part, attachment.filename) == (5580392, 2, "52658 Reply.pdf")
    assert attachment.href == f"{page_url}/response/5580392/attach/2/52658%20Reply.pdf?cookie_passthrough=1"
    assert attachment.name == "52658 Reply.pdf"
    assert attachment.meta.startswith("120K View Download")
    # the sidebar's link to another request's attachment is not one of this request's
    assert all(a.filename != "Other reply.pdf" for m in page.messages for a in m.attachments)


def test_incoming_message_ids_in_the_dom_id_form_are_read_too():
    request = make_request()
    page = parse_request_page(request_page(request, id_style="incoming_message_"), f"{BASE}/request/x")
    assert [m.incoming_message_id for m in page.messages] == [5580391, 5580392]


def test_the_older_bubble_markup_is_read():
    """Alaveteli's older ``_bubble.html.erb``: the attachments sit inside ``.correspondence_text``
    as ``p.attachment`` with an icon link, the name in ``<strong>`` and Download/View links."""
    html = """
    <div class="outgoing correspondence" id="outgoing-1">
      <div class="correspondence_text"><p>The question</p></div>
    </div>
    <div class="incoming correspondence" id="incoming-77">
      <h2>Home Office<br><br>24 April 2019</h2>
      <div class="correspondence_text">
        <div class="attachments"><hr class="top">
          <p class="attachment">
            <a href="/request/558039/response/77/attach/2/52658%20Reply.pdf"><img class="attachment_image"
              alt="Attachment" src="/images/icon_application_pdf_large.png"></a>
            <strong>52658 Reply.pdf</strong><br>
            120K <a href="/request/558039/response/77/attach/2/52658%20Reply.pdf">Download</a>
            <a href="/request/558039/response/77/attach/html/2/52658%20Reply.pdf.html">View as HTML</a>
            <!-- (application/pdf) -->
          </p><hr class="bottom">
        </div>
        <p>Dear M Esslemont,<br><br>Please find our reply attached.</p>
      </div>
      <p class="event_actions"><a href="/request/x#incoming-77" class="link_to_this">Link to this</a></p>
    </div>"""
    page = parse_request_page(html, f"{BASE}/request/immigration_detention_of_traffic")
    assert page.request_text == "The question"
    [message] = page.messages
    assert message.text == "Dear M Esslemont,\n\nPlease find our reply attached."
    [attachment] = message.attachments
    assert (attachment.part, attachment.filename) == (2, "52658 Reply.pdf")
    assert attachment.href == f"{BASE}/request/558039/response/77/attach/2/52658%20Reply.pdf"


# --- attachments -------------------------------------------------------------------------------


def test_attachments_are_downloaded_into_the_cache_following_numeric_redirects(mocked, client, cache):
    same = b"%PDF-1.4 the very same letter"
    first = make_request(1001, "first_request")
    second = make_request(1002, "second_request")
    for request in (first, second):
        request.incoming[0].attachments[0].content = same  # the same holding letter in both
    add_request(mocked, first, numeric_links=True)
    add_request(mocked, second, numeric_links=True)
    documents = [
        doc for r in (first, second) for doc in fetch_wdtk_request(client, r.url_title, cache, base=BASE).documents
    ]
    attachments = [d for d in documents if d.kind == "attachment"]
    assert [d.key for d in attachments] == [
        "attachment:10011:3:52658 Esslemont AP.pdf",
        "attachment:10012:2:52658 Reply.pdf",
        "attachment:10021:3:52658 Esslemont AP.pdf",
        "attachment:10022:2:52658 Reply.pdf",
    ]
    holding = attachments[0]
    assert holding.url == f"{BASE}/request/first_request/response/10011/attach/3/52658%20Esslemont%20AP.pdf"
    assert holding.url == attachment_url("first_request", 10011, 3, "52658 Esslemont AP.pdf", BASE)
    assert holding.filename == "52658 Esslemont AP.pdf" and holding.content_type == "application/pdf"
    assert holding.date == "2019-04-04" and holding.error is None
    assert holding.path.read_bytes() == same and holding.path.suffix == ".pdf"
    assert attachments[2].sha256 == holding.sha256 and attachments[2].path == holding.path
    assert len({d.sha256 for d in attachments}) == 3
    assert len(list(cache.root.rglob("*.pdf"))) == 3  # content-addressed: the shared letter is stored once
    # each download went to the numeric link and followed its redirect
    numeric = calls_to(mocked, "/request/1001/response/")
    assert len(numeric) == 2 and all(c.response.status_code == 301 for c in numeric)
    # the page was asked for as HTML, the attachments as anything
    [page_call] = [c for c in mocked.calls if c.request.url == f"{BASE}/request/first_request"]
    assert page_call.request.headers["Accept"].startswith("text/html")
    assert numeric[0].request.headers["Accept"] == "*/*"
    assert client.session.headers["Accept"] == "application/json"
    responses_ = [d for d in documents if d.kind == "response"]
    assert [d.key for d in responses_[:2]] == ["message:10011", "message:10012"]
    assert responses_[1].url == f"{BASE}/request/first_request#incoming-10012"
    assert responses_[1].date == "2019-04-24" and "full reply" in responses_[1].text


def test_a_missing_attachment_gives_a_document_with_an_error_and_the_run_goes_on(mocked, client, cache):
    broken = make_request(1001, "broken_request")
    broken.incoming[0].attachments[0].missing = True
    fine = make_request(1002, "fine_request")
    add_feed(mocked, HOME, [feed_events(broken) + feed_events(fine)])
    add_request(mocked, broken)
    add_request(mocked, fine)
    found = list(fetch_wdtk_requests(client, HOME, cache, base=BASE))
    assert [r.source_id for r in found] == ["1001", "1002"]
    lost, kept = [d for d in found[0].documents if d.kind == "attachment"]
    assert "HTTP 404" in lost.error and lost.sha256 is None and lost.path is None
    assert lost.url.endswith("/attach/3/52658%20Esslemont%20AP.pdf")
    assert kept.error is None and kept.path.is_file()
    assert all(d.error is None for d in found[1].documents)


def test_is_known_skips_the_download(mocked, client, cache):
    request = make_request()
    add_request(mocked, request)
    stored_sha, stored_path = cache.put(request.incoming[1].attachments[0].content, ".pdf")
    reply_url = attachment_url(request.url_title, 5580392, 2, "52658 Reply.pdf", BASE)
    asked = []

    def is_known(url):
        asked.append(url)
        return stored_sha if url == reply_url else None

    found = fetch_wdtk_request(client, request.url_title, cache, base=BASE, is_known=is_known)
    holding, reply = [d for d in found.documents if d.kind == "attachment"]
    assert asked == [holding.url, reply_url]
    assert reply.sha256 == stored_sha and reply.path == stored_path and reply.content_type == "application/pdf"
    assert calls_to(mocked, "/response/5580392/attach/") == []
    assert len(calls_to(mocked, "/response/5580391/attach/")) == 1 and holding.path.is_file()


def test_is_known_with_the_file_gone_from_the_cache_leaves_no_path(mocked, client, cache):
    request = make_request()
    add_request(mocked, request)
    found = fetch_wdtk_request(client, request.url_title, cache, base=BASE, is_known=lambda url: "ab" * 32)
    for document in (d for d in found.documents if d.kind == "attachment"):
        assert document.sha256 == "ab" * 32 and document.path is None
    assert calls_to(mocked, "/attach/") == []


# --- authorities -------------------------------------------------------------------------------


def test_check_body_returns_the_authority(mocked, client):
    mocked.get(f"{BASE}/body/home_office.json", json=make_body())
    assert check_body(client, "home_office", BASE)["name"] == "Home Office"


def test_check_body_404_lists_close_matches(mocked, client):
    mocked.get(f"{BASE}/body/home_offise.json", status=404, body="<html>Not found</html>")
    with pytest.raises(BadInput, match=r"no authority 'home_offise'.*close matches: home_office") as caught:
        check_body(client, "home_offise", BASE)
    assert caught.value.exit_code == 2
    mocked.get(f"{BASE}/body/ministry_of_justise.json", status=404, body="")
    with pytest.raises(BadInput, match="close matches: ministry_of_justice"):
        check_body(client, "ministry_of_justise", BASE)


def test_check_body_rejects_a_name_without_asking(mocked, client):
    with pytest.raises(BadInput, match="close matches: home_office"):
        check_body(client, "Home Office", BASE)
    assert len(mocked.calls) == 0


def test_known_url_names_are_the_departments_and_their_agencies():
    names = wdtk_names()
    assert names["home_office"] == "Home Office" and names["border_force"] == "Border Force"
    assert "foreign_commonwealth_and_development_office" in names


# --- end to end: the real CLI against a fake WhatDoTheyKnow ------------------------------------


def _foi_wdtk_command_missing() -> str | None:
    try:
        from pqcheck import foi
        from pqcheck.cli import cli
    except Exception as exc:  # the command is being written elsewhere; do not break this module
        return f"pqcheck.cli or pqcheck.foi does not import yet ({type(exc).__name__}: {exc})"
    fetch = cli.commands.get("fetch")
    if fetch is None or "foi-wdtk" not in getattr(fetch, "commands", {}) or not hasattr(foi, "ingest"):
        return "`pqcheck fetch foi-wdtk` / pqcheck.foi.ingest is not there yet"
    if not (Path(sys.executable).parent / "pqcheck").exists():
        return "the pqcheck console script is not installed beside this Python"
    return None


_MISSING = _foi_wdtk_command_missing()


def _dump(db_path: Path) -> dict[str, list[dict]]:
    db = sqlite_utils.Database(db_path)
    try:
        return {t: list(db[t].rows) for t in ("foi_requests", "foi_documents", "foi_pages")}
    finally:
        db.close()


@pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")
def test_cli_fetch_foi_wdtk_end_to_end(tmp_path):
    one = make_request(558039, "immigration_detention_of_traffic")
    one.incoming[1].attachments[0].content = tiny_pdf(
        "Re: Freedom of Information request - 52658\n\nTable 1: Number of individuals with a positive Conclusive "
        "Grounds decision detained in an IRC on 31-Dec-2018: 29"
    )
    two = make_request(
        587648,
        "voluntary_removals_of_potential",
        "Voluntary removals of potential victims",
        state="partially_successful",
        created="2019-07-07",
        responses=[
            Incoming(
                1410528,
                "2019-08-05",
                "Dear M Esslemont,\n\nPlease find our reply.",
                [
                    Attachment(3, "54439 Esslemont.pdf", tiny_pdf("Annex B: voluntary returns 2016-2018")),
                    Attachment(4, "Annex B.pdf", b"%PDF-1.4 gone", missing=True),
                ],
            )
        ],
    )
    refused = make_request(681483, "deaths_self_harm_and_levels_of_v", "Deaths, self harm", state="rejected")
    other_body = make_request(
        1000770,
        "council_tax_debt_25",
        "Council tax debt",
        body=make_body("bristol_city_council", "Bristol City Council", 99),
    )
    db_path, cache_dir = tmp_path / "pq.db", tmp_path / "files"
    with FakeWdtk([one, two, refused, other_body]) as fake:
        fake.numeric_links = True
        command = [
            str(Path(sys.executable).parent / "pqcheck"), "fetch", "foi-wdtk", str(db_path),
            "--body", "home_office", "--wdtk-url", fake.url, "--rate", "1000",
            "--quiet", "--json", "--cache-dir", str(cache_dir),
        ]  # fmt: skip
        first = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert first.returncode == 0, first.stderr
        after_first = _dump(db_path)
        downloads_first = [h for h in fake.hits("/request/") if "/attach/" in h.path]
        second = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        after_second = _dump(db_path)
        downloads_second = [h for h in fake.hits("/request/") if "/attach/" in h.path][len(downloads_first) :]
        feed_hits = fake.hits("/feed/search/")
        page_hits = [h for h in fake.hits("/request/") if h.path.count("/") == 2 and not h.path.endswith(".json")]
    assert json.loads(first.stdout)  # the command's JSON summary
    assert unquote(feed_hits[0].path) == f"/feed/search/{feed_query(HOME)}.json"
    assert page_hits and all(h.accept.startswith("text/html") for h in page_hits)

    requests = after_first["foi_requests"]
    assert sorted(r["id"] for r in requests) == ["wdtk:558039", "wdtk:587648"]  # successful + partially, once each
    by_id = {r["id"]: r for r in requests}
    assert by_id["wdtk:587648"]["outcome"] == "partially_successful"
    assert by_id["wdtk:558039"]["date_responded"] == "2019-04-24"
    assert by_id["wdtk:558039"]["authority_id"] == "home_office"
    assert "trafficking victims" in by_id["wdtk:558039"]["request_text"]
    documents = {d["id"]: d for d in after_first["foi_documents"]}
    assert len(documents) == 7  # 558039: 2 messages + 2 files; 587648: 1 message + 2 files
    reply = documents["wdtk:558039/attachment:5580392:2:52658 Reply.pdf"]
    assert reply["status"] == "ok" and reply["sha256"] and reply["page_count"] == 1
    [reply_page] = [p for p in after_first["foi_pages"] if p["document_id"] == reply["id"]]
    assert "detained in an IRC on 31-Dec-2018: 29" in " ".join(reply_page["text"].split())
    annex = documents["wdtk:587648/attachment:1410528:4:Annex B.pdf"]
    assert "404" in annex["error"]
    assert {p["document_id"] for p in after_first["foi_pages"]} >= {"wdtk:558039/message:5580392"}
    assert len(list(cache_dir.rglob("*.pdf"))) == 3
    assert len(downloads_first) == 8  # 4 attachments: the numeric link, then its redirect

    # the second run downloads only what failed before, and stores nothing new
    assert {h.path.rsplit("/", 1)[-1] for h in downloads_second} == {"Annex%20B.pdf"}
    assert after_second == after_first
