"""Payload builders for WhatDoTheyKnow (Alaveteli) tests, in the shapes the real site sends.

Shapes (shared reference ``foi-sources.md`` §1; real samples in ``shared/samples/foi``):

- feed event: ``InfoRequestEvent#json_for_api(true)`` plus ``snippet``, a shallow ``info_request``,
  ``public_body`` and ``user`` (the key order of the real event 18973323);
- request JSON: ``InfoRequest#json_for_api(true)`` (shallow fields, ``user``, ``public_body``,
  ``info_request_events``);
- body JSON: ``PublicBody#json_for_api``;
- the HTML request page: Alaveteli's ``_outgoing_correspondence``, ``_incoming_correspondence``,
  ``_bubble`` and ``_attachments`` partials (``div.incoming.correspondence#incoming-<id>``,
  ``.correspondence_text``, ``ul.list-of-attachments > li.attachment`` with
  ``p.attachment__name``, ``p.attachment__meta`` and View/Download links).

Timestamps are Rails ISO 8601 with milliseconds and the London offset
(``2019-04-24T16:02:11.000+01:00``); :func:`old_timestamp` gives the 2013 form
(``2013/06/18 10:18:19 +1000``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

BST = timezone(timedelta(hours=1))


def timestamp(value: str | datetime, offset: timezone = BST) -> str:
    """Rails' JSON form: ``2019-04-24T16:02:11.000+01:00`` (a date string gets 10:00:00)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if len(str(value)) == 10:
        moment = moment.replace(hour=10)
    moment = moment.replace(tzinfo=moment.tzinfo or offset)
    return moment.isoformat(timespec="milliseconds")


def old_timestamp(value: str | datetime) -> str:
    """The older Alaveteli form: ``2013/06/18 10:18:19 +1000``."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment.replace(tzinfo=moment.tzinfo or timezone(timedelta(hours=10)))
    return moment.strftime("%Y/%m/%d %H:%M:%S %z")


def tiny_pdf(text: str) -> bytes:
    """A real one-page PDF holding ``text`` (latin-1), made with fpdf2; identical text gives identical bytes."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2019, 4, 24, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def make_body(url_name: str = "home_office", name: str = "Home Office", body_id: int = 68) -> dict[str, Any]:
    """``/body/<url_name>.json``."""
    return {
        "id": body_id,
        "url_name": url_name,
        "name": name,
        "short_name": "",
        "created_at": timestamp("2008-01-25T10:54:10"),
        "updated_at": timestamp("2024-11-02T09:12:44"),
        "home_page": "https://www.gov.uk/government/organisations/home-office",
        "notes": "",
        "publication_scheme": "",
        "disclosure_log": "https://www.gov.uk/government/publications?departments[]=home-office",
        "tags": [["central_government", None], ["foi", None]],
        "info": {
            "requests_count": 31000,
            "requests_successful_count": 9000,
            "requests_not_held_count": 2500,
            "requests_overdue_count": 40,
            "requests_visible_classified_count": 28000,
        },
    }


def make_user(user_id: int = 90210, url_name: str = "m_esslemont", name: str = "M Esslemont") -> dict[str, Any]:
    return {"id": user_id, "url_name": url_name, "name": name, "ban_text": "", "about_me": ""}


@dataclass
class Attachment:
    part: int
    filename: str
    content: bytes = b"%PDF-1.4 fake\n"
    content_type: str = "application/pdf"
    size: str = "120K"
    missing: bool = False  # the download answers 404


@dataclass
class Incoming:
    """An incoming message (a response) with its attachments."""

    id: int
    date: str  # YYYY-MM-DD or an ISO timestamp
    body: str  # plain text; blank lines make paragraphs
    attachments: list[Attachment] = field(default_factory=list)
    sender: str = "Home Office"
    event_id: int | None = None


@dataclass
class Outgoing:
    id: int
    date: str
    body: str
    event_id: int | None = None


@dataclass
class FakeRequest:
    """One request with everything the site would show for it."""

    id: int
    url_title: str
    title: str
    created: str
    state: str = "successful"
    body: dict[str, Any] = field(default_factory=make_body)
    user: dict[str, Any] = field(default_factory=make_user)
    outgoing: list[Outgoing] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)
    old_dates: bool = False  # timestamps in the 2013 form


def _ts(request: FakeRequest, value: str) -> str:
    return old_timestamp(value if len(value) > 10 else f"{value}T10:18:19") if request.old_dates else timestamp(value)


def shallow(request: FakeRequest) -> dict[str, Any]:
    """``InfoRequest#json_for_api(false)``: the ``info_request`` inside a feed event."""
    last = max([m.date for m in request.incoming] + [request.created])
    return {
        "id": request.id,
        "url_title": request.url_title,
        "title": request.title,
        "created_at": _ts(request, request.created),
        "updated_at": _ts(request, last),
        "described_state": request.state,
        "display_status": DISPLAY_STATUS.get(request.state, request.state),
        "awaiting_description": False,
        "prominence": "normal",
        "law_used": "foi",
        "tags": [],
    }


