"""WhatDoTheyKnow (Alaveteli): FOI requests found through the JSON search feed, with their responses.

What is fetched and why (shared reference ``foi-sources.md`` §1 and §5):

- discovery: ``/feed/search/<xapian query>.json?page=N``, 25 *events* a page (not requests), so
  events are de-duplicated on ``info_request.id``; the query is built by :func:`feed_query`;
- metadata: ``/request/<url_title>.json`` (state, authority, events). It has no message text and
  no attachment list;
- message text and attachments: only the HTML request page ``/request/<url_title>``. Incoming
  messages are ``div.incoming.correspondence`` (``id="incoming-<id>"`` in Alaveteli's templates;
  ``incoming_message_<id>`` is accepted too), the text is in ``.correspondence_text``, and each
  attachment's raw "Download" link is ``…/response/<im_id>/attach/<part>/<filename>``;
- attachments are downloaded raw (``/attach/html/`` carries no text for PDFs since Alaveteli
  0.46) into the content-addressed :class:`~pqcheck.cache.FileCache`.

Numeric request ids redirect to ``url_title`` URLs; ``requests`` follows redirects. Rails picks
the response format from the ``Accept`` header when the URL has no extension, so the HTML page
and the attachments are asked for with ``Accept: text/html`` / ``*/*`` rather than the JSON
``Accept`` the shared client sends.

Like every source module, the fetchers yield records and never touch the database.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import json
import logging
import mimetypes
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from .. import jsonsafe
from ..cache import FileCache
from ..departments import wdtk_names
from ..errors import BadInput, UpstreamError
from ..http import HttpClient, build_url
from ..records import FoiDocument, FoiRequest, now_iso
from ..text import ascii_int, html_to_text

log = logging.getLogger(__name__)

WDTK_BASE = "https://www.whatdotheyknow.com"
FEED_PAGE_SIZE = 25
DEFAULT_STATUSES = ("successful", "partially_successful")

# described_state values (Alaveteli app/models/info_request/state.rb), then the computed ones
# that calculate_status adds (reference §1.4).
WDTK_STATUSES = (
    "waiting_response",
    "waiting_clarification",
    "gone_postal",
    "not_held",
    "rejected",
    "successful",
    "partially_successful",
    "internal_review",
    "error_message",
    "requires_admin",
    "user_withdrawn",
    "attention_requested",
    "vexatious",
    "not_foi",
    "waiting_classification",
    "waiting_response_overdue",
    "waiting_response_very_overdue",
)

# Xapian date ranges need both ends; an open end is filled with these.
RANGE_START = date(2000, 1, 1)
RANGE_END = date(2099, 12, 31)

_URL_NAME = re.compile(r"[A-Za-z0-9_\-]+")
_INCOMING_ID = re.compile(r"^incoming(?:_message)?[-_](\d+)$")
_ATTACHMENT_PATH = re.compile(r"/request/([^/]+)/response/(\d+)/attach/(\d+)/([^/]+)$")
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")
_GONE = frozenset({403, 404, 410})
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class WdtkQuery:
    """What to search WhatDoTheyKnow for: an authority, words, a date range and request states.

    ``body`` is a WDTK ``url_name`` (``home_office``); ``query`` is Xapian syntax, passed through
    (``"reasonable grounds" detention``); the dates bound the *event* dates; ``statuses`` are
    matched with ``latest_status:`` (the request's current state).
    """

    body: str | None = None
    query: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    statuses: tuple[str, ...] = DEFAULT_STATUSES

    def __post_init__(self):
        if self.body is not None and not _URL_NAME.fullmatch(self.body):
            raise BadInput(
                f"{self.body!r} is not a WhatDoTheyKnow url_name (letters, digits and _ only, e.g. home_office)"
                + _suggest(self.body)
            )
        if not (self.body or (self.query and self.query.strip())):
            raise BadInput("give an authority (--body) or search words: pqcheck does not page through all of WDTK")
        unknown = [s for s in self.statuses if s not in WDTK_STATUSES]
        if unknown:
            hints = {s: difflib.get_close_matches(s, WDTK_STATUSES, n=1) for s in unknown}
            listed = ", ".join(f"{s} (did you mean {h[0]}?)" if h else s for s, h in hints.items())
            raise BadInput(f"unknown WhatDoTheyKnow status {listed}; known: {', '.join(WDTK_STATUSES)}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadInput(f"the date range is empty: {self.date_from} is after {self.date_to}")

    def to_json(self) -> str:
        """A canonical JSON form (equal queries give equal strings), e.g. for a sync checkpoint."""
        data = dataclasses.asdict(self)
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
        data["statuses"] = list(self.statuses)
        return json.dumps({k: v for k, v in data.items() if v not in (None, [])}, sort_keys=True)


def feed_query(q: WdtkQuery) -> str:
    """The Xapian query for the search feed, e.g.
    ``requested_from:home_office variety:response (latest_status:successful OR
    latest_status:partially_successful) 01/01/2019..31/12/2019 "reasonable grounds"``.
    """
    terms = []
    if q.body:
        terms.append(f"requested_from:{q.body}")
    terms.append("variety:response")
    if len(q.statuses) == 1:
        terms.append(f"latest_status:{q.statuses[0]}")
    elif q.statuses:
        terms.append("(" + " OR ".join(f"latest_status:{s}" for s in q.statuses) + ")")
    if q.date_from or q.date_to:
        start, end = q.date_from or RANGE_START, q.date_to or RANGE_END
        terms.append(f"{start:%d/%m/%Y}..{end:%d/%m/%Y}")
    if q.query and q.query.strip():
        terms.append(" ".join(q.query.split()))
    return " ".join(terms)


def feed_url(q: WdtkQuery, base: str = WDTK_BASE) -> str:
    """``<base>/feed/search/<query, URL-encoded, slashes too>.json`` (add ``?page=N``)."""
    return f"{base}/feed/search/{quote(feed_query(q), safe='')}.json"


def request_json_url(ref: str | int, base: str = WDTK_BASE) -> str:
    return f"{base}/request/{ref}.json"


def request_page_url(url_title: str, base: str = WDTK_BASE) -> str:
    return f"{base}/request/{url_title}"


def attachment_url(url_title: str, incoming_message_id: int, part: int, filename: str, base: str = WDTK_BASE) -> str:
    """The canonical raw-attachment URL (what a numeric-id link redirects to)."""
    return f"{base}/request/{url_title}/response/{incoming_message_id}/attach/{part}/{quote(filename, safe='')}"


# --- dates -------------------------------------------------------------------------------------


def parse_wdtk_date(value: Any) -> str | None:
    """YYYY-MM-DD from an Alaveteli timestamp, in the timestamp's own offset; None if unreadable.

    Accepts Rails ISO 8601 (``2025-08-29T20:29:16.797+01:00``, ``...Z``) and the older
    ``2013/06/18 10:18:19 +1000`` form.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    for pattern in ("%Y/%m/%d %H:%M:%S %z", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(text, pattern).date().isoformat()
    match = re.match(r"([0-9]{4})[-/]([0-9]{2})[-/]([0-9]{2})", text)
    if match:
        with contextlib.suppress(ValueError):
            return date(*map(int, match.groups())).isoformat()
    return None


# --- authorities -------------------------------------------------------------------------------


def close_bodies(text: str, n: int = 5) -> list[str]:
    """Known url_names (the departments' and agencies') close to what was typed (a url_name or a name)."""
    bodies = wdtk_names()
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower().replace("&", "and")).strip("_")
    found = difflib.get_close_matches(slug, list(bodies), n=n, cutoff=0.6)
    by_name = {name.lower(): url_name for url_name, name in bodies.items()}
    for name in difflib.get_close_matches(text.lower(), list(by_name), n=n, cutoff=0.6):
        if by_name[name] not in found:
            found.append(by_name[name])
    return found[:n]


def _suggest(text: str) -> str:
    matches = close_bodies(text)
    return f"; close matches: {', '.join(matches)}" if matches else ""


def check_body(client: HttpClient, url_name: str, base: str = WDTK_BASE) -> dict[str, Any]:
    """The authority's record from ``/body/<url_name>.json``; :class:`BadInput` with close
    matches when WhatDoTheyKnow has no such authority."""
    if not _URL_NAME.fullmatch(url_name or ""):
        raise BadInput(f"{url_name!r} is not a WhatDoTheyKnow url_name (e.g. home_office){_suggest(url_name or '')}")
    url = f"{base}/body/{url_name}.json"
    try:
        body = client.get_json(url)
    except UpstreamError as exc:
        if exc.status == 404:
            raise BadInput(
                f"WhatDoTheyKnow has no authority {url_name!r} ({url} is 404){_suggest(url_name)}. "
                f"The url_name is the last part of the authority's address, {base}/body/<url_name>"
            ) from exc
        raise
    if not isinstance(body, dict) or "url_name" not in body:
        raise UpstreamError(f"unexpected reply from {url}: expected an authority object with a 'url_name'")
    return body


# --- the search feed ---------------------------------------------------------------------------


def iter_feed_requests(
    client: HttpClient, query: WdtkQuery, *, base: str = WDTK_BASE, max_pages: int | None = None
) -> Iterator[dict[str, Any]]:
    """The shallow ``info_request`` of each request the feed's events belong to, once each, in
    first-seen order. Pages until an empty or short page (or ``max_pages``)."""
    if max_pages is not None and max_pages < 1:
        raise BadInput("max_feed_pages must be at least 1")
    url = feed_url(query, base)
    seen_requests: set[Any] = set()
    seen_events: set[Any] = set()
    page = 1
    while max_pages is None or page <= max_pages:
        params = {"page": page}
        try:
            events = client.get_json(url, params)
        except UpstreamError as exc:
            raise UpstreamError(f"WhatDoTheyKnow search feed, page {page}: {exc}", status=exc.status) from exc
        if not isinstance(events, list):
            kind = type(events).__name__
            raise UpstreamError(
                f"unexpected reply from {build_url(url, params)}: expected a JSON list of feed events, got a {kind}"
            )
        new_events = 0
        for event in events:
            info = event.get("info_request") if isinstance(event, dict) else None
            if not isinstance(info, dict) or info.get("id") is None:
                log.warning("skipping a feed event without an info_request id on page %d of %s", page, url)
                continue
            event_id = event.get("id")
            if event_id is None or event_id not in seen_events:
                new_events += 1
                seen_events.add(event_id)
            if info["id"] in seen_requests:
                continue
            seen_requests.add(info["id"])
            yield info
        if len(events) < FEED_PAGE_SIZE:
            return
        if new_events == 0:
            log.warning("page %d of %s repeats earlier events; stopping", page, url)
            return
        page += 1


# --- the HTML request page ---------------------------------------------------------------------


@dataclass
class PageAttachment:
    """One attachment link found under an incoming message."""

    incoming_message_id: int
    part: int
    filename: str  # decoded, as WDTK displays it
    href: str  # absolute, as linked (may use the numeric request id)
    name: str | None = None  # p.attachment__name
    meta: str | None = None  # p.attachment__meta (size, links)


@dataclass
class PageMessage:
    incoming_message_id: int
    text: str | None
    attachments: list[PageAttachment] = field(default_factory=list)


@dataclass
class RequestPage:
    request_text: str | None
    messages: list[PageMessage]


def parse_request_page(html: str, page_url: str) -> RequestPage:
    """The request text and the incoming messages (text, attachments) of a request page."""
    soup = BeautifulSoup(html, "html.parser")
    outgoing = soup.select("div.outgoing.correspondence")
    request_text = _message_text(outgoing[0]) if outgoing else None
    messages: list[PageMessage] = []
    for element in soup.select("div.incoming.correspondence"):
        attachments = _attachments(element, page_url)
        match = _INCOMING_ID.match(element.get("id") or "")
        message_id = ascii_int(match.group(1)) if match else None
        if message_id is None and attachments:
            message_id = attachments[0].incoming_message_id
        if message_id is None:
            log.warning("skipping an incoming message without an id on %s", page_url)
            continue
        messages.append(PageMessage(message_id, _message_text(element), attachments))
    return RequestPage(request_text, messages)


def _message_text(element: Tag) -> str | None:
    """The text of ``.correspondence_text`` (or of the whole message), without the attachment
    list, the "show quoted sections" link, headers and action links."""
    copy = BeautifulSoup(str(element), "html.parser")
    body = copy.select_one(".correspondence_text") or copy
    for noise in body.select(
        ".attachments, ul.list-of-attachments, .unfold_link, .correspondence__header, "
        ".correspondence__footer, .event_actions, script, style, h2"
    ):
        noise.decompose()
    text = html_to_text(str(body))
    return text or None


def _attachments(element: Tag, page_url: str) -> list[PageAttachment]:
    """Raw-download links (``…/response/<im>/attach/<part>/<file>``, not ``/attach/html/``) under
    a message, once per (message, part, filename)."""
    found: dict[tuple[int, int, str], PageAttachment] = {}
    for link in element.find_all("a", href=True):
        href = urljoin(page_url, link["href"])
        match = _ATTACHMENT_PATH.search(urlsplit(href).path)
        if not match:
            continue
        message_id, part, filename = ascii_int(match.group(2)), ascii_int(match.group(3)), unquote(match.group(4))
        if message_id is None or part is None:
            continue
        key = (message_id, part, filename)
        item = link.find_parent("li", class_="attachment")
        name = _tag_text(item.select_one(".attachment__name")) if item else None
        meta = _tag_text(item.select_one(".attachment__meta")) if item else None
        previous = found.get(key)
        if previous is None:
            found[key] = PageAttachment(message_id, part, filename, href, name, meta)
        elif link.get_text(strip=True).lower() == "download":
            previous.href = href  # prefer the "Download" link's address
    return list(found.values())


def _tag_text(tag: Tag | None) -> str | None:
    if tag is None:
        return None
    return " ".join(tag.get_text(" ").split()) or None


# --- requests ----------------------------------------------------------------------------------


def fetch_wdtk_requests(
    client: HttpClient,
    query: WdtkQuery,
    cache: FileCache,
    *,
    base: str = WDTK_BASE,
    max_feed_pages: int | None = None,
    is_known: Callable[[str], str | None] = lambda url: None,
) -> Iterator[FoiRequest]:
    """Each request the search feed finds, with its response messages and downloaded attachments.

    ``is_known(url)`` returns the sha256 of an attachment already stored (its download is then
    skipped). A request that is gone or hidden (403/404/410) is skipped with a warning; an
    attachment that cannot be downloaded is yielded with ``error`` set.
    """
    for info in iter_feed_requests(client, query, base=base, max_pages=max_feed_pages):
        request = fetch_wdtk_request(
            client, info.get("url_title") or info["id"], cache, base=base, is_known=is_known, request_id=info["id"]
        )
        if request is not None:
            yield request


def fetch_wdtk_request(
    client: HttpClient,
    ref: str | int,
    cache: FileCache,
    *,
    base: str = WDTK_BASE,
    is_known: Callable[[str], str | None] = lambda url: None,
    request_id: int | None = None,
) -> FoiRequest | None:
    """One request by ``url_title`` or numeric id (which redirects); None if it is gone or hidden."""
    loaded = _request_json(client, ref, base, request_id)
    if loaded is None:
        return None
    data, json_url = loaded
    url_title = data["url_title"]
    page_url = request_page_url(url_title, base)
    request = FoiRequest(
        source="wdtk",
        source_id=str(data["id"]),
        url=page_url,
        authority=(data.get("public_body") or {}).get("name"),
        authority_id=(data.get("public_body") or {}).get("url_name"),
        title=data.get("title"),
        outcome=data.get("described_state"),
        date_requested=parse_wdtk_date(data.get("created_at")),
        date_responded=_last_response_date(data),
        source_url=json_url,
        fetched_at=now_iso(),
        raw=data,
    )
    try:
        html = client.get(page_url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8").text
    except UpstreamError as exc:
        if exc.status not in _GONE:
            raise
        log.warning("request page %s is not available (%s): keeping the metadata only", page_url, exc)
        return request
    page = parse_request_page(html, page_url)
    request.request_text = page.request_text
    dates = _response_dates(data)
    for message in page.messages:
        when = dates.get(message.incoming_message_id)
        if message.text:
            request.documents.append(
                FoiDocument(
                    key=f"message:{message.incoming_message_id}",
                    kind="response",
                    title=f"Response {message.incoming_message_id}",
                    url=f"{page_url}#incoming-{message.incoming_message_id}",
                    date=when,
                    text=message.text,
                )
            )
        for attachment in message.attachments:
            request.documents.append(_attachment_document(client, cache, attachment, url_title, base, when, is_known))
    return request


def _request_json(client: HttpClient, ref: str | int, base: str, request_id: int | None):
    """(request JSON, its URL after redirects), trying the numeric id when a url_title is gone
    (titles change when a request is renamed); None if the request is gone or hidden."""
    refs = [ref]
    if request_id is not None and str(request_id) != str(ref):
        refs.append(request_id)
    for attempt in refs:
        url = request_json_url(attempt, base)
        try:
            if ascii_int(str(attempt)) is not None:
                response = client.get(url)
                try:
                    data = jsonsafe.bounded(response.json())
                except (ValueError, RecursionError) as exc:
                    raise UpstreamError(f"GET {response.url} did not return JSON") from exc
                url = response.url
            else:
                data = client.get_json(url)
        except UpstreamError as exc:
            if exc.status in _GONE:
                log.warning("request %s is not available: %s", attempt, exc)
                continue
            raise
        if not isinstance(data, dict) or data.get("id") is None:
            raise UpstreamError(f"unexpected reply from {url}: expected a request object with an 'id'")
        if not data.get("url_title"):
            match = re.search(r"/request/([^/?#]+?)(?:\.json)?$", urlsplit(url).path)
            if not match or ascii_int(match.group(1)) is not None:
                raise UpstreamError(f"unexpected reply from {url}: no 'url_title'")
            data["url_title"] = match.group(1)
        return data, url
    return None


def _events(data: dict[str, Any]) -> list[dict[str, Any]]:
    events = data.get("info_request_events")
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def _last_response_date(data: dict[str, Any]) -> str | None:
    responses = [e for e in _events(data) if e.get("event_type") == "response"]
    return parse_wdtk_date(responses[-1].get("created_at")) if responses else None


def _response_dates(data: dict[str, Any]) -> dict[int, str | None]:
    dates: dict[int, str | None] = {}
    for event in _events(data):
        message_id = ascii_int(str(event.get("incoming_message_id")))
        if event.get("event_type") == "response" and message_id is not None:
            dates[message_id] = parse_wdtk_date(event.get("created_at"))
    return dates


def _suffix(filename: str, content_type: str | None = None) -> str:
    suffix = Path(filename).suffix.lower()
    if _SAFE_SUFFIX.match(suffix):
        return suffix
    guessed = mimetypes.guess_extension(content_type) if content_type else None
    return guessed or ""


def _attachment_document(
    client: HttpClient,
    cache: FileCache,
    attachment: PageAttachment,
    url_title: str,
    base: str,
    when: str | None,
    is_known: Callable[[str], str | None],
) -> FoiDocument:
    url = attachment_url(url_title, attachment.incoming_message_id, attachment.part, attachment.filename, base)
    document = FoiDocument(
        key=f"attachment:{attachment.incoming_message_id}:{attachment.part}:{attachment.filename}",
        kind="attachment",
        title=attachment.name or attachment.filename,
        url=url,
        date=when,
        filename=attachment.filename,
        raw={"href": attachment.href, "meta": attachment.meta} if attachment.meta else {"href": attachment.href},
    )
    known = is_known(url)
    if known:
        document.sha256 = known
        document.content_type = mimetypes.guess_type(attachment.filename)[0]
        path = cache.path_for(known, _suffix(attachment.filename, document.content_type))
        document.path = path if path.exists() else None
        return document
    try:
        response = client.get(attachment.href)
    except UpstreamError as exc:
        log.warning("attachment %s not downloaded: %s", url, exc)
        document.error = str(exc)
        return document
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower() or None
    document.content_type = content_type or mimetypes.guess_type(attachment.filename)[0]
    document.sha256, document.path = cache.put(response.content, _suffix(attachment.filename, document.content_type))
    return document
