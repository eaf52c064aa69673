"""GOV.UK FOI releases: search paging, content mapping, attachments, errors; and end to end.

Unit tests mock HTTP with ``responses``; the end-to-end tests run :class:`govuk_server.FakeGovuk`
on 127.0.0.1 (the fetcher over real HTTP, then the ``pqcheck fetch foi-govuk`` console script).
Nothing here reaches the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
import sqlite_utils

from pqcheck.cache import FileCache
from pqcheck.errors import BadInput, UpstreamError
from pqcheck.http import HttpClient
from pqcheck.sources.govuk import (
    GOVUK_BASE,
    SEARCH_FIELDS,
    GovukQuery,
    check_organisation,
    fetch_govuk_releases,
    fetch_release,
    legacy_attachments,
    release_day,
    release_from_content,
    search_params,
)

from .support.cli import pqcheck_executable
from .support.fixtures_govuk import (
    ASSETS,
    external_attachment,
    file_attachment,
    html_attachment,
    html_publication,
    load_mod_sample,
    make_csv,
    make_pdf,
    make_release,
    organisation_item,
    search_page,
    search_result,
)
from .support.govuk_server import FakeGovuk

SEARCH_URL = f"{GOVUK_BASE}/api/search.json"
PDF = make_pdf(["Table 1: people detained in an IRC on 31 December 2018", "Total | 507"])
CSV = make_csv([["year", "detained"], [2018, 507], [2019, 612]])


@pytest.fixture
def client():
    http = HttpClient(rate=1000, retries=1, backoff=0.0, sleep=lambda seconds: None)
    yield http
    http.close()


@pytest.fixture
def cache(tmp_path) -> FileCache:
    return FileCache(tmp_path / "files")


def content(path: str) -> str:
    return f"{GOVUK_BASE}/api/content{path}"


def serve_search(pages: dict[int, dict]) -> None:
    """Answer the search endpoint by its ``start`` parameter."""

    def callback(request):
        start = int(parse_qs(urlsplit(request.url).query)["start"][0])
        return 200, {}, json.dumps(pages[start])

    responses.add_callback(responses.GET, SEARCH_URL, callback=callback)


def serve_release(item: dict) -> None:
    responses.get(content(item["base_path"]), json=item)


def queries(prefix: str = SEARCH_URL) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(c.request.url).query) for c in responses.calls if c.request.url.startswith(prefix)]


def requested(prefix: str) -> list[str]:
    return [c.request.url for c in responses.calls if c.request.url.startswith(prefix)]


# --- search parameters -------------------------------------------------------------------------


def test_search_params_carry_every_filter():
    query = GovukQuery(
        organisations=("home-office", "uk-visas-and-immigration"),
        query="immigration detention",
        date_from=date(2019, 1, 1),
        date_to=date(2019, 12, 31),
    )
    assert search_params(query, start=200, count=100) == {
        "filter_content_store_document_type": "foi_release",
        "filter_organisations": ["home-office", "uk-visas-and-immigration"],
        "q": "immigration detention",
        "filter_public_timestamp": "from:2019-01-01,to:2019-12-31",
        "order": "-public_timestamp",
        "count": 100,
        "start": 200,
        "fields": ["title", "description", "link", "public_timestamp", "organisations", "content_store_document_type"],
    }


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (date(2019, 1, 1), None, "from:2019-01-01"),
        (None, date(2019, 12, 31), "to:2019-12-31"),
        (None, None, None),
    ],
)
def test_search_params_date_bounds_are_optional(date_from, date_to, expected):
    params = search_params(GovukQuery(date_from=date_from, date_to=date_to), start=0)
    assert params.get("filter_public_timestamp") == expected
    assert "filter_organisations" not in params and "q" not in params
    assert params["order"] == "-public_timestamp" and params["count"] == 100


@responses.activate
def test_search_is_sent_with_repeated_organisations_and_fields(client, cache):
    serve_search({0: search_page([], total=0)})
    query = GovukQuery(organisations=("home-office", "border-force"), query="detention", date_from=date(2020, 1, 1))
    assert list(fetch_govuk_releases(client, query, cache)) == []
    (sent,) = queries()
    assert sent["filter_organisations"] == ["home-office", "border-force"]
    assert sent["fields"] == list(SEARCH_FIELDS)
    assert sent["q"] == ["detention"]
    assert sent["filter_public_timestamp"] == ["from:2020-01-01"]
    assert sent["order"] == ["-public_timestamp"]
    assert sent["filter_content_store_document_type"] == ["foi_release"]


@responses.activate
def test_pages_with_start_and_count_until_total(client, cache):
    items = [make_release(f"release-{n}", f"Release {n}") for n in range(5)]
    results = [search_result(i) for i in items]
    serve_search(
        {
            0: search_page(results[0:2], total=5, start=0),
            2: search_page(results[2:4], total=5, start=2),
            4: search_page(results[4:5], total=5, start=4),
        }
    )
    for item in items:
        serve_release(item)
    releases = list(fetch_govuk_releases(client, GovukQuery(organisations=("home-office",)), cache, count=2))
    assert [r.source_id for r in releases] == [i["base_path"] for i in items]
    assert [(q["start"], q["count"]) for q in queries()] == [(["0"], ["2"]), (["2"], ["2"]), (["4"], ["2"])]


@responses.activate
def test_paging_stops_on_an_empty_page_even_if_total_says_more(client, cache):
    item = make_release("only", "Only")
    serve_search({0: search_page([search_result(item)], total=50), 1: search_page([], total=50, start=1)})
    serve_release(item)
    assert [r.source_id for r in fetch_govuk_releases(client, GovukQuery(), cache)] == [item["base_path"]]
    assert len(queries()) == 2


@responses.activate
def test_a_link_repeated_on_the_next_page_is_fetched_once(client, cache):
    # a release published while paging pushes "b" from page one onto page two
    a, b, c = (make_release(s, s.upper()) for s in ("a", "b", "c"))
    serve_search(
        {
            0: search_page([search_result(a), search_result(b)], total=4),
            2: search_page([search_result(b), search_result(c)], total=4, start=2),
        }
    )
    for item in (a, b, c):
        serve_release(item)
    releases = list(fetch_govuk_releases(client, GovukQuery(), cache, count=2))
    assert [r.source_id for r in releases] == [a["base_path"], b["base_path"], c["base_path"]]
    assert requested(content(b["base_path"])) == [content(b["base_path"])]


# --- the real content item -----------------------------------------------------------------------


@responses.activate
def test_real_mod_release_is_mapped_with_its_pdf(client, cache):
    sample = load_mod_sample()
    result = {
        "title": sample["title"],
        "description": sample["description"],
        "link": sample["base_path"],
        "public_timestamp": "2014-05-29T11:48:35.000+01:00",
        "organisations": [{"slug": "ministry-of-defence", "title": "Ministry of Defence"}],
        "content_store_document_type": "foi_release",
    }
    serve_search({0: search_page([result], total=1)})
    serve_release(sample)
    (attachment,) = sample["details"]["attachments"]
    responses.get(attachment["url"], body=PDF, content_type="application/pdf")

    (release,) = fetch_govuk_releases(client, GovukQuery(organisations=("ministry-of-defence",)), cache)

    base_path = "/government/publications/number-of-ex-regular-service-personnel-in-fr20"
    assert release.id == f"govuk:{base_path}"
    assert (release.source, release.source_id) == ("govuk", base_path)
    assert release.url == f"https://www.gov.uk{base_path}"
    assert release.source_url == f"https://www.gov.uk/api/content{base_path}"
    assert release.title == "Number of ex-regular service personnel in FR20"
    assert (release.authority, release.authority_id) == ("Ministry of Defence", "ministry-of-defence")
    assert release.outcome == "released"
    assert release.date_responded == "2014-05-29"
    assert release.request_text.startswith("MOD response to a Freedom of Information (FOI) request dated 14 February")
    assert "<" not in release.request_text
    assert release.raw == sample
    assert release.fetched_at and release.fetched_at.endswith("+00:00")

    body, pdf = release.documents
    assert (body.key, body.kind, body.text) == ("body", "release", release.request_text)
    assert pdf.key == "attachment:PUBLIC_1392629965.pdf"
    assert pdf.kind == "attachment"
    assert pdf.title == "Number of ex-regular service personnel now part of FR20"
    assert pdf.url == (
        "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/315163/"
        "PUBLIC_1392629965.pdf"
    )
    assert (pdf.filename, pdf.content_type) == ("PUBLIC_1392629965.pdf", "application/pdf")
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest()
    assert pdf.path == cache.path_for(pdf.sha256, ".pdf") and pdf.path.read_bytes() == PDF
    assert pdf.error is None and pdf.raw == attachment
    assert pdf.date == "2014-05-29"


def test_real_mod_release_organisation_comes_from_content_links_without_a_search_result():
    sample = load_mod_sample()
    release = release_from_content(sample)
    assert (release.authority, release.authority_id) == ("Ministry of Defence", "ministry-of-defence")
    assert release.date_responded == "2014-05-29"
    assert [d.key for d in release.documents] == ["body"]  # no downloads without a client


@pytest.mark.parametrize(
    ("stamps", "expected"),
    [
        (("2014-05-29T11:48:35.000+01:00", "2014-05-29T10:48:35.000+00:00"), "2014-05-29"),
        ((None, "2020-03-12T18:18:24.794Z"), "2020-03-12"),
        (("2019-06-30T23:30:00Z",), "2019-07-01"),  # 00:30 BST: the day GOV.UK shows
        (("2019-12-31T23:30:00Z",), "2019-12-31"),  # GMT in winter
        (("", None, "not a date"), None),
    ],
)
def test_release_day_is_the_uk_calendar_day(stamps, expected):
    assert release_day(*stamps) == expected


def test_release_without_body_text_falls_back_to_the_description():
    item = make_release(
        "no-body", "No body", description="Figures on detention.", body_html='<div class="govspeak"></div>'
    )
    release = release_from_content(item)
    assert release.request_text == "Figures on detention."
    assert release.documents == []


# --- attachments ---------------------------------------------------------------------------------


@responses.activate
def test_file_attachments_are_downloaded_into_the_cache(client, cache):
    pdf_url = f"{ASSETS}/media/abc123/FOI 2024-0042 response.pdf"
    item = make_release(
        "detention-figures",
        "Detention figures",
        attachments=[
            file_attachment("pdf-1", pdf_url),
            file_attachment("csv-1", "/media/def456/data.csv", content_type="text/csv"),
            file_attachment("copy", f"{ASSETS}/media/zzz/same-bytes.pdf"),
        ],
    )
    serve_search({0: search_page([search_result(item)], total=1)})
    serve_release(item)
    responses.get(pdf_url, body=PDF, content_type="application/pdf")
    responses.get(f"{GOVUK_BASE}/media/def456/data.csv", body=CSV, content_type="text/csv")
    responses.get(f"{ASSETS}/media/zzz/same-bytes.pdf", body=PDF, content_type="application/pdf")

    (release,) = fetch_govuk_releases(client, GovukQuery(), cache)
    docs = {d.key: d for d in release.documents}
    assert list(docs) == ["body", "attachment:pdf-1", "attachment:csv-1", "attachment:copy"]
    pdf, csv, copy = docs["attachment:pdf-1"], docs["attachment:csv-1"], docs["attachment:copy"]
    assert pdf.filename == "FOI 2024-0042 response.pdf"
    assert pdf.path.read_bytes() == PDF and pdf.path.suffix == ".pdf"
    assert csv.url == f"{GOVUK_BASE}/media/def456/data.csv"  # relative URL resolved against the base
    assert csv.path.read_bytes() == CSV and csv.path.suffix == ".csv" and csv.content_type == "text/csv"
    assert copy.sha256 == pdf.sha256 and copy.path == pdf.path
    assert sorted(p.name for p in cache.root.rglob("*") if p.is_file()) == sorted({pdf.path.name, csv.path.name})


@responses.activate
def test_html_attachment_text_comes_from_its_content_item(client, cache):
    page_path = "/government/publications/detention-figures/detention-figures-2018"
    item = make_release("detention-figures", "Detention figures", attachments=[html_attachment("html-1", page_path)])
    serve_release(item)
    body = (
        '<div class="govspeak"><h2>Table 1</h2><table><tr><th>Year</th><th>Detained</th></tr>'
        "<tr><td>2018</td><td>507</td></tr></table></div>"
    )
    serve_release(html_publication(page_path, "Detention figures 2018", body))

    release = fetch_release(client, item["base_path"], cache)
    (html,) = [d for d in release.documents if d.key == "attachment:html-1"]
    assert html.url == f"{GOVUK_BASE}{page_path}"
    assert html.error is None and html.path is None
    assert "Year | Detained\n2018 | 507" in html.text
    assert requested(f"{GOVUK_BASE}{page_path}") == []  # the page itself, with its furniture, is not read


@responses.activate
def test_external_links_are_not_fetched_and_stay_in_the_raw_json(client, cache):
    link = "https://data.example.org/detention.xlsx"
    item = make_release(
        "links",
        "Links",
        attachments=[
            external_attachment("ext-1", link),
            html_attachment("elsewhere", "https://www.example.org/government/publications/x/y"),
        ],
    )
    serve_release(item)
    release = fetch_release(client, item["base_path"], cache)
    assert [d.key for d in release.documents] == ["body"]
    assert release.raw["details"]["attachments"][0]["url"] == link
    assert len(responses.calls) == 1


@responses.activate
def test_missing_attachment_gives_an_error_document_and_the_run_goes_on(client, cache):
    first = make_release(
        "first",
        "First",
        published="2024-03-02T10:00:00.000+00:00",
        attachments=[
            file_attachment("gone", f"{ASSETS}/media/gone/missing.pdf"),
            file_attachment("ok", f"{ASSETS}/media/ok/present.pdf"),
            html_attachment("gone-html", "/government/publications/first/withdrawn-page"),
        ],
    )
    second = make_release("second", "Second", attachments=[file_attachment("ok2", f"{ASSETS}/media/ok/two.csv")])
    serve_search({0: search_page([search_result(first), search_result(second)], total=2)})
    serve_release(first)
    serve_release(second)
    responses.get(f"{ASSETS}/media/gone/missing.pdf", status=404, body="<h1>Not found</h1>")
    responses.get(content("/government/publications/first/withdrawn-page"), status=404, json={"error": "Not found"})
    responses.get(f"{ASSETS}/media/ok/present.pdf", body=PDF)
    responses.get(f"{ASSETS}/media/ok/two.csv", body=CSV)

    releases = list(fetch_govuk_releases(client, GovukQuery(), cache))
    assert [r.source_id for r in releases] == [first["base_path"], second["base_path"]]
    docs = {d.key: d for d in releases[0].documents}
    gone = docs["attachment:gone"]
    assert "HTTP 404" in gone.error and gone.url.endswith("missing.pdf")
    assert gone.path is None and gone.sha256 is None
    assert docs["attachment:ok"].path.read_bytes() == PDF
    assert "HTTP 404" in docs["attachment:gone-html"].error
    assert releases[1].documents[-1].path.read_bytes() == CSV
    assert len(requested(f"{ASSETS}/media/gone/missing.pdf")) == 1  # a 404 is not retried


@responses.activate
def test_attachment_failing_after_retries_stops_the_run(client, cache):
    item = make_release("flaky", "Flaky", attachments=[file_attachment("a", f"{ASSETS}/media/a.pdf")])
    serve_release(item)
    responses.get(f"{ASSETS}/media/a.pdf", status=503)
    with pytest.raises(UpstreamError, match="after 1 retries: HTTP 503"):
        fetch_release(client, item["base_path"], cache)


@responses.activate
def test_invalid_search_parameters_422_give_a_clear_error(client, cache):
    message = 'Invalid value "from:2019-13-01" for parameter "filter_public_timestamp"'
    responses.get(SEARCH_URL, status=422, json={"error": message})
    with pytest.raises(UpstreamError) as caught:
        list(fetch_govuk_releases(client, GovukQuery(date_from=date(2019, 1, 1)), cache))
    assert caught.value.status == 422
    text = str(caught.value)
    assert text.startswith("GOV.UK search refused the query as invalid (HTTP 422")
    assert message in text and "/api/search.json" in text
    assert len(responses.calls) == 1  # not retried


@responses.activate
def test_release_gone_between_search_and_read_is_skipped(client, cache, caplog):
    gone, kept = make_release("gone", "Gone"), make_release("kept", "Kept")
    serve_search({0: search_page([search_result(gone), search_result(kept)], total=2)})
    responses.get(content(gone["base_path"]), status=410, json={"error": "gone"})
    serve_release(kept)
    assert [r.source_id for r in fetch_govuk_releases(client, GovukQuery(), cache)] == [kept["base_path"]]
    assert "skipping /government/publications/gone" in caplog.text


# --- is_known ------------------------------------------------------------------------------------


@responses.activate
def test_is_known_skips_downloads_of_files_in_the_cache(client, cache):
    url = f"{ASSETS}/media/known/reply.pdf"
    sha256, path = cache.put(PDF, ".pdf")
    item = make_release("known", "Known", attachments=[file_attachment("k", url)])
    serve_release(item)
    asked = []

    def is_known(u):
        asked.append(u)
        return sha256 if u == url else None

    release = fetch_release(client, item["base_path"], cache, is_known=is_known)
    doc = release.documents[-1]
    assert (doc.sha256, doc.path, doc.error) == (sha256, path, None)
    assert asked == [url]
    assert requested(ASSETS) == []


@responses.activate
def test_is_known_file_lost_from_the_cache_is_downloaded_again(client, cache):
    url = f"{ASSETS}/media/known/reply.pdf"
    item = make_release("known", "Known", attachments=[file_attachment("k", url)])
    serve_release(item)
    responses.get(url, body=PDF)
    known = hashlib.sha256(PDF).hexdigest()
    release = fetch_release(client, item["base_path"], cache, is_known=lambda u: known)
    doc = release.documents[-1]
    assert doc.sha256 == known and doc.path.read_bytes() == PDF
    assert requested(ASSETS) == [url]


# --- older items and organisations ---------------------------------------------------------------


def test_legacy_documents_html_gives_attachments():
    documents = [
        '<section class="attachment embedded" id="attachment_2483313"><div class="attachment-details">'
        '<h2 class="title"><a href="https://assets.publishing.service.gov.uk/government/uploads/system/uploads/'
        'attachment_data/file/630117/reply.pdf">FOI   reply</a></h2></div></section>',
        '<section class="attachment embedded" id="attachment_2483314"><div class="attachment-details">'
        '<h2 class="title"><a href="/government/publications/x/html-version">HTML version</a></h2></div></section>',
        '<section class="attachment" id="attachment_9"><h2 class="title"><a href="https://example.org/d">D</a></h2>'
        "</section>",
    ]
    found = legacy_attachments(documents)
    assert [(a["attachment_type"], a["id"], a["title"]) for a in found] == [
        ("file", "2483313", "FOI reply"),
        ("html", "2483314", "HTML version"),
        ("external", "9", "D"),
    ]
    assert found[1]["url"] == "https://www.gov.uk/government/publications/x/html-version"


@responses.activate
def test_legacy_documents_are_used_when_there_are_no_attachments(client, cache):
    item = make_release("old", "Old")
    item["details"]["documents"] = [
        '<section class="attachment embedded" id="attachment_1"><h2 class="title">'
        '<a href="/government/uploads/system/uploads/attachment_data/file/1/old.pdf">Old reply</a></h2></section>'
    ]
    serve_release(item)
    responses.get(f"{GOVUK_BASE}/government/uploads/system/uploads/attachment_data/file/1/old.pdf", body=PDF)
    doc = fetch_release(client, item["base_path"], cache).documents[-1]
    assert (doc.key, doc.title, doc.filename) == ("attachment:1", "Old reply", "old.pdf")
    assert doc.path.read_bytes() == PDF


@responses.activate
def test_check_organisation(client):
    responses.get(
        content("/government/organisations/home-office"), json=organisation_item("home-office", "Home Office")
    )
    responses.get(content("/government/organisations/first-tier-tribunal"), status=404, json={"error": "not found"})
    responses.get(
        content("/courts-tribunals/first-tier-tribunal"),
        json=organisation_item("first-tier-tribunal", "First-tier Tribunal", "/courts-tribunals/"),
    )
    responses.get(content("/government/organisations/home-offic"), status=404, json={"error": "not found"})
    responses.get(content("/courts-tribunals/home-offic"), status=404, json={"error": "not found"})

    assert check_organisation(client, "home-office") == "Home Office"
    assert check_organisation(client, "first-tier-tribunal") == "First-tier Tribunal"
    with pytest.raises(BadInput, match=r"GOV\.UK has no organisation 'home-offic'"):
        check_organisation(client, "home-offic")
    calls = len(responses.calls)
    with pytest.raises(BadInput, match=r"not a GOV\.UK organisation slug"):
        check_organisation(client, "Home Office")
    with pytest.raises(BadInput, match=r"not a GOV\.UK organisation slug"):
        check_organisation(client, "../../search")
    assert len(responses.calls) == calls


# --- end to end ----------------------------------------------------------------------------------


def publish(api: FakeGovuk, slug: str, title: str, day: str, *, org=("home-office", "Home Office"), extra=()):
    """A release on the fake server with a PDF and a CSV served by the server itself."""
    pdf = make_pdf([f"{title}", "Table 1 | Detained on 31 December 2018 | 507"])
    csv = make_csv([["table", "value"], ["detained", 507], [slug, len(slug)]])
    attachments = [
        file_attachment(f"{slug}-pdf", api.add_file(f"/media/{slug}/reply.pdf", pdf, "application/pdf")),
        file_attachment(
            f"{slug}-csv", api.add_file(f"/media/{slug}/data.csv", csv, "text/csv"), content_type="text/csv"
        ),
        *extra,
    ]
    item = make_release(
        slug, title, organisations=(org,), published=f"{day}T09:30:00.000+00:00", attachments=attachments, base=api.url
    )
    api.add_release(item)
    return item, pdf, csv


def test_fetcher_against_the_fake_server(cache):
    with FakeGovuk(max_count=2) as api:
        api.add_item(organisation_item("home-office", "Home Office"))  # the CLI checks the slug first
        page_path = "/government/publications/detention-2018/detention-2018-html"
        api.add_item(html_publication(page_path, "Detention 2018", "<p>In 2018, 507 people were detained.</p>"))
        first, first_pdf, _ = publish(
            api,
            "detention-2018",
            "Detention 2018",
            "2024-03-03",
            extra=[
                html_attachment("html", page_path),
                file_attachment("missing", f"{api.url}/media/missing.pdf"),
                external_attachment("ext", "https://data.example.org/x.csv"),
            ],
        )
        second, _, _ = publish(api, "removals-2019", "Removals 2019", "2024-03-02")
        third, _, _ = publish(api, "returns-2020", "Returns 2020", "2024-03-01")
        publish(api, "mod-release", "MOD release", "2024-03-04", org=("ministry-of-defence", "Ministry of Defence"))

        def publish_newer_once(api, query):  # pushes "removals-2019" from page one onto page two
            if query["start"] == ["0"]:
                publish(api, "newest", "Newest", "2024-03-05")

        api.after_search.append(publish_newer_once)
        client = HttpClient(rate=1000, retries=0, sleep=lambda s: None)
        releases = list(
            fetch_govuk_releases(client, GovukQuery(organisations=("home-office",)), cache, base=api.url, count=100)
        )
        client.close()

    assert [r.source_id for r in releases] == [first["base_path"], second["base_path"], third["base_path"]]
    assert [q["start"] for q in (r.query for r in api.requests if r.path == "/api/search.json")] == [["0"], ["2"]]
    assert api.paths("/api/content/government/publications/removals-2019") == [
        "/api/content/government/publications/removals-2019"
    ]
    release = releases[0]
    assert (release.authority, release.authority_id, release.date_responded) == (
        "Home Office",
        "home-office",
        "2024-03-03",
    )
    assert release.url == f"{api.url}{first['base_path']}"
    docs = {d.key: d for d in release.documents}
    assert docs["attachment:detention-2018-pdf"].path.read_bytes() == first_pdf
    assert docs["attachment:detention-2018-csv"].path.suffix == ".csv"
    assert docs["attachment:html"].text == "In 2018, 507 people were detained."
    assert "HTTP 404" in docs["attachment:missing"].error
    assert "attachment:ext" not in docs


def test_fake_server_answers_unknown_parameters_with_422():
    with FakeGovuk() as api:
        client = HttpClient(rate=1000, retries=0, sleep=lambda s: None)
        with pytest.raises(UpstreamError, match="HTTP 422: Unexpected parameters: filter_colour") as caught:
            client.get_json(f"{api.url}/api/search.json", {"filter_colour": "red"})
        client.close()
    assert caught.value.status == 422


def foi_govuk_command_missing() -> bool:
    if os.environ.get("PQCHECK_E2E_BIN"):
        return False
    try:
        from pqcheck.cli import fetch
    except ImportError:
        return True
    return "foi-govuk" not in fetch.commands


def dump(db_path: Path) -> dict[str, list[dict]]:
    """Every row of the FOI tables, without the times of fetching (a rerun may refresh those)."""
    db = sqlite_utils.Database(db_path)
    try:
        return {
            table: sorted(
                ({k: v for k, v in row.items() if k != "fetched_at"} for row in db[table].rows),
                key=lambda r: json.dumps(r, sort_keys=True, default=str),
            )
            for table in ("foi_requests", "foi_documents", "foi_pages")
        }
    finally:
        db.close()


@pytest.mark.skipif(
    foi_govuk_command_missing(), reason="`pqcheck fetch foi-govuk` is not in pqcheck/cli.py yet (being written)"
)
def test_cli_fetch_foi_govuk_stores_each_release_once(tmp_path):
    exe = pqcheck_executable()
    db_path, cache_dir = tmp_path / "pq.db", tmp_path / "files"
    with FakeGovuk(max_count=2) as api:
        api.add_item(organisation_item("home-office", "Home Office"))  # the CLI checks the slug first
        page_path = "/government/publications/detention-2018/detention-2018-html"
        api.add_item(html_publication(page_path, "Detention 2018", "<p>In 2018, 507 people were detained.</p>"))
        first, first_pdf, first_csv = publish(
            api,
            "detention-2018",
            "Detention 2018",
            "2024-03-03",
            extra=[html_attachment("html", page_path), file_attachment("missing", f"{api.url}/media/missing.pdf")],
        )
        publish(api, "removals-2019", "Removals 2019", "2024-03-02")
        publish(api, "returns-2020", "Returns 2020", "2024-03-01")
        publish(api, "mod-release", "MOD release", "2024-03-04", org=("ministry-of-defence", "Ministry of Defence"))
        command = [
            exe,
            "fetch",
            "foi-govuk",
            str(db_path),
            "--organisation",
            "home-office",
            "--govuk-url",
            api.url,
            "--rate",
            "1000",
            "--quiet",
            "--json",
            "--cache-dir",
            str(cache_dir),
        ]

        def run():
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            json.loads(done.stdout)  # the summary is JSON
            return done

        def downloads():
            return [r.path for r in api.requests if r.path.startswith("/media/") and r.status == 200]

        run()
        first_run = dump(db_path)
        first_downloads = downloads()
        run()
        second_run = dump(db_path)
        second_downloads = downloads()[len(first_downloads) :]

    requests_ = first_run["foi_requests"]
    assert sorted(r["source_id"] for r in requests_) == [
        "/government/publications/detention-2018",
        "/government/publications/removals-2019",
        "/government/publications/returns-2020",
    ]
    assert len({r["id"] for r in requests_}) == 3
    assert {(r["source"], r["authority"], r["authority_id"], r["outcome"]) for r in requests_} == {
        ("govuk", "Home Office", "home-office", "released")
    }
    release = next(r for r in requests_ if r["source_id"] == first["base_path"])
    assert release["date_responded"] == "2024-03-03" and release["title"] == "Detention 2018"

    documents = [d for d in first_run["foi_documents"] if d["request_id"] == release["id"]]
    by_url = {d["url"]: d for d in documents}
    pdf = by_url[f"{api.url}/media/detention-2018/reply.pdf"]
    assert pdf["sha256"] == hashlib.sha256(first_pdf).hexdigest()
    assert by_url[f"{api.url}/media/detention-2018/data.csv"]["sha256"] == hashlib.sha256(first_csv).hexdigest()
    assert "404" in (by_url[f"{api.url}/media/missing.pdf"]["error"] or "")
    assert f"{api.url}{page_path}" in by_url
    assert len({d["id"] for d in first_run["foi_documents"]}) == len(first_run["foi_documents"])
    assert any(p.name.startswith(pdf["sha256"]) for p in cache_dir.rglob("*"))

    pages = [p for p in first_run["foi_pages"] if p["document_id"] == pdf["id"]]
    assert pages and "507" in " ".join(p["text"] or "" for p in pages)

    assert second_run == first_run, "a second run must not change what is stored"
    assert len(first_downloads) == 6  # two files for each of the three releases
    assert second_downloads == [], "a second run must not download files it already has (is_known)"