DISPLAY_STATUS = {
    "successful": "Successful",
    "partially_successful": "Partially successful",
    "not_held": "Information not held",
    "rejected": "Refused",
    "waiting_response": "Awaiting response",
    "internal_review": "Awaiting internal review",
}


def events(request: FakeRequest) -> list[dict[str, Any]]:
    """``info_request_events`` in date order: each outgoing message sent, each response."""
    rows = []
    for n, message in enumerate(request.outgoing):
        rows.append(
            (
                message.date,
                {
                    "id": message.event_id or request.id * 100 + n,
                    "event_type": "sent" if n == 0 else "followup_sent",
                    "created_at": _ts(request, message.date),
                    "described_state": None,
                    "calculated_state": "waiting_response",
                    "last_described_at": None,
                    "incoming_message_id": None,
                    "outgoing_message_id": message.id,
                    "comment_id": None,
                    "display_status": "Awaiting response",
                },
            )
        )
    for n, message in enumerate(request.incoming):
        final = n == len(request.incoming) - 1
        rows.append(
            (
                message.date,
                {
                    "id": message.event_id or request.id * 100 + 50 + n,
                    "event_type": "response",
                    "created_at": _ts(request, message.date),
                    "described_state": request.state if final else "waiting_response",
                    "calculated_state": request.state if final else "waiting_response",
                    "last_described_at": _ts(request, message.date),
                    "incoming_message_id": message.id,
                    "outgoing_message_id": None,
                    "comment_id": None,
                    "display_status": DISPLAY_STATUS.get(request.state, "Response") if final else "Response",
                },
            )
        )
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def request_json(request: FakeRequest) -> dict[str, Any]:
    """``/request/<url_title>.json``: ``InfoRequest#json_for_api(true)``."""
    return {
        **shallow(request),
        "user": request.user,
        "public_body": request.body,
        "info_request_events": events(request),
    }


def feed_events(request: FakeRequest) -> list[dict[str, Any]]:
    """The search-feed events for a request's responses (``variety:response``), newest first."""
    out = []
    for event in reversed([e for e in events(request) if e["event_type"] == "response"]):
        out.append(
            {
                **{k: v for k, v in event.items()},
                "snippet": "Dear M Esslemont, Please find attached our response to your request...",
                "info_request": shallow(request),
                "public_body": {k: v for k, v in request.body.items() if k != "info"},
                "user": request.user,
            }
        )
    return out


def download_path(request: FakeRequest, message: Incoming, attachment: Attachment, *, numeric: bool = False) -> str:
    ref = request.id if numeric else request.url_title
    return f"/request/{ref}/response/{message.id}/attach/{attachment.part}/{quote(attachment.filename)}"


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    return "\n".join("<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>" for p in parts)


def _nice_date(value: str) -> str:
    moment = datetime.fromisoformat(value[:10])
    return f"{moment.day} {moment:%B %Y}"


def request_page(
    request: FakeRequest,
    *,
    numeric_links: bool = False,
    id_style: str = "incoming-",
    folded: bool = True,
) -> str:
    """The HTML request page ``/request/<url_title>`` in Alaveteli's markup.

    ``numeric_links`` writes attachment links with the numeric request id (older templates'
    ``get_attachment_path(:id => info_request_id)``; the site redirects them); ``id_style`` is
    the prefix of an incoming message's element id (``"incoming-"`` as in Alaveteli's
    ``_incoming_correspondence.html.erb``, or ``"incoming_message_"``).
    """
    title = html.escape(request.title)
    body_name = html.escape(request.body["name"])
    base_path = f"/request/{request.url_title}"
    blocks = []
    for message in request.outgoing:
        blocks.append(
            f"""
<div class="outgoing correspondence" id="outgoing-{message.id}">
  <div class="correspondence__header">
    <div class="correspondence__header__from--with-delivery-status">
      {html.escape(request.user["name"])}
      <a href="{base_path}#outgoing-{message.id}" class="correspondence__header__date">
        <time datetime="{timestamp(message.date)}">{_nice_date(message.date)}</time>
      </a>
    </div>
    <div class="correspondence__header__delivery-status">
      <a href="{base_path}/outgoing/{message.id}/delivery_status" class="toggle-delivery-log">Delivered</a>
    </div>
  </div>
  <div class="correspondence_text">
    {_paragraphs(message.body)}
  </div>
  <p class="event_actions"></p>
  <div class="correspondence__footer">
    <div class="correspondence__footer__cplink">
      <input type="text" id="cplink__field" class="cplink__field" value="{base_path}#outgoing-{message.id}">
      <button class="cplink__button">Link to this</button>
    </div>
  </div>
</div>"""
        )
    for message in request.incoming:
        items = []
        for attachment in message.attachments:
            download = download_path(request, message, attachment, numeric=numeric_links)
            ref = request.id if numeric_links else request.url_title
            view = (
                f"/request/{ref}/response/{message.id}/attach/html/{attachment.part}/{quote(attachment.filename)}.html"
            )
            icon = "icon_" + attachment.content_type.replace("/", "_") + "_large.png"
            items.append(
                f"""
        <li class="attachment" id="foi_attachment_{message.id}{attachment.part}">
          <a href="{download}?cookie_passthrough=1"><img class="attachment__image" alt="Attachment" \
src="/assets/content_type/{icon}"></a>
          <p class="attachment__name">
            {html.escape(attachment.filename)}
          </p>
          <p class="attachment__meta">
            {attachment.size}
            <a href="{view}">View</a>
            <a href="{download}?cookie_passthrough=1">Download</a>
          </p>
        </li>"""
            )
        attachments = ""
        if items:
            count = f"{len(items)} Attachment" + ("s" if len(items) != 1 else "")
            attachments = f"""
    <div class="attachments">
      <div class="attachments__header"><h3>{count}</h3></div>
      <ul class="list-of-attachments">{"".join(items)}
      </ul>
      <a href="#" class="attachments__show-more" style="display: none;" data-show-all="Show all attachments" \
data-show-fewer="Show fewer attachments"></a>
    </div>"""
        unfold = (
            f'\n    <span class="unfold_link"><a href="?unfold=1#incoming-{message.id}">show quoted sections</a></span>'
            if folded
            else ""
        )
        blocks.append(
            f"""
<div class="incoming correspondence box normal" id="{id_style}{message.id}">
  <h2>
    From: {html.escape(message.sender)}<br>
    {body_name}<br>
    <br>{_nice_date(message.date)}
  </h2>
  <div class="correspondence_text">{attachments}
    <div id="attachment-{message.id}1">
      {_paragraphs(message.body)}{unfold}
    </div>
  </div>
  <p class="event_actions">
    <a href="{base_path}#incoming-{message.id}" class="link_to_this">Link to this</a>
  </p>
</div>"""
        )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>{title} - a Freedom of Information request to {body_name} - WhatDoTheyKnow</title>
  <link rel="alternate" type="application/json" title="JSON version of this request" href="{base_path}.json">
  <link rel="alternate" type="application/atom+xml" title="Updates to this request" href="{base_path}/feed">
</head>
<body class="front request-show">
<div id="wrapper"><div id="content">
  <div id="left_column" class="left_column">
    <h1>{title}</h1>
    <p class="request-status-message">
      <span class="request-status-icon">The request was <strong>{DISPLAY_STATUS.get(request.state, "")}</strong>.</span>
    </p>
    <div id="request_correspondence">{"".join(blocks)}
    </div>
  </div>
  <div id="right_column" class="sidebar right_column">
    <h2>Similar requests</h2>
    <ul>
      <li><a href="/request/another_request_about_detention">Another request about detention</a></li>
      <li><a href="/request/another_request_about_detention/response/999/attach/2/Other%20reply.pdf">Other reply.pdf</a>
      </li>
    </ul>
  </div>
</div></div>
</body>
</html>
"""


def make_request(
    request_id: int = 558039,
    url_title: str = "immigration_detention_of_traffic",
    title: str = "Immigration detention of trafficking victims",
    *,
    state: str = "successful",
    created: str = "2019-03-04",
    old_dates: bool = False,
    responses: list[Incoming] | None = None,
    body: dict[str, Any] | None = None,
) -> FakeRequest:
    """A request shaped on WDTK 558039: a holding letter, then the full reply with a PDF."""
    if responses is None:
        responses = [
            Incoming(
                request_id * 10 + 1,
                "2019-04-04",
                "Dear M Esslemont,\n\nPlease find attached a letter about your request.\n\nYours sincerely,\n"
                "Immigration Enforcement Secretariat",
                [Attachment(3, "52658 Esslemont AP.pdf", b"%PDF-1.4 holding letter " + str(request_id).encode())],
            ),
            Incoming(
                request_id * 10 + 2,
                "2019-04-24",
                "Dear M Esslemont,\n\nRe: Freedom of Information request – 52658\n\n"
                "We are now in a position to provide a full reply to your request.",
                [Attachment(2, "52658 Reply.pdf", b"%PDF-1.4 full reply " + str(request_id).encode())],
            ),
        ]
    return FakeRequest(
        id=request_id,
        url_title=url_title,
        title=title,
        created=created,
        state=state,
        body=body or make_body(),
        outgoing=[
            Outgoing(
                request_id * 10,
                created,
                "Dear Home Office,\n\nPlease provide the number of human trafficking victims currently held in "
                "immigration detention.\n\nYours faithfully,\nM Esslemont",
            )
        ],
        incoming=responses,
        old_dates=old_dates,
    )
